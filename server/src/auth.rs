//! Authentication: passwords, tokens, and the layer that turns a bearer token into a
//! [`Session`] in the request's extensions after checking the RPC's required access
//! (the table in [`crate::access`]). Handlers never check tokens themselves.

use std::collections::BTreeSet;
use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};

use argon2::{Algorithm, Argon2, Params, PasswordHasher, PasswordVerifier, Version};
use base64::Engine;
use chrono::Utc;
use pharmacrm_shared::{DataScope, Permission};
use rand::RngCore;
use sha2::{Digest, Sha256};
use tokio::sync::Semaphore;
use tonic::Status;
use tonic::transport::server::{TcpConnectInfo, TlsConnectInfo};

use crate::access::{self, Access};
use crate::app::AppState;
use crate::db::models::{Actor, Grants, position, session};
use crate::error::{AppError, AppResult, Msg};

/// The authenticated caller of one request.
#[derive(Clone, Debug)]
pub struct Session {
    /// The session or API token row.
    pub session_id: i64,
    /// The user.
    pub user_id: i64,
    /// Their login name.
    pub username: String,
    /// Their name for others.
    pub display_name: String,
    /// Their department.
    pub department_id: Option<i64>,
    /// The union of their active positions' permissions.
    pub permissions: BTreeSet<Permission>,
    /// The widest data scope of their positions; `None` with no active position.
    pub data_scope: Option<DataScope>,
    /// The client's address.
    pub peer: String,
}

impl Session {
    /// Whether the caller holds `permission`.
    pub fn has(&self, permission: Permission) -> bool {
        self.permissions.contains(&permission)
    }

    /// What the caller holds.
    pub fn grants(&self) -> Grants {
        Grants {
            permissions: self.permissions.clone(),
            data_scope: self.data_scope,
        }
    }

    /// The caller as the actor of a change.
    pub fn actor(&self) -> Actor {
        Actor {
            user_id: Some(self.user_id),
            username: self.username.clone(),
            peer: self.peer.clone(),
        }
    }

    /// The session the auth layer attached to `request`.
    pub fn of<T>(request: &tonic::Request<T>) -> AppResult<Session> {
        request
            .extensions()
            .get::<Session>()
            .cloned()
            .ok_or_else(|| {
                AppError::Internal(anyhow::anyhow!("no session on an authenticated RPC"))
            })
    }
}

/// The client's address as recorded in sessions and the audit log.
pub fn peer_of(extensions: &http::Extensions) -> String {
    let addr: Option<SocketAddr> = extensions
        .get::<TlsConnectInfo<TcpConnectInfo>>()
        .and_then(|i| i.get_ref().remote_addr())
        .or_else(|| {
            extensions
                .get::<TcpConnectInfo>()
                .and_then(|i| i.remote_addr())
        });
    addr.map(|a| a.to_string()).unwrap_or_default()
}

/// Argon2id hashing off the async threads, with a bound on concurrent hashes.
#[derive(Clone)]
pub struct Passwords {
    permits: Arc<Semaphore>,
}

/// OWASP's minimum for Argon2id: 19 MiB, 2 passes, 1 lane.
fn argon2() -> Argon2<'static> {
    Argon2::new(
        Algorithm::Argon2id,
        Version::V0x13,
        Params::new(19 * 1024, 2, 1, None).expect("valid Argon2 parameters"),
    )
}

/// Hashes a password (blocking; for start-up and commands).
pub fn hash_password_blocking(password: &str) -> anyhow::Result<String> {
    Ok(argon2()
        .hash_password(password.as_bytes())
        .map_err(|e| anyhow::anyhow!("hashing a password: {e}"))?
        .to_string())
}

/// A valid hash of a random password, verified against when the user does not exist so
/// that the answer takes as long either way.
static DUMMY_HASH: std::sync::LazyLock<String> = std::sync::LazyLock::new(|| {
    hash_password_blocking(&new_secret()).expect("hashing a random password")
});

impl Passwords {
    /// At most `max_concurrent` hashes at once.
    pub fn new(max_concurrent: usize) -> Passwords {
        Passwords {
            permits: Arc::new(Semaphore::new(max_concurrent.max(1))),
        }
    }

    /// Hashes `password`.
    pub async fn hash(&self, password: String) -> AppResult<String> {
        let _permit = self
            .permits
            .acquire()
            .await
            .map_err(|e| AppError::Internal(e.into()))?;
        tokio::task::spawn_blocking(move || hash_password_blocking(&password))
            .await
            .map_err(|e| AppError::Internal(e.into()))?
            .map_err(AppError::Internal)
    }

