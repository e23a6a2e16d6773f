//! Sorting Chinese text as people look it up: by pinyin, not by code point (where 发票
//! comes before 发货 and 上海 before 北京 by accident of numbering).

use pinyin::ToPinyin;

/// A key that sorts `text` by reading: each Chinese character as its pinyin without tone
/// (its first reading: a character read two ways, such as 长, may sort under the other),
/// other characters as they are, in lower case; the text itself
/// breaks ties between characters read alike. `发票` → `fa piao  发票` (each reading
/// followed by a space, then a space before the text), `Shipment` → `shipment Shipment`.
/// (The server's lists sort names by the SQL function of the same name, which also reads
/// place names as places.)
pub fn pinyin_key(text: &str) -> String {
    let mut key = String::with_capacity(text.len() * 3);
    for c in text.chars() {
        match c.to_pinyin() {
            Some(reading) => {
                key.push_str(reading.plain());
                key.push(' ');
            }
            None => key.extend(c.to_lowercase()),
        }
    }
    key.push(' ');
    key.push_str(text);
    key
}

#[cfg(test)]
mod tests {
    use super::pinyin_key;

    #[test]
    fn chinese_sorts_by_pinyin_and_latin_ignores_case() {
        let mut words = ["上海", "发货", "北京", "回款", "发票", "客户"];
        words.sort_by_cached_key(|w| pinyin_key(w));
        assert_eq!(words, ["北京", "发货", "发票", "回款", "客户", "上海"]);
        let mut words = ["order", "Invoice", "payment"];
        words.sort_by_cached_key(|w| pinyin_key(w));
        assert_eq!(words, ["Invoice", "order", "payment"]);
    }
}
