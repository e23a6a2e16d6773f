//! Proto ↔ domain conversions, all here. Requests are destructured field by field, so a
//! new proto field breaks the build until it is handled; bad fields become
//! INVALID_ARGUMENT naming the field.

use std::collections::BTreeSet;

use chrono::{DateTime, Utc};
use pharmacrm_shared::validation;
use pharmacrm_shared::{DataScope, Permission, pb};
use prost_types::Timestamp;

use crate::db::models::audit_log::{AuditRow, Filter as AuditFilter};
use crate::db::models::department::{DepartmentInput, DepartmentView};
use crate::db::models::position::{PositionInput, PositionView};
use crate::db::models::session::SessionRow;
use crate::db::models::user::{NewUserInput, UserFilter, UserProfile, UserSort, UserView};
use crate::error::{AppError, AppResult, FieldCheck, Msg};

/// Default and maximum page sizes.
const DEFAULT_PAGE: u32 = 50;
const MAX_PAGE: u32 = 500;

/// A UTC time as a protobuf timestamp.
pub fn timestamp(t: DateTime<Utc>) -> Timestamp {
    Timestamp {
        seconds: t.timestamp(),
        nanos: i32::try_from(t.timestamp_subsec_nanos()).unwrap_or(0),
    }
}

/// A protobuf timestamp as a UTC time.
pub fn from_timestamp(field: &'static str, t: Timestamp) -> AppResult<DateTime<Utc>> {
    u32::try_from(t.nanos)
        .ok()
        .and_then(|nanos| DateTime::from_timestamp(t.seconds, nanos))
        .ok_or_else(|| AppError::field(field, Msg::new("not a valid time", "不是有效的时间")))
}

/// (offset, limit) of a page request.
pub fn page(page: Option<pb::PageRequest>) -> (i64, i64) {
    let pb::PageRequest { offset, limit } = page.unwrap_or_default();
    let limit = match limit {
        0 => DEFAULT_PAGE,
        n => n.min(MAX_PAGE),
    };
    (i64::from(offset), i64::from(limit))
}

fn count(n: i64) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

fn data_scope(field: &'static str, value: i32, check: &mut FieldCheck) -> Option<DataScope> {
    let scope = pb::DataScope::try_from(value)
        .ok()
        .and_then(|s| DataScope::try_from(s).ok());
    if scope.is_none() {
        check.fail(
            field,
            Msg::new(
                "choose own, department or all",
                "请选择数据范围：本人、本部门或全部",
            ),
        );
    }
    scope
}

fn permissions(codes: Vec<String>, check: &mut FieldCheck) -> BTreeSet<Permission> {
    let mut set = BTreeSet::new();
    for code in codes {
        match Permission::from_code(&code) {
            Some(p) => {
                set.insert(p);
            }
            None => {
                check.fail(
                    "permissions",
                    Msg::new(
                        format!("unknown permission “{code}”"),
                        format!("未知权限“{code}”"),
                    ),
                );
            }
        }
    }
    set
}

/// An id that must be positive.
pub fn id(field: &'static str, value: i64) -> AppResult<i64> {
    if value > 0 {
        Ok(value)
    } else {
        Err(AppError::field(field, Msg::new("is required", "必填")))
    }
}

impl From<DepartmentView> for pb::Department {
    fn from(v: DepartmentView) -> Self {
        let d = v.department;
        pb::Department {
            id: d.id,
            parent_id: d.parent_id,
            name: d.name,
            is_active: d.is_active,
            active_user_count: count(v.active_user_count),
            version: d.version,
            updated_at: Some(timestamp(d.updated_at)),
            updated_by: v.updated_by_name,
        }
    }
}

impl TryFrom<pb::CreateDepartmentRequest> for DepartmentInput {
    type Error = AppError;

    fn try_from(r: pb::CreateDepartmentRequest) -> AppResult<Self> {
        let pb::CreateDepartmentRequest { name, parent_id } = r;
        department_input(name, parent_id)
    }
}

fn department_input(name: String, parent_id: Option<i64>) -> AppResult<DepartmentInput> {
    FieldCheck::default()
        .check("name", validation::required_text(&name, 100))
        .finish()?;
    Ok(DepartmentInput {
        name: name.trim().to_owned(),
        parent_id,
    })
}

/// An UpdateDepartment request as (id, version, input).
pub fn update_department(r: pb::UpdateDepartmentRequest) -> AppResult<(i64, i32, DepartmentInput)> {
    {
        let pb::UpdateDepartmentRequest {
            id: dept_id,
            version,
            name,
            parent_id,
        } = r;
        Ok((
            id("id", dept_id)?,
            version,
            department_input(name, parent_id)?,
        ))
    }
}

