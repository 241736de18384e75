//! Token management for admins: `GET /v1/tokens` (every token, live and revoked, never a secret or
//! a hash), `POST /v1/tokens` (issue one; its secret is in this answer only) and
//! `POST /v1/tokens/{id}/revoke`.

use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use domain::{FieldError, Role};
use projections::table::{Cell, Table};
use serde::Serialize;
use serde_json::Value;

use super::auth::require;
use super::json_body::JsonBody;
use super::problem::{json_answer, ApiError};
use super::tabular::{respond, Format, FormatParams};
use super::AppState;
use crate::principal;
use crate::tokens::{self, Caller, Revocation, TokenInfo};

/// `GET /v1/tokens`.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Tokens {
    /// Every token ever issued, oldest first.
    pub tokens: Vec<TokenInfo>,
}

/// The answer to `POST /v1/tokens`: the token, and its secret, shown this once.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct IssuedToken {
    /// When it was issued (RFC 3339 UTC).
    pub created_at: String,
    /// The token's number.
    pub id: i64,
    /// Who holds it.
    pub principal: String,
    /// What it may do.
    pub role: Role,
    /// The bearer secret.
    pub token: String,
}

/// The keys of `POST /v1/tokens`'s body.
const ISSUE_KEYS: [&str; 2] = ["role", "principal"];

fn table(tokens: &[TokenInfo]) -> Table {
    let mut table = Table::new(&["id", "role", "principal", "created_at", "revoked_at"]);
    table.rows = tokens
        .iter()
        .map(|token| {
            vec![
                Cell::Int(token.id),
                Cell::Text(token.role.as_str().to_owned()),
                Cell::Text(token.principal.clone()),
                Cell::Text(token.created_at.clone()),
                token.revoked_at.clone().map_or(Cell::Null, Cell::Text),
            ]
        })
        .collect();
    table
}

/// `GET /v1/tokens` (admin): every token ever issued, oldest first; JSON or CSV.
#[utoipa::path(get, path = "/v1/tokens", tag = "tokens", params(FormatParams), security(("bearer" = [])),
    responses(
        (status = 200, description = "Every token, never a secret", content(
            (Tokens = "application/json"),
            (String = "text/csv"),
        )),
        (status = 400, response = super::openapi::responses::BadRequest),
        (status = 403, response = super::openapi::responses::Forbidden),
    ))]
pub async fn list(
    State(state): State<AppState>,
    caller: Caller,
    headers: HeaderMap,
    Query(params): Query<FormatParams>,
) -> Result<Response, ApiError> {
    require(&caller, caller.role.may_manage_tokens(), "manage tokens")?;
    let format = Format::negotiate(params.format.as_deref(), &headers)?;
    let tokens = tokens::list(state.store.pool()).await?;
    let table = table(&tokens);
    respond(format, &Tokens { tokens }, &table, 0)
}

/// The body of `POST /v1/tokens`.
// Read by `parse_issue`, which names each error with its pointer.
#[derive(Debug, utoipa::ToSchema)]
#[schema(as = IssueToken)]
#[serde(deny_unknown_fields)]
pub struct IssueRequest {
    /// What the token may do.
    pub role: Role,
    /// Who holds it: 1 to 100 printable characters.
    #[schema(
        min_length = 1,
        max_length = 100,
        pattern = "^[^\\u0000-\\u001f\\u007f-\\u009f]*[^\\s\\u0000-\\u001f\\u007f-\\u009f][^\\u0000-\\u001f\\u007f-\\u009f]*$"
    )]
    pub principal: String,
}

