//! The note classifier: which system's offering a cloud note concerns, and how.
//!
//! Every cloud note gets, at crawl time, a relation to its own product
//! ([`Item::relation`]) and links to the systems it concerns
//! ([`Item::links`]). The rules, in order:
//!
//! 1. **The statement.** The sentence that says what the note is about: the
//!    title for AWS; the title less its status prefix ("[Launched] Generally
//!    Available:", "Retirement:") for Azure; the note's first sentence for
//!    Google Cloud, whose product is the note's `<h2>` heading.
//! 2. **The subject offering.** Google Cloud: the heading, when it is a
//!    catalog offering's name. AWS and Azure: the leftmost offering name in the
//!    statement when only announcement words come before it ("AWS announces",
//!    "Introducing"); else a product the feed lists that is an offering; else a
//!    product family the statement narrows to one engine ("Amazon Aurora" and
//!    "MySQL" → Aurora MySQL). Names match on word boundaries; acronyms
//!    ("MSK", "EKS") only in capitals; only the vendor's own offerings count.
//! 3. **Launch or feature.** A note is a `launch` of its product when the
//!    statement is the product's name, announcement words and a stage phrase
//!    and nothing else before the stage phrase ("Amazon MSK is now generally
//!    available", "Generally Available: Azure Managed Redis", "Retirement:
//!    Azure Cache for Redis will be retired on …") and the note's stage is
//!    new, preview, GA or deprecation. Anything more before the stage phrase —
//!    a version, a feature, a machine series ("PostgreSQL 19 is generally
//!    available", "The C4A machine series is now generally available") — makes
//!    it a `feature`, except a few words ending in "service" ("Azure Health
//!    Data Services de-identification service"), which name a service. "Support
//!    ending" ends a stage phrase like "retired". A statement about instance
//!    types, VM series or SKUs ("Azure Cobalt 100 Arm-based Virtual Machines")
//!    is a `feature`. Region wording makes it a `region` note.
//! 4. **Links.** The subject offering's systems get the note's relation (a
//!    broad platform marked `when_named`, such as Vertex AI, only for systems
//!    the note names). A launch of a product the catalog lacks whose name
//!    carries a system's name ("Amazon Managed Service for Apache Pulsar")
//!    links that system as a new offering. Every other system the note names
//!    — by a distinctive name or an offering's name — is a `mention`. A
//!    system name that is an ordinary word ("Ray", "Vault", "Elastic") never
//!    matches loose text: only its qualified names do.

use std::collections::{BTreeSet, HashMap};
use std::ops::Range;
use std::sync::LazyLock;

use regex::{Regex, RegexBuilder};

use super::catalog::Catalog;
use crate::model::{Item, Kind, Relation, Stage, SystemLink, Vendor};
use crate::sources::cloud::{products_in_title, says_preview, says_region};

/// Words that may stand before a product's name in a launch announcement.
const PREFIX_WORDS: &[&str] = &[
    "announcing",
    "introducing",
    "announces",
    "introduces",
    "launching",
    "launches",
    "launch",
    "new",
    "now",
    "available",
    "availability",
    "general",
    "generally",
    "the",
    "a",
    "an",
    "of",
    "public",
    "private",
    "limited",
    "preview",
    "beta",
    "alpha",
    "release",
    "ga",
    "today",
    "we",
    "are",
    "is",
    "excited",
    "to",
    "announce",
    "aws",
    "amazon",
    "microsoft",
    "azure",
    "google",
    "all",
    "fully",
    "managed",
    "retirement",
    "update",
    "upcoming",
    "and",
];

/// Words that may stand between a product's name and the stage phrase.
const MID_WORDS: &[&str] = &[
    "is",
    "are",
    "now",
    "has",
    "have",
    "been",
    "officially",
    "generally",
    "general",
    "availability",
    "in",
    "public",
    "private",
    "limited",
    "the",
    "a",
    "an",
    "will",
    "be",
    "on",
    "by",
    "as",
    "of",
    "service",
    "fully",
    "managed",
    "new",
    "for",
    "support",
    "api",
    "apis",
];

/// Words that end a launch's stage phrase: what follows does not matter.
const STAGE_WORDS: &[&str] = &[
    "available",
    "ga",
    "preview",
    "beta",
    "alpha",
    "retired",
    "retiring",
    "retire",
    "retires",
    "retirement",
    "deprecated",
    "deprecation",
    "launched",
    "discontinued",
    "sunset",
    "sunsetting",
    "ending",
    "ends",
];

/// Words a name of an offering may end in after its brand name and before
/// nothing else ("Azure Health Data Services de-identification service").
const SERVICE_WORDS: &[&str] = &["service", "services"];

/// At most this many words may stand between a product's name and a
/// trailing [`SERVICE_WORDS`] word.
const MAX_SERVICE_SUFFIX: usize = 3;

static TOKEN_RE: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"[\p{L}\p{N}]+(?:[.'’][\p{L}\p{N}]+)*").expect("constant regex"));

