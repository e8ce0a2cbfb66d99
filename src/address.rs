//! Which addresses a crawl may connect to: the policy that keeps a public
//! feed from steering horizon into the machine's own network (a redirect to
//! `http://169.254.169.254/`, a name that resolves to `10.0.0.1`).
//!
//! Loopback, private (RFC 1918, IPv6 unique-local), link-local (169.254/16,
//! fe80::/10), shared (CGNAT, 100.64/10), unspecified (0.0.0.0, `::`) and
//! cloud metadata addresses are refused, on every request and every redirect
//! hop, unless
//! - the host (name or address) is listed in `[settings] allow_private_hosts`, or
//! - the source's own configured URL is written as such an address
//!   (`http://127.0.0.1:8080/feed`, `http://[::1]/`, `http://localhost/`,
//!   `http://10.0.0.5/`): then the source may reach addresses of that same
//!   class, and only written as addresses (its redirects and article pages
//!   included); a name that *resolves* to such an address always needs
//!   `allow_private_hosts`.
//!
//! Names are checked on the addresses they resolve to, inside the HTTP
//! client's resolver ([`PolicyResolver`]), so a name that answers a public
//! address to a first lookup and a private one to the next (DNS rebinding)
//! is refused at the connection that would use it. Addresses written in a
//! URL never reach a resolver: they are checked before the request and in
//! the redirect policy, with the [`Reach`] of the source whose request it is
//! (a task-local set around each source's work, [`within_reach`]).
//!
//! `HORIZON_RESOLVE=host:address,…` (like curl's `--resolve`) answers names
//! from a fixed table instead of DNS, still through the policy: a debugging
//! aid, and how the tests give a name a loopback address.

use std::collections::{BTreeMap, BTreeSet};
use std::future::Future;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use std::sync::Arc;

use url::{Host, Url};

/// The environment variable of the fixed name table (`host:address,…`).
pub const RESOLVE_ENV: &str = "HORIZON_RESOLVE";

/// Cloud metadata services, refused whatever else is allowed for their class:
/// AWS, GCP, Azure and OpenStack at 169.254.169.254 and AWS's IPv6 fd00:ec2::254
/// (<https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/instancedata-data-retrieval.html>),
/// ECS task metadata at 169.254.170.2
/// (<https://docs.aws.amazon.com/AmazonECS/latest/developerguide/task-metadata-endpoint-v2.html>),
/// Alibaba Cloud at 100.100.100.200
/// (<https://www.alibabacloud.com/help/en/ecs/user-guide/view-instance-metadata>).
const METADATA: &[IpAddr] = &[
    IpAddr::V4(Ipv4Addr::new(169, 254, 169, 254)),
    IpAddr::V4(Ipv4Addr::new(169, 254, 170, 2)),
    IpAddr::V4(Ipv4Addr::new(100, 100, 100, 200)),
    IpAddr::V6(Ipv6Addr::new(0xfd00, 0xec2, 0, 0, 0, 0, 0, 0x254)),
];

/// What kind of network an address is on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum AddressClass {
    /// Anything routable on the internet.
    Public,
    /// 127.0.0.0/8, `::1`.
    Loopback,
    /// 10/8, 172.16/12, 192.168/16, fc00::/7 (and the deprecated fec0::/10).
    Private,
    /// 169.254/16, fe80::/10.
    LinkLocal,
    /// 100.64/10 (RFC 6598, carrier-grade NAT).
    Shared,
    /// A cloud metadata service ([`METADATA`]).
    Metadata,
    /// 0.0.0.0/8 and `::` (a connection to them reaches this machine).
    Unspecified,
}

impl AddressClass {
    /// The class of one address; IPv4 inside IPv6 (mapped, compatible,
    /// NAT64, 6to4) is classed by its IPv4 address.
    pub fn of(ip: IpAddr) -> AddressClass {
        if METADATA.contains(&ip) {
            return AddressClass::Metadata;
        }
        match ip {
            IpAddr::V4(v4) => Self::of_v4(v4),
            IpAddr::V6(v6) => match embedded_v4(v6) {
                Some(v4) => Self::of(IpAddr::V4(v4)),
                None => Self::of_v6(v6),
            },
        }
    }

    fn of_v4(ip: Ipv4Addr) -> AddressClass {
        let [a, b, ..] = ip.octets();
        if ip.is_loopback() {
            AddressClass::Loopback
        } else if ip.is_private() {
            AddressClass::Private
        } else if ip.is_link_local() {
            AddressClass::LinkLocal
        } else if a == 100 && (64..128).contains(&b) {
            AddressClass::Shared
        } else if a == 0 {
            AddressClass::Unspecified
        } else {
            AddressClass::Public
        }
    }

