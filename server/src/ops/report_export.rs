//! Report exports to Excel (spec "every report's data can be exported to Excel"): every
//! row of a report written with rust_xlsxwriter in constant-memory mode (rows go to a
//! temporary file as they come) from a database cursor, then the file handed out in
//! pieces and deleted. Neither the rows nor the file are ever held whole in memory, so a
//! 1,000,000-row export keeps the server's memory flat.
//!
//! The sheet follows [`crate::xlsx`]: a title block (report, filters, scope, who, when), a
//! bold frozen header with an autofilter, money as `#,##0.00` numbers, dates as dates, ID
//! numbers and phone numbers as text, and a bold totals row. ID numbers are shown in full
//! only to a caller holding `customer.sensitive.read`; everyone else gets them masked.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

use diesel::PgConnection;
use pharmacrm_shared::pb;

use super::reports::{self as r, Period, Query, Sort, region_name as region_label, region_pair};
use crate::clock::Clock;
use crate::crypto::DataKey;
use crate::db::models::drug_category;
use crate::db::scope::Reps;
use crate::error::{AppError, AppResult};
use crate::xlsx::{Cell, Column, Kind, SheetWriter, write_error};

/// Rows fetched from the cursor and written at a time; progress is reported after each.
const BATCH: i64 = 5_000;

/// The file is handed out in pieces of this many bytes (256 KiB).
pub const CHUNK: usize = 256 * 1024;

/// Which report to export, with its checked filters.
#[derive(Debug, Clone)]
pub enum Job {
    DrugSales {
        period: Period,
        filter: r::DrugFilter,
        sort: Sort,
    },
    DrugSalesSeries {
        period: Period,
        filter: r::DrugFilter,
        interval: r::Interval,
    },
    CustomerDistribution {
        filter: r::CustomerFilter,
        sort: Sort,
    },
    EmployeePerformance {
        period: Period,
        role: r::RepRole,
        sort: Sort,
    },
    CustomerConsumption {
        period: Period,
        province_code: String,
        sort: Sort,
    },
    RegionalSales {
        period: Period,
        province_code: String,
        sort: Sort,
    },
    Exceptions {
        period: Period,
        grouping: r::ExceptionGrouping,
        sort: Sort,
    },
}

impl Job {
    /// The report's key in the audit log ("drug_sales", …) and its title (药品销售情况, …).
    pub fn names(&self) -> (&'static str, &'static str) {
        match self {
            Job::DrugSales { .. } => ("drug_sales", "药品销售情况"),
            Job::DrugSalesSeries { .. } => ("drug_sales_series", "药品销售趋势"),
            Job::CustomerDistribution { .. } => ("customer_distribution", "客户地域分布"),
            Job::EmployeePerformance { .. } => ("employee_performance", "员工销售业绩"),
            Job::CustomerConsumption { .. } => ("customer_consumption", "客户消费情况"),
            Job::RegionalSales { .. } => ("regional_sales", "地区销售情况"),
            Job::Exceptions { .. } => ("exceptions", "异常反馈情况"),
        }
    }

    /// The period, for reports over one.
    pub fn period(&self) -> Option<Period> {
        match self {
            Job::DrugSales { period, .. }
            | Job::DrugSalesSeries { period, .. }
            | Job::EmployeePerformance { period, .. }
            | Job::CustomerConsumption { period, .. }
            | Job::RegionalSales { period, .. }
            | Job::Exceptions { period, .. } => Some(*period),
            Job::CustomerDistribution { .. } => None,
        }
    }

    /// The file name to offer: "药品销售情况_2026-11-01_2026-11-30.xlsx".
    pub fn file_name(&self) -> String {
        let (_, title) = self.names();
        match self.period() {
            Some(p) => format!(
                "{title}_{}_{}.xlsx",
                p.from.format("%Y-%m-%d"),
                p.to.format("%Y-%m-%d")
            ),
            None => format!("{title}.xlsx"),
        }
    }
}

