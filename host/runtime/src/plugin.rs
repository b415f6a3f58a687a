//! A loaded module and the four calls of the contract, each in a fresh
//! instance, each answer checked before the host trusts it.

use std::time::Instant;

use baton_sdk::{Context, ModuleInfo, Outcome, Rejection, View};
use serde::de::IgnoredAny;
use wasmtime::component::InstancePre;
use wasmtime::{Engine, Store, Trap, UpdateDeadline};

use super::contract_v0_1::{self, RawInfo};
use super::contract_v0_2;
use super::contract_v0_3;
use super::package::Stamp;
use super::{Contract, Fault, Limits, LoadError, PluginError, PluginName, Sandbox};

/// The largest state a module may return, bytes. State is stored per
/// enrollment and sent on every call; a runaway one is a bug.
pub const MAX_STATE_BYTES: usize = 1 << 20;
/// The most sign-offs one call may make: a form signs a handful at most.
pub const MAX_SIGNOFFS: usize = 32;
/// The most notices one call may send.
pub const MAX_NOTICES: usize = 32;
/// The most parties an outcome may say it awaits.
pub const MAX_AWAITING: usize = 32;
/// The longest text of a sign-off statement or notice, bytes per language.
pub const MAX_TEXT_BYTES: usize = 4 << 10;
/// The longest id a module may return: a sign-off's subject, a notice's or
/// awaited party's person id, an awaited step's subject, bytes.
pub const MAX_ID_BYTES: usize = 256;
/// The most field errors one rejection may name.
pub const MAX_FIELD_ERRORS: usize = 64;
/// The largest rejection, bytes (its messages in both languages).
pub const MAX_REJECTION_BYTES: usize = 64 << 10;
/// The largest view data, bytes: a page's worth of facts, not a database.
pub const MAX_VIEW_BYTES: usize = 256 << 10;

/// A validated, compiled module, ready to be called.
pub struct Plugin {
    name: PluginName,
    info: ModuleInfo,
    sha256: [u8; 32],
    label: String,
    bad_json: Vec<(String, String)>,
    pre: Pre,
    engine: Engine,
    limits: Limits,
}

/// A compiled component, ready to instantiate, by contract version.
enum Pre {
    V0_1(contract_v0_1::BatonModulePre<Sandbox>),
    V0_2(contract_v0_2::BatonModulePre<Sandbox>),
    V0_3(contract_v0_3::BatonModulePre<Sandbox>),
}

/// A live instance, by contract version.
enum Instance {
    V0_1(contract_v0_1::BatonModule),
    V0_2(contract_v0_2::BatonModule),
    V0_3(contract_v0_3::BatonModule),
}

/// Raised by the epoch callback; found again when classifying the error.
#[derive(Debug, thiserror::Error)]
#[error("deadline exceeded")]
struct DeadlineExceeded;

impl Plugin {
    pub(super) async fn new(
        shared: &super::Shared,
        contract: Contract,
        pre: InstancePre<Sandbox>,
        stamp: &Stamp,
    ) -> Result<Self, LoadError> {
        let label = stamp.label.clone();
        let compile_error = |e: wasmtime::Error| LoadError::Compile {
            package: label.clone(),
            detail: format!("{e:#}"),
        };
        let pre = match contract {
            Contract::V0_1 => {
                Pre::V0_1(contract_v0_1::BatonModulePre::new(pre).map_err(compile_error)?)
            }
            Contract::V0_2 => {
                Pre::V0_2(contract_v0_2::BatonModulePre::new(pre).map_err(compile_error)?)
            }
            Contract::V0_3 => {
                Pre::V0_3(contract_v0_3::BatonModulePre::new(pre).map_err(compile_error)?)
            }
        };
        let (name_id, name_version) = label.split_once('@').unwrap_or((&label, ""));
        let mut plugin = Plugin {
            name: PluginName {
                id: name_id.to_owned(),
                version: name_version.to_owned(),
            },
            info: placeholder_info(),
            sha256: stamp.sha256,
            label: stamp.label.clone(),
            bad_json: Vec::new(),
            pre,
            engine: shared.engine.clone(),
            limits: shared.limits.clone(),
        };
        let raw = plugin.describe().await?;
        plugin.name = PluginName {
            id: raw.info.id.clone(),
            version: raw.info.version.clone(),
        };
        plugin.info = raw.info;
        plugin.bad_json = raw.bad_json;
        Ok(plugin)
    }

    /// What the package's build stamped into it (`crate@version`), or its
    /// sha256 when unstamped; the host checks it agrees with [`Plugin::info`].
    pub fn label(&self) -> &str {
        &self.label
    }

