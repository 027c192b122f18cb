//! The `:certs` pane: Certificates, TLS Secrets (a stale copy among them) and served
//! certificates, each row coloured and labelled by its worst `cert.*` finding; the inspect box
//! shows the fields of the row under the cursor and its findings with remediation.

use crate::tui_common;

use k8s_nas::bus::CertsView;
use k8s_nas::certs::{CertFacts, CmCertificate, Condition, SecretCert, ServedCert};
use k8s_nas::clients::tls::{CertInfo, ChainVerdict, Served};
use k8s_nas::tui::Msg;
use tui_common::*;

const DAY: i64 = 86_400;

fn cert(days_left: i64, serial: &str) -> CertInfo {
    let at = |d: i64| jiff::Timestamp::from_second(now().as_second() + d * DAY).unwrap();
    CertInfo {
        subject: "CN=home.example.test".into(),
        issuer: "CN=Simulated ACME Root".into(),
        sans: vec!["home.example.test".into(), "*.home.example.test".into()],
        not_before: at(days_left - 90),
        not_after: at(days_left),
        serial: serial.into(),
        sha256: format!("AA:{serial}"),
        self_signed: false,
        is_ca: false,
        pem: String::new(),
        der: Vec::new(),
    }
}

fn secret(ns: &str, chain: Vec<CertInfo>, source: Option<&str>, stale: bool) -> SecretCert {
    SecretCert {
        namespace: ns.into(),
        name: "home-tls".into(),
        certificate_name: Some("home".into()),
        ingresses: vec![format!("{ns}/sonarr")],
        chain,
        error: None,
        source: source.map(str::to_string),
        equals_source: source.map(|_| !stale),
        stale,
    }
}

pub(crate) fn view() -> CertsView {
    let fresh = cert(49, "4d:7a");
    let old = cert(3, "43:97");
    let facts = CertFacts {
        cert_manager: Some(true),
        certificates: vec![CmCertificate {
            namespace: "kube-system".into(),
            name: "home".into(),
            secret_name: "home-tls".into(),
            issuer: "ClusterIssuer/letsencrypt".into(),
            dns_names: fresh.sans.clone(),
            ready: Some(Condition {
                status: "True".into(),
                reason: "Ready".into(),
                message: "Certificate is up to date and has not expired".into(),
            }),
            issuing: None,
            not_after: Some(fresh.not_after),
            renewal_time: None,
            revision: Some(3),
            failed_issuance_attempts: None,
        }],
        secrets: vec![
            secret("kube-system", vec![fresh.clone()], None, false),
            secret(
                "media",
                vec![old.clone()],
                Some("kube-system/home-tls"),
                true,
            ),
        ],
        served: vec![
            ServedCert {
                host: "tv.home.example.test".into(),
                url: None,
                ingresses: vec!["media/sonarr".into()],
                secret: Some("media/home-tls".into()),
                served: Some(Served {
                    address: "127.0.0.1:8443".into(),
                    sni: "tv.home.example.test".into(),
                    chain: vec![old],
                    chain_verdict: ChainVerdict::Valid,
                    protocol: "TLSv1_3".into(),
                }),
                error: None,
                http: None,
            },
            ServedCert {
                host: "gone.example.test".into(),
                url: None,
                ingresses: vec!["media/gone".into()],
                secret: None,
                served: None,
                error: Some("no TLS handshake with 127.0.0.1:8443 within 5000 ms".into()),
                http: None,
            },
        ],
        ingresses_without_tls: vec![],
        issuers: vec![],
        requests: vec![],
    };
    let findings = k8s_nas::checks::certs::evaluate(&facts, now());
    CertsView {
        facts,
        findings,
        fetched_at: now(),
    }
}

#[test]
fn certs_pane_shows_every_kind_of_row_and_inspects_the_stale_copy() {
    let mut h = Harness::healthy();
    h.feed(Msg::Certs(Box::new(view())));
    h.press(":certs<enter>");
    // Certificate, Secret kube-system, Secret media (stale) …
    h.press("jj");
    let frame = h.frame();
    assert!(
        frame.contains("stale copy of kube-system/home-tls"),
        "{frame}"
    );
    assert!(frame.contains("Serial Number: 43:97"), "{frame}");
    insta::assert_snapshot!("certs_pane", frame);
}

