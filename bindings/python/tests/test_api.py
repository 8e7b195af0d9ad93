"""The Python surface of flamekit: types, errors, exports, rendering, threads."""

import gzip
import json
import pathlib
import random
import threading
import time

import flamekit
import pytest

TWO = "speedscope/0.6.0/two-sampled.speedscope.json"


def big_collapsed(samples, seed=7):
    """Collapsed stacks: `samples` lines over 2,000 functions, stacks up to 40 deep."""
    rng = random.Random(seed)
    stack, lines = ["main"], []
    for _ in range(samples):
        del stack[rng.randint(1, len(stack)) :]
        while len(stack) < 40 and rng.random() < 0.8:
            stack.append(f"fn_{rng.randrange(2000)}")
        lines.append(f"{';'.join(stack)} {rng.randint(1, 3)}")
    return ("\n".join(lines) + "\n").encode()


def test_error_classes_form_a_value_error_family():
    assert issubclass(flamekit.FlamekitError, ValueError)
    names = {
        "invalid_json": "InvalidJsonError",
        "unsupported_format": "UnsupportedFormatError",
        "invalid_profile": "InvalidProfileError",
        "truncated_input": "TruncatedInputError",
        "limit_exceeded": "LimitExceededError",
        "decompression_failed": "DecompressionFailedError",
        "invalid_argument": "InvalidArgumentError",
        "empty_profile": "EmptyProfileError",
        "io_error": "IoError",
        "invalid_source_map": "InvalidSourceMapError",
        "internal_error": "InternalError",
    }
    assert sorted(flamekit.error_codes()) == sorted(names)
    for code, name in names.items():
        cls = getattr(flamekit, name)
        assert issubclass(cls, flamekit.FlamekitError)
        assert cls.code == code


def test_error_attributes(corpus):
    with pytest.raises(flamekit.InvalidJsonError) as info:
        flamekit.load(b'{"$schema": "https://www.speedscope.app/file-format-schema.json", "profiles": [}')
    assert info.value.code == "invalid_json"
    assert (info.value.line, info.value.column) == (1, 80)
    with pytest.raises(flamekit.InvalidProfileError) as info:
        flamekit.load(corpus("speedscope/invalid/out-of-order-events.json"))
    assert info.value.location == "profiles[0].events[6]"
    with pytest.raises(flamekit.IoError) as info:
        flamekit.load("/nonexistent/profile.json")
    assert "/nonexistent/profile.json" in str(info.value)


def test_load_accepts_paths_bytes_and_bytearray(corpus):
    path = corpus(TWO)
    raw = pathlib.Path(path).read_bytes()
    for arg in (path, pathlib.Path(path), raw, bytearray(raw)):
        g = flamekit.load(arg)
        assert g.name == "Two Samples"
        assert [p.name for p in g.profiles] == ["one", "two"]
    with pytest.raises(TypeError):
        flamekit.load(12)


def test_truncated_input_never_aborts(corpus):
    """Every prefix length class of a real file fails with a typed error or loads."""
    raw = pathlib.Path(corpus("speedscope/0.0.1/simple.speedscope.json")).read_bytes()
    for n in range(0, len(raw), 7):
        try:
            flamekit.load(raw[:n])
        except flamekit.FlamekitError as e:
            assert e.code in flamekit.error_codes()


def test_limits():
    d = flamekit.IngestLimits()
    assert d.max_frames == 5_000_000 and d.max_profiles == 10_000
    assert flamekit.IngestLimits(max_frames=3).max_frames == 3
    u = flamekit.IngestLimits.unlimited()
    assert u.max_input_bytes == 2**64 - 1
    assert u == flamekit.IngestLimits.unlimited() and u != d
    with pytest.raises(flamekit.LimitExceededError) as info:
        flamekit.load(b"a;b;c 1\n", limits=flamekit.IngestLimits(max_stack_depth=2))
    assert (info.value.limit, info.value.max) == ("max_stack_depth", 2)


