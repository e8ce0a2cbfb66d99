//! Topic tagging: which of the team's areas each item belongs to, and why.
//!
//! A topic's phrases are its `keywords`, plus the names of its `systems`
//! (the catalog's distinctive names: "Kafka", "Apache Kafka", but never a
//! bare ordinary word such as "Ray" or "Spark") and their `aliases`. Phrases
//! match case-insensitively, on word boundaries ("Spark" does not match
//! "sparkle", but does match "Sparks"), with any run of whitespace between
//! the words of a phrase.
//!
//! One keyword somewhere in a long summary is weak evidence (a note about
//! Spark on EMR that says "Identity and Access Management" is not about
//! security), so an item gets a topic when the evidence is strong:
//!
//! 1. a phrase, or one of the topic's `products` ("BigQuery", "Amazon
//!    EKS"), occurs in the **title** (for a cloud note, also in its product
//!    names), or
//! 2. the **summary** holds phrases of the topic **at least twice** (the same
//!    phrase twice, or two different ones), or
//! 3. the topic's tantivy **`query`** matches (run over a small in-memory
//!    index of the batch, so it means what the same query means in
//!    `horizon search`), or
//! 4. the cloud note **launches, extends or brings to a region** an offering
//!    of one of the topic's systems (its `links`, set by the classifier,
//!    which therefore runs first); a mere mention is not enough;
//!
//! and none of the topic's `exclude` phrases is in the title ("available in
//! Model Garden": a model in a hosted API is not ML infrastructure). A cloud
//! note that only lists versions or bumps a package ("cos-117-… Kernel
//! Docker Containerd GPU Drivers …", "Updated app-containers/runc to
//! v1.2.7.") is tagged by its products alone: its title names what a release
//! bundles, not what the note is about.
//!
//! Each tag keeps its evidence ([`TopicEvidence`]: the phrases and where),
//! which the report uses to say why an item is listed. The rule is measured
//! on a labelled set of real items split by capture into a tuning and a test
//! part (`tests/data/topic_labels.toml`, `tests/integration/topic_devset.rs`).

use std::collections::BTreeMap;

use aho_corasick::AhoCorasick;
use tantivy::collector::DocSetCollector;
use tantivy::directory::RamDirectory;
use tantivy::{Index, SingleSegmentIndexWriter};

use crate::absorb::catalog::{is_ordinary_word, Catalog};
use crate::config::Topic;
use crate::index::{build_schema, document_for};
use crate::model::{Item, Kind, PhraseCount, Relation, TopicEvidence};
use crate::search::{parse_query, QueryError};

/// Summary occurrences that make a topic without a title match.
pub const MIN_SUMMARY_HITS: u32 = 2;

