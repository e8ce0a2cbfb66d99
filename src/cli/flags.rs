//! `horizon flags`.

use std::io::Write;

use anyhow::Result;
use horizon::absorb::Catalog;
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
    if let Some(name) = &args.system {
        let catalog = Catalog::for_config(&cfg).map_err(Failure::fatal)?;
        let rows = flags
            .system_rows(&catalog, name)
            .map_err(|e| Failure::usage(anyhow::anyhow!("--system: {e}")))?;
        return if args.json {
            json(&mut out, &rows.first())
        } else {
            text(&mut out, &horizon::absorb::render_system(&flags, &rows))
        };
    }
    match (args.json, args.lag) {
        (true, true) => json(&mut out, &flags.lag),
        (true, false) => json(&mut out, &flags),
        (false, true) => text(&mut out, &horizon::absorb::render_lag(&flags)),
        (false, false) => text(&mut out, &horizon::absorb::render_text(&flags)),
    }
}

fn json(out: &mut impl Write, value: &impl serde::Serialize) -> Result<u8, Failure> {
    serde_json::to_writer_pretty(&mut *out, value)
        .map_err(|e| Failure::fatal(anyhow::Error::new(e)))?;
    writeln!(out).map_err(io_fail)?;
    Ok(exit::OK)
}

fn text(out: &mut impl Write, text: &str) -> Result<u8, Failure> {
    out.write_all(terminal_safe_block(text).as_bytes())
        .map_err(io_fail)?;
    Ok(exit::OK)
}
