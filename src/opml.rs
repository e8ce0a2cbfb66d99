//! OPML: bring a feed reader's subscription list into `sources.toml`, and
//! take horizon's sources out as OPML.
//!
//! Import edits `sources.toml` with `toml_edit`, so comments, ordering and
//! formatting of everything already there are kept; new sources are appended
//! as `[[sources]]` tables. Feeds whose URL is already configured are skipped.
//! Import reads the OPML with roxmltree; export writes it with quick-xml's
//! `Writer`, which does the escaping.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use quick_xml::events::{BytesDecl, BytesEnd, BytesStart, BytesText, Event};
use quick_xml::Writer;
use toml_edit::{value, ArrayOfTables, DocumentMut, Item as TomlItem, Table};

use crate::config::Config;
use crate::sources::request_urls;

/// One feed from an OPML file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OpmlFeed {
    /// `title` or `text` of the outline.
    pub title: String,
    /// `xmlUrl`.
    pub xml_url: String,
    /// `htmlUrl`, if any.
    pub html_url: Option<String>,
    /// The folder outline(s) it sat in, `Outer / Inner`; horizon has no
    /// folders, so the import notes it in a comment above the source.
    pub folder: Option<String>,
}

/// Why OPML could not be read or the config not updated.
#[derive(Debug, thiserror::Error)]
pub enum OpmlError {
    /// File system error.
    #[error("{path}")]
    Io {
        /// The file.
        path: PathBuf,
        /// The cause.
        #[source]
        source: std::io::Error,
    },
    /// Not XML, or not OPML.
    #[error("{path}: not a valid OPML file: {message}")]
    Invalid {
        /// The file.
        path: PathBuf,
        /// What is wrong.
        message: String,
    },
    /// The config file could not be edited.
    #[error("{path}: cannot add sources: {message}")]
    Config {
        /// The config file.
        path: PathBuf,
        /// What is wrong.
        message: String,
    },
}

/// Every outline with an `xmlUrl`, at any depth (folders are flattened, and
/// each feed keeps the folder path it came from).
pub fn parse(path: &Path, text: &str) -> Result<Vec<OpmlFeed>, OpmlError> {
    let doc = roxmltree::Document::parse(text).map_err(|e| OpmlError::Invalid {
        path: path.to_path_buf(),
        message: e.to_string(),
    })?;
    if !doc.root_element().has_tag_name("opml") {
        return Err(OpmlError::Invalid {
            path: path.to_path_buf(),
            message: format!(
                "the root element is <{}>, not <opml>",
                doc.root_element().tag_name().name()
            ),
        });
    }
    let mut out = Vec::new();
    for node in doc.descendants().filter(|n| n.has_tag_name("outline")) {
        let Some(url) = node
            .attribute("xmlUrl")
            .map(str::trim)
            .filter(|u| !u.is_empty())
        else {
            continue;
        };
        let title = node
            .attribute("title")
            .or_else(|| node.attribute("text"))
            .map(crate::text::clean_line)
            .filter(|t| !t.is_empty())
            .unwrap_or_else(|| url.to_string());
        let mut folders: Vec<&str> = node
            .ancestors()
            .skip(1)
            .filter(|a| a.has_tag_name("outline") && a.attribute("xmlUrl").is_none())
            .filter_map(|a| a.attribute("title").or_else(|| a.attribute("text")))
            .collect();
        folders.reverse();
        out.push(OpmlFeed {
            title,
            xml_url: url.to_string(),
            html_url: node.attribute("htmlUrl").map(str::to_string),
            folder: (!folders.is_empty()).then(|| folders.join(" / ")),
        });
    }
    Ok(out)
}

/// Hosting platforms' title suffixes, dropped from source names.
const PLATFORM_SUFFIXES: &[&str] = &[
    "medium",
    "substack",
    "blogger",
    "wordpress",
    "wordpress.com",
];

