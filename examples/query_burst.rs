//! A burst of expensive searches against `horizon serve` (#28 item 6): how
//! long a normal search takes meanwhile, what the expensive ones get, how
//! long the server computes after the last answer, and its memory before
//! and after. Prints the figures; asserts nothing (timings belong to a
//! measurement, not a test).
//!
//! ```sh
//! HORIZON_FIXTURES=../shared/fixtures cargo run --release --example query_burst -- DIR [options]
//! ```
//!
//! `DIR` holds the index; when it has none, one of `--docs` (90,000)
//! documents is built there first from the benchmarks' synthetic corpus in
//! the fixtures' shapes (`benches/support`, the report-scaling series), each
//! with a full-text body of about `--body-bytes` (4,096) made of other
//! documents' summaries (as a crawl with full text has), and reused by
//! later runs. The server runs in a child process (this program,
//! `serve` mode), so its RSS is its own.
//!
//! Options: `--burst N` parallel expensive requests (48), `--query Q` the
//! expensive query (`"kafka xy"*`; `heavy` for [`HEAVY`]), `--normal Q` the normal one (`kafka`),
//! `--unbounded` to serve without the slots and the deadline (10,000 slots,
//! a deadline of one hour: the behaviour before the bounds), `--max-searches
//! N` and `--deadline-ms MS` to set them.

#[path = "../tests/integration/support/fixtures.rs"]
#[allow(dead_code)]
mod fixtures;
#[path = "../benches/support/mod.rs"]
mod support;

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitCode, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::{bail, Context, Result};
use horizon::index::HorizonIndex;
use horizon::serve::{Limits, QueryLimits};

const SEED: u64 = 0x00C0_FFEE;

/// `--query heavy`: 4 phrase prefixes (the most a query may hold) and 20
/// phrases of common words, any of them: about 0.8 s alone on the 90,000
/// documents, on a 2-core machine.
const HEAVY: &str = r#""of t"* OR "in t"* OR "to t"* OR "and t"* OR "of the"~50 OR "in a"~50 OR "to the"~50 OR "on the"~50 OR "for a"~50 OR "is a"~50 OR "with the"~50 OR "and the"~50 OR "of a"~50 OR "in the"~50 OR "to a"~50 OR "for the"~50 OR "is the"~50 OR "with a"~50 OR "and a"~50 OR "on a"~50 OR "by the"~50 OR "from the"~50 OR "that the"~50 OR "as a"~50"#;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let result = if args.first().map(String::as_str) == Some("serve") {
        serve(&args[1..])
    } else {
        measure(&args)
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("query_burst: {e:#}");
            ExitCode::FAILURE
        }
    }
}

/// What the command line asks for.
struct Opts {
    dir: PathBuf,
    docs: usize,
    body_bytes: usize,
    burst: usize,
    query: String,
    normal: String,
    max_searches: usize,
    deadline_ms: u64,
}

fn opts(args: &[String]) -> Result<Opts> {
    let defaults = QueryLimits::default();
    let mut o = Opts {
        dir: PathBuf::new(),
        docs: 90_000,
        body_bytes: 4_096,
        burst: 48,
        query: r#""kafka xy"*"#.into(),
        normal: "kafka".into(),
        max_searches: defaults.max_searches,
        deadline_ms: u64::try_from(defaults.search_deadline.as_millis())?,
    };
    let mut it = args.iter();
    while let Some(a) = it.next() {
        let mut value = || it.next().cloned().context(format!("{a} needs a value"));
        match a.as_str() {
            "--docs" => o.docs = value()?.parse()?,
            "--body-bytes" => o.body_bytes = value()?.parse()?,
            "--burst" => o.burst = value()?.parse()?,
            "--query" => {
                o.query = value()?;
                if o.query == "heavy" {
                    o.query = HEAVY.into();
                }
            }
            "--normal" => o.normal = value()?,
            "--max-searches" => o.max_searches = value()?.parse()?,
            "--deadline-ms" => o.deadline_ms = value()?.parse()?,
            "--unbounded" => {
                o.max_searches = 10_000;
                o.deadline_ms = 3_600_000;
            }
            other if !other.starts_with("--") && o.dir.as_os_str().is_empty() => {
                o.dir = PathBuf::from(other)
            }
            other => bail!("unknown argument {other:?}"),
        }
    }
    if o.dir.as_os_str().is_empty() {
        bail!("give the index folder: query_burst DIR [options]");
    }
    Ok(o)
}

