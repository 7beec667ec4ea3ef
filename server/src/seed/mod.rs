//! `nuvola seed-national`: a deterministic national programme for measuring Nuvola at the
//! scale it must hold (issue 14): the 16,547 local administrations, about 25,000
//! projects, about 300,000 planned services with their suppliers (PSN included),
//! versioned questionnaires, contracts, verification requests, documents' metadata,
//! notifications and about 5 million audit events over three years.
//!
//! It starts from the real thing, [`demo::load`] (the bundled open data through the real
//! importer, the demo accounts, suppliers, offerings and staged projects), so every demo
//! login works on the national data set; then it generates the rest with a SplitMix64
//! generator ([`rng::Rng`]) and writes it in bulk ([`sink::Sink`]). The demo's own staged
//! projects and their bodies are left as the demo made them.
//!
//! Everything generated is dated relative to [`AS_OF`], never to the clock, so a seed
//! gives the same rows on any day. `scale` (hidden on the command line) shrinks every
//! generated count for tests; 1.0 is the national programme.

pub mod fixture;
mod names;
pub mod rng;
pub mod sink;

use std::collections::{HashMap, HashSet};
use std::time::Instant;

use anyhow::{bail, Context, Result};
use chrono::{Datelike, NaiveDate, TimeZone, Utc};
use indicatif::ProgressBar;
use nuvola_shared::{Role, VatNumber};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ConnectionTrait, DatabaseConnection, EntityTrait,
    FromQueryResult, PaginatorTrait, Statement,
};

use crate::audit::Actor;
use crate::demo;
use crate::entity::{account, administration, application, cloud_offering, supplier};
use crate::service::accounts::{self, NewAccount};
use crate::service::deadlines::{COMPLETION_DEADLINE_MISSED, CONTRACT_DEADLINE_MISSED};
use rng::Rng;
use sink::{Sink, Table, V};

/// The national figures the data set reaches at scale 1.
pub const NATIONAL_ADMINISTRATIONS: usize = 16_547;
pub const NATIONAL_PROJECTS: usize = 25_000;
pub const NATIONAL_EVENTS: usize = 5_000_000;
/// Generated qualified suppliers (besides the demo's and PSN).
pub const GENERATED_SUPPLIERS: usize = 300;
/// Verifiers (asseveratori) besides the demo's.
pub const GENERATED_VERIFIERS: usize = 40;
/// The one supplier login seeded with [`BIG_SUPPLIER_PROJECTS`] projects.
pub const BIG_SUPPLIER_USERNAME: &str = "fornitore.nazionale";
pub const BIG_SUPPLIER_PASSWORD: &str = "fornitore-nazionale-2026";
pub const BIG_SUPPLIER_VAT: &str = "03456789019";
pub const BIG_SUPPLIER_NAME: &str = "Registro Scuola Italia S.p.A.";
pub const BIG_SUPPLIER_PROJECTS: usize = 5_000;
/// Generated accounts (suppliers, verifiers) share the password of the demo login of
/// their role: `fornitore-demo-2026`, `asseveratore-demo-2026`.
pub const DEFAULT_SEED: u64 = 2026;

/// The day the generated programme stands at: nothing generated is later.
pub fn as_of() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 11, 27).unwrap_or_default()
}
pub const AS_OF: &str = "2026-11-27";

/// What to generate.
#[derive(Debug, Clone, Copy)]
pub struct Options {
    pub seed: u64,
    /// 1.0: the national programme; 0.01 in tests.
    pub scale: f64,
}

impl Default for Options {
    fn default() -> Self {
        Self {
            seed: DEFAULT_SEED,
            scale: 1.0,
        }
    }
}

/// What the database holds afterwards, table by table.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Report {
    pub counts: Vec<(&'static str, i64)>,
    /// Projects in which the big supplier has at least one service.
    pub big_supplier_projects: i64,
    pub rows_written: u64,
}

pub const COUNTED_TABLES: [&str; 12] = [
    "administration",
    "application",
    "planned_service",
    "assessment",
    "supplier",
    "cloud_offering",
    "account",
    "verification_request",
    "document",
    "notification",
    "event",
    "verification_check",
];

impl Report {
    pub fn count(&self, table: &str) -> i64 {
        self.counts
            .iter()
            .find(|(t, _)| *t == table)
            .map_or(0, |(_, n)| *n)
    }

    pub fn summary(&self) -> String {
        self.counts
            .iter()
            .map(|(t, n)| format!("{t} {n}"))
            .collect::<Vec<_>>()
            .join(", ")
    }
}

/// Counts the rows of every table the seed fills.
pub async fn report(db: &impl ConnectionTrait) -> Result<Report> {
    let mut counts = Vec::new();
    for t in COUNTED_TABLES {
        counts.push((
            t,
            count(db, &format!("SELECT COUNT(*) AS n FROM {t}")).await?,
        ));
    }
    let big_supplier_projects = count(
        db,
        &format!(
            "SELECT COUNT(DISTINCT ps.application_id) AS n FROM planned_service ps \
             JOIN supplier s ON s.id = ps.supplier_id WHERE s.vat_number = '{BIG_SUPPLIER_VAT}'"
        ),
    )
    .await?;
    Ok(Report {
        counts,
        big_supplier_projects,
        rows_written: 0,
    })
}

#[derive(FromQueryResult)]
struct Count {
    n: i64,
}

async fn count(db: &impl ConnectionTrait, sql: &str) -> Result<i64> {
    let row = Count::find_by_statement(Statement::from_string(db.get_database_backend(), sql))
        .one(db)
        .await
        .with_context(|| format!("counting: {sql}"))?;
    Ok(row.map_or(0, |r| r.n))
}

/// Why the database is not empty, if it is not.
pub async fn refuse_unless_empty(db: &DatabaseConnection) -> Result<()> {
    let applications = application::Entity::find().count(db).await?;
    let bodies = administration::Entity::find().count(db).await?;
    let accounts = account::Entity::find().count(db).await?;
    if applications + bodies + accounts > 0 {
        bail!(
            "the database is not empty ({applications} applications, {bodies} administrations, \
             {accounts} accounts): seed-national fills an empty database only; give it a new one \
             (--database)"
        );
    }
    Ok(())
}

/// Fills an empty, migrated database with the national programme.
pub async fn seed_national(
    db: &DatabaseConnection,
    options: Options,
    progress: &ProgressBar,
) -> Result<Report> {
    refuse_unless_empty(db).await?;
    let started = Instant::now();
    progress.set_message("open data and demo");
    demo::load(db).await.context("loading the demo data")?;
    tracing::info!(elapsed = ?started.elapsed(), "demo data loaded");
    let big = create_big_supplier(db).await?;
    let world = World::read(db).await?;
    let mut generator = Generator::new(world, options, big);
    generator.plan();
    let estimate = generator.estimate_rows();
    progress.set_length(estimate);
    progress.set_message("national data set");
    let mut out = Sink::open(db, progress).await?;
    generator.write(&mut out).await?;
    let written = out.written;
    out.finish(&[
        "administration",
        "application",
        "planned_service",
        "assessment",
        "supplier",
        "cloud_offering",
        "account",
        "verification_request",
        "document",
        "notification",
    ])
    .await?;
    // The generated accounts were written in bulk: each gets its membership.
    crate::service::membership::backfill(db).await?;
    // Which projects have had news from a person, as the migration derives it.
    db.execute_unprepared(nuvola_migrations::PROGRESS_REPORTED_BACKFILL)
        .await
        .context("progress reported")?;
    progress.set_message("statistics");
    // Fresh statistics, as autovacuum (PostgreSQL) or `PRAGMA optimize` would gather.
    db.execute_unprepared("ANALYZE").await.context("ANALYZE")?;
    progress.finish_and_clear();
    let mut r = report(db).await?;
    r.rows_written = written;
    tracing::info!(elapsed = ?started.elapsed(), rows = written, "national data set written");
    Ok(r)
}

/// The big supplier and its login, through the real account service.
async fn create_big_supplier(db: &DatabaseConnection) -> Result<(i32, i32)> {
    let now = Utc::now();
    let created = supplier::ActiveModel {
        vat_number: Set(BIG_SUPPLIER_VAT.to_owned()),
        name: Set(BIG_SUPPLIER_NAME.to_owned()),
        is_psn: Set(false),
        qualified_until: Set(NaiveDate::from_ymd_opt(2028, 9, 30)),
        created_at: Set(now),
        updated_at: Set(now),
        ..Default::default()
    }
    .insert(db)
    .await
    .context("creating the big supplier")?;
    cloud_offering::ActiveModel {
        supplier_id: Set(created.id),
        code: Set("RSI-SCUOLA-SAAS".to_owned()),
        name: Set("Registro, segreteria e protocollo per le scuole (SaaS)".to_owned()),
        service_model: Set("SAAS".to_owned()),
        deployment_model: Set("PUBLIC".to_owned()),
        max_data_class: Set("CRITICO".to_owned()),
        qualification_level: Set(Some("QC2".to_owned())),
        qualified_on: Set(NaiveDate::from_ymd_opt(2025, 9, 30)),
        qualified_until: Set(NaiveDate::from_ymd_opt(2028, 9, 30)),
        created_at: Set(now),
        ..Default::default()
    }
    .insert(db)
    .await
    .context("creating the big supplier's offering")?;
    let account = accounts::create(
        db,
        NewAccount {
            role: Role::Supplier,
            username: BIG_SUPPLIER_USERNAME.to_owned(),
            password: BIG_SUPPLIER_PASSWORD.to_owned(),
            ipa_code: None,
            supplier_vat: Some(VatNumber::parse(BIG_SUPPLIER_VAT)?),
            display_name: Some(format!("{BIG_SUPPLIER_NAME} (P.IVA {BIG_SUPPLIER_VAT})")),
        },
        &Actor::system("nuvola seed-national"),
    )
    .await
    .context("creating the big supplier's login")?;
    Ok((created.id, account.id))
}

// ---------------------------------------------------------------------------------
// What is there already

#[derive(Debug, Clone)]
struct Body {
    id: i32,
    ipa: String,
    name: String,
    kind: Kind,
    comune: Option<String>,
    comune_istat: Option<String>,
    provincia: Option<String>,
    provincia_istat: Option<String>,
    region: String,
    region_istat: Option<String>,
    population: Option<i64>,
    generated: bool,
    /// A demo body: its projects are left as the demo made them.
    demo: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum Kind {
    Comune,
    Scuola,
    AslAo,
    Provincia,
    Metropolitana,
    Altro,
}

impl Kind {
    fn code(self) -> &'static str {
        match self {
            Kind::Comune => "COMUNE",
            Kind::Scuola => "SCUOLA",
            Kind::AslAo => "ASL_AO",
            Kind::Provincia => "PROVINCIA",
            Kind::Metropolitana => "CITTA_METROPOLITANA",
            Kind::Altro => "ALTRO",
        }
    }

