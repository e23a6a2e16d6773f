//! ReportService: requests into checked report jobs, report rows into messages.

use std::collections::HashMap;

use chrono::{DateTime, NaiveDate, Utc};
use pharmacrm_shared::{DataScope, money, pb};

use super::{DbCode, FilterCode, count, known, optional_id};
use crate::clock::Clock;
use crate::error::{AppError, AppResult, FieldCheck};
use crate::messages::Lang;
use crate::msg;
use crate::ops::report_export::{Job, Register};
use crate::ops::reports::{
    self as ops, CustomerFilter, DrugFilter, ExceptionGrouping, Interval, Period, RepRole, Sort,
    SortKeys, region_name, region_pair,
};

/// The longest period a report covers, in calendar months (10 years).
const MAX_PERIOD_MONTHS: u32 = 120;

/// A required period ([`super::period`]), also recorded in `check` as bad on `date_to`
/// when longer than 10 calendar years (2016-10-01 to 2026-09-30 is the longest from
/// 2016-10-01). `None` when anything was recorded.
fn period(date_from: &str, date_to: &str, check: &mut FieldCheck) -> Option<Period> {
    let (from, to) = super::period(date_from, date_to, check)?;
    let ends = from.checked_add_months(chrono::Months::new(MAX_PERIOD_MONTHS));
    if ends.is_none_or(|ends| to >= ends) {
        check.fail("date_to", msg!("report.period_too_long"));
        return None;
    }
    Some(Period { from, to })
}

/// The order a request asks for among its report's `keys`; a key the report does not
/// have is recorded in `check` as bad on `sort.by` (`report.unknown_sort`, listing the
/// keys it has).
fn sort(s: Option<&pb::ReportSort>, keys: &'static SortKeys, check: &mut FieldCheck) -> Sort {
    let (by, ascending) = s.map_or(("", false), |s| (s.by.trim(), s.ascending));
    keys.sort(by, ascending).unwrap_or_else(|| {
        check.fail("sort.by", msg!("report.unknown_sort", keys = keys.names()));
        keys.default_sort()
    })
}

/// A province code (empty: any); one that does not exist is recorded in `check`.
fn province(code: &str, check: &mut FieldCheck) -> String {
    super::region_filter(code, "", check).0
}

/// A drug filter; its bad fields are recorded in `check`.
fn drug_filter(
    drug_id: Option<i64>,
    category_id: Option<i64>,
    origin: i32,
    check: &mut FieldCheck,
) -> DrugFilter {
    DrugFilter {
        drug_id: optional_id("drug_id", drug_id, check),
        category_id: optional_id("category_id", category_id, check),
        origin: pb::DrugOrigin::filter_code("origin", origin, check),
    }
}

// Each request below is checked whole: one refusal names every bad field, in the
// request's order.

/// A drug-sales request checked: its period, drug filter and sort.
pub fn drug_sales(r: &pb::DrugSalesRequest) -> AppResult<(Period, DrugFilter, Sort)> {
    let mut check = FieldCheck::default();
    let period = period(&r.date_from, &r.date_to, &mut check);
    let filter = drug_filter(r.drug_id, r.category_id, r.origin, &mut check);
    let sort = sort(r.sort.as_ref(), &ops::DRUG_SALES_SORT, &mut check);
    check.finish()?;
    Ok((period.expect("checked above"), filter, sort))
}

