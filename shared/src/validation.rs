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

    /// An empty required field: "required" / "必填", the one wording every form uses
    /// (the server's `field.required` says the same).
    pub fn required() -> Self {
        Violation::new("required", "必填")
    }
}

/// Minimum password length.
pub const PASSWORD_MIN_CHARS: usize = 8;
/// Maximum password length (Argon2 input stays bounded).
pub const PASSWORD_MAX_CHARS: usize = 128;

/// The most units on one order line (a whole number of container units, at least 1).
pub const MAX_LINE_QUANTITY: i64 = 9_999_999;

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

/// A password: 8–128 characters mixing at least two kinds of characters (letters,
/// digits, symbols), so that `12345678` or `aaaaaaaa` is refused (GB/T 22239-2019 §8.1.4.1:
/// passwords have complexity requirements).
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
    let kinds = [
        value.chars().any(char::is_alphabetic),
        value.chars().any(|c| c.is_ascii_digit()),
        value
            .chars()
            .any(|c| !c.is_alphabetic() && !c.is_ascii_digit()),
    ];
    if kinds.iter().filter(|k| **k).count() < 2 {
        return Err(Violation::new(
            "must mix at least two kinds of characters: letters, digits, symbols",
            "须包含字母、数字、符号中的至少两类",
        ));
    }
    Ok(())
}

/// Required free text (a note, a reason, a description): not blank after trimming, at
/// most `max` characters, lines allowed ([`optional_text`]).
pub fn required_text(value: &str, max: usize) -> Result<(), Violation> {
    required(value, max, optional_text)
}

/// `value`, trimmed, not blank and then as `optional` checks it.
fn required(
    value: &str,
    max: usize,
    optional: fn(&str, usize) -> Result<(), Violation>,
) -> Result<(), Violation> {
    let trimmed = value.trim();
    if trimmed.is_empty() {
        return Err(Violation::required());
    }
    optional(trimmed, max)
}

/// Optional free text of at most `max` characters: line breaks and tabs allowed, other
/// control characters (a terminal's escapes, a bell) refused — they garble exports and
/// screens.
pub fn optional_text(value: &str, max: usize) -> Result<(), Violation> {
    if value
        .chars()
        .any(|c| c.is_control() && !matches!(c, '\n' | '\r' | '\t'))
    {
        return Err(Violation::new(
            "must not contain control characters",
            "不能包含控制字符",
        ));
    }
    if value.chars().count() > max {
        return Err(Violation::new(
            format!("must be at most {max} characters long"),
            format!("最多 {max} 个字符"),
        ));
    }
    Ok(())
}

/// A required one-line value (a name, a number, a batch number, a carrier): not blank
/// after trimming, at most `max` characters, no control character at all
/// ([`optional_line`]).
pub fn required_line(value: &str, max: usize) -> Result<(), Violation> {
    required(value, max, optional_line)
}

/// The longest text a search or list filter takes (a name, number, reference or batch
/// typed to look for), in characters: longer is refused on its field rather than run (a
/// 10,000-character name made PostgreSQL's pattern too complex).
pub const SEARCH_TEXT_MAX: usize = 100;