static AZURE_PREFIX_RE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(?i)^\s*(?:\[[^\]]*\]\s*)*(?:(?:generally available|general availability|public preview|private preview|preview|retirement|retired|in development|launched|update|deprecation)\s*:\s*)*",
    )
    .expect("constant regex")
});

/// Instance types, VM series and SKUs: a stage for one of them is a feature
/// of the compute service, not a launch ("Azure Cobalt 100 Arm-based Virtual
/// Machines", "Amazon EC2 C8g instances", "Application Gateway v2 Basic SKU").
/// A singular "instance" stays out: "SQL Managed Instance" is an offering.
/// A way to buy an offering that exists (reserved capacity, savings plans):
/// a pricing change, not an offering of its own.
static PURCHASE_OPTION_RE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)\b(?:reserved (?:capacity|instances?)|reservations?|savings plans?)\b")
        .expect("constant regex")
});

static INSTANCE_RE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)\b(?:instances|vms|virtual machines|(?:machine )?series|skus?)\b")
        .expect("constant regex")
});

static COMPATIBLE_RE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)\bcompatib\w*|\binterface\b|\bapi for\b|\bwire protocol\b")
        .expect("constant regex")
});

/// A tier or edition of an offering that exists, as the last word of the
/// name a note announces ("Azure Firewall Premium", "Azure Stream Analytics
/// Dedicated"): a way to buy the offering, not an offering of its own.
const TIER_WORDS: &[&str] = &["premium", "standard", "basic", "dedicated"];

/// What the classifier says of one note.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Classification {
    /// How the note concerns its own product.
    pub relation: Option<Relation>,
    /// The systems it concerns.
    pub links: Vec<SystemLink>,
}

/// Names mapped to what they name, matched as whole words.
struct NameIndex {
    re: Option<Regex>,
    by_key: HashMap<String, Vec<usize>>,
}

fn key(name: &str) -> String {
    name.split(|c: char| c.is_whitespace() || c == '-')
        .filter(|w| !w.is_empty())
        .collect::<Vec<_>>()
        .join(" ")
        .to_lowercase()
}

/// An acronym ("MSK", "EKS") matches only in capitals.
fn is_acronym(name: &str) -> bool {
    let n = name.trim();
    n.len() <= 6
        && n.chars().any(|c| c.is_ascii_uppercase())
        && n.chars()
            .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit())
}

fn pattern(name: &str) -> Option<String> {
    let words: Vec<String> = name
        .split(|c: char| c.is_whitespace() || c == '-')
        .filter(|w| !w.is_empty())
        .map(regex::escape)
        .collect();
    if words.is_empty() {
        return None;
    }
    let body = words.join(r"[\s\-]+");
    let first = name
        .trim()
        .chars()
        .next()
        .is_some_and(char::is_alphanumeric);
    let last = name
        .trim()
        .chars()
        .last()
        .is_some_and(char::is_alphanumeric);
    let (b0, b1) = (
        if first { r"\b" } else { "" },
        if last { r"\b" } else { "" },
    );
    Some(if is_acronym(name) {
        format!("{b0}{body}{b1}")
    } else {
        format!("{b0}(?i:{body}){b1}")
    })
}

fn glued(text: &str, span: Range<usize>) -> bool {
    let part = |c: char| c.is_alphanumeric() || matches!(c, '-' | '_' | '/' | '.');
    let start = text[..span.start]
        .char_indices()
        .rev()
        .take_while(|(_, c)| part(*c))
        .last()
        .map_or(span.start, |(i, _)| i);
    let end = text[span.end..]
        .char_indices()
        .take_while(|(_, c)| part(*c))
        .last()
        .map_or(span.end, |(i, c)| span.end + i + c.len_utf8());
    let compound = text[start..end].trim_end_matches('.');
    if compound.len() <= span.len() {
        return false;
    }
    // Package names and hosts ("apache-airflow-providers-cncf-kubernetes", "istio.io")
    // and one-letter prefixes ("X-Ray") are other names.
    let package = compound.chars().all(|c| !c.is_uppercase());
    let left = &text[start..span.start];
    package || (left.len() == 2 && left.ends_with('-'))
}

impl NameIndex {
    fn new(entries: impl IntoIterator<Item = (String, usize)>) -> NameIndex {
        let mut by_key: HashMap<String, Vec<usize>> = HashMap::new();
        let mut names: Vec<String> = Vec::new();
        for (name, target) in entries {
            let k = key(&name);
            if k.is_empty() {
                continue;
            }
            let slot = by_key.entry(k).or_default();
            if slot.is_empty() {
                names.push(name);
            }
            if !slot.contains(&target) {
                slot.push(target);
            }
        }
        // Longest first, so the leftmost match is also the longest name there.
        names.sort_by(|a, b| b.len().cmp(&a.len()).then_with(|| a.cmp(b)));
        let alts: Vec<String> = names.iter().filter_map(|n| pattern(n)).collect();
        let re = (!alts.is_empty())
            .then(|| {
                RegexBuilder::new(&alts.join("|"))
                    .size_limit(1 << 26)
                    .build()
                    .ok()
            })
            .flatten();
        NameIndex { re, by_key }
    }

