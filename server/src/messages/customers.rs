//! Messages of customers, customer types, profile records, follow-ups, certificates and
//! the hand-over of customers between employees.

/// (key, English, 简体中文), sorted by key.
pub const MESSAGES: &[(&str, &str, &str)] = &[
    (
        "certificate.expires_before_issue",
        "is before the issue date",
        "早于发证日期",
    ),
    (
        "certificate.kind_required",
        "choose the kind of certificate",
        "请选择证件类型",
    ),
    (
        "certificate.not_found",
        "certificate not found",
        "证件不存在",
    ),
    (
        "certificate.scan_not_found",
        "scan not found",
        "扫描件不存在",
    ),
    (
        "certificate.scan_type",
        "must be a PDF, PNG or JPEG file",
        "须为 PDF、PNG 或 JPEG 文件",
    ),
    (
        "customer.action.assign_to_others",
        "assigning a customer to another sales rep",
        "把客户分配给其他营销员",
    ),
    (
        "customer.action.change_type",
        "changing a customer's type",
        "变更客户类型",
    ),
    (
        "customer.business_kind_required",
        "choose hospital, clinic, pharmacy, distributor or other",
        "请选择医院、诊所、药店、经销商或其他",
    ),
    (
        "customer.credit_days_range",
        "must be 0 to 3650 days",
        "须为 0 到 3650 天",
    ),
    (
        "customer.cs_rep_inactive",
        "choose an active customer-service rep",
        "请选择在职的客服",
    ),
    (
        "customer.cs_rep_required",
        "choose the customer-service rep",
        "请选择负责的客服",
    ),
    (
        "customer.drug_missing",
        "a drug does not exist",
        "所选药品不存在",
    ),
    ("customer.not_found", "customer not found", "客户不存在"),
    (
        "customer.rep_role_invalid",
        "must be sales or cs",
        "须为 sales 或 cs",
    ),
    (
        "customer.sales_rep_inactive",
        "choose an active sales rep",
        "请选择在职的营销员",
    ),
    (
        "customer.type_archived",
        "the customer type is archived",
        "该客户类型已归档",
    ),
    (
        "customer.type_inactive",
        "choose an active customer type",
        "请选择有效的客户类型",
    ),
    (
        "customer.type_missing",
        "no such customer type",
        "客户类型不存在",
    ),
    (
        "customer.type_required",
        "choose a customer type",
        "请选择客户类型",
    ),
    (
        "customer_type.not_found",
        "customer type not found",
        "客户类型不存在",
    ),
    (
        "customer_type.taken",
        "the customer type “{name}” already exists",
        "客户类型“{name}”已存在",
    ),
    (
        "followup.method_required",
        "choose visit, phone, WeChat or other",
        "请选择拜访、电话、微信或其他",
    ),
    (
        "followup.not_found",
        "follow-up not found",
        "跟进记录不存在",
    ),
    (
        "followup.time_required",
        "when did it happen?",
        "请填写跟进时间",
    ),
    (
        "handover.customers_required",
        "choose the customers to hand over",
        "请选择要交接的客户",
    ),
    (
        "handover.not_held",
        "{customer} is not held by this employee",
        "“{customer}”不由该员工负责",
    ),
    ("handover.role.cs", "CS rep", "客服"),
    ("handover.role.sales", "sales rep", "营销员"),
    (
        "handover.successor_required",
        "choose who takes over {customer} as {role}",
        "请选择接手“{customer}”的{role}",
    ),
    (
        "record.ends_before_start",
        "is before the start",
        "早于开始日期",
    ),
    (
        "record.kind_invalid",
        "must be preference, family, work or education",
        "须为喜好、家庭、工作经历或教育背景",
    ),
    ("record.not_found", "record not found", "记录不存在"),
];
