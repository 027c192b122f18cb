//! Hostile inputs and faults through the real binary (issue 13): escape sequences from an app
//! reach no terminal, no key reaches the log file at any level, a frozen API server ends in exit
//! 2 within the deadline, three concurrent applies make one writer, closed pipes and full disks
//! end with 141 and 2.

use crate::common::{k8s_nas, start, write_config};
use k8s_nas::model::AppKind;
use k8s_nas::sim::{nas::SimNas, scenario::Scenario};
use std::path::{Path, PathBuf};
use std::process::{Output, Stdio};
use std::time::{Duration, Instant};

struct Env {
    dir: tempfile::TempDir,
}

impl Env {
    fn new() -> Env {
        Env {
            dir: tempfile::tempdir().unwrap(),
        }
    }
    fn cmd(&self, kc: &Path, args: &[&str]) -> tokio::process::Command {
        let mut c = k8s_nas(self.dir.path());
        c.arg("--kubeconfig")
            .arg(kc)
            .args(args)
            .env_remove("K8S_NAS_LOG")
            .stdin(Stdio::null());
        c
    }
    async fn run(&self, kc: &Path, args: &[&str]) -> Output {
        self.cmd(kc, args).output().await.unwrap()
    }
    fn log_file(&self) -> PathBuf {
        self.dir.path().join("state/k8s-nas/k8s-nas.log")
    }
    fn config(&self, text: &str) {
        write_config(self.dir.path(), text);
    }
}

