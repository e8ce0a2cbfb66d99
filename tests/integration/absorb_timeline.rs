//! Timelines, `--as-of` and GA lags over a catalog generated in the test
//! (`[[offerings]]` of made-up systems, so the shipped catalog's dates do
//! not matter): each system's dated milestones in `flags --json`, `flags
//! --system` and serve's landscape (an inline SVG, parsed as XML), the
//! landscape of every year from 2010, and the lags per system and vendor pair.

#![allow(clippy::unwrap_used)]

use std::path::Path;
use std::time::Duration;

use horizon::absorb::{
    compute_flags, Catalog, Flag, FlagsReport, Level, Milestone, OfferingStage, Origin,
};
use horizon::config::Config;
use horizon::model::{Item, Kind, Stage, Vendor};
use jiff::Timestamp;

use crate::support::{horizon, index_of, run_expect, stderr, stdout, write_config};

const WINDOW: Duration = Duration::from_secs(90 * 86_400);

/// Three made-up systems. Quokka: Azure (compatible) in preview 2012, GA
/// 2013, closed 2022, retired 2024; AWS preview 2018-11-29, GA 2019-05-30;
/// Google Cloud GA 2021 (a name that needs escaping). Wombat: AWS GA with
/// no date, Google Cloud in preview since 2016. Numbat: AWS GA 2015, Azure
/// GA a year later, and a Google Cloud alternative that never counts.
const OFFERINGS: &str = r#"
[[topics]]
name = "zoo"
keywords = ["zoo"]
systems = ["Quokka", "Wombat", "Numbat"]

[[offerings]]
system = "Quokka"
vendor = "aws"
product = "Amazon Quokka"
relation = "managed"
stage = "ga"
preview = "2018-11-29"
ga = "2019-05-30"
url = "https://aws.example/quokka"
dates_url = "https://aws.example/quokka/history"

[[offerings]]
system = "Quokka"
vendor = "azure"
product = "Azure Quokka"
relation = "compatible"
stage = "retired"
preview = "2012-03-01"
ga = "2013-06-15"
closed = "2022-01-01"
retires = "2024-01-01"
url = "https://azure.example/quokka"

[[offerings]]
system = "Quokka"
vendor = "gcp"
product = "Quokka <Cloud> & Co"
relation = "managed"
stage = "ga"
ga = "2021-02-01"
url = "https://gcp.example/quokka"

[[offerings]]
system = "Wombat"
vendor = "aws"
product = "Amazon Wombat"
relation = "managed"
stage = "ga"
url = "https://aws.example/wombat"

[[offerings]]
system = "Wombat"
vendor = "gcp"
product = "Managed Service for Wombat"
relation = "managed"
stage = "preview"
preview = "2016-04-01"
url = "https://gcp.example/wombat"

[[offerings]]
system = "Numbat"
vendor = "aws"
product = "Amazon Numbat"
relation = "managed"
stage = "ga"
ga = "2015-01-10"
url = "https://aws.example/numbat"

[[offerings]]
system = "Numbat"
vendor = "azure"
product = "Azure Numbat"
relation = "managed"
stage = "ga"
ga = "2016-01-10"
url = "https://azure.example/numbat"

[[offerings]]
system = "Numbat"
vendor = "gcp"
product = "Numbat Store"
relation = "alternative"
stage = "ga"
ga = "2010-05-01"
url = "https://gcp.example/numbat"
"#;

fn cfg() -> Config {
    Config::parse(Path::new("test.toml"), OFFERINGS).unwrap()
}

fn at(day: &str) -> Timestamp {
    format!("{day}T00:00:00Z").parse().unwrap()
}

fn flags(items: &[Item], day: &str) -> FlagsReport {
    let cfg = cfg();
    let (_d, idx) = index_of(&cfg, items);
    compute_flags(&idx, &cfg, at(day), WINDOW).unwrap()
}

fn row<'a>(r: &'a FlagsReport, system: &str) -> &'a Flag {
    r.flags
        .iter()
        .find(|f| f.system.as_deref() == Some(system))
        .unwrap_or_else(|| panic!("no row {system}"))
}

