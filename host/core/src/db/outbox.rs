//! `outbox`, `channel_settings`, `due_stages`, `reminder_pauses` and the
//! fan-out `cursors`: messages to people outside the app, and what decides
//! who gets them when.

use serde::Serialize;
use sqlx::Row;

use super::Db;

/// A channel's setting at the nearest unit up `path` that has one:
/// (that unit's code, the JSON config).
pub async fn setting(
    db: &Db,
    path: &str,
    channel: &str,
) -> anyhow::Result<Option<(String, String)>> {
    let codes: Vec<&str> = path.split('/').filter(|c| !c.is_empty()).collect();
    if codes.is_empty() {
        return Ok(None);
    }
    let placeholders: Vec<String> = (2..codes.len() + 2).map(|i| format!("${i}")).collect();
    let sql = format!(
        "SELECT unit_code, config FROM channel_settings WHERE channel = $1 AND unit_code IN ({})",
        placeholders.join(", ")
    );
    let mut query = sqlx::query(&sql).bind(channel);
    for c in &codes {
        query = query.bind(*c);
    }
    let rows = query.fetch_all(db.pool()).await?;
    // The deepest unit wins: its code comes latest in the path.
    let mut best: Option<(usize, String, String)> = None;
    for r in rows {
        let unit: String = r.try_get("unit_code")?;
        let depth = codes.iter().position(|c| *c == unit).unwrap_or(0);
        if best.as_ref().is_none_or(|b| depth > b.0) {
            best = Some((depth, unit, r.try_get("config")?));
        }
    }
    Ok(best.map(|(_, unit, config)| (unit, config)))
}

/// A channel's setting at exactly `unit`.
pub async fn setting_at(db: &Db, unit: &str, channel: &str) -> anyhow::Result<Option<String>> {
    Ok(sqlx::query_scalar(
        "SELECT config FROM channel_settings WHERE unit_code = $1 AND channel = $2",
    )
    .bind(unit)
    .bind(channel)
    .fetch_optional(db.pool())
    .await?)
}

