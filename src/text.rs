//! Text clean-up shared by every adapter and every output.
//!
//! Feed text arrives as HTML fragments, entity-escaped HTML, or whole HTML
//! documents (the Google Cloud blog wraps each description in `<html><body>`).
//! Everything stored in the index is plain text: tags stripped, entities
//! decoded, whitespace folded, and control characters (including terminal
//! escapes and bidi overrides) removed so nothing from a feed can act on a
//! terminal or a report.
//!
//! Nothing here recurses on the input, and no input makes the work grow faster
//! than its length: HTML that nests deeper than [`MAX_HTML_DEPTH`] (which no
//! real page does, and which makes html5ever's tree builder quadratic) is never
//! built into a tree; its text is taken by a linear scan instead (#28).

use scraper::Html;
use sha2::{Digest, Sha256};

/// Deepest element nesting, as [`nesting_depth`] estimates it, that is built
/// into a tree. Real feed and page markup stays far below (the fixtures' deepest
/// is under 40); html5ever's tree builder costs O(elements × depth).
pub const MAX_HTML_DEPTH: usize = 512;

/// Largest fragment built into a tree. Under [`MAX_HTML_DEPTH`] a tree costs
/// up to about 0.3 s per MiB (`examples/parse_cost.rs`); a larger fragment
/// (no real description or article comes near) is read by the linear scan,
/// which gives the same words, so one document's parse stays well under a
/// second whatever it holds.
pub const MAX_TREE_BYTES: usize = 1 << 20;

/// Plain text from an HTML fragment or document.
///
/// Block-level elements become spaces so words from adjacent paragraphs do not
/// run together; `<script>`/`<style>` contents are dropped.
pub fn html_to_text(html: &str) -> String {
    if !html.contains('<') && !html.contains('&') {
        return clean_line(html);
    }
    let depth = nesting_depth(html);
    if depth > MAX_HTML_DEPTH {
        TOO_DEEP.with(|t| {
            let (n, deepest) = t.get();
            t.set((n + 1, deepest.max(depth)));
        });
        return clean_line(&scan_text(html));
    }
    if html.len() > MAX_TREE_BYTES {
        return clean_line(&scan_text(html));
    }
    let doc = Html::parse_fragment(html);
    let mut out = String::with_capacity(html.len());
    collect_text(doc.root_element(), &mut out);
    clean_line(&out)
}

thread_local! {
    /// Fragments this thread read without a tree since [`take_too_deep`]
    /// was last called, and the deepest of them.
    static TOO_DEEP: std::cell::Cell<(usize, usize)> = const { std::cell::Cell::new((0, 0)) };
}

/// How many fragments this thread has read by the linear scan (nested past
/// [`MAX_HTML_DEPTH`]) since the last call, and the deepest nesting among
/// them; resets the count. The crawl calls it around each parse so the
/// warning lands under the source whose body it was.
pub fn take_too_deep() -> Option<(usize, usize)> {
    let (n, deepest) = TOO_DEEP.with(|t| t.replace((0, 0)));
    (n > 0).then_some((n, deepest))
}

/// Elements whose contents are never text a reader sees.
fn is_hidden(name: &str) -> bool {
    matches!(
        name,
        "script" | "style" | "noscript" | "template" | "head" | "title"
    )
}

/// Elements that run inside a line; every other element separates words.
fn is_inline(name: &str) -> bool {
    matches!(
        name,
        "a" | "b"
            | "i"
            | "em"
            | "strong"
            | "code"
            | "span"
            | "sub"
            | "sup"
            | "small"
            | "abbr"
            | "mark"
            | "u"
            | "s"
            | "q"
            | "cite"
            | "kbd"
            | "var"
    )
}

/// The text under `root` in document order, walked with an explicit stack
/// (ego_tree's `traverse`), so depth costs heap, never call stack.
fn collect_text(root: scraper::ElementRef<'_>, out: &mut String) {
    use ego_tree::iter::Edge;
    // While `hidden` is Some(id), everything until that element closes is skipped.
    let mut hidden: Option<ego_tree::NodeId> = None;
    for edge in root.traverse() {
        match edge {
            Edge::Open(node) if node.id() == root.id() => {}
            Edge::Close(node) if node.id() == root.id() => {}
            Edge::Open(node) => {
                if hidden.is_some() {
                    continue;
                }
                match node.value() {
                    scraper::Node::Text(t) => out.push_str(&t.text),
                    scraper::Node::Element(e) if is_hidden(e.name()) => hidden = Some(node.id()),
                    scraper::Node::Element(e) if !is_inline(e.name()) => out.push(' '),
                    _ => {}
                }
            }
            Edge::Close(node) => {
                if hidden == Some(node.id()) {
                    hidden = None;
                    continue;
                }
                if hidden.is_some() {
                    continue;
                }
                if let scraper::Node::Element(e) = node.value() {
                    if !is_inline(e.name()) {
                        out.push(' ');
                    }
                }
            }
        }
    }
}

