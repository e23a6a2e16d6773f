//! `customers` with `customer_drugs`, `customer_type_changes` and `customer_assignments`.
//!
//! Every read and write goes through a [`Viewer`], whose data scope becomes part of the SQL
//! query: a customer outside it is not found, exactly as if it did not exist. The
//! contact's ID number is stored only encrypted (with a keyed hash for exact search and
//! a masked copy for display); it never reaches the audit log in clear.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use diesel::pg::Pg;
use diesel::prelude::*;
use pharmacrm_shared::validation::mask_id_number;
use pharmacrm_shared::{DataScope, Permission, region};
use serde::Serialize;

use super::audit_log::Event;
use super::{WriteCtx, check_version, contains_pattern, department, display_names, position};
use crate::crypto::DataKey;
use crate::db::schema::{
    customer_assignments, customer_drugs, customer_type_changes, customer_types, customers, drugs,
    users,
};
use crate::error::{AppError, AppResult, FieldError, Msg};
use crate::pinyin;

/// A customer row. The encrypted number and its hash never leave this module's callers.
#[derive(Queryable, Selectable, Serialize, Debug, Clone)]
#[diesel(table_name = customers)]
pub struct Customer {
    pub id: i64,
    pub name: String,
    #[serde(skip)]
    pub pinyin_initials: String,
    pub contact_person: String,
    #[serde(skip)]
    pub id_number_enc: Option<Vec<u8>>,
    #[serde(skip)]
    pub id_number_hash: Option<Vec<u8>>,
    pub id_number_masked: String,
    pub phone: String,
    pub fax: String,
    pub postcode: String,
    pub province_code: String,
    pub city_code: String,
    pub address: String,
    pub business_kind: String,
    pub type_id: i64,
    pub credit_days: i32,
    pub note: String,
    pub sales_rep_id: i64,
    pub cs_rep_id: i64,
    pub is_active: bool,
    pub version: i32,
    pub created_at: DateTime<Utc>,
    pub created_by: Option<i64>,
    pub updated_at: DateTime<Utc>,
    pub updated_by: Option<i64>,
}

/// A customer with the names the screens show.
#[derive(Debug, Clone, Serialize)]
pub struct CustomerView {
    #[serde(flatten)]
    pub customer: Customer,
    pub drug_ids: Vec<i64>,
    #[serde(skip)]
    pub drugs: Vec<(i64, String)>,
    #[serde(skip)]
    pub type_name: String,
    #[serde(skip)]
    pub region: String,
    #[serde(skip)]
    pub sales_rep_name: String,
    #[serde(skip)]
    pub cs_rep_name: String,
    #[serde(skip)]
    pub created_by_name: String,
    #[serde(skip)]
    pub updated_by_name: String,
    #[serde(skip)]
    pub expired_certificates: u32,
    #[serde(skip)]
    pub expiring_certificates: u32,
}

/// A customer's fields, validated (the ID number still in clear, to be encrypted here).
#[derive(Debug, Clone, Default)]
pub struct CustomerInput {
    pub name: String,
    pub contact_person: String,
    /// `Some` to set, `None` to keep (on update) or leave empty (on create).
    pub id_number: Option<String>,
    pub clear_id_number: bool,
    pub phone: String,
    pub fax: String,
    pub postcode: String,
    pub province_code: String,
    pub city_code: String,
    pub address: String,
    pub business_kind: String,
    pub type_id: i64,
    pub drug_ids: Vec<i64>,
    pub credit_days: i32,
    pub note: String,
    pub sales_rep_id: Option<i64>,
    pub cs_rep_id: Option<i64>,
}

/// Who is looking, and which customers they may see.
#[derive(Debug, Clone)]
pub struct Viewer {
    pub user_id: i64,
    pub scope: Option<DataScope>,
    pub department_id: Option<i64>,
}

/// The reps whose customers a viewer sees: `None` for all.
fn visible_reps(conn: &mut PgConnection, viewer: &Viewer) -> AppResult<Option<Vec<i64>>> {
    match viewer.scope {
        Some(DataScope::All) => Ok(None),
        Some(DataScope::Department) => {
            let mut reps = vec![viewer.user_id];
            if let Some(dept) = viewer.department_id {
                let depts = department::subtree_ids(conn, dept)?;
                reps.extend(
                    users::table
                        .filter(users::department_id.eq_any(depts))
                        .select(users::id)
                        .load::<i64>(conn)?,
                );
            }
            Ok(Some(reps))
        }
        Some(DataScope::Own) | None => Ok(Some(vec![viewer.user_id])),
    }
}

