//! The report as one self-contained, printable HTML file (inline CSS, inline
//! SVG charts, no scripts, no external resources), rendered by askama from
//! the crate's `templates/`: `base.html` (the page), `report.html` and its
//! partials in `templates/report/`, `macros.html` (links, bar charts) and
//! `style.css`.
//!
//! [`Page`] holds the report and the words computed for it; the templates
//! only lay them out. Every value reaches the HTML through askama's
//! automatic escaping, with the escapers `askama.toml` names:
//! [`HtmlText`] for `.html` templates (one clean line, `&<>` escaped, as
//! element content needs) and [`HtmlAttr`] for values in double-quoted
//! attributes (`{{ value|e("attr") }}`, `"` escaped too). No template uses
//! `|safe`. Links are only made for `http`/`https` URLs (`words::safe_url`,
//! called by the link macro).

use std::fmt;

use askama::Template;

use super::words::{
    cleared_names, dates_line, headline_text, item_meta, kind_short, matrix_cell, momentum_text,
    motion_intro, motion_words, moved_text, plural, rate_text, rule_text, search_path,
    search_point, systems_and_areas, untagged_text, what,
};
use super::{RenderError, Renderer};
use crate::absorb::{day, Level};
use crate::model::{Vendor, NO_TOPIC};
use crate::report::{Direction, MovedEvent, Report, ReportFlag, ReportItem, Section, TopicSection};
use crate::text::clean_line;

/// The HTML renderer.
#[derive(Clone, Copy, Debug, Default)]
pub struct Html;

impl Renderer for Html {
    fn render(&self, report: &Report) -> Result<String, RenderError> {
        Page::new(report, None).render().map_err(RenderError::Html)
    }

    fn extension(&self) -> &'static str {
        "html"
    }
}

/// The escaper of `.html` templates: text made safe for element content, as
/// one clean line (control and bidi characters removed, white space folded)
/// with `&`, `<` and `>` escaped. It does not escape quotes: values inside
/// attributes use [`HtmlAttr`].
#[derive(Clone, Copy, Debug)]
pub struct HtmlText;

impl askama::filters::Escaper for HtmlText {
    fn write_escaped_str<W: fmt::Write>(&self, mut dest: W, s: &str) -> fmt::Result {
        dest.write_str(&html_escape::encode_text(&clean_line(s)))
    }
}

/// The escaper for a value inside a double-quoted attribute
/// (`{{ value|e("attr") }}`): one clean line with `&`, `<`, `>` and `"` escaped.
#[derive(Clone, Copy, Debug)]
pub struct HtmlAttr;

impl askama::filters::Escaper for HtmlAttr {
    fn write_escaped_str<W: fmt::Write>(&self, mut dest: W, s: &str) -> fmt::Result {
        dest.write_str(&html_escape::encode_double_quoted_attribute(&clean_line(s)))
    }
}

/// A link of the web server's navigation or pager.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NavLink {
    /// The words shown.
    pub label: String,
    /// The server's own path (`/report?week=2026-W47`).
    pub href: String,
    /// Whether it is the page shown (navigation).
    pub current: bool,
    /// `prev`, `next` or empty (pager).
    pub rel: &'static str,
}

/// What a web page around the report adds (`horizon serve`): the stylesheet
/// as a same-origin file instead of inline CSS, the site's navigation and
/// a pager (previous and next week).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Chrome {
    /// The stylesheet's path.
    pub stylesheet: String,
    /// The site's sections.
    pub nav: Vec<NavLink>,
    /// Previous and next.
    pub pager: Vec<NavLink>,
    /// Useful / noise forms beside every item (`serve --marks`).
    pub marks: Option<MarkTarget>,
    /// Atom feeds of the page (`<link rel="alternate">` in its head, for
    /// feed readers to discover): the title and the server's path.
    pub feeds: Vec<NavLink>,
}

/// Where the report page's mark forms post, with the session's CSRF token.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct MarkTarget {
    /// The path the forms post to.
    pub action: String,
    /// The CSRF token of the reader's session.
    pub csrf: String,
    /// Where to go back after marking.
    pub next: String,
}

/// The report as a page of the web server: the same templates and words as
/// [`Html`], with `chrome` around them.
pub fn page_with_chrome(report: &Report, chrome: &Chrome) -> Result<String, RenderError> {
    Page::new(report, Some(chrome))
        .render()
        .map_err(RenderError::Html)
}

/// The report's stylesheet (`templates/style.css`) as text, for a server
/// that links it instead of inlining it.
pub fn stylesheet() -> Result<String, RenderError> {
    #[derive(Template)]
    #[template(source = r#"{% include "style.css" %}"#, ext = "txt")]
    struct Css;
    Css.render().map_err(RenderError::Html)
}

