//! Everyday manners: completions, man page, help examples, OPML import and
//! export through the real binary.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use crate::support::*;

#[test]
fn completions_generate_for_each_shell() {
    let tmp = tempfile::tempdir().unwrap();
    let config = tmp.path().join("none.toml");
    let index = tmp.path().join("index");
    for (shell, marker) in [
        ("bash", "_horizon()"),
        ("zsh", "#compdef horizon"),
        ("fish", "complete -c horizon"),
    ] {
        let out = run_expect(horizon(&config, &index).args(["completions", shell]), 0);
        let script = stdout(&out);
        assert!(script.contains(marker), "{shell}: {script:.200}");
        for sub in ["crawl", "search", "report", "flags", "radar", "export"] {
            assert!(script.contains(sub), "{shell} completes {sub}");
        }
    }
    let out = run_expect(horizon(&config, &index).arg("man"), 0);
    let man = stdout(&out);
    assert!(man.contains(".TH horizon 1"), "{man:.200}");
    for cmd in [
        "crawl", "search", "report", "flags", "radar", "export", "sources",
    ] {
        let out = run_expect(horizon(&config, &index).args([cmd, "--help"]), 0);
        assert!(
            stdout(&out).contains("Example"),
            "{cmd} --help has an example"
        );
    }
}

/// A real OPML shape (nested folders, `text`/`title`/`htmlUrl`, a feed that is
/// already configured) imported into a commented config, then exported again.
#[test]
fn opml_import_keeps_the_file_and_export_round_trips() {
    let tmp = tempfile::tempdir().unwrap();
    let original = "# Our team's sources. Keep this comment.\n[settings]\nconcurrency = 4  # be gentle\n\n[[topics]]\nname = \"databases\"\nkeywords = [\"database\"]\n\n[[sources]]\nname = \"aws-news-blog\"\nkind = \"feed\"\nurl = \"https://aws.amazon.com/blogs/aws/feed/\"\n";
    let config = write_config(tmp.path(), original);
    let index = tmp.path().join("index");
    let opml = r#"<?xml version="1.0" encoding="UTF-8"?>
<opml version="2.0">
  <head><title>Feeds exported from a feed reader</title><dateCreated>Mon, 23 Nov 2026 08:00:00 GMT</dateCreated></head>
  <body>
    <outline text="Engineering" title="Engineering">
      <outline type="rss" text="The Cloudflare Blog" title="The Cloudflare Blog" xmlUrl="https://blog.cloudflare.com/rss/" htmlUrl="https://blog.cloudflare.com/"/>
      <outline type="rss" text="Netflix TechBlog - Medium" xmlUrl="https://netflixtechblog.com/feed" htmlUrl="https://netflixtechblog.com"/>
    </outline>
    <outline type="rss" text="AWS News Blog" xmlUrl="https://aws.amazon.com/blogs/aws/feed/"/>
  </body>
</opml>"#;
    let opml_path = tmp.path().join("subs.opml");
    std::fs::write(&opml_path, opml).unwrap();

    let out = run_expect(
        horizon(&config, &index)
            .args(["sources", "import"])
            .arg(&opml_path)
            .arg("--dry-run"),
        0,
    );
    // Regression (issue 13): the dry-run plan went to stderr only.
    let plan = stdout(&out);
    assert!(plan.contains("would add 2 source(s)"), "{plan}");
    assert!(
        plan.contains("would add netflix-techblog  "),
        "no -medium suffix: {plan}"
    );
    assert!(
        plan.contains("OPML folder \"Engineering\""),
        "folders are not flattened silently: {plan}"
    );
    assert_eq!(
        std::fs::read_to_string(&config).unwrap(),
        original,
        "dry run changes nothing"
    );

    let out = run_expect(
        horizon(&config, &index)
            .args(["sources", "import"])
            .arg(&opml_path),
        0,
    );
    assert!(
        stderr(&out).contains("skipped AWS News Blog: already configured"),
        "{}",
        stderr(&out)
    );
    let text = std::fs::read_to_string(&config).unwrap();
    assert!(
        text.starts_with(original),
        "existing content, comments and order kept:\n{text}"
    );
    assert!(text.contains("name = \"the-cloudflare-blog\""), "{text}");
    assert!(text.contains("name = \"netflix-techblog\""), "{text}");

    let out = run_expect(horizon(&config, &index).args(["sources", "export"]), 0);
    let exported = stdout(&out);
    let urls: Vec<&str> = exported
        .lines()
        .filter_map(|l| l.split("xmlUrl=\"").nth(1))
        .filter_map(|r| r.split('"').next())
        .collect();
    assert_eq!(
        urls,
        [
            "https://aws.amazon.com/blogs/aws/feed/",
            "https://blog.cloudflare.com/rss/",
            "https://netflixtechblog.com/feed"
        ]
    );
    // Importing the export back adds nothing.
    let back = tmp.path().join("back.opml");
    std::fs::write(&back, &exported).unwrap();
    let out = run_expect(
        horizon(&config, &index)
            .args(["sources", "import"])
            .arg(&back),
        0,
    );
    assert!(
        stderr(&out).contains("added 0 source(s)"),
        "{}",
        stderr(&out)
    );
    // Not OPML: a clear error, exit 2, config untouched.
    let bad = tmp.path().join("bad.opml");
    std::fs::write(&bad, "<rss version=\"2.0\"/>").unwrap();
    let out = run_expect(
        horizon(&config, &index)
            .args(["sources", "import"])
            .arg(&bad),
        2,
    );
    assert!(
        stderr(&out).contains("not a valid OPML file"),
        "{}",
        stderr(&out)
    );
}
