//! The pages' templates (`templates/serve/`) and the view structs they lay
//! out. Views hold words ready to show; every one reaches the HTML through
//! askama's escaping (`HtmlText` for element text, `|e("attr")` in
//! attributes), links to other sites only through `safe_url` (http and
//! https only), and highlighted words as [`Segment`]s, never as markup.

use std::ops::Range;

use askama::Template;

use crate::report::{Chrome, NavLink};

/// The site's sections: (path, label).
const SECTIONS: [(&str, &str); 4] = [
    ("/search", "Search"),
    ("/landscape", "Landscape"),
    ("/report", "Reports"),
    ("/sources", "Sources"),
];

/// The chrome of a page of section `current` (a path of [`SECTIONS`]).
pub(super) fn chrome(current: &str) -> Chrome {
    Chrome {
        stylesheet: super::STYLESHEET_PATH.to_string(),
        nav: SECTIONS
            .iter()
            .map(|(href, label)| NavLink {
                label: (*label).to_string(),
                href: (*href).to_string(),
                current: *href == current,
                rel: "",
            })
            .collect(),
        pager: Vec::new(),
        marks: None,
        feeds: Vec::new(),
    }
}

/// A pager link.
pub(super) fn pager_link(label: String, href: String, rel: &'static str) -> NavLink {
    NavLink {
        label,
        href,
        current: false,
        rel,
    }
}

/// A piece of text, highlighted or not. The text escaper trims, so the white
/// space at either end is kept as a flag the template writes back.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(super) struct Segment {
    pub text: String,
    pub mark: bool,
    pub space_before: bool,
    pub space_after: bool,
}

impl Segment {
    fn new(text: &str, mark: bool) -> Segment {
        Segment {
            space_before: text.starts_with(char::is_whitespace),
            space_after: !text.is_empty()
                && text.ends_with(char::is_whitespace)
                && !text.trim().is_empty(),
            text: text.to_string(),
            mark,
        }
    }
}

/// `text` cut at `ranges` (byte ranges, in order), the ranges marked.
/// Ranges that overlap, fall outside or split a character are skipped.
pub(super) fn segments(text: &str, ranges: &[Range<usize>]) -> Vec<Segment> {
    let mut out = Vec::new();
    let mut pos = 0;
    for r in ranges {
        let (Some(before), Some(word)) = (text.get(pos..r.start), text.get(r.clone())) else {
            continue;
        };
        if r.start < pos {
            continue;
        }
        if !before.is_empty() {
            out.push(Segment::new(before, false));
        }
        out.push(Segment::new(word, true));
        pos = r.end;
    }
    if let Some(rest) = text.get(pos..).filter(|r| !r.is_empty()) {
        out.push(Segment::new(rest, false));
    }
    out
}

/// The query with the word at byte `position` marked (the end of the query
/// when the problem is that something is missing there).
pub(super) fn pointer(query: &str, position: usize) -> Vec<Segment> {
    let start = (0..=position.min(query.len()))
        .rev()
        .find(|i| query.is_char_boundary(*i))
        .unwrap_or(0);
    let end = query[start..]
        .find(char::is_whitespace)
        .map_or(query.len(), |n| start + n.max(1).min(query.len() - start));
    let word = start..end;
    let mut out = segments(query, std::slice::from_ref(&word));
    if start >= query.len() {
        out.push(Segment::new(" ⟵ here", true));
    }
    out
}

/// A count with thousands separators ([`crate::text::thousands`]).
pub(super) fn thousands(n: usize) -> String {
    crate::text::thousands(u64::try_from(n).unwrap_or(u64::MAX))
}

/// An option of a `<select>`.
#[derive(Clone, Debug)]
pub(super) struct Choice {
    pub value: String,
    pub label: String,
    pub selected: bool,
    /// The option's tooltip (a topic's description), or empty.
    pub title: String,
}

/// Options of a select: "any" first, then `values`, those in `chosen` selected.
pub(super) fn choices<'a>(
    values: impl IntoIterator<Item = (&'a str, &'a str)>,
    chosen: &[String],
) -> Vec<Choice> {
    let mut out = vec![Choice {
        value: String::new(),
        label: "any".into(),
        selected: chosen.is_empty(),
        title: String::new(),
    }];
    out.extend(values.into_iter().map(|(value, label)| Choice {
        value: value.to_string(),
        label: label.to_string(),
        selected: chosen.iter().any(|c| c == value),
        title: String::new(),
    }));
    out
}

/// A problem shown on the search page, the query marked where it is.
#[derive(Clone, Debug)]
pub(super) struct ErrorView {
    pub message: String,
    pub pointer: Vec<Segment>,
}

/// One hit.
#[derive(Clone, Debug)]
pub(super) struct HitView {
    /// This server's page of the document.
    pub href: String,
    pub title: String,
    pub meta: String,
    pub snippet: Vec<Segment>,
    /// The original, when it is an http(s) link.
    pub url: Option<String>,
    /// Useful / noise buttons, when the server takes marks.
    pub mark: Option<super::marking::MarkControls>,
}

