//! Measuring the cloud-note classifier and the flags' citations against the
//! labelled development set (`tests/data/absorb_devset.toml`, written by
//! reading the real notes of `../shared/fixtures/cloud-*`) and against
//! generated variations: launch, feature and region announcements in each
//! vendor's own format, built from the real notes' shapes. Shared by
//! `absorb_devset` (which holds the figures to the targets) and
//! `benches/pipeline.rs` (which prints them; it mounts this file beside
//! `fixtures.rs`, named here as `super::fixtures`).

#![allow(clippy::unwrap_used)]

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use horizon::absorb::{Catalog, Classifier};
use horizon::config::Config;
use horizon::model::{Item, Relation, Stage, Vendor};
use horizon::sources::ParseContext;
use serde::Deserialize;

use super::fixtures::repo_toml;

/// The three recorded changelogs and their capture times (PROVENANCE.md).
pub const CLOUD_FIXTURES: &[(&str, Vendor, &str)] = &[
    (
        "cloud-aws/aws-whats-new_rss2_2016-07-21.xml",
        Vendor::Aws,
        "2016-07-21T23:54:35Z",
    ),
    (
        "cloud-azure/azure-updates_rss2_2026-08-05_edited.xml",
        Vendor::Azure,
        "2026-08-06T12:00:00Z",
    ),
    (
        "cloud-gcp/gcp-release-notes_all-products_2025-11-05.xml",
        Vendor::Gcp,
        "2025-11-05T08:00:00Z",
    ),
];

/// One labelled (system, relation) link. `stage` is for the people who
/// label; the code reads the rest.
#[derive(Debug, Clone, Deserialize)]
#[allow(dead_code)]
pub struct LabelLink {
    pub system: String,
    pub relation: String,
    #[serde(default)]
    pub stage: Option<String>,
}

/// One labelled note. `vendor` and `why` are for the people who label
/// (required and optional columns of the file); the code reads the rest.
#[derive(Debug, Clone, Deserialize)]
#[allow(dead_code)]
pub struct LabelledNote {
    pub id: String,
    pub vendor: String,
    pub title: String,
    #[serde(default)]
    pub links: Vec<LabelLink>,
    #[serde(default)]
    pub why: Option<String>,
}

#[derive(Deserialize)]
struct LabelFile {
    notes: Vec<LabelledNote>,
}

/// The labelled development set.
pub fn labels() -> Vec<LabelledNote> {
    repo_toml::<LabelFile>("tests/data/absorb_devset.toml").notes
}

/// Every cloud note of the three recorded changelogs, parsed by the adapters.
pub fn fixture_notes(dir: &Path) -> Vec<Item> {
    let mut out = Vec::new();
    for (rel, vendor, now) in CLOUD_FIXTURES {
        let bytes = std::fs::read(dir.join(rel)).unwrap();
        let ctx = ParseContext {
            source: "cloud",
            url: "https://example.org/changelog",
            now: now.parse().unwrap(),
        };
        out.extend(horizon::sources::cloud::parse(*vendor, &bytes, &ctx).unwrap());
    }
    out
}

/// A labelled example: the note and its expected (system, relation) links.
pub struct Example {
    pub item: Item,
    pub expected: BTreeSet<(String, Relation)>,
}

fn relation(s: &str) -> Relation {
    s.parse().unwrap_or_else(|e| panic!("label relation: {e}"))
}

/// The dev set joined with the parsed notes (every labelled id must exist).
pub fn devset_examples(notes: &[Item], catalog: &Catalog) -> Vec<Example> {
    let by_id: BTreeMap<&str, &Item> = notes.iter().map(|i| (i.id.as_str(), i)).collect();
    labels()
        .into_iter()
        .map(|l| {
            let item = by_id.get(l.id.as_str()).unwrap_or_else(|| {
                panic!("labelled note {} ({}) not in the fixtures", l.id, l.title)
            });
            Example {
                item: (*item).clone(),
                expected: l
                    .links
                    .iter()
                    .map(|k| (canonical(catalog, &k.system), relation(&k.relation)))
                    .collect(),
            }
        })
        .collect()
}

fn canonical(catalog: &Catalog, name: &str) -> String {
    catalog
        .system(name)
        .map(|s| s.name.clone())
        .unwrap_or_else(|| name.to_string())
}

fn template(notes: &[Item], vendor: Vendor) -> &Item {
    notes.iter().find(|i| i.vendor == Some(vendor)).unwrap()
}

