//! The command line's definition: every command, its arguments and its help.

use std::path::PathBuf;
use std::str::FromStr;

use clap::builder::{PossibleValuesParser, TypedValueParser};
use clap::{Args, Parser, Subcommand, ValueEnum};
use horizon::model::{Kind, Stage, Vendor};
use horizon::{DEFAULT_CONFIG_PATH, DEFAULT_SEARCH_LIMIT};

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
    /// Index folder, relative to the current folder [default: [settings] index, relative to the config file, else index/ beside the config file].
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
        after_help = "Examples:\n  horizon flags\n  horizon flags --as-of 2026-11-01 --window 180d --json\n  horizon flags --system kafka            # when each vendor reached each stage\n  horizon flags --as-of 2019-01-01 --system kafka\n  horizon flags --lag                     # how long the second cloud took to follow the first"
    )]
    Flags(FlagsArgs),
    /// The flags as a technology radar for Backstage, Zalando's tech-radar or Build-Your-Own-Radar.
    #[command(
        after_help = "Rings from the levels (Absorbed — buy managed, Absorbing — plan, Watch, Self-run),\nquadrants from the topics ([[radar.quadrants]] in sources.toml, at most four), each\nentry's offerings and links, its movement over --since, and (backstage) the ring after\neach dated milestone of its offerings.\n\nExamples:\n  horizon radar --format backstage --out tech-radar.json\n  horizon radar --format zalando --since 180d --out config.json\n  horizon radar --format byor --out radar.csv"
    )]
    Radar(RadarArgs),
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
        after_help = "Run it when horizon says the index was built with another schema version, or after\nchanging topics or [[offerings]] so that stored documents follow the new rules.\nThe old files are kept in the index folder as tantivy.v<N>-backup.\n\nA source renamed in sources.toml makes new ids for its feed entries; --rename moves its\nearlier documents (and their marks) to the new name, folding those indexed twice.\n\nExamples:\n  horizon reindex\n  horizon reindex --rename \"Kafka blog=Confluent blog\""
    )]
    Reindex(ReindexArgs),
    /// Write documents for Elasticsearch/OpenSearch (_bulk), Quickwit or as NDJSON.
    #[command(
        after_help = "Examples:\n  horizon export --format elasticsearch --out bulk.ndjson\n  horizon export --format quickwit --since 30d | curl -XPOST http://quickwit:7280/api/v1/horizon/ingest --data-binary @-"
    )]
    Export(ExportArgs),
    /// Serve the index as web pages and a JSON API (read-only unless --marks): search, the landscape, weekly reports, sources.
    #[command(
        after_help = "Pages: /search, /landscape, /report?week=2026-W47, /sources. API (the same JSON as --json):\n/api/search?q=…&kind=…&since=30d&limit=…&offset=…, /api/flags, /api/report?week=…, /api/sources.\nAtom feeds: /feed?topic=NAME, /feed?q=…, /feed/landscape, /feed/reports (see `horizon feed`).\n\nListens on loopback unless --bind says otherwise; any other address needs a token\n(--token-file or HORIZON_SERVE_TOKEN), sent as `Authorization: Bearer <token>` or typed\ninto the sign-in page. A sign-in lasts 12 h idle, 7 days at most, ends at sign-out and\nat a restart. Failed tokens are throttled per address (429 with Retry-After).\nPicks up each crawl's commit by itself; never takes the crawl lock.\n\nExamples:\n  horizon serve\n  HORIZON_SERVE_TOKEN=$(cat /etc/horizon/token) horizon serve --bind 0.0.0.0:8080\n  horizon serve --bind 127.0.0.1:8080 --public-url https://horizon.example.com --trusted-proxy 127.0.0.1"
    )]
    Serve(ServeArgs),
    /// Try horizon offline: write a recording of every source kind into DIR, crawl it, print what to try next.
    #[command(
        after_help = "Examples:\n  horizon demo                 # writes ./horizon-demo (sources.toml, recording/, index/)\n  horizon demo /tmp/try-horizon"
    )]
    Demo(DemoArgs),
    /// Mark a document useful or noise for a topic (or every topic): the ranking learns from it.
    #[command(
        after_help = "Examples:\n  horizon mark aws:whats-new:msk-express useful --topic streaming\n  horizon mark 'arxiv:2410.01234' noise --note 'benchmarks only'"
    )]
    Mark(MarkArgs),
    /// List the team's marks, or remove one.
    #[command(
        after_help = "Examples:\n  horizon marks\n  horizon marks --json\n  horizon marks remove aws:whats-new:msk-express --topic streaming"
    )]
    Marks(MarksArgs),
    /// The documents most like one document (tf-idf more-like-this), with search's filters.
    #[command(
        after_help = "Examples:\n  horizon similar 'arxiv:2410.01234'\n  horizon similar aws:whats-new:msk-express --kind paper --since 90d --json"
    )]
    Similar(SimilarArgs),
    /// Systems the team runs, from its inventory: systems discover reads manifests, charts, compose files, Terraform and Backstage entities.
    #[command(
        after_help = "Examples:\n  horizon systems discover deploy/ charts/ terraform/\n  horizon systems discover . --json\n  horizon systems discover k8s/ --write     # add them to the topics of sources.toml"
    )]
    Systems(SystemsArgs),
    /// The [[rules]] of the config (mute, pin, boost); rules test shows what each changes.
    #[command(
        after_help = "Try a rule before saving it: copy sources.toml, add the [[rules]] table, and\nrun `horizon --config draft.toml rules test`.\n\nExamples:\n  horizon rules\n  horizon rules test --weeks 8\n  horizon --config draft.toml rules test --json"
    )]
    Rules(RulesArgs),
    /// Write Atom feeds (a topic, a search, the landscape's events, the weekly reports) to files for static hosting.
    #[command(
        after_help = "The same feeds `horizon serve` answers at /feed?topic=NAME, /feed?q=…, /feed/landscape\nand /feed/reports: ids that never change across crawls and reindex, a category per\ntopic, and a horizon:score element (namespace https://horizon-infra.github.io/ns/feed/1)\nper document.\n\nExamples:\n  horizon feed --topic databases --out databases.atom\n  horizon feed --search 'kafka tiered storage' --kind paper --since 30d --out kafka.atom\n  horizon feed --all --out-dir public/ --base-url https://feeds.example.com/ --site-url https://horizon.example.com/"
    )]
    Feed(Box<FeedArgs>),
    /// Send a test alert to the [alerts] destinations (crawl sends the real ones).
    #[command(
        after_help = "Alerts are sent by `horizon crawl` after each crawl: new landscape events of the\nwatched systems and new stories of [[alerts.searches]], each once per destination\n(see the README, \"Alerts\"). `alerts test` posts one sample alert, marked as a test,\nand remembers nothing.\n\nExamples:\n  horizon alerts test\n  horizon alerts test --to team-chat"
    )]
    Alerts(AlertsArgs),
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

