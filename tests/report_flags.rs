//! Absorption flags over constructed cloud histories: levels, trend, matching
//! rules and determinism (`horizon::absorb`).

#![allow(clippy::unwrap_used)]

use std::path::Path;
use std::time::Duration;

use horizon::absorb::{compute_flags, Flag, FlagsReport, Level, Trend};
use horizon::config::Config;
use horizon::index::HorizonIndex;
use horizon::model::{Item, Kind, Stage, Vendor};
use jiff::Timestamp;

const WINDOW: Duration = Duration::from_secs(90 * 86_400);

fn ts(s: &str) -> Timestamp {
    s.parse().unwrap()
}

fn config() -> Config {
    Config::parse(
        Path::new("test.toml"),
        r#"
[[topics]]
name = "stream-processing"
keywords = ["stream processing"]
systems = ["Kafka", "Flink", "Pulsar", "RabbitMQ"]
aliases = { Kafka = ["Apache Kafka", "MSK"], Flink = ["Apache Flink"] }

[[topics]]
name = "databases"
keywords = ["database"]
systems = ["Redis", "PostgreSQL", "Spark"]
aliases = { PostgreSQL = ["Postgres"] }

[[topics]]
name = "load-generation"
keywords = ["load testing"]
systems = ["k6", "JMeter"]
aliases = { k6 = ["Grafana k6"] }
"#,
    )
    .unwrap()
}

/// A cloud note: `topics` are the tags the crawl would have set.
fn note(
    id: &str,
    vendor: Vendor,
    stage: Stage,
    date: &str,
    title: &str,
    products: &[&str],
    topics: &[&str],
) -> Item {
    let mut i = Item::new(
        id,
        Kind::Cloud,
        vendor.as_str(),
        title,
        format!("https://cloud.example/{id}"),
    );
    i.vendor = Some(vendor);
    i.stage = Some(stage);
    i.published = Some(ts(date));
    i.products = products.iter().map(|s| s.to_string()).collect();
    i.topics = topics.iter().map(|s| s.to_string()).collect();
    i
}

fn index(items: &[Item]) -> (tempfile::TempDir, HorizonIndex) {
    let dir = tempfile::tempdir().unwrap();
    let idx = HorizonIndex::open_or_create(dir.path()).unwrap();
    let mut w = idx.writer(20_000_000).unwrap();
    for i in items {
        w.add_document(idx.doc_of(i)).unwrap();
    }
    w.commit().unwrap();
    drop(w);
    (dir, idx)
}

fn flag<'a>(r: &'a FlagsReport, topic: &str, system: Option<&str>) -> &'a Flag {
    r.flags
        .iter()
        .find(|f| f.topic == topic && f.system.as_deref() == system)
        .unwrap_or_else(|| panic!("no row {topic}/{system:?}"))
}

const AS_OF: &str = "2026-10-10T00:00:00Z";