/// An optional one-line value of at most `max` characters: a line break or a tab in a
/// name, a number or a code is refused (it would split a recall search, an export's
/// cell, a printed label).
pub fn optional_line(value: &str, max: usize) -> Result<(), Violation> {
    // Invisible too: a zero-width space or a byte-order mark pasted with a number would
    // show as the number and never match it.
    let invisible = |c: char| {
        matches!(
            c,
            '\u{200B}'..='\u{200F}' | '\u{2028}'..='\u{202E}' | '\u{2060}' | '\u{FEFF}'
        )
    };
    if value.chars().any(|c| c.is_control() || invisible(c)) {
        return Err(Violation::new(
            "must be one line, without tabs, control or invisible characters",
            "须为一行，不能包含换行、制表符等控制字符或不可见字符",
        ));
    }
    optional_text(value, max)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn file_name_parts_hold_nothing_a_desktop_forbids() {
        assert_eq!(file_name_part(" A/B:药房* "), "A_B_药房_");
        assert_eq!(
            file_name_part("长沙\\第一\"医院\"|\t?"),
            "长沙_第一_医院____"
        );
        // A long name is cut: three of them with a title and dates fit in 255 bytes.
        let long = file_name_part(&"药".repeat(100));
        assert_eq!(long.chars().count(), FILE_NAME_PART_MAX);
        assert!(long.ends_with('…'));
        let name = format!("批号追溯_{long}_{long}_{long}_2026-11-01_2026-11-30.xlsx");
        assert!(name.len() < 255, "{} bytes", name.len());
    }

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
        // One kind of character only.
        assert!(password("12345678").is_err());
        assert!(password("aaaaaaaa").is_err());
        assert!(password("--------").is_err());
        assert!(password("abcd1234").is_ok());
        assert!(password("demo-2026").is_ok());
        assert!(password("brand-new-password").is_ok());
        assert!(password(&format!("a{}", "1".repeat(128))).is_err());
    }

    #[test]
    fn texts() {
        assert!(required_text("   ", 10).is_err());
        assert!(required_text("销售一部", 4).is_ok());
        assert!(required_text("销售一部门", 4).is_err());
        // Lines in free text, never a terminal's escapes; nothing of the kind in a line.
        assert!(optional_text("第一行\n第二行\t完", 20).is_ok());
        assert!(optional_text("B\u{7}\u{1b}[31m", 20).is_err());
        assert!(optional_line("B2026A09", 20).is_ok());
        assert!(optional_line("SF\n\tX", 20).is_err());
        assert!(optional_line("B1\u{200b}X", 20).is_err());
        assert!(optional_line("\u{feff}B1X", 20).is_err());
        assert!(required_line("  ", 20).is_err());
        assert!(required_line("顺丰速运", 3).is_err());
    }
}

/// A mainland national ID number (GB 11643-1999): 18 characters, 17 digits and a check
/// character (a digit or X) that matches the ISO 7064 MOD 11-2 checksum, with a valid
/// birth date. Lower-case x is accepted.
pub fn id_number(value: &str) -> Result<(), Violation> {
    let v: Vec<char> = value.trim().chars().collect();
    let shape_ok = v.len() == 18
        && v[..17].iter().all(char::is_ascii_digit)
        && (v[17].is_ascii_digit() || v[17] == 'X' || v[17] == 'x');
    if !shape_ok {
        return Err(Violation::new(
            "must be 18 characters: 17 digits and a digit or X",
            "须为 18 位：17 位数字加 1 位数字或 X",
        ));
    }
    const WEIGHTS: [u32; 17] = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
    const CHECK: [char; 11] = ['1', '0', 'X', '9', '8', '7', '6', '5', '4', '3', '2'];
    let sum: u32 = v[..17]
        .iter()
        .zip(WEIGHTS)
        .map(|(c, w)| c.to_digit(10).unwrap_or(0) * w)
        .sum();
    let expected = CHECK[(sum % 11) as usize];
    if v[17].to_ascii_uppercase() != expected {
        return Err(Violation::new(
            "the check digit does not match; check the number",
            "校验位不符，请核对号码",
        ));
    }
    let digits = |range: std::ops::Range<usize>| {
        v[range]
            .iter()
            .collect::<String>()
            .parse::<u32>()
            .unwrap_or(0)
    };
    let (year, month, day) = (digits(6..10), digits(10..12), digits(12..14));
    let days_in_month = match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 => 29,
        2 => 28,
        _ => 0,
    };
    if !(1900..=2100).contains(&year) || day == 0 || day > days_in_month {
        return Err(Violation::new(
            "the birth date in the number is not a real date",
            "号码中的出生日期无效",
        ));
    }
    Ok(())
}

/// Refuses an ID number (already valid per [`id_number`]) whose birth date is after
/// `today` (`YYYYMMDD`, the business date on the server): nobody is born in the future.
pub fn id_number_born_by(value: &str, today: u32) -> Result<(), Violation> {
    let birth: u32 = value
        .trim()
        .get(6..14)
        .and_then(|d| d.parse().ok())
        .unwrap_or(0);
    if birth > today {
        return Err(Violation::new(
            "the birth date in the number is in the future",
            "号码中的出生日期晚于今天",
        ));
    }
    Ok(())
}

