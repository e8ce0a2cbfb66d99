//! The command line: argument definitions and the glue that turns them into
//! library calls and printed output.
//!
//! This is the only module that knows about clap. Each command converts its
//! arguments into plain request structs, calls the library, and prints; errors
//! carry the exit status they should produce (see [`crate::exit`]).

use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};

use anyhow::{Context, Result};
use clap::{Args, Parser, Subcommand, ValueEnum};
use jiff::Timestamp;

use crate::config::Config;
use crate::crawl::{crawl, CrawlError, CrawlOptions, CrawlReport, SourceReport};
use crate::index::HorizonIndex;
use crate::model::{Kind, Stage, Vendor};
use crate::search::{search, SearchError, SearchRequest, SortBy};
use crate::state::CrawlState;
use crate::text::terminal_safe;
use crate::{exit, DEFAULT_CONFIG_PATH, DEFAULT_INDEX_DIR, DEFAULT_SEARCH_LIMIT};

/// horizon: what research, open source and the clouds are doing in the areas your team owns.
#[derive(Debug, Parser)]
#[command(name = "horizon", version, about, long_about = None, after_help = "\
Examples:
  horizon crawl                         crawl every source in ./sources.toml
  horizon search 'kafka tiered storage' --since 30d
  horizon search 'stage:ga' --kind cloud --vendor aws --sort date
  horizon flags
  horizon report --format html --out report.html")]
pub struct Cli {
    /// Configuration file.
    #[arg(long, global = true, help_heading = "Global options", env = "HORIZON_CONFIG", default_value = DEFAULT_CONFIG_PATH, value_name = "PATH")]
    pub config: PathBuf,
    /// Index folder [default: [settings] index in the config, else ./index].
    #[arg(
        long,
        global = true,
        help_heading = "Global options",
        env = "HORIZON_INDEX",
        value_name = "DIR"
    )]
    pub index: Option<PathBuf>,
    /// More detail on stderr (-v requests, -vv everything). HORIZON_LOG overrides.
    #[arg(short, long, global = true, help_heading = "Global options", action = clap::ArgAction::Count, conflicts_with = "quiet")]
    pub verbose: u8,
    /// Print nothing when all went well (for cron).
    #[arg(short, long, global = true, help_heading = "Global options")]
    pub quiet: bool,
    /// The command.
    #[command(subcommand)]
    pub command: Command,
}

/// Commands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Fetch every source (or the named ones) and update the index.
    #[command(
        after_help = "Examples:\n  horizon crawl\n  horizon crawl --source aws-whats-new --source arxiv-topics\n  horizon crawl --quiet   # for cron: silent unless something failed"
    )]
    Crawl(CrawlArgs),
    /// Search the index.
    #[command(
        after_help = "Examples:\n  horizon search 'kafka AND \"tiered storage\"'\n  horizon search flink --kind paper --since 4w --sort date\n  horizon search 'stage:ga' --kind cloud --vendor gcp --json"
    )]
    Search(SearchArgs),
    /// Documents per kind, source and topic; index size; last crawl.
    #[command(after_help = "Example:\n  horizon stats --json")]
    Stats(JsonArg),
    /// Cloud-absorption flags: where vendors launch managed offerings of what you run.
    #[command(
        after_help = "Examples:\n  horizon flags\n  horizon flags --as-of 2026-11-01 --window 180d --json"
    )]
    Flags(FlagsArgs),
    /// The weekly "what's new" report, flags first.
    #[command(
        after_help = "Examples:\n  horizon report                          # last complete ISO week, Markdown on stdout\n  horizon report --week 2026-W47 --format html --out report.html\n  horizon report --since 2026-10-01 --until 2026-11-01 --format json\n  horizon report --deliver --quiet        # save, then post to [report.deliver] (Monday cron)"
    )]
    Report(ReportArgs),
    /// Every configured source with its health; import or export OPML.
    #[command(
        after_help = "Examples:\n  horizon sources --json\n  horizon sources import feeds.opml\n  horizon sources export > horizon.opml"
    )]
    Sources(SourcesArgs),
    /// Rebuild the index with this version's schema, re-tagging and re-classifying every stored document.
    #[command(
        after_help = "Run it when horizon says the index was built with another schema version, or after\nchanging topics or [[offerings]] so that stored documents follow the new rules.\nThe old files are kept in the index folder as tantivy.v<N>-backup.\n\nExample:\n  horizon reindex"
    )]
    Reindex,
    /// Write documents for Elasticsearch/OpenSearch (_bulk), Quickwit or as NDJSON.
    #[command(
        after_help = "Examples:\n  horizon export --format elasticsearch --out bulk.ndjson\n  horizon export --format quickwit --since 30d | curl -XPOST http://quickwit:7280/api/v1/horizon/ingest --data-binary @-"
    )]
    Export(ExportArgs),
    /// Try horizon offline: write a recording of every source kind into DIR, crawl it, print what to try next.
    #[command(
        after_help = "Examples:\n  horizon demo                 # writes ./horizon-demo (sources.toml, recording/, index/)\n  horizon demo /tmp/try-horizon"
    )]
    Demo(DemoArgs),
    /// Print a shell completion script.
    #[command(
        after_help = "Examples:\n  horizon completions bash > ~/.local/share/bash-completion/completions/horizon\n  horizon completions zsh > ~/.zfunc/_horizon\n  horizon completions fish > ~/.config/fish/completions/horizon.fish"
    )]
    Completions {
        /// The shell.
        shell: clap_complete::Shell,
    },
    /// Print the man page (roff), or write one page per command into a folder.
    #[command(
        after_help = "Examples:\n  horizon man > horizon.1 && man ./horizon.1\n  horizon man --dir ~/.local/share/man/man1   # horizon.1, horizon-crawl.1, horizon-search.1, ..."
    )]
    Man {
        /// Write horizon.1 and a page for every subcommand (horizon-crawl.1, ...) into DIR.
        #[arg(long, value_name = "DIR", value_hint = clap::ValueHint::DirPath)]
        dir: Option<PathBuf>,
    },
}

/// `horizon demo`.
#[derive(Debug, Args)]
pub struct DemoArgs {
    /// Folder to write (new, empty, or an earlier demo's).
    #[arg(default_value = crate::demo::DEFAULT_DEMO_DIR, value_name = "DIR")]
    pub dir: PathBuf,
}

