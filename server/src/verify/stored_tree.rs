//! Comparing the stored Merkle tree nodes with the nodes recomputed from the records, as the
//! recomputation completes them, without holding either tree.
//!
//! A [`MerkleFrontier`](domain::merkle::MerkleFrontier) fed the records' leaf hashes completes each
//! level's nodes in index order, so each level is read from the store as its own ordered stream of
//! pages (read ahead by a task per level) and compared node by node: none missing, none different,
//! and at the end none left over.

use std::collections::VecDeque;

use domain::merkle::{Node, NodeId};
use domain::RecordHash;
use sqlx::AnyPool;
use tokio::sync::mpsc;
use tokio::task::JoinHandle;

use super::Failure;

/// Nodes of one level read per page unless told otherwise.
pub const NODES_PER_PAGE: i64 = 2_048;
/// Pages of one level read ahead.
const PAGES_AHEAD: usize = 2;

type Page = Result<Vec<(i64, String)>, sqlx::Error>;

/// The failure naming the stored node `id`.
fn node_failure(id: NodeId, detail: &str) -> Failure {
    let positions = if id.level == 0 {
        format!("position {}", id.start() + 1)
    } else {
        format!("positions {}–{}", id.start() + 1, id.end())
    };
    Failure::Record {
        position: id.start() + 1,
        detail: format!("the stored tree node {id} over {positions} {detail}"),
    }
}

/// The failure naming a stored node that cannot be a node of any tree.
fn impossible_node(level: i64, index: i64, position: u64) -> Failure {
    Failure::Record { position, detail: format!("a stored tree node has level {level} and index {index}") }
}

/// One level's stored nodes in index order, read ahead by a task.
struct LevelNodes {
    pages: mpsc::Receiver<Page>,
    page: VecDeque<(i64, String)>,
    reader: JoinHandle<()>,
}

impl LevelNodes {
    fn start(pool: AnyPool, level: u8, size: u64, nodes_per_page: i64) -> Self {
        let (sender, pages) = mpsc::channel(PAGES_AHEAD);
        let index_end = i64::try_from(size >> level).unwrap_or(i64::MAX);
        let reader = tokio::spawn(async move {
            if let Err(error) = read_level(&pool, level, index_end, nodes_per_page, &sender).await {
                let _ = sender.send(Err(error)).await;
            }
        });
        Self { pages, page: VecDeque::new(), reader }
    }

    async fn next(&mut self) -> Result<Option<(i64, String)>, sqlx::Error> {
        loop {
            if let Some(row) = self.page.pop_front() {
                return Ok(Some(row));
            }
            match self.pages.recv().await {
                None => return Ok(None),
                Some(page) => self.page = page?.into(),
            }
        }
    }
}

impl Drop for LevelNodes {
    fn drop(&mut self) {
        self.reader.abort();
    }
}

/// Reads `level` page by page up to `index_end` (exclusive), from below any index (a stray negative
/// one is read too).
async fn read_level(
    pool: &AnyPool,
    level: u8,
    index_end: i64,
    nodes_per_page: i64,
    pages: &mpsc::Sender<Page>,
) -> Result<(), sqlx::Error> {
    let mut read_from = i64::MIN;
    loop {
        let rows: Vec<(i64, String)> = sqlx::query_as(
            "SELECT node_index, hash FROM merkle_nodes WHERE level = $1 AND node_index >= $2 \
             AND node_index < $3 ORDER BY node_index LIMIT $4",
        )
        .bind(i64::from(level))
        .bind(read_from)
        .bind(index_end)
        .bind(nodes_per_page)
        .fetch_all(pool)
        .await?;
        let next_from = match rows.last() {
            Some((last, _)) if i64::try_from(rows.len()) == Ok(nodes_per_page) => last.checked_add(1),
            _ => None,
        };
        if rows.is_empty() || pages.send(Ok(rows)).await.is_err() {
            return Ok(());
        }
        match next_from {
            Some(from) => read_from = from,
            None => return Ok(()),
        }
    }
}

