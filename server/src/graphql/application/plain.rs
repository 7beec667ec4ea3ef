//! The edges of a page of projects, answered without async-graphql's executor when their
//! selection is plain.
//!
//! async-graphql resolves every field of every object through its own future, boxed and
//! run in a `FuturesUnordered`, and every object's answer in a map hashed with SipHash: a
//! page of 50 projects with their bodies and calls is over 600 such fields, and measured
//! under callgrind on the national data set they were nearly half of the server's
//! instructions for the public list. Third parties poll that list with the plainest of
//! selections (a few scalar fields of a project, of its body and of its call), which
//! need none of that: their values are already in memory, in the page.
//!
//! [`Edges`] is the `edges` field's answer. When every selection under it is a field
//! listed here (a scalar with no argument and no directive, each answer key once, no
//! fragment), and every node can answer each of them exactly (its body and call were
//! read with the page, its state parses), the whole list is built here, in one pass,
//! with the values the fields' resolvers give (each through the same `ScalarType`,
//! enum or function). Anything else (a field not listed, a directive, a fragment, an
//! alias used twice) goes to async-graphql, for the whole list: the answer is the same,
//! only its cost differs. `tests/api/plain.rs` asks both ways for every field listed,
//! on every project of the open data, and compares the answers.
//!
//! A page whose every field is plain reads only the public columns of its rows
//! ([`reads_public_only`], [`crate::entity::positional::Width::Public`]): the fields listed
//! here are then the only ones that read them, here or in their resolvers.
//!
//! Only the schema without extensions ([`crate::graphql::limits::Unchecked`], which marks
//! itself with [`Plain`]) takes this path: an extension sees every field it resolves.

use std::borrow::Cow;

use async_graphql::indexmap::IndexMap;
use async_graphql::parser::types::{Field, Selection, SelectionSet};
use async_graphql::resolver_utils::enum_value;
use async_graphql::{
    registry, ContextSelectionSet, Name, OutputType, Positioned, ScalarType, ServerResult, Value,
};
use chrono::{DateTime, Utc};
use nuvola_shared::ApplicationState;

use super::object::{Application, ApplicationEdge};
use crate::entity::{administration, call};
use crate::graphql::administration::object::{type_label, Administration};
use crate::graphql::call::object::Call;
use crate::graphql::scalars::Date;

/// In a schema's data: its edges of projects may be answered without the executor.
#[derive(Debug, Clone, Copy)]
pub struct Plain;

/// The `edges` of a page of projects: `[ApplicationEdge!]!` in the schema.
pub struct Edges<'a>(pub &'a [ApplicationEdge]);

impl OutputType for Edges<'_> {
    fn type_name() -> Cow<'static, str> {
        <&[ApplicationEdge] as OutputType>::type_name()
    }

    fn qualified_type_name() -> String {
        <&[ApplicationEdge] as OutputType>::qualified_type_name()
    }

    fn create_type_info(registry: &mut registry::Registry) -> String {
        <&[ApplicationEdge] as OutputType>::create_type_info(registry)
    }

    async fn resolve(
        &self,
        ctx: &ContextSelectionSet<'_>,
        field: &Positioned<Field>,
    ) -> ServerResult<Value> {
        if ctx.data_opt::<Plain>().is_some() {
            if let Some(value) = self.plain(&ctx.item.node) {
                return Ok(value);
            }
        }
        <&[ApplicationEdge] as OutputType>::resolve(&self.0, ctx, field).await
    }
}

impl Edges<'_> {
    /// The answer to `selection` (the selection of `edges`), when it is plain and every
    /// node can answer it; `None` sends it to async-graphql.
    pub fn plain(&self, selection: &SelectionSet) -> Option<Value> {
        answer(&plan(selection, edge_field)?, self.0)
    }
}

/// Whether a page asked for with this selection (of the connection: `totalCount`,
/// `pageInfo`, `edges`) needs only the public columns of its rows
/// ([`crate::entity::positional::Width::Public`]): when every `edges` under it is plain,
/// nothing but the plain fields reads them, whether they are answered here or, for a
/// node that cannot answer, by the executor.
pub fn reads_public_only(connection: &SelectionSet) -> bool {
    connection.items.iter().all(|item| match &item.node {
        Selection::Field(f) => match f.node.name.node.as_str() {
            "edges" => plan(&f.node.selection_set.node, edge_field).is_some(),
            "totalCount" | "pageInfo" | "__typename" => true,
            _ => false,
        },
        _ => false,
    })
}

