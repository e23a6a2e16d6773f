//! `pharmacrm.v1.AuthService`: login, logout, the caller's own account.

use std::sync::Arc;

use chrono::Utc;
use pharmacrm_shared::pb::{self, auth_service_server::AuthService};
use pharmacrm_shared::validation;
use tonic::{Request, Response, Status};

use crate::app::AppState;
use crate::auth::{Session, new_secret, peer_of, token_hash};
use crate::convert::timestamp;
use crate::db::models::audit_log::Event;
use crate::db::models::{Actor, WriteCtx, login_throttle, position, session, user};
use crate::error::{AppError, AppResult, FieldCheck, Msg};

/// The AuthService implementation.
pub struct AuthApi {
    state: Arc<AppState>,
}

impl AuthApi {
    /// The service over the server's state.
    pub fn new(state: Arc<AppState>) -> Self {
        AuthApi { state }
    }
}

fn wrong_credentials() -> AppError {
    AppError::Unauthenticated(Msg::new("wrong username or password", "用户名或密码错误"))
}

/// The caller's user record, permissions and scope.
pub fn current_user(conn: &mut diesel::PgConnection, user_id: i64) -> AppResult<pb::CurrentUser> {
    let view = user::get(conn, user_id)?;
    let (permissions, scope) = position::grants(conn, user_id)?;
    let department_name = view.department_name.clone();
    Ok(pb::CurrentUser {
        user: Some(view.into()),
        permissions: permissions.iter().map(|p| p.code().to_owned()).collect(),
        data_scope: scope
            .map(|s| pb::DataScope::from(s) as i32)
            .unwrap_or_default(),
        department_name,
    })
}

impl AuthApi {
    async fn login(&self, peer: String, request: pb::LoginRequest) -> AppResult<pb::LoginResponse> {
        let pb::LoginRequest { username, password } = request;
        let username = username.trim().to_lowercase();
        FieldCheck::default()
            .check("username", validation::required_text(&username, 50))
            .check(
                "password",
                validation::required_text(&password, validation::PASSWORD_MAX_CHARS),
            )
            .finish()?;
        let state = &self.state;
        let now = Utc::now();

        let (name, attempt_peer) = (username.clone(), peer.clone());
        let audit_key = state.audit_key.clone();
        let found = state
            .db
            .transaction(move |conn| {
                if let Some(until) = login_throttle::locked_until(conn, &name, now)? {
                    let actor = Actor {
                        user_id: None,
                        username: name.clone(),
                        peer: attempt_peer,
                    };
                    let ctx = WriteCtx {
                        actor: &actor,
                        audit_key: &audit_key,
                    };
                    ctx.audit(
                        conn,
                        Event {
                            action: "auth.login_locked",
                            object_type: "login",
                            object_id: name,
                            before: None,
                            after: None,
                        },
                    )?;
                    return Ok(Err(until));
                }
                Ok(Ok(user::find_by_username(conn, &name)?))
            })
            .await?;
        // A refused attempt while locked must still be recorded: commit it, then answer.
        let found = found.map_err(|until| AppError::LoginLocked { until })?;

        let hash = found.as_ref().and_then(|u| u.password_hash.clone());
        let password_ok = state.passwords.verify(password, hash).await?;

        let token = new_secret();
        let hash = token_hash(&token);
        let absolute = chrono::Duration::from_std(state.policy.absolute_timeout)
            .map_err(|e| AppError::Internal(e.into()))?;
        let lockout = chrono::Duration::from_std(state.policy.lockout)
            .map_err(|e| AppError::Internal(e.into()))?;
        let max_failures = state.policy.max_failed_logins;
        let audit_key = state.audit_key.clone();
        let outcome = state
            .db
            .transaction(move |conn| {
                let actor = Actor {
                    user_id: found.as_ref().map(|u| u.id),
                    username: username.clone(),
                    peer: peer.clone(),
                };
                let ctx = WriteCtx {
                    actor: &actor,
                    audit_key: &audit_key,
                };
                match found {
                    Some(user) if password_ok && user.is_active => {
                        login_throttle::clear(conn, &username)?;
                        let expires_at = now + absolute;
                        let row = session::create_login(conn, user.id, &hash, &peer, expires_at)?;
                        ctx.audit(
                            conn,
                            Event {
                                action: "auth.login",
                                object_type: "session",
                                object_id: row.id.to_string(),
                                before: None,
                                after: None,
                            },
                        )?;
                        Ok(Ok((user.id, expires_at)))
                    }
                    Some(_) if password_ok => {
                        ctx.audit(
                            conn,
                            Event {
                                action: "auth.login_disabled",
                                object_type: "login",
                                object_id: username.clone(),
                                before: None,
                                after: None,
                            },
                        )?;
                        Ok(Err(AppError::Unauthenticated(Msg::new(
                            "this account is disabled; ask an administrator",
                            "该账号已停用，请联系管理员",
                        ))))
                    }
                    _ => {
                        let locked = login_throttle::record_failure(
                            conn,
                            &username,
                            now,
                            max_failures,
                            lockout,
                        )?;
                        ctx.audit(
                            conn,
                            Event {
                                action: "auth.login_failed",
                                object_type: "login",
                                object_id: username.clone(),
                                before: None,
                                after: None,
                            },
                        )?;
                        Ok(Err(match locked {
                            Some(until) => AppError::LoginLocked { until },
                            None => wrong_credentials(),
                        }))
                    }
                }
            })
            .await?;
        let (user_id, expires_at) = outcome?;
        let user = state
            .db
            .run(move |conn| current_user(conn, user_id))
            .await?;
        Ok(pb::LoginResponse {
            token,
            expires_at: Some(timestamp(expires_at)),
            user: Some(user),
        })
    }
}

