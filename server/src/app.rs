//! The whole app started in one place: the projector, the checkpointer, the live feed and the HTTP
//! API on a listener, over an open database. `aidledger serve`, the benchmark's HTTP figures and the
//! black-box tests all start it here, so they run the same wiring.

use std::future::Future;
use std::net::SocketAddr;
use std::sync::Arc;

use anyhow::Context;
use tokio::net::TcpListener;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

use crate::checkpointer::Checkpointer;
use crate::cosigning::{submitter, WitnessEndpoint};
use crate::db::Database;
use crate::feed::Feed;
use crate::http::{self, AppState, Limits};
use crate::privacy::Keyring;
use crate::projector::Projector;
use crate::readiness::Readiness;
use crate::signing::{key_history, NoteSigner};
use crate::store::Store;
use crate::tokens::TokenCheck;

/// Whether opening a database applies its migrations.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Migrations {
    /// Apply every migration not applied yet.
    Apply,
    /// Leave the schema as it is (for a database role that may not run DDL).
    Skip,
}

/// Opens the database `url` names, applying its migrations or not.
pub async fn open_database(url: &str, migrations: Migrations) -> anyhow::Result<Database> {
    let database = Database::open(url).await?;
    if migrations == Migrations::Apply {
        database.migrate().await?;
    }
    Ok(database)
}

/// What the app serves with, besides its database.
pub struct AppSettings {
    /// Seals and opens personal fields.
    pub keyring: Keyring,
    /// Signs the log's checkpoints.
    pub signer: Arc<NoteSigner>,
    /// What one request and one connection may take.
    pub limits: Limits,
    /// The witnesses each new checkpoint is submitted to.
    pub witnesses: Vec<WitnessEndpoint>,
    /// Serve `/metrics` without a token even when the listener is not a loopback address.
    pub metrics_open: bool,
}

/// The running app: its HTTP API answers on [`App::address`] until [`App::shut_down`] (or until
/// the handle is dropped).
pub struct App {
    address: SocketAddr,
    store: Store,
    checkpointer: Checkpointer,
    shutdown: Option<oneshot::Sender<()>>,
    serving: JoinHandle<std::io::Result<()>>,
}

impl App {
    /// Opens the store on `database` (sealing with the settings' keyring) and starts the app on
    /// `listener`.
    pub async fn start(
        database: &Database,
        settings: AppSettings,
        listener: TcpListener,
    ) -> anyhow::Result<App> {
        let store = Store::open(database, Some(settings.keyring.clone())).await?;
        Self::start_with_store(database, store, settings, listener).await
    }

    /// Starts the app on `listener` over `store`, a store already open on `database`.
    pub async fn start_with_store(
        database: &Database,
        store: Store,
        settings: AppSettings,
        listener: TcpListener,
    ) -> anyhow::Result<App> {
        let address = listener.local_addr().context("reading the listener's address")?;
        crate::telemetry::handle();
        let head_at_start = crate::projector::committed_head(database).await?;
        let projector = Projector::start(database, store.head()).await?;
        let readiness = Readiness::new(database.clone(), projector.clone(), head_at_start);
        key_history::record(store.pool(), &settings.signer.verifier(), store.tree_size()).await?;
        let checkpointer = Checkpointer::start(store.clone(), settings.signer).await?;
        if !settings.witnesses.is_empty() {
            submitter::start(store.clone(), checkpointer.signed(), settings.witnesses)?;
        }
        let feed = Feed::start(store.pool().clone(), store.head()).await?;
        let tokens = TokenCheck::start(store.pool().clone()).await?;
        let state = AppState {
            store: store.clone(),
            projector,
            checkpointer: checkpointer.clone(),
            keyring: settings.keyring,
            limits: Arc::new(settings.limits),
            feed,
            tokens,
            readiness,
            metrics_open: settings.metrics_open || address.ip().is_loopback(),
        };
        let (shutdown, stopped) = oneshot::channel::<()>();
        let serving = tokio::spawn(http::serve(listener, state, async {
            let _ = stopped.await;
        }));
        Ok(App { address, store, checkpointer, shutdown: Some(shutdown), serving })
    }

    /// The address the API answers on.
    pub fn address(&self) -> SocketAddr {
        self.address
    }

    /// The store the app appends through.
    pub fn store(&self) -> &Store {
        &self.store
    }

    /// The app's checkpointer (its signed sizes can be awaited).
    pub fn checkpointer(&self) -> &Checkpointer {
        &self.checkpointer
    }

    /// Serves until `signal` completes (or serving fails), then shuts down.
    pub async fn serve_until(mut self, signal: impl Future<Output = ()>) -> anyhow::Result<()> {
        let ended_by_itself = tokio::select! {
            () = signal => None,
            served = &mut self.serving => Some(served),
        };
        match ended_by_itself {
            None => self.shut_down().await,
            Some(served) => served.context("the HTTP task")?.context("serving HTTP"),
        }
    }

    /// Stops taking connections, waits for open ones to finish, and stops.
    pub async fn shut_down(mut self) -> anyhow::Result<()> {
        if let Some(shutdown) = self.shutdown.take() {
            let _ = shutdown.send(());
        }
        (&mut self.serving).await.context("the HTTP task")?.context("serving HTTP")
    }
}

impl Drop for App {
    fn drop(&mut self) {
        if let Some(shutdown) = self.shutdown.take() {
            let _ = shutdown.send(());
        }
    }
}
