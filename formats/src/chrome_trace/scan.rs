//! A quick reader for the usual trace event, used where the events are read
//! in chunks (on several threads, or in turn on one): a flat JSON object
//! whose keys and string values have no escapes and whose numeric fields
//! are small non-negative integers
//! (`{"name":"f","ph":"B","ts":1005,"pid":1,"tid":6}`). It reads such an
//! event into the same [`RawEvent`] serde does, without serde's per-field
//! dispatch. For anything else (an escape, a fraction, a string where a
//! number goes, a repeated field, bad JSON) it gives up, and the caller
//! reads the event with serde: what is read, and every error, stays exactly
//! serde's. `args` and nested values of other keys are read by serde in any
//! case. Its object walk and value pieces are shared with `v8::scan`
//! ([`crate::json::scan`]).

use std::borrow::Cow;

use serde_json::value::RawValue;

use super::events::RawEvent;
use crate::json::scan::{fields, number, once, plain_str, skip_value};
use crate::json::{value_at, IdVal, JStr, Num};

/// The event object at the start of `s`, and the bytes it takes, as serde
/// reads it; `None` to leave it to serde.
#[cfg(test)]
pub(super) fn event(s: &str) -> Option<(RawEvent<'_>, usize)> {
    let mut ev = RawEvent::default();
    event_into(s, &mut ev).map(|used| (ev, used))
}

