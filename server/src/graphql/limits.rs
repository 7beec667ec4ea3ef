//! The documented maxima of a query (depth, complexity, aliases; page sizes are checked
//! by each paged field) and what every response tells a client about its cost.
//!
//! The numbers here are the ones README.md and the web application's page "API e dati
//! aperti" publish, and the ones `tests/api/limits.rs` proves are enforced.

use std::sync::{Arc, Mutex};

use async_graphql::extensions::{
    Extension, ExtensionContext, ExtensionFactory, NextExecute, NextParseQuery, NextValidation,
};
use async_graphql::parser::types::{ExecutableDocument, Selection, SelectionSet};
use async_graphql::{
    Positioned, Request, Response, ServerError, ServerResult, ValidationResult, Variables,
};
use nuvola_shared::ErrorCode;

/// The deepest a query may nest fields (13 is what GraphQL tools' introspection needs).
pub const MAX_DEPTH: usize = 15;
/// The highest complexity a query may have: each field counts 1, a paged list counts
/// its children once per item asked for (`first`), a body's applications 20 times.
pub const MAX_COMPLEXITY: usize = 20_000;
/// The most aliases a query may use (each alias runs its field again).
pub const MAX_ALIASES: usize = 30;
/// The most items one page returns (`first` of `applications`, `overdueProjects`,
/// `notifications`).
pub const MAX_PAGE_SIZE: usize = nuvola_shared::api::MAX_PAGE_SIZE;

/// What the validation of one request found: its complexity and depth. The HTTP layer
/// puts an empty one in the request's data and reads it after the execution, to tell
/// the client (`extensions.cost`).
#[derive(Debug, Clone, Default)]
pub struct CostCell(Arc<Mutex<Option<Cost>>>);

/// The measured cost of a query.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Cost {
    pub complexity: usize,
    pub depth: usize,
}

impl CostCell {
    fn set(&self, cost: Cost) {
        // A poisoned lock only means a panic elsewhere while it was held: the value is
        // still a plain pair of numbers.
        *self.0.lock().unwrap_or_else(|e| e.into_inner()) = Some(cost);
    }

    /// The cost measured, once the query was validated.
    pub fn get(&self) -> Option<Cost> {
        *self.0.lock().unwrap_or_else(|e| e.into_inner())
    }
}

/// In a request's data: check the request (parse it, count its aliases, run every
/// validation rule, measure its cost) and stop before anything runs. The response is then
/// either the refusal or the one error `CHECKED` (see [`checked`]).
#[derive(Debug, Clone, Copy)]
pub struct CheckOnly;

/// The message of the one error that means "checked, valid, not executed".
const CHECKED: &str = "checked: not executed";

/// Whether a response to a [`CheckOnly`] request says the request passed every check.
pub fn checked(response: &Response) -> bool {
    matches!(response.errors.as_slice(), [only] if only.message == CHECKED)
}

/// The server's schema without [`QueryLimits`], nor any other extension: it runs requests
/// that the checked schema passed. As soon as a schema has one extension, async-graphql
/// sends every field of every answer through it: for each field a lookup of its type and
/// name in the registry, boxed futures, and two strings built for every item of a list
/// (a page of 50 projects is over a thousand fields). Checking on one schema and running
/// on the other costs one more validation of the document instead, in async-graphql's
/// fast mode (its complexity and depth only: every rule already ran on the checked
/// schema).
///
/// It also remembers the requests it ran, by their body: a client asks the same thing
/// again and again (a page polled, the next page with the same query), and parsing and
/// checking a query were measured at a sixth of the server's instructions for the public
/// list. A body seen before is not parsed nor checked again: its document and its cost
/// are taken from memory. Only requests that passed every check are remembered, by
/// their whole body (query, variables, operation name): a different variable is a
/// different request, checked anew. What is remembered depends only on the body and on
/// the schema, so replicas cannot disagree about it.
pub struct Unchecked {
    schema: crate::graphql::NuvolaSchema,
    passed: Mutex<Remembered>,
}

/// The most request bodies [`Unchecked`] remembers, the longest body it remembers, and
/// the most bytes of bodies it remembers in all. A parsed document takes more memory
/// than its text (up to a hundred times for a query of one-letter fields): 256 KiB of
/// bodies is at most some 25 MiB of documents, usually a few.
pub const REMEMBERED_REQUESTS: usize = 1024;
pub const REMEMBERED_BODY_BYTES: usize = 8 * 1024;
pub const REMEMBERED_BYTES: usize = 256 * 1024;

/// The requests remembered, least recently used first out, and their bodies' bytes.
struct Remembered {
    passed: lru::LruCache<Box<[u8]>, Arc<Passed>>,
    bytes: usize,
}

/// A request that passed every check: its parsed document and its cost.
struct Passed {
    document: ExecutableDocument,
    cost: Cost,
}

