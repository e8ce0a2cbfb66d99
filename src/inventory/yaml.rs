//! The YAML inventories: Kubernetes manifests (multi-document), Helm charts
//! (`Chart.yaml` and values files; templates are not YAML and are not read),
//! docker-compose files and Backstage catalog entities.

use serde_yaml_ng::Value;

use super::Hit;

/// Every document of a YAML file, or why it does not parse.
pub(super) fn documents(text: &str) -> Result<Vec<Value>, String> {
    use serde::Deserialize;
    let mut docs = Vec::new();
    for doc in serde_yaml_ng::Deserializer::from_str(text) {
        let value = Value::deserialize(doc).map_err(|e| e.to_string())?;
        if !value.is_null() {
            docs.push(value);
        }
    }
    Ok(docs)
}

fn str_at<'a>(v: &'a Value, key: &str) -> Option<&'a str> {
    v.get(key).and_then(Value::as_str)
}

/// The manifests of a YAML file: Kubernetes objects (each gives Kubernetes,
/// its images and any chart it installs, as Flux's `HelmRelease` and Argo
/// CD's `Application` do) and Backstage entities (their names).
pub(super) fn manifests(docs: &[Value], hits: &mut Vec<Hit>) {
    for doc in docs {
        let (Some(api), Some(kind)) = (str_at(doc, "apiVersion"), str_at(doc, "kind")) else {
            continue;
        };
        let name = doc
            .get("metadata")
            .and_then(|m| str_at(m, "name"))
            .unwrap_or("");
        if api.starts_with("backstage.io/") {
            if !name.is_empty() {
                hits.push(Hit::name(name, format!("Backstage {kind} {name}")));
            }
            continue;
        }
        hits.push(Hit::system(
            "Kubernetes",
            format!("Kubernetes manifest ({kind} {name})"),
        ));
        walk(doc, &mut |key, value| match (key, value) {
            ("image", Value::String(image)) => {
                hits.push(Hit::image(image, format!("image {image} in {kind} {name}")))
            }
            ("chart", Value::String(chart)) => {
                hits.push(Hit::chart(chart, format!("chart {chart} in {kind} {name}")))
            }
            _ => {}
        });
    }
}

/// A chart's `Chart.yaml`: the chart's own name and its dependencies.
pub(super) fn chart(docs: &[Value], hits: &mut Vec<Hit>) {
    for doc in docs {
        let Some(name) = str_at(doc, "name") else {
            continue;
        };
        hits.push(Hit::system("Kubernetes", format!("Helm chart {name}")));
        hits.push(Hit::chart(name, format!("chart {name}")));
        let deps = doc.get("dependencies").and_then(Value::as_sequence);
        for dep in deps.into_iter().flatten() {
            if let Some(dep) = str_at(dep, "name") {
                hits.push(Hit::chart(dep, format!("dependency {dep} of chart {name}")));
            }
        }
    }
}

/// A chart's values: Kubernetes (a Helm values file configures a chart),
/// every `image: NAME` and `image: {registry, repository}`.
pub(super) fn values(docs: &[Value], hits: &mut Vec<Hit>) {
    for doc in docs {
        if doc.as_mapping().is_some_and(|m| !m.is_empty()) {
            hits.push(Hit::system("Kubernetes", "Helm values".into()));
        }
        walk(doc, &mut |key, value| {
            if key != "image" {
                return;
            }
            let image = match value {
                Value::String(s) => s.clone(),
                Value::Mapping(_) => match str_at(value, "repository") {
                    Some(repo) => match str_at(value, "registry") {
                        Some(reg) if !reg.is_empty() => format!("{reg}/{repo}"),
                        _ => repo.to_string(),
                    },
                    None => return,
                },
                _ => return,
            };
            hits.push(Hit::image(&image, format!("image {image}")));
        });
    }
}

/// A compose file: each service's image, and its name.
pub(super) fn compose(docs: &[Value], hits: &mut Vec<Hit>, warnings: &mut Vec<String>) {
    for doc in docs {
        let Some(services) = doc.get("services").and_then(Value::as_mapping) else {
            continue;
        };
        for (name, service) in services {
            let Some(name) = name.as_str() else { continue };
            hits.push(Hit::name(name, format!("service {name}")));
            if let Some(image) = str_at(service, "image") {
                if image.contains('$') {
                    warnings.push(format!(
                        "service {name}: image {image:?} holds a variable; not resolved"
                    ));
                }
                hits.push(Hit::image(
                    image,
                    format!("image {image} of service {name}"),
                ));
            }
        }
    }
}

/// Call `f(key, value)` for every mapping entry with a string key, depth first.
fn walk(v: &Value, f: &mut dyn FnMut(&str, &Value)) {
    match v {
        Value::Mapping(m) => {
            for (k, child) in m {
                if let Some(k) = k.as_str() {
                    f(k, child);
                }
                walk(child, f);
            }
        }
        Value::Sequence(s) => s.iter().for_each(|child| walk(child, f)),
        Value::Tagged(t) => walk(&t.value, f),
        _ => {}
    }
}
