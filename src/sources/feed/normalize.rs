//! The tolerant layer in front of feed-rs: find what feed-rs would reject or
//! drop in a feed and rewrite just those bytes, recording each repair as a
//! [`Fix`] that says what was wrong in the document.
//!
//! feed-rs picks its parser from the root element and its `version`, fails
//! the whole feed on one text element with a `type` it does not know, and
//! ignores elements in namespaces it does not know. Real feeds (and
//! feedparser's test corpus) trip over all three. Rather than fork the
//! parser, one streaming pass (quick-xml, namespace-aware) collects byte-range
//! edits:
//!
//! - `<rss>` without a `version` feed-rs dispatches on, or with a default
//!   namespace, or without `<channel>`;
//! - RSS 0.90 (`http://my.netscape.com/rdf/simple/0.9/`) read as RSS 1.0 and
//!   Atom 0.3 (`http://purl.org/atom/ns#`) read as Atom 1.0, with the renamed
//!   elements (`issued`, `modified`, `tagline`, `copyright`) and `mode`
//!   attributes mapped;
//! - Atom text elements with an unknown `type` read as text, XHTML or
//!   decoded base64;
//! - RSS items without `<title>` take their `<dc:title>` (or `<media:title>`),
//!   RSS 1.0 items without `<link>` their `rdf:about`;
//! - a document that is not UTF-8 and declares no other encoding has its
//!   invalid bytes replaced.
//!
//! Untouched bytes are passed through as they are, so a feed that needs no
//! repair reaches feed-rs byte for byte. Any XML error stops the pass; the
//! edits found before it are kept and feed-rs reports the error itself.

use std::borrow::Cow;
use std::fmt;

use quick_xml::events::{BytesStart, Event};
use quick_xml::name::ResolveResult;
use quick_xml::reader::NsReader;

const ATOM10: &str = "http://www.w3.org/2005/Atom";
const ATOM03: &str = "http://purl.org/atom/ns#";
const RSS10: &str = "http://purl.org/rss/1.0/";
const RSS090: &str = "http://my.netscape.com/rdf/simple/0.9/";
const DC: &str = "http://purl.org/dc/elements/1.1/";
const MEDIA: &str = "http://search.yahoo.com/mrss/";

/// `<rss version>` values feed-rs dispatches on.
const RSS_VERSIONS_READ: &[&str] = &["2.0", "", "0.91", "0.92"];
/// Other published RSS versions: compatible with 2.0, rewritten without a warning.
const RSS_VERSIONS_COMPATIBLE: &[&str] = &["0.93", "0.94", "2.0.1", "2.01"];

/// One repair the tolerant layer made, in words a feed's author would understand.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Fix {
    /// Invalid UTF-8 in a document that declares no other encoding.
    NotUtf8 {
        /// Byte offset of the first invalid sequence.
        offset: usize,
    },
    /// `<rss>` without a `version` attribute.
    RssNoVersion,
    /// `<rss version>` with a value that is no RSS version.
    RssUnknownVersion(String),
    /// `<rss xmlns="…">`: RSS elements have no namespace.
    RssDefaultNamespace(String),
    /// `<rss>` without `<channel>`.
    RssNoChannel,
    /// The RSS 0.90 namespace.
    Rss090,
    /// The Atom 0.3 namespace or `version="0.3"`.
    Atom03,
    /// An Atom text element whose `type` feed-rs does not know.
    TextType {
        /// The element, as written.
        element: String,
        /// The `type` attribute, as written.
        declared: String,
        /// What it was read as: `text` or `xhtml`.
        read_as: &'static str,
    },
    /// An Atom element whose content is base64; decoded and read as HTML.
    Base64 {
        /// The element, as written.
        element: String,
    },
    /// An RSS item without `<title>`: a fallback element supplied it.
    TitleFrom(String),
    /// An RSS 1.0 item without `<link>`: its `rdf:about` supplied it.
    LinkFromAbout,
    /// A person element (`<author>`, `<managingEditor>`, `<dc:creator>` …)
    /// whose e-mail address touches a non-ASCII character: feed-rs 3 cuts
    /// the name beside the address one byte short and panics there.
    PersonAddress(String),
}

impl fmt::Display for Fix {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Fix::NotUtf8 { offset } => write!(
                f,
                "the document is not valid UTF-8 (first bad byte at offset {offset}) and declares no other encoding; invalid bytes replaced"
            ),
            Fix::RssNoVersion => f.write_str("`<rss>` has no version attribute; read as RSS 2.0"),
            Fix::RssUnknownVersion(v) => {
                write!(f, "`<rss version=\"{v}\">` is not an RSS version; read as RSS 2.0")
            }
            Fix::RssDefaultNamespace(ns) => write!(
                f,
                "`<rss>` declares the default namespace \"{ns}\", but RSS elements have none; ignored"
            ),
            Fix::RssNoChannel => {
                f.write_str("`<rss>` has no `<channel>`; its content read as the channel")
            }
            Fix::Rss090 => write!(f, "RSS 0.90 namespace ({RSS090}); read as RSS 1.0"),
            Fix::Atom03 => write!(
                f,
                "Atom 0.3 feed (namespace {ATOM03}, obsolete since 2005); read as Atom 1.0"
            ),
            Fix::TextType {
                element,
                declared,
                read_as,
            } => write!(
                f,
                "element `<{element} type=\"{declared}\">`: unknown content type, treated as {read_as}"
            ),
            Fix::Base64 { element } => write!(
                f,
                "element `<{element}>` holds base64 where Atom expects text; decoded and read as HTML"
            ),
            Fix::TitleFrom(from) => {
                write!(f, "`<item>` has no `<title>`; its `<{from}>` used instead")
            }
            Fix::LinkFromAbout => {
                f.write_str("RSS 1.0 `<item>` has no `<link>`; its `rdf:about` used instead")
            }
            Fix::PersonAddress(element) => write!(
                f,
                "`{element}` has an e-mail address right beside a non-ASCII character, which the feed parser cannot split from the name; spaces put around the address"
            ),
        }
    }
}

