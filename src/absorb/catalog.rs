//! The offering catalog: which managed offering each cloud vendor has for the
//! open-source systems infrastructure teams run themselves.
//!
//! The built-in catalog is `catalog.toml` beside this file, compiled into the
//! binary. Every fact in it carries the URL that shows it; a date that could not
//! be verified is left out rather than guessed. `[[offerings]]` entries in
//! `sources.toml` add to it or correct it (same system, vendor and product:
//! the config entry wins), and a `systems = [...]` entry of a topic resolves to
//! a catalog system by its name or one of its names, case-insensitively.
//!
//! This module owns the data and the one question asked of it: what stage an
//! offering is at on a given day ([`Offering::stage_on`]). Matching notes
//! against it is `classify`'s job, merging it with crawled launches is
//! `ledger`'s.

use crate::model::vocabulary;
use std::collections::BTreeSet;
use std::sync::LazyLock;

use jiff::civil::Date;
use serde::{Deserialize, Serialize};

use crate::config::Config;
use crate::model::RawOffering;
pub use crate::model::{parse_date, Offering, OfferingRelation, OfferingStage, Origin};

/// The built-in catalog's text.
pub const CATALOG_TOML: &str = include_str!("catalog.toml");

impl Offering {
    /// Every name of the product: the product name first.
    pub fn all_names(&self) -> impl Iterator<Item = &str> {
        std::iter::once(self.product.as_str()).chain(self.names.iter().map(String::as_str))
    }

    /// Whether `name` is one of the product's names (ignoring case).
    pub fn is_named(&self, name: &str) -> bool {
        self.all_names()
            .any(|n| n.eq_ignore_ascii_case(name.trim()))
    }

    /// Each stage with the day it was reached, when known. The `retiring`
    /// stage begins at the earlier of the retirement announcement
    /// (`retiring`) and the day the offering closed to new customers
    /// (`closed`); `retired` begins on the day it retires (`retires`).
    pub fn milestones(&self) -> [(OfferingStage, Option<Date>); 4] {
        let retiring = match (self.retiring, self.closed) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        };
        [
            (OfferingStage::Preview, self.preview),
            (OfferingStage::Ga, self.ga),
            (OfferingStage::Retiring, retiring),
            (OfferingStage::Retired, self.retires),
        ]
    }

    /// Every date the entry carries, each as the milestone it marks, in
    /// life order (`retiring` and `closed` apart, unlike [`Self::milestones`]).
    pub fn dates(&self) -> [(Milestone, Option<Date>); 5] {
        [
            (Milestone::Preview, self.preview),
            (Milestone::Ga, self.ga),
            (Milestone::Retiring, self.retiring),
            (Milestone::Closed, self.closed),
            (Milestone::Retired, self.retires),
        ]
    }

    /// The stage on `day` and the date it was reached (when known), or `None`
    /// when the offering did not exist yet. `checked` is the date the current
    /// `stage` was last confirmed: a stage whose own date is unknown counts
    /// from then on, the last dated stage before it until then.
    pub fn stage_on(&self, day: Date, checked: Date) -> Option<(OfferingStage, Option<Date>)> {
        let milestones = self.milestones();
        // Before its first known preview or GA date the offering did not exist.
        if let Some(born) = self.preview.or(self.ga) {
            if day < born {
                return None;
            }
        }
        let reached = milestones
            .iter()
            .rev()
            .find_map(|(s, d)| d.filter(|d| *d <= day).map(|d| (*s, Some(d))));
        // Only a later retirement is dated: it was GA (since an unknown date) until then.
        let (stage, since) = reached.unwrap_or((OfferingStage::Ga, None));
        let current_undated = milestones
            .iter()
            .all(|(s, d)| *s != self.stage || d.is_none());
        if current_undated && self.stage > stage && day >= checked {
            return Some((self.stage, None));
        }
        // Nothing dated yet and never GA: a preview whose start is unknown.
        if reached.is_none() && self.stage < stage {
            return Some((self.stage, None));
        }
        Some((stage, since))
    }
}