/// A source name from a feed title: lower-case words joined by dashes,
/// without a hosting platform's suffix ("Netflix TechBlog - Medium" →
/// `netflix-techblog`).
pub fn slug(title: &str) -> String {
    let mut title = title.trim();
    for sep in [" - ", " – ", " — ", " | ", " on "] {
        if let Some((head, tail)) = title.rsplit_once(sep) {
            if PLATFORM_SUFFIXES.contains(&tail.trim().to_lowercase().as_str())
                && !head.trim().is_empty()
            {
                title = head.trim();
                break;
            }
        }
    }
    let mut s = String::new();
    for c in title.chars() {
        if c.is_alphanumeric() {
            s.extend(c.to_lowercase());
        } else if !s.ends_with('-') && !s.is_empty() {
            s.push('-');
        }
    }
    let s = s.trim_end_matches('-').to_string();
    let s: String = s.chars().take(48).collect();
    if s.is_empty() {
        "feed".into()
    } else {
        s.trim_end_matches('-').to_string()
    }
}

/// What an import did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ImportSummary {
    /// `(name, url)` of each source added.
    pub added: Vec<(String, String)>,
    /// `(title, reason)` of each feed skipped.
    pub skipped: Vec<(String, String)>,
    /// OPML folders whose feeds were added without their folder (noted in a comment).
    pub folders: Vec<String>,
}

/// Append the feeds to the config text as `[[sources]]` of `kind`, keeping
/// everything else as it was. Returns the new text and what was done.
pub fn import(
    config_path: &Path,
    config_text: &str,
    feeds: &[OpmlFeed],
    kind: &str,
) -> Result<(String, ImportSummary), OpmlError> {
    let bad = |message: String| OpmlError::Config {
        path: config_path.to_path_buf(),
        message,
    };
    let mut doc: DocumentMut = config_text
        .parse()
        .map_err(|e: toml_edit::TomlError| bad(e.to_string()))?;
    let (mut names, urls) = configured(&doc);
    let mut summary = ImportSummary::default();
    let mut new_tables = Vec::new();
    let mut in_opml = BTreeSet::new();
    for f in feeds {
        match url::Url::parse(&f.xml_url) {
            Ok(u) if matches!(u.scheme(), "http" | "https") => {}
            _ => {
                summary.skipped.push((
                    f.title.clone(),
                    format!("{:?} is not an http(s) URL", f.xml_url),
                ));
                continue;
            }
        }
        let key = normalize_url(&f.xml_url);
        if urls.contains(&key) {
            summary
                .skipped
                .push((f.title.clone(), "already configured".into()));
            continue;
        }
        if !in_opml.insert(key) {
            summary
                .skipped
                .push((f.title.clone(), "listed twice in the OPML file".into()));
            continue;
        }
        let name = unique_name(&f.title, &mut names);
        let mut t = Table::new();
        t.insert("name", value(name.clone()));
        t.insert("kind", value(kind));
        t.insert("url", value(f.xml_url.clone()));
        if let Some(folder) = &f.folder {
            t.decor_mut()
                .set_prefix(format!("\n# from the OPML folder {folder:?}\n"));
            if !summary.folders.contains(folder) {
                summary.folders.push(folder.clone());
            }
        }
        new_tables.push(t);
        summary.added.push((name, f.xml_url.clone()));
    }
    if new_tables.is_empty() {
        return Ok((config_text.to_string(), summary));
    }
    if doc.get("sources").is_none() {
        doc.insert("sources", TomlItem::ArrayOfTables(ArrayOfTables::new()));
    }
    // What followed the last table (e.g. a commented-out key) stays where it
    // was: before the imported sources, not under the last of them.
    let trailing = doc.trailing().as_str().unwrap_or("").to_string();
    if !trailing.trim().is_empty() {
        doc.set_trailing("");
        if let Some(first) = new_tables.first_mut() {
            let prefix = first
                .decor()
                .prefix()
                .and_then(|p| p.as_str())
                .unwrap_or("\n")
                .to_string();
            first.decor_mut().set_prefix(format!("{trailing}{prefix}"));
        }
    }
    let arr = doc
        .get_mut("sources")
        .and_then(TomlItem::as_array_of_tables_mut)
        .ok_or_else(|| bad("`sources` is not an array of tables ([[sources]])".into()))?;
    for t in new_tables {
        arr.push(t);
    }
    Ok((doc.to_string(), summary))
}

