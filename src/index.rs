//! The tantivy index: schema, open/create, upsert by id, and reading items back.
//!
//! Layout of the index folder:
//! - `tantivy/` — the tantivy index itself;
//! - `horizon.json` — the schema version this index was built with;
//! - `state.json` — crawl state (see `state.rs`);
//! - `crawl.lock` — held while a crawl runs;
//! - `marks.redb` — the team's marks (see `marks.rs`), which `reindex` leaves alone.
//!
//! The schema is defined once, in [`build_schema`]. Text fields serve search,
//! raw `STRING | FAST` fields serve filters and aggregations, and the whole
//! item is stored as JSON in `item` so reading a document back never depends on
//! which fields happen to be stored.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use jiff::Timestamp;
use serde::{Deserialize, Serialize};
use tantivy::aggregation::agg_req::Aggregations;
use tantivy::aggregation::agg_result::{
    AggregationResult, AggregationResults, BucketEntries, BucketResult,
};
use tantivy::aggregation::{AggregationCollector, Key};
use tantivy::collector::Count;
use tantivy::directory::MmapDirectory;
use tantivy::query::{AllQuery, Query, TermQuery};
use tantivy::schema::{
    DateOptions, DateTimePrecision, Field, IndexRecordOption, NumericOptions, Schema,
    TextFieldIndexing, TextOptions, Value, FAST, STORED, STRING,
};
use tantivy::{
    DateTime, Index, IndexReader, IndexWriter, ReloadPolicy, Searcher, TantivyDocument, Term,
};

use crate::model::Item;

pub mod plain;
pub mod readable;

/// Bumped whenever the schema or the meaning of a field changes.
/// Version 4: feed ids in their source's namespace, and `former_id` (#28 item 4).
/// Version 5: the body stored in its own field, not in the item's JSON, so a
/// hit that shows only its summary does not parse a 100 KB body (#32).
pub const SCHEMA_VERSION: u32 = 5;
/// Trend sightings kept per repository.
pub const MAX_TREND_HISTORY: usize = 400;
/// Text analyzer for title and summary: lower-case, stemmed English.
const TEXT_TOKENIZER: &str = "en_stem";

/// What can go wrong with the index.
#[derive(Debug, thiserror::Error)]
pub enum IndexError {
    /// No index at the path.
    #[error("no index at {0} yet: run `horizon crawl` first")]
    Missing(PathBuf),
    /// The folder holds files that are not horizon's.
    #[error("{path} is not empty and is not a horizon index (it holds {example:?}); horizon will not write its index among other files: name a new or empty folder with --index")]
    Foreign {
        /// The folder.
        path: PathBuf,
        /// One of the files that are not horizon's.
        example: String,
    },
    /// The index was built by a different schema version.
    #[error("the index at {path} was built with schema version {found}, this horizon uses {expected}: run `horizon reindex` to rebuild it from its stored documents (the old files are kept as a backup)")]
    Incompatible {
        /// The index folder.
        path: PathBuf,
        /// What the index says.
        found: String,
        /// What this binary needs.
        expected: u32,
    },
    /// tantivy failed.
    #[error("index at {path}")]
    Tantivy {
        /// The index folder.
        path: PathBuf,
        /// The cause.
        #[source]
        source: tantivy::TantivyError,
    },
    /// File system error.
    #[error("index at {path}")]
    Io {
        /// The file or folder.
        path: PathBuf,
        /// The cause.
        #[source]
        source: std::io::Error,
    },
    /// A stored document could not be read back.
    #[error("index at {path}: corrupt stored document: {message}")]
    Corrupt {
        /// The index folder.
        path: PathBuf,
        /// What was wrong.
        message: String,
    },
}

/// Handles to every schema field.
#[derive(Debug, Clone, Copy)]
pub struct Fields {
    /// Stable id (raw, exact).
    pub id: Field,
    /// Ids the document had before (raw, exact): what [`HorizonIndex::get`]
    /// falls back to.
    pub former_id: Field,
    /// `paper`, `article`, `repo`, `cloud`.
    pub kind: Field,
    /// Source name.
    pub source: Field,
    /// Cloud vendor.
    pub vendor: Field,
    /// Title (stemmed text).
    pub title: Field,
    /// Summary (stemmed text).
    pub summary: Field,
    /// The full text (stemmed text, positions, stored: the stored item's
    /// JSON leaves it out, see [`document_for`]).
    pub body: Field,
    /// Authors (text).
    pub author: Field,
    /// Categories (text).
    pub category: Field,
    /// Topic names (raw).
    pub topic: Field,
    /// Cloud products (text).
    pub product: Field,
    /// Launch stage (raw).
    pub stage: Field,
    /// How a cloud note concerns its own product (raw).
    pub relation: Field,
    /// Systems a cloud note concerns (text).
    pub system: Field,
    /// How a cloud note concerns those systems, one term per link (raw).
    pub link_relation: Field,
    /// One key per launch link, `system␟vendor␟offering␟stage` (raw, fast):
    /// lets the ledger find the first note of every launch from fast fields.
    pub launch_key: Field,
    /// Offerings of those systems a cloud note is about (text).
    pub offering: Field,
    /// Repository language, lower-case (raw).
    pub language: Field,
    /// Published date.
    pub published: Field,
    /// The date an item is filed under (published, else updated, else first seen).
    pub date: Field,
    /// The story the document tells (raw, fast): its own id or the id of
    /// the story's first document (`stories`).
    pub story: Field,
    /// First seen by horizon.
    pub first_seen: Field,
    /// Stars gained in the trending period.
    pub stars_period: Field,
    /// Total stars.
    pub stars: Field,
    /// The item as JSON, without its body (stored only; see [`document_for`]).
    pub item: Field,
}

/// The schema, defined once.
pub fn build_schema() -> (Schema, Fields) {
    let mut b = Schema::builder();
    let stemmed = TextOptions::default().set_indexing_options(
        TextFieldIndexing::default()
            .set_tokenizer(TEXT_TOKENIZER)
            .set_index_option(IndexRecordOption::WithFreqsAndPositions),
    );
    let plain = TextOptions::default().set_indexing_options(
        TextFieldIndexing::default()
            .set_tokenizer("default")
            .set_index_option(IndexRecordOption::WithFreqsAndPositions),
    );
    let raw = STRING | FAST;
    let date = DateOptions::default()
        .set_indexed()
        .set_fast()
        .set_precision(DateTimePrecision::Seconds);
    let num = NumericOptions::default().set_indexed().set_fast();
    let fields = Fields {
        id: b.add_text_field("id", STRING | FAST),
        former_id: b.add_text_field("former_id", STRING),
        kind: b.add_text_field("kind", raw.clone()),
        source: b.add_text_field("source", raw.clone()),
        vendor: b.add_text_field("vendor", raw.clone()),
        title: b.add_text_field("title", stemmed.clone()),
        summary: b.add_text_field("summary", stemmed.clone()),
        body: b.add_text_field("body", stemmed.set_stored()),
        author: b.add_text_field("author", plain.clone()),
        category: b.add_text_field("category", plain.clone()),
        topic: b.add_text_field("topic", raw.clone()),
        product: b.add_text_field("product", plain.clone()),
        stage: b.add_text_field("stage", raw.clone()),
        relation: b.add_text_field("relation", raw.clone()),
        system: b.add_text_field("system", plain.clone()),
        link_relation: b.add_text_field("link_relation", raw.clone()),
        launch_key: b.add_text_field("launch_key", raw.clone()),
        offering: b.add_text_field("offering", plain),
        language: b.add_text_field("language", raw.clone()),
        story: b.add_text_field("story", raw),
        published: b.add_date_field("published", date.clone()),
        date: b.add_date_field("date", date.clone()),
        first_seen: b.add_date_field("first_seen", date),
        stars_period: b.add_u64_field("stars_period", num.clone()),
        stars: b.add_u64_field("stars", num),
        item: b.add_text_field("item", STORED),
    };
    (b.build(), fields)
}

