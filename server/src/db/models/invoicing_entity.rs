//! `invoicing_entities`: the company's own invoicing entities (开票单位), a small dictionary
//! kept by administrators. Orders and shipments name one; an entity is archived, never
//! deleted.

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use serde::Serialize;

use super::{WriteCtx, unique_violation};
use crate::db::schema::invoicing_entities;
use crate::error::{AppError, AppResult};
use crate::msg;

/// An invoicing entity row.
#[derive(Queryable, Selectable, Serialize, Debug, Clone)]
#[diesel(table_name = invoicing_entities)]
pub struct InvoicingEntity {
    pub id: i64,
    pub name: String,
    pub tax_number: String,
    pub note: String,
    pub sort_order: i32,
    pub is_active: bool,
    pub version: i32,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub updated_by: Option<i64>,
}

fn not_found() -> AppError {
    AppError::not_found(msg!("invoicing_entity.not_found"))
}

fn taken(err: diesel::result::Error, name: &str) -> AppError {
    unique_violation(
        err,
        "invoicing_entities_name",
        "name",
        msg!("invoicing_entity.taken", name = name),
    )
}

crate::archivable!(
    InvoicingEntity,
    invoicing_entities,
    "invoicing_entity",
    not_found
);

/// An entity's editable fields, validated.
#[derive(Insertable, AsChangeset, Debug, Clone)]
#[diesel(table_name = invoicing_entities)]
pub struct InvoicingEntityFields {
    pub name: String,
    pub tax_number: String,
    pub note: String,
    pub sort_order: i32,
}

/// The entities by sort order, then name; archived ones only when asked.
pub fn list(conn: &mut PgConnection, include_archived: bool) -> AppResult<Vec<InvoicingEntity>> {
    let mut q = invoicing_entities::table.into_boxed();
    if !include_archived {
        q = q.filter(invoicing_entities::is_active.eq(true));
    }
    Ok(q.order((
        invoicing_entities::sort_order,
        invoicing_entities::name,
        invoicing_entities::id,
    ))
    .select(InvoicingEntity::as_select())
    .load(conn)?)
}

/// One entity; NOT_FOUND when there is none.
pub fn get(conn: &mut PgConnection, id: i64) -> AppResult<InvoicingEntity> {
    invoicing_entities::table
        .find(id)
        .select(InvoicingEntity::as_select())
        .first(conn)
        .optional()?
        .ok_or_else(not_found)
}

/// The names of `ids`.
pub fn names(
    conn: &mut PgConnection,
    ids: &[i64],
) -> AppResult<std::collections::HashMap<i64, String>> {
    Ok(invoicing_entities::table
        .filter(invoicing_entities::id.eq_any(ids))
        .select((invoicing_entities::id, invoicing_entities::name))
        .load::<(i64, String)>(conn)?
        .into_iter()
        .collect())
}

crate::edited_by_fields!(
    InvoicingEntity,
    invoicing_entities,
    InvoicingEntityFields,
    |e, f| taken(e, &f.name)
);

/// One legal entity has one tax number (统一社会信用代码, GB 32100-2015): another entity,
/// archived or not, already holding `fields.tax_number` is ALREADY_EXISTS on `tax_number`,
/// naming it (restore it rather than enter it twice). An empty number is not compared.
fn require_own_tax_number(
    conn: &mut PgConnection,
    fields: &InvoicingEntityFields,
    except: Option<i64>,
) -> AppResult<()> {
    if fields.tax_number.is_empty() {
        return Ok(());
    }
    let mut q = invoicing_entities::table
        .filter(invoicing_entities::tax_number.eq(&fields.tax_number))
        .into_boxed();
    if let Some(id) = except {
        q = q.filter(invoicing_entities::id.ne(id));
    }
    let Some((name, active)) = q
        .select((invoicing_entities::name, invoicing_entities::is_active))
        .first::<(String, bool)>(conn)
        .optional()?
    else {
        return Ok(());
    };
    let number = fields.tax_number.clone();
    let msg = if active {
        msg!(
            "invoicing_entity.tax_number_taken",
            number = number,
            name = name
        )
    } else {
        msg!(
            "invoicing_entity.tax_number_archived",
            number = number,
            name = name
        )
    };
    Err(AppError::AlreadyExists {
        field: "tax_number".into(),
        msg,
    })
}

/// Archiving entity `id` leaves another active one: every order is placed under an active
/// entity, so archiving the last would stop all orders. FAILED_PRECONDITION otherwise.
/// The active ones are locked in id order (no two archivers wait on each other crosswise),
/// so two archiving the last two at once are judged in turn.
pub fn require_another_active(conn: &mut PgConnection, id: i64) -> AppResult<()> {
    let active: Vec<i64> = invoicing_entities::table
        .filter(invoicing_entities::is_active.eq(true))
        .order(invoicing_entities::id)
        .select(invoicing_entities::id)
        .for_update()
        .load(conn)?;
    if active.iter().any(|&other| other != id) {
        Ok(())
    } else {
        Err(AppError::precondition(msg!("invoicing_entity.last_active")))
    }
}

/// Adds an entity; ALREADY_EXISTS on `name` when the name is taken, on `tax_number`
/// when another entity has that number.
pub fn create(
    conn: &mut PgConnection,
    ctx: WriteCtx<'_>,
    fields: &InvoicingEntityFields,
) -> AppResult<InvoicingEntity> {
    require_own_tax_number(conn, fields, None)?;
    insert_fields(conn, ctx, fields)
}

/// Changes an entity under optimistic locking; ALREADY_EXISTS as [`create`].
pub fn update(
    conn: &mut PgConnection,
    ctx: WriteCtx<'_>,
    id: i64,
    version: i32,
    fields: &InvoicingEntityFields,
) -> AppResult<InvoicingEntity> {
    require_own_tax_number(conn, fields, Some(id))?;
    update_fields(conn, ctx, id, version, fields)
}
