//! The chat digest: the week in one message that fits a chat (#27 item 5),
//! where the full report (a 37-row landscape matrix, every topic's sections)
//! is 20,000 characters or more.
//!
//! A digest holds, in this order: the title and dates; the headline (what
//! changed: new and changed landscape cells, new documents — never a count of
//! the standing flags); what moved in the landscape (the ledger's launches,
//! stage changes and retirements in the period); the top reads with their
//! links, the best of each topic first; and a link to the full report.
//!
//! It is Markdown in the same dialect as the full report (feed text escaped
//! by `markdown::md_escape`, links only for http/https), so `deliver` turns
//! it into each chat's dialect as it does the report. [`digest`] is given a
//! `fits` test (the destination's own measure: Slack's characters after
//! mrkdwn, the Teams card's bytes…) and drops whole lines from the end of the
//! lists until the message fits, saying how many were left out, instead of
//! cutting it mid-section.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::PathBuf;

use super::markdown::{md_escape, md_link};
use super::words::{dates_line, headline_text, kind_short, what};
use crate::report::{vendor_product, Report, ReportItem};

/// Moves of the landscape listed at most (the rest as "and N more").
pub const DIGEST_MOVES: usize = 5;

/// Where readers find the whole report, named at the end of a digest and in
/// the note of a message that had to be cut.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FullReport {
    /// `[report.deliver] report_url` with the period filled in.
    Url(String),
    /// The file the report was saved to.
    File(PathBuf),
}

impl FullReport {
    /// As Markdown: a link for a URL, a code span for a file.
    pub fn markdown(&self) -> String {
        match self {
            FullReport::Url(u) => md_link(u, u),
            FullReport::File(p) => format!("`{}`", p.display().to_string().replace('`', "")),
        }
    }
}

/// The digest of `r` as Markdown: as many moves (at most [`DIGEST_MOVES`])
/// and top reads as `fits` accepts, top reads given up first. When even the
/// bare digest does not fit, it is returned as is (the caller cuts it).
pub fn digest(r: &Report, full: Option<&FullReport>, fits: &dyn Fn(&str) -> bool) -> String {
    let reads = ordered_reads(r);
    let moves = r.flags.moved.len().min(DIGEST_MOVES);
    for n in (0..=reads.len()).rev() {
        let text = compose(r, full, moves, &reads, n);
        if fits(&text) {
            return text;
        }
    }
    for m in (0..moves).rev() {
        let text = compose(r, full, m, &reads, 0);
        if fits(&text) {
            return text;
        }
    }
    compose(r, full, 0, &reads, 0)
}

/// The top reads with their topics, round-robin over the topics (every
/// topic's best read, then every topic's second…), so a shortened digest
/// keeps one read per topic as long as it can. A story listed under several
/// topics (`ReportItem::top_read_of`) is one line, under its topics joined.
fn ordered_reads(r: &Report) -> Vec<(String, &ReportItem)> {
    let mut shared: BTreeMap<(&str, &str), Vec<&str>> = BTreeMap::new();
    for t in &r.summary.top_reads {
        for item in &t.items {
            if let Some(of) = &item.top_read_of {
                shared
                    .entry((of.as_str(), item.story.as_str()))
                    .or_default()
                    .push(t.topic.as_str());
            }
        }
    }
    let depth = r
        .summary
        .top_reads
        .iter()
        .map(|t| t.items.len())
        .max()
        .unwrap_or(0);
    let mut out = Vec::new();
    for rank in 0..depth {
        for t in &r.summary.top_reads {
            let Some(item) = t.items.get(rank) else {
                continue;
            };
            if item.top_read_of.is_some() {
                continue;
            }
            let mut topics = vec![t.topic.as_str()];
            if let Some(more) = shared.get(&(t.topic.as_str(), item.story.as_str())) {
                topics.extend(more);
            }
            out.push((topics.join(", "), item));
        }
    }
    out
}

/// The digest with the first `moves` moves and `n` reads.
fn compose(
    r: &Report,
    full: Option<&FullReport>,
    moves: usize,
    reads: &[(String, &ReportItem)],
    n: usize,
) -> String {
    let mut o = String::new();
    let _ = writeln!(o, "# horizon digest — {}\n", md_escape(&r.period.label));
    let _ = writeln!(o, "{}.\n", dates_line(r));
    if r.is_empty() {
        let _ = writeln!(o, "**Nothing new in this {}.**\n", what(r));
    }
    let _ = writeln!(o, "{}\n", md_escape(&headline_text(r)));
    landscape(&mut o, r, moves);
    top_reads(&mut o, reads, n);
    match full {
        Some(f) => {
            let _ = writeln!(o, "Full report: {}", f.markdown());
        }
        None => {
            let _ = writeln!(
                o,
                "Full report: `horizon report --week {}`",
                r.period.label.replace('`', "")
            );
        }
    }
    o.trim_end().to_string()
}

/// "What moved in the landscape": one line per move, the rest counted.
fn landscape(o: &mut String, r: &Report, moves: usize) {
    let _ = writeln!(o, "**What moved in the landscape**\n");
    if r.flags.moved.is_empty() {
        let _ = writeln!(
            o,
            "Nothing: no launch, stage change or retirement of a watched system's offering.\n"
        );
        return;
    }
    for m in r.flags.moved.iter().take(moves) {
        let what = format!(
            "{} → {}",
            vendor_product(m.event.vendor, &m.event.product),
            m.event.stage.label()
        );
        let _ = writeln!(
            o,
            "- {} ({}, {})",
            md_link(&what, &m.event.url),
            md_escape(&m.system),
            m.change.as_str()
        );
    }
    let rest = r.flags.moved.len().saturating_sub(moves);
    if rest > 0 {
        let _ = writeln!(o, "- … and {rest} more in the full report");
    }
    o.push('\n');
}

/// "Top reads": the first `n` reads, and how many more the report holds.
fn top_reads(o: &mut String, reads: &[(String, &ReportItem)], n: usize) {
    if reads.is_empty() {
        return;
    }
    let _ = writeln!(o, "**Top reads**\n");
    for (topic, item) in reads.iter().take(n) {
        let _ = writeln!(
            o,
            "- {} — {} · {}",
            md_link(&item.title, &item.url),
            md_escape(topic),
            kind_short(item.kind)
        );
    }
    let rest = reads.len().saturating_sub(n);
    if rest > 0 {
        let _ = writeln!(o, "- … and {rest} more in the full report");
    }
    o.push('\n');
}
