//! Node.js bindings for flamekit: the napi skin over `flamekit-bindings`.
//!
//! The API is `bindings/common/src/js_api.rs`, shared with the wasm skin;
//! this file holds what napi forces: the types and helpers that file uses,
//! `load`/`loadAsync` (which also take a path), and the async tasks.
//! Options arrive as plain JS objects and are deserialized (serde) into the
//! shared request structs; results are the shared records serialized back
//! (camelCase, absent values left out). The TypeScript types of both are
//! generated from them (`flamekit_bindings::ts`): `bindings/common/types.d.ts`,
//! the header of napi's `index.d.ts`.
//! Failures are thrown (or rejected) as `Error`s whose `code` is the stable
//! code. `...Async` variants run on the libuv thread pool.
#![warn(missing_docs)]

use std::path::Path;
use std::sync::Arc;

use flamekit_bindings::{self as fb, Error, Image, Loaded};
use napi::bindgen_prelude::{AsyncTask, Either, ToNapiValue, TypeName, Uint8Array, Unknown};
use napi::{Env, JsError, JsValue, Task, ValueType};
use napi_derive::napi;
use serde::de::DeserializeOwned;
use serde_json::Value;

/// The options parameters of the shared API (`TopOptions`, `RenderOptions`, ...).
macro_rules! option_types {
    ($($name:ident)*) => {
        $(#[doc = "An options object of `types.d.ts` (typed by `ts_args_type`)."]
        pub type $name = napi::bindgen_prelude::Unknown<'static>;)*
    };
}

#[path = "../../common/src/js_api.rs"]
mod api;
pub use api::*;

pub use napi::bindgen_prelude::Buffer;
/// A call's result: an error is thrown as an `Error` with `code`.
pub type Result<T> = napi::Result<T, &'static str>;
/// An options object; absent, `undefined` or `null` is all defaults.
pub type Opts<'a> = Option<Unknown<'a>>;
/// A record as a JS value.
pub type Json = Value;
/// A number or `null`.
pub type Nullable = Option<f64>;
/// A rendered image: PNG bytes or an SVG string.
pub type ImageOut = Either<Buffer, String>;
/// What an `...Async` function returns: work for the libuv thread pool.
pub type Async<J> = AsyncTask<Job<J>>;

/// Run `f` under the panic guard; a library error keeps its code.
fn run<T>(f: impl FnOnce() -> std::result::Result<T, Error>) -> Result<T> {
    fb::guard(f).map_err(|e| napi::Error::new(e.code(), e.to_string()))
}

/// A JS options object (absent, `undefined` or `null`: all defaults) as a request.
fn req<'a, T: DeserializeOwned + Default>(options: impl Into<Opts<'a>>) -> std::result::Result<T, Error> {
    match options.into() {
        Some(v) if !matches!(v.get_type(), Ok(ValueType::Undefined | ValueType::Null)) => {
            Env::from_raw(v.value().env).from_js_value(v).map_err(|e| Error::argument("options", e.reason))
        }
        _ => Ok(T::default()),
    }
}

/// A record as a JS value: camelCase keys, `None` fields left out.
fn js<T: serde::Serialize>(record: &T) -> Result<Value> {
    fn strip(v: &mut Value) {
        match v {
            Value::Object(map) => {
                map.retain(|_, v| !v.is_null());
                map.values_mut().for_each(strip);
            }
            Value::Array(items) => items.iter_mut().for_each(strip),
            _ => {}
        }
    }
    let mut v = serde_json::to_value(record).map_err(|e| napi::Error::new("internal_error", e.to_string()))?;
    strip(&mut v);
    Ok(v)
}

fn image(i: Image) -> ImageOut {
    match i {
        Image::Png(png) => Either::A(png.into()),
        Image::Svg(svg) => Either::B(svg),
    }
}

fn nullable(v: Option<f64>) -> Nullable {
    v
}

/// Work for the libuv thread pool, run there under the panic guard; an error
/// rejects with an `Error` carrying `code`.
pub struct Job<J>(Option<Box<dyn FnOnce() -> std::result::Result<J, Error> + Send>>);

fn job<J>(work: impl FnOnce() -> std::result::Result<J, Error> + Send + 'static) -> Async<J>
where
    Job<J>: Task,
{
    AsyncTask::new(Job(Some(Box::new(work))))
}

impl<J: ToNapiValue + TypeName + Send + 'static> Task for Job<J> {
    type Output = std::result::Result<J, Error>;
    type JsValue = J;

    fn compute(&mut self) -> napi::Result<Self::Output> {
        Ok(match self.0.take() {
            Some(work) => fb::guard(work),
            None => Err(Error::Internal { message: "task ran twice".into() }),
        })
    }

    fn resolve(&mut self, env: Env, output: Self::Output) -> napi::Result<J> {
        output.map_err(|e| {
            let err = JsError::from(napi::Error::new(e.code(), e.to_string())).into_unknown(env);
            napi::Error::from(err)
        })
    }
}

/// Import a profile from a path (string) or from a `Buffer`/`Uint8Array`.
/// The format is detected from the content; `nameHint` (a file name) only
/// breaks ties and names the group. Throws an `Error` with `code` on failure.
#[napi(
    ts_args_type = "input: string | Uint8Array, nameHint?: string | null, limits?: IngestLimits, options?: ImportOptions"
)]
pub fn load(
    input: Either<String, Uint8Array>,
    name_hint: Option<String>,
    limits: Opts<'_>,
    options: Opts<'_>,
) -> Result<ProfileGroup> {
    let request = load_request(name_hint, limits, options);
    run(|| load_group(&input, request))
}

/// `load` on the libuv thread pool: resolves to a `ProfileGroup`, rejects
/// with an `Error` carrying `code`. The input bytes are copied first, so the
/// caller may reuse its buffer at once.
#[napi(
    ts_args_type = "input: string | Uint8Array, nameHint?: string | null, limits?: IngestLimits, options?: ImportOptions",
    ts_return_type = "Promise<ProfileGroup>"
)]
pub fn load_async(
    input: Either<String, Uint8Array>,
    name_hint: Option<String>,
    limits: Opts<'_>,
    options: Opts<'_>,
) -> Async<ProfileGroup> {
    let request = load_request(name_hint, limits, options);
    let input = match input {
        Either::A(path) => Either::A(path),
        Either::B(bytes) => Either::B(bytes.to_vec()),
    };
    job(move || load_group(&input, request))
}

/// The group from a path or bytes, once the options were read.
fn load_group<B: AsRef<[u8]>>(
    input: &Either<String, B>,
    request: std::result::Result<fb::LoadRequest, Error>,
) -> std::result::Result<ProfileGroup, Error> {
    let loaded = match input {
        Either::A(path) => Loaded::from_path(Path::new(path), &request?),
        Either::B(bytes) => Loaded::from_bytes(bytes.as_ref(), &request?),
    };
    Ok(ProfileGroup { inner: Arc::new(loaded?) })
}

fn load_request(
    name_hint: Option<String>,
    limits: Opts<'_>,
    options: Opts<'_>,
) -> std::result::Result<fb::LoadRequest, Error> {
    Ok(fb::LoadRequest { name_hint, limits: req(limits)?, options: req(options)? })
}
