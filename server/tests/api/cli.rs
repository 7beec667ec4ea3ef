use std::io::Write;
use std::process::{Command, Stdio};

use crate::helpers::{both, TestDb, APPLICATIONS_CSV, CALLS_CSV};

fn nuvola(args: &[&str], url: &str) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_nuvola"))
        .args(args)
        .env("DATABASE_URL", url)
        .env_remove("NUVOLA_PASSWORD")
        .output()
        .unwrap()
}

both! {
    async fn the_import_command_ends_with_the_contract_summary_line(backend: Backend) {
        let t = TestDb::new(backend).await;
        let out = nuvola(&["import", CALLS_CSV, APPLICATIONS_CSV], &t.url);
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        let stdout = String::from_utf8_lossy(&out.stdout);
        assert_eq!(stdout.lines().last(), Some("imported: 12948 new, 0 updated, 0 unchanged, 43 skipped"));
        let out = nuvola(&["import", APPLICATIONS_CSV], &t.url);
        let stdout = String::from_utf8_lossy(&out.stdout);
        assert_eq!(stdout.lines().last(), Some("imported: 0 new, 0 updated, 12934 unchanged, 0 skipped"));

        let dir = tempfile::tempdir().unwrap();
        let bad = dir.path().join("bad.csv");
        std::fs::write(&bad, "hello,world\n1,2\n").unwrap();
        let out = nuvola(&["import", bad.to_str().unwrap()], &t.url);
        assert!(!out.status.success());
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(stderr.contains("not a PA digitale 2026 open-data file"), "{stderr}");
        assert!(stderr.contains("nothing was imported"), "{stderr}");

        let export = dir.path().join("out.csv");
        let out = nuvola(&["export", "--format", "csv", "--out", export.to_str().unwrap()], &t.url);
        assert!(out.status.success());
        assert_eq!(std::fs::read_to_string(&export).unwrap().lines().count(), 12_935);
    }
}

both! {
    async fn user_add_creates_an_account_bound_to_its_body(backend: Backend) {
        let t = TestDb::new(backend).await;
        assert!(nuvola(&["import", APPLICATIONS_CSV], &t.url).status.success());
        let mut child = Command::new(env!("CARGO_BIN_EXE_nuvola"))
            .args(["user", "add", "--role", "ADMINISTRATION", "--username", "ferrara", "--ipa", "C_D548"])
            .env("DATABASE_URL", &t.url)
            .env_remove("NUVOLA_PASSWORD")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        child.stdin.take().unwrap().write_all(b"una-password-lunga\n").unwrap();
        let out = child.wait_with_output().unwrap();
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        assert_eq!(t.count("account").await, 1);

        let out = Command::new(env!("CARGO_BIN_EXE_nuvola"))
            .args(["user", "add", "--role", "ADMINISTRATION", "--username", "nobody", "--ipa", "c_zzzz"])
            .env("DATABASE_URL", &t.url)
            .env("NUVOLA_PASSWORD", "una-password-lunga")
            .output()
            .unwrap();
        assert!(!out.status.success());
        assert!(String::from_utf8_lossy(&out.stderr).contains("no administration has the IPA code c_zzzz"));

        let out = Command::new(env!("CARGO_BIN_EXE_nuvola"))
            .args(["user", "add", "--role", "DEPARTMENT", "--username", "short"])
            .env("DATABASE_URL", &t.url)
            .env("NUVOLA_PASSWORD", "short")
            .output()
            .unwrap();
        assert!(!out.status.success());
        assert!(String::from_utf8_lossy(&out.stderr).contains("at least 10 characters"));
        assert_eq!(t.count("account").await, 1);
        // The account is a person with one membership: Ferrara.
        assert_eq!(t.count_where("membership", "removed_at IS NULL").await, 1);

        // The same person may act for a second body too.
        let out = nuvola(&["user", "add-membership", "--username", "ferrara", "--role", "ADMINISTRATION", "--ipa", "c_d969"], &t.url);
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        assert!(String::from_utf8_lossy(&out.stdout).contains("ferrara may act as ADMINISTRATION"));
        assert_eq!(t.count("membership").await, 2);
        let out = nuvola(&["user", "add-membership", "--username", "ferrara", "--role", "ADMINISTRATION", "--ipa", "c_d969"], &t.url);
        assert!(!out.status.success());
        assert!(String::from_utf8_lossy(&out.stderr).contains("already acts for this organisation"));
        let out = nuvola(&["user", "add-membership", "--username", "nessuno", "--role", "VERIFIER"], &t.url);
        assert!(!out.status.success());
        assert!(String::from_utf8_lossy(&out.stderr).contains("no account is called"));
        assert_eq!(t.count("membership").await, 2);
    }
}

both! {
    async fn a_dry_run_prints_what_would_change_and_writes_nothing(backend: Backend) {
        let t = TestDb::new(backend).await;
        assert!(nuvola(&["import", APPLICATIONS_CSV], &t.url).status.success());
        let before = (t.count("application").await, t.count("event").await, t.count("call").await);
        let dir = tempfile::tempdir().unwrap();
        let newer = dir.path().join("newer.csv");
        let original = std::fs::read_to_string(APPLICATIONS_CSV).unwrap();
        // Genova renounced; a new row with a CUP of 16 characters.
        let mut lines: Vec<String> = original.lines().map(str::to_owned).collect();
        lines[1] = lines[1].replace(",A,1.2 Abil", ",R,1.2 Abil");
        lines.push(lines[2].replace("E91C22000180006", "E91C220001800061"));
        std::fs::write(&newer, lines.join("\n")).unwrap();
        let out = nuvola(&["import", "--dry-run", CALLS_CSV, newer.to_str().unwrap()], &t.url);
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        let stdout = String::from_utf8_lossy(&out.stdout);
        let stderr = String::from_utf8_lossy(&out.stderr);
        let announced = stdout.lines().last().unwrap().to_owned();
        assert!(announced.contains("12933 unchanged, 43 skipped"), "{stdout}");
        assert!(stdout.contains("dry run: nothing was written"), "{stdout}");
        assert!(stderr.contains("B31C22000060007 (1.2 Abilitazione al cloud - Comuni - Aprile 2022) changes: state \"FUNDED\" -> \"RENOUNCED\""), "{stderr}");
        assert!(stderr.contains("data-quality warning: codice_cup \"E91C220001800061\" has 16 characters"), "{stderr}");
        assert!(stderr.contains("row(s): measure \"1.1 Infrastrutture digitali\" is not 1.2 (from the calls file)"), "{stderr}");
        let after = (t.count("application").await, t.count("event").await, t.count("call").await);
        assert_eq!(before, after, "a dry run writes nothing");
        // The same files for real: the numbers the dry run announced.
        let out = nuvola(&["import", CALLS_CSV, newer.to_str().unwrap()], &t.url);
        let stdout = String::from_utf8_lossy(&out.stdout);
        assert_eq!(stdout.lines().last(), Some(announced.as_str()), "{stdout}");
        assert_eq!(t.count_where("application", "cup = 'E91C220001800061'").await, 1);
    }
}
