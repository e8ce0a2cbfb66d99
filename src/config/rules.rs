//! `[[rules]]`: the team's explicit ranking rules — a query, an action
//! (`mute`, `pin`, or `boost` with a factor), a scope (one topic or all) and
//! an optional expiry. Read here with the line of every key, so an invalid
//! rule is reported as `file:line: rule "name": key: what is wrong`; applied
//! at search and report time by `crate::rules`.
//!
//! ```toml
//! [[rules]]
//! name = "no webinars"
//! query = "title:webinar OR title:\"register now\""
//! action = "mute"          # mute | pin | boost
//! topic = "streaming"      # default: every topic
//! until = "2027-03-01"     # default: no expiry
//!
//! [[rules]]
//! query = "source:confluent-blog"
//! action = "boost"
//! boost = 1.5
//! ```

use std::collections::BTreeSet;

use jiff::Timestamp;
use serde::Deserialize;
use toml::Spanned;

use super::{line_col, Problem};

/// The largest boost factor a rule may give (and the smallest is its inverse).
pub const MAX_RULE_BOOST: f64 = 100.0;

/// What a rule does to the documents its query matches.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum RuleAction {
    /// Never listed (the report) or found (search) in its scope.
    Mute,
    /// Listed first in its scope.
    Pin,
    /// Score multiplied by the factor (below 1 pushes down).
    Boost(f64),
}

impl RuleAction {
    /// `mute`, `pin` or `boost ×N`.
    pub fn describe(&self) -> String {
        match self {
            RuleAction::Mute => "mute".into(),
            RuleAction::Pin => "pin".into(),
            RuleAction::Boost(f) => format!("boost ×{f}"),
        }
    }
}

/// One `[[rules]]` table, validated.
#[derive(Debug, Clone, PartialEq)]
pub struct Rule {
    /// `name`, else `rule at line N`.
    pub name: String,
    /// The documents it concerns, in the search syntax.
    pub query: String,
    /// What it does.
    pub action: RuleAction,
    /// The topic it applies to; `None`: every topic (and search without a topic filter).
    pub topic: Option<String>,
    /// When it stops applying.
    pub until: Option<Timestamp>,
    /// Line of the table.
    pub line: usize,
}

impl Rule {
    /// Whether the rule is in force at `when`.
    pub fn active_at(&self, when: Timestamp) -> bool {
        self.until.is_none_or(|u| when < u)
    }

    /// Whether the rule speaks about `topic` (`None`: no topic in particular).
    pub fn applies_to(&self, topic: Option<&str>) -> bool {
        match (&self.topic, topic) {
            (None, _) => true,
            (Some(mine), Some(t)) => mine == t,
            (Some(_), None) => false,
        }
    }
}

/// A `[[rules]]` table as written.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawRule {
    #[serde(default)]
    name: Option<Spanned<String>>,
    query: Spanned<String>,
    action: Spanned<String>,
    #[serde(default)]
    boost: Option<Spanned<f64>>,
    #[serde(default)]
    topic: Option<Spanned<String>>,
    #[serde(default)]
    until: Option<Spanned<String>>,
}

/// Validate every rule, pushing one problem per bad key.
pub(super) fn build_rules(
    raw: Vec<Spanned<RawRule>>,
    text: &str,
    topics: &BTreeSet<String>,
    problems: &mut Vec<Problem>,
) -> Vec<Rule> {
    let mut out = Vec::new();
    for spanned in raw {
        let line = line_col(text, spanned.span().start).0;
        if let Some(rule) = build_rule(spanned.into_inner(), line, text, topics, problems) {
            out.push(rule);
        }
    }
    out
}

fn build_rule(
    r: RawRule,
    line: usize,
    text: &str,
    topics: &BTreeSet<String>,
    problems: &mut Vec<Problem>,
) -> Option<Rule> {
    let name = r
        .name
        .as_ref()
        .map(|n| n.get_ref().trim().to_string())
        .filter(|n| !n.is_empty())
        .unwrap_or_else(|| format!("rule at line {line}"));
    let before = problems.len();
    let mut bad = |span: std::ops::Range<usize>, key: &str, message: String| {
        problems.push(Problem {
            column: None,
            line: line_col(text, span.start).0,
            context: format!("rule {name:?}: {key}"),
            message,
        });
    };
    if let Err(e) = crate::search::validate_query(r.query.get_ref()) {
        bad(r.query.span(), "query", format!("invalid query: {e}"));
    } else if r.query.get_ref().trim().is_empty() {
        bad(
            r.query.span(),
            "query",
            "is empty: it would match every document".into(),
        );
    }
    let action = match (r.action.get_ref().as_str(), &r.boost) {
        ("mute", None) => Some(RuleAction::Mute),
        ("pin", None) => Some(RuleAction::Pin),
        ("boost", Some(b)) => {
            let f = *b.get_ref();
            if f.is_finite() && f > 0.0 && (1.0 / MAX_RULE_BOOST..=MAX_RULE_BOOST).contains(&f) {
                Some(RuleAction::Boost(f))
            } else {
                bad(
                    b.span(),
                    "boost",
                    format!(
                        "must be between {} and {MAX_RULE_BOOST}",
                        1.0 / MAX_RULE_BOOST
                    ),
                );
                None
            }
        }
        ("boost", None) => {
            bad(
                r.action.span(),
                "action",
                "\"boost\" needs `boost = N` (a factor such as 2 or 0.5)".into(),
            );
            None
        }
        ("mute" | "pin", Some(b)) => {
            bad(b.span(), "boost", "only with action = \"boost\"".into());
            None
        }
        (other, _) => {
            bad(
                r.action.span(),
                "action",
                format!(
                    "{other:?} is not an action: use \"mute\", \"pin\" or \"boost\"{}",
                    super::did_you_mean(other, ["mute", "pin", "boost"])
                ),
            );
            None
        }
    };
    let topic = r.topic.as_ref().map(|t| t.get_ref().trim().to_string());
    if let (Some(t), Some(span)) = (&topic, r.topic.as_ref().map(Spanned::span)) {
        if !topics.contains(t) {
            let known: Vec<&str> = topics.iter().map(String::as_str).collect();
            bad(
                span,
                "topic",
                format!(
                    "no topic named {t:?}; topics are: {}{}",
                    known.join(", "),
                    super::did_you_mean(t, known.iter().copied())
                ),
            );
        }
    }
    let until = r
        .until
        .as_ref()
        .and_then(|u| match parse_expiry(u.get_ref()) {
            Ok(t) => Some(t),
            Err(e) => {
                bad(u.span(), "until", e);
                None
            }
        });
    if problems.len() > before {
        return None;
    }
    Some(Rule {
        name,
        query: r.query.into_inner(),
        action: action?,
        topic,
        until,
        line,
    })
}

/// An expiry: a date (`2027-03-01`, midnight UTC) or a timestamp, never a
/// duration (a rule's meaning must not change with the day it is read).
fn parse_expiry(s: &str) -> Result<Timestamp, String> {
    let t = s.trim();
    if let Ok(ts) = t.parse::<Timestamp>() {
        return Ok(ts);
    }
    t.parse::<jiff::civil::Date>()
        .ok()
        .and_then(|d| d.to_zoned(jiff::tz::TimeZone::UTC).ok())
        .map(|z| z.timestamp())
        .ok_or_else(|| format!("{s:?} is not a date (2027-03-01) or a timestamp"))
}
