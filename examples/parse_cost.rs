//! What one hostile HTML body costs horizon to read: time of
//! `text::html_to_text` on markup generated here at the shapes that cost
//! html5ever the most under the depth cap (nesting just below
//! `MAX_HTML_DEPTH`, repeated; misnested formatting elements; a flat page),
//! at sizes up to the fetcher's 16 MiB body cap (#28 item 2).
//!
//! ```sh
//! cargo run --release --example parse_cost            # 1, 4 and 16 MiB
//! cargo run --release --example parse_cost -- 2       # 2 MiB only
//! ```

use std::time::Instant;

use horizon::text::{html_to_text, MAX_HTML_DEPTH};

/// Repeat `unit` until the text is `bytes` long.
fn fill(unit: &str, bytes: usize) -> String {
    let mut s = String::with_capacity(bytes + unit.len());
    while s.len() + unit.len() <= bytes {
        s.push_str(unit);
    }
    s
}

fn shapes(bytes: usize) -> Vec<(&'static str, String)> {
    let d = MAX_HTML_DEPTH - 2;
    let nested = format!("{}kafka{}", "<div>".repeat(d), "</div>".repeat(d));
    vec![
        ("nested just below the cap", fill(&nested, bytes)),
        ("misnested <b><i><p>", fill("<b><i><p>kafka</b></i>", bytes)),
        (
            "unclosed <a> and <font>",
            fill("<a href=x><font>kafka", bytes),
        ),
        ("flat paragraphs", fill("<p>kafka streams</p>", bytes)),
    ]
}

fn main() {
    let sizes: Vec<usize> = match std::env::args().nth(1) {
        Some(mib) => vec![mib.parse().unwrap_or(1)],
        None => vec![1, 4, 16],
    };
    println!("| markup | size | html_to_text | text |");
    println!("|---|---|---|---|");
    for mib in sizes {
        for (what, html) in shapes(mib << 20) {
            let t = Instant::now();
            let text = html_to_text(&html);
            println!(
                "| {what} | {mib} MiB | {:.2} s | {} KiB |",
                t.elapsed().as_secs_f64(),
                text.len() >> 10
            );
        }
    }
}
