//! The checked-in `sources.toml` is itself a test input: it must load and
//! list the real sources (lychee's `test_config_example`).

use crate::support::*;

#[test]
fn checked_in_sources_toml_loads() {
    let config = repo_file("sources.toml");
    assert!(
        config.is_file(),
        "{} is missing: the repository must ship an example config",
        config.display()
    );
    let tmp = tempfile::tempdir().expect("tempdir");
    let index = tmp.path().join("index");
    let out = run_expect(horizon(&config, &index).args(["sources", "--json"]), 0);
    let rows = json_one(&stdout(&out));
    let rows = rows.as_array().expect("sources --json prints an array");
    assert!(
        rows.len() > 10,
        "only {} sources in {}",
        rows.len(),
        config.display()
    );
    // (Duplicate names are `Config::parse`'s to reject, tested in bad_input_table.)
    for r in rows {
        let name = r["name"].as_str().unwrap_or_else(|| panic!("no name: {r}"));
        let kind = r["kind"].as_str().unwrap_or_else(|| panic!("no kind: {r}"));
        assert!(
            ["arxiv", "feed", "github_trending", "cloud"].contains(&kind),
            "{name}: unknown kind {kind}"
        );
        assert!(r["status"].is_string(), "{name}: no status: {r}");
    }
    assert!(!index.exists(), "listing sources must not create an index");
}
