//! The document model: one [`Item`] per paper, article, repository or cloud note.
//!
//! Every source adapter produces `Item`s, the enrichment step tags them, and the
//! index stores them (see `index.rs` for how each field is indexed). Keeping one
//! flat struct for all kinds means search, report and export never need to know
//! which adapter produced a document.

use jiff::civil::Date;
use jiff::Timestamp;
use serde::{Deserialize, Serialize};
use strum::VariantNames;

/// The `FromStr` error of a closed vocabulary (see [`vocabulary!`]): the word, and the words it could have been.
pub(crate) fn unknown<T: VariantNames>(what: &str, word: &str) -> String {
    format!(
        "unknown {what} {word:?} (expected one of: {})",
        T::VARIANTS.join(", ")
    )
}

/// A closed vocabulary: an enum whose words are its snake_case variant names
/// in the index, on the command line, in the catalog and in JSON. Gives it the
/// shared derives, `ALL` (display order), `as_str` and a `FromStr` error that
/// lists the words (`unknown kind "x" (expected one of: …)`).
macro_rules! vocabulary {
    (
        $noun:literal,
        $(#[$meta:meta])*
        $vis:vis enum $name:ident { $($body:tt)* }
    ) => {
        $(#[$meta])*
        #[derive(
            Clone,
            Copy,
            Debug,
            PartialEq,
            Eq,
            Hash,
            PartialOrd,
            Ord,
            ::serde::Serialize,
            ::serde::Deserialize,
            ::strum::Display,
            ::strum::IntoStaticStr,
            ::strum::EnumString,
            ::strum::VariantArray,
            ::strum::VariantNames,
        )]
        #[serde(rename_all = "snake_case")]
        #[strum(serialize_all = "snake_case", ascii_case_insensitive)]
        #[strum(parse_err_ty = String, parse_err_fn = $name::unknown)]
        $vis enum $name { $($body)* }

        impl $name {
            #[doc = concat!("Every ", $noun, ", in display order.")]
            pub const ALL: &'static [$name] = <$name as ::strum::VariantArray>::VARIANTS;

            /// The name used in the index, on the command line, in the catalog and in JSON.
            pub fn as_str(self) -> &'static str {
                self.into()
            }

            fn unknown(word: &str) -> String {
                $crate::model::unknown::<$name>($noun, word)
            }
        }
    };
}
pub(crate) use vocabulary;

vocabulary! {
    "kind",
    /// What kind of thing a document is.
    pub enum Kind {
        /// A research paper (arXiv).
        Paper,
        /// A blog or engineering post.
        Article,
        /// A GitHub repository seen on a trending page.
        Repo,
        /// A cloud vendor changelog note.
        Cloud,
    }
}

vocabulary! {
    "vendor",
    /// A cloud vendor.
    pub enum Vendor {
        /// Amazon Web Services.
        Aws,
        /// Microsoft Azure.
        Azure,
        /// Google Cloud.
        Gcp,
        /// Oracle Cloud Infrastructure.
        Oci,
        /// Cloudflare.
        Cloudflare,
        /// DigitalOcean.
        #[serde(rename = "digitalocean")]
        #[strum(serialize = "digitalocean")]
        DigitalOcean,
        /// GitHub (its changelog: a platform the team builds on, like a cloud).
        Github,
    }
}

impl Vendor {
    /// The name a person reads in a report.
    pub fn display_name(self) -> &'static str {
        match self {
            Vendor::Aws => "AWS",
            Vendor::Azure => "Azure",
            Vendor::Gcp => "Google Cloud",
            Vendor::Oci => "Oracle Cloud",
            Vendor::Cloudflare => "Cloudflare",
            Vendor::DigitalOcean => "DigitalOcean",
            Vendor::Github => "GitHub",
        }
    }

    /// The words a product's name starts with when the vendor names it
    /// ("Amazon MSK", "Azure Firewall", "OCI Database"), most common first.
    pub fn brands(self) -> &'static [&'static str] {
        match self {
            Vendor::Aws => &["AWS", "Amazon"],
            Vendor::Azure => &["Azure", "Microsoft"],
            Vendor::Gcp => &["Google"],
            Vendor::Oci => &["OCI", "Oracle"],
            Vendor::Cloudflare => &["Cloudflare"],
            Vendor::DigitalOcean => &["DigitalOcean"],
            Vendor::Github => &["GitHub"],
        }
    }
}

vocabulary! {
    "stage",
    /// The launch stage of a cloud note: one vocabulary across vendors.
    pub enum Stage {
        /// A new service or product.
        New,
        /// A preview, beta or public preview.
        Preview,
        /// Generally available.
        Ga,
        /// Available in a new region.
        Region,
        /// Any other change to an existing product.
        Update,
        /// A price change.
        Price,
        /// Deprecation, retirement or end of support.
        Deprecation,
    }
}

