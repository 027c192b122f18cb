//! Issue 10: every certificate row's fields say what `openssl x509 -noout -text` says about the
//! same certificate — subject, issuer, SANs, not-after, serial — and the SHA-256 fingerprint
//! what `openssl x509 -noout -fingerprint -sha256` says. A generated chain (CA + leaf with DNS
//! and IP SANs) is parsed as a Secret's `tls.crt` and as a served chain; the pane's rows (inspect
//! lines, full inspect) are compared with openssl's output for each certificate.

use k8s_nas::bus::CertsView;
use k8s_nas::certs::{CertFacts, SecretCert, ServedCert};
use k8s_nas::clients::tls::{parse_pem_bundle, ChainVerdict, Served};
use rcgen::{BasicConstraints, CertificateParams, DnType, IsCa, Issuer, KeyPair, SanType};
use std::collections::BTreeMap;
use std::time::Duration;

/// A CA and a leaf it signs (leaf first), as PEM.
fn chain() -> (String, String) {
    let ca_key = KeyPair::generate().unwrap();
    let mut ca = CertificateParams::new(Vec::<String>::new()).unwrap();
    ca.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    ca.distinguished_name
        .push(DnType::CommonName, "Openssl Test Root");
    ca.distinguished_name
        .push(DnType::OrganizationName, "Home Lab");
    let ca_cert = ca.self_signed(&ca_key).unwrap();
    let issuer = Issuer::new(ca, ca_key);
    let key = KeyPair::generate().unwrap();
    let mut p = CertificateParams::new(vec![
        "nas.home.test".to_string(),
        "*.apps.home.test".to_string(),
    ])
    .unwrap();
    p.subject_alt_names
        .push(SanType::IpAddress("192.0.2.7".parse().unwrap()));
    p.distinguished_name
        .push(DnType::CommonName, "nas.home.test");
    p.distinguished_name
        .push(DnType::OrganizationName, "Home Lab");
    let epoch = rcgen::date_time_ymd(1970, 1, 1);
    let now = jiff::Timestamp::now().as_second();
    p.not_before = epoch + Duration::from_secs((now - 86_400) as u64);
    p.not_after = epoch + Duration::from_secs((now + 45 * 86_400 + 1234) as u64);
    let leaf = p.signed_by(&key, &issuer).unwrap();
    (leaf.pem(), ca_cert.pem())
}

/// What openssl says about one PEM certificate.
#[derive(Debug, PartialEq)]
struct Said {
    subject: String,
    issuer: String,
    sans: Vec<String>,
    not_after: jiff::Timestamp,
    serial: String,
    sha256: String,
}

