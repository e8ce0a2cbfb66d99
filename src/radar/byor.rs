//! The radar as Thoughtworks' Build-Your-Own-Radar reads a CSV file.
//!
//! The columns are those its README documents and `src/util/contentValidator.js`
//! requires (<https://github.com/thoughtworks/build-your-own-radar>):
//! `name`, `ring`, `quadrant`, `isNew`, `description`, and the optional
//! `status` (`New`, `Moved In`, `Moved Out`, `No Change`). Both `isNew` and
//! `status` are written: the loader calls `blip.isNew.toLowerCase()` even
//! when `status` is there. BYOR draws exactly four quadrants and at most four
//! rings (`src/graphing/config.js` `isValidConfig`, `src/models/radar.js`);
//! the legacy loader takes rings in their order of first appearance, so rows
//! go innermost ring first. The description may carry the HTML its
//! `sanitize-html` keeps (`src/util/inputSanitizer.js`: `p`, `ul`, `li`, `a`
//! with `href`, `strong`, …); everything else is escaped.

use super::{Movement, Radar, RadarError};

/// The columns, in order.
pub const BYOR_COLUMNS: [&str; 6] = ["name", "ring", "quadrant", "isNew", "status", "description"];

/// The quadrants BYOR draws.
pub const BYOR_QUADRANTS: usize = 4;

/// BYOR's `status` words.
pub fn status(m: Movement) -> &'static str {
    match m {
        Movement::New => "New",
        Movement::MovedIn => "Moved In",
        Movement::MovedOut => "Moved Out",
        Movement::NoChange => "No Change",
    }
}

fn esc(s: &str) -> String {
    html_escape::encode_double_quoted_attribute(s).into_owned()
}

/// The description as BYOR's allowed HTML: the reason, then the offerings
/// as links.
pub fn description(e: &super::Entry) -> String {
    let mut out = format!("<p>{}</p>", esc(&e.reason));
    if !e.offerings.is_empty() {
        out.push_str("<ul>");
        for o in &e.offerings {
            let line = esc(&super::offering_line(o));
            if o.url.is_empty() {
                out.push_str(&format!("<li>{line}</li>"));
            } else {
                out.push_str(&format!("<li><a href=\"{}\">{line}</a></li>", esc(&o.url)));
            }
        }
        out.push_str("</ul>");
    }
    out
}

/// The CSV: a header row, then one row per entry.
pub fn render(radar: &Radar) -> Result<String, RadarError> {
    if radar.quadrants.len() != BYOR_QUADRANTS {
        return Err(RadarError::Quadrants {
            format: "Build-Your-Own-Radar",
            count: radar.quadrants.len(),
            names: radar
                .quadrants
                .iter()
                .map(|q| format!("{:?}", q.name))
                .collect::<Vec<_>>()
                .join(", "),
        });
    }
    let fail = |e: csv::Error| RadarError::Write {
        format: "byor",
        source: Box::new(e),
    };
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record(BYOR_COLUMNS).map_err(fail)?;
    for e in &radar.entries {
        let Some(q) = radar.quadrants.get(e.quadrant) else {
            continue;
        };
        let is_new = if e.movement == Movement::New {
            "TRUE"
        } else {
            "FALSE"
        };
        w.write_record([
            e.system.as_str(),
            e.ring.name(),
            q.name.as_str(),
            is_new,
            status(e.movement),
            description(e).as_str(),
        ])
        .map_err(fail)?;
    }
    let bytes = w.into_inner().map_err(|e| RadarError::Write {
        format: "byor",
        source: Box::new(e.into_error()),
    })?;
    String::from_utf8(bytes).map_err(|e| RadarError::Write {
        format: "byor",
        source: Box::new(e),
    })
}
