//! Acting in enrollments, and what a person sees of them: reaching an
//! enrollment (authorized), the context a module is told, opening it, the
//! action itself with its idempotency key, and the one `Actor` construction.

use std::sync::Arc;

use baton_sdk::{Actor, Context, Locale, Outcome, Role, Text};
use serde::Serialize;
use serde_json::{Value, json};
use sha2::{Digest, Sha256};

use crate::auth::{Capability, Principal, Target, authorize};
use crate::clock::now;
use crate::db::enrollments::{self, Attempt, Enrollment, WriteError};
use crate::db::reports::status;
use crate::error::Error;
use crate::registry::Module;
use crate::state::AppState;

/// An enrollment at a glance.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Serialize)]
pub struct Summary {
    /// Its id.
    pub id: i64,
    /// Module id.
    pub module: String,
    /// The version it is pinned to.
    pub version: String,
    /// The module's title.
    #[cfg_attr(feature = "openapi", schema(value_type = Object))]
    pub title: baton_sdk::Text,
    /// The village.
    pub village: String,
    /// Whose it is; absent for a whole committee's.
    pub person_id: Option<i64>,
    /// Steps done.
    pub done: i64,
    /// Steps in all (0 until first opened).
    pub total: i64,
    /// not-started, started, completed or overdue.
    pub status: &'static str,
    /// Due date, Unix seconds.
    pub due_at: i64,
    /// The edition (期次), from 1: a second round of a course is 2.
    pub edition: i64,
    /// The assignment it came from.
    pub assignment: i64,
    /// Whose turn it is (modules on contract 0.2.0 say): who must do what.
    #[cfg_attr(feature = "openapi", schema(value_type = Vec<Object>))]
    pub awaiting: Vec<Turn>,
    /// Whether one of those turns is the reader's own.
    pub my_turn: bool,
}

/// A party an enrollment waits for, as a reader sees it.
#[derive(Debug, Clone, Serialize)]
pub struct Turn {
    /// Who: a role's title or a person's name.
    pub who: Text,
    /// What they must do.
    pub what: Text,
    /// Whether it is the reader.
    pub mine: bool,
    /// Since when, Unix seconds.
    pub since: i64,
}

/// The summary of `e`, whose module is `plugin`, as of `now`.
pub fn summary(e: &Enrollment, plugin: &Module, now: i64) -> Summary {
    Summary {
        id: e.id,
        module: e.plugin_id.clone(),
        version: e.plugin_version.clone(),
        title: plugin.info().title.clone(),
        village: e.unit_code.clone(),
        person_id: e.person_id,
        done: e.done,
        total: e.total,
        status: status(e.started_at, e.completed_at, e.due_at, now),
        due_at: e.due_at,
        edition: e.edition,
        assignment: e.assignment_id,
        awaiting: Vec::new(),
        my_turn: false,
    }
}

