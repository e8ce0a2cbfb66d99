//! Fuzz the Google Cloud release-notes adapter: the note splitter over any
//! text, and the whole adapter over any bytes; never a panic.
#![no_main]

use horizon::model::Vendor;
use horizon::sources::cloud::{self, gcp};
use horizon::sources::ParseContext;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let html = String::from_utf8_lossy(data);
    for note in gcp::split_notes(&html) {
        let _ = gcp::stage(&note.note_type, &note.text);
    }
    let ctx = ParseContext {
        source: "fuzz",
        url: "https://docs.cloud.google.com/feeds/gcp-release-notes.xml",
        now: jiff::Timestamp::from_second(1_780_000_000).expect("constant time"),
    };
    let _ = cloud::parse(Vendor::Gcp, data, &ctx);
});
