//! The standard positions (岗位) created on first start, with the permissions and data
//! scope of each role as the business works.

use pharmacrm_shared::{DataScope, Permission};

use super::{
    ADMIN_POSITION, FINANCE_POSITION, SALES_MANAGER_POSITION, SALES_REP_POSITION, SERVICE_POSITION,
};
use crate::db::models::position::PositionInput;

/// Every standard position, with whether it is the built-in administrator.
pub fn standard_positions() -> Vec<(PositionInput, bool)> {
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
        P::OrderCancel,
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
                    &[
                        P::CustomerAssign,
                        P::CustomerCreditWrite,
                        P::OrderCreditOverride,
                        P::FinanceRead,
                        P::ReportRead,
                        P::ReportExport,
                    ],
                ]
                .concat(),
            ),
            false,
        ),
        (
            position(
                SALES_REP_POSITION,
                "营销员：跟进自己负责的客户并下单，查看本人的销售报表",
                DataScope::Own,
                // Their own figures (统计分析 within 本人: what they sold, to whom, where,
                // what they collected); no export: a rep's customer list with contacts
                // does not leave in a spreadsheet.
                &[&customer_work[..], &[P::ReportRead]].concat(),
            ),
            false,
        ),
        (
            position(
                SERVICE_POSITION,
                "客服：登记发货、维护到货状态、上报异常、批号追溯",
                DataScope::Own,
                &[
                    P::DrugRead,
                    P::CustomerRead,
                    P::CustomerFollowupWrite,
                    P::OrderRead,
                    P::ShipmentWrite,
                    P::ExceptionReport,
                    // The recall's list, exported for the calls (批号追溯): without
                    // report.read and the finance permissions, the only export they
                    // have.
                    P::ReportExport,
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
                    P::DrugCostRead,
                    P::CustomerRead,
                    P::OrderRead,
                    P::FinanceRead,
                    P::InvoiceWrite,
                    P::PaymentWrite,
                    P::FinanceReconcile,
                    P::FinanceWriteOff,
                    P::ArrearsRead,
                    P::ReportRead,
                    P::ReportExport,
                ],
            ),
            false,
        ),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every standard position holds what its permissions' screens read: a 下单 without
    /// 查看订单 would greet its holders with a module refused.
    #[test]
    fn the_standard_positions_hold_what_their_permissions_read() {
        for (position, _) in standard_positions() {
            for p in &position.permissions {
                for read in p.reads_with() {
                    assert!(
                        position.permissions.contains(read),
                        "{} holds {} without {}",
                        position.name,
                        p.code(),
                        read.code()
                    );
                }
            }
        }
    }
}
