//! Contains-search that PostgreSQL answers from an index, for names, contacts, phones and
//! pinyin: full (`xiehe` finds 北京协和医院), initials (`bjxh`) or the two mixed
//! (`changssc` finds 长沙市长寿堂大药房), characters among them too (`北京xh`: each
//! character searched as its main reading spelled whole, [`mixed_pinyin`]).
//!
//! A searchable row stores three columns, computed here when it is written:
//! - `search_grams text[]` (GIN-indexed): every run of one to three characters of its
//!   texts (lower case) ([`grams`]);
//! - `pinyin_grams text[]` (GIN-indexed): every run of one to three letters that pinyin
//!   typed for its names may hold, full, initials or the two mixed, every reading of
//!   every multi-reading character (多音字), so nothing is capped ([`pinyin_grams`]).
//!   Kept apart from `search_grams`, which stays small: a search for Chinese text or a
//!   phone reads and checks only that;
//! - `pinyin_sets text`: the readings each character of the names may have, toneless,
//!   `|chang,zhang|sha|shi|` for 长沙市 ([`sets_text`]).
//!
//! A query of length n needs all of its runs of three characters (or itself, when n ≤ 3)
//! among the row's `search_grams`, or (letters and digits only, however typed: see
//! [`Query::pinyin`]) among its `pinyin_grams`:
//! GIN `@>` that narrows 100,000 rows to a handful. An exact test then decides on those
//! rows: the query is a substring of one of the texts, or (letters and digits only) it is
//! pinyin of some run of consecutive characters — a regular expression over
//! `pinyin_sets` (see [`Query::pinyin_regex`]). Both are plain SQL: nothing is done per
//! row in Rust at search time, whatever the number of multi-reading characters in a name.
//!
//! What counts as pinyin of a run of characters: each character in turn gives a
//! non-empty beginning of one of its readings — the whole syllable (`changsha`), its
//! initial (`cs`), or any part in between (`changs`, `chsshi`). 绿 reads `lv` (ü typed as
//! v, as input methods do) and `lu`.
//!
//! PostgreSQL's own `pg_trgm` is not used here: in the private cluster's C locale it
//! treats Chinese characters as separators, and it cannot index queries of one or two
//! characters. (Order numbers, ASCII, are searched through it: `orders_number_grams`.)

use std::collections::BTreeSet;

use pinyin::ToPinyinMulti;

use crate::db::sql::{Sql, Value};

/// The longest run of characters stored as a gram of texts.
pub const GRAM: usize = 3;

/// The longest run of letters stored as a gram of full pinyin. Three, as for texts: the
/// query's runs of three together pick out its matches (`xiehe` over 100,000 customers:
/// 3,397 rows, all of them matches); runs of four made the index 2.4 times as large for
/// no faster search (search-bench, 2026-12-07).
pub const PINYIN_GRAM: usize = 3;

/// The readings each character of `text` may have, in order, toneless and in lower case:
/// a Chinese character gives each of its readings, the main one first (长 → `chang`,
/// `zhang`; ü as `v` and as `u`: 绿 → `lv`, `lu`), an ASCII letter or digit itself (lower
/// case); anything else (spaces, punctuation) is skipped, so a run may span it.
pub fn reading_sets(text: &str) -> Vec<Vec<String>> {
    let mut sets = Vec::new();
    for (c, readings) in text.chars().zip(text.to_pinyin_multi()) {
        match readings {
            Some(multi) => {
                let mut cell: Vec<String> = Vec::new();
                for reading in multi.into_iter().map(|p| p.plain()) {
                    let spellings = if reading.contains('ü') {
                        vec![reading.replace('ü', "v"), reading.replace('ü', "u")]
                    } else {
                        vec![reading.to_owned()]
                    };
                    for spelling in spellings {
                        if spelling.chars().all(|c| c.is_ascii_lowercase())
                            && !cell.contains(&spelling)
                        {
                            cell.push(spelling);
                        }
                    }
                }
                if !cell.is_empty() {
                    sets.push(cell);
                }
            }
            None if c.is_ascii_alphanumeric() => {
                sets.push(vec![c.to_ascii_lowercase().to_string()])
            }
            None => {}
        }
    }
    sets
}

