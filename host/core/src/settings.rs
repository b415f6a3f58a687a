//! The operator's security settings: which proxies are believed, the
//! address links and QR codes point to, who may read `/metrics`, which
//! private networks the outbox may reach, and how much each person and
//! village may upload. Each is a flag of `baton serve` and `baton worker`
//! and an environment variable; the defaults are the safe ones.

use std::net::IpAddr;
use std::sync::Arc;

use ipnet::IpNet;

/// Addresses and networks, written `10.0.0.0/8,192.168.1.5`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Networks(pub Vec<IpNet>);

impl Networks {
    /// Whether `ip` lies in one of them.
    pub fn contains(&self, ip: IpAddr) -> bool {
        let ip = canonical(ip);
        self.0.iter().any(|n| n.contains(&ip))
    }
}

impl std::str::FromStr for Networks {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, String> {
        let mut nets = Vec::new();
        for part in s.split([',', ' ']).map(str::trim).filter(|p| !p.is_empty()) {
            let net = match part.parse::<IpNet>() {
                Ok(net) => net,
                Err(_) => IpNet::from(part.parse::<IpAddr>().map_err(|_| {
                    format!("`{part}` is not an address or network (e.g. 10.0.0.1 or 10.0.0.0/8)")
                })?),
            };
            nets.push(net);
        }
        Ok(Self(nets))
    }
}

/// An IPv4 address written as IPv6 (`::ffff:10.0.0.1`) as the IPv4 address.
pub fn canonical(ip: IpAddr) -> IpAddr {
    match ip {
        IpAddr::V6(v6) => v6.to_ipv4_mapped().map_or(ip, IpAddr::V4),
        v4 => v4,
    }
}

/// The settings, as flags and environment variables.
#[derive(Debug, Clone, clap::Args)]
pub struct Args {
    /// Reverse proxies whose `X-Forwarded-For`, `-Proto` and `-Host` are
    /// believed (addresses or CIDRs, comma-separated). None by default: the
    /// headers are ignored and the client is the connection's peer.
    #[arg(long, global = true, env = "BATON_TRUSTED_PROXIES", default_value = "")]
    pub trusted_proxies: Networks,
    /// The address people reach the site at, e.g. `https://baton.example.gov.cn`:
    /// links and QR codes point there, whatever a request's `Host` says.
    #[arg(long, global = true, env = "BATON_PUBLIC_URL")]
    pub public_url: Option<String>,
    /// Who may read `/metrics` without a token (addresses or CIDRs).
    #[arg(
        long,
        global = true,
        env = "BATON_METRICS_FROM",
        default_value = "127.0.0.1,::1"
    )]
    pub metrics_from: Networks,
    /// A bearer token that also opens `/metrics` (from anywhere).
    #[arg(long, global = true, env = "BATON_METRICS_TOKEN")]
    pub metrics_token: Option<String>,
    /// Private networks the outbox may send to (a province's own SMS
    /// gateway or mail relay on its intranet). Loopback, private,
    /// link-local and other internal addresses are refused otherwise.
    #[arg(long, global = true, env = "BATON_OUTBOUND_ALLOW", default_value = "")]
    pub outbound_allow: Networks,
    /// Evidence one person may upload in all, MiB.
    #[arg(
        long,
        global = true,
        env = "BATON_QUOTA_PERSON_MIB",
        default_value_t = 200
    )]
    pub quota_person_mib: u64,
    /// Evidence one village's enrollments may hold in all, MiB.
    #[arg(
        long,
        global = true,
        env = "BATON_QUOTA_VILLAGE_MIB",
        default_value_t = 1024
    )]
    pub quota_village_mib: u64,
    /// Photos decoded at once (each may take up to 256 MiB while it is).
    #[arg(long, global = true, env = "BATON_IMAGE_DECODES", default_value_t = 2)]
    pub image_decodes: usize,
}

impl Default for Args {
    fn default() -> Self {
        Self {
            trusted_proxies: Networks::default(),
            public_url: None,
            metrics_from: "127.0.0.1,::1".parse().unwrap_or_default(),
            metrics_token: None,
            outbound_allow: Networks::default(),
            quota_person_mib: 200,
            quota_village_mib: 1024,
            image_decodes: 2,
        }
    }
}

/// The settings in use, with what they imply.
#[derive(Debug, Clone)]
pub struct Settings {
    /// As given.
    pub args: Args,
    /// Photos being decoded now.
    pub decodes: Arc<tokio::sync::Semaphore>,
}

impl Default for Settings {
    fn default() -> Self {
        Self::new(Args::default())
    }
}

impl Settings {
    /// The settings `args` give.
    pub fn new(args: Args) -> Self {
        let decodes = Arc::new(tokio::sync::Semaphore::new(args.image_decodes.max(1)));
        Self { args, decodes }
    }

    /// Checks what cannot be checked by type: the public URL's form.
    pub fn check(&self) -> anyhow::Result<()> {
        if let Some(url) = &self.args.public_url {
            let ok = (url.starts_with("https://") || url.starts_with("http://"))
                && !url.trim_end_matches('/').contains(['?', '#', ' '])
                && url.split("://").nth(1).is_some_and(|rest| !rest.is_empty());
            if !ok {
                anyhow::bail!(
                    "public_url (--public-url, BATON_PUBLIC_URL) `{url}` must be an http:// or https:// address such as https://baton.example.gov.cn"
                );
            }
        }
        Ok(())
    }

    /// The person quota in bytes.
    pub fn person_quota(&self) -> i64 {
        i64::try_from(self.args.quota_person_mib << 20).unwrap_or(i64::MAX)
    }

    /// The village quota in bytes.
    pub fn village_quota(&self) -> i64 {
        i64::try_from(self.args.quota_village_mib << 20).unwrap_or(i64::MAX)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn networks_parse_and_match_mapped_addresses() {
        let nets: Networks = "10.0.0.0/8, 192.168.1.5".parse().expect("parses");
        assert!(nets.contains("10.1.2.3".parse().expect("ip")));
        assert!(nets.contains("::ffff:10.1.2.3".parse().expect("ip")));
        assert!(nets.contains("192.168.1.5".parse().expect("ip")));
        assert!(!nets.contains("192.168.1.6".parse().expect("ip")));
        assert!("10.0.0.0/33".parse::<Networks>().is_err());
        assert!("".parse::<Networks>().expect("empty").0.is_empty());
    }
}
