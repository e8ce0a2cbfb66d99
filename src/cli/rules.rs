//! `horizon rules` and `horizon rules test`: the config's `[[rules]]`, and
//! what each would change in the last weeks' reports.

use std::io::Write;

use anyhow::Result;
use horizon::exit;
use horizon::rules::preview::{preview, Moved, RuleEffect};
use horizon::state::CrawlState;
use horizon::text::terminal_safe;
use jiff::Timestamp;

use super::args::{RulesAction, RulesArgs};
use super::{index_dir, io_fail, load_config, open_index, Cli, Failure};

pub(super) fn cmd_rules(cli: &Cli, args: &RulesArgs) -> Result<u8, Failure> {
    let cfg = load_config(cli)?;
    let now = Timestamp::now();
    let mut out = std::io::stdout().lock();
    let Some(RulesAction::Test { weeks, json }) = &args.action else {
        for r in &cfg.rules {
            let line = format!(
                "{}:{}  {:<10}  {:<12}  {}{}  {}",
                cfg.path.display(),
                r.line,
                r.action.describe(),
                r.topic.as_deref().unwrap_or("*"),
                terminal_safe(&r.name),
                if r.active_at(now) { "" } else { " (expired)" },
                terminal_safe(&r.query)
            );
            writeln!(out, "{line}").map_err(io_fail)?;
        }
        if cfg.rules.is_empty() && !cli.quiet {
            eprintln!("no [[rules]] in {}", cfg.path.display());
        }
        return Ok(exit::OK);
    };
    let dir = index_dir(cli, Some(&cfg));
    let idx = open_index(&dir)?;
    let state = CrawlState::load(&dir).map_err(Failure::fatal)?;
    let effects = preview(&idx, &cfg, &state, (*weeks).max(1), now).map_err(Failure::fatal)?;
    for e in &effects {
        if *json {
            let line =
                serde_json::to_string(e).map_err(|e| Failure::fatal(anyhow::Error::new(e)))?;
            writeln!(out, "{line}").map_err(io_fail)?;
        } else {
            write_effect(&mut out, e).map_err(io_fail)?;
        }
    }
    Ok(exit::OK)
}

fn write_effect(out: &mut impl Write, e: &RuleEffect) -> std::io::Result<()> {
    writeln!(
        out,
        "rule {} (line {}, {}{})",
        terminal_safe(&e.rule),
        e.line,
        e.action,
        if e.active { "" } else { ", expired" }
    )?;
    for w in &e.weeks {
        if w.moved.is_empty() {
            writeln!(out, "  {}: no change", w.week)?;
            continue;
        }
        writeln!(out, "  {}:", w.week)?;
        for m in &w.moved {
            writeln!(out, "    {}", moved_line(m))?;
        }
    }
    Ok(())
}

/// `streaming  #3 → #1  Title (id)`.
fn moved_line(m: &Moved) -> String {
    let place = |p: Option<usize>| p.map_or("—".to_string(), |n| format!("#{n}"));
    format!(
        "{:<12}  {} → {}  {} ({})",
        terminal_safe(&m.topic),
        place(m.before),
        place(m.after),
        terminal_safe(&m.title),
        terminal_safe(&m.id)
    )
}
