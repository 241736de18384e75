//! API tokens: a random secret shown once, stored only as its SHA-256, carrying a role and the
//! principal that becomes `meta.actor` of everything appended with it.

use anyhow::Context;
use domain::record::format_recorded_at;
use domain::Role;
use sha2::{Digest, Sha256};
use sqlx::AnyPool;
use time::OffsetDateTime;

/// What prefixes every secret, so that a leaked one is recognisable in logs and scanners.
const SECRET_PREFIX: &str = "aidl_";

/// The holder of a valid token.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Caller {
    /// Who (`meta.actor`).
    pub principal: String,
    /// What they may do.
    pub role: Role,
}

fn secret_hash(secret: &str) -> String {
    hex::encode(Sha256::digest(secret.as_bytes()))
}

/// Checks a principal name: 1 to 100 characters, no control characters, not only spaces.
pub fn check_principal(principal: &str) -> Result<(), String> {
    if principal.trim().is_empty()
        || principal.chars().count() > 100
        || principal.chars().any(char::is_control)
    {
        return Err(format!("{principal:?} is not a principal name (1 to 100 printable characters)"));
    }
    Ok(())
}

/// Creates a token for `principal` with `role` and returns its secret (the only time it is shown).
pub async fn create(pool: &AnyPool, role: Role, principal: &str) -> anyhow::Result<String> {
    check_principal(principal).map_err(anyhow::Error::msg)?;
    let mut random = [0_u8; 32];
    getrandom::fill(&mut random).map_err(|e| anyhow::anyhow!("no randomness for a token: {e}"))?;
    let secret = format!("{SECRET_PREFIX}{}", hex::encode(random));
    sqlx::query("INSERT INTO tokens (secret_hash, role, principal, created_at) VALUES ($1, $2, $3, $4)")
        .bind(secret_hash(&secret))
        .bind(role.as_str())
        .bind(principal)
        .bind(format_recorded_at(OffsetDateTime::now_utc()))
        .execute(pool)
        .await
        .context("storing a token")?;
    Ok(secret)
}

/// The caller a secret belongs to, if it is a live token. The lookup is by the secret's hash, so no
/// secret is ever compared byte by byte.
pub async fn authenticate(pool: &AnyPool, secret: &str) -> anyhow::Result<Option<Caller>> {
    let row: Option<(String, String)> =
        sqlx::query_as("SELECT role, principal FROM tokens WHERE secret_hash = $1 AND revoked_at IS NULL")
            .bind(secret_hash(secret))
            .fetch_optional(pool)
            .await
            .context("looking up a token")?;
    let Some((role, principal)) = row else { return Ok(None) };
    let role = role.parse().map_err(anyhow::Error::msg).context("a stored token has an unknown role")?;
    Ok(Some(Caller { principal, role }))
}

/// Whether no token exists yet (a new database).
pub async fn none_exist(pool: &AnyPool) -> anyhow::Result<bool> {
    let (count,): (i64,) =
        sqlx::query_as("SELECT COUNT(*) FROM tokens").fetch_one(pool).await.context("counting tokens")?;
    Ok(count == 0)
}