    fn parse(code: &str) -> Self {
        match code {
            "COMUNE" => Kind::Comune,
            "SCUOLA" => Kind::Scuola,
            "ASL_AO" => Kind::AslAo,
            "PROVINCIA" => Kind::Provincia,
            "CITTA_METROPOLITANA" => Kind::Metropolitana,
            _ => Kind::Altro,
        }
    }

    fn label(self) -> &'static str {
        match self {
            Kind::Comune => "Comune",
            Kind::Scuola => "Scuole",
            Kind::AslAo => "ASL/AO",
            Kind::Provincia => "Provincia",
            Kind::Metropolitana => "Città metropolitana",
            Kind::Altro => "Altri Enti",
        }
    }

    /// The catalogue a body of this kind chooses from.
    fn catalogue(self) -> &'static str {
        match self {
            Kind::Scuola => "SCUOLA",
            Kind::AslAo => "ASL_AO",
            _ => "COMUNE",
        }
    }
}

#[derive(Debug, Clone)]
struct CallInfo {
    id: i32,
    kind: Kind,
    opens: NaiveDate,
    closes: NaiveDate,
}

#[derive(Debug, Clone)]
struct CoreProject {
    id: i32,
    placeholder_plan: bool,
    body: i32,
    call: i32,
    cup: String,
    amount: i64,
    state: String,
    submitted: Option<i64>,
    funded: Option<NaiveDate>,
}

#[derive(Debug, Clone)]
struct Offering {
    id: i32,
    model: &'static str,
    class: u8,
}

#[derive(Debug, Clone)]
struct Sup {
    id: i32,
    vat: String,
    name: String,
    psn: bool,
    offerings: Vec<Offering>,
    account: Option<i32>,
    username: String,
    generated: bool,
}

struct World {
    bodies: Vec<Body>,
    calls: Vec<CallInfo>,
    core: Vec<CoreProject>,
    catalogue: HashMap<&'static str, Vec<(i32, String)>>,
    suppliers: Vec<Sup>,
    department: (i32, String),
    verifier: (i32, String),
    supplier_hash: String,
    verifier_hash: String,
    cups: HashSet<String>,
    next_ids: HashMap<&'static str, i32>,
}

#[derive(FromQueryResult)]
struct MaxId {
    n: Option<i32>,
}

fn class_rank(class: &str) -> u8 {
    match class {
        "STRATEGICO" => 2,
        "CRITICO" => 1,
        _ => 0,
    }
}

fn class_code(rank: u8) -> &'static str {
    match rank {
        2 => "STRATEGICO",
        1 => "CRITICO",
        _ => "ORDINARIO",
    }
}

fn model_code(model: &str) -> &'static str {
    match model {
        "IAAS" => "IAAS",
        "PAAS" => "PAAS",
        "CAAS" => "CAAS",
        _ => "SAAS",
    }
}

fn ts_of(dt: chrono::DateTime<Utc>) -> i64 {
    dt.timestamp()
}

impl World {
    async fn read(db: &DatabaseConnection) -> Result<Self> {
        let demo_ipas: HashSet<String> = demo::LOGINS
            .iter()
            .filter_map(|l| l.ipa_code.map(str::to_ascii_lowercase))
            .collect();
        let bodies: Vec<Body> = administration::Entity::find()
            .all(db)
            .await?
            .into_iter()
            .map(|a| Body {
                id: a.id,
                demo: demo_ipas.contains(&a.ipa_key),
                ipa: a.ipa_code,
                name: a.name,
                kind: Kind::parse(&a.type_code),
                comune: a.comune,
                comune_istat: a.comune_istat,
                provincia: a.provincia,
                provincia_istat: a.provincia_istat,
                region: a.region,
                region_istat: a.region_istat,
                population: a.population,
                generated: false,
            })
            .collect();
        let mut calls = Vec::new();
        for c in crate::entity::call::Entity::find().all(db).await? {
            if !c.title.trim_start().starts_with("1.2") {
                continue;
            }
            let t = c.title.to_lowercase();
            let kind = if t.contains("scuol") {
                Kind::Scuola
            } else if t.contains("comuni") {
                Kind::Comune
            } else if t.contains("asl") {
                Kind::AslAo
            } else if t.contains("provinc") {
                Kind::Provincia
            } else {
                continue;
            };
            let (Some(opens), Some(closes)) = (c.opens_on, c.closes_on) else {
                continue;
            };
            calls.push(CallInfo {
                id: c.id,
                kind,
                opens,
                closes,
            });
        }
        calls.sort_by_key(|c| (c.opens, c.id));
        // The importer gives each school a placeholder plan (amount / 553 services "da
        // definire"): those are replaced by real plans. A project with any other plan was
        // planned through the services (the demo's): it is left alone.
        let mut placeholder: HashSet<i32> = HashSet::new();
        let mut planned: HashSet<i32> = HashSet::new();
        for p in crate::entity::planned_service::Entity::find()
            .all(db)
            .await?
        {
            if p.supplier_id.is_none() && p.name.starts_with("Servizio da definire") {
                placeholder.insert(p.application_id);
            } else {
                planned.insert(p.application_id);
            }
        }
        let mut core = Vec::new();
        let mut cups = HashSet::new();
        for a in application::Entity::find().all(db).await? {
            cups.insert(a.cup.to_ascii_uppercase());
            if planned.contains(&a.id) {
                continue;
            }
            core.push(CoreProject {
                placeholder_plan: placeholder.contains(&a.id),
                id: a.id,
                body: a.administration_id,
                call: a.call_id,
                cup: a.cup,
                amount: a.amount_eur,
                state: a.state,
                submitted: a.submitted_at.map(ts_of),
                funded: a.funded_on,
            });
        }
        core.sort_by_key(|c| c.id);
        let mut catalogue: HashMap<&'static str, Vec<(i32, String)>> = HashMap::new();
        for s in crate::entity::catalogue_service::Entity::find()
            .all(db)
            .await?
        {
            let key = match s.target_type.as_str() {
                "SCUOLA" => "SCUOLA",
                "ASL_AO" => "ASL_AO",
                "COMUNE" => "COMUNE",
                _ => continue,
            };
            catalogue.entry(key).or_default().push((s.id, s.name));
        }
        for list in catalogue.values_mut() {
            list.sort();
        }
        let offerings = cloud_offering::Entity::find().all(db).await?;
        let accounts = account::Entity::find().all(db).await?;
        let mut suppliers: Vec<Sup> = supplier::Entity::find()
            .all(db)
            .await?
            .into_iter()
            .map(|s| {
                let login = accounts
                    .iter()
                    .filter(|a| a.supplier_id == Some(s.id))
                    .min_by_key(|a| a.id);
                Sup {
                    offerings: offerings
                        .iter()
                        .filter(|o| o.supplier_id == s.id)
                        .filter(|o| o.qualified_until.is_none_or(|u| u > as_of()))
                        .map(|o| Offering {
                            id: o.id,
                            model: model_code(&o.service_model),
                            class: class_rank(&o.max_data_class),
                        })
                        .collect(),
                    account: login.map(|a| a.id),
                    username: login.map_or_else(String::new, |a| a.username.clone()),
                    id: s.id,
                    vat: s.vat_number,
                    name: s.name,
                    psn: s.is_psn,
                    generated: false,
                }
            })
            .collect();
        suppliers.sort_by_key(|s| s.id);
        let by_name = |name: &str| accounts.iter().find(|a| a.username == name);
        let (Some(department), Some(verifier), Some(fornitore)) = (
            by_name("dipartimento"),
            by_name("asseveratore"),
            by_name("fornitore.demo"),
        ) else {
            bail!("the demo accounts are missing");
        };
        let mut next_ids = HashMap::new();
        for t in [
            "administration",
            "application",
            "planned_service",
            "assessment",
            "supplier",
            "cloud_offering",
            "account",
            "verification_request",
            "document",
            "notification",
        ] {
            let max = MaxId::find_by_statement(Statement::from_string(
                db.get_database_backend(),
                format!("SELECT MAX(id) AS n FROM {t}"),
            ))
            .one(db)
            .await?
            .and_then(|m| m.n)
            .unwrap_or(0);
            next_ids.insert(t, max + 1);
        }
        Ok(Self {
            bodies,
            calls,
            core,
            catalogue,
            suppliers,
            department: (department.id, department.username.clone()),
            verifier: (verifier.id, verifier.username.clone()),
            supplier_hash: fornitore.password_hash.clone(),
            verifier_hash: verifier.password_hash.clone(),
            cups,
            next_ids,
        })
    }
}

// ---------------------------------------------------------------------------------
// The plan of the data set, decided before anything is written

/// The project life cycle's main path, in order.
const PATH: [&str; 9] = [
    "SUBMITTED",
    "FUNDED",
    "CONTRACTED",
    "MIGRATING",
    "COMPLETED",
    "UNDER_VERIFICATION",
    "VERIFIED",
    "PAYMENT_REQUESTED",
    "PAID",
];
const FUNDED: usize = 1;
const CONTRACTED: usize = 2;
const MIGRATING: usize = 3;
const COMPLETED: usize = 4;
const UNDER_VERIFICATION: usize = 5;
const VERIFIED: usize = 6;
const PAYMENT_REQUESTED: usize = 7;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Exit {
    Renounced,
    Revoked,
}

const STATUS: [&str; 6] = [
    "NOT_STARTED",
    "ASSESSED",
    "MIGRATING",
    "TESTING",
    "MIGRATED",
    "FAILED",
];
const NS: u8 = 0;
const AS: u8 = 1;
const MG: u8 = 2;
const TE: u8 = 3;
const MI: u8 = 4;
const FA: u8 = 5;

#[derive(Debug, Clone)]
struct Project {
    id: i32,
    body: usize,
    call: i32,
    cup: String,
    amount: i64,
    services: usize,
    core: bool,
    /// The importer's placeholder plan, to replace.
    placeholder_plan: bool,
    reached: usize,
    exit: Option<Exit>,
    /// When each stage of [`PATH`] up to `reached` was entered (seconds).
    at: [i64; 9],
    exit_at: i64,
    supplier: usize,
    verifier: usize,
    time_window: i32,
    protocol: i32,
}

impl Project {
    fn state(&self) -> &'static str {
        match self.exit {
            Some(Exit::Renounced) => "RENOUNCED",
            Some(Exit::Revoked) => "REVOKED",
            None => PATH[self.reached],
        }
    }

    fn last_change(&self) -> i64 {
        if self.exit.is_some() {
            self.exit_at
        } else {
            self.at[self.reached]
        }
    }
}