/// The answer keys of a selection and what each asks for, or `None` when any of it is
/// not plain.
type Plan<F> = Vec<(Name, F)>;

fn plan<F>(set: &SelectionSet, field: fn(&str, &SelectionSet) -> Option<F>) -> Option<Plan<F>> {
    let mut plan: Plan<F> = Vec::with_capacity(set.items.len());
    for item in &set.items {
        let Selection::Field(f) = &item.node else {
            return None;
        };
        let f = &f.node;
        if !f.arguments.is_empty() || !f.directives.is_empty() {
            return None;
        }
        let key = &f.response_key().node;
        if plan.iter().any(|(k, _)| k == key) {
            return None;
        }
        plan.push((key.clone(), field(&f.name.node, &f.selection_set.node)?));
    }
    Some(plan)
}

/// A scalar field: one with no selection of its own.
fn scalar<F>(f: F, set: &SelectionSet) -> Option<F> {
    set.items.is_empty().then_some(f)
}

enum EdgeField {
    Typename,
    Cursor,
    Node(Plan<NodeField>),
}

fn edge_field(name: &str, set: &SelectionSet) -> Option<EdgeField> {
    match name {
        "__typename" => scalar(EdgeField::Typename, set),
        "cursor" => scalar(EdgeField::Cursor, set),
        "node" => plan(set, node_field).map(EdgeField::Node),
        _ => None,
    }
}

fn answer(plan: &Plan<EdgeField>, edges: &[ApplicationEdge]) -> Option<Value> {
    edges
        .iter()
        .map(|edge| {
            object(plan, |field| match field {
                EdgeField::Typename => Some(typename::<ApplicationEdge>()),
                EdgeField::Cursor => Some(Value::String(edge.cursor.clone())),
                EdgeField::Node(plan) => node(plan, &edge.node),
            })
        })
        .collect::<Option<Vec<_>>>()
        .map(Value::List)
}

/// The object of a plan's answer keys, in their order, each with `value` of its field;
/// `None` when any field has none.
fn object<F>(plan: &Plan<F>, mut value: impl FnMut(&F) -> Option<Value>) -> Option<Value> {
    let mut object = IndexMap::with_capacity(plan.len());
    for (key, field) in plan {
        object.insert(key.clone(), value(field)?);
    }
    Some(Value::Object(object))
}

fn typename<T: OutputType>() -> Value {
    Value::String(T::type_name().into_owned())
}

fn string(s: &str) -> Value {
    Value::String(s.to_owned())
}

fn optional<T>(value: Option<T>, to_value: impl FnOnce(T) -> Value) -> Value {
    value.map_or(Value::Null, to_value)
}

fn date_time(at: Option<DateTime<Utc>>) -> Value {
    optional(at, |at| at.to_value())
}

fn date(on: Option<chrono::NaiveDate>) -> Value {
    optional(on, |on| Date(on).to_value())
}

enum NodeField {
    Typename,
    Cup,
    AmountEur,
    State,
    OpenDataState,
    FundedOn,
    SubmittedAt,
    TimeWindow,
    ProtocolNumber,
    Decree,
    Version,
    ProgressReportedAt,
    Administration(Plan<BodyField>),
    Call(Plan<CallField>),
}

fn node_field(name: &str, set: &SelectionSet) -> Option<NodeField> {
    use NodeField as F;
    let field = match name {
        "administration" => return plan(set, body_field).map(F::Administration),
        "call" => return plan(set, call_field).map(F::Call),
        "__typename" => F::Typename,
        "cup" => F::Cup,
        "amountEur" => F::AmountEur,
        "state" => F::State,
        "openDataState" => F::OpenDataState,
        "fundedOn" => F::FundedOn,
        "submittedAt" => F::SubmittedAt,
        "timeWindow" => F::TimeWindow,
        "protocolNumber" => F::ProtocolNumber,
        "decree" => F::Decree,
        "version" => F::Version,
        "progressReportedAt" => F::ProgressReportedAt,
        _ => return None,
    };
    scalar(field, set)
}

