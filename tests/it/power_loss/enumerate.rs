//! Enumeration: the crash states of a recording, and what each must show.
//!
//! A power cut may come after any call that changed the model (volatile or
//! durable state), and after each command exits (a write it acknowledged must
//! survive that one). At each such point, with `n` metadata operations
//! pending, the states kept are those where the first `j` reached the disk for
//! `j` in {0, 1, n/2, n-1, n}, with unsynced data lost; and for `j` in {0, n},
//! also with unsynced truncated files empty, and with unsynced bytes
//! zero-filled (see [`Variant`]). Identical states with the
//! same expectations are checked once.

use std::collections::HashSet;
use std::hash::{Hash, Hasher};
use std::sync::Arc;

use super::model::{Content, Model, Tree, Variant};
use super::scenario::{Recording, StepRecord};
use super::trace::Event;

/// What a crash state must show after recovery.
#[derive(Debug)]
pub(crate) struct Expect {
    /// Whether `cfg init` had been acknowledged; if not, recovery starts by running it again.
    pub(crate) store_ready: bool,
    /// The contents the managed file may hold (`None`: absent), each with what it is.
    pub(crate) allowed: Vec<(Option<Content>, String)>,
    /// Commits the branch must still reach, each with the command that acknowledged it.
    pub(crate) history: Vec<(String, String)>,
    /// What a command not acknowledged was writing, for the user to retry.
    pub(crate) retry: Option<Content>,
    /// Every version of the managed file the scenario made, to name them in messages.
    pub(crate) versions: Arc<Vec<(Option<Content>, String)>>,
}

/// One state a power cut can leave.
#[derive(Debug)]
pub(crate) struct CrashState {
    pub(crate) scenario: &'static str,
    /// Where the power was cut, for reports.
    pub(crate) point: String,
    /// The pending metadata operations that reached the disk, and how many were pending.
    pub(crate) applied: Vec<String>,
    pub(crate) pending: usize,
    pub(crate) variant: Variant,
    /// Right after a command exited.
    pub(crate) at_exit: bool,
    pub(crate) tree: Tree,
    pub(crate) expect: Arc<Expect>,
}

impl CrashState {
    /// Checked first when the budget is short: where the promises are most at
    /// stake (a command just acknowledged, or everything pending reached the disk).
    fn priority(&self) -> u8 {
        if self.at_exit || (self.applied.len() == self.pending && self.variant == Variant::Synced) {
            0
        } else if self.applied.is_empty() && self.variant == Variant::Synced {
            1
        } else {
            2
        }
    }
}

/// What the commands run so far promised.
struct Promises {
    versions: Arc<Vec<(Option<Content>, String)>>,
    store_ready: bool,
    file: (Option<Content>, String),
    /// Contents of commands that did not succeed: they may still be rolled forward.
    unacknowledged: Vec<(Option<Content>, String)>,
    history: Vec<(String, String)>,
}

impl Promises {
    fn new(recording: &Recording) -> Self {
        let before = "the version before the scenario".to_owned();
        let mut versions = vec![(recording.file_before.clone(), before.clone())];
        for step in &recording.steps {
            versions.push((step.file_after.clone(), format!("what `{}` left", step.command)));
            if let Some(intended) = &step.intended {
                versions.push((Some(intended.clone()), format!("what `{}` was writing", step.command)));
            }
        }
        Promises {
            versions: Arc::new(versions),
            store_ready: recording.store_before,
            file: (recording.file_before.clone(), before.clone()),
            unacknowledged: Vec::new(),
            history: recording.history_before.iter().map(|id| (id.clone(), before.clone())).collect(),
        }
    }

    fn exited(&mut self, step: &StepRecord) {
        if step.code == 0 {
            self.store_ready |= step.store_after;
            self.file = (step.file_after.clone(), format!("what `{}` wrote (exit 0)", step.command));
            self.unacknowledged.clear();
            let acknowledged = format!("acknowledged by `{}`", step.command);
            self.history = step
                .history_after
                .iter()
                .map(|id| match self.history.iter().find(|(old, _)| old == id) {
                    Some(known) => known.clone(),
                    None => (id.clone(), acknowledged.clone()),
                })
                .collect();
        } else {
            self.unacknowledged.extend(versions(step, "killed"));
            self.history.retain(|(id, _)| step.history_after.contains(id));
        }
    }

