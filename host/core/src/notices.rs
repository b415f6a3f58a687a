//! Notices and reminders: what a person is told (a module's message, a
//! trainer's reminder), and what waits for a township officer.

use baton_sdk::{Locale, Role, Text};

use crate::acting::reach;
use crate::auth::{Capability, Principal};
use crate::clock::now;
use crate::db::notices;
pub use crate::db::notices::{Shown, Waiting};
use crate::error::Error;
use crate::state::AppState;

/// How far back "my notices" go.
pub const NOTICE_DAYS: i64 = 14;

/// Overdue enrollments answered at most (the CSV has them all).
pub const OVERDUE_LIMIT: i64 = 100;

/// The signed-in person's notices of the last [`NOTICE_DAYS`] days; `mark`
/// remembers they were seen, so the next look shows none as new.
pub async fn my_notices(
    state: &AppState,
    principal: &Principal,
    mark: bool,
) -> Result<Vec<Shown>, Error> {
    let roles: Vec<(String, &str)> = principal
        .grants
        .iter()
        .filter(|g| matches!(g.role, Role::Secretary | Role::Member | Role::OutgoingCadre))
        .filter_map(|g| Some((g.unit_code.clone()?, g.role.as_str())))
        .collect();
    let now = now();
    let shown = notices::for_person(
        &state.db,
        principal.account_id,
        principal.person_id,
        &roles,
        now - NOTICE_DAYS * 86_400,
    )
    .await?;
    // Nothing new, nothing to remember: a look at 我的任务 is a read, not a
    // write (it was a committed UPDATE on every view).
    if mark && shown.iter().any(|n| n.new) {
        notices::seen(&state.db, principal.account_id, now).await?;
    }
    Ok(shown)
}

/// Records a reminder, from `principal`, to whoever the enrollment waits for
/// (its module's `awaiting`: a township officer holding up a handover is
/// reminded, not the secretary); without turns, to the enrollment's person
/// (or the village's secretary for a committee's enrollment).
pub async fn send_reminder(state: &AppState, principal: &Principal, id: i64) -> Result<(), Error> {
    let (e, _) = reach(state, principal, id, Capability::Remind).await?;
    let plugin = state.plugin(&e.plugin_id, &e.plugin_version).await?;
    let title = &plugin.info().title;
    let due = crate::clock::date(e.due_at);
    let who = principal.display_name.clone();
    let say = |locale: Locale, module: &str| {
        crate::i18n::t(
            locale,
            "county.reminder",
            &[
                ("who", who.clone()),
                ("module", module.to_owned()),
                ("due", due.clone()),
            ],
        )
    };
    let message = Text::new(say(Locale::ZhCn, &title.zh), say(Locale::En, &title.en));
    let turns = crate::db::turns::of(&state.db, &[e.id]).await?;
    let to = awaited(turns.get(&e.id).map_or(&[][..], Vec::as_slice), e.person_id);
    notices::remind(&state.db, e.id, &to, &message, principal.account_id, now()).await?;
    Ok(())
}

/// Whom a reminder about an enrollment goes to: whoever it waits for (its
/// module's turns: a township officer holding up a handover, not the
/// secretary), else its person, else the village's secretary. As notice
/// recipients (`person:ID`, `role:ROLE`).
pub fn awaited(turns: &[crate::db::turns::Turn], person: Option<i64>) -> Vec<String> {
    let mut to: Vec<String> = turns
        .iter()
        .filter_map(|t| match (&t.person_id, t.role) {
            (Some(p), _) => Some(format!("person:{p}")),
            (None, Some(r)) => Some(format!("role:{r}")),
            (None, None) => None,
        })
        .collect();
    to.dedup();
    if to.is_empty() {
        to.push(person.map_or_else(|| "role:secretary".to_owned(), |p| format!("person:{p}")));
    }
    to
}

/// Most enrollments one request reminds.
pub const REMIND_AT_ONCE: usize = 500;

/// Reminds each of `ids` ([`send_reminder`]), after checking the principal
/// may remind every one: one out of scope refuses them all, nothing sent.
pub async fn send_reminders(
    state: &AppState,
    principal: &Principal,
    ids: &[i64],
) -> Result<usize, Error> {
    if ids.is_empty() || ids.len() > REMIND_AT_ONCE {
        return Err(Error::bad(
            "enrollments",
            format!("请选择 1 到 {REMIND_AT_ONCE} 项"),
            format!("choose 1 to {REMIND_AT_ONCE}"),
        ));
    }
    let mut unique = ids.to_vec();
    unique.sort_unstable();
    unique.dedup();
    for id in &unique {
        reach(state, principal, *id, Capability::Remind).await?;
    }
    for id in &unique {
        send_reminder(state, principal, *id).await?;
    }
    Ok(unique.len())
}

/// What waits for the principal as a township officer, in all their townships.
/// What enrollments in the principal's scope await of the staff roles above
/// the township they hold (county trainer, city officer, province
/// administrator): the county's filing of a pledge, a look-back's review.
/// Oldest first; at most `limit` of the turns are read.
pub async fn awaiting_staff(
    state: &AppState,
    principal: &Principal,
    limit: i64,
) -> Result<Vec<Waiting>, Error> {
    let mut all = Vec::new();
    for g in &principal.grants {
        if !matches!(
            g.role,
            Role::CountyTrainer | Role::CityOfficer | Role::ProvinceAdmin
        ) {
            continue;
        }
        let path = g.path.as_deref().unwrap_or("/");
        all.extend(
            crate::db::turns::waiting_for_role(&state.db, g.role.as_str(), path, limit).await?,
        );
    }
    all.sort_by_key(|w| w.at);
    // A grant at a county and another at its city see the same turns once.
    let mut seen = std::collections::HashSet::new();
    all.retain(|w| seen.insert(w.enrollment_id));
    Ok(all)
}

/// The township's queue: every enrollment under the officer's townships
/// waiting for a township officer, oldest first (unopened ones opened first,
/// so their first turns count).
pub async fn waiting(state: &AppState, principal: &Principal) -> Result<Vec<Waiting>, Error> {
    let paths: Vec<&str> = principal
        .grants
        .iter()
        .filter(|g| g.role == Role::TownshipOfficer)
        .filter_map(|g| g.path.as_deref())
        .collect();
    if paths.is_empty() {
        return Err(Error::forbidden());
    }
    let mut all = Vec::new();
    for path in paths {
        let mut unopened = crate::db::enrollments::unopened_under(&state.db, path).await?;
        crate::acting::open_all(state, &mut unopened).await?;
        // Modules on contract 0.2.0 say whose turn it is: exactly those.
        all.extend(crate::db::turns::waiting_for_township(&state.db, path).await?);
        // Modules on 0.1.0 cannot; their requests to the role are inferred
        // from notices not yet answered by a township officer's action.
        for w in notices::waiting_for_township(&state.db, path).await? {
            let module = state.plugin(&w.module, &w.version).await?;
            if module.contract() == crate::runtime::Contract::V0_1 {
                all.push(w);
            }
        }
    }
    // The villages the officer is 包村干部 of come first; every village's
    // contact is named, so another officer sees whose it is.
    let villages: Vec<&str> = all.iter().map(|w| w.village_code.as_str()).collect();
    let contacts = crate::db::contacts::of(&state.db, &villages).await?;
    for w in &mut all {
        if let Some((account, name)) = contacts.get(&w.village_code) {
            w.mine = *account == principal.account_id;
            w.contact = Some(name.clone());
        }
    }
    all.sort_by_key(|w| (!w.mine, w.at));
    Ok(all)
}
