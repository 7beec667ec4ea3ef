//! A file as a table of strings: header names and rows, from CSV or JSON.

use serde_json::Value;

/// Why a whole file was refused. Nothing of it is imported.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum FileError {
    #[error("the file is empty")]
    Empty,
    #[error("the file is not UTF-8 text (byte {0}): open-data files are UTF-8 CSV or JSON")]
    NotUtf8(usize),
    #[error("the file is not valid JSON: {0}")]
    BadJson(String),
    #[error(
        "the JSON holds no list of records: expected an array of objects, or an object with one"
    )]
    NoJsonRecords,
    #[error("the CSV header cannot be read: {0}")]
    BadHeader(String),
    #[error(
        "not a PA digitale 2026 open-data file: expected the columns of the funded applications \
         (codice_ipa, codice_cup, avviso, importo_finanziamento, stato_candidatura, …) or of the \
         calls (titolo, misura, data_inizio_bando, …); found: {found}"
    )]
    NotOpenData { found: String },
    #[error("the file lacks the required column(s) {missing}")]
    MissingColumns { missing: String },
}

/// A file as header names (normalised: trimmed, lower-case, spaces as `_`) and rows.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Table {
    pub headers: Vec<String>,
    /// (line or record number, cells). A row may be shorter or longer than the header.
    pub rows: Vec<(usize, Vec<String>)>,
}

impl Table {
    pub fn read(bytes: &[u8]) -> Result<Table, FileError> {
        let text = std::str::from_utf8(bytes).map_err(|e| FileError::NotUtf8(e.valid_up_to()))?;
        let text = text.strip_prefix('\u{feff}').unwrap_or(text);
        let trimmed = text.trim_start();
        if trimmed.is_empty() {
            return Err(FileError::Empty);
        }
        if trimmed.starts_with('[') || trimmed.starts_with('{') {
            Self::read_json(trimmed)
        } else {
            Self::read_csv(text)
        }
    }

    /// The position of a column, by any of its names.
    pub fn column(&self, names: &[&str]) -> Option<usize> {
        names
            .iter()
            .find_map(|n| self.headers.iter().position(|h| h == n))
    }

    fn read_csv(text: &str) -> Result<Table, FileError> {
        let first_line = text.lines().next().unwrap_or_default();
        let delimiter = [b',', b';', b'\t']
            .into_iter()
            .max_by_key(|d| first_line.bytes().filter(|b| b == d).count())
            .unwrap_or(b',');
        let mut reader = csv::ReaderBuilder::new()
            .delimiter(delimiter)
            .flexible(true)
            .has_headers(true)
            .from_reader(text.as_bytes());
        let headers = reader
            .headers()
            .map_err(|e| FileError::BadHeader(e.to_string()))?
            .iter()
            .map(normalise_header)
            .collect::<Vec<_>>();
        let mut rows = Vec::with_capacity(text.len() / 200);
        let mut record = csv::StringRecord::new();
        // The csv crate does not count blank lines; count newlines up to each record.
        let bytes = text.as_bytes();
        let (mut line, mut scanned) = (1usize, 0usize);
        loop {
            match reader.read_record(&mut record) {
                Ok(true) => {
                    let mut start = record
                        .position()
                        .map_or(scanned, |p| p.byte() as usize)
                        .min(bytes.len());
                    // A record's position may point at the blank lines before it.
                    while start < bytes.len() && matches!(bytes[start], b'\n' | b'\r') {
                        start += 1;
                    }
                    line += bytes[scanned..start.max(scanned)]
                        .iter()
                        .filter(|b| **b == b'\n')
                        .count();
                    scanned = start.max(scanned);
                    if record.iter().all(|c| c.trim().is_empty()) {
                        continue;
                    }
                    rows.push((line, record.iter().map(str::to_owned).collect()));
                }
                Ok(false) => break,
                Err(e) => {
                    // A broken quote makes the rest of the file unreadable as CSV.
                    let line = e.position().map_or(0, |p| p.line() as usize);
                    return Err(FileError::BadHeader(format!("line {line}: {e}")));
                }
            }
        }
        Ok(Table { headers, rows })
    }

    fn read_json(text: &str) -> Result<Table, FileError> {
        let value: Value =
            serde_json::from_str(text).map_err(|e| FileError::BadJson(e.to_string()))?;
        let records = match value {
            Value::Array(items) => items,
            Value::Object(map) => map
                .into_iter()
                .find_map(|(_, v)| match v {
                    Value::Array(items) => Some(items),
                    _ => None,
                })
                .ok_or(FileError::NoJsonRecords)?,
            _ => return Err(FileError::NoJsonRecords),
        };
        let mut headers: Vec<String> = Vec::new();
        for item in &records {
            if let Value::Object(obj) = item {
                for key in obj.keys() {
                    let k = normalise_header(key);
                    if !headers.contains(&k) {
                        headers.push(k);
                    }
                }
            }
        }
        if headers.is_empty() && !records.is_empty() {
            return Err(FileError::NoJsonRecords);
        }
        let rows = records
            .iter()
            .enumerate()
            .map(|(i, item)| {
                let mut cells = vec![String::new(); headers.len()];
                if let Value::Object(obj) = item {
                    for (k, v) in obj {
                        let key = normalise_header(k);
                        if let Some(pos) = headers.iter().position(|h| *h == key) {
                            cells[pos] = json_cell(v);
                        }
                    }
                }
                (i + 1, cells)
            })
            .collect();
        Ok(Table { headers, rows })
    }
}

fn normalise_header(h: &str) -> String {
    h.trim()
        .trim_matches('"')
        .trim()
        .to_lowercase()
        .replace([' ', '-'], "_")
}

fn json_cell(v: &Value) -> String {
    match v {
        Value::Null => String::new(),
        Value::String(s) => s.clone(),
        Value::Number(n) => n.to_string(),
        Value::Bool(b) => b.to_string(),
        other => other.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_quoted_and_unquoted_csv_with_a_bom_and_semicolons() {
        let t = Table::read(
            "\u{feff}\"Codice IPA\";\"avviso\"\n\"c_a001\";\"x;y\"\n\nc_a002;z\n".as_bytes(),
        )
        .unwrap();
        assert_eq!(t.headers, vec!["codice_ipa", "avviso"]);
        assert_eq!(t.rows.len(), 2);
        assert_eq!(t.rows[0], (2, vec!["c_a001".to_owned(), "x;y".to_owned()]));
        assert_eq!(t.rows[1].0, 4);
    }

    #[test]
    fn reads_json_arrays_and_wrapped_arrays() {
        let t = Table::read(br#"{"data":[{"codice_ipa":"c_a001","importo":4566860.0,"x":null}]}"#)
            .unwrap();
        assert_eq!(t.headers, vec!["codice_ipa", "importo", "x"]);
        assert_eq!(t.rows[0].1, vec!["c_a001", "4566860.0", ""]);
        assert!(matches!(
            Table::read(b"{\"a\": 1}"),
            Err(FileError::NoJsonRecords)
        ));
        assert!(matches!(Table::read(b"[1,"), Err(FileError::BadJson(_))));
    }

    #[test]
    fn refuses_binary_and_empty_files() {
        assert!(matches!(
            Table::read(b"\xff\xfe\x00"),
            Err(FileError::NotUtf8(0))
        ));
        assert!(matches!(Table::read(b"  \n"), Err(FileError::Empty)));
    }
}
