//! The pages' static files, each served under a name that carries its
//! content's hash: a phone keeps it for good (one fetch per release, none
//! per page) and a new release's file has a new name.

use std::sync::LazyLock;

use sha2::{Digest, Sha256};

/// The stylesheet.
pub const CSS: &str = include_str!("../static/baton.css");

/// The stylesheet's address.
pub static CSS_HREF: LazyLock<String> = LazyLock::new(|| hashed("baton", "css", CSS));

/// The home-screen icon: the platform's red with a white baton handed on.
pub const ICON: &str = include_str!("../static/icon.svg");

/// `/static/{stem}.{first 12 hex digits of the content's sha256}.{ext}`.
fn hashed(stem: &str, ext: &str, content: &str) -> String {
    let hash = hex::encode(Sha256::digest(content.as_bytes()));
    format!("/static/{stem}.{}.{ext}", &hash[..12])
}

/// The pages' one script: offline reading, the queue of actions taken
/// offline, drafts (progressive: every page works without it).
pub const JS: &str = include_str!("../static/app.js");

/// The script's address.
pub static JS_HREF: LazyLock<String> = LazyLock::new(|| hashed("app", "js", JS));

/// The service worker, with the current release's file names filled in; a
/// new release is a new worker, which drops the old release's files.
pub static SERVICE_WORKER: LazyLock<String> = LazyLock::new(|| {
    let version = &hex::encode(Sha256::digest(format!("{}{}", *CSS_HREF, *JS_HREF)))[..12];
    include_str!("../static/sw.js")
        .replace("{{css}}", &CSS_HREF)
        .replace("{{js}}", &JS_HREF)
        .replace("{{version}}", version)
});
