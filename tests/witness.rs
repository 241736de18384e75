//! A witness for the black-box suite: [`TestWitness::start`] runs the real witness
//! (`aidledger witness serve`'s [`aidledger_server::witness::serve`]) on a listener of the test's
//! choosing, over a database of its own (SQLite or PostgreSQL, as the log's), trusting one log key.

use std::collections::HashMap;
use std::net::SocketAddr;

use aidledger_server::cosigning::WitnessEndpoint;
use aidledger_server::signing::{NoteSigner, NoteVerifier, SignatureType};
use aidledger_server::witness::state::WitnessState;
use aidledger_server::witness::{self, Witness};
use tokio::net::TcpListener;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

use crate::TestDatabase;

/// A new witness key named `name`.
pub fn witness_key(name: &str) -> NoteSigner {
    NoteSigner::generate_as(name, SignatureType::CosignatureV1).expect("a witness key")
}

/// A copy of `signer` (keys are not `Clone`, so that none is copied by accident).
fn copy_of(signer: &NoteSigner) -> NoteSigner {
    NoteSigner::from_private_text_as(&signer.to_private_text(), signer.kind()).expect("the same key")
}

/// A running witness; dropping it drops its shutdown signal's sender, which stops it.
pub struct TestWitness {
    /// Its address.
    pub address: SocketAddr,
    /// Its key's public half.
    pub verifier: NoteVerifier,
    signer: NoteSigner,
    log_key: NoteVerifier,
    shutdown: Option<oneshot::Sender<()>>,
    serving: Option<JoinHandle<std::io::Result<()>>>,
    /// Its own database (kept across a stop and a restart).
    pub database: TestDatabase,
}

impl TestWitness {
    /// Starts the witness of `signer` on `listener`, over a new database, trusting `log_key`.
    pub async fn start(signer: NoteSigner, listener: TcpListener, log_key: NoteVerifier) -> TestWitness {
        Self::start_over(signer, listener, log_key, TestDatabase::create().await).await
    }

    async fn start_over(
        signer: NoteSigner,
        listener: TcpListener,
        log_key: NoteVerifier,
        database: TestDatabase,
    ) -> TestWitness {
        let address = listener.local_addr().expect("the witness's address");
        let state = WitnessState::open(&database.url).await.expect("the witness's database");
        let logs = HashMap::from([(log_key.name().to_owned(), vec![log_key.clone()])]);
        let witness = Witness { signer: copy_of(&signer), logs, state };
        let (shutdown, stopped) = oneshot::channel::<()>();
        let serving = tokio::spawn(witness::serve(listener, witness, async {
            let _ = stopped.await;
        }));
        TestWitness {
            address,
            verifier: signer.verifier(),
            signer,
            log_key,
            shutdown: Some(shutdown),
            serving: Some(serving),
            database,
        }
    }

    /// `http://ADDRESS`.
    pub fn url(&self) -> String {
        format!("http://{}", self.address)
    }

    /// How the log names it: `serve --witness <name>=<vkey>@<url>`.
    pub fn endpoint(&self) -> WitnessEndpoint {
        endpoint(&self.verifier, self.address)
    }

    /// Stops it (its database stays) and answers what restarts it.
    pub async fn stop(mut self) -> StoppedWitness {
        if let Some(shutdown) = self.shutdown.take() {
            let _ = shutdown.send(());
        }
        if let Some(serving) = self.serving.take() {
            serving.await.expect("the witness task").expect("serving");
        }
        StoppedWitness {
            signer: copy_of(&self.signer),
            log_key: self.log_key.clone(),
            address: self.address,
            database: self.database,
        }
    }
}

/// A stopped witness, its database kept.
pub struct StoppedWitness {
    signer: NoteSigner,
    log_key: NoteVerifier,
    address: SocketAddr,
    database: TestDatabase,
}

impl StoppedWitness {
    /// Starts it again on its address.
    pub async fn restart(self) -> TestWitness {
        let listener = TcpListener::bind(self.address).await.expect("the witness's address again");
        TestWitness::start_over(self.signer, listener, self.log_key, self.database).await
    }
}

/// How a log names the witness `verifier` at `address`.
pub fn endpoint(verifier: &NoteVerifier, address: SocketAddr) -> WitnessEndpoint {
    format!("{}={verifier}@http://{address}", verifier.name()).parse().expect("a witness endpoint")
}

/// A listener on a free port, to start a witness on once the log it witnesses has started.
pub async fn free_listener() -> TcpListener {
    TcpListener::bind("127.0.0.1:0").await.expect("bind")
}
