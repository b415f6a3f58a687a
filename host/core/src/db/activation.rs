//! What administrators see and change of accounts: `activation_codes`,
//! `account_events`, accounts listed with their grants under a unit, and the
//! activation slips of a village.

use baton_sdk::Role;
use serde::Serialize;
use sqlx::Row;

use super::Db;
use super::accounts::Tx;

/// An account as administrators see it.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Serialize)]
pub struct Account {
    /// Its id.
    pub id: i64,
    /// Login name.
    pub username: String,
    /// The name shown to others.
    pub display_name: String,
    /// The roster person it is, if any.
    pub person_id: Option<i64>,
    /// Whether its password is set (it has signed in with its code).
    pub activated: bool,
    /// Whether it is switched off.
    pub disabled: bool,
    /// Its roles and where.
    pub grants: Vec<HeldRole>,
}

/// A role an account holds, and where.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Serialize)]
pub struct HeldRole {
    /// The grant's id, to revoke it by.
    pub id: i64,
    /// The role.
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub role: Role,
    /// The unit's code; none for the national administrator.
    pub unit_code: Option<String>,
    /// The unit's name.
    pub unit_name: Option<String>,
    /// The unit's path.
    #[serde(skip)]
    pub path: Option<String>,
}

const ACCOUNT: &str = "SELECT a.id, a.username, a.display_name, a.person_id,
    CAST(CASE WHEN a.password_hash = '' THEN 0 ELSE 1 END AS BIGINT) AS activated,
    CAST(CASE WHEN a.disabled_at IS NULL THEN 0 ELSE 1 END AS BIGINT) AS disabled
    FROM accounts a";

fn account(row: &sqlx::any::AnyRow) -> anyhow::Result<Account> {
    Ok(Account {
        id: row.try_get("id")?,
        username: row.try_get("username")?,
        display_name: row.try_get("display_name")?,
        person_id: row.try_get("person_id")?,
        activated: row.try_get::<i64, _>("activated")? != 0,
        disabled: row.try_get::<i64, _>("disabled")? != 0,
        grants: Vec::new(),
    })
}

async fn with_grants(db: &Db, mut accounts: Vec<Account>) -> anyhow::Result<Vec<Account>> {
    for a in &mut accounts {
        a.grants = sqlx::query(
            "SELECT g.id, g.role, g.unit_code, u.name, u.path FROM role_grants g
             LEFT JOIN org_units u ON u.code = g.unit_code WHERE g.account_id = $1 ORDER BY g.id",
        )
        .bind(a.id)
        .fetch_all(db.pool())
        .await?
        .iter()
        .map(|g| {
            Ok(HeldRole {
                id: g.try_get("id")?,
                role: g.try_get::<String, _>("role")?.parse::<Role>()?,
                unit_code: g.try_get("unit_code")?,
                unit_name: g.try_get("name")?,
                path: g.try_get("path")?,
            })
        })
        .collect::<anyhow::Result<_>>()?;
    }
    Ok(accounts)
}

/// The account `id`, with its grants.
pub async fn get(db: &Db, id: i64) -> anyhow::Result<Option<Account>> {
    let row = sqlx::query(&format!("{ACCOUNT} WHERE a.id = $1"))
        .bind(id)
        .fetch_optional(db.pool())
        .await?;
    let Some(row) = row else { return Ok(None) };
    Ok(with_grants(db, vec![account(&row)?]).await?.pop())
}

/// The account called `username`, if any.
pub async fn id_of(db: &Db, username: &str) -> anyhow::Result<Option<i64>> {
    Ok(
        sqlx::query_scalar("SELECT id FROM accounts WHERE username = $1")
            .bind(username)
            .fetch_optional(db.pool())
            .await?,
    )
}

/// Accounts holding a role at the unit at `path` or below it, by name
/// (at most `limit`).
pub async fn under(db: &Db, path: &str, limit: i64) -> anyhow::Result<Vec<Account>> {
    let rows = sqlx::query(&format!(
        "{ACCOUNT} WHERE a.id IN (SELECT g.account_id FROM role_grants g
           JOIN org_units u ON u.code = g.unit_code WHERE u.path >= $1 AND u.path < $2)
         ORDER BY a.username LIMIT $3"
    ))
    .bind(path)
    .bind(format!("{path}~"))
    .bind(limit)
    .fetch_all(db.pool())
    .await?;
    let accounts = rows.iter().map(account).collect::<anyhow::Result<_>>()?;
    with_grants(db, accounts).await
}

