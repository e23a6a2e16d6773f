//! The registers' sheets: the finance registers (回款记录, 开票记录, 核销记录) and the
//! shipment lines (发货记录; 批号追溯 when filtered by a batch): every row a list
//! matches, in the list's order, with the columns the list shows and what its detail adds
//! (allocations, notes, reversals; a line's batch, expiry and who signed), and the list's
//! totals. Read by key a batch at a time ([`finance::each_payment_batch`] and its
//! siblings, [`shipment::each_batch`]), so a register of half a million payments keeps the
//! server's memory flat as the reports' do.

use chrono::NaiveDate;
use diesel::PgConnection;

use super::{BATCH, Context, Fields, Sheet};
use crate::db::models::shipment::{self, Shipment, ShipmentFilter, ShipmentLine};
use crate::db::scope::Reps;
use crate::error::{AppResult, Msg};
use crate::messages::{Lang, Money};
use crate::msg;
use crate::ops::finance::{
    self, InvoiceFilter, InvoiceTotals, InvoiceView, PaymentFilter, PaymentView, WriteOffFilter,
    WriteOffView,
};
use crate::xlsx::{Cell, Column, Kind};

/// A finance register with its list's filter.
#[derive(Debug, Clone)]
pub enum Register {
    /// 回款记录: payments, reversed ones too.
    Payments(PaymentFilter),
    /// 开票记录: invoices, red ones too (negative).
    Invoices(InvoiceFilter),
    /// 核销记录: write-offs, reversed ones too.
    WriteOffs(WriteOffFilter),
    /// 发货记录 (批号追溯 with a batch number): the lines of the shipments the list
    /// matches, only the batch's (and drug's) when it names them.
    Shipments(ShipmentFilter),
}

impl Register {
    /// Its field in `ExportRequest`, and its key in the audit log.
    pub fn key(&self) -> &'static str {
        match self {
            Register::Payments(_) => "payments",
            Register::Invoices(_) => "invoices",
            Register::WriteOffs(_) => "write_offs",
            Register::Shipments(_) => "shipments",
        }
    }

    /// The sheet's title: 回款记录 / "Payments", ….
    pub fn title(&self) -> Msg {
        match self {
            Register::Payments(_) => msg!("report.sheet.title.payments"),
            Register::Invoices(_) => msg!("report.sheet.title.invoices"),
            Register::WriteOffs(_) => msg!("report.sheet.title.write_offs"),
            Register::Shipments(f) if !f.batch_no.is_empty() => msg!("report.sheet.title.recall"),
            Register::Shipments(_) => msg!("report.sheet.title.shipments"),
        }
    }

    /// The customer filtered on, if one is.
    pub fn customer_id(&self) -> Option<i64> {
        match self {
            Register::Payments(f) => f.customer_id,
            Register::Invoices(f) => f.customer_id,
            Register::WriteOffs(f) => f.customer_id,
            Register::Shipments(f) => f.customer_id,
        }
    }

    fn dates(&self) -> (Option<NaiveDate>, Option<NaiveDate>) {
        match self {
            Register::Payments(f) => (f.date_from, f.date_to),
            Register::Invoices(f) => (f.date_from, f.date_to),
            Register::WriteOffs(f) => (f.date_from, f.date_to),
            Register::Shipments(f) => (f.ship_from, f.ship_to),
        }
    }

    /// The dates in the file's name: the period filtered to ("2026-11-01_2026-11-30",
    /// "2026-11-01 起", "至 2026-11-30"), else `today`, the day exported on.
    pub(super) fn dates_named(&self, today: NaiveDate, lang: Lang) -> String {
        let day = |d: NaiveDate| d.format("%Y-%m-%d").to_string();
        match self.dates() {
            (Some(from), Some(to)) => format!("{}_{}", day(from), day(to)),
            (None, None) => day(today),
            _ => self
                .period_said()
                .map(|m| m.text(lang).to_owned())
                .unwrap_or_default(),
        }
    }

    /// The dates filtered to, as the title block says them: "2026-11-01 至 2026-11-30",
    /// "2026-11-01 起", "至 2026-11-30"; `None` for any date.
    fn period_said(&self) -> Option<Msg> {
        let day = |d: NaiveDate| d.format("%Y-%m-%d").to_string();
        match self.dates() {
            (Some(from), Some(to)) => Some(msg!(
                "report.sheet.period_value",
                from = day(from),
                to = day(to)
            )),
            (Some(from), None) => Some(msg!("report.sheet.period_from", from = day(from))),
            (None, Some(to)) => Some(msg!("report.sheet.period_to", to = day(to))),
            (None, None) => None,
        }
    }
}

