//! A Jellyseerr that has never been signed in to refuses every key with 403: the verdict must be
//! inconclusive, not "rejected". Once set up, a wrong key is rejected and the right one valid.

use k8s_nas::clients::transport::AppEndpoint;
use k8s_nas::keys::live::verify_key;
use k8s_nas::keys::KeyVerdict;
use k8s_nas::model::{AppKind, Secret};
use k8s_nas::sim::apps::{spawn_app, AppSimConfig, Seed, SimDns};

async fn seerr(seed: Seed) -> k8s_nas::sim::apps::RunningApp {
    let mut cfg = AppSimConfig::new(AppKind::Jellyseerr, "", "0123456789abcdef0123456789abcdef");
    cfg.seed = seed;
    spawn_app(cfg, SimDns::new(), None).await.unwrap()
}

#[tokio::test]
async fn fresh_jellyseerr_is_inconclusive_not_rejected() {
    let app = seerr(Seed::Fresh).await;
    let ep = AppEndpoint::direct(app.url(), "");
    let right = Secret::new("0123456789abcdef0123456789abcdef");
    let v = verify_key(AppKind::Jellyseerr, &ep, &right).await;
    assert!(
        matches!(v, KeyVerdict::Inconclusive { ref detail } if detail.contains("not set up")),
        "{v:?}"
    );
}

#[tokio::test]
async fn set_up_jellyseerr_tells_right_from_wrong() {
    let app = seerr(Seed::Wired).await;
    let ep = AppEndpoint::direct(app.url(), "");
    let right = Secret::new("0123456789abcdef0123456789abcdef");
    assert_eq!(
        verify_key(AppKind::Jellyseerr, &ep, &right).await,
        KeyVerdict::Valid
    );
    let wrong = Secret::new("ffffffffffffffffffffffffffffffff");
    let v = verify_key(AppKind::Jellyseerr, &ep, &wrong).await;
    assert!(matches!(v, KeyVerdict::Rejected { .. }), "{v:?}");
}
