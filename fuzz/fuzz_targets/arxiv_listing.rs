//! Fuzz the arXiv listing (RSS) adapter: any bytes must give items or a
//! `ParseError`, never a panic.
#![no_main]

use horizon::sources::{arxiv, ParseContext};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let ctx = ParseContext {
        source: "fuzz",
        url: "https://rss.arxiv.org/rss/cs.DC",
        now: jiff::Timestamp::from_second(1_780_000_000).expect("constant time"),
    };
    let _ = arxiv::parse_listing(data, &ctx);
});
