"""The shared test vectors (tests/vectors/vectors.json), run through the Python bindings.

tests/vectors.rs runs the same file against the Rust library, and the Node
and UniFFI tests do too, so a binding that drifts fails here.
"""

import hashlib

import derive
import expect
import flamekit
import pytest


def import_options(case):
    """A case's import options as load() keywords (source maps' inputs read)."""
    opts = dict(case.get("import_options", {}))
    if "source_maps" in opts:
        opts["source_maps"] = [
            {"name": m["name"], "bytes": derive.input_bytes(m["input"]), "script": m.get("script")}
            for m in opts["source_maps"]
        ]
    return opts


def load_case(case):
    limits = flamekit.IngestLimits(**case["limits"]) if "limits" in case else None
    if case.get("load") == "path":
        return flamekit.load(derive.input_path(case["input"]), limits=limits, **import_options(case))
    data = derive.input_bytes(case["input"])
    return flamekit.load(data, name_hint=case.get("name_hint"), limits=limits, **import_options(case))


def check_error(case, err):
    assert err.code == case["error"], (case["id"], str(err))
    assert isinstance(err, ValueError)
    if "error_argument" in case:
        assert isinstance(err, flamekit.InvalidArgumentError)
        assert err.argument == case["error_argument"], (case["id"], str(err))


def check_expect(cid, g, exp):
    assert g.profile_type == exp["profile_type"], cid
    if "name" in exp:
        assert g.name == exp["name"], cid
    if "profile_names" in exp:
        assert [p.name for p in g.profiles] == exp["profile_names"], cid
    if "profile_count" in exp:
        assert len(g.profiles) == exp["profile_count"], cid
    if "active_profile_index" in exp:
        assert g.active_profile_index == exp["active_profile_index"], cid
    if "frame_count" in exp:
        assert g.frame_count == exp["frame_count"], cid
    if "duration_ms" in exp:
        assert g.duration_ms == exp["duration_ms"], cid
    for ep in exp["profiles"]:
        i = ep["index"]
        top = lambda by, i=i: g.top_functions(profile=i, by=by, limit=100)  # noqa: E731
        expect.check_profile(cid, ep, g.profiles[i], g.frame_weights(i), top)


def test_vectors_match_raw_inputs(vectors):
    """The expectations themselves, re-derived from the raw files without flamekit."""
    assert derive.check(vectors) == []


def test_import_vectors(vectors):
    cases = vectors["cases"]
    assert len(cases) >= 10
    for case in cases:
        cid = case["id"]
        if "error" in case:
            with pytest.raises(flamekit.FlamekitError) as info:
                load_case(case)
            err = info.value
            check_error(case, err)
            if "error_limit" in case:
                assert isinstance(err, flamekit.LimitExceededError)
                assert err.limit == case["error_limit"], cid
                assert err.value > err.max
        else:
            check_expect(cid, load_case(case), case["expect"])


def run_op(g, op, args):
    if op == "frame_weights":
        return g.frame_weights(args["profile"])
    if op == "render_png":
        return g.render_png(**args)
    raise AssertionError(f"unknown op {op}")


def test_op_error_vectors(vectors):
    for case in vectors["op_errors"]:
        g = load_case(case)
        with pytest.raises(flamekit.FlamekitError) as info:
            run_op(g, case["op"], case["args"])
        check_error(case, info.value)
        assert isinstance(info.value, flamekit.InvalidArgumentError)


def test_render_param_vectors(vectors):
    for case in vectors["render_params"]:
        g = load_case(case)
        base = case["base"]
        typed = g.render_png(**base, **case["options"])
        assert g.render_png(params=case["params"]) == typed, case["id"]
        assert [int.from_bytes(typed[16:20], "big"), int.from_bytes(typed[20:24], "big")] == case["size"]
        plain = g.render_png(**base)
        for key, value in case["options"].items():
            assert g.render_png(**base, **{key: value}) != plain, (case["id"], key)


def test_render_vectors(vectors):
    for case in vectors["renders"]:
        g = load_case(case)
        png = g.render_png(**case["options"])
        assert hashlib.sha256(png).hexdigest() == case["png_sha256"], case["id"]


def test_upload_check_vectors(vectors):
    for case in vectors["upload_checks"]:
        p = case.get("policy", {})
        kwargs = {k: p[k] for k in ("max_bytes", "allowed_content_types", "allowed_extensions", "max_duration_ms") if k in p}
        policy = flamekit.UploadPolicy(**kwargs)
        info = {k: v for k, v in case["info"].items() if k != "size_bytes"}
        if "data" in case:
            verdict = flamekit.check_upload_bytes(derive.input_bytes(case["data"]), policy=policy, **info)
        else:
            verdict = flamekit.check_upload(case["info"].get("size_bytes", 0), policy=policy, **info)
        e = case["expect"]
        assert verdict.allowed == e["allowed"] == bool(verdict), (case["id"], verdict.to_json())
        assert verdict.code == e.get("code"), case["id"]
        if "limit" in e:
            assert (verdict.limit, verdict.actual) == (e["limit"], e["actual"]), case["id"]


def test_chat_check_vectors(vectors):
    for case in vectors["chat_checks"]:
        plan = flamekit.ChatPlan(**case["plan"])
        usage = flamekit.ChatUsage(**case["usage"])
        if case["op"] == "message":
            verdict = flamekit.check_chat_limits(plan, usage)
        else:
            verdict = flamekit.check_chat_session(plan, usage, case["now"])
        expect.check_chat_verdict(case, verdict)
        assert verdict.apply(usage) == verdict.usage_after


def load_input(inp):
    return flamekit.load(derive.input_bytes(inp))


def test_diff_vectors(vectors):
    cases = vectors["diffs"]
    assert len(cases) >= 3
    for case in cases:
        cid, e = case["id"], case["expect"]
        d = flamekit.diff(load_input(case["before"]), load_input(case["after"]), **case["options"])
        assert isinstance(d, flamekit.ProfileDiff)
        assert d.is_zero is e["is_zero"], cid
        for key in ("normalized", "unit"):
            if key in e:
                assert getattr(d, key) == e[key], (cid, key)
        for key in ("scale", "before_total", "after_total"):
            if key in e:
                assert getattr(d, key) == expect.approx(e[key]), (cid, key)
        if "functions" in e:
            expect.check_function_deltas(cid, d.functions, e["functions"])
        for key, by in (("top_self", "self"), ("top_total", "total")):
            if key in e:
                assert [f.name for f in d.top_by_delta(by=by, limit=100)] == e[key], (cid, key)
        if "png_sha256" in case:
            png = d.render_png(**case["render"])
            assert png[:8] == b"\x89PNG\r\n\x1a\n", cid
            assert hashlib.sha256(png).hexdigest() == case["png_sha256"], cid


def test_report_vectors(vectors):
    for case in vectors["reports"]:
        cid, e = case["id"], case["expect"]
        r = load_case(case).report
        assert r.format == e["format"], cid
        assert r.warning_count == e["warning_count"], cid
        assert r.skipped == e["skipped"], cid
        assert r.is_clean == (e["warning_count"] == 0 and not e["skipped"]), cid
        got = [{"code": w.code, "location": w.location} for w in r.warnings[: len(e["warnings"])]]
        assert got == e["warnings"], cid
