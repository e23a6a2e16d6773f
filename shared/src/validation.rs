//! Input rules that both sides check: the client as the user types, the server always.
//!
//! Each check returns `Err(Violation)` with an English and a Chinese sentence; the server
//! turns it into a `google.rpc.BadRequest` field violation.

/// Why a field's value is refused, in both languages.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Violation {
    /// English sentence.
    pub en: String,
    /// Chinese sentence.
    pub zh: String,
}

impl Violation {
    /// A violation with both sentences.
    pub fn new(en: impl Into<String>, zh: impl Into<String>) -> Self {
        Violation {
            en: en.into(),
            zh: zh.into(),
        }
    }
}

/// Minimum password length.
pub const PASSWORD_MIN_CHARS: usize = 8;
/// Maximum password length (Argon2 input stays bounded).
pub const PASSWORD_MAX_CHARS: usize = 128;

/// A login name: 3–50 characters of ASCII letters, digits, `.`, `_` or `-`.
pub fn username(value: &str) -> Result<(), Violation> {
    let len = value.chars().count();
    if !(3..=50).contains(&len) {
        return Err(Violation::new(
            "must be 3 to 50 characters long",
            "长度须为 3 到 50 个字符",
        ));
    }
    if !value
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-'))
    {
        return Err(Violation::new(
            "may contain only letters, digits, '.', '_' and '-'",
            "只能包含字母、数字、“.”、“_”和“-”",
        ));
    }
    Ok(())
}

/// A password: 8–128 characters.
pub fn password(value: &str) -> Result<(), Violation> {
    let len = value.chars().count();
    if len < PASSWORD_MIN_CHARS {
        return Err(Violation::new(
            format!("must be at least {PASSWORD_MIN_CHARS} characters long"),
            format!("至少 {PASSWORD_MIN_CHARS} 个字符"),
        ));
    }
    if len > PASSWORD_MAX_CHARS {
        return Err(Violation::new(
            format!("must be at most {PASSWORD_MAX_CHARS} characters long"),
            format!("最多 {PASSWORD_MAX_CHARS} 个字符"),
        ));
    }
    Ok(())
}

/// A required name or label: not blank after trimming, at most `max` characters.
pub fn required_text(value: &str, max: usize) -> Result<(), Violation> {
    let trimmed = value.trim();
    if trimmed.is_empty() {
        return Err(Violation::new("must not be empty", "不能为空"));
    }
    optional_text(trimmed, max)
}

/// Optional free text of at most `max` characters.
pub fn optional_text(value: &str, max: usize) -> Result<(), Violation> {
    if value.chars().count() > max {
        return Err(Violation::new(
            format!("must be at most {max} characters long"),
            format!("最多 {max} 个字符"),
        ));
    }
    Ok(())
}

/// A phone number: empty, or digits with optional leading `+`, spaces and dashes, 5–20 digits.
pub fn phone(value: &str) -> Result<(), Violation> {
    let value = value.trim();
    if value.is_empty() {
        return Ok(());
    }
    let body = value.strip_prefix('+').unwrap_or(value);
    let digits = body.chars().filter(char::is_ascii_digit).count();
    if !body
        .chars()
        .all(|c| c.is_ascii_digit() || c == '-' || c == ' ')
        || !(5..=20).contains(&digits)
    {
        return Err(Violation::new(
            "must be a phone number such as 13800138000 or 010-12345678",
            "须为电话号码，例如 13800138000 或 010-12345678",
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn usernames() {
        assert!(username("zhang.wei").is_ok());
        assert!(username("ab").is_err());
        assert!(username("张伟").is_err());
        assert!(username("a b c").is_err());
    }

    #[test]
    fn passwords() {
        assert!(password("1234567").is_err());
        assert!(password("12345678").is_ok());
        assert!(password(&"x".repeat(129)).is_err());
    }

    #[test]
    fn texts_and_phones() {
        assert!(required_text("   ", 10).is_err());
        assert!(required_text("销售一部", 4).is_ok());
        assert!(required_text("销售一部门", 4).is_err());
        assert!(phone("").is_ok());
        assert!(phone("010-12345678").is_ok());
        assert!(phone("+86 138 0013 8000").is_ok());
        assert!(phone("call me").is_err());
    }
}
