//! What every panel receives: the backend, the logged-in API, who the user is, and the
//! navigation queue through which a panel opens another module at a record.

use std::cell::RefCell;
use std::collections::BTreeSet;
use std::future::Future;
use std::sync::{Arc, Mutex};

use pharmacrm_shared::{Permission, pb};

use crate::api::{Api, ApiError, ErrorKind};
use crate::backend::{Backend, Promise};

/// The connection as the status bar shows it.
#[derive(Clone, Debug, Default, PartialEq)]
pub enum Connection {
    /// The last call reached the server.
    #[default]
    Connected,
    /// The last call did not; why.
    Unreachable(String),
}

/// Where a panel asks the window to go: another module, at a record.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Navigate {
    /// A module's main screen.
    Module(pharmacrm_shared::Module),
    /// The rep's work list (我的工作).
    MyWork,
    /// 客户交接 with this employee chosen (from the user form of one who still holds
    /// customers and cannot be disabled until they are handed over).
    Handover {
        /// The employee handing customers over.
        employee: i64,
    },
    /// The customer view of this customer, opened from module `from` (its back button
    /// returns there).
    Customer {
        /// The customer.
        id: i64,
        /// The module that opened it.
        from: pharmacrm_shared::Module,
    },
    /// The order form, for this customer ("下单" in the customer view).
    NewOrder {
        /// The customer the order is for.
        customer_id: i64,
    },
    /// The order view of this order, opened from module `from` (its back button returns
    /// there; from 订单管理 itself, to the order list).
    Order {
        /// The order.
        id: i64,
        /// The module that opened it.
        from: pharmacrm_shared::Module,
    },
}

impl Navigate {
    /// The module that handles the target.
    pub fn module(&self) -> pharmacrm_shared::Module {
        use pharmacrm_shared::Module;
        match self {
            Navigate::Module(m) => *m,
            Navigate::MyWork | Navigate::Handover { .. } | Navigate::Customer { .. } => {
                Module::Customer
            }
            Navigate::NewOrder { .. } | Navigate::Order { .. } => Module::Order,
        }
    }
}

/// What every panel needs: the backend, the logged-in API, who the user is.
pub struct AppCtx {
    /// Runs calls off the UI thread.
    pub backend: Backend,
    /// The logged-in clients.
    pub api: Api,
    /// Who is logged in.
    pub me: pb::CurrentUser,
    /// The server address.
    pub server: String,
    permissions: BTreeSet<Permission>,
    pub(crate) connection: Arc<Mutex<Connection>>,
    pub(crate) expired: Arc<Mutex<Option<ApiError>>>,
    navigation: RefCell<Vec<Navigate>>,
}

impl AppCtx {
    /// The context of a logged-in user.
    pub fn new(backend: Backend, api: Api, me: pb::CurrentUser, server: String) -> AppCtx {
        crate::format::set_business_clock(&me);
        let permissions = me
            .permissions
            .iter()
            .filter_map(|c| Permission::from_code(c))
            .collect();
        AppCtx {
            backend,
            api,
            me,
            server,
            permissions,
            connection: Arc::default(),
            expired: Arc::default(),
            navigation: RefCell::default(),
        }
    }

    /// Whether the user holds `permission` (the server checks again).
    pub fn can(&self, permission: Permission) -> bool {
        self.permissions.contains(&permission)
    }

    /// Whether the user is a sales rep who sees only their own customers (data scope
    /// 本人, and places orders): a 营销员 filter or column would name only them. (A CS
    /// rep's own customers have several sales reps.)
    pub fn is_own_sales_rep(&self) -> bool {
        self.me.data_scope == pb::DataScope::Own as i32 && self.can(Permission::OrderWrite)
    }

    /// Asks the window to go to `target` once this frame is drawn.
    pub fn navigate(&self, target: Navigate) {
        self.navigation.borrow_mut().push(target);
    }

    /// The navigation asked for during this frame, oldest first.
    pub fn take_navigation(&self) -> Vec<Navigate> {
        std::mem::take(&mut self.navigation.borrow_mut())
    }

    /// Runs a call with the logged-in clients off the UI thread. A call that finds the
    /// session ended sends the whole window back to the login screen.
    pub fn call<T, F, Fut>(&self, f: F) -> Promise<T>
    where
        T: Send + 'static,
        F: FnOnce(Api) -> Fut,
        Fut: Future<Output = Result<T, tonic::Status>> + Send + 'static,
    {
        let future = f(self.api.clone());
        let connection = self.connection.clone();
        let expired = self.expired.clone();
        self.backend.spawn(async move {
            let result = future.await.map_err(ApiError::from);
            let state = match &result {
                Err(e) if e.kind == ErrorKind::Unreachable => Connection::Unreachable(e.message()),
                _ => Connection::Connected,
            };
            *connection.lock().expect("lock") = state;
            if let Err(e) = &result
                && e.is_unauthenticated()
            {
                *expired.lock().expect("lock") = Some(e.clone());
            }
            result
        })
    }

    /// The user's display name.
    pub fn display_name(&self) -> &str {
        self.me
            .user
            .as_ref()
            .map_or("", |u| u.display_name.as_str())
    }

    /// The user's id.
    pub fn user_id(&self) -> i64 {
        self.me.user.as_ref().map_or(0, |u| u.id)
    }

    /// Whether the user's data scope reaches beyond their own customers (a department's or
    /// the company's): their work lists are their team's.
    pub fn oversees(&self) -> bool {
        [pb::DataScope::Department, pb::DataScope::All]
            .iter()
            .any(|s| *s as i32 == self.me.data_scope)
    }
}
