//! The funded applications file (`candidature_*.csv`) in any of its published variants.

use chrono::{DateTime, NaiveDate, Utc};
use nuvola_shared::call::decide_measure;
use nuvola_shared::{Cup, Euros, IpaCode, IstatCode, OpenDataState, Region};

use super::{
    parse_amount, parse_date, parse_whole_number, CallCatalogue, FieldWarning, FileError, Row,
    RowOutcome, Table,
};

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

/// The columns without which a file cannot be read as funded applications. Every other
/// column came and went over the publisher's history (`stato_candidatura` and `cod_*` in
/// November 2022, `ente` in January 2023, `decreto_finanziamento` in April 2023,
/// `tipologia_ente` and `data_stato_candidatura` in May 2023; `misura` is absent from
/// some files).
const REQUIRED: [&str; 4] = [
    "codice_ipa",
    "codice_cup",
    "avviso",
    "importo_finanziamento",
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
    /// The measure the application was found to belong to (see
    /// [`nuvola_shared::call::decide_measure`]).
    pub measure: Option<String>,
    pub submitted_at: Option<DateTime<Utc>>,
    pub funded_on: Option<NaiveDate>,
    pub cup: Cup,
    pub time_window: Option<i32>,
    pub protocol_number: Option<i32>,
    /// The published state; `A` for a file without `stato_candidatura` (the first
    /// files list funded applications only).
    pub state: OpenDataState,
    pub type_label: Option<String>,
    pub decree_ref: Option<String>,
    pub state_changed_on: Option<NaiveDate>,
    /// What in the row breaks the official structure or could not be read, kept as
    /// published or left empty: data-quality warnings, not reasons to lose the row.
    pub warnings: Vec<FieldWarning>,
}

pub(super) fn matches(table: &Table) -> bool {
    table.column(&["codice_cup"]).is_some() && table.column(&["avviso"]).is_some()
}

struct Columns {
    ipa: usize,
    cup: usize,
    call: usize,
    amount: usize,
    state: Option<usize>,
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

pub(super) fn parse(
    table: &Table,
    catalogue: &CallCatalogue,
) -> Result<Vec<Row<ApplicationRecord>>, FileError> {
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
        state: table.column(&["stato_candidatura", "stato"]),
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
            outcome: parse_row(&cols, cells, catalogue),
        })
        .collect())
}

fn parse_row(
    cols: &Columns,
    cells: &[String],
    catalogue: &CallCatalogue,
) -> RowOutcome<ApplicationRecord> {
    let get = |i: usize| cells.get(i).map(|s| s.trim()).unwrap_or_default();
    let opt = |i: Option<usize>| i.map(get).filter(|s| !s.is_empty());

    // What cannot be keyed at all is the only thing skipped for its identifiers.
    let title = get(cols.call);
    if title.is_empty() {
        return RowOutcome::Malformed("avviso is empty: the row names no call".to_owned());
    }
    if get(cols.cup).is_empty() {
        return RowOutcome::Malformed("codice_cup is empty: the row cannot be keyed".to_owned());
    }
    // Rows of other measures are left out, not reported as errors. The call decides.
    let verdict = decide_measure(title, catalogue.measure_of(title), opt(cols.measure));
    if !verdict.measure_1_2 {
        return RowOutcome::Skipped(verdict.skip_reason());
    }
    match build(cols, cells, verdict.measure) {
        Ok(record) => RowOutcome::Ok(record),
        Err(reason) => RowOutcome::Malformed(reason),
    }
}