/// The report page: the report and the words the templates show.
#[derive(Template)]
#[template(path = "report.html")]
struct Page<'a> {
    r: &'a Report,
    /// Set on the web server.
    chrome: Option<&'a Chrome>,
    /// "week" or "period".
    what: &'static str,
    dates: String,
    headline: String,
    has_top_reads: bool,
    untagged: Option<String>,
    as_of: String,
    since: String,
    compared_with: String,
    rule: String,
    /// The matrix: one row per flagged system.
    systems: Vec<SystemRow>,
    /// The flagged topic areas.
    areas: Vec<&'a ReportFlag>,
    /// (system, momentum) for every system with feature or region notes.
    moving: Vec<(String, String)>,
    cleared: String,
    motion_intro: String,
    first_bucket: &'a str,
    last_bucket: &'a str,
    motion: Vec<MotionRow<'a>>,
}

/// One row of the absorption matrix.
struct SystemRow {
    level: Level,
    subject: String,
    /// AWS, Azure, Google Cloud.
    cells: [String; 3],
}

/// One topic in motion.
struct MotionRow<'a> {
    topic: &'a str,
    rate: String,
    average: String,
    ratio: String,
    direction: &'static str,
    arrow: &'static str,
    chart: Chart<'a>,
}

/// An inline SVG bar chart of one topic's counts.
struct Chart<'a> {
    width: usize,
    height: u64,
    view_box: String,
    bar_width: usize,
    /// "0, 3, 1 documents per period, oldest first".
    label: String,
    bars: Vec<Bar<'a>>,
}

/// One bar: a period's count, its bucket's label as the tooltip.
struct Bar<'a> {
    x: usize,
    y: u64,
    height: u64,
    label: &'a str,
    count: u64,
}

impl<'a> Page<'a> {
    fn new(r: &'a Report, chrome: Option<&'a Chrome>) -> Page<'a> {
        let (systems, areas) = systems_and_areas(r);
        let moving = systems
            .iter()
            .filter_map(|f| momentum_text(&f.flag).map(|m| (f.flag.subject(), m)))
            .collect();
        let systems = systems
            .into_iter()
            .map(|f| SystemRow {
                level: f.flag.level,
                subject: f.flag.subject(),
                cells: [Vendor::Aws, Vendor::Azure, Vendor::Gcp].map(|v| matrix_cell(f, v)),
            })
            .collect();
        let label = |b: Option<&'a crate::report::Bucket>| b.map_or("", |b| b.label.as_str());
        Page {
            r,
            chrome,
            what: what(r),
            dates: dates_line(r),
            headline: headline_text(r),
            has_top_reads: r.summary.top_reads.iter().any(|t| !t.items.is_empty()),
            untagged: untagged_text(r),
            as_of: day(r.flags.as_of),
            since: day(r.flags.since),
            compared_with: day(r.flags.compared_with),
            rule: rule_text(r),
            systems,
            areas,
            moving,
            cleared: cleared_names(r, str::to_string),
            motion_intro: motion_intro(r),
            first_bucket: label(r.activity.buckets.first()),
            last_bucket: label(r.activity.buckets.last()),
            motion: motion_rows(r),
        }
    }

    /// "paper", "repo"… for the top reads.
    fn kind(&self, item: &ReportItem) -> &'static str {
        kind_short(item.kind)
    }

    /// "Jane Doe, John Roe et al., 2025-10-30".
    fn meta(&self, item: &ReportItem) -> String {
        item_meta(item).join(", ")
    }

    /// "12 documents".
    fn documents(&self, n: &u64) -> String {
        plural(*n, "document", "documents")
    }

    /// What moved, in words.
    fn moved(&self, m: &MovedEvent) -> String {
        moved_text(m)
    }

    /// On the web server, the search page listing every document of a
    /// section (its topic and kind in the period), for "… and N more".
    fn more_href(&self, t: &TopicSection, s: &Section) -> Option<String> {
        self.chrome?;
        let (since, until) = (
            search_point(self.r.period.since),
            search_point(self.r.period.until),
        );
        Some(search_path(&[
            ("topic", &t.topic),
            ("kind", s.kind.as_str()),
            ("since", &since),
            ("until", &until),
            ("sort", "date"),
        ]))
    }

    /// On the web server, the search page listing the period's documents
    /// that matched no topic.
    fn untagged_href(&self) -> Option<String> {
        self.chrome?;
        let (since, until) = (
            search_point(self.r.period.since),
            search_point(self.r.period.until),
        );
        Some(search_path(&[
            ("topic", NO_TOPIC),
            ("since", &since),
            ("until", &until),
            ("sort", "date"),
        ]))
    }
}

/// Each topic's motion row, with its activity chart.
fn motion_rows(r: &Report) -> Vec<MotionRow<'_>> {
    let is_week = r.period.is_week();
    r.motion
        .iter()
        .zip(&r.activity.series)
        .map(|(m, s)| MotionRow {
            topic: &m.topic,
            rate: rate_text(m, m.rate, is_week),
            average: rate_text(m, m.average, is_week),
            ratio: motion_words(m),
            direction: match m.direction {
                Direction::Up => "up",
                Direction::Down => "down",
                Direction::Steady => "steady",
            },
            arrow: m.direction.arrow(),
            chart: chart(r, &s.counts),
        })
        .collect()
}

