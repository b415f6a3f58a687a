//! A person's data, gathered for their export (查阅复制), and the log of who
//! exported it or saw their full 身份证号 (`personal_data_log`).

use serde_json::{Value, json};
use sqlx::Row;

use super::Db;

fn rows_json(rows: &[sqlx::any::AnyRow], columns: &[&str]) -> anyhow::Result<Vec<Value>> {
    rows.iter()
        .map(|r| {
            let mut o = serde_json::Map::new();
            for c in columns {
                // Text or a number, as stored.
                let v = match r.try_get::<Option<String>, _>(*c) {
                    Ok(s) => json!(s),
                    Err(_) => json!(r.try_get::<Option<i64>, _>(*c)?),
                };
                o.insert((*c).to_owned(), v);
            }
            Ok(Value::Object(o))
        })
        .collect()
}

async fn all(db: &Db, sql: &str, id: i64, columns: &[&str]) -> anyhow::Result<Vec<Value>> {
    let rows = sqlx::query(sql).bind(id).fetch_all(db.pool()).await?;
    rows_json(&rows, columns)
}

/// Everything the platform holds about person `id`, as JSON: their roster
/// particulars (the full 身份证号), seats, accounts, what they did and
/// signed, the files they uploaded, what they were told, and who exported
/// their data or saw their ID number. `None` if there is no such person.
pub async fn gather(db: &Db, id: i64) -> anyhow::Result<Option<Value>> {
    let person = all(
        db,
        "SELECT id, name, phone, gender, birth, ethnicity, education, political, origin, id_number
         FROM people WHERE id = $1",
        id,
        &[
            "id",
            "name",
            "phone",
            "gender",
            "birth",
            "ethnicity",
            "education",
            "political",
            "origin",
            "id_number",
        ],
    )
    .await?;
    let Some(person) = person.into_iter().next() else {
        return Ok(None);
    };
    let seats = all(
        db,
        "SELECT c.term_id AS term, u.name AS village, c.kind AS committee, m.post, m.post_text,
                m.departure, m.years_served
         FROM committee_members m JOIN committees c ON c.id = m.committee_id
         JOIN org_units u ON u.code = c.unit_code WHERE m.person_id = $1 ORDER BY c.term_id",
        id,
        &[
            "term",
            "village",
            "committee",
            "post",
            "post_text",
            "departure",
            "years_served",
        ],
    )
    .await?;
    let accounts = all(
        db,
        "SELECT id, username, display_name, email, locale, created_at FROM accounts
         WHERE person_id = $1 ORDER BY id",
        id,
        &[
            "id",
            "username",
            "display_name",
            "email",
            "locale",
            "created_at",
        ],
    )
    .await?;
    let actions = all(
        db,
        "SELECT a.enrollment_id, e.plugin_id AS module, a.role, a.action, a.payload, a.at, a.result
         FROM actions a JOIN accounts c ON c.id = a.account_id
         JOIN enrollments e ON e.id = a.enrollment_id
         WHERE c.person_id = $1 ORDER BY a.id",
        id,
        &[
            "enrollment_id",
            "module",
            "role",
            "action",
            "payload",
            "at",
            "result",
        ],
    )
    .await?;
    let signed = all(
        db,
        "SELECT s.enrollment_id, s.role, s.subject, s.statement, s.at, s.hash FROM signoffs s
         WHERE s.signer = CAST($1 AS TEXT) ORDER BY s.id",
        id,
        &[
            "enrollment_id",
            "role",
            "subject",
            "statement",
            "at",
            "hash",
        ],
    )
    .await?;
    let files = all(
        db,
        "SELECT enrollment_id, name, media_type, size, uploaded_at FROM attachments
         WHERE uploaded_by = CAST($1 AS TEXT) ORDER BY id",
        id,
        &["enrollment_id", "name", "media_type", "size", "uploaded_at"],
    )
    .await?;
    let told = all(
        db,
        "SELECT enrollment_id, message, created_at FROM notices
         WHERE recipient = 'person:' || CAST($1 AS TEXT) ORDER BY id",
        id,
        &["enrollment_id", "message", "created_at"],
    )
    .await?;
    let log = all(
        db,
        "SELECT l.at, a.username AS by_account, l.what FROM personal_data_log l
         JOIN accounts a ON a.id = l.actor_id WHERE l.person_id = $1 ORDER BY l.id",
        id,
        &["at", "by_account", "what"],
    )
    .await?;
    Ok(Some(json!({
        "person": person,
        "seats": seats,
        "accounts": accounts,
        "actions": actions,
        "signoffs": signed,
        "files": files,
        "notices": told,
        "access_log": log,
    })))
}

/// Logs that `actor` exported (`export`) person `person`'s data, or saw
/// their full ID number (`id-number`).
pub async fn log(db: &Db, actor: i64, person: i64, what: &str, now: i64) -> anyhow::Result<()> {
    sqlx::query(
        "INSERT INTO personal_data_log (at, actor_id, person_id, what) VALUES ($1, $2, $3, $4)",
    )
    .bind(now)
    .bind(actor)
    .bind(person)
    .bind(what)
    .execute(db.writer())
    .await?;
    Ok(())
}

/// The village path of the person's latest seat, if they hold or held one.
pub async fn village_path(db: &Db, person: i64) -> anyhow::Result<Option<String>> {
    Ok(sqlx::query_scalar(
        "SELECT u.path FROM committee_members m JOIN committees c ON c.id = m.committee_id
         JOIN org_units u ON u.code = c.unit_code WHERE m.person_id = $1
         ORDER BY c.term_id DESC LIMIT 1",
    )
    .bind(person)
    .fetch_optional(db.pool())
    .await?)
}
