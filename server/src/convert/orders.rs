//! OrderService: invoicing entities, settings, orders, shipments, transport exceptions.
//! Requests are checked for form here (INVALID_ARGUMENT naming each field, e.g.
//! `lines[1].quantity`); the business rules are in [`crate::ops::orders`].

use chrono::NaiveDate;
use pharmacrm_shared::money::{self, Decimal};
use pharmacrm_shared::{pb, validation};

use super::{
    DbCode, FilterCode, Update, date, date_range, date_text, from_timestamp, id, known,
    optional_id, read_version, required_date, required_id, timestamp, update,
};
use crate::db::models::company_settings::{CompanySettings, NearExpiry, SettingsFields};
use crate::db::models::invoicing_entity::{InvoicingEntity, InvoicingEntityFields};
use crate::db::models::order::{Order, OrderFacts, OrderFilter, OrderLine, OrderSort};
use crate::db::models::request_id::{self, RequestId};
use crate::db::models::shipment::{Shipment, ShipmentFilter, ShipmentLine};
use crate::db::models::transport_exception::{ExceptionFilter, ExceptionLine, TransportException};
use crate::error::{AppError, AppResult, FieldCheck, FieldError, Msg};
use crate::msg;
use crate::ops::orders::{
    ApprovalCase, BatchLine, Bundle, CORRECTION_REASON, Decision, Delivery, ExceptionReport,
    LineInput, LineView, Names, OrderInput, ShipmentDraft, ShipmentFields, Warning,
};

/// At most this many lines on an order.
const MAX_LINES: usize = 200;

// ---------------------------------------------------------------------------------------
// Invoicing entities and settings

pub fn entity_input(input: Option<pb::InvoicingEntityInput>) -> AppResult<InvoicingEntityFields> {
    let pb::InvoicingEntityInput {
        name,
        tax_number,
        note,
        sort_order,
    } = input.unwrap_or_default();
    // Typed in lower case, it is the same code.
    let tax_number = tax_number.trim().to_uppercase();
    let mut check = FieldCheck::default();
    check
        .check("name", validation::required_line(&name, 100))
        .check("note", validation::optional_text(&note, 200));
    if !tax_number.is_empty() {
        check.check("tax_number", validation::credit_code(&tax_number));
    }
    check.finish()?;
    Ok(InvoicingEntityFields {
        name: name.trim().to_owned(),
        tax_number,
        note: note.trim().to_owned(),
        sort_order,
    })
}

pub fn update_entity(
    req: pb::UpdateInvoicingEntityRequest,
) -> AppResult<Update<InvoicingEntityFields>> {
    let pb::UpdateInvoicingEntityRequest {
        id: entity_id,
        version,
        entity,
    } = req;
    update(entity_id, version, |check| {
        check.absorb(entity_input(entity).map_err(|e| e.within("entity")))
    })
}

pub fn entity(e: InvoicingEntity, updated_by: String) -> pb::InvoicingEntity {
    pb::InvoicingEntity {
        id: e.id,
        name: e.name,
        tax_number: e.tax_number,
        note: e.note,
        sort_order: e.sort_order,
        is_active: e.is_active,
        version: e.version,
        updated_at: Some(timestamp(e.updated_at)),
        updated_by,
    }
}

fn transit_days(field: &'static str, days: i32, check: &mut FieldCheck) {
    if !(0..=365).contains(&days) {
        check.fail(field, msg!("settings.transit_days_range"));
    }
}

/// The version read, the settings, and the near-expiry days when given (kept otherwise).
/// INVALID_ARGUMENT naming each field out of its range.
pub fn settings_update(
    req: pb::UpdateSettingsRequest,
) -> AppResult<(i32, SettingsFields, Option<NearExpiry>)> {
    let pb::UpdateSettingsRequest { version, settings } = req;
    let pb::SettingsInput {
        default_transit_days,
        credit_hold_days,
        new_customer_credit_days,
        new_customer_credit_limit,
        near_expiry_days,
    } = settings.unwrap_or_default();
    let mut check = FieldCheck::default();
    read_version("version", version, &mut check);
    transit_days(
        "settings.default_transit_days",
        default_transit_days,
        &mut check,
    );
    if !(1..=3650).contains(&credit_hold_days) {
        check.fail(
            "settings.credit_hold_days",
            msg!("settings.credit_hold_days_range"),
        );
    }
    let (new_customer_credit_days, new_customer_credit_limit) = super::customers::credit_terms(
        (
            "settings.new_customer_credit_days",
            new_customer_credit_days,
        ),
        (
            "settings.new_customer_credit_limit",
            &new_customer_credit_limit,
        ),
        &mut check,
    );
    if near_expiry_days.is_some_and(|days| !(0..=3650).contains(&days)) {
        check.fail(
            "settings.near_expiry_days",
            msg!("settings.near_expiry_days_range"),
        );
    }
    check.finish()?;
    Ok((
        version,
        SettingsFields {
            default_transit_days,
            credit_hold_days,
            new_customer_credit_days,
            new_customer_credit_limit,
        },
        near_expiry_days.map(|near_expiry_days| NearExpiry { near_expiry_days }),
    ))
}

pub fn settings(s: CompanySettings, updated_by: String) -> pb::Settings {
    pb::Settings {
        default_transit_days: s.default_transit_days,
        credit_hold_days: s.credit_hold_days,
        new_customer_credit_days: s.new_customer_credit_days,
        near_expiry_days: s.near_expiry_days,
        new_customer_credit_limit: s
            .new_customer_credit_limit
            .map(|l| pharmacrm_shared::money::to_wire(&l))
            .unwrap_or_default(),
        version: s.version,
        updated_at: Some(timestamp(s.updated_at)),
        updated_by,
    }
}

// ---------------------------------------------------------------------------------------
// Orders

fn quantity(field: String, value: i64, check: &mut FieldCheck) {
    if !(1..=validation::MAX_LINE_QUANTITY).contains(&value) {
        check.fail(field, msg!("order.quantity_range"));
    }
}

/// [`order_input`] for a preview: the problems of the fields that do not keep a preview
/// from pricing ([`pharmacrm_shared::ORDER_PREVIEW_TOLERATED`]: a date that does not read
/// or is past, credit days out of range, a note too long) come back beside the input,
/// which leaves those fields out, rather than refusing it; an order without lines yet is
/// previewed too (nothing to price, the customer's warnings to say). `kept` as
/// [`order_input`]'s.
pub fn preview_input(
    input: pb::OrderInput,
    today: NaiveDate,
    kept: Option<NaiveDate>,
) -> AppResult<(OrderInput, Vec<FieldError>)> {
    let tolerated = |fields: &[FieldError]| {
        fields
            .iter()
            .all(|f| pharmacrm_shared::ORDER_PREVIEW_TOLERATED.contains(&f.field.as_ref()))
    };
    match checked_input(input.clone(), today, kept, false) {
        Err(AppError::InvalidArgument(fields)) if tolerated(&fields) => {
            let mut without = input;
            for f in &fields {
                match f.field.as_ref() {
                    "delivery_address" => without.delivery_address.clear(),
                    "requested_delivery_date" => without.requested_delivery_date.clear(),
                    "credit_days" => without.credit_days = None,
                    _ => without.note.clear(),
                }
            }
            Ok((checked_input(without, today, kept, false)?, fields))
        }
        other => other.map(|input| (input, Vec::new())),
    }
}

