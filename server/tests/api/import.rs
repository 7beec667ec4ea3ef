use crate::helpers::{both, TestDb, ALL_ROWS, APPLICATIONS_CSV, CALLS_CSV};

const HEADER: &str = "codice_ipa,ente,comune,cod_comune,provincia,cod_provincia,regione,cod_regione,importo_finanziamento,avviso,data_invio_candidatura,data_finanziamento,codice_cup,numero_finestra_temporale,numero_di_protocollo,stato_candidatura,misura,tipologia_ente";
const GENOVA: &str = "c_d969,Comune di Genova,Genova,010025,GE,010,Liguria,07,4566860.0,1.2 Abilitazione al cloud - Comuni - Aprile 2022,2022-05-17T17:00:00.000+0000,2022-08-08,B31C22000060007,1.0,28.0,A,1.2 Abilitazione e facilitazione migrazione al Cloud,Comune";
const SCHOOL: &str = "istsc_feis011004,ISTITUTO SUPERIORE - I.I.S. 'O.VERGANI',Ferrara,038008,FE,038,Emilia-Romagna,08,2212.0,1.2 Abilitazione al Cloud - Scuole - Aprile 2022,2022-06-22T09:38:17.000+0000,2022-09-05,G71C22000700006,2.0,31.0,A,1.2 Abilitazione e facilitazione migrazione al Cloud,Scuole";

both! {
    async fn importing_the_open_data_twice_changes_nothing_the_second_time(backend: Backend) {
        let t = TestDb::new(backend).await;
        let calls = t.import_path(CALLS_CSV).await;
        assert_eq!((calls.new, calls.skipped()), (14, 43), "avvisi.csv holds 14 calls of measure 1.2");
        let first = t.import_path(APPLICATIONS_CSV).await;
        assert_eq!((first.new, first.updated, first.unchanged, first.skipped()), (ALL_ROWS, 0, 0, 0));
        assert_eq!(t.count("application").await, ALL_ROWS as i64);
        // 564 bodies applied twice: fewer bodies than rows.
        assert_eq!(t.count("administration").await, 12_369);
        let second = t.import_path(APPLICATIONS_CSV).await;
        assert_eq!((second.new, second.updated, second.unchanged, second.skipped()), (0, 0, ALL_ROWS, 0));
        assert_eq!(
            second.summary(),
            format!("imported: 0 new, 0 updated, {ALL_ROWS} unchanged, 0 skipped")
        );
        assert_eq!(t.count("application").await, ALL_ROWS as i64);
        // One event per call created, one per import run, none per unchanged row.
        assert_eq!(t.count("event").await, 14 + 3);
    }
}

both! {
    async fn a_changed_row_is_updated_with_an_audit_event(backend: Backend) {
        let t = TestDb::new(backend).await;
        t.import_bytes("a.csv", format!("{HEADER}\n{GENOVA}\n").as_bytes()).await.unwrap();
        let renounced = GENOVA.replace(",A,1.2 Abil", ",R,1.2 Abil");
        let r = t.import_bytes("b.csv", format!("{HEADER}\n{renounced}\n").as_bytes()).await.unwrap();
        assert_eq!((r.new, r.updated, r.unchanged), (0, 1, 0));
        let state: String = {
            use sea_orm::EntityTrait;
            nuvola_server::entity::application::Entity::find().one(&t.db).await.unwrap().unwrap().state
        };
        assert_eq!(state, "RENOUNCED");
        let events = {
            use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
            nuvola_server::entity::event::Entity::find()
                .filter(nuvola_server::entity::event::Column::Action.eq("IMPORT_UPDATE"))
                .all(&t.db)
                .await
                .unwrap()
        };
        assert_eq!(events.len(), 1);
        assert!(events[0].before_json.as_deref().unwrap().contains("\"FUNDED\""));
        assert!(events[0].after_json.as_deref().unwrap().contains("\"RENOUNCED\""));
    }
}

