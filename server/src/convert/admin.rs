//! AdminService and AuthService: departments, positions, users, API tokens.

use std::collections::BTreeSet;

use pharmacrm_shared::{DataScope, Permission, pb, validation};

use super::{Update, count, known, optional_id, page, timestamp, update};
use crate::db::models::department::{DepartmentInput, DepartmentView};
use crate::db::models::position::{PositionInput, PositionView};
use crate::db::models::session::SessionRow;
use crate::db::models::user::{NewUserInput, UserFilter, UserProfile, UserSort, UserView};
use crate::error::{AppError, AppResult, FieldCheck};
use crate::msg;

fn data_scope(field: &'static str, value: i32, check: &mut FieldCheck) -> Option<DataScope> {
    let scope = pb::DataScope::try_from(value)
        .ok()
        .and_then(|s| DataScope::try_from(s).ok());
    if scope.is_none() {
        check.fail(field, msg!("position.scope_required"));
    }
    scope
}

/// The permissions of `codes`; an unknown code is recorded in `check` by its place
/// (`permissions[2]`).
fn permissions(codes: Vec<String>, check: &mut FieldCheck) -> BTreeSet<Permission> {
    let mut set = BTreeSet::new();
    for (i, code) in codes.into_iter().enumerate() {
        match Permission::from_code(&code) {
            Some(p) => {
                set.insert(p);
            }
            None => {
                check.fail(
                    format!("permissions[{i}]"),
                    msg!("position.unknown_permission", code = code),
                );
            }
        }
    }
    set
}

impl From<DepartmentView> for pb::Department {
    fn from(v: DepartmentView) -> Self {
        let d = v.department;
        pb::Department {
            id: d.id,
            parent_id: d.parent_id,
            name: d.name,
            is_active: d.is_active,
            active_user_count: count(v.active_user_count),
            version: d.version,
            updated_at: Some(timestamp(d.updated_at)),
            updated_by: v.updated_by_name,
        }
    }
}

impl TryFrom<pb::CreateDepartmentRequest> for DepartmentInput {
    type Error = AppError;

    fn try_from(r: pb::CreateDepartmentRequest) -> AppResult<Self> {
        let pb::CreateDepartmentRequest { name, parent_id } = r;
        department_input(name, parent_id)
    }
}

fn department_input(name: String, parent_id: Option<i64>) -> AppResult<DepartmentInput> {
    let mut check = FieldCheck::default();
    check.check("name", validation::required_line(&name, 100));
    let parent_id = super::optional_id("parent_id", parent_id, &mut check);
    check.finish()?;
    Ok(DepartmentInput {
        name: name.trim().to_owned(),
        parent_id,
    })
}

/// An UpdateDepartment request.
pub fn update_department(r: pb::UpdateDepartmentRequest) -> AppResult<Update<DepartmentInput>> {
    let pb::UpdateDepartmentRequest {
        id: dept_id,
        version,
        name,
        parent_id,
    } = r;
    update(dept_id, version, |check| {
        check.absorb(department_input(name, parent_id))
    })
}

impl From<PositionView> for pb::Position {
    fn from(v: PositionView) -> Self {
        let p = v.position;
        pb::Position {
            id: p.id,
            name: p.name,
            description: p.description,
            permissions: v.permissions,
            data_scope: DataScope::from_code(&p.data_scope)
                .map(|s| pb::DataScope::from(s) as i32)
                .unwrap_or_default(),
            is_builtin: p.is_builtin,
            is_active: p.is_active,
            active_user_count: count(v.active_user_count),
            version: p.version,
            updated_at: Some(timestamp(p.updated_at)),
            updated_by: v.updated_by_name,
        }
    }
}

fn position_input(
    name: String,
    description: String,
    codes: Vec<String>,
    scope: i32,
) -> AppResult<PositionInput> {
    let mut check = FieldCheck::default();
    check
        .check("name", validation::required_line(&name, 100))
        .check("description", validation::optional_text(&description, 500));
    let permissions = permissions(codes, &mut check);
    let scope = data_scope("data_scope", scope, &mut check);
    check.finish()?;
    Ok(PositionInput {
        name: name.trim().to_owned(),
        description: description.trim().to_owned(),
        permissions,
        data_scope: scope.expect("checked above"),
    })
}

impl TryFrom<pb::CreatePositionRequest> for PositionInput {
    type Error = AppError;

    fn try_from(r: pb::CreatePositionRequest) -> AppResult<Self> {
        let pb::CreatePositionRequest {
            name,
            description,
            permissions,
            data_scope,
        } = r;
        position_input(name, description, permissions, data_scope)
    }
}

/// An UpdatePosition request.
pub fn update_position(r: pb::UpdatePositionRequest) -> AppResult<Update<PositionInput>> {
    let pb::UpdatePositionRequest {
        id: position_id,
        version,
        name,
        description,
        permissions,
        data_scope,
    } = r;
    update(position_id, version, |check| {
        check.absorb(position_input(name, description, permissions, data_scope))
    })
}