/// The principal's own enrollments and their villages' committee ones.
pub async fn my_enrollments(
    state: &AppState,
    principal: &Principal,
) -> Result<Vec<Summary>, Error> {
    let villages: Vec<String> = principal
        .grants
        .iter()
        .filter(|g| matches!(g.role, Role::Secretary | Role::Member | Role::OutgoingCadre))
        .filter_map(|g| g.unit_code.clone())
        .collect();
    let now = now();
    let mut out = Vec::new();
    let mut found = enrollments::of_person(&state.db, principal.person_id, &villages).await?;
    open_all(state, &mut found).await?;
    let ids: Vec<i64> = found.iter().map(|e| e.id).collect();
    let mut turns = crate::db::turns::of(&state.db, &ids).await?;
    for e in found {
        // Found through the grants already; the permission function still decides.
        let plugin = state.plugin(&e.plugin_id, &e.plugin_version).await?;
        let target =
            Target::enrollment(&e.path, e.person_id, &e.plugin_id, e.completed_at.is_some())
                .reviewed_by(&plugin.info().reviewers)
                .admitting_outgoing(plugin.admits_outgoing());
        let Some(role) = authorize(principal, Capability::ViewEnrollment, target) else {
            continue;
        };
        let mut line = summary(&e, &plugin, now);
        let me = actor(principal.account_id, principal.person_id, "", role).person_id;
        let (_, members, outgoing) = state.village(&e.unit_code, &e.path).await?.as_ref().clone();
        let name_of = |person: &str| {
            members
                .iter()
                .map(|m| (&m.person_id, &m.name))
                .chain(outgoing.iter().map(|o| (&o.person_id, &o.name)))
                .find(|(id, _)| *id == person)
                .map_or_else(|| person.to_owned(), |(_, name)| name.clone())
        };
        for t in turns.remove(&e.id).unwrap_or_default() {
            let mine = t.is_for(&me, role);
            let who = match (&t.person_id, t.role) {
                (Some(person), _) => Text::new(name_of(person), name_of(person)),
                (None, Some(r)) => r.title(),
                (None, None) => Text::new("", ""),
            };
            line.my_turn |= mine;
            line.awaiting.push(Turn {
                who,
                what: t.what,
                mine,
                since: t.since,
            });
        }
        // A person's own enrollment that names no turn is theirs to finish:
        // nobody else acts in it.
        if line.awaiting.is_empty()
            && e.person_id.is_some()
            && e.person_id == principal.person_id
            && e.completed_at.is_none()
        {
            let title = &plugin.info().title;
            line.my_turn = true;
            line.awaiting.push(Turn {
                who: Text::new(
                    principal.display_name.clone(),
                    principal.display_name.clone(),
                ),
                what: Text::new(
                    format!("完成“{}”", title.zh),
                    format!("finish “{}”", title.en),
                ),
                mine: true,
                since: e.started_at.unwrap_or(e.due_at),
            });
        }
        out.push(line);
    }
    // An outgoing cadre, and no member of a new committee, is shown what asks
    // something of him now or what he took part in: the handover, not the
    // new committee's course, division of work, or its visits to him.
    let village_roles = || principal.grants.iter().map(|g| g.role);
    let outgoing_only = village_roles().any(|r| r == Role::OutgoingCadre)
        && !village_roles().any(|r| matches!(r, Role::Secretary | Role::Member));
    if outgoing_only {
        let acted = enrollments::acted_in(&state.db, principal.account_id).await?;
        out.retain(|s| s.my_turn || acted.contains(&s.id));
    }
    // My turns first: where others have begun and now wait on me (the
    // handover the outgoing cadre declared), then the committee's, then my
    // own; then what waits on someone else; then the rest; done last. Due
    // soonest first within each.
    out.sort_by_key(|s| {
        let rank = match (s.my_turn, s.awaiting.is_empty(), s.status) {
            (_, _, "completed") => 5,
            (true, _, _) if s.done > 0 => 0,
            (true, _, _) if s.person_id.is_none() => 1,
            (true, _, _) => 2,
            (false, false, _) => 3,
            _ => 4,
        };
        (rank, s.due_at)
    });
    Ok(out)
}

/// What acting answered.
#[derive(Debug)]
pub enum Acted {
    /// The module accepted: the answer (JSON: the enrollment's new summary,
    /// its sign-offs and notices), as the action log keeps it.
    Accepted(String),
    /// The key was used before: the first attempt's answer, as it was.
    Replayed {
        /// Its HTTP status (200 accepted, 422 rejected, 500 a fault).
        status: u16,
        /// Its JSON body.
        body: String,
    },
}

/// Acts in enrollment `id` as `principal` under the idempotency `key`: runs
/// the module outside any transaction, then writes everything in one
/// (`db::enrollments::apply`) guarded by the enrollment's revision; if a
/// concurrent action got there first, the module runs again on the new
/// state. A refusal or a fault is logged with its answer and returned.
pub async fn act(
    state: &AppState,
    principal: &Principal,
    id: i64,
    key: &str,
    action: &str,
    payload: &Value,
) -> Result<Acted, Error> {
    let reached = reach(state, principal, id, Capability::Act).await?;
    act_on(state, principal, reached, key, action, payload).await
}

