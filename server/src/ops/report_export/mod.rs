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
use pharmacrm_shared::money::Decimal;
use pharmacrm_shared::pb;

use super::reports::{self as r, Period, Query, Sort, region_name as region_label, region_pair};
use crate::clock::Clock;
use crate::crypto::DataKey;
use crate::db::models::drug_category;
use crate::db::scope::Reps;
use crate::error::{AppError, AppResult, Msg};
use crate::messages::Lang;
use crate::msg;
use crate::xlsx::{Cell, Column, Kind, SheetWriter, write_error};

mod registers;

pub use registers::Register;

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
        /// The business date it counts the customers on record of (a snapshot).
        today: chrono::NaiveDate,
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
    /// The arrears list (欠款) as of business date `as_of`, in its own order.
    Arrears {
        filter: super::finance::ArrearsFilter,
        as_of: chrono::NaiveDate,
    },
    /// A finance register (回款, 开票, 核销) as its list filters it; `today` (the business
    /// date) names the file when no period does.
    Register {
        register: Register,
        today: chrono::NaiveDate,
    },
    /// A statement (对账单), in Chinese ([`super::finance::statement_workbook`]).
    Statement {
        query: super::finance::StatementQuery,
    },
}

impl Job {
    /// The report's key in the audit log: "drug_sales", "employee_performance", …: the
    /// name of its field in `ExportRequest` too.
    pub fn key(&self) -> &'static str {
        match self {
            Job::DrugSales { .. } => "drug_sales",
            Job::DrugSalesSeries { .. } => "drug_sales_series",
            Job::CustomerDistribution { .. } => "customer_distribution",
            Job::EmployeePerformance { .. } => "employee_performance",
            Job::CustomerConsumption { .. } => "customer_consumption",
            Job::RegionalSales { .. } => "regional_sales",
            Job::Exceptions { .. } => "exceptions",
            Job::Arrears { .. } => "arrears",
            Job::Register { register, .. } => register.key(),
            Job::Statement { .. } => "statement",
        }
    }

    /// Whether the file goes to a customer: one customer's statement, of every handler
    /// (its title block then names us and who made it out, not our scope and logins).
    pub fn goes_to_customer(&self) -> bool {
        matches!(self, Job::Statement { query } if query.goes_to_customer())
    }

    /// The report's title: 药品销售情况 / "Drug sales", ….
    pub fn title(&self, lang: Lang) -> String {
        let title = match self {
            Job::DrugSales { .. } => msg!("report.sheet.title.drug_sales"),
            Job::DrugSalesSeries { .. } => msg!("report.sheet.title.drug_sales_series"),
            Job::CustomerDistribution { .. } => {
                msg!("report.sheet.title.customer_distribution")
            }
            Job::EmployeePerformance { .. } => msg!("report.sheet.title.employee_performance"),
            Job::CustomerConsumption { .. } => msg!("report.sheet.title.customer_consumption"),
            Job::RegionalSales { .. } => msg!("report.sheet.title.regional_sales"),
            Job::Exceptions { .. } => msg!("report.sheet.title.exceptions"),
            Job::Arrears { .. } => msg!("report.sheet.title.arrears"),
            Job::Register { register, .. } => register.title(),
            Job::Statement { .. } => msg!("report.sheet.title.statement"),
        };
        title.text(lang).to_owned()
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
            Job::Statement { query } => Some(Period {
                from: query.from,
                to: query.to,
            }),
            Job::CustomerDistribution { .. } | Job::Arrears { .. } | Job::Register { .. } => None,
        }
    }

    /// What tells this export from another of the same report and period: the reps
    /// ranked (营销员 / 客服), the province drilled into (湖南省); `None` for the rest.
    fn variant(&self, lang: Lang) -> Option<String> {
        let province = |code: &str| (!code.is_empty()).then(|| r::region_name(code));
        match self {
            Job::EmployeePerformance { role, .. } => Some(
                match role {
                    r::RepRole::Sales => msg!("report.sheet.sales_reps"),
                    r::RepRole::Service => msg!("report.sheet.cs_reps"),
                }
                .text(lang)
                .to_owned(),
            ),
            Job::CustomerDistribution { filter, .. } => province(&filter.province_code),
            Job::CustomerConsumption { province_code, .. }
            | Job::RegionalSales { province_code, .. } => province(province_code),
            Job::Exceptions { grouping, .. } => {
                Some(grouping_column(*grouping).text(lang).to_owned())
            }
            _ => None,
        }
    }

    /// The file name to offer: "药品销售情况_2026-11-01_2026-11-30.xlsx", or in English
    /// "Drug sales_2026-11-01_2026-11-30.xlsx"; after the title what tells the export from
    /// another of the same report ("员工销售业绩_客服_…", "地区销售情况_湖南省_…",
    /// "异常反馈情况_客户_…"); the
    /// arrears "欠款_2026-12-03.xlsx" (as of that day), the customer distribution likewise
    /// (the customers on record that day); a register by what `named` says of
    /// its filter ([`registers::named_filters`]) and the dates it was filtered to,
    /// "回款记录_长沙市第一医院_2026-11-01_2026-11-30.xlsx", "回款记录_2026-11-01 起.xlsx",
    /// "回款记录_至 2026-11-30.xlsx", or the date exported on alone.
    pub fn file_name(&self, lang: Lang, named: &[String]) -> String {
        let mut title = self.title(lang);
        if let Some(variant) = self.variant(lang) {
            title = format!("{title}_{variant}");
        }
        for part in named {
            title = format!("{title}_{part}");
        }
        match self {
            Job::Arrears { as_of, .. } | Job::CustomerDistribution { today: as_of, .. } => {
                return format!("{title}_{}.xlsx", as_of.format("%Y-%m-%d"));
            }
            Job::Register { register, today } => {
                return format!("{title}_{}.xlsx", register.dates_named(*today, lang));
            }
            _ => {}
        }
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
    /// The sheet's language (titles, headings, labels; names and places stay as stored).
    pub lang: Lang,
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
    let lang = ctx.lang;
    let l = |m: Msg| m.text(lang).to_owned();
    let named = match job {
        Job::Register { register, .. } => registers::named_filters(conn, register, ctx.reps, lang)?,
        // One customer's file is told apart from another's of the same period.
        // One customer's file, or one handler's, is told apart from another's of the same
        // period: "对账单_北京协和医院_李营销_2026-11-01_2026-11-30.xlsx".
        Job::Statement { query } => {
            let mut named = Vec::new();
            if let Some(id) = query.customer_id {
                let customer = super::finance::customer_in_scope(conn, ctx.reps, id)?;
                named.push(pharmacrm_shared::validation::file_name_part(&customer.name));
            }
            if let Some(id) = query.handler_id {
                let handler = crate::db::models::display_name_of(conn, Some(id))?;
                named.push(pharmacrm_shared::validation::file_name_part(&handler));
            }
            named
        }
        _ => Vec::new(),
    };
    let file_name = job.file_name(lang, &named);
    let title = job.title(lang);
    let mut workbook = rust_xlsxwriter::Workbook::new();
    workbook.set_tempdir(ctx.dir).map_err(write_error)?;
    let file = temp_file(ctx.dir);
    // The title (the sheet's first row) names the report; the lines say of what.
    let mut lines = Vec::new();
    if let Some(p) = job.period() {
        let (from, to) = (p.from.format("%Y-%m-%d"), p.to.format("%Y-%m-%d"));
        lines.push((
            l(msg!("report.sheet.period")),
            l(msg!("report.sheet.period_value", from = from, to = to)),
        ));
    }
    lines.extend(ctx.lines.iter().cloned());
    // Every sheet but the customers' distribution and the shipments (counts and units
    // only) holds amounts.
    if !matches!(
        job,
        Job::CustomerDistribution { .. }
            | Job::Register {
                register: Register::Shipments(_),
                ..
            }
    ) {
        lines.push((
            l(msg!("report.sheet.unit")),
            l(msg!("report.sheet.unit_value")),
        ));
    }
    let worksheet = workbook
        .add_worksheet_with_constant_memory()
        .map_err(write_error)?;
    let mut sheet = Sheet {
        worksheet: Some(worksheet),
        title: &title,
        lines: &lines,
        totals_label: l(msg!("report.sheet.totals")),
        writer: None,
        total: 0,
        sent: 0,
        file_name: &file_name,
        send,
        cancelled: false,
    };
    // A column headed by message `m`, of `kind`; `wide` as many characters wide.
    let col = |m: Msg, kind: Kind| Column::new(l(m), kind);
    let wide = |m: Msg, kind: Kind, width: f64| Column::wide(l(m), kind, width);
    let sales_columns = || {
        [
            col(msg!("report.sheet.amount"), Kind::Money),
            col(msg!("report.sheet.orders"), Kind::Integer),
            col(msg!("report.sheet.customers"), Kind::Integer),
        ]
    };
    let rows = match job {
        Job::DrugSales {
            period,
            filter,
            sort,
        } => {
            let (q, t) = r::drug_sales(conn, ctx.reps, *period, filter, sort)?;
            let paths = drug_category::paths(conn)?;
            // The drug's category: its path and its origin code.
            let category = |row: &r::DrugSales| {
                paths
                    .get(&row.category_id)
                    .map_or(("", ""), |(path, origin)| (path.as_str(), origin.as_str()))
            };
            let fields = Fields::<r::DrugSales>::default()
                .column(wide(msg!("report.sheet.drug"), Kind::Text, 24.0), |row| {
                    Cell::from(row.drug_name.as_str())
                })
                .column(col(msg!("report.sheet.specification"), Kind::Text), |row| {
                    Cell::from(row.specification.as_str())
                })
                .column(
                    wide(msg!("report.sheet.category"), Kind::Text, 28.0),
                    |row| Cell::from(category(row).0),
                )
                .column(col(msg!("report.sheet.origin"), Kind::Text), |row| {
                    Cell::from(origin_label(category(row).1, lang))
                })
                // Quantities are totalled only when every drug is counted in one unit.
                .totalled(
                    col(msg!("report.sheet.quantity"), Kind::Integer),
                    |row| Cell::Int(row.quantity),
                    t.unit
                        .as_ref()
                        .map_or(Cell::Empty, |_| Cell::Int(t.quantity)),
                )
                .totalled(
                    col(msg!("report.sheet.quantity_unit"), Kind::Text),
                    |row| Cell::from(row.unit.as_str()),
                    t.unit.as_deref().map_or(Cell::Empty, Cell::from),
                )
                .sales(
                    sales_columns(),
                    |row| (row.amount, row.orders, row.customers),
                    (t.amount, t.orders, t.customers),
                );
            sheet.write(conn, t.rows, &q, fields)?
        }
        Job::DrugSalesSeries {
            period,
            filter,
            interval,
        } => {
            let (q, t) = r::drug_sales_series(conn, ctx.reps, *period, filter, *interval)?;
            let fields = Fields::<r::SeriesPoint>::default()
                .column(col(msg!("report.sheet.period_start"), Kind::Date), |p| {
                    Cell::Date(p.period_start)
                });
            // Quantities only when every drug is counted in one unit, named in the
            // heading (数量（盒）): 10 盒 and 5 瓶 add up to nothing one can name.
            let fields = match &t.unit {
                Some(unit) => fields.totalled(
                    col(msg!("report.sheet.quantity_in", unit = unit), Kind::Integer),
                    |p| Cell::Int(p.quantity),
                    Cell::Int(t.quantity),
                ),
                None => fields,
            };
            let fields = fields.totalled(
                col(msg!("report.sheet.amount"), Kind::Money),
                |p| Cell::Decimal(p.amount),
                Cell::Decimal(t.amount),
            );
            let count = r::count(conn, &q)?;
            sheet.write(conn, count, &q, fields)?
        }
        Job::CustomerDistribution { filter, sort, .. } => {
            let (q, total) = r::customer_distribution(conn, ctx.reps, filter, sort)?;
            let fields = Fields::<r::RegionCount>::default()
                .column(col(msg!("report.sheet.region_code"), Kind::Text), |row| {
                    Cell::from(row.region_code.as_str())
                })
                .column(wide(msg!("report.sheet.region"), Kind::Text, 20.0), |row| {
                    Cell::from(region_label(&row.region_code))
                })
                .totalled(
                    col(msg!("report.sheet.customer_count"), Kind::Integer),
                    |row| Cell::Int(row.customers),
                    Cell::Int(total),
                );
            let count = r::count(conn, &q)?;
            sheet.write(conn, count, &q, fields)?
        }
        Job::EmployeePerformance { period, role, sort } => {
            let (q, t) = r::employee_performance(conn, ctx.reps, *period, *role, sort)?;
            let fields = Fields::<r::RepPerformance>::default()
                .column(col(msg!("report.sheet.rank"), Kind::Integer), |row| {
                    Cell::Int(row.rank)
                })
                .column(col(msg!("report.sheet.name"), Kind::Text), move |row| {
                    // A rep who left says so: the name alone read as someone at work.
                    if row.inactive {
                        Cell::from(
                            msg!("report.sheet.person_disabled", name = row.name.as_str())
                                .text(lang),
                        )
                    } else {
                        Cell::from(row.name.as_str())
                    }
                })
                .column(
                    wide(msg!("report.sheet.department"), Kind::Text, 18.0),
                    |row| Cell::from(row.department.as_str()),
                )
                .sales(
                    sales_columns(),
                    |row| (row.amount, row.orders, row.customers),
                    (t.amount, t.orders, t.customers),
                )
                .totalled(
                    col(msg!("report.sheet.collected"), Kind::Money),
                    |row| Cell::Decimal(row.collected),
                    Cell::Decimal(t.collected),
                );
            sheet.write(conn, t.rows, &q, fields)?
        }
        Job::CustomerConsumption {
            period,
            province_code,
            sort,
        } => {
            let (q, t) = r::customer_consumption(conn, ctx.reps, *period, province_code, sort)?;
            let id_key = ctx.id_key;
            let fields = Fields::<r::CustomerConsumption>::default()
                .column(
                    wide(msg!("report.sheet.customer"), Kind::Text, 28.0),
                    |row| Cell::from(row.customer_name.as_str()),
                )
                .column(wide(msg!("report.sheet.region"), Kind::Text, 16.0), |row| {
                    Cell::from(region_pair(&row.province_code, &row.city_code))
                })
                .column(col(msg!("report.sheet.contact"), Kind::Text), |row| {
                    Cell::from(row.contact_person.as_str())
                })
                .column(col(msg!("report.sheet.phone"), Kind::Text), |row| {
                    Cell::from(row.phone.as_str())
                })
                // In full for a caller holding customer.sensitive.read, else masked.
                .column(
                    wide(msg!("report.sheet.id_number"), Kind::Text, 22.0),
                    move |row| {
                        Cell::from(match (id_key, &row.id_number_enc) {
                            (Some(key), Some(blob)) => key
                                .decrypt(blob)
                                .unwrap_or_else(|_| row.id_number_masked.clone()),
                            _ => row.id_number_masked.clone(),
                        })
                    },
                )
                .column(
                    col(msg!("report.sheet.current_sales_rep"), Kind::Text),
                    |row| Cell::from(row.sales_rep_name.as_str()),
                )
                .totalled(
                    col(msg!("report.sheet.amount"), Kind::Money),
                    |row| Cell::Decimal(row.amount),
                    Cell::Decimal(t.amount),
                )
                .totalled(
                    col(msg!("report.sheet.orders"), Kind::Integer),
                    |row| Cell::Int(row.orders),
                    Cell::Int(t.orders),
                )
                .column(col(msg!("report.sheet.last_order"), Kind::Date), |row| {
                    row.last_order_date.map_or(Cell::Empty, Cell::Date)
                })
                .totalled(
                    col(msg!("report.sheet.outstanding"), Kind::Money),
                    |row| Cell::Decimal(row.outstanding),
                    Cell::Decimal(t.outstanding),
                )
                .totalled(
                    col(msg!("report.sheet.prepaid"), Kind::Money),
                    |row| Cell::Decimal(row.on_account),
                    Cell::Decimal(t.on_account),
                );
            sheet.write(conn, t.rows, &q, fields)?
        }
        Job::RegionalSales {
            period,
            province_code,
            sort,
        } => {
            let (q, t) = r::regional_sales(conn, ctx.reps, *period, province_code, sort)?;
            let fields = Fields::<r::RegionSales>::default()
                .column(col(msg!("report.sheet.region_code"), Kind::Text), |row| {
                    Cell::from(row.region_code.as_str())
                })
                .column(wide(msg!("report.sheet.region"), Kind::Text, 20.0), |row| {
                    Cell::from(region_label(&row.region_code))
                })
                .sales(
                    sales_columns(),
                    |row| (row.amount, row.orders, row.customers),
                    (t.amount, t.orders, t.customers),
                );
            sheet.write(conn, t.rows, &q, fields)?
        }
        Job::Exceptions {
            period,
            grouping,
            sort,
        } => {
            let (q, t) = r::exceptions(conn, ctx.reps, days(ctx.clock, *period), *grouping, sort)?;
            let heading = Column::wide(
                grouping_column(*grouping).text(lang).to_owned(),
                Kind::Text,
                24.0,
            );
            let fields = Fields::<r::ExceptionGroup>::default()
                .column(heading, |g| Cell::from(exception_label(g, lang)))
                .totalled(
                    col(msg!("report.sheet.count"), Kind::Integer),
                    |g| Cell::Int(g.count),
                    Cell::Int(t.count),
                )
                .totalled(
                    col(msg!("report.sheet.value"), Kind::Money),
                    |g| Cell::Decimal(g.value),
                    Cell::Decimal(t.value),
                );
            sheet.write(conn, t.rows, &q, fields)?
        }
        Job::Arrears { filter, as_of } => {
            let (q, count, t) = super::finance::arrears_export(conn, ctx.reps, filter, *as_of)?;
            let money =
                |m: Msg, of: fn(&super::finance::Ageing) -> Decimal| (col(m, Kind::Money), of);
            let mut fields = Fields::<super::finance::ArrearsRow>::default()
                .column(
                    wide(msg!("report.sheet.customer"), Kind::Text, 28.0),
                    |row| Cell::from(row.customer_name.as_str()),
                )
                .column(col(msg!("report.sheet.sales_rep"), Kind::Text), |row| {
                    Cell::from(row.sales_rep_name.as_str())
                });
            let mut amounts = vec![
                money(msg!("report.sheet.ageing.not_due"), |a| a.not_due),
                money(msg!("report.sheet.ageing.up_to_a_month"), |a| {
                    a.days_1_to_30
                }),
                money(msg!("report.sheet.ageing.up_to_two_months"), |a| {
                    a.days_31_to_60
                }),
                money(msg!("report.sheet.ageing.up_to_three_months"), |a| {
                    a.days_61_to_90
                }),
                money(msg!("report.sheet.ageing.over_three_months"), |a| {
                    a.over_90_days
                }),
                money(msg!("report.sheet.arrears_outstanding"), |a| {
                    a.outstanding()
                }),
                money(msg!("report.sheet.overdue"), |a| a.overdue()),
            ];
            // Customers who paid ahead: what each holds.
            if filter.bucket == super::finance::ArrearsBucket::InCredit {
                amounts.push(money(msg!("report.sheet.prepaid"), |a| a.on_account));
            }
            for (column, of) in amounts {
                fields = fields.totalled(
                    column,
                    move |row| Cell::Decimal(of(&row.ageing)),
                    Cell::Decimal(of(&t)),
                );
            }
            let as_of = *as_of;
            let fields = fields
                .column(
                    col(msg!("report.sheet.oldest_overdue"), Kind::Date),
                    |row| row.oldest_overdue.map_or(Cell::Empty, Cell::Date),
                )
                .column(
                    col(msg!("report.sheet.days_overdue"), Kind::Integer),
                    move |row| row.days_overdue(as_of).map_or(Cell::Empty, Cell::Int),
                )
                .column(
                    col(msg!("report.sheet.last_payment_date"), Kind::Date),
                    |row| row.last_payment_date.map_or(Cell::Empty, Cell::Date),
                )
                .column(
                    col(msg!("report.sheet.last_payment_amount"), Kind::Money),
                    |row| row.last_payment_amount.map_or(Cell::Empty, Cell::Decimal),
                )
                // No limit is written as such, not as an empty cell that reads as zero.
                .column(
                    col(msg!("report.sheet.credit_limit"), Kind::Money),
                    move |row| {
                        row.credit_limit.map_or_else(
                            || Cell::from(msg!("report.sheet.no_limit").text(lang)),
                            Cell::Decimal,
                        )
                    },
                );
            sheet.write(conn, count, &q, fields)?
        }
        Job::Register { register, .. } => registers::write(conn, &mut sheet, register, ctx)?,
        // Laid out as a statement, two sheets of its own (the one added above stays empty
        // and unsaved).
        Job::Statement { query } => {
            return statement(conn, query, ctx, &lines, &file_name, file, sheet.send);
        }
    };
    let Some(rows) = rows else {
        return Ok(Outcome::Cancelled);
    };
    workbook.save(&file.0).map_err(write_error)?;
    written(file, rows)
}

