//! `horizon feed`: the feeds of `horizon serve` written to files, for a
//! static web server. A topic or search feed is read through the same query
//! string rules as `/feed?…` (so names are checked against the config the
//! same way, and the feed's id is the one serve gives it).

use std::io::Write;
use std::path::Path;
use std::sync::Arc;

use anyhow::{Context, Result};
use horizon::atom::Feed;
use horizon::config::Config;
use horizon::exit;
use horizon::feeds::{self, Site};
use horizon::index::HorizonIndex;
use horizon::serve::params::{Paging, Pairs, SearchParams};
use horizon::serve::SearchEngine;
use jiff::Timestamp;

use super::args::*;
use super::{index_dir, io_fail, load_config, open_index, parse_when, Cli, Failure};

/// What one run writes.
enum Which {
    /// A topic or search feed, from these query-string pairs.
    Search(Vec<(String, String)>),
    Landscape,
    Reports,
}

pub(super) fn cmd_feed(cli: &Cli, args: &FeedArgs) -> Result<u8, Failure> {
    let cfg = load_config(cli)?;
    let dir = index_dir(cli, Some(&cfg));
    let idx = Arc::new(open_index(&dir)?);
    let engine = SearchEngine::new(Arc::clone(&idx))
        .map_err(Failure::fatal)?
        .with_synonyms(horizon::search::synonym_groups(&cfg))
        .with_rules(cfg.rules.clone());
    let run = Run {
        cli,
        args,
        cfg: &cfg,
        idx: &idx,
        engine: &engine,
        now: Timestamp::now(),
    };
    if args.all {
        return run.all();
    }
    let which = if args.landscape {
        Which::Landscape
    } else if args.reports {
        Which::Reports
    } else {
        Which::Search(search_pairs(args))
    };
    let name = args
        .out
        .as_deref()
        .and_then(Path::file_name)
        .map(|n| n.to_string_lossy().into_owned());
    let feed = run.feed(&which, name.as_deref())?;
    let bytes = horizon::atom::write(&feed).map_err(Failure::fatal)?;
    match &args.out {
        Some(path) => write_file(path, &bytes)?,
        None => std::io::stdout()
            .lock()
            .write_all(&bytes)
            .map_err(io_fail)?,
    }
    Ok(exit::OK)
}

/// The query-string pairs of `/feed?…` the flags amount to.
fn search_pairs(args: &FeedArgs) -> Vec<(String, String)> {
    let mut pairs: Vec<(String, String)> = Vec::new();
    if let Some(q) = &args.search {
        pairs.push(("q".into(), q.clone()));
    }
    pairs.extend(args.filters.pairs());
    if matches!(args.sort, SortArg::Relevance) {
        pairs.push(("sort".into(), "relevance".into()));
    }
    pairs.push(("limit".into(), args.limit.to_string()));
    pairs
}

/// Write `bytes` to `path` whole or not at all.
fn write_file(path: &Path, bytes: &[u8]) -> Result<(), Failure> {
    horizon::state::write_atomic(path, bytes)
        .with_context(|| format!("cannot write {}", path.display()))
        .map_err(Failure::fatal)
}

/// A topic's file name under `--out-dir`: `topic-<name>.atom`, the name
/// kept to letters, digits, `.`, `_` and `-`.
fn topic_file(topic: &str) -> String {
    let safe: String = topic
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-') {
                c
            } else {
                '-'
            }
        })
        .collect();
    format!("topic-{safe}.atom")
}

/// One run's shared state.
struct Run<'a> {
    cli: &'a Cli,
    args: &'a FeedArgs,
    cfg: &'a Config,
    idx: &'a HorizonIndex,
    engine: &'a SearchEngine,
    now: Timestamp,
}

