//! `assignments`, `enrollments`, `actions`, `signoffs`, `notices` and the
//! `completion` roll-ups, which every write here keeps in step.

use baton_sdk::{Notice, Outcome, Recipient};
use sqlx::Row;

use super::Db;
use super::audit::Link;
use super::statements::{Arg, Cell, Failure, Kind, Lite, Tx, now_or_never};

/// An enrollment with what acting on it needs.
#[derive(Debug, Clone)]
pub struct Enrollment {
    /// Its id.
    pub id: i64,
    /// The assignment that created it.
    pub assignment_id: i64,
    /// The village.
    pub unit_code: String,
    /// The village's path.
    pub path: String,
    /// Whose it is; `None` for a whole committee's.
    pub person_id: Option<i64>,
    /// Module id.
    pub plugin_id: String,
    /// Module version it is pinned to.
    pub plugin_version: String,
    /// The module's state; `None` until first opened.
    pub state: Option<String>,
    /// Progress: steps done.
    pub done: i64,
    /// Progress: steps in all.
    pub total: i64,
    /// Bumped by every accepted action: the optimistic lock.
    pub revision: i64,
    /// When the first action was accepted.
    pub started_at: Option<i64>,
    /// When progress reached the total.
    pub completed_at: Option<i64>,
    /// Hash of the last sign-off.
    pub signoff_head: Option<String>,
    /// Due date, Unix seconds.
    pub due_at: i64,
    /// The province's config, JSON.
    pub config: String,
    /// The edition (期次), from 1.
    pub edition: i64,
}

impl sqlx::FromRow<'_, sqlx::any::AnyRow> for Enrollment {
    fn from_row(row: &sqlx::any::AnyRow) -> sqlx::Result<Self> {
        Ok(Self {
            id: row.try_get("id")?,
            assignment_id: row.try_get("assignment_id")?,
            unit_code: row.try_get("unit_code")?,
            path: row.try_get("path")?,
            person_id: row.try_get("person_id")?,
            plugin_id: row.try_get("plugin_id")?,
            plugin_version: row.try_get("plugin_version")?,
            state: row.try_get("state")?,
            done: row.try_get("done")?,
            total: row.try_get("total")?,
            revision: row.try_get("revision")?,
            started_at: row.try_get("started_at")?,
            completed_at: row.try_get("completed_at")?,
            signoff_head: row.try_get("signoff_head")?,
            due_at: row.try_get("due_at")?,
            config: row.try_get("config")?,
            edition: row.try_get("edition")?,
        })
    }
}

pub(super) const ENROLLMENT: &str =
    "SELECT e.id, e.assignment_id, e.unit_code, u.path, e.person_id, e.plugin_id,
    e.plugin_version, e.state, e.done, e.total, e.revision, e.started_at, e.completed_at,
    e.signoff_head, a.due_at, a.config, e.edition
    FROM enrollments e JOIN org_units u ON u.code = e.unit_code
    JOIN assignments a ON a.id = e.assignment_id";

/// One enrollment.
pub async fn get(db: &Db, id: i64) -> anyhow::Result<Option<Enrollment>> {
    Ok(sqlx::query_as(&format!("{ENROLLMENT} WHERE e.id = $1"))
        .bind(id)
        .fetch_optional(db.pool())
        .await?)
}

/// A village's committee-wide enrollment in `module`, the latest assigned.
pub async fn of_village(
    db: &Db,
    village: &str,
    module: &str,
) -> anyhow::Result<Option<Enrollment>> {
    Ok(sqlx::query_as(&format!(
        "{ENROLLMENT} WHERE e.unit_code = $1 AND e.plugin_id = $2 AND e.person_id IS NULL
         ORDER BY e.assignment_id DESC LIMIT 1"
    ))
    .bind(village)
    .bind(module)
    .fetch_optional(db.pool())
    .await?)
}

