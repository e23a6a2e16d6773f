//! `pharmacrm.v1.AdminService`: departments, positions, users, service accounts.

use std::sync::Arc;

use pharmacrm_shared::pb::{self, admin_service_server::AdminService};
use pharmacrm_shared::{Permission, validation};
use tonic::{Request, Response, Status};

use crate::auth::{Session, new_secret, token_hash};
use crate::convert::{self, id};
use crate::db::models::WriteCtx;
use crate::db::models::department::{self, DepartmentInput};
use crate::db::models::position::{self, PositionInput};
use crate::db::models::session;
use crate::db::models::user::{self, NewUserInput};
use crate::error::{AppError, AppResult, FieldCheck};
use crate::msg;
use crate::state::AppState;

/// The AdminService implementation.
pub struct AdminApi {
    state: Arc<AppState>,
}

impl AdminApi {
    /// The service over the server's state.
    pub fn new(state: Arc<AppState>) -> Self {
        AdminApi { state }
    }

    /// Archives or restores the record of `request` (id, version read) by `change`, in
    /// one transaction, answered as `T`.
    async fn set_archived<V, T>(
        &self,
        request: Request<pb::ArchiveRequest>,
        change: fn(&mut diesel::PgConnection, WriteCtx<'_>, i64, i32) -> AppResult<V>,
    ) -> Reply<T>
    where
        V: Send + 'static,
        T: From<V>,
    {
        let session = Session::of(&request)?;
        let pb::ArchiveRequest {
            id: record,
            version,
        } = request.into_inner();
        let record = id("id", record)?;
        let view = self
            .state
            .write(session, move |conn, ctx| change(conn, ctx, record, version))
            .await?;
        Ok(Response::new(view.into()))
    }
}

type Reply<T> = Result<Response<T>, Status>;

#[tonic::async_trait]
impl AdminService for AdminApi {
    async fn list_permissions(&self, _request: Request<()>) -> Reply<pb::ListPermissionsResponse> {
        Ok(Response::new(pb::ListPermissionsResponse {
            permissions: Permission::ALL.iter().map(|p| p.to_proto()).collect(),
        }))
    }

    async fn list_departments(
        &self,
        request: Request<pb::ListDepartmentsRequest>,
    ) -> Reply<pb::ListDepartmentsResponse> {
        let pb::ListDepartmentsRequest { include_archived } = request.into_inner();
        let rows = self
            .state
            .db
            .run(move |conn| department::list(conn, include_archived))
            .await?;
        Ok(Response::new(pb::ListDepartmentsResponse {
            departments: rows.into_iter().map(Into::into).collect(),
        }))
    }

    async fn create_department(
        &self,
        request: Request<pb::CreateDepartmentRequest>,
    ) -> Reply<pb::Department> {
        let session = Session::of(&request)?;
        let input = DepartmentInput::try_from(request.into_inner())?;
        let view = self
            .state
            .write(session, move |conn, ctx| {
                department::create(conn, ctx, &input)
            })
            .await?;
        Ok(Response::new(view.into()))
    }

    async fn update_department(
        &self,
        request: Request<pb::UpdateDepartmentRequest>,
    ) -> Reply<pb::Department> {
        let session = Session::of(&request)?;
        let convert::Update { id, version, input } =
            convert::admin::update_department(request.into_inner())?;
        let view = self
            .state
            .write(session, move |conn, ctx| {
                department::update(conn, ctx, id, version, &input)
            })
            .await?;
        Ok(Response::new(view.into()))
    }

    async fn archive_department(
        &self,
        request: Request<pb::ArchiveRequest>,
    ) -> Reply<pb::Department> {
        self.set_archived(request, department::archive).await
    }

    async fn restore_department(
        &self,
        request: Request<pb::ArchiveRequest>,
    ) -> Reply<pb::Department> {
        self.set_archived(request, department::restore).await
    }

    async fn list_positions(
        &self,
        request: Request<pb::ListPositionsRequest>,
    ) -> Reply<pb::ListPositionsResponse> {
        let pb::ListPositionsRequest { include_archived } = request.into_inner();
        let rows = self
            .state
            .db
            .run(move |conn| position::list(conn, include_archived))
            .await?;
        Ok(Response::new(pb::ListPositionsResponse {
            positions: rows.into_iter().map(Into::into).collect(),
        }))
    }

    async fn create_position(
        &self,
        request: Request<pb::CreatePositionRequest>,
    ) -> Reply<pb::Position> {
        let session = Session::of(&request)?;
        let input = PositionInput::try_from(request.into_inner())?;
        let view = self
            .state
            .write(session, move |conn, ctx| {
                position::create(conn, ctx, &input, false)
            })
            .await?;
        Ok(Response::new(view.into()))
    }

    async fn update_position(
        &self,
        request: Request<pb::UpdatePositionRequest>,
    ) -> Reply<pb::Position> {
        let session = Session::of(&request)?;
        let convert::Update { id, version, input } =
            convert::admin::update_position(request.into_inner())?;
        let view = self
            .state
            .write(session, move |conn, ctx| {
                position::update(conn, ctx, id, version, &input)
            })
            .await?;
        Ok(Response::new(view.into()))
    }

    async fn archive_position(&self, request: Request<pb::ArchiveRequest>) -> Reply<pb::Position> {
        self.set_archived(request, position::archive).await
    }

    async fn restore_position(&self, request: Request<pb::ArchiveRequest>) -> Reply<pb::Position> {
        self.set_archived(request, position::restore).await
    }

