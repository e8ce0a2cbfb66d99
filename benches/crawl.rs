//! `cargo bench --bench crawl [-- --quick]` — crawler politeness.
//!
//! H hosts (127.0.0.2, 127.0.0.3, … — distinct host names to reqwest and to
//! the fetcher's per-host gates) each serve N feeds (real recorded fixture
//! payloads, with ETags) after a simulated latency. A generated sources.toml
//! sets per-host limits; `horizon::crawl::crawl` runs against it, and its wall
//! time T is compared with the lower bound T* those limits force:
//! for each host, max((N-1)·interval + latency, ceil(N/concurrency)·latency),
//! and the slowest host decides. A second, unchanged crawl must download no
//! body (the server answers 304 to a matching If-None-Match).

// The tests' fixtures locator; the benchmark uses part of it.
#[allow(dead_code)]
#[path = "../tests/integration/support/fixtures.rs"]
mod fixtures;
mod support;

use std::collections::HashMap;
use std::fmt::Write as _;
use std::net::SocketAddr;
use std::path::Path;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use anyhow::{Context, Result};
use horizon::config::Config;
use horizon::crawl::{crawl, CrawlOptions};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;

/// What the loopback servers do and saw.
#[derive(Default)]
struct Server {
    latency_ms: AtomicU64,
    bodies: AtomicU64,
    body_bytes: AtomicU64,
    not_modified: AtomicU64,
    /// Per host: (request arrival, response sent).
    log: Mutex<HashMap<String, Vec<(Instant, Instant)>>>,
}

impl Server {
    fn reset(&self, latency: Duration) {
        self.latency_ms
            .store(latency.as_millis() as u64, Ordering::SeqCst);
        self.bodies.store(0, Ordering::SeqCst);
        self.body_bytes.store(0, Ordering::SeqCst);
        self.not_modified.store(0, Ordering::SeqCst);
        if let Ok(mut l) = self.log.lock() {
            l.clear();
        }
    }
}

struct Feed {
    body: Arc<Vec<u8>>,
    etag: String,
}

async fn serve_conn(
    mut sock: tokio::net::TcpStream,
    host: String,
    feeds: Arc<Vec<Feed>>,
    server: Arc<Server>,
) {
    let mut buf = Vec::with_capacity(4096);
    loop {
        // Read one request head.
        let head_end = loop {
            if let Some(p) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
                break p + 4;
            }
            let mut chunk = [0u8; 4096];
            match sock.read(&mut chunk).await {
                Ok(0) | Err(_) => return,
                Ok(n) => buf.extend_from_slice(&chunk[..n]),
            }
        };
        let arrived = Instant::now();
        let head = String::from_utf8_lossy(&buf[..head_end]).to_string();
        buf.drain(..head_end);
        let path = head
            .lines()
            .next()
            .and_then(|l| l.split_whitespace().nth(1))
            .unwrap_or("/")
            .to_string();
        let inm = head.lines().find_map(|l| {
            let (k, v) = l.split_once(':')?;
            k.trim()
                .eq_ignore_ascii_case("if-none-match")
                .then(|| v.trim().to_string())
        });
        let i: usize = path
            .trim_start_matches("/feed/")
            .trim_end_matches(".xml")
            .parse()
            .unwrap_or(0);
        let feed = &feeds[i % feeds.len()];
        tokio::time::sleep(Duration::from_millis(
            server.latency_ms.load(Ordering::SeqCst),
        ))
        .await;
        let ok = if inm.as_deref() == Some(feed.etag.as_str()) {
            server.not_modified.fetch_add(1, Ordering::SeqCst);
            let resp = format!(
                "HTTP/1.1 304 Not Modified\r\nETag: {}\r\nContent-Length: 0\r\n\r\n",
                feed.etag
            );
            sock.write_all(resp.as_bytes()).await.is_ok()
        } else {
            server.bodies.fetch_add(1, Ordering::SeqCst);
            server
                .body_bytes
                .fetch_add(feed.body.len() as u64, Ordering::SeqCst);
            let resp = format!(
                "HTTP/1.1 200 OK\r\nContent-Type: application/xml\r\nETag: {}\r\nContent-Length: {}\r\n\r\n",
                feed.etag,
                feed.body.len()
            );
            sock.write_all(resp.as_bytes()).await.is_ok()
                && sock.write_all(&feed.body).await.is_ok()
        };
        if let Ok(mut l) = server.log.lock() {
            l.entry(host.clone())
                .or_default()
                .push((arrived, Instant::now()));
        }
        if !ok {
            return;
        }
    }
}

