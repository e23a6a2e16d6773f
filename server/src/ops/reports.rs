//! Reports (spec "Statistics" 1–6): figures over what was sold, within the caller's data
//! scope. One definition of a sale serves every report ([`sales_sql`]): goods shipped
//! (replacement shipments excluded) at their stored, rounded line amounts, less the
//! values of transport exceptions decided "deduct", each dated by its receivables-ledger
//! date (the ship date; the date of the decision) in the business time zone. So a
//! report's total for a period equals the ledger's shipments less deductions in it, and
//! the drug-sales, customer-consumption, regional-sales and performance totals agree.
//!
//! The scope is the reps credited with each sale and payment when it happened
//! ([`scope::credited_sql`]), in every report alike, so the equalities hold for any scope
//! and a closed month never changes when a customer moves to another team. The customer
//! distribution, a snapshot, counts the customers the caller sees today. The performance
//! ranking also ranks, at zero, each rep at work in the role within the scope who holds
//! customers in it and has no figures in the period.
//!
//! Each report is a [`Query`]: its rows as SQL (one row per drug, customer, region, rep
//! or group) and their order. The same query serves a page on screen ([`page`]) and every
//! row of an export ([`each_batch`], through a cursor, in constant memory). Totals are
//! computed over the whole report, not the page.

use chrono::{DateTime, Datelike, NaiveDate, Utc};
use diesel::PgConnection;
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Date, Nullable, Numeric, Text};
use pharmacrm_shared::money::Decimal;

use crate::db::models::{customer, drug, drug_category};
use crate::db::scope::{self, Reps};
use crate::db::sql::{Count, Sql, Value};
use crate::error::{AppResult, Msg};
use crate::messages::per_lang;
pub use crate::ops::customers::RepRole;

/// The sales of the period `from`–`to` within the scope (the reps credited with them, as
/// [`scope::credited_sql`]), as SQL text: one row per sold or
/// deducted line of `sales_lines` (the table the ledger's trigger writes, see its
/// migration; free goods' rows, amount 0, have no ledger entry), columns `drug_id`, `order_id`, `customer_id`, `sales_rep_id` and
/// `cs_rep_id` (the reps credited: responsible for the customer when the shipment was
/// posted, also for a deduction on it), `sale_date` (business date), `quantity` (units,
/// negative for a deduction) and `amount` (CNY, negative for a deduction). Every report
/// selects from it; orders and customers are counted over the rows with `quantity > 0` (a
/// deduction alone is not a purchase).
pub fn sales_sql(reps: &Reps, from: NaiveDate, to: NaiveDate) -> Sql {
    let mut sql = Sql::new(
        "SELECT sl.drug_id, sl.order_id, sl.customer_id, sl.sales_rep_id, sl.cs_rep_id,
                sl.sale_date, sl.quantity, sl.amount
           FROM sales_lines sl
          WHERE sl.sale_date BETWEEN ",
    );
    sql.bind(Value::Date(from))
        .push(" AND ")
        .bind(Value::Date(to));
    if !matches!(reps, Reps::All) {
        sql.push(" AND ").append(&scope::credited_sql(
            reps,
            "sl.sales_rep_id",
            "sl.cs_rep_id",
        ));
    }
    sql
}

/// A report period: business dates, both ends included.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Period {
    pub from: NaiveDate,
    pub to: NaiveDate,
}

/// The orders a report's rows can be put in: each key the API takes (`sort.by`) with its
/// SQL expression, the first being the default (descending), and the column that breaks
/// ties so pages are stable. Names are keyed as every list keys them:
/// `pinyin_key(name) COLLATE "zh-x-icu"`, pinyin order with place names read as places
/// (长沙 cháng; migrations `2026-12-17-000001_pinyin_key` and
/// `2026-12-18-000001_pinyin_key_zhangzi`), people's by `person_key` (surnames as read:
/// 曾 zēng).
#[derive(Debug, PartialEq, Eq)]
pub struct SortKeys {
    keys: &'static [(&'static str, &'static str)],
    tie: &'static str,
}

impl SortKeys {
    /// The order `by` (a key of these; empty: the default key) asks for; `None` for a key
    /// the report does not have.
    pub fn sort(&'static self, by: &str, ascending: bool) -> Option<Sort> {
        if by.is_empty() && !ascending {
            return Some(Sort {
                keys: self,
                by: None,
                ascending: false,
            });
        }
        let index = match by {
            "" => 0,
            by => self.keys.iter().position(|(k, _)| *k == by)?,
        };
        Some(Sort {
            keys: self,
            by: Some(index),
            ascending,
        })
    }

    /// The default order.
    pub fn default_sort(&'static self) -> Sort {
        self.sort("", false).expect("the default order exists")
    }

    /// The keys, as a refusal lists them: `amount, quantity, name` (`amount、quantity、name`
    /// in Chinese).
    pub fn names(&self) -> Msg {
        let names: Vec<&str> = self.keys.iter().map(|(k, _)| *k).collect();
        per_lang(names.join(", "), names.join("、"))
    }
}

/// A report's order, made by [`SortKeys::sort`] from the report's own keys.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Sort {
    keys: &'static SortKeys,
    /// The chosen key's index; `None`: the default, largest first.
    by: Option<usize>,
    ascending: bool,
}

impl Sort {
    /// The key asked for and whether ascending; `None` for the default order (which an
    /// export's title block leaves unsaid).
    pub fn chosen(&self) -> Option<(&'static str, bool)> {
        self.by.map(|i| (self.keys.keys[i].0, self.ascending))
    }

