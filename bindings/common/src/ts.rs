//! TypeScript declarations of the requests and records, generated from their
//! field lists (the `record!`, `request!` and `settings!` macros):
//! `bindings/common/types.d.ts`, kept in git and read by the Node skin (the
//! header of napi's `index.d.ts`) and the wasm skin (a custom section of its
//! `.d.ts`). A test (`tests/bindings.rs` at the workspace root) checks that
//! the file is what [`typescript`] generates; `FLAMEKIT_BLESS=1 cargo test
//! --test bindings` writes it again. (Kept in git rather than written by the
//! skins' build scripts, which made every build compile the whole library a
//! second time, for the build machine.)
//! A crate such as ts-rs would type `u64` as `bigint` (these are JS numbers)
//! and cannot tell that a `serde(default)` field may be left out.

use std::collections::{BTreeMap, HashMap};

/// A type as the JavaScript skins see it.
pub trait Ts {
    /// The TypeScript type.
    fn ts() -> String;
    /// The type as a result field (a settings struct: every field present but its `Option`s).
    fn output() -> String {
        Self::ts()
    }
    /// The field may be absent (`Option`).
    const OPTIONAL: bool = false;
    /// The `export interface` (empty for non-structs).
    fn decl() -> String {
        String::new()
    }
}

macro_rules! ts_as {
    ($($t:ty => $s:literal,)*) => { $(impl Ts for $t { fn ts() -> String { $s.into() } })* };
}

ts_as! {
    u32 => "number", u64 => "number", i64 => "number", f64 => "number", bool => "boolean", String => "string",
    // Inputs only: the source maps' bytes.
    Vec<u8> => "string | Uint8Array",
    BTreeMap<String, String> => "Record<string, string>",
    // The import report's skip counts, as `skip_counts` serializes them.
    HashMap<String, u64> => "{ reason: string; count: number }[]",
}

impl<T: Ts> Ts for Option<T> {
    fn ts() -> String {
        T::ts()
    }
    const OPTIONAL: bool = true;
}

impl<T: Ts> Ts for Vec<T> {
    fn ts() -> String {
        format!("{}[]", T::ts())
    }
}

/// A Rust name in camelCase, as serde's `rename_all = "camelCase"` spells it.
pub fn camel(name: &str) -> String {
    let mut parts = name.split('_');
    let first = parts.next().unwrap_or_default().to_string();
    parts.fold(first, |s, p| s + &p[..1].to_uppercase() + &p[1..])
}

/// One field: its name, TypeScript type, whether it may be absent and its doc lines.
pub type Field<'a> = (&'a str, String, bool, &'a [&'a str]);

/// A JSDoc comment (none without doc lines), indented by `pad`.
fn jsdoc(pad: &str, doc: &[&str]) -> String {
    let doc: Vec<_> = doc.iter().map(|l| l.replace("[`", "`").replace("`]", "`")).collect(); // rustdoc links
    match doc.as_slice() {
        [] => String::new(),
        [line] => format!("{pad}/**{line} */\n"),
        lines => format!("{pad}/**\n{}{pad} */\n", lines.iter().map(|l| format!("{pad} *{l}\n")).collect::<String>()),
    }
}

/// `export interface name { ... }` with the structs' and fields' docs.
pub fn interface(name: &str, doc: &[&str], fields: &[Field]) -> String {
    let body = fields.iter().map(|(field, ty, optional, doc)| {
        format!("{}  {}{}: {ty}\n", jsdoc("  ", doc), camel(field), if *optional { "?" } else { "" })
    });
    format!("\n{}export interface {name} {{\n{}}}\n", jsdoc("", doc), body.collect::<String>())
}

