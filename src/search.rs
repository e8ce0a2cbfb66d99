//! Full-text search: query parsing with positioned errors, filters, ranking,
//! snippets.
//!
//! Queries use tantivy's syntax (`kafka AND "tiered storage"`, `title:flink`,
//! `-preview`, `stage:ga`), over title, summary, body, author, category and
//! product by default, with all words required unless `OR` says otherwise (what people
//! expect from a search box). Flags (`--kind`, `--since`…) become exact filters
//! on raw fast fields, so they never change the ranking.
//!
//! A hit's snippet comes from the field that matched: the summary, else the
//! body (the full text, up to 100 KB), else the title. Neither a summary nor
//! a body is tokenized whole: the first query term is found by a
//! case-insensitive regex scan and only a window of [`BODY_WINDOW_BYTES`]
//! around it is cut into fragments as tantivy's snippet generator cuts them,
//! so a snippet costs the same for any length of text. Only the words that
//! can stem to a query term are stemmed (`snippet_terms`).
//!
//! What one query may cost is bounded: at most [`MAX_PREFIX_PHRASES`] phrase
//! prefixes (`"apache kaf"*`, each expanding to at most
//! [`PREFIX_EXPANSIONS`] terms per field and segment, tantivy's default),
//! no regular expressions or fuzzy terms (the parser has neither), and a
//! long-running reader stops a search at a [`Deadline`].

use jiff::Timestamp;
use serde::Serialize;
use snippet_terms::{Generator, Snip};
use tantivy::collector::TopDocs;
use tantivy::query::{
    AllQuery, BooleanQuery, Occur, Query, QueryParser, QueryParserError, TermQuery,
};
use tantivy::schema::IndexRecordOption;
use tantivy::{DateTime, Index, Order, TantivyDocument, Term};

use crate::index::{HorizonIndex, IndexError, QUERY_FIELDS};
use crate::model::{Item, Kind, Stage, StoryMember, Vendor, NO_TOPIC};

pub mod deadline;
pub use deadline::Deadline;
mod snippet_terms;

/// Phrase prefixes (`"apache kaf"*`) one query may hold. Each is looked up
/// in every default field and expands to up to [`PREFIX_EXPANSIONS`] terms
/// per field and segment, read with positions: the costliest thing a query
/// can ask for, so a query of many of them is refused before it runs.
pub const MAX_PREFIX_PHRASES: usize = 4;

/// Terms one phrase prefix expands to, per field and segment (tantivy's
/// `PhrasePrefixQuery` default, which its query parser keeps).
pub const PREFIX_EXPANSIONS: usize = 50;

/// An invalid query: what is wrong and where.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{}{message}", position.map(|p| format!("at position {}: ", p + 1)).unwrap_or_default())]
pub struct QueryError {
    /// Byte offset (0-based) in the query where the problem is, when known.
    pub position: Option<usize>,
    /// What is wrong.
    pub message: String,
}

impl QueryError {
    /// The query with a caret line under the problem, for terminals.
    pub fn pointer(&self, query: &str) -> Option<String> {
        let pos = self.position?;
        let col = query.get(..pos.min(query.len()))?.chars().count();
        Some(format!("  {query}\n  {}^", " ".repeat(col)))
    }
}

/// Parse a user query against the horizon schema of `index`.
pub fn parse_query(index: &Index, text: &str) -> Result<Box<dyn Query>, QueryError> {
    parse_with(&query_parser(index), text)
}

/// The query parser of the horizon schema: the default fields, every word
/// required unless `OR` says otherwise, titles weighing double. It depends
/// only on the schema, so a long-lived reader builds it once.
pub fn query_parser(index: &Index) -> QueryParser {
    let schema = index.schema();
    let field = |name: &str| schema.get_field(name).ok();
    let defaults: Vec<_> = ["title", "summary", "body", "author", "category", "product"]
        .into_iter()
        .filter_map(field)
        .collect();
    let mut parser = QueryParser::for_index(index, defaults);
    parser.set_conjunction_by_default();
    if let Some(title) = field("title") {
        parser.set_field_boost(title, 2.0);
    }
    parser
}

/// Parse a user query with a parser from [`query_parser`]: the checks that
/// give positioned errors first, then tantivy's parser.
pub fn parse_with(parser: &QueryParser, text: &str) -> Result<Box<dyn Query>, QueryError> {
    if text.trim().is_empty() {
        return Ok(Box::new(AllQuery));
    }
    if let Some(e) = dangling_operator(text) {
        return Err(e);
    }
    if let Some(e) = unknown_enumerated_value(text) {
        return Err(e);
    }
    if let Some(e) = presence_on_a_text_field(text) {
        return Err(e);
    }
    if let Some(e) = bare_prefix(text) {
        return Err(e);
    }
    let (ast, errors) = tantivy::query_grammar::parse_query_lenient(text);
    if let Some(e) = errors.first() {
        return Err(QueryError {
            position: Some(e.pos.min(text.len())),
            message: e.message.clone(),
        });
    }
    if let Some(e) = too_many_prefixes(text, &ast) {
        return Err(e);
    }
    parser.parse_query(text).map_err(|e| explain(text, e))
}

/// More than [`MAX_PREFIX_PHRASES`] phrase prefixes, pointed at the first
/// one past the limit.
fn too_many_prefixes(text: &str, ast: &tantivy::query_grammar::UserInputAst) -> Option<QueryError> {
    fn count(ast: &tantivy::query_grammar::UserInputAst) -> usize {
        use tantivy::query_grammar::{UserInputAst, UserInputLeaf};
        match ast {
            UserInputAst::Clause(clauses) => clauses.iter().map(|(_, a)| count(a)).sum(),
            UserInputAst::Boost(inner, _) => count(inner),
            UserInputAst::Leaf(leaf) => match &**leaf {
                UserInputLeaf::Literal(lit) => usize::from(lit.prefix),
                _ => 0,
            },
        }
    }
    let n = count(ast);
    if n <= MAX_PREFIX_PHRASES {
        return None;
    }
    // Where the first prefix past the limit opens its quote.
    let mut opening = None;
    let mut seen = 0;
    let mut in_quotes = false;
    let mut chars = text.char_indices().peekable();
    let mut position = None;
    while let Some((i, c)) = chars.next() {
        if c != '"' {
            continue;
        }
        in_quotes = !in_quotes;
        if in_quotes {
            opening = Some(i);
        } else if chars.peek().is_some_and(|&(_, next)| next == '*') {
            seen += 1;
            if seen == MAX_PREFIX_PHRASES + 1 {
                position = opening;
                break;
            }
        }
    }
    Some(QueryError {
        position,
        message: format!(
            "the query has {n} phrase prefixes (`\"…\"*`); at most {MAX_PREFIX_PHRASES} are searched at once, as each one expands to many words in every field"
        ),
    })
}

