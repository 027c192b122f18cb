//! The Jellyfin administrator Secret is found by evidence, like the other credentials. On
//! `fresh,other-names` it is `arr/jellyfin-admin` (Jellyfin's namespace; nothing in the config
//! default's `media`); renamed and referenced by Jellyfin's own container it is found through
//! that reference; gone, the console says where it looked; set in the config, the config wins.

use k8s_nas::collect::credentials::Credentials;
use k8s_nas::config::Config;
use k8s_nas::engine::facts::ClusterFacts;
use k8s_nas::sim::{nas::SimNas, scenario::Scenario};
use serde_json::{json, Value};

/// The credentials a headless command reads, with `edit` applied to the default config.
async fn creds(kc: &std::path::Path, edit: impl Fn(&mut Config)) -> Credentials {
    let mut cfg = Config {
        kubeconfig: Some(kc.to_path_buf()),
        ..Config::default()
    };
    edit(&mut cfg);
    let facts = ClusterFacts::connect(&cfg).await.unwrap();
    facts.credentials(&cfg)
}

/// The administrator's user name and whether the password is the Secret's.
fn admin_of(c: &Credentials, secret: &Value) -> Option<(String, bool)> {
    use base64::Engine;
    let want = base64::engine::general_purpose::STANDARD
        .decode(secret["data"]["password"].as_str()?)
        .ok()?;
    let (user, pass) = c.jellyfin_admin.as_ref()?;
    Some((user.clone(), pass.expose().as_bytes() == want.as_slice()))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_jellyfin_administrator_is_found_where_the_cluster_keeps_it() {
    let nas = SimNas::start(Scenario::parse("fresh,other-names").unwrap(), None)
        .await
        .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let kc = dir.path().join("kubeconfig.yaml");
    nas.kube.write_kubeconfig(&kc).unwrap();
    assert!(nas
        .kube
        .get("v1", "Secret", Some("media"), "jellyfin-admin")
        .is_none());
    let admin = nas
        .kube
        .get("v1", "Secret", Some("arr"), "jellyfin-admin")
        .expect("the admin Secret in Jellyfin's namespace");
    let user = nas.world.sim_configs();
    let user = user
        .iter()
        .find(|(b, _)| b.kind == k8s_nas::model::AppKind::Jellyfin)
        .map(|(_, c)| c.username.clone())
        .unwrap();

    // The usual name in Jellyfin's namespace.
    let c = creds(&kc, |_| {}).await;
    assert_eq!(admin_of(&c, &admin), Some((user.clone(), true)));
    assert_eq!(c.jellyfin_admin_unknown, None);

    // Another name, referenced by Jellyfin's own container.
    let mut renamed = admin.clone();
    renamed["metadata"] = json!({"name": "jf-login", "namespace": "arr"});
    nas.kube.apply(renamed).unwrap();
    nas.kube
        .delete("v1", "Secret", Some("arr"), "jellyfin-admin")
        .unwrap();
    let mut d = nas
        .kube
        .get("apps/v1", "Deployment", Some("arr"), "jellyfin")
        .unwrap();
    let app = &mut d["spec"]["template"]["spec"]["containers"][0];
    let mut env = app["env"].as_array().cloned().unwrap_or_default();
    env.push(json!({"name": "JELLYFIN_ADMIN_PASSWORD",
        "valueFrom": {"secretKeyRef": {"name": "jf-login", "key": "password"}}}));
    app["env"] = Value::Array(env);
    nas.kube.apply(d).unwrap();
    let c = creds(&kc, |_| {}).await;
    assert_eq!(admin_of(&c, &admin), Some((user.clone(), true)));

    // Gone: unknown, saying where the console looked.
    nas.kube
        .delete("v1", "Secret", Some("arr"), "jf-login")
        .unwrap();
    let c = creds(&kc, |_| {}).await;
    assert!(c.jellyfin_admin.is_none());
    let why = c.jellyfin_admin_unknown.unwrap_or_default();
    assert!(
        why.contains("no Secret arr/jf-login (404 Not Found)")
            && why.contains("env JELLYFIN_ADMIN_PASSWORD of deployment arr/jellyfin"),
        "{why}"
    );

    // The config's setting wins over the evidence.
    let c = creds(&kc, |cfg| {
        cfg.jellyfin_admin_secret = "arr/elsewhere".into()
    })
    .await;
    let why = c.jellyfin_admin_unknown.unwrap_or_default();
    assert!(
        why.contains("no Secret arr/elsewhere") && why.contains("set in the config"),
        "{why}"
    );
}
