//! `horizon search`.

use std::io::{IsTerminal, Write};

use anyhow::Result;
use horizon::exit;
use horizon::search::{search_until, Deadline, Hit, SearchError, SearchRequest, SortBy};
use horizon::text::terminal_safe;
use jiff::Timestamp;

use super::args::*;
use super::{
    check_names, index_dir, io_fail, open_index, optional_config, parse_when, use_color, Cli,
    Failure,
};

impl FilterArgs {
    /// A request with these filters, everything else at its default. A
    /// `--since` that is not before `--until` is a usage error: nothing could match.
    pub(super) fn request(&self, now: Timestamp) -> Result<SearchRequest, Failure> {
        let req = SearchRequest {
            kinds: self.kind.clone(),
            topics: self.topic.clone(),
            sources: self.source.clone(),
            vendors: self.vendor.clone(),
            stages: self.stage.clone(),
            languages: self.language.clone(),
            since: parse_when("--since", &self.since, now)?,
            until: parse_when("--until", &self.until, now)?,
            ..SearchRequest::default()
        };
        if let (Some(since), Some(until)) = (req.since, req.until) {
            if since >= until {
                return Err(Failure::usage(anyhow::anyhow!(
                    "--since ({}) must be before --until ({}): nothing could match",
                    since.strftime("%Y-%m-%d %H:%M UTC"),
                    until.strftime("%Y-%m-%d %H:%M UTC")
                )));
            }
        }
        Ok(req)
    }

    /// These filters as the query-string pairs `/feed` and `/search` take.
    pub(super) fn pairs(&self) -> Vec<(String, String)> {
        let words = |key: &str, values: Vec<&str>| {
            values
                .into_iter()
                .map(|v| (key.to_string(), v.to_string()))
                .collect::<Vec<_>>()
        };
        [
            words("topic", self.topic.iter().map(String::as_str).collect()),
            words("kind", self.kind.iter().map(|k| k.as_str()).collect()),
            words("source", self.source.iter().map(String::as_str).collect()),
            words("vendor", self.vendor.iter().map(|v| v.as_str()).collect()),
            words("stage", self.stage.iter().map(|s| s.as_str()).collect()),
            words(
                "language",
                self.language.iter().map(String::as_str).collect(),
            ),
            words("since", self.since.iter().map(String::as_str).collect()),
            words("until", self.until.iter().map(String::as_str).collect()),
        ]
        .concat()
    }
}

/// One JSON record per hit per line (`search --json`, `similar --json`).
pub(super) fn print_json(out: &mut impl Write, hits: &[Hit]) -> Result<u8, Failure> {
    for h in hits {
        serde_json::to_writer(&mut *out, &h.record())
            .map_err(|e| Failure::fatal(anyhow::Error::new(e)))?;
        writeln!(out).map_err(io_fail)?;
    }
    Ok(exit::OK)
}

