//! Comparing the stored Merkle tree nodes with the nodes recomputed from the records, as the
//! recomputation completes them, without holding either tree.
//!
//! A [`MerkleFrontier`](domain::merkle::MerkleFrontier) fed the records' leaf hashes completes each
//! level's nodes in index order, so each level is read from the store as its own ordered stream of
//! pages (read ahead by a task per level, each packed into one row where it can be: see
//! [`sql::packed`]) and compared node by node: none missing, none different, and at the end none
//! stored outside the tree.

use domain::merkle::{Node, NodeId};
use sql::{Dialect, PackedQuery};
use sqlx::AnyPool;
use tokio::sync::mpsc;
use tokio::task::JoinHandle;

use super::Failure;

/// Nodes of one level read per page unless told otherwise.
pub(crate) const NODES_PER_PAGE: i64 = 2_048;
/// Pages of one level read ahead.
const PAGES_AHEAD: usize = 1;

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

/// A run of one level's stored nodes, in index order.
enum Page {
    /// Every node of the indices from `first_index` on, their 64-digit hashes run together (read in
    /// one row, which is most of the cost of reading them saved).
    Packed { first_index: i64, hashes: Vec<u8> },
    /// The nodes as stored, one row each (read when a range is not exactly whole).
    Rows(Vec<(i64, String)>),
}

impl Page {
    fn len(&self) -> usize {
        match self {
            Page::Packed { hashes, .. } => hashes.len() / 64,
            Page::Rows(rows) => rows.len(),
        }
    }

    fn node(&self, at: usize) -> (i64, &[u8]) {
        match self {
            Page::Packed { first_index, hashes } => {
                (first_index + i64::try_from(at).unwrap_or(i64::MAX), &hashes[at * 64..(at + 1) * 64])
            }
            Page::Rows(rows) => (rows[at].0, rows[at].1.as_bytes()),
        }
    }
}

/// One level's stored nodes in index order, read ahead by a task.
struct LevelNodes {
    pages: mpsc::Receiver<Result<Page, sqlx::Error>>,
    page: Page,
    at: usize,
    reader: JoinHandle<()>,
}

impl LevelNodes {
    fn start(pool: AnyPool, dialect: Dialect, level: u8, size: u64, nodes_per_page: i64) -> Self {
        let (sender, pages) = mpsc::channel(PAGES_AHEAD);
        let index_end = i64::try_from(size >> level).unwrap_or(i64::MAX);
        let reader = tokio::spawn(async move {
            if let Err(error) = read_level((&pool, dialect), level, index_end, nodes_per_page, &sender).await
            {
                let _ = sender.send(Err(error)).await;
            }
        });
        Self { pages, page: Page::Rows(Vec::new()), at: 0, reader }
    }

    /// The next stored node: its index and hash (as stored, normally 64 hex digits).
    async fn next(&mut self) -> Result<Option<(i64, &[u8])>, sqlx::Error> {
        while self.at >= self.page.len() {
            match self.pages.recv().await {
                None => return Ok(None),
                Some(page) => {
                    self.page = page?;
                    self.at = 0;
                }
            }
        }
        self.at += 1;
        Ok(Some(self.page.node(self.at - 1)))
    }
}

impl Drop for LevelNodes {
    fn drop(&mut self) {
        self.reader.abort();
    }
}

/// The hashes of `level`'s nodes of the indices `from` to `to` (exclusive), run together, when they
/// can be read in one packed row: every index there, in order, and every hash 64 bytes.
async fn read_packed(
    (pool, dialect): (&AnyPool, Dialect),
    level: u8,
    from: i64,
    to: i64,
) -> Result<Option<Vec<u8>>, sqlx::Error> {
    let nodes = PackedQuery {
        table: "merkle_nodes",
        key: "node_index",
        columns: ["hash"],
        equal: Some(("level", i64::from(level))),
    };
    let Some(packed) = nodes.read(pool, dialect, from..to).await? else { return Ok(None) };
    if usize::try_from(to - from).ok() != Some(packed.len()) {
        return Ok(None);
    }
    let mut hashes = Vec::with_capacity(packed.len() * 64);
    for (_, [hash]) in packed.rows() {
        if hash.len() != 64 {
            return Ok(None);
        }
        hashes.extend_from_slice(hash.as_bytes());
    }
    Ok(Some(hashes))
}