/// The committee-wide enrollments in `module` of the villages under `path`
/// (a township's: tens), by village.
pub async fn committee_under(db: &Db, path: &str, module: &str) -> anyhow::Result<Vec<Enrollment>> {
    Ok(sqlx::query_as(&format!(
        "{ENROLLMENT} WHERE e.plugin_id = $1 AND e.person_id IS NULL AND u.path >= $2 AND u.path < $3
         ORDER BY u.path, e.id"
    ))
    .bind(module)
    .bind(path)
    .bind(format!("{path}~"))
    .fetch_all(db.pool())
    .await?)
}

/// The enrollments of one assignment in the villages under `path`, in path
/// order, at most `limit` (a class's roster for its trainer).
pub async fn of_assignment_under(
    db: &Db,
    assignment: i64,
    path: &str,
    limit: i64,
) -> anyhow::Result<Vec<Enrollment>> {
    Ok(sqlx::query_as(&format!(
        "{ENROLLMENT} WHERE e.assignment_id = $1 AND u.path >= $2 AND u.path < $3
         ORDER BY u.path, e.id LIMIT $4"
    ))
    .bind(assignment)
    .bind(path)
    .bind(format!("{path}~"))
    .bind(limit)
    .fetch_all(db.pool())
    .await?)
}

/// The enrollments of a person (theirs, and their villages' committee ones).
pub async fn of_person(
    db: &Db,
    person_id: Option<i64>,
    villages: &[String],
) -> anyhow::Result<Vec<Enrollment>> {
    let mut found = Vec::new();
    if let Some(person) = person_id {
        found = sqlx::query_as(&format!(
            "{ENROLLMENT} WHERE e.person_id = $1 ORDER BY a.due_at, e.id"
        ))
        .bind(person)
        .fetch_all(db.pool())
        .await?;
    }
    for village in villages {
        let rows: Vec<Enrollment> = sqlx::query_as(&format!(
            "{ENROLLMENT} WHERE e.unit_code = $1 AND e.person_id IS NULL ORDER BY a.due_at, e.id"
        ))
        .bind(village)
        .fetch_all(db.pool())
        .await?;
        found.extend(rows);
    }
    Ok(found)
}

/// The never-opened enrollments of the villages under `path` (a township's:
/// tens of villages), at most [`UNOPENED_LIMIT`].
pub async fn unopened_under(db: &Db, path: &str) -> anyhow::Result<Vec<Enrollment>> {
    Ok(sqlx::query_as(&format!(
        "{ENROLLMENT} WHERE e.state IS NULL AND u.path >= $1 AND u.path < $2 ORDER BY e.id LIMIT $3"
    ))
    .bind(path)
    // Paths are digits and slashes: everything under `path` sorts below `path~`.
    .bind(format!("{path}~"))
    .bind(UNOPENED_LIMIT)
    .fetch_all(db.pool())
    .await?)
}

/// The never-opened ones among `ids`.
pub async fn unopened_of(db: &Db, ids: &[i64]) -> anyhow::Result<Vec<Enrollment>> {
    let mut found = Vec::new();
    for chunk in ids.chunks(200) {
        let placeholders: Vec<String> = (1..=chunk.len()).map(|i| format!("${i}")).collect();
        let sql = format!(
            "{ENROLLMENT} WHERE e.state IS NULL AND e.id IN ({})",
            placeholders.join(", ")
        );
        let mut query = sqlx::query_as(&sql);
        for id in chunk {
            query = query.bind(id);
        }
        found.extend(query.fetch_all(db.pool()).await?);
    }
    Ok(found)
}

/// How many never-opened enrollments one listing opens.
pub const UNOPENED_LIMIT: i64 = 2_000;