vocabulary! {
    "milestone",
    /// A dated step in an offering's life: one per date key of the catalog
    /// (`preview`, `ga`, `retiring`, `closed`, `retires`).
    pub enum Milestone {
        /// Public preview began.
        Preview,
        /// General availability.
        Ga,
        /// The vendor announced the retirement.
        Retiring,
        /// Closed to new customers (existing ones keep running).
        Closed,
        /// The service ended.
        Retired,
    }
}

impl Milestone {
    /// The words a person reads in a timeline.
    pub fn label(self) -> &'static str {
        match self {
            Milestone::Preview => "preview",
            Milestone::Ga => "GA",
            Milestone::Retiring => "retirement announced",
            Milestone::Closed => "closed to new customers",
            Milestone::Retired => "retired",
        }
    }

    /// The stage the offering is at from this milestone on.
    pub fn stage(self) -> OfferingStage {
        match self {
            Milestone::Preview => OfferingStage::Preview,
            Milestone::Ga => OfferingStage::Ga,
            Milestone::Retiring | Milestone::Closed => OfferingStage::Retiring,
            Milestone::Retired => OfferingStage::Retired,
        }
    }

    /// The milestone a crawled note's stage marks.
    pub fn of_stage(stage: OfferingStage) -> Milestone {
        match stage {
            OfferingStage::Preview => Milestone::Preview,
            OfferingStage::Ga => Milestone::Ga,
            OfferingStage::Retiring => Milestone::Retiring,
            OfferingStage::Retired => Milestone::Retired,
        }
    }
}

/// A system the catalog knows.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct System {
    /// Canonical name ("Kafka").
    pub name: String,
    /// Other distinctive names ("Apache Kafka").
    pub names: Vec<String>,
    /// Whether the bare name is an ordinary word or another product's name
    /// ("Ray", "Spark", "Vault"): then it never matches loose text.
    pub ambiguous: bool,
    /// The project's home page.
    pub url: String,
}

impl System {
    /// Whether `name` names this system (its name or one of its names, ignoring case).
    pub fn is_named(&self, name: &str) -> bool {
        let name = name.trim();
        self.name.eq_ignore_ascii_case(name)
            || self.names.iter().any(|n| n.eq_ignore_ascii_case(name))
    }

    /// The names that may match loose text: all names, less the bare name
    /// when it is ambiguous.
    pub fn match_names(&self) -> impl Iterator<Item = &str> {
        let bare = (!self.ambiguous).then_some(self.name.as_str());
        bare.into_iter()
            .chain(self.names.iter().map(String::as_str))
    }
}

/// The catalog: systems and their offerings.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Catalog {
    /// The date the catalog's stages were last checked.
    pub checked: Date,
    /// Systems, in catalog order.
    pub systems: Vec<System>,
    /// Offerings, grouped by system in catalog order.
    pub offerings: Vec<Offering>,
}

