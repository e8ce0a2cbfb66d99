//! Stories: one event told by several documents.
//!
//! A What's New note and the News Blog post announcing the same launch, the
//! same release note in the combined and in a per-product feed, a paper and
//! the trending repository that names its arXiv id: each is a document of its
//! own (its source's), and together they are one **story**. The crawl gives
//! every new document a `story` id when it is first indexed ([`assign`]): the
//! story of the earliest document it joins, else its own id. A document keeps
//! its story for good (re-crawls and `reindex` carry it), so the id is stable.
//!
//! Two documents join when, within [`WINDOW_DAYS`] of each other, one of
//! these holds (each is read off the text; nothing is learned):
//!
//! 1. **the same paper or repository**: an arXiv id or a GitHub repository
//!    that one *is* and the other *names* (a repository whose description
//!    links `arxiv.org/abs/2401.01234`; an article about `github.com/o/n`);
//! 2. **the same text**: near-identical title and summary (word 3-shingles,
//!    Jaccard ≥ [`SAME_TEXT`]) and the same numbers in the title, so the
//!    Container-Optimized OS notes of two milestones, which differ only in
//!    the milestone, stay apart;
//! 3. **the same launch**: documents (not papers) whose titles share the launch's distinctive words — what is left of a
//!    title without launch wording ("Announcing", "now generally available"),
//!    vendor names and common words — at least two of them and at least
//!    [`SAME_LAUNCH`] of the shorter title's. Two features of one product
//!    share the product's name only, so they stay apart; two notes of one
//!    changelog never join this way (a changelog tells a launch once), nor
//!    does a roundup or digest (it names many launches).
//!
//! The rules are measured on a labelled set of story groups and look-alike
//! pairs (`tests/data/stories.toml`, `tests/integration/stories.rs`).

use std::collections::{BTreeSet, HashMap};

use jiff::Timestamp;

use crate::model::{Item, Kind};

/// Documents sharing one lookup key past which the key is ignored.
pub const MAX_POSTINGS: usize = 256;
/// Other documents of a story a listing (a search hit, a report item) names.
pub const MAX_ALSO: usize = 5;
/// How far apart in time two documents of one story may be, in days.
pub const WINDOW_DAYS: i64 = 14;
/// Jaccard of word 3-shingles above which two texts are the same text.
pub const SAME_TEXT: f64 = 0.8;
/// Share of the shorter title's distinctive words two launch titles share.
pub const SAME_LAUNCH: f64 = 0.6;
/// Share of distinctive title words two notes of one changelog share to be
/// one story.
pub const SAME_NOTE: f64 = 0.75;
/// Shingle hashes kept per document (a bottom-k MinHash sketch): texts of up
/// to this many shingles compare exactly, longer ones by estimate.
pub const SKETCH: usize = 48;

/// What a document offers for matching, computed once per document.
#[derive(Debug, Clone)]
pub struct Signature {
    /// The document's id.
    pub id: String,
    /// Its story, once it has one.
    pub story: Option<String>,
    source: String,
    kind: Kind,
    date: Option<Timestamp>,
    /// arXiv ids and repositories the document is.
    own: BTreeSet<String>,
    /// arXiv ids and repositories the document names.
    named: BTreeSet<String>,
    /// The smallest [`SKETCH`] hashes of the text's word 3-shingles.
    shingles: Vec<u64>,
    title_numbers: Vec<String>,
    /// What a release note's title says tells it apart from its
    /// look-alikes: `Product (qualifier): …` (a milestone, a channel).
    qualifier: Option<String>,
    title_words: BTreeSet<String>,
    /// The title announces a roundup or digest of several things.
    digest: bool,
    /// Dotted version numbers the text names (`1.33.5-gke.1080000`, `6.3.66`).
    versions: BTreeSet<String>,
    /// The cloud products the note is about.
    products: BTreeSet<String>,
}

