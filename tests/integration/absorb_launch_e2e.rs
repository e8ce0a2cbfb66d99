//! A new offering announced in each vendor's feed format shows up after the
//! next crawl as a `flags` event with its link, and in the landscape.
//!
//! The three feeds are generated here in the shapes of the recorded real ones
//! (AWS What's New RSS with `general:products/…` categories and a hex guid;
//! Azure updates RSS with a numeric guid, status and product categories and
//! `a10:updated`; Google Cloud release notes Atom with one entry per day and
//! `<h2 class="release-note-product-title">` / `<h3>` note headings), served on
//! 127.0.0.1 and crawled by the real binary.

#![allow(clippy::unwrap_used)]

use crate::support::*;
use wiremock::MockServer;

fn aws_feed() -> Vec<u8> {
    let item = |guid: &str, slug: &str, title: &str, product: &str, date: &str| {
        format!(
            "<item><link>https://aws.amazon.com/about-aws/whats-new/2026/11/{slug}/</link><guid>{guid}</guid><title>{title}</title><description>&lt;p&gt;{title}. Learn more in the documentation.&lt;/p&gt;</description><pubDate>{date}</pubDate><category>general:products/{product},marketing:marchitecture/analytics</category><author>aws@amazon.com</author></item>"
        )
    };
    format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"no\"?><rss version=\"2.0\"><channel><link>https://aws.amazon.com/new.rss</link><title>What's New</title><description>AWS</description>{}{}</channel></rss>",
        item("5f2c1e0b7a9d4c3e8b6a1f0e9d8c7b6a5f4e3d2c", "introducing-amazon-managed-service-apache-pulsar", "Introducing Amazon Managed Service for Apache Pulsar", "amazon-managed-service-for-apache-pulsar", "Tue, 24 Nov 2026 18:00:00 +0000"),
        item("0a1b2c3d4e5f60718293a4b5c6d7e8f901234567", "amazon-msk-kafka-4-1", "Amazon MSK now supports Apache Kafka version 4.1", "amazon-msk", "Tue, 24 Nov 2026 17:00:00 +0000"),
    )
    .into_bytes()
}

fn azure_feed() -> Vec<u8> {
    "<?xml version=\"1.0\" encoding=\"utf-8\"?><rss xmlns:a10=\"http://www.w3.org/2005/Atom\" version=\"2.0\"><channel><title>Azure service updates</title>\
<item><guid isPermaLink=\"false\">581234</guid><link>https://azure.microsoft.com/updates?id=581234</link><category>Launched</category><category>Internet of things</category><category>Azure Managed Instance for Apache Pulsar</category><title>[Launched] Generally Available: Azure Managed Instance for Apache Pulsar</title><description>Run Apache Pulsar clusters on Azure without operating brokers.</description><pubDate>Wed, 25 Nov 2026 09:00:00 Z</pubDate><a10:updated>2026-11-25T09:00:00Z</a10:updated></item>\
</channel></rss>".as_bytes().to_vec()
}

fn gcp_feed() -> Vec<u8> {
    "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<feed xmlns=\"http://www.w3.org/2005/Atom\">\n  <id>tag:google.com,2016:gcp-release-notes</id>\n  <title>Google Cloud Platform (GCP) - Release notes</title>\n  <updated>2026-11-26T00:00:00-08:00</updated>\n\
  <entry>\n    <title>November 26, 2026</title>\n    <id>tag:google.com,2016:gcp-release-notes#November_26_2026</id>\n    <updated>2026-11-26T00:00:00-08:00</updated>\n    <link rel=\"alternate\" href=\"https://docs.cloud.google.com/release-notes#November_26_2026\"/>\n\
    <content type=\"html\"><![CDATA[<h2 class=\"release-note-product-title\">Managed Service for Apache Pulsar</h2>\n<h3>Feature</h3>\n<p>Managed Service for Apache Pulsar is available in <a href=\"https://cloud.google.com/products/#product-launch-stages\">Preview</a>.</p>\n<h2 class=\"release-note-product-title\">Compute Engine</h2>\n<h3>Feature</h3>\n<p>The C5 machine series is now generally available (GA).</p>]]></content>\n  </entry>\n</feed>\n".as_bytes().to_vec()
}

