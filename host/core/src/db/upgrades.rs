//! Moving enrollments between versions of their module: the enrollments
//! pinned to a version under a unit, their logs of accepted actions, and the
//! move itself, one enrollment per transaction.

use sqlx::Row;

use super::Db;
use super::enrollments::{ENROLLMENT, Enrollment};

/// The filter both queries below share: pinned to `$1@$2`, under `$3`.
const PINNED: &str = "e.plugin_id = $1 AND e.plugin_version = $2 AND u.path >= $3 AND u.path < $4";

/// How many enrollments under the unit at `path` are pinned to `module@version`.
pub async fn count_pinned(db: &Db, module: &str, version: &str, path: &str) -> anyhow::Result<i64> {
    Ok(sqlx::query_scalar(&format!(
        "SELECT COUNT(*) FROM enrollments e JOIN org_units u ON u.code = e.unit_code WHERE {PINNED}"
    ))
    .bind(module)
    .bind(version)
    .bind(path)
    .bind(format!("{path}~"))
    .fetch_one(db.pool())
    .await?)
}

/// The next `limit` enrollments after id `after`, by id, under the unit at
/// `path` pinned to `module@version`: a batch, so a province's enrollments
/// and their states are never all in memory at once.
pub async fn pinned(
    db: &Db,
    module: &str,
    version: &str,
    path: &str,
    after: i64,
    limit: i64,
) -> anyhow::Result<Vec<Enrollment>> {
    Ok(sqlx::query_as(&format!(
        "{ENROLLMENT} WHERE {PINNED} AND e.id > $5 ORDER BY e.id LIMIT $6"
    ))
    .bind(module)
    .bind(version)
    .bind(path)
    // Paths are digits and slashes: everything under `path` sorts below `path~`.
    .bind(format!("{path}~"))
    .bind(after)
    .bind(limit)
    .fetch_all(db.pool())
    .await?)
}

/// An accepted action as the log keeps it, with who took it.
#[derive(Debug, Clone)]
pub struct Logged {
    /// The action's name.
    pub action: String,
    /// Its payload, JSON.
    pub payload: String,
    /// When, Unix seconds: what the module saw as `now`.
    pub at: i64,
    /// The role the actor acted in.
    pub role: String,
    /// The actor's account.
    pub account_id: i64,
    /// The roster person the account is, if any.
    pub person_id: Option<i64>,
    /// The account's display name.
    pub name: String,
}

/// The accepted actions of an enrollment, in the order they were applied.
pub async fn log(db: &Db, enrollment_id: i64) -> anyhow::Result<Vec<Logged>> {
    let rows = sqlx::query(
        "SELECT a.action, a.payload, a.at, a.role, a.account_id, c.person_id, c.display_name
         FROM actions a JOIN accounts c ON c.id = a.account_id
         WHERE a.enrollment_id = $1 AND a.result = 'accepted' ORDER BY a.id",
    )
    .bind(enrollment_id)
    .fetch_all(db.pool())
    .await?;
    rows.iter()
        .map(|r| {
            Ok(Logged {
                action: r.try_get("action")?,
                payload: r.try_get("payload")?,
                at: r.try_get("at")?,
                role: r.try_get("role")?,
                account_id: r.try_get("account_id")?,
                person_id: r.try_get("person_id")?,
                name: r.try_get("display_name")?,
            })
        })
        .collect()
}

/// Moves an enrollment to `version` with the state and progress its log
/// replays to, unless it changed since it was read (returns false). Its
/// completion, and the roll-ups above it, follow the new progress.
pub async fn move_to(
    db: &Db,
    e: &Enrollment,
    version: &str,
    state: Option<&str>,
    done: i64,
    total: i64,
    awaiting: &[baton_sdk::Awaiting],
    now: i64,
) -> anyhow::Result<bool> {
    let mut tx = db.writer().begin().await?;
    let complete = total > 0 && done >= total;
    let moved = sqlx::query(
        "UPDATE enrollments SET plugin_version = $1, state = $2, done = $3, total = $4,
            revision = revision + 1,
            completed_at = CASE WHEN $5 = 1 THEN COALESCE(completed_at, $6) ELSE NULL END
         WHERE id = $7 AND revision = $8 AND plugin_version = $9",
    )
    .bind(version)
    .bind(state)
    .bind(done)
    .bind(total)
    .bind(i64::from(complete))
    .bind(now)
    .bind(e.id)
    .bind(e.revision)
    .bind(&e.plugin_version)
    .execute(&mut *tx)
    .await?;
    if moved.rows_affected() == 0 {
        return Ok(false);
    }
    let completed = i64::from(complete) - i64::from(e.completed_at.is_some());
    if completed != 0 {
        super::enrollments::roll_up(&mut *tx, e, 0, completed, now).await?;
    }
    if state.is_some() {
        super::turns::replace(&mut *tx, e.id, &e.path, awaiting, now).await?;
    }
    tx.commit().await?;
    Ok(true)
}