/// A mainland mobile number (11 digits starting with 1) or a landline with its area
/// code (0 + 2–3 digits, then 7–8 digits, optionally grouped as printed: 010-6512 3456,
/// and optionally an extension), e.g. 010-12345678;
/// or, with its country code, a number in Hong Kong or Macau (+852 / +853 and 8 digits)
/// or Taiwan (+886 and 8–9 digits), where customers may also be.
pub fn china_phone(value: &str) -> Result<(), Violation> {
    let v = value.trim();
    if v.is_empty() {
        return Ok(());
    }
    let digits: String = v.chars().filter(char::is_ascii_digit).collect();
    let allowed = v
        .chars()
        .all(|c| c.is_ascii_digit() || matches!(c, '-' | ' ' | '+'));
    let mobile = digits.len() == 11 && digits.starts_with('1');
    let with_country = digits.len() == 13 && digits.starts_with("861");
    let beyond_the_mainland = v.starts_with('+')
        && (((digits.starts_with("852") || digits.starts_with("853")) && digits.len() == 11)
            || (digits.starts_with("886") && (11..=12).contains(&digits.len())));
    let landline = {
        let (main, extension) = v.split_once(['转', '#']).unwrap_or((v, ""));
        let extension_ok = extension.chars().all(|c| c.is_ascii_digit()) && extension.len() <= 6;
        let parts: Vec<&str> = main.split(['-', ' ']).filter(|p| !p.is_empty()).collect();
        let number: usize = parts.iter().skip(1).map(|p| p.len()).sum();
        parts.len() >= 2
            && parts[0].starts_with('0')
            && (3..=4).contains(&parts[0].len())
            && (7..=8).contains(&number)
            && parts.iter().all(|p| p.chars().all(|c| c.is_ascii_digit()))
            && extension_ok
    };
    if (allowed && (mobile || with_country || beyond_the_mainland)) || landline {
        Ok(())
    } else {
        // The example's groups joined by no-break spaces: a wrapped message does not
        // split the number ("+852 2345 / 6789").
        Err(Violation::new(
            "must be a mobile number (13800138000), a landline with its area code \
             (010-12345678) or a Hong Kong, Macau or Taiwan number with its country code \
             (+852\u{a0}2345\u{a0}6789)",
            "须为手机号（如 13800138000）、带区号的固定电话（如 010-12345678）\
             或带国际区号的港澳台号码（如 +852\u{a0}2345\u{a0}6789）",
        ))
    }
}

/// A phone number [`china_phone`] accepts, as stored and matched: a mobile number's 11
/// digits together (`139 0733 0001` → `13907330001`), a landline's area code and number
/// joined by a hyphen (`0731 28561000` → `0731-28561000`, `010-6512 3456` →
/// `010-65123456`); anything else trimmed.
pub fn normalise_phone(value: &str) -> String {
    let v = value.trim();
    let separators_only = v
        .chars()
        .all(|c| c.is_ascii_digit() || matches!(c, '-' | ' '));
    if !separators_only {
        return v.to_owned();
    }
    let digits: String = v.chars().filter(char::is_ascii_digit).collect();
    if digits.len() == 11 && digits.starts_with('1') {
        return digits;
    }
    let parts: Vec<&str> = v.split(['-', ' ']).filter(|p| !p.is_empty()).collect();
    match parts.as_slice() {
        [area, number @ ..] if area.starts_with('0') && !number.is_empty() => {
            format!("{area}-{}", number.concat())
        }
        _ => v.to_owned(),
    }
}

/// `text` with the full-width forms a Chinese input method types (`１２．５`, `ＩＣＢＣ－０１`:
/// U+FF01–U+FF5E, and the ideographic space U+3000) as their ASCII selves (`12.5`,
/// `ICBC-01`); anything else as it is. Amounts, quantities and the numbers and codes
/// matched against others (bank references, invoice numbers, waybills, batch numbers) are
/// read through it, so the same number typed either way is one number.
pub fn half_width(text: &str) -> String {
    text.chars()
        .map(|c| match c {
            '\u{FF01}'..='\u{FF5E}' => char::from_u32(u32::from(c) - 0xFEE0).unwrap_or(c),
            '\u{3000}' => ' ',
            other => other,
        })
        .collect()
}