#[tokio::test]
async fn a_new_offering_in_each_vendors_format_is_an_event_with_its_link() {
    let server = MockServer::start().await;
    serve(&server, "/aws.rss", aws_feed(), "application/rss+xml").await;
    serve(&server, "/azure.rss", azure_feed(), "application/rss+xml").await;
    serve(&server, "/gcp.xml", gcp_feed(), "application/atom+xml").await;
    let dir = tempfile::tempdir().unwrap();
    let base = server.uri();
    let config = TestConfig::loopback()
        .toml(&format!(
            "
[[topics]]
name = \"stream-processing\"
keywords = [\"message queue\"]
systems = [\"Pulsar\", \"Kafka\"]

[[sources]]
name = \"aws\"
kind = \"cloud\"
vendor = \"aws\"
url = \"{base}/aws.rss\"

[[sources]]
name = \"azure\"
kind = \"cloud\"
vendor = \"azure\"
url = \"{base}/azure.rss\"

[[sources]]
name = \"gcp\"
kind = \"cloud\"
vendor = \"gcp\"
url = \"{base}/gcp.xml\"
"
        ))
        .write(dir.path());
    let index = dir.path().join("index");
    run_expect(horizon(&config, &index).args(["crawl", "--quiet"]), 0);
    let out = run_expect(
        horizon(&config, &index).args(["flags", "--as-of", "2026-11-27", "--json"]),
        0,
    );
    let flags: serde_json::Value = serde_json::from_str(&stdout(&out)).unwrap();
    let row = |system: &str| {
        flags["flags"]
            .as_array()
            .unwrap()
            .iter()
            .find(|f| f["system"] == system)
            .unwrap()
            .clone()
    };
    let pulsar = row("Pulsar");
    assert_eq!(pulsar["level"], "absorbed", "GA on AWS and Azure: {pulsar}");
    let events = pulsar["events"].as_array().unwrap();
    let by_vendor = |v: &str| {
        events
            .iter()
            .find(|e| e["vendor"] == v)
            .unwrap_or_else(|| panic!("no {v} event: {pulsar}"))
    };
    assert_eq!(by_vendor("aws")["kind"], "launch");
    assert_eq!(
        by_vendor("aws")["url"],
        "https://aws.amazon.com/about-aws/whats-new/2026/11/introducing-amazon-managed-service-apache-pulsar/"
    );
    assert_eq!(by_vendor("azure")["stage"], "ga");
    assert_eq!(
        by_vendor("azure")["url"],
        "https://azure.microsoft.com/updates?id=581234"
    );
    assert_eq!(by_vendor("gcp")["stage"], "preview");
    assert!(pulsar["offerings"]
        .as_array()
        .unwrap()
        .iter()
        .all(|o| o["source"] == "crawl"));
    // A feature note is momentum, not an event; a machine series concerns no system.
    let kafka = row("Kafka");
    assert!(kafka["events"].as_array().unwrap().is_empty(), "{kafka}");
    assert_eq!(kafka["momentum"]["aws"]["now"], 1, "{kafka}");
    // The text view lists what moved, with the links.
    let text = stdout(&run_expect(
        horizon(&config, &index).args(["flags", "--as-of", "2026-11-27"]),
        0,
    ));
    assert!(text.contains("What moved:"), "{text}");
    assert!(
        text.contains("https://azure.microsoft.com/updates?id=581234"),
        "{text}"
    );
    // Searchable by relation and offering.
    let hits = json_lines(&stdout(&run_expect(
        horizon(&config, &index).args(["search", "relation:launch", "--json"]),
        0,
    )));
    assert_eq!(hits.len(), 3, "{hits:?}");
}
