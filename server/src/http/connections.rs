//! Accepting connections and serving HTTP/1.1 on each, so that a slow or idle client cannot hold one
//! open: hyper closes a connection whose request headers have not all arrived within the idle
//! timeout (which also bounds how long a kept-alive connection waits for its next request), and
//! [`StalledWriteGuard`] closes one whose client has not read any of an answer within it. A body sent
//! too slowly is the request timeout's to answer (408, in [`super::limits`]).
//!
//! On shutdown the listener closes, connections finish the requests they are answering, and the
//! server returns once every connection has closed.

use std::future::Future;
use std::io;
use std::pin::{pin, Pin};
use std::task::{Context, Poll};
use std::time::Duration;

use axum::Router;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::server::graceful::GracefulShutdown;
use hyper_util::service::TowerToHyperService;
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::{TcpListener, TcpStream};
use tokio::time::{Instant, Sleep};

/// Serves `router` on every connection `listener` accepts until `shutdown` completes, then waits for
/// the open connections to finish.
pub(crate) async fn serve_connections(
    listener: TcpListener,
    router: Router,
    idle_timeout: Duration,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> io::Result<()> {
    let mut http = hyper::server::conn::http1::Builder::new();
    http.timer(TokioTimer::new()).header_read_timeout(idle_timeout);
    let graceful = GracefulShutdown::new();
    let mut shutdown = pin!(shutdown);
    loop {
        let stream = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok((stream, _)) => stream,
                Err(error) => {
                    wait_after_accept_error(error).await;
                    continue;
                }
            },
            () = &mut shutdown => break,
        };
        let io = TokioIo::new(StalledWriteGuard::new(stream, idle_timeout));
        let connection = http.serve_connection(io, TowerToHyperService::new(router.clone()));
        let connection = graceful.watch(connection);
        tokio::spawn(async move {
            if let Err(error) = connection.await {
                tracing::debug!(error = %error, "connection closed with an error");
            }
        });
    }
    drop(listener);
    graceful.shutdown().await;
    Ok(())
}

/// Errors of one connection (it was reset before it was accepted) need no pause; others (too many
/// open files) get a short one, so the loop does not spin while they last.
async fn wait_after_accept_error(error: io::Error) {
    let of_one_connection = matches!(
        error.kind(),
        io::ErrorKind::ConnectionRefused | io::ErrorKind::ConnectionAborted | io::ErrorKind::ConnectionReset
    );
    if !of_one_connection {
        tracing::error!(error = %error, "accepting a connection failed");
        tokio::time::sleep(Duration::from_secs(1)).await;
    }
}

/// A TCP stream whose writes fail once one has made no progress for the idle timeout: a client that
/// stops reading its answer loses the connection instead of holding it.
pub struct StalledWriteGuard {
    stream: TcpStream,
    idle_timeout: Duration,
    deadline: Pin<Box<Sleep>>,
    waiting: bool,
}

impl StalledWriteGuard {
    /// Guards `stream`.
    pub fn new(stream: TcpStream, idle_timeout: Duration) -> Self {
        Self { stream, idle_timeout, deadline: Box::pin(tokio::time::sleep(idle_timeout)), waiting: false }
    }

    /// Passes on a write's outcome; while it is pending, starts (once) and checks the deadline.
    fn watch<T>(&mut self, cx: &mut Context<'_>, outcome: Poll<io::Result<T>>) -> Poll<io::Result<T>> {
        if outcome.is_ready() {
            self.waiting = false;
            return outcome;
        }
        if !self.waiting {
            self.waiting = true;
            let at = Instant::now() + self.idle_timeout;
            self.deadline.as_mut().reset(at);
        }
        match self.deadline.as_mut().poll(cx) {
            Poll::Ready(()) => Poll::Ready(Err(io::Error::new(
                io::ErrorKind::TimedOut,
                "the client read none of the answer within the idle timeout",
            ))),
            Poll::Pending => Poll::Pending,
        }
    }
}

impl AsyncRead for StalledWriteGuard {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        Pin::new(&mut self.stream).poll_read(cx, buf)
    }
}

impl AsyncWrite for StalledWriteGuard {
    fn poll_write(mut self: Pin<&mut Self>, cx: &mut Context<'_>, buf: &[u8]) -> Poll<io::Result<usize>> {
        let outcome = Pin::new(&mut self.stream).poll_write(cx, buf);
        self.watch(cx, outcome)
    }

    fn poll_write_vectored(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        let outcome = Pin::new(&mut self.stream).poll_write_vectored(cx, bufs);
        self.watch(cx, outcome)
    }

    fn is_write_vectored(&self) -> bool {
        self.stream.is_write_vectored()
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        let outcome = Pin::new(&mut self.stream).poll_flush(cx);
        self.watch(cx, outcome)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.stream).poll_shutdown(cx)
    }
}

#[cfg(test)]
mod tests {
    use tokio::io::AsyncWriteExt;

    use super::*;

    #[tokio::test(start_paused = true)]
    async fn a_write_the_client_does_not_read_fails_after_the_idle_timeout() {
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
        let client = TcpStream::connect(listener.local_addr().expect("address")).await.expect("connect");
        let (accepted, _) = listener.accept().await.expect("accept");
        let mut guarded = StalledWriteGuard::new(accepted, Duration::from_secs(30));
        // The client never reads: once the socket buffers are full the write waits, and the paused
        // clock jumps to the deadline as soon as nothing else can happen.
        let answer = vec![b'x'; 64 * 1024 * 1024];
        let error = guarded.write_all(&answer).await.expect_err("the write must give up");
        assert_eq!(error.kind(), io::ErrorKind::TimedOut);
        drop(client);
    }
}
