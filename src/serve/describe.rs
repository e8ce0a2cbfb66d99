//! The library's results as the pages' views: a stored item, the flags,
//! the sources' health. Words only; the templates lay them out.

use jiff::civil::Date;

use crate::absorb::{day, ledger, matrix_cell, Flag, FlagsReport, Milestone};
use crate::config::Config;
use crate::model::{Item, Vendor, NO_TOPIC};
use crate::report::{field_phrase, safe_url, search_path, search_point};
use crate::state::CrawlState;

use super::views::*;

/// Words linked to the search page for `pairs`.
fn linked(text: impl Into<String>, pairs: &[(&str, &str)]) -> LinkedText {
    LinkedText {
        text: text.into(),
        href: Some(search_path(pairs)),
    }
}

/// Words without a link.
fn plain(text: impl Into<String>) -> LinkedText {
    LinkedText {
        text: text.into(),
        href: None,
    }
}

/// The facts of a document, each value linked to the documents that share
/// it: a search with that filter (kind, source, vendor, stage, topic,
/// language) or that field (systems, products, authors, categories), and
/// the report of the week it is filed in.
fn facts(i: &Item) -> Vec<FactView> {
    let mut facts = Vec::new();
    let mut fact = |label: &str, values: Vec<LinkedText>| {
        let values: Vec<LinkedText> = values.into_iter().filter(|v| !v.text.is_empty()).collect();
        if !values.is_empty() {
            facts.push(FactView {
                label: label.to_string(),
                values,
            });
        }
    };
    let date = |t: Option<jiff::Timestamp>| vec![plain(t.map(day).unwrap_or_default())];
    let phrases = |field: &str, values: &[String]| -> Vec<LinkedText> {
        values
            .iter()
            .map(|v| {
                linked(
                    v.as_str(),
                    &[("q", &field_phrase(field, v)), ("sort", "date")],
                )
            })
            .collect()
    };
    fact(
        "kind",
        vec![linked(
            i.kind.as_str(),
            &[("kind", i.kind.as_str()), ("sort", "date")],
        )],
    );
    fact(
        "source",
        vec![linked(
            i.source.as_str(),
            &[("source", &i.source), ("sort", "date")],
        )],
    );
    fact(
        "date",
        i.date()
            .map(|t| LinkedText {
                text: day(t),
                href: Some(format!("/report?week={}", week_label(t))),
            })
            .into_iter()
            .collect(),
    );
    fact("published", date(i.published));
    fact("updated", date(i.updated));
    fact("first seen", date(i.first_seen));
    fact(
        "vendor",
        i.vendor
            .map(|v| {
                linked(
                    v.display_name(),
                    &[("vendor", v.as_str()), ("sort", "date")],
                )
            })
            .into_iter()
            .collect(),
    );
    fact(
        "stage",
        i.stage
            .map(|s| linked(s.to_string(), &[("stage", s.as_str()), ("sort", "date")]))
            .into_iter()
            .collect(),
    );
    fact("products", phrases("product", &i.products));
    fact(
        "systems",
        i.links
            .iter()
            .map(|l| {
                linked(
                    format!("{} ({})", l.system, l.relation.as_str()),
                    &[("q", &field_phrase("system", &l.system)), ("sort", "date")],
                )
            })
            .collect(),
    );
    let topics = if i.topics.is_empty() {
        vec![linked("no topic", &[("topic", NO_TOPIC), ("sort", "date")])]
    } else {
        i.topics
            .iter()
            .map(|t| linked(t.as_str(), &[("topic", t), ("sort", "date")]))
            .collect()
    };
    fact("topics", topics);
    fact("authors", phrases("author", &i.authors));
    fact("categories", phrases("category", &i.categories));
    fact(
        "language",
        i.language
            .iter()
            .map(|l| {
                linked(
                    l.as_str(),
                    &[("language", &l.to_lowercase()), ("sort", "date")],
                )
            })
            .collect(),
    );
    let number = |n: Option<u64>| vec![plain(n.map(|s| s.to_string()).unwrap_or_default())];
    fact("stars", number(i.stars));
    fact("stars in the period", number(i.stars_period));
    fact("id", vec![plain(i.id.as_str())]);
    facts
}

