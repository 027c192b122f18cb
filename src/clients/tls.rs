//! TLS: what a server really serves and what a `tls.crt` really holds.
//!
//! [`handshake`] opens a TCP connection (to a configured address, or the host resolved), runs a
//! rustls handshake with SNI that accepts any chain (so a broken chain can still be read), and
//! returns the served chain parsed with x509-parser plus a separate verdict on the chain against
//! the system roots or a configured CA. [`parse_pem_bundle`] reads a `tls.crt` (one or several
//! PEM certificates). Every failure is a specific [`TlsError`]: no panic, no hang.

use std::io;
use std::pin::Pin;
use std::sync::{Arc, Mutex, OnceLock};
use std::task::{Context, Poll};
use std::time::Duration;

use jiff::Timestamp;
use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::client::WebPkiServerVerifier;
use rustls::pki_types::{CertificateDer, ServerName, UnixTime};
use rustls::{CertificateError, DigitallySignedStruct, RootCertStore, SignatureScheme};
use serde::Serialize;
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::TcpStream;
use x509_parser::extensions::GeneralName;
use x509_parser::prelude::{FromDer, X509Certificate};

/// Why a certificate could not be read or a handshake not completed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TlsError {
    #[error("no PEM certificate found (not PEM)")]
    NotPem,
    #[error("PEM block {index} is truncated or corrupt: {detail}")]
    BadPem { index: usize, detail: String },
    #[error("certificate {index} is not valid X.509: {detail}")]
    BadCertificate { index: usize, detail: String },
    #[error("{host} does not resolve: {detail}")]
    Resolve { host: String, detail: String },
    #[error("cannot connect to {address}: {detail}")]
    Connect { address: String, detail: String },
    #[error("no TLS handshake with {address} within {ms} ms")]
    Timeout { address: String, ms: u64 },
    #[error("{address} speaks plain HTTP, not TLS")]
    PlainHttp { address: String },
    #[error("TLS handshake with {address} failed: {detail}")]
    Handshake { address: String, detail: String },
    #[error("{address} sent no certificate")]
    NoCertificate { address: String },
}

/// One certificate, with the fields `openssl x509 -noout -text` shows.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CertInfo {
    pub subject: String,
    pub issuer: String,
    /// DNS names and IP addresses of the subjectAltName extension.
    pub sans: Vec<String>,
    pub not_before: Timestamp,
    pub not_after: Timestamp,
    /// Colon-separated lowercase hex of the serial's bytes (openssl's `Serial Number`).
    pub serial: String,
    /// Colon-separated uppercase hex of SHA-256 over the DER (openssl's `-fingerprint -sha256`).
    pub sha256: String,
    pub self_signed: bool,
    pub is_ca: bool,
    /// The certificate in PEM (public; shown by inspect).
    #[serde(skip)]
    pub pem: String,
    #[serde(skip)]
    pub der: Vec<u8>,
}

impl CertInfo {
    /// Whole days until `not_after` (negative once expired).
    pub fn days_left(&self, now: Timestamp) -> i64 {
        let secs = self.not_after.as_second() - now.as_second();
        secs.div_euclid(86_400)
    }

    pub fn expired(&self, now: Timestamp) -> bool {
        now > self.not_after
    }

    /// Whether a SAN covers `host` (a leftmost `*` label covers exactly one label).
    pub fn covers(&self, host: &str) -> bool {
        let host = host.trim_end_matches('.').to_ascii_lowercase();
        self.sans.iter().any(|san| {
            let san = san.to_ascii_lowercase();
            match san.strip_prefix("*.") {
                Some(rest) => host
                    .split_once('.')
                    .is_some_and(|(first, tail)| !first.is_empty() && tail == rest),
                None => san == host,
            }
        })
    }
}

/// Parse one DER certificate.
pub fn parse_der(der: &[u8], index: usize) -> Result<CertInfo, TlsError> {
    let bad = |detail: String| TlsError::BadCertificate { index, detail };
    let (rest, cert) = X509Certificate::from_der(der).map_err(|e| bad(e.to_string()))?;
    if !rest.is_empty() {
        return Err(bad(format!("{} trailing bytes", rest.len())));
    }
    let ts = |t: x509_parser::time::ASN1Time| {
        Timestamp::from_second(t.timestamp()).map_err(|e| bad(e.to_string()))
    };
    let mut sans = Vec::new();
    if let Ok(Some(ext)) = cert.subject_alternative_name() {
        for name in &ext.value.general_names {
            match name {
                GeneralName::DNSName(d) => sans.push(d.to_string()),
                GeneralName::IPAddress(ip) => sans.push(ip_text(ip)),
                _ => {}
            }
        }
    }
    let is_ca = cert
        .basic_constraints()
        .ok()
        .flatten()
        .is_some_and(|b| b.value.ca);
    let subject = cert.subject().to_string();
    let issuer = cert.issuer().to_string();
    Ok(CertInfo {
        self_signed: subject == issuer,
        subject,
        issuer,
        sans,
        not_before: ts(cert.validity().not_before)?,
        not_after: ts(cert.validity().not_after)?,
        serial: serial_text(cert.raw_serial()),
        sha256: fingerprint(der),
        is_ca,
        pem: to_pem(der),
        der: der.to_vec(),
    })
}

