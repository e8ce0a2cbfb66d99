//! `horizon radar`.

use std::io::Write;
use std::time::Duration;

use anyhow::{Context, Result};
use horizon::config::absolute;
use horizon::exit;
use horizon::radar::{build_radar, RadarFormat, DEFAULT_RADAR_PERIOD_DAYS};
use jiff::Timestamp;

use super::args::*;
use super::{
    index_dir, io_fail, load_config, open_index, parse_when, warn_about_aliases, Cli, Failure,
};

pub(super) fn cmd_radar(cli: &Cli, args: &RadarArgs) -> Result<u8, Failure> {
    let cfg = load_config(cli)?;
    warn_about_aliases(cli, &cfg);
    let dir = index_dir(cli, Some(&cfg));
    let now = Timestamp::now();
    let as_of = parse_when("--as-of", &args.as_of, now)?.unwrap_or(now);
    let duration = |flag: &str, v: &Option<String>, default: Duration| match v {
        Some(w) => horizon::duration::parse_duration(w)
            .map_err(|e| Failure::usage(anyhow::anyhow!("{flag}: {e}"))),
        None => Ok(default),
    };
    let window = duration("--window", &args.window, cfg.absorption.window.0)?;
    let period = duration(
        "--since",
        &args.since,
        Duration::from_secs(DEFAULT_RADAR_PERIOD_DAYS as u64 * 86_400),
    )?;
    let format = match args.format {
        RadarFormatArg::Backstage => RadarFormat::Backstage,
        RadarFormatArg::Zalando => RadarFormat::Zalando,
        RadarFormatArg::Byor => RadarFormat::Byor,
    };
    let idx = open_index(&dir)?;
    let radar = build_radar(&idx, &cfg, as_of, window, period).map_err(Failure::fatal)?;
    let text = format.render(&radar).map_err(Failure::usage)?;
    if !cli.quiet && !radar.left_out.is_empty() {
        eprintln!(
            "left off the radar: the systems of {} (no [[radar.quadrants]] lists {})",
            radar.left_out.join(", "),
            if radar.left_out.len() == 1 {
                "it"
            } else {
                "them"
            }
        );
    }
    match &args.out {
        Some(path) => {
            horizon::state::write_atomic_with(path, |w| w.write_all(text.as_bytes()))
                .with_context(|| format!("cannot write {}", absolute(path).display()))
                .map_err(Failure::fatal)?;
            if !cli.quiet {
                eprintln!(
                    "wrote {} radar entries ({}) to {}",
                    radar.entries.len(),
                    format.as_str(),
                    absolute(path).display()
                );
            }
        }
        None => std::io::stdout()
            .lock()
            .write_all(text.as_bytes())
            .map_err(io_fail)?,
    }
    Ok(exit::OK)
}
