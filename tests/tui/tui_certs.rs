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
                ingresses: vec!["media/gone".into()],
                secret: None,
                served: None,
                error: Some("no TLS handshake with 127.0.0.1:8443 within 5000 ms".into()),
                http: None,
            },
        ],
        ingresses_without_tls: vec![],
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

fn tasks(fx: &[k8s_nas::tui::Effect]) -> Vec<k8s_nas::tui::TaskRequest> {
    fx.iter()
        .filter_map(|e| match e {
            k8s_nas::tui::Effect::RunTask { request, .. } => Some(request.clone()),
            _ => None,
        })
        .collect()
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