/// `horizon alerts`.
#[derive(Debug, Args)]
pub struct AlertsArgs {
    /// What to do.
    #[command(subcommand)]
    pub action: AlertsAction,
}

/// `horizon alerts test`.
#[derive(Debug, Subcommand)]
pub enum AlertsAction {
    /// Post a sample alert to every destination (or those named with --to).
    Test {
        /// Only this destination (repeatable).
        #[arg(long = "to", value_name = "NAME", value_hint = clap::ValueHint::Other)]
        to: Vec<String>,
    },
}

/// `horizon feed`.
#[derive(Debug, Args)]
pub struct FeedArgs {
    /// The documents this query finds (the search command's syntax).
    #[arg(long, value_name = "QUERY", value_hint = clap::ValueHint::Other)]
    pub search: Option<String>,
    #[command(flatten)]
    pub filters: FilterArgs,
    /// Which documents: the newest, or the best matches.
    #[arg(long, value_enum, default_value = "date")]
    pub sort: SortArg,
    /// Entries of a topic or search feed (at most 100).
    #[arg(long, short = 'n', default_value_t = horizon::DEFAULT_FEED_ENTRIES, value_parser = clap::value_parser!(u16).range(1..=100).map(usize::from))]
    pub limit: usize,
    /// The landscape's launches, stage changes and retirements instead.
    #[arg(long, conflicts_with_all = ["reports", "all", "topic", "search"])]
    pub landscape: bool,
    /// Landscape and reports: as of this date [default: now].
    #[arg(long, value_name = "DATE")]
    pub as_of: Option<String>,
    /// Landscape: how far back [default: `[absorption] window`, 90d].
    #[arg(long, value_name = "DURATION")]
    pub window: Option<String>,
    /// One entry per weekly report instead (the complete weeks that hold documents).
    #[arg(long, conflicts_with_all = ["all", "topic", "search"])]
    pub reports: bool,
    /// Reports: complete weeks to look back over.
    #[arg(long, value_name = "N", default_value_t = horizon::DEFAULT_FEED_WEEKS, value_parser = clap::value_parser!(u16).range(1..=104).map(usize::from))]
    pub weeks: usize,
    /// Every feed into --out-dir: topic-<name>.atom per topic, landscape.atom, reports.atom.
    #[arg(long, requires = "out_dir", conflicts_with_all = ["topic", "search", "out"])]
    pub all: bool,
    /// Write here instead of stdout.
    #[arg(long, value_name = "FILE")]
    pub out: Option<PathBuf>,
    /// The folder --all writes into (made if missing).
    #[arg(long, value_name = "DIR", value_hint = clap::ValueHint::DirPath)]
    pub out_dir: Option<PathBuf>,
    /// Where the files will be published (a folder URL): each feed's rel="self" link.
    #[arg(long, value_name = "URL", value_parser = public_url)]
    pub base_url: Option<url::Url>,
    /// A `horizon serve` the entries link to (document, landscape and report pages).
    #[arg(long, value_name = "URL", value_parser = public_url)]
    pub site_url: Option<url::Url>,
}

