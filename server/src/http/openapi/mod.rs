//! The OpenAPI 3.1 document of the API, served at `GET /openapi.json` without a token.
//!
//! It cannot drift from the router: [`super::app`] registers every route through
//! `utoipa_axum::routes!`, which takes the route's path and methods from the handler's own
//! `#[utoipa::path]` annotation, and the document is what that registration collected. What an
//! annotation cannot say, [`complete`] adds from the code that decides it: the append body's
//! schemas (each event type's data from its domain struct, and the configured events per append),
//! the names a path parameter may take, the bearer scheme, and the answers routes give by what
//! they are: 401 and 503 where a token is needed (finding it reads the database); 415 where a body
//! is taken; 406 where CSV is offered; 405, 408 and 429 everywhere.
//!
//! # Layout
//! - [`event_schemas`]: the append body and each event type's data.
//! - [`schemas`]: the record, served as its stored bytes, which no Rust type serializes.
//! - [`responses`]: the `application/problem+json` error responses.

pub mod event_schemas;
pub mod responses;
pub mod schemas;

use axum::body::Bytes;
use axum::http::header;
use axum::response::{IntoResponse, Response};
use axum::Extension;
use domain::StreamKind;
use projections::figure::Figure;
use projections::queries::tallies::TallyName;
use projections::ProjectionName;
use utoipa::openapi::path::{Operation, PathItem};
use utoipa::openapi::schema::{ObjectBuilder, Schema};
use utoipa::openapi::security::{Http, HttpAuthScheme, SecurityScheme};
use utoipa::openapi::{Components, OpenApi, Ref, RefOr};
use utoipa::OpenApi as _;

use super::limits::Limits;
use super::problem::Problem;
use domain::FieldError;

/// The parts of the document the annotations give; [`complete`] adds the rest.
#[derive(utoipa::OpenApi)]
#[openapi(
    info(
        title = "aidledger",
        description = "A tamper-evident, event-sourced ledger of a care bureau's work. Every error is an \
                       RFC 9457 application/problem+json body. Every endpoint but /healthz, /readyz, /openapi.json, \
                       the checkpoint and its key, and the console's static files (at / and /console/) \
                       needs `Authorization: Bearer <token>`."
    ),
    components(schemas(Problem, FieldError)),
    tags(
        (name = "status", description = "Health, chain verification and this document"),
        (name = "records", description = "Appending events and reading records"),
        (name = "auditors", description = "Signed checkpoints, their key, Merkle proofs and audit trails"),
        (name = "reports", description = "Figures, traces, tallies and ledgers from the read models"),
        (name = "projections", description = "Read-model status and rebuilds"),
        (name = "tokens", description = "API tokens: who holds the caller's, and managing them (admins)"),
    )
)]
pub struct ApiDoc;

/// The document as the annotations give it, before [`complete`].
pub(crate) fn annotated() -> OpenApi {
    ApiDoc::openapi()
}

/// The serialized document, shared by every request for it.
#[derive(Clone, Debug)]
pub struct Document(Bytes);

impl Document {
    /// Serializes `document`.
    pub fn new(document: &OpenApi) -> Self {
        // An OpenApi value is maps, strings and numbers: serializing it cannot fail.
        Self(Bytes::from(serde_json::to_vec(document).unwrap_or_default()))
    }
}

/// `GET /openapi.json`.
#[utoipa::path(
    get,
    path = "/openapi.json",
    tag = "status",
    responses((status = 200, description = "This document (OpenAPI 3.1)", body = Object))
)]
pub(crate) async fn openapi_json(Extension(document): Extension<Document>) -> Response {
    ([(header::CONTENT_TYPE, "application/json")], document.0).into_response()
}

/// Adds to `document` what its annotations cannot say (see the module documentation).
pub(crate) fn complete(document: &mut OpenApi, limits: &Limits) {
    let components = document.components.get_or_insert_with(Components::new);
    responses::register(components);
    components.add_security_scheme("bearer", SecurityScheme::Http(Http::new(HttpAuthScheme::Bearer)));
    components
        .schemas
        .insert("AppendRequest".into(), event_schemas::append_request(limits.events_per_append_max));
    for event_type in event_schemas::appendable_types() {
        components
            .schemas
            .insert(event_schemas::event_schema_name(event_type), event_schemas::event_schema(event_type));
        components
            .schemas
            .insert(event_schemas::data_schema_name(event_type), event_schemas::data_schema(event_type));
    }
    for item in document.paths.paths.values_mut() {
        for operation in operations(item) {
            add_every_route_responses(operation);
        }
    }
    describe_parameters(document);
}

