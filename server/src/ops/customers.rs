//! Customer operations whose rules span tables: registering (type, drugs, reps, the
//! assignment history), editing, changing the type, archiving and restoring, assigning
//! reps and handing a leaver's customers over, revealing an ID number, and changing or
//! deleting a customer's records (a follow-up only by its author or their manager). Each
//! runs in the caller's transaction and writes its audit row there.

use pharmacrm_shared::Permission;
use pharmacrm_shared::validation::mask_id_number;

use crate::access::{self, CS_REP_ROLE, SALES_REP_ROLE};
use crate::crypto::DataKey;
use crate::db::lock::{self, Lock};
use crate::db::models::audit_log::{self, Event};
use crate::db::models::customer::{
    self, AssignmentSource, Customer, CustomerFields, CustomerInput, CustomerView,
};
use crate::db::models::customer_certificate::CertificateWindow;
use crate::db::models::customer_record::{self, CustomerRecord, RecordInput};
use crate::db::models::{WriteCtx, company_settings, order, user};
use crate::db::scope::{Reps, Viewer};
use crate::db::versioned::{self, check_fresh};
use crate::error::{AppError, AppResult, FieldCheck, Msg};
use crate::messages::{Counted, Listed};
use crate::msg;
use crate::ops::finance;
use crate::search;
use chrono::NaiveDate;
use diesel::PgConnection;
use rust_decimal::Decimal;

/// The role a rep field stands for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RepRole {
    /// The responsible sales rep (`sales_rep_id`).
    Sales,
    /// The responsible customer-service rep (`cs_rep_id`).
    Service,
}

impl RepRole {
    /// The permission that confers the role ([`access::SALES_REP_ROLE`], [`access::CS_REP_ROLE`]).
    pub fn permission(self) -> Permission {
        match self {
            RepRole::Sales => SALES_REP_ROLE,
            RepRole::Service => CS_REP_ROLE,
        }
    }

    /// Its code in the assignment history.
    pub fn code(self) -> &'static str {
        match self {
            RepRole::Sales => "sales",
            RepRole::Service => "cs",
        }
    }

    /// The column naming the rep in this role: on a customer (and its request field), on a
    /// sale of `sales_lines` (the rep credited).
    pub fn column(self) -> &'static str {
        match self {
            RepRole::Sales => "sales_rep_id",
            RepRole::Service => "cs_rep_id",
        }
    }
}

/// A rep must be one the rep pickers offer ([`customer::holds_role`]): an active person
/// (not a service account) holding the role's permission, not the administrator (who
/// holds every permission but is nobody's rep); one who is not is recorded in `check` on
/// the role's field.
fn check_rep(
    conn: &mut PgConnection,
    user_id: i64,
    role: RepRole,
    check: &mut FieldCheck,
) -> AppResult<()> {
    if !customer::holds_role(conn, user_id, role.permission())? {
        let msg = match role {
            RepRole::Sales => msg!("customer.sales_rep_inactive"),
            RepRole::Service => msg!("customer.cs_rep_inactive"),
        };
        check.fail(role.column(), msg);
    }
    Ok(())
}

/// A customer given to a sales rep outside the caller's data scope would leave their sight,
/// its debts their arrears, with no way back: only one whose scope covers the rep (the
/// rep's own manager, an administrator) gives a customer to them. The CS rep may be
/// anyone's (customer service is its own department). FAILED_PRECONDITION on
/// `sales_rep_id`, naming the rep.
fn require_rep_in_scope(conn: &mut PgConnection, reps: &Reps, sales_rep_id: i64) -> AppResult<()> {
    if reps.includes(sales_rep_id) {
        return Ok(());
    }
    let name = crate::db::models::display_names(conn, &[sales_rep_id])?
        .remove(&sales_rep_id)
        .unwrap_or_default();
    Err(AppError::precondition(msg!("customer.rep_outside_scope", rep = name)).at("sales_rep_id"))
}

/// Both reps of a customer checked ([`check_rep`]), both named in one refusal.
fn check_reps(conn: &mut PgConnection, sales_rep_id: i64, cs_rep_id: i64) -> AppResult<()> {
    let mut check = FieldCheck::default();
    check_rep(conn, sales_rep_id, RepRole::Sales, &mut check)?;
    check_rep(conn, cs_rep_id, RepRole::Service, &mut check)?;
    check.finish()
}

