//! A learner's pages: my onboarding, and a module page (the module's view in
//! the layout, its forms posting actions).

use std::collections::BTreeMap;

use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use baton_sdk::{Locale, Rejection, Role, Text};
use serde::Deserialize;
use serde_json::{Value, json};

use super::page::Visit;
use super::{date, status_key};
use crate::acting::{self, Acted, Seen, Signoffs, my_enrollments, reach, summary};
use crate::auth::Capability;
use crate::notices::my_notices;
use crate::shared::{AppState, Error, Fault, now};
use crate::views::forms::{self, FileRef, FormHost, Posted, WORDS};

pub(super) async fn mine(State(state): State<AppState>, visit: Visit) -> Result<Response, Error> {
    let list = my_enrollments(&state, &visit.principal).await?;
    let items: Vec<Value> = list
        .iter()
        .map(|s| {
            let pct = if s.total > 0 {
                s.done * 100 / s.total
            } else {
                0
            };
            // Someone else's turn: nothing to do here now, and the card says so.
            let others = !s.my_turn && !s.awaiting.is_empty() && s.status != "completed";
            let next = match s.status {
                "completed" => "me.next.review",
                _ if s.my_turn => "me.next.now",
                _ if others => "me.next.follow",
                "not-started" => "me.next.start",
                _ => "me.next.continue",
            };
            // My turns, or else whom it waits for ("等待乡镇干部：见证公章交接").
            let mine: Vec<String> = s
                .awaiting
                .iter()
                .filter(|t| t.mine)
                .map(|t| {
                    visit.t_with(
                        "me.turn.mine",
                        &[("what", t.what.get(visit.locale).to_owned())],
                    )
                })
                .collect();
            let waiting: Vec<String> = if mine.is_empty() {
                s.awaiting
                    .iter()
                    .map(|t| {
                        visit.t_with(
                            "me.turn.waiting",
                            &[
                                ("who", t.who.get(visit.locale).to_owned()),
                                ("what", t.what.get(visit.locale).to_owned()),
                            ],
                        )
                    })
                    .collect()
            } else {
                Vec::new()
            };
            json!({
                "id": s.id,
                "title": with_edition(&visit, s.title.get(visit.locale), s.edition),
                "done": s.done, "total": s.total, "pct": pct,
                "status": s.status, "status_label": visit.t(status_key(s.status)),
                "overdue": s.status == "overdue",
                "due": date(s.due_at),
                "next": visit.t(next),
                "mine": mine,
                "waiting": waiting,
                "my_turn": s.my_turn,
                "nothing": others,
            })
        })
        .collect();
    let shown = my_notices(&state, &visit.principal, true).await?;
    let notices: Vec<Value> = shown
        .iter()
        .map(|n| json!({"message": n.message.get(visit.locale).to_owned(), "date": date(n.at), "new": n.new, "href": format!("/enrollments/{}", n.enrollment_id)}))
        .collect();
    let done = list.iter().filter(|s| s.status == "completed").count();
    // Officials may give an e-mail address for reminders and escalations.
    let official = visit
        .principal
        .grants
        .iter()
        .any(|g| crate::auth::is_official(g.role));
    let email = if official {
        let current = crate::accounts::my_email(&state.db, &visit.principal).await?;
        Some(json!({"value": current.unwrap_or_default()}))
    } else {
        None
    };
    // The certificate lists courses the new committees take; an outgoing
    // cadre takes none.
    let learner = visit
        .principal
        .grants
        .iter()
        .any(|g| matches!(g.role, Role::Secretary | Role::Member));
    Ok(visit.page(
        "me",
        &visit.t("me.title"),
        json!({"items": items, "notices": notices, "done": done, "count": list.len(),
        "email": email, "csrf": visit.csrf.clone(), "learner": learner,
        // A person of a roster may download what the platform holds about them.
        "personal": visit.principal.person_id.is_some(),
        // An official with no onboarding of their own: their work is elsewhere.
        "official_home": (official && list.is_empty()).then(|| {
            let township = visit.principal.grants.iter().any(|g| g.role == Role::TownshipOfficer);
            if township { "/township" } else { "/county" }
        })}),
    ))
}

