//! `horizon mark` and `horizon marks`: the team's verdicts on documents,
//! kept in the index folder's mark store (`horizon::marks`).

use std::io::Write;

use anyhow::Result;
use horizon::exit;
use horizon::marks::{Mark, MarkStore, Verdict, WHO_CLI};
use horizon::text::terminal_safe;
use jiff::Timestamp;

use super::args::{MarkArgs, MarksAction, MarksArgs, VerdictArg};
use super::{check_names, index_dir, io_fail, open_index, optional_config, Cli, Failure};

fn verdict(v: VerdictArg) -> Verdict {
    match v {
        VerdictArg::Useful => Verdict::Useful,
        VerdictArg::Noise => Verdict::Noise,
    }
}

pub(super) fn cmd_mark(cli: &Cli, args: &MarkArgs) -> Result<u8, Failure> {
    let cfg = optional_config(cli)?;
    let topics: Vec<String> = args.topic.iter().cloned().collect();
    check_names(cli, cfg.as_ref(), &[], &topics)?;
    let dir = index_dir(cli, cfg.as_ref());
    let idx = open_index(&dir)?;
    let searcher = idx.searcher().map_err(Failure::fatal)?;
    let item = idx.get(&searcher, &args.id).map_err(Failure::fatal)?;
    let Some(item) = item else {
        return Err(Failure::usage(anyhow::anyhow!(
            "no document with the id {:?} in {} (`horizon search --json` prints ids)",
            args.id,
            dir.display()
        )));
    };
    let mark = Mark {
        item: item.id.clone(),
        topic: args.topic.clone(),
        verdict: verdict(args.verdict),
        who: WHO_CLI.into(),
        at: Timestamp::now(),
        note: args.note.clone().filter(|n| !n.trim().is_empty()),
    };
    MarkStore::at(&dir).put(&mark).map_err(Failure::usage)?;
    if !cli.quiet {
        eprintln!(
            "marked {} {} for {}",
            terminal_safe(&item.title),
            mark.verdict,
            mark.topic.as_deref().unwrap_or("every topic")
        );
    }
    Ok(exit::OK)
}

/// The id the document that had `id` has now, when it differs (a reindex
/// moved it, `horizon::ids`); `None` without an index or such a document.
fn current_id(dir: &std::path::Path, id: &str) -> Option<String> {
    let idx = horizon::index::HorizonIndex::open(dir).ok()?;
    let item = idx.get(&idx.searcher().ok()?, id).ok()??;
    (item.id != id).then_some(item.id)
}

pub(super) fn cmd_marks(cli: &Cli, args: &MarksArgs) -> Result<u8, Failure> {
    let dir = index_dir(cli, optional_config(cli)?.as_ref());
    let store = MarkStore::at(&dir);
    if let Some(MarksAction::Remove { id, topic }) = &args.action {
        let mut removed = store.remove(id, topic.as_deref()).map_err(Failure::fatal)?;
        if !removed {
            // An id the document had before a reindex moved it and its marks.
            if let Some(current) = current_id(&dir, id) {
                removed = store
                    .remove(&current, topic.as_deref())
                    .map_err(Failure::fatal)?;
            }
        }
        if !removed {
            return Err(Failure::usage(anyhow::anyhow!(
                "no mark of {id:?} for {}",
                topic.as_deref().unwrap_or("every topic")
            )));
        }
        if !cli.quiet {
            eprintln!("removed the mark of {}", terminal_safe(id));
        }
        return Ok(exit::OK);
    }
    let marks = store.list().map_err(Failure::fatal)?;
    let mut out = std::io::stdout().lock();
    if args.json {
        for m in &marks {
            let line =
                serde_json::to_string(m).map_err(|e| Failure::fatal(anyhow::Error::new(e)))?;
            writeln!(out, "{line}").map_err(io_fail)?;
        }
        return Ok(exit::OK);
    }
    for m in &marks {
        writeln!(out, "{}", human_line(m)).map_err(io_fail)?;
    }
    if marks.is_empty() && !cli.quiet {
        eprintln!("no marks yet: `horizon mark ID useful|noise [--topic T]`");
    }
    Ok(exit::OK)
}

/// `2026-11-30 useful  streaming  aws:… (cli) — note`.
fn human_line(m: &Mark) -> String {
    let mut line = format!(
        "{}  {:<6}  {:<12}  {}  ({})",
        m.at.strftime("%Y-%m-%d"),
        m.verdict.to_string(),
        m.topic.as_deref().unwrap_or("*"),
        terminal_safe(&m.item),
        terminal_safe(&m.who)
    );
    if let Some(n) = &m.note {
        line.push_str(" — ");
        line.push_str(&terminal_safe(n));
    }
    line
}
