//! Contains-search that PostgreSQL answers from an index, for names, contacts, phones and
//! pinyin initials (`bjxh` finds 北京协和医院).
//!
//! A searchable row stores two columns, computed here when it is written:
//! - `search_grams text[]` (GIN-indexed): every run of one to three characters of its
//!   texts (lower case), and of the pinyin initials of its names — every reading of every
//!   multi-reading character (多音字) of each run, so nothing is capped;
//! - `pinyin_sets text`: the initials each character may have, `|cz|s|s|` for 长沙市.
//!
//! A query of length n needs all of its runs of three characters (or itself, when n ≤ 3)
//! among the row's grams: a GIN `@>` that narrows 100,000 rows to a handful. An exact test
//! then decides on those rows: the query is a substring of one of the texts, or (letters
//! and digits only) some run of consecutive characters has the query's letters among its
//! initials — a regular expression over `pinyin_sets` (see [`Query::initials_regex`]).
//! Both are plain SQL: nothing is done per row in Rust at search time, whatever the number
//! of multi-reading characters in a name.
//!
//! PostgreSQL's own `pg_trgm` is not used here: in the private cluster's C locale it
//! treats Chinese characters as separators, and it cannot index queries of one or two
//! characters. (Order numbers, ASCII, are searched through it: `orders_number_grams`.)

use std::collections::BTreeSet;

use pinyin::ToPinyinMulti;

/// The longest run of characters stored as a gram.
pub const GRAM: usize = 3;

/// The initials each character of `text` may have, in order: a Chinese character gives
/// the first letter of each of its readings (长 → `cz`), an ASCII letter or digit itself
/// (lower case); anything else (spaces, punctuation) is skipped, so a run may span it.
pub fn initial_sets(text: &str) -> Vec<String> {
    let mut sets = Vec::new();
    for (c, readings) in text.chars().zip(text.to_pinyin_multi()) {
        match readings {
            Some(multi) => {
                let mut letters = String::new();
                for letter in multi
                    .into_iter()
                    .filter_map(|p| p.first_letter().chars().next())
                {
                    if !letters.contains(letter) {
                        letters.push(letter);
                    }
                }
                if !letters.is_empty() {
                    sets.push(letters);
                }
            }
            None if c.is_ascii_alphanumeric() => sets.push(c.to_ascii_lowercase().to_string()),
            None => {}
        }
    }
    sets
}

/// The stored form of initial sets, one text per name: `|cz|s|s|`; several names are
/// separated by `||`, so no run of initials spans two names.
pub fn sets_text(names: &[&str]) -> String {
    let mut out = String::from("|");
    for name in names {
        let sets = initial_sets(name);
        if sets.is_empty() {
            continue;
        }
        for set in sets {
            out.push_str(&set);
            out.push('|');
        }
        out.push('|');
    }
    out
}

/// The initials of the main reading of each character, from stored sets: `|cz|s|s|` →
/// `css` (shown beside a drug's name; search uses every reading).
pub fn primary_initials(sets_text: &str) -> String {
    sets_text
        .split("||")
        .next()
        .unwrap_or_default()
        .split('|')
        .filter_map(|set| set.chars().next())
        .collect()
}

/// Every run of 1..=[`GRAM`] consecutive characters of `text`, in lower case.
fn text_grams(text: &str, out: &mut BTreeSet<String>) {
    let chars: Vec<char> = text.to_lowercase().chars().collect();
    for start in 0..chars.len() {
        for len in 1..=GRAM.min(chars.len() - start) {
            let gram: String = chars[start..start + len].iter().collect();
            if !gram.trim().is_empty() {
                out.insert(gram);
            }
        }
    }
}

/// Every spelling of every run of 1..=[`GRAM`] consecutive initial sets.
fn initials_grams(sets: &[String], out: &mut BTreeSet<String>) {
    for start in 0..sets.len() {
        let mut spellings = vec![String::new()];
        for set in sets.iter().skip(start).take(GRAM) {
            spellings = spellings
                .iter()
                .flat_map(|s| set.chars().map(move |c| format!("{s}{c}")))
                .collect();
            out.extend(spellings.iter().cloned());
        }
    }
}

/// The `search_grams` of a row: the grams of `texts` (matched as typed) and of the pinyin
/// initials of `names` (matched by initials).
pub fn grams(texts: &[&str], names: &[&str]) -> Vec<String> {
    let mut out = BTreeSet::new();
    for text in texts {
        text_grams(text.trim(), &mut out);
    }
    for name in names {
        initials_grams(&initial_sets(name), &mut out);
    }
    out.into_iter().collect()
}

