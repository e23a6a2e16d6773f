//! Exact decimal amounts (CNY). Parsed from and written to strings on the wire; never a
//! float anywhere.

use std::str::FromStr;

pub use rust_decimal::Decimal;

use crate::validation::Violation;

/// At most this many decimals in a price.
pub const PRICE_DECIMALS: u32 = 4;
/// At most this many digits before the decimal point (NUMERIC(14, 4)).
pub const PRICE_INTEGER_DIGITS: usize = 10;

/// A number as typed or pasted: digits, one decimal point, thousands separators as the
/// screens show amounts (`1,234,567.5`: every group after the first of three digits;
/// `12,5` is not read as 12.5 nor as 125); full-width digits and marks as a Chinese input
/// method types them (`２２．８`) read as their half-width selves. Zeros past the last
/// decimal allowed change nothing and are read (`12.50000` is 12.50, as systems that keep
/// four decimals send it).
fn parse(text: &str, max_decimals: u32, max_integer_digits: usize) -> Result<Decimal, Violation> {
    let text = crate::validation::half_width(text);
    let text = text.trim();
    if text.is_empty() {
        return Err(Violation::required());
    }
    let ungrouped = ungroup(text);
    let text = ungrouped.as_deref().unwrap_or(text);
    let unsigned = text.strip_prefix('-').unwrap_or(text);
    let (int, frac) = unsigned.split_once('.').unwrap_or((unsigned, ""));
    let well_formed = !int.is_empty()
        && int.chars().all(|c| c.is_ascii_digit())
        && frac.chars().all(|c| c.is_ascii_digit())
        && !(unsigned.contains('.') && frac.is_empty());
    if !well_formed {
        return Err(Violation::new(
            "must be a number such as 12.5 or 1,000.50",
            "须为数字，例如 12.5 或 1,000.50",
        ));
    }
    if text.starts_with('-') {
        return Err(Violation::new("must not be negative", "不能为负数"));
    }
    if frac.trim_end_matches('0').len() > max_decimals as usize {
        return Err(Violation::new(
            format!("at most {max_decimals} decimals"),
            format!("最多 {max_decimals} 位小数"),
        ));
    }
    if int.trim_start_matches('0').len() > max_integer_digits {
        return Err(Violation::new(
            format!("is too large: at most {max_integer_digits} digits before the decimal point"),
            format!("数值过大：整数部分最多 {max_integer_digits} 位"),
        ));
    }
    let mut value = Decimal::from_str(text)
        .map_err(|_| Violation::new("is not a valid number", "不是有效的数字"))?;
    if value.scale() > max_decimals {
        // Only zeros past it (checked above): the same value.
        value.rescale(max_decimals);
    }
    Ok(value)
}

