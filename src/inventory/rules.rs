//! The inventory's lookup data (`src/absorb/inventory.toml`, compiled in):
//! image and chart names that are not a system's own name, Terraform resource
//! types of managed services, and the topic each catalog system belongs to.
//! The matching rule is exact, never fuzzy; see the file's header.

use std::collections::BTreeMap;
use std::sync::LazyLock;

use serde::Deserialize;

use crate::absorb::Catalog;

/// The built-in inventory data's text.
pub const INVENTORY_TOML: &str = include_str!("../absorb/inventory.toml");

/// Why the inventory data could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum InventoryError {
    /// The TOML does not parse.
    #[error("inventory data does not parse: {0}")]
    Toml(String),
}

/// A Terraform resource type that runs a system on a managed offering.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ResourceRule {
    /// Resource types (`aws_msk_cluster`).
    pub types: Vec<String>,
    /// The catalog system it runs.
    pub system: String,
    /// The catalog offering it runs on.
    pub offering: String,
    /// The attribute the rule depends on (`engine`), if any.
    #[serde(default)]
    pub attribute: Option<String>,
    /// Prefixes of the attribute's value that make the rule hold.
    #[serde(default)]
    pub values: Vec<String>,
    /// The value assumed when the attribute is absent.
    #[serde(default)]
    pub default: Option<String>,
}

impl ResourceRule {
    /// Whether the rule holds for a resource of `kind` whose condition
    /// attribute has the literal value `value` (`None`: absent; `Some(None)`:
    /// present but not a literal).
    pub fn holds(&self, kind: &str, value: Option<Option<&str>>) -> bool {
        if !self.types.iter().any(|t| t == kind) {
            return false;
        }
        if self.attribute.is_none() {
            return true;
        }
        let literal = match value {
            None => self.default.as_deref(),
            Some(v) => v,
        };
        let Some(literal) = literal else {
            return false;
        };
        let literal = literal.to_ascii_lowercase();
        self.values
            .iter()
            .any(|p| literal.starts_with(&p.to_ascii_lowercase()))
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawInventory {
    topics: BTreeMap<String, Vec<String>>,
    images: BTreeMap<String, Vec<String>>,
    charts: BTreeMap<String, Vec<String>>,
    resources: Vec<ResourceRule>,
}

/// The lookup data.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Inventory {
    /// Topic name → its systems.
    pub topics: BTreeMap<String, Vec<String>>,
    /// Image name (`org/name` or `name`, lower case) → systems.
    pub images: BTreeMap<String, Vec<String>>,
    /// Chart name (lower case) → systems.
    pub charts: BTreeMap<String, Vec<String>>,
    /// Terraform resource rules, in file order.
    pub resources: Vec<ResourceRule>,
}

impl Inventory {
    /// Parse inventory data.
    pub fn parse(text: &str) -> Result<Inventory, InventoryError> {
        let raw: RawInventory =
            toml::from_str(text).map_err(|e| InventoryError::Toml(e.to_string()))?;
        let lower = |m: BTreeMap<String, Vec<String>>| {
            m.into_iter()
                .map(|(k, v)| (k.to_ascii_lowercase(), v))
                .collect()
        };
        Ok(Inventory {
            topics: raw.topics,
            images: lower(raw.images),
            charts: lower(raw.charts),
            resources: raw.resources,
        })
    }

    /// The built-in data (parsed once).
    pub fn builtin() -> Result<&'static Inventory, InventoryError> {
        static BUILTIN: LazyLock<Result<Inventory, InventoryError>> =
            LazyLock::new(|| Inventory::parse(INVENTORY_TOML));
        BUILTIN.as_ref().map_err(Clone::clone)
    }

    /// The topic a catalog system belongs to.
    pub fn topic_of(&self, system: &str) -> Option<&str> {
        self.topics
            .iter()
            .find(|(_, systems)| systems.iter().any(|s| s.eq_ignore_ascii_case(system)))
            .map(|(t, _)| t.as_str())
    }

    /// The systems an image reference runs (`registry/org/name:tag@digest`).
    /// Empty when it names none, or holds an unresolved variable.
    pub fn image_systems(&self, cat: &Catalog, image: &str) -> Vec<String> {
        match image_path(image) {
            Some(path) => lookup(&self.images, cat, &path),
            None => Vec::new(),
        }
    }

    /// The systems a chart reference installs (`name`, `repo/name`, a URL of
    /// a `.tgz`, `oci://…/name`).
    pub fn chart_systems(&self, cat: &Catalog, chart: &str) -> Vec<String> {
        match chart_name(chart) {
            Some(name) => lookup(&self.charts, cat, &name),
            None => Vec::new(),
        }
    }

