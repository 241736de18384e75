//! `verify` over the database in one bounded pass: the same outcome whatever the page sizes, and
//! each kind of tampering (a record, a tree node missing, altered or extra, a checkpoint altered or
//! beyond the log) named at its first position, also where it falls on a page boundary.

use aidledger_server::db::Database;
use aidledger_server::signing::{key_file, NoteVerifier};
use aidledger_server::verify::database::{verify_paged, Paging};
use aidledger_server::verify::{Failure, Outcome, Verified};
use aidledger_tests::{TestApp, Who};
use domain::merkle::MemoryTree;
use domain::RecordHash;
use serde_json::json;
use sqlx::AnyPool;

/// Records in the test log: three demo runs, each followed by a signed checkpoint.
const RECORDS: u64 = 537;

/// Page sizes that put page boundaries all over the log, including one record per page.
const SMALL_PAGES: [Paging; 3] = [
    Paging { records: 100, nodes: 3, checkpoints: 1 },
    Paging { records: 7, nodes: 64, checkpoints: 2 },
    Paging { records: 1, nodes: 1, checkpoints: 1 },
];

async fn app_with_checkpoints() -> TestApp {
    let app = TestApp::spawn().await;
    for (events, seed) in [(300, 1), (200, 2), (37, 3)] {
        aidledger_demo::generate(&app.store, events, seed, 2022, |_| {}).await.unwrap();
        // Every size signed before the next run, the last one too: nothing is signed while a test looks.
        app.wait_for_checkpoint(app.store.tree_size()).await;
    }
    assert_eq!(app.store.tree_size(), RECORDS);
    app
}

fn verifier_of(app: &TestApp) -> NoteVerifier {
    key_file::load(&app.key_file, None).unwrap().verifier()
}

async fn database_of(app: &TestApp) -> Database {
    Database::open(&app.database_url).await.unwrap()
}

/// Lets `table` be edited behind the server's back, as a tamperer with the database's own rights could.
async fn allow_edits(app: &TestApp, pool: &AnyPool, table: &str) {
    let statements = if app.database.is_postgres() {
        vec![format!("ALTER TABLE {table} DISABLE TRIGGER {table}_refuse_update_delete")]
    } else {
        vec![format!("DROP TRIGGER {table}_refuse_update"), format!("DROP TRIGGER {table}_refuse_delete")]
    };
    for statement in statements {
        sqlx::query(&statement).execute(pool).await.unwrap();
    }
}

/// The outcome with the default pages, insisting every small paging gives the same.
async fn outcome(database: &Database, verifier: &NoteVerifier) -> Outcome {
    let outcome = verify_paged(database, Some(verifier), Paging::default()).await.unwrap();
    for paging in SMALL_PAGES {
        let paged = verify_paged(database, Some(verifier), paging).await.unwrap();
        assert_eq!(paged, outcome, "{paging:?}");
    }
    outcome
}

fn record_failure(outcome: Outcome) -> (u64, String) {
    match outcome {
        Err(Failure::Record { position, detail }) => (position, detail),
        other => panic!("expected a record failure, got {other:?}"),
    }
}

async fn execute(pool: &AnyPool, sql: &str, binds: &[&str]) {
    let mut query = sqlx::query(sql);
    for bind in binds {
        query = query.bind(*bind);
    }
    let done = query.execute(pool).await.unwrap();
    assert_eq!(done.rows_affected(), 1, "{sql}");
}

#[tokio::test]
async fn a_sound_log_verifies_to_the_same_head_root_and_checkpoints_whatever_the_page_sizes() {
    let app = app_with_checkpoints().await;
    let database = database_of(&app).await;
    let records = app.all_records().await;
    let hashes: Vec<RecordHash> = records
        .iter()
        .map(|record| RecordHash::from_hex(record["hash"].as_str().unwrap()).unwrap())
        .collect();
    let Ok(verified) = outcome(&database, &verifier_of(&app)).await else { panic!("the log must verify") };
    let Verified { records: count, head_hash, root, checkpoints } = verified;
    assert_eq!(count, RECORDS);
    assert_eq!(head_hash, *hashes.last().unwrap());
    assert_eq!(root, MemoryTree::from_leaves(&hashes).root());
    assert_eq!(root, app.store.tree_root(RECORDS).await.unwrap());
    assert!(checkpoints >= 4, "sizes 0, 300, 500 and 537 at least, got {checkpoints}");

    let served = app.get(Who::Auditor, "/v1/verify").await;
    assert_eq!(served.body["ok"], json!(true), "{}", served.text);
    assert_eq!(served.body["checked"], json!(RECORDS));
}

