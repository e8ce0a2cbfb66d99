//! Fuzz the arXiv API (Atom) adapter: any bytes must give a page or a
//! `ParseError`, never a panic.
#![no_main]

use horizon::sources::{arxiv, ParseContext};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let ctx = ParseContext {
        source: "fuzz",
        url: "https://export.arxiv.org/api/query?search_query=all:x",
        now: jiff::Timestamp::from_second(1_780_000_000).expect("constant time"),
    };
    let _ = arxiv::parse_api(data, &ctx);
});
