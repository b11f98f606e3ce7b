//! The semantic three-way merge: what merging three parsed documents must
//! give, as a pure function over values. It is the reference the merged text
//! is held to ([`super::merge`] calls it the guard): the text, parsed exactly
//! as written, must [`agree`](agrees) with [`merge`] of the three parsed
//! versions, or the merge is a conflict.
//!
//! Values compare by what they mean, not how they are written: scalars by
//! their YAML 1.2 core-schema value (`true`/`True`, `1`/`0x1`/`+1`,
//! `1.0`/`1.00`, `null`/`~`, `job1`/`"job1"` are equal; `1` and `1.0` and
//! `"1"` are not), mappings regardless of key order, comments and layout not
//! at all. The rules, per mapping key and per list entry:
//!
//! | case                                                    | result     |
//! |---------------------------------------------------------|------------|
//! | changed on one side only, or identically on both        | that value |
//! | added on one side; added on both with equal values      | added      |
//! | added on both sides with different values               | conflict   |
//! | deleted on one side, unchanged on the other; on both    | deleted    |
//! | deleted on one side, changed on the other               | conflict   |
//! | changed on both sides, all three mappings (or lists)    | merged by these rules |
//! | changed on both sides, all three strings                | merged line by line, as below |
//! | changed on both sides otherwise                         | conflict   |
//!
//! A list whose entries are all mappings holding one of the schema's
//! `x-merge-key` names with a scalar value, unique within each of the three
//! versions, merges like a mapping keyed by that value (the entries of
//! `ours` in its order, then those new in `theirs`); [`agrees`] compares such
//! lists without regard to order, as it does mappings. Any other list merges
//! entry by entry with a diff3 over its entries (each entry one record, as in
//! a line merge of a list written one entry per line): changes that touch
//! different entries merge; entries both sides inserted at the same place
//! are all kept, ours first (two writers each appending an item both land);
//! changes to the same entries conflict, except that where the three
//! versions of a conflicting stretch have the same length, its entries are
//! merged pairwise; and if that fails, lists of equal length in all three
//! versions are merged position by position. The structural merge lines up
//! list entries the same way ([`align`]), and changes to adjacent entries
//! merge here (a line merge would conflict on them), so that a text merge
//! that is clean is not refused for them. Multi-line strings merge with the
//! same diff3 over their lines, as a line merge of a literal block scalar
//! does (there, insertions at one place conflict).
//!
//! [`parse_value`] reads a text iteratively; the merge functions recurse once
//! per nesting level of values it made, and its parser refuses anything
//! nested deeper than its limit (128 levels), so the depth is bounded: a
//! document nested deeper never becomes a value, and its merge conflicts.

use std::cmp::Ordering;
use std::collections::HashMap;
use std::hash::{Hash, Hasher};

use super::line;
use crate::document::{self, Document, Format, Kind, Limits, NodeId, Resolved};

/// A parsed document as the semantic merge sees it.
///
/// Build mappings with [`Value::map`], which keeps the invariant that their
/// entries are sorted by key and keys are unique.
#[derive(Debug, Clone)]
pub enum Value {
    Null,
    Bool(bool),
    Int(i128),
    Float(f64),
    String(String),
    Seq(Vec<Value>),
    /// Sorted by key; no key twice.
    Map(Vec<(Value, Value)>),
}

impl Value {
    /// A mapping of these entries, or `None` if a key is given twice (by
    /// value: `true` and `True` are one key).
    pub fn map(mut entries: Vec<(Value, Value)>) -> Option<Value> {
        entries.sort_by(|(a, _), (b, _)| a.cmp(b));
        if entries.windows(2).any(|w| w[0].0 == w[1].0) {
            return None;
        }
        Some(Value::Map(entries))
    }

    fn rank(&self) -> u8 {
        match self {
            Value::Null => 0,
            Value::Bool(_) => 1,
            Value::Int(_) => 2,
            Value::Float(_) => 3,
            Value::String(_) => 4,
            Value::Seq(_) => 5,
            Value::Map(_) => 6,
        }
    }