/// Why tagging could not run.
#[derive(Debug, thiserror::Error)]
pub enum TagError {
    /// A topic's `query` is invalid.
    #[error("topic {topic:?} (line {line}): invalid query: {error}")]
    BadQuery {
        /// The topic.
        topic: String,
        /// Its line in the config.
        line: usize,
        /// What is wrong.
        error: QueryError,
    },
    /// The in-memory index failed.
    #[error("tagging index")]
    Tantivy(#[from] tantivy::TantivyError),
    /// The phrase automaton could not be built.
    #[error("topic phrases")]
    Phrases(#[source] aho_corasick::BuildError),
}

struct CompiledTopic {
    name: String,
    /// Phrases that keep the topic off an item when its title holds one.
    exclude: Option<PhraseSet>,
    query: Option<String>,
    /// Canonical system names, lower-case (matched against cloud notes' links).
    systems: Vec<String>,
}

/// Lower-case, with every run of whitespace folded into one space.
fn fold(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for word in text.split_whitespace() {
        if !out.is_empty() {
            out.push(' ');
        }
        for c in word.chars() {
            out.extend(c.to_lowercase());
        }
    }
    out
}

fn is_word_char(c: char) -> bool {
    c.is_alphanumeric() || c == '_'
}

/// Finds phrases on word boundaries (a plural `s`/`es` allowed) and counts them.
/// A one-word name that is also an ordinary word ("Redshift", "Pulsar",
/// "Spanner": see [`is_proper_only`]) counts only where it is capitalised, so
/// "at high redshift" and "pulsar timing" are not the products.
pub struct PhraseSet {
    /// Each phrase as first spelled, and the topics it belongs to.
    phrases: Vec<(String, Vec<usize>)>,
    automaton: Option<AhoCorasick>,
}

/// Names of products and systems that are also ordinary English words, beyond
/// the catalog's [`ORDINARY_WORDS`](crate::absorb::catalog): they name the
/// product only when capitalised.
const PROPER_ONLY: &[&str] = &[
    "redshift",
    "aurora",
    "spanner",
    "snowflake",
    "chronicle",
    "composer",
    "batch",
    "beam",
    "fargate",
    "firestore",
    "bigtable",
    "datastore",
    "dataflow",
    "dataform",
    "cassandra",
    "polaris",
];

/// Whether `phrase` names a product only when capitalised: one word that is
/// an ordinary word ([`is_ordinary_word`] or [`PROPER_ONLY`]).
pub fn is_proper_only(phrase: &str) -> bool {
    let p = phrase.trim();
    !p.contains(char::is_whitespace)
        && (is_ordinary_word(p) || PROPER_ONLY.contains(&p.to_ascii_lowercase().as_str()))
}

/// Occurrences of the one-word `phrase` in `text` that start with a capital
/// letter, on word boundaries (a plural `s`/`es` allowed).
fn count_capitalised(text: &str, phrase: &str) -> u32 {
    let lower = phrase.to_ascii_lowercase();
    let mut n = 0;
    for (at, _) in text.match_indices(|c: char| c.is_ascii_uppercase()) {
        let rest = &text[at..];
        let Some(head) = rest.get(..lower.len()) else {
            continue;
        };
        if !head.eq_ignore_ascii_case(&lower) {
            continue;
        }
        let before = text[..at].chars().next_back();
        let tail = &rest[lower.len()..];
        let tail = tail
            .strip_prefix("es")
            .or_else(|| tail.strip_prefix('s'))
            .filter(|t| t.chars().next().is_none_or(|c| !is_word_char(c)))
            .unwrap_or(tail);
        let after = tail.chars().next();
        if before.is_none_or(|c| !is_word_char(c)) && after.is_none_or(|c| !is_word_char(c)) {
            n += 1;
        }
    }
    n
}

impl PhraseSet {
    /// Phrases for `topics`: `(topic index, phrase)` pairs; duplicates (ignoring case) merge.
    pub fn new(pairs: impl IntoIterator<Item = (usize, String)>) -> Result<PhraseSet, TagError> {
        let mut by_folded: BTreeMap<String, usize> = BTreeMap::new();
        let mut phrases: Vec<(String, Vec<usize>)> = Vec::new();
        let mut patterns: Vec<String> = Vec::new();
        for (topic, phrase) in pairs {
            let folded = fold(&phrase);
            if folded.is_empty() {
                continue;
            }
            let at = *by_folded.entry(folded.clone()).or_insert_with(|| {
                phrases.push((phrase.trim().to_string(), Vec::new()));
                patterns.push(folded);
                phrases.len() - 1
            });
            if let Some((_, topics)) = phrases.get_mut(at) {
                if !topics.contains(&topic) {
                    topics.push(topic);
                }
            }
        }
        let automaton = if patterns.is_empty() {
            None
        } else {
            Some(AhoCorasick::new(&patterns).map_err(TagError::Phrases)?)
        };
        Ok(PhraseSet { phrases, automaton })
    }

    /// The phrase with this index, as first spelled.
    pub fn phrase(&self, i: usize) -> &str {
        self.phrases.get(i).map_or("", |(p, _)| p.as_str())
    }

    /// Topics of the phrase with this index.
    pub fn topics_of(&self, i: usize) -> &[usize] {
        self.phrases.get(i).map_or(&[], |(_, t)| t.as_slice())
    }

    /// Phrase indexes found in `text`, with counts, in phrase order.
    /// Matches never overlap: at one position the longest phrase wins.
    pub fn find(&self, text: &str) -> Vec<(usize, u32)> {
        let Some(ac) = &self.automaton else {
            return Vec::new();
        };
        let hay = fold(text);
        let before_ok = |start: usize| {
            hay[..start]
                .chars()
                .next_back()
                .is_none_or(|c| !is_word_char(c))
        };
        let end_of = |end: usize| -> Option<usize> {
            let rest = &hay[end..];
            [0usize, 1, 2].into_iter().find_map(|extra| {
                let suffix = rest.get(..extra)?;
                if !matches!(suffix, "" | "s" | "es") {
                    return None;
                }
                let after = rest[extra..].chars().next();
                after
                    .is_none_or(|c| !is_word_char(c))
                    .then_some(end + extra)
            })
        };
        let mut found: Vec<(usize, usize, usize)> = ac
            .find_overlapping_iter(&hay)
            .filter(|m| before_ok(m.start()))
            .filter_map(|m| end_of(m.end()).map(|end| (m.start(), end, m.pattern().as_usize())))
            .collect();
        found.sort_by(|a, b| a.0.cmp(&b.0).then(b.1.cmp(&a.1)));
        let mut counts: BTreeMap<usize, u32> = BTreeMap::new();
        let mut next = 0usize;
        for (start, end, pattern) in found {
            if start < next {
                continue;
            }
            next = end;
            *counts.entry(pattern).or_insert(0) += 1;
        }
        counts
            .into_iter()
            .filter_map(|(p, n)| {
                let phrase = self.phrase(p);
                if !is_proper_only(phrase) {
                    return Some((p, n));
                }
                let n = count_capitalised(text, phrase);
                (n > 0).then_some((p, n))
            })
            .collect()
    }
}

/// Tags items with topic names and keeps the evidence.
pub struct Tagger {
    topics: Vec<CompiledTopic>,
    /// Keywords, system names and aliases: title and summary.
    phrases: PhraseSet,
    /// Product names: title and product names only.
    products: PhraseSet,
}

impl std::fmt::Debug for Tagger {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Tagger")
            .field("topics", &self.topics.len())
            .finish()
    }
}

/// The phrases of a topic: keywords, then its systems' distinctive names and aliases.
fn topic_phrases(t: &Topic, catalog: Option<&Catalog>) -> Vec<String> {
    let mut out: Vec<String> = t.keywords.clone();
    for system in &t.systems {
        match catalog.and_then(|c| c.system(system)) {
            Some(s) => out.extend(s.match_names().map(str::to_string)),
            None if !is_ordinary_word(system) => out.push(system.clone()),
            None => {}
        }
    }
    for aliases in t.aliases.values() {
        out.extend(aliases.iter().filter(|a| !is_ordinary_word(a)).cloned());
    }
    out
}

impl Tagger {
    /// Compile the topics with their systems' names as written in the
    /// config; a topic query that does not parse is an error naming the topic.
    pub fn new(topics: &[Topic]) -> Result<Tagger, TagError> {
        Tagger::build(topics, None)
    }

