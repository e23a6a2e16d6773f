//! Every visible string goes through [`t`]: Simplified Chinese by default, English one
//! click away. The table holds both languages side by side, so a key cannot exist in one
//! language only; a test checks that every key the code uses is in the table.

use std::sync::atomic::{AtomicU8, Ordering};

use serde::{Deserialize, Serialize};

/// A UI language.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, Default)]
pub enum Lang {
    /// 简体中文.
    #[default]
    Zh,
    /// English.
    En,
}

static LANG: AtomicU8 = AtomicU8::new(0);

/// The current UI language.
pub fn lang() -> Lang {
    match LANG.load(Ordering::Relaxed) {
        1 => Lang::En,
        _ => Lang::Zh,
    }
}

/// Switches the UI language (the next frame shows it).
pub fn set_lang(lang: Lang) {
    LANG.store(
        match lang {
            Lang::Zh => 0,
            Lang::En => 1,
        },
        Ordering::Relaxed,
    );
}

/// The text of `key` in the current language; the key itself if it is missing (a test
/// makes sure none is).
pub fn t(key: &str) -> &'static str {
    match STRINGS.binary_search_by(|(k, _, _)| k.cmp(&key)) {
        Ok(i) => match lang() {
            Lang::Zh => STRINGS[i].1,
            Lang::En => STRINGS[i].2,
        },
        Err(_) => {
            debug_assert!(false, "missing i18n key {key}");
            "??"
        }
    }
}

