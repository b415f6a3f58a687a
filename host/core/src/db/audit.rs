//! The sign-off chain: every sign-off of an enrollment hashes the one
//! before it, so an edited or deleted row is found by walking the chain
//! (`baton audit verify`).

use baton_sdk::Signoff;
use serde::Serialize;
use sha2::{Digest, Sha256};
use sqlx::Row;

use super::Db;

/// One sign-off as the chain hashes it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Link {
    /// The enrollment signed in.
    pub enrollment_id: i64,
    /// The signer's person id.
    pub signer: String,
    /// The role they signed in.
    pub role: String,
    /// What was signed for.
    pub subject: String,
    /// The statement, JSON `{"zh": …, "en": …}`.
    pub statement: String,
    /// When, Unix seconds.
    pub at: i64,
}

impl Link {
    pub(super) fn new(enrollment_id: i64, s: &Signoff, at: i64) -> Self {
        Self {
            enrollment_id,
            signer: s.signer.clone(),
            role: s.role.as_str().to_owned(),
            subject: s.subject.clone(),
            statement: serde_json::to_string(&s.statement).unwrap_or_default(),
            at,
        }
    }

    /// sha256 over the previous hash and every field, each length-prefixed so
    /// no two different links can hash the same input.
    pub fn hash(&self, prev: &str) -> String {
        let mut h = Sha256::new();
        let at = self.at.to_string();
        let id = self.enrollment_id.to_string();
        for part in [
            prev,
            &id,
            &self.signer,
            &self.role,
            &self.subject,
            &self.statement,
            &at,
        ] {
            h.update((part.len() as u64).to_be_bytes());
            h.update(part.as_bytes());
        }
        hex::encode(h.finalize())
    }
}

/// A link that does not hold.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Broken {
    /// The enrollment whose chain breaks.
    pub enrollment_id: i64,
    /// The sign-off row at fault (`None`: the enrollment's head is wrong).
    pub signoff_id: Option<i64>,
    /// Why.
    pub reason: String,
}

/// Walks every enrollment's sign-off chain in order; returns how many links
/// were checked and the first broken one.
pub async fn verify_chain(db: &Db) -> anyhow::Result<(u64, Option<Broken>)> {
    let mut checked = 0;
    let mut after = 0i64;
    loop {
        // Page through enrollments with sign-offs, 1000 at a time.
        let ids: Vec<(i64, Option<String>)> = sqlx::query(
            "SELECT id, signoff_head FROM enrollments WHERE id > $1 AND signoff_head IS NOT NULL
             ORDER BY id LIMIT 1000",
        )
        .bind(after)
        .fetch_all(db.pool())
        .await?
        .iter()
        .map(|r| Ok((r.try_get("id")?, r.try_get("signoff_head")?)))
        .collect::<anyhow::Result<_>>()?;
        let Some(last) = ids.last() else {
            return Ok((checked, None));
        };
        after = last.0;
        for (id, head) in ids {
            match verify_enrollment(db, id, head.as_deref()).await? {
                Ok(n) => checked += n,
                Err((n, broken)) => return Ok((checked + n, Some(broken))),
            }
        }
    }
}

/// Checks one enrollment's chain against `head`, the last hash it recorded:
/// the links checked, or those before the broken one and why it broke.
pub async fn verify_enrollment(
    db: &Db,
    id: i64,
    head: Option<&str>,
) -> anyhow::Result<Result<u64, (u64, Broken)>> {
    let rows = sqlx::query(
        "SELECT id, signer, role, subject, statement, at, prev_hash, hash FROM signoffs
         WHERE enrollment_id = $1 ORDER BY id",
    )
    .bind(id)
    .fetch_all(db.pool())
    .await?;
    let mut prev = String::new();
    let mut checked = 0;
    for row in rows {
        let signoff_id: i64 = row.try_get("id")?;
        let link = Link {
            enrollment_id: id,
            signer: row.try_get("signer")?,
            role: row.try_get("role")?,
            subject: row.try_get("subject")?,
            statement: row.try_get("statement")?,
            at: row.try_get("at")?,
        };
        let stored_prev: String = row.try_get("prev_hash")?;
        let stored: String = row.try_get("hash")?;
        let broken = |reason: &str| Broken {
            enrollment_id: id,
            signoff_id: Some(signoff_id),
            reason: reason.to_owned(),
        };
        if stored_prev != prev {
            let why = "it does not follow the sign-off before it (a row was removed or reordered)";
            return Ok(Err((checked, broken(why))));
        }
        if link.hash(&prev) != stored {
            let why = "its content does not match its hash (the row was edited)";
            return Ok(Err((checked, broken(why))));
        }
        checked += 1;
        prev = stored;
    }
    if head.unwrap_or_default() != prev {
        return Ok(Err((
            checked,
            Broken {
                enrollment_id: id,
                signoff_id: None,
                reason:
                    "the last sign-off is not the one the enrollment recorded (rows were removed)"
                        .into(),
            },
        )));
    }
    Ok(Ok(checked))
}

