//! `users` and `user_positions`: people and service accounts.

use std::collections::{BTreeSet, HashMap, HashSet};

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use serde::Serialize;

use super::{WriteCtx, contains_pattern, position, session, unique_violation};
use crate::db::schema::{departments, positions, user_positions, users};
use crate::db::versioned::{self, Versioned};
use crate::error::{AppError, AppResult};
use crate::messages::Counted;
use crate::msg;

/// A user row. The password hash never leaves this module's callers and never reaches
/// the audit log.
#[derive(Queryable, Selectable, Serialize, Debug, Clone)]
#[diesel(table_name = users)]
pub struct User {
    pub id: i64,
    pub username: String,
    pub display_name: String,
    pub department_id: Option<i64>,
    pub phone: String,
    #[serde(skip)]
    pub password_hash: Option<String>,
    pub is_service_account: bool,
    pub is_active: bool,
    pub version: i32,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub updated_by: Option<i64>,
    /// Their password was set by an administrator (a new account's, a reset): they change
    /// it at the next login before anything else ([`crate::auth`]).
    pub must_change_password: bool,
}

/// A user with their positions and the names the admin console shows.
#[derive(Serialize, Debug, Clone)]
pub struct UserView {
    #[serde(flatten)]
    pub user: User,
    /// (id, name) of each position held, by name.
    pub positions: Vec<(i64, String)>,
    #[serde(skip)]
    pub department_name: String,
    #[serde(skip)]
    pub updated_by_name: String,
    /// How many customers (archived ones too) the user is the sales or CS rep of.
    #[serde(skip)]
    pub customers_held: i64,
}

#[derive(Insertable)]
#[diesel(table_name = users)]
struct NewUser<'a> {
    username: &'a str,
    display_name: &'a str,
    department_id: Option<i64>,
    phone: &'a str,
    password_hash: Option<&'a str>,
    is_service_account: bool,
    updated_by: Option<i64>,
    must_change_password: bool,
}

/// A new user's fields, validated (username already lower-cased).
#[derive(Debug, Clone)]
pub struct NewUserInput {
    pub username: String,
    pub profile: UserProfile,
}

/// The editable fields of a user, validated.
#[derive(Debug, Clone)]
pub struct UserProfile {
    pub display_name: String,
    pub department_id: Option<i64>,
    pub phone: String,
    pub position_ids: Vec<i64>,
}

/// How to sort a user list.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum UserSort {
    #[default]
    Username,
    DisplayName,
    Department,
    CreatedAt,
}

/// A user search.
#[derive(Debug, Clone, Default)]
pub struct UserFilter {
    pub query: String,
    pub department_id: Option<i64>,
    pub position_id: Option<i64>,
    pub include_inactive: bool,
    pub sort: UserSort,
    pub descending: bool,
}

const UNIQUE_USERNAME: &str = "users_username";

fn not_found() -> AppError {
    AppError::not_found(msg!("user.not_found"))
}

/// One page of users matching `filter`, with the total count.
pub fn search(
    conn: &mut PgConnection,
    filter: &UserFilter,
    offset: i64,
    limit: i64,
) -> AppResult<(Vec<UserView>, i64)> {
    let query = || {
        let mut q = users::table
            .left_join(departments::table.on(users::department_id.eq(departments::id.nullable())))
            .into_boxed();
        if !filter.include_inactive {
            q = q.filter(users::is_active.eq(true));
        }
        let text = filter.query.trim();
        if !text.is_empty() {
            let pattern = contains_pattern(text);
            q = q.filter(
                users::username
                    .ilike(pattern.clone())
                    .or(users::display_name.ilike(pattern.clone()))
                    .or(users::phone.ilike(pattern)),
            );
        }
        if let Some(department_id) = filter.department_id {
            q = q.filter(users::department_id.eq(department_id));
        }
        if let Some(position_id) = filter.position_id {
            q = q.filter(
                users::id.eq_any(
                    user_positions::table
                        .filter(user_positions::position_id.eq(position_id))
                        .select(user_positions::user_id),
                ),
            );
        }
        q
    };
    let total: i64 = query().count().get_result(conn)?;
    use diesel::dsl::sql;
    use diesel::sql_types::Text;
    let dir = if filter.descending { "DESC" } else { "ASC" };
    // Chinese names sort by pinyin through PostgreSQL's ICU collation.
    let order = match filter.sort {
        UserSort::Username => format!("users.username {dir}"),
        UserSort::DisplayName => {
            format!("person_key(users.display_name) COLLATE \"zh-x-icu\" {dir}")
        }
        UserSort::Department => {
            format!("pinyin_key(departments.name) COLLATE \"zh-x-icu\" {dir} NULLS LAST")
        }
        UserSort::CreatedAt => format!(
            "users.created_at {}",
            if filter.descending { "ASC" } else { "DESC" }
        ),
    };
    let rows: Vec<User> = query()
        .order((sql::<Text>(&order), users::id.asc()))
        .offset(offset)
        .limit(limit)
        .select(User::as_select())
        .load(conn)?;
    Ok((views(conn, rows)?, total))
}

