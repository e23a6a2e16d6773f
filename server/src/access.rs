//! Who may do what, in one place.
//!
//! - [`RPC_ACCESS`], the one enforcement table: what each RPC needs. The authentication
//!   layer ([`crate::auth::AuthLayer`]) reads it for every call before any handler runs; a
//!   test walks every method of the compiled proto descriptor and fails when one is
//!   missing, so a new RPC cannot ship unprotected.
//! - The **conditional checks** below the table: permissions that depend on what a request
//!   contains (registering a customer for another rep, changing a customer's type inside a
//!   profile edit). The operations ([`crate::ops`]) call these named functions; nothing
//!   else tests a permission.
//! - The **roles** a permission confers (who can be a customer's sales or CS rep).

use pharmacrm_shared::{CUSTOMER_MONEY_HISTORY, DataScope, ORDER_MONEY, Permission, pb};

use crate::db::models::Grants;
use crate::db::scope::{Reps, Viewer};
use crate::error::{AppError, AppResult, Msg};
use crate::messages::per_lang;
use crate::msg;

/// What a call needs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Access {
    /// Nothing: only `Login`.
    Open,
    /// A valid session, no particular permission (the caller's own account).
    Authenticated,
    /// A valid session holding this permission.
    Requires(Permission),
    /// A valid session holding any one of these permissions: a read that serves two
    /// screens (the invoicing entities and company settings are read by whoever works
    /// with orders and by whoever administers the settings).
    AnyOf(&'static [Permission]),
}

impl Access {
    /// The permissions of which a session must hold one; empty when any session (or
    /// none) will do.
    pub fn permissions(&self) -> &[Permission] {
        match self {
            Access::Open | Access::Authenticated => &[],
            Access::Requires(p) => std::slice::from_ref(p),
            Access::AnyOf(ps) => ps,
        }
    }
}

