//! Reading `sources.toml` with serde and reporting every key and value it
//! refuses in one run, not only the first.
//!
//! serde stops at its first error. [`read_all`] reads the document; when the
//! read fails, the error's span points at a key (unknown), at a value (of the
//! wrong type, or not one of a list) or at a table (a required key missing).
//! That entry is set aside — taken out of the document — and the document is
//! read again, until a read succeeds or an error has no place in it. Every
//! error is kept with its place. An error that only follows from an earlier
//! one (a table now lacks the required value that was set aside for being
//! wrong) is not repeated. The keys missing because of an error (set aside
//! for their values, or misspelt) are returned too, so that the checks after
//! serde do not also complain that they are missing.

use std::ops::{Range, RangeInclusive};

use toml::de::{DeTable, DeValue};
use toml::Spanned;

use super::line_col;
use super::source::ReadError;

/// Reads of the document before giving up: each one either finds a new
/// error or drops a table that an earlier error emptied, so this is twice
/// the number of errors reported at most.
const MAX_READS: usize = 200;

/// A key that is missing because of an error already reported: its value
/// was set aside, or an unknown key close to it was (`ulr` for `url`).
#[derive(Debug)]
pub(super) struct SetAside {
    /// The key.
    pub(super) key: String,
    /// The lines of the top-level table it is in (`[settings]`, one
    /// `[[sources]]` table…), header to last key.
    pub(super) lines: RangeInclusive<usize>,
}

/// What [`read_all`] found.
#[derive(Debug)]
pub(super) struct ReadAll<T> {
    /// The document as read once the refused entries were set aside; `None`
    /// when an error had no place to set aside, or there were too many.
    pub(super) value: Option<T>,
    /// Every error, in the order found.
    pub(super) errors: Vec<ReadError>,
    /// The keys missing because of an error in `errors`.
    pub(super) set_aside: Vec<SetAside>,
}

/// Read `doc` with `read`, setting aside each entry an error points at and
/// reading again, so that every error is found in one run.
pub(super) fn read_all<'i, T>(
    text: &str,
    mut doc: Spanned<DeTable<'i>>,
    read: impl Fn(Spanned<DeTable<'i>>) -> Result<T, ReadError>,
) -> ReadAll<T> {
    let mut found = ReadAll {
        value: None,
        errors: Vec::new(),
        set_aside: Vec::new(),
    };
    // (start of the table, key) of each value set aside.
    let mut emptied: Vec<(usize, String)> = Vec::new();
    for _ in 0..MAX_READS {
        let error = match read(doc.clone()) {
            Ok(value) => {
                found.value = Some(value);
                return found;
            }
            Err(error) => error,
        };
        let place = error
            .span
            .as_ref()
            .and_then(|span| locate(doc.get_ref(), span.start));
        let Some(place) = place else {
            found.errors.push(error);
            return found;
        };
        let follows = missing_field(&error.message)
            .is_some_and(|key| emptied.contains(&(place.node_start, key.to_string())));
        let missing = match (place.on_key, place.is_table, &place.key) {
            (false, false, Some(key)) => {
                emptied.push((place.table_start, key.clone()));
                Some(key.clone())
            }
            // `ulr = …`: `url` is missing too, because of this typo.
            (true, _, _) => super::suggested(&error.message).map(str::to_string),
            _ => None,
        };
        if let Some(key) = missing {
            found.set_aside.push(SetAside {
                key,
                lines: unit_lines(doc.get_ref(), &place.steps, text),
            });
        }
        remove(doc.get_mut(), &place.steps);
        if !follows {
            found.errors.push(error);
        }
    }
    found.errors.push(ReadError {
        span: None,
        message: format!("there may be more: horizon stops looking after {MAX_READS} reads of the file; fix these and run again"),
    });
    found
}

/// The key serde's "missing field `name`" names.
fn missing_field(message: &str) -> Option<&str> {
    message.strip_prefix("missing field `")?.split('`').next()
}

/// One step down the document: a table's key or an array's index.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Step {
    Key(String),
    Index(usize),
}

/// The entry an error's position falls in.
#[derive(Debug)]
struct Place {
    /// From the root to the entry.
    steps: Vec<Step>,
    /// The position is on the key (an unknown key), not on its value.
    on_key: bool,
    /// The entry's value is a table (the error is about the whole table).
    is_table: bool,
    /// Where the entry's value starts.
    node_start: usize,
    /// Where the table holding the entry's key starts.
    table_start: usize,
    /// The nearest key on the way (the array's key for an array element).
    key: Option<String>,
}

