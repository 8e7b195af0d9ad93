//! flamekit-render: deterministic flamegraph PNG and SVG rendering.
#![warn(missing_docs)]