/// `horizon flags`.
#[derive(Debug, Args)]
pub struct FlagsArgs {
    /// Compute the flags as of this date (default: now).
    #[arg(long, value_name = "DATE")]
    pub as_of: Option<String>,
    /// How far back to look [default: `[absorption] window`, 90d].
    #[arg(long, value_name = "DURATION")]
    pub window: Option<String>,
    /// Every flag, with its evidence, as JSON on stdout.
    #[arg(long)]
    pub json: bool,
}

/// Report format flag.
#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum ReportFormat {
    /// For chat, email and GitHub.
    Markdown,
    /// One self-contained, printable file.
    Html,
    /// Everything, for machines.
    Json,
}

/// `horizon report`.
#[derive(Debug, Args)]
pub struct ReportArgs {
    /// An ISO week such as 2026-W47 [default: the last complete week].
    #[arg(long, value_name = "YYYY-Www", conflicts_with_all = ["since", "until"])]
    pub week: Option<String>,
    /// Start of a custom period (a date or a duration back from now).
    #[arg(long, value_name = "WHEN", requires = "until")]
    pub since: Option<String>,
    /// End of a custom period (exclusive).
    #[arg(long, value_name = "WHEN", requires = "since")]
    pub until: Option<String>,
    /// Output format.
    #[arg(long, value_enum, default_value = "markdown")]
    pub format: ReportFormat,
    /// Write here instead of stdout.
    #[arg(long, value_name = "FILE")]
    pub out: Option<PathBuf>,
    /// Save the report (to --out, else to <index>/reports/<period>.md and .html), then post
    /// it to the [report.deliver] webhooks and mail it; exit status 1 if a destination failed.
    #[arg(long)]
    pub deliver: bool,
}

/// `horizon sources`.
#[derive(Debug, Args)]
pub struct SourcesArgs {
    /// Print JSON on stdout.
    #[arg(long)]
    pub json: bool,
    /// Import or export instead of listing.
    #[command(subcommand)]
    pub action: Option<SourcesAction>,
}

/// `horizon sources import|export`.
#[derive(Debug, Subcommand)]
pub enum SourcesAction {
    /// Add the feeds of an OPML file to the config (comments and order kept).
    #[command(after_help = "Example:\n  horizon sources import subscriptions.opml --dry-run")]
    Import {
        /// The OPML file.
        file: PathBuf,
        /// Kind of the new sources.
        #[arg(long, value_enum, default_value = "feed")]
        kind: ImportKind,
        /// Show what would be added without changing the config.
        #[arg(long)]
        dry_run: bool,
    },
    /// Write every source with a URL as OPML.
    #[command(after_help = "Example:\n  horizon sources export --out horizon.opml")]
    Export {
        /// Write here instead of stdout.
        #[arg(long, value_name = "FILE")]
        out: Option<PathBuf>,
    },
}

/// Kind given to imported sources.
#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum ImportKind {
    /// RSS, Atom or JSON Feed.
    Feed,
}

/// Export format flag.
#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum ExportFormatArg {
    /// One horizon document per line.
    Ndjson,
    /// Quickwit ingest NDJSON (see docs/export/quickwit-index.yaml).
    Quickwit,
    /// Elasticsearch/OpenSearch _bulk body (see docs/export/elasticsearch-mapping.json).
    Elasticsearch,
}

/// `horizon export`.
#[derive(Debug, Args)]
pub struct ExportArgs {
    /// Output format.
    #[arg(long, value_enum, default_value = "ndjson")]
    pub format: ExportFormatArg,
    /// Only documents filed on or after (a date or a duration such as 30d).
    #[arg(long, value_name = "WHEN")]
    pub since: Option<String>,
    /// Only documents filed before.
    #[arg(long, value_name = "WHEN")]
    pub until: Option<String>,
    /// Only this kind (repeatable).
    #[arg(long, value_name = "KIND")]
    pub kind: Vec<Kind>,
    /// The Elasticsearch index named in the bulk actions.
    #[arg(long, default_value = "horizon", value_name = "NAME")]
    pub index_name: String,
    /// Write here instead of stdout.
    #[arg(long, value_name = "FILE")]
    pub out: Option<PathBuf>,
}

/// `--json`.
#[derive(Debug, Args)]
pub struct JsonArg {
    /// Print JSON on stdout.
    #[arg(long)]
    pub json: bool,
}

/// `horizon crawl`.
#[derive(Debug, Args)]
pub struct CrawlArgs {
    /// Crawl only this source (repeatable).
    #[arg(long = "source", value_name = "NAME", value_hint = clap::ValueHint::Other)]
    pub sources: Vec<String>,
    /// Print the summary as one JSON object on stdout.
    #[arg(long)]
    pub json: bool,
    /// Save every response (status, headers, body) into DIR for later replay.
    #[arg(long, value_name = "DIR", conflicts_with = "replay")]
    pub record: Option<PathBuf>,
    /// Crawl from a recording made with --record, served on 127.0.0.1 (no network needed).
    #[arg(long, value_name = "DIR")]
    pub replay: Option<PathBuf>,
}

/// Sort order flag.
#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum SortArg {
    /// Best match first.
    Relevance,
    /// Newest first.
    Date,
}

/// `horizon search`.
#[derive(Debug, Args)]
pub struct SearchArgs {
    /// Query in tantivy syntax: words, "phrases", AND/OR/-, field:value (title, summary, author, category, topic, kind, source, vendor, stage, relation, system, offering, product, language, id, date, published, stars). Empty or left out: every document the filters keep. A query that starts with `-` goes after `--`: horizon search -- '-preview stage:ga'.
    #[arg(default_value = "", hide_default_value = true)]
    pub query: String,
    /// Only this kind: paper, article, repo, cloud (repeatable).
    #[arg(long, value_name = "KIND")]
    pub kind: Vec<Kind>,
    /// Only this topic (repeatable); `none` for documents tagged with no topic.
    #[arg(long, value_name = "TOPIC", value_hint = clap::ValueHint::Other)]
    pub topic: Vec<String>,
    /// Only this source (repeatable).
    #[arg(long, value_name = "NAME", value_hint = clap::ValueHint::Other)]
    pub source: Vec<String>,
    /// Only this cloud vendor: aws, azure, gcp (repeatable).
    #[arg(long, value_name = "VENDOR")]
    pub vendor: Vec<Vendor>,
    /// Only this launch stage: new, preview, ga, region, update, price, deprecation (repeatable).
    #[arg(long, value_name = "STAGE")]
    pub stage: Vec<Stage>,
    /// Only repositories in this language (repeatable).
    #[arg(long, value_name = "LANG")]
    pub language: Vec<String>,
    /// Filed on or after: a date (2026-11-01) or a duration back from now (7d, 4w, 3mo, 1y; `m` alone is ambiguous: min or mo).
    #[arg(long, value_name = "WHEN")]
    pub since: Option<String>,
    /// Filed before: a date or a duration back from now.
    #[arg(long, value_name = "WHEN")]
    pub until: Option<String>,
    /// Order of hits.
    #[arg(long, value_enum, default_value = "relevance")]
    pub sort: SortArg,
    /// Hits to show.
    #[arg(long, short = 'n', default_value_t = DEFAULT_SEARCH_LIMIT)]
    pub limit: usize,
    /// One JSON object per hit per line on stdout.
    #[arg(long)]
    pub json: bool,
}

