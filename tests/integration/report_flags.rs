//! Absorption flags over the catalog and constructed cloud histories: the
//! landscape on day one, crawled launches, stage changes and retirements,
//! `--as-of` determinism, config corrections and thresholds (`horizon::absorb`).

#![allow(clippy::unwrap_used)]

use std::path::Path;
use std::time::Duration;

use crate::support::index_of as index;
use horizon::absorb::{
    compute_flags, compute_flags_at, EventKind, Flag, FlagsReport, Level, OfferingStage, Origin,
};
use horizon::config::Config;
use horizon::model::{Item, Kind, Stage, Vendor};
use jiff::Timestamp;

const WINDOW: Duration = Duration::from_secs(90 * 86_400);

fn ts(s: &str) -> Timestamp {
    s.parse().unwrap()
}

fn config_with(extra: &str) -> Config {
    let text = format!(
        r#"{extra}
[[topics]]
name = "stream-processing"
keywords = ["stream processing"]
systems = ["Kafka", "Pulsar", "Zeppelin"]

[[topics]]
name = "databases"
keywords = ["database"]
systems = ["PostgreSQL", "Cassandra", "Redis"]

[[topics]]
name = "ci-cd"
keywords = ["ci"]
systems = ["Argo CD", "HashiCorp Vault", "Bazel"]
"#
    );
    Config::parse(Path::new("test.toml"), &text).unwrap()
}

fn config() -> Config {
    config_with("")
}

/// A cloud note as an adapter would produce it, classified as the crawl does.
fn note(id: &str, vendor: Vendor, stage: Stage, date: &str, title: &str, product: &str) -> Item {
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
    i.summary = title.to_string();
    i.products = vec![product.to_string()];
    i
}

fn flag<'a>(r: &'a FlagsReport, system: &str) -> &'a Flag {
    r.flags
        .iter()
        .find(|f| f.system.as_deref() == Some(system))
        .unwrap_or_else(|| panic!("no row {system}"))
}

#[test]
fn the_catalog_gives_the_true_landscape_on_the_first_day() {
    let cfg = config();
    let (_d, idx) = index(&cfg, &[]);
    let r = compute_flags(&idx, &cfg, ts("2026-12-02T00:00:00Z"), WINDOW).unwrap();
    for system in ["Kafka", "PostgreSQL", "Cassandra", "Redis"] {
        let f = flag(&r, system);
        assert_eq!(f.level, Level::Absorbed, "{system}: {}", f.reason);
        assert!(f.offerings.iter().all(|o| o.source == Origin::Catalog));
        assert!(f.evidence.is_empty() && f.events.is_empty());
    }
    assert_eq!(
        flag(&r, "Kafka").ga_vendors,
        horizon::DEFAULT_ABSORPTION_VENDORS
    );
    assert_eq!(
        flag(&r, "Argo CD").level,
        Level::Absorbing,
        "{}",
        flag(&r, "Argo CD").reason
    );
    let vault = flag(&r, "HashiCorp Vault");
    assert_eq!(
        vault.level,
        Level::Watch,
        "alternatives only: {}",
        vault.reason
    );
    assert!(
        vault.reason.starts_with("alternatives only"),
        "{}",
        vault.reason
    );
    assert_eq!(flag(&r, "Bazel").level, Level::None);
    assert_eq!(flag(&r, "Pulsar").level, Level::None);
    assert!(
        flag(&r, "Bazel").reason.contains("in the last 90 days"),
        "{}",
        flag(&r, "Bazel").reason
    );
    // The reason follows the window asked for.
    let r180 = compute_flags(&idx, &cfg, ts("2026-12-02T00:00:00Z"), WINDOW * 2).unwrap();
    assert!(flag(&r180, "Bazel").reason.contains("in the last 180 days"));
}

#[test]
fn a_crawled_launch_adds_an_offering_and_an_event_from_its_date_on() {
    let cfg = config();
    let launch = note(
        "p1",
        Vendor::Aws,
        Stage::New,
        "2026-10-02T12:00:00Z",
        "Introducing Amazon Managed Service for Apache Pulsar",
        "Amazon Managed Service for Apache Pulsar",
    );
    let (_d, idx) = index(&cfg, &[launch]);
    let r = compute_flags(&idx, &cfg, ts("2026-10-10T00:00:00Z"), WINDOW).unwrap();
    let pulsar = flag(&r, "Pulsar");
    assert_eq!(pulsar.level, Level::Absorbing, "{}", pulsar.reason);
    assert_eq!(pulsar.offerings.len(), 1);
    assert_eq!(pulsar.offerings[0].source, Origin::Crawl);
    assert_eq!(pulsar.offerings[0].since.as_deref(), Some("2026-10-02"));
    assert_eq!(pulsar.events.len(), 1);
    assert_eq!(pulsar.events[0].kind, EventKind::Launch);
    assert_eq!(pulsar.events[0].url, "https://cloud.example/p1");
    assert_eq!(pulsar.evidence.len(), 1);
    // As of the day of the note, it does not exist yet.
    let before = compute_flags(&idx, &cfg, ts("2026-10-02T00:00:00Z"), WINDOW).unwrap();
    assert_eq!(flag(&before, "Pulsar").level, Level::None);
    assert!(flag(&before, "Pulsar").offerings.is_empty());
    // Out of the window it is still in the landscape, but no longer an event.
    let later = compute_flags(&idx, &cfg, ts("2027-06-01T00:00:00Z"), WINDOW).unwrap();
    assert_eq!(flag(&later, "Pulsar").level, Level::Absorbing);
    assert!(flag(&later, "Pulsar").events.is_empty());
    // One read for several dates gives what one read per date gives.
    let dates = [
        ts("2027-06-01T00:00:00Z"),
        ts("2026-10-10T00:00:00Z"),
        ts("2026-10-02T00:00:00Z"),
    ];
    let together = compute_flags_at(&idx, &cfg, &dates, WINDOW).unwrap();
    assert_eq!(together, vec![later, r, before]);
}

