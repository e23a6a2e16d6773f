//! `customers` with `customer_drugs`, `customer_type_changes` and `customer_assignments`.
//!
//! Every read goes through a [`Viewer`], whose data scope ([`crate::db::scope`]) becomes
//! part of the SQL query: a customer outside it is not found, exactly as if it did not
//! exist. The contact's ID number is stored only encrypted (with a keyed hash for exact
//! search and a masked copy for display); it never reaches the audit log in clear. The
//! rules that span tables (who may be a rep, handover) are in [`crate::ops::customers`].

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use pharmacrm_shared::money::Decimal;
use pharmacrm_shared::{Permission, region};
use serde::Serialize;

use super::customer_certificate::CertificateWindow;
use super::{WriteCtx, display_names};
use crate::db::schema::{
    customer_assignments, customer_drugs, customer_type_changes, customer_types, customers, drugs,
};
use crate::db::scope::{self, Reps, Viewer};
use crate::db::sql::{
    Cursor, KeyOrder, KeyType, Matching, PageStart, Sql, Value, in_order_of, keyset_page_ids,
};
use crate::db::versioned::StatusFilter;
use crate::error::{AppError, AppResult};
use crate::msg;
use crate::search;

/// A customer row. The encrypted number and its hash never leave this module's callers.
#[derive(Queryable, Selectable, Serialize, Debug, Clone)]
#[diesel(table_name = customers)]
pub struct Customer {
    pub id: i64,
    pub name: String,
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
    /// 信用额度: the most the customer may owe, CNY; `None` for no limit.
    pub credit_limit: Option<Decimal>,
}

/// A customer with the names the screens show.
#[derive(Debug, Clone, Serialize)]
pub struct CustomerView {
    #[serde(flatten)]
    pub customer: Customer,
    pub drug_ids: Vec<i64>,
    #[serde(skip)]
    /// (drug id, "name spec", archived).
    pub drugs: Vec<(i64, String, bool)>,
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

/// A customer's fields as the user entered them, validated (the ID number still in
/// clear: [`crate::ops::customers`] encrypts it).
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
    /// CNY; `None` for no limit.
    pub credit_limit: Option<Decimal>,
    pub note: String,
    pub sales_rep_id: Option<i64>,
    pub cs_rep_id: Option<i64>,
}

/// The stored profile columns, as inserted and updated (the ID number already encrypted).
#[derive(Insertable, AsChangeset, Debug, Clone)]
#[diesel(table_name = customers, treat_none_as_null = true)]
pub struct CustomerFields {
    pub name: String,
    /// The indexed grams of the name, contact and phone ([`search_grams`]).
    pub search_grams: Vec<String>,
    /// The readings each character of the name may have ([`crate::search::sets_text`]).
    pub pinyin_sets: String,
    /// The indexed grams of the name's pinyin ([`crate::search::pinyin_grams`]).
    pub pinyin_grams: Vec<String>,
    pub contact_person: String,
    pub id_number_enc: Option<Vec<u8>>,
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
    pub credit_limit: Option<Decimal>,
    pub note: String,
}

fn not_found() -> AppError {
    AppError::not_found(msg!("customer.not_found"))
}

crate::archivable!(Customer, customers, "customer", not_found);

/// The customer if the viewer may see it, else NOT_FOUND; with `lock`, locked for the
/// rest of the transaction (and checked again once locked, in case a reassignment moved
/// it out of sight meanwhile).
pub fn find(conn: &mut PgConnection, viewer: &Viewer, id: i64, lock: bool) -> AppResult<Customer> {
    let reps = viewer.reps(conn)?;
    let q = customers::table
        .filter(scope::customers_of(&reps))
        .filter(customers::id.eq(id))
        .select(Customer::as_select());
    let row = if lock {
        q.for_update().first(conn).optional()?
    } else {
        q.first(conn).optional()?
    };
    row.filter(|c| reps.covers(c.sales_rep_id, c.cs_rep_id))
        .ok_or_else(not_found)
}

/// One customer.
pub fn get(
    conn: &mut PgConnection,
    viewer: &Viewer,
    id: i64,
    window: CertificateWindow,
) -> AppResult<CustomerView> {
    let row = find(conn, viewer, id, false)?;
    view(conn, row, window)
}

/// One customer row with its names and flags.
pub fn view(
    conn: &mut PgConnection,
    row: Customer,
    window: CertificateWindow,
) -> AppResult<CustomerView> {
    Ok(views(conn, vec![row], window)?.remove(0))
}