/// Child mode: `serve DIR MAX_SEARCHES DEADLINE_MS`; prints the address.
fn serve(args: &[String]) -> Result<()> {
    let [dir, max, deadline] = args else {
        bail!("serve DIR MAX_SEARCHES DEADLINE_MS");
    };
    let cfg =
        horizon::config::Config::load(&Path::new(env!("CARGO_MANIFEST_DIR")).join("sources.toml"))?;
    let idx = HorizonIndex::open(Path::new(dir))?;
    let mut limits = Limits::default();
    limits.queries.max_searches = max.parse()?;
    limits.queries.search_deadline = Duration::from_millis(deadline.parse()?);
    let rt = tokio::runtime::Runtime::new()?;
    rt.block_on(async {
        let server = horizon::serve::bind("127.0.0.1:0".parse()?, None, idx, cfg, limits).await?;
        println!("{}", server.local_addr()?);
        server.run(std::future::pending()).await;
        Ok(())
    })
}

fn measure(args: &[String]) -> Result<()> {
    let o = opts(args)?;
    if !HorizonIndex::exists(&o.dir) {
        build(&o.dir, o.docs, o.body_bytes)?;
    }
    let exe = std::env::current_exe()?;
    let mut child = Command::new(exe)
        .arg("serve")
        .arg(&o.dir)
        .arg(o.max_searches.to_string())
        .arg(o.deadline_ms.to_string())
        .stdout(Stdio::piped())
        .spawn()?;
    let result = burst(&o, &mut child);
    let _ = child.kill();
    let _ = child.wait();
    result
}

/// The index of `docs` documents: the report-scaling series' build, with
/// bodies of about `body_bytes`.
fn build(dir: &Path, docs: usize, body_bytes: usize) -> Result<()> {
    use support::scale;
    let t = Instant::now();
    let words = support::topic_words()?;
    let corpus = support::corpus::Corpus::new(
        SEED,
        support::fixture_vocabulary()?,
        support::topic_words()?,
    );
    let tagger = horizon::topics::Tagger::new(&words.topics)?;
    let mut pool = scale::pool(&corpus, &tagger, docs.clamp(4_000, 50_000), SEED)?;
    let summaries: Vec<String> = pool
        .iter()
        .map(|i| i.summary.clone())
        .filter(|s| !s.is_empty())
        .collect();
    if !summaries.is_empty() {
        for (k, item) in pool.iter_mut().enumerate() {
            let mut j = k;
            while item.body.len() < body_bytes {
                item.body.push_str(&summaries[j % summaries.len()]);
                item.body.push('\n');
                j += 7_919;
            }
        }
    }
    let (period, _) = scale::period()?;
    let recent = scale::Recent::for_sizes(&[docs]);
    scale::build(
        dir,
        docs,
        &pool,
        recent,
        &period,
        horizon::DEFAULT_WRITER_HEAP_BYTES,
        10_000,
    )?;
    eprintln!(
        "built {docs} documents in {} in {:.0} s",
        dir.display(),
        t.elapsed().as_secs_f64()
    );
    Ok(())
}

/// One answer.
#[derive(Debug, Clone)]
struct Answer {
    status: u16,
    retry_after: Option<String>,
    took: Duration,
}

/// `GET path` over a fresh connection (HTTP/1.0: the server closes it).
fn get(addr: SocketAddr, path: &str) -> Result<Answer> {
    let t = Instant::now();
    let mut conn = TcpStream::connect(addr)?;
    conn.set_read_timeout(Some(Duration::from_secs(120)))?;
    write!(conn, "GET {path} HTTP/1.0\r\nHost: localhost\r\n\r\n")?;
    let mut text = Vec::new();
    conn.read_to_end(&mut text)?;
    let took = t.elapsed();
    let text = String::from_utf8_lossy(&text);
    let status = text
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .context("no status line")?;
    let retry_after = text
        .lines()
        .take_while(|l| !l.is_empty())
        .find_map(|l| l.strip_prefix("retry-after: ").map(str::to_string));
    Ok(Answer {
        status,
        retry_after,
        took,
    })
}

fn ms(d: Duration) -> String {
    format!("{:.0} ms", d.as_secs_f64() * 1e3)
}

fn api(q: &str) -> String {
    let q: String = url::form_urlencoded::byte_serialize(q.as_bytes()).collect();
    format!("/api/search?q={q}&limit=10")
}

/// VmRSS of `pid` in MiB.
fn rss_mib(pid: u32) -> f64 {
    status_kb(pid, "VmRSS") as f64 / 1024.0
}

fn status_kb(pid: u32, key: &str) -> u64 {
    std::fs::read_to_string(format!("/proc/{pid}/status"))
        .unwrap_or_default()
        .lines()
        .find(|l| l.starts_with(key))
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|n| n.parse().ok())
        .unwrap_or(0)
}