impl Stage {
    /// Whether this stage launches something (new service, preview or GA).
    pub fn is_launch(self) -> bool {
        matches!(self, Stage::New | Stage::Preview | Stage::Ga)
    }
}

vocabulary! {
    "relation",
    /// How an offering relates to the system.
    pub enum OfferingRelation {
        /// The vendor runs the system itself (Amazon MSK runs Apache Kafka).
        Managed,
        /// Speaks the system"s API or wire protocol (Amazon Keyspaces for Cassandra).
        Compatible,
        /// A native substitute with another API (Kinesis for Kafka).
        Alternative,
    }
}

impl OfferingRelation {
    /// Whether an offering of this relation absorbs the system (managed or compatible).
    pub fn absorbs(self) -> bool {
        matches!(
            self,
            OfferingRelation::Managed | OfferingRelation::Compatible
        )
    }
}

vocabulary! {
    "stage",
    /// Where an offering is in its life.
    pub enum OfferingStage {
        /// Public preview or beta.
        Preview,
        /// Generally available.
        Ga,
        /// Retirement announced, not yet ended.
        Retiring,
        /// Retired.
        Retired,
    }
}

impl OfferingStage {
    /// The name a person reads in a matrix cell.
    pub fn label(self) -> &'static str {
        match self {
            OfferingStage::Preview => "preview",
            OfferingStage::Ga => "GA",
            OfferingStage::Retiring => "retiring",
            OfferingStage::Retired => "retired",
        }
    }
}

vocabulary! {
    "event kind",
    /// What a launch note did to the landscape.
    pub enum EventKind {
        /// A new offering (or one whose earlier stage is unknown).
        Launch,
        /// An offering moved to a later stage (preview → GA).
        StageChange,
        /// A retirement was announced.
        Retirement,
    }
}

/// A catalog date: `YYYY-MM-DD`, or `YYYY-MM` for the first of the month.
pub fn parse_date(text: &str) -> Result<Date, String> {
    let t = text.trim();
    let full = if t.len() == 7 {
        format!("{t}-01")
    } else {
        t.to_string()
    };
    full.parse::<Date>()
        .map_err(|e| format!("date {text:?} is not YYYY-MM-DD or YYYY-MM ({e})"))
}

/// One offering as written: under its system in the catalog, or as an
/// `[[offerings]]` entry of `sources.toml`, which names its `system`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawOffering {
    /// The system (sources.toml only).
    #[serde(default)]
    pub system: Option<String>,
    /// The vendor.
    pub vendor: Vendor,
    /// The product's name.
    pub product: String,
    #[serde(default)]
    names: Vec<String>,
    relation: OfferingRelation,
    stage: OfferingStage,
    #[serde(default)]
    preview: Option<String>,
    #[serde(default)]
    ga: Option<String>,
    #[serde(default)]
    retiring: Option<String>,
    #[serde(default)]
    closed: Option<String>,
    #[serde(default)]
    retires: Option<String>,
    #[serde(default)]
    url: String,
    #[serde(default)]
    dates_url: String,
    #[serde(default)]
    when_named: bool,
}

impl RawOffering {
    /// The offering for `system`, or every key whose value is wrong with what
    /// is wrong with it (a date that is not `YYYY-MM-DD` or `YYYY-MM`, an
    /// empty system or product).
    pub fn build(
        self,
        system: &str,
        origin: Origin,
        line: Option<usize>,
    ) -> Result<Offering, Vec<(&'static str, String)>> {
        let mut problems = Vec::new();
        let mut date = |key: &'static str, v: &Option<String>| -> Option<Date> {
            let text = v.as_deref().filter(|s| !s.trim().is_empty())?;
            parse_date(text)
                .map_err(|message| problems.push((key, message)))
                .ok()
        };
        let (preview, ga, retiring, closed, retires) = (
            date("preview", &self.preview),
            date("ga", &self.ga),
            date("retiring", &self.retiring),
            date("closed", &self.closed),
            date("retires", &self.retires),
        );
        for (key, v) in [("system", system), ("product", self.product.as_str())] {
            if v.trim().is_empty() {
                problems.push((key, format!("{key} must not be empty")));
            }
        }
        if !problems.is_empty() {
            return Err(problems);
        }
        Ok(Offering {
            system: system.trim().to_string(),
            vendor: self.vendor,
            product: self.product.trim().to_string(),
            names: self.names,
            relation: self.relation,
            stage: self.stage,
            preview,
            ga,
            retiring,
            closed,
            retires,
            url: self.url,
            dates_url: self.dates_url,
            when_named: self.when_named,
            origin,
            line,
        })
    }
}