/// The serial's bytes without DER's sign padding, as `openssl x509 -text` prints them.
fn serial_text(raw: &[u8]) -> String {
    let start = raw
        .iter()
        .position(|b| *b != 0)
        .unwrap_or(raw.len().saturating_sub(1));
    let hex: Vec<String> = raw[start..].iter().map(|b| format!("{b:02x}")).collect();
    hex.join(":")
}

fn ip_text(raw: &[u8]) -> String {
    match raw.len() {
        4 => std::net::Ipv4Addr::from(<[u8; 4]>::try_from(raw).unwrap_or_default()).to_string(),
        16 => std::net::Ipv6Addr::from(<[u8; 16]>::try_from(raw).unwrap_or_default()).to_string(),
        _ => format!("{raw:02x?}"),
    }
}

fn fingerprint(der: &[u8]) -> String {
    let digest = ring::digest::digest(&ring::digest::SHA256, der);
    let hex: Vec<String> = digest.as_ref().iter().map(|b| format!("{b:02X}")).collect();
    hex.join(":")
}

fn to_pem(der: &[u8]) -> String {
    use base64::Engine;
    let b64 = base64::engine::general_purpose::STANDARD.encode(der);
    let mut out = String::from("-----BEGIN CERTIFICATE-----\n");
    for chunk in b64.as_bytes().chunks(64) {
        out.push_str(&String::from_utf8_lossy(chunk));
        out.push('\n');
    }
    out.push_str("-----END CERTIFICATE-----\n");
    out
}

/// Every certificate of a PEM bundle (`tls.crt`, `ca.crt`), leaf first as written.
pub fn parse_pem_bundle(bytes: &[u8]) -> Result<Vec<CertInfo>, TlsError> {
    let mut out = Vec::new();
    for (index, pem) in x509_parser::pem::Pem::iter_from_buffer(bytes).enumerate() {
        let pem = pem.map_err(|e| TlsError::BadPem {
            index,
            detail: e.to_string(),
        })?;
        if pem.label != "CERTIFICATE" {
            continue;
        }
        out.push(parse_der(&pem.contents, index)?);
    }
    if out.is_empty() {
        // A BEGIN line without its END is a truncated block, not "not PEM".
        let text = String::from_utf8_lossy(bytes);
        if text.contains("-----BEGIN CERTIFICATE-----") {
            return Err(TlsError::BadPem {
                index: 0,
                detail: "no END CERTIFICATE line".into(),
            });
        }
        return Err(TlsError::NotPem);
    }
    Ok(out)
}

/// What to trust when judging a chain.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Roots {
    /// The operating system's store.
    System,
    /// A configured CA bundle (PEM).
    Pem(String),
}

/// The verdict on a served chain (independent of the host and of the leaf's expiry, which are
/// reported on their own).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "state", content = "reason", rename_all = "lowercase")]
pub enum ChainVerdict {
    Valid,
    Invalid(String),
    /// No trust roots to judge against.
    Unknown(String),
}

/// What a handshake learnt.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Served {
    /// The address connected to.
    pub address: String,
    pub sni: String,
    /// The served chain, leaf first.
    pub chain: Vec<CertInfo>,
    pub chain_verdict: ChainVerdict,
    pub protocol: String,
}

impl Served {
    pub fn leaf(&self) -> &CertInfo {
        &self.chain[0]
    }
}

/// One handshake to make.
#[derive(Debug, Clone)]
pub struct Target {
    /// The name sent as SNI and checked against the SANs.
    pub host: String,
    pub port: u16,
    /// Where to connect (`ip:port`); `None` resolves `host`.
    pub address: Option<String>,
    pub timeout: Duration,
    pub roots: Roots,
}

/// Connect, handshake with SNI, parse the chain, judge it.
pub async fn handshake(t: &Target) -> Result<Served, TlsError> {
    let ms = t.timeout.as_millis() as u64;
    let address = t
        .address
        .clone()
        .unwrap_or_else(|| format!("{}:{}", t.host, t.port));
    match tokio::time::timeout(t.timeout, handshake_inner(t, &address)).await {
        Ok(r) => r,
        Err(_) => Err(TlsError::Timeout { address, ms }),
    }
}