/// One audit event, compact: the log is millions of these, sorted by time before it is
/// written, so that ids follow time as they do when people make the changes.
#[derive(Debug, Clone, Copy)]
struct Ev {
    at: i64,
    app: i32,
    entity: i32,
    actor: u32,
    n: u32,
    kind: EvKind,
    a: u8,
    b: u8,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum EvKind {
    StateChanged,
    PlanAdded,
    ContractRecorded,
    StatusChanged,
    AssessmentSubmitted,
    CutoverScheduled,
    DocumentUploaded,
    RequestOpened,
    RequestAnswered,
    RequestClosed,
    OutcomeRecorded,
    RenunciationRequested,
    DeadlineMissed,
    Login,
}

/// Who acts: account, role, name.
#[derive(Debug, Clone)]
struct ActorRow {
    account: Option<i32>,
    role: &'static str,
    name: String,
}

struct Generator {
    w: World,
    o: Options,
    rng: Rng,
    big: (i32, i32),
    projects: Vec<Project>,
    /// Indexes into `w.suppliers`: PSN, the six school houses (the big one first), the rest.
    psn: usize,
    school_houses: Vec<usize>,
    general: Vec<usize>,
    verifiers: Vec<(i32, String)>,
    new_bodies: usize,
    new_suppliers: usize,
    actors: Vec<ActorRow>,
    actor_of_supplier: HashMap<usize, u32>,
    actor_of_body: HashMap<usize, u32>,
    events: Vec<Ev>,
    /// Planned services per project, decided with the project.
    service_count: usize,
}

fn day_ts(d: NaiveDate, rng: &mut Rng) -> i64 {
    let secs = rng.between(8 * 3600, 18 * 3600);
    Utc.from_utc_datetime(&d.and_hms_opt(0, 0, 0).unwrap_or_default())
        .timestamp()
        + secs
}

fn date_of(ts: i64) -> NaiveDate {
    chrono::DateTime::from_timestamp(ts, 0)
        .unwrap_or_default()
        .date_naive()
}

fn vat_with_check(first10: &str) -> String {
    let sum: u32 = first10
        .bytes()
        .enumerate()
        .map(|(i, b)| {
            let d = u32::from(b - b'0');
            if i % 2 == 0 {
                d
            } else if d * 2 > 9 {
                d * 2 - 9
            } else {
                d * 2
            }
        })
        .sum();
    format!("{first10}{}", (10 - sum % 10) % 10)
}

const DAY: i64 = 86_400;

impl Generator {
    fn new(w: World, o: Options, big: (i32, i32)) -> Self {
        let rng = Rng::new(o.seed);
        let psn = w.suppliers.iter().position(|s| s.psn).unwrap_or(0);
        Self {
            w,
            o,
            rng,
            big,
            projects: Vec::new(),
            psn,
            school_houses: Vec::new(),
            general: Vec::new(),
            verifiers: Vec::new(),
            new_bodies: 0,
            new_suppliers: 0,
            actors: vec![ActorRow {
                account: None,
                role: "SYSTEM",
                name: "nuvola seed-national".to_owned(),
            }],
            actor_of_supplier: HashMap::new(),
            actor_of_body: HashMap::new(),
            events: Vec::new(),
            service_count: 0,
        }
    }

    fn scaled(&self, n: usize) -> usize {
        (n as f64 * self.o.scale).round() as usize
    }

    fn next_id(&mut self, table: &'static str) -> i32 {
        let slot = self.w.next_ids.entry(table).or_insert(1);
        let id = *slot;
        *slot += 1;
        id
    }

    /// Decides every body, supplier and project (and their dates) before writing.
    fn plan(&mut self) {
        self.plan_bodies();
        self.plan_suppliers();
        self.plan_projects();
    }

    fn plan_bodies(&mut self) {
        let mut rng = self.rng.fork(1);
        let existing = self.w.bodies.len();
        let extra = self.scaled(NATIONAL_ADMINISTRATIONS.saturating_sub(existing));
        // The national mix beyond the open data: the comuni not in it (7,896 in all),
        // the province and città metropolitane, health agencies, and schools for the rest.
        let comuni = self.scaled(742);
        let metro = self.scaled(names::METROPOLITAN_CITIES.len());
        let province = self.scaled(86);
        let asl = self.scaled(180);
        let schools = extra.saturating_sub(comuni + metro + province + asl);
        // Places to put new schools and agencies: the comuni the open data knows.
        let places: Vec<usize> = (0..self.w.bodies.len())
            .filter(|&i| self.w.bodies[i].comune_istat.is_some())
            .collect();
        let mut provinces: Vec<(String, String, String, Option<String>, String)> = Vec::new();
        let mut seen_prov = HashSet::new();
        let mut capital: HashMap<String, HashMap<String, usize>> = HashMap::new();
        for b in &self.w.bodies {
            if let (Some(p), Some(pi)) = (&b.provincia, &b.provincia_istat) {
                if let Some(c) = &b.comune {
                    *capital
                        .entry(p.clone())
                        .or_default()
                        .entry(c.clone())
                        .or_default() += 1;
                }
                if seen_prov.insert(p.clone()) {
                    provinces.push((
                        p.clone(),
                        pi.clone(),
                        b.region.clone(),
                        b.region_istat.clone(),
                        String::new(),
                    ));
                }
            }
        }
        provinces.sort();
        for p in &mut provinces {
            if let Some(m) = capital.get(&p.0) {
                let mut best: Vec<(&String, &usize)> = m.iter().collect();
                best.sort_by(|a, b| b.1.cmp(a.1).then(a.0.cmp(b.0)));
                if let Some((name, _)) = best.first() {
                    p.4 = (*name).clone();
                }
            }
        }
        let mut ipas: HashSet<String> = self
            .w
            .bodies
            .iter()
            .map(|b| b.ipa.to_ascii_lowercase())
            .collect();
        let mut istat: HashSet<String> = self
            .w
            .bodies
            .iter()
            .filter_map(|b| b.comune_istat.clone())
            .collect();
        let mut town_names: HashSet<String> = self
            .w
            .bodies
            .iter()
            .filter_map(|b| b.comune.clone())
            .collect();
        let mut next_istat: HashMap<String, u32> = HashMap::new();
        let mut unique = |rng: &mut Rng, make: &mut dyn FnMut(&mut Rng) -> String| -> String {
            for _ in 0..1000 {
                let c = make(rng);
                if ipas.insert(c.to_ascii_lowercase()) {
                    return c;
                }
            }
            String::new()
        };
        let push = |gen: &mut Generator, b: Body| {
            gen.w.bodies.push(b);
            gen.new_bodies += 1;
        };
        // Comuni.
        for _ in 0..comuni {
            let Some(p) = rng.pick(&provinces).cloned() else {
                break;
            };
            let mut name = String::new();
            for _ in 0..100 {
                let candidate = format!(
                    "{} {}{}",
                    rng.pick(names::TOWN_PREFIXES).copied().unwrap_or("San"),
                    rng.pick(names::TOWN_STEMS).copied().unwrap_or("Martino"),
                    rng.pick(names::TOWN_SUFFIXES).copied().unwrap_or("")
                );
                if town_names.insert(candidate.clone()) {
                    name = candidate;
                    break;
                }
            }
            let seq = next_istat.entry(p.1.clone()).or_insert(500);
            let mut code = format!("{}{:03}", p.1, *seq);
            while !istat.insert(code.clone()) {
                *seq += 1;
                code = format!("{}{:03}", p.1, *seq);
            }
            *seq += 1;
            let ipa = unique(&mut rng, &mut |r: &mut Rng| {
                let letter = (b'n' + r.below(12) as u8) as char;
                format!("c_{letter}{:03}", r.below(1000))
            });
            let population = (rng.normal() * 1.2 + 7.9).exp().clamp(40.0, 400_000.0) as i64;
            let id = self.next_id("administration");
            push(
                self,
                Body {
                    id,
                    ipa,
                    name: format!("Comune di {name}"),
                    kind: Kind::Comune,
                    comune: Some(name),
                    comune_istat: Some(code),
                    provincia: Some(p.0.clone()),
                    provincia_istat: Some(p.1.clone()),
                    region: p.2.clone(),
                    region_istat: p.3.clone(),
                    population: Some(population),
                    generated: true,
                    demo: false,
                },
            );
        }
        // Città metropolitane and province.
        let metro_siglas: HashSet<&str> =
            names::METROPOLITAN_CITIES.iter().map(|(s, _)| *s).collect();
        let mut metro_list: Vec<_> = provinces
            .iter()
            .filter(|p| metro_siglas.contains(p.0.as_str()))
            .cloned()
            .collect();
        let mut prov_list: Vec<_> = provinces
            .iter()
            .filter(|p| !metro_siglas.contains(p.0.as_str()))
            .cloned()
            .collect();
        rng.shuffle(&mut metro_list);
        rng.shuffle(&mut prov_list);
        for (kind, list, n) in [
            (Kind::Metropolitana, metro_list, metro),
            (Kind::Provincia, prov_list, province),
        ] {
            for p in list.into_iter().take(n) {
                let town = names::METROPOLITAN_CITIES
                    .iter()
                    .find(|(s, _)| *s == p.0)
                    .map_or_else(|| p.4.clone(), |(_, n)| (*n).to_owned());
                let (prefix, title) = match kind {
                    Kind::Metropolitana => ("cm", "Città metropolitana di"),
                    _ => ("p", "Provincia di"),
                };
                let sigla = p.0.to_ascii_lowercase();
                let ipa = unique(&mut rng, &mut |r: &mut Rng| {
                    if r.chance(0.9) {
                        format!("{prefix}_{sigla}")
                    } else {
                        format!("{prefix}_{sigla}{}", r.below(10))
                    }
                });
                let population = rng.between(90_000, 1_200_000);
                let id = self.next_id("administration");
                push(
                    self,
                    Body {
                        id,
                        ipa,
                        name: format!("{title} {town}"),
                        kind,
                        comune: Some(town),
                        comune_istat: None,
                        provincia: Some(p.0.clone()),
                        provincia_istat: Some(p.1.clone()),
                        region: p.2.clone(),
                        region_istat: p.3.clone(),
                        population: Some(population),
                        generated: true,
                        demo: false,
                    },
                );
            }
        }
        // Health agencies and schools, in the comuni of the open data.
        for (kind, n) in [(Kind::AslAo, asl), (Kind::Scuola, schools)] {
            for _ in 0..n {
                let Some(&place) = rng.pick(&places) else {
                    break;
                };
                let at = self.w.bodies[place].clone();
                let town = at.comune.clone().unwrap_or_default();
                let sigla = at
                    .provincia
                    .clone()
                    .unwrap_or_default()
                    .to_ascii_lowercase();
                let (ipa, name, population) = if kind == Kind::Scuola {
                    let (code, label) = *rng.pick(names::SCHOOL_KINDS).unwrap_or(&("ic", "I.C."));
                    let ipa = unique(&mut rng, &mut |r: &mut Rng| {
                        let check = (b'a' + r.below(26) as u8) as char;
                        format!("istsc_{sigla}{code}{:03}00{check}", r.below(1000))
                    });
                    let person = rng
                        .pick(names::PEOPLE)
                        .copied()
                        .unwrap_or("Dante Alighieri");
                    (
                        ipa,
                        format!("{label} \"{person}\" - {town}"),
                        rng.between(250, 1_600),
                    )
                } else {
                    let hospital = rng.chance(0.4);
                    let ipa = unique(&mut rng, &mut |r: &mut Rng| {
                        if hospital {
                            format!("ao_{sigla}{}", r.below(100))
                        } else {
                            format!("asl_{sigla}{}", r.below(100))
                        }
                    });
                    let name = if hospital {
                        format!("Azienda Ospedaliera di {town}")
                    } else {
                        format!(
                            "Azienda Sanitaria Locale {} {}",
                            at.provincia.clone().unwrap_or_default(),
                            rng.between(1, 5)
                        )
                    };
                    (ipa, name, rng.between(150_000, 1_100_000))
                };
                let id = self.next_id("administration");
                push(
                    self,
                    Body {
                        id,
                        ipa,
                        name,
                        kind,
                        population: Some(population),
                        generated: true,
                        demo: false,
                        ..at
                    },
                );
            }
        }
    }

