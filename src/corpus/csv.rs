//! CSV and TSV: one document a record, named by a header row.

use std::path::Path;

use super::Document;
use super::collect::{Collector, FieldNames, OnError, ReadOptions, check_size, push};
use super::jsonl::RawRecord;
use crate::error::{Error, Location, Result};

pub(super) fn parse_csv<T: Send>(
    path: &Path,
    bytes: &[u8],
    delimiter: u8,
    options: &ReadOptions,
    corpus: &mut Collector<T>,
) -> Result<()> {
    let fields = &options.fields;
    let mut reader = csv::ReaderBuilder::new()
        .delimiter(delimiter)
        .flexible(false)
        .from_reader(bytes);
    let at_line = |line: Option<u64>| Location {
        path: path.to_path_buf(),
        line,
    };
    let headers = reader
        .byte_headers()
        .map_err(|e| Error::Malformed {
            at: at_line(Some(1)),
            message: e.to_string(),
        })?
        .clone();
    let header_names: Vec<String> = headers
        .iter()
        .map(|h| {
            String::from_utf8_lossy(h)
                .trim_start_matches('\u{feff}')
                .to_string()
        })
        .collect();
    let column = |name: &str| header_names.iter().position(|h| h == name);
    let (id_col, text_col) = (column(&fields.id), column(&fields.text));
    for (name, col) in [(&fields.id, id_col), (&fields.text, text_col)] {
        if col.is_none() {
            return Err(Error::Field {
                at: at_line(Some(1)),
                field: name.clone(),
                message: format!("missing from the header ({})", header_names.join(", ")),
            });
        }
    }
    let mut record = csv::ByteRecord::new();
    loop {
        let line = reader.position().line();
        let result = reader.read_byte_record(&mut record);
        let at = at_line(Some(record.position().map_or(line, |p| p.line())));
        let doc = match result {
            Ok(false) => break,
            Ok(true) => check_size(record.as_slice().len(), options.max_doc_bytes, || {
                at.clone()
            })
            .and_then(|()| csv_document(&record, &header_names, fields, &at)),
            Err(e) => Err(Error::Malformed {
                at: at.clone(),
                message: e.to_string(),
            }),
        };
        match doc {
            Ok(doc) => push(corpus, doc, at),
            Err(e) if options.on_error == OnError::Skip => corpus.report.skip(&e),
            Err(e) => return Err(e),
        }
    }
    Ok(())
}

fn csv_document(
    record: &csv::ByteRecord,
    headers: &[String],
    fields: &FieldNames,
    at: &Location,
) -> Result<Document> {
    let mut raw = RawRecord::default();
    for (name, value) in headers.iter().zip(record.iter()) {
        let value = std::str::from_utf8(value)
            .map_err(|e| Error::Field {
                at: at.clone(),
                field: name.clone(),
                message: format!("invalid UTF-8 at byte {}", e.valid_up_to()),
            })?
            .to_string();
        if *name == fields.text {
            raw.text = Some(Some(value));
        } else if value.is_empty() && *name != fields.id {
            continue;
        } else if *name == fields.id {
            raw.id = Some(value);
        } else if *name == fields.title {
            raw.title = Some(value);
        } else if *name == fields.source {
            raw.source = Some(value);
        } else if *name == fields.date {
            raw.date = Some(value);
        } else {
            raw.meta.insert(name.clone(), value);
        }
    }
    raw.into_document(fields, &|| at.clone())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_records() {
        let mut corpus = Collector::default();
        let data = "id,text,source,extra\n1,\"Hello, world\",a,x\n2,Bye,b,\n";
        parse_csv(
            Path::new("t.csv"),
            data.as_bytes(),
            b',',
            &ReadOptions::default(),
            &mut corpus,
        )
        .unwrap();
        assert_eq!(corpus.docs.len(), 2);
        assert_eq!(corpus.docs[0].text, "Hello, world");
        assert_eq!(corpus.docs[0].meta["extra"], "x");
        assert!(corpus.docs[1].meta.is_empty());
        assert_eq!(corpus.origins[1].line, Some(3));
    }

    #[test]
    fn csv_missing_text_column() {
        let mut corpus = Collector::default();
        let err = parse_csv(
            Path::new("t.csv"),
            b"id,body\n1,x\n",
            b',',
            &ReadOptions::default(),
            &mut corpus,
        )
        .unwrap_err();
        assert!(
            err.to_string()
                .starts_with("t.csv:1: field `text`: missing from the header"),
            "{err}"
        );
    }
}
