//! Records people can print and verify: an enrollment's record for the
//! archive (归档) carries a verification code, the first 16 hex digits of
//! its last sign-off's hash; anyone holding the paper can check it at
//! `/verify`, which recomputes the enrollment's sign-off chain.

use crate::db::audit;
use crate::error::Error;
use crate::state::AppState;

/// A record's verification code: `3F2A-91C0-7B1D-0E55`.
pub fn code(head: &str) -> String {
    head.chars()
        .take(16)
        .collect::<Vec<_>>()
        .chunks(4)
        .map(|c| c.iter().collect::<String>().to_uppercase())
        .collect::<Vec<_>>()
        .join("-")
}

/// What a verification code names.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Verified {
    /// The enrollment.
    pub enrollment_id: i64,
    /// Its village's code.
    pub village_code: String,
    /// Its village's name (the code when the unit is gone).
    pub village: String,
    /// Its module.
    pub module: String,
    /// The version it runs.
    pub version: String,
    /// Sign-offs on the record.
    pub signoffs: u64,
    /// Whether the chain is intact: no sign-off edited or removed since.
    pub intact: bool,
    /// Whether the code is the enrollment's latest: a sign-off made after
    /// the paper was printed gives a newer code.
    pub latest: bool,
    /// How far the enrollment has got now: a valid record of an unfinished
    /// handover proves what was signed, not that it was done.
    pub done: i64,
    /// Of how many steps.
    pub total: i64,
    /// Whether it is complete.
    pub completed: bool,
    /// Scans of the printed record, signed in ink and sealed, uploaded
    /// against it (paper comes back).
    pub scans: i64,
    /// When the latest scan came.
    pub scanned_at: Option<i64>,
}

pub use crate::db::audit::Broken;

/// Walks every enrollment's sign-off chain: how many sign-offs were checked,
/// and the first broken link, if any.
pub async fn verify_chain(db: &crate::Db) -> Result<(u64, Option<Broken>), Error> {
    Ok(crate::db::audit::verify_chain(db).await?)
}

/// The record `code` names, if any; a code that is not 16 hex digits is a
/// 400 naming `code`.
pub async fn verify(state: &AppState, code: &str) -> Result<Option<Verified>, Error> {
    let hex: String = code
        .chars()
        .filter(|c| !c.is_whitespace() && *c != '-')
        .collect::<String>()
        .to_lowercase();
    if hex.len() != 16 || !hex.chars().all(|c| c.is_ascii_hexdigit()) {
        return Err(Error::bad(
            "code",
            "核验码为 16 位字母和数字，如 3F2A-91C0-7B1D-0E55",
            "is 16 hex digits, like 3F2A-91C0-7B1D-0E55",
        ));
    }
    let found = audit::by_head(&state.db, &hex).await?;
    let found = match found {
        Some(found) => Some(found),
        // An older code: the head moved on, but the sign-off it named is in
        // the chain.
        None => audit::by_signoff_hash(&state.db, &hex).await?,
    };
    let Some((id, head)) = found else {
        return Ok(None);
    };
    let Some(e) = crate::db::enrollments::get(&state.db, id).await? else {
        return Ok(None);
    };
    let checked = audit::verify_enrollment(&state.db, id, e.signoff_head.as_deref()).await?;
    let (scans, scanned_at) = crate::db::attachments::scans(&state.db, id).await?;
    let village = crate::db::org_units::get(&state.db, &e.unit_code)
        .await?
        .map_or_else(|| e.unit_code.clone(), |(u, _)| u.name);
    Ok(Some(Verified {
        enrollment_id: id,
        village,
        village_code: e.unit_code,
        module: e.plugin_id,
        version: e.plugin_version,
        signoffs: match checked {
            Ok(n) | Err((n, _)) => n,
        },
        intact: checked.is_ok(),
        latest: e.signoff_head.as_deref() == Some(head.as_str()),
        done: e.done,
        total: e.total,
        completed: e.completed_at.is_some(),
        scans,
        scanned_at,
    }))
}
