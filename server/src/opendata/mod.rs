//! The PA digitale 2026 open-data files: reading every published variant of them
//! (CSV or JSON, any column order, quoted or not, with or without optional columns,
//! with rows of other measures mixed in) and writing them back.
//!
//! This module is pure: bytes in, parsed records out. The database side is in
//! [`crate::service::import`] and [`crate::service::export`].

mod applications;
mod calls;
mod table;
mod write;

pub use applications::{ApplicationRecord, APPLICATION_COLUMNS};
pub use calls::CallRecord;
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

/// What a file holds, recognised from its header.
#[derive(Debug, Clone, PartialEq)]
pub enum OpenDataFile {
    /// Funded applications (`candidature_*.csv`).
    Applications(Vec<Row<ApplicationRecord>>),
    /// Calls (`avvisi.csv`).
    Calls(Vec<Row<CallRecord>>),
}

/// Reads a whole file, recognising CSV or JSON and then which open-data file it is.
/// A file that is not a recognisable open-data file is an error as a whole.
pub fn parse(bytes: &[u8]) -> Result<OpenDataFile, FileError> {
    let table = Table::read(bytes)?;
    if applications::matches(&table) {
        applications::parse(&table).map(OpenDataFile::Applications)
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
