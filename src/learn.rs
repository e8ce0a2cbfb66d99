//! A ranking that learns from the team's marks (`crate::marks`): per topic,
//! a linear model over sparse tf-idf features of a document's title,
//! summary and products — the arxiv-sanity-lite idea, with the simplest
//! linear model that works from a handful of examples: the weights are the
//! mean tf-idf vector of the documents marked useful minus that of the
//! documents marked noise (Rocchio's centroid classifier).
//!
//! A document's tf-idf vector uses the index's own tokenizer (stemmed
//! English) and document frequencies, and is L2-normalised, so its score
//! `w · x` lies in [-1, 1]. The report multiplies a document's score by
//! `1 + LEARNED_WEIGHT × w · x` (at least [`MIN_FACTOR`]) and its `why` names
//! the marked document it is most like — but only a document within
//! [`WHY_SIMILARITY`] of some marked document: applied to every document, a
//! handful of marked notes' words moved next week's launches by their
//! products and made the next week's top reads worse. Marks for every topic train a model
//! shared by all topics; a topic's own marks train its own, and the two add.
//!
//! A mark also speaks of its own document, and of the document's story,
//! directly: a story the team marked noise (for the topic, or for every
//! topic) is never a top read again and its `why` says so; one marked useful
//! scores at least `1 + LEARNED_WEIGHT` times its own score. A mark for the
//! topic overrides one for every topic; between two of one scope, the later
//! decides.
//!
//! The models are trained when a report is built, from the marks stored at
//! that moment, so a new mark counts at once; training reads only the marked
//! documents and scoring only the documents being ranked. A topic with no
//! marks gets no model and ranks exactly as without this module.

use std::collections::{BTreeMap, HashMap};

use tantivy::{Searcher, Term};

use crate::index::{HorizonIndex, IndexError};
use crate::marks::{Mark, Verdict};
use crate::model::Item;

/// How much the learned score moves a document's score.
pub const LEARNED_WEIGHT: f64 = 1.0;
/// The smallest factor the model applies (a document like the noise).
pub const MIN_FACTOR: f64 = 0.1;
/// Cosine to the nearest marked document above which the model moves a
/// document's score, and the `why` names that document.
pub const WHY_SIMILARITY: f64 = 0.3;
/// Change of score below which the `why` says nothing of the marks.
pub const WHY_MIN_CHANGE: f64 = 0.1;

/// A sparse, L2-normalised tf-idf vector: stemmed term → weight.
pub type Features = HashMap<String, f64>;

/// One marked document, as the model saw it.
#[derive(Debug, Clone)]
struct Example {
    title: String,
    verdict: Verdict,
    features: Features,
}

/// A linear model of one scope (a topic, or every topic).
#[derive(Debug, Clone, Default)]
struct Model {
    weights: Features,
    examples: Vec<Example>,
}

/// What the model does to one document's score.
#[derive(Debug, Clone, PartialEq)]
pub struct Adjustment {
    /// The factor its score is multiplied by.
    pub factor: f64,
    /// "like 'X', which the team marked useful", when one marked document is close.
    pub why: Option<String>,
    /// The team marked this document, or another of its story, noise: it is
    /// no top read.
    pub muted: bool,
}

/// A mark on one document or story: its verdict, when, and the marked
/// document's title.
#[derive(Debug, Clone)]
struct Direct {
    verdict: Verdict,
    at: jiff::Timestamp,
    title: String,
}

/// The models of every topic with marks.
#[derive(Debug, Clone, Default)]
pub struct Learner {
    /// Topic name → model; `None` key: marks for every topic.
    models: BTreeMap<Option<String>, Model>,
    /// (scope, document or story id) → the latest mark on it.
    direct: HashMap<(Option<String>, String), Direct>,
    documents: u64,
}

/// Turns documents into tf-idf features with one searcher's statistics.
struct Featurizer<'a> {
    idx: &'a HorizonIndex,
    searcher: &'a Searcher,
    documents: u64,
}

