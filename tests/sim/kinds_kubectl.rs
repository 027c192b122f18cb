//! The real `kubectl` against the simulated API server serving the target cluster's custom
//! resources (cert-manager, Argo CD) through their CRDs: aggregated discovery, `get crd`,
//! printer columns, `-o yaml`, merge/JSON patches, the status subresource, `get -w`, a CRD
//! created and deleted at run time, and the same cluster without the CRDs.

use k8s_nas::sim::world::{target_cluster, World, WorldOptions};
use std::process::Stdio;
use std::time::Duration;
use tokio::io::{AsyncBufReadExt, BufReader};

use crate::kubectl_common::{start_with, Ctx};

async fn start(world: World) -> Ctx {
    start_with(world.objects).await
}

fn rows(out: &str) -> Vec<Vec<String>> {
    out.lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| l.split_whitespace().map(String::from).collect())
        .collect()
}

async fn next_line(
    r: &mut tokio::io::Lines<BufReader<tokio::process::ChildStdout>>,
) -> Option<String> {
    tokio::time::timeout(Duration::from_secs(10), r.next_line())
        .await
        .ok()
        .and_then(|l| l.ok())
        .flatten()
}

fn world() -> World {
    target_cluster(&WorldOptions::default())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn crds_and_custom_resources_print_like_kubectl() {
    let ctx = start(world()).await;
    let out = ctx.ok(&["get", "crd"]).await;
    let r = rows(&out);
    assert_eq!(r[0], ["NAME", "CREATED", "AT"], "{out}");
    let names: Vec<&str> = r[1..].iter().map(|x| x[0].as_str()).collect();
    for want in [
        "applications.argoproj.io",
        "applicationsets.argoproj.io",
        "appprojects.argoproj.io",
        "certificaterequests.cert-manager.io",
        "certificates.cert-manager.io",
        "clusterissuers.cert-manager.io",
        "issuers.cert-manager.io",
    ] {
        assert!(names.contains(&want), "{want} in {out}");
    }
    assert!(r[1][1].ends_with('Z'), "created at is a timestamp: {out}");

    // The CRD's printer columns, short names and wide columns.
    let out = ctx.ok(&["get", "certificates", "-A"]).await;
    let r = rows(&out);
    assert_eq!(
        r[0],
        ["NAMESPACE", "NAME", "READY", "SECRET", "AGE"],
        "{out}"
    );
    let home = r
        .iter()
        .find(|x| x[1] == "home-brettswift-com-dns")
        .expect(&out);
    assert_eq!(
        &home[..4],
        [
            "kube-system",
            "home-brettswift-com-dns",
            "True",
            "home-brettswift-com-tls"
        ]
    );
    let wide = ctx
        .ok(&["get", "certs", "-n", "kube-system", "-o", "wide"])
        .await;
    assert!(
        wide.contains("letsencrypt-dns-home") && wide.contains("Certificate is up to date"),
        "{wide}"
    );
    let out = ctx.ok(&["get", "clusterissuers"]).await;
    assert_eq!(
        &rows(&out)[1][..2],
        ["letsencrypt-dns-home", "True"],
        "{out}"
    );
    let out = ctx.ok(&["get", "appsets,appproj", "-n", "argocd"]).await;
    assert!(
        out.contains("applicationset.argoproj.io/homeautomation"),
        "{out}"
    );
    assert!(
        out.contains("appproject.argoproj.io/infrastructure"),
        "{out}"
    );
    let out = ctx
        .ok(&[
            "api-resources",
            "--api-group=cert-manager.io",
            "--no-headers",
        ])
        .await;
    assert_eq!(out.lines().count(), 4, "{out}");
    assert!(out.contains("cert,certs"), "{out}");

    // -o yaml gives the objects.
    let out = ctx
        .ok(&["get", "applications", "-n", "argocd", "-o", "yaml"])
        .await;
    let list: serde_json::Value = serde_yaml_ng::from_str(&out).unwrap();
    let items = list["items"].as_array().unwrap();
    assert_eq!(items.len(), 8);
    let media = items
        .iter()
        .find(|a| a["metadata"]["name"] == "media-services")
        .unwrap();
    assert_eq!(media["kind"], "Application");
    assert_eq!(media["status"]["sync"]["status"], "Synced");
    assert_eq!(media["spec"]["destination"]["namespace"], "media");
    let out = ctx.ok(&["get", "applications", "-n", "argocd"]).await;
    assert_eq!(
        rows(&out)[0],
        ["NAME", "SYNC", "STATUS", "HEALTH", "STATUS"],
        "{out}"
    );
    ctx.sim.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn patches_status_and_watch_on_custom_resources() {
    let ctx = start(world()).await;
    // An Argo CD sync is a merge patch of `operation` (ops-facts §2.2).
    let out = ctx
        .ok(&[
            "patch",
            "app",
            "media-services",
            "-n",
            "argocd",
            "--type",
            "merge",
            "-p",
            r#"{"operation":{"initiatedBy":{"username":"console"},"sync":{"syncStrategy":{"hook":{}}}}}"#,
        ])
        .await;
    assert_eq!(out.trim(), "application.argoproj.io/media-services patched");
    let app = ctx
        .sim
        .get(
            "argoproj.io/v1alpha1",
            "Application",
            Some("argocd"),
            "media-services",
        )
        .unwrap();
    // The simulated Argo CD controller carries the operation out at once: it is recorded in
    // `status.operationState.operation` (and `operation` is removed), as Argo CD does.
    assert_eq!(
        app["status"]["operationState"]["operation"]["initiatedBy"]["username"],
        "console"
    );
    assert_eq!(app["status"]["operationState"]["phase"], "Succeeded");
    // Strategic merge is refused for custom resources, as by the real server.
    let (ok, _, err) = ctx
        .run(&[
            "patch",
            "app",
            "jellyfin",
            "-n",
            "argocd",
            "-p",
            r#"{"metadata":{"labels":{"a":"b"}}}"#,
        ])
        .await;
    assert!(!ok && err.contains("strategic-merge-patch"), "{err}");
    // JSON patch.
    ctx.ok(&[
        "patch",
        "app",
        "jellyfin",
        "-n",
        "argocd",
        "--type",
        "json",
        "-p",
        r#"[{"op":"replace","path":"/spec/project","value":"nas"}]"#,
    ])
    .await;
    let out = ctx
        .ok(&[
            "get",
            "app",
            "jellyfin",
            "-n",
            "argocd",
            "-o",
            "jsonpath={.spec.project}",
        ])
        .await;
    assert_eq!(out, "nas");

    // `get -w` follows a status change made through the status subresource.
    let mut child = ctx
        .cmd(&["get", "certificates", "-n", "kube-system", "-w"])
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    assert!(next_line(&mut lines).await.unwrap().starts_with("NAME"));
    next_line(&mut lines).await.unwrap();
    next_line(&mut lines).await.unwrap();
    let out = ctx
        .ok(&[
            "patch",
            "cert",
            "brettswift-com-dns",
            "-n",
            "kube-system",
            "--subresource=status",
            "--type",
            "merge",
            "-p",
            r#"{"status":{"conditions":[{"type":"Ready","status":"False","message":"renewing"}]},"spec":{"secretName":"ignored"}}"#,
        ])
        .await;
    assert!(out.contains("patched"), "{out}");
    let line = next_line(&mut lines).await.unwrap();
    let cells: Vec<&str> = line.split_whitespace().collect();
    assert_eq!(
        &cells[..3],
        ["brettswift-com-dns", "False", "brettswift-com-tls"],
        "{line}"
    );
    child.kill().await.unwrap();
    ctx.sim.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn crds_come_and_go_at_run_time() {
    let mut w = world();
    w.without_custom_resources();
    let ctx = start(w).await;
    let (ok, _, err) = ctx.run(&["get", "certificates", "-A"]).await;
    assert!(
        !ok && err.contains("the server doesn't have a resource type"),
        "{err}"
    );
    let out = ctx.ok(&["get", "crd"]).await;
    assert!(
        out.trim().is_empty() || out.contains("No resources"),
        "{out}"
    );

    let file = ctx.dir.path().join("widget-crd.yaml");
    std::fs::write(
        &file,
        "apiVersion: apiextensions.k8s.io/v1\nkind: CustomResourceDefinition\nmetadata:\n  name: widgets.example.io\nspec:\n  group: example.io\n  scope: Namespaced\n  names: {plural: widgets, singular: widget, kind: Widget, shortNames: [wd]}\n  versions:\n  - name: v1\n    served: true\n    storage: true\n    schema: {openAPIV3Schema: {type: object, x-kubernetes-preserve-unknown-fields: true}}\n",
    )
    .unwrap();
    let out = ctx.ok(&["apply", "-f", file.to_str().unwrap()]).await;
    assert!(out.contains("widgets.example.io created"), "{out}");
    let out = ctx
        .ok(&[
            "get",
            "crd",
            "widgets.example.io",
            "-o",
            r#"jsonpath={.status.conditions[?(@.type=="Established")].status}"#,
        ])
        .await;
    assert_eq!(out, "True");
    let widget = ctx.dir.path().join("widget.yaml");
    std::fs::write(
        &widget,
        "apiVersion: example.io/v1\nkind: Widget\nmetadata: {name: w1, namespace: media}\nspec: {size: 3}\n",
    )
    .unwrap();
    let out = ctx.ok(&["create", "-f", widget.to_str().unwrap()]).await;
    assert_eq!(out.trim(), "widget.example.io/w1 created");
    // No printer columns: NAME and AGE.
    let out = ctx.ok(&["get", "wd", "-n", "media"]).await;
    assert_eq!(rows(&out)[0], ["NAME", "AGE"], "{out}");
    assert_eq!(rows(&out)[1][0], "w1");

    // Deleting the CRD deletes its objects and takes the group out of discovery.
    ctx.ok(&["delete", "crd", "widgets.example.io"]).await;
    let out = ctx
        .ok(&["api-resources", "--api-group=example.io", "--no-headers"])
        .await;
    assert!(out.trim().is_empty(), "{out}");
    ctx.ok(&["apply", "-f", file.to_str().unwrap()]).await;
    let (ok, out, err) = ctx.run(&["get", "wd", "-n", "media"]).await;
    assert!(
        ok && out.trim().is_empty() && err.contains("No resources found"),
        "{out}{err}"
    );
    ctx.sim.shutdown().await;
}