/// One user.
pub fn get(conn: &mut PgConnection, id: i64) -> AppResult<UserView> {
    let row = users::table
        .find(id)
        .select(User::as_select())
        .first(conn)
        .optional()?
        .ok_or_else(not_found)?;
    Ok(views(conn, vec![row])?.remove(0))
}

/// The user with this (lower-case) username.
pub fn find_by_username(conn: &mut PgConnection, username: &str) -> AppResult<Option<User>> {
    Ok(users::table
        .filter(users::username.eq(username))
        .select(User::as_select())
        .first(conn)
        .optional()?)
}

/// (is active, is a service account) of user `id`, share-locked so they cannot be
/// disabled until the transaction ends; `None` when there is no such user.
pub fn person_status(conn: &mut PgConnection, id: i64) -> AppResult<Option<(bool, bool)>> {
    Ok(users::table
        .find(id)
        .select((users::is_active, users::is_service_account))
        .for_share()
        .first::<(bool, bool)>(conn)
        .optional()?)
}

/// The user's row, locked for the rest of the transaction (login concludes under it).
pub fn lock_row(conn: &mut PgConnection, id: i64) -> AppResult<Option<User>> {
    Ok(users::table
        .find(id)
        .select(User::as_select())
        .for_update()
        .first(conn)
        .optional()?)
}

/// Whether user `id` holds a position that works (not only the built-in administrator
/// position, which keeps the system and collects nothing): who may be a 经手人
/// ([`super::customer::handlers`] lists them).
pub fn holds_working_position(conn: &mut PgConnection, id: i64) -> AppResult<bool> {
    Ok(diesel::select(diesel::dsl::exists(
        user_positions::table
            .inner_join(positions::table)
            .filter(user_positions::user_id.eq(id))
            .filter(positions::is_builtin.eq(false)),
    ))
    .get_result(conn)?)
}

/// Refuses when the target user holds more than the actor: a user manager cannot reset
/// the password of, disable or edit someone more powerful than themselves.
pub fn require_can_manage(conn: &mut PgConnection, ctx: WriteCtx<'_>, id: i64) -> AppResult<()> {
    ctx.grants
        .require_covers(&position::grants(conn, id)?, msg!("user.manage_this"))
}

crate::versioned!(view UserView { user }, users, "user", not_found, get);

fn views(conn: &mut PgConnection, rows: Vec<User>) -> AppResult<Vec<UserView>> {
    let ids: Vec<i64> = rows.iter().map(|u| u.id).collect();
    let mut held: HashMap<i64, Vec<(i64, String)>> = HashMap::new();
    for (user_id, position_id, name) in user_positions::table
        .inner_join(positions::table)
        .filter(user_positions::user_id.eq_any(&ids))
        .order(positions::name)
        .select((user_positions::user_id, positions::id, positions::name))
        .load::<(i64, i64, String)>(conn)?
    {
        held.entry(user_id).or_default().push((position_id, name));
    }
    let department_ids: Vec<i64> = rows.iter().filter_map(|u| u.department_id).collect();
    let department_names: HashMap<i64, String> = departments::table
        .filter(departments::id.eq_any(&department_ids))
        .select((departments::id, departments::name))
        .load::<(i64, String)>(conn)?
        .into_iter()
        .collect();
    let updater_ids: Vec<i64> = rows.iter().filter_map(|u| u.updated_by).collect();
    let updater_names = super::display_names(conn, &updater_ids)?;
    let mut customers_held = super::customer::held_by_each(conn, &ids)?;
    Ok(rows
        .into_iter()
        .map(|u| UserView {
            customers_held: customers_held.remove(&u.id).unwrap_or(0),
            positions: held.remove(&u.id).unwrap_or_default(),
            department_name: u
                .department_id
                .and_then(|id| department_names.get(&id).cloned())
                .unwrap_or_default(),
            updated_by_name: u
                .updated_by
                .and_then(|id| updater_names.get(&id).cloned())
                .unwrap_or_default(),
            user: u,
        })
        .collect())
}

