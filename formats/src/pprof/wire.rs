//! A direct decoder of the `profile.proto` subset the importer reads, for
//! well-formed input only: the same messages prost builds, without prost's
//! per-field dispatch. Anything it does not handle the way prost would
//! (groups, a known field with another wire type, an overlong varint, a
//! field number 0, ...) makes it give up (`None`); the caller then decodes
//! with prost, which gives the same message or the error.

use super::{PbFunction, PbLine, PbLocation, PbMapping, PbProfile, PbSample, PbValueType};

/// A varint at `b[i..]` as prost reads it (at most 10 bytes, the 10th at
/// most 1), and the index after it.
pub(super) fn varint(b: &[u8], mut i: usize) -> Option<(u64, usize)> {
    let mut v: u64 = 0;
    for shift in (0..63).step_by(7) {
        let c = *b.get(i)?;
        i += 1;
        v |= u64::from(c & 0x7f) << shift;
        if c < 0x80 {
            return Some((v, i));
        }
    }
    let c = *b.get(i)?;
    (c <= 1).then(|| (v | u64::from(c) << 63, i + 1))
}

/// One field's value: a varint, or a length-delimited body.
#[derive(Clone, Copy)]
enum Value<'a> {
    Varint(u64),
    Bytes(&'a [u8]),
    /// A fixed32 or fixed64 (no field read here has one).
    Fixed,
}

/// Call `f` with each field of message `b` (number and value); `None` when
/// the message is malformed or `f` gives up.
fn fields<'a>(b: &'a [u8], mut f: impl FnMut(u64, Value<'a>) -> Option<()>) -> Option<()> {
    let mut i = 0;
    while i < b.len() {
        let (key, next) = varint(b, i)?;
        if key > u64::from(u32::MAX) || key >> 3 == 0 {
            return None;
        }
        let (field, value, next) = match key & 7 {
            0 => {
                let (v, next) = varint(b, next)?;
                (key >> 3, Value::Varint(v), next)
            }
            2 => {
                let (n, start) = varint(b, next)?;
                let end = start.checked_add(usize::try_from(n).ok()?).filter(|&e| e <= b.len())?;
                (key >> 3, Value::Bytes(&b[start..end]), end)
            }
            1 => (key >> 3, Value::Fixed, next.checked_add(8).filter(|&e| e <= b.len())?),
            5 => (key >> 3, Value::Fixed, next.checked_add(4).filter(|&e| e <= b.len())?),
            _ => return None,
        };
        f(field, value)?;
        i = next;
    }
    Some(())
}

/// The varint of a known scalar field (any other wire type: give up).
fn scalar(v: Value<'_>) -> Option<u64> {
    match v {
        Value::Varint(v) => Some(v),
        _ => None,
    }
}

/// The body of a known message field.
fn message(v: Value<'_>) -> Option<&[u8]> {
    match v {
        Value::Bytes(b) => Some(b),
        _ => None,
    }
}

/// Decode the profile's tables (every field but the samples) as
/// `PbProfile::decode` would, when `b` is well formed, and borrow the
/// string table's entries (which `PbProfile` leaves out) in the same walk.
/// `counts` are the top-level field counts, to size the tables. Only the
/// fields in the `tables` ranges of `b` are read: they must hold every
/// field but samples.
pub(super) fn profile<'b>(
    b: &'b [u8],
    tables: &[std::ops::Range<usize>],
    counts: &[u64; 16],
) -> Option<(PbProfile, Vec<&'b [u8]>)> {
    let cap = |n: u64| usize::try_from(n).unwrap_or(0);
    let mut p = PbProfile {
        sample_type: Vec::with_capacity(cap(counts[1])),
        mapping: Vec::with_capacity(cap(counts[3])),
        location: Vec::with_capacity(cap(counts[4])),
        function: Vec::with_capacity(cap(counts[5])),
        default_sample_type: 0,
    };
    let mut strings = Vec::with_capacity(cap(counts[6]));
    for range in tables {
        fields(&b[range.clone()], |field, v| {
            match field {
                1 => p.sample_type.push(value_type(message(v)?)?),
                3 => p.mapping.push(mapping(message(v)?)?),
                4 => p.location.push(location(message(v)?)?),
                5 => p.function.push(function(message(v)?)?),
                6 => strings.push(message(v)?),
                14 => p.default_sample_type = scalar(v)? as i64,
                // Samples, and fields the importer does not read.
                _ => {}
            }
            Some(())
        })?;
    }
    Some((p, strings))
}