    /// The JSON texts in the module's info that did not parse: (what, text).
    /// Empty for a well-made module; the host refuses one that is not.
    pub fn bad_json(&self) -> &[(String, String)] {
        &self.bad_json
    }

    /// The contract version the module was built against.
    pub fn contract(&self) -> Contract {
        match self.pre {
            Pre::V0_1(_) => Contract::V0_1,
            Pre::V0_2(_) => Contract::V0_2,
            Pre::V0_3(_) => Contract::V0_3,
        }
    }

    /// `id@version`.
    pub fn name(&self) -> &PluginName {
        &self.name
    }

    /// What the module said about itself.
    pub fn info(&self) -> &ModuleInfo {
        &self.info
    }

    /// This component as a module a province configured: `info` (its own
    /// id, version and titles over the engine's actions and templates) is
    /// what the host, and every fault, calls it by.
    #[must_use]
    pub fn defined_as(mut self, info: ModuleInfo) -> Self {
        self.name = PluginName {
            id: info.id.clone(),
            version: info.version.clone(),
        };
        self.info = info;
        self
    }

    /// sha256 of the package.
    pub fn sha256(&self) -> &[u8; 32] {
        &self.sha256
    }

    async fn describe(&self) -> Result<RawInfo, PluginError> {
        let (mut store, instance) = self.instance(0, "describe").await?;
        let info = match instance {
            Instance::V0_1(m) => m.call_describe(&mut store).await.map(RawInfo::from),
            Instance::V0_2(m) => m.call_describe(&mut store).await.map(RawInfo::from),
            Instance::V0_3(m) => m.call_describe(&mut store).await.map(RawInfo::from),
        };
        info.map_err(|e| self.fault(&store, e))
    }

    /// The initial state of a new enrollment, or why `ctx` (its config) is refused.
    pub async fn start(&self, ctx: &Context) -> Result<Result<Outcome, Rejection>, PluginError> {
        let (mut store, instance) = self.instance(ctx.now, &ctx.enrollment_id).await?;
        let answer = match instance {
            Instance::V0_1(m) => m
                .call_start(&mut store, &ctx.into())
                .await
                .map(contract_v0_1::answer),
            Instance::V0_2(m) => m
                .call_start(&mut store, &ctx.into())
                .await
                .map(contract_v0_2::answer),
            Instance::V0_3(m) => m
                .call_start(&mut store, &ctx.into())
                .await
                .map(contract_v0_3::answer),
        };
        self.checked(ctx, answer.map_err(|e| self.fault(&store, e))?)
    }

    /// Applies `action` with `payload` (JSON) to `state` (JSON).
    pub async fn act(
        &self,
        ctx: &Context,
        state: &str,
        action: &str,
        payload: &str,
    ) -> Result<Result<Outcome, Rejection>, PluginError> {
        let (mut store, instance) = self.instance(ctx.now, &ctx.enrollment_id).await?;
        let answer = match instance {
            Instance::V0_1(m) => m
                .call_act(
                    &mut store,
                    &ctx.into(),
                    &state.to_owned(),
                    action,
                    &payload.to_owned(),
                )
                .await
                .map(contract_v0_1::answer),
            Instance::V0_2(m) => m
                .call_act(
                    &mut store,
                    &ctx.into(),
                    &state.to_owned(),
                    action,
                    &payload.to_owned(),
                )
                .await
                .map(contract_v0_2::answer),
            Instance::V0_3(m) => m
                .call_act(
                    &mut store,
                    &ctx.into(),
                    &state.to_owned(),
                    action,
                    &payload.to_owned(),
                )
                .await
                .map(contract_v0_3::answer),
        };
        self.checked(ctx, answer.map_err(|e| self.fault(&store, e))?)
    }

    /// What the actor sees of `state`.
    pub async fn view(&self, ctx: &Context, state: &str) -> Result<View, PluginError> {
        let (mut store, instance) = self.instance(ctx.now, &ctx.enrollment_id).await?;
        let view = match instance {
            Instance::V0_1(m) => m
                .call_view(&mut store, &ctx.into(), &state.to_owned())
                .await
                .map(|v| (v.template, v.data)),
            Instance::V0_2(m) => m
                .call_view(&mut store, &ctx.into(), &state.to_owned())
                .await
                .map(|v| (v.template, v.data)),
            Instance::V0_3(m) => m
                .call_view(&mut store, &ctx.into(), &state.to_owned())
                .await
                .map(|v| (v.template, v.data)),
        };
        let (template, data) = view.map_err(|e| self.fault(&store, e))?;
        if !self.info.templates.iter().any(|t| t.name == template) {
            return Err(self.malformed(format!(
                "view names template `{template}`, which the module did not declare"
            )));
        }
        if data.len() > MAX_VIEW_BYTES {
            return Err(self.malformed(format!(
                "view data is {} bytes; the limit is {MAX_VIEW_BYTES}",
                data.len()
            )));
        }
        let data = serde_json::from_str(&data)
            .map_err(|e| self.malformed(format!("view data is not valid JSON: {e}")))?;
        Ok(View { template, data })
    }