/// What an export needs besides its job.
pub struct Context<'a> {
    /// The caller's scope.
    pub reps: &'a Reps,
    /// The business clock (the instants a period's days start).
    pub clock: &'a Clock,
    /// The key to show ID numbers in full with (the caller holds
    /// `customer.sensitive.read`); `None` masks them.
    pub id_key: Option<&'a DataKey>,
    /// The title block's lines after the report's own (filters, scope, who, when).
    pub lines: Vec<(String, String)>,
    /// Where the file is written before it is handed out.
    pub dir: &'a Path,
}

/// A message for the caller; `false` back means the caller has gone (the export is
/// cancelled).
pub type Sink<'a> = dyn FnMut(pb::ExportChunk) -> bool + 'a;

/// How writing an export ended.
#[derive(Debug, PartialEq, Eq)]
pub enum Outcome {
    /// Every row is in `file` (deleted when dropped, `bytes` long), ready to be handed
    /// out.
    Written {
        file: TempFile,
        rows: u64,
        bytes: u64,
    },
    /// The caller went away; nothing is left.
    Cancelled,
}

/// A file deleted when dropped: the export's, whatever happens.
#[derive(Debug, PartialEq, Eq)]
pub struct TempFile(PathBuf);

impl TempFile {
    /// Where it is.
    pub fn path(&self) -> &Path {
        &self.0
    }
}

impl Drop for TempFile {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.0);
    }
}

fn temp_file(dir: &Path) -> TempFile {
    static NEXT: AtomicU64 = AtomicU64::new(0);
    let n = NEXT.fetch_add(1, Ordering::Relaxed);
    TempFile(dir.join(format!("export-{}-{n}.xlsx", std::process::id())))
}

fn progress(rows: u64, total: u64, file_name: &str) -> pb::ExportChunk {
    pb::ExportChunk {
        part: Some(pb::export_chunk::Part::Progress(pb::ExportProgress {
            rows,
            total,
            file_name: file_name.to_owned(),
        })),
    }
}

/// The most rows an Excel sheet holds.
const EXCEL_ROWS: u64 = 1_048_576;

