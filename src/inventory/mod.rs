//! Systems from the inventory: what a team already declares it runs, read
//! from its Kubernetes manifests, Helm charts, docker-compose files, Terraform
//! and Backstage catalog entities, and mapped to the offering catalog's
//! systems (`horizon systems discover`).
//!
//! Each file gives hits (an image, a chart, a service or entity name, a
//! managed-service resource); [`rules`] maps each to catalog systems by
//! exact names only, and [`discover`] gathers them per system with where
//! each was found. [`write`] adds the systems to the topics of `sources.toml`.

pub mod rules;
mod terraform;
pub mod write;
mod yaml;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::Serialize;

use crate::absorb::{Catalog, CatalogError};
pub use rules::{Inventory, InventoryError};

/// Folders never walked: version control, dependencies, build output.
const SKIPPED_DIRS: &[&str] = &[".git", ".terraform", "node_modules", "target", "vendor"];

/// How deep a folder walk goes.
const MAX_DEPTH: usize = 32;

/// What a hit names before it is looked up.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Lookup {
    Image(String),
    Chart(String),
    Name(String),
}

/// One piece of evidence in a file.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Hit {
    /// Systems it names directly (a resource type, a manifest).
    systems: Vec<String>,
    /// What was found, for a person ("image redis:alpine of service redis").
    what: String,
    /// The managed offering it runs on, for a cloud resource.
    offering: Option<String>,
    /// A name still to look up.
    lookup: Option<Lookup>,
}

impl Hit {
    fn system(system: &str, what: String) -> Hit {
        Hit {
            systems: vec![system.to_string()],
            what,
            offering: None,
            lookup: None,
        }
    }
    fn looked_up(lookup: Lookup, what: String) -> Hit {
        Hit {
            systems: Vec::new(),
            what,
            offering: None,
            lookup: Some(lookup),
        }
    }
    fn image(image: &str, what: String) -> Hit {
        Hit::looked_up(Lookup::Image(image.to_string()), what)
    }
    fn chart(chart: &str, what: String) -> Hit {
        Hit::looked_up(Lookup::Chart(chart.to_string()), what)
    }
    fn name(name: &str, what: String) -> Hit {
        Hit::looked_up(Lookup::Name(name.to_string()), what)
    }
}

/// Where a system was found.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Evidence {
    /// The file.
    pub file: PathBuf,
    /// What in it ("image redis:alpine in Deployment redis-cart").
    pub what: String,
    /// The managed offering it already runs on, for a cloud resource.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub offering: Option<String>,
}

/// A catalog system found in the inventory.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FoundSystem {
    /// The catalog system's name.
    pub system: String,
    /// The topic it belongs to (`inventory.toml` `[topics]`).
    pub topic: Option<String>,
    /// Managed offerings it already runs on (from cloud resources).
    pub already_on: Vec<String>,
    /// Every place it was found, in file order.
    pub found_in: Vec<Evidence>,
}

/// A file that could not be read or parsed, or a value not resolved.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FileWarning {
    /// The file.
    pub file: PathBuf,
    /// What went wrong.
    pub message: String,
}

/// What `discover` found.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Discovery {
    /// Systems, in catalog order.
    pub systems: Vec<FoundSystem>,
    /// Files skipped or partly read.
    pub warnings: Vec<FileWarning>,
    /// Files read.
    pub files_read: usize,
}