/// CPU time (user + system) of `pid` in clock ticks.
fn cpu_ticks(pid: u32) -> u64 {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap_or_default();
    // After the command name in parentheses: fields 14 and 15 of the line.
    let rest = stat.rsplit_once(')').map_or("", |(_, r)| r);
    let f: Vec<u64> = rest
        .split_whitespace()
        .map(|x| x.parse().unwrap_or(0))
        .collect();
    f.get(11).copied().unwrap_or(0) + f.get(12).copied().unwrap_or(0)
}

fn summary(label: &str, answers: &[Answer]) {
    let mut took: Vec<Duration> = answers.iter().map(|a| a.took).collect();
    took.sort();
    let mut by_status = std::collections::BTreeMap::<u16, usize>::new();
    for a in answers {
        *by_status.entry(a.status).or_default() += 1;
    }
    let retry: Vec<&str> = answers
        .iter()
        .filter_map(|a| a.retry_after.as_deref())
        .collect();
    println!(
        "{label}: {} answers {by_status:?}; median {}, p90 {}, max {}; Retry-After on {}",
        answers.len(),
        ms(support::quantile(&took, 0.5)),
        ms(support::quantile(&took, 0.9)),
        ms(took.last().copied().unwrap_or_default()),
        retry.len()
    );
}

fn burst(o: &Opts, child: &mut Child) -> Result<()> {
    let pid = child.id();
    let mut line = String::new();
    BufReader::new(child.stdout.take().context("no stdout")?).read_line(&mut line)?;
    let addr: SocketAddr = line.trim().parse().context("the server's address")?;
    println!(
        "server pid {pid} at {addr}: {} slots, deadline {} ms; {}",
        o.max_searches,
        o.deadline_ms,
        support::machine()
    );
    let normal = api(&o.normal);
    let mut warm = Vec::new();
    for _ in 0..10 {
        warm.push(get(addr, &normal)?);
    }
    summary("normal query, idle server", &warm);
    let single = get(addr, &api(&o.query))?;
    println!(
        "expensive query alone: {} in {}",
        single.status,
        ms(single.took)
    );
    std::thread::sleep(Duration::from_secs(12)); // the blocking pool's idle threads exit
    let rss_before = rss_mib(pid);
    println!("RSS before the burst: {rss_before:.0} MiB");

    let done = Arc::new(AtomicBool::new(false));
    let prober = {
        let done = Arc::clone(&done);
        let normal = normal.clone();
        std::thread::spawn(move || {
            let mut answers = Vec::new();
            while !done.load(Ordering::Relaxed) {
                if let Ok(a) = get(addr, &normal) {
                    answers.push(a);
                }
                std::thread::sleep(Duration::from_millis(250));
            }
            answers
        })
    };
    let t = Instant::now();
    let expensive = api(&o.query);
    let workers: Vec<_> = (0..o.burst)
        .map(|_| {
            let path = expensive.clone();
            std::thread::spawn(move || get(addr, &path))
        })
        .collect();
    let mut answers = Vec::new();
    for w in workers {
        match w.join() {
            Ok(Ok(a)) => answers.push(a),
            Ok(Err(e)) => println!("a burst request failed: {e:#}"),
            Err(_) => println!("a burst thread panicked"),
        }
    }
    let answered = t.elapsed();
    done.store(true, Ordering::Relaxed);
    let probes = prober.join().unwrap_or_default();
    let peak = status_kb(pid, "VmHWM") as f64 / 1024.0;
    summary(&format!("{} expensive queries at once", o.burst), &answers);
    summary("normal query during the burst", &probes);
    println!("last burst answer after {}", ms(answered));
    // Idle: less than 2 ticks (20 ms) of CPU in half a second.
    let mut last = cpu_ticks(pid);
    let idle_after = loop {
        std::thread::sleep(Duration::from_millis(500));
        let now = cpu_ticks(pid);
        if now.saturating_sub(last) < 2 {
            break t.elapsed().saturating_sub(answered);
        }
        last = now;
        if t.elapsed() > Duration::from_secs(600) {
            bail!("the server was still computing 10 minutes after the burst");
        }
    };
    println!(
        "server idle {} after the last answer; RSS then {:.0} MiB (peak {peak:.0} MiB)",
        ms(idle_after),
        rss_mib(pid)
    );
    std::thread::sleep(Duration::from_secs(15));
    println!(
        "RSS 15 s later: {:.0} MiB (before the burst {rss_before:.0} MiB)",
        rss_mib(pid)
    );
    let after = get(addr, &normal)?;
    println!("normal query after: {} in {}", after.status, ms(after.took));
    Ok(())
}
