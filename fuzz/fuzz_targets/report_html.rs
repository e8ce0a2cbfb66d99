//! Fuzz the report renderers with hostile feed text (Miniflux's rule: the
//! output never holds more markup than the template allows).
//!
//! The input is split on U+001F into strings used as every piece of feed text
//! a report shows: titles, summaries, URLs, source names, authors, products,
//! topics and their descriptions, systems, offerings, labels, why an item is
//! listed, a story's other documents, a repository's trending run, what
//! moved, the summary's absorption lines, health details. The first byte
//! also picks the report's shape (enough history or not, a period in
//! progress, weekly or per-period motion), the same for the fuzzed and the
//! harmless report. The HTML is parsed with `scraper` and must hold no
//! `<script>`, `<iframe>`, `<object>`, `<embed>`, only the template's one
//! `<style>`, no `on*` or `style` attribute, no `href`/`src` with a scheme
//! other than http/https/mailto/`#`, and exactly the elements of the same
//! report rendered with harmless text. The Markdown must hold no unescaped
//! `<script` or `](javascript:`, and neither rendering any control or bidi
//! character.
//!
//! The report is built with exhaustive struct literals on purpose: a field
//! added to a report type stops this target compiling (CI checks it, see
//! `.ci/run`), so new feed text cannot slip past the fuzzer unnoticed.
#![no_main]

use std::collections::BTreeMap;

use horizon::absorb::{
    Event, EventKind, Evidence, Flag, LandscapeOffering, Level, Milestone, Momentum,
    OfferingRelation, OfferingStage, Origin, Rule, TimelineEntry, Trend,
};
use horizon::model::{Kind, Relation, Stage, StoryMember, TrendingPeriod, Vendor};
use horizon::report::{
    Activity, Bucket, Change, ClearedFlag, Direction, FlagsSection, Format, Headline, HealthRow,
    History, KindCount, Motion, MovedEvent, Period, Report, ReportFlag, ReportItem, Section,
    Series, Summary, TopReads, TopicSection, Untagged,
};
use horizon::text::{clean_line, is_unsafe_char};
use horizon::trend::{TrendPoint, TrendRun};
use jiff::Timestamp;
use libfuzzer_sys::fuzz_target;
use scraper::{Html, Node};

// The text slots: which piece of the input each feed text takes.
const TITLE: usize = 0;
const SUMMARY: usize = 1;
const URL: usize = 2;
const SOURCE: usize = 3;
const AUTHOR: usize = 4;
const PRODUCT: usize = 5;
const TOPIC: usize = 6;
const SYSTEM: usize = 7;
const LANGUAGE: usize = 8;
const REASON: usize = 9;
const EVIDENCE_TITLE: usize = 10;
const EVIDENCE_URL: usize = 11;
const LABEL: usize = 12;
const WHY: usize = 13;
const STATUS: usize = 14;
const DETAIL: usize = 15;
const BUCKET: usize = 16;
const DESCRIPTION: usize = 17;
const ALSO_TITLE: usize = 18;
const ALSO_SOURCE: usize = 19;
const ALSO_URL: usize = 20;
const TREND_FIRST: usize = 21;
const TREND_LAST: usize = 22;
const ABSORPTION: usize = 23;
const OFFERING: usize = 24;
const OFFERING_PRODUCT: usize = 25;
const OFFERING_SINCE: usize = 26;
const OFFERING_URL: usize = 27;
const EVENT_PRODUCT: usize = 28;
const EVENT_TITLE: usize = 29;
const EVENT_URL: usize = 30;
const READS_TITLE: usize = 31;

/// Number of text slots in the report.
const SLOTS: usize = 32;

/// The slots that are links: their harmless text is a link when theirs is.
const LINKS: [usize; 5] = [URL, EVIDENCE_URL, ALSO_URL, OFFERING_URL, EVENT_URL];

/// What the first input byte picks, the same for both reports.
#[derive(Clone, Copy)]
struct Shape {
    /// `History::enough`: motion with ratios, or "not enough history yet".
    enough: bool,
    /// `Report::in_progress`.
    in_progress: bool,
    /// `Motion::per`: `week` or `period`.
    weekly: bool,
}

impl Shape {
    fn of(data: &[u8]) -> Shape {
        let b = data.first().copied().unwrap_or(0);
        Shape {
            enough: b & 1 == 0,
            in_progress: b & 2 != 0,
            weekly: b & 4 == 0,
        }
    }
}

/// The renderers' rule for links, restated: http(s) with a host.
fn linkable(raw: &str) -> bool {
    url::Url::parse(clean_line(raw).as_str())
        .is_ok_and(|u| matches!(u.scheme(), "http" | "https") && u.host().is_some())
}

