//! Order operations whose rules span tables (spec "Order management" 1–4): pricing and
//! placing an order, cancelling or closing (结案) it, shipping, confirming delivery,
//! reporting a transport exception and deciding it (deduct or reship), and the read model
//! of an order.
//!
//! Locking order, to keep concurrent operations from deadlocking: the order row first,
//! then its shipment, exception or lines. Every operation that moves an order's progress
//! counters holds the order's row lock ([`order::advance`]); two CS reps shipping the last
//! units from the same order version: the second waits for the first, then sees a newer
//! version and gets ABORTED.

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};

use chrono::{DateTime, NaiveDate, Utc};
use diesel::PgConnection;
use diesel::prelude::*;
use pharmacrm_shared::money::{self, Decimal};
use serde::Serialize;

use crate::access;
use crate::clock::Clock;
use crate::db::models::audit_log::AuditRow;
use crate::db::models::container_unit::ContainerUnit;
use crate::db::models::customer::{self, Customer};
use crate::db::models::document_counter::{DocumentKind, next_number};
use crate::db::models::drug::Drug;
pub use crate::db::models::order::Ending;
use crate::db::models::order::{
    self, NewOrder, NewOrderLine, Order, OrderFacts, OrderLine, Progress,
};
use crate::db::models::shipment::{self, NewShipment, NewShipmentLine, Shipment, ShipmentLine};
use crate::db::models::transport_exception::{
    self as exception, ExceptionLine, NewException, NewExceptionLine, TransportException,
};
use crate::db::models::{
    Grants, WriteCtx, company_settings, customer_certificate, display_names,
    display_names_and_departed, invoicing_entity,
    request_id::{self, RequestId},
};
use crate::db::schema::{container_units, customers, drugs, orders, shipments};
use crate::db::scope::{Reps, Viewer};
use crate::db::versioned::{Versioned, check_fresh, check_fresh_as};
use crate::error::{AppError, AppResult, FieldCheck, FieldError, Msg};
use crate::messages::per_lang;
use crate::msg;
use crate::ops::finance;

/// A line amount or order total must stay below this (NUMERIC(14, 2)), CNY.
const MAX_AMOUNT: i64 = 1_000_000_000_000;

// ---------------------------------------------------------------------------------------
// Inputs (validated for form by `convert::orders`)

/// A line of a new order.
#[derive(Debug, Clone, PartialEq)]
pub struct LineInput {
    pub drug_id: i64,
    /// Whole container units, ≥ 1.
    pub quantity: i64,
    /// CNY per container unit; `None` for the drug's sale price.
    pub unit_price: Option<Decimal>,
}

/// A new order.
#[derive(Debug, Clone, PartialEq)]
pub struct OrderInput {
    pub customer_id: i64,
    pub invoicing_entity_id: i64,
    /// Empty for the customer's region and address.
    pub delivery_address: String,
    pub requested_delivery_date: Option<NaiveDate>,
    /// `None` for the customer's credit days.
    pub credit_days: Option<i32>,
    pub note: String,
    pub lines: Vec<LineInput>,
    /// Given to place an order for a customer on credit hold (needs
    /// `order.credit_override`), or to ask for approval (`request_approval`); empty
    /// otherwise.
    pub credit_override_reason: String,
    /// A new order for a customer on credit hold, by one who may not override it: placed
    /// awaiting approval (待审批) instead of refused.
    pub request_approval: bool,
    /// A new order's request ID, if the caller gave one ([`place`] answers a retry with
    /// the order the first request placed).
    pub request_id: Option<RequestId>,
}

/// A shipment's own fields.
#[derive(Debug, Clone, PartialEq)]
pub struct ShipmentFields {
    pub ship_date: NaiveDate,
    pub carrier: String,
    pub waybill_no: String,
    /// `None` for the company's default.
    pub transit_days: Option<i32>,
    /// `None` for the order's (or, on a replacement, the original shipment's).
    pub invoicing_entity_id: Option<i64>,
    pub invoice_no: String,
    /// The waybill may be one already on another shipment (the same parcel on purpose).
    pub confirm_waybill_reused: bool,
}

/// A shipment, or a replacement, as the request gave it: what it ships against (an
/// order, or an exception) at the version read, its fields and batch lines, and the
/// complaints about them the request itself gave cause for (a date that does not read, a
/// quantity of 0): [`ship`] and [`ship_replacement`] add theirs (a ship date before the
/// order's, goods expired) and answer every bad field at once.
#[derive(Debug, Clone)]
pub struct ShipmentDraft {
    /// The order, or the exception a replacement ships against.
    pub owner_id: i64,
    /// Its version as read.
    pub version: i32,
    pub fields: ShipmentFields,
    pub lines: Vec<BatchLine>,
    pub complaints: FieldCheck,
}

/// Units of an order line (or, on a replacement, of an exception line) from one batch.
#[derive(Debug, Clone, PartialEq)]
pub struct BatchLine {
    /// The order line, or the exception line on a replacement.
    pub line_id: i64,
    pub quantity: i64,
    pub batch_no: String,
    pub expiry_date: NaiveDate,
}

/// A report of damage, loss or shortage.
#[derive(Debug, Clone, PartialEq)]
pub struct ExceptionReport {
    pub shipment_id: i64,
    /// `damaged`, `lost` or `short`.
    pub kind: String,
    pub description: String,
    /// (shipment line, units).
    pub lines: Vec<(i64, i64)>,
}

/// How an exception is settled.
#[derive(Debug, Clone, PartialEq)]
pub enum Decision {
    /// Take the value off what the customer owes for the order.
    Deduct,
    /// Re-send the units: the CS rep ships the replacement ([`ship_replacement`]).
    Reship,
}

/// Something allowed but worth a second look (a price below cost).
#[derive(Debug, Clone, PartialEq)]
pub struct Warning {
    /// The field, e.g. `lines[1].unit_price`.
    pub field: String,
    pub msg: Msg,
}

// ---------------------------------------------------------------------------------------
// Orders

/// A checked, priced order not yet saved (its number is given when it is placed).
#[derive(Debug, Clone)]
pub struct Priced {
    pub customer: Customer,
    pub order: NewOrder,
    pub lines: Vec<NewOrderLine>,
    pub warnings: Vec<Warning>,
    /// Why the customer is on credit hold for this order, if it is (also a warning on
    /// [`CREDIT_HOLD_FIELD`]).
    pub credit_hold: Option<Msg>,
    /// Why the customer cannot order at all (archived, a licence expired), if so: placing
    /// refuses it; a preview says it as a warning on [`REFUSED_FIELD`] beside the amounts.
    pub refused: Option<Msg>,
}

/// The field of the warning for a customer who cannot order (archived, a licence expired).
pub const REFUSED_FIELD: &str = "customer_id";

/// The field of the warning, and of the request, for the credit hold.
pub const CREDIT_HOLD_FIELD: &str = "credit_override_reason";

/// The field of the warning for a customer with no valid licence on file
/// ([`qualification_warning`]).
pub const QUALIFICATION_FIELD: &str = "customer_qualification";

/// A licence kind's name in a message: 药品经营许可证, GSP 证书, 医疗机构执业许可证.
fn licence_name(kind: &str) -> Msg {
    match kind {
        "gsp" => msg!("order.certificate.gsp"),
        "medical_institution" => msg!("order.certificate.medical_institution"),
        _ => msg!("order.certificate.drug_trade"),
    }
}

/// The licences that show a buyer of `business_kind` may buy drugs: a hospital's or
/// clinic's 医疗机构执业许可证, a pharmacy's or distributor's 药品经营许可证; either for
/// another kind.
fn qualifying_licences(business_kind: &str) -> &'static [&'static str] {
    match business_kind {
        "hospital" | "clinic" => &["medical_institution"],
        "pharmacy" | "distributor" => &["drug_trade"],
        _ => &["medical_institution", "drug_trade"],
    }
}

/// Why an order for `customer` deserves a second look under GSP (2016) Art. 89 — drugs
/// go only to lawful buyers whose papers were checked —, if it does: no licence of the
/// kind its business needs on file valid on `on` ([`qualifying_licences`]). A warning,
/// not a refusal: the spec refuses only an expired drug-trade licence or GSP certificate
/// ([`require_may_sell_to`]); a customer's papers may be on their way.
fn qualification_warning(
    conn: &mut PgConnection,
    customer: &Customer,
    on: NaiveDate,
) -> AppResult<Option<Msg>> {
    let kinds = qualifying_licences(&customer.business_kind);
    let on_file = customer_certificate::of_kinds(conn, customer.id, kinds)?;
    if on_file.iter().any(|c| c.expires_on.is_none_or(|d| d >= on)) {
        return Ok(None);
    }
    let names: Vec<Msg> = kinds.iter().map(|k| licence_name(k)).collect();
    let either =
        |pick: fn(&Msg) -> &str, or: &str| names.iter().map(pick).collect::<Vec<_>>().join(or);
    let licence = per_lang(either(|m| &m.en, " or "), either(|m| &m.zh, "或"));
    Ok(Some(match on_file.first().and_then(|c| c.expires_on) {
        Some(expired) => msg!(
            "order.qualification_expired",
            licence = licence,
            date = expired.format("%Y-%m-%d").to_string()
        ),
        None => msg!("order.qualification_missing", licence = licence),
    }))
}

fn line_field(i: usize, name: &str) -> String {
    format!("lines[{i}].{name}")
}

/// The step of a sale a customer must still qualify for.
#[derive(Clone, Copy)]
enum SaleStep {
    /// Placing (or previewing) an order.
    Order,
    /// Shipping goods to the customer: an original shipment or a replacement.
    Shipment,
}

/// Refuses a customer that cannot be sold to at `step` (spec §4; GSP: goods are supplied
/// only to qualified buyers): archived, or whose drug-trade licence or GSP certificate on
/// file has expired (no copy of that kind still valid on `on`, the order or ship date).
fn require_may_sell_to(
    conn: &mut PgConnection,
    customer: &Customer,
    on: NaiveDate,
    step: SaleStep,
) -> AppResult<()> {
    if !customer.is_active {
        let why = match step {
            SaleStep::Order => msg!("order.customer_archived", name = customer.name),
            SaleStep::Shipment => msg!("shipment.customer_archived", name = customer.name),
        };
        return Err(AppError::precondition(why));
    }
    let certificates =
        customer_certificate::of_kinds(conn, customer.id, customer_certificate::LICENCES)?;
    for kind in customer_certificate::LICENCES {
        let of_kind: Vec<_> = certificates.iter().filter(|c| c.kind == *kind).collect();
        let valid = of_kind.iter().any(|c| c.expires_on.is_none_or(|d| d >= on));
        // Latest expiry first: the one to renew.
        if let (false, Some(latest)) = (valid, of_kind.first()) {
            let label = licence_name(kind);
            let number = &latest.number;
            let date = latest
                .expires_on
                .map(|d| d.format("%Y-%m-%d").to_string())
                .unwrap_or_default();
            let why = match step {
                SaleStep::Order => msg!(
                    "order.certificate_expired",
                    certificate = label,
                    number = number,
                    date = date
                ),
                SaleStep::Shipment => msg!(
                    "shipment.certificate_expired",
                    certificate = label,
                    number = number,
                    date = date
                ),
            };
            return Err(AppError::precondition(why));
        }
    }
    Ok(())
}

