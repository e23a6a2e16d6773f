//! Finance operations (spec "Order management" 5–6, customer items 12–13, §4 "One
//! ledger"): posting shipments and deductions to the receivables ledger, payments and
//! their allocation, reversals, settlement of credit on account, ageing, statements,
//! reconciled periods, the arrears list, credit hold, invoices.
//!
//! Invariants kept here, under the customer's ledger lock ([`lock_ledger`]):
//! - every shipment's outstanding amount is ≥ 0 after each transaction;
//! - credit stays on account only while the customer has no open shipment it could pay;
//! - nothing is dated on or before the end of the customer's latest reconciled period.
//!
//! Locking order: the customer's ledger lock first, then the order, shipment or payment
//! rows, then the audit chain. Every operation that posts takes the ledger lock before
//! anything else, so two of them never wait on each other in opposite orders.

use std::cmp::{max, min};
use std::collections::{BTreeSet, HashMap, HashSet};

use chrono::NaiveDate;
use diesel::PgConnection;
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Bool, Date, Nullable, Numeric, Text};
use pharmacrm_shared::money::{Decimal, to_wire};
use pharmacrm_shared::validation;
use serde::Serialize;

use crate::access;
use crate::db::lock::{self, Lock};
use crate::db::models::customer::{self, Customer};
use crate::db::models::document_counter::{DocumentKind, next_number};
use crate::db::models::invoice::{self, Invoice, InvoiceOrder, NewInvoice};
use crate::db::models::ledger::{self, NewEntry, NewReconciliation, Reconciliation, kind};
use crate::db::models::order::Order;
use crate::db::models::payment::{self, NewPayment, Payment};
use crate::db::models::request_id::{self, RequestId};
use crate::db::models::shipment::Shipment;
use crate::db::models::transport_exception::TransportException;
use crate::db::models::write_off::{self, NewWriteOff, WriteOff};
use crate::db::models::{
    Grants, WriteCtx, company_settings, contains_pattern, department, display_names,
    display_names_and_departed, invoicing_entity, user,
};
use crate::db::schema::{
    customers, invoicing_entities, orders, payments, receivable_entries, shipments,
    transport_exceptions, users,
};
use crate::db::scope::{self, OfCustomer, Reps};
use crate::db::sql::{Sql, Value};
use crate::db::versioned::{Versioned, check_fresh};
use crate::error::{AppError, AppResult, FieldCheck, Msg};
use crate::messages::{Lang, Money, per_lang};
use crate::msg;

/// A payment or invoice of 10^12 CNY or more is refused (NUMERIC(14, 2)).
const MAX_AMOUNT: i64 = 1_000_000_000_000;

/// Locks customer `customer_id`'s ledger for the rest of the transaction. Every
/// operation that posts entries takes it first (see the module's locking order).
pub fn lock_ledger(conn: &mut PgConnection, customer_id: i64) -> AppResult<()> {
    lock::take(conn, Lock::Ledger(customer_id))
}

fn by_user(ctx: &WriteCtx<'_>) -> Option<i64> {
    ctx.actor.user_id
}

// ---------------------------------------------------------------------------------------
// Posting from the order module

/// Posts shipment `s` of `order` as owed (a debit due on ship date + the order's credit
/// days) and lets credit on account pay it. Replacements owe nothing and post nothing. A
/// shipment of free goods only (赠品, every line at price 0) owes nothing either: it posts
/// nothing to the ledger, only its sales lines (amount 0) for the reports. The caller
/// holds the ledger lock. FAILED_PRECONDITION when the ship date falls in a reconciled
/// period.
pub fn post_shipment(
    conn: &mut PgConnection,
    ctx: WriteCtx<'_>,
    order: &Order,
    s: &Shipment,
) -> AppResult<()> {
    if s.replacement_of_exception_id.is_some() {
        return Ok(());
    }
    // Free goods too: their units are sales of the period, which is confirmed.
    ledger::require_open(conn, order.customer_id, s.ship_date)?;
    if s.amount.is_zero() {
        diesel::sql_query("SELECT sales_lines_post_free_shipment($1)")
            .bind::<BigInt, _>(s.id)
            .execute(conn)?;
        return Ok(());
    }
    ledger::post(
        conn,
        &[NewEntry {
            customer_id: order.customer_id,
            entry_date: s.ship_date,
            kind: kind::SHIPMENT,
            document_no: s.number.clone(),
            shipment_id: Some(s.id),
            order_id: Some(order.id),
            due_date: Some(due_date(order, s.ship_date)),
            exception_id: None,
            payment_id: None,
            write_off_id: None,
            amount: s.amount,
            sales_rep_id: order.sales_rep_id,
            handler_id: order.sales_rep_id,
            created_by: by_user(&ctx),
        }],
    )?;
    settle(conn, ctx, order.customer_id, s.ship_date)
}

/// A shipment's due date: ship date + the order's credit days.
fn due_date(order: &Order, ship_date: NaiveDate) -> NaiveDate {
    ship_date + chrono::Days::new(u64::try_from(order.credit_days).unwrap_or(0))
}

/// Posts exception `e` decided "deduct" on `today`: its value comes off the original
/// shipment it concerns (through replacements back to the shipment that was owed). A
/// deduction on a shipment already paid puts the payment's money back on account, where
/// it pays the customer's other open shipments. A deduction of free units only (value 0)
/// posts nothing to the ledger, only its sales lines (negative units, amount 0). The
/// caller holds the ledger lock.
pub fn post_deduction(
    conn: &mut PgConnection,
    ctx: WriteCtx<'_>,
    order: &Order,
    e: &TransportException,
    today: NaiveDate,
) -> AppResult<()> {
    if e.value.is_zero() {
        diesel::sql_query("SELECT sales_lines_post_free_deduction($1, $2)")
            .bind::<BigInt, _>(e.id)
            .bind::<Date, _>(today)
            .execute(conn)?;
        return Ok(());
    }
    let mut target = shipment_row(conn, e.shipment_id)?;
    while let Some(replaced) = target.replacement_of_exception_id {
        let original: i64 = transport_exceptions::table
            .find(replaced)
            .select(transport_exceptions::shipment_id)
            .first(conn)?;
        target = shipment_row(conn, original)?;
    }
    ledger::require_open(conn, order.customer_id, today)?;
    ledger::post(
        conn,
        &[NewEntry {
            customer_id: order.customer_id,
            entry_date: today,
            kind: kind::DEDUCTION,
            document_no: e.number.clone(),
            shipment_id: Some(target.id),
            order_id: Some(order.id),
            due_date: Some(due_date(order, target.ship_date)),
            exception_id: Some(e.id),
            payment_id: None,
            write_off_id: None,
            amount: -e.value,
            sales_rep_id: order.sales_rep_id,
            handler_id: order.sales_rep_id,
            created_by: by_user(&ctx),
        }],
    )?;
    settle(conn, ctx, order.customer_id, today)
}

fn shipment_row(conn: &mut PgConnection, id: i64) -> AppResult<Shipment> {
    Ok(shipments::table
        .find(id)
        .select(Shipment::as_select())
        .first(conn)?)
}

// ---------------------------------------------------------------------------------------
// Settlement

/// Payments by id, loaded once per settlement.
struct PaymentCache(HashMap<i64, Payment>);

impl PaymentCache {
    fn get(&mut self, conn: &mut PgConnection, id: i64) -> AppResult<&Payment> {
        if let std::collections::hash_map::Entry::Vacant(e) = self.0.entry(id) {
            e.insert(
                payments::table
                    .find(id)
                    .select(Payment::as_select())
                    .first(conn)?,
            );
        }
        Ok(&self.0[&id])
    }
}

/// A pair of settlement entries moving `amount` of payment `p`'s credit from `from` to
/// `to` (each a shipment document or on account), dated `date`.
fn settlement_pair(
    customer_id: i64,
    p: &Payment,
    from: Option<&ledger::OpenDocument>,
    to: Option<&ledger::OpenDocument>,
    amount: Decimal,
    date: NaiveDate,
    created_by: Option<i64>,
) -> [NewEntry; 2] {
    let entry = |doc: Option<&ledger::OpenDocument>, amount: Decimal| NewEntry {
        customer_id,
        entry_date: date,
        kind: kind::SETTLEMENT,
        document_no: p.number.clone(),
        shipment_id: doc.map(|d| d.shipment_id),
        order_id: doc.map(|d| d.order_id),
        due_date: doc.map(|d| d.due_date),
        exception_id: None,
        payment_id: Some(p.id),
        write_off_id: None,
        amount,
        sales_rep_id: p.sales_rep_id,
        handler_id: p.handler_id,
        created_by,
    };
    // Credit is negative: taking it off `from` is +amount there, −amount at `to`.
    [entry(from, amount), entry(to, -amount)]
}

/// Restores the ledger's invariants for `customer_id` after a movement dated `on`:
/// a shipment overpaid (by a deduction) first gives back what was written off on it,
/// latest write-off first (less is owed, so less needs writing off: the money received
/// stays where it went), then gives the excess back on account, latest payment first;
/// credit on account then pays open shipments, oldest payment to oldest due date.
/// Each settlement is dated the latest of `on`, the shipment's date and the payment's.
fn settle(
    conn: &mut PgConnection,
    ctx: WriteCtx<'_>,
    customer_id: i64,
    on: NaiveDate,
) -> AppResult<()> {
    let created_by = by_user(&ctx);
    let mut cache = PaymentCache(HashMap::new());
    let mut entries = Vec::new();
    for doc in ledger::documents(conn, customer_id)?
        .iter()
        .filter(|d| d.outstanding < Decimal::ZERO)
    {
        let mut excess = -doc.outstanding;
        for (id, net) in ledger::write_offs_on(conn, doc.shipment_id)? {
            if excess.is_zero() {
                break;
            }
            let take = min(excess, net);
            let w = WriteOff::lock(conn, id)?;
            let order = Order::get(conn, doc.order_id)?;
            let mut entry =
                write_off_entry(&w, &order, doc.due_date, max(on, w.write_off_date), take);
            entry.created_by = created_by;
            entries.push(entry);
            excess -= take;
        }
        for net in ledger::payments_on(conn, doc.shipment_id)? {
            if excess.is_zero() {
                break;
            }
            let take = min(excess, -net.net);
            let p = cache.get(conn, net.payment_id)?;
            let date = max(max(on, doc.ship_date), p.payment_date);
            entries.extend(settlement_pair(
                customer_id,
                p,
                Some(doc),
                None,
                take,
                date,
                created_by,
            ));
            excess -= take;
        }
    }
    ledger::post(conn, &entries)?;
    entries.clear();

    let credits = ledger::on_account(conn, customer_id)?;
    if credits.is_empty() {
        return Ok(());
    }
    let docs: Vec<ledger::OpenDocument> = ledger::documents(conn, customer_id)?
        .into_iter()
        .filter(|d| d.outstanding > Decimal::ZERO)
        .collect();
    let mut docs = docs.iter().map(|d| (d, d.outstanding)).peekable();
    'credits: for (payment_id, mut credit) in credits {
        let p = cache.get(conn, payment_id)?.clone();
        while !credit.is_zero() {
            let Some((doc, open)) = docs.peek_mut() else {
                break 'credits;
            };
            let take = min(credit, *open);
            let date = max(max(on, doc.ship_date), p.payment_date);
            entries.extend(settlement_pair(
                customer_id,
                &p,
                None,
                Some(doc),
                take,
                date,
                created_by,
            ));
            credit -= take;
            *open -= take;
            if open.is_zero() {
                docs.next();
            }
        }
    }
    ledger::post(conn, &entries)
}

// ---------------------------------------------------------------------------------------
// Payments

/// A payment as the user entered it, validated for form by `convert::finance`.
#[derive(Debug, Clone)]
pub struct PaymentInput {
    pub customer_id: i64,
    pub payment_date: NaiveDate,
    /// CNY, > 0, 2 decimals.
    pub amount: Decimal,
    /// One of [`payment::METHODS`].
    pub method: String,
    pub reference: String,
    /// 经手人; `None` for the customer's sales rep.
    pub handler_id: Option<i64>,
    pub note: String,
    /// Orders to pay first: (order id, CNY > 0).
    pub allocations: Vec<(i64, Decimal)>,
    /// Record it even though [`payment::like`] finds one like it.
    pub confirm_not_duplicate: bool,
    /// The request's ID, if the caller gave one ([`record_payment`] answers a retry with
    /// the payment the first request recorded).
    pub request_id: Option<RequestId>,
}

#[derive(Serialize)]
struct PaymentRecord<'a> {
    #[serde(flatten)]
    payment: &'a Payment,
    allocations: Vec<(Option<i64>, Decimal)>,
}

/// Customer `id` if it is within `reps`' scope; NOT_FOUND otherwise.
pub(crate) fn customer_in_scope(
    conn: &mut PgConnection,
    reps: &Reps,
    id: i64,
) -> AppResult<Customer> {
    let found = customers::table
        .find(id)
        .select(Customer::as_select())
        .first(conn)
        .optional()?;
    match found {
        Some(c) if reps.covers(c.sales_rep_id, c.cs_rep_id) => Ok(c),
        _ => Err(AppError::not_found(msg!("customer.not_found"))),
    }
}

