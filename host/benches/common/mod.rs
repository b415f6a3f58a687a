//! What the benchmarks that sign in as each role share.

use baton_core::db::Db;
use baton_core::db::accounts::{self, NewAccount};
use baton_host::clock::now;
use baton_sdk::Role;

/// A session for `username`, created with `role` at `unit` if it is new.
pub async fn session(db: &Db, username: &str, role: Role, unit: &str) -> anyhow::Result<String> {
    let found: Option<i64> = sqlx::query_scalar("SELECT id FROM accounts WHERE username = $1")
        .bind(username)
        .fetch_optional(db.pool())
        .await?;
    let id = match found {
        Some(id) => id,
        None => {
            // One hash for every benchmark account: argon2 is slow on purpose.
            static HASH: std::sync::OnceLock<String> = std::sync::OnceLock::new();
            let hash = HASH
                .get_or_init(|| baton_host::auth::hash_password("bench").unwrap_or_default())
                .clone();
            let grants = [(role, Some(unit))];
            accounts::create(
                db,
                &NewAccount {
                    username,
                    password_hash: &hash,
                    display_name: username,
                    person_id: None,
                    grants: &grants,
                },
                now(),
            )
            .await?
        }
    };
    accounts::open_session(db, id, now()).await
}

/// The first unit of `level` under `path`, by path.
pub async fn first(db: &Db, level: &str, path: &str) -> anyhow::Result<(String, String)> {
    let row: (String, String) = sqlx::query_as(
        "SELECT code, path FROM org_units WHERE level = $1 AND path >= $2 AND path < $2 || '~'
         ORDER BY path LIMIT 1",
    )
    .bind(level)
    .bind(path)
    .fetch_one(db.pool())
    .await?;
    Ok(row)
}