/// An order as CreateOrder, UpdateOrder and PreviewOrder take it on business day `today`.
/// INVALID_ARGUMENT naming each field that does not read or is out of range (a requested
/// delivery date before `today`, unless it is `kept`: the date the order being changed
/// has, which a change leaves as it is though it has passed).
pub fn order_input(
    input: pb::OrderInput,
    today: NaiveDate,
    kept: Option<NaiveDate>,
) -> AppResult<OrderInput> {
    checked_input(input, today, kept, true)
}

/// [`order_input`], an order without lines refused only when `lines_required` (a preview
/// of a customer picked and no line yet says what the customer's order would meet: an
/// expired licence, a credit hold).
fn checked_input(
    input: pb::OrderInput,
    today: NaiveDate,
    kept: Option<NaiveDate>,
    lines_required: bool,
) -> AppResult<OrderInput> {
    let pb::OrderInput {
        customer_id,
        invoicing_entity_id,
        delivery_address,
        requested_delivery_date,
        credit_days,
        note,
        lines,
        credit_override_reason,
        order_id,
        request_id,
        request_approval,
    } = input;
    let mut check = FieldCheck::default();
    check.check("request_id", validation::optional_line(&request_id, 64));
    // 0 for a new order; an order being changed is named (the caller reads it).
    if order_id != 0 {
        required_id("order_id", order_id, &mut check);
    }
    check.check(
        "credit_override_reason",
        validation::optional_text(&credit_override_reason, 500),
    );
    required_id("customer_id", customer_id, &mut check);
    required_id("invoicing_entity_id", invoicing_entity_id, &mut check);
    check
        .check(
            "delivery_address",
            validation::optional_line(&delivery_address, 200),
        )
        .check("note", validation::optional_text(&note, 500));
    let requested = date(
        "requested_delivery_date",
        &requested_delivery_date,
        &mut check,
    );
    if requested.is_some_and(|d| d < today && Some(d) != kept) {
        check.fail("requested_delivery_date", msg!("order.date_in_past"));
    }
    if credit_days.is_some_and(|d| !(0..=3650).contains(&d)) {
        check.fail("credit_days", msg!("customer.credit_days_range"));
    }
    if lines.is_empty() && lines_required {
        check.fail("lines", msg!("order.lines_required"));
    } else if lines.len() > MAX_LINES {
        check.fail("lines", msg!("order.too_many_lines"));
    }
    let mut out = Vec::with_capacity(lines.len());
    for (i, line) in lines.into_iter().enumerate() {
        let pb::OrderLineInput {
            drug_id,
            quantity: units,
            unit_price,
        } = line;
        required_id(format!("lines[{i}].drug_id"), drug_id, &mut check);
        quantity(format!("lines[{i}].quantity"), units, &mut check);
        let price = if unit_price.trim().is_empty() {
            None
        } else {
            match money::parse_price(&unit_price) {
                Ok(p) => Some(p),
                Err(v) => {
                    check.fail(format!("lines[{i}].unit_price"), v.into());
                    None
                }
            }
        };
        out.push(LineInput {
            drug_id,
            quantity: units,
            unit_price: price,
        });
    }
    check.finish()?;
    Ok(OrderInput {
        customer_id,
        invoicing_entity_id,
        delivery_address: delivery_address.trim().to_owned(),
        requested_delivery_date: requested,
        credit_days,
        note: note.trim().to_owned(),
        lines: out,
        credit_override_reason: credit_override_reason.trim().to_owned(),
        request_approval,
        request_id: None,
    })
}

/// A new order as CreateOrder takes it ([`order_input`]), with its request ID, if given,
/// fingerprinted (SHA-256 of the request without the ID). INVALID_ARGUMENT on `order_id`
/// when it names an order (UpdateOrder changes one), on `request_id` past 64 characters.
pub fn new_order(input: pb::OrderInput, today: NaiveDate) -> AppResult<OrderInput> {
    if input.order_id != 0 {
        return Err(AppError::field("order_id", msg!("order.id_on_create")));
    }
    let request_id = RequestId::of(&input.request_id, &input, |r| {
        r.request_id.clear();
        for line in &mut r.lines {
            request_id::same_amount(&mut line.unit_price);
        }
    });
    Ok(OrderInput {
        request_id,
        ..order_input(input, today, None)?
    })
}

/// A change to an order as UpdateOrder takes it: the order (`order.order_id`), the version
/// read and the input ([`order_input`], `kept` the order's requested date). INVALID_ARGUMENT
/// on `order.order_id` when it names no order, on `version`, and as [`order_input`] within
/// `order` (`order.lines[0].quantity`).
pub fn order_change(
    req: pb::UpdateOrderRequest,
    today: NaiveDate,
    kept: Option<NaiveDate>,
) -> AppResult<Update<OrderInput>> {
    let pb::UpdateOrderRequest { version, order } = req;
    let order = order.unwrap_or_default();
    let order_id = id("order.order_id", order.order_id)?;
    // A change is made once, at the version read: a request ID (CreateOrder's) would
    // promise a retry it does not get.
    let request_id = !order.request_id.is_empty();
    update(order_id, version, |check| {
        if request_id {
            check.fail("order.request_id", msg!("order.request_id_on_update"));
        }
        check.absorb(order_input(order, today, kept).map_err(|e| e.within("order")))
    })
}

/// An order, the version read and why (1–200 characters), as cancelling and closing (结案)
/// take them: (order id, version, reason trimmed). INVALID_ARGUMENT naming `id`, `version`
/// or `reason`.
pub fn reason_request(
    order_id: i64,
    version: i32,
    reason: String,
) -> AppResult<(i64, i32, String)> {
    let order_id = id("id", order_id)?;
    let mut check = FieldCheck::default();
    read_version("version", version, &mut check);
    check
        .check("reason", validation::required_text(&reason, 200))
        .finish()?;
    Ok((order_id, version, reason.trim().to_owned()))
}

