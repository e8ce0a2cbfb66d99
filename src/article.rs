//! The main text of an article page, for feeds declared `full_text = true`.
//!
//! Such a feed carries only an excerpt; the crawl fetches each item's page
//! through the same polite fetcher as the feed (robots.txt, per-host
//! intervals, conditional GET, body cap) and this module turns the page into
//! the item's body: dom_smoothie's port of Mozilla's Readability picks the
//! main content, which is then folded to plain text and capped at
//! [`MAX_BODY_BYTES`](crate::text::MAX_BODY_BYTES).
//!
//! A page nested deeper than [`MAX_HTML_DEPTH`](crate::text::MAX_HTML_DEPTH)
//! is refused before any tree is built (html5ever's tree builder is
//! quadratic in depth there), as is one with more than
//! [`MAX_ELEMENTS`] elements; the failure belongs to that one page.

use crate::text::{cap_body, clean_line, nesting_depth, MAX_HTML_DEPTH};

/// Most elements of a page the extractor scores; a larger page is refused.
pub const MAX_ELEMENTS: usize = 100_000;

/// Why a page gave no text.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ArticleError {
    /// Markup nested past the limit: never built into a tree.
    #[error("markup nested {depth} elements deep (limit {MAX_HTML_DEPTH}); not read")]
    TooDeep {
        /// The nesting found.
        depth: usize,
    },
    /// The page is not text (an image, a PDF…).
    #[error("not an HTML page ({0})")]
    NotHtml(String),
    /// The extractor found no article (or refused the page).
    #[error("no article text found: {0}")]
    NoArticle(String),
}

/// The main text of the HTML page `bytes`, fetched from `url`, as plain text
/// capped at [`MAX_BODY_BYTES`](crate::text::MAX_BODY_BYTES).
pub fn extract(bytes: &[u8], url: &str) -> Result<String, ArticleError> {
    let html = String::from_utf8_lossy(bytes);
    if html.contains('\0') {
        return Err(ArticleError::NotHtml("binary content".into()));
    }
    let depth = nesting_depth(&html);
    if depth > MAX_HTML_DEPTH {
        return Err(ArticleError::TooDeep { depth });
    }
    let cfg = dom_smoothie::Config {
        max_elements_to_parse: MAX_ELEMENTS,
        text_mode: dom_smoothie::TextMode::Formatted,
        ..Default::default()
    };
    let absolute = url::Url::parse(url).is_ok().then_some(url);
    let mut reader = dom_smoothie::Readability::new(html.as_ref(), absolute, Some(cfg))
        .map_err(|e| ArticleError::NoArticle(e.to_string()))?;
    let article = reader
        .parse()
        .map_err(|e| ArticleError::NoArticle(e.to_string()))?;
    let text = cap_body(clean_line(&article.text_content));
    if text.is_empty() {
        return Err(ArticleError::NoArticle(
            "the page's main content is empty".into(),
        ));
    }
    Ok(text)
}

#[cfg(test)]
mod tests {
    use super::*;

    // Guards #28 for article pages: deep markup is refused before a tree is built.
    #[test]
    fn deep_pages_are_refused_without_a_tree() {
        let deep = format!("<html><body>{}x</body></html>", "<div>".repeat(100_000));
        assert!(matches!(
            extract(deep.as_bytes(), "https://example.com/a"),
            Err(ArticleError::TooDeep { .. })
        ));
    }

    #[test]
    fn the_main_text_is_kept_and_the_chrome_dropped() {
        let para = "Tiered storage moves cold log segments to object storage. ".repeat(12);
        let html = format!(
            "<html><head><title>T</title></head><body><nav>Home About Careers</nav>\
             <article><h1>T</h1><p>{para}</p><p>{para}</p></article>\
             <footer>Copyright footer</footer></body></html>"
        );
        let text = extract(html.as_bytes(), "https://example.com/a").unwrap();
        assert!(
            text.contains("Tiered storage moves cold log segments"),
            "{text}"
        );
        assert!(!text.contains("Careers"), "{text}");
        assert!(!text.contains('\n'));
    }

    // Guards the depth estimate's blind spot: elements that close themselves
    // (`td`, `li`, `p`) are not counted, so markup just under the limit can
    // be three times as deep; extraction must still finish on a blocking
    // thread's 2 MiB stack (tokio's default), never overflow it.
    #[test]
    fn markup_just_under_the_limit_extracts_on_a_small_stack() {
        let cell = "<table><tr><td><ul><li>";
        let html = format!(
            "<html><body><article><p>{}</p>{}deep text{}</article></body></html>",
            "Words of a paragraph that is long enough to be an article. ".repeat(20),
            cell.repeat(MAX_HTML_DEPTH / 2 - 4),
            "</li></ul></td></tr></table>".repeat(MAX_HTML_DEPTH / 2 - 4),
        );
        assert!(
            nesting_depth(&html) <= MAX_HTML_DEPTH,
            "{}",
            nesting_depth(&html)
        );
        let worker = std::thread::Builder::new()
            .stack_size(2 * 1024 * 1024)
            .spawn(move || extract(html.as_bytes(), "https://example.com/a").is_ok())
            .unwrap();
        assert!(worker.join().is_ok());
    }

    #[test]
    fn binary_is_not_an_article() {
        assert!(matches!(
            extract(b"\x89PNG\r\n\x1a\n\0\0", "https://example.com/a.png"),
            Err(ArticleError::NotHtml(_))
        ));
    }
}
