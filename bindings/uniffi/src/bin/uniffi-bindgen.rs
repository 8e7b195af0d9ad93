//! The in-workspace `uniffi-bindgen`: generates Kotlin, Swift and Python
//! bindings from the built `flamekit_uniffi` library (`generate --library`).

fn main() {
    uniffi::uniffi_bindgen_main()
}
