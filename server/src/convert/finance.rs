//! FinanceService: payments, invoices, statements, reconciliation, arrears. Requests are
//! checked for form here (INVALID_ARGUMENT naming each field, e.g.
//! `allocations[0].amount`); the rules are in [`crate::ops::finance`].

use chrono::NaiveDate;
use pharmacrm_shared::money::{self, Decimal};
use pharmacrm_shared::{pb, validation};

use super::{
    DbCode, FilterCode, date, date_range, date_text, id, id_or_none, known, not_after_today,
    not_before_records, optional_id, read_version, required_date, required_id, timestamp,
};
use crate::db::models::ledger::Reconciliation;
use crate::db::models::request_id::{self, RequestId};
use crate::error::{AppResult, FieldCheck};
use crate::msg;
use crate::ops::finance::{
    Ageing, ArrearsBucket, ArrearsFilter, ArrearsRow, ArrearsSort, CustomerStatement,
    InvoiceFilter, InvoiceInput, InvoiceView, Invoiced, OpenItems, OrderFinance, PaymentFilter,
    PaymentInput, PaymentView, Statement, StatementQuery, WriteOffFilter, WriteOffInput,
    WriteOffView, positive_amount,
};

fn wire(d: &Decimal) -> String {
    money::to_wire(d)
}

/// A money field: > 0, 2 decimals, below 10^12.
fn amount(field: String, text: &str, check: &mut FieldCheck) -> Decimal {
    match money::parse_amount(text) {
        Ok(a) => {
            positive_amount(field, a, check);
            a
        }
        Err(v) => {
            check.fail(field, v.into());
            Decimal::ZERO
        }
    }
}

/// A payment as RecordPayment takes it on business day `today`: INVALID_ARGUMENT naming
/// every field that does not read, and a payment date after `today`.
pub fn payment_input(r: pb::RecordPaymentRequest, today: NaiveDate) -> AppResult<PaymentInput> {
    let request = RequestId::of(&r.request_id, &r, |r| {
        r.request_id.clear();
        request_id::same_amount(&mut r.amount);
        for a in &mut r.allocations {
            request_id::same_amount(&mut a.amount);
        }
    });
    let pb::RecordPaymentRequest {
        customer_id,
        payment_date,
        amount: amount_text,
        method,
        reference,
        handler_id,
        note,
        allocations,
        confirm_not_duplicate,
        request_id,
    } = r;
    // "ＩＣＢＣ－０１" is the reference "ICBC-01" (the duplicate check matches it so).
    let reference = validation::half_width(&reference);
    let mut check = FieldCheck::default();
    required_id("customer_id", customer_id, &mut check);
    let payment_date = required_date("payment_date", &payment_date, &mut check);
    not_after_today("payment_date", payment_date, today, &mut check);
    not_before_records("payment_date", payment_date, &mut check);
    let handler_id = id_or_none("handler_id", handler_id, &mut check);
    let total = amount("amount".into(), &amount_text, &mut check);
    let method = pb::PaymentMethod::code_of(method);
    if method.is_none() {
        check.fail("method", msg!("payment.method_required"));
    }
    check
        .check("reference", validation::optional_line(&reference, 100))
        .check("note", validation::optional_text(&note, 500))
        .check("request_id", validation::optional_line(&request_id, 64));
    let ids: Vec<i64> = allocations.iter().map(|a| a.order_id).collect();
    super::orders_listed_once("allocations", &ids, &mut check);
    let allocations = allocations
        .into_iter()
        .enumerate()
        .map(|(i, a)| {
            required_id(format!("allocations[{i}].order_id"), a.order_id, &mut check);
            let value = amount(format!("allocations[{i}].amount"), &a.amount, &mut check);
            (a.order_id, value)
        })
        .collect();
    check.finish()?;
    Ok(PaymentInput {
        customer_id,
        payment_date: payment_date.expect("checked above"),
        amount: total,
        method: method.expect("checked above").to_owned(),
        reference: reference.trim().to_owned(),
        handler_id,
        note: note.trim().to_owned(),
        allocations,
        confirm_not_duplicate,
        request_id: request,
    })
}