/// `horizon serve`.
#[derive(Debug, Args)]
pub struct ServeArgs {
    /// Address and port to listen on (port 0: any free port). Anything but loopback needs a token.
    #[arg(long, default_value = horizon::DEFAULT_SERVE_BIND, value_name = "ADDR:PORT")]
    pub bind: std::net::SocketAddr,
    /// A file holding the access token (at least 16 characters) [default: $HORIZON_SERVE_TOKEN].
    #[arg(long, value_name = "FILE")]
    pub token_file: Option<PathBuf>,
    /// Let readers mark documents useful or noise from the pages (the only writes serve makes).
    #[arg(long)]
    pub marks: bool,
    /// Searches (and other index work) run at once; more wait up to 2 s, then get 503 with Retry-After [default: 2 per CPU core].
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u16).range(1..))]
    pub max_searches: Option<u16>,
    /// Stop a search that computes longer than this (e.g. 10s, 1min) and answer 503 [default: 5s].
    #[arg(long, value_name = "DURATION", value_parser = horizon::duration::parse_duration)]
    pub search_deadline: Option<std::time::Duration>,
    /// The address users reach the site at; https makes the sign-in cookie `Secure` and `__Host-`.
    #[arg(long, value_name = "URL", value_parser = public_url)]
    pub public_url: Option<url::Url>,
    /// A reverse proxy in front of serve (repeatable): its X-Forwarded-For and X-Forwarded-Proto are believed, and it is exempt from the per-address connection limit.
    #[arg(long, value_name = "ADDR")]
    pub trusted_proxy: Vec<std::net::IpAddr>,
}

/// `--public-url`: an http or https URL.
fn public_url(text: &str) -> Result<url::Url, String> {
    let url = url::Url::parse(text).map_err(|e| format!("not a URL: {e}"))?;
    match url.scheme() {
        "http" | "https" => Ok(url),
        other => Err(format!("{other}: only http and https are served")),
    }
}

/// `horizon reindex`.
#[derive(Debug, Args)]
pub struct ReindexArgs {
    /// A source renamed in sources.toml, as OLD=NEW: its documents take the new name and ids (repeatable).
    #[arg(long, value_name = "OLD=NEW", value_hint = clap::ValueHint::Other)]
    pub rename: Vec<String>,
}

/// `horizon systems`.
#[derive(Debug, Args)]
pub struct SystemsArgs {
    /// What to do.
    #[command(subcommand)]
    pub action: SystemsAction,
}

/// `horizon systems discover`.
#[derive(Debug, Subcommand)]
pub enum SystemsAction {
    /// Find the catalog systems declared in Kubernetes manifests, Helm charts, compose files, Terraform and Backstage catalog entities.
    #[command(
        after_help = "Reads, in each folder (walked; .git, .terraform, node_modules, target and vendor skipped):\n  *.yaml/*.yml   Kubernetes manifests (images, Flux/Argo CD charts) and Backstage entities (names)\n  Chart.yaml     the chart and its dependencies; values*.yaml: image / image.repository\n                 (templates/ of a chart are not YAML until rendered and are not read)\n  compose*.yaml, docker-compose*.yml   each service's image and name\n  *.tf           helm_release charts; managed-service resources (aws_msk_cluster,\n                 google_redis_instance, azurerm_kubernetes_cluster…) as \"already on <offering>\"\nNames match exactly (src/absorb/inventory.toml): an exporter or a client image is not its system.\n--write adds each system to its topic in the config, keeping comments and layout.\n\nExamples:\n  horizon systems discover deploy/ charts/ terraform/\n  horizon systems discover . --json\n  horizon systems discover k8s/ --write"
    )]
    Discover {
        /// Files or folders to read.
        #[arg(required = true, value_name = "PATH")]
        paths: Vec<PathBuf>,
        /// Print JSON on stdout.
        #[arg(long)]
        json: bool,
        /// Add the systems to the topics of the config (comments and layout kept).
        #[arg(long)]
        write: bool,
    },
}

