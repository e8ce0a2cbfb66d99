//! `horizon report`, with `--deliver`.

use std::io::Write;
use std::path::Path;

use anyhow::{Context, Result};
use horizon::config::{absolute, Config};
use horizon::exit;
use horizon::index::HorizonIndex;
use horizon::report::{Format, FullReport};
use horizon::state::CrawlState;
use horizon::text::terminal_safe;
use jiff::Timestamp;

use super::args::*;
use super::{
    index_dir, io_fail, load_config, open_index, parse_when, terminal_safe_block, Cli, Failure,
};

pub(super) async fn cmd_report(cli: &Cli, args: &ReportArgs) -> Result<u8, Failure> {
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
        (Some(w), _, _) => horizon::report::iso_week(w)
            .map_err(|e| Failure::usage(anyhow::anyhow!("--week: {e}")))?,
        (None, Some(_), Some(_)) => {
            let since = parse_when("--since", &args.since, now)?.unwrap_or(now);
            let until = parse_when("--until", &args.until, now)?.unwrap_or(now);
            horizon::report::Period::between(since, until)
                .map_err(|e| Failure::usage(anyhow::anyhow!("{e}")))?
        }
        _ => horizon::report::last_complete_week(now),
    };
    let idx = open_filled_index(&dir)?;
    let state = CrawlState::load(&dir).map_err(Failure::fatal)?;
    let report =
        horizon::report::build_report(&idx, &cfg, &state, period, now).map_err(Failure::fatal)?;
    if args.deliver {
        return deliver_report(cli, args, &cfg, &dir, report).await;
    }
    let text = match args.format {
        ReportFormat::Digest => {
            let full = full_report(&cfg, &report, None);
            let max = horizon::DEFAULT_DIGEST_MAX_CHARS;
            let mut text = horizon::report::digest(&report, full.as_ref(), &|md: &str| {
                md.chars().count() <= max
            });
            text.push('\n');
            text
        }
        other => format(other).render(&report).map_err(Failure::fatal)?,
    };
    match &args.out {
        Some(path) => {
            horizon::state::write_atomic(path, text.as_bytes())
                .with_context(|| format!("cannot write {}", absolute(path).display()))
                .map_err(Failure::fatal)?;
            if !cli.quiet {
                eprintln!("wrote {}", absolute(path).display());
            }
        }
        None => {
            let text = match args.format {
                ReportFormat::Markdown | ReportFormat::Digest => terminal_safe_block(&text),
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
pub(super) async fn deliver_report(
    cli: &Cli,
    args: &ReportArgs,
    cfg: &Config,
    dir: &Path,
    report: horizon::report::Report,
) -> Result<u8, Failure> {
    let markdown = Format::Markdown.render(&report).map_err(Failure::fatal)?;
    let html = Format::Html.render(&report).map_err(Failure::fatal)?;
    let saved = match &args.out {
        Some(path) => {
            let text = match format(args.format) {
                Format::Markdown => markdown.clone(),
                Format::Html => html.clone(),
                other => other.render(&report).map_err(Failure::fatal)?,
            };
            vec![(path.clone(), text)]
        }
        None => {
            let reports = dir.join(horizon::DEFAULT_REPORTS_DIR);
            std::fs::create_dir_all(&reports)
                .with_context(|| format!("cannot create {}", reports.display()))
                .map_err(Failure::fatal)?;
            let stem = file_stem(&report.period.label);
            let file = |f: Format| reports.join(format!("{stem}.{}", f.extension()));
            vec![
                (file(Format::Markdown), markdown.clone()),
                (file(Format::Html), html.clone()),
            ]
        }
    };
    for (path, text) in &saved {
        horizon::state::write_atomic(path, text.as_bytes())
            .with_context(|| format!("cannot write {}", absolute(path).display()))
            .map_err(Failure::fatal)?;
        if !cli.quiet {
            eprintln!("wrote {}", absolute(path).display());
        }
    }
    let shown = saved.last().map(|(p, _)| p.as_path()).unwrap_or(dir);
    let full_report = full_report(cfg, &report, Some(shown)).unwrap_or_else(|| {
        FullReport::File(std::path::absolute(shown).unwrap_or_else(|_| shown.to_path_buf()))
    });
    let delivery = horizon::deliver::Delivery {
        period: report.period.label.clone(),
        report,
        markdown,
        html,
        full_report,
    };
    let options = horizon::deliver::DeliverOptions {
        user_agent: cfg.settings.user_agent.clone(),
        connect_timeout: cfg.settings.connect_timeout.0,
        timeout: cfg.settings.timeout.0,
    };
    let env = |var: &str| std::env::var(var).ok();
    let outcomes = horizon::deliver::deliver_all(&cfg.deliver, &delivery, &options, &env).await;
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

/// Where readers find the full report: `[report.deliver] report_url` with
/// the period filled in, else the saved file (absolute), if there is one.
fn full_report(
    cfg: &Config,
    report: &horizon::report::Report,
    saved: Option<&Path>,
) -> Option<FullReport> {
    match (&cfg.deliver.report_url, saved) {
        (Some(u), _) => Some(FullReport::Url(
            u.replace(horizon::config::PERIOD_PLACEHOLDER, &report.period.label),
        )),
        (None, Some(p)) => Some(FullReport::File(
            std::path::absolute(p).unwrap_or_else(|_| p.to_path_buf()),
        )),
        (None, None) => None,
    }
}

/// The index, refusing a missing or empty one (exit status 3) with its
/// absolute path: a report of an index that holds nothing would say
/// "Nothing new" and, with `--deliver`, post that to every destination.
fn open_filled_index(dir: &Path) -> Result<HorizonIndex, Failure> {
    let shown = std::path::absolute(dir).unwrap_or_else(|_| dir.to_path_buf());
    if !HorizonIndex::exists(dir) {
        return Err(Failure::fatal(anyhow::anyhow!(
            "no index at {}: run `horizon crawl` first, or point to the index with --index or [settings] index",
            shown.display()
        )));
    }
    let idx = open_index(dir)?;
    let searcher = idx.searcher().map_err(Failure::fatal)?;
    if idx.count(&searcher).map_err(Failure::fatal)? == 0 {
        return Err(Failure::fatal(anyhow::anyhow!(
            "the index at {} holds no documents: run `horizon crawl` first, or point to the index with --index or [settings] index",
            shown.display()
        )));
    }
    Ok(idx)
}

/// The library's report format for the `--format` value (the digest is
/// not a [`Format`]: it is composed to fit, see [`horizon::report::digest`]).
fn format(f: ReportFormat) -> Format {
    match f {
        ReportFormat::Markdown | ReportFormat::Digest => Format::Markdown,
        ReportFormat::Html => Format::Html,
        ReportFormat::Json => Format::Json,
    }
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn period_labels_become_file_names() {
        assert_eq!(file_stem("2026-W48"), "2026-W48");
        assert_eq!(
            file_stem("2026-11-01 – 2026-11-30"),
            "2026-11-01_2026-11-30"
        );
        assert_eq!(file_stem("../.."), "report");
    }
}