/// The type must exist and be active (an archived type may stay on a customer that has
/// it); each drug must exist (one that does not is named by its place in the list,
/// `drug_ids[2]`). Problems are recorded in `check`.
fn check_references(
    conn: &mut PgConnection,
    input: &CustomerInput,
    current_type: Option<i64>,
    check: &mut FieldCheck,
) -> AppResult<()> {
    match customer::type_is_active(conn, input.type_id)? {
        None => {
            check.fail("type_id", msg!("customer.type_missing"));
        }
        Some(false) if current_type != Some(input.type_id) => {
            check.fail("type_id", msg!("customer.type_archived"));
        }
        Some(_) => {}
    }
    let missing = customer::missing_drugs(conn, &input.drug_ids)?;
    for (i, drug) in input.drug_ids.iter().enumerate() {
        if missing.contains(drug) {
            check.fail(
                format!("drug_ids[{i}]"),
                msg!("customer.drug_missing", id = drug),
            );
        }
    }
    Ok(())
}

/// Everything a registration needs beyond its fields' form, checked at once: the caller
/// may give the customer to another sales rep (PERMISSION_DENIED otherwise), the type and
/// drugs exist, and both reps qualify (INVALID_ARGUMENT naming every bad field). Returns
/// (sales rep, CS rep): the sales rep defaults to the caller.
fn check_registration(
    conn: &mut PgConnection,
    ctx: WriteCtx<'_>,
    viewer: &Viewer,
    input: &CustomerInput,
) -> AppResult<(i64, i64)> {
    let sales = input.sales_rep_id.or(ctx.actor.user_id).unwrap_or(0);
    if Some(sales) != ctx.actor.user_id {
        access::require_may_assign_to_others(ctx.grants)?;
        let reps = viewer.reps(conn)?;
        require_rep_in_scope(conn, &reps, sales)?;
    }
    // Credit terms are credit control's: one who may not set them registers the customer
    // without any (the company's terms for new customers apply).
    if input.credit_days != 0 || input.credit_limit.is_some() {
        access::require_may_set_credit(ctx.grants)?;
    }
    let mut check = FieldCheck::default();
    check_references(conn, input, None, &mut check)?;
    check_rep(conn, sales, RepRole::Sales, &mut check)?;
    let cs = match input.cs_rep_id {
        Some(cs) => {
            check_rep(conn, cs, RepRole::Service, &mut check)?;
            cs
        }
        None => {
            check.fail("cs_rep_id", msg!("customer.cs_rep_required"));
            0
        }
    };
    check.finish()?;
    Ok((sales, cs))
}

/// At any one time a customer has exactly one sales rep (spec 2.3): the same customer —
/// its exact `name` in its city (in its province, when either gives no city: `place` is
/// the (province, city) codes) — registered again, another renamed or moved to it, or an
/// archived one restored beside it, would give it two. FAILED_PRECONDITION on `name`,
/// naming the rep to ask (whatever the caller's scope: the duplicate check says as
/// much). Another of the name elsewhere (a chain's 康民大药房 in two cities, or in two
/// provinces without a city), or an archived one, is not refused (the duplicate check
/// shows them). Holds the name's lock to the end of the transaction, so two registering
/// it at once are judged one after the other.
fn require_not_registered(
    conn: &mut PgConnection,
    name: &str,
    place: (&str, &str),
    except: Option<i64>,
) -> AppResult<()> {
    lock::take(
        conn,
        Lock::CustomerName {
            name,
            province_code: place.0,
        },
    )?;
    match customer::registered_as(conn, name, place, except)? {
        Some(found) => {
            let name = name.trim().to_owned();
            let rep = found.sales_rep;
            Err(AppError::precondition(if found.same_city {
                msg!("customer.already_registered", name = name, rep = rep)
            } else {
                msg!(
                    "customer.already_registered_in_province",
                    name = name,
                    rep = rep
                )
            })
            .at("name"))
        }
        None => Ok(()),
    }
}

