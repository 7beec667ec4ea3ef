use serde_json::json;

use crate::helpers::{add_account, both, TestApp, TestDb, ALL_ROWS, APPLICATIONS_CSV, CALLS_CSV};

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
    async fn unreadable_rows_are_reported_with_their_line_and_every_other_row_is_kept(backend: Backend) {
        let t = TestDb::new(backend).await;
        let bad_amount = GENOVA.replace("4566860.0", "-5").replace("B31C22000060007", "B31C22000060008");
        // A region name nobody knows, but cod_regione says Liguria: kept, with a warning.
        let bad_region = GENOVA.replace("Liguria", "Atlantide").replace("B31C22000060007", "B31C22000060009");
        let other_measure = GENOVA
            .replace("1.2 Abilitazione e facilitazione migrazione al Cloud", "1.4.1 Esperienza del cittadino")
            .replace("1.2 Abilitazione al cloud - Comuni - Aprile 2022", "1.4.1 Esperienza del Cittadino - Comuni - Aprile 2022")
            .replace("B31C22000060007", "B31C22000060010");
        let no_cup = GENOVA.replace("B31C22000060007", "");
        let newer_genova = GENOVA.replace("4566860.0", "4566861.0");
        let text = format!("{HEADER}\n{GENOVA}\n{bad_amount}\n{bad_region}\n{other_measure}\n{no_cup}\n{newer_genova}\n{SCHOOL}\n");
        let r = t.import_bytes("mixed.csv", text.as_bytes()).await.unwrap();
        assert_eq!(r.new, 3, "{r:?}");
        let lines: Vec<(usize, &str)> = r.malformed.iter().map(|p| (p.line, p.reason.as_str())).collect();
        assert_eq!(lines.len(), 2, "{lines:?}");
        assert_eq!(lines[0].0, 3);
        assert!(lines[0].1.contains("amount"), "{lines:?}");
        assert_eq!(lines[1].0, 6);
        assert!(lines[1].1.contains("cannot be keyed"), "{lines:?}");
        // The repeated key: the later row wins, and the report names both lines.
        assert_eq!(r.superseded.len(), 1);
        assert_eq!((r.superseded[0].line, r.superseded[0].by_line), (2, 7));
        assert!(r.details().iter().any(|l| l.contains(":2: replaced by line 7")), "{:?}", r.details());
        assert_eq!(r.warnings.len(), 1);
        assert_eq!((r.warnings[0].line, r.warnings[0].field.as_str()), (4, "regione"));
        assert_eq!(r.out_of_scope.values().sum::<usize>(), 1);
        assert_eq!(r.skipped(), 4);
        assert_eq!(t.count("application").await, 3);
        assert_eq!(t.count_where("application", "amount_eur = 4566861").await, 1);
    }
}

/// The 1.2 rows of a 2026 "altri enti" snapshot, as the publisher writes them: the
/// joint call's 1.2 share (listed under 1.2 in avvisi.csv), the 1.2 share of a 1.1 call
/// that avvisi.csv lists once, under 1.1, without the suffix (amount 0.0), and the 1.1
/// share of the joint call, which is not 1.2.
const JOINT_HEADER: &str =
    "codice_ipa,ente,regione,importo_finanziamento,avviso,codice_cup,stato_candidatura,misura";
const JOINT_ROWS: &str = "asl_rm1,ASL Roma 1,Lazio,1250000.0,1.1 e 1.2 'Infrastrutture digitali e abilitazione al cloud' - ASL/AO -marzo 2023 (quota 1.2),J81C23000120006,A,1.2 Abilitazione e facilitazione migrazione al Cloud
asl_rm1,ASL Roma 1,Lazio,0.0,1.1 Infrastrutture digitali - ASL/AO - giugno 2025 (quota 1.2),J81C25000330006,A,1.1 Infrastrutture digitali
asl_rm1,ASL Roma 1,Lazio,980000.0,1.1 e 1.2 'Infrastrutture digitali e abilitazione al cloud' - ASL/AO -marzo 2023 (quota 1.1),J81C23000120006,A,1.1 Infrastrutture digitali
asl_rm1,ASL Roma 1,Lazio,770000.0,1.1 Infrastrutture digitali - ASL/AO - giugno 2025,J81C25000330006,A,1.1 Infrastrutture digitali";

