//! Property tests of every parser of outside data (issue 13, "Fuzzing"): key files (config.xml,
//! sabnzbd.ini, config.yaml, settings.json), the config and integration files, kubeconfigs,
//! app JSON, PEM/DER, log lines. Inputs are valid samples mutated by a seeded generator (byte
//! flips, cuts, splices of hostile fragments: entities, CDATA, comments, escapes, deep nesting,
//! huge numbers) plus random text; a fixed number of iterations runs in `cargo test`. Each
//! parser must return (no panic), and what it returns is bounded by its input.

use k8s_nas::keys::parse_key;
use k8s_nas::model::AppKind;
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

const ITERATIONS: usize = 3_000;
const KEY: &str = "0123456789abcdef0123456789abcdef";

const FRAGMENTS: &[&str] = &[
    "<",
    ">",
    "</",
    "/>",
    "&",
    "&amp;",
    "&#0;",
    "&#x110000;",
    "&#99999999999;",
    "&bogus;",
    "<![CDATA[",
    "]]>",
    "<!--",
    "-->",
    "<!DOCTYPE x [<!ENTITY a \"aaaa\">]>",
    "&a;",
    "<?xml",
    "\u{0}",
    "\x1b[2J",
    "\u{feff}",
    "\u{10ffff}",
    "é",
    "\r\n",
    "\n",
    "[",
    "]",
    "[[",
    "]]",
    "=",
    "\"",
    "'",
    ":",
    "- ",
    "{",
    "}",
    "[1,",
    "99999999999999999999999999",
    "-0",
    "1e999",
    "null",
    "!!binary",
    "&anchor",
    "*anchor",
    "? ",
    "|",
    ">-",
    "\t",
    "#",
    ";",
    "api_key",
    "ApiKey",
    "apiKey",
    "auth:",
    "main",
    "[misc]",
];

const SAMPLES: &[(AppKind, &str)] = &[
    (
        AppKind::Sonarr,
        "<Config>\n  <Port>8989</Port>\n  <ApiKey>0123456789abcdef0123456789abcdef</ApiKey>\n  <UrlBase>/sonarr</UrlBase>\n</Config>\n",
    ),
    (
        AppKind::Sabnzbd,
        "[misc]\nhost = 0.0.0.0\napi_key = 0123456789abcdef0123456789abcdef\nnzb_key = ffff\n[[servers]]\n[categories]\n[[tv]]\nname = tv\n",
    ),
    (
        AppKind::Bazarr,
        "general:\n  base_url: /bazarr\nauth:\n  apikey: 0123456789abcdef0123456789abcdef\n  type: null\n",
    ),
    (
        AppKind::Jellyseerr,
        "{\"clientId\":\"x\",\"main\":{\"apiKey\":\"0123456789abcdef0123456789abcdef\",\"applicationTitle\":\"J\"}}",
    ),
];

fn mutate(rng: &mut StdRng, sample: &str) -> String {
    let mut s: Vec<u8> = sample.as_bytes().to_vec();
    for _ in 0..rng.random_range(1..6) {
        let at = rng.random_range(0..=s.len());
        match rng.random_range(0..6) {
            0 if !s.is_empty() => {
                let i = rng.random_range(0..s.len());
                s[i] ^= 1 << rng.random_range(0..8);
            }
            1 => s.truncate(at),
            2 => {
                let f = FRAGMENTS[rng.random_range(0..FRAGMENTS.len())];
                s.splice(at..at, f.bytes());
            }
            3 => {
                // deep nesting
                let f = FRAGMENTS[rng.random_range(0..FRAGMENTS.len())].repeat(200);
                s.splice(at..at, f.bytes());
            }
            4 if at < s.len() => {
                let end = rng.random_range(at..=s.len());
                s.drain(at..end);
            }
            _ => {
                let n = rng.random_range(0..40);
                let junk: Vec<u8> = (0..n).map(|_| rng.random()).collect();
                s.splice(at..at, junk);
            }
        }
    }
    String::from_utf8_lossy(&s).into_owned()
}

