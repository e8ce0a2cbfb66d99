//! #28 item 5: secrets in source URLs. Before the fix `/sources` and
//! `/api/sources` served full URLs with their query-string tokens, and the
//! crawl summary, `horizon sources` and the report's source health (which
//! is delivered to chat and mail) showed `user:password@`. Now every place a
//! source URL is shown masks the credentials and secret-looking parameters,
//! while the request still carries them.

use std::time::Duration;

use horizon::config::Config;
use horizon::index::HorizonIndex;

use crate::support::*;

const PASSWORD: &str = "hunter2";
const TOKEN: &str = "s3cr3t";

fn assert_clean(what: &str, text: &str) {
    assert!(
        !text.contains(PASSWORD) && !text.contains(TOKEN),
        "{what} shows a secret:\n{text}"
    );
}

fn both(out: &std::process::Output) -> String {
    format!("{}\n{}", stdout(out), stderr(out))
}

/// Regression (#28 item 5): a source URL with `user:password@` and a
/// `token=` parameter, one healthy and one failing (404), leaves no secret in
/// any output: crawl (plain, `--json`, `-v`), `horizon sources` (text and
/// JSON), `sources check` (text and JSON), the report in every format, and
/// `serve`'s `/sources` and `/api/sources`; the server still gets the
/// credentials.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn credentials_and_tokens_never_leave_the_config() {
    let server = FaultServer::start(vec![("/feed", Fault::feed(small_rss("secretive", 3)))]);
    let with_secrets = |path: &str| {
        server
            .url(&format!("{path}?token={TOKEN}&x=1"))
            .replace("http://", &format!("http://user:{PASSWORD}@"))
    };
    let dir = tempfile::tempdir().expect("tempdir");
    let cfg = TestConfig::faults()
        .set("retries", "0")
        .feed("secretive", &with_secrets("/feed"))
        .feed("broken", &with_secrets("/missing"));
    let paths = Paths::new(dir.path(), &cfg);

    for args in [&["crawl"][..], &["crawl", "--json"], &["crawl", "-v"]] {
        let out = run(&paths, args);
        assert_eq!(out.status.code(), Some(1), "{args:?}: {}", both(&out));
        assert_clean(&format!("{args:?}"), &both(&out));
    }
    // The feed was fetched with its credentials and query.
    let sent = server.requests_to("/feed");
    assert!(!sent.is_empty());
    // Base64 of `user:hunter2`.
    assert_eq!(
        sent[0].header("authorization"),
        Some("Basic dXNlcjpodW50ZXIy")
    );
    assert_eq!(by_source(&stats(&paths), "secretive"), 3);

    for args in [
        &["sources"][..],
        &["sources", "--json"],
        &["sources", "check"],
        &["sources", "check", "--json"],
    ] {
        let out = run(&paths, args);
        assert_clean(&format!("{args:?}"), &both(&out));
    }
    // The failing source and its masked URL are there to be seen.
    let listed = stdout(&run(&paths, &["sources", "--json"]));
    assert!(listed.contains("token=***&x=1"), "{listed}");
    let checked = stdout(&run(&paths, &["sources", "check"]));
    assert!(checked.contains("http://***:***@127.0.0.1:"), "{checked}");

    let period = ["--since", "2016-01-01", "--until", "2027-01-01"];
    for format in ["markdown", "html", "json", "digest"] {
        let args = [&["report", "--format", format][..], &period[..]].concat();
        let out = run(&paths, &args);
        assert_eq!(out.status.code(), Some(0), "{format}: {}", both(&out));
        let text = both(&out);
        if format != "digest" {
            assert!(
                text.contains("broken"),
                "{format}: the health section names the source:\n{text}"
            );
        }
        assert_clean(&format!("report --format {format}"), &text);
    }

    // serve: the HTML page and the API.
    let config = Config::load(&paths.config).expect("config");
    let idx = HorizonIndex::open(&paths.index).expect("index");
    let served = horizon::serve::bind(
        "127.0.0.1:0".parse().expect("address"),
        None,
        idx,
        config,
        horizon::serve::Limits::default(),
    )
    .await
    .expect("serve binds");
    let addr = served.local_addr().expect("address");
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    tokio::spawn(served.run(async {
        let _ = stopped.await;
    }));
    let client = reqwest::Client::builder()
        .timeout(Duration::from_secs(10))
        .build()
        .expect("client");
    for path in ["/sources", "/api/sources"] {
        let res = client
            .get(format!("http://{addr}{path}"))
            .send()
            .await
            .expect("served");
        assert_eq!(res.status(), 200, "{path}");
        let body = res.text().await.expect("body");
        assert!(body.contains("secretive"), "{path}: {body}");
        assert_clean(path, &body);
    }
    let _ = stop.send(());
}