/// The title block's lines saying what `register` was filtered by, in `lang`: period,
/// customer, number searched, handler, order, kind, batch and drug; and what its totals
/// count (说明), a recall of several drugs each one's units (`today`: the business
/// date, for what is overdue).
/// NOT_FOUND for a customer or an order outside `reps` (or a drug that does not exist):
/// nothing is named that the caller may not see.
pub(super) fn filter_lines(
    conn: &mut PgConnection,
    register: &Register,
    today: NaiveDate,
    reps: &Reps,
    lang: Lang,
) -> AppResult<Vec<(String, String)>> {
    let l = |m: Msg| m.text(lang).to_owned();
    let mut lines = Vec::new();
    if let Some(period) = register.period_said() {
        lines.push((l(msg!("report.sheet.period")), l(period)));
    }
    if let Some(id) = register.customer_id() {
        let customer = finance::customer_in_scope(conn, reps, id)?;
        lines.push((l(msg!("report.sheet.customer")), customer.name));
    }
    match register {
        Register::Payments(f) => {
            finance::user_named(conn, "handler_id", f.handler_id)?;
            if !f.number.is_empty() {
                lines.push((l(msg!("report.sheet.payment.searched")), f.number.clone()));
            }
            if let Some(h) = f.handler_id {
                lines.push((
                    l(msg!("report.sheet.handler")),
                    crate::db::models::display_name_of(conn, Some(h))?,
                ));
            }
            lines.push((
                l(msg!("report.sheet.explained")),
                l(msg!("report.sheet.payment.totals_said")),
            ));
        }
        Register::Invoices(f) => {
            if !f.number.is_empty() {
                lines.push((l(msg!("report.sheet.invoice.searched")), f.number.clone()));
            }
            if let Some(o) = f.order_id {
                let order = crate::db::models::order::find(conn, reps, o, false)?;
                lines.push((l(msg!("report.sheet.order")), order.number));
            }
            lines.push((
                l(msg!("report.sheet.explained")),
                l(msg!("report.sheet.invoice.totals_said")),
            ));
        }
        Register::Shipments(f) => {
            // What the filter names, refused before anything is named or counted.
            crate::ops::orders::check_shipment_filter(conn, reps, f)?;
            if !f.batch_no.is_empty() {
                lines.push((l(msg!("report.sheet.batch_no")), f.batch_no.to_uppercase()));
            }
            if let Some(id) = f.drug_id {
                lines.push((
                    l(msg!("report.sheet.drug")),
                    crate::db::models::drug::label_of(conn, id)?,
                ));
            }
            if let Some(o) = f.order_id {
                let order = crate::db::models::order::find(conn, reps, o, false)?;
                lines.push((l(msg!("report.sheet.order")), order.number));
            }
            if let Some(status) = &f.delivery_status {
                lines.push((l(msg!("report.sheet.delivery")), l(delivery_status(status))));
            }
            if f.overdue_only {
                lines.push((
                    l(msg!("report.sheet.delivery")),
                    l(msg!("report.sheet.delivery.overdue_only")),
                ));
            }
            if f.awaiting_delivery {
                lines.push((
                    l(msg!("report.sheet.delivery")),
                    l(msg!("report.sheet.delivery.awaiting")),
                ));
            }
            if f.cs_rep_id.is_some() {
                lines.push((
                    l(msg!("report.sheet.customer_set")),
                    l(msg!("report.sheet.customer_set.served")),
                ));
            }
            // A batch number printed on several drugs: each one's units here, as the
            // totals row cannot add them up (not for a whole 发货记录: its every drug).
            let counted = if f.batch_no.is_empty() {
                Vec::new()
            } else {
                shipment::count_lines(conn, reps, f, today)?
            };
            if counted.len() > 1 {
                let each: Vec<String> = counted
                    .iter()
                    .map(|u| {
                        l(msg!(
                            "report.sheet.shipment.units_of",
                            drug = crate::db::models::drug::label(&u.drug_name, &u.specification),
                            units = u.units,
                            unit = u.unit_label.clone(),
                            exceptions = u.exception_units
                        ))
                    })
                    .collect();
                lines.push((
                    l(msg!("report.sheet.shipment.units")),
                    listed(each.into_iter(), lang),
                ));
            }
            let rows_said = if f.batch_no.is_empty() && f.drug_id.is_none() {
                msg!("report.sheet.shipment.rows_said")
            } else {
                msg!("report.sheet.shipment.rows_said_batch")
            };
            lines.push((l(msg!("report.sheet.explained")), l(rows_said)));
        }
        Register::WriteOffs(f) => {
            if let Some(kind) = f.reason_kind {
                lines.push((
                    l(msg!("report.sheet.write_off.kind")),
                    l(write_off_kind(kind)),
                ));
            }
            lines.push((
                l(msg!("report.sheet.explained")),
                l(msg!("report.sheet.write_off.totals_said")),
            ));
        }
    }
    Ok(lines)
}