impl Signature {
    /// The signature of `item`.
    pub fn of(item: &Item) -> Signature {
        let text = format!("{} {}", item.title, item.summary);
        let mut own = BTreeSet::new();
        match item.kind {
            Kind::Paper => {
                if let Some(id) = item.id.strip_prefix("arxiv:") {
                    own.insert(format!("arxiv:{}", strip_version(id)));
                }
            }
            Kind::Repo => {
                if let Some(repo) = item.id.strip_prefix("github:") {
                    own.insert(format!("github:{}", repo.to_ascii_lowercase()));
                }
            }
            _ => {}
        }
        let named = named_entities(&text)
            .into_iter()
            .filter(|e| !own.contains(e))
            .collect();
        Signature {
            id: item.id.clone(),
            story: item.story.clone(),
            source: item.source.clone(),
            kind: item.kind,
            date: item.date(),
            own,
            named,
            shingles: shingles(&text),
            title_numbers: numbers(&item.title),
            qualifier: qualifier(&item.title),
            title_words: distinctive_words(&item.title),
            digest: is_digest(&item.title),
            versions: versions(&text),
            products: item.products.iter().map(|p| p.to_lowercase()).collect(),
        }
    }

    /// Whether `self` and `other` tell one story (rules 1–3 of the module).
    pub fn same_story(&self, other: &Signature) -> bool {
        if self.id == other.id {
            return true;
        }
        if !within_window(self.date, other.date) {
            return false;
        }
        if self
            .own
            .iter()
            .any(|e| other.named.contains(e) || other.own.contains(e))
            || other.own.iter().any(|e| self.named.contains(e))
        {
            return true;
        }
        if self.may_be_same_text(other) && jaccard(&self.shingles, &other.shingles) >= SAME_TEXT {
            return true;
        }
        self.same_launch(other)
    }

    /// Rule 2's guard: look-alikes that say what tells them apart. Two
    /// qualified titles must have the same qualifier; two unqualified ones
    /// the same numbers (versions, milestones).
    fn may_be_same_text(&self, other: &Signature) -> bool {
        if self.versions != other.versions || !self.same_products(other) {
            return false;
        }
        // One changelog's identical notes on days apart are two events (a
        // pointer repeated weekly); copies come out within a day or two.
        if self.kind == Kind::Cloud
            && other.kind == Kind::Cloud
            && !within(self.date, other.date, 2)
        {
            return false;
        }
        match (&self.qualifier, &other.qualifier) {
            (Some(a), Some(b)) => a == b,
            (None, None) => self.title_numbers == other.title_numbers,
            _ => true,
        }
    }

    /// Two cloud notes name the same products (or one names none).
    fn same_products(&self, other: &Signature) -> bool {
        self.products.is_empty() || other.products.is_empty() || self.products == other.products
    }

    /// Rule 3: titles sharing the launch's distinctive words.
    fn same_launch(&self, other: &Signature) -> bool {
        // A paper and an article share words without sharing an event; a
        // roundup names many launches.
        if self.kind == Kind::Paper || other.kind == Kind::Paper || self.digest || other.digest {
            return false;
        }
        let shared = self.title_words.intersection(&other.title_words).count();
        let shorter = self.title_words.len().min(other.title_words.len());
        if shared < 2 || shorter == 0 {
            return false;
        }
        let share = shared as f64 / shorter as f64;
        if self.kind == Kind::Cloud && other.kind == Kind::Cloud {
            // One changelog tells a launch once: two of its notes are one
            // story only when they say the same thing of the same products
            // on the same days (a note repeated with a word changed).
            return self.source != other.source
                || (share >= SAME_NOTE && self.may_be_same_text(other));
        }
        share >= SAME_LAUNCH
    }

    /// Keys under which candidates are looked up: a match under any rule
    /// shares at least one of them.
    fn keys(&self) -> Vec<String> {
        let mut keys: Vec<String> = self.own.iter().chain(&self.named).cloned().collect();
        keys.extend(self.title_words.iter().map(|w| format!("w:{w}")));
        // Same text with no distinctive title word (a bare "Fixed …" note):
        // the first shingle stands in.
        if let Some(s) = self.shingles.first() {
            keys.push(format!("s:{s}"));
        }
        keys
    }
}

/// Give every item in `items` without a story one: the story of the first
/// earlier document it tells the same story as — among `known` (documents
/// already in the index, with their stories) and the items before it —
/// else its own id. Items are taken oldest first; an item that has a story
/// keeps it.
pub fn assign(items: &mut [Item], known: Vec<Signature>) {
    let mut assigner = Assigner::default();
    for sig in known {
        assigner.know(sig);
    }
    assigner.assign(items);
}

/// Stories given batch after batch against everything placed so far (a
/// `reindex` of documents that have none yet).
#[derive(Default)]
pub struct Assigner {
    pool: Pool,
}

impl Assigner {
    /// Place a document that already has its story.
    pub fn know(&mut self, sig: Signature) {
        self.pool.add(sig);
    }