#[tokio::test]
async fn an_altered_or_missing_record_fails_at_its_position_on_and_off_page_boundaries() {
    let app = app_with_checkpoints().await;
    let database = database_of(&app).await;
    let pool = database.pool.clone();
    let verifier = verifier_of(&app);
    allow_edits(&app, &pool, "events").await;
    // 301 starts a page of 100 (and of 7 does not); 250 is inside both.
    for position in [301, 250, 1, 537] {
        let (body,): (String,) = sqlx::query_as("SELECT body FROM events WHERE position = $1")
            .bind(position)
            .fetch_one(&pool)
            .await
            .unwrap();
        // A space, and a raw line feed (which no canonical text holds), after the first comma.
        for altered in [body.replacen(',', ", ", 1), body.replacen(',', ",\n", 1)] {
            let sql = format!("UPDATE events SET body = $1 WHERE position = {position}");
            execute(&pool, &sql, &[&altered]).await;
            let (failed_at, detail) = record_failure(outcome(&database, &verifier).await);
            assert_eq!(failed_at, position as u64, "{detail}");
            let served = app.get(Who::Auditor, "/v1/verify").await;
            assert_eq!(served.body["first_bad_position"], json!(position), "{}", served.text);
            assert_eq!(served.body["checked"], json!(position - 1));
        }
        let sql = format!("UPDATE events SET body = $1 WHERE position = {position}");
        execute(&pool, &sql, &[&body]).await;
    }
    assert!(outcome(&database, &verifier).await.is_ok(), "restored");

    execute(&pool, "DELETE FROM events WHERE position = 200", &[]).await;
    let (failed_at, detail) = record_failure(outcome(&database, &verifier).await);
    assert_eq!(failed_at, 200);
    assert!(detail.contains("expected position 200, found 201"), "{detail}");

    // A whole page of seven records gone: named at its first position whatever the pages.
    let sql = "DELETE FROM events WHERE position >= 8 AND position <= 14";
    assert_eq!(sqlx::query(sql).execute(&pool).await.unwrap().rows_affected(), 7);
    let (failed_at, detail) = record_failure(outcome(&database, &verifier).await);
    assert_eq!(failed_at, 8);
    assert!(detail.contains("expected position 8, found 15"), "{detail}");
}

#[tokio::test]
async fn a_tree_node_altered_missing_or_extra_is_named_with_the_positions_it_covers() {
    let app = app_with_checkpoints().await;
    let database = database_of(&app).await;
    let pool = database.pool.clone();
    let verifier = verifier_of(&app);
    allow_edits(&app, &pool, "merkle_nodes").await;
    let zeros = "00".repeat(32);

    // Level 3, index 12 covers positions 97–104.
    let (stored,): (String,) =
        sqlx::query_as("SELECT hash FROM merkle_nodes WHERE level = 3 AND node_index = 12")
            .fetch_one(&pool)
            .await
            .unwrap();
    let node = "UPDATE merkle_nodes SET hash = $1 WHERE level = 3 AND node_index = 12";
    // Another hash, a short one, an uppercase one and one of multibyte characters of the right length.
    for altered in [zeros.clone(), "ab".to_owned(), stored.to_uppercase(), "字".repeat(21) + "a"] {
        execute(&pool, node, &[&altered]).await;
        let (failed_at, detail) = record_failure(outcome(&database, &verifier).await);
        assert_eq!(failed_at, 97, "{altered}");
        assert!(detail.contains("positions 97–104 does not match"), "{detail}");
    }
    execute(&pool, node, &[&stored]).await;

    let (leaf,): (String,) =
        sqlx::query_as("SELECT hash FROM merkle_nodes WHERE level = 0 AND node_index = 400")
            .fetch_one(&pool)
            .await
            .unwrap();
    execute(&pool, "DELETE FROM merkle_nodes WHERE level = 0 AND node_index = 400", &[]).await;
    let (failed_at, detail) = record_failure(outcome(&database, &verifier).await);
    assert_eq!(failed_at, 401);
    assert!(detail.contains("position 401 is missing"), "{detail}");
    execute(&pool, "INSERT INTO merkle_nodes (level, node_index, hash) VALUES (0, 400, $1)", &[&leaf]).await;
    assert!(outcome(&database, &verifier).await.is_ok(), "restored");

    for (level, index, position) in [(0, 537, 538), (9, 1, 513), (40, 0, 1)] {
        let sql = format!("INSERT INTO merkle_nodes (level, node_index, hash) VALUES ({level}, {index}, $1)");
        execute(&pool, &sql, &[&zeros]).await;
        let (failed_at, detail) = record_failure(outcome(&database, &verifier).await);
        assert_eq!(failed_at, position, "{detail}");
        assert!(detail.contains("lies beyond the log's last record"), "{detail}");
        let sql = format!("DELETE FROM merkle_nodes WHERE level = {level} AND node_index = {index}");
        execute(&pool, &sql, &[]).await;
    }
    execute(&pool, "INSERT INTO merkle_nodes (level, node_index, hash) VALUES (2, -1, $1)", &[&zeros]).await;
    let (_, detail) = record_failure(outcome(&database, &verifier).await);
    assert!(detail.contains("a stored tree node has level 2 and index -1"), "{detail}");
}

#[tokio::test]
async fn a_checkpoint_altered_or_beyond_the_log_fails_at_its_tree_size() {
    let app = app_with_checkpoints().await;
    let database = database_of(&app).await;
    let pool = database.pool.clone();
    let verifier = verifier_of(&app);
    let (note,): (String,) =
        sqlx::query_as("SELECT note FROM checkpoints WHERE tree_size = 300").fetch_one(&pool).await.unwrap();
    execute(
        &pool,
        "INSERT INTO checkpoints (tree_size, root, note, signed_at) VALUES (5000, $1, $2, '2022-12-31T00:00:00Z')",
        &[&"00".repeat(32), &note],
    )
    .await;
    let beyond = outcome(&database, &verifier).await;
    assert_eq!(
        beyond,
        Err(Failure::Checkpoint {
            tree_size: 5000,
            detail: format!("it covers more records than the log's {RECORDS}")
        })
    );
    allow_edits(&app, &pool, "checkpoints").await;
    execute(&pool, "DELETE FROM checkpoints WHERE tree_size = 5000", &[]).await;
    assert!(outcome(&database, &verifier).await.is_ok());

    execute(&pool, "UPDATE checkpoints SET root = $1 WHERE tree_size = 300", &[&"00".repeat(32)]).await;
    match outcome(&database, &verifier).await {
        Err(Failure::Checkpoint { tree_size: 300, detail }) => {
            assert!(detail.contains("is not the root of the records"), "{detail}")
        }
        other => panic!("expected the checkpoint of 300 to fail, got {other:?}"),
    }
}
