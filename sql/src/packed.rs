//! Reading a run of rows as one row of text.
//!
//! sqlx hands every row from the database's side to the async side one at a time, which for pages
//! of hundreds of small rows is most of the cost of reading them. A page of rows numbered one by one
//! (log positions, tree node indexes) is therefore read as one row where it can be: each row's key
//! and text columns run together, every field followed by a line feed but the last. That is sound
//! because the text is taken only when it holds exactly as many fields as the page's rows have, and
//! its keys run on one by one from the first wanted; a field that holds a line feed of its own (no
//! canonical JSON or hex does), a missing row or one out of order, and the caller reads the page row
//! by row instead.
//!
//! SQLite's aggregate takes rows in the order of its primary-key range scan, and sorting again costs
//! more than the read; PostgreSQL's reads the heap, which is not quite in key order, so it sorts.

use std::ops::Range;

use sqlx::Executor;

use crate::Dialect;

/// What a packed page reads: the rows of `table` whose integer `key` lies in a range (and whose
/// column `equal.0` is `equal.1`, when given), with their text `columns`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PackedQuery<const N: usize> {
    /// The table.
    pub table: &'static str,
    /// The integer column that numbers the rows one by one.
    pub key: &'static str,
    /// The text columns read with the key, in order.
    pub columns: [&'static str; N],
    /// A further integer column and the value it must have, or `None`.
    pub equal: Option<(&'static str, i64)>,
}

/// The rows of a packed page, in key order: their keys run one by one from the first.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PackedRows<const N: usize> {
    text: String,
    first_key: i64,
    count: usize,
}

impl<const N: usize> PackedQuery<N> {
    /// The aggregate that runs the rows together, in key order, in `dialect`.
    fn packing(&self, dialect: Dialect) -> String {
        let key = self.key;
        let columns = self.columns;
        match dialect {
            Dialect::Sqlite => {
                let fields: Vec<&str> = std::iter::once(key).chain(columns).collect();
                format!("group_concat({}, char(10))", fields.join(" || char(10) || "))
            }
            Dialect::Postgres => {
                let key_text = format!("{key}::text");
                let fields: Vec<&str> = std::iter::once(key_text.as_str()).chain(columns).collect();
                format!("string_agg({}, E'\\n' ORDER BY {key})", fields.join(" || E'\\n' || "))
            }
        }
    }

    /// The rows whose keys lie in `keys`, packed: `None` when the text cannot be taken (no row, a
    /// field holding a line feed, keys that do not run one by one from `keys.start`), and the
    /// caller reads them row by row. Fewer rows than `keys` spans is no reason to refuse; the caller
    /// that needs every key checks [`PackedRows::len`].
    pub async fn read<'e, E>(
        &self,
        executor: E,
        dialect: Dialect,
        keys: Range<i64>,
    ) -> Result<Option<PackedRows<N>>, sqlx::Error>
    where
        E: Executor<'e, Database = sqlx::Any>,
    {
        let (table, key, packing) = (self.table, self.key, self.packing(dialect));
        let mut sql = format!("SELECT COUNT(*), {packing} FROM {table} WHERE {key} >= $1 AND {key} < $2");
        if let Some((column, _)) = self.equal {
            sql.push_str(&format!(" AND {column} = $3"));
        }
        let mut query = sqlx::query_as(&sql).bind(keys.start).bind(keys.end);
        if let Some((_, value)) = self.equal {
            query = query.bind(value);
        }
        let (count, text): (i64, Option<String>) = query.fetch_one(executor).await?;
        Ok(text.and_then(|text| PackedRows::take(text, keys.start, count)))
    }
}

impl<const N: usize> PackedRows<N> {
    /// `text` as the rows it packs, when it holds exactly `count` rows of a key and `N` fields each,
    /// their keys running one by one from `first_key`.
    fn take(text: String, first_key: i64, count: i64) -> Option<Self> {
        let count_usize = usize::try_from(count).ok()?;
        let mut fields = text.split('\n');
        for expected in first_key..first_key.checked_add(count)? {
            let key: i64 = fields.next()?.parse().ok()?;
            if key != expected {
                return None;
            }
            for _ in 0..N {
                fields.next()?;
            }
        }
        if fields.next().is_some() {
            return None;
        }
        Some(PackedRows { text, first_key, count: count_usize })
    }

    /// How many rows.
    pub fn len(&self) -> usize {
        self.count
    }

    /// Whether there is no row.
    pub fn is_empty(&self) -> bool {
        self.count == 0
    }

    /// Each row's key and text columns, in key order.
    pub fn rows(&self) -> impl Iterator<Item = (i64, [&str; N])> + '_ {
        let mut fields = self.text.split('\n');
        (self.first_key..).take(self.count).map(move |key| {
            fields.next();
            (key, std::array::from_fn(|_| fields.next().unwrap_or_default()))
        })
    }
}

#[cfg(test)]
mod tests {
    use super::{PackedQuery, PackedRows};
    use crate::Dialect;

    #[test]
    fn takes_only_whole_runs_of_keys_in_order() {
        let two = "5\n{\"a\":1}\n6\n{\"b\":\"二\"}";
        let taken = PackedRows::<1>::take(two.into(), 5, 2).expect("two rows");
        let rows: Vec<_> = taken.rows().collect();
        assert_eq!(rows, vec![(5, ["{\"a\":1}"]), (6, ["{\"b\":\"二\"}"])]);
        assert_eq!(PackedRows::<1>::take(two.into(), 4, 2), None, "not the keys wanted");
        assert_eq!(PackedRows::<1>::take("6\n{}\n5\n{}".into(), 5, 2), None, "out of order");
        assert_eq!(PackedRows::<1>::take("5\n{\n}\n6\n{}".into(), 5, 2), None, "a field holding a line feed");
        assert_eq!(PackedRows::<1>::take(two.into(), 5, 1), None, "more than counted");
        assert_eq!(PackedRows::<2>::take(two.into(), 5, 2), None, "fewer fields than columns");
    }

    #[test]
    fn packs_the_key_and_every_column_in_each_dialect() {
        let query = PackedQuery { table: "events", key: "position", columns: ["body", "hash"], equal: None };
        assert_eq!(
            query.packing(Dialect::Sqlite),
            "group_concat(position || char(10) || body || char(10) || hash, char(10))"
        );
        assert_eq!(
            query.packing(Dialect::Postgres),
            "string_agg(position::text || E'\\n' || body || E'\\n' || hash, E'\\n' ORDER BY position)"
        );
    }
}