    /// The ORDER BY text of this order, ending with the tie-break column.
    fn order(&self) -> String {
        let (expr, ascending) = match self.by {
            Some(i) => (self.keys.keys[i].1, self.ascending),
            None => (self.keys.keys[0].1, false),
        };
        let dir = if ascending { "ASC" } else { "DESC" };
        format!("{expr} {dir} NULLS LAST, {}", self.keys.tie).replace(REGION_NAME, &REGION_NAME_SQL)
    }
}

/// Stands in a sort key's SQL for the name of the row's `region_code`, keyed in pinyin
/// order as names are ([`REGION_NAME_SQL`]): the names are the shipped divisions', not
/// the database's.
const REGION_NAME: &str = "{region_name}";

/// `pinyin_key(<the name of region_code>) COLLATE "zh-x-icu"`: a CASE over every
/// province's and city's code (a few hundred; a report has a row per region at most), an
/// unknown code keyed as itself. 北京市, 广东省, 湖南省, 吉林省.
static REGION_NAME_SQL: std::sync::LazyLock<String> = std::sync::LazyLock::new(|| {
    let mut sql = String::from("pinyin_key(CASE region_code");
    for province in pharmacrm_shared::region::provinces() {
        let cities = province.cities.iter().map(|c| (&c.code, &c.name));
        for (code, name) in std::iter::once((&province.code, &province.name)).chain(cities) {
            // Codes are digits and names Chinese: nothing to quote.
            sql.push_str(&format!(" WHEN '{code}' THEN '{name}'"));
        }
    }
    sql.push_str(" ELSE region_code END) COLLATE \"zh-x-icu\"");
    sql
});

/// [`drug_sales`]'s orders.
pub static DRUG_SALES_SORT: SortKeys = SortKeys {
    keys: &[
        ("amount", "amount"),
        ("quantity", "quantity"),
        ("orders", "orders"),
        ("customers", "customers"),
        ("name", "pinyin_key(drug_name) COLLATE \"zh-x-icu\""),
    ],
    tie: "drug_id",
};

/// [`customer_distribution`]'s orders.
pub static CUSTOMER_DISTRIBUTION_SORT: SortKeys = SortKeys {
    keys: &[("customers", "customers"), ("region", REGION_NAME)],
    tie: "{region_name}, region_code",
};

/// [`employee_performance`]'s orders.
pub static EMPLOYEE_PERFORMANCE_SORT: SortKeys = SortKeys {
    keys: &[
        ("amount", "amount"),
        ("orders", "orders"),
        ("customers", "customers"),
        ("collected", "collected"),
        ("name", "person_key(name) COLLATE \"zh-x-icu\""),
    ],
    tie: "user_id",
};

/// [`customer_consumption`]'s orders.
pub static CUSTOMER_CONSUMPTION_SORT: SortKeys = SortKeys {
    keys: &[
        ("amount", "amount"),
        ("orders", "orders"),
        ("last_order", "last_order_date"),
        ("outstanding", "outstanding"),
        ("on_account", "on_account"),
        ("name", "pinyin_key(customer_name) COLLATE \"zh-x-icu\""),
    ],
    tie: "customer_id",
};

/// [`regional_sales`]'s orders.
pub static REGIONAL_SALES_SORT: SortKeys = SortKeys {
    keys: &[
        ("amount", "amount"),
        ("orders", "orders"),
        ("customers", "customers"),
        ("region", REGION_NAME),
    ],
    tie: "{region_name}, region_code",
};

/// [`exceptions`]'s orders: by name, the name being the customer's, rep's or drug's, or a
/// kind's or decision's in Chinese (`sort_name`: 短少 before 破损, as read).
pub static EXCEPTIONS_SORT: SortKeys = SortKeys {
    keys: &[
        ("value", "value"),
        ("count", "count"),
        ("label", "pinyin_key(sort_name) COLLATE \"zh-x-icu\""),
    ],
    tie: "key",
};

/// An exception kind's or decision's name (`damaged` → 破损 / Damaged), as the export
/// writes it; `None` for any other code.
pub fn exception_code_name(code: &str) -> Option<Msg> {
    Some(match code {
        "damaged" => crate::msg!("report.sheet.kind.damaged"),
        "lost" => crate::msg!("report.sheet.kind.lost"),
        "short" => crate::msg!("report.sheet.kind.short"),
        "pending" => crate::msg!("report.sheet.decision.pending"),
        "deduct" => crate::msg!("report.sheet.decision.deduct"),
        "reship" => crate::msg!("report.sheet.decision.reship"),
        _ => return None,
    })
}

/// SQL naming the kind or decision codes of `column` in Chinese
/// ([`exception_code_name`]), the code itself for one it does not know.
fn exception_names_sql(column: &str, codes: &[&str]) -> String {
    let mut sql = format!("CASE {column}");
    for code in codes {
        if let Some(name) = exception_code_name(code) {
            sql.push_str(&format!(
                " WHEN '{code}' THEN '{}'",
                name.zh.replace('\'', "''")
            ));
        }
    }
    sql.push_str(&format!(" ELSE {column} END"));
    sql
}

/// One report's rows as SQL (unsorted, one row per drug/customer/region/rep/group) and
/// their order.
pub struct Query {
    base: Sql,
    order: String,
}