/// Why the catalog could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CatalogError {
    /// The TOML does not parse.
    #[error("offering catalog does not parse")]
    Toml(#[source] toml::de::Error),
    /// A date does not parse.
    #[error("offering catalog: {0}")]
    Parse(String),
    /// A value is wrong.
    #[error("offering catalog: system {system:?}: {message}")]
    Invalid {
        /// The system it concerns.
        system: String,
        /// What is wrong.
        message: String,
    },
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawCatalog {
    checked: String,
    #[serde(default)]
    systems: Vec<RawSystem>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawSystem {
    name: String,
    #[serde(default)]
    names: Vec<String>,
    #[serde(default)]
    ambiguous: bool,
    #[serde(default)]
    url: String,
    #[serde(default)]
    offerings: Vec<RawOffering>,
}

impl Catalog {
    /// Parse catalog text.
    pub fn parse(text: &str) -> Result<Catalog, CatalogError> {
        let raw: RawCatalog = toml::from_str(text).map_err(CatalogError::Toml)?;
        let checked = parse_date(&raw.checked).map_err(CatalogError::Parse)?;
        let mut systems = Vec::new();
        let mut offerings = Vec::new();
        let mut seen = BTreeSet::new();
        for s in raw.systems {
            let invalid = |message: String| CatalogError::Invalid {
                system: s.name.clone(),
                message,
            };
            if !seen.insert(s.name.to_ascii_lowercase()) {
                return Err(invalid("listed twice".into()));
            }
            for o in s.offerings {
                if o.system.is_some() {
                    return Err(invalid(format!(
                        "offering {:?} names a system; in the catalog an offering belongs to the system it is listed under",
                        o.product
                    )));
                }
                let offering = o
                    .build(&s.name, Origin::Catalog, None)
                    .map_err(|problems| {
                        invalid(
                            problems
                                .into_iter()
                                .map(|(key, message)| format!("{key}: {message}"))
                                .collect::<Vec<_>>()
                                .join("; "),
                        )
                    })?;
                offerings.push(offering);
            }
            systems.push(System {
                name: s.name,
                names: s.names,
                ambiguous: s.ambiguous,
                url: s.url,
            });
        }
        Ok(Catalog {
            checked,
            systems,
            offerings,
        })
    }

    /// The built-in catalog (parsed once).
    pub fn builtin() -> Result<&'static Catalog, CatalogError> {
        static BUILTIN: LazyLock<Result<Catalog, CatalogError>> =
            LazyLock::new(|| Catalog::parse(CATALOG_TOML));
        BUILTIN.as_ref().map_err(Clone::clone)
    }

    /// The built-in catalog with the config's systems and `[[offerings]]`
    /// merged in: a topic system the catalog lacks becomes a system of its
    /// own (its aliases as names); a config offering replaces the catalog's
    /// offering of the same system, vendor and product, or is added.
    pub fn for_config(cfg: &Config) -> Result<Catalog, CatalogError> {
        let mut cat = Catalog::builtin()?.clone();
        for topic in &cfg.topics {
            for name in &topic.systems {
                let aliases = topic.aliases.get(name).cloned().unwrap_or_default();
                match cat.system_index(name) {
                    Some(i) => {
                        let sys = &mut cat.systems[i];
                        for a in aliases {
                            if !sys.is_named(&a) {
                                sys.names.push(a);
                            }
                        }
                    }
                    None => cat.systems.push(System {
                        name: name.trim().to_string(),
                        names: aliases,
                        ambiguous: false,
                        url: String::new(),
                    }),
                }
            }
        }
        for entry in &cfg.offerings {
            cat.add_config_offering(entry)?;
        }
        Ok(cat)
    }

    fn add_config_offering(&mut self, e: &Offering) -> Result<(), CatalogError> {
        let system = match self.system_index(&e.system) {
            Some(i) => self.systems[i].name.clone(),
            None => {
                self.systems.push(System {
                    name: e.system.trim().to_string(),
                    names: Vec::new(),
                    ambiguous: false,
                    url: String::new(),
                });
                e.system.trim().to_string()
            }
        };
        let offering = Offering {
            system: system.clone(),
            product: e.product.trim().to_string(),
            ..e.clone()
        };
        match self
            .offerings
            .iter_mut()
            .find(|o| o.system == system && o.vendor == e.vendor && o.is_named(&e.product))
        {
            Some(existing) => *existing = offering,
            None => self.offerings.push(offering),
        }
        Ok(())
    }

    /// The index of the system called `name` (by any of its names).
    pub fn system_index(&self, name: &str) -> Option<usize> {
        self.systems.iter().position(|s| s.is_named(name))
    }

    /// The system called `name` (by any of its names).
    pub fn system(&self, name: &str) -> Option<&System> {
        self.system_index(name).map(|i| &self.systems[i])
    }

    /// The offerings of one system, in catalog order.
    pub fn offerings_of<'a>(&'a self, system: &'a str) -> impl Iterator<Item = &'a Offering> + 'a {
        self.offerings.iter().filter(move |o| o.system == system)
    }
}

/// A warning about the config against the catalog (nothing stops working).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfigWarning {
    /// `sources.toml` line.
    pub line: usize,
    /// What it concerns and what may go wrong.
    pub message: String,
}

/// Words that are ordinary English (or another product's name) and so make
/// poor system names in loose text: such an alias never matches a summary.
pub const ORDINARY_WORDS: &[&str] = &[
    "airflow",
    "beam",
    "consul",
    "druid",
    "elastic",
    "flux",
    "harbor",
    "hive",
    "locust",
    "nomad",
    "presto",
    "pulsar",
    "ray",
    "spark",
    "storm",
    "tempo",
    "vault",
    "gatling",
    "argo",
    "pig",
    "impala",
    "kudu",
    "superset",
    "cloud",
    "managed",
    "search",
    "cache",
    "queue",
    "stream",
    "streams",
    "pipelines",
    "registry",
    "gateway",
    "mesh",
    "monitor",
    "insights",
];

