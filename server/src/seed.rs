//! What the first start creates: the five standard positions and the `admin` user; with
//! `--demo`, also demo departments and one demo user per position. Idempotent: each
//! start creates only what is missing.

use diesel::prelude::*;
use pharmacrm_shared::{DataScope, Permission};

use crate::auth::{hash_password_blocking, new_secret};
use crate::db::models::audit_log::AuditKey;
use crate::db::models::department::{self, DepartmentInput};
use crate::db::models::position::{self, PositionInput};
use crate::db::models::user::{self, NewUserInput, UserProfile};
use crate::db::models::{Actor, Grants, WriteCtx};
use crate::db::schema::{departments, positions, users};
use crate::error::AppResult;

/// The password of every demo user (written in the README).
pub const DEMO_PASSWORD: &str = "demo-2026";

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

fn standard_positions() -> Vec<(PositionInput, bool)> {
    use Permission as P;
    let customer_work = [
        P::DrugRead,
        P::CustomerRead,
        P::CustomerWrite,
        P::CustomerTypeChange,
        P::CustomerProfileWrite,
        P::CustomerFollowupWrite,
        P::CustomerCertificateWrite,
        P::OrderRead,
        P::OrderWrite,
        P::ExceptionResolve,
        P::ArrearsRead,
    ];
    let position = |name: &str, description: &str, scope, perms: &[Permission]| PositionInput {
        name: name.to_owned(),
        description: description.to_owned(),
        permissions: perms.iter().copied().collect(),
        data_scope: scope,
    };
    vec![
        (
            position(
                ADMIN_POSITION,
                "系统管理员：拥有全部权限",
                DataScope::All,
                Permission::ALL,
            ),
            true,
        ),
        (
            position(
                SALES_MANAGER_POSITION,
                "营销经理：分配客户，查看本部门及下级部门的客户、订单和报表",
                DataScope::Department,
                &[
                    &customer_work[..],
                    &[P::CustomerAssign, P::ReportRead, P::ReportExport],
                ]
                .concat(),
            ),
            false,
        ),
        (
            position(
                SALES_REP_POSITION,
                "营销员：跟进自己负责的客户并下单",
                DataScope::Own,
                &customer_work,
            ),
            false,
        ),
        (
            position(
                SERVICE_POSITION,
                "客服：登记发货、维护到货状态、上报异常",
                DataScope::Own,
                &[
                    P::DrugRead,
                    P::CustomerRead,
                    P::CustomerFollowupWrite,
                    P::OrderRead,
                    P::ShipmentWrite,
                    P::ExceptionReport,
                ],
            ),
            false,
        ),
        (
            position(
                FINANCE_POSITION,
                "财务：开票、回款、对账和欠款",
                DataScope::All,
                &[
                    P::DrugRead,
                    P::CustomerRead,
                    P::OrderRead,
                    P::FinanceRead,
                    P::InvoiceWrite,
                    P::PaymentWrite,
                    P::FinanceReconcile,
                    P::ArrearsRead,
                    P::ReportRead,
                    P::ReportExport,
                ],
            ),
            false,
        ),
    ]
}

fn position_id(conn: &mut PgConnection, name: &str) -> AppResult<i64> {
    Ok(positions::table
        .filter(positions::name.eq(name))
        .filter(positions::is_active.eq(true))
        .select(positions::id)
        .first(conn)?)
}

fn ensure_department(
    conn: &mut PgConnection,
    ctx: WriteCtx<'_>,
    name: &str,
    parent_id: Option<i64>,
) -> AppResult<i64> {
    let existing = departments::table
        .filter(departments::name.eq(name))
        .filter(departments::is_active.eq(true))
        .filter(departments::parent_id.is_not_distinct_from(parent_id))
        .select(departments::id)
        .first::<i64>(conn)
        .optional()?;
    match existing {
        Some(id) => Ok(id),
        None => Ok(department::create(
            conn,
            ctx,
            &DepartmentInput {
                name: name.to_owned(),
                parent_id,
            },
        )?
        .department
        .id),
    }
}

fn ensure_user(
    conn: &mut PgConnection,
    ctx: WriteCtx<'_>,
    username: &str,
    display_name: &str,
    department_id: Option<i64>,
    position: &str,
    password: &str,
) -> AppResult<bool> {
    if user::find_by_username(conn, username)?.is_some() {
        return Ok(false);
    }
    let position_ids = vec![position_id(conn, position)?];
    let hash = hash_password_blocking(password)?;
    user::create(
        conn,
        ctx,
        &NewUserInput {
            username: username.to_owned(),
            profile: UserProfile {
                display_name: display_name.to_owned(),
                department_id,
                phone: String::new(),
                position_ids,
            },
        },
        Some(&hash),
    )?;
    Ok(true)
}

