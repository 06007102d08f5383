//! Fuzzes the wercker.yml parser: any input must give a config or an error, never a panic,
//! a hang or unbounded memory. Seeded from the sample files (see `.ci/run`).
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data) {
        let _ = werk_yml::parse("wercker.yml", text);
    }
});