/// Whether a name is an ordinary word (see [`ORDINARY_WORDS`]).
pub fn is_ordinary_word(name: &str) -> bool {
    let lower = name.trim().to_ascii_lowercase();
    ORDINARY_WORDS.contains(&lower.as_str())
}

/// Warnings about the config's systems and aliases: an alias that is an
/// ordinary word (it will only match product names), and an alias that is the
/// name of another system's offering (notes about that product would count
/// for this system).
pub fn check_config(cfg: &Config, cat: &Catalog) -> Vec<ConfigWarning> {
    let mut out = Vec::new();
    for topic in &cfg.topics {
        for (system, aliases) in &topic.aliases {
            let canonical = cat
                .system(system)
                .map(|s| s.name.as_str())
                .unwrap_or(system);
            for alias in aliases {
                if is_ordinary_word(alias) {
                    out.push(ConfigWarning {
                        line: topic.line,
                        message: format!(
                            "topic {:?}: alias {alias:?} of {system} is an ordinary word; it only matches product names, never loose text",
                            topic.name
                        ),
                    });
                }
                let others: BTreeSet<&str> = cat
                    .offerings
                    .iter()
                    .filter(|o| o.system != canonical && o.is_named(alias))
                    .map(|o| o.system.as_str())
                    .collect();
                if !others.is_empty() {
                    out.push(ConfigWarning {
                        line: topic.line,
                        message: format!(
                            "topic {:?}: alias {alias:?} of {system} is also a product of {} in the offering catalog; notes about it will count for both",
                            topic.name,
                            others.into_iter().collect::<Vec<_>>().join(", ")
                        ),
                    });
                }
            }
        }
    }
    out
}

/// Hosts whose pages may back an offering's `url` and `dates_url`: the
/// vendors' own documentation, announcement and update sites.
pub const VENDOR_HOSTS: &[&str] = &[
    "aws.amazon.com",
    "docs.aws.amazon.com",
    "learn.microsoft.com",
    "azure.microsoft.com",
    "techcommunity.microsoft.com",
    "cloud.google.com",
    "docs.cloud.google.com",
];

/// The vendors' own documentation repositories on GitHub, allowed only for a
/// fact no vendor page shows.
pub const VENDOR_DOC_REPOS: &[&str] = &["MicrosoftDocs", "awsdocs", "GoogleCloudPlatform"];