/// An order search as (filter, offset, limit) for `caller`, business dates read on
/// `clock`. INVALID_ARGUMENT naming each field that does not read.
pub fn search_request(
    req: pb::SearchOrdersRequest,
    caller: i64,
    clock: &crate::clock::Clock,
) -> AppResult<(OrderFilter, i64, i64)> {
    let pb::SearchOrdersRequest {
        number,
        created_from,
        created_to,
        customer_id,
        sales_rep_id,
        cs_rep_id,
        statuses,
        has_overdue,
        has_open_exceptions,
        sort,
        descending,
        page,
        closed_only,
        mine,
        cancelled_by_others_since,
    } = req;
    let mut check = FieldCheck::default();
    check.check("number", validation::optional_line(&number, 50));
    let cancelled_since = date(
        "cancelled_by_others_since",
        &cancelled_by_others_since,
        &mut check,
    );
    let (created_from, created_to) = date_range(
        ("created_from", &created_from),
        ("created_to", &created_to),
        &mut check,
    );
    let customer_id = optional_id("customer_id", customer_id, &mut check);
    let sales_rep_id = optional_id("sales_rep_id", sales_rep_id, &mut check);
    let cs_rep_id = optional_id("cs_rep_id", cs_rep_id, &mut check);
    let statuses: Vec<String> = statuses
        .into_iter()
        .enumerate()
        .filter_map(|(i, s)| pb::OrderStatus::filter_code(format!("statuses[{i}]"), s, &mut check))
        .map(str::to_owned)
        .collect();
    let sort = known("sort", sort, &mut check);
    check.finish()?;
    let (offset, limit) = super::page(page);
    let sort = match sort {
        pb::OrderSort::OrderDate => OrderSort::OrderDate,
        pb::OrderSort::Customer => OrderSort::Customer,
        pb::OrderSort::Total => OrderSort::Total,
        pb::OrderSort::Status => OrderSort::Status,
    };
    Ok((
        OrderFilter {
            number: validation::half_width(&number).trim().to_uppercase(),
            created_from,
            created_to,
            customer_id,
            sales_rep_id,
            cs_rep_id,
            statuses,
            has_overdue,
            has_open_exceptions,
            closed_only,
            customers_of: mine.then_some(caller),
            cancelled_by_others_since: cancelled_since.map(|d| (clock.start_of(d), caller)),
            sort,
            descending,
        },
        offset,
        limit,
    ))
}

/// The current sales rep of customer `customer_id` (who decides its transport exceptions),
/// when `names` read it.
fn sales_rep_of(names: &Names, customer_id: i64) -> Option<pb::UserRef> {
    names
        .customers
        .get(&customer_id)
        .map(|(_, id)| user_ref(names, *id))
}

/// The current CS rep of customer `customer_id` (who follows its shipments up and ships
/// replacements), when `names` read it.
fn cs_rep_of(names: &Names, customer_id: i64) -> Option<pb::UserRef> {
    names
        .customer_cs_reps
        .get(&customer_id)
        .map(|id| user_ref(names, *id))
}

fn user_ref(names: &Names, id: i64) -> pb::UserRef {
    pb::UserRef {
        id,
        name: names.user(Some(id)),
        department: String::new(),
        inactive: names.inactive_users.contains(&id),
    }
}

/// Leaves out of `order` what is owed and invoiced on it (its `outstanding`,
/// `not_invoiced` and `not_invoiced_by_entity`), for a caller who may not read it
/// ([`crate::access::may_read_order_money`]): the texts empty, the list empty.
pub fn hide_money(order: &mut pb::Order) {
    order.outstanding.clear();
    order.not_invoiced.clear();
    order.not_invoiced_by_entity.clear();
}

/// An order's header, amounts and progress.
pub fn order(o: Order, facts: &OrderFacts, names: &Names) -> pb::Order {
    // A cancelled order shipped nothing and is worth nothing.
    let net = if o.cancelled_at.is_some() {
        Decimal::ZERO
    } else {
        o.total - facts.deductions - o.closed_amount
    };
    let customer_name = names.customer(o.customer_id);
    let rejected = o.rejected();
    pb::Order {
        id: o.id,
        number: o.number,
        customer_id: o.customer_id,
        customer_name,
        customer_archived: names.archived_customers.contains(&o.customer_id),
        sales_rep: Some(user_ref(names, o.sales_rep_id)),
        cs_rep: Some(user_ref(names, o.cs_rep_id)),
        customer_sales_rep: sales_rep_of(names, o.customer_id),
        customer_cs_rep: cs_rep_of(names, o.customer_id),
        order_date: date_text(Some(o.order_date)),
        invoicing_entity_id: o.invoicing_entity_id,
        invoicing_entity_name: names
            .entities
            .get(&o.invoicing_entity_id)
            .cloned()
            .unwrap_or_default(),
        delivery_address: o.delivery_address,
        requested_delivery_date: date_text(o.requested_delivery_date),
        credit_days: o.credit_days,
        note: o.note,
        status: pb::OrderStatus::wire(&o.status),
        total: money::to_wire(&o.total),
        deductions: money::to_wire(&facts.deductions),
        net: money::to_wire(&net),
        outstanding: money::to_wire(&facts.outstanding),
        not_invoiced: money::to_wire(&facts.not_invoiced),
        not_invoiced_by_entity: facts
            .not_invoiced_by_entity
            .iter()
            .map(|(id, amount)| pb::EntityAmount {
                invoicing_entity_id: *id,
                amount: money::to_wire(amount),
                invoicing_entity_name: names.entities.get(id).cloned().unwrap_or_default(),
            })
            .collect(),
        progress: Some(pb::OrderProgress {
            units_ordered: o.units_ordered,
            units_shipped: o.units_shipped,
            units_delivered: o.units_delivered,
            shipments: count(facts.shipments),
            in_transit_shipments: count(i64::from(o.open_shipments)),
            overdue_shipments: count(facts.overdue),
            exceptions: count(i64::from(o.exception_count)),
            open_exceptions: count(i64::from(o.open_exceptions)),
            exceptions_awaiting_decision: count(facts.awaiting_decision),
            unit: o.unit_name.unwrap_or_default(),
        }),
        cancelled_at: o.cancelled_at.map(timestamp),
        cancel_reason: o.cancel_reason,
        cancelled_by: names.user(o.cancelled_by),
        closed_at: o.closed_at.map(timestamp),
        close_reason: o.close_reason,
        closed_by: names.user(o.closed_by),
        closed_amount: money::to_wire(&o.closed_amount),
        version: o.version,
        created_at: Some(timestamp(o.created_at)),
        created_by: names.user(Some(o.created_by)),
        updated_at: Some(timestamp(o.updated_at)),
        updated_by: names.user(o.updated_by),
        rejected,
        // Set by `ops::approval_cases`: the rep's case for anyone reading the order, the
        // hold for those who weigh it.
        approval_reason: String::new(),
        credit_hold: None,
    }
}

fn count(n: i64) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

