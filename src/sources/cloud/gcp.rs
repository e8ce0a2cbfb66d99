//! Google Cloud release notes (Atom): one entry per day, split into one item
//! per *note*.
//!
//! An entry's HTML content is a run of `<h2 class="release-note-product-title">`
//! product headings, each followed by notes: an `<h3>` naming the note type
//! (Feature, Changed, Fixed, Security, Deprecated, Breaking, Announcement,
//! Issue, Libraries, or a GKE channel such as "Rapid channel") and the
//! paragraphs, lists and tables up to the next `<h3>` type heading or `<h2>`.
//! The feed repeats the `<h3>` for every note, so "(product, type) section"
//! and "note" are the same thing: each becomes one item. `<h3>`s with
//! attributes (`id="cos-117-…"` version headings, `track-name="java"` library
//! tracks) are sub-headings inside a note, not note types.
//!
//! A per-product feed (`bigquery-release-notes.xml`, GKE's channel feeds,
//! security bulletins) has the same entries without the `<h2>`: its notes
//! are about the product the source's `product` key names
//! ([`parse_with_product`]), else about "Google Cloud".
//!
//! Ids are `gcp:<hash(entry id, product, type, n)>` where `n` counts the notes
//! of that product and type within the entry: stable across runs, and an
//! edited note keeps its id (a text hash would leave the old text behind as a
//! second document).

use std::collections::HashMap;

use scraper::{ElementRef, Html, Node};

use super::{says_availability, says_deprecation, says_new_service, says_price};
use crate::model::{Item, Kind, Stage, Vendor};
use crate::sources::feed::{entry_link, parse_feed, MAX_SUMMARY_CHARS};
use crate::sources::{from_chrono, ParseContext, ParseError};
use crate::text::{
    clean_line, html_to_text, nesting_depth, stable_hash, truncate_words, MAX_HTML_DEPTH,
};

/// Note types Google Cloud uses as `<h3>` headings.
const NOTE_TYPES: &[&str] = &[
    "feature",
    "changed",
    "fixed",
    "security",
    "deprecated",
    "breaking",
    "announcement",
    "issue",
    "libraries",
    "non-breaking",
];
/// Product used when notes appear before any product heading.
const UNKNOWN_PRODUCT: &str = "Google Cloud";
/// Note type used when text appears under a product before any type heading.
const UNTYPED: &str = "Note";
/// Longest title text after "<Product>: ", in characters.
const MAX_TITLE_CHARS: usize = 120;
/// Longest qualifier in a title's "<Product> (<qualifier>): ", in characters.
const MAX_QUALIFIER_CHARS: usize = 40;

/// One note of one product within one day's entry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Note {
    /// The product heading.
    pub product: String,
    /// The `<h3>` note type ("Feature", "Rapid channel", …).
    pub note_type: String,
    /// Plain text of the note.
    pub text: String,
    /// The sub-heading the note sits under, if any: a Container-Optimized
    /// OS milestone (`cos-121-18867-294-2`), a library track (`Java`), a
    /// release (`hybrid v1.15.1`). Notes that differ only in it are
    /// different notes, so the title carries it.
    pub section: Option<String>,
}

impl Note {
    /// What tells this note apart from its look-alikes under the same
    /// product: its section, else a GKE release channel (a note type).
    pub fn qualifier(&self) -> Option<&str> {
        self.section.as_deref().or_else(|| {
            self.note_type
                .to_ascii_lowercase()
                .ends_with(" channel")
                .then_some(self.note_type.as_str())
        })
    }
}

enum Event {
    Product(String),
    NoteType(String),
    /// A sub-heading (an `<h3>` that names no note type).
    Section(String),
    Text(String),
}

/// Whether an `<h3>` names a note type (rather than being a sub-heading).
fn is_note_type(el: ElementRef<'_>, text: &str) -> bool {
    let lower = text.to_ascii_lowercase();
    NOTE_TYPES.contains(&lower.as_str())
        || lower.ends_with(" channel")
        || (el.value().attrs().next().is_none() && !text.is_empty() && text.chars().count() <= 40)
}

fn contains_heading(el: ElementRef<'_>) -> bool {
    el.descendants()
        .filter_map(ElementRef::wrap)
        .any(|d| matches!(d.value().name(), "h2" | "h3"))
}

