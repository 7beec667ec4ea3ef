use std::fmt;

use serde::{Deserialize, Serialize};

use crate::ParseError;

/// The title of a call (*avviso*), e.g. "1.2 Abilitazione al Cloud - Scuole - Aprile 2022".
/// It identifies the call in the open data.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct CallTitle(String);

impl CallTitle {
    pub const MAX_LEN: usize = 300;

    pub fn parse(input: &str) -> Result<Self, ParseError> {
        let s = input.trim();
        if s.is_empty() {
            return Err(ParseError::new("call title", input, "is empty"));
        }
        if s.chars().count() > Self::MAX_LEN {
            return Err(ParseError::new(
                "call title",
                input,
                "is longer than 300 characters",
            ));
        }
        Ok(Self(s.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Whether the title names a call of measure 1.2 (titles start with the measure).
    pub fn is_measure_1_2(&self) -> bool {
        is_measure_1_2(&self.0)
    }
}

/// Whether a measure name or call title belongs to measure 1.2
/// ("1.2 Abilitazione e facilitazione migrazione al Cloud"), not 1.4.1, 1.2.1 and so on.
pub fn is_measure_1_2(text: &str) -> bool {
    let t = text.trim_start();
    match t.strip_prefix("1.2") {
        Some(rest) => !rest.starts_with(|c: char| c == '.' || c.is_ascii_digit()),
        None => false,
    }
}

/// The key under which a call title is looked up in a calls file: trimmed, lower case,
/// blanks collapsed ("1.2 Abilitazione al cloud" and "1.2  Abilitazione al Cloud" are one
/// call). Titles are kept as written; only the lookup ignores these differences.
pub fn title_key(title: &str) -> String {
    title
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .to_lowercase()
}

/// The measure share a joint call's title names: `"… (quota 1.2)"` → `Some("1.2")`.
/// Joint calls (e.g. measures 1.1 and 1.2 for health agencies) publish the same CUP once
/// per share, each under the call's title with its share as a suffix.
pub fn quota_share(title: &str) -> Option<&str> {
    let t = title.trim_end();
    let inner = t.strip_suffix(')')?;
    let open = inner.rfind('(')?;
    let words = inner[open + 1..].trim();
    let (word, share) = words.split_once(char::is_whitespace)?;
    word.eq_ignore_ascii_case("quota").then(|| share.trim())
}

/// Where the measure of a call's applications was learnt.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MeasureSource {
    /// The title's `(quota …)` suffix of a joint call.
    QuotaSuffix,
    /// The calls file (`avvisi.csv`, column `misura`): the publisher's authority.
    CallsFile,
    /// The application row's own `misura` column.
    Row,
    /// The title's first characters: the last resort, for a call known nowhere.
    TitlePrefix,
}

/// Which measure a call's applications belong to, and how that was decided.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MeasureVerdict {
    /// Whether the applications count in measure 1.2.
    pub measure_1_2: bool,
    /// The measure as found (`"1.2"` for a quota suffix, else the text of the source).
    pub measure: String,
    pub source: MeasureSource,
}

impl MeasureVerdict {
    /// Why rows of this call are left out, for an import report.
    pub fn skip_reason(&self) -> String {
        let from = match self.source {
            MeasureSource::QuotaSuffix => "the call's quota suffix",
            MeasureSource::CallsFile => "the calls file",
            MeasureSource::Row => "the row's misura",
            MeasureSource::TitlePrefix => "the call's title",
        };
        format!("measure {:?} is not 1.2 (from {from})", self.measure)
    }
}

/// A measure that is written: trimmed and not empty.
fn present(m: Option<&str>) -> Option<&str> {
    m.map(str::trim).filter(|m| !m.is_empty())
}

/// Decides whether applications under the call `title` are in measure 1.2, by these rules
/// in order:
/// 1. a title ending in `(quota 1.2)` is the 1.2 share of a joint call, whatever the calls
///    file says of the call (it may list it once, under 1.1, without the suffix);
///    `(quota 1.1)` or any other share is not 1.2;
/// 2. else the call's `misura` in the calls file (`listed`), the publisher's authority;
/// 3. else the application row's own `misura` (`row`);
/// 4. else, for a call known nowhere, the title's first characters.
pub fn decide_measure(title: &str, listed: Option<&str>, row: Option<&str>) -> MeasureVerdict {
    let verdict = |measure: &str, source| MeasureVerdict {
        measure_1_2: is_measure_1_2(measure),
        measure: measure.trim().to_owned(),
        source,
    };
    if let Some(share) = quota_share(title) {
        return verdict(share, MeasureSource::QuotaSuffix);
    }
    if let Some(m) = present(listed) {
        return verdict(m, MeasureSource::CallsFile);
    }
    if let Some(m) = present(row) {
        return verdict(m, MeasureSource::Row);
    }
    verdict(title, MeasureSource::TitlePrefix)
}

impl fmt::Display for CallTitle {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}
impl TryFrom<String> for CallTitle {
    type Error = ParseError;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        Self::parse(&s)
    }
}
impl From<CallTitle> for String {
    fn from(v: CallTitle) -> String {
        v.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn recognises_measure_one_two_only() {
        assert!(is_measure_1_2(
            "1.2 Abilitazione e facilitazione migrazione al Cloud"
        ));
        assert!(is_measure_1_2(
            "1.2 Abilitazione al Cloud - Scuole - Aprile 2022"
        ));
        assert!(!is_measure_1_2(
            "1.4.1 Esperienza del cittadino nei servizi pubblici"
        ));
        assert!(!is_measure_1_2("1.2.1 Something else"));
        assert!(!is_measure_1_2("1.21 Something"));
        assert!(!is_measure_1_2(""));
    }

    // The real titles of the bundled avvisi.csv.
    const JOINT_12: &str = "1.1 e 1.2 'Infrastrutture digitali e abilitazione al cloud' - ASL/AO -marzo 2023 (quota 1.2)";
    const JOINT_11: &str = "1.1 e 1.2 'Infrastrutture digitali e abilitazione al cloud' - ASL/AO -marzo 2023 (quota 1.1)";
    const ASL_2025: &str = "1.1 Infrastrutture digitali - ASL/AO - giugno 2025";
    const MEASURE_12: &str = "1.2 Abilitazione e facilitazione migrazione al Cloud";
    const MEASURE_11: &str = "1.1 Infrastrutture digitali";

    #[test]
    fn a_quota_suffix_names_the_share_of_a_joint_call() {
        assert_eq!(quota_share(JOINT_12), Some("1.2"));
        assert_eq!(quota_share(JOINT_11), Some("1.1"));
        assert_eq!(quota_share(&format!("{ASL_2025} (quota 1.2)")), Some("1.2"));
        assert_eq!(quota_share("x (Quota 1.2) "), Some("1.2"));
        assert_eq!(
            quota_share("1.2 Abilitazione al Cloud - Scuole - Aprile 2022"),
            None
        );
        assert_eq!(
            quota_share("1.4.5 'Piattaforma Notifiche Digitali' Comuni (maggio 2024)"),
            None
        );
    }

    #[test]
    fn the_calls_file_decides_the_measure_of_a_listed_call() {
        // The joint call's 1.2 share is listed under 1.2 in avvisi.csv.
        let v = decide_measure(JOINT_12, Some(MEASURE_12), None);
        assert!(v.measure_1_2);
        assert_eq!(v.source, MeasureSource::QuotaSuffix);
        // A call listed under 1.2 whose title says nothing about the measure.
        let v = decide_measure("Cloud - Comuni - 2026", Some(MEASURE_12), None);
        assert!(v.measure_1_2);
        assert_eq!(v.source, MeasureSource::CallsFile);
        // The calls file wins over the row's own misura and over the title.
        let v = decide_measure("1.2 Abilitazione - x", Some(MEASURE_11), Some(MEASURE_12));
        assert!(!v.measure_1_2);
        assert_eq!(v.source, MeasureSource::CallsFile);
        assert!(
            v.skip_reason().contains("calls file"),
            "{}",
            v.skip_reason()
        );
    }

    #[test]
    fn a_quota_1_2_title_is_1_2_even_when_the_calls_file_lists_the_call_under_1_1() {
        // avvisi.csv lists "1.1 Infrastrutture digitali - ASL/AO - giugno 2025" once, under
        // 1.1, without the suffix; the applications file names its 1.2 share.
        let title = format!("{ASL_2025} (quota 1.2)");
        let v = decide_measure(&title, Some(MEASURE_11), Some(MEASURE_11));
        assert!(v.measure_1_2);
        assert_eq!(v.measure, "1.2");
        // The same call without the suffix is 1.1, as listed.
        assert!(!decide_measure(ASL_2025, Some(MEASURE_11), None).measure_1_2);
    }

    #[test]
    fn a_quota_1_1_title_is_not_1_2() {
        let v = decide_measure(JOINT_11, Some(MEASURE_12), Some(MEASURE_12));
        assert!(!v.measure_1_2);
        assert_eq!(v.source, MeasureSource::QuotaSuffix);
    }

    #[test]
    fn the_row_then_the_title_decide_for_a_call_known_nowhere() {
        let v = decide_measure("Avviso senza numero", None, Some(MEASURE_12));
        assert!(v.measure_1_2);
        assert_eq!(v.source, MeasureSource::Row);
        let v = decide_measure("1.2 Abilitazione al Cloud - Comuni - 2027", None, None);
        assert!(v.measure_1_2);
        assert_eq!(v.source, MeasureSource::TitlePrefix);
        let v = decide_measure(
            "1.4.1 Esperienza del Cittadino - Scuole - 2027",
            None,
            Some(""),
        );
        assert!(!v.measure_1_2);
        assert_eq!(v.source, MeasureSource::TitlePrefix);
    }

    #[test]
    fn titles_are_looked_up_ignoring_case_and_blanks() {
        assert_eq!(
            title_key(" 1.2 Abilitazione al cloud  - Comuni - Aprile 2022 "),
            title_key("1.2 Abilitazione al Cloud - Comuni - Aprile 2022")
        );
    }
}
