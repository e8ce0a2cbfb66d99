//! Measuring story grouping against the labelled set
//! (`tests/data/stories.toml`, written by reading the recorded payloads):
//! groups of documents that tell one story, true copies, and look-alike
//! pairs that must stay apart, each in the tuning or the test part (split by
//! a rule fixed before labelling, stated in the file). Shared by the
//! `stories` test and `benches/pipeline.rs`.

#![allow(clippy::unwrap_used)]

use std::collections::BTreeMap;
use std::path::Path;

use horizon::model::Item;
use serde::Deserialize;

use super::fixture_items;
use super::fixtures::repo_toml;

/// Documents that tell one story (a group) or are one item (copies).
#[derive(Debug, Clone, Deserialize)]
pub struct Group {
    pub ids: Vec<String>,
    #[serde(default = "tune")]
    pub split: String,
}

/// Two documents that must be two stories.
#[derive(Debug, Clone, Deserialize)]
pub struct Apart {
    pub a: String,
    pub b: String,
    pub split: String,
}

fn tune() -> String {
    "tune".into()
}

/// The labelled set.
#[derive(Debug, Clone, Deserialize)]
pub struct Labels {
    pub groups: Vec<Group>,
    #[serde(default)]
    pub copies: Vec<Group>,
    pub apart: Vec<Apart>,
}

/// The labelled set from `tests/data/stories.toml`.
pub fn labels() -> Labels {
    repo_toml("tests/data/stories.toml")
}

/// Every fixture item with its story, as one crawl of all the fixtures
/// would give them, by id.
pub fn storied_items(dir: &Path) -> BTreeMap<String, Item> {
    let mut items = Vec::new();
    for f in fixture_items::REPORT_FIXTURES
        .iter()
        .chain(fixture_items::EXTRA_FIXTURES)
    {
        items.extend(fixture_items::parse(dir, f));
    }
    horizon::stories::assign(&mut items, Vec::new());
    items.into_iter().map(|i| (i.id.clone(), i)).collect()
}

/// Pairs joined and kept apart on one part of the set.
#[derive(Debug, Default, Clone)]
pub struct Score {
    /// Pairs of a group (or copies) given one story.
    pub joined: usize,
    /// Pairs of a group (or copies) in all.
    pub same: usize,
    /// Look-alike pairs given two stories.
    pub kept_apart: usize,
    /// Look-alike pairs in all.
    pub apart: usize,
    /// Ids of the set not among the items.
    pub missing: Vec<String>,
    /// Look-alike pairs wrongly joined, and group pairs wrongly split.
    pub mistakes: Vec<String>,
}

impl Score {
    /// Of the pairs given one story, the share that are one story.
    pub fn precision(&self) -> f64 {
        let wrong = self.apart - self.kept_apart;
        if self.joined + wrong == 0 {
            return 1.0;
        }
        self.joined as f64 / (self.joined + wrong) as f64
    }
    /// Of the pairs that are one story, the share given one story.
    pub fn recall(&self) -> f64 {
        if self.same == 0 {
            return 1.0;
        }
        self.joined as f64 / self.same as f64
    }
}

/// The score of `items` on the `split` part (`tune` or `test`).
pub fn score(labels: &Labels, items: &BTreeMap<String, Item>, split: &str) -> Score {
    let mut s = Score::default();
    let story = |id: &str, s: &mut Score| -> Option<String> {
        let found = items
            .get(id)
            .map(|i| i.story.clone().unwrap_or_else(|| i.id.clone()));
        if found.is_none() {
            s.missing.push(id.to_string());
        }
        found
    };
    for g in labels
        .groups
        .iter()
        .chain(&labels.copies)
        .filter(|g| g.split == split)
    {
        for (n, a) in g.ids.iter().enumerate() {
            for b in g.ids.iter().skip(n + 1) {
                let (Some(x), Some(y)) = (story(a, &mut s), story(b, &mut s)) else {
                    continue;
                };
                s.same += 1;
                if x == y {
                    s.joined += 1;
                } else {
                    s.mistakes.push(format!("split: {a} / {b}"));
                }
            }
        }
    }
    for p in labels.apart.iter().filter(|p| p.split == split) {
        let (Some(x), Some(y)) = (story(&p.a, &mut s), story(&p.b, &mut s)) else {
            continue;
        };
        s.apart += 1;
        if x != y {
            s.kept_apart += 1;
        } else {
            s.mistakes.push(format!("joined: {} / {}", p.a, p.b));
        }
    }
    s
}