impl Query {
    /// The rows of `base` in the order `order` (an ORDER BY list over its columns, which
    /// the rows are read as `q`).
    pub(crate) fn new(base: Sql, order: String) -> Query {
        Query { base, order }
    }

    fn sorted(&self) -> Sql {
        let mut sql = Sql::new("SELECT * FROM (");
        sql.append(&self.base)
            .push(") q ORDER BY ")
            .push(&self.order);
        sql
    }
}

/// How many rows the report has.
pub fn count(conn: &mut PgConnection, q: &Query) -> AppResult<i64> {
    let mut sql = Sql::new("SELECT count(*) AS count FROM (");
    sql.append(&q.base).push(") q");
    Ok(sql.query().get_result::<Count>(conn)?.count)
}

/// One page of the report's rows.
pub fn page<R: QueryableByName<diesel::pg::Pg> + 'static>(
    conn: &mut PgConnection,
    q: &Query,
    offset: i64,
    limit: i64,
) -> AppResult<Vec<R>> {
    let mut sql = q.sorted();
    sql.push(" OFFSET ")
        .bind(Value::Int(offset))
        .push(" LIMIT ")
        .bind(Value::Int(limit));
    Ok(sql.query().load(conn)?)
}

/// Every row of the report, `batch` at a time, through a server-side cursor: memory stays
/// that of one batch whatever the report's size. `f` returns `false` to stop (the export
/// was cancelled). Runs in its own transaction (a cursor lives in one).
pub fn each_batch<R, F>(conn: &mut PgConnection, q: &Query, batch: i64, mut f: F) -> AppResult<()>
where
    R: QueryableByName<diesel::pg::Pg> + 'static,
    F: FnMut(Vec<R>) -> AppResult<bool>,
{
    conn.transaction(|conn| {
        let mut declare = Sql::new("DECLARE report_rows NO SCROLL CURSOR FOR ");
        declare.append(&q.sorted());
        declare.query().execute(conn)?;
        loop {
            let rows: Vec<R> =
                diesel::sql_query(format!("FETCH {batch} FROM report_rows")).load(conn)?;
            let last = i64::try_from(rows.len()).unwrap_or(0) < batch;
            if !f(rows)? || last {
                break;
            }
        }
        diesel::sql_query("CLOSE report_rows").execute(conn)?;
        Ok(())
    })
}

/// Which drugs a report covers.
#[derive(Debug, Clone, Default)]
pub struct DrugFilter {
    /// Only this drug.
    pub drug_id: Option<i64>,
    /// Only drugs in this category or below it.
    pub category_id: Option<i64>,
    /// Only `agency` or `self_produced` drugs.
    pub origin: Option<&'static str>,
}

/// The period's sales within the scope, of the drugs `f` covers (all columns of
/// [`sales_sql`]).
fn filtered_sales(
    conn: &mut PgConnection,
    reps: &Reps,
    period: Period,
    f: &DrugFilter,
) -> AppResult<Sql> {
    let mut sql = Sql::new("SELECT s.* FROM (");
    sql.append(&sales_sql(reps, period.from, period.to))
        .push(") s WHERE TRUE");
    if let Some(drug) = f.drug_id {
        // A drug that does not exist is NOT_FOUND, as in the report's export: not a
        // report of no sales.
        drug::label_of(conn, drug)?;
        sql.push(" AND s.drug_id = ").bind(Value::Int(drug));
    }
    if let Some(category) = f.category_id {
        let ids = drug_category::subtree_ids(conn, category)?;
        sql.push(" AND s.drug_id IN (SELECT id FROM drugs WHERE category_id = ANY(")
            .bind(Value::IntArray(ids))
            .push("))");
    }
    if let Some(origin) = f.origin {
        sql.push(
            " AND s.drug_id IN (SELECT d.id FROM drugs d
                JOIN drug_categories c ON c.id = d.category_id WHERE c.origin = ",
        )
        .bind(Value::Text(origin.to_owned()))
        .push(")");
    }
    Ok(sql)
}

/// A region's name ("湖南省", "长沙市"), or its code when unknown.
pub fn region_name(code: &str) -> String {
    pharmacrm_shared::region::name_of(code).map_or_else(|| code.to_owned(), str::to_owned)
}

/// A customer's region: "湖南省 长沙市".
pub fn region_pair(province: &str, city: &str) -> String {
    let p = region_name(province);
    if city.is_empty() {
        p
    } else {
        format!("{p} {}", region_name(city))
    }
}

// ---------------------------------------------------------------------------------------
// 1. Drug sales (药品销售情况)

/// One drug's sales.
#[derive(Debug, Clone, QueryableByName)]
pub struct DrugSales {
    #[diesel(sql_type = BigInt)]
    pub drug_id: i64,
    #[diesel(sql_type = Text)]
    pub drug_name: String,
    #[diesel(sql_type = Text)]
    pub specification: String,
    /// The category's id (its path comes from [`drug_category`]).
    #[diesel(sql_type = BigInt)]
    pub category_id: i64,
    /// Units shipped less units deducted.
    #[diesel(sql_type = BigInt)]
    pub quantity: i64,
    /// The unit `quantity` counts (盒): the name of the drug's container unit in the
    /// catalogue now.
    #[diesel(sql_type = Text)]
    pub unit: String,
    /// CNY.
    #[diesel(sql_type = Numeric)]
    pub amount: Decimal,
    #[diesel(sql_type = BigInt)]
    pub orders: i64,
    #[diesel(sql_type = BigInt)]
    pub customers: i64,
}