/// `file`, saved with `rows`, ready to be handed out.
fn written(file: TempFile, rows: u64) -> AppResult<Outcome> {
    let bytes = std::fs::metadata(&file.0)
        .map_err(|e| AppError::Internal(anyhow::anyhow!("the export's file: {e}")))?
        .len();
    Ok(Outcome::Written { file, rows, bytes })
}

/// Writes the statement `query` asks for (every movement, up to a sheet's rows) to
/// `file` as [`super::finance::statement_workbook`] lays it out under `lines`, sending
/// its progress in rows (each customer's opening, movements and closing).
fn statement(
    conn: &mut PgConnection,
    query: &super::finance::StatementQuery,
    ctx: &Context<'_>,
    lines: &[(String, String)],
    file_name: &str,
    file: TempFile,
    send: &mut Sink<'_>,
) -> AppResult<Outcome> {
    let max = usize::try_from(crate::xlsx::MAX_ROWS).unwrap_or(usize::MAX);
    let s = super::finance::statement(conn, ctx.reps, query, max)?;
    // Each customer's opening, movements and closing (the totals are not counted).
    let total = s
        .customers
        .iter()
        .map(|c| u64::try_from(c.rows.len() + 2).unwrap_or(u64::MAX))
        .fold(0, u64::saturating_add);
    if !send(progress(0, total, file_name)) {
        return Ok(Outcome::Cancelled);
    }
    let mut sent = |rows| send(progress(rows, total, file_name));
    if !super::finance::statement_workbook(&s, lines, ctx.dir, file.path(), &mut sent)? {
        return Ok(Outcome::Cancelled);
    }
    written(file, total)
}