/// A page of hits.
#[derive(Clone, Debug)]
pub(super) struct Results {
    pub summary: String,
    pub hits: Vec<HitView>,
    /// The documents of `hits`, in order.
    pub items: Vec<crate::model::Item>,
    pub pager: Vec<NavLink>,
}

/// The search page.
#[derive(Template)]
#[template(path = "serve/search.html")]
pub(super) struct SearchPage {
    pub chrome: Chrome,
    pub q: String,
    pub since: String,
    pub until: String,
    pub kinds: Vec<Choice>,
    pub topics: Vec<Choice>,
    pub sources: Vec<Choice>,
    pub vendors: Vec<Choice>,
    pub stages: Vec<Choice>,
    /// Repository languages the index holds, with their counts.
    pub languages: Vec<Choice>,
    pub sorts: Vec<Choice>,
    pub error: Option<ErrorView>,
    pub results: Option<Results>,
}

/// One document.
#[derive(Template)]
#[template(path = "serve/item.html")]
pub(super) struct ItemPage {
    pub chrome: Chrome,
    pub title: String,
    pub url: Option<String>,
    pub facts: Vec<FactView>,
    pub summary: String,
    /// Links to other documents' pages and to the original's links.
    pub links: Vec<(String, Option<String>)>,
    /// Useful / noise buttons, when the server takes marks.
    pub mark: Option<super::marking::MarkControls>,
    /// The documents most like this one.
    pub related: Vec<HitView>,
    /// A repository's run on GitHub trending, drawn.
    pub trend: Option<TrendView>,
}

/// A line of an item's facts: a label and its values, each a link to the
/// pages that share it (a search with that filter, the week's report) when
/// there is one.
#[derive(Clone, Debug)]
pub(super) struct FactView {
    pub label: String,
    pub values: Vec<LinkedText>,
}

/// Words, linked to a page of this server or not.
#[derive(Clone, Debug)]
pub(super) struct LinkedText {
    pub text: String,
    pub href: Option<String>,
}

/// A repository's stars per sighting on GitHub trending, as an inline SVG
/// sparkline (numbers only; no script, no style attribute).
pub(super) struct TrendView {
    /// The run in words.
    pub phrase: String,
    /// `polyline` points; empty when there is nothing to draw.
    pub points: String,
    /// The sparkline's accessible name: the stars it draws.
    pub label: String,
    pub width: u32,
    pub height: u32,
}

/// The absorption landscape.
#[derive(Template)]
#[template(path = "serve/landscape.html")]
pub(super) struct LandscapePage {
    pub chrome: Chrome,
    pub form: LandscapeForm,
    pub intro: String,
    pub rule: String,
    pub events: Vec<EventView>,
    pub rows: Vec<RowView>,
    pub details: Vec<DetailView>,
}

/// The landscape's controls: a plain GET form, filled with what was asked.
#[derive(Clone, Debug, Default)]
pub(super) struct LandscapeForm {
    /// `as_of` as asked (a date), or empty for now.
    pub as_of: String,
    /// The window in days (`90d`).
    pub window: String,
    pub topics: Vec<Choice>,
    pub sorts: Vec<Choice>,
    /// Rows shown of the active rows, when a topic narrows them.
    pub shown: String,
}

/// A launch, stage change or retirement.
#[derive(Clone, Debug)]
pub(super) struct EventView {
    pub date: String,
    pub what: String,
    pub subject: String,
    pub title: String,
    pub note: String,
    pub url: Option<String>,
}

/// A row of the matrix.
#[derive(Clone, Debug)]
pub(super) struct RowView {
    pub level: &'static str,
    pub subject: String,
    pub anchor: String,
    /// AWS, Azure, Google Cloud; empty for a topic area's row.
    pub cells: Vec<CellView>,
    pub reason: String,
}

/// A cell: its words and the evidence it links to.
#[derive(Clone, Debug)]
pub(super) struct CellView {
    pub text: String,
    pub href: Option<String>,
}

/// Everything behind one row.
#[derive(Clone, Debug)]
pub(super) struct DetailView {
    pub anchor: String,
    pub subject: String,
    pub level: &'static str,
    pub reason: String,
    /// The system's dated milestones drawn, when it has any.
    pub timeline: Option<TimelineSvg>,
    /// The same milestones as words, oldest first.
    pub steps: Vec<StepView>,
    pub momentum: String,
    pub more: String,
    /// The search listing the notes `more` counts.
    pub more_href: Option<String>,
    pub vendors: Vec<VendorDetail>,
}