async fn handshake_inner(t: &Target, address: &str) -> Result<Served, TlsError> {
    let addrs: Vec<std::net::SocketAddr> = match tokio::net::lookup_host(address).await {
        Ok(a) => a.collect(),
        Err(e) => {
            return Err(TlsError::Resolve {
                host: address.to_string(),
                detail: e.to_string(),
            })
        }
    };
    let mut last = None;
    let mut tcp = None;
    for a in &addrs {
        match TcpStream::connect(a).await {
            Ok(s) => {
                tcp = Some(s);
                break;
            }
            Err(e) => last = Some(e.to_string()),
        }
    }
    let Some(tcp) = tcp else {
        return Err(TlsError::Connect {
            address: address.to_string(),
            detail: last.unwrap_or_else(|| "no address".into()),
        });
    };
    let sni = ServerName::try_from(t.host.clone()).map_err(|e| TlsError::Handshake {
        address: address.to_string(),
        detail: format!("{} is not a valid server name: {e}", t.host),
    })?;
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let config = rustls::ClientConfig::builder_with_provider(provider.clone())
        .with_safe_default_protocol_versions()
        .map_err(|e| TlsError::Handshake {
            address: address.to_string(),
            detail: e.to_string(),
        })?
        .dangerous()
        .with_custom_certificate_verifier(Arc::new(AcceptAny(provider)))
        .with_no_client_auth();
    let first = Arc::new(Mutex::new(Vec::new()));
    let stream = Sniff {
        inner: tcp,
        first: first.clone(),
    };
    let conn = tokio_rustls::TlsConnector::from(Arc::new(config))
        .connect(sni.clone(), stream)
        .await;
    let conn = match conn {
        Ok(c) => c,
        Err(e) => {
            let head = first.lock().map(|f| f.clone()).unwrap_or_default();
            if looks_like_http(&head) {
                return Err(TlsError::PlainHttp {
                    address: address.to_string(),
                });
            }
            return Err(TlsError::Handshake {
                address: address.to_string(),
                detail: crate::root_cause(&e),
            });
        }
    };
    let (_, session) = conn.get_ref();
    let protocol = session
        .protocol_version()
        .map(|v| format!("{v:?}"))
        .unwrap_or_default();
    let ders: Vec<CertificateDer<'static>> = session
        .peer_certificates()
        .map(|c| c.iter().map(|d| d.clone().into_owned()).collect())
        .unwrap_or_default();
    if ders.is_empty() {
        return Err(TlsError::NoCertificate {
            address: address.to_string(),
        });
    }
    let chain = ders
        .iter()
        .enumerate()
        .map(|(i, d)| parse_der(d, i))
        .collect::<Result<Vec<_>, _>>()?;
    let chain_verdict = judge_chain(&ders, &chain[0], &sni, &t.roots);
    Ok(Served {
        address: address.to_string(),
        sni: t.host.clone(),
        chain,
        chain_verdict,
        protocol,
    })
}

fn looks_like_http(head: &[u8]) -> bool {
    head.starts_with(b"HTTP/") || head.starts_with(b"<") || head.starts_with(b"<!")
}

fn system_roots() -> &'static RootCertStore {
    static ROOTS: OnceLock<RootCertStore> = OnceLock::new();
    ROOTS.get_or_init(|| {
        let mut store = RootCertStore::empty();
        for cert in rustls_native_certs::load_native_certs().certs {
            let _ = store.add(cert);
        }
        store
    })
}

/// Judge the chain against `roots`, at a moment inside the leaf's validity (expiry is reported
/// on its own) and ignoring a name mismatch (host coverage is reported on its own).
fn judge_chain(
    ders: &[CertificateDer<'static>],
    leaf: &CertInfo,
    sni: &ServerName<'static>,
    roots: &Roots,
) -> ChainVerdict {
    let store = match roots {
        Roots::System => system_roots().clone(),
        Roots::Pem(pem) => {
            let mut store = RootCertStore::empty();
            if let Ok(certs) = parse_pem_bundle(pem.as_bytes()) {
                for c in certs {
                    let _ = store.add(CertificateDer::from(c.der));
                }
            }
            store
        }
    };
    if store.is_empty() {
        return ChainVerdict::Unknown("no trust roots".into());
    }
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let verifier =
        match WebPkiServerVerifier::builder_with_provider(Arc::new(store), provider).build() {
            Ok(v) => v,
            Err(e) => return ChainVerdict::Unknown(e.to_string()),
        };
    let now = Timestamp::now()
        .as_second()
        .clamp(leaf.not_before.as_second(), leaf.not_after.as_second() - 1)
        .max(0);
    let at = UnixTime::since_unix_epoch(Duration::from_secs(now.unsigned_abs()));
    match verifier.verify_server_cert(&ders[0], &ders[1..], sni, &[], at) {
        Ok(_) => ChainVerdict::Valid,
        Err(rustls::Error::InvalidCertificate(
            CertificateError::NotValidForName | CertificateError::NotValidForNameContext { .. },
        )) => ChainVerdict::Valid,
        Err(rustls::Error::InvalidCertificate(CertificateError::UnknownIssuer)) => {
            ChainVerdict::Invalid(if leaf.self_signed {
                "self-signed".into()
            } else {
                "unknown issuer (not trusted, or an intermediate is missing)".into()
            })
        }
        Err(e) => ChainVerdict::Invalid(e.to_string()),
    }
}

/// Accepts any chain (it is judged afterwards) but checks the handshake signatures.
#[derive(Debug)]
struct AcceptAny(Arc<rustls::crypto::CryptoProvider>);

impl ServerCertVerifier for AcceptAny {
    fn verify_server_cert(
        &self,
        _: &CertificateDer<'_>,
        _: &[CertificateDer<'_>],
        _: &ServerName<'_>,
        _: &[u8],
        _: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        Ok(ServerCertVerified::assertion())
    }
    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls12_signature(
            message,
            cert,
            dss,
            &self.0.signature_verification_algorithms,
        )
    }
    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls13_signature(
            message,
            cert,
            dss,
            &self.0.signature_verification_algorithms,
        )
    }
    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.0.signature_verification_algorithms.supported_schemes()
    }
}

