//! The protocol corpus (`corpus/`, layout in `PROTOCOL.md`) read by this side: every file
//! parses, every message kind each way has a file, and Rust's own messages are written back
//! byte for byte. The worker's test (`python/tests/`) reads the same files.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use serde_json::Value as Json;

use super::frame::{ATTACHMENTS, Header};
use super::{
    Answer, CallbackArgs, FROM_WORKER_KINDS, FromWorker, PROTOCOL_VERSION, TO_WORKER_KINDS,
    ToWorker, binary,
};

fn corpus_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("src/pool/protocol/corpus")
}

/// One message of the corpus.
struct Entry {
    /// The file's name.
    name: String,
    /// `to_worker` or `from_worker`.
    direction: String,
    /// The message's kind, from the file's name.
    kind: String,
    /// The JSON text, without the final newline.
    text: Vec<u8>,
    /// The attachment bytes from the sidecar, if any.
    attachments: Option<Vec<u8>>,
    /// A binary frame's body (a `.hex` file), else empty.
    binary: Vec<u8>,
}

/// The bytes of a hex file (whitespace ignored).
fn read_hex(path: &Path) -> Vec<u8> {
    let hex: String = std::fs::read_to_string(path)
        .unwrap()
        .split_whitespace()
        .collect();
    (0..hex.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&hex[i..i + 2], 16).expect("hex"))
        .collect()
}

/// The corpus's messages, by file name.
fn corpus() -> Vec<Entry> {
    let dir = corpus_dir();
    let mut out = Vec::new();
    let mut names: Vec<String> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .collect();
    names.sort();
    for name in &names {
        if name.ends_with(".att.hex") {
            let json = name.replace(".att.hex", ".json");
            assert!(names.contains(&json), "sidecar {name} without {json}");
            continue;
        }
        if let Some(stem) = name.strip_suffix(".hex") {
            // A binary frame's body.
            let mut parts = stem.split('.');
            let (direction, kind) = (parts.next().unwrap(), parts.next().unwrap_or(""));
            out.push(Entry {
                name: name.clone(),
                direction: direction.to_owned(),
                kind: kind.to_owned(),
                text: Vec::new(),
                attachments: None,
                binary: read_hex(&dir.join(name)),
            });
            continue;
        }
        let stem = name
            .strip_suffix(".json")
            .unwrap_or_else(|| panic!("corpus file {name} is not .json, .hex nor .att.hex"));
        let mut parts = stem.split('.');
        let (direction, kind) = (parts.next().unwrap(), parts.next().unwrap_or(""));
        let text = std::fs::read(dir.join(name)).unwrap();
        let text = text
            .strip_suffix(b"\n")
            .unwrap_or_else(|| panic!("{name}: the message is followed by one newline"))
            .to_vec();
        let sidecar = dir.join(format!("{stem}.att.hex"));
        let attachments = sidecar.exists().then(|| read_hex(&sidecar));
        out.push(Entry {
            name: name.clone(),
            direction: direction.to_owned(),
            kind: kind.to_owned(),
            text,
            attachments,
            binary: Vec::new(),
        });
    }
    out
}

/// Every `[offset, length]` of an `att` in `json` lies inside `attachments`.
fn check_attachment_ranges(name: &str, json: &Json, attachments: &[u8], seen: &mut usize) {
    match json {
        Json::Array(items) => items
            .iter()
            .for_each(|j| check_attachment_ranges(name, j, attachments, seen)),
        Json::Object(obj) => {
            if let Some(att) = obj.get("att") {
                let (offset, len) = (att[0].as_u64().unwrap(), att[1].as_u64().unwrap());
                assert!(
                    (offset + len) as usize <= attachments.len(),
                    "{name}: att {att} outside the {} sidecar bytes",
                    attachments.len()
                );
                *seen += 1;
            }
            obj.values()
                .for_each(|j| check_attachment_ranges(name, j, attachments, seen));
        }
        _ => {}
    }
}