/// A drug category's origin code as the sheets write it: 代理 (agency) or 自产 (own).
fn origin_label(code: &str, lang: Lang) -> String {
    let label = if code == "agency" {
        msg!("report.sheet.origin.agency")
    } else {
        msg!("report.sheet.origin.own")
    };
    label.text(lang).to_owned()
}

/// What the exceptions report groups by, as its column heading: 异常类型, 处理决定, ….
fn grouping_column(grouping: r::ExceptionGrouping) -> Msg {
    match grouping {
        r::ExceptionGrouping::Kind => msg!("report.sheet.kind"),
        r::ExceptionGrouping::Decision => msg!("report.sheet.decision"),
        r::ExceptionGrouping::Customer => msg!("report.sheet.customer"),
        r::ExceptionGrouping::CsRep => msg!("report.sheet.cs_rep"),
        r::ExceptionGrouping::SalesRep => msg!("report.sheet.sales_rep"),
        r::ExceptionGrouping::Drug => msg!("report.sheet.drug"),
    }
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

/// The title block's lines describing `job`'s filters and order in `lang` ("药品：…",
/// "分类：…", "排序：销售额 降序"); the arrears also say what the customers of its filter
/// within `reps` hold on account (预收), which its rows leave out. A register's customer
/// or order outside `reps` is NOT_FOUND here, before anything is written.
pub fn filter_lines(
    conn: &mut PgConnection,
    job: &Job,
    reps: &Reps,
    lang: Lang,
) -> AppResult<Vec<(String, String)>> {
    use diesel::prelude::*;

    use crate::db::schema::customer_types;
    let l = |m: Msg| m.text(lang).to_owned();
    let mut lines = Vec::new();
    let drug_lines =
        |conn: &mut PgConnection, f: &r::DrugFilter| -> AppResult<Vec<(String, String)>> {
            let mut out = Vec::new();
            if let Some(id) = f.drug_id {
                out.push((
                    l(msg!("report.sheet.drug")),
                    crate::db::models::drug::label_of(conn, id)?,
                ));
            }
            if let Some(id) = f.category_id {
                let paths = drug_category::paths(conn)?;
                out.push((
                    l(msg!("report.sheet.category")),
                    paths.get(&id).map(|(p, _)| p.clone()).unwrap_or_default(),
                ));
            }
            if let Some(origin) = f.origin {
                out.push((l(msg!("report.sheet.origin")), origin_label(origin, lang)));
            }
            Ok(out)
        };
    // "销售额 降序": a column and its direction.
    let sorted_by = |column: Msg, ascending: bool| {
        l(if ascending {
            msg!("report.sheet.sort.ascending", column = column)
        } else {
            msg!("report.sheet.sort.descending", column = column)
        })
    };
    // Sorted by name: by the column that holds the names (药品, 客户, 姓名, the group's).
    let sort_line = |sort: &Sort, names: Msg| {
        let (by, ascending) = sort.chosen()?;
        let column = match by {
            "name" | "label" => names,
            other => sort_label(other),
        };
        Some(sorted_by(column, ascending))
    };
    // What 销售额 counts, as the screen says under these reports: a sheet read away from
    // it is read by the same definition.
    if matches!(
        job,
        Job::DrugSales { .. }
            | Job::DrugSalesSeries { .. }
            | Job::EmployeePerformance { .. }
            | Job::CustomerConsumption { .. }
            | Job::RegionalSales { .. }
    ) {
        lines.push((
            l(msg!("report.sheet.amount")),
            l(msg!("report.sheet.sales_defined")),
        ));
    }
    let sort = match job {
        Job::DrugSales { filter, sort, .. } => {
            lines.extend(drug_lines(conn, filter)?);
            sort_line(sort, msg!("report.sheet.drug"))
        }
        Job::DrugSalesSeries {
            filter, interval, ..
        } => {
            lines.extend(drug_lines(conn, filter)?);
            let step = match interval {
                r::Interval::Day => msg!("report.sheet.interval.day"),
                r::Interval::Week => msg!("report.sheet.interval.week"),
                r::Interval::Month => msg!("report.sheet.interval.month"),
            };
            lines.push((l(msg!("report.sheet.interval")), l(step)));
            None
        }
        Job::CustomerDistribution { filter, sort, .. } => {
            if !filter.province_code.is_empty() {
                lines.push((
                    l(msg!("report.sheet.province")),
                    region_label(&filter.province_code),
                ));
            }
            if let Some(kind) = filter.business_kind {
                let label = match kind {
                    "hospital" => msg!("report.sheet.business_kind.hospital"),
                    "clinic" => msg!("report.sheet.business_kind.clinic"),
                    "pharmacy" => msg!("report.sheet.business_kind.pharmacy"),
                    "distributor" => msg!("report.sheet.business_kind.distributor"),
                    _ => msg!("report.sheet.business_kind.other"),
                };
                lines.push((l(msg!("report.sheet.business_kind")), l(label)));
            }
            if let Some(t) = filter.type_id {
                let name: Option<String> = customer_types::table
                    .find(t)
                    .select(customer_types::name)
                    .first(conn)
                    .optional()?;
                lines.push((
                    l(msg!("report.sheet.customer_type")),
                    name.unwrap_or_default(),
                ));
            }
            let counted = if filter.include_archived {
                msg!("report.sheet.customer_set.with_archived")
            } else {
                msg!("report.sheet.customer_set.active")
            };
            lines.push((l(msg!("report.sheet.customer_set")), l(counted)));
            // Its customers are those on record, not buyers: its own column name.
            match sort.chosen() {
                Some(("customers", ascending)) => {
                    Some(sorted_by(msg!("report.sheet.customer_count"), ascending))
                }
                _ => sort_line(sort, msg!("report.sheet.region")),
            }
        }
        Job::EmployeePerformance { role, sort, .. } => {
            let people = match role {
                r::RepRole::Sales => msg!("report.sheet.sales_reps"),
                r::RepRole::Service => msg!("report.sheet.cs_reps"),
            };
            lines.push((l(msg!("report.sheet.people")), l(people)));
            sort_line(sort, msg!("report.sheet.name"))
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
                lines.push((
                    l(msg!("report.sheet.province")),
                    region_label(province_code),
                ));
            }
            let names = match job {
                Job::CustomerConsumption { .. } => msg!("report.sheet.customer"),
                _ => msg!("report.sheet.region"),
            };
            sort_line(sort, names)
        }
        Job::Exceptions { grouping, sort, .. } => {
            lines.push((
                l(msg!("report.sheet.group")),
                grouping_column(*grouping).text(lang).to_owned(),
            ));
            sort_line(sort, grouping_column(*grouping))
        }
        Job::Arrears { filter, as_of } => {
            use super::finance::ArrearsBucket as B;
            lines.push((
                l(msg!("report.sheet.as_of")),
                as_of.format("%Y-%m-%d").to_string(),
            ));
            if let Some(rep) = filter.sales_rep_id {
                lines.push((
                    l(msg!("report.sheet.sales_rep")),
                    crate::db::models::display_name_of(conn, Some(rep))?,
                ));
            }
            if let Some(dept) = filter.department_id {
                use crate::db::schema::departments;
                let name: Option<String> = departments::table
                    .find(dept)
                    .select(departments::name)
                    .first(conn)
                    .optional()?;
                lines.push((l(msg!("report.sheet.department")), name.unwrap_or_default()));
            }
            let bucket = match filter.bucket {
                B::Any => None,
                B::Overdue => Some(msg!("report.sheet.bucket.overdue")),
                B::Over30 => Some(msg!("report.sheet.bucket.over_a_month")),
                B::Over60 => Some(msg!("report.sheet.bucket.over_two_months")),
                B::Over90 => Some(msg!("report.sheet.bucket.over_three_months")),
                B::InCredit => Some(msg!("report.sheet.bucket.in_credit")),
            };
            if let Some(bucket) = bucket {
                lines.push((l(msg!("report.sheet.bucket")), l(bucket)));
            }
            if !filter.query.is_empty() {
                lines.push((l(msg!("report.sheet.query")), filter.query.clone()));
            }
            let (customers, amount) = super::finance::arrears_credit(conn, reps, filter, *as_of)?;
            if customers > 0 {
                lines.push((
                    l(msg!("report.sheet.on_account")),
                    l(msg!(
                        "report.sheet.on_account.held",
                        count = crate::messages::Counted(customers, "customer", "customers"),
                        amount = crate::messages::Money(amount)
                    )),
                ));
            }
            use super::finance::ArrearsSort as S;
            let column = match filter.sort {
                S::OldestDue if !filter.descending => None,
                S::OldestDue => Some(msg!("report.sheet.oldest_overdue")),
                S::Customer => Some(msg!("report.sheet.customer")),
                S::Outstanding => Some(msg!("report.sheet.arrears_outstanding")),
                S::OnAccount => Some(msg!("report.sheet.prepaid")),
                S::Overdue => Some(msg!("report.sheet.overdue")),
            };
            column.map(|column| sorted_by(column, !filter.descending))
        }
        Job::Register { register, today } => {
            lines.extend(registers::filter_lines(conn, register, *today, reps, lang)?);
            None
        }
        Job::Statement { query } => {
            let customer = match query.customer_id {
                Some(id) => super::finance::customer_in_scope(conn, reps, id)?.name,
                None => l(msg!("report.sheet.all_in_scope")),
            };
            // One customer's statement goes to the customer: it names who bills it (our
            // invoicing entities it ordered from), and no handler filter it does not have.
            if let Some(id) = query.customer_id.filter(|_| query.goes_to_customer()) {
                let ours = super::finance::entities_of_customer(conn, id)?;
                if !ours.is_empty() {
                    lines.push((l(msg!("report.sheet.our_entities")), ours.join("、")));
                }
            }
            lines.push((l(msg!("report.sheet.customer")), customer));
            super::finance::user_named(conn, "handler_id", query.handler_id)?;
            let handler = match query.handler_id {
                None if query.goes_to_customer() => None,
                None => Some(l(msg!("report.sheet.everyone"))),
                Some(id) => {
                    let (names, departed) =
                        crate::db::models::display_names_and_departed(conn, &[id])?;
                    let name = names.get(&id).map_or("", String::as_str);
                    Some(crate::messages::person_named(
                        name,
                        departed.contains(&id),
                        lang,
                    ))
                }
            };
            if let Some(handler) = handler {
                lines.push((l(msg!("report.sheet.handler")), handler));
            }
            None
        }
    };
    if let Some(sort) = sort {
        lines.push((l(msg!("report.sheet.sort")), sort));
    }
    Ok(lines)
}

