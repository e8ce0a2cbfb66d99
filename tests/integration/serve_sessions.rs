//! `horizon serve`'s sign-in sessions and its defences against slow and
//! guessing clients (#28 items 7 and 8), over loopback against a real
//! server: a cookie replayed after sign-out or past its expiry is refused;
//! over https the cookie is `Secure` and `__Host-`; parallel wrong tokens
//! get 429 after the budget while the right ones still work; slow sockets
//! from one address hit the per-address cap while another address is
//! answered; a slow sign-in post is cut off. Addresses are told apart with
//! 127.0.0.2 and 127.0.0.3, which are loopback on Linux.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::path::PathBuf;
use std::time::Duration;

use horizon::config::Config;
use horizon::index::HorizonIndex;
use horizon::serve::session::SessionLimits;
use horizon::serve::{Limits, Options, Site};
use reqwest::header::{LOCATION, RETRY_AFTER, SET_COOKIE};
use reqwest::StatusCode;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

use crate::support::*;

const TOKEN: &str = "session-test-token-0123456789";

const CONFIG: &str = r#"[[sources]]
name = "blog"
kind = "feed"
url = "https://blog.example/feed"
"#;

struct Fixture {
    _tmp: tempfile::TempDir,
    config: PathBuf,
    index: PathBuf,
}

fn fixture() -> Fixture {
    let tmp = tempfile::tempdir().unwrap();
    let config = write_config(tmp.path(), CONFIG);
    let cfg = Config::load(&config).unwrap();
    let (itmp, idx) = index_of(&cfg, &[]);
    drop(idx);
    let index = tmp.path().join("index");
    std::fs::rename(itmp.path(), &index).unwrap();
    drop(itmp);
    Fixture {
        _tmp: tmp,
        config,
        index,
    }
}

async fn start(fx: &Fixture, limits: Limits, site: Site) -> Running {
    let cfg = Config::load(&fx.config).unwrap();
    let idx = HorizonIndex::open(&fx.index).unwrap();
    let server = horizon::serve::bind_with(
        "127.0.0.1:0".parse().unwrap(),
        Some(TOKEN),
        idx,
        cfg,
        limits,
        Options { marks: false, site },
    )
    .await
    .unwrap();
    let addr = server.local_addr().unwrap();
    let (tx, rx) = tokio::sync::oneshot::channel::<()>();
    tokio::spawn(server.run(async {
        let _ = rx.await;
    }));
    Running {
        addr,
        stop: Some(tx),
    }
}

/// A client whose connections come from `127.0.0.<last>`.
fn client_from(last: u8) -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .local_address(IpAddr::V4(Ipv4Addr::new(127, 0, 0, last)))
        .timeout(Duration::from_secs(20))
        .build()
        .unwrap()
}

/// Sign in from `127.0.0.<from>`: the whole `Set-Cookie` value.
async fn sign_in(s: &Running, from: u8, headers: &[(&str, &str)]) -> String {
    let mut req = client_from(from)
        .post(s.url("/login"))
        .form(&[("token", TOKEN), ("next", "/sources")]);
    for (k, v) in headers {
        req = req.header(*k, *v);
    }
    let res = req.send().await.unwrap();
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    res.headers()
        .get(SET_COOKIE)
        .unwrap()
        .to_str()
        .unwrap()
        .to_string()
}

/// The status of `/sources` with `cookie` (its `name=value` part).
async fn with_cookie(s: &Running, cookie: &str) -> StatusCode {
    let pair = cookie.split(';').next().unwrap();
    client_from(1)
        .get(s.url("/sources"))
        .header("cookie", pair)
        .send()
        .await
        .unwrap()
        .status()
}

// Guards #28 item 8: the cookie is a session the server ends at sign-out,
// not a digest of the token that stays valid for ever.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_cookie_replayed_after_sign_out_is_refused() {
    let fx = fixture();
    let s = start(&fx, Limits::default(), Site::default()).await;
    let first = sign_in(&s, 1, &[]).await;
    let second = sign_in(&s, 1, &[]).await;
    assert_ne!(
        first.split(';').next(),
        second.split(';').next(),
        "each sign-in gets its own random id"
    );
    assert!(!first.contains(TOKEN));
    assert_eq!(with_cookie(&s, &first).await, StatusCode::OK);
    let pair = first.split(';').next().unwrap();
    let res = client_from(1)
        .post(s.url("/logout"))
        .header("cookie", pair)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    assert!(res
        .headers()
        .get(SET_COOKIE)
        .unwrap()
        .to_str()
        .unwrap()
        .contains("Max-Age=0"));
    let res = client_from(1)
        .get(s.url("/sources"))
        .header("cookie", pair)
        .send()
        .await
        .unwrap();
    assert_eq!(
        res.status(),
        StatusCode::SEE_OTHER,
        "replayed after sign-out"
    );
    assert_eq!(
        res.headers().get(LOCATION).unwrap(),
        "/login?next=%2Fsources"
    );
    assert_eq!(
        with_cookie(&s, &second).await,
        StatusCode::OK,
        "another session goes on"
    );
}