/// A drug-sales series request checked: its period, drug filter and interval (at most
/// [`ops::MAX_SERIES_POINTS`] steps of the period). The period ends at the business date
/// `today` when it runs past it: days not yet come have sold nothing, and a line drawn
/// flat to the period's end read as sales collapsing.
pub fn drug_sales_series(
    r: &pb::DrugSalesSeriesRequest,
    today: NaiveDate,
) -> AppResult<(Period, DrugFilter, Interval)> {
    let mut check = FieldCheck::default();
    let period = period(&r.date_from, &r.date_to, &mut check);
    let filter = drug_filter(r.drug_id, r.category_id, r.origin, &mut check);
    let interval = match known("interval", r.interval, &mut check) {
        pb::SeriesInterval::Week => Interval::Week,
        pb::SeriesInterval::Month => Interval::Month,
        pb::SeriesInterval::Day => Interval::Day,
    };
    if let Some(period) = period
        && interval.steps(period) > ops::MAX_SERIES_POINTS
    {
        check.fail(
            "interval",
            msg!("report.too_many_points", max = ops::MAX_SERIES_POINTS),
        );
    }
    check.finish()?;
    let period = period.expect("checked above");
    let period = Period {
        to: period.to.min(today.max(period.from)),
        ..period
    };
    Ok((period, filter, interval))
}

/// A customer-distribution request checked: its customer filter and sort.
pub fn customer_distribution(
    r: &pb::CustomerDistributionRequest,
) -> AppResult<(CustomerFilter, Sort)> {
    let mut check = FieldCheck::default();
    let filter = CustomerFilter {
        province_code: province(&r.province_code, &mut check),
        business_kind: pb::BusinessKind::filter_code("business_kind", r.business_kind, &mut check),
        type_id: optional_id("type_id", r.type_id, &mut check),
        include_archived: r.include_archived,
    };
    let sort = sort(
        r.sort.as_ref(),
        &ops::CUSTOMER_DISTRIBUTION_SORT,
        &mut check,
    );
    check.finish()?;
    Ok((filter, sort))
}

/// An employee-performance request checked: its period, role and sort.
pub fn employee_performance(
    r: &pb::EmployeePerformanceRequest,
) -> AppResult<(Period, RepRole, Sort)> {
    let mut check = FieldCheck::default();
    let period = period(&r.date_from, &r.date_to, &mut check);
    let role = match known("role", r.role, &mut check) {
        pb::RepRole::Sales => RepRole::Sales,
        pb::RepRole::CustomerService => RepRole::Service,
    };
    let sort = sort(r.sort.as_ref(), &ops::EMPLOYEE_PERFORMANCE_SORT, &mut check);
    check.finish()?;
    Ok((period.expect("checked above"), role, sort))
}

/// A customer-consumption request checked: its period, province code (empty: all) and
/// sort.
pub fn customer_consumption(
    r: &pb::CustomerConsumptionRequest,
) -> AppResult<(Period, String, Sort)> {
    period_in_province(
        &r.date_from,
        &r.date_to,
        &r.province_code,
        r.sort.as_ref(),
        &ops::CUSTOMER_CONSUMPTION_SORT,
    )
}

/// A regional-sales request checked: its period, province code (empty: by province) and
/// sort.
pub fn regional_sales(r: &pb::RegionalSalesRequest) -> AppResult<(Period, String, Sort)> {
    period_in_province(
        &r.date_from,
        &r.date_to,
        &r.province_code,
        r.sort.as_ref(),
        &ops::REGIONAL_SALES_SORT,
    )
}

fn period_in_province(
    date_from: &str,
    date_to: &str,
    province_code: &str,
    s: Option<&pb::ReportSort>,
    keys: &'static SortKeys,
) -> AppResult<(Period, String, Sort)> {
    let mut check = FieldCheck::default();
    let period = period(date_from, date_to, &mut check);
    let province = province(province_code, &mut check);
    let sort = sort(s, keys, &mut check);
    check.finish()?;
    Ok((period.expect("checked above"), province, sort))
}