/// A sort key's column name (an unknown key as it is: the report refused it already).
fn sort_label(key: &str) -> Msg {
    match key {
        "amount" => msg!("report.sheet.amount"),
        "quantity" => msg!("report.sheet.quantity"),
        "orders" => msg!("report.sheet.orders"),
        "customers" => msg!("report.sheet.customers"),
        "region" => msg!("report.sheet.region"),
        "collected" => msg!("report.sheet.collected"),
        "last_order" => msg!("report.sheet.last_order"),
        "outstanding" => msg!("report.sheet.outstanding"),
        "value" => msg!("report.sheet.value"),
        "count" => msg!("report.sheet.count"),
        other => crate::messages::per_lang(other, other),
    }
}

/// An exception group's label: kinds and decisions by name in `lang`, customers, reps and
/// drugs as stored.
fn exception_label(g: &r::ExceptionGroup, lang: Lang) -> String {
    if g.inactive {
        return msg!("report.sheet.person_disabled", name = g.label.as_str())
            .text(lang)
            .to_owned();
    }
    if !g.label.is_empty() {
        return g.label.clone();
    }
    r::exception_code_name(&g.key)
        .map(|name| name.text(lang).to_owned())
        .unwrap_or_default()
}

/// A column of a report's sheet with what fills it: its heading, the cell of each row,
/// and its cell in the totals row (empty unless the report totals it; the first column's
/// holds "合计"). Keeping the three together keeps a sheet's columns aligned.
struct Field<'a, R> {
    column: Column,
    cell: Box<dyn Fn(&R) -> Cell + 'a>,
    total: Cell,
    /// The total is the sum of the amounts written ([`Fields::summed`]).
    summed: bool,
}