/// A repair and how many times it was made in one document.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Repair {
    /// What was wrong and what was done.
    pub fix: Fix,
    /// How often (once per element it applied to).
    pub count: usize,
}

impl fmt::Display for Repair {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.count > 1 {
            write!(f, "{} ({} times)", self.fix, self.count)
        } else {
            self.fix.fmt(f)
        }
    }
}

/// The document as feed-rs should see it.
#[derive(Debug)]
pub struct Normalized<'a> {
    /// The bytes to parse: borrowed when nothing needed repair.
    pub bytes: Cow<'a, [u8]>,
    /// What was repaired, in document order, each kind once with a count.
    pub repairs: Vec<Repair>,
    /// The root element's name as written, if an element was found.
    pub root: Option<String>,
}

/// Find and repair what feed-rs would reject or drop in `bytes`.
pub fn normalize(bytes: &[u8]) -> Normalized<'_> {
    let mut repairs = Vec::new();
    let text: Cow<'_, str> = match std::str::from_utf8(bytes) {
        Ok(s) => Cow::Borrowed(s),
        // feed-rs decodes declared encodings itself; only the root is looked at.
        Err(_) if declares_other_encoding(bytes) => {
            return Normalized {
                bytes: Cow::Borrowed(bytes),
                repairs,
                root: root_name_lossy(bytes),
            };
        }
        Err(e) => {
            push(
                &mut repairs,
                Fix::NotUtf8 {
                    offset: e.valid_up_to(),
                },
            );
            Cow::Owned(String::from_utf8_lossy(bytes).into_owned())
        }
    };
    let scan = Scanner::new(&text).run();
    for fix in scan.fixes {
        push(&mut repairs, fix);
    }
    let out: Cow<'_, [u8]> = if scan.edits.is_empty() {
        match text {
            Cow::Borrowed(_) => Cow::Borrowed(bytes),
            Cow::Owned(s) => Cow::Owned(s.into_bytes()),
        }
    } else {
        Cow::Owned(apply(&text, scan.edits).into_bytes())
    };
    Normalized {
        bytes: out,
        repairs,
        root: scan.root,
    }
}

fn push(repairs: &mut Vec<Repair>, fix: Fix) {
    match repairs.iter_mut().find(|r| r.fix == fix) {
        Some(r) => r.count += 1,
        None => repairs.push(Repair { fix, count: 1 }),
    }
}

/// Elements whose text feed-rs 3 splits into a name and an e-mail address
/// (`Person::parse`): RSS 2.0's `author`, `managingEditor` and `webMaster`,
/// `dc:creator`, `itunes:author`.
const PERSON_ELEMENTS: &[&str] = &["author", "managingEditor", "webMaster", "creator"];

/// feed-rs 3's address pattern (`parser::util::parse_person_name_email`).
fn person_address_pattern() -> &'static regex::Regex {
    static PATTERN: std::sync::OnceLock<regex::Regex> = std::sync::OnceLock::new();
    PATTERN.get_or_init(|| {
        regex::Regex::new(
            r"\b(<\[\()?(mailto:)?([A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,})(>]\))?\b",
        )
        .expect("constant pattern")
    })
}

/// The text of an element that holds only text and CDATA; `None` when it
/// has child elements or an entity that does not decode.
fn element_text(raw: &str) -> Option<String> {
    let mut out = String::new();
    let mut rest = raw;
    while !rest.is_empty() {
        if let Some(after) = rest.strip_prefix("<![CDATA[") {
            let end = after.find("]]>")?;
            out.push_str(&after[..end]);
            rest = &after[end + 3..];
        } else if rest.starts_with('<') {
            return None;
        } else {
            let end = rest.find('<').unwrap_or(rest.len());
            out.push_str(&quick_xml::escape::unescape(&rest[..end]).ok()?);
            rest = &rest[end..];
        }
    }
    Some(out)
}

/// `text` with spaces around its first e-mail address when feed-rs 3 would
/// cut the name beside it inside a character (it assumes one byte of
/// delimiter on the longer side); `None` when it reads `text` safely.
pub(super) fn pad_person_address(text: &str) -> Option<String> {
    let span = person_address_pattern().find(text)?;
    let (start, end) = (span.start(), span.end());
    let cut = if start > text.len() - end {
        start - 1
    } else if end < text.len() {
        end + 1
    } else {
        return None;
    };
    if text.is_char_boundary(cut) {
        return None;
    }
    Some(format!(
        "{} {} {}",
        &text[..start],
        span.as_str(),
        &text[end..]
    ))
}

