"""`flamekit mcp` driven by the official MCP Python SDK over stdio.

Run by scripts/test-services.sh. Expected values come from the raw corpus
files (collapsed stacks are parsed here) or from the tools' documented
defaults, never from flamekit's own output.
"""

import asyncio
import base64
import io
import os
import re
from collections import defaultdict
from pathlib import Path

import pytest
from mcp import ClientSession, StdioServerParameters
from mcp.client.stdio import stdio_client
from PIL import Image

ROOT = Path(__file__).resolve().parents[3]
CORPUS = (ROOT / "tests" / "data" / "corpus").resolve()
BIN = os.environ.get("FLAMEKIT_BIN", str(ROOT / "target" / "debug" / "flamekit"))
COLLAPSED = CORPUS / "stackcollapse" / "simple.txt"
CPUPROFILE = CORPUS / "Chrome" / "65" / "simple.cpuprofile"


def run(tmp_path, body):
    """Start `flamekit mcp --root CORPUS --root tmp_path`, initialize, run body(session)."""

    async def main():
        params = StdioServerParameters(
            command=BIN, args=["mcp", "--root", str(CORPUS), "--root", str(tmp_path)]
        )
        async with stdio_client(params) as (read, write):
            async with ClientSession(read, write) as session:
                init = await session.initialize()
                assert init.server_info.name == "flamekit"
                return await body(session)

    return asyncio.run(asyncio.wait_for(main(), timeout=60))


def collapsed_totals(path):
    """Total weight per frame (counted once per stack) and the sum of weights."""
    totals, total = defaultdict(float), 0.0
    for line in Path(path).read_text().splitlines():
        if not line.strip():
            continue
        stack, n = line.strip().rsplit(" ", 1)
        total += float(n)
        for frame in set(stack.split(";")):
            totals[frame] += float(n)
    return totals, total


def text_of(result):
    assert not result.is_error, result.content
    assert result.content[0].type == "text"
    return result.content[0].text


def image_of(block):
    assert block.type == "image"
    assert block.mime_type == "image/png"
    return Image.open(io.BytesIO(base64.b64decode(block.data)))


def error_text(result):
    assert result.is_error, result.content
    return result.content[0].text


def test_lists_flamedecks_tools_and_flamekits(tmp_path):
    async def body(s):
        return {t.name: t for t in (await s.list_tools()).tools}

    tools = run(tmp_path, body)
    assert set(tools) == {
        "get_top_functions",
        "generate_flamegraph_screenshot",
        "generate_sandwich_flamegraph_screenshot",
        "get_trace_summary",
        "list_profiles",
        "compare_traces",
    }
    top = tools["get_top_functions"].input_schema
    assert top["required"] == ["trace"]
    assert top["properties"]["sortBy"]["default"] == "total"
    assert top["properties"]["offset"]["default"] == 0
    assert top["properties"]["limit"]["default"] == 15
    shot = tools["generate_flamegraph_screenshot"].input_schema["properties"]
    assert shot["width"]["default"] == 1200
    assert shot["height"]["default"] == 800
    assert shot["mode"]["default"] == "light"
    assert {"startTimeMs", "endTimeMs", "startDepth"} <= set(shot)
    sandwich = tools["generate_sandwich_flamegraph_screenshot"].input_schema
    assert set(sandwich["required"]) == {"trace", "frameName"}
    compare = tools["compare_traces"].input_schema["properties"]
    assert {"before", "after", "sortBy", "limit"} <= set(compare)


def test_top_functions_match_the_raw_file(tmp_path):
    totals, total = collapsed_totals(COLLAPSED)

    async def body(s):
        default = await s.call_tool("get_top_functions", {"trace": str(COLLAPSED)})
        paged = await s.call_tool(
            "get_top_functions", {"trace": f"file://{COLLAPSED}", "offset": 1, "limit": 2}
        )
        return text_of(default), text_of(paged)

    default, paged = run(tmp_path, body)
    rows = re.findall(r"^(\d+)\. (\S+) - total: ([\d.]+)(?: samples)? \(([\d.]+)%\)", default, re.M)
    assert len(rows) == min(15, len(totals)), default
    seen = []
    for rank, name, value, percent in rows:
        assert float(value) == totals[name], (name, default)
        assert abs(float(percent) - 100 * totals[name] / total) < 0.051, (name, default)
        seen.append(totals[name])
    assert seen == sorted(seen, reverse=True), "sorted by total, descending"
    assert {r[1] for r in rows} == set(totals)
    paged_rows = re.findall(r"^(\d+)\. (\S+) - total", paged, re.M)
    assert [int(r[0]) for r in paged_rows] == [2, 3]


