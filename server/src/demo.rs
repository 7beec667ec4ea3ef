//! `nuvola serve --demo`: the bundled open data and one account per role.
//!
//! The data is the real PA digitale 2026 open data (CC-BY 4.0) compiled into the
//! binary, so the demo works from any folder. Demo accounts exist only when `--demo`
//! created them.

use anyhow::Context;
use chrono::Utc;
use indicatif::ProgressBar;
use nuvola_shared::{IpaCode, Questionnaire, Role, ServiceState, VatNumber, VerificationOutcome};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, DatabaseConnection, EntityTrait,
    PaginatorTrait, QueryFilter, QueryOrder,
};

use crate::audit::Actor;
use crate::entity::{account, application, planned_service, supplier};
use crate::service::accounts::{self, NewAccount};
use crate::service::auth::Principal;
use crate::service::contract::{self, ContractRecord};
use crate::service::deadlines;
use crate::service::import::{self, ImportReport};
use crate::service::lifecycle::{self, ProjectRef};
use crate::service::membership;
use crate::service::plan::{self, PlanChange};
use crate::service::progress::{self, ServiceMove};
use crate::service::verification::{self, NewRequest};

pub const CALLS_CSV: &[u8] = include_bytes!("../../data/padigitale2026/avvisi.csv");
pub const APPLICATIONS_CSV: &[u8] = include_bytes!("../../data/padigitale2026/candidature_12.csv");

/// The attribution the licence asks for.
pub const ATTRIBUTION: &str =
    "Dati: Dipartimento per la trasformazione digitale, PA digitale 2026, CC-BY 4.0";

/// A demo login, printed at start.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DemoLogin {
    pub role: Role,
    pub username: &'static str,
    pub password: &'static str,
    pub bound_to: &'static str,
    /// The administration (IPA code) an ADMINISTRATION login acts for.
    pub ipa_code: Option<&'static str>,
    /// The supplier (VAT number) a SUPPLIER or PSN login acts for.
    pub vat: Option<&'static str>,
}

const PSN_VAT: &str = "16825251008";
const SUPPLIER_VAT: &str = "01234567897";
/// The supplier of the demo schools, apart from the demo supplier so that the latter's
/// page shows only what its own journeys contract.
const SCHOOLS_VAT: &str = "02723810970";
const SCHOOLS_OFFERING: &str = "DEMO-SCUOLE-SAAS";

