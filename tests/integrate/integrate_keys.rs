//! API keys: node-path source over real files, drift against the Secret, and the safe sync patch.

use base64::Engine;
use k8s_nas::integrate::fixtures::target_inventory;
use k8s_nas::keys::*;
use k8s_nas::model::{AppKind, Secret, ServiceId};
use serde_json::{json, Value};
use std::collections::BTreeMap;

const SONARR: &str = "0123456789abcdef0123456789abcdef";
const RADARR: &str = "fedcba9876543210fedcba9876543210";
const PROWLARR: &str = "11112222333344445555666677778888";

fn write(root: &std::path::Path, node_dir: &str, rel: &str, text: &str) {
    let p = root.join(node_dir.trim_start_matches('/')).join(rel);
    std::fs::create_dir_all(p.parent().unwrap()).unwrap();
    std::fs::write(p, text).unwrap();
}

#[tokio::test]
async fn node_path_source_reads_each_apps_file() {
    let dir = tempfile::tempdir().unwrap();
    let inv = target_inventory();
    let root = dir.path();
    write(
        root,
        "/mnt/data/configs/sonarr",
        "config.xml",
        &format!("<Config><UrlBase>/sonarr</UrlBase><ApiKey>{SONARR}</ApiKey></Config>"),
    );
    let sab_dir = "/var/lib/rancher/k3s/storage/pvc-sabnzbd-config_media_sabnzbd-config";
    write(
        root,
        sab_dir,
        "sabnzbd.ini",
        "[misc]\nnzb_key = nnnn\napi_key = aaaabbbbccccddddeeeeffff00001111\n",
    );
    let bazarr_dir = "/var/lib/rancher/k3s/storage/pvc-bazarr-config_media_bazarr-config";
    write(
        root,
        bazarr_dir,
        "config/config.yaml",
        "auth:\n  apikey: 99998888777766665555444433332222\n",
    );
    let seerr_dir = "/var/lib/rancher/k3s/storage/pvc-jellyseerr-config_media_jellyseerr-config";
    write(
        root,
        seerr_dir,
        "settings.json",
        r#"{"main":{"apiKey":"MTcwMDAwMDAwMDAwMA=="}}"#,
    );

    let src = NodePathSource::with_root(root);
    let get = |kind| inv.first(kind).unwrap();

    let k = src.find_key(get(AppKind::Sonarr)).await.unwrap();
    assert_eq!(k.key.expose(), SONARR);
    assert!(k.origin.ends_with("mnt/data/configs/sonarr/config.xml"));
    assert!(!format!("{k:?}").contains(SONARR));

    let k = src.find_key(get(AppKind::Sabnzbd)).await.unwrap();
    assert_eq!(k.key.expose(), "aaaabbbbccccddddeeeeffff00001111");
    let k = src.find_key(get(AppKind::Bazarr)).await.unwrap();
    assert_eq!(k.key.expose(), "99998888777766665555444433332222");
    let k = src.find_key(get(AppKind::Jellyseerr)).await.unwrap();
    assert_eq!(k.key.expose(), "MTcwMDAwMDAwMDAwMA==");

    // Radarr's file is not there: a clear error naming the path.
    match src.find_key(get(AppKind::Radarr)).await {
        Err(KeyError::FileMissing { path }) => {
            assert!(path.ends_with("mnt/data/configs/radarr/config.xml"))
        }
        other => panic!("expected FileMissing, got {other:?}"),
    }
    // qBittorrent keeps no key file.
    assert!(matches!(
        src.find_key(get(AppKind::Qbittorrent)).await,
        Err(KeyError::NotSupported(AppKind::Qbittorrent))
    ));

    // Falling back to a user-supplied key.
    let mut supplied = SuppliedKeys::default();
    supplied
        .by_kind
        .insert(AppKind::Radarr, Secret::new(RADARR));
    let found = find_key_in(&[&src, &supplied], get(AppKind::Radarr))
        .await
        .unwrap();
    assert_eq!(found.key.expose(), RADARR);
    assert_eq!(found.origin, "user supplied");
    let errs = find_key_in(&[&src, &supplied], get(AppKind::Lidarr))
        .await
        .unwrap_err();
    assert_eq!(errs.len(), 2);

    // Every app with a key file is observed; errors carry the reason, keys feed the resolver.
    let observed = observe_keys(&[&src, &supplied], &inv).await;
    assert_eq!(observed.len(), 7);
    let lidarr = observed
        .iter()
        .find(|(o, _)| o.kind == AppKind::Lidarr)
        .unwrap();
    assert!(lidarr
        .0
        .key
        .as_ref()
        .unwrap_err()
        .contains("does not exist"));
    let obs: Vec<AppKeyObservation> = observed.into_iter().map(|(o, _)| o).collect();
    let known = k8s_nas::integrate::KnownSecrets::default().with_app_keys(&obs);
    assert_eq!(known.app_keys.len(), 5);
    assert_eq!(
        known.app_keys[&ServiceId::new("media", "radarr")].expose(),
        RADARR
    );
}

