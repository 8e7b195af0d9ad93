//! Shared harness for the fuzz targets.
pub mod harness;