both! {
    async fn the_measure_comes_from_the_calls_file_and_joint_calls_keep_their_1_2_share(backend: Backend) {
        let t = TestDb::new(backend).await;
        // The calls file first, then the applications, as the publisher ships them.
        t.import_path(CALLS_CSV).await;
        assert_eq!(t.count("published_call").await, 57, "every call is remembered, whatever its measure");
        let r = t.import_bytes("altri_enti.csv", format!("{JOINT_HEADER}\n{JOINT_ROWS}\n").as_bytes()).await.unwrap();
        assert_eq!((r.new, r.skipped()), (2, 2), "{r:?}");
        assert!(r.out_of_scope.keys().all(|k| k.contains("1.1")), "{:?}", r.out_of_scope);
        assert_eq!(t.count_where("application", "cup = 'J81C23000120006' AND amount_eur = 1250000").await, 1);
        assert_eq!(t.count_where("application", "cup = 'J81C25000330006' AND amount_eur = 0").await, 1);
        assert_eq!(t.count_where("call", "title LIKE '%(quota 1.2)'").await, 2);
        assert_eq!(t.count_where("call", "title LIKE '%(quota 1.1)'").await, 0);
    }
}

both! {
    async fn a_calls_file_imported_later_decides_the_measure_of_an_unknown_call(backend: Backend) {
        let t = TestDb::new(backend).await;
        // A call the bundled avvisi.csv does not know, whose title says nothing of 1.2.
        let calls = "titolo,misura\n\"Cloud per le Province - 2027\",\"1.2 Abilitazione e facilitazione migrazione al Cloud\"\n";
        let row = "p_mi,Lombardia,100000.0,Cloud per le Province - 2027,J41C27000010006";
        let apps = format!("codice_ipa,regione,importo_finanziamento,avviso,codice_cup\n{row}\n");
        let r = t.import_bytes("before.csv", apps.as_bytes()).await.unwrap();
        assert_eq!((r.new, r.skipped()), (0, 1), "known nowhere, the title decides: not 1.2");
        t.import_bytes("avvisi_2027.csv", calls.as_bytes()).await.unwrap();
        let r = t.import_bytes("after.csv", apps.as_bytes()).await.unwrap();
        assert_eq!((r.new, r.skipped()), (1, 0), "{r:?}");
    }
}

both! {
    async fn the_first_published_variant_without_state_or_codes_imports_funded_applications(backend: Backend) {
        let t = TestDb::new(backend).await;
        // Autumn 2022: no stato_candidatura, no cod_*, no ente, no tipologia_ente; numbers
        // quoted; JSON with the same keys.
        let csv = "\"codice_ipa\",\"comune\",\"regione\",\"importo_finanziamento\",\"avviso\",\"codice_cup\",\"numero_finestra_temporale\"\n\
\"c_d969\",\"Genova\",\"Liguria\",\"4566860\",\"1.2 Abilitazione al cloud - Comuni - Aprile 2022\",\"b31c22000060007\",\"1\"\n";
        let r = t.import_bytes("candidature_finanziate_2022-10.csv", csv.as_bytes()).await.unwrap();
        assert_eq!((r.new, r.skipped()), (1, 0), "{r:?}");
        let json = r#"[{"codice_ipa": "istsc_feis011004", "regione": "Emilia-Romagna", "importo_finanziamento": "2212.0",
            "avviso": "1.2 Abilitazione al Cloud - Scuole - Aprile 2022", "codice_cup": "G71C22000700006", "numero_di_protocollo": 31.0}]"#;
        let r = t.import_bytes("candidature_finanziate_2022-10.json", json.as_bytes()).await.unwrap();
        assert_eq!((r.new, r.skipped()), (1, 0), "{r:?}");
        assert_eq!(t.count_where("application", "state = 'FUNDED'").await, 2);
        // The later variant with the state: the same project (the CUP written in lower
        // case before), now renounced.
        let renounced = GENOVA.replace(",A,1.2 Abil", ",R,1.2 Abil");
        let r = t.import_bytes("later.csv", format!("{HEADER}\n{renounced}\n").as_bytes()).await.unwrap();
        assert_eq!((r.new, r.updated), (0, 1));
        assert_eq!(t.count("application").await, 2);
        assert_eq!(t.count_where("application", "state = 'RENOUNCED' AND cup = 'B31C22000060007'").await, 1);
    }
}