/// `AND`/`OR` with nothing on one side: at the start of the query or of a
/// group, at the end, or twice in a row. tantivy's grammar reports these
/// without a useful position, so they are found here first.
fn dangling_operator(text: &str) -> Option<QueryError> {
    // Tokens in order: bare words, "(" / ")", and a quoted phrase as one term.
    let mut words: Vec<(usize, &str)> = Vec::new();
    let mut in_quotes = false;
    let mut start: Option<usize> = None;
    for (i, c) in text
        .char_indices()
        .chain(std::iter::once((text.len(), ' ')))
    {
        if in_quotes {
            if c == '"' {
                in_quotes = false;
            }
            continue;
        }
        let boundary = c.is_whitespace() || c == '(' || c == ')' || c == '"';
        match (start, boundary) {
            (None, false) => start = Some(i),
            (Some(s), true) => {
                words.push((s, &text[s..i]));
                start = None;
            }
            _ => {}
        }
        match c {
            '(' => words.push((i, "(")),
            ')' => words.push((i, ")")),
            '"' => {
                in_quotes = true;
                words.push((i, "\"phrase\""));
            }
            _ => {}
        }
    }
    words.sort_by_key(|w| w.0);
    for (k, (pos, w)) in words.iter().enumerate() {
        if *w != "AND" && *w != "OR" {
            continue;
        }
        let before = if k == 0 { None } else { Some(words[k - 1].1) };
        let after = words.get(k + 1).map(|x| x.1);
        let message = match (before, after) {
            (None, _) | (Some("("), _) => format!("{w} needs something to combine before it"),
            (_, None) | (_, Some(")")) => format!("{w} needs something to combine after it"),
            (_, Some("AND")) | (_, Some("OR")) => format!("{w} is followed by another operator"),
            _ => continue,
        };
        return Some(QueryError {
            position: Some(*pos),
            message,
        });
    }
    None
}

