//! `accounts`, `role_grants`, `sessions` and `login_failures`.

use anyhow::Context as _;
use baton_sdk::Role;
use sqlx::Row;

use super::Db;
use crate::auth::{Grant, Principal, token_hash};

/// How long a session or API token lives: 30 days.
pub const SESSION_SECONDS: i64 = 30 * 24 * 3600;

/// Failed sign-ins for one name from one address within [`THROTTLE_WINDOW`]
/// before more are refused.
pub const THROTTLE_FAILURES: i64 = 5;
/// The window failed logins are counted over, seconds.
pub const THROTTLE_WINDOW: i64 = 15 * 60;

/// A new account.
#[derive(Debug, Clone)]
pub struct NewAccount<'a> {
    /// Login name.
    pub username: &'a str,
    /// An argon2 hash from [`crate::auth::hash_password`].
    pub password_hash: &'a str,
    /// The name shown to others.
    pub display_name: &'a str,
    /// The roster person this account is.
    pub person_id: Option<i64>,
    /// Roles and where: `None` as the unit for the national administrator.
    pub grants: &'a [(Role, Option<&'a str>)],
}

/// Adds an account and its grants; returns its id.
pub async fn create(db: &Db, account: &NewAccount<'_>, now: i64) -> anyhow::Result<i64> {
    let mut tx = db.pool().begin().await?;
    let id = insert(&mut tx, account, now).await?;
    tx.commit().await?;
    Ok(id)
}

/// The e-mail address an account gave for reminders.
pub async fn email(db: &Db, id: i64) -> anyhow::Result<Option<String>> {
    Ok(
        sqlx::query_scalar::<_, Option<String>>("SELECT email FROM accounts WHERE id = $1")
            .bind(id)
            .fetch_optional(db.pool())
            .await?
            .flatten(),
    )
}

/// Sets (or, with `None`, removes) the account's e-mail address.
pub async fn set_email(db: &Db, id: i64, email: Option<&str>) -> anyhow::Result<()> {
    sqlx::query("UPDATE accounts SET email = $1 WHERE id = $2")
        .bind(email)
        .bind(id)
        .execute(db.writer())
        .await?;
    Ok(())
}

/// Adds an account and its grants inside `tx`; returns its id.
pub async fn insert(tx: &mut Tx, account: &NewAccount<'_>, now: i64) -> anyhow::Result<i64> {
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO accounts (username, password_hash, display_name, person_id, created_at)
         VALUES ($1, $2, $3, $4, $5) RETURNING id",
    )
    .bind(account.username)
    .bind(account.password_hash)
    .bind(account.display_name)
    .bind(account.person_id)
    .bind(now)
    .fetch_one(&mut **tx)
    .await
    .with_context(|| format!("adding account {}", account.username))?;
    for (role, unit) in account.grants {
        grant(tx, id, *role, *unit).await?;
    }
    Ok(id)
}

/// A transaction on the database.
pub type Tx = sqlx::Transaction<'static, sqlx::Any>;

/// Gives `account` `role` at `unit`, unless it holds it there already;
/// returns whether it was added.
pub async fn grant(
    tx: &mut Tx,
    account: i64,
    role: Role,
    unit: Option<&str>,
) -> anyhow::Result<bool> {
    let held: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM role_grants WHERE account_id = $1 AND role = $2
         AND COALESCE(unit_code, '') = COALESCE($3, '')",
    )
    .bind(account)
    .bind(role.as_str())
    .bind(unit)
    .fetch_one(&mut **tx)
    .await?;
    if held > 0 {
        return Ok(false);
    }
    sqlx::query("INSERT INTO role_grants (account_id, role, unit_code) VALUES ($1, $2, $3)")
        .bind(account)
        .bind(role.as_str())
        .bind(unit)
        .execute(&mut **tx)
        .await
        .with_context(|| format!("granting {} to account {account}", role.as_str()))?;
    Ok(true)
}

/// An account's id and password hash, by login name.
pub async fn credentials(db: &Db, username: &str) -> anyhow::Result<Option<(i64, String)>> {
    let row = sqlx::query(
        "SELECT id, password_hash FROM accounts WHERE username = $1 AND disabled_at IS NULL",
    )
    .bind(username)
    .fetch_optional(db.pool())
    .await?;
    row.map(|r| Ok((r.try_get("id")?, r.try_get("password_hash")?)))
        .transpose()
}

/// Failed sign-ins from one address (any names) within the window before
/// more from it are refused.
pub const THROTTLE_ADDRESS: i64 = 30;
/// Failed sign-ins for one name from every address within the window
/// before more are refused: only a many-address attack locks the owner out.
pub const THROTTLE_NAME: i64 = 50;