/// An exceptions request checked: its period, grouping and sort.
pub fn exceptions(r: &pb::ExceptionsRequest) -> AppResult<(Period, ExceptionGrouping, Sort)> {
    let mut check = FieldCheck::default();
    let period = period(&r.date_from, &r.date_to, &mut check);
    let grouping = match known("group_by", r.group_by, &mut check) {
        pb::ExceptionGrouping::Kind => ExceptionGrouping::Kind,
        pb::ExceptionGrouping::Decision => ExceptionGrouping::Decision,
        pb::ExceptionGrouping::Customer => ExceptionGrouping::Customer,
        pb::ExceptionGrouping::CsRep => ExceptionGrouping::CsRep,
        pb::ExceptionGrouping::SalesRep => ExceptionGrouping::SalesRep,
        pb::ExceptionGrouping::Drug => ExceptionGrouping::Drug,
    };
    let sort = sort(r.sort.as_ref(), &ops::EXCEPTIONS_SORT, &mut check);
    check.finish()?;
    Ok((period.expect("checked above"), grouping, sort))
}

/// The job an export asks for and the language of its sheet (`language_code`, a BCP 47
/// tag; empty is Chinese), checked whole: a bad field of the report is named from the
/// export's top (`drug_sales.date_to`), and any language but Chinese and English is bad
/// on `language_code`. `today` (the business date) is the arrears list's "as of";
/// `caller` is who a shipments export's `mine` means.
pub fn export(r: &pb::ExportRequest, today: NaiveDate, caller: i64) -> AppResult<(Job, Lang)> {
    let mut check = FieldCheck::default();
    let job = check.absorb(export_job(r, today, caller))?;
    let lang = Lang::from_tag(&r.language_code);
    // A statement goes to the customer: in Chinese, as the ledger's documents are.
    let lang = match job {
        Some(Job::Statement { .. }) => lang.map(|_| Lang::Zh),
        _ => lang,
    };
    if lang.is_none() {
        check.fail("language_code", msg!("report.unknown_language"));
    }
    check.finish()?;
    Ok((job.expect("checked above"), lang.expect("checked above")))
}

fn export_job(r: &pb::ExportRequest, today: NaiveDate, caller: i64) -> AppResult<Job> {
    use pb::export_request::Report;
    Ok(match &r.report {
        Some(Report::DrugSales(r)) => {
            let (period, filter, sort) = drug_sales(r).map_err(|e| e.within("drug_sales"))?;
            Job::DrugSales {
                period,
                filter,
                sort,
            }
        }
        Some(Report::DrugSalesSeries(r)) => {
            let (period, filter, interval) =
                drug_sales_series(r, today).map_err(|e| e.within("drug_sales_series"))?;
            Job::DrugSalesSeries {
                period,
                filter,
                interval,
            }
        }
        Some(Report::CustomerDistribution(r)) => {
            let (filter, sort) =
                customer_distribution(r).map_err(|e| e.within("customer_distribution"))?;
            Job::CustomerDistribution {
                filter,
                sort,
                today,
            }
        }
        Some(Report::EmployeePerformance(r)) => {
            let (period, role, sort) =
                employee_performance(r).map_err(|e| e.within("employee_performance"))?;
            Job::EmployeePerformance { period, role, sort }
        }
        Some(Report::CustomerConsumption(r)) => {
            let (period, province_code, sort) =
                customer_consumption(r).map_err(|e| e.within("customer_consumption"))?;
            Job::CustomerConsumption {
                period,
                province_code,
                sort,
            }
        }
        Some(Report::RegionalSales(r)) => {
            let (period, province_code, sort) =
                regional_sales(r).map_err(|e| e.within("regional_sales"))?;
            Job::RegionalSales {
                period,
                province_code,
                sort,
            }
        }
        Some(Report::Exceptions(r)) => {
            let (period, grouping, sort) = exceptions(r).map_err(|e| e.within("exceptions"))?;
            Job::Exceptions {
                period,
                grouping,
                sort,
            }
        }
        Some(Report::Arrears(r)) => Job::Arrears {
            filter: super::finance::arrears_filter(r).map_err(|e| e.within("arrears"))?,
            as_of: today,
        },
        Some(Report::Payments(r)) => Job::Register {
            register: Register::Payments(
                super::finance::payment_filter(r).map_err(|e| e.within("payments"))?,
            ),
            today,
        },
        Some(Report::Invoices(r)) => Job::Register {
            register: Register::Invoices(
                super::finance::invoice_filter(r).map_err(|e| e.within("invoices"))?,
            ),
            today,
        },
        Some(Report::WriteOffs(r)) => Job::Register {
            register: Register::WriteOffs(
                super::finance::write_off_filter(r).map_err(|e| e.within("write_offs"))?,
            ),
            today,
        },
        Some(Report::Shipments(r)) => Job::Register {
            register: Register::Shipments(
                super::orders::list_shipments(r.clone(), caller)
                    .map_err(|e| e.within("shipments"))?
                    .0,
            ),
            today,
        },
        Some(Report::Statement(r)) => Job::Statement {
            query: super::finance::statement_query(r, today).map_err(|e| e.within("statement"))?,
        },
        None => return Err(AppError::field("report", msg!("report.choose_report"))),
    })
}

