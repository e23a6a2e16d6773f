//! Every sentence the server says to a user, in English and Simplified Chinese, kept in
//! one data file per functional module beside this one (compiled in): `common.toml`
//! (sign-in, errors, generic field rules), `admin.toml` (departments, positions, users,
//! tokens), `drugs.toml` (categories, units, drugs, import) and `customers.toml`
//! (customers, types, records, certificates, hand-over).
//!
//! Code names a sentence by its key with [`msg!`](crate::msg): `msg!("drug.not_found")`,
//! or `msg!("unit.in_use", label = unit.label(), count = used)` where each `{label}` and
//! `{count}` of the texts is replaced by the value's `Display` text (a [`Msg`] value, or
//! [`per_lang`], reads differently in each language). Tests below hold the tables to their
//! rules: unique keys, both languages, the same placeholders in both, every key the
//! code uses defined with the placeholders it is given, and every defined key used.
//!
//! Field rules shared with the client (`pharmacrm_shared::validation`) carry their own
//! texts and do not go through these tables.

use std::collections::BTreeMap;
use std::fmt::Display;
use std::sync::LazyLock;

use crate::error::Msg;

/// One message in both languages.
#[derive(Debug, serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct Entry {
    en: String,
    zh: String,
}

/// Every module's file: its name, the key prefixes it owns (the text before the first
/// `.`), and its text.
const FILES: &[(&str, &[&str], &str)] = &[
    (
        "common",
        &["auth", "error", "field"],
        include_str!("common.toml"),
    ),
    (
        "admin",
        &["department", "grants", "position", "token", "user"],
        include_str!("admin.toml"),
    ),
    (
        "drugs",
        &["category", "drug", "import", "unit"],
        include_str!("drugs.toml"),
    ),
    (
        "customers",
        &[
            "certificate",
            "customer",
            "customer_type",
            "followup",
            "handover",
            "record",
        ],
        include_str!("customers.toml"),
    ),
    (
        "orders",
        &[
            "exception",
            "invoicing_entity",
            "order",
            "settings",
            "shipment",
        ],
        include_str!("orders.toml"),
    ),
    (
        "finance",
        &["finance", "invoice", "payment", "write_off"],
        include_str!("finance.toml"),
    ),
    ("reports", &["report"], include_str!("reports.toml")),
];

type Table = BTreeMap<String, Entry>;

/// The parsed files: (module, prefixes, messages), parsed once on first use.
fn tables() -> &'static [(&'static str, &'static [&'static str], Table)] {
    static TABLES: LazyLock<Vec<(&'static str, &'static [&'static str], Table)>> =
        LazyLock::new(|| {
            FILES
                .iter()
                .map(|(module, prefixes, text)| {
                    let table: Table = toml::from_str(text)
                        .unwrap_or_else(|e| panic!("server/src/messages/{module}.toml: {e}"));
                    (*module, *prefixes, table)
                })
                .collect()
        });
    &TABLES
}

/// The (English, Chinese) texts of `key`, `None` when no table defines it.
pub fn lookup(key: &str) -> Option<(&'static str, &'static str)> {
    let prefix = key.split('.').next().unwrap_or(key);
    tables()
        .iter()
        .filter(|(_, prefixes, _)| prefixes.contains(&prefix))
        .find_map(|(_, _, table)| table.get(key))
        .map(|e| (e.en.as_str(), e.zh.as_str()))
}

/// A value put into a message's `{placeholder}`.
pub trait MsgArg {
    /// Its text in the English sentence.
    fn en(&self) -> String;
    /// Its text in the Chinese sentence.
    fn zh(&self) -> String;
}

/// Numbers, names, codes: the same text in both languages.
impl<T: Display + ?Sized> MsgArg for T {
    fn en(&self) -> String {
        self.to_string()
    }

    fn zh(&self) -> String {
        self.to_string()
    }
}

/// An amount of money (CNY) in a message, as the screens show amounts: `1,727.03`,
/// `0.00` (a bare `Decimal` would read `0` or `1727.030`).
pub struct Money(pub rust_decimal::Decimal);

impl Display for Money {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let wire = pharmacrm_shared::money::to_wire(&self.0);
        f.write_str(&pharmacrm_shared::money::display(&wire))
    }
}

/// A count with its English noun in the number it takes (`1 drug`, `3 drugs`) in the
/// English sentence, and the number alone in the Chinese one, whose sentence carries the
/// measure word and noun (`{count} 种药品`): `Counted(n, "drug", "drugs")`.
pub struct Counted<'a>(pub i64, pub &'a str, pub &'a str);

impl MsgArg for Counted<'_> {
    fn en(&self) -> String {
        let Counted(n, one, many) = *self;
        format!("{n} {}", if n == 1 { one } else { many })
    }

    fn zh(&self) -> String {
        self.0.to_string()
    }
}