/// A system's timeline as an inline SVG (no script, no inline style: the
/// stylesheet colours it by class): one lane per vendor, a line per
/// offering from its first milestone on, a mark per milestone, the years
/// along the bottom. Coordinates are in SVG user units.
#[derive(Clone, Debug)]
pub(super) struct TimelineSvg {
    pub width: u32,
    pub height: u32,
    /// `0 0 width height`.
    pub view_box: String,
    /// The baseline of the year labels.
    pub year_y: u32,
    /// Top and bottom of the plot (the year ticks span it).
    pub top: u32,
    pub bottom: u32,
    /// The accessible name: what the picture shows, in words.
    pub label: String,
    pub lanes: Vec<LaneView>,
    pub ticks: Vec<TickView>,
    pub spans: Vec<SpanView>,
    pub marks: Vec<MarkView>,
}

/// A vendor's lane.
#[derive(Clone, Debug)]
pub(super) struct LaneView {
    /// The baseline of its name.
    pub text_y: u32,
    pub name: &'static str,
}

/// A year on the axis.
#[derive(Clone, Debug)]
pub(super) struct TickView {
    pub x: u32,
    pub label: String,
}

/// An offering's life on its lane.
#[derive(Clone, Debug)]
pub(super) struct SpanView {
    pub x1: u32,
    pub x2: u32,
    pub y: u32,
    pub class: &'static str,
}

/// One milestone.
#[derive(Clone, Debug)]
pub(super) struct MarkView {
    pub x: u32,
    pub y: u32,
    pub class: String,
    pub title: String,
}

/// One milestone in words.
#[derive(Clone, Debug)]
pub(super) struct StepView {
    pub date: String,
    pub what: String,
    pub source: &'static str,
    pub url: Option<String>,
}

/// One vendor's offerings and notes for a row.
#[derive(Clone, Debug)]
pub(super) struct VendorDetail {
    pub anchor: String,
    pub name: &'static str,
    pub offerings: Vec<OfferingView>,
    pub evidence: Vec<EvidenceView>,
}

/// An offering of the landscape.
#[derive(Clone, Debug)]
pub(super) struct OfferingView {
    pub product: String,
    pub facts: String,
    pub url: Option<String>,
}

/// A note behind a flag.
#[derive(Clone, Debug)]
pub(super) struct EvidenceView {
    pub date: String,
    pub facts: String,
    pub title: String,
    pub note: String,
    pub url: Option<String>,
}

/// The weeks the index holds documents in, each a link to its report.
#[derive(Template)]
#[template(path = "serve/reports.html")]
pub(super) struct ReportsPage {
    pub chrome: Chrome,
    pub intro: String,
    pub weeks: Vec<WeekView>,
}

/// One week of the list.
#[derive(Clone, Debug)]
pub(super) struct WeekView {
    /// `2025-W44`.
    pub label: String,
    /// Its report.
    pub href: String,
    /// Monday to Sunday.
    pub dates: String,
    /// Documents filed in it.
    pub documents: String,
    /// The same per kind, in words.
    pub kinds: String,
    /// Its documents on the search page.
    pub search: String,
    /// The week is not over.
    pub in_progress: bool,
}

/// Source health.
#[derive(Template)]
#[template(path = "serve/sources.html")]
pub(super) struct SourcesPage {
    pub chrome: Chrome,
    pub last_crawl: String,
    pub rows: Vec<SourceView>,
}

/// One source.
#[derive(Clone, Debug)]
pub(super) struct SourceView {
    pub status: &'static str,
    pub name: String,
    pub kind: &'static str,
    pub last_success: String,
    pub detail: String,
    pub urls: Vec<(String, Option<String>)>,
}

/// The sign-in form.
#[derive(Template)]
#[template(path = "serve/login.html")]
pub(super) struct LoginPage {
    pub chrome: Chrome,
    pub next: String,
    pub failed: bool,
}

/// An error.
#[derive(Template)]
#[template(path = "serve/error.html")]
pub(super) struct ErrorPage {
    pub chrome: Chrome,
    pub title: String,
    pub message: String,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn segments_keep_spaces_and_skip_bad_ranges() {
        let s = segments("kafka is fast", &[0..5, 9..13]);
        let texts: Vec<(&str, bool, bool, bool)> = s
            .iter()
            .map(|x| (x.text.as_str(), x.mark, x.space_before, x.space_after))
            .collect();
        assert_eq!(
            texts,
            [
                ("kafka", true, false, false),
                (" is ", false, true, true),
                ("fast", true, false, false)
            ]
        );
        // Overlapping, outside and mid-character ranges are dropped.
        assert_eq!(segments("é x", &[1..2, 0..2, 1..3, 5..9]).len(), 2);
    }

    #[test]
    fn pointer_marks_the_word_at_the_position() {
        let p = pointer("kafka titel:flink", 6);
        assert_eq!(
            p.iter().find(|s| s.mark).map(|s| s.text.as_str()),
            Some("titel:flink")
        );
        let p = pointer("kafka AND", 9);
        assert!(p.iter().any(|s| s.mark && s.text.contains("here")));
        assert_eq!(thousands(1234567), "1,234,567");
        assert_eq!(thousands(12), "12");
    }
}