/// Why `url` is not a canonical vendor page, or `None` when it is: HTTPS on
/// a [`VENDOR_HOSTS`] host (or a [`VENDOR_DOC_REPOS`] repository on GitHub),
/// no query string (tracking or locale parameters such as `WT.mc_id`,
/// `authuser`, `hl`, `utm_*`), no `.md`/`.md.txt` rendering, and no locale
/// segment: `learn.microsoft.com/azure/…` (lower case, no `/en-us/`), not
/// `docs.aws.amazon.com/de_de/…`.
pub fn vendor_url_problem(text: &str) -> Option<String> {
    let Ok(url) = url::Url::parse(text) else {
        return Some("does not parse as a URL".into());
    };
    if url.scheme() != "https" {
        return Some("is not HTTPS".into());
    }
    let host = url.host_str().unwrap_or_default();
    let path = url.path();
    let github_docs = host == "github.com"
        && VENDOR_DOC_REPOS
            .iter()
            .any(|org| path.starts_with(&format!("/{org}/")));
    if !VENDOR_HOSTS.contains(&host) && !github_docs {
        return Some(format!("host {host:?} is not a vendor's own site"));
    }
    if url.port().is_some() || url.username() != "" || url.password().is_some() {
        return Some("has a port or credentials".into());
    }
    if url.query().is_some() {
        return Some("has a query string (tracking or locale parameters)".into());
    }
    if !github_docs && (path.ends_with(".md") || path.ends_with(".md.txt")) {
        return Some("is a Markdown rendering, not the page".into());
    }
    let first = path.trim_start_matches('/').split('/').next().unwrap_or("");
    let locale = |sep: char| {
        let parts: Vec<&str> = first.split(sep).collect();
        parts.len() == 2
            && parts[0].len() == 2
            && (2..=4).contains(&parts[1].len())
            && parts
                .iter()
                .all(|p| p.chars().all(|c| c.is_ascii_alphabetic()))
    };
    if (host == "learn.microsoft.com" || host == "azure.microsoft.com") && locale('-') {
        return Some(format!("has a locale segment /{first}/"));
    }
    if host == "learn.microsoft.com" && path.chars().any(|c| c.is_ascii_uppercase()) {
        return Some("learn.microsoft.com path is not lower case".into());
    }
    let aws_country = host == "aws.amazon.com" && first.len() == 2 && !path.ends_with(first);
    if host.ends_with("aws.amazon.com") && (locale('_') || aws_country) {
        return Some(format!("has a locale segment /{first}/"));
    }
    None
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use crate::model::Vendor;

    fn d(s: &str) -> Date {
        parse_date(s).unwrap()
    }

    fn offering(stage: OfferingStage, preview: Option<&str>, ga: Option<&str>) -> Offering {
        Offering {
            system: "Kafka".into(),
            vendor: Vendor::Gcp,
            product: "Managed Service for Apache Kafka".into(),
            names: vec![],
            relation: OfferingRelation::Managed,
            stage,
            preview: preview.map(d),
            ga: ga.map(d),
            retiring: None,
            closed: None,
            retires: None,
            url: String::new(),
            dates_url: String::new(),
            when_named: false,
            origin: Origin::Catalog,
            line: None,
        }
    }

    #[test]
    fn stage_follows_the_dates() {
        let o = offering(OfferingStage::Ga, Some("2024-04-09"), Some("2024-11-07"));
        let checked = d("2026-12-01");
        assert_eq!(o.stage_on(d("2024-01-01"), checked), None, "not yet");
        assert_eq!(
            o.stage_on(d("2024-06-01"), checked),
            Some((OfferingStage::Preview, Some(d("2024-04-09"))))
        );
        assert_eq!(
            o.stage_on(d("2025-01-01"), checked),
            Some((OfferingStage::Ga, Some(d("2024-11-07"))))
        );
    }

    #[test]
    fn undated_current_stage_counts_from_the_check_date() {
        let checked = d("2026-12-01");
        let o = offering(OfferingStage::Ga, Some("2024-04-09"), None);
        assert_eq!(
            o.stage_on(d("2025-01-01"), checked),
            Some((OfferingStage::Preview, Some(d("2024-04-09"))))
        );
        assert_eq!(
            o.stage_on(d("2026-12-02"), checked),
            Some((OfferingStage::Ga, None))
        );
        let undated = offering(OfferingStage::Ga, None, None);
        assert_eq!(
            undated.stage_on(d("2010-01-01"), checked),
            Some((OfferingStage::Ga, None))
        );
    }

    #[test]
    fn dates_accept_months() {
        assert_eq!(d("2019-05"), d("2019-05-01"));
        assert!(parse_date("May 2019").is_err());
    }

    #[test]
    fn builtin_catalog_is_sound() {
        let cat = Catalog::builtin().unwrap();
        assert!(cat.systems.len() >= 60, "{} systems", cat.systems.len());
        for o in &cat.offerings {
            assert!(cat.system(&o.system).is_some());
            assert!(!o.product.trim().is_empty(), "{o:?}");
            // announced ≤ closed to new customers ≤ retires, after preview and GA
            let dates: Vec<Date> = [o.preview, o.ga, o.retiring, o.closed, o.retires]
                .into_iter()
                .flatten()
                .collect();
            assert!(
                dates.windows(2).all(|w| w[0] <= w[1]),
                "{} ({}): dates out of order",
                o.product,
                o.system
            );
            // A retired offering carries the day it ended; when no vendor page
            // shows that day it is left out (#29), and then no other end date
            // may stand in for it.
            if o.stage == OfferingStage::Retired && o.retires.is_none() {
                assert!(
                    o.retiring.is_none() && o.closed.is_none() && !o.url.is_empty(),
                    "{}: retired without its date needs the vendor page and no other end date",
                    o.product
                );
            }
        }
        for s in &cat.systems {
            assert!(
                !s.ambiguous || !s.names.is_empty(),
                "{}: an ambiguous system needs qualified names",
                s.name
            );
        }
    }

    // Guards #29: every offering's stage is the one its own dates give on the
    // catalog's `checked` day (a GA entry whose retirement has begun is stale).
    #[test]
    fn builtin_stages_are_current_as_of_checked() {
        let cat = Catalog::builtin().unwrap();
        let stale: Vec<String> = cat
            .offerings
            .iter()
            .filter(|o| o.stage_on(cat.checked, cat.checked).map(|(s, _)| s) != Some(o.stage))
            .map(|o| format!("{} ({}): {}", o.product, o.system, o.stage))
            .collect();
        assert!(stale.is_empty(), "stale stages: {stale:#?}");
    }

    // Guards #29: evidence is the vendor's own page, in canonical form.
    #[test]
    fn builtin_urls_are_canonical_vendor_pages() {
        let cat = Catalog::builtin().unwrap();
        let mut problems = Vec::new();
        for o in &cat.offerings {
            for (key, url) in [("url", &o.url), ("dates_url", &o.dates_url)] {
                if url.is_empty() {
                    continue;
                }
                if let Some(why) = vendor_url_problem(url) {
                    problems.push(format!("{} ({}) {key} {url}: {why}", o.product, o.system));
                }
            }
            let dated = [o.preview, o.ga, o.retiring, o.closed, o.retires]
                .iter()
                .any(Option::is_some);
            assert!(
                !dated || !o.url.is_empty() || !o.dates_url.is_empty(),
                "{} ({}): a date needs the page that shows it",
                o.product,
                o.system
            );
        }
        assert!(problems.is_empty(), "{problems:#?}");
    }

    #[test]
    fn vendor_url_forms() {
        for ok in [
            "https://docs.aws.amazon.com/msk/latest/developerguide/msk-cluster-management.html",
            "https://learn.microsoft.com/azure/aks/istio-about",
            "https://docs.cloud.google.com/memorystore/docs/memcached/release-notes#January_20_2026",
            "https://aws.amazon.com/blogs/containers/some-post/",
            "https://github.com/MicrosoftDocs/azure-docs/blob/main/articles/mariadb/whats-happening-to-mariadb.md",
        ] {
            assert_eq!(vendor_url_problem(ok), None, "{ok}");
        }
        for bad in [
            "https://praveenkumarsreeram.com/2026/06/12/azure-cache-for-redis/",
            "https://raw.githubusercontent.com/api-evangelist/x/refs/heads/main/changelog.yml",
            "https://docs---aws.amazon.com.rproxy.govskope.ca/timestream/latest/developerguide/x.md",
            "https://cloud-dot-devsite-v2-prod.appspot.com/spanner/docs/x",
            "https://learn.microsoft.com/en-us/azure/aks/istio-about?WT.mc_id=AZ-MVP-5003408",
            "https://cloud.google.com/alloydb/docs/overview?authuser=0&hl=es-419",
            "https://docs.cloud.google.com/sql/docs/postgres.md.txt",
            "https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/CHAP_MariaDB.md",
            "https://learn.microsoft.com/en-au/azure/postgresql/overview",
            "https://learn.microsoft.com/en-US/Azure/azure-monitor/app/opentelemetry-enable",
            "https://learn.microsoft.com/Azure/aks/intro",
            "https://docs.aws.amazon.com/de_de/opensearch-service/latest/developerguide/rename.html",
            "https://aws.amazon.com/jp/blogs/compute/x/",
            "https://docs.azure.cn/en-us/event-hubs/apache-kafka-developer-guide",
            "https://docs.amazonaws.cn/en_us/neptune/latest/userguide/x.html",
            "https://github.com/api-evangelist/azure/blob/main/x.md",
            "http://docs.aws.amazon.com/eks/latest/userguide/what-is-eks.html",
            "https://learn.microsoft.com./azure/aks/intro",
        ] {
            assert!(vendor_url_problem(bad).is_some(), "{bad} passed");
        }
    }

    // Guards #29: "closed to new customers" and "retires on" each have one key;
    // the retiring stage starts at the earlier of the announcement and the closure.
    #[test]
    fn closed_to_new_customers_starts_the_retiring_stage() {
        let text = r#"
checked = "2026-12-01"
[[systems]]
name = "Memcached"
[[systems.offerings]]
vendor = "gcp"
product = "Memorystore for Memcached"
relation = "managed"
stage = "retiring"
retiring = "2026-01-20"
closed = "2027-02-01"
retires = "2029-01-31"
"#;
        let cat = Catalog::parse(text).unwrap();
        let o = &cat.offerings[0];
        assert_eq!(o.closed, Some(d("2027-02-01")));
        assert_eq!(
            o.stage_on(d("2026-06-01"), cat.checked),
            Some((OfferingStage::Retiring, Some(d("2026-01-20"))))
        );
        assert_eq!(
            o.stage_on(d("2029-02-01"), cat.checked),
            Some((OfferingStage::Retired, Some(d("2029-01-31"))))
        );
        let only_closed = Offering {
            retiring: None,
            closed: Some(d("2026-04-30")),
            retires: None,
            ..offering(OfferingStage::Retiring, None, Some("2022-11-01"))
        };
        assert_eq!(
            only_closed.stage_on(d("2026-05-01"), cat.checked),
            Some((OfferingStage::Retiring, Some(d("2026-04-30"))))
        );
        assert_eq!(
            only_closed.stage_on(d("2026-04-29"), cat.checked),
            Some((OfferingStage::Ga, Some(d("2022-11-01"))))
        );
        assert!(
            Catalog::parse(&text.replace("closed = \"2027-02-01\"", "closed = \"soon\"")).is_err()
        );
    }

    fn ga_vendors(cat: &Catalog, system: &str) -> BTreeSet<Vendor> {
        cat.offerings_of(system)
            .filter(|o| o.relation.absorbs())
            .filter(|o| {
                o.stage_on(cat.checked, cat.checked).map(|(s, _)| s) == Some(OfferingStage::Ga)
            })
            .map(|o| o.vendor)
            .collect()
    }

    // Guards #29: a distribution, image or agent the team runs itself is not an
    // offering ("does the vendor operate the system for you?"), so the
    // OpenTelemetry Collector is not absorbed by AWS Distro for OpenTelemetry
    // and the Google-Built Collector, nor Fluent Bit by AWS for Fluent Bit.
    #[test]
    fn distributions_are_not_offerings() {
        let cat = Catalog::builtin().unwrap();
        for name in [
            "AWS Distro for OpenTelemetry",
            "Google-Built OpenTelemetry Collector",
            "AWS for Fluent Bit",
        ] {
            assert!(
                !cat.offerings.iter().any(|o| o.is_named(name)),
                "{name} is a distribution, not an offering"
            );
        }
        assert!(ga_vendors(cat, "OpenTelemetry Collector").len() < 2);
        assert!(ga_vendors(cat, "Fluent Bit").is_empty());
    }

    // Guards #29: the stretches the issue lists stay fixed.
    #[test]
    fn stretched_relations_stay_fixed() {
        let cat = Catalog::builtin().unwrap();
        let relation = |system: &str, product: &str| {
            cat.offerings_of(system)
                .find(|o| o.is_named(product))
                .map(|o| o.relation)
        };
        assert_eq!(
            relation("GitLab CI", "AWS CodeBuild"),
            Some(OfferingRelation::Alternative),
            "CodeBuild hosts runners; it does not offer GitLab CI"
        );
        for system in ["Trino", "Presto"] {
            assert_eq!(
                relation(system, "Amazon Athena"),
                Some(OfferingRelation::Alternative),
                "Athena does not speak {system}'s client protocol"
            );
        }
        assert!(
            cat.offerings_of("Envoy").all(|o| !o.relation.absorbs()),
            "no vendor operates the Envoys for you"
        );
        assert_eq!(
            relation("Istio", "AWS App Mesh"),
            None,
            "App Mesh's retirement concerns Envoy users, not Istio"
        );
    }
}
