//! Reading one large JSON array of objects (or of arrays) on several threads.
//!
//! JSON cannot be cut at an arbitrary byte: whether a byte is inside a
//! string depends on everything before it. So the array is cut at guesses,
//! and the parse proves them. A guess is a `{` after `}` and `,` (with any
//! whitespace between) that `probe` accepts, about every chunk size bytes;
//! in an array of arrays ([`read_arrays`]), a `[` after `]` and `,`; in an
//! array of numbers ([`read_numbers`]), a number after a digit and `,`.
//! Each worker reads the elements of its chunk one by one from its guess,
//! and stops where the next chunk's guess starts. Read from a true element
//! start, a chunk's elements are the array's own, so a chunk that ends
//! exactly on the next guess proves that guess; the first chunk starts at
//! the array's first element, so every guess is proven in turn, or the read
//! is abandoned (a guess inside a string or a nested object, a chunk that
//! is not UTF-8, an element that does not parse, a trailing comma) and the
//! caller reads the input as it would on one thread. Only the outcome is ever used, never an
//! element read from a disproven guess, so the result is the same for any
//! cut.

use flamekit_core::{Error, Result};

use super::{find_key, key_pos, object_keys, skip_ws, HEAD_BYTES};
use crate::parallel;

/// What the array holds: objects, arrays or numbers.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Elements {
    Objects,
    Arrays,
    Numbers,
}

impl Elements {
    /// Whether `c` may start an element.
    fn starts(self, c: u8) -> bool {
        match self {
            Elements::Objects => c == b'{',
            Elements::Arrays => c == b'[',
            Elements::Numbers => c.is_ascii_digit() || c == b'-',
        }
    }

    /// Whether `c` may end an element.
    fn ends(self, c: u8) -> bool {
        match self {
            Elements::Objects => c == b'}',
            Elements::Arrays => c == b']',
            Elements::Numbers => c.is_ascii_digit(),
        }
    }

    /// The byte a guess looks for: an element's opener, or for numbers the
    /// `,` before one.
    fn sought(self) -> u8 {
        match self {
            Elements::Objects => b'{',
            Elements::Arrays => b'[',
            Elements::Numbers => b',',
        }
    }
}

/// How [`read_sized`] cuts the array.
#[derive(Clone, Copy)]
struct Cut {
    elements: Elements,
    /// About how many bytes a chunk takes.
    size: usize,
}

impl Cut {
    /// The cut of the array of `elements` whose `[` is at `open` in `b`: the
    /// chunks of at least two threads (one thread reads them in turn; at
    /// most `parallel::MAX_CHUNK`, so what a chunk collects stays small), an
    /// array too small to split as one chunk.
    fn of(elements: Elements, b: &[u8], open: usize, threads: usize) -> Cut {
        let len = b.len().saturating_sub(skip_ws(b, open + 1));
        Cut { elements, size: parallel::chunk_size(len, threads.max(2)).unwrap_or(len) }
    }
}

/// One chunk: `[start, end)`, the last one ending at the array's `]`.
#[derive(Clone, Copy)]
struct Chunk {
    start: usize,
    end: usize,
    last: bool,
}