/// A JSON Feed with spaces put around the addresses in its authors' names
/// that feed-rs 3 would panic on, and the repair; `None` when the document
/// is not JSON or no name needed it.
pub(super) fn json_person_addresses(bytes: &[u8]) -> Option<(Vec<u8>, Vec<Repair>)> {
    fn walk(value: &mut serde_json::Value, in_author: bool, count: &mut usize) {
        match value {
            serde_json::Value::Object(map) => {
                for (key, v) in map.iter_mut() {
                    if in_author && key == "name" {
                        if let serde_json::Value::String(name) = v {
                            if let Some(padded) = pad_person_address(name) {
                                *name = padded;
                                *count += 1;
                            }
                        }
                    } else {
                        walk(v, in_author || key == "author" || key == "authors", count);
                    }
                }
            }
            serde_json::Value::Array(items) => {
                for v in items {
                    walk(v, in_author, count);
                }
            }
            _ => {}
        }
    }
    let mut doc: serde_json::Value = serde_json::from_slice(bytes).ok()?;
    let mut count = 0;
    walk(&mut doc, false, &mut count);
    if count == 0 {
        return None;
    }
    let repair = Repair {
        fix: Fix::PersonAddress("author.name (JSON Feed)".to_string()),
        count,
    };
    Some((serde_json::to_vec(&doc).ok()?, vec![repair]))
}

/// Whether the XML declaration names an encoding other than UTF-8.
fn declares_other_encoding(bytes: &[u8]) -> bool {
    let head = String::from_utf8_lossy(&bytes[..bytes.len().min(200)]).to_ascii_lowercase();
    let head = head.trim_start_matches('\u{feff}').trim_start();
    if !head.starts_with("<?xml") {
        return false;
    }
    let decl = head.split("?>").next().unwrap_or("");
    match decl.find("encoding") {
        Some(i) => {
            let rest = decl[i + "encoding".len()..]
                .trim_start()
                .trim_start_matches('=')
                .trim_start()
                .trim_start_matches(['"', '\'']);
            !(rest.starts_with("utf-8") || rest.starts_with("utf8"))
        }
        None => false,
    }
}

/// The first element name in a document that is not UTF-8 (for error messages).
fn root_name_lossy(bytes: &[u8]) -> Option<String> {
    let text = String::from_utf8_lossy(&bytes[..bytes.len().min(8192)]);
    let mut rest: &str = &text;
    while let Some(i) = rest.find('<') {
        rest = &rest[i + 1..];
        let c = rest.chars().next()?;
        if c.is_alphabetic() || c == '_' {
            let end = rest
                .find(|c: char| c.is_whitespace() || c == '>' || c == '/')
                .unwrap_or(rest.len());
            return Some(rest[..end].to_string());
        }
    }
    None
}

/// Replace `[start, end)` of the text with `with` (an insertion when `start == end`).
#[derive(Debug)]
struct Edit {
    start: usize,
    end: usize,
    with: String,
}

fn apply(text: &str, mut edits: Vec<Edit>) -> String {
    edits.sort_by_key(|e| (e.start, e.end));
    let mut out = String::with_capacity(text.len() + 256);
    let mut at = 0;
    for e in edits {
        // Edits never overlap and fall on tag boundaries by construction;
        // skip one that would not, rather than garble or panic.
        let fits = at <= e.start
            && e.start <= e.end
            && text.is_char_boundary(e.start)
            && text.is_char_boundary(e.end);
        if !fits {
            continue;
        }
        out.push_str(&text[at..e.start]);
        out.push_str(&e.with);
        at = e.end;
    }
    out.push_str(&text[at..]);
    out
}

/// The feed format the root element announces.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Dialect {
    Rss,
    Rdf,
    Atom10,
    Atom03,
    Other,
}

/// What an open element is being watched for.
#[derive(Debug)]
enum Role {
    Plain,
    /// The `<rss>` root: whether a `<channel>` child was seen.
    RssRoot {
        has_channel: bool,
    },
    /// An RSS item and what it lacks.
    Item(ItemState),
    /// An Atom element holding base64, decoded at its end tag.
    Base64 {
        tag: BytesStart<'static>,
        tag_start: usize,
        declared: Option<String>,
    },
}

#[derive(Debug, Default)]
struct ItemState {
    has_title: bool,
    has_link: bool,
    /// (element as written, inner text range) of `dc:title` / `media:title`.
    dc_title: Option<(String, usize, usize)>,
    media_title: Option<(String, usize, usize)>,
    /// `rdf:about`, raw.
    about: Option<String>,
}

#[derive(Debug)]
struct Frame {
    qname: String,
    local: String,
    ns: Option<String>,
    /// Offset just past the start tag's `>`.
    inner_start: usize,
    /// New local name for the end tag (Atom 0.3 renames).
    rename: Option<&'static str>,
    role: Role,
}

impl Frame {
    fn prefix(&self) -> &str {
        match self.qname.split_once(':') {
            Some((p, _)) => p,
            None => "",
        }
    }
}

/// What one pass found.
struct Scan {
    edits: Vec<Edit>,
    fixes: Vec<Fix>,
    root: Option<String>,
}

struct Scanner<'t> {
    text: &'t str,
    stack: Vec<Frame>,
    dialect: Dialect,
    edits: Vec<Edit>,
    fixes: Vec<Fix>,
    root: Option<String>,
    /// The root element's namespace (Atom documents).
    root_ns: Option<String>,
}

impl<'t> Scanner<'t> {
    fn new(text: &'t str) -> Self {
        Scanner {
            text,
            stack: Vec::new(),
            dialect: Dialect::Other,
            edits: Vec::new(),
            fixes: Vec::new(),
            root: None,
            root_ns: None,
        }
    }

    fn run(mut self) -> Scan {
        let mut reader = NsReader::from_str(self.text);
        reader.config_mut().allow_dangling_amp = true;
        loop {
            let before = reader.buffer_position() as usize;
            let (ns, event) = match reader.read_resolved_event() {
                Ok((ns, event)) => (resolved(ns), event),
                Err(_) => break,
            };
            let after = reader.buffer_position() as usize;
            match event {
                Event::Start(e) => self.start(&e, ns, before, after, false),
                Event::Empty(e) => self.start(&e, ns, before, after, true),
                Event::End(_) => self.end(before, after),
                Event::Eof => break,
                _ => {}
            }
        }
        Scan {
            edits: self.edits,
            fixes: self.fixes,
            root: self.root,
        }
    }

