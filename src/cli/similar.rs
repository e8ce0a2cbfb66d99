//! `horizon similar`: the documents most like one document.

use std::io::{IsTerminal, Write};

use anyhow::Result;
use horizon::exit;
use horizon::search::SearchRequest;
use jiff::Timestamp;

use super::args::SimilarArgs;
use super::{
    check_names, index_dir, io_fail, open_index, optional_config, parse_when, use_color, Cli,
    Failure,
};

pub(super) fn cmd_similar(cli: &Cli, args: &SimilarArgs) -> Result<u8, Failure> {
    let cfg = optional_config(cli)?;
    check_names(cli, cfg.as_ref(), &args.source, &args.topic)?;
    let dir = index_dir(cli, cfg.as_ref());
    let now = Timestamp::now();
    let req = SearchRequest {
        kinds: args.kind.clone(),
        topics: args.topic.clone(),
        sources: args.source.clone(),
        vendors: args.vendor.clone(),
        since: parse_when("--since", &args.since, now)?,
        until: parse_when("--until", &args.until, now)?,
        limit: args.limit,
        ..SearchRequest::default()
    };
    let idx = open_index(&dir)?;
    let searcher = idx.searcher().map_err(Failure::fatal)?;
    let Some(item) = idx.get(&searcher, &args.id).map_err(Failure::fatal)? else {
        return Err(Failure::usage(anyhow::anyhow!(
            "no document with the id {:?} in {} (`horizon search --json` prints ids)",
            args.id,
            dir.display()
        )));
    };
    let hits = horizon::similar::similar(&idx, &item, &req).map_err(Failure::fatal)?;
    let mut out = std::io::stdout().lock();
    if args.json {
        for h in &hits {
            serde_json::to_writer(&mut out, &h.record())
                .map_err(|e| Failure::fatal(anyhow::Error::new(e)))?;
            writeln!(out).map_err(io_fail)?;
        }
        return Ok(exit::OK);
    }
    if hits.is_empty() && !cli.quiet {
        eprintln!("nothing like it");
    }
    let color = use_color(std::io::stdout().is_terminal());
    super::search::print_hits(&mut out, &hits, color).map_err(io_fail)?;
    Ok(exit::OK)
}