#[test]
fn key_file_parsers_never_panic_and_return_at_most_their_input() {
    let mut rng = StdRng::seed_from_u64(13);
    for i in 0..ITERATIONS {
        let (kind, sample) = SAMPLES[i % SAMPLES.len()];
        let text = mutate(&mut rng, sample);
        for k in [
            kind,
            AppKind::Sonarr,
            AppKind::Sabnzbd,
            AppKind::Bazarr,
            AppKind::Jellyseerr,
        ] {
            if let Ok(key) = parse_key(k, &text) {
                assert!(key.expose().len() <= text.len(), "{k}: {text:?}");
            }
            if let Err(e) = parse_key(k, &text) {
                // an error never quotes the key (it may end up on a screen)
                assert!(!e.to_string().contains(KEY), "{k}: {e}");
            }
        }
    }
}

#[test]
fn config_integration_and_kubeconfig_parsers_never_panic() {
    let mut rng = StdRng::seed_from_u64(7);
    let config = "namespaces = [\"media\"]\ntimeout_ms = 5000\n[services.sonarr]\nurl = \"http://x:1\"\napi_key = \"k\"\n";
    let desired = include_str!("../../src/integrate/desired_default.toml");
    let kubeconfig = "apiVersion: v1\nkind: Config\nclusters:\n- name: c\n  cluster:\n    server: https://127.0.0.1:6443\ncontexts:\n- name: c\n  context:\n    cluster: c\n    user: u\ncurrent-context: c\nusers:\n- name: u\n  user:\n    token: abc\n";
    for _ in 0..ITERATIONS / 3 {
        let c = mutate(&mut rng, config);
        if let Ok(cfg) = toml::from_str::<k8s_nas::config::Config>(&c) {
            let _ = cfg.validate();
        }
        let d = mutate(&mut rng, desired);
        if let Err(e) = k8s_nas::integrate::desired::Desired::from_toml(&d) {
            assert!(!e.contains("qbittorrent-secrets\""), "{e}");
        }
        let k = mutate(&mut rng, kubeconfig);
        let _ = kube::config::Kubeconfig::from_yaml(&k);
    }
}

#[test]
fn app_json_pem_and_log_lines_never_panic() {
    let mut rng = StdRng::seed_from_u64(42);
    let health =
        r#"[{"source":"IndexerCheck","type":"warning","message":"m","wikiUrl":"https://wiki"}]"#;
    let status = r#"{"appName":"Sonarr","version":"4.0.0","urlBase":"/sonarr","isDocker":true}"#;
    let pem = "-----BEGIN CERTIFICATE-----\nMIIBszCCAVmgAwIBAgIUQ==\n-----END CERTIFICATE-----\n";
    for _ in 0..ITERATIONS / 3 {
        let h = mutate(&mut rng, health);
        let _ = serde_json::from_str::<Vec<k8s_nas::clients::servarr::HealthResource>>(&h);
        let s = mutate(&mut rng, status);
        let _ = serde_json::from_str::<k8s_nas::clients::servarr::SystemStatus>(&s);
        let p = mutate(&mut rng, pem);
        let _ = k8s_nas::clients::tls::parse_pem_bundle(p.as_bytes());
        let der: Vec<u8> = (0..rng.random_range(0..300))
            .map(|_| rng.random())
            .collect();
        let _ = k8s_nas::clients::tls::parse_der(&der, 0);
        let clean = k8s_nas::bounds::sanitize(&h);
        assert!(!clean.chars().any(char::is_control));
    }
}

#[tokio::test]
async fn log_lines_are_bounded_whatever_the_bytes() {
    use futures::StreamExt;
    let mut rng = StdRng::seed_from_u64(3);
    for _ in 0..50 {
        let n = rng.random_range(0..200_000);
        let bytes: Vec<u8> = (0..n)
            .map(|_| {
                if rng.random_ratio(1, 5000) {
                    b'\n'
                } else {
                    rng.random()
                }
            })
            .collect();
        let lines: Vec<String> =
            k8s_nas::cluster::logs::bounded_lines(futures::io::Cursor::new(bytes), 1024)
                .map(|l| l.unwrap())
                .collect()
                .await;
        for l in lines {
            assert!(l.len() <= 1024 * 3 + 40, "{}", l.len());
        }
    }
}
