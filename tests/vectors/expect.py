"""The checks of one profile's expectations in vectors.json, shared by the
Python skins' tests (bindings/python/tests/test_vectors.py, pyo3, and
bindings/uniffi/tests/test_uniffi.py, UniFFI): the same records under both,
reached through each skin's own calls.
"""

import pytest


def check_profile(cid, ep, info, weights, top):
    """Check `ep` (one entry of a case's `expect.profiles`) against the
    profile's `info` (ProfileInfo), its frame `weights` (FrameWeight rows)
    and `top(by)`, its top 100 functions by `"self"` or `"total"` weight.
    """
    i = ep["index"]
    for key in ("unit", "kind", "sample_count"):
        if key in ep:
            assert getattr(info, key) == ep[key], (cid, i, key)
    if "total_weight" in ep:
        assert info.total_weight == pytest.approx(ep["total_weight"], rel=1e-9), (cid, i)
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
            rows = top(by)
            assert [r.name for r in rows] == ep[key], (cid, i, key)
            assert [r.rank for r in rows] == list(range(len(rows))), (cid, i, key)


def check_chat_verdict(case, verdict):
    """Check a chat check's `verdict` (ChatVerdict) against `case["expect"]`
    (one entry of `chat_checks`)."""
    cid, e = case["id"], case["expect"]
    assert verdict.allowed == e["allowed"], cid
    for key in ("reset", "increment", "period_start", "limit_type", "limit", "actual", "resets_at"):
        if key in e:
            assert getattr(verdict, key) == e[key], (cid, key)
    if not e["allowed"]:
        assert verdict.resets_at == e.get("resets_at"), cid
    for key, want in e.get("usage_after", {}).items():
        assert getattr(verdict.usage_after, key) == want, (cid, key)


def approx(want):
    """The tolerance of every computed (not counted) value in the vectors."""
    return pytest.approx(want, rel=1e-9, abs=1e-9)


def check_function_deltas(cid, functions, want):
    """Check a diff's `functions` (FunctionDelta rows) against `want`, an
    expectation's `functions`: by name, `[before_self, after_self,
    before_total, after_total]`, from which the deltas follow."""
    assert len(functions) == len(want), cid
    for f in functions:
        w = want[f.name]
        assert [f.before_self, f.after_self, f.before_total, f.after_total] == approx(w), (cid, f.name)
        assert f.delta_self == approx(w[1] - w[0]), (cid, f.name)
        assert f.delta_total == approx(w[3] - w[2]), (cid, f.name)
        assert f.relative_self == (None if w[0] == 0 else approx((w[1] - w[0]) / w[0])), (cid, f.name)
        assert f.relative_total == (None if w[2] == 0 else approx((w[3] - w[2]) / w[2])), (cid, f.name)
