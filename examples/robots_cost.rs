//! What one robots.txt costs horizon to read: time and peak memory of
//! deciding a URL under it, for the hostile files of #28 item 12 (generated
//! here from the shape of real rules) or any file given.
//!
//! ```sh
//! cargo run --release --example robots_cost -- wildcards   # 500 KiB of `*…$` rules
//! cargo run --release --example robots_cost -- complex     # one over-complex rule
//! cargo run --release --example robots_cost -- FILE URL
//! ```

use std::time::Instant;

/// About 500 KiB of distinct `Disallow` rules with fifteen `*` and a `$`.
fn wildcards() -> String {
    let mut text = String::from("User-agent: *\nAllow: /ok/\n");
    let mut i = 0;
    while text.len() < 500 * 1024 {
        text.push_str(&format!(
            "Disallow: /p{i}/*a*b*c*d*e*f*g*h*i*j*k*l*m*n*o*{i}$\n"
        ));
        i += 1;
    }
    text
}

/// A short file with one rule of 3,000 wildcards.
fn complex() -> String {
    format!(
        "User-agent: *\nDisallow: /private/\nDisallow: /{}$\n",
        "x*".repeat(3000)
    )
}

fn peak_rss_kib() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmHWM:"))
                .and_then(|l| l.split_whitespace().nth(1).and_then(|n| n.parse().ok()))
        })
        .unwrap_or(0)
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let (text, urls): (String, Vec<String>) = match args.first().map(String::as_str) {
        Some("wildcards") => (
            wildcards(),
            vec![
                "https://example.org/ok/page".into(),
                "https://example.org/p7/abcdefghijklmno7".into(),
            ],
        ),
        Some("complex") => (
            complex(),
            vec![
                "https://example.org/private/x".into(),
                "https://example.org/public".into(),
            ],
        ),
        Some(file) => (
            std::fs::read_to_string(file).expect("a readable file"),
            args[1..].to_vec(),
        ),
        None => {
            eprintln!("usage: robots_cost wildcards|complex|FILE URL…");
            std::process::exit(2);
        }
    };
    let before = peak_rss_kib();
    for url in &urls {
        let started = Instant::now();
        let rule = horizon::robots::blocking_rule(&text, "horizon/0.1", url);
        println!(
            "{url}: {} in {:.3} s",
            rule.map_or("allowed".to_string(), |r| format!("blocked by {r:?}")),
            started.elapsed().as_secs_f64()
        );
    }
    println!(
        "{} KiB of robots.txt; peak RSS {} MiB (at start {} MiB)",
        text.len() / 1024,
        peak_rss_kib() / 1024,
        before / 1024
    );
}