    async fn list_users(
        &self,
        request: Request<pb::ListUsersRequest>,
    ) -> Reply<pb::ListUsersResponse> {
        let (filter, (offset, limit)) = convert::admin::list_users(request.into_inner())?;
        let (rows, total) = self
            .state
            .db
            .run(move |conn| user::search(conn, &filter, offset, limit))
            .await?;
        Ok(Response::new(pb::ListUsersResponse {
            users: rows.into_iter().map(Into::into).collect(),
            total: u64::try_from(total).unwrap_or(0),
        }))
    }

    async fn get_user(&self, request: Request<pb::GetUserRequest>) -> Reply<pb::User> {
        let pb::GetUserRequest { id: user_id } = request.into_inner();
        let user_id = id("id", user_id)?;
        let view = self
            .state
            .db
            .run(move |conn| user::get(conn, user_id))
            .await?;
        Ok(Response::new(view.into()))
    }

    async fn create_user(&self, request: Request<pb::CreateUserRequest>) -> Reply<pb::User> {
        let session = Session::of(&request)?;
        let (input, password) = convert::admin::create_user(request.into_inner())?;
        let hash = self.state.passwords.hash(password).await?;
        let view = self
            .state
            .write(session, move |conn, ctx| {
                user::create(conn, ctx, &input, Some(&hash))
            })
            .await?;
        Ok(Response::new(view.into()))
    }

    async fn update_user(&self, request: Request<pb::UpdateUserRequest>) -> Reply<pb::User> {
        let session = Session::of(&request)?;
        let convert::Update {
            id,
            version,
            input: profile,
        } = convert::admin::update_user(request.into_inner())?;
        let view = self
            .state
            .write(session, move |conn, ctx| {
                user::update(conn, ctx, id, version, &profile)
            })
            .await?;
        Ok(Response::new(view.into()))
    }

    async fn set_user_active(&self, request: Request<pb::SetUserActiveRequest>) -> Reply<pb::User> {
        let session = Session::of(&request)?;
        let pb::SetUserActiveRequest {
            id: user_id,
            version,
            is_active,
        } = request.into_inner();
        let user_id = id("id", user_id)?;
        let view = self
            .state
            .write(session, move |conn, ctx| {
                user::set_active(conn, ctx, user_id, version, is_active)
            })
            .await?;
        Ok(Response::new(view.into()))
    }

    async fn reset_password(&self, request: Request<pb::ResetPasswordRequest>) -> Reply<()> {
        let session = Session::of(&request)?;
        let pb::ResetPasswordRequest {
            id: user_id,
            new_password,
        } = request.into_inner();
        let user_id = id("id", user_id)?;
        FieldCheck::default()
            .check("new_password", validation::password(&new_password))
            .finish()?;
        let hash = self.state.passwords.hash(new_password).await?;
        self.state
            .write(session, move |conn, ctx| {
                user::set_password(conn, ctx, user_id, &hash, None)
            })
            .await?;
        Ok(Response::new(()))
    }

    async fn create_service_account(
        &self,
        request: Request<pb::CreateServiceAccountRequest>,
    ) -> Reply<pb::User> {
        let session = Session::of(&request)?;
        let input = NewUserInput::try_from(request.into_inner())?;
        let view = self
            .state
            .write(session, move |conn, ctx| {
                user::create(conn, ctx, &input, None)
            })
            .await?;
        Ok(Response::new(view.into()))
    }

    async fn issue_api_token(
        &self,
        request: Request<pb::IssueApiTokenRequest>,
    ) -> Reply<pb::IssueApiTokenResponse> {
        let session = Session::of(&request)?;
        let pb::IssueApiTokenRequest { user_id, label } = request.into_inner();
        let user_id = id("user_id", user_id)?;
        FieldCheck::default()
            .check("label", validation::required_line(&label, 100))
            .finish()?;
        let token = format!("pcrm_{}", new_secret());
        let hash = token_hash(&token);
        let row = self
            .state
            .write(session, move |conn, ctx| {
                let account = user::get(conn, user_id)?.user;
                user::require_can_manage(conn, ctx, user_id)?;
                if !account.is_service_account {
                    return Err(AppError::precondition(msg!("token.people_use_passwords")));
                }
                if !account.is_active {
                    return Err(AppError::precondition(msg!("token.account_disabled")));
                }
                let row = session::create_api(conn, user_id, &hash, label.trim())?;
                ctx.audit_change(
                    conn,
                    "api_token.issue",
                    "api_token",
                    row.id,
                    None,
                    Some(&row),
                )?;
                Ok(row)
            })
            .await?;
        Ok(Response::new(pb::IssueApiTokenResponse {
            api_token: Some(row.into()),
            token,
        }))
    }

    async fn list_api_tokens(
        &self,
        request: Request<pb::ListApiTokensRequest>,
    ) -> Reply<pb::ListApiTokensResponse> {
        let pb::ListApiTokensRequest { user_id } = request.into_inner();
        let user_id = id("user_id", user_id)?;
        let rows = self
            .state
            .db
            .run(move |conn| session::list_api(conn, user_id))
            .await?;
        Ok(Response::new(pb::ListApiTokensResponse {
            api_tokens: rows.into_iter().map(Into::into).collect(),
        }))
    }

    async fn revoke_api_token(&self, request: Request<pb::RevokeApiTokenRequest>) -> Reply<()> {
        let session = Session::of(&request)?;
        let pb::RevokeApiTokenRequest { id: token_id } = request.into_inner();
        let token_id = id("id", token_id)?;
        self.state
            .write(session, move |conn, ctx| {
                let before = session::get_api(conn, token_id)?;
                if session::revoke(conn, token_id)? {
                    let after = session::get_api(conn, token_id)?;
                    ctx.audit_change(
                        conn,
                        "api_token.revoke",
                        "api_token",
                        token_id,
                        Some(&before),
                        Some(&after),
                    )?;
                }
                Ok(())
            })
            .await?;
        Ok(Response::new(()))
    }
}