both! {
    async fn a_cup_that_breaks_the_structure_is_imported_as_published_and_flagged(backend: Backend) {
        let t = TestDb::new(backend).await;
        let sixteen = GENOVA.replace("B31C22000060007", "B31C220000600071");
        let letter_o = SCHOOL.replace("G71C22000700006", "G71C22OO0700006");
        let r = t.import_bytes("quality.csv", format!("{HEADER}\n{sixteen}\n{letter_o}\n").as_bytes()).await.unwrap();
        assert_eq!((r.new, r.skipped()), (2, 0));
        let flagged: Vec<(usize, &str)> = r.warnings.iter().map(|w| (w.line, w.field.as_str())).collect();
        assert_eq!(flagged, [(2, "codice_cup"), (3, "codice_cup")]);
        assert!(r.warnings[0].reason.contains("16 characters"), "{:?}", r.warnings);
        assert!(r.warnings[1].reason.contains("letter O"), "{:?}", r.warnings);
        assert_eq!(t.count_where("application", "cup = 'B31C220000600071' AND data_quality LIKE '%16 characters%'").await, 1);
        // Imported again: unchanged, still flagged, no new event.
        let events = t.count("event").await;
        let r = t.import_bytes("quality.csv", format!("{HEADER}\n{sixteen}\n{letter_o}\n").as_bytes()).await.unwrap();
        assert_eq!((r.new, r.unchanged, r.warnings.len()), (0, 2, 2));
        assert_eq!(t.count("event").await, events + 1, "only the import's own event");
    }
}

both! {
    async fn a_header_only_snapshot_imports_nothing_says_so_and_deletes_nothing(backend: Backend) {
        let t = TestDb::new(backend).await;
        t.import_bytes("a.csv", format!("{HEADER}\n{GENOVA}\n").as_bytes()).await.unwrap();
        let r = t.import_bytes("empty.csv", format!("{HEADER}\n").as_bytes()).await.unwrap();
        assert!(r.no_rows);
        assert_eq!((r.new, r.updated, r.unchanged, r.skipped()), (0, 0, 0, 0));
        assert!(r.details()[0].contains("no rows: nothing imported, nothing deleted"), "{:?}", r.details());
        let r = t.import_bytes("empty.json", b"[]").await.unwrap();
        assert!(r.no_rows);
        assert_eq!(t.count("application").await, 1);
    }
}

