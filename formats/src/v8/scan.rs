//! A quick reader for the usual node of a CPU profile's `nodes` array, used
//! where the array is read in chunks (on several threads, or in turn on
//! one): a JSON object whose keys and strings have no escapes and whose ids
//! are plain integers (`{"id":2,"callFrame":{"functionName":"f",
//! "scriptId":"3","url":"a.js","lineNumber":4,"columnNumber":7},
//! "hitCount":0,"children":[3,4]}`). It reads such a node into the same
//! [`CpuNode`] and children ids serde does (through [`super::NodeJson`] and
//! [`NodePart::push_json`]), in place and
//! without serde's per-field dispatch; the start V8 writes (`id`, then a
//! `callFrame` of `functionName`, `scriptId`, `url`, `lineNumber` and
//! `columnNumber`, nothing between the tokens) is checked byte for byte,
//! without looking its keys up. For
//! anything else (an escape, a fraction or `-0` where an id goes, a
//! repeated field, `null` where serde wants a value, bad JSON) it gives up,
//! and the caller reads the node with serde: what is read, and every error,
//! stays exactly serde's. Values of keys the node does not keep
//! (`hitCount`, `positionTicks`, `scriptId`, …) are skipped, nested ones by
//! serde.

use super::{CpuNode, NodePart, Text};
use crate::json::scan::{fields, fields_after, int, lit, number_value, once, plain_str, skip_value};
use crate::json::skip_ws;

/// Append the node object at the start of `s` to `part`, as serde reads
/// it (through [`super::NodeJson`] and [`NodePart::push_json`]): the bytes
/// it takes, or `None` to leave it to serde (with `part` as it was).
pub(crate) fn push_node<'a>(s: &'a str, part: &mut NodePart<'a>) -> Option<usize> {
    let children = part.children.len();
    part.nodes.push(CpuNode::empty());
    let read = match part.nodes.last_mut() {
        Some(node) => node_into(s, node, &mut part.children),
        None => None,
    };
    match read.filter(|_| part.set_children_from(children).is_some()) {
        Some(used) => Some(used),
        None => {
            part.nodes.pop();
            part.children.truncate(children);
            None
        }
    }
}

/// Read the node object at the start of `s` into `node` (as
/// [`CpuNode::empty`] leaves it) and its children ids onto `children`, as
/// serde reads it: the bytes it takes, or `None` to leave it to serde
/// (with `node` and `children` partly set). Filled in place: a node
/// returned would be moved again, once per node.
fn node_into<'a>(s: &'a str, node: &mut CpuNode<'a>, children: &mut Vec<i64>) -> Option<usize> {
    let b = s.as_bytes();
    // The usual start, `{"id":N,"callFrame":{...}` with nothing between
    // the tokens, read without looking its keys up; then the other fields
    // as any are read. Any other start is read field by field from the top.
    let start = usual_start(s, node);
    if start.is_none() {
        *node = CpuNode::empty();
    }
    let mut id = start.map(|(id, _)| id);
    // Fields already read.
    let mut seen = if start.is_some() { 0b11 } else { 0u16 };
    let value = |key, i| {
        let field = match key {
            "id" => 0,
            "callFrame" => 1,
            "children" => 2,
            "parent" => 3,
            _ => return skip_value(s, i),
        };
        once(&mut seen, field)?;
        match field {
            0 => int(s, i).map(|(v, end)| {
                id = Some(v);
                end
            }),
            1 => frame_into(s, i, node),
            // An `Option`: `null` leaves it out (the byte after it is
            // checked by `fields`, as after any value).
            _ if b[i..].starts_with(b"null") => Some(i + 4),
            2 => ids(s, i, children),
            _ => int(s, i).map(|(v, end)| {
                node.set_parent(Some(v));
                end
            }),
        }
    };
    let end = match start {
        Some((_, at)) => fields_after(s, at, value)?,
        None => fields(s, 0, value)?,
    };
    node.id = id?;
    Some(end)
}