/// Locks customer `customer_id` (no edit archives it meanwhile) and refuses it when goods
/// may not go to it on `ship_date` ([`require_may_sell_to`]).
fn require_may_ship_to(
    conn: &mut PgConnection,
    customer_id: i64,
    ship_date: NaiveDate,
) -> AppResult<()> {
    let customer = Customer::lock(conn, customer_id)?;
    require_may_sell_to(conn, &customer, ship_date, SaleStep::Shipment)
}

/// An active invoicing entity: one not found is a complaint on `field` in `check` (said
/// with the request's other bad fields); FAILED_PRECONDITION for an archived one.
fn require_active_entity(
    conn: &mut PgConnection,
    field: &str,
    id: i64,
    check: &mut FieldCheck,
) -> AppResult<()> {
    match invoicing_entity::get(conn, id) {
        Ok(e) if e.is_active => Ok(()),
        Ok(e) => Err(AppError::precondition(msg!(
            "invoicing_entity.archived",
            name = e.name
        ))),
        Err(AppError::NotFound(_)) => {
            check.fail(field.to_owned(), msg!("invoicing_entity.not_found"));
            Ok(())
        }
        Err(e) => Err(e),
    }
}

impl From<FieldError> for Warning {
    fn from(f: FieldError) -> Self {
        Warning {
            field: f.field.into_owned(),
            msg: f.msg,
        }
    }
}

/// Checks and prices `input` as the caller `viewer` (holding `grants`) would place it on
/// business day `today`: the same checks and defaults as [`place`], without saving. A
/// customer who cannot order (archived, a licence expired) is priced all the same, the
/// reason in [`Priced::refused`] and as a warning, for the order form to show both.
/// `changing` is the order these fields change ([`amend`]), if they change one: it keeps
/// its reps and date, its entity and its units of a drug archived since, and is counted
/// at the new total in the credit check.
///
/// Errors: NOT_FOUND for a customer outside the scope; PERMISSION_DENIED for credit
/// terms other than the customer's (or the order's) without `customer.credit.write`
/// ([`access::require_may_set_order_credit_days`]); FAILED_PRECONDITION for an
/// archived drug or invoicing entity;
/// INVALID_ARGUMENT naming the field for a missing drug or entity, a delivery address
/// needed (the customer has none), or an amount too large. (A requested date in the past
/// is refused with the request's form, [`crate::convert::orders::order_input`].)
pub fn price(
    conn: &mut PgConnection,
    grants: &Grants,
    viewer: &Viewer,
    input: &OrderInput,
    changing: Option<&Changing>,
    today: NaiveDate,
) -> AppResult<Priced> {
    let changing_order = changing.map(|c| &c.order);
    if changing_order.is_some_and(|o| o.customer_id != input.customer_id) {
        return Err(AppError::field("customer_id", msg!("order.customer_fixed")));
    }
    let customer = customer::find(conn, viewer, input.customer_id, false)?;
    let standing_days = changing_order.map_or(customer.credit_days, |o| o.credit_days);
    if input.credit_days.is_some_and(|days| days != standing_days) {
        access::require_may_set_order_credit_days(grants)?;
    }
    let refused = match require_may_sell_to(conn, &customer, today, SaleStep::Order) {
        Ok(()) => None,
        Err(AppError::FailedPrecondition(why)) => Some(why),
        Err(other) => return Err(other),
    };
    // A change keeps what the order already has though archived since (an address edited
    // on an order of a drug no longer sold): the entity, and up to the units it has of a
    // drug (kept or lowered, not raised: an archived drug takes no new orders); anything
    // new must be active.
    let mut kept_units: HashMap<i64, i64> = HashMap::new();
    for l in changing.iter().flat_map(|c| &c.lines) {
        *kept_units.entry(l.drug_id).or_default() += l.quantity;
    }
    let kept_entity = changing_order.map(|o| o.invoicing_entity_id);
    let mut wanted_units: HashMap<i64, i64> = HashMap::new();
    for l in &input.lines {
        *wanted_units.entry(l.drug_id).or_default() += l.quantity;
    }
    let mut check = FieldCheck::default();
    if kept_entity != Some(input.invoicing_entity_id) {
        let id = input.invoicing_entity_id;
        require_active_entity(conn, "invoicing_entity_id", id, &mut check)?;
    }
    let ids: Vec<i64> = input.lines.iter().map(|l| l.drug_id).collect();
    let found: HashMap<i64, (Drug, ContainerUnit)> = drugs::table
        .inner_join(container_units::table)
        .filter(drugs::id.eq_any(&ids))
        .select((Drug::as_select(), ContainerUnit::as_select()))
        .load::<(Drug, ContainerUnit)>(conn)?
        .into_iter()
        .map(|(d, u)| (d.id, (d, u)))
        .collect();
    let mut lines = Vec::with_capacity(input.lines.len());
    let mut unit_names = BTreeSet::new();
    let mut warnings = Vec::new();
    let mut total = Decimal::ZERO;
    let show_cost = access::may_read_cost(grants);
    for (i, line) in input.lines.iter().enumerate() {
        let Some((drug, unit)) = found.get(&line.drug_id) else {
            check.fail(line_field(i, "drug_id"), msg!("drug.not_found"));
            continue;
        };
        if !drug.is_active {
            let kept = kept_units.get(&drug.id).copied().unwrap_or(0);
            if kept == 0 {
                return Err(AppError::precondition(msg!(
                    "order.drug_archived",
                    line = i + 1,
                    name = drug.name
                )));
            }
            if wanted_units.get(&drug.id).copied().unwrap_or(0) > kept {
                return Err(AppError::precondition(msg!(
                    "order.drug_archived_more",
                    line = i + 1,
                    name = drug.name,
                    units = format!("{kept} {}", unit.name)
                ))
                .at(line_field(i, "quantity")));
            }
        }
        let unit_price = line.unit_price.unwrap_or(drug.sale_price);
        let amount = money::line_amount(line.quantity, unit_price);
        if amount >= Decimal::from(MAX_AMOUNT) {
            check.fail(line_field(i, "quantity"), msg!("order.line_too_large"));
        }
        // A line at price 0 is free goods (赠品): said as such, so that a 0 typed by
        // mistake is seen. Those who may see the purchase price are warned below it.
        // Anyone else is warned below the sale price instead: a warning at the cost, even
        // without the figure, would give the cost away to anyone who tries a few prices.
        if unit_price.is_zero() {
            warnings.push(Warning {
                field: line_field(i, "unit_price"),
                msg: msg!("order.free_goods"),
            });
        } else if show_cost && unit_price < drug.purchase_price {
            warnings.push(Warning {
                field: line_field(i, "unit_price"),
                msg: msg!(
                    "order.below_cost_with_price",
                    cost = money::to_wire(&drug.purchase_price)
                ),
            });
        } else if !show_cost && unit_price < drug.sale_price {
            warnings.push(Warning {
                field: line_field(i, "unit_price"),
                msg: msg!(
                    "order.below_sale_price",
                    price = money::to_wire(&drug.sale_price)
                ),
            });
        } else if unit_price > drug.sale_price && !drug.sale_price.is_zero() {
            // Above the list price: a digit too many (99,999 for 15.80) is seen before
            // the customer is billed it.
            warnings.push(Warning {
                field: line_field(i, "unit_price"),
                msg: msg!(
                    "order.above_sale_price",
                    price = money::to_wire(&drug.sale_price)
                ),
            });
        }
        total += amount;
        lines.push(NewOrderLine {
            order_id: 0,
            line_no: i32::try_from(i + 1).unwrap_or(i32::MAX),
            drug_id: drug.id,
            drug_name: drug.name.clone(),
            specification: drug.specification.clone(),
            dosage_form: drug.dosage_form.clone(),
            manufacturer: drug.manufacturer.clone(),
            unit_label: unit.label(),
            quantity: line.quantity,
            unit_price,
            amount,
            list_price: Some(drug.sale_price),
        });
        unit_names.insert(unit.name.clone());
    }
    if total >= Decimal::from(MAX_AMOUNT) {
        check.fail("lines", msg!("order.total_too_large"));
    }
    check.finish()?;
    if let Some(why) = &refused {
        warnings.push(Warning {
            field: REFUSED_FIELD.to_owned(),
            msg: why.clone(),
        });
    } else if let Some(why) = qualification_warning(conn, &customer, today)? {
        warnings.push(Warning {
            field: QUALIFICATION_FIELD.to_owned(),
            msg: why,
        });
    }
    // A change that does not raise an order's total adds nothing to what the customer
    // owes: it is not held (a rep lowers a quantity for a customer overdue).
    let credit_hold = match changing_order {
        Some(o) if total <= o.total => None,
        _ => finance::credit_hold(
            conn,
            &customer,
            Some(total),
            today,
            changing_order.map(|o| o.id),
        )?,
    };
    if let Some(hold) = &credit_hold {
        warnings.push(Warning {
            field: CREDIT_HOLD_FIELD.to_owned(),
            msg: hold.clone(),
        });
    }

    let delivery_address = if input.delivery_address.trim().is_empty() {
        let region = customer::region_name(&customer.province_code, &customer.city_code);
        format!("{region} {}", customer.address).trim().to_owned()
    } else {
        input.delivery_address.trim().to_owned()
    };
    if delivery_address.is_empty() {
        return Err(AppError::field("delivery_address", msg!("field.required")));
    }
    // An order being changed keeps its reps and date; a new one goes to the customer's
    // reps now.
    let (sales_rep_id, cs_rep_id, order_date) = match changing_order {
        Some(o) => (o.sales_rep_id, o.cs_rep_id, o.order_date),
        None => (customer.sales_rep_id, customer.cs_rep_id, today),
    };
    let order = NewOrder {
        number: String::new(),
        customer_id: customer.id,
        sales_rep_id,
        cs_rep_id,
        order_date,
        invoicing_entity_id: input.invoicing_entity_id,
        delivery_address,
        requested_delivery_date: input.requested_delivery_date,
        credit_days: input.credit_days.unwrap_or(customer.credit_days),
        note: input.note.clone(),
        total,
        units_ordered: input.lines.iter().map(|l| l.quantity).sum(),
        unit_name: match unit_names.len() {
            1 => unit_names.pop_first(),
            _ => None,
        },
        awaiting_approval: changing_order.is_some_and(|o| o.awaiting_approval),
        created_by: viewer.user_id,
        updated_by: Some(viewer.user_id),
    };
    Ok(Priced {
        customer,
        order,
        lines,
        warnings,
        credit_hold,
        refused,
    })
}

