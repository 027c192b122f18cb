//! Backup and restore end to end against the simulated NAS through the real binary: the
//! simulated node's config directories (reached through `backup.node_root`) are found by
//! discovery and backed up while the apps write to their databases; Sonarr's config is then
//! damaged, and `restore sonarr` scales it to 0, swaps the config, scales it back and passes
//! the post-checks (the status API answers with the key from the restored config) — the
//! restore time is printed (goal ≤ 10 s).

use crate::common::{k8s_nas, kubeconfig, write_config};
use k8s_nas::model::AppKind;
use k8s_nas::sim::{nas::SimNas, scenario::Scenario};
use serde_json::Value;

async fn run(dir: &std::path::Path, nas: &SimNas, args: &[&str]) -> (Option<i32>, Value, String) {
    let kc = kubeconfig(nas, dir);
    let out = k8s_nas(dir)
        .args(args)
        .arg("--kubeconfig")
        .arg(&kc)
        .args(["--output", "json"])
        .output()
        .await
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    let json = serde_json::from_str(&text).unwrap_or(Value::Null);
    (
        out.status.code(),
        json,
        format!("{text}\n{}", String::from_utf8_lossy(&out.stderr)),
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn backup_all_then_restore_a_corrupted_sonarr_in_the_simulator() {
    let nas = SimNas::start(Scenario::Healthy, None).await.unwrap();
    let t = tempfile::tempdir().unwrap();
    let node = t.path().join("node");
    let tree = nas.node_tree(&node, false, &|_| {}).unwrap();
    let sonarr_dir = tree.dir(AppKind::Sonarr).unwrap().to_path_buf();
    assert!(
        sonarr_dir.ends_with("mnt/data/configs/sonarr"),
        "{}",
        sonarr_dir.display()
    );
    write_config(
        t.path(),
        &format!(
            "[backup]\nnode_root = \"{}\"\nroot = \"{}\"\n",
            node.display(),
            t.path().join("backups").display()
        ),
    );
    // Let the apps write for a moment.
    tokio::time::sleep(std::time::Duration::from_millis(600)).await;

    let (code, v, text) = run(t.path(), &nas, &["backup", "run"]).await;
    assert_eq!(code, Some(0), "{text}");
    let results = v["results"].as_array().unwrap();
    let sonarr = results
        .iter()
        .find(|r| r["service"] == "sonarr")
        .expect("sonarr backed up");
    assert_eq!(sonarr["verified"], true, "{text}");
    assert!(results.len() >= 2, "{text}");

    // The backup's database holds what the running app had written (captured while it wrote).
    let archive = sonarr["archive"].as_str().unwrap().to_string();
    let out = t.path().join("plain");
    std::fs::create_dir(&out).unwrap();
    let st = std::process::Command::new("tar")
        .args(["--zstd", "-xf", &archive, "-C"])
        .arg(&out)
        .status()
        .unwrap();
    assert!(st.success());
    let c = rusqlite::Connection::open(out.join("sonarr.db")).unwrap();
    let writes: i64 = c
        .query_row("SELECT count(*) FROM History", [], |r| r.get(0))
        .unwrap();
    assert!(writes > 0, "the app's writes are in the backup");
    assert!(!out.join("logs").exists() && !out.join("MediaCover").exists());

    // Damage Sonarr's config on the node, as the `config-corrupted` scenario does.
    k8s_nas::sim::node::corrupt(&sonarr_dir, AppKind::Sonarr);
    let started = std::time::Instant::now();
    let (code, v, text) = run(t.path(), &nas, &["restore", "sonarr", "--yes"]).await;
    let took = started.elapsed();
    println!(
        "restore of sonarr in the simulator: {:.1} s (RTO reported {:.1} s)",
        took.as_secs_f64(),
        v["report"]["totalSeconds"].as_f64().unwrap_or(-1.0)
    );
    assert_eq!(code, Some(0), "{text}");
    let report = &v["report"];
    assert_eq!(report["checksOk"], true, "{text}");
    let checks = report["checks"].to_string();
    assert!(
        checks.contains("status API answers with the restored key"),
        "{checks}"
    );
    assert!(checks.contains("download clients"), "{checks}");
    // The config is back; the damaged one is kept beside it.
    let xml = std::fs::read_to_string(sonarr_dir.join("config.xml")).unwrap();
    assert!(xml.contains("<ApiKey>"));
    let prev = std::path::PathBuf::from(report["previousDir"].as_str().unwrap());
    assert_eq!(
        std::fs::read_to_string(prev.join("config.xml")).unwrap(),
        "<Config>\n  <ApiKe"
    );
    // Sonarr runs again on the restored files: scaled back to 1.
    let d = nas
        .kube
        .get("apps/v1", "Deployment", Some("media"), "sonarr")
        .unwrap();
    assert_eq!(d["spec"]["replicas"], 1);
    drop(tree);
}
