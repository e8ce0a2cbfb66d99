//! Print the items a recorded payload holds, one JSON object a line, as the
//! crawl's parsers read them — for the people who label the development sets
//! (`tests/data/`). It runs the parsers only: no tagger, classifier or ranking
//! touches the output, so a label written from it is a reader's judgement.
//!
//! ```sh
//! cargo run --example dump_items -- ADAPTER FILE CAPTURED [SOURCE]
//! cargo run --example dump_items -- --manifest tests/data/captures/captures.toml
//! ```
//!
//! ADAPTER is `feed`, `arxiv-api`, `arxiv-listing`, `trending-daily`,
//! `trending-weekly`, `trending-monthly`, `cloud-aws`, `cloud-azure` or
//! `cloud-gcp`; CAPTURED is the capture time (RFC 3339), used as the crawl's
//! "now". A manifest lists `[[captures]]` with `file` (relative to the
//! manifest's folder), `adapter`, `captured` and `source`.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use horizon::sources::{Adapter, ParseContext};

/// One payload to dump.
#[derive(serde::Deserialize)]
struct Capture {
    file: PathBuf,
    adapter: String,
    captured: String,
    #[serde(default = "default_source")]
    source: String,
}

fn default_source() -> String {
    "capture".into()
}

#[derive(serde::Deserialize)]
struct Manifest {
    captures: Vec<Capture>,
}

fn dump(c: &Capture, root: &Path) -> Result<(), String> {
    let path = root.join(&c.file);
    let bytes = std::fs::read(&path).map_err(|e| format!("{}: {e}", path.display()))?;
    let adapter =
        Adapter::from_word(&c.adapter).ok_or_else(|| format!("unknown adapter {:?}", c.adapter))?;
    let now = c
        .captured
        .parse()
        .map_err(|e| format!("{}: captured {:?}: {e}", c.file.display(), c.captured))?;
    let ctx = ParseContext {
        source: &c.source,
        url: "https://fixtures.invalid/",
        now,
    };
    let items = adapter
        .parse(&bytes, &ctx)
        .map_err(|e| format!("{}: {e}", path.display()))?;
    for item in items {
        let line = serde_json::json!({
            "file": c.file,
            "id": item.id,
            "kind": item.kind.to_string(),
            "title": item.title,
            "products": item.products,
            "published": item.published.map(|t| t.to_string()),
            "url": item.url,
            "summary": horizon::text::truncate_words(&item.summary, 800),
        });
        println!("{line}");
    }
    Ok(())
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let result = match args.as_slice() {
        [flag, manifest] if flag == "--manifest" => {
            let path = Path::new(manifest);
            std::fs::read_to_string(path)
                .map_err(|e| format!("{manifest}: {e}"))
                .and_then(|t| {
                    toml::from_str::<Manifest>(&t).map_err(|e| format!("{manifest}: {e}"))
                })
                .and_then(|m| {
                    let root = path.parent().unwrap_or(Path::new("."));
                    m.captures.iter().try_for_each(|c| dump(c, root))
                })
        }
        [adapter, file, captured, rest @ ..] if rest.len() <= 1 => dump(
            &Capture {
                file: file.into(),
                adapter: adapter.clone(),
                captured: captured.clone(),
                source: rest.first().cloned().unwrap_or_else(default_source),
            },
            Path::new("."),
        ),
        _ => Err("usage: dump_items ADAPTER FILE CAPTURED [SOURCE] | --manifest FILE".into()),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("dump_items: {e}");
            ExitCode::FAILURE
        }
    }
}
