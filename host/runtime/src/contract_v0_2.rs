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

include!("contract_instantiate.rs");

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
/// 0.2.0 cannot name reviewers: only the township and the village act.
fn reviewers(_: &wit::ModuleInfo) -> Vec<sdk::Role> {
    Vec::new()
}
