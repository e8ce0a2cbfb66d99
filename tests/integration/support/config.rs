//! The one way tests write a `sources.toml`: [`TestConfig`] for a config
//! that points sources at a loopback server, [`write_config`] for any text
//! (the malformed configs of `bad_input_table` are written as they are).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// What [`TestConfig::loopback`] sets for servers that behave (wiremock,
/// the replay server): generous timeouts for a loaded machine, no retries so
/// a failure is quick and counted once.
const LOOPBACK: &[(&str, &str)] = &[
    ("per_host_concurrency", "8"),
    ("concurrency", "16"),
    ("connect_timeout", "\"2s\""),
    ("timeout", "\"10s\""),
    ("retries", "0"),
];

/// What [`TestConfig::faults`] changes: short timeouts, two retries and a
/// small body cap, so the fault server's misbehaviours are met quickly.
const FAULTS: &[(&str, &str)] = &[
    ("connect_timeout", "\"1s\""),
    ("timeout", "\"2s\""),
    ("retries", "2"),
    ("retry_budget", "\"10s\""),
    ("max_body_bytes", "1048576"),
];

/// A `sources.toml` being put together: `[settings]` (one key each, written
/// in key order), then feed sources and any other tables, in the order given.
#[derive(Debug, Clone)]
pub struct TestConfig {
    settings: BTreeMap<String, String>,
    tables: String,
}

impl TestConfig {
    /// The crawler's own settings (timeouts, retries) but for the
    /// politeness delay between requests to a host, which is 0 (the
    /// politeness tests set one).
    pub fn defaults() -> Self {
        TestConfig {
            settings: BTreeMap::from([("per_host_interval".into(), "\"0ms\"".into())]),
            tables: String::new(),
        }
    }

    /// Settings for sources on a well-behaved loopback server.
    pub fn loopback() -> Self {
        Self::defaults().set_all(LOOPBACK)
    }

    /// Settings for sources on the fault-injection server
    /// (`support::fault_server`).
    pub fn faults() -> Self {
        Self::loopback().set_all(FAULTS)
    }

    fn set_all(self, settings: &[(&str, &str)]) -> Self {
        settings.iter().fold(self, |cfg, (k, v)| cfg.set(k, v))
    }

    /// Set a `[settings]` key to a TOML value (`"\"300ms\""`, `"0"`).
    pub fn set(mut self, key: &str, toml_value: &str) -> Self {
        self.settings.insert(key.into(), toml_value.into());
        self
    }

    /// Add a `kind = "feed"` source.
    pub fn feed(self, name: &str, url: &str) -> Self {
        self.toml(&format!(
            "\n[[sources]]\nname = \"{name}\"\nkind = \"feed\"\nurl = \"{url}\"\n"
        ))
    }

    /// Add TOML after what is there: `[[topics]]`, `[report]`, sources of
    /// other kinds, or a key for the table written last.
    pub fn toml(mut self, text: &str) -> Self {
        self.tables.push_str(text);
        self
    }

    /// The file's text.
    pub fn text(&self) -> String {
        let mut text = String::from("[settings]\n");
        for (k, v) in &self.settings {
            text.push_str(&format!("{k} = {v}\n"));
        }
        text.push_str(&self.tables);
        text
    }

    /// Write it as `sources.toml` in `dir`; returns its path.
    pub fn write(&self, dir: &Path) -> PathBuf {
        write_config(dir, &self.text())
    }
}

/// Write `text` as `sources.toml` in `dir`; returns its path.
pub fn write_config(dir: &Path, text: &str) -> PathBuf {
    let p = dir.join("sources.toml");
    std::fs::write(&p, text).unwrap_or_else(|e| panic!("cannot write {}: {e}", p.display()));
    p
}