/// Names of the fields a query may use, for help and error messages.
pub const QUERY_FIELDS: &[&str] = &[
    "title",
    "summary",
    "body",
    "author",
    "category",
    "topic",
    "kind",
    "source",
    "vendor",
    "stage",
    "relation",
    "system",
    "offering",
    "product",
    "language",
    "id",
    "story",
    "date",
    "published",
    "first_seen",
    "stars",
    "stars_period",
];

#[derive(Debug, Serialize, Deserialize)]
struct VersionFile {
    schema_version: u32,
    created_by: String,
}

/// The documents of one aggregation bucket and their counts per value of a
/// second field ([`HorizonIndex::counts_by_pair`], [`HorizonIndex::counts_by_ranges`]).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct SubCounts {
    /// Documents in the bucket.
    pub documents: u64,
    /// Among them, documents per value of the second field, sorted by name.
    pub by: BTreeMap<String, u64>,
}

/// Counts of what the index holds ([`HorizonIndex::stats`]).
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct Stats {
    /// Documents in the index.
    pub documents: usize,
    /// Bytes on disk of the tantivy files.
    pub size_bytes: u64,
    /// Documents per kind.
    pub by_kind: BTreeMap<String, u64>,
    /// Documents per source.
    pub by_source: BTreeMap<String, u64>,
    /// Documents per topic (a document counts once for each of its topics).
    pub by_topic: BTreeMap<String, u64>,
    /// Cloud notes per vendor.
    pub by_vendor: BTreeMap<String, u64>,
    /// Cloud notes per launch stage.
    pub by_stage: BTreeMap<String, u64>,
    /// Repositories per language.
    pub by_language: BTreeMap<String, u64>,
}

/// An open horizon index.
pub struct HorizonIndex {
    dir: PathBuf,
    index: Index,
    fields: Fields,
    reader: IndexReader,
    /// The commit (opstamp) the reader's searcher was built from.
    loaded: std::sync::Mutex<Option<u64>>,
}

impl std::fmt::Debug for HorizonIndex {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("HorizonIndex")
            .field("dir", &self.dir)
            .finish()
    }
}

fn tantivy_err(dir: &Path) -> impl Fn(tantivy::TantivyError) -> IndexError + '_ {
    move |source| IndexError::Tantivy {
        path: dir.to_path_buf(),
        source,
    }
}

fn io_err(path: &Path) -> impl Fn(std::io::Error) -> IndexError + '_ {
    move |source| IndexError::Io {
        path: path.to_path_buf(),
        source,
    }
}

impl HorizonIndex {
    /// The folder tantivy's files live in.
    pub fn tantivy_dir(dir: &Path) -> PathBuf {
        dir.join("tantivy")
    }

    /// Whether an index exists at `dir`.
    pub fn exists(dir: &Path) -> bool {
        Self::tantivy_dir(dir).join("meta.json").is_file()
    }

    /// Refuse to create an index inside a folder of someone else's files: `dir`
    /// must not exist, be empty, be an index already, or hold only what horizon
    /// writes there (and dot files such as the repository's `.gitignore`).
    pub fn check_folder(dir: &Path) -> Result<(), IndexError> {
        const OWN: &[&str] = &[
            "tantivy",
            "horizon.json",
            "state.json",
            "crawl.lock",
            crate::marks::MARKS_FILE,
        ];
        if Self::exists(dir) || !dir.is_dir() {
            return Ok(());
        }
        let entries = std::fs::read_dir(dir).map_err(io_err(dir))?;
        for entry in entries.filter_map(Result::ok) {
            let name = entry.file_name().to_string_lossy().into_owned();
            let own = OWN.contains(&name.as_str())
                || name.starts_with('.')
                || name.starts_with("state.json.")
                || name.starts_with("horizon.json.");
            if !own {
                return Err(IndexError::Foreign {
                    path: dir.to_path_buf(),
                    example: name,
                });
            }
        }
        Ok(())
    }

    /// Open the index at `dir`, creating it if there is none.
    pub fn open_or_create(dir: &Path) -> Result<Self, IndexError> {
        finish_swap(dir)?;
        if Self::exists(dir) {
            return Self::open(dir);
        }
        Self::check_folder(dir)?;
        let tdir = Self::tantivy_dir(dir);
        std::fs::create_dir_all(&tdir).map_err(io_err(&tdir))?;
        let version_path = dir.join("horizon.json");
        let version = VersionFile {
            schema_version: SCHEMA_VERSION,
            created_by: format!("horizon {}", env!("CARGO_PKG_VERSION")),
        };
        let text = serde_json::to_string_pretty(&version).unwrap_or_default();
        crate::state::write_atomic(&version_path, text.as_bytes())
            .map_err(io_err(&version_path))?;
        let (schema, fields) = build_schema();
        let mmap = MmapDirectory::open(&tdir).map_err(|e| IndexError::Io {
            path: tdir.clone(),
            source: std::io::Error::other(e.to_string()),
        })?;
        let index = Index::create(mmap, schema, Default::default()).map_err(tantivy_err(dir))?;
        Self::finish_open(dir, index, fields)
    }

    /// Open an existing index; a missing or incompatible one is a clear error.
    pub fn open(dir: &Path) -> Result<Self, IndexError> {
        finish_swap(dir)?;
        if !Self::exists(dir) {
            return Err(IndexError::Missing(dir.to_path_buf()));
        }
        let version_path = dir.join("horizon.json");
        let found = match std::fs::read_to_string(&version_path) {
            Ok(text) => match serde_json::from_str::<VersionFile>(&text) {
                Ok(v) if v.schema_version == SCHEMA_VERSION => None,
                Ok(v) => Some(v.schema_version.to_string()),
                Err(_) => Some("unreadable (horizon.json is damaged)".to_string()),
            },
            Err(_) => Some("unknown (horizon.json is missing)".to_string()),
        };
        if let Some(found) = found {
            return Err(IndexError::Incompatible {
                path: dir.to_path_buf(),
                found,
                expected: SCHEMA_VERSION,
            });
        }
        let tdir = Self::tantivy_dir(dir);
        let readable = readable::ReadableDir::open(&tdir).map_err(|e| IndexError::Io {
            path: tdir.clone(),
            source: std::io::Error::other(e.to_string()),
        })?;
        let index = Index::open(readable).map_err(tantivy_err(dir))?;
        let (schema, fields) = build_schema();
        if index.schema() != schema {
            return Err(IndexError::Incompatible {
                path: dir.to_path_buf(),
                found: format!("{SCHEMA_VERSION} with different fields"),
                expected: SCHEMA_VERSION,
            });
        }
        Self::finish_open(dir, index, fields)
    }