/// The entry's events in document order. Elements that hold a heading are
/// opened (their children walked); any other element is one text event. The
/// walk keeps its own stack of child iterators, so nesting costs heap, never
/// call stack (#28).
fn walk(root: ElementRef<'_>, out: &mut Vec<Event>) {
    let mut stack = vec![root.children()];
    while let Some(children) = stack.last_mut() {
        let Some(child) = children.next() else {
            stack.pop();
            continue;
        };
        match child.value() {
            Node::Text(t) => out.push(Event::Text(t.to_string())),
            Node::Element(e) => {
                let Some(el) = ElementRef::wrap(child) else {
                    continue;
                };
                match e.name() {
                    "h2" => out.push(Event::Product(clean_line(&el.text().collect::<String>()))),
                    "h3" => {
                        let text = clean_line(&el.text().collect::<String>());
                        if is_note_type(el, &text) {
                            out.push(Event::NoteType(text));
                        } else {
                            out.push(Event::Section(text.clone()));
                            out.push(Event::Text(format!(" {text} ")));
                        }
                    }
                    "script" | "style" | "template" => {}
                    _ if contains_heading(el) => stack.push(el.children()),
                    _ => out.push(Event::Text(format!(" {} ", html_to_text(&el.html())))),
                }
            }
            _ => {}
        }
    }
}

/// Split one entry's HTML into notes, in document order. Notes without text
/// are dropped.
pub fn split_notes(html: &str) -> Vec<Note> {
    split_notes_of(html, UNKNOWN_PRODUCT)
}

/// [`split_notes`], notes before any product heading being about `product`.
pub fn split_notes_of(html: &str, product: &str) -> Vec<Note> {
    let mut events = Vec::new();
    if nesting_depth(html) > MAX_HTML_DEPTH {
        // Markup no release note has: its text, as one note, without a tree
        // (html_to_text counts it for the crawl's warning).
        events.push(Event::Text(html_to_text(html)));
    } else {
        walk(Html::parse_fragment(html).root_element(), &mut events);
    }
    let mut notes = Vec::new();
    let default = product;
    let mut open = OpenNote::default();
    let mut product: Option<String> = None;
    let mut section: Option<String> = None;
    for ev in events {
        match ev {
            Event::Product(p) => {
                open.flush(default, &product, &mut notes);
                product = Some(p).filter(|p| !p.is_empty());
                section = None;
                open = OpenNote::default();
            }
            Event::NoteType(t) => {
                open.flush(default, &product, &mut notes);
                open = OpenNote {
                    note_type: Some(t),
                    section: section.clone(),
                    text: String::new(),
                };
            }
            Event::Section(s) => {
                section = Some(s.clone()).filter(|s| !s.is_empty());
                // A sub-heading before any text of the note is the note's.
                if clean_line(&open.text).is_empty() {
                    open.section = section.clone();
                }
            }
            Event::Text(t) => open.text.push_str(&t),
        }
    }
    open.flush(default, &product, &mut notes);
    notes
}

/// The note being read: its type and section, and its text so far.
#[derive(Default)]
struct OpenNote {
    note_type: Option<String>,
    section: Option<String>,
    text: String,
}

impl OpenNote {
    /// Close the note (if it has text) into `notes`.
    fn flush(&mut self, default: &str, product: &Option<String>, notes: &mut Vec<Note>) {
        let text = clean_line(&self.text);
        self.text.clear();
        if !text.is_empty() {
            notes.push(Note {
                product: product.clone().unwrap_or_else(|| default.to_string()),
                note_type: self
                    .note_type
                    .clone()
                    .unwrap_or_else(|| UNTYPED.to_string()),
                text,
                section: self.section.clone(),
            });
        }
    }
}

/// The stage of a note from its type and text:
///
/// - Deprecated, Breaking → deprecation;
/// - Feature → ga if it says "generally available"/"(GA)"; preview if it
///   says "preview"/"beta"; region if it announces availability in a region;
///   otherwise update (a feature of an existing product is an update, not a
///   new product);
/// - Announcement (and untyped text) → deprecation wording ("deprecated",
///   "shut down", "end of support", "retire…") first, then ga, preview,
///   region, price, and new when it introduces a new product or service;
///   otherwise update;
/// - Changed, Fixed, Security, Issue, Libraries, GKE channels and anything
///   else → update (GKE's "Changed" version notes routinely say versions are
///   "no longer available"; that is a rollout, not a deprecation).
pub fn stage(note_type: &str, text: &str) -> Stage {
    let t = note_type.to_ascii_lowercase();
    let deprecation = || {
        says_deprecation(text)
            || text.contains("shut down")
            || text.contains("shutdown")
            || text.contains("Shut down")
    };
    match t.as_str() {
        "deprecated" | "breaking" => Stage::Deprecation,
        "feature" => says_availability(text).unwrap_or(Stage::Update),
        "announcement" | "note" => {
            if deprecation() {
                Stage::Deprecation
            } else if let Some(stage) = says_availability(text) {
                stage
            } else if says_price(text) {
                Stage::Price
            } else if says_new_service(text) {
                Stage::New
            } else {
                Stage::Update
            }
        }
        _ => Stage::Update,
    }
}