/// A small drug catalogue for the demo, created once (when the catalogue is empty).
fn demo_catalogue(conn: &mut PgConnection, ctx: WriteCtx<'_>) -> AppResult<()> {
    use crate::db::models::container_unit::{self, UnitInput};
    use crate::db::models::drug::{self, DrugInput};
    use crate::db::models::drug_category;
    use crate::db::schema::drugs;
    use pharmacrm_shared::money::parse_price;

    let any_drug: i64 = drugs::table.count().get_result(conn)?;
    if any_drug > 0 {
        return Ok(());
    }
    let roots = drug_category::list(conn)?;
    let root = |origin: &str| {
        roots
            .iter()
            .find(|c| c.category.parent_id.is_none() && c.category.origin == origin)
            .map(|c| c.category.id)
            .expect("the migration seeds both top-level classes")
    };
    let antibiotics = drug_category::create(conn, ctx, "抗生素", root("agency"))?
        .category
        .id;
    let penicillins = drug_category::create(conn, ctx, "青霉素类", antibiotics)?
        .category
        .id;
    let cephalosporins = drug_category::create(conn, ctx, "头孢菌素类", antibiotics)?
        .category
        .id;
    let analgesics = drug_category::create(conn, ctx, "解热镇痛药", root("self_produced"))?
        .category
        .id;
    let unit = |conn: &mut PgConnection, name: &str, capacity: &str, of: &str| -> AppResult<i64> {
        Ok(container_unit::create(
            conn,
            ctx,
            &UnitInput {
                name: name.to_owned(),
                capacity: pharmacrm_shared::money::parse_capacity(capacity).expect("demo capacity"),
                capacity_unit: of.to_owned(),
                note: String::new(),
            },
        )?
        .unit
        .id)
    };
    let box24 = unit(conn, "盒", "24", "粒")?;
    let box6 = unit(conn, "盒", "6", "片")?;
    let bottle = unit(conn, "瓶", "100", "ml")?;
    for (name, trade, spec, form, maker, approval, category, unit, purchase, sale) in [
        (
            "阿莫西林胶囊",
            "阿莫仙",
            "0.25g×24粒",
            "胶囊剂",
            "珠海联邦制药股份有限公司",
            "国药准字H44021351",
            penicillins,
            box24,
            "8.5",
            "12.8",
        ),
        (
            "头孢克肟片",
            "世福素",
            "0.1g×6片",
            "片剂",
            "广州白云山制药股份有限公司",
            "国药准字H20030739",
            cephalosporins,
            box6,
            "18.2",
            "26.5",
        ),
        (
            "布洛芬缓释胶囊",
            "",
            "0.3g×24粒",
            "胶囊剂",
            "本公司",
            "国药准字H10900089",
            analgesics,
            box24,
            "6.35",
            "9.9",
        ),
        (
            "布洛芬混悬液",
            "",
            "100ml:2g",
            "口服混悬剂",
            "本公司",
            "国药准字H19991011",
            analgesics,
            bottle,
            "10.5",
            "15.8",
        ),
    ] {
        drug::create(
            conn,
            ctx,
            &DrugInput {
                name: name.to_owned(),
                trade_name: trade.to_owned(),
                specification: spec.to_owned(),
                dosage_form: form.to_owned(),
                manufacturer: maker.to_owned(),
                approval_number: approval.to_owned(),
                category_id: category,
                unit_id: unit,
                purchase_price: parse_price(purchase).expect("demo price"),
                sale_price: parse_price(sale).expect("demo price"),
                note: String::new(),
            },
        )?;
    }
    Ok(())
}

