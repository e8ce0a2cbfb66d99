//! `horizon sources`, `sources import` and `sources export`.

use std::io::Write;
use std::path::Path;

use anyhow::{Context, Result};
use horizon::config::absolute;
use horizon::config::Config;
use horizon::exit;
use horizon::state::{CrawlState, HealthStatus};
use horizon::text::terminal_safe;

use super::args::*;
use super::{index_dir, io_fail, load_config, Cli, Failure};

pub(super) fn cmd_sources(cli: &Cli, json: bool) -> Result<u8, Failure> {
    let cfg = load_config(cli)?;
    let dir = index_dir(cli, Some(&cfg));
    let state = CrawlState::load(&dir)
        .context("reading crawl state")
        .map_err(Failure::fatal)?;
    let rows = horizon::sources::listing::rows(&cfg, &state);
    let mut out = std::io::stdout().lock();
    if json {
        let text = horizon::sources::listing::to_json(&rows)
            .map_err(|e| Failure::fatal(anyhow::Error::new(e)))?;
        out.write_all(text.as_bytes()).map_err(io_fail)?;
        return Ok(exit::OK);
    }
    let width = rows.iter().map(|r| r.name.len()).max().unwrap_or(4);
    writeln!(
        out,
        "{:<9} {:<width$}  {:<15}  {:<17}  detail",
        "status", "source", "kind", "last success"
    )
    .map_err(io_fail)?;
    for row in &rows {
        let last = row
            .health
            .last_success
            .map(|t| t.strftime("%Y-%m-%d %H:%M").to_string())
            .unwrap_or_else(|| "never".into());
        let mut detail = row.health.describe(row.status);
        if !row.robots_ignored.is_empty() {
            if !detail.is_empty() {
                detail.push_str("; ");
            }
            detail.push_str(&format!(
                "robots.txt ignored for {} (opt-out in [settings.hosts])",
                row.robots_ignored.join(", ")
            ));
        }
        let detail = terminal_safe(&detail);
        let status = match row.status {
            HealthStatus::Failing => "FAILING",
            other => other.as_str(),
        };
        writeln!(
            out,
            "{status:<9} {:<width$}  {:<15}  {last:<17}  {detail}",
            row.name, row.kind
        )
        .map_err(io_fail)?;
    }
    Ok(exit::OK)
}

pub(super) fn cmd_sources_import(
    cli: &Cli,
    file: &Path,
    kind: ImportKind,
    dry_run: bool,
) -> Result<u8, Failure> {
    let opml_text = std::fs::read_to_string(file)
        .with_context(|| format!("cannot read {}", absolute(file).display()))
        .map_err(Failure::usage)?;
    let feeds = horizon::opml::parse(file, &opml_text).map_err(Failure::usage)?;
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
        horizon::opml::import(&cli.config, &config_text, &feeds, kind).map_err(Failure::usage)?;
    // The result must still be a valid config before it replaces the file.
    Config::parse(&cli.config, &text).map_err(|e| {
        Failure::usage(
            anyhow::Error::new(e)
                .context("the imported config would not be valid; nothing was changed"),
        )
    })?;
    if !dry_run && !summary.added.is_empty() {
        horizon::state::write_atomic(&cli.config, text.as_bytes())
            .with_context(|| format!("cannot write {}", cli.config.display()))
            .map_err(Failure::fatal)?;
    }
    // The plan of a --dry-run is the command's output: stdout, even with
    // --quiet. A real import reports on stderr.
    let mut plan: Vec<String> = Vec::new();
    let verb = if dry_run { "would add" } else { "added" };
    for (name, url) in &summary.added {
        plan.push(format!(
            "  {verb} {name}  {}",
            horizon::redact::redact_url(url)
        ));
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

pub(super) fn cmd_sources_export(cli: &Cli, out: Option<&Path>) -> Result<u8, Failure> {
    let cfg = load_config(cli)?;
    let text = horizon::opml::export(&cfg);
    match out {
        Some(path) => horizon::state::write_atomic(path, text.as_bytes())
            .with_context(|| format!("cannot write {}", absolute(path).display()))
            .map_err(Failure::fatal)?,
        None => std::io::stdout()
            .lock()
            .write_all(text.as_bytes())
            .map_err(io_fail)?,
    }
    Ok(exit::OK)
}

/// `horizon sources check`: exit 0 when every source answered and parsed,
/// 1 (partial) otherwise.
pub(super) async fn cmd_sources_check(
    cli: &Cli,
    only: &[String],
    json: bool,
    replay: Option<&Path>,
) -> Result<u8, Failure> {
    let cfg = load_config(cli)?;
    super::warn_about_aliases(cli, &cfg);
    let server = match replay {
        Some(dir) => Some(
            horizon::replay::ReplayServer::start(dir)
                .await
                .map_err(|e| Failure::usage(anyhow::Error::new(e).context("cannot replay")))?,
        ),
        None => None,
    };
    let rewrite = server.as_ref().map(|s| s.rewrite());
    let checks = horizon::check::check_sources(&cfg, only, rewrite)
        .await
        .map_err(|e| Failure {
            code: e.exit_code(),
            error: anyhow::Error::new(e),
        })?;
    let mut out = std::io::stdout().lock();
    if json {
        let text =
            serde_json::to_string(&checks).map_err(|e| Failure::fatal(anyhow::Error::new(e)))?;
        writeln!(out, "{text}").map_err(io_fail)?;
    } else {
        for c in &checks {
            write_check(&mut out, c).map_err(io_fail)?;
        }
    }
    Ok(if checks.iter().all(|c| c.ok()) {
        exit::OK
    } else {
        exit::PARTIAL
    })
}

/// One source's check as a few lines of text.
fn write_check(out: &mut impl Write, c: &horizon::check::SourceCheck) -> std::io::Result<()> {
    let verdict = if c.ok() { "ok" } else { "FAILED" };
    writeln!(
        out,
        "{verdict:<6} {} ({})  {}",
        c.name,
        c.kind,
        terminal_safe(&c.url)
    )?;
    let mut facts = Vec::new();
    if let Some(s) = c.status {
        facts.push(format!("HTTP {s}"));
    }
    if let Some(d) = c.detected {
        facts.push(d.to_string());
    }
    if let Some(n) = c.items {
        facts.push(format!("{n} items"));
    }
    if let Some(t) = c.newest {
        facts.push(format!("newest {}", t.strftime("%Y-%m-%d")));
    }
    if !facts.is_empty() {
        writeln!(out, "       {}", facts.join(", "))?;
    }
    writeln!(
        out,
        "       robots: {}",
        terminal_safe(&c.robots.describe())
    )?;
    let validators: Vec<String> = [
        c.etag.as_ref().map(|e| format!("ETag {e}")),
        c.last_modified
            .as_ref()
            .map(|l| format!("Last-Modified {l}")),
    ]
    .into_iter()
    .flatten()
    .collect();
    if !validators.is_empty() {
        writeln!(
            out,
            "       validators: {}",
            terminal_safe(&validators.join(", "))
        )?;
    }
    for note in &c.notes {
        writeln!(out, "       note: {}", terminal_safe(note))?;
    }
    if let Some(e) = &c.error {
        writeln!(out, "       error: {}", terminal_safe(e))?;
    }
    Ok(())
}
