//! Bulk import of drugs from Excel: the template (rust_xlsxwriter) and the import
//! (calamine). Rows are validated exactly like single edits; the import is all or
//! nothing — when any row is refused, nothing is written and every refused row is
//! listed with its column and why.

use std::collections::{HashMap, HashSet};

use diesel::PgConnection;
use pharmacrm_shared::pb;
use rust_xlsxwriter::Workbook;

use crate::convert;
use crate::db::models::WriteCtx;
use crate::db::models::container_unit::{self, ContainerUnit};
use crate::db::models::drug::{self, DrugInput};
use crate::db::models::drug_category;
use crate::error::{AppError, AppResult, Msg};
use crate::messages::per_lang;
use crate::msg;
use crate::xlsx::{self, Cell, SheetWriter};

/// The note of the template's example row, which the import skips.
const EXAMPLE_NOTE: &str = "示例行（导入时自动跳过）";

/// The largest workbook accepted.
pub const MAX_BYTES: usize = 10 * 1024 * 1024;
/// The most rows one import takes.
pub const MAX_ROWS: usize = 5_000;

/// The template's columns: (field, header).
const COLUMNS: &[(&str, &str)] = &[
    ("name", "通用名*"),
    ("trade_name", "商品名"),
    ("specification", "规格*"),
    ("dosage_form", "剂型"),
    ("manufacturer", "生产企业*"),
    ("approval_number", "批准文号"),
    ("category", "药品类别*"),
    ("unit", "容器单位*"),
    ("purchase_price", "进价*"),
    ("sale_price", "售价*"),
    ("note", "备注"),
];

/// The template: the drug sheet with headers and an example row, and sheets listing the
/// category paths and the unit labels the import accepts.
pub fn template(conn: &mut PgConnection) -> AppResult<Vec<u8>> {
    let mut paths: Vec<String> = drug_category::paths(conn)?
        .into_values()
        .map(|(p, _)| p)
        .collect();
    paths.sort();
    let units: Vec<String> = container_unit::list(conn, false)?
        .into_iter()
        .map(|u| u.unit.label())
        .collect();
    let mut workbook = Workbook::new();
    let columns = COLUMNS
        .iter()
        .map(|(_, header)| xlsx::Column::wide(*header, xlsx::Kind::Text, 16.0))
        .collect();
    let mut sheet = SheetWriter::start(workbook.add_worksheet(), "药品", None, columns)?;
    let example_category = paths
        .iter()
        .find(|p| p.contains(" › "))
        .cloned()
        .unwrap_or_else(|| "代理类".to_owned());
    let example_unit = units
        .first()
        .cloned()
        .unwrap_or_else(|| "盒（24粒）".to_owned());
    let example: Vec<Cell> = [
        "阿莫西林胶囊",
        "阿莫仙",
        "0.25g×24粒",
        "胶囊剂",
        "珠海联邦制药股份有限公司",
        "国药准字H44021351",
        example_category.as_str(),
        example_unit.as_str(),
        "8.5000",
        "12.8000",
        EXAMPLE_NOTE,
    ]
    .into_iter()
    .map(Cell::from)
    .collect();
    sheet.row(&example)?;
    sheet.finish()?;
    for (name, header, width, values) in [
        (
            "药品类别",
            "可用的药品类别（用 › 或 / 分隔层级）",
            48.0,
            &paths,
        ),
        ("容器单位", "可用的容器单位", 24.0, &units),
    ] {
        let column = vec![xlsx::Column::wide(header, xlsx::Kind::Text, width)];
        let mut sheet = SheetWriter::start(workbook.add_worksheet(), name, None, column)?;
        for value in values {
            sheet.row(&[Cell::from(value.as_str())])?;
        }
        sheet.finish()?;
    }
    workbook.save_to_buffer().map_err(xlsx::write_error)
}

/// A refused row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RowError {
    /// The row as Excel numbers it.
    pub row: u32,
    /// The column's field.
    pub field: String,
    /// Why.
    pub msg: Msg,
}

impl From<RowError> for pb::ImportRowError {
    fn from(e: RowError) -> Self {
        pb::ImportRowError {
            row: e.row,
            field: e.field,
            message: e.msg.en,
            message_zh: e.msg.zh,
        }
    }
}