/// A search as the SQL needs it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Query {
    /// The query in lower case, trimmed: matched as a substring of the texts.
    pub text: String,
    /// What the row's grams must contain.
    pub grams: Vec<String>,
    /// For a query of ASCII letters and digits: the regular expression over
    /// `pinyin_sets` that holds when some run of consecutive characters has the query's
    /// letters among its initials (`cs` → `\|[^|]*c[^|]*\|[^|]*s[^|]*\|`).
    pub initials_regex: Option<String>,
}

impl Query {
    /// The query for what the user typed; `None` when it is blank.
    pub fn new(typed: &str) -> Option<Query> {
        let text = typed.trim().to_lowercase();
        let chars: Vec<char> = text.chars().collect();
        if chars.is_empty() {
            return None;
        }
        let grams = if chars.len() <= GRAM {
            vec![text.clone()]
        } else {
            let set: BTreeSet<String> = chars.windows(GRAM).map(|w| w.iter().collect()).collect();
            set.into_iter().collect()
        };
        let initials_regex = chars.iter().all(char::is_ascii_alphanumeric).then(|| {
            let mut re = String::from(r"\|");
            for c in &chars {
                re.push_str(&format!(r"[^|]*{c}[^|]*\|"));
            }
            re
        });
        Some(Query {
            text,
            grams,
            initials_regex,
        })
    }

    /// Whether the grams alone decide: a query of at most [`GRAM`] characters is itself a
    /// gram, and the grams hold every run of the texts and of the initials, so "the row
    /// has this gram" is exactly "a text contains it, or the initials spell it".
    pub fn exact_by_grams(&self) -> bool {
        self.text.chars().count() <= GRAM
    }

    /// The `LIKE` pattern for a substring match, with `%`, `_` and `\` taken literally.
    pub fn like_pattern(&self) -> String {
        crate::db::models::contains_pattern(&self.text)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Whether `typed` finds a row with these texts and names, by the same rule as the
    /// SQL: all grams present, then a substring or an initials match.
    fn finds(typed: &str, texts: &[&str], names: &[&str]) -> bool {
        let q = Query::new(typed).expect("a query");
        let grams = grams(texts, names);
        if !q.grams.iter().all(|g| grams.contains(g)) {
            return false;
        }
        let substring = texts.iter().any(|t| t.to_lowercase().contains(&q.text));
        let initials = q.initials_regex.as_ref().is_some_and(|re| {
            // The regex uses only `|`, `[^|]*` and literal letters: match it by hand.
            let sets: Vec<String> = initial_sets(&names.join(""));
            let letters: Vec<char> = q.text.chars().collect();
            let _ = re;
            sets.windows(letters.len())
                .any(|w| w.iter().zip(&letters).all(|(s, l)| s.contains(*l)))
        });
        substring || initials
    }

    #[test]
    fn the_common_readings_of_names_with_many_multi_reading_characters_are_found() {
        let name = "长沙市长寿堂大药房";
        for q in ["cs", "csscstdyf", "zs", "cstdyf", "dyf", "yf"] {
            assert!(finds(q, &[name], &[name]), "{q} finds {name}");
        }
        let name = "长春市长生大药房";
        for q in ["ccsc", "ccscsdyf", "zcsz"] {
            assert!(finds(q, &[name], &[name]), "{q} finds {name}");
        }
        assert!(!finds("xyz", &[name], &[name]));
        assert!(!finds("ccx", &[name], &[name]));
    }

    #[test]
    fn texts_match_as_typed_and_initials_do_not_span_two_names() {
        let texts = ["北京协和医院", "张主任", "010-69156114"];
        assert!(finds("协和", &texts, &["北京协和医院"]));
        assert!(finds("北京协和医院", &texts, &["北京协和医院"]));
        assert!(finds("6915", &texts, &["北京协和医院"]));
        assert!(finds("bjxh", &texts, &["北京协和医院"]));
        assert!(!finds("协院", &texts, &["北京协和医院"]));
        assert_eq!(sets_text(&["阿莫", "B6"]), "|ae|m||b|6||");
    }

    #[test]
    fn the_initials_regex_needs_consecutive_characters() {
        let q = Query::new("CS").expect("query");
        assert_eq!(q.text, "cs");
        assert_eq!(q.grams, ["cs"]);
        assert_eq!(
            q.initials_regex.as_deref(),
            Some(r"\|[^|]*c[^|]*\|[^|]*s[^|]*\|")
        );
        let q = Query::new("bjxhyy").expect("query");
        assert_eq!(q.grams, ["bjx", "hyy", "jxh", "xhy"]);
        assert_eq!(Query::new("协和").and_then(|q| q.initials_regex), None);
        assert_eq!(Query::new("  "), None);
    }
}
