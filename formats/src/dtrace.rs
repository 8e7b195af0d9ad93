//! DTrace aggregated stacks: the output of `dtrace` with an aggregation
//! keyed by stacks, e.g. `dtrace -n 'profile-997 { @[ustack()] = count(); }'`
//! (illumos, macOS, FreeBSD, Oracle Linux), the input of FlameGraph's
//! `stackcollapse.pl` and inferno's `collapse-dtrace`.
//!
//! ```text
//! CPU     ID                    FUNCTION:NAME
//!   0  76446                       :tick-10s
//!
//!               libc.so.1`__write+0xa
//!               app`flush+0x2c
//!               app`main+0x91
//!                 42
//! ```
//!
//! # What is read
//! - The optional header that `dtrace` prints for a probe that fired (a
//!   `CPU … FUNCTION:NAME` line and the line after it) is skipped.
//! - A record is a run of indented frame lines, innermost frame first, ended
//!   by an indented line holding only the aggregation's count. A blank line
//!   inside a record separates the stacks of a key with several stacks
//!   (`@[stack(), ustack()]`: the kernel stack, then the user stack); they
//!   are read as one stack, the first one innermost.
//! - Frames: `module`function+0xoffset` is shown as `module`function`: the
//!   offset is dropped so that samples at different instructions of one
//!   function merge (as FlameGraph and inferno do by default). Mangled C++
//!   and Rust function names are demangled. Bare addresses (`0xfffffe…`,
//!   unresolved frames) are kept as written.
//! - Weights: each record is one sample whose weight is its count (unit:
//!   none, counts as printed). The group has one profile named after
//!   [`ImportOptions::name`].
//!
//! Lines that are neither (unindented text after the header) are skipped
//! and reported as `invalid_line` with their line number; frames left
//! without a count at the end of the input are reported as
//! `incomplete_record`. Input without any complete record is
//! [`Error::EmptyProfile`].

use flamekit_core::{Error, GroupBuilder, ImportReport, Location, ProfileGroup, Result, ValueUnit, NO_STACK};

use crate::demangle::demangle;
use crate::text::utf8;
use crate::ImportOptions;

const FORMAT: &str = crate::Format::Dtrace.id();

/// How many bytes [`sniff`] looks at.
const SNIFF_BYTES: usize = 16 * 1024;

/// One line of a DTrace stack aggregation.
#[derive(Debug, PartialEq)]
enum Line<'a> {
    /// Empty or whitespace only.
    Blank,
    /// An indented line holding only digits: a record's count.
    Count(&'a str),
    /// Any other indented line: a frame.
    Frame(&'a str),
    /// An unindented line.
    Other(&'a str),
}

fn classify(line: &str) -> Line<'_> {
    let line = line.trim_end_matches(['\r', ' ', '\t']);
    let body = line.trim_start_matches([' ', '\t']);
    if body.is_empty() {
        Line::Blank
    } else if body.len() == line.len() {
        Line::Other(line)
    } else if body.bytes().all(|c| c.is_ascii_digit()) {
        Line::Count(body)
    } else {
        Line::Frame(body)
    }
}

/// True for the header `dtrace` prints when a probe fires.
fn is_header(line: &str) -> bool {
    line.starts_with("CPU") && line.contains("FUNCTION:NAME")
}

/// True when `bytes` start like DTrace stack aggregation output: after an
/// optional `CPU … FUNCTION:NAME` header, only indented lines, the first a
/// frame, at least one of them a `module`function` frame, and a count line.
pub fn sniff(bytes: &[u8]) -> bool {
    let head = &bytes[..bytes.len().min(SNIFF_BYTES)];
    let text = utf8(head);
    // The last line of a cut prefix may be incomplete: leave it out.
    let complete = if head.len() < bytes.len() { text.lines().count().saturating_sub(1) } else { usize::MAX };
    let (mut skip_header, mut seen_frame, mut module_frame, mut count) = (0, false, false, false);
    for (i, line) in text.lines().enumerate().take(complete) {
        match classify(line) {
            Line::Other(l) if i == 0 && is_header(l) => skip_header = 2,
            _ if skip_header == 2 && i == 1 => {}
            Line::Blank => {}
            Line::Other(_) => return false,
            Line::Count(_) => {
                if !seen_frame {
                    return false;
                }
                count = true;
            }
            Line::Frame(f) => {
                seen_frame = true;
                module_frame |= f.contains('`');
            }
        }
    }
    seen_frame && module_frame && count
}

/// `module`function+0x1c` → `module`function`, demangling the function.
fn frame_name(frame: &str) -> std::borrow::Cow<'_, str> {
    let base = match frame.rfind("+0x") {
        Some(i) if i > 0 && frame[i + 3..].bytes().all(|c| c.is_ascii_hexdigit()) => &frame[..i],
        _ => frame,
    };
    match base.split_once('`') {
        Some((module, function)) => match demangle(function) {
            std::borrow::Cow::Borrowed(_) => std::borrow::Cow::Borrowed(base),
            std::borrow::Cow::Owned(d) => std::borrow::Cow::Owned(format!("{module}`{d}")),
        },
        None => demangle(base),
    }
}