/// A document (an order, a shipment, an exception) as the audit log records it: its
/// header's fields and its `lines`.
#[derive(Serialize)]
struct Record<'a, H, L> {
    #[serde(flatten)]
    header: &'a H,
    lines: &'a [L],
}

impl<H: Serialize, L: Serialize> Record<'_, H, L> {
    /// Audits `action` (e.g. `shipment.create`) of the new document `id` of kind
    /// `object`: this record after it, nothing before.
    fn audit_new(
        &self,
        conn: &mut PgConnection,
        ctx: WriteCtx<'_>,
        action: &str,
        object: &str,
        id: i64,
    ) -> AppResult<()> {
        ctx.audit_change(conn, action, object, id, None, Some(self))
    }
}

/// Places an order (客户下单) for the customer's current sales and CS reps, numbered
/// `SO<business date>-NNNN`; audited as `order.create`. Errors as [`price`], and
/// FAILED_PRECONDITION for a customer who cannot order ([`Priced::refused`]), and the
/// credit hold's ([`finance::check_credit`]); an override is audited as
/// `order.credit_override`. With a request ID the caller placed an order with before, the
/// request is a retry: that order is returned, with the warnings pricing it gives now, and
/// nothing is placed;
/// ALREADY_EXISTS on `request_id`, naming the order, when the ID came with another
/// request ([`request_id::earlier`]).
pub fn place(
    conn: &mut PgConnection,
    ctx: WriteCtx<'_>,
    viewer: &Viewer,
    input: &OrderInput,
    today: NaiveDate,
) -> AppResult<(Order, Vec<OrderLine>, Vec<Warning>)> {
    // The credit check reads the customer's ledger: hold it still until the order is in.
    // A retry of the same request waits here for the first to finish, then finds it.
    finance::lock_ledger(conn, input.customer_id)?;
    let request = input.request_id.as_ref();
    if let Some(placed) = request_id::earlier(conn, ctx.actor.user_id, request, |o: &Order| {
        msg!("order.request_id_used", number = o.number.clone())
    })? {
        let lines = order::lines(conn, placed.id)?;
        // The first answer's warnings (a price below the sale price…), as the order is
        // priced now: a caller who lost that answer is told them too.
        let changing = Changing {
            order: placed,
            lines,
        };
        let warnings = price(conn, ctx.grants, viewer, input, Some(&changing), today)
            .map(|priced| priced.warnings)
            .unwrap_or_default();
        return Ok((changing.order, changing.lines, warnings));
    }
    let (priced, credit) = price_to_save(conn, ctx, viewer, input, None, today)?;
    let new = NewOrder {
        number: next_number(conn, DocumentKind::Order, today)?,
        awaiting_approval: matches!(credit, Credit::AwaitingApproval(_)),
        ..priced.order
    };
    let (row, lines) = order::insert(conn, &new, &priced.lines)?;
    request_id::record(conn, ctx.actor.user_id, request, &row)?;
    Record {
        header: &row,
        lines: &lines,
    }
    .audit_new(conn, ctx, "order.create", Order::OBJECT, row.id)?;
    audit_credit(conn, ctx, &row, credit, &input.credit_override_reason)?;
    Ok((row, lines, priced.warnings))
}

/// How an order saved stands with the credit hold.
#[derive(Debug, Clone, PartialEq)]
enum Credit {
    /// Not on hold (a change that does not raise the order never is).
    Clear,
    /// On hold, overridden by a holder of `order.credit_override` with a reason.
    Overridden(Msg),
    /// On hold, placed by one who may not override it to wait for approval (待审批).
    AwaitingApproval(Msg),
}

/// `input` priced ([`price`]) to be saved: refused for a customer who cannot order
/// ([`Priced::refused`]) and by the credit hold ([`finance::check_credit`]) unless the
/// caller overrides it, or asks for approval of a new order (`request_approval`, with its
/// reason: INVALID_ARGUMENT on `credit_override_reason` without). An order awaiting
/// approval raised while the customer is on hold asks for it again, with a reason for
/// the new figure (the approver would otherwise approve a larger order on the reason given
/// for a smaller one). Returns the priced order and how it stands with the hold (for
/// [`audit_credit`]).
fn price_to_save(
    conn: &mut PgConnection,
    ctx: WriteCtx<'_>,
    viewer: &Viewer,
    input: &OrderInput,
    changing: Option<&Changing>,
    today: NaiveDate,
) -> AppResult<(Priced, Credit)> {
    let priced = price(conn, ctx.grants, viewer, input, changing, today)?;
    if let Some(why) = &priced.refused {
        return Err(AppError::precondition(why.clone()));
    }
    let may_override = access::may_override_credit(ctx.grants);
    let asks = match changing {
        None => input.request_approval,
        Some(c) => c.order.awaiting_approval,
    };
    let credit = match priced.credit_hold.clone() {
        Some(hold) if asks && !may_override => {
            if input.credit_override_reason.is_empty() {
                return Err(AppError::field(
                    CREDIT_HOLD_FIELD,
                    msg!("order.approval_reason_required"),
                ));
            }
            Credit::AwaitingApproval(hold)
        }
        hold => finance::check_credit(ctx.grants, hold, &input.credit_override_reason)?
            .map_or(Credit::Clear, Credit::Overridden),
    };
    Ok((priced, credit))
}

/// Audits how `order` passed the credit hold, with `reason`: an override as
/// `order.credit_override`, a request for approval as `order.approval_request` (the hold
/// said, in Chinese, as the history shows it).
fn audit_credit(
    conn: &mut PgConnection,
    ctx: WriteCtx<'_>,
    order: &Order,
    credit: Credit,
    reason: &str,
) -> AppResult<()> {
    let (action, hold) = match credit {
        Credit::Clear => return Ok(()),
        Credit::Overridden(hold) => ("order.credit_override", hold),
        Credit::AwaitingApproval(hold) => ("order.approval_request", hold),
    };
    audit_hold(conn, ctx, order, action, Some(hold), reason)
}

/// Audits `action` on `order` with the credit `hold` (if any) and `reason`.
fn audit_hold(
    conn: &mut PgConnection,
    ctx: WriteCtx<'_>,
    order: &Order,
    action: &'static str,
    hold: Option<Msg>,
    reason: &str,
) -> AppResult<()> {
    ctx.audit(
        conn,
        crate::db::models::audit_log::Event {
            action,
            object_type: Order::OBJECT,
            object_id: order.id.to_string(),
            before: None,
            after: Some(serde_json::json!({
                "number": order.number,
                "hold": hold.map(|h| h.zh),
                "reason": reason,
            })),
        },
    )
}

/// Whether `priced` is order `before` (with `lines`) as it is: the same own fields and the
/// same lines in the same order, at the same prices.
fn unchanged(before: &Order, lines: &[OrderLine], priced: &Priced) -> bool {
    let new = &priced.order;
    let same_header = (
        before.invoicing_entity_id,
        &before.delivery_address,
        before.requested_delivery_date,
        before.credit_days,
        &before.note,
    ) == (
        new.invoicing_entity_id,
        &new.delivery_address,
        new.requested_delivery_date,
        new.credit_days,
        &new.note,
    );
    same_header
        && lines
            .iter()
            .map(|l| (l.drug_id, l.quantity, l.unit_price))
            .eq(priced
                .lines
                .iter()
                .map(|l| (l.drug_id, l.quantity, l.unit_price)))
}

/// An order being changed, as read, with its lines.
#[derive(Debug, Clone)]
pub struct Changing {
    pub order: Order,
    pub lines: Vec<OrderLine>,
}

/// Order `id` within the scope with its lines, if it may still be changed: nothing of it
/// shipped, neither cancelled nor closed; locked with `lock` (for [`amend`]). Errors:
/// NOT_FOUND outside the scope; FAILED_PRECONDITION naming the order otherwise.
pub fn changeable(
    conn: &mut PgConnection,
    reps: &Reps,
    id: i64,
    lock: bool,
) -> AppResult<Changing> {
    let o = order::find(conn, reps, id, lock)?;
    let number = &o.number;
    let refusal = if o.cancelled_at.is_some() {
        Some(msg!("order.already_cancelled", number = number))
    } else if o.closed_at.is_some() {
        Some(msg!("order.already_closed", number = number))
    } else if o.units_shipped >= o.units_ordered {
        Some(msg!("order.change_after_full_shipment", number = number))
    } else if o.units_shipped > 0 {
        Some(msg!("order.change_after_shipment", number = number))
    } else {
        None
    };
    match refusal {
        Some(why) => Err(AppError::precondition(why)),
        None => Ok(Changing {
            lines: order::lines(conn, o.id)?,
            order: o,
        }),
    }
}

/// Changes order `before` (read and locked by [`changeable`]), read by the caller at
/// `version`, to `input` while nothing of it has shipped (修改订单): its lines are
/// replaced, priced and checked as a new order's ([`price`]); its number, date, customer
/// and reps stay. Audited as `order.update` (before and after, with their lines), an
/// overridden credit hold as `order.credit_override`.
///
/// Errors: ABORTED on a stale `version`; FAILED_PRECONDITION as [`place`]'s;
/// INVALID_ARGUMENT on `customer_id` other than the order's, and as [`price`]'s.
pub fn amend(
    conn: &mut PgConnection,
    ctx: WriteCtx<'_>,
    viewer: &Viewer,
    before: Changing,
    version: i32,
    input: &OrderInput,
    today: NaiveDate,
) -> AppResult<(Order, Vec<OrderLine>, Vec<Warning>)> {
    // The order first (locked by the caller), then the ledger (as a shipment takes them).
    check_fresh(conn, version, &before.order)?;
    finance::lock_ledger(conn, before.order.customer_id)?;
    let (priced, credit) = price_to_save(conn, ctx, viewer, input, Some(&before), today)?;
    let Changing {
        order: before,
        lines: before_lines,
    } = before;
    if unchanged(&before, &before_lines, &priced) {
        // Saved as it was: no new version (a shipment form open on it stays good), no
        // history.
        return Ok((before, before_lines, priced.warnings));
    }
    let (row, lines) = order::replace(conn, ctx, &before, &priced.order, &priced.lines)?;
    ctx.audit_change(
        conn,
        "order.update",
        Order::OBJECT,
        row.id,
        Some(&Record {
            header: &before,
            lines: &before_lines,
        }),
        Some(&Record {
            header: &row,
            lines: &lines,
        }),
    )?;
    audit_credit(conn, ctx, &row, credit, &input.credit_override_reason)?;
    Ok((row, lines, priced.warnings))
}