def test_screenshots_are_pngs_of_the_requested_size(tmp_path):
    async def body(s):
        light = await s.call_tool(
            "generate_flamegraph_screenshot", {"trace": str(CPUPROFILE), "width": 640, "height": 360}
        )
        dark = await s.call_tool(
            "generate_flamegraph_screenshot",
            {"trace": str(CPUPROFILE), "width": 640, "height": 360, "mode": "dark"},
        )
        default = await s.call_tool("generate_flamegraph_screenshot", {"trace": str(CPUPROFILE)})
        # `d` is a callFrame.functionName of the raw file.
        sandwich = await s.call_tool(
            "generate_sandwich_flamegraph_screenshot", {"trace": str(CPUPROFILE), "frameName": "d"}
        )
        unknown = await s.call_tool(
            "generate_sandwich_flamegraph_screenshot",
            {"trace": str(CPUPROFILE), "frameName": "no_such_function"},
        )
        return light, dark, default, sandwich, unknown

    light, dark, default, sandwich, unknown = run(tmp_path, body)
    for r in (light, dark, default, sandwich):
        assert not r.is_error, r.content
    li, di = image_of(light.content[0]), image_of(dark.content[0])
    assert li.size == (640, 360) and di.size == (640, 360)
    assert li.tobytes() != di.tobytes()
    assert image_of(default.content[0]).size == (1200, 800)
    assert image_of(sandwich.content[0]).size == (1200, 800)
    assert "invalid_argument" in error_text(unknown)


def test_summary_profiles_and_compare(tmp_path):
    before = tmp_path / "before.txt"
    after = tmp_path / "after.txt"
    before.write_text("main;parse 10\nmain;render 10\n")
    after.write_text("main;parse 10\nmain;render 30\n")

    async def body(s):
        summary = await s.call_tool("get_trace_summary", {"trace": str(COLLAPSED), "maxChars": 300})
        profiles = await s.call_tool("list_profiles", {"trace": str(CORPUS / "speedscope/0.6.0/two-sampled.speedscope.json")})
        diff = await s.call_tool(
            "compare_traces", {"before": str(before), "after": str(after), "limit": 1, "image": True}
        )
        return text_of(summary), text_of(profiles), diff

    summary, profiles, diff = run(tmp_path, body)
    assert 0 < len(summary) <= 300
    assert profiles.startswith("2 profile(s)"), profiles
    assert not diff.is_error, diff.content
    assert diff.content[0].type == "text"
    # Normalized to the after total (40): before render 10 of 20 -> 20, after 30.
    assert re.search(r"^1\. render - ", diff.content[0].text, re.M), diff.content[0].text
    assert image_of(diff.content[1]).size == (1200, 800)


def test_errors_are_tool_errors_and_the_server_lives_on(tmp_path):
    outside = Path("/etc/passwd")

    async def body(s):
        missing = await s.call_tool("get_top_functions", {"trace": str(tmp_path / "missing.json")})
        denied = await s.call_tool("get_top_functions", {"trace": str(outside)})
        no_arg = await s.call_tool("get_top_functions", {})
        bad_sort = await s.call_tool("get_top_functions", {"trace": str(COLLAPSED), "sortBy": "x"})
        still = await s.call_tool("list_profiles", {"trace": str(COLLAPSED)})
        return missing, denied, no_arg, bad_sort, still

    missing, denied, no_arg, bad_sort, still = run(tmp_path, body)
    assert "io_error" in error_text(missing)
    assert "invalid_argument" in error_text(denied)
    assert "invalid_argument" in error_text(no_arg)
    assert "invalid_argument" in error_text(bad_sort)
    assert missing.structured_content["code"] == "io_error"
    assert text_of(still).startswith("1 profile(s)")
