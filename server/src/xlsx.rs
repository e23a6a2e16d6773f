//! Spreadsheets (.xlsx): one writer for templates, statements and report exports, one
//! reader for imports.
//!
//! Written sheets follow one set of rules: money is a numeric cell formatted `#,##0.00`
//! (never text, never float noise: each amount is an exact decimal with at most 4 places,
//! which an Excel double shows exactly), dates and times are date cells (times in the
//! business time zone, as the screens show them), ID numbers, postcodes and
//! phone numbers are text (so Excel keeps leading zeros and all 18 digits), the header is
//! bold, frozen and filterable, and column widths fit Chinese text (a CJK character is two
//! columns wide). Sheets can be written in constant memory (rows go to a temporary file as
//! they come), which is why widths and panes are fixed before the first row.

use std::io::Cursor;

use calamine::{Data, Reader, Xlsx};
use chrono::{NaiveDate, NaiveDateTime};
use pharmacrm_shared::money::Decimal;
use rust_xlsxwriter::{Format, FormatAlign, Worksheet, XlsxError};

use crate::error::{AppError, AppResult};
use crate::msg;

/// What a column holds: how its cells are written and formatted.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    /// Text, kept as typed (names, ID numbers, phone numbers, postcodes, codes).
    Text,
    /// An amount of CNY: a number formatted `#,##0.00`.
    Money,
    /// A unit price: a number with 2 to 4 decimals.
    Price,
    /// A whole number (quantities, counts): `#,##0`.
    Integer,
    /// A date: `yyyy-mm-dd`.
    Date,
    /// A time of day on a date, to the minute: `yyyy-mm-dd hh:mm`.
    DateTime,
}

impl Kind {
    fn default_width(self) -> f64 {
        match self {
            Kind::Text => 14.0,
            Kind::Money | Kind::Price => 14.0,
            Kind::Integer => 10.0,
            Kind::Date => 12.0,
            Kind::DateTime => 17.0,
        }
    }
}

/// One column: its header and what it holds; `width` (in Excel's character units)
/// overrides the width computed from the header and kind.
#[derive(Clone, Debug)]
pub struct Column {
    /// The header text.
    pub header: String,
    /// What the cells hold.
    pub kind: Kind,
    /// A width for long content (addresses, category paths).
    pub width: Option<f64>,
}

impl Column {
    /// A column of `kind` headed `header`.
    pub fn new(header: impl Into<String>, kind: Kind) -> Column {
        Column {
            header: header.into(),
            kind,
            width: None,
        }
    }

    /// The same, `width` characters wide.
    pub fn wide(header: impl Into<String>, kind: Kind, width: f64) -> Column {
        Column {
            width: Some(width),
            ..Column::new(header, kind)
        }
    }
}

/// One cell's value.
#[derive(Clone, Debug, PartialEq)]
pub enum Cell {
    /// Nothing.
    Empty,
    /// Text.
    Text(String),
    /// An exact decimal (money, prices).
    Decimal(Decimal),
    /// A whole number.
    Int(i64),
    /// A date.
    Date(NaiveDate),
    /// A wall-clock time in the business time zone (a UTC instant converted by the
    /// caller: a sheet has no time zones).
    DateTime(NaiveDateTime),
}

impl From<&str> for Cell {
    fn from(s: &str) -> Self {
        Cell::Text(s.to_owned())
    }
}

impl From<String> for Cell {
    fn from(s: String) -> Self {
        Cell::Text(s)
    }
}

impl From<Decimal> for Cell {
    fn from(d: Decimal) -> Self {
        Cell::Decimal(d)
    }
}

impl From<i64> for Cell {
    fn from(n: i64) -> Self {
        Cell::Int(n)
    }
}

impl From<NaiveDate> for Cell {
    fn from(d: NaiveDate) -> Self {
        Cell::Date(d)
    }
}

impl From<NaiveDateTime> for Cell {
    fn from(t: NaiveDateTime) -> Self {
        Cell::DateTime(t)
    }
}

/// The width of `text` in Excel's character units: CJK and other wide characters count
/// two, so a column of Chinese names is not cut in half.
pub fn text_width(text: &str) -> f64 {
    text.chars()
        .map(|c| if c.is_ascii() { 1.0 } else { 2.0 })
        .sum::<f64>()
        + 2.0
}

/// `text` with each of `forbidden` and every control character replaced by `_`.
fn replace_forbidden(text: &str, forbidden: &str) -> String {
    text.chars()
        .map(|c| {
            if c.is_control() || forbidden.contains(c) {
                '_'
            } else {
                c
            }
        })
        .collect()
}

