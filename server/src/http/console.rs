//! The console: a small web UI for case workers, supervisors, analysts and auditors, served at `/`
//! with its files under `/console/`.
//!
//! Every file is embedded in the binary at compile time (from `server/console/`), so the console
//! works offline and can never differ from the server it came with. The files hold no data and are
//! open without a token: every figure they show is fetched from the API with the user's own token.
//! Each answer carries its content type, an `ETag` (SHA-256 of the bytes) and
//! `Cache-Control: no-cache`, so a browser keeps the files and revalidates them with a cheap 304
//! instead of running yesterday's console against today's server.

use std::sync::LazyLock;

use axum::extract::Path;
use axum::http::header::{self, HeaderMap, HeaderName, HeaderValue};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use sha2::{Digest, Sha256};

use super::problem::ApiError;
use super::AppState;

/// One embedded file.
struct Asset {
    /// Its path under `/console/`.
    path: &'static str,
    /// Its `Content-Type`.
    content_type: &'static str,
    /// Its bytes.
    body: &'static [u8],
}

/// An [`Asset`] embedded from `server/console/<path>`.
macro_rules! asset {
    ($path:literal, $content_type:expr) => {
        Asset {
            path: $path,
            content_type: $content_type,
            body: include_bytes!(concat!("../../console/", $path)),
        }
    };
}

const JAVASCRIPT: &str = "text/javascript; charset=utf-8";
/// The vendored libraries' licences and notes, shipped with them.
const TEXT: &str = "text/plain; charset=utf-8";

/// Where the page (`index.html`) is in [`ASSETS`].
const PAGE: usize = 0;

/// Every file of the console, the page first (a test holds this list to the folder's contents).
const ASSETS: &[Asset] = &[
    asset!("index.html", "text/html; charset=utf-8"),
    asset!("console.css", "text/css; charset=utf-8"),
    asset!("icon.svg", "image/svg+xml"),
    asset!("app.js", JAVASCRIPT),
    asset!("api.js", JAVASCRIPT),
    asset!("dom.js", JAVASCRIPT),
    asset!("i18n.js", JAVASCRIPT),
    asset!("format.js", JAVASCRIPT),
    asset!("charts.js", JAVASCRIPT),
    asset!("roles.js", JAVASCRIPT),
    asset!("sign-in.js", JAVASCRIPT),
    asset!("summary.js", JAVASCRIPT),
    asset!("trail.js", JAVASCRIPT),
    asset!("live.js", JAVASCRIPT),
    asset!("forms.js", JAVASCRIPT),
    asset!("visit.js", JAVASCRIPT),
    asset!("disbursement.js", JAVASCRIPT),
    asset!("ledgers.js", JAVASCRIPT),
    asset!("import.js", JAVASCRIPT),
    asset!("verify.js", JAVASCRIPT),
    asset!("vendor/noble-hashes/sha2.js", JAVASCRIPT),
    asset!("vendor/noble-hashes/_md.js", JAVASCRIPT),
    asset!("vendor/noble-hashes/_u64.js", JAVASCRIPT),
    asset!("vendor/noble-hashes/utils.js", JAVASCRIPT),
    asset!("vendor/noble-hashes/crypto.js", JAVASCRIPT),
    asset!("vendor/noble-hashes/LICENSE", TEXT),
    asset!("vendor/noble-ed25519/index.js", JAVASCRIPT),
    asset!("vendor/noble-ed25519/LICENSE", TEXT),
    asset!("vendor/README.md", TEXT),
    asset!("messages/en.js", JAVASCRIPT),
    asset!("messages/zh-CN.js", JAVASCRIPT),
];

/// Each asset's `ETag`, in the order of [`ASSETS`].
static ETAGS: LazyLock<Vec<HeaderValue>> = LazyLock::new(|| {
    ASSETS
        .iter()
        .map(|asset| {
            let digest = hex::encode(Sha256::digest(asset.body));
            // Hex between quotes is always a valid header value.
            HeaderValue::from_str(&format!("\"{}\"", &digest[..32]))
                .unwrap_or(HeaderValue::from_static("\"\""))
        })
        .collect()
});

/// What the console's pages may load and run: only their own files and the API beside them.
const CONTENT_SECURITY_POLICY: &str = "default-src 'none'; script-src 'self'; style-src 'self'; \
     img-src 'self' data:; connect-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

/// The console's routes: `/` (its page) and `/console/{*path}` (its files).
pub(crate) fn router() -> Router<AppState> {
    Router::new().route("/", get(index)).route("/console/{*path}", get(file))
}

/// `GET /`: the console's page.
async fn index(headers: HeaderMap) -> Response {
    serve(PAGE, &headers)
}

/// `GET /console/{*path}`: one of the console's files, or a 404 problem.
async fn file(Path(path): Path<String>, headers: HeaderMap) -> Result<Response, ApiError> {
    let index = ASSETS
        .iter()
        .position(|asset| asset.path == path)
        .ok_or_else(|| ApiError::NotFound(format!("the console has no file \"{path}\"")))?;
    Ok(serve(index, &headers))
}

/// The asset at `index` of [`ASSETS`], or a 304 when the client's copy is current.
fn serve(index: usize, headers: &HeaderMap) -> Response {
    let asset = &ASSETS[index];
    let etag = ETAGS[index].clone();
    let current = headers
        .get(header::IF_NONE_MATCH)
        .and_then(|value| value.to_str().ok())
        .is_some_and(|tags| tags.split(',').any(|tag| tag.trim() == etag.to_str().unwrap_or_default()));
    let mut response =
        if current { StatusCode::NOT_MODIFIED.into_response() } else { asset.body.into_response() };
    let answer = response.headers_mut();
    answer.insert(header::CONTENT_TYPE, HeaderValue::from_static(asset.content_type));
    answer.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
    answer.insert(header::ETAG, etag);
    answer.insert(header::CONTENT_SECURITY_POLICY, HeaderValue::from_static(CONTENT_SECURITY_POLICY));
    answer.insert(header::REFERRER_POLICY, HeaderValue::from_static("no-referrer"));
    answer.insert(
        HeaderName::from_static("cross-origin-opener-policy"),
        HeaderValue::from_static("same-origin"),
    );
    response
}