/// (date, vendor, milestone) of a row's timeline.
fn steps(f: &Flag) -> Vec<(String, Vendor, Milestone)> {
    f.timeline
        .iter()
        .map(|e| (e.date.to_string(), e.vendor, e.stage))
        .collect()
}

fn stage_of(f: &Flag, vendor: Vendor) -> Option<OfferingStage> {
    f.offerings
        .iter()
        .find(|o| o.vendor == vendor && o.relation.absorbs())
        .map(|o| o.stage)
}

#[test]
fn the_timeline_lists_each_dated_milestone_up_to_the_date() {
    let r = flags(&[], "2026-01-01");
    let q = row(&r, "Quokka");
    let s = |d: &str, v, m| (d.to_string(), v, m);
    assert_eq!(
        steps(q),
        vec![
            s("2012-03-01", Vendor::Azure, Milestone::Preview),
            s("2013-06-15", Vendor::Azure, Milestone::Ga),
            s("2018-11-29", Vendor::Aws, Milestone::Preview),
            s("2019-05-30", Vendor::Aws, Milestone::Ga),
            s("2021-02-01", Vendor::Gcp, Milestone::Ga),
            s("2022-01-01", Vendor::Azure, Milestone::Closed),
            s("2024-01-01", Vendor::Azure, Milestone::Retired),
        ]
    );
    assert!(q.timeline.iter().all(|e| e.source == Origin::Config));
    // The page that shows the dates: dates_url where there is one, else url.
    assert_eq!(q.timeline[3].url, "https://aws.example/quokka/history");
    assert_eq!(q.timeline[0].url, "https://azure.example/quokka");
    // Nothing after the date; an undated stage is not on it.
    let early = flags(&[], "2019-01-15");
    assert_eq!(steps(row(&early, "Quokka")).len(), 3);
    assert!(row(&r, "Wombat")
        .timeline
        .iter()
        .all(|e| e.vendor == Vendor::Gcp));
    // The area row has none.
    assert!(r
        .flags
        .iter()
        .filter(|f| f.system.is_none())
        .all(|f| f.timeline.is_empty()));
}

// Guards #29 item 4: `--as-of` any date since 2010 uses the dated stages.
#[test]
fn as_of_gives_each_years_landscape_from_the_dates() {
    let cfg = cfg();
    let (_d, idx) = index_of(&cfg, &[]);
    let quokka = |day: &str| {
        let r = compute_flags(&idx, &cfg, at(day), WINDOW).unwrap();
        let f = row(&r, "Quokka").clone();
        (
            f.level,
            stage_of(&f, Vendor::Aws),
            stage_of(&f, Vendor::Azure),
            stage_of(&f, Vendor::Gcp),
        )
    };
    use Level::*;
    use OfferingStage::*;
    for (day, want) in [
        (
            "2010-01-01",
            (None, Option::None, Option::None, Option::None),
        ),
        (
            "2012-02-29",
            (None, Option::None, Option::None, Option::None),
        ),
        (
            "2012-06-01",
            (Absorbing, Option::None, Some(Preview), Option::None),
        ),
        (
            "2014-01-01",
            (Absorbing, Option::None, Some(Ga), Option::None),
        ),
        (
            "2018-06-01",
            (Absorbing, Option::None, Some(Ga), Option::None),
        ),
        (
            "2019-01-15",
            (Absorbing, Some(Preview), Some(Ga), Option::None),
        ),
        (
            "2019-05-30",
            (Absorbing, Some(Preview), Some(Ga), Option::None),
        ),
        ("2019-05-31", (Absorbed, Some(Ga), Some(Ga), Option::None)),
        ("2021-06-01", (Absorbed, Some(Ga), Some(Ga), Some(Ga))),
        ("2022-06-01", (Absorbed, Some(Ga), Some(Retiring), Some(Ga))),
        ("2025-01-01", (Absorbed, Some(Ga), Some(Retired), Some(Ga))),
    ] {
        assert_eq!(quokka(day), want, "Quokka as of {day}");
    }
    // Numbat's alternative (dated 2010) never raises it above watch.
    let r = compute_flags(&idx, &cfg, at("2012-01-01"), WINDOW).unwrap();
    assert_eq!(row(&r, "Numbat").level, Level::Watch);
    let r = compute_flags(&idx, &cfg, at("2016-06-01"), WINDOW).unwrap();
    assert_eq!(row(&r, "Numbat").level, Level::Absorbed);
}