impl From<PositionView> for pb::Position {
    fn from(v: PositionView) -> Self {
        let p = v.position;
        pb::Position {
            id: p.id,
            name: p.name,
            description: p.description,
            permissions: v.permissions,
            data_scope: DataScope::from_code(&p.data_scope)
                .map(|s| pb::DataScope::from(s) as i32)
                .unwrap_or_default(),
            is_builtin: p.is_builtin,
            is_active: p.is_active,
            active_user_count: count(v.active_user_count),
            version: p.version,
            updated_at: Some(timestamp(p.updated_at)),
            updated_by: v.updated_by_name,
        }
    }
}

fn position_input(
    name: String,
    description: String,
    codes: Vec<String>,
    scope: i32,
) -> AppResult<PositionInput> {
    let mut check = FieldCheck::default();
    check
        .check("name", validation::required_text(&name, 100))
        .check("description", validation::optional_text(&description, 500));
    let permissions = permissions(codes, &mut check);
    let scope = data_scope("data_scope", scope, &mut check);
    check.finish()?;
    Ok(PositionInput {
        name: name.trim().to_owned(),
        description: description.trim().to_owned(),
        permissions,
        data_scope: scope.expect("checked above"),
    })
}

impl TryFrom<pb::CreatePositionRequest> for PositionInput {
    type Error = AppError;

    fn try_from(r: pb::CreatePositionRequest) -> AppResult<Self> {
        let pb::CreatePositionRequest {
            name,
            description,
            permissions,
            data_scope,
        } = r;
        position_input(name, description, permissions, data_scope)
    }
}

/// An UpdatePosition request as (id, version, input).
pub fn update_position(r: pb::UpdatePositionRequest) -> AppResult<(i64, i32, PositionInput)> {
    {
        let pb::UpdatePositionRequest {
            id: position_id,
            version,
            name,
            description,
            permissions,
            data_scope,
        } = r;
        Ok((
            id("id", position_id)?,
            version,
            position_input(name, description, permissions, data_scope)?,
        ))
    }
}

impl From<UserView> for pb::User {
    fn from(v: UserView) -> Self {
        let u = v.user;
        pb::User {
            id: u.id,
            username: u.username,
            display_name: u.display_name,
            department_id: u.department_id,
            phone: u.phone,
            positions: v
                .positions
                .into_iter()
                .map(|(id, name)| pb::PositionRef { id, name })
                .collect(),
            is_active: u.is_active,
            is_service_account: u.is_service_account,
            version: u.version,
            created_at: Some(timestamp(u.created_at)),
            updated_at: Some(timestamp(u.updated_at)),
            updated_by: v.updated_by_name,
            department_name: v.department_name,
        }
    }
}

fn profile(
    check: &mut FieldCheck,
    display_name: String,
    department_id: Option<i64>,
    phone: String,
    mut position_ids: Vec<i64>,
) -> UserProfile {
    check
        .check(
            "display_name",
            validation::required_text(&display_name, 100),
        )
        .check("phone", validation::phone(&phone));
    position_ids.sort_unstable();
    position_ids.dedup();
    if position_ids.is_empty() {
        check.fail(
            "position_ids",
            Msg::new("choose at least one position", "请至少选择一个岗位"),
        );
    }
    UserProfile {
        display_name: display_name.trim().to_owned(),
        department_id,
        phone: phone.trim().to_owned(),
        position_ids,
    }
}

/// A CreateUser request as (input, password).
pub fn create_user(r: pb::CreateUserRequest) -> AppResult<(NewUserInput, String)> {
    {
        let pb::CreateUserRequest {
            username,
            display_name,
            department_id,
            phone,
            position_ids,
            password,
        } = r;
        let mut check = FieldCheck::default();
        check
            .check("username", validation::username(username.trim()))
            .check("password", validation::password(&password));
        let profile = profile(&mut check, display_name, department_id, phone, position_ids);
        check.finish()?;
        Ok((
            NewUserInput {
                username: username.trim().to_lowercase(),
                profile,
            },
            password,
        ))
    }
}

impl TryFrom<pb::CreateServiceAccountRequest> for NewUserInput {
    type Error = AppError;

    fn try_from(r: pb::CreateServiceAccountRequest) -> AppResult<Self> {
        let pb::CreateServiceAccountRequest {
            username,
            display_name,
            department_id,
            position_ids,
        } = r;
        let mut check = FieldCheck::default();
        check.check("username", validation::username(username.trim()));
        let profile = profile(
            &mut check,
            display_name,
            department_id,
            String::new(),
            position_ids,
        );
        check.finish()?;
        Ok(NewUserInput {
            username: username.trim().to_lowercase(),
            profile,
        })
    }
}