/// Totals of a sales report over every row: rows, units, CNY, distinct orders and
/// customers, and the unit every drug sold is counted in.
#[derive(Debug, Clone, Default, QueryableByName)]
pub struct SalesTotals {
    #[diesel(sql_type = BigInt)]
    pub rows: i64,
    /// Units; adds different units when `unit` is `None`.
    #[diesel(sql_type = BigInt)]
    pub quantity: i64,
    #[diesel(sql_type = Numeric)]
    pub amount: Decimal,
    #[diesel(sql_type = BigInt)]
    pub orders: i64,
    #[diesel(sql_type = BigInt)]
    pub customers: i64,
    /// The name of the container unit every drug sold is counted in (盒), in a report by
    /// drug; `None` when they differ (10 盒 and 5 瓶 add up to nothing one can name),
    /// nothing was sold, or the report is not by drug. A unit is its name, as an order's
    /// (盒（24粒） and 盒（10片） are both boxes).
    #[diesel(sql_type = Nullable<Text>)]
    pub unit: Option<String>,
}

/// The totals of `sales` (SQL of sales rows) grouped by `group` (the report's row key);
/// grouped by drug (`drug_id`), also the unit the drugs share (over the distinct drugs,
/// not every sales row: a year's sales are a million rows).
fn sales_totals(conn: &mut PgConnection, sales: &Sql, group: &str) -> AppResult<SalesTotals> {
    let unit = if group == "drug_id" {
        "(SELECT CASE WHEN min(u.name) = max(u.name) THEN min(u.name) END
            FROM g JOIN drugs d ON d.id = g.key JOIN container_units u ON u.id = d.unit_id)"
    } else {
        "NULL::text"
    };
    let mut sql = Sql::new("WITH s AS (");
    sql.append(sales).push(&format!(
        "), g AS (SELECT DISTINCT {group} AS key FROM s WHERE {group} IS NOT NULL)
         SELECT (SELECT count(*) FROM g) AS rows,
                coalesce(sum(quantity), 0)::bigint AS quantity,
                coalesce(sum(amount), 0) AS amount,
                count(DISTINCT order_id) FILTER (WHERE quantity > 0) AS orders,
                count(DISTINCT customer_id) FILTER (WHERE quantity > 0) AS customers,
                {unit} AS unit
           FROM s"
    ));
    Ok(sql.query().get_result(conn)?)
}

/// The drug-sales report (药品销售情况) of the period within the scope: its query (rows
/// by `sort`: "amount" (default), "quantity", "orders", "customers", "name") and totals.
pub fn drug_sales(
    conn: &mut PgConnection,
    reps: &Reps,
    period: Period,
    filter: &DrugFilter,
    sort: &Sort,
) -> AppResult<(Query, SalesTotals)> {
    let sales = filtered_sales(conn, reps, period, filter)?;
    let order = sort.order();
    let mut base = Sql::new(
        "SELECT p.drug_id, d.name AS drug_name, d.specification, d.category_id, p.quantity,
                u.name AS unit, p.amount, p.orders, p.customers
           FROM (SELECT drug_id, sum(quantity)::bigint AS quantity, sum(amount) AS amount,
                        count(DISTINCT order_id) FILTER (WHERE quantity > 0) AS orders,
                        count(DISTINCT customer_id) FILTER (WHERE quantity > 0) AS customers
                   FROM (",
    );
    base.append(&sales).push(
        ") s GROUP BY drug_id) p JOIN drugs d ON d.id = p.drug_id
                JOIN container_units u ON u.id = d.unit_id",
    );
    let totals = sales_totals(conn, &sales, "drug_id")?;
    Ok((Query { base, order }, totals))
}

/// A time series' step.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Interval {
    Day,
    /// ISO weeks, Monday first.
    Week,
    Month,
}

impl Interval {
    fn unit(self) -> &'static str {
        match self {
            Interval::Day => "day",
            Interval::Week => "week",
            Interval::Month => "month",
        }
    }

    /// How many steps `period` spans.
    pub fn steps(self, period: Period) -> i64 {
        match self {
            Interval::Day => (period.to - period.from).num_days() + 1,
            Interval::Week => {
                let monday = |d: NaiveDate| {
                    d - chrono::Days::new(u64::from(d.weekday().num_days_from_monday()))
                };
                (monday(period.to) - monday(period.from)).num_days() / 7 + 1
            }
            Interval::Month => {
                let months = |d: NaiveDate| i64::from(d.year()) * 12 + i64::from(d.month0());
                months(period.to) - months(period.from) + 1
            }
        }
    }
}

/// The most points a series may have.
pub const MAX_SERIES_POINTS: i64 = 1_000;

/// One step of a series: its first day (clipped to the period) and its sales.
#[derive(Debug, Clone, QueryableByName)]
pub struct SeriesPoint {
    #[diesel(sql_type = Date)]
    pub period_start: NaiveDate,
    #[diesel(sql_type = BigInt)]
    pub quantity: i64,
    #[diesel(sql_type = Numeric)]
    pub amount: Decimal,
}