/// Approves order `id` awaiting approval (待审批), read at `version`, with `reason`: it is
/// 待发货 from then on. Audited as `order.approve` with the credit hold as it stands now
/// (none when it has cleared meanwhile: a payment came in).
///
/// Errors (`order.credit_override` is checked by the access table): NOT_FOUND outside the
/// scope; ABORTED on a stale `version`; FAILED_PRECONDITION when it is not awaiting
/// approval.
pub fn approve(
    conn: &mut PgConnection,
    ctx: WriteCtx<'_>,
    reps: &Reps,
    id: i64,
    version: i32,
    reason: &str,
    today: NaiveDate,
) -> AppResult<Order> {
    let before = order::find(conn, reps, id, true)?;
    check_fresh(conn, version, &before)?;
    if !before.awaiting_approval || before.cancelled_at.is_some() {
        return Err(AppError::precondition(msg!(
            "order.not_awaiting_approval",
            number = before.number.clone()
        )));
    }
    finance::lock_ledger(conn, before.customer_id)?;
    let customer = finance::customer_in_scope(conn, reps, before.customer_id)?;
    let hold = finance::credit_hold(conn, &customer, Some(before.total), today, Some(id))?;
    let after = order::approve(conn, ctx, &before)?;
    audit_hold(conn, ctx, &after, "order.approve", hold, reason)?;
    Ok(after)
}

/// What an approver weighs of an order awaiting approval (待审批).
#[derive(Debug, Clone)]
pub struct ApprovalCase {
    /// The sales rep's case: the reason given with the latest `order.approval_request`
    /// (placing the order, or raising it since).
    pub reason: String,
    /// Why the customer is on credit hold now ([`approval_hold`]), with the customer's
    /// other orders awaiting approval (which it does not count) and what they come to;
    /// `None` when the hold has cleared, or for a caller who does not weigh it.
    pub hold: Option<Msg>,
}

/// The [`ApprovalCase`] of each order of `orders` awaiting approval, by order id (the
/// others are absent), the hold read only when `weighs_hold` (the caller may approve or
/// reads the order's money). Reads the audit log's requests in one query, and each
/// awaiting order's customer's exposure: meant for a page of orders. NOT_FOUND for a
/// customer outside the scope.
pub fn approval_cases(
    conn: &mut PgConnection,
    reps: &Reps,
    orders: &[&Order],
    today: NaiveDate,
    weighs_hold: bool,
) -> AppResult<HashMap<i64, ApprovalCase>> {
    let awaiting: Vec<&Order> = orders
        .iter()
        .copied()
        .filter(|o| o.awaiting_approval && o.cancelled_at.is_none())
        .collect();
    if awaiting.is_empty() {
        return Ok(HashMap::new());
    }
    let ids: Vec<i64> = awaiting.iter().map(|o| o.id).collect();
    let mut asked = crate::db::models::audit_log::latest_of(
        conn,
        Order::OBJECT,
        &ids,
        "order.approval_request",
    )?;
    // Each customer's orders awaiting approval, of this page or not: the hold counts none
    // of them but the one weighed, so that it says what approving the others too adds.
    let customers: Vec<i64> = awaiting.iter().map(|o| o.customer_id).collect();
    let waiting = match weighs_hold {
        true => order::awaiting_approval_of(conn, &customers)?,
        false => Vec::new(),
    };
    let mut cases = HashMap::with_capacity(awaiting.len());
    for order in awaiting {
        let reason = asked
            .remove(&order.id)
            .and_then(|after| after.get("reason")?.as_str().map(str::to_owned))
            .unwrap_or_default();
        let hold = match weighs_hold {
            true => approval_hold(conn, reps, order, today)?,
            false => None,
        };
        let others: Vec<&order::Awaiting> = (waiting.iter())
            .filter(|w| w.customer_id == order.customer_id && w.id != order.id)
            .collect();
        let hold = match hold {
            Some(hold) if !others.is_empty() => {
                let numbers: Vec<String> = others.iter().map(|w| w.number.clone()).collect();
                let amount: Decimal = others.iter().map(|w| w.total).sum();
                let count = i64::try_from(others.len()).unwrap_or(i64::MAX);
                let more = msg!(
                    "order.approval_others",
                    count = crate::messages::Counted(count, "other order", "other orders"),
                    numbers = crate::messages::Listed(&numbers),
                    amount = crate::messages::Money(amount)
                );
                Some(Msg {
                    en: format!("{}; {}", hold.en, more.en),
                    zh: format!("{}；{}", hold.zh, more.zh),
                })
            }
            hold => hold,
        };
        cases.insert(order.id, ApprovalCase { reason, hold });
    }
    Ok(cases)
}

/// Why order `order`'s customer is on credit hold now with the order counted at its
/// total ([`finance::credit_hold`]), while the order awaits approval: what [`approve`] lets
/// it past, for the approver to weigh. `None` when it does not await approval, or when
/// the hold has cleared since (a payment came in). NOT_FOUND for a customer outside the
/// scope.
fn approval_hold(
    conn: &mut PgConnection,
    reps: &Reps,
    order: &Order,
    today: NaiveDate,
) -> AppResult<Option<Msg>> {
    if !order.awaiting_approval || order.cancelled_at.is_some() {
        return Ok(None);
    }
    let customer = finance::customer_in_scope(conn, reps, order.customer_id)?;
    finance::credit_hold(conn, &customer, Some(order.total), today, Some(order.id))
}

/// Cancels an order while nothing has shipped, or closes it (结案) once something has
/// but not everything, with `reason`; audited as `order.cancel` / `order.close`, or
/// `order.reject` when it turns down an order awaiting approval ([`Ending::verb`]).
///
/// Closing gives up the units not shipped: the order ships nothing more (replacements for
/// its exceptions still go, [`decide`]), its remainder leaves the customer's
/// credit exposure ([`finance::credit_hold`]) and its status goes on as if everything had
/// shipped.
///
/// Errors: NOT_FOUND outside the scope; ABORTED on a stale `version`; FAILED_PRECONDITION
/// when already cancelled or closed, when cancelling once anything has shipped (close it),
/// when closing with nothing shipped (cancel it) or nothing left to ship.
pub fn end(
    conn: &mut PgConnection,
    ctx: WriteCtx<'_>,
    reps: &Reps,
    id: i64,
    version: i32,
    ending: Ending,
    reason: &str,
) -> AppResult<Order> {
    let before = order::find(conn, reps, id, true)?;
    check_fresh(conn, version, &before)?;
    let number = &before.number;
    let shipped = before.units_shipped;
    let refusal = if before.cancelled_at.is_some() {
        Some(msg!("order.already_cancelled", number = number))
    } else if before.closed_at.is_some() {
        Some(msg!("order.already_closed", number = number))
    } else {
        match ending {
            Ending::Cancel if shipped == before.units_ordered => {
                Some(msg!("order.cancel_after_shipment", number = number))
            }
            Ending::Cancel if shipped > 0 => {
                Some(msg!("order.cancel_part_shipped", number = number))
            }
            Ending::Close if shipped == 0 => Some(msg!("order.close_unshipped", number = number)),
            Ending::Close if shipped == before.units_ordered => {
                Some(msg!("order.close_nothing_left", number = number))
            }
            _ => None,
        }
    };
    if let Some(refusal) = refusal {
        return Err(AppError::precondition(refusal));
    }
    // What closing gives up: each line's amount less the part charged for what shipped.
    let given_up = match ending {
        Ending::Cancel => Decimal::ZERO,
        Ending::Close => order::lines(conn, before.id)?
            .iter()
            .map(|l| {
                let left = l.quantity - l.shipped_quantity;
                money::part_amount(l.shipped_quantity, left, l.unit_price)
            })
            .sum(),
    };
    let after = order::end(conn, ctx, &before, ending, reason, given_up)?;
    crate::db::versioned::audit(conn, ctx, ending.verb(&after), Some(&before), Some(&after))?;
    Ok(after)
}

// ---------------------------------------------------------------------------------------
// Shipments

/// A waybill already on another shipment is one parcel recorded twice (a retried
/// request, a number typed again), unless the caller confirms it is the same parcel on
/// purpose: FAILED_PRECONDITION on `{prefix}.confirm_waybill_reused`, naming the
/// shipments. The same parcel goes to one customer (`customer_id`) on one day and is still
/// on its way: a waybill on another customer's shipment, one shipped another day, or one
/// signed for or lost is another parcel, refused on `{prefix}.waybill_no` whatever the
/// confirmation (a parcel signed for on one order read as overdue on the other).
fn require_new_waybill(
    conn: &mut PgConnection,
    prefix: &str,
    fields: &ShipmentFields,
    customer_id: i64,
) -> AppResult<()> {
    if fields.waybill_no.is_empty() {
        return Ok(());
    }
    let used = shipment::with_waybill(conn, &fields.waybill_no)?;
    let waybill = fields.waybill_no.clone();
    // Why a use is not this parcel, if it is not.
    let other_parcel = |u: &shipment::WaybillUse| {
        let number = u.number.clone();
        if u.customer_id != customer_id {
            Some(msg!(
                "shipment.waybill_other_customer",
                waybill = waybill.clone(),
                number = number
            ))
        } else if u.delivery_status == shipment::DELIVERED {
            Some(msg!(
                "shipment.waybill_delivered",
                waybill = waybill.clone(),
                number = number
            ))
        } else if u.delivery_status == shipment::LOST {
            Some(msg!(
                "shipment.waybill_lost",
                waybill = waybill.clone(),
                number = number
            ))
        } else if u.ship_date != fields.ship_date {
            let date = u.ship_date;
            Some(msg!(
                "shipment.waybill_other_day",
                waybill = waybill.clone(),
                number = number,
                date = date
            ))
        } else {
            None
        }
    };
    if let Some(why) = used.iter().find_map(other_parcel) {
        return Err(AppError::FailedPreconditionAt {
            field: format!("{prefix}.waybill_no").into(),
            msg: why,
        });
    }
    if used.is_empty() || fields.confirm_waybill_reused {
        return Ok(());
    }
    let numbers: Vec<String> = used.into_iter().map(|u| u.number).collect();
    Err(AppError::FailedPreconditionAt {
        field: format!("{prefix}.confirm_waybill_reused").into(),
        msg: msg!(
            "shipment.waybill_used",
            waybill = fields.waybill_no.clone(),
            numbers = per_lang(numbers.join(", "), numbers.join("、"))
        ),
    })
}

