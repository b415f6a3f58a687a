//! The ceremony, each cadre's oath, and what the viewer can do next.

use baton_sdk::{Context, Role, View, format_date};
use serde::Serialize;

use crate::{Config, State};

#[derive(Serialize)]
struct Page<'a> {
    village: &'a str,
    done: u32,
    total: u32,
    complete: bool,
    date: Option<&'a str>,
    place: Option<&'a str>,
    oath: Option<&'a str>,
    cadres: Vec<CadreView<'a>>,
    can_schedule: bool,
    can_record: bool,
    can_confirm: bool,
}

#[derive(Serialize)]
struct CadreView<'a> {
    person_id: &'a str,
    name: &'a str,
    post: &'a str,
    /// `sworn`, `absent` or `unrecorded`.
    attendance: &'static str,
    reason: Option<&'a str>,
    confirmed: Option<String>,
}

pub(crate) fn render(ctx: &Context<Config>, state: &State) -> View {
    let role = ctx.actor.role;
    let ceremony = state.ceremony.as_ref();
    let held = state.cadres.iter().any(|c| c.attendance.is_some());
    let me = state
        .cadres
        .iter()
        .find(|c| c.person_id == ctx.actor.person_id);
    let progress = <crate::SwearingIn as baton_sdk::Module>::progress(state);
    let cadres = state
        .cadres
        .iter()
        .map(|c| CadreView {
            person_id: &c.person_id,
            name: &c.name,
            post: &c.post,
            attendance: match &c.attendance {
                Some(a) if a.present => "sworn",
                Some(_) => "absent",
                None => "unrecorded",
            },
            reason: c
                .attendance
                .as_ref()
                .filter(|a| !a.present)
                .map(|a| a.reason.as_str()),
            confirmed: c.confirmed.as_ref().map(|s| format_date(s.at)),
        })
        .collect();
    View::new(
        "swearing-in",
        &Page {
            village: &ctx.village.name,
            done: progress.done,
            total: progress.total,
            complete: progress.is_complete(),
            date: ceremony.map(|c| c.date.as_str()),
            place: ceremony.map(|c| c.place.as_str()),
            oath: ceremony.map(|c| c.oath.as_str()),
            cadres,
            can_schedule: role == Role::TownshipOfficer && !held,
            can_record: role == Role::TownshipOfficer && ceremony.is_some(),
            can_confirm: me.is_some_and(|c| {
                c.confirmed.is_none() && c.attendance.as_ref().is_some_and(|a| a.present)
            }),
        },
    )
}
