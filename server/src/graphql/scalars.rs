use async_graphql::{InputValueError, InputValueResult, Scalar, ScalarType, Value};
use chrono::NaiveDate;

/// A calendar date, `YYYY-MM-DD` (ISO 8601).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Date(pub NaiveDate);

#[Scalar(name = "Date")]
impl ScalarType for Date {
    fn parse(value: Value) -> InputValueResult<Self> {
        match &value {
            Value::String(s) => NaiveDate::parse_from_str(s, "%Y-%m-%d")
                .map(Date)
                .map_err(|_| InputValueError::custom(format!("{s:?} is not a date (YYYY-MM-DD)"))),
            _ => Err(InputValueError::expected_type(value)),
        }
    }

    fn to_value(&self) -> Value {
        // `Display` writes `YYYY-MM-DD` directly; `format` would interpret a format string
        // for every date of every page.
        Value::String(self.0.to_string())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_date_is_written_as_iso_8601_and_read_back() {
        for (y, m, d) in [
            (2026, 11, 30),
            (2022, 1, 5),
            (999, 3, 4),
            (1, 1, 1),
            (9999, 12, 31),
        ] {
            let date = NaiveDate::from_ymd_opt(y, m, d).unwrap();
            let value = Date(date).to_value();
            assert_eq!(
                value,
                Value::String(date.format("%Y-%m-%d").to_string()),
                "{date:?}"
            );
            assert_eq!(Date::parse(value).unwrap(), Date(date));
        }
    }
}