/// Takes away grant `grant` of `account`; returns whether it was there.
pub async fn revoke(tx: &mut Tx, account: i64, grant: i64) -> anyhow::Result<bool> {
    let done = sqlx::query("DELETE FROM role_grants WHERE id = $1 AND account_id = $2")
        .bind(grant)
        .bind(account)
        .execute(&mut **tx)
        .await?;
    Ok(done.rows_affected() > 0)
}

/// Gives `account` a new activation code, replacing any it had. With
/// `clear_password`, the old password stops working and every session ends
/// (a reset); otherwise the account is left as it is (a first code).
pub async fn issue_code(
    tx: &mut Tx,
    account: i64,
    code: &str,
    expires_at: i64,
    now: i64,
    clear_password: bool,
) -> anyhow::Result<()> {
    sqlx::query("DELETE FROM activation_codes WHERE account_id = $1")
        .bind(account)
        .execute(&mut **tx)
        .await?;
    sqlx::query(
        "INSERT INTO activation_codes (account_id, code, expires_at, issued_at) VALUES ($1, $2, $3, $4)",
    )
    .bind(account)
    .bind(code)
    .bind(expires_at)
    .bind(now)
    .execute(&mut **tx)
    .await?;
    if clear_password {
        sqlx::query("UPDATE accounts SET password_hash = '' WHERE id = $1")
            .bind(account)
            .execute(&mut **tx)
            .await?;
        end_sessions(tx, account).await?;
    }
    Ok(())
}

/// Ends every session of `account`.
pub async fn end_sessions(tx: &mut Tx, account: i64) -> anyhow::Result<()> {
    sqlx::query("DELETE FROM sessions WHERE account_id = $1")
        .bind(account)
        .execute(&mut **tx)
        .await?;
    Ok(())
}

/// The live activation code of `username`'s account: (account id, code,
/// expires at). Switched-off accounts have none.
pub async fn code_of(db: &Db, username: &str) -> anyhow::Result<Option<(i64, String, i64)>> {
    let row = sqlx::query(
        "SELECT a.id, c.code, c.expires_at FROM accounts a
         JOIN activation_codes c ON c.account_id = a.id
         WHERE a.username = $1 AND a.disabled_at IS NULL",
    )
    .bind(username)
    .fetch_optional(db.pool())
    .await?;
    row.map(|r| {
        Ok((
            r.try_get("id")?,
            r.try_get("code")?,
            r.try_get("expires_at")?,
        ))
    })
    .transpose()
}

/// Sets `account`'s password and uses up its code; returns false, changing
/// nothing, when the code was used meanwhile.
pub async fn activate(tx: &mut Tx, account: i64, code: &str, hash: &str) -> anyhow::Result<bool> {
    let used = sqlx::query("DELETE FROM activation_codes WHERE account_id = $1 AND code = $2")
        .bind(account)
        .bind(code)
        .execute(&mut **tx)
        .await?;
    if used.rows_affected() == 0 {
        return Ok(false);
    }
    sqlx::query("UPDATE accounts SET password_hash = $1 WHERE id = $2")
        .bind(hash)
        .bind(account)
        .execute(&mut **tx)
        .await?;
    Ok(true)
}

/// Switches `account` off (ending its sessions) or back on.
pub async fn set_disabled(tx: &mut Tx, account: i64, at: Option<i64>) -> anyhow::Result<()> {
    sqlx::query("UPDATE accounts SET disabled_at = $1 WHERE id = $2")
        .bind(at)
        .bind(account)
        .execute(&mut **tx)
        .await?;
    if at.is_some() {
        end_sessions(tx, account).await?;
    }
    Ok(())
}

