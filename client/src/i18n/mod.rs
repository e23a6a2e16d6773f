//! Every visible string goes through [`t`]: Simplified Chinese by default, English one
//! click away. Each module keeps its strings in its own data file beside this one
//! (`common.toml`, `admin.toml`, `drugs.toml`, `customers.toml`, `orders.toml`,
//! `finance.toml`, `reports.toml`, compiled in), each entry holding both languages side
//! by side, so a key cannot exist in one language only and a translator edits text without touching code. Tests check that every file parses, that
//! every entry has both languages with the same placeholders, and that every key the code
//! uses is in the file of its module.

use std::sync::atomic::{AtomicU8, Ordering};

use std::collections::BTreeMap;
use std::sync::LazyLock;

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

/// Held by a unit test that switches the language, which is process-wide: such tests
/// run one at a time (and switch back to Chinese, the default, before they end).
#[cfg(test)]
pub(crate) fn lang_switch() -> std::sync::MutexGuard<'static, ()> {
    static LANG_SWITCH: std::sync::Mutex<()> = std::sync::Mutex::new(());
    LANG_SWITCH.lock().unwrap_or_else(|e| e.into_inner())
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

/// The text of `key` in the current language; "??" if it is missing (a test makes sure
/// none is).
pub fn t(key: &str) -> &'static str {
    t_in(lang(), key)
}

/// The text of `key` in `lang`, whatever the UI's language (for a message that carries
/// both, as the server's do); "??" if it is missing.
pub fn t_in(lang: Lang, key: &str) -> &'static str {
    match entry(key) {
        Some(entry) => match lang {
            Lang::Zh => &entry.zh,
            Lang::En => &entry.en,
        },
        None => "??",
    }
}

/// The text of `key` for a count of `n`, with `{n}` replaced: English takes the entry's
/// `en_one` when `n` is 1 ("1 person", "2 people"); Chinese has one form.
pub fn tn(key: &str, n: u64) -> String {
    let text = match (lang(), entry(key)) {
        (_, None) => "??",
        (Lang::Zh, Some(entry)) => &entry.zh,
        (Lang::En, Some(entry)) => match (&entry.en_one, n) {
            (Some(one), 1) => one,
            _ => &entry.en,
        },
    };
    text.replace("{n}", &crate::format::count(n))
}

fn entry(key: &str) -> Option<&'static Entry> {
    let found = tables().iter().find_map(|(_, table)| table.get(key));
    debug_assert!(found.is_some(), "missing i18n key {key}");
    found
}

/// Whichever of `zh` and `en` is in the UI's language: for texts that come in both from
/// elsewhere (the server's permission and module names, its import errors).
pub fn either<T>(zh: T, en: T) -> T {
    match lang() {
        Lang::Zh => zh,
        Lang::En => en,
    }
}

/// The entry `key` in both languages, as the server says a complaint: for the client's
/// own restating of one ([`crate::api::ApiError::restated`]).
pub fn in_both(key: &str) -> pharmacrm_shared::validation::Violation {
    pharmacrm_shared::validation::Violation::new(t_in(Lang::En, key), t_in(Lang::Zh, key))
}

/// What a rule shared with the server says of a value (`pharmacrm_shared::validation`), in
/// the UI's language: a form's own complaint, worded as the server's and, in English, a
/// sentence as the server's are shown ("Must be at least 8 characters long").
pub fn violation(v: pharmacrm_shared::validation::Violation) -> String {
    either(v.zh, crate::api::sentence(&v.en))
}

/// The colon between a label and its value: full-width in Chinese, `: ` in English.
pub fn colon() -> &'static str {
    either("：", ": ")
}

/// "标签：值" / "Label: value".
pub fn label_value(label: &str, value: &str) -> String {
    format!("{label}{}{value}", colon())
}

/// A remark after a text in brackets: "名称（备注）" / "Name (remark)".
pub fn bracketed(text: &str, remark: &str) -> String {
    either(format!("{text}（{remark}）"), format!("{text} ({remark})"))
}

/// The separator of an enumeration: "甲、乙" / "A, B".
pub fn list_separator() -> &'static str {
    either("、", ", ")
}

/// The separator between clauses: "甲，乙" / "A, B".
pub fn comma() -> &'static str {
    either("，", ", ")
}

/// One string in both languages; `en_one` is the English singular of a counted text.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Entry {
    zh: String,
    en: String,
    #[serde(default)]
    en_one: Option<String>,
}

