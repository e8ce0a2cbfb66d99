//! The library's results as the pages' views: a stored item, the flags,
//! the sources' health. Words only; the templates lay them out.

use crate::absorb::{day, matrix_cell, FlagsReport};
use crate::config::Config;
use crate::model::{Item, Vendor};
use crate::report::safe_url;
use crate::state::CrawlState;

use super::pages::item_href;
use super::views::*;

/// The page of one document.
pub(super) fn item_page(i: &Item) -> ItemPage {
    let mut facts: Vec<(String, String)> = Vec::new();
    let mut fact = |label: &str, value: String| {
        if !value.is_empty() {
            facts.push((label.to_string(), value));
        }
    };
    let date = |t: Option<jiff::Timestamp>| t.map(day).unwrap_or_default();
    fact("kind", i.kind.to_string());
    fact("source", i.source.clone());
    fact("date", date(i.date()));
    fact("published", date(i.published));
    fact("updated", date(i.updated));
    fact("first seen", date(i.first_seen));
    fact(
        "vendor",
        i.vendor
            .map(|v| v.display_name().to_string())
            .unwrap_or_default(),
    );
    fact("stage", i.stage.map(|s| s.to_string()).unwrap_or_default());
    fact("products", i.products.join(", "));
    fact(
        "systems",
        i.links
            .iter()
            .map(|l| format!("{} ({})", l.system, l.relation.as_str()))
            .collect::<Vec<_>>()
            .join(", "),
    );
    fact("topics", i.topics.join(", "));
    fact("authors", i.authors.join(", "));
    fact("categories", i.categories.join(", "));
    fact("language", i.language.clone().unwrap_or_default());
    fact("stars", i.stars.map(|s| s.to_string()).unwrap_or_default());
    fact(
        "stars in the period",
        i.stars_period.map(|s| s.to_string()).unwrap_or_default(),
    );
    fact("id", i.id.clone());
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

/// The landscape page: events, the matrix, the evidence behind each row.
pub(super) fn landscape_page(r: &FlagsReport) -> LandscapePage {
    let events = r
        .events()
        .into_iter()
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
    for (n, f) in r.active().enumerate() {
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
            momentum: momentum(f),
            more: if f.more_evidence > 0 {
                format!("{} more notes not listed.", f.more_evidence)
            } else {
                String::new()
            },
            vendors,
        });
    }
    LandscapePage {
        chrome: chrome("/landscape"),
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
