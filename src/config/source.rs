//! `[[sources]]`: one table per place to crawl, its `kind` choosing which
//! keys it takes.
//!
//! The keys every source takes are declared once, in [`CommonKeys`]; each
//! kind's own keys are a variant of [`KindKeys`], tagged by `kind` and
//! `deny_unknown_fields`. In the file the tag sits inside the table, as with
//! serde's internally tagged enums; but those buffer the table and so lose
//! toml's spans, and a message would no longer say which line a key is on.
//! So [`read_sources`] takes the table with its spans (toml's [`DeTable`]),
//! splits it by the keys the two types declare ([`super::keys`]) and hands
//! the kind's part to serde as `{ <kind> = { … } }`, an externally tagged
//! enum, which toml deserializes with every span kept. Then
//! [`build_source`] makes the checks serde cannot (names, URLs, the values
//! a kind bounds) and turns the keys into a [`SourceSpec`].
//!
//! A new kind is a variant of [`KindKeys`] with its arm in
//! [`KindKeys::into_spec`], a variant of [`SourceSpec`] and of
//! [`SourceKind`], and its adapter in `src/sources/`.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;
use std::ops::Range;

use serde::de::{DeserializeOwned, IgnoredAny};
use serde::Deserialize;
use toml::de::{DeTable, DeValue, ValueDeserializer};
use toml::Spanned;
use url::Url;

use super::{keys, line_col, Problem};
use crate::model::Vendor;
use crate::{DEFAULT_ARXIV_MAX_RESULTS, DEFAULT_ARXIV_PAGE_SIZE};

/// The period of a GitHub trending page (defined with the model, where
/// repositories carry it).
pub use crate::model::TrendingPeriod;

/// The key that names a source's kind.
const KIND: &str = "kind";

/// What a source is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SourceKind {
    /// arXiv API or listing feed.
    Arxiv,
    /// Any RSS, Atom or JSON Feed.
    Feed,
    /// A GitHub trending page.
    GithubTrending,
    /// A cloud vendor changelog.
    Cloud,
}

impl SourceKind {
    /// The name used in `sources.toml`.
    pub fn as_str(self) -> &'static str {
        match self {
            SourceKind::Arxiv => "arxiv",
            SourceKind::Feed => "feed",
            SourceKind::GithubTrending => "github_trending",
            SourceKind::Cloud => "cloud",
        }
    }
}

impl fmt::Display for SourceKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Which arXiv endpoint a source reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ArxivMode {
    /// The export API, queried with the topics' keywords.
    #[default]
    Api,
    /// The daily category listing feeds.
    Listing,
}

/// `[[sources]]`: one place to crawl.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Source {
    /// Unique name, shown in summaries and stored on each document.
    pub name: String,
    /// Overrides the built default URL (how tests point a source at 127.0.0.1).
    pub url: Option<Url>,
    /// Disabled sources are kept in the file but not crawled.
    pub enabled: bool,
    /// Items kept from one crawl of the source (`max_items`, default
    /// [`DEFAULT_MAX_ITEMS`]); a feed that sends more loses the rest, named
    /// in a warning.
    pub max_items: usize,
    /// What it crawls, with exactly its kind's settings.
    pub spec: SourceSpec,
    /// Line of the `[[sources]]` table.
    pub line: usize,
}

impl Source {
    /// What kind of source (the `kind` key).
    pub fn kind(&self) -> SourceKind {
        self.spec.kind()
    }
}

