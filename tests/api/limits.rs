//! The limits a slow, idle or greedy client meets: each answered with a problem+json (408, 429, and
//! 413 at once for a declared body over the limit), or for a client that never finishes its
//! request's headers, a closed connection. The body limit met by a body as it is read (413) and the
//! events-per-append limit (422) are in `bad_input`.
//!
//! Nothing here sleeps: each test awaits the server's own answer or its closing of the connection,
//! bounded by a generous deadline.

use std::time::Duration;

use aidledger_server::http::Limits;
use aidledger_tests::{new_stream, TestApp, Who};
use reqwest::StatusCode;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

/// How long a test waits for the server before failing.
const DEADLINE: Duration = Duration::from_secs(20);

async fn connect(app: &TestApp) -> TcpStream {
    TcpStream::connect(app.base.trim_start_matches("http://")).await.expect("connect")
}

/// Sends the head of an append and a first part of its body, and never the rest.
async fn stalled_append(app: &TestApp) -> TcpStream {
    let (stream, _) = new_stream("activity");
    let mut socket = connect(app).await;
    let head = format!(
        "POST /v1/streams/{stream}/events HTTP/1.1\r\nHost: aidledger\r\nAuthorization: Bearer {}\r\n\
         Content-Type: application/json\r\nContent-Length: 100\r\n\r\n{{\"events\": [",
        app.token(Who::Staff)
    );
    socket.write_all(head.as_bytes()).await.expect("send");
    socket
}

/// Everything the server sends until it closes the connection.
async fn until_closed(socket: &mut TcpStream) -> String {
    let mut received = Vec::new();
    let read = tokio::time::timeout(DEADLINE, socket.read_to_end(&mut received)).await;
    assert!(read.is_ok(), "the server neither answered nor closed the connection in time");
    String::from_utf8_lossy(&received).into_owned()
}

#[tokio::test]
async fn a_body_that_stalls_past_the_request_timeout_is_408_problem_json() {
    let app = TestApp::spawn_with(Limits { request_timeout_ms: 200, ..Limits::default() }).await;
    let mut socket = stalled_append(&app).await;
    let answer = until_closed(&mut socket).await;
    assert!(answer.starts_with("HTTP/1.1 408"), "{answer}");
    let lowercase = answer.to_lowercase();
    assert!(lowercase.contains("content-type: application/problem+json"), "{answer}");
    assert!(answer.contains("\"status\":408") && answer.contains("200 ms"), "{answer}");
    assert!(app.all_records().await.is_empty());
}

/// Whether the server has already answered (or closed) `socket`, without waiting.
fn answered(socket: &TcpStream) -> bool {
    let mut byte = [0_u8; 1];
    !matches!(socket.try_read(&mut byte), Err(error) if error.kind() == std::io::ErrorKind::WouldBlock)
}

#[tokio::test]
async fn past_the_cap_on_concurrent_requests_the_answer_is_429_problem_json_until_a_slot_frees() {
    let app = TestApp::spawn_with(Limits { concurrent_requests_max: 1, ..Limits::default() }).await;
    let (refused, stalled) = tokio::time::timeout(DEADLINE, async {
        let mut stalled = stalled_append(&app).await;
        loop {
            let answer = app.get(Who::Auditor, "/v1/verify").await;
            if answer.status == StatusCode::TOO_MANY_REQUESTS {
                return (answer, stalled);
            }
            assert_eq!(answer.status, StatusCode::OK, "{}", answer.text);
            // This request got the slot first: the stalled one may have been refused meanwhile.
            if answered(&stalled) {
                stalled = stalled_append(&app).await;
            }
        }
    })
    .await
    .expect("a request past the cap is refused");
    assert_eq!(refused.content_type, "application/problem+json");
    assert_eq!(refused.body["status"], 429);
    assert!(refused.text.contains("1 requests at once"), "{}", refused.text);

    drop(stalled);
    let answered = tokio::time::timeout(DEADLINE, async {
        loop {
            let answer = app.get(Who::Auditor, "/v1/verify").await;
            if answer.status != StatusCode::TOO_MANY_REQUESTS {
                return answer;
            }
        }
    })
    .await
    .expect("the slot frees when the stalled client goes away");
    assert_eq!(answered.status, StatusCode::OK, "{}", answered.text);
}

#[tokio::test]
async fn a_client_that_never_finishes_its_headers_is_disconnected_after_the_idle_timeout() {
    let app = TestApp::spawn_with(Limits { idle_timeout_ms: 200, ..Limits::default() }).await;
    let mut socket = connect(&app).await;
    socket.write_all(b"GET /healthz HTTP/1.1\r\nHost: aidledger\r\nX-Slow: ").await.expect("send");
    let answer = until_closed(&mut socket).await;
    assert!(!answer.contains("200 OK"), "{answer}");
}

#[tokio::test]
async fn an_idle_kept_alive_connection_is_closed_after_the_idle_timeout() {
    let app = TestApp::spawn_with(Limits { idle_timeout_ms: 200, ..Limits::default() }).await;
    let mut socket = connect(&app).await;
    socket.write_all(b"GET /healthz HTTP/1.1\r\nHost: aidledger\r\n\r\n").await.expect("send");
    let answer = until_closed(&mut socket).await;
    assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
}

#[tokio::test]
async fn a_declared_content_length_over_the_limit_is_a_413_problem_before_the_body_is_sent() {
    // A request timeout longer than the test's deadline: only an answer given at once passes.
    let limits = Limits { request_timeout_ms: 120_000, ..Limits::default() };
    let app = TestApp::spawn_with(limits).await;
    let (stream, _) = new_stream("activity");
    let mut socket = connect(&app).await;
    let head = format!(
        "POST /v1/streams/{stream}/events HTTP/1.1\r\nHost: aidledger\r\nAuthorization: Bearer {}\r\n\
         Content-Type: application/json\r\nContent-Length: 10000000000\r\n\r\n",
        app.token(Who::Staff)
    );
    socket.write_all(head.as_bytes()).await.expect("send");
    let answer = until_closed(&mut socket).await;
    assert!(answer.starts_with("HTTP/1.1 413"), "{answer}");
    let lowercase = answer.to_lowercase();
    assert!(lowercase.contains("content-type: application/problem+json"), "{answer}");
    assert!(answer.contains(&format!("larger than {} bytes", Limits::default().body_bytes_max)), "{answer}");
}
