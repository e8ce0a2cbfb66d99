//! The words the Markdown and HTML renderings share: counts and plurals,
//! the headline, the rule, an item's meta line, the motion figures, the
//! absorption lines, and the one rule for links ([`safe_url`]).
//!
//! Everything here returns plain, unescaped text; each renderer escapes it
//! for its own format (Markdown: `markdown::md_escape`; HTML: the template
//! engine's escaper, see `html.rs`).

use url::Url;

use crate::absorb::{day, join_and, Flag};
use crate::model::{Kind, TrendingPeriod, Vendor};
use crate::report::{
    Motion, MovedEvent, Report, ReportFlag, ReportItem, MOTION_BASELINE_PERIODS, MOTION_MIN_DOCS,
    MOTION_MIN_HISTORY,
};
use crate::text::clean_line;

/// The URL if it is http(s) with a host, normalized.
pub fn safe_url(raw: &str) -> Option<String> {
    let url = Url::parse(clean_line(raw).as_str()).ok()?;
    if matches!(url.scheme(), "http" | "https") && url.host().is_some() {
        Some(url.to_string())
    } else {
        None
    }
}

/// The web server's search page for these filters (`/search?topic=…`), the
/// names those of its query string (`q`, `kind`, `topic`, `source`,
/// `vendor`, `stage`, `language`, `since`, `until`, `sort`).
pub fn search_path(pairs: &[(&str, &str)]) -> String {
    let mut s = url::form_urlencoded::Serializer::new(String::new());
    for (k, v) in pairs {
        s.append_pair(k, v);
    }
    format!("/search?{}", s.finish())
}

/// A point in time as the search's `since`/`until` take it: the day
/// (`2026-11-02`) at midnight UTC, else the whole timestamp.
pub fn search_point(t: jiff::Timestamp) -> String {
    let zoned = t.to_zoned(jiff::tz::TimeZone::UTC);
    if zoned.time() == jiff::civil::Time::midnight() {
        zoned.date().to_string()
    } else {
        t.to_string()
    }
}

/// A phrase query on one field (`system:"Apache Kafka"`), the value's
/// quotes and backslashes dropped so that it stays one phrase.
pub fn field_phrase(field: &str, value: &str) -> String {
    let clean: String = value
        .chars()
        .map(|c| if matches!(c, '"' | '\\') { ' ' } else { c })
        .collect();
    format!(
        "{field}:\"{}\"",
        clean.split_whitespace().collect::<Vec<_>>().join(" ")
    )
}

/// "1 document", "3 documents".
pub fn plural(n: u64, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

fn kind_noun(kind: Kind, n: u64) -> String {
    match kind {
        Kind::Paper => plural(n, "paper", "papers"),
        Kind::Article => plural(n, "article", "articles"),
        Kind::Repo => plural(n, "repository", "repositories"),
        Kind::Cloud => plural(n, "cloud update", "cloud updates"),
    }
}

pub use crate::text::thousands;

/// "this week", "today"… for a trending period.
fn trending_words(period: Option<TrendingPeriod>) -> &'static str {
    match period {
        Some(TrendingPeriod::Daily) => "today",
        Some(TrendingPeriod::Weekly) => "this week",
        Some(TrendingPeriod::Monthly) => "this month",
        None => "in the period",
    }
}

/// "2025-10-27 – 2025-11-02": the first and the last day of the period.
fn days(r: &Report) -> String {
    let last = r
        .period
        .until
        .checked_sub(jiff::SignedDuration::from_secs(1))
        .unwrap_or(r.period.since);
    let (a, b) = (day(r.period.since), day(last));
    if a == b {
        a
    } else {
        format!("{a} – {b}")
    }
}

/// "week" for an ISO week, else "period".
pub fn what(r: &Report) -> &'static str {
    if r.period.is_week() {
        "week"
    } else {
        "period"
    }
}

/// "209 documents filed in the period: 209 cloud updates. In the landscape:
/// 1 new cell." — what changed, never the standing flags.
pub fn headline_text(r: &Report) -> String {
    let h = &r.headline;
    let parts: Vec<String> = h
        .by_kind
        .iter()
        .filter(|k| k.count > 0)
        .map(|k| kind_noun(k.kind, k.count))
        .collect();
    let kinds = if parts.is_empty() {
        String::new()
    } else {
        format!(": {}", join_and(&parts))
    };
    format!(
        "{} filed in the period{kinds}. In the landscape: {}.",
        plural(h.documents, "document", "documents"),
        cells_moved(r)
    )
}