    fn of_v6(ip: Ipv6Addr) -> AddressClass {
        let first = ip.segments()[0];
        if ip.is_loopback() {
            AddressClass::Loopback
        } else if ip.is_unspecified() {
            AddressClass::Unspecified
        } else if first & 0xfe00 == 0xfc00 || first & 0xffc0 == 0xfec0 {
            AddressClass::Private
        } else if first & 0xffc0 == 0xfe80 {
            AddressClass::LinkLocal
        } else {
            AddressClass::Public
        }
    }

    /// Whether the policy lets it through without asking.
    pub fn is_public(self) -> bool {
        self == AddressClass::Public
    }

    /// "a loopback address", as messages say it.
    pub fn phrase(self) -> &'static str {
        match self {
            AddressClass::Public => "a public address",
            AddressClass::Loopback => "a loopback address",
            AddressClass::Private => "a private address",
            AddressClass::LinkLocal => "a link-local address",
            AddressClass::Shared => "a shared (CGNAT) address",
            AddressClass::Metadata => "a cloud metadata address",
            AddressClass::Unspecified => "an unspecified address (this machine)",
        }
    }

    fn bit(self) -> u8 {
        1 << (self as u8)
    }
}

/// IPv4 carried in an IPv6 address: mapped (`::ffff:a.b.c.d`), compatible
/// (`::a.b.c.d`), NAT64 (`64:ff9b::/96`) and 6to4 (`2002:AABB:CCDD::/48`).
fn embedded_v4(ip: Ipv6Addr) -> Option<Ipv4Addr> {
    let s = ip.segments();
    let tail = || Ipv4Addr::new((s[6] >> 8) as u8, s[6] as u8, (s[7] >> 8) as u8, s[7] as u8);
    if let Some(v4) = ip.to_ipv4_mapped() {
        return Some(v4);
    }
    if s[..6] == [0; 6] && !(s[6] == 0 && s[7] <= 1) {
        return Some(tail());
    }
    if s[..6] == [0x64, 0xff9b, 0, 0, 0, 0] {
        return Some(tail());
    }
    if s[0] == 0x2002 {
        return Some(Ipv4Addr::new(
            (s[1] >> 8) as u8,
            s[1] as u8,
            (s[2] >> 8) as u8,
            s[2] as u8,
        ));
    }
    None
}

/// `localhost` and names under it (RFC 6761 §6.3: always loopback).
pub fn is_localhost_name(host: &str) -> bool {
    let h = host.trim_end_matches('.').to_ascii_lowercase();
    h == "localhost" || h.ends_with(".localhost")
}

/// The address a URL's host is written as, with how it is spelled in
/// messages: an IP literal, or a `localhost` name (classed as loopback).
/// `None` for any other name (its addresses come from the resolver).
fn written_address(url: &Url) -> Option<(String, IpAddr)> {
    match url.host()? {
        Host::Ipv4(v4) => Some((v4.to_string(), IpAddr::V4(v4))),
        Host::Ipv6(v6) => Some((v6.to_string(), IpAddr::V6(v6))),
        Host::Domain(d) if is_localhost_name(d) => {
            Some((d.to_string(), IpAddr::V4(Ipv4Addr::LOCALHOST)))
        }
        Host::Domain(_) => None,
    }
}

/// The non-public address classes one source may reach: the class of its
/// configured URL when that URL is written as an address (see the module
/// documentation). Requests made outside any source reach none.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Reach {
    bits: u8,
}

impl Reach {
    /// No non-public class.
    pub const NONE: Reach = Reach { bits: 0 };

    /// The reach a source gets from its configured URL (`url = …`).
    pub fn of_configured(url: Option<&Url>) -> Reach {
        match url.and_then(written_address) {
            Some((_, ip)) => {
                let class = AddressClass::of(ip);
                if class.is_public() {
                    Reach::NONE
                } else {
                    Reach { bits: class.bit() }
                }
            }
            None => Reach::NONE,
        }
    }

    /// Whether addresses of `class` may be reached.
    pub fn includes(self, class: AddressClass) -> bool {
        class.is_public() || self.bits & class.bit() != 0
    }
}

tokio::task_local! {
    static REACH: Reach;
}

/// Run `fut` (one source's requests) with `reach`: every request it makes,
/// and every redirect those follow, may reach that source's address class.
pub async fn within_reach<F: Future>(reach: Reach, fut: F) -> F::Output {
    REACH.scope(reach, fut).await
}