    fn finish_open(dir: &Path, index: Index, fields: Fields) -> Result<Self, IndexError> {
        let reader = index
            .reader_builder()
            .reload_policy(ReloadPolicy::Manual)
            .try_into()
            .map_err(tantivy_err(dir))?;
        let opstamp = index.load_metas().map(|m| m.opstamp).ok();
        Ok(HorizonIndex {
            dir: dir.to_path_buf(),
            index,
            fields,
            reader,
            loaded: std::sync::Mutex::new(opstamp),
        })
    }

    /// The index folder.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// The tantivy index.
    pub fn index(&self) -> &Index {
        &self.index
    }

    /// The schema fields.
    pub fn fields(&self) -> Fields {
        self.fields
    }

    /// A searcher over the last commit. The reader is reloaded only when a
    /// commit happened since it was last loaded: reopening every segment on
    /// each call would cost more than most searches.
    pub fn searcher(&self) -> Result<Searcher, IndexError> {
        let opstamp = self
            .index
            .load_metas()
            .map_err(tantivy_err(&self.dir))?
            .opstamp;
        let mut loaded = match self.loaded.lock() {
            Ok(l) => l,
            Err(poisoned) => poisoned.into_inner(),
        };
        if *loaded != Some(opstamp) {
            self.reader.reload().map_err(tantivy_err(&self.dir))?;
            *loaded = Some(opstamp);
        }
        Ok(self.reader.searcher())
    }

    /// A writer with `heap_bytes` of memory.
    pub fn writer(&self, heap_bytes: usize) -> Result<IndexWriter, IndexError> {
        let writer = self
            .index
            .writer(heap_bytes)
            .map_err(tantivy_err(&self.dir))?;
        // A commit that failed (a full disk, a kill) leaves segment files no
        // commit refers to; tantivy collects them only after its next
        // commit, which a still-full disk never reaches. Collect them first.
        match writer.garbage_collect_files().wait() {
            Ok(gc) if !gc.deleted_files.is_empty() => tracing::info!(
                files = gc.deleted_files.len(),
                "removed the files an unfinished commit left in the index"
            ),
            Ok(_) => {}
            Err(e) => {
                tracing::warn!(error = %e, "could not remove files an unfinished commit left")
            }
        }
        Ok(writer)
    }

    /// Number of live documents.
    pub fn count(&self, searcher: &Searcher) -> Result<usize, IndexError> {
        searcher
            .search(&AllQuery, &Count)
            .map_err(tantivy_err(&self.dir))
    }

    /// The item stored under `id`, else the one that had `id` before
    /// (`former_ids`: a reindex moved it), if any.
    pub fn get(&self, searcher: &Searcher, id: &str) -> Result<Option<Item>, IndexError> {
        match self.get_by(searcher, self.fields.id, id)? {
            Some(item) => Ok(Some(item)),
            None => self.get_by(searcher, self.fields.former_id, id),
        }
    }

    /// The item stored under exactly `id`, without looking at former ids:
    /// what the crawl merges with.
    pub fn get_exact(&self, searcher: &Searcher, id: &str) -> Result<Option<Item>, IndexError> {
        self.get_by(searcher, self.fields.id, id)
    }

    fn get_by(
        &self,
        searcher: &Searcher,
        field: Field,
        id: &str,
    ) -> Result<Option<Item>, IndexError> {
        let q = TermQuery::new(Term::from_field_text(field, id), IndexRecordOption::Basic);
        let hits = searcher
            .search(
                &q,
                &tantivy::collector::TopDocs::with_limit(1).order_by_score(),
            )
            .map_err(tantivy_err(&self.dir))?;
        match hits.first() {
            Some((_, addr)) => {
                let doc: TantivyDocument = searcher.doc(*addr).map_err(tantivy_err(&self.dir))?;
                self.item_of(&doc).map(Some)
            }
            None => Ok(None),
        }
    }

    /// The other documents of `story` (at most `limit`, oldest id first),
    /// `except` the one being shown.
    pub fn story_members(
        &self,
        searcher: &Searcher,
        story: &str,
        except: &str,
        limit: usize,
    ) -> Result<Vec<crate::model::StoryMember>, IndexError> {
        let q = TermQuery::new(
            Term::from_field_text(self.fields.story, story),
            IndexRecordOption::Basic,
        );
        let mut addrs: Vec<_> = searcher
            .search(&q, &tantivy::collector::DocSetCollector)
            .map_err(tantivy_err(&self.dir))?
            .into_iter()
            .collect();
        addrs.sort();
        let mut members = Vec::new();
        for addr in addrs {
            let doc: TantivyDocument = searcher.doc(addr).map_err(tantivy_err(&self.dir))?;
            let m: crate::model::StoryMember = self.stored_as(&doc)?;
            if m.id != except {
                members.push(m);
            }
        }
        members.sort_by(|a, b| a.id.cmp(&b.id));
        members.truncate(limit);
        Ok(members)
    }

    /// Every item filed (`date`) in `[from, to]`.
    pub fn dated_between(
        &self,
        searcher: &Searcher,
        from: Timestamp,
        to: Timestamp,
    ) -> Result<Vec<Item>, IndexError> {
        let term = |t: Timestamp| Term::from_field_date_for_search(self.fields.date, to_tantivy(t));
        let q = tantivy::query::RangeQuery::new(
            std::ops::Bound::Included(term(from)),
            std::ops::Bound::Included(term(to)),
        );
        let addrs = searcher
            .search(&q, &tantivy::collector::DocSetCollector)
            .map_err(tantivy_err(&self.dir))?;
        let mut items = Vec::with_capacity(addrs.len());
        for addr in addrs {
            let doc: TantivyDocument = searcher.doc(addr).map_err(tantivy_err(&self.dir))?;
            items.push(self.item_of(&doc)?);
        }
        Ok(items)
    }

    /// Read the item back from a stored document, its body included.
    pub fn item_of(&self, doc: &TantivyDocument) -> Result<Item, IndexError> {
        let mut item: Item = self.stored_as(doc)?;
        if let Some(body) = self.stored_body(doc) {
            item.body = body.to_string();
        }
        Ok(item)
    }