/// A worksheet name Excel accepts: at most 31 characters, none of `[]:*?/\`.
pub fn sheet_name(name: &str) -> String {
    let clean = replace_forbidden(name, "[]:*?/\\");
    let trimmed: String = clean.chars().take(31).collect();
    if trimmed.trim().is_empty() {
        "Sheet1".to_owned()
    } else {
        trimmed
    }
}

/// An internal error from the spreadsheet writer.
pub fn write_error(e: XlsxError) -> AppError {
    AppError::Internal(anyhow::Error::new(e).context("writing a spreadsheet"))
}

struct Formats {
    title: Format,
    bold: Format,
    money: Format,
    price: Format,
    integer: Format,
    date: Format,
    date_time: Format,
    money_total: Format,
    integer_total: Format,
    text: Format,
}

impl Formats {
    fn new() -> Formats {
        Formats {
            title: Format::new().set_bold().set_font_size(14),
            bold: Format::new().set_bold(),
            money: Format::new().set_num_format("#,##0.00"),
            price: Format::new().set_num_format("#,##0.00##"),
            integer: Format::new().set_num_format("#,##0"),
            date: Format::new()
                .set_num_format("yyyy-mm-dd")
                .set_align(FormatAlign::Left),
            date_time: Format::new()
                .set_num_format("yyyy-mm-dd hh:mm")
                .set_align(FormatAlign::Left),
            money_total: Format::new().set_bold().set_num_format("#,##0.00"),
            integer_total: Format::new().set_bold().set_num_format("#,##0"),
            // Text that looks like a number (ID numbers, postcodes) stays text.
            text: Format::new().set_num_format("@"),
        }
    }
}

/// The most rows an Excel worksheet holds (title block, header and totals included).
pub const MAX_ROWS: u64 = 1_048_576;

/// A sheet written top to bottom: an optional title block, a bold, frozen, filterable
/// header, typed rows, and an optional bold totals row.
pub struct SheetWriter<'a> {
    sheet: &'a mut Worksheet,
    columns: Vec<Column>,
    formats: Formats,
    header_row: u32,
    next_row: u32,
    /// Where the totals row went, once written: the autofilter stops above it, so that
    /// sorting or filtering in Excel never mixes it with the rows.
    totals_row: Option<u32>,
}

/// A title-block label with its colon: full-width after Chinese ("期间："), ASCII after
/// Latin text ("Period:").
fn with_colon(label: &str) -> String {
    if label.chars().last().is_some_and(|c| c.is_ascii()) {
        format!("{label}:")
    } else {
        format!("{label}：")
    }
}

