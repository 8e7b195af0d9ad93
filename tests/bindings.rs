//! The bindings' shared layer as seen from the repository: the TypeScript
//! declarations kept in git (`bindings/common/types.d.ts`) are the ones its
//! field lists generate. `FLAMEKIT_BLESS=1 cargo test --test bindings`
//! writes the file again; read the diff before committing it.

mod common;

#[test]
fn types_d_ts_is_what_the_field_lists_generate() {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/bindings/common/types.d.ts");
    let generated = flamekit_bindings::ts::typescript();
    if common::bless() {
        std::fs::write(path, &generated).unwrap_or_else(|e| panic!("writing {path}: {e}"));
    }
    let kept = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("reading {path}: {e}"));
    assert!(
        kept == generated,
        "bindings/common/types.d.ts is not what bindings/common/src/ts.rs generates: run \
         FLAMEKIT_BLESS=1 cargo test --test bindings, then read the diff"
    );
}