/// Department and positions must exist and be active (read with a share lock, so an
/// archive cannot slip in before commit; each position that is not named by its place,
/// `position_ids[1]`), and the actor must hold everything the positions grant.
fn check_profile(
    conn: &mut PgConnection,
    ctx: WriteCtx<'_>,
    profile: &UserProfile,
) -> AppResult<()> {
    let mut errors = Vec::new();
    if let Some(department_id) = profile.department_id {
        let active = departments::table
            .find(department_id)
            .select(departments::is_active)
            .for_share()
            .first::<bool>(conn)
            .optional()?;
        if active != Some(true) {
            errors.push(crate::error::FieldError {
                field: "department_id".into(),
                msg: msg!("user.department_inactive", id = department_id),
            });
        }
    }
    let active_positions: HashSet<i64> = positions::table
        .filter(positions::id.eq_any(&profile.position_ids))
        .filter(positions::is_active.eq(true))
        .select(positions::id)
        .for_share()
        .load::<i64>(conn)?
        .into_iter()
        .collect();
    for (i, id) in profile.position_ids.iter().enumerate() {
        if !active_positions.contains(id) {
            errors.push(crate::error::FieldError {
                field: format!("position_ids[{i}]").into(),
                msg: msg!("user.position_inactive", id = id),
            });
        }
    }
    if !errors.is_empty() {
        return Err(AppError::InvalidArgument(errors));
    }
    let granted = position::positions_grants(conn, &profile.position_ids)?;
    ctx.grants
        .require_covers(&granted, msg!("user.these_positions"))
}

fn set_positions(conn: &mut PgConnection, user_id: i64, position_ids: &[i64]) -> AppResult<()> {
    diesel::delete(user_positions::table.filter(user_positions::user_id.eq(user_id)))
        .execute(conn)?;
    let position_ids: BTreeSet<i64> = position_ids.iter().copied().collect();
    let rows: Vec<_> = position_ids
        .iter()
        .map(|&p| {
            (
                user_positions::user_id.eq(user_id),
                user_positions::position_id.eq(p),
            )
        })
        .collect();
    diesel::insert_into(user_positions::table)
        .values(&rows)
        .execute(conn)?;
    Ok(())
}

/// Adds a person (with a password hash) or a service account (without).
pub fn create(
    conn: &mut PgConnection,
    ctx: WriteCtx<'_>,
    input: &NewUserInput,
    password_hash: Option<&str>,
) -> AppResult<UserView> {
    check_profile(conn, ctx, &input.profile)?;
    let row: User = diesel::insert_into(users::table)
        .values(NewUser {
            username: &input.username,
            display_name: &input.profile.display_name,
            department_id: input.profile.department_id,
            phone: &input.profile.phone,
            password_hash,
            is_service_account: password_hash.is_none(),
            updated_by: ctx.actor.user_id,
            // Set by an administrator, the password is theirs until its user changes it;
            // the accounts the server seeds itself (no acting user) are not.
            must_change_password: password_hash.is_some() && ctx.actor.user_id.is_some(),
        })
        .returning(User::as_returning())
        .get_result(conn)
        .map_err(|e| {
            unique_violation(
                e,
                UNIQUE_USERNAME,
                "username",
                msg!("user.username_taken", username = input.username),
            )
        })?;
    set_positions(conn, row.id, &input.profile.position_ids)?;
    let view = get(conn, row.id)?;
    let action = if password_hash.is_some() {
        "user.create"
    } else {
        "service_account.create"
    };
    ctx.audit_change(conn, action, "user", row.id, None, Some(&view))?;
    Ok(view)
}