/// The stored form of reading sets, one text per name: `|chang,zhang|sha|shi|`; several
/// names are separated by `||`, so no run of pinyin spans two names.
pub fn sets_text(names: &[&str]) -> String {
    let mut out = String::from("|");
    for name in names {
        let sets = reading_sets(name);
        if sets.is_empty() {
            continue;
        }
        for set in sets {
            out.push_str(&set.join(","));
            out.push('|');
        }
        out.push('|');
    }
    out
}

/// The initials of the main reading of each character of the first name, from stored
/// sets: `|chang,zhang|sha|shi|` → `css` (shown beside a drug's name; search uses every
/// reading).
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

/// Every pinyin of at most `left` letters that starts at character `start`: each
/// character in turn a non-empty beginning of one of its readings. `prefix` is put
/// before each.
fn pinyin_from(
    sets: &[Vec<String>],
    start: usize,
    left: usize,
    prefix: &str,
    out: &mut BTreeSet<String>,
) {
    let Some(cell) = sets.get(start) else { return };
    for reading in cell {
        for len in 1..=left.min(reading.len()) {
            let spelled = format!("{prefix}{}", &reading[..len]);
            if len < left {
                pinyin_from(sets, start + 1, left - len, &spelled, out);
            }
            out.insert(spelled);
        }
    }
}

/// Marks a gram of [`PINYIN_GRAM`] letters that starts at a character: `^cha`.
const AT_A_CHARACTER: char = '^';

/// The grams of a name's pinyin: every pinyin of 1..=[`PINYIN_GRAM`] letters starting
/// at a character (what a query that short is; those of [`PINYIN_GRAM`] letters also
/// marked as such, `^cha`, for the query's first run), and every run of [`PINYIN_GRAM`]
/// letters of a longer pinyin that starts inside a reading (the query's later runs:
/// `ang` of `changsha`).
fn pinyin_grams_of(sets: &[Vec<String>], out: &mut BTreeSet<String>) {
    for start in 0..sets.len() {
        let mut at_start = BTreeSet::new();
        pinyin_from(sets, start, PINYIN_GRAM, "", &mut at_start);
        for gram in at_start {
            if gram.len() == PINYIN_GRAM {
                out.insert(format!("{AT_A_CHARACTER}{gram}"));
            }
            out.insert(gram);
        }
        for reading in &sets[start] {
            for from in 1..reading.len() {
                let rest = &reading[from..];
                for len in 1..=PINYIN_GRAM.min(rest.len()) {
                    let head = &rest[..len];
                    if len == PINYIN_GRAM {
                        out.insert(head.to_owned());
                    } else {
                        let mut tails = BTreeSet::new();
                        pinyin_from(sets, start + 1, PINYIN_GRAM - len, head, &mut tails);
                        out.extend(tails.into_iter().filter(|g| g.len() == PINYIN_GRAM));
                    }
                }
            }
        }
    }
}

/// The `search_grams` of a row: the grams of `texts`, matched as typed. (The pinyin's,
/// initials included, are [`pinyin_grams`].)
pub fn grams(texts: &[&str]) -> Vec<String> {
    let mut out = BTreeSet::new();
    for text in texts {
        text_grams(text.trim(), &mut out);
    }
    out.into_iter().collect()
}

/// The `pinyin_grams` of a row: the grams of the pinyin of `names`, full, initials or the
/// two mixed ([`pinyin_grams_of`]).
pub fn pinyin_grams(names: &[&str]) -> Vec<String> {
    let mut out = BTreeSet::new();
    for name in names {
        pinyin_grams_of(&reading_sets(name), &mut out);
    }
    out.into_iter().collect()
}