/// Announcements generated in each vendor's format from a real note of that
/// vendor: the real item with the title, summary, products and stage the
/// adapter would have produced for the announcement. Expected links by
/// construction: launches of offerings (and one the catalog lacks), and
/// feature, region and unrelated notes that must not read as launches.
pub fn variations(notes: &[Item], catalog: &Catalog) -> Vec<Example> {
    use Relation::*;
    use Vendor::*;
    let mk = |vendor: Vendor,
              n: usize,
              stage: Stage,
              title: &str,
              summary: &str,
              products: &[&str],
              expected: &[(&str, Relation)]| {
        let mut item = template(notes, vendor).clone();
        item.id = format!("{}:variation-{n}", vendor.as_str());
        item.url = format!("{}#variation-{n}", item.url);
        item.title = title.to_string();
        item.summary = summary.to_string();
        item.products = products.iter().map(|s| s.to_string()).collect();
        item.stage = Some(stage);
        item.published = Some(
            format!("2025-10-{:02}T12:00:00Z", 1 + n % 28)
                .parse()
                .unwrap(),
        );
        item.relation = None;
        item.links.clear();
        Example {
            item,
            expected: expected
                .iter()
                .map(|(s, r)| (canonical(catalog, s), *r))
                .collect(),
        }
    };
    let gcp_title = |product: &str, sentence: &str| format!("{product}: {sentence}");
    vec![
        // AWS What's New titles (the adapter takes the product from the category slug).
        mk(Aws, 1, Stage::Ga, "Amazon Managed Streaming for Apache Kafka (Amazon MSK) is now generally available", "Amazon MSK is a fully managed service that makes it easy to build and run applications that use Apache Kafka.", &["Amazon MSK"], &[("Kafka", Launch)]),
        mk(Aws, 2, Stage::Preview, "Amazon Managed Service for Prometheus is now available in preview", "A Prometheus-compatible monitoring service for container infrastructure.", &["Amazon Managed Service for Prometheus"], &[("Prometheus", Launch)]),
        mk(Aws, 3, Stage::Ga, "Amazon Managed Grafana is now generally available with many new features", "Grafana workspaces with alerting.", &["Amazon Managed Grafana"], &[("Grafana", Launch)]),
        mk(Aws, 4, Stage::New, "Introducing Amazon Managed Service for Apache Pulsar, a fully managed messaging service", "Run Apache Pulsar clusters without operating brokers or BookKeeper.", &["Amazon Managed Service for Apache Pulsar"], &[("Pulsar", Launch)]),
        mk(Aws, 5, Stage::Ga, "Amazon MSK now supports Apache Kafka version 3.9", "You can now create clusters with Apache Kafka 3.9.", &["Amazon MSK"], &[("Kafka", Feature)]),
        mk(Aws, 6, Stage::Ga, "Amazon MSK is now generally available in the Asia Pacific (Malaysia) Region", "Amazon MSK is now available in one more Region.", &["Amazon MSK"], &[("Kafka", Region)]),
        mk(Aws, 7, Stage::Update, "Amazon RDS for PostgreSQL supports minor versions 17.2 and 16.6", "Upgrade your Amazon RDS for PostgreSQL instances.", &["Amazon RDS"], &[("PostgreSQL", Feature)]),
        mk(Aws, 8, Stage::Ga, "Amazon EKS now supports Kubernetes version 1.34", "Create clusters with Kubernetes 1.34.", &["Amazon EKS"], &[("Kubernetes", Feature)]),
        mk(Aws, 9, Stage::Ga, "Amazon EMR 7.14 is now available", "Amazon EMR 7.14 includes Apache Spark 3.5.6 and runs Spark Connect on Amazon EMR on EKS.", &["Amazon EMR"], &[("Spark", Feature), ("Hadoop", Feature), ("Kubernetes", Mention)]),
        mk(Aws, 10, Stage::Ga, "Amazon Bedrock AgentCore is now generally available", "AgentCore delivers elastic, serverless runtimes for agents.", &["Amazon Bedrock"], &[]),
        mk(Aws, 11, Stage::Ga, "Amazon EC2 C8g instances are now generally available", "Powered by AWS Graviton4.", &["Amazon EC2"], &[]),
        mk(Aws, 12, Stage::Deprecation, "AWS App Mesh will be discontinued on September 30, 2026", "Migrate to Amazon ECS Service Connect or Amazon VPC Lattice.", &["AWS App Mesh"], &[("Envoy", Launch)]),
        mk(Aws, 13, Stage::New, "Announcing Amazon ElastiCache for Valkey", "Valkey is an open source, high performance key-value datastore, a drop-in replacement for Redis OSS.", &["Amazon ElastiCache"], &[("Redis", Launch)]),
        // Azure updates: status prefix in the title, status and product categories.
        mk(Azure, 21, Stage::Ga, "[Launched] Generally Available: Azure Managed Redis", "Azure Managed Redis brings Redis Enterprise features to Azure.", &["Azure Managed Redis"], &[("Redis", Launch)]),
        mk(Azure, 22, Stage::Preview, "[In preview] Public Preview: Azure Monitor managed service for Prometheus", "Collect Prometheus metrics from AKS clusters.", &["Azure Monitor"], &[("Prometheus", Launch), ("Kubernetes", Mention)]),
        mk(Azure, 23, Stage::Deprecation, "Retirement: Azure Cache for Redis will be retired on September 30, 2028", "Migrate to Azure Managed Redis.", &["Azure Cache for Redis"], &[("Redis", Launch)]),
        mk(Azure, 24, Stage::Ga, "[Launched] Generally Available: PostgreSQL 17 in Azure Database for PostgreSQL flexible server", "Create servers with PostgreSQL 17.", &["Azure Database for PostgreSQL"], &[("PostgreSQL", Feature)]),
        mk(Azure, 25, Stage::Region, "[Launched] Generally Available: Azure Database for MySQL flexible server in Spain Central", "Now available in one more region.", &["Azure Database for MySQL"], &[("MySQL", Region)]),
        mk(Azure, 26, Stage::Deprecation, "Retirement: Azure Cache for Redis Enterprise tiers will be retired on March 31, 2027", "Move Enterprise caches to Azure Managed Redis.", &["Azure Cache for Redis"], &[("Redis", Feature)]),
        mk(Azure, 27, Stage::Ga, "[Launched] Generally Available: Azure Kubernetes Service node auto-provisioning", "AKS now provisions nodes automatically.", &["Azure Kubernetes Service"], &[("Kubernetes", Feature)]),
        // Google Cloud release notes: the product heading and the note's first sentence.
        mk(Gcp, 41, Stage::Ga, &gcp_title("Managed Service for Apache Kafka", "Managed Service for Apache Kafka is generally available (GA)."), "Managed Service for Apache Kafka is generally available (GA). Run Apache Kafka clusters without managing brokers.", &["Managed Service for Apache Kafka"], &[("Kafka", Launch)]),
        mk(Gcp, 42, Stage::Preview, &gcp_title("Ray on Vertex AI", "Ray on Vertex AI is available in Preview."), "Ray on Vertex AI is available in Preview. Scale Ray applications on Vertex AI.", &["Ray on Vertex AI"], &[("Ray", Launch)]),
        mk(Gcp, 43, Stage::Ga, &gcp_title("Cloud SQL for PostgreSQL", "PostgreSQL 19 is generally available."), "PostgreSQL 19 is generally available. You can create instances with PostgreSQL 19.", &["Cloud SQL for PostgreSQL"], &[("PostgreSQL", Feature)]),
        mk(Gcp, 44, Stage::Ga, &gcp_title("Managed Service for Apache Kafka", "You can now use Kafka Connect clusters (GA)."), "You can now use Kafka Connect clusters to move data in and out of Managed Service for Apache Kafka (GA).", &["Managed Service for Apache Kafka"], &[("Kafka", Feature)]),
        mk(Gcp, 45, Stage::Ga, &gcp_title("Compute Engine", "The C4A machine series is now generally available."), "The C4A machine series is now generally available.", &["Compute Engine"], &[]),
        mk(Gcp, 46, Stage::Ga, &gcp_title("Memorystore for Valkey", "Memorystore for Valkey is now generally available."), "Memorystore for Valkey is now generally available. Create Valkey instances.", &["Memorystore for Valkey"], &[("Redis", Launch)]),
        mk(Gcp, 47, Stage::Ga, &gcp_title("Access Approval", "Google Cloud Managed Service for Apache Kafka is generally available (GA)."), "Google Cloud Managed Service for Apache Kafka is generally available (GA).", &["Access Approval"], &[("Kafka", Mention)]),
        mk(Gcp, 48, Stage::Region, &gcp_title("Cloud Composer", "Cloud Composer is available in the europe-west12 region."), "Cloud Composer is available in the europe-west12 region.", &["Cloud Composer"], &[("Airflow", Region)]),
    ]
}

