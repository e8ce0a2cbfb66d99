//! Search for a long-running reader: what `horizon::search::search` rebuilds
//! on every call is built once here, or once per reader generation.
//!
//! - The reader reloads itself when a commit lands (tantivy's
//!   `OnCommitWithDelay` watches `meta.json`), so a search never reads
//!   `meta.json` itself and the nightly crawl shows up without a restart.
//!   A reader takes no lock: the crawl's lock stays free.
//! - The query parser depends only on the schema: built once.
//! - A query's parsed form and its snippet generators (which hold the
//!   query's terms with their document frequencies) are kept per query text
//!   for the searcher generation they were made for, so paging through the
//!   results of one query parses it once; a new generation empties the cache.
//! - How many documents are filed under a story (whether a hit shows the
//!   rest of its story), and which, are kept per generation too.
//! - Only the documents of the page shown are read, and the total is counted
//!   only when the caller shows it.
//! - A search stops at its deadline ([`SearchEngine::with_deadline`]):
//!   the query is guarded by a [`Deadline`] and an expired search is
//!   [`SearchError::Stopped`], never a partial page.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tantivy::collector::{Count, TopDocs};
use tantivy::query::{BooleanQuery, Occur, Query, QueryParser};
use tantivy::{
    DateTime, DocAddress, IndexReader, Order, ReloadPolicy, Searcher, TantivyDocument, Term,
};

use crate::index::{HorizonIndex, IndexError};
use crate::model::{Item, StoryMember};
use crate::search::{
    filter_query, parse_expanded, query_parser, Deadline, Hit, SearchError, SearchRequest,
    Snippets, SortBy,
};

/// Queries whose parsed form is kept per generation; past this the cache is
/// emptied (a server sees a few hot queries and a long tail).
const PREPARED_CAPACITY: usize = 512;

/// One page of results.
#[derive(Debug)]
pub struct ResultPage {
    /// The hits of the page, best (or newest) first.
    pub hits: Vec<Hit>,
    /// Every matching document, when asked for.
    pub total: Option<usize>,
}

/// What one request asks of [`SearchEngine::search`] beyond the query.
#[derive(Clone, Copy, Debug, Default)]
pub struct PageSpec {
    /// Hits to skip.
    pub offset: usize,
    /// Whether to count every match (the page shows the total).
    pub count: bool,
}

/// Story terms whose document count is kept per generation; past this the
/// counts are forgotten.
const STORY_COUNTS_CAPACITY: usize = 65_536;

/// Stories of more than one document whose documents are kept per
/// generation; past this they are forgotten.
const STORY_DOCUMENTS_CAPACITY: usize = 4_096;

/// What one searcher generation keeps: the parsed queries, how many
/// documents are filed under each story term a hit has shown (a term
/// dictionary lookup per segment), and the documents of the stories of more
/// than one (a search and a stored-document read each): the same answers
/// until the next commit.
#[derive(Default)]
struct Prepared {
    generation: u64,
    queries: HashMap<String, Arc<Snippets>>,
    story_counts: HashMap<Term, u64>,
    stories: HashMap<String, Arc<[StoryMember]>>,
}

impl Prepared {
    /// Forget everything of an older generation.
    fn at(&mut self, generation: u64) -> &mut Prepared {
        if self.generation != generation {
            self.generation = generation;
            self.queries.clear();
            self.story_counts.clear();
            self.stories.clear();
        }
        self
    }
}

/// A search engine over one index, shared by every request.
pub struct SearchEngine {
    idx: Arc<HorizonIndex>,
    reader: IndexReader,
    parser: QueryParser,
    synonyms: Vec<Vec<String>>,
    rules: Vec<crate::config::Rule>,
    deadline: Duration,
    prepared: Mutex<Prepared>,
}

impl std::fmt::Debug for SearchEngine {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SearchEngine")
            .field("index", &self.idx.dir())
            .finish()
    }
}