#[test]
fn renew_and_resync_ask_first_and_start_their_tasks() {
    use k8s_nas::tui::TaskRequest;
    let mut h = Harness::healthy();
    h.feed(Msg::Certs(Box::new(view())));
    h.press(":certs<enter>");
    // The Certificate row: renew asks first; `n` cancels, `y` starts the task.
    assert!(tasks(&h.press("R")).is_empty());
    assert!(h.frame().contains("ManuallyTriggered"));
    assert!(tasks(&h.press("n")).is_empty());
    h.press("R");
    assert_eq!(
        tasks(&h.press("y")),
        [TaskRequest::RenewCertificate {
            namespace: "kube-system".into(),
            name: "home".into()
        }]
    );
    // The stale copy: re-sync from its source.
    h.press("jj");
    h.press("S");
    assert!(h
        .frame()
        .contains("Copy tls.crt and tls.key of kube-system/home-tls"));
    assert_eq!(
        tasks(&h.press("y")),
        [TaskRequest::ResyncSecret {
            namespace: "media".into(),
            name: "home-tls".into(),
            source_namespace: "kube-system".into(),
            source: "home-tls".into()
        }]
    );
    // Re-sync on a row that copies nothing says so and starts nothing.
    h.press("k");
    assert!(tasks(&h.press("S")).is_empty());
}

#[test]
fn readonly_has_no_renew_or_resync() {
    let mut h = Harness::new(true);
    h.load_healthy();
    h.feed(Msg::Certs(Box::new(view())));
    h.press(":certs<enter>");
    assert!(tasks(&h.press("R")).is_empty());
    assert!(!h.frame().contains("ManuallyTriggered"));
}

/// A fixed public test certificate (the PEM the inspect view prints verbatim).
const TEST_PEM: &str = "-----BEGIN CERTIFICATE-----\nMIIBjDCCATOgAwIBAgIUMvjgzwhFEbO9ND2bG7dna1nqn0EwCgYIKoZIzj0EAwIw\nHDEaMBgGA1UEAwwRaG9tZS5leGFtcGxlLnRlc3QwHhcNMjYxMjA1MjE1ODMxWhcN\nMzYxMjAyMjE1ODMxWjAcMRowGAYDVQQDDBFob21lLmV4YW1wbGUudGVzdDBZMBMG\nByqGSM49AgEGCCqGSM49AwEHA0IABE41BWByybfWxe3MByh2Dzl66M1x3Fru/qkL\nHMqExSTtZ/pzPnwKNLeSaurYBorfAVeCp6F+5Z7yqf8jKvDjzSijUzBRMB0GA1Ud\nDgQWBBR9kWZBiyBjgTxQ2m1czcxec40AXTAfBgNVHSMEGDAWgBR9kWZBiyBjgTxQ\n2m1czcxec40AXTAPBgNVHRMBAf8EBTADAQH/MAoGCCqGSM49BAMCA0cAMEQCICpL\naRfZJJCOoMkT9Ht6g3usnG/rB1egsYO+bsn0g1UyAiACA0KBJ4SCVmNKep1KwcPQ\nWVzOqVJWLiyerxgYZ0NgJw==\n-----END CERTIFICATE-----\n";

/// The view with cert-manager's Issuers and CertificateRequests, and PEMs on the chain.
fn view_with_issuers() -> CertsView {
    use k8s_nas::certs::issuers::{CmIssuer, CmRequest};
    let mut v = view();
    for s in &mut v.facts.secrets {
        for c in &mut s.chain {
            c.pem = TEST_PEM.into();
        }
    }
    let cond = |st: &str, reason: &str, msg: &str| Condition {
        status: st.into(),
        reason: reason.into(),
        message: msg.into(),
    };
    v.facts.issuers = vec![CmIssuer {
        kind: "ClusterIssuer".into(),
        namespace: String::new(),
        name: "letsencrypt".into(),
        issuer_type: Some("acme".into()),
        ready: Some(cond(
            "False",
            "ErrRegisterACMEAccount",
            "account key missing",
        )),
    }];
    let req = |name: &str, rev: i64, ready: Condition, failure: bool| CmRequest {
        namespace: "kube-system".into(),
        name: name.into(),
        issuer: "ClusterIssuer/letsencrypt".into(),
        certificate: Some("home".into()),
        revision: Some(rev),
        approved: Some(cond("True", "cert-manager.io", "approved")),
        denied: None,
        ready: Some(ready),
        failure_time: failure.then(now),
    };
    v.facts.requests = vec![
        req(
            "home-7",
            7,
            cond("True", "Issued", "Certificate fetched"),
            false,
        ),
        req(
            "home-8",
            8,
            cond("False", "Failed", "DNS-01 challenge failed"),
            true,
        ),
    ];
    v.findings = k8s_nas::checks::certs::evaluate(&v.facts, now());
    v
}

