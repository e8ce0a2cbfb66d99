//! `horizon systems discover` (#31 item 4): the systems a reader finds in
//! real public manifests, charts, compose files and Terraform (saved with
//! their provenance in tests/data/inventory), and `--write` into a commented
//! `sources.toml`.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use serde::Deserialize;
use serde_json::Value;

use crate::support::fixtures::repo_toml;
use crate::support::{horizon_in, repo_file, run_expect, stderr, stdout};

const DATA: &str = "tests/data/inventory";

#[derive(Deserialize)]
struct Expected {
    systems: Vec<String>,
    #[serde(default)]
    offerings: Vec<String>,
}

fn saved_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let mut entries: Vec<PathBuf> = std::fs::read_dir(dir)
        .expect("data folder")
        .map(|e| e.expect("entry").path())
        .collect();
    entries.sort();
    for p in entries {
        if p.is_dir() {
            saved_files(&p, out);
        } else if !matches!(
            p.file_name().and_then(|n| n.to_str()),
            Some("EXPECTED.toml" | "PROVENANCE.md")
        ) {
            out.push(p);
        }
    }
}

// Done-when of #31 item 4: on the saved real files discover finds every system
// a reader finds (EXPECTED.toml) and nothing else, with the offerings.
#[test]
fn discover_finds_what_a_reader_finds() {
    let root = repo_file(DATA);
    let expected: BTreeMap<String, Expected> = repo_toml(&format!("{DATA}/EXPECTED.toml"));
    let mut files = Vec::new();
    saved_files(&root, &mut files);
    let listed: BTreeSet<String> = files
        .iter()
        .map(|f| {
            f.strip_prefix(&root)
                .expect("under root")
                .display()
                .to_string()
        })
        .collect();
    let labelled: BTreeSet<String> = expected.keys().cloned().collect();
    assert_eq!(
        listed, labelled,
        "every saved file has a line in EXPECTED.toml and back"
    );

    let found = horizon::inventory::discover(std::slice::from_ref(&root)).expect("discover");
    // terraform-provider-helm's example_1.tf repeats the `set` argument, which
    // HCL forbids: it is read by the line scan, with a warning.
    let warned: Vec<String> = found
        .warnings
        .iter()
        .map(|w| {
            w.file
                .strip_prefix(&root)
                .unwrap_or(&w.file)
                .display()
                .to_string()
        })
        .collect();
    assert_eq!(
        warned,
        ["terraform-provider-helm/examples/resources/release/example_1.tf"],
        "{:#?}",
        found.warnings
    );
    assert!(found.warnings[0].message.contains("read by a line scan"));
    let (mut tp, mut fp, mut fn_) = (0usize, 0usize, 0usize);
    let mut wrong = Vec::new();
    for (rel, want) in &expected {
        let file = root.join(rel);
        let got: BTreeSet<&str> = found.systems_in(&file).into_iter().collect();
        let want_set: BTreeSet<&str> = want.systems.iter().map(String::as_str).collect();
        tp += got.intersection(&want_set).count();
        fp += got.difference(&want_set).count();
        fn_ += want_set.difference(&got).count();
        if got != want_set {
            wrong.push(format!("{rel}: found {got:?}, a reader finds {want_set:?}"));
        }
        let offerings: BTreeSet<&str> = found
            .systems
            .iter()
            .flat_map(|s| &s.found_in)
            .filter(|e| e.file == file)
            .filter_map(|e| e.offering.as_deref())
            .collect();
        let want_offerings: BTreeSet<&str> = want.offerings.iter().map(String::as_str).collect();
        if offerings != want_offerings {
            wrong.push(format!(
                "{rel}: offerings {offerings:?}, expected {want_offerings:?}"
            ));
        }
    }
    let precision = tp as f64 / (tp + fp).max(1) as f64;
    let recall = tp as f64 / (tp + fn_).max(1) as f64;
    println!(
        "systems discover on {} saved files: {tp} (file, system) pairs right, {fp} extra, {fn_} missed; precision {precision:.3}, recall {recall:.3}",
        expected.len()
    );
    assert!(wrong.is_empty(), "{wrong:#?}");
    assert_eq!((precision, recall), (1.0, 1.0));
}

