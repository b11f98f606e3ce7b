//! Project settings (.cfg.yaml).
