//! `horizon serve`: read the token, open the index, listen, stop on
//! SIGINT/SIGTERM after the open requests finish.

use anyhow::{Context, Result};
use horizon::config::absolute;
use horizon::exit;
use horizon::serve::{Limits, Options, ServeError, Site};

use super::args::ServeArgs;
use super::{
    index_dir, interrupt_signal, load_config, open_index, warn_about_aliases, Cli, Failure,
};

/// The token: the file's first line, else the environment variable.
fn token(args: &ServeArgs) -> Result<Option<String>, Failure> {
    if let Some(path) = &args.token_file {
        let text = std::fs::read_to_string(path)
            .with_context(|| format!("--token-file: cannot read {}", absolute(path).display()))
            .map_err(Failure::usage)?;
        let line = text.lines().next().unwrap_or("").trim().to_string();
        if line.is_empty() {
            return Err(Failure::usage(anyhow::anyhow!(
                "--token-file: {} is empty",
                absolute(path).display()
            )));
        }
        return Ok(Some(line));
    }
    Ok(std::env::var(horizon::SERVE_TOKEN_ENV)
        .ok()
        .map(|t| t.trim().to_string())
        .filter(|t| !t.is_empty()))
}

pub(super) async fn cmd_serve(cli: &Cli, args: &ServeArgs) -> Result<u8, Failure> {
    // Installed first, so a signal during start-up is not lost.
    let shutdown = interrupt_signal();
    let cfg = load_config(cli)?;
    warn_about_aliases(cli, &cfg);
    let dir = index_dir(cli, Some(&cfg));
    let token = token(args)?;
    let idx = open_index(&dir)?;
    let mut limits = Limits::default();
    if let Some(n) = args.max_searches {
        limits.queries.max_searches = usize::from(n);
    }
    if let Some(d) = args.search_deadline {
        limits.queries.search_deadline = d;
    }
    let server = horizon::serve::bind_with(
        args.bind,
        token.as_deref(),
        idx,
        cfg,
        limits,
        Options {
            marks: args.marks,
            site: Site {
                public_url: args.public_url.clone(),
                trusted_proxies: args.trusted_proxy.clone(),
            },
        },
    )
    .await
    .map_err(|e| match e {
        ServeError::TokenRequired { .. } | ServeError::WeakToken(_) => Failure::usage(e),
        other => Failure::fatal(other),
    })?;
    let addr = server.local_addr().map_err(Failure::fatal)?;
    if !cli.quiet {
        eprintln!(
            "horizon: serving {} at http://{addr}/ ({}{}); SIGINT or SIGTERM stops it",
            dir.display(),
            if args.marks {
                "marks enabled"
            } else {
                "read-only"
            },
            if token.is_some() {
                ", token required"
            } else {
                ""
            }
        );
    }
    server.run(shutdown).await;
    if !cli.quiet {
        eprintln!("horizon: stopped serving");
    }
    Ok(exit::OK)
}