impl<'a> SheetWriter<'a> {
    /// Names the sheet, fixes widths and panes, and writes the title block (`title`, then
    /// one line each: "label：" in a bold cell, its value in the next) and the header.
    pub fn start(
        sheet: &'a mut Worksheet,
        name: &str,
        title: Option<(&str, &[(String, String)])>,
        columns: Vec<Column>,
    ) -> AppResult<SheetWriter<'a>> {
        sheet.set_name(sheet_name(name)).map_err(write_error)?;
        let formats = Formats::new();
        for (col, c) in columns.iter().enumerate() {
            let width = c
                .width
                .unwrap_or_else(|| text_width(&c.header).max(c.kind.default_width()));
            sheet
                .set_column_width(col_index(col), width)
                .map_err(write_error)?;
        }
        let header_row = match title {
            Some((_, lines)) => u32::try_from(lines.len()).unwrap_or(0) + 2,
            None => 0,
        };
        sheet
            .set_freeze_panes(header_row + 1, 0)
            .map_err(write_error)?;
        // Printed as it is sent: A4 landscape, every column on the page, the header again
        // on every page, pages numbered ("1 / 3" at the foot).
        sheet
            .set_paper_size(9)
            .set_landscape()
            .set_print_fit_to_pages(1, 0)
            .set_footer("&C&P / &N")
            .set_repeat_rows(header_row, header_row)
            .map_err(write_error)?;
        if let Some((text, lines)) = title {
            sheet
                .write_string_with_format(0, 0, text, &formats.title)
                .map_err(write_error)?;
            for (i, (label, value)) in lines.iter().enumerate() {
                let row = u32::try_from(i).unwrap_or(0) + 1;
                sheet
                    .write_string_with_format(row, 0, with_colon(label), &formats.bold)
                    .map_err(write_error)?;
                sheet.write_string(row, 1, value).map_err(write_error)?;
            }
        }
        for (col, c) in columns.iter().enumerate() {
            sheet
                .write_string_with_format(header_row, col_index(col), &c.header, &formats.bold)
                .map_err(write_error)?;
        }
        Ok(SheetWriter {
            sheet,
            columns,
            formats,
            header_row,
            next_row: header_row + 1,
            totals_row: None,
        })
    }

    /// Writes one data row.
    pub fn row(&mut self, cells: &[Cell]) -> AppResult<()> {
        self.write(cells, false)
    }

    /// Writes a totals row, in bold, outside the autofilter (which ends above the first
    /// of them: a filtered column's sum never counts a total with its rows).
    pub fn totals(&mut self, cells: &[Cell]) -> AppResult<()> {
        self.totals_row.get_or_insert(self.next_row);
        self.write(cells, true)
    }

    /// How many data rows so far (the totals row included once written).
    pub fn rows(&self) -> u32 {
        self.next_row - self.header_row - 1
    }

    fn write(&mut self, cells: &[Cell], bold: bool) -> AppResult<()> {
        let row = self.next_row;
        for (col, cell) in cells.iter().enumerate() {
            let kind = self.columns.get(col).map_or(Kind::Text, |c| c.kind);
            let col = col_index(col);
            let f = &self.formats;
            let result = match cell {
                Cell::Empty => Ok(&mut *self.sheet),
                Cell::Text(text) if bold => {
                    self.sheet.write_string_with_format(row, col, text, &f.bold)
                }
                Cell::Text(text) => self.sheet.write_string_with_format(row, col, text, &f.text),
                Cell::Decimal(d) => {
                    let format = match (kind, bold) {
                        (Kind::Price, false) => &f.price,
                        (Kind::Integer, false) => &f.integer,
                        (Kind::Integer, true) => &f.integer_total,
                        (_, true) => &f.money_total,
                        _ => &f.money,
                    };
                    self.sheet
                        .write_number_with_format(row, col, decimal_to_f64(*d), format)
                }
                Cell::Int(n) => {
                    let format = if bold { &f.integer_total } else { &f.integer };
                    #[allow(clippy::cast_precision_loss)]
                    // counts and quantities are far below 2^53
                    self.sheet
                        .write_number_with_format(row, col, *n as f64, format)
                }
                Cell::Date(d) => self.sheet.write_date_with_format(row, col, *d, &f.date),
                Cell::DateTime(t) => {
                    self.sheet
                        .write_datetime_with_format(row, col, *t, &f.date_time)
                }
            };
            result.map_err(write_error)?;
        }
        self.next_row += 1;
        Ok(())
    }

    /// Writes, below what is written (after a blank row), lines of "label：" in a bold cell
    /// and its value in the next: a document's closing words (a statement's
    /// confirmation block). Not data: outside the autofilter, as a totals row is.
    pub fn closing_lines(&mut self, lines: &[(String, String)]) -> AppResult<()> {
        self.totals_row.get_or_insert(self.next_row);
        self.next_row += 1;
        for (label, value) in lines {
            let row = self.next_row;
            self.sheet
                .write_string_with_format(row, 0, with_colon(label), &self.formats.bold)
                .map_err(write_error)?;
            self.sheet
                .write_string(row, 1, value)
                .map_err(write_error)?;
            self.next_row += 1;
        }
        Ok(())
    }

    /// Adds the autofilter over the header and data rows (not the totals row). Returns the
    /// rows written, the totals row included.
    pub fn finish(self) -> AppResult<u32> {
        let last_col = col_index(self.columns.len().saturating_sub(1));
        let end = self.totals_row.unwrap_or(self.next_row);
        let last_row = end.saturating_sub(1).max(self.header_row);
        self.sheet
            .autofilter(self.header_row, 0, last_row, last_col)
            .map_err(write_error)?;
        Ok(self.next_row - self.header_row - 1)
    }
}

fn col_index(col: usize) -> u16 {
    u16::try_from(col).unwrap_or(u16::MAX)
}

/// The double Excel stores for an exact decimal. Amounts have at most 4 decimals and far
/// fewer than 15 significant digits, so the double shows back as the same decimal.
fn decimal_to_f64(d: Decimal) -> f64 {
    use rust_decimal::prelude::ToPrimitive;
    // Through the shortest decimal text: exactly what Excel will show.
    d.normalize()
        .to_string()
        .parse()
        .unwrap_or_else(|_| d.to_f64().unwrap_or(0.0))
}