/// Every PharmaCRM RPC by its gRPC path, with what it needs.
pub const RPC_ACCESS: &[(&str, Access)] = {
    use Access::*;
    use Permission as P;
    &[
        ("/pharmacrm.v1.AuthService/Login", Open),
        ("/pharmacrm.v1.AuthService/Logout", Authenticated),
        ("/pharmacrm.v1.AuthService/Me", Authenticated),
        ("/pharmacrm.v1.AuthService/ChangePassword", Authenticated),
        (
            "/pharmacrm.v1.AdminService/ListPermissions",
            Requires(P::AdminPositions),
        ),
        (
            "/pharmacrm.v1.AdminService/ListDepartments",
            Requires(P::AdminDepartments),
        ),
        (
            "/pharmacrm.v1.AdminService/CreateDepartment",
            Requires(P::AdminDepartments),
        ),
        (
            "/pharmacrm.v1.AdminService/UpdateDepartment",
            Requires(P::AdminDepartments),
        ),
        (
            "/pharmacrm.v1.AdminService/ArchiveDepartment",
            Requires(P::AdminDepartments),
        ),
        (
            "/pharmacrm.v1.AdminService/RestoreDepartment",
            Requires(P::AdminDepartments),
        ),
        (
            "/pharmacrm.v1.AdminService/RestorePosition",
            Requires(P::AdminPositions),
        ),
        (
            "/pharmacrm.v1.AdminService/ListPositions",
            Requires(P::AdminPositions),
        ),
        (
            "/pharmacrm.v1.AdminService/CreatePosition",
            Requires(P::AdminPositions),
        ),
        (
            "/pharmacrm.v1.AdminService/UpdatePosition",
            Requires(P::AdminPositions),
        ),
        (
            "/pharmacrm.v1.AdminService/ArchivePosition",
            Requires(P::AdminPositions),
        ),
        (
            "/pharmacrm.v1.AdminService/ListUsers",
            Requires(P::AdminUsers),
        ),
        (
            "/pharmacrm.v1.AdminService/GetUser",
            Requires(P::AdminUsers),
        ),
        (
            "/pharmacrm.v1.AdminService/CreateUser",
            Requires(P::AdminUsers),
        ),
        (
            "/pharmacrm.v1.AdminService/UpdateUser",
            Requires(P::AdminUsers),
        ),
        (
            "/pharmacrm.v1.AdminService/SetUserActive",
            Requires(P::AdminUsers),
        ),
        (
            "/pharmacrm.v1.AdminService/ResetPassword",
            Requires(P::AdminUsers),
        ),
        (
            "/pharmacrm.v1.AdminService/CreateServiceAccount",
            Requires(P::AdminUsers),
        ),
        (
            "/pharmacrm.v1.AdminService/IssueApiToken",
            Requires(P::AdminUsers),
        ),
        (
            "/pharmacrm.v1.AdminService/ListApiTokens",
            Requires(P::AdminUsers),
        ),
        (
            "/pharmacrm.v1.AdminService/RevokeApiToken",
            Requires(P::AdminUsers),
        ),
        (
            "/pharmacrm.v1.AuditService/SearchAudit",
            Requires(P::AuditRead),
        ),
        (
            "/pharmacrm.v1.AuditService/ListAuditActions",
            Requires(P::AuditRead),
        ),
        (
            "/pharmacrm.v1.DrugService/ListCategories",
            Requires(P::DrugRead),
        ),
        (
            "/pharmacrm.v1.DrugService/CreateCategory",
            Requires(P::DrugCategoryWrite),
        ),
        (
            "/pharmacrm.v1.DrugService/UpdateCategory",
            Requires(P::DrugCategoryWrite),
        ),
        (
            "/pharmacrm.v1.DrugService/DeleteCategory",
            Requires(P::DrugCategoryWrite),
        ),
        ("/pharmacrm.v1.DrugService/ListUnits", Requires(P::DrugRead)),
        (
            "/pharmacrm.v1.DrugService/CreateUnit",
            Requires(P::DrugUnitWrite),
        ),
        (
            "/pharmacrm.v1.DrugService/UpdateUnit",
            Requires(P::DrugUnitWrite),
        ),
        (
            "/pharmacrm.v1.DrugService/SetUnitActive",
            Requires(P::DrugUnitWrite),
        ),
        (
            "/pharmacrm.v1.DrugService/DeleteUnit",
            Requires(P::DrugUnitWrite),
        ),
        (
            "/pharmacrm.v1.DrugService/SearchDrugs",
            Requires(P::DrugRead),
        ),
        ("/pharmacrm.v1.DrugService/GetDrug", Requires(P::DrugRead)),
        (
            "/pharmacrm.v1.DrugService/CreateDrug",
            Requires(P::DrugWrite),
        ),
        (
            "/pharmacrm.v1.DrugService/UpdateDrug",
            Requires(P::DrugWrite),
        ),
        (
            "/pharmacrm.v1.DrugService/SetDrugActive",
            Requires(P::DrugWrite),
        ),
        (
            "/pharmacrm.v1.DrugService/DeleteDrug",
            Requires(P::DrugWrite),
        ),
        (
            "/pharmacrm.v1.DrugService/DrugImportTemplate",
            Requires(P::DrugWrite),
        ),
        (
            "/pharmacrm.v1.DrugService/ImportDrugs",
            Requires(P::DrugWrite),
        ),
        (
            "/pharmacrm.v1.CustomerService/ListCustomerTypes",
            Requires(P::CustomerRead),
        ),
        (
            "/pharmacrm.v1.CustomerService/CreateCustomerType",
            Requires(P::CustomerTypeWrite),
        ),
        (
            "/pharmacrm.v1.CustomerService/UpdateCustomerType",
            Requires(P::CustomerTypeWrite),
        ),
        (
            "/pharmacrm.v1.CustomerService/SetCustomerTypeActive",
            Requires(P::CustomerTypeWrite),
        ),
        (
            "/pharmacrm.v1.CustomerService/FindDuplicates",
            Requires(P::CustomerWrite),
        ),
        (
            "/pharmacrm.v1.CustomerService/CreateCustomer",
            Requires(P::CustomerWrite),
        ),
        (
            "/pharmacrm.v1.CustomerService/UpdateCustomer",
            Requires(P::CustomerWrite),
        ),
        (
            "/pharmacrm.v1.CustomerService/SetCustomerActive",
            Requires(P::CustomerWrite),
        ),
        (
            "/pharmacrm.v1.CustomerService/GetCustomer",
            Requires(P::CustomerRead),
        ),
        (
            "/pharmacrm.v1.CustomerService/SearchCustomers",
            Requires(P::CustomerRead),
        ),
        (
            "/pharmacrm.v1.CustomerService/RevealIdNumber",
            Requires(P::CustomerSensitiveRead),
        ),
        (
            "/pharmacrm.v1.CustomerService/ChangeCustomerType",
            Requires(P::CustomerTypeChange),
        ),
        (
            "/pharmacrm.v1.CustomerService/ListTypeHistory",
            Requires(P::CustomerRead),
        ),
        (
            "/pharmacrm.v1.CustomerService/AssignCustomer",
            Requires(P::CustomerAssign),
        ),
        (
            "/pharmacrm.v1.CustomerService/ListAssignmentHistory",
            Requires(P::CustomerRead),
        ),
        (
            "/pharmacrm.v1.CustomerService/HandoverCustomers",
            Requires(P::CustomerAssign),
        ),
        (
            "/pharmacrm.v1.CustomerService/ListProfileRecords",
            // A contact's preferences, family, work and education are personal
            // information (个人信息保护法: to those whose work needs it): read by whoever
            // keeps them (the rep and their manager), not by all who see the customer.
            Requires(P::CustomerProfileWrite),
        ),
        (
            "/pharmacrm.v1.CustomerService/SaveProfileRecord",
            Requires(P::CustomerProfileWrite),
        ),
        (
            "/pharmacrm.v1.CustomerService/DeleteProfileRecord",
            Requires(P::CustomerProfileWrite),
        ),
        (
            "/pharmacrm.v1.CustomerService/ListFollowups",
            Requires(P::CustomerRead),
        ),
        (
            "/pharmacrm.v1.CustomerService/SaveFollowup",
            Requires(P::CustomerFollowupWrite),
        ),
        (
            "/pharmacrm.v1.CustomerService/DeleteFollowup",
            Requires(P::CustomerFollowupWrite),
        ),
        (
            "/pharmacrm.v1.CustomerService/ListCertificates",
            Requires(P::CustomerRead),
        ),
        (
            "/pharmacrm.v1.CustomerService/SaveCertificate",
            Requires(P::CustomerCertificateWrite),
        ),
        (
            "/pharmacrm.v1.CustomerService/DeleteCertificate",
            Requires(P::CustomerCertificateWrite),
        ),
        (
            "/pharmacrm.v1.CustomerService/GetCertificateScan",
            Requires(P::CustomerRead),
        ),
        (
            "/pharmacrm.v1.CustomerService/MyWork",
            Requires(P::CustomerRead),
        ),
        (
            "/pharmacrm.v1.CustomerService/ListReps",
            Requires(P::CustomerRead),
        ),
        (
            "/pharmacrm.v1.CustomerService/ListScopeDepartments",
            Requires(P::CustomerRead),
        ),
        (
            "/pharmacrm.v1.OrderService/ListInvoicingEntities",
            AnyOf(&[P::OrderRead, P::AdminSettings]),
        ),
        (
            "/pharmacrm.v1.OrderService/CreateInvoicingEntity",
            Requires(P::AdminSettings),
        ),
        (
            "/pharmacrm.v1.OrderService/UpdateInvoicingEntity",
            Requires(P::AdminSettings),
        ),
        (
            "/pharmacrm.v1.OrderService/SetInvoicingEntityActive",
            Requires(P::AdminSettings),
        ),
        (
            "/pharmacrm.v1.OrderService/GetSettings",
            AnyOf(&[P::OrderRead, P::AdminSettings]),
        ),
        (
            "/pharmacrm.v1.OrderService/UpdateSettings",
            Requires(P::AdminSettings),
        ),
        (
            "/pharmacrm.v1.OrderService/PreviewOrder",
            Requires(P::OrderWrite),
        ),
        (
            "/pharmacrm.v1.OrderService/CreateOrder",
            Requires(P::OrderWrite),
        ),
        (
            "/pharmacrm.v1.OrderService/UpdateOrder",
            Requires(P::OrderWrite),
        ),
        (
            "/pharmacrm.v1.OrderService/GetOrder",
            Requires(P::OrderRead),
        ),
        (
            "/pharmacrm.v1.OrderService/SearchOrders",
            Requires(P::OrderRead),
        ),
        (
            "/pharmacrm.v1.OrderService/CancelOrder",
            Requires(P::OrderCancel),
        ),
        (
            "/pharmacrm.v1.OrderService/CloseOrder",
            Requires(P::OrderCancel),
        ),
        (
            "/pharmacrm.v1.OrderService/ApproveOrder",
            Requires(P::OrderCreditOverride),
        ),
        (
            "/pharmacrm.v1.OrderService/CreateShipment",
            Requires(P::ShipmentWrite),
        ),
        (
            "/pharmacrm.v1.OrderService/ConfirmDelivery",
            Requires(P::ShipmentWrite),
        ),
        (
            "/pharmacrm.v1.OrderService/ListShipments",
            Requires(P::OrderRead),
        ),
        (
            "/pharmacrm.v1.OrderService/ReportException",
            Requires(P::ExceptionReport),
        ),
        (
            "/pharmacrm.v1.OrderService/DecideException",
            Requires(P::ExceptionResolve),
        ),
        (
            "/pharmacrm.v1.OrderService/ShipReplacement",
            Requires(P::ShipmentWrite),
        ),
        (
            "/pharmacrm.v1.OrderService/ListExceptions",
            Requires(P::OrderRead),
        ),
        (
            "/pharmacrm.v1.FinanceService/RecordPayment",
            Requires(P::PaymentWrite),
        ),
        (
            "/pharmacrm.v1.FinanceService/ReversePayment",
            Requires(P::PaymentWrite),
        ),
        (
            "/pharmacrm.v1.FinanceService/ListPayments",
            // In the caller's scope: see `CUSTOMER_MONEY_HISTORY`.
            AnyOf(CUSTOMER_MONEY_HISTORY),
        ),
        (
            "/pharmacrm.v1.FinanceService/WriteOffReceivable",
            Requires(P::FinanceWriteOff),
        ),
        (
            "/pharmacrm.v1.FinanceService/ReverseWriteOff",
            Requires(P::FinanceWriteOff),
        ),
        (
            "/pharmacrm.v1.FinanceService/ListWriteOffs",
            // In the caller's scope: see `CUSTOMER_MONEY_HISTORY`.
            AnyOf(CUSTOMER_MONEY_HISTORY),
        ),
        (
            "/pharmacrm.v1.FinanceService/ListOpenItems",
            // In the caller's scope: see `CUSTOMER_MONEY_HISTORY`.
            AnyOf(CUSTOMER_MONEY_HISTORY),
        ),
        (
            "/pharmacrm.v1.FinanceService/RecordInvoice",
            Requires(P::InvoiceWrite),
        ),
        (
            "/pharmacrm.v1.FinanceService/ListInvoices",
            // In the caller's scope: see `CUSTOMER_MONEY_HISTORY`.
            AnyOf(CUSTOMER_MONEY_HISTORY),
        ),
        (
            "/pharmacrm.v1.FinanceService/GetOrderFinance",
            // What is invoiced and paid: see `ORDER_MONEY`.
            AnyOf(ORDER_MONEY),
        ),
        (
            "/pharmacrm.v1.FinanceService/GetStatement",
            Requires(P::FinanceRead),
        ),
        (
            "/pharmacrm.v1.FinanceService/ListReconciliations",
            Requires(P::FinanceRead),
        ),
        (
            "/pharmacrm.v1.FinanceService/Reconcile",
            Requires(P::FinanceReconcile),
        ),
        (
            "/pharmacrm.v1.FinanceService/ReopenReconciliation",
            Requires(P::FinanceReconcile),
        ),
        (
            "/pharmacrm.v1.FinanceService/ListArrears",
            Requires(P::ArrearsRead),
        ),
        (
            "/pharmacrm.v1.ReportService/DrugSales",
            Requires(P::ReportRead),
        ),
        (
            "/pharmacrm.v1.ReportService/DrugSalesSeries",
            Requires(P::ReportRead),
        ),
        (
            "/pharmacrm.v1.ReportService/CustomerDistribution",
            Requires(P::ReportRead),
        ),
        (
            "/pharmacrm.v1.ReportService/EmployeePerformance",
            Requires(P::ReportRead),
        ),
        (
            "/pharmacrm.v1.ReportService/CustomerConsumption",
            Requires(P::ReportRead),
        ),
        (
            "/pharmacrm.v1.ReportService/RegionalSales",
            Requires(P::ReportRead),
        ),
        (
            "/pharmacrm.v1.ReportService/Exceptions",
            Requires(P::ReportRead),
        ),
        // report.read (finance.arrears.read for the arrears list) is checked too, by
        // require_may_export.
        (
            "/pharmacrm.v1.ReportService/Export",
            Requires(P::ReportExport),
        ),
    ]
};

