#![no_main]
//! Fuzz target `xlsx`: the invariants of `leerwinst_ingest::invariants::check`.
libfuzzer_sys::fuzz_target!(|data: &[u8]| leerwinst_ingest::invariants::check("xlsx", data));