    fn start(
        &mut self,
        e: &BytesStart<'_>,
        ns: Option<String>,
        at: usize,
        after: usize,
        empty: bool,
    ) {
        let qname = e.name().as_ref().to_string();
        let local = e.local_name().as_ref().to_string();
        let mut frame = Frame {
            qname,
            local,
            ns,
            inner_start: after,
            rename: None,
            role: Role::Plain,
        };
        let mut tag = TagEdit::default();
        self.namespaces(e, &mut tag);
        if self.stack.is_empty() && self.root.is_none() {
            self.root = Some(frame.qname.clone());
            self.root_element(e, &mut frame, &mut tag);
        } else {
            self.child_of_parent(&frame);
            match self.dialect {
                Dialect::Rss | Dialect::Rdf => self.rss_element(e, &mut frame),
                Dialect::Atom10 | Dialect::Atom03 => self.atom_element(e, &mut frame, &mut tag, at),
                Dialect::Other => {}
            }
        }
        if !tag.is_empty() {
            self.edits.push(Edit {
                start: at,
                end: after,
                with: tag.render(e, empty),
            });
        }
        if empty {
            self.close(frame, after, after, true);
        } else {
            self.stack.push(frame);
        }
    }

    fn end(&mut self, at: usize, after: usize) {
        if let Some(frame) = self.stack.pop() {
            if let Some(new) = frame.rename {
                let prefix = frame.prefix();
                let name = if prefix.is_empty() {
                    new.to_string()
                } else {
                    format!("{prefix}:{new}")
                };
                self.edits.push(Edit {
                    start: at,
                    end: after,
                    with: format!("</{name}>"),
                });
            }
            self.close(frame, at, after, false);
        }
    }

    /// An element is complete: `inner_end` is where its end tag starts.
    fn close(&mut self, mut frame: Frame, inner_end: usize, after: usize, empty: bool) {
        let inner = (frame.inner_start, inner_end);
        if !empty && PERSON_ELEMENTS.contains(&frame.local.as_str()) {
            self.person_address(&frame, inner);
        }
        if let Some(parent) = self.stack.last_mut() {
            if let Role::Item(item) = &mut parent.role {
                match (frame.ns.as_deref(), frame.local.as_str()) {
                    (Some(DC), "title") if item.dc_title.is_none() && !empty => {
                        item.dc_title = Some((frame.qname.clone(), inner.0, inner.1));
                    }
                    (Some(MEDIA), "title") if item.media_title.is_none() && !empty => {
                        item.media_title = Some((frame.qname.clone(), inner.0, inner.1));
                    }
                    _ => {}
                }
            }
        }
        match std::mem::replace(&mut frame.role, Role::Plain) {
            Role::Plain => {}
            Role::RssRoot { has_channel } => {
                if !has_channel {
                    self.wrap_in_channel(&frame, inner_end, after, empty);
                }
            }
            Role::Item(item) => self.item_fallbacks(&frame, item),
            Role::Base64 {
                tag,
                tag_start,
                declared,
            } => self.decode_base64(&frame, &tag, tag_start, inner, declared),
        }
    }

    /// A person element whose text would make feed-rs panic: the same text
    /// with spaces around the address, escaped again.
    fn person_address(&mut self, frame: &Frame, (start, end): (usize, usize)) {
        let Some(raw) = self.text.get(start..end) else {
            return;
        };
        let Some(text) = element_text(raw) else {
            return;
        };
        if let Some(fixed) = pad_person_address(&text) {
            self.edits.push(Edit {
                start,
                end,
                with: quick_xml::escape::escape(fixed.as_str()).into_owned(),
            });
            self.fixes
                .push(Fix::PersonAddress(format!("<{}>", frame.qname)));
        }
    }

    /// Namespace declarations of the obsolete dialects, mapped to their successors.
    fn namespaces(&mut self, e: &BytesStart<'_>, tag: &mut TagEdit) {
        for a in e.attributes().with_checks(false).flatten() {
            let key = a.key.as_ref();
            if key != "xmlns" && !key.starts_with("xmlns:") {
                continue;
            }
            let value = a.value.trim();
            if value == ATOM03 {
                tag.set(key, Some(ATOM10.to_string()));
            } else if value == RSS090 {
                tag.set(key, Some(RSS10.to_string()));
                self.fixes.push(Fix::Rss090);
            }
        }
    }

    fn root_element(&mut self, e: &BytesStart<'_>, frame: &mut Frame, tag: &mut TagEdit) {
        let version = attr(e, "version");
        match frame.local.as_str() {
            "rss" => {
                self.dialect = Dialect::Rss;
                frame.role = Role::RssRoot { has_channel: false };
                match version.as_deref() {
                    None => {
                        self.fixes.push(Fix::RssNoVersion);
                        tag.set("version", Some("2.0".into()));
                    }
                    Some(v) if RSS_VERSIONS_READ.contains(&v) => {}
                    Some(v) => {
                        let v = v.trim();
                        let known =
                            RSS_VERSIONS_COMPATIBLE.contains(&v) || RSS_VERSIONS_READ.contains(&v);
                        if !known {
                            self.fixes.push(Fix::RssUnknownVersion(v.to_string()));
                        }
                        tag.set("version", Some("2.0".into()));
                    }
                }
                if let Some(ns) = attr(e, "xmlns") {
                    self.fixes.push(Fix::RssDefaultNamespace(ns));
                    tag.set("xmlns", None);
                }
            }
            "RDF" => self.dialect = Dialect::Rdf,
            "feed" | "entry" => {
                let old_ns = frame.ns.as_deref() == Some(ATOM03);
                let old_version = frame.ns.is_none()
                    && version
                        .as_deref()
                        .is_some_and(|v| v.trim().starts_with("0."));
                self.dialect = if old_ns || old_version {
                    self.fixes.push(Fix::Atom03);
                    Dialect::Atom03
                } else {
                    Dialect::Atom10
                };
                self.root_ns = frame.ns.clone();
                if self.dialect == Dialect::Atom03 || frame.ns.is_none() {
                    frame.ns = Some(ATOM10.to_string());
                }
            }
            _ => self.dialect = Dialect::Other,
        }
    }