/// A node's answer, as `Application`'s resolvers give it; `None` where one of them
/// would fail or read something the page did not.
fn node(plan: &Plan<NodeField>, node: &Application) -> Option<Value> {
    let project = &node.0;
    object(plan, |field| {
        Some(match field {
            NodeField::Typename => typename::<Application>(),
            NodeField::Cup => string(&project.cup),
            NodeField::AmountEur => project.amount_eur.to_value(),
            NodeField::State => enum_value(ApplicationState::parse(&project.state).ok()?),
            NodeField::OpenDataState => optional(
                ApplicationState::parse(&project.state)
                    .ok()
                    .and_then(|s| s.open_data()),
                enum_value,
            ),
            NodeField::FundedOn => date(project.funded_on),
            NodeField::SubmittedAt => date_time(project.submitted_at),
            NodeField::TimeWindow => optional(project.time_window, |n| n.to_value()),
            NodeField::ProtocolNumber => optional(project.protocol_number, |n| n.to_value()),
            NodeField::Decree => optional(project.decree_ref.as_deref(), string),
            NodeField::Version => project.version.to_value(),
            NodeField::ProgressReportedAt => date_time(project.progress_reported_at),
            NodeField::Administration(plan) => body(plan, node.preloaded_body()?)?,
            NodeField::Call(plan) => call(plan, node.preloaded_call()?)?,
        })
    })
}

enum BodyField {
    Typename,
    IpaCode,
    Name,
    Type,
    TypeLabel,
    Region,
    RegionIstat,
    Comune,
    ComuneIstat,
    Provincia,
    ProvinciaIstat,
}

fn body_field(name: &str, set: &SelectionSet) -> Option<BodyField> {
    use BodyField as F;
    let field = match name {
        "__typename" => F::Typename,
        "ipaCode" => F::IpaCode,
        "name" => F::Name,
        "type" => F::Type,
        "typeLabel" => F::TypeLabel,
        "region" => F::Region,
        "regionIstat" => F::RegionIstat,
        "comune" => F::Comune,
        "comuneIstat" => F::ComuneIstat,
        "provincia" => F::Provincia,
        "provinciaIstat" => F::ProvinciaIstat,
        _ => return None,
    };
    scalar(field, set)
}

fn body(plan: &Plan<BodyField>, body: &administration::Model) -> Option<Value> {
    object(plan, |field| {
        Some(match field {
            BodyField::Typename => typename::<Administration>(),
            BodyField::IpaCode => string(&body.ipa_code),
            BodyField::Name => string(&body.name),
            BodyField::Type => string(&body.type_code),
            BodyField::TypeLabel => string(type_label(&body.type_code)),
            BodyField::Region => string(&body.region),
            BodyField::RegionIstat => optional(body.region_istat.as_deref(), string),
            BodyField::Comune => optional(body.comune.as_deref(), string),
            BodyField::ComuneIstat => optional(body.comune_istat.as_deref(), string),
            BodyField::Provincia => optional(body.provincia.as_deref(), string),
            BodyField::ProvinciaIstat => optional(body.provincia_istat.as_deref(), string),
        })
    })
}

enum CallField {
    Typename,
    Title,
    Measure,
    TargetTypes,
    OpensOn,
    ClosesOn,
    BudgetEur,
    ContractTerm,
    CompletionTerm,
    HardCap,
    Version,
}

fn call_field(name: &str, set: &SelectionSet) -> Option<CallField> {
    use CallField as F;
    let field = match name {
        "__typename" => F::Typename,
        "title" => F::Title,
        "measure" => F::Measure,
        "targetTypes" => F::TargetTypes,
        "opensOn" => F::OpensOn,
        "closesOn" => F::ClosesOn,
        "budgetEur" => F::BudgetEur,
        "contractTerm" => F::ContractTerm,
        "completionTerm" => F::CompletionTerm,
        "hardCap" => F::HardCap,
        "version" => F::Version,
        _ => return None,
    };
    scalar(field, set)
}

fn call(plan: &Plan<CallField>, call: &call::Model) -> Option<Value> {
    object(plan, |field| {
        Some(match field {
            CallField::Typename => typename::<Call>(),
            CallField::Title => string(&call.title),
            CallField::Measure => optional(call.measure.as_deref(), string),
            CallField::TargetTypes => optional(call.target_types.as_deref(), string),
            CallField::OpensOn => date(call.opens_on),
            CallField::ClosesOn => date(call.closes_on),
            CallField::BudgetEur => optional(call.budget_eur, |v| (v as f64).to_value()),
            CallField::ContractTerm => optional(call.contract_term.as_deref(), string),
            CallField::CompletionTerm => optional(call.completion_term.as_deref(), string),
            CallField::HardCap => date(call.hard_cap),
            CallField::Version => call.version.to_value(),
        })
    })
}