/// Writes `job`'s report to a file, sending progress as rows are written. The caller hands
/// the file out (in pieces of [`CHUNK`] bytes), audits and says "done". Errors: the
/// report's (a bad filter), a report longer than an Excel sheet (FAILED_PRECONDITION,
/// before any row is written), database and write errors.
pub fn export(
    conn: &mut PgConnection,
    job: &Job,
    ctx: &Context<'_>,
    send: &mut Sink<'_>,
) -> AppResult<Outcome> {
    let file_name = job.file_name();
    let (_, title) = job.names();
    let mut workbook = rust_xlsxwriter::Workbook::new();
    workbook.set_tempdir(ctx.dir).map_err(write_error)?;
    let file = temp_file(ctx.dir);
    let mut lines = vec![("报表".to_owned(), title.to_owned())];
    if let Some(p) = job.period() {
        lines.push((
            "期间".to_owned(),
            format!(
                "{} 至 {}",
                p.from.format("%Y-%m-%d"),
                p.to.format("%Y-%m-%d")
            ),
        ));
    }
    lines.extend(ctx.lines.iter().cloned());
    let mut sheet = Sheet {
        writer: None,
        total: 0,
        sent: 0,
        file_name: &file_name,
        send,
        cancelled: false,
    };
    let worksheet = workbook
        .add_worksheet_with_constant_memory()
        .map_err(write_error)?;
    let title_block = (title, lines.as_slice());
    let rows = match job {
        Job::DrugSales {
            period,
            filter,
            sort,
        } => {
            let (q, t) = r::drug_sales(conn, ctx.reps, *period, filter, sort)?;
            let paths = drug_category::paths(conn)?;
            sheet.start(
                t.rows,
                worksheet,
                title_block,
                vec![
                    Column::wide("药品", Kind::Text, 24.0),
                    Column::new("规格", Kind::Text),
                    Column::wide("分类", Kind::Text, 28.0),
                    Column::new("来源", Kind::Text),
                    Column::new("数量", Kind::Integer),
                    Column::new("销售额", Kind::Money),
                    Column::new("订单数", Kind::Integer),
                    Column::new("客户数", Kind::Integer),
                ],
            )?;
            sheet.rows(conn, &q, |row: &r::DrugSales| {
                let (path, origin) = paths.get(&row.category_id).cloned().unwrap_or_default();
                let origin = origin_label(&origin);
                vec![
                    Cell::from(row.drug_name.as_str()),
                    Cell::from(row.specification.as_str()),
                    Cell::from(path),
                    Cell::from(origin),
                    Cell::Int(row.quantity),
                    Cell::Decimal(row.amount),
                    Cell::Int(row.orders),
                    Cell::Int(row.customers),
                ]
            })?;
            sheet.totals(&[
                Cell::from("合计"),
                Cell::Empty,
                Cell::Empty,
                Cell::Empty,
                Cell::Int(t.quantity),
                Cell::Decimal(t.amount),
                Cell::Int(t.orders),
                Cell::Int(t.customers),
            ])?
        }
        Job::DrugSalesSeries {
            period,
            filter,
            interval,
        } => {
            let (q, t) = r::drug_sales_series(conn, ctx.reps, *period, filter, *interval)?;
            sheet.start(
                r::count(conn, &q)?,
                worksheet,
                title_block,
                vec![
                    Column::new("起始日期", Kind::Date),
                    Column::new("数量", Kind::Integer),
                    Column::new("销售额", Kind::Money),
                ],
            )?;
            sheet.rows(conn, &q, |p: &r::SeriesPoint| {
                vec![
                    Cell::Date(p.period_start),
                    Cell::Int(p.quantity),
                    Cell::Decimal(p.amount),
                ]
            })?;
            sheet.totals(&[
                Cell::from("合计"),
                Cell::Int(t.quantity),
                Cell::Decimal(t.amount),
            ])?
        }
        Job::CustomerDistribution { filter, sort } => {
            let (q, total) = r::customer_distribution(conn, ctx.reps, filter, sort)?;
            sheet.start(
                r::count(conn, &q)?,
                worksheet,
                title_block,
                vec![
                    Column::new("地区代码", Kind::Text),
                    Column::wide("地区", Kind::Text, 20.0),
                    Column::new("客户数", Kind::Integer),
                ],
            )?;
            sheet.rows(conn, &q, |row: &r::RegionCount| {
                vec![
                    Cell::from(row.region_code.as_str()),
                    Cell::from(region_label(&row.region_code)),
                    Cell::Int(row.customers),
                ]
            })?;
            sheet.totals(&[Cell::from("合计"), Cell::Empty, Cell::Int(total)])?
        }
        Job::EmployeePerformance { period, role, sort } => {
            let (q, t) = r::employee_performance(conn, ctx.reps, *period, *role, sort)?;
            sheet.start(
                t.rows,
                worksheet,
                title_block,
                vec![
                    Column::new("名次", Kind::Integer),
                    Column::new("姓名", Kind::Text),
                    Column::wide("部门", Kind::Text, 18.0),
                    Column::new("销售额", Kind::Money),
                    Column::new("订单数", Kind::Integer),
                    Column::new("客户数", Kind::Integer),
                    Column::new("回款", Kind::Money),
                ],
            )?;
            sheet.rows(conn, &q, |row: &r::RepPerformance| {
                vec![
                    Cell::Int(row.rank),
                    Cell::from(row.name.as_str()),
                    Cell::from(row.department.as_str()),
                    Cell::Decimal(row.amount),
                    Cell::Int(row.orders),
                    Cell::Int(row.customers),
                    Cell::Decimal(row.collected),
                ]
            })?;
            sheet.totals(&[
                Cell::from("合计"),
                Cell::Empty,
                Cell::Empty,
                Cell::Decimal(t.amount),
                Cell::Int(t.orders),
                Cell::Int(t.customers),
                Cell::Decimal(t.collected),
            ])?
        }
        Job::CustomerConsumption {
            period,
            province_code,
            sort,
        } => {
            let (q, t) = r::customer_consumption(conn, ctx.reps, *period, province_code, sort)?;
            sheet.start(
                t.rows,
                worksheet,
                title_block,
                vec![
                    Column::wide("客户", Kind::Text, 28.0),
                    Column::wide("地区", Kind::Text, 16.0),
                    Column::new("联系人", Kind::Text),
                    Column::new("电话", Kind::Text),
                    Column::wide("身份证号", Kind::Text, 22.0),
                    Column::new("销售代表", Kind::Text),
                    Column::new("销售额", Kind::Money),
                    Column::new("订单数", Kind::Integer),
                    Column::new("最近下单", Kind::Date),
                    Column::new("当前欠款", Kind::Money),
                ],
            )?;
            let id_key = ctx.id_key;
            sheet.rows(conn, &q, |row: &r::CustomerConsumption| {
                let id_number = match (id_key, &row.id_number_enc) {
                    (Some(key), Some(blob)) => key
                        .decrypt(blob)
                        .unwrap_or_else(|_| row.id_number_masked.clone()),
                    _ => row.id_number_masked.clone(),
                };
                vec![
                    Cell::from(row.customer_name.as_str()),
                    Cell::from(region_pair(&row.province_code, &row.city_code)),
                    Cell::from(row.contact_person.as_str()),
                    Cell::from(row.phone.as_str()),
                    Cell::from(id_number),
                    Cell::from(row.sales_rep_name.as_str()),
                    Cell::Decimal(row.amount),
                    Cell::Int(row.orders),
                    row.last_order_date.map_or(Cell::Empty, Cell::Date),
                    Cell::Decimal(row.outstanding),
                ]
            })?;
            sheet.totals(&[
                Cell::from("合计"),
                Cell::Empty,
                Cell::Empty,
                Cell::Empty,
                Cell::Empty,
                Cell::Empty,
                Cell::Decimal(t.amount),
                Cell::Int(t.orders),
                Cell::Empty,
                Cell::Decimal(t.outstanding),
            ])?
        }
        Job::RegionalSales {
            period,
            province_code,
            sort,
        } => {
            let (q, t) = r::regional_sales(conn, ctx.reps, *period, province_code, sort)?;
            sheet.start(
                t.rows,
                worksheet,
                title_block,
                vec![
                    Column::new("地区代码", Kind::Text),
                    Column::wide("地区", Kind::Text, 20.0),
                    Column::new("销售额", Kind::Money),
                    Column::new("订单数", Kind::Integer),
                    Column::new("客户数", Kind::Integer),
                ],
            )?;
            sheet.rows(conn, &q, |row: &r::RegionSales| {
                vec![
                    Cell::from(row.region_code.as_str()),
                    Cell::from(region_label(&row.region_code)),
                    Cell::Decimal(row.amount),
                    Cell::Int(row.orders),
                    Cell::Int(row.customers),
                ]
            })?;
            sheet.totals(&[
                Cell::from("合计"),
                Cell::Empty,
                Cell::Decimal(t.amount),
                Cell::Int(t.orders),
                Cell::Int(t.customers),
            ])?
        }
        Job::Exceptions {
            period,
            grouping,
            sort,
        } => {
            let (q, t) = r::exceptions(conn, ctx.reps, days(ctx.clock, *period), *grouping, sort)?;
            let heading = match grouping {
                r::ExceptionGrouping::Kind => "异常类型",
                r::ExceptionGrouping::Decision => "处理决定",
                r::ExceptionGrouping::Customer => "客户",
                r::ExceptionGrouping::CsRep => "客服代表",
                r::ExceptionGrouping::Drug => "药品",
            };
            sheet.start(
                t.rows,
                worksheet,
                title_block,
                vec![
                    Column::wide(heading, Kind::Text, 24.0),
                    Column::new("次数", Kind::Integer),
                    Column::new("货值", Kind::Money),
                ],
            )?;
            sheet.rows(conn, &q, |g: &r::ExceptionGroup| {
                vec![
                    Cell::from(exception_label(g)),
                    Cell::Int(g.count),
                    Cell::Decimal(g.value),
                ]
            })?;
            sheet.totals(&[
                Cell::from("合计"),
                Cell::Int(t.count),
                Cell::Decimal(t.value),
            ])?
        }
    };
    let Some(rows) = rows else {
        return Ok(Outcome::Cancelled);
    };
    workbook.save(&file.0).map_err(write_error)?;
    let bytes = std::fs::metadata(&file.0)
        .map_err(|e| AppError::Internal(anyhow::anyhow!("the export's file: {e}")))?
        .len();
    Ok(Outcome::Written { file, rows, bytes })
}

