"""The shared test vectors (tests/vectors/vectors.json), run through the Python bindings.

tests/vectors.rs runs the same file against the Rust library, and the Node
and UniFFI tests do too, so a binding that drifts fails here.
"""

import hashlib

import derive
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
        info = g.profiles[i]
        for key in ("unit", "kind", "sample_count"):
            if key in ep:
                assert getattr(info, key) == ep[key], (cid, i, key)
        if "total_weight" in ep:
            assert info.total_weight == pytest.approx(ep["total_weight"], rel=1e-9), (cid, i)
        weights = g.frame_weights(i)
        names = {w.name for w in weights}
        assert set(ep.get("names_present", [])) <= names, (cid, i)
        assert not set(ep.get("names_absent", [])) & names, (cid, i)
        for name, (self_w, total_w) in ep["frames"].items():
            found = [w for w in weights if w.name == name]
            assert len(found) == 1, (cid, i, name)
            assert (found[0].self_weight, found[0].total_weight) == (self_w, total_w), (cid, i, name)
        if ep.get("frames_exact"):
            assert sorted(w.name for w in weights) == sorted(ep["frames"]), (cid, i)
        for key, by in (("top_by_self", "self"), ("top_by_total", "total")):
            if key in ep:
                rows = g.top_functions(profile=i, by=by, limit=100)
                assert [r.name for r in rows] == ep[key], (cid, i, key)
                assert [r.rank for r in rows] == list(range(len(rows)))


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
        e = case["expect"]
        assert verdict.allowed == e["allowed"], (case["id"], verdict.to_json())
        for key in ("reset", "increment", "period_start", "limit_type", "limit", "actual", "resets_at"):
            if key in e:
                assert getattr(verdict, key) == e[key], (case["id"], key)
        if not e["allowed"]:
            assert verdict.resets_at == e.get("resets_at"), case["id"]
        for key, want in e.get("usage_after", {}).items():
            assert getattr(verdict.usage_after, key) == want, (case["id"], key)
        assert verdict.apply(usage) == verdict.usage_after


def load_input(inp):
    return flamekit.load(derive.input_bytes(inp))


def approx(want):
    return pytest.approx(want, rel=1e-9, abs=1e-9)


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
                assert getattr(d, key) == approx(e[key]), (cid, key)
        if "functions" in e:
            assert len(d.functions) == len(e["functions"]), cid
            for f in d.functions:
                want = e["functions"][f.name]
                assert [f.before_self, f.after_self, f.before_total, f.after_total] == approx(want), (cid, f.name)
                assert f.delta_self == approx(want[1] - want[0]), (cid, f.name)
                assert f.delta_total == approx(want[3] - want[2]), (cid, f.name)
                assert f.relative_self == (None if want[0] == 0 else approx((want[1] - want[0]) / want[0])), (cid, f.name)
                assert f.relative_total == (None if want[2] == 0 else approx((want[3] - want[2]) / want[2])), (cid, f.name)
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