/// Stores the state `start` produced for an enrollment never opened; a
/// concurrent first open wins and this one is a no-op.
pub async fn store_initial(
    db: &Db,
    e: &Enrollment,
    outcome: &Outcome,
    now: i64,
) -> anyhow::Result<()> {
    let mut tx = db.writer().begin().await?;
    let stored = sqlx::query(
        "UPDATE enrollments SET state = $1, done = $2, total = $3
         WHERE id = $4 AND state IS NULL AND revision = $5",
    )
    .bind(&outcome.state)
    .bind(i64::from(outcome.progress.done))
    .bind(i64::from(outcome.progress.total))
    .bind(e.id)
    .bind(e.revision)
    .execute(&mut *tx)
    .await?;
    if stored.rows_affected() == 1 {
        super::turns::replace(&mut *tx, e.id, &e.path, &outcome.awaiting, now).await?;
    }
    tx.commit().await?;
    Ok(())
}

/// An attempt to act, as the log keeps it.
#[derive(Debug, Clone)]
pub struct Attempt<'a> {
    /// The enrollment.
    pub enrollment_id: i64,
    /// Who.
    pub account_id: i64,
    /// The client's key: a retry with it returns the first answer.
    pub idempotency_key: &'a str,
    /// sha256 of the action and payload, to catch a key reused for another request.
    pub request_hash: &'a str,
    /// The role the actor acted in.
    pub role: &'a str,
    /// The action's name.
    pub action: &'a str,
    /// Its payload, JSON.
    pub payload: &'a str,
    /// When, Unix seconds (what the module saw as `now`).
    pub at: i64,
    /// accepted, rejected or fault.
    pub result: &'a str,
    /// The HTTP status answered.
    pub status: u16,
    /// The body answered, JSON.
    pub response: &'a str,
}

/// The first answer given for an idempotency key.
#[derive(Debug, Clone)]
pub struct Answered {
    /// Of which request.
    pub request_hash: String,
    /// HTTP status.
    pub status: u16,
    /// Body, JSON.
    pub response: String,
}

/// What was answered for `key` by this account, if anything.
pub async fn answered(db: &Db, account_id: i64, key: &str) -> anyhow::Result<Option<Answered>> {
    let row = sqlx::query(
        "SELECT request_hash, status, response FROM actions WHERE account_id = $1 AND idempotency_key = $2",
    )
    .bind(account_id)
    .bind(key)
    .fetch_optional(db.pool())
    .await?;
    row.map(|r| {
        Ok(Answered {
            request_hash: r.try_get("request_hash")?,
            status: u16::try_from(r.try_get::<i64, _>("status")?)?,
            response: r.try_get("response")?,
        })
    })
    .transpose()
}