/// A TCP stream that keeps the first bytes the server sent (to tell plain HTTP from TLS).
struct Sniff {
    inner: TcpStream,
    first: Arc<Mutex<Vec<u8>>>,
}

impl AsyncRead for Sniff {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        let before = buf.filled().len();
        let r = Pin::new(&mut self.inner).poll_read(cx, buf);
        if let Ok(mut first) = self.first.lock() {
            if first.len() < 8 {
                let new = &buf.filled()[before..];
                let take = new.len().min(8 - first.len());
                first.extend_from_slice(&new[..take]);
            }
        }
        r
    }
}

impl AsyncWrite for Sniff {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.inner).poll_write(cx, buf)
    }
    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_flush(cx)
    }
    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_shutdown(cx)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cert(names: &[&str]) -> CertInfo {
        let c = rcgen::generate_simple_self_signed(
            names.iter().map(|s| s.to_string()).collect::<Vec<_>>(),
        )
        .unwrap();
        parse_pem_bundle(c.cert.pem().as_bytes()).unwrap().remove(0)
    }

    #[test]
    fn wildcard_covers_one_label_only() {
        let c = cert(&["*.home.example.com", "home.example.com"]);
        assert!(c.covers("tv.home.example.com"));
        assert!(c.covers("HOME.example.com."));
        assert!(!c.covers("a.b.home.example.com"));
        assert!(!c.covers("example.com"));
        assert!(!c.covers("tv.other.com"));
    }

    #[test]
    fn bundle_of_several_and_garbage() {
        let a = rcgen::generate_simple_self_signed(vec!["a.test".into()]).unwrap();
        let b = rcgen::generate_simple_self_signed(vec!["b.test".into()]).unwrap();
        let bundle = format!("{}{}", a.cert.pem(), b.cert.pem());
        let certs = parse_pem_bundle(bundle.as_bytes()).unwrap();
        assert_eq!(certs.len(), 2);
        assert_eq!(certs[0].sans, vec!["a.test"]);
        assert_eq!(certs[1].sans, vec!["b.test"]);
        assert!(certs[0].self_signed);
        assert_eq!(certs[0].sha256.len(), 32 * 3 - 1);
        assert_eq!(parse_pem_bundle(b"hello world"), Err(TlsError::NotPem));
        assert_eq!(parse_pem_bundle(b""), Err(TlsError::NotPem));
        let pem = a.cert.pem();
        let truncated = &pem[..pem.len() / 2];
        assert!(matches!(
            parse_pem_bundle(truncated.as_bytes()),
            Err(TlsError::BadPem { .. })
        ));
        let corrupt = pem.replace(&pem[40..60], "AAAAAAAAAAAAAAAAAAAA");
        assert!(matches!(
            parse_pem_bundle(corrupt.as_bytes()),
            Err(TlsError::BadCertificate { .. } | TlsError::BadPem { .. })
        ));
    }

    #[test]
    fn days_left_counts_whole_days() {
        assert_eq!(serial_text(&[0, 0x9b, 0x01]), "9b:01");
        assert_eq!(serial_text(&[0]), "00");
        let c = cert(&["a.test"]);
        let now = Timestamp::from_second(c.not_after.as_second() - 5 * 86_400 - 10).unwrap();
        assert_eq!(c.days_left(now), 5);
        let after = Timestamp::from_second(c.not_after.as_second() + 10).unwrap();
        assert_eq!(c.days_left(after), -1);
        assert!(c.expired(after));
    }
}
