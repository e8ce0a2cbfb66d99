//! `horizon stats`.

use std::io::Write;

use anyhow::Result;
use horizon::exit;
use horizon::state::CrawlState;
use horizon::text::terminal_safe;

use super::{human_bytes, index_dir, io_fail, open_index, optional_config, Cli, Failure};

pub(super) fn cmd_stats(cli: &Cli, json: bool) -> Result<u8, Failure> {
    let dir = index_dir(cli, optional_config(cli)?.as_ref());
    let idx = open_index(&dir)?;
    let stats = idx.stats().map_err(Failure::fatal)?;
    let state = CrawlState::load(&dir).map_err(Failure::fatal)?;
    if json {
        let mut v =
            serde_json::to_value(&stats).map_err(|e| Failure::fatal(anyhow::Error::new(e)))?;
        if let Some(obj) = v.as_object_mut() {
            obj.insert("index".into(), serde_json::json!(dir));
            obj.insert("last_crawl".into(), serde_json::json!(state.last_crawl));
        }
        writeln!(std::io::stdout().lock(), "{v}").map_err(io_fail)?;
        return Ok(exit::OK);
    }
    let mut out = std::io::stdout().lock();
    writeln!(out, "index       {}", dir.display()).map_err(io_fail)?;
    writeln!(out, "documents   {}", stats.documents).map_err(io_fail)?;
    writeln!(out, "size        {}", human_bytes(stats.size_bytes)).map_err(io_fail)?;
    match &state.last_crawl {
        Some(c) => writeln!(
            out,
            "last crawl  {} ({}, {} sources, {} failed)",
            c.finished.strftime("%Y-%m-%d %H:%M UTC"),
            c.status,
            c.sources,
            c.failed
        ),
        None => writeln!(out, "last crawl  never"),
    }
    .map_err(io_fail)?;
    for (title, map) in [
        ("kind", &stats.by_kind),
        ("source", &stats.by_source),
        ("topic", &stats.by_topic),
        ("vendor", &stats.by_vendor),
        ("stage", &stats.by_stage),
        ("language", &stats.by_language),
    ] {
        if map.is_empty() {
            continue;
        }
        writeln!(out, "\nby {title}").map_err(io_fail)?;
        let width = map.keys().map(|k| k.chars().count()).max().unwrap_or(0);
        for (k, n) in map {
            writeln!(out, "  {:<width$}  {n:>7}", terminal_safe(k)).map_err(io_fail)?;
        }
    }
    Ok(exit::OK)
}