/// `1,234,567.5` without its thousands separators, when every group after the first has
/// three digits (`None` otherwise, and when there are none).
fn ungroup(text: &str) -> Option<String> {
    let (sign, rest) = match text.strip_prefix('-') {
        Some(rest) => ("-", rest),
        None => ("", text),
    };
    let (int, frac) = match rest.split_once('.') {
        Some((int, frac)) => (int, Some(frac)),
        None => (rest, None),
    };
    let mut groups = int.split(',');
    let first = groups.next()?;
    let rest: Vec<&str> = groups.collect();
    let digits = |g: &str| g.chars().all(|c| c.is_ascii_digit());
    let well_grouped = !rest.is_empty()
        && (1..=3).contains(&first.len())
        && digits(first)
        && rest.iter().all(|g| g.len() == 3 && digits(g));
    well_grouped.then(|| {
        let mut out = format!("{sign}{first}{}", rest.concat());
        if let Some(frac) = frac {
            out.push('.');
            out.push_str(frac);
        }
        out
    })
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

/// An amount of CNY that may be negative (a balance: a customer in credit): a minus sign,
/// half- or full-width (`－５０.００`), before what [`parse_amount`] reads.
pub fn parse_signed_amount(text: &str) -> Result<Decimal, Violation> {
    let text = crate::validation::half_width(text);
    let text = text.trim();
    match text.strip_prefix('-') {
        Some(digits) => parse_amount(digits).map(|v| -v),
        None => parse_amount(text),
    }
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

/// The amount of `quantity` more units of a line at `unit_price` once `before` units of it
/// were charged: what the line's amount grows by, `line_amount(before + quantity) −
/// line_amount(before)`, so that the parts of a line shipped in parts add up to the line's
/// amount. Three shipments of 1 × 12.345 are 12.35, 12.34 and 12.35 (37.04, the order
/// line's amount), not 3 × 12.35 = 37.05. Each part is within a cent of
/// `quantity × unit_price`.
pub fn part_amount(before: i64, quantity: i64, unit_price: Decimal) -> Decimal {
    line_amount(before + quantity, unit_price) - line_amount(before, unit_price)
}

/// The value of `quantity` more units reported damaged, lost or short on a shipment line
/// of `shipped` units charged `charged` CNY, once `before` of its units were: the parts add
/// up to `charged` exactly when every unit is reported and never to more, so deductions
/// never take off more than the line was charged (four exceptions of 1 on a line of
/// 4 × 12.345 charged 49.38 are 12.35, 12.34, 12.35 and 12.34). Until every unit is
/// reported the reported units are worth their `line_amount` (3 of 10 × 1.2345: 3.70),
/// capped at `charged`. Each part is within half a cent more than `charged` is of
/// `shipped × unit_price` (a shipment line's: a cent) of `quantity × unit_price`.
pub fn reported_part_amount(
    before: i64,
    quantity: i64,
    shipped: i64,
    charged: Decimal,
    unit_price: Decimal,
) -> Decimal {
    let worth = |units: i64| {
        if units >= shipped {
            charged
        } else {
            line_amount(units, unit_price).min(charged)
        }
    };
    worth(before + quantity) - worth(before)
}

/// A decimal amount as text (the wire form, such as `-1234567.5`) as amounts are shown on
/// screen and in messages: thousands separators and at least two decimals,
/// `-1,234,567.50`, `0.00`. Exact: no floats. Text that is not an amount ("—") is shown as
/// it is.
pub fn display(amount: &str) -> String {
    if amount.trim().parse::<Decimal>().is_err() {
        // Not an amount ("—" for none): shown as it is.
        return amount.trim().to_owned();
    }
    let amount = amount.trim();
    let (sign, digits) = match amount.strip_prefix('-') {
        Some(rest) => ("-", rest),
        None => ("", amount),
    };
    let (int, frac) = digits.split_once('.').unwrap_or((digits, ""));
    let int = if int.is_empty() { "0" } else { int };
    let mut grouped = String::new();
    for (i, c) in int.chars().enumerate() {
        if i > 0 && (int.len() - i) % 3 == 0 {
            grouped.push(',');
        }
        grouped.push(c);
    }
    let mut frac = frac.trim_end_matches('0').to_owned();
    while frac.len() < 2 {
        frac.push('0');
    }
    format!("{sign}{grouped}.{frac}")
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

/// How a container unit is named wherever it shows, in either language: its name and its
/// capacity in full-width brackets, "盒（24粒）" (`capacity` in its wire form). Order lines
/// keep this text as it was when ordered, so the client's picker writes it the same way.
pub fn unit_label(name: &str, capacity: &str, capacity_unit: &str) -> String {
    format!("{name}（{capacity}{capacity_unit}）")
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Amounts are read as the screens show them, thousands separators and all; what is
    /// not grouped by threes is no number (`12,5` is neither 12.5 nor 125).
    #[test]
    fn amounts_are_read_with_or_without_thousands_separators() {
        let amount = |s: &str| parse_amount(s).map(|d| to_wire(&d));
        assert_eq!(amount("1000").unwrap(), "1000.00");
        assert_eq!(amount(" 1,000 ").unwrap(), "1000.00");
        assert_eq!(amount("1,727.03").unwrap(), "1727.03");
        assert_eq!(amount("12,345,678.5").unwrap(), "12345678.50");
        assert_eq!(to_wire(&parse_price("1,234.5678").unwrap()), "1234.5678");
        // As a Chinese input method types them, full width.
        assert_eq!(amount("２２．８").unwrap(), "22.80");
        assert_eq!(amount("１，０００").unwrap(), "1000.00");
        for bad in [
            "12,5", "1,00", "1000,000", ",100", "1,000.", "1.000,50", "-1,000",
        ] {
            assert!(amount(bad).is_err(), "{bad}");
        }
        let why = amount("12,5").unwrap_err();
        assert!(why.zh.contains("1,000.50"), "{}", why.zh);
    }

    /// Zeros past the decimals allowed are the same value (a system keeping four sends
    /// 500.0000); a digit there is not, and is refused rather than rounded away.
    #[test]
    fn zeros_past_the_last_decimal_are_read_and_digits_refused() {
        let amount = |s: &str| parse_amount(s).map(|d| to_wire(&d));
        assert_eq!(amount("12.50000").unwrap(), "12.50");
        assert_eq!(amount("500.0000").unwrap(), "500.00");
        assert_eq!(to_wire(&parse_price("12.800000").unwrap()), "12.80");
        assert!(amount("12.345").unwrap_err().zh.contains("最多 2 位小数"));
        assert!(amount("12.3401").is_err());
        let big = amount("1234567890123").unwrap_err();
        assert!(big.zh.contains("整数部分最多 12 位"), "{}", big.zh);
    }

    /// A balance's sign, as typed in either width; the number after it as any amount.
    #[test]
    fn a_signed_amount_takes_a_minus_of_either_width() {
        let signed = |s: &str| parse_signed_amount(s).map(|d| to_wire(&d));
        assert_eq!(signed("-50").unwrap(), "-50.00");
        assert_eq!(signed("－５０．００").unwrap(), "-50.00");
        assert_eq!(signed(" 1,200.5 ").unwrap(), "1200.50");
        assert!(signed("--5").is_err());
        assert!(signed("-").is_err());
    }

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
    fn the_parts_of_a_line_add_up_to_the_line() {
        let price = Decimal::from_str("12.345").unwrap();
        let parts: Vec<String> = (0..3)
            .map(|before| to_wire(&part_amount(before, 1, price)))
            .collect();
        assert_eq!(parts, ["12.35", "12.34", "12.35"]);
        // Any split of any line adds up to the line's amount, each part within a cent.
        for price in ["12.345", "1.2345", "0.0015", "33.335", "0.005"] {
            let price = Decimal::from_str(price).unwrap();
            for split in [[1, 1, 1, 1, 1, 2], [2, 3, 1, 1, 0, 0], [7, 0, 0, 0, 0, 0]] {
                let mut before = 0;
                let mut sum = Decimal::ZERO;
                for quantity in split.into_iter().filter(|q| *q > 0) {
                    let part = part_amount(before, quantity, price);
                    assert!((part - Decimal::from(quantity) * price).abs() < Decimal::new(1, 2));
                    sum += part;
                    before += quantity;
                }
                assert_eq!(sum, line_amount(before, price), "{split:?} × {price}");
            }
        }
    }

    #[test]
    fn reported_parts_of_any_split_come_to_what_was_charged_and_no_more() {
        let cent = Decimal::new(1, 2);
        for price in ["12.345", "1.2345", "0.0015", "33.335", "0.005"] {
            let price = Decimal::from_str(price).unwrap();
            for split in [
                vec![1, 1, 1, 1, 1, 2],
                vec![2, 3, 1, 1],
                vec![7],
                vec![3, 1],
            ] {
                let shipped: i64 = split.iter().sum();
                // Charged as a whole line, or a cent either way (a part of a line).
                let exact = line_amount(shipped, price);
                for charged in [exact, exact + cent, (exact - cent).max(Decimal::ZERO)] {
                    let mut before = 0;
                    let mut sum = Decimal::ZERO;
                    for quantity in &split {
                        let part = reported_part_amount(before, *quantity, shipped, charged, price);
                        assert!(part >= Decimal::ZERO);
                        let off = (part - Decimal::from(*quantity) * price).abs();
                        assert!(off < Decimal::new(2, 2), "{part} for {quantity} × {price}");
                        sum += part;
                        before += quantity;
                        assert!(sum <= charged, "{split:?} × {price}: {sum} > {charged}");
                    }
                    assert_eq!(sum, charged, "every unit reported: {split:?} × {price}");
                }
            }
        }
    }

    #[test]
    fn reported_parts_never_come_to_more_than_the_line_was_charged() {
        // (units reported before, units now, units shipped, what the line was charged,
        // price, what the units now are worth).
        let table = [
            // A line of 4 × 12.345 charged 49.38, reported one unit at a time.
            (0, 1, 4, "49.38", "12.345", "12.35"),
            (1, 1, 4, "49.38", "12.345", "12.34"),
            (2, 1, 4, "49.38", "12.345", "12.35"),
            (3, 1, 4, "49.38", "12.345", "12.34"),
            // Some units of a line: their rounded product.
            (0, 3, 10, "12.35", "1.2345", "3.70"),
            // A line charged a cent under its own product (a part shipment): the one unit
            // of it is worth what was charged, not 12.35.
            (0, 1, 1, "12.34", "12.345", "12.34"),
            // Two of three units charged 37.03: 24.69, then the remaining 12.34.
            (0, 2, 3, "37.03", "12.345", "24.69"),
            (2, 1, 3, "37.03", "12.345", "12.34"),
        ];
        let d = |s: &str| Decimal::from_str(s).unwrap();
        for (before, units, shipped, charged, price, worth) in table {
            let part = reported_part_amount(before, units, shipped, d(charged), d(price));
            assert_eq!(
                to_wire(&part),
                worth,
                "{units} of {shipped} × {price} charged {charged}, {before} reported before"
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
        assert!(parse_price("1,0000").is_err());
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

    #[test]
    fn a_unit_is_named_with_its_capacity_as_typed_without_trailing_zeros() {
        let capacity = capacity_to_wire(&parse_capacity("2.500").unwrap());
        assert_eq!(unit_label("瓶", &capacity, "ml"), "瓶（2.5ml）");
    }
}
