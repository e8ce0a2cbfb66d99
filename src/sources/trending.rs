//! The `github_trending` kind: GitHub's trending HTML page, parsed with scraper.
//!
//! One `article.Box-row` per repository. The parser leans on what has stayed
//! put across the 2023–2026 markups rather than on styling classes (which
//! changed, e.g. `pr-4` → `tmp-pr-4`): the name comes from the `h2 a` href,
//! the totals from the links to `/owner/name/stargazers` and `/owner/name/forks`
//! (or the older `/network/members`), the language from
//! `[itemprop=programmingLanguage]`, and the stars gained from the row text
//! "N stars today|this week|this month" (singular "star" too).
//!
//! Ids are `github:owner/name` in lower case (GitHub names are
//! case-insensitive, so a rename in case is not a new repository); the title
//! keeps GitHub's spelling.

use std::sync::LazyLock;

use regex::Regex;
use scraper::{ElementRef, Html, Selector};
use url::Url;

use super::{ParseContext, ParseError};
use crate::config::TrendingPeriod;
use crate::model::{Item, Kind, TrendSighting};
use crate::text::{clean_line, truncate_words};
use jiff::Timestamp;

/// GitHub's trending page.
pub const DEFAULT_URL: &str = "https://github.com/trending";

/// The trending page URL for a language and period:
/// `https://github.com/trending[/<language>][?since=<period>]`. The daily list
/// is the page without `since` (GitHub's default, and the only form
/// github.com/robots.txt allows: `Disallow: /*since=*`). With a `base`, its
/// path is used as is and only the `since` parameter is set or removed.
pub fn page_url(base: Option<&Url>, language: Option<&str>, period: TrendingPeriod) -> Url {
    let mut url = match base {
        Some(b) => b.clone(),
        None => {
            let default = Url::parse(DEFAULT_URL).expect("constant URL");
            match language.map(str::trim).filter(|l| !l.is_empty()) {
                Some(lang) => {
                    let mut u = default.clone();
                    match u.path_segments_mut() {
                        Ok(mut segs) => {
                            segs.push(&lang.to_ascii_lowercase());
                        }
                        Err(()) => return default,
                    }
                    u
                }
                None => default,
            }
        }
    };
    let kept: Vec<(String, String)> = url
        .query_pairs()
        .filter(|(k, _)| k != "since")
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect();
    url.set_query(None);
    {
        let mut q = url.query_pairs_mut();
        for (k, v) in &kept {
            q.append_pair(k, v);
        }
        if period != TrendingPeriod::Daily {
            q.append_pair("since", period.as_str());
        }
    }
    if url.query() == Some("") {
        url.set_query(None);
    }
    url
}

fn selector(s: &str) -> Selector {
    Selector::parse(s).expect("constant selector")
}

static ROW: LazyLock<Selector> = LazyLock::new(|| selector("article.Box-row"));
static NAME_LINK: LazyLock<Selector> = LazyLock::new(|| selector("h2 a[href], h1 a[href]"));
/// The description when it is not a direct child of the row.
static DESCRIPTION: LazyLock<Selector> = LazyLock::new(|| selector("p[class*=col-9]"));
static LANGUAGE: LazyLock<Selector> = LazyLock::new(|| selector("[itemprop=programmingLanguage]"));
static LINKS: LazyLock<Selector> = LazyLock::new(|| selector("a[href]"));
static GAINED_RE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)([\d,.]+)\s+stars?\s+(?:today|this\s+week|this\s+month)")
        .expect("constant regex")
});
static NUMBER_RE: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"\d[\d,]*").expect("constant regex"));

/// Longest description stored, in characters.
const MAX_DESCRIPTION_CHARS: usize = 1_000;