/// The columns of a report's sheet over rows `R`, left to right.
struct Fields<'a, R>(Vec<Field<'a, R>>);

impl<R> Default for Fields<'_, R> {
    fn default() -> Self {
        Fields(Vec::new())
    }
}

impl<'a, R> Fields<'a, R> {
    /// A column whose totals cell is empty.
    fn column(self, column: Column, cell: impl Fn(&R) -> Cell + 'a) -> Self {
        self.totalled(column, cell, Cell::Empty)
    }

    /// The columns `headers` (销售额, 发货订单数, 客户数) of each row's `sales` (amount in CNY,
    /// orders, customers), totalled as `totals`.
    fn sales(
        self,
        headers: [Column; 3],
        sales: fn(&R) -> (Decimal, i64, i64),
        totals: (Decimal, i64, i64),
    ) -> Self
    where
        R: 'a,
    {
        let [amount, orders, customers] = headers;
        self.totalled(
            amount,
            move |r| Cell::Decimal(sales(r).0),
            Cell::Decimal(totals.0),
        )
        .totalled(orders, move |r| Cell::Int(sales(r).1), Cell::Int(totals.1))
        .totalled(
            customers,
            move |r| Cell::Int(sales(r).2),
            Cell::Int(totals.2),
        )
    }

    /// A column totalled as `total` (the report's total, not a sum of the rows written).
    fn totalled(mut self, column: Column, cell: impl Fn(&R) -> Cell + 'a, total: Cell) -> Self {
        self.0.push(Field {
            column,
            cell: Box::new(cell),
            total,
            summed: false,
        });
        self
    }

