//! `pharmacrm.v1.AuthService`: login, logout, the caller's own account.

use std::sync::Arc;

use chrono::Utc;
use pharmacrm_shared::pb::{self, auth_service_server::AuthService};
use pharmacrm_shared::{Permission, validation};
use tonic::{Request, Response, Status};

use crate::auth::{Session, new_secret, peer_of, token_hash};
use crate::convert::timestamp;
use crate::db::models::audit_log::{self as audit, Event};
use crate::db::models::{Actor, WriteCtx, login_throttle, position, session, user};
use crate::error::{AppError, AppResult, FieldCheck};
use crate::msg;
use crate::state::AppState;

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

/// How few failures left before a lock are said with the refusal.
const WARN_WHEN_LEFT: i32 = 2;

/// The refusal of a wrong username or password; with `left` failures before the username
/// locks for `lockout`, said once they are few (a user typing carefully is not locked out
/// unwarned). Counted for any username, known or not: it says nothing about existence.
fn wrong_credentials(left: i32, lockout: chrono::Duration) -> AppError {
    if left <= WARN_WHEN_LEFT {
        AppError::Unauthenticated(msg!(
            "auth.login.wrong_credentials_left",
            n = left,
            minutes = lockout.num_minutes()
        ))
    } else {
        AppError::Unauthenticated(msg!("auth.login.wrong_credentials"))
    }
}

/// The caller's user record, permissions and scope, with the business date of `clock`.
pub fn current_user(
    conn: &mut diesel::PgConnection,
    clock: &crate::clock::Clock,
    user_id: i64,
) -> AppResult<pb::CurrentUser> {
    let view = user::get(conn, user_id)?;
    let grants = position::grants(conn, user_id)?;
    let permissions = &grants.permissions;
    // The scope of the customer records (their own, their department's, all), which the
    // client's lists are shaped by; the widest held when customers are not theirs to read.
    let scope = grants
        .scope_for(&[Permission::CustomerRead])
        .or_else(|| grants.scope_for(&[]));
    let department_name = view.department_name.clone();
    let must_change_password = view.user.must_change_password;
    Ok(pb::CurrentUser {
        must_change_password,
        user: Some(view.into()),
        permissions: permissions.iter().map(|p| p.code().to_owned()).collect(),
        data_scope: scope
            .map(|s| pb::DataScope::from(s) as i32)
            .unwrap_or_default(),
        department_name,
        business_date: clock.today().format("%Y-%m-%d").to_string(),
        business_utc_offset_seconds: clock.utc_offset_seconds(),
        server_time: Some(crate::convert::timestamp(clock.now())),
    })
}

impl AuthApi {
    fn durations(&self) -> AppResult<(chrono::Duration, chrono::Duration)> {
        let policy = &self.state.policy;
        let absolute = chrono::Duration::from_std(policy.absolute_timeout)
            .map_err(|e| AppError::Internal(e.into()))?;
        let lockout =
            chrono::Duration::from_std(policy.lockout).map_err(|e| AppError::Internal(e.into()))?;
        Ok((absolute, lockout))
    }