/// A source's kind with the settings that kind has, and no others: the
/// crawl, OPML and the source adapters (`sources::Adapter`) match on it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SourceSpec {
    /// Any RSS, Atom or JSON Feed (`url` is required).
    Feed {
        /// Fetch each item's page and index its main text as the body
        /// (`full_text = true`), for feeds that carry only excerpts.
        full_text: bool,
    },
    /// The arXiv export API, queried with the topics' keywords.
    ArxivApi {
        /// Categories the query is limited to (each topic's own when empty).
        categories: Vec<String>,
        /// Topics whose keywords build the query (all topics when empty).
        topics: Vec<String>,
        /// Results fetched per crawl.
        max_results: usize,
        /// Results per page.
        page_size: usize,
    },
    /// arXiv's daily listing feeds of some categories.
    ArxivListing {
        /// The categories listed (at least one).
        categories: Vec<String>,
    },
    /// A GitHub trending page.
    GithubTrending {
        /// Language slug, e.g. `rust` (all languages when absent).
        language: Option<String>,
        /// Trending period.
        since: TrendingPeriod,
    },
    /// A cloud vendor's changelog.
    Cloud {
        /// Whose changelog it is.
        vendor: Vendor,
        /// The product every note is about, for a feed of one product whose
        /// notes name none (a Google Cloud per-product feed, GKE's channel
        /// feeds); `None` for a vendor-wide changelog.
        product: Option<String>,
    },
}

impl SourceSpec {
    /// The `kind` key this spec was written with.
    pub fn kind(&self) -> SourceKind {
        match self {
            SourceSpec::Feed { .. } => SourceKind::Feed,
            SourceSpec::ArxivApi { .. } | SourceSpec::ArxivListing { .. } => SourceKind::Arxiv,
            SourceSpec::GithubTrending { .. } => SourceKind::GithubTrending,
            SourceSpec::Cloud { .. } => SourceKind::Cloud,
        }
    }
}

/// The keys every source takes, whatever its kind (besides `kind` itself).
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct CommonKeys {
    name: String,
    #[serde(default)]
    url: Option<String>,
    #[serde(default = "yes")]
    enabled: bool,
    #[serde(default)]
    max_items: Option<usize>,
}

/// Items kept from one crawl of one source unless `max_items` says otherwise:
/// far above any real feed (arXiv's busiest daily listing holds about a
/// thousand), so only a runaway or hostile source meets it.
pub const DEFAULT_MAX_ITEMS: usize = 10_000;

fn yes() -> bool {
    true
}

/// Each kind with its own keys, tagged by the `kind` key. Values a kind
/// needs are optional here so that [`KindKeys::into_spec`] can say what is
/// missing in words, with the source's name.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
enum KindKeys {
    /// `kind = "arxiv"`.
    Arxiv(ArxivKeys),
    /// `kind = "feed"`: the common keys (`url` required) and `full_text`.
    Feed {
        #[serde(default)]
        full_text: bool,
    },
    /// `kind = "github_trending"`.
    GithubTrending {
        #[serde(default)]
        language: Option<String>,
        #[serde(default)]
        since: TrendingPeriod,
    },
    /// `kind = "cloud"`.
    Cloud {
        #[serde(default)]
        vendor: Option<Vendor>,
        #[serde(default)]
        product: Option<String>,
    },
}

/// `kind = "arxiv"`: the export API (`mode = "api"`, the default) or the
/// daily listings (`mode = "listing"`), which take only `categories`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct ArxivKeys {
    #[serde(default)]
    mode: ArxivMode,
    #[serde(default)]
    categories: Vec<String>,
    #[serde(default)]
    topics: Vec<String>,
    #[serde(default)]
    max_results: Option<usize>,
    #[serde(default)]
    page_size: Option<usize>,
}