/// What the file's name says of `register`'s filter, between its title and its dates:
/// the kind of write-off, the batch and drug recalled, the customer's name, the order
/// ("坏账核销", "B2611", "长沙市第一医院", "SO20261128-0001"), so that two exports of one
/// period are two files. Read within `reps`; each fit for a file name
/// ([`pharmacrm_shared::validation::file_name_part`]).
pub(super) fn named_filters(
    conn: &mut PgConnection,
    register: &Register,
    reps: &Reps,
    lang: Lang,
) -> AppResult<Vec<String>> {
    let mut parts = Vec::new();
    if let Register::WriteOffs(WriteOffFilter {
        reason_kind: Some(kind),
        ..
    }) = register
    {
        parts.push(write_off_kind(kind).text(lang).to_owned());
    }
    if let Register::Shipments(f) = register {
        if !f.batch_no.is_empty() {
            // As printed on the box: matched whatever the case it was typed in.
            parts.push(f.batch_no.to_uppercase());
        }
        if let Some(id) = f.drug_id {
            parts.push(crate::db::models::drug::label_of(conn, id)?);
        }
    }
    if let Some(id) = register.customer_id() {
        parts.push(finance::customer_in_scope(conn, reps, id)?.name);
    }
    if let Register::Invoices(InvoiceFilter {
        order_id: Some(id), ..
    })
    | Register::Shipments(ShipmentFilter {
        order_id: Some(id), ..
    }) = register
    {
        parts.push(crate::db::models::order::find(conn, reps, *id, false)?.number);
    }
    Ok(parts
        .iter()
        .map(|p| pharmacrm_shared::validation::file_name_part(p))
        .collect())
}

/// Writes `register`'s sheet: the rows written, or `None` when the caller has gone.
/// NOT_FOUND for a customer or an order filtered on outside the scope (or a shipments'
/// drug that does not exist).
pub(super) fn write(
    conn: &mut PgConnection,
    sheet: &mut Sheet<'_, '_, '_>,
    register: &Register,
    ctx: &Context<'_>,
) -> AppResult<Option<u64>> {
    let (reps, lang) = (ctx.reps, ctx.lang);
    // The list's totals first: they refuse a customer or an order outside the scope
    // before a row is written.
    match register {
        Register::Payments(f) => {
            let (_, count, amount) = finance::list_payments(conn, reps, f, 0, 0)?;
            sheet.write_batches(conn, count, payment_fields(lang, amount), |conn, each| {
                finance::each_payment_batch(conn, reps, f, BATCH, each)
            })
        }
        Register::Invoices(f) => {
            let (_, totals) = finance::list_invoices(conn, reps, f, 0, 0)?;
            let fields = invoice_fields(lang, &totals, f.order_id);
            sheet.write_batches(conn, totals.count, fields, |conn, each| {
                finance::each_invoice_batch(conn, reps, f, BATCH, each)
            })
        }
        Register::Shipments(f) => {
            let today = ctx.clock.today();
            crate::ops::orders::check_shipment_filter(conn, reps, f)?;
            let counted = shipment::count_lines(conn, reps, f, today)?;
            let count = counted.iter().map(|u| u.lines).sum();
            // Totalled when the lines are of one drug in one unit (more, and the title
            // block says each drug's).
            let totals = match counted.as_slice() {
                [one] => Some((one.units, one.exception_units)),
                _ => None,
            };
            let fields = shipment_fields(lang, ctx.clock, totals);
            sheet.write_batches(conn, count, fields, |conn, each| {
                shipment::each_batch(conn, reps, f, today, BATCH, |conn, rows| {
                    each(shipped_lines(conn, f, rows, today)?)
                })
            })
        }
        Register::WriteOffs(f) => {
            let (_, count, in_effect) = finance::list_write_offs(conn, reps, f, 0, 0)?;
            sheet.write_batches(
                conn,
                count,
                write_off_fields(lang, in_effect),
                |conn, each| finance::each_write_off_batch(conn, reps, f, BATCH, each),
            )
        }
    }
}

