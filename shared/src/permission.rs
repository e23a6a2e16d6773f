//! The permission catalogue: every permission code of every module, with its labels.
//!
//! A permission is a code `<resource>.<action>`. Positions hold permissions; a user holds
//! one or more positions and has the union. The server checks them; the client only uses
//! them to hide what the user cannot do.

use crate::pb;

/// The functional modules of PharmaCRM, in the order of the client's navigation.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Module {
    /// 药品管理: categories, container units, drugs.
    Drug,
    /// 客户管理: profiles, types, allocation, the customer's records.
    Customer,
    /// 订单管理: orders, shipments, exceptions.
    Order,
    /// 财务: invoices, payments, reconciliation, arrears.
    Finance,
    /// 统计分析: reports and their export.
    Report,
    /// 系统管理: departments, positions, users, settings.
    Admin,
    /// 审计日志.
    Audit,
}

impl Module {
    /// Every module in navigation order.
    pub const ALL: &'static [Module] = &[
        Module::Drug,
        Module::Customer,
        Module::Order,
        Module::Finance,
        Module::Report,
        Module::Admin,
        Module::Audit,
    ];

    /// Stable code, the prefix of its permissions' codes.
    pub fn code(self) -> &'static str {
        match self {
            Module::Drug => "drug",
            Module::Customer => "customer",
            Module::Order => "order",
            Module::Finance => "finance",
            Module::Report => "report",
            Module::Admin => "admin",
            Module::Audit => "audit",
        }
    }

    /// Chinese label.
    pub fn label_zh(self) -> &'static str {
        match self {
            Module::Drug => "药品管理",
            Module::Customer => "客户管理",
            Module::Order => "订单管理",
            Module::Finance => "财务",
            Module::Report => "统计分析",
            Module::Admin => "系统管理",
            Module::Audit => "审计日志",
        }
    }

    /// English label.
    pub fn label_en(self) -> &'static str {
        match self {
            Module::Drug => "Drugs",
            Module::Customer => "Customers",
            Module::Order => "Orders",
            Module::Finance => "Finance",
            Module::Report => "Reports",
            Module::Admin => "Administration",
            Module::Audit => "Audit log",
        }
    }
}

