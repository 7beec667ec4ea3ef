//! The funded applications file (`candidature_*.csv`) in any of its published variants.

use chrono::{DateTime, NaiveDate, Utc};
use nuvola_shared::call::is_measure_1_2;
use nuvola_shared::{Cup, Euros, IpaCode, IstatCode, OpenDataState, Region};

use super::{parse_date, parse_whole_number, FileError, Row, RowOutcome, Table};

/// The columns of `candidature_12.csv`, in its order: the export writes exactly these.
pub const APPLICATION_COLUMNS: [&str; 18] = [
    "codice_ipa",
    "ente",
    "comune",
    "cod_comune",
    "provincia",
    "cod_provincia",
    "regione",
    "cod_regione",
    "importo_finanziamento",
    "avviso",
    "data_invio_candidatura",
    "data_finanziamento",
    "codice_cup",
    "numero_finestra_temporale",
    "numero_di_protocollo",
    "stato_candidatura",
    "misura",
    "tipologia_ente",
];

const REQUIRED: [&str; 5] = [
    "codice_ipa",
    "codice_cup",
    "avviso",
    "importo_finanziamento",
    "stato_candidatura",
];

/// One funded application as the open data describes it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApplicationRecord {
    pub ipa_code: IpaCode,
    pub name: Option<String>,
    pub comune: Option<String>,
    pub comune_istat: Option<IstatCode>,
    pub provincia: Option<String>,
    pub provincia_istat: Option<IstatCode>,
    pub region: Region,
    pub amount: Euros,
    pub call_title: nuvola_shared::CallTitle,
    pub measure: Option<String>,
    pub submitted_at: Option<DateTime<Utc>>,
    pub funded_on: Option<NaiveDate>,
    pub cup: Cup,
    pub time_window: Option<i32>,
    pub protocol_number: Option<i32>,
    pub state: OpenDataState,
    pub type_label: Option<String>,
    pub decree_ref: Option<String>,
    pub state_changed_on: Option<NaiveDate>,
}

pub(super) fn matches(table: &Table) -> bool {
    table.column(&["codice_cup"]).is_some() && table.column(&["avviso"]).is_some()
}

struct Columns {
    ipa: usize,
    cup: usize,
    call: usize,
    amount: usize,
    state: usize,
    name: Option<usize>,
    comune: Option<usize>,
    comune_istat: Option<usize>,
    provincia: Option<usize>,
    provincia_istat: Option<usize>,
    region: Option<usize>,
    region_istat: Option<usize>,
    submitted: Option<usize>,
    funded: Option<usize>,
    window: Option<usize>,
    protocol: Option<usize>,
    measure: Option<usize>,
    type_label: Option<usize>,
    decree: Option<usize>,
    state_changed: Option<usize>,
}

pub(super) fn parse(table: &Table) -> Result<Vec<Row<ApplicationRecord>>, FileError> {
    let missing: Vec<&str> = REQUIRED
        .iter()
        .copied()
        .filter(|c| table.column(&[c]).is_none())
        .chain(
            (table.column(&["regione"]).is_none() && table.column(&["cod_regione"]).is_none())
                .then_some("regione (or cod_regione)"),
        )
        .collect();
    if !missing.is_empty() {
        return Err(FileError::MissingColumns {
            missing: missing.join(", "),
        });
    }
    let req = |n: &str| table.column(&[n]).unwrap_or_default();
    let cols = Columns {
        ipa: req("codice_ipa"),
        cup: req("codice_cup"),
        call: req("avviso"),
        amount: req("importo_finanziamento"),
        state: req("stato_candidatura"),
        name: table.column(&["ente", "denominazione_ente"]),
        comune: table.column(&["comune"]),
        comune_istat: table.column(&["cod_comune", "codice_comune"]),
        provincia: table.column(&["provincia"]),
        provincia_istat: table.column(&["cod_provincia", "codice_provincia"]),
        region: table.column(&["regione"]),
        region_istat: table.column(&["cod_regione", "codice_regione"]),
        submitted: table.column(&["data_invio_candidatura"]),
        funded: table.column(&["data_finanziamento"]),
        window: table.column(&["numero_finestra_temporale"]),
        protocol: table.column(&["numero_di_protocollo"]),
        measure: table.column(&["misura"]),
        type_label: table.column(&["tipologia_ente"]),
        decree: table.column(&["decreto_finanziamento"]),
        state_changed: table.column(&["data_stato_candidatura"]),
    };
    Ok(table
        .rows
        .iter()
        .map(|(line, cells)| Row {
            line: *line,
            outcome: parse_row(&cols, cells),
        })
        .collect())
}

