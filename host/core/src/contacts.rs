//! 包村干部: a township assigns each of its villages to one of its officers.
//! That officer's queue lists those villages first, and reminders and
//! escalations about the village go to them rather than to every officer
//! of the township; any officer of the township may still act (the action
//! log records who did).
//!
//! A township officer assigns within their township, a county trainer (and
//! above) within theirs.

use std::collections::HashMap;

use serde::Serialize;

use crate::auth::{Capability, Principal, Target, authorize};
use crate::clock::now;
use crate::db::{contacts, org_units};
use crate::error::Error;
use crate::state::AppState;

pub use contacts::Village;

/// A township's villages, their contacts, and the officers to choose from.
#[derive(Debug, Clone, Serialize)]
pub struct Township {
    /// Its code.
    pub code: String,
    /// Its name.
    pub name: String,
    /// Its villages, by code.
    pub villages: Vec<Village>,
    /// Its officers: (account id, name).
    pub officers: Vec<Officer>,
}

/// A township officer who may be a village's contact.
#[derive(Debug, Clone, Serialize)]
pub struct Officer {
    /// Their account.
    pub id: i64,
    /// Their name.
    pub name: String,
}

/// The township `code`, if the principal may assign its contacts.
async fn township_in_scope(
    state: &AppState,
    principal: &Principal,
    code: &str,
) -> Result<(String, String), Error> {
    let Some((unit, path)) = org_units::get(&state.db, code).await? else {
        return Err(Error::not_found("没有这个乡镇（街道）", "no such township"));
    };
    if authorize(principal, Capability::AssignContacts, Target::unit(&path)).is_none() {
        return Err(Error::forbidden());
    }
    if unit.level != org_units::Level::Township {
        return Err(Error::bad(
            "township",
            "包村干部按乡镇（街道）分配，请选择乡镇（街道）",
            "contacts are assigned per township: choose a township",
        ));
    }
    Ok((unit.code, unit.name))
}

/// The townships the principal assigns contacts in as a township officer
/// (their own), by code.
pub fn own_townships(principal: &Principal) -> Vec<String> {
    let mut codes: Vec<String> = principal
        .grants
        .iter()
        .filter(|g| g.role == baton_sdk::Role::TownshipOfficer)
        .filter_map(|g| g.unit_code.clone())
        .collect();
    codes.sort();
    codes.dedup();
    codes
}

/// The township `code`'s villages and contacts.
pub async fn township(
    state: &AppState,
    principal: &Principal,
    code: &str,
) -> Result<Township, Error> {
    let (code, name) = township_in_scope(state, principal, code).await?;
    let villages = contacts::of_township(&state.db, &code).await?;
    let officers = contacts::officers(&state.db, &code)
        .await?
        .into_iter()
        .map(|(id, name)| Officer { id, name })
        .collect();
    Ok(Township {
        code,
        name,
        villages,
        officers,
    })
}

/// Sets the contacts of villages of the township `code`: village code →
/// officer's account, or `None` for none. Every village must be the
/// township's and every officer one of its officers, or nothing changes and
/// the first wrong one is named (`contact.<village code>`). Returns how many
/// villages changed.
pub async fn assign(
    state: &AppState,
    principal: &Principal,
    code: &str,
    wanted: &HashMap<String, Option<i64>>,
) -> Result<usize, Error> {
    let township = township(state, principal, code).await?;
    let mut changes = Vec::new();
    let mut named: Vec<_> = wanted.iter().collect();
    named.sort();
    for (village, account) in named {
        let Some(v) = township.villages.iter().find(|v| v.code == *village) else {
            return Err(Error::bad(
                format!("contact.{village}"),
                format!("{village} 不是{}的村（社区）", township.name),
                format!("{village} is not a village of {}", township.name),
            ));
        };
        if let Some(account) = account
            && !township.officers.iter().any(|o| o.id == *account)
        {
            return Err(Error::bad(
                format!("contact.{village}"),
                format!("包村干部须是{}的乡镇干部", township.name),
                format!("the contact must be an officer of {}", township.name),
            ));
        }
        if v.contact != *account {
            changes.push((village.clone(), *account));
        }
    }
    contacts::set(&state.db, &changes, principal.account_id, now()).await?;
    Ok(changes.len())
}