/// A drug category's origin code as the sheets write it: 代理 (agency) or 自产.
fn origin_label(code: &str) -> &'static str {
    if code == "agency" { "代理" } else { "自产" }
}

/// The instants `period`'s first day starts and the day after its last starts.
pub fn days(
    clock: &Clock,
    period: Period,
) -> (chrono::DateTime<chrono::Utc>, chrono::DateTime<chrono::Utc>) {
    (
        clock.start_of(period.from),
        clock.start_of(period.to + chrono::Days::new(1)),
    )
}

/// The title block's lines describing `job`'s filters and order, in Chinese ("药品：…",
/// "分类：…", "排序：销售额 降序").
pub fn filter_lines(conn: &mut PgConnection, job: &Job) -> AppResult<Vec<(String, String)>> {
    use diesel::prelude::*;

    use crate::db::schema::{customer_types, drugs};
    let mut lines = Vec::new();
    let mut line = |label: &str, value: String| lines.push((label.to_owned(), value));
    let drug_lines =
        |conn: &mut PgConnection, f: &r::DrugFilter| -> AppResult<Vec<(String, String)>> {
            let mut out = Vec::new();
            if let Some(id) = f.drug_id {
                let name: Option<(String, String)> = drugs::table
                    .find(id)
                    .select((drugs::name, drugs::specification))
                    .first(conn)
                    .optional()?;
                let (name, spec) = name.unwrap_or_default();
                out.push(("药品".to_owned(), format!("{name} {spec}")));
            }
            if let Some(id) = f.category_id {
                let paths = drug_category::paths(conn)?;
                out.push((
                    "分类".to_owned(),
                    paths.get(&id).map(|(p, _)| p.clone()).unwrap_or_default(),
                ));
            }
            if let Some(origin) = f.origin {
                out.push(("来源".to_owned(), origin_label(origin).to_owned()));
            }
            Ok(out)
        };
    let sort_line = |sort: &Sort| {
        if sort.by.is_empty() {
            None
        } else {
            let dir = if sort.ascending { "升序" } else { "降序" };
            Some(format!("{} {dir}", sort_label(&sort.by)))
        }
    };
    let sort = match job {
        Job::DrugSales { filter, sort, .. } => {
            lines.extend(drug_lines(conn, filter)?);
            sort_line(sort)
        }
        Job::DrugSalesSeries {
            filter, interval, ..
        } => {
            lines.extend(drug_lines(conn, filter)?);
            let step = match interval {
                r::Interval::Day => "按日",
                r::Interval::Week => "按周（周一起）",
                r::Interval::Month => "按月",
            };
            lines.push(("间隔".to_owned(), step.to_owned()));
            None
        }
        Job::CustomerDistribution { filter, sort } => {
            if !filter.province_code.is_empty() {
                line("省份", region_label(&filter.province_code));
            }
            if let Some(kind) = filter.business_kind {
                let label = match kind {
                    "hospital" => "医院",
                    "clinic" => "诊所",
                    "pharmacy" => "药店",
                    "distributor" => "经销商",
                    _ => "其他",
                };
                line("经营类别", label.to_owned());
            }
            if let Some(t) = filter.type_id {
                let name: Option<String> = customer_types::table
                    .find(t)
                    .select(customer_types::name)
                    .first(conn)
                    .optional()?;
                line("客户类型", name.unwrap_or_default());
            }
            line(
                "范围",
                if filter.include_archived {
                    "含已归档客户"
                } else {
                    "在用客户"
                }
                .to_owned(),
            );
            sort_line(sort)
        }
        Job::EmployeePerformance { role, sort, .. } => {
            let label = match role {
                r::RepRole::Sales => "销售代表",
                r::RepRole::Service => "客服代表",
            };
            line("人员", label.to_owned());
            sort_line(sort)
        }
        Job::CustomerConsumption {
            province_code,
            sort,
            ..
        }
        | Job::RegionalSales {
            province_code,
            sort,
            ..
        } => {
            if !province_code.is_empty() {
                line("省份", region_label(province_code));
            }
            sort_line(sort)
        }
        Job::Exceptions { grouping, sort, .. } => {
            let label = match grouping {
                r::ExceptionGrouping::Kind => "异常类型",
                r::ExceptionGrouping::Decision => "处理决定",
                r::ExceptionGrouping::Customer => "客户",
                r::ExceptionGrouping::CsRep => "客服代表",
                r::ExceptionGrouping::Drug => "药品",
            };
            line("分组", label.to_owned());
            sort_line(sort)
        }
    };
    if let Some(sort) = sort {
        lines.push(("排序".to_owned(), sort));
    }
    Ok(lines)
}