fn value_type(b: &[u8]) -> Option<PbValueType> {
    let mut t = PbValueType::default();
    fields(b, |field, v| {
        match field {
            1 => t.r#type = scalar(v)? as i64,
            2 => t.unit = scalar(v)? as i64,
            _ => {}
        }
        Some(())
    })?;
    Some(t)
}

fn mapping(b: &[u8]) -> Option<PbMapping> {
    let mut m = PbMapping::default();
    fields(b, |field, v| {
        match field {
            1 => m.id = scalar(v)?,
            5 => m.filename = scalar(v)? as i64,
            6 => m.build_id = scalar(v)? as i64,
            _ => {}
        }
        Some(())
    })?;
    Some(m)
}

fn location(b: &[u8]) -> Option<PbLocation> {
    let mut l = PbLocation::default();
    fields(b, |field, v| {
        match field {
            1 => l.id = scalar(v)?,
            2 => l.mapping_id = scalar(v)?,
            3 => l.address = scalar(v)?,
            4 => {
                let mut line = PbLine::default();
                fields(message(v)?, |field, v| {
                    if field == 1 {
                        line.function_id = scalar(v)?;
                    }
                    Some(())
                })?;
                l.line.push(line);
            }
            _ => {}
        }
        Some(())
    })?;
    Some(l)
}

fn function(b: &[u8]) -> Option<PbFunction> {
    let mut f = PbFunction::default();
    fields(b, |field, v| {
        match field {
            1 => f.id = scalar(v)?,
            2 => f.name = scalar(v)? as i64,
            3 => f.system_name = scalar(v)? as i64,
            4 => f.filename = scalar(v)? as i64,
            5 => f.start_line = scalar(v)? as i64,
            _ => {}
        }
        Some(())
    })?;
    Some(f)
}

/// Call `push` with each value of repeated varint field `v` (packed or not).
fn repeated(v: Value<'_>, mut push: impl FnMut(u64)) -> Option<()> {
    match v {
        Value::Varint(x) => push(x),
        Value::Bytes(b) => {
            let mut i = 0;
            while i < b.len() {
                let (x, next) = varint(b, i)?;
                push(x);
                i = next;
            }
        }
        Value::Fixed => return None,
    }
    Some(())
}

/// Merge sample `b` into `s` as `s.merge(b)` would, when `b` is well formed
/// (on `None`, `s` may hold part of it: clear it before decoding again).
pub(super) fn sample(b: &[u8], s: &mut PbSample) -> Option<()> {
    fields(b, |field, v| match field {
        1 => repeated(v, |x| s.location_id.push(x)),
        // int64: prost keeps the varint's two's complement bits.
        2 => repeated(v, |x| s.value.push(x as i64)),
        _ => Some(()),
    })
}

#[cfg(test)]
mod tests {
    use prost::Message;

    use super::*;

    /// xorshift64: a fixed sequence of test values, no dependency.
    struct Rng(u64);

    impl Rng {
        fn next(&mut self) -> u64 {
            self.0 ^= self.0 << 13;
            self.0 ^= self.0 >> 7;
            self.0 ^= self.0 << 17;
            self.0
        }
        /// Small values mostly, sometimes any 64 bits (negative int64s).
        fn value(&mut self) -> u64 {
            let v = self.next();
            if v.is_multiple_of(4) {
                self.next()
            } else {
                v % 300
            }
        }
    }