    /// [`assign`] against everything placed so far; the batch is placed too.
    pub fn assign(&mut self, items: &mut [Item]) {
        assign_into(&mut self.pool, items);
    }
}

fn assign_into(pool: &mut Pool, items: &mut [Item]) {
    let mut order: Vec<usize> = (0..items.len()).collect();
    order.sort_by(|a, b| {
        let (x, y) = (&items[*a], &items[*b]);
        x.date().cmp(&y.date()).then_with(|| x.id.cmp(&y.id))
    });
    for i in order {
        let Some(item) = items.get_mut(i) else {
            continue;
        };
        let mut sig = Signature::of(item);
        if item.story.is_none() {
            let story = pool.story_of(&sig).unwrap_or_else(|| item.id.clone());
            item.story = Some(story);
        }
        sig.story = item.story.clone();
        pool.add(sig);
    }
}

/// Documents already placed, looked up by key.
#[derive(Default)]
struct Pool {
    sigs: Vec<Signature>,
    by_key: HashMap<String, Vec<usize>>,
}

impl Pool {
    fn add(&mut self, sig: Signature) {
        let at = self.sigs.len();
        for key in sig.keys() {
            self.by_key.entry(key).or_default().push(at);
        }
        self.sigs.push(sig);
    }

    /// The story of the earliest placed document `sig` matches. A key that
    /// more than [`MAX_POSTINGS`] documents share (a word every title of a
    /// feed has) says nothing about the story and is not looked up, so the
    /// cost per document stays bounded however large the batch.
    fn story_of(&self, sig: &Signature) -> Option<String> {
        let mut candidates: Vec<usize> = sig
            .keys()
            .iter()
            .filter_map(|k| self.by_key.get(k))
            .filter(|postings| postings.len() <= MAX_POSTINGS)
            .flatten()
            .copied()
            .collect();
        candidates.sort_unstable();
        candidates.dedup();
        candidates
            .into_iter()
            .filter_map(|at| self.sigs.get(at))
            .filter(|other| other.story.is_some() && sig.same_story(other))
            .min_by(|a, b| a.date.cmp(&b.date).then_with(|| a.id.cmp(&b.id)))
            .and_then(|other| other.story.clone())
    }
}

fn within_window(a: Option<Timestamp>, b: Option<Timestamp>) -> bool {
    within(a, b, WINDOW_DAYS)
}

/// Whether two dates are at most `days` apart (undated documents are
/// compared on their text alone).
fn within(a: Option<Timestamp>, b: Option<Timestamp>, days: i64) -> bool {
    match (a, b) {
        (Some(a), Some(b)) => {
            a.duration_since(b).abs() <= jiff::SignedDuration::from_hours(days * 24)
        }
        _ => true,
    }
}

/// Dotted version numbers in a text, lower-case.
fn versions(text: &str) -> BTreeSet<String> {
    static VERSION: std::sync::OnceLock<regex::Regex> = std::sync::OnceLock::new();
    let re = VERSION.get_or_init(|| {
        regex::Regex::new(r"\bv?\d+(?:\.\d+)+(?:[-+_.][0-9A-Za-z]+)*").expect("a valid regex")
    });
    re.find_iter(text)
        .map(|m| m.as_str().to_lowercase())
        .collect()
}

fn strip_version(arxiv_id: &str) -> &str {
    match arxiv_id.rfind('v') {
        Some(at) if at > 0 && arxiv_id[at + 1..].chars().all(|c| c.is_ascii_digit()) => {
            &arxiv_id[..at]
        }
        _ => arxiv_id,
    }
}

/// arXiv ids and GitHub repositories a text names.
fn named_entities(text: &str) -> BTreeSet<String> {
    static ARXIV: std::sync::OnceLock<regex::Regex> = std::sync::OnceLock::new();
    static GITHUB: std::sync::OnceLock<regex::Regex> = std::sync::OnceLock::new();
    let arxiv = ARXIV.get_or_init(|| {
        regex::Regex::new(r"(?i)(?:arxiv\.org/(?:abs|pdf)/|arxiv:\s?)(\d{4}\.\d{4,5})")
            .expect("a valid regex")
    });
    let github = GITHUB.get_or_init(|| {
        regex::Regex::new(r"(?i)github\.com/([A-Za-z0-9-]+)/([A-Za-z0-9_.-]+)")
            .expect("a valid regex")
    });
    let mut out = BTreeSet::new();
    for c in arxiv.captures_iter(text) {
        out.insert(format!("arxiv:{}", &c[1]));
    }
    for c in github.captures_iter(text) {
        let name = c[2].trim_end_matches(".git").trim_end_matches('.');
        out.insert(format!(
            "github:{}/{}",
            c[1].to_ascii_lowercase(),
            name.to_ascii_lowercase()
        ));
    }
    out
}

