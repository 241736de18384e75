//! API tokens: a random secret shown once, stored only as its SHA-256, carrying a role and the
//! principal that becomes `meta.actor` of everything appended with it.
//!
//! A token is never deleted: revoking it stamps `revoked_at`, so the list an admin reads keeps every
//! token ever issued and when each stopped working. Nothing here ever returns a secret except
//! [`issue`], once, and nothing returns a stored hash at all.
//!
//! Requests check their token through [`TokenCheck`] ([`lease`]), which remembers live tokens while
//! it knows of every revocation; [`authenticate`] reads the database every time.

pub mod lease;

use anyhow::Context;
use domain::record::format_recorded_at;
use domain::Role;
use serde::Serialize;
use sha2::{Digest, Sha256};
use sqlx::AnyPool;
use subtle::ConstantTimeEq;
use time::OffsetDateTime;

use crate::principal;
pub use lease::TokenCheck;

/// What prefixes every secret, so that a leaked one is recognisable in logs and scanners.
const SECRET_PREFIX: &str = "aidl_";

/// The columns of a token that may be shown (never `secret_hash`).
const SHOWN_COLUMNS: &str = "id, role, principal, created_at, revoked_at";

/// The holder of a valid token.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Caller {
    /// Who (`meta.actor`).
    pub principal: String,
    /// What they may do.
    pub role: Role,
}

/// A token as an admin sees it: who holds it and since when, never its secret or its hash.
// Fields in name order: the order the API has always served them in.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, utoipa::ToSchema)]
#[schema(as = Token)]
pub struct TokenInfo {
    /// When it was issued (RFC 3339 UTC).
    pub created_at: String,
    /// The token's number, which `token revoke --id` and `POST /v1/tokens/{id}/revoke` take.
    pub id: i64,
    /// Who holds it (`meta.actor` of what it appends).
    pub principal: String,
    /// When it was revoked (RFC 3339 UTC); absent while it works.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    pub revoked_at: Option<String>,
    /// What it may do.
    pub role: Role,
}

/// A token just issued: what it is, and its secret, which is shown this once and never kept.
#[derive(Clone, Debug)]
pub struct IssuedToken {
    /// The token.
    pub token: TokenInfo,
    /// The bearer secret.
    pub secret: String,
}

/// What revoking a token by its id found.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Revocation {
    /// It worked until now and no longer does.
    Revoked(TokenInfo),
    /// It had been revoked before (at its `revoked_at`); nothing changed.
    AlreadyRevoked(TokenInfo),
    /// There is no token with that id.
    Unknown,
}

type TokenRow = (i64, String, String, String, Option<String>);

fn token_info((id, role, principal, created_at, revoked_at): TokenRow) -> anyhow::Result<TokenInfo> {
    let role = role.parse().map_err(anyhow::Error::msg).context("a stored token has an unknown role")?;
    Ok(TokenInfo { id, role, principal: principal::fold(&principal), created_at, revoked_at })
}

fn secret_hash(secret: &str) -> String {
    hex::encode(Sha256::digest(secret.as_bytes()))
}

fn now() -> String {
    format_recorded_at(OffsetDateTime::now_utc())
}

/// Issues a token for `name` with `role`: the stored token, whose principal is `name` normalized
/// ([`principal::normalize`]; a name that does not fit is refused), and its secret (the only time
/// the secret exists outside the holder's hands).
pub async fn issue(pool: &AnyPool, role: Role, name: &str) -> anyhow::Result<IssuedToken> {
    let principal = principal::normalize(name).map_err(anyhow::Error::msg)?;
    let mut random = [0_u8; 32];
    getrandom::fill(&mut random).map_err(|e| anyhow::anyhow!("no randomness for a token: {e}"))?;
    let secret = format!("{SECRET_PREFIX}{}", hex::encode(random));
    let created_at = now();
    let (id,): (i64,) = sqlx::query_as(
        "INSERT INTO tokens (secret_hash, role, principal, created_at) VALUES ($1, $2, $3, $4) RETURNING id",
    )
    .bind(secret_hash(&secret))
    .bind(role.as_str())
    .bind(&principal)
    .bind(&created_at)
    .fetch_one(pool)
    .await
    .context("storing a token")?;
    let token = TokenInfo { id, role, principal, created_at, revoked_at: None };
    Ok(IssuedToken { token, secret })
}

/// Creates a token for `principal` with `role` and returns its secret (the only time it is shown).
pub async fn create(pool: &AnyPool, role: Role, principal: &str) -> anyhow::Result<String> {
    Ok(issue(pool, role, principal).await?.secret)
}

/// The caller a secret belongs to, if it is a live token. Its principal is the stored one folded
/// ([`principal::fold`]), so that a token issued before names were normalized speaks for the same
/// person as its normalized twin.
///
/// The row is found by the SHA-256 of the secret, never by the secret itself, so the index lookup's
/// early-exit comparisons run over a hash the caller cannot steer byte by byte: timing can tell an
/// attacker at most how much of the *hash* of their guess matched, which says nothing about any
/// real secret. The stored hash is then compared with the computed one in constant time anyway, so
/// that no byte-by-byte comparison of secret material happens in our code, and so that a database
/// whose text comparison is looser than byte equality (a collation, trailing spaces) can never let a
/// near miss through.
pub async fn authenticate(pool: &AnyPool, secret: &str) -> anyhow::Result<Option<Caller>> {
    look_up(pool, &secret_hash(secret)).await
}

