//! The words of the pages and messages, from `host/locales/<lang>.json`: flat maps of key to
//! text, `{name}` marking where a value goes. Templates say `{{t "key"}}`
//! (or `{{t "key" name=value}}`); a key missing from a file is a test
//! failure, not a blank on a page.

use std::collections::HashMap;
use std::sync::LazyLock;

use baton_sdk::Locale;

static ZH: LazyLock<HashMap<String, String>> = LazyLock::new(|| load(ZH_SOURCE));
static EN: LazyLock<HashMap<String, String>> = LazyLock::new(|| load(EN_SOURCE));

/// Whether `key` has words in both languages.
pub fn has(key: &str) -> bool {
    ZH.contains_key(key) && EN.contains_key(key)
}

/// The Chinese words.
pub const ZH_SOURCE: &str = include_str!("../../locales/zh-CN.json");
/// The English words.
pub const EN_SOURCE: &str = include_str!("../../locales/en.json");

fn load(source: &str) -> HashMap<String, String> {
    serde_json::from_str(source).expect("a locale file is a flat JSON object of strings")
}

/// The text of `key` in `locale`, with `{name}` replaced from `args`; the
/// key itself when it is missing.
pub fn t(locale: Locale, key: &str, args: &[(&str, String)]) -> String {
    let words = match locale {
        Locale::ZhCn => &*ZH,
        Locale::En => &*EN,
    };
    let mut text = words.get(key).cloned().unwrap_or_else(|| key.to_owned());
    for (name, value) in args {
        text = text.replace(&format!("{{{name}}}"), value);
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn both_languages_have_the_same_keys() {
        let mut zh: Vec<&String> = ZH.keys().collect();
        let mut en: Vec<&String> = EN.keys().collect();
        zh.sort();
        en.sort();
        assert_eq!(zh, en);
    }

    #[test]
    fn values_are_put_in_their_places() {
        assert_eq!(
            t(Locale::En, "me.due", &[("date", "2027-03-31".into())]),
            "due 2027-03-31"
        );
    }
}
