fn main() {
    napi_build::setup();
    // `cfg(node)` picks napi's attributes in the API shared with the wasm skin.
    println!("cargo::rustc-check-cfg=cfg(node)");
    println!("cargo::rustc-cfg=node");
}
