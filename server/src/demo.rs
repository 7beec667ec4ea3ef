//! `nuvola serve --demo`: the bundled open data and one account per role.
//!
//! The data is the real PA digitale 2026 open data (CC-BY 4.0) compiled into the
//! binary, so the demo works from any folder. Demo accounts exist only when `--demo`
//! created them.

use anyhow::Context;
use chrono::Utc;
use indicatif::ProgressBar;
use nuvola_shared::{IpaCode, Role, VatNumber};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, DatabaseConnection, EntityTrait,
    PaginatorTrait, QueryFilter,
};

use crate::audit::Actor;
use crate::entity::{account, application, supplier};
use crate::service::accounts::{self, NewAccount};
use crate::service::import::{self, ImportReport};

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
}

const PSN_VAT: &str = "16825251008";
const SUPPLIER_VAT: &str = "01234567897";

pub const LOGINS: [DemoLogin; 5] = [
    DemoLogin {
        role: Role::Administration,
        username: "comune.ferrara",
        password: "ferrara-demo-2026",
        bound_to: "Comune di Ferrara (IPA c_d548)",
    },
    DemoLogin {
        role: Role::Supplier,
        username: "fornitore.demo",
        password: "fornitore-demo-2026",
        bound_to: "Nuvola Demo Cloud S.r.l. (P.IVA 01234567897)",
    },
    DemoLogin {
        role: Role::Psn,
        username: "psn.demo",
        password: "psn-demo-2026",
        bound_to: "Polo Strategico Nazionale S.p.A. (P.IVA 16825251008)",
    },
    DemoLogin {
        role: Role::Department,
        username: "dipartimento",
        password: "dipartimento-demo-2026",
        bound_to: "Dipartimento per la trasformazione digitale",
    },
    DemoLogin {
        role: Role::Verifier,
        username: "asseveratore",
        password: "asseveratore-demo-2026",
        bound_to: "Asseveratore",
    },
];

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
    for login in &LOGINS {
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
            ipa_code: (login.role == Role::Administration)
                .then(|| IpaCode::parse("c_d548"))
                .transpose()?,
            supplier_vat: match login.role {
                Role::Psn => Some(VatNumber::parse(PSN_VAT)?),
                Role::Supplier => Some(VatNumber::parse(SUPPLIER_VAT)?),
                _ => None,
            },
            display_name: Some(login.bound_to.to_owned()),
        };
        accounts::create(db, new, &actor)
            .await
            .with_context(|| format!("creating the demo account {}", login.username))?;
    }
    Ok(report)
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