pub const LOGINS: [DemoLogin; 12] = [
    DemoLogin {
        role: Role::Administration,
        username: "comune.ferrara",
        password: "ferrara-demo-2026",
        bound_to: "Comune di Ferrara (IPA c_d548)",
        ipa_code: Some("c_d548"),
        vat: None,
    },
    DemoLogin {
        role: Role::Supplier,
        username: "fornitore.demo",
        password: "fornitore-demo-2026",
        bound_to: "Nuvola Demo Cloud S.r.l. (P.IVA 01234567897)",
        ipa_code: None,
        vat: Some(SUPPLIER_VAT),
    },
    DemoLogin {
        role: Role::Psn,
        username: "psn.demo",
        password: "psn-demo-2026",
        bound_to: "Polo Strategico Nazionale S.p.A. (P.IVA 16825251008)",
        ipa_code: None,
        vat: Some(PSN_VAT),
    },
    DemoLogin {
        role: Role::Department,
        username: "dipartimento",
        password: "dipartimento-demo-2026",
        bound_to: "Dipartimento per la trasformazione digitale",
        ipa_code: None,
        vat: None,
    },
    DemoLogin {
        role: Role::Verifier,
        username: "asseveratore",
        password: "asseveratore-demo-2026",
        bound_to: "Asseveratore",
        ipa_code: None,
        vat: None,
    },
    // Three schools whose projects the demo takes through their life cycle (see
    // `stage_life_cycle`), so that every role has something to do.
    DemoLogin {
        role: Role::Administration,
        username: "scuola.bologna",
        password: "scuola-demo-2026",
        bound_to: "I.C. N.13 Via Toscana, Bologna (progetto in verifica)",
        ipa_code: Some("istsc_boic85700e"),
        vat: None,
    },
    DemoLogin {
        role: Role::Administration,
        username: "scuola.pianoro",
        password: "scuola-demo-2026",
        bound_to: "I.C. di Pianoro (progetto completato)",
        ipa_code: Some("istsc_boic83000e"),
        vat: None,
    },
    DemoLogin {
        role: Role::Administration,
        username: "scuola.reggio",
        password: "scuola-demo-2026",
        bound_to: "I.C. Don Pasquino Borghi, Reggio Emilia (erogazione richiesta)",
        ipa_code: Some("istsc_reic81400x"),
        vat: None,
    },
    DemoLogin {
        role: Role::Supplier,
        username: "fornitore.scuole",
        password: "fornitore-demo-2026",
        bound_to: "Scuola Digitale Cloud S.r.l. (P.IVA 02723810970), fornitore delle scuole demo",
        ipa_code: None,
        vat: Some(SCHOOLS_VAT),
    },
    // Three more schools, so that the suppliers have services to migrate and an
    // administration has a verifier's request to answer (see `stage_work_to_do`).
    DemoLogin {
        role: Role::Administration,
        username: "scuola.collecchio",
        password: "scuola-demo-2026",
        bound_to: "I.C. Ettore Guatelli, Collecchio (migrazione in corso)",
        ipa_code: Some("istsc_pric82400c"),
        vat: None,
    },
    DemoLogin {
        role: Role::Administration,
        username: "scuola.gualtieri",
        password: "scuola-demo-2026",
        bound_to: "I.C. di Gualtieri (servizi affidati al PSN)",
        ipa_code: Some("istsc_reic83800c"),
        vat: None,
    },
    DemoLogin {
        role: Role::Administration,
        username: "scuola.valnure",
        password: "scuola-demo-2026",
        bound_to: "I.C. della Val Nure (richiesta dell'asseveratore da riscontrare)",
        ipa_code: Some("istsc_pcic80700t"),
        vat: None,
    },
];

/// A demo person who acts for two schools (two memberships): after login Nuvola asks
/// which one ("Seleziona l'ente per cui operare"), and the header offers to switch.
pub const MULTI: DemoLogin = DemoLogin {
    role: Role::Administration,
    username: "referente.scuole",
    password: "referente-demo-2026",
    bound_to: "Referente di due scuole: Collecchio e Gualtieri (sceglie l'ente dopo l'accesso)",
    ipa_code: Some("istsc_pric82400c"),
    vat: None,
};
/// A demo person who acts for nobody yet: after login Nuvola sends them to
/// `/richiedi-accesso` to ask for access (onboarding), as a first SPID or CIE login does.
pub const NEWCOMER: DemoLogin = DemoLogin {
    role: Role::Public,
    username: "nuovo.utente",
    password: "nuovo-utente-demo-2026",
    bound_to: "Giulia Nuovi",
    ipa_code: None,
    vat: None,
};

/// The second school the [`MULTI`] person acts for.
pub const MULTI_SECOND_IPA: &str = "istsc_reic83800c";

