//! 集体宣誓就职 per township: 辽宁's 1,014 townships each held one ceremony
//! for all their villages. The township officer schedules it once and records
//! attendance in one form ("all present", with the absent named); each
//! village's `swearing-in` enrollment follows by its own actions (`schedule`,
//! `record-attendance`), acted here one by one under keys derived from the
//! form's, so a form sent twice acts once. Make-up oaths stay on each
//! village's page, per person.
//!
//! The page reads each village's swearing-in through the module's view (its
//! `date`, `place` and `cadres`), as the module shows it to the township.

use std::collections::HashMap;

use baton_sdk::{Locale, Role};
use serde::Serialize;
use serde_json::{Value, json};

use crate::acting::{self, Acted};
use crate::auth::{Capability, Principal};
use crate::clock::now;
use crate::db::enrollments;
use crate::error::Error;
use crate::state::AppState;

/// The module whose enrollments a ceremony drives.
pub const MODULE: &str = "swearing-in";

/// A village's swearing-in, as the ceremony page shows it.
#[derive(Debug, Clone, Serialize)]
pub struct Village {
    /// The enrollment.
    pub enrollment: i64,
    /// The village's name.
    pub name: String,
    /// The ceremony's day, once scheduled.
    pub date: Option<String>,
    /// Its place.
    pub place: Option<String>,
    /// The new cadres and their part.
    pub cadres: Vec<Cadre>,
}

/// A new cadre at the ceremony.
#[derive(Debug, Clone, Serialize)]
pub struct Cadre {
    /// The person's id.
    pub person_id: String,
    /// Their name.
    pub name: String,
    /// Their post.
    pub post: String,
    /// `sworn`, `absent` or `unrecorded`.
    pub attendance: String,
}

/// What one village's enrollment answered.
#[derive(Debug, Clone, Serialize)]
pub struct Answer {
    /// The village.
    pub village: String,
    /// Actions accepted (or replayed).
    pub accepted: usize,
    /// The module's refusal, in the reader's language, if one was refused.
    pub refused: Option<String>,
}

/// The swearing-ins of the villages under the officer's townships.
pub async fn villages(
    state: &AppState,
    principal: &Principal,
    locale: Locale,
) -> Result<Vec<Village>, Error> {
    let mut out = Vec::new();
    let paths = principal
        .grants
        .iter()
        .filter(|g| g.role == Role::TownshipOfficer)
        .filter_map(|g| g.path.clone());
    for path in paths {
        for mut e in enrollments::committee_under(&state.db, &path, MODULE).await? {
            let (_, role) = acting::reach(state, principal, e.id, Capability::Act).await?;
            let plugin = state.plugin(&e.plugin_id, &e.plugin_version).await?;
            let ctx = acting::context(state, &e, principal, role, locale, now()).await?;
            let current = acting::opened(state, &plugin, &mut e, &ctx, true).await?;
            let view = plugin.view(&ctx, &current).await?;
            let text = |v: &Value| v.as_str().map(str::to_owned);
            let cadres = view.data["cadres"]
                .as_array()
                .into_iter()
                .flatten()
                .map(|c| Cadre {
                    person_id: text(&c["person_id"]).unwrap_or_default(),
                    name: text(&c["name"]).unwrap_or_default(),
                    post: text(&c["post"]).unwrap_or_default(),
                    attendance: text(&c["attendance"]).unwrap_or_default(),
                })
                .collect();
            out.push(Village {
                enrollment: e.id,
                name: text(&view.data["village"]).unwrap_or_default(),
                date: text(&view.data["date"]),
                place: text(&view.data["place"]),
                cadres,
            });
        }
    }
    Ok(out)
}

/// Schedules the ceremony in every village not yet scheduled. `date` and
/// `place` are checked first: a bad one is named and nothing is scheduled.
pub async fn schedule(
    state: &AppState,
    principal: &Principal,
    locale: Locale,
    key: &str,
    (date, place, oath): (&str, &str, &str),
) -> Result<Vec<Answer>, Error> {
    baton_sdk::check::date("date", date).map_err(|r| field_error(&r))?;
    baton_sdk::check::required("place", place).map_err(|r| field_error(&r))?;
    let mut payload = json!({"date": date.trim(), "place": place.trim()});
    if !oath.trim().is_empty() {
        payload["oath"] = json!(oath.trim());
    }
    let mut answers = Vec::new();
    for v in villages(state, principal, locale).await? {
        if v.date.is_some() {
            continue;
        }
        let key = format!("{key}.{}", v.enrollment);
        let answer = act(state, principal, locale, &v, &key, "schedule", &payload).await?;
        answers.push(answer);
    }
    Ok(answers)
}

