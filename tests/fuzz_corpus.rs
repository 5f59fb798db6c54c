//! Replays the fuzz corpora on stable Rust: every committed input of every fuzz target
//! (`fuzz/corpus/<target>.bin.gz`, see fuzz/corpus.py) and every seed (`fuzz/seeds/<target>/`)
//! goes through the same checks the fuzzer runs (`leerwinst_ingest::invariants::check`): no
//! panic, read = accepted + rejected, no input text in a reject or error. A crash the fuzzer
//! found, once fixed, is added to the corpus and stays checked here (docs/fuzzing.md).

use std::io::Read;
use std::path::Path;

use leerwinst_ingest::invariants::{TARGETS, check};

mod common;

/// The inputs packed in `file`: each a 4-byte little-endian length and its bytes, gzipped.
fn unpack(file: &Path) -> Vec<Vec<u8>> {
    let mut data = Vec::new();
    flate2::read::GzDecoder::new(std::fs::File::open(file).unwrap())
        .read_to_end(&mut data)
        .unwrap();
    let mut inputs = Vec::new();
    let mut rest = &data[..];
    while !rest.is_empty() {
        let (len, tail) = rest.split_at(4);
        let len = u32::from_le_bytes(len.try_into().unwrap()) as usize;
        inputs.push(tail[..len].to_vec());
        rest = &tail[len..];
    }
    inputs
}

#[test]
fn every_corpus_input_keeps_the_invariants() {
    let fuzz = common::repo().join("fuzz");
    let mut failures = Vec::new();
    let mut total = 0;
    for target in TARGETS {
        let mut inputs: Vec<(String, Vec<u8>)> = Vec::new();
        let packed = fuzz.join(format!("corpus/{target}.bin.gz"));
        if packed.exists() {
            inputs.extend(
                unpack(&packed)
                    .into_iter()
                    .enumerate()
                    .map(|(i, b)| (format!("corpus input {i}"), b)),
            );
        }
        let seeds = fuzz.join("seeds").join(target);
        assert!(seeds.is_dir(), "no seeds for fuzz target {target}");
        for f in common::files(&seeds) {
            inputs.push((f.display().to_string(), std::fs::read(&f).unwrap()));
        }
        total += inputs.len();
        for (name, bytes) in inputs {
            if let Err(e) = std::panic::catch_unwind(|| check(target, &bytes)) {
                let why = e
                    .downcast_ref::<String>()
                    .cloned()
                    .or_else(|| e.downcast_ref::<&str>().map(|s| s.to_string()))
                    .unwrap_or_default();
                failures.push(format!("{target}: {name}: {why}"));
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {total} inputs broke an invariant:\n{}",
        failures.len(),
        failures.join("\n")
    );
}