/// The stored columns for `input`: the ID number encrypted, hashed for search and masked
/// for display; `previous` keeps the stored number when the input leaves it alone.
fn fields(input: &CustomerInput, key: &DataKey, previous: Option<&Customer>) -> CustomerFields {
    let (enc, hash, masked) = match (input.id_number.as_deref(), input.clear_id_number) {
        (_, true) => (None, None, String::new()),
        (Some(number), false) => (
            Some(key.encrypt(number)),
            Some(key.search_hash(number)),
            mask_id_number(number),
        ),
        (None, false) => previous.map_or((None, None, String::new()), |p| {
            (
                p.id_number_enc.clone(),
                p.id_number_hash.clone(),
                p.id_number_masked.clone(),
            )
        }),
    };
    CustomerFields {
        name: input.name.clone(),
        search_grams: customer::search_grams(&input.name, &input.contact_person, &input.phone),
        pinyin_sets: search::sets_text(&[&input.name]),
        pinyin_grams: search::pinyin_grams(&[&input.name]),
        contact_person: input.contact_person.clone(),
        id_number_enc: enc,
        id_number_hash: hash,
        id_number_masked: masked,
        phone: input.phone.clone(),
        fax: input.fax.clone(),
        postcode: input.postcode.clone(),
        province_code: input.province_code.clone(),
        city_code: input.city_code.clone(),
        address: input.address.clone(),
        business_kind: input.business_kind.clone(),
        type_id: input.type_id,
        credit_days: input.credit_days,
        credit_limit: input.credit_limit,
        note: input.note.clone(),
    }
}

/// At most this many duplicate answers naming a customer outside the caller's scope, per
/// user and hour.
pub const DUPLICATE_LOOKUPS_PER_HOUR: i64 = 30;

/// The duplicate check before registering `input` (spec (2) 1; issue "a deliberate,
/// documented exception"): every field checked first, as [`create`] would; then
/// customers with exactly the same name or phone. Of those outside the caller's scope
/// only the sales rep is told, each such answer is audited, and a user gets at most
/// [`DUPLICATE_LOOKUPS_PER_HOUR`] of them an hour.
pub fn check_duplicates(
    conn: &mut PgConnection,
    ctx: WriteCtx<'_>,
    viewer: &Viewer,
    input: Option<&CustomerInput>,
    (name, phone): (&str, &str),
) -> AppResult<Vec<customer::Duplicate>> {
    if let Some(input) = input {
        check_registration(conn, ctx, viewer, input).map_err(|e| e.within("customer"))?;
    }
    let place = input.map(|i| (i.province_code.as_str(), i.city_code.as_str()));
    let found = customer::find_duplicates(conn, viewer, name, phone, place)?;
    let hidden: Vec<String> = found
        .iter()
        .filter(|d| d.id.is_none())
        .map(|d| d.sales_rep.clone())
        .collect();
    if hidden.is_empty() {
        return Ok(found);
    }
    if let Some(user_id) = ctx.actor.user_id
        && audit_log::count_recent(conn, user_id, "customer.duplicate_lookup", 3600)?
            >= DUPLICATE_LOOKUPS_PER_HOUR
    {
        return Err(AppError::Exhausted(msg!(
            "customer.duplicate_lookups_exhausted"
        )));
    }
    ctx.audit(
        conn,
        Event {
            action: "customer.duplicate_lookup",
            object_type: "customer",
            object_id: String::new(),
            before: None,
            after: Some(serde_json::json!({
                "name": name.trim(),
                "phone": phone.trim(),
                "owners_told": hidden,
            })),
        },
    )?;
    Ok(found)
}

/// Registers a customer: held by the given sales rep (default: the caller) and CS rep,
/// with its first type and assignments in the history. Registered by one who may not set
/// credit, it gets the company's credit terms for new customers (company settings).
pub fn create(
    conn: &mut PgConnection,
    ctx: WriteCtx<'_>,
    viewer: &Viewer,
    key: &DataKey,
    input: &CustomerInput,
    window: CertificateWindow,
) -> AppResult<CustomerView> {
    let (sales, cs) = check_registration(conn, ctx, viewer, input)?;
    let place = (input.province_code.as_str(), input.city_code.as_str());
    require_not_registered(conn, &input.name, place, None)?;
    let mut fields = fields(input, key, None);
    if !access::may_set_credit(ctx.grants) {
        // Registered by a rep: the company's terms for new customers (settings), until
        // credit control sets the customer's own.
        let settings = company_settings::get(conn)?;
        fields.credit_days = settings.new_customer_credit_days;
        fields.credit_limit = settings.new_customer_credit_limit;
    }
    let row = customer::insert(conn, ctx, &fields, sales, cs)?;
    customer::set_drugs(conn, row.id, &input.drug_ids)?;
    customer::record_type_change(conn, ctx, row.id, None, input.type_id, "")?;
    for role in [
        (RepRole::Sales.code(), sales),
        (RepRole::Service.code(), cs),
    ] {
        customer::assign_role(conn, ctx, row.id, role, AssignmentSource::Registered)?;
    }
    let view = customer::view(conn, row, window)?;
    ctx.audit_change(
        conn,
        "customer.create",
        "customer",
        view.customer.id,
        None,
        Some(&view),
    )?;
    Ok(view)
}

