//! The log, the Merkle tree's nodes, the signed checkpoints and the funds' movements are append-only in the database
//! itself: a connection of anyone's own (not the server's) cannot update, delete, replace or upsert
//! over their rows, nor truncate them on PostgreSQL, also in a session whose ordinary triggers are
//! off (`session_replication_role = replica`).

use aidledger_server::store::StoredCheckpoint;
use aidledger_tests::data::*;
use aidledger_tests::{new_stream, TestApp, Who};
use sqlx::pool::PoolConnection;
use sqlx::{Any, AnyPool};

/// One append-only table, and how to reach its first row.
struct Table {
    name: &'static str,
    /// Reads every row back as text, in order.
    snapshot: &'static str,
    /// Its columns, for an INSERT.
    columns: &'static str,
    /// Its primary key, for an upsert's conflict target.
    key: &'static str,
    /// The column a change alters.
    column: &'static str,
    /// That column, altered.
    altered: &'static str,
    /// Selects its first row with the column altered: a row that collides with it.
    colliding: &'static str,
}

const TABLES: [Table; 4] = [
    Table {
        name: "events",
        snapshot:
            "SELECT CAST(position AS TEXT) || '|' || stream || '|' || CAST(version AS TEXT) || '|' || id \
                   || '|' || type || '|' || body || '|' || hash FROM events ORDER BY position",
        columns: "(position, stream, version, id, type, body, hash)",
        key: "position",
        column: "body",
        altered: "body || ' '",
        colliding:
            "SELECT position, stream, version, id, type, body || ' ', hash FROM events WHERE position = 1",
    },
    Table {
        name: "merkle_nodes",
        snapshot:
            "SELECT CAST(level AS TEXT) || '|' || CAST(node_index AS TEXT) || '|' || hash FROM merkle_nodes \
                   ORDER BY level, node_index",
        columns: "(level, node_index, hash)",
        key: "level, node_index",
        column: "hash",
        altered: "'ab' || hash",
        colliding:
            "SELECT level, node_index, 'ab' || hash FROM merkle_nodes WHERE level = 0 AND node_index = 0",
    },
    Table {
        name: "checkpoints",
        snapshot: "SELECT CAST(tree_size AS TEXT) || '|' || root || '|' || note || '|' || signed_at \
                   FROM checkpoints ORDER BY tree_size",
        columns: "(tree_size, root, note, signed_at)",
        key: "tree_size",
        column: "note",
        altered: "note || ' '",
        colliding: "SELECT tree_size, root, note || ' ', signed_at FROM checkpoints \
                    WHERE tree_size = (SELECT MIN(tree_size) FROM checkpoints)",
    },
    Table {
        name: "fund_movements",
        snapshot:
            "SELECT CAST(position AS TEXT) || '|' || fund_id || '|' || CAST(committed_minor AS TEXT) || '|' \
                   || CAST(paid_minor AS TEXT) FROM fund_movements ORDER BY position",
        columns: "(position, fund_id, committed_minor, paid_minor)",
        key: "position",
        column: "committed_minor",
        altered: "committed_minor + 1",
        colliding: "SELECT position, fund_id, committed_minor + 1, paid_minor FROM fund_movements \
                    WHERE position = (SELECT MIN(position) FROM fund_movements)",
    },
];

impl Table {
    /// Every statement that would change one of its rows on this backend.
    fn changes(&self, postgres: bool) -> Vec<String> {
        let Table { name, columns, key, column, altered, colliding, .. } = self;
        let mut changes = vec![
            format!("UPDATE {name} SET {column} = {altered}"),
            format!("DELETE FROM {name}"),
            format!("INSERT INTO {name} {columns} {colliding} ON CONFLICT ({key}) DO UPDATE SET {column} = excluded.{column}"),
        ];
        if postgres {
            changes.push(format!("TRUNCATE {name}"));
            changes.push(format!(
                "MERGE INTO {name} USING (SELECT 1 AS one) AS s ON true WHEN MATCHED THEN DELETE"
            ));
        } else {
            changes.push(format!("REPLACE INTO {name} {columns} {colliding}"));
            changes.push(format!("INSERT OR REPLACE INTO {name} {columns} {colliding}"));
        }
        if *name == "events" && !postgres {
            changes.extend(events_key_collisions());
        }
        changes
    }
}

