//! `horizon flags`.

use std::io::Write;

use anyhow::Result;
use horizon::exit;
use jiff::Timestamp;

use super::args::*;
use super::{
    index_dir, io_fail, load_config, open_index, parse_when, terminal_safe_block,
    warn_about_aliases, Cli, Failure,
};

pub(super) fn cmd_flags(cli: &Cli, args: &FlagsArgs) -> Result<u8, Failure> {
    let cfg = load_config(cli)?;
    warn_about_aliases(cli, &cfg);
    let dir = index_dir(cli, Some(&cfg));
    let now = Timestamp::now();
    let as_of = parse_when("--as-of", &args.as_of, now)?.unwrap_or(now);
    let window = match &args.window {
        Some(w) => horizon::duration::parse_duration(w)
            .map_err(|e| Failure::usage(anyhow::anyhow!("--window: {e}")))?,
        None => cfg.absorption.window.0,
    };
    let idx = open_index(&dir)?;
    let flags =
        horizon::absorb::compute_flags(&idx, &cfg, as_of, window).map_err(Failure::fatal)?;
    let mut out = std::io::stdout().lock();
    if args.json {
        serde_json::to_writer_pretty(&mut out, &flags)
            .map_err(|e| Failure::fatal(anyhow::Error::new(e)))?;
        writeln!(out).map_err(io_fail)?;
    } else {
        out.write_all(terminal_safe_block(&horizon::absorb::render_text(&flags)).as_bytes())
            .map_err(io_fail)?;
    }
    Ok(exit::OK)
}
