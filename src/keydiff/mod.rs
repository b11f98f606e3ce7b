//! Key-level diffs: what changed between two versions of a document, as
//! paths and values (`~ schedules[backup-database].retry_count: 2 → 3`,
//! `+ schedules[sync-metrics]`, `- settings.log_level`) instead of lines.
//!
//! Pure: [`diff`] takes two parsed documents ([`crate::document`]) and the
//! schema's `x-merge-key` names, and returns the changes in document order.
//! Values compare by what they mean, as the merge compares them ([`tokens`]:
//! `1` and `0x1` are equal, `1` and `"1"` are not); comments and layout never
//! count. Mappings are compared key by key. A list whose items are all
//! mappings holding one of the merge keys with a scalar value, unique in each
//! version, is compared item by item by that value, and its items are named
//! by it (`schedules[backup-database]`); a change of their order alone is one
//! change of the list. Any other list is compared by a diff of its items, an
//! item named by its index (in the new version; a removed one, in the old).
//!
//! The walk is a loop over an explicit stack, never a recursion: a document
//! nested as deep as the parser allows costs memory, not stack.

#[cfg(test)]
mod tests;

use crate::document::{self, Document, Kind, NodeId};

/// One step of a [`KeyChange`]'s path.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Step {
    Key(String),
    Index(usize),
    /// A list item, by the value of its merge key.
    Item(String),
}

/// What happened at a path.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum ChangeKind {
    Added,
    Removed,
    Changed,
    /// The items of a keyed list, the same ones, in another order: `old` and
    /// `new` list their names.
    Reordered,
}

/// One change, with the values as flow YAML on one line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeyChange {
    pub kind: ChangeKind,
    pub path: Vec<Step>,
    /// The value before (none when added).
    pub old: Option<String>,
    /// The value after (none when removed).
    pub new: Option<String>,
    /// Whether the value is a scalar, so short enough to print inline.
    pub scalar: bool,
}

impl KeyChange {
    /// The path as written in messages: `schedules[backup-database].retry_count`, `.` for the root.
    pub fn path_text(&self) -> String {
        let mut out = String::new();
        for step in &self.path {
            match step {
                Step::Key(key) => {
                    if !out.is_empty() {
                        out.push('.');
                    }
                    out.push_str(&quote(key));
                }
                Step::Index(i) => out.push_str(&format!("[{i}]")),
                Step::Item(id) => out.push_str(&format!("[{}]", quote(id))),
            }
        }
        if out.is_empty() { ".".into() } else { out }
    }
}

fn quote(word: &str) -> String {
    if crate::edit::is_bare(word) { word.to_owned() } else { format!("{word:?}") }
}

/// `~ path: old → new`, `+ path: value` (a scalar) or `+ path` (a
/// collection), `- path`, `~ path: order a, b → b, a`.
impl std::fmt::Display for KeyChange {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let path = self.path_text();
        let old = self.old.as_deref().unwrap_or_default();
        let new = self.new.as_deref().unwrap_or_default();
        match self.kind {
            ChangeKind::Changed => write!(f, "~ {path}: {old} → {new}"),
            ChangeKind::Reordered => write!(f, "~ {path}: order {old} → {new}"),
            ChangeKind::Added if self.scalar => write!(f, "+ {path}: {new}"),
            ChangeKind::Added => write!(f, "+ {path}"),
            ChangeKind::Removed => write!(f, "- {path}"),
        }
    }
}

/// The changes from `old` to `new`, in document order. `merge_keys` are the
/// schema's `x-merge-key` names, tried in order.
pub fn diff(old: &Document, new: &Document, merge_keys: &[String]) -> Vec<KeyChange> {
    let cx = Cx { old, new, merge_keys };
    let mut out = Vec::new();
    let mut work = vec![Work::Compare(old.root(), new.root(), Vec::new())];
    while let Some(item) = work.pop() {
        match item {
            Work::Emit(change) => out.push(change),
            Work::Compare(o, n, path) => {
                let mut next = cx.compare(o, n, path);
                next.reverse();
                work.extend(next);
            }
        }
    }
    out
}

