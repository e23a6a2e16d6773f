//! The layer that turns a bearer token into a [`Session`] in the request's extensions
//! after checking the RPC's required access (the table in [`crate::access`]). Handlers
//! never check tokens themselves.

use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};

use chrono::{DateTime, Utc};
use tonic::Status;

use super::passwords::token_hash;
use super::session::{Session, peer_of};
use crate::access::{self, Access};
use crate::db::models::{position, session};
use crate::error::{AppError, AppResult};
use crate::messages::per_lang;
use crate::msg;
use crate::state::AppState;

/// Resolves a bearer token to a session (blocking: call through `Db::run`).
pub fn authenticate(
    conn: &mut diesel::PgConnection,
    state: &AppState,
    token: &str,
    peer: String,
) -> AppResult<Session> {
    let now = Utc::now();
    let Some((row, user)) = session::find_by_token(conn, &token_hash(token))? else {
        return Err(AppError::Unauthenticated(msg!("auth.session.invalid")));
    };
    let idle = chrono::Duration::from_std(state.policy.idle_timeout)
        .map_err(|e| AppError::Internal(e.into()))?;
    // A login session times out; an API token lasts until revoked.
    let expired_by = |at: DateTime<Utc>| {
        row.kind == session::KIND_LOGIN
            && (row.last_seen_at.is_none_or(|seen| seen + idle <= at)
                || row.absolute_expires_at.is_none_or(|end| end <= at))
    };
    if let Some(revoked_at) = row.revoked_at {
        // Ended by the first call that found it expired: the calls sent with it (a screen
        // asks several things at once) are told the same reason, not "invalid token".
        // Else it was ended on purpose: signed out, a password changed or reset, the
        // account disabled, a token revoked. Whoever holds an old token learns no more.
        return Err(AppError::Unauthenticated(if expired_by(revoked_at) {
            msg!("auth.session.expired")
        } else {
            msg!("auth.session.ended")
        }));
    }
    if !user.is_active {
        return Err(AppError::Unauthenticated(msg!("auth.session.disabled")));
    }
    if expired_by(now) {
        session::revoke(conn, row.id)?;
        return Err(AppError::Unauthenticated(msg!("auth.session.expired")));
    }
    session::touch(conn, row.id, row.last_seen_at, now)?;
    let grants = position::grants(conn, user.id)?;
    Ok(Session {
        session_id: row.id,
        user_id: user.id,
        username: user.username,
        display_name: user.display_name,
        department_id: user.department_id,
        // Set per call by `check`, from the permissions the call needs.
        data_scope: grants.scope_for(&[]),
        grants,
        peer,
        must_change_password: user.must_change_password,
        is_api_token: row.kind == session::KIND_API,
    })
}

/// Puts [`AuthMiddleware`] in front of every service.
#[derive(Clone)]
pub struct AuthLayer {
    state: Arc<AppState>,
}

impl AuthLayer {
    /// The layer for a server's state.
    pub fn new(state: Arc<AppState>) -> Self {
        AuthLayer { state }
    }
}

impl<S> tower::Layer<S> for AuthLayer {
    type Service = AuthMiddleware<S>;

    fn layer(&self, inner: S) -> Self::Service {
        AuthMiddleware {
            inner,
            state: self.state.clone(),
        }
    }
}

/// Checks every call against [`access::required`] before it reaches a handler.
#[derive(Clone)]
pub struct AuthMiddleware<S> {
    inner: S,
    state: Arc<AppState>,
}

type BoxFuture<T> = Pin<Box<dyn Future<Output = T> + Send>>;

impl<S, B, R> tower::Service<http::Request<B>> for AuthMiddleware<S>
where
    S: tower::Service<http::Request<B>, Response = http::Response<R>> + Clone + Send + 'static,
    S::Future: Send + 'static,
    B: Send + 'static,
    R: Default + Send + 'static,
{
    type Response = S::Response;
    type Error = S::Error;
    type Future = BoxFuture<Result<Self::Response, Self::Error>>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, mut request: http::Request<B>) -> Self::Future {
        // The clone that was polled ready serves this call.
        let clone = self.inner.clone();
        let mut inner = std::mem::replace(&mut self.inner, clone);
        let state = self.state.clone();
        Box::pin(async move {
            let path = request.uri().path().to_owned();
            let needed = match access::required(&path) {
                Some(Access::Open) => return inner.call(request).await,
                Some(needed) => needed,
                None => {
                    // Every RPC the server has is in the access table (a test checks):
                    // a path without an entry is a method it does not have.
                    tracing::warn!(%path, "refused a call to an RPC with no access entry");
                    let status: Status =
                        AppError::Unimplemented(msg!("auth.method_unavailable")).into();
                    return Ok(status.into_http());
                }
            };
            let token = request
                .headers()
                .get(http::header::AUTHORIZATION)
                .and_then(|v| v.to_str().ok())
                .and_then(bearer_token)
                .map(str::to_owned);
            let peer = peer_of(request.extensions());
            match check(&state, token, peer, needed).await {
                Ok(session) => {
                    request.extensions_mut().insert(session);
                    inner.call(request).await
                }
                Err(e) => Ok(Status::from(e).into_http()),
            }
        })
    }
}

/// The token of an `Authorization: Bearer <token>` header value; the scheme's name in any
/// case (RFC 7235 §2.1).
fn bearer_token(value: &str) -> Option<&str> {
    let (scheme, token) = value.trim_start().split_once(' ')?;
    scheme.eq_ignore_ascii_case("bearer").then(|| token.trim())
}

async fn check(
    state: &Arc<AppState>,
    token: Option<String>,
    peer: String,
    needed: Access,
) -> AppResult<Session> {
    let token = token
        .filter(|t| !t.is_empty())
        .ok_or_else(|| AppError::Unauthenticated(msg!("auth.session.missing")))?;
    let st = state.clone();
    let session = state
        .db
        .run(move |conn| authenticate(conn, &st, &token, peer))
        .await?;
    // A password an administrator set is changed before anything else is done with it:
    // the caller's own account (Me, ChangePassword, Logout) only.
    if session.must_change_password && !matches!(needed, Access::Authenticated) {
        return Err(AppError::precondition(msg!("auth.password.must_change")));
    }
    let mut session = session;
    let needs = needed.permissions();
    // The records this call reaches are those its permission comes with: another
    // position's wider scope goes with that position's permissions only.
    session.data_scope = session.grants.scope_for(needs);
    if !needs.is_empty() && !needs.iter().any(|p| session.has(*p)) {
        let (en, zh): (Vec<_>, Vec<_>) = needs.iter().map(|p| (p.label_en(), p.label_zh())).unzip();
        let codes: Vec<_> = needs.iter().map(|p| p.code()).collect();
        return Err(AppError::PermissionDenied(msg!(
            "auth.permission_needed",
            permission = per_lang(en.join("” or “"), zh.join("”或“")),
            code = codes.join(" / "),
        )));
    }
    Ok(session)
}