/// A search as the SQL needs it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Query {
    /// The query in lower case, trimmed: matched as a substring of the texts.
    pub text: String,
    /// What the row's `search_grams` must contain: the query's runs of [`GRAM`]
    /// characters, or itself when shorter.
    pub grams: Vec<String>,
    /// The letters of a query that may be pinyin, as they are matched: ASCII letters and
    /// digits, typed half- or full-width (`ｘｉｅｈｅ`, as a Chinese input method may
    /// leave it), `ü` as `v`, without the spaces and apostrophes that part syllables
    /// (`xie he`, `xi'an`, `lu’an`). `None` for a query with anything else (Chinese text,
    /// a phone's dashes).
    pub pinyin: Option<String>,
    /// For a query that may be pinyin, what the row's `pinyin_grams` must otherwise
    /// contain: the runs of [`PINYIN_GRAM`] letters of [`Query::pinyin`], the first
    /// marked as starting at a character (`^cha`, `ang`, …), or itself when shorter.
    pub pinyin_grams: Option<Vec<String>>,
    /// For a query that may be pinyin: the regular expression over
    /// `pinyin_sets` that holds when the query is pinyin of some run of consecutive
    /// characters — each in turn a non-empty beginning of one of its readings (`cs` →
    /// `\|(?:[^|]*,)?c(?:[^,|]*(?:,[^|]*)?\|(?:[^|]*,)?)?s`: after a letter, either the
    /// same reading goes on, or the rest of the character is skipped and a reading of the
    /// next one begins).
    pub pinyin_regex: Option<String>,
}

/// Where a character's readings may begin in `pinyin_sets`: after its `|`, past any of
/// its other readings.
const READING_START: &str = r"\|(?:[^|]*,)?";
/// From inside a reading to the start of a reading of the next character.
const NEXT_CHARACTER: &str = r"[^,|]*(?:,[^|]*)?\|(?:[^|]*,)?";

/// The runs of `n` characters of `chars` (without repeats, in order), or the whole when
/// it is no longer.
fn runs(chars: &[char], n: usize) -> Vec<String> {
    if chars.len() <= n {
        return vec![chars.iter().collect()];
    }
    let set: BTreeSet<String> = chars.windows(n).map(|w| w.iter().collect()).collect();
    set.into_iter().collect()
}

/// [`Query::pinyin`] of `text` (lower case, trimmed).
fn pinyin_letters(text: &str) -> Option<String> {
    let mut letters = String::new();
    for c in pharmacrm_shared::validation::half_width(text).chars() {
        match c {
            'a'..='z' | '0'..='9' => letters.push(c),
            'ü' => letters.push('v'),
            // Between syllables: a space, an apostrophe (ASCII, or the typographic one a
            // Chinese input method gives).
            ' ' | '\'' | '’' => {}
            _ => return None,
        }
    }
    (!letters.is_empty()).then_some(letters)
}

/// A query of Chinese characters mixed with pinyin (`北京xh`, as one types the part of a
/// name one knows the characters of) as pinyin: each character by its main reading
/// (`beijingxh`), which spells it whole, so that it finds what that pinyin finds. `None`
/// unless it holds both characters and letters (Chinese alone is matched as text).
fn mixed_pinyin(text: &str) -> Option<String> {
    let text = pharmacrm_shared::validation::half_width(text);
    if !text.chars().any(|c| c.is_ascii_alphabetic()) {
        return None;
    }
    let mut spelled = String::with_capacity(text.len() * 3);
    let mut characters = false;
    for (c, readings) in text.chars().zip(text.as_str().to_pinyin_multi()) {
        match readings.and_then(|multi| multi.into_iter().next()) {
            Some(main) => {
                characters = true;
                spelled.push_str(main.plain());
            }
            None => spelled.push(c),
        }
    }
    if !characters {
        return None;
    }
    pinyin_letters(&spelled)
}

