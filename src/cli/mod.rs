//! The command line: argument definitions and the glue that turns them into
//! library calls and printed output, one file per command (in the manner of
//! lychee-bin's and tantivy-cli's `commands/`).
//!
//! This is the only part of horizon that knows about clap, clap_complete,
//! clap_mangen or indicatif: the library under `src/` (see `lib.rs`) takes
//! plain request structs and returns typed results. Each command converts its
//! arguments, calls the library, and prints; errors carry the exit status
//! they should produce (see [`horizon::exit`]).

mod alerts;
mod args;
mod crawl;
mod demo;
mod export;
mod feed;
mod flags;
mod man;
mod mark;
mod radar;
mod reindex;
mod report;
mod rules;
mod search;
mod serve;
mod similar;
mod sources;
mod stats;
mod systems;

use std::path::{Path, PathBuf};

use horizon::config::Config;
use horizon::exit;
use horizon::index::HorizonIndex;
use horizon::text::terminal_safe;
use jiff::Timestamp;

use args::SourcesAction;
pub use args::{Cli, Command};

/// An error with the exit status it should produce.
#[derive(Debug)]
pub struct Failure {
    /// Exit status.
    pub code: u8,
    /// What went wrong (printed with `{:#}`).
    pub error: anyhow::Error,
}

impl Failure {
    fn usage(error: impl Into<anyhow::Error>) -> Self {
        Failure {
            code: exit::USAGE,
            error: error.into(),
        }
    }
    fn fatal(error: impl Into<anyhow::Error>) -> Self {
        Failure {
            code: exit::FATAL,
            error: error.into(),
        }
    }
}

fn io_fail(e: std::io::Error) -> Failure {
    Failure::fatal(e)
}

/// Run a parsed command line; returns the exit status.
pub async fn run(mut cli: Cli) -> Result<u8, Failure> {
    // Absolute from here on, so every message names the file and folder
    // meant; `--index` (like `--config`) is relative to the current folder.
    cli.config = horizon::config::absolute(&cli.config);
    cli.index = cli.index.as_deref().map(horizon::config::absolute);
    let result = match &cli.command {
        Command::Crawl(args) => crawl::cmd_crawl(&cli, args).await,
        Command::Search(args) => search::cmd_search(&cli, args),
        Command::Stats(args) => stats::cmd_stats(&cli, args.json),
        Command::Sources(args) => match &args.action {
            None => sources::cmd_sources(&cli, args.json),
            Some(SourcesAction::Import {
                file,
                kind,
                dry_run,
            }) => sources::cmd_sources_import(&cli, file, *kind, *dry_run),
            Some(SourcesAction::Check {
                sources: only,
                json,
                replay,
            }) => sources::cmd_sources_check(&cli, only, *json, replay.as_deref()).await,
            Some(SourcesAction::Export { out }) => {
                sources::cmd_sources_export(&cli, out.as_deref())
            }
        },
        Command::Export(args) => export::cmd_export(&cli, args),
        Command::Feed(args) => feed::cmd_feed(&cli, args),
        Command::Reindex(args) => reindex::cmd_reindex(&cli, args),
        Command::Flags(args) => flags::cmd_flags(&cli, args),
        Command::Radar(args) => radar::cmd_radar(&cli, args),
        Command::Report(args) => report::cmd_report(&cli, args).await,
        Command::Demo(args) => demo::cmd_demo(&cli, args).await,
        Command::Serve(args) => serve::cmd_serve(&cli, args).await,
        Command::Mark(args) => mark::cmd_mark(&cli, args),
        Command::Marks(args) => mark::cmd_marks(&cli, args),
        Command::Rules(args) => rules::cmd_rules(&cli, args),
        Command::Similar(args) => similar::cmd_similar(&cli, args),
        Command::Systems(args) => systems::cmd_systems(&cli, args),
        Command::Alerts(args) => alerts::cmd_alerts(&cli, args).await,
        Command::Completions { shell } => man::cmd_completions(*shell),
        Command::Man { dir } => man::cmd_man(dir.as_deref(), cli.quiet),
    };
    match result {
        Err(f) if is_broken_pipe(&f.error) => Ok(exit::OK),
        other => other,
    }
}

/// A closed stdout (`horizon … | head`) is not an error: exit quietly, as
/// ripgrep does. serde_json hides the `io::Error` it wraps from the source
/// chain, so it is asked directly.
fn is_broken_pipe(e: &anyhow::Error) -> bool {
    use std::io::ErrorKind::BrokenPipe;
    e.chain().any(|c| {
        c.downcast_ref::<std::io::Error>()
            .is_some_and(|io| io.kind() == BrokenPipe)
            || c.downcast_ref::<serde_json::Error>()
                .is_some_and(|j| j.io_error_kind() == Some(BrokenPipe))
    })
}

/// The config, with the fixed name table of `HORIZON_RESOLVE` (a debugging
/// aid like curl's `--resolve`, applied through the address policy).
fn load_config(cli: &Cli) -> Result<Config, Failure> {
    let mut cfg = Config::load(&cli.config).map_err(Failure::usage)?;
    if let Some(text) = std::env::var_os(horizon::address::RESOLVE_ENV) {
        let text = text.to_string_lossy();
        cfg.settings.resolve = horizon::address::parse_resolve(&text)
            .map_err(|e| Failure::usage(anyhow::anyhow!(e)))?;
    }
    Ok(cfg)
}