/// A column headed by `m` in `lang`, of `kind`, `width` characters wide (`None`: as its
/// heading and kind need).
fn col(lang: Lang, m: Msg, kind: Kind, width: Option<f64>) -> Column {
    let heading = m.text(lang).to_owned();
    match width {
        Some(w) => Column::wide(heading, kind, w),
        None => Column::new(heading, kind),
    }
}

/// A person's name, "（已停用）" after it when their account is disabled (they left).
fn person(name: &str, inactive: bool, lang: Lang) -> Cell {
    Cell::from(crate::messages::person_named(name, inactive, lang))
}

/// Pieces of text joined as a list in `lang`: "；" in Chinese, "; " in English.
fn listed(parts: impl Iterator<Item = String>, lang: Lang) -> String {
    let separator = match lang {
        Lang::Zh => "；",
        Lang::En => "; ",
    };
    parts.collect::<Vec<_>>().join(separator)
}

/// "SO20261128-0001：500.00": a document and an amount on it.
fn on(number: &str, amount: rust_decimal::Decimal, lang: Lang) -> String {
    msg!(
        "report.sheet.amount_on",
        number = number,
        amount = Money(amount)
    )
    .text(lang)
    .to_owned()
}

fn payment_fields<'a>(lang: Lang, total: rust_decimal::Decimal) -> Fields<'a, PaymentView> {
    let c = |m: Msg, kind: Kind, width: Option<f64>| col(lang, m, kind, width);
    Fields::<PaymentView>::default()
        .column(
            c(msg!("report.sheet.payment.number"), Kind::Text, Some(18.0)),
            |v| Cell::from(v.payment.number.as_str()),
        )
        .column(
            c(msg!("report.sheet.payment.date"), Kind::Date, None),
            |v| Cell::Date(v.payment.payment_date),
        )
        .column(
            c(msg!("report.sheet.customer"), Kind::Text, Some(28.0)),
            |v| Cell::from(v.customer_name.as_str()),
        )
        // Reversed ones are rows with their amount, but not in the total (as the list).
        .totalled(
            c(msg!("report.sheet.payment.amount"), Kind::Money, None),
            |v| Cell::Decimal(v.payment.amount),
            Cell::Decimal(total),
        )
        .column(c(msg!("report.sheet.status"), Kind::Text, None), move |v| {
            Cell::from(
                match v.payment.reversal_date {
                    Some(d) if v.payment.reversed_at.is_some() => {
                        msg!("report.sheet.payment.reversed", date = d)
                    }
                    _ => msg!("report.sheet.status.valid"),
                }
                .text(lang),
            )
        })
        .column(
            c(msg!("report.sheet.payment.method"), Kind::Text, None),
            move |v| Cell::from(payment_method(&v.payment.method).text(lang)),
        )
        .column(
            c(
                msg!("report.sheet.payment.reference"),
                Kind::Text,
                Some(22.0),
            ),
            |v| Cell::from(v.payment.reference.as_str()),
        )
        .column(
            c(msg!("report.sheet.handler"), Kind::Text, None),
            move |v| person(&v.handler_name, v.handler_inactive, lang),
        )
        .column(
            c(msg!("report.sheet.sales_rep"), Kind::Text, None),
            move |v| person(&v.sales_rep_name, v.sales_rep_inactive, lang),
        )
        // A reversed payment holds nothing on account now; the total is what the payments
        // hold on account.
        .summed(
            c(msg!("report.sheet.payment.unallocated"), Kind::Money, None),
            |v| {
                if v.payment.reversed_at.is_some() {
                    Cell::Empty
                } else {
                    Cell::Decimal(v.unallocated)
                }
            },
        )
        .column(
            c(
                msg!("report.sheet.payment.allocations"),
                Kind::Text,
                Some(36.0),
            ),
            move |v| {
                Cell::from(listed(
                    v.allocations.iter().map(|a| {
                        let number = a.order.as_ref().map_or("", |(_, n)| n.as_str());
                        on(number, a.amount, lang)
                    }),
                    lang,
                ))
            },
        )
        .column(c(msg!("report.sheet.note"), Kind::Text, Some(24.0)), |v| {
            Cell::from(v.payment.note.as_str())
        })
        .column(c(msg!("report.sheet.recorded_by"), Kind::Text, None), |v| {
            Cell::from(v.created_by_name.as_str())
        })
        .column(
            c(
                msg!("report.sheet.payment.reversal_reason"),
                Kind::Text,
                Some(24.0),
            ),
            |v| Cell::from(v.payment.reversal_reason.as_str()),
        )
}

