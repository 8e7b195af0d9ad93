"""The UniFFI-generated Python bindings (flamekit_uniffi) against the shared test vectors.

scripts/test-bindings.sh generates the module with the in-workspace
uniffi-bindgen, copies the cdylib next to it, and points
FLAMEKIT_UNIFFI_DIR at that folder. tests/vectors.rs, the pyo3 tests and the
Node tests run the same vectors.
"""

import hashlib
import json
import os
import sys
import threading

import pytest

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.abspath(os.path.join(HERE, "..", "..", ".."))
sys.path.insert(0, os.path.join(ROOT, "tests", "vectors"))
sys.path.insert(0, os.environ.get("FLAMEKIT_UNIFFI_DIR", os.path.join(ROOT, "target", "uniffi", "python")))

import derive  # noqa: E402
import expect  # noqa: E402
import flamekit_uniffi as fk  # noqa: E402

with open(os.path.join(ROOT, "tests", "vectors", "vectors.json")) as f:
    VECTORS = json.load(f)


def limits(overrides):
    d = fk.default_ingest_limits()
    fields = dict(vars(d))
    fields.update(overrides)
    return fk.IngestLimits(**fields)


def import_options(case):
    if "import_options" not in case:
        return None
    opts = dict(case["import_options"])
    maps = opts.pop("source_maps", [])
    maps = [fk.SourceMap(name=m["name"], script=m.get("script"), bytes=derive.input_bytes(m["input"])) for m in maps]
    return fk.ImportOptions(**opts, source_maps=maps)


def load_case(case):
    lim = limits(case["limits"]) if "limits" in case else None
    if case.get("load") == "path":
        return fk.load_file(derive.input_path(case["input"]), lim, import_options(case))
    return fk.load_bytes(derive.input_bytes(case["input"]), case.get("name_hint"), lim, import_options(case))


def check_error(case, err):
    assert err.code == case["error"], (case["id"], str(err))
    if "error_argument" in case:
        assert isinstance(err, fk.FlamekitError.InvalidArgument)
        assert f"`{case['error_argument']}`" in err.message, (case["id"], err.message)


def render_options(args):
    o = fk.default_render_options()
    for key in ("width", "height", "start", "end", "start_time_ms", "end_time_ms", "start_depth", "palette", "params"):
        if key in args:
            setattr(o, key, args[key])
    if "theme" in args:
        o.theme = {"light": fk.Theme.LIGHT, "dark": fk.Theme.DARK}[args["theme"]]
    if "view" in args:
        o.view = {
            "time_order": lambda: fk.RenderView.TIME_ORDER(),
            "left_heavy": lambda: fk.RenderView.LEFT_HEAVY(),
            "sandwich": lambda: fk.RenderView.SANDWICH(frame=args["frame"]),
        }[args["view"]]()
    if "profile" in args:
        o.profile = args["profile"]
    return o


def check_expect(cid, g, exp):
    assert g.profile_type() == exp["profile_type"], cid
    if "name" in exp:
        assert g.name() == exp["name"], cid
    profiles = g.profiles()
    if "profile_names" in exp:
        assert [p.name for p in profiles] == exp["profile_names"], cid
    if "profile_count" in exp:
        assert len(profiles) == exp["profile_count"], cid
    if "active_profile_index" in exp:
        assert g.active_profile_index() == exp["active_profile_index"], cid
    if "frame_count" in exp:
        assert g.frame_count() == exp["frame_count"], cid
    if "duration_ms" in exp:
        assert g.duration_ms() == exp["duration_ms"], cid
    sort_by = {"self": fk.SortBy.SELF_WEIGHT, "total": fk.SortBy.TOTAL_WEIGHT}
    for ep in exp["profiles"]:
        i = ep["index"]
        top = lambda by, i=i: g.top_functions(i, sort_by[by], 0, 100)  # noqa: E731
        expect.check_profile(cid, ep, profiles[i], g.frame_weights(i), top)


def test_import_vectors():
    assert len(VECTORS["cases"]) >= 10
    for case in VECTORS["cases"]:
        cid = case["id"]
        if "error" in case:
            with pytest.raises(fk.FlamekitError) as info:
                load_case(case)
            check_error(case, info.value)
            if "error_limit" in case:
                assert isinstance(info.value, fk.FlamekitError.LimitExceeded)
                assert info.value.limit == case["error_limit"]
                assert info.value.value > info.value.max
        else:
            check_expect(cid, load_case(case), case["expect"])