#[test]
fn discover_prints_each_system_with_where_it_was_found() {
    let tmp = tempfile::tempdir().expect("temp dir");
    let root = repo_file(DATA);
    let out = run_expect(
        horizon_in(tmp.path())
            .args(["systems", "discover"])
            .arg(&root),
        0,
    );
    let text = stdout(&out);
    let memorystore = root.join("microservices-demo/terraform/memorystore.tf");
    assert!(
        text.contains("Redis  (topic databases)  already on Memorystore for Redis"),
        "{text}"
    );
    assert!(
        text.contains(&format!(
            "  {}: resource google_redis_instance.redis-cart",
            memorystore.display()
        )),
        "{text}"
    );
    assert!(
        text.contains("image redis:alpine in Deployment redis-cart"),
        "{text}"
    );
    assert!(
        !text.contains("dpage/pgadmin4"),
        "a client is not found: {text}"
    );

    // --json: the same, as one object.
    let out = run_expect(
        horizon_in(tmp.path())
            .args(["systems", "discover", "--json"])
            .arg(&root),
        0,
    );
    let json: Value = serde_json::from_str(&stdout(&out)).expect("JSON");
    let systems = json["systems"].as_array().expect("systems");
    let kafka = systems
        .iter()
        .find(|s| s["system"] == "Kafka")
        .expect("Kafka found");
    assert_eq!(kafka["topic"], "stream-processing");
    assert!(kafka["found_in"]
        .as_array()
        .expect("found_in")
        .iter()
        .any(|e| e["what"] == "chart kafka"
            && e["file"]
                .as_str()
                .is_some_and(|f| f.ends_with("Chart.yaml"))));
    let k8s = systems
        .iter()
        .find(|s| s["system"] == "Kubernetes")
        .expect("Kubernetes");
    assert_eq!(
        k8s["already_on"],
        serde_json::json!(["Google Kubernetes Engine"])
    );
    assert_eq!(json["warnings"].as_array().map(Vec::len), Some(1));
    assert!(json.get("written").is_none());
}