/// The invoices register's columns; filtered on an order, the order's part of each
/// invoice first (本单金额, totalled), then the whole invoice's amount.
fn invoice_fields<'a>(
    lang: Lang,
    totals: &InvoiceTotals,
    order_id: Option<i64>,
) -> Fields<'a, InvoiceView> {
    let c = |m: Msg, kind: Kind, width: Option<f64>| col(lang, m, kind, width);
    let fields = Fields::<InvoiceView>::default()
        // Text, whole: 20 digits of a 数电发票 are not a number to round.
        .column(
            c(msg!("report.sheet.invoice.number"), Kind::Text, Some(22.0)),
            |v| Cell::from(v.invoice.number.as_str()),
        )
        // Beside the number it tells apart (empty on a 数电发票).
        .column(
            c(msg!("report.sheet.invoice.code"), Kind::Text, Some(14.0)),
            |v| Cell::from(v.invoice.code.as_str()),
        )
        .column(
            c(msg!("report.sheet.invoice.date"), Kind::Date, None),
            |v| Cell::Date(v.invoice.invoice_date),
        )
        .column(
            c(msg!("report.sheet.customer"), Kind::Text, Some(28.0)),
            |v| Cell::from(v.customer_name.as_str()),
        )
        .column(
            c(msg!("report.sheet.invoice.entity"), Kind::Text, Some(24.0)),
            |v| Cell::from(v.entity_name.as_str()),
        )
        .column(
            c(msg!("report.sheet.invoice.kind"), Kind::Text, Some(18.0)),
            move |v| Cell::from(invoice_kind(&v.invoice.kind).text(lang)),
        );
    // Red invoices negative, so the columns sum to what is invoiced.
    let fields = match (order_id, totals.on_order) {
        (Some(order_id), Some(on_order)) => fields
            .totalled(
                c(msg!("report.sheet.invoice.on_order"), Kind::Money, None),
                move |v| {
                    v.orders
                        .iter()
                        .find(|(id, _, _)| *id == order_id)
                        .map_or(Cell::Empty, |(_, _, amount)| Cell::Decimal(*amount))
                },
                Cell::Decimal(on_order),
            )
            .totalled(
                c(msg!("report.sheet.invoice.whole"), Kind::Money, None),
                |v| Cell::Decimal(v.invoice.amount),
                Cell::Decimal(totals.amount),
            ),
        _ => fields.totalled(
            c(msg!("report.sheet.money_amount"), Kind::Money, None),
            |v| Cell::Decimal(v.invoice.amount),
            Cell::Decimal(totals.amount),
        ),
    };
    fields
        .column(
            c(msg!("report.sheet.status"), Kind::Text, Some(22.0)),
            move |v| Cell::from(invoice_status(v, order_id).text(lang)),
        )
        .column(
            c(msg!("report.sheet.invoice.orders"), Kind::Text, Some(36.0)),
            move |v| {
                Cell::from(listed(
                    v.orders
                        .iter()
                        .map(|(_, number, amount)| on(number, *amount, lang)),
                    lang,
                ))
            },
        )
        .column(c(msg!("report.sheet.note"), Kind::Text, Some(24.0)), |v| {
            Cell::from(v.invoice.note.as_str())
        })
        .column(c(msg!("report.sheet.recorded_by"), Kind::Text, None), |v| {
            Cell::from(v.created_by_name.as_str())
        })
}