    /// The entry under `key` of a mapping.
    fn get(&self, key: &Value) -> Option<&Value> {
        let Value::Map(entries) = self else {
            return None;
        };
        entries.binary_search_by(|(k, _)| k.cmp(key)).ok().map(|i| &entries[i].1)
    }

    fn is_scalar(&self) -> bool {
        !matches!(self, Value::Seq(_) | Value::Map(_))
    }
}

/// `-0.0` is `0.0`, and every NaN is one value, so that equality, order and
/// hash agree.
fn float_key(f: f64) -> f64 {
    if f == 0.0 {
        0.0
    } else if f.is_nan() {
        f64::NAN
    } else {
        f
    }
}

impl Ord for Value {
    fn cmp(&self, other: &Value) -> Ordering {
        match (self, other) {
            (Value::Bool(a), Value::Bool(b)) => a.cmp(b),
            (Value::Int(a), Value::Int(b)) => a.cmp(b),
            (Value::Float(a), Value::Float(b)) => float_key(*a).total_cmp(&float_key(*b)),
            (Value::String(a), Value::String(b)) => a.cmp(b),
            (Value::Seq(a), Value::Seq(b)) => a.cmp(b),
            (Value::Map(a), Value::Map(b)) => a.cmp(b),
            _ => self.rank().cmp(&other.rank()),
        }
    }
}

impl PartialOrd for Value {
    fn partial_cmp(&self, other: &Value) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl PartialEq for Value {
    fn eq(&self, other: &Value) -> bool {
        self.cmp(other) == Ordering::Equal
    }
}

impl Eq for Value {}

impl Hash for Value {
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.rank().hash(state);
        match self {
            Value::Null => {}
            Value::Bool(b) => b.hash(state),
            Value::Int(i) => i.hash(state),
            Value::Float(f) => float_key(*f).to_bits().hash(state),
            Value::String(s) => s.hash(state),
            Value::Seq(items) => items.hash(state),
            Value::Map(entries) => entries.hash(state),
        }
    }
}

/// Merges `ours` and `theirs`, both descended from `base`; `None` when they
/// conflict. `list_keys` are the schema's `x-merge-key` names, tried in order.
pub fn merge(base: &Value, ours: &Value, theirs: &Value, list_keys: &[String]) -> Option<Value> {
    if ours == base {
        return Some(theirs.clone());
    }
    if theirs == base || theirs == ours {
        return Some(ours.clone());
    }
    match (base, ours, theirs) {
        (Value::Map(b), Value::Map(o), Value::Map(t)) => merge_maps(b, o, t, list_keys),
        (Value::Seq(b), Value::Seq(o), Value::Seq(t)) => match list_key([b, o, t], list_keys) {
            Some(key) => merge_keyed(b, o, t, key, list_keys),
            None => merge_list(b, o, t, list_keys),
        },
        (Value::String(b), Value::String(o), Value::String(t)) => {
            fn lines(s: &str) -> Vec<&str> {
                s.split_inclusive('\n').collect()
            }
            let (b, o, t) = (lines(b), lines(o), lines(t));
            let mut merged = String::new();
            for entry in align(&b, &o, &t, false)? {
                merged.push_str(match entry {
                    Aligned::Same(i, j, k) => {
                        if o[j] == b[i] {
                            t[k]
                        } else {
                            o[j]
                        }
                    }
                    Aligned::Ours(i) => o[i],
                    Aligned::Theirs(i) => t[i],
                    // Lines both sides changed: a line merge conflicts.
                    Aligned::Paired(..) => return None,
                });
            }
            Some(Value::String(merged))
        }
        _ => None,
    }
}