fn openssl(pem: &str, args: &[&str]) -> String {
    let dir = tempfile::tempdir().unwrap();
    let f = dir.path().join("c.pem");
    std::fs::write(&f, pem).unwrap();
    let out = std::process::Command::new("openssl")
        .args(["x509", "-noout", "-in"])
        .arg(&f)
        .args(args)
        .output()
        .expect("openssl is installed");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

/// `CN = a, O = b` and `CN=a, O=b` alike.
fn dn(s: &str) -> String {
    s.replace(" = ", "=").trim().to_string()
}

fn openssl_says(pem: &str) -> Said {
    let text = openssl(pem, &["-text"]);
    let lines: Vec<&str> = text.lines().map(str::trim).collect();
    let after = |label: &str| {
        lines
            .iter()
            .position(|l| l.starts_with(label))
            .map(|i| (i, lines[i][label.len()..].trim().to_string()))
            .unwrap_or_else(|| panic!("no {label} in {text}"))
    };
    let (i, serial) = after("Serial Number:");
    let serial = if serial.is_empty() {
        lines[i + 1].to_string()
    } else {
        // short serials: `4660 (0x1234)`
        serial.to_string()
    };
    let not_after = after("Not After :").1;
    let not_after = jiff::fmt::strtime::parse("%b %e %H:%M:%S %Y GMT", not_after.trim())
        .unwrap()
        .to_datetime()
        .unwrap()
        .to_zoned(jiff::tz::TimeZone::UTC)
        .unwrap()
        .timestamp();
    let sans = lines
        .iter()
        .position(|l| l.starts_with("X509v3 Subject Alternative Name"))
        .map(|i| {
            lines[i + 1]
                .split(", ")
                .map(|s| {
                    s.trim_start_matches("DNS:")
                        .trim_start_matches("IP Address:")
                        .to_string()
                })
                .collect()
        })
        .unwrap_or_default();
    let fp = openssl(pem, &["-fingerprint", "-sha256"]);
    Said {
        subject: dn(&after("Subject:").1),
        issuer: dn(&after("Issuer:").1),
        sans,
        not_after,
        serial,
        sha256: fp.trim().split_once('=').unwrap().1.to_string(),
    }
}

/// What a row's lines say about the certificate whose fields start at `from`.
fn row_says(lines: &[String], from: usize) -> Said {
    let field = |label: &str| {
        lines[from..]
            .iter()
            .find_map(|l| l.strip_prefix(label))
            .unwrap_or_else(|| panic!("no {label} in {lines:#?}"))
            .trim()
            .to_string()
    };
    let not_after = field("Not After:");
    Said {
        subject: dn(&field("Subject:")),
        issuer: dn(&field("Issuer:")),
        sans: field("SANs:")
            .split(", ")
            .filter(|s| !s.is_empty())
            .map(str::to_string)
            .collect(),
        not_after: not_after.split(' ').next().unwrap().parse().unwrap(),
        serial: field("Serial Number:"),
        sha256: field("SHA-256 Fingerprint:"),
    }
}

#[test]
fn every_row_matches_openssl_for_the_same_certificate() {
    let (leaf_pem, ca_pem) = chain();
    let bundle = format!("{leaf_pem}{ca_pem}");
    let parsed = parse_pem_bundle(bundle.as_bytes()).unwrap();
    assert_eq!(parsed.len(), 2);
    let facts = CertFacts {
        secrets: vec![SecretCert {
            namespace: "media".into(),
            name: "nas-tls".into(),
            certificate_name: None,
            ingresses: vec!["media/nas".into()],
            chain: parsed.clone(),
            error: None,
            source: None,
            equals_source: None,
            stale: false,
        }],
        served: vec![ServedCert {
            host: "nas.home.test".into(),
            url: None,
            ingresses: vec!["media/nas".into()],
            secret: Some("media/nas-tls".into()),
            served: Some(Served {
                address: "127.0.0.1:443".into(),
                sni: "nas.home.test".into(),
                chain: parsed,
                chain_verdict: ChainVerdict::Valid,
                protocol: "TLSv1_3".into(),
            }),
            error: None,
            http: None,
        }],
        ..CertFacts::default()
    };
    let view = CertsView {
        findings: k8s_nas::checks::certs::evaluate(&facts, jiff::Timestamp::now()),
        facts,
        fetched_at: jiff::Timestamp::now(),
    };
    let want: BTreeMap<&str, Said> = [
        ("leaf", openssl_says(&leaf_pem)),
        ("ca", openssl_says(&ca_pem)),
    ]
    .into();
    // Sanity: the fixture is what the test means (SANs of both kinds, a real issuer).
    assert_eq!(
        want["leaf"].sans,
        ["nas.home.test", "*.apps.home.test", "192.0.2.7"]
    );
    assert_eq!(want["leaf"].issuer, want["ca"].subject);
    let rows = k8s_nas::tui::panes::certs::rows(&view);
    assert_eq!(rows.len(), 2);
    for r in &rows {
        // The inspect lines: the leaf.
        assert_eq!(
            row_says(&r.detail, 0),
            want["leaf"],
            "{} {}",
            r.kind,
            r.name
        );
        // The full inspect: the CA after "Certificate 1 of 2", and each PEM as openssl reads it.
        let ca_at = r
            .full
            .iter()
            .position(|l| l.starts_with("Certificate 1 of 2"))
            .unwrap();
        assert_eq!(
            row_says(&r.full, ca_at),
            want["ca"],
            "{} {}",
            r.kind,
            r.name
        );
        let pems: Vec<String> = r
            .full
            .join("\n")
            .split("-----BEGIN CERTIFICATE-----")
            .skip(1)
            .map(|b| {
                let body = b.split("-----END CERTIFICATE-----").next().unwrap();
                format!("-----BEGIN CERTIFICATE-----{body}-----END CERTIFICATE-----\n")
            })
            .collect();
        assert_eq!(pems.len(), 2);
        assert_eq!(openssl_says(&pems[0]), want["leaf"]);
        assert_eq!(openssl_says(&pems[1]), want["ca"]);
        assert!(!r.full.iter().any(|l| l.contains("PRIVATE KEY")));
    }
}