    /// The body of a stored document (kept apart from the item's JSON).
    pub fn stored_body<'d>(&self, doc: &'d TantivyDocument) -> Option<&'d str> {
        doc.get_first(self.fields.body).and_then(|v| v.as_str())
    }

    /// The stored item read as `T`: a struct of the fields a caller needs
    /// (serde skips the others), cheaper than a whole [`Item`]. The JSON holds
    /// no body (schema 5): a `T` with a `body` gets it empty; read it with
    /// [`HorizonIndex::stored_body`], or the whole item with [`HorizonIndex::item_of`].
    pub fn stored_as<T: serde::de::DeserializeOwned>(
        &self,
        doc: &TantivyDocument,
    ) -> Result<T, IndexError> {
        let json = doc
            .get_first(self.fields.item)
            .and_then(|v| v.as_str())
            .ok_or_else(|| IndexError::Corrupt {
                path: self.dir.clone(),
                message: "document without its stored item".into(),
            })?;
        serde_json::from_str(json).map_err(|e| IndexError::Corrupt {
            path: self.dir.clone(),
            message: e.to_string(),
        })
    }

    /// The tantivy document for an item, its body included.
    pub fn doc_of(&self, item: &Item) -> TantivyDocument {
        let mut doc = document_for(&self.fields, item);
        if !item.body.is_empty() {
            doc.add_text(self.fields.body, &item.body);
        }
        doc
    }

    /// Run a JSON aggregation request and return tantivy's typed result.
    fn aggregate(
        &self,
        searcher: &Searcher,
        query: &dyn Query,
        request: serde_json::Value,
    ) -> Result<AggregationResults, IndexError> {
        let aggs: Aggregations =
            serde_json::from_value(request).map_err(|e| IndexError::Corrupt {
                path: self.dir.clone(),
                message: format!("bad aggregation request: {e}"),
            })?;
        let collector = AggregationCollector::from_aggs(aggs, Default::default());
        searcher
            .search(query, &collector)
            .map_err(tantivy_err(&self.dir))
    }

    /// Document counts per value of a raw field (`kind`, `source`, `topic`…), sorted by name.
    ///
    /// Read from tantivy's typed result, so a change of its shape is an
    /// error here rather than silently empty counts.
    pub fn counts_by(
        &self,
        searcher: &Searcher,
        query: &dyn Query,
        field: &str,
    ) -> Result<BTreeMap<String, u64>, IndexError> {
        let request = serde_json::json!({ "by": { "terms": { "field": field, "size": 65000 } } });
        let mut res = self.aggregate(searcher, query, request)?;
        self.term_counts(res.0.remove("by"), field)
    }

    /// Per value of `field`: its document count and, among those documents,
    /// the counts per value of `sub_field` (sorted by name).
    pub fn counts_by_pair(
        &self,
        searcher: &Searcher,
        query: &dyn Query,
        field: &str,
        sub_field: &str,
    ) -> Result<BTreeMap<String, SubCounts>, IndexError> {
        let request = serde_json::json!({
            "by": {
                "terms": { "field": field, "size": 65000 },
                "aggs": { "sub": { "terms": { "field": sub_field, "size": 65000 } } }
            }
        });
        let mut res = self.aggregate(searcher, query, request)?;
        let mut out = BTreeMap::new();
        for b in self.term_buckets(res.0.remove("by"), field)? {
            if let Key::Str(k) = b.key {
                let mut sub = b.sub_aggregation;
                let counts = self.term_counts(sub.0.remove("sub"), sub_field)?;
                out.insert(
                    k,
                    SubCounts {
                        documents: b.doc_count,
                        by: counts,
                    },
                );
            }
        }
        Ok(out)
    }

    /// Per date range `[since, until)` of `date_field`: its document count
    /// and the counts per value of `sub_field` among them, in `ranges` order.
    pub fn counts_by_ranges(
        &self,
        searcher: &Searcher,
        query: &dyn Query,
        date_field: &str,
        ranges: &[(Timestamp, Timestamp)],
        sub_field: &str,
    ) -> Result<Vec<SubCounts>, IndexError> {
        let ns = |t: Timestamp| t.as_second() as f64 * 1e9;
        let keyed: Vec<serde_json::Value> = ranges
            .iter()
            .enumerate()
            .map(|(i, (a, b))| serde_json::json!({ "key": format!("r{i}"), "from": ns(*a), "to": ns(*b) }))
            .collect();
        let request = serde_json::json!({
            "by": {
                "range": { "field": date_field, "ranges": keyed, "keyed": true },
                "aggs": { "sub": { "terms": { "field": sub_field, "size": 65000 } } }
            }
        });
        let mut res = self.aggregate(searcher, query, request)?;
        let Some(AggregationResult::BucketResult(BucketResult::Range { buckets })) =
            res.0.remove("by")
        else {
            return Err(self.shape_error(date_field, "range buckets"));
        };
        let mut by_key: BTreeMap<String, SubCounts> = BTreeMap::new();
        let entries: Vec<(String, tantivy::aggregation::agg_result::RangeBucketEntry)> =
            match buckets {
                BucketEntries::HashMap(map) => map.into_iter().collect(),
                BucketEntries::Vec(v) => v.into_iter().map(|b| (b.key.to_string(), b)).collect(),
            };
        for (key, b) in entries {
            let mut sub = b.sub_aggregation;
            let counts = self.term_counts(sub.0.remove("sub"), sub_field)?;
            by_key.insert(
                key,
                SubCounts {
                    documents: b.doc_count,
                    by: counts,
                },
            );
        }
        Ok((0..ranges.len())
            .map(|i| by_key.remove(&format!("r{i}")).unwrap_or_default())
            .collect())
    }

    /// Documents per ISO week (Monday 00:00 UTC to the next) of the dates in
    /// `date_field`, each with its counts per value of `sub_field`, oldest
    /// first; weeks without documents are left out.
    pub fn counts_by_week(
        &self,
        searcher: &Searcher,
        query: &dyn Query,
        date_field: &str,
        sub_field: &str,
    ) -> Result<Vec<(Timestamp, SubCounts)>, IndexError> {
        // 1970-01-01 was a Thursday: weeks of 7 days shifted by 4 start on Mondays.
        let request = serde_json::json!({
            "by": {
                "date_histogram": {
                    "field": date_field,
                    "fixed_interval": "7d",
                    "offset": "4d",
                    "min_doc_count": 1
                },
                "aggs": { "sub": { "terms": { "field": sub_field, "size": 65000 } } }
            }
        });
        let mut res = self.aggregate(searcher, query, request)?;
        let Some(AggregationResult::BucketResult(BucketResult::Histogram { buckets })) =
            res.0.remove("by")
        else {
            return Err(self.shape_error(date_field, "histogram buckets"));
        };
        let buckets = match buckets {
            BucketEntries::Vec(v) => v,
            BucketEntries::HashMap(map) => map.into_values().collect(),
        };
        let mut out = Vec::with_capacity(buckets.len());
        for b in buckets {
            let start = b
                .key_as_string
                .as_deref()
                .and_then(|k| k.parse::<Timestamp>().ok())
                .ok_or_else(|| self.shape_error(date_field, "dated histogram buckets"))?;
            let mut sub = b.sub_aggregation;
            let by = self.term_counts(sub.0.remove("sub"), sub_field)?;
            out.push((
                start,
                SubCounts {
                    documents: b.doc_count,
                    by,
                },
            ));
        }
        out.sort_by_key(|(start, _)| *start);
        Ok(out)
    }

    /// The buckets of a terms aggregation's typed result.
    fn term_buckets(
        &self,
        res: Option<AggregationResult>,
        field: &str,
    ) -> Result<Vec<tantivy::aggregation::agg_result::BucketEntry>, IndexError> {
        match res {
            Some(AggregationResult::BucketResult(BucketResult::Terms { buckets, .. })) => {
                Ok(buckets)
            }
            _ => Err(self.shape_error(field, "term buckets")),
        }
    }

    /// A terms aggregation's counts per string value.
    fn term_counts(
        &self,
        res: Option<AggregationResult>,
        field: &str,
    ) -> Result<BTreeMap<String, u64>, IndexError> {
        let mut out = BTreeMap::new();
        for b in self.term_buckets(res, field)? {
            if let Key::Str(k) = b.key {
                out.insert(k, b.doc_count);
            }
        }
        Ok(out)
    }

    fn shape_error(&self, field: &str, wanted: &str) -> IndexError {
        IndexError::Corrupt {
            path: self.dir.clone(),
            message: format!("the aggregation over {field:?} gave no {wanted}"),
        }
    }

    /// What `horizon stats` shows of the index: documents, size, and counts
    /// per kind, source, topic, vendor, stage and language.
    pub fn stats(&self) -> Result<Stats, IndexError> {
        let searcher = self.searcher()?;
        let by = |f: &str| self.counts_by(&searcher, &AllQuery, f);
        Ok(Stats {
            documents: self.count(&searcher)?,
            size_bytes: self.size_on_disk(),
            by_kind: by("kind")?,
            by_source: by("source")?,
            by_topic: by("topic")?,
            by_vendor: by("vendor")?,
            by_stage: by("stage")?,
            by_language: by("language")?,
        })
    }

    /// Bytes on disk of the tantivy files.
    pub fn size_on_disk(&self) -> u64 {
        dir_size(&Self::tantivy_dir(&self.dir))
    }
}

