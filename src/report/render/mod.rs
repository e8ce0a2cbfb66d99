//! The report's renderings behind one interface, one file per format (in the
//! manner of lychee's `formatters/`): [`Format`] names an output format and
//! hands out its [`Renderer`]; `markdown.rs`, `html.rs` (askama templates in
//! the crate's `templates/`) and `json.rs` each own one; `words.rs` holds the
//! phrasing the Markdown and HTML share.
//!
//! Markdown and HTML show the same things in the same order: headline,
//! absorption flags, per-topic sections, topics in motion with the 12-period
//! activity, source health. Every piece of text that came from a feed is
//! escaped for the target format, links are only made for `http`/`https`
//! URLs, and nothing depends on the time of rendering, so the same report
//! renders to the same bytes. The mail's plain-text part is the Markdown
//! rendering; chat gets the digest (`digest.rs`: headline, what moved, top
//! reads, a link to the rest), or the Markdown when a destination asks for
//! the full report; `deliver` adapts either to each chat's dialect.

mod digest;
pub(crate) mod html;
mod json;
mod markdown;
mod words;

pub use digest::{digest, FullReport, DIGEST_MOVES};
pub use html::{page_with_chrome, stylesheet, Chrome, MarkTarget, NavLink};
pub(crate) use markdown::{md_escape, md_link};
pub(super) use words::thousands;
pub use words::{field_phrase, safe_url, search_path, search_point};

use html::Html;
use json::Json;
use markdown::Markdown;

use super::Report;

/// Why a report could not be rendered.
#[derive(Debug, thiserror::Error)]
pub enum RenderError {
    /// The HTML templates failed.
    #[error("rendering the HTML report")]
    Html(#[source] askama::Error),
    /// The report could not be serialized.
    #[error("serializing the report as JSON")]
    Json(#[source] serde_json::Error),
}

/// One way of turning a [`Report`] into text.
pub trait Renderer {
    /// The whole report in this format.
    fn render(&self, report: &Report) -> Result<String, RenderError>;
    /// The file extension of this format, without the dot.
    fn extension(&self) -> &'static str;
}

/// The report's output formats.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    /// For chat, email and GitHub.
    Markdown,
    /// One self-contained, printable file.
    Html,
    /// Everything, for machines.
    Json,
}

impl Format {
    /// The renderer of this format.
    pub fn renderer(self) -> &'static dyn Renderer {
        match self {
            Format::Markdown => &Markdown,
            Format::Html => &Html,
            Format::Json => &Json,
        }
    }

    /// The report in this format.
    pub fn render(self, report: &Report) -> Result<String, RenderError> {
        self.renderer().render(report)
    }

    /// The file extension of this format, without the dot (`md`, `html`, `json`).
    pub fn extension(self) -> &'static str {
        self.renderer().extension()
    }
}