type BoxedCustomers<'a> = customers::BoxedQuery<'a, Pg>;

fn scoped<'a>(reps: &Option<Vec<i64>>) -> BoxedCustomers<'a> {
    let q = customers::table.into_boxed();
    match reps {
        None => q,
        Some(reps) => q.filter(
            customers::sales_rep_id
                .eq_any(reps.clone())
                .or(customers::cs_rep_id.eq_any(reps.clone())),
        ),
    }
}

fn not_found() -> AppError {
    AppError::not_found("customer", "客户")
}

/// The customer if the viewer may see it, else NOT_FOUND (for the customer's records).
pub fn require_visible(conn: &mut PgConnection, viewer: &Viewer, id: i64) -> AppResult<Customer> {
    find(conn, viewer, id, false)
}

/// The customer if the viewer may see it, else NOT_FOUND.
fn find(conn: &mut PgConnection, viewer: &Viewer, id: i64, lock: bool) -> AppResult<Customer> {
    let reps = visible_reps(conn, viewer)?;
    let visible = scoped(&reps)
        .filter(customers::id.eq(id))
        .select(customers::id)
        .first::<i64>(conn)
        .optional()?
        .ok_or_else(not_found)?;
    let q = customers::table.find(visible).select(Customer::as_select());
    if !lock {
        return Ok(q.first(conn)?);
    }
    // Locked: look again, in case a reassignment moved it out of sight meanwhile.
    let row: Customer = q.for_update().first(conn)?;
    match &reps {
        Some(reps) if !reps.contains(&row.sales_rep_id) && !reps.contains(&row.cs_rep_id) => {
            Err(not_found())
        }
        _ => Ok(row),
    }
}

/// One customer.
pub fn get(conn: &mut PgConnection, viewer: &Viewer, id: i64) -> AppResult<CustomerView> {
    let row = find(conn, viewer, id, false)?;
    Ok(views(conn, vec![row])?.remove(0))
}

fn views(conn: &mut PgConnection, rows: Vec<Customer>) -> AppResult<Vec<CustomerView>> {
    let ids: Vec<i64> = rows.iter().map(|c| c.id).collect();
    let mut held: HashMap<i64, Vec<(i64, String)>> = HashMap::new();
    for (customer_id, drug_id, name, spec) in customer_drugs::table
        .inner_join(drugs::table)
        .filter(customer_drugs::customer_id.eq_any(&ids))
        .order(drugs::name)
        .select((
            customer_drugs::customer_id,
            drugs::id,
            drugs::name,
            drugs::specification,
        ))
        .load::<(i64, i64, String, String)>(conn)?
    {
        held.entry(customer_id)
            .or_default()
            .push((drug_id, format!("{name} {spec}")));
    }
    let type_names: HashMap<i64, String> = customer_types::table
        .select((customer_types::id, customer_types::name))
        .load::<(i64, String)>(conn)?
        .into_iter()
        .collect();
    let user_ids: Vec<i64> = rows
        .iter()
        .flat_map(|c| {
            [
                Some(c.sales_rep_id),
                Some(c.cs_rep_id),
                c.created_by,
                c.updated_by,
            ]
        })
        .flatten()
        .collect();
    let names = display_names(conn, &user_ids)?;
    let name = |id: Option<i64>| {
        id.and_then(|id| names.get(&id).cloned())
            .unwrap_or_default()
    };
    let flags = super::customer_certificate::flags(
        conn,
        &ids,
        chrono::Local::now().date_naive(),
        crate::config::certificate_warning_days(),
    )?;
    Ok(rows
        .into_iter()
        .map(|c| {
            let drugs = held.remove(&c.id).unwrap_or_default();
            let (expired, expiring) = flags.get(&c.id).copied().unwrap_or_default();
            CustomerView {
                expired_certificates: expired,
                expiring_certificates: expiring,
                drug_ids: drugs.iter().map(|(id, _)| *id).collect(),
                drugs,
                type_name: type_names.get(&c.type_id).cloned().unwrap_or_default(),
                region: region_name(&c.province_code, &c.city_code),
                sales_rep_name: name(Some(c.sales_rep_id)),
                cs_rep_name: name(Some(c.cs_rep_id)),
                created_by_name: name(c.created_by),
                updated_by_name: name(c.updated_by),
                customer: c,
            }
        })
        .collect())
}

