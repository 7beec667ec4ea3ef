//! The page of projects reads its rows by position (`entity::positional`): every field it
//! reads is the field sea-orm reads by name, on both databases, for rows whose every
//! nullable column holds a value of its own (a column read in the wrong place cannot
//! pass unseen) and for rows where they are NULL.

use chrono::{NaiveDate, TimeZone, Utc};
use nuvola_server::entity::positional::{Columns, Positional, Width};
use nuvola_server::entity::{administration, application};
use nuvola_server::service::{applications, paging};
use nuvola_shared::api::ParsedFilter;
use nuvola_shared::Role;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, Iterable, QueryFilter, QueryOrder,
    QuerySelect, QueryTrait, Set,
};

use crate::helpers::{add_account, both, TestDb};

async fn fill_every_column(t: &TestDb) -> (application::Model, administration::Model) {
    let verifier = add_account(
        &t.db,
        Role::Verifier,
        "asseveratore",
        "una-password-lunga-2026",
        None,
    )
    .await;
    let project = application::Entity::find()
        .order_by_asc(application::Column::Id)
        .one(&t.db)
        .await
        .unwrap()
        .unwrap();
    let at = |day: u32, hour: u32| Utc.with_ymd_and_hms(2024, 3, day, hour, 7, 9).unwrap();
    let on = |day: u32| NaiveDate::from_ymd_opt(2024, 4, day).unwrap();
    let mut filled: application::ActiveModel = project.clone().into();
    filled.submitted_at = Set(Some(at(1, 1)));
    filled.funded_on = Set(Some(on(2)));
    filled.decree_ref = Set(Some("decreto 3".to_owned()));
    filled.time_window = Set(Some(4));
    filled.protocol_number = Set(Some(5));
    filled.state_changed_on = Set(Some(on(6)));
    filled.contract_on = Set(Some(on(7)));
    filled.verifier_account_id = Set(Some(verifier.id));
    filled.verification_outcome = Set(Some("POSITIVE".to_owned()));
    filled.verification_outcome_at = Set(Some(at(8, 8)));
    filled.state_reason = Set(Some("motivo 9".to_owned()));
    filled.renunciation_requested_at = Set(Some(at(10, 10)));
    filled.renunciation_reason = Set(Some("rinuncia 11".to_owned()));
    filled.version = Set(12);
    filled.created_at = Set(at(13, 13));
    filled.updated_at = Set(at(14, 14));
    filled.overdue_kind = Set(Some("CONTRACT".to_owned()));
    filled.overdue_since = Set(Some(on(16)));
    filled.data_quality = Set(Some("[\"17\"]".to_owned()));
    filled.progress_reported_at = Set(Some(at(18, 18)));
    let project = filled.update(&t.db).await.unwrap();
    let body = administration::Entity::find_by_id(project.administration_id)
        .one(&t.db)
        .await
        .unwrap()
        .unwrap();
    let mut filled: administration::ActiveModel = body.into();
    filled.type_label = Set(Some("tipologia 1".to_owned()));
    filled.comune = Set(Some("comune 2".to_owned()));
    filled.comune_istat = Set(Some("003".to_owned()));
    filled.provincia = Set(Some("PV4".to_owned()));
    filled.provincia_istat = Set(Some("005".to_owned()));
    filled.region_istat = Set(Some("06".to_owned()));
    filled.population = Set(Some(7_000_000_007));
    filled.created_at = Set(at(20, 20));
    filled.updated_at = Set(at(21, 21));
    let body = filled.update(&t.db).await.unwrap();
    (project, body)
}

