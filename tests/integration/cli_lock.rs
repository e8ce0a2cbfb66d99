//! One crawl at a time per index: a second crawl started while the first
//! holds the lock exits 3 saying so, and the first finishes normally.

use std::process::Stdio;
use std::time::{Duration, Instant};

use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

use crate::support::*;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs ../shared/fixtures (set HORIZON_FIXTURES)"]
async fn second_concurrent_crawl_is_refused() {
    let fx = fixtures();
    let file = fixture_file(&fx, "blog-feeds", "huggingface-blog");
    let server = MockServer::start().await;
    // Slow enough that the first crawl still holds the lock when the second starts.
    Mock::given(method("GET"))
        .and(path("/slow.xml"))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_raw(read(&file), "application/rss+xml")
                .set_delay(Duration::from_secs(2)),
        )
        .mount(&server)
        .await;
    let tmp = tempfile::tempdir().expect("tempdir");
    let config = TestConfig::loopback()
        .feed("slow", &format!("{}/slow.xml", server.uri()))
        .write(tmp.path());
    let index = tmp.path().join("index");

    let first = horizon(&config, &index)
        .args(["crawl", "--json"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("first crawl starts");
    // The first crawl takes the lock before it fetches; wait for its request.
    let deadline = Instant::now() + Duration::from_secs(30);
    while server
        .received_requests()
        .await
        .unwrap_or_default()
        .is_empty()
    {
        assert!(Instant::now() < deadline, "the first crawl never fetched");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }

    let out = run_expect(horizon(&config, &index).arg("crawl"), 3);
    let err = stderr(&out);
    assert!(err.contains("another crawl is running"), "{err}");

    let first = first.wait_with_output().expect("first crawl finishes");
    assert_eq!(
        first.status.code(),
        Some(0),
        "first crawl: {}",
        stderr(&first)
    );
    let report = json_one(&stdout(&first));
    assert_eq!(report["documents"], 3, "{report}");
    assert_eq!(
        server.received_requests().await.unwrap_or_default().len(),
        1,
        "the refused crawl fetched nothing"
    );

    // The lock is released with the process: a later crawl runs.
    run_expect(horizon(&config, &index).arg("crawl"), 0);
}
