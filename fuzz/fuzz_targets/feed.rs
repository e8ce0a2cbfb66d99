//! Fuzz the feed adapter (RSS 0.9x/1.0/2.0, Atom, JSON Feed): any bytes must
//! give items or a `ParseError`, never a panic.
#![no_main]

use horizon::sources::{feed, ParseContext};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let ctx = ParseContext {
        source: "fuzz",
        url: "https://example.org/feed.xml",
        now: jiff::Timestamp::from_second(1_780_000_000).expect("constant time"),
    };
    let _ = feed::parse(data, &ctx);
});