const HOSTILE: &str = "\x1b]0;pwned\x07\x1b[2J\x1b[Hfake row ok\r\n\u{9b}31m";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn escape_sequences_from_an_app_reach_no_terminal_but_json_keeps_them() {
    let (nas, _d, kc) = start(Scenario::Healthy).await;
    nas.app(AppKind::Sonarr)
        .unwrap()
        .faults
        .update(|f| f.health_message = Some(HOSTILE.into()));
    let env = Env::new();
    let out = env.run(&kc, &["check"]).await;
    let table = String::from_utf8_lossy(&out.stdout);
    assert!(table.contains("fake row ok"), "{table}");
    for c in table.chars() {
        assert!(
            c == '\n' || !c.is_control(),
            "control character {c:?} in check's table:\n{table}"
        );
    }
    assert!(table.contains("\\e]0;pwned\\x07\\e[2J"), "{table}");

    let out = env.run(&kc, &["check", "--output", "json"]).await;
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert!(
        v.to_string().contains("\\u001b]0;pwned\\u0007"),
        "exact text kept in JSON"
    );
    let exact = serde_json::to_string(&v).unwrap();
    let back: serde_json::Value = serde_json::from_str(&exact).unwrap();
    assert!(back
        .to_string()
        .contains(&serde_json::to_string(HOSTILE).unwrap()[1..20]));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn no_key_reaches_the_log_file_at_any_level_and_the_file_is_private() {
    use std::os::unix::fs::PermissionsExt;
    let (nas, _d, kc) = start(Scenario::Miswired).await;
    let env = Env::new();
    for level in ["trace", "debug", "info"] {
        for args in [
            &["check"][..],
            &["keys", "--output", "json"],
            &["integrate", "plan"],
        ] {
            let out = env
                .cmd(&kc, args)
                .env("K8S_NAS_LOG", level)
                .output()
                .await
                .unwrap();
            assert!(out.status.code().is_some(), "{args:?}");
        }
    }
    let log = std::fs::read_to_string(env.log_file()).unwrap();
    assert!(
        log.len() > 1000,
        "trace level logged something: {}",
        log.len()
    );
    for (kind, key) in &nas.world.app_keys {
        assert!(!log.contains(key.as_str()), "{kind}'s key is in the log");
    }
    let mode = |p: &Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode(&env.log_file()), 0o600);
    assert_eq!(mode(env.log_file().parent().unwrap()), 0o700);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_server_that_never_answers_ends_in_exit_2_within_the_deadline() {
    // accepts, reads, never answers
    let l = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = l.local_addr().unwrap();
    tokio::spawn(async move {
        let mut held = Vec::new();
        while let Ok((s, _)) = l.accept().await {
            held.push(s);
        }
    });
    let env = Env::new();
    env.config("deadline_seconds = 3\n");
    let kc = env.dir.path().join("frozen.yaml");
    std::fs::write(
        &kc,
        format!(
            "apiVersion: v1\nkind: Config\nclusters:\n- name: f\n  cluster:\n    server: http://{addr}\n\
             contexts:\n- name: f\n  context:\n    cluster: f\n    user: u\ncurrent-context: f\n\
             users:\n- name: u\n  user:\n    token: t0k3n\n"
        ),
    )
    .unwrap();
    for args in [&["check"][..], &["keys"], &["integrate", "plan"]] {
        let started = Instant::now();
        let out = env.run(&kc, args).await;
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {err}");
        assert!(err.contains("did not finish within 3 s"), "{args:?}: {err}");
        assert!(
            started.elapsed() < Duration::from_secs(10),
            "{args:?} took {:?}",
            started.elapsed()
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_flags_and_write_errors_exit_2_closed_pipes_141() {
    let (_nas, _d, kc) = start(Scenario::Healthy).await;
    let env = Env::new();
    let out = env.run(&kc, &["--log-level", "bogus", "check"]).await;
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("not a level"));

    let full = std::fs::OpenOptions::new()
        .write(true)
        .open("/dev/full")
        .unwrap();
    // (tokio's `output()` would replace stdout with a pipe)
    let child = env
        .cmd(&kc, &["check"])
        .stdout(full)
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let out = child.wait_with_output().await.unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(err.contains("cannot write to stdout"), "{err}");

    for args in [&["integrate", "plan"][..], &["check"]] {
        let mut child = env
            .cmd(&kc, args)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        drop(child.stdout.take());
        let out = child.wait_with_output().await.unwrap();
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(!err.contains("panicked"), "{err}");
        assert_eq!(out.status.code(), Some(141), "{args:?}: {err}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn three_concurrent_applies_write_once_under_the_lease() {
    let (nas, _d, kc) = start(Scenario::Fresh).await;
    let env = Env::new();
    let runs: Vec<_> = (0..3)
        .map(|_| env.cmd(&kc, &["integrate", "apply", "--yes"]).output())
        .collect();
    let outs: Vec<Output> = futures::future::join_all(runs)
        .await
        .into_iter()
        .map(Result::unwrap)
        .collect();
    for o in &outs {
        let err = String::from_utf8_lossy(&o.stderr);
        assert!(!err.contains("panicked"), "{err}");
    }
    // one Radarr server in Jellyseerr, not three
    let seerr = nas.app(AppKind::Jellyseerr).unwrap();
    let key = &nas.world.app_keys[&AppKind::Jellyseerr];
    k8s_nas::init_tls();
    let servers: serde_json::Value = reqwest::Client::new()
        .get(format!("http://{}/api/v1/settings/radarr", seerr.addr))
        .header("X-Api-Key", key.as_str())
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(
        servers.as_array().map(Vec::len),
        Some(1),
        "{servers}\n{}",
        outs.iter()
            .map(|o| String::from_utf8_lossy(&o.stderr).to_string())
            .collect::<Vec<_>>()
            .join("\n---\n")
    );
    // the Lease is a real object: kubectl reads it
    let out = std::process::Command::new("kubectl")
        .arg("--kubeconfig")
        .arg(&kc)
        .args(["get", "lease", "-A"])
        .output();
    if let Ok(out) = out {
        let text = String::from_utf8_lossy(&out.stdout);
        assert!(
            text.contains("k8s-nas-writer"),
            "{text}{}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn nothing_checked_is_not_healthy_and_bad_config_is_refused_without_its_text() {
    let (_nas, _d, kc) = start(Scenario::Healthy).await;
    let env = Env::new();
    let out = env.run(&kc, &["check", "-n", "doesnotexist"]).await;
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(err.contains("nothing was checked"), "{err}");
    assert!(!String::from_utf8_lossy(&out.stdout).contains("healthy"));

    for (text, key) in [
        ("timeout_ms = 0\n", "timeout_ms"),
        (
            "refresh_seconds = 18446744073709551615\n",
            "refresh_seconds",
        ),
        ("[services.sonarr]\nurl = \"not a url\"\n", "url"),
    ] {
        env.config(text);
        let out = env.run(&kc, &["check"]).await;
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{text}: {err}");
        assert!(err.contains(key), "{text}: {err}");
    }
    env.config("[services.sonarr]\napi_key = 0123456789abcdef-s3cr3t\n");
    let out = env.run(&kc, &["check"]).await;
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(!err.contains("s3cr3t") && err.contains("line 2"), "{err}");

    let bad = env.dir.path().join("bad-kubeconfig.yaml");
    std::fs::write(&bad, "apiVersion: v1\nclusters: \"tok3n-s3cr3t\"\n").unwrap();
    let out = Env::new().run(&bad, &["check"]).await;
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(
        !err.contains("s3cr3t") && err.contains("kubeconfig"),
        "{err}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn demo_refuses_to_clobber_a_kubeconfig_and_writes_its_own_0600() {
    use std::os::unix::fs::PermissionsExt;
    let env = Env::new();
    let existing = env.dir.path().join("config-of-the-user");
    std::fs::write(&existing, "precious").unwrap();
    let out = env
        .cmd(
            Path::new("/nonexistent"),
            &["demo", "--serve", "--kubeconfig-out"],
        )
        .arg(&existing)
        .kill_on_drop(true)
        .output();
    let out = tokio::time::timeout(Duration::from_secs(30), out)
        .await
        .expect("demo refused at once")
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(err.contains("--force"), "{err}");
    assert_eq!(std::fs::read_to_string(&existing).unwrap(), "precious");

    let nas = SimNas::start(Scenario::Healthy, None).await.unwrap();
    let kc = env.dir.path().join("kc.yaml");
    nas.kube.write_kubeconfig(&kc).unwrap();
    assert_eq!(
        std::fs::metadata(&kc).unwrap().permissions().mode() & 0o777,
        0o600
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_refused_confirmation_is_exit_2_for_keys_sync_and_integrate_apply() {
    // issue 13, point 12: the same code for both writers, the reason on stderr
    let (_nas, _d, kc) = start(Scenario::Miswired).await;
    let env = Env::new();
    for args in [&["keys", "--sync"][..], &["integrate", "apply"]] {
        let out = env.run(&kc, args).await;
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {err}");
        assert!(err.contains("not a terminal"), "{args:?}: {err}");
    }
    // keys --output json: stdout is one JSON document, the hint is on stderr
    let out = env.run(&kc, &["keys", "--output", "json"]).await;
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("one JSON document");
    assert!(
        v["keys"].is_array() && v["keys"][0].get("secret_key").is_some(),
        "{v}"
    );
    assert!(String::from_utf8_lossy(&out.stderr).contains("keys --sync"));
}
