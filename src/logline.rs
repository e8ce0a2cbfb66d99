//! Log lines that feed text cannot forge or act through (#28 item 14).
//!
//! A warning can quote what a source sent (a repair names the `version` it
//! found, a parse error quotes the document), and a source is not trusted:
//! an embedded newline would start a forged log line in the journal, and an
//! escape sequence would act on the terminal (clear it, set its title, hide
//! text). [`LogWriter`] sits between the log formatter and stderr and writes
//! every control character of an event as a visible escape (`\n`, `\r`,
//! `\u{1b}`), keeping only the newline that ends the event, tabs, and — when
//! the log is coloured — the few colour codes the formatter itself writes.
//!
//! tracing's formatter writes each event with one `write_all` of the whole
//! formatted line, so one call here is one event.

use std::io::{self, Write};

use tracing_subscriber::fmt::MakeWriter;

use crate::text::is_unsafe_char;

/// SGR parameters the log formatter uses: reset, bold, dim, italic and the
/// five level colours. Anything else (conceal, cursor movement, titles,
/// hyperlinks) is escaped even when colour is on.
const FORMATTER_SGR: &[&str] = &["0", "1", "2", "3", "31", "32", "33", "34", "35"];

/// One event's text with every control character but the final newline made
/// visible; colour codes the formatter writes are kept when `colour` is on.
pub fn escape_event(text: &str, colour: bool) -> String {
    let body = text.strip_suffix('\n');
    let (body, newline) = match body {
        Some(b) => (b, "\n"),
        None => (text, ""),
    };
    let mut out = String::with_capacity(body.len() + newline.len());
    let mut rest = body;
    while let Some(c) = rest.chars().next() {
        if c == '\u{1b}' && colour {
            if let Some(len) = formatter_sgr_len(rest) {
                out.push_str(&rest[..len]);
                rest = &rest[len..];
                continue;
            }
        }
        match c {
            '\t' => out.push('\t'),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            c if is_unsafe_char(c) => out.push_str(&format!("\\u{{{:x}}}", c as u32)),
            c => out.push(c),
        }
        rest = &rest[c.len_utf8()..];
    }
    out.push_str(newline);
    out
}

/// Length of the colour code at the start of `s` (`ESC [ params m`) when its
/// parameters are all ones the formatter writes.
fn formatter_sgr_len(s: &str) -> Option<usize> {
    let params_and_rest = s.strip_prefix("\u{1b}[")?;
    let end = params_and_rest.find(|c: char| !(c.is_ascii_digit() || c == ';'))?;
    if !params_and_rest[end..].starts_with('m') {
        return None;
    }
    let params = &params_and_rest[..end];
    let allowed = params.is_empty() || params.split(';').all(|p| FORMATTER_SGR.contains(&p));
    allowed.then_some(2 + end + 1)
}

/// Writes log events to stderr through [`escape_event`].
#[derive(Debug, Clone, Copy)]
pub struct LogWriter {
    colour: bool,
}

impl LogWriter {
    /// A writer for a log that is coloured (`colour`) or plain.
    pub fn stderr(colour: bool) -> Self {
        LogWriter { colour }
    }
}

/// One event being written.
#[derive(Debug)]
pub struct EventWriter {
    colour: bool,
}

impl Write for EventWriter {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let text = String::from_utf8_lossy(buf);
        io::stderr()
            .lock()
            .write_all(escape_event(&text, self.colour).as_bytes())?;
        Ok(buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        io::stderr().flush()
    }
}

impl<'a> MakeWriter<'a> for LogWriter {
    type Writer = EventWriter;

    fn make_writer(&'a self) -> Self::Writer {
        EventWriter {
            colour: self.colour,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn embedded_newlines_and_escapes_are_made_visible() {
        let event = "2026-12-07T00:00:00Z  WARN feed repaired: `<rss version=\"9\n2026-12-07T00:00:01Z ERROR forged\u{1b}]0;owned\u{7}\u{1b}[2J\r\">`\n";
        let out = escape_event(event, false);
        assert_eq!(out.matches('\n').count(), 1, "{out}");
        assert!(out.ends_with('\n'));
        assert!(!out.contains('\u{1b}') && !out.contains('\u{7}') && !out.contains('\r'));
        assert!(
            out.contains(
                "version=\"9\\n2026-12-07T00:00:01Z ERROR forged\\u{1b}]0;owned\\u{7}\\u{1b}[2J\\r"
            ),
            "{out}"
        );
    }

    #[test]
    fn the_formatters_colours_stay_and_others_do_not() {
        let event = "\u{1b}[2m2026\u{1b}[0m \u{1b}[33m WARN\u{1b}[0m text \u{1b}[8mhidden\u{1b}[0m \u{1b}[1;31mx\u{1b}[0m\n";
        let out = escape_event(event, true);
        assert!(out.starts_with("\u{1b}[2m2026\u{1b}[0m \u{1b}[33m WARN\u{1b}[0m text "));
        assert!(
            out.contains("\\u{1b}[8mhidden"),
            "conceal is escaped: {out}"
        );
        assert!(out.contains("\u{1b}[1;31mx"), "{out}");
        // Without colour every escape is shown.
        assert!(!escape_event(event, false).contains('\u{1b}'));
        // Ordinary text, tabs and non-ASCII pass unchanged.
        assert_eq!(escape_event("a\tb — ü\n", false), "a\tb — ü\n");
        assert_eq!(escape_event("no newline", false), "no newline");
    }
}
