//! Symbol demangling shared by the importers whose formats carry raw linker
//! symbols (callgrind, pmcstat, ...).
//!
//! Rust symbols (legacy `_ZN…17h<hash>E` and v0 `_R…`) go through
//! `rustc-demangle` and are shown without the hash; Itanium C++ symbols
//! (`_Z…`, or `__Z…` as macOS spells them) go through `cpp_demangle`.
//! Anything else, and anything a demangler refuses, is returned unchanged.

use std::borrow::Cow;
use std::fmt;

/// Symbols longer than this are not demangled: real symbols are far shorter,
/// and demangling cost grows with length.
const MAX_SYMBOL_LEN: usize = 8192;

/// Longest demangled name produced. Back-references let a short mangled
/// name expand enormously (a 256-byte C++ symbol can demangle to 100 MB):
/// the demangler writes into a buffer that refuses to grow past this, which
/// stops it, and the mangled name is kept instead.
const MAX_DEMANGLED_LEN: usize = 16 * 1024;

/// A string that fails to grow past [`MAX_DEMANGLED_LEN`].
#[derive(Default)]
struct Bounded(String);

impl fmt::Write for Bounded {
    fn write_str(&mut self, s: &str) -> fmt::Result {
        if self.0.len() + s.len() > MAX_DEMANGLED_LEN {
            return Err(fmt::Error);
        }
        self.0.push_str(s);
        Ok(())
    }
}

/// Demangle `name` when it looks like a mangled Rust or C++ symbol; otherwise
/// (or when demangling fails) return it as is.
pub(crate) fn demangle(name: &str) -> Cow<'_, str> {
    if name.len() > MAX_SYMBOL_LEN || !(name.starts_with("_Z") || name.starts_with("__Z") || name.starts_with("_R")) {
        return Cow::Borrowed(name);
    }
    if let Ok(d) = rustc_demangle::try_demangle(name) {
        // `{:#}` leaves out the legacy hash suffix.
        let mut out = Bounded::default();
        return match fmt::Write::write_fmt(&mut out, format_args!("{d:#}")) {
            Ok(()) => Cow::Owned(out.0),
            Err(_) => Cow::Borrowed(name),
        };
    }
    let itanium = name.strip_prefix('_').filter(|s| s.starts_with("_Z")).unwrap_or(name);
    if !itanium.starts_with("_Z") {
        return Cow::Borrowed(name);
    }
    match cpp_demangle::Symbol::new(itanium.as_bytes()) {
        Ok(sym) => {
            let mut out = Bounded::default();
            match sym.structured_demangle(&mut out, &cpp_demangle::DemangleOptions::default()) {
                Ok(()) => Cow::Owned(out.0),
                Err(_) => Cow::Borrowed(name),
            }
        }
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

    #[test]
    fn expanding_symbols_stay_mangled() {
        // f(T, T, ...) where T is a 200-letter class name written once and
        // then referenced 2,600 times as the substitution `S_`: a 8,010-byte
        // symbol that would demangle to 2,600 × 202 bytes.
        let long = format!("_Z1f200{}{}", "a".repeat(200), "S_".repeat(2600));
        assert!(long.len() <= super::MAX_SYMBOL_LEN);
        assert_eq!(demangle(&long), long);
        // The same shape, short enough to fit: demangled.
        let short = format!("_Z1f3aaa{}", "S_".repeat(2));
        assert_eq!(demangle(&short), "f(aaa, aaa, aaa)");
    }
}