/// Changes a customer's profile, its type left as it is: a type change goes through
/// [`change_type`] with its reason (INVALID_ARGUMENT on `customer.type_id` here).
pub fn update(
    conn: &mut PgConnection,
    ctx: WriteCtx<'_>,
    viewer: &Viewer,
    key: &DataKey,
    (id, version, input): (i64, i32, &CustomerInput),
    window: CertificateWindow,
) -> AppResult<CustomerView> {
    let before_row = customer::find(conn, viewer, id, true)?;
    check_fresh(conn, version, &before_row)?;
    if (before_row.credit_days, before_row.credit_limit) != (input.credit_days, input.credit_limit)
    {
        access::require_may_set_credit(ctx.grants)?;
    }
    if before_row.type_id != input.type_id {
        // Every type change keeps its why (spec clarification: who, when, from, to, why):
        // it goes through `change_type`, with a reason.
        return Err(AppError::field(
            "customer.type_id",
            msg!("customer.type_change_needs_reason"),
        ));
    }
    let mut check = FieldCheck::default();
    check_references(conn, input, Some(before_row.type_id), &mut check)?;
    check.finish().map_err(|e| e.within("customer"))?;
    // Renamed or moved (a customer without a city moved to another province too).
    let place = (input.province_code.as_str(), input.city_code.as_str());
    let before_place = (
        before_row.province_code.as_str(),
        before_row.city_code.as_str(),
    );
    if (input.name.trim(), place) != (before_row.name.as_str(), before_place) {
        require_not_registered(conn, &input.name, place, Some(id))
            .map_err(|e| e.within("customer"))?;
    }
    let row = customer::update_fields(
        conn,
        ctx,
        &before_row,
        &fields(input, key, Some(&before_row)),
    )?;
    customer::set_drugs(conn, id, &input.drug_ids)?;
    let before = customer::view(conn, before_row, window)?;
    let after = customer::view(conn, row, window)?;
    ctx.audit_change(
        conn,
        "customer.update",
        "customer",
        id,
        Some(&before),
        Some(&after),
    )?;
    Ok(after)
}

/// Adds (`id` 0) or changes a customer's record of kind `R` as `viewer`; audited. One kept
/// by its author (a follow-up) is changed only by them or whoever oversees them
/// ([`access::require_may_change_authored`]): PERMISSION_DENIED otherwise.
pub fn save_record<R: CustomerRecord>(
    conn: &mut PgConnection,
    ctx: WriteCtx<'_>,
    viewer: &Viewer,
    input: &RecordInput<R::Fields>,
) -> AppResult<R> {
    if input.id == 0 {
        return customer_record::save(conn, ctx, viewer, input);
    }
    let before: R = lock_to_change(conn, viewer, input.id, input.version)?;
    customer_record::update_locked(conn, ctx, &before, &input.fields)
}

/// Marks a customer's record of kind `R` deleted as `viewer`; audited. Who may, as
/// [`save_record`].
pub fn delete_record<R: CustomerRecord>(
    conn: &mut PgConnection,
    ctx: WriteCtx<'_>,
    viewer: &Viewer,
    id: i64,
    version: i32,
) -> AppResult<()> {
    let before: R = lock_to_change(conn, viewer, id, version)?;
    customer_record::delete_locked(conn, ctx, &before)
}

