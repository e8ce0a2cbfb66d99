//! Measuring launch detection on the vendors' real wording
//! (`tests/data/launch_wording.toml`, labelled by reading; issue #29 item 5).
//!
//! Each labelled entry is written into a one-item feed in its vendor's own
//! format (AWS What's New RSS with its `general:products/…` tags, Azure
//! updates RSS with its categories, a Google Cloud release-notes Atom entry
//! with the product `<h2>` and note-type `<h3>`), parsed by the crawl's
//! adapter and classified by the crawl's classifier — so the figures measure
//! what a crawl does with the title. A note counts as a launch when the
//! classifier calls it a launch of its own product or links any system as a
//! launch. Shared by the `launch_wording` test and `benches/pipeline.rs`.

#![allow(clippy::unwrap_used)]

use horizon::absorb::Classifier;
use horizon::model::{Item, Relation, Vendor};
use horizon::sources::ParseContext;
use serde::Deserialize;
use sha2::{Digest, Sha256};

use super::fixtures::repo_toml;

/// One labelled title. `date`, `source`, `file`, `stage` and `why` are the
/// provenance and the reader's notes; the code reads the rest.
#[derive(Debug, Clone, Deserialize)]
#[allow(dead_code)]
pub struct Wording {
    pub vendor: String,
    pub title: String,
    pub label: String,
    #[serde(default)]
    pub stage: Option<String>,
    pub date: String,
    pub source: String,
    #[serde(default)]
    pub file: Option<String>,
    #[serde(default)]
    pub heading: Option<String>,
    #[serde(default)]
    pub note_type: Option<String>,
    #[serde(default)]
    pub text: Option<String>,
    #[serde(default)]
    pub categories: Vec<String>,
    #[serde(default)]
    pub why: Option<String>,
}

impl Wording {
    /// The split key: "heading: title" for Google Cloud, the title otherwise.
    pub fn key(&self) -> String {
        match &self.heading {
            Some(h) => format!("{h}: {}", self.title),
            None => self.title.clone(),
        }
    }

    /// "tune" or "test", by the first hex digit of the key's SHA-256.
    pub fn split(&self) -> &'static str {
        let digest = Sha256::digest(self.key().as_bytes());
        if digest[0] >> 4 < 8 {
            "tune"
        } else {
            "test"
        }
    }

    /// Whether the reader labelled it a launch, preview, GA or retirement of an offering.
    pub fn is_launch(&self) -> bool {
        self.label == "launch"
    }
}

#[derive(Deserialize)]
struct WordingFile {
    titles: Vec<Wording>,
}

/// The labelled set.
pub fn wordings() -> Vec<Wording> {
    repo_toml::<WordingFile>("tests/data/launch_wording.toml").titles
}