/// An invoice's state as its list says it: 红冲 (of the blue one's number), 已红冲,
/// 部分红冲 (by how much), 正常. Filtered on an order (`order_id`), a blue invoice's state is
/// its part on that order's, as the list under an order says it.
fn invoice_status(v: &InvoiceView, order_id: Option<i64>) -> Msg {
    let on_order = |id: i64| {
        let on = v
            .orders
            .iter()
            .find(|(o, _, _)| *o == id)
            .map(|(_, _, a)| *a);
        let left = v
            .unreversed
            .iter()
            .find(|u| u.order_id == id)
            .map(|u| u.left);
        (on.unwrap_or_default(), left)
    };
    if v.invoice.red_of_invoice_id.is_some() {
        msg!(
            "report.sheet.invoice.red_of",
            number = pharmacrm_shared::validation::invoice_printed(&v.red_of.0, &v.red_of.1)
        )
    } else if let Some(id) = order_id {
        match on_order(id) {
            (_, None) => msg!("report.sheet.invoice.reversed"),
            (on, Some(left)) if on > left => msg!(
                "report.sheet.invoice.partly_reversed",
                amount = Money(on - left)
            ),
            _ => msg!("report.sheet.status.valid"),
        }
    } else if v.unreversed.is_empty() {
        msg!("report.sheet.invoice.reversed")
    } else {
        let left: rust_decimal::Decimal = v.unreversed.iter().map(|u| u.left).sum();
        let reversed = v.invoice.amount - left;
        if reversed > rust_decimal::Decimal::ZERO {
            msg!(
                "report.sheet.invoice.partly_reversed",
                amount = Money(reversed)
            )
        } else {
            msg!("report.sheet.status.valid")
        }
    }
}

fn write_off_fields<'a>(lang: Lang, in_effect: rust_decimal::Decimal) -> Fields<'a, WriteOffView> {
    let c = |m: Msg, kind: Kind, width: Option<f64>| col(lang, m, kind, width);
    Fields::<WriteOffView>::default()
        .column(
            c(
                msg!("report.sheet.write_off.number"),
                Kind::Text,
                Some(18.0),
            ),
            |v| Cell::from(v.write_off.number.as_str()),
        )
        .column(
            c(msg!("report.sheet.write_off.date"), Kind::Date, None),
            |v| Cell::Date(v.write_off.write_off_date),
        )
        .column(
            c(msg!("report.sheet.customer"), Kind::Text, Some(28.0)),
            |v| Cell::from(v.customer_name.as_str()),
        )
        .column(
            c(msg!("report.sheet.write_off.amount"), Kind::Money, None),
            |v| Cell::Decimal(v.write_off.amount),
        )
        // What it takes off now: 0 once reversed, less what a deduction took back.
        .totalled(
            c(msg!("report.sheet.write_off.in_effect"), Kind::Money, None),
            |v| Cell::Decimal(v.in_effect),
            Cell::Decimal(in_effect),
        )
        .column(
            c(msg!("report.sheet.status"), Kind::Text, Some(22.0)),
            move |v| {
                let w = &v.write_off;
                Cell::from(
                    match w.reversal_date {
                        Some(d) if w.reversed_at.is_some() => {
                            msg!("report.sheet.write_off.reversed", date = d)
                        }
                        _ if v.in_effect < w.amount => msg!(
                            "report.sheet.write_off.taken_back",
                            amount = Money(w.amount - v.in_effect)
                        ),
                        _ => msg!("report.sheet.write_off.active"),
                    }
                    .text(lang),
                )
            },
        )
        .column(
            c(msg!("report.sheet.write_off.kind"), Kind::Text, None),
            move |v| Cell::from(write_off_kind(&v.write_off.reason_kind).text(lang)),
        )
        .column(
            c(
                msg!("report.sheet.write_off.reason"),
                Kind::Text,
                Some(24.0),
            ),
            |v| Cell::from(v.write_off.reason.as_str()),
        )
        .column(
            c(msg!("report.sheet.shipment_number"), Kind::Text, Some(18.0)),
            |v| Cell::from(v.shipment_number.as_str()),
        )
        .column(
            c(msg!("report.sheet.order_number"), Kind::Text, Some(18.0)),
            |v| Cell::from(v.order_number.as_str()),
        )
        .column(
            c(msg!("report.sheet.write_off.by"), Kind::Text, None),
            |v| Cell::from(v.created_by_name.as_str()),
        )
        .column(
            c(
                msg!("report.sheet.write_off.reversal_reason"),
                Kind::Text,
                Some(24.0),
            ),
            |v| Cell::from(v.write_off.reversal_reason.as_str()),
        )
        .column(
            c(msg!("report.sheet.write_off.reversed_by"), Kind::Text, None),
            |v| Cell::from(v.reversed_by_name.as_str()),
        )
}