/// The most characters of one part of a file name ([`file_name_part`]): three parts of
/// Chinese (three bytes each) with a title and dates stay under the 255 bytes a Linux
/// file system allows a name.
pub const FILE_NAME_PART_MAX: usize = 20;

/// `text` fit for a part of a file name on every desktop, trimmed: the characters Windows
/// forbids (`\ / : * ? " < > |`) and control characters become `_` ("A/B 药房" →
/// "A_B 药房"), and past [`FILE_NAME_PART_MAX`] characters it is cut, ending in "…". The
/// server names its exports with it and the client proposes the same names.
pub fn file_name_part(text: &str) -> String {
    let clean: Vec<char> = text
        .trim()
        .chars()
        .map(|c| {
            if c.is_control() || "\\/:*?\"<>|".contains(c) {
                '_'
            } else {
                c
            }
        })
        .collect();
    if clean.len() <= FILE_NAME_PART_MAX {
        clean.into_iter().collect()
    } else {
        let mut cut: String = clean[..FILE_NAME_PART_MAX - 1].iter().collect();
        cut.push('…');
        cut
    }
}

/// A six-digit postcode.
pub fn postcode(value: &str) -> Result<(), Violation> {
    let v = value.trim();
    if v.is_empty() || (v.len() == 6 && v.chars().all(|c| c.is_ascii_digit())) {
        Ok(())
    } else {
        Err(Violation::new("must be six digits", "须为 6 位数字"))
    }
}

/// A VAT invoice's number as printed (发票号码): the 8 digits of a paper or electronic
/// invoice (增值税专用/普通发票, printed beside its 10- or 12-digit 发票代码), or the 20 of a
/// fully digitalised one (数电发票), spaces around it ignored.
pub fn invoice_number(value: &str) -> Result<(), Violation> {
    let v = value.trim();
    if v.is_empty() {
        return Err(Violation::required());
    }
    if matches!(v.len(), 8 | 20) && v.chars().all(|c| c.is_ascii_digit()) {
        Ok(())
    } else {
        Err(Violation::new(
            "must be the invoice number as printed: 8 digits, or 20 for a fully digital \
             invoice",
            "须为发票上的发票号码：8 位数字，数电发票为 20 位数字",
        ))
    }
}

/// Whether an invoice numbered `number` (as typed) needs its code (发票代码): a
/// tax-control invoice's, 8 digits ([`invoice_code`]).
pub fn needs_invoice_code(number: &str) -> bool {
    let number = number.trim();
    number.len() == 8 && number.chars().all(|c| c.is_ascii_digit())
}

/// A VAT invoice's code (发票代码) beside its number `number` (both as typed, spaces
/// around them ignored): a tax-control invoice (8-digit number) needs the 10 digits of a
/// paper invoice's code or the 12 of an electronic one's, its numbers starting again in
/// every batch of the code; a fully digitalised invoice (数电发票, 20-digit number) has
/// none. A number that is neither is left to [`invoice_number`].
pub fn invoice_code(code: &str, number: &str) -> Result<(), Violation> {
    let code = code.trim();
    let digits = |v: &str| v.chars().all(|c| c.is_ascii_digit());
    let number = number.trim();
    match (number.len(), digits(number)) {
        (20, true) if !code.is_empty() => Err(Violation::new(
            "a fully digital invoice (20-digit number) has no invoice code: leave it empty",
            "数电发票（20 位号码）没有发票代码，请留空",
        )),
        _ if needs_invoice_code(number) && code.is_empty() => Err(Violation::new(
            "required for an 8-digit invoice number: the 10 or 12 digits printed beside it",
            "8 位发票号码须填写发票代码：号码旁印的 10 位或 12 位数字",
        )),
        _ if code.is_empty() || (matches!(code.len(), 10 | 12) && digits(code)) => Ok(()),
        _ => Err(Violation::new(
            "must be the invoice code as printed: 10 or 12 digits",
            "须为发票上的发票代码：10 位或 12 位数字",
        )),
    }
}