/// "广东省 广州市".
pub fn region_name(province_code: &str, city_code: &str) -> String {
    let Some(p) = region::province(province_code) else {
        return String::new();
    };
    match p.cities.iter().find(|c| c.code == city_code) {
        Some(c) => format!("{} {}", p.name, c.name),
        None => p.name.clone(),
    }
}

/// The type must exist and be active; the drugs must exist.
fn check_references(
    conn: &mut PgConnection,
    input: &CustomerInput,
    current_type: Option<i64>,
) -> AppResult<()> {
    let mut errors = Vec::new();
    let active = customer_types::table
        .find(input.type_id)
        .select(customer_types::is_active)
        .for_share()
        .first::<bool>(conn)
        .optional()?;
    match active {
        None => errors.push(FieldError {
            field: "type_id",
            msg: Msg::new("no such customer type", "客户类型不存在"),
        }),
        Some(false) if current_type != Some(input.type_id) => errors.push(FieldError {
            field: "type_id",
            msg: Msg::new("the customer type is archived", "该客户类型已归档"),
        }),
        Some(_) => {}
    }
    let found: i64 = drugs::table
        .filter(drugs::id.eq_any(&input.drug_ids))
        .count()
        .get_result(conn)?;
    if usize::try_from(found).ok() != Some(input.drug_ids.len()) {
        errors.push(FieldError {
            field: "drug_ids",
            msg: Msg::new("a drug does not exist", "所选药品不存在"),
        });
    }
    if errors.is_empty() {
        Ok(())
    } else {
        Err(AppError::InvalidArgument(errors))
    }
}

/// A rep must be active and hold the permission of the role: `order.write` for sales,
/// `order.shipment.write` for customer service.
fn check_rep(
    conn: &mut PgConnection,
    user_id: i64,
    field: &'static str,
    needs: Permission,
) -> AppResult<()> {
    let person = users::table
        .find(user_id)
        .select((users::is_active, users::is_service_account))
        .for_share()
        .first::<(bool, bool)>(conn)
        .optional()?;
    let (permissions, _) = position::grants(conn, user_id)?;
    if person == Some((true, false)) && permissions.contains(&needs) {
        return Ok(());
    }
    let (en, zh) = match field {
        "sales_rep_id" => ("choose an active sales rep", "请选择在职的营销员"),
        _ => ("choose an active customer-service rep", "请选择在职的客服"),
    };
    Err(AppError::field(field, Msg::new(en, zh)))
}

fn set_drugs(conn: &mut PgConnection, customer_id: i64, drug_ids: &[i64]) -> AppResult<()> {
    diesel::delete(customer_drugs::table.filter(customer_drugs::customer_id.eq(customer_id)))
        .execute(conn)?;
    let rows: Vec<_> = drug_ids
        .iter()
        .map(|d| {
            (
                customer_drugs::customer_id.eq(customer_id),
                customer_drugs::drug_id.eq(*d),
            )
        })
        .collect();
    diesel::insert_into(customer_drugs::table)
        .values(&rows)
        .execute(conn)?;
    Ok(())
}

fn record_type_change(
    conn: &mut PgConnection,
    ctx: WriteCtx<'_>,
    customer_id: i64,
    from: Option<i64>,
    to: i64,
    reason: &str,
) -> AppResult<()> {
    diesel::insert_into(customer_type_changes::table)
        .values((
            customer_type_changes::customer_id.eq(customer_id),
            customer_type_changes::from_type_id.eq(from),
            customer_type_changes::to_type_id.eq(to),
            customer_type_changes::reason.eq(reason),
            customer_type_changes::changed_by.eq(ctx.actor.user_id),
        ))
        .execute(conn)?;
    Ok(())
}

/// Ends the current assignment of `role` (if any) and starts one for `user_id`, both at
/// the same instant: the wall clock now, not the start of the transaction (which may be
/// earlier than an assignment another transaction committed meanwhile).
fn assign_role(
    conn: &mut PgConnection,
    ctx: WriteCtx<'_>,
    customer_id: i64,
    role: &str,
    user_id: i64,
) -> AppResult<()> {
    #[derive(QueryableByName)]
    struct Now {
        #[diesel(sql_type = diesel::sql_types::Timestamptz)]
        now: DateTime<Utc>,
    }
    let now = diesel::sql_query("SELECT clock_timestamp() AS now")
        .get_result::<Now>(conn)?
        .now;
    diesel::update(
        customer_assignments::table
            .filter(customer_assignments::customer_id.eq(customer_id))
            .filter(customer_assignments::role.eq(role))
            .filter(customer_assignments::effective_to.is_null()),
    )
    .set(customer_assignments::effective_to.eq(now))
    .execute(conn)?;
    diesel::insert_into(customer_assignments::table)
        .values((
            customer_assignments::customer_id.eq(customer_id),
            customer_assignments::role.eq(role),
            customer_assignments::user_id.eq(user_id),
            customer_assignments::effective_from.eq(now),
            customer_assignments::assigned_by.eq(ctx.actor.user_id),
        ))
        .execute(conn)?;
    Ok(())
}