/// The events table's other keys: a new position whose id, or whose stream and version, is row 1's.
fn events_key_collisions() -> Vec<String> {
    let columns = "(position, stream, version, id, type, body, hash)";
    vec![
        format!("REPLACE INTO events {columns} SELECT 1000, stream, 1000, id, type, body, hash FROM events WHERE position = 1"),
        format!(
            "INSERT OR REPLACE INTO events {columns} SELECT 1000, stream, version, 'another-id', type, body, hash \
             FROM events WHERE position = 1"
        ),
    ]
}

async fn snapshot(connection: &mut PoolConnection<Any>, sql: &str) -> Vec<String> {
    sqlx::query_as::<_, (String,)>(sql)
        .fetch_all(&mut **connection)
        .await
        .unwrap()
        .into_iter()
        .map(|(row,)| row)
        .collect()
}

/// Runs `sql` on `connection` and insists it is refused as a change to an append-only table.
async fn assert_refused(connection: &mut PoolConnection<Any>, sql: &str) {
    let error = match sqlx::query(sql).execute(&mut **connection).await {
        Ok(done) => panic!("{sql} went through ({} rows)", done.rows_affected()),
        Err(error) => error.to_string(),
    };
    assert!(error.contains("append-only"), "{sql}: refused for another reason: {error}");
}

async fn assert_every_change_refused(connection: &mut PoolConnection<Any>, postgres: bool) {
    for table in &TABLES {
        let before = snapshot(connection, table.snapshot).await;
        assert!(!before.is_empty(), "{} has rows to change", table.name);
        for change in &table.changes(postgres) {
            assert_refused(connection, change).await;
        }
        assert_eq!(snapshot(connection, table.snapshot).await, before, "{} is unchanged", table.name);
    }
}

async fn connection(pool: &AnyPool) -> PoolConnection<Any> {
    pool.acquire().await.unwrap()
}

#[tokio::test]
async fn the_database_refuses_updates_deletes_replaces_and_upserts_over_the_log_its_tree_and_checkpoints() {
    let app = TestApp::spawn().await;
    let (beneficiary, beneficiary_id) = new_stream("beneficiary");
    app.must_append(Who::Staff, &beneficiary, "BeneficiaryRegistered", beneficiary_registered("吴桂英"))
        .await;
    let (fund, fund_id) = new_stream("fund");
    app.must_append(Who::Staff, &fund, "FundOpened", fund_opened()).await;
    let (disbursement, _) = new_stream("disbursement");
    let request = cash_requested(&beneficiary_id, &fund_id, 10_000);
    app.must_append(Who::Staff, &disbursement, "DisbursementRequested", request).await;
    app.must_append(Who::Supervisor, &disbursement, "DisbursementApproved", serde_json::json!({})).await;
    app.wait_for_checkpoint(4).await;
    let pool = aidledger_server::db::Database::open(&app.database_url).await.unwrap().pool;
    let postgres = app.database.is_postgres();

    assert_every_change_refused(&mut connection(&pool).await, postgres).await;
    if postgres {
        let mut replica = connection(&pool).await;
        sqlx::query("SET session_replication_role = replica").execute(&mut *replica).await.unwrap();
        assert_every_change_refused(&mut replica, postgres).await;
        sqlx::query("RESET session_replication_role").execute(&mut *replica).await.unwrap();
    }

    let verify = app.get(Who::Auditor, "/v1/verify").await;
    assert_eq!(verify.body["ok"], serde_json::json!(true), "{}", verify.text);
    app.must_append(Who::Staff, &new_stream("activity").0, "ActivityHeld", activity_held()).await;
    assert_eq!(app.all_records().await.len(), 5, "appends go on");
}

#[tokio::test]
async fn a_checkpoint_stored_again_at_its_size_is_ignored_and_the_first_one_answered() {
    let app = TestApp::spawn().await;
    let (stream, _) = new_stream("activity");
    app.must_append(Who::Staff, &stream, "ActivityHeld", activity_held()).await;
    app.wait_for_checkpoint(1).await;
    let stored = app.store.checkpoint_at(1).await.unwrap().expect("the checkpoint of size 1");
    let again = StoredCheckpoint { signed_at: "2030-01-01T00:00:00Z".to_owned(), ..stored.clone() };
    assert_eq!(app.store.insert_checkpoint(&again).await.unwrap(), stored);
    assert_eq!(app.store.checkpoint_at(1).await.unwrap(), Some(stored));
}
