//! What the first start creates: the five standard positions and the `admin` user; with
//! `--demo`, also the demo data of every module ([`demo`]). Idempotent: each start
//! creates only what is missing.

mod demo;
mod org;
mod positions;

use diesel::prelude::*;

use crate::auth::new_secret;
use crate::clock::Clock;
use crate::crypto::DataKey;
use crate::db::models::audit_log::AuditKey;
use crate::db::models::{Actor, Grants, WriteCtx, position};
use crate::db::schema::{positions as position_rows, users};
use crate::error::AppResult;

pub use demo::DEMO_PASSWORD;

/// The standard positions' names.
pub const ADMIN_POSITION: &str = "系统管理员";
/// 营销经理: sales manager.
pub const SALES_MANAGER_POSITION: &str = "营销经理";
/// 营销员: sales rep.
pub const SALES_REP_POSITION: &str = "营销员";
/// 客服: customer-service rep.
pub const SERVICE_POSITION: &str = "客服";
/// 财务: finance.
pub const FINANCE_POSITION: &str = "财务";

/// What seeding did that the operator must hear about.
#[derive(Debug, Default)]
pub struct SeedReport {
    /// The generated `admin` password, when it was generated now.
    pub generated_admin_password: Option<String>,
    /// Whether the `admin` user was created now.
    pub created_admin: bool,
}

/// What `--demo` needs besides the database: the key for ID numbers, and the clock the
/// demo's business dates are relative to.
pub struct Demo<'a> {
    /// Encrypts the demo customers' ID numbers.
    pub data_key: &'a DataKey,
    /// Today, in the business time zone.
    pub clock: &'a Clock,
}

/// Creates what is missing, in one transaction.
pub fn seed(
    conn: &mut PgConnection,
    audit_key: &AuditKey,
    admin_password: Option<&str>,
    demo: Option<Demo<'_>>,
) -> AppResult<SeedReport> {
    conn.transaction(|conn| {
        let actor = Actor::system();
        let grants = Grants::all();
        let ctx = WriteCtx::new(&actor, &grants, audit_key);
        let mut report = SeedReport::default();
        let any_position: i64 = position_rows::table.count().get_result(conn)?;
        if any_position == 0 {
            for (input, builtin) in positions::standard_positions() {
                position::create(conn, ctx, &input, builtin)?;
            }
        }
        position::sync_builtin(conn)?;

        let any_admin: i64 = users::table
            .filter(users::username.eq("admin"))
            .count()
            .get_result(conn)?;
        if any_admin == 0 {
            let password = match admin_password {
                Some(p) => p.to_owned(),
                None => {
                    let generated = new_secret()[..16].to_owned();
                    report.generated_admin_password = Some(generated.clone());
                    generated
                }
            };
            org::ensure_user(
                conn,
                ctx,
                "admin",
                "系统管理员",
                None,
                ADMIN_POSITION,
                &password,
            )?;
            report.created_admin = true;
        }

        if let Some(demo_data) = demo {
            demo::seed(conn, ctx, &demo_data)?;
        }
        Ok(report)
    })
}
