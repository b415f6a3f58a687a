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
    can_approve: bool,
    can_pay: bool,
    can_acknowledge: bool,
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
    condolence: u32,
}

#[derive(Serialize)]
struct SubsidyView<'a> {
    applied: bool,
    note: &'a str,
    by: StampView<'a>,
    monthly: u32,
    approval: Option<ApprovalView<'a>>,
    payments: Vec<PaymentView<'a>>,
    paid: u64,
    acknowledged: Option<StampView<'a>>,
}

#[derive(Serialize)]
struct ApprovalView<'a> {
    approved: bool,
    monthly: u32,
    note: &'a str,
    by: StampView<'a>,
}

#[derive(Serialize)]
struct PaymentView<'a> {
    paid_on: &'a str,
    amount: u32,
    note: &'a str,
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
    let me = ctx.actor.person_id.as_str();
    let people = state
        .people
        .iter()
        .map(|p| person_view(p, role, me))
        .collect();
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

fn person_view<'a>(p: &'a Person, role: Role, ctx_person: &str) -> PersonView<'a> {
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
                condolence: t.condolence,
            })
            .collect(),
        subsidy: p.subsidy.as_ref().map(|s| SubsidyView {
            applied: s.applied,
            note: &s.note,
            by: s.recorded.view(),
            monthly: s.monthly,
            approval: s.approval.as_ref().map(|a| ApprovalView {
                approved: a.approved,
                monthly: a.monthly,
                note: &a.note,
                by: a.stamp.view(),
            }),
            payments: s
                .payments
                .iter()
                .map(|x| PaymentView {
                    paid_on: &x.paid_on,
                    amount: x.amount,
                    note: &x.note,
                })
                .collect(),
            paid: s.paid(),
            acknowledged: s.acknowledged.as_ref().map(|a| a.view()),
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
        can_subsidy: officer
            && p.subsidy_eligible
            && p.subsidy.as_ref().is_none_or(|s| s.approval.is_none()),
        can_approve: role == Role::TownshipOfficer
            && p.subsidy
                .as_ref()
                .is_some_and(|s| s.applied && s.approval.is_none()),
        can_pay: officer
            && p.subsidy
                .as_ref()
                .and_then(|s| s.approval.as_ref())
                .is_some_and(|a| a.approved),
        can_acknowledge: role == Role::OutgoingCadre
            && ctx_person == p.person_id
            && p.subsidy
                .as_ref()
                .is_some_and(|s| !s.payments.is_empty() && s.acknowledged.is_none()),
        can_ceremony: officer && p.departure == Departure::Retired,
        can_pair: role == Role::Secretary && p.was_secretary() && p.pairing.is_none(),
    }
}