fn parse_row(cols: &Columns, cells: &[String]) -> RowOutcome<ApplicationRecord> {
    let get = |i: usize| cells.get(i).map(|s| s.trim()).unwrap_or_default();
    let opt = |i: Option<usize>| i.map(get).filter(|s| !s.is_empty());

    // Rows of other measures are left out, not reported as errors.
    let measure = opt(cols.measure);
    let in_scope = match measure {
        Some(m) => is_measure_1_2(m),
        None => is_measure_1_2(get(cols.call)),
    };
    if !in_scope {
        let what = measure.unwrap_or(get(cols.call));
        return RowOutcome::Skipped(format!("measure {what:?} is not 1.2"));
    }
    match build(cols, cells, measure) {
        Ok(record) => RowOutcome::Ok(record),
        Err(reason) => RowOutcome::Malformed(reason),
    }
}

fn build(
    cols: &Columns,
    cells: &[String],
    measure: Option<&str>,
) -> Result<ApplicationRecord, String> {
    let get = |i: usize| cells.get(i).map(|s| s.trim()).unwrap_or_default();
    let opt = |i: Option<usize>| i.map(get).filter(|s| !s.is_empty());
    let e = |err: nuvola_shared::ParseError| err.to_string();

    let region = match (opt(cols.region), opt(cols.region_istat)) {
        (Some(name), _) => Region::parse(name).map_err(e)?,
        (None, Some(code)) => Region::from_istat(code).map_err(e)?,
        (None, None) => return Err("regione is empty".to_owned()),
    };
    let submitted_at = opt(cols.submitted)
        .map(|s| {
            parse_timestamp(s)
                .ok_or_else(|| format!("data_invio_candidatura {s:?} is not a date and time"))
        })
        .transpose()?;
    Ok(ApplicationRecord {
        ipa_code: IpaCode::parse(get(cols.ipa)).map_err(e)?,
        name: opt(cols.name).map(str::to_owned),
        comune: opt(cols.comune).map(str::to_owned),
        comune_istat: opt(cols.comune_istat)
            .map(IstatCode::parse)
            .transpose()
            .map_err(e)?,
        provincia: opt(cols.provincia).map(str::to_owned),
        provincia_istat: opt(cols.provincia_istat)
            .map(IstatCode::parse)
            .transpose()
            .map_err(e)?,
        region,
        amount: Euros::parse(get(cols.amount)).map_err(e)?,
        call_title: nuvola_shared::CallTitle::parse(get(cols.call)).map_err(e)?,
        measure: measure.map(str::to_owned),
        submitted_at,
        funded_on: opt(cols.funded)
            .map(|s| parse_date("data_finanziamento", s))
            .transpose()?,
        cup: Cup::parse(get(cols.cup)).map_err(e)?,
        time_window: opt(cols.window)
            .map(|s| parse_whole_number("numero_finestra_temporale", s))
            .transpose()?,
        protocol_number: opt(cols.protocol)
            .map(|s| parse_whole_number("numero_di_protocollo", s))
            .transpose()?,
        state: OpenDataState::parse(get(cols.state)).map_err(e)?,
        type_label: opt(cols.type_label).map(str::to_owned),
        decree_ref: opt(cols.decree).map(str::to_owned),
        state_changed_on: opt(cols.state_changed)
            .map(|s| parse_date("data_stato_candidatura", s))
            .transpose()?,
    })
}

/// `2022-05-17T17:00:00.000+0000`, RFC 3339, or a plain date (midnight UTC).
fn parse_timestamp(s: &str) -> Option<DateTime<Utc>> {
    DateTime::parse_from_str(s, "%Y-%m-%dT%H:%M:%S%.f%z")
        .or_else(|_| DateTime::parse_from_rfc3339(s))
        .map(|d| d.with_timezone(&Utc))
        .ok()
        .or_else(|| {
            chrono::NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M:%S")
                .ok()
                .map(|n| n.and_utc())
        })
        .or_else(|| {
            NaiveDate::parse_from_str(s, "%Y-%m-%d")
                .ok()
                .and_then(|d| d.and_hms_opt(0, 0, 0))
                .map(|n| n.and_utc())
        })
}

#[cfg(test)]
mod tests {
    use super::super::{parse as parse_file, OpenDataFile};
    use super::*;

