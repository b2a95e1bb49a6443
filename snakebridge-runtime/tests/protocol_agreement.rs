//! The worker's Python side of the pool protocol agrees with the corpus Rust's side is checked
//! against (`src/pool/protocol/corpus/`): every message Rust sends is read and handled by the
//! worker's own modules, every message the worker sends is written by them byte for byte as
//! the corpus has it (so `ready` carries the same protocol version), and every kind the
//! worker's protocol module knows has a file. The Python half is
//! `support/protocol_agreement.py`, run over the package loaded as a worker loads it.

#[path = "support/worker_package.rs"]
mod worker_package;

const CORPUS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/src/pool/protocol/corpus");

#[test]
fn the_workers_protocol_module_reads_and_writes_the_corpus() {
    let out = worker_package::run_worker_package(
        include_str!("support/protocol_agreement.py"),
        &[("SB_CORPUS", CORPUS.to_owned())],
    );
    assert!(out.status.success(), "{}", out.text);
    assert!(
        out.text
            .contains("checked 14 to_worker and 16 from_worker kinds"),
        "{}",
        out.text
    );
}