fn dir_size(dir: &Path) -> u64 {
    std::fs::read_dir(dir)
        .map(|rd| {
            rd.filter_map(Result::ok)
                .map(|e| match e.metadata() {
                    Ok(m) if m.is_dir() => dir_size(&e.path()),
                    Ok(m) => m.len(),
                    Err(_) => 0,
                })
                .sum()
        })
        .unwrap_or(0)
}

/// Documents whose `field` date is in `[since, until)`.
pub fn date_range(
    field: tantivy::schema::Field,
    since: Option<Timestamp>,
    until: Option<Timestamp>,
) -> Box<dyn Query> {
    let term = |t: Timestamp| tantivy::Term::from_field_date_for_search(field, to_tantivy(t));
    let lo = since
        .map(|t| std::ops::Bound::Included(term(t)))
        .unwrap_or(std::ops::Bound::Unbounded);
    let hi = until
        .map(|t| std::ops::Bound::Excluded(term(t)))
        .unwrap_or(std::ops::Bound::Unbounded);
    Box::new(tantivy::query::RangeQuery::new(lo, hi))
}

/// tantivy date from a timestamp.
pub fn to_tantivy(ts: Timestamp) -> DateTime {
    DateTime::from_timestamp_secs(ts.as_second())
}

/// Timestamp from a tantivy date.
pub fn from_tantivy(dt: DateTime) -> Timestamp {
    Timestamp::from_second(dt.into_timestamp_secs()).unwrap_or(Timestamp::UNIX_EPOCH)
}

/// The tantivy document for an item, without its body: what the tagger's
/// in-memory index of a batch (`topics.rs`) reads, so a topic's `query`
/// matches title, summary and the other short fields as it always has.
/// [`HorizonIndex::doc_of`] adds the body for the index search reads. The
/// stored item's JSON never holds the body: the body field stores it, so
/// reading a hit's title and summary does not parse up to 100 KB of text.
pub fn document_for(f: &Fields, item: &Item) -> TantivyDocument {
    let mut doc = TantivyDocument::default();
    doc.add_text(f.id, &item.id);
    for former in &item.former_ids {
        doc.add_text(f.former_id, former);
    }
    doc.add_text(f.kind, item.kind.as_str());
    doc.add_text(f.source, &item.source);
    if let Some(v) = item.vendor {
        doc.add_text(f.vendor, v.as_str());
    }
    doc.add_text(f.title, &item.title);
    doc.add_text(f.summary, &item.summary);
    for a in &item.authors {
        doc.add_text(f.author, a);
    }
    for c in &item.categories {
        doc.add_text(f.category, c);
    }
    for t in &item.topics {
        doc.add_text(f.topic, t);
    }
    for p in &item.products {
        doc.add_text(f.product, p);
    }
    if let Some(s) = item.stage {
        doc.add_text(f.stage, s.as_str());
    }
    if let Some(r) = item.relation {
        doc.add_text(f.relation, r.as_str());
    }
    for link in &item.links {
        doc.add_text(f.system, &link.system);
        doc.add_text(f.link_relation, link.relation.as_str());
        if let Some(key) = link.launch_key(item.vendor) {
            doc.add_text(f.launch_key, key);
        }
        if let Some(o) = &link.offering {
            doc.add_text(f.offering, o);
        }
    }
    if let Some(l) = &item.language {
        doc.add_text(f.language, l.to_lowercase());
    }
    if let Some(p) = item.published {
        doc.add_date(f.published, to_tantivy(p));
    }
    if let Some(d) = item.date() {
        doc.add_date(f.date, to_tantivy(d));
    }
    if let Some(d) = item.first_seen {
        doc.add_date(f.first_seen, to_tantivy(d));
    }
    if let Some(s) = item.stars_period {
        doc.add_u64(f.stars_period, s);
    }
    if let Some(s) = item.stars {
        doc.add_u64(f.stars, s);
    }
    doc.add_text(f.story, item.story.as_deref().unwrap_or(&item.id));
    let json = if item.body.is_empty() {
        serde_json::to_string(item)
    } else {
        serde_json::to_string(&Item {
            body: String::new(),
            ..item.clone()
        })
    };
    doc.add_text(f.item, json.unwrap_or_default());
    doc
}

/// What [`migrate`] did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Migrated {
    /// Documents rewritten.
    pub documents: usize,
    /// Documents that got a new id (their old one kept in `former_ids`).
    pub moved: usize,
    /// Documents folded into another with the same new id (a renamed
    /// source's document and the one its new name had already indexed).
    pub folded: usize,
    /// Where the old tantivy files were moved.
    pub backup: PathBuf,
}

/// Renamed sources for [`migrate`]: old name → new name.
pub type Renames = BTreeMap<String, String>;

