//! Exact decimal amounts (CNY). Parsed from and written to strings on the wire; never a
//! float anywhere.

use std::str::FromStr;

pub use rust_decimal::Decimal;

use crate::validation::Violation;

/// At most this many decimals in a price.
pub const PRICE_DECIMALS: u32 = 4;
/// At most this many digits before the decimal point (NUMERIC(14, 4)).
pub const PRICE_INTEGER_DIGITS: usize = 10;

fn parse(text: &str, max_decimals: u32, max_integer_digits: usize) -> Result<Decimal, Violation> {
    let text = text.trim();
    if text.is_empty() {
        return Err(Violation::new("is required", "必填"));
    }
    let unsigned = text.strip_prefix('-').unwrap_or(text);
    let (int, frac) = unsigned.split_once('.').unwrap_or((unsigned, ""));
    let well_formed = !int.is_empty()
        && int.chars().all(|c| c.is_ascii_digit())
        && frac.chars().all(|c| c.is_ascii_digit())
        && !(unsigned.contains('.') && frac.is_empty());
    if !well_formed {
        return Err(Violation::new(
            "must be a number such as 12.5 (digits and one decimal point)",
            "须为数字，例如 12.5（只含数字和一个小数点）",
        ));
    }
    if text.starts_with('-') {
        return Err(Violation::new("must not be negative", "不能为负数"));
    }
    if frac.len() > max_decimals as usize {
        return Err(Violation::new(
            format!("at most {max_decimals} decimals"),
            format!("最多 {max_decimals} 位小数"),
        ));
    }
    if int.trim_start_matches('0').len() > max_integer_digits {
        return Err(Violation::new("is too large", "数值过大"));
    }
    Decimal::from_str(text).map_err(|_| Violation::new("is not a valid number", "不是有效的数字"))
}

/// A price: ≥ 0, at most 4 decimals.
pub fn parse_price(text: &str) -> Result<Decimal, Violation> {
    parse(text, PRICE_DECIMALS, PRICE_INTEGER_DIGITS)
}

/// An amount of CNY: ≥ 0, at most 2 decimals, below 10^12 (NUMERIC(14, 2)).
pub fn parse_amount(text: &str) -> Result<Decimal, Violation> {
    let mut value = parse(text, 2, 12)?;
    value.rescale(2);
    Ok(value)
}

/// A capacity: > 0, at most 3 decimals.
pub fn parse_capacity(text: &str) -> Result<Decimal, Violation> {
    let value = parse(text, 3, 9)?;
    if value.is_zero() {
        return Err(Violation::new("must be more than 0", "须大于 0"));
    }
    Ok(value)
}

/// An amount rounded to 2 decimals half up (四舍五入), as the spec's money rule requires.
/// `rust_decimal`'s `round_dp` rounds halves to even (2.665 → 2.66); this gives 2.67.
/// For the non-negative amounts of PharmaCRM, half up and PostgreSQL's `round(x, 2)`
/// (half away from zero) agree, which the database's CHECKs rely on.
pub fn round_amount(value: Decimal) -> Decimal {
    let mut rounded =
        value.round_dp_with_strategy(2, rust_decimal::RoundingStrategy::MidpointAwayFromZero);
    rounded.rescale(2);
    rounded
}

/// A line amount in CNY: `quantity` container units × `unit_price`, rounded half up to
/// 2 decimals ([`round_amount`]). Store this, and sum stored amounts for totals.
pub fn line_amount(quantity: i64, unit_price: Decimal) -> Decimal {
    round_amount(Decimal::from(quantity) * unit_price)
}

/// The wire form of an amount: no trailing zeros beyond two decimals ("12.50", "12.3456").
pub fn to_wire(value: &Decimal) -> String {
    let mut v = value.normalize();
    if v.scale() < 2 {
        v.rescale(2);
    }
    v.to_string()
}

/// The wire form of a capacity: as written, without trailing zeros ("24", "2.5").
pub fn capacity_to_wire(value: &Decimal) -> String {
    value.normalize().to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_amounts_round_half_up_not_to_even() {
        let d = |s: &str| Decimal::from_str(s).unwrap();
        for (quantity, price, amount) in [
            (1, "2.675", "2.68"),
            (3, "0.0150", "0.05"),
            (1, "2.665", "2.67"),
            (7, "1.2345", "8.64"),
            (3, "33.335", "100.01"),
            (2, "0.0025", "0.01"),
            (10, "0.1", "1.00"),
        ] {
            assert_eq!(
                to_wire(&line_amount(quantity, d(price))),
                amount,
                "{quantity} × {price}"
            );
        }
    }

    #[test]
    fn prices_keep_every_decimal_they_are_given() {
        assert_eq!(to_wire(&parse_price("12.3456").unwrap()), "12.3456");
        assert_eq!(to_wire(&parse_price("12.3").unwrap()), "12.30");
        assert_eq!(to_wire(&parse_price("0").unwrap()), "0.00");
        assert_eq!(
            to_wire(&parse_price("9999999999.9999").unwrap()),
            "9999999999.9999"
        );
    }

    #[test]
    fn malformed_prices_say_why() {
        assert_eq!(parse_price("").unwrap_err().zh, "必填");
        assert_eq!(parse_price("-1").unwrap_err().zh, "不能为负数");
        assert_eq!(parse_price("1.23456").unwrap_err().zh, "最多 4 位小数");
        assert!(parse_price("1,000").is_err());
        assert!(parse_price("1e3").is_err());
        assert!(parse_price("12.").is_err());
        assert!(parse_price("abc").is_err());
        assert!(parse_price("12345678901").is_err());
    }

    #[test]
    fn capacities_are_positive() {
        assert_eq!(capacity_to_wire(&parse_capacity("24").unwrap()), "24");
        assert_eq!(capacity_to_wire(&parse_capacity("2.500").unwrap()), "2.5");
        assert!(parse_capacity("0").is_err());
        assert!(parse_capacity("1.0001").is_err());
    }
}
