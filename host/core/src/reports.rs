//! Use case: what a reader may know of completion — a unit's report, its
//! work list, the overdue list, the 30-day chart, the look-back's open
//! problems, a township officer's villages — each read for a scope the reader
//! was first checked against. The API and the pages read these, never the
//! store.

use std::collections::HashMap;

use crate::acting::open_all;
use baton_sdk::Role;

use crate::auth::{Capability, Principal, Target, authorize};
use crate::db::{enrollments, org_units, reports, turns};
use crate::error::Error;
use crate::state::AppState;

pub use crate::db::org_units::{Level, OrgUnit};
pub use crate::db::reports::{
    Line, Overdue, Person, STUCK_AFTER, VillageModule, WORK_STATUSES, WorkFilter, WorkRow, status,
};
pub use crate::db::turns::Turn;

/// A unit whose reports the reader may see, or the nation (`unit` is
/// `None`, the path empty).
#[derive(Debug, Clone)]
pub struct Scope {
    /// The unit; `None` for the nation.
    pub unit: Option<OrgUnit>,
    /// Its code path (`/50/5001/…/`); empty for the nation.
    pub path: String,
}

impl Scope {
    /// The unit's code; empty for the nation.
    pub fn code(&self) -> &str {
        self.unit.as_ref().map_or("", |u| u.code.as_str())
    }

    /// Whether it is a village (whose report lists people).
    pub fn is_village(&self) -> bool {
        self.unit
            .as_ref()
            .is_some_and(|u| u.level == Level::Village)
    }
}

/// The unit `code` (no code: the nation) if `principal` may read its
/// reports: 404 when there is no such unit, 403 when it is out of scope.
pub async fn scope(
    state: &AppState,
    principal: &Principal,
    code: Option<&str>,
) -> Result<Scope, Error> {
    let Some(code) = code.filter(|c| !c.is_empty()) else {
        // The nation: only a grant covering every path reaches "/".
        authorize(principal, Capability::ViewReports, Target::unit("/"))
            .ok_or_else(Error::forbidden)?;
        return Ok(Scope {
            unit: None,
            path: String::new(),
        });
    };
    let (unit, path) = org_units::get(&state.db, code).await?.ok_or_else(|| {
        Error::not_found(
            format!("没有区划代码 {code}"),
            format!("no org unit {code}"),
        )
    })?;
    authorize(principal, Capability::ViewReports, Target::unit(&path))
        .ok_or_else(Error::forbidden)?;
    Ok(Scope {
        unit: Some(unit),
        path,
    })
}

/// A scope's completion, counted the instant each action lands.
#[derive(Debug)]
pub struct Completion {
    /// The unit's own lines, one per assignment (none for the nation).
    pub own: Vec<Line>,
    /// Each child unit's lines (the nation's: its provinces').
    pub children: Vec<Line>,
    /// A village's people, one line per enrollment (empty above a village).
    pub people: Vec<Person>,
}

/// [`Completion`] of a scope.
pub async fn completion(state: &AppState, scope: &Scope, now: i64) -> Result<Completion, Error> {
    let Some(unit) = &scope.unit else {
        return Ok(Completion {
            own: Vec::new(),
            children: reports::nation(&state.db, now).await?,
            people: Vec::new(),
        });
    };
    let (own, children) = reports::unit(&state.db, &unit.code, now).await?;
    let people = if scope.is_village() {
        reports::village(&state.db, &unit.code, now).await?
    } else {
        Vec::new()
    };
    Ok(Completion {
        own,
        children,
        people,
    })
}

/// Enrollments past due and not complete under a scope, longest overdue first.
pub async fn overdue(
    state: &AppState,
    scope: &Scope,
    now: i64,
    limit: i64,
) -> Result<Vec<Overdue>, Error> {
    Ok(reports::overdue(&state.db, &scope.path, now, limit).await?)
}

/// Completions per Beijing day under a scope (the chart's points).
pub async fn completion_days(state: &AppState, scope: &Scope) -> Result<Vec<(String, i64)>, Error> {
    let code = Some(scope.code()).filter(|c| !c.is_empty());
    Ok(reports::completion_days(&state.db, code).await?)
}

/// The look-back's open problems under a scope, by the role they wait on.
pub async fn rectifications(state: &AppState, scope: &Scope) -> Result<Vec<(String, i64)>, Error> {
    Ok(reports::rectifications(&state.db, &scope.path).await?)
}

/// The units a scope's work list may be narrowed to: its children (none for
/// the nation or a village).
pub async fn children(state: &AppState, scope: &Scope) -> Result<Vec<OrgUnit>, Error> {
    match &scope.unit {
        Some(u) if u.level != Level::Village => {
            Ok(org_units::children(&state.db, Some(&u.code)).await?)
        }
        _ => Ok(Vec::new()),
    }
}

/// The units from the top of the reader's scope down to `scope` (the trail
/// back up): `nation` when the reader covers it, then each unit on the path
/// the reader may read.
pub async fn trail(
    state: &AppState,
    principal: &Principal,
    scope: &Scope,
) -> Result<(bool, Vec<OrgUnit>), Error> {
    let nation = authorize(principal, Capability::ViewReports, Target::unit("/")).is_some();
    let mut units = Vec::new();
    for (u, p) in org_units::on_path(&state.db, &scope.path).await? {
        if authorize(principal, Capability::ViewReports, Target::unit(&p)).is_some() {
            units.push(u);
        }
    }
    Ok((nation, units))
}

/// One page of a scope's work list (`skip` rows in, at most `limit`), in a
/// stable order, with whom each row waits for. `filter.within` narrows to a
/// unit under the scope that the reader may read (400 when it is not under
/// the scope). Rows are opened first where no one has yet, so whom they
/// wait for is known (at most `open` of them).
pub async fn work(
    state: &AppState,
    principal: &Principal,
    scope: &Scope,
    filter: &WorkFilter,
    now: i64,
    (skip, limit, open): (i64, i64, usize),
) -> Result<(Vec<WorkRow>, HashMap<i64, Vec<Turn>>), Error> {
    let path = match &filter.within {
        Some(within) => {
            let (_, inner) =
                crate::acting::unit_in_scope(state, principal, within, Capability::ViewReports)
                    .await?;
            if !inner.starts_with(&scope.path) {
                return Err(Error::bad(
                    "within",
                    "不在本页范围内",
                    "is not under this page's unit",
                ));
            }
            inner
        }
        None => scope.path.clone(),
    };
    // The walk is in a stable order: a later page is the same walk, further.
    let mut found = reports::work_list(&state.db, &path, now, filter, skip + limit).await?;
    found.drain(..found.len().min(usize::try_from(skip).unwrap_or(usize::MAX)));
    let ids: Vec<i64> = found.iter().map(|o| o.enrollment_id).collect();
    let mut unopened = enrollments::unopened_of(&state.db, &ids[..ids.len().min(open)]).await?;
    open_all(state, &mut unopened).await?;
    let turns = turns::of(&state.db, &ids).await?;
    Ok((found, turns))
}

/// Each village of the reader's townships (as a township officer), one line
/// per module: completion and what waits there.
pub async fn my_villages(
    state: &AppState,
    principal: &Principal,
    now: i64,
) -> Result<Vec<VillageModule>, Error> {
    let mut out = Vec::new();
    for path in principal
        .grants
        .iter()
        .filter(|g| g.role == Role::TownshipOfficer)
        .filter_map(|g| g.path.as_deref())
    {
        out.extend(reports::villages(&state.db, path, now).await?);
    }
    Ok(out)
}
