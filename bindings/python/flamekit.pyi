"""flamekit: ingest, export, render and analyze performance profiles, in-process.

Type stubs for the native module (built from bindings/python with maturin).
Every error is a `FlamekitError` (a `ValueError`) subclass whose `.code` is
the library's stable error code.
"""

import os
from typing import ClassVar, Dict, List, Optional, Sequence, TypedDict, Union

from typing_extensions import NotRequired, Unpack

__version__: str

class FlamekitError(ValueError):
    """Base of every flamekit error; `.code` is the stable code."""

    code: ClassVar[Optional[str]]

class InvalidJsonError(FlamekitError):
    """`invalid_json`: the input is not valid JSON."""

    line: int
    column: int

class UnsupportedFormatError(FlamekitError):
    """`unsupported_format`: no importer recognised the input."""

class InvalidProfileError(FlamekitError):
    """`invalid_profile`: the input's content is inconsistent."""

    location: str

class TruncatedInputError(FlamekitError):
    """`truncated_input`: the input ends early."""

    location: str

class LimitExceededError(FlamekitError):
    """`limit_exceeded`: an ingest limit was exceeded."""

    limit: str
    max: int
    value: int

class DecompressionFailedError(FlamekitError):
    """`decompression_failed`: gzip/zip data is corrupt."""

class InvalidArgumentError(FlamekitError):
    """`invalid_argument`: an argument is out of range."""

    argument: str

class EmptyProfileError(FlamekitError):
    """`empty_profile`: nothing to show or analyze."""

class IoError(FlamekitError):
    """`io_error`: reading a file failed."""

class InvalidSourceMapError(FlamekitError):
    """`invalid_source_map`: a JavaScript source map is malformed."""

class InternalError(FlamekitError):
    """`internal_error`: a bug in flamekit, or a caught panic."""

class IngestLimits:
    """Bounds checked while importing; omitted fields keep the library default."""

    max_input_bytes: int
    max_inflated_bytes: int
    max_frames: int
    max_samples: int
    max_stack_depth: int
    max_profiles: int
    max_inflation_ratio: int
    max_name_bytes: int
    max_stack_nodes: int
    max_frame_text_bytes: int
    max_source_map_entries: int
    def __init__(
        self,
        *,
        max_input_bytes: Optional[int] = None,
        max_inflated_bytes: Optional[int] = None,
        max_frames: Optional[int] = None,
        max_samples: Optional[int] = None,
        max_stack_depth: Optional[int] = None,
        max_profiles: Optional[int] = None,
        max_inflation_ratio: Optional[int] = None,
        max_name_bytes: Optional[int] = None,
        max_stack_nodes: Optional[int] = None,
        max_frame_text_bytes: Optional[int] = None,
        max_source_map_entries: Optional[int] = None,
    ) -> None: ...
    @staticmethod
    def unlimited() -> IngestLimits:
        """No limits at all."""

class ProfileInfo:
    """One profile of a group."""

    index: int
    name: str
    unit: str
    kind: str
    sample_count: int
    total_weight: float
    start_value: float
    end_value: float
    duration_ms: Optional[float]

class FrameWeight:
    """Self and total weight of one frame in one profile."""

    index: int
    name: str
    file: Optional[str]
    line: Optional[int]
    col: Optional[int]
    self_weight: float
    total_weight: float

class Diagnostic:
    """One import warning."""

    code: str
    location: str
    message: str

class ImportReport:
    """What an import skipped or repaired."""

    format: str
    warning_count: int
    warnings: List[Diagnostic]
    skipped: Dict[str, int]
    is_clean: bool

class FunctionStat:
    """One row of `ProfileGroup.top_functions`."""

    rank: int
    frame_id: int
    name: str
    file: Optional[str]
    line: Optional[int]
    self_weight: float
    total_weight: float
    self_percent: float
    total_percent: float
    self_display: str
    total_display: str

class RenderOptions(TypedDict, total=False):
    """Keywords of `render_png`/`render_svg`; omitted ones keep the library defaults
    (1200x800, light, time order). For type checkers only (import under `TYPE_CHECKING`)."""

    width: Optional[int]
    height: Optional[int]
    theme: Optional[str]
    """`light` or `dark`."""
    view: Optional[str]
    """`time_order`, `left_heavy` or `sandwich` (with `frame`; `frame` alone selects sandwich)."""
    frame: Optional[str]
    start: Optional[float]
    end: Optional[float]
    profile: Optional[int]
    focus: Optional[str]
    device_pixel_ratio: Optional[float]
    title: Optional[bool]
    start_time_ms: Optional[float]
    """Zoom window start in ms after the profile's start (time units only)."""
    end_time_ms: Optional[float]
    start_depth: Optional[int]
    """Outermost rows to skip."""
    palette: Optional[str]
    """`system`, `fire`, `peach` or `ice`."""
    axes: Optional[bool]
    params: Optional[Dict[str, str]]
    """Flamedeck's render parameters by name (width, height, mode, startTimeMs, endTimeMs,
    startDepth, flamegraphThemeName), applied after the keywords above."""