/// Items named in a message, as each language lists them: `SO1, SO2` in English,
/// `SO1、SO2` in Chinese (the enumeration comma, 顿号).
pub struct Listed<'a>(pub &'a [String]);

impl MsgArg for Listed<'_> {
    fn en(&self) -> String {
        self.0.join(", ")
    }

    fn zh(&self) -> String {
        self.0.join("、")
    }
}

/// A phrase that is itself translated (`msg!("handover.role.sales")`).
impl MsgArg for Msg {
    fn en(&self) -> String {
        self.en.clone()
    }

    fn zh(&self) -> String {
        self.zh.clone()
    }
}

/// A value that reads differently per language but is not a sentence of ours, such as a
/// permission's labels or a list joined with each language's separator. Sentences belong
/// in the tables.
pub fn per_lang(en: impl Into<String>, zh: impl Into<String>) -> Msg {
    Msg {
        en: en.into(),
        zh: zh.into(),
    }
}

/// A date that has not come yet (a document's, a record's, a shipment's), said with the
/// business date `today` it may not pass: "must not be after today, 2026-12-07" (the
/// business day turns at 16:00 UTC: a caller elsewhere is told which day it is).
pub fn after_today(today: chrono::NaiveDate) -> Msg {
    crate::msg!("field.after_today", today = today.format("%Y-%m-%d"))
}

/// A person's name as a document writes it in `lang`: "（已停用）" after it when their
/// account is disabled (`departed`: a person who left), since the name alone reads as
/// someone to call.
pub fn person_named(name: &str, departed: bool, lang: Lang) -> String {
    if departed {
        crate::msg!("report.sheet.person_disabled", name = name)
            .text(lang)
            .to_owned()
    } else {
        name.to_owned()
    }
}

/// The language of a document the server writes for a caller (a report's sheet): the
/// caller's choice, Simplified Chinese by default. Error messages carry both languages
/// and do not need it.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Lang {
    /// 简体中文 (the default).
    #[default]
    Zh,
    /// English.
    En,
}

impl Lang {
    /// The language of a BCP 47 tag (spaces around ignored, `_` read as `-`, any case):
    /// empty or `zh…` is Chinese, `en…` English; any other language, or a tag that is not
    /// well-formed BCP 47 (`-fr`, `en-`, `en-@@`), `None` (the caller gets an
    /// INVALID_ARGUMENT naming the field).
    pub fn from_tag(tag: &str) -> Option<Lang> {
        let tag = tag.trim();
        if tag.is_empty() {
            return Some(Lang::Zh);
        }
        let locale = icu_locale_core::Locale::try_from_str(&tag.replace('_', "-")).ok()?;
        match locale.id.language.as_str() {
            "zh" => Some(Lang::Zh),
            "en" => Some(Lang::En),
            _ => None,
        }
    }
}

impl Msg {
    /// The text in `lang`.
    pub fn text(&self, lang: Lang) -> &str {
        match lang {
            Lang::Zh => &self.zh,
            Lang::En => &self.en,
        }
    }
}

/// The message `key` with its placeholders filled from `args`; what [`msg!`](crate::msg)
/// expands to. A missing key or placeholder fails debug builds (and so the tests); a
/// release build shows the key or leaves the placeholder rather than panic.
pub fn build(key: &str, args: &[(&str, &dyn MsgArg)]) -> Msg {
    let Some((en, zh)) = lookup(key) else {
        debug_assert!(false, "no message `{key}` in server/src/messages");
        return per_lang(key, key);
    };
    let en = fill(key, en, args, |a| a.en());
    let zh = fill(key, zh, args, |a| a.zh());
    Msg { en, zh }
}

/// `text` with every `{name}` replaced by `args`' value of `name` in one language.
fn fill(
    key: &str,
    text: &str,
    args: &[(&str, &dyn MsgArg)],
    lang: impl Fn(&dyn MsgArg) -> String,
) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(open) = rest.find('{') {
        out.push_str(&rest[..open]);
        let after = &rest[open + 1..];
        let name = after.find('}').map(|close| &after[..close]);
        match name.and_then(|n| args.iter().find(|(a, _)| *a == n)) {
            Some((n, value)) => {
                out.push_str(&lang(*value));
                rest = &after[n.len() + 1..];
            }
            None => {
                debug_assert!(
                    false,
                    "message `{key}`: no value for {{{}}}",
                    name.unwrap_or_default()
                );
                out.push('{');
                rest = after;
            }
        }
    }
    out.push_str(rest);
    debug_assert!(
        args.iter().all(|(n, _)| text.contains(&format!("{{{n}}}"))),
        "message `{key}` has no placeholder for one of {:?}",
        args.iter().map(|(n, _)| *n).collect::<Vec<_>>()
    );
    out
}

