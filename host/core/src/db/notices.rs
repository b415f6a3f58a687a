//! `notices`: what modules (and trainers' reminders) tell people, shown on
//! their next visit; and the township queue, which notices to township
//! officers make.

use baton_sdk::Text;
use serde::Serialize;
use sqlx::Row;

use super::Db;

/// A notice as a page shows it.
#[derive(Debug, Clone, Serialize)]
pub struct Shown {
    /// The enrollment it is about.
    pub enrollment_id: i64,
    /// The module.
    pub module: String,
    /// What it says.
    pub message: Text,
    /// When, Unix seconds.
    pub at: i64,
    /// Sent since the reader last looked.
    pub new: bool,
}

/// The latest notices for a person: to them, or to their role in their
/// village, within `since`; those after their last look are `new`.
pub async fn for_person(
    db: &Db,
    account_id: i64,
    person: Option<i64>,
    roles: &[(String, &str)],
    since: i64,
) -> anyhow::Result<Vec<Shown>> {
    let seen: i64 = sqlx::query_scalar("SELECT notices_seen_at FROM accounts WHERE id = $1")
        .bind(account_id)
        .fetch_one(db.pool())
        .await?;
    let mut found = Vec::new();
    let person = person.map(|p| format!("person:{p}")).unwrap_or_default();
    for (village, role) in roles {
        let rows = sqlx::query(
            "SELECT n.enrollment_id, e.plugin_id, n.message, n.created_at
             FROM notices n JOIN enrollments e ON e.id = n.enrollment_id
             WHERE e.unit_code = $1 AND (n.recipient = $2 OR n.recipient = $3)
               AND n.created_at >= $4
             ORDER BY n.id DESC LIMIT 10",
        )
        .bind(village)
        .bind(&person)
        .bind(format!("role:{role}"))
        .bind(since)
        .fetch_all(db.pool())
        .await?;
        for r in rows {
            let at: i64 = r.try_get("created_at")?;
            found.push(Shown {
                enrollment_id: r.try_get("enrollment_id")?,
                module: r.try_get("plugin_id")?,
                message: serde_json::from_str(&r.try_get::<String, _>("message")?)?,
                at,
                new: at >= seen,
            });
        }
    }
    found.sort_by_key(|n| std::cmp::Reverse(n.at));
    found.truncate(10);
    Ok(found)
}

/// Remembers that the account has seen its notices up to `now`.
pub async fn seen(db: &Db, account_id: i64, now: i64) -> anyhow::Result<()> {
    sqlx::query("UPDATE accounts SET notices_seen_at = $1 WHERE id = $2")
        .bind(now + 1)
        .bind(account_id)
        .execute(db.writer())
        .await?;
    Ok(())
}

/// Records a reminder from account `by` to each of `recipients`
/// (`person:ID` or `role:ROLE` over the enrollment's village), in one
/// transaction; the outbox then takes it to their phones. Returns the
/// notices' ids.
pub async fn remind(
    db: &Db,
    enrollment_id: i64,
    recipients: &[String],
    message: &Text,
    by: i64,
    now: i64,
) -> anyhow::Result<Vec<i64>> {
    let mut tx = db.writer().begin().await?;
    let mut ids = Vec::new();
    for recipient in recipients {
        ids.push(
            insert(
                &mut *tx,
                enrollment_id,
                recipient,
                message,
                "reminder",
                Some(by),
                now,
            )
            .await?,
        );
    }
    tx.commit().await?;
    Ok(ids)
}

/// Writes one notice inside `conn`'s transaction; returns its id.
pub async fn insert<T: super::statements::Tx>(
    conn: &mut T,
    enrollment_id: i64,
    recipient: &str,
    message: &Text,
    kind: &str,
    sent_by: Option<i64>,
    at: i64,
) -> anyhow::Result<i64> {
    let message = serde_json::to_string(message)?;
    let rows = conn
        .fetch(
            "INSERT INTO notices (enrollment_id, recipient, message, created_at, kind, sent_by, fanned_out)
             VALUES ($1, $2, $3, $4, $5, $6, 0) RETURNING id",
            &[
                enrollment_id.into(),
                recipient.into(),
                message.as_str().into(),
                at.into(),
                kind.into(),
                sent_by.into(),
            ],
            &[super::statements::Kind::Int],
        )
        .await?;
    rows.first()
        .and_then(|row| row.first())
        .and_then(super::statements::Cell::int)
        .ok_or_else(|| anyhow::anyhow!("INSERT INTO notices … RETURNING id gave no id"))
}

/// A notice its sender (or an official it was addressed to) sees.
#[derive(Debug, Clone, Serialize)]
pub struct Sent {
    /// Its id.
    pub id: i64,
    /// The enrollment.
    pub enrollment_id: i64,
    /// Its village.
    pub village: String,
    /// Whom: `person:ID`, `role:ROLE`, `unit:CODE`.
    pub recipient: String,
    /// reminder, due or escalation.
    pub kind: String,
    /// What it says.
    pub message: Text,
    /// When, Unix seconds.
    pub at: i64,
}

