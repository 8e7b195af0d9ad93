//! Symbol demangling shared by the importers whose formats carry raw linker
//! symbols (callgrind, pmcstat, ...).
//!
//! Rust symbols (legacy `_ZN…17h<hash>E` and v0 `_R…`) go through
//! `rustc-demangle` and are shown without the hash; Itanium C++ symbols
//! (`_Z…`, or `__Z…` as macOS spells them) go through `cpp_demangle`.
//! Anything else, and anything a demangler refuses, is returned unchanged.

use std::borrow::Cow;

/// Symbols longer than this are not demangled: real symbols are far shorter,
/// and demangling cost grows with length.
const MAX_SYMBOL_LEN: usize = 8192;

/// Demangle `name` when it looks like a mangled Rust or C++ symbol; otherwise
/// (or when demangling fails) return it as is.
pub(crate) fn demangle(name: &str) -> Cow<'_, str> {
    if name.len() > MAX_SYMBOL_LEN || !(name.starts_with("_Z") || name.starts_with("__Z") || name.starts_with("_R")) {
        return Cow::Borrowed(name);
    }
    if let Ok(d) = rustc_demangle::try_demangle(name) {
        // `{:#}` leaves out the legacy hash suffix.
        return Cow::Owned(format!("{d:#}"));
    }
    let itanium = name.strip_prefix('_').filter(|s| s.starts_with("_Z")).unwrap_or(name);
    if !itanium.starts_with("_Z") {
        return Cow::Borrowed(name);
    }
    match cpp_demangle::Symbol::new(itanium.as_bytes()) {
        Ok(sym) => match sym.demangle() {
            Ok(s) => Cow::Owned(s),
            Err(_) => Cow::Borrowed(name),
        },
        Err(_) => Cow::Borrowed(name),
    }
}

#[cfg(test)]
mod tests {
    use super::demangle;

    #[test]
    fn cpp_rust_and_plain_names() {
        // _ZN3foo3barEv is Itanium for foo::bar().
        assert_eq!(demangle("_ZN3foo3barEv"), "foo::bar()");
        assert_eq!(demangle("__ZN3foo3barEv"), "foo::bar()");
        // Legacy Rust: path std::rt::lang_start with a 16-hex-digit hash.
        assert_eq!(demangle("_ZN3std2rt10lang_start17h0123456789abcdefE"), "std::rt::lang_start");
        assert_eq!(demangle("main"), "main");
        assert_eq!(demangle("_Zgarbage"), "_Zgarbage");
        assert_eq!(demangle(""), "");
    }
}