    /// Every match, leftmost first: its span and what it names. A name glued
    /// to a package, path or compound ("cncf-kubernetes", "X-Ray") is not the name.
    fn find_all<'a>(
        &'a self,
        text: &'a str,
    ) -> impl Iterator<Item = (Range<usize>, &'a [usize])> + 'a {
        self.re.iter().flat_map(move |re| {
            re.find_iter(text)
                .filter(move |m| !glued(text, m.range()))
                .filter_map(move |m| {
                    self.by_key
                        .get(&key(m.as_str()))
                        .map(|t| (m.range(), t.as_slice()))
                })
        })
    }

    /// What an exact name (ignoring case and spacing) names.
    fn exact(&self, name: &str) -> &[usize] {
        self.by_key
            .get(&key(name))
            .map(Vec::as_slice)
            .unwrap_or(&[])
    }
}

/// The classifier, built once per crawl from the catalog (with the config merged in).
pub struct Classifier {
    catalog: Catalog,
    /// Per vendor ([`Vendor::ALL`] order): names of its managed and compatible offerings.
    offerings: Vec<NameIndex>,
    /// Names of every vendor's offerings that are not `when_named`, for mentions.
    all_offerings: NameIndex,
    /// Distinctive names of every system → system index.
    systems: NameIndex,
}

fn vendor_slot(v: Vendor) -> usize {
    Vendor::ALL.iter().position(|x| *x == v).unwrap_or(0)
}

fn tokens(text: &str) -> impl Iterator<Item = (Range<usize>, String)> + '_ {
    TOKEN_RE
        .find_iter(text)
        .map(|m| (m.range(), m.as_str().to_lowercase()))
}

/// A note's relation to its subject: a region expansion, a launch (a
/// launch-grade stage whose statement is shaped as one about its own
/// product), or a feature.
fn relation_of(
    vendor: Vendor,
    stage: Stage,
    stmt: &str,
    own_span: Option<&std::ops::Range<usize>>,
    own_tokens: &BTreeSet<String>,
) -> Relation {
    let region_stage = stage == Stage::Region && vendor != Vendor::Gcp;
    if region_stage || (stage != Stage::Deprecation && says_region(stmt)) {
        Relation::Region
    } else if matches!(
        stage,
        Stage::New | Stage::Preview | Stage::Ga | Stage::Deprecation
    ) && own_span.is_some_and(|sp| {
        launch_shaped(stmt, sp.clone(), own_tokens) && !names_a_tier(&stmt[sp.clone()])
    }) && !INSTANCE_RE.is_match(stmt)
        && !PURCHASE_OPTION_RE.is_match(stmt)
    {
        Relation::Launch
    } else {
        Relation::Feature
    }
}

impl Classifier {
    /// A classifier over `catalog`.
    pub fn new(catalog: Catalog) -> Classifier {
        let offerings = Vendor::ALL
            .iter()
            .map(|v| {
                NameIndex::new(catalog.offerings.iter().enumerate().flat_map(|(i, o)| {
                    let names: Vec<(String, usize)> = if o.vendor == *v && o.relation.absorbs() {
                        o.all_names().map(|n| (n.to_string(), i)).collect()
                    } else {
                        Vec::new()
                    };
                    names
                }))
            })
            .collect();
        let all_offerings =
            NameIndex::new(catalog.offerings.iter().enumerate().flat_map(|(i, o)| {
                let names: Vec<(String, usize)> = if o.relation.absorbs() && !o.when_named {
                    o.all_names().map(|n| (n.to_string(), i)).collect()
                } else {
                    Vec::new()
                };
                names
            }));
        let systems = NameIndex::new(catalog.systems.iter().enumerate().flat_map(|(i, s)| {
            s.match_names()
                .filter(|n| !super::catalog::is_ordinary_word(n))
                .map(move |n| (n.to_string(), i))
                .collect::<Vec<_>>()
        }));
        Classifier {
            catalog,
            offerings,
            all_offerings,
            systems,
        }
    }

    /// The catalog the classifier reads.
    pub fn catalog(&self) -> &Catalog {
        &self.catalog
    }

    /// Classify every cloud note of a batch in place; other items are left alone.
    pub fn classify_all(&self, items: &mut [Item]) {
        for item in items.iter_mut().filter(|i| i.kind == Kind::Cloud) {
            let c = self.classify(item);
            item.relation = c.relation;
            item.links = c.links;
        }
    }

