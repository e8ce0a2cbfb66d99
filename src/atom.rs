//! Atom documents (RFC 4287) as horizon writes them: a small model of a
//! feed and its entries, and [`write`], which turns it into XML with
//! quick-xml — every text and attribute escaped by the writer, never by
//! string formatting, and characters XML 1.0 cannot carry (the C0 controls a
//! hostile feed may hold, unpaired surrogates' stand-ins, U+FFFE/U+FFFF)
//! dropped, so the output is well-formed whatever the index holds.
//!
//! What the feeds say (which documents, events or weeks) lives in
//! [`crate::feeds`]; this module only knows the format:
//!
//! - every entry has exactly one `id`, `title` and `updated`, and either an
//!   `alternate` link or a `content` element (RFC 4287 §4.1.2);
//! - the feed has exactly one `id`, `title` and `updated`, and an `author`
//!   (horizon) so that no entry lacks one (§4.1.1);
//! - horizon's own elements (`horizon:score` …) live in the namespace
//!   [`HORIZON_NS`], declared on the root element (§6.4 foreign markup).

use std::io::Cursor;

use jiff::Timestamp;
use quick_xml::events::{BytesDecl, BytesEnd, BytesStart, BytesText, Event};
use quick_xml::Writer;

/// The Atom namespace.
pub const ATOM_NS: &str = "http://www.w3.org/2005/Atom";
/// The namespace of horizon's extension elements (`horizon:score`,
/// `horizon:event`, `horizon:documents`). A name, not a page: it never
/// changes, so a reader may key on it.
pub const HORIZON_NS: &str = "https://horizon-infra.github.io/ns/feed/1";
/// The prefix [`HORIZON_NS`] is declared with.
pub const HORIZON_PREFIX: &str = "horizon";
/// The start of every id horizon writes: a `tag:` URI (RFC 4151) of the
/// project's domain, so ids never depend on where a feed is served from.
pub const TAG_PREFIX: &str = "tag:horizon-infra.github.io,2026:";
/// The Content-Type of an Atom document.
pub const CONTENT_TYPE: &str = "application/atom+xml; charset=utf-8";

/// A `tag:` URI of horizon for `parts`, joined with `:`; each part
/// percent-encoded so that any document id or name makes a valid URI.
pub fn tag_uri(parts: &[&str]) -> String {
    let mut out = String::from(TAG_PREFIX);
    for (n, p) in parts.iter().enumerate() {
        if n > 0 {
            out.push(':');
        }
        encode_into(&mut out, p);
    }
    out
}

/// Percent-encode everything but the characters a `tag:` URI's specific
/// part may hold as they are (RFC 4151 `pchar` and `/`), `:` included
/// only where [`tag_uri`] puts it.
fn encode_into(out: &mut String, text: &str) {
    for b in text.bytes() {
        let keep = b.is_ascii_alphanumeric()
            || matches!(
                b,
                b'-' | b'.'
                    | b'_'
                    | b'~'
                    | b'/'
                    | b'@'
                    | b'!'
                    | b'$'
                    | b'&'
                    | b'\''
                    | b'('
                    | b')'
                    | b'*'
                    | b'+'
                    | b','
                    | b';'
                    | b'='
            );
        if keep {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
}

/// A link (`atom:link`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Link {
    /// Where it points.
    pub href: String,
    /// `alternate`, `self`, `related`…
    pub rel: &'static str,
    /// The media type of what it points at, when known.
    pub media_type: Option<&'static str>,
    /// A title for people.
    pub title: Option<String>,
}

impl Link {
    /// A link of `rel` to `href`.
    pub fn new(rel: &'static str, href: impl Into<String>) -> Link {
        Link {
            href: href.into(),
            rel,
            media_type: None,
            title: None,
        }
    }

    /// With a media type.
    pub fn typed(mut self, media_type: &'static str) -> Link {
        self.media_type = Some(media_type);
        self
    }
}

/// A person (`atom:author`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Person {
    /// The name.
    pub name: String,
    /// A page of the person, when known.
    pub uri: Option<String>,
}