both! {
    async fn a_newer_snapshot_leaves_exactly_the_newer_picture_and_keeps_older_keys(backend: Backend) {
        let t = TestDb::new(backend).await;
        let comune = |cup: &str, amount: &str, state: &str| {
            GENOVA
                .replace("B31C22000060007", cup)
                .replace("4566860.0", amount)
                .replace(",A,1.2 Abil", &format!(",{state},1.2 Abil"))
        };
        let older = [
            comune("b31c22000060007", "4566860.0", "A"),
            comune("E91C22000180006", "47427.0", "A"),
            comune("F11C22000200006", "100000.0", "A"),
            comune("F11C22000300006", "55000.0", "A"),
        ]
        .join("\n");
        let r = t.import_bytes("2023-01.csv", format!("{HEADER}\n{older}\n").as_bytes()).await.unwrap();
        assert_eq!(r.new, 4);
        // The newer snapshot: A→R, A→E, an amount changed, a CUP now upper case, and one
        // key of the older file absent.
        let newer = [
            comune("B31C22000060007", "4566860.0", "R"),
            comune("E91C22000180006", "47427.0", "E"),
            comune("F11C22000200006", "99000.0", "A"),
        ]
        .join("\n");
        let r = t.import_bytes("2026-08.csv", format!("{HEADER}\n{newer}\n").as_bytes()).await.unwrap();
        assert_eq!((r.new, r.updated, r.unchanged), (0, 3, 0), "{r:?}");
        assert_eq!(r.samples.len(), 3);
        let amount = r.samples.iter().find(|s| s.cup == "F11C22000200006").unwrap();
        assert_eq!(amount.changes.len(), 1);
        assert_eq!(amount.changes[0].field, "amountEur");
        assert_eq!((amount.changes[0].before.clone(), amount.changes[0].after.clone()), (json!(100000), json!(99000)));
        assert_eq!(t.count("application").await, 4, "the key only the older had is kept");
        assert_eq!(t.count_where("application", "cup = 'B31C22000060007' AND state = 'RENOUNCED'").await, 1);
        assert_eq!(t.count_where("application", "cup = 'E91C22000180006' AND state = 'PAID'").await, 1);
        assert_eq!(t.count_where("application", "cup = 'F11C22000300006' AND state = 'FUNDED'").await, 1);

        // The history shows each change as an import event with the old and new values.
        add_account(&t.db, nuvola_shared::Role::Department, "dipartimento", "password-lunga-1", None).await;
        let server = TestApp::start(&t.db).await;
        let token = server.login("dipartimento", "password-lunga-1").await;
        let (_, body) = server
            .graphql_as(
                Some(&token),
                r#"{ application(cup: "F11C22000200006") { amountEur history(first: 10) { action before after } } }"#,
                json!({}),
            )
            .await;
        let app = &body["data"]["application"];
        assert_eq!(app["amountEur"], 99000, "{body}");
        let import = app["history"]
            .as_array()
            .unwrap()
            .iter()
            .find(|e| e["action"] == "IMPORT_UPDATE")
            .expect("an import event");
        let before: serde_json::Value = serde_json::from_str(import["before"].as_str().unwrap()).unwrap();
        let after: serde_json::Value = serde_json::from_str(import["after"].as_str().unwrap()).unwrap();
        assert_eq!(before, json!({ "amountEur": 100000 }));
        assert_eq!(after, json!({ "amountEur": 99000 }));
    }
}

both! {
    async fn a_dry_run_reports_what_would_change_and_writes_nothing(backend: Backend) {
        let t = TestDb::new(backend).await;
        t.import_bytes("a.csv", format!("{HEADER}\n{GENOVA}\n").as_bytes()).await.unwrap();
        let events = t.count("event").await;
        let newer = GENOVA.replace(",A,1.2 Abil", ",R,1.2 Abil");
        let files = vec![
            ("avvisi.csv".to_owned(), std::fs::read(CALLS_CSV).unwrap()),
            ("b.csv".to_owned(), format!("{HEADER}\n{newer}\n{SCHOOL}\n").into_bytes()),
        ];
        let outcomes = nuvola_server::service::import::import_files(
            &t.db,
            &files,
            &nuvola_server::audit::Actor::system("test"),
            nuvola_server::service::import::Mode::DryRun,
            &indicatif::ProgressBar::hidden(),
        )
        .await
        .unwrap();
        let calls = outcomes[0].as_ref().unwrap();
        assert_eq!(calls.new, 13, "the call Genova's import created already exists");
        let apps = outcomes[1].as_ref().unwrap();
        assert_eq!((apps.new, apps.updated), (1, 1));
        assert_eq!(apps.samples[0].changes[0].field, "state");
        assert_eq!(t.count("application").await, 1);
        assert_eq!(t.count("call").await, 1);
        assert_eq!(t.count("published_call").await, 0);
        assert_eq!(t.count("event").await, events);
        assert_eq!(t.count_where("application", "state = 'FUNDED'").await, 1);
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
