//! The trainer's dashboard: completion per township, then village, then
//! person, per module; a chart of completion over time; the overdue list;
//! CSV of any table; and reminders a learner sees on their next visit.

use std::fmt::Write as _;

use axum::Form;
use axum::extract::{Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use baton_sdk::Locale;
use serde::Deserialize;
use serde_json::{Value, json};

use super::page::Visit;
use super::{date, status_key};
use crate::acting::unit_in_scope;
use crate::auth::{Capability, Target, authorize};
use crate::db::org_units::{self, Level, OrgUnit};
use crate::db::reports;
use crate::http::{AppState, Error, now};
use crate::i18n::t;
use crate::notices::{OVERDUE_LIMIT, send_reminder};

/// Days the chart covers.
const CHART_DAYS: i64 = 30;

/// Which unit; which reminder was just sent.
#[derive(Debug, Deserialize)]
pub(super) struct Which {
    unit: Option<String>,
    reminded: Option<i64>,
}

pub(super) async fn dashboard(
    State(state): State<AppState>,
    visit: Visit,
    Query(q): Query<Which>,
) -> Result<Response, Error> {
    let code = q.unit.clone().filter(|c| !c.is_empty()).or_else(|| {
        visit
            .principal
            .grants
            .iter()
            .find_map(|g| g.unit_code.clone())
    });
    let now = now();
    // No unit and no unit of one's own: the nation, for whoever covers it.
    let (unit, path, own, children) = match code {
        Some(code) => {
            let (unit, path) =
                unit_in_scope(&state, &visit.principal, &code, Capability::ViewReports).await?;
            let (own, children) = reports::unit(&state.db, &code, now).await?;
            (unit, path, own, children)
        }
        None => {
            let target = Target::unit("/");
            authorize(&visit.principal, Capability::ViewReports, target)
                .ok_or_else(Error::forbidden)?;
            let nation = OrgUnit {
                code: String::new(),
                level: Level::Province,
                name: visit.t("county.nation"),
                parent_code: None,
            };
            let provinces = reports::nation(&state.db, now).await?;
            (nation, String::new(), Vec::new(), provinces)
        }
    };
    let code = unit.code.clone();
    let village = unit.level == Level::Village;
    let titles = Titles::new(&state, visit.locale);
    let mut totals = Vec::new();
    for l in &own {
        totals.push(json!({
            "module": titles.of(&l.module, &l.version).await,
            "enrolled": l.enrolled, "started": l.started, "completed": l.completed, "overdue": l.overdue,
            "pct": pct(l.completed, l.enrolled), "due": date(l.due_at),
        }));
    }
    let mut rows = Vec::new();
    for l in &children {
        rows.push(json!({
            "href": format!("/county?unit={}", l.unit_code),
            "unit": l.unit_name,
            "module": titles.of(&l.module, &l.version).await,
            "enrolled": l.enrolled, "started": l.started, "completed": l.completed, "overdue": l.overdue,
            "pct": pct(l.completed, l.enrolled),
        }));
    }
    let mut people = Vec::new();
    if village {
        for p in reports::village(&state.db, &code, now).await? {
            people.push(json!({
                "id": p.enrollment_id,
                "href": format!("/enrollments/{}", p.enrollment_id),
                "name": if p.name.is_empty() { visit.t("county.committee") } else { p.name.clone() },
                "module": titles.of(&p.module, &p.version).await,
                "done": p.done, "total": p.total, "pct": pct(p.done, p.total),
                "status": p.status, "status_label": visit.t(status_key(p.status)),
                "remind": p.status != "completed",
            }));
        }
    }
    let mut overdue = Vec::new();
    let late = reports::overdue(&state.db, &path, now, OVERDUE_LIMIT).await?;
    let ids: Vec<i64> = late.iter().map(|o| o.enrollment_id).collect();
    let turns = crate::db::turns::of(&state.db, &ids).await?;
    for o in late {
        // Whom it waits for: the roles its module awaits (a person by name
        // would need the roster; a role is what a trainer chases).
        let waits: Vec<String> = turns
            .get(&o.enrollment_id)
            .into_iter()
            .flatten()
            .filter_map(|t| t.role.map(|r| r.title().get(visit.locale).to_owned()))
            .fold(Vec::new(), |mut seen, who| {
                if !seen.contains(&who) {
                    seen.push(who);
                }
                seen
            });
        overdue.push(json!({
            "waits": waits.join("、"),
            "id": o.enrollment_id,
            "href": format!("/enrollments/{}", o.enrollment_id),
            "village": o.village,
            "name": if o.name.is_empty() { visit.t("county.committee") } else { o.name.clone() },
            "module": titles.of(&o.module, "").await,
            "done": o.done, "total": o.total, "due": date(o.due_at),
        }));
    }
    let sent = deliveries(
        &visit,
        crate::outbox::sent_by(&state, &visit.principal, now).await?,
    );
    let (enrolled, completed) = reports::completions(&state.db, &path).await?;
    let chart = chart(enrolled, &completed, now, visit.locale);
    let crumbs = breadcrumbs(&state, &visit, &path).await?;
    let csv = |report: &str| {
        let unit = if code.is_empty() {
            String::new()
        } else {
            format!("unit={code}&")
        };
        format!("/api/v1/reports/{report}?{unit}format=csv")
    };
    Ok(visit.page(
        "county",
        &format!("{} · {}", visit.t("county.title"), unit.name),
        json!({
            "unit": {"code": unit.code, "name": unit.name},
            "village": village,
            "crumbs": crumbs,
            "totals": totals,
            "rows": rows,
            "people": people,
            "overdue": overdue,
            "overdue_more": overdue.len() as i64 >= OVERDUE_LIMIT,
            "chart": chart,
            "csv": csv("completion"),
            "csv_totals": format!("{}&rows=total", csv("completion")),
            "csv_overdue": csv("overdue"),
            "as_of": date(now),
            "reminded": q.reminded.is_some(),
            "sent": sent,
        }),
    ))
}

fn pct(done: i64, of: i64) -> i64 {
    if of > 0 { done * 100 / of } else { 0 }
}

/// Module titles, looked up once per module and version.
struct Titles<'a> {
    state: &'a AppState,
    locale: Locale,
}