impl SearchEngine {
    /// An engine over `idx` with its own self-reloading reader.
    pub fn new(idx: Arc<HorizonIndex>) -> Result<SearchEngine, IndexError> {
        let reader = idx
            .index()
            .reader_builder()
            .reload_policy(ReloadPolicy::OnCommitWithDelay)
            .try_into()
            .map_err(|source| IndexError::Tantivy {
                path: idx.dir().to_path_buf(),
                source,
            })?;
        Ok(SearchEngine {
            parser: query_parser(idx.index()),
            idx,
            reader,
            synonyms: Vec::new(),
            rules: Vec::new(),
            deadline: Duration::from_secs(crate::DEFAULT_SEARCH_DEADLINE_SECS),
            prepared: Mutex::new(Prepared::default()),
        })
    }

    /// Expand queries with these groups of system names (see
    /// [`crate::search::synonym_groups`]) when a request brings none, once
    /// per query text and generation instead of on every request.
    pub fn with_synonyms(mut self, groups: Vec<Vec<String>>) -> SearchEngine {
        self.synonyms = groups;
        self
    }

    /// Apply the config's `[[rules]]` to every search.
    pub fn with_rules(mut self, rules: Vec<crate::config::Rule>) -> SearchEngine {
        self.rules = rules;
        self
    }

    /// Stop every search after `deadline` (default
    /// [`crate::DEFAULT_SEARCH_DEADLINE_SECS`]).
    pub fn with_deadline(mut self, deadline: Duration) -> SearchEngine {
        self.deadline = deadline;
        self
    }

    /// How long a search may compute before it is stopped.
    pub fn deadline(&self) -> Duration {
        self.deadline
    }

    /// The index.
    pub fn index(&self) -> &HorizonIndex {
        &self.idx
    }

    /// The current searcher (reloaded by tantivy when a commit lands).
    pub fn searcher(&self) -> Searcher {
        self.reader.searcher()
    }

    /// Reload the reader now rather than when tantivy notices the commit.
    pub fn reload(&self) -> Result<(), IndexError> {
        self.reader.reload().map_err(|source| IndexError::Tantivy {
            path: self.idx.dir().to_path_buf(),
            source,
        })
    }

    /// The parsed query and snippet generators of `req`'s query for
    /// `searcher`, its system names expanded.
    fn prepare(
        &self,
        searcher: &Searcher,
        req: &SearchRequest,
    ) -> Result<Arc<Snippets>, SearchError> {
        let generation = searcher.generation().generation_id();
        // The request's own groups are part of the key; the engine's are fixed.
        let key = if req.synonyms.is_empty() {
            req.query.clone()
        } else {
            format!("{}\u{0}{:?}", req.query, req.synonyms)
        };
        {
            let cache = self.prepared.lock().unwrap_or_else(|p| p.into_inner());
            if cache.generation == generation {
                if let Some(p) = cache.queries.get(&key) {
                    return Ok(Arc::clone(p));
                }
            }
        }
        let groups = if req.synonyms.is_empty() {
            &self.synonyms
        } else {
            &req.synonyms
        };
        let query = parse_expanded(&self.parser, &req.query, groups)?;
        let snippets = Arc::new(Snippets::new(searcher, self.idx.fields(), query)?);
        let mut guard = self.prepared.lock().unwrap_or_else(|p| p.into_inner());
        let cache = guard.at(generation);
        if cache.queries.len() >= PREPARED_CAPACITY {
            cache.queries.clear();
        }
        cache.queries.insert(key, Arc::clone(&snippets));
        Ok(snippets)
    }

