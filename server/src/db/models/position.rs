//! `positions` and `position_permissions`: user groups with their permissions and data
//! scope.

use std::collections::{BTreeSet, HashMap};

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use pharmacrm_shared::{DataScope, Permission};
use serde::Serialize;

use super::{Grants, WriteCtx, unique_violation};
use crate::db::schema::{position_permissions, positions, user_positions, users};
use crate::db::versioned;
use crate::error::{AppError, AppResult};
use crate::messages::Counted;
use crate::msg;

/// A position row.
#[derive(Queryable, Selectable, Serialize, Debug, Clone)]
#[diesel(table_name = positions)]
pub struct Position {
    pub id: i64,
    pub name: String,
    pub description: String,
    pub data_scope: String,
    pub is_builtin: bool,
    pub is_active: bool,
    pub version: i32,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub updated_by: Option<i64>,
}

/// A position with its permissions (what the audit log records) and counts.
#[derive(Serialize, Debug, Clone)]
pub struct PositionView {
    #[serde(flatten)]
    pub position: Position,
    pub permissions: Vec<String>,
    #[serde(skip)]
    pub active_user_count: i64,
    #[serde(skip)]
    pub updated_by_name: String,
}

#[derive(Insertable)]
#[diesel(table_name = positions)]
struct NewPosition<'a> {
    name: &'a str,
    description: &'a str,
    data_scope: &'a str,
    is_builtin: bool,
    updated_by: Option<i64>,
}

/// A new or changed position, validated.
#[derive(Debug, Clone)]
pub struct PositionInput {
    pub name: String,
    pub description: String,
    pub permissions: BTreeSet<Permission>,
    pub data_scope: DataScope,
}

impl PositionView {
    /// What holding this position grants now.
    pub fn grants(&self) -> Grants {
        Grants::of(
            self.permissions
                .iter()
                .filter_map(|code| Permission::from_code(code)),
            DataScope::from_code(&self.position.data_scope).unwrap_or(DataScope::Own),
        )
    }
}

impl PositionInput {
    /// What holding this position grants.
    pub fn grants(&self) -> Grants {
        Grants::of(self.permissions.iter().copied(), self.data_scope)
    }
}

const UNIQUE_NAME: &str = "positions_name";

fn not_found() -> AppError {
    AppError::not_found(msg!("position.not_found"))
}

fn name_taken(err: diesel::result::Error, name: &str) -> AppError {
    unique_violation(
        err,
        UNIQUE_NAME,
        "name",
        msg!("position.name_taken", name = name),
    )
}

/// All positions, in the pinyin order of their names (客服, 系统管理员, 营销经理, 营销员,
/// 财务 in code-point order read as no order at all; the user form's picker sorts so).
pub fn list(conn: &mut PgConnection, include_archived: bool) -> AppResult<Vec<PositionView>> {
    let mut q = positions::table.into_boxed();
    if !include_archived {
        q = q.filter(positions::is_active.eq(true));
    }
    let rows = q
        .order(diesel::dsl::sql::<diesel::sql_types::Text>(
            "pinyin_key(name) COLLATE \"zh-x-icu\"",
        ))
        .then_order_by(positions::id)
        .select(Position::as_select())
        .load(conn)?;
    views(conn, rows)
}

/// One position.
pub fn get(conn: &mut PgConnection, id: i64) -> AppResult<PositionView> {
    let row = positions::table
        .find(id)
        .select(Position::as_select())
        .first(conn)
        .optional()?
        .ok_or_else(not_found)?;
    Ok(views(conn, vec![row])?.remove(0))
}

crate::versioned!(view PositionView { position }, positions, "position", not_found, get);

fn views(conn: &mut PgConnection, rows: Vec<Position>) -> AppResult<Vec<PositionView>> {
    let ids: Vec<i64> = rows.iter().map(|p| p.id).collect();
    let mut permissions: HashMap<i64, Vec<String>> = HashMap::new();
    for (id, code) in position_permissions::table
        .filter(position_permissions::position_id.eq_any(&ids))
        .order(position_permissions::permission)
        .select((
            position_permissions::position_id,
            position_permissions::permission,
        ))
        .load::<(i64, String)>(conn)?
    {
        permissions.entry(id).or_default().push(code);
    }
    let counts: HashMap<i64, i64> = user_positions::table
        .inner_join(users::table)
        .filter(user_positions::position_id.eq_any(&ids))
        .filter(users::is_active.eq(true))
        .group_by(user_positions::position_id)
        .select((user_positions::position_id, diesel::dsl::count_star()))
        .load::<(i64, i64)>(conn)?
        .into_iter()
        .collect();
    let updater_ids: Vec<i64> = rows.iter().filter_map(|p| p.updated_by).collect();
    let names = super::display_names(conn, &updater_ids)?;
    Ok(rows
        .into_iter()
        .map(|p| PositionView {
            permissions: permissions.remove(&p.id).unwrap_or_default(),
            active_user_count: counts.get(&p.id).copied().unwrap_or(0),
            updated_by_name: p
                .updated_by
                .and_then(|id| names.get(&id).cloned())
                .unwrap_or_default(),
            position: p,
        })
        .collect())
}