/// Records payment `input` (回款) and allocates it: the orders picked first (each order's
/// shipments oldest due first), then the customer's other open shipments oldest due
/// first, the rest on account. Only shipments dated on or before the payment date take
/// it. Audited as `payment.create`.
///
/// Errors: NOT_FOUND for a customer or order outside the scope (or not the customer's);
/// INVALID_ARGUMENT for allocations adding up to more than the amount (a date after
/// today is refused with the request's form, [`crate::convert::finance::payment_input`]);
/// FAILED_PRECONDITION when an allocation is more than is open on its order
/// (naming both amounts), the date falls in a reconciled period, or the customer has a
/// payment on record (not reversed) with the same date, amount and reference, or any
/// payment has the same non-empty bank reference (one bank receipt keyed twice, to two
/// customers or with another amount; references match case and white space aside,
/// [`payment::like`]), and the input does not confirm this is another (on
/// `confirm_not_duplicate`, naming it by number). With a request ID the caller recorded a
/// payment with before, the request is a retry: that payment is returned and nothing is
/// recorded; ALREADY_EXISTS on `request_id` when the ID came with another request.
pub fn record_payment(
    conn: &mut PgConnection,
    ctx: WriteCtx<'_>,
    reps: &Reps,
    input: &PaymentInput,
    today: NaiveDate,
) -> AppResult<Payment> {
    let customer = customer_in_scope(conn, reps, input.customer_id)?;
    lock_ledger(conn, customer.id)?;
    // A retry (its first attempt's answer lost) waited for the ledger; it is answered with
    // what the first recorded, before anything is judged against the ledger it changed.
    let request = input.request_id.as_ref();
    if let Some(recorded) = request_id::earlier(conn, ctx.actor.user_id, request, |p: &Payment| {
        msg!("payment.request_id_used", number = p.number.clone())
    })? {
        return Ok(recorded);
    }
    let mut check = FieldCheck::default();
    let picked: Decimal = input.allocations.iter().map(|(_, a)| *a).sum();
    if picked > input.amount {
        check.fail(
            "allocations",
            msg!(
                "payment.allocations_exceed",
                allocated = Money(picked),
                amount = Money(input.amount)
            ),
        );
    }
    // The 经手人 named is a person at work: not a disabled user, not a service account,
    // not the administrator account alone (as the handler lists offer them).
    if let Some(handler) = input.handler_id {
        let why = match user::person_status(conn, handler)? {
            None => Some(msg!("payment.handler_unknown")),
            Some((true, false)) if user::holds_working_position(conn, handler)? => None,
            Some(_) => Some(msg!("payment.handler_inactive")),
        };
        if let Some(why) = why {
            check.fail("handler_id", why);
        }
    }
    check.finish()?;
    ledger::require_open(conn, customer.id, input.payment_date)
        .map_err(|e| e.at("payment_date"))?;
    // Under the ledger lock: a second keying of the same receipt at the same moment waits
    // for the first and finds it.
    if !input.confirm_not_duplicate {
        let (date, amount) = (input.payment_date, input.amount);
        let (own, by_reference) = payment::like(conn, customer.id, date, amount, &input.reference)?;
        let numbers = |found: &[&payment::Like]| {
            let numbers: Vec<&str> = found.iter().map(|p| p.number.as_str()).collect();
            per_lang(numbers.join(", "), numbers.join("、"))
        };
        // Every one like it (a receipt confirmed once as another may be keyed again);
        // another customer's named by number only (it may be outside the caller's scope).
        let own: Vec<&payment::Like> = own.iter().collect();
        let elsewhere: Vec<&payment::Like> = by_reference
            .iter()
            .filter(|p| p.customer_id != customer.id)
            .filter(|p| (p.payment_date, p.amount) == (date, amount))
            .collect();
        let reference_used: Vec<&payment::Like> = by_reference.iter().collect();
        let msg = if !own.is_empty() {
            Some(msg!(
                "payment.possible_duplicate",
                numbers = numbers(&own),
                date = date,
                amount = Money(amount),
            ))
        } else if !elsewhere.is_empty() {
            Some(msg!(
                "payment.possible_duplicate_elsewhere",
                numbers = numbers(&elsewhere),
                date = date,
                amount = Money(amount),
            ))
        } else if !reference_used.is_empty() {
            let (reference, numbers) = (input.reference.clone(), numbers(&reference_used));
            // Said to be another customer's when it is: a receipt keyed to the wrong
            // customer is what the check is for.
            Some(
                if reference_used.iter().all(|p| p.customer_id != customer.id) {
                    msg!(
                        "payment.reference_used_elsewhere",
                        reference = reference,
                        numbers = numbers
                    )
                } else {
                    msg!(
                        "payment.reference_used",
                        reference = reference,
                        numbers = numbers
                    )
                },
            )
        } else {
            None
        };
        if let Some(msg) = msg {
            return Err(AppError::FailedPreconditionAt {
                field: "confirm_not_duplicate".into(),
                msg,
            });
        }
    }

    let new = NewPayment {
        number: next_number(conn, DocumentKind::Payment, today)?,
        customer_id: customer.id,
        payment_date: input.payment_date,
        amount: input.amount,
        method: input.method.clone(),
        reference: input.reference.clone(),
        handler_id: input.handler_id.unwrap_or(customer.sales_rep_id),
        sales_rep_id: customer.sales_rep_id,
        note: input.note.clone(),
        created_by: ctx.actor.user_id.unwrap_or_default(),
        updated_by: ctx.actor.user_id,
    };
    let row = payment::insert(conn, &new)?;
    request_id::record(conn, ctx.actor.user_id, request, &row)?;

    // Open shipments the payment can pay: dated on or before it.
    let mut open: Vec<(ledger::OpenDocument, Decimal)> = ledger::documents(conn, customer.id)?
        .into_iter()
        .filter(|d| d.outstanding > Decimal::ZERO && d.ship_date <= input.payment_date)
        .map(|d| {
            let o = d.outstanding;
            (d, o)
        })
        .collect();
    let mut plan: Vec<(Option<usize>, Decimal)> = Vec::new();
    for (i, (order_id, amount)) in input.allocations.iter().enumerate() {
        let order_no: Option<String> = orders::table
            .find(order_id)
            .filter(orders::customer_id.eq(customer.id))
            .select(orders::number)
            .first(conn)
            .optional()?;
        let Some(order_no) = order_no else {
            return Err(AppError::field(
                format!("allocations[{i}].order_id"),
                msg!("payment.order_not_of_customer"),
            ));
        };
        let on_order: Decimal = open
            .iter()
            .filter(|(d, _)| d.order_id == *order_id)
            .map(|(_, o)| *o)
            .sum();
        if *amount > on_order {
            return Err(AppError::precondition(msg!(
                "payment.over_allocated",
                number = order_no,
                amount = Money(*amount),
                open = Money(on_order)
            ))
            .at(format!("allocations[{i}].amount")));
        }
        let mut left = *amount;
        for (j, (d, o)) in open.iter_mut().enumerate() {
            if d.order_id != *order_id || o.is_zero() || left.is_zero() {
                continue;
            }
            let take = min(left, *o);
            plan.push((Some(j), take));
            *o -= take;
            left -= take;
        }
    }
    let mut left = input.amount - picked;
    for (j, (_, o)) in open.iter_mut().enumerate() {
        if left.is_zero() {
            break;
        }
        if o.is_zero() {
            continue;
        }
        let take = min(left, *o);
        plan.push((Some(j), take));
        *o -= take;
        left -= take;
    }
    if !left.is_zero() {
        plan.push((None, left));
    }
    let entries: Vec<NewEntry> = plan
        .iter()
        .map(|(doc, amount)| {
            let doc = doc.map(|j| &open[j].0);
            NewEntry {
                customer_id: customer.id,
                entry_date: row.payment_date,
                kind: kind::PAYMENT,
                document_no: row.number.clone(),
                shipment_id: doc.map(|d| d.shipment_id),
                order_id: doc.map(|d| d.order_id),
                due_date: doc.map(|d| d.due_date),
                exception_id: None,
                payment_id: Some(row.id),
                write_off_id: None,
                amount: -*amount,
                sales_rep_id: row.sales_rep_id,
                handler_id: row.handler_id,
                created_by: by_user(&ctx),
            }
        })
        .collect();
    // A balance the amount would carry past what is kept (error.amount_overflow) is the
    // amount's fault.
    ledger::post(conn, &entries).map_err(|e| e.at("amount"))?;
    settle(conn, ctx, customer.id, row.payment_date)?;
    ctx.audit_change(
        conn,
        "payment.create",
        Payment::OBJECT,
        row.id,
        None,
        Some(&PaymentRecord {
            payment: &row,
            allocations: entries.iter().map(|e| (e.order_id, -e.amount)).collect(),
        }),
    )?;
    Ok(row)
}

/// Reverses payment `id` on business date `date` (default today) for `reason`: its net
/// entries on every shipment and on account are negated, and the shipments it paid are
/// open again. Audited as `payment.reverse`.
///
/// Errors: NOT_FOUND outside the scope; ABORTED on a stale version; FAILED_PRECONDITION
/// when already reversed or the date falls in a reconciled period; INVALID_ARGUMENT for
/// a date after today, or before the payment's or the latest of its settlements.
#[allow(clippy::too_many_arguments)]
pub fn reverse_payment(
    conn: &mut PgConnection,
    ctx: WriteCtx<'_>,
    reps: &Reps,
    id: i64,
    version: i32,
    reason: &str,
    date: Option<NaiveDate>,
    today: NaiveDate,
) -> AppResult<Payment> {
    let peek = payment::find(conn, reps, id, false)?;
    lock_ledger(conn, peek.customer_id)?;
    let before = payment::find(conn, reps, id, true)?;
    // Before the version: a reversal sent again (its answer lost) is told it was done,
    // not that someone changed the payment (its own reversal did).
    if before.reversed_at.is_some() {
        return Err(AppError::precondition(msg!(
            "payment.already_reversed",
            number = before.number
        )));
    }
    check_fresh(conn, version, &before)?;
    let date = date.unwrap_or(today);
    // Not before what it undoes: money that came in on account may have settled a
    // shipment days later, and a reversal dated earlier would age that shipment as owed
    // before it had shipped.
    let earliest = ledger::last_entry_date(conn, before.id)?
        .map_or(before.payment_date, |d| d.max(before.payment_date));
    if date > today {
        return Err(AppError::field(
            "reversal_date",
            crate::messages::after_today(today),
        ));
    }
    if date < earliest {
        return Err(AppError::field(
            "reversal_date",
            msg!("payment.reversal_too_early", date = earliest),
        ));
    }
    ledger::require_open(conn, before.customer_id, date).map_err(|e| e.at("reversal_date"))?;
    let entries: Vec<NewEntry> = ledger::payment_nets(conn, &[before.id], false)?
        .into_iter()
        .map(|n| NewEntry {
            customer_id: before.customer_id,
            entry_date: date,
            kind: kind::REVERSAL,
            document_no: before.number.clone(),
            shipment_id: n.shipment_id,
            order_id: n.order_id,
            due_date: n.due_date,
            exception_id: None,
            payment_id: Some(before.id),
            write_off_id: None,
            amount: -n.net,
            sales_rep_id: before.sales_rep_id,
            handler_id: before.handler_id,
            created_by: by_user(&ctx),
        })
        .collect();
    ledger::post(conn, &entries)?;
    let after = payment::mark_reversed(conn, ctx, &before, date, reason)?;
    settle(conn, ctx, before.customer_id, date)?;
    crate::db::versioned::audit(conn, ctx, "reverse", Some(&before), Some(&after))?;
    Ok(after)
}

/// Where a payment's money is now (a reversed payment's: where it was when reversed).
#[derive(Debug, Clone)]
pub struct AllocationView {
    /// `None` on account.
    pub order: Option<(i64, String)>,
    pub shipment: Option<(i64, String)>,
    /// CNY, > 0.
    pub amount: Decimal,
}

/// A payment with its names and allocations.
#[derive(Debug, Clone)]
pub struct PaymentView {
    pub payment: Payment,
    pub customer_name: String,
    pub handler_name: String,
    pub sales_rep_name: String,
    /// Whether the handler's and the sales rep's accounts are disabled (they left).
    pub handler_inactive: bool,
    pub sales_rep_inactive: bool,
    pub created_by_name: String,
    /// Who reversed it; empty when it was not reversed.
    pub reversed_by_name: String,
    pub allocations: Vec<AllocationView>,
    /// Credit still on account, CNY ≥ 0.
    pub unallocated: Decimal,
}

/// The views of `rows`: names and current allocations (of a reversed payment, those it
/// had when it was reversed).
pub fn payment_views(conn: &mut PgConnection, rows: Vec<Payment>) -> AppResult<Vec<PaymentView>> {
    let (reversed, standing): (Vec<&Payment>, Vec<&Payment>) =
        rows.iter().partition(|p| p.reversed_at.is_some());
    let ids = |ps: &[&Payment]| ps.iter().map(|p| p.id).collect::<Vec<i64>>();
    let mut nets = ledger::payment_nets(conn, &ids(&standing), false)?;
    nets.extend(ledger::payment_nets(conn, &ids(&reversed), true)?);
    let shipment_ids: Vec<i64> = nets.iter().filter_map(|n| n.shipment_id).collect();
    let numbers: HashMap<i64, (i64, String, String)> = shipments::table
        .inner_join(orders::table)
        .filter(shipments::id.eq_any(&shipment_ids))
        .select((shipments::id, orders::id, orders::number, shipments::number))
        .load::<(i64, i64, String, String)>(conn)?
        .into_iter()
        .map(|(s, o, on, sn)| (s, (o, on, sn)))
        .collect();
    let people: Vec<i64> = rows
        .iter()
        .flat_map(|p| [p.handler_id, p.sales_rep_id, p.created_by])
        .chain(rows.iter().filter_map(|p| p.reversed_by))
        .collect();
    let (names, inactive) = display_names_and_departed(conn, &people)?;
    let customer_ids: Vec<i64> = rows.iter().map(|p| p.customer_id).collect();
    let customer_names = customer_names(conn, &customer_ids)?;
    let name = |id: i64| names.get(&id).cloned().unwrap_or_default();
    Ok(rows
        .into_iter()
        .map(|p| {
            let mine: Vec<&ledger::PaymentNet> =
                nets.iter().filter(|n| n.payment_id == p.id).collect();
            let mut allocations: Vec<AllocationView> = mine
                .iter()
                .filter(|n| n.shipment_id.is_some() && n.net < Decimal::ZERO)
                .map(|n| {
                    let (o, on, sn) = n
                        .shipment_id
                        .and_then(|s| numbers.get(&s).cloned())
                        .unwrap_or_default();
                    AllocationView {
                        order: Some((o, on)),
                        shipment: n.shipment_id.map(|s| (s, sn)),
                        amount: -n.net,
                    }
                })
                .collect();
            // Oldest first: by order, then shipment (their numbers carry their dates).
            let numbers_of = |a: &AllocationView| {
                let number = |d: &Option<(i64, String)>| d.as_ref().map(|(_, n)| n.clone());
                (number(&a.order), number(&a.shipment))
            };
            allocations.sort_by_key(numbers_of);
            let unallocated = -mine
                .iter()
                .filter(|n| n.shipment_id.is_none())
                .map(|n| n.net)
                .sum::<Decimal>();
            PaymentView {
                customer_name: customer_names
                    .get(&p.customer_id)
                    .cloned()
                    .unwrap_or_default(),
                handler_name: name(p.handler_id),
                sales_rep_name: name(p.sales_rep_id),
                handler_inactive: inactive.contains(&p.handler_id),
                sales_rep_inactive: inactive.contains(&p.sales_rep_id),
                created_by_name: name(p.created_by),
                reversed_by_name: p.reversed_by.map(name).unwrap_or_default(),
                allocations,
                unallocated: max(unallocated, Decimal::ZERO),
                payment: p,
            }
        })
        .collect())
}

fn customer_names(conn: &mut PgConnection, ids: &[i64]) -> AppResult<HashMap<i64, String>> {
    Ok(customers::table
        .filter(customers::id.eq_any(ids))
        .select((customers::id, customers::name))
        .load::<(i64, String)>(conn)?
        .into_iter()
        .collect())
}

/// `q` (a boxed query on `$table`) kept to the customers `reps` covers, and to customer
/// `customer` when given: the scope of the payment and invoice lists.
macro_rules! scoped {
    ($q:expr, $table:ident, $reps:expr, $customer:expr) => {{
        let mut q = $q;
        if let Reps::Only(ids) = $reps {
            q = q.filter($table::customer_id.eq_any(scope::customers_served_by(ids.clone())));
        }
        if let Some(c) = $customer {
            q = q.filter($table::customer_id.eq(c));
        }
        q
    }};
}

/// A payment search's filters.
#[derive(Debug, Clone, Default)]
pub struct PaymentFilter {
    pub customer_id: Option<i64>,
    /// Any part of its number (PY…) or of its bank reference (凭证号), any case, the
    /// reference's white space aside ([`payment::number_or_reference_contains`]); empty
    /// for any.
    pub number: String,
    pub date_from: Option<NaiveDate>,
    pub date_to: Option<NaiveDate>,
    pub handler_id: Option<i64>,
}

/// The payments `f` matches within `reps`.
fn payments_matching(
    reps: &Reps,
    f: &PaymentFilter,
) -> payments::BoxedQuery<'static, diesel::pg::Pg> {
    let mut q = payments::table.into_boxed::<diesel::pg::Pg>();
    q = scoped!(q, payments, reps, f.customer_id);
    if !f.number.is_empty() {
        q = q.filter(payment::number_or_reference_contains(&f.number));
    }
    if let Some(d) = f.date_from {
        q = q.filter(payments::payment_date.ge(d));
    }
    if let Some(d) = f.date_to {
        q = q.filter(payments::payment_date.le(d));
    }
    if let Some(h) = f.handler_id {
        q = q.filter(payments::handler_id.eq(h));
    }
    q
}

/// Payments within the scope, newest first: (page, count of all matches, Σ amount of
/// the matches not reversed). NOT_FOUND for a customer named outside the scope.
pub fn list_payments(
    conn: &mut PgConnection,
    reps: &Reps,
    f: &PaymentFilter,
    offset: i64,
    limit: i64,
) -> AppResult<(Vec<PaymentView>, i64, Decimal)> {
    if let Some(c) = f.customer_id {
        customer_in_scope(conn, reps, c)?;
    }
    user_named(conn, "handler_id", f.handler_id)?;
    let query = || payments_matching(reps, f);
    let total: i64 = query().count().get_result(conn)?;
    let sum: Option<Decimal> = query()
        .filter(payments::reversed_at.is_null())
        .select(diesel::dsl::sum(payments::amount))
        .first(conn)?;
    let rows = query()
        .order((payments::payment_date.desc(), payments::id.desc()))
        .offset(offset)
        .limit(limit)
        .select(Payment::as_select())
        .load(conn)?;
    Ok((payment_views(conn, rows)?, total, sum.unwrap_or_default()))
}

// ---------------------------------------------------------------------------------------
// Write-offs

/// A write-off as the user entered it, validated for form by `convert::finance`.
#[derive(Debug, Clone)]
pub struct WriteOffInput {
    /// The customer the caller means; `None` when not said.
    pub customer_id: Option<i64>,
    /// The shipment whose receivable is written down.
    pub shipment_id: i64,
    /// CNY, > 0, 2 decimals.
    pub amount: Decimal,
    /// One of [`write_off::REASON_KINDS`].
    pub reason_kind: &'static str,
    /// Why, required.
    pub reason: String,
    /// The request's ID, if the caller gave one ([`write_off`] answers a retry with the
    /// write-off the first request made).
    pub request_id: Option<RequestId>,
}