/// Whether `merged` (the merged text, parsed) is what `expected` (the
/// semantic merge) says: equal, except that lists keyed by one of
/// `list_keys` in both are compared as sets of entries.
pub fn agrees(merged: &Value, expected: &Value, list_keys: &[String]) -> bool {
    match (merged, expected) {
        (Value::Map(m), Value::Map(e)) => {
            m.len() == e.len() && m.iter().zip(e).all(|((mk, mv), (ek, ev))| mk == ek && agrees(mv, ev, list_keys))
        }
        (Value::Seq(m), Value::Seq(e)) if m.len() == e.len() => match list_key([m, e], list_keys) {
            Some(key) => by_id(m, key)
                .into_iter()
                .zip(by_id(e, key))
                .all(|((mi, mv), (ei, ev))| mi == ei && agrees(mv, ev, list_keys)),
            None => m.iter().zip(e).all(|(mv, ev)| agrees(mv, ev, list_keys)),
        },
        _ => merged == expected,
    }
}

/// The entries of a list keyed by `key`, sorted by their identity.
fn by_id<'v>(list: &'v [Value], key: &str) -> Vec<(&'v Value, &'v Value)> {
    let mut entries: Vec<_> = list.iter().filter_map(|entry| Some((id(entry, key)?, entry))).collect();
    entries.sort_by(|a, b| a.0.cmp(b.0));
    entries
}

/// What absence or presence of one key (or keyed list entry) in the three
/// versions merges to: `Some(None)` deleted or never there, `None` conflict.
fn merge_entry(
    base: Option<&Value>,
    ours: Option<&Value>,
    theirs: Option<&Value>,
    list_keys: &[String],
) -> Option<Option<Value>> {
    match (base, ours, theirs) {
        (_, None, None) => Some(None),
        (None, Some(x), None) | (None, None, Some(x)) => Some(Some(x.clone())),
        (None, Some(o), Some(t)) => (o == t).then(|| Some(o.clone())),
        (Some(b), Some(x), None) | (Some(b), None, Some(x)) => (x == b).then_some(None),
        (Some(b), Some(o), Some(t)) => merge(b, o, t, list_keys).map(Some),
    }
}

fn merge_maps(
    base: &[(Value, Value)],
    ours: &[(Value, Value)],
    theirs: &[(Value, Value)],
    list_keys: &[String],
) -> Option<Value> {
    let mut keys: Vec<&Value> = base.iter().chain(ours).chain(theirs).map(|(k, _)| k).collect();
    keys.sort();
    keys.dedup();
    fn get<'v>(entries: &'v [(Value, Value)], key: &Value) -> Option<&'v Value> {
        entries.binary_search_by(|(k, _)| k.cmp(key)).ok().map(|i| &entries[i].1)
    }
    let mut merged = Vec::new();
    for key in keys {
        if let Some(value) = merge_entry(get(base, key), get(ours, key), get(theirs, key), list_keys)? {
            merged.push((key.clone(), value));
        }
    }
    // Keys came sorted and unique.
    Some(Value::Map(merged))
}

/// The value of `key` in a list entry, when the entry is a mapping holding it
/// with a scalar value.
fn id<'v>(entry: &'v Value, key: &str) -> Option<&'v Value> {
    entry.get(&Value::String(key.to_owned())).filter(|v| v.is_scalar())
}

/// The first of `list_keys` that identifies every entry of every list, with
/// values unique within each list.
fn list_key<'k, const N: usize>(lists: [&[Value]; N], list_keys: &'k [String]) -> Option<&'k str> {
    list_keys.iter().map(String::as_str).find(|key| {
        lists.iter().all(|list| {
            let ids: Option<Vec<&Value>> = list.iter().map(|entry| id(entry, key)).collect();
            ids.is_some_and(|mut ids| {
                ids.sort();
                ids.windows(2).all(|w| w[0] != w[1])
            })
        })
    })
}

