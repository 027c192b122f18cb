//! `clients::tls::handshake` against real TLS servers on loopback with rcgen certificates:
//! valid, 5 days left, expired, wrong host, self-signed, incomplete chain; and the bad inputs
//! (plain HTTP on the TLS port, a server that never answers, a refused port, a host that does
//! not resolve).

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use k8s_nas::clients::tls::{handshake, ChainVerdict, Roots, Target, TlsError};
use rcgen::{BasicConstraints, CertificateParams, IsCa, Issuer, KeyPair};
use rustls::pki_types::{CertificateDer, PrivateKeyDer};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;

const DAY: i64 = 86_400;

fn window(p: &mut CertificateParams, from: i64, until: i64) {
    let epoch = rcgen::date_time_ymd(1970, 1, 1);
    p.not_before = epoch + Duration::from_secs(from.unsigned_abs());
    p.not_after = epoch + Duration::from_secs(until.unsigned_abs());
}

fn now() -> i64 {
    jiff::Timestamp::now().as_second()
}

struct Pki {
    ca_pem: String,
    inter: Issuer<'static, KeyPair>,
    inter_der: CertificateDer<'static>,
}

fn pki() -> Pki {
    let ca_key = KeyPair::generate().unwrap();
    let mut ca = CertificateParams::new(Vec::<String>::new()).unwrap();
    ca.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    ca.distinguished_name
        .push(rcgen::DnType::CommonName, "Test Root");
    let ca_cert = ca.self_signed(&ca_key).unwrap();
    let ca_issuer = Issuer::new(ca, ca_key);
    let inter_key = KeyPair::generate().unwrap();
    let mut inter = CertificateParams::new(Vec::<String>::new()).unwrap();
    inter.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    inter
        .distinguished_name
        .push(rcgen::DnType::CommonName, "Test Intermediate");
    let inter_cert = inter.signed_by(&inter_key, &ca_issuer).unwrap();
    Pki {
        ca_pem: ca_cert.pem(),
        inter: Issuer::new(inter, inter_key),
        inter_der: inter_cert.der().clone(),
    }
}

/// A leaf for `names` valid from `from` to `until` (unix seconds), signed by the intermediate.
fn leaf(
    pki: &Pki,
    names: &[&str],
    from: i64,
    until: i64,
) -> (CertificateDer<'static>, PrivateKeyDer<'static>) {
    let key = KeyPair::generate().unwrap();
    let mut p =
        CertificateParams::new(names.iter().map(|s| s.to_string()).collect::<Vec<_>>()).unwrap();
    window(&mut p, from, until);
    p.distinguished_name
        .push(rcgen::DnType::CommonName, names[0]);
    let cert = p.signed_by(&key, &pki.inter).unwrap();
    (
        cert.der().clone(),
        PrivateKeyDer::Pkcs8(key.serialize_der().into()),
    )
}

async fn serve(chain: Vec<CertificateDer<'static>>, key: PrivateKeyDer<'static>) -> SocketAddr {
    k8s_nas::init_tls();
    let config = rustls::ServerConfig::builder_with_provider(Arc::new(
        rustls::crypto::ring::default_provider(),
    ))
    .with_safe_default_protocol_versions()
    .unwrap()
    .with_no_client_auth()
    .with_single_cert(chain, key)
    .unwrap();
    let acceptor = tokio_rustls::TlsAcceptor::from(Arc::new(config));
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        while let Ok((tcp, _)) = listener.accept().await {
            let acceptor = acceptor.clone();
            tokio::spawn(async move {
                if let Ok(mut s) = acceptor.accept(tcp).await {
                    let _ = s.shutdown().await;
                }
            });
        }
    });
    addr
}

fn target(host: &str, addr: SocketAddr, roots: &str) -> Target {
    Target {
        host: host.into(),
        port: 443,
        address: Some(addr.to_string()),
        timeout: Duration::from_secs(5),
        roots: Roots::Pem(roots.into()),
    }
}

#[tokio::test]
async fn valid_chain_and_fields() {
    let pki = pki();
    let (der, key) = leaf(
        &pki,
        &["tv.home.test", "*.home.test"],
        now() - DAY,
        now() + 90 * DAY - 3600,
    );
    let addr = serve(vec![der.clone(), pki.inter_der.clone()], key).await;
    let served = handshake(&target("tv.home.test", addr, &pki.ca_pem))
        .await
        .unwrap();
    assert_eq!(served.chain.len(), 2);
    assert_eq!(served.chain_verdict, ChainVerdict::Valid);
    let leaf = served.leaf();
    assert!(leaf.covers("tv.home.test"));
    assert_eq!(leaf.sans, vec!["tv.home.test", "*.home.test"]);
    assert_eq!(leaf.subject, "CN=tv.home.test");
    assert_eq!(leaf.issuer, "CN=Test Intermediate");
    assert_eq!(leaf.days_left(jiff::Timestamp::now()), 89);
    assert_eq!(leaf.der, der.as_ref());
    assert!(!leaf.self_signed);
    assert!(served.chain[1].is_ca);
}