fn ts(secs: i64) -> Timestamp {
    Timestamp::from_second(secs).expect("constant time")
}

/// A repository's run on GitHub trending, its days named by feed text.
fn trend_run(t: &[String]) -> TrendRun {
    let point = |date: &str, stars| TrendPoint {
        date: date.to_string(),
        period: TrendingPeriod::Daily,
        stars: Some(stars),
    };
    TrendRun {
        first: t[TREND_FIRST].clone(),
        last: t[TREND_LAST].clone(),
        days: 3,
        period: TrendingPeriod::Daily,
        sightings: vec![
            point(&t[TREND_FIRST], 40),
            point(&t[TREND_LAST], 90),
            point(&t[TREND_LAST], 12),
        ],
    }
}

fn item(kind: Kind, t: &[String], n: usize) -> ReportItem {
    ReportItem {
        id: format!("id-{n}"),
        score: 1.5,
        score_before_marks: 1.5,
        refill: false,
        top_read_of: (n % 4 == 1).then(|| t[SOURCE].clone()),
        why: t[WHY].clone(),
        kind,
        title: t[TITLE].clone(),
        url: t[URL].clone(),
        source: t[SOURCE].clone(),
        story: format!("id-{n}"),
        also: vec![StoryMember {
            id: format!("also-{n}"),
            source: t[ALSO_SOURCE].clone(),
            title: t[ALSO_TITLE].clone(),
            url: t[ALSO_URL].clone(),
        }],
        routine: n % 3 == 0,
        date: Some(ts(1_780_000_000)),
        summary: t[SUMMARY].clone(),
        authors: vec![t[AUTHOR].clone(), t[TITLE].clone()],
        more_authors: n,
        vendor: (kind == Kind::Cloud).then_some(Vendor::Gcp),
        stage: (kind == Kind::Cloud).then_some(Stage::Ga),
        products: vec![t[PRODUCT].clone()],
        stars: Some(1234),
        stars_period: (n % 2 == 0).then_some(56),
        trending_period: Some(TrendingPeriod::Weekly),
        language: Some(t[LANGUAGE].clone()),
        trending: (kind == Kind::Repo).then(|| trend_run(t)),
    }
}

/// Section headings are the report's own words, never feed text.
fn section_title(kind: Kind) -> &'static str {
    match kind {
        Kind::Paper => "Papers",
        Kind::Article => "Articles",
        Kind::Repo => "Trending repositories",
        Kind::Cloud => "Cloud updates",
    }
}

/// A launch note about the flagged system's offering.
fn event(t: &[String]) -> Event {
    Event {
        kind: EventKind::StageChange,
        vendor: Vendor::Aws,
        product: t[EVENT_PRODUCT].clone(),
        stage: OfferingStage::Ga,
        date: ts(1_779_950_000),
        title: t[EVENT_TITLE].clone(),
        url: t[EVENT_URL].clone(),
        id: "event".into(),
    }
}

/// The flagged system: offerings from every vendor, an event, evidence.
fn flag(t: &[String]) -> Flag {
    let offering = |vendor, relation, stage| LandscapeOffering {
        vendor,
        product: t[OFFERING_PRODUCT].clone(),
        relation,
        stage,
        since: Some(t[OFFERING_SINCE].clone()),
        source: Origin::Crawl,
        url: t[OFFERING_URL].clone(),
    };
    Flag {
        topic: t[TOPIC].clone(),
        system: Some(t[SYSTEM].clone()),
        level: Level::Absorbing,
        trend: Trend::Rising,
        mentions: 3,
        previous_mentions: 1,
        ga_vendors: vec![Vendor::Aws],
        preview_vendors: vec![Vendor::Gcp],
        reason: t[REASON].clone(),
        offerings: vec![
            offering(Vendor::Aws, OfferingRelation::Managed, OfferingStage::Ga),
            offering(
                Vendor::Aws,
                OfferingRelation::Compatible,
                OfferingStage::Preview,
            ),
            offering(
                Vendor::Azure,
                OfferingRelation::Alternative,
                OfferingStage::Ga,
            ),
            offering(
                Vendor::Gcp,
                OfferingRelation::Managed,
                OfferingStage::Preview,
            ),
        ],
        events: vec![event(t)],
        timeline: [Milestone::Preview, Milestone::Ga, Milestone::Retiring]
            .into_iter()
            .zip(2018..)
            .map(|(stage, year)| TimelineEntry {
                date: jiff::civil::date(year, 5, 30),
                vendor: Vendor::Aws,
                product: t[OFFERING_PRODUCT].clone(),
                stage,
                relation: OfferingRelation::Managed,
                source: Origin::Catalog,
                url: t[OFFERING_URL].clone(),
            })
            .collect(),
        evidence: vec![Evidence {
            id: "ev".into(),
            title: t[EVIDENCE_TITLE].clone(),
            vendor: Vendor::Azure,
            stage: Stage::Preview,
            relation: Relation::Feature,
            offering: Some(t[OFFERING].clone()),
            date: ts(1_779_900_000),
            url: t[EVIDENCE_URL].clone(),
            products: vec![t[PRODUCT].clone()],
        }],
        more_evidence: 4,
        momentum: BTreeMap::from([
            (Vendor::Aws, Momentum { now: 2, before: 0 }),
            (Vendor::Gcp, Momentum { now: 0, before: 5 }),
        ]),
    }
}