/// A line of an order (`delivered` and `exceptions` in units; 0 in a preview). Nothing
/// remains to ship on it unless its order is `open` (neither cancelled nor closed).
pub fn order_line(l: OrderLine, delivered: i64, exceptions: i64, open: bool) -> pb::OrderLine {
    pb::OrderLine {
        id: l.id,
        line_no: l.line_no,
        drug_id: l.drug_id,
        drug_name: l.drug_name,
        specification: l.specification,
        dosage_form: l.dosage_form,
        manufacturer: l.manufacturer,
        unit_label: l.unit_label,
        quantity: l.quantity,
        unit_price: money::to_wire(&l.unit_price),
        amount: money::to_wire(&l.amount),
        shipped_quantity: l.shipped_quantity,
        remaining_quantity: if open {
            l.quantity - l.shipped_quantity
        } else {
            0
        },
        delivered_quantity: delivered,
        exception_quantity: exceptions,
        list_price: l.list_price.map(|p| money::to_wire(&p)).unwrap_or_default(),
    }
}

/// Sets on `order` what an approver weighs of it: the rep's case and the hold now (on
/// field `customer_id`).
pub fn approval_case(order: &mut pb::Order, case: ApprovalCase) {
    order.approval_reason = case.reason;
    order.credit_hold = case.hold.map(|msg| {
        warning(Warning {
            field: "customer_id".into(),
            msg,
        })
    });
}

pub fn warning(w: Warning) -> pb::Warning {
    let Msg { en, zh } = w.msg;
    pb::Warning {
        field: w.field,
        message: en,
        message_zh: zh,
    }
}

/// An order as an `order.update` audit record holds it (before or after): the fields a
/// change may alter.
#[derive(serde::Deserialize, Default)]
#[serde(default)]
struct AuditedOrder {
    /// CNY; `None` when the record holds none.
    total: Option<Decimal>,
    invoicing_entity_id: i64,
    delivery_address: String,
    requested_delivery_date: Option<NaiveDate>,
    /// Days; `None` when the record holds none.
    credit_days: Option<i32>,
    note: String,
    lines: Vec<AuditedLine>,
}

/// A line of an [`AuditedOrder`].
#[derive(serde::Deserialize)]
struct AuditedLine {
    drug_id: i64,
    drug_name: String,
    #[serde(default)]
    specification: String,
    unit_label: String,
    quantity: i64,
    unit_price: Decimal,
}

impl AuditedOrder {
    /// The order audit record `record` holds; empty when it holds none or not an order.
    fn of(record: &Option<serde_json::Value>) -> AuditedOrder {
        record
            .as_ref()
            .and_then(|r| <AuditedOrder as serde::Deserialize>::deserialize(r).ok())
            .unwrap_or_default()
    }

    /// Its total in wire form; empty when the record holds none.
    fn total_text(&self) -> String {
        self.total.map(|t| money::to_wire(&t)).unwrap_or_default()
    }
}

/// What a change of an order did, from its `order.update` audit record's `before` and
/// `after`: its total before and after; the lines added, altered (in the order's line
/// order) and removed (last), a line being the same before and after when of the same
/// drug in the same unit (the n-th such line before is the n-th after); then the order's
/// own fields it changed, an invoicing entity named from `entities` (its id when
/// unknown). Filled into `event`.
fn order_update(
    before: &Option<serde_json::Value>,
    after: &Option<serde_json::Value>,
    entities: &std::collections::HashMap<i64, String>,
    event: &mut pb::OrderEvent,
) {
    let (before, after) = (AuditedOrder::of(before), AuditedOrder::of(after));
    event.total_before = before.total_text();
    event.total_after = after.total_text();
    let drug = |l: &AuditedLine| {
        format!("{} {}", l.drug_name, l.specification)
            .trim()
            .to_owned()
    };
    let mut unmatched: Vec<Option<&AuditedLine>> = before.lines.iter().map(Some).collect();
    let mut lines = Vec::new();
    for a in &after.lines {
        let was = unmatched
            .iter_mut()
            .find(|b| b.is_some_and(|b| b.drug_id == a.drug_id && b.unit_label == a.unit_label));
        let was = was.and_then(Option::take);
        if was.is_some_and(|b| b.quantity == a.quantity && b.unit_price == a.unit_price) {
            continue;
        }
        lines.push(pb::OrderLineChange {
            drug: drug(a),
            unit: a.unit_label.clone(),
            quantity_before: was.map_or(0, |b| b.quantity),
            quantity_after: a.quantity,
            unit_price_before: was
                .map(|b| money::to_wire(&b.unit_price))
                .unwrap_or_default(),
            unit_price_after: money::to_wire(&a.unit_price),
        });
    }
    lines.extend(
        unmatched
            .into_iter()
            .flatten()
            .map(|b| pb::OrderLineChange {
                drug: drug(b),
                unit: b.unit_label.clone(),
                quantity_before: b.quantity,
                quantity_after: 0,
                unit_price_before: money::to_wire(&b.unit_price),
                unit_price_after: String::new(),
            }),
    );
    let entity = |id: i64| entities.get(&id).cloned().unwrap_or_else(|| id.to_string());
    let mut fields = Vec::new();
    let mut field = |name: &str, was: String, now: String| {
        if was != now {
            fields.push(pb::OrderFieldChange {
                field: name.to_owned(),
                before: was,
                after: now,
            });
        }
    };
    if before.invoicing_entity_id != after.invoicing_entity_id {
        field(
            "invoicing_entity",
            entity(before.invoicing_entity_id),
            entity(after.invoicing_entity_id),
        );
    }
    field(
        "delivery_address",
        before.delivery_address,
        after.delivery_address,
    );
    field(
        "requested_delivery_date",
        date_text(before.requested_delivery_date),
        date_text(after.requested_delivery_date),
    );
    if let (Some(was), Some(now)) = (before.credit_days, after.credit_days) {
        field("credit_days", was.to_string(), now.to_string());
    }
    field("note", before.note, after.note);
    event.line_changes = lines;
    event.field_changes = fields;
}

/// A delivery recorded again (更正签收), from its `shipment.deliver` audit record: the
/// signer and arrival time (business time zone `zone`, "2026-12-07 10:30") it changed, as
/// field changes `signer` and `arrived_at`, and why it was corrected (the reason; none in
/// records from before it was asked). Nothing for a first delivery (no signer before).
/// Filled into `event`.
fn delivery_correction(
    before: &Option<serde_json::Value>,
    after: &Option<serde_json::Value>,
    zone: chrono_tz::Tz,
    event: &mut pb::OrderEvent,
) {
    let signer_before = audited_text(before, "signer");
    if signer_before.is_empty() {
        return;
    }
    event.reason = audited_text(after, CORRECTION_REASON);
    let at = |record: &Option<serde_json::Value>| {
        chrono::DateTime::parse_from_rfc3339(&audited_text(record, "delivered_at"))
            .map(|t| t.with_timezone(&zone).format("%Y-%m-%d %H:%M").to_string())
            .unwrap_or_default()
    };
    let changes = [
        ("signer", signer_before, audited_text(after, "signer")),
        ("arrived_at", at(before), at(after)),
    ];
    event.field_changes = changes
        .into_iter()
        .filter(|(_, was, now)| was != now)
        .map(|(field, before, after)| pb::OrderFieldChange {
            field: field.to_owned(),
            before,
            after,
        })
        .collect();
}

