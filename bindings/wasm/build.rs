fn main() {
    // The API shared with the Node skin takes napi's attributes under `cfg(node)`, never set here.
    println!("cargo::rustc-check-cfg=cfg(node)");
}