    /// Record on the parent what kind of child it has.
    fn child_of_parent(&mut self, frame: &Frame) {
        let Some(parent) = self.stack.last_mut() else {
            return;
        };
        let same_ns = frame.ns == parent.ns;
        match &mut parent.role {
            Role::RssRoot { has_channel } if frame.local == "channel" => *has_channel = true,
            Role::Item(item) if same_ns && frame.local == "title" => item.has_title = true,
            Role::Item(item) if same_ns && frame.local == "link" => item.has_link = true,
            _ => {}
        }
    }

    fn rss_element(&mut self, e: &BytesStart<'_>, frame: &mut Frame) {
        let rss_ns = match self.dialect {
            Dialect::Rdf => matches!(frame.ns.as_deref(), Some(RSS10) | Some(RSS090)),
            _ => frame.prefix().is_empty(),
        };
        if rss_ns && frame.local == "item" {
            let about = e
                .attributes()
                .with_checks(false)
                .flatten()
                .find(|a| a.key.local_name().as_ref() == "about")
                .map(|a| a.value.trim().to_string());
            frame.role = Role::Item(ItemState {
                about,
                ..ItemState::default()
            });
        }
    }

    fn item_fallbacks(&mut self, frame: &Frame, item: ItemState) {
        let prefix = frame.prefix();
        let name = |local: &str| {
            if prefix.is_empty() {
                local.to_string()
            } else {
                format!("{prefix}:{local}")
            }
        };
        if !item.has_title {
            if let Some((from, s, e)) = item.dc_title.or(item.media_title) {
                let inner = &self.text[s..e];
                if !inner.trim().is_empty() {
                    let title = name("title");
                    self.edits.push(Edit {
                        start: frame.inner_start,
                        end: frame.inner_start,
                        with: format!("<{title}>{inner}</{title}>"),
                    });
                    self.fixes.push(Fix::TitleFrom(from));
                }
            }
        }
        if self.dialect == Dialect::Rdf && !item.has_link {
            if let Some(about) = item.about.filter(|a| is_web_url(a)) {
                let link = name("link");
                self.edits.push(Edit {
                    start: frame.inner_start,
                    end: frame.inner_start,
                    with: format!("<{link}>{about}</{link}>"),
                });
                self.fixes.push(Fix::LinkFromAbout);
            }
        }
    }

    fn wrap_in_channel(&mut self, frame: &Frame, inner_end: usize, after: usize, empty: bool) {
        self.fixes.push(Fix::RssNoChannel);
        let prefix = frame.prefix();
        let channel = if prefix.is_empty() {
            "channel".to_string()
        } else {
            format!("{prefix}:channel")
        };
        if empty {
            // `<rss/>` cannot hold a channel: write it as a full element, on top
            // of the start-tag edit already made for it, if any.
            let tag_start = self.text[..after].rfind('<').unwrap_or(0);
            let open = match self
                .edits
                .iter()
                .position(|e| e.start == tag_start && e.end == after)
            {
                Some(i) => self.edits.remove(i).with,
                None => self.text[tag_start..after].to_string(),
            };
            let open = open.trim_end_matches('>').trim_end_matches('/').trim_end();
            self.edits.push(Edit {
                start: tag_start,
                end: after,
                with: format!("{open}><{channel}></{channel}></{}>", frame.qname),
            });
            return;
        }
        self.edits.push(Edit {
            start: frame.inner_start,
            end: frame.inner_start,
            with: format!("<{channel}>"),
        });
        self.edits.push(Edit {
            start: inner_end,
            end: inner_end,
            with: format!("</{channel}>"),
        });
    }

    fn atom_element(
        &mut self,
        e: &BytesStart<'_>,
        frame: &mut Frame,
        tag: &mut TagEdit,
        at: usize,
    ) {
        if frame.ns.as_deref() == Some(ATOM03) {
            frame.ns = Some(ATOM10.to_string());
        }
        if frame.ns.is_none() && self.root_ns.is_none() {
            // No namespace anywhere (`<feed version="0.3">`): feed-rs defaults to Atom.
            frame.ns = Some(ATOM10.to_string());
        }
        if frame.ns.as_deref() != Some(ATOM10) {
            return;
        }
        if self.dialect == Dialect::Atom03 {
            frame.rename = match frame.local.as_str() {
                "issued" => Some("published"),
                "modified" => Some("updated"),
                "tagline" => Some("subtitle"),
                "copyright" => Some("rights"),
                _ => None,
            };
            if let Some(new) = frame.rename {
                tag.rename = Some(new);
            }
        }
        self.atom_text(e, frame, tag, at);
    }