/// The units over the lines of an audit record (`lines[].quantity`); 0 when it has none.
fn audited_units(record: &Option<serde_json::Value>) -> i64 {
    record
        .as_ref()
        .and_then(|r| r.get("lines"))
        .and_then(serde_json::Value::as_array)
        .map(|lines| {
            lines
                .iter()
                .filter_map(|l| l.get("quantity").and_then(serde_json::Value::as_i64))
                .sum()
        })
        .unwrap_or_default()
}

/// The text field `key` of an audit record; empty when it holds none.
fn audited_text(record: &Option<serde_json::Value>, key: &str) -> String {
    record
        .as_ref()
        .and_then(|r| r.get(key))
        .and_then(serde_json::Value::as_str)
        .unwrap_or_default()
        .to_owned()
}

/// The full view of an order from its bundle and lines.
pub fn detail(
    bundle: Bundle,
    lines: Vec<LineView>,
    history: Vec<crate::db::models::audit_log::AuditRow>,
    today: NaiveDate,
    zone: chrono_tz::Tz,
) -> AppResult<pb::OrderDetail> {
    let Bundle {
        orders,
        shipments,
        exceptions,
        names,
    } = bundle;
    let (o, facts) = orders
        .into_iter()
        .next()
        .ok_or_else(crate::db::models::order::not_found)?;
    let mut documents: std::collections::HashMap<(String, String), String> = shipments
        .iter()
        .map(|(s, _)| (("shipment".to_owned(), s.id.to_string()), s.number.clone()))
        .chain(exceptions.iter().map(|(e, _)| {
            (
                ("transport_exception".to_owned(), e.id.to_string()),
                e.number.clone(),
            )
        }))
        .collect();
    documents.insert(("order".to_owned(), o.id.to_string()), o.number.clone());
    let history = history
        .into_iter()
        .map(|r| {
            let mut event = pb::OrderEvent {
                at: Some(timestamp(r.at)),
                // By display name; none for the system itself.
                by: r
                    .user_id
                    .and_then(|id| names.users.get(&id).cloned())
                    .unwrap_or_default(),
                document: documents
                    .get(&(r.object_type, r.object_id))
                    .cloned()
                    .unwrap_or_default(),
                ..Default::default()
            };
            match r.action.as_str() {
                "order.update" => order_update(&r.before, &r.after, &names.entities, &mut event),
                "order.credit_override" | "order.approval_request" | "order.approve" => {
                    event.reason = audited_text(&r.after, "reason");
                }
                "order.cancel" | "order.reject" => {
                    event.reason = audited_text(&r.after, "cancel_reason");
                }
                "order.close" => event.reason = audited_text(&r.after, "close_reason"),
                "shipment.deliver" => delivery_correction(&r.before, &r.after, zone, &mut event),
                "transport_exception.report" => {
                    event.exception_kind = pb::ExceptionKind::wire(&audited_text(&r.after, "kind"));
                    event.exception_units = audited_units(&r.after);
                    event.exception_value = audited_text(&r.after, "value");
                }
                "transport_exception.decide" => {
                    event.decision =
                        pb::ExceptionDecision::wire(&audited_text(&r.after, "decision"));
                    event.exception_value = audited_text(&r.after, "value");
                }
                "write_off.create" => {
                    event.document = audited_text(&r.after, "number");
                    event.write_off_amount = audited_text(&r.after, "amount");
                    event.reason = audited_text(&r.after, "reason");
                }
                "write_off.reverse" => {
                    event.document = audited_text(&r.after, "number");
                    event.reason = audited_text(&r.after, "reversal_reason");
                }
                _ => {}
            }
            event.action = r.action;
            event
        })
        .collect();
    // Nothing remains to ship on a cancelled or closed order.
    let open = o.cancelled_at.is_none() && o.closed_at.is_none();
    Ok(pb::OrderDetail {
        history,
        order: Some(order(o, &facts, &names)),
        lines: lines
            .into_iter()
            .map(|v| order_line(v.line, v.delivered, v.exceptions, open))
            .collect(),
        shipments: shipments
            .into_iter()
            .map(|(s, l)| shipment(s, l, &names, today))
            .collect(),
        exceptions: exceptions
            .into_iter()
            .map(|(e, l)| transport_exception(e, l, &names))
            .collect(),
    })
}

// ---------------------------------------------------------------------------------------
// Shipments

fn shipment_fields(
    prefix: &str,
    input: Option<pb::ShipmentInput>,
    check: &mut FieldCheck,
) -> ShipmentFields {
    let pb::ShipmentInput {
        ship_date,
        carrier,
        waybill_no,
        transit_days: days,
        invoicing_entity_id,
        invoice_no,
        confirm_waybill_reused,
    } = input.unwrap_or_default();
    let waybill_no = crate::db::models::shipment::waybill_key(&waybill_no);
    let invoice_no = validation::half_width(&invoice_no);
    // A date not given is recorded in `check`, which refuses the request; the default
    // only stands in meanwhile.
    let ship_date =
        required_date(format!("{prefix}.ship_date"), &ship_date, check).unwrap_or_default();
    check
        .check(
            format!("{prefix}.carrier"),
            validation::required_line(&carrier, 100),
        )
        .check(
            format!("{prefix}.waybill_no"),
            validation::optional_line(&waybill_no, 50),
        )
        .check(
            format!("{prefix}.invoice_no"),
            validation::optional_line(&invoice_no, 50),
        );
    if let Some(d) = days
        && !(0..=365).contains(&d)
    {
        check.fail(
            format!("{prefix}.transit_days"),
            msg!("settings.transit_days_range"),
        );
    }
    ShipmentFields {
        ship_date,
        carrier: carrier.trim().to_owned(),
        waybill_no: waybill_no.trim().to_owned(),
        transit_days: days,
        invoicing_entity_id: (invoicing_entity_id > 0).then_some(invoicing_entity_id),
        invoice_no: invoice_no.trim().to_owned(),
        confirm_waybill_reused,
    }
}

/// One batch line: units, batch number (批号, in capitals) and expiry date (有效期至), both
/// required by GSP on every sales record.
fn batch_line(
    prefix: &str,
    i: usize,
    line_id: i64,
    units: i64,
    batch_no: &str,
    expiry_date: &str,
    check: &mut FieldCheck,
) -> BatchLine {
    quantity(format!("{prefix}[{i}].quantity"), units, check);
    let batch_no = validation::half_width(batch_no);
    check.check(
        format!("{prefix}[{i}].batch_no"),
        validation::required_line(&batch_no, 50),
    );
    BatchLine {
        line_id,
        quantity: units,
        // As printed on the box: `b2611` typed is batch B2611, kept under one spelling so
        // that a recall's sheet, sorted or filtered, does not split it.
        batch_no: batch_no.trim().to_uppercase(),
        // As the ship date: the default only stands in for a date refused in `check`.
        expiry_date: required_date(format!("{prefix}[{i}].expiry_date"), expiry_date, check)
            .unwrap_or_default(),
    }
}