impl Person {
    /// A person of that name.
    pub fn named(name: impl Into<String>) -> Person {
        Person {
            name: name.into(),
            uri: None,
        }
    }
}

/// A category (`atom:category`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Category {
    /// The term.
    pub term: String,
    /// The vocabulary it comes from.
    pub scheme: Option<String>,
    /// A label for people.
    pub label: Option<String>,
}

/// One of horizon's extension elements, in [`HORIZON_NS`].
#[derive(Clone, Debug, PartialEq)]
pub enum Extension {
    /// `<horizon:score>1.234</horizon:score>`: how well the entry matches
    /// what the feed asks for (higher is better within one feed).
    Score(f64),
    /// `<horizon:documents>N</horizon:documents>`: documents a week holds.
    Documents(u64),
    /// `<horizon:event kind="…" …/>`: what a landscape event did.
    Event(Vec<(&'static str, String)>),
}

/// One entry (`atom:entry`).
#[derive(Clone, Debug, PartialEq)]
pub struct Entry {
    /// A stable, absolute IRI.
    pub id: String,
    /// The title, plain text.
    pub title: String,
    /// When the entry last changed.
    pub updated: Timestamp,
    /// When it was first published, when known.
    pub published: Option<Timestamp>,
    /// Its links.
    pub links: Vec<Link>,
    /// A summary, plain text.
    pub summary: Option<String>,
    /// Its content, plain text (written when it has no alternate link).
    pub content: Option<String>,
    /// Its authors.
    pub authors: Vec<Person>,
    /// Its categories.
    pub categories: Vec<Category>,
    /// horizon's elements.
    pub extensions: Vec<Extension>,
}

/// A feed (`atom:feed`).
#[derive(Clone, Debug, PartialEq)]
pub struct Feed {
    /// A stable, absolute IRI.
    pub id: String,
    /// The title, plain text.
    pub title: String,
    /// A subtitle, plain text.
    pub subtitle: Option<String>,
    /// The newest `updated` of its entries, else when it was made.
    pub updated: Timestamp,
    /// Its links (`self`, `alternate`).
    pub links: Vec<Link>,
    /// Its authors.
    pub authors: Vec<Person>,
    /// Its entries, in the order shown.
    pub entries: Vec<Entry>,
}

/// An Atom document that could not be written (only an I/O failure of the
/// in-memory buffer, which does not happen, or a bug).
#[derive(Debug, thiserror::Error)]
#[error("writing the Atom feed: {0}")]
pub struct AtomError(#[from] std::io::Error);

/// An RFC 3339 date in UTC to the second (`2026-11-20T08:00:00Z`).
pub fn date(t: Timestamp) -> String {
    t.strftime("%Y-%m-%dT%H:%M:%SZ").to_string()
}

/// Whether XML 1.0 can carry `c` (its `Char` production).
fn is_xml_char(c: char) -> bool {
    matches!(c, '\u{9}' | '\u{A}' | '\u{D}' | '\u{20}'..='\u{D7FF}' | '\u{E000}'..='\u{FFFD}' | '\u{10000}'..='\u{10FFFF}')
}

/// `text` without the characters XML cannot carry and the ones that must
/// never reach a reader (terminal escapes, bidi overrides: [`crate::text::is_unsafe_char`]).
pub fn xml_safe(text: &str) -> String {
    text.chars()
        .filter(|c| is_xml_char(*c) && !crate::text::is_unsafe_char(*c))
        .collect()
}

/// The XML writer with the helpers the elements need.
struct Out {
    w: Writer<Cursor<Vec<u8>>>,
}

impl Out {
    fn start(&mut self, name: &str, attrs: &[(&str, &str)]) -> Result<(), AtomError> {
        let mut tag = BytesStart::new(name);
        for (k, v) in attrs {
            tag.push_attribute((*k, xml_safe(v).as_str()));
        }
        Ok(self.w.write_event(Event::Start(tag))?)
    }

    fn end(&mut self, name: &str) -> Result<(), AtomError> {
        Ok(self.w.write_event(Event::End(BytesEnd::new(name)))?)
    }

    fn empty(&mut self, name: &str, attrs: &[(&str, &str)]) -> Result<(), AtomError> {
        let mut tag = BytesStart::new(name);
        for (k, v) in attrs {
            tag.push_attribute((*k, xml_safe(v).as_str()));
        }
        Ok(self.w.write_event(Event::Empty(tag))?)
    }

    /// `<name attrs…>text</name>`.
    fn text(&mut self, name: &str, attrs: &[(&str, &str)], text: &str) -> Result<(), AtomError> {
        self.start(name, attrs)?;
        let safe = xml_safe(text);
        self.w.write_event(Event::Text(BytesText::new(&safe)))?;
        self.end(name)
    }

    fn link(&mut self, l: &Link) -> Result<(), AtomError> {
        let mut attrs = vec![("rel", l.rel), ("href", l.href.as_str())];
        if let Some(t) = l.media_type {
            attrs.push(("type", t));
        }
        if let Some(t) = l.title.as_deref() {
            attrs.push(("title", t));
        }
        self.empty("link", &attrs)
    }

    fn person(&mut self, p: &Person) -> Result<(), AtomError> {
        self.start("author", &[])?;
        self.text("name", &[], &p.name)?;
        if let Some(uri) = p.uri.as_deref() {
            self.text("uri", &[], uri)?;
        }
        self.end("author")
    }

    fn category(&mut self, c: &Category) -> Result<(), AtomError> {
        let mut attrs = vec![("term", c.term.as_str())];
        if let Some(s) = c.scheme.as_deref() {
            attrs.push(("scheme", s));
        }
        if let Some(l) = c.label.as_deref() {
            attrs.push(("label", l));
        }
        self.empty("category", &attrs)
    }

    fn extension(&mut self, x: &Extension) -> Result<(), AtomError> {
        match x {
            Extension::Score(s) => {
                let s = if s.is_finite() { *s } else { 0.0 };
                self.text("horizon:score", &[], &format!("{s:.4}"))
            }
            Extension::Documents(n) => self.text("horizon:documents", &[], &n.to_string()),
            Extension::Event(attrs) => {
                let attrs: Vec<(&str, &str)> =
                    attrs.iter().map(|(k, v)| (*k, v.as_str())).collect();
                self.empty("horizon:event", &attrs)
            }
        }
    }

    fn entry(&mut self, e: &Entry) -> Result<(), AtomError> {
        self.start("entry", &[])?;
        self.text("id", &[], &e.id)?;
        self.text("title", &[("type", "text")], &e.title)?;
        self.text("updated", &[], &date(e.updated))?;
        if let Some(p) = e.published {
            self.text("published", &[], &date(p))?;
        }
        for a in &e.authors {
            self.person(a)?;
        }
        for l in &e.links {
            self.link(l)?;
        }
        for c in &e.categories {
            self.category(c)?;
        }
        if let Some(s) = e.summary.as_deref().filter(|s| !s.trim().is_empty()) {
            self.text("summary", &[("type", "text")], s)?;
        }
        let has_alternate = e.links.iter().any(|l| l.rel == "alternate");
        match e.content.as_deref() {
            Some(c) => self.text("content", &[("type", "text")], c)?,
            // RFC 4287 §4.1.2: an entry without an alternate link has content.
            None if !has_alternate => {
                let text = e.summary.as_deref().unwrap_or(&e.title);
                self.text("content", &[("type", "text")], text)?;
            }
            None => {}
        }
        for x in &e.extensions {
            self.extension(x)?;
        }
        self.end("entry")
    }
}

/// The feed as an XML document, UTF-8.
pub fn write(feed: &Feed) -> Result<Vec<u8>, AtomError> {
    let mut out = Out {
        w: Writer::new_with_indent(Cursor::new(Vec::new()), b' ', 2),
    };
    out.w
        .write_event(Event::Decl(BytesDecl::new("1.0", Some("utf-8"), None)))?;
    let ns = format!("xmlns:{HORIZON_PREFIX}");
    out.start("feed", &[("xmlns", ATOM_NS), (ns.as_str(), HORIZON_NS)])?;
    out.text("id", &[], &feed.id)?;
    out.text("title", &[("type", "text")], &feed.title)?;
    if let Some(s) = feed.subtitle.as_deref() {
        out.text("subtitle", &[("type", "text")], s)?;
    }
    out.text("updated", &[], &date(feed.updated))?;
    for l in &feed.links {
        out.link(l)?;
    }
    for a in &feed.authors {
        out.person(a)?;
    }
    out.text(
        "generator",
        &[
            ("uri", crate::PROJECT_URL),
            ("version", env!("CARGO_PKG_VERSION")),
        ],
        "horizon",
    )?;
    for e in &feed.entries {
        out.entry(e)?;
    }
    out.end("feed")?;
    let mut bytes = out.w.into_inner().into_inner();
    bytes.push(b'\n');
    Ok(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(s: &str) -> Timestamp {
        s.parse().unwrap_or_else(|e| panic!("{e}"))
    }

    fn feed(title: &str) -> Feed {
        Feed {
            id: tag_uri(&["feed", "test"]),
            title: title.into(),
            subtitle: None,
            updated: at("2026-01-02T03:04:05.678Z"),
            links: vec![Link::new("self", "https://h.example/feed?topic=a&b=<c>")],
            authors: vec![Person::named("horizon")],
            entries: vec![Entry {
                id: tag_uri(&["item", "github:owner/name", "a b%"]),
                title: title.into(),
                updated: at("2026-01-01T00:00:00Z"),
                published: None,
                links: Vec::new(),
                summary: Some(format!("summary {title}")),
                content: None,
                authors: vec![Person::named(title)],
                categories: vec![Category {
                    term: "a\"b".into(),
                    scheme: None,
                    label: None,
                }],
                extensions: vec![Extension::Score(f64::NAN), Extension::Score(1.5)],
            }],
        }
    }

    // Guards #31 item 1: markup, quotes and controls in the index's text
    // come out escaped or dropped, and the document stays well-formed.
    #[test]
    fn hostile_text_is_escaped_and_controls_dropped() {
        let title = "</title><script>alert(1)</script> & \u{1b}[2J\u{7}\u{202E}x\u{FFFF}]]>";
        let xml = write(&feed(title)).unwrap_or_else(|e| panic!("{e}"));
        let text = String::from_utf8(xml).unwrap_or_else(|e| panic!("{e}"));
        assert!(
            !text.contains("<script>") && !text.contains('\u{1b}'),
            "{text}"
        );
        let doc = roxmltree::Document::parse(&text).unwrap_or_else(|e| panic!("{e}: {text}"));
        let titles: Vec<&str> = doc
            .descendants()
            .filter(|n| n.has_tag_name((ATOM_NS, "title")))
            .filter_map(|n| n.text())
            .collect();
        assert_eq!(
            titles,
            vec![
                "</title><script>alert(1)</script> & [2Jx]]>",
                "</title><script>alert(1)</script> & [2Jx]]>"
            ]
        );
        let score: Vec<&str> = doc
            .descendants()
            .filter(|n| n.has_tag_name((HORIZON_NS, "score")))
            .filter_map(|n| n.text())
            .collect();
        assert_eq!(score, vec!["0.0000", "1.5000"]);
        // Without an alternate link the entry carries content (RFC 4287 §4.1.2).
        assert!(doc
            .descendants()
            .any(|n| n.has_tag_name((ATOM_NS, "content"))));
        assert!(
            text.contains("<updated>2026-01-02T03:04:05Z</updated>"),
            "{text}"
        );
    }

    #[test]
    fn tag_uris_encode_what_a_uri_cannot_hold() {
        assert_eq!(
            tag_uri(&["item", "github:owner/name", "a b%é"]),
            "tag:horizon-infra.github.io,2026:item:github%3Aowner/name:a%20b%25%C3%A9"
        );
        let u = url::Url::parse(&tag_uri(&["x", "<>\"{}|\\^`"])).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(u.scheme(), "tag");
    }
}