fn set_permissions(
    conn: &mut PgConnection,
    id: i64,
    permissions: &BTreeSet<Permission>,
) -> AppResult<()> {
    diesel::delete(position_permissions::table.filter(position_permissions::position_id.eq(id)))
        .execute(conn)?;
    let rows: Vec<_> = permissions
        .iter()
        .map(|p| {
            (
                position_permissions::position_id.eq(id),
                position_permissions::permission.eq(p.code()),
            )
        })
        .collect();
    diesel::insert_into(position_permissions::table)
        .values(&rows)
        .execute(conn)?;
    Ok(())
}

/// Adds a position; `is_builtin` only for the seeded administrator position.
pub fn create(
    conn: &mut PgConnection,
    ctx: WriteCtx<'_>,
    input: &PositionInput,
    is_builtin: bool,
) -> AppResult<PositionView> {
    ctx.grants
        .require_covers(&input.grants(), msg!("position.this"))?;
    let row: Position = diesel::insert_into(positions::table)
        .values(NewPosition {
            name: &input.name,
            description: &input.description,
            data_scope: input.data_scope.code(),
            is_builtin,
            updated_by: ctx.actor.user_id,
        })
        .returning(Position::as_returning())
        .get_result(conn)
        .map_err(|e| name_taken(e, &input.name))?;
    set_permissions(conn, row.id, &input.permissions)?;
    let view = get(conn, row.id)?;
    versioned::audit_created(conn, ctx, &view)?;
    Ok(view)
}

fn all_permissions() -> BTreeSet<Permission> {
    Permission::ALL.iter().copied().collect()
}

/// Changes a position. Errors: PERMISSION_DENIED when the position, as it is or as it
/// would be, grants more than the caller holds ([`Grants::require_covers`]).
pub fn update(
    conn: &mut PgConnection,
    ctx: WriteCtx<'_>,
    id: i64,
    version: i32,
    input: &PositionInput,
) -> AppResult<PositionView> {
    let before: PositionView = versioned::lock_fresh(conn, id, version)?;
    let p = &before.position;
    // Nobody changes a position that grants more than they hold (cutting it down would
    // take powers from its holders that the editor could not give back), nor makes one.
    ctx.grants
        .require_covers(&before.grants(), msg!("position.this"))?;
    ctx.grants
        .require_covers(&input.grants(), msg!("position.this"))?;
    if p.is_builtin
        && (input.permissions != all_permissions() || input.data_scope != DataScope::All)
    {
        return Err(AppError::precondition(msg!(
            "position.builtin_holds_all",
            name = p.name
        )));
    }
    diesel::update(positions::table.find(id))
        .set((
            positions::name.eq(&input.name),
            positions::description.eq(&input.description),
            positions::data_scope.eq(input.data_scope.code()),
            crate::stamp!(positions, before, ctx),
        ))
        .execute(conn)
        .map_err(|e| name_taken(e, &input.name))?;
    set_permissions(conn, id, &input.permissions)?;
    let after = get(conn, id)?;
    versioned::audit(conn, ctx, "update", Some(&before), Some(&after))?;
    Ok(after)
}

/// Archives a position no active user holds, and that grants no more than the caller holds.
pub fn archive(
    conn: &mut PgConnection,
    ctx: WriteCtx<'_>,
    id: i64,
    version: i32,
) -> AppResult<PositionView> {
    let before: PositionView = versioned::lock_fresh(conn, id, version)?;
    let p = &before.position;
    ctx.grants
        .require_covers(&before.grants(), msg!("position.this"))?;
    if p.is_builtin {
        return Err(AppError::precondition(msg!(
            "position.builtin_archive",
            name = p.name
        )));
    }
    if !p.is_active {
        return Ok(before);
    }
    if before.active_user_count > 0 {
        return Err(AppError::precondition(msg!(
            "position.still_held",
            count = Counted(before.active_user_count, "active user", "active users"),
            name = p.name
        )));
    }
    // Disabled users keep no archived position: re-enabling them must not bring it back.
    diesel::delete(user_positions::table.filter(user_positions::position_id.eq(id)))
        .execute(conn)?;
    diesel::update(positions::table.find(id))
        .set((
            positions::is_active.eq(false),
            crate::stamp!(positions, before, ctx),
        ))
        .execute(conn)?;
    let after = get(conn, id)?;
    versioned::audit(conn, ctx, "archive", Some(&before), Some(&after))?;
    Ok(after)
}

