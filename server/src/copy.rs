//! `aidledger copy`: moves a whole ledger between databases (SQLite → PostgreSQL when an office
//! outgrows one machine, or back), byte for byte: records, Merkle tree nodes, signed checkpoints and
//! their witnesses' cosignatures,
//! subject keys (still wrapped by the same master key) and tokens. The chain is verified on the source before and on the target after, and the two heads
//! must agree. Projections are not copied: the target rebuilds them from its log.

use anyhow::{bail, Context};
use sqlx::any::AnyRow;
use sqlx::{AnyPool, Row};

use crate::db::Database;
use crate::store::read;

/// Rows moved per transaction.
const ROWS_PER_TRANSACTION: i64 = 5000;

/// What a copy moved.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct CopyOutcome {
    /// Records copied.
    pub records: i64,
    /// The head position both sides end with.
    pub head_position: i64,
}

/// A table copied row for row, in key order, paged by its key (the first `key_columns` columns).
struct CopiedTable {
    name: &'static str,
    columns: &'static [(&'static str, ColumnKind)],
    key_columns: usize,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum ColumnKind {
    Int,
    Text,
    OptionalText,
}

const EVENTS: CopiedTable = CopiedTable {
    name: "events",
    columns: &[
        ("position", ColumnKind::Int),
        ("stream", ColumnKind::Text),
        ("version", ColumnKind::Int),
        ("id", ColumnKind::Text),
        ("type", ColumnKind::Text),
        ("body", ColumnKind::Text),
        ("hash", ColumnKind::Text),
    ],
    key_columns: 1,
};

const OTHER_TABLES: &[CopiedTable] = &[
    CopiedTable {
        name: "merkle_nodes",
        columns: &[("level", ColumnKind::Int), ("node_index", ColumnKind::Int), ("hash", ColumnKind::Text)],
        key_columns: 2,
    },
    CopiedTable {
        name: "checkpoints",
        columns: &[
            ("tree_size", ColumnKind::Int),
            ("root", ColumnKind::Text),
            ("note", ColumnKind::Text),
            ("signed_at", ColumnKind::Text),
        ],
        key_columns: 1,
    },
    CopiedTable {
        name: "signing_keys",
        columns: &[
            ("verifier_key", ColumnKind::Text),
            ("tree_size", ColumnKind::Int),
            ("recorded_at", ColumnKind::Text),
        ],
        key_columns: 1,
    },
    CopiedTable {
        name: "cosignatures",
        columns: &[
            ("tree_size", ColumnKind::Int),
            ("key_id", ColumnKind::Text),
            ("witness_key", ColumnKind::Text),
            ("line", ColumnKind::Text),
            ("recorded_at", ColumnKind::Text),
        ],
        key_columns: 2,
    },
    CopiedTable {
        name: "subject_keys",
        columns: &[
            ("subject", ColumnKind::Text),
            ("wrapped_key", ColumnKind::OptionalText),
            ("created_at", ColumnKind::Text),
            ("forgotten_at", ColumnKind::OptionalText),
            ("forgotten_by", ColumnKind::OptionalText),
            ("forget_reason", ColumnKind::OptionalText),
        ],
        key_columns: 1,
    },
    CopiedTable {
        name: "tokens",
        columns: &[
            ("secret_hash", ColumnKind::Text),
            ("role", ColumnKind::Text),
            ("principal", ColumnKind::Text),
            ("created_at", ColumnKind::Text),
            ("revoked_at", ColumnKind::OptionalText),
        ],
        key_columns: 1,
    },
];

async fn count(pool: &AnyPool, table: &str) -> anyhow::Result<i64> {
    let (rows,): (i64,) = sqlx::query_as(&format!("SELECT CAST(COUNT(*) AS BIGINT) FROM {table}"))
        .fetch_one(pool)
        .await
        .with_context(|| format!("counting {table}"))?;
    Ok(rows)
}

/// One cell, read from the source and bound on the target.
#[derive(Clone, Debug)]
enum Cell {
    Int(i64),
    Text(Option<String>),
}

fn read_row(table: &CopiedTable, row: &AnyRow) -> anyhow::Result<Vec<Cell>> {
    table
        .columns
        .iter()
        .enumerate()
        .map(|(index, (_, kind))| {
            Ok(match kind {
                ColumnKind::Int => Cell::Int(row.try_get::<i64, _>(index)?),
                ColumnKind::Text => Cell::Text(Some(row.try_get::<String, _>(index)?)),
                ColumnKind::OptionalText => Cell::Text(row.try_get::<Option<String>, _>(index)?),
            })
        })
        .collect()
}