/// A sort key's column name in Chinese.
fn sort_label(key: &str) -> &str {
    match key {
        "amount" => "销售额",
        "quantity" => "数量",
        "orders" => "订单数",
        "customers" => "客户数",
        "name" | "label" => "名称",
        "region" => "地区代码",
        "collected" => "回款",
        "last_order" => "最近下单",
        "outstanding" => "当前欠款",
        "value" => "货值",
        "count" => "次数",
        other => other,
    }
}

/// An exception group's label in Chinese: kinds and decisions by name.
fn exception_label(g: &r::ExceptionGroup) -> String {
    let named = match g.key.as_str() {
        "damaged" => "破损",
        "lost" => "丢失",
        "short" => "短少",
        "pending" => "待处理",
        "deduct" => "扣款",
        "reship" => "补发",
        _ => "",
    };
    if g.label.is_empty() {
        named.to_owned()
    } else {
        g.label.clone()
    }
}

/// The sheet being written and the caller being told.
struct Sheet<'w, 's, 'f> {
    writer: Option<SheetWriter<'w>>,
    total: u64,
    sent: u64,
    file_name: &'f str,
    send: &'s mut dyn FnMut(pb::ExportChunk) -> bool,
    cancelled: bool,
}

impl<'w> Sheet<'w, '_, '_> {
    /// Tells the caller how many rows (`total`) are coming, and writes the title and
    /// header; a report longer than a sheet is refused first.
    fn start(
        &mut self,
        total: i64,
        worksheet: &'w mut rust_xlsxwriter::Worksheet,
        (title, lines): (&str, &[(String, String)]),
        columns: Vec<Column>,
    ) -> AppResult<()> {
        self.total = u64::try_from(total).unwrap_or(0);
        // Title block, blank line, header and totals row take up to a dozen rows.
        if self.total + u64::try_from(lines.len()).unwrap_or(0) + 4 > EXCEL_ROWS {
            return Err(AppError::precondition(crate::msg!(
                "report.too_many_rows",
                rows = self.total
            )));
        }
        self.cancelled = !(self.send)(progress(0, self.total, self.file_name));
        self.writer = Some(SheetWriter::start(
            worksheet,
            title,
            Some((title, lines)),
            columns,
        )?);
        Ok(())
    }

