//! Links the `cfg` executable at a fixed address (no PIE): see the README,
//! "Build settings". A position-independent executable carries ~30,000
//! relative relocations that the loader applies at every start, touching (and
//! copying) every page of `.data.rel.ro`; one `cfg write` is short enough for
//! that to be a fifth of its CPU time.
fn main() {
    println!("cargo:rustc-link-arg-bins=-no-pie");
}