fn esc(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// The entry as the vendor's feed would carry it, parsed by the crawl's adapter.
pub fn item(w: &Wording, n: usize) -> Item {
    let (vendor, bytes) = match w.vendor.as_str() {
        "aws" => {
            let cats = if w.categories.is_empty() {
                String::new()
            } else {
                format!("<category>{}</category>", esc(&w.categories.join(",")))
            };
            (
                Vendor::Aws,
                format!(
                    "<?xml version=\"1.0\"?><rss version=\"2.0\"><channel><title>What's New</title><link>https://aws.amazon.com/new/</link><description>AWS</description><item><title>{}</title><link>{}</link><guid>{n:040x}</guid><pubDate>Mon, 01 Jan 2024 12:00:00 GMT</pubDate>{cats}</item></channel></rss>",
                    esc(&w.title),
                    esc(&w.source)
                ),
            )
        }
        "azure" => {
            let cats: String = w
                .categories
                .iter()
                .map(|c| format!("<category>{}</category>", esc(c)))
                .collect();
            (
                Vendor::Azure,
                format!(
                    "<?xml version=\"1.0\"?><rss version=\"2.0\"><channel><title>Azure updates</title><item><guid isPermaLink=\"false\">{n}</guid><link>{}</link>{cats}<title>{}</title><pubDate>Mon, 01 Jan 2024 12:00:00 Z</pubDate></item></channel></rss>",
                    esc(&w.source),
                    esc(&w.title)
                ),
            )
        }
        "gcp" => {
            let html = format!(
                "<h2 class=\"release-note-product-title\">{}</h2><h3>{}</h3><p>{}</p>",
                esc(w.heading.as_deref().unwrap_or("Google Cloud")),
                esc(w.note_type.as_deref().unwrap_or("Feature")),
                esc(w.text.as_deref().unwrap_or(&w.title))
            );
            (
                Vendor::Gcp,
                format!(
                    "<?xml version=\"1.0\"?><feed xmlns=\"http://www.w3.org/2005/Atom\"><id>tag:google.com,2016:gcp-release-notes</id><title>Release notes</title><updated>2024-01-01T00:00:00Z</updated><entry><title>January 01, 2024</title><id>tag:google.com,2016:gcp-release-notes#n{n}</id><updated>2024-01-01T00:00:00Z</updated><link rel=\"alternate\" href=\"{}\"/><content type=\"html\">{}</content></entry></feed>",
                    esc(&w.source),
                    esc(&html)
                ),
            )
        }
        other => panic!("{}: unknown vendor {other}", w.title),
    };
    let ctx = ParseContext {
        source: "cloud",
        url: "https://example.org/changelog",
        now: "2026-12-01T00:00:00Z".parse().unwrap(),
    };
    let mut items = horizon::sources::cloud::parse(vendor, bytes.as_bytes(), &ctx)
        .unwrap_or_else(|e| panic!("{}: {e}", w.title));
    assert_eq!(items.len(), 1, "{}: one note", w.title);
    items.remove(0)
}

/// Whether the classifier makes the note a launch event.
pub fn says_launch(classifier: &Classifier, item: &Item) -> bool {
    let c = classifier.classify(item);
    c.relation == Some(Relation::Launch) || c.links.iter().any(|l| l.relation == Relation::Launch)
}

/// Launch precision and recall on one part of the set, and the disagreements.
#[derive(Debug, Default)]
pub struct LaunchScore {
    pub tp: usize,
    pub fp: usize,
    pub fn_: usize,
    pub launches: usize,
    pub lookalikes: usize,
    pub errors: Vec<String>,
}

impl LaunchScore {
    pub fn precision(&self) -> f64 {
        if self.tp + self.fp == 0 {
            1.0
        } else {
            self.tp as f64 / (self.tp + self.fp) as f64
        }
    }
    pub fn recall(&self) -> f64 {
        if self.tp + self.fn_ == 0 {
            1.0
        } else {
            self.tp as f64 / (self.tp + self.fn_) as f64
        }
    }
    /// One line of figures.
    pub fn line(&self, part: &str) -> String {
        format!(
            "launch wording ({part}) precision {:.3} recall {:.3} (tp {}, fp {}, fn {}; {} launches, {} look-alikes)",
            self.precision(),
            self.recall(),
            self.tp,
            self.fp,
            self.fn_,
            self.launches,
            self.lookalikes
        )
    }
}

/// Score the classifier on the entries of `part` ("tune" or "test").
pub fn score(classifier: &Classifier, part: &str) -> LaunchScore {
    let mut s = LaunchScore::default();
    for (n, w) in wordings().iter().enumerate() {
        if w.split() != part {
            continue;
        }
        let got = says_launch(classifier, &item(w, n));
        let want = w.is_launch();
        if want {
            s.launches += 1;
        } else {
            s.lookalikes += 1;
        }
        match (got, want) {
            (true, true) => s.tp += 1,
            (true, false) => s.fp += 1,
            (false, true) => s.fn_ += 1,
            (false, false) => {}
        }
        if got != want {
            s.errors.push(format!(
                "{} [{}] {} — labelled {}, classifier says {}",
                w.vendor,
                w.label,
                w.key(),
                if want { "launch" } else { "not a launch" },
                if got { "launch" } else { "not a launch" }
            ));
        }
    }
    s
}
