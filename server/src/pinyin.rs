//! Pinyin initials for search: typing `amxl` finds 阿莫西林. A character with several
//! readings (多音字) contributes each, so either reading matches.

use pinyin::ToPinyinMulti;

/// The most spellings one text contributes (heteronyms multiply; names are short).
const MAX_VARIANTS: usize = 16;

/// Every spelling of `text`'s initials: Chinese characters by their pinyin initial(s),
/// ASCII letters and digits as they are (lower case), everything else dropped.
pub fn initials(text: &str) -> Vec<String> {
    let mut variants = vec![String::new()];
    for (c, readings) in text.chars().zip(text.to_pinyin_multi()) {
        // The crate lists the main reading first; keep that order so the common spelling
        // survives the cap on variants.
        let letters: Vec<char> = match readings {
            Some(multi) => {
                let mut letters: Vec<char> = Vec::new();
                for letter in multi
                    .into_iter()
                    .filter_map(|p| p.first_letter().chars().next())
                {
                    if !letters.contains(&letter) {
                        letters.push(letter);
                    }
                }
                letters
            }
            None if c.is_ascii_alphanumeric() => vec![c.to_ascii_lowercase()],
            None => continue,
        };
        let mut next = Vec::with_capacity(variants.len() * letters.len());
        for variant in &variants {
            for letter in &letters {
                if next.len() < MAX_VARIANTS {
                    next.push(format!("{variant}{letter}"));
                }
            }
        }
        variants = next;
    }
    variants.retain(|v| !v.is_empty());
    variants
}

/// The searchable column for a drug: the initials of every given text, joined by `|`
/// (which nobody types, so a match never spans two spellings).
pub fn search_key(texts: &[&str]) -> String {
    let mut keys: Vec<String> = texts.iter().flat_map(|t| initials(t)).collect();
    keys.dedup();
    keys.join("|")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chinese_names_become_their_initials() {
        assert!(initials("阿莫西林").contains(&"amxl".to_owned()));
        assert!(initials("布洛芬缓释胶囊").contains(&"blfhsjn".to_owned()));
    }

    #[test]
    fn a_character_with_two_readings_gives_both() {
        // 重: zhòng / chóng.
        let keys = initials("重组人胰岛素");
        assert!(keys.contains(&"czryds".to_owned()), "{keys:?}");
        assert!(keys.contains(&"zzryds".to_owned()), "{keys:?}");
    }

    #[test]
    fn ascii_is_kept_and_punctuation_dropped() {
        assert_eq!(initials("维生素B6片"), ["wssb6p"]);
        assert_eq!(initials("（缓释）"), ["hs"]);
        // Several texts and readings, joined by a separator nobody types.
        assert_eq!(search_key(&["阿莫西林", "", "B6"]), "amxl|emxl|b6");
    }
}