/// Parses `{"role", "principal"}`, collecting every schema error with its pointer.
fn parse_issue(value: &Value) -> Result<IssueRequest, Vec<FieldError>> {
    let Some(object) = value.as_object() else {
        return Err(vec![FieldError::new("", "the body must be a JSON object {\"role\", \"principal\"}")]);
    };
    let mut errors: Vec<FieldError> = object
        .keys()
        .filter(|key| !ISSUE_KEYS.contains(&key.as_str()))
        .map(|key| {
            FieldError::new(
                format!("/{}", domain::errors::pointer_token(key)),
                format!("unknown field \"{key}\"; expected one of {}", ISSUE_KEYS.join(", ")),
            )
        })
        .collect();
    let role = match object.get("role") {
        Some(Value::String(name)) => {
            name.parse::<Role>().map_err(|detail| errors.push(FieldError::new("/role", detail))).ok()
        }
        Some(_) => {
            let roles = Role::ALL.map(Role::as_str).join(", ");
            errors.push(FieldError::new("/role", format!("must be one of {roles}")));
            None
        }
        None => {
            errors.push(FieldError::new("/role", "is required"));
            None
        }
    };
    let principal = match object.get("principal") {
        Some(Value::String(name)) => match principal::normalize(name) {
            Ok(normalized) => Some(normalized),
            Err(detail) => {
                errors.push(FieldError::new("/principal", detail));
                None
            }
        },
        Some(_) => {
            errors.push(FieldError::new("/principal", "must be a string"));
            None
        }
        None => {
            errors.push(FieldError::new("/principal", "is required"));
            None
        }
    };
    match (role, principal) {
        (Some(role), Some(principal)) if errors.is_empty() => Ok(IssueRequest { role, principal }),
        _ => Err(errors),
    }
}

/// `POST /v1/tokens` (admin): issues a token; 201 with the token and its secret, shown this once.
#[utoipa::path(post, path = "/v1/tokens", tag = "tokens", security(("bearer" = [])),
    request_body(content = IssueRequest, content_type = "application/json"),
    responses(
        (status = 201, description = "Issued; the secret is in this answer only",
         body = IssuedToken),
        (status = 400, response = super::openapi::responses::BadRequest),
        (status = 403, response = super::openapi::responses::Forbidden),
        (status = 413, response = super::openapi::responses::PayloadTooLarge),
        (status = 422, response = super::openapi::responses::UnprocessableEntity),
    ))]
pub async fn issue(
    State(state): State<AppState>,
    caller: Caller,
    body: Result<JsonBody, ApiError>,
) -> Result<Response, ApiError> {
    require(&caller, caller.role.may_manage_tokens(), "manage tokens")?;
    let JsonBody(value) = body?;
    let request = parse_issue(&value).map_err(ApiError::Schema)?;
    let issued = tokens::issue(state.store.pool(), request.role, &request.principal).await?;
    tracing::info!(
        id = issued.token.id,
        role = %issued.token.role,
        principal = %issued.token.principal,
        by = %caller.principal,
        "token issued"
    );
    let token = issued.token;
    let issued = IssuedToken {
        created_at: token.created_at,
        id: token.id,
        principal: token.principal,
        role: token.role,
        token: issued.secret,
    };
    json_answer(StatusCode::CREATED, &issued)
}

/// `POST /v1/tokens/{id}/revoke` (admin): from the next request on the token authenticates nobody;
/// 200 with the token (revoking it again answers the same, with its first `revoked_at`), 404 for an
/// unknown id.
#[utoipa::path(post, path = "/v1/tokens/{id}/revoke", tag = "tokens", security(("bearer" = [])),
    params(("id" = i64, Path, description = "The token's number")),
    responses(
        (status = 200, description = "Revoked (now, or before)", body = TokenInfo),
        (status = 403, response = super::openapi::responses::Forbidden),
        (status = 404, response = super::openapi::responses::NotFound),
    ))]
pub async fn revoke(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    require(&caller, caller.role.may_manage_tokens(), "manage tokens")?;
    let unknown = || ApiError::NotFound(format!("there is no token {id}"));
    let number: i64 = id.parse().map_err(|_| unknown())?;
    let token = match tokens::revoke(state.store.pool(), number).await? {
        Revocation::Revoked(token) => {
            tracing::info!(id = token.id, principal = %token.principal, by = %caller.principal, "token revoked");
            token
        }
        Revocation::AlreadyRevoked(token) => token,
        Revocation::Unknown => return Err(unknown()),
    };
    json_answer(StatusCode::OK, &token)
}
