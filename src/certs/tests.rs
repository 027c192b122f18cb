use super::*;
use crate::checks::certs::evaluate;
use k8s_openapi::api::core::v1::Secret;
use k8s_openapi::api::networking::v1::Ingress;
use k8s_openapi::ByteString;
use kube::api::DynamicObject;
use serde_json::json;
use std::sync::Arc;
use std::time::Duration;

const DAY: i64 = 86_400;

fn now() -> Timestamp {
    "2026-12-01T12:00:00Z".parse().unwrap()
}

/// A PEM certificate for `names` valid `from..until` seconds around `now()`.
fn pem(names: &[&str], from: i64, until: i64) -> String {
    let key = rcgen::KeyPair::generate().unwrap();
    let mut p =
        rcgen::CertificateParams::new(names.iter().map(|s| s.to_string()).collect::<Vec<_>>())
            .unwrap();
    let epoch = rcgen::date_time_ymd(1970, 1, 1);
    let n = now().as_second();
    p.not_before = epoch + Duration::from_secs((n + from).unsigned_abs());
    p.not_after = epoch + Duration::from_secs((n + until).unsigned_abs());
    p.self_signed(&key).unwrap().pem()
}

fn secret(ns: &str, name: &str, cert: Option<&str>, crt: Option<&[u8]>) -> Arc<Secret> {
    let mut v = json!({"metadata": {"name": name, "namespace": ns}, "type": "kubernetes.io/tls"});
    if let Some(c) = cert {
        v["metadata"]["annotations"] = json!({ CERTIFICATE_NAME: c });
    }
    let mut s: Secret = serde_json::from_value(v).unwrap();
    if let Some(crt) = crt {
        s.data = Some([("tls.crt".to_string(), ByteString(crt.to_vec()))].into());
    }
    Arc::new(s)
}

fn ingress(ns: &str, name: &str, host: &str, tls: Option<&str>) -> Arc<Ingress> {
    let mut v = json!({"metadata": {"name": name, "namespace": ns},
        "spec": {"rules": [{"host": host}]}});
    if let Some(t) = tls {
        v["spec"]["tls"] = json!([{"hosts": [host], "secretName": t}]);
    }
    Arc::new(serde_json::from_value(v).unwrap())
}

fn certificate(ns: &str, name: &str, secret: &str, ready: &str) -> Arc<DynamicObject> {
    Arc::new(
        serde_json::from_value(json!({
            "apiVersion": "cert-manager.io/v1", "kind": "Certificate",
            "metadata": {"name": name, "namespace": ns},
            "spec": {"secretName": secret, "dnsNames": ["home.test", "*.home.test"],
                "issuerRef": {"kind": "ClusterIssuer", "name": "le"}},
            "status": {"conditions": [{"type": "Ready", "status": ready, "reason": "Failed",
                "message": "ACME order failed"}],
                "notAfter": "2026-12-21T12:00:00Z", "revision": 3, "failedIssuanceAttempts": 2},
        }))
        .unwrap(),
    )
}

fn world(source: &str, copy: &str, ready: &str) -> Listing {
    let mut l = Listing {
        tls_secrets: vec![
            secret(
                "kube-system",
                "home-tls",
                Some("home"),
                Some(source.as_bytes()),
            ),
            secret("media", "home-tls", Some("home"), Some(copy.as_bytes())),
            secret("media", "broken-tls", None, Some(b"not a certificate")),
            secret("media", "empty-tls", None, None),
        ],
        ..Listing::default()
    };
    l.objects.ingresses = vec![
        ingress("media", "sonarr", "tv.home.test", Some("home-tls")),
        ingress("media", "plain", "plain.home.test", None),
    ];
    l.custom.insert(
        CERTIFICATES_KIND,
        vec![certificate("kube-system", "home", "home-tls", ready)],
    );
    l
}

fn codes(facts: &CertFacts) -> Vec<(String, String)> {
    let mut v: Vec<_> = evaluate(facts, now())
        .into_iter()
        .map(|f| (f.code, f.subject))
        .collect();
    v.sort();
    v
}