/// Sets (or, with `None`, removes) a channel's setting at `unit`.
pub async fn set_setting(
    db: &Db,
    unit: &str,
    channel: &str,
    config: Option<&str>,
    by: i64,
    now: i64,
) -> anyhow::Result<()> {
    let mut tx = db.writer().begin().await?;
    sqlx::query("DELETE FROM channel_settings WHERE unit_code = $1 AND channel = $2")
        .bind(unit)
        .bind(channel)
        .execute(&mut *tx)
        .await?;
    if let Some(config) = config {
        sqlx::query(
            "INSERT INTO channel_settings (unit_code, channel, config, updated_by, updated_at)
             VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(unit)
        .bind(channel)
        .bind(config)
        .bind(by)
        .bind(now)
        .execute(&mut *tx)
        .await?;
    }
    tx.commit().await?;
    Ok(())
}

/// A notice the fan-out reads.
#[derive(Debug, Clone)]
pub struct NoticeRow {
    /// Its id.
    pub id: i64,
    /// `person:ID`, `role:ROLE` (over the village), `unit:CODE` or `account:ID`.
    pub recipient: String,
    /// The enrollment's village's path.
    pub path: String,
}

/// Notices not yet fanned out, oldest first.
pub async fn unfanned(db: &Db, limit: i64) -> anyhow::Result<Vec<NoticeRow>> {
    sqlx::query(
        "SELECT n.id, n.recipient, u.path FROM notices n
         JOIN enrollments e ON e.id = n.enrollment_id JOIN org_units u ON u.code = e.unit_code
         WHERE n.fanned_out = 0 ORDER BY n.id LIMIT $1",
    )
    .bind(limit)
    .fetch_all(db.pool())
    .await?
    .iter()
    .map(|r| {
        Ok(NoticeRow {
            id: r.try_get("id")?,
            recipient: r.try_get("recipient")?,
            path: r.try_get("path")?,
        })
    })
    .collect()
}

/// The people a notice's recipient names who have a phone on the roster:
/// (`person:ID`, phone). A role over a village is everyone granted it there.
pub async fn phones(db: &Db, recipient: &str, path: &str) -> anyhow::Result<Vec<(String, String)>> {
    let rows = if let Some(person) = recipient.strip_prefix("person:") {
        let Ok(person) = person.parse::<i64>() else {
            return Ok(Vec::new());
        };
        sqlx::query(
            "SELECT id, phone FROM people WHERE id = $1 AND phone IS NOT NULL AND phone <> ''",
        )
        .bind(person)
        .fetch_all(db.pool())
        .await?
    } else if let Some(account) = recipient.strip_prefix("account:") {
        let Ok(account) = account.parse::<i64>() else {
            return Ok(Vec::new());
        };
        sqlx::query(
            "SELECT p.id, p.phone FROM accounts a JOIN people p ON p.id = a.person_id
             WHERE a.id = $1 AND a.disabled_at IS NULL AND p.phone IS NOT NULL AND p.phone <> ''",
        )
        .bind(account)
        .fetch_all(db.pool())
        .await?
    } else if let Some(role) = recipient.strip_prefix("role:") {
        let village = path.rsplit('/').find(|c| !c.is_empty()).unwrap_or_default();
        sqlx::query(
            "SELECT DISTINCT p.id, p.phone FROM role_grants g JOIN accounts a ON a.id = g.account_id
             JOIN people p ON p.id = a.person_id
             WHERE g.role = $1 AND g.unit_code = $2 AND a.disabled_at IS NULL
               AND p.phone IS NOT NULL AND p.phone <> ''",
        )
        .bind(role)
        .bind(village)
        .fetch_all(db.pool())
        .await?
    } else {
        return Ok(Vec::new());
    };
    rows.iter()
        .map(|r| {
            Ok((
                format!("person:{}", r.try_get::<i64, _>("id")?),
                r.try_get("phone")?,
            ))
        })
        .collect()
}

/// The accounts a notice's recipient names that gave an e-mail address:
/// (`account:ID`, address). A person is their accounts; a role is everyone
/// granted it at a unit on the village's `path` (the township's officers
/// for `role:township-officer`); `unit:CODE` is the officials granted
/// there (an escalation to a township, county or province); `account:ID`
/// is one account (a village's 包村干部).
pub async fn emails(db: &Db, recipient: &str, path: &str) -> anyhow::Result<Vec<(String, String)>> {
    const SELECT: &str = "SELECT DISTINCT a.id, a.email FROM accounts a";
    const HAS_EMAIL: &str = "a.disabled_at IS NULL AND a.email IS NOT NULL AND a.email <> ''";
    let rows = if let Some(person) = recipient.strip_prefix("person:") {
        let Ok(person) = person.parse::<i64>() else {
            return Ok(Vec::new());
        };
        sqlx::query(&format!("{SELECT} WHERE a.person_id = $1 AND {HAS_EMAIL}"))
            .bind(person)
            .fetch_all(db.pool())
            .await?
    } else if let Some(account) = recipient.strip_prefix("account:") {
        let Ok(account) = account.parse::<i64>() else {
            return Ok(Vec::new());
        };
        sqlx::query(&format!("{SELECT} WHERE a.id = $1 AND {HAS_EMAIL}"))
            .bind(account)
            .fetch_all(db.pool())
            .await?
    } else {
        let (roles, units): (Vec<&str>, Vec<&str>) =
            if let Some(role) = recipient.strip_prefix("role:") {
                (
                    vec![role],
                    path.split('/').filter(|c| !c.is_empty()).collect(),
                )
            } else if let Some(unit) = recipient.strip_prefix("unit:") {
                (
                    vec!["township-officer", "county-trainer", "province-admin"],
                    vec![unit],
                )
            } else {
                return Ok(Vec::new());
            };
        let list = |from: usize, n: usize| -> String {
            (from..from + n)
                .map(|i| format!("${i}"))
                .collect::<Vec<_>>()
                .join(", ")
        };
        let sql = format!(
            "{SELECT} JOIN role_grants g ON g.account_id = a.id
             WHERE g.role IN ({}) AND g.unit_code IN ({}) AND {HAS_EMAIL}",
            list(1, roles.len()),
            list(1 + roles.len(), units.len())
        );
        let mut query = sqlx::query(&sql);
        for v in roles.iter().chain(&units) {
            query = query.bind(*v);
        }
        query.fetch_all(db.pool()).await?
    };
    rows.iter()
        .map(|r| {
            Ok((
                format!("account:{}", r.try_get::<i64, _>("id")?),
                r.try_get("email")?,
            ))
        })
        .collect()
}

/// A message to put in the outbox.
#[derive(Debug, Clone)]
pub struct NewMessage {
    /// Makes it one row however many hosts fan out the notice.
    pub dedup_key: String,
    /// The notice it carries.
    pub notice_id: i64,
    /// sms, wecom, dingtalk or email.
    pub channel: &'static str,
    /// `person:ID`, `unit:CODE`…
    pub recipient: String,
    /// Phone, webhook URL or e-mail address.
    pub address: String,
    /// Not before, Unix seconds.
    pub next_at: i64,
}

/// Adds the messages of the notices `fanned` and marks those fanned out,
/// in one transaction; a message already there (same key: another host
/// fanned the same notice out at once) is left as it is.
pub async fn enqueue(
    db: &Db,
    fanned: &[i64],
    messages: &[NewMessage],
    now: i64,
) -> anyhow::Result<u64> {
    let mut added = 0;
    let mut tx = db.writer().begin().await?;
    for id in fanned {
        sqlx::query("UPDATE notices SET fanned_out = 1 WHERE id = $1")
            .bind(id)
            .execute(&mut *tx)
            .await?;
    }
    for m in messages {
        added += sqlx::query(
            "INSERT INTO outbox (dedup_key, notice_id, channel, recipient, address, next_at, created_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (dedup_key) DO NOTHING",
        )
        .bind(&m.dedup_key)
        .bind(m.notice_id)
        .bind(m.channel)
        .bind(&m.recipient)
        .bind(&m.address)
        .bind(m.next_at)
        .bind(now)
        .execute(&mut *tx)
        .await?
        .rows_affected();
    }
    tx.commit().await?;
    Ok(added)
}

/// A message due to be sent.
#[derive(Debug, Clone)]
pub struct Message {
    /// Its id.
    pub id: i64,
    /// The notice's text, `{"zh", "en"}`.
    pub message: String,
    /// The village's path, for the channel's setting.
    pub path: String,
    /// Tries so far.
    pub attempts: i64,
    /// The notice's kind: notice, reminder, due or escalation.
    pub kind: String,
    /// The village's name.
    pub village: String,
    /// The enrollment's module and version.
    pub module: (String, String),
    /// Its assignment's due date, Unix seconds.
    pub due_at: i64,
}

/// The addresses with messages due at `now` (queued, failed and waiting
/// to retry, or claimed by a host whose lease ran out), oldest first:
/// (channel, address).
pub async fn due(db: &Db, now: i64, limit: i64) -> anyhow::Result<Vec<(String, String)>> {
    sqlx::query(
        "SELECT channel, address, MIN(id) AS first FROM outbox
         WHERE (status IN ('queued', 'failed') AND next_at <= $1)
            OR (status = 'sending' AND lease_until < $1)
         GROUP BY channel, address ORDER BY first LIMIT $2",
    )
    .bind(now)
    .bind(limit)
    .fetch_all(db.pool())
    .await?
    .iter()
    .map(|r| Ok((r.try_get("channel")?, r.try_get("address")?)))
    .collect()
}

fn message(r: &sqlx::any::AnyRow) -> anyhow::Result<Message> {
    Ok(Message {
        id: r.try_get("id")?,
        message: r.try_get("message")?,
        path: r.try_get("path")?,
        attempts: r.try_get("attempts")?,
        kind: r.try_get("kind")?,
        village: r.try_get("name")?,
        module: (r.try_get("plugin_id")?, r.try_get("plugin_version")?),
        due_at: r.try_get("due_at")?,
    })
}

/// Claims for host `token`, until `lease_until`, every message to
/// `address` on `channel` that is due at `now`, in one statement (a second
/// host's claim waits for it and then finds them taken); returns them.
pub async fn claim(
    db: &Db,
    channel: &str,
    address: &str,
    now: i64,
    lease_until: i64,
    token: &str,
) -> anyhow::Result<Vec<Message>> {
    sqlx::query(
        "UPDATE outbox SET status = 'sending', lease_until = $1, claimed_by = $2
         WHERE channel = $3 AND address = $4
           AND ((status IN ('queued', 'failed') AND next_at <= $5)
                OR (status = 'sending' AND lease_until < $5))",
    )
    .bind(lease_until)
    .bind(token)
    .bind(channel)
    .bind(address)
    .bind(now)
    .execute(db.writer())
    .await?;
    sqlx::query(
        "SELECT o.id, o.channel, o.address, o.attempts, n.message, n.kind, u.path, u.name,
                e.plugin_id, e.plugin_version, a.due_at
         FROM outbox o JOIN notices n ON n.id = o.notice_id
         JOIN enrollments e ON e.id = n.enrollment_id JOIN org_units u ON u.code = e.unit_code
         JOIN assignments a ON a.id = e.assignment_id
         WHERE o.claimed_by = $1 AND o.status = 'sending' AND o.channel = $2 AND o.address = $3
         ORDER BY o.id",
    )
    .bind(token)
    .bind(channel)
    .bind(address)
    .fetch_all(db.writer())
    .await?
    .iter()
    .map(message)
    .collect()
}

/// Takes `address`'s one delivery on `channel` for `day`: false if it was
/// taken (by this host or another) already.
pub async fn take_slot(db: &Db, channel: &str, address: &str, day: &str) -> anyhow::Result<bool> {
    Ok(sqlx::query(
        "INSERT INTO daily_slots (channel, address, day) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING",
    )
    .bind(channel)
    .bind(address)
    .bind(day)
    .execute(db.writer())
    .await?
    .rows_affected()
        == 1)
}

/// Gives the day's slot back after a delivery failed, so a retry today may go.
pub async fn free_slot(db: &Db, channel: &str, address: &str, day: &str) -> anyhow::Result<()> {
    sqlx::query("DELETE FROM daily_slots WHERE channel = $1 AND address = $2 AND day = $3")
        .bind(channel)
        .bind(address)
        .bind(day)
        .execute(db.writer())
        .await?;
    Ok(())
}

/// `id` was delivered at `now`, carrying `folded` with it (a digest).
pub async fn mark_sent(
    db: &Db,
    id: i64,
    folded: &[i64],
    now: i64,
    vendor_id: Option<&str>,
) -> anyhow::Result<()> {
    let mut tx = db.writer().begin().await?;
    sqlx::query(
        "UPDATE outbox SET status = 'sent', sent_at = $1, attempts = attempts + 1, last_error = NULL,
                           vendor_id = $3 WHERE id = $2",
    )
    .bind(now)
    .bind(id)
    .bind(vendor_id)
    .execute(&mut *tx)
    .await?;
    for f in folded {
        sqlx::query(
            "UPDATE outbox SET status = 'folded', sent_at = $1, folded_into = $2 WHERE id = $3",
        )
        .bind(now)
        .bind(id)
        .bind(f)
        .execute(&mut *tx)
        .await?;
    }
    tx.commit().await?;
    Ok(())
}

/// Records a vendor's delivery report on the SMS it took as `vendor_id` to
/// `phone`, sent for a village under `path` (the province the report's URL
/// named): how many messages it matched.
pub async fn receipt(
    db: &Db,
    path: &str,
    vendor_id: &str,
    phone: &str,
    receipt: &str,
    now: i64,
) -> anyhow::Result<u64> {
    let ids: Vec<i64> = sqlx::query_scalar(
        "SELECT o.id FROM outbox o JOIN notices n ON n.id = o.notice_id
         JOIN enrollments e ON e.id = n.enrollment_id JOIN org_units u ON u.code = e.unit_code
         WHERE o.vendor_id = $1 AND o.channel = 'sms' AND o.address = $2
           AND u.path >= $3 AND u.path < $4",
    )
    .bind(vendor_id)
    .bind(phone)
    .bind(path)
    .bind(format!("{path}~"))
    .fetch_all(db.pool())
    .await?;
    let mut matched = 0;
    for id in ids {
        matched += sqlx::query("UPDATE outbox SET receipt = $1, receipt_at = $2 WHERE id = $3")
            .bind(receipt)
            .bind(now)
            .bind(id)
            .execute(db.writer())
            .await?
            .rows_affected();
    }
    Ok(matched)
}

/// `ids` failed: retried at `next_at`, or dead-lettered (`dead`).
pub async fn mark_failed(
    db: &Db,
    ids: &[i64],
    error: &str,
    next_at: i64,
    dead: bool,
) -> anyhow::Result<()> {
    let mut tx = db.writer().begin().await?;
    for id in ids {
        sqlx::query(
            "UPDATE outbox SET status = $1, attempts = attempts + 1, next_at = $2, last_error = $3,
                lease_until = NULL WHERE id = $4",
        )
        .bind(if dead { "dead" } else { "failed" })
        .bind(next_at)
        .bind(error)
        .bind(id)
        .execute(&mut *tx)
        .await?;
    }
    tx.commit().await?;
    Ok(())
}

/// `ids` wait until `next_at` (quiet hours, or one a day already sent).
pub async fn postpone(db: &Db, ids: &[i64], next_at: i64) -> anyhow::Result<()> {
    let mut tx = db.writer().begin().await?;
    for id in ids {
        sqlx::query(
            "UPDATE outbox SET status = 'queued', next_at = $1, lease_until = NULL WHERE id = $2",
        )
        .bind(next_at)
        .bind(id)
        .execute(&mut *tx)
        .await?;
    }
    tx.commit().await?;
    Ok(())
}

/// One channel's delivery of a notice, as its sender sees it.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Serialize)]
pub struct Delivery {
    /// sms, wecom, dingtalk or email.
    pub channel: String,
    /// Whom (`person:ID`, `unit:CODE`).
    pub recipient: String,
    /// The address as stored (pages mask phones).
    pub address: String,
    /// queued, sending, sent, failed (to be retried), dead or folded (sent in a digest).
    pub status: String,
    /// Tries so far.
    pub attempts: i64,
    /// The last failure.
    pub error: Option<String>,
    /// When it went, Unix seconds.
    pub sent_at: Option<i64>,
    /// The vendor's delivery report (回执): `delivered`, or `failed: <code>`.
    pub receipt: Option<String>,
}

/// The deliveries of each of `notices`.
pub async fn deliveries(
    db: &Db,
    notices: &[i64],
) -> anyhow::Result<std::collections::HashMap<i64, Vec<Delivery>>> {
    let mut out: std::collections::HashMap<i64, Vec<Delivery>> = Default::default();
    for chunk in notices.chunks(200) {
        let placeholders: Vec<String> = (1..=chunk.len()).map(|i| format!("${i}")).collect();
        let sql = format!(
            "SELECT notice_id, channel, recipient, address, status, attempts, last_error, sent_at,
                    receipt
             FROM outbox WHERE notice_id IN ({}) ORDER BY id",
            placeholders.join(", ")
        );
        let mut query = sqlx::query(&sql);
        for id in chunk {
            query = query.bind(id);
        }
        for r in query.fetch_all(db.pool()).await? {
            out.entry(r.try_get("notice_id")?)
                .or_default()
                .push(Delivery {
                    channel: r.try_get("channel")?,
                    recipient: r.try_get("recipient")?,
                    address: r.try_get("address")?,
                    status: r.try_get("status")?,
                    attempts: r.try_get("attempts")?,
                    error: r.try_get("last_error")?,
                    sent_at: r.try_get("sent_at")?,
                    receipt: r.try_get("receipt")?,
                });
        }
    }
    Ok(out)
}

/// An assignment's enrollments after id `after`, not complete, not paused,
/// that have not had `stage` yet (at most `limit`, by id: a pass walks the
/// assignment once instead of rescanning what it already fired).
pub async fn stage_pending(
    db: &Db,
    assignment: i64,
    stage: &str,
    after: i64,
    limit: i64,
) -> anyhow::Result<Vec<super::enrollments::Enrollment>> {
    Ok(sqlx::query_as(&format!(
        "{} WHERE e.assignment_id = $1 AND e.id > $4 AND e.completed_at IS NULL
           AND NOT EXISTS (SELECT 1 FROM due_stages d WHERE d.enrollment_id = e.id AND d.stage = $2)
           AND NOT EXISTS (SELECT 1 FROM reminder_pauses p WHERE p.enrollment_id = e.id)
         ORDER BY e.id LIMIT $3",
        super::enrollments::ENROLLMENT
    ))
    .bind(assignment)
    .bind(stage)
    .bind(limit)
    .bind(after)
    .fetch_all(db.pool())
    .await?)
}

/// Where the worker is in `assignment`'s enrollments for `stage`: every one
/// up to this id has been looked at.
pub async fn stage_cursor(db: &Db, assignment: i64, stage: &str) -> anyhow::Result<i64> {
    Ok(sqlx::query_scalar(
        "SELECT after_id FROM stage_cursors WHERE assignment_id = $1 AND stage = $2",
    )
    .bind(assignment)
    .bind(stage)
    .fetch_optional(db.pool())
    .await?
    .unwrap_or(0))
}

/// The highest enrollment id of `assignment` (0 for none).
pub async fn last_enrollment(db: &Db, assignment: i64) -> anyhow::Result<i64> {
    Ok(sqlx::query_scalar::<_, Option<i64>>(
        "SELECT MAX(id) FROM enrollments WHERE assignment_id = $1",
    )
    .bind(assignment)
    .fetch_one(db.pool())
    .await?
    .unwrap_or(0))
}

/// Moves the cursor of `assignment` and `stage` to `to`, never back (two
/// hosts may pass at once).
pub async fn advance_cursor(db: &Db, assignment: i64, stage: &str, to: i64) -> anyhow::Result<()> {
    sqlx::query(
        "INSERT INTO stage_cursors (assignment_id, stage, after_id) VALUES ($1, $2, $3)
         ON CONFLICT (assignment_id, stage) DO UPDATE SET after_id =
           CASE WHEN excluded.after_id > stage_cursors.after_id THEN excluded.after_id
                ELSE stage_cursors.after_id END",
    )
    .bind(assignment)
    .bind(stage)
    .bind(to)
    .execute(db.writer())
    .await?;
    Ok(())
}

/// Records that each enrollment of `fires` had `stage` and writes its
/// notices (`kind`), in one transaction; an enrollment another host recorded
/// the stage for first gets nothing. Returns how many fired here.
pub async fn fire_stage(
    db: &Db,
    stage: &str,
    kind: &str,
    fires: &[(i64, Vec<(String, baton_sdk::Text)>)],
    now: i64,
) -> anyhow::Result<usize> {
    let mut fired = 0;
    let mut tx = db.writer().begin().await?;
    for (id, notices) in fires {
        let first = sqlx::query(
            "INSERT INTO due_stages (enrollment_id, stage, at) VALUES ($1, $2, $3)
             ON CONFLICT (enrollment_id, stage) DO NOTHING",
        )
        .bind(id)
        .bind(stage)
        .bind(now)
        .execute(&mut *tx)
        .await?
        .rows_affected()
            == 1;
        if first {
            fired += 1;
            for (recipient, message) in notices {
                super::notices::insert(&mut *tx, *id, recipient, message, kind, None, now).await?;
            }
        }
    }
    tx.commit().await?;
    Ok(fired)
}

/// Assignments with a due date in `[from, to)`: (id, due_at).
pub async fn assignments_due_between(
    db: &Db,
    from: i64,
    to: i64,
) -> anyhow::Result<Vec<(i64, i64)>> {
    sqlx::query("SELECT id, due_at FROM assignments WHERE due_at >= $1 AND due_at < $2 ORDER BY id")
        .bind(from)
        .bind(to)
        .fetch_all(db.pool())
        .await?
        .iter()
        .map(|r| Ok((r.try_get("id")?, r.try_get("due_at")?)))
        .collect()
}

/// Pauses (with a reason) or resumes an enrollment's reminders.
pub async fn pause(db: &Db, id: i64, pause: Option<(&str, i64)>, now: i64) -> anyhow::Result<()> {
    let mut tx = db.writer().begin().await?;
    sqlx::query("DELETE FROM reminder_pauses WHERE enrollment_id = $1")
        .bind(id)
        .execute(&mut *tx)
        .await?;
    if let Some((reason, by)) = pause {
        sqlx::query(
            "INSERT INTO reminder_pauses (enrollment_id, reason, paused_by, paused_at) VALUES ($1, $2, $3, $4)",
        )
        .bind(id)
        .bind(reason)
        .bind(by)
        .bind(now)
        .execute(&mut *tx)
        .await?;
    }
    tx.commit().await?;
    Ok(())
}

/// Why an enrollment's reminders are paused, if they are.
pub async fn paused(db: &Db, id: i64) -> anyhow::Result<Option<String>> {
    Ok(
        sqlx::query_scalar("SELECT reason FROM reminder_pauses WHERE enrollment_id = $1")
            .bind(id)
            .fetch_optional(db.pool())
            .await?,
    )
}