/// The reach of the source whose work is running; none outside any source.
pub fn current_reach() -> Reach {
    REACH.try_with(|r| *r).unwrap_or(Reach::NONE)
}

/// A connection the policy refused, with what the user can do about it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub struct AddressRefused {
    /// The host as the URL wrote it (a name or an address).
    pub host: String,
    /// The address refused.
    pub ip: IpAddr,
    /// Its class.
    pub class: AddressClass,
    /// Whether the URL came from a redirect.
    pub redirect: bool,
    /// Whether the host was written as an address (not a resolved name).
    pub written: bool,
}

impl std::fmt::Display for AddressRefused {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let via = if self.redirect { "redirect to " } else { "" };
        let (host, ip, class) = (&self.host, self.ip, self.class.phrase());
        if self.written {
            write!(
                f,
                "refused: {via}{host} is {class}, reached only by a source whose own url is on one, or with [settings] allow_private_hosts = [\"{host}\"]"
            )
        } else {
            write!(
                f,
                "refused: {via}{host} resolves to {ip}, {class}; to allow it: [settings] allow_private_hosts = [\"{host}\"]"
            )
        }
    }
}

/// Names answered from a fixed table instead of DNS (`HORIZON_RESOLVE`).
pub type ResolveTable = BTreeMap<String, Vec<IpAddr>>;

/// Read `host:address,host:address` (an IPv6 address bare or in brackets;
/// a host may repeat for several addresses).
pub fn parse_resolve(text: &str) -> Result<ResolveTable, String> {
    let mut table = ResolveTable::new();
    for entry in text.split(',').map(str::trim).filter(|e| !e.is_empty()) {
        let Some((host, addr)) = entry.split_once(':') else {
            return Err(format!(
                "{RESOLVE_ENV}: {entry:?} is not host:address (e.g. feeds.example:127.0.0.1)"
            ));
        };
        let host = host.trim().trim_end_matches('.').to_ascii_lowercase();
        let addr = addr.trim().trim_start_matches('[').trim_end_matches(']');
        let ip: IpAddr = addr
            .parse()
            .map_err(|_| format!("{RESOLVE_ENV}: {addr:?} in {entry:?} is not an IP address"))?;
        if host.is_empty() {
            return Err(format!("{RESOLVE_ENV}: {entry:?} has no host name"));
        }
        table.entry(host).or_default().push(ip);
    }
    Ok(table)
}

/// Why an `allow_private_hosts` entry is not a host: `None` when it is one.
pub fn allow_entry_problem(entry: &str) -> Option<String> {
    let e = entry.trim();
    if e.is_empty() {
        return Some("an entry is empty".into());
    }
    if bare_ip(e).is_some() {
        return None;
    }
    if let Some((_, rest)) = e.split_once("://") {
        let host = rest.split(['/', ':', '?', '#']).next().unwrap_or("");
        return Some(format!("{e:?} is a URL; write the host alone: \"{host}\""));
    }
    if e.contains('/') {
        return Some(format!(
            "{e:?} is not a host name or an IP address (networks are not accepted: list each host)"
        ));
    }
    if let Some((host, _)) = e.split_once(':') {
        return Some(format!(
            "{e:?} has a port; write the host alone: \"{host}\""
        ));
    }
    let valid_label = |l: &str| {
        !l.is_empty()
            && l.len() <= 63
            && l.chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
    };
    let name = e.trim_end_matches('.');
    if name.len() > 253 || !name.split('.').all(valid_label) {
        return Some(format!("{e:?} is not a host name or an IP address"));
    }
    None
}

/// An IP address, bare or in brackets.
fn bare_ip(s: &str) -> Option<IpAddr> {
    s.trim_start_matches('[').trim_end_matches(']').parse().ok()
}

/// The crawl's address policy: the allowed hosts and the fixed name table.
#[derive(Debug, Clone, Default)]
pub struct AddressPolicy {
    names: BTreeSet<String>,
    ips: BTreeSet<IpAddr>,
    table: ResolveTable,
}

impl AddressPolicy {
    /// From `[settings] allow_private_hosts` (validated by the config loader)
    /// and a fixed name table.
    pub fn new(allowed: &[String], table: ResolveTable) -> AddressPolicy {
        let mut policy = AddressPolicy {
            table,
            ..Default::default()
        };
        for entry in allowed {
            let e = entry.trim();
            match bare_ip(e) {
                Some(ip) => {
                    policy.ips.insert(ip);
                }
                None => {
                    policy
                        .names
                        .insert(e.trim_end_matches('.').to_ascii_lowercase());
                }
            }
        }
        policy
    }

