//! The coverage report: which source carried which story, how close their versions are, and
//! which words each source uses that the others do not.

pub mod html;
pub mod report;

pub use report::Report;
