//! Fuzz every text extractor with deep and wide HTML (#28): the input is a
//! recipe, not the markup, so a few bytes can ask for tens of thousands of
//! nested or sibling elements. Each byte pair is (what, how many): open N
//! elements of a tag, close N, add N siblings, add text, or an unclosed or
//! broken tag. The result goes to `text::html_to_text`, the Google Cloud note
//! splitter, the trending page parser and a feed item's description; none may
//! panic or overflow the stack, whatever the nesting.
#![no_main]

use horizon::model::TrendingPeriod;
use horizon::sources::cloud::gcp;
use horizon::sources::{feed, trending, ParseContext};
use libfuzzer_sys::fuzz_target;

const TAGS: &[&str] = &[
    "div", "b", "p", "li", "ul", "table", "td", "span", "script", "style", "h2", "h3", "a", "svg",
    "math", "template", "select", "option", "font", "i",
];

fn markup(data: &[u8]) -> String {
    let mut out = String::new();
    for pair in data.chunks(2) {
        let (op, n) = (pair[0], pair.get(1).copied().unwrap_or(1));
        let tag = TAGS[usize::from(op >> 3) % TAGS.len()];
        // Up to 255 × 128 = 32,640 repetitions of one step.
        let times = usize::from(n) * if op & 4 == 0 { 1 } else { 128 };
        for _ in 0..times {
            match op & 3 {
                0 => out.push_str(&format!("<{tag}>")),
                1 => out.push_str(&format!("</{tag}>")),
                2 => out.push_str(&format!("<{tag}>w</{tag}>")),
                _ => out.push_str("x &amp; <y"),
            }
        }
        if out.len() > 4 << 20 {
            break;
        }
    }
    out
}

fuzz_target!(|data: &[u8]| {
    let html = markup(data);
    let _ = horizon::text::html_to_text(&html);
    for note in gcp::split_notes(&html) {
        let _ = gcp::stage(&note.note_type, &note.text);
    }
    let ctx = ParseContext {
        source: "fuzz",
        url: "https://github.com/trending",
        now: jiff::Timestamp::from_second(1_780_000_000).expect("constant time"),
    };
    let _ = trending::parse(html.as_bytes(), &ctx, TrendingPeriod::Daily);
    let escaped = html
        .replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;");
    let rss = format!(
        "<?xml version=\"1.0\"?><rss version=\"2.0\"><channel><title>t</title><item><title>x</title><link>https://example.com/x</link><description>{escaped}</description></item></channel></rss>"
    );
    let _ = feed::parse(rss.as_bytes(), &ctx);
});
