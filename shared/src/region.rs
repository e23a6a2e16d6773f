//! China's provinces and cities (GB/T 2260 codes), shipped with the program
//! (`data/regions.json`), for the province → city picker and its validation.

use std::sync::LazyLock;

use serde::Deserialize;

use crate::validation::Violation;

/// A province with its cities.
#[derive(Debug, Clone, Deserialize, PartialEq, Eq)]
pub struct Province {
    /// Two-digit code, e.g. "11".
    pub code: String,
    /// Name, e.g. 北京市.
    pub name: String,
    /// Its cities (for municipalities, their districts).
    #[serde(rename = "children")]
    pub cities: Vec<City>,
}

/// A city.
#[derive(Debug, Clone, Deserialize, PartialEq, Eq)]
pub struct City {
    /// Four- or six-digit code, e.g. "4401".
    pub code: String,
    /// Name, e.g. 广州市.
    pub name: String,
}

/// The provincial-level divisions of GB/T 2260 that `regions.json` leaves out, listed
/// without cities: 台湾省 (71), 香港特别行政区 (81), 澳门特别行政区 (82).
const BEYOND_THE_MAINLAND: [(&str, &str); 3] = [
    ("71", "台湾省"),
    ("81", "香港特别行政区"),
    ("82", "澳门特别行政区"),
];

static PROVINCES: LazyLock<Vec<Province>> = LazyLock::new(|| {
    let mut provinces: Vec<Province> = serde_json::from_str(include_str!("../data/regions.json"))
        .expect("shipped regions.json parses");
    provinces.extend(BEYOND_THE_MAINLAND.map(|(code, name)| Province {
        code: code.to_owned(),
        name: name.to_owned(),
        cities: Vec::new(),
    }));
    provinces.sort_by(|a, b| a.code.cmp(&b.code));
    provinces
});

/// Every provincial-level division (GB/T 2260: 34, the last three without cities), in
/// code order.
pub fn provinces() -> &'static [Province] {
    &PROVINCES
}

/// The province with this code.
pub fn province(code: &str) -> Option<&'static Province> {
    PROVINCES.iter().find(|p| p.code == code)
}

/// The name of a province (two-digit code) or city (its province's two digits first):
/// "湖南省", "长沙市"; `None` for an unknown code.
pub fn name_of(code: &str) -> Option<&'static str> {
    let p = province(code.get(..2)?)?;
    if code.len() == 2 {
        return Some(&p.name);
    }
    p.cities
        .iter()
        .find(|c| c.code == code)
        .map(|c| c.name.as_str())
}

/// Checks that `province` exists and `city` (if given) belongs to it. Returns the
/// violation for the field at fault: ("province_code" | "city_code", why).
pub fn check(province_code: &str, city_code: &str) -> Result<(), (&'static str, Violation)> {
    let Some(p) = province(province_code) else {
        return Err((
            "province_code",
            Violation::new("choose a province", "请选择省份"),
        ));
    };
    if city_code.is_empty() || p.cities.iter().any(|c| c.code == city_code) {
        Ok(())
    } else {
        Err((
            "city_code",
            Violation::new(
                format!("that city is not in {}", p.name),
                format!("该城市不属于{}", p.name),
            ),
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_shipped_divisions_are_complete() {
        assert_eq!(provinces().len(), 34);
        let codes: Vec<&str> = provinces().iter().map(|p| p.code.as_str()).collect();
        assert!(codes.is_sorted(), "{codes:?}");
        // A customer in Hong Kong is placed by its province-level code alone.
        assert_eq!(name_of("81"), Some("香港特别行政区"));
        assert!(check("81", "").is_ok());
        let guangdong = province("44").expect("广东省");
        assert_eq!(guangdong.name, "广东省");
        assert!(guangdong.cities.iter().any(|c| c.name == "广州市"));
    }

    #[test]
    fn a_city_must_belong_to_its_province() {
        let guangzhou = &province("44")
            .unwrap()
            .cities
            .iter()
            .find(|c| c.name == "广州市")
            .unwrap()
            .code;
        assert!(check("44", guangzhou).is_ok());
        assert!(check("44", "").is_ok());
        assert_eq!(check("11", guangzhou).unwrap_err().0, "city_code");
        assert_eq!(check("99", "").unwrap_err().0, "province_code");
    }
}