fn build(cols: &Columns, cells: &[String], measure: String) -> Result<ApplicationRecord, String> {
    let get = |i: usize| cells.get(i).map(|s| s.trim()).unwrap_or_default();
    let opt = |i: Option<usize>| i.map(get).filter(|s| !s.is_empty());
    let e = |err: nuvola_shared::ParseError| err.to_string();
    let mut w = Warnings::default();

    let cup = Cup::parse(get(cols.cup)).map_err(e)?;
    if let Some(problem) = cup.structure_problem() {
        w.add(
            "codice_cup",
            get(cols.cup),
            format!("{problem}; imported as published"),
        );
    }
    let region = match (opt(cols.region), opt(cols.region_istat)) {
        (Some(name), code) => match (Region::parse(name), code.map(Region::from_istat)) {
            (Ok(r), _) => r,
            (Err(_), Some(Ok(r))) => {
                w.add(
                    "regione",
                    name,
                    format!(
                        "is not a region's name; {} taken from cod_regione",
                        r.name()
                    ),
                );
                r
            }
            (Err(err), _) => return Err(e(err)),
        },
        (None, Some(code)) => Region::from_istat(code).map_err(e)?,
        (None, None) => return Err("regione is empty".to_owned()),
    };
    let amount_text = get(cols.amount);
    let (amount, rounded) = parse_amount(amount_text)?;
    if rounded {
        // Cents where the publisher writes whole euros: rounded, and said.
        w.add(
            "importo_finanziamento",
            amount_text,
            format!("has cents; counted as EUR {}", amount.value()),
        );
    }
    let state = match opt(cols.state) {
        Some(s) => OpenDataState::parse(s).map_err(e)?,
        // A file (or a row) without a state lists funded applications.
        None => OpenDataState::Funded,
    };
    let istat = |s: &str| IstatCode::parse(s).map_err(e);
    Ok(ApplicationRecord {
        ipa_code: IpaCode::parse(get(cols.ipa)).map_err(e)?,
        call_title: nuvola_shared::CallTitle::parse(get(cols.call)).map_err(e)?,
        name: opt(cols.name).map(str::to_owned),
        comune: opt(cols.comune).map(str::to_owned),
        comune_istat: w.lenient("cod_comune", opt(cols.comune_istat), istat),
        provincia: opt(cols.provincia).map(str::to_owned),
        provincia_istat: w.lenient("cod_provincia", opt(cols.provincia_istat), istat),
        region,
        amount,
        measure: Some(measure),
        submitted_at: w.lenient("data_invio_candidatura", opt(cols.submitted), |s| {
            parse_timestamp(s).ok_or_else(|| format!("{s:?} is not a date and time"))
        }),
        funded_on: w.lenient("data_finanziamento", opt(cols.funded), |s| {
            parse_date("data_finanziamento", s)
        }),
        cup,
        time_window: w.lenient("numero_finestra_temporale", opt(cols.window), |s| {
            parse_whole_number("numero_finestra_temporale", s)
        }),
        protocol_number: w.lenient("numero_di_protocollo", opt(cols.protocol), |s| {
            parse_whole_number("numero_di_protocollo", s)
        }),
        state,
        type_label: opt(cols.type_label).map(str::to_owned),
        decree_ref: opt(cols.decree).map(str::to_owned),
        state_changed_on: w.lenient("data_stato_candidatura", opt(cols.state_changed), |s| {
            parse_date("data_stato_candidatura", s)
        }),
        warnings: w.0,
    })
}

/// The data-quality warnings of one row, as they are found.
#[derive(Default)]
struct Warnings(Vec<FieldWarning>);

impl Warnings {
    fn add(&mut self, field: &'static str, value: &str, reason: String) {
        self.0.push(FieldWarning {
            field,
            value: value.to_owned(),
            reason,
        });
    }