/// Reads the workbook's first sheet: (Excel row number, text of each column) of every
/// filled row after the header, which must be the template's.
fn read_rows(workbook: &[u8]) -> AppResult<Vec<(u32, Vec<String>)>> {
    let mut rows = xlsx::read_first_sheet(workbook, MAX_BYTES, "workbook")?.into_iter();
    let header = rows.next().map(|(_, cells)| cells).unwrap_or_default();
    let expected: Vec<&str> = COLUMNS.iter().map(|(_, h)| *h).collect();
    if header
        .iter()
        .take(expected.len())
        .map(String::as_str)
        .collect::<Vec<_>>()
        != expected
    {
        return Err(AppError::field(
            "workbook",
            msg!(
                "import.bad_header",
                headers = per_lang(expected.join(", "), expected.join("、"))
            ),
        ));
    }
    let note = COLUMNS
        .iter()
        .position(|(f, _)| *f == "note")
        .expect("note column");
    let mut out = Vec::new();
    for (row, mut cells) in rows {
        cells.resize(COLUMNS.len(), String::new());
        if cells.iter().all(String::is_empty) || cells[note] == EXAMPLE_NOTE {
            continue;
        }
        out.push((row, cells));
    }
    if out.is_empty() {
        return Err(AppError::field("workbook", msg!("import.no_rows")));
    }
    if out.len() > MAX_ROWS {
        return Err(AppError::field(
            "workbook",
            msg!("import.too_many_rows", max = MAX_ROWS),
        ));
    }
    Ok(out)
}

/// A unit label as matched: without white space, half-width brackets as the labels'
/// full-width ones ("盒 (24粒)" is "盒（24粒）").
fn normalise_unit(label: &str) -> String {
    label
        .chars()
        .filter(|c| !c.is_whitespace())
        .map(|c| match c {
            '(' => '（',
            ')' => '）',
            other => other,
        })
        .collect()
}

fn normalise_path(path: &str) -> String {
    path.split(['›', '/', '>', '\\'])
        .map(str::trim)
        .filter(|p| !p.is_empty())
        .collect::<Vec<_>>()
        .join(" › ")
}

/// An import done.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Imported {
    /// Drugs added.
    pub count: usize,
    /// Rows added that deserve a second look, as the drug form says of one saved (a sale
    /// price below the purchase price, an approval number another drug has), by row.
    pub warnings: Vec<RowError>,
}

