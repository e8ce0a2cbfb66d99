//! More like this: the documents closest to one document, for `horizon
//! similar` and the "Related" list of serve's item page.
//!
//! tantivy's `MoreLikeThisQuery` over the document's title, summary,
//! products and systems (tf-idf: the document's most distinctive terms,
//! weighted by how rare they are in the index), with the filters of a
//! search request (kind, topic, source, dates…). The document itself is
//! left out, and so are repeats of one story: documents with the same title
//! (the same note filed twice, a post syndicated under its title), as the
//! report does — the best of each is kept.

use std::collections::BTreeSet;

use tantivy::collector::TopDocs;
use tantivy::query::{BooleanQuery, MoreLikeThisQuery, Occur, Query, TermQuery};
use tantivy::schema::{IndexRecordOption, OwnedValue};
use tantivy::{TantivyDocument, Term};

use crate::index::HorizonIndex;
use crate::model::Item;
use crate::search::{filter_query, hit_item, Hit, SearchError, SearchRequest};

/// Related documents shown on an item page.
pub const DEFAULT_RELATED: usize = 5;
/// Terms of the document the query keeps.
const MAX_QUERY_TERMS: usize = 25;

/// The query for documents like `item`, `None` when it has no text to go by.
fn like(idx: &HorizonIndex, item: &Item) -> Option<MoreLikeThisQuery> {
    let f = idx.fields();
    let text = |v: &[String]| -> Vec<OwnedValue> {
        v.iter()
            .filter(|s| !s.trim().is_empty())
            .map(|s| OwnedValue::Str(s.clone()))
            .collect()
    };
    let systems: Vec<String> = item.links.iter().map(|l| l.system.clone()).collect();
    let fields: Vec<_> = [
        (f.title, text(std::slice::from_ref(&item.title))),
        (f.summary, text(std::slice::from_ref(&item.summary))),
        (f.product, text(&item.products)),
        (f.system, text(&systems)),
    ]
    .into_iter()
    .filter(|(_, v)| !v.is_empty())
    .collect();
    if fields.is_empty() {
        return None;
    }
    Some(
        MoreLikeThisQuery::builder()
            .with_min_doc_frequency(1)
            .with_min_term_frequency(1)
            .with_min_word_length(3)
            .with_max_query_terms(MAX_QUERY_TERMS)
            // Each term weighted by its tf-idf in the document, not only by BM25.
            .with_boost_factor(1.0)
            .with_document_fields(fields),
    )
}

/// Up to `req.limit` documents most like `item`, among those `req`'s
/// filters keep (its query text is not used), one per title.
pub fn similar(
    idx: &HorizonIndex,
    item: &Item,
    req: &SearchRequest,
) -> Result<Vec<Hit>, SearchError> {
    let Some(mlt) = like(idx, item) else {
        return Ok(Vec::new());
    };
    let f = idx.fields();
    let mut clauses: Vec<(Occur, Box<dyn Query>)> = vec![
        (Occur::Must, Box::new(mlt)),
        (
            Occur::MustNot,
            Box::new(TermQuery::new(
                Term::from_field_text(f.id, &item.id),
                IndexRecordOption::Basic,
            )),
        ),
    ];
    if let Some(filters) = filter_query(idx, req) {
        clauses.push((Occur::Must, filters));
    }
    let query = BooleanQuery::new(clauses);
    let searcher = idx.searcher()?;
    let limit = req.limit.max(1);
    // More than asked, so that repeats of one title can be dropped.
    let found = searcher.search(&query, &TopDocs::with_limit(limit * 3).order_by_score())?;
    // One per story (and per title): the document's own story is left out.
    let story_of = |i: &crate::model::Item| i.story.clone().unwrap_or_else(|| i.id.clone());
    let mut titles = BTreeSet::from([item.title.to_lowercase()]);
    let mut stories = BTreeSet::from([story_of(item)]);
    let mut hits = Vec::new();
    for (score, addr) in found {
        let doc: TantivyDocument = searcher.doc(addr)?;
        let other = hit_item(idx, &doc)?;
        if !stories.insert(story_of(&other)) || !titles.insert(other.title.to_lowercase()) {
            continue;
        }
        let snippet = crate::text::truncate_words(&other.summary, 180);
        hits.push(Hit {
            item: other,
            score: Some(score),
            snippet,
            highlights: Vec::new(),
            also: Vec::new(),
        });
        if hits.len() >= limit {
            break;
        }
    }
    Ok(hits)
}