/// Expand every query word that names a system (case-insensitive, outside
/// quotes, not a field name) into a group of all the system's names:
/// `title:postgres` → `title:(postgres OR "PostgreSQL" OR "AlloyDB")`. The
/// snippet then highlights whichever name the document uses.
pub fn expand_synonyms(text: &str, groups: &[Vec<String>]) -> String {
    if groups.is_empty() {
        return text.to_string();
    }
    static WORD: std::sync::LazyLock<regex::Regex> = std::sync::LazyLock::new(|| {
        regex::Regex::new(r#""[^"]*"|([A-Za-z][A-Za-z0-9_.\-]*)(:)?"#).expect("constant regex")
    });
    let mut out = String::with_capacity(text.len());
    let mut last = 0;
    for caps in WORD.captures_iter(text) {
        let (Some(word), None) = (caps.get(1), caps.get(2)) else {
            continue;
        };
        if matches!(word.as_str(), "AND" | "OR" | "NOT") {
            continue;
        }
        let Some(group) = groups
            .iter()
            .find(|g| g.iter().any(|n| n.eq_ignore_ascii_case(word.as_str())))
        else {
            continue;
        };
        let mut alternatives = vec![word.as_str().to_string()];
        for name in group {
            if !name.eq_ignore_ascii_case(word.as_str()) {
                alternatives.push(format!("\"{}\"", name.replace('"', "")));
            }
        }
        out.push_str(&text[last..word.start()]);
        out.push('(');
        out.push_str(&alternatives.join(" OR "));
        out.push(')');
        last = word.end();
    }
    out.push_str(&text[last..]);
    out
}

/// `title:*` ("has a title") runs only on the schema's fast fields (`kind`,
/// `source`, `topic`, `stage`, dates, stars…); on a text field tantivy fails
/// at search time, so it is refused here as a query error at its position.
fn presence_on_a_text_field(text: &str) -> Option<QueryError> {
    static PRESENCE: std::sync::LazyLock<regex::Regex> = std::sync::LazyLock::new(|| {
        regex::Regex::new(r#"(?:^|[\s(+\-])([A-Za-z_]+):\*(?:$|[\s)])"#).expect("constant regex")
    });
    static SCHEMA: std::sync::LazyLock<tantivy::schema::Schema> =
        std::sync::LazyLock::new(|| crate::index::build_schema().0);
    let mut in_quotes = false;
    let quoted: Vec<bool> = text
        .chars()
        .map(|c| {
            if c == '"' {
                in_quotes = !in_quotes;
            }
            in_quotes
        })
        .collect();
    for caps in PRESENCE.captures_iter(text) {
        let field = caps.get(1)?;
        let at = text[..field.start()].chars().count();
        if quoted.get(at).copied().unwrap_or(false) {
            continue;
        }
        let Ok(f) = SCHEMA.get_field(field.as_str()) else {
            continue; // tantivy's parser names the unknown field
        };
        if !SCHEMA.get_field_entry(f).is_fast() {
            return Some(QueryError {
                position: Some(field.start()),
                message: format!(
                    "`{0}:*` (documents with any {0}) works only on filter fields such as kind, source, topic, stage or vendor; search words in {0} instead (`{0}:kafka`)",
                    field.as_str()
                ),
            });
        }
    }
    None
}

/// `kafka*` or `title:kaf*`: tantivy's parser has no single-word prefix
/// (only the last word of a quoted phrase, `"apache kaf"*`), and reads the
/// `*` in ways a user never meant; refused with what to write instead.
fn bare_prefix(text: &str) -> Option<QueryError> {
    let mut in_quotes = false;
    let mut word_start: Option<usize> = None;
    for (i, c) in text.char_indices() {
        if c == '"' {
            in_quotes = !in_quotes;
            word_start = None;
            continue;
        }
        if in_quotes {
            continue;
        }
        if c == '*' {
            if let Some(start) = word_start {
                let word = &text[start..i];
                let word = word.rsplit_once(':').map_or(word, |(_, w)| w);
                if !word.is_empty() {
                    return Some(QueryError {
                        position: Some(start),
                        message: format!(
                            "`{word}*`: a prefix search works on the last word of a quoted phrase of two or more words (`\"apache {word}\"*`); words are stemmed, so `{word}` alone also finds its plural and other endings"
                        ),
                    });
                }
            }
            word_start = None;
        } else if c.is_alphanumeric()
            || (word_start.is_some() && matches!(c, '_' | '-' | '.' | ':'))
        {
            word_start.get_or_insert(i);
        } else {
            word_start = None;
        }
    }
    None
}

/// Parse `typed` after [`expand_synonyms`]: an error points into the query
/// as typed, not as the synonyms expanded it.
pub fn parse_expanded(
    parser: &QueryParser,
    typed: &str,
    groups: &[Vec<String>],
) -> Result<Box<dyn Query>, QueryError> {
    let text = expand_synonyms(typed, groups);
    match parse_with(parser, &text) {
        Ok(q) => Ok(q),
        Err(e) if text != typed => Err(parse_with(parser, typed).err().unwrap_or(QueryError {
            position: None,
            message: e.message,
        })),
        Err(e) => Err(e),
    }
}

/// `kind:`, `stage:` and `vendor:` take one of a few values; anything else
/// would silently match nothing (`stage:gaa`), so it is refused with the list.
fn unknown_enumerated_value(text: &str) -> Option<QueryError> {
    static FIELD_VALUE: std::sync::LazyLock<regex::Regex> = std::sync::LazyLock::new(|| {
        regex::Regex::new(r#"(?:^|[\s(+\-])(kind|stage|vendor):("?)([^\s()"]*)"#)
            .expect("constant regex")
    });
    let allowed = |field: &str| -> Vec<&'static str> {
        match field {
            "kind" => Kind::ALL.iter().map(|k| k.as_str()).collect(),
            "stage" => Stage::ALL.iter().map(|k| k.as_str()).collect(),
            _ => Vendor::ALL.iter().map(|k| k.as_str()).collect(),
        }
    };
    for caps in FIELD_VALUE.captures_iter(text) {
        let (Some(field), Some(value)) = (caps.get(1), caps.get(3)) else {
            continue;
        };
        let ok = allowed(field.as_str());
        if !ok.contains(&value.as_str().to_ascii_lowercase().as_str()) {
            return Some(QueryError {
                position: Some(value.start()),
                message: format!(
                    "{}:{:?} matches nothing; {} is one of: {}",
                    field.as_str(),
                    value.as_str(),
                    field.as_str(),
                    ok.join(", ")
                ),
            });
        }
    }
    None
}

fn explain(text: &str, e: QueryParserError) -> QueryError {
    let find = |needle: &str| text.find(needle);
    match e {
        QueryParserError::FieldDoesNotExist(f) => QueryError {
            position: find(&format!("{f}:")),
            message: format!(
                "unknown field {f:?}; fields are: {}",
                QUERY_FIELDS.join(", ")
            ),
        },
        QueryParserError::AllButQueryForbidden => QueryError {
            position: None,
            message: "a query cannot only exclude terms; add something to look for (or use `*`)".into(),
        },
        QueryParserError::ExpectedInt(_) => QueryError {
            position: ["stars:", "stars_period:"].iter().filter_map(|f| find(f)).min(),
            message: "expected a whole number, e.g. stars:>1000 or stars_period:[100 TO *]".into(),
        },
        QueryParserError::SyntaxError(_) => QueryError {
            position: None,
            message: "could not parse the query; check parentheses, quotes and field:value pairs".into(),
        },
        QueryParserError::DateFormatError(_) => QueryError {
            position: None,
            message: "invalid date in the query; write dates as RFC 3339, e.g. date:[2026-01-01T00:00:00Z TO *]".into(),
        },
        other => QueryError {
            position: None,
            message: other.to_string(),
        },
    }
}

/// How to order hits.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum SortBy {
    /// Best match first.
    #[default]
    Relevance,
    /// Newest first.
    Date,
}

/// A search request, independent of the command line.
#[derive(Debug, Clone, Default)]
pub struct SearchRequest {
    /// The query text (tantivy syntax; empty means everything).
    pub query: String,
    /// Only these kinds (any of).
    pub kinds: Vec<Kind>,
    /// Only these topics (any of).
    pub topics: Vec<String>,
    /// Only these sources (any of).
    pub sources: Vec<String>,
    /// Only these vendors (any of).
    pub vendors: Vec<Vendor>,
    /// Only these stages (any of).
    pub stages: Vec<Stage>,
    /// Only these repository languages (any of, case-insensitive).
    pub languages: Vec<String>,
    /// Filed on or after.
    pub since: Option<Timestamp>,
    /// Filed before.
    pub until: Option<Timestamp>,
    /// Order.
    pub sort: SortBy,
    /// Hits to return.
    pub limit: usize,
    /// Names of one system each (a topic's system and its aliases, from
    /// `sources.toml`): a query word naming one finds them all.
    pub synonyms: Vec<Vec<String>>,
}

/// One hit.
#[derive(Debug, Clone)]
pub struct Hit {
    /// The stored item.
    pub item: Item,
    /// Relevance score (absent when sorted by date).
    pub score: Option<f32>,
    /// A fragment of the field that matched (summary, body or title) around
    /// the matched words.
    pub snippet: String,
    /// Byte ranges of matched words within `snippet`.
    pub highlights: Vec<std::ops::Range<usize>>,
    /// The other documents of the hit's story ([`with_story_members`]).
    pub also: Vec<StoryMember>,
}

impl Hit {
    /// The hit as `horizon search --json` prints it.
    pub fn record(&self) -> HitRecord<'_> {
        let i = &self.item;
        HitRecord {
            also: &self.also,
            authors: &i.authors,
            date: i.date(),
            id: &i.id,
            kind: i.kind,
            language: i.language.as_deref(),
            products: &i.products,
            published: i.published,
            score: self.score.map(f64::from),
            snippet: &self.snippet,
            source: &i.source,
            stage: i.stage,
            stars: i.stars,
            stars_period: i.stars_period,
            story: i.story.as_deref().unwrap_or(&i.id),
            title: &i.title,
            topics: &i.topics,
            trending: crate::trend::TrendRun::of(&i.trend_history),
            url: &i.url,
            vendor: i.vendor,
        }
    }
}