/// (id, version, reason, date) of a reversal.
pub fn reversal(r: pb::ReversePaymentRequest) -> AppResult<(i64, i32, String, Option<NaiveDate>)> {
    let pb::ReversePaymentRequest {
        id: payment_id,
        version,
        reason,
        reversal_date,
    } = r;
    let payment_id = id("id", payment_id)?;
    let mut check = FieldCheck::default();
    read_version("version", version, &mut check);
    check.check("reason", validation::required_text(&reason, 500));
    let d = date("reversal_date", &reversal_date, &mut check);
    check.finish()?;
    Ok((payment_id, version, reason.trim().to_owned(), d))
}

/// A write-off as WriteOffReceivable takes it: INVALID_ARGUMENT naming every field that
/// does not read.
pub fn write_off_input(r: pb::WriteOffReceivableRequest) -> AppResult<WriteOffInput> {
    let request = RequestId::of(&r.request_id, &r, |r| {
        r.request_id.clear();
        request_id::same_amount(&mut r.amount);
    });
    let mut check = FieldCheck::default();
    check.check("request_id", validation::optional_line(&r.request_id, 64));
    required_id("shipment_id", r.shipment_id, &mut check);
    let value = amount("amount".into(), &r.amount, &mut check);
    let reason_kind = pb::WriteOffReason::code_of(r.reason_kind);
    if reason_kind.is_none() {
        // None chosen, or a value this server does not know (a newer client's).
        let said = if r.reason_kind == 0 {
            msg!("write_off.reason_kind_required")
        } else {
            msg!("field.unknown_value")
        };
        check.fail("reason_kind", said);
    }
    check.check("reason", validation::required_text(&r.reason, 200));
    let customer_id = optional_id("customer_id", r.customer_id, &mut check);
    check.finish()?;
    Ok(WriteOffInput {
        customer_id,
        shipment_id: r.shipment_id,
        amount: value,
        reason_kind: reason_kind.expect("checked above"),
        reason: r.reason.trim().to_owned(),
        request_id: request,
    })
}

/// A write-off's reversal: (id, version, reason), INVALID_ARGUMENT naming each field that
/// does not read.
pub fn write_off_reversal(r: pb::ReverseWriteOffRequest) -> AppResult<(i64, i32, String)> {
    let write_off_id = id("id", r.id)?;
    let mut check = FieldCheck::default();
    read_version("version", r.version, &mut check);
    check.check("reason", validation::required_text(&r.reason, 200));
    check.finish()?;
    Ok((write_off_id, r.version, r.reason.trim().to_owned()))
}

pub fn write_off_filter(r: &pb::ListWriteOffsRequest) -> AppResult<WriteOffFilter> {
    let mut check = FieldCheck::default();
    let (date_from, date_to) = date_range(
        ("date_from", &r.date_from),
        ("date_to", &r.date_to),
        &mut check,
    );
    let f = WriteOffFilter {
        customer_id: optional_id("customer_id", r.customer_id, &mut check),
        date_from,
        date_to,
        reason_kind: pb::WriteOffReason::filter_code("reason_kind", r.reason_kind, &mut check),
    };
    check.finish()?;
    Ok(f)
}

pub fn write_off(v: WriteOffView) -> pb::WriteOff {
    let w = v.write_off;
    pb::WriteOff {
        id: w.id,
        number: w.number,
        customer_id: w.customer_id,
        shipment_id: w.shipment_id,
        shipment_number: v.shipment_number,
        order_id: w.order_id,
        order_number: v.order_number,
        write_off_date: date_text(Some(w.write_off_date)),
        amount: wire(&w.amount),
        reason_kind: pb::WriteOffReason::wire(&w.reason_kind),
        reason: w.reason,
        created_by: v.created_by_name,
        created_at: Some(timestamp(w.created_at)),
        reversed: w.reversed_at.is_some(),
        reversal_date: date_text(w.reversal_date),
        reversal_reason: w.reversal_reason,
        reversed_by: v.reversed_by_name,
        version: w.version,
        in_effect: wire(&v.in_effect),
        customer_name: v.customer_name,
    }
}