impl Run<'_> {
    /// Where the feed written as `file` will be, and the site it links to.
    fn site(&self, file: Option<&str>) -> Site {
        Site {
            root: self.args.site_url.clone(),
            self_href: self
                .args
                .base_url
                .as_ref()
                .zip(file)
                .and_then(|(base, f)| base.join(f).ok())
                .map(String::from),
        }
    }

    /// The feed `which`, to be published as `file`.
    fn feed(&self, which: &Which, file: Option<&str>) -> Result<Feed, Failure> {
        let site = self.site(file);
        match which {
            Which::Search(pairs) => {
                let query = url::form_urlencoded::Serializer::new(String::new())
                    .extend_pairs(pairs)
                    .finish();
                let pairs = Pairs::parse(Some(&query));
                let mut params = SearchParams::parse(
                    &pairs,
                    self.cfg,
                    Paging::Offset,
                    horizon::DEFAULT_FEED_ENTRIES,
                    self.now,
                )
                .map_err(|e| Failure::usage(anyhow::anyhow!("--{e}")))?;
                params.request.sort = feeds::feed_sort(pairs.one("sort"));
                let key = feeds::canonical_query(pairs.iter());
                let page = format!("/search?{key}");
                feeds::search_feed(self.engine, self.cfg, &params.request, &site, &key, &page)
                    .map_err(Failure::fatal)
            }
            Which::Landscape => {
                let as_of = parse_when("--as-of", &self.args.as_of, self.now)?.unwrap_or(self.now);
                let window = match &self.args.window {
                    Some(w) => horizon::duration::parse_duration(w)
                        .map_err(|e| Failure::usage(anyhow::anyhow!("--window: {e}")))?,
                    None => self.cfg.absorption.window.0,
                };
                let flags = horizon::absorb::compute_flags(self.idx, self.cfg, as_of, window)
                    .map_err(Failure::fatal)?;
                let mut query = Vec::new();
                if let Some(a) = &self.args.as_of {
                    query.push(("as_of", a.as_str()));
                }
                if let Some(w) = &self.args.window {
                    query.push(("window", w.as_str()));
                }
                let query = feeds::canonical_query(query.into_iter());
                Ok(feeds::landscape_feed(
                    &flags,
                    &site,
                    &format!("landscape?{query}"),
                    &format!("/landscape?{query}"),
                ))
            }
            Which::Reports => {
                let as_of = parse_when("--as-of", &self.args.as_of, self.now)?.unwrap_or(self.now);
                feeds::reports_feed(self.idx, self.args.weeks, as_of, &site, "reports")
                    .map_err(Failure::fatal)
            }
        }
    }

    /// `--all`: every topic, the landscape and the reports into `--out-dir`.
    fn all(&self) -> Result<u8, Failure> {
        let Some(dir) = self.args.out_dir.as_deref() else {
            return Err(Failure::usage(anyhow::anyhow!("--all needs --out-dir")));
        };
        std::fs::create_dir_all(dir)
            .with_context(|| format!("cannot create {}", dir.display()))
            .map_err(Failure::fatal)?;
        let mut jobs: Vec<(String, Which)> = Vec::new();
        for t in &self.cfg.topics {
            let mut pairs = search_pairs(self.args);
            pairs.push(("topic".into(), t.name.clone()));
            jobs.push((topic_file(&t.name), Which::Search(pairs)));
        }
        jobs.push(("landscape.atom".into(), Which::Landscape));
        jobs.push(("reports.atom".into(), Which::Reports));
        let mut names = std::collections::BTreeSet::new();
        if let Some((file, _)) = jobs.iter().find(|(f, _)| !names.insert(f.as_str())) {
            return Err(Failure::usage(anyhow::anyhow!(
                "two topics would both be written to {file}: rename one in {}",
                self.cli.config.display()
            )));
        }
        for (file, which) in &jobs {
            let feed = self.feed(which, Some(file))?;
            let bytes = horizon::atom::write(&feed).map_err(Failure::fatal)?;
            write_file(&dir.join(file), &bytes)?;
        }
        if !self.cli.quiet {
            eprintln!("wrote {} feeds into {}", jobs.len(), dir.display());
        }
        Ok(exit::OK)
    }
}
