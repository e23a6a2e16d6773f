//! `drugs`: the catalogue. The search columns (texts and pinyin) are computed here on
//! every write; a drug that anything refers to can only be archived (the foreign keys of
//! later tables refuse the delete, and the refusal becomes a sentence).

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use pharmacrm_shared::money::Decimal;
use serde::Serialize;

use super::container_unit::{self, ContainerUnit};
use super::{WriteCtx, drug_category, unique_violation};
use crate::db::schema::{container_units, drug_categories, drugs};
use crate::db::sql::{
    Cursor, KeyOrder, KeyType, Matching, PageStart, Sql, Value, in_order_of, keyset_page_ids,
};
use crate::db::versioned::{self, StatusFilter};
use crate::error::{AppError, AppResult, FieldError, Msg};
use crate::messages::{Counted, per_lang};
use crate::msg;
use crate::search;

/// A drug row.
#[derive(Queryable, Selectable, Serialize, Debug, Clone)]
#[diesel(table_name = drugs)]
pub struct Drug {
    pub id: i64,
    pub name: String,
    pub trade_name: String,
    pub specification: String,
    pub dosage_form: String,
    pub manufacturer: String,
    pub approval_number: String,
    pub category_id: i64,
    pub unit_id: i64,
    pub purchase_price: Decimal,
    pub sale_price: Decimal,
    pub note: String,
    pub is_active: bool,
    pub version: i32,
    pub created_at: DateTime<Utc>,
    pub created_by: Option<i64>,
    pub updated_at: DateTime<Utc>,
    pub updated_by: Option<i64>,
    /// The readings each character of the names may have ([`crate::search::sets_text`]).
    pub pinyin_sets: String,
}

/// A drug with the names the screens show.
#[derive(Debug, Clone)]
pub struct DrugView {
    pub drug: Drug,
    pub category_path: String,
    pub origin: String,
    pub unit_label: String,
    pub created_by_name: String,
    pub updated_by_name: String,
}

/// A drug's fields, validated (the pinyin key is computed from them).
#[derive(Insertable, AsChangeset, Queryable, Debug, Clone, PartialEq)]
#[diesel(table_name = drugs)]
pub struct DrugInput {
    pub name: String,
    pub trade_name: String,
    pub specification: String,
    pub dosage_form: String,
    pub manufacturer: String,
    pub approval_number: String,
    pub category_id: i64,
    pub unit_id: i64,
    pub purchase_price: Decimal,
    pub sale_price: Decimal,
    pub note: String,
}

/// Something allowed but worth a second look.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Warning {
    pub field: &'static str,
    pub msg: Msg,
}

/// Sort keys.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum DrugSort {
    #[default]
    Name,
    Specification,
    Category,
    Unit,
    PurchasePrice,
    SalePrice,
    Status,
    UpdatedAt,
}

/// A drug search.
#[derive(Debug, Clone, Default)]
pub struct DrugFilter {
    pub query: String,
    pub category_id: Option<i64>,
    pub status: StatusFilter,
    pub sort: DrugSort,
    pub descending: bool,
}

fn not_found() -> AppError {
    AppError::not_found(msg!("drug.not_found"))
}

fn duplicate(err: diesel::result::Error, input: &DrugInput) -> AppError {
    unique_violation(
        err,
        "drugs_identity",
        "name",
        msg!(
            "drug.already_in_catalogue",
            name = input.name,
            specification = input.specification,
            manufacturer = input.manufacturer
        ),
    )
}

/// The warnings of a valid input.
pub fn warnings(input: &DrugInput) -> Vec<Warning> {
    let mut out = Vec::new();
    if input.sale_price < input.purchase_price {
        out.push(Warning {
            field: "sale_price",
            msg: msg!(
                "drug.sale_below_purchase",
                sale = input.sale_price,
                purchase = input.purchase_price
            ),
        });
    }
    out
}