    /// Compile the topics with their systems' names and aliases from the
    /// offering catalog (what the crawl uses).
    pub fn with_catalog(topics: &[Topic], catalog: &Catalog) -> Result<Tagger, TagError> {
        Tagger::build(topics, Some(catalog))
    }

    fn build(topics: &[Topic], catalog: Option<&Catalog>) -> Result<Tagger, TagError> {
        let (schema, _) = build_schema();
        let probe = Index::create_in_ram(schema);
        let mut compiled = Vec::new();
        let mut pairs = Vec::new();
        let mut products = Vec::new();
        for (i, t) in topics.iter().enumerate() {
            let query = t
                .query
                .as_ref()
                .map(|q| q.trim().to_string())
                .filter(|q| !q.is_empty());
            if let Some(q) = &query {
                parse_query(&probe, q).map_err(|error| TagError::BadQuery {
                    topic: t.name.clone(),
                    line: t.line,
                    error,
                })?;
            }
            pairs.extend(topic_phrases(t, catalog).into_iter().map(|p| (i, p)));
            products.extend(t.products.iter().map(|p| (i, p.clone())));
            let systems = t
                .systems
                .iter()
                .map(|s| {
                    catalog
                        .and_then(|c| c.system(s))
                        .map_or_else(|| s.trim().to_lowercase(), |s| s.name.to_lowercase())
                })
                .collect();
            let exclude = if t.exclude.is_empty() {
                None
            } else {
                Some(PhraseSet::new(t.exclude.iter().map(|p| (0, p.clone())))?)
            };
            compiled.push(CompiledTopic {
                name: t.name.clone(),
                exclude,
                query,
                systems,
            });
        }
        Ok(Tagger {
            topics: compiled,
            phrases: PhraseSet::new(pairs)?,
            products: PhraseSet::new(products)?,
        })
    }

    /// The evidence for every topic in one item's text and links (before the rule).
    fn evidence_of(&self, item: &Item) -> Vec<TopicEvidence> {
        let mut ev: Vec<TopicEvidence> = self
            .topics
            .iter()
            .map(|t| TopicEvidence {
                topic: t.name.clone(),
                ..Default::default()
            })
            .collect();
        // A version listing's title ("cos-117-18613-439-16 Kernel Docker
        // Containerd GPU Drivers …") names what the release bundles, not
        // what it is about: only its products count.
        let mut heading = if is_listing(item) {
            String::new()
        } else if item.kind == Kind::Repo {
            // `apache/pulsar`: a repository's owner and name are names.
            capitalise_words(&item.title)
        } else {
            item.title.clone()
        };
        // A product the feed's categories add but the title does not name
        // ("AWS Private CA now provides … issuance logs" filed also under
        // CloudTrail and Athena) is read with the summary: weak evidence.
        let mut side_products = String::new();
        let title = item.title.to_lowercase();
        for p in &item.products {
            let named = title.contains(&p.to_lowercase());
            let target = if named || item.vendor == Some(crate::model::Vendor::Gcp) {
                &mut heading
            } else {
                &mut side_products
            };
            target.push_str(" \u{1f} ");
            target.push_str(p);
        }
        for set in [&self.phrases, &self.products] {
            for (p, _) in set.find(&heading) {
                for &t in set.topics_of(p) {
                    if let Some(e) = ev.get_mut(t) {
                        e.title.push(set.phrase(p).to_string());
                    }
                }
            }
        }
        // A generic instance-type launch ("Amazon EC2 X8i instances are now
        // available … ideal for in-memory databases") is about no topic its
        // summary lists as a use: only its title and products count.
        // A version note ("Amazon Aurora now supports PostgreSQL 18.6, 17.11",
        // "Amazon EMR 7.14 is now available") is about its product; its
        // summary lists what the versions fix ("security vulnerabilities",
        // "CVE-2026-…"), not what the note is about. (A version listing's
        // title is not read at all, so its summary stays.)
        let summary = if is_instance_launch(item) || (is_version_note(item) && !is_listing(item)) {
            ""
        } else {
            item.summary.as_str()
        };
        for (p, count) in self.products.find(&side_products) {
            for &t in self.products.topics_of(p) {
                if let Some(e) = ev.get_mut(t) {
                    e.summary.push(PhraseCount {
                        phrase: self.products.phrase(p).to_string(),
                        count,
                    });
                }
            }
        }
        for (p, count) in self.phrases.find(summary) {
            for &t in self.phrases.topics_of(p) {
                if let Some(e) = ev.get_mut(t) {
                    e.summary.push(PhraseCount {
                        phrase: self.phrases.phrase(p).to_string(),
                        count,
                    });
                }
            }
        }
        for link in item
            .links
            .iter()
            .filter(|l| l.relation != Relation::Mention)
        {
            let system = link.system.to_lowercase();
            for (t, e) in self.topics.iter().zip(ev.iter_mut()) {
                if t.systems.contains(&system) && !e.systems.contains(&link.system) {
                    e.systems.push(link.system.clone());
                }
            }
        }
        ev
    }

