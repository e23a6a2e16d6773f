//! The data scope: which records a caller may see (spec §3 "Permissions": own customers
//! only, the user's department and its sub-departments, or all).
//!
//! Every scoped module applies it **in SQL**: customers directly, and everything that
//! hangs off a customer (orders, shipments, receivables) through the customer; report
//! aggregates by the reps their records were credited to ([`credited_sql`]). A record
//! outside the scope is NOT_FOUND, never loaded and filtered afterwards.
//!
//! The scope is a set of responsible reps: a customer is visible when its sales rep or its
//! CS rep is one of the reps the viewer may see.

use diesel::dsl;
use diesel::pg::Pg;
use diesel::prelude::*;
use diesel::sql_types::Bool;
use pharmacrm_shared::DataScope;

use super::models::department;
use super::sql::{Sql, Value};
use super::versioned::Versioned;
use crate::db::schema::{customers, users};
use crate::error::{AppError, AppResult};
use crate::msg;

/// Who is looking, and with which scope.
#[derive(Debug, Clone)]
pub struct Viewer {
    /// The caller.
    pub user_id: i64,
    /// The scope of the call (that of the permission it needs: `Grants::scope_for`);
    /// `None` sees only their own.
    pub scope: Option<DataScope>,
    /// Their department, the root of a department scope.
    pub department_id: Option<i64>,
}

/// The reps whose customers a viewer sees.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Reps {
    /// Every customer.
    All,
    /// Customers whose sales or CS rep is one of these users.
    Only(Vec<i64>),
}

impl Reps {
    /// Whether a customer held by `sales_rep_id` / `cs_rep_id` is visible.
    pub fn covers(&self, sales_rep_id: i64, cs_rep_id: i64) -> bool {
        match self {
            Reps::All => true,
            Reps::Only(reps) => reps.contains(&sales_rep_id) || reps.contains(&cs_rep_id),
        }
    }

    /// Whether a record credited to `user_id` (a sales rep on an order, a handler on a
    /// payment) is within the scope.
    pub fn includes(&self, user_id: i64) -> bool {
        match self {
            Reps::All => true,
            Reps::Only(reps) => reps.contains(&user_id),
        }
    }
}

impl Viewer {
    /// The reps this viewer sees (one query for a department scope, none otherwise).
    pub fn reps(&self, conn: &mut PgConnection) -> AppResult<Reps> {
        match self.scope {
            Some(DataScope::All) => Ok(Reps::All),
            Some(DataScope::Department) => {
                let mut reps = vec![self.user_id];
                if let Some(dept) = self.department_id {
                    let depts = department::subtree_ids(conn, dept)?;
                    reps.extend(
                        users::table
                            .filter(users::department_id.eq_any(depts))
                            .select(users::id)
                            .load::<i64>(conn)?,
                    );
                }
                Ok(Reps::Only(reps))
            }
            Some(DataScope::Own) | None => Ok(Reps::Only(vec![self.user_id])),
        }
    }
}

/// The active departments whose people `viewer` sees (their scope), for filters: every
/// one for scope all; their department and those under it for a department scope; their
/// department alone for their own (none without one). In the order they were created, as
/// [`department::list`] gives them.
pub fn departments(
    conn: &mut PgConnection,
    viewer: &Viewer,
) -> AppResult<Vec<department::Department>> {
    use crate::db::schema::departments;
    let mut q = departments::table
        .filter(departments::is_active.eq(true))
        .into_boxed();
    match (viewer.scope, viewer.department_id) {
        (Some(DataScope::All), _) => {}
        (Some(DataScope::Department), Some(own)) => {
            q = q.filter(departments::id.eq_any(department::subtree_ids(conn, own)?));
        }
        (_, Some(own)) => q = q.filter(departments::id.eq(own)),
        (_, None) => return Ok(Vec::new()),
    }
    Ok(q.order(departments::id)
        .select(department::Department::as_select())
        .load(conn)?)
}

/// A condition on the `customers` table.
pub type CustomerCondition = Box<dyn BoxableExpression<customers::table, Pg, SqlType = Bool>>;

/// The customers `reps` covers, as a condition on `customers`.
pub fn customers_of(reps: &Reps) -> CustomerCondition {
    match reps {
        Reps::All => Box::new(dsl::sql::<Bool>("TRUE")),
        Reps::Only(reps) => Box::new(served_by(reps.clone())),
    }
}

/// The customers whose sales rep or CS rep is one of `reps`, as a condition on
/// `customers` (also in a query joining it): the one place the rule is written in the DSL.
#[diesel::dsl::auto_type]
pub fn served_by(reps: Vec<i64>) -> _ {
    let also: Vec<i64> = reps.clone();
    customers::sales_rep_id
        .eq_any(reps)
        .or(customers::cs_rep_id.eq_any(also))
}

/// The ids of the customers served by the users `reps` (a [`Reps::Only`]'s), as a
/// sub-select for `customer_id.eq_any(…)` on a table with a customer id (the payment and
/// invoice lists; a boxed [`customers_of`] cannot stand in a sub-select).
#[diesel::dsl::auto_type]
pub fn customers_served_by(reps: Vec<i64>) -> _ {
    let condition: served_by = served_by(reps);
    customers::table.filter(condition).select(customers::id)
}