/// An UpdateUser request as (id, version, profile).
pub fn update_user(r: pb::UpdateUserRequest) -> AppResult<(i64, i32, UserProfile)> {
    {
        let pb::UpdateUserRequest {
            id: user_id,
            version,
            display_name,
            department_id,
            phone,
            position_ids,
        } = r;
        let user_id = id("id", user_id)?;
        let mut check = FieldCheck::default();
        let profile = profile(&mut check, display_name, department_id, phone, position_ids);
        check.finish()?;
        Ok((user_id, version, profile))
    }
}

/// A ListUsers request as (filter, (offset, limit)).
pub fn list_users(r: pb::ListUsersRequest) -> (UserFilter, (i64, i64)) {
    {
        let pb::ListUsersRequest {
            query,
            department_id,
            position_id,
            include_inactive,
            sort,
            descending,
            page: page_request,
        } = r;
        let sort = match pb::UserSort::try_from(sort).unwrap_or_default() {
            pb::UserSort::Unspecified | pb::UserSort::Username => UserSort::Username,
            pb::UserSort::DisplayName => UserSort::DisplayName,
            pb::UserSort::Department => UserSort::Department,
            pb::UserSort::CreatedAt => UserSort::CreatedAt,
        };
        (
            UserFilter {
                query,
                department_id,
                position_id,
                include_inactive,
                sort,
                descending,
            },
            page(page_request),
        )
    }
}

impl From<SessionRow> for pb::ApiToken {
    fn from(s: SessionRow) -> Self {
        pb::ApiToken {
            id: s.id,
            user_id: s.user_id,
            label: s.label,
            created_at: Some(timestamp(s.created_at)),
            last_used_at: s.last_seen_at.map(timestamp),
            revoked_at: s.revoked_at.map(timestamp),
        }
    }
}

impl From<AuditRow> for pb::AuditEntry {
    fn from(r: AuditRow) -> Self {
        let json = |v: Option<serde_json::Value>| {
            v.map(|v| serde_json::to_string_pretty(&v).unwrap_or_default())
                .unwrap_or_default()
        };
        pb::AuditEntry {
            id: r.id,
            at: Some(timestamp(r.at)),
            user_id: r.user_id,
            username: r.username,
            peer: r.peer,
            action: r.action,
            object_type: r.object_type,
            object_id: r.object_id,
            before_json: json(r.before),
            after_json: json(r.after),
        }
    }
}

/// A SearchAudit request as (filter, (offset, limit)).
pub fn search_audit(r: pb::SearchAuditRequest) -> AppResult<(AuditFilter, (i64, i64))> {
    {
        let pb::SearchAuditRequest {
            user_id,
            object_type,
            object_id,
            action,
            from,
            to,
            page: page_request,
        } = r;
        let non_empty = |s: String| {
            let s = s.trim().to_owned();
            (!s.is_empty()).then_some(s)
        };
        Ok((
            AuditFilter {
                user_id,
                object_type: non_empty(object_type),
                object_id: non_empty(object_id),
                action: non_empty(action),
                from: from.map(|t| from_timestamp("from", t)).transpose()?,
                to: to.map(|t| from_timestamp("to", t)).transpose()?,
            },
            page(page_request),
        ))
    }
}

// ---- Drug catalogue ----

use crate::db::models::container_unit::{UnitInput, UnitView};
use crate::db::models::drug::{DrugFilter, DrugInput, DrugSort, DrugView, StatusFilter, Warning};
use crate::db::models::drug_category::CategoryView;
use pharmacrm_shared::money;

fn origin(code: &str) -> i32 {
    match code {
        "agency" => pb::DrugOrigin::Agency as i32,
        "self_produced" => pb::DrugOrigin::SelfProduced as i32,
        _ => pb::DrugOrigin::Unspecified as i32,
    }
}

impl From<CategoryView> for pb::Category {
    fn from(v: CategoryView) -> Self {
        let c = v.category;
        pb::Category {
            id: c.id,
            parent_id: c.parent_id,
            name: c.name,
            origin: origin(&c.origin),
            sort_order: c.sort_order,
            drug_count: count(v.drug_count),
            subtree_drug_count: count(v.subtree_drug_count),
            child_count: count(v.child_count),
            version: c.version,
            updated_at: Some(timestamp(c.updated_at)),
            updated_by: v.updated_by_name,
        }
    }
}

