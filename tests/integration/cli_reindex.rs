//! `horizon reindex`: an index from an earlier schema is refused with a
//! pointer to `reindex`, and `reindex` rebuilds it from the stored items —
//! re-tagged and re-classified — keeping the old files as a backup.

#![allow(clippy::unwrap_used)]

use crate::support::*;
use horizon::model::{Item, Kind, Stage, Vendor};

/// An index as schema version 1 left it: the whole item as JSON in `item`,
/// without the cloud-note classification this version adds.
fn old_index(dir: &std::path::Path, items: &[Item]) {
    legacy_index(dir, items, 1);
}

/// An AWS note of the MSK launch, as an earlier schema stored it.
fn msk_launch() -> Item {
    let mut launch = Item::new(
        "aws:1",
        Kind::Cloud,
        "aws",
        "Amazon MSK is now generally available",
        "https://aws.amazon.com/new/msk",
    );
    launch.vendor = Some(Vendor::Aws);
    launch.products = vec!["Amazon MSK".into()];
    launch.published = Some("2019-05-30T12:00:00Z".parse().unwrap());
    launch
}

#[test]
fn reindex_upgrades_an_old_index_and_keeps_a_backup() {
    let dir = tempfile::tempdir().unwrap();
    let config = write_config(
        dir.path(),
        "[[topics]]\nname = \"stream-processing\"\nkeywords = [\"message broker\"]\nsystems = [\"Kafka\"]\n",
    );
    let index = dir.path().join("index");
    let mut launch = msk_launch();
    launch.stage = Some(Stage::Ga);
    let mut post = Item::new(
        "feed:1",
        Kind::Article,
        "blog",
        "A message broker at scale",
        "https://blog.example/1",
    );
    post.published = Some("2019-05-31T12:00:00Z".parse().unwrap());
    old_index(&index, &[launch, post]);

    let refused = run_expect(horizon(&config, &index).args(["search", "kafka"]), 3);
    assert!(
        stderr(&refused).contains("horizon reindex"),
        "{}",
        stderr(&refused)
    );

    let out = run_expect(horizon(&config, &index).arg("reindex"), 0);
    assert!(
        stderr(&out).contains("reindexed 2 documents"),
        "{}",
        stderr(&out)
    );
    assert!(index.join("tantivy.v1-backup/meta.json").is_file());

    let hits = json_lines(&stdout(&run_expect(
        horizon(&config, &index).args(["search", "relation:launch", "--json"]),
        0,
    )));
    assert_eq!(hits.len(), 1, "the stored note was classified: {hits:?}");
    let tagged = json_lines(&stdout(&run_expect(
        horizon(&config, &index).args(["search", "topic:stream-processing", "--json"]),
        0,
    )));
    let mut ids: Vec<&str> = tagged.iter().filter_map(|h| h["id"].as_str()).collect();
    ids.sort_unstable();
    // The feed id moved into its source's namespace (#28 item 4); the
    // vendor's id did not.
    let feed_id = horizon::ids::feed_id("blog", "1");
    assert_eq!(
        ids,
        ["aws:1", feed_id.as_str()],
        "the article was re-tagged by its title, the MSK note by its Kafka link: {tagged:?}"
    );
}

/// `cp -a from to`.
fn copy_tree(from: &std::path::Path, to: &std::path::Path) {
    let ok = std::process::Command::new("cp")
        .arg("-a")
        .arg(from)
        .arg(to)
        .status()
        .unwrap()
        .success();
    assert!(ok, "cp -a {} {}", from.display(), to.display());
}

