//! Text clean-up shared by every adapter and every output.
//!
//! Feed text arrives as HTML fragments, entity-escaped HTML, or whole HTML
//! documents (the Google Cloud blog wraps each description in `<html><body>`).
//! Everything stored in the index is plain text: tags stripped, entities
//! decoded, whitespace folded, and control characters (including terminal
//! escapes and bidi overrides) removed so nothing from a feed can act on a
//! terminal or a report.

use scraper::Html;
use sha2::{Digest, Sha256};

/// Plain text from an HTML fragment or document.
///
/// Block-level elements become spaces so words from adjacent paragraphs do not
/// run together; `<script>`/`<style>` contents are dropped.
pub fn html_to_text(html: &str) -> String {
    if !html.contains('<') && !html.contains('&') {
        return clean_line(html);
    }
    let doc = Html::parse_fragment(html);
    let mut out = String::with_capacity(html.len());
    collect_text(doc.root_element(), &mut out);
    clean_line(&out)
}

fn collect_text(el: scraper::ElementRef<'_>, out: &mut String) {
    for child in el.children() {
        match child.value() {
            scraper::Node::Text(t) => out.push_str(t),
            scraper::Node::Element(e) => {
                let name = e.name();
                if matches!(
                    name,
                    "script" | "style" | "noscript" | "template" | "head" | "title"
                ) {
                    continue;
                }
                if let Some(child_el) = scraper::ElementRef::wrap(child) {
                    let block = !matches!(
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
                    );
                    if block {
                        out.push(' ');
                    }
                    collect_text(child_el, out);
                    if block {
                        out.push(' ');
                    }
                }
            }
            _ => {}
        }
    }
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
/// once with their count, and the result is cut at [`MAX_ERROR_CHARS`].
/// The full text stays in `state.json` and in `-v` output.
pub fn short_error(s: &str) -> String {
    static QUERY: std::sync::OnceLock<regex::Regex> = std::sync::OnceLock::new();
    let query = QUERY.get_or_init(|| {
        regex::Regex::new(r"(https?://[^\s?#]+)[?#]\S*?(:?(?:\s|$))").expect("a valid regex")
    });
    let mut parts: Vec<(String, usize)> = Vec::new();
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