fn obs(kind: AppKind, key: Result<&str, &str>) -> AppKeyObservation {
    AppKeyObservation {
        service: ServiceId::new("media", kind.id()),
        kind,
        key: key.map(Secret::new).map_err(str::to_string),
    }
}

/// RFC 7386 merge patch, as the API server applies it.
fn merge(target: &mut Value, patch: &Value) {
    match (target, patch) {
        (Value::Object(t), Value::Object(p)) => {
            for (k, v) in p {
                if v.is_null() {
                    t.remove(k);
                } else {
                    merge(t.entry(k.clone()).or_insert(Value::Null), v);
                }
            }
        }
        (t, p) => *t = p.clone(),
    }
}

fn b64(s: &str) -> String {
    base64::engine::general_purpose::STANDARD.encode(s)
}

#[test]
fn drift_per_key_and_patch_keeps_every_other_key() {
    let target = SecretTarget::default();
    // The live Secret: Sonarr right, Radarr stale, Lidarr empty, Prowlarr missing,
    // plus keys the console knows nothing about.
    let live = json!({
        "apiVersion": "v1", "kind": "Secret",
        "metadata": {"name": "starr-secrets", "namespace": "media"},
        "data": {
            "SONARR_API_KEY": b64(SONARR),
            "RADARR_API_KEY": b64("00000000000000000000000000000000"),
            "LIDARR_API_KEY": "",
            "BAZARR_API_KEY": b64("bazarr-key-the-user-set-by-hand"),
            "SABNZBD_API_KEY": b64("sab-key-kept"),
            "JELLYSEERR_API_KEY": b64("seerr-key-kept"),
            "UNRELATED": b64("keep me"),
        }
    });
    let k8s: k8s_openapi::api::core::v1::Secret = serde_json::from_value(live.clone()).unwrap();
    let values = decode_secret(&k8s);
    let apps = vec![
        obs(AppKind::Sonarr, Ok(SONARR)),
        obs(AppKind::Radarr, Ok(RADARR)),
        obs(AppKind::Lidarr, Ok("44445555666677778888999900001111")),
        obs(AppKind::Prowlarr, Ok(PROWLARR)),
        obs(AppKind::Bazarr, Err("no node path")),
    ];
    let drift = compare(&target, &values, &apps);
    let state = |k: &str| {
        drift
            .iter()
            .find(|d| d.secret_key == k)
            .map(|d| d.state.clone())
            .unwrap()
    };
    assert_eq!(state("SONARR_API_KEY"), KeyDriftState::InSync);
    assert_eq!(state("RADARR_API_KEY"), KeyDriftState::Differs);
    assert_eq!(state("LIDARR_API_KEY"), KeyDriftState::EmptyInSecret);
    assert_eq!(state("PROWLARR_API_KEY"), KeyDriftState::MissingInSecret);
    assert!(matches!(
        state("BAZARR_API_KEY"),
        KeyDriftState::AppKeyUnknown { .. }
    ));

    let plan = sync_patch(&target, &values, true, &drift, &apps).unwrap();
    let SyncWrite::MergePatch(patch) = &plan.write else {
        panic!("expected a merge patch")
    };
    let data = patch.expose()["data"].as_object().unwrap();
    let mut written: Vec<_> = data.keys().cloned().collect();
    written.sort();
    assert_eq!(
        written,
        ["LIDARR_API_KEY", "PROWLARR_API_KEY", "RADARR_API_KEY"]
    );
    assert!(data
        .values()
        .all(|v| v.as_str().is_some_and(|s| !s.is_empty())));

    let mut after = live.clone();
    merge(&mut after, patch.expose());
    let d = &after["data"];
    assert_eq!(d["SONARR_API_KEY"], b64(SONARR));
    assert_eq!(d["RADARR_API_KEY"], b64(RADARR));
    assert_eq!(d["PROWLARR_API_KEY"], b64(PROWLARR));
    // The keys the user's script wiped survive untouched.
    assert_eq!(d["BAZARR_API_KEY"], b64("bazarr-key-the-user-set-by-hand"));
    assert_eq!(d["SABNZBD_API_KEY"], b64("sab-key-kept"));
    assert_eq!(d["JELLYSEERR_API_KEY"], b64("seerr-key-kept"));
    assert_eq!(d["UNRELATED"], b64("keep me"));
    assert_eq!(after["data"].as_object().unwrap().len(), 8);

    // The diff the user confirms is masked.
    let shown: Vec<String> = plan.changes.iter().map(|c| c.to_string()).collect();
    assert!(shown.contains(&"LIDARR_API_KEY: (empty) → ••••••••".to_string()));
    assert!(shown.contains(&"PROWLARR_API_KEY: (missing) → ••••••••".to_string()));
    let rendered = format!("{plan:?} {}", serde_json::to_string(&plan.changes).unwrap());
    assert!(!rendered.contains(RADARR) && !rendered.contains(&b64(RADARR)));

    // Findings: one per problem, with a remediation.
    let findings = drift_findings(&target, &drift);
    assert_eq!(findings.len(), 4);
    assert!(findings.iter().all(|f| !f.remediation.is_empty()));
    assert!(findings.iter().any(|f| f.code == "keys.drift"));

    // After the sync the Secret is in sync: no second write.
    let k8s: k8s_openapi::api::core::v1::Secret = serde_json::from_value(after).unwrap();
    let values = decode_secret(&k8s);
    let drift = compare(&target, &values, &apps);
    assert!(sync_patch(&target, &values, true, &drift, &apps).is_none());
}