/// A user-facing [`Msg`] from the message tables: `msg!("customer.not_found")`, or with
/// placeholders `msg!("position.still_held", count = n, name = p.name)`. Each value is
/// anything `Display` (the same in both languages) or a [`Msg`] (one text per language).
#[macro_export]
macro_rules! msg {
    ($key:literal $(, $name:ident = $value:expr)* $(,)?) => {
        $crate::messages::build(
            $key,
            &[$((stringify!($name), &$value as &dyn $crate::messages::MsgArg)),*],
        )
    };
}

#[cfg(test)]
mod tests {
    use std::collections::{BTreeMap, BTreeSet};
    use std::path::{Path, PathBuf};

    use super::*;

    #[test]
    fn a_language_tag_names_chinese_or_english_and_nothing_else() {
        for (tag, lang) in [
            ("", Some(Lang::Zh)),
            ("zh-CN", Some(Lang::Zh)),
            ("zh_Hans_CN", Some(Lang::Zh)),
            (" en ", Some(Lang::En)),
            ("EN-gb", Some(Lang::En)),
            ("fr", None),
            ("-fr", None),
            ("-", None),
            ("_", None),
            ("en-", None),
            ("zh--CN", None),
            ("english", None),
            ("en-@@", None),
            ("zh-中文", None),
            ("zh-Hans-CN-u-nu-hanidec", Some(Lang::Zh)),
        ] {
            assert_eq!(Lang::from_tag(tag), lang, "{tag:?}");
        }
    }

    /// The `{name}` placeholders of a text.
    fn placeholders(text: &str) -> BTreeSet<String> {
        let mut out = BTreeSet::new();
        let mut rest = text;
        while let Some(open) = rest.find('{') {
            let after = &rest[open + 1..];
            let Some(close) = after.find('}') else { break };
            let name = &after[..close];
            if !name.is_empty() && name.chars().all(|c| c.is_ascii_lowercase() || c == '_') {
                out.insert(name.to_owned());
            }
            rest = &after[close + 1..];
        }
        out
    }

    #[test]
    fn amounts_in_messages_read_as_on_screen() {
        use rust_decimal::Decimal;
        let m = msg!(
            "invoice.over_invoiced",
            number = "SO20261130-0001",
            amount = Money(Decimal::new(172_703, 2)),
            open = Money(Decimal::ZERO)
        );
        assert!(m.zh.contains("开票 1,727.03"), "{}", m.zh);
        assert!(m.en.ends_with("(0.00)"), "{}", m.en);
    }

    #[test]
    fn files_are_unique_translated_and_consistent() {
        let mut seen: BTreeMap<&str, &str> = BTreeMap::new();
        for (module, prefixes, table) in tables() {
            for (key, entry) in table {
                let (key, en, zh) = (key.as_str(), entry.en.as_str(), entry.zh.as_str());
                if let Some(other) = seen.insert(key, module) {
                    panic!("{key} is defined in both {other} and {module}");
                }
                let prefix = key.split('.').next().unwrap_or_default();
                assert!(
                    key.contains('.') && prefixes.contains(&prefix),
                    "{module}: {key} must start with one of {prefixes:?} and a dot"
                );
                assert!(
                    key.chars()
                        .all(|c| c.is_ascii_lowercase() || c == '_' || c == '.'),
                    "{key}: keys are lower_snake_case.dotted"
                );
                assert!(!en.trim().is_empty(), "{key} has no English");
                assert!(!zh.trim().is_empty(), "{key} has no Chinese");
                assert_eq!(
                    placeholders(en),
                    placeholders(zh),
                    "{key}: the placeholders differ between the languages"
                );
                assert_eq!(lookup(key), Some((en, zh)), "{key} is not found");
            }
        }
        for (i, (module, prefixes, _)) in tables().iter().enumerate() {
            for (other, other_prefixes, _) in &tables()[i + 1..] {
                for p in *prefixes {
                    assert!(
                        !other_prefixes.contains(p),
                        "the prefix {p} belongs to both {module} and {other}"
                    );
                }
            }
        }
    }

