#![no_main]
//! Fuzz target `xapi-lines`: the invariants of `leerwinst_ingest::invariants::check`.
libfuzzer_sys::fuzz_target!(|data: &[u8]| leerwinst_ingest::invariants::check("xapi-lines", data));