vocabulary! {
    "relation",
    /// How a cloud note concerns a system the team runs, or its own product.
    pub enum Relation {
        /// A new offering, or the offering"s own stage change (preview → GA) or retirement.
        Launch,
        /// An update of an offering that exists: versions, features, instance types, integrations.
        Feature,
        /// The offering becomes available in more regions.
        Region,
        /// The name occurs, but the note is about another product.
        Mention,
    }
}

/// Why an item carries a topic (see `topics::Tagger`).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct TopicEvidence {
    /// The topic.
    pub topic: String,
    /// Phrases (keywords or system names) found in the title or the cloud
    /// note's product names.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub title: Vec<String>,
    /// Phrases found in the summary, with how often.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub summary: Vec<PhraseCount>,
    /// Systems of the topic the cloud note launches, extends or brings to a
    /// region (its `links`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub systems: Vec<String>,
    /// Whether the topic's `query` matched.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub query: bool,
}

impl TopicEvidence {
    /// Summary matches in all.
    pub fn summary_hits(&self) -> u32 {
        self.summary.iter().map(|p| p.count).sum()
    }
}

/// A phrase and how often it occurred.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PhraseCount {
    /// The phrase as `sources.toml` spells it.
    pub phrase: String,
    /// Occurrences.
    pub count: u32,
}

/// A cloud note's link to one system the team may run (see `absorb::classify`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SystemLink {
    /// The system, by its catalog (or `sources.toml`) name.
    pub system: String,
    /// The vendor's offering of the system the note is about (`None` for a mention).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub offering: Option<String>,
    /// How the note concerns it.
    pub relation: Relation,
    /// For a launch: the stage the offering reaches (`preview`, `ga`, or
    /// `deprecation` for a retirement).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stage: Option<Stage>,
    /// For a launch of an offering the catalog lacks: `true` when the note
    /// says the offering runs the system itself, `false` when it only speaks
    /// its API ("compatible").
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub runs_system: Option<bool>,
}

impl SystemLink {
    /// For a launch link: `system␟vendor␟offering␟stage`, the key under which
    /// the index finds the first note of every launch.
    pub fn launch_key(&self, vendor: Option<Vendor>) -> Option<String> {
        if self.relation != Relation::Launch {
            return None;
        }
        let (vendor, offering, stage) = (vendor?, self.offering.as_ref()?, self.stage?);
        Some(format!(
            "{}\u{1f}{}\u{1f}{}\u{1f}{}",
            self.system,
            vendor.as_str(),
            offering.to_lowercase(),
            stage.as_str()
        ))
    }
}

vocabulary! {
    "period",
    /// The period of a GitHub trending page.
    #[derive(Default)]
    pub enum TrendingPeriod {
        /// Stars today.
        #[default]
        Daily,
        /// Stars this week.
        Weekly,
        /// Stars this month.
        Monthly,
    }
}

/// One appearance of a repository on a trending page.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TrendSighting {
    /// The day it was seen (UTC), `YYYY-MM-DD`.
    pub date: String,
    /// The page's period.
    pub period: TrendingPeriod,
    /// Stars gained in that period, as the page said.
    pub stars_period: Option<u64>,
}

/// The `--topic` value (and report wording) for documents tagged with no
/// topic; no topic may be named so.
pub const NO_TOPIC: &str = "none";