    /// A column of amounts totalled as the sum of those written: for a register, whose
    /// sheet holds every match, that is the sum over the matches (a figure its list does
    /// not total: a payment's 未分配).
    fn summed(mut self, column: Column, cell: impl Fn(&R) -> Cell + 'a) -> Self {
        self.0.push(Field {
            column,
            cell: Box::new(cell),
            total: Cell::Empty,
            summed: true,
        });
        self
    }
}

/// The sheet being written and the caller being told.
struct Sheet<'w, 's, 'f> {
    /// The worksheet, until the header is written.
    worksheet: Option<&'w mut rust_xlsxwriter::Worksheet>,
    /// The title block: the report's title and its lines (filters, scope, who, when).
    title: &'f str,
    lines: &'f [(String, String)],
    /// The first cell of the totals row: 合计 / "Totals".
    totals_label: String,
    writer: Option<SheetWriter<'w>>,
    total: u64,
    sent: u64,
    file_name: &'f str,
    send: &'s mut dyn FnMut(pb::ExportChunk) -> bool,
    cancelled: bool,
}

impl<'w> Sheet<'w, '_, '_> {
    /// Writes the report `q` (`count` rows) under `fields`' headings, then its totals row:
    /// the rows written, or `None` when the caller has gone. A report longer than a sheet
    /// is refused (FAILED_PRECONDITION) before any row is written.
    fn write<R>(
        &mut self,
        conn: &mut PgConnection,
        count: i64,
        q: &Query,
        fields: Fields<'_, R>,
    ) -> AppResult<Option<u64>>
    where
        R: diesel::QueryableByName<diesel::pg::Pg> + 'static,
    {
        self.write_batches(conn, count, fields, |conn, each| {
            r::each_batch(conn, q, BATCH, each)
        })
    }