    /// Set `topics` and `evidence` on every item (replacing what was there).
    pub fn tag(&self, items: &mut [Item]) -> Result<(), TagError> {
        let mut all: Vec<Vec<TopicEvidence>> = items.iter().map(|i| self.evidence_of(i)).collect();
        if !items.is_empty() && self.topics.iter().any(|t| t.query.is_some()) {
            self.run_queries(items, &mut all)?;
        }
        for (item, evidence) in items.iter_mut().zip(all) {
            let excluded = |e: &TopicEvidence| {
                self.topics
                    .iter()
                    .find(|t| t.name == e.topic)
                    .and_then(|t| t.exclude.as_ref())
                    .is_some_and(|x| !x.find(&item.title).is_empty())
            };
            // A repository's description is one sentence saying what it is:
            // one specific phrase there is enough ("inference engine",
            // "Kubernetes", "llama.cpp"; not "database" or "event-driven").
            let strong = |e: &TopicEvidence| {
                if item.kind == Kind::Paper && is_summary_only(e) {
                    return is_strong_in_abstract(e);
                }
                is_strong(e)
                    || (item.kind == Kind::Repo
                        && e.summary.iter().any(|p| !is_generic_word(&p.phrase)))
            };
            let outside =
                is_outside_computing(item) || is_billing_note(item) || is_community_post(item);
            let (topics, evidence): (Vec<String>, Vec<TopicEvidence>) = evidence
                .into_iter()
                .filter(|e| !outside && strong(e) && !excluded(e))
                .map(|e| (e.topic.clone(), e))
                .unzip();
            item.topics = topics;
            item.evidence = evidence;
        }
        Ok(())
    }

    fn run_queries(&self, items: &[Item], all: &mut [Vec<TopicEvidence>]) -> Result<(), TagError> {
        // One segment written in order: doc id i is items[i].
        let (schema, fields) = build_schema();
        let mut writer: SingleSegmentIndexWriter = Index::builder()
            .schema(schema)
            .single_segment_index_writer(RamDirectory::create(), 15_000_000)?;
        for item in items {
            writer.add_document(document_for(&fields, item))?;
        }
        let index = writer.finalize()?;
        let searcher = index.reader()?.searcher();
        for (t, topic) in self.topics.iter().enumerate() {
            let Some(q) = &topic.query else { continue };
            let Ok(query) = parse_query(&index, q) else {
                continue;
            };
            for addr in searcher.search(&*query, &DocSetCollector)? {
                if let Some(e) = all
                    .get_mut(addr.doc_id as usize)
                    .and_then(|ev| ev.get_mut(t))
                {
                    e.query = true;
                }
            }
        }
        Ok(())
    }
}

/// A cloud note that lists the versions a release bundles — its text after
/// the product heading starts with a version (`cos-117-18613-439-16`,
/// `1.33.5-gke.1080000`) — or bumps one package ("Updated
/// app-containers/runc to v1.2.7.", "Upgraded dev-db/sqlite to v3.50.3.").
pub fn is_listing(item: &Item) -> bool {
    if item.kind != crate::model::Kind::Cloud {
        return false;
    }
    let text = item
        .title
        .split_once(": ")
        .map_or(item.title.as_str(), |(_, t)| t);
    let bump =
        (text.starts_with("Updated ") || text.starts_with("Upgraded ")) && text.contains(" to v");
    bump || text.split_whitespace().next().is_some_and(|w| {
        w.chars().any(|c| c.is_ascii_digit())
            && w.contains(['-', '.'])
            && w.chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '.' | '_'))
    })
}