/// Holding this makes someone a **sales rep**: they place orders, so they can be a
/// customer's responsible sales rep (spec (2) 3: exactly one at any time).
pub const SALES_REP_ROLE: Permission = Permission::OrderWrite;

/// Holding this makes someone a **customer-service rep**: they record shipments, so they
/// can be a customer's responsible CS rep.
pub const CS_REP_ROLE: Permission = Permission::ShipmentWrite;

/// `action` needs `permission`: named by its code in English, by its label in Chinese.
fn denied(permission: Permission, action: Msg) -> AppError {
    denied_any(&[permission], action)
}

/// `action` needs one of `permissions`, named as the access table's refusal names them
/// (label and code, in both languages): "exporting invoices needs the permission “View
/// finance” or “View arrears” (finance.read / finance.arrears.read)".
fn denied_any(permissions: &[Permission], action: Msg) -> AppError {
    let codes: Vec<&str> = permissions.iter().map(|p| p.code()).collect();
    let (en, zh): (Vec<_>, Vec<_>) = permissions
        .iter()
        .map(|p| (p.label_en(), p.label_zh()))
        .unzip();
    AppError::PermissionDenied(msg!(
        "auth.action_needs_permission",
        action = action,
        permission = per_lang(en.join("” or “"), zh.join("”或“")),
        code = codes.join(" / "),
    ))
}