def test_exports_past_a_gibibyte_raise(tmp_path):
    # 15,000 samples alternating between the leaves of two 15,000-deep
    # chains: a 3 MB profile whose export spells out 225 million frame
    # indices of up to 5 digits (1.3 GB of text). Refused before writing.
    depth = 15_000
    frame = '{"functionName":"f%d","url":"a.js","lineNumber":1,"columnNumber":1}'
    nodes = ['{"id":1,"callFrame":%s}' % (frame % 0)]
    for c in range(2):
        for k in range(depth):
            i = len(nodes) + 1
            parent = 1 if k == 0 else i - 1
            nodes.append('{"id":%d,"parent":%d,"callFrame":%s}' % (i, parent, frame % i))
    leaves = [1 + depth, 1 + 2 * depth]
    samples = ",".join(str(leaves[k % 2]) for k in range(depth))
    deltas = ",".join("1" for _ in range(depth))
    text = '{"nodes":[%s],"startTime":0,"endTime":%d,"samples":[%s],"timeDeltas":[%s]}' % (
        ",".join(nodes), depth, samples, deltas)
    g = flamekit.load(text.encode(), name_hint="deep.cpuprofile")
    for export in (g.to_speedscope_json, g.to_speedscope_gzip):
        with pytest.raises(flamekit.LimitExceededError) as info:
            export()
        assert (info.value.limit, info.value.max) == ("max_export_bytes", 2**30)


def test_speedscope_export_round_trips(corpus):
    g = flamekit.load(corpus(TWO))
    text = g.to_speedscope_json()
    doc = json.loads(text)
    assert doc["$schema"] == "https://www.speedscope.app/file-format-schema.json"
    assert [f["name"] for f in doc["shared"]["frames"]] == ["a", "b", "c", "d"]
    gz = g.to_speedscope_gzip()
    assert gzip.decompress(gz).decode() == text
    again = flamekit.load(gz)
    assert [(w.name, w.self_weight, w.total_weight) for w in again.frame_weights(0)] == [
        (w.name, w.self_weight, w.total_weight) for w in g.frame_weights(0)
    ]
    dump = json.loads(g.dump())
    assert dump["profiles"][0]["stacks"] == ["a;b;c 2", "a;b;d 4", "a;b;c 3", "a;b 5"]


def test_report_and_profile_info():
    g = flamekit.load(b"a;b 3\nnot a stack line\na 1\n", name_hint="x.txt")
    assert g.profile_type == "collapsed" and g.name == "x.txt"
    r = g.report
    assert r.format == "collapsed" and r.warning_count == 1 and not r.is_clean
    assert r.warnings[0].location == "line 2"
    info = g.profiles[0]
    assert (info.kind, info.unit, info.total_weight, info.duration_ms) == ("sampled", "none", 4, None)


def test_render_png_and_svg(corpus):
    g = flamekit.load(corpus(TWO))
    png = g.render_png(width=300, height=200, theme="dark", view="left_heavy")
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    assert int.from_bytes(png[16:20], "big") == 300 and int.from_bytes(png[20:24], "big") == 200
    assert png == g.render_png(width=300, height=200, theme="dark", view="left_heavy")
    svg = g.render_svg(view="sandwich", frame="c", profile=0)
    assert svg.startswith("<svg") or svg.startswith("<?xml")
    assert ">c</text>" in svg
    with pytest.raises(flamekit.InvalidArgumentError):
        g.render_png(view="time_order", frame="c")
    with pytest.raises(flamekit.InvalidArgumentError):
        g.render_png(width=0)


