//! `signing_keys`: the provinces' public keys for signed packages.

use ed25519_dalek::VerifyingKey;
use sqlx::Row;

use super::Db;

/// A registered key.
#[derive(Debug, Clone)]
pub struct Key {
    /// Its id (see `signing::key_id`).
    pub key_id: String,
    /// Whose: a province's code; `None` for the nation's.
    pub province_code: Option<String>,
    /// The public half.
    pub public: VerifyingKey,
    /// When it was made, Unix seconds.
    pub created_at: i64,
    /// When it was revoked, if it was.
    pub revoked_at: Option<i64>,
}

const KEY: &str =
    "SELECT key_id, province_code, public_key, created_at, revoked_at FROM signing_keys";

fn key(row: &sqlx::any::AnyRow) -> anyhow::Result<Key> {
    let public: String = row.try_get("public_key")?;
    let bytes: [u8; 32] = hex::decode(&public)?
        .try_into()
        .map_err(|_| anyhow::anyhow!("a stored public key is not 32 bytes"))?;
    Ok(Key {
        key_id: row.try_get("key_id")?,
        province_code: row.try_get("province_code")?,
        public: VerifyingKey::from_bytes(&bytes)?,
        created_at: row.try_get("created_at")?,
        revoked_at: row.try_get("revoked_at")?,
    })
}

/// Registers a public key.
pub async fn insert(
    db: &Db,
    key_id: &str,
    province: Option<&str>,
    public_hex: &str,
    now: i64,
) -> anyhow::Result<()> {
    sqlx::query(
        "INSERT INTO signing_keys (key_id, province_code, public_key, created_at) VALUES ($1, $2, $3, $4)",
    )
    .bind(key_id)
    .bind(province)
    .bind(public_hex)
    .bind(now)
    .execute(db.pool())
    .await?;
    Ok(())
}

/// Key `key_id`, revoked or not.
pub async fn get(db: &Db, key_id: &str) -> anyhow::Result<Option<Key>> {
    sqlx::query(&format!("{KEY} WHERE key_id = $1"))
        .bind(key_id)
        .fetch_optional(db.pool())
        .await?
        .as_ref()
        .map(key)
        .transpose()
}

/// The live (unrevoked) keys of `province` (`None`: the nation's).
pub async fn live(db: &Db, province: Option<&str>) -> anyhow::Result<Vec<Key>> {
    let rows = match province {
        Some(code) => {
            sqlx::query(&format!(
                "{KEY} WHERE province_code = $1 AND revoked_at IS NULL"
            ))
            .bind(code)
            .fetch_all(db.pool())
            .await?
        }
        None => {
            sqlx::query(&format!(
                "{KEY} WHERE province_code IS NULL AND revoked_at IS NULL"
            ))
            .fetch_all(db.pool())
            .await?
        }
    };
    rows.iter().map(key).collect()
}

/// Every key, newest first.
pub async fn all(db: &Db) -> anyhow::Result<Vec<Key>> {
    let rows = sqlx::query(&format!("{KEY} ORDER BY created_at DESC, key_id"))
        .fetch_all(db.pool())
        .await?;
    rows.iter().map(key).collect()
}

/// Revokes a live key; whether there was one.
pub async fn revoke(db: &Db, key_id: &str, now: i64) -> anyhow::Result<bool> {
    let done = sqlx::query(
        "UPDATE signing_keys SET revoked_at = $2 WHERE key_id = $1 AND revoked_at IS NULL",
    )
    .bind(key_id)
    .bind(now)
    .execute(db.pool())
    .await?;
    Ok(done.rows_affected() == 1)
}