/// A shipment or a replacement as sent, each part named by its field: the id and version
/// of what it ships against (an order, an exception), its fields, and its batch lines (at
/// least one, each split by `parts` into order or exception line id, quantity, batch
/// number and expiry date, and checked by [`batch_line`]). Returns (id, version, fields,
/// lines) and the complaints about the fields: the operation checks them against the
/// order too and answers every bad field at once ([`crate::ops::orders::ship`]).
/// Errors: INVALID_ARGUMENT naming the id's field alone when it is not an id, or, when
/// the version is not one (there is nothing to check the rest against), every bad field.
fn shipment_draft<L>(
    (id_field, owner_id): (&'static str, i64),
    (version_field, version): (&'static str, i32),
    (fields_prefix, fields): (&'static str, Option<pb::ShipmentInput>),
    (lines_prefix, lines): (&'static str, Vec<L>),
    parts: fn(L) -> (i64, i64, String, String),
) -> AppResult<ShipmentDraft> {
    let owner_id = id(id_field, owner_id)?;
    let mut check = FieldCheck::default();
    read_version(version_field, version, &mut check);
    let fields = shipment_fields(fields_prefix, fields, &mut check);
    if lines.is_empty() {
        check.fail(lines_prefix, msg!("shipment.lines_required"));
    }
    let lines = lines
        .into_iter()
        .enumerate()
        .map(|(i, l)| {
            let (line_id, units, batch_no, expiry_date) = parts(l);
            batch_line(
                lines_prefix,
                i,
                line_id,
                units,
                &batch_no,
                &expiry_date,
                &mut check,
            )
        })
        .collect();
    // Without a version there is nothing to check the rest against: said with the rest.
    if check.complains_of(version_field) {
        check.finish()?;
    }
    Ok(ShipmentDraft {
        owner_id,
        version,
        fields,
        lines,
        complaints: check,
    })
}

/// A shipment as sent, against an order, each field checked (`shipment.*`,
/// `lines[i].*`). Errors: INVALID_ARGUMENT naming `order_id` alone when it is not an
/// id, or every bad field when `order_version` is not a version; else the fields'
/// complaints are in the draft.
pub fn create_shipment(req: pb::CreateShipmentRequest) -> AppResult<ShipmentDraft> {
    let pb::CreateShipmentRequest {
        order_id,
        order_version,
        shipment,
        lines,
    } = req;
    shipment_draft(
        ("order_id", order_id),
        ("order_version", order_version),
        ("shipment", shipment),
        ("lines", lines),
        |l| (l.order_line_id, l.quantity, l.batch_no, l.expiry_date),
    )
}

/// A delivery as ConfirmDelivery takes it: the shipment, the version read, and the
/// [`Delivery`] (signer and correction reason trimmed). INVALID_ARGUMENT naming every bad
/// field at once: `version`, `signer` (required, up to 50 characters), `correction_reason`
/// (up to 200), `arrived_at` (required, not after `now`); a bad `id` refuses at once.
pub fn confirm_delivery(
    req: pb::ConfirmDeliveryRequest,
    now: chrono::DateTime<chrono::Utc>,
) -> AppResult<Update<Delivery>> {
    let pb::ConfirmDeliveryRequest {
        id: shipment_id,
        version,
        signer,
        arrived_at,
        correction_reason,
    } = req;
    update(shipment_id, version, |check| {
        check.check("signer", validation::required_line(&signer, 50));
        check.check(
            "correction_reason",
            validation::optional_text(&correction_reason, 200),
        );
        let arrived_at = match arrived_at {
            Some(t) => check.absorb(from_timestamp("arrived_at", t))?,
            None => {
                check.fail("arrived_at", msg!("field.required"));
                None
            }
        };
        // Said with a signer left out, in one answer.
        if arrived_at.is_some_and(|t| t > now) {
            check.fail("arrived_at", msg!("shipment.arrived_in_future"));
        }
        Ok(arrived_at.map(|arrived_at| Delivery {
            signer: signer.trim().to_owned(),
            arrived_at,
            correction_reason: correction_reason.trim().to_owned(),
        }))
    })
}

pub fn list_shipments(
    req: pb::ListShipmentsRequest,
    caller: i64,
) -> AppResult<(ShipmentFilter, i64, i64)> {
    let pb::ListShipmentsRequest {
        customer_id,
        order_id,
        batch_no,
        drug_id,
        overdue_only,
        mine,
        delivery_status,
        ship_from,
        ship_to,
        page,
        awaiting_delivery,
    } = req;
    let mut check = FieldCheck::default();
    check.check(
        "batch_no",
        validation::optional_line(&batch_no, validation::SEARCH_TEXT_MAX),
    );
    let customer_id = optional_id("customer_id", customer_id, &mut check);
    let order_id = optional_id("order_id", order_id, &mut check);
    let drug_id = optional_id("drug_id", drug_id, &mut check);
    let delivery_status =
        pb::DeliveryStatus::filter_code("delivery_status", delivery_status, &mut check);
    let (ship_from, ship_to) =
        date_range(("ship_from", &ship_from), ("ship_to", &ship_to), &mut check);
    check.finish()?;
    let (offset, limit) = super::page(page);
    Ok((
        ShipmentFilter {
            customer_id,
            order_id,
            batch_no: validation::half_width(&batch_no).trim().to_owned(),
            drug_id,
            overdue_only,
            awaiting_delivery,
            cs_rep_id: mine.then_some(caller),
            delivery_status: delivery_status.map(str::to_owned),
            ship_from,
            ship_to,
        },
        offset,
        limit,
    ))
}

/// The drug of an order line, as a shipment or exception line names it: (name,
/// specification, unit label); empty when the line is not at hand.
fn drug_of(ordered: Option<&OrderLine>) -> (String, String, String) {
    ordered.map_or_else(Default::default, |o| {
        (
            o.drug_name.clone(),
            o.specification.clone(),
            o.unit_label.clone(),
        )
    })
}

/// A shipment with its lines, flagged overdue on business day `today`.
pub fn shipment(
    s: Shipment,
    lines: Vec<ShipmentLine>,
    names: &Names,
    today: NaiveDate,
) -> pb::Shipment {
    let days_overdue = s.days_overdue(today);
    pb::Shipment {
        cs_rep: cs_rep_of(names, s.customer_id),
        id: s.id,
        number: s.number,
        order_id: s.order_id,
        order_number: names.orders.get(&s.order_id).cloned().unwrap_or_default(),
        customer_id: s.customer_id,
        customer_name: names.customer(s.customer_id),
        ship_date: date_text(Some(s.ship_date)),
        carrier: s.carrier,
        waybill_no: s.waybill_no,
        transit_days: s.transit_days,
        expected_arrival: date_text(Some(s.expected_arrival)),
        invoicing_entity_id: s.invoicing_entity_id,
        invoicing_entity_name: names
            .entities
            .get(&s.invoicing_entity_id)
            .cloned()
            .unwrap_or_default(),
        invoice_no: s.invoice_no,
        is_replacement: s.replacement_of_exception_id.is_some(),
        replacement_of_exception_id: s.replacement_of_exception_id.unwrap_or_default(),
        replacement_of_exception_number: s
            .replacement_of_exception_id
            .and_then(|id| names.exceptions.get(&id).cloned())
            .unwrap_or_default(),
        amount: money::to_wire(&s.amount),
        delivery_status: pb::DeliveryStatus::wire(&s.delivery_status),
        overdue: days_overdue > 0,
        days_overdue: u32::try_from(days_overdue).unwrap_or(u32::MAX),
        delivered_at: s.delivered_at.map(timestamp),
        signer: s.signer,
        lines: lines
            .into_iter()
            .map(|l| {
                let ordered = names.order_lines.get(&l.order_line_id);
                let (drug_name, specification, unit_label) = drug_of(ordered);
                pb::ShipmentLine {
                    id: l.id,
                    order_line_id: l.order_line_id,
                    drug_id: ordered.map_or(0, |o| o.drug_id),
                    drug_name,
                    specification,
                    unit_label,
                    quantity: l.quantity,
                    unit_price: money::to_wire(&l.unit_price),
                    amount: money::to_wire(&l.amount),
                    batch_no: l.batch_no,
                    expiry_date: date_text(Some(l.expiry_date)),
                    exception_quantity: l.exception_quantity,
                    replaces_exception_line_id: l.exception_line_id.unwrap_or_default(),
                }
            })
            .collect(),
        version: s.version,
        created_at: Some(timestamp(s.created_at)),
        created_by: names.user(Some(s.created_by)),
        updated_at: Some(timestamp(s.updated_at)),
        updated_by: names.user(s.updated_by),
    }
}

// ---------------------------------------------------------------------------------------
// Transport exceptions

pub fn report_exception(req: pb::ReportExceptionRequest) -> AppResult<ExceptionReport> {
    let pb::ReportExceptionRequest {
        shipment_id,
        kind,
        description,
        lines,
    } = req;
    let shipment_id = id("shipment_id", shipment_id)?;
    let mut check = FieldCheck::default();
    let kind = pb::ExceptionKind::code_of(kind);
    if kind.is_none() {
        check.fail("kind", msg!("exception.kind_required"));
    }
    check.check("description", validation::required_text(&description, 500));
    if lines.is_empty() {
        check.fail("lines", msg!("exception.lines_required"));
    }
    let lines = lines
        .into_iter()
        .enumerate()
        .map(|(i, l)| {
            let pb::ExceptionLineInput {
                shipment_line_id,
                quantity: units,
            } = l;
            required_id(
                format!("lines[{i}].shipment_line_id"),
                shipment_line_id,
                &mut check,
            );
            quantity(format!("lines[{i}].quantity"), units, &mut check);
            (shipment_line_id, units)
        })
        .collect();
    check.finish()?;
    Ok(ExceptionReport {
        shipment_id,
        kind: kind.unwrap_or_default().to_owned(),
        description: description.trim().to_owned(),
        lines,
    })
}

pub fn decide_exception(
    req: pb::DecideExceptionRequest,
) -> AppResult<(i64, i32, Decision, String)> {
    let pb::DecideExceptionRequest {
        id: exception_id,
        version,
        decision,
        note,
    } = req;
    let exception_id = id("id", exception_id)?;
    let mut check = FieldCheck::default();
    read_version("version", version, &mut check);
    let decision = match pb::ExceptionDecision::try_from(decision) {
        Ok(pb::ExceptionDecision::Deduct) => Decision::Deduct,
        Ok(pb::ExceptionDecision::Reship) => Decision::Reship,
        _ => {
            check.fail("decision", msg!("exception.decision_required"));
            Decision::Deduct
        }
    };
    // What was agreed with the customer is the decision's record (spec (3) 4: the sales
    // rep agrees the handling with the customer): never left out.
    check.check("note", validation::required_text(&note, 500));
    check.finish()?;
    Ok((exception_id, version, decision, note.trim().to_owned()))
}

/// A replacement's shipment as sent, against an exception, each field checked as for a
/// shipment (`replacement.*`, `replacement_lines[i].*`). Errors: INVALID_ARGUMENT naming
/// `exception_id` alone when it is not an id, or every bad field when `version` is not a
/// version; else the fields' complaints are in the draft.
pub fn ship_replacement(req: pb::ShipReplacementRequest) -> AppResult<ShipmentDraft> {
    let pb::ShipReplacementRequest {
        exception_id,
        version,
        replacement,
        replacement_lines,
    } = req;
    shipment_draft(
        ("exception_id", exception_id),
        ("version", version),
        ("replacement", replacement),
        ("replacement_lines", replacement_lines),
        |l| (l.exception_line_id, l.quantity, l.batch_no, l.expiry_date),
    )
}

pub fn list_exceptions(
    req: pb::ListExceptionsRequest,
    caller: i64,
) -> AppResult<(ExceptionFilter, i64, i64)> {
    let pb::ListExceptionsRequest {
        customer_id,
        order_id,
        awaiting_decision,
        open_only,
        mine,
        kind,
        reported_from,
        reported_to,
        page,
        awaiting_replacement,
        mine_to_ship,
    } = req;
    let mut check = FieldCheck::default();
    let customer_id = optional_id("customer_id", customer_id, &mut check);
    let order_id = optional_id("order_id", order_id, &mut check);
    let (reported_from, reported_to) = date_range(
        ("reported_from", &reported_from),
        ("reported_to", &reported_to),
        &mut check,
    );
    let kind = pb::ExceptionKind::filter_code("kind", kind, &mut check);
    check.finish()?;
    let (offset, limit) = super::page(page);
    Ok((
        ExceptionFilter {
            customer_id,
            order_id,
            awaiting_decision,
            awaiting_replacement,
            open_only,
            sales_rep_id: mine.then_some(caller),
            cs_rep_id: mine_to_ship.then_some(caller),
            kind: kind.map(str::to_owned),
            reported_from,
            reported_to,
        },
        offset,
        limit,
    ))
}

/// An exception with its lines; `sales_rep` is the customer's current sales rep.
pub fn transport_exception(
    e: TransportException,
    lines: Vec<ExceptionLine>,
    names: &Names,
) -> pb::TransportException {
    let customer_name = names.customer(e.customer_id);
    pb::TransportException {
        id: e.id,
        number: e.number,
        shipment_id: e.shipment_id,
        shipment_number: names
            .shipments
            .get(&e.shipment_id)
            .cloned()
            .unwrap_or_default(),
        order_id: e.order_id,
        order_number: names.orders.get(&e.order_id).cloned().unwrap_or_default(),
        customer_id: e.customer_id,
        customer_name,
        sales_rep: sales_rep_of(names, e.customer_id),
        cs_rep: cs_rep_of(names, e.customer_id),
        kind: pb::ExceptionKind::wire(&e.kind),
        description: e.description,
        value: money::to_wire(&e.value),
        lines: lines
            .into_iter()
            .map(|l| {
                let shipped = names.shipment_lines.get(&l.shipment_line_id);
                let ordered = shipped.and_then(|s| names.order_lines.get(&s.order_line_id));
                let (drug_name, specification, unit_label) = drug_of(ordered);
                pb::ExceptionLine {
                    id: l.id,
                    shipment_line_id: l.shipment_line_id,
                    order_line_id: shipped.map_or(0, |s| s.order_line_id),
                    drug_name,
                    specification,
                    unit_label,
                    batch_no: shipped.map(|s| s.batch_no.clone()).unwrap_or_default(),
                    quantity: l.quantity,
                    unit_price: money::to_wire(&l.unit_price),
                    amount: money::to_wire(&l.amount),
                }
            })
            .collect(),
        decision: pb::ExceptionDecision::wire(&e.decision),
        decided_by: names.user(e.decided_by),
        decided_at: e.decided_at.map(timestamp),
        note: e.note,
        replacement_shipment_id: e.replacement_shipment_id.unwrap_or_default(),
        replacement_shipment_number: e
            .replacement_shipment_id
            .and_then(|id| names.shipments.get(&id).cloned())
            .unwrap_or_default(),
        reported_by: names.user(Some(e.reported_by)),
        reported_at: Some(timestamp(e.reported_at)),
        closed_at: e.closed_at.map(timestamp),
        version: e.version,
        updated_at: Some(timestamp(e.updated_at)),
        updated_by: names.user(e.updated_by),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn line(drug_id: i64, quantity: i64, unit_price: &str) -> serde_json::Value {
        serde_json::json!({
            "id": drug_id * 100 + quantity,
            "drug_id": drug_id,
            "drug_name": format!("药{drug_id}"),
            "specification": "0.25g×24粒",
            "unit_label": "盒",
            "quantity": quantity,
            "unit_price": unit_price,
            "amount": "0",
        })
    }

    fn order(entity: i64, lines: Vec<serde_json::Value>) -> Option<serde_json::Value> {
        Some(serde_json::json!({
            "invoicing_entity_id": entity,
            "delivery_address": "杭州市西湖区",
            "requested_delivery_date": null,
            "note": "",
            "total": "1.00",
            "lines": lines,
        }))
    }

    /// The lines and fields an `order.update` record says changed.
    fn order_changes(
        before: &Option<serde_json::Value>,
        after: &Option<serde_json::Value>,
        entities: &std::collections::HashMap<i64, String>,
    ) -> (Vec<pb::OrderLineChange>, Vec<pb::OrderFieldChange>) {
        let mut event = pb::OrderEvent::default();
        order_update(before, after, entities, &mut event);
        (event.line_changes, event.field_changes)
    }

    #[test]
    fn a_change_lists_the_lines_it_altered_added_and_removed_and_the_fields_it_changed() {
        // Drug 1 twice (the second line free), drug 2, drug 3; after: drug 1's first
        // line lowered, its free line kept, drug 2 gone, drug 3 repriced, drug 4 added,
        // and the order moved to another invoicing entity.
        let before = order(
            7,
            vec![
                line(1, 10, "2.00"),
                line(1, 2, "0"),
                line(2, 5, "3.50"),
                line(3, 1, "9.90"),
            ],
        );
        let after = order(
            8,
            vec![
                line(1, 6, "2.00"),
                line(1, 2, "0"),
                line(3, 1, "8.80"),
                line(4, 3, "1.2345"),
            ],
        );
        let entities = [(7, "浙江医药".to_owned())].into_iter().collect();
        let (lines, fields) = order_changes(&before, &after, &entities);
        let lines: Vec<(&str, i64, i64, &str, &str)> = lines
            .iter()
            .map(|c| {
                assert_eq!(c.unit, "盒");
                (
                    c.drug.as_str(),
                    c.quantity_before,
                    c.quantity_after,
                    c.unit_price_before.as_str(),
                    c.unit_price_after.as_str(),
                )
            })
            .collect();
        assert_eq!(
            lines,
            [
                ("药1 0.25g×24粒", 10, 6, "2.00", "2.00"),
                ("药3 0.25g×24粒", 1, 1, "9.90", "8.80"),
                ("药4 0.25g×24粒", 0, 3, "", "1.2345"),
                ("药2 0.25g×24粒", 5, 0, "3.50", ""),
            ]
        );
        // An entity no longer known is named by its id rather than left blank.
        let fields: Vec<(&str, &str, &str)> = fields
            .iter()
            .map(|c| (c.field.as_str(), c.before.as_str(), c.after.as_str()))
            .collect();
        assert_eq!(fields, [("invoicing_entity", "浙江医药", "8")]);
    }

    #[test]
    fn a_change_of_dates_and_address_is_listed_and_a_record_not_an_order_lists_nothing() {
        let before = order(7, vec![line(1, 10, "2.00")]);
        let mut after = before.clone();
        let record = after.as_mut().unwrap();
        record["requested_delivery_date"] = "2026-12-08".into();
        record["delivery_address"] = "杭州市滨江区".into();
        let (lines, fields) = order_changes(&before, &after, &Default::default());
        assert!(lines.is_empty(), "{lines:?}");
        let fields: Vec<(&str, &str, &str)> = fields
            .iter()
            .map(|c| (c.field.as_str(), c.before.as_str(), c.after.as_str()))
            .collect();
        assert_eq!(
            fields,
            [
                ("delivery_address", "杭州市西湖区", "杭州市滨江区"),
                ("requested_delivery_date", "", "2026-12-08"),
            ]
        );
        let other = Some(serde_json::json!({ "name": "张三" }));
        assert_eq!(
            order_changes(&other, &other, &Default::default()),
            (vec![], vec![])
        );
        // Its totals, as the record holds them (a string or a number), in wire form.
        let mut event = pb::OrderEvent::default();
        let after = Some(serde_json::json!({ "total": 4.9 }));
        order_update(&before, &after, &Default::default(), &mut event);
        assert_eq!(
            (event.total_before.as_str(), event.total_after.as_str()),
            ("1.00", "4.90")
        );
    }
}