/// An arXiv paper none of whose categories is in computing (`cs.*`,
/// `eess.*`, `stat.ML`): an astrophysics paper about pulsars or a GPU code
/// for hydrodynamics is about no infrastructure topic.
pub fn is_outside_computing(item: &Item) -> bool {
    item.kind == Kind::Paper
        && item.id.starts_with("arxiv:")
        && !item.categories.is_empty()
        && !item
            .categories
            .iter()
            .any(|c| c.starts_with("cs.") || c.starts_with("eess.") || c == "stat.ML")
}

/// A blog post that announces an event, an award, a survey's results, an
/// interview or a community programme ("Cassandra Day in Berlin Announced",
/// "Apache Cassandra wins … Award", "An Interview with Project Contributor
/// …"): about a project's community, not its technology, so no topic.
pub fn is_community_post(item: &Item) -> bool {
    static WORDING: std::sync::LazyLock<regex::Regex> = std::sync::LazyLock::new(|| {
        regex::Regex::new(
            r"(?i)\b(?:summit|conference|meetups?|webinars?|hackathon|world party|awards?|user survey|survey results|interview with|interview process|interviews|registration (?:is )?(?:now )?open|agenda announced|catalysts|catalyst program|days? (?:in|for) (?-i:[A-Z]))",
        )
        .unwrap_or_else(|e| unreachable!("constant regex: {e}"))
    });
    item.kind == Kind::Article && WORDING.is_match(&item.title)
}

/// A cloud note about prices or discounts ("Extension of
/// limited-time promotional discounts on Azure Databricks Serverless"): no
/// topic, whatever product it names.
pub fn is_billing_note(item: &Item) -> bool {
    static WORDING: std::sync::LazyLock<regex::Regex> = std::sync::LazyLock::new(|| {
        regex::Regex::new(
            r"(?i)\b(?:discounts?|pricing|prices?|price (?:reduction|change|cut)s?|promotional|savings plans?|free tier|cost allocation)\b",
        )
        .unwrap_or_else(|e| unreachable!("constant regex: {e}"))
    });
    item.kind == Kind::Cloud && WORDING.is_match(&item.title)
}

/// A cloud note launching or extending instance or machine types ("Amazon
/// EC2 X8i instances are now available", "C4D machine types are GA",
/// "Dasv7-series virtual machines"): compute capacity, not a topic by itself.
pub fn is_instance_launch(item: &Item) -> bool {
    static WORDING: std::sync::LazyLock<regex::Regex> = std::sync::LazyLock::new(|| {
        regex::Regex::new(
            r"(?i)\b(instances?|instance types?|virtual machines?|VMs?|machine (types?|series|families|family)|VM (series|sizes?))\b",
        )
        .unwrap_or_else(|e| unreachable!("constant regex: {e}"))
    });
    item.kind == Kind::Cloud && WORDING.is_match(&item.title)
}

/// A cloud note whose title names versions of its product: a dotted
/// version number ("PostgreSQL 18.6", "EMR 7.14", "Python 3.14").
pub fn is_version_note(item: &Item) -> bool {
    static VERSION: std::sync::LazyLock<regex::Regex> = std::sync::LazyLock::new(|| {
        regex::Regex::new(r"\b\d+\.\d+(?:\.\d+)*\b")
            .unwrap_or_else(|e| unreachable!("constant regex: {e}"))
    });
    item.kind == Kind::Cloud && VERSION.is_match(&item.title)
}

/// A phrase that is one plain lower-case word ("database", "event-driven",
/// "serverless"): weak evidence alone, unlike a phrase of several words, a
/// name ("Kubernetes", "GPU") or an identifier ("llama.cpp").
fn is_generic_word(phrase: &str) -> bool {
    phrase
        .chars()
        .all(|c| c.is_lowercase() || c == '-' || c.is_ascii_digit())
}

/// Accelerators an abstract names for its experiments ("trained on eight
/// H100 GPUs"): they say what a paper ran on, not what it is about.
const HARDWARE: &[&str] = &[
    "gpu", "gpus", "tpu", "tpus", "nvidia", "h100", "h200", "gb200", "gb300", "cuda",
];

/// Evidence found in the summary only.
fn is_summary_only(e: &TopicEvidence) -> bool {
    e.title.is_empty() && !e.query && e.systems.is_empty()
}

/// An abstract's evidence for a topic: two different phrases of it, the
/// accelerators it ran on not counted. An abstract is long and names in
/// passing the data it used ("an EEG database") and the hardware it ran
/// on; one phrase said twice there is not what the paper is about.
fn is_strong_in_abstract(e: &TopicEvidence) -> bool {
    e.summary
        .iter()
        .filter(|p| !HARDWARE.contains(&p.phrase.to_lowercase().as_str()))
        .count()
        >= 2
}

/// `apache/pulsar` → `Apache/Pulsar`: each word's first letter upper-case.
fn capitalise_words(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut start = true;
    for c in text.chars() {
        if start && c.is_alphabetic() {
            out.extend(c.to_uppercase());
        } else {
            out.push(c);
        }
        start = !is_word_char(c);
    }
    out
}