/// When (in the business time zone, with its offset: the time the sheet's title block
/// shows too) and within what scope a report was run at `at`.
pub fn run(clock: &Clock, at: DateTime<Utc>, scope: Option<DataScope>) -> pb::ReportRun {
    pb::ReportRun {
        run_at: at
            .with_timezone(&clock.zone())
            .to_rfc3339_opts(chrono::SecondsFormat::Secs, false),
        business_date: clock.date_of(at).format("%Y-%m-%d").to_string(),
        scope: scope.map_or(pb::DataScope::Own, pb::DataScope::from) as i32,
    }
}

/// A row count on the wire.
pub fn total(n: i64) -> u64 {
    u64::try_from(n).unwrap_or_default()
}

// ---------------------------------------------------------------------------------------
// Report rows into messages

/// A page of the drug sales report (药品销售情况): `rows` with their category paths
/// (`paths`: category id → (path, origin)), the totals of every match, and `run`.
pub fn drug_sales_report(
    rows: Vec<ops::DrugSales>,
    totals: ops::SalesTotals,
    paths: &HashMap<i64, (String, String)>,
    run: pb::ReportRun,
) -> pb::DrugSalesReport {
    pb::DrugSalesReport {
        rows: rows
            .into_iter()
            .map(|r| {
                let (category, origin) = paths.get(&r.category_id).cloned().unwrap_or_default();
                pb::DrugSalesRow {
                    drug_id: r.drug_id,
                    drug_name: r.drug_name,
                    specification: r.specification,
                    quantity: r.quantity,
                    unit: r.unit,
                    amount: money::to_wire(&r.amount),
                    orders: count(r.orders),
                    customers: count(r.customers),
                    category,
                    origin: pb::DrugOrigin::wire(&origin),
                }
            })
            .collect(),
        total: total(totals.rows),
        quantity: totals.quantity,
        amount: money::to_wire(&totals.amount),
        orders: count(totals.orders),
        customers: count(totals.customers),
        run: Some(run),
        quantity_unit: totals.unit.unwrap_or_default(),
    }
}

/// The drug sales series (销售走势): one point per interval, the period's totals, `run`.
pub fn drug_sales_series_report(
    points: Vec<ops::SeriesPoint>,
    totals: ops::SalesTotals,
    run: pb::ReportRun,
) -> pb::DrugSalesSeriesReport {
    pb::DrugSalesSeriesReport {
        points: points
            .into_iter()
            .map(|p| pb::SeriesPoint {
                period_start: p.period_start.format("%Y-%m-%d").to_string(),
                quantity: p.quantity,
                amount: money::to_wire(&p.amount),
            })
            .collect(),
        quantity: totals.quantity,
        amount: money::to_wire(&totals.amount),
        run: Some(run),
        quantity_unit: totals.unit.unwrap_or_default(),
    }
}