// Guards #28 item 8: a session ends after its idle time.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_expired_session_is_refused() {
    let fx = fixture();
    let limits = Limits {
        sessions: SessionLimits {
            idle: Duration::from_millis(300),
            ..SessionLimits::default()
        },
        ..Limits::default()
    };
    let s = start(&fx, limits, Site::default()).await;
    let cookie = sign_in(&s, 1, &[]).await;
    assert_eq!(with_cookie(&s, &cookie).await, StatusCode::OK);
    tokio::time::sleep(Duration::from_millis(1200)).await;
    assert_eq!(with_cookie(&s, &cookie).await, StatusCode::SEE_OTHER);
}

// Guards #28 item 8: over https the cookie is `Secure` with the `__Host-`
// prefix; over plain http on loopback it is neither.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_cookie_is_secure_when_the_site_is_https() {
    let fx = fixture();
    let plain = start(&fx, Limits::default(), Site::default()).await;
    let cookie = sign_in(&plain, 1, &[("x-forwarded-proto", "https")]).await;
    assert!(
        cookie.starts_with("horizon_session=") && !cookie.contains("Secure"),
        "{cookie}"
    );
    let https = start(
        &fx,
        Limits::default(),
        Site {
            public_url: Some("https://horizon.example/".parse().unwrap()),
            trusted_proxies: Vec::new(),
        },
    )
    .await;
    let cookie = sign_in(&https, 1, &[]).await;
    assert!(
        cookie.starts_with("__Host-horizon_session=")
            && cookie.contains("; Path=/; Secure;")
            && cookie.contains("HttpOnly")
            && cookie.contains("SameSite=Strict")
            && !cookie.contains("Domain="),
        "{cookie}"
    );
    assert_eq!(with_cookie(&https, &cookie).await, StatusCode::OK);
    let unprefixed = cookie.replacen("__Host-", "", 1);
    assert_eq!(
        with_cookie(&https, &unprefixed).await,
        StatusCode::SEE_OTHER,
        "over https only the __Host- cookie counts"
    );
    // Behind a trusted proxy, its X-Forwarded-Proto decides; from anyone
    // else the header is ignored.
    let proxied = start(
        &fx,
        Limits::default(),
        Site {
            public_url: None,
            trusted_proxies: vec!["127.0.0.1".parse().unwrap()],
        },
    )
    .await;
    let via_proxy = sign_in(&proxied, 1, &[("x-forwarded-proto", "https")]).await;
    assert!(
        via_proxy.starts_with("__Host-") && via_proxy.contains("Secure"),
        "{via_proxy}"
    );
    let direct = sign_in(&proxied, 2, &[("x-forwarded-proto", "https")]).await;
    assert!(
        direct.starts_with("horizon_session=") && !direct.contains("Secure"),
        "{direct}"
    );
}

