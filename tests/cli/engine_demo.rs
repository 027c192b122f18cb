//! Two `demo` runs side by side each write their own kubeconfig (under the data directory, named
//! by pid) and remove it when they end; neither touches the other's.

use crate::common::k8s_nas_blocking;
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// `demo --serve` in `home` (both runs share its config and data directories).
fn serve(home: &Path) -> (Child, PathBuf) {
    let mut child = k8s_nas_blocking(home)
        .args(["demo", "--serve"])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    // Keep reading stdout until the end (a closed pipe would end the demo early).
    let out = child.stdout.take().unwrap();
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(out).lines().map_while(Result::ok) {
            if let Some(p) = line.strip_prefix("kubeconfig: ") {
                let _ = tx.send(PathBuf::from(p));
            }
        }
    });
    let path = rx
        .recv_timeout(Duration::from_secs(30))
        .expect("demo --serve prints its kubeconfig path");
    (child, path)
}

fn stop(child: &mut Child) {
    let pid = child.id().to_string();
    assert!(Command::new("kill")
        .args(["-TERM", &pid])
        .status()
        .unwrap()
        .success());
    let deadline = Instant::now() + Duration::from_secs(20);
    while child.try_wait().unwrap().is_none() {
        assert!(Instant::now() < deadline, "demo --serve ignored SIGTERM");
        std::thread::sleep(Duration::from_millis(50));
    }
}

#[test]
fn each_demo_run_has_its_own_kubeconfig_removed_on_exit() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let (mut one, kc_one) = serve(dir.path());
    let (mut two, kc_two) = serve(dir.path());
    assert_ne!(kc_one, kc_two);
    for (child, kc) in [(&one, &kc_one), (&two, &kc_two)] {
        assert_eq!(
            kc,
            &data
                .join("demo")
                .join(format!("kubeconfig-{}.yaml", child.id()))
        );
        assert!(kc.exists(), "{} missing", kc.display());
    }
    let server = |kc: &PathBuf| {
        let text = std::fs::read_to_string(kc).unwrap();
        text.lines()
            .find(|l| l.trim_start().starts_with("server:"))
            .unwrap()
            .to_string()
    };
    assert_ne!(
        server(&kc_one),
        server(&kc_two),
        "two simulators, two files"
    );
    stop(&mut one);
    assert!(!kc_one.exists(), "the first run's kubeconfig is removed");
    assert!(kc_two.exists(), "the second run's kubeconfig is left alone");
    stop(&mut two);
    assert!(!kc_two.exists());
}