    fn plan_suppliers(&mut self) {
        let mut rng = self.rng.fork(2);
        let mut vats: HashSet<String> = self.w.suppliers.iter().map(|s| s.vat.clone()).collect();
        let big = self.w.suppliers.iter().position(|s| s.id == self.big.0);
        let mut supplier_names: HashSet<String> =
            self.w.suppliers.iter().map(|s| s.name.clone()).collect();
        for i in 0..GENERATED_SUPPLIERS {
            let vat = loop {
                let first10 = format!("{:07}{:03}", rng.below(10_000_000), rng.between(1, 121));
                let v = vat_with_check(&first10);
                if vats.insert(v.clone()) {
                    break v;
                }
            };
            let house = i + 1 < names::SCHOOL_HOUSES.len();
            let name = if house {
                names::SCHOOL_HOUSES[i + 1].to_owned()
            } else {
                loop {
                    let n = format!(
                        "{} {} {}",
                        rng.pick(names::SUPPLIER_FIRST).copied().unwrap_or("Nova"),
                        rng.pick(names::SUPPLIER_SECOND).copied().unwrap_or("Cloud"),
                        rng.pick(names::SUPPLIER_FORMS).copied().unwrap_or("S.r.l.")
                    );
                    if supplier_names.insert(n.clone()) {
                        break n;
                    }
                    if rng.chance(0.2) {
                        let n = format!("{n} {}", i);
                        supplier_names.insert(n.clone());
                        break n;
                    }
                }
            };
            let id = self.next_id("supplier");
            let mut offerings = Vec::new();
            let count = if house { 2 } else { rng.between(1, 4) as usize };
            for k in 0..count {
                let model = if house {
                    "SAAS"
                } else {
                    ["SAAS", "SAAS", "PAAS", "IAAS"][(k + rng.below(4) as usize) % 4]
                };
                let class = match rng.weighted(&[60.0, 35.0, 5.0]) {
                    0 => 0,
                    1 => 1,
                    _ => 2,
                };
                let oid = self.next_id("cloud_offering");
                offerings.push(Offering {
                    id: oid,
                    model,
                    class,
                });
            }
            let account = self.next_id("account");
            self.w.suppliers.push(Sup {
                id,
                vat: vat.clone(),
                name,
                psn: false,
                offerings,
                account: Some(account),
                username: format!("fornitore.{vat}"),
                generated: true,
            });
            self.new_suppliers += 1;
            let idx = self.w.suppliers.len() - 1;
            if house {
                self.school_houses.push(idx);
            } else {
                self.general.push(idx);
            }
        }
        if let Some(b) = big {
            self.school_houses.insert(0, b);
        }
        // The demo's own suppliers take part too, as general suppliers.
        for (i, s) in self.w.suppliers.iter().enumerate() {
            if !s.generated && !s.psn && Some(i) != big && !s.offerings.is_empty() {
                self.general.push(i);
            }
        }
        for k in 0..GENERATED_VERIFIERS {
            let id = self.next_id("account");
            self.verifiers
                .push((id, format!("asseveratore.{:02}", k + 1)));
        }
        self.verifiers.push(self.w.verifier.clone());
        // Actors: 0 system, then the department, verifiers, suppliers.
        self.actors.push(ActorRow {
            account: Some(self.w.department.0),
            role: "DEPARTMENT",
            name: self.w.department.1.clone(),
        });
        for v in &self.verifiers {
            self.actors.push(ActorRow {
                account: Some(v.0),
                role: "VERIFIER",
                name: v.1.clone(),
            });
        }
        for (i, s) in self.w.suppliers.iter().enumerate() {
            if let Some(a) = s.account {
                self.actor_of_supplier.insert(i, self.actors.len() as u32);
                self.actors.push(ActorRow {
                    account: Some(a),
                    role: if s.psn { "PSN" } else { "SUPPLIER" },
                    name: s.username.clone(),
                });
            }
        }
    }

    fn body_actor(&mut self, body: usize) -> u32 {
        if let Some(a) = self.actor_of_body.get(&body) {
            return *a;
        }
        let b = &self.w.bodies[body];
        let id = self.actors.len() as u32;
        self.actors.push(ActorRow {
            account: None,
            role: "ADMINISTRATION",
            name: format!("referente {}", b.ipa),
        });
        self.actor_of_body.insert(body, id);
        id
    }

    fn plan_projects(&mut self) {
        let mut rng = self.rng.fork(3);
        let index_of: HashMap<i32, usize> = self
            .w
            .bodies
            .iter()
            .enumerate()
            .map(|(i, b)| (b.id, i))
            .collect();
        let calls = self.w.calls.clone();
        let call_of: HashMap<i32, CallInfo> = calls.iter().map(|c| (c.id, c.clone())).collect();
        let school_amounts: Vec<i64> = self
            .w
            .core
            .iter()
            .filter(|c| call_of.get(&c.call).is_some_and(|k| k.kind == Kind::Scuola))
            .map(|c| c.amount)
            .filter(|a| *a >= 553)
            .collect();
        let comune_amounts: Vec<i64> = self
            .w
            .core
            .iter()
            .filter(|c| call_of.get(&c.call).is_some_and(|k| k.kind == Kind::Comune))
            .map(|c| c.amount)
            .filter(|a| *a > 0)
            .collect();
        // The open data's funded projects, each with probability `scale` (all at 1.0).
        let core = self.w.core.clone();
        for c in &core {
            if c.state != "FUNDED" || !rng.chance(self.o.scale) {
                continue;
            }
            let Some(&body) = index_of.get(&c.body) else {
                continue;
            };
            if self.w.bodies[body].demo {
                continue;
            }
            let Some(call) = call_of.get(&c.call) else {
                continue;
            };
            let kind = self.w.bodies[body].kind;
            let services = if kind == Kind::Scuola {
                (c.amount / 553).clamp(1, 23) as usize
            } else {
                rng.between(8, 19) as usize
            };
            let submitted = c.submitted.unwrap_or_else(|| day_ts(call.opens, &mut rng));
            let funded = c.funded.unwrap_or(call.closes);
            let mut p = Project {
                id: c.id,
                body,
                call: c.call,
                cup: c.cup.clone(),
                amount: c.amount,
                services,
                core: true,
                placeholder_plan: c.placeholder_plan,
                reached: FUNDED,
                exit: None,
                at: [0; 9],
                exit_at: 0,
                supplier: 0,
                verifier: 0,
                time_window: 0,
                protocol: 0,
            };
            // The open data says A: somewhere between FUNDED and PAYMENT_REQUESTED.
            let w = [0.0, 6.0, 8.0, 20.0, 9.0, 12.0, 6.0, 12.0, 0.0];
            p.reached = rng.weighted(&w);
            p.at[0] = submitted;
            p.at[FUNDED] = day_ts(funded, &mut rng);
            self.date_stages(&mut p, &mut rng);
            self.projects.push(p);
        }
        // New projects: first one for every generated body of a kind with a call, then
        // further calls for the bodies that have had one.
        let extra = self.scaled(NATIONAL_PROJECTS.saturating_sub(self.w.core.len()));
        let mut candidates: Vec<usize> = (0..self.w.bodies.len())
            .filter(|&i| self.w.bodies[i].generated)
            .collect();
        let mut all: Vec<usize> = (0..self.w.bodies.len())
            .filter(|&i| !self.w.bodies[i].demo && self.w.bodies[i].kind != Kind::Altro)
            .collect();
        rng.shuffle(&mut all);
        candidates.extend(all);
        let mut used: HashSet<(usize, i32)> = core
            .iter()
            .filter_map(|c| index_of.get(&c.body).map(|b| (*b, c.call)))
            .collect();
        let mut made = 0;
        let mut seq: u64 = 0;
        for body in candidates {
            if made >= extra {
                break;
            }
            let kind = self.w.bodies[body].kind;
            let call_kind = if kind == Kind::Metropolitana {
                Kind::Provincia
            } else {
                kind
            };
            let options: Vec<&CallInfo> = calls
                .iter()
                .filter(|c| c.kind == call_kind && !used.contains(&(body, c.id)))
                .collect();
            let Some(call) = rng.pick(&options).copied().cloned() else {
                continue;
            };
            used.insert((body, call.id));
            let services = match kind {
                Kind::Scuola => 0,
                Kind::AslAo => rng.between(8, 24) as usize,
                Kind::Provincia | Kind::Metropolitana => rng.between(6, 18) as usize,
                _ => rng.between(8, 19) as usize,
            };
            let (amount, services) = match kind {
                Kind::Scuola => {
                    let a = rng.pick(&school_amounts).copied().unwrap_or(553 * 12);
                    (a, (a / 553).clamp(1, 23) as usize)
                }
                Kind::AslAo => {
                    let per = if rng.chance(0.5) { 34_050 } else { 44_265 };
                    (per * services as i64, services)
                }
                Kind::Provincia | Kind::Metropolitana => (rng.between(150_000, 900_000), services),
                _ => (
                    rng.pick(&comune_amounts).copied().unwrap_or(47_427),
                    services,
                ),
            };
            let year = call.opens.year() % 100;
            let cup = loop {
                seq += 1;
                let letter = (b'A' + rng.below(10) as u8) as char;
                let c = format!(
                    "{letter}{:02}C{year:02}{:09}",
                    rng.below(100),
                    900_000_000 + seq
                );
                if self.w.cups.insert(c.clone()) {
                    break c;
                }
            };
            let id = self.next_id("application");
            let recent = call.opens.year() >= 2025;
            let span = (call.closes - call.opens).num_days().max(1);
            let submitted = day_ts(
                call.opens + chrono::Days::new(rng.below(span as u64)),
                &mut rng,
            );
            let mut p = Project {
                id,
                body,
                call: call.id,
                cup,
                amount,
                services,
                core: false,
                placeholder_plan: false,
                reached: 0,
                exit: None,
                at: [0; 9],
                exit_at: 0,
                supplier: 0,
                verifier: 0,
                time_window: rng.between(1, 12) as i32,
                protocol: rng.between(1, 40_000) as i32,
            };
            p.at[0] = submitted;
            if recent {
                // SUBMITTED, FUNDED, CONTRACTED, MIGRATING, renounced.
                match rng.weighted(&[25.0, 35.0, 20.0, 15.0, 5.0]) {
                    4 => {
                        p.reached = FUNDED;
                        p.exit = Some(Exit::Renounced);
                    }
                    r => p.reached = r,
                }
            } else {
                let w = [
                    0.0, 5.0, 6.0, 14.0, 7.0, 9.0, 4.0, 8.0, 30.0, // path
                    13.0, 4.0, // renounced, revoked
                ];
                match rng.weighted(&w) {
                    9 => {
                        p.reached = rng.between(FUNDED as i64, MIGRATING as i64) as usize;
                        p.exit = Some(Exit::Renounced);
                    }
                    10 => {
                        p.reached =
                            rng.between(CONTRACTED as i64, UNDER_VERIFICATION as i64) as usize;
                        p.exit = Some(Exit::Revoked);
                    }
                    r => p.reached = r,
                }
            }
            if p.reached >= FUNDED {
                let funded = call.closes + chrono::Days::new(rng.between(20, 120) as u64);
                p.at[FUNDED] = day_ts(funded.min(as_of()), &mut rng).max(submitted + DAY);
            }
            self.date_stages(&mut p, &mut rng);
            self.projects.push(p);
            made += 1;
        }
        // Suppliers: the big one takes its share of contracted school projects, the
        // other school houses most of the rest, the long tail what remains.
        let mut school_contracted: Vec<usize> = (0..self.projects.len())
            .filter(|&i| {
                self.projects[i].reached >= CONTRACTED
                    && self.w.bodies[self.projects[i].body].kind == Kind::Scuola
            })
            .collect();
        rng.shuffle(&mut school_contracted);
        let big_share = self
            .scaled(BIG_SUPPLIER_PROJECTS)
            .min(school_contracted.len());
        let big: HashSet<usize> = school_contracted.into_iter().take(big_share).collect();
        let houses = self.school_houses.clone();
        let general = self.general.clone();
        let zipf: Vec<f64> = (0..general.len()).map(|i| 1.0 / (i as f64 + 1.5)).collect();
        for i in 0..self.projects.len() {
            let kind = self.w.bodies[self.projects[i].body].kind;
            let supplier = if big.contains(&i) {
                houses.first().copied().unwrap_or(self.psn)
            } else if kind == Kind::Scuola && houses.len() > 1 && rng.chance(0.85) {
                houses
                    [1 + rng.weighted(&[30.0, 22.0, 15.0, 10.0, 6.0][..(houses.len() - 1).min(5)])]
            } else if kind == Kind::AslAo && rng.chance(0.5) {
                self.psn
            } else {
                general
                    .get(rng.weighted(&zipf))
                    .copied()
                    .unwrap_or(self.psn)
            };
            self.projects[i].supplier = supplier;
            self.projects[i].verifier = rng.below(self.verifiers.len() as u64) as usize;
            self.service_count += self.projects[i].services;
        }
    }

