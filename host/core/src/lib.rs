//! Baton's core: the use cases and the store behind them, with no HTTP and
//! no pages. The server (`baton-host`) calls the use cases; the store (`db`)
//! is private to this crate, so a transport cannot reach it — only the tests'
//! and benchmarks' set-up sees it, through the `store` feature.

pub mod accounts;
pub mod acting;
pub mod assigning;
pub mod attachments;
pub mod auth;
pub mod backup;
pub mod catalog;
pub mod ceremony;
pub mod clock;
pub mod contacts;
#[cfg(feature = "store")]
pub mod db;
#[cfg(not(feature = "store"))]
mod db;
pub mod definitions;
pub mod demo;
pub mod error;
pub mod export;
pub mod files;
pub mod generate;
pub mod i18n;
pub mod import;
pub mod notices;
pub mod outbound;
pub mod outbox;
pub mod privacy;
pub mod publishing;
pub mod records;
pub mod registry;
pub mod reports;
pub mod roster;
pub mod sampling;
pub mod settings;
pub mod sheet;
pub mod signing;
pub mod signing_in;
pub mod sms_vendors;
pub mod state;
pub mod statistics;
pub mod training;
pub mod upgrade;

pub use baton_runtime as runtime;
pub use baton_views as views;
pub use db::{Backend, Db};
