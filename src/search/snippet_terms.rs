//! Snippets that stem only the words that can match.
//!
//! tantivy's `SnippetGenerator` runs the field's whole analyzer over the
//! text: every word is copied, lower-cased and stemmed, then lower-cased
//! again and looked up among the query's terms. That was most of a search's
//! time in `horizon serve` (the English Snowball stemmer and an allocation
//! or two on every word of ten summaries). A word can only stem to one of
//! the query's terms if it starts with the same letter: the English stemmer
//! changes endings, never a word's first letter (its exceptions, `skies` →
//! `sky`, `dying` → `die`…, keep it too). So [`Generator`] walks the text
//! as the field's analyzer (`en_stem`: tantivy's simple tokenizer, words of
//! 40 bytes or more dropped, lower case, English stemmer) would, and stems
//! only the words whose first letter starts a term (each thread remembers
//! the stems it has computed); the fragments are cut,
//! scored and chosen as tantivy's generator does, so a snippet and its
//! highlights are the same, word for word (tested against tantivy's).

use std::borrow::Cow;
use std::cell::RefCell;
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::ops::Range;

use tantivy::query::Query;
use tantivy::schema::Field;
use tantivy::{Score, Searcher, Term};

/// Lower-cased words whose stems each thread keeps (the English stemmer is
/// a pure function, and the words of a corpus repeat); past this the
/// thread forgets them.
const STEMS_KEPT: usize = 16_384;

thread_local! {
    /// Lower-cased word → its stem, lower-cased: the key among the terms.
    static STEMS: RefCell<HashMap<String, String>> = RefCell::new(HashMap::new());
}

/// Words of this many bytes or more are dropped by `en_stem` (tantivy's
/// `RemoveLongFilter::limit(40)`).
const LONG_WORD_BYTES: usize = 40;

/// A fragment of a text around the matched words.
#[derive(Debug, Default)]
pub struct Snip {
    /// The fragment.
    pub fragment: String,
    /// Byte ranges of the matched words within it.
    pub highlighted: Vec<Range<usize>>,
}

/// The snippets of one query's terms in one field (`en_stem`-analyzed).
#[derive(Debug)]
pub struct Generator {
    /// Each term with its score, `1 / (1 + document frequency)`.
    terms: BTreeMap<String, Score>,
    /// The first letters of the terms.
    letters: Vec<char>,
    max_num_chars: usize,
    stemmer: StemmerDebug,
}

/// The English stemmer (a `Debug` for the generator's).
struct StemmerDebug(frostem::Stemmer);

impl std::fmt::Debug for StemmerDebug {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Stemmer(English)")
    }
}

impl Generator {
    /// What tantivy's `SnippetGenerator::create` takes from `query` for
    /// `field`: its terms there that occur in the index, each scored
    /// `1 / (1 + document frequency)`.
    pub fn create(
        searcher: &Searcher,
        query: &dyn Query,
        field: Field,
        max_num_chars: usize,
    ) -> tantivy::Result<Generator> {
        let mut terms: BTreeSet<&Term> = BTreeSet::new();
        query.query_terms(&mut |term, _| {
            if term.field() == field {
                terms.insert(term);
            }
        });
        let mut scores: BTreeMap<String, Score> = BTreeMap::new();
        for term in terms {
            let value = term.value();
            let Some(text) = value.as_str() else {
                continue;
            };
            let doc_freq = searcher.doc_freq(term)?;
            if doc_freq > 0 {
                scores.insert(text.to_string(), 1.0 / (1.0 + doc_freq as Score));
            }
        }
        let mut letters: Vec<char> = scores.keys().filter_map(|t| t.chars().next()).collect();
        letters.sort_unstable();
        letters.dedup();
        Ok(Generator {
            terms: scores,
            letters,
            max_num_chars,
            stemmer: StemmerDebug(frostem::Stemmer::new(frostem::Algorithm::English)),
        })
    }