#[test]
fn every_message_kind_each_way_has_a_corpus_file_that_parses() {
    let mut to_kinds = BTreeSet::new();
    let mut from_kinds = BTreeSet::new();
    for Entry {
        name,
        direction,
        kind,
        text,
        attachments,
        binary,
    } in corpus()
    {
        if !binary.is_empty() {
            match direction.as_str() {
                "to_worker" => {
                    let message =
                        ToWorker::parse(&binary).unwrap_or_else(|e| panic!("{name}: {e}"));
                    assert_eq!(message.kind(), kind, "{name}: the file name says its kind");
                    let frame = message.frame(&[]).unwrap();
                    assert_eq!(frame[4..], binary[..], "{name}: written back differently");
                    to_kinds.insert(kind);
                }
                "from_worker" => {
                    let message =
                        FromWorker::parse(&binary).unwrap_or_else(|e| panic!("{name}: {e}"));
                    assert_eq!(message.kind(), kind, "{name}: the file name says its kind");
                    let FromWorker::Answer { id, answer, .. } = &message else {
                        panic!("{name}: not an answer")
                    };
                    let again = match answer {
                        Answer::BinaryOk(value) => binary::write_ok(*id, value),
                        Answer::Callback {
                            function,
                            seq,
                            args: CallbackArgs::Binary { args, kwargs },
                        } => binary::write_callback(*id, *function, *seq, args, kwargs),
                        other => panic!("{name}: not a binary answer: {other:?}"),
                    };
                    assert_eq!(again, binary, "{name}: the parse lost something");
                    from_kinds.insert(kind);
                }
                other => panic!("{name}: unknown direction `{other}`"),
            }
            continue;
        }
        let shown = String::from_utf8_lossy(&text);
        match direction.as_str() {
            "to_worker" => {
                let message = ToWorker::parse(&text).unwrap_or_else(|e| panic!("{name}: {e}"));
                assert_eq!(message.kind(), kind, "{name}: the file name says its kind");
                // Rust's messages have one form: written back byte for byte.
                let att = attachments.clone().unwrap_or_default();
                let frame = message.frame(&att).unwrap();
                let header = Header::parse(&frame).unwrap().unwrap();
                assert_eq!(
                    &frame[header.head..header.head + header.json],
                    &text[..],
                    "{name}: written back differently"
                );
                assert_eq!(&frame[header.head + header.json..], &att[..]);
                to_kinds.insert(kind);
            }
            "from_worker" => {
                let message = FromWorker::parse(&text).unwrap_or_else(|e| panic!("{name}: {e}"));
                assert_eq!(message.kind(), kind, "{name}: the file name says its kind");
                let json: Json = serde_json::from_slice(&text).unwrap();
                assert_eq!(message.to_json(), json, "{name}: the parse lost something");
                if let FromWorker::Ready { protocol, .. } = message {
                    // The worker's test writes this file back with its own version: the two
                    // constants and the file agree.
                    assert_eq!(protocol, Some(PROTOCOL_VERSION), "{name}: another version");
                }
                from_kinds.insert(kind);
            }
            other => panic!("{name}: unknown direction `{other}` ({shown})"),
        }
        if let Some(attachments) = attachments {
            let json: Json = serde_json::from_slice(&text).unwrap();
            let mut seen = 0;
            check_attachment_ranges(&name, &json, &attachments, &mut seen);
            assert!(seen > 0, "{name}: a sidecar, but no `att` in the message");
        }
    }
    let want = |kinds: &[&str]| kinds.iter().map(|k| k.to_string()).collect::<BTreeSet<_>>();
    assert_eq!(
        to_kinds,
        want(&TO_WORKER_KINDS),
        "to_worker kinds without a corpus file (or files of unknown kinds)"
    );
    assert_eq!(
        from_kinds,
        want(&FROM_WORKER_KINDS),
        "from_worker kinds without a corpus file (or files of unknown kinds)"
    );
}

#[test]
fn a_frame_with_attachments_sets_the_flag_and_carries_the_sidecar() {
    let Entry {
        name,
        text,
        attachments,
        ..
    } = corpus()
        .into_iter()
        .find(|c| c.direction == "to_worker" && c.attachments.is_some())
        .expect("a to_worker message with attachments in the corpus");
    let attachments = attachments.unwrap();
    let frame = ToWorker::parse(&text).unwrap().frame(&attachments).unwrap();
    let first = u32::from_le_bytes(frame[..4].try_into().unwrap());
    assert_ne!(first & ATTACHMENTS, 0, "{name}");
    assert_eq!((first & !ATTACHMENTS) as usize, text.len());
    assert_eq!(
        u32::from_le_bytes(frame[4..8].try_into().unwrap()) as usize,
        attachments.len()
    );
}
