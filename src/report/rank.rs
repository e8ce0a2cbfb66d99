//! Relevance ranking of the report's items, and the one-line *why* of each.
//!
//! Within a topic's section (one kind of document in the period) every
//! document gets
//!
//! ```text
//! score = (1 + ln(1 + bm25)) × kind boost × (1 + 0.2 × recency) × (1 + 0.25 × min(corroboration, 4))
//! ```
//!
//! - **bm25**: tantivy's BM25 of the topic's phrases (its keywords, systems
//!   and aliases as phrases over title and summary, the title weighted 2×;
//!   its products over the title) and of its `query`, damped by the
//!   logarithm: every listed document already carries the topic's tag, so
//!   a note that repeats a keyword ten times is not ten times as relevant;
//! - **kind boost**: for cloud notes the stage ([`stage_weight`]: GA and new
//!   offerings first, retirements next, then previews and notes that ask
//!   their readers to act ([`asks_to_act`]: a security fix, a breaking
//!   change, something disabled or newly required), then feature and region
//!   notes), for trending repositories the stars gained in the trending
//!   period (`1 + log10(1 + stars) / 2`), 1 for papers and articles;
//! - **recency**: where the document's date falls in the period, 0 at its
//!   start and 1 at its end;
//! - **corroboration**: how many *other* sources name the same thing in the
//!   period: a repository's name, a cloud note's first product, a paper's or
//!   article's system name (the title before a colon, when it is one to four
//!   words).
//!
//! Ties are broken by id, so the ranking is deterministic. The `why` line is
//! built from the tag's evidence (`topics::Tagger`) and the boosts.

use std::cell::RefCell;
use std::collections::BTreeMap;

use tantivy::collector::TopDocs;
use tantivy::query::{BooleanQuery, ConstScoreQuery, Occur, Query, QueryParser};
use tantivy::schema::Field;
use tantivy::{DocAddress, Searcher, SegmentReader, Term};

use super::docsets::{PeriodDocs, ScoredDocs, SeekUnion};
use super::{Period, ReportError};
use crate::config::Topic;
use crate::index::HorizonIndex;
use crate::model::{Item, Kind, Stage, StoryMember, TopicEvidence};

/// Weight of the stage of a cloud note.
pub fn stage_weight(stage: Option<Stage>) -> f64 {
    match stage {
        Some(Stage::Ga) => 2.0,
        Some(Stage::New) => 1.8,
        Some(Stage::Deprecation) => 1.6,
        Some(Stage::Preview) => 1.5,
        Some(Stage::Region) | Some(Stage::Update) | Some(Stage::Price) | None => 1.0,
    }
}

/// Weight of a cloud note that asks its readers to act: a security fix, a
/// breaking change, something disabled or newly required. It applies when
/// the stage says less ([`stage_weight`] of an update, price or region note).
pub const ACTION_WEIGHT: f64 = 1.5;

/// Whether a cloud note asks its readers to act (see [`ACTION_WEIGHT`]).
pub fn asks_to_act(item: &Item) -> bool {
    static WORDING: std::sync::LazyLock<regex::Regex> = std::sync::LazyLock::new(|| {
        regex::Regex::new(
            r"(?i)\b(?:CVE-\d{4}-\d{4,}|security (?:fix|patch|bulletin)|vulnerabilit(?:y|ies)|action (?:is )?required|breaking change|(?:temporarily )?disabled|now requires?|must (?:upgrade|migrate|update))",
        )
        .unwrap_or_else(|e| panic!("action wording: {e}"))
    });
    WORDING.is_match(&item.title) || WORDING.is_match(&item.summary)
}

/// Weight of a routine note ([`is_routine`]), whatever its stage: a topic
/// owner reads it last.
pub const ROUTINE_WEIGHT: f64 = 0.5;