    /// Atom text constructs and `<content>`: read unknown `type`/`mode` values.
    fn atom_text(&mut self, e: &BytesStart<'_>, frame: &mut Frame, tag: &mut TagEdit, at: usize) {
        let local = tag.rename.unwrap_or(frame.local.as_str());
        let is_content = local == "content";
        if !matches!(
            local,
            "title" | "subtitle" | "summary" | "rights" | "content"
        ) {
            return;
        }
        let declared = attr(e, "type");
        let mode = attr(e, "mode");
        let plan = if self.dialect == Dialect::Atom03 {
            plan_atom03(declared.as_deref(), mode.as_deref())
        } else if is_content {
            plan_atom10_content(declared.as_deref(), attr(e, "src").is_some())
        } else {
            plan_atom10_text(declared.as_deref())
        };
        let warn = self.dialect == Dialect::Atom10;
        match plan {
            Plan::Keep => {}
            Plan::Retype(new) => {
                if warn {
                    self.fixes.push(Fix::TextType {
                        element: frame.qname.clone(),
                        declared: declared.unwrap_or_default(),
                        read_as: new.unwrap_or("a media type"),
                    });
                }
                tag.set("type", new.map(str::to_string));
                tag.set("mode", None);
            }
            Plan::Base64 => {
                frame.role = Role::Base64 {
                    tag: e.to_owned(),
                    tag_start: at,
                    declared: declared.filter(|_| warn),
                };
            }
        }
    }

    fn decode_base64(
        &mut self,
        frame: &Frame,
        tag: &BytesStart<'_>,
        tag_start: usize,
        inner: (usize, usize),
        declared: Option<String>,
    ) {
        let mut edit = TagEdit {
            rename: frame.rename,
            ..TagEdit::default()
        };
        // Replace any start-tag edit already made for this element.
        self.edits
            .retain(|e| !(e.start == tag_start && e.end == frame.inner_start));
        self.namespaces_into(tag, &mut edit);
        edit.set("mode", None);
        match base64_text(&self.text[inner.0..inner.1]) {
            Some(decoded) => {
                edit.set("type", Some("html".into()));
                // Base64 is how Atom 1.0 `<content>` carries other media types;
                // only in a text construct is it a defect.
                if self.dialect == Dialect::Atom10 && frame.local != "content" {
                    self.fixes.push(Fix::Base64 {
                        element: frame.qname.clone(),
                    });
                }
                self.edits.push(Edit {
                    start: inner.0,
                    end: inner.1,
                    with: escape_text(&decoded),
                });
            }
            // Atom 1.0 `<content>` may hold any media type (an image, say):
            // feed-rs keeps it as it is.
            None if self.dialect == Dialect::Atom10 && frame.local == "content" => return,
            None => {
                edit.set("type", Some("text".into()));
                if let Some(d) = declared {
                    self.fixes.push(Fix::TextType {
                        element: frame.qname.clone(),
                        declared: d,
                        read_as: "text",
                    });
                }
            }
        }
        self.edits.push(Edit {
            start: tag_start,
            end: frame.inner_start,
            with: edit.render(tag, false),
        });
    }

    /// [`Self::namespaces`] without recording fixes again (the tag is re-rendered).
    fn namespaces_into(&mut self, e: &BytesStart<'_>, tag: &mut TagEdit) {
        let before = self.fixes.len();
        self.namespaces(e, tag);
        self.fixes.truncate(before);
    }
}

/// What to do with one Atom text element.
#[derive(Debug, PartialEq, Eq)]
enum Plan {
    Keep,
    /// Set `type` to this (`None`: drop it) and drop `mode`.
    Retype(Option<&'static str>),
    /// The content is base64: decode it at the end tag.
    Base64,
}

fn plan_atom10_text(declared: Option<&str>) -> Plan {
    let Some(t) = declared else {
        return Plan::Keep;
    };
    match t {
        "text" | "html" | "xhtml" | "text/html" => Plan::Keep,
        _ if is_xml_type(t) => Plan::Retype(Some("xhtml")),
        _ if t.trim().is_empty() || t.starts_with("text/") || !t.contains('/') => {
            Plan::Retype(Some("text"))
        }
        _ => Plan::Base64,
    }
}

fn plan_atom10_content(declared: Option<&str>, has_src: bool) -> Plan {
    let Some(t) = declared else {
        return Plan::Keep;
    };
    if has_src {
        return if is_media_type(t) {
            Plan::Keep
        } else {
            Plan::Retype(None)
        };
    }
    match t {
        "text" | "html" | "xhtml" | "text/html" => Plan::Keep,
        // feed-rs reads `*/xml` through the text-construct path, which rejects it.
        _ if is_xml_type(t) => Plan::Retype(Some("xhtml")),
        _ if t.starts_with("text/") && is_media_type(t) => Plan::Keep,
        _ if !is_media_type(t) => Plan::Retype(Some("text")),
        _ => Plan::Base64,
    }
}

/// Atom 0.3: `type` is a media type (default `text/plain`), `mode` is
/// `xml` (default), `escaped` or `base64`.
fn plan_atom03(declared: Option<&str>, mode: Option<&str>) -> Plan {
    let t = declared.map(str::trim).unwrap_or("text/plain");
    match mode.map(str::trim).unwrap_or("xml") {
        "base64" => Plan::Base64,
        "escaped" => {
            if t == "text/plain" {
                Plan::Retype(Some("text"))
            } else {
                Plan::Retype(Some("html"))
            }
        }
        _ => {
            if t == "text/plain" || t.is_empty() {
                Plan::Retype(Some("text"))
            } else if t == "text/html" || is_xml_type(t) {
                Plan::Retype(Some("xhtml"))
            } else {
                Plan::Retype(Some("text"))
            }
        }
    }
}

fn is_xml_type(t: &str) -> bool {
    let t = t.trim();
    t.contains('/') && (t.ends_with("+xml") || t.ends_with("/xml"))
}

/// `type/subtype` with no spaces (feed-rs parses such values as a media type).
fn is_media_type(t: &str) -> bool {
    match t.split_once('/') {
        Some((a, b)) => {
            let ok = |s: &str| {
                !s.is_empty()
                    && s.chars()
                        .all(|c| c.is_ascii_alphanumeric() || "!#$&-^_.+".contains(c))
            };
            ok(a) && ok(b.split(';').next().unwrap_or("").trim())
        }
        None => false,
    }
}

fn is_web_url(s: &str) -> bool {
    s.starts_with("http://") || s.starts_with("https://")
}

fn resolved(ns: ResolveResult<'_>) -> Option<String> {
    match ns {
        ResolveResult::Bound(n) => Some(n.as_ref().to_string()),
        _ => None,
    }
}

/// An attribute's raw value, by its full name.
fn attr(e: &BytesStart<'_>, key: &str) -> Option<String> {
    e.attributes()
        .with_checks(false)
        .flatten()
        .find(|a| a.key.as_ref() == key)
        .map(|a| a.value.into_owned())
}

/// Changes to one start tag: attributes set or removed, the name changed.
#[derive(Debug, Default)]
struct TagEdit {
    rename: Option<&'static str>,
    attrs: Vec<(String, Option<String>)>,
}

impl TagEdit {
    fn is_empty(&self) -> bool {
        self.rename.is_none() && self.attrs.is_empty()
    }