/// The checks every shipment's own fields pass: the ship date not after `today` nor
/// before `earliest`, an active invoicing entity (or `default_entity`, the order's, active
/// or not), transit days or the default.
/// Returns (entity, transit days).
fn check_shipment_fields(
    conn: &mut PgConnection,
    prefix: &str,
    fields: &ShipmentFields,
    earliest: NaiveDate,
    default_entity: i64,
    today: NaiveDate,
    check: &mut FieldCheck,
) -> AppResult<(i64, i32)> {
    if check.complains_of(&format!("{prefix}.ship_date")) {
        // It did not read: nothing to compare.
    } else if fields.ship_date > today {
        check.fail(
            format!("{prefix}.ship_date"),
            crate::messages::after_today(today),
        );
    } else if fields.ship_date < earliest {
        // Named by what it is before: the order's date, or a replacement's original
        // shipment ("早于 2026-12-06" alone left the user guessing).
        let date = earliest.format("%Y-%m-%d");
        let message = if prefix == "replacement" {
            msg!("shipment.date_before_original", date = date)
        } else {
            msg!("shipment.date_before_order", date = date)
        };
        check.fail(format!("{prefix}.ship_date"), message);
    }
    let entity = fields.invoicing_entity_id.unwrap_or(default_entity);
    // The order's own entity, even archived since, as when none is named (the order was
    // placed under it); another must be active.
    if entity != default_entity {
        let field = format!("{prefix}.invoicing_entity_id");
        require_active_entity(conn, &field, entity, check)?;
    }
    // Days out of range (refused already) do not date the arrival the expiry is checked
    // against: the default stands in.
    let transit = match fields.transit_days {
        Some(days) if !check.complains_of(&format!("{prefix}.transit_days")) => days,
        _ => company_settings::get(conn)?.default_transit_days,
    };
    Ok((entity, transit))
}

/// GSP: goods whose expiry date is before the ship date are not shipped, nor those that
/// would expire on the way (before the expected arrival, `transit_days` after shipping).
fn check_expiry(
    i: usize,
    field: &str,
    line: &BatchLine,
    ship_date: NaiveDate,
    transit_days: i32,
    check: &mut FieldCheck,
) {
    let field = format!("{field}[{i}].expiry_date");
    let arrival = ship_date + chrono::Duration::days(i64::from(transit_days));
    if check.complains_of(&field) {
        // It did not read: nothing to compare.
    } else if line.expiry_date < ship_date {
        check.fail(field, msg!("shipment.expired_goods"));
    } else if line.expiry_date < arrival {
        let arrival = arrival.format("%Y-%m-%d").to_string();
        check.fail(
            field,
            msg!("shipment.expires_in_transit", arrival = arrival),
        );
    }
}

/// GSP: a batch has one expiry date. Each of `rows` — (request row, order line, batch
/// number, expiry date) — whose batch of the same drug is on record ([`shipment::batch_expiries`])
/// or on an earlier row with another expiry date is recorded in `check` on
/// `{field}[i].expiry_date`, naming the date known (one typed wrong would send a recall
/// after the wrong date).
fn check_batch_expiry(
    conn: &mut PgConnection,
    field: &str,
    rows: &[(usize, i64, &str, NaiveDate)],
    check: &mut FieldCheck,
) -> AppResult<()> {
    let asked: Vec<(i64, &str)> = rows.iter().map(|r| (r.1, r.2)).collect();
    let records = shipment::batch_expiries(conn, &asked)?;
    let mut known: HashMap<(i64, String), NaiveDate> = HashMap::new();
    for (&(i, _, batch_no, expiry), record) in rows.iter().zip(records) {
        let field = format!("{field}[{i}].expiry_date");
        if check.complains_of(&field) {
            continue;
        }
        let Some((drug_id, on_record)) = record else {
            continue;
        };
        let key = (drug_id, batch_no.to_uppercase());
        let date = *known.entry(key).or_insert(on_record.unwrap_or(expiry));
        if date != expiry {
            check.fail(
                field,
                msg!(
                    "shipment.batch_expiry_differs",
                    batch = batch_no.to_owned(),
                    date = date
                ),
            );
        }
    }
    Ok(())
}

/// Records a shipment (发货) of `draft`'s lines against its order, read at its version;
/// audited as `shipment.create`. Returns the shipment and its lines.
///
/// Errors: NOT_FOUND outside the scope; ABORTED on a stale version (another shipment got
/// there first); FAILED_PRECONDITION for a cancelled or closed order, a customer archived
/// or whose licence or GSP certificate had expired on the ship date (GSP: goods go only to
/// qualified buyers, whenever the order was placed), or more units than remain on a
/// line (naming it and what remains); INVALID_ARGUMENT for a line not of this order, a
/// ship date after today or before the order date, goods expired on the ship date or on
/// the way, with the draft's own complaints.
pub fn ship(
    conn: &mut PgConnection,
    ctx: WriteCtx<'_>,
    reps: &Reps,
    draft: &ShipmentDraft,
    today: NaiveDate,
) -> AppResult<(Shipment, Vec<ShipmentLine>)> {
    let (order_id, version) = (draft.owner_id, draft.version);
    let (fields, lines) = (&draft.fields, &draft.lines);
    let peek = order::find(conn, reps, order_id, false)?;
    finance::lock_ledger(conn, peek.customer_id)?;
    let order = order::find(conn, reps, order_id, true)?;
    check_fresh_as(conn, "order_version", version, &order)?;
    if order.cancelled_at.is_some() {
        return Err(AppError::precondition(msg!(
            "shipment.order_cancelled",
            number = order.number
        )));
    }
    if order.closed_at.is_some() {
        return Err(AppError::precondition(msg!(
            "shipment.order_closed",
            number = order.number
        )));
    }
    if order.awaiting_approval {
        return Err(AppError::precondition(msg!(
            "shipment.order_awaiting_approval",
            number = order.number
        )));
    }
    require_may_ship_to(conn, order.customer_id, fields.ship_date.min(today))?;
    let mut check = draft.complaints.clone();
    let (entity, transit) = check_shipment_fields(
        conn,
        "shipment",
        fields,
        order.order_date,
        order.invoicing_entity_id,
        today,
        &mut check,
    )?;
    let order_lines: HashMap<i64, OrderLine> = order::lines(conn, order.id)?
        .into_iter()
        .map(|l| (l.id, l))
        .collect();
    let mut wanted: BTreeMap<i64, i64> = BTreeMap::new();
    // Each order line's first row in the request whose units go past what remains:
    // where too many units are said.
    let mut over_row: HashMap<i64, usize> = HashMap::new();
    let mut new_lines = Vec::with_capacity(lines.len());
    for (i, line) in lines.iter().enumerate() {
        check_expiry(i, "lines", line, fields.ship_date, transit, &mut check);
        let Some(ol) = order_lines.get(&line.line_id) else {
            check.fail(
                format!("lines[{i}].order_line_id"),
                msg!("shipment.line_not_of_order"),
            );
            continue;
        };
        let before_here = wanted.entry(ol.id).or_default();
        // The order line's units charged before this line: shipped before, and the
        // lines above of this same order line (other batches).
        let before = ol.shipped_quantity + *before_here;
        if before + line.quantity > ol.quantity {
            over_row.entry(ol.id).or_insert(i);
        }
        *before_here += line.quantity;
        new_lines.push(NewShipmentLine {
            shipment_id: 0,
            order_line_id: ol.id,
            exception_line_id: None,
            quantity: line.quantity,
            unit_price: ol.unit_price,
            amount: money::part_amount(before, line.quantity, ol.unit_price),
            batch_no: line.batch_no.clone(),
            expiry_date: line.expiry_date,
        });
    }
    let batches: Vec<(usize, i64, &str, NaiveDate)> = lines
        .iter()
        .enumerate()
        .filter(|(_, l)| order_lines.contains_key(&l.line_id))
        .map(|(i, l)| (i, l.line_id, l.batch_no.as_str(), l.expiry_date))
        .collect();
    check_batch_expiry(conn, "lines", &batches, &mut check)?;
    check.finish()?;
    for (line_id, quantity) in &wanted {
        let ol = &order_lines[line_id];
        let remaining = ol.quantity - ol.shipped_quantity;
        if *quantity > remaining {
            // Said under the quantity that goes past it (a batch's, when split): its row
            // names the drug; the order line is named for callers reading the message
            // alone, and split batches by their sum (5 under a 5 is not the excess).
            let row = over_row[line_id];
            let message = if lines[row].quantity == *quantity {
                msg!(
                    "shipment.over_shipping",
                    line = ol.line_no,
                    remaining = remaining
                )
            } else {
                msg!(
                    "shipment.over_shipping_split",
                    line = ol.line_no,
                    total = quantity,
                    remaining = remaining
                )
            };
            return Err(AppError::precondition(message).at(format!("lines[{row}].quantity")));
        }
    }
    require_new_waybill(conn, "shipment", fields, order.customer_id)?;
    let amount = new_lines.iter().map(|l| l.amount).sum();
    let new = NewShipment {
        number: next_number(conn, DocumentKind::Shipment, today)?,
        order_id: order.id,
        customer_id: order.customer_id,
        ship_date: fields.ship_date,
        carrier: fields.carrier.clone(),
        waybill_no: fields.waybill_no.clone(),
        transit_days: transit,
        invoicing_entity_id: entity,
        invoice_no: fields.invoice_no.clone(),
        replacement_of_exception_id: None,
        amount,
        created_by: ctx.actor.user_id.unwrap_or_default(),
        updated_by: ctx.actor.user_id,
    };
    let (row, stored) = shipment::insert(conn, &new, &new_lines)?;
    for (line_id, quantity) in &wanted {
        order::add_shipped(conn, *line_id, *quantity)?;
    }
    finance::post_shipment(conn, ctx, &order, &row).map_err(|e| e.at("shipment.ship_date"))?;
    order::advance(
        conn,
        ctx,
        &order,
        Progress {
            shipped: wanted.values().sum(),
            open_shipments: 1,
            ..Progress::default()
        },
        true,
    )?;
    Record {
        header: &row,
        lines: &stored,
    }
    .audit_new(conn, ctx, "shipment.create", Shipment::OBJECT, row.id)?;
    Ok((row, stored))
}

/// The order of `shipment_id` locked, then the shipment locked: the locking order.
fn lock_order_and_shipment(
    conn: &mut PgConnection,
    reps: &Reps,
    shipment_id: i64,
) -> AppResult<(Order, Shipment)> {
    let peek = shipment::find(conn, reps, shipment_id, false)?;
    let order = Order::lock(conn, peek.order_id)?;
    let shipment = shipment::find(conn, reps, shipment_id, true)?;
    Ok((order, shipment))
}