/// A list keyed by `key`: entries of `ours` in its order, then entries new in
/// `theirs` in theirs' order.
fn merge_keyed(base: &[Value], ours: &[Value], theirs: &[Value], key: &str, list_keys: &[String]) -> Option<Value> {
    let find = |list, wanted| find_entry(list, key, wanted);
    let mut merged = Vec::new();
    for entry in ours {
        let wanted = id(entry, key)?;
        if let Some(value) = merge_entry(find(base, wanted), Some(entry), find(theirs, wanted), list_keys)? {
            merged.push(value);
        }
    }
    for entry in base {
        let wanted = id(entry, key)?;
        if find(ours, wanted).is_none() {
            merge_entry(Some(entry), None, find(theirs, wanted), list_keys)?;
        }
    }
    for entry in theirs {
        let wanted = id(entry, key)?;
        if find(base, wanted).is_none() && find(ours, wanted).is_none() {
            merged.push(entry.clone());
        }
    }
    Some(Value::Seq(merged))
}

fn find_entry<'v>(list: &'v [Value], key: &str, wanted: &Value) -> Option<&'v Value> {
    list.iter().find(|entry| id(entry, key) == Some(wanted))
}

/// An unkeyed list: diff3 over entries, else position by position when no
/// side changed the length.
fn merge_list(base: &[Value], ours: &[Value], theirs: &[Value], list_keys: &[String]) -> Option<Value> {
    let by_entries = align(base, ours, theirs, true).and_then(|aligned| {
        aligned
            .into_iter()
            .map(|entry| match entry {
                Aligned::Same(b, o, t) | Aligned::Paired(b, o, t) => merge(&base[b], &ours[o], &theirs[t], list_keys),
                Aligned::Ours(o) => Some(ours[o].clone()),
                Aligned::Theirs(t) => Some(theirs[t].clone()),
            })
            .collect::<Option<Vec<_>>>()
    });
    if let Some(merged) = by_entries {
        return Some(Value::Seq(merged));
    }
    if ours.len() != base.len() || theirs.len() != base.len() {
        return None;
    }
    let pairs = base.iter().zip(ours).zip(theirs);
    pairs.map(|((b, o), t)| merge(b, o, t, list_keys)).collect::<Option<_>>().map(Value::Seq)
}

/// Where an entry of a merged list comes from: indexes into base, ours and
/// theirs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Aligned {
    /// One entry in all three, changed by one side at most (or by both
    /// alike).
    Same(usize, usize, usize),
    /// Entries both sides changed, in a stretch of the same length in all
    /// three versions: to be merged one by one.
    Paired(usize, usize, usize),
    Ours(usize),
    Theirs(usize),
}