/// The warnings of drugs just saved, `(id, input)` each, in that order: [`warnings`], and
/// the other drugs sharing each one's approval number (批准文号), the first three named: it
/// names one licensed product of one manufacturer, so another drug with it is most likely
/// the same one keyed twice, or a number mistyped. Said, not refused: the same product
/// may be listed in two packs. One query for them all (an import's thousands of rows).
pub fn warnings_saved(
    conn: &mut PgConnection,
    saved: &[(i64, &DrugInput)],
) -> AppResult<Vec<Vec<Warning>>> {
    let numbers: Vec<&str> = saved
        .iter()
        .map(|(_, input)| input.approval_number.trim())
        .filter(|n| !n.is_empty())
        .collect();
    let holders: Vec<(i64, String, String, String, String)> = if numbers.is_empty() {
        Vec::new()
    } else {
        drugs::table
            .filter(drugs::approval_number.eq_any(&numbers))
            .order(drugs::id)
            .select((
                drugs::id,
                drugs::approval_number,
                drugs::name,
                drugs::specification,
                drugs::manufacturer,
            ))
            .load(conn)?
    };
    Ok(saved
        .iter()
        .map(|(id, input)| {
            let mut out = warnings(input);
            let number = input.approval_number.trim();
            let named: Vec<String> = holders
                .iter()
                .filter(|(other, held, ..)| !number.is_empty() && held == number && other != id)
                .take(3)
                .map(|(_, _, name, spec, maker)| format!("{name} {spec}（{maker}）"))
                .collect();
            if !named.is_empty() {
                out.push(Warning {
                    field: "approval_number",
                    msg: msg!(
                        "drug.approval_number_shared",
                        number = number,
                        others = named.join("、")
                    ),
                });
            }
            out
        })
        .collect())
}

/// [`warnings_saved`] of drug `id`, saved from `input`.
fn warnings_saving(conn: &mut PgConnection, input: &DrugInput, id: i64) -> AppResult<Vec<Warning>> {
    Ok(warnings_saved(conn, &[(id, input)])?
        .pop()
        .unwrap_or_default())
}

/// One page of a drug search.
#[derive(Debug, Clone)]
pub struct Found {
    pub rows: Vec<DrugView>,
    /// Matches in all: exact up to [`EXACT_COUNT_CAP`](crate::db::sql::EXACT_COUNT_CAP),
    /// an estimate past it.
    pub total: i64,
    pub total_is_exact: bool,
    /// Where the next page starts; `None` on the last page.
    pub next: Option<Cursor>,
}

impl DrugSort {
    /// The SQL sort expression (on `drugs d`, `drug_categories cat`, `container_units u`)
    /// and its type.
    fn expression(self) -> (&'static str, KeyType) {
        match self {
            DrugSort::Name => (
                "pinyin_key(d.name) COLLATE \"zh-x-icu\"",
                KeyType::ChineseText,
            ),
            DrugSort::Specification => {
                ("d.specification COLLATE \"zh-x-icu\"", KeyType::ChineseText)
            }
            DrugSort::Category => (
                "pinyin_key(cat.name) COLLATE \"zh-x-icu\"",
                KeyType::ChineseText,
            ),
            DrugSort::Unit => (
                "pinyin_key(u.name) COLLATE \"zh-x-icu\"",
                KeyType::ChineseText,
            ),
            DrugSort::PurchasePrice => ("d.purchase_price", KeyType::Numeric),
            DrugSort::SalePrice => ("d.sale_price", KeyType::Numeric),
            // Active first, newest change first, unless reversed.
            DrugSort::Status => ("(NOT d.is_active)", KeyType::Boolean),
            DrugSort::UpdatedAt => ("(-extract(epoch FROM d.updated_at))", KeyType::Numeric),
        }
    }
}