/// [`act`] on an enrollment already reached for [`Capability::Act`] (a
/// page that read the action's schema first reaches it once).
pub async fn act_on(
    state: &AppState,
    principal: &Principal,
    (mut e, role): (Enrollment, Role),
    key: &str,
    action: &str,
    payload: &Value,
) -> Result<Acted, Error> {
    let id = e.id;
    if action.trim().is_empty() {
        return Err(Error::bad("action", "请指定操作", "is required"));
    }
    // Refused attempts are counted, so no secret a module checks (a class's
    // check-in code) can be guessed by trying: per person and action, and
    // per assignment (a class's learners together) and action.
    let now = now();
    let (mine, class) = enrollments::refused_lately(
        &state.db,
        principal.account_id,
        e.assignment_id,
        action,
        now - TRIES_WINDOW,
    )
    .await?;
    if mine >= TRIES_PER_PERSON || class >= TRIES_PER_ASSIGNMENT {
        return Err(Error::TooManyTries(TRIES_WINDOW));
    }
    let payload = serde_json::to_string(payload).map_err(anyhow::Error::from)?;
    let request_hash = {
        let mut h = Sha256::new();
        h.update(format!("{id}\n{action}\n{payload}"));
        hex::encode(h.finalize())
    };
    // A replayed key is caught by the log's unique index when the attempt is
    // written (KeyTaken below), which saves every first attempt a query.
    let plugin = state.plugin(&e.plugin_id, &e.plugin_version).await?;
    let ctx = context(state, &e, principal, role, Locale::ZhCn, now).await?;
    let attempt = Attempt {
        enrollment_id: e.id,
        account_id: principal.account_id,
        idempotency_key: key,
        request_hash: &request_hash,
        role: role.as_str(),
        action,
        payload: &payload,
        at: now,
        result: "accepted",
        status: 200,
        response: "",
    };
    // A concurrent action may move the enrollment on; run again on its new state.
    for _ in 0..8 {
        let current = opened(state, &plugin, &mut e, &ctx, false).await?;
        let refused = match plugin.act(&ctx, &current, action, &payload).await {
            Ok(Ok(outcome)) => {
                let body = serde_json::to_string(&accepted(&e, &plugin, &outcome, now))
                    .map_err(anyhow::Error::from)?;
                let attempt = Attempt {
                    response: &body,
                    ..attempt.clone()
                };
                match enrollments::apply(&state.db, &e, &attempt, &outcome).await {
                    Ok(()) => return Ok(Acted::Accepted(body)),
                    Err(WriteError::Stale) => {
                        e = enrollments::get(&state.db, id)
                            .await?
                            .ok_or_else(|| gone(id))?;
                        continue;
                    }
                    Err(WriteError::KeyTaken) => {
                        return replay_key(state, principal, key, &request_hash).await;
                    }
                    Err(WriteError::Database(err)) => return Err(err.into()),
                }
            }
            Ok(Err(rejection)) => ("rejected", Error::Rejected(rejection)),
            Err(fault) => ("fault", Error::Plugin(fault)),
        };
        let (result, error) = refused;
        let (status, body) = error.parts();
        let body = body.to_string();
        let attempt = Attempt {
            result,
            status,
            response: &body,
            ..attempt
        };
        return match enrollments::log_refused(&state.db, &attempt).await {
            Ok(()) => Err(error),
            Err(WriteError::KeyTaken) => replay_key(state, principal, key, &request_hash).await,
            Err(WriteError::Stale) => Err(error),
            Err(WriteError::Database(err)) => Err(err.into()),
        };
    }
    // Others keep acting on this enrollment: nothing was lost, so say so.
    Err(Error::Conflict(Text::new(
        "刚才有人修改了这项内容，请刷新页面后重试",
        "someone else just changed this; reload and try again",
    )))
}

/// Which of an enrollment's sign-offs [`see`] reads.
#[derive(Debug, Clone, Copy)]
pub enum Signoffs {
    /// Every one, oldest first (the API, the printed record).
    All,
    /// The latest this many (a page: a declaration replaced a hundred times
    /// signed a hundred times).
    Latest(i64),
}