/// Sales of the drugs `filter` covers over `period`, one point per step of `interval`,
/// every step included (zero without sales). The request's check keeps the steps within
/// [`MAX_SERIES_POINTS`].
pub fn drug_sales_series(
    conn: &mut PgConnection,
    reps: &Reps,
    period: Period,
    filter: &DrugFilter,
    interval: Interval,
) -> AppResult<(Query, SalesTotals)> {
    let sales = filtered_sales(conn, reps, period, filter)?;
    let unit = interval.unit();
    let mut base = Sql::new(&format!(
        "SELECT g.period_start, coalesce(sum(s.quantity), 0)::bigint AS quantity,
                coalesce(sum(s.amount), 0) AS amount
           FROM (SELECT DISTINCT greatest(date_trunc('{unit}', gs)::date, "
    ));
    base.bind(Value::Date(period.from))
        .push(
            "::date) AS period_start
                   FROM generate_series(",
        )
        .bind(Value::Date(period.from))
        .push("::timestamp, ")
        .bind(Value::Date(period.to))
        .push(
            "::timestamp, interval '1 day') gs) g
           LEFT JOIN (",
        )
        .append(&sales)
        .push(&format!(
            ") s ON greatest(date_trunc('{unit}', s.sale_date)::date, "
        ))
        .bind(Value::Date(period.from))
        .push("::date) = g.period_start GROUP BY g.period_start");
    let totals = sales_totals(conn, &sales, "drug_id")?;
    Ok((
        Query {
            base,
            order: "period_start".to_owned(),
        },
        totals,
    ))
}

// ---------------------------------------------------------------------------------------
// 2. Customer regional distribution (客户地域分布)

/// Which customers the distribution counts.
#[derive(Debug, Clone, Default)]
pub struct CustomerFilter {
    /// Empty: per province; a province code: per city of it.
    pub province_code: String,
    /// A business-kind code.
    pub business_kind: Option<&'static str>,
    pub type_id: Option<i64>,
    pub include_archived: bool,
}

/// One region's count.
#[derive(Debug, Clone, QueryableByName)]
pub struct RegionCount {
    #[diesel(sql_type = Text)]
    pub region_code: String,
    #[diesel(sql_type = BigInt)]
    pub customers: i64,
}

/// The regional distribution (客户地域分布) of the customers in scope: rows by `sort`
/// ("customers" (default), "region" (its name, in pinyin order)); the total of customers.
pub fn customer_distribution(
    conn: &mut PgConnection,
    reps: &Reps,
    f: &CustomerFilter,
    sort: &Sort,
) -> AppResult<(Query, i64)> {
    let order = sort.order();
    let column = if f.province_code.is_empty() {
        "province_code"
    } else {
        "city_code"
    };
    let mut base = Sql::new(&format!(
        "SELECT cu.{column} AS region_code, count(*) AS customers
           FROM customers cu WHERE "
    ));
    base.append(&scope::customers_sql(reps, "cu"));
    if !f.province_code.is_empty() {
        base.push(" AND cu.province_code = ")
            .bind(Value::Text(f.province_code.clone()));
    }
    if let Some(kind) = f.business_kind {
        base.push(" AND cu.business_kind = ")
            .bind(Value::Text(kind.to_owned()));
    }
    if let Some(t) = f.type_id {
        base.push(" AND cu.type_id = ").bind(Value::Int(t));
    }
    if !f.include_archived {
        base.push(" AND cu.is_active");
    }
    base.push(&format!(" GROUP BY cu.{column}"));
    let mut total = Sql::new("SELECT coalesce(sum(customers), 0)::bigint AS count FROM (");
    total.append(&base).push(") q");
    let total = total.query().get_result::<Count>(conn)?.count;
    Ok((Query { base, order }, total))
}

// ---------------------------------------------------------------------------------------
// 3. Employee performance (员工销售业绩)

/// One rep's figures.
#[derive(Debug, Clone, QueryableByName)]
pub struct RepPerformance {
    #[diesel(sql_type = BigInt)]
    pub user_id: i64,
    #[diesel(sql_type = Text)]
    pub name: String,
    #[diesel(sql_type = Text)]
    pub department: String,
    #[diesel(sql_type = BigInt)]
    pub rank: i64,
    #[diesel(sql_type = Numeric)]
    pub amount: Decimal,
    #[diesel(sql_type = BigInt)]
    pub orders: i64,
    #[diesel(sql_type = BigInt)]
    pub customers: i64,
    #[diesel(sql_type = Numeric)]
    pub collected: Decimal,
    /// The rep's account is disabled (they left): their sales still count.
    #[diesel(sql_type = diesel::sql_types::Bool)]
    pub inactive: bool,
}

/// Totals of the performance report.
#[derive(Debug, Clone, Default, QueryableByName)]
pub struct PerformanceTotals {
    #[diesel(sql_type = BigInt)]
    pub rows: i64,
    #[diesel(sql_type = Numeric)]
    pub amount: Decimal,
    #[diesel(sql_type = BigInt)]
    pub orders: i64,
    #[diesel(sql_type = BigInt)]
    pub customers: i64,
    #[diesel(sql_type = Numeric)]
    pub collected: Decimal,
}

/// Employee performance (员工销售业绩) for `role` over the period: each sale credited to
/// the rep responsible for its customer when it was made, each payment when it was
/// recorded; collections as a ledger, a payment on its date and its reversal against it on
/// the reversal's (a closed period's figures never move, and consecutive periods add up
/// to the whole). Rows by `sort`: "amount" (default), "orders", "customers",
/// "collected", "name".
pub fn employee_performance(
    conn: &mut PgConnection,
    reps: &Reps,
    period: Period,
    role: RepRole,
    sort: &Sort,
) -> AppResult<(Query, PerformanceTotals)> {
    let order = sort.order();
    let mut credited = Sql::new(&format!(
        "SELECT s.{} AS rep_id, s.order_id, s.customer_id, s.quantity, s.amount FROM (",
        role.column()
    ));
    credited
        .append(&sales_sql(reps, period.from, period.to))
        .push(") s");
    // A payment stores the sales rep credited (the customer's when it was recorded); the
    // CS rep of that moment comes from the assignment history.
    const PAYMENT_CS_REP: &str =
        "coalesce(customer_rep_at(p.customer_id, 'cs', p.created_at), cu.cs_rep_id)";
    let payment_rep = match role {
        RepRole::Sales => "p.sales_rep_id",
        RepRole::Service => PAYMENT_CS_REP,
    };
    // As a ledger: a payment counts on its date, its reversal counts against it on the
    // reversal's date, so a closed period's figure never moves and periods add up.
    let dated = |signed_amount: &str, date_column: &str| {
        let mut sql = Sql::new(&format!(
            "SELECT {payment_rep} AS rep_id, {signed_amount} AS amount
               FROM payments p JOIN customers cu ON cu.id = p.customer_id
              WHERE p.{date_column} BETWEEN "
        ));
        sql.bind(Value::Date(period.from))
            .push(" AND ")
            .bind(Value::Date(period.to))
            .push(" AND ")
            .append(&scope::credited_sql(reps, "p.sales_rep_id", PAYMENT_CS_REP));
        sql
    };
    let mut payments = dated("p.amount", "payment_date");
    payments
        .push(" UNION ALL ")
        .append(&dated("-p.amount", "reversal_date"));
    // The reps at work in the role within the scope who hold customers in it: one who
    // sold and collected nothing in the period is ranked too, at zero (a manager looks
    // for them). One with no customer to sell to is not a rep to rank: a manager holding
    // the rep's permissions to place orders, a rep just hired.
    let mut at_work = Sql::new("SELECT u.id AS rep_id FROM users u WHERE ");
    at_work
        .append(&customer::holds_role_sql(role.permission()))
        .push(" AND ")
        .append(&scope::credited_sql(reps, "u.id", "u.id"))
        .push(&format!(
            " AND EXISTS (SELECT 1 FROM customers cu WHERE cu.{} = u.id AND cu.is_active)",
            role.column()
        ));
    let with = |sql: &mut Sql| {
        sql.append(&credited)
            .push("), p AS (")
            .append(&payments)
            .push("), w AS (")
            .append(&at_work)
            .push(
                "), ranked AS (
                   SELECT rep_id FROM c UNION SELECT rep_id FROM p UNION SELECT rep_id FROM w)",
            );
    };
    let mut base = Sql::new("WITH c AS (");
    with(&mut base);
    base.push(
        ", per_rep AS (
               SELECT rep_id, sum(amount) AS amount,
                      count(DISTINCT order_id) FILTER (WHERE quantity > 0) AS orders,
                      count(DISTINCT customer_id) FILTER (WHERE quantity > 0) AS customers
                 FROM c GROUP BY rep_id),
             collected AS (SELECT rep_id, sum(amount) AS collected FROM p GROUP BY rep_id)
             SELECT u.id AS user_id, u.display_name AS name,
                    coalesce(d.name, '') AS department,
                    rank() OVER (ORDER BY coalesce(r.amount, 0) DESC) AS rank,
                    coalesce(r.amount, 0) AS amount, coalesce(r.orders, 0) AS orders,
                    coalesce(r.customers, 0) AS customers,
                    coalesce(k.collected, 0) AS collected,
                    NOT u.is_active AS inactive
               FROM ranked x
               LEFT JOIN per_rep r ON r.rep_id = x.rep_id
               LEFT JOIN collected k ON k.rep_id = x.rep_id
               JOIN users u ON u.id = x.rep_id
               LEFT JOIN departments d ON d.id = u.department_id",
    );
    let mut totals = Sql::new("WITH c AS (");
    with(&mut totals);
    totals.push(
        " SELECT (SELECT count(*) FROM ranked) AS rows,
                      coalesce((SELECT sum(amount) FROM c), 0) AS amount,
                      (SELECT count(DISTINCT order_id) FROM c WHERE quantity > 0) AS orders,
                      (SELECT count(DISTINCT customer_id) FROM c WHERE quantity > 0)
                        AS customers,
                      coalesce((SELECT sum(amount) FROM p), 0) AS collected",
    );
    let totals = totals.query().get_result(conn)?;
    Ok((Query { base, order }, totals))
}

// ---------------------------------------------------------------------------------------
// 4. Customer consumption (客户消费情况)

/// One customer's purchases.
#[derive(Debug, Clone, QueryableByName)]
pub struct CustomerConsumption {
    #[diesel(sql_type = BigInt)]
    pub customer_id: i64,
    #[diesel(sql_type = Text)]
    pub customer_name: String,
    #[diesel(sql_type = Text)]
    pub province_code: String,
    #[diesel(sql_type = Text)]
    pub city_code: String,
    #[diesel(sql_type = Text)]
    pub contact_person: String,
    #[diesel(sql_type = Text)]
    pub phone: String,
    #[diesel(sql_type = Text)]
    pub id_number_masked: String,
    #[diesel(sql_type = Nullable<diesel::sql_types::Bytea>)]
    pub id_number_enc: Option<Vec<u8>>,
    #[diesel(sql_type = Text)]
    pub sales_rep_name: String,
    #[diesel(sql_type = Numeric)]
    pub amount: Decimal,
    #[diesel(sql_type = BigInt)]
    pub orders: i64,
    #[diesel(sql_type = Nullable<Date>)]
    pub last_order_date: Option<NaiveDate>,
    #[diesel(sql_type = Numeric)]
    pub outstanding: Decimal,
    /// Paid ahead (预收), CNY.
    #[diesel(sql_type = Numeric)]
    pub on_account: Decimal,
}

/// Totals of the consumption report.
#[derive(Debug, Clone, Default, QueryableByName)]
pub struct ConsumptionTotals {
    #[diesel(sql_type = BigInt)]
    pub rows: i64,
    #[diesel(sql_type = Numeric)]
    pub amount: Decimal,
    #[diesel(sql_type = BigInt)]
    pub orders: i64,
    #[diesel(sql_type = Numeric)]
    pub outstanding: Decimal,
    #[diesel(sql_type = Numeric)]
    pub on_account: Decimal,
}

/// Customer consumption (客户消费情况): each customer with sales in the period (of the
/// province, if given): amount, orders, last order up to the period's end, what they owe
/// now and what they paid ahead (预收). Rows by `sort`: "amount" (default), "orders",
/// "last_order", "outstanding", "on_account", "name".
pub fn customer_consumption(
    conn: &mut PgConnection,
    reps: &Reps,
    period: Period,
    province_code: &str,
    sort: &Sort,
) -> AppResult<(Query, ConsumptionTotals)> {
    let order = sort.order();
    let mut per_customer = Sql::new(
        "SELECT customer_id, sum(amount) AS amount,
                count(DISTINCT order_id) FILTER (WHERE quantity > 0) AS orders FROM (",
    );
    per_customer
        .append(&sales_sql(reps, period.from, period.to))
        .push(") s");
    if !province_code.is_empty() {
        // Only that province's customers are summed.
        per_customer
            .push(" WHERE s.customer_id IN (SELECT id FROM customers WHERE province_code = ")
            .bind(Value::Text(province_code.to_owned()))
            .push(")");
    }
    per_customer.push(" GROUP BY customer_id");
    let mut base = Sql::new(
        "SELECT cu.id AS customer_id, cu.name AS customer_name, cu.province_code,
                cu.city_code, cu.contact_person, cu.phone, cu.id_number_masked,
                cu.id_number_enc, coalesce(u.display_name, '') AS sales_rep_name,
                c.amount, c.orders,
                (SELECT max(o.order_date) FROM orders o
                  WHERE o.customer_id = cu.id AND o.status <> 'cancelled'
                    AND o.order_date <= ",
    );
    base.bind(Value::Date(period.to))
        .push(
            ") AS last_order_date,
                coalesce(cr.outstanding, 0) AS outstanding,
                coalesce(cr.on_account, 0) AS on_account
           FROM (",
        )
        .append(&per_customer)
        .push(
            ") c JOIN customers cu ON cu.id = c.customer_id
           LEFT JOIN users u ON u.id = cu.sales_rep_id
           LEFT JOIN customer_receivables cr ON cr.customer_id = cu.id",
        );
    let mut totals = Sql::new(
        "SELECT count(*) AS rows, coalesce(sum(amount), 0) AS amount,
                coalesce(sum(orders), 0)::bigint AS orders,
                coalesce(sum(outstanding), 0) AS outstanding,
                coalesce(sum(on_account), 0) AS on_account FROM (",
    );
    totals.append(&base).push(") q");
    let totals = totals.query().get_result(conn)?;
    Ok((Query { base, order }, totals))
}

// ---------------------------------------------------------------------------------------
// 5. Regional sales (地区销售情况)

/// One region's sales.
#[derive(Debug, Clone, QueryableByName)]
pub struct RegionSales {
    #[diesel(sql_type = Text)]
    pub region_code: String,
    #[diesel(sql_type = Numeric)]
    pub amount: Decimal,
    #[diesel(sql_type = BigInt)]
    pub orders: i64,
    #[diesel(sql_type = BigInt)]
    pub customers: i64,
}

/// Regional sales (地区销售情况) by the customer's province (or, within `province_code`,
/// city). Rows by `sort`: "amount" (default), "orders", "customers", "region".
pub fn regional_sales(
    conn: &mut PgConnection,
    reps: &Reps,
    period: Period,
    province_code: &str,
    sort: &Sort,
) -> AppResult<(Query, SalesTotals)> {
    let order = sort.order();
    let column = if province_code.is_empty() {
        "province_code"
    } else {
        "city_code"
    };
    let mut sales = Sql::new(&format!("SELECT s.*, cu.{column} AS region_code FROM ("));
    sales
        .append(&sales_sql(reps, period.from, period.to))
        .push(") s JOIN customers cu ON cu.id = s.customer_id");
    if !province_code.is_empty() {
        sales
            .push(" WHERE cu.province_code = ")
            .bind(Value::Text(province_code.to_owned()));
    }
    let mut base = Sql::new(
        "SELECT region_code, sum(amount) AS amount,
                count(DISTINCT order_id) FILTER (WHERE quantity > 0) AS orders,
                count(DISTINCT customer_id) FILTER (WHERE quantity > 0) AS customers FROM (",
    );
    base.append(&sales).push(") s GROUP BY region_code");
    let totals = sales_totals(conn, &sales, "region_code")?;
    Ok((Query { base, order }, totals))
}

// ---------------------------------------------------------------------------------------
// 6. Exceptions (异常反馈情况)

/// How the exceptions report groups.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExceptionGrouping {
    Kind,
    Decision,
    Customer,
    CsRep,
    SalesRep,
    Drug,
}

/// One group's exceptions.
#[derive(Debug, Clone, QueryableByName)]
pub struct ExceptionGroup {
    /// The kind or decision code, or the customer, user or drug id as text.
    #[diesel(sql_type = Text)]
    pub key: String,
    /// The customer's, rep's or drug's name; empty for kinds and decisions.
    #[diesel(sql_type = Text)]
    pub label: String,
    #[diesel(sql_type = BigInt)]
    pub count: i64,
    /// CNY: the value of the goods concerned.
    #[diesel(sql_type = Numeric)]
    pub value: Decimal,
    /// A rep's group: the rep has left (a disabled account).
    #[diesel(sql_type = diesel::sql_types::Bool)]
    pub inactive: bool,
}

/// Totals of the exceptions report.
#[derive(Debug, Clone, Default, QueryableByName)]
pub struct ExceptionTotals {
    #[diesel(sql_type = BigInt)]
    pub rows: i64,
    #[diesel(sql_type = BigInt)]
    pub count: i64,
    #[diesel(sql_type = Numeric)]
    pub value: Decimal,
}

/// Exceptions (异常反馈情况) reported in the period within the scope, grouped: `from`–`until`
/// are the instants the period's business days start and the day after it starts (see
/// `Clock::start_of`). Rows by `sort`: "value" (default), "count", "label".
pub fn exceptions(
    conn: &mut PgConnection,
    reps: &Reps,
    (from, until): (DateTime<Utc>, DateTime<Utc>),
    grouping: ExceptionGrouping,
    sort: &Sort,
) -> AppResult<(Query, ExceptionTotals)> {
    let order = sort.order();
    // Within the scope by the order's reps, as sales are by theirs: a past period's
    // exceptions stay the team's when the customer moves on.
    let mut reported = Sql::new(
        "SELECT te.* FROM transport_exceptions te JOIN orders so ON so.id = te.order_id
          WHERE te.reported_at >= ",
    );
    reported
        .bind(Value::Time(from))
        .push(" AND te.reported_at < ")
        .bind(Value::Time(until))
        .push(" AND ")
        .append(&scope::credited_sql(
            reps,
            "so.sales_rep_id",
            "so.cs_rep_id",
        ));
    // A rep's group says whether the rep has left.
    const DEPARTED: &str = "bool_or(NOT u.is_active)";
    let (key, label, inactive, from) = match grouping {
        ExceptionGrouping::Kind => ("e.kind", "''", "false", ""),
        ExceptionGrouping::Decision => ("e.decision", "''", "false", ""),
        ExceptionGrouping::Customer => (
            "e.customer_id::text",
            "min(cu.name)",
            "false",
            " JOIN customers cu ON cu.id = e.customer_id",
        ),
        ExceptionGrouping::CsRep => (
            "o.cs_rep_id::text",
            "min(u.display_name)",
            DEPARTED,
            " JOIN orders o ON o.id = e.order_id JOIN users u ON u.id = o.cs_rep_id",
        ),
        ExceptionGrouping::SalesRep => (
            "o.sales_rep_id::text",
            "min(u.display_name)",
            DEPARTED,
            " JOIN orders o ON o.id = e.order_id JOIN users u ON u.id = o.sales_rep_id",
        ),
        ExceptionGrouping::Drug => ("", "", "", ""),
    };
    // What a group sorts by as its name: kinds and decisions by their Chinese names
    // (their label is empty: the client names them in its language).
    let sort_name = match grouping {
        ExceptionGrouping::Kind => exception_names_sql("e.kind", &["damaged", "lost", "short"]),
        ExceptionGrouping::Decision => {
            exception_names_sql("e.decision", &["pending", "deduct", "reship"])
        }
        _ => label.to_owned(),
    };
    let mut base = Sql::new("SELECT ");
    if grouping == ExceptionGrouping::Drug {
        base.push(
            "ol.drug_id::text AS key, min(d.name) AS label, min(d.name) AS sort_name,
                    count(DISTINCT e.id) AS count, sum(el.amount) AS value, false AS inactive
               FROM (",
        )
        .append(&reported)
        .push(
            ") e JOIN exception_lines el ON el.exception_id = e.id
               JOIN shipment_lines sl ON sl.id = el.shipment_line_id
               JOIN order_lines ol ON ol.id = sl.order_line_id
               JOIN drugs d ON d.id = ol.drug_id
              GROUP BY ol.drug_id",
        );
    } else {
        base.push(&format!(
            "{key} AS key, {label} AS label, {sort_name} AS sort_name, count(*) AS count, \
             sum(e.value) AS value, {inactive} AS inactive FROM ("
        ))
        .append(&reported)
        .push(&format!(") e{from} GROUP BY {key}"));
    }
    let mut totals = Sql::new("SELECT (SELECT count(*) FROM (");
    totals
        .append(&base)
        .push(") g) AS rows, count(*) AS count, coalesce(sum(value), 0) AS value FROM (")
        .append(&reported)
        .push(") e");
    let totals = totals.query().get_result(conn)?;
    Ok((Query { base, order }, totals))
}