/// Changes a user's profile and positions.
pub fn update(
    conn: &mut PgConnection,
    ctx: WriteCtx<'_>,
    id: i64,
    version: i32,
    profile: &UserProfile,
) -> AppResult<UserView> {
    position::lock_builtin(conn)?;
    let before: UserView = versioned::lock_fresh(conn, id, version)?;
    require_can_manage(conn, ctx, id)?;
    // A member of staff is reached like a customer: a mobile or a landline. A phone kept
    // as it was is not checked again, so that one stored under an older, looser rule
    // does not block every other edit of the user.
    if profile.phone != before.user.phone {
        let mut check = crate::error::FieldCheck::default();
        check.check(
            "phone",
            pharmacrm_shared::validation::china_phone(&profile.phone),
        );
        check.finish()?;
    }
    check_profile(conn, ctx, profile)?;
    diesel::update(users::table.find(id))
        .set((
            users::display_name.eq(&profile.display_name),
            users::department_id.eq(profile.department_id),
            users::phone.eq(&profile.phone),
            crate::stamp!(users, before, ctx),
        ))
        .execute(conn)?;
    set_positions(conn, id, &profile.position_ids)?;
    position::require_an_administrator(conn)?;
    let after = get(conn, id)?;
    versioned::audit(conn, ctx, "update", Some(&before), Some(&after))?;
    Ok(after)
}

/// Disables (ending every session and API token at once) or enables a user.
pub fn set_active(
    conn: &mut PgConnection,
    ctx: WriteCtx<'_>,
    id: i64,
    version: i32,
    is_active: bool,
) -> AppResult<UserView> {
    position::lock_builtin(conn)?;
    let before: UserView = versioned::lock_fresh(conn, id, version)?;
    let u = &before.user;
    require_can_manage(conn, ctx, id)?;
    if !is_active && ctx.actor.user_id == Some(id) {
        return Err(AppError::precondition(msg!("user.disable_self")));
    }
    if u.is_active == is_active {
        return Ok(before);
    }
    diesel::update(users::table.find(id))
        .set((
            users::is_active.eq(is_active),
            crate::stamp!(users, before, ctx),
        ))
        .execute(conn)?;
    if !is_active {
        let customers = super::customer::held_by(conn, id)?;
        if customers > 0 {
            return Err(AppError::precondition(msg!(
                "user.still_responsible",
                name = u.display_name,
                count = Counted(customers, "customer", "customers")
            )));
        }
        session::revoke_all_for_user(conn, id, None)?;
        position::require_an_administrator(conn)?;
    }
    let after = get(conn, id)?;
    let verb = if is_active { "enable" } else { "disable" };
    versioned::audit(conn, ctx, verb, Some(&before), Some(&after))?;
    Ok(after)
}

/// Stores a new password hash and ends the user's login sessions, except `keep_session`
/// (the caller's own when changing their own password).
pub fn set_password(
    conn: &mut PgConnection,
    ctx: WriteCtx<'_>,
    id: i64,
    password_hash: &str,
    keep_session: Option<i64>,
) -> AppResult<()> {
    let before = UserView::lock(conn, id)?;
    if ctx.actor.user_id != Some(id) {
        require_can_manage(conn, ctx, id)?;
    }
    if before.user.is_service_account {
        return Err(AppError::precondition(msg!(
            "user.service_account_no_password"
        )));
    }
    // Reset by an administrator, it is to be changed at the next login; changed by its
    // user, it is theirs. The record's version stays: no form holds a password, and a
    // user's first-login change made an administrator's open form of them stale (the
    // audit log says who changed it when).
    let own = ctx.actor.user_id == Some(id);
    diesel::update(users::table.find(id))
        .set((
            users::password_hash.eq(password_hash),
            users::must_change_password.eq(!own),
        ))
        .execute(conn)?;
    session::revoke_all_for_user(conn, id, keep_session)?;
    let verb = if ctx.actor.user_id == Some(id) {
        "change_password"
    } else {
        "reset_password"
    };
    ctx.audit_change::<UserView>(conn, &format!("user.{verb}"), "user", id, None, None)?;
    Ok(())
}