    fn expect(&self, in_flight: Option<&StepRecord>) -> Expect {
        let mut allowed = vec![self.file.clone()];
        allowed.extend(self.unacknowledged.iter().cloned());
        let mut history = self.history.clone();
        if let Some(step) = in_flight {
            allowed.extend(versions(step, "in flight"));
            // A command in flight may drop history only as it does when it completes (gc).
            history.retain(|(id, _)| step.history_after.contains(id));
        }
        let retry = allowed[1..]
            .iter()
            .rev()
            .filter_map(|(content, _)| content.clone())
            .find(|c| Some(c) != self.file.0.as_ref());
        Expect { store_ready: self.store_ready, allowed, history, retry, versions: self.versions.clone() }
    }
}

fn versions(step: &StepRecord, how: &str) -> Vec<(Option<Content>, String)> {
    let mut versions = vec![(step.file_after.clone(), format!("what `{}` ({how}) left", step.command))];
    if let Some(intended) = &step.intended {
        versions.push((Some(intended.clone()), format!("what `{}` ({how}) was writing", step.command)));
    }
    versions
}

/// Every distinct crash state of a recording.
pub(crate) fn crash_states(recording: &Recording) -> Vec<CrashState> {
    let mut model = Model::new(&recording.root, &recording.initial);
    let mut promises = Promises::new(recording);
    let mut expect = Arc::new(promises.expect(None));
    let mut expect_id = 0;
    let mut seen = HashSet::new();
    let mut states = Vec::new();
    let mut add = |model: &Model, point: String, at_exit: bool, expect: &Arc<Expect>, expect_id: usize| {
        let pending = model.pending();
        let n = pending.len();
        let mut cuts = vec![0, 1, n / 2, n.saturating_sub(1), n];
        cuts.retain(|&j| j <= n);
        cuts.sort_unstable();
        cuts.dedup();
        for j in cuts {
            let variants: &[Variant] = if j == 0 || j == n {
                &[Variant::Synced, Variant::Truncated, Variant::Zeroed]
            } else {
                &[Variant::Synced]
            };
            for &variant in variants {
                let tree = model.crash(&pending, j, variant);
                let mut hasher = std::hash::DefaultHasher::new();
                (&tree, expect_id).hash(&mut hasher);
                if !seen.insert(hasher.finish()) {
                    continue;
                }
                states.push(CrashState {
                    scenario: recording.name,
                    point: point.clone(),
                    applied: pending[..j].iter().map(|&seq| model.describe(seq).to_owned()).collect(),
                    pending: n,
                    variant,
                    at_exit,
                    tree,
                    expect: expect.clone(),
                });
            }
        }
    };
    add(&model, "before the first traced command".into(), false, &expect, expect_id);
    let mut current = 0;
    let total = recording.steps.len();
    for event in &recording.events {
        let changed = model
            .apply(event)
            .unwrap_or_else(|e| panic!("scenario `{}`: replaying the recording: {e}", recording.name));
        match event {
            Event::Start { step } => {
                current = *step;
                expect = Arc::new(promises.expect(Some(&recording.steps[*step])));
                expect_id += 1;
            }
            Event::Exit { step, code } => {
                let record = &recording.steps[*step];
                promises.exited(record);
                expect = Arc::new(promises.expect(None));
                expect_id += 1;
                let point = format!("after step {}/{total} `{}` exited {code}", step + 1, record.command);
                add(&model, point, true, &expect, expect_id);
            }
            Event::Done(call) if changed => {
                let text = call.text.replace(&recording.root, "ROOT");
                let point = format!(
                    "in step {}/{total} `{}`, after step-{}.strace line {} (thread {}): {text}",
                    current + 1,
                    recording.steps[current].command,
                    current + 1,
                    call.line,
                    call.tid
                );
                add(&model, point, false, &expect, expect_id);
            }
            Event::Done(_) | Event::Enter { .. } => {}
        }
    }
    states
}

/// At most `budget` states: those most at stake first, then an even spread of the rest.
pub(crate) fn within_budget(states: Vec<CrashState>, budget: usize) -> Vec<CrashState> {
    if states.len() <= budget {
        return states;
    }
    let mut keep = vec![false; states.len()];
    let mut left = budget;
    for priority in 0..=2 {
        let tier: Vec<usize> = (0..states.len()).filter(|&i| states[i].priority() == priority).collect();
        let take = tier.len().min(left);
        for k in 0..take {
            keep[tier[k * tier.len() / take]] = true;
        }
        left -= take;
    }
    states.into_iter().zip(keep).filter_map(|(state, keep)| keep.then_some(state)).collect()
}
