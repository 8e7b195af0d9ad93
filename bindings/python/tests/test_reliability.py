"""Issue 14's attacks through the Python binding: every input is generated
here; each call must return or raise a flamekit error with a stable `.code`
(the interpreter survives), quickly and without ballooning memory."""

import gzip
import io
import resource
import struct
import time
import zipfile

import flamekit


def _zip(entries, method=zipfile.ZIP_STORED):
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", method) as z:
        for name, data in entries:
            z.writestr(name, data)
    return buf.getvalue()


def _quine_like(depth):
    z = _zip([("p.json", b"{}")])
    for _ in range(depth):
        z = _zip([("a.zip", z), ("b.zip", z)])
    return z


def _overlapping(depth):
    """Zips whose two central-directory entries point at the same data."""
    z = _zip([("p.txt", b"x")])
    for _ in range(depth):
        one = _zip([("a.txt", z)])
        # Duplicate the single central-directory record and fix the end record.
        eocd = one.rindex(b"PK\x05\x06")
        cd_start = struct.unpack("<I", one[eocd + 16 : eocd + 20])[0]
        cd = one[cd_start:eocd]
        cd2 = cd[:46] + b"b" + cd[47:]
        end = bytearray(one[eocd:])
        struct.pack_into("<HHI", end, 8, 2, 2, len(cd) * 2)
        z = one[:cd_start] + cd + cd2 + bytes(end)
    return z


def _gzip_zeros_mib(mib):
    member = gzip.compress(bytes(1 << 20), 9)
    return member * mib


def _pprof_empty(n):
    b = bytearray(b"\x0a\x04\x08\x01\x10\x02" + b"\x32\x01x" * 3)
    b += b"\x32\x00" * n
    for i in range(1, n + 1):
        body = b"\x08" + _varint(i)
        b += b"\x22" + _varint(len(body)) + body
    return bytes(b)


def _varint(v):
    out = bytearray()
    while v >= 0x80:
        out.append((v & 0x7F) | 0x80)
        v >>= 7
    out.append(v)
    return bytes(out)


def _callgrind(events, lines):
    sym = "_Z1f200" + "a" * 200 + "S_" * 2600
    head = "# callgrind format\nevents: " + " ".join(f"E{e}" for e in range(events)) + "\nfl=a.c\n"
    body = "".join((f"fn=({i // 1000}) {sym}{i // 1000}\n" if i % 1000 == 0 else "") + f"{i % 100 + 1} 5\n" for i in range(lines))
    return (head + body).encode()


def _attempt(data, **kw):
    """(code or 'ok', seconds) of one load."""
    start = time.process_time()
    try:
        flamekit.load(data, **kw)
        code = "ok"
    except flamekit.FlamekitError as e:
        assert e.code in flamekit.error_codes()
        code = e.code
    return code, time.process_time() - start


def _peak_mib():
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def test_zip_quine_and_overlapping_entries():
    assert _attempt(_quine_like(8))[0] in ("unsupported_format", "invalid_profile")
    assert _attempt(_overlapping(40))[0] in ("unsupported_format", "invalid_profile")


def test_nested_sniff_bomb_honours_the_callers_limit():
    gz = _gzip_zeros_mib(64)
    bomb = _zip([(f"e{i}.bin", gz) for i in range(30)])
    code, secs = _attempt(bomb)
    assert code == "limit_exceeded" and secs < 3
    limits = flamekit.IngestLimits(max_inflated_bytes=10 << 20)
    assert _attempt(bomb, limits=limits)[0] == "limit_exceeded"


def test_gzip_bomb_and_empty_message_pprof():
    code, secs = _attempt(_gzip_zeros_mib(4096))
    assert code == "limit_exceeded" and secs < 3
    code, secs = _attempt(_pprof_empty(500_000))
    assert code == "invalid_profile" and secs < 3
    assert _peak_mib() < 512


def test_mangled_names_many_events_and_long_names():
    code, secs = _attempt(_callgrind(1, 20_000))
    assert code == "ok" and secs < 3
    code, secs = _attempt(_callgrind(9_999, 20_000))
    assert code == "ok" and secs < 3
    # A short first line lets detection see collapsed stacks; the 1 MiB name follows.
    g = flamekit.load(b"main 1\nmain;" + b"n" * (1 << 20) + b" 3\n")
    assert max(len(f.name) for f in g.frame_weights()) <= 64 << 10
    assert any(d.code == "name_truncated" for d in g.report.warnings)


def test_weight_overflow_is_refused():
    json = (
        b'{"shared":{"frames":[{"name":"a"}]},"profiles":[{"type":"sampled","name":"p","unit":"none",'
        b'"startValue":0,"endValue":1,"samples":[[0],[0],[0]],"weights":[1e308,1e308,1e308]}]}'
    )
    assert _attempt(json)[0] == "invalid_profile"
