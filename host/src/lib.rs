//! Baton's server: the JSON API (`http`), the pages (`web`), the command
//! line (`cli`) and the app that assembles them (`app`). Transports only:
//! each parses a request, calls a use case of `baton-core` and shapes its
//! answer. The store is not reachable from here (`baton-core`'s `db` is
//! private), so a handler that tries does not compile.
//!
//! `main.rs` only parses the command line; everything it runs lives here so
//! tests drive the same code users do.

pub mod app;
pub mod assets;
pub mod cli;
pub mod develop;
pub mod http;
pub mod metrics;
pub mod shared;
pub mod web;

// The use cases, under the names the transports and the tests know them by.
pub use baton_core::{
    Backend, Db, accounts, acting, assigning, attachments, auth, backup, catalog, ceremony, clock,
    contacts, definitions, demo, error, export, files, generate, i18n, import, notices, outbound,
    outbox, privacy, publishing, records, registry, reports, roster, runtime, sampling, settings,
    sheet, signing, signing_in, state, statistics, training, upgrade, views,
};