    /// The systems a bare name (a compose service, a Backstage entity) is:
    /// the image table, then the chart table, then a canonical name.
    pub fn name_systems(&self, cat: &Catalog, name: &str) -> Vec<String> {
        let name = name.trim().to_ascii_lowercase();
        if name.is_empty() || name.contains('/') {
            return Vec::new();
        }
        if let Some(s) = self.images.get(&name).or_else(|| self.charts.get(&name)) {
            return s.clone();
        }
        canonical(cat, &name).into_iter().collect()
    }
}

/// `org/name`, `name`: the table's entry for the whole path, else for the
/// last part, else the catalog system whose canonical name the last part is.
fn lookup(table: &BTreeMap<String, Vec<String>>, cat: &Catalog, path: &str) -> Vec<String> {
    let last = path.rsplit('/').next().unwrap_or(path);
    if let Some(s) = table.get(path).or_else(|| table.get(last)) {
        return s.clone();
    }
    canonical(cat, last).into_iter().collect()
}

/// The non-ambiguous catalog system whose name, lower case with spaces as
/// hyphens, is `name`.
fn canonical(cat: &Catalog, name: &str) -> Option<String> {
    cat.systems
        .iter()
        .filter(|s| !s.ambiguous)
        .find(|s| s.name.to_ascii_lowercase().replace(' ', "-") == name)
        .map(|s| s.name.clone())
}

/// `registry/org/name:tag@digest` → `org/name` (lower case, no registry,
/// tag, digest or `library/`). `None` for an empty reference or one holding
/// an unresolved variable (`${…}`, `{{ … }}`).
pub fn image_path(image: &str) -> Option<String> {
    let image = image.trim();
    if image.is_empty() || image.contains('$') || image.contains("{{") {
        return None;
    }
    let image = image.split('@').next().unwrap_or(image);
    let mut parts: Vec<&str> = image.split('/').collect();
    if parts.len() > 1 {
        let first = parts[0];
        if first.contains('.') || first.contains(':') || first == "localhost" {
            parts.remove(0);
        }
    }
    if parts.first() == Some(&"library") && parts.len() > 1 {
        parts.remove(0);
    }
    let last = parts.pop()?;
    let name = last.split(':').next().unwrap_or(last);
    parts.push(name);
    let path = parts.join("/").to_ascii_lowercase();
    (!name.is_empty()).then_some(path)
}