    /// Whether `password` matches `hash`; with no hash (unknown user, service account)
    /// it spends the same time and answers false.
    pub async fn verify(&self, password: String, hash: Option<String>) -> AppResult<bool> {
        let _permit = self
            .permits
            .acquire()
            .await
            .map_err(|e| AppError::Internal(e.into()))?;
        tokio::task::spawn_blocking(move || {
            let known = hash.is_some();
            let hash = hash.unwrap_or_else(|| DUMMY_HASH.clone());
            let ok = argon2()
                .verify_password(password.as_bytes(), hash.as_str())
                .is_ok();
            known && ok
        })
        .await
        .map_err(|e| AppError::Internal(e.into()))
    }
}

/// 256 random bits, URL-safe base64: session tokens, API tokens, generated passwords.
pub fn new_secret() -> String {
    let mut bytes = [0_u8; 32];
    rand::rng().fill_bytes(&mut bytes);
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
}

/// The stored form of a token. Tokens carry 256 random bits, so a fast hash suffices.
pub fn token_hash(token: &str) -> Vec<u8> {
    Sha256::digest(token.as_bytes()).to_vec()
}

fn unauthenticated(en: &str, zh: &str) -> AppError {
    AppError::Unauthenticated(Msg::new(en, zh))
}

/// Resolves a bearer token to a session (blocking: call through `Db::run`).
pub fn authenticate(
    conn: &mut diesel::PgConnection,
    state: &AppState,
    token: &str,
    peer: String,
) -> AppResult<Session> {
    let now = Utc::now();
    let Some((row, user)) = session::find_by_token(conn, &token_hash(token))? else {
        return Err(unauthenticated(
            "not logged in or the token is invalid; log in again",
            "未登录或令牌无效，请重新登录",
        ));
    };
    if !user.is_active {
        return Err(unauthenticated("this account is disabled", "该账号已停用"));
    }
    if row.kind == session::KIND_LOGIN {
        let idle = chrono::Duration::from_std(state.policy.idle_timeout)
            .map_err(|e| AppError::Internal(e.into()))?;
        let idle_expired = row.last_seen_at.is_none_or(|seen| seen + idle <= now);
        let absolute_expired = row.absolute_expires_at.is_none_or(|at| at <= now);
        if idle_expired || absolute_expired {
            session::revoke(conn, row.id)?;
            return Err(unauthenticated(
                "your session has expired; log in again",
                "会话已过期，请重新登录",
            ));
        }
    }
    session::touch(conn, row.id, row.last_seen_at, now)?;
    let (permissions, data_scope) = position::grants(conn, user.id)?;
    Ok(Session {
        session_id: row.id,
        user_id: user.id,
        username: user.username,
        display_name: user.display_name,
        department_id: user.department_id,
        permissions,
        data_scope,
        peer,
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
                    tracing::warn!(%path, "refused a call to an RPC with no access entry");
                    let status: Status = AppError::PermissionDenied(Msg::new(
                        "this method is not available",
                        "该方法不可用",
                    ))
                    .into();
                    return Ok(status.into_http());
                }
            };
            let token = request
                .headers()
                .get(http::header::AUTHORIZATION)
                .and_then(|v| v.to_str().ok())
                .and_then(|v| v.strip_prefix("Bearer "))
                .map(|t| t.trim().to_owned());
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

async fn check(
    state: &Arc<AppState>,
    token: Option<String>,
    peer: String,
    needed: Access,
) -> AppResult<Session> {
    let token = token.filter(|t| !t.is_empty()).ok_or_else(|| {
        unauthenticated(
            "missing `authorization: Bearer <token>`; log in first",
            "缺少登录令牌，请先登录",
        )
    })?;
    let st = state.clone();
    let session = state
        .db
        .run(move |conn| authenticate(conn, &st, &token, peer))
        .await?;
    if let Access::Requires(permission) = needed
        && !session.has(permission)
    {
        return Err(AppError::PermissionDenied(Msg::new(
            format!(
                "you need the permission “{}” ({})",
                permission.label_en(),
                permission.code()
            ),
            format!(
                "您没有“{}”权限（{}）",
                permission.label_zh(),
                permission.code()
            ),
        )));
    }
    Ok(session)
}