/// A category name, validated. Path separators are refused, so a path such as
/// 代理类/抗生素 (as the Excel import reads it) always means one category.
pub fn category_name(name: &str) -> AppResult<String> {
    let mut check = FieldCheck::default();
    check.check("name", validation::required_text(name, 100));
    if name.contains(['/', '\\', '›', '>']) {
        check.fail(
            "name",
            Msg::new(
                "must not contain /, \\, › or > (they separate levels in paths)",
                "不能包含 /、\\、› 或 >（它们用于分隔类别层级）",
            ),
        );
    }
    check.finish()?;
    Ok(name.trim().to_owned())
}

impl From<UnitView> for pb::ContainerUnit {
    fn from(v: UnitView) -> Self {
        let u = v.unit;
        pb::ContainerUnit {
            id: u.id,
            name: u.name,
            capacity: money::capacity_to_wire(&u.capacity),
            capacity_unit: u.capacity_unit,
            note: u.note,
            is_active: u.is_active,
            drug_count: count(v.drug_count),
            version: u.version,
            updated_at: Some(timestamp(u.updated_at)),
            updated_by: v.updated_by_name,
        }
    }
}

/// A unit's fields, validated.
pub fn unit_input(input: Option<pb::UnitInput>) -> AppResult<UnitInput> {
    let pb::UnitInput {
        name,
        capacity,
        capacity_unit,
        note,
    } = input.unwrap_or_default();
    let mut check = FieldCheck::default();
    check
        .check("name", validation::required_text(&name, 20))
        .check(
            "capacity_unit",
            validation::required_text(&capacity_unit, 20),
        )
        .check("note", validation::optional_text(&note, 200));
    let capacity = match money::parse_capacity(&capacity) {
        Ok(c) => Some(c),
        Err(v) => {
            check.fail("capacity", v.into());
            None
        }
    };
    check.finish()?;
    Ok(UnitInput {
        name: name.trim().to_owned(),
        capacity: capacity.expect("checked above"),
        capacity_unit: capacity_unit.trim().to_owned(),
        note: note.trim().to_owned(),
    })
}

impl From<DrugView> for pb::Drug {
    fn from(v: DrugView) -> Self {
        let d = v.drug;
        pb::Drug {
            id: d.id,
            name: d.name,
            trade_name: d.trade_name,
            specification: d.specification,
            dosage_form: d.dosage_form,
            manufacturer: d.manufacturer,
            approval_number: d.approval_number,
            category_id: d.category_id,
            category_path: v.category_path,
            origin: origin(&v.origin),
            unit_id: d.unit_id,
            unit_label: v.unit_label,
            purchase_price: money::to_wire(&d.purchase_price),
            sale_price: money::to_wire(&d.sale_price),
            is_active: d.is_active,
            note: d.note,
            pinyin_initials: d.pinyin_initials,
            version: d.version,
            created_at: Some(timestamp(d.created_at)),
            created_by: v.created_by_name,
            updated_at: Some(timestamp(d.updated_at)),
            updated_by: v.updated_by_name,
        }
    }
}

impl From<Warning> for pb::Warning {
    fn from(w: Warning) -> Self {
        pb::Warning {
            field: w.field.to_owned(),
            message: w.msg.en,
            message_zh: w.msg.zh,
        }
    }
}

/// A drug's fields, validated; every bad field is reported at once.
pub fn drug_input(input: Option<pb::DrugInput>) -> AppResult<DrugInput> {
    let pb::DrugInput {
        name,
        trade_name,
        specification,
        dosage_form,
        manufacturer,
        approval_number,
        category_id,
        unit_id,
        purchase_price,
        sale_price,
        note,
    } = input.unwrap_or_default();
    let mut check = FieldCheck::default();
    check
        .check("name", validation::required_text(&name, 100))
        .check("trade_name", validation::optional_text(&trade_name, 100))
        .check(
            "specification",
            validation::required_text(&specification, 100),
        )
        .check("dosage_form", validation::optional_text(&dosage_form, 50))
        .check(
            "manufacturer",
            validation::required_text(&manufacturer, 100),
        )
        .check(
            "approval_number",
            validation::optional_text(&approval_number, 50),
        )
        .check("note", validation::optional_text(&note, 500));
    if category_id <= 0 {
        check.fail(
            "category_id",
            Msg::new("choose a category", "请选择药品类别"),
        );
    }
    if unit_id <= 0 {
        check.fail(
            "unit_id",
            Msg::new("choose a container unit", "请选择容器单位"),
        );
    }
    let mut price = |field: &'static str, text: &str| match money::parse_price(text) {
        Ok(p) => Some(p),
        Err(v) => {
            check.fail(field, v.into());
            None
        }
    };
    let purchase = price("purchase_price", &purchase_price);
    let sale = price("sale_price", &sale_price);
    check.finish()?;
    Ok(DrugInput {
        name: name.trim().to_owned(),
        trade_name: trade_name.trim().to_owned(),
        specification: specification.trim().to_owned(),
        dosage_form: dosage_form.trim().to_owned(),
        manufacturer: manufacturer.trim().to_owned(),
        approval_number: approval_number.trim().to_owned(),
        category_id,
        unit_id,
        purchase_price: purchase.expect("checked above"),
        sale_price: sale.expect("checked above"),
        note: note.trim().to_owned(),
    })
}