/// One page of drugs matching `filter`: found through the indexed grams, counted exactly
/// up to [`EXACT_COUNT_CAP`](crate::db::sql::EXACT_COUNT_CAP), sorted by `filter.sort` and
/// paged by keyset.
pub fn search(
    conn: &mut PgConnection,
    filter: &DrugFilter,
    start: &PageStart,
    limit: i64,
) -> AppResult<Found> {
    let mut conditions = Sql::new("TRUE");
    conditions.push(&filter.status.condition("d"));
    if let Some(q) = search::Query::new(&filter.query) {
        conditions.append(&q.grams_sql("d"));
        if !q.exact_by_grams() {
            conditions.append(&q.exact_sql(
                "d",
                &[
                    "lower(d.name)",
                    "lower(d.trade_name)",
                    "lower(d.specification)",
                    "lower(d.approval_number)",
                    "lower(d.manufacturer)",
                ],
            ));
        }
    }
    if let Some(id) = filter.category_id {
        let subtree = drug_category::subtree_ids(conn, id)?;
        conditions
            .push(" AND d.category_id = ANY(")
            .bind(Value::IntArray(subtree))
            .push(")");
    }
    let (key, key_type) = filter.sort.expression();
    let order = KeyOrder {
        key,
        key_type,
        descending: filter.descending,
    };
    let (ids, next, counted) = keyset_page_ids(
        conn,
        "d.id",
        Matching {
            from: "FROM drugs d JOIN drug_categories cat ON cat.id = d.category_id \
                   JOIN container_units u ON u.id = d.unit_id WHERE ",
            conditions: &conditions,
            walk: None,
        },
        order,
        start,
        limit,
    )?;
    let rows = drugs::table
        .filter(drugs::id.eq_any(&ids))
        .select(Drug::as_select())
        .load(conn)?;
    let rows = in_order_of(rows, &ids, |d| d.id);
    Ok(Found {
        rows: views(conn, rows)?,
        total: counted.total,
        total_is_exact: counted.exact,
        next,
    })
}

/// Fills the search columns of rows marked by a migration (`pinyin_sets` empty: written
/// before the columns existed, or before their form changed), 500 rows a transaction;
/// returns how many rows it filled.
pub fn backfill_search(conn: &mut PgConnection) -> AppResult<usize> {
    crate::db::in_steps(conn, |conn| {
        let rows: Vec<(i64, DrugInput)> = drugs::table
            .filter(drugs::pinyin_sets.eq(""))
            .select((
                drugs::id,
                (
                    drugs::name,
                    drugs::trade_name,
                    drugs::specification,
                    drugs::dosage_form,
                    drugs::manufacturer,
                    drugs::approval_number,
                    drugs::category_id,
                    drugs::unit_id,
                    drugs::purchase_price,
                    drugs::sale_price,
                    drugs::note,
                ),
            ))
            .limit(500)
            .load(conn)?;
        for (id, input) in &rows {
            diesel::update(drugs::table.find(id))
                .set((
                    drugs::search_grams.eq(search_grams(input)),
                    drugs::pinyin_sets.eq(pinyin_sets(input)),
                    drugs::pinyin_grams.eq(pinyin_grams(input)),
                ))
                .execute(conn)?;
        }
        Ok(rows.len())
    })
}

/// Share-locks categories and units (in id order) for a bulk insert.
pub fn lock_references(
    conn: &mut PgConnection,
    category_ids: &[i64],
    unit_ids: &[i64],
) -> AppResult<()> {
    drug_categories::table
        .filter(drug_categories::id.eq_any(category_ids))
        .order(drug_categories::id)
        .select(drug_categories::id)
        .for_share()
        .load::<i64>(conn)?;
    container_units::table
        .filter(container_units::id.eq_any(unit_ids))
        .order(container_units::id)
        .select(container_units::id)
        .for_share()
        .load::<i64>(conn)?;
    Ok(())
}

/// (name, specification, manufacturer) of every drug: what makes a drug a duplicate.
pub fn identities(conn: &mut PgConnection) -> AppResult<Vec<(String, String, String)>> {
    Ok(drugs::table
        .select((drugs::name, drugs::specification, drugs::manufacturer))
        .load(conn)?)
}

/// A drug as sheets and title blocks name it: "阿莫西林胶囊 0.25g×24粒", the name alone
/// without a specification (as the client's `drug_label`).
pub fn label(name: &str, specification: &str) -> String {
    if specification.is_empty() {
        name.to_owned()
    } else {
        format!("{name} {specification}")
    }
}

/// Drug `id`'s [`label`], archived or not; NOT_FOUND when there is no such drug.
pub fn label_of(conn: &mut PgConnection, id: i64) -> AppResult<String> {
    let (name, specification): (String, String) = drugs::table
        .find(id)
        .select((drugs::name, drugs::specification))
        .first(conn)
        .optional()?
        .ok_or_else(not_found)?;
    Ok(label(&name, &specification))
}

