//! 个人信息保护法: a person may have a copy of what the platform holds about
//! them (查阅复制), from their own account; a township officer or above may
//! export it for a person of a village in their scope (a request made at
//! the township). Every export, and with it every sight of the full
//! 身份证号, is in the person's access log, which the export itself shows.

use serde_json::Value;

use crate::auth::{Capability, Principal, Target, authorize};
use crate::clock::now;
use crate::db::personal;
use crate::error::Error;
use crate::state::AppState;

/// Person `person`'s data (or, `None`, the principal's own), logged.
pub async fn export(
    state: &AppState,
    principal: &Principal,
    person: Option<i64>,
) -> Result<Value, Error> {
    let id = match person {
        None => principal.person_id.ok_or_else(|| {
            Error::not_found(
                "此账号不对应花名册中的人员，没有个人信息可导出",
                "this account is no person of a roster: there is no personal data to export",
            )
        })?,
        Some(id) if Some(id) == principal.person_id => id,
        Some(id) => {
            let path = personal::village_path(&state.db, id)
                .await?
                .ok_or_else(Error::forbidden)?;
            authorize(
                principal,
                Capability::ManageAccount(baton_sdk::Role::Member),
                Target::unit(&path),
            )
            .ok_or_else(Error::forbidden)?;
            id
        }
    };
    let now = now();
    personal::log(&state.db, principal.account_id, id, "export", now).await?;
    let Some(mut data) = personal::gather(&state.db, id).await? else {
        return Err(Error::not_found("没有这个人", "no such person"));
    };
    if data["person"]["id_number"]
        .as_str()
        .is_some_and(|n| !n.is_empty())
    {
        personal::log(&state.db, principal.account_id, id, "id-number", now).await?;
        // The log as it stands now, this export included.
        if let Some(again) = personal::gather(&state.db, id).await? {
            data["access_log"] = again["access_log"].clone();
        }
    }
    Ok(data)
}
