//! Rows of the read models that later events change (a disbursement's status, a fund's totals, a
//! concern's resolution …), folded in memory: a chunk of events first loads the stored rows its
//! events change (one query per table and a thousand keys), then folds every event into them in
//! event order with no database round trip, and writes each row it touched back once, with
//! multi-row upserts.
//!
//! That is sound because every change of a projection's tables goes through its chunk's transaction,
//! which also moves its checkpoint: what a chunk loaded cannot change under it before it commits.

use std::collections::{HashMap, HashSet};
use std::hash::Hash;

use sql::statements::statement_sizes;
use sql::{insert_rows, values_list, AnyQuery, Dialect};
use sqlx::any::AnyRow;
use sqlx::{AnyConnection, Row};

use crate::sql::{bind_all, Param};

/// Keys bound per load statement at most.
const KEYS_PER_LOAD_MAX: usize = 500;
/// Values bound per upsert statement at most (well inside both backends' limits).
const VALUES_PER_UPSERT_MAX: usize = 2000;

/// The key of a stored row: one text column or two.
pub trait RowKey: Clone + Eq + Hash {
    /// How many key columns.
    const COLUMNS: usize;

    /// Binds the key's values to `query`, in key column order.
    fn bind<'q>(&'q self, query: AnyQuery<'q>) -> AnyQuery<'q>;

    /// Reads the key from the first [`RowKey::COLUMNS`] columns of `row`.
    fn read(row: &AnyRow) -> Result<Self, sqlx::Error>;
}

impl RowKey for String {
    const COLUMNS: usize = 1;

    fn bind<'q>(&'q self, query: AnyQuery<'q>) -> AnyQuery<'q> {
        query.bind(self.as_str())
    }

    fn read(row: &AnyRow) -> Result<Self, sqlx::Error> {
        row.try_get(0)
    }
}

impl RowKey for (String, String) {
    const COLUMNS: usize = 2;

    fn bind<'q>(&'q self, query: AnyQuery<'q>) -> AnyQuery<'q> {
        query.bind(self.0.as_str()).bind(self.1.as_str())
    }

    fn read(row: &AnyRow) -> Result<Self, sqlx::Error> {
        Ok((row.try_get(0)?, row.try_get(1)?))
    }
}

/// A row of a read-model table that events change after it is inserted.
pub trait StoredRow: Sized {
    /// Its key.
    type Key: RowKey;
    /// The table.
    const TABLE: &'static str;
    /// The key columns, then every other column, in the order [`StoredRow::values`] gives them.
    const COLUMNS: &'static [&'static str];

    /// The values of every column but the key's, in [`StoredRow::COLUMNS`] order.
    fn values(&self) -> Vec<Param>;

    /// Reads the row from `row`, whose columns are [`StoredRow::COLUMNS`] (the key's included).
    fn read(row: &AnyRow) -> Result<Self, sqlx::Error>;
}

/// The rows of one table a chunk touches: loaded from the table, or new; each written back once.
#[derive(Debug)]
pub struct Touched<R: StoredRow> {
    rows: HashMap<R::Key, R>,
    wanted: HashSet<R::Key>,
}

impl<R: StoredRow> Default for Touched<R> {
    fn default() -> Self {
        Touched { rows: HashMap::new(), wanted: HashSet::new() }
    }
}

impl<R: StoredRow> Touched<R> {
    /// Notes that a later event changes the row of `key` (loaded by [`Touched::load`] if it is
    /// stored).
    pub fn want(&mut self, key: R::Key) {
        self.wanted.insert(key);
    }

    /// The keys wanted so far.
    pub fn wanted(&self) -> impl Iterator<Item = &R::Key> {
        self.wanted.iter()
    }

    /// Adds a new row (or replaces one wholly).
    pub fn insert(&mut self, key: R::Key, row: R) {
        self.rows.insert(key, row);
    }

    /// The row of `key`, if it is stored (and was wanted) or new in this chunk.
    pub fn get(&self, key: &R::Key) -> Option<&R> {
        self.rows.get(key)
    }

    /// The row of `key` to change, if it is stored (and was wanted) or new in this chunk.
    pub fn get_mut(&mut self, key: &R::Key) -> Option<&mut R> {
        self.rows.get_mut(key)
    }

    /// Loads every wanted row that is stored.
    pub async fn load(
        &mut self,
        connection: &mut AnyConnection,
        dialect: Dialect,
    ) -> Result<(), sqlx::Error> {
        let keys: Vec<R::Key> = self.wanted.drain().filter(|key| !self.rows.contains_key(key)).collect();
        let key_columns = &R::COLUMNS[..R::Key::COLUMNS];
        let mut rest = keys.as_slice();
        for size in statement_sizes(keys.len(), KEYS_PER_LOAD_MAX) {
            let (chunk, after) = rest.split_at(size);
            rest = after;
            let sql = format!(
                "SELECT {} FROM {} WHERE ({}) IN (VALUES {})",
                R::COLUMNS.join(", "),
                R::TABLE,
                key_columns.join(", "),
                values_list(dialect, size, R::Key::COLUMNS)
            );
            let mut query = sqlx::query(&sql);
            for key in chunk {
                query = key.bind(query);
            }
            for row in query.fetch_all(&mut *connection).await? {
                self.rows.insert(R::Key::read(&row)?, R::read(&row)?);
            }
        }
        Ok(())
    }

    /// Writes every row touched (new rows inserted, stored ones replaced), and forgets them.
    pub async fn write(
        &mut self,
        connection: &mut AnyConnection,
        dialect: Dialect,
    ) -> Result<(), sqlx::Error> {
        let key_columns = &R::COLUMNS[..R::Key::COLUMNS];
        let updates: Vec<String> = R::COLUMNS[R::Key::COLUMNS..]
            .iter()
            .map(|column| format!("{column} = excluded.{column}"))
            .collect();
        let insert = format!("INSERT INTO {} ({})", R::TABLE, R::COLUMNS.join(", "));
        let tail = format!("ON CONFLICT ({}) DO UPDATE SET {}", key_columns.join(", "), updates.join(", "));
        let rows: Vec<(R::Key, Vec<Param>)> =
            self.rows.drain().map(|(key, row)| (key, row.values())).collect();
        insert_rows(
            connection,
            dialect,
            (&insert, &tail),
            R::COLUMNS.len(),
            &rows,
            VALUES_PER_UPSERT_MAX / R::COLUMNS.len(),
            |query, (key, values)| Ok::<_, sqlx::Error>(bind_all(key.bind(query), values)),
        )
        .await
    }
}