class SourceMap(TypedDict):
    """A JavaScript source map for `load(source_maps=...)`. For type checkers only."""

    name: str
    """The map's name, usually its file name (`app.min.js.map`)."""
    bytes: Union[str, bytes, bytearray]
    """The map's JSON."""
    script: NotRequired[Optional[str]]
    """URL of the script the map belongs to (default: matched by the map's `file` or name)."""

class ProfileGroup:
    """Profiles imported from one input, sharing one frame table. Immutable, thread-safe."""

    name: str
    profile_type: str
    duration_ms: Optional[float]
    flamedeck_profile_type: str
    flamedeck_duration_ms: Optional[float]
    active_profile_index: int
    frame_count: int
    heap_bytes: int
    profiles: List[ProfileInfo]
    report: ImportReport
    def frame_weights(self, profile: Optional[int] = None) -> List[FrameWeight]:
        """Self/total weight of every frame present in a profile (default: the active one)."""
    def to_speedscope_json(self) -> str:
        """speedscope file-format JSON (deterministic); `LimitExceededError` past 1 GiB of text."""
    def to_speedscope_gzip(self) -> bytes:
        """gzip-compressed speedscope JSON (deterministic); `LimitExceededError` past 1 GiB of text."""
    def dump(self) -> str:
        """The `flamekit dump` JSON: frames with self/total weights and stacks per profile; `LimitExceededError` past 1 GiB."""
    def top_functions(
        self,
        profile: Optional[int] = None,
        by: Optional[str] = None,
        offset: Optional[int] = None,
        limit: Optional[int] = None,
    ) -> List[FunctionStat]:
        """Functions ranked by `by` ("self" or "total") weight, heaviest first; rows offset..offset+limit."""
    def summary(self, max_chars: Optional[int] = None, top_n: Optional[int] = None) -> str:
        """A plain-text summary for an LLM prompt, at most `max_chars` characters."""
    def render_png(self, **options: Unpack[RenderOptions]) -> bytes:
        """Render a profile as PNG bytes; omitted options keep the library defaults (1200x800,
        light, time order). `view`: time_order, left_heavy or sandwich (with `frame`; `frame` alone
        selects sandwich)."""
    def render_svg(self, **options: Unpack[RenderOptions]) -> str:
        """Render a profile as a standalone SVG document (same layout as render_png)."""

def load(
    path_or_bytes: Union[str, "os.PathLike[str]", bytes, bytearray],
    name_hint: Optional[str] = None,
    limits: Optional[IngestLimits] = None,
    *,
    perf_weight: Optional[str] = None,
    firefox_frames: Optional[str] = None,
    pmcstat_samples: Optional[str] = None,
    papyrus_stacks: Optional[str] = None,
    source_maps: Sequence[SourceMap] = (),
    threads: Optional[int] = None,
) -> ProfileGroup:
    """Import a profile from a path or bytes; the format is detected from the content.
    Switches: perf_weight `samples`/`period`, firefox_frames `all`/`js`, pmcstat_samples
    `all`/`leaves`, papyrus_stacks `separate`/`nested` (None: the library default).
    threads: threads the import may use, 0 all cores (the default), 1 the calling thread
    only; the result is the same for any value."""

class FunctionDelta:
    """One function's weights before and after (before weights scaled when the diff is normalised)."""

    name: str
    file: Optional[str]
    before_self: float
    after_self: float
    before_total: float
    after_total: float
    delta_self: float
    """`after_self - before_self`."""
    delta_total: float
    """`after_total - before_total`."""
    relative_self: Optional[float]
    """`delta_self / before_self`; None when `before_self` is 0."""
    relative_total: Optional[float]
    """`delta_total / before_total`; None when `before_total` is 0."""

class ProfileDiff:
    """What changed between two profiles (`flamekit.diff`). Immutable, thread-safe."""

    unit: str
    normalized: bool
    scale: float
    """Factor applied to before weights (1 when not normalised)."""
    before_total: float
    """Total weight of the before profile, unscaled."""
    after_total: float
    functions: List[FunctionDelta]
    """Every function of either profile, in first-seen order (before, then after)."""
    is_zero: bool
    """True when no weight changed (e.g. a profile diffed with itself)."""
    def top_by_delta(
        self, by: Optional[str] = None, offset: Optional[int] = None, limit: Optional[int] = None
    ) -> List[FunctionDelta]:
        """Functions ranked by `by`: "self" / "total" (largest growth first) or "self_absolute" (largest change)."""
    def render_png(self, **options: Unpack[RenderOptions]) -> bytes:
        """Render the diff as a PNG flame graph (after weights; red grew, blue shrank); options as
        ProfileGroup.render_png. Releases the GIL."""
    def render_svg(self, **options: Unpack[RenderOptions]) -> str:
        """Render the diff as a standalone SVG document (same layout as render_png)."""

