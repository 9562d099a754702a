//! Serving a simulator on a TCP listener.

use std::net::SocketAddr;
use std::time::Duration;

use tokio::sync::oneshot;
use tokio::task::JoinHandle;

use crate::sim::Simulator;

/// A simulator listening on a socket. Dropping it leaves the server running; call
/// [`SimServer::shutdown`] to stop it.
pub struct SimServer {
    addr: SocketAddr,
    stop: Option<oneshot::Sender<()>>,
    /// The task serving HTTP; it ends after `shutdown`.
    pub handle: JoinHandle<std::io::Result<()>>,
}

impl SimServer {
    pub(crate) async fn start(sim: Simulator, addr: SocketAddr) -> std::io::Result<SimServer> {
        let listener = tokio::net::TcpListener::bind(addr).await?;
        let addr = listener.local_addr()?;
        sim.set_base_url(&format!("http://{addr}"));
        let (stop, stopped) = oneshot::channel::<()>();
        let app = sim.router();
        let handle = tokio::spawn(async move {
            axum::serve(listener, app)
                .with_graceful_shutdown(async {
                    let _ = stopped.await;
                })
                .await
        });
        Ok(SimServer {
            addr,
            stop: Some(stop),
            handle,
        })
    }

    /// The address actually bound.
    pub fn local_addr(&self) -> SocketAddr {
        self.addr
    }

    /// The base URL to point a Twilio client at, e.g. `http://127.0.0.1:41234`.
    pub fn base_url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// Stops accepting connections and waits (up to 5 s for idle keep-alive connections) for the
    /// server task to end.
    pub async fn shutdown(mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if tokio::time::timeout(Duration::from_secs(5), &mut self.handle)
            .await
            .is_err()
        {
            self.handle.abort();
        }
    }
}
