#![no_main]
//! Source maps of a real minified script's profile: each input is the map.
libfuzzer_sys::fuzz_target!(|data: &[u8]| flamekit_fuzz::harness::source_map(data));