/// The ISO week label (`2025-W44`) of the week holding `t` (UTC).
pub(super) fn week_label(t: jiff::Timestamp) -> String {
    let iso = t.to_zoned(jiff::tz::TimeZone::UTC).date().iso_week_date();
    format!("{:04}-W{:02}", iso.year(), iso.week())
}

/// The page of one document.
pub(super) fn item_page(i: &Item) -> ItemPage {
    let facts = facts(i);
    let mut links = Vec::new();
    if let Some(pdf) = i.pdf_url.as_deref() {
        links.push(("PDF".to_string(), safe_url(pdf)));
    }
    let trend = crate::trend::TrendRun::of(&i.trend_history).map(|run| TrendView {
        phrase: run.phrase(),
        points: run.svg_points(),
        label: run.svg_label(),
        width: crate::trend::SPARK_WIDTH,
        height: crate::trend::SPARK_HEIGHT,
    });
    ItemPage {
        chrome: chrome("/search"),
        title: i.title.clone(),
        url: safe_url(&i.url),
        facts,
        summary: i.summary.clone(),
        links,
        mark: None,
        related: Vec::new(),
        trend,
    }
}

/// How the landscape page is narrowed and ordered (its form's `topic` and
/// `sort`), and the `as_of` it was asked for.
#[derive(Clone, Debug, Default)]
pub(super) struct LandscapeView {
    /// Only this topic's rows and events.
    pub topic: Option<String>,
    /// Rows by level, highest first (else topics in config order).
    pub by_level: bool,
    /// `as_of` as asked, for the form; empty for now.
    pub as_of: String,
}

impl LandscapeView {
    fn shows(&self, f: &Flag) -> bool {
        self.topic.as_deref().is_none_or(|t| t == f.topic)
    }
}

/// The rows a view shows, in its order: by level highest first when asked
/// (config order among equals), else config order.
pub(super) fn landscape_rows<'a>(r: &'a FlagsReport, view: &LandscapeView) -> Vec<&'a Flag> {
    let mut rows: Vec<&Flag> = r.active().filter(|f| view.shows(f)).collect();
    if view.by_level {
        rows.sort_by_key(|f| std::cmp::Reverse(f.level));
    }
    rows
}

/// The landscape's form, filled with what `view` asked.
fn landscape_form(
    cfg: &Config,
    r: &FlagsReport,
    view: &LandscapeView,
    shown: usize,
) -> LandscapeForm {
    let chosen: Vec<String> = view.topic.iter().cloned().collect();
    let mut topics = choices(
        cfg.topics
            .iter()
            .map(|t| (t.name.as_str(), t.name.as_str())),
        &chosen,
    );
    if let Some(any) = topics.first_mut() {
        any.label = "all topics".into();
    }
    let sorts = [
        ("", "topic, as configured"),
        ("level", "level, highest first"),
    ]
    .into_iter()
    .map(|(value, label)| Choice {
        value: value.into(),
        label: label.into(),
        selected: (value == "level") == view.by_level,
        title: String::new(),
    })
    .collect();
    let active = r.active().count();
    LandscapeForm {
        as_of: view.as_of.clone(),
        window: format!("{}d", r.window_days),
        topics,
        sorts,
        shown: match &view.topic {
            Some(t) => format!("{shown} of {active} rows: topic {t}."),
            None => String::new(),
        },
    }
}

