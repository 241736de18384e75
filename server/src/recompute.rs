//! Recomputing a report from an export alone: the records of an export (one a line, exactly as
//! served) are checked link by link, the first `tree_size` of them loaded into a scratch database
//! of their own, the projections folded from them, and the summary computed, with no access to the
//! ledger's database. The `ReportClosed` records in the export are found beside, so that what a
//! report pinned can be compared with what its records give.

use std::io::BufRead;
use std::path::Path;

use anyhow::{bail, Context};
use domain::chain::ChainVerifier;
use domain::merkle::MerkleFrontier;
use domain::record::Record;
use domain::RecordHash;
use projections::queries::summary::{self, Summary, SummaryQuery};
use projections::runner::REBUILD_CHUNK_EVENTS;
use sql::{insert_rows, Dialect};

use crate::closing::ClosedReport;
use crate::db::Database;
use crate::verify::export_file::split_line;

/// Records inserted into the scratch database per transaction.
const RECORDS_PER_TRANSACTION: usize = 5000;

/// Rows per multi-row INSERT (7 values each).
const RECORDS_PER_INSERT: usize = 250;

/// What an export gives for a period at a tree size.
#[derive(Debug)]
pub struct Recomputed {
    /// The summary over the export's first `tree_size` records.
    pub summary: Summary,
    /// The Merkle root of those records.
    pub root: RecordHash,
    /// Every `ReportClosed` record in the whole export, in position order.
    pub closed: Vec<ClosedReport>,
}

/// One record as the events table stores it.
struct Row {
    position: i64,
    stream: String,
    version: i64,
    id: String,
    event_type: String,
    body: String,
    hash: String,
}

/// Recomputes the summary `query` asks for from the first `tree_size` records of the export
/// `records`, checking the whole file's chain; `progress` is told each record read.
pub async fn recompute(
    records: &Path,
    tree_size: u64,
    query: &SummaryQuery,
    mut progress: impl FnMut(u64),
) -> anyhow::Result<Recomputed> {
    let scratch = tempfile::tempdir().context("making a scratch directory")?;
    let url = format!("sqlite://{}", scratch.path().join("recompute.db").display());
    let database = Database::open(&url).await?;
    database.migrate().await?;
    let file = std::fs::File::open(records).with_context(|| format!("opening {}", records.display()))?;
    let mut reader = std::io::BufReader::new(file);
    let (mut chain, mut frontier) = (ChainVerifier::new(), MerkleFrontier::new());
    let (mut pending, mut closed, mut root) = (Vec::new(), Vec::new(), None);
    let mut line = Vec::new();
    loop {
        line.clear();
        if reader.read_until(b'\n', &mut line).with_context(|| format!("reading {}", records.display()))? == 0
        {
            break;
        }
        let position = i64::try_from(frontier.size() + 1)?;
        let text = line.strip_suffix(b"\n").unwrap_or(&line);
        let (body, hash) = split_line(text)
            .and_then(|(body, hash)| chain.check(position, &body, &hash).map(|()| (body, hash)))
            .map_err(|detail| anyhow::anyhow!("the export's record at position {position}: {detail}"))?;
        frontier.push(&chain.head_hash());
        let record: Record = serde_json::from_str(&body).context("reading a record")?;
        if record.event_type == "ReportClosed" {
            closed.push(ClosedReport::from_row((
                position,
                record.stream.clone(),
                body.clone(),
                hash.clone(),
            ))?);
        }
        if frontier.size() <= tree_size {
            pending.push(Row {
                position,
                stream: record.stream,
                version: record.version,
                id: record.id,
                event_type: record.event_type,
                body,
                hash,
            });
            if pending.len() == RECORDS_PER_TRANSACTION {
                insert(&database, &pending).await?;
                pending.clear();
            }
        }
        if frontier.size() == tree_size {
            root = Some(frontier.root());
        }
        progress(frontier.size());
    }
    insert(&database, &pending).await?;
    let Some(root) = root else {
        bail!("the export holds {} records, fewer than the tree size {tree_size}", frontier.size());
    };
    let mut connection = database.connect_for_projections().await?;
    crate::projector::catch_up(&mut connection, &database, REBUILD_CHUNK_EVENTS, |_| {}).await?;
    let summary = summary::summary(&database.pool, query).await?;
    database.pool.close().await;
    Ok(Recomputed { summary, root, closed })
}

/// Inserts `rows` into the scratch database's log in one transaction.
async fn insert(database: &Database, rows: &[Row]) -> anyhow::Result<()> {
    let mut connection = database.connect_one().await?;
    sql::execute(&mut connection, "BEGIN").await?;
    insert_rows(
        &mut connection,
        Dialect::Sqlite,
        ("INSERT INTO events (position, stream, version, id, type, body, hash)", ""),
        7,
        rows,
        RECORDS_PER_INSERT,
        |query, row| {
            Ok::<_, sqlx::Error>(
                query
                    .bind(row.position)
                    .bind(row.stream.as_str())
                    .bind(row.version)
                    .bind(row.id.as_str())
                    .bind(row.event_type.as_str())
                    .bind(row.body.as_str())
                    .bind(row.hash.as_str()),
            )
        },
    )
    .await?;
    sql::execute(&mut connection, "COMMIT").await?;
    Ok(())
}