    /// Classify one cloud note.
    pub fn classify(&self, item: &Item) -> Classification {
        let Some(vendor) = item.vendor else {
            return Classification::default();
        };
        let stmt = statement(vendor, item);
        let stage = item.stage.unwrap_or(Stage::Update);
        let subject = self.subject(vendor, item, &stmt);
        let own_span = subject
            .as_ref()
            .and_then(|s| s.span.clone())
            .or_else(|| own_product_span(vendor, item, &stmt));
        let dash_span = own_span
            .is_none()
            .then(|| staged_after_dash(vendor, item, &stmt))
            .flatten();
        let own_span = own_span.or_else(|| renamed_heading(vendor, item, &stmt));
        let own_tokens = self.own_tokens(subject.as_ref().map(|s| s.offerings.as_slice()), item);
        let relation = match &dash_span {
            Some(span) => relation_of(
                vendor,
                stage,
                &stmt[span.start..],
                Some(&(0..span.len())),
                &own_tokens,
            ),
            None => relation_of(vendor, stage, &stmt, own_span.as_ref(), &own_tokens),
        };
        let launch_stage = (relation == Relation::Launch).then(|| match stage {
            Stage::New if says_preview(&stmt) => Stage::Preview,
            Stage::New => Stage::Ga,
            s => s,
        });
        let text = format!(
            "{}\n{}\n{}",
            item.title,
            item.summary,
            item.products.join("\n")
        );
        let named: BTreeSet<usize> = self
            .systems
            .find_all(&text)
            .flat_map(|(_, t)| t.iter().copied())
            .collect();
        let mut links: Vec<SystemLink> = Vec::new();
        let push = |links: &mut Vec<SystemLink>, link: SystemLink| {
            if !links.iter().any(|l| l.system == link.system) {
                links.push(link);
            }
        };
        if let Some(subject) = &subject {
            for &i in &subject.offerings {
                let o = &self.catalog.offerings[i];
                let sys = self.catalog.system_index(&o.system);
                if o.when_named && !sys.is_some_and(|s| named.contains(&s)) {
                    continue;
                }
                push(
                    &mut links,
                    SystemLink {
                        system: o.system.clone(),
                        offering: Some(o.product.clone()),
                        relation,
                        stage: launch_stage,
                        runs_system: None,
                    },
                );
            }
        } else if relation == Relation::Launch {
            if let Some(span) = &own_span {
                let product = stmt[span.clone()].trim().to_string();
                for (_, targets) in self.systems.find_all(&product) {
                    for &s in targets {
                        push(
                            &mut links,
                            SystemLink {
                                system: self.catalog.systems[s].name.clone(),
                                offering: Some(product.clone()),
                                relation,
                                stage: launch_stage,
                                runs_system: Some(!COMPATIBLE_RE.is_match(&stmt)),
                            },
                        );
                    }
                }
            }
        }
        for system in self.mentioned(item, &text, &named) {
            push(
                &mut links,
                SystemLink {
                    system,
                    offering: None,
                    relation: Relation::Mention,
                    stage: None,
                    runs_system: None,
                },
            );
        }
        Classification {
            relation: Some(relation),
            links,
        }
    }

    /// Systems the note names, or names through another vendor's offering
    /// (its own products left out, so "Amazon MSK" is not a mention of MSK).
    fn mentioned(&self, item: &Item, text: &str, named: &BTreeSet<usize>) -> BTreeSet<String> {
        let mut mentioned: BTreeSet<String> = named
            .iter()
            .map(|&s| self.catalog.systems[s].name.clone())
            .collect();
        let mut loose = text.to_string();
        for p in item.products.iter().filter(|p| p.len() > 3) {
            loose = replace_ignore_case(&loose, p);
        }
        for (_, targets) in self.all_offerings.find_all(&loose) {
            for &i in targets {
                mentioned.insert(self.catalog.offerings[i].system.clone());
            }
        }
        mentioned
    }

    /// Tokens that belong to the subject's own names (and its systems' names),
    /// so that "Amazon Keyspaces (for Apache Cassandra)" reads as one name.
    fn own_tokens(&self, offerings: Option<&[usize]>, item: &Item) -> BTreeSet<String> {
        let mut out = BTreeSet::new();
        let mut add = |s: &str| out.extend(tokens(s).map(|(_, t)| t));
        for &i in offerings.unwrap_or(&[]) {
            let o = &self.catalog.offerings[i];
            o.all_names().for_each(&mut add);
            if let Some(sys) = self.catalog.system(&o.system) {
                add(&sys.name);
                sys.names.iter().for_each(|n| add(n));
            }
        }
        if let Some(p) = item.products.first() {
            add(p);
        }
        out
    }