    #[test]
    fn placeholders_are_filled_in_both_languages() {
        let m = msg!(
            "handover.successor_required",
            customer = "仁和药店",
            role = msg!("handover.role.sales")
        );
        assert_eq!(m.en, "choose who takes over 仁和药店 as sales rep");
        assert_eq!(m.zh, "请选择接手“仁和药店”的营销员");
        let held = |n| {
            msg!(
                "position.still_held",
                count = super::Counted(n, "active user", "active users"),
                name = "营销员"
            )
        };
        assert_eq!(
            held(3).en,
            "“营销员” is still held by 3 active users; give them another position first"
        );
        assert_eq!(
            held(1).en,
            "“营销员” is still held by 1 active user; give them another position first"
        );
        assert_eq!(
            held(3).zh,
            "仍有 3 名在职用户担任“营销员”，请先为他们调整岗位"
        );
        let numbers = ["SO1".to_owned(), "SO2".to_owned()];
        let open = msg!(
            "customer.open_orders",
            name = "仁和药店",
            count = super::Counted(2, "open order", "open orders"),
            numbers = super::Listed(&numbers)
        );
        assert!(open.en.contains("2 open orders (SO1, SO2:"), "{}", open.en);
        assert!(
            open.zh.contains("2 个未完成的订单（SO1、SO2："),
            "{}",
            open.zh
        );
    }

    /// Every `.rs` file under `server/src`.
    fn sources() -> Vec<PathBuf> {
        let mut files = Vec::new();
        let mut stack = vec![Path::new(env!("CARGO_MANIFEST_DIR")).join("src")];
        while let Some(dir) = stack.pop() {
            for entry in std::fs::read_dir(dir).expect("read src") {
                let path = entry.expect("entry").path();
                if path.is_dir() {
                    stack.push(path);
                } else if path.extension().is_some_and(|e| e == "rs") {
                    files.push(path);
                }
            }
        }
        files
    }

    /// The arguments of a macro call starting after its `(`: split at top-level commas,
    /// up to the matching `)`.
    fn call_arguments(text: &str) -> Vec<String> {
        let mut args = vec![String::new()];
        let mut depth = 0usize;
        let mut chars = text.chars();
        while let Some(c) = chars.next() {
            match c {
                '"' => {
                    let current = args.last_mut().expect("an argument");
                    current.push(c);
                    while let Some(s) = chars.next() {
                        current.push(s);
                        match s {
                            '\\' => current.extend(chars.next()),
                            '"' => break,
                            _ => {}
                        }
                    }
                    continue;
                }
                '(' | '[' | '{' => depth += 1,
                ')' | ']' | '}' if depth == 0 => break,
                ')' | ']' | '}' => depth -= 1,
                ',' if depth == 0 => {
                    args.push(String::new());
                    continue;
                }
                _ => {}
            }
            args.last_mut().expect("an argument").push(c);
        }
        args.into_iter()
            .map(|a| a.trim().to_owned())
            .filter(|a| !a.is_empty())
            .collect()
    }

    #[test]
    fn every_key_the_code_uses_is_defined_with_its_placeholders_and_every_key_is_used() {
        let mut used = BTreeSet::new();
        let mut problems = Vec::new();
        for path in sources() {
            let text = std::fs::read_to_string(&path).expect("read file");
            let name = path.display();
            // Only code: this module's own tests call `msg!` with example values.
            let code = text.split("#[cfg(test)]").next().unwrap_or_default();
            for (i, _) in code.match_indices("msg!(") {
                let before = code[..i].chars().next_back();
                let line = &code[code[..i].rfind('\n').map_or(0, |n| n + 1)..i];
                if before.is_some_and(|c| c.is_alphanumeric() || c == '_')
                    || line.trim_start().starts_with("//")
                {
                    continue;
                }
                let args = call_arguments(&code[i + "msg!(".len()..]);
                let Some(key) = args
                    .first()
                    .and_then(|a| a.strip_prefix('"'))
                    .and_then(|a| a.strip_suffix('"'))
                else {
                    problems.push(format!("{name}: a msg! call without a literal key"));
                    continue;
                };
                used.insert(key.to_owned());
                let Some((en, _)) = lookup(key) else {
                    problems.push(format!("{name}: {key} is not defined"));
                    continue;
                };
                let given: BTreeSet<String> = args[1..]
                    .iter()
                    .map(|a| a.split('=').next().unwrap_or_default().trim().to_owned())
                    .collect();
                if given != placeholders(en) {
                    problems.push(format!(
                        "{name}: {key} is given {given:?} but has {:?}",
                        placeholders(en)
                    ));
                }
            }
        }
        for (module, _, table) in tables() {
            for key in table.keys() {
                if !used.contains(key.as_str()) {
                    problems.push(format!("{module}: {key} is never used"));
                }
            }
        }
        assert!(problems.is_empty(), "{problems:#?}");
    }
}