/// A few demo customers for 营销一部/二部, once: one with a certificate expiring in ten
/// days and a follow-up due, so "my work" has something to show.
fn demo_customers(
    conn: &mut PgConnection,
    ctx: WriteCtx<'_>,
    key: &crate::crypto::DataKey,
) -> AppResult<()> {
    use crate::db::models::customer::{self, CustomerInput};
    use crate::db::models::customer_certificate::{self, CertificateInput};
    use crate::db::models::customer_followup::{self, FollowupInput};
    use crate::db::models::customer_type;
    use crate::db::schema::{customers, drugs};

    let any: i64 = customers::table.count().get_result(conn)?;
    if any > 0 {
        return Ok(());
    }
    let mut user = |name: &str| -> AppResult<i64> {
        Ok(user::find_by_username(conn, name)?
            .map(|u| u.id)
            .unwrap_or_default())
    };
    let (sales1, sales2, service1) = (user("sales1")?, user("sales2")?, user("service1")?);
    let types = customer_type::list(conn, false)?;
    let type_named = |name: &str| types.iter().find(|t| t.name == name).map_or(0, |t| t.id);
    let drug_ids: Vec<i64> = drugs::table
        .select(drugs::id)
        .order(drugs::id)
        .limit(2)
        .load(conn)?;
    let viewer = customer::Viewer {
        user_id: 0,
        scope: Some(DataScope::All),
        department_id: None,
    };
    let hospital = customer::create(
        conn,
        ctx,
        key,
        &CustomerInput {
            name: "北京协和医院".to_owned(),
            contact_person: "张主任".to_owned(),
            id_number: Some("11010519491231002X".to_owned()),
            phone: "010-69156114".to_owned(),
            postcode: "100730".to_owned(),
            province_code: "11".to_owned(),
            city_code: "110101".to_owned(),
            address: "东单帅府园一号".to_owned(),
            business_kind: "hospital".to_owned(),
            type_id: type_named("成交"),
            drug_ids,
            credit_days: 60,
            sales_rep_id: Some(sales1),
            cs_rep_id: Some(service1),
            ..Default::default()
        },
    )?;
    let today = chrono::Local::now().date_naive();
    customer_certificate::save(
        conn,
        ctx,
        &viewer,
        &CertificateInput {
            id: 0,
            customer_id: hospital.customer.id,
            version: 0,
            kind: "medical_institution".to_owned(),
            number: "PDY00001X110101".to_owned(),
            authority: "北京市卫生健康委员会".to_owned(),
            issued_on: Some(today - chrono::Duration::days(1800)),
            expires_on: Some(today + chrono::Duration::days(10)),
            scan: None,
        },
    )?;
    customer_followup::save(
        conn,
        ctx,
        &viewer,
        &FollowupInput {
            id: 0,
            customer_id: hospital.customer.id,
            version: 0,
            happened_at: chrono::Utc::now() - chrono::Duration::days(7),
            method: "visit".to_owned(),
            content: "拜访药剂科，介绍阿莫西林胶囊".to_owned(),
            result: "同意试用".to_owned(),
            next_on: Some(today - chrono::Duration::days(1)),
        },
    )?;
    customer::create(
        conn,
        ctx,
        key,
        &CustomerInput {
            name: "康民大药房".to_owned(),
            contact_person: "刘店长".to_owned(),
            phone: "13800138000".to_owned(),
            province_code: "44".to_owned(),
            city_code: "4401".to_owned(),
            address: "天河路 100 号".to_owned(),
            business_kind: "pharmacy".to_owned(),
            type_id: type_named("意向"),
            credit_days: 30,
            sales_rep_id: Some(sales2),
            cs_rep_id: Some(service1),
            ..Default::default()
        },
    )?;
    Ok(())
}

/// Creates what is missing, in one transaction.
pub fn seed(
    conn: &mut PgConnection,
    audit_key: &AuditKey,
    admin_password: Option<&str>,
    demo: Option<&crate::crypto::DataKey>,
) -> AppResult<SeedReport> {
    conn.transaction(|conn| {
        let actor = Actor::system();
        let grants = Grants::all();
        let ctx = WriteCtx {
            actor: &actor,
            grants: &grants,
            audit_key,
        };
        let mut report = SeedReport::default();
        let any_position: i64 = positions::table.count().get_result(conn)?;
        if any_position == 0 {
            for (input, builtin) in standard_positions() {
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
            ensure_user(
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

        if let Some(data_key) = demo {
            let hq = ensure_department(conn, ctx, "总部", None)?;
            let sales = ensure_department(conn, ctx, "营销中心", Some(hq))?;
            let sales1 = ensure_department(conn, ctx, "营销一部", Some(sales))?;
            let sales2 = ensure_department(conn, ctx, "营销二部", Some(sales))?;
            let service = ensure_department(conn, ctx, "客服部", Some(hq))?;
            let finance = ensure_department(conn, ctx, "财务部", Some(hq))?;
            demo_catalogue(conn, ctx)?;
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
            demo_customers(conn, ctx, data_key)?;
        }
        Ok(report)
    })
}