/// Loads the bundled data into an empty database and creates the demo accounts that
/// do not exist yet. Returns what the import did (None when the data was already there).
pub async fn load(db: &DatabaseConnection) -> anyhow::Result<Option<ImportReport>> {
    let actor = Actor::system("nuvola serve --demo");
    let empty = application::Entity::find()
        .count(db)
        .await
        .context("counting applications")?
        == 0;
    let report = if empty {
        let mut total = ImportReport::default();
        for (name, bytes) in [
            ("avvisi.csv", CALLS_CSV),
            ("candidature_12.csv", APPLICATIONS_CSV),
        ] {
            let report = import::import_file(db, name, bytes, &actor, &ProgressBar::hidden())
                .await
                .with_context(|| format!("loading the bundled {name}"))?;
            total.add(&report);
        }
        Some(total)
    } else {
        None
    };
    ensure_suppliers(db).await?;
    let schools = ensure_supplier(db, SCHOOLS_VAT, "Scuola Digitale Cloud S.r.l.", false).await?;
    ensure_offering(
        db,
        schools,
        SCHOOLS_OFFERING,
        "Segreteria e registro per le scuole (SaaS)",
        "SAAS",
        "ORDINARIO",
        chrono::NaiveDate::from_ymd_opt(2028, 6, 30),
    )
    .await?;
    for login in LOGINS.iter().chain([&MULTI, &NEWCOMER]) {
        let exists = account::Entity::find()
            .filter(account::Column::Username.eq(login.username))
            .one(db)
            .await?
            .is_some();
        if exists {
            continue;
        }
        let new = NewAccount {
            role: login.role,
            username: login.username.to_owned(),
            password: login.password.to_owned(),
            ipa_code: login.ipa_code.map(IpaCode::parse).transpose()?,
            supplier_vat: login.vat.map(VatNumber::parse).transpose()?,
            display_name: Some(login.bound_to.to_owned()),
        };
        let created = accounts::create(db, new, &actor)
            .await
            .with_context(|| format!("creating the demo account {}", login.username))?;
        if login.username == MULTI.username {
            let second = membership::Organisation {
                role: Role::Administration,
                ipa_code: Some(IpaCode::parse(MULTI_SECOND_IPA)?),
                supplier_vat: None,
                body_name: None,
            };
            let txn = crate::db::begin_write(db).await?;
            membership::insert(&txn, created.id, &second, &actor)
                .await
                .context("giving the demo person its second school")?;
            txn.commit().await?;
        }
    }
    if report.is_some() {
        stage_life_cycle(db)
            .await
            .context("taking the demo schools through their life cycle")?;
        // The marks of the deadlines already missed, as the periodic checker would
        // record them an interval after start: the department's overdue list reads them.
        deadlines::check(db, Utc::now().date_naive())
            .await
            .context("recording the demo's missed deadlines")?;
    }
    Ok(report)
}

/// The demo schools' projects (CUP, their login) and how far each goes.
const VERIFYING_CUP: &str = "G31C22001290006";
const COMPLETED_CUP: &str = "D81C22002300006";
const PAYMENT_CUP: &str = "H81C22000830006";
/// Collecchio's services are half-way through their migration by the schools' supplier.
const MIGRATING_CUP: &str = "H91C22000850006";
/// Gualtieri's services are contracted to PSN, not started.
const PSN_CUP: &str = "H51C22000880006";
/// Val Nure is under verification, with a request of the verifier still to answer.
const REQUESTED_CUP: &str = "F71C22000910006";