/// Elements that never hold others (and so never deepen the nesting).
fn is_void(name: &str) -> bool {
    matches!(
        name,
        "area"
            | "base"
            | "br"
            | "col"
            | "embed"
            | "hr"
            | "img"
            | "input"
            | "link"
            | "meta"
            | "param"
            | "source"
            | "track"
            | "wbr"
    )
}

/// Elements HTML closes by itself when a sibling opens (an unclosed `<p>` or
/// `<li>` does not nest), so they are not counted either way.
fn closes_itself(name: &str) -> bool {
    matches!(
        name,
        "p" | "li" | "dt" | "dd" | "option" | "optgroup" | "tr" | "td" | "th" | "rb" | "rt" | "rp"
    )
}

/// A tag at the start of `rest` (just after its `<`): whether it closes, its
/// lower-case name, and how many bytes the tag takes up to its `>` (or to the
/// end). `None` when the `<` starts no tag (`a < b`, comments, doctypes).
fn tag_at(rest: &[u8]) -> Option<(bool, String, usize, bool)> {
    let (closing, from) = match rest.first() {
        Some(b'/') => (true, 1),
        _ => (false, 0),
    };
    let name_len = rest
        .get(from..)?
        .iter()
        .take_while(|b| b.is_ascii_alphanumeric() || **b == b'-' || **b == b':')
        .count();
    if name_len == 0 || !rest.get(from)?.is_ascii_alphabetic() {
        return None;
    }
    let name = String::from_utf8_lossy(&rest[from..from + name_len]).to_ascii_lowercase();
    let end = memchr_gt(&rest[from + name_len..]).map(|p| from + name_len + p + 1);
    let len = end.unwrap_or(rest.len());
    let self_closing = end.is_some_and(|e| e >= 2 && rest[e - 2] == b'/');
    Some((closing, name, len, self_closing))
}

fn memchr_gt(bytes: &[u8]) -> Option<usize> {
    bytes.iter().position(|b| *b == b'>')
}

/// The deepest element nesting of `html`, estimated in one linear pass over its
/// tags: void, self-closing and self-closing-by-sibling elements do not count,
/// a closing tag pops one level. Used only to decide whether building a tree is
/// safe; it may over-count badly broken markup, never under-count real nesting
/// by more than the elements HTML closes by itself.
pub fn nesting_depth(html: &str) -> usize {
    let bytes = html.as_bytes();
    let (mut depth, mut deepest, mut at) = (0usize, 0usize, 0usize);
    while let Some(pos) = bytes
        .get(at..)
        .and_then(|b| b.iter().position(|c| *c == b'<'))
    {
        at += pos + 1;
        let Some((closing, name, len, self_closing)) = bytes.get(at..).and_then(tag_at) else {
            continue;
        };
        at += len;
        if is_void(&name) || closes_itself(&name) || self_closing {
            continue;
        }
        if closing {
            depth = depth.saturating_sub(1);
        } else {
            depth += 1;
            deepest = deepest.max(depth);
        }
    }
    deepest
}

/// Text of HTML too deeply nested to build into a tree, in one linear pass:
/// tags become word breaks (inline ones nothing), the contents of hidden
/// elements are dropped, comments are skipped, entities decoded.
fn scan_text(html: &str) -> String {
    let bytes = html.as_bytes();
    let mut out = String::with_capacity(html.len() / 2);
    let mut at = 0usize;
    let mut text_from = 0usize;
    let mut hidden: Option<String> = None;
    while let Some(pos) = bytes
        .get(at..)
        .and_then(|b| b.iter().position(|c| *c == b'<'))
    {
        let lt = at + pos;
        if hidden.is_none() {
            out.push_str(html.get(text_from..lt).unwrap_or(""));
        }
        at = lt + 1;
        if bytes.get(at..).is_some_and(|b| b.starts_with(b"!--")) {
            let end = html
                .get(at..)
                .and_then(|r| r.find("-->"))
                .map_or(bytes.len(), |p| at + p + 3);
            at = end;
            text_from = end;
            continue;
        }
        let Some((closing, name, len, _)) = bytes.get(at..).and_then(tag_at) else {
            // A lone `<` is text; so is a `<!doctype`'s or `<?`'s body, which we drop.
            if bytes.get(at).is_some_and(|b| *b == b'!' || *b == b'?') {
                let end = memchr_gt(&bytes[at..]).map_or(bytes.len(), |p| at + p + 1);
                at = end;
                text_from = end;
            } else {
                text_from = lt;
            }
            continue;
        };
        at += len;
        text_from = at;
        match &hidden {
            Some(h) if closing && *h == name => hidden = None,
            Some(_) => {}
            None if !closing && is_hidden(&name) => hidden = Some(name),
            None if !is_inline(&name) => out.push(' '),
            None => {}
        }
    }
    if hidden.is_none() {
        out.push_str(html.get(text_from..).unwrap_or(""));
    }
    html_escape::decode_html_entities(&out).into_owned()
}