impl From<UserView> for pb::User {
    fn from(v: UserView) -> Self {
        let u = v.user;
        pb::User {
            id: u.id,
            username: u.username,
            display_name: u.display_name,
            department_id: u.department_id,
            phone: u.phone,
            positions: v
                .positions
                .into_iter()
                .map(|(id, name)| pb::PositionRef { id, name })
                .collect(),
            is_active: u.is_active,
            is_service_account: u.is_service_account,
            version: u.version,
            created_at: Some(timestamp(u.created_at)),
            updated_at: Some(timestamp(u.updated_at)),
            updated_by: v.updated_by_name,
            department_name: v.department_name,
            customers_held: v.customers_held,
        }
    }
}

/// A user's profile from a request, its fields checked into `check`; the phone too when
/// `check_phone` (an update checks it only when it changes: [`crate::db::models::user::update`]).
fn profile(
    check: &mut FieldCheck,
    display_name: String,
    department_id: Option<i64>,
    phone: String,
    position_ids: Vec<i64>,
    check_phone: bool,
) -> UserProfile {
    check.check(
        "display_name",
        validation::required_line(&display_name, 100),
    );
    if check_phone {
        check.check("phone", validation::china_phone(&phone));
    }
    let department_id = optional_id("department_id", department_id, check);
    // Kept in the request's order, so that a position found archived is named by its
    // place (`position_ids[1]`).
    if position_ids.is_empty() {
        check.fail("position_ids", msg!("user.positions_required"));
    }
    for (i, &id) in position_ids.iter().enumerate() {
        if id <= 0 {
            check.fail(format!("position_ids[{i}]"), msg!("field.not_an_id"));
        }
    }
    UserProfile {
        display_name: display_name.trim().to_owned(),
        department_id,
        // As a customer's: "139 0733 0002" kept as 13907330002, found however typed.
        phone: validation::normalise_phone(&phone),
        position_ids,
    }
}

/// A CreateUser request as (input, password).
pub fn create_user(r: pb::CreateUserRequest) -> AppResult<(NewUserInput, String)> {
    {
        let pb::CreateUserRequest {
            username,
            display_name,
            department_id,
            phone,
            position_ids,
            password,
        } = r;
        let mut check = FieldCheck::default();
        check
            .check("username", validation::username(username.trim()))
            .check("password", validation::password(&password));
        let profile = profile(
            &mut check,
            display_name,
            department_id,
            phone,
            position_ids,
            true,
        );
        check.finish()?;
        Ok((
            NewUserInput {
                username: username.trim().to_lowercase(),
                profile,
            },
            password,
        ))
    }
}

impl TryFrom<pb::CreateServiceAccountRequest> for NewUserInput {
    type Error = AppError;

    fn try_from(r: pb::CreateServiceAccountRequest) -> AppResult<Self> {
        let pb::CreateServiceAccountRequest {
            username,
            display_name,
            department_id,
            position_ids,
        } = r;
        let mut check = FieldCheck::default();
        check.check("username", validation::username(username.trim()));
        let profile = profile(
            &mut check,
            display_name,
            department_id,
            String::new(),
            position_ids,
            true,
        );
        check.finish()?;
        Ok(NewUserInput {
            username: username.trim().to_lowercase(),
            profile,
        })
    }
}

/// An UpdateUser request.
pub fn update_user(r: pb::UpdateUserRequest) -> AppResult<Update<UserProfile>> {
    let pb::UpdateUserRequest {
        id: user_id,
        version,
        display_name,
        department_id,
        phone,
        position_ids,
    } = r;
    update(user_id, version, |check| {
        Ok(Some(profile(
            check,
            display_name,
            department_id,
            phone,
            position_ids,
            false,
        )))
    })
}

/// A ListUsers request as (filter, (offset, limit)).
///
/// # Errors
/// INVALID_ARGUMENT naming `sort` for a sort the enum does not have.
pub fn list_users(r: pb::ListUsersRequest) -> AppResult<(UserFilter, (i64, i64))> {
    {
        let pb::ListUsersRequest {
            query,
            department_id,
            position_id,
            include_inactive,
            sort,
            descending,
            page: page_request,
        } = r;
        let mut check = FieldCheck::default();
        check.check(
            "query",
            validation::optional_line(&query, validation::SEARCH_TEXT_MAX),
        );
        let department_id = optional_id("department_id", department_id, &mut check);
        let position_id = optional_id("position_id", position_id, &mut check);
        let sort = known("sort", sort, &mut check);
        check.finish()?;
        let sort = match sort {
            pb::UserSort::Unspecified | pb::UserSort::Username => UserSort::Username,
            pb::UserSort::DisplayName => UserSort::DisplayName,
            pb::UserSort::Department => UserSort::Department,
            pb::UserSort::CreatedAt => UserSort::CreatedAt,
        };
        Ok((
            UserFilter {
                query,
                department_id,
                position_id,
                include_inactive,
                sort,
                descending,
            },
            page(page_request),
        ))
    }
}

impl From<SessionRow> for pb::ApiToken {
    fn from(s: SessionRow) -> Self {
        pb::ApiToken {
            id: s.id,
            user_id: s.user_id,
            label: s.label,
            created_at: Some(timestamp(s.created_at)),
            last_used_at: s.last_seen_at.map(timestamp),
            revoked_at: s.revoked_at.map(timestamp),
        }
    }
}
