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
        out.write_record(&self.headers)?;
        for row in &self.rows {
            out.write_record(row.iter().map(|c| match c {
                Cell::Text(t) => t.clone(),
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
        sheet.autofit();
        Ok(workbook.save_to_buffer()?)
    }
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