/// Whether a character must never reach a terminal or a report: C0/C1 controls
/// (ESC starts terminal escape sequences) and Unicode bidi overrides/isolates.
pub fn is_unsafe_char(c: char) -> bool {
    (c.is_control() && c != '\n' && c != '\t')
        || matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}' | '\u{200E}' | '\u{200F}' | '\u{061C}')
        || c == '\u{FEFF}'
}

/// One line of clean text: unsafe characters removed, all whitespace folded to
/// single spaces, trimmed.
pub fn clean_line(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut pending_space = false;
    for c in s.chars() {
        if c.is_whitespace() {
            pending_space = !out.is_empty();
            continue;
        }
        if is_unsafe_char(c) {
            continue;
        }
        if pending_space {
            out.push(' ');
            pending_space = false;
        }
        out.push(c);
    }
    out
}

/// Remove characters that could act on a terminal, keeping everything else.
pub fn terminal_safe(s: &str) -> String {
    s.chars()
        .map(|c| if c == '\n' || c == '\t' { ' ' } else { c })
        .filter(|c| !is_unsafe_char(*c))
        .collect()
}

/// A short, stable hex digest of `parts`, used for ids of items that carry no
/// id of their own. Parts are separated so `("ab","c")` and `("a","bc")` differ.
pub fn stable_hash(parts: &[&str]) -> String {
    let mut h = Sha256::new();
    for p in parts {
        h.update(p.as_bytes());
        h.update([0u8]);
    }
    let digest = h.finalize();
    digest[..8].iter().map(|b| format!("{b:02x}")).collect()
}

/// Longest error text [`short_error`] keeps, in characters.
pub const MAX_ERROR_CHARS: usize = 240;

/// A URL without its query string and fragment, as error summaries show it
/// (an arXiv API query alone runs to hundreds of characters).
pub fn url_without_query(url: &url::Url) -> String {
    let mut u = url.clone();
    u.set_query(None);
    u.set_fragment(None);
    u.to_string()
}

/// A source's error text shortened to one line for listings (`horizon
/// sources`, the crawl summary, the report's source health): URLs lose their
/// query strings, parts separated by `"; "` that become identical are kept
/// once with their count, credentials are masked (`redact`), and the result
/// is cut at [`MAX_ERROR_CHARS`]. The full text stays in `state.json`.
pub fn short_error(s: &str) -> String {
    static QUERY: std::sync::OnceLock<regex::Regex> = std::sync::OnceLock::new();
    let query = QUERY.get_or_init(|| {
        regex::Regex::new(r"(https?://[^\s?#]+)[?#]\S*?(:?(?:\s|$))").expect("a valid regex")
    });
    let mut parts: Vec<(String, usize)> = Vec::new();
    let s = crate::redact::redact_urls_in(s);
    for part in s.split("; ") {
        let part = terminal_safe(&query.replace_all(part.trim(), "$1$2"));
        match parts.iter_mut().find(|(p, _)| *p == part) {
            Some((_, n)) => *n += 1,
            None => parts.push((part, 1)),
        }
    }
    let joined = parts
        .iter()
        .map(|(p, n)| match n {
            1 => p.clone(),
            n => format!("{p} ({n} times)"),
        })
        .collect::<Vec<_>>()
        .join("; ");
    truncate_words(&joined, MAX_ERROR_CHARS)
}

/// Cut `s` to at most `max` characters on a word boundary, adding `…` if cut.
pub fn truncate_words(s: &str, max: usize) -> String {
    if s.chars().count() <= max {
        return s.to_string();
    }
    let cut: String = s.chars().take(max).collect();
    let cut = match cut.rfind(' ') {
        Some(pos) if pos > max / 2 => &cut[..pos],
        _ => cut.as_str(),
    };
    format!("{}…", cut.trim_end_matches([' ', ',', ';', ':', '.']))
}