/// #28 item 9: a reindex killed at any point of its swap leaves an index the
/// next command can read. Each state a kill can leave — during the rebuild
/// (no swap marker), after the marker, after the old index was moved to its
/// backup, after the new one was moved into place, after the version file
/// followed — is built from a real reindex's output; before, a kill after the
/// first rename left a folder every command called "no index".
#[test]
fn a_reindex_killed_at_any_step_leaves_a_readable_index() {
    let dir = tempfile::tempdir().unwrap();
    let config = write_config(
        dir.path(),
        "[[topics]]\nname = \"t\"\nkeywords = [\"msk\"]\n",
    );
    let launch = msk_launch();
    let original = dir.path().join("original");
    old_index(&original, &[launch]);
    // A finished reindex of a copy gives the rebuilt files.
    let rebuilt = dir.path().join("rebuilt");
    copy_tree(&original, &rebuilt);
    run_expect(horizon(&config, &rebuilt).arg("reindex"), 0);

    for kill_after in 0..=4 {
        let index = dir.path().join(format!("killed-{kill_after}"));
        copy_tree(&original, &index);
        let staging = index.join(".reindex");
        std::fs::create_dir_all(&staging).unwrap();
        copy_tree(&rebuilt.join("tantivy"), &staging.join("tantivy"));
        std::fs::copy(rebuilt.join("horizon.json"), staging.join("horizon.json")).unwrap();
        if kill_after >= 1 {
            std::fs::write(staging.join(horizon::index::SWAP_MARKER), "").unwrap();
        }
        if kill_after >= 2 {
            std::fs::rename(index.join("tantivy"), index.join("tantivy.v1-backup")).unwrap();
        }
        if kill_after >= 3 {
            std::fs::rename(staging.join("tantivy"), index.join("tantivy")).unwrap();
        }
        if kill_after >= 4 {
            std::fs::rename(staging.join("horizon.json"), index.join("horizon.json")).unwrap();
        }
        let search = || {
            horizon(&config, &index)
                .args(["search", "msk", "--json"])
                .output()
                .unwrap()
        };
        let out = search();
        if kill_after <= 1 {
            // The swap had not begun: the old index is intact and asks for
            // a reindex, which then runs to the end.
            assert_eq!(
                out.status.code(),
                Some(3),
                "kill after {kill_after}: {}",
                stderr(&out)
            );
            assert!(stderr(&out).contains("horizon reindex"), "{}", stderr(&out));
            run_expect(horizon(&config, &index).arg("reindex"), 0);
        }
        let out = search();
        assert_eq!(
            out.status.code(),
            Some(0),
            "kill after step {kill_after}: {}",
            stderr(&out)
        );
        assert_eq!(
            json_lines(&stdout(&out)).len(),
            1,
            "kill after step {kill_after}"
        );
        assert!(
            !staging.exists(),
            "kill after step {kill_after}: staging left"
        );
        assert!(index.join("tantivy.v1-backup/meta.json").is_file());
    }
}

/// #32: schema 5 stores the body in its own field, not in the item's JSON.
/// An index of schema 4 (bodies in the JSON) is refused until reindexed, and
/// the reindex keeps every body searchable.
#[test]
fn reindex_from_schema_4_keeps_the_bodies_in_their_own_field() {
    let dir = tempfile::tempdir().unwrap();
    let config = write_config(
        dir.path(),
        "[[topics]]\nname = \"observability\"\nkeywords = [\"tracing\"]\n",
    );
    let index = dir.path().join("index");
    let mut post = Item::new(
        "feed:blog:1",
        Kind::Article,
        "blog",
        "Amazon CloudWatch Omni",
        "https://blog.example/omni",
    );
    post.summary = "A new way to look at your metrics.".into();
    post.body = "It speaks OpenTelemetry natively. ".repeat(200);
    post.published = Some("2026-09-24T12:00:00Z".parse().unwrap());
    schema_4_index(&index, &post);
    let refused = run_expect(
        horizon(&config, &index).args(["search", "opentelemetry"]),
        3,
    );
    assert!(
        stderr(&refused).contains("horizon reindex"),
        "{}",
        stderr(&refused)
    );
    run_expect(horizon(&config, &index).arg("reindex"), 0);
    let hits = json_lines(&stdout(&run_expect(
        horizon(&config, &index).args(["search", "opentelemetry", "--json"]),
        0,
    )));
    assert_eq!(hits.len(), 1, "{hits:?}");
    assert!(
        hits[0]["snippet"]
            .as_str()
            .is_some_and(|s| s.contains("OpenTelemetry")),
        "the snippet comes from the body: {hits:?}"
    );
    // A second reindex (schema 5 to 5) keeps the body too.
    run_expect(horizon(&config, &index).arg("reindex"), 0);
    let hits = json_lines(&stdout(&run_expect(
        horizon(&config, &index).args(["search", "opentelemetry", "--json"]),
        0,
    )));
    assert_eq!(hits.len(), 1, "lost by a second reindex: {hits:?}");
}

/// An index as schema 4 left it, as far as bodies go: the whole item (body
/// included) as JSON in `item`, and `body` indexed but not stored.
fn schema_4_index(dir: &std::path::Path, item: &Item) {
    use tantivy::schema::{Schema, STORED, STRING, TEXT};
    let tdir = dir.join("tantivy");
    std::fs::create_dir_all(&tdir).unwrap();
    let mut b = Schema::builder();
    let id = b.add_text_field("id", STRING);
    let body = b.add_text_field("body", TEXT);
    let stored = b.add_text_field("item", STORED);
    let index = tantivy::Index::create_in_dir(&tdir, b.build()).unwrap();
    let mut w: tantivy::IndexWriter = index.writer(15_000_000).unwrap();
    let mut doc = tantivy::TantivyDocument::default();
    doc.add_text(id, &item.id);
    doc.add_text(body, &item.body);
    doc.add_text(stored, serde_json::to_string(item).unwrap());
    w.add_document(doc).unwrap();
    w.commit().unwrap();
    std::fs::write(
        dir.join("horizon.json"),
        r#"{"schema_version": 4, "created_by": "horizon 0.4.0"}"#,
    )
    .unwrap();
}