    /// An optional value: read, or left empty and reported when it cannot be read (the
    /// row is kept either way).
    fn lenient<T>(
        &mut self,
        field: &'static str,
        value: Option<&str>,
        parse: impl FnOnce(&str) -> Result<T, String>,
    ) -> Option<T> {
        let v = value?;
        match parse(v) {
            Ok(t) => Some(t),
            Err(reason) => {
                self.add(field, v, format!("{reason}; left empty"));
                None
            }
        }
    }
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
        match parse_file(text.as_bytes(), &CallCatalogue::bundled()).unwrap() {
            OpenDataFile::Applications(rows) => rows,
            other => panic!("not applications: {other:?}"),
        }
    }

    fn ok(row: &Row<ApplicationRecord>) -> &ApplicationRecord {
        match &row.outcome {
            RowOutcome::Ok(r) => r,
            other => panic!("line {}: {other:?}", row.line),
        }
    }

    #[test]
    fn reads_a_row_of_the_published_file() {
        let rows = rows(&format!("{HEADER}\n{GENOVA}\n"));
        let r = ok(&rows[0]);
        assert_eq!(rows[0].line, 2);
        assert_eq!(r.ipa_code.as_str(), "c_d969");
        assert_eq!(r.amount.value(), 4_566_860);
        assert_eq!(r.region.name(), "Liguria");
        assert_eq!(r.comune_istat.as_ref().unwrap().as_str(), "010025");
        assert_eq!(r.time_window, Some(1));
        assert_eq!(r.protocol_number, Some(28));
        assert_eq!(r.state, OpenDataState::Funded);
        assert!(r.warnings.is_empty());
        assert_eq!(
            r.submitted_at.unwrap().to_rfc3339(),
            "2022-05-17T17:00:00+00:00"
        );
    }

    #[test]
    fn maps_columns_by_name_in_any_order_and_without_optional_ones() {
        let text = "\"stato_candidatura\",\"codice_cup\",\"avviso\",\"importo_finanziamento\",\"codice_ipa\",\"cod_regione\",\"decreto_finanziamento\"\n\"R\",\"B31C22000060007\",\"1.2 Abilitazione al cloud - Comuni - Aprile 2022\",\"47427.0\",\"C_C078\",\"07\",\"Decreto 28/2022\"\n";
        let rows = rows(text);
        let r = ok(&rows[0]);
        assert_eq!(r.state, OpenDataState::Renounced);
        assert_eq!(r.region.name(), "Liguria");
        assert_eq!(r.ipa_code.as_str(), "C_C078");
        assert_eq!(r.decree_ref.as_deref(), Some("Decreto 28/2022"));
        assert_eq!(r.name, None);
    }

    #[test]
    fn the_first_files_without_state_ente_or_codes_list_funded_applications() {
        // Autumn 2022: no stato_candidatura, no cod_*, no ente, no tipologia_ente,
        // no decreto_finanziamento, no data_stato_candidatura.
        let text = "codice_ipa,comune,provincia,regione,importo_finanziamento,avviso,data_invio_candidatura,data_finanziamento,codice_cup,numero_finestra_temporale,numero_di_protocollo\n\
c_d969,Genova,GE,Liguria,4566860.0,1.2 Abilitazione al cloud - Comuni - Aprile 2022,2022-05-17T17:00:00.000+0000,2022-08-08,B31C22000060007,1.0,28.0\n";
        let rows = rows(text);
        let r = ok(&rows[0]);
        assert_eq!(r.state, OpenDataState::Funded);
        assert_eq!((r.name.as_deref(), r.comune_istat.as_ref()), (None, None));
        assert_eq!(r.type_label, None);
        assert_eq!(
            r.measure.as_deref(),
            Some("1.2 Abilitazione e facilitazione migrazione al Cloud")
        );
    }

    #[test]
    fn numbers_are_read_as_floats_whole_numbers_or_quoted_strings() {
        for (window, amount) in [("1.0", "47427.0"), ("\"1\"", "\"47427\""), ("1", "47427")] {
            let row = GENOVA
                .replace(",1.0,28.0,", &format!(",{window},28,"))
                .replace("4566860.0", amount);
            let rows = rows(&format!("{HEADER}\n{row}\n"));
            let r = ok(&rows[0]);
            assert_eq!(
                (r.time_window, r.protocol_number),
                (Some(1), Some(28)),
                "{row}"
            );
            assert_eq!(r.amount.value(), 47_427);
        }
    }

    #[test]
    fn names_with_doubled_quotes_are_read_as_published() {
        // Quoted, with doubled quotes inside (CSV's own escape), as candidature_12.csv
        // writes `"ISTITUTO PROFESSIONALE N. MOCCIA"""""` on line 10236 ...
        let quoted = GENOVA.replace("Comune di Genova", "\"ISTITUTO \"\"O. VERGANI\"\"\"");
        let read = rows(&format!("{HEADER}\n{quoted}\n"));
        assert_eq!(
            ok(&read[0]).name.as_deref(),
            Some("ISTITUTO \"O. VERGANI\"")
        );
        let moccia = GENOVA.replace(
            "Comune di Genova",
            "\"ISTITUTO PROFESSIONALE N. MOCCIA\"\"\"\"\"",
        );
        let read = rows(&format!("{HEADER}\n{moccia}\n"));
        assert_eq!(
            ok(&read[0]).name.as_deref(),
            Some("ISTITUTO PROFESSIONALE N. MOCCIA\"\"")
        );
        // ... and unquoted with the quotes doubled anyway: kept exactly as published.
        let bare = GENOVA.replace("Comune di Genova", "ISTITUTO \"\"O. VERGANI\"\"");
        let read = rows(&format!("{HEADER}\n{bare}\n"));
        assert_eq!(
            ok(&read[0]).name.as_deref(),
            Some("ISTITUTO \"\"O. VERGANI\"\"")
        );
    }

    #[test]
    fn a_cup_that_breaks_the_structure_is_kept_with_a_warning() {
        for cup in [
            "E41C22OO1540006",
            "B31C220000600071",
            "281C22000980006",
            "b31c22000060007",
        ] {
            let rows = rows(&format!(
                "{HEADER}\n{}\n",
                GENOVA.replace("B31C22000060007", cup)
            ));
            let r = ok(&rows[0]);
            assert_eq!(r.cup.as_str(), cup.to_uppercase());
            if cup.starts_with('b') {
                // Lower case is the same project, not a problem of structure.
                assert!(r.warnings.is_empty());
            } else {
                assert_eq!(r.warnings.len(), 1, "{cup}");
                assert_eq!(r.warnings[0].field, "codice_cup");
                assert!(r.warnings[0].reason.contains("imported as published"));
            }
        }
    }

    #[test]
    fn optional_values_that_cannot_be_read_are_left_empty_with_a_warning() {
        let row = GENOVA
            .replace("2022-08-08", "8 agosto")
            .replace(",1.0,28.0,", ",uno,28.0,");
        let rows = rows(&format!("{HEADER}\n{row}\n"));
        let r = ok(&rows[0]);
        assert_eq!((r.funded_on, r.time_window), (None, None));
        let fields: Vec<&str> = r.warnings.iter().map(|w| w.field).collect();
        assert_eq!(fields, ["data_finanziamento", "numero_finestra_temporale"]);
    }

    #[test]
    fn the_measure_comes_from_the_call_not_from_the_title() {
        let joint = GENOVA
            .replace(
                "1.2 Abilitazione al cloud - Comuni - Aprile 2022",
                "1.1 e 1.2 'Infrastrutture digitali e abilitazione al cloud' - ASL/AO -marzo 2023 (quota 1.2)",
            )
            .replace(",1.2 Abilitazione e facilitazione migrazione al Cloud,", ",,");
        let share = GENOVA
            .replace(
                "1.2 Abilitazione al cloud - Comuni - Aprile 2022",
                "1.1 Infrastrutture digitali - ASL/AO - giugno 2025 (quota 1.2)",
            )
            .replace(
                "1.2 Abilitazione e facilitazione migrazione al Cloud",
                "1.1 Infrastrutture digitali",
            );
        let other_share = GENOVA.replace(
            "1.2 Abilitazione al cloud - Comuni - Aprile 2022",
            "1.1 e 1.2 'Infrastrutture digitali e abilitazione al cloud' - ASL/AO -marzo 2023 (quota 1.1)",
        );
        let listed_11 = GENOVA.replace(
            "1.2 Abilitazione al cloud - Comuni - Aprile 2022",
            "1.1 Infrastrutture digitali - ASL/AO - giugno 2025",
        );
        let rows = rows(&format!(
            "{HEADER}\n{joint}\n{share}\n{other_share}\n{listed_11}\n"
        ));
        assert!(ok(&rows[0]).measure.as_deref() == Some("1.2"));
        assert!(ok(&rows[1]).measure.as_deref() == Some("1.2"));
        assert!(matches!(&rows[2].outcome, RowOutcome::Skipped(r) if r.contains("1.1")));
        assert!(matches!(&rows[3].outcome, RowOutcome::Skipped(r) if r.contains("calls file")));
    }

    #[test]
    fn skips_other_measures_and_reports_unreadable_rows_with_their_reason() {
        let other = GENOVA
            .replace(
                "1.2 Abilitazione e facilitazione migrazione al Cloud",
                "1.4.1 Esperienza del cittadino nei servizi pubblici",
            )
            .replace(
                "1.2 Abilitazione al cloud - Comuni - Aprile 2022",
                "Avviso sconosciuto",
            );
        let bad_amount = GENOVA.replace("4566860.0", "quattro");
        let no_cup = GENOVA.replace("B31C22000060007", "");
        let rows = rows(&format!(
            "{HEADER}\n{other}\n{bad_amount}\n{no_cup}\n{GENOVA}\n"
        ));
        assert!(matches!(&rows[0].outcome, RowOutcome::Skipped(r) if r.contains("1.4.1")));
        assert!(
            matches!(&rows[1].outcome, RowOutcome::Malformed(r) if r.contains("amount")),
            "{rows:?}"
        );
        assert!(
            matches!(&rows[2].outcome, RowOutcome::Malformed(r) if r.contains("cannot be keyed"))
        );
        assert_eq!(rows[2].line, 4);
        assert!(matches!(&rows[3].outcome, RowOutcome::Ok(_)));
    }

    #[test]
    fn a_header_only_file_has_no_rows() {
        let parsed =
            parse_file(format!("{HEADER}\n").as_bytes(), &CallCatalogue::bundled()).unwrap();
        assert_eq!(parsed, OpenDataFile::NoRows);
        assert_eq!(
            parse_file(b"[]", &CallCatalogue::bundled()).unwrap(),
            OpenDataFile::NoRows
        );
    }

    #[test]
    fn a_file_missing_required_columns_is_refused_whole() {
        let err = parse_file(
            b"codice_cup,avviso\nB31C22000060007,x\n",
            &CallCatalogue::default(),
        )
        .unwrap_err();
        let msg = err.to_string();
        assert!(
            msg.contains("codice_ipa") && msg.contains("importo_finanziamento"),
            "{msg}"
        );
    }

    #[test]
    fn a_file_of_something_else_is_refused_whole() {
        let err = parse_file(b"name,age\nalice,3\n", &CallCatalogue::default()).unwrap_err();
        assert!(
            err.to_string()
                .contains("not a PA digitale 2026 open-data file"),
            "{err}"
        );
    }
}
