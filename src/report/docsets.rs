//! Queries that keep the report's ranking in step with the period rather
//! than with the index:
//!
//! - [`PeriodDocs`]: the documents of the period, found once per segment
//!   (a date-range query reads the whole date column of a segment each time
//!   it runs, and the report runs one per topic, kind and candidate);
//! - [`SeekUnion`]: a disjunction of scoring clauses that only moves where
//!   its caller sends it. Used as the optional, scoring part of a query
//!   whose required part picks a few documents, it seeks each clause to
//!   those documents, where tantivy's buffered union would walk every
//!   clause's postings through the window after each one. The score is the
//!   same sum, added in clause order;
//! - [`ScoredDocs`]: a query's scores at a set of documents, computed once
//!   (a topic's relevance, scored once and read back for each kind).

use std::collections::HashMap;
use std::sync::Arc;

use tantivy::index::SegmentId;
use tantivy::query::{
    BooleanQuery, ConstScorer, EmptyScorer, EnableScoring, Explanation, Occur, Query, Scorer,
    Weight,
};
use tantivy::{DocId, DocSet, Score, Searcher, SegmentReader, TERMINATED};

/// Documents matching a query, per segment, found once.
#[derive(Clone, Debug)]
pub struct PeriodDocs(ScoredDocs);

impl PeriodDocs {
    /// The documents of `query` in every segment of `searcher`.
    pub fn collect(searcher: &Searcher, query: &dyn Query) -> tantivy::Result<PeriodDocs> {
        let scoring = EnableScoring::disabled_from_searcher(searcher);
        Ok(PeriodDocs(ScoredDocs::gather(searcher, query, scoring)?))
    }
}

impl Query for PeriodDocs {
    fn weight(&self, _: EnableScoring<'_>) -> tantivy::Result<Box<dyn Weight>> {
        Ok(Box::new(self.clone()))
    }
}

impl Weight for PeriodDocs {
    fn scorer(&self, reader: &SegmentReader, boost: Score) -> tantivy::Result<Box<dyn Scorer>> {
        Ok(match self.0.list(reader, boost) {
            Some(list) => Box::new(ConstScorer::new(list, boost)),
            None => Box::new(EmptyScorer),
        })
    }

    fn explain(&self, reader: &SegmentReader, doc: DocId) -> tantivy::Result<Explanation> {
        match self.0.score_of(reader, doc) {
            Some(_) => Ok(Explanation::new("in the period", 1.0)),
            None => Err(tantivy::TantivyError::InvalidArgument(format!(
                "document {doc} is not in the period"
            ))),
        }
    }
}

/// The scores a query gives a set of documents, computed once per segment
/// and served again by seeking: the report ranks a topic's documents kind by
/// kind, and the topic's relevance query (a union of many phrases, each
/// opening its postings per segment) would otherwise run once per kind.
/// The stored scores are the query's own, so rankings are unchanged.
#[derive(Clone, Debug)]
pub struct ScoredDocs {
    docs: Arc<HashMap<SegmentId, Scored>>,
}

/// One segment's scored documents, in document order.
type Scored = Arc<[(DocId, Score)]>;

impl ScoredDocs {
    /// Every document `query` matches in `searcher`, with its score.
    pub fn collect(searcher: &Searcher, query: &dyn Query) -> tantivy::Result<ScoredDocs> {
        Self::gather(
            searcher,
            query,
            EnableScoring::enabled_from_searcher(searcher),
        )
    }

    fn gather(
        searcher: &Searcher,
        query: &dyn Query,
        scoring: EnableScoring<'_>,
    ) -> tantivy::Result<ScoredDocs> {
        let weight = query.weight(scoring)?;
        let mut docs = HashMap::new();
        for reader in searcher.segment_readers() {
            let mut scorer = weight.scorer(reader, 1.0)?;
            let mut scored = Vec::new();
            while scorer.doc() != TERMINATED {
                scored.push((scorer.doc(), scorer.score()));
                scorer.advance();
            }
            docs.insert(reader.segment_id(), Arc::from(scored));
        }
        Ok(ScoredDocs {
            docs: Arc::new(docs),
        })
    }

    /// The documents of `reader`'s segment, if any.
    fn list(&self, reader: &SegmentReader, boost: Score) -> Option<ScoredList> {
        let docs = self
            .docs
            .get(&reader.segment_id())
            .filter(|d| !d.is_empty())?;
        Some(ScoredList {
            docs: docs.clone(),
            pos: 0,
            boost,
        })
    }

