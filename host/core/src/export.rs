//! Tables people open in Excel: the same rows as CSV (UTF-8 with a BOM, so
//! Excel on a Chinese Windows reads the names right) or as `.xlsx`.

/// One cell.
#[derive(Debug, Clone)]
pub enum Cell {
    /// Words, a name, a date as `2026-12-01`.
    Text(String),
    /// A count.
    Number(i64),
}

/// A table as exported: headers in the reader's language, then rows.
#[derive(Debug, Clone)]
pub struct Table {
    /// What it is: names the file and the sheet.
    pub name: String,
    /// Column headers.
    pub headers: Vec<String>,
    /// The rows, each as long as the headers.
    pub rows: Vec<Vec<Cell>>,
}

impl Table {
    /// As CSV, UTF-8 with a BOM.
    pub fn csv(&self) -> anyhow::Result<Vec<u8>> {
        let mut out = csv::Writer::from_writer(b"\xEF\xBB\xBF".to_vec());
        out.write_record(self.headers.iter().map(|h| inert(h).into_owned()))?;
        for row in &self.rows {
            out.write_record(row.iter().map(|c| match c {
                Cell::Text(t) => inert(t).into_owned(),
                Cell::Number(n) => n.to_string(),
            }))?;
        }
        Ok(out.into_inner().map_err(|e| anyhow::anyhow!("{e}"))?)
    }

    /// As an Excel workbook of one sheet: bold headers, counts as numbers,
    /// columns as wide as their contents.
    pub fn xlsx(&self) -> anyhow::Result<Vec<u8>> {
        let mut workbook = rust_xlsxwriter::Workbook::new();
        let sheet = workbook.add_worksheet();
        // A sheet's name: at most 31 characters, none of []:*?/\.
        let name: String = self
            .name
            .chars()
            .filter(|c| !"[]:*?/\\".contains(*c))
            .take(31)
            .collect();
        if !name.is_empty() {
            sheet.set_name(&name)?;
        }
        let bold = rust_xlsxwriter::Format::new().set_bold();
        for (col, header) in (0u16..).zip(&self.headers) {
            sheet.write_string_with_format(0, col, header, &bold)?;
        }
        for (row, cells) in (1u32..).zip(&self.rows) {
            for (col, cell) in (0u16..).zip(cells) {
                match cell {
                    Cell::Text(t) => sheet.write_string(row, col, t)?,
                    #[allow(clippy::cast_precision_loss)]
                    Cell::Number(n) => sheet.write_number(row, col, *n as f64)?,
                };
            }
        }
        sheet.set_freeze_panes(1, 0)?;
        for (col, width) in (0u16..).zip(self.widths()) {
            sheet.set_column_width(col, width)?;
        }
        Ok(workbook.save_to_buffer()?)
    }

    /// Each column's width in Excel's character units: its widest cell as
    /// it shows, a Chinese character as two, plus a margin; 6 to 60.
    pub fn widths(&self) -> Vec<f64> {
        use unicode_width::UnicodeWidthStr as _;
        let shown = |cell: &Cell| match cell {
            Cell::Text(t) => t.width(),
            Cell::Number(n) => n.to_string().len(),
        };
        (0..self.headers.len())
            .map(|col| {
                let widest = self
                    .rows
                    .iter()
                    .filter_map(|r| r.get(col))
                    .map(shown)
                    .chain(std::iter::once(self.headers[col].width()))
                    .max()
                    .unwrap_or(0);
                #[allow(clippy::cast_precision_loss)]
                let w = widest as f64 + 2.0;
                w.clamp(6.0, 60.0)
            })
            .collect()
    }
}

/// A CSV field that no spreadsheet runs as a formula (OWASP's advice): a
/// value starting with `=`, `+`, `-`, `@`, a tab or a carriage return (or
/// their full-width forms, which Excel also reads) gets a leading `'`,
/// unless it is a plain number such as `-3`.
pub fn inert(value: &str) -> std::borrow::Cow<'_, str> {
    let live = value.starts_with(['=', '+', '-', '@', '\t', '\r', '＝', '＋', '－', '＠'])
        && value.parse::<f64>().is_err();
    if live {
        format!("'{value}").into()
    } else {
        value.into()
    }
}

/// Serialized rows as CSV (UTF-8 with a BOM, the field names as headers),
/// every field made [`inert`].
pub fn csv_of<T: serde::Serialize>(rows: &[T]) -> anyhow::Result<Vec<u8>> {
    let mut raw = csv::Writer::from_writer(Vec::new());
    for row in rows {
        raw.serialize(row)?;
    }
    let raw = raw.into_inner().map_err(|e| anyhow::anyhow!("{e}"))?;
    let mut out = csv::Writer::from_writer(b"\xEF\xBB\xBF".to_vec());
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(raw.as_slice());
    for record in reader.records() {
        out.write_record(record?.iter().map(|f| inert(f).into_owned()))?;
    }
    Ok(out.into_inner().map_err(|e| anyhow::anyhow!("{e}"))?)
}

/// `name` as a `Content-Disposition` header: an ASCII fallback and the
/// real (Chinese) name percent-encoded (RFC 6266).
pub fn disposition(name: &str, extension: &str) -> String {
    let encoded: String = format!("{name}.{extension}")
        .bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
                char::from(b).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect();
    format!("attachment; filename=\"export.{extension}\"; filename*=UTF-8''{encoded}")
}

#[cfg(test)]
mod tests {
    #[test]
    fn formulas_become_text_and_numbers_stay_numbers() {
        for live in [
            "=HYPERLINK(\"http://x\")",
            "+1+1",
            "-2+3",
            "@SUM(A1)",
            "\tx",
            "\rx",
            "＝1+1",
        ] {
            assert!(super::inert(live).starts_with('\''), "{live}");
        }
        for plain in ["-3", "+5", "12.5", "王芳", "a=b", ""] {
            assert_eq!(super::inert(plain), plain);
        }
    }

    #[test]
    fn a_chinese_column_is_as_wide_as_its_text_shows() {
        use super::{Cell, Table};
        let table = Table {
            name: "工作清单".into(),
            headers: vec!["模块".into(), "module".into(), "逾期天数".into()],
            rows: vec![vec![
                Cell::Text("新老班子工作交接".into()),
                Cell::Text("handover".into()),
                Cell::Number(12),
            ]],
        };
        // 8 Chinese characters show as 16 columns, not 8; a margin of 2.
        assert_eq!(table.widths(), [18.0, 10.0, 10.0]);
        let long = Table {
            rows: vec![vec![
                Cell::Text("长".repeat(100)),
                Cell::Text(String::new()),
                Cell::Number(1),
            ]],
            ..table
        };
        assert_eq!(
            long.widths(),
            [60.0, 8.0, 10.0],
            "capped, and never under the header"
        );
        assert!(long.xlsx().is_ok());
    }
}