/// A shipment line as the shipments register writes it, with what its row names.
pub(super) struct ShippedLine {
    shipment: Shipment,
    line: ShipmentLine,
    customer: String,
    /// The customer's contact person and phone: whom a recall calls.
    contact: (String, String),
    order_number: String,
    drug: String,
    specification: String,
    unit: String,
    cs_rep: String,
    /// Days past the expected arrival while in transit; 0 otherwise.
    days_overdue: i64,
}

/// The lines of `shipments` that `filter` is about ([`shipment::line_matches`]), in the
/// shipments' order and each shipment's, with their names.
fn shipped_lines(
    conn: &mut PgConnection,
    filter: &ShipmentFilter,
    shipments: Vec<Shipment>,
    today: NaiveDate,
) -> AppResult<Vec<ShippedLine>> {
    let customer_ids: Vec<i64> = shipments.iter().map(|s| s.customer_id).collect();
    let contacts = crate::db::models::customer::contacts(conn, &customer_ids)?;
    let bundle = crate::ops::orders::bundle(conn, vec![], shipments, vec![], today)?;
    let names = &bundle.names;
    let mut out = Vec::new();
    for (s, lines) in bundle.shipments {
        let cs_rep = names.user(names.customer_cs_reps.get(&s.customer_id).copied());
        for line in lines {
            let ordered = names.order_lines.get(&line.order_line_id);
            let drug_id = ordered.map_or(0, |o| o.drug_id);
            if !shipment::line_matches(filter, &line, drug_id) {
                continue;
            }
            out.push(ShippedLine {
                customer: names.customer(s.customer_id),
                contact: contacts.get(&s.customer_id).cloned().unwrap_or_default(),
                order_number: names.orders.get(&s.order_id).cloned().unwrap_or_default(),
                drug: ordered.map(|o| o.drug_name.clone()).unwrap_or_default(),
                specification: ordered.map(|o| o.specification.clone()).unwrap_or_default(),
                unit: ordered.map(|o| o.unit_label.clone()).unwrap_or_default(),
                cs_rep: cs_rep.clone(),
                days_overdue: s.days_overdue(today),
                shipment: s.clone(),
                line,
            });
        }
    }
    Ok(out)
}