// Documents today's rule: an offering with no date counts at its stage on
// every date, and one whose current stage is undated reaches it on the
// catalog's `checked` day; the text view says so before that day.
#[test]
fn undated_stages_count_from_checked_or_on_every_date() {
    let checked = Catalog::builtin().unwrap().checked;
    let cfg = Config::parse(
        Path::new("test.toml"),
        &format!(
            "{OFFERINGS}
[[offerings]]
system = \"Numbat\"
vendor = \"gcp\"
product = \"Numbat Engine\"
relation = \"managed\"
stage = \"ga\"
preview = \"2020-02-02\"
url = \"https://gcp.example/numbat-engine\"
"
        ),
    )
    .unwrap();
    let (_d, idx) = index_of(&cfg, &[]);
    let r = compute_flags(&idx, &cfg, at("2010-06-01"), WINDOW).unwrap();
    let wombat = row(&r, "Wombat");
    assert_eq!(stage_of(wombat, Vendor::Aws), Some(OfferingStage::Ga));
    assert_eq!(wombat.offerings[0].since, None);
    assert_eq!(wombat.level, Level::Absorbing);
    let text = horizon::absorb::render_text(&r);
    assert!(
        text.contains("have no date for their stage; before the catalog's check"),
        "{text}"
    );
    let engine = |day: jiff::civil::Date| {
        let when = day.to_zoned(jiff::tz::TimeZone::UTC).unwrap().timestamp();
        let r = compute_flags(&idx, &cfg, when, WINDOW).unwrap();
        (
            stage_of(row(&r, "Numbat"), Vendor::Gcp),
            horizon::absorb::render_text(&r).contains("have no date for their stage"),
        )
    };
    // as_of is exclusive: the landscape of `checked` is the one as of the day after.
    assert_eq!(engine(checked), (Some(OfferingStage::Preview), true));
    assert_eq!(
        engine(checked.tomorrow().unwrap()),
        (Some(OfferingStage::Ga), false)
    );
}

#[test]
fn a_crawled_stage_change_is_on_the_timeline_with_its_note() {
    let mut ga = Item::new(
        "w1",
        Kind::Cloud,
        "gcp",
        "Managed Service for Wombat: Managed Service for Wombat is generally available (GA).",
        "https://cloud.example/w1",
    );
    ga.vendor = Some(Vendor::Gcp);
    ga.stage = Some(Stage::Ga);
    ga.published = Some("2020-03-03T10:00:00Z".parse().unwrap());
    ga.summary = ga.title.clone();
    ga.products = vec!["Managed Service for Wombat".into()];
    let r = flags(&[ga], "2026-01-01");
    let w = row(&r, "Wombat");
    let crawled: Vec<_> = w
        .timeline
        .iter()
        .filter(|e| e.source == Origin::Crawl)
        .collect();
    assert_eq!(crawled.len(), 1, "{:?}", w.timeline);
    assert_eq!(crawled[0].stage, Milestone::Ga);
    assert_eq!(crawled[0].date.to_string(), "2020-03-03");
    assert_eq!(crawled[0].url, "https://cloud.example/w1");
    assert_eq!(crawled[0].product, "Managed Service for Wombat");
    assert_eq!(
        steps(w),
        vec![
            ("2016-04-01".to_string(), Vendor::Gcp, Milestone::Preview),
            ("2020-03-03".to_string(), Vendor::Gcp, Milestone::Ga),
        ]
    );
    // Before the note, it was not there.
    let before = flags(&[], "2020-03-03");
    assert_eq!(steps(row(&before, "Wombat")).len(), 1);
}

