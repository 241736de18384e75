//! The error responses of the document: each an `application/problem+json` body of the `Problem`
//! schema, registered once under `components/responses` and referenced by the operations that can
//! answer it.

use utoipa::openapi::header::HeaderBuilder;
use utoipa::openapi::response::{Response, ResponseBuilder};
use utoipa::openapi::schema::{ObjectBuilder, Type};
use utoipa::openapi::{Components, ContentBuilder, Ref, RefOr};
use utoipa::ToResponse;

use crate::http::problem::PROBLEM_JSON;

fn problem_response(description: &str) -> ResponseBuilder {
    let content = ContentBuilder::new().schema(Some(Ref::from_schema_name("Problem"))).build();
    ResponseBuilder::new().description(description).content(PROBLEM_JSON, content)
}

fn with_header(response: ResponseBuilder, name: &str, description: &str) -> ResponseBuilder {
    let header = HeaderBuilder::new()
        .schema(ObjectBuilder::new().schema_type(Type::String))
        .description(Some(description))
        .build();
    response.header(name, header)
}

macro_rules! problem_responses {
    ($($(#[$doc:meta])* $name:ident => $response:expr;)+) => {
        $(
            $(#[$doc])*
            pub struct $name;

            impl<'s> ToResponse<'s> for $name {
                fn response() -> (&'s str, RefOr<Response>) {
                    (stringify!($name), RefOr::T($response.build()))
                }
            }
        )+

        /// Adds every problem response to `components`.
        pub fn register(components: &mut Components) {
            $(
                let (name, response) = $name::response();
                components.responses.insert(name.to_owned(), response);
            )+
        }
    };
}

problem_responses! {
    /// 400.
    BadRequest => problem_response(
        "The body is not UTF-8 or not JSON (or repeats a key, or holds U+0000), or a parameter is \
         malformed, unknown or out of range",
    );
    /// 401.
    Unauthorized => with_header(
        problem_response("No token, or one that is unknown or revoked"),
        "WWW-Authenticate",
        "Bearer",
    );
    /// 403.
    Forbidden => problem_response("The token's role may not do this");
    /// 404.
    NotFound => problem_response("No such stream, record, checkpoint or resource");
    /// 405.
    MethodNotAllowed => with_header(
        problem_response("The path is served, but not with this method"),
        "Allow",
        "The methods the path is served with",
    );
    /// 406.
    NotAcceptable => problem_response(
        "The `Accept` header accepts neither application/json nor text/csv (a `q=0` refuses a type)",
    );
    /// 408.
    RequestTimeout => problem_response(
        "The request (its body, and the answer to it) took longer than the request timeout",
    );
    /// 409.
    Conflict => problem_response(
        "The stream is not at `expected_version` (the body carries `current_version`), or an event id is \
         already recorded with other content",
    );
    /// 413.
    PayloadTooLarge => problem_response(
        "The body is larger than the body limit (answered at once when `Content-Length` declares it)",
    );
    /// 415.
    UnsupportedMediaType => with_header(
        problem_response("The body is declared (`Content-Type`) as something other than application/json"),
        "Accept",
        "application/json",
    );
    /// 422.
    UnprocessableEntity => problem_response(
        "The body is JSON but breaks the schema (`errors`, each with a `pointer`), or an event breaks a \
         domain rule (`rule`)",
    );
    /// 429.
    TooManyRequests => with_header(
        problem_response("The server is already answering as many requests as it takes at once"),
        "Retry-After",
        "Seconds to wait before retrying",
    );
    /// 503.
    ServiceUnavailable => with_header(
        problem_response(
            "The server is shutting down, is not ready yet (`/readyz`), or the database stayed busy past \
             its timeout (retry after `Retry-After` seconds)",
        ),
        "Retry-After",
        "Seconds to wait before retrying (when not ready, or the database was busy)",
    );
}
