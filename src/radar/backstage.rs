//! The radar as Backstage's tech-radar plugin loads it: one
//! `TechRadarLoaderResponse` JSON document, for a `TechRadarApi` whose
//! `load()` fetches it (or the backend's `techRadar.url`).
//!
//! The types mirror the plugin's, field for field: `TechRadarLoaderResponse`,
//! `RadarQuadrant`, `RadarRing`, `RadarEntry`, `RadarEntryLink`,
//! `RadarEntrySnapshot` and `MovedState` in
//! <https://github.com/backstage/community-plugins/blob/main/workspaces/tech-radar/plugins/tech-radar-common/src/model.ts>
//! (and its zod parser, `schema.ts` beside it). The plugin draws an entry in
//! the ring of `timeline[0]` with `timeline[0].moved` as its movement
//! (`RadarComponent.tsx`), so the timeline is newest first and never empty.

use serde::Serialize;

use super::{Movement, Radar, RadarError, Ring};

/// `TechRadarLoaderResponse`.
#[derive(Debug, Serialize)]
pub struct TechRadarLoaderResponse {
    /// Up to four, clockwise from the bottom right.
    pub quadrants: Vec<RadarQuadrant>,
    /// Innermost first.
    pub rings: Vec<RadarRing>,
    /// One per system.
    pub entries: Vec<RadarEntry>,
}

/// `RadarQuadrant`.
#[derive(Debug, Serialize)]
pub struct RadarQuadrant {
    /// Referenced by `RadarEntry.quadrant`.
    pub id: String,
    /// Shown.
    pub name: String,
}

/// `RadarRing`.
#[derive(Debug, Serialize)]
pub struct RadarRing {
    /// Referenced by `RadarEntrySnapshot.ringId`.
    pub id: String,
    /// Shown.
    pub name: String,
    /// A `color-string` colour.
    pub color: String,
    /// Shown in the legend.
    pub description: String,
}

/// `RadarEntry` (without the deprecated `url`: `links` replaces it).
#[derive(Debug, Serialize)]
pub struct RadarEntry {
    /// React key.
    pub key: String,
    /// Id.
    pub id: String,
    /// A `RadarQuadrant.id`.
    pub quadrant: String,
    /// The system.
    pub title: String,
    /// Newest first.
    pub timeline: Vec<RadarEntrySnapshot>,
    /// Why it is in its ring, and its offerings.
    pub description: String,
    /// One per offering.
    pub links: Vec<RadarEntryLink>,
}

/// `RadarEntryLink`.
#[derive(Debug, Serialize)]
pub struct RadarEntryLink {
    /// The page.
    pub url: String,
    /// Its name.
    pub title: String,
}

/// `RadarEntrySnapshot`.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct RadarEntrySnapshot {
    /// `YYYY-MM-DD` (the plugin coerces it with `new Date`).
    pub date: String,
    /// A `RadarRing.id`.
    pub ring_id: String,
    /// What happened.
    pub description: String,
    /// `MovedState`: -1 down, 0 no change, 1 up.
    pub moved: i8,
}

/// `MovedState` of a movement: new and moved in are up (towards the centre).
pub fn moved_state(m: Movement) -> i8 {
    match m {
        Movement::New | Movement::MovedIn => 1,
        Movement::NoChange => 0,
        Movement::MovedOut => -1,
    }
}

/// The response for `radar`.
pub fn response(radar: &Radar) -> TechRadarLoaderResponse {
    use strum::VariantArray;
    let quadrants = radar
        .quadrants
        .iter()
        .map(|q| RadarQuadrant {
            id: q.id.clone(),
            name: q.name.clone(),
        })
        .collect();
    let rings = Ring::VARIANTS
        .iter()
        .map(|r| RadarRing {
            id: r.id().into(),
            name: r.name().into(),
            color: r.color().into(),
            description: r.description().into(),
        })
        .collect();
    let entries = radar
        .entries
        .iter()
        .filter_map(|e| {
            Some(RadarEntry {
                key: e.id.clone(),
                id: e.id.clone(),
                quadrant: radar.quadrants.get(e.quadrant)?.id.clone(),
                title: e.system.clone(),
                timeline: e
                    .history
                    .iter()
                    .map(|s| RadarEntrySnapshot {
                        date: s.date.to_string(),
                        ring_id: s.ring.id().into(),
                        description: s.description.clone(),
                        moved: moved_state(s.moved),
                    })
                    .collect(),
                description: e.description(),
                links: e
                    .offerings
                    .iter()
                    .filter(|o| !o.url.is_empty())
                    .map(|o| RadarEntryLink {
                        url: o.url.clone(),
                        title: format!("{} ({})", o.product, o.vendor.display_name()),
                    })
                    .collect(),
            })
        })
        .collect();
    TechRadarLoaderResponse {
        quadrants,
        rings,
        entries,
    }
}

/// The response as pretty JSON, with a final newline.
pub fn render(radar: &Radar) -> Result<String, RadarError> {
    let mut s = serde_json::to_string_pretty(&response(radar)).map_err(|e| RadarError::Write {
        format: "backstage",
        source: Box::new(e),
    })?;
    s.push('\n');
    Ok(s)
}