def test_op_error_vectors():
    ran = 0
    for case in VECTORS["op_errors"]:
        args = case["args"]
        if args.get("theme") == "neon" or (args.get("view") == "sandwich" and "frame" not in args):
            # Not expressible here: Theme and RenderView are enums, and the
            # sandwich variant requires its frame, so these requests cannot be built.
            continue
        g = load_case(case)
        with pytest.raises(fk.FlamekitError) as info:
            if case["op"] == "frame_weights":
                g.frame_weights(args["profile"])
            else:
                g.render_png(render_options(args))
        check_error(case, info.value)
        ran += 1
    assert ran >= 12


def test_render_param_vectors():
    for case in VECTORS["render_params"]:
        g = load_case(case)
        base = case["base"]
        typed = g.render_png(render_options({**base, **case["options"]}))
        assert g.render_png(render_options({"params": case["params"]})) == typed, case["id"]
        assert [int.from_bytes(typed[16:20], "big"), int.from_bytes(typed[20:24], "big")] == case["size"]
        plain = g.render_png(render_options(base))
        for key, value in case["options"].items():
            assert g.render_png(render_options({**base, key: value})) != plain, (case["id"], key)


def test_render_vectors():
    for case in VECTORS["renders"]:
        g = load_case(case)
        png = g.render_png(render_options(case["options"]))
        assert hashlib.sha256(png).hexdigest() == case["png_sha256"], case["id"]


def test_exports_and_report():
    g = fk.load_bytes(b"a;b 3\nnot a stack line\na 1\n", "x.txt", None)
    r = g.report()
    assert (r.format, r.warning_count) == ("collapsed", 1)
    assert r.warnings[0].location == "line 2"
    again = fk.load_bytes(g.to_speedscope_gzip(), None, None)
    assert [(w.name, w.self_weight, w.total_weight) for w in again.frame_weights(None)] == [("a", 1.0, 4.0), ("b", 3.0, 3.0)]
    assert json.loads(g.to_speedscope_json())["shared"]["frames"] == [{"name": "a"}, {"name": "b"}]
    assert json.loads(g.dump())["profiles"][0]["stacks"] == ["a;b 3", "a 1"]
    svg = g.render_svg(None)
    assert ">b</text>" in svg


def test_error_codes_and_panics():
    # One per variant of the library's Error (flamekit::Error::CODES).
    assert len(fk.error_codes()) == 11
    with pytest.raises(fk.FlamekitError.Internal) as info:
        fk.panic_for_tests()
    assert info.value.code == "internal_error"
    assert fk.load_bytes(b"a 1\n", None, None).frame_count() == 1


def test_heap_bytes_counts_the_samples():
    # 1,000 lines, each a sample: at least a stack id (4 bytes) and a weight
    # (8 bytes) each.
    text = "".join(f"main;f{i} 1\n" for i in range(1000)).encode()
    g = fk.load_bytes(text, None, None)
    assert g.heap_bytes() >= 1000 * (4 + 8)
    assert g.heap_bytes() > fk.load_bytes(b"a 1\n", None, None).heap_bytes()