pub fn payment_filter(r: &pb::ListPaymentsRequest) -> AppResult<PaymentFilter> {
    let mut check = FieldCheck::default();
    let (date_from, date_to) = date_range(
        ("date_from", &r.date_from),
        ("date_to", &r.date_to),
        &mut check,
    );
    // Typed full-width by a Chinese input method, "ＩＣＢＣ" is "ICBC", as recorded.
    let number = validation::half_width(&r.number);
    check.check(
        "number",
        validation::optional_line(&number, validation::SEARCH_TEXT_MAX),
    );
    let f = PaymentFilter {
        customer_id: optional_id("customer_id", r.customer_id, &mut check),
        number: number.trim().to_owned(),
        date_from,
        date_to,
        handler_id: optional_id("handler_id", r.handler_id, &mut check),
    };
    check.finish()?;
    Ok(f)
}

fn user(id: i64, name: String, inactive: bool) -> pb::UserRef {
    pb::UserRef {
        id,
        name,
        department: String::new(),
        inactive,
    }
}

pub fn payment(v: PaymentView) -> pb::Payment {
    let p = v.payment;
    pb::Payment {
        id: p.id,
        number: p.number,
        customer_id: p.customer_id,
        customer_name: v.customer_name,
        payment_date: date_text(Some(p.payment_date)),
        amount: wire(&p.amount),
        method: pb::PaymentMethod::wire(&p.method),
        reference: p.reference,
        handler: Some(user(p.handler_id, v.handler_name, v.handler_inactive)),
        sales_rep: Some(user(p.sales_rep_id, v.sales_rep_name, v.sales_rep_inactive)),
        note: p.note,
        allocations: v
            .allocations
            .into_iter()
            .map(|a| {
                let (order_id, order_number) = a.order.unwrap_or_default();
                let (shipment_id, shipment_number) = a.shipment.unwrap_or_default();
                pb::Allocation {
                    order_id,
                    order_number,
                    shipment_id,
                    shipment_number,
                    amount: wire(&a.amount),
                }
            })
            .collect(),
        unallocated: wire(&v.unallocated),
        reversed: p.reversed_at.is_some(),
        reversal_date: date_text(p.reversal_date),
        reversal_reason: p.reversal_reason,
        version: p.version,
        created_at: Some(timestamp(p.created_at)),
        created_by: v.created_by_name,
        reversed_by: v.reversed_by_name,
        reversed_at: p.reversed_at.map(timestamp),
    }
}

