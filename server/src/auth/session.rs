//! The authenticated caller of one request, and where it called from.

use std::net::SocketAddr;

use pharmacrm_shared::{DataScope, Permission};
use tonic::transport::server::{TcpConnectInfo, TlsConnectInfo};

use crate::db::models::{Actor, Grants};
use crate::db::scope::Viewer;
use crate::error::{AppError, AppResult};

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
    /// What their active positions grant: permissions, each with its scope.
    pub grants: Grants,
    /// The data scope of this call: the widest that comes with the permissions it needs
    /// ([`Grants::scope_for`]); `None` when none comes (their own records only).
    pub data_scope: Option<DataScope>,
    /// The client's address.
    pub peer: String,
    /// Their password was set by an administrator and is to be changed first: only the
    /// caller's own account may be used ([`crate::access::Access::Authenticated`]).
    pub must_change_password: bool,
    /// The call came with an API token (a service account's, lasting until an
    /// administrator revokes it), not a login session.
    pub is_api_token: bool,
}

impl Session {
    /// Whether the caller holds `permission`.
    pub fn has(&self, permission: Permission) -> bool {
        self.grants.permissions.contains(&permission)
    }

    /// What the caller holds.
    pub fn grants(&self) -> Grants {
        self.grants.clone()
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

impl Session {
    /// The caller as a viewer of scoped records (customers and what hangs off them).
    pub fn viewer(&self) -> Viewer {
        Viewer {
            user_id: self.user_id,
            scope: self.data_scope,
            department_id: self.department_id,
        }
    }
}