#[test]
fn stage_changes_and_retirements_update_the_landscape() {
    // A config entry in preview, then a GA note for it; a retirement of a catalog offering.
    let cfg = config_with(
        r#"
[[offerings]]
system = "Zeppelin"
vendor = "gcp"
product = "Managed Service for Apache Zeppelin"
relation = "managed"
stage = "preview"
preview = "2026-05-01"
url = "https://cloud.example/zeppelin"
"#,
    );
    let ga = note(
        "z1",
        Vendor::Gcp,
        Stage::Ga,
        "2026-09-20T00:00:00Z",
        "Managed Service for Apache Zeppelin: Managed Service for Apache Zeppelin is generally available (GA).",
        "Managed Service for Apache Zeppelin",
    );
    let retire = note(
        "c1",
        Vendor::Azure,
        Stage::Deprecation,
        "2026-09-25T00:00:00Z",
        "Retirement: Azure Managed Instance for Apache Cassandra will be retired on September 30, 2029",
        "Azure Managed Instance for Apache Cassandra",
    );
    let (_d, idx) = index(&cfg, &[ga, retire]);
    let before = compute_flags(&idx, &cfg, ts("2026-09-01T00:00:00Z"), WINDOW).unwrap();
    assert_eq!(
        flag(&before, "Zeppelin").level,
        Level::Absorbing,
        "a preview"
    );
    assert_eq!(
        flag(&before, "Zeppelin").offerings[0].source,
        Origin::Config
    );
    let r = compute_flags(&idx, &cfg, ts("2026-10-01T00:00:00Z"), WINDOW).unwrap();
    let z = flag(&r, "Zeppelin");
    assert_eq!(z.offerings[0].stage, OfferingStage::Ga);
    assert_eq!(z.events[0].kind, EventKind::StageChange);
    let c = flag(&r, "Cassandra");
    assert_eq!(c.events[0].kind, EventKind::Retirement, "{:?}", c.events);
    let mi = c
        .offerings
        .iter()
        .find(|o| o.product == "Azure Managed Instance for Apache Cassandra")
        .unwrap();
    assert_eq!(mi.stage, OfferingStage::Retiring);
    assert_eq!(
        c.level,
        Level::Absorbed,
        "the other vendors keep it absorbed"
    );
}

#[test]
fn feature_notes_are_momentum_and_never_raise_a_level() {
    let cfg = config();
    let items: Vec<Item> = (0..5)
        .map(|n| {
            note(
                &format!("f{n}"),
                Vendor::Aws,
                Stage::Ga,
                &format!("2026-09-{:02}T00:00:00Z", 10 + n),
                &format!("Amazon MSK now supports Apache Kafka version 3.{n}"),
                "Amazon MSK",
            )
        })
        .chain([note(
            "z0",
            Vendor::Aws,
            Stage::Update,
            "2026-09-01T00:00:00Z",
            "Amazon Athena adds a Zeppelin notebook export",
            "Amazon Athena",
        )])
        .collect();
    let (_d, idx) = index(&cfg, &items);
    let r = compute_flags(&idx, &cfg, ts("2026-10-01T00:00:00Z"), WINDOW).unwrap();
    let kafka = flag(&r, "Kafka");
    assert_eq!(kafka.momentum[&Vendor::Aws].now, 5);
    assert!(kafka.events.is_empty());
    assert_eq!(kafka.evidence.len(), 5);
    // A mention in a note that is not launch-grade does not make a row.
    assert_eq!(flag(&r, "Zeppelin").level, Level::None);
}

#[test]
fn thresholds_are_configurable_and_output_is_deterministic() {
    let strict = config_with("[absorption]\nabsorbed_min_ga_vendors = 4\n");
    let (_d, idx) = index(&strict, &[]);
    let r = compute_flags(&idx, &strict, ts("2026-12-02T00:00:00Z"), WINDOW).unwrap();
    assert_eq!(flag(&r, "Kafka").level, Level::Absorbing);
    let again = compute_flags(&idx, &strict, ts("2026-12-02T00:00:00Z"), WINDOW).unwrap();
    assert_eq!(r, again);
    assert_eq!(
        horizon::absorb::render_text(&r),
        horizon::absorb::render_text(&again)
    );
}
