"""Independent derivation of the expected values in vectors.json from the raw inputs.

Written without flamekit: plain json/gzip parsing of the speedscope and
collapsed-stack inputs, so a wrong expectation in vectors.json (or a wrong
importer) cannot hide behind our own output. Run by pytest
(bindings/python/tests/test_vectors.py::test_vectors_match_raw_inputs) and
runnable alone: `python3 tests/vectors/derive.py` exits non-zero on a mismatch.
"""

import gzip
import json
import os
import sys
from collections import defaultdict

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
MS_PER_UNIT = {"nanoseconds": 1e-6, "microseconds": 1e-3, "milliseconds": 1.0, "seconds": 1e3}


def corpus_root():
    return os.environ.get("FLAMEKIT_CORPUS") or os.path.join(ROOT, "tests", "data", "corpus")


def input_path(inp):
    if "corpus" in inp:
        return os.path.join(corpus_root(), inp["corpus"])
    if "data" in inp:
        return os.path.join(ROOT, "tests", "data", inp["data"])
    return None


def input_bytes(inp):
    if "text" in inp:
        data = inp["text"].encode("utf-8")
    elif "hex" in inp:
        data = bytes.fromhex(inp["hex"])
    else:
        with open(input_path(inp), "rb") as f:
            data = f.read()
    if "replace" in inp:
        old, new = inp["replace"]
        text = data.decode("utf-8")
        if old not in text:
            raise ValueError(f"replace: {old!r} does not occur in the input")
        data = text.replace(old, new).encode("utf-8")
    if "truncate" in inp:
        data = data[: inp["truncate"]]
    return data


def speedscope(doc):
    frames = [f["name"] for f in doc["shared"]["frames"]]
    out = []
    for p in doc["profiles"]:
        self_w, total_w = defaultdict(float), defaultdict(float)
        if p["type"] == "sampled":
            for stack, w in zip(p["samples"], p["weights"]):
                if stack:
                    self_w[frames[stack[-1]]] += w
                for f in {frames[i] for i in stack}:
                    total_w[f] += w
            count, total = len(p["samples"]), sum(w for s, w in zip(p["samples"], p["weights"]) if s)
        else:
            stack, last, total = [], None, 0.0
            for e in p["events"]:
                if stack and last is not None and e["at"] > last:
                    dt = e["at"] - last
                    total += dt
                    self_w[frames[stack[-1]]] += dt
                    for f in {frames[i] for i in stack}:
                        total_w[f] += dt
                last = e["at"]
                if e["type"] == "O":
                    stack.append(e["frame"])
                else:
                    assert stack and stack[-1] == e["frame"], "unbalanced events"
                    stack.pop()
            count = len(p["events"])
        ms = MS_PER_UNIT.get(p["unit"])
        out.append(
            {
                "name": p["name"],
                "unit": p["unit"],
                "kind": p["type"],
                "sample_count": count,
                "total_weight": total,
                "duration_ms": None if ms is None else (p["endValue"] - p["startValue"]) * ms,
                "frames": {f: [self_w[f], total_w[f]] for f in total_w},
            }
        )
    return {"name": doc.get("name"), "frame_count": len(set(frames)), "active": doc.get("activeProfileIndex", 0), "profiles": out}


def collapsed(text):
    self_w, total_w, names, total = defaultdict(float), defaultdict(float), set(), 0.0
    for line in text.splitlines():
        line = line.strip()
        if not line:
            continue
        stack, w = line.rsplit(" ", 1)
        w = float(w)
        fr = stack.split(";")
        names.update(fr)
        total += w
        self_w[fr[-1]] += w
        for f in set(fr):
            total_w[f] += w
    prof = {"kind": "sampled", "total_weight": total, "duration_ms": None, "frames": {f: [self_w[f], total_w[f]] for f in total_w}}
    return {"frame_count": len(names), "active": 0, "profiles": [prof]}


def derive_input(inp):
    data = input_bytes(inp)
    if data[:2] == b"\x1f\x8b":
        data = gzip.decompress(data)
    try:
        doc = json.loads(data)
    except ValueError:
        return collapsed(data.decode("utf-8"))
    return speedscope(doc)