    /// The score of `word` (as it stands in the text) when its analyzed
    /// form is one of the terms.
    fn score(&self, word: &str) -> Option<Score> {
        let first = word.chars().next()?;
        let lower_first = if first.is_ascii() {
            first.to_ascii_lowercase()
        } else {
            first.to_lowercase().next()?
        };
        if !self.letters.contains(&lower_first) {
            return None;
        }
        // tantivy's LowerCaser: ASCII in place, else char by char.
        let lower: Cow<'_, str> = if !word.is_ascii() {
            Cow::Owned(word.chars().flat_map(char::to_lowercase).collect())
        } else if word.bytes().any(|b| b.is_ascii_uppercase()) {
            Cow::Owned(word.to_ascii_lowercase())
        } else {
            Cow::Borrowed(word)
        };
        STEMS.with(|stems| {
            let mut stems = stems.borrow_mut();
            if let Some(key) = stems.get(&*lower) {
                return self.terms.get(key).copied();
            }
            // The snippet generator lower-cases the analyzed word once more.
            let key = self.stemmer.0.stem(&lower).to_lowercase();
            let score = self.terms.get(&key).copied();
            if stems.len() >= STEMS_KEPT {
                stems.clear();
            }
            stems.insert(lower.into_owned(), key);
            score
        })
    }

    /// The best fragment of `text` and its highlights, as tantivy's
    /// `SnippetGenerator::snippet` finds it: the text cut into fragments
    /// of at most `max_num_chars` bytes at word starts, each scored by the
    /// terms it holds; the best wins, the first of equals.
    pub fn snippet(&self, text: &str) -> Snip {
        let mut best: Option<Candidate> = None;
        let mut fragment = Candidate::new(0);
        for (from, to) in words(text) {
            if to - from >= LONG_WORD_BYTES {
                continue;
            }
            if to - fragment.start > self.max_num_chars {
                let done = std::mem::replace(&mut fragment, Candidate::new(from));
                done.offer(&mut best);
            }
            fragment.stop = to;
            if let Some(score) = self.score(&text[from..to]) {
                fragment.score += score;
                fragment.highlighted.push(from..to);
            }
        }
        fragment.offer(&mut best);
        match best {
            Some(f) => Snip {
                fragment: text[f.start..f.stop].to_string(),
                highlighted: f
                    .highlighted
                    .iter()
                    .map(|r| r.start - f.start..r.end - f.start)
                    .collect(),
            },
            None => Snip::default(),
        }
    }
}

/// A fragment being scored.
struct Candidate {
    score: Score,
    start: usize,
    stop: usize,
    highlighted: Vec<Range<usize>>,
}

impl Candidate {
    fn new(start: usize) -> Candidate {
        Candidate {
            score: 0.0,
            start,
            stop: start,
            highlighted: Vec::new(),
        }
    }

    /// Keep this fragment if it scores and beats `best`: a higher score,
    /// or the same score further ahead in the text (tantivy's order).
    fn offer(self, best: &mut Option<Candidate>) {
        if self.score <= 0.0 {
            return;
        }
        let better = match best {
            None => true,
            Some(b) => match self.score.partial_cmp(&b.score) {
                Some(std::cmp::Ordering::Greater) => true,
                Some(std::cmp::Ordering::Less) => false,
                // Equal (or not comparable): the earlier fragment wins; one
                // later in the text never starts before it.
                _ => (self.start, self.stop) < (b.start, b.stop),
            },
        };
        if better {
            *best = Some(self);
        }
    }
}

/// The byte ranges of the words of `text` as tantivy's simple tokenizer
/// cuts them: runs of alphanumeric characters (ASCII read byte by byte).
fn words(text: &str) -> impl Iterator<Item = (usize, usize)> + '_ {
    let mut at = 0;
    std::iter::from_fn(move || {
        let from = loop {
            let (alnum, width) = class_at(text, at)?;
            if alnum {
                break at;
            }
            at += width;
        };
        loop {
            match class_at(text, at) {
                None => return Some((from, text.len())),
                Some((true, width)) => at += width,
                Some((false, width)) => {
                    let to = at;
                    at += width;
                    return Some((from, to));
                }
            }
        }
    })
}

