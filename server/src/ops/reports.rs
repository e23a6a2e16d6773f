//! Reports (spec "Statistics" 1–6): figures over what was sold, within the caller's data
//! scope. One definition of a sale serves every report ([`sales_sql`]): goods shipped
//! (replacement shipments excluded) at their stored, rounded line amounts, less the
//! values of transport exceptions decided "deduct", each dated by its receivables-ledger
//! date (the ship date; the date of the decision) in the business time zone. So a
//! report's total for a period equals the ledger's shipments less deductions in it.

use chrono::NaiveDate;
use diesel::PgConnection;
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Numeric, Text};
use pharmacrm_shared::money::Decimal;

use crate::db::scope::{self, Reps};
use crate::db::sql::{Sql, Value};
use crate::error::AppResult;

/// The sales of the period `from`–`to` within the scope, as SQL text: one row per sold or
/// deducted line, columns `drug_id`, `order_id`, `customer_id`, `sales_rep_id`,
/// `cs_rep_id`, `sale_date`, `quantity` (units, negative for a deduction) and `amount`
/// (CNY, negative for a deduction). Every report selects from it.
pub fn sales_sql(reps: &Reps, from: NaiveDate, to: NaiveDate) -> Sql {
    let mut sql = Sql::new(
        "SELECT ol.drug_id, o.id AS order_id, o.customer_id, o.sales_rep_id, o.cs_rep_id,
                r.entry_date AS sale_date, sl.quantity, sl.amount
           FROM receivable_entries r
           JOIN shipment_lines sl ON sl.shipment_id = r.shipment_id
           JOIN order_lines ol ON ol.id = sl.order_line_id
           JOIN orders o ON o.id = r.order_id
          WHERE r.kind = 'shipment' AND r.entry_date BETWEEN ",
    );
    sql.bind(Value::Date(from))
        .push(" AND ")
        .bind(Value::Date(to))
        .push(" AND r.customer_id IN (SELECT cu.id FROM customers cu WHERE ")
        .append(&scope::customers_sql(reps, "cu"))
        .push(
            ")
         UNION ALL
         SELECT ol.drug_id, o.id, o.customer_id, o.sales_rep_id, o.cs_rep_id,
                r.entry_date, -el.quantity, -el.amount
           FROM receivable_entries r
           JOIN exception_lines el ON el.exception_id = r.exception_id
           JOIN shipment_lines sl ON sl.id = el.shipment_line_id
           JOIN order_lines ol ON ol.id = sl.order_line_id
           JOIN orders o ON o.id = r.order_id
          WHERE r.kind = 'deduction' AND r.entry_date BETWEEN ",
        )
        .bind(Value::Date(from))
        .push(" AND ")
        .bind(Value::Date(to))
        .push(" AND r.customer_id IN (SELECT cu.id FROM customers cu WHERE ")
        .append(&scope::customers_sql(reps, "cu"))
        .push(")");
    sql
}

/// One drug's sales.
#[derive(Debug, Clone, QueryableByName)]
pub struct DrugSales {
    #[diesel(sql_type = BigInt)]
    pub drug_id: i64,
    #[diesel(sql_type = Text)]
    pub drug_name: String,
    #[diesel(sql_type = Text)]
    pub specification: String,
    /// Units shipped less units deducted.
    #[diesel(sql_type = BigInt)]
    pub quantity: i64,
    /// CNY.
    #[diesel(sql_type = Numeric)]
    pub amount: Decimal,
    #[diesel(sql_type = BigInt)]
    pub orders: i64,
    #[diesel(sql_type = BigInt)]
    pub customers: i64,
}

/// The drug-sales report (药品销售情况) of `from`–`to` within the scope, optionally of one
/// drug: a page of drugs by amount, largest first, with (count of drugs, Σ quantity,
/// Σ amount) over all of them.
pub fn drug_sales(
    conn: &mut PgConnection,
    reps: &Reps,
    from: NaiveDate,
    to: NaiveDate,
    drug_id: Option<i64>,
    offset: i64,
    limit: i64,
) -> AppResult<(Vec<DrugSales>, i64, i64, Decimal)> {
    #[derive(QueryableByName)]
    struct Row {
        #[diesel(embed)]
        sales: DrugSales,
        #[diesel(sql_type = BigInt)]
        total: i64,
        #[diesel(sql_type = BigInt)]
        total_quantity: i64,
        #[diesel(sql_type = Numeric)]
        total_amount: Decimal,
    }
    let mut sql = Sql::new("WITH sales AS (");
    sql.append(&sales_sql(reps, from, to)).push(
        "), per_drug AS (
           SELECT drug_id, sum(quantity)::bigint AS quantity, sum(amount) AS amount,
                  count(DISTINCT order_id) AS orders, count(DISTINCT customer_id) AS customers
             FROM sales",
    );
    if let Some(drug) = drug_id {
        sql.push(" WHERE drug_id = ").bind(Value::Int(drug));
    }
    sql.push(
        " GROUP BY drug_id)
         SELECT p.drug_id, d.name AS drug_name, d.specification, p.quantity, p.amount,
                p.orders, p.customers,
                count(*) OVER () AS total,
                (sum(p.quantity) OVER ())::bigint AS total_quantity,
                sum(p.amount) OVER () AS total_amount
           FROM per_drug p JOIN drugs d ON d.id = p.drug_id
          ORDER BY p.amount DESC, d.name, p.drug_id
         OFFSET ",
    )
    .bind(Value::Int(offset))
    .push(" LIMIT ")
    .bind(Value::Int(limit));
    let rows: Vec<Row> = sql.query().load(conn)?;
    if rows.is_empty() && offset > 0 {
        // Past the last page: the totals still describe the whole report.
        let (_, total, quantity, amount) = drug_sales(conn, reps, from, to, drug_id, 0, 1)?;
        return Ok((vec![], total, quantity, amount));
    }
    let (total, quantity, amount) = rows.first().map_or((0, 0, Decimal::ZERO), |r| {
        (r.total, r.total_quantity, r.total_amount)
    });
    Ok((
        rows.into_iter().map(|r| r.sales).collect(),
        total,
        quantity,
        amount,
    ))
}