/// The link in the QR code a trainer shows at a class.
#[derive(Debug, Deserialize)]
pub(super) struct CheckInLink {
    module: String,
    #[serde(default)]
    session: String,
    #[serde(default)]
    code: String,
    /// The course's assignment, when the QR names it (host-drawn QRs do).
    #[serde(default)]
    assignment: Option<i64>,
}

/// `GET /checkin?module=…&session=…&code=…`: a phone that scanned a class's
/// QR code opens the person's course with the check-in filled in; one tap
/// sends it (a link alone never acts). The course still open is chosen
/// before one already passed, the earlier edition before a later one;
/// a QR naming its course's assignment opens that one.
pub(super) async fn check_in(
    State(state): State<AppState>,
    visit: Visit,
    Query(link): Query<CheckInLink>,
) -> Result<Response, Error> {
    let person = visit.principal.person_id;
    let mine = my_enrollments(&state, &visit.principal).await?;
    let course = mine
        .iter()
        .filter(|s| s.module == link.module && person.is_some() && s.person_id == person)
        .filter(|s| link.assignment.is_none_or(|a| a == s.assignment))
        .min_by_key(|s| (s.status == "completed", s.edition, std::cmp::Reverse(s.id)))
        .ok_or_else(|| {
            Error::not_found(
                "您没有这门课程，请确认是用自己的账号登录",
                "you are not enrolled in this course; check you are signed in as yourself",
            )
        })?;
    let filled = Posted {
        form: "check-in".to_owned(),
        values: BTreeMap::from([
            ("session".to_owned(), vec![link.session]),
            ("code".to_owned(), vec![link.code]),
        ]),
        errors: BTreeMap::new(),
        more: None,
    };
    module_page(&state, &visit, course.id, Some(filled), None, None, None).await
}

/// `GET /me/certificate`: the person's courses, study hours in all, and the
/// courses passed, on a page made to print (A4) as a certificate.
pub(super) async fn certificate(
    State(state): State<AppState>,
    visit: Visit,
) -> Result<Response, Error> {
    let record = crate::training::record(&state, &visit.principal, visit.locale).await?;
    let hours = crate::training::hours_text;
    let courses: Vec<Value> = record
        .courses
        .iter()
        .map(|c| {
            // A passed course's record is checked at /verify: its code, and
            // a QR that opens the check.
            let qr = c.code.as_ref().and_then(|code| {
                crate::views::qr_svg(&format!("{}/verify?code={code}", visit.origin))
            });
            json!({"course": c.course, "hours": hours(c.hours), "passed": c.passed,
                   "passed_on": c.passed_on, "href": format!("/enrollments/{}", c.enrollment),
                   "classes": c.classes, "code": c.code, "qr": qr})
        })
        .collect();
    // Who, where and which post, and the unit that issues it: the county's
    // organisation department above the person's village.
    let mut village = None;
    if let Some(g) = visit
        .principal
        .grants
        .iter()
        .find(|g| matches!(g.role, baton_sdk::Role::Secretary | baton_sdk::Role::Member))
        && let (Some(code), Some(path)) = (&g.unit_code, &g.path)
    {
        let place = state.village(code, path).await?;
        let (v, members, _) = place.as_ref();
        let me = visit.principal.person_id.map(|p| p.to_string());
        let posts: Vec<&str> = members
            .iter()
            .filter(|m| Some(&m.person_id) == me.as_ref())
            .map(|m| m.post.as_str())
            .collect();
        village = Some(json!({
            "village": v.name, "township": v.township, "county": v.county,
            "post": posts.join("、"),
            "issuer": visit.t_with("certificate.issuer", &[("county", v.county.clone())]),
        }));
    }
    Ok(visit.page(
        "certificate",
        &visit.t("certificate.title"),
        json!({
            "place": village,
            "name": visit.principal.display_name,
            "courses": courses,
            "hours": hours(record.hours),
            "passed": record.passed,
            "count": record.courses.len(),
            "issued": date(now()),
        }),
    ))
}

