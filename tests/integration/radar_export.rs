//! `horizon radar`: the three radar files checked against the formats'
//! published types, over the real fixtures and over made-up offerings whose
//! movement is known.
//!
//! The schemas, read from the formats' own repositories:
//! - Backstage: `TechRadarLoaderResponse`, `RadarQuadrant`, `RadarRing`,
//!   `RadarEntry`, `RadarEntryLink`, `RadarEntrySnapshot`, `MovedState` in
//!   <https://github.com/backstage/community-plugins/blob/main/workspaces/tech-radar/plugins/tech-radar-common/src/model.ts>
//!   (zod parser: `schema.ts` beside it; the plugin reads `timeline[0]` for
//!   the ring and movement in `plugins/tech-radar/src/components/RadarComponent.tsx`);
//! - Zalando: the `radar_visualization` config in
//!   <https://github.com/zalando/tech-radar/blob/master/README.md> and the
//!   fields `docs/radar.js` reads (`docs/config.json` is Zalando's own data);
//! - Build-Your-Own-Radar: the columns in
//!   <https://github.com/thoughtworks/build-your-own-radar/blob/master/README.md>,
//!   required by `src/util/contentValidator.js`; four quadrants and at most
//!   four rings (`src/graphing/config.js`, `src/models/radar.js`); the HTML
//!   kept in descriptions (`src/util/inputSanitizer.js`).

#![allow(clippy::unwrap_used)]

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;
use std::time::Duration;

use horizon::absorb::compute_flags;
use horizon::config::Config;
use horizon::radar::{build_radar, Radar, RadarError, RadarFormat, Ring};
use jiff::civil::Date;
use jiff::Timestamp;
use serde::Deserialize;

use crate::support::fixture_items;
use crate::support::{
    checked_in_config, fixtures, horizon, index_of, run_expect, stderr, stdout, write_config,
};

const DAY: u64 = 86_400;

/// The ring names, innermost first.
fn ring_names() -> Vec<&'static str> {
    use strum::VariantArray;
    Ring::VARIANTS.iter().map(|r| r.name()).collect()
}

fn at(day: &str) -> Timestamp {
    format!("{day}T00:00:00Z").parse().unwrap()
}

