//! Document ids, and which sources can make which.
//!
//! The crawl upserts by id, so whoever can produce an id can replace the
//! document stored under it. Each kind of id therefore lives in a namespace
//! that only the sources entitled to it can reach (#28 item 4):
//!
//! - **Feed entries**: `feed:<source>:<entry>`, where `<entry>` hashes the
//!   entry's guid (else its link, else the feed URL and title) and
//!   `<source>` hashes the name of the `[[sources]]` entry that read it
//!   ([`source_namespace`]). A guid is whatever the feed writes: any feed
//!   can copy another's, so a guid alone must not name a document. With the
//!   source in the id, a feed that copies a guid makes a document of its
//!   own beside the original, which keeps its link. The same post carried
//!   by two feeds is two documents, grouped as one story (`stories`), which
//!   is where cross-source deduplication lives.
//! - **arXiv papers** (`arxiv:2501.01234`) and **trending repositories**
//!   (`github:owner/name`) stay global: only `kind = "arxiv"` and
//!   `kind = "github_trending"` sources make them, and their link is built
//!   from the id (`https://arxiv.org/abs/…`, `https://github.com/…`), so a
//!   forged one points where the real one does. The same paper from two
//!   listings is one document on purpose.
//! - **Cloud notes** (`aws:…`, `gcp:…`, `github:<hash>` for GitHub's
//!   changelog …) live in their vendor's namespace: only a `kind = "cloud"`
//!   source the configuration declares to be that vendor's changelog makes
//!   them, never a plain feed. Sources of one vendor share it, so a note in
//!   both the all-products feed and a product's feed is one document; a
//!   `kind = "cloud"` source pointed at a URL the vendor does not run is
//!   trusted as that vendor.
//!
//! **Why the source's name, not its feed URL.** Both can change; the name
//! is the one the user controls. Feed URLs move without the user doing
//! anything (http to https, a new host, a redirect), and keying on the URL
//! would then index every entry again under new ids; the name changes only
//! when someone edits `sources.toml`. Names are unique within a
//! configuration (two sources may share a URL), and every stored document
//! carries its source's name, so `horizon reindex` can namespace the ids of
//! an index built before this scheme from the documents alone (their guids
//! are not stored, only their hashes). A renamed source makes new ids: its
//! old documents stay under the old name until `horizon reindex --rename
//! OLD=NEW` moves them, and the crawl says so when it meets entries that a
//! source no longer configured already has ([`renamed`]).
//!
//! A document whose id changed keeps its earlier ids in `former_ids`, so an
//! old id (in a link, a report, a script) still finds it.

use crate::text::stable_hash;

/// The prefix of feed entry ids.
pub const FEED: &str = "feed";

/// Hex digits of the source part of a feed id: 48 bits, so two names of one
/// configuration share it with odds of about 10⁻⁹ at a thousand sources.
const SOURCE_HEX: usize = 12;

/// The namespace of a source's feed ids: a short hash of its name.
pub fn source_namespace(source: &str) -> String {
    let mut h = stable_hash(&["source", source]);
    h.truncate(SOURCE_HEX);
    h
}

/// The id of a feed entry of `source` whose key hashes to `entry`.
pub fn feed_id(source: &str, entry: &str) -> String {
    format!("{FEED}:{}:{entry}", source_namespace(source))
}

/// The entry part of a feed id made before ids were namespaced
/// (`feed:<entry>`, one part after the prefix); `None` for any other id.
pub fn global_feed_entry(id: &str) -> Option<&str> {
    let rest = id.strip_prefix(FEED)?.strip_prefix(':')?;
    (!rest.is_empty() && !rest.contains(':')).then_some(rest)
}

/// The source namespace and entry parts of a namespaced feed id.
pub fn feed_parts(id: &str) -> Option<(&str, &str)> {
    let rest = id.strip_prefix(FEED)?.strip_prefix(':')?;
    let (ns, entry) = rest.split_once(':')?;
    (!ns.is_empty() && !entry.is_empty()).then_some((ns, entry))
}

/// `id` placed in `source`'s namespace if it is a feed id made before ids
/// were namespaced; `None` when it needs no change (already namespaced, or
/// not a feed id).
pub fn namespaced(id: &str, source: &str) -> Option<String> {
    global_feed_entry(id).map(|entry| feed_id(source, entry))
}

/// The id a document of source `from` gets when that source is renamed
/// `to`: a feed id in `from`'s namespace moves to `to`'s; `None` for ids that
/// do not depend on the source's name (arXiv, repositories, cloud notes).
pub fn renamed(id: &str, from: &str, to: &str) -> Option<String> {
    let (ns, entry) = feed_parts(id)?;
    (ns == source_namespace(from)).then(|| feed_id(to, entry))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn feed_ids_carry_their_source() {
        let a = feed_id("blog-a", "cfba5ff1799498e5");
        let b = feed_id("blog-b", "cfba5ff1799498e5");
        assert_ne!(a, b, "the same guid from two sources is two documents");
        assert!(a.starts_with("feed:") && a.ends_with(":cfba5ff1799498e5"));
        assert_eq!(feed_parts(&a), Some((&a[5..17], "cfba5ff1799498e5")));
        assert_eq!(global_feed_entry(&a), None);
        assert_eq!(namespaced(&a, "blog-b"), None, "namespaced once");
    }

    #[test]
    fn old_ids_are_recognised_and_moved() {
        assert_eq!(
            global_feed_entry("feed:cfba5ff1799498e5"),
            Some("cfba5ff1799498e5")
        );
        assert_eq!(
            namespaced("feed:cfba5ff1799498e5", "blog"),
            Some(feed_id("blog", "cfba5ff1799498e5"))
        );
        for other in [
            "arxiv:2501.01234",
            "github:a/b",
            "aws:0011",
            "feed:",
            "feedx:1",
        ] {
            assert_eq!(namespaced(other, "blog"), None, "{other}");
        }
    }

    #[test]
    fn a_rename_moves_only_that_sources_feed_ids() {
        let id = feed_id("old", "42");
        assert_eq!(renamed(&id, "old", "new"), Some(feed_id("new", "42")));
        assert_eq!(renamed(&id, "other", "new"), None);
        assert_eq!(renamed("arxiv:2501.01234", "old", "new"), None);
    }
}
