//! Baton's host: the server, the CLI and the plugin runtime.
//!
//! `main.rs` only parses the command line; everything it runs lives here so
//! tests drive the same code users do.

pub mod accounts;
pub mod acting;
pub mod app;
pub mod assigning;
pub mod attachments;
pub mod auth;
pub mod ceremony;
pub mod cli;
pub mod clock;
pub mod db;
pub use db::Db;
pub mod demo;
pub mod develop;
pub mod error;
pub mod export;
pub mod files;
pub mod generate;
pub mod http;
pub mod i18n;
pub mod import;
pub mod metrics;
pub mod notices;
pub mod outbound;
pub mod outbox;
pub mod publishing;
pub mod records;
pub mod registry;
pub mod reports;
pub mod sampling;
pub mod settings;
pub mod sheet;
pub mod signing_in;
pub mod state;
pub mod training;
pub use baton_runtime as runtime;
pub mod upgrade;
pub mod views;
pub mod web;