#[test]
fn a_missing_path_is_a_usage_error_and_a_broken_file_a_warning() {
    let tmp = tempfile::tempdir().expect("temp dir");
    let out = run_expect(
        horizon_in(tmp.path()).args(["systems", "discover", "no-such-folder"]),
        2,
    );
    let err = stderr(&out);
    assert!(
        err.contains("no-such-folder: no such file or folder"),
        "{err}"
    );
    assert!(!err.contains("panicked"), "{err}");

    // A broken YAML file, a Helm template, an unreadable file and a broken
    // .tf: each a warning naming the file; the good file is still read.
    let dir = tmp.path().join("inv");
    std::fs::create_dir_all(dir.join("chart/templates")).expect("dirs");
    std::fs::write(dir.join("broken.yaml"), "kind: [unclosed\n").expect("write");
    std::fs::write(dir.join("main.tf"), "resource \"aws_msk_cluster\" {\n").expect("write");
    std::fs::write(dir.join("latin1.yaml"), b"image: caf\xe9\n").expect("write");
    std::fs::write(
        dir.join("chart/Chart.yaml"),
        "apiVersion: v2\nname: postgresql\n",
    )
    .expect("write");
    std::fs::write(
        dir.join("chart/templates/deploy.yaml"),
        "image: {{ .Values.image.repository }}\n{{- if .Values.x }}\n",
    )
    .expect("write");
    std::fs::write(
        dir.join("compose.yaml"),
        "services:\n  cache:\n    image: ${CACHE_IMAGE}\n  queue:\n    image: rabbitmq:3-management\n",
    )
    .expect("write");
    std::fs::write(dir.join("notes.txt"), "redis").expect("write");
    let out = run_expect(
        horizon_in(tmp.path())
            .args(["systems", "discover", "inv", "--json"])
            .arg(dir.join("notes.txt")),
        0,
    );
    let json: Value = serde_json::from_str(&stdout(&out)).expect("JSON");
    let names: Vec<&str> = json["systems"]
        .as_array()
        .expect("systems")
        .iter()
        .filter_map(|s| s["system"].as_str())
        .collect();
    assert_eq!(names, ["PostgreSQL", "RabbitMQ", "Kubernetes"], "{json:#}");
    let warnings: Vec<String> = json["warnings"]
        .as_array()
        .expect("warnings")
        .iter()
        .map(|w| {
            format!(
                "{} {}",
                w["file"].as_str().unwrap_or(""),
                w["message"].as_str().unwrap_or("")
            )
        })
        .collect();
    let has = |file: &str, words: &str| {
        warnings
            .iter()
            .any(|w| w.contains(file) && w.contains(words))
    };
    assert!(has("broken.yaml", "not valid YAML"), "{warnings:#?}");
    assert!(has("main.tf", "not valid HCL"), "{warnings:#?}");
    assert!(has("latin1.yaml", "not UTF-8"), "{warnings:#?}");
    assert!(has("compose.yaml", "${CACHE_IMAGE}"), "{warnings:#?}");
    assert!(
        has("notes.txt", "not a file discover reads"),
        "{warnings:#?}"
    );
    assert!(
        !warnings.iter().any(|w| w.contains("templates")),
        "{warnings:#?}"
    );
    let err = stderr(&out);
    assert!(
        err.contains("horizon: warning: inv/broken.yaml: not valid YAML"),
        "{err}"
    );
}

#[test]
fn discover_reads_backstage_entities_by_name() {
    let tmp = tempfile::tempdir().expect("temp dir");
    std::fs::write(
        tmp.path().join("catalog-info.yaml"),
        "apiVersion: backstage.io/v1alpha1\nkind: Resource\nmetadata:\n  name: kafka\nspec:\n  type: message-broker\n  owner: team-a\n---\napiVersion: backstage.io/v1alpha1\nkind: Resource\nmetadata:\n  name: orders-db\nspec:\n  type: database\n  owner: team-a\n",
    )
    .expect("write");
    let found =
        horizon::inventory::discover(&[tmp.path().join("catalog-info.yaml")]).expect("discover");
    let names: Vec<&str> = found.systems.iter().map(|s| s.system.as_str()).collect();
    assert_eq!(
        names,
        ["Kafka"],
        "a Backstage entity is not a Kubernetes manifest"
    );
    assert_eq!(
        found.systems[0].found_in[0].what,
        "Backstage Resource kafka"
    );
}

/// Every comment line of `before`, in order, is in `after`.
fn comments_kept(before: &str, after: &str) {
    let comments = |t: &str| -> Vec<String> {
        t.lines()
            .filter_map(|l| l.find('#').map(|i| l[i..].to_string()))
            .collect()
    };
    assert_eq!(comments(before), comments(after), "comments changed");
}

