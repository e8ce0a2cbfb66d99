//! Words for the absorption flags: each row's reason and the terminal view
//! (this window's events above a matrix of systems × vendors).

use std::fmt::Write as _;

use super::catalog::{OfferingRelation, OfferingStage};
use super::ledger::CloudNote;
use super::ledger::LandscapeOffering;
use super::{day, join_and, FlagsReport, Level};
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