/// Reads `level`'s nodes of the indices below `index_end`, `nodes_per_page` at a time: packed into
/// one row when the range is whole (every index there, in order, every hash 64 bytes), else row by
/// row.
async fn read_level(
    (pool, dialect): (&AnyPool, Dialect),
    level: u8,
    index_end: i64,
    nodes_per_page: i64,
    pages: &mpsc::Sender<Result<Page, sqlx::Error>>,
) -> Result<(), sqlx::Error> {
    let mut from = 0_i64;
    while from < index_end {
        let to = from.saturating_add(nodes_per_page).min(index_end);
        let page = match read_packed((pool, dialect), level, from, to).await? {
            Some(hashes) => Page::Packed { first_index: from, hashes },
            None => Page::Rows(
                sqlx::query_as(
                    "SELECT node_index, hash FROM merkle_nodes WHERE level = $1 AND node_index >= $2 \
                     AND node_index < $3 ORDER BY node_index",
                )
                .bind(i64::from(level))
                .bind(from)
                .bind(to)
                .fetch_all(pool)
                .await?,
            ),
        };
        if pages.send(Ok(page)).await.is_err() {
            return Ok(());
        }
        from = to;
    }
    Ok(())
}

/// The stored tree, compared level by level with the nodes a frontier completes.
pub struct StoredTreeCheck {
    pool: AnyPool,
    dialect: Dialect,
    size: u64,
    nodes_per_page: i64,
    levels: Vec<LevelNodes>,
}

impl StoredTreeCheck {
    /// Starts reading the nodes of the tree of the first `size` records stored in `pool` (a database
    /// of `dialect`), each level `nodes_per_page` nodes at a time ([`NODES_PER_PAGE`] is a good
    /// choice).
    pub fn start(pool: AnyPool, dialect: Dialect, size: u64, nodes_per_page: i64) -> Self {
        let nodes_per_page = nodes_per_page.max(1);
        let leaves = LevelNodes::start(pool.clone(), dialect, 0, size, nodes_per_page);
        Self { pool, dialect, size, nodes_per_page, levels: vec![leaves] }
    }

    /// Compares the next stored node of `node`'s level with `node`, which the recomputed tree has just
    /// completed (each level's nodes must come in index order).
    pub async fn expect(&mut self, node: Node) -> anyhow::Result<Result<(), Failure>> {
        let level = usize::from(node.id.level);
        while self.levels.len() <= level {
            let next_level = u8::try_from(self.levels.len())?;
            let nodes = LevelNodes::start(
                self.pool.clone(),
                self.dialect,
                next_level,
                self.size,
                self.nodes_per_page,
            );
            self.levels.push(nodes);
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
        if !node.hash.matches_hex(hash) {
            return Ok(Err(node_failure(node.id, "does not match the records' hashes")));
        }
        Ok(Ok(()))
    }
}

/// The lowest and the highest stored node of each level, as (level, index); a level below 0 or
/// above 63 (which no tree has) comes first when one is stored.
pub(crate) async fn outer_nodes(pool: &AnyPool) -> Result<Vec<(i64, i64)>, sqlx::Error> {
    let mut outer = Vec::new();
    let stray: Option<(i64, i64)> = sqlx::query_as(
        "SELECT level, node_index FROM merkle_nodes WHERE level < 0 OR level >= 64 ORDER BY level LIMIT 1",
    )
    .fetch_optional(pool)
    .await?;
    outer.extend(stray);
    for level in 0..64_i64 {
        for sql in [
            "SELECT MIN(node_index) FROM merkle_nodes WHERE level = $1",
            "SELECT MAX(node_index) FROM merkle_nodes WHERE level = $1",
        ] {
            let (index,): (Option<i64>,) = sqlx::query_as(sql).bind(level).fetch_one(pool).await?;
            outer.extend(index.map(|index| (level, index)));
        }
    }
    Ok(outer)
}

/// The failure for the first of `outer` ([`outer_nodes`]) that no tree of `records` records has (the
/// log's length read after them, so that any node seen belongs to a committed record).
pub fn beyond(outer: &[(i64, i64)], records: u64) -> Result<(), Failure> {
    for &(level, index) in outer {
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
