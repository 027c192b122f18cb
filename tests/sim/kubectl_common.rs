//! The real `kubectl` (preinstalled at /usr/bin/kubectl) pointed at a simulated API server
//! through a kubeconfig in a temporary home: the helper every kubectl test of this binary uses.

use k8s_nas::sim::kube::KubeSim;
use std::process::Stdio;
use std::time::Duration;
use tokio::process::Command;

pub const KUBECTL: &str = "/usr/bin/kubectl";

pub struct Ctx {
    pub sim: KubeSim,
    /// The temporary `HOME` (kubectl's cache lives there); also a scratch directory.
    pub dir: tempfile::TempDir,
    pub kubeconfig: std::path::PathBuf,
}

/// A simulator serving `objects`, and a kubeconfig for it.
pub async fn start_with(objects: Vec<serde_json::Value>) -> Ctx {
    assert!(
        std::path::Path::new(KUBECTL).exists(),
        "kubectl is required at {KUBECTL} (preinstalled on these machines)"
    );
    let sim = KubeSim::start(objects, None).await.expect("sim starts");
    let dir = tempfile::tempdir().unwrap();
    let kubeconfig = dir.path().join("kubeconfig");
    sim.write_kubeconfig(&kubeconfig).unwrap();
    Ctx {
        sim,
        dir,
        kubeconfig,
    }
}

impl Ctx {
    pub fn cmd(&self, args: &[&str]) -> Command {
        let mut c = Command::new(KUBECTL);
        c.arg("--kubeconfig")
            .arg(&self.kubeconfig)
            .args(args)
            .env("HOME", self.dir.path())
            .env_remove("KUBECONFIG")
            .stdin(Stdio::null())
            .kill_on_drop(true);
        c
    }

    /// Run kubectl to completion: (success, stdout, stderr).
    pub async fn run(&self, args: &[&str]) -> (bool, String, String) {
        let out = tokio::time::timeout(Duration::from_secs(60), self.cmd(args).output())
            .await
            .unwrap_or_else(|_| panic!("kubectl {args:?} timed out"))
            .expect("kubectl runs");
        (
            out.status.success(),
            String::from_utf8_lossy(&out.stdout).to_string(),
            String::from_utf8_lossy(&out.stderr).to_string(),
        )
    }

    /// Run kubectl and insist that it succeeds; its stdout.
    pub async fn ok(&self, args: &[&str]) -> String {
        let (ok, out, err) = self.run(args).await;
        assert!(ok, "kubectl {args:?} failed:\n{err}\n{out}");
        out
    }
}