    fn random_profile(r: &mut Rng) -> PbProfile {
        let n = |r: &mut Rng| (r.next() % 4) as usize;
        PbProfile {
            sample_type: (0..n(r)).map(|_| PbValueType { r#type: r.value() as i64, unit: r.value() as i64 }).collect(),
            mapping: (0..n(r))
                .map(|_| PbMapping { id: r.value(), filename: r.value() as i64, build_id: r.value() as i64 })
                .collect(),
            location: (0..n(r))
                .map(|_| PbLocation {
                    id: r.value(),
                    mapping_id: r.value(),
                    address: r.value(),
                    line: (0..n(r)).map(|_| PbLine { function_id: r.value() }).collect(),
                })
                .collect(),
            function: (0..n(r))
                .map(|_| PbFunction {
                    id: r.value(),
                    name: r.value() as i64,
                    system_name: r.value() as i64,
                    filename: r.value() as i64,
                    start_line: r.value() as i64,
                })
                .collect(),
            default_sample_type: r.value() as i64,
        }
    }

    /// Overwrite, insert or drop a few bytes.
    fn mutate(r: &mut Rng, b: &mut Vec<u8>) {
        for _ in 0..r.next() % 3 {
            if b.is_empty() {
                return;
            }
            let at = (r.next() % b.len() as u64) as usize;
            match r.next() % 3 {
                0 => b[at] = r.next() as u8,
                1 => b.insert(at, r.next() as u8),
                _ => {
                    b.remove(at);
                }
            }
        }
    }

    fn counts(b: &[u8]) -> [u64; 16] {
        let mut c = [0; 16];
        super::super::walk_any(b, &mut c);
        c
    }

    #[test]
    fn profiles_decode_as_prost_decodes_them() {
        let mut r = Rng(0x9e37_79b9_7f4a_7c15);
        let mut fast = 0;
        for round in 0..20_000 {
            let mut b = random_profile(&mut r).encode_to_vec();
            // String table entries (field 6), which `PbProfile` leaves out.
            for k in 0..r.next() % 4 {
                let s = format!("s{k}").repeat((r.next() % 3) as usize);
                b.extend_from_slice(&[6 << 3 | 2, s.len() as u8]);
                b.extend_from_slice(s.as_bytes());
            }
            if round % 2 == 1 {
                mutate(&mut r, &mut b);
            }
            if let Some((p, strings)) = profile(&b, std::slice::from_ref(&(0..b.len())), &counts(&b)) {
                fast += 1;
                assert_eq!(PbProfile::decode(&b[..]).ok(), Some(p), "round {round}: {b:?}");
                // The importer reads only inputs whose top-level fields pass
                // the shape check (`string_table` reads no other).
                if matches!(super::super::walk_shape(&b), super::super::Shape::Valid { .. }) {
                    assert_eq!(strings, super::super::string_table(&b), "round {round}: {b:?}");
                }
            }
        }
        // The fast path took most inputs (all unmutated ones).
        assert!(fast > 10_000, "{fast}");
    }

    #[test]
    fn samples_decode_as_prost_decodes_them() {
        let mut r = Rng(0x2545_f491_4f6c_dd1d);
        let mut fast = 0;
        for round in 0..20_000 {
            let s = PbSample {
                location_id: (0..r.next() % 6).map(|_| r.value()).collect(),
                value: (0..r.next() % 3).map(|_| r.value() as i64).collect(),
            };
            let mut b = s.encode_to_vec();
            if round % 3 == 1 {
                // Unpacked values too (prost accepts both).
                for &v in &s.value {
                    b.push(2 << 3);
                    prost::encoding::encode_varint(v as u64, &mut b);
                }
            }
            if round % 3 == 2 {
                mutate(&mut r, &mut b);
            }
            let mut got = PbSample::default();
            if sample(&b, &mut got).is_some() {
                fast += 1;
                let mut want = PbSample::default();
                assert!(want.merge(&b[..]).is_ok(), "round {round}: {b:?}");
                assert_eq!(got, want, "round {round}");
            }
        }
        assert!(fast > 13_000, "{fast}");
    }

    #[test]
    fn overlong_varints_are_left_to_prost() {
        // Ten bytes whose last is 2: prost's "invalid varint".
        let b = [0x08, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x02];
        assert!(sample(&b, &mut PbSample::default()).is_none());
        let b = [0x08, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01];
        let mut s = PbSample::default();
        assert!(sample(&b, &mut s).is_some());
        assert_eq!(s.location_id, [u64::MAX]);
    }
}