/// A note a topic owner does not need to read first: a version listing or
/// a package or driver bump (`topics::is_listing`), a version rollout, a
/// client-library digest, a list of fixed bugs or CVEs, a pointer to known
/// issues, a compliance-coverage notice ([`is_coverage_notice`]); an opinion
/// column ([`is_opinion`]).
pub fn is_routine(item: &Item) -> bool {
    static WORDING: std::sync::LazyLock<regex::Regex> = std::sync::LazyLock::new(|| {
        regex::Regex::new(
            r"(?i)(?:weekly digest|client librar(?:y|ies) updates|^[^:]*: (?:fixed|upgraded|updated) (?:cve|kctf|a bug|bugs)|the following issues (?:were|have been) fixed|fixed vulnerabilities|\bbug id\b|latest known issues|(?:was|were|has been|have been) (?:upgraded|updated) to version|version updates|versions have been updated|might not have these versions|\) security updates|following cves have been addressed|resolved a problem|fixed a bug|driver v\d)",
        )
        .unwrap_or_else(|e| panic!("routine wording: {e}"))
    });
    match item.kind {
        Kind::Cloud => {
            crate::topics::is_listing(item)
                || WORDING.is_match(&item.title)
                || is_coverage_notice(item)
        }
        _ => is_opinion(item),
    }
}

/// A compliance-coverage notice: a note under Access Approval, Access
/// Transparency or Assured Workloads saying which *other* product it now
/// covers ("Access Approval: Google Cloud Managed Service for Apache Kafka
/// is generally available (GA)."). It is news about neither product for a
/// topic owner.
pub fn is_coverage_notice(item: &Item) -> bool {
    const COVERING: [&str; 3] = [
        "Access Approval",
        "Access Transparency",
        "Assured Workloads",
    ];
    if item.kind != Kind::Cloud {
        return false;
    }
    let Some((head, rest)) = item.title.split_once(": ") else {
        return false;
    };
    COVERING.contains(&head.trim()) && !COVERING.iter().any(|c| rest.contains(c))
}

/// An opinion column ("Editor's note: The Speed Read is a column authored
/// by …", "Op-ed: …"): a post about views, not about a system.
pub fn is_opinion(item: &Item) -> bool {
    static WORDING: std::sync::LazyLock<regex::Regex> = std::sync::LazyLock::new(|| {
        regex::Regex::new(
            r"(?i)(?:\bis an? (?:regular |weekly |monthly |opinion )?column\b|\bcolumn (?:authored|written) by\b|^op-ed\b|^opinion:|\bopinion column\b)",
        )
        .unwrap_or_else(|e| panic!("opinion wording: {e}"))
    });
    item.kind == Kind::Article
        && (WORDING.is_match(&item.title)
            || WORDING.is_match(item.summary.get(..400).unwrap_or(&item.summary)))
}

/// Weight of a cloud note: [`ROUTINE_WEIGHT`] for a routine note, else its
/// stage, or [`ACTION_WEIGHT`] when it asks to act.
fn cloud_weight(item: &Item) -> f64 {
    if is_routine(item) {
        return ROUTINE_WEIGHT;
    }
    let stage = stage_weight(item.stage);
    if stage < ACTION_WEIGHT && asks_to_act(item) {
        ACTION_WEIGHT
    } else {
        stage
    }
}

/// Weight of a trending repository's stars gained in its period.
pub fn stars_weight(stars_period: Option<u64>) -> f64 {
    1.0 + (1.0 + stars_period.unwrap_or(0) as f64).log10() / 2.0
}

/// Weight of the document's place in the period.
fn recency_weight(pos: f64) -> f64 {
    1.0 + 0.2 * pos.clamp(0.0, 1.0)
}

/// The most candidates a ranking reads when the team's noise marks leave
/// too few (see [`Ranker::top`]).
const MAX_CANDIDATES: usize = 1024;

/// Other sources naming the same thing, counted up to this.
const MAX_CORROBORATION: usize = 4;

/// A ranked document.
pub(super) struct Ranked {
    pub item: Item,
    pub score: f64,
    /// `score` without the factor of the team's marks.
    pub score_before_marks: f64,
    /// Beyond the candidates a ranking reads without marks: listed because
    /// the team's noise marks muted documents above it.
    pub refill: bool,
    pub why: String,
    /// The other documents of its story.
    pub also: Vec<StoryMember>,
}

/// Ranks one period's documents; remembers corroboration counts.
pub(super) struct Ranker<'a> {
    idx: &'a HorizonIndex,
    searcher: &'a Searcher,
    period: &'a Period,
    parser: QueryParser,
    title_parser: QueryParser,
    period_docs: PeriodDocs,
    corroboration: RefCell<BTreeMap<(String, String), usize>>,
    rules: crate::rules::RuleSet,
    learner: crate::learn::Learner,
}