    /// A fresh store and instance, with this call's deadline and memory cap.
    async fn instance(
        &self,
        now: i64,
        seed: &str,
    ) -> Result<(Store<Sandbox>, Instance), PluginError> {
        let mut store = Store::new(&self.engine, Sandbox::new(now, seed, self.limits.memory));
        store.limiter(|sandbox| &mut sandbox.limiter);
        let (started, deadline) = (Instant::now(), self.limits.deadline);
        store.set_epoch_deadline(1);
        // Yield to the executor at every tick, so a busy module never holds a
        // worker thread for long, and stop it once its time is up.
        store.epoch_deadline_callback(move |_| {
            if started.elapsed() >= deadline {
                Err(wasmtime::Error::new(DeadlineExceeded))
            } else {
                Ok(UpdateDeadline::Yield(1))
            }
        });
        let instance = match &self.pre {
            Pre::V0_1(pre) => contract_v0_1::instantiate(pre, &mut store)
                .await
                .map(Instance::V0_1),
            Pre::V0_2(pre) => contract_v0_2::instantiate(pre, &mut store)
                .await
                .map(Instance::V0_2),
            Pre::V0_3(pre) => contract_v0_3::instantiate(pre, &mut store)
                .await
                .map(Instance::V0_3),
        };
        match instance {
            Ok(instance) => Ok((store, instance)),
            Err(e) if store.data().limiter.exceeded => Err(self.fault(&store, e)),
            Err(e) => Err(PluginError {
                plugin: self.name.clone(),
                fault: Fault::Instantiate(format!("{e:#}")),
            }),
        }
    }

    fn fault(&self, store: &Store<Sandbox>, e: wasmtime::Error) -> PluginError {
        let fault = if e.chain().any(|cause| cause.is::<DeadlineExceeded>()) {
            Fault::Timeout(u64::try_from(self.limits.deadline.as_millis()).unwrap_or(u64::MAX))
        } else if store.data().limiter.exceeded {
            Fault::OutOfMemory((self.limits.memory >> 20) as u64)
        } else if let Some(message) = store.data().panic_message() {
            Fault::Panic(message)
        } else if let Some(trap) = e.downcast_ref::<Trap>() {
            Fault::Trap(trap.to_string())
        } else {
            Fault::Trap(format!("{e:#}"))
        };
        PluginError {
            plugin: self.name.clone(),
            fault,
        }
    }

    /// A fault of this module: it broke the contract (`detail` says how).
    pub fn malformed(&self, detail: String) -> PluginError {
        PluginError {
            plugin: self.name.clone(),
            fault: Fault::Malformed(detail),
        }
    }