    async fn login(&self, peer: String, request: pb::LoginRequest) -> AppResult<pb::LoginResponse> {
        let pb::LoginRequest { username, password } = request;
        let username = username.trim().to_lowercase();
        FieldCheck::default()
            .check("username", validation::required_line(&username, 50))
            .check(
                "password",
                validation::required_text(&password, validation::PASSWORD_MAX_CHARS),
            )
            .finish()?;
        let state = &self.state;
        let now = Utc::now();
        let (absolute, lockout) = self.durations()?;
        let max_failures = state.policy.max_failed_logins;

        // 1. Count the attempt before checking anything (so parallel guesses cannot pass
        //    the limit), and find the user. A locked username is refused without hashing.
        let (name, attempt_peer) = (username.clone(), peer.clone());
        let audit_key = state.audit_key.clone();
        let begun = state
            .db
            .transaction(move |conn| {
                let until = match login_throttle::begin_attempt(conn, &name, now, max_failures)? {
                    login_throttle::Begun::Go => None,
                    login_throttle::Begun::Busy => {
                        return Ok(Err(AppError::Exhausted(msg!("auth.login.busy"))));
                    }
                    login_throttle::Begun::Locked(until) => Some(until),
                };
                if let Some(until) = until {
                    let actor = Actor {
                        user_id: None,
                        username: name.clone(),
                        peer: attempt_peer.clone(),
                    };
                    audit::record(
                        conn,
                        &audit_key,
                        &actor,
                        None,
                        Event::bare("auth.login_locked", "login", name.clone()),
                    )?;
                    return Ok(Err(AppError::LoginLocked { until, zone: None }));
                }
                Ok(Ok(user::find_by_username(conn, &name)?))
            })
            .await?;
        // The refused attempt is recorded (committed) before the refusal is sent.
        let found = begun?;

        // 2. Check the password off the async threads (the same time whether or not the
        //    user exists).
        let verified_hash = found.as_ref().and_then(|u| u.password_hash.clone());
        let password_ok = state
            .passwords
            .verify(password, verified_hash.clone())
            .await?;

        // 3. Conclude under the user's row lock: a password reset, a disable or a lock
        //    that committed meanwhile wins over this attempt.
        let token = new_secret();
        let hash = token_hash(&token);
        let audit_key = state.audit_key.clone();
        let outcome = state
            .db
            .transaction(move |conn| {
                let user = match &found {
                    Some(u) => user::lock_row(conn, u.id)?,
                    None => None,
                };
                let actor = Actor {
                    user_id: user.as_ref().map(|u| u.id),
                    username: username.clone(),
                    peer: peer.clone(),
                };
                let record = |conn: &mut diesel::PgConnection,
                              action: &'static str,
                              object_type,
                              object_id: String| {
                    audit::record(
                        conn,
                        &audit_key,
                        &actor,
                        None,
                        Event::bare(action, object_type, object_id),
                    )
                };
                let still_valid = password_ok
                    && user
                        .as_ref()
                        .is_some_and(|u| u.password_hash == verified_hash);
                if let (true, Some(user)) = (still_valid, &user) {
                    if let Some(until) = login_throttle::locked_until(conn, &username, now)? {
                        login_throttle::end_attempt(conn, &username)?;
                        record(conn, "auth.login_locked", "login", username.clone())?;
                        return Ok(Err(AppError::LoginLocked { until, zone: None }));
                    }
                    if !user.is_active {
                        login_throttle::end_attempt(conn, &username)?;
                        record(conn, "auth.login_disabled", "login", username.clone())?;
                        return Ok(Err(AppError::Unauthenticated(msg!("auth.login.disabled"))));
                    }
                    login_throttle::clear(conn, &username)?;
                    let expires_at = now + absolute;
                    let row = session::create_login(conn, user.id, &hash, &peer, expires_at)?;
                    record(conn, "auth.login", "session", row.id.to_string())?;
                    return Ok(Ok((user.id, expires_at)));
                }
                let locked =
                    login_throttle::fail_attempt(conn, &username, now, max_failures, lockout)?;
                record(conn, "auth.login_failed", "login", username.clone())?;
                Ok(Err(match locked {
                    login_throttle::Failure::Locked(until) => {
                        AppError::LoginLocked { until, zone: None }
                    }
                    login_throttle::Failure::Left(left) => wrong_credentials(left, lockout),
                }))
            })
            .await?;
        let (user_id, expires_at) = outcome?;
        let user = state
            .db
            .run({
                let clock = state.clock.clone();
                move |conn| current_user(conn, &clock, user_id)
            })
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
            AuthApi::login(self, peer, request.into_inner())
                .await
                .map_err(|e| e.in_zone(self.state.clock.zone()))?,
        ))
    }

    async fn logout(&self, request: Request<()>) -> Result<Response<()>, Status> {
        let session = Session::of(&request)?;
        // A service's long-lived credential is not lost to a client library that signs out
        // on shutdown: an administrator revokes it (RevokeApiToken).
        if session.is_api_token {
            return Err(AppError::precondition(msg!("auth.logout.api_token")).into());
        }
        let audit_key = self.state.audit_key.clone();
        self.state
            .db
            .transaction(move |conn| {
                session::revoke(conn, session.session_id)?;
                audit::record(
                    conn,
                    &audit_key,
                    &session.actor(),
                    None,
                    Event::bare("auth.logout", "session", session.session_id.to_string()),
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
            .run({
                let clock = self.state.clock.clone();
                move |conn| current_user(conn, &clock, session.user_id)
            })
            .await?;
        Ok(Response::new(user))
    }

    async fn change_password(
        &self,
        request: Request<pb::ChangePasswordRequest>,
    ) -> Result<Response<()>, Status> {
        let session = Session::of(&request)?;
        if session.is_api_token {
            // A service account has no password: nothing to check, nothing to count
            // towards locking its name.
            return Err(AppError::precondition(msg!("user.service_account_no_password")).into());
        }
        let pb::ChangePasswordRequest {
            old_password,
            new_password,
        } = request.into_inner();
        let mut check = FieldCheck::default();
        check.check("new_password", validation::password(&new_password));
        // Kept as it was, a password an administrator set would stay theirs.
        if !new_password.is_empty() && new_password == old_password {
            check.fail("new_password", msg!("auth.password.unchanged"));
        }
        check.finish()?;
        let user_id = session.user_id;
        let current = self
            .state
            .db
            .run(move |conn| Ok(user::get(conn, user_id)?.user.password_hash))
            .await?;
        let (_, lockout) = self.durations()?;
        let max_failures = self.state.policy.max_failed_logins;
        let audit_key = self.state.audit_key.clone();
        if !self
            .state
            .passwords
            .verify(old_password, current.clone())
            .await?
        {
            // A wrong current password counts like a failed login: a stolen session cannot
            // be used to guess the password.
            let session = session.clone();
            self.state
                .db
                .transaction(move |conn| {
                    let now = Utc::now();
                    let locked = login_throttle::record_failure(
                        conn,
                        &session.username,
                        now,
                        max_failures,
                        lockout,
                    )?;
                    audit::record(
                        conn,
                        &audit_key,
                        &session.actor(),
                        None,
                        Event::bare(
                            "auth.change_password_failed",
                            "user",
                            session.user_id.to_string(),
                        ),
                    )?;
                    if locked.is_some() {
                        session::revoke_all_for_user(conn, session.user_id, None)?;
                    }
                    Ok(())
                })
                .await?;
            return Err(AppError::field("old_password", msg!("auth.password.wrong")).into());
        }
        let hash = self.state.passwords.hash(new_password).await?;
        self.state
            .db
            .transaction(move |conn| {
                // A reset by an administrator meanwhile wins over this change.
                let locked = user::lock_row(conn, session.user_id)?;
                if locked.map(|u| u.password_hash) != Some(current.clone()) {
                    return Err(AppError::precondition(msg!(
                        "auth.password.changed_meanwhile"
                    )));
                }
                let actor = session.actor();
                let grants = session.grants();
                let ctx = WriteCtx::new(&actor, &grants, &audit_key);
                user::set_password(conn, ctx, session.user_id, &hash, Some(session.session_id))
            })
            .await?;
        Ok(Response::new(()))
    }
}