/// `Ok` when the caller holds `permission`; else PERMISSION_DENIED saying that `action`
/// needs it (the conditional checks below).
fn require(grants: &Grants, permission: Permission, action: Msg) -> AppResult<()> {
    if grants.permissions.contains(&permission) {
        Ok(())
    } else {
        Err(denied(permission, action))
    }
}

/// Whether the caller sees purchase prices (进价): cost is commercially sensitive, so the
/// seeded sales positions do not hold `drug.cost.read` and the server leaves the price
/// out for them (and keeps the stored one when they edit a drug).
pub fn may_read_cost(grants: &Grants) -> bool {
    grants.permissions.contains(&Permission::DrugCostRead)
}

/// Whether the caller sees what a customer owes where a customer is read (its balance on
/// GetCustomer): those who read the arrears list (`finance.arrears.read`), which shows
/// the same.
pub fn may_read_balance(grants: &Grants) -> bool {
    grants.permissions.contains(&Permission::ArrearsRead)
}

/// Whether the caller holds one of [`ORDER_MONEY`] (what is owed and invoiced on an
/// order).
pub fn may_read_order_money(grants: &Grants) -> bool {
    ORDER_MONEY.iter().any(|p| grants.permissions.contains(p))
}

/// Sorting drugs by purchase price reveals cost: it needs `drug.cost.read`.
pub fn require_may_read_cost(grants: &Grants) -> AppResult<()> {
    require(
        grants,
        Permission::DrugCostRead,
        msg!("drug.action.sort_by_cost"),
    )
}

