//! Fuzz the feed adapter (RSS 0.9x/1.0/2.0, Atom, JSON Feed): any bytes must
//! give items or a `ParseError`, never a panic.
#![no_main]

use horizon::sources::{feed, ParseContext};
use libfuzzer_sys::fuzz_target;

fuzz_target!(
    // libfuzzer-sys aborts on every panic, even one horizon catches: feed-rs
    // can panic, and `check_feed` turns that into this feed's parse error.
    // The default hook again, so only a panic that escapes `parse` (which
    // libfuzzer-sys then aborts on) is a crash.
    init: {
        let _ = std::panic::take_hook();
    },
    |data: &[u8]| {
    let ctx = ParseContext {
        source: "fuzz",
        url: "https://example.org/feed.xml",
        now: jiff::Timestamp::from_second(1_780_000_000).expect("constant time"),
    };
    let _ = feed::parse(data, &ctx);
    }
);