/// The enrollment whose last sign-off's hash starts with `prefix` (hex,
/// lower-case): what a printed record's verification code names.
pub async fn by_head(db: &Db, prefix: &str) -> anyhow::Result<Option<(i64, String)>> {
    // Hex sorts below `g`: a range the index answers, on both backends.
    let row = sqlx::query(
        "SELECT id, signoff_head FROM enrollments
         WHERE signoff_head >= $1 AND signoff_head < $2 ORDER BY id LIMIT 1",
    )
    .bind(prefix)
    .bind(format!("{prefix}g"))
    .fetch_optional(db.pool())
    .await?;
    row.map(|r| Ok((r.try_get("id")?, r.try_get("signoff_head")?)))
        .transpose()
}

/// A sign-off as the API shows it.
#[derive(Debug, Clone, Serialize)]
pub struct SignoffEntry {
    /// The signer's person id.
    pub signer: String,
    /// The role they signed in.
    pub role: String,
    /// What was signed for.
    pub subject: String,
    /// The statement, `{"zh": …, "en": …}`.
    pub statement: serde_json::Value,
    /// When, Unix seconds.
    pub at: i64,
    /// This link's hash.
    pub hash: String,
}

/// An enrollment's sign-offs, in order.
pub async fn signoffs(db: &Db, enrollment_id: i64) -> anyhow::Result<Vec<SignoffEntry>> {
    sqlx::query(
        "SELECT signer, role, subject, statement, at, hash FROM signoffs WHERE enrollment_id = $1 ORDER BY id",
    )
    .bind(enrollment_id)
    .fetch_all(db.pool())
    .await?
    .iter()
    .map(entry)
    .collect()
}

/// The latest `limit` sign-offs of an enrollment, oldest first, and how many
/// it has in all (a declaration replaced many times signs each time).
pub async fn latest_signoffs(
    db: &Db,
    enrollment_id: i64,
    limit: i64,
) -> anyhow::Result<(Vec<SignoffEntry>, i64)> {
    let mut latest = sqlx::query(
        "SELECT signer, role, subject, statement, at, hash FROM signoffs WHERE enrollment_id = $1
         ORDER BY id DESC LIMIT $2",
    )
    .bind(enrollment_id)
    .bind(limit)
    .fetch_all(db.pool())
    .await?
    .iter()
    .map(entry)
    .collect::<anyhow::Result<Vec<_>>>()?;
    latest.reverse();
    let total = if (latest.len() as i64) < limit {
        latest.len() as i64
    } else {
        sqlx::query_scalar("SELECT COUNT(*) FROM signoffs WHERE enrollment_id = $1")
            .bind(enrollment_id)
            .fetch_one(db.pool())
            .await?
    };
    Ok((latest, total))
}

fn entry(r: &sqlx::any::AnyRow) -> anyhow::Result<SignoffEntry> {
    Ok(SignoffEntry {
        signer: r.try_get("signer")?,
        role: r.try_get("role")?,
        subject: r.try_get("subject")?,
        statement: serde_json::from_str(&r.try_get::<String, _>("statement")?)?,
        at: r.try_get("at")?,
        hash: r.try_get("hash")?,
    })
}

/// The enrollment one of whose sign-offs has a hash starting with `prefix`,
/// with that hash.
pub async fn by_signoff_hash(db: &Db, prefix: &str) -> anyhow::Result<Option<(i64, String)>> {
    let row = sqlx::query(
        "SELECT enrollment_id, hash FROM signoffs WHERE hash >= $1 AND hash < $2
         ORDER BY id LIMIT 1",
    )
    .bind(prefix)
    .bind(format!("{prefix}g"))
    .fetch_optional(db.pool())
    .await?;
    row.map(|r| Ok((r.try_get("enrollment_id")?, r.try_get("hash")?)))
        .transpose()
}
