//! `[radar]`: how `horizon radar` groups the topics into a radar's quadrants.
//!
//! A radar has at most four quadrants (Backstage, Zalando and Thoughtworks'
//! Build-Your-Own-Radar all draw four), so the topics are grouped: each
//! `[[radar.quadrants]]` names the topics whose systems it holds, in the
//! order the radars count them (clockwise from the bottom right). Without a
//! `[radar]` section the topics that list systems are dealt, in config order,
//! into at most four quadrants ([`RadarSettings::quadrants_for`]).
//!
//! ```toml
//! [[radar.quadrants]]
//! name = "Data"
//! topics = ["databases", "stream-processing"]
//!
//! [[radar.quadrants]]
//! name = "Platform"
//! topics = ["orchestration", "service-mesh"]
//! ```

use std::collections::BTreeSet;

use serde::Deserialize;
use toml::Spanned;

use super::{did_you_mean, line_col, Problem, Topic};

/// The most quadrants a radar draws.
pub const MAX_RADAR_QUADRANTS: usize = 4;

/// `[radar]` as written.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawRadar {
    #[serde(default)]
    quadrants: Option<Spanned<Vec<Spanned<RawQuadrant>>>>,
}

/// One `[[radar.quadrants]]` table as written.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawQuadrant {
    name: Spanned<String>,
    topics: Vec<Spanned<String>>,
}

/// One quadrant: a name and the topics whose systems it holds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RadarQuadrant {
    /// Shown on the radar.
    pub name: String,
    /// Topics, as `[[topics]]` names them.
    pub topics: Vec<String>,
}

/// `[radar]`, validated.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RadarSettings {
    /// `[[radar.quadrants]]` in file order; `None` when the file has none.
    pub quadrants: Option<Vec<RadarQuadrant>>,
}

impl RadarSettings {
    /// The quadrants to draw: the configured ones, else the default
    /// grouping of `topics` — those listing systems, in config order, one
    /// quadrant each when there are at most four, otherwise dealt into four
    /// runs of consecutive topics (the first runs one longer when they do
    /// not divide evenly), each named after its topics.
    pub fn quadrants_for(&self, topics: &[Topic]) -> Vec<RadarQuadrant> {
        if let Some(q) = &self.quadrants {
            return q.clone();
        }
        let names: Vec<&str> = topics
            .iter()
            .filter(|t| !t.systems.is_empty())
            .map(|t| t.name.as_str())
            .collect();
        let groups = names.len().min(MAX_RADAR_QUADRANTS);
        let mut out = Vec::with_capacity(groups);
        let mut rest = names.as_slice();
        for i in 0..groups {
            let take = rest.len().div_ceil(groups - i);
            let (head, tail) = rest.split_at(take.min(rest.len()));
            out.push(RadarQuadrant {
                name: head.join(", "),
                topics: head.iter().map(|t| t.to_string()).collect(),
            });
            rest = tail;
        }
        out
    }
}

/// Validate `[radar]`: at most four quadrants, each with a name of its own
/// and known topics, no topic in two quadrants. One problem per bad key.
pub(super) fn build_radar(
    raw: RawRadar,
    text: &str,
    topics: &BTreeSet<String>,
    problems: &mut Vec<Problem>,
) -> RadarSettings {
    let Some(spanned) = raw.quadrants else {
        return RadarSettings::default();
    };
    let list_line = line_col(text, spanned.span().start).0;
    let raw_quadrants = spanned.into_inner();
    let mut bad = |span: std::ops::Range<usize>, context: String, message: String| {
        let (line, column) = line_col(text, span.start);
        problems.push(Problem {
            line,
            column: Some(column),
            context,
            message,
        });
    };
    if raw_quadrants.len() > MAX_RADAR_QUADRANTS {
        let names: Vec<String> = raw_quadrants
            .iter()
            .map(|q| format!("{:?}", q.get_ref().name.get_ref()))
            .collect();
        let fifth = raw_quadrants
            .get(MAX_RADAR_QUADRANTS)
            .map_or(list_line..list_line, |q| q.span());
        bad(
            fifth,
            "[radar] quadrants".into(),
            format!(
                "{} quadrants ({}), but a radar has at most {MAX_RADAR_QUADRANTS}: put several topics in one quadrant",
                raw_quadrants.len(),
                names.join(", ")
            ),
        );
    }
    let known: Vec<&str> = topics.iter().map(String::as_str).collect();
    let mut names_seen = BTreeSet::new();
    let mut topics_seen = BTreeSet::new();
    let mut out = Vec::new();
    for q in raw_quadrants {
        let q = q.into_inner();
        let name = q.name.get_ref().trim().to_string();
        let context = format!("[[radar.quadrants]] {name:?}");
        if name.is_empty() {
            bad(q.name.span(), context.clone(), "name: is empty".into());
        } else if !names_seen.insert(name.to_lowercase()) {
            bad(
                q.name.span(),
                context.clone(),
                "name: another quadrant has this name".into(),
            );
        }
        if q.topics.is_empty() {
            bad(
                q.name.span(),
                context.clone(),
                "topics: lists no topic".into(),
            );
        }
        let mut quadrant_topics = Vec::new();
        for t in q.topics {
            let topic = t.get_ref().trim().to_string();
            if !topics.contains(&topic) {
                bad(
                    t.span(),
                    context.clone(),
                    if known.is_empty() {
                        format!("topics: no topic named {topic:?}; the config has no [[topics]]")
                    } else {
                        format!(
                            "topics: no topic named {topic:?}; topics are: {}{}",
                            known.join(", "),
                            did_you_mean(&topic, known.iter().copied())
                        )
                    },
                );
            } else if !topics_seen.insert(topic.clone()) {
                bad(
                    t.span(),
                    context.clone(),
                    format!("topics: {topic:?} is already in another quadrant"),
                );
            } else {
                quadrant_topics.push(topic);
            }
        }
        out.push(RadarQuadrant {
            name,
            topics: quadrant_topics,
        });
    }
    RadarSettings {
        quadrants: Some(out),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn topic(name: &str, systems: &[&str]) -> Topic {
        Topic {
            name: name.into(),
            description: None,
            keywords: vec![name.into()],
            exclude: Vec::new(),
            query: None,
            products: Vec::new(),
            arxiv_categories: Vec::new(),
            systems: systems.iter().map(|s| s.to_string()).collect(),
            aliases: Default::default(),
            line: 1,
        }
    }

    /// Guards the default grouping: topics without systems are left out,
    /// and more than four are dealt into four runs in config order.
    #[test]
    fn default_grouping_deals_topics_into_four() {
        let topics: Vec<Topic> = ["a", "b", "c", "d", "e", "f"]
            .iter()
            .map(|n| topic(n, &["x"]))
            .chain([topic("empty", &[])])
            .collect();
        let q = RadarSettings::default().quadrants_for(&topics);
        let groups: Vec<Vec<&str>> = q
            .iter()
            .map(|q| q.topics.iter().map(String::as_str).collect())
            .collect();
        assert_eq!(
            groups,
            [vec!["a", "b"], vec!["c", "d"], vec!["e"], vec!["f"]]
        );
        assert_eq!(q[0].name, "a, b");
        let two = RadarSettings::default().quadrants_for(&topics[..2]);
        assert_eq!(two.len(), 2);
        assert_eq!(two[1].topics, ["b"]);
    }
}