/// The shipments register's columns; the units shipped and those reported in exceptions
/// totalled as `totals` (when every line is of one drug in one unit, else `None`).
fn shipment_fields<'a>(
    lang: Lang,
    clock: &'a crate::clock::Clock,
    totals: Option<(i64, i64)>,
) -> Fields<'a, ShippedLine> {
    let c = |m: Msg, kind: Kind, width: Option<f64>| col(lang, m, kind, width);
    Fields::<ShippedLine>::default()
        .column(
            c(msg!("report.sheet.customer"), Kind::Text, Some(28.0)),
            |v| Cell::from(v.customer.as_str()),
        )
        .column(c(msg!("report.sheet.contact"), Kind::Text, None), |v| {
            Cell::from(v.contact.0.as_str())
        })
        .column(c(msg!("report.sheet.phone"), Kind::Text, Some(14.0)), |v| {
            Cell::from(v.contact.1.as_str())
        })
        .column(c(msg!("report.sheet.ship_date"), Kind::Date, None), |v| {
            Cell::Date(v.shipment.ship_date)
        })
        .column(
            c(msg!("report.sheet.shipment_number"), Kind::Text, Some(18.0)),
            |v| Cell::from(v.shipment.number.as_str()),
        )
        .column(
            c(msg!("report.sheet.order_number"), Kind::Text, Some(18.0)),
            |v| Cell::from(v.order_number.as_str()),
        )
        .column(c(msg!("report.sheet.drug"), Kind::Text, Some(20.0)), |v| {
            Cell::from(v.drug.as_str())
        })
        .column(
            c(msg!("report.sheet.specification"), Kind::Text, None),
            |v| Cell::from(v.specification.as_str()),
        )
        .column(
            c(msg!("report.sheet.batch_no"), Kind::Text, Some(14.0)),
            |v| Cell::from(v.line.batch_no.as_str()),
        )
        .column(c(msg!("report.sheet.expiry_date"), Kind::Date, None), |v| {
            Cell::Date(v.line.expiry_date)
        })
        .totalled(
            c(msg!("report.sheet.quantity"), Kind::Integer, None),
            |v| Cell::Int(v.line.quantity),
            totals.map_or(Cell::Empty, |(units, _)| Cell::Int(units)),
        )
        .column(
            c(msg!("report.sheet.quantity_unit"), Kind::Text, None),
            |v| Cell::from(v.unit.as_str()),
        )
        .totalled(
            c(msg!("report.sheet.exception_quantity"), Kind::Integer, None),
            |v| Cell::Int(v.line.exception_quantity),
            totals.map_or(Cell::Empty, |(_, exceptions)| Cell::Int(exceptions)),
        )
        .column(
            c(msg!("report.sheet.delivery"), Kind::Text, None),
            move |v| {
                let status = if v.days_overdue > 0 {
                    msg!("report.sheet.delivery.overdue", days = v.days_overdue)
                } else {
                    delivery_status(&v.shipment.delivery_status)
                };
                Cell::from(status.text(lang))
            },
        )
        .column(c(msg!("report.sheet.signer"), Kind::Text, None), |v| {
            Cell::from(v.shipment.signer.as_str())
        })
        .column(
            c(msg!("report.sheet.delivered_at"), Kind::DateTime, None),
            |v| {
                v.shipment.delivered_at.map_or(Cell::Empty, |at| {
                    Cell::DateTime(at.with_timezone(&clock.zone()).naive_local())
                })
            },
        )
        .column(c(msg!("report.sheet.carrier"), Kind::Text, None), |v| {
            Cell::from(v.shipment.carrier.as_str())
        })
        .column(
            c(msg!("report.sheet.waybill_no"), Kind::Text, Some(16.0)),
            |v| Cell::from(v.shipment.waybill_no.as_str()),
        )
        .column(c(msg!("report.sheet.cs_rep"), Kind::Text, None), |v| {
            Cell::from(v.cs_rep.as_str())
        })
}

/// A delivery status by name: 在途, 已签收, 丢失.
fn delivery_status(code: &str) -> Msg {
    match code {
        shipment::DELIVERED => msg!("report.sheet.delivery.delivered"),
        shipment::LOST => msg!("report.sheet.delivery.lost"),
        _ => msg!("report.sheet.delivery.in_transit"),
    }
}

/// A payment method by name: 银行转账, 承兑汇票, 现金, 其他.
fn payment_method(code: &str) -> Msg {
    match code {
        "bank_transfer" => msg!("report.sheet.payment.method.bank_transfer"),
        "acceptance_bill" => msg!("report.sheet.payment.method.acceptance_bill"),
        "cash" => msg!("report.sheet.payment.method.cash"),
        _ => msg!("report.sheet.payment.method.other"),
    }
}

/// An invoice kind by name: 增值税专用发票, 增值税普通发票.
fn invoice_kind(code: &str) -> Msg {
    match code {
        "special" => msg!("report.sheet.invoice.kind.special"),
        _ => msg!("report.sheet.invoice.kind.ordinary"),
    }
}

/// A write-off kind by name: 坏账核销, 银行手续费, 尾差, 其他.
fn write_off_kind(code: &str) -> Msg {
    match code {
        "bad_debt" => msg!("report.sheet.write_off.kind.bad_debt"),
        "bank_fee" => msg!("report.sheet.write_off.kind.bank_fee"),
        "small_balance" => msg!("report.sheet.write_off.kind.small_balance"),
        _ => msg!("report.sheet.write_off.kind.other"),
    }
}
