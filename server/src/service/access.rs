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