    /// Dates the stages after FUNDED (already dated), and the exit, within [`AS_OF`].
    fn date_stages(&self, p: &mut Project, rng: &mut Rng) {
        let end = day_ts(as_of(), rng);
        let gaps: [(i64, i64); 9] = [
            (0, 0),
            (0, 0),
            (30, 200), // contract
            (10, 60),  // migration starts
            (60, 400), // completion
            (5, 60),   // verifier assigned
            (10, 90),  // verified
            (5, 40),   // payment requested
            (20, 120), // paid
        ];
        let last = if p.exit.is_some() {
            p.reached + 1
        } else {
            p.reached
        };
        let mut days: Vec<i64> = (FUNDED + 1..=last.min(8))
            .map(|s| rng.between(gaps[s].0, gaps[s].1))
            .collect();
        if p.exit.is_some() {
            days.push(rng.between(20, 300));
        }
        let start = p.at[FUNDED].max(p.at[0]);
        let available = ((end - start) / DAY).max(days.len() as i64 + 1);
        let total: i64 = days.iter().sum();
        if total > available {
            for d in &mut days {
                *d = (*d * available / total.max(1)).max(1);
            }
        }
        let mut t = start;
        for (k, s) in (FUNDED + 1..=p.reached).enumerate() {
            t += days.get(k).copied().unwrap_or(1) * DAY + rng.between(-3600, 3600);
            p.at[s] = t.min(end);
        }
        if p.exit.is_some() {
            t += days.last().copied().unwrap_or(1) * DAY;
            p.exit_at = t.min(end);
        }
    }

    fn estimate_rows(&self) -> u64 {
        let services = self.service_count as u64;
        let target_events = self.scaled(NATIONAL_EVENTS) as u64;
        self.new_bodies as u64
            + self.new_suppliers as u64 * 4
            + self.projects.len() as u64
            + services * 3
            + target_events.max(services * 6)
    }

    // -----------------------------------------------------------------------------
    // Writing

    async fn write(&mut self, out: &mut Sink<'_>) -> Result<()> {
        self.write_bodies(out).await?;
        self.write_suppliers(out).await?;
        self.write_projects(out).await?;
        self.write_logins();
        self.write_events(out).await?;
        Ok(())
    }

    async fn write_bodies(&mut self, out: &mut Sink<'_>) -> Result<()> {
        let mut t = Table::new(
            "administration",
            &[
                "id",
                "ipa_code",
                "ipa_key",
                "name",
                "type_code",
                "type_label",
                "comune",
                "comune_istat",
                "provincia",
                "provincia_istat",
                "region",
                "region_istat",
                "population",
                "created_at",
                "updated_at",
            ],
        );
        let created = day_ts(as_of(), &mut self.rng.fork(9));
        for b in self.w.bodies.iter().filter(|b| b.generated) {
            let key = b.ipa.to_ascii_lowercase();
            out.row(
                &mut t,
                &[
                    V::Int(i64::from(b.id)),
                    V::Str(&b.ipa),
                    V::Str(&key),
                    V::Str(&b.name),
                    V::Str(b.kind.code()),
                    V::Str(b.kind.label()),
                    b.comune.as_ref().into(),
                    b.comune_istat.as_ref().into(),
                    b.provincia.as_ref().into(),
                    b.provincia_istat.as_ref().into(),
                    V::Str(&b.region),
                    b.region_istat.as_ref().into(),
                    b.population.into(),
                    V::Ts(created),
                    V::Ts(created),
                ],
            )
            .await?;
        }
        out.flush(&mut t).await
    }

    async fn write_suppliers(&mut self, out: &mut Sink<'_>) -> Result<()> {
        let created = day_ts(
            NaiveDate::from_ymd_opt(2022, 3, 1).unwrap_or_default(),
            &mut self.rng.fork(10),
        );
        let mut s_t = Table::new(
            "supplier",
            &[
                "id",
                "vat_number",
                "name",
                "is_psn",
                "qualified_until",
                "created_at",
                "updated_at",
            ],
        );
        let mut o_t = Table::new(
            "cloud_offering",
            &[
                "id",
                "supplier_id",
                "code",
                "name",
                "service_model",
                "deployment_model",
                "max_data_class",
                "qualification_level",
                "qualified_on",
                "qualified_until",
                "created_at",
            ],
        );
        let mut a_t = Table::new(
            "account",
            &[
                "id",
                "username",
                "password_hash",
                "role",
                "administration_id",
                "supplier_id",
                "display_name",
                "disabled",
                "created_at",
                "updated_at",
            ],
        );
        let mut rng = self.rng.fork(11);
        for s in self.w.suppliers.iter().filter(|s| s.generated) {
            let until =
                NaiveDate::from_ymd_opt(2027 + rng.below(3) as i32, 1 + rng.below(12) as u32, 1)
                    .unwrap_or_default();
            out.push(
                &mut s_t,
                &[
                    V::Int(i64::from(s.id)),
                    V::Str(&s.vat),
                    V::Str(&s.name),
                    V::Bool(false),
                    V::Date(until),
                    V::Ts(created),
                    V::Ts(created),
                ],
            );
            for (k, o) in s.offerings.iter().enumerate() {
                let code = format!("{}-{}-{}", s.vat, o.model, k + 1);
                let name = match o.model {
                    "IAAS" => "Infrastruttura qualificata (IaaS)",
                    "PAAS" => "Piattaforma applicativa (PaaS)",
                    _ => "Applicativi per la PA (SaaS)",
                };
                let on = until
                    .checked_sub_months(chrono::Months::new(36))
                    .unwrap_or(until);
                out.push(
                    &mut o_t,
                    &[
                        V::Int(i64::from(o.id)),
                        V::Int(i64::from(s.id)),
                        V::Str(&code),
                        V::Str(name),
                        V::Str(o.model),
                        V::Str("PUBLIC"),
                        V::Str(class_code(o.class)),
                        V::Str(["QC1", "QC2", "QC3"][usize::from(o.class)]),
                        V::Date(on),
                        V::Date(until),
                        V::Ts(created),
                    ],
                );
            }
            if let Some(a) = s.account {
                let display = format!("{} (P.IVA {})", s.name, s.vat);
                out.push(
                    &mut a_t,
                    &[
                        V::Int(i64::from(a)),
                        V::Str(&s.username),
                        V::Str(&self.w.supplier_hash),
                        V::Str("SUPPLIER"),
                        V::Null,
                        V::Int(i64::from(s.id)),
                        V::Str(&display),
                        V::Bool(false),
                        V::Ts(created),
                        V::Ts(created),
                    ],
                );
            }
        }
        for (id, name) in self.verifiers.iter().filter(|v| v.0 != self.w.verifier.0) {
            out.push(
                &mut a_t,
                &[
                    V::Int(i64::from(*id)),
                    V::Str(name),
                    V::Str(&self.w.verifier_hash),
                    V::Str("VERIFIER"),
                    V::Null,
                    V::Null,
                    V::Str(&format!("Asseveratore {}", &name[name.len() - 2..])),
                    V::Bool(false),
                    V::Ts(created),
                    V::Ts(created),
                ],
            );
        }
        // Parents first: a row never refers to one not written yet.
        out.flush(&mut s_t).await?;
        out.flush(&mut o_t).await?;
        out.flush(&mut a_t).await
    }

    #[allow(clippy::too_many_arguments)]
    fn ev(
        &mut self,
        at: i64,
        app: i32,
        entity: i32,
        actor: u32,
        kind: EvKind,
        a: u8,
        b: u8,
        n: u32,
    ) {
        self.events.push(Ev {
            at,
            app,
            entity,
            actor,
            n,
            kind,
            a,
            b,
        });
    }

    fn state_event(&mut self, p: &Project, at: i64, from: &str, to: &str, actor: u32) {
        let idx = |s: &str| -> u8 {
            PATH.iter().position(|x| *x == s).map_or(
                match s {
                    "RENOUNCED" => 9,
                    _ => 10,
                },
                |i| i as u8,
            )
        };
        let (a, b) = (idx(from), idx(to));
        self.ev(at, p.id, p.id, actor, EvKind::StateChanged, a, b, 0);
    }