/// (key, 中文, English), sorted by key.
pub const STRINGS: &[(&str, &str, &str)] = &[
    ("admin.tab.audit", "审计日志", "Audit log"),
    ("admin.tab.departments", "部门", "Departments"),
    ("admin.tab.positions", "岗位与权限", "Positions"),
    ("admin.tab.users", "用户", "Users"),
    ("app.title", "医药销售管理系统", "PharmaCRM"),
    ("audit.action", "操作", "Action"),
    ("audit.after", "修改后", "After"),
    ("audit.at", "时间", "Time"),
    (
        "audit.bad_date",
        "日期格式应为 YYYY-MM-DD",
        "Dates are YYYY-MM-DD",
    ),
    (
        "audit.bad_user",
        "用户编号应为数字",
        "The user id is a number",
    ),
    ("audit.before", "修改前", "Before"),
    ("audit.from", "起始日期", "From"),
    ("audit.object", "对象", "Object"),
    ("audit.object_id", "对象编号", "Object id"),
    ("audit.object_type", "对象类型", "Object type"),
    ("audit.peer", "来源地址", "Address"),
    (
        "audit.pick",
        "选择一条记录查看修改前后的内容",
        "Pick a row to see the record before and after",
    ),
    ("audit.search", "查询", "Search"),
    ("audit.to", "截止日期", "To"),
    ("audit.user", "用户", "User"),
    ("audit.user_id", "用户编号", "User id"),
    ("certificate.add", "添加证件", "Add certificate"),
    ("certificate.authority", "发证机关", "Issuing authority"),
    ("certificate.business", "营业执照", "Business licence"),
    ("certificate.download", "下载扫描件", "Download scan"),
    (
        "certificate.drug_trade",
        "药品经营许可证",
        "Drug trade licence",
    ),
    ("certificate.expired", "已过期", "Expired"),
    ("certificate.expires_on", "有效期至", "Expires on"),
    ("certificate.expiring", "即将过期", "Expiring soon"),
    ("certificate.gsp", "GSP 证书", "GSP certificate"),
    ("certificate.issued_on", "发证日期", "Issued on"),
    ("certificate.kind", "证件类型", "Kind"),
    (
        "certificate.medical",
        "医疗机构执业许可证",
        "Medical institution licence",
    ),
    ("certificate.number", "证件编号", "Number"),
    ("certificate.other", "其他证件", "Other"),
    (
        "certificate.saved",
        "扫描件已保存到 {path}",
        "Scan saved to {path}",
    ),
    (
        "certificate.scan_path",
        "扫描件文件路径（PDF/PNG/JPEG，可不填）",
        "Scan file path (PDF/PNG/JPEG, optional)",
    ),
    ("certificate.valid", "有效", "Valid"),
    ("common.cancel", "取消", "Cancel"),
    ("common.close", "关闭", "Close"),
    ("common.delete", "删除", "Delete"),
    ("common.loading", "加载中…", "Loading…"),
    ("common.next", "下一页", "Next"),
    (
        "common.page_info",
        "第 {from}–{to} 条，共 {total} 条",
        "{from}–{to} of {total}",
    ),
    ("common.prev", "上一页", "Previous"),
    ("common.reload", "刷新", "Refresh"),
    ("common.reload_record", "重新加载", "Reload"),
    ("common.save", "保存", "Save"),
    ("customer.address", "详细地址", "Street address"),
    ("customer.assign", "分配负责人", "Assign reps"),
    ("customer.back", "返回客户列表", "Back to the list"),
    ("customer.certificates", "证件", "Certificates"),
    (
        "customer.certificates_expired",
        "{n} 个证件已过期",
        "{n} certificate(s) expired",
    ),
    (
        "customer.certificates_expiring",
        "{n} 个证件即将过期",
        "{n} certificate(s) expiring",
    ),
    ("customer.change_type", "变更客户类型", "Change type"),
    ("customer.city", "城市", "City"),
    (
        "customer.clear_id_number",
        "删除已存的身份证号",
        "Remove the stored ID number",
    ),
    ("customer.contact", "联系人", "Contact person"),
    ("customer.create_anyway", "仍然创建", "Create anyway"),
    ("customer.credit_days", "账期（天）", "Credit terms (days)"),
    ("customer.cs_rep", "客服", "CS rep"),
    ("customer.drugs", "经营品种", "Drugs dealt in"),
    (
        "customer.duplicates",
        "可能重复：已有同名或同电话的客户",
        "Possible duplicates: customers with the same name or phone",
    ),
    ("customer.edit", "编辑客户", "Edit customer"),
    ("customer.fax", "传真", "Fax"),
    (
        "customer.find_drug",
        "添加品种（拼音首字母）",
        "Add a drug (pinyin initials)",
    ),
    (
        "customer.id_number",
        "联系人身份证号",
        "Contact's ID number",
    ),
    (
        "customer.id_number_replace",
        "新身份证号（留空则不变）",
        "New ID number (empty keeps)",
    ),
    ("customer.kind", "客户性质", "Business kind"),
    ("customer.kind.clinic", "诊所", "Clinic"),
    ("customer.kind.distributor", "经销商", "Distributor"),
    ("customer.kind.hospital", "医院", "Hospital"),
    ("customer.kind.other", "其他", "Other"),
    ("customer.kind.pharmacy", "药店", "Pharmacy"),
    ("customer.myself", "我自己", "Myself"),
    ("customer.name", "客户名称", "Customer name"),
    ("customer.new", "新建客户", "New customer"),
    ("customer.note", "备注", "Note"),
    ("customer.phone", "电话", "Phone"),
    ("customer.place_order", "下单", "Place order"),
    (
        "customer.place_order_later",
        "订单模块上线后可用",
        "Available once the order module ships",
    ),
    ("customer.postcode", "邮编", "Postcode"),
    ("customer.province", "省份", "Province"),
    ("customer.reason", "变更原因", "Reason"),
    ("customer.region", "地区", "Region"),
    ("customer.remove_drug", "移除", "Remove"),
    ("customer.reveal", "查看完整号码", "Reveal"),
    ("customer.sales_rep", "营销员", "Sales rep"),
    ("customer.tab.assignments", "分配记录", "Assignment history"),
    ("customer.tab.certificates", "证件", "Certificates"),
    ("customer.tab.followups", "跟进记录", "Follow-ups"),
    ("customer.tab.personal", "个人信息", "Personal records"),
    ("customer.tab.type_history", "类型变更", "Type history"),
    ("customer.type", "客户类型", "Customer type"),
    (
        "customers.expiring_only",
        "仅显示证件即将过期的",
        "Only with expiring certificates",
    ),
    ("customers.search", "搜索", "Search"),
    (
        "customers.search_hint",
        "名称、拼音首字母、联系人、电话（Ctrl+F）",
        "Name, pinyin initials, contact, phone (Ctrl+F)",
    ),
    ("customers.tab.handover", "客户交接", "Handover"),
    ("customers.tab.list", "客户列表", "Customers"),
    ("customers.tab.work", "我的工作", "My work"),
    ("dept.add_child", "新建下级部门", "Add sub-department"),
    ("dept.archive", "归档", "Archive"),
    (
        "dept.archive_question",
        "确定归档部门“{name}”吗？",
        "Archive the department “{name}”?",
    ),
    ("dept.create", "创建", "Create"),
    ("dept.edit", "编辑部门", "Edit department"),
    ("dept.empty", "还没有部门", "No departments yet"),
    ("dept.move_to", "上级部门（移动到…）", "Parent (move to…)"),
    ("dept.name", "部门名称", "Department name"),
    ("dept.new", "新建部门", "New department"),
    ("dept.new_name", "新部门名称", "New department's name"),
    ("dept.parent", "上级部门", "Parent department"),
    ("dept.people", "{n} 人", "{n} people"),
    ("dept.rename_move", "重命名 / 移动", "Rename / move"),
    ("dept.top_level", "（顶级部门）", "(top level)"),
    ("dept.tree", "组织结构", "Organisation"),
    ("drug.active", "在用", "Active"),
    ("drug.approval_number", "批准文号", "Approval number"),
    ("drug.archive", "归档", "Archive"),
    ("drug.archived", "已归档", "Archived"),
    (
        "drug.below_cost",
        "售价低于进价，保存时会提示",
        "The sale price is below the purchase price",
    ),
    ("drug.category", "药品类别", "Category"),
    ("drug.choose", "请选择", "Choose one"),
    ("drug.dosage_form", "剂型", "Dosage form"),
    ("drug.manufacturer", "生产企业", "Manufacturer"),
    ("drug.name", "通用名", "Generic name"),
    ("drug.note", "备注", "Note"),
    ("drug.pick", "（请选择）", "(choose)"),
    ("drug.purchase_price", "进价", "Purchase price"),
    ("drug.restore", "恢复", "Restore"),
    ("drug.sale_price", "售价", "Sale price"),
    ("drug.specification", "规格", "Specification"),
    ("drug.status", "状态", "Status"),
    ("drug.trade_name", "商品名", "Trade name"),
    ("drug.unit", "容器单位", "Container unit"),
    ("drugs.add_child", "新建下级类别", "Add sub-category"),
    ("drugs.all_categories", "全部类别", "All categories"),
    ("drugs.categories", "药品类别", "Categories"),
    ("drugs.category_name", "类别名称", "Category name"),
    (
        "drugs.delete_category_question",
        "确定删除类别“{name}”吗？",
        "Delete the category “{name}”?",
    ),
    ("drugs.discard", "放弃修改", "Discard changes"),
    (
        "drugs.discard_question",
        "当前药品有未保存的修改，放弃并打开另一种药品吗？",
        "The drug form has unsaved changes. Discard them and open the other drug?",
    ),
    (
        "drugs.download_template",
        "下载导入模板",
        "Download template",
    ),
    ("drugs.edit_category", "编辑类别", "Edit category"),
    ("drugs.edit_drug", "编辑药品", "Edit drug"),
    ("drugs.import", "从 Excel 导入", "Import from Excel"),
    ("drugs.import_path", "Excel 文件路径", "Excel file path"),
    (
        "drugs.import_refused",
        "有行未通过校验，未导入任何药品：",
        "Some rows were refused; nothing was imported:",
    ),
    ("drugs.import_run", "导入", "Import"),
    ("drugs.imported", "已导入 {n} 种药品", "Imported {n} drugs"),
    ("drugs.move_down", "下移", "Move down"),
    ("drugs.move_up", "上移", "Move up"),
    ("drugs.new_category", "新建类别", "New category"),
    ("drugs.new_drug", "新建药品", "New drug"),
    ("drugs.origin.agency", "代理", "Agency"),
    ("drugs.origin.self", "自产", "Self-produced"),
    ("drugs.parent_category", "上级类别", "Parent category"),
    ("drugs.rename_move", "重命名 / 移动", "Rename / move"),
    (
        "drugs.row_error",
        "第 {row} 行（{field}）：{message}",
        "Row {row} ({field}): {message}",
    ),
    ("drugs.search", "搜索", "Search"),
    (
        "drugs.search_hint",
        "名称、拼音首字母、规格、批准文号、厂家（Ctrl+F）",
        "Name, pinyin initials, spec, approval no., maker (Ctrl+F)",
    ),
    ("drugs.status.active", "在用", "Active"),
    ("drugs.status.all", "全部", "All"),
    ("drugs.status.archived", "已归档", "Archived"),
    ("drugs.tab.catalogue", "药品目录", "Catalogue"),
    ("drugs.tab.units", "容器单位", "Container units"),
    ("drugs.template_path", "模板保存到", "Save the template to"),
    (
        "drugs.template_saved",
        "模板已保存到 {path}",
        "Template saved to {path}",
    ),
    (
        "error.ca_file",
        "无法读取 CA 证书文件",
        "Cannot read the CA certificate file",
    ),
    (
        "error.certificate",
        "服务器证书不受信任：请确认 CA 证书文件是该服务器的",
        "The server's certificate is not trusted: check that the CA file belongs to this server",
    ),
    (
        "error.conflict",
        "该记录已被 {who} 于 {time} 修改，请刷新后再改",
        "Changed by {who} at {time} — reload and try again",
    ),
    (
        "error.locked",
        "登录失败次数过多，账号锁定至 {time}",
        "Too many failed logins; locked until {time}",
    ),
    (
        "error.unreachable",
        "无法连接服务器",
        "Cannot reach the server",
    ),
    ("followup.add", "添加跟进记录", "Add follow-up"),
    ("followup.content", "跟进内容", "Content"),
    ("followup.method", "跟进方式", "Method"),
    ("followup.next_on", "下次跟进日期", "Next follow-up"),
    ("followup.other", "其他", "Other"),
    ("followup.phone", "电话", "Phone"),
    ("followup.result", "跟进结果", "Result"),
    ("followup.visit", "拜访", "Visit"),
    ("followup.wechat", "微信", "WeChat"),
    (
        "handover.count",
        "负责 {n} 个客户",
        "Responsible for {n} customers",
    ),
    (
        "handover.done",
        "已交接 {moved} 个客户，该员工还负责 {remaining} 个",
        "Moved {moved} customers; {remaining} left with the employee",
    ),
    (
        "handover.employee",
        "交出客户的员工",
        "Employee handing over",
    ),
    (
        "handover.run",
        "交接所选客户",
        "Hand over the ticked customers",
    ),
    ("handover.tick_all", "全选", "Tick all"),
    ("handover.tick_none", "全不选", "Tick none"),
    ("handover.to_cs", "接手的客服", "CS rep taking over"),
    ("handover.to_sales", "接手的营销员", "Sales rep taking over"),
    ("login.ca", "CA 证书文件", "CA certificate file"),
    ("login.connection", "服务器连接", "Connection"),
    ("login.password", "密码", "Password"),
    (
        "login.password_required",
        "请输入密码",
        "Enter your password",
    ),
    ("login.remember", "记住用户名", "Remember username"),
    ("login.server", "服务器地址", "Server address"),
    ("login.submit", "登录", "Log in"),
    ("login.subtitle", "请登录", "Please log in"),
    ("login.username", "用户名", "Username"),
    (
        "login.username_required",
        "请输入用户名",
        "Enter your username",
    ),
    ("personal.add", "添加", "Add"),
    (
        "personal.detail",
        "内容 / 职务 / 学历",
        "Detail / position / degree",
    ),
    ("personal.education", "教育背景", "Education"),
    ("personal.family", "家庭情况", "Family"),
    ("personal.from", "开始日期", "From"),
    ("personal.preference", "喜好", "Preference"),
    (
        "personal.title",
        "项目 / 单位 / 学校",
        "Topic / organisation / school",
    ),
    ("personal.to", "结束日期", "To"),
    ("personal.work", "工作经历", "Work"),
    ("pos.archive", "归档岗位", "Archive position"),
    (
        "pos.archive_question",
        "确定归档岗位“{name}”吗？",
        "Archive the position “{name}”?",
    ),
    ("pos.description", "说明", "Description"),
    ("pos.edit", "编辑岗位", "Edit position"),
    ("pos.name", "岗位名称", "Position name"),
    ("pos.new", "新建岗位", "New position"),
    ("pos.permissions", "权限", "Permissions"),
    (
        "pos.pick",
        "选择左侧的岗位，或新建岗位",
        "Pick a position on the left, or create one",
    ),
    ("pos.scope", "数据范围", "Data scope"),
    ("scope.all", "全部", "All records"),
    (
        "scope.department",
        "本部门及下级部门",
        "Own department and below",
    ),
    ("scope.own", "仅本人负责", "Own records"),
    (
        "shell.coming",
        "该模块即将上线。",
        "This module is coming soon.",
    ),
    ("shell.connected", "已连接", "Connected"),
    (
        "shell.discard_and_logout",
        "放弃并退出",
        "Discard and log out",
    ),
    (
        "shell.discard_question",
        "有未保存的修改，确定放弃并退出登录吗？",
        "There are unsaved changes. Discard them and log out?",
    ),
    ("shell.disconnected", "连接中断", "Disconnected"),
    ("shell.logout", "退出登录", "Log out"),
    (
        "shell.no_modules",
        "您的岗位没有可用的功能，请联系管理员。",
        "Your positions grant no module; ask an administrator.",
    ),
    ("shell.server", "服务器", "Server"),
    ("tokens.copy", "复制", "Copy"),
    ("tokens.issue", "签发令牌", "Issue token"),
    (
        "tokens.issued_once",
        "令牌只显示这一次，请立即复制并妥善保存。",
        "The token is shown only this once: copy it now and keep it safe.",
    ),
    ("tokens.issued_title", "新的 API 令牌", "New API token"),
    ("tokens.label", "令牌用途", "Token label"),
    ("tokens.revoke", "吊销", "Revoke"),
    ("tokens.revoked", "已吊销", "Revoked"),
    ("tokens.title", "API 令牌", "API tokens"),
    ("tokens.token", "令牌", "Token"),
    ("units.capacity", "容量", "Capacity"),
    ("units.capacity_unit", "容量单位", "Capacity unit"),
    ("units.edit", "编辑容器单位", "Edit container unit"),
    ("units.name", "容器", "Container"),
    ("units.new", "新建容器单位", "New container unit"),
    ("units.note", "备注", "Note"),
    ("units.used_by", "药品数", "Drugs"),
    ("users.active", "在职", "Active"),
    ("users.created_at", "创建时间", "Created"),
    ("users.department", "部门", "Department"),
    ("users.disable", "停用", "Disable"),
    ("users.disabled", "已停用", "Disabled"),
    ("users.display_name", "姓名", "Name"),
    ("users.edit", "编辑用户", "Edit user"),
    ("users.edit_service", "编辑服务账号", "Edit service account"),
    ("users.enable", "启用", "Enable"),
    ("users.include_inactive", "包括已停用", "Include disabled"),
    ("users.new", "新建用户", "New user"),
    ("users.new_password", "新密码", "New password"),
    ("users.new_service", "新建服务账号", "New service account"),
    ("users.no_department", "（无部门）", "(no department)"),
    ("users.password", "初始密码", "Initial password"),
    ("users.phone", "电话", "Phone"),
    (
        "users.pick",
        "选择一个用户，或新建用户",
        "Pick a user, or create one",
    ),
    ("users.positions", "岗位", "Positions"),
    ("users.reset", "重置密码", "Reset password"),
    (
        "users.reset_done",
        "密码已重置，该用户需重新登录。",
        "Password reset; the user must log in again.",
    ),
    ("users.reset_password", "重置密码", "Reset password"),
    ("users.search", "搜索", "Search"),
    (
        "users.search_hint",
        "用户名、姓名或电话（Ctrl+F）",
        "Username, name or phone (Ctrl+F)",
    ),
    ("users.service", "服务账号", "Service account"),
    ("users.status", "状态", "Status"),
    ("users.username", "用户名", "Username"),
    ("work.certificates", "证件到期提醒", "Certificates to renew"),
    ("work.followups", "待跟进客户", "Follow-ups due"),
    ("work.none", "暂无", "Nothing"),
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_are_sorted_unique_and_translated() {
        for pair in STRINGS.windows(2) {
            assert!(
                pair[0].0 < pair[1].0,
                "{} must sort before {}",
                pair[0].0,
                pair[1].0
            );
        }
        for (key, zh, en) in STRINGS {
            assert!(!zh.trim().is_empty(), "{key} has no Chinese");
            assert!(!en.trim().is_empty(), "{key} has no English");
            // Placeholders must match between the languages.
            for placeholder in [
                "{path}",
                "{moved}",
                "{remaining}",
                "{row}",
                "{field}",
                "{message}",
                "{n}",
                "{name}",
                "{who}",
                "{time}",
                "{from}",
                "{to}",
                "{total}",
            ] {
                assert_eq!(
                    zh.contains(placeholder),
                    en.contains(placeholder),
                    "{key}: {placeholder}"
                );
            }
        }
    }

    #[test]
    fn every_key_the_code_uses_is_in_the_table() {
        let src = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
        let mut missing = Vec::new();
        let mut stack = vec![src];
        while let Some(dir) = stack.pop() {
            for entry in std::fs::read_dir(dir).expect("read src") {
                let path = entry.expect("entry").path();
                if path.is_dir() {
                    stack.push(path);
                    continue;
                }
                let text = std::fs::read_to_string(&path).expect("read file");
                for (i, _) in text.match_indices("t(\"") {
                    let before = text[..i].chars().next_back();
                    if before.is_some_and(|c| c.is_alphanumeric() || c == '_') {
                        continue;
                    }
                    let rest = &text[i + 3..];
                    let key = &rest[..rest.find('"').expect("closing quote")];
                    if STRINGS.binary_search_by(|(k, _, _)| k.cmp(&key)).is_err() {
                        missing.push(format!("{}: {key}", path.display()));
                    }
                }
            }
        }
        assert!(
            missing.is_empty(),
            "keys missing from the table: {missing:?}"
        );
    }

    #[test]
    fn switching_language_changes_the_text() {
        set_lang(Lang::En);
        assert_eq!(t("login.submit"), "Log in");
        set_lang(Lang::Zh);
        assert_eq!(t("login.submit"), "登录");
    }
}
