//! The witness's own small database: for each log, the latest checkpoint it cosigned, replaced only
//! by a compare-and-swap against the state a submission was checked with.

use anyhow::Context;
use domain::RecordHash;
use sql::Dialect;

use crate::db::Database;

/// The latest checkpoint cosigned for a log.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Witnessed {
    /// Its tree size.
    pub tree_size: u64,
    /// Its root.
    pub root: RecordHash,
}

/// The witness's database.
#[derive(Clone, Debug)]
pub struct WitnessState {
    database: Database,
}

impl WitnessState {
    /// Opens the witness database `url` names and applies its migrations.
    pub async fn open(url: &str) -> anyhow::Result<WitnessState> {
        let database = Database::open(url).await?;
        match database.dialect {
            Dialect::Sqlite => sqlx::migrate!("../migrations/witness/sqlite").run(&database.pool).await,
            Dialect::Postgres => sqlx::migrate!("../migrations/witness/postgres").run(&database.pool).await,
        }
        .context("applying the witness's migrations")?;
        Ok(WitnessState { database })
    }

    /// The latest checkpoint cosigned for `origin`, if any.
    pub async fn latest(&self, origin: &str) -> anyhow::Result<Option<Witnessed>> {
        let row: Option<(i64, String)> =
            sqlx::query_as("SELECT tree_size, root FROM witnessed_logs WHERE origin = $1")
                .bind(origin)
                .fetch_optional(&self.database.pool)
                .await
                .context("reading the witnessed log")?;
        row.map(|(tree_size, root)| {
            Ok(Witnessed {
                tree_size: u64::try_from(tree_size)?,
                root: RecordHash::from_hex(&root).map_err(anyhow::Error::msg)?,
            })
        })
        .transpose()
    }

    /// Replaces the state of `origin` with `new` (its note `note`, cosigned at `cosigned_at`) if it
    /// is still `checked` (`None`: nothing stored yet); answers whether it was.
    pub async fn advance(
        &self,
        origin: &str,
        checked: Option<&Witnessed>,
        new: &Witnessed,
        note: &str,
        cosigned_at: u64,
    ) -> anyhow::Result<bool> {
        let tree_size = i64::try_from(new.tree_size)?;
        let cosigned_at = i64::try_from(cosigned_at)?;
        let mut query = sqlx::query(match checked {
            None => {
                "INSERT INTO witnessed_logs (origin, tree_size, root, note, cosigned_at) VALUES ($1, $2, $3, $4, $5) \
                 ON CONFLICT (origin) DO NOTHING"
            }
            Some(_) => {
                "UPDATE witnessed_logs SET tree_size = $2, root = $3, note = $4, cosigned_at = $5 \
                 WHERE origin = $1 AND tree_size = $6 AND root = $7"
            }
        })
        .bind(origin)
        .bind(tree_size)
        .bind(new.root.to_hex())
        .bind(note)
        .bind(cosigned_at);
        if let Some(checked) = checked {
            query = query.bind(i64::try_from(checked.tree_size)?).bind(checked.root.to_hex());
        }
        let done = query.execute(&self.database.pool).await.context("recording the cosigned checkpoint")?;
        Ok(done.rows_affected() == 1)
    }
}