    async fn write_projects(&mut self, out: &mut Sink<'_>) -> Result<()> {
        let mut app_t = Table::new(
            "application",
            &[
                "id",
                "administration_id",
                "call_id",
                "cup",
                "amount_eur",
                "state",
                "submitted_at",
                "funded_on",
                "decree_ref",
                "time_window",
                "protocol_number",
                "state_changed_on",
                "contract_on",
                "verifier_account_id",
                "verification_outcome",
                "verification_outcome_at",
                "state_reason",
                "renunciation_requested_at",
                "renunciation_reason",
                "version",
                "created_at",
                "updated_at",
            ],
        );
        let mut ps_t = Table::new(
            "planned_service",
            &[
                "id",
                "application_id",
                "catalogue_service_id",
                "name",
                "data_class",
                "modality",
                "origin",
                "destination",
                "offering_id",
                "supplier_id",
                "status",
                "contract_on",
                "cutover_start",
                "cutover_end",
                "version",
                "created_at",
                "updated_at",
            ],
        );
        let mut as_t = Table::new(
            "assessment",
            &[
                "id",
                "planned_service_id",
                "version",
                "application_name",
                "cpu_cores",
                "memory_gb",
                "storage_gb",
                "users",
                "destination",
                "provider_activated_on",
                "migration_started_on",
                "go_live_on",
                "submitted_by",
                "created_at",
            ],
        );
        let mut vr_t = Table::new(
            "verification_request",
            &[
                "id",
                "application_id",
                "opened_by",
                "title",
                "body",
                "due_on",
                "state",
                "opened_at",
                "answered_at",
                "answer_note",
                "answered_by",
                "closed_at",
                "version",
            ],
        );
        let mut doc_t = Table::new(
            "document",
            &[
                "id",
                "application_id",
                "request_id",
                "planned_service_id",
                "kind",
                "file_name",
                "content_type",
                "size_bytes",
                "sha256",
                "storage_key",
                "uploaded_by",
                "uploaded_at",
            ],
        );
        let mut no_t = Table::new(
            "notification",
            &[
                "id",
                "account_id",
                "recipient_role",
                "administration_id",
                "application_id",
                "kind",
                "message",
                "message_en",
                "created_at",
                "read_at",
                "delivered_at",
                "dedupe_key",
            ],
        );
        let mut rng = self.rng.fork(4);
        let projects = std::mem::take(&mut self.projects);
        let psn_offerings = self.w.suppliers[self.psn].offerings.clone();
        for p in &projects {
            let body = self.w.bodies[p.body].clone();
            let body_actor = self.body_actor(p.body);
            let sup = self.w.suppliers[p.supplier].clone();
            let sup_actor = self
                .actor_of_supplier
                .get(&p.supplier)
                .copied()
                .unwrap_or(0);
            let psn_actor = self.actor_of_supplier.get(&self.psn).copied().unwrap_or(0);
            let verifier = self.verifiers[p.verifier].clone();
            let verifier_actor = 2 + p.verifier as u32;
            let dept_actor = 1;
            let contract_at = (p.reached >= CONTRACTED).then(|| p.at[CONTRACTED]);
            let contract_on = contract_at.map(date_of);
            // The project row.
            let state = p.state();
            let mut version = 1 + p.reached.saturating_sub(if p.core { FUNDED } else { 0 }) as i64;
            if p.exit.is_some() {
                version += 1;
            }
            let outcome_at = (p.reached >= VERIFIED).then(|| p.at[VERIFIED]);
            let changed_on = date_of(p.last_change());
            if p.core {
                let mut sets = vec![
                    format!("state = '{state}'"),
                    format!("state_changed_on = '{}'", changed_on.format("%F")),
                    format!("version = {version}"),
                ];
                if let Some(d) = contract_on {
                    sets.push(format!("contract_on = '{}'", d.format("%F")));
                }
                if p.reached >= UNDER_VERIFICATION {
                    sets.push(format!("verifier_account_id = {}", verifier.0));
                }
                if let Some(at) = outcome_at {
                    let ts = chrono::DateTime::from_timestamp(at, 0)
                        .unwrap_or_default()
                        .to_rfc3339_opts(chrono::SecondsFormat::AutoSi, false);
                    sets.push("verification_outcome = 'POSITIVE'".to_owned());
                    sets.push(format!("verification_outcome_at = '{ts}'"));
                }
                out.execute(&format!(
                    "UPDATE application SET {} WHERE id = {}",
                    sets.join(", "),
                    p.id
                ))
                .await?;
            } else {
                let funded = (p.reached >= FUNDED).then(|| date_of(p.at[FUNDED]));
                let decree = funded.map(|d| {
                    format!(
                        "Decreto n. {}-{}/{}",
                        rng.between(1, 300),
                        d.month(),
                        d.year()
                    )
                });
                let renounce_at = (p.exit == Some(Exit::Renounced)).then(|| p.exit_at - 20 * DAY);
                let reason = match p.exit {
                    Some(Exit::Renounced) => {
                        Some("Rinuncia dell'ente: risorse interne insufficienti per la migrazione")
                    }
                    Some(Exit::Revoked) => Some("Revoca: termine di completamento superato"),
                    None => None,
                };
                let created = p.at[0];
                out.push(
                    &mut app_t,
                    &[
                        V::Int(i64::from(p.id)),
                        V::Int(i64::from(body.id)),
                        V::Int(i64::from(p.call)),
                        V::Str(&p.cup),
                        V::Int(p.amount),
                        V::Str(state),
                        V::Ts(p.at[0]),
                        funded.map_or(V::Null, V::Date),
                        decree.as_ref().into(),
                        if p.reached >= FUNDED {
                            V::Int(i64::from(p.time_window))
                        } else {
                            V::Null
                        },
                        V::Int(i64::from(p.protocol)),
                        V::Date(changed_on),
                        contract_on.map_or(V::Null, V::Date),
                        if p.reached >= UNDER_VERIFICATION {
                            V::Int(i64::from(verifier.0))
                        } else {
                            V::Null
                        },
                        if outcome_at.is_some() {
                            V::Str("POSITIVE")
                        } else {
                            V::Null
                        },
                        outcome_at.map_or(V::Null, V::Ts),
                        reason.into(),
                        renounce_at.map_or(V::Null, V::Ts),
                        if p.exit == Some(Exit::Renounced) {
                            reason.into()
                        } else {
                            V::Null
                        },
                        V::Int(version),
                        V::Ts(created),
                        V::Ts(p.last_change()),
                    ],
                );
            }
            if p.placeholder_plan {
                out.execute(&format!(
                    "DELETE FROM planned_service WHERE application_id = {}",
                    p.id
                ))
                .await?;
            }
            // The project's own events.
            if !p.core && p.reached >= FUNDED {
                self.state_event(p, p.at[FUNDED], "SUBMITTED", "FUNDED", dept_actor);
            }
            let actors_of_stage = [
                0,
                dept_actor,
                body_actor,
                sup_actor,
                body_actor,
                dept_actor,
                verifier_actor,
                body_actor,
                dept_actor,
            ];
            for s in CONTRACTED..=p.reached {
                self.state_event(p, p.at[s], PATH[s - 1], PATH[s], actors_of_stage[s]);
                if s == VERIFIED {
                    self.ev(
                        p.at[s],
                        p.id,
                        p.id,
                        verifier_actor,
                        EvKind::OutcomeRecorded,
                        0,
                        0,
                        0,
                    );
                }
            }
            match p.exit {
                Some(Exit::Renounced) => {
                    self.ev(
                        p.exit_at - 20 * DAY,
                        p.id,
                        p.id,
                        body_actor,
                        EvKind::RenunciationRequested,
                        0,
                        0,
                        0,
                    );
                    self.state_event(p, p.exit_at, PATH[p.reached], "RENOUNCED", dept_actor);
                }
                Some(Exit::Revoked) => {
                    self.ev(
                        p.exit_at - 30 * DAY,
                        p.id,
                        p.id,
                        0,
                        EvKind::DeadlineMissed,
                        0,
                        0,
                        0,
                    );
                    self.state_event(p, p.exit_at, PATH[p.reached], "REVOKED", dept_actor);
                    let nid = self.next_id("notification");
                    let msg = format!(
                        "Il progetto CUP {} ha superato il termine di completamento.",
                        p.cup
                    );
                    let msg_en =
                        format!("Project CUP {} has passed its completion deadline.", p.cup);
                    let key = format!("{COMPLETION_DEADLINE_MISSED}:{}:seed:ADMINISTRATION", p.id);
                    out.push(
                        &mut no_t,
                        &[
                            V::Int(i64::from(nid)),
                            V::Null,
                            V::Str("ADMINISTRATION"),
                            V::Int(i64::from(body.id)),
                            V::Int(i64::from(p.id)),
                            V::Str(COMPLETION_DEADLINE_MISSED),
                            V::Str(&msg),
                            V::Str(&msg_en),
                            V::Ts(p.exit_at - 30 * DAY),
                            V::Null,
                            V::Null,
                            V::Str(&key),
                        ],
                    );
                }
                None => {}
            }
            if p.exit.is_none()
                && p.reached == FUNDED
                && p.at[FUNDED] < day_ts(as_of(), &mut rng) - 300 * DAY
            {
                let nid = self.next_id("notification");
                let msg = format!(
                    "Il progetto CUP {} non ha ancora registrato il contratto con il fornitore.",
                    p.cup
                );
                let msg_en = format!(
                    "Project CUP {} has not yet recorded its contract with the supplier.",
                    p.cup
                );
                let key = format!("{CONTRACT_DEADLINE_MISSED}:{}:seed:ADMINISTRATION", p.id);
                out.push(
                    &mut no_t,
                    &[
                        V::Int(i64::from(nid)),
                        V::Null,
                        V::Str("ADMINISTRATION"),
                        V::Int(i64::from(body.id)),
                        V::Int(i64::from(p.id)),
                        V::Str(CONTRACT_DEADLINE_MISSED),
                        V::Str(&msg),
                        V::Str(&msg_en),
                        V::Ts(p.at[FUNDED] + 280 * DAY),
                        V::Null,
                        V::Null,
                        V::Str(&key),
                    ],
                );
            }
            // The plan.
            let catalogue = self
                .w
                .catalogue
                .get(body.kind.catalogue())
                .cloned()
                .unwrap_or_default();
            let mut picks: Vec<usize> = (0..catalogue.len()).collect();
            rng.shuffle(&mut picks);
            let end = if p.reached >= COMPLETED {
                p.at[COMPLETED]
            } else if p.exit.is_some() {
                p.exit_at
            } else {
                day_ts(as_of(), &mut rng)
            };
            let progress = rng.unit();
            let plan_actor = body_actor;
            for k in 0..p.services.min(catalogue.len()) {
                let (cat_id, cat_name) = &catalogue[picks[k]];
                let sid = self.next_id("planned_service");
                let class = if k == 0 {
                    0
                } else {
                    let w = match body.kind {
                        Kind::Scuola => [97.0, 3.0, 0.0],
                        Kind::AslAo => [40.0, 50.0, 10.0],
                        _ => [75.0, 22.0, 3.0],
                    };
                    rng.weighted(&w) as u8
                };
                let own: Vec<&Offering> =
                    sup.offerings.iter().filter(|o| o.class >= class).collect();
                let (offering, by_psn) = match rng.pick(&own) {
                    Some(o) if !(class == 2 && rng.chance(0.7)) => ((*o).clone(), sup.psn),
                    _ => {
                        let fit: Vec<&Offering> =
                            psn_offerings.iter().filter(|o| o.class >= class).collect();
                        match rng.pick(&fit) {
                            Some(o) => ((*o).clone(), true),
                            None => (
                                sup.offerings.first().cloned().unwrap_or(Offering {
                                    id: 0,
                                    model: "SAAS",
                                    class: 0,
                                }),
                                false,
                            ),
                        }
                    }
                };
                let (svc_supplier, svc_actor) = if by_psn {
                    (self.w.suppliers[self.psn].id, psn_actor)
                } else {
                    (sup.id, sup_actor)
                };
                let modality = if offering.model == "IAAS" { "A" } else { "B" };
                let origin = if modality == "A" || rng.chance(0.8) {
                    "ON_PREMISES"
                } else if offering.model == "SAAS" && rng.chance(0.3) {
                    "NON_QUALIFIED_PAAS"
                } else {
                    "NON_QUALIFIED_IAAS"
                };
                // Its final status, consistent with the project's stage.
                let status = if p.reached >= COMPLETED {
                    MI
                } else if p.reached == MIGRATING {
                    let f = if p.exit.is_some() {
                        progress * 0.5
                    } else {
                        progress
                    };
                    if rng.chance(f) {
                        MI
                    } else {
                        [NS, AS, MG, TE, FA][rng.weighted(&[2.0, 3.0, 5.0, 2.0, 0.5])]
                    }
                } else if p.reached == CONTRACTED {
                    if k == 0 || rng.chance(0.3) {
                        AS
                    } else {
                        NS
                    }
                } else {
                    NS
                };
                let mut steps: Vec<(u8, u8)> = Vec::new();
                let path = [(NS, AS), (AS, MG), (MG, TE)];
                let upto = match status {
                    NS => 0,
                    AS => 1,
                    MG => 2,
                    _ => 3,
                };
                steps.extend_from_slice(&path[..upto]);
                match status {
                    FA => steps.push((TE, FA)),
                    MI => {
                        if rng.chance(0.12) {
                            steps.extend_from_slice(&[(TE, FA), (FA, MG), (MG, TE)]);
                        }
                        steps.push((TE, MI));
                    }
                    _ => {}
                }
                let created = p.at[0];
                self.ev(
                    created,
                    p.id,
                    sid,
                    plan_actor,
                    EvKind::PlanAdded,
                    0,
                    0,
                    cat_idx(cat_id),
                );
                let mut version: i64 = 1;
                let mut svc_contract = None;
                if let Some(at) = contract_at {
                    svc_contract = contract_on;
                    self.ev(
                        at,
                        p.id,
                        sid,
                        body_actor,
                        EvKind::ContractRecorded,
                        0,
                        0,
                        svc_supplier as u32,
                    );
                }
                // Step times: assessed between the contract and the migration's start,
                // the rest between that start and the end.
                let mig_start = if p.reached >= MIGRATING {
                    p.at[MIGRATING]
                } else {
                    end
                };
                let base = contract_at.unwrap_or(p.at[0]);
                let mut times: Vec<i64> = Vec::new();
                for (i, _) in steps.iter().enumerate() {
                    let (lo, hi) = if i == 0 {
                        (base, mig_start.max(base + DAY))
                    } else {
                        (mig_start, end.max(mig_start + DAY))
                    };
                    times.push(rng.between(lo, hi));
                }
                if times.len() > 1 {
                    times[1..].sort_unstable();
                }
                let mut assessments = 0u32;
                let mut cutover: Option<(i64, i64)> = None;
                let mut last_at = created;
                for (i, (from, to)) in steps.iter().enumerate() {
                    let at = times[i].max(last_at + 60);
                    last_at = at;
                    if *to == AS || (*to == MG && rng.chance(0.6)) || (*to == TE && rng.chance(0.5))
                    {
                        assessments += 1;
                        self.ev(
                            at - 3600,
                            p.id,
                            sid,
                            svc_actor,
                            EvKind::AssessmentSubmitted,
                            0,
                            0,
                            assessments,
                        );
                    }
                    if *to == TE && cutover.is_none() {
                        let start = at + rng.between(2, 20) * DAY;
                        cutover = Some((start, start + rng.between(4, 72) * 3600));
                        version += 1;
                        self.ev(
                            at - 1800,
                            p.id,
                            sid,
                            svc_actor,
                            EvKind::CutoverScheduled,
                            0,
                            0,
                            version as u32,
                        );
                    }
                    version += 1;
                    self.ev(
                        at,
                        p.id,
                        sid,
                        svc_actor,
                        EvKind::StatusChanged,
                        *from,
                        *to,
                        version as u32,
                    );
                }
                // Monthly questionnaire updates while migrating.
                if status == MI || status == MG || status == TE {
                    let extra = rng.below(4) as u32;
                    for e in 0..extra {
                        assessments += 1;
                        let at = rng.between(mig_start, end.max(mig_start + DAY));
                        let _ = e;
                        self.ev(
                            at,
                            p.id,
                            sid,
                            svc_actor,
                            EvKind::AssessmentSubmitted,
                            0,
                            0,
                            assessments,
                        );
                    }
                }
                let updated = last_at.max(created);
                out.push(
                    &mut ps_t,
                    &[
                        V::Int(i64::from(sid)),
                        V::Int(i64::from(p.id)),
                        V::Int(i64::from(*cat_id)),
                        V::Str(cat_name),
                        V::Str(class_code(class)),
                        V::Str(modality),
                        V::Str(origin),
                        V::Str(offering.model),
                        if offering.id > 0 {
                            V::Int(i64::from(offering.id))
                        } else {
                            V::Null
                        },
                        if contract_at.is_some() {
                            V::Int(i64::from(svc_supplier))
                        } else {
                            V::Null
                        },
                        V::Str(STATUS[usize::from(status)]),
                        svc_contract.map_or(V::Null, V::Date),
                        cutover.map_or(V::Null, |c| V::Ts(c.0)),
                        cutover.map_or(V::Null, |c| V::Ts(c.1)),
                        V::Int(version),
                        V::Ts(created),
                        V::Ts(updated),
                    ],
                );
                for v in 1..=assessments {
                    let aid = self.next_id("assessment");
                    let at = created + i64::from(v) * 30 * DAY;
                    let app_name = format!(
                        "{} {}",
                        rng.pick(names::APPLICATION_NAMES)
                            .copied()
                            .unwrap_or("Halley"),
                        cat_name
                    );
                    let started_on = (status != NS && status != AS).then(|| date_of(mig_start));
                    let live = (status == MI).then(|| date_of(end));
                    out.push(
                        &mut as_t,
                        &[
                            V::Int(i64::from(aid)),
                            V::Int(i64::from(sid)),
                            V::Int(i64::from(v)),
                            V::Str(&app_name),
                            V::Int(rng.between(1, 16)),
                            V::Int(rng.between(2, 64)),
                            V::Int(rng.between(10, 2_000)),
                            V::Int(rng.between(5, 5_000)),
                            V::Str(offering.model),
                            contract_on.map_or(V::Null, V::Date),
                            started_on.map_or(V::Null, V::Date),
                            live.map_or(V::Null, V::Date),
                            self.actors[svc_actor as usize].account.into(),
                            V::Ts(at.min(end)),
                        ],
                    );
                }
            }
            // Documents: the contract, the conformity form, the payment request.
            for (stage, kind, name) in [
                (CONTRACTED, "CONTRACT", "contratto.pdf"),
                (COMPLETED, "CONFORMITY_FORM", "form-conformita.pdf"),
                (
                    PAYMENT_REQUESTED,
                    "PAYMENT_REQUEST",
                    "domanda-erogazione.pdf",
                ),
            ] {
                if p.reached < stage {
                    continue;
                }
                let did = self.next_id("document");
                let at = p.at[stage] - 7200;
                self.doc_row(out, &mut doc_t, &mut rng, did, p.id, None, kind, name, at);
                self.ev(
                    at,
                    p.id,
                    did,
                    body_actor,
                    EvKind::DocumentUploaded,
                    doc_kind(kind),
                    0,
                    0,
                );
            }
            // Verification requests.
            if p.reached >= UNDER_VERIFICATION && rng.chance(0.6) {
                let requests = if rng.chance(0.25) { 2 } else { 1 };
                let until = if p.reached >= VERIFIED {
                    p.at[VERIFIED]
                } else {
                    day_ts(as_of(), &mut rng)
                };
                for r in 0..requests {
                    let rid = self.next_id("verification_request");
                    let opened = rng.between(
                        p.at[UNDER_VERIFICATION],
                        until.max(p.at[UNDER_VERIFICATION] + DAY),
                    );
                    let state = if p.reached >= VERIFIED || p.exit.is_some() {
                        "CLOSED"
                    } else {
                        ["OPEN", "ANSWERED", "CLOSED"][rng.weighted(&[5.0, 3.0, 2.0])]
                    };
                    let answered = (state != "OPEN").then(|| opened + rng.between(1, 20) * DAY);
                    let closed = (state == "CLOSED")
                        .then(|| answered.unwrap_or(opened) + rng.between(1, 10) * DAY);
                    let title = if r == 0 {
                        "Integrazione documentale: form di conformità"
                    } else {
                        "Evidenze del collaudo dei servizi migrati"
                    };
                    let body_text = "Si chiede di trasmettere la documentazione indicata, firmata digitalmente dal responsabile del procedimento.";
                    out.push(
                        &mut vr_t,
                        &[
                            V::Int(i64::from(rid)),
                            V::Int(i64::from(p.id)),
                            V::Int(i64::from(verifier.0)),
                            V::Str(title),
                            V::Str(body_text),
                            V::Date(date_of(opened + 30 * DAY)),
                            V::Str(state),
                            V::Ts(opened),
                            answered.map_or(V::Null, V::Ts),
                            if answered.is_some() {
                                V::Str("Documentazione allegata.")
                            } else {
                                V::Null
                            },
                            V::Null,
                            closed.map_or(V::Null, V::Ts),
                            V::Int(1 + i64::from(answered.is_some()) + i64::from(closed.is_some())),
                        ],
                    );
                    self.ev(
                        opened,
                        p.id,
                        rid,
                        verifier_actor,
                        EvKind::RequestOpened,
                        0,
                        0,
                        0,
                    );
                    let nid = self.next_id("notification");
                    let msg = format!(
                        "L'asseveratore ha aperto la richiesta «{title}» sul progetto CUP {}.",
                        p.cup
                    );
                    let msg_en = format!(
                        "The verifier opened the request «{title}» on project CUP {}.",
                        p.cup
                    );
                    let key = format!("VERIFICATION_REQUEST_OPENED:{rid}:1");
                    out.push(
                        &mut no_t,
                        &[
                            V::Int(i64::from(nid)),
                            V::Null,
                            V::Str("ADMINISTRATION"),
                            V::Int(i64::from(body.id)),
                            V::Int(i64::from(p.id)),
                            V::Str("VERIFICATION_REQUEST_OPENED"),
                            V::Str(&msg),
                            V::Str(&msg_en),
                            V::Ts(opened),
                            V::Null,
                            V::Null,
                            V::Str(&key),
                        ],
                    );
                    if let Some(at) = answered {
                        let did = self.next_id("document");
                        self.doc_row(
                            out,
                            &mut doc_t,
                            &mut rng,
                            did,
                            p.id,
                            Some(rid),
                            "OTHER",
                            "integrazione.pdf",
                            at - 600,
                        );
                        self.ev(
                            at - 600,
                            p.id,
                            did,
                            body_actor,
                            EvKind::DocumentUploaded,
                            doc_kind("OTHER"),
                            0,
                            0,
                        );
                        self.ev(at, p.id, rid, body_actor, EvKind::RequestAnswered, 0, 0, 0);
                        let nid = self.next_id("notification");
                        let msg = format!(
                            "L'ente ha risposto alla richiesta «{title}» sul progetto CUP {}.",
                            p.cup
                        );
                        let msg_en = format!(
                            "The administration answered the request «{title}» on project CUP {}.",
                            p.cup
                        );
                        let key = format!("VERIFICATION_REQUEST_ANSWERED:{rid}:2");
                        out.push(
                            &mut no_t,
                            &[
                                V::Int(i64::from(nid)),
                                V::Int(i64::from(verifier.0)),
                                V::Str("VERIFIER"),
                                V::Null,
                                V::Int(i64::from(p.id)),
                                V::Str("VERIFICATION_REQUEST_ANSWERED"),
                                V::Str(&msg),
                                V::Str(&msg_en),
                                V::Ts(at),
                                if closed.is_some() {
                                    V::Ts(at + DAY)
                                } else {
                                    V::Null
                                },
                                V::Null,
                                V::Str(&key),
                            ],
                        );
                    }
                    if let Some(at) = closed {
                        self.ev(
                            at,
                            p.id,
                            rid,
                            verifier_actor,
                            EvKind::RequestClosed,
                            0,
                            0,
                            0,
                        );
                    }
                }
            }
        }
        self.projects = projects;
        for t in [
            &mut app_t, &mut ps_t, &mut as_t, &mut vr_t, &mut doc_t, &mut no_t,
        ] {
            out.flush(t).await?;
        }
        Ok(())
    }

