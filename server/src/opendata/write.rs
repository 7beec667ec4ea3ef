//! Writing funded applications in the published format.

use std::io::Write;

use anyhow::Context;

use super::APPLICATION_COLUMNS;

/// The export formats of `nuvola export`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum ExportFormat {
    Csv,
    Json,
}

/// One exported row: the values of [`APPLICATION_COLUMNS`], in order, already written
/// the way the open data writes them (`4566860.0`, `1.0`, `2022-08-08`).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct ExportRow(pub [String; APPLICATION_COLUMNS.len()]);

/// Writes the rows as CSV (the header of `candidature_12.csv`) or as a JSON array of
/// objects with the same keys and values.
pub fn write_applications(
    rows: &[ExportRow],
    format: ExportFormat,
    out: &mut dyn Write,
) -> anyhow::Result<()> {
    match format {
        ExportFormat::Csv => {
            let mut w = csv::WriterBuilder::new()
                .quote_style(csv::QuoteStyle::Necessary)
                .from_writer(out);
            w.write_record(APPLICATION_COLUMNS)
                .context("writing the CSV header")?;
            for row in rows {
                w.write_record(&row.0).context("writing a CSV row")?;
            }
            w.flush().context("flushing the CSV")?;
        }
        ExportFormat::Json => {
            let items: Vec<serde_json::Map<String, serde_json::Value>> = rows
                .iter()
                .map(|row| {
                    APPLICATION_COLUMNS
                        .iter()
                        .zip(row.0.iter())
                        .map(|(k, v)| ((*k).to_owned(), serde_json::Value::String(v.clone())))
                        .collect()
                })
                .collect();
            serde_json::to_writer_pretty(&mut *out, &items).context("writing the JSON")?;
            out.write_all(b"\n").context("writing the JSON")?;
        }
    }
    Ok(())
}