/// "nothing moved", "1 new cell", "2 new cells and 1 changed cell".
pub fn cells_moved(r: &Report) -> String {
    let (new, changed) = (r.headline.new_cells as u64, r.headline.changed_cells as u64);
    match (new, changed) {
        (0, 0) => "nothing moved".into(),
        (n, 0) => plural(n, "new cell", "new cells"),
        (0, c) => plural(c, "changed cell", "changed cells"),
        (n, c) => format!(
            "{} and {}",
            plural(n, "new cell", "new cells"),
            plural(c, "changed cell", "changed cells")
        ),
    }
}

/// The absorption rule in one sentence.
pub fn rule_text(r: &Report) -> String {
    let rule = &r.flags.rule;
    format!(
        "absorbed = a GA managed or compatible offering from ≥{} vendors; absorbing = GA from 1 vendor or a preview from ≥{}; watch = only alternatives, or launch notes naming the system. Momentum: feature and region notes in the last {} days.",
        rule.absorbed_min_ga_vendors,
        rule.absorbing_min_preview_vendors,
        r.flags.window_days,
    )
}

/// An item's meta line, in parts: stars and language for a repository,
/// vendor and stage for a cloud note, authors for the rest; then the date.
pub fn item_meta(item: &ReportItem) -> Vec<String> {
    let mut meta = Vec::new();
    match item.kind {
        Kind::Repo => {
            if let Some(gained) = item.stars_period {
                let total = item
                    .stars
                    .map(|t| format!(" ({} total)", thousands(t)))
                    .unwrap_or_default();
                meta.push(format!(
                    "★ +{} {}{total}",
                    thousands(gained),
                    trending_words(item.trending_period)
                ));
            } else if let Some(total) = item.stars {
                meta.push(format!("★ {}", thousands(total)));
            }
            if let Some(l) = &item.language {
                meta.push(l.clone());
            }
            if let Some(run) = item.trending.as_ref().filter(|run| run.days > 1) {
                meta.push(run.phrase());
            }
        }
        Kind::Cloud => {
            if let Some(v) = item.vendor {
                meta.push(v.display_name().to_string());
            }
            if let Some(s) = item.stage {
                meta.push(s.as_str().to_string());
            }
        }
        Kind::Paper | Kind::Article => {
            if !item.authors.is_empty() {
                let mut a = item.authors.join(", ");
                if item.more_authors > 0 {
                    a.push_str(" et al.");
                }
                meta.push(a);
            }
        }
    }
    if item.kind != Kind::Repo {
        if let Some(d) = item.date {
            meta.push(day(d));
        }
    }
    meta
}

/// What the motion figures compare.
pub fn motion_intro(r: &Report) -> String {
    let n = r.activity.buckets.len();
    let base = MOTION_BASELINE_PERIODS;
    let what = what(r);
    if !r.history.enough {
        return not_enough_history(r);
    }
    if r.motion.first().is_some_and(|m| m.per == "week") && !r.period.is_week() {
        format!("Documents per week in this {what} against the average week of the {base} weeks before it; activity over the last {n} {what}s of the same length (oldest first).")
    } else {
        format!("Documents this {what} against the average of the {base} {what}s before; activity over the last {n} {what}s (oldest first).")
    }
}

/// "Not enough history yet: …": why motion shows no ratios.
fn not_enough_history(r: &Report) -> String {
    let n = r.activity.buckets.len();
    let what = what(r);
    let unit = if r.motion.first().is_some_and(|m| m.per == "week") {
        "week"
    } else {
        what
    };
    let since = match r.history.first_crawl {
        Some(t) => format!("the first crawl was on {}", day(t)),
        None => "the index has no crawl dates".into(),
    };
    format!(
        "Not enough history yet: {since}, so {} of the {MOTION_BASELINE_PERIODS} {unit}s before this {what} can be compared; ratios need {MOTION_MIN_HISTORY}. Documents this {what}, and the activity over the last {n} {what}s (oldest first).",
        r.history.baseline_periods
    )
}

/// "2025-10-27 – 2025-11-02 (UTC)" under a week's title; "Dates are UTC"
/// under a custom period's, whose title already names its days. Notes a
/// period that is not over yet.
pub fn dates_line(r: &Report) -> String {
    let what = what(r);
    let line = if r.period.is_week() {
        format!("{} (UTC)", days(r))
    } else {
        "Dates are UTC".to_string()
    };
    if r.in_progress {
        format!("{line}, this {what} is not over yet")
    } else {
        line
    }
}

/// "paper", "repo"…: the kind's tag in the top reads.
pub fn kind_short(kind: Kind) -> &'static str {
    match kind {
        Kind::Paper => "paper",
        Kind::Article => "article",
        Kind::Repo => "repo",
        Kind::Cloud => "cloud",
    }
}