    #[allow(clippy::too_many_arguments)]
    fn doc_row(
        &self,
        out: &mut Sink<'_>,
        t: &mut Table,
        rng: &mut Rng,
        id: i32,
        app: i32,
        request: Option<i32>,
        kind: &str,
        name: &str,
        at: i64,
    ) {
        let sha = rng.hex(64);
        let key = format!("seed/{id:09}");
        out.push(
            t,
            &[
                V::Int(i64::from(id)),
                V::Int(i64::from(app)),
                request.map_or(V::Null, |r| V::Int(i64::from(r))),
                V::Null,
                V::Str(kind),
                V::Str(name),
                V::Str("application/pdf"),
                V::Int(rng.between(40_000, 4_000_000)),
                V::Str(&sha),
                V::Str(&key),
                V::Null,
                V::Ts(at),
            ],
        );
    }

    /// Sign-ins of the suppliers, PSN, the verifiers and the department over the last
    /// three years, up to the national figure of events (private: they never show in a
    /// project's history nor move the public cache).
    fn write_logins(&mut self) {
        let target = self.scaled(NATIONAL_EVENTS);
        if self.events.len() >= target {
            return;
        }
        let mut rng = self.rng.fork(5);
        let end = day_ts(as_of(), &mut rng);
        let start = end - 3 * 365 * DAY;
        // Who signs in, weighted by how much work each has.
        let mut weight: HashMap<u32, f64> = HashMap::new();
        for p in &self.projects {
            if let Some(a) = self.actor_of_supplier.get(&p.supplier) {
                *weight.entry(*a).or_default() += p.services as f64;
            }
        }
        weight.insert(1, 2_000.0 * self.o.scale.max(0.01));
        for v in 0..self.verifiers.len() {
            weight.insert(2 + v as u32, 300.0 * self.o.scale.max(0.01));
        }
        let mut who: Vec<(u32, f64)> = weight
            .into_iter()
            .filter(|(a, _)| self.actors[*a as usize].account.is_some())
            .collect();
        who.sort_by_key(|(a, _)| *a);
        let weights: Vec<f64> = who.iter().map(|(_, w)| *w).collect();
        while self.events.len() < target {
            let Some(&(actor, _)) = who.get(rng.weighted(&weights)) else {
                break;
            };
            let day = rng.between(start / DAY, end / DAY);
            let at = day * DAY + rng.between(7 * 3600, 19 * 3600);
            let account = self.actors[actor as usize].account.unwrap_or(0);
            self.ev(at, 0, account, actor, EvKind::Login, 0, 0, 0);
        }
    }

