//! The radar as Zalando's tech-radar draws it: the object passed to
//! `radar_visualization({...})`, as JSON.
//!
//! The fields are those `docs/radar.js` reads and the README documents
//! (<https://github.com/zalando/tech-radar>, `README.md` and `docs/radar.js`):
//! `title`, `date`, `quadrants[].name` (exactly four: the legend reads
//! `config.quadrants[0..4]`, so a radar with fewer gets empty names), `rings[]`
//! with `name`, `color` (and `description`, for its ring table), and
//! `entries[]` with `label`, `quadrant` (0–3, clockwise from the bottom
//! right), `ring` (0–3, from the inside), `moved` (-1 out, 0 none, 1 in,
//! 2 new), `active` and an optional `link`. Zalando's own page loads
//! `{date, entries}` from `config.json`; this file has both and the rest,
//! so `radar_visualization(Object.assign({svg_id: "radar"}, data))` draws it.

use serde::Serialize;

use super::{radar_day, Movement, Radar, RadarError, Ring, RADAR_TITLE};

/// The quadrants and rings radar.js draws.
pub const ZALANDO_SLOTS: usize = 4;

/// The `radar_visualization` config object.
#[derive(Debug, Serialize)]
pub struct Config {
    /// Shown top left.
    pub title: String,
    /// Shown under the title.
    pub date: String,
    /// Exactly four.
    pub quadrants: Vec<Quadrant>,
    /// Exactly four, innermost first.
    pub rings: Vec<RingDef>,
    /// One per system.
    pub entries: Vec<Entry>,
}

/// `quadrants[]`.
#[derive(Debug, Serialize)]
pub struct Quadrant {
    /// Shown in the legend.
    pub name: String,
}

/// `rings[]`.
#[derive(Debug, Serialize)]
pub struct RingDef {
    /// Shown.
    pub name: String,
    /// Fill of its entries.
    pub color: String,
    /// Shown in the ring table (`print_ring_descriptions_table`).
    pub description: String,
}

/// `entries[]`.
#[derive(Debug, Serialize)]
pub struct Entry {
    /// The system.
    pub label: String,
    /// 0–3.
    pub quadrant: usize,
    /// 0–3.
    pub ring: usize,
    /// -1, 0, 1 or 2.
    pub moved: i8,
    /// Drawn in colour and clickable.
    pub active: bool,
    /// The first offering's page, when it has one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub link: Option<String>,
}

/// radar.js's `moved`: -1 moved out, 0 not moved, 1 moved in, 2 new.
pub fn moved(m: Movement) -> i8 {
    match m {
        Movement::MovedOut => -1,
        Movement::NoChange => 0,
        Movement::MovedIn => 1,
        Movement::New => 2,
    }
}

/// The config object for `radar`.
pub fn config(radar: &Radar) -> Config {
    use strum::VariantArray;
    let mut quadrants: Vec<Quadrant> = radar
        .quadrants
        .iter()
        .map(|q| Quadrant {
            name: q.name.clone(),
        })
        .collect();
    while quadrants.len() < ZALANDO_SLOTS {
        quadrants.push(Quadrant {
            name: String::new(),
        });
    }
    let rings = Ring::VARIANTS
        .iter()
        .map(|r| RingDef {
            name: r.name().into(),
            color: r.color().into(),
            description: r.description().into(),
        })
        .collect();
    let entries = radar
        .entries
        .iter()
        .filter(|e| e.quadrant < ZALANDO_SLOTS)
        .map(|e| Entry {
            label: e.system.clone(),
            quadrant: e.quadrant,
            ring: e.ring.index(),
            moved: moved(e.movement),
            active: true,
            link: e
                .offerings
                .iter()
                .map(|o| o.url.clone())
                .find(|u| !u.is_empty()),
        })
        .collect();
    Config {
        title: RADAR_TITLE.into(),
        date: radar_day(radar),
        quadrants,
        rings,
        entries,
    }
}

/// The config object as pretty JSON, with a final newline.
pub fn render(radar: &Radar) -> Result<String, RadarError> {
    let mut s = serde_json::to_string_pretty(&config(radar)).map_err(|e| RadarError::Write {
        format: "zalando",
        source: Box::new(e),
    })?;
    s.push('\n');
    Ok(s)
}