/// Records a change to `account`: `event` is one of created, granted,
/// revoked, code-issued, activated, disabled, enabled; `actor` `None` is
/// the server's operator.
pub async fn record(
    tx: &mut Tx,
    actor: Option<i64>,
    account: i64,
    event: &str,
    detail: &str,
    now: i64,
) -> anyhow::Result<()> {
    sqlx::query(
        "INSERT INTO account_events (at, actor_id, account_id, event, detail) VALUES ($1, $2, $3, $4, $5)",
    )
    .bind(now)
    .bind(actor)
    .bind(account)
    .bind(event)
    .bind(detail)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// One line of the account log.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Serialize)]
pub struct Event {
    /// When, Unix seconds.
    pub at: i64,
    /// Who: a login name, or none for the server's operator.
    pub actor: Option<String>,
    /// What happened.
    pub event: String,
    /// The details: a role and unit, say.
    pub detail: String,
}

/// The log of `account`, oldest first.
pub async fn events(db: &Db, account: i64) -> anyhow::Result<Vec<Event>> {
    sqlx::query(
        "SELECT e.at, a.username, e.event, e.detail FROM account_events e
         LEFT JOIN accounts a ON a.id = e.actor_id WHERE e.account_id = $1 ORDER BY e.id",
    )
    .bind(account)
    .fetch_all(db.pool())
    .await?
    .iter()
    .map(|r| {
        Ok(Event {
            at: r.try_get("at")?,
            actor: r.try_get("username")?,
            event: r.try_get("event")?,
            detail: r.try_get("detail")?,
        })
    })
    .collect()
}

/// One person's activation slip.
#[derive(Debug, Clone, Serialize)]
pub struct Slip {
    /// The account.
    pub account_id: i64,
    /// The person's name.
    pub name: String,
    /// Their post (several joined by 、), or how they left.
    pub post: String,
    /// Their role in the village.
    pub role: Role,
    /// Login name.
    pub username: String,
    /// Their live code, if any.
    pub code: Option<String>,
    /// When it expires.
    pub expires_at: Option<i64>,
    /// Whether they have signed in and chosen a password.
    pub activated: bool,
}

/// The people holding a role in village `code` and their codes, the
/// secretary first.
pub async fn slips(db: &Db, code: &str) -> anyhow::Result<Vec<Slip>> {
    let rows = sqlx::query(
        "SELECT a.id, a.username, a.display_name, g.role, c.code, c.expires_at,
           CAST(CASE WHEN a.password_hash = '' THEN 0 ELSE 1 END AS BIGINT) AS activated, a.person_id
         FROM role_grants g JOIN accounts a ON a.id = g.account_id
         LEFT JOIN activation_codes c ON c.account_id = a.id
         WHERE g.unit_code = $1 AND g.role IN ('secretary', 'member', 'outgoing-cadre')
           AND a.disabled_at IS NULL
         ORDER BY CASE g.role WHEN 'secretary' THEN 0 WHEN 'member' THEN 1 ELSE 2 END, a.id",
    )
    .bind(code)
    .fetch_all(db.pool())
    .await?;
    // Each person's posts on the village's latest committees: 书记、主任.
    let mut posts: std::collections::HashMap<i64, Vec<String>> = std::collections::HashMap::new();
    let seats = sqlx::query(
        "SELECT m.person_id, m.post FROM committee_members m JOIN committees k ON k.id = m.committee_id
         WHERE k.unit_code = $1 AND k.term_id = (SELECT MAX(term_id) FROM committees WHERE unit_code = $1)
         ORDER BY k.kind, m.post",
    )
    .bind(code)
    .fetch_all(db.pool())
    .await?;
    for seat in &seats {
        let held = posts.entry(seat.try_get("person_id")?).or_default();
        let post: String = seat.try_get("post")?;
        if !held.contains(&post) {
            held.push(post);
        }
    }
    rows.iter()
        .map(|r| {
            let person: Option<i64> = r.try_get("person_id")?;
            Ok(Slip {
                account_id: r.try_get("id")?,
                name: r.try_get("display_name")?,
                post: person
                    .and_then(|p| posts.get(&p))
                    .map(|p| p.join("、"))
                    .unwrap_or_default(),
                role: r.try_get::<String, _>("role")?.parse::<Role>()?,
                username: r.try_get("username")?,
                code: r.try_get("code")?,
                expires_at: r.try_get("expires_at")?,
                activated: r.try_get::<i64, _>("activated")? != 0,
            })
        })
        .collect()
}