/// The names and (normalized) URLs of the sources already in the config.
fn configured(doc: &DocumentMut) -> (BTreeSet<String>, BTreeSet<String>) {
    let mut names = BTreeSet::new();
    let mut urls = BTreeSet::new();
    if let Some(arr) = doc.get("sources").and_then(TomlItem::as_array_of_tables) {
        for t in arr.iter() {
            if let Some(n) = t.get("name").and_then(|v| v.as_str()) {
                names.insert(n.to_string());
            }
            if let Some(u) = t.get("url").and_then(|v| v.as_str()) {
                urls.insert(normalize_url(u));
            }
        }
    }
    (names, urls)
}

/// A source name from a feed title, not yet in `names` (`-2`, `-3`… added).
fn unique_name(title: &str, names: &mut BTreeSet<String>) -> String {
    let base = slug(title);
    let mut name = base.clone();
    let mut n = 2;
    while names.contains(&name) {
        name = format!("{base}-{n}");
        n += 1;
    }
    names.insert(name.clone());
    name
}

fn normalize_url(u: &str) -> String {
    u.trim().trim_end_matches('/').to_ascii_lowercase()
}

/// Every configured source with a URL, as OPML 2.0, indented by two spaces
/// with one outline per URL. Written with quick-xml's `Writer`, which
/// escapes the attribute values.
pub fn export(cfg: &Config) -> String {
    let mut writer = Writer::new_with_indent(Vec::new(), b' ', 2);
    write_opml(&mut writer, cfg).expect("writing to a Vec<u8> cannot fail");
    let mut out = writer.into_inner();
    out.push(b'\n');
    // Every byte written came from a `&str`, so this never replaces anything.
    String::from_utf8_lossy(&out).into_owned()
}

fn write_opml(w: &mut Writer<Vec<u8>>, cfg: &Config) -> std::io::Result<()> {
    w.write_event(Event::Decl(BytesDecl::new("1.0", Some("UTF-8"), None)))?;
    w.write_event(Event::Start(
        BytesStart::new("opml").with_attributes([("version", "2.0")]),
    ))?;
    w.write_event(Event::Start(BytesStart::new("head")))?;
    w.create_element("title")
        .write_text_content(BytesText::new("horizon sources"))?;
    w.write_event(Event::End(BytesEnd::new("head")))?;
    w.write_event(Event::Start(BytesStart::new("body")))?;
    for s in &cfg.sources {
        let urls = request_urls(s);
        for (i, u) in urls.iter().enumerate() {
            let title = if urls.len() > 1 {
                format!("{} ({})", s.name, i + 1)
            } else {
                s.name.clone()
            };
            // A trending page is a web page, not a feed: feed readers get a
            // `link` outline (OPML 2.0), which they show without polling it.
            let (kind, attr) = if s.kind() == crate::config::SourceKind::GithubTrending {
                ("link", "url")
            } else {
                ("rss", "xmlUrl")
            };
            w.create_element("outline")
                .with_attributes([
                    ("type", kind),
                    ("text", &title),
                    ("title", &title),
                    (attr, u.as_str()),
                    ("category", s.kind().as_str()),
                ])
                .write_empty()?;
        }
    }
    w.write_event(Event::End(BytesEnd::new("body")))?;
    w.write_event(Event::End(BytesEnd::new("opml")))
}

#[cfg(test)]
mod tests {
    use super::*;