/// The keys [`CommonKeys`] and [`KindKeys`] declare, as their derives say.
struct Declared {
    common: &'static [&'static str],
    kinds: Vec<(&'static str, &'static [&'static str])>,
}

impl Declared {
    fn new() -> Declared {
        Declared {
            common: keys::struct_keys::<CommonKeys>(),
            kinds: keys::variant_keys::<KindKeys>(),
        }
    }

    /// The keys of one kind, `None` for a kind that does not exist.
    fn of_kind(&self, kind: &str) -> Option<&'static [&'static str]> {
        self.kinds
            .iter()
            .find(|(k, _)| *k == kind)
            .map(|(_, keys)| *keys)
    }

    /// Whether some kind takes `key`.
    fn of_any_kind(&self, key: &str) -> bool {
        self.kinds.iter().any(|(_, keys)| keys.contains(&key))
    }

    /// serde's wording for a key the source's kind does not know, listing
    /// the keys it does: `kind`, the common ones, then its own.
    fn unknown_key(&self, key: &str, own: &[&str]) -> String {
        let expected: Vec<String> = [KIND]
            .iter()
            .chain(self.common)
            .chain(own)
            .map(|k| format!("`{k}`"))
            .collect();
        format!(
            "unknown field `{key}`, expected one of {}",
            expected.join(", ")
        )
    }
}

/// serde's complaint about a `[[sources]]` table, with where it is.
#[derive(Debug)]
pub(super) struct ReadError {
    /// Bytes of the key or value it concerns (of the table when a key is missing).
    pub(super) span: Option<Range<usize>>,
    /// serde's message.
    pub(super) message: String,
}

impl From<toml::de::Error> for ReadError {
    fn from(e: toml::de::Error) -> Self {
        ReadError {
            span: e.span(),
            message: e.message().to_string(),
        }
    }
}

/// One `[[sources]]` table as serde read it, before [`build_source`].
#[derive(Debug)]
pub(super) struct SourceTable {
    /// Line of the `[[sources]]` header.
    line: usize,
    /// The `kind`, as written (a kind that exists).
    kind: String,
    common: CommonKeys,
    own: KindKeys,
    /// Keys another kind takes, which this one does not: problems, not
    /// parse errors, so they are reported with the rest.
    foreign: Vec<String>,
    /// Line of every key in the table.
    key_lines: BTreeMap<String, usize>,
}

/// The `[[sources]]` tables (the document's `sources` value), in file order.
pub(super) fn read_sources(
    value: Spanned<DeValue<'_>>,
    text: &str,
) -> Result<Vec<SourceTable>, ReadError> {
    let span = value.span();
    let items = match value.into_inner() {
        DeValue::Array(items) => items,
        other => return Err(shape_error::<Vec<IgnoredAny>>(Spanned::new(span, other))),
    };
    let declared = Declared::new();
    items
        .into_iter()
        .map(|item| read_source(item, text, &declared))
        .collect()
}

/// serde's message for a value of the wrong shape for `T`.
fn shape_error<T: DeserializeOwned>(value: Spanned<DeValue<'_>>) -> ReadError {
    let span = value.span();
    match T::deserialize(ValueDeserializer::from(value)) {
        Err(e) => e.into(),
        Ok(_) => ReadError {
            span: Some(span),
            message: "unexpected value".into(),
        },
    }
}

fn read_source(
    item: Spanned<DeValue<'_>>,
    text: &str,
    declared: &Declared,
) -> Result<SourceTable, ReadError> {
    let span = item.span();
    let table = match item.into_inner() {
        DeValue::Table(table) => table,
        other => {
            return Err(shape_error::<BTreeMap<String, IgnoredAny>>(Spanned::new(
                span, other,
            )))
        }
    };
    let mut entries: Vec<_> = table.into_iter().collect();
    entries.sort_by_key(|(key, _)| key.span().start);
    let Some(at) = entries.iter().position(|(key, _)| key.get_ref() == KIND) else {
        return Err(ReadError {
            span: Some(span),
            message: format!("missing field `{KIND}`"),
        });
    };
    let (_, kind_value) = entries.remove(at);
    let kind_span = kind_value.span();
    let kind = String::deserialize(ValueDeserializer::from(kind_value))?;

    let mut common = DeTable::new();
    let mut own = DeTable::new();
    let mut foreign = Vec::new();
    let mut key_lines = BTreeMap::new();
    // An unknown kind skips this; serde names it below, with the known kinds.
    if let Some(own_keys) = declared.of_kind(&kind) {
        for (key, value) in entries {
            let name = key.get_ref().as_ref();
            key_lines.insert(name.to_string(), line_col(text, key.span().start).0);
            if declared.common.contains(&name) {
                common.insert(key, value);
            } else if own_keys.contains(&name) {
                own.insert(key, value);
            } else if declared.of_any_kind(name) {
                foreign.push(name.to_string());
            } else {
                return Err(ReadError {
                    span: Some(key.span()),
                    message: declared.unknown_key(name, own_keys),
                });
            }
        }
    }
    let mut tagged = DeTable::new();
    tagged.insert(
        Spanned::new(kind_span, kind.clone().into()),
        Spanned::new(span.clone(), DeValue::Table(own)),
    );
    let own: KindKeys = from_table(span.clone(), tagged)?;
    let common: CommonKeys = from_table(span.clone(), common)?;
    Ok(SourceTable {
        line: line_col(text, span.start).0,
        kind,
        common,
        own,
        foreign,
        key_lines,
    })
}