/// Exporting (which needs `report.export`) also needs the permission to see what is
/// exported: one cannot export what one may not see. `report.read` for a report,
/// `finance.arrears.read` for the arrears list, any of [`CUSTOMER_MONEY_HISTORY`] for a
/// finance register (as its list), `order.read` for the shipments. PERMISSION_DENIED
/// naming what is missing.
pub fn require_may_export(grants: &Grants, r: &pb::ExportRequest) -> AppResult<()> {
    use pb::export_request::Report;
    let (needed, action): (&[Permission], Msg) = match r.report {
        Some(Report::Arrears(_)) => (
            &[Permission::ArrearsRead],
            msg!("report.action.export_arrears"),
        ),
        // The registers: what their lists need.
        Some(Report::Payments(_)) => (
            CUSTOMER_MONEY_HISTORY,
            msg!("report.action.export_payments"),
        ),
        Some(Report::Invoices(_)) => (
            CUSTOMER_MONEY_HISTORY,
            msg!("report.action.export_invoices"),
        ),
        Some(Report::WriteOffs(_)) => (
            CUSTOMER_MONEY_HISTORY,
            msg!("report.action.export_write_offs"),
        ),
        Some(Report::Shipments(_)) => (
            &[Permission::OrderRead],
            msg!("report.action.export_shipments"),
        ),
        Some(Report::Statement(_)) => (
            &[Permission::FinanceRead],
            msg!("report.action.export_statement"),
        ),
        _ => (&[Permission::ReportRead], msg!("report.action.export")),
    };
    if needed.iter().any(|p| grants.permissions.contains(p)) {
        Ok(())
    } else {
        Err(denied_any(needed, action))
    }
}

