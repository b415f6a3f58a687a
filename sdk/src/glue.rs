//! The component's exports: wit-bindgen's generated bindings and their
//! conversion to and from the SDK's types. Modules never name anything here;
//! [`crate::export_module!`] does.
#![allow(missing_docs, unsafe_code, reason = "generated bindings")]

use std::marker::PhantomData;

use crate::{Module, types as sdk};

wit_bindgen::generate!({
    path: "wit/since_v0.3.0",
    world: "baton-module",
    export_macro_name: "__export_wit",
    pub_export_macro: true,
    default_bindings_module: "baton_sdk::glue",
    runtime_path: "::baton_sdk::glue::__wit_bindgen_rt::rt",
});

#[doc(hidden)]
pub use wit_bindgen as __wit_bindgen_rt;

use baton::module::types as wit;

/// The contract version, in the custom section the host reads before compiling.
#[used]
#[unsafe(link_section = "baton:contract")]
static CONTRACT: [u8; crate::CONTRACT_VERSION.len()] = bytes(crate::CONTRACT_VERSION);

/// A string as a byte array, for custom sections (`concat_bytes!` is unstable).
pub const fn bytes<const N: usize>(s: &str) -> [u8; N] {
    let mut out = [0u8; N];
    let mut i = 0;
    while i < N {
        out[i] = s.as_bytes()[i];
        i += 1;
    }
    out
}

/// Implements the generated `Guest` trait for any [`Module`].
pub struct Adapter<M>(PhantomData<M>);

impl<M: Module> Guest for Adapter<M> {
    fn describe() -> wit::ModuleInfo {
        // Keeps the section alive even under aggressive dead-code elimination.
        std::hint::black_box(&CONTRACT);
        M::info().into()
    }

    fn start(ctx: wit::Context) -> Result<wit::Outcome, wit::Rejection> {
        crate::start::<M>(ctx.into())
            .map(Into::into)
            .map_err(Into::into)
    }

    fn act(
        ctx: wit::Context,
        state: String,
        action: String,
        payload: String,
    ) -> Result<wit::Outcome, wit::Rejection> {
        crate::act::<M>(ctx.into(), &state, &action, &payload)
            .map(Into::into)
            .map_err(Into::into)
    }

    fn view(ctx: wit::Context, state: String) -> wit::View {
        let view = crate::view::<M>(ctx.into(), &state);
        wit::View {
            template: view.template,
            data: view.data.to_string(),
        }
    }
}

impl From<sdk::Text> for wit::Text {
    fn from(t: sdk::Text) -> Self {
        Self { zh: t.zh, en: t.en }
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
            wit::Role::CityOfficer => Self::CityOfficer,
            wit::Role::ProvinceAdmin => Self::ProvinceAdmin,
            wit::Role::NationalAdmin => Self::NationalAdmin,
        }
    }
}

impl From<sdk::Role> for wit::Role {
    fn from(r: sdk::Role) -> Self {
        match r {
            sdk::Role::Secretary => Self::Secretary,
            sdk::Role::Member => Self::Member,
            sdk::Role::OutgoingCadre => Self::OutgoingCadre,
            sdk::Role::TownshipOfficer => Self::TownshipOfficer,
            sdk::Role::CountyTrainer => Self::CountyTrainer,
            sdk::Role::CityOfficer => Self::CityOfficer,
            sdk::Role::ProvinceAdmin => Self::ProvinceAdmin,
            sdk::Role::NationalAdmin => Self::NationalAdmin,
        }
    }
}

fn committee(c: wit::Committee) -> sdk::Committee {
    match c {
        wit::Committee::PartyBranch => sdk::Committee::PartyBranch,
        wit::Committee::Villagers => sdk::Committee::Villagers,
    }
}

