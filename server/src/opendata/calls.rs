//! The calls file (`avvisi.csv`).

use chrono::NaiveDate;
use nuvola_shared::call::decide_measure;
use nuvola_shared::{CallTitle, Euros};

use super::{parse_amount, parse_date, FileError, Row, RowOutcome, Table};

/// One call (*avviso*) as the open data describes it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CallRecord {
    pub title: CallTitle,
    /// The `misura` column as published.
    pub measure: Option<String>,
    /// Whether the call's applications are in measure 1.2 (its `misura`, or the share a
    /// joint call's title names: "… (quota 1.2)").
    pub measure_1_2: bool,
    pub opens_on: Option<NaiveDate>,
    pub closes_on: Option<NaiveDate>,
    pub status: Option<String>,
    pub budget: Option<Euros>,
    pub measure_budget: Option<Euros>,
    pub target_types: Option<String>,
}

pub(super) fn matches(table: &Table) -> bool {
    table.column(&["titolo"]).is_some()
        && (table.column(&["data_inizio_bando"]).is_some() || table.column(&["misura"]).is_some())
}

pub(super) fn parse(table: &Table) -> Result<Vec<Row<CallRecord>>, FileError> {
    let title = table.column(&["titolo"]).ok_or(FileError::MissingColumns {
        missing: "titolo".to_owned(),
    })?;
    let measure = table.column(&["misura"]);
    let opens = table.column(&["data_inizio_bando"]);
    let closes = table.column(&["data_fine_bando"]);
    let status = table.column(&["stato"]);
    let budget = table.column(&["totale_importo_stanziato"]);
    let measure_budget = table.column(&["totale_importo_misura"]);
    let targets = table.column(&["soggetti_destinatari"]);
    Ok(table
        .rows
        .iter()
        .map(|(line, cells)| {
            let get = |i: Option<usize>| {
                i.and_then(|i| cells.get(i))
                    .map(|s| s.trim())
                    .filter(|s| !s.is_empty())
            };
            let title_text = get(Some(title)).unwrap_or_default();
            let m = get(measure);
            // Every call is read, whatever its measure: the calls file is the authority
            // on which measure each title belongs to (the import keeps that), and only
            // the calls of measure 1.2 become calls of the programme.
            let build = || -> Result<CallRecord, String> {
                // Budgets with cents are rounded to the euro (two 1.4.4 calls have them).
                let euros = |s: &str| parse_amount(s).map(|(a, _)| a);
                Ok(CallRecord {
                    title: CallTitle::parse(title_text).map_err(|e| e.to_string())?,
                    measure: m.map(str::to_owned),
                    measure_1_2: decide_measure(title_text, m, None).measure_1_2,
                    opens_on: get(opens)
                        .map(|s| parse_date("data_inizio_bando", s))
                        .transpose()?,
                    closes_on: get(closes)
                        .map(|s| parse_date("data_fine_bando", s))
                        .transpose()?,
                    status: get(status).map(str::to_owned),
                    budget: get(budget).map(euros).transpose()?,
                    measure_budget: get(measure_budget).map(euros).transpose()?,
                    target_types: get(targets).map(str::to_owned),
                })
            };
            let outcome = match build() {
                Ok(r) => RowOutcome::Ok(r),
                Err(reason) => RowOutcome::Malformed(reason),
            };
            Row {
                line: *line,
                outcome,
            }
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::super::{parse as parse_file, OpenDataFile};
    use super::*;

    #[test]
    fn reads_every_call_and_knows_which_are_of_measure_one_two() {
        let text = "titolo,misura,data_inizio_bando,data_fine_bando,stato,totale_importo_stanziato,totale_importo_misura,soggetti_destinatari\n\
\"1.2 Abilitazione al Cloud - Scuole - Aprile 2022\",\"1.2 Abilitazione e facilitazione migrazione al Cloud\",\"2022-04-26\",\"2022-06-24\",\"TERMINATO\",50000000.0,987000000.0,\"Scuole\"\n\
\"1.4.1 Cittadino\",\"1.4.1 Esperienza del cittadino\",\"2022-04-26\",\"2022-06-24\",\"TERMINATO\",1.0,2.0,\"Comuni\"\n";
        let OpenDataFile::Calls(rows) = parse_file(text.as_bytes(), &Default::default()).unwrap()
        else {
            panic!()
        };
        let RowOutcome::Ok(c) = &rows[0].outcome else {
            panic!("{rows:?}")
        };
        assert!(c.measure_1_2);
        assert_eq!(c.budget.unwrap().value(), 50_000_000);
        assert_eq!(c.opens_on.unwrap().to_string(), "2022-04-26");
        assert!(matches!(&rows[1].outcome, RowOutcome::Ok(c) if !c.measure_1_2));
    }
}