    const OPML: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<opml version="1.0">
  <head><title>Subscriptions</title></head>
  <body>
    <outline text="Engineering" title="Engineering">
      <outline type="rss" text="Netflix TechBlog - Medium" title="Netflix TechBlog - Medium" xmlUrl="https://netflixtechblog.com/feed" htmlUrl="https://netflixtechblog.com"/>
      <outline type="rss" text="The Cloudflare Blog" xmlUrl="https://blog.cloudflare.com/rss/"/>
    </outline>
    <outline type="rss" text="Duplicate" xmlUrl="https://example.org/feed.xml"/>
    <outline type="rss" text="Bad" xmlUrl="javascript:alert(1)"/>
  </body>
</opml>"#;

    #[test]
    fn parses_nested_outlines() {
        let feeds = parse(Path::new("x.opml"), OPML).unwrap();
        assert_eq!(feeds.len(), 4);
        assert_eq!(feeds[0].title, "Netflix TechBlog - Medium");
        assert_eq!(feeds[1].title, "The Cloudflare Blog");
        assert!(parse(Path::new("x"), "<rss/>")
            .unwrap_err()
            .to_string()
            .contains("not <opml>"));
    }

    #[test]
    fn import_keeps_comments_and_skips_known_urls() {
        let config = "# my comment\n[settings]\nconcurrency = 4 # inline\n\n[[sources]]\nname = \"mine\"\nkind = \"feed\"\nurl = \"https://example.org/feed.xml/\"\n";
        let feeds = parse(Path::new("x.opml"), OPML).unwrap();
        let (text, summary) = import(Path::new("sources.toml"), config, &feeds, "feed").unwrap();
        assert!(text.starts_with(config), "{text}");
        assert_eq!(
            summary
                .added
                .iter()
                .map(|(n, _)| n.as_str())
                .collect::<Vec<_>>(),
            ["netflix-techblog", "the-cloudflare-blog"]
        );
        assert_eq!(summary.skipped.len(), 2);
        let cfg = Config::parse(Path::new("sources.toml"), &text).unwrap();
        assert_eq!(cfg.sources.len(), 3);
        // Round trip: export, import into an empty config → the same URLs.
        let exported = export(&cfg);
        let again = parse(Path::new("e.opml"), &exported).unwrap();
        let urls: Vec<_> = again.iter().map(|f| f.xml_url.as_str()).collect();
        assert_eq!(
            urls,
            [
                "https://example.org/feed.xml/",
                "https://netflixtechblog.com/feed",
                "https://blog.cloudflare.com/rss/"
            ]
        );
        let (_, s2) = import(Path::new("sources.toml"), &text, &again, "feed").unwrap();
        assert!(s2.added.is_empty(), "{s2:?}");
    }