/// Whether the evidence gives the topic: a title match, the topic's query,
/// a link to one of its systems, or at least [`MIN_SUMMARY_HITS`] summary
/// matches (one phrase twice or two phrases).
pub fn is_strong(e: &TopicEvidence) -> bool {
    !e.title.is_empty()
        || e.query
        || !e.systems.is_empty()
        || e.summary_hits() >= MIN_SUMMARY_HITS
        || e.summary.len() >= 2
}

#[cfg(test)]
mod tests {
    use super::*;

    fn topic(name: &str, keywords: &[&str], query: Option<&str>) -> Topic {
        Topic {
            description: None,
            name: name.into(),
            keywords: keywords.iter().map(|s| s.to_string()).collect(),
            exclude: vec![],
            query: query.map(str::to_string),
            products: vec![],
            arxiv_categories: vec![],
            systems: vec![],
            aliases: Default::default(),
            line: 1,
        }
    }

    /// Guards #27: version listings and package bumps take no topic from
    /// their titles, and `exclude` phrases keep a topic off.
    #[test]
    fn listings_and_excluded_titles_get_no_keyword_topic() {
        let mut ml = topic("ml", &["GPU", "inference"], None);
        ml.exclude = vec!["available in Model Garden".into()];
        let tagger = Tagger::new(&[ml]).expect("tagger");
        let cloud = |title: &str| {
            let mut i = item(title, "");
            i.kind = Kind::Cloud;
            i
        };
        let mut items = vec![
            cloud("Container Optimized OS (cos-117-1): cos-117-18613-439-16 Kernel Docker Containerd GPU Drivers"),
            cloud("Container Optimized OS (cos-117-1): Updated cos-gpu-installer to v2.5.9."),
            cloud("Generative AI on Vertex AI: Qwen GPU models are available in Model Garden."),
            cloud("Compute Engine: G4 GPU machines are generally available."),
        ];
        tagger.tag(&mut items).expect("tag");
        let topics: Vec<usize> = items.iter().map(|i| i.topics.len()).collect();
        assert_eq!(topics, [0, 0, 0, 1]);
    }

    #[test]
    fn ordinary_word_names_count_only_capitalised() {
        let mut db = topic("db", &["database"], None);
        db.products = vec!["Redshift".into()];
        let streams = topic("streams", &["message queue", "Pulsar"], None);
        let tagger = Tagger::new(&[db, streams]).expect("tagger");
        let mut repo = item("apache/pulsar", "A distributed pub-sub messaging platform");
        repo.kind = Kind::Repo;
        let mut items = vec![
            item("Amazon Redshift adds zero-ETL", ""),
            item("21 cm observables at high redshift", ""),
            item(
                "Timing arrays of a pulsar",
                "A pulsar spins; the pulsar slows.",
            ),
            item("Apache Pulsar 4.0", ""),
            repo,
        ];
        tagger.tag(&mut items).expect("tag");
        let topics: Vec<Vec<String>> = items.iter().map(|i| i.topics.clone()).collect();
        assert_eq!(
            topics,
            [
                vec!["db".to_string()],
                vec![],
                vec![],
                vec!["streams".to_string()],
                vec!["streams".to_string()],
            ]
        );
        assert_eq!(
            count_capitalised("Redshifts and redshift, Redshift.", "Redshift"),
            2
        );
    }

    #[test]
    fn papers_outside_computing_instance_launches_and_repositories() {
        let ml = topic("ml", &["GPU", "inference engine"], None);
        let db = topic("db", &["database", "in-memory database"], None);
        assert!(is_generic_word("event-driven") && !is_generic_word("llama.cpp"));
        let tagger = Tagger::new(&[ml, db]).expect("tagger");
        let paper = |categories: &[&str]| {
            let mut i = item("A GPU code for hydrodynamics", "");
            i.id = "arxiv:2604.00001".into();
            i.kind = Kind::Paper;
            i.categories = categories.iter().map(|c| c.to_string()).collect();
            i
        };
        let mut instances = item(
            "Amazon EC2 X8i instances are now available",
            "Ideal for in-memory databases and database caches.",
        );
        instances.kind = Kind::Cloud;
        let mut gpus = item("Amazon EC2 P6 instances with GPUs are now available", "");
        gpus.kind = Kind::Cloud;
        let mut repo = item("ggml-org/llama.cpp", "An inference engine in C/C++");
        repo.kind = Kind::Repo;
        let mut billing = item("Lower prices for Amazon EKS", "");
        billing.kind = Kind::Cloud;
        assert!(is_billing_note(&billing));
        let mut article = item("A post", "Our inference engine got faster.");
        article.kind = Kind::Article;
        let mut items = vec![
            paper(&["astro-ph.GA", "astro-ph.IM"]),
            paper(&["astro-ph.IM", "cs.DC"]),
            instances,
            gpus,
            repo,
            article,
        ];
        tagger.tag(&mut items).expect("tag");
        let topics: Vec<usize> = items.iter().map(|i| i.topics.len()).collect();
        assert_eq!(topics, [0, 1, 0, 1, 1, 0], "{:?}", items[2].evidence);
    }

