//! Markdown and HTML renderings of a [`Report`].
//!
//! Both show the same things in the same order: headline, absorption flags,
//! per-topic sections, topics in motion with the 12-period activity, source
//! health. Every piece of text that came from a feed is escaped for the
//! target format (Markdown: backslash escapes; HTML: `html-escape`), links are
//! only made for `http`/`https` URLs, and nothing depends on the time of
//! rendering, so the same report renders to the same bytes.

use std::fmt::Write as _;

use url::Url;

use super::{Direction, Motion, Report, ReportFlag, ReportItem, Section};
use crate::absorb::{day, join_and};
use crate::model::{Kind, TrendingPeriod, Vendor};
use crate::text::clean_line;

/// Characters with a meaning in Markdown (CommonMark, GitHub and chat
/// dialects) that feed text must not trigger.
/// Parentheses need no escape: with `[` and `]` escaped they cannot form a link.
const MD_SPECIAL: &[char] = &['\\', '`', '*', '_', '[', ']', '<', '>', '|', '~'];

/// Feed text made safe for Markdown: one clean line, special characters escaped.
pub fn md_escape(s: &str) -> String {
    let clean = clean_line(s);
    let mut out = String::with_capacity(clean.len() + 8);
    for c in clean.chars() {
        if MD_SPECIAL.contains(&c) {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

/// The URL if it is http(s) with a host, normalized.
pub fn safe_url(raw: &str) -> Option<String> {
    let url = Url::parse(clean_line(raw).as_str()).ok()?;
    if matches!(url.scheme(), "http" | "https") && url.host().is_some() {
        Some(url.to_string())
    } else {
        None
    }
}

/// `[text](url)` when the URL is safe, else the escaped text alone.
fn md_link(text: &str, url: &str) -> String {
    let label = md_escape(text);
    match safe_url(url) {
        Some(u) => format!(
            "[{label}]({})",
            u.replace('(', "%28")
                .replace(')', "%29")
                .replace(' ', "%20")
        ),
        None => label,
    }
}

fn plural(n: u64, one: &str, many: &str) -> String {
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

pub(super) fn thousands(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

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

fn headline_text(r: &Report) -> String {
    let h = &r.headline;
    let mut s = format!(
        "{} filed in the period",
        plural(h.documents, "document", "documents")
    );
    let parts: Vec<String> = h
        .by_kind
        .iter()
        .filter(|k| k.count > 0)
        .map(|k| kind_noun(k.kind, k.count))
        .collect();
    if !parts.is_empty() {
        let _ = write!(s, ": {}", join_and(&parts));
    }
    let _ = write!(
        s,
        ". Cloud absorption: {} ({} new, {} changed).",
        plural(h.active_flags as u64, "flag", "flags"),
        h.new_flags,
        h.changed_flags
    );
    s
}

fn rule_text(r: &Report) -> String {
    let rule = &r.flags.rule;
    format!(
        "absorbed = a GA managed or compatible offering from ≥{} vendors; absorbing = GA from 1 vendor or a preview from ≥{}; watch = only alternatives, or launch notes naming the system. Momentum: feature and region notes in the last {} days.",
        rule.absorbed_min_ga_vendors,
        rule.absorbing_min_preview_vendors,
        r.flags.window_days,
    )
}

fn item_meta(item: &ReportItem) -> Vec<String> {
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
fn motion_intro(r: &Report) -> String {
    let n = r.activity.buckets.len();
    let base = super::MOTION_BASELINE_PERIODS;
    let what = what(r);
    if r.motion.first().is_some_and(|m| m.per == "week") && !r.period.is_week() {
        format!("Documents per week in this {what} against the average week of the {base} weeks before it; activity over the last {n} {what}s of the same length (oldest first).")
    } else {
        format!("Documents this {what} against the average of the {base} {what}s before; activity over the last {n} {what}s (oldest first).")
    }
}

fn spark(counts: &[u64]) -> String {
    const BARS: [char; 8] = ['▁', '▂', '▃', '▄', '▅', '▆', '▇', '█'];
    let max = counts.iter().copied().max().unwrap_or(0);
    counts
        .iter()
        .map(|&c| {
            if max == 0 || c == 0 {
                BARS[0]
            } else {
                let i = ((c * 7) as f64 / max as f64).round() as usize;
                BARS[i.clamp(1, 7)]
            }
        })
        .collect()
}

/// "2025-10-27 – 2025-11-02 (UTC)" under a week's title; "Dates are UTC"
/// under a custom period's, whose title already names its days. Notes a
/// period that is not over yet.
fn dates_line(r: &Report) -> String {
    let what = if r.period.is_week() { "week" } else { "period" };
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

fn kind_short(kind: Kind) -> &'static str {
    match kind {
        Kind::Paper => "paper",
        Kind::Article => "article",
        Kind::Repo => "repo",
        Kind::Cloud => "cloud",
    }
}

/// "documents this week" → the untagged line.
fn untagged_text(r: &Report) -> Option<String> {
    (r.untagged.documents > 0).then(|| {
        format!(
            "{} matched no topic; list them with",
            plural(r.untagged.documents, "document", "documents")
        )
    })
}

/// The summary: headline, absorption, top reads.
fn summary_md(o: &mut String, r: &Report) {
    let _ = writeln!(
        o,
        "## The {} in one screen
",
        what(r)
    );
    let _ = writeln!(
        o,
        "{}
",
        headline_text(r)
    );
    for line in &r.summary.absorption {
        let _ = writeln!(o, "- {}", md_escape(line));
    }
    if !r.summary.absorption.is_empty() {
        o.push('\n');
    }
    if r.summary.top_reads.iter().any(|t| !t.items.is_empty()) {
        let _ = writeln!(o, "**Top reads**\n");
        for t in &r.summary.top_reads {
            let _ = writeln!(o, "- **{}**", md_escape(&t.topic));
            for item in &t.items {
                let _ = writeln!(
                    o,
                    "  - {} ({}) — {}",
                    md_link(&item.title, &item.url),
                    kind_short(item.kind),
                    md_escape(&item.why)
                );
            }
        }
        o.push('\n');
    }
    if let Some(text) = untagged_text(r) {
        let _ = writeln!(o, "{text} `{}`.\n", r.untagged.command.replace('`', ""));
    }
}

fn summary_html(o: &mut String, r: &Report) {
    let _ = writeln!(
        o,
        "<section class=\"summary\">\n<h2>The {} in one screen</h2>",
        what(r)
    );
    let _ = writeln!(o, "<p>{}</p>", h(&headline_text(r)));
    if !r.summary.absorption.is_empty() {
        let _ = writeln!(o, "<ul class=\"absorb\">");
        for line in &r.summary.absorption {
            let _ = writeln!(o, "<li>{}</li>", h(line));
        }
        let _ = writeln!(o, "</ul>");
    }
    if r.summary.top_reads.iter().any(|t| !t.items.is_empty()) {
        let _ = writeln!(o, "<h3>Top reads</h3>\n<div class=\"reads\">");
        for t in &r.summary.top_reads {
            let _ = writeln!(o, "<div class=\"topic\"><h4>{}</h4><ol>", h(&t.topic));
            for item in &t.items {
                let _ = writeln!(
                    o,
                    "<li><span class=\"kind\">{}</span> {}<div class=\"why\">{}</div></li>",
                    kind_short(item.kind),
                    html_link(&item.title, &item.url),
                    h(&item.why)
                );
            }
            let _ = writeln!(o, "</ol></div>");
        }
        let _ = writeln!(o, "</div>");
    }
    if let Some(text) = untagged_text(r) {
        let _ = writeln!(
            o,
            "<p class=\"muted small\">{} <code>{}</code>.</p>",
            h(&text),
            h(&r.untagged.command)
        );
    }
    let _ = writeln!(o, "</section>");
}

fn what(r: &Report) -> &'static str {
    if r.period.is_week() {
        "week"
    } else {
        "period"
    }
}

/// "8.00× (1.00/week before)", "new", "few" or "–".
fn motion_words(m: &Motion) -> String {
    match m.ratio {
        Some(x) => format!("{x:.2}×"),
        None if m.count == 0 => "–".into(),
        None if m.rate.max(m.average) < super::MOTION_MIN_DOCS as f64 => "few".into(),
        None => "new".into(),
    }
}

/// "12" for a week; "3.25/week" for a long period's rate.
fn rate_text(m: &Motion, value: f64, is_week: bool) -> String {
    let n = format!("{value:.2}");
    let n = n.strip_suffix(".00").unwrap_or(&n);
    if is_week || m.per == "period" {
        n.to_string()
    } else {
        format!("{n}/week")
    }
}

/// The report as Markdown for GitHub, email and chat.
pub fn render_markdown(r: &Report) -> String {
    let mut o = String::new();
    let what = if r.period.is_week() { "week" } else { "period" };
    let _ = writeln!(o, "# horizon report — {}\n", md_escape(&r.period.label));
    let _ = writeln!(o, "{}.\n", dates_line(r));
    if r.is_empty() {
        let _ = writeln!(
            o,
            "**Nothing new in this period.** No document was filed between these dates.\n"
        );
    }
    summary_md(&mut o, r);

    // Flags.
    let _ = writeln!(o, "## Cloud absorption\n");
    let _ = writeln!(
        o,
        "As of {}, cloud notes since {}; compared with {}. {}\n",
        day(r.flags.as_of),
        day(r.flags.since),
        day(r.flags.compared_with),
        rule_text(r)
    );
    absorption_md(&mut o, r, what);
    if !r.flags.cleared.is_empty() {
        let names: Vec<String> = r
            .flags
            .cleared
            .iter()
            .map(|c| {
                let subject = match &c.system {
                    Some(s) => md_escape(s),
                    None => format!("{} (area)", md_escape(&c.topic)),
                };
                format!("{subject} (was {})", c.previous_level)
            })
            .collect();
        let _ = writeln!(o, "No longer flagged: {}.\n", names.join(", "));
    }

    // Topics.
    for t in &r.topics {
        let _ = writeln!(
            o,
            "## {} ({})\n",
            md_escape(&t.topic),
            plural(t.documents, "document", "documents")
        );
        for s in &t.sections {
            section_md(&mut o, s);
        }
    }

    // Motion and activity.
    if !r.is_empty() {
        let _ = writeln!(o, "## Topics in motion\n");
        let _ = writeln!(o, "{}\n", motion_intro(r));
        for (m, s) in r.motion.iter().zip(&r.activity.series) {
            let _ = writeln!(
                o,
                "- {} **{}**: {} vs {} ({}) `{}`",
                m.direction.arrow(),
                md_escape(&m.topic),
                rate_text(m, m.rate, r.period.is_week()),
                rate_text(m, m.average, r.period.is_week()),
                motion_words(m),
                spark(&s.counts)
            );
        }
        o.push('\n');
    }

    // Health.
    let _ = writeln!(o, "## Source health\n");
    if r.health.is_empty() {
        let _ = writeln!(o, "All sources are healthy.\n");
    } else {
        for h in &r.health {
            let _ = writeln!(
                o,
                "- **{}** ({}) — {}: {}",
                md_escape(&h.source),
                h.kind,
                md_escape(&h.status),
                md_escape(&h.detail)
            );
        }
        o.push('\n');
    }
    while o.ends_with("\n\n") {
        o.pop();
    }
    o
}

/// "2025-10-14 · Google Cloud · Managed Service for Apache Kafka → GA (launch, new) · Kafka".
fn moved_text(m: &super::MovedEvent) -> String {
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
fn momentum_text(f: &crate::absorb::Flag) -> Option<String> {
    let parts: Vec<String> = f
        .momentum
        .iter()
        .filter(|(_, m)| m.now > 0)
        .map(|(v, m)| format!("{} {} ({} before)", v.display_name(), m.now, m.before))
        .collect();
    (!parts.is_empty()).then(|| parts.join(", "))
}

fn matrix_cell(f: &ReportFlag, v: Vendor) -> String {
    let text = crate::absorb::matrix_cell(&f.flag.offerings, v);
    if f.changed_vendors.contains(&v) {
        format!("{text} •")
    } else {
        text
    }
}

/// What moved, the landscape matrix and one momentum line per moving system.
fn absorption_md(o: &mut String, r: &Report, what: &str) {
    let _ = writeln!(o, "**What moved this {what}**\n");
    if r.flags.moved.is_empty() {
        let _ = writeln!(
            o,
            "Nothing: no launch, stage change or retirement of a watched system's offering.\n"
        );
    }
    for m in &r.flags.moved {
        let _ = writeln!(
            o,
            "- {} · {}",
            md_escape(&moved_text(m)),
            md_link(&m.event.title, &m.event.url)
        );
    }
    if !r.flags.moved.is_empty() {
        o.push('\n');
    }
    let systems: Vec<&ReportFlag> = r
        .flags
        .flags
        .iter()
        .filter(|f| f.flag.system.is_some())
        .collect();
    if !systems.is_empty() {
        let _ = writeln!(
            o,
            "| level | system | AWS | Azure | Google Cloud |\n|---|---|---|---|---|"
        );
        for f in &systems {
            let _ = writeln!(
                o,
                "| {} | {} | {} | {} | {} |",
                f.flag.level,
                md_escape(&f.flag.subject()).replace('|', "\\|"),
                md_escape(&matrix_cell(f, Vendor::Aws)).replace('|', "\\|"),
                md_escape(&matrix_cell(f, Vendor::Azure)).replace('|', "\\|"),
                md_escape(&matrix_cell(f, Vendor::Gcp)).replace('|', "\\|"),
            );
        }
        let _ = writeln!(o, "\n• changed since {}. `horizon flags --json` has every offering's source and the notes behind it.\n", day(r.flags.compared_with));
    }
    for f in r.flags.flags.iter().filter(|f| f.flag.system.is_none()) {
        let _ = writeln!(
            o,
            "- **{}**: {}",
            md_escape(&f.flag.subject()),
            md_escape(&f.flag.reason)
        );
    }
    let moving: Vec<String> = systems
        .iter()
        .filter_map(|f| {
            momentum_text(&f.flag)
                .map(|m| format!("- {}: {}", md_escape(&f.flag.subject()), md_escape(&m)))
        })
        .collect();
    if !moving.is_empty() {
        let _ = writeln!(
            o,
            "\nMomentum (feature and region notes in the last {} days):\n",
            r.flags.window_days
        );
        for line in moving {
            let _ = writeln!(o, "{line}");
        }
    }
    o.push('\n');
}

fn absorption_html(o: &mut String, r: &Report, what: &str) {
    let _ = writeln!(o, "<h3>What moved this {what}</h3>");
    if r.flags.moved.is_empty() {
        let _ = writeln!(
            o,
            "<p>Nothing: no launch, stage change or retirement of a watched system's offering.</p>"
        );
    } else {
        let _ = writeln!(o, "<ul>");
        for m in &r.flags.moved {
            let _ = writeln!(
                o,
                "<li>{} · {}</li>",
                h(&moved_text(m)),
                html_link(&m.event.title, &m.event.url)
            );
        }
        let _ = writeln!(o, "</ul>");
    }
    let systems: Vec<&ReportFlag> = r
        .flags
        .flags
        .iter()
        .filter(|f| f.flag.system.is_some())
        .collect();
    if !systems.is_empty() {
        let _ = writeln!(o, "<table class=\"matrix\"><thead><tr><th>level</th><th>system</th><th>AWS</th><th>Azure</th><th>Google Cloud</th></tr></thead><tbody>");
        for f in &systems {
            let _ = writeln!(
                o,
                "<tr><td><span class=\"level {lvl}\">{lvl}</span></td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
                h(&f.flag.subject()),
                h(&matrix_cell(f, Vendor::Aws)),
                h(&matrix_cell(f, Vendor::Azure)),
                h(&matrix_cell(f, Vendor::Gcp)),
                lvl = f.flag.level,
            );
        }
        let _ = writeln!(o, "</tbody></table>\n<p class=\"muted small\">• changed since {}. <code>horizon flags --json</code> has every offering's source and the notes behind it.</p>", day(r.flags.compared_with));
    }
    let areas: Vec<&ReportFlag> = r
        .flags
        .flags
        .iter()
        .filter(|f| f.flag.system.is_none())
        .collect();
    if !areas.is_empty() {
        let _ = writeln!(o, "<ul class=\"small\">");
        for f in areas {
            let _ = writeln!(
                o,
                "<li><strong>{}</strong>: {}</li>",
                h(&f.flag.subject()),
                h(&f.flag.reason)
            );
        }
        let _ = writeln!(o, "</ul>");
    }
    let moving: Vec<String> = systems
        .iter()
        .filter_map(|f| {
            momentum_text(&f.flag).map(|m| format!("<li>{}: {}</li>", h(&f.flag.subject()), h(&m)))
        })
        .collect();
    if !moving.is_empty() {
        let _ = writeln!(o, "<p class=\"small\">Momentum (feature and region notes in the last {} days):</p>\n<ul class=\"small\">", r.flags.window_days);
        for line in moving {
            let _ = writeln!(o, "{line}");
        }
        let _ = writeln!(o, "</ul>");
    }
}

fn section_md(o: &mut String, s: &Section) {
    let _ = writeln!(o, "### {} ({})\n", s.title, s.total);
    for item in &s.items {
        let meta = item_meta(item);
        let meta = if meta.is_empty() {
            String::new()
        } else {
            format!(" — {}", md_escape(&meta.join(", ")))
        };
        let why = if item.why.is_empty() {
            String::new()
        } else {
            format!(" _({})_", md_escape(&item.why))
        };
        let _ = writeln!(o, "- {}{meta}{why}", md_link(&item.title, &item.url));
    }
    if s.more > 0 {
        let _ = writeln!(o, "- … and {} more", s.more);
    }
    o.push('\n');
}

/// Feed text made safe for HTML element content.
pub fn h(s: &str) -> String {
    html_escape::encode_text(&clean_line(s)).into_owned()
}

/// Feed text made safe for a double-quoted HTML attribute.
fn attr(s: &str) -> String {
    html_escape::encode_double_quoted_attribute(&clean_line(s)).into_owned()
}

/// `<a href="…">text</a>` when the URL is safe, else the escaped text alone.
fn html_link(text: &str, url: &str) -> String {
    match safe_url(url) {
        Some(u) => format!(
            "<a href=\"{}\" rel=\"noopener noreferrer\">{}</a>",
            attr(&u),
            h(text)
        ),
        None => h(text),
    }
}

const CSS: &str = "body{font:15px/1.45 system-ui,-apple-system,'Segoe UI',sans-serif;color:#1b1f24;max-width:72rem;margin:1.2rem auto;padding:0 1rem}\
.summary{background:#f6f8fa;border:1px solid #d0d7de;border-radius:8px;padding:.2rem 1rem .6rem}.summary h2{margin-top:.6rem}\
.reads{display:grid;grid-template-columns:repeat(auto-fill,minmax(21rem,1fr));gap:.4rem 1.2rem}.reads h4{margin:.3rem 0 .1rem;font-size:.95rem}\
.reads ol{margin:0;padding-left:1.2rem}.reads li{font-size:.88rem;margin:.15rem 0}.kind{font-size:.7rem;text-transform:uppercase;color:#57606a;border:1px solid #d0d7de;border-radius:3px;padding:0 .25rem}\
.why{font-size:.8rem;color:#57606a;overflow:hidden;text-overflow:ellipsis;white-space:nowrap}.clamp{display:-webkit-box;-webkit-line-clamp:2;-webkit-box-orient:vertical;overflow:hidden}ul.absorb{margin:.3rem 0}\
h1{font-size:1.6rem;margin-bottom:.2rem}h2{font-size:1.25rem;border-bottom:1px solid #d0d7de;padding-bottom:.2rem;margin-top:2rem}\
h3{font-size:1.02rem;margin:1.2rem 0 .4rem}ul{padding-left:1.3rem}li{margin:.2rem 0}a{color:#0b57d0}\
.muted{color:#57606a}.small{font-size:.88rem}.empty{font-size:1.15rem;font-weight:600;padding:.8rem;background:#f6f8fa;border-radius:6px}\
.level{display:inline-block;min-width:5.5rem;font-weight:600;text-transform:uppercase;font-size:.8rem;padding:.05rem .4rem;border-radius:4px;text-align:center}\
.absorbed{background:#ffebe9;color:#a40e26}.absorbing{background:#fff8c5;color:#7d4e00}.watch{background:#ddf4ff;color:#0a3069}\
.change{font-size:.8rem;color:#57606a;font-style:italic}\
table{border-collapse:collapse}td,th{padding:.2rem .6rem;text-align:left;vertical-align:middle}th{font-weight:600;border-bottom:1px solid #d0d7de}\
td.num{text-align:right;font-variant-numeric:tabular-nums}svg rect{fill:#0b57d0}svg rect.zero{fill:#d0d7de}\
@media print{body{margin:0;max-width:none}a{color:inherit;text-decoration:none}h2{break-after:avoid}}";

/// The report as one self-contained, printable HTML file: inline CSS, inline
/// SVG charts, no scripts and no external resources.
pub fn render_html(r: &Report) -> String {
    let mut o = String::new();
    let what = if r.period.is_week() { "week" } else { "period" };
    let _ = write!(
        o,
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<title>horizon report — {}</title>\n<style>{CSS}</style>\n</head>\n<body>\n",
        h(&r.period.label)
    );
    let _ = writeln!(o, "<h1>horizon report — {}</h1>", h(&r.period.label));
    let _ = writeln!(o, "<p class=\"muted\">{}</p>", dates_line(r));
    if r.is_empty() {
        let _ = writeln!(
            o,
            "<p class=\"empty\">Nothing new in this period. No document was filed between these dates.</p>"
        );
    }
    summary_html(&mut o, r);

    let _ = writeln!(o, "<h2>Cloud absorption</h2>");
    let _ = writeln!(
        o,
        "<p class=\"muted small\">As of {}, cloud notes since {}; compared with {}. {}</p>",
        day(r.flags.as_of),
        day(r.flags.since),
        day(r.flags.compared_with),
        h(&rule_text(r))
    );
    absorption_html(&mut o, r, what);
    if !r.flags.cleared.is_empty() {
        let names: Vec<String> = r
            .flags
            .cleared
            .iter()
            .map(|c| {
                let subject = match &c.system {
                    Some(s) => s.clone(),
                    None => format!("{} (area)", c.topic),
                };
                format!("{subject} (was {})", c.previous_level)
            })
            .collect();
        let _ = writeln!(o, "<p>No longer flagged: {}.</p>", h(&names.join(", ")));
    }

    topics_html(&mut o, r);
    motion_html(&mut o, r, what);
    health_html(&mut o, r);
    let _ = writeln!(o, "</body>\n</html>");
    o
}

/// Each topic's sections with their ranked items.
fn topics_html(o: &mut String, r: &Report) {
    for t in &r.topics {
        let _ = writeln!(
            o,
            "<h2>{} <span class=\"muted small\">{}</span></h2>",
            h(&t.topic),
            plural(t.documents, "document", "documents")
        );
        for s in &t.sections {
            let _ = writeln!(
                o,
                "<h3>{} <span class=\"muted small\">({})</span></h3>\n<ul>",
                h(&s.title),
                s.total
            );
            for item in &s.items {
                let meta = item_meta(item);
                let meta = if meta.is_empty() {
                    String::new()
                } else {
                    format!(" <span class=\"muted\">— {}</span>", h(&meta.join(", ")))
                };
                let summary = if item.summary.is_empty() {
                    String::new()
                } else {
                    format!(
                        "<br><span class=\"small clamp\">{}</span>",
                        h(&item.summary)
                    )
                };
                let summary = if item.why.is_empty() {
                    summary
                } else {
                    format!("{summary}<div class=\"why\">{}</div>", h(&item.why))
                };
                let _ = writeln!(
                    o,
                    "<li>{}{meta}{summary}</li>",
                    html_link(&item.title, &item.url)
                );
            }
            if s.more > 0 {
                let _ = writeln!(o, "<li class=\"muted\">… and {} more</li>", s.more);
            }
            let _ = writeln!(o, "</ul>");
        }
    }
}

/// "Topics in motion": this period's rate against the average, with bars.
fn motion_html(o: &mut String, r: &Report, what: &str) {
    if !r.is_empty() {
        let n = r.activity.buckets.len();
        let _ = writeln!(o, "<h2>Topics in motion</h2>");
        let _ = writeln!(
            o,
            "<p class=\"muted small\">{} ({} – {})</p>",
            h(&motion_intro(r)),
            r.activity
                .buckets
                .first()
                .map(|b| h(&b.label))
                .unwrap_or_default(),
            r.activity
                .buckets
                .last()
                .map(|b| h(&b.label))
                .unwrap_or_default(),
        );
        let _ = writeln!(
            o,
            "<table>\n<tr><th>Topic</th><th>This {what}</th><th>Average</th><th>Ratio</th><th></th><th>Last {n} {what}s</th></tr>"
        );
        for (m, s) in r.motion.iter().zip(&r.activity.series) {
            let ratio = motion_words(m);
            let dir = match m.direction {
                Direction::Up => "up",
                Direction::Down => "down",
                Direction::Steady => "steady",
            };
            let _ = writeln!(
                o,
                "<tr><td>{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"num\">{ratio}</td><td title=\"{dir}\">{}</td><td>{}</td></tr>",
                h(&m.topic),
                rate_text(m, m.rate, r.period.is_week()),
                rate_text(m, m.average, r.period.is_week()),
                m.direction.arrow(),
                svg_bars(r, &s.counts)
            );
        }
        let _ = writeln!(o, "</table>");
    }
}

/// "Source health": the sources that need attention.
fn health_html(o: &mut String, r: &Report) {
    let _ = writeln!(o, "<h2>Source health</h2>");
    if r.health.is_empty() {
        let _ = writeln!(o, "<p>All sources are healthy.</p>");
    } else {
        let _ = writeln!(o, "<ul>");
        for row in &r.health {
            let _ = writeln!(
                o,
                "<li><strong>{}</strong> <span class=\"muted\">({})</span> — {}: {}</li>",
                h(&row.source),
                h(&row.kind),
                h(&row.status),
                h(&row.detail)
            );
        }
        let _ = writeln!(o, "</ul>");
    }
}

/// An inline SVG bar chart of one topic's counts, with a tooltip per bar.
fn svg_bars(r: &Report, counts: &[u64]) -> String {
    const BAR: usize = 8;
    const GAP: usize = 2;
    const HEIGHT: u64 = 24;
    let max = counts.iter().copied().max().unwrap_or(0).max(1);
    let width = counts.len() * (BAR + GAP);
    let mut s = format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{width}\" height=\"{HEIGHT}\" viewBox=\"0 0 {width} {HEIGHT}\" role=\"img\" aria-label=\"{}\">",
        attr(&format!("{} documents per period, oldest first", counts.iter().map(u64::to_string).collect::<Vec<_>>().join(", ")))
    );
    for (i, &c) in counts.iter().enumerate() {
        let bar_h = if c == 0 {
            1
        } else {
            (c * (HEIGHT - 2)).div_ceil(max).max(2)
        };
        let label = r
            .activity
            .buckets
            .get(i)
            .map(|b| b.label.as_str())
            .unwrap_or("");
        let _ = write!(
            s,
            "<rect{} x=\"{}\" y=\"{}\" width=\"{BAR}\" height=\"{bar_h}\"><title>{}: {c}</title></rect>",
            if c == 0 { " class=\"zero\"" } else { "" },
            i * (BAR + GAP),
            HEIGHT - bar_h,
            h(label)
        );
    }
    s.push_str("</svg>");
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn markdown_escaping() {
        assert_eq!(
            md_escape("a *b* [c](d) <e> `f` _g_"),
            r"a \*b\* \[c\](d) \<e\> \`f\` \_g\_"
        );
        assert_eq!(md_escape("line\nbreak\u{202e}"), "line break");
        assert_eq!(md_link("t", "javascript:alert(1)"), "t");
        assert_eq!(
            md_link("t", "https://x.org/a_(b)"),
            "[t](https://x.org/a_%28b%29)"
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
        assert_eq!(
            html_link("<b>x</b>", "javascript:alert(1)"),
            "&lt;b&gt;x&lt;/b&gt;"
        );
        assert!(html_link("x", "https://e.org/?a=\"b\"&c")
            .contains("href=\"https://e.org/?a=%22b%22&amp;c\""));
    }

    #[test]
    fn numbers_and_sparks() {
        assert_eq!(thousands(1234567), "1,234,567");
        assert_eq!(thousands(12), "12");
        assert_eq!(spark(&[0, 1, 7]), "▁▂█");
    }
}