/// The caller whose secret hashes to `computed`, read from the database (see [`authenticate`]).
async fn look_up(pool: &AnyPool, computed: &str) -> anyhow::Result<Option<Caller>> {
    let row: Option<(String, String, String)> = sqlx::query_as(
        "SELECT secret_hash, role, principal FROM tokens WHERE secret_hash = $1 AND revoked_at IS NULL",
    )
    .bind(computed)
    .fetch_optional(pool)
    .await
    .context("looking up a token")?;
    let Some((stored, role, principal)) = row else { return Ok(None) };
    if !bool::from(stored.as_bytes().ct_eq(computed.as_bytes())) {
        return Ok(None);
    }
    let role = role.parse().map_err(anyhow::Error::msg).context("a stored token has an unknown role")?;
    let principal = principal::fold(&principal);
    if principal.is_empty() {
        tracing::warn!("a token whose principal name has no letter or digit authenticates nobody");
        return Ok(None);
    }
    Ok(Some(Caller { principal, role }))
}

/// Whether no token exists yet (a new database).
pub async fn none_exist(pool: &AnyPool) -> anyhow::Result<bool> {
    let (count,): (i64,) =
        sqlx::query_as("SELECT COUNT(*) FROM tokens").fetch_one(pool).await.context("counting tokens")?;
    Ok(count == 0)
}

/// Every token ever issued, live and revoked, oldest first.
pub async fn list(pool: &AnyPool) -> anyhow::Result<Vec<TokenInfo>> {
    let rows: Vec<TokenRow> = sqlx::query_as(&format!("SELECT {SHOWN_COLUMNS} FROM tokens ORDER BY id"))
        .fetch_all(pool)
        .await
        .context("listing tokens")?;
    rows.into_iter().map(token_info).collect()
}

async fn find(pool: &AnyPool, id: i64) -> anyhow::Result<Option<TokenInfo>> {
    let row: Option<TokenRow> = sqlx::query_as(&format!("SELECT {SHOWN_COLUMNS} FROM tokens WHERE id = $1"))
        .bind(id)
        .fetch_optional(pool)
        .await
        .context("reading a token")?;
    row.map(token_info).transpose()
}

/// Revokes the token `id`: once this answers, it authenticates nobody on any server from the next
/// request on. Revoking a revoked token changes nothing (its first `revoked_at` stands).
///
/// It answers [`lease::REVOCATION_LEASE`] after the commit, by when no server still answers from a
/// memory of the tokens made before it ([`TokenCheck`]).
pub async fn revoke(pool: &AnyPool, id: i64) -> anyhow::Result<Revocation> {
    let revocation = revoke_at_once(pool, id).await?;
    if !matches!(revocation, Revocation::Unknown) {
        outlast_remembered_tokens().await;
    }
    Ok(revocation)
}

/// Waits until every server's memory of the tokens dates from after a revocation just committed.
async fn outlast_remembered_tokens() {
    tokio::time::sleep(lease::REVOCATION_LEASE).await;
}

/// Revokes the token `id` in the database, answering as soon as that is committed.
async fn revoke_at_once(pool: &AnyPool, id: i64) -> anyhow::Result<Revocation> {
    // One statement, so that it needs no transaction (and no write lock held across statements).
    let revoked: Option<TokenRow> = sqlx::query_as(&format!(
        "UPDATE tokens SET revoked_at = $1 WHERE id = $2 AND revoked_at IS NULL RETURNING {SHOWN_COLUMNS}"
    ))
    .bind(now())
    .bind(id)
    .fetch_optional(pool)
    .await
    .context("revoking a token")?;
    if let Some(row) = revoked {
        return Ok(Revocation::Revoked(token_info(row)?));
    }
    Ok(match find(pool, id).await? {
        Some(token) => Revocation::AlreadyRevoked(token),
        None => Revocation::Unknown,
    })
}

/// Revokes every live token of `principal` (someone who left, or whose tokens may have leaked);
/// answers the tokens it revoked, none when they all were already. Names are compared folded
/// ([`principal::fold`]), so a token issued before names were normalized is revoked with its twins.
pub async fn revoke_principal(pool: &AnyPool, principal: &str) -> anyhow::Result<Vec<TokenInfo>> {
    let mut revoked = Vec::new();
    for token in tokens_of(pool, principal).await?.into_iter().filter(|token| token.revoked_at.is_none()) {
        if let Revocation::Revoked(token) = revoke_at_once(pool, token.id).await? {
            revoked.push(token);
        }
    }
    if !revoked.is_empty() {
        outlast_remembered_tokens().await;
    }
    Ok(revoked)
}

/// Every token of `principal` (names compared folded), oldest first.
async fn tokens_of(pool: &AnyPool, principal: &str) -> anyhow::Result<Vec<TokenInfo>> {
    let principal = principal::fold(principal);
    Ok(list(pool).await?.into_iter().filter(|token| token.principal == principal).collect())
}

/// Whether `principal` holds or ever held a token (names compared folded).
pub async fn principal_exists(pool: &AnyPool, principal: &str) -> anyhow::Result<bool> {
    Ok(!tokens_of(pool, principal).await?.is_empty())
}