struct Scenario {
    label: &'static str,
    interval_ms: u64,
    concurrency: usize,
    global: usize,
    latency_ms: u64,
}

struct Outcome {
    label: String,
    t: Duration,
    t_fetch: Duration,
    t_star: Duration,
    min_gap: Duration,
    max_in_flight: usize,
    second_t: Duration,
    second_bodies: u64,
    second_bytes: u64,
    second_304: u64,
    first_bodies: u64,
    first_bytes: u64,
    failed: usize,
}

fn lower_bound(n: usize, s: &Scenario) -> Duration {
    let by_interval = s.interval_ms * (n as u64 - 1) + s.latency_ms;
    let by_latency = n.div_ceil(s.concurrency) as u64 * s.latency_ms;
    // With a global cap below the number of hosts × per-host concurrency,
    // all requests share `global` slots.
    Duration::from_millis(by_interval.max(by_latency))
}

fn config_text(index: &Path, hosts: &[SocketAddr], n: usize, s: &Scenario) -> String {
    let mut t = String::new();
    let _ = writeln!(
        t,
        "[settings]\nindex = {:?}\nconcurrency = {}\nretries = 0\ntimeout = \"30s\"\n",
        index.display().to_string(),
        s.global
    );
    for h in hosts {
        let _ = writeln!(
            t,
            "[settings.hosts.\"{}\"]\nconcurrency = {}\ninterval = \"{}ms\"\n",
            h.ip(),
            s.concurrency,
            s.interval_ms
        );
    }
    let _ = writeln!(
        t,
        "[[topics]]\nname = \"observability\"\nkeywords = [\"monitoring\", \"observability\"]\n"
    );
    // Sources grouped by host, as people list the feeds of one site together.
    for h in hosts {
        for i in 0..n {
            let _ = writeln!(
                t,
                "[[sources]]\nname = \"h{}-f{i}\"\nkind = \"feed\"\nurl = \"http://{h}/feed/{i}.xml\"\n",
                h.ip().to_string().replace('.', "-")
            );
        }
    }
    t
}

