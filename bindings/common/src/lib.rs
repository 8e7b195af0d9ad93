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

/// `flamekit_bindings::$name!(then args...)`, for each struct of `record!`,
/// `request!` and `settings!`: calls `then! { args... ; <the struct's
/// definition> }`, so a skin that must spell out the fields (UniFFI's remote
/// records) takes them from the one definition. `$d` is `$`.
macro_rules! definition {
    ([$d:tt] $name:ident $($def:tt)*) => {
        #[doc = concat!("`", stringify!($name), "!(then args...)`: `then! { args... ; <the definition of ", stringify!($name), "> }`.")]
        #[doc(hidden)]
        #[macro_export]
        macro_rules! $name {
            ($d then:ident $d($d args:tt)*) => {
                $d then! { $d($d args)* ; $($def)* }
            };
        }
    };
}

mod ops;
mod records;
mod requests;
pub mod ts;

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

/// The stable error codes, one row each: the UniFFI variant, the Python
/// exception class, the code and its description, for the skins that name one
/// type per code. Calls `$then! { $($variant $class = $code: $doc,)* ; <row of
/// limit_exceeded> }` (its error carries more detail); the rows are the
/// library's `Error::CODES` (`codes_match_the_library`).
#[macro_export]
macro_rules! error_table {
    ($then:ident) => {
        $then! {
            InvalidJson InvalidJsonError = "invalid_json": "The input is not valid JSON.",
            UnsupportedFormat UnsupportedFormatError = "unsupported_format": "No importer recognised the input.",
            InvalidProfile InvalidProfileError = "invalid_profile": "The input's content is inconsistent.",
            TruncatedInput TruncatedInputError = "truncated_input": "The input ends early.",
            DecompressionFailed DecompressionFailedError = "decompression_failed": "gzip/zip data is corrupt.",
            InvalidArgument InvalidArgumentError = "invalid_argument": "An argument is out of range.",
            EmptyProfile EmptyProfileError = "empty_profile": "Nothing to show or analyze.",
            Io IoError = "io_error": "Reading a file failed.",
            InvalidSourceMap InvalidSourceMapError = "invalid_source_map": "A JavaScript source map is malformed.",
            Internal InternalError = "internal_error": "A bug in flamekit, or a caught panic.",
            ; LimitExceeded LimitExceededError = "limit_exceeded": "An ingest limit was exceeded."
        }
    };
}

#[cfg(test)]
mod tests {
    macro_rules! codes {
        ($($variant:ident $class:ident = $code:literal: $doc:literal,)* ; $($limit:tt)*) => {
            [$($code,)* "limit_exceeded"]
        };
    }

    #[test]
    fn codes_match_the_library() {
        let (mut table, mut library) = (error_table!(codes).to_vec(), super::Error::CODES.to_vec());
        table.sort_unstable();
        library.sort_unstable();
        assert_eq!(table, library);
    }
}