/// An enrollment as one reader sees it: the module's view for them, what
/// they may do there, its evidence and its sign-offs.
pub struct Seen {
    /// The enrollment, opened.
    pub enrollment: Enrollment,
    /// The role the reader sees it in.
    pub role: Role,
    /// Its module.
    pub module: Arc<Module>,
    /// The module's view for this reader.
    pub view: baton_sdk::View,
    /// Whether the reader may act in it.
    pub acts: bool,
    /// Whether the reader may remind and pause its reminders (a trainer).
    pub reminds: bool,
    /// Why its reminders are paused, if they are (for those who remind).
    pub paused: Option<String>,
    /// The village's name.
    pub village: String,
    /// Its evidence, oldest first.
    pub attachments: Vec<Stored>,
    /// The sign-offs asked for, oldest first.
    pub signoffs: Vec<SignoffEntry>,
    /// How many sign-offs it has in all.
    pub signoffs_total: i64,
}

pub use crate::db::attachments::Stored;
pub use crate::db::audit::SignoffEntry;

/// One enrollment as `principal` sees it in `locale`: opened if no one has
/// yet, the module's view of it, and what the pages and the API show beside
/// it. Both transports read an enrollment through this.
pub async fn see(
    state: &AppState,
    principal: &Principal,
    id: i64,
    locale: Locale,
    signoffs: Signoffs,
) -> Result<Seen, Error> {
    let (mut e, role) = reach(state, principal, id, Capability::ViewEnrollment).await?;
    let module = state.plugin(&e.plugin_id, &e.plugin_version).await?;
    let now = now();
    let ctx = context(state, &e, principal, role, locale, now).await?;
    let current = opened(state, &module, &mut e, &ctx, true).await?;
    let ctx = for_view(state, &e, ctx).await?;
    let view = module.view(&ctx, &current).await?;
    let village = ctx.village.name.clone();
    let target = Target::enrollment(&e.path, e.person_id, &e.plugin_id, e.completed_at.is_some())
        .reviewed_by(&module.info().reviewers)
        .admitting_outgoing(module.admits_outgoing());
    let acts = authorize(principal, Capability::Act, target).is_some();
    let reminds = authorize(principal, Capability::Remind, target).is_some();
    let paused = if reminds {
        crate::db::outbox::paused(&state.db, id).await?
    } else {
        None
    };
    let attachments = crate::db::attachments::of(&state.db, id).await?;
    let (signoffs, signoffs_total) = match signoffs {
        Signoffs::All => {
            let all = crate::db::audit::signoffs(&state.db, id).await?;
            let n = all.len() as i64;
            (all, n)
        }
        Signoffs::Latest(n) => crate::db::audit::latest_signoffs(&state.db, id, n).await?,
    };
    Ok(Seen {
        enrollment: e,
        role,
        module,
        view,
        acts,
        reminds,
        paused,
        village,
        attachments,
        signoffs,
        signoffs_total,
    })
}

/// A village's public page of `module`: its module and view for nobody
/// signed in, if the module renders its `public` template for the public
/// (else `None`, so nothing is public by accident).
pub async fn public_view(
    state: &AppState,
    village: &str,
    module: &str,
    locale: Locale,
) -> Result<Option<(Arc<Module>, baton_sdk::View)>, Error> {
    let Some(mut e) = enrollments::of_village(&state.db, village, module).await? else {
        return Ok(None);
    };
    let plugin = state.plugin(&e.plugin_id, &e.plugin_version).await?;
    let ctx = village_context(state, &e, Actor::public(), locale, now()).await?;
    let current = opened(state, &plugin, &mut e, &ctx, false).await?;
    let ctx = for_view(state, &e, ctx).await?;
    let view = plugin.view(&ctx, &current).await?;
    Ok((view.template == baton_sdk::PUBLIC_TEMPLATE).then_some((plugin, view)))
}

/// How far back refused attempts count, seconds.
pub const TRIES_WINDOW: i64 = 600;
/// Refused attempts at one action one person may make in the window.
pub const TRIES_PER_PERSON: i64 = 20;
/// Refused attempts at one action all of an assignment's people together
/// may make in the window.
pub const TRIES_PER_ASSIGNMENT: i64 = 200;

fn gone(id: i64) -> Error {
    Error::not_found(
        format!("没有编号为 {id} 的任务"),
        format!("no enrollment {id}"),
    )
}