// Done-when of #31 item 4: `--write` keeps comments; a second run changes nothing.
#[test]
fn write_adds_systems_to_their_topics_and_keeps_comments() {
    let tmp = tempfile::tempdir().expect("temp dir");
    let config = tmp.path().join("sources.toml");
    let original = std::fs::read_to_string(repo_file("sources.toml")).expect("sources.toml");
    std::fs::write(&config, &original).expect("copy");
    let root = repo_file(DATA);
    let out = run_expect(
        horizon_in(tmp.path())
            .args(["--config", "sources.toml", "systems", "discover", "--write"])
            .arg(&root),
        0,
    );
    let text = stdout(&out);
    assert!(
        text.contains("added MariaDB to topic \"databases\""),
        "{text}"
    );
    assert!(
        text.contains("Kafka: already in topic \"stream-processing\""),
        "{text}"
    );
    let after = std::fs::read_to_string(&config).expect("read");
    comments_kept(&original, &after);
    let changed: Vec<(&str, &str)> = original
        .lines()
        .zip(after.lines())
        .filter(|(a, b)| a != b)
        .collect();
    assert_eq!(
        changed,
        [(
            r#"systems = ["PostgreSQL", "MySQL", "MongoDB", "Cassandra", "Redis", "ClickHouse"]"#,
            r#"systems = ["PostgreSQL", "MySQL", "MongoDB", "Cassandra", "Redis", "ClickHouse", "MariaDB"]"#
        )],
        "only the databases topic's systems change"
    );
    assert_eq!(original.lines().count(), after.lines().count());
    horizon::config::Config::load(&config).expect("still a valid config");

    // Idempotent: the second run adds nothing and leaves the bytes alone.
    let out = run_expect(
        horizon_in(tmp.path())
            .args([
                "--config",
                "sources.toml",
                "systems",
                "discover",
                "--write",
                "--json",
            ])
            .arg(&root),
        0,
    );
    assert_eq!(std::fs::read_to_string(&config).expect("read"), after);
    let json: Value = serde_json::from_str(&stdout(&out)).expect("JSON");
    let written = json["written"].as_array().expect("written");
    assert!(
        written.iter().all(|p| p["outcome"] == "already_listed"),
        "{json:#}"
    );
}

// Topics named otherwise: a system goes to the topic that already lists a
// system of its catalog topic; with none, it is reported and not added.
#[test]
fn write_follows_the_configs_own_topic_names() {
    let tmp = tempfile::tempdir().expect("temp dir");
    let config = tmp.path().join("sources.toml");
    let original = r#"# our topics
[[topics]]
name = "data-stores" # renamed
keywords = ["database"]
systems = [
    "Postgres", # by its other name
]

[[topics]]
name = "stream-processing"
keywords = ["kafka"]
"#;
    std::fs::write(&config, original).expect("write");
    let inv = tmp.path().join("compose.yaml");
    std::fs::write(
        &inv,
        "services:\n  db:\n    image: postgres:16\n  cache:\n    image: redis:7\n  broker:\n    image: apache/kafka:3.7.0\n  metrics:\n    image: prom/prometheus\n",
    )
    .expect("write");
    let out = run_expect(
        horizon_in(tmp.path()).args([
            "--config",
            "sources.toml",
            "systems",
            "discover",
            "compose.yaml",
            "--write",
        ]),
        0,
    );
    let text = stdout(&out);
    assert!(
        text.contains("PostgreSQL: already in topic \"data-stores\""),
        "{text}"
    );
    assert!(
        text.contains("added Redis to topic \"data-stores\""),
        "{text}"
    );
    assert!(
        text.contains("added Kafka to topic \"stream-processing\""),
        "{text}"
    );
    assert!(
        text.contains("Prometheus: not added; the config has no topic \"observability\""),
        "{text}"
    );
    let after = std::fs::read_to_string(&config).expect("read");
    comments_kept(original, &after);
    assert!(
        after.contains("    \"Postgres\", # by its other name\n    \"Redis\",\n]"),
        "{after}"
    );
    assert!(after.contains("systems = [\"Kafka\"]"), "{after}");
    horizon::config::Config::load(&config).expect("still a valid config");
}

#[test]
fn write_without_a_config_is_a_usage_error() {
    let tmp = tempfile::tempdir().expect("temp dir");
    std::fs::write(
        tmp.path().join("compose.yaml"),
        "services:\n  db:\n    image: postgres\n",
    )
    .expect("write");
    let out = run_expect(
        horizon_in(tmp.path()).args(["systems", "discover", "compose.yaml", "--write"]),
        2,
    );
    assert!(stderr(&out).contains("cannot read"), "{}", stderr(&out));
}