/// One drug.
pub fn get(conn: &mut PgConnection, id: i64) -> AppResult<DrugView> {
    let row = drugs::table
        .find(id)
        .select(Drug::as_select())
        .first(conn)
        .optional()?
        .ok_or_else(not_found)?;
    Ok(views(conn, vec![row])?.remove(0))
}

crate::archivable!(Drug, drugs, "drug", not_found);

fn views(conn: &mut PgConnection, rows: Vec<Drug>) -> AppResult<Vec<DrugView>> {
    let paths = drug_category::paths(conn)?;
    let unit_ids: Vec<i64> = rows.iter().map(|d| d.unit_id).collect();
    let units: HashMap<i64, ContainerUnit> = container_unit::by_ids(conn, &unit_ids)?;
    let user_ids: Vec<i64> = rows
        .iter()
        .flat_map(|d| [d.created_by, d.updated_by])
        .flatten()
        .collect();
    let names = super::display_names(conn, &user_ids)?;
    let name = |id: Option<i64>| {
        id.and_then(|id| names.get(&id).cloned())
            .unwrap_or_default()
    };
    Ok(rows
        .into_iter()
        .map(|d| {
            let (category_path, origin) = paths.get(&d.category_id).cloned().unwrap_or_default();
            DrugView {
                category_path,
                origin,
                unit_label: units
                    .get(&d.unit_id)
                    .map(ContainerUnit::label)
                    .unwrap_or_default(),
                created_by_name: name(d.created_by),
                updated_by_name: name(d.updated_by),
                drug: d,
            }
        })
        .collect())
}

/// The category must exist; the unit must exist and be active (an archived unit may only
/// stay on a drug that already has it). Read with share locks.
fn check_references(
    conn: &mut PgConnection,
    input: &DrugInput,
    current_unit: Option<i64>,
) -> AppResult<()> {
    let mut errors = Vec::new();
    let category = drug_categories::table
        .find(input.category_id)
        .select(drug_categories::id)
        .for_share()
        .first::<i64>(conn)
        .optional()?;
    if category.is_none() {
        errors.push(FieldError {
            field: "category_id".into(),
            msg: msg!("drug.category_missing"),
        });
    }
    let unit_active = container_units::table
        .find(input.unit_id)
        .select(container_units::is_active)
        .for_share()
        .first::<bool>(conn)
        .optional()?;
    match unit_active {
        None => errors.push(FieldError {
            field: "unit_id".into(),
            msg: msg!("drug.unit_missing"),
        }),
        Some(false) if current_unit != Some(input.unit_id) => errors.push(FieldError {
            field: "unit_id".into(),
            msg: msg!("drug.unit_archived"),
        }),
        Some(_) => {}
    }
    if errors.is_empty() {
        Ok(())
    } else {
        Err(AppError::InvalidArgument(errors))
    }
}

/// The indexed grams of a drug's texts (its names' pinyin: [`pinyin_grams`]).
fn search_grams(input: &DrugInput) -> Vec<String> {
    search::grams(&[
        &input.name,
        &input.trade_name,
        &input.specification,
        &input.approval_number,
        &input.manufacturer,
    ])
}

/// The readings each character of a drug's names may have ([`search::sets_text`]).
fn pinyin_sets(input: &DrugInput) -> String {
    search::sets_text(&[&input.name, &input.trade_name])
}

/// The indexed grams of a drug's names' pinyin ([`search::pinyin_grams`]).
fn pinyin_grams(input: &DrugInput) -> Vec<String> {
    search::pinyin_grams(&[&input.name, &input.trade_name])
}

/// Adds a drug; returns it with its warnings.
pub fn create(
    conn: &mut PgConnection,
    ctx: WriteCtx<'_>,
    input: &DrugInput,
) -> AppResult<(DrugView, Vec<Warning>)> {
    let row = insert(conn, ctx, input)?;
    let warnings = warnings_saving(conn, input, row.id)?;
    Ok((get(conn, row.id)?, warnings))
}

