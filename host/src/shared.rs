//! What both transports share, so the pages never reach into the API: the
//! state the handlers reach, a use case's error as an answer (mapped once,
//! in `error`), the signed-in session and its extractor, the client's
//! address and this site's origin behind a proxy (`client`), and the checks
//! every request passes (`guard`).

pub mod client;
pub mod error;
pub mod guard;
pub mod session;

pub use crate::clock::now;
/// A use case's error, before a transport answers with it.
pub use crate::error::Error as Fault;
pub use crate::error::message_in;
pub use error::{Error, Said, status_of};
pub use session::{COOKIE, ClientAddr, session_cookie, sign_out};

/// What every handler reaches: the core's state, under a type of this crate
/// so the transports' extractors (the signed-in principal, a page visit) can
/// be written for it. Derefs to [`crate::state::AppState`], so it is passed
/// to a use case as `&state`.
#[derive(Clone)]
pub struct AppState(pub crate::state::AppState);

impl std::ops::Deref for AppState {
    type Target = crate::state::AppState;
    fn deref(&self) -> &Self::Target {
        &self.0
    }
}

/// The answer to an address no route serves.
pub(crate) async fn not_found() -> Error {
    Error::not_found("没有这个页面", "there is no such page")
}

/// This site's own address, as [`client::forwarded`] worked it out: what a
/// printed QR code must point back to.
pub(crate) fn origin(extensions: &axum::http::Extensions) -> String {
    extensions
        .get::<client::Client>()
        .map_or_else(|| "http://localhost".to_owned(), |c| c.origin.clone())
}