/// One hit of `horizon search --json` (one object per line). The fields are
/// in name order, the order the output has always had.
#[derive(Debug, Serialize)]
pub struct HitRecord<'a> {
    /// The other documents of its story: source, title, link.
    #[serde(skip_serializing_if = "<[StoryMember]>::is_empty")]
    pub also: &'a [StoryMember],
    /// Authors (papers, articles).
    pub authors: &'a [String],
    /// The date the document is filed under: published, else updated, else first seen.
    pub date: Option<Timestamp>,
    /// Stable id.
    pub id: &'a str,
    /// What the document is.
    pub kind: Kind,
    /// A repository's language.
    pub language: Option<&'a str>,
    /// Products named (cloud notes).
    pub products: &'a [String],
    /// When the source says it was published.
    pub published: Option<Timestamp>,
    /// Relevance score (absent when sorted by date), widened to f64 as the
    /// output has always printed it.
    pub score: Option<f64>,
    /// A fragment of the field that matched (summary, body or title)
    /// around the matched words.
    pub snippet: &'a str,
    /// The `[[sources]]` entry that produced it.
    pub source: &'a str,
    /// A cloud note's launch stage.
    pub stage: Option<Stage>,
    /// A repository's stars.
    pub stars: Option<u64>,
    /// Stars gained in the trending period.
    pub stars_period: Option<u64>,
    /// The story it tells: its own id, or the id of the story's first document.
    pub story: &'a str,
    /// Title.
    pub title: &'a str,
    /// Topic tags.
    pub topics: &'a [String],
    /// A repository's run on GitHub trending: first and last sighting,
    /// days, stars per sighting.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub trending: Option<crate::trend::TrendRun>,
    /// Link.
    pub url: &'a str,
    /// A cloud note's vendor.
    pub vendor: Option<Vendor>,
}

/// Checks a user query against the horizon schema without an index, so a
/// typo is reported as such before anything is opened.
pub fn validate_query(text: &str) -> Result<(), QueryError> {
    let probe = Index::create_in_ram(crate::index::build_schema().0);
    parse_query(&probe, text).map(|_| ())
}