#[test]
fn a_copy_older_than_its_source_is_stale_and_both_expiries_count() {
    let source = pem(&["home.test", "*.home.test"], -10 * DAY, 20 * DAY);
    let copy = pem(&["home.test", "*.home.test"], -80 * DAY, 5 * DAY);
    let facts = from_listing(&world(&source, &copy, "True"));
    let copy_row = facts
        .secrets
        .iter()
        .find(|s| s.id() == "media/home-tls")
        .unwrap();
    assert_eq!(copy_row.source.as_deref(), Some("kube-system/home-tls"));
    assert_eq!(copy_row.equals_source, Some(false));
    assert!(copy_row.stale);
    assert_eq!(copy_row.ingresses, vec!["media/sonarr"]);
    let src_row = facts
        .secrets
        .iter()
        .find(|s| s.id() == "kube-system/home-tls")
        .unwrap();
    assert_eq!(src_row.source, None);
    assert!(!src_row.stale);
    let c = &facts.certificates[0];
    assert_eq!(c.issuer, "ClusterIssuer/le");
    assert_eq!(c.revision, Some(3));
    assert_eq!(facts.ingresses_without_tls, vec!["media/plain"]);
    assert_eq!(
        codes(&facts),
        [
            ("cert.expires_critical", "Secret media/home-tls"),
            ("cert.expires_soon", "Secret kube-system/home-tls"),
            ("cert.ingress_no_tls", "Ingress media/plain"),
            ("cert.stale_copy", "Secret media/home-tls"),
            ("cert.unreadable", "Secret media/broken-tls"),
            ("cert.unreadable", "Secret media/empty-tls"),
        ]
        .map(|(a, b)| (a.to_string(), b.to_string()))
    );
}

#[test]
fn an_identical_copy_is_fine_and_a_failing_certificate_is_reported() {
    let source = pem(&["home.test", "*.home.test"], -10 * DAY, 80 * DAY);
    let facts = from_listing(&world(&source, &source, "False"));
    let copy_row = facts
        .secrets
        .iter()
        .find(|s| s.id() == "media/home-tls")
        .unwrap();
    assert_eq!(copy_row.equals_source, Some(true));
    assert!(!copy_row.stale);
    let findings = evaluate(&facts, now());
    let not_ready: Vec<_> = findings
        .iter()
        .filter(|f| f.code == "cert.not_ready")
        .collect();
    assert_eq!(not_ready.len(), 1);
    assert!(not_ready[0].message.contains("ACME order failed"));
    assert!(not_ready[0].message.contains("2 failed issuance attempts"));
    assert!(!findings.iter().any(|f| f.code.starts_with("cert.expire")));
    assert!(!findings.iter().any(|f| f.code == "cert.stale_copy"));
}

#[test]
fn copies_without_annotation_match_by_sans_and_issuer() {
    let source = pem(&["home.test", "*.home.test"], -10 * DAY, 80 * DAY);
    let old = pem(&["home.test", "*.home.test"], -70 * DAY, 20 * DAY);
    let mut l = world(&source, &source, "True");
    l.tls_secrets
        .push(secret("qbittorrent", "wild", None, Some(old.as_bytes())));
    let facts = from_listing(&l);
    let row = facts
        .secrets
        .iter()
        .find(|s| s.id() == "qbittorrent/wild")
        .unwrap();
    // rcgen's self-signed certificates carry the same empty issuer DN, so SANs+issuer match.
    assert_eq!(row.source.as_deref(), Some("kube-system/home-tls"));
    assert!(row.stale);
}

#[test]
fn unreadable_secrets_say_why() {
    let facts = from_listing(&world("x", "y", "True"));
    let by = |id: &str| {
        facts
            .secrets
            .iter()
            .find(|s| s.id() == id)
            .unwrap()
            .error
            .clone()
    };
    assert_eq!(
        by("media/broken-tls").as_deref(),
        Some("tls.crt: no PEM certificate found (not PEM)")
    );
    assert_eq!(by("media/empty-tls").as_deref(), Some("no tls.crt"));
}