    /// The stored score of `doc` in `reader`'s segment, if it was scored.
    fn score_of(&self, reader: &SegmentReader, doc: DocId) -> Option<Score> {
        let d = self.docs.get(&reader.segment_id())?;
        let i = d.binary_search_by_key(&doc, |(id, _)| *id).ok()?;
        Some(d[i].1)
    }
}

impl Query for ScoredDocs {
    fn weight(&self, _: EnableScoring<'_>) -> tantivy::Result<Box<dyn Weight>> {
        Ok(Box::new(self.clone()))
    }
}

impl Weight for ScoredDocs {
    fn scorer(&self, reader: &SegmentReader, boost: Score) -> tantivy::Result<Box<dyn Scorer>> {
        Ok(match self.list(reader, boost) {
            Some(list) => Box::new(list),
            None => Box::new(EmptyScorer),
        })
    }

    fn explain(&self, reader: &SegmentReader, doc: DocId) -> tantivy::Result<Explanation> {
        match self.score_of(reader, doc) {
            Some(s) => Ok(Explanation::new("score computed once", s)),
            None => Err(tantivy::TantivyError::InvalidArgument(format!(
                "document {doc} was not scored"
            ))),
        }
    }
}

/// A sorted list of scored documents.
struct ScoredList {
    docs: Scored,
    pos: usize,
    boost: Score,
}

impl DocSet for ScoredList {
    fn advance(&mut self) -> DocId {
        self.pos = (self.pos + 1).min(self.docs.len());
        self.doc()
    }

    fn seek(&mut self, target: DocId) -> DocId {
        let rest = &self.docs[self.pos..];
        self.pos += rest.partition_point(|(d, _)| *d < target);
        self.doc()
    }

    fn doc(&self) -> DocId {
        self.docs.get(self.pos).map_or(TERMINATED, |(d, _)| *d)
    }

    fn size_hint(&self) -> u32 {
        u32::try_from(self.docs.len() - self.pos).unwrap_or(u32::MAX)
    }
}

impl Scorer for ScoredList {
    fn score(&mut self) -> Score {
        self.docs
            .get(self.pos)
            .map_or(0.0, |(_, s)| *s * self.boost)
    }
}

/// The sum of the scores of the clauses that match, moved by seeking.
#[derive(Debug)]
pub struct SeekUnion(pub Vec<Box<dyn Query>>);

impl SeekUnion {
    /// The union of `queries`, with every nested union of optional clauses
    /// (what a query parser makes of a phrase over several default fields)
    /// spliced in as clauses of its own. A nested union would be a
    /// [`BooleanQuery`], whose scorer refills a window of documents from
    /// every clause on each seek (walking phrase positions through the
    /// whole window); spliced in, each clause is only ever sought. The sum
    /// is the same but for the order of the additions.
    pub fn flat(queries: Vec<Box<dyn Query>>) -> SeekUnion {
        let mut clauses = Vec::with_capacity(queries.len());
        for q in queries {
            splice(q, &mut clauses);
        }
        SeekUnion(clauses)
    }
}

/// Pushes `query`, or the clauses of `query` when it is a union of optional
/// clauses that any one of them satisfies.
fn splice(query: Box<dyn Query>, into: &mut Vec<Box<dyn Query>>) {
    match query.downcast_ref::<BooleanQuery>() {
        Some(b)
            if b.get_minimum_number_should_match() <= 1
                && b.clauses().iter().all(|(o, _)| *o == Occur::Should) =>
        {
            for (_, q) in b.clauses() {
                splice(q.box_clone(), into);
            }
        }
        _ => into.push(query),
    }
}

impl Clone for SeekUnion {
    fn clone(&self) -> SeekUnion {
        SeekUnion(self.0.iter().map(|q| q.box_clone()).collect())
    }
}

impl Query for SeekUnion {
    fn weight(&self, scoring: EnableScoring<'_>) -> tantivy::Result<Box<dyn Weight>> {
        let weights = self
            .0
            .iter()
            .map(|q| q.weight(scoring))
            .collect::<tantivy::Result<Vec<_>>>()?;
        Ok(Box::new(SeekUnionWeight(weights)))
    }

    fn query_terms<'a>(&'a self, visitor: &mut dyn FnMut(&'a tantivy::Term, bool)) {
        for q in &self.0 {
            q.query_terms(visitor);
        }
    }
}

struct SeekUnionWeight(Vec<Box<dyn Weight>>);