/// A delivery (签收) as recorded: who signed, when it arrived, and, when a delivery on
/// record is recorded again (更正签收), why.
#[derive(Debug, Clone)]
pub struct Delivery {
    /// 1–50 characters, trimmed.
    pub signer: String,
    pub arrived_at: DateTime<Utc>,
    /// Up to 200 characters, trimmed; required to correct a delivery on record.
    pub correction_reason: String,
}

/// The key of a corrected delivery's reason in its `shipment.deliver` audit record (beside
/// the shipment's own fields).
pub const CORRECTION_REASON: &str = "correction_reason";

/// A `shipment.deliver` audit record: the shipment's fields and, for a correction, its
/// reason under [`CORRECTION_REASON`].
#[derive(Serialize)]
struct Delivered<'a> {
    #[serde(flatten)]
    shipment: &'a Shipment,
    #[serde(skip_serializing_if = "Option::is_none")]
    correction_reason: Option<&'a str>,
}

impl<'a> Delivered<'a> {
    fn of(shipment: &'a Shipment, correction_reason: Option<&'a str>) -> Self {
        Delivered {
            shipment,
            correction_reason,
        }
    }
}

/// Records that shipment `id` (read at `version`) arrived (签收): signer and
/// arrival time (not before the ship date in the business time zone; one after now is
/// refused with the request's form, [`crate::convert::orders::confirm_delivery`]). Again
/// on a delivered shipment it corrects signer and time, for a reason kept in the audit
/// record (GSP: a record changed says why). Delivering a replacement closes its
/// exception. Audited as `shipment.deliver`.
///
/// Errors: NOT_FOUND outside the scope; ABORTED on a stale version; FAILED_PRECONDITION
/// for a lost shipment; INVALID_ARGUMENT on `arrived_at`, on `correction_reason` left out
/// of a correction, and on `signer` for a correction that changes nothing (each said with
/// the others).
pub fn confirm_delivery(
    conn: &mut PgConnection,
    ctx: WriteCtx<'_>,
    reps: &Reps,
    id: i64,
    version: i32,
    input: &Delivery,
    clock: &Clock,
) -> AppResult<Shipment> {
    let (order, before) = lock_order_and_shipment(conn, reps, id)?;
    check_fresh(conn, version, &before)?;
    if before.delivery_status == shipment::LOST {
        return Err(AppError::precondition(msg!(
            "shipment.lost",
            number = before.number
        )));
    }
    let correcting = before.delivery_status == shipment::DELIVERED;
    // Said together: a correction's reason left out and a time before the ship date.
    let mut check = FieldCheck::default();
    if correcting && input.correction_reason.is_empty() {
        check.fail(
            "correction_reason",
            msg!(
                "shipment.correction_reason_required",
                number = before.number
            ),
        );
    }
    if clock.date_of(input.arrived_at) < before.ship_date {
        check.fail(
            "arrived_at",
            msg!(
                "shipment.arrived_before_shipped",
                date = before.ship_date.format("%Y-%m-%d")
            ),
        );
    }
    // A correction that changes nothing would only add a line to the history.
    if correcting && before.signer == input.signer && before.delivered_at == Some(input.arrived_at)
    {
        check.fail("signer", msg!("shipment.correction_unchanged"));
    }
    check.finish()?;
    let after = shipment::deliver(conn, ctx, &before, &input.signer, input.arrived_at)?;
    // The delivery is recorded before what it closes: the history reads cause, then effect.
    // A correction's record carries its reason beside the shipment's fields.
    let reason = correcting.then_some(input.correction_reason.as_str());
    ctx.audit_change(
        conn,
        "shipment.deliver",
        Shipment::OBJECT,
        before.id,
        Some(&Delivered::of(&before, None)),
        Some(&Delivered::of(&after, reason)),
    )?;
    if before.delivery_status == shipment::IN_TRANSIT {
        // Received in good order: its units (a replacement's too) less those already
        // reported in exceptions while it travelled.
        let mut change = Progress {
            open_shipments: -1,
            delivered: shipment::lines_of(conn, &[before.id])?
                .iter()
                .map(|l| l.quantity - l.exception_quantity)
                .sum(),
            ..Progress::default()
        };
        if before.replacement_of_exception_id.is_some() {
            change.open_exceptions = close_replaced(conn, ctx, before.id, clock.now())?;
        }
        order::advance(conn, ctx, &order, change, false)?;
    }
    Ok(after)
}

/// Closes, at `at`, the open exception whose replacement is shipment `shipment_id`, once
/// that replacement is delivered or lost (audited as `transport_exception.close`): the
/// change in the order's open exceptions, -1, or 0 when the shipment replaces nothing open.
fn close_replaced(
    conn: &mut PgConnection,
    ctx: WriteCtx<'_>,
    shipment_id: i64,
    at: DateTime<Utc>,
) -> AppResult<i32> {
    let Some(replaced) = exception::replaced_by(conn, shipment_id)? else {
        return Ok(0);
    };
    let closed = exception::close(conn, ctx, &replaced, at)?;
    crate::db::versioned::audit(conn, ctx, "close", Some(&replaced), Some(&closed))?;
    Ok(-1)
}

// ---------------------------------------------------------------------------------------
// Transport exceptions

/// Records goods damaged, lost or short on a shipment (上报异常), valued so that every
/// unit of a line reported comes to what the line was charged, never more
/// ([`money::reported_part_amount`]; a replacement's units at what the exception lines they
/// replace were valued); audited as `transport_exception.report`. When
/// `lost` reports cover every unit of a shipment in transit, it is lost: no longer in
/// transit, never overdue; a lost replacement closes the exception it replaced (this one
/// carries the goods' fate and is decided in its turn), so the order can still complete.
///
/// Errors: NOT_FOUND outside the scope; INVALID_ARGUMENT for a line not of the shipment;
/// FAILED_PRECONDITION for more units than remain unreported on a line (on
/// `lines[i].quantity`, that line's first row).
pub fn report_exception(
    conn: &mut PgConnection,
    ctx: WriteCtx<'_>,
    reps: &Reps,
    report: &ExceptionReport,
    reported_at: DateTime<Utc>,
    today: NaiveDate,
) -> AppResult<(TransportException, Vec<ExceptionLine>)> {
    let (order, ship) = lock_order_and_shipment(conn, reps, report.shipment_id)?;
    let ids: Vec<i64> = report.lines.iter().map(|(id, _)| *id).collect();
    let locked: HashMap<i64, ShipmentLine> = shipment::lock_lines(conn, &ids)?
        .into_iter()
        .filter(|l| l.shipment_id == ship.id)
        .map(|l| (l.id, l))
        .collect();
    let mut check = FieldCheck::default();
    let mut wanted: BTreeMap<i64, i64> = BTreeMap::new();
    for (i, (line_id, quantity)) in report.lines.iter().enumerate() {
        if locked.contains_key(line_id) {
            *wanted.entry(*line_id).or_default() += quantity;
        } else {
            check.fail(
                format!("lines[{i}].shipment_line_id"),
                msg!("exception.line_not_of_shipment"),
            );
        }
    }
    check.finish()?;
    let order_lines: HashMap<i64, OrderLine> = order::lines(conn, order.id)?
        .into_iter()
        .map(|l| (l.id, l))
        .collect();
    // A replacement was charged nothing: its units are worth what the exception lines
    // they replace were valued at. Per exception line replaced: it, and its units already
    // reported on the replacement (over every batch; the order's lock holds them still).
    let replaced: HashMap<i64, ExceptionLine> = match ship.replacement_of_exception_id {
        Some(e) => exception::lines_of(conn, &[e])?
            .into_iter()
            .map(|l| (l.id, l))
            .collect(),
        None => HashMap::new(),
    };
    let mut reported_of: HashMap<i64, i64> = HashMap::new();
    if !replaced.is_empty() {
        for l in shipment::lines_of(conn, &[ship.id])? {
            if let Some(el) = l.exception_line_id {
                *reported_of.entry(el).or_default() += l.exception_quantity;
            }
        }
    }
    let mut new_lines = Vec::with_capacity(wanted.len());
    for (line_id, quantity) in &wanted {
        let line = &locked[line_id];
        let remaining = line.quantity - line.exception_quantity;
        if *quantity > remaining {
            let name = order_lines
                .get(&line.order_line_id)
                .map(|l| l.drug_name.clone())
                .unwrap_or_default();
            // Said under the (first) row of that line, which the user corrects.
            let row = report
                .lines
                .iter()
                .position(|(id, _)| id == line_id)
                .unwrap_or_default();
            return Err(AppError::precondition(msg!(
                "exception.over_reported",
                name = name,
                batch = line.batch_no,
                remaining = remaining
            ))
            .at(format!("lines[{row}].quantity")));
        }
        let amount = match line.exception_line_id.and_then(|el| replaced.get(&el)) {
            Some(el) => {
                let before = reported_of.entry(el.id).or_default();
                let amount = money::reported_part_amount(
                    *before,
                    *quantity,
                    el.quantity,
                    el.amount,
                    line.unit_price,
                );
                *before += quantity;
                amount
            }
            None => money::reported_part_amount(
                line.exception_quantity,
                *quantity,
                line.quantity,
                line.amount,
                line.unit_price,
            ),
        };
        new_lines.push(NewExceptionLine {
            exception_id: 0,
            shipment_line_id: line.id,
            quantity: *quantity,
            unit_price: line.unit_price,
            amount,
        });
    }
    let new = NewException {
        number: next_number(conn, DocumentKind::Exception, today)?,
        shipment_id: ship.id,
        order_id: order.id,
        customer_id: ship.customer_id,
        kind: report.kind.clone(),
        description: report.description.clone(),
        value: new_lines.iter().map(|l| l.amount).sum(),
        reported_by: ctx.actor.user_id.unwrap_or_default(),
        reported_at,
        updated_by: ctx.actor.user_id,
    };
    let (row, stored) = exception::insert(conn, &new, &new_lines)?;
    for (line_id, quantity) in &wanted {
        shipment::add_exception_quantity(conn, *line_id, *quantity)?;
    }
    // The report is recorded before what it settles (a lost replacement's exception).
    Record {
        header: &row,
        lines: &stored,
    }
    .audit_new(
        conn,
        ctx,
        "transport_exception.report",
        TransportException::OBJECT,
        row.id,
    )?;
    let mut change = Progress {
        exceptions: 1,
        open_exceptions: 1,
        ..Progress::default()
    };
    // Units signed for and found damaged or short are no longer received in good order;
    // on a shipment still travelling they are left out when it is signed for.
    if ship.delivery_status == shipment::DELIVERED {
        change.delivered = -wanted.values().sum::<i64>();
    }
    if report.kind == "lost" && ship.delivery_status == shipment::IN_TRANSIT {
        let units: i64 = shipment::lines_of(conn, &[ship.id])?
            .iter()
            .map(|l| l.quantity)
            .sum();
        if exception::units_of_kind(conn, ship.id, "lost")? >= units {
            let lost = shipment::mark_lost(conn, ctx, &ship)?;
            crate::db::versioned::audit(conn, ctx, "lose", Some(&ship), Some(&lost))?;
            change.open_shipments = -1;
            // A lost replacement settles the exception it replaced: this report carries
            // what became of the goods now, and is decided in its turn.
            change.open_exceptions += close_replaced(conn, ctx, ship.id, reported_at)?;
        }
    }
    order::advance(conn, ctx, &order, change, false)?;
    Ok((row, stored))
}