/// The bars of one topic's counts: 8 px wide, 2 px apart, 24 px high at
/// most, an empty period a 1 px line.
fn chart<'a>(r: &'a Report, counts: &[u64]) -> Chart<'a> {
    const BAR: usize = 8;
    const GAP: usize = 2;
    const HEIGHT: u64 = 24;
    let max = counts.iter().copied().max().unwrap_or(0).max(1);
    let width = counts.len() * (BAR + GAP);
    let bars = counts
        .iter()
        .enumerate()
        .map(|(i, &c)| {
            let height = if c == 0 {
                1
            } else {
                (c * (HEIGHT - 2)).div_ceil(max).max(2)
            };
            Bar {
                x: i * (BAR + GAP),
                y: HEIGHT - height,
                height,
                label: r.activity.buckets.get(i).map_or("", |b| b.label.as_str()),
                count: c,
            }
        })
        .collect();
    let counts: Vec<String> = counts.iter().map(u64::to_string).collect();
    Chart {
        width,
        height: HEIGHT,
        view_box: format!("0 0 {width} {HEIGHT}"),
        bar_width: BAR,
        label: format!("{} documents per period, oldest first", counts.join(", ")),
        bars,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text(s: &str) -> String {
        let mut out = String::new();
        let _ = askama::filters::Escaper::write_escaped_str(&HtmlText, &mut out, s);
        out
    }

    fn attr(s: &str) -> String {
        let mut out = String::new();
        let _ = askama::filters::Escaper::write_escaped_str(&HtmlAttr, &mut out, s);
        out
    }

    /// The `{{ … }}` expressions that stand inside a double-quoted attribute
    /// value of template text (tags and comments skipped).
    fn attribute_expressions(t: &str) -> Vec<&str> {
        let (mut out, mut in_tag, mut in_value) = (Vec::new(), false, false);
        let mut rest = t;
        while let Some(c) = rest.chars().next() {
            let skip = [("{{", "}}"), ("{%", "%}"), ("{#", "#}")]
                .into_iter()
                .find(|(open, _)| rest.starts_with(open));
            if let Some((open, close)) = skip {
                let end = rest.find(close).map_or(rest.len(), |e| e + close.len());
                if open == "{{" && in_value {
                    out.push(&rest[..end]);
                }
                rest = &rest[end..];
                continue;
            }
            match c {
                '<' if !in_value => in_tag = true,
                '>' if !in_value => in_tag = false,
                '"' if in_tag => in_value = !in_value,
                _ => {}
            }
            rest = &rest[c.len_utf8()..];
        }
        out
    }

    /// The text escaper leaves `"` alone, so a value inside an attribute
    /// must name the attribute escaper; guards every template.
    #[test]
    fn attribute_values_use_the_attribute_escaper() {
        assert_eq!(
            attribute_expressions(r#"<a href="{{ u }}" title="x">{{ t }}</a>"#),
            ["{{ u }}"]
        );
        let mut dirs = vec![std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("templates")];
        let mut checked = 0;
        while let Some(dir) = dirs.pop() {
            for entry in std::fs::read_dir(&dir).unwrap_or_else(|e| panic!("{dir:?}: {e}")) {
                let path = entry.map(|e| e.path()).unwrap_or_default();
                if path.is_dir() {
                    dirs.push(path);
                    continue;
                }
                let text = std::fs::read_to_string(&path).unwrap_or_default();
                for expr in attribute_expressions(&text) {
                    assert!(
                        expr.contains(r#"|e("attr")"#),
                        "{}: {expr} is inside an attribute without |e(\"attr\")",
                        path.display()
                    );
                    checked += 1;
                }
            }
        }
        assert!(checked > 0, "no attribute value found in templates/");
    }

    /// The link macro alone.
    #[derive(Template)]
    #[template(
        source = r#"{% import "macros.html" as m %}{% call m::link(text, url) %}{% endcall %}"#,
        ext = "html"
    )]
    struct Link<'a> {
        text: &'a str,
        url: &'a str,
    }

    fn link(text: &str, url: &str) -> String {
        Link { text, url }
            .render()
            .unwrap_or_else(|e| e.to_string())
    }

    #[test]
    fn links_only_for_http() {
        assert_eq!(
            link("<b>x</b>", "javascript:alert(1)"),
            "&lt;b&gt;x&lt;/b&gt;"
        );
        assert_eq!(
            link("x", "https://e.org/?a=\"b\"&c"),
            r#"<a href="https://e.org/?a=%22b%22&amp;c" rel="noopener noreferrer">x</a>"#
        );
    }

    #[test]
    fn escapers() {
        assert_eq!(
            text("<b>\"x\" & 'y'</b>\n\u{202e}"),
            "&lt;b&gt;\"x\" &amp; 'y'&lt;/b&gt;"
        );
        assert_eq!(
            attr("https://e.org/?a=\"b\"&c"),
            "https://e.org/?a=&quot;b&quot;&amp;c"
        );
    }
}