impl<'a> Ranker<'a> {
    /// `period_docs` are the documents of `period`.
    pub fn new(
        idx: &'a HorizonIndex,
        searcher: &'a Searcher,
        period: &'a Period,
        period_docs: PeriodDocs,
    ) -> Ranker<'a> {
        let (parser, title_parser) = relevance_parsers(idx);
        Ranker {
            idx,
            searcher,
            period,
            parser,
            title_parser,
            period_docs,
            corroboration: RefCell::new(BTreeMap::new()),
            rules: crate::rules::RuleSet::default(),
            learner: crate::learn::Learner::default(),
        }
    }

    /// Let the models trained from the team's marks move the scores.
    pub fn with_learner(mut self, learner: crate::learn::Learner) -> Ranker<'a> {
        self.learner = learner;
        self
    }

    /// Apply `rules` (mute, pin, boost) to every ranking.
    pub fn with_rules(mut self, rules: crate::rules::RuleSet) -> Ranker<'a> {
        self.rules = rules;
        self
    }

    /// The documents of the period, as a filter.
    pub fn in_period(&self) -> Box<dyn Query> {
        Box::new(self.period_docs.clone())
    }

    /// The scoring part of a topic's query: [`topic_relevance`] with the
    /// ranker's parsers.
    pub fn relevance(&self, topic: &Topic) -> Option<Box<dyn Query>> {
        relevance_with(self.idx, &self.parser, &self.title_parser, topic)
    }

    /// `relevance`'s scores at the documents of `scope`, computed once, as a
    /// query [`Ranker::top`] can take for every kind of a topic: the same
    /// scores, without running the topic's phrases once per kind.
    pub fn scored_once(
        &self,
        scope: Box<dyn Query>,
        relevance: Box<dyn Query>,
    ) -> Result<Box<dyn Query>, ReportError> {
        let query = BooleanQuery::new(vec![
            (Occur::Must, Box::new(ConstScoreQuery::new(scope, 0.0))),
            (Occur::Should, relevance),
        ]);
        Ok(Box::new(ScoredDocs::collect(self.searcher, &query)?))
    }

    /// The best `n` documents of `kind` among `filter`, ranked, with their `why`.
    /// `relevance` is [`Ranker::relevance`] of `topic`, built once per topic.
    pub fn top(
        &self,
        topic: Option<&Topic>,
        relevance: Option<&dyn Query>,
        kind: Kind,
        filter: Box<dyn Query>,
        n: usize,
    ) -> Result<Vec<Ranked>, ReportError> {
        if n == 0 {
            return Ok(Vec::new());
        }
        let scope = self.rules.scope(topic.map(|t| t.name.as_str()));
        let filter = scope.without_muted(filter);
        let tweaks = scope.tweaks(self.searcher)?;
        let mut clauses: Vec<(Occur, Box<dyn Query>)> =
            vec![(Occur::Must, Box::new(ConstScoreQuery::new(filter, 0.0)))];
        if let Some(q) = relevance {
            clauses.push((Occur::Should, q.box_clone()));
        }
        let query = BooleanQuery::new(clauses);
        // More than shown, so corroboration can reorder the cut and repeated
        // titles can be dropped; more again while documents the team marked
        // noise leave fewer than `n`, so marks never empty a section that
        // has other documents.
        let first = 2 * n + 4;
        let mut limit = first;
        loop {
            let hits = self.hits(&query, kind, tweaks.as_ref(), limit)?;
            let more = hits.len() == limit;
            let (mut ranked, muted) = self.rank_hits(topic, kind, tweaks.as_ref(), hits, first)?;
            if ranked.len() >= n || muted == 0 || !more || limit >= MAX_CANDIDATES {
                ranked.truncate(n);
                return Ok(ranked);
            }
            limit = (limit * 4).min(MAX_CANDIDATES);
        }
    }

    /// The best `limit` documents of `query` by the base score: relevance,
    /// stars, recency and the rules.
    fn hits(
        &self,
        query: &dyn Query,
        kind: Kind,
        tweaks: Option<&std::sync::Arc<crate::rules::Tweaks>>,
        limit: usize,
    ) -> Result<Vec<(f64, DocAddress)>, ReportError> {
        let (since, len) = (
            self.period.since.as_second(),
            self.period.length().as_secs().max(1),
        );
        let segment_tweaks = tweaks.cloned();
        let collector = TopDocs::with_limit(limit).tweak_score(move |seg: &SegmentReader| {
            let date = seg.fast_fields().date("date").ok();
            let stars = seg.fast_fields().u64("stars_period").ok();
            let rules = segment_tweaks.as_ref().map(|t| t.segment(seg));
            move |doc, bm25: f32| {
                let pos = date
                    .as_ref()
                    .and_then(|c| c.first(doc))
                    .map(|d| (d.into_timestamp_secs() - since) as f64 / len as f64)
                    .unwrap_or(0.0);
                let boost = match kind {
                    Kind::Repo => stars_weight(stars.as_ref().and_then(|c| c.first(doc))),
                    _ => 1.0,
                };
                let score = (1.0 + f64::from(bm25).ln_1p()) * boost * recency_weight(pos);
                match &rules {
                    Some(r) => r.apply(doc, score),
                    None => score,
                }
            }
        });
        Ok(self.searcher.search(query, &collector)?)
    }

    /// `hits` scored in full (stage, corroboration, the team's marks), each
    /// with its `why`, best first, a story and a title once; and how many
    /// the team's noise marks left out. Hits from the `first`-th on are
    /// [`Ranked::refill`].
    fn rank_hits(
        &self,
        topic: Option<&Topic>,
        kind: Kind,
        tweaks: Option<&std::sync::Arc<crate::rules::Tweaks>>,
        hits: Vec<(f64, DocAddress)>,
        first: usize,
    ) -> Result<(Vec<Ranked>, usize), ReportError> {
        let mut ranked = Vec::with_capacity(hits.len());
        let mut muted = 0;
        for (place, (base, addr)) in hits.into_iter().enumerate() {
            let doc: tantivy::TantivyDocument = self.searcher.doc(addr)?;
            let item = self.idx.item_of(&doc)?;
            let stage = match kind {
                Kind::Cloud => cloud_weight(&item),
                _ if is_opinion(&item) => ROUTINE_WEIGHT,
                _ => 1.0,
            };
            let story = item.story.clone().unwrap_or_else(|| item.id.clone());
            let also = self.idx.story_members(
                self.searcher,
                &story,
                &item.id,
                crate::stories::MAX_ALSO,
            )?;
            let story_sources: std::collections::BTreeSet<&str> = also
                .iter()
                .map(|m| m.source.as_str())
                .filter(|s| *s != item.source)
                .collect();
            // Corroboration counts the story's other sources, or the sources
            // naming the same thing, whichever says more.
            let others = self.corroboration(&item)?.max(story_sources.len());
            let mut score = base * stage * (1.0 + 0.25 * others.min(MAX_CORROBORATION) as f64);
            let sources: Vec<&str> = story_sources.into_iter().collect();
            let mut why = why(&item, topic.map(|t| t.name.as_str()), others, &sources);
            let score_before_marks = score;
            let learned =
                topic.and_then(|t| self.learner.adjust(self.idx, self.searcher, &t.name, &item));
            if let Some(adj) = learned {
                if adj.muted {
                    muted += 1;
                    continue;
                }
                score *= adj.factor;
                if let Some(words) = adj.why {
                    why = if why.is_empty() {
                        words
                    } else {
                        format!("{why}; {words}")
                    };
                }
            }
            if let Some(t) = tweaks {
                for words in crate::rules::why_words(&t.matching(self.searcher, addr)) {
                    why = if why.is_empty() {
                        words
                    } else {
                        format!("{why}; {words}")
                    };
                }
            }
            ranked.push(Ranked {
                item,
                score: (score * 1000.0).round() / 1000.0,
                score_before_marks: (score_before_marks * 1000.0).round() / 1000.0,
                refill: place >= first,
                why,
                also,
            });
        }
        ranked.sort_by(|a, b| {
            b.score
                .total_cmp(&a.score)
                .then_with(|| a.item.id.cmp(&b.item.id))
        });
        // A story is listed once (its best-ranked document), and so is a
        // title filed twice (one per release channel or edition).
        let mut stories = std::collections::BTreeSet::new();
        let mut seen = std::collections::BTreeSet::new();
        ranked.retain(|r| {
            let story = r.item.story.clone().unwrap_or_else(|| r.item.id.clone());
            stories.insert(story) && seen.insert(r.item.title.to_lowercase())
        });
        Ok((ranked, muted))
    }

    /// Other sources that name what `item` is about in the period.
    fn corroboration(&self, item: &Item) -> Result<usize, ReportError> {
        let Some(name) = corroboration_name(item) else {
            return Ok(0);
        };
        let key = (name.to_lowercase(), item.source.clone());
        if let Some(n) = self.corroboration.borrow().get(&key) {
            return Ok(*n);
        }
        let f = self.idx.fields();
        let n = match self
            .parser
            .parse_query(&format!("\"{}\"", name.replace(['"', '\\'], " ")))
        {
            Ok(named) => {
                let named: Box<dyn Query> = Box::new(SeekUnion::flat(vec![named]));
                let query = BooleanQuery::new(vec![
                    (Occur::Must, self.in_period()),
                    (Occur::Must, named),
                    (Occur::MustNot, source_term(f.source, &item.source)),
                ]);
                self.idx.counts_by(self.searcher, &query, "source")?.len()
            }
            Err(_) => 0,
        };
        self.corroboration.borrow_mut().insert(key, n);
        Ok(n)
    }
}