#[test]
fn plain_http_without_redirect_is_a_finding_and_unknown_is_not() {
    use crate::certs::redirect::RedirectCheck;
    let served = |host: &str, status: Option<u16>, location: Option<&str>| ServedCert {
        host: host.into(),
        url: None,
        ingresses: vec![],
        secret: None,
        served: None,
        error: Some("no handshake".into()),
        http: Some(RedirectCheck {
            url: format!("http://{host}/"),
            status,
            location: location.map(str::to_string),
            error: status.is_none().then(|| "cannot connect".to_string()),
        }),
    };
    let facts = CertFacts {
        served: vec![
            served("plain.test", Some(200), None),
            served("wrong.test", Some(301), Some("http://wrong.test/x")),
            served("good.test", Some(308), Some("https://good.test/")),
            served("unknown.test", None, None),
        ],
        ..CertFacts::default()
    };
    let mut got: Vec<String> = evaluate(&facts, now())
        .into_iter()
        .filter(|f| f.code == "cert.no_https_redirect")
        .map(|f| f.subject)
        .collect();
    got.sort();
    assert_eq!(got, ["https://plain.test", "https://wrong.test"]);
}

#[test]
fn issuers_and_requests_rows_and_their_findings() {
    use super::issuers::{issuer, request};
    let le = issuer(
        "ClusterIssuer",
        &json!({"metadata": {"name": "le"}, "spec": {"acme": {}},
            "status": {"conditions": [{"type": "Ready", "status": "False",
                "reason": "ErrRegisterACMEAccount", "message": "account key missing"}]}}),
    );
    let ca = issuer(
        "Issuer",
        &json!({"metadata": {"name": "ca", "namespace": "media"}, "spec": {"ca": {}},
            "status": {"conditions": [{"type": "Ready", "status": "True", "reason": "KeyPairVerified"}]}}),
    );
    assert_eq!(le.issuer_type.as_deref(), Some("acme"));
    assert_eq!((le.id(), le.is_ready()), ("ClusterIssuer/le".into(), false));
    assert_eq!((ca.id(), ca.is_ready()), ("Issuer/media/ca".into(), true));
    let cr = |name: &str, conds: serde_json::Value, failure: Option<&str>| {
        let mut v = json!({"metadata": {"name": name, "namespace": "kube-system",
            "annotations": {CERTIFICATE_NAME: "home", "cert-manager.io/certificate-revision": "4"}},
            "spec": {"issuerRef": {"kind": "ClusterIssuer", "name": "le"}},
            "status": {"conditions": conds}});
        if let Some(f) = failure {
            v["status"]["failureTime"] = json!(f);
        }
        request(&v)
    };
    let t = |ty: &str, st: &str, reason: &str, msg: &str| json!({"type": ty, "status": st, "reason": reason, "message": msg});
    let ok = cr(
        "home-3",
        json!([
            t("Approved", "True", "cert-manager.io", ""),
            t("Ready", "True", "Issued", "")
        ]),
        None,
    );
    let pending = cr(
        "home-5",
        json!([t("Approved", "True", "cert-manager.io", "")]),
        None,
    );
    let denied = cr(
        "home-4",
        json!([t(
            "Denied",
            "True",
            "policy.cert-manager.io",
            "no policy allows it"
        )]),
        None,
    );
    let failed = cr(
        "home-6",
        json!([
            t("Approved", "True", "cert-manager.io", ""),
            t("Ready", "False", "Failed", "DNS-01 challenge failed")
        ]),
        Some("2026-12-01T11:00:00Z"),
    );
    assert_eq!(
        [ok.state(), pending.state(), denied.state(), failed.state()],
        ["ready", "approved", "denied", "failed"]
    );
    assert_eq!(failed.revision, Some(4));
    assert_eq!(failed.failure_reason(), "Failed: DNS-01 challenge failed");
    assert_eq!(
        denied.failure_reason(),
        "policy.cert-manager.io: no policy allows it"
    );
    let facts = CertFacts {
        issuers: vec![le, ca],
        requests: vec![ok, pending, denied, failed],
        ..CertFacts::default()
    };
    let got: Vec<(String, String)> = evaluate(&facts, now())
        .into_iter()
        .map(|f| (f.code, f.subject))
        .collect();
    assert_eq!(
        got,
        [
            ("cert.issuer_not_ready".into(), "ClusterIssuer/le".into()),
            (
                "cert.request_failed".into(),
                "CertificateRequest kube-system/home-4".into()
            ),
            (
                "cert.request_failed".into(),
                "CertificateRequest kube-system/home-6".into()
            ),
        ]
    );
    let msg = &evaluate(&facts, now())[0];
    assert!(
        msg.remediation
            .contains("kubectl describe clusterissuer le"),
        "{msg:?}"
    );
}
