//! Feed bodies for the servers to serve: feeds generated from the shape of
//! the recorded AWS News Blog feed (any number of items, chosen ids, titles
//! and dates), ISO-8859-1 text, and a gzip bomb.

/// The recorded AWS News Blog feed the crawler tests use as their healthy source.
pub const HEALTHY_FIXTURE: &str = "blog-feeds/aws-blog_wordpress-rss2_2026-09-24.xml";
/// Items in [`HEALTHY_FIXTURE`].
pub const HEALTHY_ITEMS: usize = 7;

/// One generated item.
#[derive(Debug, Clone)]
pub struct GenItem {
    /// `<guid isPermaLink="false">`.
    pub guid: String,
    /// `<title>`.
    pub title: String,
    /// `<pubDate>`, written as is (so it may be invalid on purpose).
    pub pub_date: String,
}

impl GenItem {
    /// An item with a valid date.
    pub fn new(guid: impl Into<String>, title: impl Into<String>) -> Self {
        GenItem {
            guid: guid.into(),
            title: title.into(),
            pub_date: "Thu, 24 Sep 2026 20:58:46 +0000".into(),
        }
    }
}

/// A feed with the channel head of the recorded AWS blog feed (everything
/// before its first `<item>`) and `items` written the way WordPress writes
/// them. `\n` stays `\n`; the XML declaration says UTF-8.
pub fn feed_like(recorded: &[u8], items: &[GenItem]) -> String {
    let text = String::from_utf8_lossy(recorded);
    let head_end = text
        .find("<item>")
        .expect("the recorded feed has an <item>");
    let mut out = String::with_capacity(head_end + items.len() * 600);
    out.push_str(&text[..head_end]);
    for it in items {
        let slug: String = it
            .title
            .chars()
            .map(|c| {
                if c.is_ascii_alphanumeric() {
                    c.to_ascii_lowercase()
                } else {
                    '-'
                }
            })
            .collect();
        out.push_str(&format!(
            "<item>\n\t\t<title>{title}</title>\n\t\t<link>https://aws.amazon.com/blogs/aws/{slug}-{guid}/</link>\n\t\t<dc:creator><![CDATA[Horizon Tests]]></dc:creator>\n\t\t<pubDate>{date}</pubDate>\n\t\t<category><![CDATA[Launch]]></category>\n\t\t<guid isPermaLink=\"false\">{guid}</guid>\n\t\t<description>{title}: generated from the shape of the AWS News Blog feed.</description>\n\t</item>\n\t",
            title = xml_escape(&it.title),
            guid = xml_escape(&it.guid),
            date = xml_escape(&it.pub_date),
        ));
    }
    out.push_str("</channel>\n</rss>\n");
    out
}

/// A small RSS 2.0 feed of `n` items whose guids, titles and links start
/// with `prefix` (for tests that need no recorded payload).
pub fn small_rss(prefix: &str, n: usize) -> String {
    let items: String = (0..n)
        .map(|i| {
            format!(
                "<item><title>{prefix} launch {i}</title><link>https://example.com/{prefix}/{i}</link>\
<guid isPermaLink=\"false\">{prefix}-{i}</guid><pubDate>Thu, 24 Sep 2026 20:58:46 +0000</pubDate>\
<description>{prefix} item {i}</description></item>"
            )
        })
        .collect();
    format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?><rss version=\"2.0\"><channel><title>{prefix}</title>\
<link>https://example.com/</link><description>t</description>{items}</channel></rss>"
    )
}

/// `n` distinct items named `item-<i>`.
pub fn numbered_items(prefix: &str, n: usize) -> Vec<GenItem> {
    (0..n)
        .map(|i| {
            GenItem::new(
                format!("{prefix}{i:05}"),
                format!("Generated launch {prefix} number {i}"),
            )
        })
        .collect()
}

fn xml_escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

/// Text re-encoded as ISO-8859-1 (every char must be below U+0100).
pub fn latin1(text: &str) -> Vec<u8> {
    text.chars()
        .map(|c| u8::try_from(u32::from(c)).expect("ISO-8859-1 has this character"))
        .collect()
}

/// A gzip stream of `len` bytes of `A` (DEFLATE packs 258 bytes into a few
/// bits, so 64 MiB compress to about 64 KiB).
pub fn gzip_bomb(len: usize) -> Vec<u8> {
    use std::io::Write as _;
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    let chunk = vec![b'A'; 64 * 1024];
    let mut left = len;
    while left > 0 {
        let n = left.min(chunk.len());
        gz.write_all(&chunk[..n]).expect("gzip into memory");
        left -= n;
    }
    gz.finish().expect("gzip into memory")
}