    /// [`Sheet::write`] of the `count` rows `batches` reads: `batches(conn, each)` hands
    /// `each` the rows a batch at a time, in order, and stops when it returns `false`.
    fn write_batches<R>(
        &mut self,
        conn: &mut PgConnection,
        count: i64,
        fields: Fields<'_, R>,
        batches: impl FnOnce(
            &mut PgConnection,
            &mut dyn FnMut(Vec<R>) -> AppResult<bool>,
        ) -> AppResult<()>,
    ) -> AppResult<Option<u64>> {
        let mut columns = Vec::with_capacity(fields.0.len());
        let mut cells = Vec::with_capacity(fields.0.len());
        let mut totals = Vec::with_capacity(fields.0.len());
        let mut summed = Vec::new();
        for (i, field) in fields.0.into_iter().enumerate() {
            columns.push(field.column);
            cells.push(field.cell);
            totals.push(field.total);
            if field.summed {
                summed.push((i, Decimal::ZERO));
            }
        }
        self.start(count, columns)?;
        self.rows(conn, batches, |row: &R| {
            let written: Vec<Cell> = cells.iter().map(|cell| cell(row)).collect();
            for (i, sum) in &mut summed {
                if let Some(Cell::Decimal(d)) = written.get(*i) {
                    *sum += *d;
                }
            }
            written
        })?;
        for (i, sum) in summed {
            totals[i] = Cell::Decimal(sum);
        }
        if let Some(first) = totals.first_mut() {
            *first = Cell::Text(self.totals_label.clone());
        }
        self.totals(&totals)
    }

