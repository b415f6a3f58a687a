//! Contract `baton:module@0.1.0`: the generated bindings and their
//! conversions to the SDK's types. One file per released contract version.

use baton_sdk as sdk;

wasmtime::component::bindgen!({
    path: "../../sdk/wit/since_v0.1.0",
    world: "baton-module",
    exports: { default: async },
});

pub(crate) use baton::module::types as wit;

include!("contract_instantiate.rs");

impl From<&sdk::Context> for wit::Context {
    fn from(c: &sdk::Context) -> Self {
        Self {
            enrollment_id: c.enrollment_id.clone(),
            actor: wit::Actor {
                person_id: c.actor.person_id.clone(),
                name: c.actor.name.clone(),
                role: c.actor.role.into(),
            },
            village: wit::Village {
                code: c.village.code.clone(),
                name: c.village.name.clone(),
                township: c.village.township.clone(),
                county: c.village.county.clone(),
                province: c.village.province.clone(),
            },
            members: c
                .members
                .iter()
                .map(|m| wit::Member {
                    person_id: m.person_id.clone(),
                    name: m.name.clone(),
                    committee: committee(m.committee),
                    post: m.post.clone(),
                    one_shoulder: m.one_shoulder,
                })
                .collect(),
            outgoing: c
                .outgoing
                .iter()
                .map(|o| wit::Outgoing {
                    person_id: o.person_id.clone(),
                    name: o.name.clone(),
                    committee: committee(o.committee),
                    post: o.post.clone(),
                    departure: match o.departure {
                        sdk::Departure::Retired => wit::Departure::Retired,
                        sdk::Departure::Defeated => wit::Departure::Defeated,
                        sdk::Departure::Transferred => wit::Departure::Transferred,
                    },
                    years_served: o.years_served,
                })
                .collect(),
            config: c.config.to_string(),
            locale: match c.locale {
                sdk::Locale::ZhCn => wit::Locale::ZhCn,
                sdk::Locale::En => wit::Locale::En,
            },
            now: c.now,
        }
    }
}

fn committee(c: sdk::Committee) -> wit::Committee {
    match c {
        sdk::Committee::PartyBranch => wit::Committee::PartyBranch,
        sdk::Committee::Villagers => wit::Committee::Villagers,
    }
}

impl From<sdk::Role> for wit::Role {
    fn from(r: sdk::Role) -> Self {
        match r {
            sdk::Role::Secretary => Self::Secretary,
            sdk::Role::Member => Self::Member,
            sdk::Role::OutgoingCadre => Self::OutgoingCadre,
            sdk::Role::TownshipOfficer => Self::TownshipOfficer,
            // 0.1.0 has no city level: a city officer watches as the
            // county does (the host, not the module, decides who may act).
            sdk::Role::CountyTrainer | sdk::Role::CityOfficer => Self::CountyTrainer,
            sdk::Role::ProvinceAdmin => Self::ProvinceAdmin,
            sdk::Role::NationalAdmin => Self::NationalAdmin,
        }
    }
}

impl From<wit::Role> for sdk::Role {
    fn from(r: wit::Role) -> Self {
        match r {
            wit::Role::Secretary => Self::Secretary,
            wit::Role::Member => Self::Member,
            wit::Role::OutgoingCadre => Self::OutgoingCadre,
            wit::Role::TownshipOfficer => Self::TownshipOfficer,
            wit::Role::CountyTrainer => Self::CountyTrainer,
            wit::Role::ProvinceAdmin => Self::ProvinceAdmin,
            wit::Role::NationalAdmin => Self::NationalAdmin,
        }
    }
}

impl From<wit::Text> for sdk::Text {
    fn from(t: wit::Text) -> Self {
        Self { zh: t.zh, en: t.en }
    }
}

/// Module info as the module sent it; JSON fields are checked by the caller.
pub(crate) struct RawInfo {
    pub info: sdk::ModuleInfo,
    /// (what, the text that did not parse as JSON)
    pub bad_json: Vec<(String, String)>,
}

impl From<wit::ModuleInfo> for RawInfo {
    fn from(i: wit::ModuleInfo) -> Self {
        let mut bad_json = Vec::new();
        let mut json = |what: String, text: String| match serde_json::from_str(&text) {
            Ok(value) => value,
            Err(_) => {
                bad_json.push((what, text));
                serde_json::Value::Null
            }
        };
        let actions = i
            .actions
            .into_iter()
            .map(|a| sdk::ActionInfo {
                payload_schema: json(
                    format!("the payload schema of action `{}`", a.name),
                    a.payload_schema,
                ),
                name: a.name,
                title: a.title.into(),
            })
            .collect();
        let config_schema = json("the config schema".into(), i.config_schema);
        let info = sdk::ModuleInfo {
            id: i.id,
            version: i.version,
            title: i.title.into(),
            summary: i.summary.into(),
            audience: match i.audience {
                wit::Audience::Secretary => sdk::Audience::Secretary,
                wit::Audience::EveryMember => sdk::Audience::EveryMember,
                wit::Audience::Committee => sdk::Audience::Committee,
            },
            actions,
            templates: i
                .templates
                .into_iter()
                .map(|t| sdk::Template {
                    name: t.name,
                    source: t.source.into(),
                })
                .collect(),
            estimated_minutes: i.estimated_minutes,
            config_schema,
            reviewers: Vec::new(),
        };
        Self { info, bad_json }
    }
}

impl From<wit::Outcome> for sdk::Outcome {
    fn from(o: wit::Outcome) -> Self {
        Self {
            state: o.state,
            progress: sdk::Progress {
                done: o.progress.done,
                total: o.progress.total,
            },
            signoffs: o
                .signoffs
                .into_iter()
                .map(|s| sdk::Signoff {
                    signer: s.signer,
                    role: s.role.into(),
                    subject: s.subject,
                    statement: s.statement.into(),
                })
                .collect(),
            notices: o
                .notices
                .into_iter()
                .map(|n| sdk::Notice {
                    to: match n.to {
                        wit::Recipient::Person(p) => sdk::Recipient::Person(p),
                        wit::Recipient::Role(r) => sdk::Recipient::Role(r.into()),
                    },
                    message: n.message.into(),
                })
                .collect(),
            // 0.1.0 cannot say whose turn it is.
            awaiting: Vec::new(),
        }
    }
}

impl From<wit::Rejection> for sdk::Rejection {
    fn from(r: wit::Rejection) -> Self {
        match r {
            wit::Rejection::Invalid(fields) => Self::Invalid(
                fields
                    .into_iter()
                    .map(|f| sdk::FieldError {
                        field: f.field,
                        message: f.message.into(),
                    })
                    .collect(),
            ),
            wit::Rejection::Forbidden(t) => Self::Forbidden(t.into()),
            wit::Rejection::Conflict(t) => Self::Conflict(t.into()),
        }
    }
}

/// An answer of `start` or `act` in the SDK's types.
pub(crate) fn answer(
    answer: Result<wit::Outcome, wit::Rejection>,
) -> Result<sdk::Outcome, sdk::Rejection> {
    answer.map(Into::into).map_err(Into::into)
}
