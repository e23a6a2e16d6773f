//! `invoices` and `invoice_orders` (开票记录): invoices issued to customers, blue and red,
//! and the orders each covers. Invoices document the sale; what is owed comes from the
//! ledger ([`super::ledger`]).

use std::collections::HashMap;

use chrono::{DateTime, NaiveDate, Utc};
use diesel::prelude::*;
use pharmacrm_shared::money::Decimal;
use serde::Serialize;

use crate::db::schema::{invoice_orders, invoices};
use crate::error::{AppError, AppResult};
use crate::msg;

/// Invoice kinds as stored: 增值税专用发票, 增值税普通发票.
pub const KINDS: &[&str] = &["special", "ordinary"];

/// An invoice row.
#[derive(Queryable, Selectable, Serialize, Debug, Clone)]
#[diesel(table_name = invoices)]
pub struct Invoice {
    pub id: i64,
    pub invoicing_entity_id: i64,
    pub kind: String,
    pub number: String,
    pub customer_id: i64,
    pub invoice_date: NaiveDate,
    /// CNY; negative on a red invoice.
    pub amount: Decimal,
    pub red_of_invoice_id: Option<i64>,
    pub note: String,
    pub created_at: DateTime<Utc>,
    pub created_by: i64,
    /// 发票代码 beside an 8-digit number; empty for a 数电发票 (or recorded before it was
    /// asked).
    pub code: String,
}

impl Invoice {
    /// The audit log's object type.
    pub const OBJECT: &'static str = "invoice";
}

/// A new invoice.
#[derive(Insertable, Debug, Clone)]
#[diesel(table_name = invoices)]
pub struct NewInvoice {
    pub invoicing_entity_id: i64,
    pub kind: String,
    pub number: String,
    pub customer_id: i64,
    pub invoice_date: NaiveDate,
    pub amount: Decimal,
    pub red_of_invoice_id: Option<i64>,
    pub note: String,
    pub created_by: i64,
    pub code: String,
}

/// An order covered by an invoice.
#[derive(Queryable, Selectable, Insertable, Serialize, Debug, Clone)]
#[diesel(table_name = invoice_orders)]
pub struct InvoiceOrder {
    pub invoice_id: i64,
    pub order_id: i64,
    /// CNY; negative on a red invoice.
    pub amount: Decimal,
}

/// NOT_FOUND for an invoice.
pub fn not_found() -> AppError {
    AppError::not_found(msg!("invoice.not_found"))
}

/// "The entity already has invoice `code` `number`" (the number alone for a 数电发票).
pub fn taken(code: &str, number: &str) -> crate::error::Msg {
    if code.is_empty() {
        msg!("invoice.number_taken", number = number)
    } else {
        msg!("invoice.code_number_taken", code = code, number = number)
    }
}

/// Inserts an invoice with what it covers (their `invoice_id` set here). ALREADY_EXISTS
/// when the entity already has the code and number; FAILED_PRECONDITION when the blue invoice was
/// already reversed.
pub fn insert(
    conn: &mut PgConnection,
    new: &NewInvoice,
    covered: &[(i64, Decimal)],
) -> AppResult<(Invoice, Vec<InvoiceOrder>)> {
    let row = diesel::insert_into(invoices::table)
        .values(new)
        .returning(Invoice::as_returning())
        .get_result(conn)
        .map_err(|e| match e {
            diesel::result::Error::DatabaseError(
                diesel::result::DatabaseErrorKind::UniqueViolation,
                ref info,
            ) if info.constraint_name() == Some("invoices_number") => AppError::AlreadyExists {
                field: "number".into(),
                msg: taken(&new.code, &new.number),
            },
            other => other.into(),
        })?;
    let lines: Vec<InvoiceOrder> = covered
        .iter()
        .map(|(order_id, amount)| InvoiceOrder {
            invoice_id: row.id,
            order_id: *order_id,
            amount: *amount,
        })
        .collect();
    diesel::insert_into(invoice_orders::table)
        .values(&lines)
        .execute(conn)?;
    Ok((row, lines))
}

/// Invoice `id` (no scope check: callers check its customer).
pub fn get(conn: &mut PgConnection, id: i64) -> AppResult<Invoice> {
    invoices::table
        .find(id)
        .select(Invoice::as_select())
        .first(conn)
        .optional()?
        .ok_or_else(not_found)
}

/// What the invoices `ids` cover, by invoice.
pub fn orders_of(
    conn: &mut PgConnection,
    ids: &[i64],
) -> AppResult<HashMap<i64, Vec<InvoiceOrder>>> {
    let rows: Vec<InvoiceOrder> = invoice_orders::table
        .filter(invoice_orders::invoice_id.eq_any(ids))
        .order((invoice_orders::invoice_id, invoice_orders::order_id))
        .select(InvoiceOrder::as_select())
        .load(conn)?;
    let mut out: HashMap<i64, Vec<InvoiceOrder>> = HashMap::new();
    for r in rows {
        out.entry(r.invoice_id).or_default().push(r);
    }
    Ok(out)
}

/// What red invoices have not yet taken back of each blue invoice among `blue_ids`: blue
/// id → (order id, CNY > 0) for each of its orders with something left, in its order
/// (none for one wholly reversed). Two queries for them all.
pub fn unreversed(
    conn: &mut PgConnection,
    blue_ids: &[i64],
) -> AppResult<HashMap<i64, Vec<(i64, Decimal)>>> {
    let reds: Vec<(i64, i64)> = invoices::table
        .filter(invoices::red_of_invoice_id.eq_any(blue_ids))
        .select((invoices::id, invoices::red_of_invoice_id.assume_not_null()))
        .load(conn)?;
    let mut ids: Vec<i64> = reds.iter().map(|(red, _)| *red).collect();
    ids.extend_from_slice(blue_ids);
    let mut lines = orders_of(conn, &ids)?;
    // (blue invoice, order) → what its red invoices took back (negative).
    let mut back: HashMap<(i64, i64), Decimal> = HashMap::new();
    for (red, blue) in reds {
        for line in lines.remove(&red).unwrap_or_default() {
            *back.entry((blue, line.order_id)).or_default() += line.amount;
        }
    }
    Ok(blue_ids
        .iter()
        .map(|blue| {
            let left = lines
                .remove(blue)
                .unwrap_or_default()
                .into_iter()
                .map(|l| {
                    let taken = back.get(&(*blue, l.order_id)).copied().unwrap_or_default();
                    (l.order_id, l.amount + taken)
                })
                .filter(|(_, left)| *left > Decimal::ZERO)
                .collect();
            (*blue, left)
        })
        .collect())
}