def test_threads_share_one_group():
    g = fk.load_file(derive.input_path({"corpus": "speedscope/0.6.0/two-sampled.speedscope.json"}), None)
    want = g.render_png(None)
    out = []
    threads = [threading.Thread(target=lambda: out.append(g.render_png(None))) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert out == [want] * 4


def test_upload_check_vectors():
    for case in VECTORS["upload_checks"]:
        policy = fk.default_upload_policy()
        for k, v in case.get("policy", {}).items():
            setattr(policy, k, v)
        info = fk.UploadInfo(**case["info"])
        if "data" in case:
            v = fk.check_upload_bytes(derive.input_bytes(case["data"]), info, policy)
        else:
            v = fk.check_upload(info, policy)
        e = case["expect"]
        assert v.allowed == e["allowed"], (case["id"], v.json)
        assert v.code == e.get("code"), case["id"]
        if "limit" in e:
            assert (v.limit, v.actual) == (e["limit"], e["actual"]), case["id"]


def test_chat_check_vectors():
    periods = {"lifetime": fk.SessionsPeriod.LIFETIME, "monthly": fk.SessionsPeriod.MONTHLY}
    for case in VECTORS["chat_checks"]:
        p = dict(case["plan"])
        p["sessions_period"] = periods[p.get("sessions_period", "lifetime")]
        plan = fk.ChatPlan(**p)
        usage = fk.ChatUsage(**case["usage"])
        v = fk.check_chat_limits(plan, usage) if case["op"] == "message" else fk.check_chat_session(plan, usage, case["now"])
        expect.check_chat_verdict(case, v)


def test_top_functions_and_summary():
    g = fk.load_file(derive.input_path({"corpus": "speedscope/0.6.0/two-sampled.speedscope.json"}), None)
    rows = g.top_functions(0, fk.SortBy.TOTAL_WEIGHT, 1, 2)
    assert [(r.rank, r.name, r.total_weight) for r in rows] == [(1, "b", 14.0), (2, "c", 5.0)]
    assert [r.name for r in g.top_functions(None, None, 0, 20)] == ["b", "c", "d", "a"]
    with pytest.raises(fk.FlamekitError.InvalidArgument):
        g.top_functions(None, None, 0, 0)
    text = g.summary(300, 2)
    assert text.startswith("Profile summary\nFormat: speedscope\n") and len(text) <= 300
    assert fk.unix_seconds_from_date(2024, 2, 29) == 1709164800
    assert fk.monthly_period_start(1706659200, 1709596800) == 1709164800


def diff_options(opts):
    o = fk.default_diff_options()
    for k, v in opts.items():
        setattr(o, k, v)
    return o


def test_diff_vectors():
    cases = VECTORS["diffs"]
    assert len(cases) >= 3
    for case in cases:
        cid, e = case["id"], case["expect"]
        before = fk.load_bytes(derive.input_bytes(case["before"]), None, None)
        after = fk.load_bytes(derive.input_bytes(case["after"]), None, None)
        d = fk.diff(before, after, diff_options(case["options"]))
        assert d.is_zero() is e["is_zero"], cid
        for key in ("normalized", "unit"):
            if key in e:
                assert getattr(d, key)() == e[key], (cid, key)
        for key in ("scale", "before_total", "after_total"):
            if key in e:
                assert getattr(d, key)() == expect.approx(e[key]), (cid, key)
        if "functions" in e:
            expect.check_function_deltas(cid, d.functions(), e["functions"])
        for key, by in (("top_self", fk.DeltaSort.SELF_GROWTH), ("top_total", fk.DeltaSort.TOTAL_GROWTH)):
            if key in e:
                assert [f.name for f in d.top_by_delta(by, 0, 100)] == e[key], (cid, key)
        if "png_sha256" in case:
            png = d.render_png(render_options(case["render"]))
            assert png[:8] == b"\x89PNG\r\n\x1a\n", cid
            assert hashlib.sha256(png).hexdigest() == case["png_sha256"], cid


def test_report_vectors():
    for case in VECTORS["reports"]:
        cid, e = case["id"], case["expect"]
        r = load_case(case).report()
        assert r.format == e["format"], cid
        assert r.warning_count == e["warning_count"], cid
        assert dict(r.skipped) == e["skipped"], cid
        got = [{"code": w.code, "location": w.location} for w in r.warnings[: len(e["warnings"])]]
        assert got == e["warnings"], cid


def test_diff_api():
    path = derive.input_path({"corpus": "speedscope/0.1.2/simple-sampled.speedscope.json"})
    with open(path, encoding="utf-8") as f:
        text = f.read()
    after_text = text.replace('"weights": [1, 1, 4, 3, 5]', '"weights": [1, 1, 8, 3, 5]')
    assert after_text != text
    before = fk.load_bytes(text.encode(), None, None)
    after = fk.load_bytes(after_text.encode(), None, None)
    assert fk.diff(before, before).is_zero()
    raw = fk.diff(before, after, fk.DiffOptions(normalize=False))
    top = raw.top_by_delta(None, 0, 1)
    assert [(f.name, f.delta_self, f.relative_self) for f in top] == [("d", 4.0, 1.0)]
    assert raw.top_by_delta(fk.DeltaSort.SELF_ABSOLUTE, 0, 1)[0].name == "d"
    assert "<svg" in raw.render_svg(None)
    with pytest.raises(fk.FlamekitError.InvalidArgument):
        fk.diff(before, after, fk.DiffOptions(after_profile=5))