/// Takes three funded schools of the open data through the real services, as their
/// people would: a plan on the demo supplier's school offering, the contract, the
/// supplier's questionnaires and steps up to MIGRATED, the completion; then the
/// department assigns the demo verifier. Bologna stays UNDER_VERIFICATION (the
/// verifier's queue), Pianoro COMPLETED (for the department to assign), Reggio Emilia
/// goes on to a positive outcome and a payment request (for the department to pay).
async fn stage_life_cycle(db: &DatabaseConnection) -> anyhow::Result<()> {
    let supplier = principal(db, "fornitore.scuole").await?;
    let department = principal(db, "dipartimento").await?;
    let verifier = principal(db, "asseveratore").await?;
    for (cup, owner) in [
        (VERIFYING_CUP, "scuola.bologna"),
        (COMPLETED_CUP, "scuola.pianoro"),
        (PAYMENT_CUP, "scuola.reggio"),
    ] {
        let school = principal(db, owner).await?;
        complete_school(db, &school, &supplier, cup)
            .await
            .with_context(|| format!("completing the demo project {cup}"))?;
        if cup == COMPLETED_CUP {
            continue;
        }
        let p = lifecycle::assign_verifier(
            db,
            &department,
            project_ref(db, cup).await?,
            "asseveratore",
        )
        .await?;
        if cup == PAYMENT_CUP {
            let p = lifecycle::record_outcome(
                db,
                &verifier,
                ProjectRef {
                    cup: cup.to_owned(),
                    call_title: None,
                    version: p.version,
                },
                lifecycle::Outcome {
                    outcome: VerificationOutcome::Positive,
                    notes: Some("Servizi migrati e attivi; documentazione conforme.".to_owned()),
                    redo_services: Vec::new(),
                },
            )
            .await?;
            lifecycle::request_payment(
                db,
                &school,
                ProjectRef {
                    cup: cup.to_owned(),
                    call_title: None,
                    version: p.version,
                },
            )
            .await?;
        }
    }
    stage_work_to_do(db, &supplier, &department)
        .await
        .context("leaving the demo suppliers, verifier and schools work to do")?;
    Ok(())
}

/// Work left for a first visit: the schools' supplier has Collecchio's services half
/// migrated, PSN has Gualtieri's services contracted and not started, and the verifier
/// has a second project (Val Nure) assigned and not checked, where it asked the school
/// for a document the school has still to send.
async fn stage_work_to_do(
    db: &DatabaseConnection,
    supplier: &Principal,
    department: &Principal,
) -> anyhow::Result<()> {
    let collecchio = principal(db, "scuola.collecchio").await?;
    let project = contract_school(
        db,
        &collecchio,
        MIGRATING_CUP,
        SCHOOLS_VAT,
        SCHOOLS_OFFERING,
        "SAAS",
    )
    .await?;
    migrate_school(
        db,
        supplier,
        project.id,
        &[ServiceState::Assessed, ServiceState::Migrating],
    )
    .await?;

    let gualtieri = principal(db, "scuola.gualtieri").await?;
    contract_school(db, &gualtieri, PSN_CUP, PSN_VAT, "PSN-IAAS-SHARED", "IAAS").await?;

    let valnure = principal(db, "scuola.valnure").await?;
    complete_school(db, &valnure, supplier, REQUESTED_CUP).await?;
    lifecycle::assign_verifier(
        db,
        department,
        project_ref(db, REQUESTED_CUP).await?,
        "asseveratore",
    )
    .await?;
    let verifier = principal(db, "asseveratore").await?;
    verification::open(
        db,
        &verifier,
        NewRequest {
            cup: REQUESTED_CUP.to_owned(),
            call_title: None,
            title: "Verbale di collaudo".to_owned(),
            body: "Inviate il verbale di collaudo dei servizi migrati, firmato dal dirigente scolastico.".to_owned(),
            due_on: Utc::now().date_naive() + chrono::Days::new(15),
            idempotency_key: None,
        },
    )
    .await?;
    Ok(())
}

async fn complete_school(
    db: &DatabaseConnection,
    school: &Principal,
    supplier: &Principal,
    cup: &str,
) -> anyhow::Result<()> {
    let project = contract_school(db, school, cup, SCHOOLS_VAT, SCHOOLS_OFFERING, "SAAS").await?;
    migrate_school(
        db,
        supplier,
        project.id,
        &[
            ServiceState::Assessed,
            ServiceState::Migrating,
            ServiceState::Testing,
            ServiceState::Migrated,
        ],
    )
    .await?;
    lifecycle::declare_completion(db, school, project_ref(db, cup).await?).await?;
    Ok(())
}