/// Rebuild the index at `dir` with this version's schema from the items its
/// documents store (every schema stores the item as JSON in the `item`
/// field; schema 5 keeps its body apart, in the stored `body` field, and
/// schema 4 and earlier inside the JSON), passing each batch through
/// `enrich` (topic tags, cloud note classification). The new index is built beside the old one; the old
/// tantivy files are kept in `tantivy.v<N>-backup`. Documents whose stored
/// item does not parse are counted in the error, never silently dropped.
///
/// Ids move on the way ([`crate::ids`]): feed ids made before ids were
/// namespaced go into their source's namespace, and the documents of a
/// source in `renames` take its new name and namespace. A moved document
/// keeps its old id in `former_ids`, and story ids follow their documents.
/// Running it again moves nothing more.
pub fn migrate(
    dir: &Path,
    renames: &Renames,
    mut enrich: impl FnMut(&mut [Item]) -> Result<(), String>,
) -> Result<Migrated, IndexError> {
    let tdir = HorizonIndex::tantivy_dir(dir);
    if !HorizonIndex::exists(dir) {
        return Err(IndexError::Missing(dir.to_path_buf()));
    }
    let old = Index::open_in_dir(&tdir).map_err(tantivy_err(dir))?;
    let item_field = old.schema().get_field("item").map_err(tantivy_err(dir))?;
    // Since version 5 the body is stored in its own field; before, in the JSON.
    let body_field = old
        .schema()
        .get_field("body")
        .ok()
        .filter(|f| old.schema().get_field_entry(*f).is_stored());
    let reader = old.reader().map_err(tantivy_err(dir))?;
    let searcher = reader.searcher();
    let mut addrs: Vec<tantivy::DocAddress> = searcher
        .search(&AllQuery, &tantivy::collector::DocSetCollector)
        .map_err(tantivy_err(dir))?
        .into_iter()
        .collect();
    addrs.sort();
    // The stored item as `T`, and the stored body when `body` names the field.
    fn stored<T: serde::de::DeserializeOwned>(
        searcher: &Searcher,
        (item_field, body): (Field, Option<Field>),
        dir: &Path,
        addr: tantivy::DocAddress,
    ) -> Result<(T, Option<String>), IndexError> {
        let doc: TantivyDocument = searcher.doc(addr).map_err(tantivy_err(dir))?;
        let json = doc
            .get_first(item_field)
            .and_then(|v| tantivy::schema::Value::as_str(&v))
            .unwrap_or_default();
        let parsed = serde_json::from_str(json).map_err(|e| IndexError::Io {
            path: dir.to_path_buf(),
            source: std::io::Error::other(format!(
                "a stored document does not parse ({e}); nothing was changed"
            )),
        })?;
        let body = body.and_then(|f| {
            doc.get_first(f)
                .and_then(|v| tantivy::schema::Value::as_str(&v))
                .map(str::to_string)
        });
        Ok((parsed, body))
    }
    let moves = plan_moves(
        addrs
            .iter()
            .map(|a| stored::<IdAndSource>(&searcher, (item_field, None), dir, *a).map(|s| s.0)),
        renames,
    )?;
    let staging = dir.join(".reindex");
    if staging.exists() {
        std::fs::remove_dir_all(&staging).map_err(io_err(&staging))?;
    }
    let fresh = HorizonIndex::open_or_create(&staging)?;
    let mut writer = fresh.writer(64 * 1024 * 1024)?;
    let mut documents = 0;
    let mut held: BTreeMap<String, Item> = BTreeMap::new();
    let mut stories = crate::stories::Assigner::default();
    for chunk in addrs.chunks(10_000) {
        let mut items = Vec::with_capacity(chunk.len());
        for addr in chunk {
            let (mut item, body): (Item, _) =
                stored(&searcher, (item_field, body_field), dir, *addr)?;
            if let Some(body) = body {
                item.body = body;
            }
            moves.apply(&mut item, renames);
            items.push(item);
        }
        enrich(&mut items).map_err(|e| IndexError::Io {
            path: dir.to_path_buf(),
            source: std::io::Error::other(e),
        })?;
        // Documents from before stories get theirs (in date order within
        // the batch, against every batch before); the others keep theirs.
        stories.assign(&mut items);
        for item in items {
            if moves.shared.contains(&item.id) {
                let folded = match held.remove(&item.id) {
                    Some(other) => fold(other, item),
                    None => item,
                };
                held.insert(folded.id.clone(), folded);
                continue;
            }
            writer
                .add_document(fresh.doc_of(&item))
                .map_err(tantivy_err(dir))?;
            documents += 1;
        }
    }
    for item in held.values() {
        writer
            .add_document(fresh.doc_of(item))
            .map_err(tantivy_err(dir))?;
        documents += 1;
    }
    writer.commit().map_err(tantivy_err(dir))?;
    drop(writer);
    drop(fresh);
    let found = std::fs::read_to_string(dir.join("horizon.json"))
        .ok()
        .and_then(|t| serde_json::from_str::<VersionFile>(&t).ok())
        .map_or("unknown".to_string(), |v| v.schema_version.to_string());
    let mut backup = dir.join(format!("tantivy.v{found}-backup"));
    let mut n = 1;
    while backup.exists() {
        n += 1;
        backup = dir.join(format!("tantivy.v{found}-backup.{n}"));
    }
    // From here on the swap can be finished by whoever opens the index
    // next, should this process be killed (see `finish_swap`).
    let marker = staging.join(SWAP_MARKER);
    crate::state::write_atomic(&marker, backup.to_string_lossy().as_bytes())
        .map_err(io_err(&marker))?;
    std::fs::rename(&tdir, &backup).map_err(io_err(&tdir))?;
    finish_swap(dir)?;
    Ok(Migrated {
        documents,
        moved: moves.ids.len(),
        folded: addrs.len() - documents,
        backup,
    })
}

/// The ids a reindex changes, decided over every document before any is
/// written (a story id names a document that may come in a later batch).
#[derive(Debug, Default)]
struct Moves {
    /// Old id → new id.
    ids: std::collections::HashMap<String, String>,
    /// New ids that more than one document ends up with.
    shared: std::collections::HashSet<String>,
}

impl Moves {
    /// Move `item` to its new id (keeping the old one), its story to its
    /// story's, and a renamed source's item to the new name.
    fn apply(&self, item: &mut Item, renames: &Renames) {
        if let Some(new) = self.ids.get(&item.id) {
            let old = std::mem::replace(&mut item.id, new.clone());
            if !item.former_ids.contains(&old) {
                item.former_ids.push(old);
            }
        }
        if let Some(story) = item.story.as_mut() {
            if let Some(new) = self.ids.get(story.as_str()) {
                *story = new.clone();
            }
        }
        if let Some(to) = renames.get(&item.source) {
            item.source = to.clone();
        }
    }
}

/// What [`plan_moves`] reads of a stored item (serde skips the rest).
#[derive(Deserialize)]
struct IdAndSource {
    id: String,
    source: String,
}

/// Where each document's id goes ([`crate::ids`]), and which new ids are shared.
fn plan_moves(
    items: impl Iterator<Item = Result<IdAndSource, IndexError>>,
    renames: &Renames,
) -> Result<Moves, IndexError> {
    let mut moves = Moves::default();
    let mut seen = std::collections::HashSet::new();
    for item in items {
        let item = item?;
        let to = renames.get(&item.source);
        let source = to.unwrap_or(&item.source);
        let new = crate::ids::namespaced(&item.id, source)
            .or_else(|| to.and_then(|to| crate::ids::renamed(&item.id, &item.source, to)));
        let id = match new {
            Some(new) => {
                moves.ids.insert(item.id, new.clone());
                new
            }
            None => item.id,
        };
        if !seen.insert(id.clone()) {
            moves.shared.insert(id);
        }
    }
    Ok(moves)
}

/// One document of two that a reindex gives the same id: the one seen first
/// by horizon keeps its `first_seen`, story and marks' id; the other's fresher
/// fields fill it ([`merge`]); both sets of former ids are kept.
fn fold(a: Item, b: Item) -> Item {
    let (older, newer) = if b.first_seen < a.first_seen {
        (b, a)
    } else {
        (a, b)
    };
    let last_seen = older.last_seen.max(newer.last_seen);
    let mut former = older.former_ids.clone();
    for id in &newer.former_ids {
        if !former.contains(id) {
            former.push(id.clone());
        }
    }
    let story = older.story.clone().or_else(|| newer.story.clone());
    let now = last_seen.unwrap_or(Timestamp::UNIX_EPOCH);
    let (mut item, _) = merge(newer, Some(&older), now);
    item.last_seen = last_seen;
    item.former_ids = former;
    item.story = story;
    item
}

