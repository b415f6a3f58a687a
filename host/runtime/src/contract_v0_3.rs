//! Contract `baton:module@0.3.0`: the generated bindings and their
//! conversions to the SDK's types. One file per released contract version.

use baton_sdk as sdk;

use super::contract_v0_1::RawInfo;

wasmtime::component::bindgen!({
    path: "../../sdk/wit/since_v0.3.0",
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
            sdk::Role::CountyTrainer => Self::CountyTrainer,
            sdk::Role::CityOfficer => Self::CityOfficer,
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
            wit::Role::CityOfficer => Self::CityOfficer,
            wit::Role::ProvinceAdmin => Self::ProvinceAdmin,
            wit::Role::NationalAdmin => Self::NationalAdmin,
        }
    }
}
/// The staff above the township the module lets act.
fn reviewers(i: &wit::ModuleInfo) -> Vec<sdk::Role> {
    i.reviewers.iter().copied().map(Into::into).collect()
}