/// The customers `reps` covers, as a condition in SQL text on the `customers` row aliased
/// `alias` (for the searches written with [`super::sql::Sql`]): `TRUE` for every customer.
pub fn customers_sql(reps: &Reps, alias: &str) -> Sql {
    credited_sql(
        reps,
        &format!("{alias}.sales_rep_id"),
        &format!("{alias}.cs_rep_id"),
    )
}

/// The records `reps` covers by the reps they are credited to — the SQL expressions
/// `sales_rep` and `cs_rep` (a sale's, an order's, a payment's reps of that moment) — as a
/// condition in SQL text: `TRUE` for every record. What the reports aggregate is scoped
/// so, not by who holds the customer today: a closed month's figures stay as they were
/// when a customer moves to another department (README: a sale counts for the rep who
/// held the customer when it shipped).
pub fn credited_sql(reps: &Reps, sales_rep: &str, cs_rep: &str) -> Sql {
    match reps {
        Reps::All => Sql::new("TRUE"),
        Reps::Only(ids) => {
            let mut sql = Sql::new(&format!("({sales_rep} = ANY("));
            sql.bind(Value::IntArray(ids.clone()))
                .push(&format!(") OR {cs_rep} = ANY("))
                .bind(Value::IntArray(ids.clone()))
                .push("))");
            sql
        }
    }
}

/// Whether `reps` covers customer `customer_id` (no query for [`Reps::All`]): the scope
/// check of a record that hangs off a customer (an order, a shipment, an exception).
pub fn covers_customer(conn: &mut PgConnection, reps: &Reps, customer_id: i64) -> AppResult<bool> {
    match reps {
        Reps::All => Ok(true),
        Reps::Only(_) => Ok(customers::table
            .filter(customers_of(reps))
            .filter(customers::id.eq(customer_id))
            .select(customers::id)
            .first::<i64>(conn)
            .optional()?
            .is_some()),
    }
}

/// A record that hangs off a customer (an order, a shipment, a transport exception): it is
/// seen through its customer. Implemented by [`of_customer!`](crate::of_customer).
pub trait OfCustomer: Versioned {
    /// The customer it belongs to.
    fn customer_id(&self) -> i64;
    /// Reads the row without locking it; NOT_FOUND when there is none.
    fn get(conn: &mut PgConnection, id: i64) -> AppResult<Self>;
    /// The NOT_FOUND error of this kind of record.
    fn missing() -> AppError;
}

/// Implements [`OfCustomer`] for a versioned row struct with a `customer_id` field, and
/// defines the module's `find(conn, reps, id, lock)`: the row if `reps` covers its
/// customer, else NOT_FOUND, locked with `lock` ([`find_of_customer`]).
/// `of_customer!(Order, orders, not_found)`.
#[macro_export]
macro_rules! of_customer {
    ($row:ty, $table:ident, $not_found:expr) => {
        /// The row if the caller's scope covers its customer, else NOT_FOUND; with `lock`,
        /// locked for the rest of the transaction.
        pub fn find(
            conn: &mut diesel::PgConnection,
            reps: &$crate::db::scope::Reps,
            id: i64,
            lock: bool,
        ) -> $crate::error::AppResult<$row> {
            $crate::db::scope::find_of_customer(conn, reps, id, lock)
        }

        impl $crate::db::scope::OfCustomer for $row {
            fn customer_id(&self) -> i64 {
                self.customer_id
            }

            fn get(conn: &mut diesel::PgConnection, id: i64) -> $crate::error::AppResult<Self> {
                use diesel::prelude::*;
                $table::table
                    .find(id)
                    .select(<$row>::as_select())
                    .first(conn)
                    .optional()?
                    .ok_or_else($not_found)
            }

            fn missing() -> $crate::error::AppError {
                ($not_found)()
            }
        }
    };
}

/// Record `id` if `reps` covers its customer, else its NOT_FOUND; with `lock`, locked for
/// the rest of the transaction.
pub fn find_of_customer<T: OfCustomer>(
    conn: &mut PgConnection,
    reps: &Reps,
    id: i64,
    lock: bool,
) -> AppResult<T> {
    let row = if lock {
        T::lock(conn, id)?
    } else {
        T::get(conn, id)?
    };
    if covers_customer(conn, reps, row.customer_id())? {
        Ok(row)
    } else {
        Err(T::missing())
    }
}

/// Refuses with NOT_FOUND ("customer") unless the viewer may see customer `id`: the check
/// every record hanging off a customer makes first.
pub fn require_customer(conn: &mut PgConnection, viewer: &Viewer, id: i64) -> AppResult<()> {
    let reps = viewer.reps(conn)?;
    customers::table
        .filter(customers_of(&reps))
        .filter(customers::id.eq(id))
        .select(customers::id)
        .first::<i64>(conn)
        .optional()?
        .map(|_| ())
        .ok_or_else(|| AppError::not_found(msg!("customer.not_found")))
}