impl From<wit::Context> for sdk::Context {
    fn from(c: wit::Context) -> Self {
        Self {
            enrollment_id: c.enrollment_id,
            actor: match c.actor {
                wit::Actor::Person(p) => sdk::Actor {
                    person_id: p.person_id,
                    name: p.name,
                    role: p.role.into(),
                },
                // The SDK's public actor: no person (see `Context::is_public`).
                wit::Actor::Public => sdk::Actor::public(),
            },
            village: sdk::Village {
                code: c.village.code,
                name: c.village.name,
                township: c.village.township,
                county: c.village.county,
                province: c.village.province,
            },
            members: c
                .members
                .into_iter()
                .map(|m| sdk::Member {
                    person_id: m.person_id,
                    name: m.name,
                    committee: committee(m.committee),
                    post: m.post,
                    one_shoulder: m.one_shoulder,
                })
                .collect(),
            outgoing: c
                .outgoing
                .into_iter()
                .map(|o| sdk::Outgoing {
                    person_id: o.person_id,
                    name: o.name,
                    committee: committee(o.committee),
                    post: o.post,
                    departure: match o.departure {
                        wit::Departure::Retired => sdk::Departure::Retired,
                        wit::Departure::Defeated => sdk::Departure::Defeated,
                        wit::Departure::Transferred => sdk::Departure::Transferred,
                    },
                    years_served: o.years_served,
                })
                .collect(),
            // The host sends the config as JSON it has already parsed once; a
            // document that fails here is reported as the config's fault.
            config: serde_json::from_str(&c.config).unwrap_or(serde_json::Value::String(c.config)),
            locale: match c.locale {
                wit::Locale::ZhCn => sdk::Locale::ZhCn,
                wit::Locale::En => sdk::Locale::En,
            },
            now: c.now,
            siblings: c
                .siblings
                .into_iter()
                .map(|s| sdk::Sibling {
                    module: s.module,
                    done: s.done,
                    total: s.total,
                    completed: s.completed,
                })
                .collect(),
            attachments: c
                .attachments
                .into_iter()
                .map(|a| sdk::Attachment {
                    id: a.id,
                    name: a.name,
                    media_type: a.media_type,
                    size: a.size,
                    uploaded_by: a.uploaded_by,
                    uploaded_at: a.uploaded_at,
                })
                .collect(),
        }
    }
}

impl From<sdk::ModuleInfo> for wit::ModuleInfo {
    fn from(i: sdk::ModuleInfo) -> Self {
        Self {
            id: i.id,
            version: i.version,
            title: i.title.into(),
            summary: i.summary.into(),
            audience: match i.audience {
                sdk::Audience::Secretary => wit::Audience::Secretary,
                sdk::Audience::EveryMember => wit::Audience::EveryMember,
                sdk::Audience::Committee => wit::Audience::Committee,
            },
            actions: i
                .actions
                .into_iter()
                .map(|a| wit::ActionInfo {
                    name: a.name,
                    title: a.title.into(),
                    payload_schema: a.payload_schema.to_string(),
                })
                .collect(),
            templates: i
                .templates
                .into_iter()
                .map(|t| wit::Template {
                    name: t.name,
                    source: t.source.into(),
                })
                .collect(),
            estimated_minutes: i.estimated_minutes,
            config_schema: i.config_schema.to_string(),
            reviewers: i.reviewers.into_iter().map(Into::into).collect(),
        }
    }
}

impl From<sdk::Outcome> for wit::Outcome {
    fn from(o: sdk::Outcome) -> Self {
        Self {
            state: o.state,
            progress: wit::Progress {
                done: o.progress.done,
                total: o.progress.total,
            },
            signoffs: o
                .signoffs
                .into_iter()
                .map(|s| wit::Signoff {
                    signer: s.signer,
                    role: s.role.into(),
                    subject: s.subject,
                    statement: s.statement.into(),
                })
                .collect(),
            notices: o
                .notices
                .into_iter()
                .map(|n| wit::Notice {
                    to: n.to.into(),
                    message: n.message.into(),
                })
                .collect(),
            awaiting: o
                .awaiting
                .into_iter()
                .map(|a| wit::Awaiting {
                    who: a.who.into(),
                    what: a.what.into(),
                    subject: a.subject,
                })
                .collect(),
        }
    }
}

impl From<sdk::Recipient> for wit::Recipient {
    fn from(r: sdk::Recipient) -> Self {
        match r {
            sdk::Recipient::Person(p) => Self::Person(p),
            sdk::Recipient::Role(r) => Self::Role(r.into()),
        }
    }
}

impl From<sdk::Rejection> for wit::Rejection {
    fn from(r: sdk::Rejection) -> Self {
        match r {
            sdk::Rejection::Invalid(fields) => Self::Invalid(
                fields
                    .into_iter()
                    .map(|f| wit::FieldError {
                        field: f.field,
                        message: f.message.into(),
                    })
                    .collect(),
            ),
            sdk::Rejection::Forbidden(t) => Self::Forbidden(t.into()),
            sdk::Rejection::Conflict(t) => Self::Conflict(t.into()),
        }
    }
}