/// A chart reference's name: `bitnami/redis` → `redis`,
/// `https://…/redis-10.7.16.tgz` → `redis`, `oci://…/charts/kafka` → `kafka`.
pub fn chart_name(chart: &str) -> Option<String> {
    let chart = chart.trim().trim_end_matches('/');
    if chart.is_empty() || chart.contains('$') || chart.contains("{{") {
        return None;
    }
    let last = chart.rsplit('/').next().unwrap_or(chart);
    let name = match last.strip_suffix(".tgz") {
        // A packaged chart: `name-1.2.3.tgz`.
        Some(stem) => match stem.rsplit_once('-') {
            Some((name, version)) if version.starts_with(|c: char| c.is_ascii_digit()) => name,
            _ => stem,
        },
        None => last,
    };
    (!name.is_empty()).then(|| name.to_ascii_lowercase())
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn image_references_reduce_to_org_and_name() {
        for (image, path) in [
            ("redis:alpine", "redis"),
            ("docker.io/library/postgres:16", "postgres"),
            (
                "quay.io/prometheus/prometheus:v3.1.0",
                "prometheus/prometheus",
            ),
            (
                "docker.elastic.co/elasticsearch/elasticsearch:8.1.0@sha256:ab12",
                "elasticsearch/elasticsearch",
            ),
            ("localhost:5000/team/kafka", "team/kafka"),
            ("busybox@sha256:fd8d", "busybox"),
            ("Bitnami/Kafka", "bitnami/kafka"),
        ] {
            assert_eq!(image_path(image).as_deref(), Some(path), "{image}");
        }
        for unresolved in ["", "${POSTGRES_IMAGE}", "{{ .Values.image }}", "  "] {
            assert_eq!(image_path(unresolved), None, "{unresolved:?}");
        }
    }

    #[test]
    fn chart_references_reduce_to_the_chart_name() {
        for (chart, name) in [
            ("redis", "redis"),
            ("bitnami/redis", "redis"),
            (
                "https://charts.bitnami.com/bitnami/redis-10.7.16.tgz",
                "redis",
            ),
            ("oci://registry-1.docker.io/bitnamicharts/kafka", "kafka"),
            ("./charts/example", "example"),
            ("kube-prometheus-stack", "kube-prometheus-stack"),
        ] {
            assert_eq!(chart_name(chart).as_deref(), Some(name), "{chart}");
        }
    }

    // The rule is exact: exporters, clients and admin tools beside a system
    // are not the system.
    #[test]
    fn images_match_exactly_never_by_part() {
        let cat = Catalog::builtin().unwrap();
        let inv = Inventory::builtin().unwrap();
        let systems = |image: &str| inv.image_systems(cat, image);
        for (image, system) in [
            ("redis:alpine", "Redis"),
            ("postgres:18.4", "PostgreSQL"),
            ("bitnami/postgresql:16", "PostgreSQL"),
            ("confluentinc/cp-kafka:7.6.0", "Kafka"),
            ("apache/kafka:3.7.0", "Kafka"),
            ("bitnami/kafka:4.0.0", "Kafka"),
            ("quay.io/prometheus/prometheus:v3.13.1", "Prometheus"),
            ("grafana/loki:3.0.0", "Loki"),
            ("otel/opentelemetry-collector-contrib:0.100.0", "OpenTelemetry Collector"),
            (
                "ghcr.io/open-telemetry/opentelemetry-collector-releases/opentelemetry-collector-contrib:0.159.0",
                "OpenTelemetry Collector",
            ),
            ("docker.elastic.co/elasticsearch/elasticsearch:8.1.0", "Elasticsearch"),
            ("apache/airflow:2.9.0", "Airflow"),
            ("trinodb/trino:450", "Trino"),
            ("ghcr.io/valkey-io/valkey:9.0.4-alpine3.23", "Valkey"),
            ("grafana/tempo:2.5.0", "Tempo"),
            ("hashicorp/vault:1.17", "Vault"),
        ] {
            assert_eq!(systems(image), vec![system.to_string()], "{image}");
        }
        for none in [
            "oliver006/redis_exporter:v1.62.0",
            "bitnami/redis-exporter:1.74.0",
            "quay.io/prometheuscommunity/postgres-exporter:v0.15.0",
            "prometheus-postgres-exporter",
            "bitnami/kubectl:1.33.4",
            "dpage/pgadmin4:latest",
            "etl-kafka",
            "bitnami/os-shell:12",
            "someone/airflow",
            "vault",
            "tempo",
            "temporalio/server:1.24",
        ] {
            assert!(
                systems(none).is_empty(),
                "{none} matched {:?}",
                systems(none)
            );
        }
    }

    #[test]
    fn resource_rules_follow_their_attribute() {
        let inv = Inventory::builtin().unwrap();
        let systems = |kind: &str, value: Option<Option<&str>>| -> Vec<&str> {
            inv.resources
                .iter()
                .filter(|r| r.holds(kind, value))
                .map(|r| r.system.as_str())
                .collect()
        };
        assert_eq!(
            systems("aws_db_instance", Some(Some("postgres"))),
            ["PostgreSQL"]
        );
        assert_eq!(
            systems("aws_db_instance", Some(Some("aurora-postgresql"))),
            ["PostgreSQL"]
        );
        assert!(
            systems("aws_db_instance", None).is_empty(),
            "no engine, no system"
        );
        assert!(
            systems("aws_db_instance", Some(None)).is_empty(),
            "engine from a variable"
        );
        assert_eq!(
            systems("aws_elasticache_replication_group", None),
            ["Redis"]
        );
        assert_eq!(
            systems("aws_elasticache_cluster", Some(Some("memcached"))),
            ["Memcached"]
        );
        assert_eq!(
            systems("aws_opensearch_domain", Some(Some("Elasticsearch_7.10"))),
            ["Elasticsearch"]
        );
        assert_eq!(systems("google_redis_instance", None), ["Redis"]);
        assert!(systems("azurerm_eventhub_namespace", None).is_empty());
    }

    // Every system and offering named in the data is the catalog's, and every
    // catalog system has one topic.
    #[test]
    fn builtin_data_names_catalog_systems_and_offerings() {
        let cat = Catalog::builtin().unwrap();
        let inv = Inventory::builtin().unwrap();
        let known = |s: &str| cat.systems.iter().any(|c| c.name == s);
        for (key, systems) in inv.images.iter().chain(inv.charts.iter()) {
            for s in systems {
                assert!(known(s), "{key} → {s}: not a catalog system");
            }
        }
        for r in &inv.resources {
            assert!(
                known(&r.system),
                "{:?}: {} not a catalog system",
                r.types,
                r.system
            );
            assert!(
                cat.offerings_of(&r.system).any(|o| o.is_named(&r.offering)),
                "{:?}: {} is not an offering of {}",
                r.types,
                r.offering,
                r.system
            );
            assert_eq!(r.attribute.is_some(), !r.values.is_empty(), "{:?}", r.types);
        }
        for s in &cat.systems {
            let topics = inv
                .topics
                .values()
                .filter(|ss| ss.contains(&s.name))
                .count();
            assert_eq!(topics, 1, "{} is in {topics} topics", s.name);
        }
        for ss in inv.topics.values() {
            for s in ss {
                assert!(known(s), "topic system {s} not in the catalog");
            }
        }
    }
}
