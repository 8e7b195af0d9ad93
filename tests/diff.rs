//! Differential profiles on corpus-derived inputs.

mod common;

use common::{assert_close, corpus};
use flamekit::{diff, DeltaSort, DiffOptions};

#[test]
fn diff_with_itself_is_zero() {
    for f in ["speedscope/0.1.2/simple-sampled.speedscope.json", "speedscope/0.0.1/simple.speedscope.json"] {
        let g = flamekit::import(&corpus(f), None).unwrap();
        let d = diff(&g, &g, &DiffOptions::default()).unwrap();
        assert!(d.is_zero(), "{f}");
        assert_eq!(d.scale, 1.0);
        assert!(d.functions.iter().all(|f| f.delta_self() == 0.0 && f.delta_total() == 0.0));
    }
}

#[test]
fn doubled_function_ranks_first() {
    // simple-sampled has samples abc×1, abc×1, abd×4, abc×3, ab×5. Doubling the
    // weight of the one `abd` sample doubles d's self weight: 4 → 8.
    let text = String::from_utf8(corpus("speedscope/0.1.2/simple-sampled.speedscope.json")).unwrap();
    let before = flamekit::import(text.as_bytes(), None).unwrap();
    let doubled = text.replace("\"weights\": [1, 1, 4, 3, 5]", "\"weights\": [1, 1, 8, 3, 5]");
    assert_ne!(doubled, text, "the sample file changed shape");
    let after = flamekit::import(doubled.as_bytes(), None).unwrap();

    let raw = diff(&before, &after, &DiffOptions { normalize: false, ..Default::default() }).unwrap();
    let top = raw.top_by_delta(DeltaSort::SelfGrowth, 0, 4);
    assert_eq!(top[0].name, "d");
    assert_close(top[0].delta_self(), 4.0);
    assert_eq!(top[0].relative_self(), Some(1.0));
    assert!(top[1..].iter().all(|f| f.delta_self() == 0.0));

    // Normalised: before scaled by 18/14; d goes 4·18/14 → 8, c and b 5·18/14 → 5.
    let norm = diff(&before, &after, &DiffOptions::default()).unwrap();
    assert_close(norm.scale, 18.0 / 14.0);
    let top = norm.top_by_delta(DeltaSort::SelfGrowth, 0, 4);
    assert_eq!(top[0].name, "d");
    assert_close(top[0].delta_self(), 8.0 - 4.0 * 18.0 / 14.0);
    let c = norm.functions.iter().find(|f| f.name == "c").unwrap();
    assert_close(c.delta_self(), 5.0 - 5.0 * 18.0 / 14.0);
    // The a;b;d path grew, the a;b;c path shrank (after normalisation).
    let path_d = (0..norm.nodes.len() as u32).find(|&n| norm.path(n) == ["a", "b", "d"]).unwrap();
    let node = &norm.nodes[path_d as usize];
    assert!(node.after_total > node.before_total);
}

#[test]
fn bad_profile_index_is_a_typed_error() {
    let g = flamekit::import(&corpus("speedscope/0.6.0/two-sampled.speedscope.json"), None).unwrap();
    let e = diff(&g, &g, &DiffOptions { after_profile: Some(5), ..Default::default() }).unwrap_err();
    assert_eq!(e.code(), "invalid_argument");
}