    /// Guards #27 (arXiv answers of 2026-07/08, tuning part): an abstract
    /// that names its data ("an EEG database") or its hardware ("on H100
    /// GPUs") twice is not about databases or ML infrastructure; two
    /// different phrases of a topic are.
    #[test]
    fn an_abstract_needs_two_phrases_and_hardware_does_not_count() {
        let ml = topic(
            "ml",
            &["GPU", "H100", "model serving", "inference engine"],
            None,
        );
        let db = topic("db", &["database"], None);
        let tagger = Tagger::new(&[ml, db]).expect("tagger");
        let paper = |summary: &str| {
            let mut i = item("A method", summary);
            i.id = "arxiv:2607.00001".into();
            i.kind = Kind::Paper;
            i.categories = vec!["cs.LG".into()];
            i
        };
        let mut items = vec![
            paper("We collect an EEG database. The database holds 40 nights."),
            paper("Trained on one GPU; an H100 GPU serves it."),
            paper("An inference engine for model serving on a GPU."),
        ];
        // The same text as an article: one phrase twice is enough there.
        let mut article = item("A post", "The database is fast. Our database is small.");
        article.kind = Kind::Article;
        items.push(article);
        tagger.tag(&mut items).expect("tag");
        let topics: Vec<Vec<String>> = items.iter().map(|i| i.topics.clone()).collect();
        assert_eq!(
            topics,
            [
                vec![],
                vec![],
                vec!["ml".to_string()],
                vec!["db".to_string()]
            ]
        );
    }

    /// Guards #27 (the Apache Cassandra blog, tuning part): a post about a
    /// project's community — an event, an award, a survey, an interview —
    /// gets no topic, though its title names the database; a post about the
    /// database does.
    #[test]
    fn community_posts_get_no_topic() {
        let mut db = topic("db", &["database"], None);
        db.products = vec!["Cassandra".into()];
        let tagger = Tagger::new(&[db]).expect("tagger");
        let post = |title: &str| {
            let mut i = item(title, "");
            i.kind = Kind::Article;
            i
        };
        let mut items = vec![
            post("Cassandra Day in Berlin Announced"),
            post("Apache Cassandra wins BigDATAwire Open Source Projects to Watch Award"),
            post("Inside Cassandra: An Interview with Project Contributor, Lorina Poland"),
            post("Town Hall Replay: Cassandra Performance Tuning"),
        ];
        tagger.tag(&mut items).expect("tag");
        let topics: Vec<usize> = items.iter().map(|i| i.topics.len()).collect();
        assert_eq!(topics, [0, 0, 0, 1]);
        let mut note = post("Cassandra Day in Berlin Announced");
        note.kind = Kind::Cloud;
        assert!(!is_community_post(&note), "only blog posts");
    }

    /// Guards #27 (the AWS What's New capture of 2026-10-07): a version
    /// note's summary gives no topic, a product only the categories name is
    /// weak evidence, a product the title names is strong.
    #[test]
    fn version_notes_and_category_only_products() {
        let mut db = topic("db", &["database"], None);
        db.products = vec!["Amazon Aurora".into()];
        let sec = topic("sec", &["vulnerabilities", "CVE"], None);
        let mut obs = topic("obs", &["metrics"], None);
        obs.products = vec!["AWS CloudTrail".into(), "Amazon Athena".into()];
        let tagger = Tagger::new(&[db, sec, obs]).expect("tagger");
        let cloud = |title: &str, summary: &str, products: &[&str]| {
            let mut i = item(title, summary);
            i.kind = Kind::Cloud;
            i.vendor = Some(crate::model::Vendor::Aws);
            i.products = products.iter().map(|p| p.to_string()).collect();
            i
        };
        let mut items = vec![
            cloud(
                "Amazon Aurora now supports PostgreSQL 18.6, 17.11",
                "These releases fix security vulnerabilities (CVE-2026-1).",
                &["Amazon Aurora"],
            ),
            cloud(
                "AWS Private CA now provides certificate issuance logs",
                "",
                &["AWS CloudTrail", "Amazon Athena"],
            ),
            cloud(
                "AWS CloudTrail adds data event coverage",
                "",
                &["AWS CloudTrail"],
            ),
        ];
        tagger.tag(&mut items).expect("tag");
        let topics: Vec<Vec<String>> = items.iter().map(|i| i.topics.clone()).collect();
        assert_eq!(
            topics,
            [
                vec!["db".to_string()],
                vec!["obs".to_string()],
                vec!["obs".to_string()]
            ],
            "{:?}",
            items[1].evidence
        );
        // Two category-only products of one topic add up, as two summary
        // phrases do; one alone would not.
        let mut alone = vec![cloud("AWS Private CA adds logs", "", &["Amazon Athena"])];
        tagger.tag(&mut alone).expect("tag");
        assert!(alone[0].topics.is_empty(), "{:?}", alone[0].evidence);
    }

