//! TLS for the simulated API server. `kubectl` (client-go's clientcmd) only sends a bearer token
//! to `https://` servers, so the simulator serves TLS with a self-signed certificate generated at
//! start (SANs 127.0.0.1, localhost and the bind address) and puts it in the kubeconfig as
//! `certificate-authority-data`. Plain HTTP keeps working on the same port: the first byte of
//! each connection says which one it is (0x16 = a TLS handshake).

use anyhow::Context;
use std::io;
use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context as TaskCx, Poll};
use std::time::Duration;
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::mpsc;
use tokio_rustls::server::TlsStream;
use tokio_rustls::TlsAcceptor;
use tokio_util::sync::CancellationToken;

/// Select `ring` as the process-wide rustls provider. Both `ring` (kube) and `aws-lc-rs`
/// (reqwest) are compiled in, so rustls cannot pick one itself and `kube::Client` construction
/// panics without this. Idempotent; the binary's `main` should call it too.
pub fn install_crypto_provider() {
    crate::init_tls();
}

/// A generated server certificate.
pub struct ServerCert {
    /// PEM, for `certificate-authority-data`.
    pub cert_pem: String,
    acceptor: TlsAcceptor,
}

impl ServerCert {
    pub fn generate(bind: SocketAddr) -> anyhow::Result<ServerCert> {
        let mut names = vec!["127.0.0.1".to_string(), "localhost".to_string()];
        let ip = bind.ip().to_string();
        if !bind.ip().is_unspecified() && !names.contains(&ip) {
            names.push(ip);
        }
        let certified = rcgen::generate_simple_self_signed(names)
            .context("generating the simulator's certificate")?;
        let cert_pem = certified.cert.pem();
        let cert_der = certified.cert.der().clone();
        let key_der =
            rustls::pki_types::PrivateKeyDer::Pkcs8(certified.signing_key.serialize_der().into());
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let mut config = rustls::ServerConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()
            .context("TLS protocol versions")?
            .with_no_client_auth()
            .with_single_cert(vec![cert_der], key_der)
            .context("TLS server certificate")?;
        // Like a real API server: HTTP/2 for clients that offer it (kubectl, the console),
        // HTTP/1.1 for the rest and for upgrades (exec over WebSocket).
        config.alpn_protocols = vec![b"h2".to_vec(), b"http/1.1".to_vec()];
        Ok(ServerCert {
            cert_pem,
            acceptor: TlsAcceptor::from(Arc::new(config)),
        })
    }
}

/// One accepted connection, TLS or plain.
pub enum Conn {
    Plain(TcpStream),
    Tls(Box<TlsStream<TcpStream>>),
}

impl AsyncRead for Conn {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut TaskCx<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        match self.get_mut() {
            Conn::Plain(s) => Pin::new(s).poll_read(cx, buf),
            Conn::Tls(s) => Pin::new(s.as_mut()).poll_read(cx, buf),
        }
    }
}

impl AsyncWrite for Conn {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut TaskCx<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        match self.get_mut() {
            Conn::Plain(s) => Pin::new(s).poll_write(cx, buf),
            Conn::Tls(s) => Pin::new(s.as_mut()).poll_write(cx, buf),
        }
    }
    fn poll_flush(self: Pin<&mut Self>, cx: &mut TaskCx<'_>) -> Poll<io::Result<()>> {
        match self.get_mut() {
            Conn::Plain(s) => Pin::new(s).poll_flush(cx),
            Conn::Tls(s) => Pin::new(s.as_mut()).poll_flush(cx),
        }
    }
    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut TaskCx<'_>) -> Poll<io::Result<()>> {
        match self.get_mut() {
            Conn::Plain(s) => Pin::new(s).poll_shutdown(cx),
            Conn::Tls(s) => Pin::new(s.as_mut()).poll_shutdown(cx),
        }
    }
}

/// An axum listener that hands out TLS and plain connections from one TCP port.
pub struct DualListener {
    rx: mpsc::Receiver<(Conn, SocketAddr)>,
    local: SocketAddr,
}

impl DualListener {
    /// Accepts in a background task (handshakes never block other clients) until `cancel`.
    pub fn new(
        listener: TcpListener,
        cert: &ServerCert,
        cancel: CancellationToken,
    ) -> io::Result<Self> {
        let local = listener.local_addr()?;
        let (tx, rx) = mpsc::channel(64);
        let acceptor = cert.acceptor.clone();
        tokio::spawn(async move {
            loop {
                let accepted = tokio::select! {
                    _ = cancel.cancelled() => return,
                    a = listener.accept() => a,
                };
                let (stream, peer) = match accepted {
                    Ok(a) => a,
                    Err(e) => {
                        tracing::debug!("accept failed: {e}");
                        tokio::time::sleep(Duration::from_millis(20)).await;
                        continue;
                    }
                };
                let tx = tx.clone();
                let acceptor = acceptor.clone();
                tokio::spawn(async move {
                    let mut first = [0u8; 1];
                    let peeked =
                        tokio::time::timeout(Duration::from_secs(10), stream.peek(&mut first))
                            .await;
                    let conn = match peeked {
                        Ok(Ok(1)) if first[0] == 0x16 => {
                            match tokio::time::timeout(
                                Duration::from_secs(10),
                                acceptor.accept(stream),
                            )
                            .await
                            {
                                Ok(Ok(tls)) => Conn::Tls(Box::new(tls)),
                                _ => return,
                            }
                        }
                        Ok(Ok(n)) if n > 0 => Conn::Plain(stream),
                        _ => return,
                    };
                    let _ = tx.send((conn, peer)).await;
                });
            }
        });
        Ok(DualListener { rx, local })
    }
}

impl axum::serve::Listener for DualListener {
    type Io = Conn;
    type Addr = SocketAddr;

    async fn accept(&mut self) -> (Self::Io, Self::Addr) {
        match self.rx.recv().await {
            Some(c) => c,
            // The accept loop ended (shutdown): no more connections, ever.
            None => std::future::pending().await,
        }
    }

    fn local_addr(&self) -> io::Result<Self::Addr> {
        Ok(self.local)
    }
}