/// A SearchDrugs request as (filter, (offset, limit)).
pub fn search_drugs(r: pb::SearchDrugsRequest) -> (DrugFilter, (i64, i64)) {
    let pb::SearchDrugsRequest {
        query,
        category_id,
        status,
        sort,
        descending,
        page: page_request,
    } = r;
    let status = match pb::DrugStatusFilter::try_from(status).unwrap_or_default() {
        pb::DrugStatusFilter::Active => StatusFilter::Active,
        pb::DrugStatusFilter::Archived => StatusFilter::Archived,
        pb::DrugStatusFilter::All => StatusFilter::All,
    };
    let sort = match pb::DrugSort::try_from(sort).unwrap_or_default() {
        pb::DrugSort::Name => DrugSort::Name,
        pb::DrugSort::Specification => DrugSort::Specification,
        pb::DrugSort::Category => DrugSort::Category,
        pb::DrugSort::Unit => DrugSort::Unit,
        pb::DrugSort::PurchasePrice => DrugSort::PurchasePrice,
        pb::DrugSort::SalePrice => DrugSort::SalePrice,
        pb::DrugSort::Status => DrugSort::Status,
        pb::DrugSort::UpdatedAt => DrugSort::UpdatedAt,
    };
    (
        DrugFilter {
            query,
            category_id,
            status,
            sort,
            descending,
        },
        page(page_request),
    )
}

// ---- Customers ----

use crate::db::models::customer::{
    Assignment, CustomerFilter, CustomerInput, CustomerView, TypeChange,
};
use crate::db::models::customer_type::CustomerType;

/// The stored code of a business kind, or `None` when unset.
pub fn business_kind(kind: i32) -> Option<&'static str> {
    match pb::BusinessKind::try_from(kind).unwrap_or_default() {
        pb::BusinessKind::Unspecified => None,
        pb::BusinessKind::Hospital => Some("hospital"),
        pb::BusinessKind::Clinic => Some("clinic"),
        pb::BusinessKind::Pharmacy => Some("pharmacy"),
        pb::BusinessKind::Distributor => Some("distributor"),
        pb::BusinessKind::Other => Some("other"),
    }
}

fn business_kind_to_proto(code: &str) -> i32 {
    (match code {
        "hospital" => pb::BusinessKind::Hospital,
        "clinic" => pb::BusinessKind::Clinic,
        "pharmacy" => pb::BusinessKind::Pharmacy,
        "distributor" => pb::BusinessKind::Distributor,
        "other" => pb::BusinessKind::Other,
        _ => pb::BusinessKind::Unspecified,
    }) as i32
}

impl From<CustomerType> for pb::CustomerType {
    fn from(t: CustomerType) -> Self {
        pb::CustomerType {
            id: t.id,
            name: t.name,
            sort_order: t.sort_order,
            is_active: t.is_active,
            version: t.version,
        }
    }
}

/// A customer type's name and order, validated.
pub fn customer_type_input(input: Option<pb::CustomerTypeInput>) -> AppResult<(String, i32)> {
    let pb::CustomerTypeInput { name, sort_order } = input.unwrap_or_default();
    FieldCheck::default()
        .check("name", validation::required_text(&name, 20))
        .finish()?;
    Ok((name.trim().to_owned(), sort_order))
}

impl From<CustomerView> for pb::Customer {
    fn from(v: CustomerView) -> Self {
        let c = v.customer;
        pb::Customer {
            id: c.id,
            name: c.name,
            contact_person: c.contact_person,
            id_number_masked: c.id_number_masked,
            phone: c.phone,
            fax: c.fax,
            postcode: c.postcode,
            province_code: c.province_code,
            city_code: c.city_code,
            region: v.region,
            address: c.address,
            business_kind: business_kind_to_proto(&c.business_kind),
            type_id: c.type_id,
            type_name: v.type_name,
            drugs: v
                .drugs
                .into_iter()
                .map(|(id, label)| pb::DrugRef { id, label })
                .collect(),
            credit_days: c.credit_days,
            note: c.note,
            sales_rep: Some(pb::UserRef {
                id: c.sales_rep_id,
                name: v.sales_rep_name,
            }),
            cs_rep: Some(pb::UserRef {
                id: c.cs_rep_id,
                name: v.cs_rep_name,
            }),
            version: c.version,
            created_at: Some(timestamp(c.created_at)),
            created_by: v.created_by_name,
            updated_at: Some(timestamp(c.updated_at)),
            updated_by: v.updated_by_name,
            expired_certificates: v.expired_certificates,
            expiring_certificates: v.expiring_certificates,
        }
    }
}