impl Featurizer<'_> {
    fn features(&self, item: &Item) -> Features {
        let f = self.idx.fields();
        let mut analyzer = match self.idx.index().tokenizer_for_field(f.summary) {
            Ok(a) => a,
            Err(_) => return Features::new(),
        };
        let mut tf: HashMap<String, f64> = HashMap::new();
        let texts = [&item.title, &item.summary]
            .into_iter()
            .chain(item.products.iter());
        for text in texts {
            let mut stream = analyzer.token_stream(text);
            stream.process(&mut |t| {
                if t.text.chars().count() >= 3 {
                    *tf.entry(t.text.clone()).or_insert(0.0) += 1.0;
                }
            });
        }
        let n = self.documents.max(1) as f64;
        let mut v: Features = tf
            .into_iter()
            .map(|(term, count)| {
                let df = self
                    .searcher
                    .doc_freq(&Term::from_field_text(f.summary, &term))
                    .unwrap_or(0) as f64;
                // A term in every document tells nothing: weight 0.
                let idf = ((1.0 + n) / (1.0 + df)).ln().max(0.0);
                (term, (1.0 + count.ln()) * idf)
            })
            .collect();
        normalise(&mut v);
        v
    }
}

fn normalise(v: &mut Features) {
    let norm = v.values().map(|x| x * x).sum::<f64>().sqrt();
    if norm > 0.0 {
        v.values_mut().for_each(|x| *x /= norm);
    }
}

fn dot(a: &Features, b: &Features) -> f64 {
    let (small, large) = if a.len() <= b.len() { (a, b) } else { (b, a) };
    small
        .iter()
        .filter_map(|(k, x)| large.get(k).map(|y| x * y))
        .sum()
}

impl Model {
    fn train(examples: Vec<Example>) -> Model {
        let mut weights = Features::new();
        for verdict in [Verdict::Useful, Verdict::Noise] {
            let of: Vec<&Example> = examples.iter().filter(|e| e.verdict == verdict).collect();
            let sign = if verdict == Verdict::Useful {
                1.0
            } else {
                -1.0
            };
            for e in &of {
                for (k, x) in &e.features {
                    *weights.entry(k.clone()).or_insert(0.0) += sign * x / of.len() as f64;
                }
            }
        }
        Model { weights, examples }
    }

    /// The closest document marked `verdict` above [`WHY_SIMILARITY`], with its cosine.
    fn nearest(&self, x: &Features, verdict: Verdict) -> Option<(&Example, f64)> {
        self.examples
            .iter()
            .filter(|e| e.verdict == verdict)
            .map(|e| (e, dot(&e.features, x)))
            .filter(|(_, s)| *s >= WHY_SIMILARITY)
            .max_by(|a, b| a.1.total_cmp(&b.1))
    }
}

impl Learner {
    /// Models trained from `marks` over the documents of `idx` (marks of
    /// documents no longer in the index are skipped).
    pub fn train(
        idx: &HorizonIndex,
        searcher: &Searcher,
        marks: &[Mark],
    ) -> Result<Learner, IndexError> {
        if marks.is_empty() {
            return Ok(Learner::default());
        }
        let documents = searcher.num_docs();
        let fz = Featurizer {
            idx,
            searcher,
            documents,
        };
        let mut by_scope: BTreeMap<Option<String>, Vec<Example>> = BTreeMap::new();
        let mut direct: HashMap<(Option<String>, String), Direct> = HashMap::new();
        for m in marks {
            let Some(item) = idx.get(searcher, &m.item)? else {
                continue;
            };
            for key in std::iter::once(&item.id).chain(item.story.as_ref()) {
                let slot = (m.topic.clone(), key.clone());
                if direct.get(&slot).is_none_or(|d| d.at <= m.at) {
                    direct.insert(
                        slot,
                        Direct {
                            verdict: m.verdict,
                            at: m.at,
                            title: item.title.clone(),
                        },
                    );
                }
            }
            by_scope.entry(m.topic.clone()).or_default().push(Example {
                title: item.title.clone(),
                verdict: m.verdict,
                features: fz.features(&item),
            });
        }
        let models = by_scope
            .into_iter()
            .map(|(scope, ex)| (scope, Model::train(ex)))
            .collect();
        Ok(Learner {
            models,
            direct,
            documents,
        })
    }

    /// The mark that speaks of `item` or its story in `topic`: the topic's
    /// own before one for every topic, the later of two in one scope.
    fn direct(&self, topic: &str, item: &Item) -> Option<&Direct> {
        let keys: Vec<&String> = std::iter::once(&item.id)
            .chain(item.story.as_ref())
            .collect();
        [Some(topic.to_string()), None]
            .into_iter()
            .find_map(|scope| {
                keys.iter()
                    .filter_map(|k| self.direct.get(&(scope.clone(), (*k).clone())))
                    .max_by_key(|d| d.at)
            })
    }

    /// Whether no topic has a model.
    pub fn is_empty(&self) -> bool {
        self.models.is_empty()
    }