/// The landscape page: the form, events, the matrix, the evidence behind each row.
pub(super) fn landscape_page(cfg: &Config, r: &FlagsReport, view: &LandscapeView) -> LandscapePage {
    let events = r
        .events()
        .into_iter()
        .filter(|(flag, _)| view.shows(flag))
        .map(|(flag, e)| EventView {
            date: day(e.date),
            what: format!(
                "{} {}: {} → {}",
                e.vendor.display_name(),
                e.kind.as_str().replace('_', " "),
                e.product,
                e.stage.label()
            ),
            subject: flag.subject(),
            title: e.title.clone(),
            // Catalog entries are not documents of the index.
            note: if e.id.starts_with("catalog:") {
                String::new()
            } else {
                item_href(&e.id)
            },
            url: safe_url(&e.url),
        })
        .collect();
    let mut rows = Vec::new();
    let mut details = Vec::new();
    let shown = landscape_rows(r, view);
    for (n, f) in shown.iter().copied().enumerate() {
        let anchor = format!("row-{n}");
        let vendors: Vec<VendorDetail> = crate::DEFAULT_ABSORPTION_VENDORS
            .iter()
            .map(|v| vendor_detail(f, *v, &anchor))
            .filter(|d| !d.offerings.is_empty() || !d.evidence.is_empty())
            .collect();
        let cells = if f.system.is_some() {
            crate::DEFAULT_ABSORPTION_VENDORS
                .iter()
                .map(|v| CellView {
                    text: matrix_cell(&f.offerings, *v),
                    href: vendors
                        .iter()
                        .find(|d| d.name == v.display_name())
                        .map(|d| format!("#{}", d.anchor)),
                })
                .collect()
        } else {
            Vec::new()
        };
        rows.push(RowView {
            level: f.level.as_str(),
            subject: f.subject(),
            anchor: format!("#{anchor}"),
            cells,
            reason: f.reason.clone(),
        });
        details.push(DetailView {
            anchor,
            subject: f.subject(),
            level: f.level.as_str(),
            reason: f.reason.clone(),
            timeline: timeline_svg(f, ledger::civil_day(r.as_of)),
            steps: f
                .timeline
                .iter()
                .map(|e| StepView {
                    date: e.date.to_string(),
                    what: format!(
                        "{} {}: {}",
                        e.vendor.display_name(),
                        e.product,
                        e.stage.label()
                    ),
                    source: e.source.as_str(),
                    url: safe_url(&e.url),
                })
                .collect(),
            momentum: momentum(f),
            more: if f.more_evidence > 0 {
                format!("… and {} more notes", f.more_evidence)
            } else {
                String::new()
            },
            more_href: (f.more_evidence > 0).then(|| evidence_search(r, f)),
            vendors,
        });
    }
    LandscapePage {
        chrome: chrome("/landscape"),
        form: landscape_form(cfg, r, view, rows.len()),
        intro: format!(
            "As of {}: cloud notes since {}, compared with the {} days before. Catalog checked {}.",
            day(r.as_of),
            day(r.since),
            r.window_days,
            r.catalog_checked
        ),
        rule: format!(
            "absorbed: GA from {} or more vendors; absorbing: GA from one, or a preview from {} or more; watch: alternatives only, or named in launch notes.",
            r.rule.absorbed_min_ga_vendors, r.rule.absorbing_min_preview_vendors
        ),
        events,
        rows,
        details,
    }
}

/// The search for a row's cloud notes of the window: its system's (by the
/// `system` field) or, for a topic area's row, its topic's.
fn evidence_search(r: &FlagsReport, f: &Flag) -> String {
    let (since, until) = (search_point(r.since), search_point(r.as_of));
    let phrase;
    let what = match &f.system {
        Some(s) => {
            phrase = field_phrase("system", s);
            ("q", phrase.as_str())
        }
        None => ("topic", f.topic.as_str()),
    };
    search_path(&[
        what,
        ("kind", "cloud"),
        ("since", &since),
        ("until", &until),
        ("sort", "date"),
    ])
}

/// Width of the timeline picture, of its lane labels, and a lane's height.
const SVG_WIDTH: u32 = 640;
const SVG_LABELS: u32 = 104;
const SVG_LANE: u32 = 22;