/// A customer's fields, validated: every bad field at once.
pub fn customer_input(input: Option<pb::CustomerInput>) -> AppResult<CustomerInput> {
    let pb::CustomerInput {
        name,
        contact_person,
        id_number,
        phone,
        fax,
        postcode,
        province_code,
        city_code,
        address,
        business_kind: kind,
        type_id,
        mut drug_ids,
        credit_days,
        note,
        sales_rep_id,
        cs_rep_id,
        clear_id_number,
    } = input.unwrap_or_default();
    let mut check = FieldCheck::default();
    check
        .check("name", validation::required_text(&name, 100))
        .check(
            "contact_person",
            validation::optional_text(&contact_person, 50),
        )
        .check("phone", validation::china_phone(&phone))
        .check("fax", validation::china_phone(&fax))
        .check("postcode", validation::postcode(&postcode))
        .check("address", validation::optional_text(&address, 200))
        .check("note", validation::optional_text(&note, 500));
    let id_number = id_number.trim().to_uppercase();
    if !id_number.is_empty() {
        check.check("id_number", validation::id_number(&id_number));
    }
    if let Err((field, v)) = pharmacrm_shared::region::check(province_code.trim(), city_code.trim())
    {
        check.fail(field, v.into());
    }
    let kind = business_kind(kind);
    if kind.is_none() {
        check.fail(
            "business_kind",
            Msg::new(
                "choose hospital, clinic, pharmacy, distributor or other",
                "请选择医院、诊所、药店、经销商或其他",
            ),
        );
    }
    if type_id <= 0 {
        check.fail(
            "type_id",
            Msg::new("choose a customer type", "请选择客户类型"),
        );
    }
    if !(0..=3650).contains(&credit_days) {
        check.fail(
            "credit_days",
            Msg::new("must be 0 to 3650 days", "须为 0 到 3650 天"),
        );
    }
    check.finish()?;
    drug_ids.sort_unstable();
    drug_ids.dedup();
    Ok(CustomerInput {
        name: name.trim().to_owned(),
        contact_person: contact_person.trim().to_owned(),
        id_number: (!id_number.is_empty()).then_some(id_number),
        clear_id_number,
        phone: phone.trim().to_owned(),
        fax: fax.trim().to_owned(),
        postcode: postcode.trim().to_owned(),
        province_code: province_code.trim().to_owned(),
        city_code: city_code.trim().to_owned(),
        address: address.trim().to_owned(),
        business_kind: kind.expect("checked above").to_owned(),
        type_id,
        drug_ids,
        credit_days,
        note: note.trim().to_owned(),
        sales_rep_id: (sales_rep_id > 0).then_some(sales_rep_id),
        cs_rep_id: (cs_rep_id > 0).then_some(cs_rep_id),
    })
}

/// A customer search as (filter, (offset, limit)); the ID number becomes its keyed hash.
pub fn search_customers(
    r: pb::SearchCustomersRequest,
    key: &crate::crypto::DataKey,
) -> (CustomerFilter, (i64, i64)) {
    let pb::SearchCustomersRequest {
        query,
        province_code,
        city_code,
        business_kind: kind,
        type_id,
        sales_rep_id,
        cs_rep_id,
        id_number,
        page: page_request,
        has_expiring_certificates,
    } = r;
    let id_number = id_number.trim().to_uppercase();
    (
        CustomerFilter {
            query,
            province_code: province_code.trim().to_owned(),
            city_code: city_code.trim().to_owned(),
            business_kind: business_kind(kind).map(str::to_owned),
            type_id,
            sales_rep_id,
            cs_rep_id,
            id_number_hash: (!id_number.is_empty()).then(|| key.search_hash(&id_number)),
            has_expiring_certificates,
        },
        page(page_request),
    )
}

impl From<TypeChange> for pb::TypeChange {
    fn from(c: TypeChange) -> Self {
        pb::TypeChange {
            from_type: c.from_type,
            to_type: c.to_type,
            reason: c.reason,
            changed_by: c.changed_by,
            changed_at: Some(timestamp(c.changed_at)),
        }
    }
}