/// `T` from a table that spans `span` of the file, every span kept.
fn from_table<T: DeserializeOwned>(span: Range<usize>, table: DeTable<'_>) -> Result<T, ReadError> {
    let value = Spanned::new(span, DeValue::Table(table));
    Ok(T::deserialize(ValueDeserializer::from(value))?)
}

/// One source's problems, each at its table's line or at its key's.
struct Check<'a> {
    context: String,
    line: usize,
    key_lines: &'a BTreeMap<String, usize>,
    problems: &'a mut Vec<Problem>,
    found: bool,
}

impl Check<'_> {
    /// A problem with the whole table.
    fn bad(&mut self, message: String) {
        self.bad_at(self.line, message);
    }

    /// A problem with one key, at that key's line.
    fn bad_key(&mut self, key: &str, message: String) {
        let line = self.key_lines.get(key).copied().unwrap_or(self.line);
        self.bad_at(line, message);
    }

    fn bad_at(&mut self, line: usize, message: String) {
        self.found = true;
        self.problems.push(Problem {
            column: None,
            line,
            context: self.context.clone(),
            message,
        });
    }

    fn has_key(&self, key: &str) -> bool {
        self.key_lines.contains_key(key)
    }
}

/// The checks serde cannot make, then the [`Source`]; `None` when a problem
/// was recorded.
pub(super) fn build_source(
    table: SourceTable,
    topic_names: &BTreeSet<String>,
    names: &mut BTreeSet<String>,
    problems: &mut Vec<Problem>,
) -> Option<Source> {
    let SourceTable {
        line,
        kind,
        common,
        own,
        foreign,
        key_lines,
    } = table;
    let name = common.name.trim().to_string();
    let mut check = Check {
        context: format!("source {name:?}"),
        line,
        key_lines: &key_lines,
        problems,
        found: false,
    };
    if name.is_empty() {
        check.bad("name must not be empty".into());
    } else if !names.insert(name.clone()) {
        check.bad("duplicate source name (each source needs its own name)".into());
    }
    let url = source_url(common.url.as_deref(), &mut check);
    for key in foreign {
        check.bad_key(
            &key,
            format!("key `{key}` does not apply to kind = \"{kind}\""),
        );
    }
    let spec = own.into_spec(common.url.is_some(), topic_names, &mut check);
    if check.found {
        return None;
    }
    if common.max_items == Some(0) {
        check.bad_key("max_items", "`max_items` must be at least 1".to_string());
        return None;
    }
    Some(Source {
        name,
        url,
        enabled: common.enabled,
        max_items: common.max_items.unwrap_or(DEFAULT_MAX_ITEMS),
        spec: spec?,
        line,
    })
}

/// A source's `url` override: http or https with a host.
fn source_url(raw: Option<&str>, check: &mut Check<'_>) -> Option<Url> {
    let u = raw?;
    match Url::parse(u.trim()) {
        Ok(url) if matches!(url.scheme(), "http" | "https") && url.host().is_some() => Some(url),
        Ok(url) => {
            check.bad(format!(
                "url {u:?} must be http or https with a host (got scheme {:?})",
                url.scheme()
            ));
            None
        }
        Err(e) => {
            check.bad(format!("url {u:?} is not a valid URL: {e}"));
            None
        }
    }
}