/// Record `id`, locked, in scope and fresh ([`customer_record::lock_visible`]), if
/// `viewer` may change it (one kept by its author: PERMISSION_DENIED for anyone else but
/// whoever oversees them).
fn lock_to_change<R: CustomerRecord>(
    conn: &mut PgConnection,
    viewer: &Viewer,
    id: i64,
    version: i32,
) -> AppResult<R> {
    let row: R = customer_record::lock_visible(conn, viewer, id, version)?;
    if R::KEPT_BY_AUTHOR {
        let reps = viewer.reps(conn)?;
        access::require_may_change_authored(viewer, &reps, row.created_by())?;
    }
    Ok(row)
}

/// How many of a customer's orders at work are named: in the refusal to archive it, and
/// on the customer as read ([`get`]).
const OPEN_ORDERS_NAMED: i64 = 3;

/// A customer as GetCustomer reads it ([`get`]).
pub struct CustomerRead {
    /// With its names and certificate flags.
    pub view: CustomerView,
    /// Its orders at work, which keep it from being archived.
    pub open: order::OpenOrders,
    /// What it owes less what it holds on account (CNY, [`finance::customer_balance`]),
    /// when asked for.
    pub balance: Option<Decimal>,
    /// Why it is on credit hold, whatever its next order ([`finance::credit_hold`]),
    /// when the balance is asked for.
    pub credit_hold: Option<Msg>,
}

/// Customer `id` as `viewer` reads it (NOT_FOUND outside the scope), with its names and
/// certificate flags, its orders at work ([`order::open_orders`], the oldest
/// [`OPEN_ORDERS_NAMED`]) that keep it from being archived, and with `balance` (the
/// caller may read it: [`access::may_read_balance`]) what it owes and whether it is on
/// credit hold on business date `today`.
pub fn get(
    conn: &mut PgConnection,
    viewer: &Viewer,
    id: i64,
    window: CertificateWindow,
    balance: bool,
    today: NaiveDate,
) -> AppResult<CustomerRead> {
    let view = customer::get(conn, viewer, id, window)?;
    let open = order::open_orders(conn, id, OPEN_ORDERS_NAMED)?;
    let (balance, credit_hold) = if balance {
        (
            Some(finance::customer_balance(conn, id)?),
            finance::credit_hold(conn, &view.customer, None, today, None)?,
        )
    } else {
        (None, None)
    };
    Ok(CustomerRead {
        view,
        open,
        balance,
        credit_hold,
    })
}

/// Archives (`is_active` false) or restores customer `id` at `version`, as `viewer`
/// (NOT_FOUND outside the scope), audited as `customer.archive` / `customer.restore`.
/// An archived customer takes no orders or shipments; its history, ledger and payments
/// stay. Errors: FAILED_PRECONDITION while it has orders at work
/// ([`order::open_orders`], naming the oldest), ABORTED on a stale version.
pub fn set_active(
    conn: &mut PgConnection,
    ctx: WriteCtx<'_>,
    viewer: &Viewer,
    (id, version, is_active): (i64, i32, bool),
    window: CertificateWindow,
) -> AppResult<CustomerView> {
    // An order placed meanwhile holds the ledger until it is in (ops::orders::place).
    finance::lock_ledger(conn, id)?;
    let before = customer::find(conn, viewer, id, true)?;
    check_fresh(conn, version, &before)?;
    if !is_active && before.is_active {
        // The oldest few named, to be found in the order list.
        let open = order::open_orders(conn, id, OPEN_ORDERS_NAMED)?;
        if open.count > 0 {
            let mut numbers: Vec<String> = open.oldest.into_iter().map(|o| o.number).collect();
            if open.count > OPEN_ORDERS_NAMED {
                numbers.push("…".to_owned());
            }
            return Err(AppError::precondition(msg!(
                "customer.open_orders",
                name = before.name,
                count = Counted(open.count, "open order", "open orders"),
                numbers = Listed(&numbers)
            )));
        }
    }
    // Restored beside one registered again meanwhile: the same customer twice.
    if is_active && !before.is_active {
        let place = (before.province_code.as_str(), before.city_code.as_str());
        require_not_registered(conn, &before.name, place, Some(id))?;
    }
    let row: Customer = versioned::set_active(conn, ctx, id, version, is_active)?;
    customer::view(conn, row, window)
}