impl Unchecked {
    pub fn new(schema: crate::graphql::NuvolaSchema) -> Self {
        let capacity =
            std::num::NonZeroUsize::new(REMEMBERED_REQUESTS).unwrap_or(std::num::NonZeroUsize::MIN);
        Self {
            schema,
            passed: Mutex::new(Remembered {
                passed: lru::LruCache::new(capacity),
                bytes: 0,
            }),
        }
    }

    /// When a request with this `body` passed every check before: puts the document
    /// parsed then in `request` (which is then not parsed again) and gives the cost
    /// measured then, for [`execute`].
    pub fn recall(&self, body: &[u8], request: &mut Request) -> Option<Cost> {
        let passed = self.lock().passed.get(body).cloned()?;
        request.set_parsed_query(passed.document.clone());
        Some(passed.cost)
    }

    fn remember(&self, body: &[u8], document: ExecutableDocument, cost: Cost) {
        if body.len() > REMEMBERED_BODY_BYTES {
            return;
        }
        let mut remembered = self.lock();
        // `push` gives back the entry it replaced or the one it pushed out.
        if let Some((old, _)) = remembered
            .passed
            .push(body.into(), Arc::new(Passed { document, cost }))
        {
            remembered.bytes -= old.len();
        }
        remembered.bytes += body.len();
        while remembered.bytes > REMEMBERED_BYTES {
            match remembered.passed.pop_lru() {
                Some((old, _)) => remembered.bytes -= old.len(),
                None => break,
            }
        }
    }

    /// How many requests are remembered, and their bodies' bytes.
    pub fn remembered(&self) -> (usize, usize) {
        let remembered = self.lock();
        (remembered.passed.len(), remembered.bytes)
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Remembered> {
        // A poisoned lock only means a panic elsewhere while it was held: the cache
        // holds whole entries only, and its count of bytes is updated with them.
        self.passed.lock().unwrap_or_else(|e| e.into_inner())
    }
}

/// Checks `request` on the `checked` schema (parse, aliases, every validation rule, the
/// limits, the cost) and, when it passes, runs it on `unchecked`: the same answer as
/// running it on `checked` alone, errors and codes included, with the query's cost.
/// `body` is the request as the client sent it: when it passes, `unchecked` remembers
/// it, and `recalled` is what [`Unchecked::recall`] gave for it (the request is then run
/// without being checked again).
pub async fn execute(
    checked_schema: &crate::graphql::NuvolaSchema,
    unchecked: &Unchecked,
    mut request: Request,
    body: &[u8],
    recalled: Option<Cost>,
) -> (Response, Option<Cost>) {
    if let Some(cost) = recalled {
        return (run(unchecked, request).await, Some(cost));
    }
    let cost = CostCell::default();
    let document = match request.parsed_query() {
        Ok(document) => document.clone(),
        // The checked schema answers it with the parser's error and its code.
        Err(_) => return (checked_schema.execute(request).await, None),
    };
    let mut probe = Request::new(request.query.clone())
        .variables(request.variables.clone())
        .data(cost.clone())
        .data(CheckOnly);
    probe.operation_name = request.operation_name.clone();
    probe.introspection_mode = request.introspection_mode;
    probe.set_parsed_query(document.clone());
    let verdict = checked_schema.execute(probe).await;
    if !checked(&verdict) {
        return (verdict, cost.get());
    }
    let cost = cost.get();
    if let Some(cost) = cost {
        unchecked.remember(body, document, cost);
    }
    (run(unchecked, request).await, cost)
}

async fn run(unchecked: &Unchecked, request: Request) -> Response {
    let mut response = unchecked.schema.execute(request).await;
    resolver_errors(&mut response);
    response
}

/// An argument's value that only the resolver parses (an `Int` outside 32 bits where
/// no complexity reads it first) fails there with async-graphql's own "Failed to
/// parse": bad input like any other.
fn resolver_errors(response: &mut Response) {
    for e in &mut response.errors {
        if e.message.starts_with("Failed to parse") {
            *e = with_code(e.clone(), ErrorCode::InvalidInput);
        }
    }
}

/// Enforces [`MAX_ALIASES`], gives every refusal of a limit the code `LIMIT_EXCEEDED`
/// (with `extensions.limit` and `extensions.max`), a value of the wrong type
/// `INVALID_INPUT` (with `extensions.field`) and any other invalid query `BAD_REQUEST`,
/// and records the cost of the query for the response.
pub struct QueryLimits {
    pub max_aliases: usize,
    pub max_depth: usize,
    pub max_complexity: usize,
}

impl ExtensionFactory for QueryLimits {
    fn create(&self) -> Arc<dyn Extension> {
        Arc::new(QueryLimits {
            max_aliases: self.max_aliases,
            max_depth: self.max_depth,
            max_complexity: self.max_complexity,
        })
    }
}

fn refusal(message: String, limit: &str, max: usize) -> ServerError {
    let mut e = ServerError::new(message, None);
    let mut ext = async_graphql::ErrorExtensionValues::default();
    ext.set("code", ErrorCode::LimitExceeded.code());
    ext.set("limit", limit);
    ext.set("max", max as u64);
    e.extensions = Some(ext);
    e
}

fn with_code(mut e: ServerError, code: ErrorCode) -> ServerError {
    let has_code = e
        .extensions
        .as_ref()
        .is_some_and(|x| x.get("code").is_some());
    if !has_code {
        e.extensions
            .get_or_insert_with(Default::default)
            .set("code", code.code());
    }
    e
}

/// A value the schema's types refuse (an enum value that does not exist, a string
/// where a number goes) is bad input like any other: `INVALID_INPUT`, blaming the
/// argument or input field by its name, as the resolvers' own checks do.
fn invalid_input(mut e: ServerError) -> ServerError {
    // "Invalid value for argument \"input.dataClass\", enumeration type …"
    let field = e
        .message
        .split('"')
        .nth(1)
        .and_then(|path| path.rsplit('.').find(|s| s.parse::<usize>().is_err()))
        .map(str::to_owned);
    let ext = e.extensions.get_or_insert_with(Default::default);
    ext.set("code", ErrorCode::InvalidInput.code());
    if let Some(field) = field {
        ext.set("field", field);
    }
    e
}

#[async_graphql::async_trait::async_trait]
impl Extension for QueryLimits {
    async fn parse_query(
        &self,
        ctx: &ExtensionContext<'_>,
        query: &str,
        variables: &Variables,
        next: NextParseQuery<'_>,
    ) -> ServerResult<ExecutableDocument> {
        let document = next
            .run(ctx, query, variables)
            .await
            .map_err(|e| with_code(e, ErrorCode::BadRequest))?;
        crate::graphql::live::refuse_over_websocket(ctx, &document)?;
        let aliases = count_aliases(&document);
        if aliases > self.max_aliases {
            crate::metrics::graphql_error(ErrorCode::LimitExceeded.code());
            return Err(refusal(
                format!(
                    "Query contains too many aliases: {aliases}, at most {} are allowed.",
                    self.max_aliases
                ),
                "aliases",
                self.max_aliases,
            ));
        }
        Ok(document)
    }