impl Query {
    /// The query for what the user typed; `None` when it is blank.
    pub fn new(typed: &str) -> Option<Query> {
        let text = typed.trim().to_lowercase();
        let chars: Vec<char> = text.chars().collect();
        if chars.is_empty() {
            return None;
        }
        let pinyin = pinyin_letters(&text).or_else(|| mixed_pinyin(&text));
        let letters: Vec<char> = pinyin.as_deref().unwrap_or_default().chars().collect();
        let pinyin_regex = pinyin.is_some().then(|| {
            let mut re = String::from(READING_START);
            for (i, c) in letters.iter().enumerate() {
                if i > 0 {
                    re.push_str(&format!("(?:{NEXT_CHARACTER})?"));
                }
                re.push(*c);
            }
            re
        });
        // The first run of a pinyin query starts at a character: marked, it finds only
        // such runs (`^zyy`, not the `zyy` inside 中医院's …).
        let pinyin_grams = pinyin.is_some().then(|| {
            let mut grams = runs(&letters, PINYIN_GRAM);
            if letters.len() >= PINYIN_GRAM {
                let first: String = letters[..PINYIN_GRAM].iter().collect();
                // Implied by the marked run: a row holds each marked run plain too.
                grams.retain(|g| *g != first);
                grams.insert(0, format!("{AT_A_CHARACTER}{first}"));
            }
            grams
        });
        Some(Query {
            grams: runs(&chars, GRAM),
            pinyin,
            pinyin_grams,
            text,
            pinyin_regex,
        })
    }

    /// Whether the grams alone decide: a query of at most [`GRAM`] characters (its
    /// pinyin no longer) is itself a gram (three letters of pinyin marked as starting at
    /// a character, `^zyy`), and the grams hold every run that short of the texts, of the
    /// initials and of the pinyin starting at a character, so "the row has this gram" is
    /// exactly "a text contains it, or it is pinyin of a name".
    pub fn exact_by_grams(&self) -> bool {
        // (A query mixing characters with pinyin is matched by its longer spelling.)
        self.text.chars().count() <= GRAM && self.pinyin.as_deref().is_none_or(|p| p.len() <= GRAM)
    }

    /// The `LIKE` pattern for a substring match, with `%`, `_` and `\` taken literally.
    pub fn like_pattern(&self) -> String {
        crate::db::models::contains_pattern(&self.text)
    }

    /// ` AND (…)`: the row aliased `alias` holds the query's [`Query::grams`] in its
    /// `search_grams`, or (a query that may be pinyin) its [`Query::pinyin_grams`] in its
    /// `pinyin_grams`: what the GIN indexes answer.
    pub fn grams_sql(&self, alias: &str) -> Sql {
        let mut sql = Sql::new(&format!(" AND ({alias}.search_grams @> "));
        sql.bind(Value::TextArray(self.grams.clone()));
        if let Some(grams) = &self.pinyin_grams {
            sql.push(&format!(" OR {alias}.pinyin_grams @> "))
                .bind(Value::TextArray(grams.clone()));
        }
        sql.push(")");
        sql
    }