    /// Tells the caller how many rows (`total`) are coming, and writes the title and
    /// header; a report longer than a sheet is refused first.
    fn start(&mut self, total: i64, columns: Vec<Column>) -> AppResult<()> {
        self.total = u64::try_from(total).unwrap_or(0);
        // Title block, blank line, header and totals row take up to a dozen rows.
        if self.total + u64::try_from(self.lines.len()).unwrap_or(0) + 4 > crate::xlsx::MAX_ROWS {
            return Err(AppError::precondition(crate::msg!(
                "report.too_many_rows",
                rows = self.total
            )));
        }
        let Some(worksheet) = self.worksheet.take() else {
            return Ok(());
        };
        self.cancelled = !(self.send)(progress(0, self.total, self.file_name));
        self.writer = Some(SheetWriter::start(
            worksheet,
            self.title,
            Some((self.title, self.lines)),
            columns,
        )?);
        Ok(())
    }

    /// Writes every row `batches` reads, reporting progress after each batch.
    fn rows<R>(
        &mut self,
        conn: &mut PgConnection,
        batches: impl FnOnce(
            &mut PgConnection,
            &mut dyn FnMut(Vec<R>) -> AppResult<bool>,
        ) -> AppResult<()>,
        mut cells: impl FnMut(&R) -> Vec<Cell>,
    ) -> AppResult<()> {
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
        batches(conn, &mut |rows: Vec<R>| {
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
        // A row saying 合计 over empty cells (a recall of a batch number on several drugs,
        // whose units are not added: the title block says each drug's) is left out.
        if cells.iter().skip(1).any(|c| *c != Cell::Empty) {
            writer.totals(cells)?;
        }
        writer.finish()?;
        Ok(Some(self.sent))
    }
}
