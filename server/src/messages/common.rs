//! Messages of sign-in and sessions (`auth.*`), of errors any request can meet
//! (`error.*`) and of generic field rules (`field.*`).

/// (key, English, 简体中文), sorted by key.
pub const MESSAGES: &[(&str, &str, &str)] = &[
    (
        "auth.action_needs_permission",
        "{action} needs {permission}",
        "{action}需要“{permission}”权限",
    ),
    (
        "auth.login.disabled",
        "this account is disabled; ask an administrator",
        "该账号已停用，请联系管理员",
    ),
    (
        "auth.login.locked",
        "too many failed logins; try again after {time}",
        "登录失败次数过多，请在 {time} 之后再试",
    ),
    (
        "auth.login.wrong_credentials",
        "wrong username or password",
        "用户名或密码错误",
    ),
    (
        "auth.method_unavailable",
        "this method is not available",
        "该方法不可用",
    ),
    (
        "auth.password.changed_meanwhile",
        "your password was changed meanwhile; log in again",
        "您的密码已被修改，请重新登录",
    ),
    (
        "auth.password.wrong",
        "the current password is wrong",
        "当前密码不正确",
    ),
    (
        "auth.permission_needed",
        "you need the permission “{permission}” ({code})",
        "您没有“{permission}”权限（{code}）",
    ),
    (
        "auth.session.disabled",
        "this account is disabled",
        "该账号已停用",
    ),
    (
        "auth.session.expired",
        "your session has expired; log in again",
        "会话已过期，请重新登录",
    ),
    (
        "auth.session.invalid",
        "not logged in or the token is invalid; log in again",
        "未登录或令牌无效，请重新登录",
    ),
    (
        "auth.session.missing",
        "missing `authorization: Bearer <token>`; log in first",
        "缺少登录令牌，请先登录",
    ),
    (
        "error.internal",
        "internal server error (id {id}); the administrator can look it up in the server log",
        "服务器内部错误（编号 {id}），管理员可在服务器日志中查到",
    ),
    ("error.record_not_found", "record not found", "记录不存在"),
    (
        "error.retry",
        "the record is being changed by someone else; try again",
        "该记录正被他人修改，请重试",
    ),
    (
        "error.stale_version",
        "changed by {by} at {time}; reload and try again",
        "该记录已被 {by} 于 {time} 修改，请重新加载后再试",
    ),
    (
        "field.invalid_date",
        "must be a date such as 2026-12-31",
        "须为日期，例如 2026-12-31",
    ),
    ("field.invalid_time", "not a valid time", "不是有效的时间"),
    (
        "field.not_xlsx",
        "is not an .xlsx workbook",
        "不是 .xlsx 工作簿",
    ),
    ("field.required", "is required", "必填"),
    ("field.too_large", "is larger than {mb} MB", "超过 {mb} MB"),
];