/// Import DTrace aggregated stacks.
pub fn import(bytes: &[u8], opts: &ImportOptions) -> Result<(ProfileGroup, ImportReport)> {
    let text = utf8(bytes);
    let name = opts.name.clone().unwrap_or_default();
    let mut g = GroupBuilder::new(FORMAT, &opts.limits);
    g.set_name(name.clone());
    let mut b = g.sampled(name, ValueUnit::None);
    // Frame lines of the current record, innermost first, with the line
    // number of the record's first frame.
    let mut frames: Vec<&str> = Vec::new();
    let mut record_line = 0u64;
    let mut header_next = false;
    for (i, raw) in text.lines().enumerate() {
        let line_no = i as u64 + 1;
        if header_next {
            header_next = false;
            continue;
        }
        match classify(raw) {
            Line::Blank => {}
            Line::Other(l) if is_header(l) && frames.is_empty() => header_next = true,
            Line::Other(l) => {
                let shown: String = l.chars().take(80).collect();
                g.report().skip("invalid_line", Location::Line(line_no), format!("not a frame or a count: {shown}"));
            }
            Line::Frame(f) => {
                if frames.is_empty() {
                    record_line = line_no;
                }
                frames.push(f);
            }
            Line::Count(c) => {
                if frames.is_empty() {
                    g.report().skip("invalid_line", Location::Line(line_no), format!("count {c} without a stack"));
                    continue;
                }
                // Digits only, so it parses; a count beyond f64's range is infinite.
                let weight: f64 = c.parse().unwrap_or(f64::INFINITY);
                if !weight.is_finite() {
                    return Err(Error::invalid(
                        FORMAT,
                        format!("line {line_no}"),
                        format!("count {c} is out of range"),
                    ));
                }
                let mut node = NO_STACK;
                for f in frames.iter().rev() {
                    let id = g.frame_named(&frame_name(f))?;
                    node = b.node(node, id)?;
                }
                b.push_sample(node, weight)?;
                frames.clear();
            }
        }
    }
    if !frames.is_empty() {
        g.report().skip(
            "incomplete_record",
            Location::Line(record_line),
            format!("{} frame line(s) without a count at the end of the input", frames.len()),
        );
    }
    if b.sample_count() == 0 {
        return Err(Error::EmptyProfile { message: "no stack with a count in the DTrace output".into() });
    }
    g.push_profile(b.finish())?;
    g.finish(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn frame_names() {
        assert_eq!(frame_name("libc.so.1`__write+0xa"), "libc.so.1`__write");
        assert_eq!(frame_name("libc.so.1`_lwp_start"), "libc.so.1`_lwp_start");
        assert_eq!(frame_name("app`_ZN3foo3barEv+0x10"), "app`foo::bar()");
        assert_eq!(frame_name("0xfffffe0001234567"), "0xfffffe0001234567");
        assert_eq!(frame_name("app`f+0xzz"), "app`f+0xzz");
    }

    #[test]
    fn lines() {
        assert_eq!(classify("   \t"), Line::Blank);
        assert_eq!(classify("      42\r"), Line::Count("42"));
        assert_eq!(classify("   a`b+0x1"), Line::Frame("a`b+0x1"));
        assert_eq!(classify("a;b 1"), Line::Other("a;b 1"));
    }
}