    fn subject(&self, vendor: Vendor, item: &Item, stmt: &str) -> Option<Subject> {
        let idx = &self.offerings[vendor_slot(vendor)];
        let at_start = |text: &str, span: &Range<usize>| {
            tokens(&text[..span.start]).all(|(_, t)| PREFIX_WORDS.contains(&t.as_str()))
        };
        let in_stmt = |targets: &[usize]| -> Option<Range<usize>> {
            idx.find_all(stmt)
                .find(|(sp, t)| t.iter().any(|x| targets.contains(x)) && at_start(stmt, sp))
                .map(|(sp, _)| sp)
        };
        if vendor == Vendor::Gcp {
            let heading = item.products.first()?;
            let targets = idx.exact(heading);
            if targets.is_empty() {
                return None;
            }
            // "Dataproc: New Serverless for Apache Spark runtime versions" is about
            // Serverless for Apache Spark: a named offering whose systems are a
            // strict subset of the heading's narrows it.
            let systems_of = |t: &[usize]| -> BTreeSet<&str> {
                t.iter()
                    .map(|&i| self.catalog.offerings[i].system.as_str())
                    .collect()
            };
            let heading_systems = systems_of(targets);
            if let Some((sp, narrower)) = idx.find_all(stmt).find(|(_, t)| {
                let s = systems_of(t);
                s.len() < heading_systems.len() && s.is_subset(&heading_systems)
            }) {
                return Some(Subject {
                    offerings: narrower.to_vec(),
                    span: at_start(stmt, &sp).then_some(sp),
                });
            }
            return Some(Subject {
                offerings: targets.to_vec(),
                span: in_stmt(targets),
            });
        }
        if let Some((span, targets)) = idx.find_all(stmt).next() {
            if at_start(stmt, &span) {
                return Some(Subject {
                    offerings: targets.to_vec(),
                    span: Some(span),
                });
            }
        }
        for p in &item.products {
            let targets = idx.exact(p);
            if !targets.is_empty() {
                return Some(Subject {
                    offerings: targets.to_vec(),
                    span: in_stmt(targets),
                });
            }
        }
        self.family(vendor, item, stmt)
    }

    /// A product family ("Amazon RDS", "Amazon Aurora", "Azure Database") that
    /// the statement narrows to the offerings of the systems it names.
    fn family(&self, vendor: Vendor, item: &Item, stmt: &str) -> Option<Subject> {
        let named: BTreeSet<String> = self
            .systems
            .find_all(stmt)
            .flat_map(|(_, t)| t.iter().map(|&s| self.catalog.systems[s].name.clone()))
            .collect();
        if named.is_empty() {
            return None;
        }
        let brands = vendor.brands();
        let mut families: Vec<String> = item.products.clone();
        families.extend(products_in_title(stmt, brands));
        for fam in families {
            let fam_key = format!("{} ", key(&fam));
            let offerings: Vec<usize> = self
                .catalog
                .offerings
                .iter()
                .enumerate()
                .filter(|(_, o)| {
                    o.vendor == vendor
                        && o.relation.absorbs()
                        && named.contains(&o.system)
                        && o.all_names().any(|n| key(n).starts_with(&fam_key))
                })
                .map(|(i, _)| i)
                .collect();
            if !offerings.is_empty() {
                return Some(Subject {
                    offerings,
                    span: None,
                });
            }
        }
        None
    }
}

/// Where `needle` occurs in `hay`, ignoring ASCII case (no regex is built:
/// this runs for every note of a crawl).
fn find_ci(hay: &str, needle: &str, from: usize) -> Option<Range<usize>> {
    let (h, n) = (hay.as_bytes(), needle.as_bytes());
    if n.is_empty() || n.len() > h.len() {
        return None;
    }
    (from..=h.len() - n.len())
        .find(|&i| hay.is_char_boundary(i) && h[i..i + n.len()].eq_ignore_ascii_case(n))
        .map(|i| i..i + n.len())
}

/// `text` with every occurrence of `name` (ignoring ASCII case) blanked out.
fn replace_ignore_case(text: &str, name: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut at = 0;
    while let Some(r) = find_ci(text, name, at) {
        if !text.is_char_boundary(r.end) {
            break;
        }
        out.push_str(&text[at..r.start]);
        out.push(' ');
        at = r.end;
    }
    out.push_str(&text[at..]);
    out
}

/// The offering(s) a note is about, and where the statement names it.
struct Subject {
    offerings: Vec<usize>,
    span: Option<Range<usize>>,
}

/// The sentence that says what the note is about (see the module doc).
pub fn statement(vendor: Vendor, item: &Item) -> String {
    match vendor {
        // One announcement per item, its title the statement.
        Vendor::Aws | Vendor::Oci | Vendor::Cloudflare | Vendor::DigitalOcean | Vendor::Github => {
            item.title.trim().to_string()
        }
        Vendor::Azure => AZURE_PREFIX_RE
            .replace(item.title.trim(), "")
            .trim()
            .to_string(),
        Vendor::Gcp => {
            let text = if item.summary.trim().is_empty() {
                let heading = item.products.first().map(String::as_str).unwrap_or("");
                item.title
                    .strip_prefix(heading)
                    .map(|t| t.trim_start_matches(':'))
                    .unwrap_or(&item.title)
                    .to_string()
            } else {
                item.summary.clone()
            };
            first_sentence(&text).to_string()
        }
    }
}

fn first_sentence(text: &str) -> &str {
    let t = text.trim();
    let mut end = t.len();
    for (i, _) in t.match_indices(['.', '!', '\n']) {
        let next = t[i + 1..].chars().next();
        if next.is_none_or(char::is_whitespace) {
            end = i;
            break;
        }
    }
    let s = &t[..end];
    match s.char_indices().nth(300) {
        Some((i, _)) => &s[..i],
        None => s,
    }
}