def test_two_threads_render_at_once():
    g = flamekit.load(big_collapsed(20_000))
    expected = {v: g.render_png(view=v, width=800, height=600) for v in ("time_order", "left_heavy")}
    results, errors = {}, []

    def work(view):
        try:
            for _ in range(3):
                results.setdefault(view, []).append(g.render_png(view=view, width=800, height=600))
        except Exception as e:  # pragma: no cover - reported below
            errors.append(e)

    threads = [threading.Thread(target=work, args=(v,)) for v in expected]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    for view, pngs in results.items():
        assert pngs == [expected[view]] * 3


def test_heavy_calls_release_the_gil():
    """While another thread imports and renders a large profile, this thread keeps running."""
    data = big_collapsed(150_000)
    done = threading.Event()
    box = {}

    def work():
        # Self-calibrating: render again until the work has taken long enough
        # (optimised test builds finish one load + render in well under 0.3 s).
        t0 = time.perf_counter()
        g = flamekit.load(data)
        box["png"] = g.render_png(view="time_order")
        while time.perf_counter() - t0 < 0.4:
            assert g.render_png(view="time_order") == box["png"]
        box["elapsed"] = time.perf_counter() - t0
        done.set()

    t = threading.Thread(target=work)
    ticks, last, worst = 0, time.perf_counter(), 0.0
    t.start()
    while not done.is_set():
        time.sleep(0.002)
        now = time.perf_counter()
        worst, last, ticks = max(worst, now - last), now, ticks + 1
    t.join()
    assert box["png"][:4] == b"\x89PNG"
    # The work takes long enough for the check to mean something ...
    assert box["elapsed"] > 0.3, box
    # ... and this thread was never blocked for most of it.
    assert worst < box["elapsed"] / 2, (worst, box["elapsed"], ticks)
    print(f"work {box['elapsed']:.2f}s, longest stall of this thread {worst * 1000:.1f} ms, {ticks} ticks")


def test_stubs_match_the_module():
    """flamekit.pyi names exactly the module's public names and each class's members."""
    import ast

    stub = pathlib.Path(__file__).parents[1] / "flamekit.pyi"
    tree = ast.parse(stub.read_text())
    # TypedDicts (RenderOptions, SourceMap) exist for type checkers only.
    typing_only = {
        n.name for n in tree.body if isinstance(n, ast.ClassDef) and any(getattr(b, "id", None) == "TypedDict" for b in n.bases)
    }
    assert typing_only == {"RenderOptions", "SourceMap"}
    top = {n.name for n in tree.body if isinstance(n, (ast.ClassDef, ast.FunctionDef))} - typing_only
    top |= {n.target.id for n in tree.body if isinstance(n, ast.AnnAssign)}
    public = {n for n in dir(flamekit) if not n.startswith("_") and n != "flamekit"} | {"__version__"}
    assert top == public
    for cls in (n for n in tree.body if isinstance(n, ast.ClassDef) and not n.name.endswith("Error") and n.name not in typing_only):
        members = {m.name for m in cls.body if isinstance(m, ast.FunctionDef) and not m.name.startswith("_")}
        members |= {m.target.id for m in cls.body if isinstance(m, ast.AnnAssign)}
        actual = {m for m in dir(getattr(flamekit, cls.name)) if not m.startswith("_")}
        assert members == actual, cls.name


def test_a_panic_becomes_internal_error():
    with pytest.raises(flamekit.InternalError) as info:
        flamekit._panic_for_tests()
    assert info.value.code == "internal_error"
    assert "deliberate panic" in str(info.value)
    # The interpreter is fine afterwards.
    assert flamekit.load(b"a;b 1\n").frame_count == 2


def test_heap_bytes_counts_the_samples():
    # 1,000 lines, each a sample: at least a stack id (4 bytes) and a weight
    # (8 bytes) each, and one frame name per line.
    text = "".join(f"main;f{i} 1\n" for i in range(1000)).encode()
    g = flamekit.load(text)
    assert g.heap_bytes >= 1000 * (4 + 8)
    assert g.heap_bytes > flamekit.load(b"a;b 1\n").heap_bytes