/// One document: a paper, article, repository or cloud note.
///
/// Adapters fill what their source knows; `first_seen`/`last_seen` and the
/// trend history are maintained by the index on upsert.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Item {
    /// Stable id: `arxiv:2401.01234`, `github:owner/name`, `aws:<hash>`,
    /// `feed:<source hash>:<entry hash>`… ([`crate::ids`]).
    pub id: String,
    /// What the document is.
    pub kind: Kind,
    /// The name of the `[[sources]]` entry that produced it.
    pub source: String,
    /// Cloud vendor (cloud notes only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub vendor: Option<Vendor>,
    /// Title, plain text.
    pub title: String,
    /// Summary, plain text (HTML stripped, entities decoded, whitespace folded).
    #[serde(default)]
    pub summary: String,
    /// The item's full text, plain text, at most [`crate::text::MAX_BODY_BYTES`]:
    /// the feed's full content (`content:encoded`, Atom `<content>`) or, for a
    /// `full_text = true` source, the main text of the article page. Searched,
    /// never displayed (the summary is the excerpt a reader sees); empty when
    /// the source carries no more than the summary.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub body: String,
    /// Link to the item.
    pub url: String,
    /// Authors, in the source's order.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub authors: Vec<String>,
    /// Categories or tags given by the source.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub categories: Vec<String>,
    /// Topic names from `sources.toml` whose rules match.
    #[serde(default)]
    pub topics: Vec<String>,
    /// Why each topic was given: the phrases that matched and where
    /// (`topics::Tagger`), in the order of `topics`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub evidence: Vec<TopicEvidence>,
    /// When the item was published, if the source says.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub published: Option<Timestamp>,
    /// When the item was last updated, if the source says.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub updated: Option<Timestamp>,
    /// The first publication date of an item the source edited later and
    /// that is filed (`published`) under its latest update: an Azure update
    /// whose retirement date moved. `None` for an item never edited.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub first_published: Option<Timestamp>,
    /// When horizon first saw it (set by the index).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub first_seen: Option<Timestamp>,
    /// When horizon last saw it (set by the index).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_seen: Option<Timestamp>,
    /// Cloud products the note is about.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub products: Vec<String>,
    /// Launch stage (cloud notes only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stage: Option<Stage>,
    /// How the note concerns its own product (cloud notes only): `launch`
    /// when the product itself launches, changes stage or retires.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub relation: Option<Relation>,
    /// The systems the note concerns and how (cloud notes only).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub links: Vec<SystemLink>,
    /// Total stars (repositories).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stars: Option<u64>,
    /// Stars gained in the trending period (repositories).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stars_period: Option<u64>,
    /// The trending period (repositories).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub period: Option<TrendingPeriod>,
    /// Forks (repositories).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub forks: Option<u64>,
    /// Programming language (repositories).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub language: Option<String>,
    /// arXiv version number (the `N` of `vN`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub version: Option<u32>,
    /// arXiv primary category.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub primary_category: Option<String>,
    /// arXiv PDF link.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pdf_url: Option<String>,
    /// arXiv listing announce type (`new`, `cross`, `replace`, `replace-cross`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub announce_type: Option<String>,
    /// Days on which the repository was seen trending (most recent last, capped).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub trend_history: Vec<TrendSighting>,
    /// The story the document tells (`stories`): the id of the first
    /// document of that story, its own id when it is the first. Set when the
    /// document is first indexed and kept from then on.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub story: Option<String>,
    /// Ids the document had before (`horizon reindex` moved it to a new id:
    /// namespaced feed ids, a renamed source); looking a document up by one
    /// of them finds it ([`crate::ids`]).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub former_ids: Vec<String>,
}

/// Another document of a document's story, as listings name it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StoryMember {
    /// Its id.
    pub id: String,
    /// Its source.
    pub source: String,
    /// Its title.
    pub title: String,
    /// Its link.
    pub url: String,
}

impl Item {
    /// A new item with the required fields set and everything else empty.
    pub fn new(
        id: impl Into<String>,
        kind: Kind,
        source: impl Into<String>,
        title: impl Into<String>,
        url: impl Into<String>,
    ) -> Self {
        Item {
            id: id.into(),
            kind,
            source: source.into(),
            vendor: None,
            title: title.into(),
            summary: String::new(),
            body: String::new(),
            url: url.into(),
            authors: Vec::new(),
            categories: Vec::new(),
            topics: Vec::new(),
            evidence: Vec::new(),
            published: None,
            updated: None,
            first_published: None,
            first_seen: None,
            last_seen: None,
            products: Vec::new(),
            stage: None,
            relation: None,
            links: Vec::new(),
            stars: None,
            stars_period: None,
            period: None,
            forks: None,
            language: None,
            version: None,
            primary_category: None,
            pdf_url: None,
            announce_type: None,
            trend_history: Vec::new(),
            story: None,
            former_ids: Vec::new(),
        }
    }

    /// The date the item is filed under: published, else updated, else first seen.
    pub fn date(&self) -> Option<Timestamp> {
        self.published.or(self.updated).or(self.first_seen)
    }
}

vocabulary! {
    "origin",
    /// Where a landscape entry comes from.
    pub enum Origin {
        /// The built-in catalog.
        Catalog,
        /// A launch note the crawl saw.
        Crawl,
        /// An `[[offerings]]` entry in `sources.toml`.
        Config,
    }
}