/// Whether the character at byte `at` of `text` is alphanumeric, and its
/// width; `None` at the end.
fn class_at(text: &str, at: usize) -> Option<(bool, usize)> {
    let b = *text.as_bytes().get(at)?;
    if b.is_ascii() {
        return Some((b.is_ascii_alphanumeric(), 1));
    }
    let c = text.get(at..)?.chars().next()?;
    Some((c.is_alphanumeric(), c.len_utf8()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use tantivy::snippet::SnippetGenerator;
    use tantivy::tokenizer::TokenizerManager;

    /// The stem of `word` under tantivy's own `en_stem`.
    fn stem(word: &str) -> String {
        let mut en = TokenizerManager::default()
            .get("en_stem")
            .expect("tantivy registers en_stem");
        let mut stream = en.token_stream(word);
        let mut out = String::new();
        while let Some(t) = stream.next() {
            out = t.text.clone();
        }
        out
    }

    #[test]
    fn the_english_stemmer_keeps_the_first_letter() {
        // Its exceptions, words starting with y (marked Y inside the
        // algorithm), short words, suffixes replaced rather than cut.
        for word in [
            "skies",
            "skis",
            "dying",
            "lying",
            "tying",
            "idly",
            "gently",
            "ugly",
            "early",
            "only",
            "singly",
            "news",
            "howe",
            "atlas",
            "cosmos",
            "bias",
            "andes",
            "yelling",
            "youth",
            "yearly",
            "ying",
            "yy",
            "y",
            "ies",
            "ied",
            "eed",
            "ing",
            "hoping",
            "relational",
            "generously",
            "conditional",
            "rationalization",
            "agreed",
            "feeding",
            "cried",
            "ties",
            "succeeding",
            "Ünïcödé",
            "élan",
            "İstanbul",
            "kubernetes",
            "observability",
            "processing",
            "streams",
            "databases",
        ] {
            let lower: String = word.chars().flat_map(char::to_lowercase).collect();
            let stemmed = stem(word);
            assert_eq!(
                stemmed.chars().next(),
                lower.chars().next(),
                "{word} → {stemmed}"
            );
        }
    }

    #[test]
    fn snippets_are_those_of_tantivys_generator() -> tantivy::Result<()> {
        let (schema, fields) = crate::index::build_schema();
        let index = tantivy::Index::create_in_ram(schema);
        let texts = [
            "Kafka streams: Apache Kafka 4.0 ships KRaft; the streams API processes events.",
            "Databases and a database: DATABASE tuning, databased? Yearly youth yelling.",
            "Observability for Kubernetes clusters. Observing, observed, observes; kube.",
            "Ünïcödé Élan İstanbul straße processing processed processes processor",
            "supercalifragilisticexpialidocious-and-much-longer-than-forty-bytes-word kafka",
            "Tiered storage in stream processing: storing, stored, stores. Skies, dying, early.",
            "nothing that matches here at all, only other words in a sentence",
        ];
        let mut writer: tantivy::IndexWriter = index.writer(15_000_000)?;
        for t in texts {
            let mut doc = tantivy::TantivyDocument::default();
            doc.add_text(fields.summary, t);
            doc.add_text(fields.title, t);
            writer.add_document(doc)?;
        }
        writer.commit()?;
        // Texts not indexed: fragments of equal scores, nothing but
        // punctuation, a word at the very end, non-ASCII case.
        let more = [
            String::new(),
            " ,.;: ".to_string(),
            "kafka ".repeat(30),
            format!("{} kafka", "x".repeat(60)),
            "KAFKA—Kafka·kafka's KafkaStreams Ḱafka".to_string(),
            "data base; databases database DataBase".repeat(4),
        ]
        .into_iter()
        .chain(mixed_texts())
        .collect::<Vec<_>>();
        let searcher = index.reader()?.searcher();
        let parser = crate::search::query_parser(&index);
        for q in [
            "kafka",
            "kafka OR streams OR yearly",
            "database",
            "\"stream processing\" OR observability",
            "kubernetes AND observability",
            "élan OR straße OR processing",
            "title:storage OR dying OR skies",
            "early",
        ] {
            let query = parser.parse_query(q).expect("a valid query");
            for field in [fields.summary, fields.title] {
                let mut theirs = SnippetGenerator::create(&searcher, &*query, field)?;
                let ours = Generator::create(&searcher, &*query, field, 40)?;
                theirs.set_max_num_chars(40);
                for t in texts.iter().copied().chain(more.iter().map(String::as_str)) {
                    let (a, b) = (theirs.snippet(t), ours.snippet(t));
                    assert_eq!(a.fragment(), b.fragment, "{q} on {t}");
                    assert_eq!(a.highlighted(), b.highlighted, "{q} on {t}");
                }
            }
        }
        Ok(())
    }

    /// 300 texts of words in the queries' families and others, cased and
    /// punctuated at random (a fixed seed).
    fn mixed_texts() -> Vec<String> {
        let pool = [
            "Kafka",
            "kafkas",
            "stream",
            "Streams",
            "streaming",
            "processing",
            "process",
            "observability",
            "observe",
            "Kubernetes",
            "database",
            "databases",
            "DATA",
            "storage",
            "stores",
            "dying",
            "skies",
            "early",
            "yearly",
            "élan",
            "Straße",
            "the",
            "a",
            "of",
            "with",
            "new",
            "release",
            "x9",
            "2026",
            "K8s",
            "kubectl",
        ];
        let punct = [" ", " ", " ", ", ", ". ", "—", "/", "'s ", ": "];
        let mut state: u64 = 0x9E37_79B9_7F4A_7C15;
        let mut next = move |n: usize| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            (state % n as u64) as usize
        };
        (0..300)
            .map(|_| {
                let mut t = String::new();
                for _ in 0..next(60) {
                    t.push_str(pool[next(pool.len())]);
                    t.push_str(punct[next(punct.len())]);
                }
                t
            })
            .collect()
    }
}