/// Restores archived position `id` (read at `version`) with the permissions it had; its
/// former holders do not hold it again. Audited as `position.restore`; an active one is
/// returned as it is.
///
/// Errors: NOT_FOUND; ABORTED on a stale version; PERMISSION_DENIED when it grants more
/// than the caller holds; ALREADY_EXISTS naming `name` when an active position has its
/// name.
pub fn restore(
    conn: &mut PgConnection,
    ctx: WriteCtx<'_>,
    id: i64,
    version: i32,
) -> AppResult<PositionView> {
    let before: PositionView = versioned::lock_fresh(conn, id, version)?;
    ctx.grants
        .require_covers(&before.grants(), msg!("position.this"))?;
    if before.position.is_active {
        return Ok(before);
    }
    diesel::update(positions::table.find(id))
        .set((
            positions::is_active.eq(true),
            crate::stamp!(positions, before, ctx),
        ))
        .execute(conn)
        .map_err(|e| name_taken(e, &before.position.name))?;
    let after = get(conn, id)?;
    versioned::audit(conn, ctx, "restore", Some(&before), Some(&after))?;
    Ok(after)
}

/// Gives the built-in administrator position every permission of the catalogue,
/// including codes added by a newer release. Returns whether anything changed.
pub fn sync_builtin(conn: &mut PgConnection) -> AppResult<bool> {
    let ids: Vec<i64> = positions::table
        .filter(positions::is_builtin.eq(true))
        .select(positions::id)
        .load(conn)?;
    let mut changed = false;
    for id in ids {
        for p in Permission::ALL {
            changed |= diesel::insert_into(position_permissions::table)
                .values((
                    position_permissions::position_id.eq(id),
                    position_permissions::permission.eq(p.code()),
                ))
                .on_conflict_do_nothing()
                .execute(conn)?
                > 0;
        }
    }
    Ok(changed)
}

/// What a user's active positions grant: their permissions, each with the widest scope
/// it comes with.
pub fn grants(conn: &mut PgConnection, user_id: i64) -> AppResult<Grants> {
    let position_ids: Vec<i64> = user_positions::table
        .filter(user_positions::user_id.eq(user_id))
        .select(user_positions::position_id)
        .load(conn)?;
    positions_grants(conn, &position_ids)
}

/// What holding all of `position_ids` grants (archived positions grant nothing).
pub fn positions_grants(conn: &mut PgConnection, position_ids: &[i64]) -> AppResult<Grants> {
    let held: Vec<(String, Option<String>)> = positions::table
        .left_join(
            position_permissions::table.on(position_permissions::position_id.eq(positions::id)),
        )
        .filter(positions::id.eq_any(position_ids))
        .filter(positions::is_active.eq(true))
        .select((
            positions::data_scope,
            position_permissions::permission.nullable(),
        ))
        .load(conn)?;
    let mut grants = Grants::default();
    for (data_scope, code) in held {
        // Codes a newer release removed are ignored rather than refused.
        if let Some(p) = code.as_deref().and_then(Permission::from_code) {
            grants.add(
                p,
                DataScope::from_code(&data_scope).unwrap_or(DataScope::Own),
            );
        }
    }
    Ok(grants)
}

/// Makes sure at least one active person still holds the built-in administrator
/// position, so nobody can lock the organisation out of its own system. Takes the
/// built-in position's row lock first, so concurrent changes are judged one at a time.
pub fn lock_builtin(conn: &mut PgConnection) -> AppResult<()> {
    positions::table
        .filter(positions::is_builtin.eq(true))
        .select(positions::id)
        .for_update()
        .load::<i64>(conn)?;
    Ok(())
}

/// After [`lock_builtin`] and a change: refuses when no active person holds the
/// built-in position any more.
pub fn require_an_administrator(conn: &mut PgConnection) -> AppResult<()> {
    let admins: i64 = user_positions::table
        .inner_join(positions::table)
        .inner_join(users::table)
        .filter(positions::is_builtin.eq(true))
        .filter(positions::is_active.eq(true))
        .filter(users::is_active.eq(true))
        .filter(users::is_service_account.eq(false))
        .count()
        .get_result(conn)?;
    if admins == 0 {
        return Err(AppError::precondition(msg!("position.last_administrator")));
    }
    Ok(())
}