/// The stored tree, compared level by level with the nodes a frontier completes.
pub struct StoredTreeCheck {
    pool: AnyPool,
    size: u64,
    nodes_per_page: i64,
    levels: Vec<LevelNodes>,
}

impl StoredTreeCheck {
    /// Starts reading the nodes of the tree of the first `size` records stored in `pool`, each level
    /// `nodes_per_page` nodes at a time ([`NODES_PER_PAGE`] is a good choice).
    pub fn start(pool: AnyPool, size: u64, nodes_per_page: i64) -> Self {
        let nodes_per_page = nodes_per_page.max(1);
        let leaves = LevelNodes::start(pool.clone(), 0, size, nodes_per_page);
        Self { pool, size, nodes_per_page, levels: vec![leaves] }
    }

    /// Compares the next stored node of `node`'s level with `node`, which the recomputed tree has just
    /// completed (each level's nodes must come in index order).
    pub async fn expect(&mut self, node: Node) -> anyhow::Result<Result<(), Failure>> {
        let level = usize::from(node.id.level);
        while self.levels.len() <= level {
            let next_level = u8::try_from(self.levels.len())?;
            self.levels.push(LevelNodes::start(
                self.pool.clone(),
                next_level,
                self.size,
                self.nodes_per_page,
            ));
        }
        let Some((index, hash)) = self.levels[level].next().await? else {
            return Ok(Err(node_failure(node.id, "is missing")));
        };
        let expected_index = i64::try_from(node.id.index)?;
        if index < expected_index {
            return Ok(Err(impossible_node(i64::from(node.id.level), index, node.id.start() + 1)));
        }
        if index > expected_index {
            return Ok(Err(node_failure(node.id, "is missing")));
        }
        if RecordHash::from_hex(&hash).ok() != Some(node.hash) {
            return Ok(Err(node_failure(node.id, "does not match the records' hashes")));
        }
        Ok(Ok(()))
    }

    /// Checks, after every node of the tree was [`expect`](Self::expect)ed, that no other node is
    /// stored among them.
    pub async fn expect_no_more(&mut self) -> anyhow::Result<Result<(), Failure>> {
        for (level, nodes) in self.levels.iter_mut().enumerate() {
            if let Some((index, _)) = nodes.next().await? {
                return Ok(Err(impossible_node(i64::try_from(level)?, index, self.size)));
            }
        }
        Ok(Ok(()))
    }
}

/// The highest stored node of each level, as (level, index); a level below 0 or above 63 (which no
/// tree has) comes first when one is stored.
pub async fn highest_nodes(pool: &AnyPool) -> Result<Vec<(i64, i64)>, sqlx::Error> {
    let mut highest = Vec::new();
    let stray: Option<(i64, i64)> = sqlx::query_as(
        "SELECT level, node_index FROM merkle_nodes WHERE level < 0 OR level >= 64 ORDER BY level LIMIT 1",
    )
    .fetch_optional(pool)
    .await?;
    highest.extend(stray);
    for level in 0..64_i64 {
        let (index,): (Option<i64>,) =
            sqlx::query_as("SELECT MAX(node_index) FROM merkle_nodes WHERE level = $1")
                .bind(level)
                .fetch_one(pool)
                .await?;
        highest.extend(index.map(|index| (level, index)));
    }
    Ok(highest)
}

/// The failure for the first of `highest` ([`highest_nodes`]) that lies beyond a log of `records`
/// records (read after them, so that any node seen belongs to a committed record).
pub fn beyond(highest: &[(i64, i64)], records: u64) -> Result<(), Failure> {
    for &(level, index) in highest {
        let id = match (u8::try_from(level), u64::try_from(index)) {
            (Ok(level), Ok(index)) if level < 64 => NodeId::new(level, index),
            _ => return Err(impossible_node(level, index, records)),
        };
        if u128::from(id.index + 1) << id.level > u128::from(records) {
            return Err(node_failure(id, "lies beyond the log's last record"));
        }
    }
    Ok(())
}