#[tonic::async_trait]
impl AuthService for AuthApi {
    async fn login(
        &self,
        request: Request<pb::LoginRequest>,
    ) -> Result<Response<pb::LoginResponse>, Status> {
        let peer = peer_of(request.extensions());
        Ok(Response::new(
            AuthApi::login(self, peer, request.into_inner()).await?,
        ))
    }

    async fn logout(&self, request: Request<()>) -> Result<Response<()>, Status> {
        let session = Session::of(&request)?;
        let audit_key = self.state.audit_key.clone();
        self.state
            .db
            .transaction(move |conn| {
                session::revoke(conn, session.session_id)?;
                let actor = session.actor();
                WriteCtx {
                    actor: &actor,
                    audit_key: &audit_key,
                }
                .audit(
                    conn,
                    Event {
                        action: "auth.logout",
                        object_type: "session",
                        object_id: session.session_id.to_string(),
                        before: None,
                        after: None,
                    },
                )
            })
            .await?;
        Ok(Response::new(()))
    }

    async fn me(&self, request: Request<()>) -> Result<Response<pb::CurrentUser>, Status> {
        let session = Session::of(&request)?;
        let user = self
            .state
            .db
            .run(move |conn| current_user(conn, session.user_id))
            .await?;
        Ok(Response::new(user))
    }

    async fn change_password(
        &self,
        request: Request<pb::ChangePasswordRequest>,
    ) -> Result<Response<()>, Status> {
        let session = Session::of(&request)?;
        let pb::ChangePasswordRequest {
            old_password,
            new_password,
        } = request.into_inner();
        FieldCheck::default()
            .check("new_password", validation::password(&new_password))
            .finish()?;
        let user_id = session.user_id;
        let current = self
            .state
            .db
            .run(move |conn| Ok(user::get(conn, user_id)?.user.password_hash))
            .await?;
        if !self.state.passwords.verify(old_password, current).await? {
            return Err(AppError::field(
                "old_password",
                Msg::new("the current password is wrong", "当前密码不正确"),
            )
            .into());
        }
        let hash = self.state.passwords.hash(new_password).await?;
        let audit_key = self.state.audit_key.clone();
        self.state
            .db
            .transaction(move |conn| {
                let actor = session.actor();
                let ctx = WriteCtx {
                    actor: &actor,
                    audit_key: &audit_key,
                };
                user::set_password(conn, ctx, session.user_id, &hash, Some(session.session_id))
            })
            .await?;
        Ok(Response::new(()))
    }
}
