//! The integration tests, as one test binary (ripgrep's `tests/tests.rs`,
//! fd's `tests/`): cargo links the library and the dev-dependencies once,
//! not once per file. Each module below was a `tests/<name>.rs` of its own;
//! a test's full name is `<module>::<test>`, and the filter is a substring:
//!
//! ```text
//! cargo test --test integration                    # all that runs without the shared fixtures
//! HORIZON_FIXTURES=../shared/fixtures cargo test --test integration -- --include-ignored
//! cargo test --test integration absorb_devset -- --include-ignored   # one module
//! cargo test --test integration faults::http_500 -- --include-ignored --nocapture
//! ```
//!
//! All tests share one process and run on parallel threads (cargo's default),
//! so a test never changes the process: no `std::env::set_var`, no
//! `set_current_dir`, no global tracing subscriber or signal handler. It gives
//! the `horizon` binary it runs what that needs (`support::horizon_in` starts
//! it with an empty environment in a folder of the test's choosing; `.env(…)`
//! sets a variable for that child only), binds loopback ports as
//! `127.0.0.1:0`, and keeps its files in a `tempfile::tempdir()`. A
//! `#[tokio::test]` gets a runtime of its own.
//!
//! A new test module: write `tests/integration/<name>.rs` starting with a
//! `//!` comment that says what it guards, take the helpers with
//! `use crate::support::*;` (`TestConfig::loopback()` for a config whose
//! sources are on a loopback server, `horizon(&config, &index)` for the
//! binary, `fixtures()` for the recorded payloads), and add `mod <name>;` to
//! the list below. The goldens are insta snapshots; how to update them is in
//! `report_golden`.

mod support;

mod absorb_devset;
mod absorb_launch_e2e;
mod absorb_timeline;
mod absorption_vendors;
mod address_policy;
mod alerts;
mod bad_input_table;
mod bom_feeds;
mod cli_bad_input;
mod cli_config_example;
mod cli_everyday;
mod cli_feed;
mod cli_lock;
mod cli_manners;
mod cli_reindex;
mod crash;
mod crawler_politeness;
mod deep_markup;
mod demo;
mod faults;
mod feed_corpus;
mod feeds_out;
mod first_run;
mod full_text;
mod hostile;
mod ids;
mod launch_wording;
mod marks;
mod offline_fail_fast;
mod offline_replay;
mod oversized;
mod radar_export;
mod read_only;
mod redaction;
mod report_build;
mod report_deliver;
mod report_flags;
mod report_golden;
mod robots;
mod rules;
mod serve;
mod serve_browser;
mod serve_marks;
mod serve_sessions;
mod similar;
mod sources_e2e;
mod stories;
mod systems_discover;
mod topic_devset;
mod topweek_devset;
mod trend_history;
