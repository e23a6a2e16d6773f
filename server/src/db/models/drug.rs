//! `drugs`: the catalogue. Pinyin initials are computed here on every write; a drug that
//! anything refers to can only be archived (the foreign keys of later tables refuse the
//! delete, and the refusal becomes a sentence).

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use pharmacrm_shared::money::Decimal;
use serde::Serialize;

use super::container_unit::{self, ContainerUnit};
use super::{WriteCtx, contains_pattern, drug_category, unique_violation};
use crate::db::schema::{container_units, drug_categories, drugs};
use crate::db::versioned;
use crate::error::{AppError, AppResult, FieldError, Msg};
use crate::msg;
use crate::pinyin;

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
    pub pinyin_initials: String,
    pub note: String,
    pub is_active: bool,
    pub version: i32,
    pub created_at: DateTime<Utc>,
    pub created_by: Option<i64>,
    pub updated_at: DateTime<Utc>,
    pub updated_by: Option<i64>,
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
#[derive(Insertable, AsChangeset, Debug, Clone, PartialEq)]
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

/// Which drugs by status.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum StatusFilter {
    #[default]
    Active,
    Archived,
    All,
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

/// One page of drugs matching `filter`, with the total count.
pub fn search(
    conn: &mut PgConnection,
    filter: &DrugFilter,
    offset: i64,
    limit: i64,
) -> AppResult<(Vec<DrugView>, i64)> {
    let subtree = match filter.category_id {
        Some(id) => Some(drug_category::subtree_ids(conn, id)?),
        None => None,
    };
    let query = || {
        let mut q = drugs::table
            .inner_join(drug_categories::table)
            .inner_join(container_units::table)
            .into_boxed();
        match filter.status {
            StatusFilter::Active => q = q.filter(drugs::is_active.eq(true)),
            StatusFilter::Archived => q = q.filter(drugs::is_active.eq(false)),
            StatusFilter::All => {}
        }
        let text = filter.query.trim();
        if !text.is_empty() {
            let p = contains_pattern(text);
            q = q.filter(
                drugs::name
                    .ilike(p.clone())
                    .or(drugs::trade_name.ilike(p.clone()))
                    .or(drugs::pinyin_initials.ilike(p.clone()))
                    .or(drugs::specification.ilike(p.clone()))
                    .or(drugs::approval_number.ilike(p.clone()))
                    .or(drugs::manufacturer.ilike(p)),
            );
        }
        if let Some(ids) = &subtree {
            q = q.filter(drugs::category_id.eq_any(ids.clone()));
        }
        q
    };
    let total: i64 = query().count().get_result(conn)?;
    use diesel::dsl::sql;
    use diesel::sql_types::Text;
    let dir = if filter.descending { "DESC" } else { "ASC" };
    // Chinese text sorts by pinyin through PostgreSQL's ICU collation.
    let order = match filter.sort {
        DrugSort::Name => format!("drugs.name COLLATE \"zh-x-icu\" {dir}"),
        DrugSort::Specification => format!("drugs.specification COLLATE \"zh-x-icu\" {dir}"),
        DrugSort::Category => format!("drug_categories.name COLLATE \"zh-x-icu\" {dir}"),
        DrugSort::Unit => format!("container_units.name COLLATE \"zh-x-icu\" {dir}"),
        DrugSort::PurchasePrice => format!("drugs.purchase_price {dir}"),
        DrugSort::SalePrice => format!("drugs.sale_price {dir}"),
        DrugSort::Status => format!(
            "drugs.is_active {}",
            if filter.descending { "ASC" } else { "DESC" }
        ),
        DrugSort::UpdatedAt => format!(
            "drugs.updated_at {}",
            if filter.descending { "ASC" } else { "DESC" }
        ),
    };
    let rows: Vec<Drug> = query()
        .order((sql::<Text>(&order), drugs::id.asc()))
        .offset(offset)
        .limit(limit)
        .select(Drug::as_select())
        .load(conn)?;
    Ok((views(conn, rows)?, total))
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
            field: "category_id",
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
            field: "unit_id",
            msg: msg!("drug.unit_missing"),
        }),
        Some(false) if current_unit != Some(input.unit_id) => errors.push(FieldError {
            field: "unit_id",
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

fn search_key(input: &DrugInput) -> String {
    pinyin::search_key(&[&input.name, &input.trade_name])
}

/// Adds a drug; returns it with its warnings.
pub fn create(
    conn: &mut PgConnection,
    ctx: WriteCtx<'_>,
    input: &DrugInput,
) -> AppResult<(DrugView, Vec<Warning>)> {
    let row = insert(conn, ctx, input)?;
    Ok((get(conn, row.id)?, warnings(input)))
}

/// Adds a drug without building its view (the bulk import).
pub fn insert(conn: &mut PgConnection, ctx: WriteCtx<'_>, input: &DrugInput) -> AppResult<Drug> {
    check_references(conn, input, None)?;
    let row: Drug = diesel::insert_into(drugs::table)
        .values((
            input,
            drugs::pinyin_initials.eq(search_key(input)),
            drugs::created_by.eq(ctx.actor.user_id),
            drugs::updated_by.eq(ctx.actor.user_id),
        ))
        .returning(Drug::as_returning())
        .get_result(conn)
        .map_err(|e| duplicate(e, input))?;
    versioned::audit_created(conn, ctx, &row)?;
    Ok(row)
}

/// Changes a drug; returns it with its warnings.
pub fn update(
    conn: &mut PgConnection,
    ctx: WriteCtx<'_>,
    id: i64,
    version: i32,
    input: &DrugInput,
) -> AppResult<(DrugView, Vec<Warning>)> {
    versioned::edit(conn, ctx, id, version, "update", |conn, before: &Drug| {
        check_references(conn, input, Some(before.unit_id))?;
        diesel::update(drugs::table.find(id))
            .set((
                input,
                drugs::pinyin_initials.eq(search_key(input)),
                crate::stamp!(drugs, before, ctx),
            ))
            .returning(Drug::as_returning())
            .get_result(conn)
            .map_err(|e| duplicate(e, input))
    })?;
    Ok((get(conn, id)?, warnings(input)))
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