/// The scoring part of a topic's query: its phrases (keywords, systems
/// and aliases over title and summary, the title weighted 2×; products over
/// the title) and its `query`. The clauses are summed as a [`SeekUnion`]:
/// a ranking asks for their scores only at the few documents it looks at.
/// `None` for a topic with nothing to score by.
pub fn topic_relevance(idx: &HorizonIndex, topic: &Topic) -> Option<Box<dyn Query>> {
    let (parser, title_parser) = relevance_parsers(idx);
    relevance_with(idx, &parser, &title_parser, topic)
}

/// The parsers of a topic's phrases: title and summary (the title 2×), and
/// the title alone (products).
fn relevance_parsers(idx: &HorizonIndex) -> (QueryParser, QueryParser) {
    let f = idx.fields();
    let mut parser = QueryParser::for_index(idx.index(), vec![f.title, f.summary]);
    parser.set_field_boost(f.title, 2.0);
    (parser, QueryParser::for_index(idx.index(), vec![f.title]))
}

fn relevance_with(
    idx: &HorizonIndex,
    parser: &QueryParser,
    title_parser: &QueryParser,
    topic: &Topic,
) -> Option<Box<dyn Query>> {
    let phrase = |parser: &QueryParser, p: &str| -> Option<Box<dyn Query>> {
        let p = p.replace(['"', '\\'], " ");
        if p.trim().is_empty() {
            return None;
        }
        parser.parse_query(&format!("\"{}\"", p.trim())).ok()
    };
    let mut clauses: Vec<Box<dyn Query>> = Vec::new();
    let aliases = topic.aliases.values().flatten();
    for p in topic.keywords.iter().chain(&topic.systems).chain(aliases) {
        clauses.extend(phrase(parser, p));
    }
    for p in &topic.products {
        clauses.extend(phrase(title_parser, p));
    }
    if let Some(q) = topic.query.as_deref().filter(|q| !q.trim().is_empty()) {
        clauses.extend(crate::search::parse_query(idx.index(), q).ok());
    }
    (!clauses.is_empty()).then(|| Box::new(SeekUnion::flat(clauses)) as Box<dyn Query>)
}

