//! Rebuilds the server when a migration or a console file changes: `sqlx::migrate!` and the
//! console's `include_bytes!` embed them at compile time.

fn main() {
    println!("cargo:rerun-if-changed=../migrations");
    println!("cargo:rerun-if-changed=console");
}
