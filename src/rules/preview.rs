//! `horizon rules test`: what each rule changes in the last weeks' reports.
//! Each week's report is built without any rule, then with each rule alone,
//! and the topic sections are compared item by item (rank before → after).

use jiff::{SignedDuration, Timestamp};
use serde::Serialize;

use crate::config::Config;
use crate::index::HorizonIndex;
use crate::report::{build_report, last_complete_week, Report, ReportError};
use crate::state::CrawlState;

/// One item whose place a rule changes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Moved {
    /// The topic.
    pub topic: String,
    /// The item's id.
    pub id: String,
    /// Its title.
    pub title: String,
    /// 1-based place among the topic's listed items without the rule; `None`: not listed.
    pub before: Option<usize>,
    /// With the rule.
    pub after: Option<usize>,
}

/// A rule's changes in one week's report.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct WeekChanges {
    /// `2026-W48`.
    pub week: String,
    /// The items that moved, appeared or went.
    pub moved: Vec<Moved>,
}

/// What one rule changes.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RuleEffect {
    /// The rule's name.
    pub rule: String,
    /// Its line in the config.
    pub line: usize,
    /// What it does, in words (`mute`, `pin`, `boost ×2`).
    pub action: String,
    /// Whether it is still in force (not expired).
    pub active: bool,
    /// Per week, newest first.
    pub weeks: Vec<WeekChanges>,
}

/// The listed items of every topic, in order: (topic, id, title).
fn listing(r: &Report) -> Vec<(String, String, String)> {
    r.topics
        .iter()
        .flat_map(|t| {
            t.sections
                .iter()
                .flat_map(|s| &s.items)
                .map(|i| (t.topic.clone(), i.id.clone(), i.title.clone()))
        })
        .collect()
}

fn place(list: &[(String, String, String)], topic: &str, id: &str) -> Option<usize> {
    list.iter()
        .filter(|(t, _, _)| t == topic)
        .position(|(_, i, _)| i == id)
        .map(|p| p + 1)
}

/// Items whose place differs between `before` and `after`.
fn diff(before: &Report, after: &Report) -> Vec<Moved> {
    let (b, a) = (listing(before), listing(after));
    let mut seen = std::collections::BTreeSet::new();
    let mut out = Vec::new();
    for (topic, id, title) in b.iter().chain(&a) {
        if !seen.insert((topic.clone(), id.clone())) {
            continue;
        }
        let (pb, pa) = (place(&b, topic, id), place(&a, topic, id));
        if pb != pa {
            out.push(Moved {
                topic: topic.clone(),
                id: id.clone(),
                title: title.clone(),
                before: pb,
                after: pa,
            });
        }
    }
    out
}

/// What each rule of `cfg` changes in the reports of the last `weeks`
/// complete weeks before `now` (each rule alone, in force or not).
pub fn preview(
    idx: &HorizonIndex,
    cfg: &Config,
    state: &CrawlState,
    weeks: usize,
    now: Timestamp,
) -> Result<Vec<RuleEffect>, ReportError> {
    let mut bare = cfg.clone();
    bare.rules.clear();
    let periods: Vec<_> = (0..weeks)
        .map(|k| last_complete_week(now - SignedDuration::from_hours(24 * 7 * k as i64)))
        .collect();
    let mut baselines = Vec::new();
    for p in &periods {
        baselines.push(build_report(idx, &bare, state, p.clone(), now)?);
    }
    let mut out = Vec::new();
    for rule in &cfg.rules {
        let mut alone = bare.clone();
        let mut forced = rule.clone();
        forced.until = None;
        alone.rules = vec![forced];
        let mut changes = Vec::new();
        for (p, base) in periods.iter().zip(&baselines) {
            let with = build_report(idx, &alone, state, p.clone(), now)?;
            changes.push(WeekChanges {
                week: p.label.clone(),
                moved: diff(base, &with),
            });
        }
        out.push(RuleEffect {
            rule: rule.name.clone(),
            line: rule.line,
            action: rule.action.describe(),
            active: rule.active_at(now),
            weeks: changes,
        });
    }
    Ok(out)
}