#[tokio::test]
async fn five_days_left() {
    let pki = pki();
    let (der, key) = leaf(&pki, &["a.home.test"], now() - DAY, now() + 5 * DAY + 3600);
    let addr = serve(vec![der, pki.inter_der.clone()], key).await;
    let served = handshake(&target("a.home.test", addr, &pki.ca_pem))
        .await
        .unwrap();
    assert_eq!(served.leaf().days_left(jiff::Timestamp::now()), 5);
    assert_eq!(served.chain_verdict, ChainVerdict::Valid);
}

#[tokio::test]
async fn expired_is_read_and_chain_still_judged() {
    let pki = pki();
    let (der, key) = leaf(&pki, &["a.home.test"], now() - 100 * DAY, now() - 2 * DAY);
    let addr = serve(vec![der, pki.inter_der.clone()], key).await;
    let served = handshake(&target("a.home.test", addr, &pki.ca_pem))
        .await
        .unwrap();
    assert!(served.leaf().expired(jiff::Timestamp::now()));
    assert!(served.leaf().days_left(jiff::Timestamp::now()) < 0);
    assert_eq!(served.chain_verdict, ChainVerdict::Valid);
}

#[tokio::test]
async fn wrong_host_is_not_covered() {
    let pki = pki();
    let (der, key) = leaf(&pki, &["a.home.test"], now() - DAY, now() + 60 * DAY);
    let addr = serve(vec![der, pki.inter_der.clone()], key).await;
    let served = handshake(&target("b.other.test", addr, &pki.ca_pem))
        .await
        .unwrap();
    assert!(!served.leaf().covers("b.other.test"));
    assert_eq!(served.sni, "b.other.test");
}

#[tokio::test]
async fn self_signed_is_invalid() {
    let pki = pki();
    let c = rcgen::generate_simple_self_signed(vec!["a.home.test".to_string()]).unwrap();
    let key = PrivateKeyDer::Pkcs8(c.signing_key.serialize_der().into());
    let addr = serve(vec![c.cert.der().clone()], key).await;
    let served = handshake(&target("a.home.test", addr, &pki.ca_pem))
        .await
        .unwrap();
    assert!(served.leaf().self_signed);
    assert_eq!(
        served.chain_verdict,
        ChainVerdict::Invalid("self-signed".into())
    );
}

#[tokio::test]
async fn incomplete_chain_is_invalid() {
    let pki = pki();
    let (der, key) = leaf(&pki, &["a.home.test"], now() - DAY, now() + 60 * DAY);
    let addr = serve(vec![der], key).await;
    let served = handshake(&target("a.home.test", addr, &pki.ca_pem))
        .await
        .unwrap();
    assert_eq!(served.chain.len(), 1);
    match &served.chain_verdict {
        ChainVerdict::Invalid(why) => assert!(why.contains("intermediate"), "{why}"),
        v => panic!("{v:?}"),
    }
}

#[tokio::test]
async fn plain_http_on_the_tls_port() {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        while let Ok((mut tcp, _)) = listener.accept().await {
            let mut buf = [0u8; 1024];
            let _ = tcp.read(&mut buf).await;
            let _ = tcp
                .write_all(b"HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n")
                .await;
        }
    });
    let err = handshake(&target("a.home.test", addr, ""))
        .await
        .unwrap_err();
    assert_eq!(
        err,
        TlsError::PlainHttp {
            address: addr.to_string()
        }
    );
}

#[tokio::test]
async fn silent_server_times_out() {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        let mut held = Vec::new();
        while let Ok((tcp, _)) = listener.accept().await {
            held.push(tcp);
        }
    });
    let mut t = target("a.home.test", addr, "");
    t.timeout = Duration::from_millis(300);
    let started = std::time::Instant::now();
    let err = handshake(&t).await.unwrap_err();
    assert!(matches!(err, TlsError::Timeout { ms: 300, .. }), "{err:?}");
    assert!(started.elapsed() < Duration::from_secs(3));
}

#[tokio::test]
async fn refused_and_unresolvable() {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    drop(listener);
    let err = handshake(&target("a.home.test", addr, ""))
        .await
        .unwrap_err();
    assert!(matches!(err, TlsError::Connect { .. }), "{err:?}");
    let mut t = target("nowhere.invalid", addr, "");
    t.address = None;
    let err = handshake(&t).await.unwrap_err();
    assert!(
        matches!(err, TlsError::Resolve { .. } | TlsError::Timeout { .. }),
        "{err:?}"
    );
}
