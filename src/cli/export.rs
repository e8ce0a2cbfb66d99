//! `horizon export`.

use anyhow::{Context, Result};
use horizon::config::absolute;
use horizon::exit;
use horizon::search::SearchRequest;
use jiff::Timestamp;

use super::args::*;
use super::{index_dir, open_index, optional_config, parse_when, Cli, Failure};

pub(super) fn cmd_export(cli: &Cli, args: &ExportArgs) -> Result<u8, Failure> {
    let dir = index_dir(cli, optional_config(cli)?.as_ref());
    let now = Timestamp::now();
    let req = SearchRequest {
        kinds: args.kind.clone(),
        since: parse_when("--since", &args.since, now)?,
        until: parse_when("--until", &args.until, now)?,
        ..Default::default()
    };
    let idx = open_index(&dir)?;
    let filter = horizon::search::filter_query(&idx, &req);
    let format = match args.format {
        ExportFormatArg::Ndjson => horizon::export::ExportFormat::Ndjson,
        ExportFormatArg::Quickwit => horizon::export::ExportFormat::Quickwit,
        ExportFormatArg::Elasticsearch => horizon::export::ExportFormat::Elasticsearch,
    };
    let written = match &args.out {
        Some(path) => horizon::state::write_atomic_with(path, |w| {
            horizon::export::export(&idx, filter.as_deref(), format, &args.index_name, w)
        })
        .with_context(|| format!("cannot write {}", absolute(path).display()))
        .map_err(Failure::fatal)?,
        None => {
            let stdout = std::io::stdout();
            let mut w = std::io::BufWriter::new(stdout.lock());
            horizon::export::export(&idx, filter.as_deref(), format, &args.index_name, &mut w)
                .map_err(|e| match e {
                    horizon::export::ExportError::Io(io) => Failure::fatal(io),
                    other => Failure::fatal(other),
                })?
        }
    };
    if !cli.quiet && args.out.is_some() {
        eprintln!("exported {written} documents");
    }
    Ok(exit::OK)
}