/// Records everyone not yet recorded in a scheduled village as present,
/// except those in `absent` (person id → reason). Every absent person must
/// be unrecorded in one of the villages and have a reason, or nothing is
/// recorded and the first problem is named (`reason.<person>`).
pub async fn attendance(
    state: &AppState,
    principal: &Principal,
    locale: Locale,
    key: &str,
    absent: &HashMap<String, String>,
    held: &std::collections::HashSet<i64>,
) -> Result<Vec<Answer>, Error> {
    let villages: Vec<Village> = villages(state, principal, locale)
        .await?
        .into_iter()
        .filter(|v| v.date.is_some())
        .collect();
    let unrecorded = |person: &str| {
        villages
            .iter()
            .flat_map(|v| &v.cadres)
            .any(|c| c.person_id == person && c.attendance == "unrecorded")
    };
    let mut named: Vec<_> = absent.iter().collect();
    named.sort();
    // Someone recorded already (the same form sent twice) is left as
    // recorded; someone not on any of the villages' lists is refused.
    let known = |person: &str| {
        villages
            .iter()
            .flat_map(|v| &v.cadres)
            .any(|c| c.person_id == person)
    };
    for (person, reason) in named {
        if !known(person) {
            return Err(Error::bad(
                format!("absent.{person}"),
                "此人不在待登记的名单中",
                "is not among those still to record",
            ));
        }
        if unrecorded(person) && reason.trim().is_empty() {
            return Err(Error::bad(
                format!("reason.{person}"),
                "缺席请填写原因",
                "give the reason for the absence",
            ));
        }
    }
    // Nobody is sworn in by default: the officer confirms, village by
    // village, that its ceremony took place as the form records it.
    if !villages.iter().any(|v| held.contains(&v.enrollment)) {
        return Err(Error::bad(
            "held",
            "请勾选仪式已举行的村，核对到场情况后再登记",
            "tick the villages whose ceremony took place, then record",
        ));
    }
    let mut answers = Vec::new();
    for v in villages.iter().filter(|v| held.contains(&v.enrollment)) {
        let mut total = Answer {
            village: v.name.clone(),
            accepted: 0,
            refused: None,
        };
        for c in v.cadres.iter().filter(|c| c.attendance == "unrecorded") {
            let reason = absent.get(&c.person_id);
            let payload = json!({
                "person": c.person_id,
                "present": reason.is_none(),
                "reason": reason.map_or("", |r| r.trim()),
            });
            let key = format!("{key}.{}.{}", v.enrollment, c.person_id);
            let answer = act(
                state,
                principal,
                locale,
                v,
                &key,
                "record-attendance",
                &payload,
            )
            .await?;
            total.accepted += answer.accepted;
            if answer.refused.is_some() {
                total.refused = answer.refused;
                break;
            }
        }
        answers.push(total);
    }
    Ok(answers)
}

async fn act(
    state: &AppState,
    principal: &Principal,
    locale: Locale,
    v: &Village,
    key: &str,
    action: &str,
    payload: &Value,
) -> Result<Answer, Error> {
    let mut answer = Answer {
        village: v.name.clone(),
        accepted: 0,
        refused: None,
    };
    match acting::act(state, principal, v.enrollment, key, action, payload).await {
        Ok(Acted::Accepted(_)) => answer.accepted = 1,
        Ok(Acted::Replayed { status: 200, .. }) => answer.accepted = 1,
        Ok(Acted::Replayed { body, .. }) => {
            let body: Value = serde_json::from_str(&body).unwrap_or_default();
            answer.refused = Some(refusal(&body, locale));
        }
        Err(e @ Error::Rejected(_)) => answer.refused = Some(refusal(&e.parts().1, locale)),
        Err(e) => return Err(e),
    }
    Ok(answer)
}

/// What a refusal's answer says: its message, or its fields' messages.
fn refusal(body: &Value, locale: Locale) -> String {
    let message = crate::error::message_in(body, locale);
    if !message.is_empty() {
        return message;
    }
    let lang = if locale == Locale::En { "en" } else { "zh" };
    body["fields"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|f| f["message"][lang].as_str())
        .collect::<Vec<_>>()
        .join("；")
}

/// A module-style check's refusal as a bad request naming its field.
fn field_error(r: &baton_sdk::Rejection) -> Error {
    match r {
        baton_sdk::Rejection::Invalid(fields) if !fields.is_empty() => Error::bad(
            fields[0].field.clone(),
            fields[0].message.zh.clone(),
            fields[0].message.en.clone(),
        ),
        other => Error::bad("", other.to_string(), other.to_string()),
    }
}