/// The customer distribution (客户分布): customers per region, all of them, `run`.
pub fn customer_distribution_report(
    rows: Vec<ops::RegionCount>,
    customers: i64,
    run: pb::ReportRun,
) -> pb::CustomerDistributionReport {
    pb::CustomerDistributionReport {
        rows: rows
            .into_iter()
            .map(|r| pb::CustomerDistributionRow {
                region_name: region_name(&r.region_code),
                region_code: r.region_code,
                customers: total(r.customers),
            })
            .collect(),
        customers: total(customers),
        run: Some(run),
    }
}

/// A page of employee performance (员工业绩), the totals of every match, `run`.
pub fn employee_performance_report(
    rows: Vec<ops::RepPerformance>,
    totals: ops::PerformanceTotals,
    run: pb::ReportRun,
) -> pb::EmployeePerformanceReport {
    pb::EmployeePerformanceReport {
        rows: rows
            .into_iter()
            .map(|r| pb::EmployeePerformanceRow {
                user_id: r.user_id,
                name: r.name,
                department: r.department,
                rank: count(r.rank),
                amount: money::to_wire(&r.amount),
                orders: count(r.orders),
                customers: count(r.customers),
                collected: money::to_wire(&r.collected),
                inactive: r.inactive,
            })
            .collect(),
        total: total(totals.rows),
        amount: money::to_wire(&totals.amount),
        orders: count(totals.orders),
        customers: count(totals.customers),
        collected: money::to_wire(&totals.collected),
        run: Some(run),
    }
}

/// A page of customer consumption (客户消费情况), the totals of every match, `run`.
pub fn customer_consumption_report(
    rows: Vec<ops::CustomerConsumption>,
    totals: ops::ConsumptionTotals,
    run: pb::ReportRun,
) -> pb::CustomerConsumptionReport {
    pb::CustomerConsumptionReport {
        rows: rows
            .into_iter()
            .map(|r| pb::CustomerConsumptionRow {
                customer_id: r.customer_id,
                region: region_pair(&r.province_code, &r.city_code),
                customer_name: r.customer_name,
                sales_rep_name: r.sales_rep_name,
                amount: money::to_wire(&r.amount),
                orders: count(r.orders),
                last_order_date: crate::convert::date_text(r.last_order_date),
                outstanding: money::to_wire(&r.outstanding),
                on_account: money::to_wire(&r.on_account),
            })
            .collect(),
        total: total(totals.rows),
        amount: money::to_wire(&totals.amount),
        orders: count(totals.orders),
        outstanding: money::to_wire(&totals.outstanding),
        on_account: money::to_wire(&totals.on_account),
        run: Some(run),
    }
}

/// Regional sales (地区销售情况) per region, the totals, `run`.
pub fn regional_sales_report(
    rows: Vec<ops::RegionSales>,
    totals: ops::SalesTotals,
    run: pb::ReportRun,
) -> pb::RegionalSalesReport {
    pb::RegionalSalesReport {
        rows: rows
            .into_iter()
            .map(|r| pb::RegionalSalesRow {
                region_name: region_name(&r.region_code),
                region_code: r.region_code,
                amount: money::to_wire(&r.amount),
                orders: count(r.orders),
                customers: count(r.customers),
            })
            .collect(),
        amount: money::to_wire(&totals.amount),
        orders: count(totals.orders),
        customers: count(totals.customers),
        run: Some(run),
    }
}

/// A page of the transport exceptions report (运输异常统计), the totals, `run`.
pub fn exceptions_report(
    rows: Vec<ops::ExceptionGroup>,
    totals: ops::ExceptionTotals,
    run: pb::ReportRun,
) -> pb::ExceptionsReport {
    pb::ExceptionsReport {
        rows: rows
            .into_iter()
            .map(|g| pb::ExceptionsRow {
                key: g.key,
                label: g.label,
                count: count(g.count),
                value: money::to_wire(&g.value),
                inactive: g.inactive,
            })
            .collect(),
        total: total(totals.rows),
        count: count(totals.count),
        value: money::to_wire(&totals.value),
        run: Some(run),
    }
}