/// Read the elements of the JSON array whose `[` is at `open` in `b`, in
/// chunks on up to `threads` worker threads. Each worker checks that its
/// chunk is UTF-8 (a chunk starts at an ASCII `{` and ends where the next
/// starts, or at the end of `b`: when `b` is UTF-8, so is every chunk);
/// the bytes before `open` are the caller's to check ([`without_array`]).
///
/// - `probe(rest)`: whether `rest` likely starts an element (a cheap check
///   that keeps guesses off nested objects; correctness does not depend on
///   it).
/// - `new(bytes)`: a chunk's empty collection; `bytes` is about how many
///   bytes the chunk holds (at most a chunk's usual size), for a caller
///   that can size its collection up front.
/// - `elem(acc, rest)`: read the element at the start of `rest` into the
///   chunk's `acc`, returning the bytes it took; `None` when it is not an
///   element or `acc` refuses it (the read is then abandoned).
/// - `done(acc)`: finish a chunk read whole, on its worker.
/// - `merge(acc)`: take a chunk's result, on the calling thread, in array
///   order; `false` abandons the read.
///
/// With one thread the chunks are read in turn on the calling thread (the
/// callers' `elem` is quicker than their serde read of the whole input),
/// and an array too small to split is one chunk.
///
/// Returns `Some(close)`, the offset of the array's `]`, when every chunk
/// was read and merged; `None` when the read was abandoned (a guess
/// disproven, a chunk that is not UTF-8, an element or a merge refused):
/// the caller then reads the input on one thread, from the start, and what
/// `merge` took must be thrown away.
#[allow(clippy::too_many_arguments)] // the input, where, how many threads, and what to do at each step
pub(crate) fn read_objects<'a, T: Send>(
    b: &'a [u8],
    open: usize,
    threads: usize,
    probe: impl Fn(&'a [u8]) -> bool,
    new: impl Fn(usize) -> T + Sync,
    elem: impl Fn(&mut T, &'a str) -> Option<usize> + Sync,
    done: impl Fn(&mut T) + Sync,
    merge: impl FnMut(T) -> bool,
) -> Result<Option<usize>> {
    read_sized(b, open, threads, Cut::of(Elements::Objects, b, open, threads), probe, new, elem, done, merge)
}

/// [`read_objects`] for an array of arrays (a speedscope profile's
/// `samples`, `[[0, 1], [0, 2]]`): a guess is a `[` after `]` and `,`, and
/// an array of numbers holds nothing a guess can fall into. `b` should end
/// at the array's `]`: a guess past it, in another array, disproves the
/// chunk that holds the `]`. As with [`read_objects`], an array too small
/// to split and one thread are read too, in chunks on the calling thread
/// (what a chunk collects stays small), and so is an empty array: `Ok(None)`
/// only when the read was abandoned.
pub(crate) fn read_arrays<'a, T: Send>(
    b: &'a [u8],
    open: usize,
    threads: usize,
    new: impl Fn(usize) -> T + Sync,
    elem: impl Fn(&mut T, &'a str) -> Option<usize> + Sync,
    done: impl Fn(&mut T) + Sync,
    merge: impl FnMut(T) -> bool,
) -> Result<Option<usize>> {
    let first = skip_ws(b, open + 1);
    if b.get(first) == Some(&b']') {
        return Ok(Some(first));
    }
    read_sized(b, open, threads, Cut::of(Elements::Arrays, b, open, threads), |_| true, new, elem, done, merge)
}

/// The JSON array of numbers whose `[` is at `open` in `b`, read in chunks
/// as [`read_objects`] reads: a guess is a number after a digit and `,`.
/// `num(s, i)` reads the number at `i` in `s` and the offset after it
/// (`None`: not a number it reads). Returns the numbers and the offset of
/// the `]`; `Ok(None)` when the read was abandoned. The array is taken to
/// end at the first `]` (where an array of numbers ends: an array that
/// holds anything else is abandoned), so no guess falls past it.
pub(crate) fn read_numbers<T: Send>(
    b: &[u8],
    open: usize,
    threads: usize,
    num: impl Fn(&str, usize) -> Option<(T, usize)> + Sync,
) -> Result<Option<(Vec<T>, usize)>> {
    let Some(len) = b.get(open..).and_then(|rest| memchr::memchr(b']', rest)) else { return Ok(None) };
    let b = &b[..=open + len];
    let first = skip_ws(b, open + 1);
    if b.get(first) == Some(&b']') {
        return Ok(Some((Vec::new(), first)));
    }
    let mut all = Vec::new();
    let elem = |acc: &mut Vec<T>, rest: &str| {
        let (v, end) = num(rest, 0)?;
        acc.push(v);
        Some(end)
    };
    let merge = |part: Vec<T>| {
        if all.is_empty() {
            all = part;
        } else {
            all.extend(part);
        }
        true
    };
    let cut = Cut::of(Elements::Numbers, b, open, threads);
    let close = read_sized(b, open, threads, cut, |_| true, |_| Vec::new(), elem, |_| {}, merge)?;
    Ok(close.map(|close| (all, close)))
}

/// [`read_objects`] and [`read_arrays`], cut as `cut` says.
#[allow(clippy::too_many_arguments)]
fn read_sized<'a, T: Send>(
    b: &'a [u8],
    open: usize,
    threads: usize,
    cut: Cut,
    probe: impl Fn(&'a [u8]) -> bool,
    new: impl Fn(usize) -> T + Sync,
    elem: impl Fn(&mut T, &'a str) -> Option<usize> + Sync,
    done: impl Fn(&mut T) + Sync,
    mut merge: impl FnMut(T) -> bool,
) -> Result<Option<usize>> {
    let first = skip_ws(b, open + 1);
    if !b.get(first).is_some_and(|&c| cut.elements.starts(c)) {
        return Ok(None);
    }
    let size = cut.size;
    let mut starts = vec![first];
    // No guess within a chunk's length of where it was looked for (the
    // array ends, or holds no likely element there): the last chunk takes
    // the rest. So guessing reads a bounded share of the input.
    while let Some(c) =
        starts.last().and_then(|&s| s.checked_add(size)).and_then(|from| guess(b, from, size, cut.elements, &probe))
    {
        starts.push(c);
    }
    let chunks: Vec<Chunk> = starts
        .iter()
        .enumerate()
        .map(|(i, &start)| match starts.get(i + 1) {
            Some(&end) => Chunk { start, end, last: false },
            None => Chunk { start, end: b.len(), last: true },
        })
        .collect();
    let mut close = None;
    let mut abandoned = false;
    let result = parallel::parse_ordered_with(
        &chunks,
        threads,
        || (),
        |_, chunk| {
            // The last chunk runs to the end of `b`, past the array.
            let mut acc = new((chunk.end - chunk.start).min(size));
            let end = read_chunk(b, chunk, &mut acc, &elem);
            if end.is_some() {
                done(&mut acc);
            }
            (acc, end)
        },
        |(acc, end)| match end {
            Some(end) if merge(acc) => {
                close = Some(end);
                Ok(())
            }
            _ => {
                abandoned = true;
                // Stops the workers; replaced by `Ok(None)` below.
                Err(Error::Internal { message: "a guessed element start was disproven".into() })
            }
        },
    );
    match result {
        Err(_) if abandoned => Ok(None),
        Err(e) => Err(e),
        Ok(()) => Ok(close),
    }
}

/// The offset of the `[` of the array that key `key` of the top-level
/// object of `b` holds (among its first 64 keys), when the bytes before it
/// are at most an eighth of `b`: [`without_array`] copies them.
pub(crate) fn array_of(b: &[u8], key: &str) -> Option<usize> {
    find_key(b, skip_ws(b, 0), key, 64).filter(|&open| b.get(open) == Some(&b'[') && open <= b.len() / 8)
}

/// Whether `rest` starts an object with `key` among its first keys (within
/// its first [`HEAD_BYTES`]): a `probe` for [`read_objects`].
pub(crate) fn starts_object_with(rest: &[u8], key: &str) -> bool {
    let head = &rest[..rest.len().min(HEAD_BYTES)];
    key_pos(&object_keys(head, 0, 16), key).is_some()
}

/// The input `b` with `[]` for the array read by [`read_objects`] (its `[`
/// at `open`, its `]` at `close`), written into `out`: the rest of the
/// document, for serde to read as the one-thread read does. `None` when the
/// bytes around the array are not UTF-8.
pub(crate) fn without_array<'a>(b: &[u8], open: usize, close: usize, out: &'a mut String) -> Option<&'a str> {
    let head = std::str::from_utf8(b.get(..open)?).ok()?;
    let tail = std::str::from_utf8(b.get(close + 1..)?).ok()?;
    out.clear();
    out.reserve(head.len() + 2 + tail.len());
    out.push_str(head);
    out.push_str("[]");
    out.push_str(tail);
    Some(out)
}