/// An invoice as printed on it, to name one where numbers may repeat under two codes:
/// 发票代码 then 号码, "1100261130 04419001"; the number alone for a 数电发票.
pub fn invoice_printed(code: &str, number: &str) -> String {
    if code.is_empty() {
        number.to_owned()
    } else {
        format!("{code} {number}")
    }
}

/// The characters of a unified social credit code (统一社会信用代码), in the order of their
/// values (GB 32100-2015: digits and capitals but I, O, Z, S, V).
const CREDIT_CODE_CHARS: &str = "0123456789ABCDEFGHJKLMNPQRTUWXY";

/// An organisation's unified social credit code (统一社会信用代码, its 纳税人识别号 since
/// 2015): 18 characters of [`CREDIT_CODE_CHARS`], the last a check character (GB
/// 32100-2015 §4: Σ value × 3^(i) mod 31 over the first 17, weights 1, 3, 9, 27, 19…).
/// Upper case is expected (callers upper-case what was typed); empty is for callers to
/// allow.
pub fn credit_code(value: &str) -> Result<(), Violation> {
    let v = value.trim();
    let values: Option<Vec<usize>> = v.chars().map(|c| CREDIT_CODE_CHARS.find(c)).collect();
    let Some(values) = values.filter(|v| v.len() == 18) else {
        return Err(Violation::new(
            "must be the 18-character unified social credit code (统一社会信用代码), \
             digits and capital letters (no I, O, Z, S or V)",
            "须为 18 位统一社会信用代码（数字和大写字母，不含 I、O、Z、S、V）",
        ));
    };
    if credit_code_check(&values[..17]) == values[17] {
        Ok(())
    } else {
        Err(Violation::new(
            "its last character does not match the others (check character): check it",
            "校验位不符，请核对",
        ))
    }
}

/// The check character's value of a unified social credit code whose first 17 characters
/// have the values `values` (in [`CREDIT_CODE_CHARS`]): GB 32100-2015 §4.
fn credit_code_check(values: &[usize]) -> usize {
    let mut weight = 1;
    let mut sum = 0;
    for value in values {
        sum += value * weight;
        weight = weight * 3 % 31;
    }
    (31 - sum % 31) % 31
}

/// `first17`, the first 17 characters of a unified social credit code, completed with its
/// check character; `None` when one of them cannot stand in a code.
pub fn complete_credit_code(first17: &str) -> Option<String> {
    let values: Vec<usize> = first17
        .chars()
        .map(|c| CREDIT_CODE_CHARS.find(c))
        .collect::<Option<_>>()?;
    if values.len() != 17 {
        return None;
    }
    let check = CREDIT_CODE_CHARS.chars().nth(credit_code_check(&values))?;
    Some(format!("{first17}{check}"))
}

/// The masked form of an ID number: the first 6 and last 4 characters (110105********123X).
pub fn mask_id_number(value: &str) -> String {
    let v: Vec<char> = value.trim().chars().collect();
    if v.len() < 10 {
        return "*".repeat(v.len());
    }
    let head: String = v[..6].iter().collect();
    let tail: String = v[v.len() - 4..].iter().collect();
    format!("{head}{}{tail}", "*".repeat(v.len() - 10))
}

#[cfg(test)]
mod customer_tests {
    use super::*;

    #[test]
    fn id_numbers_are_checked_by_gb_11643() {
        // A well-known valid example and its checksum variants.
        assert!(id_number("11010519491231002X").is_ok());
        assert!(id_number("11010519491231002x").is_ok());
        assert!(
            id_number("110105194912310021").is_err(),
            "wrong check digit"
        );
        assert!(id_number("11010519491331002X").is_err(), "month 13");
        assert!(id_number("1101051949123100").is_err(), "too short");
        assert!(id_number("11010519491231002Y").is_err());
    }