fn history() -> Vec<Item> {
    use Stage::*;
    use Vendor::*;
    vec![
        // Flink: one vendor's preview → watch.
        note(
            "f1",
            Azure,
            Preview,
            "2026-09-01T10:00:00Z",
            "Public Preview: Apache Flink on HDInsight on AKS",
            &["HDInsight"],
            &[],
        ),
        // Kafka: one GA (through the alias MSK) → absorbing.
        note(
            "k1",
            Aws,
            Ga,
            "2026-10-02T12:00:00Z",
            "Amazon MSK Connect is generally available in all regions",
            &["Amazon MSK"],
            &[],
        ),
        // Redis: GA from two vendors → absorbed. "Redis" inside a longer product name.
        note(
            "r1",
            Aws,
            Ga,
            "2026-10-02T08:00:00Z",
            "Amazon ElastiCache for Redis Serverless is generally available",
            &["Amazon ElastiCache"],
            &[],
        ),
        note(
            "r2",
            Gcp,
            Ga,
            "2026-09-12T08:00:00Z",
            "Memorystore: cluster mode is GA",
            &["Memorystore for Redis"],
            &[],
        ),
        note(
            "r3",
            Gcp,
            Preview,
            "2026-08-01T08:00:00Z",
            "Memorystore for REDIS cross-region replicas preview",
            &["Memorystore"],
            &[],
        ),
        // Pulsar: previews from two vendors → absorbing; rising (3 now, 0 before).
        note(
            "p1",
            Aws,
            Preview,
            "2026-09-20T00:00:00Z",
            "Managed Apache Pulsar (preview)",
            &[],
            &[],
        ),
        note(
            "p2",
            Gcp,
            Preview,
            "2026-09-21T00:00:00Z",
            "Pulsar topics in Pub/Sub, in preview",
            &[],
            &[],
        ),
        note(
            "p3",
            Gcp,
            New,
            "2026-09-22T00:00:00Z",
            "Introducing Google Cloud Pulsar connectors",
            &[],
            &[],
        ),
        // RabbitMQ: three launches in the previous window, one now → falling.
        note(
            "q1",
            Aws,
            New,
            "2026-05-01T00:00:00Z",
            "Amazon MQ adds RabbitMQ 3.12",
            &[],
            &[],
        ),
        note(
            "q2",
            Aws,
            New,
            "2026-05-02T00:00:00Z",
            "Amazon MQ adds RabbitMQ 3.13",
            &[],
            &[],
        ),
        note(
            "q3",
            Azure,
            Preview,
            "2026-06-01T00:00:00Z",
            "RabbitMQ on Azure preview",
            &[],
            &[],
        ),
        note(
            "q4",
            Azure,
            Preview,
            "2026-08-01T00:00:00Z",
            "RabbitMQ on Azure: new regions preview",
            &[],
            &[],
        ),
        // Not launch-grade, outside the window, or at as_of: ignored.
        note(
            "x1",
            Aws,
            Region,
            "2026-09-01T00:00:00Z",
            "PostgreSQL 17 available in Asia Pacific",
            &["Amazon RDS for PostgreSQL"],
            &[],
        ),
        note(
            "x2",
            Aws,
            Deprecation,
            "2026-09-01T00:00:00Z",
            "Postgres 11 end of support",
            &[],
            &[],
        ),
        note(
            "x3",
            Gcp,
            Ga,
            "2026-01-01T00:00:00Z",
            "Postgres something GA long ago",
            &[],
            &[],
        ),
        note(
            "x4",
            Gcp,
            Ga,
            AS_OF,
            "Postgres GA exactly at as_of",
            &[],
            &[],
        ),
        // Word boundaries: "sparkline" is not Spark; "Kafkaesque" is not Kafka.
        note(
            "s1",
            Gcp,
            Ga,
            "2026-09-05T00:00:00Z",
            "Sparkline charts are generally available in Cloud Monitoring",
            &["Cloud Monitoring"],
            &[],
        ),
        note(
            "s2",
            Azure,
            Preview,
            "2026-09-06T00:00:00Z",
            "A Kafkaesque console redesign, in preview",
            &[],
            &[],
        ),
        // Topic area: a launch that names no listed system.
        note(
            "l1",
            Azure,
            Ga,
            "2026-09-15T00:00:00Z",
            "Azure Load Testing is generally available",
            &["Azure Load Testing"],
            &["load-generation"],
        ),
        // A repository mentioning Redis is not a cloud note.
        {
            let mut i = Item::new(
                "github:redis/redis",
                Kind::Repo,
                "trending",
                "redis/redis",
                "https://github.com/redis/redis",
            );
            i.published = Some(ts("2026-09-01T00:00:00Z"));
            i
        },
    ]
}

#[test]
fn levels_from_constructed_histories() {
    let (_dir, idx) = index(&history());
    let r = compute_flags(&idx, &config(), ts(AS_OF), WINDOW).unwrap();
    assert_eq!(r.since, ts("2026-07-12T00:00:00Z"));
    assert_eq!(r.previous_since, ts("2026-04-13T00:00:00Z"));

    let flink = flag(&r, "stream-processing", Some("Flink"));
    assert_eq!(flink.level, Level::Watch, "{flink:?}");
    assert_eq!(flink.reason, "preview on Azure (2026-09-01)");

    let kafka = flag(&r, "stream-processing", Some("Kafka"));
    assert_eq!(kafka.level, Level::Absorbing, "{kafka:?}");
    assert_eq!(kafka.ga_vendors, vec![Vendor::Aws]);
    assert_eq!(
        kafka.evidence.len(),
        1,
        "Kafkaesque must not match: {kafka:?}"
    );

    let redis = flag(&r, "databases", Some("Redis"));
    assert_eq!(redis.level, Level::Absorbed, "{redis:?}");
    assert_eq!(redis.reason, "GA on AWS (2026-10-02) and Google Cloud (2026-09-12); preview on Google Cloud (2026-08-01)");
    let ids: Vec<&str> = redis.evidence.iter().map(|e| e.id.as_str()).collect();
    assert_eq!(ids, ["r1", "r2", "r3"], "newest first");

    let pulsar = flag(&r, "stream-processing", Some("Pulsar"));
    assert_eq!(
        pulsar.level,
        Level::Absorbing,
        "previews from two vendors: {pulsar:?}"
    );
    assert_eq!(pulsar.preview_vendors, vec![Vendor::Aws, Vendor::Gcp]);
    assert_eq!(
        (pulsar.mentions, pulsar.previous_mentions, pulsar.trend),
        (3, 0, Trend::Rising)
    );

    let rabbit = flag(&r, "stream-processing", Some("RabbitMQ"));
    assert_eq!(
        (rabbit.level, rabbit.mentions, rabbit.previous_mentions),
        (Level::Watch, 1, 3)
    );
    assert_eq!(rabbit.trend, Trend::Falling);

    let pg = flag(&r, "databases", Some("PostgreSQL"));
    assert_eq!(
        pg.level,
        Level::None,
        "region/deprecation/out-of-window notes do not count: {pg:?}"
    );
    assert_eq!(pg.reason, "no launch-grade cloud note in the last 90 days");

    let spark = flag(&r, "databases", Some("Spark"));
    assert_eq!(
        spark.level,
        Level::None,
        "sparkline is not Spark: {spark:?}"
    );

    let area = flag(&r, "load-generation", None);
    assert_eq!(area.level, Level::Absorbing, "{area:?}");
    assert_eq!(area.reason, "GA on Azure (2026-09-15)");
    assert_eq!(flag(&r, "load-generation", Some("k6")).level, Level::None);
    assert_eq!(
        flag(&r, "stream-processing", None).level,
        Level::None,
        "untagged notes do not count for the area"
    );
}