#[test]
fn missing_secret_is_created_with_known_keys_only() {
    let target = SecretTarget {
        namespace: "media".into(),
        name: "my-keys".into(),
        key_names: BTreeMap::from([(AppKind::Sonarr, "SONARR".to_string())]),
    };
    let apps = vec![
        obs(AppKind::Sonarr, Ok(SONARR)),
        obs(AppKind::Radarr, Ok(RADARR)),
    ];
    let empty = BTreeMap::new();
    let drift = compare(&target, &empty, &apps);
    assert_eq!(drift.len(), 1, "Radarr has no key name in this target");
    let plan = sync_patch(&target, &empty, false, &drift, &apps).unwrap();
    let SyncWrite::Create(obj) = plan.write else {
        panic!("expected create")
    };
    assert_eq!(obj.expose()["metadata"]["name"], "my-keys");
    assert_eq!(obj.expose()["data"], json!({"SONARR": b64(SONARR)}));
}

#[test]
fn verdict_findings_cover_rejection() {
    let f = verdict_findings(&[
        (
            ServiceId::new("media", "sonarr"),
            AppKind::Sonarr,
            KeyVerdict::Rejected {
                detail: "401 Unauthorized".into(),
            },
        ),
        (
            ServiceId::new("media", "radarr"),
            AppKind::Radarr,
            KeyVerdict::Valid,
        ),
    ]);
    assert_eq!(f.len(), 1);
    assert_eq!(f[0].code, "keys.rejected");
    assert_eq!(f[0].subject, "media/sonarr");
}
