//! DTrace aggregated stacks: the files in `tests/data/dtrace/`.
//!
//! Hand derivation from `ustack.txt` (frames innermost first, each record
//! ended by its count; offsets dropped, `_ZN3log5flushEv` demangled):
//! * records: `__write ← log::flush() ← handle_request ← main ← _start` 7,
//!   `parse_header ← handle_request ← main ← _start` 12 and again 30 (at
//!   another offset, so the same frames), `main ← _start` 1;
//! * totals: `_start` and `main` 7 + 12 + 30 + 1 = 50, `handle_request` 49,
//!   `parse_header` 42 (self 42), `libc.so.1`__write` 7 (self 7), `main`
//!   self 1; the profile's total is 50.
//!
//! `stack-ustack.txt` has keys of two stacks (kernel, then user, split by a
//! blank line): `zio_wait ← zil_commit ← fdsync ← sys_syscall ← __fdsync ←
//! flush_log ← main` 5, `thread_start` 2 (its user stack is empty) and an
//! unresolved address over `thread_start` 3.
//!
//! `invalid.txt`: `work ← main` 4; line 5 is text (skipped); line 6 a count
//! with no stack (skipped); `idle ← main` 6; the last record (lines 12-13)
//! has no count (reported).

use flamekit::{Error, Format, ImportOptions, Location, ValueUnit};

use crate::common::{assert_close, corpus_all, data, profile_names, weights};

fn import(rel: &str) -> (flamekit::ProfileGroup, flamekit::ImportReport) {
    flamekit::import_with(&data(rel), None, &ImportOptions::default()).unwrap()
}

#[test]
fn ustack() {
    let (g, report) = import("dtrace/ustack.txt");
    assert!(report.is_clean(), "{report:?}");
    assert_eq!(g.format(), "dtrace");
    assert_eq!(profile_names(&g), vec![""]);
    let p = &g.profiles()[0];
    assert_eq!(p.unit(), ValueUnit::None);
    assert_close(p.total_weight(), 50.0);
    for (name, s, t) in [
        ("server`_start", 0.0, 50.0),
        ("server`main", 1.0, 50.0),
        ("server`handle_request", 0.0, 49.0),
        ("server`parse_header", 42.0, 42.0),
        ("server`log::flush()", 0.0, 7.0),
        ("libc.so.1`__write", 7.0, 7.0),
    ] {
        let (self_w, total_w) = weights(&g, 0, name);
        assert_close(self_w, s);
        assert_close(total_w, t);
    }
    let stacks = flamekit::dump_stacks(&g, p);
    assert!(stacks.contains(
        &"server`_start;server`main;server`handle_request;server`log::flush();libc.so.1`__write 7".to_owned()
    ));
}

#[test]
fn kernel_and_user_stacks_are_one_stack() {
    let (g, report) = import("dtrace/stack-ustack.txt");
    assert!(report.is_clean(), "{report:?}");
    let p = &g.profiles()[0];
    assert_close(p.total_weight(), 10.0);
    let stacks = flamekit::dump_stacks(&g, p);
    let mut stacks: Vec<&str> = stacks.iter().map(String::as_str).collect();
    stacks.sort_unstable();
    assert_eq!(
        stacks,
        [
            "db`main;db`flush_log;libc.so.1`__fdsync;unix`sys_syscall;genunix`fdsync;zfs`zil_commit;zfs`zio_wait 5",
            "unix`thread_start 2",
            "unix`thread_start;0xfffffe000123abcd 3",
        ]
    );
}

#[test]
fn invalid_lines_and_incomplete_records_are_reported() {
    // Unindented text is not DTrace output, so detection does not pick
    // this file; the importer, asked for, reads what it can.
    let (g, report) =
        flamekit::import_format(Format::Dtrace, &data("dtrace/invalid.txt"), &ImportOptions::default()).unwrap();
    assert_close(g.profiles()[0].total_weight(), 10.0);
    assert_eq!(report.skipped.get("invalid_line"), Some(&2));
    assert_eq!(report.skipped.get("incomplete_record"), Some(&1));
    let lines: Vec<_> = report.warnings.iter().map(|w| w.location.clone()).collect();
    assert_eq!(lines, vec![Location::Line(5), Location::Line(6), Location::Line(12)]);
}

#[test]
fn detection() {
    for rel in ["dtrace/ustack.txt", "dtrace/stack-ustack.txt"] {
        assert_eq!(flamekit::detect(&data(rel), None).unwrap(), Format::Dtrace, "{rel}");
    }
    for (rel, bytes) in corpus_all() {
        assert_ne!(flamekit::detect(bytes, None).ok(), Some(Format::Dtrace), "{rel} claimed by dtrace");
    }
}

#[test]
fn no_record_is_empty_profile() {
    let e = flamekit::import_format(Format::Dtrace, b"\n   a`b+0x1\n", &ImportOptions::default()).unwrap_err();
    assert_eq!(e.code(), "empty_profile");
    let e = flamekit::import_format(
        Format::Dtrace,
        format!("  a`b\n  {}\n", "9".repeat(400)).as_bytes(),
        &ImportOptions::default(),
    )
    .unwrap_err();
    assert_eq!(e.code(), "invalid_profile");
}

#[test]
fn every_prefix_imports_or_fails_typed() {
    for rel in ["dtrace/ustack.txt", "dtrace/stack-ustack.txt", "dtrace/invalid.txt"] {
        let bytes = data(rel);
        for n in 0..=bytes.len() {
            if let Err(e) = flamekit::import_format(Format::Dtrace, &bytes[..n], &ImportOptions::default()) {
                assert!(Error::CODES.contains(&e.code()), "{rel}[..{n}]: {e}");
            }
        }
    }
}