def perf_script(text, weight):
    """linux `perf script` output: one event per blank-line-separated block, a
    header `comm [pid/]tid time: period event:` then the call chain, leaf
    first (`addr symbol (dso)`). Each event weighs 1, or its period."""
    self_w, total_w, samples = defaultdict(float), defaultdict(float), 0
    for block in text.split("\n\n"):
        lines = [l for l in block.splitlines() if l.strip() and not l.startswith("#")]
        if not lines:
            continue
        head = lines[0].split(":")[1].split()
        w = float(head[0]) if weight == "period" else 1.0
        names = [l.split(None, 1)[1].rsplit(" (", 1)[0] for l in lines[1:]]
        samples += 1
        self_w[names[0]] += w
        for n in set(names):
            total_w[n] += w
    prof = {"sample_count": samples, "total_weight": sum(self_w.values()), "frames": {n: [self_w[n], total_w[n]] for n in total_w}}
    prof["names"] = set(prof["frames"])
    return {"profiles": [prof]}


def cpuprofile_names(case):
    """Frame names of app.min.js in a V8 CPU profile: the profile's own
    functionName fields, or, with the source map, the functions declared in
    the map's original source (sourcesContent)."""
    doc = json.loads(input_bytes(case["input"]))
    maps = case.get("import_options", {}).get("source_maps", [])
    if maps:
        import re

        source = json.loads(input_bytes(maps[0]["input"]))["sourcesContent"][0]
        names = set(re.findall(r"^function (\w+)\(", source, re.M))
    else:
        names = {n["callFrame"]["functionName"] for n in doc["nodes"] if n["callFrame"]["url"].endswith("app.min.js")}
    return {"profiles": [{"frames": {}, "names": names - {""}}]}


def derive(case):
    path = input_path(case["input"]) or ""
    if path.endswith(".linux-perf.txt"):
        return perf_script(input_bytes(case["input"]).decode("utf-8"), case.get("import_options", {}).get("perf_weight", "samples"))
    if path.endswith(".cpuprofile"):
        return cpuprofile_names(case)
    return derive_input(case["input"])


def close(a, b):
    return abs(a - b) <= 1e-9 * max(1.0, abs(a), abs(b))


def derive_diff(case):
    """Function weights of the two active profiles, matched by name (the
    inputs here have no file names and no recursion), scaled like the library
    documents: before x after_total/before_total when normalising, unless
    either total is 0 (nothing to scale to)."""
    opts = case.get("options", {})
    sides = []
    for key, idx_key in (("before", "before_profile"), ("after", "after_profile")):
        got = derive_input(case[key])
        sides.append(got["profiles"][opts.get(idx_key, got["active"])])
    (b, a) = sides
    normalize = opts.get("normalize", True) or b["unit"] != a["unit"]
    both = b["total_weight"] > 0 and a["total_weight"] > 0
    scale = a["total_weight"] / b["total_weight"] if normalize and both else 1.0
    names = list(b["frames"]) + [f for f in a["frames"] if f not in b["frames"]]
    funcs = {}
    for f in names:
        bs, bt = b["frames"].get(f, [0.0, 0.0])
        as_, at = a["frames"].get(f, [0.0, 0.0])
        funcs[f] = [bs * scale, as_, bt * scale, at]
    rank = lambda col_b, col_a: sorted(names, key=lambda f: (-round(funcs[f][col_a] - funcs[f][col_b], 9), f))
    return {
        "is_zero": all(close(w[0], w[1]) and close(w[2], w[3]) for w in funcs.values()),
        "normalized": normalize,
        "scale": scale,
        "unit": a["unit"],
        "before_total": b["total_weight"],
        "after_total": a["total_weight"],
        "functions": funcs,
        "top_self": rank(0, 1),
        "top_total": rank(2, 3),
    }


def derive_report(case):
    """Collapsed-stack lines that are not `stack weight` (non-blank), 1-based."""
    text = input_bytes(case["input"]).decode("utf-8")
    if text.lstrip().startswith("{"):
        return {"format": "speedscope", "warning_count": 0, "skipped": {}, "warnings": []}
    bad = []
    for n, line in enumerate(text.splitlines(), 1):
        line = line.strip()
        if not line:
            continue
        parts = line.rsplit(" ", 1)
        try:
            ok = len(parts) == 2 and float(parts[1]) >= 0 and parts[0] != ""
        except ValueError:
            ok = False
        if not ok:
            bad.append(n)
    return {
        "format": "collapsed",
        "warning_count": len(bad),
        "skipped": {"invalid_line": len(bad)} if bad else {},
        "warnings": [{"code": "invalid_line", "location": f"line {n}"} for n in bad],
    }