/// The first sentence of a note (at least 20 characters), for its title.
fn first_sentence(text: &str) -> &str {
    let mut from = 0;
    while let Some(pos) = text.get(from..).and_then(|rest| rest.find(". ")) {
        let end = from + pos + 1;
        if end >= 20 {
            return text.get(..end).unwrap_or(text);
        }
        from = end;
    }
    text
}

/// Parse the release notes feed into one item per note.
pub fn parse(bytes: &[u8], ctx: &ParseContext<'_>) -> Result<Vec<Item>, ParseError> {
    parse_with_product(bytes, ctx, None)
}

/// [`parse`] for a feed whose notes without a product heading are about
/// `product` (a per-product feed).
pub fn parse_with_product(
    bytes: &[u8],
    ctx: &ParseContext<'_>,
    product: Option<&str>,
) -> Result<Vec<Item>, ParseError> {
    let default_product = product
        .map(str::trim)
        .filter(|p| !p.is_empty())
        .unwrap_or(UNKNOWN_PRODUCT);
    let feed = parse_feed(bytes, ctx)?;
    let mut items: Vec<Item> = Vec::new();
    for entry in &feed.entries {
        let html = entry
            .content
            .as_ref()
            .and_then(|c| c.body.as_deref())
            .or_else(|| entry.summary.as_ref().map(|s| s.content.as_str()))
            .unwrap_or("");
        let link = entry_link(entry).unwrap_or_else(|| ctx.url.to_string());
        let entry_key = if entry.id.trim().is_empty() {
            entry
                .title
                .as_ref()
                .map(|t| t.content.clone())
                .unwrap_or_else(|| link.clone())
        } else {
            entry.id.trim().to_string()
        };
        let date = entry.published.or(entry.updated).and_then(from_chrono);
        let updated = entry.updated.and_then(from_chrono);
        let mut seen: HashMap<(String, String), usize> = HashMap::new();
        for note in split_notes_of(html, default_product) {
            let n = seen
                .entry((note.product.clone(), note.note_type.clone()))
                .or_insert(0);
            let ordinal = *n;
            *n += 1;
            let id = format!(
                "gcp:{}",
                stable_hash(&[
                    &entry_key,
                    &note.product,
                    &note.note_type,
                    &ordinal.to_string()
                ])
            );
            let heading = match note.qualifier() {
                Some(q) => format!(
                    "{} ({})",
                    note.product,
                    truncate_words(q, MAX_QUALIFIER_CHARS)
                ),
                None => note.product.clone(),
            };
            let title = format!(
                "{heading}: {}",
                truncate_words(first_sentence(&note.text), MAX_TITLE_CHARS)
            );
            let mut item = Item::new(id, Kind::Cloud, ctx.source, title, link.clone());
            item.vendor = Some(Vendor::Gcp);
            item.stage = Some(stage(&note.note_type, &note.text));
            item.summary = truncate_words(&note.text, MAX_SUMMARY_CHARS);
            item.products = vec![note.product.clone()];
            item.categories = vec![note.note_type.clone()];
            item.published = date;
            item.updated = updated;
            items.push(item);
        }
    }
    Ok(items)
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::super::test_util::{check_items, ctx};
    use super::*;
    use crate::sources::test_support::fixture;

    const FIXTURE: &str = "cloud-gcp/gcp-release-notes_all-products_2025-11-05.xml";

    #[test]
    fn splits_products_and_note_types() {
        let html = r##"<h2 class="release-note-product-title">BigQuery</h2>
<h3>Feature</h3><p>You can use X. This feature is <a href="#">generally available</a> (GA).</p>
<h3>Feature</h3><p>Y is in <a href="#">Preview</a>.</p>
<h2 class="release-note-product-title">Container Optimized OS</h2>
<h3>Changed</h3><h3 id="cos-117">cos-117 <a id="x"></a></h3><table><tr><td>Kernel</td></tr></table>
<h3>Fixed</h3><p>Fixed bcache.</p><h3>Security</h3>
<div><h3>Deprecated</h3><p>Old thing is deprecated.</p></div>"##;
        let notes = split_notes(html);
        let got: Vec<(&str, &str)> = notes
            .iter()
            .map(|n| (n.product.as_str(), n.note_type.as_str()))
            .collect();
        assert_eq!(
            got,
            [
                ("BigQuery", "Feature"),
                ("BigQuery", "Feature"),
                ("Container Optimized OS", "Changed"),
                ("Container Optimized OS", "Fixed"),
                ("Container Optimized OS", "Deprecated"),
            ]
        );
        assert_eq!(
            notes[0].text,
            "You can use X. This feature is generally available (GA)."
        );
        assert_eq!(notes[2].text, "cos-117 Kernel");
        assert_eq!(stage(&notes[0].note_type, &notes[0].text), Stage::Ga);
        assert_eq!(stage(&notes[1].note_type, &notes[1].text), Stage::Preview);
        assert!(split_notes("").is_empty());
        assert_eq!(split_notes("<p>orphan</p>")[0].product, UNKNOWN_PRODUCT);
    }

    /// A per-product feed derived from the combined capture: each day's
    /// entry keeps only `product`'s section, without its `<h2>`, under the
    /// per-product feed's ids (the shape of `bigquery-release-notes.xml`).
    fn per_product_feed(combined: &str, product: &str, slug: &str) -> String {
        const H2: &str = "<h2 class=\"release-note-product-title\">";
        let mut out = String::new();
        let mut rest = combined;
        let head_end = rest.find("<entry>").unwrap();
        out.push_str(&rest[..head_end].replace("gcp-release-notes", slug));
        rest = &rest[head_end..];
        while let Some(start) = rest.find("<entry>") {
            let end = rest[start..].find("</entry>").unwrap() + start + "</entry>".len();
            let entry = &rest[start..end];
            rest = &rest[end..];
            let open = entry.find("<![CDATA[").unwrap() + "<![CDATA[".len();
            let close = entry.find("]]>").unwrap();
            let heading = format!("{H2}{product}</h2>");
            let Some(section) = entry[open..close].split(H2).find_map(|s| {
                format!("{H2}{s}")
                    .strip_prefix(&heading)
                    .map(str::to_string)
            }) else {
                continue;
            };
            out.push_str(&entry[..open].replace("gcp-release-notes", slug));
            out.push_str(&section);
            out.push_str(&entry[close..]);
            out.push('\n');
        }
        out.push_str("</feed>\n");
        out
    }

    // Guards the per-product form: entries without `<h2>` take the source's
    // `product`, with the same notes, types and stages as in the combined feed.
    #[test]
    #[ignore = "needs ../shared/fixtures (set HORIZON_FIXTURES)"]
    fn per_product_feed_takes_the_product_key() {
        let bytes = fixture(FIXTURE).expect("the Google Cloud fixture");
        let combined = String::from_utf8(bytes.clone()).unwrap();
        let feed = per_product_feed(&combined, "BigQuery", "bigquery-release-notes");
        assert!(!feed.contains("release-note-product-title"));
        assert!(feed.contains("tag:google.com,2016:bigquery-release-notes#November_05_2025"));
        let all = parse(&bytes, &ctx()).unwrap();
        let want: Vec<&Item> = all.iter().filter(|i| i.products == ["BigQuery"]).collect();
        assert!(want.len() >= 10, "{} BigQuery notes", want.len());

        let items = parse_with_product(feed.as_bytes(), &ctx(), Some("BigQuery")).unwrap();
        check_items(Vendor::Gcp, &items);
        assert_eq!(items.len(), want.len());
        for (got, want) in items.iter().zip(&want) {
            assert_eq!(got.products, ["BigQuery"]);
            assert_eq!(
                (&got.title, &got.categories, got.stage, got.published),
                (&want.title, &want.categories, want.stage, want.published)
            );
        }
        // Without the key the notes are filed under "Google Cloud".
        let unnamed = parse(feed.as_bytes(), &ctx()).unwrap();
        assert!(unnamed.iter().all(|i| i.products == [UNKNOWN_PRODUCT]));
        assert!(unnamed[0]
            .title
            .starts_with("Google Cloud: You can use the MATCH_RECOGNIZE"));
        // The dispatch used by a source with `product = "BigQuery"`.
        let via =
            super::super::parse_product(Vendor::Gcp, Some("BigQuery"), feed.as_bytes(), &ctx())
                .unwrap();
        assert_eq!(via, items);
    }

    #[test]
    fn note_stages() {
        assert_eq!(stage("Feature", "You can now filter rows."), Stage::Update);
        assert_eq!(
            stage(
                "Feature",
                "Cloud Run is now available in the following regions: us-east5."
            ),
            Stage::Region
        );
        assert_eq!(stage("Breaking", "Anything."), Stage::Deprecation);
        assert_eq!(
            stage(
                "Announcement",
                "The Apigee Classic UI shutdown is complete."
            ),
            Stage::Deprecation
        );
        assert_eq!(
            stage(
                "Announcement",
                "Announcing the General Availability (GA) of Lightning Engine."
            ),
            Stage::Ga
        );
        assert_eq!(stage("Fixed", "Fixed a deprecated call."), Stage::Update);
        assert_eq!(
            stage("Changed", "Version 1.30 is no longer available."),
            Stage::Update
        );
        assert_eq!(
            stage(
                "Feature",
                "Agent assist offers AI coach in GA. Available in all regions."
            ),
            Stage::Ga
        );
        assert_eq!(
            stage("Rapid channel", "Version 1.34 is now available."),
            Stage::Update
        );
    }

    #[test]
    fn first_sentences() {
        assert_eq!(
            first_sentence("Short. Then a longer sentence follows. Rest."),
            "Short. Then a longer sentence follows."
        );
        assert_eq!(first_sentence("No period at all"), "No period at all");
        assert_eq!(first_sentence(""), "");
    }

    #[test]
    #[ignore = "needs ../shared/fixtures (set HORIZON_FIXTURES)"]
    fn release_notes_2025() {
        let Some(bytes) = fixture(FIXTURE) else {
            return;
        };
        let items = parse(&bytes, &ctx()).unwrap();
        check_items(Vendor::Gcp, &items);
        let text = String::from_utf8_lossy(&bytes);
        // One item per note-type heading (sub-headings carry attributes).
        assert_eq!(
            items.len(),
            text.matches("<h3>").count(),
            "every <h3> note becomes one item"
        );
        assert_eq!(items.len(), 920);
        let mut products: Vec<&str> = items.iter().map(|i| i.products[0].as_str()).collect();
        products.sort_unstable();
        products.dedup();
        assert!(products.contains(&"BigQuery"));
        let first = &items[0];
        assert_eq!(first.products, ["BigQuery"]);
        assert_eq!(first.categories, ["Feature"]);
        assert_eq!(first.stage, Some(Stage::Ga));
        assert!(
            first
                .title
                .starts_with("BigQuery: You can use the MATCH_RECOGNIZE clause"),
            "{}",
            first.title
        );
        assert_eq!(
            first.url,
            "https://docs.cloud.google.com/release-notes#November_05_2025"
        );
        assert_eq!(
            first.published.map(|t| t.to_string()).as_deref(),
            Some("2025-11-05T08:00:00Z")
        );
        let composer = items
            .iter()
            .find(|i| i.products == ["Cloud Composer"] && i.categories == ["Announcement"])
            .unwrap();
        assert_eq!(composer.stage, Some(Stage::Update));
        let lightning = items
            .iter()
            .find(|i| {
                i.summary
                    .starts_with("Announcing the General Availability (GA) of Lightning Engine")
            })
            .unwrap();
        assert_eq!(lightning.stage, Some(Stage::Ga));
        let apigee = items
            .iter()
            .find(|i| i.summary.contains("Apigee Classic UI shutdown is complete"))
            .unwrap();
        assert_eq!(apigee.stage, Some(Stage::Deprecation));
        assert!(items
            .iter()
            .filter(|i| i.categories == ["Deprecated"])
            .all(|i| i.stage == Some(Stage::Deprecation)));
        assert!(items.iter().all(|i| i.title.chars().count()
            <= i.products[0].chars().count()
                + 3
                + MAX_QUALIFIER_CHARS
                + 2
                + 2
                + MAX_TITLE_CHARS
                + 1));
        // Look-alikes say what tells them apart (a milestone, a channel).
        let cve: Vec<&str> = items
            .iter()
            .filter(|i| i.summary == "Fixed CVE-2025-11494 in binutils-libs.")
            .map(|i| i.title.as_str())
            .collect();
        assert_eq!(cve.len(), 5, "{cve:?}");
        assert!(cve.contains(
            &"Container Optimized OS (cos-121-18867-294-2): Fixed CVE-2025-11494 in binutils-libs."
        ));
        let distinct: std::collections::BTreeSet<&&str> = cve.iter().collect();
        assert_eq!(distinct.len(), 5, "{cve:?}");
        assert!(items.iter().any(|i| i
            .title
            .starts_with("Google Kubernetes Engine (Rapid channel): ")));
        let again = parse(&bytes, &ctx()).unwrap();
        assert_eq!(
            items.iter().map(|i| &i.id).collect::<Vec<_>>(),
            again.iter().map(|i| &i.id).collect::<Vec<_>>()
        );
    }
}