    async fn write_events(&mut self, out: &mut Sink<'_>) -> Result<()> {
        let mut events = std::mem::take(&mut self.events);
        events.sort_by_key(|e| e.at);
        let mut t = Table::new(
            "event",
            &[
                "occurred_at",
                "actor_account_id",
                "actor_role",
                "actor_name",
                "entity_type",
                "entity_id",
                "action",
                "application_id",
                "before_json",
                "after_json",
            ],
        );
        let suppliers: Vec<(i32, String)> = self
            .w
            .suppliers
            .iter()
            .map(|s| (s.id, s.vat.clone()))
            .collect();
        let vat_of: HashMap<i32, String> = suppliers.into_iter().collect();
        let catalogue: HashMap<u32, String> = self
            .w
            .catalogue
            .values()
            .flatten()
            .map(|(id, name)| (*id as u32, name.clone()))
            .collect();
        let state_name = |i: u8| -> &'static str {
            match i {
                9 => "RENOUNCED",
                10 => "REVOKED",
                i => PATH.get(usize::from(i)).copied().unwrap_or("FUNDED"),
            }
        };
        for e in &events {
            let actor = &self.actors[e.actor as usize];
            let (entity_type, action, before, after): (&str, &str, Option<String>, Option<String>) = match e.kind {
                EvKind::StateChanged => (
                    "application",
                    "STATE_CHANGED",
                    Some(format!("{{\"state\":\"{}\"}}", state_name(e.a))),
                    Some(format!("{{\"state\":\"{}\"}}", state_name(e.b))),
                ),
                EvKind::PlanAdded => (
                    "planned_service",
                    "PLAN_SERVICE_ADDED",
                    None,
                    Some(serde_json::json!({"name": catalogue.get(&e.n), "status": "NOT_STARTED"}).to_string()),
                ),
                EvKind::ContractRecorded => (
                    "planned_service",
                    "CONTRACT_RECORDED",
                    None,
                    Some(format!(
                        "{{\"supplierId\":{},\"supplierVat\":\"{}\",\"contractOn\":\"{}\"}}",
                        e.n,
                        vat_of.get(&(e.n as i32)).map_or("", String::as_str),
                        date_of(e.at).format("%F")
                    )),
                ),
                EvKind::StatusChanged => (
                    "planned_service",
                    "STATUS_CHANGED",
                    Some(format!("{{\"status\":\"{}\",\"version\":{}}}", STATUS[usize::from(e.a)], e.n.saturating_sub(1))),
                    Some(format!("{{\"status\":\"{}\",\"version\":{}}}", STATUS[usize::from(e.b)], e.n)),
                ),
                EvKind::AssessmentSubmitted => (
                    "planned_service",
                    "ASSESSMENT_SUBMITTED",
                    None,
                    Some(format!("{{\"version\":{}}}", e.n)),
                ),
                EvKind::CutoverScheduled => (
                    "planned_service",
                    "CUTOVER_SCHEDULED",
                    None,
                    Some(format!("{{\"version\":{}}}", e.n)),
                ),
                EvKind::DocumentUploaded => (
                    "document",
                    "DOCUMENT_UPLOADED",
                    None,
                    Some(format!("{{\"kind\":\"{}\"}}", ["CONTRACT", "CONFORMITY_FORM", "PAYMENT_REQUEST", "OTHER"][usize::from(e.a).min(3)])),
                ),
                EvKind::RequestOpened => ("verification_request", "VERIFICATION_REQUEST_OPENED", None, Some("{\"state\":\"OPEN\"}".to_owned())),
                EvKind::RequestAnswered => ("verification_request", "VERIFICATION_REQUEST_ANSWERED", Some("{\"state\":\"OPEN\"}".to_owned()), Some("{\"state\":\"ANSWERED\"}".to_owned())),
                EvKind::RequestClosed => ("verification_request", "VERIFICATION_REQUEST_CLOSED", Some("{\"state\":\"ANSWERED\"}".to_owned()), Some("{\"state\":\"CLOSED\"}".to_owned())),
                EvKind::OutcomeRecorded => ("application", "VERIFICATION_OUTCOME_RECORDED", None, Some("{\"outcome\":\"POSITIVE\"}".to_owned())),
                EvKind::RenunciationRequested => ("application", "RENUNCIATION_REQUESTED", None, Some("{\"reason\":\"Rinuncia dell'ente: risorse interne insufficienti per la migrazione\"}".to_owned())),
                EvKind::DeadlineMissed => ("application", "DEADLINE_MISSED", None, Some("{\"kind\":\"COMPLETION\"}".to_owned())),
                EvKind::Login => ("account", "LOGIN", None, None),
            };
            let entity = e.entity.to_string();
            out.row(
                &mut t,
                &[
                    V::Ts(e.at),
                    actor.account.into(),
                    V::Str(actor.role),
                    V::Str(&actor.name),
                    V::Str(entity_type),
                    V::Str(&entity),
                    V::Str(action),
                    if e.app > 0 {
                        V::Int(i64::from(e.app))
                    } else {
                        V::Null
                    },
                    before.as_ref().into(),
                    after.as_ref().into(),
                ],
            )
            .await?;
        }
        out.flush(&mut t).await
    }
}

fn cat_idx(id: &i32) -> u32 {
    u32::try_from(*id).unwrap_or(0)
}

fn doc_kind(kind: &str) -> u8 {
    match kind {
        "CONTRACT" => 0,
        "CONFORMITY_FORM" => 1,
        "PAYMENT_REQUEST" => 2,
        _ => 3,
    }
}
