//! Topic tagging: which of the team's areas each item belongs to.
//!
//! A topic matches an item when one of its keyword phrases occurs in the title
//! or summary — case-insensitively, on word boundaries ("Spark" does not match
//! "sparkle", but does match "Sparks"), with any run of whitespace between the
//! words of a phrase — or when its optional tantivy `query` matches. Queries
//! are run over a small in-memory index of the batch being tagged, so a topic
//! query means exactly what the same query means in `horizon search`.

use regex::{Regex, RegexBuilder};
use tantivy::collector::DocSetCollector;
use tantivy::directory::RamDirectory;
use tantivy::{Index, SingleSegmentIndexWriter};

use crate::config::Topic;
use crate::index::{build_schema, document_for};
use crate::model::Item;
use crate::search::{parse_query, QueryError};

/// A regex matching any of `phrases` as whole words, case-insensitively,
/// allowing a plural `s`/`es`. `None` when there are no phrases.
pub fn phrase_matcher(phrases: &[String]) -> Option<Regex> {
    let alts: Vec<String> = phrases
        .iter()
        .map(|p| {
            p.split_whitespace()
                .map(regex::escape)
                .collect::<Vec<_>>()
                .join(r"\s+")
        })
        .filter(|p| !p.is_empty())
        .collect();
    if alts.is_empty() {
        return None;
    }
    let pattern = format!(
        r"(?:^|[^\p{{L}}\p{{N}}_])(?:{})(?:s|es)?(?:$|[^\p{{L}}\p{{N}}_])",
        alts.join("|")
    );
    RegexBuilder::new(&pattern)
        .case_insensitive(true)
        .size_limit(1 << 24)
        .build()
        .ok()
}

/// Why tagging could not run.
#[derive(Debug, thiserror::Error)]
pub enum TagError {
    /// A topic's `query` is invalid.
    #[error("topic {topic:?} (line {line}): invalid query: {error}")]
    BadQuery {
        /// The topic.
        topic: String,
        /// Its line in the config.
        line: usize,
        /// What is wrong.
        error: QueryError,
    },
    /// The in-memory index failed.
    #[error("tagging index")]
    Tantivy(#[from] tantivy::TantivyError),
}

struct CompiledTopic {
    name: String,
    keywords: Option<Regex>,
    query: Option<String>,
}

/// Tags items with topic names.
pub struct Tagger {
    topics: Vec<CompiledTopic>,
}

impl std::fmt::Debug for Tagger {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Tagger")
            .field("topics", &self.topics.len())
            .finish()
    }
}

impl Tagger {
    /// Compile the topics; a topic query that does not parse is an error naming the topic.
    pub fn new(topics: &[Topic]) -> Result<Tagger, TagError> {
        let (schema, _) = build_schema();
        let probe = Index::create_in_ram(schema);
        let mut compiled = Vec::new();
        for t in topics {
            let query = t
                .query
                .as_ref()
                .map(|q| q.trim().to_string())
                .filter(|q| !q.is_empty());
            if let Some(q) = &query {
                parse_query(&probe, q).map_err(|error| TagError::BadQuery {
                    topic: t.name.clone(),
                    line: t.line,
                    error,
                })?;
            }
            compiled.push(CompiledTopic {
                name: t.name.clone(),
                keywords: phrase_matcher(&t.keywords),
                query,
            });
        }
        Ok(Tagger { topics: compiled })
    }

    /// Set `topics` on every item (replacing what was there).
    pub fn tag(&self, items: &mut [Item]) -> Result<(), TagError> {
        for item in items.iter_mut() {
            item.topics.clear();
            for t in &self.topics {
                if let Some(re) = &t.keywords {
                    if re.is_match(&item.title) || re.is_match(&item.summary) {
                        item.topics.push(t.name.clone());
                    }
                }
            }
        }
        if items.is_empty() || self.topics.iter().all(|t| t.query.is_none()) {
            return Ok(());
        }
        // One segment written in order: doc id i is items[i].
        let (schema, fields) = build_schema();
        let mut writer: SingleSegmentIndexWriter = Index::builder()
            .schema(schema)
            .single_segment_index_writer(RamDirectory::create(), 15_000_000)?;
        for item in items.iter() {
            writer.add_document(document_for(&fields, item))?;
        }
        let index = writer.finalize()?;
        let searcher = index.reader()?.searcher();
        for t in &self.topics {
            let Some(q) = &t.query else { continue };
            let Ok(query) = parse_query(&index, q) else {
                continue;
            };
            let hits = searcher.search(&*query, &DocSetCollector)?;
            for addr in hits {
                if let Some(item) = items.get_mut(addr.doc_id as usize) {
                    if !item.topics.contains(&t.name) {
                        item.topics.push(t.name.clone());
                    }
                }
            }
        }
        let order: Vec<&str> = self.topics.iter().map(|t| t.name.as_str()).collect();
        for item in items.iter_mut() {
            item.topics
                .sort_by_key(|n| order.iter().position(|o| o == n).unwrap_or(usize::MAX));
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Kind;

    fn topic(name: &str, keywords: &[&str], query: Option<&str>) -> Topic {
        Topic {
            name: name.into(),
            keywords: keywords.iter().map(|s| s.to_string()).collect(),
            query: query.map(str::to_string),
            arxiv_categories: vec![],
            systems: vec![],
            aliases: Default::default(),
            line: 1,
        }
    }

    fn item(title: &str, summary: &str) -> Item {
        let mut i = Item::new(format!("t:{title}"), Kind::Article, "s", title, "u");
        i.summary = summary.into();
        i
    }

    #[test]
    fn keywords_match_on_word_boundaries() {
        let re = phrase_matcher(&["Spark".into(), "load testing".into(), "C++".into()]).unwrap();
        assert!(re.is_match("Apache Spark 4.0 released"));
        assert!(re.is_match("running sparks"));
        assert!(!re.is_match("a sparkle of joy"));
        assert!(!re.is_match("sparkline charts"));
        assert!(re.is_match("Distributed LOAD\n  Testing at scale"));
        assert!(re.is_match("modern C++ idioms"));
        assert!(!re.is_match("preloadtesting"));
    }

    #[test]
    fn tags_by_keywords_and_queries() {
        let tagger = Tagger::new(&[
            topic("streaming", &["stream processing", "Kafka"], None),
            topic("ml", &[], Some("title:inference AND summary:gpu")),
        ])
        .unwrap();
        let mut items = vec![
            item("Kafka at scale", ""),
            item("Fast inference", "on a GPU cluster"),
            item("Inference", "on CPUs"),
            item("Stream processing with inference", "gpu"),
        ];
        tagger.tag(&mut items).unwrap();
        let tags: Vec<Vec<String>> = items.iter().map(|i| i.topics.clone()).collect();
        assert_eq!(tags[0], vec!["streaming"]);
        assert_eq!(tags[1], vec!["ml"]);
        assert!(tags[2].is_empty());
        assert_eq!(tags[3], vec!["streaming", "ml"]);
    }

    #[test]
    fn invalid_topic_query_names_the_topic() {
        let err = Tagger::new(&[topic("bad", &[], Some("title:(unclosed"))]).unwrap_err();
        assert!(
            err.to_string()
                .starts_with("topic \"bad\" (line 1): invalid query"),
            "{err}"
        );
    }
}