    fn set(&mut self, key: &str, value: Option<String>) {
        match self.attrs.iter_mut().find(|(k, _)| k == key) {
            Some(slot) => slot.1 = value,
            None => self.attrs.push((key.to_string(), value)),
        }
    }

    /// The start tag with the changes made; other attributes are kept as written.
    fn render(&self, e: &BytesStart<'_>, empty: bool) -> String {
        let qname = e.name().as_ref().to_string();
        let name = match (self.rename, qname.split_once(':')) {
            (Some(new), Some((prefix, _))) => format!("{prefix}:{new}"),
            (Some(new), None) => new.to_string(),
            (None, _) => qname,
        };
        let mut out = format!("<{name}");
        let mut done: Vec<&str> = Vec::new();
        for a in e.attributes().with_checks(false).flatten() {
            let key = a.key.as_ref();
            match self.attrs.iter().find(|(k, _)| k == key) {
                Some((k, Some(v))) => {
                    push_attr(&mut out, key, v);
                    done.push(k);
                }
                Some((k, None)) => done.push(k),
                None => push_attr(&mut out, key, &a.value),
            }
        }
        for (k, v) in &self.attrs {
            if let (false, Some(v)) = (done.contains(&k.as_str()), v) {
                push_attr(&mut out, k, v);
            }
        }
        out.push_str(if empty { "/>" } else { ">" });
        out
    }
}

/// ` key="raw value"`, quoted with whichever quote the raw value does not contain.
fn push_attr(out: &mut String, key: &str, raw: &str) {
    let q = if raw.contains('"') { '\'' } else { '"' };
    out.push(' ');
    out.push_str(key);
    out.push('=');
    out.push(q);
    out.push_str(raw);
    out.push(q);
}

/// Decode base64 text (whitespace ignored) that holds UTF-8; `None` otherwise.
fn base64_text(raw: &str) -> Option<String> {
    let mut bits: u32 = 0;
    let mut nbits = 0;
    let mut out = Vec::with_capacity(raw.len() * 3 / 4);
    let mut padding = false;
    for c in raw.bytes() {
        let v = match c {
            b'A'..=b'Z' => c - b'A',
            b'a'..=b'z' => c - b'a' + 26,
            b'0'..=b'9' => c - b'0' + 52,
            b'+' => 62,
            b'/' => 63,
            b'=' => {
                padding = true;
                continue;
            }
            c if c.is_ascii_whitespace() => continue,
            _ => return None,
        };
        if padding {
            return None;
        }
        bits = (bits << 6) | u32::from(v);
        nbits += 6;
        if nbits >= 8 {
            nbits -= 8;
            out.push((bits >> nbits) as u8);
            bits &= (1 << nbits) - 1;
        }
    }
    if out.is_empty() {
        return None;
    }
    String::from_utf8(out).ok()
}

/// Text as XML character data: markup characters escaped, non-ASCII as
/// character references (independent of the document's encoding).
fn escape_text(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 16);
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            c if c.is_ascii() => out.push(c),
            c => out.push_str(&format!("&#x{:X};", c as u32)),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fixed(doc: &str) -> (String, Vec<String>) {
        let n = normalize(doc.as_bytes());
        (
            String::from_utf8(n.bytes.into_owned()).unwrap(),
            n.repairs.iter().map(|r| r.to_string()).collect(),
        )
    }

    /// A feed that needs nothing is passed through untouched (same bytes, no copy).
    #[test]
    fn clean_feeds_are_borrowed() {
        let doc = br#"<?xml version="1.0"?><rss version="2.0"><channel><title>t</title><item><title>a</title></item></channel></rss>"#;
        let n = normalize(doc);
        assert!(matches!(n.bytes, Cow::Borrowed(_)));
        assert!(n.repairs.is_empty());
        assert_eq!(n.root.as_deref(), Some("rss"));
    }