/// "3 documents matched no topic; list them with", when some did.
pub fn untagged_text(r: &Report) -> Option<String> {
    (r.untagged.documents > 0).then(|| {
        format!(
            "{} matched no topic; list them with",
            plural(r.untagged.documents, "document", "documents")
        )
    })
}

/// "8.00×", "new", "few" or "–".
pub fn motion_words(m: &Motion) -> String {
    match m.ratio {
        Some(x) => format!("{x:.2}×"),
        None if m.count == 0 => "–".into(),
        None if m.rate.max(m.average) < MOTION_MIN_DOCS as f64 => "few".into(),
        None => "new".into(),
    }
}

/// "12" for a week; "3.25/week" for a long period's rate.
pub fn rate_text(m: &Motion, value: f64, is_week: bool) -> String {
    let n = format!("{value:.2}");
    let n = n.strip_suffix(".00").unwrap_or(&n);
    if is_week || m.per == "period" {
        n.to_string()
    } else {
        format!("{n}/week")
    }
}

/// "2025-10-14 · Google Cloud · Managed Service for Apache Kafka → GA (launch, new) · Kafka".
pub fn moved_text(m: &MovedEvent) -> String {
    format!(
        "{} · {} · {} → {} ({}, {}) · {}",
        day(m.event.date),
        m.event.vendor.display_name(),
        m.event.product,
        m.event.stage.label(),
        m.event.kind.as_str().replace('_', " "),
        m.change.as_str(),
        m.system
    )
}

/// "Google Cloud 12 (8 before), AWS 2 (0 before)".
pub fn momentum_text(f: &Flag) -> Option<String> {
    let parts: Vec<String> = f
        .momentum
        .iter()
        .filter(|(_, m)| m.now > 0)
        .map(|(v, m)| format!("{} {} ({} before)", v.display_name(), m.now, m.before))
        .collect();
    (!parts.is_empty()).then(|| parts.join(", "))
}

/// One matrix cell, "•" marking a vendor whose cell changed in the period.
pub fn matrix_cell(f: &ReportFlag, v: Vendor) -> String {
    let text = crate::absorb::matrix_cell(&f.flag.offerings, v);
    if f.changed_vendors.contains(&v) {
        format!("{text} •")
    } else {
        text
    }
}

/// The flags that cleared, "Kafka (was absorbing), streaming (area) (was watch)";
/// `escape` is applied to each name before the words are added.
pub fn cleared_names(r: &Report, escape: impl Fn(&str) -> String) -> String {
    let names: Vec<String> = r
        .flags
        .cleared
        .iter()
        .map(|c| {
            let subject = match &c.system {
                Some(s) => escape(s),
                None => format!("{} (area)", escape(&c.topic)),
            };
            format!("{subject} (was {})", c.previous_level)
        })
        .collect();
    names.join(", ")
}

/// The active flags of systems (the matrix rows), then of topic areas.
pub fn systems_and_areas(r: &Report) -> (Vec<&ReportFlag>, Vec<&ReportFlag>) {
    r.flags.flags.iter().partition(|f| f.flag.system.is_some())
}

#[cfg(test)]
mod tests {
    use super::*;

    // Guards the server's links to the search (#31 item 6): a phrase stays
    // one phrase whatever the value holds, days at midnight stay days.
    #[test]
    fn search_links_keep_values_whole() {
        assert_eq!(
            field_phrase("system", "Apache \"Kafka\"\\ x"),
            "system:\"Apache Kafka x\""
        );
        assert_eq!(
            search_path(&[("q", "a&b=c"), ("topic", "none")]),
            "/search?q=a%26b%3Dc&topic=none"
        );
        let t = |s: &str| {
            s.parse::<jiff::Timestamp>()
                .unwrap_or_else(|e| panic!("{e}"))
        };
        assert_eq!(search_point(t("2025-10-27T00:00:00Z")), "2025-10-27");
        assert_eq!(
            search_point(t("2025-10-27T08:30:00Z")),
            "2025-10-27T08:30:00Z"
        );
    }

    #[test]
    fn only_http_links() {
        assert_eq!(
            safe_url("https://example.org/x"),
            Some("https://example.org/x".into())
        );
        assert_eq!(safe_url("JavaScript:alert(1)"), None);
        assert_eq!(safe_url("data:text/html,hi"), None);
        assert_eq!(safe_url("/relative"), None);
    }

    #[test]
    fn numbers() {
        assert_eq!(thousands(1234567), "1,234,567");
        assert_eq!(thousands(12), "12");
    }
}