/// Decides how exception `id` (read at `version`) is settled (处理异常), after agreeing it
/// with the customer: a deduction closes it at once and comes off the order's net amount;
/// a reship leaves it open for the CS rep to ship the replacement ([`ship_replacement`]),
/// and it closes when that is delivered (or lost). Decided at `decided_at`, on the
/// business day `today`. Audited as `transport_exception.decide`.
///
/// Errors: NOT_FOUND outside the scope; ABORTED on a stale version; FAILED_PRECONDITION
/// when already decided, or a reship for an archived customer.
#[allow(clippy::too_many_arguments)]
pub fn decide(
    conn: &mut PgConnection,
    ctx: WriteCtx<'_>,
    reps: &Reps,
    id: i64,
    version: i32,
    decision: &Decision,
    note: &str,
    decided_at: DateTime<Utc>,
    today: NaiveDate,
) -> AppResult<TransportException> {
    let peek = exception::find(conn, reps, id, false)?;
    finance::lock_ledger(conn, peek.customer_id)?;
    let order = Order::lock(conn, peek.order_id)?;
    let before = exception::find(conn, reps, id, true)?;
    check_fresh(conn, version, &before)?;
    if before.decision != exception::PENDING {
        return Err(AppError::precondition(msg!(
            "exception.already_decided",
            number = before.number
        )));
    }
    let after = match decision {
        Decision::Deduct => {
            let after = exception::decide(conn, ctx, &before, exception::DEDUCT, note, decided_at)?;
            finance::post_deduction(conn, ctx, &order, &after, today)?;
            order::advance(
                conn,
                ctx,
                &order,
                Progress {
                    open_exceptions: -1,
                    ..Progress::default()
                },
                false,
            )?;
            after
        }
        // The exception stays open: the CS rep ships the replacement, and it closes
        // when that is delivered (or lost). Not for an archived customer, who is shipped
        // nothing: the replacement could never leave.
        Decision::Reship => {
            let customer = Customer::lock(conn, before.customer_id)?;
            if !customer.is_active {
                return Err(AppError::precondition(msg!(
                    "exception.reship_archived",
                    name = customer.name
                )));
            }
            exception::decide(conn, ctx, &before, exception::RESHIP, note, decided_at)?
        }
    };
    crate::db::versioned::audit(conn, ctx, "decide", Some(&before), Some(&after))?;
    Ok(after)
}

/// Ships the replacement (补发) of the draft's exception (read at its version), decided
/// `reship` by the sales rep: a shipment of amount 0 with its own carrier, waybill and batches, whose
/// lines together cover every exception line's units exactly; the exception closes when
/// it is delivered (or lost). Recorded by the CS rep on the business day `today`; audited
/// as `shipment.create` and `transport_exception.ship_replacement`.
///
/// Errors: NOT_FOUND outside the scope; ABORTED on a stale version; FAILED_PRECONDITION
/// when the exception was not decided `reship` or its replacement was shipped already, or
/// for a customer who may no longer be shipped to (as [`ship`]); INVALID_ARGUMENT on
/// `replacement.*` and `replacement_lines` as for a shipment, and when the lines do not
/// cover each exception line's units exactly, with the draft's own complaints.
pub fn ship_replacement(
    conn: &mut PgConnection,
    ctx: WriteCtx<'_>,
    reps: &Reps,
    draft: &ShipmentDraft,
    today: NaiveDate,
) -> AppResult<(Shipment, Vec<ShipmentLine>)> {
    let (id, version) = (draft.owner_id, draft.version);
    let (fields, lines) = (&draft.fields, &draft.lines);
    let peek = exception::find(conn, reps, id, false)?;
    finance::lock_ledger(conn, peek.customer_id)?;
    let order = Order::lock(conn, peek.order_id)?;
    let before = exception::find(conn, reps, id, true)?;
    check_fresh(conn, version, &before)?;
    if before.decision != exception::RESHIP || before.replacement_shipment_id.is_some() {
        return Err(AppError::precondition(msg!(
            "exception.not_awaiting_replacement",
            number = before.number
        )));
    }
    require_may_ship_to(conn, before.customer_id, fields.ship_date.min(today))?;
    let original = Shipment::lock(conn, before.shipment_id)?;
    let mut check = draft.complaints.clone();
    let (entity, transit) = check_shipment_fields(
        conn,
        "replacement",
        fields,
        original.ship_date,
        original.invoicing_entity_id,
        today,
        &mut check,
    )?;
    let exception_lines: HashMap<i64, ExceptionLine> = exception::lines_of(conn, &[before.id])?
        .into_iter()
        .map(|l| (l.id, l))
        .collect();
    let shipped: HashMap<i64, ShipmentLine> = shipment::lines_of(conn, &[original.id])?
        .into_iter()
        .map(|l| (l.id, l))
        .collect();
    let mut covered: HashMap<i64, i64> = HashMap::new();
    let mut new_lines = Vec::with_capacity(lines.len());
    for (i, line) in lines.iter().enumerate() {
        check_expiry(
            i,
            "replacement_lines",
            line,
            fields.ship_date,
            transit,
            &mut check,
        );
        let Some(el) = exception_lines.get(&line.line_id) else {
            check.fail(
                format!("replacement_lines[{i}].exception_line_id"),
                msg!("exception.line_not_of_exception"),
            );
            continue;
        };
        *covered.entry(el.id).or_default() += line.quantity;
        let order_line_id = shipped
            .get(&el.shipment_line_id)
            .map_or(0, |sl| sl.order_line_id);
        new_lines.push(NewShipmentLine {
            shipment_id: 0,
            order_line_id,
            exception_line_id: Some(el.id),
            quantity: line.quantity,
            unit_price: el.unit_price,
            amount: Decimal::ZERO,
            batch_no: line.batch_no.clone(),
            expiry_date: line.expiry_date,
        });
    }
    let batches: Vec<(usize, i64, &str, NaiveDate)> = lines
        .iter()
        .enumerate()
        .filter_map(|(i, l)| {
            let el = exception_lines.get(&l.line_id)?;
            let sl = shipped.get(&el.shipment_line_id)?;
            Some((i, sl.order_line_id, l.batch_no.as_str(), l.expiry_date))
        })
        .collect();
    check_batch_expiry(conn, "replacement_lines", &batches, &mut check)?;
    // Each exception line re-sent other than exactly: said under the first row re-sending
    // it (under the rows when none does), naming the drug, its batch and both counts.
    let mut uncovered: Vec<(&ExceptionLine, i64)> = exception_lines
        .values()
        .map(|el| (el, covered.get(&el.id).copied().unwrap_or(0)))
        .filter(|(el, sent)| *sent != el.quantity)
        .collect();
    if !uncovered.is_empty() {
        uncovered.sort_by_key(|(el, _)| el.id);
        let drug_names: HashMap<i64, String> = order::lines(conn, order.id)?
            .into_iter()
            .map(|l| (l.id, l.drug_name))
            .collect();
        for (el, units) in uncovered {
            // The line of the original shipment the exception was on.
            let original = shipped.get(&el.shipment_line_id);
            let name = original
                .and_then(|sl| drug_names.get(&sl.order_line_id))
                .cloned()
                .unwrap_or_default();
            let field = lines.iter().position(|l| l.line_id == el.id).map_or_else(
                || "replacement_lines".to_owned(),
                |i| format!("replacement_lines[{i}].quantity"),
            );
            check.fail(
                field,
                msg!(
                    "exception.replacement_must_cover",
                    name = name,
                    batch = original.map(|sl| sl.batch_no.clone()).unwrap_or_default(),
                    quantity = el.quantity,
                    sent = units
                ),
            );
        }
    }
    check.finish()?;
    require_new_waybill(conn, "replacement", fields, before.customer_id)?;
    let new = NewShipment {
        number: next_number(conn, DocumentKind::Shipment, today)?,
        order_id: order.id,
        customer_id: before.customer_id,
        ship_date: fields.ship_date,
        carrier: fields.carrier.clone(),
        waybill_no: fields.waybill_no.clone(),
        transit_days: transit,
        invoicing_entity_id: entity,
        invoice_no: String::new(),
        replacement_of_exception_id: Some(before.id),
        amount: Decimal::ZERO,
        created_by: ctx.actor.user_id.unwrap_or_default(),
        updated_by: ctx.actor.user_id,
    };
    let (replacement, stored) = shipment::insert(conn, &new, &new_lines)?;
    Record {
        header: &replacement,
        lines: &stored,
    }
    .audit_new(
        conn,
        ctx,
        "shipment.create",
        Shipment::OBJECT,
        replacement.id,
    )?;
    let after = exception::set_replacement(conn, ctx, &before, replacement.id)?;
    order::advance(
        conn,
        ctx,
        &order,
        Progress {
            open_shipments: 1,
            ..Progress::default()
        },
        false,
    )?;
    crate::db::versioned::audit(conn, ctx, "ship_replacement", Some(&before), Some(&after))?;
    Ok((replacement, stored))
}

// ---------------------------------------------------------------------------------------
// Reading

/// What a shipment list's filter names, checked within `reps` before it is listed or
/// exported: a customer or an order outside the scope is NOT_FOUND, as in the finance
/// lists (an empty list would read "none" for a mistyped or handed-over customer); a drug
/// that does not exist is NOT_FOUND (a recall of no drug would read "nobody received it").
pub fn check_shipment_filter(
    conn: &mut PgConnection,
    reps: &Reps,
    f: &shipment::ShipmentFilter,
) -> AppResult<()> {
    if let Some(c) = f.customer_id {
        finance::customer_in_scope(conn, reps, c)?;
    }
    if let Some(o) = f.order_id {
        order::find(conn, reps, o, false)?;
    }
    if let Some(d) = f.drug_id {
        crate::db::models::drug::label_of(conn, d)?;
    }
    Ok(())
}

