//! Words for the absorption flags: each row's reason, the terminal view
//! (this window's events above a matrix of systems × vendors), one system's
//! timeline (`flags --system`) and the GA lags (`flags --lag`).

use std::fmt::Write as _;

use super::catalog::{OfferingRelation, OfferingStage};
use super::ledger::CloudNote;
use super::ledger::LandscapeOffering;
use super::{day, join_and, Flag, FlagsReport, Level};
use crate::model::Vendor;
use crate::text::{clean_line, terminal_safe, truncate_words};

/// "Amazon MSK" or "Azure Event Hubs (compatible)".
fn offering_name(o: &LandscapeOffering) -> String {
    match o.relation {
        OfferingRelation::Compatible => format!("{} (compatible)", o.product),
        _ => o.product.clone(),
    }
}

/// The row's one-line reason: which vendors offer what, at which stage.
pub(super) fn reason(
    level: Level,
    offerings: &[LandscapeOffering],
    named_at_launch: &[&CloudNote],
    window_days: u64,
) -> String {
    let at = |stage: OfferingStage| -> Vec<String> {
        Vendor::ALL
            .iter()
            .filter_map(|v| {
                let names: Vec<String> = offerings
                    .iter()
                    .filter(|o| o.vendor == *v && o.relation.absorbs() && o.stage == stage)
                    .map(offering_name)
                    .collect();
                (!names.is_empty()).then(|| format!("{} ({})", v.display_name(), names.join(", ")))
            })
            .collect()
    };
    let mut parts = Vec::new();
    for (stage, word) in [
        (OfferingStage::Ga, "GA on"),
        (OfferingStage::Preview, "preview on"),
        (OfferingStage::Retiring, "retiring on"),
    ] {
        let list = at(stage);
        if !list.is_empty() {
            parts.push(format!("{word} {}", join_and(&list)));
        }
    }
    if level == Level::Watch || parts.is_empty() {
        let alts: Vec<String> = offerings
            .iter()
            .filter(|o| o.relation == OfferingRelation::Alternative && o.stage <= OfferingStage::Ga)
            .map(|o| o.product.clone())
            .collect();
        if !alts.is_empty() {
            parts.push(format!("alternatives only: {}", join_and(&alts)));
        }
        if let Some(latest) = named_at_launch
            .iter()
            .filter_map(|i| i.date().map(|d| (d, i)))
            .max_by_key(|(d, _)| *d)
        {
            parts.push(format!(
                "named in {} launch-grade note{} about other products in the last {} days (latest: {}, {})",
                named_at_launch.len(),
                if named_at_launch.len() == 1 { "" } else { "s" },
                window_days,
                truncate_words(&clean_line(&latest.1.title), 80),
                day(latest.0)
            ));
        }
    }
    if parts.is_empty() {
        format!(
            "no managed or compatible offering known, and no launch-grade note named it in the last {window_days} days"
        )
    } else {
        parts.join("; ")
    }
}

/// One matrix cell: "Amazon MSK GA" or "—".
pub fn cell(offerings: &[LandscapeOffering], vendor: Vendor) -> String {
    let mine: Vec<&LandscapeOffering> = offerings
        .iter()
        .filter(|o| o.vendor == vendor && o.relation.absorbs() && o.stage != OfferingStage::Retired)
        .collect();
    match mine.as_slice() {
        [] => {
            if offerings
                .iter()
                .any(|o| o.vendor == vendor && o.relation == OfferingRelation::Alternative)
            {
                "(alternative)".to_string()
            } else {
                "—".to_string()
            }
        }
        [one, rest @ ..] => {
            let more = if rest.is_empty() {
                String::new()
            } else {
                format!(" +{}", rest.len())
            };
            format!(
                "{} {}{more}",
                truncate_words(&one.product, 34),
                one.stage.label()
            )
        }
    }
}

