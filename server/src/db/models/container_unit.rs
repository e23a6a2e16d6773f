//! `container_units`: 盒, 瓶, 支… with their capacity (瓶 100 ml, 盒 24 粒).

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use pharmacrm_shared::money::{Decimal, capacity_to_wire, unit_label};
use serde::Serialize;

use super::{WriteCtx, unique_violation};
use crate::db::schema::{container_units, drugs};
use crate::db::versioned;
use crate::error::{AppError, AppResult, Msg};
use crate::messages::Counted;
use crate::msg;

/// A unit row.
#[derive(Queryable, Selectable, Serialize, Debug, Clone)]
#[diesel(table_name = container_units)]
pub struct ContainerUnit {
    pub id: i64,
    pub name: String,
    pub capacity: Decimal,
    pub capacity_unit: String,
    pub note: String,
    pub is_active: bool,
    pub version: i32,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub updated_by: Option<i64>,
}

impl ContainerUnit {
    /// How it is shown: 盒（24粒）.
    pub fn label(&self) -> String {
        unit_label(
            &self.name,
            &capacity_to_wire(&self.capacity),
            &self.capacity_unit,
        )
    }
}

/// A unit with its use count.
#[derive(Debug, Clone)]
pub struct UnitView {
    pub unit: ContainerUnit,
    pub drug_count: i64,
    pub updated_by_name: String,
}

/// A unit's fields, validated.
#[derive(Insertable, AsChangeset, Debug, Clone)]
#[diesel(table_name = container_units)]
pub struct UnitInput {
    pub name: String,
    pub capacity: Decimal,
    pub capacity_unit: String,
    pub note: String,
}

fn not_found() -> AppError {
    AppError::not_found(msg!("unit.not_found"))
}

fn taken(err: diesel::result::Error, input: &UnitInput) -> AppError {
    let label = unit_label(
        &input.name,
        &capacity_to_wire(&input.capacity),
        &input.capacity_unit,
    );
    unique_violation(
        err,
        "container_units_identity",
        "name",
        msg!("unit.taken", label = label),
    )
}

/// All units (active only unless `include_archived`), by name.
pub fn list(conn: &mut PgConnection, include_archived: bool) -> AppResult<Vec<UnitView>> {
    let mut q = container_units::table.into_boxed();
    if !include_archived {
        q = q.filter(container_units::is_active.eq(true));
    }
    let rows = q
        .order((
            container_units::name,
            container_units::capacity,
            container_units::id,
        ))
        .select(ContainerUnit::as_select())
        .load(conn)?;
    views(conn, rows)
}

/// Units by id (for labels).
pub fn by_ids(conn: &mut PgConnection, ids: &[i64]) -> AppResult<HashMap<i64, ContainerUnit>> {
    Ok(container_units::table
        .filter(container_units::id.eq_any(ids))
        .select(ContainerUnit::as_select())
        .load::<ContainerUnit>(conn)?
        .into_iter()
        .map(|u| (u.id, u))
        .collect())
}

fn get(conn: &mut PgConnection, id: i64) -> AppResult<UnitView> {
    let row = container_units::table
        .find(id)
        .select(ContainerUnit::as_select())
        .first(conn)
        .optional()?
        .ok_or_else(not_found)?;
    Ok(views(conn, vec![row])?.remove(0))
}

crate::archivable!(ContainerUnit, container_units, "container_unit", not_found);

crate::edited_by_fields!(ContainerUnit, container_units, UnitInput, taken);

fn views(conn: &mut PgConnection, rows: Vec<ContainerUnit>) -> AppResult<Vec<UnitView>> {
    let ids: Vec<i64> = rows.iter().map(|u| u.id).collect();
    let counts: HashMap<i64, i64> = drugs::table
        .filter(drugs::unit_id.eq_any(&ids))
        .group_by(drugs::unit_id)
        .select((drugs::unit_id, diesel::dsl::count_star()))
        .load::<(i64, i64)>(conn)?
        .into_iter()
        .collect();
    let updater_ids: Vec<i64> = rows.iter().filter_map(|u| u.updated_by).collect();
    let names = super::display_names(conn, &updater_ids)?;
    Ok(rows
        .into_iter()
        .map(|u| UnitView {
            drug_count: counts.get(&u.id).copied().unwrap_or(0),
            updated_by_name: u
                .updated_by
                .and_then(|id| names.get(&id).cloned())
                .unwrap_or_default(),
            unit: u,
        })
        .collect())
}

/// Adds a unit.
pub fn create(
    conn: &mut PgConnection,
    ctx: WriteCtx<'_>,
    input: &UnitInput,
) -> AppResult<UnitView> {
    let row = insert_fields(conn, ctx, input)?;
    get(conn, row.id)
}

/// Changes a unit. FAILED_PRECONDITION on `capacity` when drugs use it and its capacity
/// or capacity unit would change: it is the pack those drugs are sold in (a 盒 of 24 粒
/// would become one of 20 under every drug's 0.25g×24粒); a new unit is made for the new
/// pack, and the drugs moved to it one by one. Its name and note may change.
pub fn update(
    conn: &mut PgConnection,
    ctx: WriteCtx<'_>,
    id: i64,
    version: i32,
    input: &UnitInput,
) -> AppResult<UnitView> {
    let before: ContainerUnit = versioned::lock_fresh(conn, id, version)?;
    if before.capacity != input.capacity || before.capacity_unit != input.capacity_unit {
        require_unused(conn, &before, |label, count| {
            msg!("unit.capacity_in_use", label = label, count = count)
        })
        .map_err(|e| e.at("capacity"))?;
    }
    update_fields(conn, ctx, id, version, input)?;
    get(conn, id)
}

/// Archives or restores a unit.
pub fn set_active(
    conn: &mut PgConnection,
    ctx: WriteCtx<'_>,
    id: i64,
    version: i32,
    is_active: bool,
) -> AppResult<UnitView> {
    versioned::set_active::<ContainerUnit>(conn, ctx, id, version, is_active)?;
    get(conn, id)
}

/// Deletes a unit no drug uses.
pub fn delete(conn: &mut PgConnection, ctx: WriteCtx<'_>, id: i64, version: i32) -> AppResult<()> {
    let before: ContainerUnit = versioned::lock_fresh(conn, id, version)?;
    require_unused(conn, &before, |label, count| {
        msg!("unit.in_use", label = label, count = count)
    })?;
    diesel::delete(container_units::table.find(id)).execute(conn)?;
    versioned::audit(conn, ctx, "delete", Some(&before), None)
}

/// Refuses with FAILED_PRECONDITION when any drug uses `unit`, saying `refusal` of the
/// unit's label and how many drugs (`unit.in_use`, `unit.capacity_in_use`).
fn require_unused(
    conn: &mut PgConnection,
    unit: &ContainerUnit,
    refusal: impl FnOnce(String, Counted) -> Msg,
) -> AppResult<()> {
    let used: i64 = drugs::table
        .filter(drugs::unit_id.eq(unit.id))
        .count()
        .get_result(conn)?;
    if used == 0 {
        return Ok(());
    }
    Err(AppError::precondition(refusal(
        unit.label(),
        Counted(used, "drug", "drugs"),
    )))
}