impl From<Assignment> for pb::Assignment {
    fn from(a: Assignment) -> Self {
        pb::Assignment {
            role: a.role,
            user: Some(pb::UserRef {
                id: a.user_id,
                name: a.user_name,
            }),
            effective_from: Some(timestamp(a.effective_from)),
            effective_to: a.effective_to.map(timestamp),
        }
    }
}

// ---- The customer's records ----

use crate::db::models::customer_certificate::{self, Certificate, CertificateInput};
use crate::db::models::customer_followup::{Followup, FollowupInput};
use crate::db::models::customer_profile_record::{ProfileInput, ProfileRecord};
use chrono::NaiveDate;

/// An optional `YYYY-MM-DD` date.
pub fn date(field: &'static str, text: &str, check: &mut FieldCheck) -> Option<NaiveDate> {
    let text = text.trim();
    if text.is_empty() {
        return None;
    }
    match NaiveDate::parse_from_str(text, "%Y-%m-%d") {
        Ok(d) => Some(d),
        Err(_) => {
            check.fail(
                field,
                Msg::new(
                    "must be a date such as 2026-12-31",
                    "须为日期，例如 2026-12-31",
                ),
            );
            None
        }
    }
}

fn date_text(d: Option<NaiveDate>) -> String {
    d.map(|d| d.format("%Y-%m-%d").to_string())
        .unwrap_or_default()
}

/// A personal record, validated.
pub fn profile_input(r: pb::ProfileRecord) -> AppResult<ProfileInput> {
    let pb::ProfileRecord {
        id: record_id,
        customer_id,
        version,
        kind,
        title,
        detail,
        date_from,
        date_to,
        updated_by: _,
    } = r;
    let mut check = FieldCheck::default();
    if !["preference", "family", "work", "education"].contains(&kind.as_str()) {
        check.fail(
            "kind",
            Msg::new(
                "must be preference, family, work or education",
                "须为喜好、家庭、工作经历或教育背景",
            ),
        );
    }
    check
        .check("title", validation::required_text(&title, 100))
        .check("detail", validation::optional_text(&detail, 1000));
    let from = date("date_from", &date_from, &mut check);
    let to = date("date_to", &date_to, &mut check);
    if let (Some(f), Some(t)) = (from, to)
        && t < f
    {
        check.fail("date_to", Msg::new("is before the start", "早于开始日期"));
    }
    check.finish()?;
    Ok(ProfileInput {
        id: record_id.max(0),
        customer_id: id("customer_id", customer_id)?,
        version,
        kind,
        title: title.trim().to_owned(),
        detail: detail.trim().to_owned(),
        date_from: from,
        date_to: to,
    })
}

/// A personal record as sent.
pub fn profile_record(r: ProfileRecord, updated_by: String) -> pb::ProfileRecord {
    pb::ProfileRecord {
        id: r.id,
        customer_id: r.customer_id,
        version: r.version,
        kind: r.kind,
        title: r.title,
        detail: r.detail,
        date_from: date_text(r.date_from),
        date_to: date_text(r.date_to),
        updated_by,
    }
}

fn followup_method(method: i32) -> Option<&'static str> {
    match pb::FollowupMethod::try_from(method).unwrap_or_default() {
        pb::FollowupMethod::Unspecified => None,
        pb::FollowupMethod::Visit => Some("visit"),
        pb::FollowupMethod::Phone => Some("phone"),
        pb::FollowupMethod::Wechat => Some("wechat"),
        pb::FollowupMethod::Other => Some("other"),
    }
}

/// A follow-up, validated.
pub fn followup_input(r: pb::Followup) -> AppResult<FollowupInput> {
    let pb::Followup {
        id: followup_id,
        customer_id,
        version,
        happened_at,
        method,
        content,
        result,
        next_on,
        created_by: _,
    } = r;
    let mut check = FieldCheck::default();
    let method = followup_method(method);
    if method.is_none() {
        check.fail(
            "method",
            Msg::new(
                "choose visit, phone, WeChat or other",
                "请选择拜访、电话、微信或其他",
            ),
        );
    }
    check
        .check("content", validation::required_text(&content, 1000))
        .check("result", validation::optional_text(&result, 500));
    let next_on = date("next_on", &next_on, &mut check);
    let happened_at = match happened_at.map(|t| from_timestamp("happened_at", t)) {
        Some(Ok(t)) => Some(t),
        _ => {
            check.fail(
                "happened_at",
                Msg::new("when did it happen?", "请填写跟进时间"),
            );
            None
        }
    };
    check.finish()?;
    Ok(FollowupInput {
        id: followup_id.max(0),
        customer_id: id("customer_id", customer_id)?,
        version,
        happened_at: happened_at.expect("checked above"),
        method: method.expect("checked above").to_owned(),
        content: content.trim().to_owned(),
        result: result.trim().to_owned(),
        next_on,
    })
}

