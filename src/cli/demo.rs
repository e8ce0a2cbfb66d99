//! `horizon demo`: a recording of every source kind, crawled offline.

use std::io::Write;
use std::path::Path;

use anyhow::Result;
use horizon::config::Config;
use horizon::crawl::{crawl, CrawlError, CrawlOptions};
use jiff::Timestamp;

use super::args::*;
use super::crawl::print_crawl_summary;
use super::{interrupt_signal, io_fail, Cli, Failure};

/// `horizon demo`: write the generated recording, crawl it through the replay
/// server (the normal HTTP path), print the next commands.
pub(super) async fn cmd_demo(cli: &Cli, args: &DemoArgs) -> Result<u8, Failure> {
    // Absolute, so the summary and the next commands work from any folder.
    let dir = horizon::config::absolute(&args.dir);
    let files = horizon::demo::write(&dir, Timestamp::now()).map_err(|e| match e {
        horizon::demo::DemoError::NotEmpty(_) => Failure::usage(e),
        other => Failure::fatal(other),
    })?;
    let cfg = Config::load(&files.config).map_err(Failure::fatal)?;
    let server = horizon::replay::ReplayServer::start(&files.recording)
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
pub(super) fn demo_next_commands(files: &horizon::demo::DemoFiles) -> [String; 3] {
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
