//! The simulated ingress controller's TLS listener: on loopback, for each connection it reads
//! the SNI, finds the Ingress whose `spec.tls` names that host (as ingress-nginx does) and
//! serves the certificate and key of that Ingress's Secret, read from the API server's store at
//! that moment (a renewed or re-synced Secret is served on the next connection). A host no
//! Ingress names gets ingress-nginx's "Fake Certificate". After the handshake it answers any
//! request with `200`.

use super::kube::KubeSim;
use base64::Engine;
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer};
use serde_json::Value;
use std::net::SocketAddr;
use std::sync::Arc;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;

type Pair = (Vec<CertificateDer<'static>>, PrivateKeyDer<'static>);

/// A running listener; stops when dropped.
pub struct IngressTls {
    pub addr: SocketAddr,
    /// The plain-HTTP listener: 308 to `https://` for hosts whose Ingress has TLS (unless
    /// `nginx.ingress.kubernetes.io/ssl-redirect: "false"`), 200 otherwise, 404 for unknown hosts.
    pub http_addr: SocketAddr,
    task: tokio::task::JoinHandle<()>,
    http_task: tokio::task::JoinHandle<()>,
}

impl Drop for IngressTls {
    fn drop(&mut self) {
        self.task.abort();
        self.http_task.abort();
    }
}

impl IngressTls {
    pub async fn start(kube: KubeSim) -> anyhow::Result<IngressTls> {
        let listener = TcpListener::bind("127.0.0.1:0").await?;
        let addr = listener.local_addr()?;
        let fake = fake_certificate()?;
        let kube_http = kube.clone();
        let task = tokio::spawn(async move {
            while let Ok((tcp, _)) = listener.accept().await {
                let kube = kube.clone();
                let fake = (fake.0.clone(), fake.1.clone_key());
                tokio::spawn(async move {
                    if let Err(e) = serve(kube, tcp, fake).await {
                        tracing::debug!("simulated ingress TLS: {e}");
                    }
                });
            }
        });
        let http = TcpListener::bind("127.0.0.1:0").await?;
        let http_addr = http.local_addr()?;
        let http_task = tokio::spawn(async move {
            while let Ok((tcp, _)) = http.accept().await {
                let kube = kube_http.clone();
                tokio::spawn(async move {
                    let _ = serve_http(kube, tcp).await;
                });
            }
        });
        Ok(IngressTls {
            addr,
            http_addr,
            task,
            http_task,
        })
    }
}

fn fake_certificate() -> anyhow::Result<Pair> {
    let key = rcgen::KeyPair::generate()?;
    let mut p = rcgen::CertificateParams::new(vec!["ingress.local".to_string()])?;
    p.distinguished_name.push(
        rcgen::DnType::CommonName,
        "Kubernetes Ingress Controller Fake Certificate",
    );
    let cert = p.self_signed(&key)?;
    Ok((
        vec![cert.der().clone()],
        PrivateKeyDer::Pkcs8(key.serialize_der().into()),
    ))
}

async fn serve(kube: KubeSim, tcp: tokio::net::TcpStream, fake: Pair) -> anyhow::Result<()> {
    let start =
        tokio_rustls::LazyConfigAcceptor::new(rustls::server::Acceptor::default(), tcp).await?;
    let sni = start.client_hello().server_name().map(str::to_string);
    let (chain, key) = sni
        .as_deref()
        .and_then(|h| certificate_for(&kube, h))
        .unwrap_or(fake);
    let config = rustls::ServerConfig::builder_with_provider(Arc::new(
        rustls::crypto::ring::default_provider(),
    ))
    .with_safe_default_protocol_versions()?
    .with_no_client_auth()
    .with_single_cert(chain, key)?;
    let mut stream = start.into_stream(Arc::new(config)).await?;
    let mut buf = [0u8; 2048];
    let n = tokio::time::timeout(std::time::Duration::from_secs(5), stream.read(&mut buf))
        .await
        .unwrap_or(Ok(0))?;
    if n > 0 {
        stream
            .write_all(b"HTTP/1.1 200 OK\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")
            .await?;
    }
    let _ = stream.shutdown().await;
    Ok(())
}

