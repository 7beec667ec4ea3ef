//! Migrations when several replicas start at once on one PostgreSQL. (SQLite is embedded
//! in one process: it has no replicas to race, so this property is PostgreSQL's alone.)

use nuvola_migrations::{Migrator, MigratorTrait};
use sea_orm::ConnectionTrait;

use crate::helpers::{Backend, TestDb};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn replicas_starting_together_on_an_empty_postgres_migrate_it_once() {
    let t = TestDb::new(Backend::Postgres).await;
    t.db.execute_unprepared("DROP SCHEMA public CASCADE; CREATE SCHEMA public;")
        .await
        .unwrap();
    assert_eq!(
        Migrator::get_pending_migrations(&t.db).await.unwrap().len(),
        Migrator::migrations().len()
    );

    let starts: Vec<_> = (0..4)
        .map(|_| {
            let url = t.url.clone();
            tokio::spawn(async move {
                let db = nuvola_server::db::connect_and_migrate(&url).await?;
                db.close().await?;
                anyhow::Ok(())
            })
        })
        .collect();
    for start in starts {
        start.await.unwrap().unwrap();
    }
    assert!(Migrator::get_pending_migrations(&t.db)
        .await
        .unwrap()
        .is_empty());
    let applied =
        t.db.query_one(sea_orm::Statement::from_string(
            t.db.get_database_backend(),
            "SELECT COUNT(*) AS n FROM seaql_migrations",
        ))
        .await
        .unwrap()
        .unwrap()
        .try_get::<i64>("", "n")
        .unwrap();
    assert_eq!(applied as usize, Migrator::migrations().len());
}
