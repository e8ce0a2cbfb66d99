//! The report as pretty JSON: every field of [`Report`], for machines.

use super::{RenderError, Renderer};
use crate::report::Report;

/// The JSON renderer.
#[derive(Clone, Copy, Debug, Default)]
pub struct Json;

impl Renderer for Json {
    /// Pretty JSON ending with a newline.
    fn render(&self, report: &Report) -> Result<String, RenderError> {
        let mut s = serde_json::to_string_pretty(report).map_err(RenderError::Json)?;
        s.push('\n');
        Ok(s)
    }

    fn extension(&self) -> &'static str {
        "json"
    }
}