/// Which class's roster.
#[derive(Debug, Deserialize)]
pub(super) struct ClassOf {
    enrollment: i64,
    session: usize,
}

/// `GET /training/class?enrollment=…&session=…`: a class for its trainer:
/// the QR code to show and who has checked in, across the trainer's own
/// villages (any learner's course names the class).
pub(super) async fn class(
    State(state): State<AppState>,
    visit: Visit,
    Query(q): Query<ClassOf>,
) -> Result<Response, Error> {
    let class = crate::training::class(
        &state,
        &visit.principal,
        visit.locale,
        q.enrollment,
        q.session,
    )
    .await?;
    let link = class.session["url"]
        .as_str()
        .map(|path| crate::views::forms::check_in_link(path, class.assignment));
    let qr = link
        .as_ref()
        .and_then(|link| crate::views::qr_svg(&format!("{}{link}", visit.origin)));
    let came = class.attendees.iter().filter(|a| a.attended).count();
    let attendees: Vec<Value> = class
        .attendees
        .iter()
        .map(|a| {
            json!({"village": a.village, "name": a.name, "attended": a.attended,
                   "href": format!("/enrollments/{}", a.enrollment)})
        })
        .collect();
    let title = class.session["title"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    // The code on screen changes every ten minutes: the page reloads itself.
    let page = visit.page(
        "class",
        &title,
        json!({
            "title": title,
            "date": class.session["date"], "place": class.session["place"],
            "hours": class.session["hours"], "code": class.session["code"],
            "qr": qr, "link": link, "attendees": attendees, "came": came, "count": class.attendees.len(),
        }),
    );
    Ok(([(axum::http::header::REFRESH, "300")], page).into_response())
}

/// `?saved=action` after an accepted action; `?print=1` for the record to
/// print (no forms, the verification code).
#[derive(Debug, Deserialize)]
pub(super) struct Saved {
    saved: Option<String>,
    print: Option<String>,
}

pub(super) async fn show(
    State(state): State<AppState>,
    visit: Visit,
    Path(id): Path<i64>,
    Query(q): Query<Saved>,
    axum::Extension(client): axum::Extension<crate::shared::client::Client>,
) -> Result<Response, Error> {
    // A printed record's QR code needs this site's own address.
    let origin = q.print.as_ref().map(|_| client.origin.clone());
    module_page(
        &state,
        &visit,
        id,
        None,
        q.saved.as_deref(),
        None,
        origin.as_deref(),
    )
    .await
}

/// Sign-offs the enrollment page lists (the printed record has them all).
const SIGNOFFS_SHOWN: i64 = 20;

/// The module page, with `posted` put back into its form after a refusal.
async fn module_page(
    state: &AppState,
    visit: &Visit,
    id: i64,
    posted: Option<Posted>,
    saved: Option<&str>,
    upload_error: Option<String>,
    print_from: Option<&str>,
) -> Result<Response, Error> {
    let print = print_from.is_some();
    // The printed record lists every sign-off; the page the latest few.
    let signoffs = if print {
        Signoffs::All
    } else {
        Signoffs::Latest(SIGNOFFS_SHOWN)
    };
    let seen = crate::acting::see(state, &visit.principal, id, visit.locale, signoffs).await?;
    let Seen {
        enrollment: e,
        module: plugin,
        view,
        paused,
        village,
        attachments: stored,
        signoffs: signed,
        signoffs_total: signed_total,
        ..
    } = seen;
    let now = now();
    // The printed record has no forms.
    let acts = !print && seen.acts;
    let reminds = !print && seen.reminds;
    let refused = posted.as_ref().is_some_and(|p| !p.errors.is_empty());
    let files: Vec<FileRef> = stored
        .iter()
        .map(|s| FileRef {
            photo: s.attachment.media_type.starts_with("image/"),
            id: s.attachment.id.clone(),
            name: s.attachment.name.clone(),
        })
        .collect();
    let host = acts.then(|| FormHost {
        attachments: files.clone(),
        assignment: e.assignment_id,
        ..form_host(visit, &plugin, id, posted)
    });
    // Whoever views it sees the files (`{{attachment id}}`); only those who
    // act get forms.
    let shown = host.clone().unwrap_or_else(|| FormHost {
        lang: visit.locale.as_str().to_owned(),
        origin: visit.origin.clone(),
        enrollment: id,
        attachments: files,
        assignment: e.assignment_id,
        ..FormHost::default()
    });
    let html = plugin.render_apart(view, visit.locale, Some(shown)).await?;
    let info = plugin.info();
    // A module whose templates place no forms gets one per action, below.
    let places_forms = info.templates.iter().any(|t| {
        [&t.source.zh, &t.source.en]
            .iter()
            .any(|s| s.contains("{{form ") || s.contains("{{#form "))
    });
    let extra: Vec<Value> = match &host {
        Some(host) if !places_forms => host
            .actions
            .iter()
            .map(|(name, (title, _))| {
                json!({"title": title, "form": forms::form_html(host, name, &[], forms::Look::default())})
            })
            .collect(),
        _ => Vec::new(),
    };
    let s = summary(&e, &plugin, now);
    let signoffs: Vec<Value> = signed
        .iter()
        .map(|s| {
            let statement = serde_json::from_value::<Text>(s.statement.clone())
                .map(|t| t.get(visit.locale).to_owned())
                .unwrap_or_default();
            // A sign-off's own digest, short and lower-case: never in the
            // form of the record's code, which is the one to type at /verify.
            let digest = s.hash.get(..8).unwrap_or(&s.hash).to_lowercase();
            json!({"date": date(s.at), "statement": statement, "role": visit.t(&format!("role.{}", s.role)), "hash": digest})
        })
        .collect();
    // The printed record's lines for wet-ink signatures: one per role that
    // signed, in the order they first signed, then the unit's seal.
    let mut sign_lines: Vec<String> = Vec::new();
    for s in &signed {
        let role = visit.t(&format!("role.{}", s.role));
        if !sign_lines.contains(&role) {
            sign_lines.push(role);
        }
    }
    // Evidence uploaded to the enrollment: photos as thumbnails.
    let attachments: Vec<Value> = stored
        .iter()
        .map(|s| {
            let a = &s.attachment;
            let href = format!("/enrollments/{id}/attachments/{}", a.id);
            json!({
                "name": a.name,
                "photo": a.media_type.starts_with("image/"),
                "thumb": format!("{href}?size=thumb"),
                "href": href,
                "size": format!("{:.1} MB", a.size as f64 / 1_048_576.0),
                "date": date(a.uploaded_at),
                "scan": s.scan,
            })
        })
        .collect();
    let title = with_edition(visit, info.title.get(visit.locale), s.edition);
    let status = if refused || upload_error.is_some() {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    Ok(visit.page_with(
        status,
        "enrollment",
        &title,
        json!({
            "module": title,
            "summary": info.summary.get(visit.locale).to_owned(),
            "village": village,
            "due": date(s.due_at),
            "status": s.status, "status_label": visit.t(status_key(s.status)),
            "done": s.done, "total": s.total,
            "pct": if s.total > 0 { s.done * 100 / s.total } else { 0 },
            "view": html,
            "extra": extra,
            "signoffs_more": (signed_total > signoffs.len() as i64).then(|| visit.t_with(
                "enrollment.signoffs-more",
                &[("n", signed_total.to_string()), ("shown", signoffs.len().to_string())],
            )),
            "signoffs": signoffs,
            "sign_lines": sign_lines,
            "saved": saved.is_some(),
            "uploaded": saved == Some("attachment"),
            "refused": refused,
            "id": id,
            "attachments": attachments,
            // Only a module whose forms take files gets the upload form.
            "upload": acts && takes_files(info),
            // The printed record's scan comes back to it, from whoever acts.
            "scan_form": seen.acts && print,
            "scans": stored.iter().filter(|s| s.scan).count(),
            "upload_error": upload_error,
            "print": print,
            "printed": date(now),
            "code": e.signoff_head.as_deref().map(crate::records::code),
            "qr": match (print_from, e.signoff_head.as_deref()) {
                (Some(origin), Some(head)) => crate::views::qr_svg(&format!(
                    "{origin}/verify?code={}",
                    crate::records::code(head)
                )),
                _ => None,
            },
            "reminds": reminds,
            "paused": paused,
            "version": format!("{}@{}", e.plugin_id, e.plugin_version),
        }),
    ))
}

pub(super) fn form_host(
    visit: &Visit,
    plugin: &crate::registry::Module,
    id: i64,
    posted: Option<Posted>,
) -> FormHost {
    let mut key = [0u8; 16];
    rand::fill(&mut key);
    FormHost {
        url: format!("/enrollments/{id}"),
        origin: visit.origin.clone(),
        csrf: visit.csrf.clone(),
        key: hex::encode(key),
        lang: visit.locale.as_str().to_owned(),
        actions: plugin
            .info()
            .actions
            .iter()
            .map(|a| {
                (
                    a.name.clone(),
                    (
                        a.title.get(visit.locale).to_owned(),
                        a.payload_schema.clone(),
                    ),
                )
            })
            .collect(),
        posted,
        words: WORDS
            .iter()
            .map(|w| ((*w).to_owned(), visit.t(w)))
            .collect(),
        enrollment: id,
        attachments: Vec::new(),
        assignment: 0,
    }
}

pub(super) async fn act(
    State(state): State<AppState>,
    visit: Visit,
    Path(id): Path<i64>,
    body: Bytes,
) -> Result<Response, Error> {
    let mut values = super::posted_values(&body)?;
    let field = |name: &str| values.get(name).and_then(|v| v.first()).cloned();
    visit.check(field("_csrf").as_deref())?;
    let action = field("_action").unwrap_or_default();
    let key = field("_key").unwrap_or_default();
    let form = field("_form").unwrap_or_default();
    let more = field("_more");
    values.retain(|k, _| !k.starts_with('_'));
    if more.is_some() {
        // "Add a row": the same form back, everything typed kept, a row more.
        let again = Posted {
            form,
            values,
            errors: BTreeMap::new(),
            more,
        };
        return module_page(&state, &visit, id, Some(again), None, None, None).await;
    }
    let reached = reach(&state, &visit.principal, id, Capability::Act).await?;
    let e = &reached.0;
    let plugin = state.plugin(&e.plugin_id, &e.plugin_version).await?;
    let schema = plugin
        .info()
        .actions
        .iter()
        .find(|a| a.name == action)
        .map(|a| a.payload_schema.clone())
        .ok_or_else(|| Error::bad("_action", "没有这个操作", format!("no action `{action}`")))?;
    let refuse = |errors: BTreeMap<String, Vec<String>>| Posted {
        form: form.clone(),
        values: values.clone(),
        errors,
        more: None,
    };
    let payload = match crate::views::payload::payload(
        &schema,
        &values,
        &[],
        &visit.t("form.not-a-number"),
    ) {
        Ok(p) => p,
        Err(errors) => {
            return module_page(&state, &visit, id, Some(refuse(errors)), None, None, None).await;
        }
    };
    match acting::act_on(&state, &visit.principal, reached, &key, &action, &payload).await {
        // A second post of the same form (a double tap) gets the first answer.
        Ok(Acted::Replayed { .. }) => {
            Ok(Redirect::to(&format!("/enrollments/{id}")).into_response())
        }
        Ok(Acted::Accepted(_)) => {
            Ok(Redirect::to(&format!("/enrollments/{id}?saved={action}")).into_response())
        }
        Err(Fault::Rejected(r)) => {
            let errors = messages(&r, visit.locale);
            module_page(&state, &visit, id, Some(refuse(errors)), None, None, None).await
        }
        Err(e) => Err(e.into()),
    }
}

/// A refusal's messages by field path, in the reader's language.
fn messages(r: &Rejection, locale: Locale) -> BTreeMap<String, Vec<String>> {
    let mut out: BTreeMap<String, Vec<String>> = BTreeMap::new();
    match r {
        Rejection::Invalid(fields) => {
            for f in fields {
                out.entry(f.field.clone())
                    .or_default()
                    .push(f.message.get(locale).to_owned());
            }
        }
        Rejection::Forbidden(m) | Rejection::Conflict(m) => {
            out.entry(String::new())
                .or_default()
                .push(m.get(locale).to_owned());
        }
    }
    out
}

/// `POST /enrollments/{id}/attachments`: a photo or PDF from the page's
/// upload form (multipart, with the CSRF token before the file).
pub(super) async fn attach(
    State(state): State<AppState>,
    visit: Visit,
    Path(id): Path<i64>,
    mut form: axum::extract::Multipart,
) -> Result<Response, Error> {
    let unreadable = |e: axum::extract::multipart::MultipartError| {
        Error::bad(
            "file",
            "上传未完成，请重试",
            format!("the upload did not arrive whole: {e}"),
        )
    };
    let (mut csrf, mut file, mut scan) = (None, None, false);
    while let Some(field) = form.next_field().await.map_err(unreadable)? {
        match field.name() {
            Some("_csrf") => csrf = Some(field.text().await.map_err(unreadable)?),
            // The printed record's form: the signed, sealed paper's scan.
            Some("scan") => scan = field.text().await.map_err(unreadable)? == "1",
            Some("file") => {
                let name = field.file_name().unwrap_or("upload").to_owned();
                file = Some((name, field.bytes().await.map_err(unreadable)?));
            }
            _ => {}
        }
    }
    visit.check(csrf.as_deref())?;
    let Some((name, bytes)) = file.filter(|(_, b)| !b.is_empty()) else {
        let why = visit.t("enrollment.upload.missing");
        return module_page(&state, &visit, id, None, None, Some(why), None).await;
    };
    match crate::attachments::upload(&state, &visit.principal, id, &name, &bytes, scan).await {
        Ok(_) if scan => {
            Ok(Redirect::to(&format!("/enrollments/{id}?print=1&saved=scan")).into_response())
        }
        Ok(_) => Ok(Redirect::to(&format!("/enrollments/{id}?saved=attachment")).into_response()),
        Err(e @ Fault::BadRequest { .. }) => {
            module_page(
                &state,
                &visit,
                id,
                None,
                None,
                Some(e.message(visit.locale)),
                None,
            )
            .await
        }
        Err(e) => Err(e.into()),
    }
}

/// `?code=` of `/verify`.
#[derive(Debug, Deserialize)]
pub(super) struct Code {
    code: Option<String>,
}

/// `GET /verify`: anyone, signed in or not, checks a printed record's
/// verification code against the sign-off chain.
pub(super) async fn verify(
    State(state): State<AppState>,
    jar: axum_extra::extract::CookieJar,
    Query(q): Query<Code>,
) -> Result<Response, Error> {
    let locale = super::page::locale(&jar);
    let title = crate::i18n::t(locale, "verify.title", &[]);
    let code = q.code.unwrap_or_default();
    let mut data = json!({"code": code, "checked": false});
    let mut status = StatusCode::OK;
    if !code.trim().is_empty() {
        match crate::records::verify(&state, &code).await {
            Ok(None) => data = json!({"code": code, "checked": true, "found": false}),
            Ok(Some(v)) => {
                let village = v.village.clone();
                let module = state.plugin(&v.module, &v.version).await?;
                let ok = crate::i18n::t(
                    locale,
                    "verify.ok",
                    &[
                        ("village", village),
                        ("module", module.info().title.get(locale).to_owned()),
                        ("count", v.signoffs.to_string()),
                    ],
                );
                // Valid is not done: say whether the work is complete, or how far it got.
                let progress = if v.completed {
                    crate::i18n::t(
                        locale,
                        "verify.complete",
                        &[("done", v.done.to_string()), ("total", v.total.to_string())],
                    )
                } else {
                    crate::i18n::t(
                        locale,
                        "verify.unfinished",
                        &[("done", v.done.to_string()), ("total", v.total.to_string())],
                    )
                };
                // Paper comes back: whether the signed record's scan is here.
                let scan = match v.scanned_at {
                    Some(at) => crate::i18n::t(
                        locale,
                        "verify.scanned",
                        &[("n", v.scans.to_string()), ("date", date(at))],
                    ),
                    None => crate::i18n::t(locale, "verify.not-scanned", &[]),
                };
                data = json!({"code": code, "checked": true, "found": true, "intact": v.intact, "older": !v.latest, "ok": ok, "progress": progress, "complete": v.completed, "scan": scan, "scanned": v.scans > 0});
            }
            Err(e @ Fault::BadRequest { .. }) => {
                status = StatusCode::BAD_REQUEST;
                data = json!({"code": code, "checked": false, "error": e.message(locale)});
            }
            Err(e) => return Err(e.into()),
        }
    }
    Ok(super::page::anonymous(
        status, "verify", locale, "/verify", &title, data,
    ))
}

/// The e-mail form on 我的任务.
#[derive(Debug, Deserialize)]
pub(super) struct EmailForm {
    #[serde(rename = "_csrf")]
    csrf: Option<String>,
    #[serde(default)]
    email: String,
}

/// `GET /me/personal-data`: my data as a JSON file to keep (查阅复制).
pub(super) async fn personal_data(
    State(state): State<AppState>,
    visit: Visit,
) -> Result<Response, Error> {
    let data = crate::privacy::export(&state, &visit.principal, None).await?;
    let body =
        serde_json::to_string_pretty(&data).map_err(|e| Fault::from(anyhow::Error::from(e)))?;
    Ok((
        [
            (
                axum::http::header::CONTENT_TYPE,
                "application/json; charset=utf-8",
            ),
            (
                axum::http::header::CONTENT_DISPOSITION,
                "attachment; filename=\"personal-data.json\"",
            ),
        ],
        body,
    )
        .into_response())
}

/// `POST /me/email`: an official's address for reminders (blank removes it).
pub(super) async fn email(
    State(state): State<AppState>,
    visit: Visit,
    axum::Form(form): axum::Form<EmailForm>,
) -> Result<Response, Error> {
    visit.check(form.csrf.as_deref())?;
    crate::accounts::set_my_email(&state.db, &visit.principal, &form.email).await?;
    Ok(Redirect::to("/me#email-h").into_response())
}

/// The pause form: a reason pauses the enrollment's due-date reminders and
/// escalations; `resume` resumes them.
#[derive(Debug, Deserialize)]
pub(super) struct Pause {
    #[serde(rename = "_csrf")]
    csrf: Option<String>,
    #[serde(default)]
    reason: String,
    #[serde(default)]
    resume: Option<String>,
}

/// `POST /enrollments/{id}/pause`.
pub(super) async fn pause(
    State(state): State<AppState>,
    visit: Visit,
    Path(id): Path<i64>,
    axum::Form(form): axum::Form<Pause>,
) -> Result<Response, Error> {
    visit.check(form.csrf.as_deref())?;
    let reason = form.resume.is_none().then_some(form.reason.as_str());
    crate::outbox::pause(&state, &visit.principal, id, reason, now()).await?;
    Ok(axum::response::Redirect::to(&format!("/enrollments/{id}")).into_response())
}

/// A module's title, with its edition after it from the second on
/// (首课 · 第 2 期): the first round of anything is just its title.
fn with_edition(visit: &Visit, title: &str, edition: i64) -> String {
    if edition > 1 {
        let n = edition.to_string();
        format!("{title} · {}", visit.t_with("edition.label", &[("n", n)]))
    } else {
        title.to_owned()
    }
}

/// Whether any of the module's actions takes files (a field marked
/// `x-attachments`): a course or a visits record asks for no evidence, and
/// an upload form there only confuses.
fn takes_files(info: &baton_sdk::ModuleInfo) -> bool {
    fn marked(schema: &Value) -> bool {
        match schema {
            Value::Object(map) => {
                map.get("x-attachments") == Some(&Value::Bool(true)) || map.values().any(marked)
            }
            Value::Array(items) => items.iter().any(marked),
            _ => false,
        }
    }
    info.actions.iter().any(|a| marked(&a.payload_schema))
}