#[test]
fn lags_per_system_and_per_vendor_pair() {
    let r = flags(&[], "2026-01-01");
    let lag = |s: &str| r.lag.system(s).unwrap();
    assert_eq!(
        lag("Quokka").lag_days,
        Some(2175),
        "{}",
        lag("Quokka").reason
    );
    assert_eq!(
        lag("Quokka").reason,
        "AWS followed Azure after 2175 days (2013-06-15 → 2019-05-30)"
    );
    assert_eq!(
        lag("Quokka")
            .ga
            .iter()
            .map(|g| g.vendor)
            .collect::<Vec<_>>(),
        [Vendor::Azure, Vendor::Aws, Vendor::Gcp],
        "a retired offering was GA"
    );
    assert_eq!(lag("Numbat").lag_days, Some(365));
    assert_eq!(lag("Wombat").lag_days, None);
    assert_eq!(
        lag("Wombat").reason,
        "only AWS is GA (GA date unknown: Amazon Wombat)"
    );
    let pair = |a: Vendor, b: Vendor| {
        r.lag
            .pairs
            .iter()
            .find(|p| p.vendors == [a, b])
            .unwrap()
            .clone()
    };
    let aws_azure = pair(Vendor::Aws, Vendor::Azure);
    assert_eq!(aws_azure.systems, 2);
    assert_eq!(aws_azure.median_lag_days, Some(1270.0));
    assert_eq!(aws_azure.median_offset_days, Some(-905.0));
    assert_eq!(aws_azure.first.get(&Vendor::Aws), Some(&1));
    assert_eq!(aws_azure.first.get(&Vendor::Azure), Some(&1));
    let aws_gcp = pair(Vendor::Aws, Vendor::Gcp);
    assert_eq!(
        (
            aws_gcp.systems,
            aws_gcp.median_lag_days,
            aws_gcp.median_offset_days
        ),
        (1, Some(613.0), Some(613.0))
    );
    assert_eq!(
        pair(Vendor::Azure, Vendor::Gcp).median_lag_days,
        Some(2788.0)
    );
    // As of 2019-01 only Azure is GA for Quokka.
    let early = flags(&[], "2019-01-15");
    assert_eq!(early.lag.system("Quokka").unwrap().lag_days, None);
    assert_eq!(
        pair_count(&early, Vendor::Aws, Vendor::Azure),
        1,
        "Numbat only"
    );
    assert_eq!(pair_count(&early, Vendor::Aws, Vendor::Gcp), 0);
}

fn pair_count(r: &FlagsReport, a: Vendor, b: Vendor) -> usize {
    r.lag
        .pairs
        .iter()
        .find(|p| p.vendors == [a, b])
        .map_or(0, |p| p.systems)
}

/// A config file and an empty index for the binary.
struct Setup {
    _dir: tempfile::TempDir,
    _index: tempfile::TempDir,
    config: std::path::PathBuf,
    index: std::path::PathBuf,
}

fn setup() -> Setup {
    let dir = tempfile::tempdir().unwrap();
    let config = write_config(dir.path(), OFFERINGS);
    let (index, idx) = index_of(&cfg(), &[]);
    drop(idx);
    Setup {
        config,
        index: index.path().to_path_buf(),
        _dir: dir,
        _index: index,
    }
}