/// The names the order screens show beside ids: people, customers (with their current
/// sales rep, who decides exceptions), invoicing entities, document numbers.
#[derive(Debug, Default)]
pub struct Names {
    pub users: HashMap<i64, String>,
    /// Those of `users` whose accounts are disabled (who left).
    pub inactive_users: HashSet<i64>,
    /// id → (name, current sales rep).
    pub customers: HashMap<i64, (String, i64)>,
    /// id → current CS rep (who follows shipments and ships replacements).
    pub customer_cs_reps: HashMap<i64, i64>,
    /// Those of `customers` archived (no new orders or shipments).
    pub archived_customers: HashSet<i64>,
    pub entities: HashMap<i64, String>,
    pub orders: HashMap<i64, String>,
    pub shipments: HashMap<i64, String>,
    pub exceptions: HashMap<i64, String>,
    /// Order lines by id (the drug as ordered, on shipment and exception lines).
    pub order_lines: HashMap<i64, OrderLine>,
    /// Shipment lines by id (the batch, on exception lines).
    pub shipment_lines: HashMap<i64, ShipmentLine>,
}

impl Names {
    /// A user's display name ("" for none).
    pub fn user(&self, id: Option<i64>) -> String {
        id.and_then(|id| self.users.get(&id).cloned())
            .unwrap_or_default()
    }

    /// A customer's name ("" when not read).
    pub fn customer(&self, id: i64) -> String {
        self.customers
            .get(&id)
            .map(|(name, _)| name.clone())
            .unwrap_or_default()
    }
}

/// What the order, shipment and exception views need, read in a handful of queries.
#[derive(Debug, Default)]
pub struct Bundle {
    pub orders: Vec<(Order, OrderFacts)>,
    pub shipments: Vec<(Shipment, Vec<ShipmentLine>)>,
    pub exceptions: Vec<(TransportException, Vec<ExceptionLine>)>,
    pub names: Names,
}

/// Reads what [`Bundle`] holds for these rows, `today` being the business date.
pub fn bundle(
    conn: &mut PgConnection,
    orders_: Vec<Order>,
    shipments_: Vec<Shipment>,
    exceptions_: Vec<TransportException>,
    today: NaiveDate,
) -> AppResult<Bundle> {
    let order_ids: Vec<i64> = orders_.iter().map(|o| o.id).collect();
    let facts = order::facts(conn, &order_ids, today)?;
    let shipment_ids: Vec<i64> = shipments_.iter().map(|s| s.id).collect();
    let exception_ids: Vec<i64> = exceptions_.iter().map(|e| e.id).collect();
    let mut ship_lines = shipment::lines_of(conn, &shipment_ids)?;
    let exc_lines = exception::lines_of(conn, &exception_ids)?;
    // Exception lines name the batch of their shipment lines.
    let missing: Vec<i64> = exc_lines
        .iter()
        .map(|l| l.shipment_line_id)
        .filter(|id| !ship_lines.iter().any(|s| s.id == *id))
        .collect();
    let extra = crate::db::schema::shipment_lines::table
        .filter(crate::db::schema::shipment_lines::id.eq_any(&missing))
        .select(ShipmentLine::as_select())
        .load::<ShipmentLine>(conn)?;
    let order_line_ids: Vec<i64> = ship_lines
        .iter()
        .chain(extra.iter())
        .map(|l| l.order_line_id)
        .collect();
    let mut names = Names {
        order_lines: order::lines_by_id(conn, &order_line_ids)?
            .into_iter()
            .map(|l| (l.id, l))
            .collect(),
        ..Names::default()
    };
    names.shipment_lines = ship_lines
        .iter()
        .chain(extra.iter())
        .map(|l| (l.id, l.clone()))
        .collect();

    let customer_ids: Vec<i64> = orders_
        .iter()
        .map(|o| o.customer_id)
        .chain(shipments_.iter().map(|s| s.customer_id))
        .chain(exceptions_.iter().map(|e| e.customer_id))
        .collect();
    for (id, name, rep, cs_rep, active) in customers::table
        .filter(customers::id.eq_any(&customer_ids))
        .select((
            customers::id,
            customers::name,
            customers::sales_rep_id,
            customers::cs_rep_id,
            customers::is_active,
        ))
        .load::<(i64, String, i64, i64, bool)>(conn)?
    {
        names.customers.insert(id, (name, rep));
        names.customer_cs_reps.insert(id, cs_rep);
        if !active {
            names.archived_customers.insert(id);
        }
    }
    let mut user_ids: Vec<i64> = names
        .customers
        .values()
        .map(|(_, rep)| *rep)
        .chain(names.customer_cs_reps.values().copied())
        .collect();
    for o in &orders_ {
        user_ids.extend([o.sales_rep_id, o.cs_rep_id, o.created_by]);
        user_ids.extend(
            o.updated_by
                .into_iter()
                .chain(o.cancelled_by)
                .chain(o.closed_by),
        );
    }
    for s in &shipments_ {
        user_ids.push(s.created_by);
        user_ids.extend(s.updated_by);
    }
    for e in &exceptions_ {
        user_ids.push(e.reported_by);
        user_ids.extend(e.decided_by.into_iter().chain(e.updated_by));
    }
    (names.users, names.inactive_users) = display_names_and_departed(conn, &user_ids)?;
    let entity_ids: Vec<i64> = orders_
        .iter()
        .map(|o| o.invoicing_entity_id)
        .chain(shipments_.iter().map(|s| s.invoicing_entity_id))
        .chain(
            facts
                .values()
                .flat_map(|f| f.not_invoiced_by_entity.iter().map(|(id, _)| *id)),
        )
        .collect();
    names.entities = invoicing_entity::names(conn, &entity_ids)?;
    let order_ids: Vec<i64> = shipments_
        .iter()
        .map(|s| s.order_id)
        .chain(exceptions_.iter().map(|e| e.order_id))
        .collect();
    names.orders = orders::table
        .filter(orders::id.eq_any(&order_ids))
        .select((orders::id, orders::number))
        .load::<(i64, String)>(conn)?
        .into_iter()
        .collect();
    let shipment_refs: Vec<i64> = exceptions_
        .iter()
        .flat_map(|e| [Some(e.shipment_id), e.replacement_shipment_id])
        .flatten()
        .collect();
    names.shipments = shipments::table
        .filter(shipments::id.eq_any(&shipment_refs))
        .select((shipments::id, shipments::number))
        .load::<(i64, String)>(conn)?
        .into_iter()
        .collect();
    let exception_refs: Vec<i64> = shipments_
        .iter()
        .filter_map(|s| s.replacement_of_exception_id)
        .collect();
    names.exceptions = crate::db::schema::transport_exceptions::table
        .filter(crate::db::schema::transport_exceptions::id.eq_any(&exception_refs))
        .select((
            crate::db::schema::transport_exceptions::id,
            crate::db::schema::transport_exceptions::number,
        ))
        .load::<(i64, String)>(conn)?
        .into_iter()
        .collect();

    let mut by_shipment: HashMap<i64, Vec<ShipmentLine>> = HashMap::new();
    for l in ship_lines.drain(..) {
        by_shipment.entry(l.shipment_id).or_default().push(l);
    }
    let mut by_exception: HashMap<i64, Vec<ExceptionLine>> = HashMap::new();
    for l in exc_lines {
        by_exception.entry(l.exception_id).or_default().push(l);
    }
    Ok(Bundle {
        orders: orders_
            .into_iter()
            .map(|o| {
                let f = facts.get(&o.id).cloned().unwrap_or_default();
                (o, f)
            })
            .collect(),
        shipments: shipments_
            .into_iter()
            .map(|s| {
                let lines = by_shipment.remove(&s.id).unwrap_or_default();
                (s, lines)
            })
            .collect(),
        exceptions: exceptions_
            .into_iter()
            .map(|e| {
                let lines = by_exception.remove(&e.id).unwrap_or_default();
                (e, lines)
            })
            .collect(),
        names,
    })
}

/// An order line with what happened to its units.
#[derive(Debug, Clone)]
pub struct LineView {
    pub line: OrderLine,
    /// Units received in good order (实收; see [`order::line_facts`]).
    pub delivered: i64,
    /// Units reported in transport exceptions.
    pub exceptions: i64,
}

/// One order with its lines (and their delivered and exception units), shipments and
/// exceptions, and its history; the bundle's `names.users` holds the display names of
/// whoever took a step in it. NOT_FOUND outside the scope.
pub fn detail(
    conn: &mut PgConnection,
    reps: &Reps,
    id: i64,
    today: NaiveDate,
) -> AppResult<(Bundle, Vec<LineView>, Vec<AuditRow>)> {
    let row = order::find(conn, reps, id, false)?;
    let line_facts = order::line_facts(conn, row.id)?;
    let lines = order::lines(conn, row.id)?
        .into_iter()
        .map(|l| {
            let (delivered, exceptions) = line_facts.get(&l.id).copied().unwrap_or((0, 0));
            LineView {
                line: l,
                delivered,
                exceptions,
            }
        })
        .collect();
    let ships = shipment::of_order(conn, row.id)?;
    let excs = exception::of_order(conn, row.id)?;
    let write_offs = crate::db::models::write_off::of_order(conn, row.id)?;
    let history = crate::db::models::audit_log::of_objects(
        conn,
        &[
            (Order::OBJECT, vec![row.id]),
            (Shipment::OBJECT, ships.iter().map(|s| s.id).collect()),
            (
                TransportException::OBJECT,
                excs.iter().map(|e| e.id).collect(),
            ),
            // Its receivable written off, and reversed.
            (crate::db::models::write_off::WriteOff::OBJECT, write_offs),
        ],
        HISTORY_EVENTS,
    )?;
    let mut bundle = bundle(conn, vec![row], ships, excs, today)?;
    // Who took each step is named as the order names people (by display name): most are
    // among them already; the others are read.
    let others: Vec<i64> = history
        .iter()
        .filter_map(|r| r.user_id)
        .filter(|id| !bundle.names.users.contains_key(id))
        .collect();
    if !others.is_empty() {
        bundle.names.users.extend(display_names(conn, &others)?);
    }
    // A change names the invoicing entities it moved the order between.
    let entities: Vec<i64> = history
        .iter()
        .filter(|r| r.action == "order.update")
        .flat_map(|r| [&r.before, &r.after])
        .filter_map(|record| record.as_ref()?.get("invoicing_entity_id")?.as_i64())
        .filter(|id| !bundle.names.entities.contains_key(id))
        .collect();
    if !entities.is_empty() {
        bundle
            .names
            .entities
            .extend(invoicing_entity::names(conn, &entities)?);
    }
    Ok((bundle, lines, history))
}

/// At most this many events in an order's history.
const HISTORY_EVENTS: i64 = 500;