/// The flags as plain text for a terminal: this window's events, then one
/// line per active row with a cell per vendor.
pub fn render_text(report: &FlagsReport) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "Cloud absorption as of {} (events of the last {} days; catalog checked {}):",
        day(report.as_of),
        report.window_days,
        report.catalog_checked
    );
    let events = report.events();
    if events.is_empty() {
        let _ = writeln!(
            out,
            "  no launch, stage change or retirement of a watched system's offering in the window"
        );
    } else {
        let _ = writeln!(out, "What moved:");
        for (flag, e) in &events {
            let _ = writeln!(
                out,
                "  {}  {:<12} {:<10} {} → {}  ({})  {}",
                day(e.date),
                e.vendor.display_name(),
                e.kind.as_str(),
                terminal_safe(&e.product),
                e.stage.label(),
                terminal_safe(&flag.subject()),
                terminal_safe(&e.url)
            );
        }
    }
    if let Some(line) = undated_line(report) {
        let _ = writeln!(out, "{line}");
    }
    let _ = writeln!(out, "Landscape:");
    let _ = writeln!(
        out,
        "  {:<10} {:<26} {:<40} {:<40} Google Cloud",
        "level", "system", "AWS", "Azure"
    );
    let mut any = false;
    for f in report.active() {
        any = true;
        if f.system.is_none() {
            let _ = writeln!(
                out,
                "  {:<10} {:<26} {}",
                f.level.as_str(),
                terminal_safe(&f.subject()),
                terminal_safe(&f.reason)
            );
            continue;
        }
        let _ = writeln!(
            out,
            "  {:<10} {:<26} {:<40} {:<40} {}",
            f.level.as_str(),
            terminal_safe(&f.subject()),
            terminal_safe(&cell(&f.offerings, Vendor::Aws)),
            terminal_safe(&cell(&f.offerings, Vendor::Azure)),
            terminal_safe(&cell(&f.offerings, Vendor::Gcp)),
        );
        let moving: Vec<String> = f
            .momentum
            .iter()
            .filter(|(_, m)| m.now > 0)
            .map(|(v, m)| format!("{} {} (before {})", v.display_name(), m.now, m.before))
            .collect();
        if !moving.is_empty() {
            let _ = writeln!(
                out,
                "  {:<10} {:<26} momentum: {}",
                "",
                "",
                moving.join(", ")
            );
        }
    }
    if !any {
        let _ = writeln!(
            out,
            "  no watched system has an offering or a launch-grade note"
        );
    }
    out
}

/// Before the catalog's check date, how many counted offerings stand at a
/// stage the catalog does not date (they count as of any date; see the
/// README, "Dates").
fn undated_line(report: &FlagsReport) -> Option<String> {
    let as_of = day(report.as_of);
    if as_of > report.catalog_checked {
        return None;
    }
    let mut seen = std::collections::BTreeSet::new();
    let (mut all, mut undated) = (0, 0);
    for f in report.flags.iter().filter(|f| f.system.is_some()) {
        for o in f.offerings.iter().filter(|o| o.relation.absorbs()) {
            if seen.insert((o.vendor, o.product.as_str(), f.system.as_deref())) {
                all += 1;
                undated += usize::from(o.since.is_none());
            }
        }
    }
    (undated > 0).then(|| {
        format!(
            "Note: {undated} of the {all} managed and compatible offerings shown have no date for their stage; before the catalog's check ({}) they count at that stage as of any date.",
            report.catalog_checked
        )
    })
}

