//! `horizon crawl`: the crawl with a progress bar and a per-source summary.

use std::io::{IsTerminal, Write};
use std::path::Path;

use anyhow::Result;
use horizon::alerts::AlertsReport;
use horizon::crawl::{crawl, CrawlError, CrawlOptions, CrawlReport, SourceReport};
use horizon::exit;
use horizon::text::terminal_safe;

use super::args::*;
use super::{
    human_bytes, index_dir, interrupt_signal, io_fail, load_config, warn_about_aliases, Cli,
    Failure,
};

pub(super) async fn cmd_crawl(cli: &Cli, args: &CrawlArgs) -> Result<u8, Failure> {
    let interrupt = with_deadline(interrupt_signal(), args.deadline);
    let cfg = load_config(cli)?;
    warn_about_aliases(cli, &cfg);
    let dir = index_dir(cli, Some(&cfg));
    let mut opts = CrawlOptions {
        only: args.sources.clone(),
        interrupt: Some(interrupt),
        ..Default::default()
    };
    if !args.no_alerts {
        opts.alerts = Some(Box::new(|var: &str| std::env::var(var).ok()));
    }
    if let Some(rec) = &args.record {
        opts.hook = Some(horizon::replay::recorder(rec.clone()));
        opts.ignore_validators = true;
    }
    let _server = match &args.replay {
        Some(dir) => {
            let server = horizon::replay::ReplayServer::start(dir)
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
    if let Some(alerts) = &report.alerts {
        print_alerts(alerts, cli.quiet).map_err(io_fail)?;
    }
    Ok(code)
}

/// One line per destination that got alerts, took its baseline or failed
/// (failures and problems even when quiet, and with `--json`), on stderr.
/// A failure here never changes the exit status.
fn print_alerts(report: &AlertsReport, quiet: bool) -> std::io::Result<()> {
    let mut err = std::io::stderr().lock();
    for p in &report.problems {
        writeln!(err, "horizon: alerts: {}", terminal_safe(p))?;
    }
    for d in report.destinations.iter().filter(|d| d.is_news()) {
        if d.error.is_some() {
            writeln!(err, "horizon: {}", terminal_safe(&d.to_string()))?;
        } else if !quiet {
            writeln!(err, "{}", terminal_safe(&d.to_string()))?;
        }
    }
    Ok(())
}

/// The interruption future, also firing (with a warning) once `deadline`
/// has passed.
fn with_deadline(
    interrupt: futures::future::BoxFuture<'static, ()>,
    deadline: Option<std::time::Duration>,
) -> futures::future::BoxFuture<'static, ()> {
    let Some(limit) = deadline else {
        return interrupt;
    };
    Box::pin(async move {
        tokio::select! {
            _ = interrupt => {}
            _ = tokio::time::sleep(limit) => {
                tracing::warn!("the crawl reached its --deadline ({} s)", limit.as_secs());
            }
        }
    })
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

pub(super) fn print_crawl_summary(
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
