//! Query strings of the server's pages and API, read into the library's
//! request types with the same rules as the command line: the same names
//! (`kind`, `topic`, `source`, `vendor`, `stage`, `language`, `since`,
//! `until`, `sort`, `limit`), repeatable where the flags are, the same date
//! grammar, and names checked against the config. Sizes are bounded:
//! `limit` is capped at [`MAX_PAGE_SIZE`], a page may not reach past
//! [`MAX_RESULT_WINDOW`] results, a query is at most [`MAX_QUERY_BYTES`].

use std::str::FromStr;

use jiff::Timestamp;

use crate::config::Config;
use crate::model::{Kind, Stage, Vendor, NO_TOPIC};
use crate::search::{SearchRequest, SortBy};

/// Hits on one page at most (`limit` above it is lowered to it).
pub const MAX_PAGE_SIZE: usize = 100;
/// Results reachable by paging: offset + limit at most this.
pub const MAX_RESULT_WINDOW: usize = 1_000;
/// Longest query text accepted, in bytes.
pub const MAX_QUERY_BYTES: usize = 1_024;
/// Values of one repeatable parameter accepted.
const MAX_VALUES: usize = 32;
/// Hits on a page of the search page unless `limit` says otherwise.
pub const DEFAULT_PAGE_SIZE: usize = 20;

/// A parameter that cannot be used: which one and why.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{param}: {message}")]
pub struct ParamError {
    /// The parameter.
    pub param: String,
    /// What is wrong.
    pub message: String,
}

fn bad(param: &str, message: impl Into<String>) -> ParamError {
    ParamError {
        param: param.to_string(),
        message: message.into(),
    }
}

/// The decoded `name=value` pairs of a query string, empty values dropped.
#[derive(Clone, Debug, Default)]
pub struct Pairs(Vec<(String, String)>);

impl Pairs {
    /// Decode a raw query string (`None`: no query string).
    pub fn parse(raw: Option<&str>) -> Pairs {
        Pairs(
            url::form_urlencoded::parse(raw.unwrap_or("").as_bytes())
                .filter(|(_, v)| !v.trim().is_empty())
                .map(|(k, v)| (k.into_owned(), v.into_owned()))
                .collect(),
        )
    }

    /// Every pair, in order.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &str)> {
        self.0.iter().map(|(k, v)| (k.as_str(), v.as_str()))
    }

    /// The last value of `name`.
    pub fn one(&self, name: &str) -> Option<&str> {
        self.0
            .iter()
            .rev()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }

    /// Every value of `name`, in order.
    pub fn all(&self, name: &str) -> Result<Vec<&str>, ParamError> {
        let values: Vec<&str> = self
            .0
            .iter()
            .filter(|(k, _)| k == name)
            .map(|(_, v)| v.trim())
            .collect();
        if values.len() > MAX_VALUES {
            return Err(bad(name, format!("at most {MAX_VALUES} values")));
        }
        Ok(values)
    }

    /// Every value of `name` as one of a closed vocabulary.
    fn parsed<T: FromStr<Err = String>>(&self, name: &str) -> Result<Vec<T>, ParamError> {
        self.all(name)?
            .into_iter()
            .map(|v| T::from_str(v).map_err(|e| bad(name, e)))
            .collect()
    }

    /// A whole number.
    pub fn number(&self, name: &str) -> Result<Option<usize>, ParamError> {
        self.one(name)
            .map(|v| {
                v.trim()
                    .parse::<usize>()
                    .map_err(|_| bad(name, format!("{v:?} is not a whole number")))
            })
            .transpose()
    }

    /// A point in time in the command line's grammar (`2026-11-01`, `30d`).
    pub fn when(&self, name: &str, now: Timestamp) -> Result<Option<Timestamp>, ParamError> {
        self.one(name)
            .map(|v| crate::duration::parse_point_in_time(v, now).map_err(|e| bad(name, e)))
            .transpose()
    }
}

/// Where a page of results starts.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Paging {
    /// `page=N`, 1-based (the search page).
    Page,
    /// `offset=N` (the API).
    Offset,
}

/// A search as a page or the API asked for it.
#[derive(Clone, Debug)]
pub struct SearchParams {
    /// The request for the library.
    pub request: SearchRequest,
    /// Hits skipped.
    pub offset: usize,
}