/// Three-way alignment of two edited copies of a list of records, or `None`
/// where the two sides' changes collide.
///
/// Each side's changes come from the same diff as the line merge. A change is
/// placed on a line of doubled base positions: record `k` is at `2k + 1`,
/// the gap before it at `2k`; a change that replaces records covers their
/// odd positions, an insertion its gap. Changes of the two sides that cover
/// a common position form one stretch: taken once if both sides made it the
/// same, paired record by record if the stretch has the same length in all
/// three versions; two insertions at one place (no base record in the
/// stretch) are both taken, ours first, when `both_insert` (list entries),
/// and collide otherwise (lines, as in a line merge).
pub(super) fn align<T: Eq + Hash>(base: &[T], ours: &[T], theirs: &[T], both_insert: bool) -> Option<Vec<Aligned>> {
    let sides = [line::diff(base, ours), line::diff(base, theirs)];
    let cover =
        |c: &line::Change| if c.chg1 == 0 { (2 * c.i1, 2 * c.i1) } else { (2 * c.i1 + 1, 2 * (c.i1 + c.chg1) - 1) };
    let mut changes: Vec<(usize, usize, usize, line::Change)> = sides
        .iter()
        .enumerate()
        .flat_map(|(side, cs)| cs.iter().map(move |c| (cover(c).0, cover(c).1, side, *c)))
        .collect();
    changes.sort_by_key(|&(start, end, side, _)| (start, end, side));

    let texts = [ours, theirs];
    let mut aligned = Vec::with_capacity(base.len().max(ours.len()).max(theirs.len()));
    let mut copied = 0;
    // How far each side's positions run ahead of the base's so far.
    let mut shift = [0isize; 2];
    let unchanged = |aligned: &mut Vec<Aligned>, range: std::ops::Range<usize>, shift: [isize; 2]| {
        let at = |i: usize, side: usize| (i as isize + shift[side]) as usize;
        aligned.extend(range.map(|i| Aligned::Same(i, at(i, 0), at(i, 1))));
    };
    let mut i = 0;
    while i < changes.len() {
        let mut end = changes[i].1;
        let mut j = i + 1;
        while j < changes.len() && changes[j].0 <= end {
            end = end.max(changes[j].1);
            j += 1;
        }
        let stretch = &changes[i..j];
        let from = stretch.iter().map(|c| c.3.i1).min().expect("a stretch has a change");
        let to = stretch.iter().map(|c| c.3.i1 + c.3.chg1).max().expect("a stretch has a change");
        unchanged(&mut aligned, copied..from, shift);
        copied = to;
        let mut slices: [Option<std::ops::Range<usize>>; 2] = [None, None];
        for side in 0..2 {
            let grown: isize =
                stretch.iter().filter(|c| c.2 == side).map(|c| c.3.chg2 as isize - c.3.chg1 as isize).sum();
            if stretch.iter().any(|c| c.2 == side) {
                let start = (from as isize + shift[side]) as usize;
                let end = (to as isize + shift[side] + grown) as usize;
                slices[side] = Some(start..end);
            }
            shift[side] += grown;
        }
        // Where the stretch keeps its length on a side, the records still
        // line up one to one with the base's: each is one entry, changed.
        let at = |side: usize, k: usize| (from as isize + shift[side]) as usize + k;
        match slices {
            [Some(o), None] if o.len() == to - from => {
                aligned.extend((0..to - from).map(|k| Aligned::Same(from + k, o.start + k, at(1, k))));
            }
            [None, Some(t)] if t.len() == to - from => {
                aligned.extend((0..to - from).map(|k| Aligned::Same(from + k, at(0, k), t.start + k)));
            }
            [Some(o), Some(t)] if o.len() == to - from && texts[0][o.clone()] == texts[1][t.clone()] => {
                aligned.extend((0..to - from).map(|k| Aligned::Same(from + k, o.start + k, t.start + k)));
            }
            [Some(o), None] => aligned.extend(o.map(Aligned::Ours)),
            [None, Some(t)] => aligned.extend(t.map(Aligned::Theirs)),
            [Some(o), Some(t)] if texts[0][o.clone()] == texts[1][t.clone()] => aligned.extend(o.map(Aligned::Ours)),
            [Some(o), Some(t)] if o.len() == to - from && t.len() == to - from => {
                aligned.extend((0..to - from).map(|k| Aligned::Paired(from + k, o.start + k, t.start + k)));
            }
            [Some(o), Some(t)] if both_insert && from == to => {
                aligned.extend(o.map(Aligned::Ours));
                aligned.extend(t.map(Aligned::Theirs));
            }
            _ => return None,
        }
        i = j;
    }
    unchanged(&mut aligned, copied..base.len(), shift);
    Some(aligned)
}

/// The value of a document's text, or `None` when it does not parse as one
/// document (syntax, nesting deeper than the parser's limit, more than one
/// YAML document, a mapping with the same key twice by value, keys that are
/// collections or aliases, content that does not fit its tag). Empty or
/// comment-only YAML is `null`; a literal or folded scalar that ends the
/// text without a line break has none, as the YAML spec says.
///
/// Read from cfg's one document tree ([`crate::document`]), so that the
/// guard, the validator and the editor agree on what a text means: keys and
/// scalars typed alike ([`Document::scalar_value`]), duplicate keys found by
/// value, aliases standing for their anchor's value.
pub fn parse_value(text: &str, is_json: bool) -> Option<Value> {
    let format = if is_json { Format::Json } else { Format::Yaml };
    let doc = document::parse(text, format, &Limits::default()).single().ok()?;
    if !doc.duplicates().is_empty() {
        return None;
    }
    tree_value(&doc)
}