def diff(
    before: ProfileGroup,
    after: ProfileGroup,
    before_profile: Optional[int] = None,
    after_profile: Optional[int] = None,
    normalize: Optional[bool] = None,
) -> ProfileDiff:
    """Compare a profile of `before` with one of `after` (default: the active ones); releases the GIL.

    With `normalize`, before weights are scaled by after_total / before_total."""

def error_codes() -> List[str]:
    """Every stable error code."""

class SvgPolicy:
    """Rules for SVG uploads."""

    max_bytes: int
    max_nodes: int
    def __init__(self, *, max_bytes: Optional[int] = None, max_nodes: Optional[int] = None) -> None: ...

class UploadPolicy:
    """What an upload endpoint accepts. `max_bytes` omitted: the default; `max_bytes=None`: no limit."""

    max_bytes: Optional[int]
    allowed_content_types: List[str]
    allowed_extensions: List[str]
    max_duration_ms: Optional[int]
    svg: SvgPolicy
    def __init__(
        self,
        *,
        max_bytes: Optional[int] = ...,
        allowed_content_types: Optional[List[str]] = None,
        allowed_extensions: Optional[List[str]] = None,
        max_duration_ms: Optional[int] = None,
        svg: Optional[SvgPolicy] = None,
    ) -> None: ...

class Verdict:
    """Outcome of an upload or SVG check; truthy when allowed."""

    allowed: bool
    code: Optional[str]
    reason: Optional[str]
    limit: Optional[int]
    actual: Optional[int]
    json: str
    """The verdict as compact JSON (what `to_json()` returns)."""
    def to_json(self) -> str: ...
    def __bool__(self) -> bool: ...

class ChatPlan:
    """A chat plan; None limits are unlimited. `sessions_period`: "lifetime" or "monthly"."""

    messages_per_session: Optional[int]
    sessions_limit: Optional[int]
    sessions_period: str
    def __init__(
        self,
        *,
        messages_per_session: Optional[int] = None,
        sessions_limit: Optional[int] = None,
        sessions_period: str = "lifetime",
    ) -> None: ...

class ChatUsage:
    """A user's chat counters, as the caller stores them."""

    session_messages: int
    lifetime_sessions: int
    monthly_sessions: int
    period_start: int
    period_anchor: Optional[int]
    def __init__(
        self,
        *,
        session_messages: int = 0,
        lifetime_sessions: int = 0,
        monthly_sessions: int = 0,
        period_start: int = 0,
        period_anchor: Optional[int] = None,
    ) -> None: ...

class ChatVerdict:
    """Outcome of a chat-limit check; truthy when allowed."""

    allowed: bool
    reset: List[str]
    increment: List[str]
    period_start: Optional[int]
    limit_type: Optional[str]
    reason: Optional[str]
    limit: Optional[int]
    actual: Optional[int]
    resets_at: Optional[int]
    usage_after: ChatUsage
    json: str
    """The verdict as compact JSON (what `to_json()` returns)."""
    def apply(self, usage: ChatUsage) -> ChatUsage:
        """The counters after the allowed action (unchanged when denied)."""
    def to_json(self) -> str: ...
    def __bool__(self) -> bool: ...

def check_upload(
    size_bytes: int,
    content_type: Optional[str] = None,
    file_name: Optional[str] = None,
    duration_ms: Optional[float] = None,
    policy: Optional[UploadPolicy] = None,
) -> Verdict:
    """Check an upload's metadata against a policy (default: UploadPolicy())."""

def check_upload_bytes(
    data: bytes,
    content_type: Optional[str] = None,
    file_name: Optional[str] = None,
    duration_ms: Optional[float] = None,
    policy: Optional[UploadPolicy] = None,
) -> Verdict:
    """check_upload with the bytes at hand; SVG uploads are also validated."""

def validate_svg(data: bytes, policy: Optional[SvgPolicy] = None) -> Verdict:
    """Validate an SVG flamegraph (no scripts, DTDs, external references, ...)."""

def check_chat_limits(plan: ChatPlan, usage: ChatUsage) -> ChatVerdict:
    """May the user send one more message in the current session?"""

def check_chat_session(plan: ChatPlan, usage: ChatUsage, now: int) -> ChatVerdict:
    """May the user start a new chat session at `now` (UTC unix seconds)?"""

def monthly_period_start(period_start: int, now: int) -> int:
    """Start of the monthly period containing `now`."""

def unix_seconds_from_date(year: int, month: int, day: int) -> Optional[int]:
    """UTC unix seconds at midnight of a date; None for an invalid date."""