/// Where the note's own product is named at the start of the statement.
fn own_product_span(vendor: Vendor, item: &Item, stmt: &str) -> Option<Range<usize>> {
    let brands = vendor.brands();
    let mut candidates: Vec<String> = item.products.clone();
    if vendor != Vendor::Gcp {
        candidates.extend(products_in_title(stmt, brands));
    }
    candidates
        .iter()
        .filter_map(|p| {
            let p = p.trim();
            let m = find_ci(stmt, p, 0)?;
            let word_end = stmt[m.end..]
                .chars()
                .next()
                .is_none_or(|c| !c.is_alphanumeric());
            (stmt.is_char_boundary(m.end)
                && word_end
                && tokens(&stmt[..m.start]).all(|(_, t)| PREFIX_WORDS.contains(&t.as_str())))
            .then_some(m)
        })
        .min_by_key(|r| (r.start, std::cmp::Reverse(r.end)))
}

/// A title that describes first and gives the stage after a dash, the
/// product's name last before it ("Store and Access Time Series Data at Any
/// Scale with Amazon Timestream – Now Generally Available"): the span of that
/// name, which [`launch_shaped`] then reads as if the title began with it.
/// A feature's name after the product's ("… with Amazon Athena result caching
/// – Now Generally Available") ends the text instead, and gives none.
fn staged_after_dash(vendor: Vendor, item: &Item, stmt: &str) -> Option<Range<usize>> {
    let (at, sep) = [" – ", " — ", " - "]
        .iter()
        .filter_map(|sep| stmt.rfind(sep).map(|at| (at, *sep)))
        .max_by_key(|(at, _)| *at)?;
    let tail = &stmt[at + sep.len()..];
    let words: Vec<String> = tokens(tail).map(|(_, t)| t).collect();
    let staged = words.iter().any(|t| STAGE_WORDS.contains(&t.as_str()))
        && words.iter().all(|t| {
            STAGE_WORDS.contains(&t.as_str())
                || MID_WORDS.contains(&t.as_str())
                || PREFIX_WORDS.contains(&t.as_str())
        });
    if !staged {
        return None;
    }
    let head = stmt[..at].trim_end();
    let mut candidates: Vec<String> = item.products.clone();
    candidates.extend(products_in_title(head, vendor.brands()));
    candidates
        .iter()
        .map(|p| p.trim())
        .filter(|p| !p.is_empty() && head.len() >= p.len())
        .find_map(|p| {
            let start = head.len() - p.len();
            let before = head[..start].chars().next_back();
            (head.is_char_boundary(start)
                && head[start..].eq_ignore_ascii_case(p)
                && before.is_none_or(|c| !c.is_alphanumeric()))
            .then_some(start..head.len())
        })
}

/// A Google Cloud note that names its product otherwise than its heading
/// does — an older or a short name, "Stackdriver Profiler is now generally
/// available." under "Cloud Profiler", "Managed Microsoft AD is now in beta!"
/// under "Managed Service for Microsoft Active Directory" — and gives its
/// stage right after the name: the span of that name when it shares a
/// distinctive word with the heading and holds no number (a version).
fn renamed_heading(vendor: Vendor, item: &Item, stmt: &str) -> Option<Range<usize>> {
    static NAMED_STAGE_RE: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(
            r"^((?:[A-Z][\w.-]*)(?: (?:[A-Z0-9][\w.-]*|for|on|of))*) (?:is|are) (?:now )?(?:generally available|available|in (?:public )?(?:beta|preview|alpha))\b",
        )
        .expect("constant regex")
    });
    const GENERIC: &[&str] = &["cloud", "google", "managed", "service", "for", "on", "of"];
    if vendor != Vendor::Gcp {
        return None;
    }
    let heading = item.products.first()?;
    let name = NAMED_STAGE_RE.captures(stmt)?.get(1)?;
    let heading_words: BTreeSet<String> = tokens(heading).map(|(_, t)| t).collect();
    // "PostgreSQL 19 is generally available" under Cloud SQL for PostgreSQL is a version.
    if name.as_str().chars().any(|c| c.is_ascii_digit()) {
        return None;
    }
    tokens(name.as_str())
        .any(|(_, t)| !GENERIC.contains(&t.as_str()) && heading_words.contains(&t))
        .then_some(name.range())
}

/// Whether a product's name ends in a tier word ([`TIER_WORDS`]) after at
/// least two words of its own.
fn names_a_tier(name: &str) -> bool {
    let words: Vec<String> = tokens(name).map(|(_, t)| t).collect();
    words.len() >= 3
        && words
            .last()
            .is_some_and(|t| TIER_WORDS.contains(&t.as_str()))
}

