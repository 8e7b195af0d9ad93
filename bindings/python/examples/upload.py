"""What a trace-upload handler does with flamekit, typed: run as
`python upload.py PROFILE` (checked with `mypy --strict` against the
installed wheel's stubs by scripts/test-bindings.sh)."""

import sys
from typing import Dict, List, Optional, Union

import flamekit


def handle(data: bytes, file_name: Optional[str]) -> Dict[str, Union[str, float, None, int, List[str]]]:
    verdict = flamekit.check_upload_bytes(data, file_name=file_name)
    if not verdict:
        return {"error": verdict.code}
    try:
        limits = flamekit.IngestLimits(max_samples=10_000_000)
        group = flamekit.load(data, name_hint=file_name, limits=limits, perf_weight="period")
    except flamekit.LimitExceededError as e:
        return {"error": e.code, "limit": e.limit}
    except flamekit.FlamekitError as e:
        return {"error": e.code}
    light: bytes = group.render_png()
    dark: bytes = group.render_png(theme="dark")
    top: List[str] = [row.name for row in group.top_functions(by="total", limit=5)]
    return {
        "profile_type": group.profile_type,
        "duration_ms": group.duration_ms,
        "speedscope_gzip_bytes": len(group.to_speedscope_gzip()),
        "png_bytes": len(light) + len(dark),
        "top": top,
    }


if __name__ == "__main__":
    path = sys.argv[1]
    with open(path, "rb") as f:
        print(handle(f.read(), path))