fn bind<'q>(
    mut query: sqlx::query::Query<'q, sqlx::Any, sqlx::any::AnyArguments<'q>>,
    cells: &'q [Cell],
) -> sqlx::query::Query<'q, sqlx::Any, sqlx::any::AnyArguments<'q>> {
    for cell in cells {
        query = match cell {
            Cell::Int(value) => query.bind(*value),
            Cell::Text(text) => query.bind(text.as_deref()),
        };
    }
    query
}

async fn copy_table(
    source: &Database,
    target: &Database,
    table: &CopiedTable,
    mut progress: impl FnMut(i64),
) -> anyhow::Result<i64> {
    let names: Vec<&str> = table.columns.iter().map(|(name, _)| *name).collect();
    let key = names[..table.key_columns].join(", ");
    let key_params: Vec<String> = (1..=table.key_columns).map(|i| format!("${i}")).collect();
    let first_page = format!(
        "SELECT {} FROM {} ORDER BY {key} LIMIT {ROWS_PER_TRANSACTION}",
        names.join(", "),
        table.name
    );
    let next_page = format!(
        "SELECT {} FROM {} WHERE ({key}) > ({}) ORDER BY {key} LIMIT {ROWS_PER_TRANSACTION}",
        names.join(", "),
        table.name,
        key_params.join(", ")
    );
    let placeholders: Vec<String> = (1..=names.len()).map(|i| format!("${i}")).collect();
    let insert =
        format!("INSERT INTO {} ({}) VALUES ({})", table.name, names.join(", "), placeholders.join(", "));
    let mut connection = target.connect_one().await?;
    let mut last_key: Option<Vec<Cell>> = None;
    let mut copied = 0;
    loop {
        let rows = match &last_key {
            None => sqlx::query(&first_page).fetch_all(&source.pool).await,
            Some(key) => bind(sqlx::query(&next_page), key).fetch_all(&source.pool).await,
        }
        .with_context(|| format!("reading {}", table.name))?;
        let Some(last) = rows.last() else { return Ok(copied) };
        last_key = Some(read_row(table, last)?[..table.key_columns].to_vec());
        sqlx::query("BEGIN").execute(&mut connection).await?;
        let inserted: anyhow::Result<()> = async {
            for row in &rows {
                let cells = read_row(table, row)?;
                bind(sqlx::query(&insert), &cells)
                    .execute(&mut connection)
                    .await
                    .with_context(|| format!("inserting into {}", table.name))?;
            }
            Ok(())
        }
        .await;
        if let Err(error) = inserted {
            let _ = sqlx::query("ROLLBACK").execute(&mut connection).await;
            return Err(error);
        }
        sqlx::query("COMMIT").execute(&mut connection).await?;
        copied += rows.len() as i64;
        progress(copied);
    }
}

/// Copies the ledger at `from` into the empty (or new) database at `to`; `progress` hears how many
/// records have been copied of how many.
pub async fn copy(from: &str, to: &str, mut progress: impl FnMut(i64, i64)) -> anyhow::Result<CopyOutcome> {
    let source = Database::open(from).await?;
    source.migrate().await?;
    let before = read::verify(&source.pool, source.dialect).await.context("verifying the source")?;
    if !before.ok {
        bail!(
            "the source does not verify (first bad position {}): {}",
            before.first_bad_position.unwrap_or_default(),
            before.detail.unwrap_or_default()
        );
    }
    let target = Database::open(to).await?;
    target.migrate().await?;
    for table in std::iter::once(&EVENTS).chain(OTHER_TABLES) {
        if count(&target.pool, table.name).await? > 0 {
            bail!("the target already holds {}: copy only into an empty ledger", table.name);
        }
    }
    let total = before.checked;
    let records = copy_table(&source, &target, &EVENTS, |done| progress(done, total)).await?;
    for table in OTHER_TABLES {
        copy_table(&source, &target, table, |_| {}).await?;
    }
    let after = read::verify(&target.pool, target.dialect).await.context("verifying the target")?;
    if !after.ok || after.head_hash != before.head_hash || after.checked != before.checked {
        bail!(
            "the copy does not verify like the source: source head {} at {}, target head {} at {} ({})",
            before.head_hash,
            before.head_position,
            after.head_hash,
            after.head_position,
            after.detail.unwrap_or_default()
        );
    }
    Ok(CopyOutcome { records, head_position: after.head_position })
}