/// Lower-case words of a text (letters and digits; `-`, `_` and `.` inside
/// a word split it).
fn words(text: &str) -> impl Iterator<Item = String> + '_ {
    text.split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(str::to_lowercase)
}

/// The bottom-[`SKETCH`] hashes of a text's word 3-shingles, ascending.
fn shingles(text: &str) -> Vec<u64> {
    use std::hash::{Hash, Hasher};
    let words: Vec<String> = words(text).collect();
    let mut all = BTreeSet::new();
    for w in words.windows(3.min(words.len().max(1))) {
        let mut h = std::collections::hash_map::DefaultHasher::new();
        w.hash(&mut h);
        all.insert(h.finish());
    }
    all.into_iter().take(SKETCH).collect()
}

/// Jaccard of two texts from their sketches: of the smallest [`SKETCH`]
/// hashes of both, the share found in both (exact for short texts).
fn jaccard(a: &[u64], b: &[u64]) -> f64 {
    // Walk both ascending sketches at once, over the smallest SKETCH hashes
    // of their union.
    let (mut i, mut j, mut taken, mut both) = (0, 0, 0, 0);
    while taken < SKETCH {
        match (a.get(i), b.get(j)) {
            (Some(x), Some(y)) if x == y => {
                both += 1;
                i += 1;
                j += 1;
            }
            (Some(x), Some(y)) if x < y => i += 1,
            (Some(_), Some(_)) => j += 1,
            (Some(_), None) => i += 1,
            (None, Some(_)) => j += 1,
            (None, None) => break,
        }
        taken += 1;
    }
    if taken == 0 {
        return 0.0;
    }
    both as f64 / taken as f64
}

/// Titles of posts and notes that gather several things (a weekly roundup,
/// a client-library digest).
fn is_digest(title: &str) -> bool {
    let t = title.to_lowercase();
    [
        "roundup",
        "round-up",
        "digest",
        "recap",
        "and more",
        "this week",
        "what's new",
        "weekly",
    ]
    .iter()
    .any(|w| t.contains(w))
}

/// `Product (qualifier): …` → the qualifier (release notes, `gcp`).
fn qualifier(title: &str) -> Option<String> {
    let head = title.split_once(": ")?.0;
    let open = head.rfind(" (")?;
    head.get(open + 2..)?.strip_suffix(')').map(str::to_string)
}

fn numbers(title: &str) -> Vec<String> {
    words(title)
        .filter(|w| w.chars().any(|c| c.is_ascii_digit()))
        .collect()
}

/// Words that say nothing about which launch a title is about: launch
/// wording, vendors, and common English.
const NOT_DISTINCTIVE: &[&str] = &[
    "a",
    "about",
    "across",
    "additional",
    "adds",
    "all",
    "an",
    "and",
    "announcing",
    "as",
    "at",
    "availability",
    "available",
    "aws",
    "azure",
    "by",
    "can",
    "cloud",
    "for",
    "from",
    "ga",
    "general",
    "generally",
    "google",
    "how",
    "in",
    "introducing",
    "is",
    "it",
    "launch",
    "launched",
    "launches",
    "microsoft",
    "more",
    "new",
    "now",
    "of",
    "on",
    "or",
    "preview",
    "public",
    "regions",
    "region",
    "release",
    "released",
    "support",
    "supports",
    "the",
    "to",
    "today",
    "up",
    "use",
    "using",
    "we",
    "what",
    "with",
    "you",
    "your",
    "amazon",
    "announces",
    "announced",
    "introduces",
    "generally",
    "private",
    "beta",
];

