"""flamekit: ingest, export, render and analyze performance profiles, in-process.

Type stubs for the native module (built from bindings/python with maturin).
Every error is a `FlamekitError` (a `ValueError`) subclass whose `.code` is
the library's stable error code.
"""

import os
from typing import ClassVar, Dict, List, Optional, Union

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
    def __init__(
        self,
        *,
        max_input_bytes: Optional[int] = None,
        max_inflated_bytes: Optional[int] = None,
        max_frames: Optional[int] = None,
        max_samples: Optional[int] = None,
        max_stack_depth: Optional[int] = None,
        max_profiles: Optional[int] = None,
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

class ProfileGroup:
    """Profiles imported from one input, sharing one frame table. Immutable, thread-safe."""

    name: str
    profile_type: str
    duration_ms: Optional[float]
    active_profile_index: int
    frame_count: int
    profiles: List[ProfileInfo]
    report: ImportReport
    def frame_weights(self, profile: Optional[int] = None) -> List[FrameWeight]:
        """Self/total weight of every frame present in a profile (default: the active one)."""
    def to_speedscope_json(self) -> str:
        """speedscope file-format JSON (deterministic)."""
    def to_speedscope_gzip(self) -> bytes:
        """gzip-compressed speedscope JSON (deterministic)."""
    def dump(self) -> str:
        """The `flamekit dump` JSON: frames with self/total weights and stacks per profile."""
    def render_png(
        self,
        width: int = 1200,
        height: int = 800,
        theme: str = "light",
        view: str = "time_order",
        frame: Optional[str] = None,
        start: Optional[float] = None,
        end: Optional[float] = None,
        profile: Optional[int] = None,
        focus: Optional[str] = None,
        device_pixel_ratio: float = 1.0,
        title: bool = True,
    ) -> bytes:
        """Render a profile as PNG bytes. `view`: time_order, left_heavy or sandwich (with `frame`)."""
    def render_svg(
        self,
        width: int = 1200,
        height: int = 800,
        theme: str = "light",
        view: str = "time_order",
        frame: Optional[str] = None,
        start: Optional[float] = None,
        end: Optional[float] = None,
        profile: Optional[int] = None,
        focus: Optional[str] = None,
        device_pixel_ratio: float = 1.0,
        title: bool = True,
    ) -> str:
        """Render a profile as a standalone SVG document (same layout as render_png)."""

def load(
    path_or_bytes: Union[str, "os.PathLike[str]", bytes, bytearray],
    name_hint: Optional[str] = None,
    limits: Optional[IngestLimits] = None,
) -> ProfileGroup:
    """Import a profile from a path or bytes; the format is detected from the content."""

def error_codes() -> List[str]:
    """Every stable error code."""