/// The values path and query parameters may take, from the code that parses them.
fn describe_parameters(document: &mut OpenApi) {
    let kinds: Vec<&str> = StreamKind::ALL.iter().map(|k| k.as_str()).collect();
    let stream = string_schema().pattern(Some(format!(
        "^({})-{}",
        kinds.join("|"),
        domain::schema::UUID_PATTERN.trim_start_matches('^')
    )));
    set_parameter_schema(document, "/v1/streams/{stream}/events", "stream", stream);
    for path in ["/v1/funds/{id}", "/v1/audit/disbursements/{id}", "/v1/audit/beneficiaries/{id}"] {
        set_parameter_schema(document, path, "id", domain::schema::uuid());
    }
    set_parameter_schema(document, "/v1/beneficiaries/{id}/forget", "id", domain::schema::uuid());
    let tallies: Vec<&str> = TallyName::ALL.iter().map(|t| t.as_str()).collect();
    set_parameter_schema(document, "/v1/tallies/{name}", "name", domain::schema::one_of(&tallies));
    let projections: Vec<&str> = ProjectionName::ALL.iter().map(|p| p.as_str()).collect();
    let projections = domain::schema::one_of(&projections);
    set_parameter_schema(document, "/v1/projections/{name}/rebuild", "name", projections);
    let figures: Vec<_> = Figure::traceable().into_iter().map(Figure::name).collect();
    let figures: Vec<&str> = figures.iter().map(AsRef::as_ref).collect();
    set_parameter_schema(document, "/v1/reports/summary/trace", "figure", domain::schema::one_of(&figures));
}

fn string_schema() -> ObjectBuilder {
    ObjectBuilder::new().schema_type(utoipa::openapi::schema::Type::String)
}

fn operations(item: &mut PathItem) -> impl Iterator<Item = &mut Operation> {
    [&mut item.get, &mut item.post, &mut item.put, &mut item.delete, &mut item.patch, &mut item.head]
        .into_iter()
        .filter_map(Option::as_mut)
}

fn response_ref(name: &str) -> RefOr<utoipa::openapi::response::Response> {
    RefOr::Ref(Ref::new(format!("#/components/responses/{name}")))
}

/// Every route sits behind the request timeout and the concurrency cap, and answers other methods
/// on its path with 405; a route that needs a token answers 401 without a valid one and 503 when
/// the database is too busy to look it up; one that takes a body answers 415 for a body declared as
/// something else; one that offers CSV answers 406 for an `Accept` that takes neither format.
fn add_every_route_responses(operation: &mut Operation) {
    let needs_token = operation.security.as_ref().is_some_and(|s| !s.is_empty());
    let takes_body = operation.request_body.is_some();
    let offers_csv = operation.responses.responses.get("200").is_some_and(|answer| match answer {
        RefOr::T(answer) => answer.content.contains_key("text/csv"),
        RefOr::Ref(_) => false,
    });
    let responses = &mut operation.responses.responses;
    let mut add = |status: &str, name: &str| {
        responses.entry(status.into()).or_insert_with(|| response_ref(name));
    };
    if needs_token {
        add("401", "Unauthorized");
        add("503", "ServiceUnavailable");
    }
    if takes_body {
        add("415", "UnsupportedMediaType");
    }
    if offers_csv {
        add("406", "NotAcceptable");
    }
    add("405", "MethodNotAllowed");
    add("408", "RequestTimeout");
    add("429", "TooManyRequests");
}

/// Gives the parameter `name` of every operation on `path` the schema `schema`.
fn set_parameter_schema(document: &mut OpenApi, path: &str, name: &str, schema: ObjectBuilder) {
    let Some(item) = document.paths.paths.get_mut(path) else { return };
    let schema = Schema::Object(schema.build());
    for operation in operations(item) {
        let parameters = operation.parameters.iter_mut().flatten();
        for parameter in parameters.filter(|p| p.name == name) {
            parameter.schema = Some(RefOr::T(schema.clone()));
        }
    }
}

#[cfg(test)]
#[path = "document_tests.rs"]
mod tests;