both! {
    async fn a_page_read_by_position_is_what_sea_orm_reads_by_name(backend: Backend) {
        let t = TestDb::with_calls_and_one_body(backend).await;
        let (project, body) = fill_every_column(&t).await;

        let page = applications::page(&t.db, &ParsedFilter::default(), 10, None, true, Width::Whole)
            .await
            .unwrap();
        assert_eq!(page.items, vec![project.clone()]);
        assert_eq!(page.bodies, Some(vec![body.clone()]));
        let page = applications::page(&t.db, &ParsedFilter::default(), 10, None, false, Width::Whole)
            .await
            .unwrap();
        assert_eq!(page.items, vec![project.clone()]);
        assert_eq!(page.bodies, None);

        // Read at the public width: the public columns, each in its place; the others
        // empty.
        let page = applications::page(&t.db, &ParsedFilter::default(), 10, None, true, Width::Public)
            .await
            .unwrap();
        let epoch = chrono::DateTime::UNIX_EPOCH;
        let public_project = application::Model {
            state_changed_on: None,
            contract_on: None,
            verifier_account_id: None,
            verification_outcome: None,
            verification_outcome_at: None,
            state_reason: None,
            renunciation_requested_at: None,
            renunciation_reason: None,
            created_at: epoch,
            updated_at: epoch,
            overdue_kind: None,
            overdue_since: None,
            data_quality: None,
            ..project.clone()
        };
        let public_body = administration::Model {
            ipa_key: String::new(),
            type_label: None,
            population: None,
            created_at: epoch,
            updated_at: epoch,
            ..body.clone()
        };
        assert_eq!(page.items, vec![public_project.clone()]);
        assert_eq!(page.bodies, Some(vec![public_body]));
        let page = applications::page(&t.db, &ParsedFilter::default(), 10, None, false, Width::Public)
            .await
            .unwrap();
        assert_eq!(page.items, vec![public_project]);
        assert_eq!(page.bodies, None);

        // And with every nullable column NULL again: `None`, not an error.
        let mut emptied: application::ActiveModel = project.into();
        for column in application::Column::iter().filter(|c| c.def().is_null()) {
            let null = emptied.get(column).into_value().unwrap().as_null();
            emptied.set(column, null);
        }
        let emptied = emptied.update(&t.db).await.unwrap();
        assert_eq!(emptied.funded_on, None);
        let by_name = application::Entity::find().all(&t.db).await.unwrap();
        let page = applications::page(&t.db, &ParsedFilter::default(), 10, None, true, Width::Whole)
            .await
            .unwrap();
        assert_eq!(page.items, by_name);

        // A row of another shape is an error, not a wrong model.
        let statement = application::Entity::find()
            .select_only()
            .column(application::Column::Cup)
            .build(t.db.get_database_backend());
        let rows = t.db.query_all(statement).await.unwrap();
        let wrong = application::Model::decode(&mut Columns::new(&rows[0]), Width::Whole);
        assert!(wrong.is_err(), "{wrong:?}");
    }
}

/// The page's `LIMIT` is written into its SQL (PostgreSQL then keeps one plan for the
/// statement instead of planning it at every execution), and its value leaves the
/// parameters; on both databases.
#[test]
fn the_page_size_is_written_into_the_statement() {
    use sea_orm::{DbBackend, Statement, Value};
    for backend in [DbBackend::Postgres, DbBackend::Sqlite] {
        let ids = application::Entity::find()
            .select_only()
            .column(application::Column::Id)
            .filter(application::Column::State.eq("FUNDED"))
            .limit(51)
            .into_query();
        let statement = application::Entity::find()
            .filter(application::Column::Id.in_subquery(ids))
            .build(backend);
        let Statement { sql, values, .. } = paging::with_literal_limit(statement, 51);
        assert!(sql.contains("LIMIT 51)"), "{backend:?}: {sql}");
        assert_eq!(
            values.unwrap().0,
            vec![Value::from("FUNDED")],
            "{backend:?}"
        );
        // Another limit than the one asked for: left as it was.
        let ids = application::Entity::find()
            .select_only()
            .limit(7)
            .into_query();
        let statement = application::Entity::find()
            .filter(application::Column::Id.in_subquery(ids))
            .build(backend);
        let unchanged = paging::with_literal_limit(statement.clone(), 51);
        assert_eq!(unchanged.sql, statement.sql);
        // A limit followed by an offset (here of the same value): left as it was.
        let statement = application::Entity::find()
            .filter(application::Column::State.eq("FUNDED"))
            .limit(51)
            .offset(51)
            .build(backend);
        let unchanged = paging::with_literal_limit(statement.clone(), 51);
        assert_eq!(unchanged.sql, statement.sql, "{backend:?}");
        assert_eq!(unchanged.values, statement.values, "{backend:?}");
    }
}

both! {
    async fn a_read_with_its_limit_written_in_returns_the_same_rows(backend: Backend) {
        let t = TestDb::with_open_data(backend).await;
        let select = || {
            application::Entity::find()
                .filter(application::Column::AmountEur.gt(50_000))
                .order_by_desc(application::Column::Id)
        };
        for limit in [1, 7, 51] {
            let expected = select().limit(limit).all(&t.db).await.unwrap();
            assert_eq!(expected.len() as u64, limit);
            let read = paging::all(&t.db, select(), limit).await.unwrap();
            assert_eq!(read, expected, "{backend:?}, limit {limit}");
        }
        // With an offset after the limit (left as a parameter): the same rows too.
        let expected = select().offset(7).limit(7).all(&t.db).await.unwrap();
        let read = paging::all(&t.db, select().offset(7), 7).await.unwrap();
        assert_eq!(read, expected);
    }
}
