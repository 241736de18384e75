//! Reading a batch of the log for the projections: the records after a position, in position order.
//!
//! sqlx hands every SQLite row from its connection thread to the async side one at a time, which at a
//! batch of hundreds of records was a large share of a rebuild. The batch is therefore read as one
//! row where it can be: the records' positions and bodies run together, separated by line feeds
//! (canonical JSON never holds a raw one). The text is taken only when it holds exactly two fields per
//! record and its positions run on one by one from the first wanted; otherwise the batch is read row
//! by row.

use sqlx::AnyConnection;

use crate::sql::is_sqlite;

/// Up to `limit` records after `after`, as (position, canonical body), in position order.
pub async fn records_after(
    connection: &mut AnyConnection,
    after: i64,
    limit: i64,
) -> Result<Vec<(i64, String)>, sqlx::Error> {
    // SQLite's aggregate takes rows in its primary-key range scan's order, and sorting again costs
    // more than the read; PostgreSQL's reads the heap, which is not quite in log order, so it sorts.
    // The order is checked below either way.
    let packing = if is_sqlite(connection) {
        "group_concat(position || char(10) || body, char(10))"
    } else {
        "string_agg(position::text || E'\\n' || body, E'\\n' ORDER BY position)"
    };
    let sql = format!("SELECT COUNT(*), {packing} FROM events WHERE position > $1 AND position <= $2");
    let (count, packed): (i64, Option<String>) = sqlx::query_as(&sql)
        .bind(after)
        .bind(after.saturating_add(limit))
        .fetch_one(&mut *connection)
        .await?;
    if let Some(records) = packed.and_then(|packed| unpack(&packed, after, count)) {
        return Ok(records);
    }
    sqlx::query_as("SELECT position, body FROM events WHERE position > $1 ORDER BY position LIMIT $2")
        .bind(after)
        .bind(limit)
        .fetch_all(&mut *connection)
        .await
}

/// The `count` records of `packed` when they are exactly the positions after `after`, in order.
fn unpack(packed: &str, after: i64, count: i64) -> Option<Vec<(i64, String)>> {
    let mut records = Vec::with_capacity(usize::try_from(count).ok()?);
    let mut fields = packed.split('\n');
    for expected in (after + 1)..=after.checked_add(count)? {
        let position: i64 = fields.next()?.parse().ok()?;
        let body = fields.next()?;
        if position != expected {
            return None;
        }
        records.push((position, body.to_owned()));
    }
    fields.next().is_none().then_some(records)
}

#[cfg(test)]
mod tests {
    use super::unpack;

    #[test]
    fn takes_only_whole_runs_of_positions_in_order() {
        let two = "5\n{\"a\":1}\n6\n{\"b\":\"二\"}";
        assert_eq!(unpack(two, 4, 2), Some(vec![(5, "{\"a\":1}".into()), (6, "{\"b\":\"二\"}".into())]));
        assert_eq!(unpack(two, 3, 2), None, "not the positions wanted");
        assert_eq!(unpack("6\n{}\n5\n{}", 4, 2), None, "out of order");
        assert_eq!(unpack("5\n{\n}\n6\n{}", 4, 2), None, "a body holding a line feed");
        assert_eq!(unpack(two, 4, 1), None, "more than counted");
    }
}
