//! flamekit-policy: the checks an application runs around profiles, not on
//! them. Pure verdict functions over small plain structs; nothing here reads
//! a profile, a clock or a file.
//!
//! - **Uploads** ([`check_upload`], [`check_upload_bytes`]): size, content
//!   type, file extension and duration rules of an [`UploadPolicy`], giving a
//!   [`Verdict`] with a stable [`DenyCode`].
//! - **SVG flamegraphs** ([`validate_svg`]): is an uploaded SVG static
//!   drawing, safe to store and serve back ([`SvgPolicy`])?
//! - **Chat plans** ([`may_send_message`], [`may_start_session`]): message
//!   and session limits of a [`ChatPlan`] over the caller's [`ChatUsage`]
//!   counters, with calendar-month periods ([`monthly_period_start`]).
//!
//! ```
//! use flamekit_policy::{check_upload, UploadInfo, UploadPolicy};
//!
//! let info = UploadInfo { size_bytes: 1024, file_name: Some("trace.json".into()), ..Default::default() };
//! assert!(check_upload(&UploadPolicy::default(), &info).is_allowed());
//! ```
#![warn(missing_docs)]
#![forbid(unsafe_code)]

mod calendar;
mod chat;
mod svg;
mod upload;

pub use calendar::{monthly_period_start, unix_seconds_from_date};
pub use chat::{
    may_send_message, may_start_session, ChatErrorCode, ChatLimitError, ChatLimitType, ChatPlan, ChatUsage,
    ChatVerdict, SessionsPeriod,
};
pub use svg::{validate_svg, SvgPolicy};
pub use upload::{check_upload, check_upload_bytes, is_svg_upload, DenyCode, UploadInfo, UploadPolicy, Verdict};