    /// ` AND (…)`: the exact test on the row aliased `alias`: one of `texts` (SQL
    /// expressions of its texts, in lower case where they may hold letters) contains the
    /// query, or (a query that may be pinyin) its `pinyin_sets` match
    /// [`Query::pinyin_regex`].
    pub fn exact_sql(&self, alias: &str, texts: &[&str]) -> Sql {
        let pattern = self.like_pattern();
        let mut sql = Sql::new(" AND (FALSE");
        for text in texts {
            sql.push(&format!(" OR {text} LIKE "))
                .bind(Value::Text(pattern.clone()));
        }
        if let Some(re) = &self.pinyin_regex {
            sql.push(&format!(" OR {alias}.pinyin_sets ~ "))
                .bind(Value::Text(re.clone()));
        }
        sql.push(")");
        sql
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Whether `letters` is pinyin of a run of `sets` starting at `start`: each character
    /// in turn a non-empty beginning of one of its readings. The rule, written plainly.
    fn spells(sets: &[Vec<String>], start: usize, letters: &str) -> bool {
        if letters.is_empty() {
            return true;
        }
        let Some(cell) = sets.get(start) else {
            return false;
        };
        cell.iter().any(|reading| {
            (1..=reading.len().min(letters.len())).any(|len| {
                letters.starts_with(&reading[..len]) && spells(sets, start + 1, &letters[len..])
            })
        })
    }

    /// Whether `typed` finds a row with these texts and names, by the same rule as the
    /// SQL: all grams present, then a substring or the regular expression over the
    /// stored sets (checked against the rule written plainly).
    fn finds(typed: &str, texts: &[&str], names: &[&str]) -> bool {
        let q = Query::new(typed).expect("a query");
        let search = grams(texts);
        let pinyin = pinyin_grams(names);
        let substring = texts.iter().any(|t| t.to_lowercase().contains(&q.text));
        let stored = sets_text(names);
        let by_regex = q.pinyin_regex.as_ref().is_some_and(|re| {
            regex::Regex::new(re)
                .expect("the regex compiles")
                .is_match(&stored)
        });
        let by_rule = q.pinyin_regex.is_some()
            && names.iter().any(|name| {
                let sets = reading_sets(name);
                let letters = q.pinyin.as_deref().unwrap_or_default();
                (0..sets.len()).any(|start| spells(&sets, start, letters))
            });
        assert_eq!(by_regex, by_rule, "{typed}: the regex keeps the rule");
        let has_grams = q.grams.iter().all(|g| search.contains(g))
            || q.pinyin_grams
                .as_ref()
                .is_some_and(|grams| grams.iter().all(|g| pinyin.contains(g)));
        if substring || by_rule {
            assert!(has_grams, "{typed}: a match is never lost to the grams");
        }
        if q.exact_by_grams() {
            assert_eq!(has_grams, substring || by_rule, "{typed}: the grams decide");
        }
        has_grams && (substring || by_rule)
    }

    #[test]
    fn full_pinyin_initials_and_the_two_mixed_find_a_name() {
        let name = "长沙市长寿堂大药房";
        for q in [
            "cs",
            "csscstdyf",
            "zs",
            "cstdyf",
            "dyf",
            "yf",
            "changsha",
            "changshashi",
            "chsshi",
            "zhangshou",
            "dayaofang",
            "dayf",
            "yaofang",
            "chang",
            "changshashichangshoutangdayaofang",
        ] {
            assert!(finds(q, &[name], &[name]), "{q} finds {name}");
        }
        let name = "长春市长生大药房";
        for q in ["ccsc", "ccscsdyf", "zcsz", "changchun", "ccshi", "chun"] {
            assert!(finds(q, &[name], &[name]), "{q} finds {name}");
        }
        for q in [
            "xyz", "ccx", "hang", "ang", "han", "angchun", "changx", "chunx", "ccc",
        ] {
            assert!(!finds(q, &[name], &[name]), "{q} does not find {name}");
        }
        assert!(finds("xiehe", &["北京协和医院"], &["北京协和医院"]));
        assert!(finds("beijingxh", &["北京协和医院"], &["北京协和医院"]));
        assert!(finds("amoxilin", &["阿莫西林胶囊"], &["阿莫西林胶囊"]));
    }

    #[test]
    fn characters_mixed_with_pinyin_find_what_their_spelling_finds() {
        let name = "北京协和医院";
        for q in [
            "北京xh",
            "北京xiehe",
            "xh医院",
            "协和yy",
            "北jxh",
            "北京 xh",
            "北京ｘｈ",
        ] {
            assert!(finds(q, &[name], &[name]), "{q} finds {name}");
        }
        // Consecutive, as pinyin is: not 北京 then 医院 with 协和 left out.
        assert!(!finds("北京yy", &[name], &[name]));
        assert!(!finds("上海xh", &[name], &[name]));
        // A multi-reading character by its main reading: 长沙 is changsha.
        let name = "长沙市长寿堂大药房";
        assert!(finds("长沙shi", &[name], &[name]));
        // Chinese alone stays text, not pinyin (背景 does not find 北京).
        assert_eq!(Query::new("北京").and_then(|q| q.pinyin), None);
        assert!(!finds("背景", &["北京协和医院"], &["北京协和医院"]));
    }

    #[test]
    fn u_umlaut_is_typed_as_v_or_u() {
        assert_eq!(reading_sets("绿")[0][..2], ["lv", "lu"]);
        assert!(finds("lvye", &["绿叶大药房"], &["绿叶大药房"]));
        assert!(finds("luye", &["绿叶大药房"], &["绿叶大药房"]));
        assert!(finds("lyd", &["绿叶大药房"], &["绿叶大药房"]));
    }

    #[test]
    fn pinyin_is_found_however_an_input_method_leaves_it() {
        let name = "北京协和医院";
        for q in [
            "xie he",
            "bei jing xie he",
            "xie'he",
            "xie’he",
            "ｘｉｅｈｅ",
            "ＢＪＸＨ",
        ] {
            assert!(finds(q, &[name], &[name]), "{q} finds {name}");
        }
        assert!(finds("lu'an", &["六安市人民医院"], &["六安市人民医院"]));
        assert!(finds("a mo xi lin", &["阿莫西林胶囊"], &["阿莫西林胶囊"]));
        assert!(finds("lüye", &["绿叶大药房"], &["绿叶大药房"]));
        assert!(
            !finds("xie-he", &[name], &[name]),
            "a dash is no syllable break"
        );
        assert!(finds("xie he yy", &[name], &[name]));
        assert!(!finds("he xie", &[name], &[name]));
        // Spaces are kept for the texts: a contact typed with one is matched as typed.
        let q = Query::new("Wang  Li").expect("query");
        assert_eq!(
            (q.text.as_str(), q.pinyin.as_deref()),
            ("wang  li", Some("wangli"))
        );
        assert!(finds("wang li", &["Wang Li"], &["康民大药房"]));
    }

    #[test]
    fn texts_match_as_typed_and_pinyin_does_not_span_two_names() {
        let texts = ["北京协和医院", "张主任", "010-69156114"];
        assert!(finds("协和", &texts, &["北京协和医院"]));
        assert!(finds("北京协和医院", &texts, &["北京协和医院"]));
        assert!(finds("6915", &texts, &["北京协和医院"]));
        assert!(finds("bjxh", &texts, &["北京协和医院"]));
        assert!(!finds("协院", &texts, &["北京协和医院"]));
        assert_eq!(sets_text(&["阿莫", "B6"]), "|a,e|mo,mu||b|6||");
        assert!(!finds("mob6", &["阿莫 B6"], &["阿莫", "B6"]));
        assert!(finds("amob", &["阿莫B"], &["阿莫B"]));
        assert_eq!(primary_initials("|chang,zhang|sha|shi||b|"), "css");
    }

    #[test]
    fn the_pinyin_regex_needs_consecutive_characters() {
        let q = Query::new("CS").expect("query");
        assert_eq!(q.text, "cs");
        assert_eq!(q.grams, ["cs"]);
        assert_eq!(
            q.pinyin_regex.as_deref(),
            Some(r"\|(?:[^|]*,)?c(?:[^,|]*(?:,[^|]*)?\|(?:[^|]*,)?)?s")
        );
        let q = Query::new("bjxhyy").expect("query");
        assert_eq!(q.grams, ["bjx", "hyy", "jxh", "xhy"]);
        let q = Query::new("changsha").expect("query");
        assert_eq!(
            q.pinyin_grams.expect("pinyin"),
            ["^cha", "ang", "gsh", "han", "ngs", "sha"]
        );
        let q = Query::new("zyy").expect("query");
        assert!(q.exact_by_grams());
        assert_eq!(q.pinyin_grams.expect("pinyin"), ["^zyy"]);
        assert_eq!(Query::new("协和").and_then(|q| q.pinyin_regex), None);
        assert_eq!(Query::new("  "), None);
        assert!(!finds("bjyy", &["北京协和医院"], &["北京协和医院"]));
    }
}