/// The file in `.reindex/` that says the rebuilt index is complete and the
/// swap has begun or is about to.
pub const SWAP_MARKER: &str = "swap";

/// Finish a reindex's swap that was interrupted (a kill between its renames
/// left no `tantivy/`, or the new `tantivy/` beside the old `horizon.json`):
/// move the rebuilt index and its version file into place and drop the
/// staging folder. Every step can be repeated, and a step another process
/// did first is skipped, so two processes finishing the same swap both
/// succeed. Without the marker, or with the old index still in place,
/// nothing is touched: a rebuild killed before its swap leaves the old index
/// as it was, and the next `reindex` starts afresh.
fn finish_swap(dir: &Path) -> Result<(), IndexError> {
    let staging = dir.join(".reindex");
    if !staging.join(SWAP_MARKER).is_file() {
        return Ok(());
    }
    let tdir = HorizonIndex::tantivy_dir(dir);
    let new_tdir = HorizonIndex::tantivy_dir(&staging);
    let old_there = tdir.join("meta.json").is_file();
    let new_there = new_tdir.join("meta.json").is_file();
    if old_there == new_there {
        // Both: the old index was not moved away yet, the swap has not
        // begun. Neither: nothing this function can put in place.
        return Ok(());
    }
    let done_by_another = |e: &std::io::Error| e.kind() == std::io::ErrorKind::NotFound;
    if new_there {
        if let Err(e) = std::fs::rename(&new_tdir, &tdir) {
            if !(done_by_another(&e) && tdir.join("meta.json").is_file()) {
                return Err(IndexError::Io {
                    path: new_tdir,
                    source: e,
                });
            }
        }
    }
    let version = staging.join("horizon.json");
    if let Err(e) = std::fs::rename(&version, dir.join("horizon.json")) {
        if !done_by_another(&e) {
            return Err(IndexError::Io {
                path: version,
                source: e,
            });
        }
    }
    match std::fs::remove_dir_all(&staging) {
        Err(e) if !done_by_another(&e) => Err(IndexError::Io {
            path: staging,
            source: e,
        }),
        _ => Ok(()),
    }
}

/// What an upsert did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Upsert {
    /// Not in the index before.
    New,
    /// In the index, content changed.
    Updated,
    /// In the index, content the same.
    Unchanged,
}

