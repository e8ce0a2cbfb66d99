//! Fuzz the config loader: any text must give a `Config` or a
//! `ConfigError` whose message renders, never a panic.
#![no_main]

use std::path::Path;

use horizon::config::Config;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    // `Config::load` reads the file with `read_to_string`: only UTF-8 reaches `parse`.
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    match Config::parse(Path::new("/tmp/fuzz/sources.toml"), text) {
        Ok(cfg) => {
            let _ = cfg.index_dir();
        }
        Err(e) => {
            let _ = e.to_string();
        }
    }
});
