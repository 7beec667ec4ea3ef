//! Row-level access rules: who may see which part of a project. The GraphQL resolvers
//! ask these functions for every row they return, however the row was reached.

use nuvola_shared::Role;

use crate::entity::application;
use crate::service::auth::Principal;

/// How much of a project's migration plan a principal may see.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PlanScope {
    /// Every planned service.
    Whole,
    /// Only the services contracted to this supplier (it sees nothing else of the plan).
    SupplierServices(i32),
    /// Nothing: the plan is not public.
    Nothing,
}

/// The part of `project`'s plan that `principal` may see (PUBLIC is `None`).
pub fn plan_scope(principal: Option<&Principal>, project: &application::Model) -> PlanScope {
    let Some(p) = principal.filter(|p| !p.read_only) else {
        return PlanScope::Nothing;
    };
    match p.role {
        Role::Department => PlanScope::Whole,
        Role::Administration if p.administration_id == Some(project.administration_id) => {
            PlanScope::Whole
        }
        Role::Verifier if project.verifier_account_id == Some(p.account_id) => PlanScope::Whole,
        Role::Supplier | Role::Psn => match p.supplier_id {
            Some(id) => PlanScope::SupplierServices(id),
            None => PlanScope::Nothing,
        },
        _ => PlanScope::Nothing,
    }
}

/// Whether `principal` may see a project's verification: its requests (*Area
/// Richieste*) and checklist. The department, the administration that owns the project
/// and the verifier assigned to it; never suppliers, never PUBLIC.
pub fn sees_verification(principal: Option<&Principal>, project: &application::Model) -> bool {
    let Some(p) = principal.filter(|p| !p.read_only) else {
        return false;
    };
    match p.role {
        Role::Department => true,
        Role::Administration => p.administration_id == Some(project.administration_id),
        Role::Verifier => is_assigned_verifier(p, project),
        _ => false,
    }
}

/// Whether `principal` is the verifier assigned to `project`.
pub fn is_assigned_verifier(principal: &Principal, project: &application::Model) -> bool {
    principal.role == Role::Verifier && project.verifier_account_id == Some(principal.account_id)
}

/// Whether `principal` is the administration that owns `project`.
pub fn is_owner(principal: &Principal, project: &application::Model) -> bool {
    principal.role == Role::Administration
        && principal.administration_id == Some(project.administration_id)
}

/// Which of a project's documents a principal may see (and download).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DocumentScope {
    /// Every document of the project.
    All,
    /// Only EVIDENCE attached to the services contracted to this supplier.
    SupplierEvidence(i32),
    /// None: documents are never public.
    Nothing,
}

/// The documents of `project` that `principal` may see (PUBLIC is `None`).
pub fn document_scope(
    principal: Option<&Principal>,
    project: &application::Model,
) -> DocumentScope {
    if sees_verification(principal, project) {
        return DocumentScope::All;
    }
    match plan_scope(principal, project) {
        PlanScope::SupplierServices(id) => DocumentScope::SupplierEvidence(id),
        _ => DocumentScope::Nothing,
    }
}