impl Weight for SeekUnionWeight {
    fn scorer(&self, reader: &SegmentReader, boost: Score) -> tantivy::Result<Box<dyn Scorer>> {
        let mut clauses = Vec::with_capacity(self.0.len());
        for w in &self.0 {
            let s = w.scorer(reader, boost)?;
            if s.doc() != TERMINATED {
                clauses.push(s);
            }
        }
        Ok(match clauses.len() {
            0 => Box::new(EmptyScorer),
            1 => clauses.remove(0),
            _ => Box::new(SeekUnionScorer::new(clauses)),
        })
    }

    fn explain(&self, reader: &SegmentReader, doc: DocId) -> tantivy::Result<Explanation> {
        let mut scorer = self.scorer(reader, 1.0)?;
        if scorer.seek(doc) != doc {
            return Err(tantivy::TantivyError::InvalidArgument(format!(
                "document {doc} matches no clause"
            )));
        }
        let mut e = Explanation::new("sum of", scorer.score());
        for w in &self.0 {
            if let Ok(detail) = w.explain(reader, doc) {
                e.add_detail(detail);
            }
        }
        Ok(e)
    }
}

struct SeekUnionScorer {
    clauses: Vec<Box<dyn Scorer>>,
    doc: DocId,
}

impl SeekUnionScorer {
    fn new(clauses: Vec<Box<dyn Scorer>>) -> SeekUnionScorer {
        let mut s = SeekUnionScorer {
            clauses,
            doc: TERMINATED,
        };
        s.doc = s.lowest();
        s
    }

    fn lowest(&self) -> DocId {
        self.clauses
            .iter()
            .map(|c| c.doc())
            .min()
            .unwrap_or(TERMINATED)
    }
}

impl DocSet for SeekUnionScorer {
    fn advance(&mut self) -> DocId {
        let doc = self.doc;
        for c in &mut self.clauses {
            if c.doc() == doc {
                c.advance();
            }
        }
        self.doc = self.lowest();
        self.doc
    }

    fn seek(&mut self, target: DocId) -> DocId {
        if self.doc >= target {
            return self.doc;
        }
        for c in &mut self.clauses {
            if c.doc() < target {
                c.seek(target);
            }
        }
        self.doc = self.lowest();
        self.doc
    }

    fn doc(&self) -> DocId {
        self.doc
    }

    fn size_hint(&self) -> u32 {
        self.clauses
            .iter()
            .map(|c| c.size_hint())
            .max()
            .unwrap_or(0)
    }
}