macro_rules! permissions {
    ($( $(#[$doc:meta])* $variant:ident = $code:literal, $module:ident, $zh:literal, $en:literal; )*) => {
        /// One permission of the catalogue.
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum Permission {
            $( $(#[$doc])* $variant, )*
        }

        impl Permission {
            /// Every permission, grouped by module.
            pub const ALL: &'static [Permission] = &[ $( Permission::$variant, )* ];

            /// The code, e.g. `drug.write`.
            pub fn code(self) -> &'static str {
                match self { $( Permission::$variant => $code, )* }
            }

            /// The module it belongs to.
            pub fn module(self) -> Module {
                match self { $( Permission::$variant => Module::$module, )* }
            }

            /// Chinese label.
            pub fn label_zh(self) -> &'static str {
                match self { $( Permission::$variant => $zh, )* }
            }

            /// English label.
            pub fn label_en(self) -> &'static str {
                match self { $( Permission::$variant => $en, )* }
            }

            /// The permission with this code, if the catalogue has it.
            pub fn from_code(code: &str) -> Option<Permission> {
                match code { $( $code => Some(Permission::$variant), )* _ => None }
            }
        }
    };
}

permissions! {
    /// See the drug catalogue.
    DrugRead = "drug.read", Drug, "查看药品", "View drugs";
    /// Add, edit, archive and import drugs.
    DrugWrite = "drug.write", Drug, "维护药品", "Edit drugs";
    /// Maintain the category tree.
    DrugCategoryWrite = "drug.category.write", Drug, "维护药品类别", "Edit drug categories";
    /// Maintain container units.
    DrugUnitWrite = "drug.unit.write", Drug, "维护容器单位", "Edit container units";
    /// See purchase prices (进价): commercially sensitive, not for sales reps.
    DrugCostRead = "drug.cost.read", Drug, "查看进价", "See purchase prices";

    /// See customers within the data scope.
    CustomerRead = "customer.read", Customer, "查看客户", "View customers";
    /// Register and edit customers.
    CustomerWrite = "customer.write", Customer, "维护客户档案", "Edit customers";
    /// Assign customers to reps and hand them over.
    CustomerAssign = "customer.assign", Customer, "分配客户", "Assign customers";
    /// See national ID numbers unmasked (each reveal is logged).
    CustomerSensitiveRead = "customer.sensitive.read", Customer, "查看身份证号", "Reveal ID numbers";
    /// Set a customer's credit terms (账期) and credit limit (信用额度): credit control,
    /// not the rep's own call (a rep who set them weakened the credit hold).
    CustomerCreditWrite = "customer.credit.write", Customer, "设置账期与信用额度", "Set credit terms";
    /// Change a customer's type while following it up.
    CustomerTypeChange = "customer.type.change", Customer, "变更客户类型", "Change customer type";
    /// Maintain the customer type dictionary.
    CustomerTypeWrite = "customer.type.write", Customer, "维护客户类型字典", "Edit customer types";
    /// Edit preferences, family, work experience, education.
    CustomerProfileWrite = "customer.profile.write", Customer, "查看和维护客户个人信息", "Read and edit customer personal records";
    /// Add and edit follow-up records.
    CustomerFollowupWrite = "customer.followup.write", Customer, "维护跟进记录", "Edit follow-ups";
    /// Add and edit certificates and licences.
    CustomerCertificateWrite = "customer.certificate.write", Customer, "维护客户证件", "Edit certificates";

    /// See orders within the data scope.
    OrderRead = "order.read", Order, "查看订单", "View orders";
    /// Place and edit orders.
    OrderWrite = "order.write", Order, "下单", "Place orders";
    /// Cancel an order before anything has shipped, or close (结案) what remains unshipped
    /// of a part-shipped one (with a reason, audited).
    OrderCancel = "order.cancel", Order, "取消/结案订单", "Cancel or close orders";
    /// Place an order for a customer on credit hold (overdue past the credit-hold days or
    /// over its credit limit), with a reason (audited).
    OrderCreditOverride = "order.credit_override", Order, "信用超限下单", "Override credit hold";
    /// Record shipments and their arrival.
    ShipmentWrite = "order.shipment.write", Order, "登记发货", "Record shipments";
    /// Report goods damaged or lost in transit.
    ExceptionReport = "order.exception.report", Order, "上报异常", "Report exceptions";
    /// Agree how an exception is handled (deduct or replace).
    ExceptionResolve = "order.exception.resolve", Order, "处理异常", "Resolve exceptions";

    /// See invoices, payments and reconciliations.
    FinanceRead = "finance.read", Finance, "查看财务", "View finance";
    /// Record invoices.
    InvoiceWrite = "finance.invoice.write", Finance, "登记开票", "Record invoices";
    /// Record payments received.
    PaymentWrite = "finance.payment.write", Finance, "登记回款", "Record payments";
    /// Reconcile accounts.
    FinanceReconcile = "finance.reconcile", Finance, "财务对账", "Reconcile accounts";
    /// Write off what is owed on a shipment without money coming in (应收核销: bad debt,
    /// bank charges, a small balance), with a reason; and reverse a write-off.
    FinanceWriteOff = "finance.write_off", Finance, "应收核销", "Write off receivables";
    /// See arrears lists and reminders.
    ArrearsRead = "finance.arrears.read", Finance, "查看欠款", "View arrears";

    /// See the statistics reports.
    ReportRead = "report.read", Report, "查看报表", "View reports";
    /// Export reports to Excel.
    ReportExport = "report.export", Report, "导出报表", "Export reports";

    /// Maintain departments.
    AdminDepartments = "admin.departments", Admin, "维护部门", "Manage departments";
    /// Maintain positions and their permissions.
    AdminPositions = "admin.positions", Admin, "维护岗位与权限", "Manage positions";
    /// Maintain users, service accounts and passwords.
    AdminUsers = "admin.users", Admin, "维护用户", "Manage users";
    /// Change system settings (transit days, certificate warning days…).
    AdminSettings = "admin.settings", Admin, "系统设置", "System settings";

    /// Read the audit log.
    AuditRead = "audit.read", Audit, "查看审计日志", "Read the audit log";
}

/// Holding this makes someone a **sales rep**: they place orders, so they can be a
/// customer's responsible sales rep (spec (2) 3: exactly one at any time).
pub const SALES_REP_ROLE: Permission = Permission::OrderWrite;

/// Holding this makes someone a **customer-service rep**: they record shipments, so they
/// can be a customer's responsible CS rep.
pub const CS_REP_ROLE: Permission = Permission::ShipmentWrite;

/// The permissions of which one sees what is owed and invoiced on an order
/// (GetOrderFinance, an order's `outstanding` and `not_invoiced`): finance
/// (`finance.read`), those who collect (`finance.arrears.read`), and those who record
/// payments and invoices against orders (their forms offer what is open on each). A 客服
/// who ships the order reads its amounts, not what is paid on it. The server enforces it;
/// the client asks for the figures only then.
pub const ORDER_MONEY: &[Permission] = &[
    Permission::FinanceRead,
    Permission::ArrearsRead,
    Permission::PaymentWrite,
    Permission::InvoiceWrite,
];

/// The permissions of which one lists a customer's invoices (开票记录), payments (回款记录)
/// and open items (未结明细), within one's data scope (ListInvoices, ListPayments,
/// ListOpenItems): finance (`finance.read`) and those who collect the arrears
/// (`finance.arrears.read`: a 营销员 chasing a customer needs what it was invoiced, what it
/// paid and which shipments are still owed; the customer's record holds them, requirement
/// (2) 12–13). Recording either stays with finance.
pub const CUSTOMER_MONEY_HISTORY: &[Permission] =
    &[Permission::FinanceRead, Permission::ArrearsRead];

impl Permission {
    /// What its screens read besides, with nothing to show without them: 下单 searches
    /// customers and drugs and opens the order placed; the order actions work on an order
    /// read; a customer's or drug's edits on the record read. The position form ticks them
    /// with it (a position with 下单 alone showed its holder an orders module refused and a
    /// drug search finding nothing). Finance's writes live in 财务's screens, which read
    /// the finance lists and pick customers (a position with 登记回款 alone showed an empty
    /// 财务). Not enforced: another service keys payments through the API with 登记回款
    /// alone, and arrears are exported without the reports.
    pub fn reads_with(self) -> &'static [Permission] {
        use Permission as P;
        match self {
            P::OrderWrite => &[P::OrderRead, P::CustomerRead, P::DrugRead],
            P::OrderCancel
            | P::OrderCreditOverride
            | P::ShipmentWrite
            | P::ExceptionReport
            | P::ExceptionResolve => &[P::OrderRead],
            P::CustomerWrite
            | P::CustomerAssign
            | P::CustomerCreditWrite
            | P::CustomerSensitiveRead
            | P::CustomerTypeChange
            | P::CustomerTypeWrite
            | P::CustomerProfileWrite
            | P::CustomerFollowupWrite
            | P::CustomerCertificateWrite => &[P::CustomerRead],
            P::DrugWrite | P::DrugCategoryWrite | P::DrugUnitWrite | P::DrugCostRead => {
                &[P::DrugRead]
            }
            P::InvoiceWrite | P::PaymentWrite | P::FinanceReconcile | P::FinanceWriteOff => {
                &[P::FinanceRead, P::CustomerRead]
            }
            _ => &[],
        }
    }

    /// The catalogue entry as sent over gRPC.
    pub fn to_proto(self) -> pb::PermissionInfo {
        let module = self.module();
        pb::PermissionInfo {
            code: self.code().to_owned(),
            module: module.code().to_owned(),
            module_label_zh: module.label_zh().to_owned(),
            module_label_en: module.label_en().to_owned(),
            label_zh: self.label_zh().to_owned(),
            label_en: self.label_en().to_owned(),
        }
    }
}