/// `horizon similar`.
#[derive(Debug, Args)]
pub struct SimilarArgs {
    /// The document's id (as `search --json` prints it).
    pub id: String,
    #[command(flatten)]
    pub filters: FilterArgs,
    /// Documents to show.
    #[arg(long, short = 'n', default_value_t = DEFAULT_SEARCH_LIMIT)]
    pub limit: usize,
    /// One JSON object per document per line on stdout (as `search --json`).
    #[arg(long)]
    pub json: bool,
}

/// `horizon rules`.
#[derive(Debug, Args)]
pub struct RulesArgs {
    /// Print JSON on stdout.
    #[arg(long)]
    pub json: bool,
    /// Test instead of listing.
    #[command(subcommand)]
    pub action: Option<RulesAction>,
}

/// `horizon rules test`.
#[derive(Debug, Subcommand)]
pub enum RulesAction {
    /// What each rule changes in the last weeks' reports (each rule alone, expired ones too).
    Test {
        /// Complete weeks to look at, newest first.
        #[arg(long, default_value_t = 4, value_name = "N")]
        weeks: usize,
        /// One JSON object per rule per line on stdout.
        #[arg(long)]
        json: bool,
    },
}

/// A mark's verdict.
#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum VerdictArg {
    /// Worth reading for the topic.
    Useful,
    /// Not worth reading for the topic.
    Noise,
}

/// `horizon mark`.
#[derive(Debug, Args)]
pub struct MarkArgs {
    /// The document's id (as `search --json` prints it).
    pub id: String,
    /// Useful or noise.
    #[arg(value_enum)]
    pub verdict: VerdictArg,
    /// The topic the verdict is about [default: every topic].
    #[arg(long, value_name = "TOPIC", value_hint = clap::ValueHint::Other)]
    pub topic: Option<String>,
    /// Why, in a few words (kept with the mark).
    #[arg(long, value_name = "TEXT")]
    pub note: Option<String>,
}

/// `horizon marks`.
#[derive(Debug, Args)]
pub struct MarksArgs {
    /// One JSON object per mark per line on stdout.
    #[arg(long)]
    pub json: bool,
    /// Remove a mark instead of listing.
    #[command(subcommand)]
    pub action: Option<MarksAction>,
}

/// `horizon marks remove`.
#[derive(Debug, Subcommand)]
pub enum MarksAction {
    /// Remove the mark of a document for a topic (or the one for every topic).
    Remove {
        /// The document's id.
        id: String,
        /// The topic of the mark [default: the mark for every topic].
        #[arg(long, value_name = "TOPIC")]
        topic: Option<String>,
    },
}

/// `horizon demo`.
#[derive(Debug, Args)]
pub struct DemoArgs {
    /// Folder to write (new, empty, or an earlier demo's).
    #[arg(default_value = horizon::demo::DEFAULT_DEMO_DIR, value_name = "DIR")]
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
    /// One system only: its level, its timeline (when each vendor's offering
    /// reached each stage), its undated offerings and its GA lag. NAME is the
    /// system as sources.toml or the offering catalog names it.
    #[arg(long, value_name = "NAME", conflicts_with = "lag")]
    pub system: Option<String>,
    /// The GA lags: per system, days from the first to the second vendor's GA;
    /// per vendor pair, the median.
    #[arg(long)]
    pub lag: bool,
    /// Every flag, with its evidence, timeline and the GA lags, as JSON on
    /// stdout (with --system: that system's row; with --lag: the lags).
    #[arg(long)]
    pub json: bool,
}

/// `horizon radar`.
#[derive(Debug, Args)]
pub struct RadarArgs {
    /// The radar to write for.
    #[arg(long, value_enum)]
    pub format: RadarFormatArg,
    /// Movement is measured against the rings this long before --as-of [default: 90d].
    #[arg(long, value_name = "DURATION")]
    pub since: Option<String>,
    /// The radar as of this date (default: now).
    #[arg(long, value_name = "DATE")]
    pub as_of: Option<String>,
    /// How far back the flags look [default: `[absorption] window`, 90d].
    #[arg(long, value_name = "DURATION")]
    pub window: Option<String>,
    /// Write here instead of stdout.
    #[arg(long, value_name = "FILE")]
    pub out: Option<PathBuf>,
}