    fn item(title: &str, summary: &str) -> Item {
        let mut i = Item::new(format!("t:{title}"), Kind::Article, "s", title, "u");
        i.summary = summary.into();
        i
    }

    fn phrases(list: &[&str]) -> PhraseSet {
        PhraseSet::new(list.iter().map(|p| (0, p.to_string()))).unwrap()
    }

    fn counts(set: &PhraseSet, text: &str) -> Vec<(String, u32)> {
        set.find(text)
            .into_iter()
            .map(|(p, n)| (set.phrase(p).to_string(), n))
            .collect()
    }

    #[test]
    fn phrases_match_on_word_boundaries() {
        let set = phrases(&["Spark", "load testing", "C++"]);
        let one = |t: &str| !set.find(t).is_empty();
        assert!(one("Apache Spark 4.0 released"));
        // An ordinary word names the product only when capitalised.
        assert!(one("running Sparks"));
        assert!(!one("running sparks"));
        assert!(!one("a sparkle of joy"));
        assert!(!one("sparkline charts"));
        assert!(one("Distributed LOAD\n  Testing at scale"));
        assert!(one("modern C++ idioms"));
        assert!(!one("preloadtesting"));
        assert!(one("(Spark)"));
    }

    #[test]
    fn phrases_are_counted_without_overlap() {
        let set = phrases(&["load test", "load testing", "GPU"]);
        assert_eq!(
            counts(
                &set,
                "Load testing, load tests and GPUs: a GPU load testing guide"
            ),
            vec![
                ("load test".into(), 1),
                ("load testing".into(), 2),
                ("GPU".into(), 2)
            ]
        );
        assert_eq!(counts(&set, "GPU GPU"), vec![("GPU".into(), 2)]);
    }

    #[test]
    fn one_summary_mention_is_not_enough() {
        let tagger = Tagger::new(&[topic(
            "security",
            &["identity and access", "zero trust"],
            None,
        )])
        .unwrap();
        let mut items = vec![
            item(
                "Spark Connect on EMR on EKS",
                "Configure Identity and Access Management roles for the job.",
            ),
            item("Zero trust for service accounts", ""),
            item(
                "Access",
                "Identity and access policies, identity and access reviews.",
            ),
            item("Access", "Zero trust meets identity and access."),
        ];
        tagger.tag(&mut items).unwrap();
        let tags: Vec<usize> = items.iter().map(|i| i.topics.len()).collect();
        assert_eq!(tags, vec![0, 1, 1, 1]);
        assert_eq!(items[1].evidence[0].title, vec!["zero trust"]);
        assert_eq!(items[2].evidence[0].summary_hits(), 2);
        assert_eq!(items[3].evidence[0].summary.len(), 2);
    }

    #[test]
    fn launch_links_to_a_topic_system_give_the_topic() {
        use crate::model::SystemLink;
        let mut t = topic("streaming", &["stream processing"], None);
        t.systems = vec!["Kafka".into()];
        let tagger = Tagger::new(&[t]).unwrap();
        let link = |relation| SystemLink {
            system: "Kafka".into(),
            offering: Some("Amazon MSK".into()),
            relation,
            stage: None,
            runs_system: None,
        };
        let mut a = item("Amazon MSK adds Graviton brokers", "");
        a.links = vec![link(Relation::Feature)];
        let mut b = item("Amazon Redshift adds connectors", "");
        b.links = vec![link(Relation::Mention)];
        let mut items = vec![a, b];
        tagger.tag(&mut items).unwrap();
        assert_eq!(items[0].topics, vec!["streaming"]);
        assert_eq!(items[0].evidence[0].systems, vec!["Kafka"]);
        assert!(items[1].topics.is_empty(), "a mention is not enough");
    }

    #[test]
    fn tags_by_keywords_and_queries() {
        let tagger = Tagger::new(&[
            topic("streaming", &["stream processing", "Kafka"], None),
            topic("ml", &[], Some("title:inference AND summary:gpu")),
        ])
        .unwrap();
        let mut items = vec![
            item("Kafka at scale", ""),
            item("Fast inference", "on a GPU cluster"),
            item("Inference", "on CPUs"),
            item("Stream processing with inference", "gpu"),
        ];
        tagger.tag(&mut items).unwrap();
        let tags: Vec<Vec<String>> = items.iter().map(|i| i.topics.clone()).collect();
        assert_eq!(tags[0], vec!["streaming"]);
        assert_eq!(tags[1], vec!["ml"]);
        assert!(tags[2].is_empty());
        assert_eq!(tags[3], vec!["streaming", "ml"]);
        assert!(items[1].evidence[0].query);
    }

    #[test]
    fn invalid_topic_query_names_the_topic() {
        let err = Tagger::new(&[topic("bad", &[], Some("title:(unclosed"))]).unwrap_err();
        assert!(
            err.to_string()
                .starts_with("topic \"bad\" (line 1): invalid query"),
            "{err}"
        );
    }
}