    /// One page of `req`'s results: `req.limit` hits after `page.offset`;
    /// [`SearchError::Stopped`] when the search runs past the deadline.
    pub fn search(&self, req: &SearchRequest, page: PageSpec) -> Result<ResultPage, SearchError> {
        let deadline = Deadline::after(self.deadline);
        let searcher = self.reader.searcher();
        let snippets = self.prepare(&searcher, req)?;
        let query: Box<dyn Query> = match filter_query(&self.idx, req) {
            Some(filters) => Box::new(BooleanQuery::new(vec![
                (Occur::Must, snippets.query().box_clone()),
                (Occur::Must, filters),
            ])),
            None => snippets.query().box_clone(),
        };
        let query = deadline.guard(&*query);
        let (total, addrs) = if self.rules.is_empty() {
            collect(&searcher, &*query, req, page)?
        } else {
            self.collect_with_rules(&searcher, &*query, req, page)?
        };
        if deadline.expired() {
            return Err(SearchError::Stopped {
                after: deadline.budget(),
            });
        }
        let mut hits = Vec::with_capacity(addrs.len());
        for (score, addr) in addrs {
            let doc: TantivyDocument = searcher.doc(addr)?;
            let item = crate::search::hit_item(&self.idx, &doc)?;
            let body = self.idx.stored_body(&doc).unwrap_or_default();
            hits.push(snippets.hit(&searcher, item, body, score)?);
        }
        crate::search::with_story_members_from(
            &self.idx,
            &mut hits,
            |term| self.story_count(&searcher, term),
            |story| self.story_documents(&searcher, story),
        )?;
        Ok(ResultPage { hits, total })
    }

    /// Every document filed under `story` in `searcher`, remembered for its
    /// generation.
    fn story_documents(
        &self,
        searcher: &Searcher,
        story: &str,
    ) -> Result<Arc<[StoryMember]>, IndexError> {
        self.remembered(
            searcher,
            |p| &mut p.stories,
            STORY_DOCUMENTS_CAPACITY,
            story,
            || crate::search::story_documents(&self.idx, searcher, story),
        )
    }

    /// Documents filed under the story `term` in `searcher`, remembered for
    /// its generation. A failed lookup is not remembered (the members' own
    /// lookup reports it) and counts as many.
    fn story_count(&self, searcher: &Searcher, term: &Term) -> u64 {
        self.remembered(
            searcher,
            |p| &mut p.story_counts,
            STORY_COUNTS_CAPACITY,
            term,
            || searcher.doc_freq(term),
        )
        .unwrap_or(u64::MAX)
    }

    /// The value of `key` in one of the generation's tables (`table`), or
    /// `compute`'s, remembered until the next generation; a table of
    /// `capacity` entries is emptied before it grows past it. The lock is
    /// not held while computing.
    fn remembered<K, Q, V, E>(
        &self,
        searcher: &Searcher,
        table: fn(&mut Prepared) -> &mut HashMap<K, V>,
        capacity: usize,
        key: &Q,
        compute: impl FnOnce() -> Result<V, E>,
    ) -> Result<V, E>
    where
        K: std::borrow::Borrow<Q> + std::hash::Hash + Eq,
        Q: ToOwned<Owned = K> + std::hash::Hash + Eq + ?Sized,
        V: Clone,
    {
        let generation = searcher.generation().generation_id();
        {
            let mut guard = self.prepared.lock().unwrap_or_else(|p| p.into_inner());
            if guard.generation == generation {
                if let Some(v) = table(&mut guard).get(key) {
                    return Ok(v.clone());
                }
            }
        }
        let v = compute()?;
        let mut guard = self.prepared.lock().unwrap_or_else(|p| p.into_inner());
        let t = table(guard.at(generation));
        if t.len() >= capacity {
            t.clear();
        }
        t.insert(key.to_owned(), v.clone());
        Ok(v)
    }