/// An invoice as RecordInvoice takes it on business day `today`: INVALID_ARGUMENT naming
/// every field that does not read, and an invoice date after `today`.
pub fn invoice_input(r: pb::RecordInvoiceRequest, today: NaiveDate) -> AppResult<InvoiceInput> {
    let request = RequestId::of(&r.request_id, &r, |r| {
        r.request_id.clear();
        for o in &mut r.orders {
            request_id::same_amount(&mut o.amount);
        }
    });
    let pb::RecordInvoiceRequest {
        customer_id,
        invoicing_entity_id,
        kind,
        number,
        invoice_date,
        orders,
        red_of_invoice_id,
        note,
        code,
        request_id,
    } = r;
    let number = validation::half_width(&number);
    let code = validation::half_width(&code).trim().to_owned();
    let mut check = FieldCheck::default();
    check
        .check("number", validation::invoice_number(&number))
        .check("code", validation::invoice_code(&code, &number))
        .check("note", validation::optional_text(&note, 500))
        .check("request_id", validation::optional_line(&request_id, 64));
    let date = required_date("invoice_date", &invoice_date, &mut check);
    not_after_today("invoice_date", date, today, &mut check);
    not_before_records("invoice_date", date, &mut check);
    let orders_input = |check: &mut FieldCheck| -> Vec<(i64, Decimal)> {
        orders
            .iter()
            .enumerate()
            .map(|(i, o)| {
                required_id(format!("orders[{i}].order_id"), o.order_id, check);
                (
                    o.order_id,
                    amount(format!("orders[{i}].amount"), &o.amount, check),
                )
            })
            .collect()
    };
    if red_of_invoice_id != 0 {
        // A red invoice (a negative id too: the caller meant one), checked as one.
        let red_of = required_id("red_of_invoice_id", red_of_invoice_id, &mut check);
        let customer_id = id_or_none("customer_id", customer_id, &mut check);
        let orders = orders_input(&mut check);
        check.finish()?;
        return Ok(InvoiceInput {
            of: Invoiced::Red {
                red_of: red_of.expect("checked above"),
                customer_id,
            },
            code,
            number: number.trim().to_owned(),
            date: date.expect("checked above"),
            orders,
            note: note.trim().to_owned(),
            request_id: request,
        });
    }
    required_id("customer_id", customer_id, &mut check);
    required_id("invoicing_entity_id", invoicing_entity_id, &mut check);
    // (A red invoice's orders are checked against the blue one's, this among the rest.)
    let ids: Vec<i64> = orders.iter().map(|o| o.order_id).collect();
    super::orders_listed_once("orders", &ids, &mut check);
    let kind = pb::InvoiceKind::code_of(kind);
    if kind.is_none() {
        check.fail("kind", msg!("invoice.kind_required"));
    }
    if orders.is_empty() {
        check.fail("orders", msg!("invoice.orders_required"));
    }
    let orders = orders_input(&mut check);
    check.finish()?;
    Ok(InvoiceInput {
        of: Invoiced::Blue {
            customer_id,
            entity_id: invoicing_entity_id,
            kind: kind.expect("checked above").to_owned(),
        },
        code,
        number: number.trim().to_owned(),
        date: date.expect("checked above"),
        orders,
        note: note.trim().to_owned(),
        request_id: request,
    })
}

pub fn invoice_filter(r: &pb::ListInvoicesRequest) -> AppResult<InvoiceFilter> {
    let mut check = FieldCheck::default();
    // Typed full-width, "０４４１９" is the number as recorded (RecordInvoice reads it so).
    let number = validation::half_width(&r.number);
    check.check(
        "number",
        validation::optional_line(&number, validation::SEARCH_TEXT_MAX),
    );
    let (date_from, date_to) = date_range(
        ("date_from", &r.date_from),
        ("date_to", &r.date_to),
        &mut check,
    );
    let f = InvoiceFilter {
        customer_id: optional_id("customer_id", r.customer_id, &mut check),
        number: number.trim().to_owned(),
        order_id: optional_id("order_id", r.order_id, &mut check),
        date_from,
        date_to,
    };
    check.finish()?;
    Ok(f)
}

pub fn invoice(v: InvoiceView) -> pb::Invoice {
    let i = v.invoice;
    pb::Invoice {
        id: i.id,
        invoicing_entity_id: i.invoicing_entity_id,
        invoicing_entity_name: v.entity_name,
        kind: pb::InvoiceKind::wire(&i.kind),
        code: i.code,
        number: i.number,
        customer_id: i.customer_id,
        customer_name: v.customer_name,
        invoice_date: date_text(Some(i.invoice_date)),
        amount: wire(&i.amount),
        red_of_invoice_id: i.red_of_invoice_id.unwrap_or_default(),
        red_of_code: v.red_of.0,
        red_of_number: v.red_of.1,
        // A blue invoice with nothing left; a red one is none.
        reversed: i.red_of_invoice_id.is_none() && v.unreversed.is_empty(),
        reversed_amount: wire(
            &(if i.red_of_invoice_id.is_none() {
                i.amount - v.unreversed.iter().map(|u| u.left).sum::<Decimal>()
            } else {
                Decimal::ZERO
            }),
        ),
        orders: invoice_orders(v.orders),
        unreversed: v
            .unreversed
            .into_iter()
            .map(|u| pb::InvoiceOrder {
                order_id: u.order_id,
                order_number: u.order_number,
                amount: wire(&u.left),
                over_invoiced: wire(&u.over_invoiced),
            })
            .collect(),
        note: i.note,
        created_at: Some(timestamp(i.created_at)),
        created_by: v.created_by_name,
    }
}

