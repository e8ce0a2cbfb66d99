//! Fuzz the report renderers with hostile feed text (Miniflux's rule: the
//! output never holds more markup than the template allows).
//!
//! The input is split on U+001F into strings used as every piece of feed text
//! a report shows: titles, summaries, URLs, source names, authors, products,
//! topics, systems, labels, health details. The HTML is parsed with `scraper`
//! and must hold no `<script>`, `<iframe>`, `<object>`, `<embed>`, only the
//! template's one `<style>`, no `on*` or `style` attribute, no `href`/`src`
//! with a scheme other than http/https/mailto/`#`, and exactly the elements
//! of the same report rendered with harmless text. The Markdown must hold no
//! unescaped `<script` or `](javascript:`, and neither rendering any control
//! or bidi character.
#![no_main]

use horizon::absorb::{Evidence, Flag, Level, Rule, Trend};
use horizon::model::{Kind, Stage, Vendor};
use horizon::report::{
    Activity, Bucket, Change, ClearedFlag, Direction, FlagsSection, Format, Headline, HealthRow,
    KindCount, Motion, Period, Report, ReportFlag, ReportItem, Section, Series, TopicSection,
};
use horizon::text::{clean_line, is_unsafe_char};
use jiff::Timestamp;
use libfuzzer_sys::fuzz_target;
use scraper::{Html, Node};

/// Number of text slots in the report.
const SLOTS: usize = 20;

/// The renderers' rule for links, restated: http(s) with a host.
fn linkable(raw: &str) -> bool {
    url::Url::parse(clean_line(raw).as_str())
        .is_ok_and(|u| matches!(u.scheme(), "http" | "https") && u.host().is_some())
}

fn ts(secs: i64) -> Timestamp {
    Timestamp::from_second(secs).expect("constant time")
}

fn item(kind: Kind, t: &[String], n: usize) -> ReportItem {
    ReportItem {
        id: format!("id-{n}"),
        kind,
        title: t[0].clone(),
        url: t[2].clone(),
        source: t[3].clone(),
        date: Some(ts(1_780_000_000)),
        summary: t[1].clone(),
        authors: vec![t[4].clone(), t[0].clone()],
        more_authors: n,
        vendor: (kind == Kind::Cloud).then_some(Vendor::Gcp),
        stage: (kind == Kind::Cloud).then_some(Stage::Ga),
        products: vec![t[5].clone()],
        stars: Some(1234),
        stars_period: (n % 2 == 0).then_some(56),
        trending_period: Some(t[18].clone()),
        language: Some(t[8].clone()),
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

/// A report showing every text slot `t` somewhere.
fn report(t: &[String]) -> Report {
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
    let flag = Flag {
        topic: t[6].clone(),
        system: Some(t[7].clone()),
        level: Level::Absorbing,
        trend: Trend::Rising,
        mentions: 3,
        previous_mentions: 1,
        ga_vendors: vec![Vendor::Aws],
        preview_vendors: vec![Vendor::Gcp],
        reason: t[9].clone(),
        more_evidence: 4,
        evidence: vec![Evidence {
            id: "ev".into(),
            title: t[10].clone(),
            vendor: Vendor::Azure,
            stage: Stage::Preview,
            date: ts(1_779_900_000),
            url: t[11].clone(),
            products: vec![t[5].clone()],
        }],
    };
    let area = Flag {
        system: None,
        level: Level::Watch,
        ..flag.clone()
    };
    Report {
        period: Period {
            since,
            until,
            label: t[12].clone(),
        },
        in_progress: false,
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
            flags: vec![
                ReportFlag {
                    flag,
                    change: Change::New,
                    previous_level: Level::None,
                },
                ReportFlag {
                    flag: area,
                    change: Change::Changed,
                    previous_level: Level::Absorbed,
                },
            ],
            cleared: vec![
                ClearedFlag {
                    topic: t[6].clone(),
                    system: Some(t[7].clone()),
                    previous_level: Level::Watch,
                },
                ClearedFlag {
                    topic: t[6].clone(),
                    system: None,
                    previous_level: Level::Absorbing,
                },
            ],
        },
        topics: vec![
            TopicSection {
                topic: Some(t[6].clone()),
                documents: 12,
                sections,
            },
            TopicSection {
                topic: None,
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
        motion: vec![Motion {
            topic: t[6].clone(),
            count: 12,
            average: 4.0,
            ratio: Some(3.0),
            direction: Direction::Up,
        }],
        activity: Activity {
            buckets: vec![
                Bucket {
                    since: ts(1_778_976_000),
                    until: since,
                    label: t[16].clone(),
                },
                Bucket {
                    since,
                    until,
                    label: t[12].clone(),
                },
            ],
            totals: vec![0, 12],
            series: vec![Series {
                topic: t[6].clone(),
                counts: vec![0, 12],
            }],
        },
        health: vec![HealthRow {
            source: t[3].clone(),
            kind: "feed".to_string(),
            status: t[14].clone(),
            detail: t[15].clone(),
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
    let texts: Vec<String> = (0..SLOTS)
        .map(|i| pieces[i % pieces.len()].to_string())
        .collect();
    let harmless: Vec<String> = texts
        .iter()
        .enumerate()
        .map(|(i, s)| match i {
            _ if s.is_empty() => String::new(),
            2 | 11 if linkable(s) => "https://example.org/".to_string(),
            _ => "x".to_string(),
        })
        .collect();

    let html = Format::Html
        .render(&report(&texts))
        .expect("the HTML renders");
    let reference = Format::Html
        .render(&report(&harmless))
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
        .render(&report(&texts))
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