    /// [`collect`] with the rules in force now.
    fn collect_with_rules(
        &self,
        searcher: &Searcher,
        query: &dyn Query,
        req: &SearchRequest,
        page: PageSpec,
    ) -> Result<(Option<usize>, Addresses), SearchError> {
        let rules = crate::rules::RuleSet::compile(&self.idx, &self.rules, jiff::Timestamp::now())?;
        let scope = rules.scope(crate::rules::search_topic(&req.topics));
        let query = scope.without_muted(query.box_clone());
        let tweaks = match req.sort {
            SortBy::Relevance => scope.tweaks(searcher)?,
            SortBy::Date => None,
        };
        Ok(match tweaks {
            Some(t) => {
                let limit = req.limit.max(1);
                let (n, hits) = crate::rules::top_by_score(
                    searcher,
                    &*query,
                    t,
                    limit,
                    page.offset,
                    page.count,
                )?;
                (n, scored(hits))
            }
            None => collect(searcher, &*query, req, page)?,
        })
    }

    /// The item stored under `id`.
    pub fn get(&self, id: &str) -> Result<Option<Item>, IndexError> {
        self.idx.get(&self.reader.searcher(), id)
    }
}

type Addresses = Vec<(Option<f32>, DocAddress)>;

/// The page's document addresses (and the total when asked for).
fn collect(
    searcher: &Searcher,
    query: &dyn Query,
    req: &SearchRequest,
    page: PageSpec,
) -> tantivy::Result<(Option<usize>, Addresses)> {
    let top = TopDocs::with_limit(req.limit.max(1)).and_offset(page.offset);
    Ok(match (req.sort, page.count) {
        (SortBy::Relevance, false) => {
            (None, scored(searcher.search(query, &top.order_by_score())?))
        }
        (SortBy::Relevance, true) => {
            let (n, hits) = searcher.search(query, &(Count, top.order_by_score()))?;
            (Some(n), scored(hits))
        }
        (SortBy::Date, false) => (None, dated(searcher.search(query, &by_date(top))?)),
        (SortBy::Date, true) => {
            let (n, hits) = searcher.search(query, &(Count, by_date(top)))?;
            (Some(n), dated(hits))
        }
    })
}

fn by_date(
    top: TopDocs,
) -> impl tantivy::collector::Collector<Fruit = Vec<(Option<DateTime>, DocAddress)>> {
    top.order_by_fast_field::<DateTime>("date", Order::Desc)
}

fn scored(hits: Vec<(f32, DocAddress)>) -> Addresses {
    hits.into_iter().map(|(s, a)| (Some(s), a)).collect()
}

fn dated(hits: Vec<(Option<DateTime>, DocAddress)>) -> Addresses {
    hits.into_iter().map(|(_, a)| (None, a)).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Kind;

    fn item(id: &str) -> Item {
        let mut i = Item::new(
            id,
            Kind::Article,
            "blog",
            format!("Kafka tiered storage, part {id}"),
            format!("https://example.com/{id}"),
        );
        i.summary = "Kafka tiered storage ships in the next release.".into();
        i.story = Some("story-1".into());
        i
    }

    #[test]
    fn a_commit_shows_the_story_members_it_added() -> Result<(), Box<dyn std::error::Error>> {
        let dir = tempfile::tempdir()?;
        let idx = Arc::new(HorizonIndex::open_or_create(dir.path())?);
        let mut writer = idx.writer(15_000_000)?;
        writer.add_document(idx.doc_of(&item("a")))?;
        writer.add_document(idx.doc_of(&item("b")))?;
        writer.commit()?;
        let engine = SearchEngine::new(Arc::clone(&idx))?;
        let req = SearchRequest {
            query: "kafka".into(),
            limit: 10,
            ..Default::default()
        };
        let also = |engine: &SearchEngine| -> Result<Vec<usize>, SearchError> {
            let page = engine.search(&req, PageSpec::default())?;
            Ok(page.hits.iter().map(|h| h.also.len()).collect())
        };
        assert_eq!(also(&engine)?, vec![1, 1]);
        // Again, from what the generation keeps.
        assert_eq!(also(&engine)?, vec![1, 1]);
        writer.add_document(idx.doc_of(&item("c")))?;
        writer.commit()?;
        engine.reload()?;
        assert_eq!(also(&engine)?, vec![2, 2, 2]);
        Ok(())
    }
}