/// Changes a customer's type with a reason (required; kept in the type history). The type it
/// already has, or an archived one, is INVALID_ARGUMENT on `type_id`.
pub fn change_type(
    conn: &mut PgConnection,
    ctx: WriteCtx<'_>,
    viewer: &Viewer,
    (id, version, type_id, reason): (i64, i32, i64, &str),
    window: CertificateWindow,
) -> AppResult<CustomerView> {
    let before = customer::find(conn, viewer, id, true)?;
    check_fresh(conn, version, &before)?;
    if customer::type_is_active(conn, type_id)? != Some(true) {
        return Err(AppError::field("type_id", msg!("customer.type_inactive")));
    }
    if before.type_id == type_id {
        // Nothing would be recorded: said, rather than the dialog closing as if done.
        return Err(AppError::field("type_id", msg!("customer.type_unchanged")));
    }
    let row = customer::set_type(conn, ctx, &before, type_id)?;
    customer::record_type_change(conn, ctx, id, Some(before.type_id), type_id, reason)?;
    ctx.audit(
        conn,
        Event {
            action: "customer.change_type",
            object_type: "customer",
            object_id: id.to_string(),
            before: Some(serde_json::json!({ "type_id": before.type_id })),
            after: Some(serde_json::json!({ "type_id": type_id, "reason": reason })),
        },
    )?;
    customer::view(conn, row, window)
}

