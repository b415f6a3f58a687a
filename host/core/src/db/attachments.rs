//! `files` (the database's file store) and `attachments`: the files
//! uploaded for each enrollment.

use baton_sdk::Attachment;
use sqlx::Row;

use super::Db;

/// Stores a file's bytes under its sha256, once.
pub async fn put_file(
    db: &Db,
    sha: &str,
    media_type: &str,
    bytes: &[u8],
    now: i64,
) -> anyhow::Result<()> {
    sqlx::query(
        "INSERT INTO files (sha256, media_type, size, bytes, created_at) VALUES ($1, $2, $3, $4, $5)
         ON CONFLICT (sha256) DO NOTHING",
    )
    .bind(sha)
    .bind(media_type)
    .bind(i64::try_from(bytes.len()).unwrap_or(i64::MAX))
    .bind(bytes.to_vec())
    .bind(now)
    .execute(db.writer())
    .await?;
    Ok(())
}

/// A file's bytes.
pub async fn file(db: &Db, sha: &str) -> anyhow::Result<Option<Vec<u8>>> {
    Ok(
        sqlx::query_scalar("SELECT bytes FROM files WHERE sha256 = $1")
            .bind(sha)
            .fetch_optional(db.pool())
            .await?,
    )
}

/// An attachment as stored.
#[derive(Debug, Clone)]
pub struct Stored {
    /// What modules see of it.
    pub attachment: Attachment,
    /// The phone-sized copy of a photo.
    pub phone: Option<String>,
    /// Its thumbnail (none for photos uploaded before thumbnails were made).
    pub thumb: Option<String>,
    /// The scan of the record printed, signed in ink and sealed.
    pub scan: bool,
}

/// What an upload adds to an enrollment.
#[derive(Debug, Clone)]
pub struct NewAttachment<'a> {
    /// The enrollment.
    pub enrollment_id: i64,
    /// The stored copy's sha256.
    pub sha256: &'a str,
    /// A photo's phone-sized copy.
    pub phone_sha256: Option<&'a str>,
    /// A photo's thumbnail.
    pub thumb_sha256: Option<&'a str>,
    /// The name it was uploaded under.
    pub name: &'a str,
    /// Its media type.
    pub media_type: &'a str,
    /// The stored copy's size, bytes.
    pub size: i64,
    /// The uploader as modules know them (a person id).
    pub uploaded_by: &'a str,
    /// Their account.
    pub account_id: i64,
    /// When.
    pub at: i64,
    /// The scan of the signed and sealed paper record.
    pub scan: bool,
}

/// Records an attachment; uploading the same file to the same enrollment
/// again keeps the first record. Returns whether it was new.
pub async fn insert(db: &Db, a: &NewAttachment<'_>) -> anyhow::Result<bool> {
    let done = sqlx::query(
        "INSERT INTO attachments (enrollment_id, sha256, phone_sha256, name, media_type, size,
                                  uploaded_by, account_id, uploaded_at, thumb_sha256, scan)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)
         ON CONFLICT (enrollment_id, sha256) DO NOTHING",
    )
    .bind(a.enrollment_id)
    .bind(a.sha256)
    .bind(a.phone_sha256)
    .bind(a.name)
    .bind(a.media_type)
    .bind(a.size)
    .bind(a.uploaded_by)
    .bind(a.account_id)
    .bind(a.at)
    .bind(a.thumb_sha256)
    .bind(i64::from(a.scan))
    .execute(db.writer())
    .await?;
    Ok(done.rows_affected() == 1)
}

/// The attachments of an enrollment, oldest first.
pub async fn of(db: &Db, enrollment_id: i64) -> anyhow::Result<Vec<Stored>> {
    sqlx::query(
        "SELECT sha256, phone_sha256, thumb_sha256, name, media_type, size, uploaded_by, uploaded_at, scan
         FROM attachments WHERE enrollment_id = $1 ORDER BY id",
    )
    .bind(enrollment_id)
    .fetch_all(db.pool())
    .await?
    .iter()
    .map(|r| {
        Ok(Stored {
            attachment: Attachment {
                id: r.try_get("sha256")?,
                name: r.try_get("name")?,
                media_type: r.try_get("media_type")?,
                size: u64::try_from(r.try_get::<i64, _>("size")?).unwrap_or(0),
                uploaded_by: r.try_get("uploaded_by")?,
                uploaded_at: r.try_get("uploaded_at")?,
            },
            phone: r.try_get("phone_sha256")?,
            thumb: r.try_get("thumb_sha256")?,
            scan: r.try_get::<i64, _>("scan")? != 0,
        })
    })
    .collect()
}

/// Bytes kept of what `account` uploaded, and of what the enrollments of
/// `village` hold: what the upload quotas count.
pub async fn used(db: &Db, account: i64, village: &str) -> anyhow::Result<(i64, i64)> {
    let by_account: i64 = sqlx::query_scalar(
        "SELECT CAST(COALESCE(SUM(size), 0) AS BIGINT) FROM attachments WHERE account_id = $1",
    )
    .bind(account)
    .fetch_one(db.pool())
    .await?;
    let in_village: i64 = sqlx::query_scalar(
        "SELECT CAST(COALESCE(SUM(a.size), 0) AS BIGINT) FROM attachments a
           JOIN enrollments e ON e.id = a.enrollment_id WHERE e.unit_code = $1",
    )
    .bind(village)
    .fetch_one(db.pool())
    .await?;
    Ok((by_account, in_village))
}

/// How many scans of the signed paper record an enrollment has, and when the
/// latest came.
pub async fn scans(db: &Db, enrollment_id: i64) -> anyhow::Result<(i64, Option<i64>)> {
    let row = sqlx::query(
        "SELECT COUNT(*) AS n, MAX(uploaded_at) AS latest FROM attachments
         WHERE enrollment_id = $1 AND scan = 1",
    )
    .bind(enrollment_id)
    .fetch_one(db.pool())
    .await?;
    Ok((row.try_get("n")?, row.try_get("latest")?))
}