/// Every module's strings file with the key prefixes it owns: (prefixes, name, text).
const FILES: &[(&[&str], &str, &str)] = &[
    (
        &[
            "app", "common", "error", "login", "password", "shell", "scope",
        ],
        "common",
        include_str!("common.toml"),
    ),
    (
        &[
            "admin", "audit", "dept", "pos", "settings", "tokens", "users",
        ],
        "admin",
        include_str!("admin.toml"),
    ),
    (
        &["drug", "drugs", "units"],
        "drugs",
        include_str!("drugs.toml"),
    ),
    (
        &[
            "customer",
            "customers",
            "customer_types",
            "assignment",
            "certificate",
            "followup",
            "personal",
            "handover",
            "records",
            "work",
        ],
        "customers",
        include_str!("customers.toml"),
    ),
    (
        &["order", "orders", "shipment", "exception"],
        "orders",
        include_str!("orders.toml"),
    ),
    (
        &[
            "finance",
            "payment",
            "invoice",
            "statement",
            "arrears",
            "credit",
            "write_off",
        ],
        "finance",
        include_str!("finance.toml"),
    ),
    (&["report"], "reports", include_str!("reports.toml")),
];

type Table = BTreeMap<String, Entry>;

/// The parsed files, with the prefixes each owns (parsed once, on first use).
fn tables() -> &'static [(&'static [&'static str], Table)] {
    static TABLES: LazyLock<Vec<(&'static [&'static str], Table)>> = LazyLock::new(|| {
        FILES
            .iter()
            .map(|(prefixes, name, text)| {
                let table: Table = toml::from_str(text)
                    .unwrap_or_else(|e| panic!("client/src/i18n/{name}.toml: {e}"));
                (*prefixes, table)
            })
            .collect()
    });
    &TABLES
}

#[cfg(test)]
mod tests {
    use super::*;

    fn all() -> impl Iterator<Item = (&'static str, &'static str, &'static str)> {
        tables().iter().flat_map(|(_, table)| {
            table
                .iter()
                .map(|(k, e)| (k.as_str(), e.zh.as_str(), e.en.as_str()))
        })
    }

    fn entries() -> impl Iterator<Item = (&'static str, &'static Entry)> {
        tables()
            .iter()
            .flat_map(|(_, table)| table.iter().map(|(k, e)| (k.as_str(), e)))
    }

    #[test]
    fn every_key_is_in_the_file_of_its_module_once_and_translated() {
        for (prefixes, table) in tables() {
            for key in table.keys() {
                let prefix = key.split('.').next().unwrap_or_default();
                assert!(
                    prefixes.contains(&prefix),
                    "{key} belongs in the file of the module owning “{prefix}”"
                );
            }
        }
        let mut keys: Vec<&str> = all().map(|(k, _, _)| k).collect();
        let count = keys.len();
        keys.sort_unstable();
        keys.dedup();
        assert_eq!(keys.len(), count, "a key is defined twice");
        for (key, zh, en) in all() {
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
        for (key, entry) in entries() {
            if let Some(one) = &entry.en_one {
                assert!(entry.en.contains("{n}"), "{key}: en_one needs a {{n}}");
                assert!(one.contains("{n}"), "{key}: en_one without {{n}}");
            }
        }
    }

    #[test]
    fn english_has_no_full_width_punctuation() {
        for (key, _, en) in all() {
            assert!(
                !en.contains(['：', '（', '）', '，', '、', '；']),
                "{key}: {en}"
            );
        }
    }

    #[test]
    fn counted_texts_take_the_singular_in_english() {
        let _one_at_a_time = lang_switch();
        set_lang(Lang::En);
        assert_eq!(tn("dept.people", 1), "1 person");
        assert_eq!(tn("dept.people", 2), "2 people");
        assert_eq!(label_value("Server", "x"), "Server: x");
        set_lang(Lang::Zh);
        assert_eq!(tn("dept.people", 1), "1 人");
        assert_eq!(label_value("服务器", "x"), "服务器：x");
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
                let calls = text
                    .match_indices("t(\"")
                    .map(|(i, _)| (i, 3))
                    .chain(text.match_indices("tn(\"").map(|(i, _)| (i, 4)));
                for (i, len) in calls {
                    let before = text[..i].chars().next_back();
                    if before.is_some_and(|c| c.is_alphanumeric() || c == '_') {
                        continue;
                    }
                    let rest = &text[i + len..];
                    let key = &rest[..rest.find('"').expect("closing quote")];
                    if !all().any(|(k, _, _)| k == key) {
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
        let _one_at_a_time = lang_switch();
        set_lang(Lang::En);
        assert_eq!(t("login.submit"), "Log in");
        set_lang(Lang::Zh);
        assert_eq!(t("login.submit"), "登录");
    }
}