/// The model's closed vocabularies as clap values, so `--help`, errors and
/// shell completions list them (the library itself knows nothing of clap).
macro_rules! value_enum {
    ($ty:ty) => {
        impl ValueEnum for $ty {
            fn value_variants<'a>() -> &'a [Self] {
                &<$ty>::ALL
            }
            fn to_possible_value(&self) -> Option<clap::builder::PossibleValue> {
                Some(clap::builder::PossibleValue::new(self.as_str()))
            }
        }
    };
}
value_enum!(Kind);
value_enum!(Stage);
value_enum!(Vendor);

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
pub async fn run(cli: Cli) -> Result<u8, Failure> {
    let result = match &cli.command {
        Command::Crawl(args) => cmd_crawl(&cli, args).await,
        Command::Search(args) => cmd_search(&cli, args),
        Command::Stats(args) => cmd_stats(&cli, args.json),
        Command::Sources(args) => match &args.action {
            None => cmd_sources(&cli, args.json),
            Some(SourcesAction::Import {
                file,
                kind,
                dry_run,
            }) => cmd_sources_import(&cli, file, *kind, *dry_run),
            Some(SourcesAction::Export { out }) => cmd_sources_export(&cli, out.as_deref()),
        },
        Command::Export(args) => cmd_export(&cli, args),
        Command::Reindex => cmd_reindex(&cli),
        Command::Flags(args) => cmd_flags(&cli, args),
        Command::Report(args) => cmd_report(&cli, args).await,
        Command::Demo(args) => cmd_demo(&cli, args).await,
        Command::Completions { shell } => cmd_completions(*shell),
        Command::Man { dir } => cmd_man(dir.as_deref(), cli.quiet),
    };
    match result {
        Err(f) if is_broken_pipe(&f.error) => Ok(exit::OK),
        other => other,
    }
}

/// `horizon completions SHELL`.
fn cmd_completions(shell: clap_complete::Shell) -> Result<u8, Failure> {
    let mut cmd = <Cli as clap::CommandFactory>::command();
    let mut script = Vec::new();
    clap_complete::generate(shell, &mut cmd, "horizon", &mut script);
    std::io::stdout()
        .lock()
        .write_all(&script)
        .map_err(io_fail)?;
    Ok(exit::OK)
}

/// `horizon man`: the root page on stdout, or every page into `dir` (the
/// SUBCOMMANDS section names `horizon-crawl(1)`… — those are the pages `--dir` writes).
fn cmd_man(dir: Option<&Path>, quiet: bool) -> Result<u8, Failure> {
    let mut cmd = <Cli as clap::CommandFactory>::command().disable_help_subcommand(true);
    cmd.build();
    let Some(dir) = dir else {
        std::io::stdout()
            .lock()
            .write_all(&man_page(&cmd).map_err(io_fail)?)
            .map_err(io_fail)?;
        return Ok(exit::OK);
    };
    std::fs::create_dir_all(dir)
        .with_context(|| format!("cannot create {}", dir.display()))
        .map_err(Failure::fatal)?;
    let mut pages = vec![cmd.clone()];
    let mut i = 0;
    while i < pages.len() {
        let subs: Vec<clap::Command> = pages[i].get_subcommands().cloned().collect();
        pages.extend(subs);
        i += 1;
    }
    for page in &pages {
        let name = page.get_display_name().unwrap_or(page.get_name());
        let path = dir.join(format!("{name}.1"));
        crate::state::write_atomic(&path, &man_page(page).map_err(io_fail)?)
            .with_context(|| format!("cannot write {}", path.display()))
            .map_err(Failure::fatal)?;
    }
    if !quiet {
        eprintln!("wrote {} man pages into {}", pages.len(), dir.display());
    }
    Ok(exit::OK)
}

