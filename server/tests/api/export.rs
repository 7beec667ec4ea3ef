use nuvola_server::opendata::{write_applications, ExportFormat};
use nuvola_server::service::export::export_rows;

use crate::helpers::{both, TestDb, APPLICATIONS_CSV};

fn csv_rows(text: &[u8]) -> Vec<Vec<String>> {
    let mut rows: Vec<Vec<String>> = csv::Reader::from_reader(text)
        .records()
        .map(|r| r.unwrap().iter().map(str::to_owned).collect())
        .collect();
    rows.sort();
    rows
}

both! {
    async fn importing_and_exporting_gives_back_the_published_rows(backend: Backend) {
        let t = TestDb::with_open_data(backend).await;
        let rows = export_rows(&t.db).await.unwrap();
        let mut out = Vec::new();
        write_applications(&rows, ExportFormat::Csv, &mut out).unwrap();

        let original = std::fs::read(APPLICATIONS_CSV).unwrap();
        let header = |b: &[u8]| String::from_utf8_lossy(b).lines().next().unwrap().to_owned();
        assert_eq!(header(&out), header(&original));
        let (exported, published) = (csv_rows(&out), csv_rows(&original));
        assert_eq!(exported.len(), published.len());
        for (e, p) in exported.iter().zip(&published) {
            assert_eq!(e, p);
        }

        // The JSON form holds the same values under the same keys.
        let mut json = Vec::new();
        write_applications(&rows, ExportFormat::Json, &mut json).unwrap();
        let items: Vec<serde_json::Map<String, serde_json::Value>> = serde_json::from_slice(&json).unwrap();
        assert_eq!(items.len(), published.len());
        let genova = items.iter().find(|i| i["codice_cup"] == "B31C22000060007").unwrap();
        assert_eq!(genova["importo_finanziamento"], "4566860.0");
        assert_eq!(genova["cod_comune"], "010025");
        assert_eq!(genova["stato_candidatura"], "A");
    }
}