/// Writes `input.amount` off shipment `input.shipment_id`'s receivable on `today` (应收核销):
/// a `write_off` ledger entry under a new WO… document, credited to the order's sales rep
/// as 经手人, like a deduction. It is not a sale returned: the sales reports keep the
/// shipment's goods as sold. Audited as `write_off.create`.
///
/// Errors: NOT_FOUND for a shipment outside the scope; INVALID_ARGUMENT on `shipment_id`
/// when it is not the customer `input.customer_id` names; FAILED_PRECONDITION when nothing is
/// owed on the shipment (paid, written off, a replacement, free goods), on `amount` when
/// it is more than is owed (naming both amounts), and when today falls in a reconciled
/// period; ALREADY_EXISTS on `request_id` when the caller's ID came with another request
/// (with the same request, the write-off it made is returned).
pub fn write_off(
    conn: &mut PgConnection,
    ctx: WriteCtx<'_>,
    reps: &Reps,
    input: &WriteOffInput,
    today: NaiveDate,
) -> AppResult<WriteOff> {
    let peek: Shipment = crate::db::models::shipment::find(conn, reps, input.shipment_id, false)?;
    // A mistyped shipment id: another customer's debt is not written down.
    if input.customer_id.is_some_and(|c| c != peek.customer_id) {
        let whose = customer_names(conn, &[peek.customer_id])?
            .remove(&peek.customer_id)
            .unwrap_or_default();
        return Err(AppError::field(
            "shipment_id",
            msg!(
                "write_off.other_customers_shipment",
                number = peek.number.clone(),
                customer = whose
            ),
        ));
    }
    lock_ledger(conn, peek.customer_id)?;
    // A retry (its first attempt's answer lost) waited for the ledger; it is answered with
    // what the first made, before the amount is judged against what is owed now.
    let request = input.request_id.as_ref();
    if let Some(made) = request_id::earlier(conn, ctx.actor.user_id, request, |w: &WriteOff| {
        msg!("write_off.request_id_used", number = w.number.clone())
    })? {
        return Ok(made);
    }
    let doc = ledger::documents(conn, peek.customer_id)?
        .into_iter()
        .find(|d| d.shipment_id == peek.id);
    let open = doc.as_ref().map_or(Decimal::ZERO, |d| d.outstanding);
    let (Some(doc), true) = (doc, open > Decimal::ZERO) else {
        return Err(AppError::precondition(msg!(
            "write_off.nothing_owed",
            number = peek.number.clone()
        )));
    };
    if input.amount > open {
        return Err(AppError::precondition(msg!(
            "write_off.more_than_owed",
            amount = Money(input.amount),
            open = Money(open),
            number = peek.number.clone()
        ))
        .at("amount"));
    }
    ledger::require_open(conn, peek.customer_id, today)?;
    let order = Order::get(conn, peek.order_id)?;
    let created_by = ctx.actor.user_id.unwrap_or_default();
    let number = next_number(conn, DocumentKind::WriteOff, today)?;
    let row = write_off::insert(
        conn,
        &NewWriteOff {
            number,
            customer_id: peek.customer_id,
            shipment_id: peek.id,
            order_id: order.id,
            write_off_date: today,
            amount: input.amount,
            reason_kind: input.reason_kind.to_owned(),
            reason: input.reason.clone(),
            created_by,
            updated_by: Some(created_by),
        },
    )?;
    request_id::record(conn, ctx.actor.user_id, request, &row)?;
    ledger::post(
        conn,
        &[write_off_entry(
            &row,
            &order,
            doc.due_date,
            today,
            -row.amount,
        )],
    )?;
    crate::db::versioned::audit(conn, ctx, "create", None, Some(&row))?;
    Ok(row)
}

/// The ledger entry of write-off `w` on `date` (its shipment due on `due`): `amount` < 0
/// writes off, > 0 reverses.
fn write_off_entry(
    w: &WriteOff,
    order: &Order,
    due: NaiveDate,
    date: NaiveDate,
    amount: Decimal,
) -> NewEntry {
    NewEntry {
        customer_id: w.customer_id,
        entry_date: date,
        kind: if amount < Decimal::ZERO {
            kind::WRITE_OFF
        } else {
            kind::WRITE_OFF_REVERSAL
        },
        document_no: w.number.clone(),
        shipment_id: Some(w.shipment_id),
        order_id: Some(order.id),
        due_date: Some(due),
        exception_id: None,
        payment_id: None,
        write_off_id: Some(w.id),
        amount,
        sales_rep_id: order.sales_rep_id,
        handler_id: order.sales_rep_id,
        created_by: Some(w.created_by),
    }
}

/// Reverses write-off `id` (a correction) on `today`: its amount is owed on the shipment
/// again (a `write_off_reversal` entry), which credit on account then pays. Audited as
/// `write_off.reverse`.
///
/// Errors: NOT_FOUND outside the scope; ABORTED on a stale version; FAILED_PRECONDITION
/// when already reversed or today falls in a reconciled period.
pub fn reverse_write_off(
    conn: &mut PgConnection,
    ctx: WriteCtx<'_>,
    reps: &Reps,
    id: i64,
    version: i32,
    reason: &str,
    today: NaiveDate,
) -> AppResult<WriteOff> {
    let peek = write_off::find(conn, reps, id, false)?;
    lock_ledger(conn, peek.customer_id)?;
    let before = write_off::find(conn, reps, id, true)?;
    // Said before a stale version: a reversal sent again finds it done, not changed.
    if before.reversed_at.is_some() {
        return Err(AppError::precondition(msg!(
            "write_off.already_reversed",
            number = before.number.clone()
        )));
    }
    check_fresh(conn, version, &before)?;
    ledger::require_open(conn, before.customer_id, today)?;
    let order = Order::get(conn, before.order_id)?;
    let shipment = shipment_row(conn, before.shipment_id)?;
    let due = due_date(&order, shipment.ship_date);
    // What it takes off now: a deduction since may have taken part of it back.
    let net = ledger::write_off_nets(conn, &[before.id])?
        .remove(&before.id)
        .unwrap_or_default();
    let after = write_off::mark_reversed(conn, ctx, &before, today, reason)?;
    let mut entry = write_off_entry(&before, &order, due, today, net);
    entry.created_by = by_user(&ctx);
    ledger::post(conn, &[entry])?;
    settle(conn, ctx, before.customer_id, today)?;
    crate::db::versioned::audit(conn, ctx, "reverse", Some(&before), Some(&after))?;
    Ok(after)
}

/// A write-off with the numbers and names it is shown with.
#[derive(Debug, Clone)]
pub struct WriteOffView {
    pub write_off: WriteOff,
    pub shipment_number: String,
    pub order_number: String,
    pub created_by_name: String,
    /// Empty while it stands.
    pub reversed_by_name: String,
    /// What it takes off the shipment now, CNY: its amount less what a deduction on the
    /// shipment since took back; 0 once reversed.
    pub in_effect: Decimal,
    pub customer_name: String,
}

/// A write-off search's filters.
#[derive(Debug, Clone, Default)]
pub struct WriteOffFilter {
    pub customer_id: Option<i64>,
    /// Business dates, both included.
    pub date_from: Option<NaiveDate>,
    pub date_to: Option<NaiveDate>,
    /// One of [`write_off::REASON_KINDS`]; `None` for any.
    pub reason_kind: Option<&'static str>,
}

/// The write-offs `f` matches within `reps`.
fn write_offs_matching(
    reps: &Reps,
    f: &WriteOffFilter,
) -> crate::db::schema::write_offs::BoxedQuery<'static, diesel::pg::Pg> {
    use crate::db::schema::write_offs;
    let mut q = write_offs::table.into_boxed::<diesel::pg::Pg>();
    q = scoped!(q, write_offs, reps, f.customer_id);
    if let Some(d) = f.date_from {
        q = q.filter(write_offs::write_off_date.ge(d));
    }
    if let Some(d) = f.date_to {
        q = q.filter(write_offs::write_off_date.le(d));
    }
    if let Some(k) = f.reason_kind {
        q = q.filter(write_offs::reason_kind.eq(k));
    }
    q
}

/// Write-offs within the scope (reversed ones too), the latest first: (page, count of all
/// matches, Σ of what the matches take off now, CNY). NOT_FOUND for a customer named
/// outside the scope.
pub fn list_write_offs(
    conn: &mut PgConnection,
    reps: &Reps,
    f: &WriteOffFilter,
    offset: i64,
    limit: i64,
) -> AppResult<(Vec<WriteOffView>, i64, Decimal)> {
    use crate::db::schema::write_offs;
    if let Some(c) = f.customer_id {
        customer_in_scope(conn, reps, c)?;
    }
    let query = || write_offs_matching(reps, f);
    let total: i64 = query().count().get_result(conn)?;
    // What the matches take off now: their ledger entries' net, in one query.
    let in_effect: Option<Decimal> = receivable_entries::table
        .filter(receivable_entries::write_off_id.eq_any(query().select(write_offs::id.nullable())))
        .select(diesel::dsl::sum(receivable_entries::amount))
        .first(conn)?;
    let in_effect = -in_effect.unwrap_or_default();
    let rows = query()
        .order((write_offs::write_off_date.desc(), write_offs::id.desc()))
        .offset(offset)
        .limit(limit)
        .select(WriteOff::as_select())
        .load(conn)?;
    Ok((write_off_views(conn, rows)?, total, in_effect))
}

/// The views of `rows`, in their order: shipment and order numbers, who wrote each off
/// and who reversed it.
pub fn write_off_views(
    conn: &mut PgConnection,
    rows: Vec<WriteOff>,
) -> AppResult<Vec<WriteOffView>> {
    let shipment_ids: Vec<i64> = rows.iter().map(|w| w.shipment_id).collect();
    let numbers: HashMap<i64, (String, String)> = shipments::table
        .inner_join(orders::table)
        .filter(shipments::id.eq_any(&shipment_ids))
        .select((shipments::id, shipments::number, orders::number))
        .load::<(i64, String, String)>(conn)?
        .into_iter()
        .map(|(id, s, o)| (id, (s, o)))
        .collect();
    let people: Vec<i64> = rows
        .iter()
        .flat_map(|w| [Some(w.created_by), w.reversed_by])
        .flatten()
        .collect();
    let names = display_names(conn, &people)?;
    let name = |id: Option<i64>| id.and_then(|i| names.get(&i).cloned()).unwrap_or_default();
    let ids: Vec<i64> = rows.iter().map(|w| w.id).collect();
    let nets = ledger::write_off_nets(conn, &ids)?;
    let customer_ids: Vec<i64> = rows.iter().map(|w| w.customer_id).collect();
    let customer_names = customer_names(conn, &customer_ids)?;
    Ok(rows
        .into_iter()
        .map(|w| {
            let (shipment_number, order_number) =
                numbers.get(&w.shipment_id).cloned().unwrap_or_default();
            WriteOffView {
                shipment_number,
                order_number,
                created_by_name: name(Some(w.created_by)),
                reversed_by_name: name(w.reversed_by),
                in_effect: nets.get(&w.id).copied().unwrap_or_default(),
                customer_name: customer_names
                    .get(&w.customer_id)
                    .cloned()
                    .unwrap_or_default(),
                write_off: w,
            }
        })
        .collect())
}

// ---------------------------------------------------------------------------------------
// Ageing, statements, arrears

/// Outstanding amounts by age as of a date, CNY (spec §4 "Ageing").
#[derive(Debug, Clone, Default, PartialEq, Eq, QueryableByName)]
pub struct Ageing {
    #[diesel(sql_type = Numeric)]
    pub not_due: Decimal,
    #[diesel(sql_type = Numeric)]
    pub days_1_to_30: Decimal,
    #[diesel(sql_type = Numeric)]
    pub days_31_to_60: Decimal,
    #[diesel(sql_type = Numeric)]
    pub days_61_to_90: Decimal,
    #[diesel(sql_type = Numeric)]
    pub over_90_days: Decimal,
    /// Credit on account, ≥ 0.
    #[diesel(sql_type = Numeric)]
    pub on_account: Decimal,
}

impl Ageing {
    /// Σ of the five buckets.
    pub fn outstanding(&self) -> Decimal {
        self.not_due + self.overdue()
    }

    /// Σ of the overdue buckets.
    pub fn overdue(&self) -> Decimal {
        self.days_1_to_30 + self.days_31_to_60 + self.days_61_to_90 + self.over_90_days
    }

    /// outstanding − credit on account.
    pub fn balance(&self) -> Decimal {
        self.outstanding() - self.on_account
    }

    fn add(&mut self, other: &Ageing) {
        self.not_due += other.not_due;
        self.days_1_to_30 += other.days_1_to_30;
        self.days_31_to_60 += other.days_31_to_60;
        self.days_61_to_90 += other.days_61_to_90;
        self.over_90_days += other.over_90_days;
        self.on_account += other.on_account;
    }
}

/// The five ageing buckets of [`Ageing`]: how many days past due (an SQL condition on
/// `as_of − due_date`) and the column's name. Not yet due: due on `as_of` or later; the
/// other four are overdue.
const BUCKETS: [(&str, &str); 5] = [
    ("<= 0", "not_due"),
    ("BETWEEN 1 AND 30", "days_1_to_30"),
    ("BETWEEN 31 AND 60", "days_31_to_60"),
    ("BETWEEN 61 AND 90", "days_61_to_90"),
    ("> 90", "over_90_days"),
];

/// The amount overdue of a row carrying the bucket columns of [`BUCKETS`] through `table`
/// (an alias and a dot): Σ of the four overdue buckets, as [`Ageing::overdue`] adds them.
fn overdue_of_buckets(table: &str) -> String {
    let overdue: Vec<String> = BUCKETS[1..]
        .iter()
        .map(|(_, name)| format!("{table}{name}"))
        .collect();
    format!("({})", overdue.join(" + "))
}

/// The ageing buckets ([`BUCKETS`]) as SQL select items: sums of the column `outstanding`
/// (CNY) by how many days `as_of` is past the column `due_date`, both read through
/// `table` (an alias and a dot, or empty).
fn bucket_sums(as_of: NaiveDate, table: &str) -> Sql {
    let mut sql = Sql::new("");
    for (i, (days, name)) in BUCKETS.into_iter().enumerate() {
        if i > 0 {
            sql.push(", ");
        }
        sql.push(&format!("coalesce(sum({table}outstanding) FILTER (WHERE "))
            .bind(Value::Date(as_of))
            .push(&format!(" - {table}due_date {days}), 0) AS {name}"));
    }
    sql
}