async fn run_scenario(
    s: &Scenario,
    hosts: &[SocketAddr],
    n: usize,
    server: &Arc<Server>,
    work: &Path,
) -> Result<Outcome> {
    let dir = work.join(s.label.replace([' ', ',', '/', '='], "_"));
    std::fs::create_dir_all(&dir)?;
    let cfg_path = dir.join("sources.toml");
    std::fs::write(&cfg_path, config_text(&dir.join("index"), hosts, n, s))?;
    let cfg = Config::load(&cfg_path).with_context(|| format!("{}", cfg_path.display()))?;
    let index = cfg.index_dir();

    server.reset(Duration::from_millis(s.latency_ms));
    let t0 = Instant::now();
    let report = crawl(&cfg, &index, CrawlOptions::default()).await?;
    let t = t0.elapsed();
    let failed = report.failed();
    let first_bodies = server.bodies.load(Ordering::SeqCst);
    let first_bytes = server.body_bytes.load(Ordering::SeqCst);
    let (t_fetch, min_gap, max_in_flight) = {
        let log = server.log.lock().map_err(|_| anyhow::anyhow!("poisoned"))?;
        let first = log.values().flatten().map(|e| e.0).min();
        let last = log.values().flatten().map(|e| e.1).max();
        let mut min_gap = Duration::MAX;
        let mut max_in_flight = 0;
        for reqs in log.values() {
            let mut starts: Vec<Instant> = reqs.iter().map(|r| r.0).collect();
            starts.sort();
            for w in starts.windows(2) {
                min_gap = min_gap.min(w[1] - w[0]);
            }
            for r in reqs {
                let overlapping = reqs.iter().filter(|o| o.0 <= r.0 && o.1 > r.0).count();
                max_in_flight = max_in_flight.max(overlapping);
            }
        }
        let span = match (first, last) {
            (Some(a), Some(b)) => b - a,
            _ => Duration::ZERO,
        };
        (span, min_gap, max_in_flight)
    };

    server.reset(Duration::from_millis(s.latency_ms));
    let t0 = Instant::now();
    let report2 = crawl(&cfg, &index, CrawlOptions::default()).await?;
    let second_t = t0.elapsed();
    let second_bytes: u64 = report2.sources.iter().map(|r| r.bytes).sum();
    Ok(Outcome {
        label: s.label.to_string(),
        t,
        t_fetch,
        t_star: lower_bound(n, s),
        min_gap,
        max_in_flight,
        second_t,
        second_bodies: server.bodies.load(Ordering::SeqCst),
        second_bytes,
        second_304: server.not_modified.load(Ordering::SeqCst),
        first_bodies,
        first_bytes,
        failed: failed + report2.failed(),
    })
}

