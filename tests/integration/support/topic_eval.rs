//! Measuring topic tagging against the labelled set
//! (`tests/data/topic_labels.toml`: real items of `../shared/fixtures` and of
//! the captures in `tests/data/captures/`, labelled by reading), on its
//! tuning and its test part (split by capture, fixed before any rule was
//! written). Shared by `topic_devset` (which holds the test part to its
//! floor) and `benches/pipeline.rs` (which prints both parts; it mounts this
//! file beside `fixtures.rs` and `fixture_items.rs`, named here as
//! `super::…`).

#![allow(clippy::unwrap_used)]

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use horizon::absorb::{Catalog, Classifier};
use horizon::config::Config;
use horizon::model::Item;
use horizon::topics::{PhraseSet, Tagger};
use serde::Deserialize;

use super::fixture_items;
use super::fixtures::repo_toml;

/// One labelled item. `title` and `note` are for the people who label
/// (required and optional columns of the file); the code reads the rest.
#[derive(Debug, Clone, Deserialize)]
#[allow(dead_code)]
pub struct Labelled {
    /// The payload the item comes from: a path under the shared fixtures or
    /// `captures/<file>` under `tests/data/`.
    pub capture: String,
    /// `tune` or `test`.
    pub split: String,
    pub id: String,
    pub kind: String,
    pub title: String,
    pub topics: Vec<String>,
    #[serde(default)]
    pub note: Option<String>,
}

#[derive(Deserialize)]
struct LabelFile {
    items: Vec<Labelled>,
}

/// The labelled set.
pub fn labels() -> Vec<Labelled> {
    repo_toml::<LabelFile>("tests/data/topic_labels.toml").items
}

/// One capture of `tests/data/captures/captures.toml`.
#[derive(Debug, Clone, Deserialize)]
#[allow(dead_code)]
pub struct Capture {
    pub file: String,
    pub adapter: String,
    pub captured: String,
    pub source: String,
    pub split: String,
}

#[derive(Deserialize)]
struct CaptureFile {
    captures: Vec<Capture>,
}

/// The captures in `tests/data/captures/`, with their provenance file.
pub fn captures() -> Vec<Capture> {
    repo_toml::<CaptureFile>("tests/data/captures/captures.toml").captures
}

/// Every item of the shared fixtures and of the captures, classified and
/// tagged as the crawl does (one crawl per payload), by (capture, id).
pub fn tagged_items(dir: &Path, cfg: &Config) -> BTreeMap<(String, String), Item> {
    let catalog = Catalog::for_config(cfg).unwrap();
    let tagger = Tagger::with_catalog(&cfg.topics, &catalog).unwrap();
    let classifier = Classifier::new(catalog);
    let mut out = BTreeMap::new();
    let mut add = |capture: &str, mut items: Vec<Item>| {
        classifier.classify_all(&mut items);
        tagger.tag(&mut items).unwrap();
        for item in items {
            out.entry((capture.to_string(), item.id.clone()))
                .or_insert(item);
        }
    };
    for f in fixture_items::REPORT_FIXTURES
        .iter()
        .chain(fixture_items::EXTRA_FIXTURES)
    {
        add(f.file, fixture_items::parse(dir, f));
    }
    let root = super::fixtures::repo_file("tests/data/captures");
    for c in captures() {
        let bytes = std::fs::read(root.join(&c.file)).unwrap();
        let ctx = horizon::sources::ParseContext {
            source: &c.source,
            url: "https://fixtures.invalid/",
            now: c.captured.parse().unwrap(),
        };
        let items = fixture_items::Adapter::from_word(&c.adapter)
            .unwrap_or_else(|| panic!("captures.toml: unknown adapter {:?}", c.adapter))
            .parse(&bytes, &ctx)
            .unwrap_or_else(|e| panic!("{}: {e}", c.file));
        add(&format!("captures/{}", c.file), items);
    }
    out
}

/// Precision and recall over (item, topic) pairs.
#[derive(Debug, Default, Clone)]
pub struct Score {
    pub tp: usize,
    pub fp: usize,
    pub fn_: usize,
    /// Items of the sample found among the fixtures.
    pub items: usize,
    /// Items of the sample not found (a fixture changed).
    pub missing: Vec<String>,
    /// `(id, topic)` given but not labelled.
    pub false_positives: Vec<(String, String)>,
    /// `(id, topic)` labelled but not given.
    pub false_negatives: Vec<(String, String)>,
}

impl Score {
    pub fn precision(&self) -> f64 {
        ratio(self.tp, self.tp + self.fp)
    }
    pub fn recall(&self) -> f64 {
        ratio(self.tp, self.tp + self.fn_)
    }
}

fn ratio(a: usize, b: usize) -> f64 {
    if b == 0 {
        1.0
    } else {
        a as f64 / b as f64
    }
}

/// Score `predict` (the topics an item gets) against the labels of the
/// `split` part (`tune` or `test`).
pub fn score(
    labels: &[Labelled],
    items: &BTreeMap<(String, String), Item>,
    split: &str,
    predict: impl Fn(&Item) -> BTreeSet<String>,
) -> Score {
    let mut s = Score::default();
    for l in labels.iter().filter(|l| l.split == split) {
        let Some(item) = items.get(&(l.capture.clone(), l.id.clone())) else {
            s.missing.push(l.id.clone());
            continue;
        };
        s.items += 1;
        let want: BTreeSet<String> = l.topics.iter().cloned().collect();
        let got = predict(item);
        for t in got.intersection(&want) {
            let _ = t;
            s.tp += 1;
        }
        for t in got.difference(&want) {
            s.fp += 1;
            s.false_positives.push((l.id.clone(), t.clone()));
        }
        for t in want.difference(&got) {
            s.fn_ += 1;
            s.false_negatives.push((l.id.clone(), t.clone()));
        }
    }
    s
}

/// The tagger's topics.
pub fn tagger_topics(item: &Item) -> BTreeSet<String> {
    item.topics.iter().cloned().collect()
}

/// The rule before #12, for comparison: any keyword anywhere in title or summary.
pub fn any_keyword_rule(cfg: &Config) -> impl Fn(&Item) -> BTreeSet<String> {
    let sets: Vec<(String, PhraseSet)> = cfg
        .topics
        .iter()
        .map(|t| {
            (
                t.name.clone(),
                PhraseSet::new(t.keywords.iter().map(|k| (0, k.clone()))).unwrap(),
            )
        })
        .collect();
    move |item: &Item| {
        sets.iter()
            .filter(|(_, set)| {
                !set.find(&item.title).is_empty() || !set.find(&item.summary).is_empty()
            })
            .map(|(n, _)| n.clone())
            .collect()
    }
}