    /// Writes every row of `q`, reporting progress after each batch.
    fn rows<R, F>(&mut self, conn: &mut PgConnection, q: &Query, mut cells: F) -> AppResult<()>
    where
        R: diesel::QueryableByName<diesel::pg::Pg> + 'static,
        F: FnMut(&R) -> Vec<Cell>,
    {
        if self.cancelled {
            return Ok(());
        }
        let Some(writer) = self.writer.as_mut() else {
            return Ok(());
        };
        let (total, file_name) = (self.total, self.file_name);
        let send = &mut *self.send;
        let sent = &mut self.sent;
        let cancelled = &mut self.cancelled;
        r::each_batch(conn, q, BATCH, |rows: Vec<R>| {
            for row in &rows {
                writer.row(&cells(row))?;
            }
            *sent += rows.len() as u64;
            if send(progress(*sent, total, file_name)) {
                Ok(true)
            } else {
                *cancelled = true;
                Ok(false)
            }
        })
    }

    /// Writes the totals row and the autofilter: the rows written, or `None` when the
    /// caller has gone.
    fn totals(&mut self, cells: &[Cell]) -> AppResult<Option<u64>> {
        if self.cancelled {
            return Ok(None);
        }
        let Some(mut writer) = self.writer.take() else {
            return Ok(None);
        };
        writer.totals(cells)?;
        writer.finish()?;
        Ok(Some(self.sent))
    }
}