/// The node's `id` and the offset after its `callFrame` object, read into
/// `node`, when the node starts as V8 writes it: `{"id":N,"callFrame":` and
/// a frame that [`usual_frame`] or else [`frame_into`] reads. `None`
/// otherwise (with `node` partly set).
fn usual_start<'a>(s: &'a str, node: &mut CpuNode<'a>) -> Option<(i64, usize)> {
    let b = s.as_bytes();
    let (id, i) = int(s, lit(b, 0, br#"{"id":"#)?)?;
    let i = lit(b, i, br#","callFrame":"#)?;
    let end = usual_frame(s, i, node).or_else(|| frame_into(s, i, node))?;
    Some((id, end))
}

/// Read the `callFrame` object at `i` into `node` when it is as V8 writes
/// it, `{"functionName":"…","scriptId":…,"url":"…","lineNumber":N,
/// "columnNumber":N}` with nothing between the tokens, strings without
/// escapes and numbers: the offset after it; `None` otherwise (with `node`
/// untouched), to be read by [`frame_into`].
fn usual_frame<'a>(s: &'a str, i: usize, node: &mut CpuNode<'a>) -> Option<usize> {
    let b = s.as_bytes();
    let (name, i) = plain_str(s, lit(b, i, br#"{"functionName":"#)?)?;
    let i = skip_value(s, lit(b, i, br#","scriptId":"#)?)?;
    let (url, i) = plain_str(s, lit(b, i, br#","url":"#)?)?;
    let (line, i) = number_value(s, lit(b, i, br#","lineNumber":"#)?)?;
    let (col, i) = number_value(s, lit(b, i, br#","columnNumber":"#)?)?;
    let end = lit(b, i, b"}")?;
    node.name = Text::In(name);
    node.url = Text::In(url);
    node.line = super::one_based(line);
    node.col = super::one_based(col);
    Some(end)
}

/// Read the `callFrame` object at `i` into `node`'s frame fields (as
/// [`CpuNode`] takes them from a [`super::CallFrameJson`]); the offset after
/// it.
fn frame_into<'a>(s: &'a str, i: usize, node: &mut CpuNode<'a>) -> Option<usize> {
    let b = s.as_bytes();
    let mut seen = 0u16;
    fields(s, i, |key, i| {
        let field = match key {
            "functionName" => 0,
            "url" => 1,
            "lineNumber" => 2,
            "columnNumber" => 3,
            _ => return skip_value(s, i),
        };
        once(&mut seen, field)?;
        if b[i..].starts_with(b"null") {
            // Every field is an `Option`.
            return Some(i + 4);
        }
        match field {
            0 | 1 => {
                let (v, end) = plain_str(s, i)?;
                if field == 0 {
                    node.name = Text::In(v);
                } else {
                    node.url = Text::In(v);
                }
                Some(end)
            }
            _ => {
                let (v, end) = number_value(s, i)?;
                if field == 2 {
                    node.line = super::one_based(v);
                } else {
                    node.col = super::one_based(v);
                }
                Some(end)
            }
        }
    })
}

/// The array of integers at `i` (`children`), appended to `v`: the offset
/// after it.
fn ids(s: &str, i: usize, v: &mut Vec<i64>) -> Option<usize> {
    let b = s.as_bytes();
    if b.get(i) != Some(&b'[') {
        return None;
    }
    let mut i = skip_ws(b, i + 1);
    if b.get(i) == Some(&b']') {
        return Some(i + 1);
    }
    loop {
        let (id, end) = int(s, i)?;
        v.push(id);
        i = skip_ws(b, end);
        match b.get(i)? {
            b',' => i = skip_ws(b, i + 1),
            b']' => return Some(i + 1),
            _ => return None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::json::value_at;

    /// Whatever the quick reader reads, serde reads the same way (compared
    /// through `Debug`: the node as the import keeps it, line and column
    /// already 1-based).
    fn check(s: &str) -> bool {
        // A node before, so that the children are counted from where the
        // part's end.
        let mut got = NodePart::default();
        got.push_json(value_at::<super::super::NodeJson>(r#"{"id":9,"children":[1,2]}"#).unwrap().0).unwrap();
        let before = format!("{got:?}");
        let Some(used) = push_node(s, &mut got) else {
            assert_eq!(format!("{got:?}"), before, "the quick reader gave up on {s:?} but changed the part");
            return false;
        };
        let Some((json, want_used)) = value_at::<super::super::NodeJson>(s) else {
            panic!("the quick reader read {s:?}, serde refuses it");
        };
        let mut want = NodePart::default();
        want.push_json(json).unwrap();
        assert_eq!((got.view(1), used), (want.view(0), want_used), "{s:?}");
        true
    }

    #[test]
    fn usual_nodes_are_read_as_serde_reads_them() {
        for s in [
            r#"{"id":6,"callFrame":{"functionName":"render::module_26::handle_83245","scriptId":"45","url":"/src/render/module_26.rs","lineNumber":245,"columnNumber":4},"hitCount":0,"children":[7]},"#,
            r#"{"id":1,"callFrame":{"functionName":"(root)","scriptId":"0","url":"","lineNumber":-1,"columnNumber":-1},"hitCount":0,"children":[2,3,4]}"#,
            r#"{ "callFrame" : { "url" : "a.js" , "functionName" : "" } , "id" : 12 , "parent" : 3 } ,"#,
            r#"{"id":2,"callFrame":{"functionName":"f","codeType":"JS","lineNumber":1.5,"columnNumber":2e1},"positionTicks":[{"line":1,"ticks":2}],"deoptReason":"","children":[]}"#,
            r#"{"id":-3,"callFrame":{"functionName":null,"url":null,"lineNumber":null,"columnNumber":null},"children":null,"parent":null,"x":true,"y":false}"#,
            r#"{"id":123456789012345678,"callFrame":{},"children":[ 1 , -2 ,3 ]}"#,
            r#"{"id":7}"#,
            "{\"id\":7,\"callFrame\":{\"functionName\":\"f\u{e9}\u{1F600}\",\"url\":\"\"}}",
        ] {
            assert!(check(s), "the quick reader gave up on {s:?}");
        }
    }

    #[test]
    fn unusual_nodes_are_left_to_serde() {
        for s in [
            // escapes, control characters
            r#"{"id":1,"callFrame":{"functionName":"a\"b"}}"#,
            r#"{"i\u0064":1}"#,
            "{\"id\":1,\"callFrame\":{\"functionName\":\"a\tb\"}}",
            // ids serde refuses or reads otherwise
            r#"{"id":"1"}"#,
            r#"{"id":1.0}"#,
            r#"{"id":1e2}"#,
            r#"{"id":-0}"#,
            r#"{"id":01}"#,
            r#"{"id":null}"#,
            r#"{"id":1234567890123456789}"#,
            r#"{"id":1,"parent":2.5}"#,
            r#"{"id":1,"children":[1.5]}"#,
            r#"{"id":1,"children":[1,]}"#,
            r#"{"id":1,"children":{}}"#,
            // frames serde refuses
            r#"{"id":1,"callFrame":null}"#,
            r#"{"id":1,"callFrame":[]}"#,
            r#"{"id":1,"callFrame":{"lineNumber":"3"}}"#,
            r#"{"id":1,"callFrame":{"lineNumber":true}}"#,
            r#"{"id":1,"callFrame":{"functionName":3}}"#,
            // missing or repeated fields, bad JSON
            r#"{"callFrame":{}}"#,
            r#"{"id":1,"id":2}"#,
            r#"{"id":1,"callFrame":{"url":"a","url":"b"}}"#,
            r#"{"id":1,}"#,
            r#"{"id":1 "parent":2}"#,
            r#"{"id":1,"parent":nul}"#,
            r#"{"id":1,"parent":nullx}"#,
            r#"{"id":1,"x":tru}"#,
            r#"{"id":1"#,
            r#" {"id":1}"#,
            r#"[1]"#,
        ] {
            assert!(!check(s), "the quick reader read {s:?}");
        }
    }

    /// Nodes laid out as V8 writes them, each token kept or replaced by a
    /// deviation (another value, a space, another key, a missing or repeated
    /// field): whatever the quick reader reads, serde reads alike, and the
    /// usual layout itself is read.
    #[test]
    fn nodes_in_v8_layout_and_near_it_agree_with_serde() {
        // (usual token, deviations)
        let tokens: &[(&str, &[&str])] = &[
            (r#"{"id":"#, &[r#"{ "id":"#, r#"{"parent":"#, r#"{"id" :"#, r#"{"callFrame":{},"id":"#]),
            ("12", &["-0", "1.5", "null", r#""12""#, "-3", "01"]),
            (r#","callFrame":"#, &[r#", "callFrame":"#, r#","id":"#, r#","callFrame" :"#, r#","parent":"#]),
            (r#"{"functionName":"#, &[r#"{ "functionName":"#, r#"{"url":"#, r#"{"codeType":"#, "{"]),
            (r#""f""#, &[r#""a\"b""#, "null", "3", r#""""#]),
            (r#","scriptId":"#, &[r#","url":"#, r#","scriptId": "#, r#","functionName":"#]),
            (r#""45""#, &["45", "null", r#"{"a":1}"#, r#""a\"b""#]),
            (r#","url":"#, &[r#","functionName":"#, r#", "url":"#, r#","lineNumber":"#]),
            (r#""/src/a.js""#, &["null", r#""""#, "7"]),
            (r#","lineNumber":"#, &[r#","columnNumber":"#, r#","url":"#, r#","lineNumber" :"#]),
            ("245", &["-1", "1.5", "2e3", "null", r#""3""#, "-0", "true"]),
            (r#","columnNumber":"#, &[r#","lineNumber":"#, r#","codeType":"#, r#", "columnNumber":"#]),
            ("4", &["-1", "null", "01", "1."]),
            ("}", &[r#","codeType":"JS"}"#, " }", r#","url":"b"}"#, ""]),
            (r#","hitCount":0"#, &["", r#","id":3"#, r#","callFrame":{}"#, r#", "hitCount":0"#]),
            (r#","children":[13,14]"#, &["", r#","children":[13, 14]"#, r#","children":null"#, r#","parent":2"#]),
            ("}", &[r#","positionTicks":[{"line":1,"ticks":2}]}"#, " }", ",}", ""]),
        ];
        let usual: String = tokens.iter().map(|(t, _)| *t).collect();
        assert!(check(&usual), "the quick reader gave up on {usual:?}");
        let mut rnd = crate::json::scan::test_rng(0x0d8);
        let mut read = 0;
        for _ in 0..30_000 {
            let s: String =
                tokens.iter().map(|(t, other)| if rnd(6) == 0 { other[rnd(other.len())] } else { *t }).collect();
            if check(&s) {
                read += 1;
            }
        }
        assert!(read > 3_000, "the quick reader read only {read} nodes");
    }

    /// Nodes made of the usual parts and of every kind of deviation:
    /// whatever the quick reader reads, serde reads alike.
    #[test]
    fn generated_nodes_agree_with_serde() {
        // Keys, each with values of its usual kind.
        let ints: &[&str] = &["0", "7", "-1", "123456789012345678"];
        let numbers: &[&str] = &["0", "245", "-1", "1.5", "2e3"];
        let strings: &[&str] = &[r#""f""#, r#""""#, r#""/src/a.js""#];
        let arrays: &[&str] = &["[]", "[1,2]", "[-3, 4 ]", "[5]"];
        let node_keys: &[(&str, &[&str])] = &[
            ("id", ints),
            ("parent", ints),
            ("children", arrays),
            ("callFrame", &[]),
            ("hitCount", ints),
            ("positionTicks", arrays),
            ("i\\u0064", ints),
        ];
        let frame_keys: &[(&str, &[&str])] = &[
            ("functionName", strings),
            ("url", strings),
            ("lineNumber", numbers),
            ("columnNumber", numbers),
            ("scriptId", strings),
            ("codeType", strings),
        ];
        // Any value, for any key.
        let any = [
            r#""f""#,
            r#""""#,
            r#""a\"b""#,
            "0",
            "7",
            "-1",
            "-0",
            "1.5",
            "2e3",
            "01",
            "1.",
            "123456789012345678",
            "1234567890123456789",
            "null",
            "true",
            "false",
            "nul",
            "[]",
            "[1,2]",
            "[1,",
            "[-3, 4 ]",
            "[1.5]",
            r#""12""#,
            "1x",
            "{}",
        ];
        let spaces = ["", " ", "\n\t"];
        let mut rnd = crate::json::scan::test_rng(0x5eed);
        let object = |rnd: &mut dyn FnMut(usize) -> usize, keys: &[(&str, &[&str])], frame: &str| {
            let mut s = String::from("{");
            for k in 0..rnd(6) {
                if k > 0 {
                    s.push_str(spaces[rnd(3)]);
                    s.push(',');
                }
                // Mostly `id` first, as V8 writes it.
                let (key, usual) = if k == 0 && rnd(4) > 0 { keys[0] } else { keys[rnd(keys.len())] };
                s.push_str(&format!("{}\"{key}\"{}:{}", spaces[rnd(3)], spaces[rnd(3)], spaces[rnd(3)]));
                match (key, rnd(4)) {
                    ("callFrame", 1..) => s.push_str(frame),
                    (_, 1..) if !usual.is_empty() => s.push_str(usual[rnd(usual.len())]),
                    _ => s.push_str(any[rnd(any.len())]),
                }
            }
            s.push_str(spaces[rnd(3)]);
            s
        };
        let mut read = 0;
        for _ in 0..30_000 {
            let mut frame = object(&mut rnd, frame_keys, "");
            frame.push('}');
            let mut s = object(&mut rnd, node_keys, &frame);
            s.push_str(["}", "},", "}x", "", ",}"][rnd(5)]);
            if check(&s) {
                read += 1;
            }
        }
        // The usual nodes are many among them: the quick reader reads a share.
        assert!(read > 3_000, "the quick reader read only {read} nodes");
    }
}