    /// Holds the module to the contract: JSON state of sane size, progress
    /// that adds up, sign-offs only by the actor.
    fn checked(
        &self,
        ctx: &Context,
        answer: Result<Outcome, Rejection>,
    ) -> Result<Result<Outcome, Rejection>, PluginError> {
        let outcome = match answer {
            Ok(outcome) => outcome,
            Err(Rejection::Invalid(fields)) if fields.is_empty() => {
                return Err(
                    self.malformed("an `invalid` rejection must name at least one field".into())
                );
            }
            Err(rejection) => return self.bounded_rejection(rejection).map(Err),
        };
        if outcome.signoffs.len() > MAX_SIGNOFFS || outcome.notices.len() > MAX_NOTICES {
            return Err(self.malformed(format!(
                "one call made {} sign-offs and {} notices; the limits are {MAX_SIGNOFFS} and {MAX_NOTICES}",
                outcome.signoffs.len(),
                outcome.notices.len()
            )));
        }
        if outcome.awaiting.len() > MAX_AWAITING {
            return Err(self.malformed(format!(
                "an outcome awaits {} parties; the limit is {MAX_AWAITING}",
                outcome.awaiting.len()
            )));
        }
        let texts = outcome
            .signoffs
            .iter()
            .map(|s| &s.statement)
            .chain(outcome.notices.iter().map(|n| &n.message))
            .chain(outcome.awaiting.iter().map(|a| &a.what));
        for text in texts {
            if text.zh.len() > MAX_TEXT_BYTES || text.en.len() > MAX_TEXT_BYTES {
                return Err(self.malformed(format!(
                    "a sign-off statement, notice or awaited step is longer than {MAX_TEXT_BYTES} bytes"
                )));
            }
        }
        let person = |r: &baton_sdk::Recipient| match r {
            baton_sdk::Recipient::Person(id) => id.len(),
            baton_sdk::Recipient::Role(_) => 0,
        };
        let ids = outcome
            .signoffs
            .iter()
            .flat_map(|s| {
                [
                    ("a sign-off's subject", s.subject.len()),
                    ("a sign-off's signer", s.signer.len()),
                ]
            })
            .chain(
                outcome
                    .notices
                    .iter()
                    .map(|n| ("a notice's recipient", person(&n.to))),
            )
            .chain(outcome.awaiting.iter().flat_map(|a| {
                [
                    ("an awaited party", person(&a.who)),
                    ("an awaited step's subject", a.subject.len()),
                ]
            }));
        for (what, len) in ids {
            if len > MAX_ID_BYTES {
                return Err(self.malformed(format!(
                    "{what} is {len} bytes; the limit is {MAX_ID_BYTES}"
                )));
            }
        }
        // A person a module names must be one the enrollment's village
        // reaches: its committee, its outgoing cadres, or whoever is acting.
        // Anyone else (a person in another province, say) is never
        // notified or awaited through this village's channels.
        let reached = |id: &str| {
            id == ctx.actor.person_id
                || ctx.members.iter().any(|m| m.person_id == id)
                || ctx.outgoing.iter().any(|o| o.person_id == id)
        };
        let named = outcome
            .notices
            .iter()
            .map(|n| ("a notice", &n.to))
            .chain(outcome.awaiting.iter().map(|a| ("an awaited step", &a.who)));
        for (what, to) in named {
            if let baton_sdk::Recipient::Person(id) = to
                && !reached(id)
            {
                return Err(self.malformed(format!(
                    "{what} names person `{id}`, who is not on this village's committees, among its outgoing cadres, or acting"
                )));
            }
        }
        if outcome.state.len() > MAX_STATE_BYTES {
            let detail = format!(
                "state is {} bytes; the limit is {MAX_STATE_BYTES}",
                outcome.state.len()
            );
            return Err(self.malformed(detail));
        }
        if let Err(e) = serde_json::from_str::<IgnoredAny>(&outcome.state) {
            return Err(self.malformed(format!("state is not valid JSON: {e}")));
        }
        let progress = outcome.progress;
        if progress.done > progress.total {
            return Err(self.malformed(format!(
                "progress {}/{} counts more done than there is",
                progress.done, progress.total
            )));
        }
        for s in &outcome.signoffs {
            if s.signer != ctx.actor.person_id || s.role != ctx.actor.role {
                let detail = format!(
                    "a sign-off names signer `{}`, but `{}` is acting",
                    s.signer, ctx.actor.person_id
                );
                return Err(self.malformed(detail));
            }
            if s.statement.zh.trim().is_empty()
                || s.statement.en.trim().is_empty()
                || s.subject.is_empty()
            {
                return Err(self.malformed(
                    "a sign-off needs a subject and a statement in both languages".into(),
                ));
            }
        }
        Ok(Ok(outcome))
    }
}

impl Plugin {
    /// A rejection within the limits: at most [`MAX_FIELD_ERRORS`] fields and
    /// [`MAX_REJECTION_BYTES`] of text, or a fault naming the limit.
    fn bounded_rejection(&self, rejection: Rejection) -> Result<Rejection, PluginError> {
        if let Rejection::Invalid(fields) = &rejection
            && fields.len() > MAX_FIELD_ERRORS
        {
            return Err(self.malformed(format!(
                "a rejection names {} fields; the limit is {MAX_FIELD_ERRORS}",
                fields.len()
            )));
        }
        let size = serde_json::to_vec(&rejection).map_or(usize::MAX, |b| b.len());
        if size > MAX_REJECTION_BYTES {
            return Err(self.malformed(format!(
                "a rejection is {size} bytes; the limit is {MAX_REJECTION_BYTES}"
            )));
        }
        Ok(rejection)
    }
}

/// Stands in until `describe` answers, so the first call can be labelled.
fn placeholder_info() -> ModuleInfo {
    ModuleInfo {
        id: String::new(),
        version: String::new(),
        title: Default::default(),
        summary: Default::default(),
        audience: baton_sdk::Audience::Committee,
        actions: Vec::new(),
        templates: Vec::new(),
        estimated_minutes: 0,
        config_schema: serde_json::Value::Null,
        reviewers: Vec::new(),
    }
}