impl KindKeys {
    /// The spec, after the checks of the values this kind needs or bounds
    /// (`None` only when one failed and was recorded).
    fn into_spec(
        self,
        has_url: bool,
        topic_names: &BTreeSet<String>,
        check: &mut Check<'_>,
    ) -> Option<SourceSpec> {
        match self {
            KindKeys::Feed { full_text } => {
                if !has_url {
                    check.bad("kind = \"feed\" needs a `url`".into());
                }
                Some(SourceSpec::Feed { full_text })
            }
            KindKeys::Cloud { vendor, product } => {
                if vendor.is_none() {
                    check.bad(format!("kind = \"cloud\" needs {}", vendor_choices()));
                }
                let product = product.map(|p| p.trim().to_string());
                if product.as_deref() == Some("") {
                    check.bad_key("product", "product must not be empty".into());
                }
                if product.is_some() && !has_url {
                    check.bad_key(
                        "product",
                        "`product` names the one product of a per-product feed: give that feed's `url` too (the vendor's default changelog covers every product)"
                            .into(),
                    );
                }
                Some(SourceSpec::Cloud {
                    vendor: vendor?,
                    product,
                })
            }
            KindKeys::GithubTrending { language, since } => {
                if let Some(lang) = language.as_deref().filter(|l| !is_language_slug(l)) {
                    check.bad(format!(
                        "language {lang:?} must be a GitHub language slug such as \"rust\" or \"c++\""
                    ));
                }
                Some(SourceSpec::GithubTrending {
                    language: language.map(|l| l.trim().to_ascii_lowercase()),
                    since,
                })
            }
            KindKeys::Arxiv(keys) => Some(match keys.mode {
                ArxivMode::Api => keys.api_spec(topic_names, check),
                ArxivMode::Listing => keys.listing_spec(check),
            }),
        }
    }
}

/// "`vendor = "aws"`, `"azure"`, … or `"github"`": every vendor, as written.
fn vendor_choices() -> String {
    let words: Vec<String> = Vendor::ALL
        .iter()
        .enumerate()
        .map(|(i, v)| match i {
            0 => format!("`vendor = \"{v}\"`"),
            _ => format!("`\"{v}\"`"),
        })
        .collect();
    match words.split_last() {
        Some((last, rest)) if !rest.is_empty() => format!("{} or {last}", rest.join(", ")),
        _ => words.concat(),
    }
}

/// A GitHub language slug as in `github.com/trending/<slug>` (`rust`, `c++`).
fn is_language_slug(lang: &str) -> bool {
    !lang.trim().is_empty() && !lang.contains(['/', '?', '#', ' '])
}

impl ArxivKeys {
    fn api_spec(self, topic_names: &BTreeSet<String>, check: &mut Check<'_>) -> SourceSpec {
        for t in &self.topics {
            if !topic_names.contains(t) {
                check.bad(format!(
                    "topics names {t:?}, which is not a [[topics]] name{}",
                    super::did_you_mean(t, topic_names.iter().map(String::as_str))
                ));
            }
        }
        if self.page_size == Some(0) || self.max_results == Some(0) {
            check.bad("page_size and max_results must be at least 1".into());
        }
        if self.page_size.is_some_and(|p| p > 2000) {
            check.bad("page_size may be at most 2000 (arXiv's limit per request)".into());
        }
        SourceSpec::ArxivApi {
            categories: self.categories,
            topics: self.topics,
            max_results: self.max_results.unwrap_or(DEFAULT_ARXIV_MAX_RESULTS),
            page_size: self.page_size.unwrap_or(DEFAULT_ARXIV_PAGE_SIZE),
        }
    }

