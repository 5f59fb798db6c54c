#![no_main]
//! Fuzz target `mapped-roster`: the invariants of `leerwinst_ingest::invariants::check`.
libfuzzer_sys::fuzz_target!(|data: &[u8]| leerwinst_ingest::invariants::check(
    "mapped-roster",
    data
));