/// Read the event object at the start of `s` into `ev` (which holds no
/// field yet), as serde reads it: the bytes it takes, or `None` to leave it
/// to serde (with `ev` partly set). Filled in place: an event is too large
/// to be returned and moved again at every step, once per event.
pub(super) fn event_into<'a>(s: &'a str, ev: &mut RawEvent<'a>) -> Option<usize> {
    let b = s.as_bytes();
    // Fields already read: serde refuses a repeated one.
    let mut seen = 0u16;
    let end = fields(s, 0, |key, i| {
        let field = match key {
            "ph" => 0,
            "name" => 1,
            "ts" => 2,
            "dur" => 3,
            "tdur" => 4,
            "pid" => 5,
            "tid" => 6,
            "id" => 7,
            "args" => 8,
            _ => 9,
        };
        if field < 9 {
            once(&mut seen, field)?;
        }
        if b[i..].starts_with(b"null") {
            // Every field is optional: `null` leaves it out (the byte after
            // it is checked by `fields`, as after any value).
            return Some(i + 4);
        }
        match field {
            0 | 1 => {
                let (v, end) = plain_str(s, i)?;
                let v = Some(JStr(Cow::Borrowed(v)));
                if field == 0 {
                    ev.ph = v;
                } else {
                    ev.name = v;
                }
                Some(end)
            }
            2..=6 => {
                let (v, end) = number(s, i)?;
                let v = Some(Num(v));
                match field {
                    2 => ev.ts = v,
                    3 => ev.dur = v,
                    4 => ev.tdur = v,
                    5 => ev.pid = v,
                    _ => ev.tid = v,
                }
                Some(end)
            }
            7 if b.get(i) == Some(&b'"') => {
                let (v, end) = plain_str(s, i)?;
                ev.id = Some(IdVal::Str(Cow::Borrowed(v)));
                Some(end)
            }
            7 => {
                let (v, end) = number(s, i)?;
                ev.id = Some(IdVal::Num(v));
                Some(end)
            }
            8 => {
                let (v, used) = value_at::<&RawValue>(&s[i..])?;
                ev.args = Some(v);
                Some(i + used)
            }
            _ => skip_value(s, i),
        }
    })?;
    Some(end)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// serde's reading of the event at the start of `s`.
    fn serde_event(s: &str) -> Option<(RawEvent<'_>, usize)> {
        value_at::<RawEvent>(s)
    }

    /// The fields, comparable (numbers by their bits, `args` by its text).
    fn fields(ev: &RawEvent<'_>) -> String {
        let n = |v: Option<Num>| v.map(|n| n.0.to_bits());
        format!(
            "{:?} {:?} {:?} {:?} {:?} {:?} {:?} {:?} {:?}",
            ev.ph.as_ref().map(|s| &s.0),
            ev.name.as_ref().map(|s| &s.0),
            n(ev.ts),
            n(ev.dur),
            n(ev.tdur),
            n(ev.pid),
            n(ev.tid),
            ev.id.as_ref().map(|id| match id {
                IdVal::Str(s) => format!("s{s}"),
                IdVal::Num(v) => format!("n{}", v.to_bits()),
            }),
            ev.args.map(RawValue::get),
        )
    }

    /// Whatever the scanner reads, serde reads the same way.
    fn check(s: &str) -> bool {
        let Some((ev, used)) = event(s) else { return false };
        let Some((want, want_used)) = serde_event(s) else {
            panic!("the scanner read {s:?}, serde refuses it");
        };
        assert_eq!((fields(&ev), used), (fields(&want), want_used), "{s:?}");
        true
    }

    #[test]
    fn usual_events_are_read_as_serde_reads_them() {
        for s in [
            r#"{"name":"json::module_36::handle_43748","cat":"fn","ph":"B","ts":1005,"pid":1,"tid":6},"#,
            r#"{"name":"a","ph":"X","ts":0,"dur":12,"tdur":3,"tts":9,"pid":10,"tid":11,"args":{}}"#,
            r#"{ "ph" : "E" , "ts" : 123456789012345 , "pid" : 1 , "tid" : 2 , "name" : "f" } ,"#,
            r#"{"name":"f","ph":"b","id":"0x1f","ts":3,"pid":1,"tid":1,"args":{"x":[1,{"y":"\"}"}]}}"#,
            r#"{"name":"f","ph":"b","id":7,"ts":3,"pid":1,"tid":1,"args":null,"s":"t","bp":"e"}"#,
            r#"{"name":null,"ph":"B","ts":1.5,"pid":-1,"tid":1e3,"sf":[1,2],"flag":true,"x":false,"y":null}"#,
            r#"{"name":"f","ph":"B","ts":12345678901234567890,"pid":0,"tid":-0,"args":"text"}"#,
            r#"{}"#,
            r#"{ }"#,
            "{\"name\":\"f\u{e9}\u{1F600}\",\"ph\":\"B\",\"ts\":1,\"pid\":1,\"tid\":1}",
        ] {
            assert!(check(s), "the scanner gave up on {s:?}");
        }
    }

    #[test]
    fn unusual_events_are_left_to_serde() {
        for s in [
            // escapes, control characters
            r#"{"name":"a\"b","ph":"B","ts":1}"#,
            r#"{"na\u006de":"a","ph":"B","ts":1}"#,
            "{\"name\":\"a\tb\",\"ph\":\"B\",\"ts\":1}",
            // numbers serde reads from strings, or refuses
            r#"{"name":"a","ph":"B","ts":"12"}"#,
            r#"{"name":"a","ph":"B","ts":012}"#,
            r#"{"name":"a","ph":"B","ts":1.}"#,
            r#"{"name":"a","ph":"B","ts":--1}"#,
            r#"{"name":"a","ph":"B","ts":1-2}"#,
            r#"{"name":"a","ph":"B","ts":true}"#,
            r#"{"name":"a","ph":"B","tts":01}"#,
            // repeated fields (serde: an error), bad JSON
            r#"{"name":"a","ph":"B","name":"b"}"#,
            r#"{"name":"a","ph":"B",}"#,
            r#"{"name":"a" "ph":"B"}"#,
            r#"{"name":"a","ph":nul}"#,
            r#"{"name":"a","ph":nullx}"#,
            r#"{"name":"a","x":tru}"#,
            r#"{"name":"a","x":trux}"#,
            r#"{"name":"a","x":falsy}"#,
            r#"{"name":"a","args":{"x":}}"#,
            r#"{"name":"a""#,
            r#"{"name":"a","ph""#,
            r#"{"name":"a","ph":"#,
            r#"{"#,
            r#"["B","a"]"#,
            r#" {"name":"a"}"#,
        ] {
            assert!(!check(s), "the scanner read {s:?}");
        }
    }

    /// Events made of the usual parts and of every kind of deviation:
    /// whatever the scanner reads, serde reads alike.
    #[test]
    fn generated_events_agree_with_serde() {
        let keys = ["name", "ph", "ts", "dur", "tdur", "pid", "tid", "id", "args", "cat", "tts", "n\\u0061me", "s"];
        let values = [
            r#""f""#,
            r#""B""#,
            r#""a\"b""#,
            r#""""#,
            "0",
            "7",
            "1005",
            "-3",
            "1.25",
            "2e3",
            "1E-2",
            "01",
            "1.",
            "123456789012345678",
            "123456789012345678901234567890",
            "-0",
            "null",
            "true",
            "false",
            "nul",
            "{}",
            r#"{"a":[1,"}"]}"#,
            "[1,2]",
            "[1,",
            r#""12""#,
            "1x",
            "trux",
            "fals",
        ];
        let spaces = ["", " ", "\n\t"];
        let mut rnd = crate::json::scan::test_rng(0x5eed);
        let mut read = 0;
        for _ in 0..20_000 {
            let mut s = String::from("{");
            let fields = rnd(6);
            for k in 0..fields {
                if k > 0 {
                    s.push_str(spaces[rnd(3)]);
                    s.push(',');
                }
                s.push_str(spaces[rnd(3)]);
                s.push('"');
                s.push_str(keys[rnd(keys.len())]);
                s.push('"');
                s.push_str(spaces[rnd(3)]);
                s.push(':');
                s.push_str(spaces[rnd(3)]);
                s.push_str(values[rnd(values.len())]);
            }
            s.push_str(spaces[rnd(3)]);
            s.push_str(["}", "},", "}x", "", ",}"][rnd(5)]);
            if check(&s) {
                read += 1;
            }
        }
        // The usual events are many among them: the scanner reads a share.
        assert!(read > 2_000, "the scanner read only {read} events");
    }
}
