//! Training that counts: study hours (学时) per person across every course,
//! and the certificate that lists them. A course module says what a person
//! has earned in its view's `study` (`course`, `hours`, `passed`,
//! `passed_on`), as the built-in first lesson does; the host adds them up,
//! so hours from several courses, in any module, count together.

use baton_sdk::{Locale, Role};
use serde::Serialize;

use crate::acting;
use crate::auth::{Capability, Principal};
use crate::db::enrollments;
use crate::error::Error;
use crate::state::AppState;

/// One course a person is enrolled in.
#[derive(Debug, Clone, Serialize)]
pub struct Course {
    /// The enrollment.
    pub enrollment: i64,
    /// The course's name, in the reader's language.
    pub course: String,
    /// Study hours earned in it.
    pub hours: f64,
    /// Its whole pass rule met.
    pub passed: bool,
    /// When, `YYYY-MM-DD`.
    pub passed_on: Option<String>,
    /// The classes attended: title, date and hours, as the module's view
    /// lists its sessions.
    pub classes: Vec<Attended>,
    /// The verification code of the course's record (its last sign-off,
    /// the pass), once passed: what `/verify` checks.
    pub code: Option<String>,
}

/// A class attended, as the certificate lists it.
#[derive(Debug, Clone, Serialize)]
pub struct Attended {
    /// The session's title.
    pub title: String,
    /// Its date.
    pub date: String,
    /// Its hours, as the module writes them.
    pub hours: String,
}

/// A person's training: every course, and the hours in all.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Record {
    /// The courses, in enrollment order.
    pub courses: Vec<Course>,
    /// Study hours across them all.
    pub hours: f64,
    /// Courses passed.
    pub passed: usize,
}

/// The principal's own courses (never anyone else's).
pub async fn record(
    state: &AppState,
    principal: &Principal,
    locale: Locale,
) -> Result<Record, Error> {
    let Some(person) = principal.person_id else {
        return Ok(Record::default());
    };
    let villages: Vec<String> = principal
        .grants
        .iter()
        .filter(|g| matches!(g.role, Role::Secretary | Role::Member))
        .filter_map(|g| g.unit_code.clone())
        .collect();
    let mut out = Record::default();
    for mut e in enrollments::of_person(&state.db, Some(person), &villages).await? {
        if e.person_id != Some(person) {
            continue;
        }
        let (_, role) = acting::reach(state, principal, e.id, Capability::ViewEnrollment).await?;
        let plugin = state.plugin(&e.plugin_id, &e.plugin_version).await?;
        let ctx = acting::context(state, &e, principal, role, locale, crate::clock::now()).await?;
        let current = acting::opened(state, &plugin, &mut e, &ctx, true).await?;
        let view = plugin.view(&ctx, &current).await?;
        let study = &view.data["study"];
        let Some(course) = study["course"].as_str() else {
            continue;
        };
        let hours = study["hours"].as_f64().unwrap_or(0.0).clamp(0.0, 1000.0);
        let passed = study["passed"].as_bool().unwrap_or(false);
        out.hours += hours;
        out.passed += usize::from(passed);
        // A later round of the same course says which it was.
        let course = match (e.edition, locale) {
            (1, _) => course.to_owned(),
            (n, Locale::ZhCn) => format!("{course}（第 {n} 期）"),
            (n, _) => format!("{course} (edition {n})"),
        };
        out.courses.push(Course {
            enrollment: e.id,
            course,
            hours,
            passed,
            passed_on: study["passed_on"].as_str().map(str::to_owned),
            classes: view.data["sessions"]
                .as_array()
                .into_iter()
                .flatten()
                .filter(|s| s["attended"] == true)
                .map(|s| Attended {
                    title: s["title"].as_str().unwrap_or_default().to_owned(),
                    date: s["date"].as_str().unwrap_or_default().to_owned(),
                    hours: s["hours"].as_str().unwrap_or_default().to_owned(),
                })
                .collect(),
            code: e
                .signoff_head
                .as_deref()
                .filter(|_| passed)
                .map(crate::records::code),
        });
    }
    Ok(out)
}