fn source_term(field: Field, source: &str) -> Box<dyn Query> {
    Box::new(tantivy::query::TermQuery::new(
        Term::from_field_text(field, source),
        tantivy::schema::IndexRecordOption::Basic,
    ))
}

/// What other sources would call the item: a repository's name, a cloud
/// note's first product, a paper's or article's system name ("Mooncake: a
/// KVCache-centric…"), if it has one.
pub fn corroboration_name(item: &Item) -> Option<String> {
    let name = match item.kind {
        Kind::Repo => item
            .id
            .strip_prefix("github:")
            .and_then(|r| r.rsplit('/').next())
            .map(str::to_string),
        Kind::Cloud => item.products.first().cloned(),
        Kind::Paper | Kind::Article => item.title.split_once(':').and_then(|(head, _)| {
            let words = head.split_whitespace().count();
            (1..=4).contains(&words).then(|| head.trim().to_string())
        }),
    }?;
    (name.chars().filter(|c| c.is_alphanumeric()).count() >= 4).then_some(name)
}

/// Up to three quoted phrases (with "×N" when more than once), then "+N".
fn phrase_list<'p>(phrases: impl IntoIterator<Item = (&'p str, u32)>) -> String {
    let mut seen: Vec<(&str, u32)> = Vec::new();
    for (p, n) in phrases {
        match seen.iter_mut().find(|(s, _)| s.eq_ignore_ascii_case(p)) {
            Some(s) => s.1 += n,
            None => seen.push((p, n)),
        }
    }
    let mut out: Vec<String> = seen
        .iter()
        .take(3)
        .map(|(p, n)| match n {
            0 | 1 => format!("\"{p}\""),
            n => format!("\"{p}\" ×{n}"),
        })
        .collect();
    if seen.len() > 3 {
        out.push(format!("+{}", seen.len() - 3));
    }
    out.join(", ")
}