/// Registers a customer.
pub fn create(
    conn: &mut PgConnection,
    ctx: WriteCtx<'_>,
    key: &DataKey,
    input: &CustomerInput,
) -> AppResult<CustomerView> {
    check_references(conn, input, None)?;
    let sales = input.sales_rep_id.or(ctx.actor.user_id).unwrap_or(0);
    let Some(cs) = input.cs_rep_id else {
        return Err(AppError::field(
            "cs_rep_id",
            Msg::new("choose the customer-service rep", "请选择负责的客服"),
        ));
    };
    if Some(sales) != ctx.actor.user_id
        && !ctx.grants.permissions.contains(&Permission::CustomerAssign)
    {
        return Err(AppError::PermissionDenied(Msg::new(
            "assigning a customer to another sales rep needs customer.assign",
            "把客户分配给其他营销员需要“分配客户”权限",
        )));
    }
    check_rep(conn, sales, "sales_rep_id", Permission::OrderWrite)?;
    check_rep(conn, cs, "cs_rep_id", Permission::ShipmentWrite)?;
    let (enc, hash, masked) = match input.id_number.as_deref() {
        Some(number) => (
            Some(key.encrypt(number)),
            Some(key.search_hash(number)),
            mask_id_number(number),
        ),
        None => (None, None, String::new()),
    };
    let row: Customer = diesel::insert_into(customers::table)
        .values((
            customers::name.eq(&input.name),
            customers::pinyin_initials.eq(pinyin::search_key(&[&input.name])),
            customers::contact_person.eq(&input.contact_person),
            customers::id_number_enc.eq(enc),
            customers::id_number_hash.eq(hash),
            customers::id_number_masked.eq(masked),
            customers::phone.eq(&input.phone),
            customers::fax.eq(&input.fax),
            customers::postcode.eq(&input.postcode),
            customers::province_code.eq(&input.province_code),
            customers::city_code.eq(&input.city_code),
            customers::address.eq(&input.address),
            customers::business_kind.eq(&input.business_kind),
            customers::type_id.eq(input.type_id),
            customers::credit_days.eq(input.credit_days),
            customers::note.eq(&input.note),
            customers::sales_rep_id.eq(sales),
            customers::cs_rep_id.eq(cs),
            customers::created_by.eq(ctx.actor.user_id),
            customers::updated_by.eq(ctx.actor.user_id),
        ))
        .returning(Customer::as_returning())
        .get_result(conn)?;
    set_drugs(conn, row.id, &input.drug_ids)?;
    record_type_change(conn, ctx, row.id, None, input.type_id, "")?;
    assign_role(conn, ctx, row.id, "sales", sales)?;
    assign_role(conn, ctx, row.id, "cs", cs)?;
    let view = views(conn, vec![row])?.remove(0);
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

/// Changes a customer's profile (a type change is recorded in its history).
pub fn update(
    conn: &mut PgConnection,
    ctx: WriteCtx<'_>,
    viewer: &Viewer,
    key: &DataKey,
    id: i64,
    version: i32,
    input: &CustomerInput,
) -> AppResult<CustomerView> {
    let before_row = find(conn, viewer, id, true)?;
    check_version(
        conn,
        version,
        before_row.version,
        before_row.updated_by,
        before_row.updated_at,
    )?;
    check_references(conn, input, Some(before_row.type_id))?;
    let before = views(conn, vec![before_row.clone()])?.remove(0);
    let (enc, hash, masked) = match (input.id_number.as_deref(), input.clear_id_number) {
        (_, true) => (None, None, String::new()),
        (Some(number), false) => (
            Some(key.encrypt(number)),
            Some(key.search_hash(number)),
            mask_id_number(number),
        ),
        (None, false) => (
            before_row.id_number_enc.clone(),
            before_row.id_number_hash.clone(),
            before_row.id_number_masked.clone(),
        ),
    };
    let row: Customer = diesel::update(customers::table.find(id))
        .set((
            customers::name.eq(&input.name),
            customers::pinyin_initials.eq(pinyin::search_key(&[&input.name])),
            customers::contact_person.eq(&input.contact_person),
            customers::id_number_enc.eq(enc),
            customers::id_number_hash.eq(hash),
            customers::id_number_masked.eq(masked),
            customers::phone.eq(&input.phone),
            customers::fax.eq(&input.fax),
            customers::postcode.eq(&input.postcode),
            customers::province_code.eq(&input.province_code),
            customers::city_code.eq(&input.city_code),
            customers::address.eq(&input.address),
            customers::business_kind.eq(&input.business_kind),
            customers::type_id.eq(input.type_id),
            customers::credit_days.eq(input.credit_days),
            customers::note.eq(&input.note),
            customers::version.eq(before_row.version + 1),
            customers::updated_at.eq(diesel::dsl::now),
            customers::updated_by.eq(ctx.actor.user_id),
        ))
        .returning(Customer::as_returning())
        .get_result(conn)?;
    set_drugs(conn, id, &input.drug_ids)?;
    if input.type_id != before_row.type_id {
        record_type_change(conn, ctx, id, Some(before_row.type_id), input.type_id, "")?;
    }
    let after = views(conn, vec![row])?.remove(0);
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

/// Changes a customer's type with a reason.
pub fn change_type(
    conn: &mut PgConnection,
    ctx: WriteCtx<'_>,
    viewer: &Viewer,
    id: i64,
    version: i32,
    type_id: i64,
    reason: &str,
) -> AppResult<CustomerView> {
    let before = find(conn, viewer, id, true)?;
    check_version(
        conn,
        version,
        before.version,
        before.updated_by,
        before.updated_at,
    )?;
    let active = customer_types::table
        .find(type_id)
        .select(customer_types::is_active)
        .first::<bool>(conn)
        .optional()?;
    if active != Some(true) {
        return Err(AppError::field(
            "type_id",
            Msg::new("choose an active customer type", "请选择有效的客户类型"),
        ));
    }
    if before.type_id == type_id {
        return get(conn, viewer, id);
    }
    let row: Customer = diesel::update(customers::table.find(id))
        .set((
            customers::type_id.eq(type_id),
            customers::version.eq(before.version + 1),
            customers::updated_at.eq(diesel::dsl::now),
            customers::updated_by.eq(ctx.actor.user_id),
        ))
        .returning(Customer::as_returning())
        .get_result(conn)?;
    record_type_change(conn, ctx, id, Some(before.type_id), type_id, reason)?;
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
    Ok(views(conn, vec![row])?.remove(0))
}

/// One type change, with names.
#[derive(Debug, Clone)]
pub struct TypeChange {
    pub from_type: String,
    pub to_type: String,
    pub reason: String,
    pub changed_by: String,
    pub changed_at: DateTime<Utc>,
}

/// A customer's type changes, newest first.
pub fn type_history(
    conn: &mut PgConnection,
    viewer: &Viewer,
    id: i64,
) -> AppResult<Vec<TypeChange>> {
    find(conn, viewer, id, false)?;
    #[derive(Queryable)]
    struct Row {
        from_type_id: Option<i64>,
        to_type_id: i64,
        reason: String,
        changed_by: Option<i64>,
        changed_at: DateTime<Utc>,
    }
    let rows: Vec<Row> = customer_type_changes::table
        .filter(customer_type_changes::customer_id.eq(id))
        .order(customer_type_changes::id.desc())
        .select((
            customer_type_changes::from_type_id,
            customer_type_changes::to_type_id,
            customer_type_changes::reason,
            customer_type_changes::changed_by,
            customer_type_changes::changed_at,
        ))
        .load(conn)?;
    let types: HashMap<i64, String> = customer_types::table
        .select((customer_types::id, customer_types::name))
        .load::<(i64, String)>(conn)?
        .into_iter()
        .collect();
    let user_ids: Vec<i64> = rows.iter().filter_map(|r| r.changed_by).collect();
    let names = display_names(conn, &user_ids)?;
    Ok(rows
        .into_iter()
        .map(|r| TypeChange {
            from_type: r
                .from_type_id
                .and_then(|f| types.get(&f).cloned())
                .unwrap_or_default(),
            to_type: types.get(&r.to_type_id).cloned().unwrap_or_default(),
            reason: r.reason,
            changed_by: r
                .changed_by
                .and_then(|b| names.get(&b).cloned())
                .unwrap_or_default(),
            changed_at: r.changed_at,
        })
        .collect())
}

/// The contact's full ID number; the reveal is audited.
pub fn reveal_id_number(
    conn: &mut PgConnection,
    ctx: WriteCtx<'_>,
    viewer: &Viewer,
    key: &DataKey,
    id: i64,
) -> AppResult<String> {
    let row = find(conn, viewer, id, false)?;
    let number = match &row.id_number_enc {
        Some(blob) => key.decrypt(blob).map_err(AppError::Internal)?,
        None => String::new(),
    };
    ctx.audit(
        conn,
        Event {
            action: "customer.reveal_id_number",
            object_type: "customer",
            object_id: id.to_string(),
            before: None,
            after: None,
        },
    )?;
    Ok(number)
}

/// Sets the responsible reps; the history keeps who was responsible when.
pub fn assign(
    conn: &mut PgConnection,
    ctx: WriteCtx<'_>,
    viewer: &Viewer,
    id: i64,
    version: i32,
    sales_rep_id: i64,
    cs_rep_id: i64,
) -> AppResult<CustomerView> {
    let before_row = find(conn, viewer, id, true)?;
    check_version(
        conn,
        version,
        before_row.version,
        before_row.updated_by,
        before_row.updated_at,
    )?;
    check_rep(conn, sales_rep_id, "sales_rep_id", Permission::OrderWrite)?;
    check_rep(conn, cs_rep_id, "cs_rep_id", Permission::ShipmentWrite)?;
    let before = views(conn, vec![before_row.clone()])?.remove(0);
    let row: Customer = diesel::update(customers::table.find(id))
        .set((
            customers::sales_rep_id.eq(sales_rep_id),
            customers::cs_rep_id.eq(cs_rep_id),
            customers::version.eq(before_row.version + 1),
            customers::updated_at.eq(diesel::dsl::now),
            customers::updated_by.eq(ctx.actor.user_id),
        ))
        .returning(Customer::as_returning())
        .get_result(conn)?;
    if sales_rep_id != before_row.sales_rep_id {
        assign_role(conn, ctx, id, "sales", sales_rep_id)?;
    }
    if cs_rep_id != before_row.cs_rep_id {
        assign_role(conn, ctx, id, "cs", cs_rep_id)?;
    }
    let after = views(conn, vec![row])?.remove(0);
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

/// One assignment, with the rep's name.
#[derive(Debug, Clone)]
pub struct Assignment {
    pub role: String,
    pub user_id: i64,
    pub user_name: String,
    pub effective_from: DateTime<Utc>,
    pub effective_to: Option<DateTime<Utc>>,
}

/// Who was responsible when, newest first.
pub fn assignment_history(
    conn: &mut PgConnection,
    viewer: &Viewer,
    id: i64,
) -> AppResult<Vec<Assignment>> {
    find(conn, viewer, id, false)?;
    #[derive(Queryable)]
    struct Row {
        role: String,
        user_id: i64,
        effective_from: DateTime<Utc>,
        effective_to: Option<DateTime<Utc>>,
    }
    let rows: Vec<Row> = customer_assignments::table
        .filter(customer_assignments::customer_id.eq(id))
        .order(customer_assignments::id.desc())
        .select((
            customer_assignments::role,
            customer_assignments::user_id,
            customer_assignments::effective_from,
            customer_assignments::effective_to,
        ))
        .load(conn)?;
    let user_ids: Vec<i64> = rows.iter().map(|r| r.user_id).collect();
    let names = display_names(conn, &user_ids)?;
    Ok(rows
        .into_iter()
        .map(|r| Assignment {
            role: r.role,
            user_name: names.get(&r.user_id).cloned().unwrap_or_default(),
            user_id: r.user_id,
            effective_from: r.effective_from,
            effective_to: r.effective_to,
        })
        .collect())
}

/// A customer search.
#[derive(Debug, Clone, Default)]
pub struct CustomerFilter {
    pub query: String,
    pub province_code: String,
    pub city_code: String,
    pub business_kind: Option<String>,
    pub type_id: Option<i64>,
    pub sales_rep_id: Option<i64>,
    pub cs_rep_id: Option<i64>,
    pub id_number_hash: Option<Vec<u8>>,
    pub has_expiring_certificates: bool,
}

/// One page of the viewer's customers matching `filter`, by name in pinyin order.
pub fn search(
    conn: &mut PgConnection,
    viewer: &Viewer,
    filter: &CustomerFilter,
    offset: i64,
    limit: i64,
) -> AppResult<(Vec<CustomerView>, i64)> {
    let reps = visible_reps(conn, viewer)?;
    let query = || {
        let mut q = scoped(&reps);
        let text = filter.query.trim();
        if !text.is_empty() {
            let p = contains_pattern(text);
            q = q.filter(
                customers::name
                    .ilike(p.clone())
                    .or(customers::pinyin_initials.ilike(p.clone()))
                    .or(customers::contact_person.ilike(p.clone()))
                    .or(customers::phone.ilike(p)),
            );
        }
        if !filter.province_code.is_empty() {
            q = q.filter(customers::province_code.eq(filter.province_code.clone()));
        }
        if !filter.city_code.is_empty() {
            q = q.filter(customers::city_code.eq(filter.city_code.clone()));
        }
        if let Some(kind) = &filter.business_kind {
            q = q.filter(customers::business_kind.eq(kind.clone()));
        }
        if let Some(t) = filter.type_id {
            q = q.filter(customers::type_id.eq(t));
        }
        if let Some(r) = filter.sales_rep_id {
            q = q.filter(customers::sales_rep_id.eq(r));
        }
        if let Some(r) = filter.cs_rep_id {
            q = q.filter(customers::cs_rep_id.eq(r));
        }
        if let Some(hash) = &filter.id_number_hash {
            q = q.filter(customers::id_number_hash.eq(hash.clone()));
        }
        if filter.has_expiring_certificates {
            use crate::db::schema::customer_certificates as certs;
            let limit = chrono::Local::now().date_naive()
                + chrono::Duration::days(i64::from(crate::config::certificate_warning_days()));
            q = q.filter(
                customers::id.eq_any(
                    certs::table
                        .filter(certs::is_deleted.eq(false))
                        .filter(certs::expires_on.le(limit))
                        .select(certs::customer_id),
                ),
            );
        }
        q
    };
    let total: i64 = query().count().get_result(conn)?;
    let rows = query()
        .order((
            diesel::dsl::sql::<diesel::sql_types::Text>("customers.name COLLATE \"zh-x-icu\""),
            customers::id,
        ))
        .offset(offset)
        .limit(limit)
        .select(Customer::as_select())
        .load(conn)?;
    Ok((views(conn, rows)?, total))
}

/// A possible duplicate: enough to ask the right rep, nothing more.
#[derive(Debug, Clone)]
pub struct Duplicate {
    pub name: String,
    pub region: String,
    pub sales_rep: String,
    pub same_name: bool,
    pub same_phone: bool,
}

/// Customers with the same name or phone (all of them, whatever the scope), for the
/// duplicate warning before a second record is created.
pub fn find_duplicates(
    conn: &mut PgConnection,
    name: &str,
    phone: &str,
) -> AppResult<Vec<Duplicate>> {
    let name = name.trim();
    let phone = phone.trim();
    if name.is_empty() && phone.is_empty() {
        return Ok(Vec::new());
    }
    let mut q = customers::table.into_boxed();
    q = match (name.is_empty(), phone.is_empty()) {
        (false, false) => q.filter(
            customers::name
                .eq(name.to_owned())
                .or(customers::phone.eq(phone.to_owned())),
        ),
        (false, true) => q.filter(customers::name.eq(name.to_owned())),
        _ => q.filter(customers::phone.eq(phone.to_owned())),
    };
    let rows: Vec<Customer> = q.limit(20).select(Customer::as_select()).load(conn)?;
    let rep_ids: Vec<i64> = rows.iter().map(|c| c.sales_rep_id).collect();
    let names = display_names(conn, &rep_ids)?;
    Ok(rows
        .into_iter()
        .map(|c| Duplicate {
            region: region_name(&c.province_code, &c.city_code),
            sales_rep: names.get(&c.sales_rep_id).cloned().unwrap_or_default(),
            same_name: c.name.trim() == name,
            same_phone: !phone.is_empty() && c.phone == phone,
            name: c.name,
        })
        .collect())
}

/// One customer's new reps in a handover.
#[derive(Debug, Clone, Copy)]
pub struct HandoverMove {
    pub customer_id: i64,
    pub sales_rep_id: Option<i64>,
    pub cs_rep_id: Option<i64>,
}

/// Moves `from_user`'s customers to colleagues, all in the caller's transaction: every
/// customer must be visible to the viewer and held by `from_user`, and every colleague
/// must qualify for the role they take. Returns (moved, still held by `from_user`).
pub fn handover(
    conn: &mut PgConnection,
    ctx: WriteCtx<'_>,
    viewer: &Viewer,
    from_user: i64,
    moves: &[HandoverMove],
) -> AppResult<(usize, i64)> {
    let mut moved = 0;
    for m in moves {
        let row = find(conn, viewer, m.customer_id, true)?;
        let mut sales = row.sales_rep_id;
        let mut cs = row.cs_rep_id;
        if row.sales_rep_id == from_user {
            let to = m.sales_rep_id.ok_or_else(|| {
                AppError::field(
                    "moves.sales_rep_id",
                    Msg::new(
                        format!("choose who takes over {} as sales rep", row.name),
                        format!("请选择接手“{}”的营销员", row.name),
                    ),
                )
            })?;
            check_rep(conn, to, "sales_rep_id", Permission::OrderWrite)?;
            sales = to;
        }
        if row.cs_rep_id == from_user {
            let to = m.cs_rep_id.ok_or_else(|| {
                AppError::field(
                    "moves.cs_rep_id",
                    Msg::new(
                        format!("choose who takes over {} as CS rep", row.name),
                        format!("请选择接手“{}”的客服", row.name),
                    ),
                )
            })?;
            check_rep(conn, to, "cs_rep_id", Permission::ShipmentWrite)?;
            cs = to;
        }
        if sales == row.sales_rep_id && cs == row.cs_rep_id {
            return Err(AppError::precondition(
                format!("{} is not held by this employee", row.name),
                format!("“{}”不由该员工负责", row.name),
            ));
        }
        assign(conn, ctx, viewer, row.id, row.version, sales, cs)?;
        moved += 1;
    }
    let reps = visible_reps(conn, viewer)?;
    let remaining: i64 = scoped(&reps)
        .filter(
            customers::sales_rep_id
                .eq(from_user)
                .or(customers::cs_rep_id.eq(from_user)),
        )
        .count()
        .get_result(conn)?;
    Ok((moved, remaining))
}

/// How many customers `user_id` is responsible for (as sales or CS rep).
pub fn held_by(conn: &mut PgConnection, user_id: i64) -> AppResult<i64> {
    Ok(customers::table
        .filter(
            customers::sales_rep_id
                .eq(user_id)
                .or(customers::cs_rep_id.eq(user_id)),
        )
        .count()
        .get_result(conn)?)
}

/// Active people who hold `needs` (the sales or CS role), by name: (id, display name).
pub fn reps(conn: &mut PgConnection, needs: Permission) -> AppResult<Vec<(i64, String)>> {
    use crate::db::schema::{position_permissions, positions, user_positions};
    let mut rows: Vec<(i64, String)> = users::table
        .inner_join(user_positions::table.inner_join(positions::table))
        .inner_join(
            position_permissions::table
                .on(position_permissions::position_id.eq(user_positions::position_id)),
        )
        .filter(users::is_active.eq(true))
        .filter(users::is_service_account.eq(false))
        .filter(positions::is_active.eq(true))
        .filter(position_permissions::permission.eq(needs.code()))
        .select((users::id, users::display_name))
        .distinct()
        .load(conn)?;
    rows.sort_by(|a, b| a.1.cmp(&b.1).then(a.0.cmp(&b.0)));
    Ok(rows)
}

/// People who are responsible for at least one customer the viewer sees (for the
/// handover screen: they may no longer hold a rep's position), by name.
pub fn holders(conn: &mut PgConnection, viewer: &Viewer) -> AppResult<Vec<(i64, String)>> {
    let reps = visible_reps(conn, viewer)?;
    let rows: Vec<(i64, i64)> = scoped(&reps)
        .select((customers::sales_rep_id, customers::cs_rep_id))
        .load(conn)?;
    let mut ids: Vec<i64> = rows.into_iter().flat_map(|(s, c)| [s, c]).collect();
    ids.sort_unstable();
    ids.dedup();
    let names = display_names(conn, &ids)?;
    let mut out: Vec<(i64, String)> = ids
        .into_iter()
        .map(|id| (id, names.get(&id).cloned().unwrap_or_default()))
        .collect();
    out.sort_by(|a, b| a.1.cmp(&b.1).then(a.0.cmp(&b.0)));
    Ok(out)
}
