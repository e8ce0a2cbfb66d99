//! The `horizon` binary: parse arguments, set up logging, build the runtime,
//! run the command, map the result to an exit status.

use std::io::IsTerminal;
use std::process::ExitCode;

use clap::Parser;
use cli::{run, Cli};
use horizon::exit;
use tracing_subscriber::EnvFilter;

mod cli;

fn main() -> ExitCode {
    let cli = Cli::parse();
    // The server's access log is at `info`.
    let serving = matches!(cli.command, cli::Command::Serve(_));
    let default_level = match (cli.quiet, cli.verbose) {
        (true, _) => "horizon=error",
        (false, 0) if serving => "horizon=info",
        (false, 0) => "horizon=warn",
        (false, 1) => "horizon=debug",
        (false, _) => "horizon=trace,reqwest=debug",
    };
    let filter =
        EnvFilter::try_from_env("HORIZON_LOG").unwrap_or_else(|_| EnvFilter::new(default_level));
    let colour = std::io::stderr().is_terminal() && std::env::var_os("NO_COLOR").is_none();
    // Feed text in a log line cannot start a forged line or act on the terminal.
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(horizon::logline::LogWriter::stderr(colour))
        .with_target(false)
        .with_ansi(colour)
        .init();
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("horizon: cannot start the async runtime: {e}");
            return ExitCode::from(exit::FATAL);
        }
    };
    match runtime.block_on(run(cli)) {
        Ok(code) => ExitCode::from(code),
        Err(failure) => {
            eprintln!("horizon: {}", horizon::index::plain::render(&failure.error));
            ExitCode::from(failure.code)
        }
    }
}
