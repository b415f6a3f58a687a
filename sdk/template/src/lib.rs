//! A discipline pledge (廉洁承诺): every member of the new committees signs
//! it, and each signature is a sign-off in the platform's tamper-evident log.
//! Start from here: rename the actions, change the state, keep the tests green.

use baton_sdk::{
    ActionInfo, Audience, Awaiting, Context, Effects, JsonSchema, Module, ModuleInfo, Progress,
    Rejection, Role, Stamp, Template, Text, View,
};
use serde::{Deserialize, Serialize};

/// The module.
pub struct Pledge;

baton_sdk::export_module!(Pledge);

/// The village's pledge: who has signed.
#[derive(Debug, Serialize, Deserialize)]
pub struct State {
    /// The members expected to sign, by person id.
    pub members: Vec<String>,
    /// Their signatures, in order.
    pub signed: Vec<Stamp>,
}

/// The actions, as the server sends them.
#[derive(Debug, Deserialize)]
#[serde(tag = "action", content = "payload", rename_all = "kebab-case")]
pub enum Action {
    /// The acting member signs the pledge.
    Sign(Sign),
}

/// Payload of `sign`.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Sign {
    /// Must be true: the member has read the pledge and agrees.
    pub agree: bool,
}

/// The province's configuration.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Config {
    /// The pledge's text.
    pub text: Text,
}

impl Default for Config {
    fn default() -> Self {
        Self {
            text: Text::new(
                "本人承诺：严守纪律，廉洁用权，不谋私利，接受监督。",
                "I pledge to keep discipline, use power cleanly, seek no private gain and accept supervision.",
            ),
        }
    }
}

impl Module for Pledge {
    type State = State;
    type Action = Action;
    type Config = Config;

    fn info() -> ModuleInfo {
        ModuleInfo {
            // The id is the crate's name and the version the crate's version.
            id: env!("CARGO_PKG_NAME").into(),
            version: env!("CARGO_PKG_VERSION").into(),
            title: Text::new("廉洁承诺", "Discipline pledge"),
            summary: Text::new(
                "新一届两委成员逐一签署廉洁承诺。",
                "Every member of the new committees signs the discipline pledge.",
            ),
            audience: Audience::Committee,
            actions: vec![ActionInfo::new::<Sign>("sign", Text::new("签署承诺", "Sign the pledge"))],
            templates: vec![Template::new(
                "pledge",
                "<section><p>{{text}}</p><p>已签署 {{done}} / {{total}}</p><ul>{{#each signed}}<li>{{this}}</li>{{/each}}</ul></section>",
                "<section><p>{{text}}</p><p>{{done}} of {{total}} signed</p><ul>{{#each signed}}<li>{{this}}</li>{{/each}}</ul></section>",
            )],
            estimated_minutes: 5,
            config_schema: baton_sdk::schema::<Config>(),
            reviewers: Vec::new(),
        }
    }

    fn check_config(config: &Config) -> Result<(), Rejection> {
        baton_sdk::check::required("config.text.zh", &config.text.zh)
    }

    fn start(ctx: &Context<Config>) -> Result<State, Rejection> {
        // Each person once: a one-shoulder secretary holds two seats.
        let members = ctx.people().iter().map(|m| m.person_id.clone()).collect();
        Ok(State {
            members,
            signed: Vec::new(),
        })
    }

    fn act(ctx: &Context<Config>, state: &mut State, action: Action) -> Result<Effects, Rejection> {
        let Action::Sign(sign) = action;
        ctx.require_role(&[Role::Secretary, Role::Member])?;
        if !sign.agree {
            return Err(Rejection::invalid("agree", "请阅读并同意承诺内容", "read and agree to the pledge"));
        }
        if !state.members.contains(&ctx.actor.person_id) {
            return Err(Rejection::forbidden("你不在本村新一届两委名单中", "you are not on this village's new committees"));
        }
        if state.signed.iter().any(|s| s.person_id == ctx.actor.person_id) {
            return Err(Rejection::conflict("你已经签署过了", "you have already signed"));
        }
        state.signed.push(ctx.stamp());
        let statement = ctx.config.text.clone();
        Ok(Effects::none().signoff(ctx.signoff("pledge", statement)))
    }

    fn progress(state: &State) -> Progress {
        Progress {
            done: u32::try_from(state.signed.len()).unwrap_or(u32::MAX),
            total: u32::try_from(state.members.len()).unwrap_or(u32::MAX),
        }
    }

    /// Whose turn it is (contract 0.2.0): each member yet to sign. The
    /// platform puts it first on their 我的任务 and reminds them by name.
    fn awaiting(_: &Context<Config>, state: &State) -> Vec<Awaiting> {
        state
            .members
            .iter()
            .filter(|m| !state.signed.iter().any(|s| &s.person_id == *m))
            .map(|m| Awaiting::person(m.as_str(), Text::new("签署廉洁承诺", "sign the discipline pledge"), "pledge"))
            .collect()
    }

    fn view(ctx: &Context<Config>, state: &State) -> View {
        let progress = Self::progress(state);
        let signed: Vec<&str> = state.signed.iter().map(|s| s.name.as_str()).collect();
        View::new(
            "pledge",
            &baton_sdk::serde_json::json!({
                "text": ctx.config.text.get(ctx.locale),
                "done": progress.done,
                "total": progress.total,
                "signed": signed,
            }),
        )
    }
}