#[test]
fn flags_system_prints_the_timeline_and_unknown_names_are_usage_errors() {
    let s = setup();
    let run = |args: &[&str], code| run_expect(horizon(&s.config, &s.index).args(args), code);
    let out = stdout(&run(
        &["flags", "--as-of", "2020-01-01", "--system", "quokka"],
        0,
    ));
    let lines: Vec<&str> = out.lines().collect();
    assert!(
        lines[0].starts_with("Quokka (topic zoo) as of 2020-01-01"),
        "{out}"
    );
    assert!(lines[0].ends_with(": absorbed"), "{out}");
    assert!(
        out.contains("\nTimeline:\n  2012-03-01  Azure        preview "),
        "{out}"
    );
    assert!(
        out.contains("  2019-05-30  AWS          GA                      Amazon Quokka  (config)  https://aws.example/quokka/history\n"),
        "{out}"
    );
    assert!(!out.contains("2021-02-01"), "after the date: {out}");
    assert!(
        out.contains("GA lag: AWS followed Azure after 2175 days"),
        "{out}"
    );
    // The undated offering is listed as such.
    let out = stdout(&run(&["flags", "--system", "Wombat"], 0));
    assert!(out.contains("Stage without a date"), "{out}");
    assert!(out.contains("Amazon Wombat"), "{out}");
    // A misspelt name: exit 2 with the close names.
    let err = stderr(&run(&["flags", "--system", "quoka"], 2));
    assert!(
        err.contains("--system: no watched system is called \"quoka\"; did you mean Quokka?"),
        "{err}"
    );
    // An offering's name points to its system.
    let err = stderr(&run(&["flags", "--system", "Amazon Numbat"], 2));
    assert!(err.contains("did you mean Numbat?"), "{err}");
    // A catalog system no topic lists.
    let err = stderr(&run(&["flags", "--system", "Apache Kafka"], 2));
    assert!(
        err.contains("is Kafka in the offering catalog, but no topic of the config lists it"),
        "{err}"
    );
    let err = stderr(&run(&["flags", "--system", "zzzz"], 2));
    assert!(
        err.contains("the watched systems are: Quokka, Wombat, Numbat"),
        "{err}"
    );
    // --system --json: that row, with its timeline.
    let one: serde_json::Value =
        serde_json::from_str(&stdout(&run(&["flags", "--system", "Numbat", "--json"], 0))).unwrap();
    assert_eq!(one["system"], "Numbat");
    assert_eq!(one["timeline"][0]["date"], "2010-05-01");
    assert_eq!(one["timeline"][0]["relation"], "alternative");
}

#[test]
fn flags_json_carries_timelines_and_lags_and_lag_prints_them() {
    let s = setup();
    let run = |args: &[&str]| stdout(&run_expect(horizon(&s.config, &s.index).args(args), 0));
    let all: serde_json::Value =
        serde_json::from_str(&run(&["flags", "--as-of", "2026-01-01", "--json"])).unwrap();
    let quokka = all["flags"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["system"] == "Quokka")
        .unwrap();
    let first = &quokka["timeline"][0];
    for key in ["date", "vendor", "product", "stage", "url"] {
        assert!(
            first.get(key).is_some(),
            "timeline entries carry {key}: {first}"
        );
    }
    assert_eq!(first["date"], "2012-03-01");
    assert_eq!(first["vendor"], "azure");
    assert_eq!(first["stage"], "preview");
    assert_eq!(quokka["timeline"][5]["stage"], "closed");
    let dates: Vec<&str> = quokka["timeline"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["date"].as_str().unwrap())
        .collect();
    assert!(dates.windows(2).all(|w| w[0] <= w[1]), "sorted: {dates:?}");
    assert_eq!(
        all["lag"]["pairs"][0]["vendors"],
        serde_json::json!(["aws", "azure"])
    );
    assert_eq!(all["lag"]["pairs"][0]["median_lag_days"], 1270.0);
    let lag: serde_json::Value =
        serde_json::from_str(&run(&["flags", "--as-of", "2026-01-01", "--lag", "--json"])).unwrap();
    assert_eq!(lag, all["lag"]);
    let text = run(&["flags", "--as-of", "2026-01-01", "--lag"]);
    assert!(
        text.contains("  Numbat                       365 days  Azure followed AWS after 365 days (2015-01-10 → 2016-01-10)\n"),
        "{text}"
    );
    assert!(
        text.contains("  AWS – Azure                2 systems: median lag 1270 days; AWS first in 1, Azure in 1, same day 0; median Azure minus AWS: -905 days\n"),
        "{text}"
    );
    assert!(
        text.contains("  AWS – Google Cloud         1 system: median lag 613 days"),
        "{text}"
    );
}

