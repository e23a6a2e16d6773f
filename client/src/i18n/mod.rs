//! Every visible string goes through [`t`]: Simplified Chinese by default, English one
//! click away. Each module keeps its own table (`common`, `admin`, `drugs`, `customers`…)
//! holding both languages side by side, so a key cannot exist in one language only; tests
//! check that every key the code uses is in a table, in the table of its module.

mod admin;
mod common;
mod customers;
mod drugs;

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
    for (_, table) in TABLES {
        if let Ok(i) = table.binary_search_by(|(k, _, _)| k.cmp(&key)) {
            return match lang() {
                Lang::Zh => table[i].1,
                Lang::En => table[i].2,
            };
        }
    }
    debug_assert!(false, "missing i18n key {key}");
    "??"
}

/// One module's strings: (key, 中文, English), sorted by key.
type Table = &'static [(&'static str, &'static str, &'static str)];

/// Every module's table with the key prefixes it owns: (prefixes, table).
const TABLES: &[(&[&str], Table)] = &[
    (
        &["app", "common", "error", "login", "shell", "scope"],
        common::STRINGS,
    ),
    (
        &["admin", "audit", "dept", "pos", "tokens", "users"],
        admin::STRINGS,
    ),
    (&["drug", "drugs", "units"], drugs::STRINGS),
    (
        &[
            "customer",
            "customers",
            "certificate",
            "followup",
            "personal",
            "handover",
            "work",
        ],
        customers::STRINGS,
    ),
];

#[cfg(test)]
mod tests {
    use super::*;

    fn all() -> impl Iterator<Item = &'static (&'static str, &'static str, &'static str)> {
        TABLES.iter().flat_map(|(_, table)| table.iter())
    }

    #[test]
    fn keys_are_sorted_unique_in_their_module_and_translated() {
        for (prefixes, table) in TABLES {
            for pair in table.windows(2) {
                assert!(
                    pair[0].0 < pair[1].0,
                    "{} must sort before {}",
                    pair[0].0,
                    pair[1].0
                );
            }
            for (key, _, _) in *table {
                let prefix = key.split('.').next().unwrap_or_default();
                assert!(
                    prefixes.contains(&prefix),
                    "{key} belongs in the table of the module owning “{prefix}”"
                );
            }
        }
        let mut keys: Vec<&str> = all().map(|(k, _, _)| *k).collect();
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
                    if !all().any(|(k, _, _)| *k == key) {
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