/// Validates every row and, when all are good, creates them in the caller's transaction.
/// Returns what was imported, or every refused row.
///
/// Errors: INVALID_ARGUMENT on `workbook` for a file that does not read as the template
/// (not .xlsx, other headers), has no drug rows, or more than [`MAX_ROWS`].
pub fn import(
    conn: &mut PgConnection,
    ctx: WriteCtx<'_>,
    workbook: &[u8],
) -> AppResult<Result<Imported, Vec<RowError>>> {
    let rows = read_rows(workbook)?;
    let categories: HashMap<String, i64> = drug_category::paths(conn)?
        .into_iter()
        .map(|(id, (path, _))| (path, id))
        .collect();
    let units: Vec<ContainerUnit> = container_unit::list(conn, false)?
        .into_iter()
        .map(|u| u.unit)
        .collect();
    // Each unit's label as matched, worked out once for all rows.
    let unit_keys: Vec<(String, &ContainerUnit)> = units
        .iter()
        .map(|u| (normalise_unit(&u.label()), u))
        .collect();
    let mut errors = Vec::new();
    let mut inputs: Vec<(u32, DrugInput)> = Vec::new();
    let mut seen = HashSet::new();
    for (row, cells) in rows {
        let cell = |field: &str| {
            let i = COLUMNS
                .iter()
                .position(|(f, _)| *f == field)
                .expect("known column");
            cells[i].clone()
        };
        let mut row_errors = Vec::new();
        let required = |field: &str| RowError {
            row,
            field: field.to_owned(),
            msg: msg!("field.required"),
        };
        let category_id = match categories.get(&normalise_path(&cell("category"))) {
            Some(id) => *id,
            None if cell("category").is_empty() => {
                row_errors.push(required("category"));
                0
            }
            None => {
                row_errors.push(RowError {
                    row,
                    field: "category".to_owned(),
                    msg: msg!("import.no_category", category = cell("category")),
                });
                0
            }
        };
        let unit_text = cell("unit");
        let unit_key = normalise_unit(&unit_text);
        let matching: Vec<&ContainerUnit> = unit_keys
            .iter()
            .filter(|(key, _)| *key == unit_key)
            .map(|(_, u)| *u)
            .chain(units.iter().filter(|u| u.name == unit_text))
            .collect();
        let unit_id = match matching.first() {
            Some(u) if matching.iter().all(|m| m.id == u.id) => u.id,
            None if unit_text.is_empty() => {
                row_errors.push(required("unit"));
                0
            }
            Some(_) => {
                row_errors.push(RowError {
                    row,
                    field: "unit".to_owned(),
                    msg: msg!("import.ambiguous_unit", unit = unit_text),
                });
                0
            }
            None => {
                row_errors.push(RowError {
                    row,
                    field: "unit".to_owned(),
                    msg: msg!("import.no_unit", unit = unit_text),
                });
                0
            }
        };
        let input = pb::DrugInput {
            name: cell("name"),
            trade_name: cell("trade_name"),
            specification: cell("specification"),
            dosage_form: cell("dosage_form"),
            manufacturer: cell("manufacturer"),
            approval_number: cell("approval_number"),
            // Resolved above; a placeholder keeps the other fields' checks running.
            category_id: category_id.max(1),
            unit_id: unit_id.max(1),
            purchase_price: cell("purchase_price"),
            sale_price: cell("sale_price"),
            note: cell("note"),
        };
        match convert::drugs::drug_input(Some(input)) {
            Ok(input) => {
                let identity = (
                    input.name.clone(),
                    input.specification.clone(),
                    input.manufacturer.clone(),
                );
                if !seen.insert(identity) {
                    row_errors.push(RowError {
                        row,
                        field: "name".to_owned(),
                        msg: msg!("import.duplicate_in_file"),
                    });
                }
                if row_errors.is_empty() {
                    inputs.push((row, input));
                }
            }
            Err(AppError::InvalidArgument(fields)) => {
                row_errors.extend(fields.into_iter().map(|f| RowError {
                    row,
                    field: f.field.to_string(),
                    msg: f.msg,
                }));
            }
            Err(other) => return Err(other),
        }
        errors.extend(row_errors);
    }
    // Drugs already in the catalogue are refused by row, before anything is written, in
    // the same answer as the rows refused above (they came a second import later).
    let existing: HashSet<(String, String, String)> = drug::identities(conn)?.into_iter().collect();
    for (row, input) in &inputs {
        if existing.contains(&(
            input.name.clone(),
            input.specification.clone(),
            input.manufacturer.clone(),
        )) {
            errors.push(RowError {
                row: *row,
                field: "name".to_owned(),
                msg: msg!(
                    "drug.already_in_catalogue",
                    name = input.name,
                    specification = input.specification,
                    manufacturer = input.manufacturer
                ),
            });
        }
    }
    if !errors.is_empty() {
        errors.sort_by_key(|e| e.row);
        return Ok(Err(errors));
    }
    // Lock every referenced category and unit first, in one statement: a concurrent
    // edit of one of them then waits here instead of deadlocking with the audit chain.
    let mut category_ids: Vec<i64> = inputs.iter().map(|(_, i)| i.category_id).collect();
    let mut unit_ids: Vec<i64> = inputs.iter().map(|(_, i)| i.unit_id).collect();
    category_ids.sort_unstable();
    category_ids.dedup();
    unit_ids.sort_unstable();
    unit_ids.dedup();
    drug::lock_references(conn, &category_ids, &unit_ids)?;
    let mut saved = Vec::with_capacity(inputs.len());
    for (_, input) in &inputs {
        saved.push((drug::insert(conn, ctx, input)?.id, input));
    }
    // What the form would have said of each, once all are in (two rows of the file
    // sharing an approval number are said of each other).
    let warnings = drug::warnings_saved(conn, &saved)?
        .into_iter()
        .zip(&inputs)
        .flat_map(|(warnings, (row, _))| {
            warnings.into_iter().map(|w| RowError {
                row: *row,
                field: w.field.to_owned(),
                msg: w.msg,
            })
        })
        .collect();
    Ok(Ok(Imported {
        count: inputs.len(),
        warnings,
    }))
}