    // Regressions (issue 13): OPML import and export manners.
    #[test]
    fn opml_duplicates_folders_trailing_comments_and_trending() {
        let opml = r#"<opml version="2.0"><body>
  <outline text="Infra"><outline text="DBs">
    <outline type="rss" text="A" xmlUrl="https://a.example/feed"/></outline></outline>
  <outline type="rss" text="A again" xmlUrl="https://a.example/feed/"/>
</body></opml>"#;
        let feeds = parse(Path::new("x.opml"), opml).unwrap();
        assert_eq!(feeds[0].folder.as_deref(), Some("Infra / DBs"));
        let config = "[[sources]]\nname = \"gcp\"\nkind = \"cloud\"\nvendor = \"gcp\"\n# url = \"https://example.org/gcp.xml\"\n";
        let (text, summary) = import(Path::new("s.toml"), config, &feeds, "feed").unwrap();
        assert_eq!(
            summary.skipped,
            [(
                "A again".to_string(),
                "listed twice in the OPML file".to_string()
            )]
        );
        assert_eq!(summary.folders, ["Infra / DBs"]);
        let comment = text.find("# url =").unwrap();
        let imported = text.rfind("[[sources]]").unwrap();
        assert!(
            comment < imported,
            "the trailing comment stays with its source:\n{text}"
        );
        assert!(
            text.contains("# from the OPML folder \"Infra / DBs\""),
            "{text}"
        );
        let cfg = Config::parse(
            Path::new("s.toml"),
            "[[sources]]\nname = \"t\"\nkind = \"github_trending\"\n",
        )
        .unwrap();
        let out = export(&cfg);
        assert!(
            out.contains(r#"type="link""#) && !out.contains("xmlUrl"),
            "{out}"
        );
    }

    /// The export's exact bytes: layout, escaping, one outline per URL, trending as `link`.
    #[test]
    fn export_bytes() {
        let cfg = Config::parse(
            Path::new("s.toml"),
            r#"[[sources]]
name = "R&D <\"blog\">"
kind = "feed"
url = "https://example.org/feed?a=1&b=2"

[[sources]]
name = "papers"
kind = "arxiv"
mode = "listing"
categories = ["cs.DC", "cs.LG"]

[[sources]]
name = "api"
kind = "arxiv"
categories = ["cs.DB"]

[[sources]]
name = "rust-trending"
kind = "github_trending"
language = "rust"

[[sources]]
name = "gcp"
kind = "cloud"
vendor = "gcp"
url = "https://example.org/gcp.xml"
"#,
        )
        .unwrap();
        assert_eq!(
            export(&cfg),
            r#"<?xml version="1.0" encoding="UTF-8"?>
<opml version="2.0">
  <head>
    <title>horizon sources</title>
  </head>
  <body>
    <outline type="rss" text="R&amp;D &lt;&quot;blog&quot;&gt;" title="R&amp;D &lt;&quot;blog&quot;&gt;" xmlUrl="https://example.org/feed?a=1&amp;b=2" category="feed"/>
    <outline type="rss" text="papers (1)" title="papers (1)" xmlUrl="https://rss.arxiv.org/rss/cs.DC" category="arxiv"/>
    <outline type="rss" text="papers (2)" title="papers (2)" xmlUrl="https://rss.arxiv.org/rss/cs.LG" category="arxiv"/>
    <outline type="link" text="rust-trending" title="rust-trending" url="https://github.com/trending/rust" category="github_trending"/>
    <outline type="rss" text="gcp" title="gcp" xmlUrl="https://example.org/gcp.xml" category="cloud"/>
  </body>
</opml>
"#
        );
        let empty = Config::parse(Path::new("s.toml"), "").unwrap();
        assert_eq!(
            export(&empty),
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<opml version=\"2.0\">\n  <head>\n    <title>horizon sources</title>\n  </head>\n  <body>\n  </body>\n</opml>\n"
        );
    }

    /// Whatever a name or URL holds comes back unchanged through `parse`
    /// (quick-xml writes `'` as `&apos;`, which the old `format!` left as is).
    #[test]
    fn export_escapes_round_trip() {
        let cfg = Config::parse(
            Path::new("s.toml"),
            "[[sources]]\nname = \"O'Reilly & <Co> \\\"radar\\\"\"\nkind = \"feed\"\nurl = \"https://example.org/o'reilly/feed?x=<1>&y=\\\"2\\\"\"\n",
        )
        .unwrap();
        let out = export(&cfg);
        assert!(
            out.contains(r#"title="O&apos;Reilly &amp; &lt;Co&gt; &quot;radar&quot;""#),
            "{out}"
        );
        let feeds = parse(Path::new("e.opml"), &out).unwrap();
        assert_eq!(feeds.len(), 1);
        assert_eq!(feeds[0].title, cfg.sources[0].name);
        assert_eq!(feeds[0].xml_url, request_urls(&cfg.sources[0])[0].as_str());
    }

    #[test]
    fn slugs() {
        assert_eq!(slug("Netflix TechBlog - Medium"), "netflix-techblog");
        assert_eq!(slug("Medium"), "medium");
        assert_eq!(slug("The Cloudflare Blog!"), "the-cloudflare-blog");
        assert_eq!(slug("  "), "feed");
        assert_eq!(slug("Ünïcode Feed"), "ünïcode-feed");
    }
}