/// Longest body ([`crate::model::Item::body`]) stored and indexed, in bytes
/// of UTF-8 text; longer text is cut on a word boundary.
pub const MAX_BODY_BYTES: usize = 100 * 1024;

/// `text` cut to at most [`MAX_BODY_BYTES`] bytes, on a word boundary when
/// one lies in the last quarter, always on a character boundary.
pub fn cap_body(mut text: String) -> String {
    if text.len() <= MAX_BODY_BYTES {
        return text;
    }
    let mut end = MAX_BODY_BYTES;
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    let head = text.get(..end).unwrap_or_default();
    if let Some(space) = head.rfind(' ').filter(|p| *p > MAX_BODY_BYTES * 3 / 4) {
        end = space;
    }
    text.truncate(end);
    text
}

/// `1234567` → `1,234,567`, as GitHub and the report print counts.
pub fn thousands(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    // Guards the body cap: bounded, never inside a character, on a word when it can be.
    #[test]
    fn bodies_are_capped_on_a_character_boundary() {
        let short = "kafka tiered storage".to_string();
        assert_eq!(cap_body(short.clone()), short);
        let words = "é".repeat(MAX_BODY_BYTES);
        let cut = cap_body(words);
        assert!(cut.len() <= MAX_BODY_BYTES && cut.len() >= MAX_BODY_BYTES - 1);
        let spaced = "word ".repeat(MAX_BODY_BYTES / 4);
        let cut = cap_body(spaced);
        assert!(
            cut.len() <= MAX_BODY_BYTES && cut.ends_with("word"),
            "{}",
            cut.len()
        );
    }

    #[test]
    fn strips_tags_and_decodes_entities() {
        let html = "<p>Hello&nbsp;<b>world</b> &amp; friends</p><p>Second\n\n para</p>";
        assert_eq!(html_to_text(html), "Hello world & friends Second para");
    }

    #[test]
    fn drops_script_and_style() {
        let html = "<div>safe<script>alert(1)</script><style>p{}</style> text</div>";
        assert_eq!(html_to_text(html), "safe text");
    }

    #[test]
    fn whole_documents_are_handled() {
        let html = "<html><head><title>x</title></head><body><p>Body text</p></body></html>";
        assert_eq!(html_to_text(html), "Body text");
    }

    /// Guards #28 item 1: 20,000 nested elements overflowed the stack of the
    /// recursive walk and aborted the process.
    #[test]
    fn deep_nesting_is_read_without_a_tree_or_recursion() {
        let n = 20_000;
        let html = format!(
            "{}kafka <i>streams</i>{}",
            "<b>".repeat(n),
            "</b>".repeat(n)
        );
        take_too_deep();
        assert_eq!(html_to_text(&html), "kafka streams");
        assert_eq!(take_too_deep(), Some((1, n + 1)), "the <i> inside counts");
        assert_eq!(take_too_deep(), None, "taking resets the count");
        let divs = format!(
            "{}<p>a</p><script>x</script><p>b</p>{}",
            "<div>".repeat(n),
            "</div>".repeat(n)
        );
        assert_eq!(html_to_text(&divs), "a b");
    }

    /// The tree walk is iterative too: just under the limit, in a thread
    /// with a small stack, it neither recurses nor changes the text.
    #[test]
    fn the_tree_walk_uses_no_stack_per_level() {
        let html = format!("{}deep{}", "<span>".repeat(500), "</span>".repeat(500));
        let text = std::thread::Builder::new()
            .stack_size(256 * 1024)
            .spawn(move || html_to_text(&html))
            .expect("thread")
            .join()
            .expect("no overflow");
        assert_eq!(text, "deep");
    }

    #[test]
    fn nesting_is_estimated_from_tags() {
        assert_eq!(nesting_depth("plain"), 0);
        assert_eq!(nesting_depth("<div><p>a<p>b<br><img src=x/></div>"), 1);
        assert_eq!(nesting_depth("<ul><li><ul><li>x</ul></ul>"), 2);
        assert_eq!(nesting_depth("a < b and <3 and <!-- <div> --> </x></y>"), 1);
        assert_eq!(nesting_depth(&"<div>".repeat(600)), 600);
        assert_eq!(nesting_depth(&"<div></div>".repeat(600)), 1);
    }

    /// The linear scan and the tree agree on real markup, so a page over the
    /// limit reads like one under it.
    #[test]
    fn the_scan_reads_ordinary_markup_like_the_tree() {
        for html in [
            "<p>Hello&nbsp;<b>world</b> &amp; friends</p><p>Second\n\n para</p>",
            "<div>safe<script>alert(1)</script><style>p{}</style> text</div>",
            "<html><head><title>x</title></head><body><p>Body text</p></body></html>",
            "<ul><li>one<li>two</ul><!-- hidden --><a href='x'>link</a>tail",
            "a < b, c > d &lt;e&gt;",
        ] {
            let tree = html_to_text(html);
            assert_eq!(clean_line(&scan_text(html)), tree, "{html}");
        }
    }

    /// A fragment over [`MAX_TREE_BYTES`] is read by the scan, with the
    /// words the tree would give.
    #[test]
    fn a_fragment_past_the_tree_limit_keeps_its_words() {
        let unit = "<p>Kafka&nbsp;<b>streams</b> &amp; <i>tables</i></p><ul><li>one<li>two</ul>";
        let big = unit.repeat(MAX_TREE_BYTES / unit.len() + 1);
        assert!(big.len() > MAX_TREE_BYTES);
        let text = html_to_text(&big);
        assert_eq!(text, clean_line(&scan_text(&big)));
        let doc = Html::parse_fragment(&big);
        let mut tree = String::new();
        collect_text(doc.root_element(), &mut tree);
        assert_eq!(
            text.split_whitespace().collect::<Vec<_>>(),
            clean_line(&tree).split_whitespace().collect::<Vec<_>>()
        );
    }

    /// The same over every HTML fragment of the recorded feeds.
    #[test]
    #[ignore = "needs ../shared/fixtures (set HORIZON_FIXTURES)"]
    fn the_scan_reads_every_fixture_like_the_tree() {
        let dir = crate::sources::test_support::fixtures_dir();
        let mut checked = 0;
        for sub in ["blog-feeds", "cloud-aws", "cloud-azure", "arxiv-rss"] {
            for entry in std::fs::read_dir(dir.join(sub)).expect("fixture folder") {
                let bytes = std::fs::read(entry.expect("entry").path()).expect("fixture");
                let Ok(feed) = feed_rs::parser::parse(bytes.as_slice()) else {
                    continue;
                };
                for e in feed.entries {
                    for html in e
                        .summary
                        .map(|s| s.content)
                        .into_iter()
                        .chain(e.content.and_then(|c| c.body))
                    {
                        let tree = html_to_text(&html);
                        let scan = clean_line(&scan_text(&html));
                        // Tables and lists the tree builder re-parents can
                        // differ in spacing only.
                        assert_eq!(scan.replace(' ', ""), tree.replace(' ', ""), "{html}");
                        checked += 1;
                    }
                }
            }
        }
        assert!(checked > 50, "{checked} fragments");
    }

    #[test]
    fn control_and_bidi_characters_are_removed() {
        let s = "evil\u{1b}[31mred\u{202E}txet\u{7}";
        assert_eq!(clean_line(s), "evil[31mredtxet");
        assert_eq!(terminal_safe("a\u{1b}]0;title\u{7}b"), "a]0;titleb");
    }

    #[test]
    fn hashes_are_stable_and_separated() {
        assert_eq!(stable_hash(&["a", "b"]), stable_hash(&["a", "b"]));
        assert_ne!(stable_hash(&["ab", "c"]), stable_hash(&["a", "bc"]));
        assert_eq!(stable_hash(&["x"]).len(), 16);
    }

    #[test]
    fn short_errors_drop_queries_and_count_repeats() {
        let wall = (0..10)
            .map(|i| format!("https://export.arxiv.org/api/query?search_query=cat%3Acs.PF&start={i}: cannot resolve host export.arxiv.org"))
            .collect::<Vec<_>>()
            .join("; ");
        assert_eq!(
            short_error(&wall),
            "https://export.arxiv.org/api/query: cannot resolve host export.arxiv.org (10 times)"
        );
        assert_eq!(short_error("HTTP 404 Not Found"), "HTTP 404 Not Found");
        assert!(short_error(&"x ".repeat(500)).chars().count() <= MAX_ERROR_CHARS + 1);
    }

    #[test]
    fn truncation_keeps_words() {
        assert_eq!(truncate_words("short", 10), "short");
        assert_eq!(
            truncate_words("the quick brown fox jumps", 12),
            "the quick…"
        );
    }
}