// Guards #28 item 8: parallel guessing is throttled per address (429 with
// Retry-After, the guess not even checked), while a right token from
// another address and a signed-in browser from the same one still work.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn parallel_wrong_tokens_get_429_after_the_budget() {
    let fx = fixture();
    let s = start(&fx, Limits::default(), Site::default()).await;
    let signed_in = sign_in(&s, 1, &[]).await;
    // 100 guesses, 16 at a time (under the per-address connection limit).
    use futures::StreamExt;
    let guesser = client_from(1);
    let answers: Vec<_> = futures::stream::iter(0..100)
        .map(|n| {
            guesser
                .get(s.url("/api/sources"))
                .bearer_auth(format!("guess-{n:04}-0123456789abcdef"))
                .send()
        })
        .buffer_unordered(16)
        .map(|r| r.unwrap())
        .collect()
        .await;
    let refused = answers
        .iter()
        .filter(|r| r.status() == StatusCode::UNAUTHORIZED)
        .count();
    let throttled: Vec<_> = answers
        .iter()
        .filter(|r| r.status() == StatusCode::TOO_MANY_REQUESTS)
        .collect();
    assert_eq!(refused + throttled.len(), 100);
    let budget = horizon::serve::throttle::DEFAULT_FAILURES_PER_ADDRESS.burst as usize;
    assert!(
        refused <= budget + 2,
        "{refused} guesses checked, the budget is {budget}"
    );
    assert!(throttled.iter().all(|r| r
        .headers()
        .get(RETRY_AFTER)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok())
        .is_some_and(|s| s >= 1)));
    let right = |from: u8| {
        client_from(from)
            .get(s.url("/api/sources"))
            .bearer_auth(TOKEN)
            .send()
    };
    assert_eq!(right(2).await.unwrap().status(), StatusCode::OK);
    assert_eq!(with_cookie(&s, &signed_in).await, StatusCode::OK);
    assert_eq!(
        right(1).await.unwrap().status(),
        StatusCode::TOO_MANY_REQUESTS,
        "an address out of budget has its tokens not even checked"
    );
    // Wrong sign-ins count the same way.
    let mut last = StatusCode::OK;
    for _ in 0..=budget {
        last = client_from(3)
            .post(s.url("/login"))
            .form(&[("token", "wrong-token-wrong-token-0001")])
            .send()
            .await
            .unwrap()
            .status();
    }
    assert_eq!(last, StatusCode::TOO_MANY_REQUESTS);
}

/// A socket from 127.0.0.1 that sends half its headers and stalls.
async fn slow_socket(addr: SocketAddr) -> tokio::net::TcpStream {
    let mut conn = tokio::net::TcpStream::connect(addr).await.unwrap();
    let _ = conn
        .write_all(b"GET /healthz HTTP/1.1\r\nHost: localhost\r\n")
        .await;
    conn
}

// Guards #28 item 7: slow sockets from one address take at most their
// share of the connection slots; another address is still answered.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn slow_sockets_from_one_address_leave_room_for_others() {
    let fx = fixture();
    let limits = Limits {
        max_connections: 8,
        per_address_connections: 4,
        header_timeout: Duration::from_secs(60),
        ..Limits::default()
    };
    let s = start(&fx, limits, Site::default()).await;
    let mut held = Vec::new();
    for _ in 0..12 {
        held.push(slow_socket(s.addr).await);
    }
    // Another address: answered although 12 slow sockets are open (before,
    // they took all 8 slots until the 60 s header timeout).
    let res = client_from(2).get(s.url("/healthz")).send().await;
    assert_eq!(
        res.map(|r| r.status()).map_err(|e| e.to_string()),
        Ok(StatusCode::OK)
    );
    // The slow address's sockets beyond its 4 were closed: reading them
    // ends (a 503 or the close) long before the header timeout.
    let mut closed = 0;
    for conn in &mut held {
        let mut buf = [0u8; 256];
        match tokio::time::timeout(Duration::from_secs(2), conn.read(&mut buf)).await {
            Ok(Ok(n)) => {
                let text = String::from_utf8_lossy(&buf[..n]);
                assert!(n == 0 || text.contains("503"), "{text}");
                closed += 1;
            }
            Ok(Err(_)) => closed += 1,
            Err(_) => {}
        }
    }
    assert_eq!(closed, 8, "12 slow sockets, 4 allowed");
}

// Guards #28 item 7: a sign-in post whose body never comes holds its
// connection for the short unauthenticated time, not the request timeout.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_slow_sign_in_is_cut_off() {
    let fx = fixture();
    let limits = Limits {
        request_timeout: Duration::from_secs(120),
        unauthenticated_timeout: Duration::from_millis(500),
        ..Limits::default()
    };
    let s = start(&fx, limits, Site::default()).await;
    let mut conn = tokio::net::TcpStream::connect(s.addr).await.unwrap();
    conn.write_all(
        b"POST /login HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: 200\r\n\r\ntoken=abc",
    )
    .await
    .unwrap();
    let mut buf = Vec::new();
    let read = tokio::time::timeout(Duration::from_secs(20), conn.read_to_end(&mut buf)).await;
    assert!(read.is_ok(), "the connection was still open after 20 s");
    let text = String::from_utf8_lossy(&buf);
    assert!(text.starts_with("HTTP/1.1 408"), "{text}");
    // A signed-in request has the ordinary time.
    let res = client_from(1)
        .get(s.url("/sources"))
        .bearer_auth(TOKEN)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
}