// ── Backstage: TechRadarLoaderResponse, closed as the TS interfaces are ──

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct TechRadarLoaderResponse {
    quadrants: Vec<RadarQuadrant>,
    rings: Vec<RadarRing>,
    entries: Vec<RadarEntry>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RadarQuadrant {
    id: String,
    name: String,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RadarRing {
    id: String,
    name: String,
    color: String,
    #[serde(default)]
    description: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RadarEntry {
    key: String,
    id: String,
    quadrant: String,
    title: String,
    #[serde(default)]
    url: Option<String>,
    timeline: Vec<RadarEntrySnapshot>,
    #[serde(default)]
    description: Option<String>,
    #[serde(default)]
    links: Option<Vec<RadarEntryLink>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RadarEntryLink {
    url: String,
    title: String,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
struct RadarEntrySnapshot {
    date: String,
    ring_id: String,
    #[serde(default)]
    description: Option<String>,
    #[serde(default)]
    moved: Option<i8>,
}

/// Parse and check a Backstage file; returns it.
fn check_backstage(json: &str) -> TechRadarLoaderResponse {
    let r: TechRadarLoaderResponse =
        serde_json::from_str(json).unwrap_or_else(|e| panic!("not a TechRadarLoaderResponse: {e}"));
    assert!((1..=4).contains(&r.quadrants.len()), "up to four quadrants");
    let quadrant_ids: BTreeSet<&str> = r.quadrants.iter().map(|q| q.id.as_str()).collect();
    assert_eq!(quadrant_ids.len(), r.quadrants.len(), "quadrant ids unique");
    assert!(r.quadrants.iter().all(|q| !q.name.is_empty()));
    let ring_ids: BTreeSet<&str> = r.rings.iter().map(|q| q.id.as_str()).collect();
    assert_eq!(ring_ids.len(), r.rings.len(), "ring ids unique");
    for ring in &r.rings {
        assert!(!ring.name.is_empty());
        assert!(ring.description.as_deref().is_some_and(|d| !d.is_empty()));
        let hex = ring.color.strip_prefix('#').unwrap();
        assert!(hex.len() == 6 && hex.chars().all(|c| c.is_ascii_hexdigit()));
    }
    let mut keys = BTreeSet::new();
    for e in &r.entries {
        assert!(keys.insert(e.key.as_str()), "duplicate key {}", e.key);
        assert_eq!(e.key, e.id);
        assert!(!e.title.is_empty());
        assert!(e.url.is_none(), "the deprecated url is not written");
        assert!(
            quadrant_ids.contains(e.quadrant.as_str()),
            "{}: unknown quadrant {}",
            e.title,
            e.quadrant
        );
        assert!(!e.timeline.is_empty(), "{}: timeline[0] is read", e.title);
        let mut last: Option<Date> = None;
        for s in &e.timeline {
            assert!(
                ring_ids.contains(s.ring_id.as_str()),
                "ringId {}",
                s.ring_id
            );
            let d: Date = s
                .date
                .parse()
                .unwrap_or_else(|err| panic!("{}: date {:?}: {err}", e.title, s.date));
            assert_eq!(s.date.len(), 10, "YYYY-MM-DD");
            assert!(last.is_none_or(|l| d <= l), "{}: newest first", e.title);
            last = Some(d);
            assert!(matches!(s.moved, Some(-1..=1)), "MovedState is -1, 0 or 1");
            assert!(s.description.as_deref().is_some_and(|d| !d.is_empty()));
        }
        assert!(e.description.as_deref().is_some_and(|d| !d.is_empty()));
        for l in e.links.iter().flatten() {
            assert!(l.url.starts_with("https://"), "{}", l.url);
            assert!(!l.title.is_empty());
        }
    }
    r
}

// ── Zalando: the radar_visualization config object ──

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct ZalandoConfig {
    title: String,
    date: String,
    quadrants: Vec<ZalandoQuadrant>,
    rings: Vec<ZalandoRing>,
    entries: Vec<ZalandoEntry>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct ZalandoQuadrant {
    name: String,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct ZalandoRing {
    name: String,
    color: String,
    description: String,
}

/// Exactly the fields radar.js reads of an entry.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct ZalandoEntry {
    label: String,
    quadrant: u8,
    ring: u8,
    moved: i8,
    active: bool,
    #[serde(default)]
    link: Option<String>,
}

fn check_zalando(json: &str) -> ZalandoConfig {
    let c: ZalandoConfig =
        serde_json::from_str(json).unwrap_or_else(|e| panic!("not a radar.js config: {e}"));
    assert!(!c.title.is_empty());
    assert!(c.date.parse::<Date>().is_ok(), "date {:?}", c.date);
    assert_eq!(c.quadrants.len(), 4, "radar.js reads quadrants[0..4]");
    assert_eq!(c.rings.len(), 4, "radar.js reads rings[0..4]");
    for r in &c.rings {
        assert!(!r.name.is_empty() && r.color.starts_with('#') && !r.description.is_empty());
    }
    for e in &c.entries {
        assert!(!e.label.is_empty());
        assert!(e.quadrant <= 3 && e.ring <= 3, "{e:?}");
        assert!((-1..=2).contains(&e.moved), "{e:?}");
        assert!(e.active);
        assert!(e.link.as_deref().is_none_or(|l| l.starts_with("https://")));
        assert!(
            !c.quadrants[usize::from(e.quadrant)].name.is_empty(),
            "{}: in a named quadrant",
            e.label
        );
    }
    c
}

// ── Build-Your-Own-Radar: CSV ──

/// The tags and attributes BYOR's sanitize-html keeps in a description.
const BYOR_TAGS: &[&str] = &[
    "b", "i", "em", "strong", "a", "h1", "h2", "h3", "h4", "h5", "h6", "li", "ul", "br", "p", "u",
];

/// Rows of a BYOR CSV as column → value.
fn check_byor(csv_text: &str) -> Vec<BTreeMap<String, String>> {
    let mut reader = csv::Reader::from_reader(csv_text.as_bytes());
    let header: Vec<String> = reader
        .headers()
        .unwrap()
        .iter()
        .map(str::to_string)
        .collect();
    assert_eq!(
        header,
        ["name", "ring", "quadrant", "isNew", "status", "description"],
        "the documented columns (status: the optional movement column)"
    );
    let rows: Vec<BTreeMap<String, String>> = reader
        .records()
        .map(|r| {
            let r = r.unwrap();
            header
                .iter()
                .cloned()
                .zip(r.iter().map(str::to_string))
                .collect()
        })
        .collect();
    let mut rings: Vec<&str> = Vec::new();
    let mut quadrants = BTreeSet::new();
    for row in &rows {
        assert!(!row["name"].trim().is_empty(), "no empty names");
        if !rings.contains(&row["ring"].as_str()) {
            rings.push(&row["ring"]);
        }
        quadrants.insert(row["quadrant"].as_str());
        assert!(["TRUE", "FALSE"].contains(&row["isNew"].as_str()));
        let status = row["status"].to_lowercase();
        assert!(
            ["new", "moved in", "moved out", "no change"].contains(&status.as_str()),
            "{status}"
        );
        assert_eq!(row["isNew"] == "TRUE", status == "new");
        let html = scraper::Html::parse_fragment(&row["description"]);
        for el in html
            .root_element()
            .descendants()
            .filter_map(scraper::ElementRef::wrap)
        {
            let name = el.value().name();
            if name == "html" {
                continue;
            }
            assert!(
                BYOR_TAGS.contains(&name),
                "tag <{name}> is not kept by BYOR"
            );
            for (attr, value) in el.value().attrs() {
                assert!(name == "a" && attr == "href", "<{name} {attr}>");
                assert!(value.starts_with("https://"), "{value}");
            }
        }
    }
    assert!(rings.len() <= 4, "at most four rings: {rings:?}");
    assert!(
        quadrants.len() <= 4,
        "at most four quadrants: {quadrants:?}"
    );
    // The legacy loader takes rings in order of first appearance.
    let order: Vec<usize> = rings
        .iter()
        .map(|r| ring_names().iter().position(|n| n == r).unwrap())
        .collect();
    assert!(
        order.windows(2).all(|w| w[0] < w[1]),
        "innermost ring first"
    );
    rows
}

/// The radar over every recorded fixture, as of the day after the last Azure
/// note, written in the three formats and each checked against its schema;
/// every ring is the flag's level as `horizon flags` computes it.
#[test]
#[ignore = "needs ../shared/fixtures (set HORIZON_FIXTURES)"]
fn fixture_radar_passes_each_format_check() {
    let cfg = checked_in_config();
    let tmp = tempfile::tempdir().unwrap();
    let idx = fixture_items::report_index(&fixtures(), &cfg, tmp.path());
    let as_of = at("2026-08-07");
    let year = Duration::from_secs(365 * DAY);
    let radar = build_radar(&idx, &cfg, as_of, year, Duration::from_secs(90 * DAY)).unwrap();
    let flags = compute_flags(&idx, &cfg, as_of, year).unwrap();

    let systems: BTreeSet<String> = cfg
        .topics
        .iter()
        .flat_map(|t| t.systems.iter().map(|s| s.to_lowercase()))
        .collect();
    assert_eq!(radar.entries.len(), systems.len(), "one entry per system");
    assert!(radar.left_out.is_empty());
    for e in &radar.entries {
        let flag = flags
            .flags
            .iter()
            .find(|f| f.system.as_deref() == Some(e.system.as_str()))
            .unwrap();
        assert_eq!(e.ring, Ring::of(flag.level), "{}", e.system);
        assert_eq!(e.offerings, flag.offerings);
    }
    assert!(
        radar.entries.iter().any(|e| e.ring == Ring::Absorbed)
            && radar.entries.iter().any(|e| e.ring == Ring::SelfRun),
        "the fixtures give more than one ring"
    );

    // The figures RELIABILITY.md quotes (`--nocapture` prints them).
    let mut per_ring: BTreeMap<&str, usize> = BTreeMap::new();
    for e in &radar.entries {
        *per_ring.entry(e.ring.id()).or_default() += 1;
    }
    let snapshots: usize = radar.entries.iter().map(|e| e.history.len()).sum();
    eprintln!(
        "radar: {} entries {per_ring:?}, {snapshots} timeline snapshots, {} quadrants",
        radar.entries.len(),
        radar.quadrants.len()
    );

    let b = check_backstage(&RadarFormat::Backstage.render(&radar).unwrap());
    assert_eq!(b.entries.len(), radar.entries.len());
    assert_eq!(
        b.rings.iter().map(|r| r.name.as_str()).collect::<Vec<_>>(),
        ring_names()
    );
    let kafka = b.entries.iter().find(|e| e.title == "Kafka").unwrap();
    assert!(kafka.timeline.len() > 1, "the ledger's dated milestones");
    assert!(!kafka.links.as_ref().unwrap().is_empty());

    let z = check_zalando(&RadarFormat::Zalando.render(&radar).unwrap());
    assert_eq!(z.entries.len(), radar.entries.len());
    assert_eq!(z.date, "2026-08-07");

    let rows = check_byor(&RadarFormat::Byor.render(&radar).unwrap());
    assert_eq!(rows.len(), radar.entries.len());
    let quadrants: BTreeSet<&str> = rows.iter().map(|r| r["quadrant"].as_str()).collect();
    assert_eq!(
        quadrants.len(),
        4,
        "the checked-in config fills four quadrants"
    );
}

/// Made-up systems with known movement between 2023-12-02 and 2024-03-01:
/// Quokka's second GA (absorbing → absorbed: moved in), Numbat's first
/// preview (self-run → absorbing: new), Wombat's retirement (absorbed →
/// absorbing: moved out), Dingo with no offering (no change).
const ZOO: &str = r#"
[[radar.quadrants]]
name = "Marsupials"
topics = ["zoo"]

[[radar.quadrants]]
name = "Burrowers"
topics = ["burrow"]

[[radar.quadrants]]
name = "Wild dogs"
topics = ["outback"]

[[radar.quadrants]]
name = "Empty"
topics = ["reef"]

[[topics]]
name = "zoo"
keywords = ["zoo"]
systems = ["Quokka", "Numbat"]

[[topics]]
name = "burrow"
keywords = ["burrow"]
systems = ["Wombat"]

[[topics]]
name = "outback"
keywords = ["outback"]
systems = ["Dingo"]

[[topics]]
name = "reef"
keywords = ["reef"]

[[offerings]]
system = "Quokka"
vendor = "aws"
product = "Amazon Quokka"
relation = "managed"
stage = "ga"
preview = "2018-11-29"
ga = "2019-05-30"
url = "https://aws.example/quokka"

[[offerings]]
system = "Quokka"
vendor = "azure"
product = "Azure Quokka <Pro> & Co"
relation = "managed"
stage = "ga"
ga = "2024-01-10"
url = "https://azure.example/quokka?a=1&b=2"

[[offerings]]
system = "Numbat"
vendor = "gcp"
product = "Numbat Store"
relation = "managed"
stage = "preview"
preview = "2024-02-01"
url = "https://gcp.example/numbat"

[[offerings]]
system = "Wombat"
vendor = "aws"
product = "Amazon Wombat"
relation = "managed"
stage = "ga"
ga = "2015-01-10"
url = "https://aws.example/wombat"

[[offerings]]
system = "Wombat"
vendor = "azure"
product = "Azure Wombat"
relation = "managed"
stage = "retired"
ga = "2016-01-10"
retires = "2024-01-15"
url = "https://azure.example/wombat"
"#;

fn zoo_radar() -> Radar {
    let cfg = Config::parse(Path::new("zoo.toml"), ZOO).unwrap();
    let (_d, idx) = index_of(&cfg, &[]);
    build_radar(
        &idx,
        &cfg,
        at("2024-03-01"),
        Duration::from_secs(90 * DAY),
        Duration::from_secs(90 * DAY),
    )
    .unwrap()
}

/// Guards the movement mapping of each format: moved in, new, moved out and
/// no change, as Backstage's MovedState, Zalando's moved and BYOR's status.
#[test]
fn movement_over_the_period_in_each_format() {
    let radar = zoo_radar();
    let b = check_backstage(&RadarFormat::Backstage.render(&radar).unwrap());
    let z = check_zalando(&RadarFormat::Zalando.render(&radar).unwrap());
    let rows = check_byor(&RadarFormat::Byor.render(&radar).unwrap());

    // (system, ring id, Backstage moved, Zalando moved, BYOR status)
    let expected = [
        ("Quokka", "absorbed", 1, 1, "Moved In"),
        ("Numbat", "absorbing", 1, 2, "New"),
        ("Wombat", "absorbing", -1, -1, "Moved Out"),
        ("Dingo", "self-run", 0, 0, "No Change"),
    ];
    for (system, ring, bs, zal, status) in expected {
        let be = b.entries.iter().find(|e| e.title == system).unwrap();
        assert_eq!(be.timeline[0].ring_id, ring, "{system}");
        assert_eq!(be.timeline[0].moved, Some(bs), "{system}");
        let ze = z.entries.iter().find(|e| e.label == system).unwrap();
        assert_eq!(ze.moved, zal, "{system}");
        assert_eq!(
            z.rings[usize::from(ze.ring)].name,
            b.rings.iter().find(|r| r.id == ring).unwrap().name
        );
        let row = rows.iter().find(|r| r["name"] == system).unwrap();
        assert_eq!(row["status"], status, "{system}");
    }

    // Quokka's full timeline from the ledger, newest first.
    let quokka = b.entries.iter().find(|e| e.title == "Quokka").unwrap();
    let steps: Vec<(&str, &str, Option<i8>)> = quokka
        .timeline
        .iter()
        .map(|s| (s.date.as_str(), s.ring_id.as_str(), s.moved))
        .collect();
    assert_eq!(
        steps,
        [
            ("2024-01-10", "absorbed", Some(1)),
            ("2019-05-30", "absorbing", Some(0)),
            ("2018-11-29", "absorbing", Some(1)),
        ]
    );
    assert_eq!(b.quadrants[0].id, "marsupials");
    assert_eq!(quokka.quadrant, "marsupials");
    // Markup in names reaches BYOR escaped, inside the link.
    let row = rows.iter().find(|r| r["name"] == "Quokka").unwrap();
    assert!(
        row["description"].contains(
            "<a href=\"https://azure.example/quokka?a=1&amp;b=2\">Azure Quokka &lt;Pro&gt; &amp; Co"
        ),
        "{}",
        row["description"]
    );
    // A system with no offering still has the one snapshot the plugin reads.
    let dingo = b.entries.iter().find(|e| e.title == "Dingo").unwrap();
    assert_eq!(dingo.timeline.len(), 1);
    assert_eq!(dingo.timeline[0].date, "2024-03-01");
    // The empty quadrant keeps its place (Zalando draws four) with no entry.
    assert_eq!(z.quadrants[3].name, "Empty");
    assert!(z.entries.iter().all(|e| e.quadrant != 3));
}

/// Guards BYOR's four-quadrant rule: a radar of three quadrants is refused
/// with what to do, Backstage and Zalando take it.
#[test]
fn byor_needs_four_quadrants() {
    let three = ZOO.replacen(
        "[[radar.quadrants]]\nname = \"Empty\"\ntopics = [\"reef\"]\n",
        "",
        1,
    );
    let cfg = Config::parse(Path::new("zoo.toml"), &three).unwrap();
    let (_d, idx) = index_of(&cfg, &[]);
    let ninety = Duration::from_secs(90 * DAY);
    let radar = build_radar(&idx, &cfg, at("2024-03-01"), ninety, ninety).unwrap();
    assert_eq!(radar.quadrants.len(), 3);
    let err = RadarFormat::Byor.render(&radar).unwrap_err();
    assert!(matches!(err, RadarError::Quadrants { count: 3, .. }));
    let msg = err.to_string();
    assert!(
        msg.contains("exactly four quadrants") && msg.contains("[[radar.quadrants]]"),
        "{msg}"
    );
    check_backstage(&RadarFormat::Backstage.render(&radar).unwrap());
    let z = check_zalando(&RadarFormat::Zalando.render(&radar).unwrap());
    assert_eq!(z.quadrants[3].name, "", "padded to the four radar.js reads");
}

/// Guards the `[radar]` checks: a fifth quadrant and an unknown topic are
/// reported together, each with file, line and key, and exit 2.
#[test]
fn five_quadrants_and_unknown_topic_are_config_errors() {
    let dir = tempfile::tempdir().unwrap();
    let five = ZOO.replacen(
        "[[topics]]",
        "[[radar.quadrants]]\nname = \"Fifth\"\ntopics = [\"zooo\"]\n\n[[topics]]",
        1,
    );
    let config = write_config(dir.path(), &five);
    let out = run_expect(
        horizon(&config, &dir.path().join("index")).args(["radar", "--format", "backstage"]),
        2,
    );
    let err = stderr(&out);
    let path = config.display().to_string();
    let line_of = |needle: &str| five.lines().position(|l| l.contains(needle)).unwrap() + 1;
    let fifth = line_of("name = \"Fifth\"");
    assert!(
        err.contains(&format!("{path}:{}", fifth))
            || err.contains(&format!("{path}:{}", fifth - 1)),
        "{err}"
    );
    assert!(err.contains("[radar] quadrants: 5 quadrants"), "{err}");
    assert!(err.contains("at most 4"), "{err}");
    assert!(
        err.contains(&format!("{path}:{}", line_of("topics = [\"zooo\"]"))),
        "{err}"
    );
    assert!(err.contains("no topic named \"zooo\""), "{err}");
    assert!(err.contains("did you mean `zoo`?"), "{err}");
}

/// An unknown format is a usage error naming the three.
#[test]
fn unknown_format_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let config = write_config(dir.path(), ZOO);
    let out = run_expect(
        horizon(&config, &dir.path().join("index")).args(["radar", "--format", "aoe"]),
        2,
    );
    let err = stderr(&out);
    assert!(err.contains("invalid value 'aoe'"), "{err}");
    assert!(err.contains("backstage, zalando, byor"), "{err}");
}

/// The command end to end: `--out` writes the file the check accepts.
#[test]
fn radar_command_writes_the_file() {
    let dir = tempfile::tempdir().unwrap();
    let config = write_config(dir.path(), ZOO);
    let index = dir.path().join("index");
    {
        let idx = horizon::index::HorizonIndex::open_or_create(&index).unwrap();
        let mut w = idx.writer(20_000_000).unwrap();
        w.commit().unwrap();
    }
    let file = dir.path().join("radar.json");
    let out = run_expect(
        horizon(&config, &index).args([
            "radar",
            "--format",
            "zalando",
            "--as-of",
            "2024-03-01",
            "--out",
            file.to_str().unwrap(),
        ]),
        0,
    );
    assert!(stdout(&out).is_empty());
    assert!(
        stderr(&out).contains("wrote 4 radar entries (zalando)"),
        "{}",
        stderr(&out)
    );
    let z = check_zalando(&std::fs::read_to_string(&file).unwrap());
    assert_eq!(z.entries.len(), 4);
    assert_eq!(z.date, "2024-03-01");
}