/// Why discovery could not run at all.
#[derive(Debug, thiserror::Error)]
pub enum DiscoverError {
    /// A path given does not exist.
    #[error("{}: no such file or folder", .0.display())]
    Missing(PathBuf),
    /// The catalog does not load.
    #[error(transparent)]
    Catalog(#[from] CatalogError),
    /// The inventory data does not load.
    #[error(transparent)]
    Inventory(#[from] InventoryError),
}

/// The kind of inventory file, by its name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum FileKind {
    Terraform,
    Chart,
    Values,
    Compose,
    Manifests,
}

fn file_kind(path: &Path) -> Option<FileKind> {
    let name = path.file_name()?.to_str()?.to_ascii_lowercase();
    if name.ends_with(".tf") {
        return Some(FileKind::Terraform);
    }
    let stem = name
        .strip_suffix(".yaml")
        .or_else(|| name.strip_suffix(".yml"))?;
    Some(if stem == "chart" {
        FileKind::Chart
    } else if stem == "values" || stem.starts_with("values-") || stem.starts_with("values.") {
        FileKind::Values
    } else if stem == "compose"
        || stem.starts_with("compose.")
        || stem.starts_with("docker-compose")
    {
        FileKind::Compose
    } else {
        FileKind::Manifests
    })
}

/// Whether `path` is a Helm template: in a `templates` folder beside a
/// `Chart.yaml` (not YAML until rendered, so never read).
fn is_chart_template(path: &Path) -> bool {
    path.ancestors().skip(1).any(|dir| {
        dir.file_name().is_some_and(|n| n == "templates")
            && dir
                .parent()
                .is_some_and(|chart| chart.join("Chart.yaml").is_file())
    })
}

/// The files to read under `paths`: a file as given (with a warning when
/// discover does not read its kind), a folder walked in name order.
fn collect(
    paths: &[PathBuf],
    warnings: &mut Vec<FileWarning>,
) -> Result<Vec<PathBuf>, DiscoverError> {
    let mut files = Vec::new();
    for path in paths {
        if path.is_dir() {
            walk_dir(path, 0, &mut files, warnings);
        } else if path.exists() {
            if file_kind(path).is_some() {
                files.push(path.clone());
            } else {
                warnings.push(FileWarning {
                    file: path.clone(),
                    message: "not a file discover reads (YAML or .tf); skipped".into(),
                });
            }
        } else {
            return Err(DiscoverError::Missing(path.clone()));
        }
    }
    Ok(files)
}

fn walk_dir(dir: &Path, depth: usize, files: &mut Vec<PathBuf>, warnings: &mut Vec<FileWarning>) {
    let entries = match std::fs::read_dir(dir) {
        Ok(e) => e,
        Err(e) => {
            warnings.push(FileWarning {
                file: dir.to_path_buf(),
                message: format!("cannot read the folder: {e}"),
            });
            return;
        }
    };
    let mut paths: Vec<PathBuf> = entries.filter_map(|e| e.ok().map(|e| e.path())).collect();
    paths.sort();
    for path in paths {
        let Ok(meta) = std::fs::symlink_metadata(&path) else {
            continue;
        };
        let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("");
        if meta.is_dir() {
            if depth < MAX_DEPTH && !SKIPPED_DIRS.contains(&name) {
                walk_dir(&path, depth + 1, files, warnings);
            }
        } else if meta.is_file() && file_kind(&path).is_some() && !is_chart_template(&path) {
            files.push(path);
        }
    }
}

/// The hits of one file; a file that cannot be read or parsed is a warning.
fn read_file(path: &Path, inv: &Inventory, warnings: &mut Vec<FileWarning>) -> Vec<Hit> {
    let warn = |warnings: &mut Vec<FileWarning>, message: String| {
        warnings.push(FileWarning {
            file: path.to_path_buf(),
            message,
        })
    };
    let text = match std::fs::read(path) {
        Ok(bytes) => match String::from_utf8(bytes) {
            Ok(t) => t,
            Err(_) => {
                warn(warnings, "not UTF-8 text; skipped".into());
                return Vec::new();
            }
        },
        Err(e) => {
            warn(warnings, format!("cannot read: {e}; skipped"));
            return Vec::new();
        }
    };
    let mut hits = Vec::new();
    let Some(kind) = file_kind(path) else {
        return hits;
    };
    if kind == FileKind::Terraform {
        if let Some(w) = terraform::read(&text, inv, &mut hits) {
            warn(warnings, w);
        }
        return hits;
    }
    let docs = match yaml::documents(&text) {
        Ok(docs) => docs,
        Err(e) => {
            warn(warnings, format!("not valid YAML, skipped: {e}"));
            return hits;
        }
    };
    match kind {
        FileKind::Chart => yaml::chart(&docs, &mut hits),
        FileKind::Values => yaml::values(&docs, &mut hits),
        FileKind::Compose => {
            let mut notes = Vec::new();
            yaml::compose(&docs, &mut hits, &mut notes);
            notes.into_iter().for_each(|m| warn(warnings, m));
        }
        FileKind::Manifests | FileKind::Terraform => yaml::manifests(&docs, &mut hits),
    }
    hits
}

/// Read every inventory file under `paths` and map what they declare to the
/// built-in catalog's systems. A missing path is an error; a file that cannot
/// be read or parsed is a warning and the rest goes on.
pub fn discover(paths: &[PathBuf]) -> Result<Discovery, DiscoverError> {
    let cat = Catalog::builtin()?;
    let inv = Inventory::builtin()?;
    discover_with(paths, cat, inv)
}

/// [`discover`] with a given catalog and inventory data.
pub fn discover_with(
    paths: &[PathBuf],
    cat: &Catalog,
    inv: &Inventory,
) -> Result<Discovery, DiscoverError> {
    let mut warnings = Vec::new();
    let files = collect(paths, &mut warnings)?;
    let mut by_system: BTreeMap<String, Vec<Evidence>> = BTreeMap::new();
    for file in &files {
        for hit in read_file(file, inv, &mut warnings) {
            let systems = match &hit.lookup {
                None => hit.systems.clone(),
                Some(Lookup::Image(i)) => inv.image_systems(cat, i),
                Some(Lookup::Chart(c)) => inv.chart_systems(cat, c),
                Some(Lookup::Name(n)) => inv.name_systems(cat, n),
            };
            for system in systems {
                let evidence = by_system.entry(system).or_default();
                let e = Evidence {
                    file: file.clone(),
                    what: hit.what.clone(),
                    offering: hit.offering.clone(),
                };
                if !evidence.contains(&e) {
                    evidence.push(e);
                }
            }
        }
    }
    let mut systems: Vec<FoundSystem> = by_system
        .into_iter()
        .map(|(system, found_in)| {
            let mut already_on: Vec<String> =
                found_in.iter().filter_map(|e| e.offering.clone()).collect();
            already_on.sort();
            already_on.dedup();
            FoundSystem {
                topic: inv.topic_of(&system).map(str::to_string),
                system,
                already_on,
                found_in,
            }
        })
        .collect();
    let order = |s: &FoundSystem| cat.system_index(&s.system).unwrap_or(usize::MAX);
    systems.sort_by_key(order);
    Ok(Discovery {
        systems,
        warnings,
        files_read: files.len(),
    })
}

impl Discovery {
    /// The systems found in one file.
    pub fn systems_in(&self, file: &Path) -> Vec<&str> {
        self.systems
            .iter()
            .filter(|s| s.found_in.iter().any(|e| e.file == file))
            .map(|s| s.system.as_str())
            .collect()
    }
}
