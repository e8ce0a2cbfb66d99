//! `horizon completions` and `horizon man`.

use std::io::Write;
use std::path::Path;

use anyhow::{Context, Result};
use horizon::config::absolute;
use horizon::exit;

use super::{io_fail, Cli, Failure};

/// `horizon completions SHELL`.
pub(super) fn cmd_completions(shell: clap_complete::Shell) -> Result<u8, Failure> {
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
pub(super) fn cmd_man(dir: Option<&Path>, quiet: bool) -> Result<u8, Failure> {
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
        .with_context(|| format!("cannot create {}", absolute(dir).display()))
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
        horizon::state::write_atomic(&path, &man_page(page).map_err(io_fail)?)
            .with_context(|| format!("cannot write {}", absolute(&path).display()))
            .map_err(Failure::fatal)?;
    }
    if !quiet {
        eprintln!(
            "wrote {} man pages into {}",
            pages.len(),
            absolute(dir).display()
        );
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
