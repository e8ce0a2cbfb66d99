//! Shared pieces of the benchmarks: a seeded PRNG, a Zipf sampler over the
//! fixtures' own vocabulary, machine description, percentiles, and the
//! BENCHMARKS.md section writer.
//!
//! Everything here is deterministic for a given seed and fixture folder, so two
//! runs of a benchmark index exactly the same documents.

#![allow(dead_code)]

pub mod corpus;
pub mod scale;

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::time::Duration;

/// xorshift64* — small, fast, good enough for synthetic corpora.
#[derive(Debug, Clone)]
pub struct Rng(u64);

impl Rng {
    /// A generator from a seed (0 is remapped).
    pub fn new(seed: u64) -> Self {
        Rng(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1)
    }

    /// Next 64 random bits.
    pub fn next_u64(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        self.0 = x;
        x.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    /// Uniform in `[0, n)` (n > 0).
    pub fn below(&mut self, n: usize) -> usize {
        ((self.next_u64() >> 11) % n.max(1) as u64) as usize
    }

    /// Uniform in `[lo, hi]`.
    pub fn range(&mut self, lo: usize, hi: usize) -> usize {
        lo + self.below(hi - lo + 1)
    }

    /// Uniform in `[0, 1)`.
    pub fn f64(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64
    }

    /// True with probability `p`.
    pub fn chance(&mut self, p: f64) -> bool {
        self.f64() < p
    }

    /// One element of a non-empty slice.
    pub fn pick<'a, T>(&mut self, xs: &'a [T]) -> &'a T {
        &xs[self.below(xs.len())]
    }
}

/// Words ranked by frequency, sampled with a Zipf(s) law over their rank.
#[derive(Debug, Clone)]
pub struct Zipf {
    /// Words, most frequent first.
    pub words: Vec<String>,
    cdf: Vec<f64>,
}

impl Zipf {
    /// A sampler over `words` (most frequent first) with exponent `s`.
    pub fn new(words: Vec<String>, s: f64) -> Self {
        let mut cdf = Vec::with_capacity(words.len());
        let mut acc = 0.0;
        for rank in 1..=words.len() {
            acc += 1.0 / (rank as f64).powf(s);
            cdf.push(acc);
        }
        for c in &mut cdf {
            *c /= acc;
        }
        Zipf { words, cdf }
    }

    /// One word.
    pub fn sample<'a>(&'a self, rng: &mut Rng) -> &'a str {
        let u = rng.f64();
        let i = self.cdf.partition_point(|c| *c < u);
        &self.words[i.min(self.words.len() - 1)]
    }
}

/// Every file of one fixtures subfolder, sorted.
pub fn fixture_files(sub: &str) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(fixtures_dir().join(sub))
        .map(|rd| rd.filter_map(|e| e.ok().map(|e| e.path())).collect())
        .unwrap_or_default();
    files.retain(|p| p.is_file());
    files.sort();
    files
}

/// Strip tags and entities crudely: good enough to harvest words.
fn strip_markup(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut in_tag = false;
    for c in s.chars() {
        match c {
            '<' => in_tag = true,
            '>' => {
                in_tag = false;
                out.push(' ');
            }
            _ if !in_tag => out.push(c),
            _ => {}
        }
    }
    out
}

/// The fixtures' own vocabulary, most frequent first: words of 2 to 18 letters
/// (markup, entities, URLs and hex blobs dropped), each seen at least twice.
pub fn fixture_vocabulary() -> anyhow::Result<Vec<String>> {
    let mut counts: HashMap<String, u64> = HashMap::new();
    let dirs = [
        "arxiv-api",
        "arxiv-rss",
        "blog-feeds",
        "cloud-aws",
        "cloud-azure",
        "cloud-gcp",
        "github-trending",
    ];
    let mut files = 0;
    for d in dirs {
        for f in fixture_files(d) {
            let raw = std::fs::read(&f)?;
            let text = String::from_utf8_lossy(&raw);
            // Twice: once to drop the markup, once to drop the escaped markup.
            let text = strip_markup(&strip_markup(
                &text.replace("&lt;", "<").replace("&gt;", ">"),
            ));
            files += 1;
            for w in text.split(|c: char| !c.is_alphanumeric() && c != '-') {
                let w = w.trim_matches('-');
                let n = w.chars().count();
                if !(2..=18).contains(&n)
                    || !w.chars().all(|c| c.is_alphabetic() || c == '-')
                    || w.contains("--")
                {
                    continue;
                }
                *counts.entry(w.to_string()).or_default() += 1;
            }
        }
    }
    anyhow::ensure!(
        files > 0,
        "no fixtures found in {} (set HORIZON_FIXTURES)",
        fixtures_dir().display()
    );
    // Markup vocabulary of the trending pages would dominate: drop obvious HTML/CSS words.
    const NOISE: &[&str] = &[
        "class",
        "href",
        "div",
        "span",
        "svg",
        "path",
        "aria-hidden",
        "data-view-component",
        "octicon",
        "true",
        "false",
        "viewbox",
        "height",
        "width",
        "nofollow",
        "data-hydro-click",
        "quot",
        "amp",
        "nbsp",
        "rel",
        "src",
        "img",
        "alt",
        "px",
        "mr",
        "ml",
        "btn",
        "d-inline-block",
    ];
    let mut words: Vec<(String, u64)> = counts
        .into_iter()
        .filter(|(w, n)| *n >= 2 && !NOISE.contains(&w.to_lowercase().as_str()))
        .collect();
    words.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    Ok(words.into_iter().map(|(w, _)| w).collect())
}