/// The school plans each of its lines on `offering` (from on-premises to `destination`)
/// and contracts them all to the supplier `supplier_vat`; returns the project.
async fn contract_school(
    db: &DatabaseConnection,
    school: &Principal,
    cup: &str,
    supplier_vat: &str,
    offering: &str,
    destination: &str,
) -> anyhow::Result<application::Model> {
    let project = application::Entity::find()
        .filter(application::Column::Cup.eq(cup))
        .one(db)
        .await?
        .with_context(|| format!("the demo project {cup} is not in the bundled data"))?;
    let lines = planned_service::Entity::find()
        .filter(planned_service::Column::ApplicationId.eq(project.id))
        .order_by_asc(planned_service::Column::Id)
        .all(db)
        .await?;
    let mut contracted = Vec::new();
    for (line, code) in lines.iter().zip(SCHOOL_SERVICES.iter()) {
        let saved = plan::save(
            db,
            school,
            PlanChange {
                cup: cup.to_owned(),
                call_title: None,
                service_id: Some(line.id),
                expected_version: Some(line.version),
                catalogue_code: Some((*code).to_owned()),
                name: None,
                data_class: "ORDINARIO".to_owned(),
                origin: "ON_PREMISES".to_owned(),
                destination: destination.to_owned(),
                offering_code: Some(offering.to_owned()),
                idempotency_key: None,
            },
        )
        .await?;
        contracted.push((saved.id, saved.version));
    }
    let contract_on = project
        .funded_on
        .and_then(|d| d.checked_add_days(chrono::Days::new(60)))
        .unwrap_or_else(|| Utc::now().date_naive());
    contract::record(
        db,
        school,
        ContractRecord {
            cup: cup.to_owned(),
            call_title: None,
            supplier_vat: supplier_vat.to_owned(),
            contract_on,
            services: contracted,
            idempotency_key: None,
            // A CIG of the demo's own (10 digits) and the grant as the amount.
            cig: Some(format!("9{:09}", project.id)),
            amount_eur: Some(project.amount_eur.max(1)),
            document_id: None,
        },
    )
    .await?;
    Ok(project)
}

/// The supplier fills in each service's questionnaire and moves all of them through
/// `steps`.
async fn migrate_school(
    db: &DatabaseConnection,
    supplier: &Principal,
    project_id: i32,
    steps: &[ServiceState],
) -> anyhow::Result<()> {
    let contracted = planned_service::Entity::find()
        .filter(planned_service::Column::ApplicationId.eq(project_id))
        .all(db)
        .await?;
    for service in &contracted {
        progress::submit_assessment(
            db,
            supplier,
            service.id,
            0,
            Questionnaire {
                application_name: Some("Segreteria digitale".to_owned()),
                cpu_cores: Some(2),
                memory_gb: Some(8),
                storage_gb: Some(100),
                users: Some(60),
                destination: Some("Segreteria scolastica (SaaS)".to_owned()),
                ..Questionnaire::default()
            },
            None,
        )
        .await?;
    }
    for &step in steps {
        let current = planned_service::Entity::find()
            .filter(planned_service::Column::ApplicationId.eq(project_id))
            .all(db)
            .await?;
        let moves: Vec<ServiceMove> = current
            .iter()
            .map(|s| ServiceMove {
                id: s.id,
                version: s.version,
                status: step,
            })
            .collect();
        progress::move_services(db, supplier, &moves).await?;
    }
    Ok(())
}