fn views(
    conn: &mut PgConnection,
    rows: Vec<Customer>,
    window: CertificateWindow,
) -> AppResult<Vec<CustomerView>> {
    let ids: Vec<i64> = rows.iter().map(|c| c.id).collect();
    let mut held: HashMap<i64, Vec<(i64, String, bool)>> = HashMap::new();
    for (customer_id, drug_id, name, spec, is_active) in customer_drugs::table
        .inner_join(drugs::table)
        .filter(customer_drugs::customer_id.eq_any(&ids))
        .order(drugs::name)
        .select((
            customer_drugs::customer_id,
            drugs::id,
            drugs::name,
            drugs::specification,
            drugs::is_active,
        ))
        .load::<(i64, i64, String, String, bool)>(conn)?
    {
        held.entry(customer_id)
            .or_default()
            .push((drug_id, format!("{name} {spec}"), !is_active));
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
    let flags = super::customer_certificate::flags(conn, &ids, window)?;
    Ok(rows
        .into_iter()
        .map(|c| {
            let drugs = held.remove(&c.id).unwrap_or_default();
            let (expired, expiring) = flags.get(&c.id).copied().unwrap_or_default();
            CustomerView {
                expired_certificates: expired,
                expiring_certificates: expiring,
                drug_ids: drugs.iter().map(|(id, ..)| *id).collect(),
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

/// Whether customer type `id` exists and is active (`None`: no such type); locked
/// against archiving until the transaction ends.
pub fn type_is_active(conn: &mut PgConnection, type_id: i64) -> AppResult<Option<bool>> {
    Ok(customer_types::table
        .find(type_id)
        .select(customer_types::is_active)
        .for_share()
        .first::<bool>(conn)
        .optional()?)
}

/// Those of `drug_ids` that name no drug (each once).
pub fn missing_drugs(conn: &mut PgConnection, drug_ids: &[i64]) -> AppResult<Vec<i64>> {
    let found: std::collections::HashSet<i64> = drugs::table
        .filter(drugs::id.eq_any(drug_ids))
        .select(drugs::id)
        .load::<i64>(conn)?
        .into_iter()
        .collect();
    let mut missing: Vec<i64> = drug_ids
        .iter()
        .copied()
        .filter(|d| !found.contains(d))
        .collect();
    missing.sort_unstable();
    missing.dedup();
    Ok(missing)
}

/// Inserts a customer held by `sales_rep_id` and `cs_rep_id`.
pub fn insert(
    conn: &mut PgConnection,
    ctx: WriteCtx<'_>,
    fields: &CustomerFields,
    sales_rep_id: i64,
    cs_rep_id: i64,
) -> AppResult<Customer> {
    Ok(diesel::insert_into(customers::table)
        .values((
            fields,
            customers::sales_rep_id.eq(sales_rep_id),
            customers::cs_rep_id.eq(cs_rep_id),
            customers::created_by.eq(ctx.actor.user_id),
            customers::updated_by.eq(ctx.actor.user_id),
        ))
        .returning(Customer::as_returning())
        .get_result(conn)?)
}

/// Updates the (locked) customer's profile columns.
pub fn update_fields(
    conn: &mut PgConnection,
    ctx: WriteCtx<'_>,
    before: &Customer,
    fields: &CustomerFields,
) -> AppResult<Customer> {
    Ok(diesel::update(customers::table.find(before.id))
        .set((fields, crate::stamp!(customers, before, ctx)))
        .returning(Customer::as_returning())
        .get_result(conn)?)
}

/// Sets the (locked) customer's type.
pub fn set_type(
    conn: &mut PgConnection,
    ctx: WriteCtx<'_>,
    before: &Customer,
    type_id: i64,
) -> AppResult<Customer> {
    Ok(diesel::update(customers::table.find(before.id))
        .set((
            customers::type_id.eq(type_id),
            crate::stamp!(customers, before, ctx),
        ))
        .returning(Customer::as_returning())
        .get_result(conn)?)
}

/// Sets the (locked) customer's responsible reps.
pub fn set_reps(
    conn: &mut PgConnection,
    ctx: WriteCtx<'_>,
    before: &Customer,
    sales_rep_id: i64,
    cs_rep_id: i64,
) -> AppResult<Customer> {
    Ok(diesel::update(customers::table.find(before.id))
        .set((
            customers::sales_rep_id.eq(sales_rep_id),
            customers::cs_rep_id.eq(cs_rep_id),
            crate::stamp!(customers, before, ctx),
        ))
        .returning(Customer::as_returning())
        .get_result(conn)?)
}

/// Replaces the drug varieties the customer deals in.
pub fn set_drugs(conn: &mut PgConnection, customer_id: i64, drug_ids: &[i64]) -> AppResult<()> {
    diesel::delete(customer_drugs::table.filter(customer_drugs::customer_id.eq(customer_id)))
        .execute(conn)?;
    let mut drug_ids = drug_ids.to_vec();
    drug_ids.sort_unstable();
    drug_ids.dedup();
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

/// Records a type change in the customer's history.
pub fn record_type_change(
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

/// How an assignment came about (`customer_assignments.source`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AssignmentSource {
    /// With the customer's registration.
    Registered,
    /// By a manager (`AssignCustomer`).
    Assigned,
    /// In a handover of a leaver's customers (`HandoverCustomers`).
    Handover,
}

impl AssignmentSource {
    /// As stored and sent: "registered", "assigned", "handover".
    pub fn code(self) -> &'static str {
        match self {
            AssignmentSource::Registered => "registered",
            AssignmentSource::Assigned => "assigned",
            AssignmentSource::Handover => "handover",
        }
    }
}

/// Ends the current assignment of `role` (if any) and starts one for `user_id`, both at
/// the same instant: the wall clock now, not the start of the transaction (which may be
/// earlier than an assignment another transaction committed meanwhile).
pub fn assign_role(
    conn: &mut PgConnection,
    ctx: WriteCtx<'_>,
    customer_id: i64,
    (role, user_id): (&str, i64),
    source: AssignmentSource,
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
            customer_assignments::source.eq(source.code()),
        ))
        .execute(conn)?;
    Ok(())
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

/// One assignment, with the rep's name.
#[derive(Debug, Clone)]
pub struct Assignment {
    pub role: String,
    pub user_id: i64,
    pub user_name: String,
    pub effective_from: DateTime<Utc>,
    pub effective_to: Option<DateTime<Utc>>,
    /// Who assigned; empty when the system did (demo data).
    pub assigned_by: String,
    /// [`AssignmentSource::code`].
    pub source: String,
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
        assigned_by: Option<i64>,
        source: String,
    }
    let rows: Vec<Row> = customer_assignments::table
        .filter(customer_assignments::customer_id.eq(id))
        .order(customer_assignments::id.desc())
        .select((
            customer_assignments::role,
            customer_assignments::user_id,
            customer_assignments::effective_from,
            customer_assignments::effective_to,
            customer_assignments::assigned_by,
            customer_assignments::source,
        ))
        .load(conn)?;
    let user_ids: Vec<i64> = rows
        .iter()
        .flat_map(|r| [Some(r.user_id), r.assigned_by])
        .flatten()
        .collect();
    let names = display_names(conn, &user_ids)?;
    Ok(rows
        .into_iter()
        .map(|r| Assignment {
            role: r.role,
            user_name: names.get(&r.user_id).cloned().unwrap_or_default(),
            user_id: r.user_id,
            effective_from: r.effective_from,
            effective_to: r.effective_to,
            assigned_by: r
                .assigned_by
                .and_then(|by| names.get(&by).cloned())
                .unwrap_or_default(),
            source: r.source,
        })
        .collect())
}

/// A customer handed to someone, with the assignment that did it.
#[derive(Debug, Clone)]
pub struct Handed {
    pub customer_id: i64,
    pub customer_name: String,
    pub assignment: Assignment,
}

/// The customers handed to `user_id` by someone else since `since` and still theirs
/// (their current assignment, in either role), newest first, at most `limit`, and whether
/// there were more.
pub fn handed_to(
    conn: &mut PgConnection,
    user_id: i64,
    since: DateTime<Utc>,
    limit: i64,
) -> AppResult<(Vec<Handed>, bool)> {
    #[derive(Queryable)]
    struct Row {
        customer_id: i64,
        customer_name: String,
        role: String,
        effective_from: DateTime<Utc>,
        assigned_by: Option<i64>,
        source: String,
    }
    let mut rows: Vec<Row> = customer_assignments::table
        .inner_join(customers::table)
        .filter(customer_assignments::user_id.eq(user_id))
        .filter(customer_assignments::effective_to.is_null())
        .filter(customer_assignments::effective_from.ge(since))
        .filter(customer_assignments::assigned_by.ne(user_id))
        .filter(customers::is_active.eq(true))
        .order((
            customer_assignments::effective_from.desc(),
            customer_assignments::id.desc(),
        ))
        .limit(limit + 1)
        .select((
            customer_assignments::customer_id,
            customers::name,
            customer_assignments::role,
            customer_assignments::effective_from,
            customer_assignments::assigned_by,
            customer_assignments::source,
        ))
        .load(conn)?;
    let more = rows.len() as i64 > limit;
    rows.truncate(usize::try_from(limit).unwrap_or(0));
    let ids: Vec<i64> = rows
        .iter()
        .filter_map(|r| r.assigned_by)
        .chain([user_id])
        .collect();
    let names = display_names(conn, &ids)?;
    let name = |id: Option<i64>| id.and_then(|i| names.get(&i).cloned()).unwrap_or_default();
    Ok((
        rows.into_iter()
            .map(|r| Handed {
                customer_id: r.customer_id,
                customer_name: r.customer_name,
                assignment: Assignment {
                    role: r.role,
                    user_id,
                    user_name: name(Some(user_id)),
                    effective_from: r.effective_from,
                    effective_to: None,
                    assigned_by: name(r.assigned_by),
                    source: r.source,
                },
            })
            .collect(),
        more,
    ))
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
    pub status: StatusFilter,
}

/// One page of a search.
#[derive(Debug, Clone)]
pub struct Found {
    pub rows: Vec<CustomerView>,
    /// Matches in all: exact up to [`EXACT_COUNT_CAP`](crate::db::sql::EXACT_COUNT_CAP),
    /// an estimate past it.
    pub total: i64,
    pub total_is_exact: bool,
    /// Where the next page starts; `None` on the last page.
    pub next: Option<Cursor>,
}

/// A customer's `search_grams` ([`crate::search::grams`]): its name, contact person and
/// phone as typed, the phone's digits alone (`0731-28561000` is found by `073128561000`
/// and `2856 1000`, see [`query_sql`]). Every write of
/// those columns stores it; migration `2027-01-04-000002_phone_digits_search` added the
/// digits to the rows stored before.
pub fn search_grams(name: &str, contact_person: &str, phone: &str) -> Vec<String> {
    let digits = phone_digits(phone);
    search::grams(&[name, contact_person, phone, &digits])
}

/// The digits of a phone number, in order: `0731-28561000` → `073128561000`.
fn phone_digits(phone: &str) -> String {
    phone.chars().filter(char::is_ascii_digit).collect()
}

/// What a customer search for `typed` looks for: a phone number as people write one —
/// digits grouped by spaces, hyphens or dots, the area code in brackets, full-width, with
/// China's +86 (`139 0733 0001`, `(0731)2856-1000`, `１３９０７３３`, `+86 139 0733 0001`)
/// — as its digits alone (a mobile number without the country code), matched against
/// the phones' digits; anything else as typed.
fn search_text(typed: &str) -> String {
    let half = pharmacrm_shared::validation::half_width(typed);
    let half = half.trim();
    let phone_like = half.chars().any(|c| c.is_ascii_digit())
        && half
            .chars()
            .all(|c| c.is_ascii_digit() || matches!(c, ' ' | '-' | '.' | '(' | ')' | '+'));
    if !phone_like {
        return typed.to_owned();
    }
    let digits = phone_digits(half);
    match digits.strip_prefix("86") {
        // +86 before a mobile number's 11 digits.
        Some(mobile) if mobile.len() == 11 && mobile.starts_with('1') => mobile.to_owned(),
        _ => digits,
    }
}

/// The conditions (each starting " AND ") on customers aliased `alias` that `query`
/// finds, through the indexed grams (`search_grams`, `pinyin_grams`): name, contact
/// person, phone (as stored, or its digits alone for a query that looks like a phone
/// number), and the name's pinyin (full, initials, or the two mixed). `None` for a blank
/// query. The arrears list uses it too.
pub fn query_sql(query: &str, alias: &str) -> Option<Sql> {
    query_conditions(query, alias, true)
}

/// [`query_sql`], the grams' conditions left out when `with_grams` is false and the exact
/// test decides without them (the same rows, cheaper to check row by row: a page read by
/// walking the name index).
fn query_conditions(query: &str, alias: &str, with_grams: bool) -> Option<Sql> {
    let q = search::Query::new(&search_text(query))?;
    let mut sql = Sql::new("");
    if with_grams || q.exact_by_grams() {
        sql.append(&q.grams_sql(alias));
    }
    if !q.exact_by_grams() {
        // The query in the name, contact or phone (or the phone's digits), or pinyin of
        // the name.
        let texts = [
            format!("lower({alias}.name)"),
            format!("lower({alias}.contact_person)"),
            format!("{alias}.phone"),
            format!("regexp_replace({alias}.phone, '[^0-9]', '', 'g')"),
        ];
        sql.append(&q.exact_sql(alias, &texts.each_ref().map(String::as_str)));
    }
    Some(sql)
}

/// The WHERE conditions of a search (on `customers c`), the data scope included; without
/// the grams' conditions where the exact test decides alone when `with_grams` is false.
fn search_conditions(
    reps: &Reps,
    filter: &CustomerFilter,
    window: CertificateWindow,
    with_grams: bool,
) -> Sql {
    let mut sql = scope::customers_sql(reps, "c");
    sql.push(&filter.status.condition("c"));
    if let Some(query) = query_conditions(&filter.query, "c", with_grams) {
        sql.append(&query);
    }
    let mut equals = |column: &str, value: Value| {
        sql.push(&format!(" AND c.{column} = ")).bind(value);
    };
    if !filter.province_code.is_empty() {
        equals("province_code", Value::Text(filter.province_code.clone()));
    }
    if !filter.city_code.is_empty() {
        equals("city_code", Value::Text(filter.city_code.clone()));
    }
    if let Some(kind) = &filter.business_kind {
        equals("business_kind", Value::Text(kind.clone()));
    }
    if let Some(t) = filter.type_id {
        equals("type_id", Value::Int(t));
    }
    if let Some(r) = filter.sales_rep_id {
        equals("sales_rep_id", Value::Int(r));
    }
    if let Some(r) = filter.cs_rep_id {
        equals("cs_rep_id", Value::Int(r));
    }
    if let Some(hash) = &filter.id_number_hash {
        equals("id_number_hash", Value::Bytes(hash.clone()));
    }
    if filter.has_expiring_certificates {
        sql.push(
            " AND c.id IN (SELECT customer_id FROM customer_certificates \
             WHERE NOT is_deleted AND expires_on <= ",
        )
        .bind(Value::Date(window.last_flagged_day()))
        .push(" AND ")
        .push(super::customer_certificate::NOT_SUPERSEDED)
        .push(")");
    }
    sql
}

/// One page of the viewer's customers matching `filter`, by name in pinyin order: found
/// through the indexed grams (`search_grams`), counted exactly up to
/// [`EXACT_COUNT_CAP`](crate::db::sql::EXACT_COUNT_CAP), paged by keyset.
pub fn search(
    conn: &mut PgConnection,
    viewer: &Viewer,
    filter: &CustomerFilter,
    window: CertificateWindow,
    start: &PageStart,
    limit: i64,
) -> AppResult<Found> {
    let reps = viewer.reps(conn)?;
    let conditions = search_conditions(&reps, filter, window, true);
    // Walking the name index checks each row it passes: the exact test alone is cheaper
    // there than the grams (two arrays of hundreds of grams, decompressed row by row).
    let walk = search_conditions(&reps, filter, window, false);
    let name_order = KeyOrder {
        key: "pinyin_key(c.name) COLLATE \"zh-x-icu\"",
        key_type: KeyType::ChineseText,
        descending: false,
    };
    let (ids, next, counted) = keyset_page_ids(
        conn,
        "c.id",
        Matching {
            from: "FROM customers c WHERE ",
            conditions: &conditions,
            walk: Some(&walk),
        },
        name_order,
        start,
        limit,
    )?;
    let rows = customers::table
        .filter(customers::id.eq_any(&ids))
        .select(Customer::as_select())
        .load(conn)?;
    let rows = in_order_of(rows, &ids, |c| c.id);
    Ok(Found {
        rows: views(conn, rows, window)?,
        total: counted.total,
        total_is_exact: counted.exact,
        next,
    })
}

/// A possible duplicate: enough to ask the right rep, nothing more.
#[derive(Debug, Clone)]
pub struct Duplicate {
    /// The customer, when the viewer may open it.
    pub id: Option<i64>,
    /// Its name: empty outside the viewer's scope unless the name itself matched.
    pub name: String,
    /// Its region: empty outside the viewer's scope.
    pub region: String,
    /// Its sales rep, the person to talk to.
    pub sales_rep: String,
    pub same_name: bool,
    pub same_phone: bool,
    /// Archived (to restore rather than register again).
    pub archived: bool,
    /// The same customer as the one registered in the place given ([`registered_as`]'s
    /// rule): registering it is refused.
    pub same_customer: bool,
}

/// Customers with exactly this name or phone, whatever the scope (a deliberate exception:
/// it stops two reps registering the same customer); of those outside the viewer's scope
/// only the sales rep is told (and the name when it is the one typed). With `place`, the
/// (province, city) of the form being registered, each says whether it is the same
/// customer ([`Duplicate::same_customer`]).
pub fn find_duplicates(
    conn: &mut PgConnection,
    viewer: &Viewer,
    name: &str,
    phone: &str,
    place: Option<(&str, &str)>,
) -> AppResult<Vec<Duplicate>> {
    let name = name.trim();
    let phone = pharmacrm_shared::validation::normalise_phone(phone);
    let phone = phone.as_str();
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
    // The same name first: a phone many share (a chain's head office) would push the
    // same customer past the limit, and with it `same_customer`.
    let rows: Vec<Customer> = q
        .order((customers::name.eq(name.to_owned()).desc(), customers::id))
        .limit(20)
        .select(Customer::as_select())
        .load(conn)?;
    let reps = viewer.reps(conn)?;
    let rep_ids: Vec<i64> = rows.iter().map(|c| c.sales_rep_id).collect();
    let names = display_names(conn, &rep_ids)?;
    Ok(rows
        .into_iter()
        .map(|c| {
            let visible = reps.covers(c.sales_rep_id, c.cs_rep_id);
            let same_name = c.name.trim() == name;
            let same_customer = place.is_some_and(|(province, city)| {
                same_name
                    && c.is_active
                    && c.province_code == province
                    && (c.city_code == city || c.city_code.is_empty() || city.is_empty())
            });
            Duplicate {
                same_customer,
                id: visible.then_some(c.id),
                region: if visible {
                    region_name(&c.province_code, &c.city_code)
                } else {
                    String::new()
                },
                sales_rep: names.get(&c.sales_rep_id).cloned().unwrap_or_default(),
                same_phone: !phone.is_empty() && c.phone == phone,
                // Said of a customer the caller sees only (the exception stays narrow).
                archived: visible && !c.is_active,
                name: if visible || same_name {
                    c.name
                } else {
                    String::new()
                },
                same_name,
            }
        })
        .collect())
}

/// A customer registered before under the name being registered ([`registered_as`]).
pub struct Registered {
    /// Its sales rep's display name.
    pub sales_rep: String,
    /// Both name the same city (not: one of them gives none).
    pub same_city: bool,
}

/// The active customer other than `except` named exactly `name` in province
/// `province_code` that is the same customer as one in city `city_code`, whatever the
/// scope, if there is one: the same customer registered before. One name in one city is
/// one customer; without a city (optional, a municipality's district) it is one in its
/// whole province, so a customer without a city clashes with the name in any city of the
/// province and the other way round (two reps on one hospital, one record left without
/// its district). The one of the same city first.
pub fn registered_as(
    conn: &mut PgConnection,
    name: &str,
    (province_code, city_code): (&str, &str),
    except: Option<i64>,
) -> AppResult<Option<Registered>> {
    let mut q = customers::table
        .filter(customers::name.eq(name.trim().to_owned()))
        .filter(customers::province_code.eq(province_code.to_owned()))
        .filter(customers::is_active.eq(true))
        .into_boxed();
    if !city_code.is_empty() {
        q = q.filter(
            customers::city_code
                .eq(city_code.to_owned())
                .or(customers::city_code.eq("")),
        );
    }
    if let Some(id) = except {
        q = q.filter(customers::id.ne(id));
    }
    let found: Option<(i64, String)> = q
        .order((customers::city_code.eq("").asc(), customers::id))
        .select((customers::sales_rep_id, customers::city_code))
        .first(conn)
        .optional()?;
    let Some((rep, city)) = found else {
        return Ok(None);
    };
    Ok(Some(Registered {
        sales_rep: display_names(conn, &[rep])?
            .remove(&rep)
            .unwrap_or_default(),
        same_city: !city_code.is_empty() && city == city_code,
    }))
}

/// Fills the search columns of rows marked by a migration (`pinyin_sets` empty: written
/// before the columns existed, or before their form changed), 500 rows a transaction;
/// returns how many rows it filled.
pub fn backfill_search(conn: &mut PgConnection) -> AppResult<usize> {
    crate::db::in_steps(conn, |conn| {
        let rows: Vec<(i64, String, String, String)> = customers::table
            .filter(customers::pinyin_sets.eq(""))
            .select((
                customers::id,
                customers::name,
                customers::contact_person,
                customers::phone,
            ))
            .limit(500)
            .load(conn)?;
        for (id, name, contact, phone) in &rows {
            diesel::update(customers::table.find(id))
                .set((
                    customers::search_grams.eq(search_grams(name, contact, phone)),
                    customers::pinyin_sets.eq(search::sets_text(&[name])),
                    customers::pinyin_grams.eq(search::pinyin_grams(&[name])),
                ))
                .execute(conn)?;
        }
        Ok(rows.len())
    })
}

/// Whom to call at each of `ids` (a recall's calls): customer id → (contact person,
/// phone), as stored. The caller has the customers in scope already (their shipments).
pub fn contacts(conn: &mut PgConnection, ids: &[i64]) -> AppResult<HashMap<i64, (String, String)>> {
    Ok(customers::table
        .filter(customers::id.eq_any(ids))
        .select((customers::id, customers::contact_person, customers::phone))
        .load::<(i64, String, String)>(conn)?
        .into_iter()
        .map(|(id, contact, phone)| (id, (contact, phone)))
        .collect())
}

/// How many customers (archived ones too) `user_id` is the sales or CS rep of.
pub fn held_by(conn: &mut PgConnection, user_id: i64) -> AppResult<i64> {
    Ok(held_by_each(conn, &[user_id])?
        .get(&user_id)
        .copied()
        .unwrap_or(0))
}

/// [`held_by`] for each of `user_ids` holding any: user id → customers (archived ones
/// too) they are the sales or CS rep of, one query.
pub fn held_by_each(conn: &mut PgConnection, user_ids: &[i64]) -> AppResult<HashMap<i64, i64>> {
    #[derive(QueryableByName)]
    struct Held {
        #[diesel(sql_type = diesel::sql_types::BigInt)]
        user_id: i64,
        #[diesel(sql_type = diesel::sql_types::BigInt)]
        customers: i64,
    }
    // A customer whose two reps are one person counts once.
    let rows: Vec<Held> = diesel::sql_query(
        "SELECT u.id AS user_id, count(*) AS customers \
         FROM unnest($1::bigint[]) AS u(id) \
         JOIN customers c ON c.sales_rep_id = u.id OR c.cs_rep_id = u.id \
         GROUP BY u.id",
    )
    .bind::<diesel::sql_types::Array<diesel::sql_types::BigInt>, _>(user_ids)
    .load(conn)?;
    Ok(rows.into_iter().map(|h| (h.user_id, h.customers)).collect())
}

/// One person a rep picker offers.
#[derive(Debug, Clone, QueryableByName)]
pub struct Rep {
    #[diesel(sql_type = diesel::sql_types::BigInt)]
    pub id: i64,
    #[diesel(sql_type = diesel::sql_types::Text)]
    pub name: String,
    #[diesel(sql_type = diesel::sql_types::Text)]
    pub department: String,
    /// Disabled: listed for past documents or a handover, never named on a new one.
    #[diesel(sql_type = diesel::sql_types::Bool)]
    pub inactive: bool,
}

/// Active people who hold `needs` (the sales or CS role), with their department, by name:
/// service accounts and holders of the built-in administrator position are left out
/// (an administrator holds every permission, but is nobody's rep).
pub fn reps(conn: &mut PgConnection, needs: Permission) -> AppResult<Vec<Rep>> {
    let mut sql = Sql::new(
        "SELECT u.id, u.display_name AS name, COALESCE(d.name, '') AS department,
                FALSE AS inactive
           FROM users u LEFT JOIN departments d ON d.id = u.department_id
          WHERE ",
    );
    sql.append(&holds_role_sql(needs))
        .push(" ORDER BY person_key(u.display_name) COLLATE \"zh-x-icu\", u.id");
    Ok(sql.query().load(conn)?)
}

/// Whether user `user_id` may take the rep's role that `needs` grants, as [`reps`] lists
/// them: an active person holding it through an active position, not the administrator.
pub fn holds_role(conn: &mut PgConnection, user_id: i64, needs: Permission) -> AppResult<bool> {
    #[derive(QueryableByName)]
    struct Holds {
        #[diesel(sql_type = diesel::sql_types::Bool)]
        holds: bool,
    }
    let mut sql = Sql::new("SELECT EXISTS (SELECT 1 FROM users u WHERE u.id = ");
    sql.bind(Value::Int(user_id))
        .push(" AND ")
        .append(&holds_role_sql(needs))
        .push(") AS holds");
    let row: Holds = sql.query().get_result(conn)?;
    Ok(row.holds)
}

/// `u` (a user row) is at work and may take the rep's role `needs` grants, as a condition
/// in SQL text: an active person (no service account) holding the permission through an
/// active position, not the administrator. The rep pickers, the rep check and the
/// performance report's ranking (where a rep who sold nothing still has a row) share it.
pub fn holds_role_sql(needs: Permission) -> Sql {
    let mut sql = Sql::new(
        "(u.is_active AND NOT u.is_service_account
          AND EXISTS (SELECT 1 FROM user_positions up
                        JOIN positions p ON p.id = up.position_id AND p.is_active
                        JOIN position_permissions pp ON pp.position_id = p.id
                       WHERE up.user_id = u.id AND pp.permission = ",
    );
    sql.bind(Value::Text(needs.code().to_owned())).push(
        ")
          AND NOT EXISTS (SELECT 1 FROM user_positions up
                            JOIN positions p ON p.id = up.position_id AND p.is_builtin
                           WHERE up.user_id = u.id))",
    );
    sql
}

/// Everyone who is or ever was a customer's rep in `role` (code "sales" or "cs", holding
/// `needs`): those at work first, then those who left (`inactive`), each by name in pinyin
/// order — the order list's filters, where a departed rep's orders are still found.
pub fn reps_ever(conn: &mut PgConnection, role: &str, needs: Permission) -> AppResult<Vec<Rep>> {
    let mut sql = Sql::new(
        "SELECT u.id, u.display_name AS name, COALESCE(d.name, '') AS department,
                NOT u.is_active AS inactive
           FROM users u LEFT JOIN departments d ON d.id = u.department_id
          WHERE ",
    );
    sql.append(&holds_role_sql(needs))
        .push(" OR u.id IN (SELECT ca.user_id FROM customer_assignments ca WHERE ca.role = ")
        .bind(Value::Text(role.to_owned()))
        .push(
            ")
          ORDER BY NOT u.is_active, person_key(u.display_name) COLLATE \"zh-x-icu\", u.id",
        );
    Ok(sql.query().load(conn)?)
}

/// How many customers within the viewer's scope `user_id` is still responsible for.
pub fn held_within(conn: &mut PgConnection, viewer: &Viewer, user_id: i64) -> AppResult<i64> {
    let reps = viewer.reps(conn)?;
    Ok(customers::table
        .filter(scope::customers_of(&reps))
        .filter(
            customers::sales_rep_id
                .eq(user_id)
                .or(customers::cs_rep_id.eq(user_id)),
        )
        .count()
        .get_result(conn)?)
}

/// People who are responsible for at least one customer the viewer sees (for the
/// handover screen: they may no longer hold a rep's position), with their department, by
/// name in pinyin order as [`reps`].
pub fn holders(conn: &mut PgConnection, viewer: &Viewer) -> AppResult<Vec<Rep>> {
    let reps = viewer.reps(conn)?;
    let mut sql = Sql::new(
        "SELECT u.id, u.display_name AS name, COALESCE(d.name, '') AS department,
                NOT u.is_active AS inactive
           FROM users u LEFT JOIN departments d ON d.id = u.department_id
          WHERE u.id IN (SELECT cu.sales_rep_id FROM customers cu WHERE ",
    );
    sql.append(&scope::customers_sql(&reps, "cu"))
        .push(" UNION SELECT cu.cs_rep_id FROM customers cu WHERE ")
        .append(&scope::customers_sql(&reps, "cu"))
        .push(") ORDER BY person_key(u.display_name) COLLATE \"zh-x-icu\", u.id");
    Ok(sql.query().load(conn)?)
}

/// Everyone who may be or may have been a 经手人 (a payment's collector, a document's
/// credited rep): every user but service accounts and, at work, those who hold only the
/// built-in administrator position (it keeps the system, it collects nothing: as
/// [`super::user::holds_working_position`], which RecordPayment checks), with their
/// department, those at work first, each part by name in pinyin order as [`reps`] (spec:
/// "Handler (经手人)").
pub fn handlers(conn: &mut PgConnection) -> AppResult<Vec<Rep>> {
    Ok(diesel::sql_query(
        "SELECT u.id, u.display_name AS name, COALESCE(d.name, '') AS department,
                NOT u.is_active AS inactive
           FROM users u LEFT JOIN departments d ON d.id = u.department_id
          WHERE NOT u.is_service_account
            AND (NOT u.is_active OR EXISTS (
                    SELECT 1 FROM user_positions up JOIN positions p ON p.id = up.position_id
                     WHERE up.user_id = u.id AND NOT p.is_builtin))
          ORDER BY NOT u.is_active, person_key(u.display_name) COLLATE \"zh-x-icu\", u.id",
    )
    .load(conn)?)
}
