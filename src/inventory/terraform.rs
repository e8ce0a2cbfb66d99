//! Terraform: `helm_release` resources (the chart they install) and the
//! managed-service resources of the three clouds (the system they run and
//! the offering it runs on), by `inventory.toml`'s `[[resources]]`.

use hcl::{Block, Body, Expression};

use super::rules::Inventory;
use super::Hit;

/// A `resource "KIND" "NAME"` block: its top-level attributes, each with
/// its literal value (`None` when not a literal).
#[derive(Debug, PartialEq, Eq)]
struct Resource {
    kind: String,
    name: String,
    attributes: Vec<(String, Option<String>)>,
}

impl Resource {
    /// An attribute: `None` when absent, `Some(None)` when not a literal.
    fn literal(&self, key: &str) -> Option<Option<&str>> {
        self.attributes
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.as_deref())
    }
}

/// The hits of a Terraform file. A file hcl-rs rejects (a repeated argument,
/// which real examples have) is read by a line scan instead, and the reason
/// is returned as a warning.
pub(super) fn read(text: &str, inv: &Inventory, hits: &mut Vec<Hit>) -> Option<String> {
    let (resources, warning) = match hcl::parse(text) {
        Ok(body) => (parsed(&body), None),
        Err(e) => (
            scan(text),
            Some(format!(
                "not valid HCL ({}); read by a line scan",
                e.to_string()
                    .split_whitespace()
                    .collect::<Vec<_>>()
                    .join(" ")
            )),
        ),
    };
    for r in &resources {
        resource(r, inv, hits);
    }
    warning
}

fn parsed(body: &Body) -> Vec<Resource> {
    body.blocks()
        .filter(|b| b.identifier() == "resource")
        .filter_map(|b: &Block| match b.labels() {
            [kind, name] => Some(Resource {
                kind: kind.as_str().to_string(),
                name: name.as_str().to_string(),
                attributes: b
                    .body()
                    .attributes()
                    .map(|a| {
                        let v = match a.expr() {
                            Expression::String(s) => Some(s.clone()),
                            Expression::Bool(b) => Some(b.to_string()),
                            _ => None,
                        };
                        (a.key().to_string(), v)
                    })
                    .collect(),
            }),
            _ => None,
        })
        .collect()
}

/// The resources of HCL text by lines: `resource "KIND" "NAME" {` at depth 0,
/// `key = "literal"` at depth 1 (brackets in strings, comments and heredocs
/// are skipped).
fn scan(text: &str) -> Vec<Resource> {
    let mut out: Vec<Resource> = Vec::new();
    let mut depth = 0usize;
    let mut heredoc: Option<String> = None;
    for line in text.lines() {
        if let Some(end) = &heredoc {
            if line.trim() == end {
                heredoc = None;
            }
            continue;
        }
        let code = strip_comment(line);
        let trimmed = code.trim();
        if depth == 0 {
            let words: Vec<&str> = trimmed.split_whitespace().collect();
            if let ["resource", kind, name, "{", ..] = words.as_slice() {
                out.push(Resource {
                    kind: kind.trim_matches('"').to_string(),
                    name: name.trim_matches('"').to_string(),
                    attributes: Vec::new(),
                });
            }
        } else if depth == 1 {
            if let (Some(r), Some((key, value))) = (out.last_mut(), trimmed.split_once('=')) {
                let key = key.trim();
                if !key.is_empty() && key.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
                    r.attributes
                        .push((key.to_string(), scanned_literal(value.trim())));
                }
            }
        }
        if let Some(i) = trimmed.find("<<") {
            let marker = trimmed[i + 2..].trim_start_matches('-').trim();
            if !marker.is_empty()
                && marker
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '_')
            {
                heredoc = Some(marker.to_string());
            }
        }
        for c in brackets(&code) {
            if c == '{' || c == '[' {
                depth += 1;
            } else {
                depth = depth.saturating_sub(1);
            }
        }
    }
    out
}

/// A scanned value as a literal: a plain string or a boolean.
fn scanned_literal(value: &str) -> Option<String> {
    if matches!(value, "true" | "false") {
        return Some(value.to_string());
    }
    value
        .strip_prefix('"')
        .and_then(|v| v.strip_suffix('"'))
        .filter(|v| !v.contains('"') && !v.contains("${"))
        .map(str::to_string)
}

/// The line without a `#` or `//` comment outside strings.
fn strip_comment(line: &str) -> String {
    let mut out = String::new();
    let mut in_string = false;
    let mut prev = ' ';
    for c in line.chars() {
        if c == '"' && prev != '\\' {
            in_string = !in_string;
        }
        if !in_string && (c == '#' || (c == '/' && prev == '/')) {
            if c == '/' {
                out.pop();
            }
            break;
        }
        out.push(c);
        prev = c;
    }
    out
}

/// The brackets of a line outside strings, in order.
fn brackets(code: &str) -> Vec<char> {
    let mut out = Vec::new();
    let mut in_string = false;
    let mut prev = ' ';
    for c in code.chars() {
        if c == '"' && prev != '\\' {
            in_string = !in_string;
        } else if !in_string && matches!(c, '{' | '}' | '[' | ']') {
            out.push(c);
        }
        prev = c;
    }
    out
}

fn resource(r: &Resource, inv: &Inventory, hits: &mut Vec<Hit>) {
    let (kind, name) = (r.kind.as_str(), r.name.as_str());
    let what = format!("resource {kind}.{name}");
    if kind == "helm_release" {
        hits.push(Hit::system("Kubernetes", what.clone()));
        if let Some(Some(chart)) = r.literal("chart") {
            hits.push(Hit::chart(chart, format!("{what}: chart {chart}")));
        }
        return;
    }
    for rule in &inv.resources {
        let value = rule.attribute.as_deref().and_then(|a| r.literal(a));
        if rule.holds(kind, value) {
            hits.push(Hit {
                systems: vec![rule.system.clone()],
                what: what.clone(),
                offering: Some(rule.offering.clone()),
                lookup: None,
            });
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    // The scan reads what hcl-rs reads, on a file both accept.
    #[test]
    fn the_line_scan_agrees_with_the_parser() {
        let text = r#"
# resource "aws_msk_cluster" "commented" {
resource "aws_db_instance" "db" {
  engine = "postgres" # the engine
  name   = var.name
  tags = {
    engine = "not-top-level"
  }
  user_data = <<EOT
resource "aws_eks_cluster" "in_heredoc" {
EOT
}
resource "helm_release" "r" {
  chart = "bitnami/redis"
  values = ["${file("v.yaml")}"]
}
"#;
        let body = hcl::parse(text).unwrap();
        assert_eq!(scan(text), parsed(&body));
        assert_eq!(scan(text).len(), 2);
    }

    // A repeated argument (terraform-provider-helm's example_1.tf) is
    // rejected by hcl-rs; the scan still reads the resource.
    #[test]
    fn a_file_hcl_rejects_is_scanned() {
        let text =
            "resource \"helm_release\" \"x\" {\n  chart = \"redis\"\n  set = []\n  set = []\n}\n";
        assert!(hcl::parse(text).is_err());
        let r = scan(text);
        assert_eq!(r.len(), 1);
        assert_eq!(r[0].literal("chart"), Some(Some("redis")));
    }
}