/// Sets the responsible reps of the (locked, fresh) customer; the history keeps who was
/// responsible when, and how (`source`). The same reps again change nothing: no new
/// version, no history, no audit row.
fn reassign(
    conn: &mut PgConnection,
    (ctx, reps): (WriteCtx<'_>, &Reps),
    before_row: Customer,
    (sales_rep_id, cs_rep_id): (i64, i64),
    source: AssignmentSource,
    window: CertificateWindow,
) -> AppResult<CustomerView> {
    check_reps(conn, sales_rep_id, cs_rep_id)?;
    if sales_rep_id != before_row.sales_rep_id {
        require_rep_in_scope(conn, reps, sales_rep_id)?;
    }
    if (sales_rep_id, cs_rep_id) == (before_row.sales_rep_id, before_row.cs_rep_id) {
        return customer::view(conn, before_row, window);
    }
    let id = before_row.id;
    let row = customer::set_reps(conn, ctx, &before_row, sales_rep_id, cs_rep_id)?;
    if sales_rep_id != before_row.sales_rep_id {
        customer::assign_role(conn, ctx, id, (RepRole::Sales.code(), sales_rep_id), source)?;
    }
    if cs_rep_id != before_row.cs_rep_id {
        customer::assign_role(conn, ctx, id, (RepRole::Service.code(), cs_rep_id), source)?;
    }
    let before = customer::view(conn, before_row, window)?;
    let after = customer::view(conn, row, window)?;
    ctx.audit_change(
        conn,
        "customer.assign",
        "customer",
        id,
        Some(&before),
        Some(&after),
    )?;
    Ok(after)
}

/// Assigns a customer's sales and CS reps (spec (2) 3: exactly one of each at any time).
pub fn assign(
    conn: &mut PgConnection,
    ctx: WriteCtx<'_>,
    viewer: &Viewer,
    (id, version): (i64, i32),
    (sales_rep_id, cs_rep_id): (i64, i64),
    window: CertificateWindow,
) -> AppResult<CustomerView> {
    let before = customer::find(conn, viewer, id, true)?;
    check_fresh(conn, version, &before)?;
    let reps = viewer.reps(conn)?;
    reassign(
        conn,
        (ctx, &reps),
        before,
        (sales_rep_id, cs_rep_id),
        AssignmentSource::Assigned,
        window,
    )
}

/// One customer's new reps in a handover (`None`: the role is not the leaver's).
#[derive(Debug, Clone, Copy)]
pub struct HandoverMove {
    pub customer_id: i64,
    pub sales_rep_id: Option<i64>,
    pub cs_rep_id: Option<i64>,
}

/// Moves `from_user`'s customers to colleagues, all in the caller's transaction: every
/// customer must be visible to the viewer and held by `from_user`, and every colleague
/// must qualify for the role they take. Returns (moved, still held by `from_user` within
/// the viewer's scope). Every move's bad field is named at once, from the request's top
/// (`moves[2].sales_rep_id`; a customer not held by `from_user` on `moves[i].customer_id`);
/// nothing moves then. Errors: NOT_FOUND for a `from_user` that does not exist, or a
/// customer not found (or outside the scope), naming the move and the id.
pub fn handover(
    conn: &mut PgConnection,
    ctx: WriteCtx<'_>,
    viewer: &Viewer,
    from_user: i64,
    moves: &[HandoverMove],
    window: CertificateWindow,
) -> AppResult<(usize, i64)> {
    if user::person_status(conn, from_user)?.is_none() {
        return Err(AppError::not_found(msg!("user.not_found")));
    }
    let mut check = FieldCheck::default();
    let mut moved = 0;
    // The caller's reps, read once for every move's successor.
    let reps = viewer.reps(conn)?;
    for (i, m) in moves.iter().enumerate() {
        // A move refused on a field leaves the others to be checked; the transaction
        // is not committed unless all went.
        let one = move_one(conn, (ctx, viewer, &reps), from_user, m, window).map_err(|e| match e {
            AppError::NotFound(_) => AppError::not_found(msg!(
                "handover.customer_not_found",
                id = m.customer_id,
                index = i
            )),
            e => e.within(&format!("moves[{i}]")),
        });
        if check.absorb(one)?.is_some() {
            moved += 1;
        }
    }
    check.finish()?;
    let remaining = customer::held_within(conn, viewer, from_user)?;
    // Found under the person who left, not only customer by customer.
    let moves_json: Vec<serde_json::Value> = moves
        .iter()
        .map(|m| {
            serde_json::json!({
                "customer_id": m.customer_id,
                "sales_rep_id": m.sales_rep_id,
                "cs_rep_id": m.cs_rep_id,
            })
        })
        .collect();
    ctx.audit(
        conn,
        Event {
            action: "user.handover",
            object_type: "user",
            object_id: from_user.to_string(),
            before: None,
            after: Some(serde_json::json!({
                "moved": moved,
                "remaining": remaining,
                "moves": moves_json,
            })),
        },
    )?;
    Ok((moved, remaining))
}

/// One move of [`handover`]; bad fields named within the move (`sales_rep_id`).
fn move_one(
    conn: &mut PgConnection,
    (ctx, viewer, reps): (WriteCtx<'_>, &Viewer, &Reps),
    from_user: i64,
    m: &HandoverMove,
    window: CertificateWindow,
) -> AppResult<()> {
    let row = customer::find(conn, viewer, m.customer_id, true)?;
    // Each role the leaver holds needs a successor; both missing are named together.
    let mut check = FieldCheck::default();
    let mut take = |held: i64, to: Option<i64>, role: RepRole| -> i64 {
        if held != from_user {
            return held;
        }
        to.unwrap_or_else(|| {
            let role_name = match role {
                RepRole::Sales => msg!("handover.role.sales"),
                RepRole::Service => msg!("handover.role.cs"),
            };
            check.fail(
                role.column(),
                msg!(
                    "handover.successor_required",
                    customer = row.name,
                    role = role_name
                ),
            );
            held
        })
    };
    let sales = take(row.sales_rep_id, m.sales_rep_id, RepRole::Sales);
    let cs = take(row.cs_rep_id, m.cs_rep_id, RepRole::Service);
    check.finish()?;
    if sales == row.sales_rep_id && cs == row.cs_rep_id {
        return Err(AppError::field(
            "customer_id",
            msg!("handover.not_held", customer = row.name),
        ));
    }
    reassign(
        conn,
        (ctx, reps),
        row,
        (sales, cs),
        AssignmentSource::Handover,
        window,
    )?;
    Ok(())
}

/// The contact's full ID number; the reveal is audited.
pub fn reveal_id_number(
    conn: &mut PgConnection,
    ctx: WriteCtx<'_>,
    viewer: &Viewer,
    key: &DataKey,
    id: i64,
) -> AppResult<String> {
    let row = customer::find(conn, viewer, id, false)?;
    let number = match &row.id_number_enc {
        Some(blob) => key.decrypt(blob).map_err(AppError::Internal)?,
        None => String::new(),
    };
    ctx.audit(
        conn,
        Event::bare("customer.reveal_id_number", "customer", id.to_string()),
    )?;
    Ok(number)
}