fn accepted(e: &Enrollment, plugin: &Module, outcome: &Outcome, now: i64) -> Value {
    let mut after = e.clone();
    after.done = i64::from(outcome.progress.done);
    after.total = i64::from(outcome.progress.total);
    after.started_at = after.started_at.or(Some(now));
    after.completed_at = outcome
        .progress
        .is_complete()
        .then(|| e.completed_at.unwrap_or(now));
    json!({
        "result": "accepted",
        "enrollment": summary(&after, plugin, now),
        "signoffs": outcome.signoffs.iter().map(|s| json!({"signer": s.signer, "subject": s.subject})).collect::<Vec<_>>(),
        "notices": outcome.notices.len(),
    })
}

async fn replay_key(
    state: &AppState,
    principal: &Principal,
    key: &str,
    request_hash: &str,
) -> Result<Acted, Error> {
    let first = enrollments::answered(&state.db, principal.account_id, key)
        .await?
        .ok_or_else(|| anyhow::anyhow!("idempotency key {key} vanished"))?;
    replay(first, request_hash)
}

fn replay(first: enrollments::Answered, request_hash: &str) -> Result<Acted, Error> {
    if first.request_hash != request_hash {
        return Err(Error::bad(
            "Idempotency-Key",
            "此 Idempotency-Key 已用于另一个请求",
            "this Idempotency-Key was already used for a different request",
        ));
    }
    Ok(Acted::Replayed {
        status: first.status,
        body: first.response,
    })
}

/// The enrollment, if the principal may do `capability` in it, and the role
/// they do it in.
pub async fn reach(
    state: &AppState,
    principal: &Principal,
    id: i64,
    capability: Capability,
) -> Result<(Enrollment, Role), Error> {
    let e = enrollments::get(&state.db, id)
        .await?
        .ok_or_else(|| gone(id))?;
    let plugin = state.plugin(&e.plugin_id, &e.plugin_version).await?;
    let target = Target::enrollment(&e.path, e.person_id, &e.plugin_id, e.completed_at.is_some())
        .reviewed_by(&plugin.info().reviewers)
        .admitting_outgoing(plugin.admits_outgoing());
    let role = authorize(principal, capability, target).ok_or_else(Error::forbidden)?;
    Ok((e, role))
}

/// The actor a module is told about: the person, or for an official without
/// a person record their account. Acting, replaying an upgrade and checking
/// an assignment's config all build it here, so a replay sees what acting saw.
pub fn actor(account_id: i64, person_id: Option<i64>, name: &str, role: Role) -> Actor {
    Actor {
        person_id: person_id.map_or_else(|| format!("account-{account_id}"), |p| p.to_string()),
        name: name.to_owned(),
        role,
    }
}

/// What the module is told about this call.
pub async fn context(
    state: &AppState,
    e: &Enrollment,
    principal: &Principal,
    role: Role,
    locale: Locale,
    now: i64,
) -> Result<Context, Error> {
    let actor = actor(
        principal.account_id,
        principal.person_id,
        &principal.display_name,
        role,
    );
    village_context(state, e, actor, locale, now).await
}

/// What the module is told about a call by `actor`.
pub async fn village_context(
    state: &AppState,
    e: &Enrollment,
    actor: Actor,
    locale: Locale,
    now: i64,
) -> Result<Context, Error> {
    let (village, members, outgoing) = state.village(&e.unit_code, &e.path).await?.as_ref().clone();
    Ok(Context {
        enrollment_id: e.id.to_string(),
        actor,
        village,
        members,
        outgoing,
        config: serde_json::from_str(&e.config).map_err(anyhow::Error::from)?,
        locale,
        now,
        siblings: Vec::new(),
        attachments: crate::db::attachments::of(&state.db, e.id)
            .await?
            .into_iter()
            .map(|s| s.attachment)
            .collect(),
    })
}

/// `ctx` for a `view`: with the status of the village's other enrollments
/// (its committee-wide ones and the enrollment's person's own).
pub async fn for_view(
    state: &AppState,
    e: &Enrollment,
    mut ctx: Context,
) -> Result<Context, Error> {
    ctx.siblings = enrollments::siblings(&state.db, e).await?;
    Ok(ctx)
}

