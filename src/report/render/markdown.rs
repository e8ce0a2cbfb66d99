//! The report as Markdown, for GitHub, chat and the mail's plain-text part.
//!
//! Every piece of feed text goes through [`md_escape`] (one clean line,
//! Markdown's special characters backslash-escaped) and links through
//! [`md_link`], which only links `http`/`https` URLs.

use std::fmt::Write as _;

use super::words::{
    cleared_names, dates_line, headline_text, item_meta, kind_short, matrix_cell, momentum_text,
    motion_intro, motion_words, moved_text, plural, rate_text, rule_text, safe_url,
    systems_and_areas, untagged_text, what,
};
use super::{RenderError, Renderer};
use crate::absorb::day;
use crate::model::Vendor;
use crate::report::{Report, Section};
use crate::text::clean_line;

/// The Markdown renderer.
#[derive(Clone, Copy, Debug, Default)]
pub struct Markdown;

impl Renderer for Markdown {
    fn render(&self, report: &Report) -> Result<String, RenderError> {
        Ok(render(report))
    }

    fn extension(&self) -> &'static str {
        "md"
    }
}

/// Characters with a meaning in Markdown (CommonMark, GitHub and chat
/// dialects) that feed text must not trigger.
/// Parentheses need no escape: with `[` and `]` escaped they cannot form a link.
const MD_SPECIAL: &[char] = &['\\', '`', '*', '_', '[', ']', '<', '>', '|', '~'];

/// Feed text made safe for Markdown: one clean line, special characters escaped.
pub(crate) fn md_escape(s: &str) -> String {
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

/// `[text](url)` when the URL is safe, else the escaped text alone.
pub(crate) fn md_link(text: &str, url: &str) -> String {
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

/// A bar per count, `▁` for none: the activity in one line of text.
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

/// The report as Markdown: title, summary, absorption, topics, motion,
/// source health; no trailing blank line.
fn render(r: &Report) -> String {
    let mut o = String::new();
    let _ = writeln!(o, "# horizon report — {}\n", md_escape(&r.period.label));
    let _ = writeln!(o, "{}.\n", dates_line(r));
    if r.is_empty() {
        let _ = writeln!(
            o,
            "**Nothing new in this period.** No document was filed between these dates.\n"
        );
    }
    summary(&mut o, r);
    absorption(&mut o, r);
    for t in &r.topics {
        let _ = writeln!(
            o,
            "## {} ({})\n",
            md_escape(&t.topic),
            plural(t.documents, "document", "documents")
        );
        if let Some(d) = &t.description {
            let _ = writeln!(o, "_{}_\n", md_escape(d));
        }
        for s in &t.sections {
            section(&mut o, s);
        }
    }
    motion(&mut o, r);
    health(&mut o, r);
    while o.ends_with("\n\n") {
        o.pop();
    }
    o
}

/// The summary: headline, absorption, top reads.
fn summary(o: &mut String, r: &Report) {
    let _ = writeln!(o, "## The {} in one screen\n", what(r));
    let _ = writeln!(o, "{}\n", headline_text(r));
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

/// "Cloud absorption": the window, the rule, what moved, the landscape
/// matrix, the topic areas, momentum and the flags that cleared.
fn absorption(o: &mut String, r: &Report) {
    let _ = writeln!(o, "## Cloud absorption\n");
    let _ = writeln!(
        o,
        "As of {}, cloud notes since {}; compared with {}. {}\n",
        day(r.flags.as_of),
        day(r.flags.since),
        day(r.flags.compared_with),
        rule_text(r)
    );
    let _ = writeln!(o, "**What moved this {}**\n", what(r));
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
    landscape(o, r);
    if !r.flags.cleared.is_empty() {
        let _ = writeln!(o, "No longer flagged: {}.\n", cleared_names(r, md_escape));
    }
}

/// The matrix of flagged systems × vendors, the topic areas' flags and one
/// momentum line per moving system.
fn landscape(o: &mut String, r: &Report) {
    let (systems, areas) = systems_and_areas(r);
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
    for f in areas {
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

/// One kind of documents under a topic: a line per item, then "and N more".
fn section(o: &mut String, s: &Section) {
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

/// "Topics in motion": each topic's rate against its average, with a spark line.
fn motion(o: &mut String, r: &Report) {
    if r.is_empty() {
        return;
    }
    let _ = writeln!(o, "## Topics in motion\n");
    let _ = writeln!(o, "{}\n", motion_intro(r));
    for (m, s) in r.motion.iter().zip(&r.activity.series) {
        if !r.history.enough {
            let _ = writeln!(
                o,
                "- **{}**: {} `{}`",
                md_escape(&m.topic),
                rate_text(m, m.rate, r.period.is_week()),
                spark(&s.counts)
            );
            continue;
        }
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

/// "Source health": the sources that need attention.
fn health(o: &mut String, r: &Report) {
    let _ = writeln!(o, "## Source health\n");
    if r.health.is_empty() {
        let _ = writeln!(o, "All sources are healthy.\n");
        return;
    }
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
    fn sparks() {
        assert_eq!(spark(&[0, 1, 7]), "▁▂█");
    }
}
