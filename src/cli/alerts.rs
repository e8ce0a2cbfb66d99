//! `horizon alerts test`: a sample alert to the `[alerts]` destinations.

use anyhow::anyhow;
use horizon::exit;
use horizon::text::terminal_safe;

use super::args::*;
use super::{load_config, Cli, Failure};

pub(super) async fn cmd_alerts(cli: &Cli, args: &AlertsArgs) -> Result<u8, Failure> {
    let AlertsAction::Test { to } = &args.action;
    let cfg = load_config(cli)?;
    if cfg.alerts.is_empty() {
        return Err(Failure::usage(anyhow!(
            "{} has no [[alerts.webhooks]]: nothing to test (see the README, \"Alerts\")",
            cfg.path.display()
        )));
    }
    let names: Vec<&str> = cfg
        .alerts
        .destinations
        .iter()
        .map(|d| d.name.as_str())
        .collect();
    if let Some(unknown) = to.iter().find(|n| !names.contains(&n.as_str())) {
        return Err(Failure::usage(anyhow!(
            "no [[alerts.webhooks]] destination is called {unknown:?}; they are: {}",
            names.join(", ")
        )));
    }
    let options = horizon::deliver::DeliverOptions {
        user_agent: cfg.settings.user_agent.clone(),
        connect_timeout: cfg.settings.connect_timeout.0,
        timeout: cfg.settings.timeout.0,
    };
    let env = |var: &str| std::env::var(var).ok();
    let reports =
        horizon::alerts::send_test(&cfg.alerts, to, &options, &env, jiff::Timestamp::now()).await;
    let mut failed = 0;
    for r in &reports {
        match &r.error {
            Some(_) => {
                failed += 1;
                eprintln!("horizon: {}", terminal_safe(&r.to_string()));
            }
            None if !cli.quiet => eprintln!(
                "test alert accepted by {} {:?}{}",
                r.kind,
                r.name,
                r.endpoint
                    .as_deref()
                    .map(|e| format!(" at {e}"))
                    .unwrap_or_default()
            ),
            None => {}
        }
    }
    Ok(if failed == 0 { exit::OK } else { exit::PARTIAL })
}