/// The deepest entry of `root` whose key or value holds byte `pos`.
fn locate(root: &DeTable<'_>, pos: usize) -> Option<Place> {
    let mut steps = Vec::new();
    let mut place = in_table(root, 0, pos, &mut steps)?;
    place.steps = steps;
    Some(place)
}

fn in_table(
    table: &DeTable<'_>,
    table_start: usize,
    pos: usize,
    steps: &mut Vec<Step>,
) -> Option<Place> {
    for (key, value) in table.iter() {
        let name = key.get_ref().to_string();
        steps.push(Step::Key(name.clone()));
        if key.span().contains(&pos) {
            return Some(leaf(true, value, table_start, Some(name)));
        }
        if let Some(deeper) = in_value(value, pos, steps) {
            // An array element belongs to the array's key, in this table.
            let table_start = if deeper.key.is_some() {
                deeper.table_start
            } else {
                table_start
            };
            return Some(Place {
                key: deeper.key.or(Some(name)),
                table_start,
                ..deeper
            });
        }
        if value.span().contains(&pos) {
            return Some(leaf(false, value, table_start, Some(name)));
        }
        steps.pop();
    }
    None
}

/// Inside `value` (a table's entries or an array's elements), not `value` itself.
fn in_value(value: &Spanned<DeValue<'_>>, pos: usize, steps: &mut Vec<Step>) -> Option<Place> {
    match value.get_ref() {
        DeValue::Table(table) => in_table(table, value.span().start, pos, steps),
        DeValue::Array(items) => {
            for (i, item) in items.iter().enumerate() {
                steps.push(Step::Index(i));
                if let Some(deeper) = in_value(item, pos, steps) {
                    return Some(deeper);
                }
                if item.span().contains(&pos) {
                    return Some(leaf(false, item, 0, None));
                }
                steps.pop();
            }
            None
        }
        _ => None,
    }
}

fn leaf(
    on_key: bool,
    value: &Spanned<DeValue<'_>>,
    table_start: usize,
    key: Option<String>,
) -> Place {
    Place {
        steps: Vec::new(),
        on_key,
        is_table: matches!(value.get_ref(), DeValue::Table(_)),
        node_start: value.span().start,
        table_start,
        key,
    }
}

/// Take the entry at `steps` out of `table`.
fn remove(table: &mut DeTable<'_>, steps: &[Step]) {
    match steps {
        [Step::Key(key)] => {
            table.remove(key.as_str());
        }
        [Step::Key(key), rest @ ..] => {
            if let Some(value) = table.get_mut(key.as_str()) {
                remove_in(value.get_mut(), rest);
            }
        }
        _ => {}
    }
}

fn remove_in(value: &mut DeValue<'_>, steps: &[Step]) {
    match (value, steps) {
        (DeValue::Table(table), _) => remove(table, steps),
        (DeValue::Array(items), [Step::Index(i)]) => {
            // toml's array has no `remove`: rebuilt without the element.
            *items = std::mem::replace(items, toml::de::DeArray::new())
                .into_iter()
                .enumerate()
                .filter(|(at, _)| at != i)
                .map(|(_, item)| item)
                .collect();
        }
        (DeValue::Array(items), [Step::Index(i), rest @ ..]) => {
            if let Some(item) = items.get_mut(*i) {
                remove_in(item.get_mut(), rest);
            }
        }
        _ => {}
    }
}

/// The lines of the top-level table `steps` starts in: `[settings]`, or one
/// element of an array of tables such as `[[sources]]`.
fn unit_lines(root: &DeTable<'_>, steps: &[Step], text: &str) -> RangeInclusive<usize> {
    let unit = match steps {
        [Step::Key(key), rest @ ..] => {
            root.get(key.as_str())
                .and_then(|v| match (v.get_ref(), rest) {
                    (DeValue::Array(items), [Step::Index(i), ..]) => items.get(*i),
                    _ => Some(v),
                })
        }
        _ => None,
    };
    let Some(unit) = unit else {
        return 1..=1;
    };
    let mut extent = unit.span();
    extend(unit, &mut extent);
    let first = line_col(text, extent.start).0;
    let last = line_col(text, extent.end.saturating_sub(1).max(extent.start)).0;
    first..=last
}