/// The value of a scalar node (`None` for any other node, and for content
/// that does not fit its tag).
pub(super) fn scalar(doc: &Document, id: NodeId) -> Option<Value> {
    Some(match doc.scalar_value(id)? {
        Resolved::Null => Value::Null,
        Resolved::Bool(b) => Value::Bool(b),
        Resolved::Int(i) => Value::Int(i),
        Resolved::Float(f) => Value::Float(f),
        Resolved::Str(s) => Value::String(s.into_owned()),
    })
}

/// A collection being read.
enum Frame {
    Seq(Vec<Value>),
    /// The entries so far, and the key whose value comes next.
    Map(Vec<(Value, Value)>, Option<Value>),
}

/// The whole document's value, read in source order with an explicit stack.
fn tree_value(doc: &Document) -> Option<Value> {
    let mut stack: Vec<(NodeId, Frame)> = Vec::new();
    let mut anchored: HashMap<NodeId, Value> = HashMap::new();
    let mut root = None;
    for id in doc.subtree(doc.root()).chain([doc.len()]) {
        // Finish every collection that ends before this node.
        while let Some((open, _)) = stack.last()
            && doc.subtree(*open).end <= id
        {
            let (open, frame) = stack.pop().expect("checked");
            let value = match frame {
                Frame::Seq(items) => Value::Seq(items),
                Frame::Map(entries, _) => Value::map(entries)?,
            };
            place(doc, &mut stack, &mut anchored, &mut root, open, value);
        }
        if id == doc.len() {
            break;
        }
        let node = doc.node(id);
        let is_key = matches!(stack.last(), Some((_, Frame::Map(_, None))));
        let value = match node.kind() {
            Kind::Seq(_) | Kind::Map(_) if is_key => return None,
            Kind::Seq(_) => {
                stack.push((id, Frame::Seq(Vec::new())));
                continue;
            }
            Kind::Map(_) => {
                stack.push((id, Frame::Map(Vec::new(), None)));
                continue;
            }
            Kind::Alias(_) if is_key => return None,
            Kind::Alias(target) => anchored.get(target)?.clone(),
            Kind::Scalar(_) => scalar(doc, id)?,
        };
        place(doc, &mut stack, &mut anchored, &mut root, id, value);
    }
    root
}

