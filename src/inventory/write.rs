//! `systems discover --write`: add discovered systems to the topics of
//! `sources.toml`, editing it with `toml_edit` so comments, order and layout
//! stay as they were.
//!
//! Which topic: the system's topic in `inventory.toml` (`[topics]`, named
//! after the shipped `sources.toml`'s topics) when the config has a topic of
//! that name; else the first topic that already lists another system of that
//! topic; else none, and the system is reported for a person to place. A
//! system any topic already lists (by any of its catalog names) is left alone,
//! so a second run changes nothing.

use std::path::{Path, PathBuf};

use serde::Serialize;
use toml_edit::{Array, DocumentMut, Item, Value};

use super::rules::Inventory;
use super::FoundSystem;
use crate::absorb::Catalog;

/// Why the config could not be edited.
#[derive(Debug, thiserror::Error)]
#[error("{}: {message}", path.display())]
pub struct WriteError {
    /// The config file.
    pub path: PathBuf,
    /// What is wrong.
    pub message: String,
}

/// What happened to one system.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "outcome", rename_all = "snake_case")]
pub enum Placement {
    /// Added to the topic's `systems`.
    Added {
        /// The system.
        system: String,
        /// The topic.
        topic: String,
    },
    /// A topic already lists it.
    AlreadyListed {
        /// The system.
        system: String,
        /// The topic that lists it.
        topic: String,
    },
    /// No topic fits: its catalog topic (if any) is not in the config and no
    /// topic lists a system of that topic.
    NoTopic {
        /// The system.
        system: String,
        /// Its topic in the inventory data.
        wanted: Option<String>,
    },
}

/// One `[[topics]]` entry as it stands.
struct TopicView {
    name: String,
    /// Canonical catalog names (or the entry as written) of its systems.
    systems: Vec<String>,
}

fn canonical(cat: &Catalog, name: &str) -> String {
    cat.system(name)
        .map(|s| s.name.clone())
        .unwrap_or_else(|| name.trim().to_string())
}

fn topics(doc: &DocumentMut, cat: &Catalog) -> Vec<TopicView> {
    let Some(tables) = doc.get("topics").and_then(Item::as_array_of_tables) else {
        return Vec::new();
    };
    tables
        .iter()
        .map(|t| TopicView {
            name: t
                .get("name")
                .and_then(Item::as_str)
                .unwrap_or_default()
                .to_string(),
            systems: t
                .get("systems")
                .and_then(Item::as_array)
                .map(|a| {
                    a.iter()
                        .filter_map(Value::as_str)
                        .map(|s| canonical(cat, s))
                        .collect()
                })
                .unwrap_or_default(),
        })
        .collect()
}

/// The topic index a system goes to, or what it wanted.
fn target(views: &[TopicView], inv: &Inventory, system: &str) -> Result<usize, Option<String>> {
    let wanted = inv.topic_of(system).map(str::to_string);
    let Some(topic) = &wanted else {
        return Err(None);
    };
    if let Some(i) = views.iter().position(|v| v.name == *topic) {
        return Ok(i);
    }
    views
        .iter()
        .position(|v| {
            v.systems
                .iter()
                .any(|s| inv.topic_of(s) == Some(topic.as_str()))
        })
        .ok_or(wanted)
}

/// Add `found` to the topics of the config text. Returns the new text (the
/// same text when nothing is added) and what happened to each system.
pub fn add_to_topics(
    path: &Path,
    text: &str,
    found: &[FoundSystem],
    cat: &Catalog,
    inv: &Inventory,
) -> Result<(String, Vec<Placement>), WriteError> {
    let mut doc: DocumentMut = text.parse().map_err(|e: toml_edit::TomlError| WriteError {
        path: path.to_path_buf(),
        message: e.to_string(),
    })?;
    let mut views = topics(&doc, cat);
    let mut placements = Vec::new();
    let mut changed = false;
    for f in found {
        let system = canonical(cat, &f.system);
        if let Some(v) = views.iter().find(|v| v.systems.contains(&system)) {
            placements.push(Placement::AlreadyListed {
                system,
                topic: v.name.clone(),
            });
            continue;
        }
        match target(&views, inv, &system) {
            Ok(i) => {
                push_system(&mut doc, i, &system);
                views[i].systems.push(system.clone());
                placements.push(Placement::Added {
                    system,
                    topic: views[i].name.clone(),
                });
                changed = true;
            }
            Err(wanted) => placements.push(Placement::NoTopic { system, wanted }),
        }
    }
    let text = if changed {
        doc.to_string()
    } else {
        text.to_string()
    };
    Ok((text, placements))
}

/// Append `system` to the `systems` array of the `i`th topic (created when
/// the topic has none), in the array's own layout.
fn push_system(doc: &mut DocumentMut, i: usize, system: &str) {
    let Some(table) = doc
        .get_mut("topics")
        .and_then(Item::as_array_of_tables_mut)
        .and_then(|t| t.get_mut(i))
    else {
        return;
    };
    match table.get_mut("systems").and_then(Item::as_array_mut) {
        Some(array) => push_in_layout(array, system),
        None => {
            let mut array = Array::new();
            array.push(system);
            table.insert("systems", toml_edit::value(array));
        }
    }
}

/// Push onto an array in its layout: one line stays one line; one entry a
/// line gets a new line with the same indent, and a comment after the last
/// entry stays after that entry.
fn push_in_layout(array: &mut Array, system: &str) {
    let last_prefix = array
        .iter()
        .last()
        .and_then(|v| v.decor().prefix())
        .and_then(|p| p.as_str())
        .unwrap_or("")
        .to_string();
    let Some(newline) = last_prefix.rfind('\n') else {
        array.push(system);
        return;
    };
    let indent = last_prefix[newline + 1..].to_string();
    let trailing_comma = array.trailing_comma();
    let mut new_value = Value::from(system);
    if trailing_comma {
        // `"a", # note\n]`: the note and the line break move before the new entry.
        let trailing = array.trailing().as_str().unwrap_or("").to_string();
        let (note, closing) = match trailing.rfind('\n') {
            Some(i) => (trailing[..i].to_string(), trailing[i..].to_string()),
            None => (String::new(), trailing),
        };
        new_value
            .decor_mut()
            .set_prefix(format!("{note}\n{indent}"));
        array.push_formatted(new_value);
        array.set_trailing(closing);
        array.set_trailing_comma(true);
    } else {
        // `"a"\n]`: the last entry's line break goes after the new one.
        let suffix = array
            .iter()
            .last()
            .and_then(|v| v.decor().suffix())
            .and_then(|s| s.as_str())
            .unwrap_or("")
            .to_string();
        if let Some(last) = array.iter_mut().last() {
            last.decor_mut().set_suffix("");
        }
        new_value.decor_mut().set_prefix(format!("\n{indent}"));
        new_value.decor_mut().set_suffix(suffix);
        array.push_formatted(new_value);
    }
}