/// (order id, order number, CNY) as sent.
fn invoice_orders(orders: Vec<(i64, String, Decimal)>) -> Vec<pb::InvoiceOrder> {
    orders
        .into_iter()
        .map(|(order_id, order_number, amount)| pb::InvoiceOrder {
            order_id,
            order_number,
            amount: wire(&amount),
            over_invoiced: String::new(),
        })
        .collect()
}

pub fn order_finance(f: OrderFinance) -> pb::OrderFinance {
    let m = f.money;
    pb::OrderFinance {
        order_id: f.order_id,
        shipped: wire(&m.shipped),
        deducted: wire(&m.deducted),
        net: wire(&m.net()),
        invoiced: wire(&m.invoiced),
        not_invoiced: wire(&m.not_invoiced()),
        paid: wire(&m.paid),
        outstanding: wire(&m.outstanding),
        invoices: f.invoices.into_iter().map(invoice).collect(),
        written_off: wire(&m.written_off),
        payments: f
            .payments
            .into_iter()
            .map(|p| pb::OrderPayment {
                payment_id: p.payment_id,
                number: p.number,
                payment_date: date_text(Some(p.payment_date)),
                amount: wire(&p.amount),
                reversed: p.reversed,
            })
            .collect(),
    }
}

/// A statement request checked whole: its customer and handler (each unset for all, else
/// a positive id) and its period; `today` is the business date the ageing is read at.
pub fn statement_query(r: &pb::StatementRequest, today: NaiveDate) -> AppResult<StatementQuery> {
    let mut check = FieldCheck::default();
    let customer_id = optional_id("customer_id", r.customer_id, &mut check);
    let period = super::period(&r.date_from, &r.date_to, &mut check);
    let handler_id = optional_id("handler_id", r.handler_id, &mut check);
    check.finish()?;
    let (from, to) = period.expect("checked above");
    Ok(StatementQuery {
        customer_id,
        from,
        to,
        handler_id,
        today,
    })
}

pub fn ageing(a: &Ageing, as_of: NaiveDate) -> pb::Ageing {
    pb::Ageing {
        as_of: date_text(Some(as_of)),
        not_due: wire(&a.not_due),
        days_1_to_30: wire(&a.days_1_to_30),
        days_31_to_60: wire(&a.days_31_to_60),
        days_61_to_90: wire(&a.days_61_to_90),
        over_90_days: wire(&a.over_90_days),
        outstanding: wire(&a.outstanding()),
        on_account: wire(&a.on_account),
        balance: wire(&a.balance()),
    }
}

fn customer_statement(
    c: CustomerStatement,
    as_of: NaiveDate,
    names: &std::collections::HashMap<i64, String>,
    departed: &std::collections::HashSet<i64>,
) -> pb::CustomerStatement {
    pb::CustomerStatement {
        customer_id: c.customer_id,
        customer_name: c.customer_name,
        sales_rep: c.sales_rep_name,
        opening: wire(&c.opening),
        rows: c
            .rows
            .into_iter()
            .map(|(m, balance)| {
                let (debit, credit) = if m.amount > Decimal::ZERO {
                    (m.amount, Decimal::ZERO)
                } else {
                    (Decimal::ZERO, -m.amount)
                };
                pb::StatementRow {
                    date: date_text(Some(m.entry_date)),
                    kind: pb::MovementKind::wire(&m.kind),
                    document_no: m.document_no,
                    order_number: m.order_no.unwrap_or_default(),
                    due_date: date_text(m.due_date),
                    debit: wire(&debit),
                    credit: wire(&credit),
                    balance: wire(&balance),
                    handler: names.get(&m.handler_id).cloned().unwrap_or_default(),
                    handler_inactive: departed.contains(&m.handler_id),
                }
            })
            .collect(),
        debits: wire(&c.debits),
        credits: wire(&c.credits),
        closing: wire(&c.closing),
        ageing: Some(ageing(&c.ageing, as_of)),
        reconciled_through: date_text(c.reconciled_through),
    }
}

