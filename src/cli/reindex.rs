//! `horizon reindex`.

use anyhow::Result;
use horizon::exit;

use super::{index_dir, load_config, Cli, Failure};

pub(super) fn cmd_reindex(cli: &Cli) -> Result<u8, Failure> {
    let cfg = load_config(cli)?;
    let dir = index_dir(cli, Some(&cfg));
    let _lock = horizon::state::CrawlLock::acquire(&dir).map_err(Failure::fatal)?;
    let catalog = horizon::absorb::Catalog::for_config(&cfg).map_err(Failure::fatal)?;
    let tagger =
        horizon::topics::Tagger::with_catalog(&cfg.topics, &catalog).map_err(Failure::usage)?;
    let classifier = horizon::absorb::Classifier::new(catalog);
    let done = horizon::index::migrate(&dir, |items| {
        classifier.classify_all(items);
        tagger.tag(items).map_err(|e| e.to_string())?;
        Ok(())
    })
    .map_err(Failure::fatal)?;
    if !cli.quiet {
        eprintln!(
            "reindexed {} documents in {}; the old files are in {} (delete them when satisfied)",
            done.documents,
            dir.display(),
            done.backup.display()
        );
    }
    Ok(exit::OK)
}
