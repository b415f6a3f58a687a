//! `village_contacts`: the township officer each village is assigned to
//! (包村干部), and the township's officers one may be chosen from.

use std::collections::HashMap;

use sqlx::Row;

use super::Db;

/// A village of a township and its contact, if assigned.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Village {
    /// Its code.
    pub code: String,
    /// Its name.
    pub name: String,
    /// The contact's account, if one is assigned.
    pub contact: Option<i64>,
    /// The contact's name.
    pub contact_name: Option<String>,
}

/// The villages directly under the township `code`, by code, with their contacts.
pub async fn of_township(db: &Db, code: &str) -> anyhow::Result<Vec<Village>> {
    sqlx::query(
        "SELECT u.code, u.name, c.account_id, a.display_name FROM org_units u
         LEFT JOIN village_contacts c ON c.village_code = u.code
         LEFT JOIN accounts a ON a.id = c.account_id
         WHERE u.parent_code = $1 AND u.level = 'village' ORDER BY u.code",
    )
    .bind(code)
    .fetch_all(db.pool())
    .await?
    .iter()
    .map(|r| {
        Ok(Village {
            code: r.try_get("code")?,
            name: r.try_get("name")?,
            contact: r.try_get("account_id")?,
            contact_name: r.try_get("display_name")?,
        })
    })
    .collect()
}

/// The officers of the township `code` who can be contacts: accounts in
/// use granted `township-officer` there, (id, name), by name.
pub async fn officers(db: &Db, code: &str) -> anyhow::Result<Vec<(i64, String)>> {
    sqlx::query(
        "SELECT DISTINCT a.id, a.display_name FROM role_grants g JOIN accounts a ON a.id = g.account_id
         WHERE g.role = 'township-officer' AND g.unit_code = $1 AND a.disabled_at IS NULL
         ORDER BY a.display_name, a.id",
    )
    .bind(code)
    .fetch_all(db.pool())
    .await?
    .iter()
    .map(|r| Ok((r.try_get("id")?, r.try_get("display_name")?)))
    .collect()
}

/// The contacts of `villages` that are assigned: village code → (account, name).
pub async fn of(db: &Db, villages: &[&str]) -> anyhow::Result<HashMap<String, (i64, String)>> {
    let mut found = HashMap::new();
    for chunk in villages.chunks(200) {
        let list: Vec<String> = (1..=chunk.len()).map(|i| format!("${i}")).collect();
        let sql = format!(
            "SELECT c.village_code, c.account_id, a.display_name FROM village_contacts c
             JOIN accounts a ON a.id = c.account_id WHERE c.village_code IN ({})",
            list.join(", ")
        );
        let mut query = sqlx::query(&sql);
        for v in chunk {
            query = query.bind(*v);
        }
        for r in query.fetch_all(db.pool()).await? {
            found.insert(
                r.try_get("village_code")?,
                (r.try_get("account_id")?, r.try_get("display_name")?),
            );
        }
    }
    Ok(found)
}

/// The contact of the village `code` if assigned, their account in use,
/// and reachable outside the app (a phone on their person, or an e-mail
/// address): one indexed read.
pub async fn reachable(db: &Db, code: &str) -> anyhow::Result<Option<i64>> {
    Ok(sqlx::query_scalar(
        "SELECT c.account_id FROM village_contacts c JOIN accounts a ON a.id = c.account_id
         LEFT JOIN people p ON p.id = a.person_id
         WHERE c.village_code = $1 AND a.disabled_at IS NULL
           AND ((a.email IS NOT NULL AND a.email <> '') OR (p.phone IS NOT NULL AND p.phone <> ''))",
    )
    .bind(code)
    .fetch_optional(db.pool())
    .await?)
}

/// Whether any village has a contact at all (a fan-out with none skips
/// looking for each village's).
pub async fn any(db: &Db) -> anyhow::Result<bool> {
    Ok(
        sqlx::query_scalar::<_, i64>("SELECT 1 FROM village_contacts LIMIT 1")
            .fetch_optional(db.pool())
            .await?
            .is_some(),
    )
}

/// Sets each village's contact (`None` takes it away), in one transaction.
pub async fn set(
    db: &Db,
    changes: &[(String, Option<i64>)],
    by: i64,
    now: i64,
) -> anyhow::Result<()> {
    let mut tx = db.writer().begin().await?;
    for (village, account) in changes {
        sqlx::query("DELETE FROM village_contacts WHERE village_code = $1")
            .bind(village)
            .execute(&mut *tx)
            .await?;
        if let Some(account) = account {
            sqlx::query(
                "INSERT INTO village_contacts (village_code, account_id, assigned_by, assigned_at)
                 VALUES ($1, $2, $3, $4)",
            )
            .bind(village)
            .bind(account)
            .bind(by)
            .bind(now)
            .execute(&mut *tx)
            .await?;
        }
    }
    tx.commit().await?;
    Ok(())
}
