//! File formats: how parallax's data is laid out in files.

pub(crate) mod spill;