/// The evidence of one tag in words.
fn evidence_words(e: &TopicEvidence, kind: Kind) -> Vec<String> {
    let mut parts = Vec::new();
    if !e.title.is_empty() {
        let listed = phrase_list(e.title.iter().map(|p| (p.as_str(), 0)));
        parts.push(format!("matches {listed} in title"));
    }
    if !e.summary.is_empty() {
        let listed = phrase_list(e.summary.iter().map(|p| (p.phrase.as_str(), p.count)));
        let place = if kind == Kind::Paper {
            "abstract"
        } else {
            "summary"
        };
        parts.push(format!("{listed} in {place}"));
    }
    if !e.systems.is_empty() {
        parts.push(format!("concerns {}", e.systems.join(", ")));
    }
    if e.query {
        parts.push("matches the topic's query".to_string());
    }
    parts
}

/// The one-line reason an item is listed.
pub fn why(item: &Item, topic: Option<&str>, others: usize, story_sources: &[&str]) -> String {
    let mut parts = Vec::new();
    if let Some(t) = topic {
        match item.evidence.iter().find(|e| e.topic == t) {
            Some(e) => parts.extend(evidence_words(e, item.kind)),
            None => parts.push(format!("tagged {t}")),
        }
    }
    match item.kind {
        Kind::Cloud => match item.stage {
            Some(Stage::Ga) => parts.push("GA".to_string()),
            Some(Stage::New) => parts.push("new offering".to_string()),
            Some(Stage::Deprecation) => parts.push("retirement".to_string()),
            Some(Stage::Preview) => parts.push("preview".to_string()),
            _ if asks_to_act(item) => parts.push("asks to act".to_string()),
            _ => {}
        },
        Kind::Repo => {
            if let Some(n) = item.stars_period.filter(|n| *n > 0) {
                parts.push(format!("+{} stars", super::render::thousands(n)));
            }
        }
        Kind::Paper | Kind::Article => {}
    }
    if !story_sources.is_empty() {
        parts.push(format!("also: {}", story_sources.join(", ")));
    } else if others > 0 {
        parts.push(format!(
            "also in {others} other source{}",
            if others == 1 { "" } else { "s" }
        ));
    }
    parts.join("; ")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::PhraseCount;

    #[test]
    fn why_reads_the_evidence() {
        let e = TopicEvidence {
            topic: "streaming".into(),
            title: vec!["stream processing".into()],
            summary: vec![
                PhraseCount {
                    phrase: "exactly-once".into(),
                    count: 2,
                },
                PhraseCount {
                    phrase: "Kafka".into(),
                    count: 1,
                },
            ],
            systems: vec![],
            query: false,
        };
        let item = Item {
            kind: Kind::Paper,
            evidence: vec![e],
            ..Item::new("arxiv:1", Kind::Paper, "arxiv", "t", "u")
        };
        assert_eq!(
            why(&item, Some("streaming"), 2, &[]),
            "matches \"stream processing\" in title; \"exactly-once\" ×2, \"Kafka\" in abstract; also in 2 other sources"
        );
        assert_eq!(why(&item, Some("other"), 0, &[]), "tagged other");
        assert_eq!(
            why(&item, Some("other"), 1, &["aws-news-blog"]),
            "tagged other; also: aws-news-blog"
        );
    }

    #[test]
    fn coverage_notices_and_opinion_columns_are_routine() {
        let cloud = |title: &str| Item::new("gcp:1", Kind::Cloud, "gcp", title, "u");
        assert!(is_routine(&cloud(
            "Access Approval: Google Cloud Managed Service for Apache Kafka is generally available (GA)."
        )));
        assert!(!is_routine(&cloud(
            "Access Approval: Access Approval now supports custom approval windows."
        )));
        assert!(!is_routine(&cloud(
            "Managed Service for Apache Kafka: Kafka Connect is generally available (GA)."
        )));
        let mut column = Item::new("feed:1", Kind::Article, "blog", "Keep it simple", "u");
        column.summary = "Editor’s note: The Speed Read is a column authored by Google Cloud’s Quentin Hardy, examining important themes.".into();
        assert!(is_routine(&column));
        let mut post = Item::new(
            "feed:2",
            Kind::Article,
            "blog",
            "How we fixed a bug in our scheduler",
            "u",
        );
        post.summary =
            "Editor’s note: Today we hear from Worldline about their API platform.".into();
        assert!(!is_routine(&post));
    }

    #[test]
    fn phrase_lists_are_capped_and_deduplicated() {
        let p = ["a", "A", "b", "c", "d", "e"].map(|s| (s, 1));
        assert_eq!(phrase_list(p), "\"a\" ×2, \"b\", \"c\", +2");
    }

    #[test]
    fn corroboration_names() {
        let repo = Item::new("github:vllm-project/vllm", Kind::Repo, "t", "x", "u");
        assert_eq!(corroboration_name(&repo).as_deref(), Some("vllm"));
        let paper = Item::new(
            "arxiv:1",
            Kind::Paper,
            "a",
            "Mooncake: A KVCache-centric Architecture",
            "u",
        );
        assert_eq!(corroboration_name(&paper).as_deref(), Some("Mooncake"));
        let long = Item::new(
            "arxiv:2",
            Kind::Paper,
            "a",
            "Towards a theory of everything in systems: a survey",
            "u",
        );
        assert_eq!(corroboration_name(&long), None);
    }

    #[test]
    fn notes_that_ask_to_act() {
        let note = |t: &str, s: &str| Item {
            summary: s.to_string(),
            ..Item::new("gcp:1", Kind::Cloud, "gcp", t, "u")
        };
        for (t, s) in [
            (
                "Memorystore for Valkey: We have implemented a security fix for CVE-2025-49844.",
                "",
            ),
            (
                "BigQuery: Support for table parameters in TVFs has been temporarily disabled.",
                "",
            ),
            (
                "Cloud Composer: Configuration of firewall rules",
                "now requires allowing egress traffic",
            ),
            ("Amazon RDS: action required before the upgrade", ""),
        ] {
            assert!(asks_to_act(&note(t, s)), "{t}");
        }
        for t in [
            "Cloud Storage: A weekly digest of client library updates",
            "Amazon EKS: now supports Kubernetes 1.34",
            "AlloyDB: disabling a flag is faster", // "disabling" is not "disabled"
        ] {
            assert!(!asks_to_act(&note(t, "")), "{t}");
        }
        let mut update = note("Valkey: security fix for CVE-2025-49844", "");
        update.stage = Some(Stage::Update);
        assert_eq!(cloud_weight(&update), ACTION_WEIGHT);
        update.stage = Some(Stage::Ga);
        assert_eq!(cloud_weight(&update), stage_weight(Some(Stage::Ga)));
    }

    #[test]
    fn weights_order_stages_and_stars() {
        assert!(stage_weight(Some(Stage::Ga)) > stage_weight(Some(Stage::Preview)));
        assert!(stage_weight(Some(Stage::Preview)) > stage_weight(Some(Stage::Update)));
        assert!(stars_weight(Some(1000)) > stars_weight(Some(10)));
        assert_eq!(stars_weight(None), 1.0);
    }
}
