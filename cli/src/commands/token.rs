//! `aidledger token`: create a token (printing its secret once), list every token (never a secret
//! or a hash), revoke one by id or every live one of a principal.

use aidledger_server::app::{open_database, Migrations};
use aidledger_server::tokens::{self, Revocation, TokenInfo};
use clap::{Subcommand, ValueEnum};
use domain::Role;
use unicode_width::UnicodeWidthStr;

/// How `aidledger token list` prints the tokens. (The variants carry plain comments: a doc comment
/// would become a help line of its own under `--format` and change `--help`.)
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum ListFormat {
    // An aligned table, a header line first.
    Table,
    // `{"tokens": [...]}`, as `GET /v1/tokens` answers.
    Json,
}

/// Token subcommands.
#[derive(Debug, Subcommand)]
pub enum TokenCommand {
    /// Create a token and print it as the last line of stdout.
    Create {
        /// staff, supervisor, auditor, analyst or admin.
        #[arg(long, value_parser = parse_role)]
        role: Role,
        /// The principal (`meta.actor` of what the token appends), e.g. zhao.min.
        #[arg(long)]
        name: String,
    },
    /// List every token, live and revoked: id, role, principal, created_at, revoked_at (never a
    /// secret or its hash).
    List {
        /// table or json.
        #[arg(long, value_enum, default_value_t = ListFormat::Table)]
        format: ListFormat,
    },
    /// Revoke a token by its id, or every live token of a principal; a revoked token authenticates
    /// nobody from the next request on.
    Revoke {
        /// The token's id (as `token list` shows it).
        #[arg(long, required_unless_present = "principal", conflicts_with = "principal")]
        id: Option<i64>,
        /// Revoke every live token of this principal instead.
        #[arg(long)]
        principal: Option<String>,
    },
}

/// A role as `--role` spells it (the domain's own spelling, and its own error naming every role).
fn parse_role(value: &str) -> Result<Role, String> {
    value.parse()
}

/// Runs a `token` subcommand on the database `url` names (migrating it first, as a new database
/// has no tokens table yet).
pub async fn run(url: &str, command: TokenCommand) -> anyhow::Result<()> {
    let database = open_database(url, Migrations::Apply).await?;
    let pool = &database.pool;
    match command {
        TokenCommand::Create { role, name } => {
            let issued = tokens::issue(pool, role, &name).await?;
            let (id, principal) = (issued.token.id, &issued.token.principal);
            eprintln!("created {role} token {id} for {principal}; it is shown once:");
            println!("{}", issued.secret);
        }
        TokenCommand::List { format } => {
            let listed = tokens::list(pool).await?;
            match format {
                ListFormat::Json => println!("{}", serde_json::json!({ "tokens": listed })),
                ListFormat::Table => print!("{}", table(&listed)),
            }
        }
        TokenCommand::Revoke { id: Some(id), .. } => match tokens::revoke(pool, id).await? {
            Revocation::Revoked(token) => println!("revoked {}", describe(&token)),
            Revocation::AlreadyRevoked(token) => println!(
                "{} was already revoked at {}",
                describe(&token),
                token.revoked_at.as_deref().unwrap_or("an unknown time")
            ),
            Revocation::Unknown => {
                anyhow::bail!("there is no token {id} (`aidledger token list` shows them all)")
            }
        },
        TokenCommand::Revoke { id: None, principal: Some(principal) } => {
            let revoked = tokens::revoke_principal(pool, &principal).await?;
            if revoked.is_empty() {
                anyhow::ensure!(
                    tokens::principal_exists(pool, &principal).await?,
                    "no token was ever issued to {principal:?} (`aidledger token list` shows them all)"
                );
                println!("{principal} holds no live token; nothing was revoked");
            }
            for token in &revoked {
                println!("revoked {}", describe(token));
            }
        }
        TokenCommand::Revoke { id: None, principal: None } => {
            anyhow::bail!("say which token to revoke: --id N or --principal NAME")
        }
    }
    Ok(())
}

fn describe(token: &TokenInfo) -> String {
    format!("token {} ({} token of {}, created {})", token.id, token.role, token.principal, token.created_at)
}

/// The tokens as a text table aligned for a terminal (where a Chinese character takes two columns),
/// a header line first; `-` where a token is not revoked.
fn table(listed: &[TokenInfo]) -> String {
    let mut rows = vec![["id", "role", "principal", "created_at", "revoked_at"].map(str::to_owned)];
    rows.extend(listed.iter().map(|token| {
        [
            token.id.to_string(),
            token.role.to_string(),
            token.principal.clone(),
            token.created_at.clone(),
            token.revoked_at.clone().unwrap_or_else(|| "-".into()),
        ]
    }));
    let mut widths = [0_usize; 5];
    for row in &rows {
        for (width, cell) in widths.iter_mut().zip(row) {
            *width = (*width).max(cell.width());
        }
    }
    let mut text = String::new();
    for row in &rows {
        let cells: Vec<String> = row
            .iter()
            .zip(widths)
            .map(|(cell, width)| format!("{cell}{}", " ".repeat(width - cell.width())))
            .collect();
        text.push_str(cells.join("  ").trim_end());
        text.push('\n');
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_table_aligns_columns_and_marks_live_tokens_with_a_dash() {
        let listed = [
            TokenInfo {
                id: 1,
                role: Role::Admin,
                principal: "admin".into(),
                created_at: "2026-01-02T03:04:05Z".into(),
                revoked_at: None,
            },
            TokenInfo {
                id: 12,
                role: Role::Staff,
                principal: "赵敏".into(),
                created_at: "2026-01-02T03:04:06Z".into(),
                revoked_at: Some("2026-02-01T00:00:00Z".into()),
            },
        ];
        assert_eq!(
            table(&listed),
            "id  role   principal  created_at            revoked_at\n\
             1   admin  admin      2026-01-02T03:04:05Z  -\n\
             12  staff  赵敏       2026-01-02T03:04:06Z  2026-02-01T00:00:00Z\n"
        );
    }
}
