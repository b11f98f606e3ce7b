//! Retention: which commits a policy keeps, and why (pure), and the pruning of
//! the side repository that applies it.
