//! WebAssembly bindings for flamekit: the wasm-bindgen skin over
//! `flamekit-bindings`, with the same API as the Node package (minus file
//! paths: inputs are bytes).
//!
//! The API is `bindings/common/src/js_api.rs`, shared with the Node skin;
//! this file holds what wasm-bindgen forces: the types and helpers that file
//! uses and `load`/`loadAsync`. Options arrive as plain JS objects and are
//! deserialized (serde) into the shared request structs; results are the
//! shared records serialized back (camelCase, absent values left out). Their
//! TypeScript types are generated from them (`flamekit_bindings::ts`, by
//! build.rs) and included below.
//! Failures are thrown as `Error`s whose `code` is the stable code; the
//! `...Async` forms return Promises (settled at once: WebAssembly runs on the
//! caller's thread). Unlike the native skins, a panic cannot be caught on
//! wasm32: it aborts the call with a `WebAssembly.RuntimeError`.
#![warn(missing_docs)]

use std::sync::Arc;

use flamekit_bindings::{self as fb, Error, Image, Loaded};
use js_sys::{Promise, Reflect, Uint8Array};
use serde::de::DeserializeOwned;
use wasm_bindgen::prelude::*;

/// The options parameters of the shared API (`TopOptions`, `RenderOptions`,
/// ...) as `types.d.ts` types: wasm-bindgen takes no attributes on them.
macro_rules! option_types {
    ($($name:ident)*) => {
        #[wasm_bindgen]
        extern "C" {
            $(#[doc = "An options object of `types.d.ts`."]
            #[wasm_bindgen(typescript_type = $name)]
            pub type $name;)*
        }
    };
}

#[path = "../../common/src/js_api.rs"]
mod api;
pub use api::*;

#[wasm_bindgen(typescript_custom_section)]
const TYPES: &str = include_str!("../../common/types.d.ts");

/// A call's result: an error is thrown as an `Error` with `code`.
pub type Result<T> = std::result::Result<T, JsValue>;
/// Output bytes (a `Uint8Array` in JS).
pub type Buffer = Vec<u8>;
/// A record as a JS value.
pub type Json = JsValue;
/// A number or `null` (not `undefined`, as the Node addon returns it).
pub type Nullable = JsValue;
/// A rendered image: PNG bytes (`Uint8Array`) or an SVG string.
pub type ImageOut = JsValue;
/// What an `...Async` function returns: a Promise, settled at once.
pub type Async<J> = <J as Settled>::Promise;

/// Names the Promise type for every result type `J` (see [`Async`]).
pub trait Settled {
    /// Always `js_sys::Promise`.
    type Promise;
}

impl<J> Settled for J {
    type Promise = Promise;
}

/// A library error as a JS `Error` with `code`.
fn js_error(e: Error) -> JsValue {
    let err = js_sys::Error::new(&e.to_string());
    // Setting a property on a fresh Error cannot fail.
    let _ = Reflect::set(&err, &"code".into(), &e.code().into());
    err.into()
}

/// Run `f` under the shared guard; an error becomes a JS `Error` with `code`.
fn run<T>(f: impl FnOnce() -> std::result::Result<T, Error>) -> Result<T> {
    fb::guard(f).map_err(js_error)
}

/// A JS options object (absent, `undefined` or `null`: all defaults) as a request.
fn req<T: DeserializeOwned + Default>(options: impl Into<JsValue>) -> std::result::Result<T, Error> {
    let options = options.into();
    if options.is_undefined() || options.is_null() {
        return Ok(T::default());
    }
    serde_wasm_bindgen::from_value(options).map_err(|e| Error::argument("options", e.to_string()))
}

/// A record as a JS value: camelCase keys, `None` fields left out, maps as objects.
fn js<T: serde::Serialize>(record: &T) -> Result<JsValue> {
    let ser = serde_wasm_bindgen::Serializer::new().serialize_maps_as_objects(true);
    record.serialize(&ser).map_err(|e| js_error(Error::Internal { message: e.to_string() }))
}

fn image(i: Image) -> ImageOut {
    match i {
        Image::Png(png) => Uint8Array::from(png.as_slice()).into(),
        Image::Svg(svg) => svg.into(),
    }
}

fn nullable(v: Option<f64>) -> Nullable {
    v.map_or(JsValue::NULL, JsValue::from)
}

/// `work` run at once under the guard, as a settled Promise.
fn job<J: Into<JsValue>>(work: impl FnOnce() -> std::result::Result<J, Error>) -> Promise {
    match run(work) {
        Ok(v) => Promise::resolve(&v.into()),
        Err(e) => Promise::reject(&e),
    }
}

/// Import a profile from bytes. The format is detected from the content;
/// `nameHint` (a file name) only breaks ties and names the group; `options`
/// holds the import switches and source maps.
#[wasm_bindgen]
pub fn load(
    input: &[u8],
    #[wasm_bindgen(js_name = nameHint)] name_hint: Option<String>,
    #[wasm_bindgen(unchecked_optional_param_type = "IngestLimits")] limits: JsValue,
    #[wasm_bindgen(unchecked_optional_param_type = "ImportOptions")] options: JsValue,
) -> Result<ProfileGroup> {
    run(|| load_group(input, name_hint, limits, options))
}

/// `load` as a Promise.
#[wasm_bindgen(js_name = loadAsync, unchecked_return_type = "Promise<ProfileGroup>")]
pub fn load_async(
    input: &[u8],
    #[wasm_bindgen(js_name = nameHint)] name_hint: Option<String>,
    #[wasm_bindgen(unchecked_optional_param_type = "IngestLimits")] limits: JsValue,
    #[wasm_bindgen(unchecked_optional_param_type = "ImportOptions")] options: JsValue,
) -> Promise {
    job(|| load_group(input, name_hint, limits, options))
}

fn load_group(
    input: &[u8],
    name_hint: Option<String>,
    limits: JsValue,
    options: JsValue,
) -> std::result::Result<ProfileGroup, Error> {
    let request = fb::LoadRequest { name_hint, limits: req(limits)?, options: req(options)? };
    Ok(ProfileGroup { inner: Arc::new(Loaded::from_bytes(input, &request)?) })
}