/// The services a demo school migrates, in turn.
/// Catalogue services for the demo schools' lines, one per line: a plan names each
/// service once, and a school has at most 23 (its grant / EUR 553).
const SCHOOL_SERVICES: &[&str] = &[
    "SC_SEGRETERIA_DIGITALE",
    "SC_REGISTRO_ELETTRONICO",
    "SC_ALBO_ONLINE",
    "SC_SITO_WEB_ISTITUZIONALE",
    "SC_PROTOCOLLO_INFORMATICO_E_GESTIONE_DOCUMENTALE",
    "SC_AMMINISTRAZIONE_TRASPARENTE",
    "SC_GESTIONE_ALUNNI",
    "SC_GESTIONE_DEL_PERSONALE",
    "SC_CONTABILITA_E_BILANCIO",
    "SC_INVENTARIO_E_MAGAZZINO",
    "SC_POSTA_ELETTRONICA",
    "SC_PIATTAFORMA_PER_LA_DIDATTICA_DIGITALE",
    "SC_BIBLIOTECA_DIGITALE",
    "SC_PAGAMENTI_PAGOPA",
    "SC_RILEVAZIONE_PRESENZE_DEL_PERSONALE",
    "SC_COLLOQUI_CON_LE_FAMIGLIE",
    "SC_ISCRIZIONI_ONLINE",
    "SC_ORARIO_SCOLASTICO",
    "SC_GESTIONE_PROGETTI_PNRR_E_PON",
    "SC_CONSERVAZIONE_DIGITALE",
    "SC_BACKUP_E_DISASTER_RECOVERY",
    "SC_VIDEOCONFERENZA",
    "SC_ACQUISTI_E_MEPA",
];

async fn project_ref(db: &DatabaseConnection, cup: &str) -> anyhow::Result<ProjectRef> {
    let project = application::Entity::find()
        .filter(application::Column::Cup.eq(cup))
        .one(db)
        .await?
        .with_context(|| format!("no demo project {cup}"))?;
    Ok(ProjectRef {
        cup: cup.to_owned(),
        call_title: None,
        version: project.version,
    })
}

/// A demo account acting directly, as a session of it would (no token: the demo
/// writes through the services, not over HTTP).
async fn principal(db: &DatabaseConnection, username: &str) -> anyhow::Result<Principal> {
    let a = account::Entity::find()
        .filter(account::Column::Username.eq(username))
        .one(db)
        .await?
        .with_context(|| format!("no demo account {username}"))?;
    let m = membership::active_of(db, a.id)
        .await?
        .into_iter()
        .next()
        .with_context(|| format!("the demo account {username} acts for nobody"))?;
    Ok(Principal {
        account_id: a.id,
        username: a.username,
        display_name: a.display_name,
        role: Role::parse(&m.role)?,
        administration_id: m.administration_id,
        supplier_id: m.supplier_id,
        token_id: 0,
        read_only: false,
        membership_id: Some(m.id),
    })
}

/// PSN's offerings (code, name, service model, highest data class) and the demo
/// supplier's, one of them with an expired qualification.
const PSN_OFFERINGS: &[(&str, &str, &str, &str)] = &[
    ("PSN-HOUSING", "PSN Housing", "IAAS", "STRATEGICO"),
    ("PSN-HOSTING", "PSN Hosting", "IAAS", "STRATEGICO"),
    ("PSN-IAAS-PRIVATE", "PSN IaaS private", "IAAS", "STRATEGICO"),
    ("PSN-IAAS-SHARED", "PSN IaaS shared", "IAAS", "CRITICO"),
    ("PSN-PAAS", "PSN PaaS", "PAAS", "STRATEGICO"),
    (
        "PSN-CAAS",
        "PSN Container as a Service",
        "CAAS",
        "STRATEGICO",
    ),
    ("PSN-DR", "PSN Disaster recovery", "IAAS", "STRATEGICO"),
    (
        "PSN-SECURE-PUBLIC",
        "PSN Secure public cloud",
        "IAAS",
        "CRITICO",
    ),
    ("PSN-HYBRID", "PSN Hybrid cloud", "IAAS", "STRATEGICO"),
];
/// (code, name, service model, highest data class, qualified until (y, m, d)).
type DemoOffering = (
    &'static str,
    &'static str,
    &'static str,
    &'static str,
    (i32, u32, u32),
);
const DEMO_OFFERINGS: &[DemoOffering] = &[
    (
        "DEMO-SAAS-PA",
        "Suite documentale PA (SaaS)",
        "SAAS",
        "ORDINARIO",
        (2027, 6, 30),
    ),
    (
        "DEMO-SAAS-SCUOLA",
        "Segreteria scolastica (SaaS)",
        "SAAS",
        "ORDINARIO",
        (2027, 9, 30),
    ),
    (
        "DEMO-PAAS",
        "Piattaforma applicativa (PaaS)",
        "PAAS",
        "CRITICO",
        (2028, 3, 31),
    ),
    (
        "DEMO-IAAS",
        "Macchine virtuali qualificate (IaaS)",
        "IAAS",
        "ORDINARIO",
        (2027, 12, 31),
    ),
    (
        "DEMO-SAAS-OLD",
        "Protocollo legacy (SaaS, qualifica scaduta)",
        "SAAS",
        "ORDINARIO",
        (2025, 10, 31),
    ),
];