/// Puts a finished node's value into its parent (or makes it the root).
fn place(
    doc: &Document,
    stack: &mut [(NodeId, Frame)],
    anchored: &mut HashMap<NodeId, Value>,
    root: &mut Option<Value>,
    id: NodeId,
    value: Value,
) {
    if doc.node(id).has_own_anchor() {
        anchored.insert(id, value.clone());
    }
    match stack.last_mut() {
        None => *root = Some(value),
        Some((_, Frame::Seq(items))) => items.push(value),
        Some((_, Frame::Map(entries, key))) => match key.take() {
            Some(key) => entries.push((key, value)),
            None => *key = Some(value),
        },
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;
    use crate::merge::MergeOptions;

    fn v(text: &str) -> Value {
        parse_value(text, false).unwrap_or_else(|| panic!("{text:?} parses"))
    }

    fn merged(base: &str, ours: &str, theirs: &str) -> Option<Value> {
        merge(&v(base), &v(ours), &v(theirs), &["name".to_owned()])
    }

    #[test]
    fn scalars_compare_by_resolved_value() {
        assert_eq!(v("a: true"), v("a: True"));
        assert_eq!(v("a: 1"), v("a: 0x1"));
        assert_eq!(v("a: 1"), v("a: +1"));
        assert_eq!(v("a: 1.0"), v("a: 1.00"));
        assert_eq!(v("a: ~"), v("a: null"));
        assert_eq!(v("a: job1"), v("a: \"job1\""));
        let a = |text: &str| v(&format!("a: {text}\n")).get(&Value::String("a".into())).cloned();
        assert_eq!(a(""), Some(Value::Null));
        assert_eq!(a("~"), Some(Value::Null));
        assert_eq!(a("0o17"), Some(Value::Int(15)));
        assert_eq!(a("1e3"), Some(Value::Float(1000.0)));
        assert_eq!(a("-.5"), Some(Value::Float(-0.5)));
        assert_eq!(a(".inf"), Some(Value::Float(f64::INFINITY)));
        assert_ne!(a(".inf"), a("null"));
        assert_eq!(a("timezone"), Some(Value::String("timezone".into())));
        assert_eq!(a("1-2"), Some(Value::String("1-2".into())));
        assert_eq!(a("!!str 1"), Some(Value::String("1".into())));
        assert_eq!(a("!local 1"), Some(Value::String("1".into())));
        assert_ne!(v("a: 1"), v("a: 1.0"));
        assert_ne!(v("a: 1"), v("a: '1'"));
        assert_eq!(v("True: 1"), v("true: 1"));
        assert_eq!(v("{b: 1, a: 2}"), v("a: 2\nb: 1\n"));
    }

    #[test]
    fn a_key_twice_by_value_does_not_parse() {
        for text in ["true: 1\nTrue: 2\n", "null: 1\n~: 2\n", "1: a\n0x1: b\n", "1.0: a\n1.00: b\n"] {
            assert_eq!(parse_value(text, false), None, "{text:?}");
        }
    }

    #[test]
    fn documents_that_are_not_one_value_do_not_parse() {
        assert_eq!(parse_value("a: 1\n---\nb: 2\n", false), None);
        assert_eq!(parse_value("a: [1\n", false), None);
        assert_eq!(parse_value("{\"a\": 1,}", true), None);
        assert_eq!(parse_value("", false), Some(Value::Null));
        assert_eq!(parse_value("# only a comment\n", false), Some(Value::Null));
        assert_eq!(parse_value("{\"1\": 1}", true), Some(Value::Map(vec![(Value::String("1".into()), Value::Int(1))])));
        assert_eq!(parse_value("{\"a\": 1, \"a\": 1}", true), None);
        assert_eq!(parse_value("a: 1\na: 1\n", false), None);
    }

    #[test]
    fn block_scalar_ending_the_text_has_no_line_break_the_text_lacks() {
        let b = |text: &str| v(text).get(&Value::String("b".into())).cloned();
        let s = |text: &str| Some(Value::String(text.to_owned()));
        assert_eq!(b("a: 1\nb: >\n  text"), s("text"));
        assert_eq!(b("a: 1\nb: |+\n  text"), s("text"));
        assert_eq!(b("a: 1\nb: |-\n  text"), s("text"));
        assert_eq!(b("a: 1\nb: |\n  text\n"), s("text\n"));
        assert_eq!(b("a: 1\nb: |\n  text\n# after"), s("text\n"));
        assert_eq!(b("a: 1\nb: \"text\\n\""), s("text\n"));
        assert_eq!(b("b: |\n  text\na: 1"), s("text\n"));
    }

    #[test]
    fn maps_merge_per_key() {
        assert_eq!(merged("a: 1\nb: 1\n", "a: 2\nb: 1\n", "a: 1\nb: 2\n"), Some(v("a: 2\nb: 2\n")));
        assert_eq!(merged("a: 1\n", "a: 2\n", "a: 3\n"), None);
        assert_eq!(merged("a: 1\nb: 1\n", "b: 1\n", "a: 2\nb: 1\n"), None, "deleted and changed");
        assert_eq!(merged("m: {x: 1, y: 1}\n", "m: {y: 1}\n", "m: {x: 1}\n"), Some(v("m: {}\n")));
        assert_eq!(merged("a: 1\n", "a: 1\nTrue: x\n", "a: 1\ntrue: y\n"), None, "one key added twice");
    }

    #[test]
    fn keyed_lists_merge_by_identity() {
        let base = "- name: a\n  x: 1\n";
        let ours = "- name: a\n  x: 2\n- name: job1\n";
        let theirs = "- name: a\n  x: 1\n- name: \"job1\"\n  x: 3\n";
        assert_eq!(merged(base, ours, theirs), None, "job1 added twice with different values");
        let theirs = "- name: \"a\"\n  x: 1\n- name: b\n";
        assert_eq!(merged(base, ours, theirs), Some(v("[{name: a, x: 2}, {name: job1}, {name: b}]")));
    }

    #[test]
    fn unkeyed_lists_merge_by_diff3() {
        assert_eq!(merged("[a, b, c]", "[b, c]", "[a, b]"), Some(v("[b]")));
        assert_eq!(merged("[a, b]", "[A, b]", "[a, B]"), Some(v("[A, B]")), "adjacent entries merge");
        assert_eq!(merged("[a, b, c]", "[A, b, c]", "[a, B, c, d]"), Some(v("[A, B, c, d]")), "and in lists that grow");
        assert_eq!(merged("[a, b, c]", "[b, c]", "[a, B, c, d]"), Some(v("[B, c, d]")), "a deletion beside a change");
        assert_eq!(
            merged("[{p: 1, q: 1}, x, z]", "[{p: 2, q: 1}, x, z, y]", "[{p: 1, q: 2}, x, z]"),
            Some(v("[{p: 2, q: 2}, x, z, y]")),
            "an entry both changed is merged, in a list whose length changed"
        );
        assert_eq!(merged("[a, b]", "[a, x, b]", "[a, y, b]"), Some(v("[a, x, y, b]")), "two insertions at one place");
        assert_eq!(merged("[a]", "[a, x]", "[a, y, z]"), Some(v("[a, x, y, z]")), "both append");
        assert_eq!(merged("[a]", "[a, x]", "[a, x]"), Some(v("[a, x]")), "the same append, once");
        assert_eq!(merged("[a, b]", "[a, x]", "[a, y]"), None, "one entry replaced two ways");
        assert_eq!(merged("[{p: 1, q: 1}]", "[{p: 2, q: 1}]", "[{p: 1, q: 2}]"), Some(v("[{p: 2, q: 2}]")));
        assert_eq!(merged("[a, b]", "[b]", "[A, b]"), None, "deleted and changed");
    }

    #[test]
    fn multi_line_strings_merge_by_lines() {
        let base = "s: |\n  one\n  two\n  three\n";
        let ours = "s: |\n  ONE\n  two\n  three\n";
        let theirs = "s: |\n  one\n  two\n  THREE\n";
        assert_eq!(merged(base, ours, theirs), Some(v("s: |\n  ONE\n  two\n  THREE\n")));
        assert_eq!(merged("s: x\n", "s: y\n", "s: z\n"), None);
        // Lines inserted at one place conflict, as in a line merge.
        assert_eq!(merged("s: |\n  one\n", "s: |\n  one\n  two\n", "s: |\n  one\n  three\n"), None);
    }

    #[test]
    fn keyed_lists_agree_in_any_order() {
        let keys = ["name".to_owned()];
        let a = v("- name: a\n- name: b\n");
        let b = v("- name: b\n- name: a\n");
        assert!(agrees(&a, &b, &keys));
        assert!(!agrees(&a, &b, &[]));
        assert!(!agrees(&v("- name: a\n- name: a\n"), &v("- name: a\n"), &keys));
    }

    fn list() -> impl Strategy<Value = Vec<&'static str>> {
        prop::collection::vec(prop::sample::select(vec!["a", "b", "c", "d"]), 0..6)
    }

    proptest! {
        #![proptest_config(ProptestConfig { failure_persistence: None, ..ProptestConfig::default() })]

        /// Where a line merge of lists written one entry per line is clean,
        /// the list merge gives the same list.
        #[test]
        fn list_merge_agrees_with_a_clean_line_merge(b in list(), o in list(), t in list()) {
            let text = |list: &[&str]| list.iter().map(|e| format!("- {e}\n")).collect::<String>();
            let value = |text: &str| if text.is_empty() { Value::Seq(Vec::new()) } else { v(text) };
            let (bt, ot, tt) = (text(&b), text(&o), text(&t));
            if let Ok(lines) = crate::merge::merge(&bt, &ot, &tt, &MergeOptions::default()) {
                prop_assert_eq!(merge(&value(&bt), &value(&ot), &value(&tt), &[]), Some(value(&lines)));
            }
        }
    }
}