/// What can go wrong searching.
#[derive(Debug, thiserror::Error)]
pub enum SearchError {
    /// The query is invalid.
    #[error("invalid query")]
    Query(#[from] QueryError),
    /// The index failed.
    #[error(transparent)]
    Index(#[from] IndexError),
    /// tantivy failed while searching.
    #[error("search failed")]
    Tantivy(#[from] tantivy::TantivyError),
    /// The search ran past its [`Deadline`] and was stopped.
    #[error("the search was stopped after {} s: the query costs too much to run; use fewer phrases and phrase prefixes (`\"…\"*`), or add a filter", after.as_secs_f32())]
    Stopped {
        /// The time it was given.
        after: std::time::Duration,
    },
}

fn any_of(
    field: tantivy::schema::Field,
    values: impl IntoIterator<Item = String>,
) -> Option<Box<dyn Query>> {
    let clauses: Vec<(Occur, Box<dyn Query>)> = values
        .into_iter()
        .map(|v| {
            let q: Box<dyn Query> = Box::new(TermQuery::new(
                Term::from_field_text(field, &v),
                IndexRecordOption::Basic,
            ));
            (Occur::Should, q)
        })
        .collect();
    if clauses.is_empty() {
        None
    } else {
        Some(Box::new(BooleanQuery::new(clauses)))
    }
}

/// Any of the topics; [`NO_TOPIC`] stands for documents tagged with none.
fn topics_filter(field: tantivy::schema::Field, topics: &[String]) -> Option<Box<dyn Query>> {
    let named = any_of(
        field,
        topics.iter().filter(|t| t.as_str() != NO_TOPIC).cloned(),
    );
    if !topics.iter().any(|t| t == NO_TOPIC) {
        return named;
    }
    let untagged: Box<dyn Query> = Box::new(BooleanQuery::new(vec![
        (Occur::Must, Box::new(AllQuery) as Box<dyn Query>),
        (
            Occur::MustNot,
            Box::new(tantivy::query::ExistsQuery::new("topic".to_string(), false)),
        ),
    ]));
    Some(match named {
        Some(named) => Box::new(BooleanQuery::new(vec![
            (Occur::Should, named),
            (Occur::Should, untagged),
        ])),
        None => untagged,
    })
}

/// Filters of a request as one query (None when there are none).
pub fn filter_query(idx: &HorizonIndex, req: &SearchRequest) -> Option<Box<dyn Query>> {
    let f = idx.fields();
    let mut must: Vec<(Occur, Box<dyn Query>)> = Vec::new();
    let mut push = |q: Option<Box<dyn Query>>| {
        if let Some(q) = q {
            must.push((Occur::Must, q));
        }
    };
    push(any_of(
        f.kind,
        req.kinds.iter().map(|k| k.as_str().to_string()),
    ));
    push(topics_filter(f.topic, &req.topics));
    push(any_of(f.source, req.sources.iter().cloned()));
    push(any_of(
        f.vendor,
        req.vendors.iter().map(|v| v.as_str().to_string()),
    ));
    push(any_of(
        f.stage,
        req.stages.iter().map(|s| s.as_str().to_string()),
    ));
    push(any_of(
        f.language,
        req.languages.iter().map(|l| l.to_lowercase()),
    ));
    if req.since.is_some() || req.until.is_some() {
        push(Some(date_range(f.date, req.since, req.until)));
    }
    if must.is_empty() {
        None
    } else {
        Some(Box::new(BooleanQuery::new(must)))
    }
}

pub use crate::index::date_range;

/// Run a search.
pub fn search(idx: &HorizonIndex, req: &SearchRequest) -> Result<Vec<Hit>, SearchError> {
    search_with_rules(idx, req, &crate::rules::RuleSet::default())
}

/// Run a search with the `[[rules]]` in force (`crate::rules`).
pub fn search_with_rules(
    idx: &HorizonIndex,
    req: &SearchRequest,
    rules: &crate::rules::RuleSet,
) -> Result<Vec<Hit>, SearchError> {
    search_until(idx, req, rules, None)
}

/// [`search_with_rules`], stopped at `deadline` ([`SearchError::Stopped`]).
pub fn search_until(
    idx: &HorizonIndex,
    req: &SearchRequest,
    rules: &crate::rules::RuleSet,
    deadline: Option<&Deadline>,
) -> Result<Vec<Hit>, SearchError> {
    let text_query = parse_expanded(&query_parser(idx.index()), &req.query, &req.synonyms)?;
    let query: Box<dyn Query> = match filter_query(idx, req) {
        Some(filters) => Box::new(BooleanQuery::new(vec![
            (Occur::Must, text_query.box_clone()),
            (Occur::Must, filters),
        ])),
        None => text_query.box_clone(),
    };
    let scope = rules.scope(crate::rules::search_topic(&req.topics));
    let mut query = scope.without_muted(query);
    if let Some(d) = deadline {
        query = d.guard(&*query);
    }
    let searcher = idx.searcher()?;
    let limit = req.limit.max(1);
    let tweaks = match req.sort {
        SortBy::Relevance => scope.tweaks(&searcher)?,
        SortBy::Date => None,
    };
    let addrs: Vec<(Option<f32>, tantivy::DocAddress)> = match (req.sort, tweaks) {
        (SortBy::Relevance, Some(t)) => {
            crate::rules::top_by_score(&searcher, &*query, t, limit, 0, false)?
                .1
                .into_iter()
                .map(|(s, a)| (Some(s), a))
                .collect()
        }
        (SortBy::Relevance, None) => searcher
            .search(&query, &TopDocs::with_limit(limit).order_by_score())?
            .into_iter()
            .map(|(s, a)| (Some(s), a))
            .collect(),
        (SortBy::Date, _) => searcher
            .search(
                &query,
                &TopDocs::with_limit(limit).order_by_fast_field::<DateTime>("date", Order::Desc),
            )?
            .into_iter()
            .map(|(_, a)| (None, a))
            .collect(),
    };
    if let Some(d) = deadline.filter(|d| d.expired()) {
        return Err(SearchError::Stopped { after: d.budget() });
    }
    let snippets = Snippets::new(&searcher, idx.fields(), text_query)?;
    let mut hits = Vec::with_capacity(addrs.len());
    for (score, addr) in addrs {
        let doc: TantivyDocument = searcher.doc(addr)?;
        let item = hit_item(idx, &doc)?;
        let body = idx.stored_body(&doc).unwrap_or_default();
        hits.push(snippets.hit(&searcher, item, body, score)?);
    }
    with_story_members(idx, &searcher, &mut hits)?;
    Ok(hits)
}

/// Fill each hit's `also`: the other documents of its story (a term lookup
/// per hit shown).
pub fn with_story_members(
    idx: &HorizonIndex,
    searcher: &tantivy::Searcher,
    hits: &mut [Hit],
) -> Result<(), IndexError> {
    with_story_members_from(
        idx,
        hits,
        |term| searcher.doc_freq(term).unwrap_or(u64::MAX),
        |story| story_documents(idx, searcher, story),
    )
}

/// Every document filed under `story`, oldest id first.
pub fn story_documents(
    idx: &HorizonIndex,
    searcher: &tantivy::Searcher,
    story: &str,
) -> Result<std::sync::Arc<[StoryMember]>, IndexError> {
    // No document has an empty id: nothing is left out.
    Ok(idx.story_members(searcher, story, "", usize::MAX)?.into())
}

/// [`with_story_members`] with the documents filed under a story term
/// counted by `doc_freq` (the searcher's document frequency) and listed by
/// `documents` ([`story_documents`]): a long-lived reader may remember both
/// for its generation.
pub fn with_story_members_from(
    idx: &HorizonIndex,
    hits: &mut [Hit],
    mut doc_freq: impl FnMut(&Term) -> u64,
    mut documents: impl FnMut(&str) -> Result<std::sync::Arc<[StoryMember]>, IndexError>,
) -> Result<(), IndexError> {
    for hit in hits {
        // The documents indexed under the hit's story that are not the hit:
        // none when the term's document frequency is at most the hit's own
        // share (1 when the hit carries the story, 0 when it has none and its
        // id stands in). Then no search and no stored-document read are made.
        let (story, own) = match &hit.item.story {
            Some(story) => (story.as_str(), 1),
            None => (hit.item.id.as_str(), 0),
        };
        let term = Term::from_field_text(idx.fields().story, story);
        if doc_freq(&term) <= own {
            continue;
        }
        let all = documents(story)?;
        hit.also = all
            .iter()
            .filter(|m| m.id != hit.item.id)
            .take(crate::stories::MAX_ALSO)
            .cloned()
            .collect();
    }
    Ok(())
}

/// Characters of a snippet.
const SNIPPET_CHARS: usize = 180;

/// The fields of a stored item a hit shows (JSON, text and the pages): read
/// instead of the whole item, so the fields no hit shows (topic evidence,
/// system links…) are skipped while parsing.
#[derive(serde::Deserialize)]
struct HitFields {
    id: String,
    kind: Kind,
    source: String,
    #[serde(default)]
    vendor: Option<Vendor>,
    title: String,
    #[serde(default)]
    summary: String,
    url: String,
    #[serde(default)]
    authors: Vec<String>,
    #[serde(default)]
    topics: Vec<String>,
    #[serde(default)]
    published: Option<Timestamp>,
    #[serde(default)]
    updated: Option<Timestamp>,
    #[serde(default)]
    first_seen: Option<Timestamp>,
    #[serde(default)]
    products: Vec<String>,
    #[serde(default)]
    stage: Option<Stage>,
    #[serde(default)]
    stars: Option<u64>,
    #[serde(default)]
    stars_period: Option<u64>,
    #[serde(default)]
    language: Option<String>,
    #[serde(default)]
    story: Option<String>,
    #[serde(default)]
    trend_history: Vec<crate::model::TrendSighting>,
    #[serde(default)]
    former_ids: Vec<String>,
}

/// The item of a hit from its stored document: the fields a hit shows
/// ([`Hit::record`], the pages), the others left empty — the body too: a
/// snippet reads it from the document ([`Snippets::hit`]) without a copy.
pub fn hit_item(idx: &HorizonIndex, doc: &TantivyDocument) -> Result<Item, IndexError> {
    let f: HitFields = idx.stored_as(doc)?;
    let mut item = Item::new(f.id, f.kind, f.source, f.title, f.url);
    item.vendor = f.vendor;
    item.summary = f.summary;
    item.authors = f.authors;
    item.topics = f.topics;
    item.published = f.published;
    item.updated = f.updated;
    item.first_seen = f.first_seen;
    item.products = f.products;
    item.stage = f.stage;
    item.stars = f.stars;
    item.stars_period = f.stars_period;
    item.language = f.language;
    item.story = f.story;
    item.trend_history = f.trend_history;
    item.former_ids = f.former_ids;
    Ok(item)
}

/// The snippet generators of one query over one searcher: the summary's and
/// the body's, and the title's for items without a summary, made on first
/// use. They depend on the query's terms and their document frequencies, so
/// they can be kept for as long as the searcher's generation.
pub struct Snippets {
    query: Box<dyn Query>,
    title_field: tantivy::schema::Field,
    /// `None` when no summary term of the query occurs in the index: then
    /// every summary snippet is empty, and no summary is tokenized.
    summary: Option<WindowSnippets>,
    title: std::sync::OnceLock<Generator>,
    /// `None` when no body term of the query occurs in the index.
    body: Option<WindowSnippets>,
}

/// Bytes of a text around its first matching term that are tokenized for a
/// snippet (a quarter before the term, the rest after).
pub const BODY_WINDOW_BYTES: usize = 800;

/// Bytes of a text's start tokenized when the scan finds no term (a stemmed
/// term such as `happi` need not occur literally).
const BODY_HEAD_BYTES: usize = 4 * 1024;

/// Snippets of one field (summary or body) that cost the same for any length
/// of text: only a bounded window around the first query term is tokenized.
struct WindowSnippets {
    generator: Generator,
    /// The query's terms of the field, ASCII case-insensitive (a SIMD scan:
    /// a term 60 KB deep in a body is found in microseconds).
    first: aho_corasick::AhoCorasick,
}

impl WindowSnippets {
    /// For the terms of `query` in `field` that occur in the index; `None`
    /// without one.
    fn new(
        searcher: &tantivy::Searcher,
        field: tantivy::schema::Field,
        query: &dyn Query,
    ) -> tantivy::Result<Option<WindowSnippets>> {
        let mut terms = Vec::new();
        query.query_terms(&mut |term, _| {
            if term.field() == field {
                terms.push(term.clone());
            }
        });
        let mut words = Vec::new();
        for t in &terms {
            if let Some(w) = t.value().as_str() {
                if searcher.doc_freq(t)? > 0 {
                    words.push(w.to_string());
                }
            }
        }
        if words.is_empty() {
            return Ok(None);
        }
        let Ok(first) = aho_corasick::AhoCorasick::builder()
            .ascii_case_insensitive(true)
            .match_kind(aho_corasick::MatchKind::LeftmostFirst)
            .build(&words)
        else {
            return Ok(None);
        };
        let generator = Generator::create(searcher, query, field, SNIPPET_CHARS)?;
        Ok(Some(WindowSnippets { generator, first }))
    }

    /// The best fragment of the window around the first term of `text`, or
    /// of its head when the scan finds none.
    fn snippet(&self, text: &str) -> Snip {
        // The first occurrence at a word's start ("kafka" in "Kafka's", not
        // in "prekafka").
        let at_word = self.first.find_iter(text).find(|m| {
            text[..m.start()]
                .chars()
                .next_back()
                .is_none_or(|c| !c.is_alphanumeric())
        });
        let (from, to) = match at_word {
            Some(m) => (
                m.start().saturating_sub(BODY_WINDOW_BYTES / 4),
                m.start() + BODY_WINDOW_BYTES * 3 / 4,
            ),
            None => (0, BODY_HEAD_BYTES),
        };
        self.generator.snippet(window(text, from, to))
    }
}

/// `text[from..to]` widened to character boundaries and clamped to the text.
fn window(text: &str, mut from: usize, mut to: usize) -> &str {
    to = to.min(text.len());
    from = from.min(to);
    while !text.is_char_boundary(from) {
        from -= 1;
    }
    while !text.is_char_boundary(to) {
        to += 1;
    }
    text.get(from..to).unwrap_or_default()
}

impl std::fmt::Debug for Snippets {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Snippets")
            .field("query", &self.query)
            .finish()
    }
}

impl Snippets {
    /// The generators of `query` (the text query, without filters).
    pub fn new(
        searcher: &tantivy::Searcher,
        fields: crate::index::Fields,
        query: Box<dyn Query>,
    ) -> tantivy::Result<Snippets> {
        let summary = WindowSnippets::new(searcher, fields.summary, &*query)?;
        let body = WindowSnippets::new(searcher, fields.body, &*query)?;
        Ok(Snippets {
            query,
            title_field: fields.title,
            summary,
            title: std::sync::OnceLock::new(),
            body,
        })
    }

    /// The text query.
    pub fn query(&self) -> &dyn Query {
        &*self.query
    }

    /// A hit for `item`: the summary's best fragment, else the body's (each
    /// from a window around its first matching term), else the title's when the
    /// item has no summary, else the start of the summary. `body` is the
    /// item's stored body ([`HorizonIndex::stored_body`]), read only when the
    /// summary has no match.
    pub fn hit(
        &self,
        searcher: &tantivy::Searcher,
        item: Item,
        body: &str,
        score: Option<f32>,
    ) -> tantivy::Result<Hit> {
        let mut snip = match &self.summary {
            Some(summary) => summary.snippet(&item.summary),
            None => Snip::default(),
        };
        if let Some(generator) = self.body.as_ref().filter(|_| !body.is_empty()) {
            if snip.highlighted.is_empty() {
                let b = generator.snippet(body);
                if !b.highlighted.is_empty() {
                    snip = b;
                }
            }
        }
        if item.summary.is_empty() && snip.highlighted.is_empty() {
            let title = match self.title.get() {
                Some(g) => g,
                None => {
                    let g =
                        Generator::create(searcher, &*self.query, self.title_field, SNIPPET_CHARS)?;
                    self.title.get_or_init(|| g)
                }
            };
            let t = title.snippet(&item.title);
            if !t.highlighted.is_empty() {
                snip = t;
            }
        }
        let (snippet, highlights) = if snip.fragment.is_empty() {
            (
                crate::text::truncate_words(&item.summary, SNIPPET_CHARS),
                Vec::new(),
            )
        } else {
            (snip.fragment, snip.highlighted)
        };
        Ok(Hit {
            item,
            score,
            snippet,
            highlights,
            also: Vec::new(),
        })
    }
}

/// Each topic system with its other names — the offering catalog's names of
/// the system and the topic's aliases — for [`expand_synonyms`].
pub fn synonym_groups(cfg: &crate::config::Config) -> Vec<Vec<String>> {
    let catalog = crate::absorb::Catalog::for_config(cfg).ok();
    let mut groups = Vec::new();
    for t in &cfg.topics {
        for system in &t.systems {
            let mut names = vec![system.clone()];
            if let Some(sys) = catalog.as_ref().and_then(|c| c.system(system)) {
                names.push(sys.name.clone());
                names.extend(sys.names.iter().cloned());
            }
            names.extend(t.aliases.get(system).cloned().unwrap_or_default());
            names.dedup();
            groups.push(names);
        }
    }
    groups
}

/// The one line under a hit's title, in parts: kind, source, date (or
/// "undated"), vendor (named by `vendor`), stage, stars gained, topics, the
/// sources of the rest of its story. The
/// CLI and `horizon serve` join them with " · ".
pub fn hit_meta(hit: &Hit, vendor: impl Fn(Vendor) -> String) -> Vec<String> {
    let i = &hit.item;
    let date = i
        .date()
        .map(|d| d.strftime("%Y-%m-%d").to_string())
        .unwrap_or_else(|| "undated".into());
    let mut meta = vec![i.kind.to_string(), i.source.clone(), date];
    meta.extend(i.vendor.map(vendor));
    meta.extend(i.stage.map(|s| s.to_string()));
    meta.extend(i.stars_period.map(|s| format!("+{s}★")));
    // Days on GitHub trending, when more than the one the date says.
    meta.extend(
        crate::trend::TrendRun::of(&i.trend_history)
            .filter(|run| run.days > 1)
            .map(|run| run.phrase()),
    );
    if !i.topics.is_empty() {
        meta.push(format!("topics: {}", i.topics.join(", ")));
    }
    // The story's other sources: one event, told elsewhere too.
    let mut sources: Vec<&str> = hit.also.iter().map(|m| m.source.as_str()).collect();
    sources.sort_unstable();
    sources.dedup();
    if !sources.is_empty() {
        meta.push(format!("also: {}", sources.join(", ")));
    }
    meta
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn presence_and_bare_prefixes_are_query_errors_at_their_position() {
        let e = presence_on_a_text_field("kafka title:*").expect("refused");
        assert_eq!(e.position, Some(6));
        assert!(e.message.contains("title:kafka"), "{}", e.message);
        assert!(presence_on_a_text_field("topic:* kafka").is_none());
        assert!(presence_on_a_text_field(r#""title:*""#).is_none());
        let e = bare_prefix("stream -kafka*").expect("refused");
        assert_eq!(e.position, Some(8));
        assert!(e.message.contains(r#""apache kafka"*"#), "{}", e.message);
        assert_eq!(bare_prefix("title:kaf*").map(|e| e.position), Some(Some(0)));
        assert!(bare_prefix(r#""apache kaf"* OR flink"#).is_none());
        assert!(bare_prefix("topic:*").is_none());
    }

    // Regression (issue 13): `title:postgres` found nothing because documents say PostgreSQL.
    #[test]
    fn system_names_expand_to_their_aliases() {
        let groups = vec![vec![
            "PostgreSQL".to_string(),
            "Postgres".into(),
            "AlloyDB".into(),
        ]];
        assert_eq!(
            expand_synonyms("title:postgres -author:smith", &groups),
            r#"title:(postgres OR "PostgreSQL" OR "AlloyDB") -author:smith"#
        );
        assert_eq!(
            expand_synonyms(r#""postgres tuning" OR mysql"#, &groups),
            r#""postgres tuning" OR mysql"#
        );
        assert_eq!(expand_synonyms("kafka", &[]), "kafka");
        let index = Index::create_in_ram(crate::index::build_schema().0);
        assert!(parse_query(
            &index,
            &expand_synonyms("title:postgres AND stage:ga", &groups)
        )
        .is_ok());
    }

    // Regression (issue 13): `stage:gaa` silently matched nothing.
    #[test]
    fn unknown_values_of_enumerated_fields_are_refused() {
        let e = unknown_enumerated_value("kafka stage:gaa").unwrap();
        assert_eq!(e.position, Some(12));
        assert!(e.message.contains("new, preview, ga"), "{}", e.message);
        assert!(unknown_enumerated_value("kind:papers")
            .unwrap()
            .message
            .contains("paper, article, repo, cloud"));
        assert!(unknown_enumerated_value("-vendor:ibm OR x").is_some());
        assert!(unknown_enumerated_value("stage:ga kind:cloud vendor:GCP").is_none());
        assert!(unknown_enumerated_value("title:stage").is_none());
    }
    use crate::index::build_schema;

    fn index() -> Index {
        Index::create_in_ram(build_schema().0)
    }

    #[test]
    fn syntax_errors_have_positions() {
        let idx = index();
        let err = parse_query(&idx, "kafka AND (flink").unwrap_err();
        assert!(err.position.is_some(), "{err:?}");
        assert!(err.to_string().starts_with("at position"), "{err}");
        assert!(err.pointer("kafka AND (flink").unwrap().contains('^'));
    }

    #[test]
    fn unknown_field_is_named_at_its_position() {
        let idx = index();
        let err = parse_query(&idx, "kafka titel:flink").unwrap_err();
        assert_eq!(err.position, Some(6));
        assert!(err.message.contains("unknown field \"titel\""), "{err}");
        assert!(err.message.contains("title, summary"), "{err}");
    }

    #[test]
    fn dangling_operators_are_pointed_at() {
        let idx = index();
        let cases = [
            ("AND kafka", 0, "before"),
            ("kafka AND", 6, "after"),
            ("kafka AND AND flink", 6, "another operator"),
            ("OR", 0, "before"),
            ("(OR kafka)", 1, "before"),
            ("title:(kafka OR)", 13, "after"),
        ];
        for (q, pos, word) in cases {
            let err = parse_query(&idx, q).unwrap_err();
            assert_eq!(err.position, Some(pos), "{q}: {err}");
            assert!(err.message.contains(word), "{q}: {err}");
        }
        // Quoted operators are words, not operators.
        parse_query(&idx, "\"AND\" kafka").unwrap();
        parse_query(&idx, "kafka AND flink OR (spark AND beam)").unwrap();
    }

    // Guards #27: a word deep in a long body is found, and its snippet is the
    // body's window around it, highlighted; a summary match still wins.
    #[test]
    fn body_matches_snippet_a_window_of_the_body() {
        let dir = tempfile::tempdir().unwrap();
        let idx = HorizonIndex::open_or_create(dir.path()).unwrap();
        let mut deep = Item::new("feed:1", Kind::Article, "blog", "A post", "u1");
        deep.summary = "An excerpt about regions.".into();
        deep.body = format!(
            "{} the Brandenburg region opens {}",
            "filler é words ".repeat(5_000),
            "more text ".repeat(2_000)
        );
        let mut both = Item::new("feed:2", Kind::Article, "blog", "Another", "u2");
        both.summary = "Kafka in the summary.".into();
        both.body = "Kafka in the body too.".into();
        let mut w = idx.writer(15_000_000).unwrap();
        w.add_document(idx.doc_of(&deep)).unwrap();
        w.add_document(idx.doc_of(&both)).unwrap();
        w.commit().unwrap();
        let req = |q: &str| SearchRequest {
            query: q.into(),
            limit: 10,
            ..Default::default()
        };
        let hits = search(&idx, &req("brandenburg")).unwrap();
        assert_eq!(hits.len(), 1);
        let h = &hits[0];
        assert!(h.snippet.len() <= 4 * SNIPPET_CHARS, "{}", h.snippet);
        let marked: Vec<&str> = h.highlights.iter().map(|r| &h.snippet[r.clone()]).collect();
        assert_eq!(marked, ["Brandenburg"], "{}", h.snippet);
        let hits = search(&idx, &req("kafka")).unwrap();
        assert!(
            hits[0].snippet.starts_with("Kafka in the summary"),
            "{}",
            hits[0].snippet
        );
    }

    #[test]
    fn windows_stay_on_character_boundaries() {
        let text = "aé€😀z";
        for from in 0..=text.len() {
            for to in 0..=text.len() + 2 {
                let w = window(text, from, to);
                assert!(text.contains(w));
            }
        }
        assert_eq!(window(text, 2, 3), "é");
    }

    // #28 item 6: 85 phrase prefixes in 1 KiB cost a second each; more than
    // MAX_PREFIX_PHRASES are refused at the first one past the limit.
    #[test]
    fn phrase_prefixes_are_bounded() {
        let idx = index();
        let prefixes = |n: usize| {
            (0..n)
                .map(|i| format!("\"kafka x{i}\"*"))
                .collect::<Vec<_>>()
                .join(" ")
        };
        parse_query(&idx, &prefixes(MAX_PREFIX_PHRASES)).unwrap();
        let q = prefixes(MAX_PREFIX_PHRASES + 1);
        let e = parse_query(&idx, &q).unwrap_err();
        assert_eq!(e.position, q.rfind('"').and_then(|end| q[..end].rfind('"')));
        assert!(e.message.contains("at most 4"), "{e}");
        let e = parse_query(&idx, &prefixes(60)).unwrap_err();
        assert!(e.message.contains("60 phrase prefixes"), "{e}");
        // Inside groups and boosts they count too.
        let nested = format!("title:({}) OR (\"a b\"*)^2", prefixes(4));
        assert!(parse_query(&idx, &nested).is_err());
        // Quoted phrases without `*` are not prefixes.
        parse_query(&idx, &"\"kafka streams\" ".repeat(20)).unwrap();
    }

    // #28 item 6: regular expressions and fuzzy terms, which expand without
    // bound, are not part of the query language.
    #[test]
    fn regexes_are_query_errors() {
        let idx = index();
        let e = parse_query(&idx, "title:/ka[a-z]+/").unwrap_err();
        assert!(e.message.contains("not allowed"), "{e}");
    }

    #[test]
    fn valid_queries_parse() {
        let idx = index();
        for q in [
            "kafka",
            "\"tiered storage\"",
            "title:flink OR stage:ga",
            "kind:paper -preview",
            "*",
            "",
        ] {
            parse_query(&idx, q).unwrap_or_else(|e| panic!("{q}: {e}"));
        }
    }
}
