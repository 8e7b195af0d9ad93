fn main() {
    // Included by src/lib.rs as a custom section of the `.d.ts`.
    flamekit_bindings::ts::write(&format!("{}/types.d.ts", std::env::var("OUT_DIR").expect("cargo sets OUT_DIR")));
}
