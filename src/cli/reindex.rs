//! `horizon reindex`.

use std::collections::BTreeMap;
use std::path::Path;

use anyhow::{anyhow, Result};
use horizon::config::Config;
use horizon::exit;
use horizon::index::{HorizonIndex, Renames};
use horizon::marks::MarkStore;

use super::args::ReindexArgs;
use super::{index_dir, load_config, Cli, Failure};

pub(super) fn cmd_reindex(cli: &Cli, args: &ReindexArgs) -> Result<u8, Failure> {
    let cfg = load_config(cli)?;
    let renames = renames(&cfg, &args.rename).map_err(Failure::usage)?;
    let dir = index_dir(cli, Some(&cfg));
    let _lock = horizon::state::CrawlLock::acquire(&dir).map_err(Failure::fatal)?;
    let catalog = horizon::absorb::Catalog::for_config(&cfg).map_err(Failure::fatal)?;
    let tagger =
        horizon::topics::Tagger::with_catalog(&cfg.topics, &catalog).map_err(Failure::usage)?;
    let classifier = horizon::absorb::Classifier::new(catalog);
    let done = horizon::index::migrate(&dir, &renames, |items| {
        classifier.classify_all(items);
        tagger.tag(items).map_err(|e| e.to_string())?;
        Ok(())
    })
    .map_err(Failure::fatal)?;
    // After the swap: marks of documents that moved follow them. Resolved
    // through the new index, so a reindex killed before this step does it
    // on its next run.
    let marks = follow_marks(&dir).map_err(Failure::fatal)?;
    rename_health(&dir, &renames).map_err(Failure::fatal)?;
    if !cli.quiet {
        eprintln!(
            "reindexed {} documents in {}; the old files are in {} (delete them when satisfied)",
            done.documents,
            dir.display(),
            done.backup.display()
        );
        if done.moved > 0 || marks > 0 {
            eprintln!(
                "{} documents have new ids (their old ids still find them){}{}",
                done.moved,
                if done.folded > 0 {
                    format!(", {} indexed twice were folded into one", done.folded)
                } else {
                    String::new()
                },
                if marks > 0 {
                    format!("; {marks} marks moved with them")
                } else {
                    String::new()
                }
            );
        }
    }
    Ok(exit::OK)
}

/// The `--rename OLD=NEW` values, checked against the configuration: the new
/// name must be a source, the old one no longer.
fn renames(cfg: &Config, given: &[String]) -> Result<Renames> {
    let mut out = Renames::new();
    for r in given {
        let Some((old, new)) = r.split_once('=') else {
            return Err(anyhow!("--rename {r:?}: expected OLD=NEW (source names)"));
        };
        let (old, new) = (old.trim(), new.trim());
        let configured = |n: &str| cfg.sources.iter().any(|s| s.name == n);
        if old.is_empty() || new.is_empty() || old == new {
            return Err(anyhow!(
                "--rename {r:?}: expected two different source names, OLD=NEW"
            ));
        }
        if !configured(new) {
            return Err(anyhow!(
                "--rename {r:?}: {new:?} is not a source in {} (rename the source there first)",
                cfg.path.display()
            ));
        }
        if configured(old) {
            return Err(anyhow!(
                "--rename {r:?}: {old:?} is still a source in {}; its documents would be indexed again under that name",
                cfg.path.display()
            ));
        }
        if out.insert(old.to_string(), new.to_string()).is_some() {
            return Err(anyhow!("--rename names {old:?} twice"));
        }
    }
    Ok(out)
}

/// Move every mark whose document now has another id; how many moved.
fn follow_marks(dir: &Path) -> Result<usize> {
    let store = MarkStore::at(dir);
    let marks = store.list()?;
    if marks.is_empty() {
        return Ok(0);
    }
    let idx = HorizonIndex::open(dir)?;
    let searcher = idx.searcher()?;
    let mut moved = BTreeMap::new();
    for m in &marks {
        if let Some(item) = idx.get(&searcher, &m.item)? {
            if item.id != m.item {
                moved.insert(m.item.clone(), item.id);
            }
        }
    }
    Ok(store.rekey(&moved)?)
}

/// Carry a renamed source's health in the crawl state to its new name.
fn rename_health(dir: &Path, renames: &Renames) -> Result<()> {
    if renames.is_empty() {
        return Ok(());
    }
    let mut state = horizon::state::CrawlState::load(dir)?;
    let mut changed = false;
    for (old, new) in renames {
        if let Some(health) = state.sources.remove(old) {
            state.sources.entry(new.clone()).or_insert(health);
            changed = true;
        }
    }
    if changed {
        state.save(dir)?;
    }
    Ok(())
}