/// A report showing every text slot `t` somewhere.
fn report(t: &[String], shape: Shape) -> Report {
    let since = ts(1_779_580_800);
    let until = ts(1_780_185_600);
    let sections = [Kind::Paper, Kind::Article, Kind::Repo, Kind::Cloud]
        .into_iter()
        .enumerate()
        .map(|(n, kind)| Section {
            kind,
            title: section_title(kind).to_string(),
            total: 3,
            items: vec![item(kind, t, n)],
            more: 2,
        })
        .collect();
    let flag = flag(t);
    let area = Flag {
        system: None,
        level: Level::Watch,
        ..flag.clone()
    };
    let mut read = item(Kind::Paper, t, 9);
    read.title = t[READS_TITLE].clone();
    Report {
        period: Period {
            since,
            until,
            label: t[LABEL].clone(),
        },
        in_progress: shape.in_progress,
        headline: Headline {
            documents: 12,
            by_kind: vec![
                KindCount {
                    kind: Kind::Paper,
                    count: 3,
                },
                KindCount {
                    kind: Kind::Cloud,
                    count: 9,
                },
            ],
            active_flags: 2,
            new_flags: 1,
            changed_flags: 1,
            new_cells: 1,
            changed_cells: 2,
        },
        summary: Summary {
            absorption: vec![t[ABSORPTION].clone(), t[SYSTEM].clone()],
            top_reads: vec![TopReads {
                topic: t[TOPIC].clone(),
                items: vec![read, item(Kind::Cloud, t, 10)],
            }],
        },
        flags: FlagsSection {
            as_of: until,
            since: ts(1_772_409_600),
            window_days: 90,
            compared_with: since,
            rule: Rule {
                absorbed_min_ga_vendors: 2,
                absorbing_min_preview_vendors: 2,
                trend_min_mentions: 2,
            },
            moved: vec![MovedEvent {
                system: t[SYSTEM].clone(),
                topic: t[TOPIC].clone(),
                event: event(t),
                change: Change::Changed,
            }],
            flags: vec![
                ReportFlag {
                    flag,
                    change: Change::New,
                    previous_level: Level::None,
                    changed_vendors: vec![Vendor::Aws, Vendor::Gcp],
                },
                ReportFlag {
                    flag: area,
                    change: Change::Changed,
                    previous_level: Level::Absorbed,
                    changed_vendors: Vec::new(),
                },
            ],
            cleared: vec![
                ClearedFlag {
                    topic: t[TOPIC].clone(),
                    system: Some(t[SYSTEM].clone()),
                    previous_level: Level::Watch,
                },
                ClearedFlag {
                    topic: t[TOPIC].clone(),
                    system: None,
                    previous_level: Level::Absorbing,
                },
            ],
        },
        topics: vec![
            TopicSection {
                topic: t[TOPIC].clone(),
                description: Some(t[DESCRIPTION].clone()),
                documents: 12,
                sections,
            },
            TopicSection {
                topic: t[SYSTEM].clone(),
                description: None,
                documents: 1,
                sections: vec![Section {
                    kind: Kind::Article,
                    title: section_title(Kind::Article).to_string(),
                    total: 1,
                    items: vec![item(Kind::Article, t, 7)],
                    more: 0,
                }],
            },
        ],
        // The command is the report's own (dates only), never feed text.
        untagged: Untagged {
            documents: 4,
            command:
                "horizon search --topic none --since 2026-05-25 --until 2026-06-01 --sort date"
                    .to_string(),
        },
        motion: vec![
            Motion {
                topic: t[TOPIC].clone(),
                count: 12,
                per: if shape.weekly { "week" } else { "period" }.to_string(),
                rate: 12.0,
                average: 4.0,
                ratio: Some(3.0),
                direction: Direction::Up,
            },
            Motion {
                topic: t[SYSTEM].clone(),
                count: 1,
                per: if shape.weekly { "week" } else { "period" }.to_string(),
                rate: 1.0,
                average: 0.0,
                ratio: None,
                direction: Direction::Steady,
            },
        ],
        history: History {
            first_crawl: Some(ts(1_770_000_000)),
            baseline_periods: if shape.enough { 8 } else { 1 },
            enough: shape.enough,
        },
        activity: Activity {
            buckets: vec![
                Bucket {
                    since: ts(1_778_976_000),
                    until: since,
                    label: t[BUCKET].clone(),
                },
                Bucket {
                    since,
                    until,
                    label: t[LABEL].clone(),
                },
            ],
            totals: vec![0, 13],
            series: vec![
                Series {
                    topic: t[TOPIC].clone(),
                    counts: vec![0, 12],
                },
                Series {
                    topic: t[SYSTEM].clone(),
                    counts: vec![0, 1],
                },
            ],
        },
        health: vec![HealthRow {
            source: t[SOURCE].clone(),
            kind: "feed".to_string(),
            status: t[STATUS].clone(),
            detail: t[DETAIL].clone(),
        }],
    }
}