/// Adds a drug without building its view (the bulk import).
pub fn insert(conn: &mut PgConnection, ctx: WriteCtx<'_>, input: &DrugInput) -> AppResult<Drug> {
    check_references(conn, input, None)?;
    let row: Drug = diesel::insert_into(drugs::table)
        .values((
            input,
            drugs::search_grams.eq(search_grams(input)),
            drugs::pinyin_sets.eq(pinyin_sets(input)),
            drugs::pinyin_grams.eq(pinyin_grams(input)),
            drugs::created_by.eq(ctx.actor.user_id),
            drugs::updated_by.eq(ctx.actor.user_id),
        ))
        .returning(Drug::as_returning())
        .get_result(conn)
        .map_err(|e| duplicate(e, input))?;
    versioned::audit_created(conn, ctx, &row)?;
    Ok(row)
}

/// Changes a drug; returns it with its warnings. With `keep_purchase_price` the stored
/// purchase price stays whatever the input says (the editor may not see cost).
///
/// Errors: FAILED_PRECONDITION on `unit_id` for another container unit while an order
/// still to ship has the drug (its quantities are counted in the present unit; naming
/// the oldest three); INVALID_ARGUMENT for a category or unit not found, an archived unit;
/// ALREADY_EXISTS for a duplicate; ABORTED for a stale version.
pub fn update(
    conn: &mut PgConnection,
    ctx: WriteCtx<'_>,
    id: i64,
    version: i32,
    input: &DrugInput,
    keep_purchase_price: bool,
) -> AppResult<(DrugView, Vec<Warning>)> {
    let mut input = input.clone();
    let input = &mut input;
    versioned::edit(conn, ctx, id, version, "update", |conn, before: &Drug| {
        if keep_purchase_price {
            input.purchase_price = before.purchase_price;
        }
        let input = &*input;
        check_references(conn, input, Some(before.unit_id))?;
        if input.unit_id != before.unit_id {
            // An order still to ship counts this drug in the old unit: a change of it
            // would re-count those quantities (3 箱 become 3 盒 at the 箱's price).
            let (count, numbers) = super::order::to_ship_with_drug(conn, id, 3)?;
            if count > 0 {
                let msg = msg!(
                    "drug.unit_on_orders_to_ship",
                    name = before.name.clone(),
                    orders = Counted(count, "order", "orders"),
                    numbers = per_lang(numbers.join(", "), numbers.join("、")),
                );
                return Err(AppError::precondition(msg).at("unit_id"));
            }
        }
        diesel::update(drugs::table.find(id))
            .set((
                input,
                drugs::search_grams.eq(search_grams(input)),
                drugs::pinyin_sets.eq(pinyin_sets(input)),
                drugs::pinyin_grams.eq(pinyin_grams(input)),
                crate::stamp!(drugs, before, ctx),
            ))
            .returning(Drug::as_returning())
            .get_result(conn)
            .map_err(|e| duplicate(e, input))
    })?;
    let warnings = warnings_saving(conn, input, id)?;
    Ok((get(conn, id)?, warnings))
}

/// Archives or restores a drug.
pub fn set_active(
    conn: &mut PgConnection,
    ctx: WriteCtx<'_>,
    id: i64,
    version: i32,
    is_active: bool,
) -> AppResult<DrugView> {
    versioned::set_active::<Drug>(conn, ctx, id, version, is_active)?;
    get(conn, id)
}

/// Deletes a drug nothing refers to; one that history refers to must be archived.
pub fn delete(conn: &mut PgConnection, ctx: WriteCtx<'_>, id: i64, version: i32) -> AppResult<()> {
    let before: Drug = versioned::lock_fresh(conn, id, version)?;
    diesel::delete(drugs::table.find(id))
        .execute(conn)
        .map_err(|e| match e {
            diesel::result::Error::DatabaseError(
                diesel::result::DatabaseErrorKind::ForeignKeyViolation,
                _,
            ) => AppError::precondition(msg!("drug.in_use", name = before.name)),
            other => other.into(),
        })?;
    versioned::audit(conn, ctx, "delete", Some(&before), None)
}
