//! The `catalog` and `adoptions` tables: versions offered to other
//! provinces, the nation's review of each, and who adopted what.

use sqlx::Row;

use super::Db;

/// A version offered to the catalog.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Entry {
    /// Module id.
    pub module: String,
    /// The version offered.
    pub version: String,
    /// The offering (author) province.
    pub offered_by: String,
    /// When, Unix seconds.
    pub offered_at: i64,
    /// What the author says about it.
    pub note: String,
    /// `offered`, `approved` or `refused`.
    pub status: String,
    /// Why refused.
    pub reason: Option<String>,
}

fn entry(row: &sqlx::any::AnyRow) -> anyhow::Result<Entry> {
    Ok(Entry {
        module: row.try_get("module")?,
        version: row.try_get("version")?,
        offered_by: row.try_get("offered_by")?,
        offered_at: row.try_get("offered_at")?,
        note: row.try_get("note")?,
        status: row.try_get("status")?,
        reason: row.try_get("reason")?,
    })
}

const COLUMNS: &str = "module, version, offered_by, offered_at, note, status, reason";

/// Offers `module@version`; false when it was offered before.
pub async fn offer(
    db: &Db,
    module: &str,
    version: &str,
    by: &str,
    note: &str,
    now: i64,
) -> anyhow::Result<bool> {
    let done = sqlx::query(
        "INSERT INTO catalog (module, version, offered_by, offered_at, note)
         VALUES ($1, $2, $3, $4, $5) ON CONFLICT (module, version) DO NOTHING",
    )
    .bind(module)
    .bind(version)
    .bind(by)
    .bind(now)
    .bind(note)
    .execute(db.pool())
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Every entry, by module then when offered.
pub async fn all(db: &Db) -> anyhow::Result<Vec<Entry>> {
    let rows = sqlx::query(&format!(
        "SELECT {COLUMNS} FROM catalog ORDER BY module, offered_at, version"
    ))
    .fetch_all(db.pool())
    .await?;
    rows.iter().map(entry).collect()
}

/// The entry of `module@version`.
pub async fn get(db: &Db, module: &str, version: &str) -> anyhow::Result<Option<Entry>> {
    let row = sqlx::query(&format!(
        "SELECT {COLUMNS} FROM catalog WHERE module = $1 AND version = $2"
    ))
    .bind(module)
    .bind(version)
    .fetch_optional(db.pool())
    .await?;
    row.as_ref().map(entry).transpose()
}

/// Records the nation's decision on an offered entry; false when it was
/// not waiting for one.
pub async fn review(
    db: &Db,
    module: &str,
    version: &str,
    approved: bool,
    reason: &str,
    account_id: i64,
    now: i64,
) -> anyhow::Result<bool> {
    let done = sqlx::query(
        "UPDATE catalog SET status = $1, reason = $2, reviewed_by = $3, reviewed_at = $4
         WHERE module = $5 AND version = $6 AND status = 'offered'",
    )
    .bind(if approved { "approved" } else { "refused" })
    .bind(reason)
    .bind(account_id)
    .bind(now)
    .bind(module)
    .bind(version)
    .execute(db.pool())
    .await?;
    Ok(done.rows_affected() == 1)
}

/// An approved version taken up by a province.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Adoption {
    /// The adopting province.
    pub province: String,
    /// The catalog's module id.
    pub module: String,
    /// The version adopted.
    pub version: String,
    /// The module the province runs it as.
    pub adopted_as: String,
}

/// Records an adoption; false when the province had adopted that version.
pub async fn adopt(
    db: &Db,
    adoption: &Adoption,
    account_id: i64,
    now: i64,
) -> anyhow::Result<bool> {
    let done = sqlx::query(
        "INSERT INTO adoptions (province, module, version, adopted_as, adopted_by, adopted_at)
         VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (province, module, version) DO NOTHING",
    )
    .bind(&adoption.province)
    .bind(&adoption.module)
    .bind(&adoption.version)
    .bind(&adoption.adopted_as)
    .bind(account_id)
    .bind(now)
    .execute(db.pool())
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Every adoption.
pub async fn adoptions(db: &Db) -> anyhow::Result<Vec<Adoption>> {
    let rows = sqlx::query(
        "SELECT province, module, version, adopted_as FROM adoptions ORDER BY module, province",
    )
    .fetch_all(db.pool())
    .await?;
    rows.iter()
        .map(|r| {
            Ok(Adoption {
                province: r.try_get("province")?,
                module: r.try_get("module")?,
                version: r.try_get("version")?,
                adopted_as: r.try_get("adopted_as")?,
            })
        })
        .collect()
}

/// Whether `province` adopted package `module@version` (and so may assign it).
pub async fn adopted(db: &Db, province: &str, module: &str, version: &str) -> anyhow::Result<bool> {
    let n: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM adoptions WHERE province = $1 AND module = $2 AND version = $3 AND adopted_as = module",
    )
    .bind(province)
    .bind(module)
    .bind(version)
    .fetch_one(db.pool())
    .await?;
    Ok(n > 0)
}

/// Enrollments in module `id` (any version), and how many are complete.
pub async fn usage(db: &Db, id: &str) -> anyhow::Result<(i64, i64)> {
    let row = sqlx::query(
        "SELECT COUNT(*) AS n, COUNT(completed_at) AS done FROM enrollments WHERE plugin_id = $1",
    )
    .bind(id)
    .fetch_one(db.pool())
    .await?;
    Ok((row.try_get("n")?, row.try_get("done")?))
}
