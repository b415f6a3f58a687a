//! Where uploaded files' bytes live: content-addressed by sha256, written
//! once. The database keeps them by default; this is the one interface an
//! S3-compatible object store takes over behind when a deployment outgrows
//! it (a second variant: `put` to a bucket under the sha, `get` it back).

use crate::db::Db;

/// The file store.
#[derive(Debug, Clone)]
pub enum Store {
    /// In the database's `files` table.
    Database(Db),
}

impl Store {
    /// Keeps `bytes` under their sha256 (hex), which is returned; storing
    /// the same bytes again changes nothing.
    pub async fn put(&self, media_type: &str, bytes: &[u8], now: i64) -> anyhow::Result<String> {
        use sha2::Digest as _;
        let sha = hex::encode(sha2::Sha256::digest(bytes));
        match self {
            Store::Database(db) => {
                crate::db::attachments::put_file(db, &sha, media_type, bytes, now).await?
            }
        }
        Ok(sha)
    }

    /// The bytes stored under `sha`, if any.
    pub async fn get(&self, sha: &str) -> anyhow::Result<Option<Vec<u8>>> {
        match self {
            Store::Database(db) => crate::db::attachments::file(db, sha).await,
        }
    }
}