/// True and false positives and false negatives of one relation.
#[derive(Debug, Default, Clone, Copy)]
pub struct Counts {
    pub tp: usize,
    pub fp: usize,
    pub fn_: usize,
}

impl Counts {
    pub fn precision(&self) -> f64 {
        if self.tp + self.fp == 0 {
            1.0
        } else {
            self.tp as f64 / (self.tp + self.fp) as f64
        }
    }
    pub fn recall(&self) -> f64 {
        if self.tp + self.fn_ == 0 {
            1.0
        } else {
            self.tp as f64 / (self.tp + self.fn_) as f64
        }
    }
}

/// Scores per relation over (note, system) links, for the systems of the
/// checked-in `sources.toml` only; and the disagreements, for reading.
pub struct Scores {
    pub by_relation: BTreeMap<Relation, Counts>,
    pub errors: Vec<String>,
    pub examples: usize,
}

/// Score the classifier on examples.
pub fn score(classifier: &Classifier, examples: &[Example], systems: &BTreeSet<String>) -> Scores {
    let mut by_relation: BTreeMap<Relation, Counts> = Relation::ALL
        .iter()
        .map(|r| (*r, Counts::default()))
        .collect();
    let mut errors = Vec::new();
    for ex in examples {
        let got: BTreeSet<(String, Relation)> = classifier
            .classify(&ex.item)
            .links
            .into_iter()
            .map(|l| (l.system, l.relation))
            .filter(|(s, _)| systems.contains(s))
            .collect();
        let want: BTreeSet<(String, Relation)> = ex
            .expected
            .iter()
            .filter(|(s, _)| systems.contains(s))
            .cloned()
            .collect();
        for pair in got.union(&want) {
            let c = by_relation.get_mut(&pair.1).unwrap();
            match (got.contains(pair), want.contains(pair)) {
                (true, true) => c.tp += 1,
                (true, false) => c.fp += 1,
                (false, true) => c.fn_ += 1,
                _ => {}
            }
        }
        if got != want {
            errors.push(format!(
                "{}: {} — got {got:?}, want {want:?}",
                ex.item.id, ex.item.title
            ));
        }
    }
    Scores {
        by_relation,
        errors,
        examples: examples.len(),
    }
}