/// The most learners a class's roster lists.
pub const ROSTER_LIMIT: i64 = 2_000;

/// One learner on a class's roster.
#[derive(Debug, Clone, Serialize)]
pub struct Attendee {
    /// Their enrollment in the course.
    pub enrollment: i64,
    /// Their village.
    pub village: String,
    /// Their name.
    pub name: String,
    /// Checked in, or marked present.
    pub attended: bool,
}

/// A class as its trainer sees it: what the module says of the session
/// (title, date, place, hours, code and the QR's link), and who came.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Class {
    /// The session as the module's view gives it.
    pub session: serde_json::Value,
    /// Everyone in the course under the trainer's units, in village order.
    pub attendees: Vec<Attendee>,
    /// The course's assignment (which edition), for the check-in link.
    pub assignment: i64,
}

/// The roster of session `session` of the course `enrollment` belongs to:
/// every learner of that assignment under the staff member's own units, read
/// through the module's view (the module decides who attended).
pub async fn class(
    state: &AppState,
    principal: &Principal,
    locale: Locale,
    enrollment: i64,
    session: usize,
) -> Result<Class, Error> {
    let (e, role) = acting::reach(state, principal, enrollment, Capability::ViewEnrollment).await?;
    if !crate::auth::is_official(role) {
        return Err(Error::forbidden());
    }
    let paths: Vec<String> = principal
        .grants
        .iter()
        .filter(|g| g.role == role)
        .map(|g| g.path.clone().unwrap_or_else(|| "/".to_owned()))
        .collect();
    // The session as the named course's view gives it, even with nobody
    // else in the staff member's villages.
    let (session_seen, _) = session_of(state, principal, role, locale, e.clone(), session).await?;
    let assignment = e.assignment_id;
    let mut class = Class {
        session: session_seen,
        attendees: Vec::new(),
        assignment,
    };
    for path in paths {
        let found =
            enrollments::of_assignment_under(&state.db, assignment, &path, ROSTER_LIMIT).await?;
        for learner in found {
            let Some(person) = learner.person_id else {
                continue;
            };
            let id = learner.id;
            let (seen, ctx) = session_of(state, principal, role, locale, learner, session).await?;
            let name = ctx
                .members
                .iter()
                .find(|m| m.person_id == person.to_string())
                .map_or_else(|| person.to_string(), |m| m.name.clone());
            class.attendees.push(Attendee {
                enrollment: id,
                village: ctx.village.name.clone(),
                name,
                attended: seen["attended"].as_bool().unwrap_or(false),
            });
        }
    }
    Ok(class)
}

/// Session `session` as the module's view of `e` gives it, and the view's
/// context; a course without that session is a 404.
async fn session_of(
    state: &AppState,
    principal: &Principal,
    role: Role,
    locale: Locale,
    mut e: enrollments::Enrollment,
    session: usize,
) -> Result<(serde_json::Value, baton_sdk::Context), Error> {
    let plugin = state.plugin(&e.plugin_id, &e.plugin_version).await?;
    let ctx = acting::context(state, &e, principal, role, locale, crate::clock::now()).await?;
    let current = acting::opened(state, &plugin, &mut e, &ctx, true).await?;
    let view = plugin.view(&ctx, &current).await?;
    let seen = view.data["sessions"][session].clone();
    if !seen.is_object() {
        return Err(Error::not_found(
            "这门课程没有这次课",
            "the course has no such session",
        ));
    }
    Ok((seen, ctx))
}

/// Hours as people write them: `3`, `1.5`.
pub fn hours_text(hours: f64) -> String {
    let rounded = (hours * 10.0).round() / 10.0;
    format!("{rounded}")
}