pub fn statement(s: Statement) -> pb::Statement {
    let as_of = s.query.ageing_date();
    let (names, departed) = (s.names, s.departed);
    pb::Statement {
        date_from: date_text(Some(s.query.from)),
        date_to: date_text(Some(s.query.to)),
        handler: s.handler_name,
        handler_inactive: s.query.handler_id.is_some_and(|h| departed.contains(&h)),
        customers: s
            .customers
            .into_iter()
            .map(|c| customer_statement(c, as_of, &names, &departed))
            .collect(),
        opening: wire(&s.opening),
        debits: wire(&s.debits),
        credits: wire(&s.credits),
        closing: wire(&s.closing),
        ageing: Some(ageing(&s.ageing, as_of)),
        rows_truncated: s.truncated,
    }
}

/// (customer, from, to, closing, note) of a reconciliation.
pub fn reconcile_request(
    r: pb::ReconcileRequest,
) -> AppResult<(i64, NaiveDate, NaiveDate, Decimal, String)> {
    let pb::ReconcileRequest {
        customer_id,
        date_from,
        date_to,
        closing_balance,
        note,
    } = r;
    let mut check = FieldCheck::default();
    required_id("customer_id", customer_id, &mut check);
    let period = super::period(&date_from, &date_to, &mut check);
    check.check("note", validation::optional_text(&note, 500));
    let closing = match money::parse_signed_amount(&closing_balance) {
        Ok(v) => v,
        Err(v) => {
            check.fail("closing_balance", v.into());
            Decimal::ZERO
        }
    };
    check.finish()?;
    let (from, to) = period.expect("checked above");
    Ok((customer_id, from, to, closing, note.trim().to_owned()))
}

/// (customer, reconciled through, reason) of a reopening.
pub fn reopen_request(r: pb::ReopenReconciliationRequest) -> AppResult<(i64, NaiveDate, String)> {
    let pb::ReopenReconciliationRequest {
        customer_id,
        reconciled_through,
        reason,
    } = r;
    let mut check = FieldCheck::default();
    required_id("customer_id", customer_id, &mut check);
    let through = super::required_date("reconciled_through", &reconciled_through, &mut check);
    check.check("reason", validation::required_text(&reason, 500));
    check.finish()?;
    Ok((
        customer_id,
        through.expect("checked above"),
        reason.trim().to_owned(),
    ))
}

/// `r` as the API shows it, with the names of who confirmed it and who reopened it.
pub fn reconciliation(
    r: Reconciliation,
    created_by: String,
    reopened_by: String,
) -> pb::Reconciliation {
    pb::Reconciliation {
        id: r.id,
        customer_id: r.customer_id,
        date_from: date_text(Some(r.period_from)),
        date_to: date_text(Some(r.period_to)),
        closing_balance: wire(&r.closing_balance),
        note: r.note,
        created_at: Some(timestamp(r.created_at)),
        created_by,
        reopened_at: r.reopened_at.map(timestamp),
        reopened_by,
        reopen_reason: r.reopen_reason,
    }
}