/// Read `chunk`'s elements into `acc`. Returns where the chunk ended as
/// expected: the next chunk's start, or for the last chunk the offset of
/// the array's `]`; `None` otherwise (an element that runs past the
/// chunk's end does not parse: it is cut there).
fn read_chunk<'a, T>(
    b: &'a [u8],
    chunk: Chunk,
    acc: &mut T,
    elem: &impl Fn(&mut T, &'a str) -> Option<usize>,
) -> Option<usize> {
    let text = std::str::from_utf8(b.get(chunk.start..chunk.end)?).ok()?;
    let t = text.as_bytes();
    let mut at = 0;
    loop {
        // `at` follows ASCII (`,` or whitespace) or starts the chunk (an
        // ASCII `{`): a char boundary.
        let used = elem(acc, text.get(at..)?)?;
        let i = skip_ws(t, at.checked_add(used)?);
        match t.get(i) {
            Some(b',') => {
                let next = skip_ws(t, i + 1);
                if !chunk.last && next == t.len() {
                    return Some(chunk.end);
                }
                at = next;
            }
            Some(b']') if chunk.last => return Some(chunk.start + i),
            _ => return None,
        }
    }
}

/// The first offset in `from..from + within` that may start an element:
/// an element start (`{`) whose previous non-whitespace bytes are `,` and an
/// element end (`}`), accepted by `probe`. Objects and arrays are sought by
/// their opener, numbers by the `,` before them (a `-` or a digit is no
/// rarer than a `,` between numbers).
fn guess<'a>(
    b: &'a [u8],
    from: usize,
    within: usize,
    elements: Elements,
    probe: &impl Fn(&'a [u8]) -> bool,
) -> Option<usize> {
    let stop = from.saturating_add(within).min(b.len());
    let mut i = from;
    while i < stop {
        let c = i + memchr::memchr(elements.sought(), &b[i..stop])?;
        let start = if elements == Elements::Numbers { skip_ws(b, c + 1) } else { c };
        if b.get(start).is_some_and(|&x| elements.starts(x)) && after_end(b, start, elements) && probe(&b[start..]) {
            return Some(start);
        }
        i = c + 1;
    }
    None
}