/// The `<svg>…</svg>` elements of a page.
fn svgs(html: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut rest = html;
    while let Some(start) = rest.find("<svg") {
        let Some(len) = rest[start..].find("</svg>") else {
            break;
        };
        let end = start + len + "</svg>".len();
        out.push(rest[start..end].to_string());
        rest = &rest[end..];
    }
    out
}

// Guards #29 item 4: serve's landscape draws each system's timeline as an
// inline SVG (no script, no inline style), well-formed XML with its names escaped.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_landscape_draws_each_timeline_as_inline_svg() {
    let cfg = cfg();
    let (_d, idx) = index_of(&cfg, &[]);
    let server = horizon::serve::bind(
        "127.0.0.1:0".parse().unwrap(),
        None,
        idx,
        cfg,
        horizon::serve::Limits::default(),
    )
    .await
    .unwrap();
    let addr = server.local_addr().unwrap();
    let (tx, rx) = tokio::sync::oneshot::channel::<()>();
    tokio::spawn(server.run(async {
        let _ = rx.await;
    }));
    let res = reqwest::get(format!("http://{addr}/landscape?as_of=2026-01-01"))
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    let csp = res.headers()["content-security-policy"]
        .to_str()
        .unwrap()
        .to_string();
    assert!(csp.contains("script-src 'self'") && !csp.contains("unsafe-inline"));
    let body = res.text().await.unwrap();
    let _ = tx.send(());
    let pictures = svgs(&body);
    assert_eq!(pictures.len(), 3, "one per system with a dated milestone");
    let quokka = pictures
        .iter()
        .find(|s| s.contains("aria-label=\"Quokka"))
        .expect("Quokka's timeline");
    let doc = roxmltree::Document::parse(quokka).unwrap_or_else(|e| panic!("{e}: {quokka}"));
    let svg = doc.root_element();
    assert_eq!(svg.tag_name().name(), "svg");
    assert_eq!(
        svg.tag_name().namespace(),
        Some("http://www.w3.org/2000/svg")
    );
    let nodes = |tag: &str| -> Vec<roxmltree::Node<'_, '_>> {
        svg.descendants()
            .filter(|n| n.tag_name().name() == tag)
            .collect()
    };
    let marks = nodes("circle");
    assert_eq!(marks.len(), 7);
    let classes: Vec<&str> = marks
        .iter()
        .map(|m| m.attribute("class").unwrap())
        .collect();
    assert_eq!(classes[0], "mark preview");
    assert!(classes.contains(&"mark closed") && classes.contains(&"mark retired"));
    let titles: Vec<String> = marks
        .iter()
        .filter_map(|m| m.first_element_child())
        .filter_map(|t| t.text().map(str::to_string))
        .collect();
    assert!(
        titles.contains(&"2021-02-01 Google Cloud Quokka <Cloud> & Co: GA".to_string()),
        "{titles:?}"
    );
    let lanes: Vec<&str> = nodes("text")
        .into_iter()
        .filter(|t| t.attribute("class") == Some("vendor"))
        .filter_map(|t| t.text())
        .collect();
    assert_eq!(lanes, ["AWS", "Azure", "Google Cloud"]);
    // Marks in date order run left to right, inside the picture.
    let width: u32 = svg.attribute("width").unwrap().parse().unwrap();
    let xs: Vec<u32> = marks
        .iter()
        .map(|m| m.attribute("cx").unwrap().parse().unwrap())
        .collect();
    assert!(
        xs.windows(2).all(|w| w[0] <= w[1]) && xs.iter().all(|x| *x < width),
        "{xs:?}"
    );
    for svg in &pictures {
        assert!(!svg.contains("style=") && !svg.contains("<script"), "{svg}");
    }
    assert!(
        body.contains("<ol class=\"timeline small\">"),
        "the milestones in words"
    );
}