/// Whether a sign-in as `username` from `address` is refused for now:
/// [`THROTTLE_FAILURES`] failures for this name from this address,
/// [`THROTTLE_ADDRESS`] from this address, or [`THROTTLE_NAME`] for this
/// name, within [`THROTTLE_WINDOW`] seconds before `now`.
pub async fn throttled(db: &Db, username: &str, address: &str, now: i64) -> anyhow::Result<bool> {
    let row = sqlx::query(
        "SELECT CAST(COALESCE(SUM(CASE WHEN username = $1 AND address = $2 THEN 1 ELSE 0 END), 0) AS BIGINT) AS pair,
                CAST(COALESCE(SUM(CASE WHEN address = $2 THEN 1 ELSE 0 END), 0) AS BIGINT) AS by_address,
                CAST(COALESCE(SUM(CASE WHEN username = $1 THEN 1 ELSE 0 END), 0) AS BIGINT) AS by_name
         FROM login_failures WHERE at >= $3 AND (username = $1 OR address = $2)",
    )
    .bind(username)
    .bind(address)
    .bind(now - THROTTLE_WINDOW)
    .fetch_one(db.pool())
    .await?;
    let (pair, by_address, by_name): (i64, i64, i64) = (
        row.try_get("pair")?,
        row.try_get("by_address")?,
        row.try_get("by_name")?,
    );
    Ok(pair >= THROTTLE_FAILURES
        || (!address.is_empty() && by_address >= THROTTLE_ADDRESS)
        || by_name >= THROTTLE_NAME)
}

/// Records a failed sign-in, and forgets ones older than the window.
pub async fn record_failure(
    db: &Db,
    username: &str,
    address: &str,
    now: i64,
) -> anyhow::Result<()> {
    sqlx::query("DELETE FROM login_failures WHERE at < $1")
        .bind(now - THROTTLE_WINDOW)
        .execute(db.pool())
        .await?;
    sqlx::query("INSERT INTO login_failures (username, at, address) VALUES ($1, $2, $3)")
        .bind(username)
        .bind(now)
        .bind(address)
        .execute(db.pool())
        .await?;
    Ok(())
}

/// Starts a session for `account_id`; returns the token to hand out.
pub async fn open_session(db: &Db, account_id: i64, now: i64) -> anyhow::Result<String> {
    let (token, hash) = crate::auth::new_token();
    sqlx::query(
        "INSERT INTO sessions (token_hash, account_id, created_at, expires_at) VALUES ($1, $2, $3, $4)",
    )
    .bind(hash)
    .bind(account_id)
    .bind(now)
    .bind(now + SESSION_SECONDS)
    .execute(db.pool())
    .await?;
    Ok(token)
}

/// Ends the session of `token`.
pub async fn close_session(db: &Db, token: &str) -> anyhow::Result<()> {
    sqlx::query("DELETE FROM sessions WHERE token_hash = $1")
        .bind(token_hash(token))
        .execute(db.pool())
        .await?;
    Ok(())
}

/// The account behind a live session token, with its grants.
pub async fn principal(db: &Db, token: &str, now: i64) -> anyhow::Result<Option<Principal>> {
    let Some(row) = sqlx::query(
        "SELECT a.id, a.username, a.display_name, a.person_id, a.easy_reading FROM sessions s
         JOIN accounts a ON a.id = s.account_id
         WHERE s.token_hash = $1 AND s.expires_at > $2 AND a.disabled_at IS NULL",
    )
    .bind(token_hash(token))
    .bind(now)
    .fetch_optional(db.pool())
    .await?
    else {
        return Ok(None);
    };
    let account_id: i64 = row.try_get("id")?;
    let grants = sqlx::query(
        "SELECT g.role, g.unit_code, u.path FROM role_grants g
         LEFT JOIN org_units u ON u.code = g.unit_code WHERE g.account_id = $1",
    )
    .bind(account_id)
    .fetch_all(db.pool())
    .await?
    .iter()
    .map(|g| {
        Ok(Grant {
            role: g.try_get::<String, _>("role")?.parse::<Role>()?,
            unit_code: g.try_get("unit_code")?,
            path: g.try_get("path")?,
        })
    })
    .collect::<anyhow::Result<_>>()?;
    Ok(Some(Principal {
        account_id,
        username: row.try_get("username")?,
        display_name: row.try_get("display_name")?,
        person_id: row.try_get("person_id")?,
        easy_reading: row.try_get::<i64, _>("easy_reading")? != 0,
        grants,
    }))
}

/// Turns the easy-reading mode (长辈模式) of `account` on or off.
pub async fn set_easy_reading(db: &Db, account: i64, on: bool) -> anyhow::Result<()> {
    sqlx::query("UPDATE accounts SET easy_reading = $1 WHERE id = $2")
        .bind(i64::from(on))
        .bind(account)
        .execute(db.writer())
        .await?;
    Ok(())
}