fn distinctive_words(title: &str) -> BTreeSet<String> {
    words(title)
        .filter(|w| w.chars().count() > 1 && !NOT_DISTINCTIVE.contains(&w.as_str()))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn item(id: &str, source: &str, kind: Kind, title: &str, summary: &str, date: &str) -> Item {
        let mut i = Item::new(id, kind, source, title, "https://example.com/");
        i.summary = summary.into();
        i.published = Some(date.parse().expect("a date"));
        i
    }

    fn story_of(items: &[Item], id: &str) -> String {
        items
            .iter()
            .find(|i| i.id == id)
            .and_then(|i| i.story.clone())
            .expect("a story")
    }

    #[test]
    fn a_launch_note_and_its_blog_posts_are_one_story() {
        let mut items = vec![
            item(
                "aws:1",
                "aws-whats-new",
                Kind::Cloud,
                "Announcing Amazon CloudWatch Omni",
                "CloudWatch Omni brings metrics, logs and traces together.",
                "2026-09-22T10:00:00Z",
            ),
            item(
                "feed:1",
                "aws-news-blog",
                Kind::Article,
                "Introducing Amazon CloudWatch Omni: observability across clouds",
                "Today we launch Omni.",
                "2026-09-22T16:00:00Z",
            ),
            item(
                "aws:2",
                "aws-whats-new",
                Kind::Cloud,
                "Amazon CloudWatch now supports cross-account alarms",
                "Alarms across accounts.",
                "2026-09-23T10:00:00Z",
            ),
        ];
        assign(&mut items, Vec::new());
        assert_eq!(story_of(&items, "feed:1"), "aws:1");
        assert_eq!(
            story_of(&items, "aws:2"),
            "aws:2",
            "another feature of the product is another story"
        );
    }

    #[test]
    fn milestones_stay_apart_and_copies_join() {
        let cos = |id: &str, m: &str, src: &str| {
            item(
                id,
                src,
                Kind::Cloud,
                &format!("Container Optimized OS ({m}): Fixed CVE-2025-11494 in binutils-libs."),
                "Fixed CVE-2025-11494 in binutils-libs.",
                "2025-10-30T00:00:00Z",
            )
        };
        let mut items = vec![
            cos("gcp:1", "cos-121-18867-294-2", "gcp"),
            cos("gcp:2", "cos-113-18244-521-7", "gcp"),
            cos("gcp:3", "cos-121-18867-294-2", "gcp-cos"),
        ];
        assign(&mut items, Vec::new());
        assert_ne!(story_of(&items, "gcp:1"), story_of(&items, "gcp:2"));
        assert_eq!(story_of(&items, "gcp:3"), story_of(&items, "gcp:1"));
    }

    #[test]
    fn a_paper_and_the_repository_naming_it_are_one_story() {
        let mut items = vec![
            item(
                "arxiv:2604.01234v2",
                "arxiv",
                Kind::Paper,
                "Fast Things",
                "We make things fast.",
                "2026-04-20T00:00:00Z",
            ),
            item(
                "github:o/fast",
                "trending",
                Kind::Repo,
                "o/fast",
                "Code for https://arxiv.org/abs/2604.01234",
                "2026-04-25T00:00:00Z",
            ),
            item(
                "github:o/other",
                "trending",
                Kind::Repo,
                "o/other",
                "Fast things too",
                "2026-04-25T00:00:00Z",
            ),
        ];
        assign(&mut items, Vec::new());
        assert_eq!(story_of(&items, "github:o/fast"), "arxiv:2604.01234v2");
        assert_eq!(story_of(&items, "github:o/other"), "github:o/other");
    }

    #[test]
    fn known_stories_are_joined_and_kept_and_the_window_holds() {
        let mut old = item(
            "aws:1",
            "aws-whats-new",
            Kind::Cloud,
            "Announcing Amazon Aurora DSQL",
            "x",
            "2026-01-01T00:00:00Z",
        );
        old.story = Some("story-of-old".into());
        let known = vec![Signature::of(&old)];
        let mut items = vec![
            item(
                "feed:1",
                "blog",
                Kind::Article,
                "Amazon Aurora DSQL deep dive",
                "y",
                "2026-01-05T00:00:00Z",
            ),
            item(
                "feed:2",
                "blog",
                Kind::Article,
                "Amazon Aurora DSQL a year later",
                "z",
                "2027-01-05T00:00:00Z",
            ),
        ];
        let mut kept = item(
            "feed:3",
            "blog",
            Kind::Article,
            "Unrelated",
            "w",
            "2026-01-05T00:00:00Z",
        );
        kept.story = Some("mine".into());
        items.push(kept);
        assign(&mut items, known);
        assert_eq!(story_of(&items, "feed:1"), "story-of-old");
        assert_eq!(story_of(&items, "feed:2"), "feed:2", "outside the window");
        assert_eq!(story_of(&items, "feed:3"), "mine");
    }
}