/// One vendor offering of one system.
/// Built by the catalog (`absorb::catalog`, with its methods there) and by
/// the config's `[[offerings]]` tables, so it lives with the shared types.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Offering {
    /// The system, by its catalog name.
    pub system: String,
    /// The vendor.
    pub vendor: Vendor,
    /// The vendor's product name.
    pub product: String,
    /// Other spellings of the product in changelogs.
    pub names: Vec<String>,
    /// Relation to the system.
    pub relation: OfferingRelation,
    /// The stage as of the catalog's `checked` date.
    pub stage: OfferingStage,
    /// Public preview announced.
    pub preview: Option<Date>,
    /// Generally available.
    pub ga: Option<Date>,
    /// The day the vendor announced the retirement (the `retiring` stage
    /// begins then, or at `closed` if that is earlier).
    pub retiring: Option<Date>,
    /// Closed to new customers from this day (existing ones keep running).
    pub closed: Option<Date>,
    /// Retires on this day: the service ends (the `retired` stage).
    pub retires: Option<Date>,
    /// The page that shows the offering (and its dates, if it does).
    pub url: String,
    /// A second page for the dates, when they are shown elsewhere.
    pub dates_url: String,
    /// A broad platform (Vertex AI, Amazon EMR): its notes concern this
    /// system only when they name it.
    pub when_named: bool,
    /// Where the entry comes from.
    pub origin: Origin,
    /// `sources.toml` line of a config entry.
    pub line: Option<usize>,
}

#[cfg(test)]
pub(crate) mod spelling {
    use serde::de::DeserializeOwned;
    use serde::Serialize;
    use strum::VariantArray;

    /// Every variant serializes to its name (`as_str`, `Display`).
    pub(crate) fn serializes_as_named<T>()
    where
        T: VariantArray + Serialize + Copy + Into<&'static str> + std::fmt::Display,
    {
        for &v in T::VARIANTS {
            let name: &'static str = v.into();
            assert_eq!(serde_json::to_value(v).ok(), Some(name.into()), "{name}");
            assert_eq!(v.to_string(), name);
        }
    }

    /// Every variant's name deserializes to it.
    pub(crate) fn deserializes_from_name<T>()
    where
        T: VariantArray
            + DeserializeOwned
            + Copy
            + Into<&'static str>
            + PartialEq
            + std::fmt::Debug,
    {
        for &v in T::VARIANTS {
            let name: &'static str = v.into();
            let back: Option<T> = serde_json::from_value(name.into()).ok();
            assert_eq!(back, Some(v), "{name}");
        }
    }

    /// Both.
    pub(crate) fn agree<T>()
    where
        T: VariantArray
            + Serialize
            + DeserializeOwned
            + Copy
            + Into<&'static str>
            + PartialEq
            + std::fmt::Debug
            + std::fmt::Display,
    {
        serializes_as_named::<T>();
        deserializes_from_name::<T>();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip() {
        for &k in Kind::ALL {
            assert_eq!(k.as_str().parse::<Kind>(), Ok(k));
        }
        for &s in Stage::ALL {
            assert_eq!(s.as_str().parse::<Stage>(), Ok(s));
        }
        for &r in Relation::ALL {
            assert_eq!(r.as_str().parse::<Relation>(), Ok(r));
        }
        assert_eq!("GCP".parse::<Vendor>(), Ok(Vendor::Gcp));
        for &v in Vendor::ALL {
            assert_eq!(v.as_str().parse::<Vendor>(), Ok(v));
        }
        assert_eq!(Vendor::DigitalOcean.as_str(), "digitalocean");
    }

    /// Guards the words users see when a name is refused.
    #[test]
    fn unknown_names_list_the_vocabulary() {
        assert_eq!(
            "papers".parse::<Kind>(),
            Err(r#"unknown kind "papers" (expected one of: paper, article, repo, cloud)"#.into())
        );
        assert_eq!(
            "ibm".parse::<Vendor>(),
            Err(r#"unknown vendor "ibm" (expected one of: aws, azure, gcp, oci, cloudflare, digitalocean, github)"#.into())
        );
        assert_eq!(
            "beta".parse::<Stage>(),
            Err(r#"unknown stage "beta" (expected one of: new, preview, ga, region, update, price, deprecation)"#.into())
        );
        assert_eq!(
            "x".parse::<Relation>(),
            Err(
                r#"unknown relation "x" (expected one of: launch, feature, region, mention)"#
                    .into()
            )
        );
    }

    /// Guards serde's spellings (JSON, the index, the catalog) against the
    /// names `as_str`, `Display` and the command line use.
    #[test]
    fn serde_spells_every_variant_as_its_name() {
        spelling::agree::<Kind>();
        spelling::agree::<Vendor>();
        spelling::agree::<Stage>();
        spelling::agree::<Relation>();
        spelling::agree::<OfferingRelation>();
        spelling::agree::<OfferingStage>();
        spelling::agree::<TrendingPeriod>();
    }
}