/// Why a write did not happen.
#[derive(Debug, thiserror::Error)]
pub enum WriteError {
    /// The idempotency key was used by a concurrent request, which won.
    #[error("the idempotency key is already used")]
    KeyTaken,
    /// The enrollment changed since it was read; run the action again.
    #[error("the enrollment changed meanwhile")]
    Stale,
    /// The database failed.
    #[error(transparent)]
    Database(#[from] anyhow::Error),
}

/// Sorts a failed statement: a duplicate idempotency key lost a race; a
/// PostgreSQL deadlock (40P01) on the roll-up rows is retried like a stale read.
fn write_error(e: impl Into<Failure>) -> WriteError {
    let e = e.into();
    if e.is_unique_violation() {
        WriteError::KeyTaken
    } else if e.is_deadlock() {
        WriteError::Stale
    } else {
        WriteError::Database(e.into())
    }
}

/// What the log keeps of a refused attempt's payload, bytes: enough to see
/// what was tried, never a megabyte per refusal.
pub const REFUSED_PAYLOAD_BYTES: usize = 4 << 10;

/// Refused attempts at `action` since `since`: by `account`, and in all of
/// `assignment`'s enrollments.
pub async fn refused_lately(
    db: &Db,
    account: i64,
    assignment: i64,
    action: &str,
    since: i64,
) -> anyhow::Result<(i64, i64)> {
    // One round trip before every action: both counts read only the
    // partial indexes of refused attempts, which are few.
    let row = sqlx::query(
        "SELECT
           (SELECT COUNT(*) FROM actions
             WHERE account_id = $1 AND action = $2 AND at > $3 AND result = 'rejected') AS mine,
           (SELECT COUNT(*) FROM actions a JOIN enrollments e ON e.id = a.enrollment_id
             WHERE a.action = $2 AND a.at > $3 AND a.result = 'rejected' AND e.assignment_id = $4) AS class",
    )
    .bind(account)
    .bind(action)
    .bind(since)
    .bind(assignment)
    .fetch_one(db.pool())
    .await?;
    let (mine, class): (i64, i64) = (row.try_get("mine")?, row.try_get("class")?);
    Ok((mine, class))
}

/// Logs an attempt that changed nothing (rejected, or a plugin fault), its
/// payload cut to [`REFUSED_PAYLOAD_BYTES`].
pub async fn log_refused(db: &Db, attempt: &Attempt<'_>) -> Result<(), WriteError> {
    let mut cut = REFUSED_PAYLOAD_BYTES.min(attempt.payload.len());
    while !attempt.payload.is_char_boundary(cut) {
        cut -= 1;
    }
    let attempt = Attempt {
        payload: &attempt.payload[..cut],
        ..attempt.clone()
    };
    if let Some(writer) = db.sqlite_writer() {
        let attempt = Logged::from(&attempt);
        return writer
            .run(move |conn| {
                let tx = conn
                    .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)
                    .map_err(write_error)?;
                now_or_never(insert_attempt(&mut Lite(&tx), &attempt.as_attempt()))
                    .ok_or_else(never_waits)??;
                tx.commit().map_err(write_error)
            })
            .await?;
    }
    let mut conn = db.writer().acquire().await.map_err(anyhow::Error::from)?;
    insert_attempt(&mut *conn, &attempt).await?;
    Ok(())
}

/// An [`Attempt`] that owns its text, to hand to SQLite's writer thread.
struct Logged {
    enrollment_id: i64,
    account_id: i64,
    at: i64,
    status: u16,
    text: [String; 7],
}

impl From<&Attempt<'_>> for Logged {
    fn from(a: &Attempt<'_>) -> Self {
        Self {
            enrollment_id: a.enrollment_id,
            account_id: a.account_id,
            at: a.at,
            status: a.status,
            text: [
                a.idempotency_key,
                a.request_hash,
                a.role,
                a.action,
                a.payload,
                a.result,
                a.response,
            ]
            .map(str::to_owned),
        }
    }
}

impl Logged {
    fn as_attempt(&self) -> Attempt<'_> {
        let [key, hash, role, action, payload, result, response] = &self.text;
        Attempt {
            enrollment_id: self.enrollment_id,
            account_id: self.account_id,
            idempotency_key: key,
            request_hash: hash,
            role,
            action,
            payload,
            at: self.at,
            result,
            status: self.status,
            response,
        }
    }
}

fn never_waits() -> WriteError {
    WriteError::Database(anyhow::anyhow!(
        "a statement on SQLite's writer thread waited"
    ))
}

async fn insert_attempt<T: Tx>(conn: &mut T, a: &Attempt<'_>) -> Result<i64, WriteError> {
    let rows = conn
        .fetch(
            "INSERT INTO actions (enrollment_id, account_id, idempotency_key, request_hash, role, action,
                                  payload, at, result, status, response)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) RETURNING id",
            &[
                a.enrollment_id.into(),
                a.account_id.into(),
                a.idempotency_key.into(),
                a.request_hash.into(),
                a.role.into(),
                a.action.into(),
                a.payload.into(),
                a.at.into(),
                a.result.into(),
                i64::from(a.status).into(),
                a.response.into(),
            ],
            &[Kind::Int],
        )
        .await
        .map_err(write_error)?;
    rows.first()
        .and_then(|row| row.first())
        .and_then(Cell::int)
        .ok_or_else(|| WriteError::Database(anyhow::anyhow!("INSERT … RETURNING id gave no id")))
}