/// Warn (stderr, unless `--quiet`) about topic aliases the offering catalog
/// makes risky: ordinary words, or another system's product.
fn warn_about_aliases(cli: &Cli, cfg: &Config) {
    if cli.quiet {
        return;
    }
    let Ok(catalog) = horizon::absorb::Catalog::for_config(cfg) else {
        return;
    };
    let robots = horizon::robots::config_warnings(cfg);
    for w in horizon::absorb::catalog::check_config(cfg, &catalog)
        .into_iter()
        .chain(robots)
    {
        eprintln!(
            "horizon: warning: {}:{}: {}",
            cfg.path.display(),
            w.line,
            w.message
        );
    }
}

/// The config when its file exists (search, stats and export only need the
/// index, so a missing config is fine there; a broken one is still an error).
fn optional_config(cli: &Cli) -> Result<Option<Config>, Failure> {
    if cli.config.exists() {
        load_config(cli).map(Some)
    } else {
        Ok(None)
    }
}

/// The index folder, absolute: `--index` (relative to the current folder),
/// else the config's `[settings] index` (relative to the config's folder),
/// else `index/` beside the config file.
fn index_dir(cli: &Cli, cfg: Option<&Config>) -> PathBuf {
    if let Some(dir) = &cli.index {
        return dir.clone();
    }
    match cfg {
        Some(cfg) => cfg.index_dir(),
        None => horizon::config::default_index_dir(&cli.config),
    }
}

fn open_index(dir: &Path) -> Result<HorizonIndex, Failure> {
    HorizonIndex::open(dir).map_err(Failure::fatal)
}

/// A future that resolves on SIGINT or SIGTERM. The handlers are installed
/// here, at once, so a signal that arrives while the config or the index is
/// being opened is not lost (and does not kill the process mid-way).
fn interrupt_signal() -> futures::future::BoxFuture<'static, ()> {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{signal, SignalKind};
        match (
            signal(SignalKind::interrupt()),
            signal(SignalKind::terminate()),
        ) {
            (Ok(mut int), Ok(mut term)) => Box::pin(async move {
                tokio::select! {
                    _ = int.recv() => {}
                    _ = term.recv() => {}
                }
            }),
            _ => Box::pin(async {
                let _ = tokio::signal::ctrl_c().await;
            }),
        }
    }
    #[cfg(not(unix))]
    {
        Box::pin(async {
            let _ = tokio::signal::ctrl_c().await;
        })
    }
}

fn parse_when(
    flag: &str,
    v: &Option<String>,
    now: Timestamp,
) -> Result<Option<Timestamp>, Failure> {
    match v {
        None => Ok(None),
        Some(s) => horizon::duration::parse_point_in_time(s, now)
            .map(Some)
            .map_err(|e| Failure::usage(anyhow::anyhow!("{flag}: {e}"))),
    }
}

/// Names given to `--source`/`--topic` must exist in the config, when there is one:
/// a misspelt name would otherwise look like an empty result.
fn check_names(
    cli: &Cli,
    cfg: Option<&Config>,
    sources: &[String],
    topics: &[String],
) -> Result<(), Failure> {
    let Some(cfg) = cfg else {
        return Ok(());
    };
    for s in sources {
        if !cfg.sources.iter().any(|c| &c.name == s) {
            let known: Vec<&str> = cfg.sources.iter().map(|c| c.name.as_str()).collect();
            return Err(Failure::usage(anyhow::anyhow!(
                "--source: no source named {s:?} in {}; sources are: {}",
                cli.config.display(),
                known.join(", ")
            )));
        }
    }
    for t in topics {
        if t != horizon::model::NO_TOPIC && cfg.topic(t).is_none() {
            let known: Vec<&str> = cfg.topics.iter().map(|c| c.name.as_str()).collect();
            return Err(Failure::usage(anyhow::anyhow!(
                "--topic: no topic named {t:?} in {}; topics are: {} (and `none` for documents with no topic)",
                cli.config.display(),
                known.join(", ")
            )));
        }
    }
    Ok(())
}

/// Colour only on a terminal, and never when `NO_COLOR` is set.
fn use_color(is_tty: bool) -> bool {
    is_tty && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
}

fn human_bytes(n: u64) -> String {
    const UNITS: [&str; 4] = ["B", "KiB", "MiB", "GiB"];
    let mut v = n as f64;
    let mut u = 0;
    while v >= 1024.0 && u + 1 < UNITS.len() {
        v /= 1024.0;
        u += 1;
    }
    if u == 0 {
        format!("{n} B")
    } else {
        format!("{v:.1} {}", UNITS[u])
    }
}

/// Like `terminal_safe`, but keeping line breaks.
fn terminal_safe_block(s: &str) -> String {
    s.split('\n')
        .map(terminal_safe)
        .collect::<Vec<_>>()
        .join("\n")
}