/// One man page: clap_mangen's sections, with the examples in no-fill mode
/// (`.nf`) so they keep their lines instead of being justified into prose.
fn man_page(cmd: &clap::Command) -> std::io::Result<Vec<u8>> {
    let man = clap_mangen::Man::new(cmd.clone());
    let mut out = Vec::new();
    man.render_title(&mut out)?;
    man.render_name_section(&mut out)?;
    man.render_synopsis_section(&mut out)?;
    man.render_description_section(&mut out)?;
    if cmd.get_arguments().any(|a| !a.is_hide_set()) {
        man.render_options_section(&mut out)?;
    }
    if cmd.has_subcommands() {
        man.render_subcommands_section(&mut out)?;
    }
    if let Some(after) = cmd.get_after_help() {
        out.extend_from_slice(b".SH EXAMPLES\n.nf\n");
        for line in after.to_string().lines() {
            if line.trim_end().ends_with(':') && !line.starts_with(' ') {
                continue; // the "Examples:" heading is the section title
            }
            let escaped = line.replace('\\', "\\e");
            let escaped = if escaped.starts_with(['.', '\'']) {
                format!("\\&{escaped}")
            } else {
                escaped
            };
            out.extend_from_slice(escaped.as_bytes());
            out.push(b'\n');
        }
        out.extend_from_slice(b".fi\n");
    }
    if cmd.get_version().is_some() {
        man.render_version_section(&mut out)?;
    }
    Ok(out)
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

fn load_config(cli: &Cli) -> Result<Config, Failure> {
    Config::load(&cli.config).map_err(Failure::usage)
}

/// Warn (stderr, unless `--quiet`) about topic aliases the offering catalog
/// makes risky: ordinary words, or another system's product.
fn warn_about_aliases(cli: &Cli, cfg: &Config) {
    if cli.quiet {
        return;
    }
    let Ok(catalog) = crate::absorb::Catalog::for_config(cfg) else {
        return;
    };
    for w in crate::absorb::catalog::check_config(cfg, &catalog) {
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

/// The index folder: `--index`, else the config's `[settings] index`, else `./index`.
fn index_dir(cli: &Cli, cfg: Option<&Config>) -> PathBuf {
    if let Some(dir) = &cli.index {
        return dir.clone();
    }
    cfg.and_then(Config::index_dir)
        .unwrap_or_else(|| PathBuf::from(DEFAULT_INDEX_DIR))
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

async fn cmd_crawl(cli: &Cli, args: &CrawlArgs) -> Result<u8, Failure> {
    let interrupt = interrupt_signal();
    let cfg = load_config(cli)?;
    warn_about_aliases(cli, &cfg);
    let dir = index_dir(cli, Some(&cfg));
    let mut opts = CrawlOptions {
        only: args.sources.clone(),
        interrupt: Some(interrupt),
        ..Default::default()
    };
    if let Some(rec) = &args.record {
        opts.hook = Some(crate::replay::recorder(rec.clone()));
        opts.ignore_validators = true;
    }
    let _server = match &args.replay {
        Some(dir) => {
            let server = crate::replay::ReplayServer::start(dir)
                .await
                .map_err(|e| Failure::usage(anyhow::Error::new(e).context("cannot replay")))?;
            tracing::info!(base = %server.base, entries = server.entries, "replaying");
            opts.rewrite = Some(server.rewrite());
            Some(server)
        }
        None => None,
    };
    let total = if args.sources.is_empty() {
        cfg.sources.iter().filter(|s| s.enabled).count()
    } else {
        args.sources.len()
    };
    let progress = progress_bar(cli.quiet || args.json, total);
    if let Some(bar) = &progress {
        let bar = bar.clone();
        let totals = std::sync::Mutex::new((0usize, 0u64));
        opts.on_source_done = Some(Box::new(move |r: &SourceReport| {
            if let Ok(mut t) = totals.lock() {
                t.0 += r.items;
                t.1 += r.bytes;
                bar.set_message(format!("{} items, {} — {}", t.0, human_bytes(t.1), r.name));
            }
            bar.inc(1);
        }));
    }
    let result = crawl(&cfg, &dir, opts).await;
    if let Some(bar) = progress {
        bar.finish_and_clear();
    }
    let report = result.map_err(|e: CrawlError| Failure {
        code: e.exit_code(),
        error: anyhow::Error::new(e).context("crawl failed"),
    })?;
    let code = report.exit_code();
    if args.json {
        let mut out = std::io::stdout().lock();
        serde_json::to_writer(&mut out, &report)
            .map_err(|e| Failure::fatal(anyhow::Error::new(e)))?;
        writeln!(out).map_err(io_fail)?;
    } else if !(cli.quiet && code == exit::OK) {
        print_crawl_summary(&report, cli.quiet, &dir).map_err(io_fail)?;
    }
    Ok(code)
}

/// `horizon demo`: write the generated recording, crawl it through the replay
/// server (the normal HTTP path), print the next commands.
async fn cmd_demo(cli: &Cli, args: &DemoArgs) -> Result<u8, Failure> {
    let files = crate::demo::write(&args.dir, Timestamp::now()).map_err(|e| match e {
        crate::demo::DemoError::NotEmpty(_) => Failure::usage(e),
        other => Failure::fatal(other),
    })?;
    let cfg = Config::load(&files.config).map_err(Failure::fatal)?;
    let server = crate::replay::ReplayServer::start(&files.recording)
        .await
        .map_err(|e| Failure::fatal(anyhow::Error::new(e).context("cannot replay the demo")))?;
    let opts = CrawlOptions {
        rewrite: Some(server.rewrite()),
        interrupt: Some(interrupt_signal()),
        ..Default::default()
    };
    let report = crawl(&cfg, &files.index, opts)
        .await
        .map_err(|e: CrawlError| Failure {
            code: e.exit_code(),
            error: anyhow::Error::new(e).context("demo crawl failed"),
        })?;
    drop(server);
    if !cli.quiet {
        print_crawl_summary(&report, false, &files.index).map_err(io_fail)?;
    }
    let config = files.config.display();
    let mut out = std::io::stdout().lock();
    writeln!(
        out,
        "demo: {} sources of every kind crawled from {} (generated, no network used). Try next:",
        files.sources,
        files.recording.display()
    )
    .map_err(io_fail)?;
    for next in demo_next_commands(&files) {
        writeln!(out, "  {next}").map_err(io_fail)?;
    }
    writeln!(
        out,
        "(`--config {config}` finds its index beside it; crawl it again with `horizon --config {config} crawl --replay {}`)",
        files.recording.display()
    )
    .map_err(io_fail)?;
    Ok(report.exit_code())
}

/// The three commands `horizon demo` suggests; the demo test runs them.
pub fn demo_next_commands(files: &crate::demo::DemoFiles) -> [String; 3] {
    let h = format!("horizon --config {}", shell_word(&files.config));
    [
        format!("{h} search kafka --kind cloud"),
        format!("{h} flags"),
        format!(
            "{h} report --format html --out {}",
            shell_word(&files.dir.join("report.html"))
        ),
    ]
}

/// A path as one shell word (quoted when it holds anything unusual).
fn shell_word(p: &Path) -> String {
    let s = p.display().to_string();
    if s.chars()
        .all(|c| c.is_ascii_alphanumeric() || "/._-+:@".contains(c))
    {
        s
    } else {
        format!("'{}'", s.replace('\'', "'\\''"))
    }
}

/// A progress bar on stderr, only on a terminal and not when quiet or printing JSON.
fn progress_bar(quiet: bool, sources: usize) -> Option<indicatif::ProgressBar> {
    if quiet || !std::io::stderr().is_terminal() {
        return None;
    }
    let bar = indicatif::ProgressBar::new(sources as u64);
    let style =
        indicatif::ProgressStyle::with_template("{spinner} [{bar:30}] {pos}/{len} sources  {msg}")
            .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar())
            .progress_chars("=> ");
    bar.set_style(style);
    bar.enable_steady_tick(std::time::Duration::from_millis(120));
    Some(bar)
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

fn source_line(r: &SourceReport, width: usize) -> String {
    let status = if r.error.is_some() {
        "FAIL"
    } else if r.skipped.is_some() {
        "skip"
    } else if !r.warnings.is_empty() {
        "warn"
    } else {
        "ok"
    };
    let mut line = format!("  {status:<4}  {:<width$}  {:<15}", r.name, r.kind);
    if let Some(e) = &r.error {
        line.push_str(&format!("  {}", terminal_safe(e)));
    } else if let Some(s) = &r.skipped {
        line.push_str(&format!("  {s}"));
    } else {
        line.push_str(&format!(
            "  {} req, {} not modified, {}, {} items ({} new, {} updated, {} unchanged), {:.1}s",
            r.requests,
            r.not_modified,
            human_bytes(r.bytes),
            r.items,
            r.new,
            r.updated,
            r.unchanged,
            r.elapsed_ms as f64 / 1000.0
        ));
    }
    for w in &r.warnings {
        line.push_str(&format!("\n        ! {}", terminal_safe(w)));
    }
    line
}

fn print_crawl_summary(
    report: &CrawlReport,
    only_problems: bool,
    dir: &Path,
) -> std::io::Result<()> {
    let mut err = std::io::stderr().lock();
    let width = report
        .sources
        .iter()
        .map(|s| s.name.len())
        .max()
        .unwrap_or(4)
        .min(40);
    for r in &report.sources {
        if only_problems && r.error.is_none() && r.warnings.is_empty() {
            continue;
        }
        writeln!(err, "{}", source_line(r, width))?;
    }
    let new: usize = report.sources.iter().map(|s| s.new).sum();
    let updated: usize = report.sources.iter().map(|s| s.updated).sum();
    let secs = (report.finished.as_millisecond() - report.started.as_millisecond()) as f64 / 1000.0;
    writeln!(
        err,
        "crawl {}: {} sources, {} failed; {} new, {} updated; {} documents in {} ({:.1}s)",
        report.status,
        report.sources.len(),
        report.failed(),
        new,
        updated,
        report.documents,
        dir.display(),
        secs
    )?;
    if let Some(cause) = &report.cause {
        writeln!(err, "  likely cause: {cause}")?;
    }
    Ok(())
}

fn parse_when(
    flag: &str,
    v: &Option<String>,
    now: Timestamp,
) -> Result<Option<Timestamp>, Failure> {
    match v {
        None => Ok(None),
        Some(s) => crate::duration::parse_point_in_time(s, now)
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
        if t != crate::model::NO_TOPIC && cfg.topic(t).is_none() {
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

/// Each topic system with its other names — the offering catalog's names of
/// the system and the topic's aliases — for [`crate::search::expand_synonyms`].
fn system_names(cfg: &Config) -> Vec<Vec<String>> {
    let catalog = crate::absorb::Catalog::for_config(cfg).ok();
    let mut groups = Vec::new();
    for t in &cfg.topics {
        for system in &t.systems {
            let mut names = vec![system.clone()];
            if let Some(sys) = catalog.as_ref().and_then(|c| c.system(system)) {
                names.push(sys.name.clone());
                names.extend(sys.names.iter().cloned());
            }
            names.extend(t.aliases.get(system).cloned().unwrap_or_default());
            names.dedup();
            groups.push(names);
        }
    }
    groups
}

fn cmd_search(cli: &Cli, args: &SearchArgs) -> Result<u8, Failure> {
    let cfg = optional_config(cli)?;
    let dir = index_dir(cli, cfg.as_ref());
    check_names(cli, cfg.as_ref(), &args.source, &args.topic)?;
    let now = Timestamp::now();
    let req = SearchRequest {
        query: args.query.clone(),
        kinds: args.kind.clone(),
        topics: args.topic.clone(),
        sources: args.source.clone(),
        vendors: args.vendor.clone(),
        stages: args.stage.clone(),
        languages: args.language.clone(),
        since: parse_when("--since", &args.since, now)?,
        until: parse_when("--until", &args.until, now)?,
        sort: match args.sort {
            SortArg::Relevance => SortBy::Relevance,
            SortArg::Date => SortBy::Date,
        },
        limit: args.limit,
        synonyms: cfg.as_ref().map(system_names).unwrap_or_default(),
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
    // Check the query before touching the index, so a typo is reported as such.
    let probe = tantivy::Index::create_in_ram(crate::index::build_schema().0);
    if let Err(e) = crate::search::parse_query(&probe, &req.query) {
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
    let hits = search(&idx, &req).map_err(|e| match e {
        SearchError::Query(q) => Failure::usage(anyhow::anyhow!("invalid query: {q}")),
        other => Failure::fatal(other),
    })?;
    let mut out = std::io::stdout().lock();
    if args.json {
        for h in &hits {
            let i = &h.item;
            let v = serde_json::json!({
                "id": i.id,
                "kind": i.kind,
                "source": i.source,
                "title": i.title,
                "url": i.url,
                "published": i.published,
                "date": i.date(),
                "topics": i.topics,
                "vendor": i.vendor,
                "stage": i.stage,
                "products": i.products,
                "authors": i.authors,
                "language": i.language,
                "stars": i.stars,
                "stars_period": i.stars_period,
                "score": h.score,
                "snippet": h.snippet,
            });
            writeln!(out, "{v}").map_err(io_fail)?;
        }
        return Ok(exit::OK);
    }
    let color = use_color(std::io::stdout().is_terminal());
    if hits.is_empty() {
        if !cli.quiet {
            eprintln!("no matches among {total} documents");
        }
        return Ok(exit::OK);
    }
    for (n, h) in hits.iter().enumerate() {
        let i = &h.item;
        let title = terminal_safe(&i.title);
        let date = i
            .date()
            .map(|d| d.strftime("%Y-%m-%d").to_string())
            .unwrap_or_else(|| "undated".into());
        let mut meta = vec![i.kind.to_string(), terminal_safe(&i.source), date];
        if let Some(v) = i.vendor {
            meta.push(v.to_string());
        }
        if let Some(s) = i.stage {
            meta.push(s.to_string());
        }
        if let Some(s) = i.stars_period {
            meta.push(format!("+{s}★"));
        }
        if !i.topics.is_empty() {
            meta.push(format!("topics: {}", i.topics.join(", ")));
        }
        if color {
            writeln!(out, "\x1b[1m{}. {}\x1b[0m", n + 1, title).map_err(io_fail)?;
            writeln!(out, "   \x1b[2m{}\x1b[0m", meta.join(" · ")).map_err(io_fail)?;
            writeln!(out, "   \x1b[4m{}\x1b[0m", terminal_safe(&i.url)).map_err(io_fail)?;
        } else {
            writeln!(out, "{}. {}", n + 1, title).map_err(io_fail)?;
            writeln!(out, "   {}", meta.join(" · ")).map_err(io_fail)?;
            writeln!(out, "   {}", terminal_safe(&i.url)).map_err(io_fail)?;
        }
        if !h.snippet.is_empty() {
            writeln!(out, "   {}", highlight(&h.snippet, &h.highlights, color)).map_err(io_fail)?;
        }
        writeln!(out).map_err(io_fail)?;
    }
    Ok(exit::OK)
}

/// Colour only on a terminal, and never when `NO_COLOR` is set.
fn use_color(is_tty: bool) -> bool {
    is_tty && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
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

fn cmd_stats(cli: &Cli, json: bool) -> Result<u8, Failure> {
    let dir = index_dir(cli, optional_config(cli)?.as_ref());
    let idx = open_index(&dir)?;
    let searcher = idx.searcher().map_err(Failure::fatal)?;
    let all = tantivy::query::AllQuery;
    let total = idx.count(&searcher).map_err(Failure::fatal)?;
    let by = |f: &str| idx.counts_by(&searcher, &all, f).map_err(Failure::fatal);
    let kinds = by("kind")?;
    let sources = by("source")?;
    let topics = by("topic")?;
    let vendors = by("vendor")?;
    let stages = by("stage")?;
    let languages = by("language")?;
    let state = CrawlState::load(&dir).map_err(Failure::fatal)?;
    let size = idx.size_on_disk();
    if json {
        let v = serde_json::json!({
            "index": dir,
            "documents": total,
            "size_bytes": size,
            "last_crawl": state.last_crawl,
            "by_kind": kinds,
            "by_source": sources,
            "by_topic": topics,
            "by_vendor": vendors,
            "by_stage": stages,
            "by_language": languages,
        });
        writeln!(std::io::stdout().lock(), "{v}").map_err(io_fail)?;
        return Ok(exit::OK);
    }
    let mut out = std::io::stdout().lock();
    writeln!(out, "index       {}", dir.display()).map_err(io_fail)?;
    writeln!(out, "documents   {total}").map_err(io_fail)?;
    writeln!(out, "size        {}", human_bytes(size)).map_err(io_fail)?;
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
        ("kind", &kinds),
        ("source", &sources),
        ("topic", &topics),
        ("vendor", &vendors),
        ("stage", &stages),
        ("language", &languages),
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

fn cmd_sources(cli: &Cli, json: bool) -> Result<u8, Failure> {
    let cfg = load_config(cli)?;
    let dir = index_dir(cli, Some(&cfg));
    let state = CrawlState::load(&dir)
        .context("reading crawl state")
        .map_err(Failure::fatal)?;
    let fail_after = cfg.settings.failing_after;
    let rows: Vec<serde_json::Value> = cfg
        .sources
        .iter()
        .map(|s| {
            let h = state.sources.get(&s.name).cloned().unwrap_or_default();
            serde_json::json!({
                "name": s.name,
                "kind": s.kind.as_str(),
                "enabled": s.enabled,
                "urls": crate::crawl::source_urls(s).iter().map(|u| u.to_string()).collect::<Vec<_>>(),
                "status": if s.enabled { h.status(fail_after) } else { "disabled" },
                "health": h,
            })
        })
        .collect();
    let mut out = std::io::stdout().lock();
    if json {
        writeln!(out, "{}", serde_json::Value::Array(rows)).map_err(io_fail)?;
        return Ok(exit::OK);
    }
    let width = cfg.sources.iter().map(|s| s.name.len()).max().unwrap_or(4);
    writeln!(
        out,
        "{:<9} {:<width$}  {:<15}  {:<17}  detail",
        "status", "source", "kind", "last success"
    )
    .map_err(io_fail)?;
    for (s, row) in cfg.sources.iter().zip(&rows) {
        let h = state.sources.get(&s.name).cloned().unwrap_or_default();
        let status = row["status"].as_str().unwrap_or("?");
        let last = h
            .last_success
            .map(|t| t.strftime("%Y-%m-%d %H:%M").to_string())
            .unwrap_or_else(|| "never".into());
        let detail = match status {
            "failing" | "error" => format!(
                "{} failure(s) in a row: {}",
                h.consecutive_failures,
                crate::text::short_error(h.last_error.as_deref().unwrap_or(""))
            ),
            "changed?" => format!(
                "no items last run after up to {} (layout changed?)",
                h.max_item_count
            ),
            "silent" => format!("nothing new for {} runs", h.consecutive_nothing_new),
            _ => h
                .last_item_count
                .map(|n| format!("{n} items last run"))
                .unwrap_or_default(),
        };
        let status = if status == "failing" {
            "FAILING"
        } else {
            status
        };
        writeln!(
            out,
            "{status:<9} {:<width$}  {:<15}  {last:<17}  {detail}",
            s.name,
            s.kind.as_str()
        )
        .map_err(io_fail)?;
    }
    Ok(exit::OK)
}

fn cmd_sources_import(
    cli: &Cli,
    file: &Path,
    kind: ImportKind,
    dry_run: bool,
) -> Result<u8, Failure> {
    let opml_text = std::fs::read_to_string(file)
        .with_context(|| format!("cannot read {}", file.display()))
        .map_err(Failure::usage)?;
    let feeds = crate::opml::parse(file, &opml_text).map_err(Failure::usage)?;
    let config_text = match std::fs::read_to_string(&cli.config) {
        Ok(t) => t,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => String::new(),
        Err(e) => {
            return Err(Failure::usage(
                anyhow::Error::new(e).context(format!("cannot read {}", cli.config.display())),
            ))
        }
    };
    let kind = match kind {
        ImportKind::Feed => "feed",
    };
    let (text, summary) =
        crate::opml::import(&cli.config, &config_text, &feeds, kind).map_err(Failure::usage)?;
    // The result must still be a valid config before it replaces the file.
    Config::parse(&cli.config, &text).map_err(|e| {
        Failure::usage(
            anyhow::Error::new(e)
                .context("the imported config would not be valid; nothing was changed"),
        )
    })?;
    if !dry_run && !summary.added.is_empty() {
        crate::state::write_atomic(&cli.config, text.as_bytes())
            .with_context(|| format!("cannot write {}", cli.config.display()))
            .map_err(Failure::fatal)?;
    }
    // The plan of a --dry-run is the command's output: stdout, even with
    // --quiet. A real import reports on stderr.
    let mut plan: Vec<String> = Vec::new();
    let verb = if dry_run { "would add" } else { "added" };
    for (name, url) in &summary.added {
        plan.push(format!("  {verb} {name}  {url}"));
    }
    for (title, why) in &summary.skipped {
        plan.push(format!("  skipped {}: {why}", terminal_safe(title)));
    }
    for folder in &summary.folders {
        plan.push(format!(
            "  note: feeds of the OPML folder {:?} are added as plain sources (horizon has no folders; a comment names it)",
            terminal_safe(folder)
        ));
    }
    plan.push(format!(
        "{} {} source(s) to {}, skipped {}",
        verb,
        summary.added.len(),
        cli.config.display(),
        summary.skipped.len()
    ));
    if dry_run {
        let mut out = std::io::stdout().lock();
        for line in &plan {
            writeln!(out, "{line}").map_err(io_fail)?;
        }
    } else if !cli.quiet {
        let mut err = std::io::stderr().lock();
        for line in &plan {
            let _ = writeln!(err, "{line}");
        }
    }
    Ok(exit::OK)
}

fn cmd_sources_export(cli: &Cli, out: Option<&Path>) -> Result<u8, Failure> {
    let cfg = load_config(cli)?;
    let text = crate::opml::export(&cfg);
    match out {
        Some(path) => crate::state::write_atomic(path, text.as_bytes())
            .with_context(|| format!("cannot write {}", path.display()))
            .map_err(Failure::fatal)?,
        None => std::io::stdout()
            .lock()
            .write_all(text.as_bytes())
            .map_err(io_fail)?,
    }
    Ok(exit::OK)
}

fn cmd_reindex(cli: &Cli) -> Result<u8, Failure> {
    let cfg = load_config(cli)?;
    let dir = index_dir(cli, Some(&cfg));
    let _lock = crate::state::CrawlLock::acquire(&dir).map_err(Failure::fatal)?;
    let catalog = crate::absorb::Catalog::for_config(&cfg).map_err(Failure::fatal)?;
    let tagger =
        crate::topics::Tagger::with_catalog(&cfg.topics, &catalog).map_err(Failure::usage)?;
    let classifier = crate::absorb::Classifier::new(catalog);
    let done = crate::index::migrate(&dir, |items| {
        classifier.classify_all(items);
        tagger.tag(items).map_err(|e| e.to_string())?;
        Ok(())
    })
    .map_err(Failure::fatal)?;
    if !cli.quiet {
        eprintln!(
            "reindexed {} documents in {}; the old files are in {} (delete them when satisfied)",
            done.documents,
            dir.display(),
            done.backup.display()
        );
    }
    Ok(exit::OK)
}

fn cmd_flags(cli: &Cli, args: &FlagsArgs) -> Result<u8, Failure> {
    let cfg = load_config(cli)?;
    warn_about_aliases(cli, &cfg);
    let dir = index_dir(cli, Some(&cfg));
    let now = Timestamp::now();
    let as_of = parse_when("--as-of", &args.as_of, now)?.unwrap_or(now);
    let window = match &args.window {
        Some(w) => crate::duration::parse_duration(w)
            .map_err(|e| Failure::usage(anyhow::anyhow!("--window: {e}")))?,
        None => cfg.absorption.window.0,
    };
    let idx = open_index(&dir)?;
    let flags = crate::absorb::compute_flags(&idx, &cfg, as_of, window).map_err(Failure::fatal)?;
    let mut out = std::io::stdout().lock();
    if args.json {
        serde_json::to_writer_pretty(&mut out, &flags)
            .map_err(|e| Failure::fatal(anyhow::Error::new(e)))?;
        writeln!(out).map_err(io_fail)?;
    } else {
        out.write_all(terminal_safe_block(&crate::absorb::render_text(&flags)).as_bytes())
            .map_err(io_fail)?;
    }
    Ok(exit::OK)
}

/// Like `terminal_safe`, but keeping line breaks.
fn terminal_safe_block(s: &str) -> String {
    s.split('\n')
        .map(terminal_safe)
        .collect::<Vec<_>>()
        .join("\n")
}

async fn cmd_report(cli: &Cli, args: &ReportArgs) -> Result<u8, Failure> {
    let cfg = load_config(cli)?;
    if args.deliver && cfg.deliver.is_empty() {
        return Err(Failure::usage(anyhow::anyhow!(
            "--deliver: {} has no destinations: add [[report.deliver.webhooks]] or [report.deliver.mail] (see the README, \"Delivering the report\")",
            cfg.path.display()
        )));
    }
    let dir = index_dir(cli, Some(&cfg));
    let now = Timestamp::now();
    let period = match (&args.week, &args.since, &args.until) {
        (Some(w), _, _) => crate::report::iso_week(w)
            .map_err(|e| Failure::usage(anyhow::anyhow!("--week: {e}")))?,
        (None, Some(_), Some(_)) => {
            let since = parse_when("--since", &args.since, now)?.unwrap_or(now);
            let until = parse_when("--until", &args.until, now)?.unwrap_or(now);
            crate::report::Period::between(since, until)
                .map_err(|e| Failure::usage(anyhow::anyhow!("{e}")))?
        }
        _ => crate::report::last_complete_week(now),
    };
    let idx = open_index(&dir)?;
    let state = CrawlState::load(&dir).map_err(Failure::fatal)?;
    let report =
        crate::report::build_report(&idx, &cfg, &state, period, now).map_err(Failure::fatal)?;
    if args.deliver {
        return deliver_report(cli, args, &cfg, &dir, &report).await;
    }
    let text = match args.format {
        ReportFormat::Markdown => crate::report::render_markdown(&report),
        ReportFormat::Html => crate::report::render_html(&report),
        ReportFormat::Json => crate::report::render_json(&report),
    };
    match &args.out {
        Some(path) => {
            crate::state::write_atomic(path, text.as_bytes())
                .with_context(|| format!("cannot write {}", path.display()))
                .map_err(Failure::fatal)?;
            if !cli.quiet {
                eprintln!("wrote {}", path.display());
            }
        }
        None => {
            let text = match args.format {
                ReportFormat::Markdown => terminal_safe_block(&text),
                _ => text,
            };
            std::io::stdout()
                .lock()
                .write_all(text.as_bytes())
                .map_err(io_fail)?;
        }
    }
    Ok(exit::OK)
}

/// `report --deliver`: save the report first (`--out`, else both renderings in
/// `<index>/reports/`), then send it to every destination, one line each on
/// stderr; exit status 1 when any failed, the report being saved either way.
async fn deliver_report(
    cli: &Cli,
    args: &ReportArgs,
    cfg: &Config,
    dir: &Path,
    report: &crate::report::Report,
) -> Result<u8, Failure> {
    let markdown = crate::report::render_markdown(report);
    let html = crate::report::render_html(report);
    let saved = match &args.out {
        Some(path) => {
            let text = match args.format {
                ReportFormat::Markdown => markdown.clone(),
                ReportFormat::Html => html.clone(),
                ReportFormat::Json => crate::report::render_json(report),
            };
            vec![(path.clone(), text)]
        }
        None => {
            let reports = dir.join(crate::DEFAULT_REPORTS_DIR);
            std::fs::create_dir_all(&reports)
                .with_context(|| format!("cannot create {}", reports.display()))
                .map_err(Failure::fatal)?;
            let stem = file_stem(&report.period.label);
            vec![
                (reports.join(format!("{stem}.md")), markdown.clone()),
                (reports.join(format!("{stem}.html")), html.clone()),
            ]
        }
    };
    for (path, text) in &saved {
        crate::state::write_atomic(path, text.as_bytes())
            .with_context(|| format!("cannot write {}", path.display()))
            .map_err(Failure::fatal)?;
        if !cli.quiet {
            eprintln!("wrote {}", path.display());
        }
    }
    let full_report = match &cfg.deliver.report_url {
        Some(u) => crate::deliver::FullReport::Url(
            u.replace(crate::config::PERIOD_PLACEHOLDER, &report.period.label),
        ),
        None => {
            let shown = saved.last().map(|(p, _)| p.as_path()).unwrap_or(dir);
            crate::deliver::FullReport::File(
                std::path::absolute(shown).unwrap_or_else(|_| shown.to_path_buf()),
            )
        }
    };
    let delivery = crate::deliver::Delivery {
        period: report.period.label.clone(),
        markdown,
        html,
        full_report,
    };
    let options = crate::deliver::DeliverOptions {
        user_agent: cfg.settings.user_agent.clone(),
        connect_timeout: cfg.settings.connect_timeout.0,
        timeout: cfg.settings.timeout.0,
    };
    let env = |var: &str| std::env::var(var).ok();
    let outcomes = crate::deliver::deliver_all(&cfg.deliver, &delivery, &options, &env).await;
    let failed = outcomes.iter().filter(|o| !o.is_ok()).count();
    for o in &outcomes {
        if !o.is_ok() {
            eprintln!("horizon: {}", terminal_safe(&o.to_string()));
        } else if !cli.quiet {
            eprintln!("{}", terminal_safe(&o.to_string()));
        }
    }
    if failed == 0 {
        return Ok(exit::OK);
    }
    let kept: Vec<String> = saved.iter().map(|(p, _)| p.display().to_string()).collect();
    eprintln!(
        "horizon: {failed} of {} deliveries failed; the report is saved in {}",
        outcomes.len(),
        kept.join(" and ")
    );
    Ok(exit::PARTIAL)
}

/// A period label as a file name: `2026-W48`, `2026-11-01_2026-11-30`.
fn file_stem(label: &str) -> String {
    let mut stem = String::new();
    for c in label.chars() {
        if c.is_ascii_alphanumeric() || c == '-' {
            stem.push(c);
        } else if !stem.ends_with('_') {
            stem.push('_');
        }
    }
    let stem = stem.trim_matches('_');
    if stem.is_empty() {
        "report".into()
    } else {
        stem.to_string()
    }
}

fn cmd_export(cli: &Cli, args: &ExportArgs) -> Result<u8, Failure> {
    let dir = index_dir(cli, optional_config(cli)?.as_ref());
    let now = Timestamp::now();
    let req = SearchRequest {
        kinds: args.kind.clone(),
        since: parse_when("--since", &args.since, now)?,
        until: parse_when("--until", &args.until, now)?,
        ..Default::default()
    };
    let idx = open_index(&dir)?;
    let filter = crate::search::filter_query(&idx, &req);
    let format = match args.format {
        ExportFormatArg::Ndjson => crate::export::ExportFormat::Ndjson,
        ExportFormatArg::Quickwit => crate::export::ExportFormat::Quickwit,
        ExportFormatArg::Elasticsearch => crate::export::ExportFormat::Elasticsearch,
    };
    let written = match &args.out {
        Some(path) => {
            let tmp = path.with_extension("partial");
            let file = std::fs::File::create(&tmp)
                .with_context(|| format!("cannot create {}", tmp.display()))
                .map_err(Failure::fatal)?;
            let mut w = std::io::BufWriter::new(file);
            let n =
                crate::export::export(&idx, filter.as_deref(), format, &args.index_name, &mut w)
                    .map_err(Failure::fatal)?;
            drop(w);
            std::fs::rename(&tmp, path)
                .with_context(|| format!("cannot write {}", path.display()))
                .map_err(Failure::fatal)?;
            n
        }
        None => {
            let stdout = std::io::stdout();
            let mut w = std::io::BufWriter::new(stdout.lock());
            crate::export::export(&idx, filter.as_deref(), format, &args.index_name, &mut w)
                .map_err(|e| match e {
                    crate::export::ExportError::Io(io) => Failure::fatal(io),
                    other => Failure::fatal(other),
                })?
        }
    };
    if !cli.quiet && args.out.is_some() {
        eprintln!("exported {written} documents");
    }
    Ok(exit::OK)
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

    #[test]
    fn period_labels_become_file_names() {
        assert_eq!(file_stem("2026-W48"), "2026-W48");
        assert_eq!(
            file_stem("2026-11-01 – 2026-11-30"),
            "2026-11-01_2026-11-30"
        );
        assert_eq!(file_stem("../.."), "report");
    }

    #[test]
    fn cli_definition_is_consistent() {
        use clap::CommandFactory;
        Cli::command().debug_assert();
    }
}
