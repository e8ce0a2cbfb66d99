//! `horizon systems discover`: the catalog systems declared in the team's
//! inventory, printed with where each was found, and with `--write` added to
//! the topics of the config.

use std::io::Write;

use anyhow::Context;
use horizon::config::Config;
use horizon::exit;
use horizon::inventory::write::{add_to_topics, Placement};
use horizon::inventory::{Discovery, Inventory};
use horizon::text::terminal_safe;
use serde::Serialize;

use super::args::{SystemsAction, SystemsArgs};
use super::{io_fail, Cli, Failure};

pub(super) fn cmd_systems(cli: &Cli, args: &SystemsArgs) -> Result<u8, Failure> {
    match &args.action {
        SystemsAction::Discover { paths, json, write } => {
            let paths: Vec<_> = paths.iter().map(|p| p.to_path_buf()).collect();
            let found = horizon::inventory::discover(&paths).map_err(Failure::usage)?;
            let placements = if *write {
                Some(write_config(cli, &found)?)
            } else {
                None
            };
            if *json {
                print_json(&found, placements.as_deref())?;
            } else {
                print_text(cli, &found, placements.as_deref())?;
            }
            warn(cli, &found);
            Ok(exit::OK)
        }
    }
}

/// Add the systems to the config's topics; the result must still be a
/// valid config before it replaces the file.
fn write_config(cli: &Cli, found: &Discovery) -> Result<Vec<Placement>, Failure> {
    let text = std::fs::read_to_string(&cli.config)
        .with_context(|| format!("cannot read {}", cli.config.display()))
        .map_err(Failure::usage)?;
    let cat = horizon::absorb::Catalog::builtin().map_err(Failure::fatal)?;
    let inv = Inventory::builtin().map_err(Failure::fatal)?;
    let (new_text, placements) =
        add_to_topics(&cli.config, &text, &found.systems, cat, inv).map_err(Failure::usage)?;
    if new_text != text {
        Config::parse(&cli.config, &new_text).map_err(|e| {
            Failure::usage(
                anyhow::Error::new(e)
                    .context("the edited config would not be valid; nothing was changed"),
            )
        })?;
        horizon::state::write_atomic(&cli.config, new_text.as_bytes())
            .with_context(|| format!("cannot write {}", cli.config.display()))
            .map_err(Failure::fatal)?;
    }
    Ok(placements)
}

#[derive(Serialize)]
struct JsonOut<'a> {
    #[serde(flatten)]
    found: &'a Discovery,
    #[serde(skip_serializing_if = "Option::is_none")]
    written: Option<&'a [Placement]>,
}

fn print_json(found: &Discovery, placements: Option<&[Placement]>) -> Result<(), Failure> {
    let mut out = std::io::stdout().lock();
    let value = JsonOut {
        found,
        written: placements,
    };
    serde_json::to_writer_pretty(&mut out, &value)
        .map_err(|e| Failure::fatal(anyhow::Error::new(e)))?;
    writeln!(out).map_err(io_fail)
}

fn print_text(
    cli: &Cli,
    found: &Discovery,
    placements: Option<&[Placement]>,
) -> Result<(), Failure> {
    let mut out = std::io::stdout().lock();
    for s in &found.systems {
        let mut head = s.system.clone();
        if let Some(topic) = &s.topic {
            head.push_str(&format!("  (topic {topic})"));
        }
        if !s.already_on.is_empty() {
            head.push_str(&format!("  already on {}", s.already_on.join(", ")));
        }
        writeln!(out, "{head}").map_err(io_fail)?;
        for e in &s.found_in {
            writeln!(
                out,
                "  {}: {}",
                terminal_safe(&e.file.display().to_string()),
                terminal_safe(&e.what)
            )
            .map_err(io_fail)?;
        }
    }
    if !cli.quiet {
        eprintln!(
            "{} system(s) in {} file(s)",
            found.systems.len(),
            found.files_read
        );
    }
    for p in placements.unwrap_or_default() {
        let line = match p {
            Placement::Added { system, topic } => {
                format!("added {system} to topic {topic:?} in {}", cli.config.display())
            }
            Placement::AlreadyListed { system, topic } => {
                format!("{system}: already in topic {topic:?}")
            }
            Placement::NoTopic { system, wanted } => match wanted {
                Some(t) => format!(
                    "{system}: not added; the config has no topic {t:?} and no topic lists a system of it: add it to a topic by hand"
                ),
                None => format!("{system}: not added; it has no topic: add it to a topic by hand"),
            },
        };
        writeln!(out, "{line}").map_err(io_fail)?;
    }
    Ok(())
}

fn warn(cli: &Cli, found: &Discovery) {
    if cli.quiet {
        return;
    }
    for w in &found.warnings {
        eprintln!(
            "horizon: warning: {}: {}",
            w.file.display(),
            terminal_safe(&w.message)
        );
    }
}
