//! What each party sees: every outgoing cadre, their talks and steps, and
//! what the viewer can do next.

use baton_sdk::{Context, Departure, Role, StampView, View};
use serde::Serialize;

use crate::{Config, Person, State, Step};

#[derive(Serialize)]
struct Page<'a> {
    village: &'a str,
    done: u32,
    total: u32,
    complete: bool,
    ready: bool,
    confirmed: Option<StampView<'a>>,
    remarks: Option<&'a str>,
    can_confirm: bool,
    people: Vec<PersonView<'a>>,
}

#[derive(Serialize)]
struct PersonView<'a> {
    person_id: &'a str,
    name: &'a str,
    post: &'a str,
    /// `retired`, `defeated` or `transferred`.
    departure: &'static str,
    years_served: u32,
    subsidy_eligible: bool,
    done: bool,
    /// Required steps not done yet: `talk`, `subsidy`, `ceremony`, `pairing`.
    missing: Vec<&'static str>,
    talks: Vec<TalkView<'a>>,
    subsidy: Option<SubsidyView<'a>>,
    ceremony: Option<CeremonyView<'a>>,
    pairing: Option<PairingView<'a>>,
    can_talk: bool,
    can_subsidy: bool,
    can_ceremony: bool,
    can_pair: bool,
}

#[derive(Serialize)]
struct TalkView<'a> {
    date: &'a str,
    visitors: String,
    discussed: &'a str,
    follow_ups: &'a [String],
    logged_by: &'a str,
}

#[derive(Serialize)]
struct SubsidyView<'a> {
    applied: bool,
    note: &'a str,
    by: StampView<'a>,
}

#[derive(Serialize)]
struct CeremonyView<'a> {
    date: &'a str,
    note: &'a str,
}

#[derive(Serialize)]
struct PairingView<'a> {
    plan: &'a str,
    by: StampView<'a>,
}

fn step_name(step: Step) -> &'static str {
    match step {
        Step::Subsidy => "subsidy",
        Step::Ceremony => "ceremony",
        Step::Pairing => "pairing",
    }
}

pub(crate) fn render(ctx: &Context<Config>, state: &State) -> View {
    let role = ctx.actor.role;
    let progress = <crate::Visits as baton_sdk::Module>::progress(state);
    let ready = state.people.iter().all(|p| {
        let (done, total) = p.steps();
        done == total
    });
    let people = state.people.iter().map(|p| person_view(p, role)).collect();
    View::new(
        "visits",
        &Page {
            village: &ctx.village.name,
            done: progress.done,
            total: progress.total,
            complete: progress.is_complete(),
            ready,
            confirmed: state.confirmed.as_ref().map(|c| c.stamp.view()),
            remarks: state
                .confirmed
                .as_ref()
                .map(|c| c.remarks.as_str())
                .filter(|r| !r.is_empty()),
            can_confirm: role == Role::TownshipOfficer && ready && state.confirmed.is_none(),
            people,
        },
    )
}

fn person_view(p: &Person, role: Role) -> PersonView<'_> {
    let (done, total) = p.steps();
    let mut missing = Vec::new();
    if p.talks.is_empty() {
        missing.push("talk");
    }
    missing.extend(
        p.required
            .iter()
            .filter(|s| !p.has(**s))
            .map(|s| step_name(*s)),
    );
    let officer = matches!(role, Role::Secretary | Role::TownshipOfficer);
    PersonView {
        person_id: &p.person_id,
        name: &p.name,
        post: &p.post,
        departure: match p.departure {
            Departure::Retired => "retired",
            Departure::Defeated => "defeated",
            Departure::Transferred => "transferred",
        },
        years_served: p.years_served,
        subsidy_eligible: p.subsidy_eligible,
        done: done == total,
        missing,
        talks: p
            .talks
            .iter()
            .map(|t| TalkView {
                date: &t.date,
                visitors: t.visitors.join("、"),
                discussed: &t.discussed,
                follow_ups: &t.follow_ups,
                logged_by: &t.logged.name,
            })
            .collect(),
        subsidy: p.subsidy.as_ref().map(|s| SubsidyView {
            applied: s.applied,
            note: &s.note,
            by: s.recorded.view(),
        }),
        ceremony: p.ceremony.as_ref().map(|c| CeremonyView {
            date: &c.date,
            note: &c.note,
        }),
        pairing: p.pairing.as_ref().map(|x| PairingView {
            plan: &x.plan,
            by: x.new_secretary.view(),
        }),
        can_talk: matches!(role, Role::Secretary | Role::Member | Role::TownshipOfficer),
        can_subsidy: officer && p.subsidy_eligible,
        can_ceremony: officer && p.departure == Departure::Retired,
        can_pair: role == Role::Secretary && p.was_secretary() && p.pairing.is_none(),
    }
}