def test_top_functions_and_summary(corpus):
    g = flamekit.load(corpus(TWO))
    rows = g.top_functions(profile=0, by="total", offset=1, limit=2)
    assert [(r.rank, r.name, r.total_weight) for r in rows] == [(1, "b", 14), (2, "c", 5)]
    assert rows[0].total_percent == 100.0 and rows[1].self_display.endswith("s")
    assert [r.name for r in g.top_functions()] == ["b", "c", "d", "a"]  # active profile, by self
    with pytest.raises(flamekit.InvalidArgumentError) as info:
        g.top_functions(by="median")
    assert info.value.argument == "by"
    with pytest.raises(flamekit.InvalidArgumentError):
        g.top_functions(limit=0)
    text = g.summary(max_chars=300, top_n=2)
    assert text.startswith("Profile summary\nFormat: speedscope\n") and len(text) <= 300
    assert "Two Samples" in g.summary()
    with pytest.raises(flamekit.InvalidArgumentError):
        g.summary(max_chars=10)


def test_upload_policy_objects():
    p = flamekit.UploadPolicy()
    assert p.max_bytes == flamekit.IngestLimits().max_input_bytes and p.allowed_extensions == []
    assert flamekit.UploadPolicy(max_bytes=None).max_bytes is None
    assert flamekit.check_upload(10**12, policy=flamekit.UploadPolicy(max_bytes=None)).allowed
    denied = flamekit.check_upload(10**12)
    assert not denied and denied.code == "file_too_large"
    assert denied.to_json().startswith('{"verdict":"deny","code":"file_too_large"')
    svg = flamekit.validate_svg(b"<svg xmlns='http://www.w3.org/2000/svg'/>", flamekit.SvgPolicy(max_bytes=10))
    assert svg.code == "svg_too_large" and (svg.limit, svg.actual) == (10, 41)


def test_chat_objects():
    with pytest.raises(flamekit.InvalidArgumentError):
        flamekit.ChatPlan(sessions_period="weekly")
    assert flamekit.unix_seconds_from_date(2024, 2, 29) == 1709164800
    assert flamekit.unix_seconds_from_date(2023, 2, 29) is None
    assert flamekit.monthly_period_start(1706659200, 1709596800) == 1709164800


def test_diff_api(corpus):
    text = pathlib.Path(corpus("speedscope/0.1.2/simple-sampled.speedscope.json")).read_text()
    after_text = text.replace('"weights": [1, 1, 4, 3, 5]', '"weights": [1, 1, 8, 3, 5]')
    assert after_text != text
    before, after = flamekit.load(text.encode()), flamekit.load(after_text.encode())
    same = flamekit.diff(before, before)
    assert same.is_zero and same.scale == 1.0
    raw = flamekit.diff(before, after, normalize=False)
    assert not raw.is_zero
    top = raw.top_by_delta(by="self", limit=1)
    assert [f.name for f in top] == ["d"] and top[0].delta_self == 4.0 and top[0].relative_self == 1.0
    assert [f.name for f in raw.top_by_delta(offset=1, limit=2)] == ["a", "b"]
    assert raw.top_by_delta(by="self_absolute", limit=1)[0].name == "d"
    assert (raw.before_total, raw.after_total) == (14.0, 18.0)
    assert raw.render_svg().startswith("<svg") or "<svg" in raw.render_svg()[:200]
    assert raw.render_png(width=300, height=200, theme="dark")[:8] == b"\x89PNG\r\n\x1a\n"
    with pytest.raises(flamekit.InvalidArgumentError):
        raw.top_by_delta(by="sideways")
    with pytest.raises(flamekit.InvalidArgumentError):
        raw.render_png(theme="neon")
    with pytest.raises(flamekit.InvalidArgumentError):
        flamekit.diff(before, after, after_profile=5)
    with pytest.raises(TypeError):
        flamekit.diff(before, b"not a group")