/// A record kept by its author (a follow-up: what they did and heard) is changed or
/// deleted by its author, or by whoever oversees them: a company-wide data scope, or a
/// department scope whose people (`reps`, the viewer's [`Viewer::reps`]) include the
/// author (their manager); not by a colleague who shares the customer.
pub fn may_change_authored(viewer: &Viewer, reps: &Reps, author: Option<i64>) -> bool {
    author == Some(viewer.user_id)
        || match viewer.scope {
            Some(DataScope::All) => true,
            Some(DataScope::Department) => author.is_some_and(|a| reps.includes(a)),
            Some(DataScope::Own) | None => false,
        }
}

/// [`may_change_authored`], or PERMISSION_DENIED.
pub fn require_may_change_authored(
    viewer: &Viewer,
    reps: &Reps,
    author: Option<i64>,
) -> AppResult<()> {
    if may_change_authored(viewer, reps, author) {
        Ok(())
    } else {
        Err(AppError::PermissionDenied(msg!("record.not_author")))
    }
}

/// Registering a customer for a sales rep other than oneself is an assignment: it needs
/// `customer.assign` (managers), not just `customer.write`.
pub fn require_may_assign_to_others(grants: &Grants) -> AppResult<()> {
    require(
        grants,
        Permission::CustomerAssign,
        msg!("customer.action.assign_to_others"),
    )
}

/// Setting or changing a customer's credit terms (账期) or credit limit (信用额度) needs
/// `customer.credit.write` (managers), not just `customer.write`: the credit hold rests on
/// them, and a rep would set their own customer's.
pub fn require_may_set_credit(grants: &Grants) -> AppResult<()> {
    require(
        grants,
        Permission::CustomerCreditWrite,
        msg!("customer.action.set_credit"),
    )
}

/// Whether the caller sets credit terms ([`require_may_set_credit`]): a customer one who
/// may not registers gets the company's terms for new customers.
pub fn may_set_credit(grants: &Grants) -> bool {
    grants
        .permissions
        .contains(&Permission::CustomerCreditWrite)
}

/// An order on credit terms (账期) other than its customer's — or, on a change, than it
/// already has — needs `customer.credit.write` (credit control), like the customer's own
/// terms: a rep would otherwise give an order the terms credit control refused the
/// customer, and its debt would fall due years later.
pub fn require_may_set_order_credit_days(grants: &Grants) -> AppResult<()> {
    require(
        grants,
        Permission::CustomerCreditWrite,
        msg!("order.action.credit_days"),
    )
}

