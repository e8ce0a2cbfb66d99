//! `horizon similar`: the documents most like one document.

use std::io::IsTerminal;

use anyhow::Result;
use horizon::exit;
use horizon::search::SearchRequest;
use jiff::Timestamp;

use super::args::SimilarArgs;
use super::{
    check_names, index_dir, io_fail, open_index, optional_config, use_color, Cli, Failure,
};

pub(super) fn cmd_similar(cli: &Cli, args: &SimilarArgs) -> Result<u8, Failure> {
    let cfg = optional_config(cli)?;
    check_names(cli, cfg.as_ref(), &args.filters.source, &args.filters.topic)?;
    let dir = index_dir(cli, cfg.as_ref());
    let req = SearchRequest {
        limit: args.limit,
        ..args.filters.request(Timestamp::now())?
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
        return super::search::print_json(&mut out, &hits);
    }
    if hits.is_empty() && !cli.quiet {
        eprintln!("nothing like it");
    }
    let color = use_color(std::io::stdout().is_terminal());
    super::search::print_hits(&mut out, &hits, color).map_err(io_fail)?;
    Ok(exit::OK)
}
