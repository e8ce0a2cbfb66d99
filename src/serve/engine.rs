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
use tantivy::{DateTime, DocAddress, IndexReader, Order, ReloadPolicy, Searcher, TantivyDocument};

use crate::index::{HorizonIndex, IndexError};
use crate::model::Item;
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

/// The parsed queries of one searcher generation.
#[derive(Default)]
struct Prepared {
    generation: u64,
    queries: HashMap<String, Arc<Snippets>>,
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
        let mut cache = self.prepared.lock().unwrap_or_else(|p| p.into_inner());
        if cache.generation != generation {
            cache.generation = generation;
            cache.queries.clear();
        }
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
            hits.push(snippets.hit(&searcher, item, score)?);
        }
        crate::search::with_story_members(&self.idx, &searcher, &mut hits)?;
        Ok(ResultPage { hits, total })
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
