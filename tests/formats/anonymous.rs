//! Across the whole corpus: no frame is labelled bare `(anonymous)` when its
//! format gives the function's file and line (speedscope's
//! `(anonymous FILE:LINE)` rule, applied by every V8/WebKit importer).

use crate::common::corpus_all;

#[test]
fn no_bare_anonymous_frame_has_a_file_and_line() {
    let mut checked = 0;
    for (rel, bytes) in corpus_all() {
        let Ok(g) = flamekit::import(bytes, Some(rel)) else { continue };
        checked += 1;
        // `flamekit dump` prints these frames' names.
        for f in g.frames() {
            assert!(
                !(f.name == "(anonymous)" && f.file.is_some() && f.line.is_some()),
                "{rel}: bare (anonymous) at {:?}:{:?}",
                f.file,
                f.line
            );
        }
    }
    assert!(checked > 80, "only {checked} corpus files imported");
}