/// The doc lines among attributes.
#[macro_export]
#[doc(hidden)]
macro_rules! docs {
    ([$($doc:literal)*]) => { [$($doc),*] };
    ([$($doc:literal)*] #[doc = $line:literal] $($rest:tt)*) => { $crate::docs!([$($doc)* $line] $($rest)*) };
    ([$($doc:literal)*] #[$($other:tt)*] $($rest:tt)*) => { $crate::docs!([$($doc)*] $($rest)*) };
}

/// `Ts` for a struct named `$ts` in TypeScript; every field optional with `optional`.
#[macro_export]
#[doc(hidden)]
macro_rules! ts_struct {
    ($name:ident $ts:literal $optional:literal [$($m:tt)*] $([$($fm:tt)*] $field:ident: $ty:ty,)*) => {
        impl $crate::ts::Ts for $name {
            fn ts() -> String {
                $ts.into()
            }
            fn output() -> String {
                use $crate::ts::camel;
                let t = $ts;
                let opt = [$(<$ty>::OPTIONAL.then(|| format!("'{}'", camel(stringify!($field)))),)*];
                let opt: Vec<_> = opt.into_iter().flatten().collect();
                match opt.join(" | ") {
                    _ if !$optional => t.into(),
                    o if o.is_empty() => format!("Required<{t}>"),
                    o => format!("Required<Omit<{t}, {o}>> & Pick<{t}, {o}>"),
                }
            }
            fn decl() -> String {
                let ty = |input, output| if $optional { input } else { output };
                let fields = [$((stringify!($field), ty(<$ty>::ts(), <$ty>::output()), $optional || <$ty>::OPTIONAL, &$crate::docs!([] $($fm)*) as &[&str]),)*];
                $crate::ts::interface($ts, &$crate::docs!([] $($m)*), &fields)
            }
        }
    };
}

/// `types.d.ts`: the options and results of the Node and wasm packages.
pub fn typescript() -> String {
    use crate::*;
    let decls = [
        LimitsRequest::decl(),
        SourceMapRequest::decl(),
        ImportRequest::decl(),
        RenderRequest::decl(),
        TopRequest::decl(),
        SummaryRequest::decl(),
        DiffRequest::decl(),
        DeltaRequest::decl(),
        SvgPolicyRequest::decl(),
        UploadPolicyRequest::decl(),
        UploadInfoRequest::decl(),
        ChatPlanRequest::decl(),
        ChatUsage::decl(),
        ProfileInfo::decl(),
        FrameWeight::decl(),
        Diagnostic::decl(),
        ImportReportInfo::decl(),
        FunctionStat::decl(),
        FunctionDelta::decl(),
        VerdictRecord::decl(),
        ChatVerdictRecord::decl(),
    ];
    let header = "/* flamekit: the option and result types of the Node and WebAssembly packages,
 * generated from bindings/common (src/ts.rs). Options: every field optional,
 * absent = the library default. Results: fields that have no value are left out. */
";
    header.to_string() + &decls.concat()
}

#[cfg(test)]
mod tests {
    use super::{camel, Ts};

    #[test]
    fn names_are_camel_case_as_serde_spells_them() {
        assert_eq!(camel("max_input_bytes"), "maxInputBytes");
        assert_eq!(camel("by"), "by");
    }

    #[test]
    fn settings_as_results_have_every_field_but_the_optional_ones() {
        // A verdict's `usage_after` has every counter; the anchor only when set.
        let expected = "Required<Omit<ChatUsage, 'periodAnchor'>> & Pick<ChatUsage, 'periodAnchor'>";
        assert_eq!(crate::ChatUsage::output(), expected);
        assert_eq!(crate::LimitsRequest::output(), "Required<IngestLimits>");
        assert!(super::typescript().contains(&format!("  usageAfter: {expected}\n")));
    }

    #[test]
    fn options_may_be_left_out_and_results_only_when_optional() {
        let decl = crate::TopRequest::decl();
        assert!(decl.contains("export interface TopOptions {\n") && decl.contains("  by?: string\n"), "{decl}");
        let decl = crate::SourceMapRequest::decl();
        assert!(decl.contains("  name: string\n  /**") && decl.contains("  script?: string\n"), "{decl}");
        assert!(decl.contains("  bytes: string | Uint8Array\n"), "{decl}");
        let decl = crate::FrameWeight::decl();
        assert!(decl.contains("  selfWeight: number\n") && decl.contains("  file?: string\n"), "{decl}");
    }
}
