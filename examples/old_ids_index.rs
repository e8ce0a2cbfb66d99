//! An index as schema version 3 left it, feed ids made the old way (a global
//! hash of the guid, #28 item 4), with marks on some of them: what `horizon
//! reindex` migrates. For measuring the migration:
//!
//! ```sh
//! cargo run --release --example old_ids_index -- /tmp/old-index 90000
//! printf '[[topics]]\nname = "streaming"\nkeywords = ["kafka"]\n' > /tmp/old.toml
//! /usr/bin/time -v target/release/horizon --config /tmp/old.toml --index /tmp/old-index reindex
//! ```
//!
//! Documents come from 50 feed sources, each one's story pointing at the
//! first document of its group of ten; every hundredth document is marked.

use horizon::marks::{Mark, MarkStore, Verdict};
use horizon::model::{Item, Kind};
use horizon::text::stable_hash;
use tantivy::schema::{Schema, STORED, STRING};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let (Some(dir), n) = (args.next(), args.next()) else {
        return Err("usage: old_ids_index DIR [DOCUMENTS]".into());
    };
    let n: usize = n.as_deref().unwrap_or("90000").parse()?;
    let dir = std::path::PathBuf::from(dir);
    let tdir = dir.join("tantivy");
    std::fs::create_dir_all(&tdir)?;
    let mut b = Schema::builder();
    let id = b.add_text_field("id", STRING);
    let stored = b.add_text_field("item", STORED);
    let index = tantivy::Index::create_in_dir(&tdir, b.build())?;
    let mut w: tantivy::IndexWriter = index.writer(100_000_000)?;
    let old_id = |k: usize| format!("feed:{}", stable_hash(&[&format!("https://s.example/{k}")]));
    let store = MarkStore::at(&dir);
    for k in 0..n {
        let mut item = Item::new(
            old_id(k),
            Kind::Article,
            format!("source-{}", k % 50),
            format!("Post {k} about Kafka and object storage"),
            format!("https://s.example/{k}"),
        );
        item.summary = format!("Post {k}: what changed in the streaming platform this week.");
        item.published = Some(jiff::Timestamp::from_second(1_790_000_000 + k as i64 * 60)?);
        item.first_seen = item.published;
        item.last_seen = item.published;
        item.story = Some(old_id(k - k % 10));
        let mut doc = tantivy::TantivyDocument::default();
        doc.add_text(id, &item.id);
        doc.add_text(stored, serde_json::to_string(&item)?);
        w.add_document(doc)?;
        if k % 100 == 0 {
            store.put(&Mark {
                item: item.id.clone(),
                topic: None,
                verdict: Verdict::Useful,
                who: "cli".into(),
                at: jiff::Timestamp::now(),
                note: None,
            })?;
        }
    }
    w.commit()?;
    std::fs::write(
        dir.join("horizon.json"),
        r#"{"schema_version": 3, "created_by": "horizon 0.3.0"}"#,
    )?;
    println!(
        "{n} documents, {} marks in {}",
        n.div_ceil(100),
        dir.display()
    );
    Ok(())
}
