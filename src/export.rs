//! `horizon export`: documents out, in the bulk formats of shared search engines.
//!
//! - `ndjson` — one horizon item (the full JSON document model) per line;
//! - `elasticsearch` — the `_bulk` API body: an `index` action line with the
//!   document id, then the source line, for Elasticsearch and OpenSearch;
//! - `quickwit` — NDJSON for Quickwit's ingest API, with a `timestamp` field in
//!   Unix seconds as its index config expects.
//!
//! The mappings for both engines are in `docs/export/`. Export streams segment
//! by segment, document by document, so memory stays constant however large
//! the index is.

use std::io::Write;

use jiff::Timestamp;
use serde_json::{json, Value};
use tantivy::query::{EnableScoring, Query};
use tantivy::{DocSet, TantivyDocument, TERMINATED};

use crate::index::{HorizonIndex, IndexError};
use crate::model::Item;

/// Output format.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExportFormat {
    /// One item per line.
    Ndjson,
    /// Elasticsearch / OpenSearch `_bulk` body.
    Elasticsearch,
    /// Quickwit ingest NDJSON.
    Quickwit,
}

/// Why an export failed.
#[derive(Debug, thiserror::Error)]
pub enum ExportError {
    /// Index trouble.
    #[error(transparent)]
    Index(#[from] IndexError),
    /// tantivy failed while reading.
    #[error("reading the index")]
    Tantivy(#[from] tantivy::TantivyError),
    /// Writing the output failed.
    #[error("writing the export")]
    Io(#[from] std::io::Error),
}

fn ts(t: Option<Timestamp>) -> Value {
    t.map(|t| Value::String(t.to_string()))
        .unwrap_or(Value::Null)
}

/// The flat document shipped to Elasticsearch and Quickwit; `body` only
/// when the item has one.
pub fn engine_document(item: &Item) -> Value {
    let mut doc = json!({
        "id": item.id,
        "kind": item.kind,
        "source": item.source,
        "vendor": item.vendor,
        "title": item.title,
        "summary": item.summary,
        "url": item.url,
        "authors": item.authors,
        "categories": item.categories,
        "topics": item.topics,
        "products": item.products,
        "stage": item.stage,
        "language": item.language,
        "stars": item.stars,
        "stars_period": item.stars_period,
        "forks": item.forks,
        "version": item.version,
        "published": ts(item.published),
        "updated": ts(item.updated),
        "date": ts(item.date()),
        "first_seen": ts(item.first_seen),
        "last_seen": ts(item.last_seen),
    });
    if let (false, Some(map)) = (item.body.is_empty(), doc.as_object_mut()) {
        map.insert("body".into(), Value::String(item.body.clone()));
    }
    doc
}

/// Write every document matching `filter` (all when `None`) to `out`;
/// returns the number written. `index_name` names the Elasticsearch index.
pub fn export(
    idx: &HorizonIndex,
    filter: Option<&dyn Query>,
    format: ExportFormat,
    index_name: &str,
    out: &mut dyn Write,
) -> Result<u64, ExportError> {
    let searcher = idx.searcher()?;
    let weight = match filter {
        Some(q) => Some(q.weight(EnableScoring::disabled_from_searcher(&searcher))?),
        None => None,
    };
    let mut written = 0u64;
    for segment in searcher.segment_readers() {
        let store = segment
            .get_store_reader(1)
            .map_err(|e| ExportError::Tantivy(e.into()))?;
        let mut emit = |doc_id: u32| -> Result<(), ExportError> {
            let doc: TantivyDocument = store.get(doc_id)?;
            let item = idx.item_of(&doc)?;
            match format {
                ExportFormat::Ndjson => {
                    serde_json::to_writer(&mut *out, &item).map_err(std::io::Error::from)?;
                    out.write_all(b"\n")?;
                }
                ExportFormat::Elasticsearch => {
                    let action = json!({ "index": { "_index": index_name, "_id": item.id } });
                    serde_json::to_writer(&mut *out, &action).map_err(std::io::Error::from)?;
                    out.write_all(b"\n")?;
                    serde_json::to_writer(&mut *out, &engine_document(&item))
                        .map_err(std::io::Error::from)?;
                    out.write_all(b"\n")?;
                }
                ExportFormat::Quickwit => {
                    let mut doc = engine_document(&item);
                    if let Some(obj) = doc.as_object_mut() {
                        let t = item.date().map(|d| d.as_second()).unwrap_or(0);
                        obj.insert("timestamp".into(), json!(t));
                    }
                    serde_json::to_writer(&mut *out, &doc).map_err(std::io::Error::from)?;
                    out.write_all(b"\n")?;
                }
            }
            written += 1;
            Ok(())
        };
        match &weight {
            Some(w) => {
                let mut scorer = w.scorer(segment, 1.0)?;
                let mut doc = scorer.doc();
                while doc != TERMINATED {
                    if !segment.is_deleted(doc) {
                        emit(doc)?;
                    }
                    doc = scorer.advance();
                }
            }
            None => {
                for doc in 0..segment.max_doc() {
                    if !segment.is_deleted(doc) {
                        emit(doc)?;
                    }
                }
            }
        }
    }
    out.flush()?;
    Ok(written)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Kind, Stage, Vendor};

    #[test]
    fn formats_parse_and_alternate() {
        let dir = tempfile::tempdir().unwrap();
        let idx = HorizonIndex::open_or_create(dir.path()).unwrap();
        let mut w = idx.writer(20_000_000).unwrap();
        for n in 0..3 {
            let mut it = Item::new(
                format!("aws:{n}"),
                Kind::Cloud,
                "aws",
                format!("Launch {n}"),
                "https://x",
            );
            it.vendor = Some(Vendor::Aws);
            it.stage = Some(Stage::Ga);
            it.published = Some(Timestamp::from_second(1_700_000_000 + n).unwrap());
            w.add_document(idx.doc_of(&it)).unwrap();
        }
        w.commit().unwrap();

        let mut buf = Vec::new();
        assert_eq!(
            export(&idx, None, ExportFormat::Elasticsearch, "horizon", &mut buf).unwrap(),
            3
        );
        let lines: Vec<Value> = String::from_utf8(buf)
            .unwrap()
            .lines()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect();
        assert_eq!(lines.len(), 6);
        for pair in lines.chunks(2) {
            assert_eq!(pair[0]["index"]["_index"], "horizon");
            assert_eq!(pair[0]["index"]["_id"], pair[1]["id"]);
            assert_eq!(pair[1]["stage"], "ga");
        }

        let mut buf = Vec::new();
        export(&idx, None, ExportFormat::Quickwit, "horizon", &mut buf).unwrap();
        for l in String::from_utf8(buf).unwrap().lines() {
            let v: Value = serde_json::from_str(l).unwrap();
            assert!(v["timestamp"].as_i64().unwrap() >= 1_700_000_000);
        }

        let since = crate::index::date_range(
            idx.fields().date,
            Some(Timestamp::from_second(1_700_000_001).unwrap()),
            None,
        );
        let mut buf = Vec::new();
        assert_eq!(
            export(
                &idx,
                Some(&*since),
                ExportFormat::Ndjson,
                "horizon",
                &mut buf
            )
            .unwrap(),
            2
        );
        for l in String::from_utf8(buf).unwrap().lines() {
            let item: Item = serde_json::from_str(l).unwrap();
            assert!(item.id.starts_with("aws:"));
        }
    }
}