/// Merge a freshly parsed item with what the index holds under its id.
///
/// Keeps `first_seen`; takes the fresh value of every field the fresh item
/// has and the stored value of those it lacks (an arXiv listing has no
/// `updated`, the API no announce type); appends trend sightings; keeps the
/// highest arXiv version. Returns the merged item and whether its content
/// changed (ignoring `last_seen`).
pub fn merge(fresh: Item, old: Option<&Item>, now: Timestamp) -> (Item, Upsert) {
    let Some(old) = old else {
        let mut item = fresh;
        item.first_seen = Some(now);
        item.last_seen = Some(now);
        return (item, Upsert::New);
    };
    let mut m = fresh;
    m.first_seen = old.first_seen.or(Some(now));
    macro_rules! keep_opt {
        ($($f:ident),*) => { $( if m.$f.is_none() { m.$f = old.$f.clone(); } )* };
    }
    macro_rules! keep_vec {
        ($($f:ident),*) => { $( if m.$f.is_empty() { m.$f = old.$f.clone(); } )* };
    }
    keep_opt!(
        vendor,
        published,
        updated,
        first_published,
        stage,
        stars,
        stars_period,
        period,
        forks,
        language,
        primary_category,
        pdf_url,
        announce_type,
        story
    );
    keep_vec!(authors, categories, products, former_ids);
    if m.summary.is_empty() {
        m.summary = old.summary.clone();
    }
    if m.body.is_empty() {
        m.body = old.body.clone();
    }
    if let (Some(a), Some(b)) = (m.version, old.version) {
        m.version = Some(a.max(b));
    } else if m.version.is_none() {
        m.version = old.version;
    }
    if !old.trend_history.is_empty() || !m.trend_history.is_empty() {
        let mut history = old.trend_history.clone();
        for s in std::mem::take(&mut m.trend_history) {
            if !history
                .iter()
                .any(|h| h.date == s.date && h.period == s.period)
            {
                history.push(s);
            }
        }
        if history.len() > MAX_TREND_HISTORY {
            history.drain(..history.len() - MAX_TREND_HISTORY);
        }
        m.trend_history = history;
    }
    // Compare everything but `last_seen`, which always moves.
    m.last_seen = old.last_seen;
    let outcome = if m == *old {
        Upsert::Unchanged
    } else {
        Upsert::Updated
    };
    m.last_seen = Some(now);
    (m, outcome)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Kind, TrendSighting};

    fn ts(s: &str) -> Timestamp {
        s.parse().unwrap()
    }

    // Guards #28 item 10: segment files of a commit that never finished (a
    // full disk, a kill) are removed when the next writer opens, so a disk
    // freed a little is not filled again by them.
    #[test]
    fn a_new_writer_removes_what_an_unfinished_commit_left() {
        let dir = tempfile::tempdir().unwrap();
        let idx = HorizonIndex::open_or_create(dir.path()).unwrap();
        let files = || {
            std::fs::read_dir(HorizonIndex::tantivy_dir(dir.path()))
                .unwrap()
                .count()
        };
        let mut w = idx.writer(15_000_000).unwrap();
        w.add_document(idx.doc_of(&Item::new("feed:1", Kind::Article, "s", "One", "u")))
            .unwrap();
        w.commit().unwrap();
        drop(w);
        let committed = files();
        let mut w = idx.writer(15_000_000).unwrap();
        for i in 0..200 {
            let item = Item::new(format!("feed:x{i}"), Kind::Article, "s", "Two", "u");
            w.add_document(idx.doc_of(&item)).unwrap();
        }
        // Segments written, no commit: what a failed commit leaves.
        let prepared = w.prepare_commit().unwrap();
        drop(prepared);
        drop(w);
        assert!(files() > committed, "the unfinished commit left files");
        drop(idx.writer(15_000_000).unwrap());
        assert_eq!(files(), committed);
        assert_eq!(idx.count(&idx.searcher().unwrap()).unwrap(), 1);
    }

    // Guards #32: the body is stored in its own field, never in the item's
    // JSON (a hit showing its summary parses no body), comes back whole with
    // the item, and survives a reindex of an index of this version.
    #[test]
    fn the_body_is_stored_apart_from_the_item_and_survives_a_reindex() {
        let dir = tempfile::tempdir().unwrap();
        let idx = HorizonIndex::open_or_create(dir.path()).unwrap();
        let mut item = Item::new("feed:b", Kind::Article, "s", "Title", "u");
        item.summary = "The summary.".into();
        item.body = "OpenTelemetry in the body, ".repeat(1000);
        let mut w = idx.writer(15_000_000).unwrap();
        w.add_document(idx.doc_of(&item)).unwrap();
        w.commit().unwrap();
        drop(w);
        let searcher = idx.searcher().unwrap();
        let q = TermQuery::new(
            Term::from_field_text(idx.fields.id, "feed:b"),
            IndexRecordOption::Basic,
        );
        let addr = searcher
            .search(&q, &tantivy::collector::DocSetCollector)
            .unwrap();
        let addr = *addr.iter().next().unwrap();
        let doc: TantivyDocument = searcher.doc(addr).unwrap();
        let json = doc
            .get_first(idx.fields.item)
            .and_then(|v| v.as_str())
            .unwrap();
        assert!(!json.contains("OpenTelemetry"), "{json}");
        assert_eq!(idx.stored_body(&doc), Some(item.body.as_str()));
        let back = idx.get(&searcher, "feed:b").unwrap().unwrap();
        assert_eq!(back.body, item.body);
        assert_eq!(back.summary, item.summary);
        drop((searcher, idx));
        migrate(dir.path(), &Renames::default(), |_| Ok(())).unwrap();
        let idx = HorizonIndex::open(dir.path()).unwrap();
        let back = idx
            .get(&idx.searcher().unwrap(), "feed:b")
            .unwrap()
            .unwrap();
        assert_eq!(back.body, item.body);
    }

    // Guards the serve's list of report weeks: buckets start on Mondays
    // 00:00 UTC (a Sunday 23:59 and the next Monday 00:00 fall apart), empty
    // weeks are left out, and each week counts its documents per kind.
    #[test]
    fn counts_by_week_buckets_iso_weeks() {
        let dir = tempfile::tempdir().unwrap();
        let idx = HorizonIndex::open_or_create(dir.path()).unwrap();
        let mut w = idx.writer(15_000_000).unwrap();
        for (n, (when, kind)) in [
            ("2025-10-27T00:00:00Z", Kind::Article), // Monday of 2025-W44
            ("2025-11-02T23:59:59Z", Kind::Paper),   // Sunday of 2025-W44
            ("2025-11-03T00:00:00Z", Kind::Article), // Monday of 2025-W45
            ("2025-11-20T12:00:00Z", Kind::Article), // 2025-W47; W46 is empty
        ]
        .into_iter()
        .enumerate()
        {
            let mut item = Item::new(format!("feed:{n}"), kind, "s", "T", "u");
            item.published = Some(ts(when));
            w.add_document(idx.doc_of(&item)).unwrap();
        }
        w.commit().unwrap();
        let s = idx.searcher().unwrap();
        let weeks = idx.counts_by_week(&s, &AllQuery, "date", "kind").unwrap();
        let got: Vec<(String, u64, Option<u64>)> = weeks
            .iter()
            .map(|(t, c)| (t.to_string(), c.documents, c.by.get("paper").copied()))
            .collect();
        assert_eq!(
            got,
            [
                ("2025-10-27T00:00:00Z".to_string(), 2, Some(1)),
                ("2025-11-03T00:00:00Z".to_string(), 1, None),
                ("2025-11-17T00:00:00Z".to_string(), 1, None),
            ]
        );
    }

    #[test]
    fn merge_keeps_first_seen_and_fills_gaps() {
        let mut old = Item::new("arxiv:1", Kind::Paper, "api", "T", "u");
        old.first_seen = Some(ts("2026-01-01T00:00:00Z"));
        old.updated = Some(ts("2026-01-02T00:00:00Z"));
        old.version = Some(2);
        let mut fresh = Item::new("arxiv:1", Kind::Paper, "listing", "T", "u");
        fresh.announce_type = Some("replace".into());
        fresh.version = Some(1);
        let (m, how) = merge(fresh, Some(&old), ts("2026-02-01T00:00:00Z"));
        assert_eq!(how, Upsert::Updated);
        assert_eq!(m.first_seen, old.first_seen);
        assert_eq!(m.updated, old.updated);
        assert_eq!(m.version, Some(2));
        assert_eq!(m.last_seen, Some(ts("2026-02-01T00:00:00Z")));
    }

    // Guards the full-text cache: an article answered 304 arrives without a
    // body and keeps the stored one; a fresh body replaces it.
    #[test]
    fn merge_keeps_the_stored_body_when_the_fresh_item_has_none() {
        let now = ts("2026-02-01T00:00:00Z");
        let mut old = Item::new("feed:1", Kind::Article, "blog", "T", "u");
        old.body = "the article text".into();
        old.first_seen = Some(now);
        old.last_seen = Some(now);
        let fresh = Item::new("feed:1", Kind::Article, "blog", "T", "u");
        let (m, how) = merge(fresh, Some(&old), now);
        assert_eq!(
            (m.body.as_str(), how),
            ("the article text", Upsert::Unchanged)
        );
        let mut fresh = Item::new("feed:1", Kind::Article, "blog", "T", "u");
        fresh.body = "edited text".into();
        let (m, how) = merge(fresh, Some(&old), now);
        assert_eq!((m.body.as_str(), how), ("edited text", Upsert::Updated));
    }

    #[test]
    fn merge_detects_unchanged_and_appends_sightings() {
        let now = ts("2026-02-01T00:00:00Z");
        let (first, how) = merge(Item::new("x", Kind::Article, "s", "T", "u"), None, now);
        assert_eq!(how, Upsert::New);
        let (_, how) = merge(
            Item::new("x", Kind::Article, "s", "T", "u"),
            Some(&first),
            now,
        );
        assert_eq!(how, Upsert::Unchanged);

        let sighting = |d: &str| TrendSighting {
            date: d.into(),
            period: crate::model::TrendingPeriod::Daily,
            stars_period: Some(5),
        };
        let mut a = Item::new("github:a/b", Kind::Repo, "s", "a/b", "u");
        a.trend_history = vec![sighting("2026-01-01")];
        let (stored, _) = merge(a.clone(), None, now);
        let mut again = a.clone();
        again.trend_history = vec![sighting("2026-01-02")];
        let (m, how) = merge(again, Some(&stored), now);
        assert_eq!(how, Upsert::Updated);
        assert_eq!(m.trend_history.len(), 2);
        let (m2, how) = merge(a, Some(&m), now);
        assert_eq!(m2.trend_history.len(), 2, "same day is not counted twice");
        assert_eq!(how, Upsert::Unchanged);
    }

    #[test]
    fn index_round_trip_and_version_check() {
        let dir = tempfile::tempdir().unwrap();
        let idx = HorizonIndex::open_or_create(dir.path()).unwrap();
        let mut w = idx.writer(20_000_000).unwrap();
        let mut item = Item::new(
            "feed:1",
            Kind::Article,
            "blog",
            "Kafka tiered storage",
            "https://x/1",
        );
        item.topics = vec!["streaming".into()];
        w.add_document(idx.doc_of(&item)).unwrap();
        w.commit().unwrap();
        let s = idx.searcher().unwrap();
        assert_eq!(idx.count(&s).unwrap(), 1);
        assert_eq!(
            idx.get(&s, "feed:1").unwrap().unwrap().title,
            "Kafka tiered storage"
        );
        assert_eq!(
            idx.counts_by(&s, &AllQuery, "topic")
                .unwrap()
                .get("streaming"),
            Some(&1)
        );
        drop((w, s, idx));

        std::fs::write(
            dir.path().join("horizon.json"),
            r#"{"schema_version":0,"created_by":"x"}"#,
        )
        .unwrap();
        let err = HorizonIndex::open(dir.path()).unwrap_err().to_string();
        assert!(err.contains("schema version 0"), "{err}");
        let empty = tempfile::tempdir().unwrap();
        let err = HorizonIndex::open(empty.path()).unwrap_err().to_string();
        assert!(err.contains("run `horizon crawl` first"), "{err}");
    }
}