    #[test]
    fn phones_postcodes_and_masks() {
        assert!(china_phone("13800138000").is_ok());
        assert!(china_phone("010-12345678").is_ok());
        assert!(china_phone("0755 8888888").is_ok());
        assert!(china_phone("12345").is_err());
        assert!(china_phone("010-123").is_err());
        // A landline grouped as printed on a card.
        assert!(china_phone("010-6512 3456").is_ok());
        assert!(china_phone("0731 2856 1000").is_ok());
        assert!(china_phone("010-6512 34").is_err(), "six digits");
        assert!(china_phone("010-12345678#808").is_ok());
        assert!(china_phone("010-12345678#abc").is_err());
        // Hong Kong, Macau and Taiwan, with their country codes only.
        assert!(china_phone("+852 2345 6789").is_ok());
        assert!(china_phone("+853 2888 1234").is_ok());
        assert!(china_phone("+886 912 345 678").is_ok());
        assert!(china_phone("852 2345 6789").is_err());
        assert!(china_phone("+852 2345 678").is_err());
        assert_eq!(half_width("１２，３４５．５０"), "12,345.50");
        assert_eq!(
            half_width("ＩＣＢＣ　２０２６１２０６－０１"),
            "ICBC 20261206-01"
        );
        assert_eq!(half_width("发票号 ０４４１９００３"), "发票号 04419003");
        // Stored one way however typed, so search and the duplicate check find them.
        assert_eq!(normalise_phone(" 139 0733 0001 "), "13907330001");
        assert_eq!(normalise_phone("139-0733-0001"), "13907330001");
        assert_eq!(normalise_phone("0755 8888888"), "0755-8888888");
        assert_eq!(normalise_phone("010-6512 3456"), "010-65123456");
        assert_eq!(normalise_phone("010-12345678#808"), "010-12345678#808");
        assert_eq!(normalise_phone("+852 2345 6789"), "+852 2345 6789");
        // The standard's own example, and two companies' codes.
        for code in [
            "91350100M000100Y43",
            "91440300708461136T",
            "9144030071526726XG",
        ] {
            assert!(credit_code(code).is_ok(), "{code}");
        }
        assert_eq!(
            credit_code("91350100M000100Y44").unwrap_err().zh,
            "校验位不符，请核对"
        );
        assert_eq!(
            complete_credit_code("91440300708461136").as_deref(),
            Some("91440300708461136T")
        );
        assert_eq!(complete_credit_code("9144030070846113I"), None);
        for bad in [
            "123",
            "91350100M000100Y4",
            "91350100M000100I43",
            "91350100m000100y43",
        ] {
            assert!(credit_code(bad).is_err(), "{bad}");
        }
        assert!(invoice_number(" 04419001 ").is_ok());
        assert!(invoice_number("26112000000012345678").is_ok());
        for bad in [
            "",
            "abc x",
            "0441900",
            "044190012",
            "0441 9001",
            "０４４１９００１",
        ] {
            assert!(invoice_number(bad).is_err(), "{bad:?}");
        }
        // A tax-control invoice's code: 10 digits (paper) or 12 (electronic), required
        // beside its 8-digit number; none on a 数电发票.
        assert!(invoice_code("1100221130", "04419001").is_ok());
        assert!(invoice_code(" 011002200111 ", "04419001").is_ok());
        assert!(invoice_code("", "26112000000012345678").is_ok());
        for (code, number) in [
            ("", "04419001"),
            ("110022113", "04419001"),
            ("11002211300", "04419001"),
            ("110022113A", "04419001"),
            ("1100221130", "26112000000012345678"),
            ("12", "0441"),
        ] {
            assert!(invoice_code(code, number).is_err(), "{code:?} {number:?}");
        }
        // The number's own fault is said on the number, not again on the code.
        assert!(invoice_code("", "0441").is_ok());
        // The form marks the code required once the number is a tax-control one.
        assert!(needs_invoice_code(" 04419001 "));
        assert!(!needs_invoice_code("26112000000012345678"));
        assert!(!needs_invoice_code("0441900"));
        assert!(postcode("100000").is_ok());
        assert!(postcode("10000").is_err());
        assert_eq!(mask_id_number("11010519491231002X"), "110105********002X");
    }
}
