//! Export: speedscope file-format JSON (plain or gzip) and the `dump` view.

mod dump;
mod gzip;
mod json;
mod speedscope;

pub use dump::{check_dump, dump, dump_json, dump_stacks};
pub use json::write_number;
pub use speedscope::{
    check_speedscope_export, speedscope_json_len, to_speedscope_gzip, to_speedscope_json, write_speedscope_json,
    MAX_EXPORT_BYTES, SPEEDSCOPE_SCHEMA,
};