/// A follow-up as sent.
pub fn followup(f: Followup, created_by: String) -> pb::Followup {
    let method = match f.method.as_str() {
        "visit" => pb::FollowupMethod::Visit,
        "phone" => pb::FollowupMethod::Phone,
        "wechat" => pb::FollowupMethod::Wechat,
        _ => pb::FollowupMethod::Other,
    };
    pb::Followup {
        id: f.id,
        customer_id: f.customer_id,
        version: f.version,
        happened_at: Some(timestamp(f.happened_at)),
        method: method as i32,
        content: f.content,
        result: f.result,
        next_on: date_text(f.next_on),
        created_by,
    }
}

fn certificate_kind(kind: i32) -> Option<&'static str> {
    match pb::CertificateKind::try_from(kind).unwrap_or_default() {
        pb::CertificateKind::Unspecified => None,
        pb::CertificateKind::DrugTrade => Some("drug_trade"),
        pb::CertificateKind::Business => Some("business"),
        pb::CertificateKind::Gsp => Some("gsp"),
        pb::CertificateKind::MedicalInstitution => Some("medical_institution"),
        pb::CertificateKind::Other => Some("other"),
    }
}

/// A certificate (and its scan), validated.
pub fn certificate_input(r: pb::SaveCertificateRequest) -> AppResult<CertificateInput> {
    let pb::SaveCertificateRequest {
        certificate,
        scan,
        replace_scan,
    } = r;
    let pb::Certificate {
        id: certificate_id,
        customer_id,
        version,
        kind,
        number,
        authority,
        issued_on,
        expires_on,
        has_scan: _,
        scan_name,
        scan_type: _,
        status: _,
    } = certificate.unwrap_or_default();
    let mut check = FieldCheck::default();
    let kind = certificate_kind(kind);
    if kind.is_none() {
        check.fail(
            "kind",
            Msg::new("choose the kind of certificate", "请选择证件类型"),
        );
    }
    check
        .check("number", validation::required_text(&number, 100))
        .check("authority", validation::optional_text(&authority, 100));
    let issued = date("issued_on", &issued_on, &mut check);
    let expires = date("expires_on", &expires_on, &mut check);
    if let (Some(i), Some(e)) = (issued, expires)
        && e < i
    {
        check.fail(
            "expires_on",
            Msg::new("is before the issue date", "早于发证日期"),
        );
    }
    if replace_scan && !scan.is_empty() {
        if scan.len() > customer_certificate::MAX_SCAN_BYTES {
            check.fail("scan", Msg::new("is larger than 10 MB", "超过 10 MB"));
        } else if customer_certificate::media_type(&scan).is_empty() {
            check.fail(
                "scan",
                Msg::new(
                    "must be a PDF, PNG or JPEG file",
                    "须为 PDF、PNG 或 JPEG 文件",
                ),
            );
        }
    }
    check.finish()?;
    Ok(CertificateInput {
        id: certificate_id.max(0),
        customer_id: id("customer_id", customer_id)?,
        version,
        kind: kind.expect("checked above").to_owned(),
        number: number.trim().to_owned(),
        authority: authority.trim().to_owned(),
        issued_on: issued,
        expires_on: expires,
        scan: replace_scan.then(|| (!scan.is_empty()).then(|| (scan, scan_name.trim().to_owned()))),
    })
}

/// A certificate as sent, with its status today.
pub fn certificate(c: Certificate, has_scan: bool) -> pb::Certificate {
    use crate::db::models::customer_certificate::Status;
    let status = match customer_certificate::status(
        c.expires_on,
        chrono::Local::now().date_naive(),
        crate::config::certificate_warning_days(),
    ) {
        Status::Valid => pb::CertificateStatus::Valid,
        Status::Expiring => pb::CertificateStatus::Expiring,
        Status::Expired => pb::CertificateStatus::Expired,
    };
    let kind = match c.kind.as_str() {
        "drug_trade" => pb::CertificateKind::DrugTrade,
        "business" => pb::CertificateKind::Business,
        "gsp" => pb::CertificateKind::Gsp,
        "medical_institution" => pb::CertificateKind::MedicalInstitution,
        _ => pb::CertificateKind::Other,
    };
    pb::Certificate {
        id: c.id,
        customer_id: c.customer_id,
        version: c.version,
        kind: kind as i32,
        number: c.number,
        authority: c.authority,
        issued_on: date_text(c.issued_on),
        expires_on: date_text(c.expires_on),
        has_scan,
        scan_name: c.scan_name,
        scan_type: c.scan_type,
        status: status as i32,
    }
}
