//! Limit checks: ingest limits enforced by importers while reading, and pure
//! verdict functions for upload policies (with SVG flamegraph validation) and
//! chat-plan limits.

mod chat;
mod ingest;
mod svg;
mod upload;

pub use chat::{
    may_send_message, may_start_session, monthly_period_start, unix_seconds_from_date, ChatLimitType, ChatPlan,
    ChatUsage, ChatVerdict, SessionsPeriod,
};
pub use ingest::{gunzip_limited, is_gzip, IngestLimits};
pub use svg::{validate_svg, SvgPolicy};
pub use upload::{check_upload, check_upload_bytes, is_svg_upload, DenyCode, UploadInfo, UploadPolicy, Verdict};