fn main() -> Result<()> {
    let quick = std::env::args().any(|a| a == "--quick");
    let (h, n) = if quick { (2, 4) } else { (3, 12) };
    let machine = support::machine();
    eprintln!("crawl benchmark: {machine}");

    let mut feeds: Vec<Feed> = Vec::new();
    for sub in ["blog-feeds", "arxiv-rss"] {
        for f in support::fixture_files(sub) {
            let body = std::fs::read(&f)?;
            let etag = format!("\"{:x}-{}\"", body.len(), feeds.len());
            feeds.push(Feed {
                body: Arc::new(body),
                etag,
            });
        }
    }
    anyhow::ensure!(
        !feeds.is_empty(),
        "no fixtures in {}",
        support::fixtures_dir().display()
    );
    let feeds = Arc::new(feeds);
    let server = Arc::new(Server::default());

    // Servers on their own runtime, so the crawl's synchronous indexing never delays them.
    let server_rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()?;
    let mut hosts: Vec<SocketAddr> = Vec::new();
    for k in 0..h {
        let ip = format!("127.0.0.{}", k + 2);
        let listener = server_rt.block_on(TcpListener::bind(format!("{ip}:0")))?;
        let addr = listener.local_addr()?;
        hosts.push(addr);
        let feeds = feeds.clone();
        let server = server.clone();
        server_rt.spawn(async move {
            while let Ok((sock, _)) = listener.accept().await {
                let _ = sock.set_nodelay(true);
                tokio::spawn(serve_conn(sock, ip.clone(), feeds.clone(), server.clone()));
            }
        });
    }

    let scenarios = [
        Scenario {
            label: "interval-bound, default global 8",
            interval_ms: 200,
            concurrency: 1,
            global: 8,
            latency_ms: 50,
        },
        Scenario {
            label: "interval-bound, global 64",
            interval_ms: 200,
            concurrency: 1,
            global: 64,
            latency_ms: 50,
        },
        Scenario {
            label: "latency-bound c=2, default global 8",
            interval_ms: 20,
            concurrency: 2,
            global: 8,
            latency_ms: 250,
        },
        Scenario {
            label: "latency-bound c=2, global 64",
            interval_ms: 20,
            concurrency: 2,
            global: 64,
            latency_ms: 250,
        },
        Scenario {
            label: "sequential (global 1)",
            interval_ms: 200,
            concurrency: 1,
            global: 1,
            latency_ms: 50,
        },
    ];
    let work = tempfile::Builder::new()
        .prefix("horizon-crawl-bench-")
        .tempdir()?;
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    let mut outcomes = Vec::new();
    let t_all = Instant::now();
    for s in &scenarios {
        let o = rt.block_on(run_scenario(s, &hosts, n, &server, work.path()))?;
        eprintln!(
            "  {}: T {:.2}s, T* {:.2}s, second crawl {} bodies",
            o.label,
            o.t.as_secs_f64(),
            o.t_star.as_secs_f64(),
            o.second_bodies
        );
        outcomes.push(o);
    }
    let seq_star = Duration::from_millis((h * n) as u64 * scenarios[4].latency_ms)
        .max(lower_bound(n, &scenarios[4]));
    let total = t_all.elapsed();

    let mut md = String::new();
    let _ = writeln!(md, "## Crawl politeness\n");
    let _ = writeln!(md, "Machine: {machine}.  ");
    let _ = writeln!(
        md,
        "Command: `cargo bench --bench crawl{}` — total wall time {:.0}s.  ",
        if quick { " -- --quick" } else { "" },
        total.as_secs_f64()
    );
    let _ = writeln!(
        md,
        "{h} hosts (127.0.0.2…) × {n} feeds each, served from loopback after a simulated latency, bodies = the recorded blog-feeds and arXiv listing fixtures with ETags; `horizon::crawl::crawl` (the library behind `horizon crawl`) into a fresh index, then again unchanged. Sources are listed grouped by host. T = whole crawl (open index, fetch, parse, tag, commit); T fetch = first request arrival to last response at the servers; T* = slowest host's max((N−1)·interval + latency, ⌈N/c⌉·latency).\n"
    );
    let _ = writeln!(md, "| scenario | per host | latency | T s | T fetch s | T* s | **T*/T** (target ≥ 0.9) | min gap between starts on a host | max in flight on a host | bodies (1st crawl) | 2nd crawl: bodies / bytes / 304s | 2nd crawl T s | failed |");
    let _ = writeln!(
        md,
        "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---|---:|---:|"
    );
    for (s, o) in scenarios.iter().zip(&outcomes) {
        let star = if s.global == 1 { seq_star } else { o.t_star };
        let _ = writeln!(
            md,
            "| {} | c={} every {}ms | {}ms | {:.2} | {:.2} | {:.2}{} | **{:.2}** | {:.0}ms | {} | {} ({:.1} MB) | {} / {} / {} | {:.2} | {} |",
            o.label,
            s.concurrency,
            s.interval_ms,
            s.latency_ms,
            o.t.as_secs_f64(),
            o.t_fetch.as_secs_f64(),
            star.as_secs_f64(),
            if s.global == 1 { " (sequential: H·N·latency)" } else { "" },
            star.as_secs_f64() / o.t.as_secs_f64(),
            o.min_gap.as_secs_f64() * 1000.0,
            o.max_in_flight,
            o.first_bodies,
            o.first_bytes as f64 / 1e6,
            o.second_bodies,
            o.second_bytes,
            o.second_304,
            o.second_t.as_secs_f64(),
            o.failed,
        );
    }
    if let (Some(best), Some(seq)) = (
        outcomes[..4].iter().map(|o| o.t).min(),
        outcomes.get(4).map(|o| o.t),
    ) {
        let _ = writeln!(
            md,
            "\nSequential / best parallel wall time: {:.1}×.",
            seq.as_secs_f64() / best.as_secs_f64()
        );
    }
    println!("{md}");
    if !quick || std::env::args().any(|a| a == "--write") {
        let path = support::write_section("crawl", &md)?;
        eprintln!("wrote {}", path.display());
    }
    drop(rt);
    server_rt.shutdown_background();
    Ok(())
}