/// Radar format flag.
#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum RadarFormatArg {
    /// Backstage tech-radar: TechRadarLoaderResponse JSON.
    Backstage,
    /// Zalando tech-radar: the radar_visualization config as JSON.
    Zalando,
    /// Thoughtworks Build-Your-Own-Radar: CSV.
    Byor,
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
    /// The chat digest (≤ 4,000 characters): headline, what moved, top reads, a link to the rest.
    Digest,
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
    /// Fetch each source once (politely, robots.txt included) and report what came back.
    #[command(
        after_help = "Examples:\n  horizon sources check\n  horizon sources check --source cncf-blog --json\n  horizon sources check --replay recording/"
    )]
    Check {
        /// Only this source (repeatable).
        #[arg(long = "source", value_name = "NAME")]
        sources: Vec<String>,
        /// Print JSON on stdout.
        #[arg(long)]
        json: bool,
        /// Serve the responses from a recording (`crawl --record DIR`) instead of the network.
        #[arg(long, value_name = "DIR")]
        replay: Option<PathBuf>,
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
    #[arg(long, value_name = "KIND", value_parser = kinds())]
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
    /// Stop fetching after this long (e.g. 2h, 90min), commit what was fetched and exit with status 4, as on SIGTERM: a bound for cron and systemd.
    #[arg(long, value_name = "DURATION", value_parser = horizon::duration::parse_duration)]
    pub deadline: Option<std::time::Duration>,
    /// Send no [alerts] after this crawl (what was sent before is still remembered).
    #[arg(long)]
    pub no_alerts: bool,
}

/// Sort order flag.
#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum SortArg {
    /// Best match first.
    Relevance,
    /// Newest first.
    Date,
}

/// The filters `search`, `similar` and `feed` share.
#[derive(Debug, Args)]
pub struct FilterArgs {
    /// Only this kind: paper, article, repo, cloud (repeatable).
    #[arg(long, value_name = "KIND", value_parser = kinds())]
    pub kind: Vec<Kind>,
    /// Only this topic (repeatable); `none` for documents tagged with no topic.
    #[arg(long, value_name = "TOPIC", value_hint = clap::ValueHint::Other)]
    pub topic: Vec<String>,
    /// Only this source (repeatable).
    #[arg(long, value_name = "NAME", value_hint = clap::ValueHint::Other)]
    pub source: Vec<String>,
    /// Only this cloud vendor: aws, azure, gcp (repeatable).
    #[arg(long, value_name = "VENDOR", value_parser = vendors())]
    pub vendor: Vec<Vendor>,
    /// Only this launch stage: new, preview, ga, region, update, price, deprecation (repeatable).
    #[arg(long, value_name = "STAGE", value_parser = stages())]
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
}

/// `horizon search`.
#[derive(Debug, Args)]
pub struct SearchArgs {
    /// Query in tantivy syntax: words, "phrases", AND/OR/-, field:value (title, summary, body, author, category, topic, kind, source, vendor, stage, relation, system, offering, product, language, id, story, date, published, stars). Empty or left out: every document the filters keep. A query that starts with `-` goes after `--`: horizon search -- '-preview stage:ga'.
    #[arg(default_value = "", hide_default_value = true)]
    pub query: String,
    /// Stop a search that computes longer than this (e.g. 30s, 5min) and exit with status 3, saying so.
    #[arg(long, value_name = "DURATION", default_value = "60s", value_parser = horizon::duration::parse_duration)]
    pub deadline: std::time::Duration,
    #[command(flatten)]
    pub filters: FilterArgs,
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

/// A parser for one of the model's closed vocabularies, so `--help`, errors
/// and shell completions list its names (the library itself knows nothing of
/// clap, and a foreign trait cannot be implemented for its types here).
fn vocabulary<T>() -> impl TypedValueParser<Value = T>
where
    T: strum::VariantNames + FromStr<Err = String> + Clone + Send + Sync + 'static,
{
    PossibleValuesParser::new(T::VARIANTS.iter().copied()).try_map(|s| s.parse::<T>())
}

fn kinds() -> impl TypedValueParser<Value = Kind> {
    vocabulary()
}

fn vendors() -> impl TypedValueParser<Value = Vendor> {
    vocabulary()
}

fn stages() -> impl TypedValueParser<Value = Stage> {
    vocabulary()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cli_definition_is_consistent() {
        use clap::CommandFactory;
        Cli::command().debug_assert();
    }
}