/// Applies an accepted action in one transaction: the log entry, the new
/// state and progress (only if `e` is still current), the sign-offs chained
/// onto the enrollment's last one, the notices, and the roll-ups of every unit
/// above the village when the enrollment starts, completes or reopens. On
/// SQLite, one job on the writer thread.
pub async fn apply(
    db: &Db,
    e: &Enrollment,
    attempt: &Attempt<'_>,
    outcome: &Outcome,
) -> Result<(), WriteError> {
    if let Some(writer) = db.sqlite_writer() {
        let (e, attempt, outcome) = (e.clone(), Logged::from(attempt), outcome.clone());
        return writer
            .run(move |conn| {
                let tx = conn
                    .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)
                    .map_err(write_error)?;
                now_or_never(apply_in(
                    &mut Lite(&tx),
                    &e,
                    &attempt.as_attempt(),
                    &outcome,
                ))
                .ok_or_else(never_waits)??;
                tx.commit().map_err(write_error)
            })
            .await?;
    }
    let mut tx = db.writer().begin().await.map_err(write_error)?;
    apply_in(&mut *tx, e, attempt, outcome).await?;
    tx.commit().await.map_err(write_error)?;
    Ok(())
}

async fn apply_in<T: Tx>(
    tx: &mut T,
    e: &Enrollment,
    attempt: &Attempt<'_>,
    outcome: &Outcome,
) -> Result<(), WriteError> {
    // The log entry goes first: on SQLite a write as the first statement takes
    // the write lock at once, so two writers queue instead of deadlocking.
    let action_id = insert_attempt(tx, attempt).await?;
    let complete = outcome.progress.is_complete();
    // The chain is computed first so the enrollment row takes its new head in
    // the same UPDATE that checks the revision.
    let mut head = e.signoff_head.clone().unwrap_or_default();
    let mut links = Vec::new();
    for s in &outcome.signoffs {
        let link = Link::new(e.id, s, attempt.at);
        let hash = link.hash(&head);
        links.push((link, std::mem::replace(&mut head, hash.clone()), hash));
    }
    let updated = tx
        .execute(
            "UPDATE enrollments SET state = $1, done = $2, total = $3, revision = revision + 1,
                started_at = COALESCE(started_at, $4),
                completed_at = CASE WHEN $5 = 1 THEN COALESCE(completed_at, $4) ELSE NULL END,
                signoff_head = $8
             WHERE id = $6 AND revision = $7",
            &[
                outcome.state.as_str().into(),
                i64::from(outcome.progress.done).into(),
                i64::from(outcome.progress.total).into(),
                attempt.at.into(),
                i64::from(complete).into(),
                e.id.into(),
                e.revision.into(),
                (!head.is_empty()).then_some(head.as_str()).into(),
            ],
        )
        .await
        .map_err(write_error)?;
    if updated == 0 {
        return Err(WriteError::Stale);
    }
    for (link, prev, hash) in &links {
        tx.execute(
            "INSERT INTO signoffs (enrollment_id, action_id, signer, role, subject, statement, at, prev_hash, hash)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
            &[
                e.id.into(),
                action_id.into(),
                link.signer.as_str().into(),
                link.role.as_str().into(),
                link.subject.as_str().into(),
                link.statement.as_str().into(),
                link.at.into(),
                prev.as_str().into(),
                hash.as_str().into(),
            ],
        )
        .await
        .map_err(write_error)?;
    }
    for notice in &outcome.notices {
        insert_notice(tx, e.id, notice, attempt.at).await?;
    }
    super::turns::replace(tx, e.id, &e.path, &outcome.awaiting, attempt.at)
        .await
        .map_err(write_error)?;
    let started = i64::from(e.started_at.is_none());
    let completed = i64::from(complete) - i64::from(e.completed_at.is_some());
    if started != 0 || completed != 0 {
        roll_up(tx, e, started, completed, attempt.at)
            .await
            .map_err(write_error)?;
    }
    Ok(())
}