/// The element names of a document, in document order.
fn elements(doc: &Html) -> Vec<String> {
    doc.tree
        .nodes()
        .filter_map(|n| match n.value() {
            Node::Element(e) => Some(e.name().to_string()),
            _ => None,
        })
        .collect()
}

fn allowed_link(value: &str) -> bool {
    let v = value.trim().to_ascii_lowercase();
    v.starts_with("http://")
        || v.starts_with("https://")
        || v.starts_with("mailto:")
        || v.starts_with('#')
}

/// Whether `needle` occurs in `md` without a backslash escaping its first character.
fn unescaped(md: &str, needle: &str) -> bool {
    let lower = md.to_ascii_lowercase();
    lower.match_indices(needle).any(|(i, _)| {
        let slashes = lower[..i].bytes().rev().take_while(|&b| b == b'\\').count();
        slashes % 2 == 0
    })
}

fuzz_target!(|data: &[u8]| {
    let input = String::from_utf8_lossy(data);
    let pieces: Vec<&str> = input.split('\u{1f}').collect();
    let shape = Shape::of(data);
    let texts: Vec<String> = (0..SLOTS)
        .map(|i| pieces[i % pieces.len()].to_string())
        .collect();
    let harmless: Vec<String> = texts
        .iter()
        .enumerate()
        .map(|(i, s)| match i {
            _ if s.is_empty() => String::new(),
            _ if LINKS.contains(&i) && linkable(s) => "https://example.org/".to_string(),
            _ => "x".to_string(),
        })
        .collect();

    let html = Format::Html
        .render(&report(&texts, shape))
        .expect("the HTML renders");
    let reference = Format::Html
        .render(&report(&harmless, shape))
        .expect("the HTML renders");
    let doc = Html::parse_document(&html);
    let ref_doc = Html::parse_document(&reference);

    let names = elements(&doc);
    for bad in ["script", "iframe", "object", "embed"] {
        assert!(
            !names.iter().any(|n| n == bad),
            "<{bad}> in the report:\n{html}"
        );
    }
    assert_eq!(
        names.iter().filter(|n| *n == "style").count(),
        1,
        "only the template's <style>:\n{html}"
    );
    for node in doc.tree.nodes() {
        let Node::Element(e) = node.value() else {
            continue;
        };
        for (name, value) in e.attrs() {
            assert!(
                !name.to_ascii_lowercase().starts_with("on"),
                "event handler {name}={value:?}:\n{html}"
            );
            assert!(
                !name.eq_ignore_ascii_case("style"),
                "style attribute {value:?}:\n{html}"
            );
            if matches!(
                name.to_ascii_lowercase().as_str(),
                "href" | "src" | "xlink:href" | "action" | "formaction"
            ) {
                assert!(allowed_link(value), "{name}={value:?}:\n{html}");
            }
        }
    }
    assert_eq!(
        names,
        elements(&ref_doc),
        "feed text changed the markup\n--- fuzzed\n{html}\n--- harmless\n{reference}"
    );
    assert!(
        !html.chars().any(is_unsafe_char),
        "control or bidi character in HTML:\n{html:?}"
    );

    let md = Format::Markdown
        .render(&report(&texts, shape))
        .expect("the Markdown renders");
    assert!(!unescaped(&md, "<script"), "raw <script in Markdown:\n{md}");
    assert!(
        !unescaped(&md, "](javascript:"),
        "javascript: link in Markdown:\n{md}"
    );
    assert!(
        !md.chars().any(is_unsafe_char),
        "control or bidi character in Markdown:\n{md:?}"
    );
});