impl Scorer for SeekUnionScorer {
    fn score(&mut self) -> Score {
        let doc = self.doc;
        let mut sum: Score = 0.0;
        for c in &mut self.clauses {
            if c.doc() == doc {
                sum += c.score();
            }
        }
        sum
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tantivy::collector::TopDocs;
    use tantivy::query::{BooleanQuery, ConstScoreQuery, Occur, QueryParser, RangeQuery};
    use tantivy::schema::{Schema, FAST, INDEXED, TEXT};
    use tantivy::{doc, Index, Term};

    /// Same documents and the same scores as tantivy's own union, in a
    /// query with a required part, over several segments.
    #[test]
    fn seek_union_scores_like_a_boolean_union() {
        let mut schema = Schema::builder();
        let text = schema.add_text_field("text", TEXT);
        let n = schema.add_u64_field("n", INDEXED | FAST);
        let index = Index::create_in_ram(schema.build());
        let mut w = index.writer_with_num_threads(1, 15_000_000).unwrap();
        let words = [
            "kafka stream",
            "stream processing",
            "kafka",
            "flink stream",
            "other",
        ];
        for i in 0..3000u64 {
            let t = format!(
                "{} {}",
                words[(i % 5) as usize],
                words[(i * 7 % 5) as usize]
            );
            w.add_document(doc!(text => t, n => i)).unwrap();
            if i % 1000 == 999 {
                w.commit().unwrap();
            }
        }
        w.commit().unwrap();
        let searcher = index.reader().unwrap().searcher();
        assert!(searcher.segment_readers().len() > 1);
        let parser = QueryParser::for_index(&index, vec![text]);
        let clauses = || -> Vec<Box<dyn Query>> {
            ["\"kafka stream\"", "\"stream processing\"", "flink"]
                .iter()
                .map(|q| parser.parse_query(q).unwrap())
                .collect()
        };
        let range = || -> Box<dyn Query> {
            Box::new(RangeQuery::new(
                std::ops::Bound::Included(Term::from_field_u64(n, 500)),
                std::ops::Bound::Excluded(Term::from_field_u64(n, 2600)),
            ))
        };
        let docs = PeriodDocs::collect(&searcher, &*range()).unwrap();
        let theirs = BooleanQuery::new(vec![
            (Occur::Must, range()),
            (
                Occur::Should,
                Box::new(BooleanQuery::new(
                    clauses().into_iter().map(|q| (Occur::Should, q)).collect(),
                )),
            ),
        ]);
        let ours = BooleanQuery::new(vec![
            (Occur::Must, Box::new(docs) as Box<dyn Query>),
            (Occur::Should, Box::new(SeekUnion(clauses()))),
        ]);
        let top = TopDocs::with_limit(5000).order_by_score();
        let mut a = searcher.search(&theirs, &top).unwrap();
        let mut b = searcher.search(&ours, &top).unwrap();
        assert_eq!(a.len(), 2100);
        let key = |v: &mut Vec<(Score, tantivy::DocAddress)>| {
            v.sort_by_key(|(_, d)| (d.segment_ord, d.doc_id));
        };
        key(&mut a);
        key(&mut b);
        // The required part scores 1 per document in both; the sums are equal bit for bit.
        assert_eq!(a, b);

        // Scored once over the wider range, then read back within a narrower
        // one (as the report scores a topic once and reads it per kind): the
        // same documents and the same scores, bit for bit.
        let zero = |q: Box<dyn Query>| -> Box<dyn Query> { Box::new(ConstScoreQuery::new(q, 0.0)) };
        let narrow = || -> Box<dyn Query> {
            Box::new(RangeQuery::new(
                std::ops::Bound::Included(Term::from_field_u64(n, 900)),
                std::ops::Bound::Excluded(Term::from_field_u64(n, 2100)),
            ))
        };
        let scored = ScoredDocs::collect(
            &searcher,
            &BooleanQuery::new(vec![
                (Occur::Must, zero(range())),
                (Occur::Should, Box::new(SeekUnion(clauses()))),
            ]),
        )
        .unwrap();
        let direct = BooleanQuery::new(vec![
            (Occur::Must, zero(narrow())),
            (Occur::Should, Box::new(SeekUnion(clauses()))),
        ]);
        let once = BooleanQuery::new(vec![
            (Occur::Must, zero(narrow())),
            (Occur::Should, Box::new(scored)),
        ]);
        let mut c = searcher.search(&direct, &top).unwrap();
        let mut d = searcher.search(&once, &top).unwrap();
        assert_eq!(c.len(), 1200);
        assert!(c.iter().any(|(s, _)| *s > 0.0) && c.iter().any(|(s, _)| *s == 0.0));
        key(&mut c);
        key(&mut d);
        assert_eq!(c, d);
    }

    /// A phrase over two default fields is a union of two phrase queries:
    /// `flat` splices both in, and the sums match tantivy's nested union.
    #[test]
    fn flat_splices_nested_unions() {
        let mut schema = Schema::builder();
        let title = schema.add_text_field("title", TEXT);
        let body = schema.add_text_field("body", TEXT);
        let index = Index::create_in_ram(schema.build());
        let mut w = index.writer_with_num_threads(1, 15_000_000).unwrap();
        for i in 0..600u64 {
            let (t, b) = match i % 4 {
                0 => ("stream processing", "kafka"),
                1 => ("kafka", "stream processing at scale"),
                2 => ("stream processing", "stream processing"),
                _ => ("other", "processing stream"),
            };
            w.add_document(doc!(title => t, body => b)).unwrap();
        }
        w.commit().unwrap();
        let searcher = index.reader().unwrap().searcher();
        let parser = QueryParser::for_index(&index, vec![title, body]);
        let phrase = || parser.parse_query("\"stream processing\"").unwrap();
        let kafka = || parser.parse_query("kafka").unwrap();
        let flat = SeekUnion::flat(vec![phrase(), kafka()]);
        assert_eq!(flat.0.len(), 4, "{flat:?}");
        let nested = BooleanQuery::new(vec![(Occur::Should, phrase()), (Occur::Should, kafka())]);
        let top = TopDocs::with_limit(1000).order_by_score();
        let key = |mut v: Vec<(Score, tantivy::DocAddress)>| {
            v.sort_by_key(|(_, d)| (d.segment_ord, d.doc_id));
            v
        };
        let a = key(searcher.search(&nested, &top).unwrap());
        let b = key(searcher.search(&flat, &top).unwrap());
        assert_eq!(a.len(), 450);
        assert_eq!(a.len(), b.len());
        for ((sa, da), (sb, db)) in a.iter().zip(&b) {
            assert_eq!(da, db);
            assert!((sa - sb).abs() <= 1e-5 * sa.abs(), "{sa} vs {sb}");
        }
    }
}