/// The system's timeline drawn (see [`TimelineSvg`]), from the first
/// January of its first milestone's year to `today`; `None` when it has no
/// dated milestone.
fn timeline_svg(f: &Flag, today: Date) -> Option<TimelineSvg> {
    let first = f.timeline.first()?.date;
    let start = Date::new(first.year(), 1, 1).ok()?;
    let end = today.max(start.checked_add(jiff::Span::new().years(1)).ok()?);
    let days = |d: Date| f64::from(start.until(d).map(|s| s.get_days()).unwrap_or(0));
    let plot = f64::from(SVG_WIDTH - SVG_LABELS - 24);
    let total = days(end).max(1.0);
    let x = |d: Date| SVG_LABELS + (days(d.min(end)) / total * plot).round() as u32;
    let vendors: Vec<_> = crate::model::Vendor::ALL
        .iter()
        .copied()
        .filter(|v| f.timeline.iter().any(|e| e.vendor == *v))
        .collect();
    let top = 8;
    let y_of = |v| {
        let lane = vendors.iter().position(|w| *w == v).unwrap_or(0) as u32;
        top + SVG_LANE / 2 + lane * SVG_LANE
    };
    let bottom = top + SVG_LANE * vendors.len() as u32;
    let lanes = vendors
        .iter()
        .map(|v| LaneView {
            text_y: y_of(*v) + 4,
            name: v.display_name(),
        })
        .collect();
    let years = (end.year() - start.year()).max(1);
    let step = (years + 7) / 8;
    let ticks = (start.year()..=end.year())
        .step_by(usize::try_from(step).unwrap_or(1).max(1))
        .filter_map(|y| Date::new(y, 1, 1).ok())
        .filter(|d| *d <= end)
        .map(|d| TickView {
            x: x(d),
            label: d.year().to_string(),
        })
        .collect();
    // Each offering's life: from its first milestone to its retirement, or to today.
    let mut spans = Vec::new();
    let mut seen = std::collections::BTreeSet::new();
    for e in &f.timeline {
        if !seen.insert((e.vendor, e.product.as_str())) {
            continue;
        }
        let ended = f
            .timeline
            .iter()
            .find(|r| {
                r.vendor == e.vendor && r.product == e.product && r.stage == Milestone::Retired
            })
            .map_or(end, |r| r.date);
        spans.push(SpanView {
            x1: x(e.date),
            x2: x(ended),
            y: y_of(e.vendor),
            class: if e.relation.absorbs() {
                "life"
            } else {
                "life alternative"
            },
        });
    }
    let marks = f
        .timeline
        .iter()
        .map(|e| MarkView {
            x: x(e.date),
            y: y_of(e.vendor),
            class: format!(
                "mark {}{}",
                e.stage.as_str(),
                if e.relation.absorbs() {
                    ""
                } else {
                    " alternative"
                }
            ),
            title: format!(
                "{} {} {}: {}",
                e.date,
                e.vendor.display_name(),
                e.product,
                e.stage.label()
            ),
        })
        .collect();
    let height = bottom + 20;
    Some(TimelineSvg {
        width: SVG_WIDTH,
        height,
        view_box: format!("0 0 {SVG_WIDTH} {height}"),
        year_y: height - 5,
        top,
        bottom,
        label: format!(
            "{}: {} dated milestone{} from {} to {}",
            f.subject(),
            f.timeline.len(),
            if f.timeline.len() == 1 { "" } else { "s" },
            first,
            f.timeline.last().map_or(first, |e| e.date)
        ),
        lanes,
        ticks,
        spans,
        marks,
    })
}

/// Feature and region notes per vendor, this window (and the one before).
fn momentum(f: &crate::absorb::Flag) -> String {
    f.momentum
        .iter()
        .filter(|(_, m)| m.now > 0 || m.before > 0)
        .map(|(v, m)| format!("{} {} (before {})", v.display_name(), m.now, m.before))
        .collect::<Vec<_>>()
        .join(", ")
}

/// One vendor's offerings and notes of a row.
fn vendor_detail(f: &crate::absorb::Flag, v: Vendor, row: &str) -> VendorDetail {
    VendorDetail {
        anchor: format!("{row}-{}", v.as_str()),
        name: v.display_name(),
        offerings: f
            .offerings
            .iter()
            .filter(|o| o.vendor == v)
            .map(|o| OfferingView {
                product: o.product.clone(),
                facts: [
                    Some(o.relation.as_str().to_string()),
                    Some(o.stage.label().to_string()),
                    o.since.as_ref().map(|s| format!("since {s}")),
                    Some(
                        match o.source {
                            crate::absorb::Origin::Catalog => "catalog",
                            crate::absorb::Origin::Crawl => "crawled",
                            crate::absorb::Origin::Config => "sources.toml",
                        }
                        .to_string(),
                    ),
                ]
                .into_iter()
                .flatten()
                .collect::<Vec<_>>()
                .join(" · "),
                url: safe_url(&o.url),
            })
            .collect(),
        evidence: f
            .evidence
            .iter()
            .filter(|e| e.vendor == v)
            .map(|e| EvidenceView {
                date: day(e.date),
                facts: format!("{} · {}", e.stage, e.relation.as_str()),
                title: e.title.clone(),
                note: item_href(&e.id),
                url: safe_url(&e.url),
            })
            .collect(),
    }
}

