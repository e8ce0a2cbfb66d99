//! Fuzz the query parser against the real schema: any text must give a
//! query or a positioned `QueryError` whose caret line renders, never a panic.
#![no_main]

use std::sync::LazyLock;

use horizon::search::parse_query;
use libfuzzer_sys::fuzz_target;

static INDEX: LazyLock<tantivy::Index> =
    LazyLock::new(|| tantivy::Index::create_in_ram(horizon::index::build_schema().0));

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    if let Err(e) = parse_query(&INDEX, text) {
        let _ = e.to_string();
        let _ = e.pointer(text);
    }
});