/// An arrears request's filter.
///
/// # Errors
/// INVALID_ARGUMENT naming `bucket` or `sort` for a value its enum does not have, `sort`
/// for `ARREARS_SORT_ON_ACCOUNT` outside `ARREARS_BUCKET_IN_CREDIT`, and `sales_rep_id`
/// or `department_id` given as 0 or less ([`optional_id`]).
pub fn arrears_filter(r: &pb::ListArrearsRequest) -> AppResult<ArrearsFilter> {
    let mut check = FieldCheck::default();
    let sales_rep_id = optional_id("sales_rep_id", r.sales_rep_id, &mut check);
    let department_id = optional_id("department_id", r.department_id, &mut check);
    let bucket = known("bucket", r.bucket, &mut check);
    let sort = known("sort", r.sort, &mut check);
    // Only the paid-ahead list has anything on account to sort by (an unknown bucket is
    // refused on its own, not here as well).
    if sort == pb::ArrearsSort::OnAccount
        && pb::ArrearsBucket::try_from(r.bucket).is_ok_and(|b| b != pb::ArrearsBucket::InCredit)
    {
        check.fail("sort", msg!("finance.arrears_sort_on_account"));
    }
    check.check(
        "query",
        validation::optional_line(&r.query, validation::SEARCH_TEXT_MAX),
    );
    check.finish()?;
    Ok(ArrearsFilter {
        sales_rep_id,
        department_id,
        query: r.query.trim().to_owned(),
        bucket: match bucket {
            pb::ArrearsBucket::Any => ArrearsBucket::Any,
            pb::ArrearsBucket::Overdue => ArrearsBucket::Overdue,
            pb::ArrearsBucket::Over30 => ArrearsBucket::Over30,
            pb::ArrearsBucket::Over60 => ArrearsBucket::Over60,
            pb::ArrearsBucket::Over90 => ArrearsBucket::Over90,
            pb::ArrearsBucket::InCredit => ArrearsBucket::InCredit,
        },
        sort: match sort {
            pb::ArrearsSort::OldestDue => ArrearsSort::OldestDue,
            pb::ArrearsSort::Customer => ArrearsSort::Customer,
            pb::ArrearsSort::Outstanding => ArrearsSort::Outstanding,
            pb::ArrearsSort::OnAccount => ArrearsSort::OnAccount,
            pb::ArrearsSort::Overdue => ArrearsSort::Overdue,
        },
        descending: r.descending,
    })
}

/// A customer's open items as of business date `today`, each with its days overdue.
pub fn open_items(o: OpenItems, today: NaiveDate) -> pb::OpenItems {
    pb::OpenItems {
        customer_id: o.customer.id,
        customer_name: o.customer.name,
        items: o
            .items
            .into_iter()
            .map(|d| pb::OpenItem {
                shipment_id: d.shipment_id,
                shipment_number: d.shipment_no,
                order_id: d.order_id,
                order_number: d.order_no,
                ship_date: date_text(Some(d.ship_date)),
                due_date: date_text(Some(d.due_date)),
                days_overdue: i32::try_from((today - d.due_date).num_days().max(0))
                    .unwrap_or(i32::MAX),
                amount: wire(&d.amount),
                outstanding: wire(&d.outstanding),
            })
            .collect(),
        overdue: wire(&o.ageing.overdue()),
        ageing: Some(ageing(&o.ageing, today)),
    }
}

pub fn arrears_row(r: ArrearsRow, today: NaiveDate) -> pb::ArrearsRow {
    let days_overdue = r
        .days_overdue(today)
        .map_or(0, |days| i32::try_from(days).unwrap_or(i32::MAX));
    pb::ArrearsRow {
        customer_id: r.customer_id,
        customer_name: r.customer_name,
        customer_archived: r.customer_archived,
        // The customer's current rep: nobody holding customers can be disabled.
        sales_rep: Some(user(r.sales_rep_id, r.sales_rep_name, false)),
        overdue: wire(&r.ageing.overdue()),
        ageing: Some(ageing(&r.ageing, today)),
        oldest_overdue_due_date: date_text(r.oldest_overdue),
        days_overdue,
        last_payment_date: date_text(r.last_payment_date),
        last_payment_amount: r.last_payment_amount.map(|a| wire(&a)).unwrap_or_default(),
        credit_limit: r.credit_limit.map(|a| wire(&a)).unwrap_or_default(),
    }
}