#[test]
fn rows_follow_config_order_and_include_none() {
    let (_dir, idx) = index(&history());
    let r = compute_flags(&idx, &config(), ts(AS_OF), WINDOW).unwrap();
    let keys: Vec<String> = r.flags.iter().map(|f| f.key()).collect();
    assert_eq!(
        keys,
        [
            "stream-processing/*",
            "stream-processing/Kafka",
            "stream-processing/Flink",
            "stream-processing/Pulsar",
            "stream-processing/RabbitMQ",
            "databases/*",
            "databases/Redis",
            "databases/PostgreSQL",
            "databases/Spark",
            "load-generation/*",
            "load-generation/k6",
            "load-generation/JMeter",
        ]
    );
    assert!(r.active().all(|f| f.level != Level::None));
    assert_eq!(r.active().count(), 6);
}

#[test]
fn matching_is_word_bounded_case_insensitive_and_plural_tolerant() {
    use Stage::Ga;
    use Vendor::*;
    let items = vec![
        note(
            "a",
            Aws,
            Ga,
            "2026-09-01T00:00:00Z",
            "POSTGRES 17 for Aurora is generally available",
            &[],
            &[],
        ),
        note(
            "b",
            Gcp,
            Ga,
            "2026-09-02T00:00:00Z",
            "Dataproc Serverless runs Sparks jobs faster, GA",
            &[],
            &[],
        ),
        note(
            "c",
            Azure,
            Ga,
            "2026-09-03T00:00:00Z",
            "Sparkle theme GA",
            &[],
            &[],
        ),
        note(
            "d",
            Azure,
            Ga,
            "2026-09-04T00:00:00Z",
            "Managed load testing with Grafana k6 is GA",
            &[],
            &[],
        ),
        note(
            "e",
            Aws,
            Ga,
            "2026-09-05T00:00:00Z",
            "Something k6xyz GA",
            &[],
            &[],
        ),
        note(
            "f",
            Gcp,
            Ga,
            "2026-09-06T00:00:00Z",
            "Notes",
            &["Apache JMeter"],
            &[],
        ),
    ];
    let (_dir, idx) = index(&items);
    let r = compute_flags(&idx, &config(), ts(AS_OF), WINDOW).unwrap();
    let ids = |f: &Flag| f.evidence.iter().map(|e| e.id.clone()).collect::<Vec<_>>();
    assert_eq!(
        ids(flag(&r, "databases", Some("PostgreSQL"))),
        ["a"],
        "alias, upper case"
    );
    assert_eq!(
        ids(flag(&r, "databases", Some("Spark"))),
        ["b"],
        "plural yes, Sparkle no"
    );
    assert_eq!(
        ids(flag(&r, "load-generation", Some("k6"))),
        ["d"],
        "k6xyz is another word"
    );
    assert_eq!(
        ids(flag(&r, "load-generation", Some("JMeter"))),
        ["f"],
        "products are matched"
    );
}

#[test]
fn thresholds_are_configurable() {
    let mut cfg = config();
    cfg.absorption.absorbed_min_ga_vendors = 1;
    let (_dir, idx) = index(&history());
    let r = compute_flags(&idx, &cfg, ts(AS_OF), WINDOW).unwrap();
    assert_eq!(
        flag(&r, "stream-processing", Some("Kafka")).level,
        Level::Absorbed
    );
    cfg.absorption.absorbing_min_preview_vendors = 3;
    let r = compute_flags(&idx, &cfg, ts(AS_OF), WINDOW).unwrap();
    assert_eq!(
        flag(&r, "stream-processing", Some("Pulsar")).level,
        Level::Watch
    );
}

#[test]
fn output_is_deterministic() {
    let items = history();
    let (_d1, a) = index(&items);
    let mut reversed = items.clone();
    reversed.reverse();
    let (_d2, b) = index(&reversed);
    let ra = compute_flags(&a, &config(), ts(AS_OF), WINDOW).unwrap();
    let rb = compute_flags(&b, &config(), ts(AS_OF), WINDOW).unwrap();
    assert_eq!(
        serde_json::to_string(&ra).unwrap(),
        serde_json::to_string(&rb).unwrap()
    );
    assert_eq!(
        horizon::absorb::render_text(&ra),
        horizon::absorb::render_text(&rb)
    );
}