/// Placing an order for a customer on credit hold (overdue past the credit-hold days, or
/// over its credit limit) needs `order.credit_override` and a reason (issue "Finance end to
/// end": credit hold).
pub fn require_may_override_credit(grants: &Grants) -> AppResult<()> {
    require(
        grants,
        Permission::OrderCreditOverride,
        msg!("order.action.credit_override"),
    )
}

/// Whether the caller may place an order past a credit hold themselves (one who may not
/// asks for approval: `OrderInput.request_approval`).
pub fn may_override_credit(grants: &Grants) -> bool {
    grants
        .permissions
        .contains(&Permission::OrderCreditOverride)
}

/// Services outside PharmaCRM's own API that anyone may call (health and reflection,
/// so other services and grpcurl can discover the API).
const OPEN_SERVICE_PREFIXES: &[&str] = &[
    "/grpc.health.v1.Health/",
    "/grpc.reflection.v1.ServerReflection/",
    "/grpc.reflection.v1alpha.ServerReflection/",
];

/// The prefix of every PharmaCRM path.
const API_PREFIX: &str = "/pharmacrm.v1.";

/// What the call at `path` needs. `None` means refuse: a PharmaCRM path with no entry
/// (denied by default) or a path of no known service.
pub fn required(path: &str) -> Option<Access> {
    if OPEN_SERVICE_PREFIXES.iter().any(|p| path.starts_with(p)) {
        return Some(Access::Open);
    }
    if !path.starts_with(API_PREFIX) {
        return None;
    }
    RPC_ACCESS
        .iter()
        .find(|(p, _)| *p == path)
        .map(|(_, access)| *access)
}

#[cfg(test)]
mod tests {
    use super::*;
    use prost::Message;
    use std::collections::BTreeSet;

    fn descriptor_paths() -> BTreeSet<String> {
        let set = prost_types::FileDescriptorSet::decode(pharmacrm_shared::pb::FILE_DESCRIPTOR_SET)
            .expect("descriptor set decodes");
        let mut paths = BTreeSet::new();
        for file in set.file {
            let package = file.package().to_owned();
            for service in &file.service {
                for method in &service.method {
                    paths.insert(format!("/{package}.{}/{}", service.name(), method.name()));
                }
            }
        }
        paths
    }

    #[test]
    fn every_rpc_in_the_proto_has_an_access_entry() {
        let paths = descriptor_paths();
        assert!(paths.len() > 20, "descriptor lists the services");
        let missing: Vec<_> = paths.iter().filter(|p| required(p).is_none()).collect();
        assert!(
            missing.is_empty(),
            "RPCs without an access entry: {missing:?}"
        );
    }

    #[test]
    fn the_table_names_only_real_rpcs_once_each() {
        let paths = descriptor_paths();
        let mut seen = BTreeSet::new();
        for (path, _) in RPC_ACCESS {
            assert!(paths.contains(*path), "{path} is not in the proto");
            assert!(seen.insert(*path), "{path} is listed twice");
        }
    }

    #[test]
    fn a_choice_of_permissions_offers_a_choice() {
        for (path, access) in RPC_ACCESS {
            if let Access::AnyOf(ps) = access {
                assert!(ps.len() >= 2, "{path}: AnyOf needs two permissions or more");
            }
        }
    }

    #[test]
    fn only_login_is_open() {
        let open: Vec<_> = RPC_ACCESS
            .iter()
            .filter(|(_, a)| *a == Access::Open)
            .map(|(p, _)| *p)
            .collect();
        assert_eq!(open, ["/pharmacrm.v1.AuthService/Login"]);
        assert_eq!(required("/pharmacrm.v1.AdminService/DropEverything"), None);
        assert_eq!(required("/other.Service/Method"), None);
        assert_eq!(required("/grpc.health.v1.Health/Check"), Some(Access::Open));
    }
}
