//! What a search's snippets cost when the match is deep in long bodies:
//! `horizon::search::search` (whose body snippets tokenize only a window
//! around the first term) against tantivy's `SnippetGenerator` run over each
//! whole body, on the same hits. Prints both times and their ratio; asserts
//! nothing (timings belong to a measurement, not a test).
//!
//! ```sh
//! cargo run --example snippet_cost -- [DOCUMENTS]
//! ```
//!
//! Every document has a ~99 KB body (just under `text::MAX_BODY_BYTES`) whose
//! only match is at its end, the worst case for the first-term scan.

use std::process::ExitCode;
use std::time::Instant;

use horizon::index::HorizonIndex;
use horizon::model::{Item, Kind};
use horizon::search::{parse_query, search, SearchRequest};

fn main() -> ExitCode {
    let n = std::env::args()
        .nth(1)
        .and_then(|a| a.parse().ok())
        .unwrap_or(50usize);
    match run(n) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("snippet_cost: {e}");
            ExitCode::FAILURE
        }
    }
}

fn run(n: usize) -> Result<(), Box<dyn std::error::Error>> {
    let dir = tempfile::tempdir()?;
    let idx = HorizonIndex::open_or_create(dir.path())?;
    let mut writer = idx.writer(50_000_000)?;
    for i in 0..n {
        let mut item = Item::new(format!("feed:{i}"), Kind::Article, "blog", "A post", "u");
        item.summary = "An excerpt.".into();
        let filler = "filler words here ".repeat(5_500);
        item.body = horizon::text::cap_body(format!("{filler} the Brandenburg region opens"));
        writer.add_document(idx.doc_of(&item))?;
    }
    writer.commit()?;
    let req = SearchRequest {
        query: "brandenburg".into(),
        limit: n,
        ..Default::default()
    };
    search(&idx, &req)?; // warm-up
    let t = Instant::now();
    let hits = search(&idx, &req)?;
    let windowed = t.elapsed();
    let searcher = idx.searcher()?;
    let query = parse_query(idx.index(), "brandenburg")?;
    let mut whole =
        tantivy::snippet::SnippetGenerator::create(&searcher, &*query, idx.fields().body)?;
    whole.set_max_num_chars(180);
    let t = Instant::now();
    let highlighted: usize = hits
        .iter()
        .map(|h| whole.snippet(&h.item.body).highlighted().len())
        .sum();
    let whole_bodies = t.elapsed();
    let bytes = hits.first().map_or(0, |h| h.item.body.len());
    println!(
        "{} hits, bodies of {bytes} bytes, match at the end",
        hits.len()
    );
    println!("search (stored items read, windowed body snippets): {windowed:?}");
    println!("SnippetGenerator over each whole body alone:        {whole_bodies:?} ({highlighted} highlights)");
    println!(
        "ratio whole / windowed search: {:.1}",
        whole_bodies.as_secs_f64() / windowed.as_secs_f64().max(1e-9)
    );
    Ok(())
}
