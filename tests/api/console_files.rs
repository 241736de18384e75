//! The console's files: embedded in the binary, served without a token, each with its content
//! type and caching headers, byte for byte what the console folder holds.

use std::path::{Path, PathBuf};

use aidledger_tests::TestApp;
use reqwest::header::{CACHE_CONTROL, CONTENT_TYPE, ETAG, IF_NONE_MATCH};
use reqwest::StatusCode;

/// The console folder of the server crate.
fn console_folder() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..").join("server").join("console")
}

/// Every file under `folder`, as paths relative to it with `/` between parts.
fn files(folder: &Path, prefix: &str, out: &mut Vec<String>) {
    for entry in std::fs::read_dir(folder).expect("the console folder") {
        let entry = entry.expect("an entry");
        let name = format!("{prefix}{}", entry.file_name().to_string_lossy());
        if entry.file_type().expect("a file type").is_dir() {
            files(&entry.path(), &format!("{name}/"), out);
        } else {
            out.push(name);
        }
    }
}

fn content_type_of(path: &str) -> &'static str {
    if path.ends_with("/LICENSE") || path.ends_with(".md") {
        return "text/plain; charset=utf-8";
    }
    match path.rsplit('.').next() {
        Some("html") => "text/html; charset=utf-8",
        Some("css") => "text/css; charset=utf-8",
        Some("js") => "text/javascript; charset=utf-8",
        Some("svg") => "image/svg+xml",
        other => panic!("the console holds a file of unexpected type {other:?}: {path}"),
    }
}

#[tokio::test]
async fn the_console_page_is_served_at_the_root_without_a_token() {
    let app = TestApp::spawn().await;
    let answer = app.client.get(format!("{}/", app.base)).send().await.expect("request");
    assert_eq!(answer.status(), StatusCode::OK);
    assert_eq!(answer.headers()[CONTENT_TYPE], "text/html; charset=utf-8");
    assert_eq!(answer.headers()[CACHE_CONTROL], "no-cache");
    let policy = answer.headers()["content-security-policy"].to_str().expect("ASCII").to_owned();
    assert!(policy.contains("script-src 'self'") && policy.contains("connect-src 'self'"), "{policy}");
    let page = answer.text().await.expect("a body");
    assert!(page.contains("<html lang=\"en\">"), "{page}");
    assert!(page.contains("<script type=\"module\" src=\"/console/app.js\"></script>"), "{page}");
    assert!(!page.contains("http://") && !page.contains("https://"), "the page loads nothing from elsewhere");
}

#[tokio::test]
async fn every_file_of_the_console_folder_is_served_as_it_is_with_its_type_and_an_etag() {
    let app = TestApp::spawn().await;
    let mut paths = Vec::new();
    files(&console_folder(), "", &mut paths);
    assert!(paths.len() >= 10, "{paths:?}");
    for path in paths {
        let answer = app.client.get(format!("{}/console/{path}", app.base)).send().await.expect("request");
        assert_eq!(answer.status(), StatusCode::OK, "{path} is not served (is it in the list of assets?)");
        assert_eq!(answer.headers()[CONTENT_TYPE], content_type_of(&path), "{path}");
        assert_eq!(answer.headers()[CACHE_CONTROL], "no-cache", "{path}");
        let etag = answer.headers()[ETAG].to_str().expect("ASCII").to_owned();
        assert!(etag.starts_with('"') && etag.ends_with('"') && etag.len() > 10, "{path}: {etag}");
        let served = answer.bytes().await.expect("a body");
        let on_disk = std::fs::read(console_folder().join(&path)).expect("the file");
        assert!(served.as_ref() == on_disk.as_slice(), "{path} is served as it is in the folder");
    }
}

#[tokio::test]
async fn a_console_file_asked_again_with_its_etag_answers_304_without_a_body() {
    let app = TestApp::spawn().await;
    let url = format!("{}/console/app.js", app.base);
    let first = app.client.get(&url).send().await.expect("request");
    let etag = first.headers()[ETAG].clone();
    let again = app.client.get(&url).header(IF_NONE_MATCH, etag.clone()).send().await.expect("request");
    assert_eq!(again.status(), StatusCode::NOT_MODIFIED);
    assert_eq!(again.headers()[ETAG], etag);
    assert!(again.bytes().await.expect("a body").is_empty());
    let stale = app.client.get(&url).header(IF_NONE_MATCH, "\"stale\"").send().await.expect("request");
    assert_eq!(stale.status(), StatusCode::OK);
}

#[tokio::test]
async fn a_file_the_console_does_not_have_is_a_404_problem() {
    let app = TestApp::spawn().await;
    for path in ["/console/nope.js", "/console/", "/console/../Cargo.toml", "/console/messages/fr.js"] {
        let answer = app.client.get(format!("{}{path}", app.base)).send().await.expect("request");
        assert_eq!(answer.status(), StatusCode::NOT_FOUND, "{path}");
        assert_eq!(answer.headers()[CONTENT_TYPE], "application/problem+json", "{path}");
    }
}