    async fn execute(
        &self,
        ctx: &ExtensionContext<'_>,
        operation_name: Option<&str>,
        next: NextExecute<'_>,
    ) -> Response {
        let mut response = next.run(ctx, operation_name).await;
        resolver_errors(&mut response);
        response
    }

    async fn validation(
        &self,
        ctx: &ExtensionContext<'_>,
        next: NextValidation<'_>,
    ) -> Result<ValidationResult, Vec<ServerError>> {
        match next.run(ctx).await {
            Ok(result) => {
                if let Some(cell) = ctx.data_opt::<CostCell>() {
                    cell.set(Cost {
                        complexity: result.complexity,
                        depth: result.depth,
                    });
                }
                if ctx.data_opt::<CheckOnly>().is_some() {
                    return Err(vec![ServerError::new(CHECKED, None)]);
                }
                Ok(result)
            }
            Err(errors) => Err(errors
                .into_iter()
                .map(|e| match e.message.as_str() {
                    "Query is too complex." => {
                        crate::metrics::graphql_error(ErrorCode::LimitExceeded.code());
                        let mut r = refusal(e.message.clone(), "complexity", self.max_complexity);
                        r.locations = e.locations;
                        r
                    }
                    "Query is nested too deep." => {
                        crate::metrics::graphql_error(ErrorCode::LimitExceeded.code());
                        let mut r = refusal(e.message.clone(), "depth", self.max_depth);
                        r.locations = e.locations;
                        r
                    }
                    m if m.starts_with("Invalid value for argument") => invalid_input(e),
                    _ => with_code(e, ErrorCode::BadRequest),
                })
                .collect()),
        }
    }
}

/// Aliases in the whole document: its operations and its fragments.
pub fn count_aliases(document: &ExecutableDocument) -> usize {
    fn in_set(set: &Positioned<SelectionSet>) -> usize {
        set.node
            .items
            .iter()
            .map(|item| match &item.node {
                Selection::Field(field) => {
                    usize::from(field.node.alias.is_some()) + in_set(&field.node.selection_set)
                }
                Selection::InlineFragment(fragment) => in_set(&fragment.node.selection_set),
                Selection::FragmentSpread(_) => 0,
            })
            .sum()
    }
    let operations: usize = document
        .operations
        .iter()
        .map(|(_, op)| in_set(&op.node.selection_set))
        .sum();
    let fragments: usize = document
        .fragments
        .values()
        .map(|f| in_set(&f.node.selection_set))
        .sum();
    operations + fragments
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn aliases_are_counted_in_operations_and_fragments() {
        let doc = async_graphql::parser::parse_query(
            "{ a: stats { b: applications } calls { title } ...F } fragment F on QueryRoot { c: me { username } }",
        )
        .unwrap();
        assert_eq!(count_aliases(&doc), 3);
    }
}