/// The enrollment's state, starting it first if it was never opened; `keep`
/// stores that first state (acting stores it with the action's own write).
pub async fn opened(
    state: &AppState,
    plugin: &Arc<Module>,
    e: &mut Enrollment,
    ctx: &Context,
    keep: bool,
) -> Result<String, Error> {
    if let Some(s) = &e.state {
        return Ok(s.clone());
    }
    let outcome = plugin.start(ctx).await?.map_err(Error::Rejected)?;
    if keep {
        enrollments::store_initial(&state.db, e, &outcome, ctx.now).await?;
    }
    e.state = Some(outcome.state.clone());
    e.done = i64::from(outcome.progress.done);
    e.total = i64::from(outcome.progress.total);
    Ok(outcome.state)
}

/// Opens each never-opened enrollment of `found` (its module's `start`,
/// stored with the turns it names), so that whose turn it is is known before
/// anyone opens its page: a fresh 我的任务 says "轮到您", and the township's
/// queue lists the swearing-in it must schedule. A module that refuses or
/// fails to start is left unopened (its page shows why) and logged.
pub async fn open_all(state: &AppState, found: &mut [Enrollment]) -> Result<(), Error> {
    let now = now();
    for e in found.iter_mut().filter(|e| e.state.is_none()) {
        let plugin = state.plugin(&e.plugin_id, &e.plugin_version).await?;
        let ctx = village_context(state, e, Actor::public(), Locale::ZhCn, now).await?;
        if let Err(error) = opened(state, &plugin, e, &ctx, true).await {
            tracing::warn!(enrollment = e.id, module = %e.plugin_id, %error, "could not open");
        }
    }
    Ok(())
}

/// The org unit `code` (named by the request's `unit` field) and its path,
/// if the principal may do `capability` there: a 400 when there is no such
/// unit, a 403 when it is outside their grants.
pub async fn unit_in_scope(
    state: &AppState,
    principal: &crate::auth::Principal,
    code: &str,
    capability: crate::auth::Capability,
) -> Result<(crate::db::org_units::OrgUnit, String), Error> {
    let (unit, path) = crate::db::org_units::get(&state.db, code)
        .await?
        .ok_or_else(|| {
            Error::bad(
                "unit",
                format!("没有区划代码 {code}"),
                format!("no org unit {code}"),
            )
        })?;
    let target = crate::auth::Target::unit(&path);
    crate::auth::authorize(principal, capability, target).ok_or_else(Error::forbidden)?;
    Ok((unit, path))
}

/// The payload of `action` in enrollment `id` from a form's fields as the
/// page would have posted them (`entries.0.name=…&entries.0.quantity=…`,
/// url-encoded): what a phone queued offline. Built by the action's schema,
/// as the page's own post is; a number that does not parse is refused by
/// field, in both languages, before the module is asked.
pub async fn payload_from_form(
    state: &AppState,
    principal: &Principal,
    id: i64,
    action: &str,
    form: &str,
) -> Result<Value, Error> {
    let (e, _) = reach(state, principal, id, Capability::Act).await?;
    let plugin = state.plugin(&e.plugin_id, &e.plugin_version).await?;
    let schema = &plugin
        .info()
        .actions
        .iter()
        .find(|a| a.name == action)
        .ok_or_else(|| Error::bad("action", "没有这个操作", format!("no action `{action}`")))?
        .payload_schema;
    let pairs: Vec<(String, String)> = serde_urlencoded::from_str(form).map_err(|e| {
        Error::bad(
            "form",
            "表单无法解析",
            format!("the form does not parse: {e}"),
        )
    })?;
    let mut values: std::collections::BTreeMap<String, Vec<String>> = Default::default();
    for (k, v) in pairs.into_iter().filter(|(k, _)| !k.starts_with('_')) {
        values.entry(k).or_default().push(v);
    }
    let say = |locale| crate::i18n::t(locale, "form.not-a-number", &[]);
    crate::views::payload::payload(schema, &values, &[], &say(Locale::ZhCn)).map_err(|errors| {
        let fields = errors
            .into_keys()
            .map(|field| baton_sdk::FieldError {
                field,
                message: Text::new(say(Locale::ZhCn), say(Locale::En)),
            })
            .collect();
        Error::Rejected(baton_sdk::Rejection::Invalid(fields))
    })
}
