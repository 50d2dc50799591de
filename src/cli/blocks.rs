//! `parallax blocks`: the block of every document as JSONL (the keys and the hash are
//! [`parallax::blocks`]).

use std::io::Write;

use anyhow::{Context, Result};
use clap::Args;

use super::InputArgs;
use parallax::blocks::{BlockBy, block_hash};

/// `parallax blocks`.
#[derive(Args, Debug)]
pub struct BlocksArgs {
    #[command(flatten)]
    pub input: InputArgs,
    /// Block by this field's value (`source`, `date`, `title` or any metadata field).
    #[arg(long, value_name = "FIELD", required_unless_present = "window_days")]
    pub key: Option<String>,
    /// Block by windows of this many days of the date field: consecutive, non-overlapping
    /// windows counted from 1970-01-01; the key is the window's first and last day.
    #[arg(long, value_name = "D", conflicts_with = "key")]
    pub window_days: Option<u32>,
}

pub fn blocks(args: &BlocksArgs, quiet: bool, out: &mut dyn Write) -> Result<()> {
    let field = args.key.as_deref().unwrap_or(&args.input.date_field);
    let by = match args.window_days {
        Some(days) => BlockBy::WindowDays(
            days.try_into()
                .ok()
                .context("--window-days must be at least 1")?,
        ),
        None => BlockBy::Field(field.to_string()),
    };
    let mut line = Vec::new();
    let (mut documents, mut missing) = (0usize, 0usize);
    let mut first_missing = None;
    let report = args.input.read_chunked(quiet, &mut |chunk| {
        for doc in &chunk.docs {
            documents += 1;
            let key = by.key(doc).unwrap_or_else(|| {
                missing += 1;
                first_missing.get_or_insert_with(|| doc.id.clone());
                String::new()
            });
            line.clear();
            line.extend_from_slice(b"{\"id\":");
            serde_json::to_writer(&mut line, &doc.id)?;
            line.extend_from_slice(b",\"key\":");
            serde_json::to_writer(&mut line, &key)?;
            write!(line, ",\"block\":\"{:016x}\"}}", block_hash(&key))?;
            line.push(b'\n');
            out.write_all(&line)?;
        }
        Ok(())
    })?;
    super::output::report_read(&report, quiet);
    if missing > 0 {
        // Said even with --quiet: these documents were grouped together by default.
        eprintln!(
            "parallax blocks: {missing} of {documents} document(s) have no {field} (first: {}); they share the block of the empty key",
            first_missing.unwrap_or_default()
        );
    }
    Ok(())
}
