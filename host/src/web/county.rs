//! The trainer's dashboard: completion per township, then village, then
//! person, per module; a chart of completion over time; the overdue list;
//! CSV of any table; and reminders a learner sees on their next visit.

use std::fmt::Write as _;

use axum::extract::{Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use baton_sdk::Locale;
use serde::Deserialize;
use serde_json::{Value, json};

use super::page::Visit;
use super::{date, status_key};
use crate::export::{Cell, Table};
use crate::i18n::t;
use crate::notices::send_reminders;
use crate::reports::{self, Level, OrgUnit, Scope};
use crate::shared::{AppState, Error, now};

/// Days the chart covers.
const CHART_DAYS: i64 = 30;

/// Which unit; how many reminders were just sent; the work list's filters.
#[derive(Debug, Deserialize)]
pub(super) struct Which {
    unit: Option<String>,
    reminded: Option<i64>,
    /// 提醒 was pressed with no row ticked.
    pick_first: Option<String>,
    within: Option<String>,
    module: Option<String>,
    status: Option<String>,
    q: Option<String>,
    sort: Option<String>,
    /// The work list's page, from 1.
    page: Option<String>,
}

/// Rows a work list shows a page (the exports have them all): a phone's
/// screenful or a few, and a page the nation's dashboard builds in a few
/// milliseconds (at 200 rows it was 150 KB and 13 ms, the heaviest page
/// under load).
pub const WORK_LIMIT: i64 = 50;
/// The most of the visitor's own tasks the page lists (oldest first).
const MINE_LIMIT: i64 = 50;
/// The furthest page: past 10,000 rows, narrow the list or export it.
const WORK_PAGES: u32 = 200;

pub(super) async fn dashboard(
    State(state): State<AppState>,
    visit: Visit,
    Query(q): Query<Which>,
) -> Result<Response, Error> {
    let code = visit.unit_or_own(q.unit.as_deref());
    let now = now();
    // No unit and no unit of one's own: the nation, for whoever covers it.
    let scope = reports::scope(&state, &visit.principal, code.as_deref()).await?;
    let reports::Completion {
        own,
        children,
        people: village_people,
    } = reports::completion(&state, &scope, now).await?;
    let unit = shown_unit(&scope, &visit);
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
        // A count opens its own rows: this unit's, this module's, this status's.
        let rows_of = |status: &str| {
            format!(
                "/county?unit={code}&within={}&module={}&status={status}#work",
                l.unit_code, l.module
            )
        };
        rows.push(json!({
            "href": format!("/county?unit={}", l.unit_code),
            "all": rows_of("all"), "started_href": rows_of("started"),
            "completed_href": rows_of("completed"), "overdue_href": rows_of("overdue"),
            "unit": l.unit_name,
            "module": titles.of(&l.module, &l.version).await,
            "enrolled": l.enrolled, "started": l.started, "completed": l.completed, "overdue": l.overdue,
            "pct": pct(l.completed, l.enrolled),
        }));
    }
    let mut people = Vec::new();
    if village {
        for p in village_people {
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
    let filter = reports::WorkFilter {
        within: q.within.clone().filter(|w| !w.is_empty()),
        module: q.module.clone().filter(|m| !m.is_empty()),
        // Unchosen, the list shows what needs action: the overdue while any
        // are (the roll-ups know at no cost), else everything unfinished —
        // early in a term nothing is overdue and an empty list helps nobody.
        status: q
            .status
            .clone()
            .filter(|s| reports::WORK_STATUSES.contains(&s.as_str()))
            .or_else(|| {
                let overdue: i64 = if code.is_empty() { &children } else { &own }
                    .iter()
                    .map(|l| l.overdue)
                    .sum();
                Some(if overdue > 0 { "overdue" } else { "open" }.to_owned())
            }),
        q: q.q.clone(),
        sort: q.sort.clone(),
    };
    let page = match q.page.as_deref().map(str::trim).filter(|p| !p.is_empty()) {
        None => 1,
        Some(p) => p.parse::<u32>().ok().filter(|n| *n >= 1).ok_or_else(|| {
            Error::bad(
                "page",
                "页码应为从 1 开始的整数",
                "must be a whole number from 1",
            )
        })?,
    }
    .min(WORK_PAGES);
    let skip = i64::from(page - 1) * WORK_LIMIT;
    let (work, more) = work_rows(&state, &visit, &scope, &filter, now, skip).await?;
    let paged = |n: u32| format!("{}&page={n}#work-h", export_query(&code, &filter));
    let pages = json!({
        "page": page,
        "prev": (page > 1).then(|| paged(page - 1)),
        "next": (more && page < WORK_PAGES).then(|| paged(page + 1)),
        "first": skip + 1,
        "last": skip + work.len() as i64,
    });
    // What waits for the visitor's own role (a pledge's 县级备案, a review).
    let mut mine = Vec::new();
    for w in crate::notices::awaiting_staff(&state, &visit.principal, MINE_LIMIT).await? {
        mine.push(json!({
            "href": format!("/enrollments/{}", w.enrollment_id),
            "village": w.village,
            "module": titles.of(&w.module, &w.version).await,
            "message": w.message.get(visit.locale),
            "date": date(w.at),
        }));
    }
    let form = work_form(&state, &visit, &scope, &own, &filter).await?;
    let keep: Vec<Value> = [
        ("within", &filter.within),
        ("module", &filter.module),
        ("status", &filter.status),
        ("q", &filter.q),
        ("sort", &filter.sort),
    ]
    .into_iter()
    .filter_map(|(k, v)| v.as_ref().map(|v| json!({"name": k, "value": v})))
    .chain((page > 1).then(|| json!({"name": "page", "value": page.to_string()})))
    .collect();
    let sent = deliveries(
        &visit,
        crate::outbox::sent_by(&state, &visit.principal, now).await?,
    );
    // The nation's enrollments are its provinces'; a unit's, its own lines'.
    let enrolled = if code.is_empty() { &children } else { &own }
        .iter()
        .map(|l| l.enrolled)
        .sum();
    let days = reports::completion_days(&state, &scope).await?;
    let chart = chart(enrolled, &days, now, visit.locale);
    let crumbs = breadcrumbs(&state, &visit, &scope).await?;
    // The look-back's open problems, by where they wait, village first.
    let mut rectifications: Vec<Value> = Vec::new();
    for (role, n) in reports::rectifications(&state, &scope).await? {
        let key = match role.as_str() {
            "secretary" => "review.to-fix",
            "township-officer" => "review.township",
            "county-trainer" => "review.county",
            "city-officer" => "review.city",
            _ => "review.province",
        };
        let first = role == "secretary";
        rectifications.push(json!({"label": visit.t(key), "n": n, "first": first}));
    }
    rectifications.sort_by_key(|r| !r["first"].as_bool().unwrap_or(false));
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
            // A township's 包村干部, for whoever may assign them there.
            "contacts": (unit.level == Level::Township
                && crate::auth::authorize(
                    &visit.principal,
                    crate::auth::Capability::AssignContacts,
                    crate::auth::Target::unit(&scope.path),
                )
                .is_some())
            .then(|| format!("/township/contacts?unit={}", unit.code)),
            "crumbs": crumbs,
            "totals": totals,
            "rows": rows,
            "people": people,
            "pages": pages,
            "work": work,
            "form": form,
            "keep": keep,
            "mine": mine,
            "export": export_query(&code, &filter),
            "chart": chart,
            "rectifications": rectifications,
            "csv": csv("completion"),
            "csv_totals": format!("{}&rows=total", csv("completion")),
            "as_of": date(now),
            "reminded": q.reminded.is_some(),
            "pick_first": q.pick_first.is_some(),
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
            self.state
                .newest_version(module)
                .await
                .ok()
                .flatten()
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
async fn breadcrumbs(state: &AppState, visit: &Visit, scope: &Scope) -> Result<Vec<Value>, Error> {
    let (nation, units) = reports::trail(state, &visit.principal, scope).await?;
    let mut out = Vec::new();
    if nation {
        out.push(json!({"href": "/county", "name": visit.t("county.nation")}));
    }
    for u in units {
        out.push(json!({"href": format!("/county?unit={}", u.code), "name": u.name}));
    }
    Ok(out)
}

/// The unit a page is about: the scope's, or the nation under its own name.
fn shown_unit(scope: &Scope, visit: &Visit) -> OrgUnit {
    scope.unit.clone().unwrap_or_else(|| OrgUnit {
        code: String::new(),
        level: Level::Province,
        name: visit.t("county.nation"),
        parent_code: None,
    })
}

/// Completion over the last [`CHART_DAYS`] days as an SVG line, drawn here
/// so the phone downloads a few hundred bytes and runs no script.
fn chart(enrolled: i64, days: &[(String, i64)], now: i64, locale: Locale) -> Value {
    const W: i64 = 320;
    const H: i64 = 120;
    const DAY: i64 = 86_400;
    let start = now - (CHART_DAYS - 1) * DAY;
    let mut points = String::new();
    let mut last = 0;
    for day in 0..CHART_DAYS {
        // Completed by the end of that Beijing day (`days` is in order).
        let end = date(start + day * DAY);
        let done: i64 = days
            .iter()
            .take_while(|(d, _)| *d <= end)
            .map(|(_, n)| n)
            .sum();
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
/// `POST /county/remind`: the checked rows of the work list, or one row's
/// button; every `enrollment` field is one to remind.
pub(super) async fn remind(
    State(state): State<AppState>,
    visit: Visit,
    body: axum::body::Bytes,
) -> Result<Response, Error> {
    let pairs: Vec<(String, String)> = serde_urlencoded::from_bytes(&body)
        .map_err(|_| Error::bad("body", "表单格式不对", "the form does not parse"))?;
    let field = |name: &str| {
        pairs
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.clone())
    };
    visit.check(field("_csrf").as_deref())?;
    let ids: Vec<i64> = pairs
        .iter()
        .filter(|(k, _)| k == "enrollment")
        .map(|(_, v)| {
            v.parse()
                .map_err(|_| Error::bad("enrollment", "不是任务编号", "is not an enrollment id"))
        })
        .collect::<Result<_, _>>()?;
    // Back to the list as it was: its unit, filters and page.
    let mut back: Vec<(&str, String)> = ["unit", "within", "module", "status", "q", "sort", "page"]
        .into_iter()
        .filter_map(|k| field(k).filter(|v| !v.is_empty()).map(|v| (k, v)))
        .collect();
    if ids.is_empty() {
        back.push(("pick_first", "1".to_owned()));
    } else {
        let n = send_reminders(&state, &visit.principal, &ids).await?;
        back.push(("reminded", n.to_string()));
    }
    let q = serde_urlencoded::to_string(back).unwrap_or_default();
    Ok(Redirect::to(&format!("/county?{q}#work")).into_response())
}

/// Which table to export, as which file.
#[derive(Debug, Deserialize)]
pub(super) struct Export {
    unit: Option<String>,
    /// `work` (the default), `units`, `totals` or `people`.
    table: Option<String>,
    /// `csv` (the default) or `xlsx`.
    format: Option<String>,
    within: Option<String>,
    module: Option<String>,
    status: Option<String>,
    q: Option<String>,
    sort: Option<String>,
}

/// Rows an export holds at most.
pub const EXPORT_LIMIT: i64 = 100_000;

/// `GET /county/export`: a table of the dashboard as people open it in
/// Excel: headers in the reader's language, module titles, dates as
/// 2026-12-01; CSV (UTF-8 with a BOM) or `.xlsx`.
pub(super) async fn export(
    State(state): State<AppState>,
    visit: Visit,
    Query(q): Query<Export>,
) -> Result<Response, Error> {
    let now = now();
    let scope = reports::scope(&state, &visit.principal, q.unit.as_deref()).await?;
    let h = |keys: &[&str]| keys.iter().map(|k| visit.t(k)).collect::<Vec<_>>();
    let titles = Titles::new(&state, visit.locale);
    let table = q.table.as_deref().unwrap_or("work");
    let (headers, rows) = match table {
        "units" | "totals" => {
            let c = reports::completion(&state, &scope, now).await?;
            let lines = match (&scope.unit, table) {
                (Some(_), "totals") => c.own,
                _ => c.children,
            };
            let mut rows = Vec::new();
            for l in lines {
                rows.push(vec![
                    Cell::Text(l.unit_name.clone()),
                    Cell::Text(titles.of(&l.module, &l.version).await),
                    Cell::Number(l.enrolled),
                    Cell::Number(l.started),
                    Cell::Number(l.completed),
                    Cell::Number(l.overdue),
                    Cell::Text(date(l.due_at)),
                ]);
            }
            (
                h(&[
                    "county.unit",
                    "county.module",
                    "county.enrolled",
                    "county.started",
                    "county.completed",
                    "county.overdue",
                    "county.due",
                ]),
                rows,
            )
        }
        "people" => {
            let mut rows = Vec::new();
            for p in reports::completion(&state, &scope, now).await?.people {
                rows.push(vec![
                    Cell::Text(if p.name.is_empty() {
                        visit.t("county.committee")
                    } else {
                        p.name.clone()
                    }),
                    Cell::Text(titles.of(&p.module, &p.version).await),
                    Cell::Number(p.done),
                    Cell::Number(p.total),
                    Cell::Text(visit.t(status_key(p.status))),
                ]);
            }
            (
                h(&[
                    "county.person",
                    "county.module",
                    "work.done",
                    "work.total",
                    "county.status",
                ]),
                rows,
            )
        }
        "work" => {
            let filter = reports::WorkFilter {
                within: q.within,
                module: q.module,
                status: q.status,
                q: q.q,
                sort: q.sort,
            };
            let rows = work_list(&state, &visit, &scope, &filter, now, 0, EXPORT_LIMIT)
                .await?
                .into_iter()
                .map(|w| {
                    vec![
                        Cell::Text(w.township),
                        Cell::Text(w.village),
                        Cell::Text(w.name),
                        Cell::Text(w.module),
                        Cell::Number(w.done),
                        Cell::Number(w.total),
                        Cell::Text(visit.t(status_key(w.status))),
                        Cell::Number(w.days_late),
                        Cell::Text(w.waits),
                        Cell::Text(w.due),
                    ]
                })
                .collect();
            (
                h(&[
                    "work.township",
                    "county.village",
                    "county.person",
                    "county.module",
                    "work.done",
                    "work.total",
                    "county.status",
                    "work.days-late",
                    "county.waits",
                    "county.due",
                ]),
                rows,
            )
        }
        _ => {
            return Err(Error::bad(
                "table",
                "只能导出 work、units、totals 或 people",
                "must be work, units, totals or people",
            ));
        }
    };
    let name = format!(
        "{}-{}-{}",
        shown_unit(&scope, &visit).name,
        visit.t(&format!("work.table.{table}")),
        date(now)
    );
    let table = Table {
        name,
        headers,
        rows,
    };
    download(&table, q.format.as_deref().unwrap_or("csv"))
}

/// `table` as the file `format` names (`csv` or `xlsx`), to download.
pub(super) fn download(table: &Table, format: &str) -> Result<Response, Error> {
    let (bytes, content_type, extension) = match format {
        "csv" => (table.csv()?, "text/csv; charset=utf-8", "csv"),
        "xlsx" => (
            table.xlsx()?,
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            "xlsx",
        ),
        _ => {
            return Err(Error::bad(
                "format",
                "只能是 csv 或 xlsx",
                "must be csv or xlsx",
            ));
        }
    };
    Ok((
        [
            (axum::http::header::CONTENT_TYPE, content_type.to_owned()),
            (
                axum::http::header::CONTENT_DISPOSITION,
                crate::export::disposition(&table.name, extension),
            ),
        ],
        bytes,
    )
        .into_response())
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
                        // The vendor's report, once it came: delivered or not.
                        "receipt": d["receipt"].as_str().map(|r| match r.strip_prefix("failed: ") {
                            Some(code) => visit.t_with("outbox.receipt-failed", &[("code", code.to_owned())]),
                            None => visit.t("outbox.receipt-delivered"),
                        }),
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

/// One row of the work list, in the reader's words.
struct Work {
    id: i64,
    village: String,
    township: String,
    name: String,
    module: String,
    done: i64,
    total: i64,
    days_late: i64,
    due: String,
    waits: String,
    status: &'static str,
}

/// The work list `filter` picks under the scope (or the unit it narrows
/// to, which must be in the visitor's scope): whom each waits for, days late.
async fn work_list(
    state: &AppState,
    visit: &Visit,
    scope: &Scope,
    filter: &reports::WorkFilter,
    now: i64,
    skip: i64,
    limit: i64,
) -> Result<Vec<Work>, Error> {
    // Whom each waits for is known once it is opened: the page's rows are.
    let page = (skip, limit, WORK_LIMIT as usize);
    let (found, turns) = reports::work(state, &visit.principal, scope, filter, now, page).await?;
    let titles = Titles::new(state, visit.locale);
    let mut out = Vec::with_capacity(found.len());
    for o in found {
        // Whom it waits for: the roles its module awaits (a role is what a
        // trainer chases), or the person.
        // One entry per role, its tasks listed once each after it:
        // “离任干部：移交公章、移交档案”, not the role five times.
        let mut waits: Vec<(Option<String>, Vec<String>)> = Vec::new();
        for t in turns.get(&o.enrollment_id).into_iter().flatten() {
            let who = t.role.map(|r| r.title().get(visit.locale).to_owned());
            let what = t.what.get(visit.locale).to_owned();
            match waits.iter_mut().find(|(w, _)| *w == who) {
                Some((_, whats)) if !whats.contains(&what) => whats.push(what),
                Some(_) => {}
                None => waits.push((who, vec![what])),
            }
        }
        let list = if visit.locale == Locale::En {
            ", "
        } else {
            "、"
        };
        let waits: Vec<String> = waits
            .into_iter()
            .map(|(who, whats)| match who {
                Some(who) if visit.locale == Locale::En => format!("{who}: {}", whats.join(list)),
                Some(who) => format!("{who}：{}", whats.join(list)),
                None => whats.join(list),
            })
            .collect();
        let status = reports::status(o.started_at, o.completed_at, o.due_at, now);
        out.push(Work {
            id: o.enrollment_id,
            village: o.village,
            township: o.township,
            name: if o.name.is_empty() {
                visit.t("county.committee")
            } else {
                o.name
            },
            module: titles.of(&o.module, &o.version).await,
            done: o.done,
            total: o.total,
            days_late: if status == "overdue" {
                (now - o.due_at + 86_399) / 86_400
            } else {
                0
            },
            due: date(o.due_at),
            waits: waits.join(if visit.locale == Locale::En {
                "; "
            } else {
                "；"
            }),
            status,
        });
    }
    Ok(out)
}

async fn work_rows(
    state: &AppState,
    visit: &Visit,
    scope: &Scope,
    filter: &reports::WorkFilter,
    now: i64,
    skip: i64,
) -> Result<(Vec<Value>, bool), Error> {
    let mut found = work_list(state, visit, scope, filter, now, skip, WORK_LIMIT + 1).await?;
    let more = found.len() as i64 > WORK_LIMIT;
    found.truncate(WORK_LIMIT as usize);
    let rows = found
        .into_iter()
        .map(|w| {
            json!({
                "id": w.id, "href": format!("/enrollments/{}", w.id),
                "village": w.village, "township": w.township, "name": w.name, "module": w.module,
                "done": w.done, "total": w.total, "days_late": w.days_late, "due": w.due,
                "waits": w.waits, "status": w.status, "status_label": visit.t(status_key(w.status)),
            })
        })
        .collect();
    Ok((rows, more))
}

/// The filter form's choices, the current ones selected.
async fn work_form(
    state: &AppState,
    visit: &Visit,
    scope: &Scope,
    own: &[reports::Line],
    f: &reports::WorkFilter,
) -> Result<Value, Error> {
    let chosen = |v: &Option<String>, x: &str| v.as_deref() == Some(x);
    let within: Vec<Value> = reports::children(state, scope)
        .await?
        .into_iter()
        .map(|c| json!({"code": c.code, "name": c.name, "selected": chosen(&f.within, &c.code)}))
        .collect();
    let titles = Titles::new(state, visit.locale);
    let mut modules: Vec<Value> = Vec::new();
    for l in own {
        if !modules.iter().any(|m| m["id"] == l.module) {
            modules.push(json!({"id": l.module, "title": titles.of(&l.module, &l.version).await, "selected": chosen(&f.module, &l.module)}));
        }
    }
    let status = f.status.clone();
    let statuses: Vec<Value> = reports::WORK_STATUSES
        .iter()
        .map(|s| json!({"id": s, "label": visit.t(&format!("work.status.{s}")), "selected": chosen(&status, s)}))
        .collect();
    let sorts: Vec<Value> = ["late", "village", "module"]
        .iter()
        .map(|s| json!({"id": s, "label": visit.t(&format!("work.sort.{s}")), "selected": chosen(&f.sort, s)}))
        .collect();
    Ok(json!({
        "within": within, "modules": modules, "statuses": statuses, "sorts": sorts,
        "q": f.q.clone().unwrap_or_default(),
    }))
}

/// The query string of the page's exports: its unit and filters.
fn export_query(code: &str, f: &reports::WorkFilter) -> String {
    let mut pairs: Vec<(&str, String)> = vec![("unit", code.to_owned())];
    for (k, v) in [
        ("within", &f.within),
        ("module", &f.module),
        ("status", &f.status),
        ("q", &f.q),
        ("sort", &f.sort),
    ] {
        if let Some(v) = v {
            pairs.push((k, v.clone()));
        }
    }
    serde_urlencoded::to_string(pairs).unwrap_or_default()
}