/// The demo suppliers (PSN and one qualified supplier) with their qualified offerings;
/// creates what is missing.
pub async fn ensure_suppliers(db: &DatabaseConnection) -> anyhow::Result<()> {
    let psn = ensure_supplier(db, PSN_VAT, "Polo Strategico Nazionale S.p.A.", true).await?;
    let demo = ensure_supplier(db, SUPPLIER_VAT, "Nuvola Demo Cloud S.r.l.", false).await?;
    let psn_until = chrono::NaiveDate::from_ymd_opt(2028, 12, 31);
    for (code, name, model, class) in PSN_OFFERINGS {
        ensure_offering(db, psn, code, name, model, class, psn_until).await?;
    }
    for (code, name, model, class, (y, m, d)) in DEMO_OFFERINGS {
        let until = chrono::NaiveDate::from_ymd_opt(*y, *m, *d);
        ensure_offering(db, demo, code, name, model, class, until).await?;
    }
    Ok(())
}

async fn ensure_offering(
    db: &DatabaseConnection,
    supplier_id: i32,
    code: &str,
    name: &str,
    service_model: &str,
    max_data_class: &str,
    qualified_until: Option<chrono::NaiveDate>,
) -> anyhow::Result<()> {
    use crate::entity::cloud_offering;
    let exists = cloud_offering::Entity::find()
        .filter(cloud_offering::Column::Code.eq(code))
        .one(db)
        .await?
        .is_some();
    if !exists {
        cloud_offering::ActiveModel {
            supplier_id: Set(supplier_id),
            code: Set(code.to_owned()),
            name: Set(name.to_owned()),
            service_model: Set(service_model.to_owned()),
            deployment_model: Set(if code.starts_with("PSN") {
                "PSN"
            } else {
                "PUBLIC"
            }
            .to_owned()),
            max_data_class: Set(max_data_class.to_owned()),
            qualification_level: Set(None),
            qualified_on: Set(
                qualified_until.and_then(|u| u.checked_sub_months(chrono::Months::new(36)))
            ),
            qualified_until: Set(qualified_until),
            created_at: Set(Utc::now()),
            ..Default::default()
        }
        .insert(db)
        .await
        .with_context(|| format!("creating the demo offering {code}"))?;
    }
    Ok(())
}

async fn ensure_supplier(
    db: &DatabaseConnection,
    vat: &str,
    name: &str,
    is_psn: bool,
) -> anyhow::Result<i32> {
    let existing = supplier::Entity::find()
        .filter(supplier::Column::VatNumber.eq(vat))
        .one(db)
        .await?;
    if let Some(s) = existing {
        return Ok(s.id);
    }
    {
        let now = Utc::now();
        let created = supplier::ActiveModel {
            vat_number: Set(vat.to_owned()),
            name: Set(name.to_owned()),
            is_psn: Set(is_psn),
            qualified_until: Set(chrono::NaiveDate::from_ymd_opt(2028, 12, 31)),
            created_at: Set(now),
            updated_at: Set(now),
            ..Default::default()
        }
        .insert(db)
        .await
        .with_context(|| format!("creating the demo supplier {name}"))?;
        Ok(created.id)
    }
}
