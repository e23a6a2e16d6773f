//! `--demo`: demo departments, one demo user per position, and each module's demo data
//! (a drug catalogue, customers…), created once.

mod customers;
mod drugs;
mod orders;

use diesel::PgConnection;

use super::org::{ensure_department, ensure_user};
use super::{Demo, FINANCE_POSITION, SALES_MANAGER_POSITION, SALES_REP_POSITION, SERVICE_POSITION};
use crate::db::models::WriteCtx;
use crate::error::AppResult;

/// The password of every demo user (written in the README).
pub const DEMO_PASSWORD: &str = "demo-2026";

/// Creates what is missing of the demo data.
pub fn seed(conn: &mut PgConnection, ctx: WriteCtx<'_>, demo: &Demo<'_>) -> AppResult<()> {
    let hq = ensure_department(conn, ctx, "总部", None)?;
    let sales = ensure_department(conn, ctx, "营销中心", Some(hq))?;
    let sales1 = ensure_department(conn, ctx, "营销一部", Some(sales))?;
    let sales2 = ensure_department(conn, ctx, "营销二部", Some(sales))?;
    let service = ensure_department(conn, ctx, "客服部", Some(hq))?;
    let finance = ensure_department(conn, ctx, "财务部", Some(hq))?;
    drugs::seed(conn, ctx)?;
    for (username, name, dept, position) in [
        ("manager", "王经理", sales, SALES_MANAGER_POSITION),
        ("sales1", "李营销", sales1, SALES_REP_POSITION),
        ("sales2", "赵营销", sales2, SALES_REP_POSITION),
        ("service1", "陈客服", service, SERVICE_POSITION),
        ("finance1", "周财务", finance, FINANCE_POSITION),
    ] {
        ensure_user(
            conn,
            ctx,
            username,
            name,
            Some(dept),
            position,
            DEMO_PASSWORD,
        )?;
    }
    customers::seed(conn, ctx, demo)?;
    orders::seed(conn, ctx, demo)
}