both! {
    async fn malformed_rows_are_reported_with_their_line_and_the_valid_rows_are_imported(backend: Backend) {
        let t = TestDb::new(backend).await;
        let bad_amount = GENOVA.replace("4566860.0", "-5").replace("B31C22000060007", "B31C22000060008");
        let bad_region = GENOVA.replace("Liguria", "Atlantide").replace("B31C22000060007", "B31C22000060009");
        let other_measure = GENOVA
            .replace("1.2 Abilitazione e facilitazione migrazione al Cloud", "1.4.1 Esperienza del cittadino")
            .replace("B31C22000060007", "B31C22000060010");
        let text = format!("{HEADER}\n{GENOVA}\n{bad_amount}\n{bad_region}\n{other_measure}\n{GENOVA}\n{SCHOOL}\n");
        let r = t.import_bytes("mixed.csv", text.as_bytes()).await.unwrap();
        assert_eq!((r.new, r.skipped()), (2, 4));
        let lines: Vec<(usize, &str)> = r.malformed.iter().map(|p| (p.line, p.reason.as_str())).collect();
        assert_eq!(lines.len(), 3, "{lines:?}");
        assert_eq!(lines[0].0, 3);
        assert!(lines[0].1.contains("amount"), "{lines:?}");
        assert_eq!(lines[1].0, 4);
        assert!(lines[1].1.contains("region"), "{lines:?}");
        assert_eq!(lines[2], (6, "duplicate of line 2 (same CUP and call)"));
        assert_eq!(r.out_of_scope.values().sum::<usize>(), 1);
        assert_eq!(t.count("application").await, 2);
    }
}

both! {
    async fn a_file_that_is_not_open_data_is_refused_whole_and_writes_nothing(backend: Backend) {
        let t = TestDb::new(backend).await;
        let err = t.import_bytes("people.csv", b"name,email\nAda,ada@example.org\n").await.unwrap_err();
        assert!(err.to_string().contains("not a PA digitale 2026 open-data file"), "{err}");
        let err = t
            .import_bytes("partial.csv", b"codice_cup,avviso,codice_ipa\nB31C22000060007,x,c_d969\n")
            .await
            .unwrap_err();
        assert!(err.to_string().contains("importo_finanziamento"), "{err}");
        let err = t.import_bytes("broken.json", b"[{\"codice_cup\": ").await.unwrap_err();
        assert!(err.to_string().contains("not valid JSON"), "{err}");
        assert_eq!(t.count("application").await, 0);
        assert_eq!(t.count("administration").await, 0);
        assert_eq!(t.count("call").await, 0);
        assert_eq!(t.count("event").await, 0);
    }
}

both! {
    async fn json_and_reordered_quoted_variants_import_the_same_application(backend: Backend) {
        let t = TestDb::new(backend).await;
        let json = r#"{"data": [{"codice_cup": "B31C22000060007", "avviso": "1.2 Abilitazione al cloud - Comuni - Aprile 2022",
            "codice_ipa": "C_D969", "importo_finanziamento": 4566860.0, "stato_candidatura": "A", "regione": "Liguria",
            "decreto_finanziamento": "Decreto n. 28 - 1/2022", "numero_finestra_temporale": 1}]}"#;
        let r = t.import_bytes("a.json", json.as_bytes()).await.unwrap();
        assert_eq!(r.new, 1);
        // The same application in the CSV variant: matched by (CUP, call), body matched ignoring case.
        let r = t.import_bytes("a.csv", format!("{HEADER}\n{GENOVA}\n").as_bytes()).await.unwrap();
        assert_eq!((r.new, r.updated), (0, 1));
        assert_eq!(t.count("administration").await, 1);
    }
}

both! {
    async fn a_school_gets_one_planned_service_per_553_euros(backend: Backend) {
        let t = TestDb::new(backend).await;
        t.import_bytes("s.csv", format!("{HEADER}\n{SCHOOL}\n{GENOVA}\n").as_bytes()).await.unwrap();
        // 2212 / 553 = 4 services for the school, none for the comune (its plan is its own).
        assert_eq!(t.count("planned_service").await, 4);
        // Importing again adds none.
        t.import_bytes("s.csv", format!("{HEADER}\n{SCHOOL}\n").as_bytes()).await.unwrap();
        assert_eq!(t.count("planned_service").await, 4);
    }
}

both! {
    async fn an_import_interrupted_halfway_leaves_nothing(backend: Backend) {
        let t = TestDb::new(backend).await;
        let bytes = std::fs::read(APPLICATIONS_CSV).unwrap();
        let db = t.db.clone();
        let task = tokio::spawn(async move {
            nuvola_server::service::import::import_file(
                &db,
                "candidature_12.csv",
                &bytes,
                &nuvola_server::audit::Actor::system("test"),
                &indicatif::ProgressBar::hidden(),
            )
            .await
        });
        // Let it write some rows, then kill it as a signal would.
        tokio::time::sleep(std::time::Duration::from_millis(400)).await;
        task.abort();
        let _ = task.await;
        tokio::time::sleep(std::time::Duration::from_millis(200)).await;
        let n = t.count("application").await;
        assert!(n == 0 || n == ALL_ROWS as i64, "a partial import was left behind: {n} rows");
        assert_eq!(t.count("administration").await == 0, n == 0);
        // And the next run imports everything.
        let r = t.import_path(APPLICATIONS_CSV).await;
        assert_eq!(r.new + r.unchanged, ALL_ROWS);
    }
}