/// `owner/name` from a repository href (`/owner/name`, absolute or relative).
fn repo_from_href(href: &str) -> Option<(String, String)> {
    let path = match Url::parse(href) {
        Ok(u) => u.path().to_string(),
        Err(_) => href.split(['?', '#']).next().unwrap_or("").to_string(),
    };
    let mut segs = path.split('/').filter(|s| !s.is_empty());
    let owner = segs.next()?;
    let name = segs.next()?;
    if segs.next().is_some() {
        return None;
    }
    let ok = |s: &str| {
        s.chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
    };
    (ok(owner) && ok(name)).then(|| (owner.to_string(), name.to_string()))
}

/// A count as GitHub prints it: `1,234` (commas ignored).
fn parse_count(s: &str) -> Option<u64> {
    NUMBER_RE
        .find(s)
        .and_then(|m| m.as_str().replace(',', "").parse().ok())
}

fn text_of(el: ElementRef<'_>) -> String {
    clean_line(&el.text().collect::<String>())
}

static REQUEST_ID: LazyLock<Selector> =
    LazyLock::new(|| Selector::parse(r#"meta[name="request-id"]"#).expect("constant selector"));

/// When GitHub served the page: the page's `request-id` (GitHub's ids end
/// with the request's Unix time in hex, e.g. `4CC2:38DD:D323CC7:D5FAB5C:6465F728`
/// = 2023-05-18T10:00:08Z), when it decodes to a time between GitHub's launch
/// and a day after the crawl; otherwise the crawl's time. A repository is
/// dated by this sighting, so a replayed or late-parsed capture files it in
/// the week it trended.
pub fn sighted_at(doc: &Html, now: Timestamp) -> Timestamp {
    let earliest = Timestamp::from_second(1_199_145_600).unwrap_or(Timestamp::UNIX_EPOCH); // 2008-01-01
    let latest = now
        .checked_add(jiff::SignedDuration::from_hours(24))
        .unwrap_or(now);
    doc.select(&REQUEST_ID)
        .filter_map(|m| m.value().attr("content"))
        .filter_map(|id| id.rsplit(':').next())
        .filter(|hex| hex.len() == 8)
        .filter_map(|hex| i64::from_str_radix(hex, 16).ok())
        .filter_map(|secs| Timestamp::from_second(secs).ok())
        .find(|t| *t >= earliest && *t <= latest)
        .unwrap_or(now)
}

/// Parse one trending page. A page without a single repository row is
/// [`ParseError::LayoutChanged`]; rows without a readable name are skipped.
pub fn parse(
    bytes: &[u8],
    ctx: &ParseContext<'_>,
    period: TrendingPeriod,
) -> Result<Vec<Item>, ParseError> {
    if super::is_blank(bytes) {
        return Err(ParseError::Empty);
    }
    let html = String::from_utf8_lossy(bytes);
    let depth = crate::text::nesting_depth(&html);
    if depth > crate::text::MAX_HTML_DEPTH {
        return Err(ParseError::TooDeep {
            what: "page",
            depth,
            limit: crate::text::MAX_HTML_DEPTH,
        });
    }
    let doc = Html::parse_document(&html);
    let sighted = sighted_at(&doc, ctx.now);
    let date = sighted.strftime("%Y-%m-%d").to_string();
    let mut items: Vec<Item> = Vec::new();
    let mut seen = std::collections::HashSet::new();
    let mut rows = 0usize;
    for row in doc.select(&ROW) {
        rows += 1;
        let Some(mut item) = parse_row(row, ctx, period, &date) else {
            continue;
        };
        if seen.insert(item.id.clone()) {
            item.updated = Some(sighted);
            items.push(item);
        }
    }
    if items.is_empty() {
        let what = if rows == 0 {
            "no repositories found on the trending page".to_string()
        } else {
            format!("none of the {rows} rows on the trending page named a repository")
        };
        return Err(ParseError::LayoutChanged(what));
    }
    Ok(items)
}

fn parse_row(
    row: ElementRef<'_>,
    ctx: &ParseContext<'_>,
    period: TrendingPeriod,
    date: &str,
) -> Option<Item> {
    let (owner, name) = row
        .select(&NAME_LINK)
        .find_map(|a| a.value().attr("href").and_then(repo_from_href))?;
    let full = format!("{owner}/{name}");
    let prefix = format!("/{}/", full.to_ascii_lowercase());
    let mut item = Item::new(
        format!("github:{}", full.to_ascii_lowercase()),
        Kind::Repo,
        ctx.source,
        full.clone(),
        format!("https://github.com/{full}"),
    );
    // The description is the row's own `<p>`: logged-in captures also hold
    // `<p>`s of the star-list menu ("This will remove {{ repoNameWithOwner }}…").
    item.summary = row
        .children()
        .filter_map(ElementRef::wrap)
        .filter(|e| e.value().name() == "p")
        .chain(row.select(&DESCRIPTION))
        .map(text_of)
        .find(|t| !t.is_empty())
        .map(|t| truncate_words(&t, MAX_DESCRIPTION_CHARS))
        .unwrap_or_default();
    item.language = row.select(&LANGUAGE).map(text_of).find(|t| !t.is_empty());
    for a in row.select(&LINKS) {
        let href = a.value().attr("href").unwrap_or("");
        let path = href.split(['?', '#']).next().unwrap_or("");
        let path = path
            .strip_prefix("https://github.com")
            .unwrap_or(path)
            .to_ascii_lowercase();
        let Some(rest) = path.strip_prefix(&prefix) else {
            continue;
        };
        let rest = rest.trim_end_matches('/');
        if rest == "stargazers" && item.stars.is_none() {
            item.stars = parse_count(&text_of(a));
        } else if matches!(rest, "forks" | "network/members" | "network") && item.forks.is_none() {
            item.forks = parse_count(&text_of(a));
        }
    }
    let row_text = text_of(row);
    item.stars_period = GAINED_RE
        .captures(&row_text)
        .and_then(|c| c.get(1))
        .and_then(|m| parse_count(m.as_str()));
    item.period = Some(period);
    if let Some(lang) = &item.language {
        item.categories = vec![lang.clone()];
    }
    item.trend_history = vec![TrendSighting {
        date: date.to_string(),
        period,
        stars_period: item.stars_period,
    }];
    Some(item)
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use crate::sources::test_support::{fixture, fixture_files};

    fn ctx() -> ParseContext<'static> {
        crate::sources::test_support::ctx(
            "trending-test",
            "https://github.com/trending",
            "2026-05-07T23:30:00Z",
        )
    }

    fn page(name: &str, period: TrendingPeriod) -> Option<Vec<Item>> {
        fixture(&format!("github-trending/{name}")).map(|b| parse(&b, &ctx(), period).unwrap())
    }

    #[test]
    fn urls() {
        assert_eq!(
            page_url(None, None, TrendingPeriod::Daily).as_str(),
            "https://github.com/trending"
        );
        assert_eq!(
            page_url(None, Some("Rust"), TrendingPeriod::Weekly).as_str(),
            "https://github.com/trending/rust?since=weekly"
        );
        assert_eq!(
            page_url(None, Some("c++"), TrendingPeriod::Monthly).as_str(),
            "https://github.com/trending/c++?since=monthly"
        );
        let base = Url::parse("http://127.0.0.1:9/trending/swift?since=daily&x=1").unwrap();
        // The daily list is asked for without `since` (robots.txt disallows `/*since=*`).
        assert_eq!(
            page_url(Some(&base), None, TrendingPeriod::Daily).as_str(),
            "http://127.0.0.1:9/trending/swift?x=1"
        );
        assert_eq!(
            page_url(Some(&base), Some("rust"), TrendingPeriod::Weekly).as_str(),
            "http://127.0.0.1:9/trending/swift?x=1&since=weekly"
        );
    }

    /// Every recorded page yields one item per `Box-row`, each complete.
    #[test]
    #[ignore = "needs ../shared/fixtures (set HORIZON_FIXTURES)"]
    fn every_fixture_parses_completely() {
        let files = fixture_files("github-trending");
        for path in &files {
            let bytes = std::fs::read(path).unwrap();
            let name = path.file_name().unwrap().to_string_lossy().to_string();
            let rows = String::from_utf8_lossy(&bytes)
                .matches(r#"class="Box-row""#)
                .count();
            let period = if name.contains("weekly") {
                TrendingPeriod::Weekly
            } else {
                TrendingPeriod::Daily
            };
            let items = parse(&bytes, &ctx(), period).unwrap();
            assert_eq!(items.len(), rows, "{name}");
            for it in &items {
                assert!(
                    it.id.starts_with("github:") && it.id == it.id.to_lowercase(),
                    "{name}: {}",
                    it.id
                );
                assert_eq!(it.kind, Kind::Repo);
                assert!(it.title.contains('/'));
                assert_eq!(it.url, format!("https://github.com/{}", it.title));
                assert!(it.stars.is_some(), "{name}: {} has no stars", it.title);
                assert!(it.forks.is_some(), "{name}: {} has no forks", it.title);
                assert!(
                    it.stars_period.is_some(),
                    "{name}: {} has no stars gained",
                    it.title
                );
                assert!(it.published.is_none());
                // Logged-in captures carry star-list menu text in `<p>`s; it is not a description.
                assert!(!it.summary.contains("{{"), "{name}: {}", it.summary);
                assert_eq!(it.period, Some(period));
                assert_eq!(it.trend_history.len(), 1);
                // Dated by the page's own request-id: the capture day in the file name.
                let captured = &name[name.len() - "2026-05-07.html".len()..name.len() - 5];
                assert_eq!(it.trend_history[0].date, captured, "{name}");
                assert_eq!(
                    it.updated
                        .map(|t| t.strftime("%Y-%m-%d").to_string())
                        .as_deref(),
                    Some(captured)
                );
                assert_eq!(it.trend_history[0].stars_period, it.stars_period);
            }
        }
        let counts: Vec<usize> = files
            .iter()
            .map(|p| {
                let b = std::fs::read(p).unwrap();
                let period = if p.to_string_lossy().contains("weekly") {
                    TrendingPeriod::Weekly
                } else {
                    TrendingPeriod::Daily
                };
                parse(&b, &ctx(), period).unwrap().len()
            })
            .collect();
        if !files.is_empty() {
            assert_eq!(counts, [25, 25, 16, 25]);
        }
    }

    #[test]
    #[ignore = "needs ../shared/fixtures (set HORIZON_FIXTURES)"]
    fn rust_weekly_2026_new_markup() {
        let Some(items) = page(
            "trending_rust_weekly_2026-05-07.html",
            TrendingPeriod::Weekly,
        ) else {
            return;
        };
        let warp = &items[0];
        assert_eq!(warp.id, "github:warpdotdev/warp");
        assert_eq!(warp.title, "warpdotdev/warp");
        assert_eq!(
            warp.summary,
            "Warp is an agentic development environment, born out of the terminal."
        );
        assert_eq!(warp.language.as_deref(), Some("Rust"));
        assert_eq!(warp.stars, Some(55_730));
        assert_eq!(warp.forks, Some(4_088));
        assert_eq!(warp.stars_period, Some(15_633));
        assert_eq!(warp.period, Some(TrendingPeriod::Weekly));
    }

    #[test]
    #[ignore = "needs ../shared/fixtures (set HORIZON_FIXTURES)"]
    fn all_languages_2023_first_rows_and_missing_fields() {
        let Some(items) = page(
            "trending_all-languages_daily_2023-04-15.html",
            TrendingPeriod::Daily,
        ) else {
            return;
        };
        let first = &items[0];
        assert_eq!(first.id, "github:openai/consistency_models");
        assert_eq!(items[1].id, "github:microsoft/deepspeed");
        assert_eq!(items[1].title, "microsoft/DeepSpeed");
        assert_eq!(items.iter().filter(|i| i.summary.is_empty()).count(), 2);
        assert_eq!(items.iter().filter(|i| i.language.is_none()).count(), 2);
        let Some(items) = page(
            "trending_all-languages_daily_2023-05-18.html",
            TrendingPeriod::Daily,
        ) else {
            return;
        };
        assert_eq!(items.iter().filter(|i| i.summary.is_empty()).count(), 1);
        assert_eq!(items.iter().filter(|i| i.language.is_none()).count(), 3);
        assert!(items
            .iter()
            .filter(|i| i.language.is_none())
            .all(|i| i.categories.is_empty()));
    }

    #[test]
    #[ignore = "needs ../shared/fixtures (set HORIZON_FIXTURES)"]
    fn singular_star_today() {
        let Some(items) = page(
            "trending_swift_daily_2024-04-21.html",
            TrendingPeriod::Daily,
        ) else {
            return;
        };
        assert_eq!(
            items.iter().filter(|i| i.stars_period == Some(1)).count(),
            4
        );
        assert_eq!(
            items.iter().filter(|i| i.stars_period == Some(0)).count(),
            2
        );
        assert_eq!(items[0].id, "github:airbnb/lottie-ios");
        assert!(items.iter().all(|i| i.language.as_deref() == Some("Swift")));
    }

    #[test]
    fn handmade_rows() {
        let html = br#"<!DOCTYPE html><html><body>
<article class="Box-row"><h2><a href="/Acme/Rocket">Acme / Rocket</a></h2>
<a href="/Acme/Rocket/stargazers">12,345</a><a href="/Acme/Rocket/network/members">1,001</a>
<span>1 star today</span></article>
<article class="Box-row"><h2>no link here</h2><p>orphan</p></article>
<article class="Box-row"><h2><a href="/acme/rocket">dup</a></h2></article>
</body></html>"#;
        let items = parse(html, &ctx(), TrendingPeriod::Daily).unwrap();
        assert_eq!(items.len(), 1);
        let it = &items[0];
        assert_eq!(
            (it.stars, it.forks, it.stars_period),
            (Some(12_345), Some(1_001), Some(1))
        );
        assert!(it.summary.is_empty() && it.language.is_none());
    }

    /// A page that lost its rows is a layout change, not an empty success.
    #[test]
    fn sighting_time_comes_from_the_request_id_else_the_crawl() {
        let now: Timestamp = "2026-05-07T23:30:00Z".parse().unwrap();
        let page = |id: &str| {
            Html::parse_document(&format!(
                r#"<html><head><meta name="request-id" content="{id}"></head></html>"#
            ))
        };
        assert_eq!(
            sighted_at(&page("4CC2:38DD:D323CC7:D5FAB5C:6465F728"), now),
            "2023-05-18T10:00:08Z".parse::<Timestamp>().unwrap()
        );
        // Not a time (too old, in the future, not hex): the crawl's time.
        assert_eq!(sighted_at(&page("A:B:C:D:00000010"), now), now);
        assert_eq!(sighted_at(&page("A:B:C:D:7FFFFFFF"), now), now);
        assert_eq!(sighted_at(&page("A:B:C:D:zzzzzzzz"), now), now);
        assert_eq!(sighted_at(&Html::parse_document("<p>x</p>"), now), now);
    }

    #[test]
    fn page_without_rows_is_layout_changed() {
        let html = b"<!DOCTYPE html><html><head><title>Trending</title></head><body><div class='Box'>Nothing</div></body></html>";
        assert_eq!(
            parse(html, &ctx(), TrendingPeriod::Daily).unwrap_err(),
            ParseError::LayoutChanged("no repositories found on the trending page".into())
        );
        assert_eq!(
            parse(b" ", &ctx(), TrendingPeriod::Daily).unwrap_err(),
            ParseError::Empty
        );
        assert!(parse(
            b"\xff\xfe<article class=\"Box-row\">",
            &ctx(),
            TrendingPeriod::Daily
        )
        .is_err());
    }
}