impl SearchParams {
    /// Read a search from `pairs`; `default_limit` when `limit` is absent.
    pub fn parse(
        pairs: &Pairs,
        cfg: &Config,
        paging: Paging,
        default_limit: usize,
        now: Timestamp,
    ) -> Result<SearchParams, ParamError> {
        let query = pairs.one("q").unwrap_or("").to_string();
        if query.len() > MAX_QUERY_BYTES {
            return Err(bad(
                "q",
                format!("the query is longer than {MAX_QUERY_BYTES} bytes"),
            ));
        }
        let limit = pairs
            .number("limit")?
            .unwrap_or(default_limit)
            .clamp(1, MAX_PAGE_SIZE);
        let offset = match paging {
            Paging::Offset => pairs.number("offset")?.unwrap_or(0),
            Paging::Page => match pairs.number("page")?.unwrap_or(1) {
                0 => return Err(bad("page", "pages are numbered from 1")),
                n => (n - 1).saturating_mul(limit),
            },
        };
        if offset.saturating_add(limit) > MAX_RESULT_WINDOW {
            return Err(bad(
                if paging == Paging::Page { "page" } else { "offset" },
                format!("only the first {MAX_RESULT_WINDOW} results can be paged through; narrow the query or the filters"),
            ));
        }
        let sort = match pairs.one("sort").map(str::trim) {
            None | Some("relevance") => SortBy::Relevance,
            Some("date") => SortBy::Date,
            Some(other) => {
                return Err(bad(
                    "sort",
                    format!("{other:?} is not an order; use relevance or date"),
                ))
            }
        };
        let since = pairs.when("since", now)?;
        let until = pairs.when("until", now)?;
        if let (Some(s), Some(u)) = (since, until) {
            if s >= u {
                return Err(bad("since", "must be before until: nothing could match"));
            }
        }
        let request = SearchRequest {
            query,
            kinds: pairs.parsed::<Kind>("kind")?,
            topics: names(pairs, "topic", cfg)?,
            sources: names(pairs, "source", cfg)?,
            vendors: pairs.parsed::<Vendor>("vendor")?,
            stages: pairs.parsed::<Stage>("stage")?,
            languages: pairs
                .all("language")?
                .into_iter()
                .map(str::to_string)
                .collect(),
            since,
            until,
            sort,
            limit,
            synonyms: Vec::new(),
        };
        Ok(SearchParams { request, offset })
    }
}

/// Topic or source names, each one the config knows (a misspelt name would
/// otherwise look like an empty result, as on the command line).
fn names(pairs: &Pairs, param: &str, cfg: &Config) -> Result<Vec<String>, ParamError> {
    let known: Vec<&str> = if param == "topic" {
        cfg.topics.iter().map(|t| t.name.as_str()).collect()
    } else {
        cfg.sources.iter().map(|s| s.name.as_str()).collect()
    };
    pairs
        .all(param)?
        .into_iter()
        .map(|v| {
            if known.contains(&v) || (param == "topic" && v == NO_TOPIC) {
                Ok(v.to_string())
            } else {
                Err(bad(
                    param,
                    format!("no {param} named {v:?}; {param}s are: {}", known.join(", ")),
                ))
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cfg() -> Config {
        Config::parse(
            std::path::Path::new("sources.toml"),
            "[[topics]]\nname = \"streaming\"\nkeywords = [\"kafka\"]\n\n[[sources]]\nname = \"blog\"\nkind = \"feed\"\nurl = \"https://e.org/feed\"\n",
        )
        .unwrap_or_else(|e| panic!("{e}"))
    }

    fn parse(q: &str, paging: Paging) -> Result<SearchParams, ParamError> {
        let now: Timestamp = "2026-11-10T00:00:00Z"
            .parse()
            .unwrap_or_else(|e| panic!("{e}"));
        SearchParams::parse(&Pairs::parse(Some(q)), &cfg(), paging, 20, now)
    }

    #[test]
    fn repeated_filters_and_bounds() {
        let p = parse(
            "q=kafka&kind=paper&kind=repo&topic=streaming&since=7d&sort=date&limit=5000&page=2",
            Paging::Page,
        )
        .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(p.request.kinds, vec![Kind::Paper, Kind::Repo]);
        assert_eq!(p.request.limit, MAX_PAGE_SIZE);
        assert_eq!(p.offset, MAX_PAGE_SIZE);
        assert_eq!(p.request.sort, SortBy::Date);
        assert!(p.request.since.is_some());
        // Empty values are no filter (a form's "any").
        let p = parse("q=&kind=&vendor=", Paging::Page).unwrap_or_else(|e| panic!("{e}"));
        assert!(p.request.kinds.is_empty() && p.request.vendors.is_empty());
    }

    #[test]
    fn bad_values_name_the_parameter() {
        for (q, param) in [
            ("kind=papers", "kind"),
            ("topic=nope", "topic"),
            ("source=nope", "source"),
            ("sort=size", "sort"),
            ("since=yesterday", "since"),
            ("since=2026-02-01&until=2026-01-01", "since"),
            ("limit=ten", "limit"),
            ("page=0", "page"),
            ("page=100", "page"),
        ] {
            let e = parse(q, Paging::Page).expect_err(q);
            assert_eq!(e.param, param, "{q}: {e}");
        }
        let e = parse("offset=990&limit=20", Paging::Offset).expect_err("window");
        assert_eq!(e.param, "offset");
        let long = format!("q={}", "a".repeat(MAX_QUERY_BYTES + 1));
        assert_eq!(parse(&long, Paging::Offset).expect_err("long").param, "q");
    }
}