/// Which customer-owned records a user may see: the widest scope among their positions.
/// Ordered from narrowest to widest, so `max` is the union.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum DataScope {
    /// Only the records the user is responsible for.
    Own,
    /// The user's department and its sub-departments.
    Department,
    /// Everything.
    All,
}

impl DataScope {
    /// Stable code, as stored in the database.
    pub fn code(self) -> &'static str {
        match self {
            DataScope::Own => "own",
            DataScope::Department => "department",
            DataScope::All => "all",
        }
    }

    /// The scope with this code.
    pub fn from_code(code: &str) -> Option<DataScope> {
        match code {
            "own" => Some(DataScope::Own),
            "department" => Some(DataScope::Department),
            "all" => Some(DataScope::All),
            _ => None,
        }
    }

    /// Chinese label.
    pub fn label_zh(self) -> &'static str {
        match self {
            DataScope::Own => "仅本人负责",
            DataScope::Department => "本部门及下级部门",
            DataScope::All => "全部",
        }
    }

    /// English label.
    pub fn label_en(self) -> &'static str {
        match self {
            DataScope::Own => "Own records",
            DataScope::Department => "Own department and below",
            DataScope::All => "All records",
        }
    }
}

impl From<DataScope> for pb::DataScope {
    fn from(scope: DataScope) -> Self {
        match scope {
            DataScope::Own => pb::DataScope::Own,
            DataScope::Department => pb::DataScope::Department,
            DataScope::All => pb::DataScope::All,
        }
    }
}

impl TryFrom<pb::DataScope> for DataScope {
    type Error = ();

    fn try_from(scope: pb::DataScope) -> Result<Self, ()> {
        match scope {
            pb::DataScope::Unspecified => Err(()),
            pb::DataScope::Own => Ok(DataScope::Own),
            pb::DataScope::Department => Ok(DataScope::Department),
            pb::DataScope::All => Ok(DataScope::All),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    #[test]
    fn codes_are_unique_round_trip_and_start_with_their_module() {
        let mut seen = HashSet::new();
        for &p in Permission::ALL {
            assert!(seen.insert(p.code()), "duplicate code {}", p.code());
            assert_eq!(Permission::from_code(p.code()), Some(p));
            assert!(
                p.code().starts_with(&format!("{}.", p.module().code())),
                "{} is not under module {}",
                p.code(),
                p.module().code()
            );
            assert!(!p.label_zh().is_empty() && !p.label_en().is_empty());
        }
        assert_eq!(Permission::from_code("drug.delete_everything"), None);
    }

    #[test]
    fn every_module_has_a_permission() {
        for &m in Module::ALL {
            assert!(
                Permission::ALL.iter().any(|p| p.module() == m),
                "module {m:?} has no permission"
            );
        }
    }

    #[test]
    fn widest_scope_wins() {
        assert_eq!(
            [DataScope::Own, DataScope::All, DataScope::Department]
                .into_iter()
                .max(),
            Some(DataScope::All)
        );
        for s in [DataScope::Own, DataScope::Department, DataScope::All] {
            assert_eq!(DataScope::from_code(s.code()), Some(s));
        }
    }
}
