//! A county's spreadsheet: a CSV file as Excel exports it (UTF-8, or GB18030
//! on a Chinese Windows), its header in Simplified Chinese, English or
//! Traditional Chinese, read row by row with each line numbered.

mod traditional;

pub use traditional::simplified;

use crate::error::RowError;

/// A column an import reads: its English header and the Chinese ones a
/// county's spreadsheet may use instead.
#[derive(Debug)]
pub(crate) struct Column {
    name: &'static str,
    chinese: &'static [&'static str],
    required: bool,
}

impl Column {
    pub(crate) const fn required(name: &'static str, chinese: &'static [&'static str]) -> Self {
        Self {
            name,
            chinese,
            required: true,
        }
    }

    pub(crate) const fn optional(name: &'static str, chinese: &'static [&'static str]) -> Self {
        Self {
            name,
            chinese,
            required: false,
        }
    }
}

/// The rows of a CSV file as `T`, each with its line, read by the columns'
/// English names whatever language the header is in (Simplified, English, or
/// Traditional). A header without a required column is refused as a whole,
/// with one error that names the header and the columns expected; columns
/// the import does not know are ignored.
pub(crate) fn rows<'a, T: serde::de::DeserializeOwned + 'a>(
    text: &'a str,
    columns: &[Column],
) -> Result<impl Iterator<Item = (usize, Result<T, csv::Error>)> + 'a, RowError> {
    let mut reader = csv::ReaderBuilder::new()
        .trim(csv::Trim::All)
        .from_reader(text.as_bytes());
    let header = reader.headers().cloned().unwrap_or_default();
    let named: csv::StringRecord = header
        .iter()
        .map(|cell| {
            let cell = simplified(cell);
            columns
                .iter()
                .find(|c| c.name.eq_ignore_ascii_case(cell) || c.chinese.contains(&cell))
                .map_or(cell, |c| c.name)
        })
        .collect();
    let missing: Vec<&str> = columns
        .iter()
        .filter(|c| c.required && !named.iter().any(|n| n == c.name))
        .map(|c| c.name)
        .collect();
    if !missing.is_empty() {
        let english: Vec<&str> = columns.iter().map(|c| c.name).collect();
        let chinese: Vec<&str> = columns.iter().map(|c| c.chinese[0]).collect();
        let lacking: Vec<&str> = columns
            .iter()
            .filter(|c| missing.contains(&c.name))
            .map(|c| c.chinese[0])
            .collect();
        let header = header.iter().collect::<Vec<_>>().join(",");
        return Err(RowError::new(
            1,
            None,
            format!(
                "表头“{header}”缺少{}列，应有这些列：{}（也可用英文列名 {}）",
                lacking.join("、"),
                chinese.join("、"),
                english.join(","),
            ),
            format!(
                "the header `{header}` lacks {}: expected the columns {} (or {})",
                missing.join(", "),
                english.join(","),
                chinese.join(","),
            ),
        ));
    }
    reader.set_headers(named);
    Ok(reader
        .into_deserialize()
        .enumerate()
        .map(|(i, row)| (i + 2, row)))
}

/// A file with a header and nothing under it.
pub(crate) fn empty_file() -> RowError {
    RowError::new(1, None, "文件只有表头，没有数据行", "the file has no rows")
}

/// Decodes a spreadsheet export: UTF-8 (with or without a BOM), or GB18030,
/// which is what Excel on a Chinese Windows writes.
pub fn decode(bytes: &[u8]) -> String {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    match std::str::from_utf8(bytes) {
        Ok(text) => text.to_owned(),
        Err(_) => encoding_rs::GB18030.decode(bytes).0.into_owned(),
    }
}
