#![no_main]
//! Fuzz target `plans`: the invariants of `leerwinst_ingest::invariants::check`.
libfuzzer_sys::fuzz_target!(|data: &[u8]| leerwinst_ingest::invariants::check("plans", data));
