//! Who is asking, and at which address they reached us. A reverse proxy's
//! `X-Forwarded-For`, `-Proto` and `-Host` are believed only when the
//! connection comes from one of the operator's trusted proxies
//! (`BATON_TRUSTED_PROXIES`, none by default); from anyone else they are
//! removed before any handler sees them. Links and QR codes point to the
//! operator's public URL (`BATON_PUBLIC_URL`) when it is set.

use std::net::IpAddr;

use axum::extract::{ConnectInfo, Request, State};
use axum::http::HeaderMap;
use axum::middleware::Next;
use axum::response::Response;

use super::AppState;

/// What the middleware found, as a request extension.
#[derive(Debug, Clone)]
pub struct Client {
    /// The client's address (`None` in-process, as tests call the router).
    pub ip: Option<IpAddr>,
    /// The connection's own peer.
    pub peer: Option<IpAddr>,
    /// This site as the client reached it: `https://baton.example.gov.cn`.
    pub origin: String,
}

const FORWARDED: [&str; 5] = [
    "x-forwarded-for",
    "x-forwarded-proto",
    "x-forwarded-host",
    "x-real-ip",
    "forwarded",
];

/// Works out the [`Client`] and strips forwarded headers nobody trusted sent.
pub async fn forwarded(State(state): State<AppState>, mut req: Request, next: Next) -> Response {
    let settings = &state.settings.args;
    let peer = req
        .extensions()
        .get::<ConnectInfo<std::net::SocketAddr>>()
        .map(|c| crate::settings::canonical(c.0.ip()));
    let trusted = peer.is_some_and(|p| settings.trusted_proxies.contains(p));
    let headers = req.headers_mut();
    let mut ip = peer;
    if trusted {
        // The rightmost address no trusted proxy added is the client's.
        let chain: Vec<IpAddr> = headers
            .get_all("x-forwarded-for")
            .iter()
            .filter_map(|v| v.to_str().ok())
            .flat_map(|v| v.split(','))
            .filter_map(|a| a.trim().parse::<IpAddr>().ok())
            .map(crate::settings::canonical)
            .collect();
        if let Some(client) = chain
            .iter()
            .rev()
            .find(|a| !settings.trusted_proxies.contains(**a))
            .or(chain.first())
        {
            ip = Some(*client);
        }
    } else {
        for name in FORWARDED {
            headers.remove(name);
        }
    }
    let origin = match &settings.public_url {
        Some(url) => url.trim_end_matches('/').to_owned(),
        None => own_origin(headers),
    };
    req.extensions_mut().insert(Client { ip, peer, origin });
    next.run(req).await
}

/// `scheme://host` from the headers left (the forwarded ones only if a
/// trusted proxy sent them); a host that is not a plain host name is
/// replaced by `localhost`.
fn own_origin(headers: &HeaderMap) -> String {
    let get = |h: &str| headers.get(h).and_then(|v| v.to_str().ok());
    let scheme = match get("x-forwarded-proto") {
        Some(p) if p.eq_ignore_ascii_case("https") => "https",
        _ => "http",
    };
    let host = get("x-forwarded-host")
        .or_else(|| get("host"))
        .filter(|h| {
            !h.is_empty()
                && h.len() <= 255
                && h.bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b"-.:[]".contains(&b))
        })
        .unwrap_or("localhost");
    format!("{scheme}://{host}")
}