/// The ageing SQL over the customers `customers` (a sub-select of ids), as of `as_of`:
/// one row per customer with anything outstanding or on account, with the oldest
/// overdue due date. With `current` (`as_of` is today or later, so every entry counts)
/// the outstanding amounts come from `receivable_balances`, the trigger-kept sums of the
/// ledger; otherwise from the ledger's entries dated on or before `as_of`.
fn ageing_sql(customers: &Sql, as_of: NaiveDate, current: bool) -> Sql {
    let mut sql = Sql::new("WITH docs AS (");
    if current {
        sql.push(
            "SELECT customer_id, due_date, outstanding FROM receivable_balances
              WHERE outstanding <> 0 AND customer_id IN (",
        )
        .append(customers)
        .push(")");
    } else {
        sql.push(
            "SELECT customer_id, due_date, sum(amount) AS outstanding FROM receivable_entries
              WHERE shipment_id IS NOT NULL AND entry_date <= ",
        )
        .bind(Value::Date(as_of))
        .push(" AND customer_id IN (")
        .append(customers)
        .push(") GROUP BY customer_id, shipment_id, due_date HAVING sum(amount) <> 0");
    }
    sql.push(
        "),
         acct AS (
           SELECT customer_id, -sum(amount) AS on_account FROM receivable_entries
            WHERE shipment_id IS NULL AND entry_date <= ",
    )
    .bind(Value::Date(as_of))
    .push(" AND customer_id IN (")
    .append(customers)
    .push(
        ") GROUP BY customer_id HAVING sum(amount) <> 0),
         aged AS (
           SELECT customer_id, ",
    )
    .append(&bucket_sums(as_of, ""))
    .push(", min(due_date) FILTER (WHERE outstanding > 0 AND due_date < ")
    .bind(Value::Date(as_of))
    .push(
        ") AS oldest_overdue
             FROM docs GROUP BY customer_id)
         SELECT coalesce(a.customer_id, c.customer_id) AS customer_id,
                coalesce(a.not_due, 0) AS not_due, coalesce(a.days_1_to_30, 0) AS days_1_to_30,
                coalesce(a.days_31_to_60, 0) AS days_31_to_60, coalesce(a.days_61_to_90, 0) AS days_61_to_90,
                coalesce(a.over_90_days, 0) AS over_90_days, coalesce(c.on_account, 0) AS on_account,
                a.oldest_overdue
           FROM aged a FULL JOIN acct c ON c.customer_id = a.customer_id",
    );
    sql
}

#[derive(QueryableByName)]
struct AgeingRow {
    #[diesel(sql_type = BigInt)]
    customer_id: i64,
    #[diesel(embed)]
    ageing: Ageing,
    #[diesel(sql_type = Nullable<Date>)]
    oldest_overdue: Option<NaiveDate>,
}

fn ids_sql(ids: &[i64]) -> Sql {
    let mut sql = Sql::new("SELECT unnest(");
    sql.bind(Value::IntArray(ids.to_vec())).push(")");
    sql
}

/// The ageing of each of `customer_ids` as of `as_of` (customers owing nothing and
/// holding no credit are left out).
pub fn ageing_of(
    conn: &mut PgConnection,
    customer_ids: &[i64],
    as_of: NaiveDate,
    today: NaiveDate,
) -> AppResult<HashMap<i64, Ageing>> {
    let rows: Vec<AgeingRow> = ageing_sql(&ids_sql(customer_ids), as_of, as_of >= today)
        .query()
        .load(conn)?;
    Ok(rows
        .into_iter()
        .map(|r| (r.customer_id, r.ageing))
        .collect())
}

/// One customer's open items as of a business date: its shipments still owed on, oldest
/// due first, and its ageing.
#[derive(Debug, Clone)]
pub struct OpenItems {
    pub customer: Customer,
    pub items: Vec<ledger::OpenDocument>,
    pub ageing: Ageing,
}

/// Customer `customer_id`'s open items (未结明细) as of business date `today` (NOT_FOUND
/// outside the scope): what the arrears list sums for it, shipment by shipment.
pub fn open_items(
    conn: &mut PgConnection,
    reps: &Reps,
    customer_id: i64,
    today: NaiveDate,
) -> AppResult<OpenItems> {
    let customer = customer_in_scope(conn, reps, customer_id)?;
    let items = ledger::documents(conn, customer.id)?;
    let ageing = ageing_of(conn, &[customer.id], today, today)?
        .remove(&customer.id)
        .unwrap_or_default();
    Ok(OpenItems {
        customer,
        items,
        ageing,
    })
}

/// Customer `customer_id`'s reconciliations (对账记录), reopened ones too, the latest
/// period first, with the names of who confirmed and who reopened them (by user id).
///
/// Errors: NOT_FOUND outside the scope.
pub fn reconciliations(
    conn: &mut PgConnection,
    reps: &Reps,
    customer_id: i64,
) -> AppResult<(Vec<Reconciliation>, HashMap<i64, String>)> {
    let customer = customer_in_scope(conn, reps, customer_id)?;
    let rows = ledger::reconciliations_of(conn, customer.id)?;
    let people: Vec<i64> = rows
        .iter()
        .flat_map(|r| [Some(r.created_by), r.reopened_by])
        .flatten()
        .collect();
    let names = display_names(conn, &people)?;
    Ok((rows, names))
}

/// A statement's filters.
#[derive(Debug, Clone)]
pub struct StatementQuery {
    pub customer_id: Option<i64>,
    pub from: NaiveDate,
    pub to: NaiveDate,
    pub handler_id: Option<i64>,
    /// The business date now (the ageing as of `to` reads the kept balances from today
    /// on).
    pub today: NaiveDate,
}

impl StatementQuery {
    /// Whether the statement goes to its customer: one customer's, of every handler (its
    /// sheet then names us and who made it out, not our scope and logins, and ends with
    /// a block for the customer to confirm).
    pub fn goes_to_customer(&self) -> bool {
        self.customer_id.is_some() && self.handler_id.is_none()
    }

    /// The date the statement's ageing is as of: its end, or today for a period ending
    /// later (this month's statement asked for mid-month), so that nothing is called
    /// overdue that is not yet.
    pub fn ageing_date(&self) -> NaiveDate {
        self.to.min(self.today)
    }
}

/// One movement on a statement: one document (a payment's allocations summed).
#[derive(Debug, Clone, QueryableByName)]
pub struct MovementRow {
    #[diesel(sql_type = BigInt)]
    pub customer_id: i64,
    #[diesel(sql_type = Date)]
    pub entry_date: NaiveDate,
    #[diesel(sql_type = Text)]
    pub kind: String,
    #[diesel(sql_type = Text)]
    pub document_no: String,
    #[diesel(sql_type = Nullable<Text>)]
    pub order_no: Option<String>,
    #[diesel(sql_type = Nullable<Date>)]
    pub due_date: Option<NaiveDate>,
    /// Signed CNY: + debit, − credit.
    #[diesel(sql_type = Numeric)]
    pub amount: Decimal,
    #[diesel(sql_type = BigInt)]
    pub handler_id: i64,
}

/// One customer's statement.
#[derive(Debug, Clone)]
pub struct CustomerStatement {
    pub customer_id: i64,
    pub customer_name: String,
    pub sales_rep_name: String,
    pub opening: Decimal,
    /// The movements with the running balance after each.
    pub rows: Vec<(MovementRow, Decimal)>,
    pub debits: Decimal,
    pub credits: Decimal,
    pub closing: Decimal,
    /// As of the period's end, all handlers.
    pub ageing: Ageing,
    pub reconciled_through: Option<NaiveDate>,
}

/// A statement (对账单) with the whole selection's totals.
#[derive(Debug, Clone)]
pub struct Statement {
    pub query: StatementQuery,
    /// The one customer asked for (`query.customer_id`), by name, movements or not.
    pub customer_name: Option<String>,
    pub handler_name: String,
    pub customers: Vec<CustomerStatement>,
    pub opening: Decimal,
    pub debits: Decimal,
    pub credits: Decimal,
    pub closing: Decimal,
    pub ageing: Ageing,
    /// Whether rows were left out past `row_cap` (the totals still count them).
    pub truncated: bool,
    /// User names by id (handlers, sales reps).
    pub names: HashMap<i64, String>,
    /// Those of `names` whose accounts are disabled (people who left): "（已停用）" goes
    /// after their names, since the documents they handled keep them.
    pub departed: HashSet<i64>,
}

impl Statement {
    /// Whether user `id` (a handler, a sales rep) has left (a disabled account).
    pub fn departed(&self, id: i64) -> bool {
        self.departed.contains(&id)
    }
}

/// INVALID_ARGUMENT on `field` when a filter names a user who does not exist (`id`): a
/// typing slip would list nothing, read as "nobody owes" or "no payments".
pub fn user_named(conn: &mut PgConnection, field: &'static str, id: Option<i64>) -> AppResult<()> {
    match id {
        Some(id)
            if !diesel::select(diesel::dsl::exists(users::table.find(id)))
                .get_result::<bool>(conn)? =>
        {
            Err(AppError::field(field, msg!("payment.handler_unknown")))
        }
        _ => Ok(()),
    }
}

/// The condition "entries of the selection" in SQL: customer(s) within scope, handler.
fn selection_sql(reps: &Reps, q: &StatementQuery) -> Sql {
    let mut sql = Sql::new("e.customer_id IN (SELECT cu.id FROM customers cu WHERE ");
    sql.append(&scope::customers_sql(reps, "cu")).push(")");
    if let Some(c) = q.customer_id {
        sql.push(" AND e.customer_id = ").bind(Value::Int(c));
    }
    if let Some(h) = q.handler_id {
        sql.push(" AND e.handler_id = ").bind(Value::Int(h));
    }
    sql
}

/// The statement for `q` within the scope: opening balance (entries before the period),
/// every movement in the period but settlements, in date order with a running balance,
/// debits, credits, closing balance, and the ageing as of the period's end; at most
/// `row_cap` movements in all (`truncated` says when more exist).
///
/// Errors: NOT_FOUND for one customer outside the scope; INVALID_ARGUMENT on
/// `handler_id` for a user not on record (an empty answer would read as "all handlers,
/// nothing owed").
pub fn statement(
    conn: &mut PgConnection,
    reps: &Reps,
    q: &StatementQuery,
    row_cap: usize,
) -> AppResult<Statement> {
    let customer_name = match q.customer_id {
        Some(c) => Some(customer_in_scope(conn, reps, c)?.name),
        None => None,
    };
    user_named(conn, "handler_id", q.handler_id)?;
    #[derive(QueryableByName)]
    struct Totals {
        #[diesel(sql_type = BigInt)]
        customer_id: i64,
        #[diesel(sql_type = Numeric)]
        opening: Decimal,
        #[diesel(sql_type = Numeric)]
        debits: Decimal,
        #[diesel(sql_type = Numeric)]
        credits: Decimal,
    }
    let selection = selection_sql(reps, q);
    let totals_sql = if q.handler_id.is_none() {
        // Without a handler filter the opening balance is today's balance (the kept
        // balances and the credit on account) less everything dated from the period's
        // start on: only the entries since `from` are read, not the whole history.
        let mut customers = Sql::new("SELECT cu.id FROM customers cu WHERE ");
        customers.append(&scope::customers_sql(reps, "cu"));
        if let Some(c) = q.customer_id {
            customers.push(" AND cu.id = ").bind(Value::Int(c));
        }
        let mut sql = Sql::new(
            "WITH now AS (
               SELECT customer_id, outstanding AS amount FROM receivable_balances
                WHERE outstanding <> 0 AND customer_id IN (",
        );
        sql.append(&customers)
            .push(
                ")
               UNION ALL
               SELECT customer_id, amount FROM receivable_entries
                WHERE shipment_id IS NULL AND customer_id IN (",
            )
            .append(&customers)
            .push(
                ")),
             balance AS (SELECT customer_id, sum(amount) AS amount FROM now GROUP BY customer_id),
             since AS (
               SELECT e.customer_id, sum(e.amount) AS later,
                      coalesce(sum(e.amount) FILTER (WHERE e.amount > 0 AND e.kind <> 'settlement' AND e.entry_date <= ",
            )
            .bind(Value::Date(q.to))
            .push("), 0) AS debits, coalesce(-sum(e.amount) FILTER (WHERE e.amount < 0 AND e.kind <> 'settlement' AND e.entry_date <= ")
            .bind(Value::Date(q.to))
            .push("), 0) AS credits FROM receivable_entries e WHERE e.entry_date >= ")
            .bind(Value::Date(q.from))
            .push(" AND e.customer_id IN (")
            .append(&customers)
            .push(
                ") GROUP BY e.customer_id)
             SELECT coalesce(b.customer_id, s.customer_id) AS customer_id,
                    coalesce(b.amount, 0) - coalesce(s.later, 0) AS opening,
                    coalesce(s.debits, 0) AS debits, coalesce(s.credits, 0) AS credits
               FROM balance b FULL JOIN since s ON s.customer_id = b.customer_id",
            );
        sql
    } else {
        let mut sql = Sql::new(
            "SELECT e.customer_id,
                    coalesce(sum(e.amount) FILTER (WHERE e.entry_date < ",
        );
        sql.bind(Value::Date(q.from))
            .push("), 0) AS opening, coalesce(sum(e.amount) FILTER (WHERE e.amount > 0 AND e.kind <> 'settlement' AND e.entry_date >= ")
            .bind(Value::Date(q.from))
            .push("), 0) AS debits, coalesce(-sum(e.amount) FILTER (WHERE e.amount < 0 AND e.kind <> 'settlement' AND e.entry_date >= ")
            .bind(Value::Date(q.from))
            .push("), 0) AS credits FROM receivable_entries e WHERE e.entry_date <= ")
            .bind(Value::Date(q.to))
            .push(" AND ")
            .append(&selection)
            .push(" GROUP BY e.customer_id");
        sql
    };
    let totals: Vec<Totals> = totals_sql.query().load(conn)?;
    // Debits and credits above count entries, but a payment reversal and a shipment are
    // whole documents; rows below are per document. Both sum the same entries.
    let mut movements_sql = Sql::new(
        "SELECT e.customer_id, e.entry_date, e.kind, e.document_no,
                max(o.number) AS order_no,
                max(e.due_date) FILTER (WHERE e.kind = 'shipment') AS due_date,
                sum(e.amount) AS amount, e.handler_id
           FROM receivable_entries e
           LEFT JOIN orders o ON o.id = e.order_id
                                 AND e.kind IN ('shipment', 'deduction', 'write_off', 'write_off_reversal')
          WHERE e.kind <> 'settlement' AND e.entry_date BETWEEN ",
    );
    movements_sql
        .bind(Value::Date(q.from))
        .push(" AND ")
        .bind(Value::Date(q.to))
        .push(" AND ")
        .append(&selection)
        .push(
            " GROUP BY e.customer_id, e.entry_date, e.kind, e.document_no, e.handler_id,
                       CASE WHEN e.kind IN ('shipment', 'deduction', 'write_off', 'write_off_reversal')
                            THEN e.order_id END
             HAVING sum(e.amount) <> 0
              ORDER BY e.customer_id, e.entry_date, min(e.id) LIMIT ",
        )
        .bind(Value::Int(i64::try_from(row_cap).unwrap_or(i64::MAX) + 1));
    let mut movements: Vec<MovementRow> = movements_sql.query().load(conn)?;
    let truncated = movements.len() > row_cap;
    movements.truncate(row_cap);

    let ids: Vec<i64> = {
        let mut set: BTreeSet<i64> = totals
            .iter()
            .filter(|t| !t.opening.is_zero() || !t.debits.is_zero() || !t.credits.is_zero())
            .map(|t| t.customer_id)
            .collect();
        set.extend(movements.iter().map(|m| m.customer_id));
        // The one customer asked for shows even in a quiet period: its balances, and how
        // far it is reconciled, which the next reconciliation starts from.
        set.extend(q.customer_id);
        set.into_iter().collect()
    };
    let customers: Vec<(i64, String, i64)> = customers::table
        .filter(customers::id.eq_any(&ids))
        .order((customers::name, customers::id))
        .select((customers::id, customers::name, customers::sales_rep_id))
        .load(conn)?;
    let ageing = ageing_of(conn, &ids, q.ageing_date(), q.today)?;
    let reconciled = ledger::reconciled_through(conn, &ids)?;
    let mut people: Vec<i64> = customers.iter().map(|c| c.2).collect();
    people.extend(movements.iter().map(|m| m.handler_id));
    people.extend(q.handler_id);
    let (names, departed) = display_names_and_departed(conn, &people)?;
    let totals: HashMap<i64, Totals> = totals.into_iter().map(|t| (t.customer_id, t)).collect();
    let mut by_customer: HashMap<i64, Vec<MovementRow>> = HashMap::new();
    for m in movements {
        by_customer.entry(m.customer_id).or_default().push(m);
    }
    let mut out = Statement {
        query: q.clone(),
        handler_name: q
            .handler_id
            .and_then(|h| names.get(&h).cloned())
            .unwrap_or_default(),
        customer_name,
        customers: Vec::with_capacity(customers.len()),
        opening: Decimal::ZERO,
        debits: Decimal::ZERO,
        credits: Decimal::ZERO,
        closing: Decimal::ZERO,
        ageing: Ageing::default(),
        truncated,
        names: HashMap::new(),
        departed,
    };
    for (id, name, rep) in customers {
        let t = totals.get(&id);
        let opening = t.map_or(Decimal::ZERO, |t| t.opening);
        let debits = t.map_or(Decimal::ZERO, |t| t.debits);
        let credits = t.map_or(Decimal::ZERO, |t| t.credits);
        let mut balance = opening;
        let rows = by_customer
            .remove(&id)
            .unwrap_or_default()
            .into_iter()
            .map(|m| {
                balance += m.amount;
                (m, balance)
            })
            .collect();
        let a = ageing.get(&id).cloned().unwrap_or_default();
        out.opening += opening;
        out.debits += debits;
        out.credits += credits;
        out.ageing.add(&a);
        out.customers.push(CustomerStatement {
            customer_id: id,
            customer_name: name,
            sales_rep_name: names.get(&rep).cloned().unwrap_or_default(),
            opening,
            rows,
            debits,
            credits,
            closing: opening + debits - credits,
            ageing: a,
            reconciled_through: reconciled.get(&id).copied(),
        });
    }
    out.closing = out.opening + out.debits - out.credits;
    out.names = names;
    Ok(out)
}

/// Marks customer `customer_id`'s period `from`–`to` (a checked period,
/// [`crate::convert::period`]: `from` ≤ `to`) reconciled (对账确认) at closing balance
/// `closing`; audited as `reconciliation.create`.
///
/// Errors: NOT_FOUND outside the scope; INVALID_ARGUMENT when the period ends today or
/// later (a day is reconciled once it is over); FAILED_PRECONDITION when it does not start the day after the last
/// reconciled period's end (naming both), or `closing` is no longer the statement's
/// closing balance (naming it, on `closing_balance`).
#[allow(clippy::too_many_arguments)]
pub fn reconcile(
    conn: &mut PgConnection,
    ctx: WriteCtx<'_>,
    reps: &Reps,
    customer_id: i64,
    from: NaiveDate,
    to: NaiveDate,
    closing: Decimal,
    note: &str,
    today: NaiveDate,
) -> AppResult<Reconciliation> {
    customer_in_scope(conn, reps, customer_id)?;
    lock_ledger(conn, customer_id)?;
    // Only days that are over: today may still take entries (a payment, a shipment, a
    // deduction is always dated today), which a reconciled period would refuse.
    if to >= today {
        return Err(AppError::field("date_to", msg!("finance.period_not_over")));
    }
    // Periods follow each other without gaps: a day left between two reconciled periods
    // would be locked without ever having been confirmed.
    if let Some(through) = ledger::reconciled_through(conn, &[customer_id])?.get(&customer_id)
        && from != *through + chrono::Days::new(1)
    {
        return Err(AppError::precondition(msg!(
            "finance.period_not_next",
            through = through,
            next = *through + chrono::Days::new(1)
        ))
        .at("date_from"));
    }
    let now = statement(
        conn,
        reps,
        &StatementQuery {
            customer_id: Some(customer_id),
            from,
            to,
            handler_id: None,
            today,
        },
        0,
    )?;
    if now.closing != closing {
        // As the API takes them (no grouping commas), so the figure can be sent back.
        return Err(AppError::precondition(msg!(
            "finance.closing_changed",
            sent = to_wire(&closing),
            closing = to_wire(&now.closing)
        ))
        .at("closing_balance"));
    }
    let row = ledger::reconcile(
        conn,
        &NewReconciliation {
            customer_id,
            period_from: from,
            period_to: to,
            closing_balance: closing,
            note: note.to_owned(),
            created_by: ctx.actor.user_id.unwrap_or_default(),
        },
    )?;
    ctx.audit_change(
        conn,
        "reconciliation.create",
        Reconciliation::OBJECT,
        row.id,
        None,
        Some(&row),
    )?;
    Ok(row)
}

/// Reopens the latest reconciled period of customer `customer_id` for `reason` (对账确认
/// made by mistake): its days take entries again and the next reconciliation starts the
/// day after the period still standing before it (anywhere when none). `through` is the
/// end of the period the caller saw reconciled last, so that a period confirmed meanwhile
/// by someone else is not the one reopened. Audited as `reconciliation.reopen`.
///
/// Errors: NOT_FOUND for a customer outside the scope; FAILED_PRECONDITION when nothing
/// is reconciled, or the latest period no longer ends on `through` (naming its end).
pub fn reopen_reconciliation(
    conn: &mut PgConnection,
    ctx: WriteCtx<'_>,
    reps: &Reps,
    customer_id: i64,
    through: NaiveDate,
    reason: &str,
) -> AppResult<Reconciliation> {
    customer_in_scope(conn, reps, customer_id)?;
    lock_ledger(conn, customer_id)?;
    let Some(before) = ledger::latest_reconciliation(conn, customer_id)? else {
        return Err(AppError::precondition(msg!("finance.nothing_reconciled")));
    };
    if before.period_to != through {
        return Err(AppError::precondition(msg!(
            "finance.reconciled_through_changed",
            through = before.period_to
        ))
        .at("reconciled_through"));
    }
    let after = ledger::reopen(conn, before.id, by_user(&ctx), reason)?;
    ctx.audit_change(
        conn,
        "reconciliation.reopen",
        Reconciliation::OBJECT,
        after.id,
        Some(&before),
        Some(&after),
    )?;
    Ok(after)
}

/// Which customers the arrears list shows, by the age of what they owe.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ArrearsBucket {
    /// Anyone who owes.
    Any,
    /// Owing something 1 day overdue or more.
    Overdue,
    /// More than 30 days overdue.
    Over30,
    /// More than 60.
    Over60,
    /// More than 90.
    Over90,
    /// Instead of those who owe, those who hold more on account than they owe (预收).
    InCredit,
}

/// The arrears list's filters.
#[derive(Debug, Clone)]
pub struct ArrearsFilter {
    pub sales_rep_id: Option<i64>,
    pub department_id: Option<i64>,
    pub bucket: ArrearsBucket,
    /// Customers found by this text as the customer search finds them; blank for all.
    pub query: String,
    /// The list's order, ties by customer id.
    pub sort: ArrearsSort,
    /// The other way round from `sort`'s own: the latest due date, the largest, the last
    /// in pinyin order first.
    pub descending: bool,
}

/// How the arrears list is sorted (`pb::ArrearsSort`); ties go by customer id (which way:
/// `ArrearsSelection::order`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ArrearsSort {
    /// By the oldest overdue due date, earliest first, then the largest outstanding;
    /// customers with nothing overdue last in either direction.
    #[default]
    OldestDue,
    /// By customer name, in pinyin order.
    Customer,
    /// By outstanding (CNY).
    Outstanding,
    /// By what the customer holds on account (预收, CNY): the paid-ahead list's column.
    OnAccount,
    /// By the amount overdue as of today (CNY, Σ of the ageing's overdue buckets), then
    /// the largest outstanding.
    Overdue,
}

/// A customer who owes.
#[derive(Debug, Clone, QueryableByName)]
pub struct ArrearsRow {
    #[diesel(sql_type = BigInt)]
    pub customer_id: i64,
    #[diesel(sql_type = Text)]
    pub customer_name: String,
    /// The customer is archived (no new orders; what it owes is still collected).
    #[diesel(sql_type = Bool)]
    pub customer_archived: bool,
    #[diesel(sql_type = BigInt)]
    pub sales_rep_id: i64,
    #[diesel(sql_type = Text)]
    pub sales_rep_name: String,
    #[diesel(embed)]
    pub ageing: Ageing,
    #[diesel(sql_type = Nullable<Date>)]
    pub oldest_overdue: Option<NaiveDate>,
    #[diesel(sql_type = Nullable<Date>)]
    pub last_payment_date: Option<NaiveDate>,
    #[diesel(sql_type = Nullable<Numeric>)]
    pub last_payment_amount: Option<Decimal>,
    #[diesel(sql_type = Nullable<Numeric>)]
    pub credit_limit: Option<Decimal>,
}

impl ArrearsRow {
    /// Days since the oldest due date still unpaid and past, as of business date `today`;
    /// `None` when nothing is overdue.
    pub fn days_overdue(&self, today: NaiveDate) -> Option<i64> {
        self.oldest_overdue.map(|d| (today - d).num_days())
    }
}

/// The customers an arrears filter selects: a condition on the kept per-customer summary
/// `customer_receivables cr`, joined to the customer `cu` when the scope or a filter reads
/// it.
struct ArrearsSelection {
    matching: Sql,
    reads_customer: bool,
    /// Only customers with something overdue (a bucket was chosen).
    overdue_only: bool,
    sort: ArrearsSort,
    descending: bool,
}

impl ArrearsSelection {
    fn new(
        conn: &mut PgConnection,
        reps: &Reps,
        f: &ArrearsFilter,
        today: NaiveDate,
    ) -> AppResult<ArrearsSelection> {
        if f.bucket == ArrearsBucket::InCredit {
            return Self::in_credit(conn, reps, f, today);
        }
        Self::with(conn, reps, f, today, "cr.outstanding > 0")
    }

    /// The customers of the filter's scope, rep, department and search (not its bucket)
    /// who are in credit: hold more on account (预收) than their open shipments owe.
    fn in_credit(
        conn: &mut PgConnection,
        reps: &Reps,
        f: &ArrearsFilter,
        today: NaiveDate,
    ) -> AppResult<ArrearsSelection> {
        let f = ArrearsFilter {
            bucket: ArrearsBucket::Any,
            ..f.clone()
        };
        Self::with(conn, reps, &f, today, "cr.on_account > cr.outstanding")
    }

    /// The customers of the summary `cr` meeting `balance` (a condition on it) and the
    /// filter.
    fn with(
        conn: &mut PgConnection,
        reps: &Reps,
        f: &ArrearsFilter,
        today: NaiveDate,
        balance: &str,
    ) -> AppResult<ArrearsSelection> {
        let mut matching = Sql::new(balance);
        let mut reads_customer = false;
        if !matches!(reps, Reps::All) {
            reads_customer = true;
            matching
                .push(" AND ")
                .append(&scope::customers_sql(reps, "cu"));
        }
        // A rep or department that does not exist owes nothing: said, not listed as none.
        if let Some(rep) = f.sales_rep_id {
            user_named(conn, "sales_rep_id", Some(rep))?;
            reads_customer = true;
            matching
                .push(" AND cu.sales_rep_id = ")
                .bind(Value::Int(rep));
        }
        if let Some(dept) = f.department_id {
            let depts = department::subtree_ids(conn, dept)?;
            if depts.is_empty() {
                return Err(AppError::field(
                    "department_id",
                    msg!("department.not_found"),
                ));
            }
            reads_customer = true;
            matching
                .push(
                    " AND cu.sales_rep_id IN (SELECT u.id FROM users u WHERE u.department_id = ANY(",
                )
                .bind(Value::IntArray(depts))
                .push("))");
        }
        if let Some(query) = customer::query_sql(&f.query, "cu") {
            reads_customer = true;
            matching.append(&query);
        }
        let min_days = match f.bucket {
            ArrearsBucket::Any | ArrearsBucket::InCredit => None,
            ArrearsBucket::Overdue => Some(0),
            ArrearsBucket::Over30 => Some(30),
            ArrearsBucket::Over60 => Some(60),
            ArrearsBucket::Over90 => Some(90),
        };
        if let Some(days) = min_days {
            matching
                .push(" AND cr.oldest_due < ")
                .bind(Value::Date(today - chrono::Days::new(days)));
        }
        Ok(ArrearsSelection {
            matching,
            reads_customer,
            overdue_only: min_days.is_some(),
            sort: f.sort,
            descending: f.descending,
        })
    }

    /// What `matching` reads from: `cr`, with `cu` when needed or `customer` asks for it;
    /// `balances` also joins the open shipments of each as `b`.
    fn from(&self, balances: bool, customer: bool) -> String {
        let mut from = String::from("customer_receivables cr");
        if balances {
            from.push_str(
                " JOIN receivable_balances b ON b.customer_id = cr.customer_id
                      AND b.outstanding <> 0",
            );
        }
        if self.reads_customer || customer {
            from.push_str(" JOIN customers cu ON cu.id = cr.customer_id");
        }
        from
    }

    /// `SELECT … FROM <from> WHERE <matching>` for the select list `what`.
    fn select(&self, what: &str, balances: bool) -> Sql {
        self.select_from(what, &self.from(balances, false))
    }

    /// The ids of the customers matched, as `id`, in the list's order ([`Self::order`]),
    /// `limit` from `offset`. Only here does a sort by name join the customers (their
    /// name index gives the order).
    ///
    /// By the amount overdue, each match sums its open shipments due before `today`
    /// (from the index `receivable_balances_open`, which carries the amounts) and the
    /// matches are sorted: that amount changes with the date, so no index holds it.
    fn page(&self, today: NaiveDate, offset: i64, limit: i64) -> Sql {
        let by_name = self.sort == ArrearsSort::Customer;
        let mut from = self.from(false, by_name);
        if self.sort == ArrearsSort::Overdue {
            from.push_str(&format!(
                " CROSS JOIN LATERAL (
                     SELECT coalesce(sum(b.outstanding), 0) AS overdue FROM receivable_balances b
                      WHERE b.customer_id = cr.customer_id AND b.outstanding <> 0
                        AND b.due_date < {}) od",
                date_literal(today)
            ));
        }
        let mut sql = self.select_from("cr.customer_id AS id", &from);
        sql.push(&format!(
            " ORDER BY {} OFFSET ",
            self.order("cr", "cu.name", "od.overdue", today)
        ))
        .bind(Value::Int(offset))
        .push(" LIMIT ")
        .bind(Value::Int(limit));
        sql
    }

    fn select_from(&self, what: &str, from: &str) -> Sql {
        let mut sql = Sql::new(&format!("SELECT {what} FROM {from} WHERE "));
        sql.append(&self.matching);
        sql
    }

    /// The list's order ([`ArrearsSort`]) over a summary aliased `cr`, the customer's name
    /// being `name` and the amount overdue `overdue`. By the oldest overdue due date,
    /// those with nothing overdue come last, then the largest; earliest first with every
    /// match overdue, that is the order of the index `customer_receivables_owing` (latest
    /// first sorts the matches). By
    /// outstanding, the order of `customer_receivables_largest` either way (ties by id
    /// ascending when largest first, descending when smallest); by name, of
    /// `customers_name_order` (ties by id the same way as the names); by what is held on
    /// account, a sort of the matches (those who paid ahead are few), ties as by
    /// outstanding; by the amount overdue, a sort of the matches, then the largest
    /// outstanding, ties as by outstanding. Text, not bound SQL: an export's order is text
    /// ([`super::reports::Query`]); `today` is a date, written as a literal.
    fn order(&self, cr: &str, name: &str, overdue: &str, today: NaiveDate) -> String {
        let (dir, tie) = if self.descending {
            ("DESC", "")
        } else {
            ("", " DESC")
        };
        match self.sort {
            ArrearsSort::OldestDue => {
                let due = if self.overdue_only {
                    format!("{cr}.oldest_due {dir}")
                } else {
                    format!(
                        "CASE WHEN {cr}.oldest_due < {} THEN {cr}.oldest_due END {dir} NULLS LAST",
                        date_literal(today)
                    )
                };
                format!("{due}, {cr}.outstanding DESC, {cr}.customer_id")
            }
            ArrearsSort::Customer => {
                format!("pinyin_key({name}) COLLATE \"zh-x-icu\" {dir}, {cr}.customer_id {dir}")
            }
            ArrearsSort::Outstanding => format!("{cr}.outstanding {dir}, {cr}.customer_id{tie}"),
            ArrearsSort::OnAccount => format!("{cr}.on_account {dir}, {cr}.customer_id{tie}"),
            ArrearsSort::Overdue => {
                format!("{overdue} {dir}, {cr}.outstanding DESC, {cr}.customer_id{tie}")
            }
        }
    }
}

/// `today` as an SQL date literal, for order text ([`ArrearsSelection::order`]).
fn date_literal(today: NaiveDate) -> String {
    format!("DATE '{}'", today.format("%Y-%m-%d"))
}

/// The arrears rows ([`ArrearsRow`]) of the customers `customers` (SQL giving their ids)
/// as of `today`, unordered, with `cr` (their summary) to order them by: each aged from
/// its open shipments, with its sales rep's name and its last payment.
fn arrears_rows_sql(customers: &Sql, today: NaiveDate) -> Sql {
    let mut sql = Sql::new("WITH ageing AS (");
    sql.append(&ageing_sql(customers, today, true)).push(
        ")
         SELECT g.customer_id, c.name AS customer_name, NOT c.is_active AS customer_archived,
                c.sales_rep_id,
                u.display_name AS sales_rep_name, g.not_due,
                g.days_1_to_30, g.days_31_to_60, g.days_61_to_90, g.over_90_days, g.on_account,
                g.oldest_overdue, lp.payment_date AS last_payment_date,
                lp.amount AS last_payment_amount, c.credit_limit,
                cr.oldest_due, cr.outstanding
           FROM ageing g JOIN customers c ON c.id = g.customer_id
           JOIN users u ON u.id = c.sales_rep_id
           JOIN customer_receivables cr ON cr.customer_id = g.customer_id
           LEFT JOIN LATERAL (
                SELECT p.payment_date, p.amount FROM payments p
                 WHERE p.customer_id = g.customer_id AND p.reversed_at IS NULL
                 ORDER BY p.payment_date DESC, p.id DESC LIMIT 1) lp ON TRUE",
    );
    sql
}

/// How many customers `sel` selects and Σ their ageing (over their open shipments, read
/// from the index `receivable_balances_open`, which carries the amounts; what is on
/// account: none while a shipment is open, so none among those owing, summed all the
/// same).
fn arrears_totals(
    conn: &mut PgConnection,
    sel: &ArrearsSelection,
    today: NaiveDate,
) -> AppResult<(i64, Ageing)> {
    #[derive(QueryableByName)]
    struct Totals {
        #[diesel(sql_type = BigInt)]
        total: i64,
        #[diesel(embed)]
        ageing: Ageing,
    }
    let mut totals_sql = Sql::new("SELECT (");
    totals_sql
        .append(&sel.select("count(*)", false))
        .push(") AS total, ")
        .append(&bucket_sums(today, "b."))
        .push(
            ", coalesce((SELECT -sum(e.amount) FROM receivable_entries e
                          WHERE e.shipment_id IS NULL AND e.customer_id IN (",
        )
        .append(&sel.select("cr.customer_id", false))
        .push(&format!(
            ")), 0) AS on_account FROM {} WHERE ",
            sel.from(true, false)
        ))
        .append(&sel.matching);
    let Totals { total, ageing } = totals_sql.query().get_result(conn)?;
    Ok((total, ageing))
}

/// What customer `customer_id` owes less what it holds on account, as of now (CNY;
/// negative: paid ahead, 预收), from the kept per-customer summary (`customer_receivables`;
/// 0 for a customer with no ledger).
pub fn customer_balance(conn: &mut PgConnection, customer_id: i64) -> AppResult<Decimal> {
    use crate::db::schema::customer_receivables as cr;
    let balance = cr::table
        .find(customer_id)
        .select(cr::outstanding - cr::on_account)
        .first::<Decimal>(conn)
        .optional()?;
    Ok(balance.unwrap_or_default())
}

/// What the customers of an arrears filter hold in credit (预收: paid more than they owe),
/// which the list (of those who owe) leaves out: how many, and Σ CNY (> 0); none when the
/// filter lists those very customers ([`ArrearsBucket::InCredit`]).
pub fn arrears_credit(
    conn: &mut PgConnection,
    reps: &Reps,
    f: &ArrearsFilter,
    today: NaiveDate,
) -> AppResult<(i64, Decimal)> {
    #[derive(QueryableByName)]
    struct Credit {
        #[diesel(sql_type = BigInt)]
        customers: i64,
        #[diesel(sql_type = Numeric)]
        amount: Decimal,
    }
    if f.bucket == ArrearsBucket::InCredit {
        return Ok((0, Decimal::ZERO));
    }
    let sel = ArrearsSelection::in_credit(conn, reps, f, today)?;
    let Credit { customers, amount } = sel
        .select(
            "count(*) AS customers, coalesce(sum(cr.on_account - cr.outstanding), 0) AS amount",
            false,
        )
        .query()
        .get_result(conn)?;
    Ok((customers, amount))
}

/// The arrears list as of `today` within the scope: customers owing something, oldest
/// overdue due date first (those with nothing overdue last), then largest outstanding.
/// Returns (page, count of all matches, Σ ageing of all matches).
pub fn arrears(
    conn: &mut PgConnection,
    reps: &Reps,
    f: &ArrearsFilter,
    today: NaiveDate,
    offset: i64,
    limit: i64,
) -> AppResult<(Vec<ArrearsRow>, i64, Ageing)> {
    let sel = ArrearsSelection::new(conn, reps, f, today)?;
    let (total, totals) = arrears_totals(conn, &sel, today)?;
    // The page's customers first: only they are aged and look up their last payment.
    let page: Vec<i64> = sel
        .page(today, offset, limit)
        .query()
        .load::<crate::db::sql::Id>(conn)?
        .into_iter()
        .map(|r| r.id)
        .collect();
    if page.is_empty() {
        return Ok((vec![], total, totals));
    }
    let mut rows: HashMap<i64, ArrearsRow> = arrears_rows_sql(&ids_sql(&page), today)
        .query()
        .load::<ArrearsRow>(conn)?
        .into_iter()
        .map(|r| (r.customer_id, r))
        .collect();
    let rows = page.iter().filter_map(|id| rows.remove(id)).collect();
    Ok((rows, total, totals))
}

/// Every customer the arrears list shows for `f` as of `today`, in its order, for an
/// export: the query of its [`ArrearsRow`]s, how many, and Σ their ageing.
pub fn arrears_export(
    conn: &mut PgConnection,
    reps: &Reps,
    f: &ArrearsFilter,
    today: NaiveDate,
) -> AppResult<(super::reports::Query, i64, Ageing)> {
    let sel = ArrearsSelection::new(conn, reps, f, today)?;
    let (total, totals) = arrears_totals(conn, &sel, today)?;
    let rows = arrears_rows_sql(&sel.select("cr.customer_id", false), today);
    Ok((
        super::reports::Query::new(
            rows,
            sel.order("q", "q.customer_name", &overdue_of_buckets("q."), today),
        ),
        total,
        totals,
    ))
}

// ---------------------------------------------------------------------------------------
// Credit hold

/// Why customer `c` is on credit hold on `today`, if it is: an amount more than the
/// credit-hold days overdue, or its debts past its credit limit — the balance plus what
/// open orders have not yet shipped plus the order of `order_total` CNY (`None`: whatever
/// its next order, as the customer view says it, so at the limit already). `changing` is
/// the order being changed, if it is one: what it had not shipped is left out of the
/// open orders' (it is counted at `order_total` instead).
pub fn credit_hold(
    conn: &mut PgConnection,
    c: &Customer,
    order_total: Option<Decimal>,
    today: NaiveDate,
    changing: Option<i64>,
) -> AppResult<Option<Msg>> {
    let standing = credit_standing(conn, c, today, changing)?;
    if standing.overdue.is_some() {
        return Ok(standing.overdue);
    }
    let Some(Exposure {
        limit,
        balance,
        unshipped,
    }) = standing.limit
    else {
        return Ok(None);
    };
    // Said in its parts, so that whoever weighs it sees what this order adds.
    let (name, limit_said) = (c.name.clone(), Money(limit));
    let owed = balance + unshipped;
    Ok(match order_total {
        Some(total) if owed + total > limit => Some(msg!(
            "finance.hold_limit",
            name = name,
            balance = Money(balance),
            unshipped = Money(unshipped),
            order = Money(total),
            exposure = Money(owed + total),
            limit = limit_said,
            over = Money(owed + total - limit)
        )),
        // Past the limit already, by how much (at it read as if there were room to 0).
        None if owed > limit => Some(msg!(
            "finance.hold_limit_passed",
            name = name,
            balance = Money(balance),
            unshipped = Money(unshipped),
            exposure = Money(owed),
            limit = limit_said,
            over = Money(owed - limit)
        )),
        None if owed == limit => Some(msg!(
            "finance.hold_limit_reached",
            name = name,
            balance = Money(balance),
            unshipped = Money(unshipped),
            exposure = Money(owed),
            limit = limit_said
        )),
        _ => None,
    })
}

/// A customer's credit as [`credit_hold`] judges it.
struct CreditStanding {
    /// On hold for an amount overdue past the credit-hold days, saying so.
    overdue: Option<Msg>,
    /// Its credit limit and what counts against it; `None` without a limit.
    limit: Option<Exposure>,
}

/// What counts against a customer's credit limit, CNY.
struct Exposure {
    limit: Decimal,
    /// What it owes less what it holds on account.
    balance: Decimal,
    /// What its open orders (but the one being changed) have not yet shipped.
    unshipped: Decimal,
}

fn credit_standing(
    conn: &mut PgConnection,
    c: &Customer,
    today: NaiveDate,
    changing: Option<i64>,
) -> AppResult<CreditStanding> {
    let hold_days = company_settings::get(conn)?.credit_hold_days;
    let rows: Vec<AgeingRow> = ageing_sql(&ids_sql(&[c.id]), today, true)
        .query()
        .load(conn)?;
    let (ageing, oldest) = rows
        .into_iter()
        .next()
        .map_or((Ageing::default(), None), |r| (r.ageing, r.oldest_overdue));
    let overdue = oldest
        .map(|oldest| (today - oldest).num_days())
        .filter(|days| *days > i64::from(hold_days))
        .map(|days| {
            msg!(
                "finance.hold_overdue",
                name = c.name,
                amount = Money(ageing.overdue()),
                days = days,
                limit = hold_days
            )
        });
    let Some(limit) = c.credit_limit else {
        return Ok(CreditStanding {
            overdue,
            limit: None,
        });
    };
    #[derive(QueryableByName)]
    struct Unshipped {
        #[diesel(sql_type = Numeric)]
        value: Decimal,
    }
    // What open orders will still charge: shipments charge a line's amount in parts that
    // add up to it (`money::part_amount`). A closed order (结案) charges nothing more; one
    // awaiting approval nothing yet (its approval is the decision to let it count).
    let Unshipped { value } = diesel::sql_query(
        "SELECT coalesce(sum(l.amount - round(l.shipped_quantity * l.unit_price, 2)), 0) AS value
           FROM order_lines l JOIN orders o ON o.id = l.order_id
          WHERE o.customer_id = $1 AND o.cancelled_at IS NULL AND o.closed_at IS NULL
            AND NOT o.awaiting_approval AND o.id IS DISTINCT FROM $2",
    )
    .bind::<BigInt, _>(c.id)
    .bind::<diesel::sql_types::Nullable<BigInt>, _>(changing)
    .get_result(conn)?;
    Ok(CreditStanding {
        overdue,
        limit: Some(Exposure {
            limit,
            balance: ageing.balance(),
            unshipped: value,
        }),
    })
}

/// The credit check of a new order on `hold` (from [`credit_hold`], computed once when the
/// order is priced): passes when there is none; otherwise refuses with
/// FAILED_PRECONDITION saying why unless `override_reason` is given by a holder of
/// `order.credit_override` (PERMISSION_DENIED otherwise). Returns the hold overridden,
/// for the audit.
pub fn check_credit(
    grants: &Grants,
    hold: Option<Msg>,
    override_reason: &str,
) -> AppResult<Option<Msg>> {
    let Some(hold) = hold else {
        return Ok(None);
    };
    if override_reason.trim().is_empty() {
        return Err(AppError::precondition(hold));
    }
    access::require_may_override_credit(grants)?;
    Ok(Some(hold))
}

// ---------------------------------------------------------------------------------------
// Invoices

/// An invoice as entered, validated for form by `convert::finance`.
#[derive(Debug, Clone)]
pub struct InvoiceInput {
    /// Blue, or red reversing a blue one.
    pub of: Invoiced,
    /// 发票代码; empty for a 数电发票.
    pub code: String,
    pub number: String,
    pub date: NaiveDate,
    /// Blue: (order id, CNY > 0). Red: (order id, CNY > 0 to take back); empty for all
    /// that earlier red invoices left of the blue one.
    pub orders: Vec<(i64, Decimal)>,
    pub note: String,
    /// The caller's ID for this request: a retry is answered with the invoice the first
    /// recorded.
    pub request_id: Option<RequestId>,
}

/// What an invoice invoices.
#[derive(Debug, Clone)]
pub enum Invoiced {
    /// A blue invoice covering orders of `customer_id` shipped under `entity_id`.
    Blue {
        customer_id: i64,
        entity_id: i64,
        kind: String,
    },
    /// A red invoice reversing blue invoice `red_of`.
    Red {
        red_of: i64,
        /// The customer the request named, if any: it must be the blue invoice's.
        customer_id: Option<i64>,
    },
}

#[derive(Serialize)]
struct InvoiceRecord<'a> {
    #[serde(flatten)]
    invoice: &'a Invoice,
    orders: &'a [InvoiceOrder],
}

/// Why each of `order_ids` that may not be invoiced by entity `entity_id` may not: its
/// goods were shipped under other invoicing entities only (an order none of whose
/// shipments names the entity; one with nothing shipped yet is left to the invoiceable
/// amount). The seller of record invoices its own sales: an invoice from another entity
/// would not match the contract and the goods (四流一致). Two queries for all the orders.
fn shipped_under_other_entities(
    conn: &mut PgConnection,
    order_ids: &[i64],
    entity_id: i64,
) -> AppResult<HashMap<i64, Msg>> {
    let shipped: Vec<(i64, i64)> = shipments::table
        .filter(shipments::order_id.eq_any(order_ids))
        .filter(shipments::replacement_of_exception_id.is_null())
        .select((shipments::order_id, shipments::invoicing_entity_id))
        .distinct()
        .order((shipments::order_id, shipments::invoicing_entity_id))
        .load(conn)?;
    let mut by_order: HashMap<i64, Vec<i64>> = HashMap::new();
    for (order_id, entity) in shipped {
        by_order.entry(order_id).or_default().push(entity);
    }
    by_order.retain(|_, entities| !entities.contains(&entity_id));
    let all: Vec<i64> = by_order.values().flatten().copied().collect();
    let names = invoicing_entity::names(conn, &all)?;
    Ok(by_order
        .into_iter()
        .map(|(order_id, entities)| {
            let names: Vec<&str> = entities
                .iter()
                .filter_map(|id| names.get(id).map(String::as_str))
                .collect();
            let why = msg!(
                "invoice.entity_not_of_order",
                entities = per_lang(names.join(", "), names.join("、"))
            );
            (order_id, why)
        })
        .collect())
}

/// ALREADY_EXISTS on `number` when entity `entity_id` already has an invoice of `code`
/// and `number`: naming its customer, date and amount when the customer is within
/// `reps` (a second press after an answer lost shows the clerk the invoice it
/// recorded), the code and number alone otherwise. Two requests racing past it meet
/// the unique index ([`invoice::insert`]).
fn number_free(
    conn: &mut PgConnection,
    reps: &Reps,
    entity_id: i64,
    code: &str,
    number: &str,
) -> AppResult<()> {
    use crate::db::schema::invoices;
    let holder: Option<(NaiveDate, Decimal, String, i64, i64)> = invoices::table
        .inner_join(customers::table)
        .filter(invoices::invoicing_entity_id.eq(entity_id))
        .filter(invoices::code.eq(code))
        .filter(invoices::number.eq(number))
        .select((
            invoices::invoice_date,
            invoices::amount,
            customers::name,
            customers::sales_rep_id,
            customers::cs_rep_id,
        ))
        .first(conn)
        .optional()?;
    let Some((date, amount, customer, sales_rep, cs_rep)) = holder else {
        return Ok(());
    };
    let msg = if reps.covers(sales_rep, cs_rep) {
        msg!(
            "invoice.number_recorded",
            number = validation::invoice_printed(code, number),
            customer = customer,
            date = date,
            amount = Money(amount)
        )
    } else {
        invoice::taken(code, number)
    };
    Err(AppError::AlreadyExists {
        field: "number".into(),
        msg,
    })
}

/// Records invoice `input`; audited as `invoice.create`.
///
/// Errors: NOT_FOUND for a customer, order or invoice outside the scope; INVALID_ARGUMENT
/// for a red invoice's date before the blue invoice's (one after today is refused with
/// the request's form, [`crate::convert::finance::invoice_input`]), an unknown entity (an
/// archived one may invoice what was shipped under it), an order whose goods were
/// shipped under other invoicing entities, a red invoice naming a customer not the blue
/// invoice's, or an order not on the blue invoice or named twice (`orders[i].order_id`);
/// ALREADY_EXISTS for a number the entity has used; FAILED_PRECONDITION when an order
/// would be invoiced beyond its shipped value net of deductions, or beyond what was
/// shipped under the invoice's entity and not yet invoiced by it
/// ([`ledger::not_invoiced_by_entity`]), naming both amounts on `orders[i].amount`; when
/// a red invoice would take back more of an order than earlier ones left (on
/// `orders[i].amount`), the blue invoice has nothing left (on `red_of_invoice_id`), or it
/// is itself red.
pub fn record_invoice(
    conn: &mut PgConnection,
    ctx: WriteCtx<'_>,
    reps: &Reps,
    input: &InvoiceInput,
) -> AppResult<Invoice> {
    let InvoiceInput {
        code,
        number,
        date,
        note,
        ..
    } = input;
    let request = input.request_id.as_ref();
    let earlier = |conn: &mut PgConnection| {
        request_id::earlier(conn, ctx.actor.user_id, request, |i: &Invoice| {
            msg!(
                "invoice.request_id_used",
                number = validation::invoice_printed(&i.code, &i.number)
            )
        })
    };
    let (new, covered) = match &input.of {
        Invoiced::Blue {
            customer_id,
            entity_id,
            kind,
        } => {
            let lines = &input.orders;
            customer_in_scope(conn, reps, *customer_id)?;
            // What may still be invoiced is read from the ledger: no posting meanwhile.
            // A retry waits here for the request it repeats.
            lock_ledger(conn, *customer_id)?;
            if let Some(recorded) = earlier(conn)? {
                return Ok(recorded);
            }
            number_free(conn, reps, *entity_id, code, number)?;
            let mut check = FieldCheck::default();
            let sum: Decimal = lines.iter().map(|(_, a)| *a).sum();
            positive_amount("orders", sum, &mut check);
            // An archived entity takes no new orders or shipments, but still invoices the
            // goods shipped under it (the rows below are checked against what it shipped).
            let entity_exists: bool = diesel::select(diesel::dsl::exists(
                invoicing_entities::table.find(entity_id),
            ))
            .get_result(conn)?;
            if !entity_exists {
                check.fail("invoicing_entity_id", msg!("invoicing_entity.not_found"));
            }
            let ids: Vec<i64> = lines.iter().map(|(id, _)| *id).collect();
            // The customer's orders among them, by id, with their numbers and dates: one
            // query.
            let placed: HashMap<i64, (String, NaiveDate)> = orders::table
                .filter(orders::id.eq_any(&ids))
                .filter(orders::customer_id.eq(customer_id))
                .select((orders::id, (orders::number, orders::order_date)))
                .load::<(i64, (String, NaiveDate))>(conn)?
                .into_iter()
                .collect();
            let other_entities = shipped_under_other_entities(conn, &ids, *entity_id)?;
            for (i, (order_id, _)) in lines.iter().enumerate() {
                let why = if placed.contains_key(order_id) {
                    other_entities.get(order_id).cloned()
                } else {
                    Some(msg!("payment.order_not_of_customer"))
                };
                if let Some(why) = why {
                    check.fail(format!("orders[{i}].order_id"), why);
                }
            }
            // Nothing is invoiced before it was ordered (a date mistyped): the latest
            // order date is named.
            if let Some((number, ordered)) = placed.values().max_by_key(|(_, d)| *d)
                && date < ordered
            {
                check.fail(
                    "invoice_date",
                    msg!("invoice.before_order", number = number, date = ordered),
                );
            }
            check.finish()?;
            let numbers: HashMap<i64, String> = placed
                .into_iter()
                .map(|(id, (number, _))| (id, number))
                .collect();
            let money = ledger::order_money(conn, &ids)?;
            let by_entity = ledger::not_invoiced_by_entity(conn, &ids, &money)?;
            // Per order, over its rows in order: the row that goes past what is open is
            // named.
            let mut wanted: HashMap<i64, Decimal> = HashMap::new();
            for (i, (id, amount)) in lines.iter().enumerate() {
                let sum = wanted.entry(*id).or_default();
                *sum += *amount;
                let open = money.get(id).map(|m| m.not_invoiced()).unwrap_or_default();
                let open_here = by_entity
                    .get(id)
                    .and_then(|e| e.iter().find(|(e, _)| e == entity_id))
                    .map_or(Decimal::ZERO, |(_, a)| *a);
                if *sum <= open_here {
                    continue;
                }
                let why = if open_here < open {
                    // Part of what is open was shipped under another entity.
                    let entity = invoicing_entity::names(conn, &[*entity_id])?
                        .remove(entity_id)
                        .unwrap_or_default();
                    msg!(
                        "invoice.over_invoiced_entity",
                        number = numbers[id],
                        amount = Money(*sum),
                        entity = entity,
                        open = Money(open_here)
                    )
                } else {
                    msg!(
                        "invoice.over_invoiced",
                        number = numbers[id],
                        amount = Money(*sum),
                        open = Money(open)
                    )
                };
                return Err(AppError::precondition(why).at(format!("orders[{i}].amount")));
            }
            let mut covered: Vec<(i64, Decimal)> = wanted.into_iter().collect();
            covered.sort_unstable();
            (
                NewInvoice {
                    invoicing_entity_id: *entity_id,
                    kind: kind.clone(),
                    code: code.clone(),
                    number: number.clone(),
                    customer_id: *customer_id,
                    invoice_date: *date,
                    amount: covered.iter().map(|(_, a)| *a).sum(),
                    red_of_invoice_id: None,
                    note: note.clone(),
                    created_by: ctx.actor.user_id.unwrap_or_default(),
                },
                covered,
            )
        }
        Invoiced::Red {
            red_of,
            customer_id,
        } => {
            let parts = &input.orders;
            let blue = invoice::get(conn, *red_of)?;
            lock_ledger(conn, blue.customer_id)?;
            customer_in_scope(conn, reps, blue.customer_id).map_err(|_| invoice::not_found())?;
            if let Some(recorded) = earlier(conn)? {
                return Ok(recorded);
            }
            number_free(conn, reps, blue.invoicing_entity_id, code, number)?;
            if customer_id.is_some_and(|c| c != blue.customer_id) {
                return Err(AppError::field(
                    "customer_id",
                    msg!("invoice.red_other_customer", number = blue.number),
                ));
            }
            if blue.red_of_invoice_id.is_some() {
                return Err(
                    AppError::precondition(msg!("invoice.red_of_red")).at("red_of_invoice_id")
                );
            }
            if *date < blue.invoice_date {
                return Err(AppError::field(
                    "invoice_date",
                    msg!("invoice.red_before_blue", date = blue.invoice_date),
                ));
            }
            // What earlier red invoices left of it (under the ledger lock: a second red
            // invoice keyed at the same moment waits and finds this one).
            let open = invoice::unreversed(conn, &[blue.id])?
                .remove(&blue.id)
                .unwrap_or_default();
            if open.is_empty() {
                return Err(AppError::precondition(msg!("invoice.already_reversed"))
                    .at("red_of_invoice_id"));
            }
            let reversing: Vec<(i64, Decimal)> = if parts.is_empty() {
                open.clone()
            } else {
                let mut check = FieldCheck::default();
                let mut seen = HashSet::new();
                for (i, (order_id, _)) in parts.iter().enumerate() {
                    if !open.iter().any(|(o, _)| o == order_id) {
                        let why = msg!("invoice.red_order_not_on_blue", number = blue.number);
                        check.fail(format!("orders[{i}].order_id"), why);
                    } else if !seen.insert(*order_id) {
                        check.fail(
                            format!("orders[{i}].order_id"),
                            msg!("field.order_listed_twice"),
                        );
                    }
                }
                check.finish()?;
                for (i, (order_id, amount)) in parts.iter().enumerate() {
                    let left = open
                        .iter()
                        .find(|(o, _)| o == order_id)
                        .map_or(Decimal::ZERO, |(_, a)| *a);
                    if *amount > left {
                        let why = msg!(
                            "invoice.red_exceeds",
                            amount = Money(*amount),
                            left = Money(left)
                        );
                        return Err(AppError::precondition(why).at(format!("orders[{i}].amount")));
                    }
                }
                parts.clone()
            };
            let covered: Vec<(i64, Decimal)> =
                reversing.iter().map(|(order, a)| (*order, -*a)).collect();
            (
                NewInvoice {
                    invoicing_entity_id: blue.invoicing_entity_id,
                    kind: blue.kind.clone(),
                    code: code.clone(),
                    number: number.clone(),
                    customer_id: blue.customer_id,
                    invoice_date: *date,
                    amount: covered.iter().map(|(_, a)| *a).sum(),
                    red_of_invoice_id: Some(blue.id),
                    note: note.clone(),
                    created_by: ctx.actor.user_id.unwrap_or_default(),
                },
                covered,
            )
        }
    };
    let (row, lines) = invoice::insert(conn, &new, &covered)?;
    request_id::record(conn, ctx.actor.user_id, request, &row)?;
    ctx.audit_change(
        conn,
        "invoice.create",
        Invoice::OBJECT,
        row.id,
        None,
        Some(&InvoiceRecord {
            invoice: &row,
            orders: &lines,
        }),
    )?;
    Ok(row)
}

/// What red invoices have left of one order on a blue invoice.
#[derive(Debug, Clone)]
pub struct Unreversed {
    pub order_id: i64,
    pub order_number: String,
    /// CNY > 0.
    pub left: Decimal,
    /// How much the order is invoiced past its net now (a deduction after invoicing),
    /// CNY ≥ 0: what a red invoice would take back of it.
    pub over_invoiced: Decimal,
}

/// An invoice with its names.
#[derive(Debug, Clone)]
pub struct InvoiceView {
    pub invoice: Invoice,
    pub entity_name: String,
    pub customer_name: String,
    /// On a red invoice, the blue one's (发票代码, number).
    pub red_of: (String, String),
    /// On a blue invoice, what red invoices have not taken back of it: its orders with
    /// something left.
    pub unreversed: Vec<Unreversed>,
    /// (order id, order number, CNY).
    pub orders: Vec<(i64, String, Decimal)>,
    pub created_by_name: String,
}

/// The views of `rows`.
pub fn invoice_views(conn: &mut PgConnection, rows: Vec<Invoice>) -> AppResult<Vec<InvoiceView>> {
    use crate::db::schema::invoices;
    let ids: Vec<i64> = rows.iter().map(|i| i.id).collect();
    let mut covered = invoice::orders_of(conn, &ids)?;
    let order_ids: Vec<i64> = covered.values().flatten().map(|o| o.order_id).collect();
    let order_numbers: HashMap<i64, String> = orders::table
        .filter(orders::id.eq_any(&order_ids))
        .select((orders::id, orders::number))
        .load::<(i64, String)>(conn)?
        .into_iter()
        .collect();
    let entity_ids: Vec<i64> = rows.iter().map(|i| i.invoicing_entity_id).collect();
    let entities: HashMap<i64, String> = invoicing_entities::table
        .filter(invoicing_entities::id.eq_any(&entity_ids))
        .select((invoicing_entities::id, invoicing_entities::name))
        .load::<(i64, String)>(conn)?
        .into_iter()
        .collect();
    let red_of: Vec<i64> = rows.iter().filter_map(|i| i.red_of_invoice_id).collect();
    let blue_numbers: HashMap<i64, (String, String)> = invoices::table
        .filter(invoices::id.eq_any(&red_of))
        .select((invoices::id, invoices::code, invoices::number))
        .load::<(i64, String, String)>(conn)?
        .into_iter()
        .map(|(id, code, number)| (id, (code, number)))
        .collect();
    let mut unreversed = invoice::unreversed(conn, &ids)?;
    let open_orders: Vec<i64> = unreversed.values().flatten().map(|(o, _)| *o).collect();
    let money = ledger::order_money(conn, &open_orders)?;
    let customer_ids: Vec<i64> = rows.iter().map(|i| i.customer_id).collect();
    let customer_names = customer_names(conn, &customer_ids)?;
    let creators: Vec<i64> = rows.iter().map(|i| i.created_by).collect();
    let names = display_names(conn, &creators)?;
    Ok(rows
        .into_iter()
        .map(|i| InvoiceView {
            entity_name: entities
                .get(&i.invoicing_entity_id)
                .cloned()
                .unwrap_or_default(),
            customer_name: customer_names
                .get(&i.customer_id)
                .cloned()
                .unwrap_or_default(),
            red_of: i
                .red_of_invoice_id
                .and_then(|b| blue_numbers.get(&b).cloned())
                .unwrap_or_default(),
            unreversed: if i.red_of_invoice_id.is_some() {
                Vec::new()
            } else {
                unreversed
                    .remove(&i.id)
                    .unwrap_or_default()
                    .into_iter()
                    .map(|(order_id, left)| Unreversed {
                        order_id,
                        order_number: order_numbers.get(&order_id).cloned().unwrap_or_default(),
                        left,
                        over_invoiced: money
                            .get(&order_id)
                            .map_or(Decimal::ZERO, |m| (-m.not_invoiced()).max(Decimal::ZERO)),
                    })
                    .collect()
            },
            orders: covered
                .remove(&i.id)
                .unwrap_or_default()
                .into_iter()
                .map(|o| {
                    let n = order_numbers.get(&o.order_id).cloned().unwrap_or_default();
                    (o.order_id, n, o.amount)
                })
                .collect(),
            created_by_name: names.get(&i.created_by).cloned().unwrap_or_default(),
            invoice: i,
        })
        .collect())
}

/// An invoice search's filters.
#[derive(Debug, Clone, Default)]
pub struct InvoiceFilter {
    pub customer_id: Option<i64>,
    /// Any part of its number, any case; empty for any.
    pub number: String,
    pub order_id: Option<i64>,
    pub date_from: Option<NaiveDate>,
    pub date_to: Option<NaiveDate>,
}

/// The invoices `f` matches within `reps`.
fn invoices_matching(
    reps: &Reps,
    f: &InvoiceFilter,
) -> crate::db::schema::invoices::BoxedQuery<'static, diesel::pg::Pg> {
    use crate::db::schema::{invoice_orders, invoices};
    let mut q = invoices::table.into_boxed::<diesel::pg::Pg>();
    q = scoped!(q, invoices, reps, f.customer_id);
    if !f.number.is_empty() {
        // Its number or its code: a clerk holding the paper reads either.
        let pattern = contains_pattern(&f.number);
        q = q.filter(
            invoices::number
                .ilike(pattern.clone())
                .or(invoices::code.ilike(pattern)),
        );
    }
    if let Some(o) = f.order_id {
        q = q.filter(
            invoices::id.eq_any(
                invoice_orders::table
                    .filter(invoice_orders::order_id.eq(o))
                    .select(invoice_orders::invoice_id),
            ),
        );
    }
    if let Some(d) = f.date_from {
        q = q.filter(invoices::invoice_date.ge(d));
    }
    if let Some(d) = f.date_to {
        q = q.filter(invoices::invoice_date.le(d));
    }
    q
}

/// What an invoice list's matches add up to.
#[derive(Debug, Clone, Default)]
pub struct InvoiceTotals {
    /// How many invoices match.
    pub count: i64,
    /// Σ their amounts, CNY, red negative: whole invoices, other orders' parts included.
    pub amount: Decimal,
    /// With an order filtered on: Σ that order's part of them, CNY, red negative (what
    /// they invoice on the order; GetOrderFinance's `invoiced` when no date or number
    /// narrows the list).
    pub on_order: Option<Decimal>,
}

/// Invoices within the scope, newest first: the page and the totals of every match.
/// NOT_FOUND for a customer or an order named outside the scope.
pub fn list_invoices(
    conn: &mut PgConnection,
    reps: &Reps,
    f: &InvoiceFilter,
    offset: i64,
    limit: i64,
) -> AppResult<(Vec<InvoiceView>, InvoiceTotals)> {
    use crate::db::schema::{invoice_orders, invoices};
    if let Some(c) = f.customer_id {
        customer_in_scope(conn, reps, c)?;
    }
    if let Some(o) = f.order_id {
        crate::db::models::order::find(conn, reps, o, false)?;
    }
    let query = || invoices_matching(reps, f);
    let count: i64 = query().count().get_result(conn)?;
    let sum: Option<Decimal> = query()
        .select(diesel::dsl::sum(invoices::amount))
        .first(conn)?;
    let on_order = match f.order_id {
        Some(o) => {
            let part: Option<Decimal> = invoice_orders::table
                .filter(invoice_orders::order_id.eq(o))
                .filter(invoice_orders::invoice_id.eq_any(query().select(invoices::id)))
                .select(diesel::dsl::sum(invoice_orders::amount))
                .first(conn)?;
            Some(part.unwrap_or_default())
        }
        None => None,
    };
    let rows = query()
        .order((invoices::invoice_date.desc(), invoices::id.desc()))
        .offset(offset)
        .limit(limit)
        .select(Invoice::as_select())
        .load(conn)?;
    let totals = InvoiceTotals {
        count,
        amount: sum.unwrap_or_default(),
        on_order,
    };
    Ok((invoice_views(conn, rows)?, totals))
}

// ---------------------------------------------------------------------------------------
// The registers whole (their Excel export)

/// Rows dated before `date`, or on it and recorded before `id`, of `table` dated by
/// `column`: the next page of a register read the latest first, as a row comparison the
/// (date, id) indexes answer.
fn dated_before(
    table: &str,
    column: &str,
    (date, id): (NaiveDate, i64),
) -> diesel::expression::SqlLiteral<Bool, impl diesel::query_builder::QueryFragment<diesel::pg::Pg>>
{
    diesel::dsl::sql::<Bool>(&format!("({table}.{column}, {table}.id) < ("))
        .bind::<Date, _>(date)
        .sql(", ")
        .bind::<BigInt, _>(id)
        .sql(")")
}

/// Every row `load` gives, `batch` at a time, turned into `views`: `load(conn, after)`
/// reads the next `batch` rows after the key `after` (the last row's date and id; `None`
/// from the start), in the register's order. Paged by key, so the millionth row costs
/// what the first did. `each` returns `false` to stop (the export was cancelled).
fn each_batch_by_key<Row, View>(
    conn: &mut PgConnection,
    batch: i64,
    mut load: impl FnMut(&mut PgConnection, Option<(NaiveDate, i64)>) -> AppResult<Vec<Row>>,
    key: impl Fn(&Row) -> (NaiveDate, i64),
    views: impl Fn(&mut PgConnection, Vec<Row>) -> AppResult<Vec<View>>,
    mut each: impl FnMut(Vec<View>) -> AppResult<bool>,
) -> AppResult<()> {
    let mut after = None;
    loop {
        let rows = load(conn, after)?;
        let full = i64::try_from(rows.len()).is_ok_and(|n| n == batch);
        after = rows.last().map(&key);
        if !each(views(conn, rows)?)? || !full {
            return Ok(());
        }
    }
}

/// Every payment `f` matches within `reps`, `batch` at a time, in the list's order (the
/// latest date first, then the latest recorded), as the list shows them. Run it in one
/// snapshot ([`crate::db::snapshot`]) for a consistent whole.
pub fn each_payment_batch(
    conn: &mut PgConnection,
    reps: &Reps,
    f: &PaymentFilter,
    batch: i64,
    each: impl FnMut(Vec<PaymentView>) -> AppResult<bool>,
) -> AppResult<()> {
    let load = |conn: &mut PgConnection, after| {
        let mut q = payments_matching(reps, f);
        if let Some(key) = after {
            q = q.filter(dated_before("payments", "payment_date", key));
        }
        Ok(
            q.order((payments::payment_date.desc(), payments::id.desc()))
                .limit(batch)
                .select(Payment::as_select())
                .load(conn)?,
        )
    };
    let key = |p: &Payment| (p.payment_date, p.id);
    each_batch_by_key(conn, batch, load, key, payment_views, each)
}

/// Every invoice `f` matches within `reps`, as [`each_payment_batch`].
pub fn each_invoice_batch(
    conn: &mut PgConnection,
    reps: &Reps,
    f: &InvoiceFilter,
    batch: i64,
    each: impl FnMut(Vec<InvoiceView>) -> AppResult<bool>,
) -> AppResult<()> {
    use crate::db::schema::invoices;
    let load = |conn: &mut PgConnection, after| {
        let mut q = invoices_matching(reps, f);
        if let Some(key) = after {
            q = q.filter(dated_before("invoices", "invoice_date", key));
        }
        Ok(
            q.order((invoices::invoice_date.desc(), invoices::id.desc()))
                .limit(batch)
                .select(Invoice::as_select())
                .load(conn)?,
        )
    };
    let key = |i: &Invoice| (i.invoice_date, i.id);
    each_batch_by_key(conn, batch, load, key, invoice_views, each)
}

/// Every write-off `f` matches within `reps`, as [`each_payment_batch`].
pub fn each_write_off_batch(
    conn: &mut PgConnection,
    reps: &Reps,
    f: &WriteOffFilter,
    batch: i64,
    each: impl FnMut(Vec<WriteOffView>) -> AppResult<bool>,
) -> AppResult<()> {
    use crate::db::schema::write_offs;
    let load = |conn: &mut PgConnection, after| {
        let mut q = write_offs_matching(reps, f);
        if let Some(key) = after {
            q = q.filter(dated_before("write_offs", "write_off_date", key));
        }
        Ok(
            q.order((write_offs::write_off_date.desc(), write_offs::id.desc()))
                .limit(batch)
                .select(WriteOff::as_select())
                .load(conn)?,
        )
    };
    let key = |w: &WriteOff| (w.write_off_date, w.id);
    each_batch_by_key(conn, batch, load, key, write_off_views, each)
}

/// An order's money.
#[derive(Debug, Clone)]
pub struct OrderFinance {
    pub order_id: i64,
    pub money: ledger::OrderMoney,
    pub invoices: Vec<InvoiceView>,
    pub payments: Vec<ledger::OrderPayment>,
}

/// Order `order_id`'s money within the scope (NOT_FOUND outside it).
pub fn order_finance(
    conn: &mut PgConnection,
    reps: &Reps,
    order_id: i64,
) -> AppResult<OrderFinance> {
    let order: Order = crate::db::models::order::find(conn, reps, order_id, false)?;
    let money = ledger::order_money(conn, &[order.id])?
        .remove(&order.id)
        .unwrap_or_default();
    let (invoices, _) = list_invoices(
        conn,
        reps,
        &InvoiceFilter {
            order_id: Some(order.id),
            ..InvoiceFilter::default()
        },
        0,
        500,
    )?;
    let payments = ledger::payments_of_order(conn, order.id)?;
    Ok(OrderFinance {
        order_id: order.id,
        money,
        invoices,
        payments,
    })
}

/// Checks an amount entered for money: > 0 and below 10^12 CNY.
pub fn positive_amount(
    field: impl Into<std::borrow::Cow<'static, str>>,
    amount: Decimal,
    check: &mut FieldCheck,
) {
    if amount <= Decimal::ZERO {
        check.fail(field, msg!("finance.amount_positive"));
    } else if amount >= Decimal::from(MAX_AMOUNT) {
        check.fail(field, msg!("finance.amount_too_large"));
    }
}

/// The names of our invoicing entities customer `customer_id` has been sold goods under
/// (its orders that shipped something), by their order in lists: who a statement to the
/// customer comes from.
pub fn entities_of_customer(conn: &mut PgConnection, customer_id: i64) -> AppResult<Vec<String>> {
    use crate::db::schema::{invoicing_entities, orders};
    // Its orders that shipped something: a cancelled (or turned down) order billed
    // nothing, and its entity is none the customer deals with.
    let ordered_from = orders::table
        .filter(orders::customer_id.eq(customer_id))
        .filter(orders::cancelled_at.is_null())
        .filter(orders::units_shipped.gt(0))
        .select(orders::invoicing_entity_id);
    Ok(invoicing_entities::table
        .filter(invoicing_entities::id.eq_any(ordered_from))
        .order((invoicing_entities::sort_order, invoicing_entities::id))
        .select(invoicing_entities::name)
        .load(conn)?)
}

/// Statement `s` as an Excel workbook saved at `target` (worksheets in constant memory,
/// rows kept in `dir` as they are written): a title block (`lines`: period, customer,
/// handler, scope, who exported it and when, the unit; how far one customer's account
/// is confirmed is added), a frozen header, per customer an opening row, the movements
/// and a closing row, then the selection's totals, and for one customer's statement of
/// every handler (it goes to the customer) a confirmation block to sign and stamp (客户
/// 确认, 客户（盖章）, 经办人签字, 日期); a second sheet the ageing. Money is
/// numeric `#,##0.00`, dates are dates ([`crate::xlsx`]). Labels are Chinese, as the
/// statement goes to customers. `written` is told the rows written so far (openings,
/// movements and closings), every [`STATEMENT_PROGRESS_ROWS`] and at the end; `Ok(false)`
/// when it says stop (the caller went away).
///
/// Errors: FAILED_PRECONDITION when it holds more rows than a worksheet
/// ([`crate::xlsx::MAX_ROWS`]), or `s` was cut short (`truncated`).
pub fn statement_workbook(
    s: &Statement,
    lines: &[(String, String)],
    dir: &std::path::Path,
    target: &std::path::Path,
    written: &mut dyn FnMut(u64) -> bool,
) -> AppResult<bool> {
    use crate::xlsx::{self, Cell, Column, Kind, SheetWriter};
    let kind_label = |k: &str| match k {
        kind::SHIPMENT => "发货",
        kind::DEDUCTION => "异常扣款",
        kind::PAYMENT => "回款",
        kind::REVERSAL => "冲销",
        kind::WRITE_OFF => "核销",
        kind::WRITE_OFF_REVERSAL => "核销撤销",
        _ => "",
    };
    // A handler or rep who left says so: the name alone read as someone to call.
    let person = |id: i64| {
        let name = s.names.get(&id).map_or("", String::as_str);
        crate::messages::person_named(name, s.departed(id), Lang::Zh)
    };
    let mut workbook = rust_xlsxwriter::Workbook::new();
    workbook.set_tempdir(dir).map_err(xlsx::write_error)?;
    let title = format!(
        "对账单 {} 至 {}",
        s.query.from.format("%Y-%m-%d"),
        s.query.to.format("%Y-%m-%d")
    );
    let mut lines = lines.to_vec();
    // One customer's statement says how far the customer's account is confirmed.
    if let [c] = s.customers.as_slice() {
        let reconciled = match c.reconciled_through {
            Some(through) if through >= s.query.to => format!("本期已确认（至 {through}）"),
            Some(through) => format!("已确认至 {through}，本期未确认"),
            None => "未确认".to_owned(),
        };
        lines.push(("对账确认".to_owned(), reconciled));
    }
    // Every movement, an opening and a closing row per customer, the title block (title,
    // its lines, a blank), the header, the opening of them all and the totals: a
    // statement cut short would disagree with its own totals, so one longer than a sheet
    // is refused whole.
    let fixed = u64::try_from(lines.len())
        .unwrap_or(u64::MAX)
        .saturating_add(5);
    let rows: u64 = s
        .customers
        .iter()
        .map(|c| {
            u64::try_from(c.rows.len())
                .unwrap_or(u64::MAX)
                .saturating_add(2)
        })
        .fold(fixed, u64::saturating_add);
    if s.truncated || rows > xlsx::MAX_ROWS {
        return Err(AppError::precondition(msg!(
            "report.too_many_rows",
            rows = rows
        )));
    }
    // Of one handler's documents the figures are theirs, not the customer's balance.
    let by_handler = !s.handler_name.is_empty();
    let (opening, closing, balance) = if by_handler {
        ("经手期初累计", "经手期末累计", "累计")
    } else {
        ("期初余额", "期末余额", "余额")
    };
    let columns = vec![
        Column::wide("客户", Kind::Text, 28.0),
        Column::new("日期", Kind::Date),
        Column::new("类型", Kind::Text),
        Column::wide("单据号", Kind::Text, 18.0),
        Column::wide("订单号", Kind::Text, 18.0),
        Column::new("到期日", Kind::Date),
        Column::new("借方（应收）", Kind::Money),
        Column::new("贷方（减少）", Kind::Money),
        Column::new(balance, Kind::Money),
        Column::new("经手人", Kind::Text),
    ];
    let mut sheet = SheetWriter::start(
        workbook
            .add_worksheet_with_constant_memory()
            .map_err(xlsx::write_error)?,
        "对账单",
        Some((&title, &lines)),
        columns,
    )?;
    // Rows written (each customer's opening, movements and closing; not the totals), told
    // every STATEMENT_PROGRESS_ROWS: `false` when the caller went away.
    let mut written_rows = 0u64;
    let mut tick = |rows: &mut u64| {
        *rows += 1;
        !rows.is_multiple_of(STATEMENT_PROGRESS_ROWS) || written(*rows)
    };
    for c in &s.customers {
        sheet.row(&[
            Cell::from(c.customer_name.as_str()),
            Cell::Date(s.query.from),
            Cell::from(opening),
            Cell::Empty,
            Cell::Empty,
            Cell::Empty,
            Cell::Empty,
            Cell::Empty,
            Cell::Decimal(c.opening),
            Cell::Empty,
        ])?;
        if !tick(&mut written_rows) {
            return Ok(false);
        }
        for (m, balance) in &c.rows {
            let (debit, credit) = if m.amount > Decimal::ZERO {
                (Cell::Decimal(m.amount), Cell::Empty)
            } else {
                (Cell::Empty, Cell::Decimal(-m.amount))
            };
            sheet.row(&[
                Cell::from(c.customer_name.as_str()),
                Cell::Date(m.entry_date),
                Cell::from(kind_label(&m.kind)),
                Cell::from(m.document_no.as_str()),
                Cell::from(m.order_no.clone().unwrap_or_default()),
                m.due_date.map_or(Cell::Empty, Cell::Date),
                debit,
                credit,
                Cell::Decimal(*balance),
                Cell::from(person(m.handler_id)),
            ])?;
            if !tick(&mut written_rows) {
                return Ok(false);
            }
        }
        sheet.row(&[
            Cell::from(c.customer_name.as_str()),
            Cell::Date(s.query.to),
            Cell::from(closing),
            Cell::Empty,
            Cell::Empty,
            Cell::Empty,
            Cell::Empty,
            Cell::Empty,
            Cell::Decimal(c.closing),
            Cell::Empty,
        ])?;
        if !tick(&mut written_rows) {
            return Ok(false);
        }
    }
    // Of several customers, their opening balances together, as the screen's 全部合计
    // says: with the totals below, the period reads from start to end. A total, below the
    // filter: 类型 = 期初余额 filtered sums the customers' openings once.
    if s.customers.len() > 1 {
        sheet.totals(&[
            Cell::from("全部客户"),
            Cell::Date(s.query.from),
            Cell::from(opening),
            Cell::Empty,
            Cell::Empty,
            Cell::Empty,
            Cell::Empty,
            Cell::Empty,
            Cell::Decimal(s.opening),
            Cell::Empty,
        ])?;
    }
    // The debit and credit columns sum to the period's totals; the balance column's
    // total is the closing balance of the whole selection.
    sheet.totals(&[
        Cell::from("合计"),
        Cell::Empty,
        Cell::from(format!("本期借贷 / {closing}")),
        Cell::Empty,
        Cell::Empty,
        Cell::Empty,
        Cell::Decimal(s.debits),
        Cell::Decimal(s.credits),
        Cell::Decimal(s.closing),
        Cell::Empty,
    ])?;
    // One customer's statement goes to the customer for confirming: room for it below.
    if s.query.goes_to_customer() {
        let closing = pharmacrm_shared::money::display(&s.closing.to_string());
        let blank = "________________________".to_owned();
        sheet.closing_lines(&[
            (
                "客户确认".to_owned(),
                format!(
                    "以上往来明细及期末余额 {closing} 元经核对无误。如有不符，请注明差异后与我方联系。"
                ),
            ),
            ("客户（盖章）".to_owned(), blank.clone()),
            ("经办人签字".to_owned(), blank.clone()),
            ("日期".to_owned(), blank),
        ])?;
    }
    sheet.finish()?;

    let columns = vec![
        Column::wide("客户", Kind::Text, 28.0),
        Column::new("营销员", Kind::Text),
        Column::new("未到期", Kind::Money),
        Column::new("1–30天", Kind::Money),
        Column::new("31–60天", Kind::Money),
        Column::new("61–90天", Kind::Money),
        Column::new("90天以上", Kind::Money),
        Column::new("合计", Kind::Money),
        Column::new("预收（未分配）", Kind::Money),
        Column::new("余额", Kind::Money),
    ];
    let mut as_of = format!("账龄 截至 {}", s.query.ageing_date().format("%Y-%m-%d"));
    if by_handler {
        as_of.push_str("（客户的全部欠款，不按经手人筛选）");
    }
    let mut sheet = SheetWriter::start(
        workbook
            .add_worksheet_with_constant_memory()
            .map_err(xlsx::write_error)?,
        "账龄",
        Some((&as_of, &lines)),
        columns,
    )?;
    let ageing_cells = |a: &Ageing| {
        [
            Cell::Decimal(a.not_due),
            Cell::Decimal(a.days_1_to_30),
            Cell::Decimal(a.days_31_to_60),
            Cell::Decimal(a.days_61_to_90),
            Cell::Decimal(a.over_90_days),
            Cell::Decimal(a.outstanding()),
            Cell::Decimal(a.on_account),
            Cell::Decimal(a.balance()),
        ]
    };
    for c in &s.customers {
        let mut cells = vec![
            Cell::from(c.customer_name.as_str()),
            Cell::from(c.sales_rep_name.as_str()),
        ];
        cells.extend(ageing_cells(&c.ageing));
        sheet.row(&cells)?;
    }
    let mut cells = vec![Cell::from("合计"), Cell::Empty];
    cells.extend(ageing_cells(&s.ageing));
    sheet.totals(&cells)?;
    sheet.finish()?;
    workbook.save(target).map_err(xlsx::write_error)?;
    Ok(written(written_rows))
}

/// How many rows a statement's export writes between two progress reports.
pub const STATEMENT_PROGRESS_ROWS: u64 = 5_000;