/// One system's rows as text: its level and reason, its timeline, the
/// offerings whose stage has no date, and its GA lag.
pub fn render_system(report: &FlagsReport, rows: &[&Flag]) -> String {
    let mut out = String::new();
    let Some(first) = rows.first() else {
        return out;
    };
    let topics: Vec<String> = rows.iter().map(|f| f.topic.clone()).collect();
    let _ = writeln!(
        out,
        "{} (topic {}) as of {} (catalog checked {}): {}",
        terminal_safe(&first.subject()),
        terminal_safe(&join_and(&topics)),
        day(report.as_of),
        report.catalog_checked,
        first.level.as_str()
    );
    let _ = writeln!(out, "  {}", terminal_safe(&first.reason));
    if first.timeline.is_empty() {
        let _ = writeln!(out, "Timeline: no dated milestone");
    } else {
        let _ = writeln!(out, "Timeline:");
        for e in &first.timeline {
            let _ = writeln!(
                out,
                "  {}  {:<12} {:<23} {}{}  ({})  {}",
                e.date,
                e.vendor.display_name(),
                e.stage.label(),
                terminal_safe(&e.product),
                relation_suffix(e.relation),
                e.source.as_str(),
                terminal_safe(&e.url)
            );
        }
    }
    let undated: Vec<&LandscapeOffering> = first
        .offerings
        .iter()
        .filter(|o| o.since.is_none())
        .collect();
    if !undated.is_empty() {
        let _ = writeln!(
            out,
            "Stage without a date (confirmed as of the catalog's check; assumed on earlier dates):"
        );
        for o in undated {
            let _ = writeln!(
                out,
                "  {:<12} {:<10} {}{}  ({})  {}",
                o.vendor.display_name(),
                o.stage.label(),
                terminal_safe(&o.product),
                relation_suffix(o.relation),
                o.source.as_str(),
                terminal_safe(&o.url)
            );
        }
    }
    if let Some(lag) = first.system.as_deref().and_then(|s| report.lag.system(s)) {
        let _ = writeln!(out, "GA lag: {}", terminal_safe(&lag.reason));
    }
    out
}

fn relation_suffix(r: OfferingRelation) -> &'static str {
    match r {
        OfferingRelation::Managed => "",
        OfferingRelation::Compatible => " (compatible)",
        OfferingRelation::Alternative => " (alternative)",
    }
}

/// The GA lags as text: one line per system with a GA offering, then one
/// per vendor pair.
pub fn render_lag(report: &FlagsReport) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "GA lag as of {} (catalog checked {}): days from the first to the second vendor's GA of a managed or compatible offering",
        day(report.as_of),
        report.catalog_checked
    );
    let _ = writeln!(out, "Systems:");
    let mut without = 0;
    for s in &report.lag.systems {
        if s.ga.is_empty() {
            without += 1;
            continue;
        }
        let days = s
            .lag_days
            .map(|d| format!("{d} days"))
            .unwrap_or_else(|| "—".into());
        let _ = writeln!(
            out,
            "  {:<26} {:>10}  {}",
            terminal_safe(&s.system),
            days,
            terminal_safe(&s.reason)
        );
    }
    if without > 0 {
        let _ = writeln!(
            out,
            "  ({without} watched system{} with no GA managed or compatible offering not listed)",
            if without == 1 { "" } else { "s" }
        );
    }
    let _ = writeln!(
        out,
        "Vendor pairs (median over the systems where both have a known first GA):"
    );
    for p in &report.lag.pairs {
        let [a, b] = p.vendors;
        let pair = format!("{} – {}", a.display_name(), b.display_name());
        let (Some(gap), Some(offset)) = (p.median_lag_days, p.median_offset_days) else {
            let _ = writeln!(out, "  {pair:<26} no system where both have a GA date");
            continue;
        };
        let led = |v: Vendor| p.first.get(&v).copied().unwrap_or(0);
        let _ = writeln!(
            out,
            "  {pair:<26} {} system{}: median lag {} days; {} first in {}, {} in {}, same day {}; median {} minus {}: {:+} days",
            p.systems,
            if p.systems == 1 { "" } else { "s" },
            fmt_days(gap),
            a.display_name(),
            led(a),
            b.display_name(),
            led(b),
            p.same_day,
            b.display_name(),
            a.display_name(),
            offset
        );
    }
    out
}

/// A median in days: whole when it is, else with its half.
fn fmt_days(d: f64) -> String {
    if d.fract() == 0.0 {
        format!("{d:.0}")
    } else {
        format!("{d:.1}")
    }
}