/// Whether the non-whitespace bytes before `start` are an element's end and
/// a `,`.
fn after_end(b: &[u8], start: usize, elements: Elements) -> bool {
    let before = |mut j: usize| {
        while j > 0 && matches!(b[j - 1], b' ' | b'\t' | b'\n' | b'\r') {
            j -= 1;
        }
        j.checked_sub(1).map(|k| (k, b[k]))
    };
    matches!(before(start), Some((comma, b',')) if before(comma).is_some_and(|(_, x)| elements.ends(x)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde::Deserialize;

    #[derive(Deserialize)]
    struct E {
        #[serde(default)]
        k: String,
    }

    /// Read the element at the start of `rest` into `acc` with serde: the
    /// bytes it took.
    fn one<T: serde::de::DeserializeOwned>(acc: &mut Vec<T>, rest: &str) -> Option<usize> {
        let (v, used) = crate::json::value_at::<T>(rest)?;
        acc.push(v);
        Some(used)
    }

    /// Read `text`'s array of `{"k": ...}` objects (chunks of `MIN_CHUNK`
    /// and more); every element's `k`, or `None` when the read was abandoned.
    fn read(text: &str, threads: usize) -> Option<(Vec<String>, usize)> {
        read_with(text, threads, |rest| rest.starts_with(b"{\"k\""))
    }

    fn read_with(text: &str, threads: usize, probe: impl Fn(&[u8]) -> bool) -> Option<(Vec<String>, usize)> {
        let mut out = Vec::new();
        let close = read_objects(
            text.as_bytes(),
            text.find('[').unwrap(),
            threads,
            probe,
            |_| Vec::new(),
            one::<E>,
            |_| {},
            |acc| {
                out.extend(acc.into_iter().map(|e| e.k));
                true
            },
        )
        .unwrap()?;
        Some((out, close))
    }

    fn array(n: usize, elem: impl Fn(usize) -> String) -> String {
        let items: Vec<String> = (0..n).map(elem).collect();
        format!("{{\"a\": [\n{}\n] }}", items.join(",\n"))
    }

    #[test]
    fn every_element_in_order() {
        let text = array(20_000, |i| format!("{{\"k\":\"{i}\"}}"));
        let (ks, close) = read(&text, 3).expect("read in chunks");
        assert_eq!(ks, (0..20_000).map(|i| i.to_string()).collect::<Vec<_>>());
        assert_eq!(&text[close..], "] }");
    }

    #[test]
    fn one_thread_or_a_small_array_reads_in_turn() {
        for n in [1, 10, 20_000] {
            let text = array(n, |i| format!("{{\"k\":\"{i}\"}}"));
            for threads in [1, 3] {
                let (ks, close) = read_with(&text, threads, |_| true).expect("read");
                assert_eq!(ks, (0..n).map(|i| i.to_string()).collect::<Vec<_>>());
                assert_eq!(&text[close..], "] }");
            }
        }
    }

    #[test]
    fn guesses_inside_strings_or_nested_objects_are_disproven() {
        // The first element is about 1 MB of text that looks like element
        // boundaries, in a string or in nested objects: the first guesses
        // fall inside it, and the read is abandoned, never wrong.
        let fake_string = "}, {\\\"k\\\": 1".repeat(40_000);
        let fake_objects = vec!["{\"k\":\"n\"}"; 80_000].join(", ");
        // Empty objects in a string: a chunk started inside it reads them
        // up to the next guess, also inside it, and only the chunk before,
        // which reads past that guess, disproves it.
        let fake_elements = "}, {}".repeat(200_000);
        for first in [
            format!("{{\"k\":\"{fake_string}\"}}"),
            format!("{{\"k\":\"0\", \"x\":[{fake_objects}]}}"),
            format!("{{\"k\":\"{fake_elements}\"}}"),
        ] {
            let text = array(20_000, |i| if i == 0 { first.clone() } else { format!("{{\"k\":\"{i}\"}}") });
            assert!(read_with(&text, 3, |rest| rest.starts_with(b"{")).is_none());
        }
        // A probe that sees through the string's lookalikes: the first guess
        // (32 KB in, inside the 36 KB string) moves on to the next element,
        // the guesses are proven, and every element is read.
        let fake_string = "}, {\\\"k\\\": 1".repeat(3_000);
        let text =
            array(
                20_000,
                |i| if i == 0 { format!("{{\"k\":\"{fake_string}\"}}") } else { format!("{{\"k\":\"{i}\"}}") },
            );
        let (ks, _) = read(&text, 3).expect("read in chunks");
        assert_eq!(ks.len(), 20_000);
        assert_eq!(ks[1..], (1..20_000).map(|i| i.to_string()).collect::<Vec<_>>());
    }

    #[test]
    fn a_chunk_that_reads_past_the_next_start_disproves_it() {
        let text = r#"[{"k":"a"}, {"k":"b }, {}"}, {"k":"c"}]"#;
        let elem = one::<E>;
        let inside = text.find("{}").unwrap();
        let next = text.find(r#"{"k":"c"#).unwrap();
        let mut acc: Vec<E> = Vec::new();
        assert_eq!(read_chunk(text.as_bytes(), Chunk { start: 1, end: inside, last: false }, &mut acc, &elem), None);
        assert_eq!(
            read_chunk(text.as_bytes(), Chunk { start: 1, end: next, last: false }, &mut acc, &elem),
            Some(next)
        );
        let close = text.len() - 1;
        assert_eq!(
            read_chunk(text.as_bytes(), Chunk { start: next, end: text.len(), last: true }, &mut acc, &elem),
            Some(close)
        );
        assert_eq!(read_chunk(text.as_bytes(), Chunk { start: next, end: close, last: false }, &mut acc, &elem), None);
    }

    /// Each chunk's collection is made with about its chunk's length: the
    /// lengths of the chunks read, together the array's bytes, each at most
    /// a chunk's usual size, the last one too although its chunk runs on
    /// past the array to the end of the input.
    #[test]
    fn new_is_told_about_how_many_bytes_its_chunk_holds() {
        let elems: Vec<String> = (0..20_000).map(|i| format!(r#"{{"k":{i}}}"#)).collect();
        let array = format!("[{}]", elems.join(","));
        let tail = " ".repeat(64 * 1024);
        let doc = format!(r#"{{"a":{array},"pad":"{tail}"}}"#);
        let open = doc.find('[').unwrap();
        let size = Cut::of(Elements::Objects, doc.as_bytes(), open, 3).size;
        let (mut hints, mut count) = (Vec::new(), 0);
        let close = read_objects(
            doc.as_bytes(),
            open,
            3,
            |_| true,
            |bytes| (bytes, 0usize),
            |acc, rest| {
                acc.1 += 1;
                Some(rest.find('}')? + 1)
            },
            |_| {},
            |(bytes, n)| {
                hints.push(bytes);
                count += n;
                true
            },
        )
        .unwrap();
        assert_eq!(close, Some(open + array.len() - 1));
        assert_eq!(count, elems.len());
        assert!(hints.len() > 2, "{hints:?}");
        assert!(hints.iter().all(|&h| h > 0 && h <= size), "{hints:?} (size {size})");
        let sum: usize = hints.iter().sum();
        // The chunks cover the array from its first element (the last
        // chunk's bytes cut at `size`, at or past the array's end).
        assert!(sum + 1 >= array.len() - 1 && sum < array.len() + size, "{sum} for {} bytes", array.len());
    }

    /// Read `bytes`' array with elements that end at their first `}`, the
    /// merge answering `merged`.
    fn read_braces(bytes: &[u8], merged: bool) -> Option<usize> {
        let open = bytes.iter().position(|&c| c == b'[').unwrap();
        read_objects(bytes, open, 3, |_| true, |_| (), |_, rest| Some(rest.find('}')? + 1), |_| {}, |()| merged)
            .unwrap()
    }

    /// Elements whose strings and nested arrays look like element
    /// boundaries.
    fn element() -> impl proptest::strategy::Strategy<Value = String> {
        use proptest::prelude::*;
        prop_oneof![
            "[a-z ]{0,8}".prop_map(|s| format!(r#"{{"k":"{s}"}}"#)),
            Just(r#"{"k":"}, {\"k\": 1}, {"}"#.to_owned()),
            Just(r#"{"k":"x","n":[{"k":"y"}, {"k":"z"}]}"#.to_owned()),
            Just(r#"{"k":"}, {}"}"#.to_owned()),
            Just("{}".to_owned()),
        ]
    }

    proptest::proptest! {
        /// Cut anywhere, with any guess accepted, the read gives the array's
        /// elements and its `]`, or nothing.
        #[test]
        fn any_cut_gives_the_elements_or_nothing(
            elems in proptest::collection::vec(element(), 1..120),
            size in 1usize..300,
            threads in 1usize..4,
            sep in 0usize..3,
        ) {
            let text = format!("{{\"a\": [{}] }}", elems.join([",", ", ", ",\n "][sep]));
            let all: serde_json::Value = serde_json::from_str(&text).unwrap();
            let want: Vec<String> = all["a"]
                .as_array()
                .unwrap()
                .iter()
                .map(|e| e.get("k").and_then(|k| k.as_str()).unwrap_or("").to_owned())
                .collect();
            let mut got = Vec::new();
            let read = read_sized(
                text.as_bytes(),
                text.find('[').unwrap(),
                threads,
                Cut { elements: Elements::Objects, size },
                |_| true,
                |_| Vec::new(),
                one::<E>,
                |_| {},
                |acc| {
                    got.extend(acc.into_iter().map(|e| e.k));
                    true
                },
            )
            .unwrap();
            if let Some(close) = read {
                proptest::prop_assert_eq!(&got, &want);
                proptest::prop_assert_eq!(Some(close), text.rfind(']'));
            }
        }
    }

    /// Read `text`'s array of arrays of numbers (`[[0, 1], [2]]`): each
    /// element's numbers, or `None` when the read was abandoned.
    fn read_number_arrays(text: &str, threads: usize) -> Option<(Vec<Vec<u32>>, usize)> {
        let mut out = Vec::new();
        let close = read_arrays(
            text.as_bytes(),
            text.find('[').unwrap(),
            threads,
            |_| Vec::new(),
            one::<Vec<u32>>,
            |_| {},
            |acc| {
                out.extend(acc);
                true
            },
        )
        .unwrap()?;
        Some((out, close))
    }

    #[test]
    fn arrays_of_arrays_are_read_whole_on_any_thread_count() {
        let want: Vec<Vec<u32>> = (0..30_000).map(|i| (0..i % 5).collect()).collect();
        let text = format!("{{\"a\": {} }}", serde_json::to_string(&want).unwrap().replace("],", "],\n "));
        for threads in [1, 2, 3] {
            let (got, close) = read_number_arrays(&text, threads).expect("read");
            assert_eq!(got, want);
            assert_eq!(&text[close..], "] }");
        }
        // Small and empty arrays are read too (on the calling thread).
        assert_eq!(read_number_arrays("[[1], [], [2, 3]]", 2), Some((vec![vec![1], vec![], vec![2, 3]], 16)));
        assert_eq!(read_number_arrays("[ ]", 2), Some((vec![], 2)));
        // A number where an element should start abandons the read.
        assert_eq!(read_number_arrays("[[1], 2]", 2), None);
    }

    proptest::proptest! {
        /// An array of arrays of numbers holds nothing a guess can fall
        /// into: cut anywhere, every guess is proven and every element read.
        #[test]
        fn arrays_of_numbers_are_read_whole_at_any_cut(
            elems in proptest::collection::vec(proptest::collection::vec(0u32..1000, 0..6), 1..120),
            size in 1usize..300,
            threads in 1usize..4,
            sep in 0usize..3,
        ) {
            let sep = [",", ", ", ",\n "][sep];
            let items: Vec<String> = elems
                .iter()
                .map(|e| format!("[{}]", e.iter().map(u32::to_string).collect::<Vec<_>>().join(sep)))
                .collect();
            let text = format!("[{}]", items.join(sep));
            let mut got: Vec<Vec<u32>> = Vec::new();
            let cut = Cut { elements: Elements::Arrays, size };
            let read = read_sized(text.as_bytes(), 0, threads, cut, |_| true, |_| Vec::new(), one::<Vec<u32>>, |_| {}, |acc| {
                got.extend(acc);
                true
            })
            .unwrap();
            proptest::prop_assert_eq!(read, Some(text.len() - 1));
            proptest::prop_assert_eq!(&got, &elems);
        }
    }

    /// Integers and the offset of their `]`, or nothing.
    type Ints = Option<(Vec<i64>, usize)>;

    /// `text`'s array of integers read in chunks, and serde's reading.
    fn ints(text: &str, threads: usize) -> (Ints, Option<Vec<i64>>) {
        let read = read_numbers(text.as_bytes(), text.find('[').unwrap(), threads, crate::json::scan::int).unwrap();
        (read, serde_json::from_str(text).ok())
    }

    #[test]
    fn numbers_are_read_as_serde_reads_them_on_any_thread_count() {
        let want: Vec<i64> = (0..40_000i64).map(|i| (i * 7919) % 100_003 - 50_000).collect();
        let text = serde_json::to_string(&want).unwrap().replace(",-1", ", -1").replace(",2", ",\n 2");
        let floats: Vec<f64> = want.iter().map(|&i| i as f64 / 8.0).collect();
        let ftext = serde_json::to_string(&floats).unwrap().replace(",-", ",\t-");
        for threads in [1, 2, 3] {
            let (read, serde) = ints(&text, threads);
            assert_eq!(read, Some((want.clone(), text.len() - 1)));
            assert_eq!(serde, Some(want.clone()));
            let got =
                read_numbers(ftext.as_bytes(), 0, threads, crate::json::scan::number).unwrap().expect("floats read");
            assert_eq!(got.0, serde_json::from_str::<Vec<f64>>(&ftext).unwrap());
        }
        // Small and empty arrays, and what follows the array.
        assert_eq!(ints("[ ]", 2).0, Some((vec![], 2)));
        assert_eq!(ints(r#"{"a": [1, -2] ,"b":[3,4]}"#, 2).0, Some((vec![1, -2], 12)));
    }

    #[test]
    fn arrays_of_other_values_than_plain_numbers_are_abandoned() {
        let long = |inner: &str| format!("[{}{inner}{}]", "1,".repeat(3000), ",2".repeat(3000));
        for text in [
            long(r#""x""#),
            long("[3]"),
            long("1.5"),
            long("12345678901234567890"),
            long("01"),
            long("null"),
            long("1,"),
            "[1,2,]".to_string(),
            "[1 2]".to_string(),
            "[1,2".to_string(),
        ] {
            for threads in [1, 2] {
                assert_eq!(ints(&text, threads).0, None, "{text:.40}");
            }
        }
    }

    proptest::proptest! {
        /// Cut anywhere, an array of integers is read whole, as serde reads
        /// it.
        #[test]
        fn integers_are_read_whole_at_any_cut(
            elems in proptest::collection::vec(-1_000_000i64..1_000_000, 1..150),
            size in 1usize..300,
            threads in 1usize..4,
            sep in 0usize..3,
        ) {
            let sep = [",", ", ", " ,\n "][sep];
            let text = format!("[{}]", elems.iter().map(i64::to_string).collect::<Vec<_>>().join(sep));
            let mut got: Vec<i64> = Vec::new();
            let cut = Cut { elements: Elements::Numbers, size };
            let elem = |acc: &mut Vec<i64>, rest: &str| {
                let (v, end) = crate::json::scan::int(rest, 0)?;
                acc.push(v);
                Some(end)
            };
            let read = read_sized(text.as_bytes(), 0, threads, cut, |_| true, |_| Vec::new(), elem, |_| {}, |acc| {
                got.extend(acc);
                true
            })
            .unwrap();
            proptest::prop_assert_eq!(read, Some(text.len() - 1));
            proptest::prop_assert_eq!(&got, &elems);
        }
    }

    #[test]
    fn a_chunk_that_is_not_utf8_abandons_the_read() {
        let text = array(20_000, |i| format!("{{\"k\":\"{i}\"}}"));
        let mut bytes = text.clone().into_bytes();
        let at = text.find("\"15000\"").unwrap() + 1;
        bytes[at] = 0xff;
        assert!(read_braces(&bytes, true).is_none());
        assert_eq!(read_braces(text.as_bytes(), true), text.rfind(']'));
    }

    #[test]
    fn a_refused_merge_abandons_the_read() {
        let text = array(20_000, |i| format!("{{\"k\":\"{i}\"}}"));
        assert!(read_braces(text.as_bytes(), false).is_none());
    }

    #[test]
    fn the_document_without_its_array() {
        let b = br#"{"a": 1, "xs": [{"k": "v"}, {}], "z": "\u00e9"}"#;
        let (open, close) = (b.iter().position(|&c| c == b'[').unwrap(), b.iter().position(|&c| c == b']').unwrap());
        let mut out = String::from("left over");
        assert_eq!(without_array(b, open, close, &mut out), Some(r#"{"a": 1, "xs": [], "z": "\u00e9"}"#));
        let mut bad = b.to_vec();
        let last = bad.len() - 3;
        bad[last] = 0xff;
        assert_eq!(without_array(&bad, open, close, &mut out), None);
    }

    #[test]
    fn a_malformed_element_abandons_the_read() {
        let mut text = array(20_000, |i| format!("{{\"k\":\"{i}\"}}"));
        // A trailing comma before `]`, which serde_json refuses.
        text = text.replace("\n] }", ",\n] }");
        assert!(read(&text, 3).is_none());
        let text = array(20_000, |i| if i == 15_000 { "{\"k\":1}".into() } else { format!("{{\"k\":\"{i}\"}}") });
        assert!(read(&text, 3).is_none());
    }
}
