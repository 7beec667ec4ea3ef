//! The PA digitale 2026 open-data files: reading every published variant of them
//! (CSV or JSON, any column order, quoted or not, with or without optional columns,
//! with rows of other measures mixed in) and writing them back.
//!
//! This module is pure: bytes in, parsed records out. The database side is in
//! [`crate::service::import`] and [`crate::service::export`].

mod applications;
mod calls;
mod catalogue;
mod table;
mod write;

pub use applications::{ApplicationRecord, APPLICATION_COLUMNS};
pub use calls::CallRecord;
pub use catalogue::CallCatalogue;
pub use table::{FileError, Table};
pub use write::{write_applications, ExportFormat, ExportRow};

/// One row of a file, with where it came from.
#[derive(Debug, Clone, PartialEq)]
pub struct Row<T> {
    /// 1-based line of a CSV file (the header is line 1), or record number of a JSON file.
    pub line: usize,
    pub outcome: RowOutcome<T>,
}

#[derive(Debug, Clone, PartialEq)]
pub enum RowOutcome<T> {
    Ok(T),
    /// Not a row of measure 1.2: left out on purpose.
    Skipped(String),
    /// A row of measure 1.2 that cannot be read: reported, and the other rows go on.
    Malformed(String),
}

/// A value of a row that breaks the official structure or could not be read: the row is
/// kept (as published, or with that value left empty) and the warning reported.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct FieldWarning {
    /// The column, as the open data names it (`codice_cup`).
    pub field: &'static str,
    /// The value as published.
    pub value: String,
    pub reason: String,
}

/// What a file holds, recognised from its header.
#[derive(Debug, Clone, PartialEq)]
pub enum OpenDataFile {
    /// Funded applications (`candidature_*.csv`).
    Applications(Vec<Row<ApplicationRecord>>),
    /// Calls (`avvisi.csv`).
    Calls(Vec<Row<CallRecord>>),
    /// A file with a header (or an empty JSON array) and no rows. The publisher has
    /// published such snapshots and restored the data the next day: an empty file says
    /// nothing, least of all that everything was deleted.
    NoRows,
}

/// Reads a whole file, recognising CSV or JSON and then which open-data file it is.
/// A file that is not a recognisable open-data file is an error as a whole. The calls
/// `catalogue` says which measure each call belongs to (see [`CallCatalogue`]).
pub fn parse(bytes: &[u8], catalogue: &CallCatalogue) -> Result<OpenDataFile, FileError> {
    let table = Table::read(bytes)?;
    let recognised = applications::matches(&table) || calls::matches(&table);
    if table.rows.is_empty() && (recognised || table.headers.is_empty()) {
        return Ok(OpenDataFile::NoRows);
    }
    if applications::matches(&table) {
        applications::parse(&table, catalogue).map(OpenDataFile::Applications)
    } else if calls::matches(&table) {
        calls::parse(&table).map(OpenDataFile::Calls)
    } else {
        Err(FileError::NotOpenData {
            found: table
                .headers
                .iter()
                .take(12)
                .cloned()
                .collect::<Vec<_>>()
                .join(", "),
        })
    }
}

/// Parses an amount as the open data writes it (`4566860.0`, `"47427"`). Amounts are
/// whole euros; one written with cents (`4058598.4`) is rounded to the euro, and the
/// second value says so.
pub(crate) fn parse_amount(s: &str) -> Result<(nuvola_shared::Euros, bool), String> {
    use nuvola_shared::Euros;
    match Euros::parse(s) {
        Ok(a) => Ok((a, false)),
        Err(err) => match s.trim().parse::<f64>() {
            Ok(v) if v.is_finite() && v >= 0.0 && s.contains('.') => {
                Euros::parse(&format!("{:.0}", v.round()))
                    .map(|a| (a, true))
                    .map_err(|e| e.to_string())
            }
            _ => Err(err.to_string()),
        },
    }
}

/// Parses a float-looking whole number as the open data writes them (`28.0`).
pub(crate) fn parse_whole_number(field: &'static str, s: &str) -> Result<i32, String> {
    let v: f64 = s
        .trim()
        .parse()
        .map_err(|_| format!("{field} {s:?} is not a number"))?;
    if v.fract() != 0.0 || v < f64::from(i32::MIN) || v > f64::from(i32::MAX) {
        return Err(format!("{field} {s:?} is not a whole number"));
    }
    Ok(v as i32)
}

pub(crate) fn parse_date(field: &'static str, s: &str) -> Result<chrono::NaiveDate, String> {
    let s = s.trim();
    let head = s.get(..10).unwrap_or(s);
    chrono::NaiveDate::parse_from_str(head, "%Y-%m-%d")
        .or_else(|_| chrono::NaiveDate::parse_from_str(s, "%d/%m/%Y"))
        .map_err(|_| format!("{field} {s:?} is not a date (expected YYYY-MM-DD)"))
}
