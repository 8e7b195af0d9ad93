// Cargo only resolves a package's `[build-dependencies]` when it has a build
// script: this one lets the hack unify the features of build-time crates too.
fn main() {}
