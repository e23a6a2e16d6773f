//! ReportService: requests into checked report jobs, report rows into messages.

use chrono::{DateTime, Utc};
use pharmacrm_shared::{DataScope, pb, region};

use super::{DbCode, date};
use crate::clock::Clock;
use crate::error::{AppError, AppResult, FieldCheck};
use crate::messages::Lang;
use crate::msg;
use crate::ops::report_export::Job;
use crate::ops::reports::{
    CustomerFilter, DrugFilter, ExceptionGrouping, Interval, Period, RepRole, Sort,
};

/// The longest period a report covers, in days (10 years).
const MAX_PERIOD_DAYS: i64 = 3_660;

/// A required period, both ends business dates: field errors on `date_from` / `date_to`
/// when missing, malformed, reversed or longer than 10 years.
fn period(date_from: &str, date_to: &str) -> AppResult<Period> {
    let mut check = FieldCheck::default();
    let from = date("date_from", date_from, &mut check);
    let to = date("date_to", date_to, &mut check);
    check.finish()?;
    let from = from.ok_or_else(|| AppError::field("date_from", msg!("field.required")))?;
    let to = to.ok_or_else(|| AppError::field("date_to", msg!("field.required")))?;
    if from > to {
        return Err(AppError::field("date_to", msg!("finance.period_reversed")));
    }
    if (to - from).num_days() > MAX_PERIOD_DAYS {
        return Err(AppError::field("date_to", msg!("report.period_too_long")));
    }
    Ok(Period { from, to })
}

fn sort(s: Option<&pb::ReportSort>) -> Sort {
    s.map(|s| Sort {
        by: s.by.trim().to_owned(),
        ascending: s.ascending,
    })
    .unwrap_or_default()
}

/// An optional id that must be positive when given.
fn optional_id(field: &'static str, id: Option<i64>) -> AppResult<Option<i64>> {
    match id {
        Some(n) if n <= 0 => Err(AppError::field(field, msg!("field.required"))),
        other => Ok(other),
    }
}

/// A province code that must exist when given.
fn province(code: &str) -> AppResult<String> {
    let code = code.trim();
    if !code.is_empty() && region::province(code).is_none() {
        return Err(AppError::field(
            "province_code",
            msg!("report.unknown_region"),
        ));
    }
    Ok(code.to_owned())
}

fn drug_filter(
    drug_id: Option<i64>,
    category_id: Option<i64>,
    origin: i32,
) -> AppResult<DrugFilter> {
    Ok(DrugFilter {
        drug_id: optional_id("drug_id", drug_id)?,
        category_id: optional_id("category_id", category_id)?,
        origin: pb::DrugOrigin::code_of(origin),
    })
}

/// The drug-sales job of a request.
pub fn drug_sales(r: &pb::DrugSalesRequest) -> AppResult<Job> {
    Ok(Job::DrugSales {
        period: period(&r.date_from, &r.date_to)?,
        filter: drug_filter(r.drug_id, r.category_id, r.origin)?,
        sort: sort(r.sort.as_ref()),
    })
}

/// The drug-sales series job of a request.
pub fn drug_sales_series(r: &pb::DrugSalesSeriesRequest) -> AppResult<Job> {
    let interval = match pb::SeriesInterval::try_from(r.interval) {
        Ok(pb::SeriesInterval::Week) => Interval::Week,
        Ok(pb::SeriesInterval::Month) => Interval::Month,
        Ok(pb::SeriesInterval::Day) => Interval::Day,
        Err(_) => return Err(AppError::field("interval", msg!("report.unknown_value"))),
    };
    Ok(Job::DrugSalesSeries {
        period: period(&r.date_from, &r.date_to)?,
        filter: drug_filter(r.drug_id, r.category_id, r.origin)?,
        interval,
    })
}

/// The customer-distribution job of a request.
pub fn customer_distribution(r: &pb::CustomerDistributionRequest) -> AppResult<Job> {
    Ok(Job::CustomerDistribution {
        filter: CustomerFilter {
            province_code: province(&r.province_code)?,
            business_kind: pb::BusinessKind::code_of(r.business_kind),
            type_id: optional_id("type_id", r.type_id)?,
            include_archived: r.include_archived,
        },
        sort: sort(r.sort.as_ref()),
    })
}

/// The employee-performance job of a request.
pub fn employee_performance(r: &pb::EmployeePerformanceRequest) -> AppResult<Job> {
    let role = match pb::RepRole::try_from(r.role) {
        Ok(pb::RepRole::Sales) => RepRole::Sales,
        Ok(pb::RepRole::CustomerService) => RepRole::Service,
        Err(_) => return Err(AppError::field("role", msg!("report.unknown_value"))),
    };
    Ok(Job::EmployeePerformance {
        period: period(&r.date_from, &r.date_to)?,
        role,
        sort: sort(r.sort.as_ref()),
    })
}

/// The customer-consumption job of a request.
pub fn customer_consumption(r: &pb::CustomerConsumptionRequest) -> AppResult<Job> {
    Ok(Job::CustomerConsumption {
        period: period(&r.date_from, &r.date_to)?,
        province_code: province(&r.province_code)?,
        sort: sort(r.sort.as_ref()),
    })
}

/// The regional-sales job of a request.
pub fn regional_sales(r: &pb::RegionalSalesRequest) -> AppResult<Job> {
    Ok(Job::RegionalSales {
        period: period(&r.date_from, &r.date_to)?,
        province_code: province(&r.province_code)?,
        sort: sort(r.sort.as_ref()),
    })
}

/// The exceptions job of a request.
pub fn exceptions(r: &pb::ExceptionsRequest) -> AppResult<Job> {
    let grouping = match pb::ExceptionGrouping::try_from(r.group_by) {
        Ok(pb::ExceptionGrouping::Kind) => ExceptionGrouping::Kind,
        Ok(pb::ExceptionGrouping::Decision) => ExceptionGrouping::Decision,
        Ok(pb::ExceptionGrouping::Customer) => ExceptionGrouping::Customer,
        Ok(pb::ExceptionGrouping::CsRep) => ExceptionGrouping::CsRep,
        Ok(pb::ExceptionGrouping::Drug) => ExceptionGrouping::Drug,
        Err(_) => return Err(AppError::field("group_by", msg!("report.unknown_value"))),
    };
    Ok(Job::Exceptions {
        period: period(&r.date_from, &r.date_to)?,
        grouping,
        sort: sort(r.sort.as_ref()),
    })
}

/// The job an export asks for.
pub fn export(r: &pb::ExportRequest) -> AppResult<Job> {
    use pb::export_request::Report;
    match &r.report {
        Some(Report::DrugSales(r)) => drug_sales(r),
        Some(Report::DrugSalesSeries(r)) => drug_sales_series(r),
        Some(Report::CustomerDistribution(r)) => customer_distribution(r),
        Some(Report::EmployeePerformance(r)) => employee_performance(r),
        Some(Report::CustomerConsumption(r)) => customer_consumption(r),
        Some(Report::RegionalSales(r)) => regional_sales(r),
        Some(Report::Exceptions(r)) => exceptions(r),
        None => Err(AppError::field("report", msg!("report.choose_report"))),
    }
}

/// The language an export's sheet is written in, from `language_code` (a BCP 47 tag;
/// empty is Chinese). Errors: INVALID_ARGUMENT on `language_code` for any language but
/// Chinese and English.
pub fn sheet_language(r: &pb::ExportRequest) -> AppResult<Lang> {
    Lang::from_tag(&r.language_code)
        .ok_or_else(|| AppError::field("language_code", msg!("report.unknown_language")))
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
