//! Contract `baton:module@0.2.0`: the generated bindings and their
//! conversions to the SDK's types. One file per released contract version.

use baton_sdk as sdk;

use super::contract_v0_1::RawInfo;

wasmtime::component::bindgen!({
    path: "../../sdk/wit/since_v0.2.0",
    world: "baton-module",
    exports: { default: async },
});

pub(crate) use baton::module::types as wit;

include!("contract_common.rs");

impl From<sdk::Role> for wit::Role {
    fn from(r: sdk::Role) -> Self {
        match r {
            sdk::Role::Secretary => Self::Secretary,
            sdk::Role::Member => Self::Member,
            sdk::Role::OutgoingCadre => Self::OutgoingCadre,
            sdk::Role::TownshipOfficer => Self::TownshipOfficer,
            // 0.2.0 has no city level: a city officer watches as the
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