impl<'a> Titles<'a> {
    fn new(state: &'a AppState, locale: Locale) -> Self {
        Self { state, locale }
    }

    /// The module's title; its id when it cannot be loaded (or no version is known).
    async fn of(&self, module: &str, version: &str) -> String {
        let version = if version.is_empty() {
            crate::db::plugins::versions(&self.state.db, module)
                .await
                .ok()
                .and_then(|v| v.last().map(|v| v.version.clone()))
                .unwrap_or_default()
        } else {
            version.to_owned()
        };
        match self.state.plugin(module, &version).await {
            Ok(p) => p.info().title.get(self.locale).to_owned(),
            Err(_) => module.to_owned(),
        }
    }
}

/// The units from the top of the visitor's scope down to this one.
async fn breadcrumbs(state: &AppState, visit: &Visit, path: &str) -> Result<Vec<Value>, Error> {
    let mut out = Vec::new();
    let nation = Target::unit("/");
    if authorize(&visit.principal, Capability::ViewReports, nation).is_some() {
        out.push(json!({"href": "/county", "name": visit.t("county.nation")}));
    }
    for code in path.split('/').filter(|c| !c.is_empty()) {
        let Some((u, p)) = org_units::get(&state.db, code).await? else {
            continue;
        };
        let target = Target::unit(&p);
        if authorize(&visit.principal, Capability::ViewReports, target).is_some() {
            out.push(json!({"href": format!("/county?unit={}", u.code), "name": u.name}));
        }
    }
    Ok(out)
}