/// A read cell as text; numbers keep their shortest exact decimal form (12.8 stays
/// "12.8", a formula's 0.30000000000000004 becomes 0.3: Excel shows 15 significant digits).
pub fn cell_text(cell: Option<&Data>) -> String {
    match cell {
        None | Some(Data::Empty) => String::new(),
        Some(Data::String(s)) => s.trim().to_owned(),
        Some(Data::Int(i)) => i.to_string(),
        Some(Data::Float(f)) => Decimal::from_f64_retain(*f)
            .and_then(|d| d.round_sf(15))
            .map(|d| d.normalize().to_string())
            .unwrap_or_else(|| f.to_string()),
        Some(other) => other.to_string().trim().to_owned(),
    }
}

/// The first sheet of an uploaded workbook of at most `max_bytes`, as the text of every
/// row: (Excel's row number, cells from column A). `field` names the request field in
/// errors.
pub fn read_first_sheet(
    workbook: &[u8],
    max_bytes: usize,
    field: &'static str,
) -> AppResult<Vec<(u32, Vec<String>)>> {
    if workbook.len() > max_bytes {
        return Err(AppError::field(
            field,
            msg!("field.too_large", mb = max_bytes / (1024 * 1024)),
        ));
    }
    let unreadable = || AppError::field(field, msg!("field.not_xlsx"));
    let mut xlsx: Xlsx<_> = Xlsx::new(Cursor::new(workbook)).map_err(|_| unreadable())?;
    let range = xlsx
        .worksheet_range_at(0)
        .ok_or_else(unreadable)?
        .map_err(|_| unreadable())?;
    let (first_row, first_col) = range.start().unwrap_or((0, 0));
    let first_col = usize::try_from(first_col).unwrap_or(0);
    Ok(range
        .rows()
        .enumerate()
        .map(|(i, r)| {
            let mut cells = vec![String::new(); first_col];
            cells.extend(r.iter().map(|c| cell_text(Some(c))));
            // Excel numbers rows from 1.
            (first_row + u32::try_from(i).unwrap_or(u32::MAX) + 1, cells)
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chinese_text_is_twice_as_wide_and_sheet_names_fit_excel() {
        assert_eq!(text_width("abc"), 5.0);
        assert_eq!(text_width("药品"), 6.0);
        assert_eq!(sheet_name("对账单 2026/11"), "对账单 2026_11");
        assert_eq!(sheet_name(&"长".repeat(40)).chars().count(), 31);
    }

    #[test]
    fn the_autofilter_covers_the_header_and_rows_but_not_the_totals() {
        use std::io::Read;
        let mut book = rust_xlsxwriter::Workbook::new();
        let lines = [("期间".to_owned(), "2026-11".to_owned())];
        let columns = vec![
            Column::new("客户".to_owned(), Kind::Text),
            Column::new("金额".to_owned(), Kind::Money),
        ];
        let mut sheet = SheetWriter::start(
            book.add_worksheet(),
            "欠款",
            Some(("欠款", &lines)),
            columns,
        )
        .unwrap();
        for (name, amount) in [("甲", "1.00"), ("乙", "2.00")] {
            let amount = Cell::Decimal(amount.parse().unwrap());
            sheet.row(&[Cell::from(name), amount]).unwrap();
        }
        // Two summary rows (a statement's opening of all customers, then its totals):
        // the filter ends above the first.
        for (label, amount) in [("期初", "0.50"), ("合计", "3.00")] {
            let amount = Cell::Decimal(amount.parse().unwrap());
            sheet.totals(&[Cell::from(label), amount]).unwrap();
        }
        assert_eq!(sheet.finish().unwrap(), 4);
        let bytes = book.save_to_buffer().unwrap();
        let mut zip = zip::ZipArchive::new(std::io::Cursor::new(bytes)).unwrap();
        let mut xml = String::new();
        zip.by_name("xl/worksheets/sheet1.xml")
            .unwrap()
            .read_to_string(&mut xml)
            .unwrap();
        // Title, one line, a blank row: the header on row 4, the rows on 5 and 6, the
        // summary rows on 7 and 8.
        assert!(xml.contains(r#"<autoFilter ref="A4:B6"/>"#), "{xml}");
    }

    #[test]
    fn amounts_become_the_double_excel_shows_as_the_same_decimal() {
        for text in ["1152.43", "0.10", "12.3456", "99999999999.99"] {
            let d: Decimal = text.parse().unwrap();
            let f = decimal_to_f64(d);
            assert_eq!(
                Decimal::from_f64_retain(f)
                    .unwrap()
                    .round_sf(15)
                    .unwrap()
                    .normalize(),
                d.normalize()
            );
        }
    }
}
