//! The layer shared by flamekit's language bindings (Python, Node, UniFFI,
//! WebAssembly). Each skin keeps only what its framework forces; everything
//! else lives here, once:
//!
//! - [`guard`]: a panic inside the library becomes [`Error::Internal`]
//!   (code `internal_error`) instead of crossing the FFI boundary.
//! - Request structs ([`LoadRequest`], [`RenderRequest`], [`TopRequest`], ...):
//!   every field optional, one `resolve()` each that applies the library's
//!   defaults, parses names and validates. Adding an option means adding a
//!   field here (and one line per skin that spells out arguments).
//! - Output records ([`ProfileInfo`], [`FrameWeight`], [`ImportReportInfo`],
//!   [`FunctionStat`], [`FunctionDelta`], [`VerdictRecord`], [`ChatVerdictRecord`])
//!   and the functions that build them from library types ([`Loaded`]).
//!
//! - `src/js_api.rs` is not a module of this crate: it is the JavaScript API,
//!   compiled into the Node and wasm skins (see bindings/README.md).
//!
//! Feature `serde`: requests deserialize from and records serialize to
//! camelCase JavaScript objects (absent = default; `None` is left out).
//! Feature `python`: the records are `#[pyclass]`es.
#![warn(missing_docs)]

use std::panic::{catch_unwind, AssertUnwindSafe};

pub use flamekit;
pub use flamekit::Error;

mod ops;
mod records;
mod requests;

pub use ops::*;
pub use records::*;
pub use requests::*;

/// Run `f`, turning a panic into [`Error::Internal`] so it never crosses the FFI boundary.
pub fn guard<T>(f: impl FnOnce() -> Result<T, Error>) -> Result<T, Error> {
    catch_unwind(AssertUnwindSafe(f)).unwrap_or_else(|payload| {
        let what = payload
            .downcast_ref::<&str>()
            .map(|s| s.to_string())
            .or_else(|| payload.downcast_ref::<String>().cloned())
            .unwrap_or_else(|| "unknown panic".into());
        Err(Error::Internal { message: format!("panic: {what}") })
    })
}

/// Panic inside [`guard`] on purpose: every skin exposes this to test that a
/// panic surfaces as `internal_error` instead of aborting the host.
pub fn panic_for_tests() -> Result<(), Error> {
    guard(|| -> Result<(), Error> { panic!("deliberate panic for tests") })
}

/// Every stable error code, in the library's order.
pub fn error_codes() -> Vec<&'static str> {
    Error::CODES.to_vec()
}