fn sent(r: &sqlx::any::AnyRow) -> anyhow::Result<Sent> {
    Ok(Sent {
        id: r.try_get("id")?,
        enrollment_id: r.try_get("enrollment_id")?,
        village: r.try_get("name")?,
        recipient: r.try_get("recipient")?,
        kind: r.try_get("kind")?,
        message: serde_json::from_str(&r.try_get::<String, _>("message")?)?,
        at: r.try_get("created_at")?,
    })
}

/// The latest notices account `by` sent, since `since`, newest first.
pub async fn sent_by(db: &Db, by: i64, since: i64, limit: i64) -> anyhow::Result<Vec<Sent>> {
    sqlx::query(
        "SELECT n.id, n.enrollment_id, u.name, n.recipient, n.kind, n.message, n.created_at
         FROM notices n JOIN enrollments e ON e.id = n.enrollment_id JOIN org_units u ON u.code = e.unit_code
         WHERE n.sent_by = $1 AND n.created_at >= $2
         ORDER BY n.created_at DESC, n.id DESC LIMIT $3",
    )
    .bind(by)
    .bind(since)
    .bind(limit)
    .fetch_all(db.pool())
    .await?
    .iter()
    .map(sent)
    .collect()
}

/// The latest notices to the units `codes` (escalations: `unit:CODE`),
/// since `since`, newest first.
pub async fn to_units(
    db: &Db,
    codes: &[String],
    since: i64,
    limit: i64,
) -> anyhow::Result<Vec<Sent>> {
    let mut out = Vec::new();
    for code in codes {
        let rows = sqlx::query(
            "SELECT n.id, n.enrollment_id, u.name, n.recipient, n.kind, n.message, n.created_at
             FROM notices n JOIN enrollments e ON e.id = n.enrollment_id JOIN org_units u ON u.code = e.unit_code
             WHERE n.recipient = $1 AND n.created_at >= $2
             ORDER BY n.created_at DESC, n.id DESC LIMIT $3",
        )
        .bind(format!("unit:{code}"))
        .bind(since)
        .bind(limit)
        .fetch_all(db.pool())
        .await?;
        for r in &rows {
            out.push(sent(r)?);
        }
    }
    out.sort_by_key(|s| std::cmp::Reverse((s.at, s.id)));
    out.truncate(usize::try_from(limit).unwrap_or(usize::MAX));
    Ok(out)
}

/// An enrollment waiting for a township officer.
#[derive(Debug, Clone, Serialize)]
pub struct Waiting {
    /// The enrollment.
    pub enrollment_id: i64,
    /// Its village's code and name.
    pub village_code: String,
    /// The village's name.
    pub village: String,
    /// The module.
    pub module: String,
    /// Its version.
    pub version: String,
    /// Requests not yet answered.
    pub count: i64,
    /// The latest request.
    pub message: Text,
    /// When it came, Unix seconds.
    pub at: i64,
    /// The village's 包村干部, if assigned: their name.
    pub contact: Option<String>,
    /// Whether the reader is that contact.
    pub mine: bool,
}

/// Enrollments under `path` that asked a township officer for something
/// (a notice to the role) more times than township officers have acted in
/// them: each request (witness this item, verify that milestone) is
/// answered by one action. Oldest request first.
pub async fn waiting_for_township(db: &Db, path: &str) -> anyhow::Result<Vec<Waiting>> {
    let rows = sqlx::query(
        "SELECT e.id, e.unit_code, u.name, e.plugin_id, e.plugin_version,
                (SELECT COUNT(*) FROM notices n WHERE n.enrollment_id = e.id
                   AND n.recipient = 'role:township-officer') AS asked,
                (SELECT COUNT(*) FROM actions a WHERE a.enrollment_id = e.id
                   AND a.role = 'township-officer' AND a.result = 'accepted') AS answered,
                (SELECT MAX(n.id) FROM notices n WHERE n.enrollment_id = e.id
                   AND n.recipient = 'role:township-officer') AS latest
         FROM enrollments e JOIN org_units u ON u.code = e.unit_code
         WHERE u.path >= $1 AND u.path < $2 AND e.completed_at IS NULL
           AND EXISTS (SELECT 1 FROM notices n WHERE n.enrollment_id = e.id
                         AND n.recipient = 'role:township-officer')",
    )
    .bind(path)
    .bind(format!("{path}~"))
    .fetch_all(db.pool())
    .await?;
    let mut out = Vec::new();
    for r in rows {
        let count = r.try_get::<i64, _>("asked")? - r.try_get::<i64, _>("answered")?;
        if count <= 0 {
            continue;
        }
        let latest: i64 = r.try_get("latest")?;
        let (message, at): (String, i64) =
            sqlx::query_as("SELECT message, created_at FROM notices WHERE id = $1")
                .bind(latest)
                .fetch_one(db.pool())
                .await?;
        out.push(Waiting {
            enrollment_id: r.try_get("id")?,
            village_code: r.try_get("unit_code")?,
            village: r.try_get("name")?,
            module: r.try_get("plugin_id")?,
            version: r.try_get("plugin_version")?,
            count,
            message: serde_json::from_str(&message)?,
            at,
            contact: None,
            mine: false,
        });
    }
    out.sort_by_key(|w| w.at);
    Ok(out)
}