    fn listing_spec(self, check: &mut Check<'_>) -> SourceSpec {
        if self.categories.is_empty() {
            check.bad("an arXiv listing source needs `categories` (e.g. [\"cs.DC\"])".into());
        }
        // The listings are whole categories: the API's keys have nothing to act on.
        for key in ["topics", "max_results", "page_size"] {
            if check.has_key(key) {
                check.bad_key(
                    key,
                    format!("key `{key}` does not apply to mode = \"listing\""),
                );
            }
        }
        SourceSpec::ArxivListing {
            categories: self.categories,
        }
    }
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use super::*;
    use crate::config::{Config, ConfigError};

    fn parse(text: &str) -> Result<Config, ConfigError> {
        Config::parse(Path::new("test.toml"), text)
    }

    fn error(text: &str) -> String {
        parse(text).unwrap_err().to_string()
    }

    // Guards the one list of kinds: `KindKeys` (what the file may say) and
    // `SourceKind` (what the program calls them) name the same kinds.
    #[test]
    fn kind_keys_and_source_kinds_agree() {
        let declared: Vec<&str> = Declared::new().kinds.iter().map(|(k, _)| *k).collect();
        let kinds = [
            SourceKind::Arxiv,
            SourceKind::Feed,
            SourceKind::GithubTrending,
            SourceKind::Cloud,
        ];
        assert_eq!(declared, kinds.map(SourceKind::as_str));
    }

    #[test]
    fn every_kind_becomes_its_spec_with_defaults() {
        let c = parse(
            r#"
[[sources]]
name = "api"
kind = "arxiv"

[[sources]]
name = "api-explicit"
kind = "arxiv"
mode = "api"
categories = ["cs.DB"]
max_results = 20
page_size = 10

[[sources]]
name = "listing"
kind = "arxiv"
mode = "listing"
categories = ["cs.DC"]

[[sources]]
name = "blog"
kind = "feed"
url = "https://example.org/feed"
enabled = false

[[sources]]
name = "trending"
kind = "github_trending"
language = "Rust"
since = "weekly"

[[sources]]
name = "aws"
kind = "cloud"
vendor = "aws"
"#,
        )
        .unwrap_or_else(|e| panic!("{e}"));
        let specs: Vec<&SourceSpec> = c.sources.iter().map(|s| &s.spec).collect();
        assert_eq!(
            specs,
            [
                &SourceSpec::ArxivApi {
                    categories: vec![],
                    topics: vec![],
                    max_results: DEFAULT_ARXIV_MAX_RESULTS,
                    page_size: DEFAULT_ARXIV_PAGE_SIZE,
                },
                &SourceSpec::ArxivApi {
                    categories: vec!["cs.DB".into()],
                    topics: vec![],
                    max_results: 20,
                    page_size: 10,
                },
                &SourceSpec::ArxivListing {
                    categories: vec!["cs.DC".into()],
                },
                &SourceSpec::Feed { full_text: false },
                &SourceSpec::GithubTrending {
                    language: Some("rust".into()),
                    since: TrendingPeriod::Weekly,
                },
                &SourceSpec::Cloud {
                    vendor: Vendor::Aws,
                    product: None,
                },
            ]
        );
        let lines: Vec<usize> = c.sources.iter().map(|s| s.line).collect();
        assert_eq!(lines, [2, 6, 14, 20, 26, 32]);
        assert!(c.sources.iter().all(|s| s.enabled == (s.name != "blog")));
    }

    // Guards `full_text` (#27): a feed's key, off by default, refused elsewhere.
    #[test]
    fn full_text_is_a_feed_key() {
        let c = parse(
            "[[sources]]\nname = \"a\"\nkind = \"feed\"\nurl = \"http://x/\"\nfull_text = true\n",
        )
        .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(c.sources[0].spec, SourceSpec::Feed { full_text: true });
        let err = error(
            "[[sources]]\nname = \"b\"\nkind = \"cloud\"\nvendor = \"aws\"\nfull_text = true\n",
        );
        assert!(err.contains("full_text"), "{err}");
    }