#[test]
fn issuer_and_request_rows_show_ready_and_failure() {
    for (w, h_, name) in [
        (160, 45, "certs_issuers_160x45"),
        (80, 24, "certs_issuers_80x24"),
    ] {
        let mut h = Harness::healthy();
        h.resize(w, h_);
        h.feed(Msg::Certs(Box::new(view_with_issuers())));
        h.press(":certs<enter>");
        // Certificate, ClusterIssuer, Request home-7, Request home-8 …
        h.press("j");
        let frame = h.frame();
        assert!(frame.contains("ClusterIssuer"), "{frame}");
        assert!(frame.contains("is not Ready"), "{frame}");
        assert!(frame.contains("account key missing"), "{frame}");
        h.press("jj");
        let frame = h.frame();
        assert!(frame.contains("kube-system/home-8"), "{frame}");
        assert!(frame.contains("State: failed"), "{frame}");
        assert!(frame.contains("DNS-01 challenge failed"), "{frame}");
        insta::assert_snapshot!(name, frame);
    }
}

#[test]
fn full_inspect_shows_the_pem_of_each_chain_certificate_and_no_key() {
    for (w, h_, name) in [
        (160, 45, "certs_inspect_160x45"),
        (80, 24, "certs_inspect_80x24"),
    ] {
        let mut h = Harness::healthy();
        h.resize(w, h_);
        h.feed(Msg::Certs(Box::new(view_with_issuers())));
        h.press(":certs<enter>");
        // The first Secret row (after Certificate, ClusterIssuer, two Requests).
        h.press("jjjj");
        h.press("i");
        let frame = h.frame();
        assert!(frame.contains("inspect Secret"), "{frame}");
        assert!(frame.contains("-----BEGIN CERTIFICATE-----"), "{frame}");
        assert!(!frame.contains("PRIVATE KEY"), "{frame}");
        insta::assert_snapshot!(name, frame);
        // Scrolls to the end of the PEM; `i` goes back to the table.
        h.press("G");
        assert!(h.frame().contains("-----END CERTIFICATE-----"));
        h.press("i");
        assert!(h.frame().contains("ISSUER / SOURCE"), "{}", h.frame());
    }
}

#[test]
fn without_cert_manager_served_and_secrets_stay_and_certificates_say_so() {
    let mut v = view();
    v.facts.cert_manager = Some(false);
    v.facts.certificates.clear();
    for (w, h_, name) in [
        (160, 45, "certs_no_cert_manager_160x45"),
        (80, 24, "certs_no_cert_manager_80x24"),
    ] {
        let mut h = Harness::healthy();
        h.resize(w, h_);
        h.feed(Msg::Certs(Box::new(v.clone())));
        // The command is not refused: the pane requires no CRD.
        h.press(":certs<enter>");
        let frame = h.frame();
        assert!(frame.contains("cert-manager not installed"), "{frame}");
        assert!(frame.contains("Served"), "{frame}");
        assert!(frame.contains("Secret"), "{frame}");
        insta::assert_snapshot!(name, frame);
    }
    let rows = k8s_nas::tui::panes::certs::rows(&v);
    assert_eq!(rows[0].kind, "Certificate");
    assert_eq!(rows[0].state, "cert-manager not installed");
    assert!(rows.iter().any(|r| r.kind == "Served"));
    assert_eq!(rows.iter().filter(|r| r.kind == "Secret").count(), 2);
}
