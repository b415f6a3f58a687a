//! The committee's page, and the public page any villager can read once the
//! commitments are published: commitments, milestones (overdue ones marked)
//! and the plan, without the visit notes.

use baton_sdk::{Context, Role, Stamp, StampView, View, format_date};
use serde::Serialize;

use crate::{Commitment, Config, Kind, Milestone, Plan, Satisfaction, State};

#[derive(Serialize)]
struct Page<'a> {
    village: &'a str,
    /// Once published: the A4 poster of the public page, for the notice board.
    poster: Option<String>,
    township: &'a str,
    done: u32,
    total: u32,
    complete: bool,
    households: u32,
    household_target: u32,
    visits: Vec<VisitsView<'a>>,
    plan: Option<&'a Plan>,
    commitments: Vec<CommitmentView<'a>>,
    published: Option<StampView<'a>>,
    overdue: usize,
    can_visit: bool,
    can_edit: bool,
    can_report: bool,
    can_verify: bool,
    /// The 民情台账, to the committee and the township; never public.
    ledger: Vec<RequestView<'a>>,
    /// Requests in all.
    ledger_count: usize,
    /// Requests past their deadline and not closed.
    ledger_overdue: usize,
    can_log: bool,
    /// Who of the committee signed the commitments, and who has yet to.
    signed_by: Vec<&'a str>,
    unsigned: Vec<&'a str>,
    can_sign: bool,
}

#[derive(Serialize)]
struct RequestView<'a> {
    id: u32,
    household: &'a str,
    request: &'a str,
    responsible: &'a str,
    deadline: &'a str,
    overdue: bool,
    result: Option<&'a str>,
    /// `satisfied`, `fair` or `dissatisfied`, once closed.
    satisfaction: Option<&'static str>,
}

#[derive(Serialize)]
struct VisitsView<'a> {
    date: &'a str,
    households: u32,
    issues: &'a [String],
    by: &'a str,
}

#[derive(Serialize)]
struct CommitmentView<'a> {
    kind: &'static str,
    title: &'a str,
    text: &'a str,
    conditions: &'a [String],
    milestones: Vec<MilestoneView<'a>>,
}

#[derive(Serialize)]
struct MilestoneView<'a> {
    index: usize,
    title: &'a str,
    due: &'a str,
    /// `verified`, `reported`, `overdue` or `pending`.
    status: &'static str,
    reports: Vec<ReportView<'a>>,
    verified: Option<StampView<'a>>,
}

#[derive(Serialize)]
struct ReportView<'a> {
    evidence: &'a str,
    photos: &'a [String],
    by: StampView<'a>,
}

fn status(m: &Milestone, today: &str) -> &'static str {
    match (&m.verified, m.reports.is_empty()) {
        (Some(_), _) => "verified",
        (None, _) if m.due.as_str() < today => "overdue",
        (None, false) => "reported",
        (None, true) => "pending",
    }
}

fn commitment_view<'a>(c: &'a Commitment, today: &str) -> CommitmentView<'a> {
    CommitmentView {
        kind: c.kind.key(),
        title: &c.title,
        text: &c.text,
        conditions: &c.conditions,
        milestones: c
            .milestones
            .iter()
            .enumerate()
            .map(|(index, m)| MilestoneView {
                index,
                title: &m.title,
                due: &m.due,
                status: status(m, today),
                reports: m
                    .reports
                    .iter()
                    .map(|r| ReportView {
                        evidence: &r.evidence,
                        photos: &r.photos,
                        by: r.by.view(),
                    })
                    .collect(),
                verified: m.verified.as_ref().map(|v| v.stamp.view()),
            })
            .collect(),
    }
}

pub(crate) fn render(ctx: &Context<Config>, state: &State) -> View {
    let role = ctx.actor.role;
    let public = ctx.is_public();
    // A villager sees nothing before publication; the committee sees its drafts.
    let shown = !public || state.published.is_some();
    let today = format_date(ctx.now + 8 * 3600);
    let mut commitments: Vec<CommitmentView<'_>> = Vec::new();
    if shown {
        commitments = Kind::ALL
            .iter()
            .filter_map(|k| state.commitment(*k))
            .map(|c| commitment_view(c, &today))
            .collect();
    }
    let overdue = commitments
        .iter()
        .flat_map(|c| &c.milestones)
        .filter(|m| m.status == "overdue")
        .count();
    let progress = <crate::OpenDoor as baton_sdk::Module>::progress(state);
    let published = state.published.is_some();
    let committee = matches!(role, Role::Secretary | Role::Member);
    let ledger: Vec<RequestView<'_>> = if public {
        Vec::new()
    } else {
        state
            .ledger
            .iter()
            .map(|r| RequestView {
                id: r.id,
                household: &r.household,
                request: &r.request,
                responsible: &r.responsible,
                deadline: &r.deadline,
                overdue: r.closed.is_none() && r.deadline.as_str() < today.as_str(),
                result: r.closed.as_ref().map(|c| c.result.as_str()),
                satisfaction: r.closed.as_ref().map(|c| match c.satisfaction {
                    Satisfaction::Satisfied => "satisfied",
                    Satisfaction::Fair => "fair",
                    Satisfaction::Dissatisfied => "dissatisfied",
                }),
            })
            .collect()
    };
    let ledger_overdue = ledger.iter().filter(|r| r.overdue).count();
    let signed = |id: &str| state.signatures.iter().any(|s| s.person_id == id);
    let signed_by: Vec<&str> = state.signatures.iter().map(|s| s.name.as_str()).collect();
    let unsigned: Vec<&str> = if published {
        ctx.people()
            .into_iter()
            .filter(|m| !signed(&m.person_id))
            .map(|m| m.name.as_str())
            .collect()
    } else {
        Vec::new()
    };
    let page = Page {
        village: &ctx.village.name,
        poster: (published && !public)
            .then(|| format!("/public/villages/{}/open-door?poster=1", ctx.village.code)),
        township: &ctx.village.township,
        done: progress.done,
        total: progress.total,
        complete: progress.is_complete(),
        households: state.households(),
        household_target: state.household_target,
        visits: if public {
            Vec::new()
        } else {
            state
                .visits
                .iter()
                .map(|v| VisitsView {
                    date: &v.date,
                    households: v.households,
                    issues: &v.issues,
                    by: &v.by.name,
                })
                .collect()
        },
        plan: state.plan.as_ref().filter(|_| shown),
        commitments,
        published: state.published.as_ref().map(Stamp::view),
        overdue,
        can_visit: !public && matches!(role, Role::Secretary | Role::Member),
        can_edit: !public && role == Role::Secretary && !published,
        can_report: !public && matches!(role, Role::Secretary | Role::Member) && published,
        can_verify: role == Role::TownshipOfficer && published,
        ledger_count: ledger.len(),
        ledger,
        ledger_overdue,
        can_log: !public && committee,
        signed_by,
        unsigned,
        can_sign: !public && committee && published && !signed(&ctx.actor.person_id),
    };
    let template = if public {
        baton_sdk::PUBLIC_TEMPLATE
    } else {
        "opening"
    };
    View::new(template, &page)
}