    #[test]
    fn a_key_of_another_kind_is_named_on_its_own_line() {
        let err = error(
            "[[sources]]\nname = \"a\"\nkind = \"feed\"\nurl = \"http://x/\"\nvendor = \"aws\"\nsince = \"daily\"\n\n[[sources]]\nname = \"b\"\nkind = \"cloud\"\nvendor = \"gcp\"\nmode = \"api\"\n",
        );
        assert_eq!(
            err,
            "test.toml:5: source \"a\": key `vendor` does not apply to kind = \"feed\"\n\
             test.toml:6: source \"a\": key `since` does not apply to kind = \"feed\"\n\
             test.toml:12: source \"b\": key `mode` does not apply to kind = \"cloud\"\n\
             3 problems in test.toml"
        );
    }

    #[test]
    fn an_unknown_key_lists_the_keys_of_its_kind() {
        let err =
            error("[[sources]]\nname = \"gh\"\nkind = \"github_trending\"\nlanguag = \"go\"\n");
        assert_eq!(
            err,
            "test.toml:4:1: unknown field `languag`, expected one of `kind`, `name`, `url`, `enabled`, `max_items`, `language`, `since`; did you mean `language`?"
        );
    }

    #[test]
    fn the_api_keys_do_not_apply_to_the_listings() {
        let err = error(
            "[[sources]]\nname = \"l\"\nkind = \"arxiv\"\nmode = \"listing\"\ncategories = [\"cs.DC\"]\ntopics = [\"x\"]\npage_size = 10\n",
        );
        assert_eq!(
            err,
            "test.toml:6: source \"l\": key `topics` does not apply to mode = \"listing\"\n\
             test.toml:7: source \"l\": key `page_size` does not apply to mode = \"listing\"\n\
             2 problems in test.toml"
        );
    }

    // Guards the spans kept through the split: a bad value inside a kind's
    // keys, or among the common keys, is named at its line and column.
    #[test]
    fn bad_values_keep_their_line_and_column() {
        let err = error("[[sources]]\nname = \"a\"\nkind = \"arxiv\"\npage_size = \"ten\"\n");
        assert_eq!(
            err,
            "test.toml:4:13: invalid type: string \"ten\", expected usize"
        );
        let err = error(
            "[[sources]]\nname = \"a\"\nkind = \"feed\"\nenabled = \"no\"\nurl = \"http://x/\"\n",
        );
        assert_eq!(
            err,
            "test.toml:4:11: invalid type: string \"no\", expected a boolean"
        );
        let err = error("[[sources]]\nname = \"a\"\nkind = \"arxiv\"\nmode = \"daily\"\n");
        assert_eq!(
            err,
            "test.toml:4:8: unknown variant `daily`, expected `api` or `listing`"
        );
        let err = error("[[sources]]\nkind = \"feed\"\nurl = \"http://x/\"\n");
        assert_eq!(err, "test.toml:1:1: missing field `name`");
    }

    #[test]
    fn sources_of_the_wrong_shape_are_refused() {
        assert_eq!(
            error("sources = 3\n"),
            "test.toml:1:11: invalid type: integer `3`, expected a sequence"
        );
        assert_eq!(
            error("sources = [1]\n"),
            "test.toml:1:12: invalid type: integer `1`, expected a map"
        );
        assert!(parse("sources = []\n").unwrap().sources.is_empty());
    }

    /// The README's TOML examples are valid configs.
    #[test]
    fn readme_examples_parse() {
        let readme =
            std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("README.md"))
                .unwrap();
        let blocks: Vec<&str> = readme
            .split("```toml\n")
            .skip(1)
            .filter_map(|s| s.split("```").next())
            .collect();
        assert!(blocks.len() >= 2, "{} TOML blocks", blocks.len());
        for block in blocks {
            parse(block).unwrap_or_else(|e| panic!("{e}\n{block}"));
        }
    }
}
