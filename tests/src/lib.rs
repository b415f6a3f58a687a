//! Shared set-up for the end-to-end tests.

use std::sync::Arc;

use baton_host::runtime::{Limits, Plugin, Runtime};

/// The hostile fixtures, compiled.
pub mod fixtures {
    include!(concat!(env!("OUT_DIR"), "/fixtures.rs"));
}

/// A runtime with the default limits and no disk cache.
pub fn runtime() -> Runtime {
    Runtime::new(Limits::default(), None).expect("the runtime starts")
}

/// The built-in module `name`, loaded.
pub async fn built_in(runtime: &Runtime, name: &str) -> Arc<Plugin> {
    let (_, bytes) = baton_host::registry::BUILT_IN
        .iter()
        .find(|(n, _)| *n == name)
        .unwrap_or_else(|| panic!("no built-in module {name}"));
    runtime
        .load(bytes)
        .await
        .unwrap_or_else(|e| panic!("{name} loads: {e}"))
}
