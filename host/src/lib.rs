//! Baton's host: the server, the CLI and the plugin runtime.
//!
//! `main.rs` only parses the command line; everything it runs lives here so
//! tests drive the same code users do.

pub mod accounts;
pub mod auth;
pub mod cli;
pub mod db;
pub mod demo;
pub mod develop;
pub mod generate;
pub mod http;
pub mod import;
pub mod registry;
pub mod runtime;
pub mod upgrade;
pub mod web;
