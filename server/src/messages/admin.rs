//! Messages of departments, positions, users, API tokens and the grants rule (nobody
//! grants more than they hold).

/// (key, English, 简体中文), sorted by key.
pub const MESSAGES: &[(&str, &str, &str)] = &[
    (
        "department.move_into_own_subtree",
        "“{name}” cannot be moved under itself or one of its own sub-departments",
        "不能把“{name}”移到它自己或它的下级部门之下",
    ),
    (
        "department.name_taken",
        "a department named “{name}” already exists at this level",
        "同一上级部门下已有名为“{name}”的部门",
    ),
    (
        "department.not_empty",
        "“{name}” still has {users} active user(s) and {children} active sub-department(s); move or disable them first",
        "“{name}”下还有 {users} 名在职用户和 {children} 个下级部门，请先调走或停用",
    ),
    ("department.not_found", "department not found", "部门不存在"),
    (
        "department.parent_archived",
        "the parent department is archived",
        "上级部门已归档",
    ),
    (
        "department.parent_missing",
        "the parent department does not exist",
        "上级部门不存在",
    ),
    (
        "grants.exceeded",
        "{what} needs what you do not hold yourself: {detail}",
        "{what}超出了您自己的权限：{detail}",
    ),
    (
        "position.builtin_archive",
        "the built-in position “{name}” cannot be archived",
        "内置岗位“{name}”不能归档",
    ),
    (
        "position.builtin_holds_all",
        "the built-in position “{name}” always holds every permission and sees all records",
        "内置岗位“{name}”始终拥有全部权限和全部数据范围",
    ),
    (
        "position.last_administrator",
        "at least one active person must keep the built-in administrator position",
        "至少要保留一名在职人员担任内置的系统管理员岗位",
    ),
    (
        "position.name_taken",
        "a position named “{name}” already exists",
        "已有名为“{name}”的岗位",
    ),
    ("position.not_found", "position not found", "岗位不存在"),
    (
        "position.scope_required",
        "choose own, department or all",
        "请选择数据范围：本人、本部门或全部",
    ),
    (
        "position.still_held",
        "{count} active user(s) still hold “{name}”; give them another position first",
        "仍有 {count} 名在职用户担任“{name}”，请先为他们调整岗位",
    ),
    ("position.this", "this position", "该岗位"),
    (
        "position.unknown_permission",
        "unknown permission “{code}”",
        "未知权限“{code}”",
    ),
    (
        "token.account_disabled",
        "the service account is disabled; enable it first",
        "该服务账号已停用，请先启用",
    ),
    ("token.not_found", "API token not found", "API 令牌不存在"),
    (
        "token.people_use_passwords",
        "API tokens are for service accounts; people log in with their password",
        "API 令牌仅用于服务账号，个人用户请用密码登录",
    ),
    (
        "user.department_inactive",
        "no such active department",
        "部门不存在或已归档",
    ),
    (
        "user.disable_self",
        "you cannot disable your own account",
        "不能停用自己的账号",
    ),
    ("user.manage_this", "managing this user", "管理该用户"),
    ("user.not_found", "user not found", "用户不存在"),
    (
        "user.position_inactive",
        "a position does not exist or is archived",
        "所选岗位不存在或已归档",
    ),
    (
        "user.positions_required",
        "choose at least one position",
        "请至少选择一个岗位",
    ),
    (
        "user.service_account_no_password",
        "service accounts have no password; issue an API token instead",
        "服务账号没有密码，请改为签发 API 令牌",
    ),
    (
        "user.still_responsible",
        "{name} is still responsible for {count} customer(s); hand them over first",
        "{name} 仍负责 {count} 个客户，请先完成客户交接",
    ),
    ("user.these_positions", "these positions", "所选岗位"),
    (
        "user.username_taken",
        "the username “{username}” is taken",
        "用户名“{username}”已被使用",
    ),
];
