//! Segments round trip, worker arrays map without a copy, and leftovers are swept.

use std::ffi::CString;
use std::os::fd::AsRawFd;

use super::from_worker::*;
use super::segment::*;
use crate::data::array::{DType, NdArray, Storage};
use crate::data::error::Error;

#[test]
fn segments_round_trip_and_unlink() {
    let data: Vec<u8> = (0..=255).cycle().take(10_000).collect();
    let segment = Segment::create(&NdArray::from_vec(data.clone())).unwrap();
    let name = segment.name().to_owned();
    assert!(name.len() <= 31, "{name}");
    // Read it back as a worker would.
    let c = CString::new(name.clone()).unwrap();
    let fd = shm_open(&c, libc::O_RDONLY).unwrap();
    let mapping = Mapping::new(&fd, data.len(), false).unwrap();
    assert_eq!(mapping.bytes(), &data[..]);
    drop(segment);
    assert!(shm_open(&c, libc::O_RDONLY).is_err(), "unlinked on drop");
    // The mapping outlives the name.
    assert_eq!(mapping.bytes()[..3], [0, 1, 2]);
}

#[cfg(feature = "ndarray")]
#[test]
fn other_layouts_go_in_row_major_order() {
    // A column-major 2 x 3 array.
    let t = ndarray::Array2::from_shape_vec((3, 2), vec![0u16, 3, 1, 4, 2, 5])
        .unwrap()
        .reversed_axes();
    let t = NdArray::from(t);
    assert!(!t.is_standard_layout());
    let segment = Segment::create(&t).unwrap();
    let c = CString::new(segment.name()).unwrap();
    let fd = shm_open(&c, libc::O_RDONLY).unwrap();
    let mapping = Mapping::new(&fd, 12, false).unwrap();
    let expected: Vec<u8> = (0u16..6).flat_map(u16::to_ne_bytes).collect();
    assert_eq!(mapping.bytes(), &expected[..]);
}

/// Creates `/sbw-<pid>-<n>` as a worker would.
fn worker_segment_with(pid: u32, n: u64, bytes: &[u8]) -> String {
    let name = format!("/sbw-{pid}-{n}");
    let c = CString::new(name.clone()).unwrap();
    let fd = shm_open(&c, libc::O_CREAT | libc::O_EXCL | libc::O_RDWR).unwrap();
    // SAFETY: plain calls on our fd.
    assert_eq!(
        unsafe { libc::ftruncate(fd.as_raw_fd(), bytes.len() as libc::off_t) },
        0
    );
    if !bytes.is_empty() {
        let mut m = Mapping::new(&fd, bytes.len(), true).unwrap();
        m.bytes_mut().copy_from_slice(bytes);
    }
    name
}

#[test]
fn worker_arrays_map_without_a_copy_and_are_checked() {
    // Our own pid: alive, so no sweep (run by another test meanwhile) removes these.
    let pid = std::process::id();
    let values = [1.5f64, -2.0, 3.25, 4.0, 5.5, 6.0];
    let bytes: Vec<u8> = values.iter().flat_map(|v| v.to_ne_bytes()).collect();
    let name = worker_segment_with(pid, 1, &bytes);
    let (array, n) = open_array(&name, pid, DType::Float64, vec![2, 3]).unwrap();
    assert_eq!(n, 1);
    assert_eq!(array.to_vec::<f64>().unwrap(), values);
    assert_eq!(array.data_ptr() as usize % 4096, 0, "the mapping itself");
    let c = CString::new(name.clone()).unwrap();
    assert!(
        shm_open(&c, libc::O_RDONLY).is_err(),
        "unlinked once opened"
    );

    // Too small for the shape: an error, and the name is gone all the same.
    let name = worker_segment_with(pid, 2, &bytes[..40]);
    let err = open_array(&name, pid, DType::Float64, vec![6]).unwrap_err();
    assert!(matches!(err, Error::Decode { .. }), "{err:?}");
    let c = CString::new(name.clone()).unwrap();
    assert!(shm_open(&c, libc::O_RDONLY).is_err());

    // Bools other than 0 and 1 are refused.
    let name = worker_segment_with(pid, 3, &[0, 1, 2]);
    assert!(open_array(&name, pid, DType::Bool, vec![3]).is_err());

    // Another process's segment name is refused without touching it.
    let err = open_array("/sbw-1-1", pid, DType::Bool, vec![3]).unwrap_err();
    assert!(err.to_string().contains("not a segment"), "{err}");
    assert!(open_array("/etc/passwd", pid, DType::Bool, vec![3]).is_err());
}

#[test]
fn names_in_unread_frames_are_unlinked() {
    let pid = std::process::id();
    let a = worker_segment_with(pid, 7, &[1; 8]);
    let b = worker_segment_with(pid, 9, &[1; 8]);
    let frame = serde_json::json!({"id": 3, "ok": [
        {"__type__": "ndarray", "dtype": "int64", "shape": [1], "shm": a},
        {"k": {"__type__": "ndarray", "dtype": "int64", "shape": [1], "shm": b}},
        {"__type__": "ndarray", "dtype": "int64", "shape": [1], "shm": "/sbw-1-1"},
    ]});
    assert_eq!(unlink_named_in(&frame, pid), 9);
    for name in [a, b] {
        let c = CString::new(name).unwrap();
        assert!(shm_open(&c, libc::O_RDONLY).is_err());
    }
}

#[test]
fn sweeps_remove_what_dead_processes_left() {
    let pid = 2_000_000_002; // beyond any pid_max: never alive
    let a = worker_segment_with(pid, 1, &[0; 4]);
    let b = worker_segment_with(pid, 300, &[0; 4]);
    sweep_worker(pid, 0);
    for name in [&a, &b] {
        let c = CString::new(name.as_str()).unwrap();
        assert!(shm_open(&c, libc::O_RDONLY).is_err(), "{name} is left");
    }
    let c = worker_segment_with(pid, 2, &[0; 4]);
    sweep_dead();
    let c = CString::new(c).unwrap();
    assert!(shm_open(&c, libc::O_RDONLY).is_err());
}