/// Moves the started and completed counters of the enrollment's assignment at
/// its village and every unit above it; a completion (`completed` 1, at
/// `at`) or a reopening (-1, from the day it had completed) also moves each
/// unit's count of completions that day.
pub(super) async fn roll_up<T: Tx>(
    tx: &mut T,
    e: &Enrollment,
    started: i64,
    completed: i64,
    at: i64,
) -> Result<(), Failure> {
    let codes: Vec<&str> = e.path.split('/').filter(|c| !c.is_empty()).collect();
    let placeholders: Vec<String> = (4..codes.len() + 4).map(|i| format!("${i}")).collect();
    let sql = format!(
        "UPDATE completion SET started = started + $1, completed = completed + $2
         WHERE assignment_id = $3 AND unit_code IN ({})",
        placeholders.join(", ")
    );
    let mut args: Vec<Arg<'_>> = vec![started.into(), completed.into(), e.assignment_id.into()];
    args.extend(codes.iter().map(|c| Arg::from(*c)));
    tx.execute(&sql, &args).await?;
    if completed != 0 {
        let day = baton_sdk::beijing_date(if completed > 0 {
            at
        } else {
            e.completed_at.unwrap_or(at)
        });
        let values: Vec<String> = (0..codes.len())
            .map(|i| format!("(${}, $1, $2)", i + 3))
            .collect();
        let sql = format!(
            "INSERT INTO completion_days (unit_code, day, completed) VALUES {}
             ON CONFLICT (unit_code, day) DO UPDATE
             SET completed = completion_days.completed + excluded.completed",
            values.join(", ")
        );
        let mut args: Vec<Arg<'_>> = vec![day.as_str().into(), completed.into()];
        args.extend(codes.iter().map(|c| Arg::from(*c)));
        tx.execute(&sql, &args).await?;
    }
    Ok(())
}

async fn insert_notice<T: Tx>(
    tx: &mut T,
    enrollment_id: i64,
    notice: &Notice,
    at: i64,
) -> Result<(), WriteError> {
    let recipient = match &notice.to {
        Recipient::Person(id) => format!("person:{id}"),
        Recipient::Role(role) => format!("role:{}", (*role).as_str()),
    };
    super::notices::insert(
        tx,
        enrollment_id,
        &recipient,
        &notice.message,
        "notice",
        None,
        at,
    )
    .await?;
    Ok(())
}

/// The other enrollments of `e`'s village that its module may see: the
/// committee-wide ones and those of `e`'s person.
pub async fn siblings(db: &Db, e: &Enrollment) -> anyhow::Result<Vec<baton_sdk::Sibling>> {
    sqlx::query(
        "SELECT plugin_id, done, total, completed_at FROM enrollments
         WHERE unit_code = $1 AND id <> $2 AND (person_id IS NULL OR person_id = $3)
         ORDER BY id",
    )
    .bind(&e.unit_code)
    .bind(e.id)
    .bind(e.person_id.unwrap_or(-1))
    .fetch_all(db.pool())
    .await?
    .iter()
    .map(|r| {
        let count = |c: &str| -> anyhow::Result<u32> {
            Ok(u32::try_from(r.try_get::<i64, _>(c)?).unwrap_or(u32::MAX))
        };
        Ok(baton_sdk::Sibling {
            module: r.try_get("plugin_id")?,
            done: count("done")?,
            total: count("total")?,
            completed: r.try_get::<Option<i64>, _>("completed_at")?.is_some(),
        })
    })
    .collect()
}

/// The enrollments in which `account` had an action accepted.
pub async fn acted_in(db: &Db, account: i64) -> anyhow::Result<std::collections::HashSet<i64>> {
    let ids: Vec<i64> = sqlx::query_scalar(
        "SELECT DISTINCT enrollment_id FROM actions WHERE account_id = $1 AND result = 'accepted'",
    )
    .bind(account)
    .fetch_all(db.pool())
    .await?;
    Ok(ids.into_iter().collect())
}
