#![no_main]
libfuzzer_sys::fuzz_target!(|data: &[u8]| flamekit_fuzz::harness::run(Some(flamekit::Format::Dtrace), data));