enum Work {
    Compare(NodeId, NodeId, Vec<Step>),
    Emit(KeyChange),
}

struct Cx<'d> {
    old: &'d Document,
    new: &'d Document,
    merge_keys: &'d [String],
}

impl Cx<'_> {
    /// One level: the changes found here and the pairs to compare below,
    /// in document order.
    fn compare(&self, o: NodeId, n: NodeId, path: Vec<Step>) -> Vec<Work> {
        let (old, new) = (self.old, self.new);
        if document::tokens(old, o) == document::tokens(new, n) {
            return Vec::new();
        }
        let (on, nn) = (old.node(o), new.node(n));
        let same_tag = on.tag().map(ToString::to_string) == nn.tag().map(ToString::to_string);
        match (on.kind(), nn.kind()) {
            (Kind::Map(_), Kind::Map(_)) if same_tag => self.maps(o, n, &path),
            (Kind::Seq(_), Kind::Seq(_)) if same_tag => match self.list_key(o, n) {
                Some(key) => self.keyed(o, n, key, &path),
                None => self.lists(o, n, &path),
            },
            _ => vec![Work::Emit(KeyChange {
                kind: ChangeKind::Changed,
                scalar: !on.is_collection() && !nn.is_collection(),
                old: Some(document::render_flow(old, o)),
                new: Some(document::render_flow(new, n)),
                path,
            })],
        }
    }

    fn maps(&self, o: NodeId, n: NodeId, path: &[Step]) -> Vec<Work> {
        let (old, new) = (self.old, self.new);
        let old_entries: Vec<(String, NodeId)> = old.entries(o).map(|(k, v)| (key_name(old, k), v)).collect();
        let new_entries: Vec<(String, NodeId)> = new.entries(n).map(|(k, v)| (key_name(new, k), v)).collect();
        let find = |entries: &[(String, NodeId)], key: &str| entries.iter().find(|(k, _)| k == key).map(|(_, v)| *v);
        let mut work = Vec::new();
        for (key, value) in &old_entries {
            let at = with(path, Step::Key(key.clone()));
            match find(&new_entries, key) {
                Some(other) => work.push(Work::Compare(*value, other, at)),
                None => work.push(self.removed(*value, at)),
            }
        }
        for (key, value) in &new_entries {
            if find(&old_entries, key).is_none() {
                work.push(self.added(*value, with(path, Step::Key(key.clone()))));
            }
        }
        work
    }

    /// Lists keyed by `key`: items matched by its value.
    fn keyed(&self, o: NodeId, n: NodeId, key: &str, path: &[Step]) -> Vec<Work> {
        let ids = |doc: &Document, list: NodeId| -> Vec<(String, String, NodeId)> {
            doc.children(list)
                .iter()
                .map(|&item| {
                    let (_, value) = doc.find_key(item, key).expect("every item holds the key");
                    let name = doc.node(value).scalar().map_or_else(String::new, |s| s.value.clone());
                    (format!("{:?}", document::tokens(doc, value)), name, item)
                })
                .collect()
        };
        let (old_items, new_items) = (ids(self.old, o), ids(self.new, n));
        let find = |items: &[(String, String, NodeId)], id: &str| items.iter().find(|(i, _, _)| i == id).map(|x| x.2);
        let mut work = Vec::new();
        for (id, name, item) in &old_items {
            if find(&new_items, id).is_none() {
                work.push(self.removed(*item, with(path, Step::Item(name.clone()))));
            }
        }
        let kept = |items: &[(String, String, NodeId)], other: &[(String, String, NodeId)]| -> Vec<String> {
            items.iter().filter(|(id, _, _)| find(other, id).is_some()).map(|(_, name, _)| quote(name)).collect()
        };
        let (old_order, new_order) = (kept(&old_items, &new_items), kept(&new_items, &old_items));
        if old_order != new_order {
            work.push(Work::Emit(KeyChange {
                kind: ChangeKind::Reordered,
                path: path.to_vec(),
                old: Some(old_order.join(", ")),
                new: Some(new_order.join(", ")),
                scalar: false,
            }));
        }
        for (id, name, item) in &new_items {
            let at = with(path, Step::Item(name.clone()));
            match find(&old_items, id) {
                Some(other) => work.push(Work::Compare(other, *item, at)),
                None => work.push(self.added(*item, at)),
            }
        }
        work
    }

    /// Lists without a key: a diff of their items.
    fn lists(&self, o: NodeId, n: NodeId, path: &[Step]) -> Vec<Work> {
        let (old, new) = (self.old, self.new);
        let prints = |doc: &Document, list: NodeId| -> Vec<String> {
            doc.children(list).iter().map(|&item| format!("{:?}", document::tokens(doc, item))).collect()
        };
        let (old_items, new_items) = (old.children(o), new.children(n));
        let ops = similar::capture_diff_slices(similar::Algorithm::Myers, &prints(old, o), &prints(new, n));
        let mut work = Vec::new();
        for op in ops {
            let (_, olds, news) = op.as_tag_tuple();
            let paired = olds.len().min(news.len());
            if op.tag() == similar::DiffTag::Equal {
                continue;
            }
            for (i, j) in olds.clone().zip(news.clone()).take(paired) {
                work.push(Work::Compare(old_items[i], new_items[j], with(path, Step::Index(j))));
            }
            for i in olds.skip(paired) {
                work.push(self.removed(old_items[i], with(path, Step::Index(i))));
            }
            for j in news.skip(paired) {
                work.push(self.added(new_items[j], with(path, Step::Index(j))));
            }
        }
        work
    }

    /// The first merge key that names every item of both lists, uniquely
    /// within each: the rule of the structural merge.
    fn list_key(&self, o: NodeId, n: NodeId) -> Option<&str> {
        self.merge_keys.iter().map(String::as_str).find(|key| {
            [(self.old, o), (self.new, n)].iter().all(|&(doc, list)| {
                let mut ids = Vec::new();
                doc.children(list).iter().all(|&item| {
                    let id = doc.node(item).is_map().then(|| doc.find_key(item, key)).flatten();
                    match id {
                        Some((_, value)) if doc.node(value).scalar().is_some() => {
                            let id = format!("{:?}", document::tokens(doc, value));
                            let fresh = !ids.contains(&id);
                            ids.push(id);
                            fresh
                        }
                        _ => false,
                    }
                })
            })
        })
    }

    fn added(&self, node: NodeId, path: Vec<Step>) -> Work {
        let scalar = !self.new.node(node).is_collection();
        let new = Some(document::render_flow(self.new, node));
        Work::Emit(KeyChange { kind: ChangeKind::Added, path, old: None, new, scalar })
    }

    fn removed(&self, node: NodeId, path: Vec<Step>) -> Work {
        let scalar = !self.old.node(node).is_collection();
        let old = Some(document::render_flow(self.old, node));
        Work::Emit(KeyChange { kind: ChangeKind::Removed, path, old, new: None, scalar })
    }
}

/// A key's name: its JSON key text, or for a key that is a collection its flow YAML.
fn key_name(doc: &Document, key: NodeId) -> String {
    doc.key_text(key).map_or_else(|| document::render_flow(doc, key), str::to_owned)
}

fn with(path: &[Step], step: Step) -> Vec<Step> {
    let mut out = Vec::with_capacity(path.len() + 1);
    out.extend_from_slice(path);
    out.push(step);
    out
}

/// Whether two nodes hold the same value, compared as [`diff`] compares them.
pub fn same_value(a: &Document, a_node: NodeId, b: &Document, b_node: NodeId) -> bool {
    document::tokens(a, a_node) == document::tokens(b, b_node)
}
