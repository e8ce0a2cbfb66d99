//! What slow and guessing clients cost `horizon serve` (#28 items 7 and 8),
//! over loopback against a real server with a token and default limits:
//!
//! 1. the latency of a legitimate search (a fresh connection from 127.0.0.2
//!    with the right bearer token), 20 of them 1 s apart, while SLOW sockets
//!    from 127.0.0.1 send half their headers and stall (reconnecting 200 ms
//!    after being closed);
//! 2. wrong bearer tokens checked per second (answered 401 rather than 429),
//!    16 at a time for 5 s, from one address and from sixteen.
//!
//! Prints the figures; asserts nothing (timings belong to a measurement).
//!
//! ```sh
//! ulimit -n 4096; cargo run --release --example slow_clients -- [SLOW]   # SLOW = 520
//! ```

use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::process::ExitCode;
use std::time::{Duration, Instant};

use futures::StreamExt;
use horizon::config::Config;
use horizon::index::HorizonIndex;
use horizon::model::{Item, Kind};
use horizon::serve::Limits;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

/// Legitimate requests measured during the slow sockets.
const ROUNDS: usize = 20;

const TOKEN: &str = "3f9c1e0a7b5d2c8e4f6a1b3c5d7e9f0a";

type Error = Box<dyn std::error::Error>;

fn main() -> ExitCode {
    let slow = std::env::args()
        .nth(1)
        .and_then(|a| a.parse().ok())
        .unwrap_or(520usize);
    let rt = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("slow_clients: {e}");
            return ExitCode::FAILURE;
        }
    };
    match rt.block_on(run(slow)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("slow_clients: {e}");
            ExitCode::FAILURE
        }
    }
}

/// An index of a few documents and a running server over it.
struct Running {
    addr: SocketAddr,
    _dir: tempfile::TempDir,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
}

impl Drop for Running {
    fn drop(&mut self) {
        if let Some(s) = self.stop.take() {
            let _ = s.send(());
        }
    }
}

async fn start() -> Result<Running, Error> {
    let dir = tempfile::tempdir()?;
    let idx = HorizonIndex::open_or_create(dir.path())?;
    let mut writer = idx.writer(20_000_000)?;
    for n in 0..200 {
        let mut item = Item::new(
            format!("blog:{n}"),
            Kind::Article,
            "blog",
            format!("Kafka tiered storage, part {n}"),
            format!("https://blog.example/{n}"),
        );
        item.summary = "How Kafka keeps old segments in object storage.".into();
        writer.add_document(idx.doc_of(&item))?;
    }
    writer.commit()?;
    drop(writer);
    let cfg = Config::load(&std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("sources.toml"))?;
    let server = horizon::serve::bind(
        "127.0.0.1:0".parse()?,
        Some(TOKEN),
        idx,
        cfg,
        Limits::default(),
    )
    .await?;
    let addr = server.local_addr()?;
    let (tx, rx) = tokio::sync::oneshot::channel::<()>();
    tokio::spawn(server.run(async {
        let _ = rx.await;
    }));
    Ok(Running {
        addr,
        _dir: dir,
        stop: Some(tx),
    })
}

fn client_from(last: u8, pool: bool) -> Result<reqwest::Client, Error> {
    let mut b = reqwest::Client::builder()
        .local_address(IpAddr::V4(Ipv4Addr::new(127, 0, 0, last)))
        .timeout(Duration::from_secs(60));
    if !pool {
        b = b.pool_max_idle_per_host(0);
    }
    Ok(b.build()?)
}

/// One slow socket from 127.0.0.1, for ever: half the headers, then wait
/// until the server closes it, then again.
async fn slow_socket(addr: SocketAddr) {
    loop {
        if let Ok(mut conn) = tokio::net::TcpStream::connect(addr).await {
            let _ = conn
                .write_all(b"GET /api/search?q=kafka HTTP/1.1\r\nHost: localhost\r\n")
                .await;
            let mut buf = [0u8; 512];
            while matches!(conn.read(&mut buf).await, Ok(n) if n > 0) {}
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

async fn legit_latency(s: &Running, slow: usize) -> Result<(), Error> {
    let attackers: Vec<_> = (0..slow)
        .map(|_| tokio::spawn(slow_socket(s.addr)))
        .collect();
    tokio::time::sleep(Duration::from_secs(2)).await;
    let url = format!("http://{}/api/search?q=kafka", s.addr);
    let mut times = Vec::new();
    let mut failures = 0;
    for n in 0..ROUNDS {
        if n > 0 {
            // Spread over the attack's cycle (the header timeout).
            tokio::time::sleep(Duration::from_secs(1)).await;
        }
        let client = client_from(2, false)?;
        let t = Instant::now();
        match client.get(&url).bearer_auth(TOKEN).send().await {
            Ok(r) if r.status().is_success() => {
                let _ = r.bytes().await;
                times.push(t.elapsed().as_secs_f64());
            }
            _ => failures += 1,
        }
    }
    for a in attackers {
        a.abort();
    }
    times.sort_by(f64::total_cmp);
    let median = times.get(times.len() / 2).copied().unwrap_or(f64::NAN);
    let max = times.last().copied().unwrap_or(f64::NAN);
    let over_1s = times.iter().filter(|&&t| t > 1.0).count();
    println!(
        "legitimate search during {slow} slow sockets ({ROUNDS} requests, 1 s apart): median {median:.3} s, max {max:.3} s, {over_1s} over 1 s, {failures} failed"
    );
    Ok(())
}

/// Wrong bearer tokens from `addresses`, 16 at a time each, for `secs`.
async fn guessing(s: &Running, addresses: &[u8], secs: u64) -> Result<(), Error> {
    let url = format!("http://{}/api/search?q=kafka", s.addr);
    let until = Instant::now() + Duration::from_secs(secs);
    let mut tasks = Vec::new();
    for &last in addresses {
        let client = client_from(last, true)?;
        let url = url.clone();
        tasks.push(tokio::spawn(async move {
            let (mut checked, mut throttled, mut other) = (0u64, 0u64, 0u64);
            let mut answers = futures::stream::iter(0u64..)
                .take_while(|_| futures::future::ready(Instant::now() < until))
                .map(|n| {
                    client
                        .get(&url)
                        .bearer_auth(format!("guess-{last}-{n:012}-abcdef"))
                        .send()
                })
                .buffer_unordered(16);
            while let Some(r) = answers.next().await {
                match r.map(|r| r.status().as_u16()) {
                    Ok(401) => checked += 1,
                    Ok(429) => throttled += 1,
                    _ => other += 1,
                }
            }
            (checked, throttled, other)
        }));
    }
    let (mut checked, mut throttled, mut other) = (0, 0, 0);
    for t in tasks {
        let (c, t, o) = t.await?;
        checked += c;
        throttled += t;
        other += o;
    }
    println!(
        "wrong tokens from {} address(es) for {secs} s: {checked} checked ({:.1}/s), {throttled} answered 429, {other} other",
        addresses.len(),
        checked as f64 / secs as f64
    );
    Ok(())
}

async fn run(slow: usize) -> Result<(), Error> {
    let s = start().await?;
    legit_latency(&s, slow).await?;
    drop(s);
    let s = start().await?;
    guessing(&s, &[3], 5).await?;
    drop(s);
    let s = start().await?;
    let many: Vec<u8> = (10..26).collect();
    guessing(&s, &many, 5).await?;
    Ok(())
}