    const HEADER: &str = "codice_ipa,ente,comune,cod_comune,provincia,cod_provincia,regione,cod_regione,importo_finanziamento,avviso,data_invio_candidatura,data_finanziamento,codice_cup,numero_finestra_temporale,numero_di_protocollo,stato_candidatura,misura,tipologia_ente";
    const GENOVA: &str = "c_d969,Comune di Genova,Genova,010025,GE,010,Liguria,07,4566860.0,1.2 Abilitazione al cloud - Comuni - Aprile 2022,2022-05-17T17:00:00.000+0000,2022-08-08,B31C22000060007,1.0,28.0,A,1.2 Abilitazione e facilitazione migrazione al Cloud,Comune";

    fn rows(text: &str) -> Vec<Row<ApplicationRecord>> {
        match parse_file(text.as_bytes()).unwrap() {
            OpenDataFile::Applications(rows) => rows,
            other => panic!("not applications: {other:?}"),
        }
    }

    #[test]
    fn reads_a_row_of_the_published_file() {
        let rows = rows(&format!("{HEADER}\n{GENOVA}\n"));
        let RowOutcome::Ok(r) = &rows[0].outcome else {
            panic!("{rows:?}")
        };
        assert_eq!(rows[0].line, 2);
        assert_eq!(r.ipa_code.as_str(), "c_d969");
        assert_eq!(r.amount.value(), 4_566_860);
        assert_eq!(r.region.name(), "Liguria");
        assert_eq!(r.comune_istat.as_ref().unwrap().as_str(), "010025");
        assert_eq!(r.time_window, Some(1));
        assert_eq!(r.protocol_number, Some(28));
        assert_eq!(r.state, OpenDataState::Funded);
        assert_eq!(
            r.submitted_at.unwrap().to_rfc3339(),
            "2022-05-17T17:00:00+00:00"
        );
    }

    #[test]
    fn maps_columns_by_name_in_any_order_and_without_optional_ones() {
        let text = "\"stato_candidatura\",\"codice_cup\",\"avviso\",\"importo_finanziamento\",\"codice_ipa\",\"cod_regione\",\"decreto_finanziamento\"\n\"R\",\"B31C22000060007\",\"1.2 Abilitazione al cloud - Comuni - Aprile 2022\",\"47427.0\",\"C_C078\",\"07\",\"Decreto 28/2022\"\n";
        let rows = rows(text);
        let RowOutcome::Ok(r) = &rows[0].outcome else {
            panic!("{rows:?}")
        };
        assert_eq!(r.state, OpenDataState::Renounced);
        assert_eq!(r.region.name(), "Liguria");
        assert_eq!(r.ipa_code.as_str(), "C_C078");
        assert_eq!(r.decree_ref.as_deref(), Some("Decreto 28/2022"));
        assert_eq!(r.name, None);
    }

    #[test]
    fn skips_other_measures_and_reports_malformed_rows_with_their_reason() {
        let other = GENOVA.replace(
            "1.2 Abilitazione e facilitazione migrazione al Cloud",
            "1.4.1 Esperienza del cittadino nei servizi pubblici",
        );
        let bad_amount = GENOVA.replace("4566860.0", "quattro");
        let bad_cup = GENOVA.replace("B31C22000060007", "B31C2200");
        let rows = rows(&format!(
            "{HEADER}\n{other}\n{bad_amount}\n{bad_cup}\n{GENOVA}\n"
        ));
        assert!(matches!(&rows[0].outcome, RowOutcome::Skipped(r) if r.contains("1.4.1")));
        assert!(
            matches!(&rows[1].outcome, RowOutcome::Malformed(r) if r.contains("amount")),
            "{rows:?}"
        );
        assert!(matches!(&rows[2].outcome, RowOutcome::Malformed(r) if r.contains("CUP")));
        assert_eq!(rows[2].line, 4);
        assert!(matches!(&rows[3].outcome, RowOutcome::Ok(_)));
    }

    #[test]
    fn a_file_missing_required_columns_is_refused_whole() {
        let err = parse_file(b"codice_cup,avviso\nB31C22000060007,x\n").unwrap_err();
        let msg = err.to_string();
        assert!(
            msg.contains("codice_ipa") && msg.contains("importo_finanziamento"),
            "{msg}"
        );
    }

    #[test]
    fn a_file_of_something_else_is_refused_whole() {
        let err = parse_file(b"name,age\nalice,3\n").unwrap_err();
        assert!(
            err.to_string()
                .contains("not a PA digitale 2026 open-data file"),
            "{err}"
        );
    }
}