    fn allows(&self, host: &str, ip: IpAddr) -> bool {
        self.ips.contains(&ip)
            || self
                .names
                .contains(&host.trim_end_matches('.').to_ascii_lowercase())
    }

    /// Check a URL whose host is written as an address (or is `localhost`)
    /// before anything is sent to it; other names pass here and are checked
    /// by the resolver.
    pub fn check_url(&self, url: &Url, reach: Reach, redirect: bool) -> Result<(), AddressRefused> {
        let Some((host, ip)) = written_address(url) else {
            return Ok(());
        };
        let class = AddressClass::of(ip);
        if reach.includes(class) || self.allows(&host, ip) {
            return Ok(());
        }
        Err(AddressRefused {
            host,
            ip,
            class,
            redirect,
            written: true,
        })
    }

    /// The addresses of `host` the policy lets a connection use, or the
    /// refusal naming the first one it did not.
    pub fn filter_resolved(
        &self,
        host: &str,
        addrs: Vec<IpAddr>,
    ) -> Result<Vec<IpAddr>, AddressRefused> {
        let mut refused = None;
        let mut kept = Vec::new();
        for ip in addrs {
            let class = AddressClass::of(ip);
            // A `localhost` name was checked as written before the request.
            let localhost = is_localhost_name(host) && class == AddressClass::Loopback;
            if class.is_public() || localhost || self.allows(host, ip) {
                kept.push(ip);
            } else if refused.is_none() {
                refused = Some((ip, class));
            }
        }
        match (kept.is_empty(), refused) {
            (true, Some((ip, class))) => Err(AddressRefused {
                host: host.to_string(),
                ip,
                class,
                redirect: false,
                written: false,
            }),
            _ => Ok(kept),
        }
    }
}

/// The HTTP client's resolver: the fixed table or the system's resolver,
/// then [`AddressPolicy::filter_resolved`].
#[derive(Debug, Clone)]
pub struct PolicyResolver {
    policy: Arc<AddressPolicy>,
}

impl PolicyResolver {
    /// A resolver enforcing `policy`.
    pub fn new(policy: Arc<AddressPolicy>) -> PolicyResolver {
        PolicyResolver { policy }
    }
}

