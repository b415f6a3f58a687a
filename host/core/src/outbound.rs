//! Where the outbox may connect. A province administrator sets the SMS
//! gateway, the group robots' webhooks and the SMTP host; none of them may
//! lead into the server's own network (loopback, private, link-local, the
//! cloud metadata addresses, carrier-grade NAT and the like) unless the
//! operator allowed that network (`BATON_OUTBOUND_ALLOW`). Checked when a
//! destination is set, and again on every send against the addresses the
//! connection then uses, so a name that later resolves inward (DNS
//! rebinding) is refused too.

use std::net::{IpAddr, SocketAddr, ToSocketAddrs as _};

use crate::settings::{Networks, canonical};

/// Whether `ip` is a public Internet address: not loopback, private,
/// link-local, shared (100.64.0.0/10, where Aliyun's metadata service
/// sits), multicast, documentation, benchmarking, reserved or unspecified.
pub fn public(ip: IpAddr) -> bool {
    match canonical(ip) {
        IpAddr::V4(v4) => {
            let [a, b, c, _] = v4.octets();
            !(v4.is_unspecified()
                || v4.is_loopback()
                || v4.is_private()
                || v4.is_link_local()
                || v4.is_broadcast()
                || v4.is_multicast()
                || v4.is_documentation()
                || a == 0
                || (a == 100 && (64..128).contains(&b))
                || (a == 192 && b == 0 && c == 0)
                || (a == 198 && (18..20).contains(&b))
                || a >= 240)
        }
        IpAddr::V6(v6) => {
            let first = v6.segments()[0];
            let embedded_v4 = match v6.segments() {
                // NAT64 (64:ff9b::/96) and IPv4-compatible addresses.
                [0x64, 0xff9b, 0, 0, 0, 0, ..] | [0, 0, 0, 0, 0, 0, ..]
                    if !v6.is_loopback() && !v6.is_unspecified() =>
                {
                    let o = v6.octets();
                    Some(IpAddr::from([o[12], o[13], o[14], o[15]]))
                }
                _ => None,
            };
            if let Some(v4) = embedded_v4 {
                return public(v4);
            }
            !(v6.is_unspecified()
                || v6.is_loopback()
                || v6.is_multicast()
                || (first & 0xfe00) == 0xfc00 // unique local
                || (first & 0xffc0) == 0xfe80 // link-local
                || (first & 0xffc0) == 0xfec0 // site-local
                || first == 0x2001 && v6.segments()[1] == 0x0db8) // documentation
        }
    }
}

/// Why a destination is refused.
pub fn refused(host: &str, ip: IpAddr) -> String {
    format!(
        "{host} leads to {ip}, an internal address: the outbox sends only to public addresses \
         (the operator may allow a province's own intranet with BATON_OUTBOUND_ALLOW)"
    )
}

/// The addresses `host:port` resolves to, every one of them allowed, or why
/// not. Blocking: call it off the async workers.
pub fn resolve(host: &str, port: u16, allow: &Networks) -> Result<Vec<SocketAddr>, String> {
    let bare = host.trim_start_matches('[').trim_end_matches(']');
    let addrs: Vec<SocketAddr> = (bare, port)
        .to_socket_addrs()
        .map_err(|e| format!("{host} does not resolve: {e}"))?
        .collect();
    if addrs.is_empty() {
        return Err(format!("{host} does not resolve"));
    }
    match addrs
        .iter()
        .find(|a| !public(a.ip()) && !allow.contains(a.ip()))
    {
        Some(inward) => Err(refused(host, inward.ip())),
        None => Ok(addrs),
    }
}

/// The host and port of an `http://` or `https://` URL.
pub fn host_of(url: &str) -> Option<(String, u16)> {
    let uri: http::Uri = url.parse().ok()?;
    let port = uri.port_u16().unwrap_or(match uri.scheme_str()? {
        "https" => 443,
        "http" => 80,
        _ => return None,
    });
    Some((uri.host()?.to_owned(), port))
}

/// Checks a destination as it is set: an address written out must be
/// allowed, and a name must not resolve inward now (a name that does not
/// resolve yet is checked again when something is sent).
pub async fn check_destination(host: &str, port: u16, allow: &Networks) -> Result<(), String> {
    let bare = host.trim_start_matches('[').trim_end_matches(']');
    if let Ok(ip) = bare.parse::<IpAddr>() {
        return if public(ip) || allow.contains(ip) {
            Ok(())
        } else {
            Err(refused(host, ip))
        };
    }
    if bare.eq_ignore_ascii_case("localhost") || bare.to_ascii_lowercase().ends_with(".localhost") {
        return Err(refused(host, IpAddr::from([127, 0, 0, 1])));
    }
    let (host, allow) = (bare.to_owned(), allow.clone());
    let lookup = tokio::task::spawn_blocking(move || resolve(&host, port, &allow));
    // A resolver that does not answer in time is the send-time check's to settle.
    match tokio::time::timeout(std::time::Duration::from_secs(3), lookup).await {
        Ok(Ok(Err(why))) if why.contains("internal address") => Err(why),
        _ => Ok(()),
    }
}

/// ureq's name resolution with every address checked: the connection goes
/// only to the addresses checked here.
#[derive(Debug)]
pub struct Resolver(pub Networks);

impl ureq::unversioned::resolver::Resolver for Resolver {
    fn resolve(
        &self,
        uri: &ureq::http::Uri,
        _config: &ureq::config::Config,
        _timeout: ureq::unversioned::transport::NextTimeout,
    ) -> Result<ureq::unversioned::resolver::ResolvedSocketAddrs, ureq::Error> {
        let (host, port) = host_of(&uri.to_string()).ok_or(ureq::Error::HostNotFound)?;
        let addrs = resolve(&host, port, &self.0).map_err(|why| {
            ureq::Error::Io(std::io::Error::new(
                std::io::ErrorKind::PermissionDenied,
                why,
            ))
        })?;
        let mut out = self.empty();
        for a in addrs.into_iter().take(16) {
            out.push(a);
        }
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::public;

    #[test]
    fn internal_addresses_are_not_public() {
        for inward in [
            "127.0.0.1",
            "10.1.2.3",
            "172.16.0.1",
            "192.168.0.1",
            "169.254.169.254",
            "100.100.100.200",
            "0.0.0.0",
            "::1",
            "::",
            "fd00::1",
            "fe80::1",
            "::ffff:127.0.0.1",
            "::ffff:169.254.169.254",
            "64:ff9b::a9fe:a9fe",
            "255.255.255.255",
            "198.18.0.1",
        ] {
            assert!(!public(inward.parse().expect("ip")), "{inward}");
        }
        for outward in ["8.8.8.8", "1.2.3.4", "2400:3200::1", "100.128.0.1"] {
            assert!(public(outward.parse().expect("ip")), "{outward}");
        }
    }
}