/// The canonical names of the checked-in config's systems.
pub fn watched_systems(cfg: &Config, catalog: &Catalog) -> BTreeSet<String> {
    cfg.topics
        .iter()
        .flat_map(|t| t.systems.iter())
        .map(|s| canonical(catalog, s))
        .collect()
}

/// Citation precision of `flags`: of the notes cited as evidence for a system
/// at `absorbing` or `absorbed`, the share the labels say are about that
/// system's offering (not a mention, not another system). Every labelled and
/// generated note is indexed (classified as the crawl does) and the flags are
/// computed over a window holding them all. Returns (good, cited).
pub fn citation_precision(
    cfg: &Config,
    classifier: &Classifier,
    examples: &[Example],
) -> (usize, usize) {
    let dir = tempfile::tempdir().unwrap();
    let idx = horizon::index::HorizonIndex::open_or_create(dir.path()).unwrap();
    let mut items: Vec<Item> = examples.iter().map(|e| e.item.clone()).collect();
    classifier.classify_all(&mut items);
    let mut w = idx.writer(30_000_000).unwrap();
    for i in &items {
        w.add_document(idx.doc_of(i)).unwrap();
    }
    w.commit().unwrap();
    drop(w);
    let expected: BTreeMap<&str, &BTreeSet<(String, Relation)>> = examples
        .iter()
        .map(|e| (e.item.id.as_str(), &e.expected))
        .collect();
    let window = std::time::Duration::from_secs(20 * 365 * 86_400);
    let as_of = "2026-12-01T00:00:00Z".parse().unwrap();
    // Evidence is capped per flag; a large cap is not available, so look at every row.
    let report = horizon::absorb::compute_flags(&idx, cfg, as_of, window).unwrap();
    let catalog = classifier.catalog();
    let (mut good, mut cited) = (0, 0);
    for f in report
        .flags
        .iter()
        .filter(|f| f.level >= horizon::absorb::Level::Absorbing)
    {
        let Some(system) = &f.system else { continue };
        let system = canonical(catalog, system);
        for e in &f.evidence {
            cited += 1;
            let ok = expected.get(e.id.as_str()).is_some_and(|want| {
                want.iter()
                    .any(|(s, r)| *s == system && *r != Relation::Mention)
            });
            if ok {
                good += 1;
            }
        }
    }
    (good, cited)
}