/// Grow `extent` to every key and value under `value`.
fn extend(value: &Spanned<DeValue<'_>>, extent: &mut Range<usize>) {
    add(extent, value.span());
    match value.get_ref() {
        DeValue::Table(table) => {
            for (key, v) in table.iter() {
                add(extent, key.span());
                extend(v, extent);
            }
        }
        DeValue::Array(items) => {
            for item in items {
                extend(item, extent);
            }
        }
        _ => {}
    }
}

fn add(extent: &mut Range<usize>, span: Range<usize>) {
    extent.start = extent.start.min(span.start);
    extent.end = extent.end.max(span.end);
}

#[cfg(test)]
mod tests {
    use serde::Deserialize;
    use toml::de::Deserializer;

    use super::*;

    #[derive(Debug, Deserialize)]
    #[serde(deny_unknown_fields)]
    #[allow(dead_code)]
    struct Doc {
        #[serde(default)]
        topics: Vec<Topic>,
    }

    #[derive(Debug, Deserialize)]
    #[serde(deny_unknown_fields)]
    #[allow(dead_code)]
    struct Topic {
        name: String,
        #[serde(default)]
        keywords: Vec<String>,
    }

    fn read(text: &str) -> ReadAll<Doc> {
        let doc = DeTable::parse(text).expect("valid TOML");
        read_all(text, doc, |doc| {
            Ok(Doc::deserialize(Deserializer::from(doc))?)
        })
    }

    /// Each error's line and message, in file order.
    fn lines(text: &str, found: &ReadAll<Doc>) -> Vec<(usize, String)> {
        let mut lines: Vec<(usize, String)> = found
            .errors
            .iter()
            .map(|e| {
                let span = e.span.clone().expect("a span");
                (line_col(text, span.start).0, e.message.clone())
            })
            .collect();
        lines.sort();
        lines
    }

    // Guards #31 item 7: serde's first error hid the others.
    #[test]
    fn every_refused_entry_is_found_once() {
        let text = "[[topics]]\nname = \"a\"\nkeyword = [\"x\"]\n\n[[topics]]\nname = 3\n\n[[topics]]\nname = \"c\"\nkeywords = [\"k\", 4]\nextra.deep = 1\n";
        let found = read(text);
        let got = lines(text, &found);
        assert_eq!(got.len(), 4, "{got:#?}");
        assert!(got[0].0 == 3 && got[0].1.starts_with("unknown field `keyword`"));
        assert!(got[1].0 == 6 && got[1].1.starts_with("invalid type: integer `3`"));
        assert!(got[2].0 == 10 && got[2].1.starts_with("invalid type: integer `4`"));
        assert!(got[3].0 == 11 && got[3].1.starts_with("unknown field `extra`"));
        // The table that lost its required name is dropped without a second message.
        let doc = found.value.expect("read once the entries were set aside");
        assert_eq!(doc.topics.len(), 2);
        assert_eq!(doc.topics[1].keywords, ["k"]);
        // The keys missing because of an error (the first one misspelt),
        // each with its table's lines.
        let keys: Vec<(&str, usize, bool)> = found
            .set_aside
            .iter()
            .map(|s| (s.key.as_str(), *s.lines.start(), s.lines.contains(&10)))
            .collect();
        assert_eq!(
            keys,
            [
                ("keywords", 1, false),
                ("name", 5, false),
                ("keywords", 8, true)
            ]
        );
    }

    #[test]
    fn the_search_stops_and_says_so() {
        let text = "[[topics]]\nnam = \"x\"\n".repeat(150);
        let found = read(&text);
        assert!(found.value.is_none());
        assert_eq!(found.errors.len(), MAX_READS + 1);
        let last = found.errors.last().expect("a note");
        assert!(last.span.is_none() && last.message.starts_with("there may be more"));
    }

    #[test]
    fn a_missing_key_is_reported_and_its_table_dropped() {
        let text = "[[topics]]\nkeywords = []\n\n[[topics]]\nname = \"b\"\n";
        let found = read(text);
        assert_eq!(
            lines(text, &found),
            [(1, "missing field `name`".to_string())]
        );
        assert_eq!(found.value.expect("read").topics.len(), 1);
    }
}