/// The list of report weeks: each week (Monday 00:00 UTC onwards) that
/// holds documents, newest first, up to the current one, with its counts.
pub(super) fn reports_page(
    weeks: &[(jiff::Timestamp, crate::index::SubCounts)],
    now: jiff::Timestamp,
) -> ReportsPage {
    let week = jiff::SignedDuration::from_hours(7 * 24);
    let rows: Vec<WeekView> = weeks
        .iter()
        .rev()
        .filter(|(start, _)| *start <= now)
        .map(|(start, counts)| {
            let end = start.checked_add(week).unwrap_or(*start);
            let label = week_label(*start);
            let last_day = end
                .checked_sub(jiff::SignedDuration::from_hours(24))
                .unwrap_or(*start);
            WeekView {
                href: format!("/report?week={label}"),
                dates: format!("{} – {}", day(*start), day(last_day)),
                documents: thousands(usize::try_from(counts.documents).unwrap_or(usize::MAX)),
                kinds: crate::feeds::kind_counts(&counts.by),
                search: search_path(&[
                    ("since", &search_point(*start)),
                    ("until", &search_point(end)),
                    ("sort", "date"),
                ]),
                in_progress: end > now,
                label,
            }
        })
        .collect();
    let total: u64 = weeks
        .iter()
        .filter(|(start, _)| *start <= now)
        .map(|(_, c)| c.documents)
        .sum();
    let intro = match (rows.last(), rows.first()) {
        (Some(first), Some(last)) => format!(
            "{} documents, {} to {}: {} documents in all, each filed under its date (published, else updated, else first seen). Weeks run Monday to Sunday, UTC.",
            if rows.len() == 1 {
                "1 week holds".to_string()
            } else {
                format!("{} weeks hold", rows.len())
            },
            first.label,
            last.label,
            thousands(usize::try_from(total).unwrap_or(usize::MAX)),
        ),
        _ => "The index holds no documents yet: run `horizon crawl`.".into(),
    };
    ReportsPage {
        chrome: chrome("/report"),
        intro,
        weeks: rows,
    }
}

/// Every source with its health.
pub(super) fn sources_page(cfg: &Config, state: &CrawlState) -> SourcesPage {
    let rows = crate::sources::listing::rows(cfg, state)
        .into_iter()
        .map(|r| SourceView {
            status: r.status.as_str(),
            name: r.name.to_string(),
            kind: r.kind,
            last_success: r
                .health
                .last_success
                .map(|t| t.strftime("%Y-%m-%d %H:%M").to_string())
                .unwrap_or_else(|| "never".into()),
            detail: r.health.describe(r.status),
            urls: r.urls.iter().map(|u| (u.clone(), safe_url(u))).collect(),
        })
        .collect();
    SourcesPage {
        chrome: chrome("/sources"),
        last_crawl: state
            .last_crawl
            .as_ref()
            .map(|c| {
                format!(
                    "Last crawl finished {} ({}; {} sources, {} failed).",
                    c.finished.strftime("%Y-%m-%d %H:%M UTC"),
                    c.status,
                    c.sources,
                    c.failed
                )
            })
            .unwrap_or_else(|| "No crawl has finished yet.".into()),
        rows,
    }
}

/// This server's page of the document `id`.
pub(super) fn item_href(id: &str) -> String {
    let query = url::form_urlencoded::Serializer::new(String::new())
        .append_pair("id", id)
        .finish();
    format!("/item?{query}")
}