    #[test]
    fn rss_without_version_or_channel() {
        let (out, fixes) = fixed("<rss><item><title>a</title></item></rss>");
        assert_eq!(
            out,
            r#"<rss version="2.0"><channel><item><title>a</title></item></channel></rss>"#
        );
        assert_eq!(
            fixes,
            [
                "`<rss>` has no version attribute; read as RSS 2.0",
                "`<rss>` has no `<channel>`; its content read as the channel"
            ]
        );
        let (out, _) = fixed(r#"<rss version="2.0"/>"#);
        assert_eq!(out, r#"<rss version="2.0"><channel></channel></rss>"#);
    }

    #[test]
    fn rss_versions() {
        let (out, fixes) = fixed(r#"<rss version="0.94" xmlns=""><channel/></rss>"#);
        assert_eq!(out, r#"<rss version="2.0"><channel/></rss>"#);
        assert_eq!(
            fixes,
            ["`<rss>` declares the default namespace \"\", but RSS elements have none; ignored"]
        );
        let (out, fixes) = fixed(r#"<rss version=" 2.0 "><channel/></rss>"#);
        assert_eq!(out, r#"<rss version="2.0"><channel/></rss>"#);
        assert!(fixes.is_empty(), "{fixes:?}");
        let (_, fixes) = fixed(r#"<rss version="2.1"><channel/></rss>"#);
        assert_eq!(
            fixes,
            ["`<rss version=\"2.1\">` is not an RSS version; read as RSS 2.0"]
        );
    }

    #[test]
    fn atom_unknown_types() {
        let (out, fixes) = fixed(
            r#"<feed xmlns="http://www.w3.org/2005/Atom"><entry><title type="">evil</title><summary type="application/octet-stream">RXhhbXBsZSA8Yj5BdG9tPC9iPg==</summary></entry></feed>"#,
        );
        assert_eq!(
            out,
            r#"<feed xmlns="http://www.w3.org/2005/Atom"><entry><title type="text">evil</title><summary type="html">Example &lt;b&gt;Atom&lt;/b&gt;</summary></entry></feed>"#
        );
        assert_eq!(
            fixes,
            [
                "element `<title type=\"\">`: unknown content type, treated as text",
                "element `<summary>` holds base64 where Atom expects text; decoded and read as HTML"
            ]
        );
    }

    /// Atom 1.0 `<content>` may be any media type; binary base64 is left alone.
    #[test]
    fn atom_binary_content_is_kept() {
        let doc = r#"<feed xmlns="http://www.w3.org/2005/Atom"><entry><title>i</title><content type="image/png">iVBORw0KGgo=</content></entry></feed>"#;
        let (out, fixes) = fixed(doc);
        assert_eq!(out, doc);
        assert!(fixes.is_empty(), "{fixes:?}");
    }

    #[test]
    fn atom03_is_read_as_atom10() {
        let (out, fixes) = fixed(
            r#"<feed version="0.3" xmlns="http://purl.org/atom/ns#"><entry><title mode="base64">w6k=</title><issued>2004-01-01T00:00:00Z</issued><content type="text/html" mode="escaped">&lt;b&gt;x&lt;/b&gt;</content></entry></feed>"#,
        );
        assert_eq!(
            out,
            r#"<feed version="0.3" xmlns="http://www.w3.org/2005/Atom"><entry><title type="html">&#xE9;</title><published>2004-01-01T00:00:00Z</published><content type="html">&lt;b&gt;x&lt;/b&gt;</content></entry></feed>"#
        );
        assert_eq!(fixes.len(), 1, "{fixes:?}");
        assert!(fixes[0].starts_with("Atom 0.3 feed"));
    }

    #[test]
    fn item_title_and_link_fallbacks() {
        let (out, fixes) = fixed(
            r#"<rss version="2.0" xmlns:dc="http://purl.org/dc/elements/1.1/"><channel><item><dc:title>T &amp; U</dc:title></item><item><dc:title>x</dc:title></item></channel></rss>"#,
        );
        assert!(
            out.contains("<item><title>T &amp; U</title><dc:title>"),
            "{out}"
        );
        assert_eq!(
            fixes,
            ["`<item>` has no `<title>`; its `<dc:title>` used instead (2 times)"]
        );
        let (out, fixes) = fixed(
            r#"<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns="http://purl.org/rss/1.0/"><item rdf:about="http://example.org/1"><title>a</title></item></rdf:RDF>"#,
        );
        assert!(
            out.contains(
                r#"<item rdf:about="http://example.org/1"><link>http://example.org/1</link><title>"#
            ),
            "{out}"
        );
        assert_eq!(fixes.len(), 1);
    }

    #[test]
    fn invalid_utf8_without_declaration_is_replaced() {
        let n =
            normalize(b"<feed xmlns=\"http://www.w3.org/2005/Atom\"><title>\xa7A</title></feed>");
        assert_eq!(n.repairs.len(), 1);
        assert!(std::str::from_utf8(&n.bytes).is_ok());
        // A declared legacy encoding is left to feed-rs.
        let latin1 = b"<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?><rss version=\"2.0\"><channel><title>\xe9</title></channel></rss>";
        let n = normalize(latin1);
        assert!(n.repairs.is_empty());
        assert!(matches!(n.bytes, Cow::Borrowed(_)));
    }

    #[test]
    fn errors_keep_the_edits_found_before_them() {
        let n = normalize(b"<rss><channel><title>x</ti");
        let out = String::from_utf8(n.bytes.into_owned()).unwrap();
        assert!(out.starts_with(r#"<rss version="2.0">"#), "{out}");
    }

    #[test]
    fn base64_decoder() {
        assert_eq!(base64_text("aGk=").as_deref(), Some("hi"));
        assert_eq!(base64_text(" aG\nk= ").as_deref(), Some("hi"));
        assert_eq!(base64_text("not base64!"), None);
        assert_eq!(base64_text("//79"), None); // not UTF-8
    }
}