impl reqwest::dns::Resolve for PolicyResolver {
    fn resolve(&self, name: reqwest::dns::Name) -> reqwest::dns::Resolving {
        let policy = self.policy.clone();
        let host = name.as_str().trim_end_matches('.').to_ascii_lowercase();
        Box::pin(async move {
            let addrs: Vec<IpAddr> = match policy.table.get(&host) {
                Some(fixed) => fixed.clone(),
                None => tokio::net::lookup_host((host.as_str(), 0))
                    .await?
                    .map(|a| a.ip())
                    .collect(),
            };
            let kept = policy.filter_resolved(&host, addrs)?;
            let addrs: reqwest::dns::Addrs =
                Box::new(kept.into_iter().map(|ip| SocketAddr::new(ip, 0)));
            Ok(addrs)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn class(s: &str) -> AddressClass {
        AddressClass::of(s.parse().unwrap())
    }

    #[test]
    fn addresses_are_classed() {
        use AddressClass::*;
        for (ip, want) in [
            ("127.0.0.1", Loopback),
            ("127.8.9.10", Loopback),
            ("::1", Loopback),
            ("::ffff:127.0.0.1", Loopback),
            ("10.0.0.1", Private),
            ("172.16.0.1", Private),
            ("172.31.255.255", Private),
            ("172.32.0.1", Public),
            ("192.168.1.1", Private),
            ("fd12::1", Private),
            ("fc00::1", Private),
            ("169.254.1.1", LinkLocal),
            ("fe80::1", LinkLocal),
            ("100.64.0.1", Shared),
            ("100.127.255.255", Shared),
            ("100.128.0.1", Public),
            ("169.254.169.254", Metadata),
            ("fd00:ec2::254", Metadata),
            ("100.100.100.200", Metadata),
            ("::ffff:169.254.169.254", Metadata),
            ("64:ff9b::a00:1", Private),
            ("2002:a00:1::", Private),
            ("0.0.0.0", Unspecified),
            ("::", Unspecified),
            ("93.184.216.34", Public),
            ("2606:2800:220:1::", Public),
        ] {
            assert_eq!(class(ip), want, "{ip}");
        }
    }

    fn url(s: &str) -> Url {
        Url::parse(s).unwrap()
    }

    #[test]
    fn written_addresses_need_the_reach_or_the_allow_list() {
        let policy = AddressPolicy::new(&["10.0.0.5".into()], ResolveTable::new());
        let loopback = Reach::of_configured(Some(&url("http://127.0.0.1:8080/feed")));
        assert!(policy
            .check_url(&url("http://127.0.0.2/x"), loopback, true)
            .is_ok());
        assert!(policy
            .check_url(&url("http://localhost:9/x"), loopback, true)
            .is_ok());
        assert!(policy
            .check_url(&url("http://[::1]/x"), loopback, false)
            .is_ok());
        let e = policy
            .check_url(&url("http://169.254.169.254/latest/"), loopback, true)
            .unwrap_err();
        assert_eq!(e.class, AddressClass::Metadata);
        assert!(
            e.to_string()
                .starts_with("refused: redirect to 169.254.169.254 is a cloud metadata address"),
            "{e}"
        );
        // Spellings the URL parser turns into 127.0.0.1 are addresses too.
        let e = policy
            .check_url(&url("http://2130706433/"), Reach::NONE, false)
            .unwrap_err();
        assert_eq!(e.host, "127.0.0.1");
        assert!(policy
            .check_url(&url("http://10.0.0.5/"), Reach::NONE, false)
            .is_ok());
        assert!(policy
            .check_url(&url("http://10.0.0.6/"), Reach::NONE, false)
            .is_err());
        assert!(policy
            .check_url(&url("https://example.com/"), Reach::NONE, false)
            .is_ok());
        assert_eq!(
            Reach::of_configured(Some(&url("https://example.com/"))),
            Reach::NONE
        );
        assert_eq!(Reach::of_configured(None), Reach::NONE);
    }

    #[test]
    fn resolved_names_keep_public_addresses_only() {
        let policy = AddressPolicy::new(&["Feeds.Internal.Example".into()], ResolveTable::new());
        let ips = |v: &[&str]| {
            v.iter()
                .map(|s| s.parse().unwrap())
                .collect::<Vec<IpAddr>>()
        };
        let e = policy
            .filter_resolved("public.example", ips(&["127.0.0.1"]))
            .unwrap_err();
        assert_eq!(
            e.to_string(),
            "refused: public.example resolves to 127.0.0.1, a loopback address; to allow it: [settings] allow_private_hosts = [\"public.example\"]"
        );
        assert_eq!(
            policy
                .filter_resolved("mixed.example", ips(&["10.0.0.1", "93.184.216.34"]))
                .unwrap(),
            ips(&["93.184.216.34"])
        );
        assert!(policy
            .filter_resolved("feeds.internal.example.", ips(&["10.1.2.3"]))
            .is_ok());
        assert!(policy
            .filter_resolved("localhost", ips(&["127.0.0.1"]))
            .is_ok());
        assert!(policy
            .filter_resolved("localhost", ips(&["10.0.0.1"]))
            .is_err());
    }

    #[test]
    fn resolve_table_and_allow_entries_are_read_strictly() {
        let t = parse_resolve("a.example:127.0.0.1, a.example:[::1],b:10.0.0.1").unwrap();
        assert_eq!(t["a.example"].len(), 2);
        assert!(parse_resolve("a.example").is_err());
        assert!(parse_resolve("a.example:nope").is_err());
        assert!(parse_resolve(":127.0.0.1").is_err());
        assert!(parse_resolve("").unwrap().is_empty());
        for ok in [
            "feeds.internal.example",
            "10.0.0.5",
            "::1",
            "[fd00::1]",
            "intranet",
        ] {
            assert_eq!(allow_entry_problem(ok), None, "{ok}");
        }
        for (bad, says) in [
            ("", "empty"),
            (
                "http://x.example/feed",
                "write the host alone: \"x.example\"",
            ),
            ("x.example:8080", "has a port"),
            ("10.0.0.0/8", "networks are not accepted"),
            ("two words", "not a host name"),
            ("a..b", "not a host name"),
        ] {
            let p = allow_entry_problem(bad).unwrap_or_default();
            assert!(p.contains(says), "{bad}: {p}");
        }
    }

    #[tokio::test]
    async fn the_reach_is_the_running_sources() {
        assert_eq!(current_reach(), Reach::NONE);
        let loopback = Reach::of_configured(Some(&url("http://127.0.0.1/")));
        let seen = within_reach(loopback, async { current_reach() }).await;
        assert_eq!(seen, loopback);
        assert!(seen.includes(AddressClass::Loopback));
        assert!(!seen.includes(AddressClass::Private));
    }
}