def check(vectors):
    """Return a list of mismatches between vectors.json and the raw inputs."""
    bad = []
    for case in vectors["cases"]:
        cid = case["id"]
        if "expect" in case:
            exp, got = case["expect"], derive(case)
            if "name" in exp and got.get("name") is not None and exp["name"] != got["name"]:
                bad.append(f"{cid}: name {exp['name']!r} != {got['name']!r}")
            if "profile_names" in exp and exp["profile_names"] != [p["name"] for p in got["profiles"]]:
                bad.append(f"{cid}: profile names")
            if "profile_count" in exp and exp["profile_count"] != len(got["profiles"]):
                bad.append(f"{cid}: profile count")
            if "active_profile_index" in exp and exp["active_profile_index"] != got["active"]:
                bad.append(f"{cid}: active profile")
            if "frame_count" in exp and exp["frame_count"] != got["frame_count"]:
                bad.append(f"{cid}: frame count {exp['frame_count']} != {got['frame_count']}")
            if "duration_ms" in exp:
                durations = [p["duration_ms"] for p in got["profiles"] if p["duration_ms"] is not None]
                if exp["duration_ms"] != (max(durations) if durations else None):
                    bad.append(f"{cid}: duration_ms")
            for ep in exp.get("profiles", []):
                gp = got["profiles"][ep["index"]]
                for key in ("unit", "kind", "sample_count", "total_weight"):
                    if key in ep and ep[key] != gp[key]:
                        bad.append(f"{cid}[{ep['index']}]: {key} {ep[key]!r} != {gp[key]!r}")
                for name, sw in ep["frames"].items():
                    if gp["frames"].get(name) != [float(x) for x in sw]:
                        bad.append(f"{cid}[{ep['index']}]: frame {name} {sw} != {gp['frames'].get(name)}")
                for key, present in (("names_present", True), ("names_absent", False)):
                    for name in ep.get(key, []):
                        if (name in gp["names"]) != present:
                            bad.append(f"{cid}[{ep['index']}]: {key} {name}")
                if ep.get("frames_exact") and set(ep["frames"]) != set(gp["frames"]):
                    bad.append(f"{cid}[{ep['index']}]: frame set {sorted(gp['frames'])}")
                for key, col in (("top_by_self", 0), ("top_by_total", 1)):
                    if key in ep:
                        # Weight descending, ties broken by name.
                        order = sorted(gp["frames"], key=lambda f: (-gp["frames"][f][col], f))
                        if order != ep[key]:
                            bad.append(f"{cid}[{ep['index']}]: {key} {order}")
        elif case.get("error") == "limit_exceeded":
            limit, data = case["error_limit"], input_bytes(case["input"])
            if limit == "max_input_bytes" and not len(data) > case["limits"]["max_input_bytes"]:
                bad.append(f"{cid}: input is not over the limit")
            if limit == "max_frames" and not derive(case)["frame_count"] > case["limits"]["max_frames"]:
                bad.append(f"{cid}: frames are not over the limit")
    for case in vectors.get("render_params", []):
        if [case["base"]["width"], case["base"]["height"]] != case["size"]:
            bad.append(f"{case['id']}: size")
        if [case["params"]["width"], case["params"]["height"]] != [str(x) for x in case["size"]]:
            bad.append(f"{case['id']}: params size")
    for case in vectors.get("diffs", []):
        cid, exp, got = case["id"], case["expect"], derive_diff(case)
        for key in ("is_zero", "normalized", "unit", "top_self", "top_total"):
            if key in exp and exp[key] != got[key]:
                bad.append(f"{cid}: {key} {exp[key]!r} != {got[key]!r}")
        for key in ("scale", "before_total", "after_total"):
            if key in exp and not close(exp[key], got[key]):
                bad.append(f"{cid}: {key} {exp[key]!r} != {got[key]!r}")
        for name, w in exp.get("functions", {}).items():
            if name not in got["functions"] or not all(close(x, y) for x, y in zip(w, got["functions"][name])):
                bad.append(f"{cid}: function {name} {w} != {got['functions'].get(name)}")
        if "functions" in exp and set(exp["functions"]) != set(got["functions"]):
            bad.append(f"{cid}: function set {sorted(got['functions'])}")
    for case in vectors.get("reports", []):
        cid, exp, got = case["id"], case["expect"], derive_report(case)
        for key in ("format", "warning_count", "skipped", "warnings"):
            if key in exp and exp[key] != got[key]:
                bad.append(f"{cid}: {key} {exp[key]!r} != {got[key]!r}")
    return bad


if __name__ == "__main__":
    with open(os.path.join(HERE, "vectors.json")) as f:
        problems = check(json.load(f))
    for p in problems:
        print(p)
    print(f"{0 if problems else 1} passed, {1 if problems else 0} failed")
    sys.exit(1 if problems else 0)