/// The certificate and key of the Secret the Ingress serving `host` names.
fn certificate_for(kube: &KubeSim, host: &str) -> Option<Pair> {
    let ingresses = kube.list("networking.k8s.io/v1", "Ingress", None);
    let (ns, secret) = ingresses.iter().find_map(|ing| {
        let ns = ing["metadata"]["namespace"].as_str()?;
        let rules: Vec<&str> = ing["spec"]["rules"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|r| r["host"].as_str())
            .collect();
        ing["spec"]["tls"]
            .as_array()
            .into_iter()
            .flatten()
            .find(|t| {
                let hosts: Vec<&str> = t["hosts"]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .filter_map(Value::as_str)
                    .collect();
                if hosts.is_empty() {
                    rules.contains(&host)
                } else {
                    hosts.contains(&host)
                }
            })
            .and_then(|t| t["secretName"].as_str())
            .map(|s| (ns.to_string(), s.to_string()))
    })?;
    let secret = kube.get("v1", "Secret", Some(&ns), &secret)?;
    let field = |k: &str| {
        base64::engine::general_purpose::STANDARD
            .decode(secret["data"][k].as_str()?)
            .ok()
    };
    let crt = field("tls.crt")?;
    let key = field("tls.key")?;
    let chain: Vec<CertificateDer<'static>> = CertificateDer::pem_slice_iter(&crt)
        .filter_map(Result::ok)
        .collect();
    let key = PrivateKeyDer::from_pem_slice(&key).ok()?;
    (!chain.is_empty()).then_some((chain, key))
}

/// What ingress-nginx answers on port 80 for `host`.
fn http_answer(kube: &KubeSim, host: &str, path: &str) -> String {
    let ingresses = kube.list("networking.k8s.io/v1", "Ingress", None);
    let ing = ingresses.iter().find(|i| {
        i["spec"]["rules"]
            .as_array()
            .into_iter()
            .flatten()
            .any(|r| r["host"] == host)
    });
    let Some(ing) = ing else {
        return "HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n".into();
    };
    let tls = ing["spec"]["tls"].as_array().is_some_and(|t| !t.is_empty());
    let redirect =
        ing["metadata"]["annotations"]["nginx.ingress.kubernetes.io/ssl-redirect"] != "false";
    if tls && redirect {
        format!("HTTP/1.1 308 Permanent Redirect\r\nLocation: https://{host}{path}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")
    } else {
        "HTTP/1.1 200 OK\r\nContent-Length: 0\r\nConnection: close\r\n\r\n".into()
    }
}

async fn serve_http(kube: KubeSim, mut tcp: tokio::net::TcpStream) -> anyhow::Result<()> {
    let mut buf = Vec::new();
    let mut chunk = [0u8; 2048];
    while !buf.windows(4).any(|w| w == b"\r\n\r\n") && buf.len() < 16_384 {
        let n = tokio::time::timeout(std::time::Duration::from_secs(5), tcp.read(&mut chunk))
            .await
            .unwrap_or(Ok(0))?;
        if n == 0 {
            return Ok(());
        }
        buf.extend_from_slice(&chunk[..n]);
    }
    let text = String::from_utf8_lossy(&buf);
    let path = text.split_whitespace().nth(1).unwrap_or("/").to_string();
    let host = text
        .split("\r\n")
        .filter_map(|l| l.split_once(':'))
        .find(|(k, _)| k.trim().eq_ignore_ascii_case("host"))
        .map(|(_, v)| v.trim().split(':').next().unwrap_or_default().to_string())
        .unwrap_or_default();
    tcp.write_all(http_answer(&kube, &host, &path).as_bytes())
        .await?;
    let _ = tcp.shutdown().await;
    Ok(())
}