pub(super) fn cmd_search(cli: &Cli, args: &SearchArgs) -> Result<u8, Failure> {
    let cfg = optional_config(cli)?;
    let dir = index_dir(cli, cfg.as_ref());
    check_names(cli, cfg.as_ref(), &args.filters.source, &args.filters.topic)?;
    let now = Timestamp::now();
    let req = SearchRequest {
        query: args.query.clone(),
        sort: match args.sort {
            SortArg::Relevance => SortBy::Relevance,
            SortArg::Date => SortBy::Date,
        },
        limit: args.limit,
        synonyms: cfg
            .as_ref()
            .map(horizon::search::synonym_groups)
            .unwrap_or_default(),
        ..args.filters.request(now)?
    };
    // Check the query before touching the index, so a typo is reported as such.
    if let Err(e) = horizon::search::validate_query(&req.query) {
        let mut msg = format!("invalid query: {e}");
        if let Some(p) = e.pointer(&req.query) {
            msg.push('\n');
            msg.push_str(&p);
        }
        return Err(Failure::usage(anyhow::anyhow!(msg)));
    }
    let idx = open_index(&dir)?;
    // Missing and empty are the same situation — nothing crawled yet — and
    // get the same exit status (3), in text and JSON mode alike.
    let total = idx
        .count(&idx.searcher().map_err(Failure::fatal)?)
        .map_err(Failure::fatal)?;
    if total == 0 {
        return Err(Failure::fatal(anyhow::anyhow!(
            "the index at {} is empty: run `horizon crawl` first",
            dir.display()
        )));
    }
    let rules = horizon::rules::RuleSet::compile(
        &idx,
        cfg.as_ref().map(|c| c.rules.as_slice()).unwrap_or_default(),
        now,
    )
    .map_err(|e| Failure::usage(anyhow::anyhow!("a rule's query: {e}")))?;
    let deadline = Deadline::after(args.deadline);
    let hits = search_until(&idx, &req, &rules, Some(&deadline)).map_err(|e| match e {
        SearchError::Query(q) => Failure::usage(anyhow::anyhow!("invalid query: {q}")),
        other => Failure::fatal(other),
    })?;
    let mut out = std::io::stdout().lock();
    if args.json {
        return print_json(&mut out, &hits);
    }
    let color = use_color(std::io::stdout().is_terminal());
    if hits.is_empty() {
        if !cli.quiet {
            eprintln!("no matches among {total} documents");
        }
        return Ok(exit::OK);
    }
    print_hits(&mut out, &hits, color).map_err(io_fail)?;
    Ok(exit::OK)
}

/// Hits as text: title, a line of facts, the link and the highlighted snippet.
pub(super) fn print_hits(
    out: &mut impl Write,
    hits: &[horizon::search::Hit],
    color: bool,
) -> std::io::Result<()> {
    for (n, h) in hits.iter().enumerate() {
        let i = &h.item;
        let title = terminal_safe(&i.title);
        let meta: Vec<String> = horizon::search::hit_meta(h, |v| v.to_string())
            .iter()
            .map(|part| terminal_safe(part))
            .collect();
        if color {
            writeln!(out, "\x1b[1m{}. {}\x1b[0m", n + 1, title)?;
            writeln!(out, "   \x1b[2m{}\x1b[0m", meta.join(" · "))?;
            writeln!(out, "   \x1b[4m{}\x1b[0m", terminal_safe(&i.url))?;
        } else {
            writeln!(out, "{}. {}", n + 1, title)?;
            writeln!(out, "   {}", meta.join(" · "))?;
            writeln!(out, "   {}", terminal_safe(&i.url))?;
        }
        if !h.snippet.is_empty() {
            writeln!(out, "   {}", highlight(&h.snippet, &h.highlights, color))?;
        }
        writeln!(out)?;
    }
    Ok(())
}

/// The snippet with matched ranges in bold yellow (colour) or `[brackets]` (plain).
fn highlight(snippet: &str, ranges: &[std::ops::Range<usize>], color: bool) -> String {
    let mut out = String::new();
    let mut pos = 0;
    for r in ranges {
        if r.start < pos
            || r.end > snippet.len()
            || !snippet.is_char_boundary(r.start)
            || !snippet.is_char_boundary(r.end)
        {
            continue;
        }
        out.push_str(&terminal_safe(&snippet[pos..r.start]));
        let word = terminal_safe(&snippet[r.start..r.end]);
        if color {
            out.push_str(&format!("\x1b[1;33m{word}\x1b[0m"));
        } else {
            out.push_str(&format!("[{word}]"));
        }
        pos = r.end;
    }
    out.push_str(&terminal_safe(snippet.get(pos..).unwrap_or("")));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn highlight_marks_ranges_and_strips_escapes() {
        assert_eq!(
            highlight("kafka is fast", &[0..5, 9..13], false),
            "[kafka] is [fast]"
        );
        assert_eq!(highlight("a\u{1b}[2Jb", &[], false), "a[2Jb");
    }
}