/// Whether the statement is the product's name, announcement words and a
/// stage phrase, with nothing of substance before the stage phrase.
fn launch_shaped(stmt: &str, span: Range<usize>, own: &BTreeSet<String>) -> bool {
    let before_ok = tokens(&stmt[..span.start]).all(|(_, t)| PREFIX_WORDS.contains(&t.as_str()));
    if !before_ok {
        return false;
    }
    let rest = &stmt[span.end..];
    // An apposition after the name ("…, a fully managed service") says what it is, not what changed.
    let cut = [", ", " – ", " — ", " - "]
        .iter()
        .filter_map(|sep| rest.find(sep))
        .min()
        .unwrap_or(rest.len());
    let after = &rest[..cut];
    let words: Vec<(Range<usize>, String)> = tokens(after).collect();
    for (i, (range, t)) in words.iter().enumerate() {
        if STAGE_WORDS.contains(&t.as_str()) {
            return true;
        }
        let raw = &after[range.clone()];
        let in_parens = after[..range.start].trim_end().ends_with('(');
        if own.contains(t) || MID_WORDS.contains(&t.as_str()) || (in_parens && is_acronym(raw)) {
            continue;
        }
        return names_a_service(&words[i..]);
    }
    true
}

/// Whether the words that end a statement make its name a service's name:
/// a few words and "service" last ("… de-identification service").
fn names_a_service(rest: &[(Range<usize>, String)]) -> bool {
    rest.len() <= MAX_SERVICE_SUFFIX
        && rest
            .last()
            .is_some_and(|(_, t)| SERVICE_WORDS.contains(&t.as_str()))
        && !rest.iter().any(|(_, t)| STAGE_WORDS.contains(&t.as_str()))
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn classifier() -> Classifier {
        Classifier::new(Catalog::builtin().unwrap().clone())
    }

    fn note(vendor: Vendor, stage: Stage, title: &str, summary: &str, products: &[&str]) -> Item {
        let mut i = Item::new("t", Kind::Cloud, "test", title, "https://example.org/n");
        i.vendor = Some(vendor);
        i.stage = Some(stage);
        i.summary = summary.into();
        i.products = products.iter().map(|s| s.to_string()).collect();
        i
    }

    fn links(c: &Classification) -> Vec<(String, Relation)> {
        c.links
            .iter()
            .map(|l| (l.system.clone(), l.relation))
            .collect()
    }

    #[test]
    fn launch_against_feature_in_each_vendors_wording() {
        let k = classifier();
        let cases = [
            (note(Vendor::Aws, Stage::Ga, "Amazon MSK is now generally available", "", &["Amazon MSK"]), "Kafka", Relation::Launch),
            (note(Vendor::Aws, Stage::Ga, "Amazon MSK Connect is now generally available", "", &["Amazon MSK"]), "Kafka", Relation::Feature),
            (note(Vendor::Azure, Stage::Ga, "[Launched] Generally Available: Azure Managed Redis", "", &["Azure Managed Redis"]), "Redis", Relation::Launch),
            (note(Vendor::Azure, Stage::Deprecation, "Retirement: Azure Cache for Redis will be retired on September 30, 2028", "", &["Azure Cache for Redis"]), "Redis", Relation::Launch),
            (note(Vendor::Gcp, Stage::Ga, "Managed Service for Apache Kafka: Managed Service for Apache Kafka is generally available.", "Managed Service for Apache Kafka is generally available. Learn more.", &["Managed Service for Apache Kafka"]), "Kafka", Relation::Launch),
            (note(Vendor::Gcp, Stage::Ga, "Cloud SQL for PostgreSQL: PostgreSQL 19 is generally available", "PostgreSQL 19 is generally available.", &["Cloud SQL for PostgreSQL"]), "PostgreSQL", Relation::Feature),
            (note(Vendor::Aws, Stage::Ga, "Amazon MSK is now generally available in the Europe (Milan) Region", "", &["Amazon MSK"]), "Kafka", Relation::Region),
        ];
        for (item, system, want) in cases {
            let c = k.classify(&item);
            assert!(
                links(&c).contains(&(system.to_string(), want)),
                "{}: {:?}",
                item.title,
                c
            );
        }
    }

    // Real Azure Updates wording (tests/data/launch_wording.toml, tuning part).
    /// Guards #29 item 5 (tuning part of the wording set): the stage after a
    /// dash, a tier of an offering, a Google Cloud note under a renamed heading.
    #[test]
    fn dash_stages_tiers_and_renamed_headings() {
        let k = classifier();
        let aws = |title: &str, products: &[&str]| {
            k.classify(&note(Vendor::Aws, Stage::Ga, title, "", products))
                .relation
        };
        assert_eq!(
            aws(
                "Store and Access Time Series Data at Any Scale with Amazon Timestream – Now Generally Available",
                &[]
            ),
            Some(Relation::Launch)
        );
        assert_eq!(
            aws(
                "Query your data lake faster with Amazon Athena result caching – Now Generally Available",
                &["Amazon Athena"]
            ),
            Some(Relation::Feature)
        );
        let azure = |title: &str| {
            let mut item = note(Vendor::Azure, Stage::Preview, title, "", &[]);
            item.products =
                products_in_title(&statement(Vendor::Azure, &item), Vendor::Azure.brands());
            k.classify(&item).relation
        };
        assert_eq!(
            azure("Azure Firewall Premium now in public preview"),
            Some(Relation::Feature)
        );
        assert_eq!(
            azure("Public Preview: Azure Managed Redis"),
            Some(Relation::Launch)
        );
        let gcp = |summary: &str, heading: &str| {
            let title = format!("{heading}: {summary}");
            k.classify(&note(Vendor::Gcp, Stage::Ga, &title, summary, &[heading]))
                .relation
        };
        assert_eq!(
            gcp(
                "Stackdriver Profiler is now generally available.",
                "Cloud Profiler"
            ),
            Some(Relation::Launch)
        );
        assert_eq!(
            gcp(
                "Stackdriver Trace is now generally available.",
                "Cloud Profiler"
            ),
            Some(Relation::Feature)
        );
    }

    #[test]
    fn service_names_support_endings_and_instance_types() {
        let k = classifier();
        let rel = |stage, title: &str| {
            let item = note(Vendor::Azure, stage, title, "", &[]);
            let mut item = item;
            item.products =
                products_in_title(&statement(Vendor::Azure, &item), Vendor::Azure.brands());
            k.classify(&item).relation
        };
        assert_eq!(
            rel(
                Stage::Ga,
                "Generally Available: Azure Health Data Services de-identification service"
            ),
            Some(Relation::Launch)
        );
        assert_eq!(
            rel(Stage::Deprecation, "Retirement: Azure Managed Confidential Consortium Framework (CCF) Service Support Ending on November 22nd, 2024"),
            Some(Relation::Launch)
        );
        assert_eq!(
            rel(
                Stage::Ga,
                "Generally Available: Azure Cobalt 100 Arm-based Virtual Machines"
            ),
            Some(Relation::Feature)
        );
        assert_eq!(
            rel(
                Stage::Ga,
                "Generally Available: Azure Functions support for PowerShell 7.4"
            ),
            Some(Relation::Feature)
        );
        assert_eq!(
            rel(Stage::Ga, "Generally Available: Azure Health Data Services support for FHIR exports to storage accounts in other services"),
            Some(Relation::Feature)
        );
    }

    #[test]
    fn ordinary_words_and_other_products_stay_quiet() {
        let k = classifier();
        let bedrock = note(
            Vendor::Aws,
            Stage::Ga,
            "Amazon Bedrock AgentCore is now generally available",
            "delivers elastic scaling for agents",
            &["Amazon Bedrock"],
        );
        assert!(
            k.classify(&bedrock).links.is_empty(),
            "{:?}",
            k.classify(&bedrock)
        );
        let xray = note(
            Vendor::Aws,
            Stage::Update,
            "AWS X-Ray adds trace search",
            "spark of joy in a vault",
            &["AWS X-Ray"],
        );
        assert!(
            k.classify(&xray).links.is_empty(),
            "{:?}",
            k.classify(&xray)
        );
        let c4a = note(
            Vendor::Gcp,
            Stage::Ga,
            "Compute Engine: The C4A machine series is now generally available.",
            "The C4A machine series is now generally available.",
            &["Compute Engine"],
        );
        let c = k.classify(&c4a);
        assert_eq!(c.relation, Some(Relation::Feature));
        assert!(c.links.is_empty());
    }

    #[test]
    fn emr_on_eks_mentions_kubernetes() {
        let k = classifier();
        let emr = note(
            Vendor::Aws,
            Stage::Ga,
            "Amazon EMR 7.14 is now available",
            "Run Spark Connect on Amazon EMR on EKS.",
            &["Amazon EMR"],
        );
        let got = links(&k.classify(&emr));
        assert!(
            got.contains(&("Spark".into(), Relation::Feature)),
            "{got:?}"
        );
        assert!(
            got.contains(&("Kubernetes".into(), Relation::Mention)),
            "{got:?}"
        );
    }

    #[test]
    fn a_launch_the_catalog_lacks_becomes_a_new_offering() {
        let k = classifier();
        let pulsar = note(
            Vendor::Aws,
            Stage::New,
            "Introducing Amazon Managed Service for Apache Pulsar",
            "",
            &["Amazon Managed Service for Apache Pulsar"],
        );
        let c = k.classify(&pulsar);
        let l = c.links.iter().find(|l| l.system == "Pulsar").unwrap();
        assert_eq!(l.relation, Relation::Launch);
        assert_eq!(l.stage, Some(Stage::Ga));
        assert_eq!(l.runs_system, Some(true));
        assert_eq!(
            l.offering.as_deref(),
            Some("Amazon Managed Service for Apache Pulsar")
        );
    }

    #[test]
    fn sentences_end_at_a_full_stop() {
        assert_eq!(
            first_sentence("Kafka 3.9 is GA. More text."),
            "Kafka 3.9 is GA"
        );
        assert_eq!(
            first_sentence("Version 1.2.3 is out"),
            "Version 1.2.3 is out"
        );
    }
}