    /// What the models of `topic` do to `item`; `None` when the topic has none.
    pub fn adjust(
        &self,
        idx: &HorizonIndex,
        searcher: &Searcher,
        topic: &str,
        item: &Item,
    ) -> Option<Adjustment> {
        let models: Vec<&Model> = [None, Some(topic.to_string())]
            .iter()
            .filter_map(|k| self.models.get(k))
            .collect();
        if models.is_empty() {
            return None;
        }
        let fz = Featurizer {
            idx,
            searcher,
            documents: self.documents,
        };
        if let Some(d) = self
            .direct(topic, item)
            .filter(|d| d.verdict == Verdict::Noise)
        {
            let why = if d.title == item.title {
                "the team marked it noise".to_string()
            } else {
                format!("the team marked {:?}, of the same story, noise", d.title)
            };
            return Some(Adjustment {
                factor: MIN_FACTOR,
                why: Some(why),
                muted: true,
            });
        }
        let x = fz.features(item);
        // The model moves only documents like one the team marked: its
        // weights are a handful of marked documents' words, and far from
        // them (next week's other launches) they say more about those
        // documents' products than about what the team reads.
        let close = models.iter().any(|m| {
            m.examples
                .iter()
                .any(|e| dot(&e.features, &x) >= WHY_SIMILARITY)
        });
        let score: f64 = if close {
            models.iter().map(|m| dot(&m.weights, &x)).sum()
        } else {
            0.0
        };
        let mut factor = (1.0 + LEARNED_WEIGHT * score).max(MIN_FACTOR);
        let marked_useful = self.direct(topic, item).is_some();
        if marked_useful {
            factor = factor.max(1.0 + LEARNED_WEIGHT);
        }
        // The why names a marked document only when the model moved the
        // score, and one that pulls the way it moved.
        let verdict = if score > 0.0 || marked_useful {
            Verdict::Useful
        } else {
            Verdict::Noise
        };
        let nearest = models
            .iter()
            .filter_map(|m| m.nearest(&x, verdict))
            .max_by(|a, b| a.1.total_cmp(&b.1))
            .filter(|_| (factor - 1.0).abs() >= WHY_MIN_CHANGE);
        let why = nearest.map(|(e, similarity)| {
            let verdict = match e.verdict {
                Verdict::Useful => "useful",
                Verdict::Noise => "noise",
            };
            if similarity > 0.999 && e.title == item.title {
                format!("the team marked it {verdict}")
            } else {
                format!("like {:?}, which the team marked {verdict}", e.title)
            }
        });
        Some(Adjustment {
            factor,
            why,
            muted: false,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Kind;
    use jiff::Timestamp;

    fn item(id: &str, title: &str, summary: &str) -> Item {
        let mut i = Item::new(
            id,
            Kind::Article,
            "blog",
            title,
            format!("https://b.example/{id}"),
        );
        i.summary = summary.into();
        i.topics = vec!["infra".into()];
        i
    }

    fn corpus() -> Vec<Item> {
        vec![
            item(
                "k1",
                "Kafka tiered storage in production",
                "Moving old Kafka log segments to object storage.",
            ),
            item(
                "k2",
                "Tiered storage for Kafka brokers",
                "Kafka brokers offload log segments to object storage.",
            ),
            item(
                "g1",
                "GPU scheduling for training jobs",
                "A scheduler that packs GPU training jobs on clusters.",
            ),
            item(
                "g2",
                "Scheduling GPU jobs fairly",
                "Fair GPU scheduling for training jobs across teams.",
            ),
            item(
                "w1",
                "Webinar: register now",
                "Join our webinar about cloud costs.",
            ),
            item(
                "w2",
                "Register for the webinar",
                "A webinar on cloud costs: register today.",
            ),
        ]
    }

    fn index(items: &[Item]) -> (tempfile::TempDir, HorizonIndex) {
        let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
        let idx = HorizonIndex::open_or_create(dir.path()).unwrap_or_else(|e| panic!("{e}"));
        let mut w = idx.writer(20_000_000).unwrap_or_else(|e| panic!("{e}"));
        for i in items {
            w.add_document(idx.doc_of(i))
                .unwrap_or_else(|e| panic!("{e}"));
        }
        w.commit().unwrap_or_else(|e| panic!("{e}"));
        drop(w);
        (dir, idx)
    }

    fn mark(id: &str, topic: Option<&str>, verdict: Verdict) -> Mark {
        Mark {
            item: id.into(),
            topic: topic.map(str::to_string),
            verdict,
            who: "cli".into(),
            at: Timestamp::UNIX_EPOCH,
            note: None,
        }
    }

    #[test]
    fn useful_marks_lift_similar_documents_and_noise_marks_push_them_down() {
        let items = corpus();
        let (_dir, idx) = index(&items);
        let searcher = idx.searcher().unwrap_or_else(|e| panic!("{e}"));
        let marks = [
            mark("k1", Some("infra"), Verdict::Useful),
            mark("w1", None, Verdict::Noise),
        ];
        let learner = Learner::train(&idx, &searcher, &marks).unwrap_or_else(|e| panic!("{e}"));
        let adj = |id: &str| {
            let it = items
                .iter()
                .find(|i| i.id == id)
                .unwrap_or_else(|| panic!("{id}"));
            learner
                .adjust(&idx, &searcher, "infra", it)
                .unwrap_or_else(|| panic!("a model for infra"))
        };
        let (k2, g1, w2) = (adj("k2"), adj("g1"), adj("w2"));
        assert!(k2.factor > 1.2, "like the useful one: {k2:?}");
        assert!((g1.factor - 1.0).abs() < 0.05, "unrelated: {g1:?}");
        assert!(w2.factor < 0.8, "like the noise: {w2:?}");
        assert_eq!(
            k2.why.as_deref(),
            Some("like \"Kafka tiered storage in production\", which the team marked useful")
        );
        assert!(w2.why.unwrap_or_default().contains("marked noise"));
        assert!(g1.why.is_none());
        // A topic with only the marks for every topic still gets those.
        let other = learner.adjust(&idx, &searcher, "other", &items[5]);
        assert!(other.is_some_and(|a| a.factor < 1.0));
    }

    #[test]
    fn a_document_or_story_marked_noise_is_muted_and_the_later_mark_decides() {
        let mut items = corpus();
        // g2 is of k1's story.
        items[0].story = Some("s-kafka".into());
        items[3].story = Some("s-kafka".into());
        let (_dir, idx) = index(&items);
        let searcher = idx.searcher().unwrap_or_else(|e| panic!("{e}"));
        let at = |secs: i64| Timestamp::from_second(secs).unwrap_or_else(|e| panic!("{e}"));
        let marks = [
            Mark {
                at: at(10),
                ..mark("k1", Some("infra"), Verdict::Noise)
            },
            Mark {
                at: at(5),
                ..mark("g1", Some("infra"), Verdict::Noise)
            },
            Mark {
                at: at(20),
                ..mark("g1", Some("infra"), Verdict::Useful)
            },
            mark("k2", None, Verdict::Noise),
            mark("k2", Some("other"), Verdict::Useful),
        ];
        let learner = Learner::train(&idx, &searcher, &marks).unwrap_or_else(|e| panic!("{e}"));
        let adj = |topic: &str, id: &str| {
            let it = items
                .iter()
                .find(|i| i.id == id)
                .unwrap_or_else(|| panic!("{id}"));
            learner
                .adjust(&idx, &searcher, topic, it)
                .unwrap_or_else(|| panic!("a model for {topic}"))
        };
        let k1 = adj("infra", "k1");
        assert!(k1.muted, "{k1:?}");
        assert_eq!(k1.why.as_deref(), Some("the team marked it noise"));
        let g2 = adj("infra", "g2");
        assert!(g2.muted, "of a muted story: {g2:?}");
        assert!(g2.why.unwrap_or_default().contains("of the same story"));
        let g1 = adj("infra", "g1");
        assert!(
            !g1.muted && g1.factor >= 2.0,
            "the later mark, useful: {g1:?}"
        );
        assert!(adj("infra", "k2").muted, "noise for every topic");
        let k2 = adj("other", "k2");
        assert!(
            !k2.muted && k2.factor >= 2.0,
            "the topic's own mark wins: {k2:?}"
        );
    }

    #[test]
    fn no_marks_no_model() {
        let items = corpus();
        let (_dir, idx) = index(&items);
        let searcher = idx.searcher().unwrap_or_else(|e| panic!("{e}"));
        let learner = Learner::train(&idx, &searcher, &[]).unwrap_or_else(|e| panic!("{e}"));
        assert!(learner.is_empty());
        assert!(learner
            .adjust(&idx, &searcher, "infra", &items[0])
            .is_none());
        // Marks of another topic only: this topic has no model.
        let marks = [mark("k1", Some("elsewhere"), Verdict::Useful)];
        let learner = Learner::train(&idx, &searcher, &marks).unwrap_or_else(|e| panic!("{e}"));
        assert!(learner
            .adjust(&idx, &searcher, "infra", &items[1])
            .is_none());
    }
}