/// Completion over the last [`CHART_DAYS`] days as an SVG line, drawn here
/// so the phone downloads a few hundred bytes and runs no script.
fn chart(enrolled: i64, completed: &[i64], now: i64, locale: Locale) -> Value {
    const W: i64 = 320;
    const H: i64 = 120;
    const DAY: i64 = 86_400;
    let start = now - (CHART_DAYS - 1) * DAY;
    let mut points = String::new();
    let mut last = 0;
    for day in 0..CHART_DAYS {
        let end = start + day * DAY;
        let done = completed.partition_point(|&at| at <= end) as i64;
        last = done;
        let x = day * W / (CHART_DAYS - 1);
        let y = H - pct(done, enrolled) * H / 100;
        let _ = write!(points, "{x},{y} ");
    }
    let pct_now = pct(last, enrolled);
    let label = t(
        locale,
        "county.chart.label",
        &[
            ("days", CHART_DAYS.to_string()),
            ("pct", pct_now.to_string()),
            ("done", last.to_string()),
            ("enrolled", enrolled.to_string()),
        ],
    );
    let svg = format!(
        "<svg class=\"chart\" viewBox=\"-36 -10 {w} {h}\" role=\"img\" aria-label=\"{label}\" xmlns=\"http://www.w3.org/2000/svg\">\
         <line x1=\"0\" y1=\"{H}\" x2=\"{W}\" y2=\"{H}\" class=\"axis\"/>\
         <line x1=\"0\" y1=\"0\" x2=\"0\" y2=\"{H}\" class=\"axis\"/>\
         <line x1=\"0\" y1=\"0\" x2=\"{W}\" y2=\"0\" class=\"grid\"/>\
         <line x1=\"0\" y1=\"{half}\" x2=\"{W}\" y2=\"{half}\" class=\"grid\"/>\
         <text x=\"-4\" y=\"4\" text-anchor=\"end\">100%</text>\
         <text x=\"-4\" y=\"{half4}\" text-anchor=\"end\">50%</text>\
         <text x=\"-4\" y=\"{H}\" text-anchor=\"end\">0</text>\
         <text x=\"0\" y=\"{below}\">{from}</text>\
         <text x=\"{W}\" y=\"{below}\" text-anchor=\"end\">{to}</text>\
         <polyline points=\"{points}\" class=\"line\"/></svg>",
        w = W + 46,
        h = H + 30,
        half = H / 2,
        half4 = H / 2 + 4,
        below = H + 16,
        from = date(start),
        to = date(now),
        label = handlebars::html_escape(&label),
        points = points.trim_end(),
    );
    json!({"svg": svg, "label": label, "pct": pct_now})
}

/// The reminder form.
#[derive(Debug, Deserialize)]
pub(super) struct Remind {
    #[serde(rename = "_csrf")]
    csrf: Option<String>,
    enrollment: i64,
    /// The dashboard's unit, to go back to.
    unit: Option<String>,
}

pub(super) async fn remind(
    State(state): State<AppState>,
    visit: Visit,
    Form(form): Form<Remind>,
) -> Result<Response, Error> {
    visit.check(form.csrf.as_deref())?;
    send_reminder(&state, &visit.principal, form.enrollment).await?;
    let unit = form.unit.unwrap_or_default();
    let q =
        serde_urlencoded::to_string([("unit", unit), ("reminded", form.enrollment.to_string())])
            .unwrap_or_default();
    Ok(Redirect::to(&format!("/county?{q}")).into_response())
}

/// Notices with their deliveries (`crate::outbox`), as a page lists them:
/// the channel and status in the reader's words, the address masked.
pub(super) fn deliveries(visit: &Visit, notices: Vec<Value>) -> Vec<Value> {
    notices
        .into_iter()
        .map(|n| {
            let message = serde_json::from_value::<baton_sdk::Text>(n["message"].clone())
                .map(|m| m.get(visit.locale).to_owned())
                .unwrap_or_default();
            let channels: Vec<Value> = n["deliveries"]
                .as_array()
                .into_iter()
                .flatten()
                .map(|d| {
                    let word = |prefix: &str, key: &Value| {
                        visit.t(&format!("{prefix}.{}", key.as_str().unwrap_or_default()))
                    };
                    json!({
                        "channel": word("outbox.channel", &d["channel"]),
                        "status": d["status"],
                        "label": word("outbox.status", &d["status"]),
                        "address": d["address"],
                        "error": d["error"],
                    })
                })
                .collect();
            json!({
                "enrollment_id": n["enrollment_id"],
                "village": n["village"],
                "message": message,
                "date": date(n["at"].as_i64().unwrap_or_default()),
                "deliveries": channels,
            })
        })
        .collect()
}