/// `nproc`, CPU model, memory, date — for the results header.
pub fn machine() -> String {
    let nproc = std::thread::available_parallelism()
        .map(|n| n.get())
        .unwrap_or(1);
    let cpuinfo = std::fs::read_to_string("/proc/cpuinfo").unwrap_or_default();
    let cpu = cpuinfo
        .lines()
        .find(|l| l.starts_with("model name"))
        .and_then(|l| l.split(':').nth(1))
        .map(|s| s.trim().to_string())
        .unwrap_or_else(|| "unknown".into());
    let meminfo = std::fs::read_to_string("/proc/meminfo").unwrap_or_default();
    let mem_kb: u64 = meminfo
        .lines()
        .find(|l| l.starts_with("MemTotal"))
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|n| n.parse().ok())
        .unwrap_or(0);
    let date = jiff::Timestamp::now().strftime("%Y-%m-%d %H:%M UTC");
    format!(
        "nproc {nproc}, CPU {cpu}, memory {:.1} GiB, {date}, rustc release profile (cargo bench)",
        mem_kb as f64 / 1024.0 / 1024.0
    )
}

/// Peak RSS of this process so far (VmHWM), in KiB.
pub fn vm_hwm_kb() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .unwrap_or_default()
        .lines()
        .find(|l| l.starts_with("VmHWM"))
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|n| n.parse().ok())
        .unwrap_or(0)
}

/// The `q`-quantile (0..=1) of sorted samples.
pub fn quantile(sorted: &[Duration], q: f64) -> Duration {
    if sorted.is_empty() {
        return Duration::ZERO;
    }
    let i = ((sorted.len() as f64 - 1.0) * q).round() as usize;
    sorted[i.min(sorted.len() - 1)]
}

/// Milliseconds with 2 decimals.
pub fn ms(d: Duration) -> String {
    format!("{:.2}", d.as_secs_f64() * 1000.0)
}

/// Replace (or append) the section between `<!-- {name}:begin -->` and
/// `<!-- {name}:end -->` in BENCHMARKS.md at the crate root.
pub fn write_section(name: &str, body: &str) -> anyhow::Result<PathBuf> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("BENCHMARKS.md");
    let begin = format!("<!-- {name}:begin -->");
    let end = format!("<!-- {name}:end -->");
    let old = std::fs::read_to_string(&path).unwrap_or_else(|_| "# Benchmarks\n\n".to_string());
    let block = format!("{begin}\n{}\n{end}", body.trim_end());
    let new = match (old.find(&begin), old.find(&end)) {
        (Some(a), Some(b)) if b > a => {
            format!("{}{}{}", &old[..a], block, &old[b + end.len()..])
        }
        _ => format!("{}\n{}\n", old.trim_end(), block),
    };
    std::fs::write(&path, new)?;
    Ok(path)
}

/// Keyword phrases and system names from the repository's sources.toml.
#[derive(Debug, Clone)]
pub struct TopicWords {
    /// The parsed topics (for the Tagger).
    pub topics: Vec<horizon::config::Topic>,
    /// Every keyword phrase of every topic.
    pub keywords: Vec<String>,
    /// Every system name (and alias).
    pub systems: Vec<String>,
    /// Source names by kind.
    pub sources: HashMap<&'static str, Vec<String>>,
}

/// Read the checked-in sources.toml.
/// The cloud-note classifier of the checked-in `sources.toml`, as the crawl builds it.
pub fn classifier() -> anyhow::Result<horizon::absorb::Classifier> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("sources.toml");
    let cfg = horizon::config::Config::load(&path)?;
    Ok(horizon::absorb::Classifier::new(
        horizon::absorb::Catalog::for_config(&cfg)?,
    ))
}

pub fn topic_words() -> anyhow::Result<TopicWords> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("sources.toml");
    let cfg = horizon::config::Config::load(&path)?;
    let mut keywords = Vec::new();
    let mut systems = Vec::new();
    for t in &cfg.topics {
        keywords.extend(t.keywords.iter().cloned());
        systems.extend(t.systems.iter().cloned());
        for a in t.aliases.values() {
            systems.extend(a.iter().cloned());
        }
    }
    let mut sources: HashMap<&'static str, Vec<String>> = HashMap::new();
    for s in &cfg.sources {
        let key = match &s.spec {
            horizon::config::SourceSpec::Cloud { vendor, .. } => vendor.as_str(),
            spec => spec.kind().as_str(),
        };
        sources.entry(key).or_default().push(s.name.clone());
    }
    Ok(TopicWords {
        topics: cfg.topics.clone(),
        keywords,
        systems,
        sources,
    })
}

/// The fixtures folder (the tests' one definition, which each bench crate
/// mounts at its root as `fixtures`), or a panic saying why.
pub fn fixtures_dir() -> PathBuf {
    crate::fixtures::fixtures()
}
