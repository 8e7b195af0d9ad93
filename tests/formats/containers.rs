//! gzip/zip wrappers: unwrapped up to two levels, deeper nesting refused.

use std::io::Write;

use crate::common::corpus;

fn gzip(bytes: &[u8]) -> Vec<u8> {
    let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    e.write_all(bytes).unwrap();
    e.finish().unwrap()
}

#[test]
fn nested_gzip_up_to_two_levels() {
    let raw = corpus("stackcollapse/simple.txt");
    let plain = flamekit::import(&raw, None).unwrap();
    let once = gzip(&raw);
    let twice = gzip(&once);
    assert_eq!(flamekit::import(&once, None).unwrap(), plain);
    assert_eq!(flamekit::import(&twice, None).unwrap(), plain);
    assert_eq!(flamekit::detect(&twice, None).unwrap(), flamekit::Format::Collapsed);
    let thrice = gzip(&twice);
    let e = flamekit::import(&thrice, None).unwrap_err();
    assert_eq!(e.code(), "invalid_profile");
    assert!(e.to_string().contains("nested"), "{e}");
    assert_eq!(flamekit::detect(&thrice, None).unwrap_err().code(), "invalid_profile");
}
