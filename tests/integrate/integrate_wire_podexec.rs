//! Reading an app's key by `exec cat` in its pod: kube-rs speaks the `v4.channel.k8s.io`
//! websocket protocol to a loopback stand-in of the API server's `pods/exec`, which records the
//! request and answers with the file on stdout (or a failed status).

use futures::SinkExt;
use k8s_nas::integrate::fixtures::target_inventory;
use k8s_nas::keys::live::PodExecSource;
use k8s_nas::keys::{KeyError, KeySource};
use k8s_nas::model::AppKind;
use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};
use tokio_tungstenite::tungstenite::handshake::server::{Request, Response};
use tokio_tungstenite::tungstenite::Message;

const KEY: &str = "0123456789abcdef0123456789abcdef";

async fn serve() -> (kube::Client, Arc<Mutex<Vec<String>>>) {
    k8s_nas::init_tls();
    let seen: Arc<Mutex<Vec<String>>> = Arc::default();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let addr = listener.local_addr().expect("addr");
    let log = seen.clone();
    tokio::spawn(async move {
        while let Ok((stream, _)) = listener.accept().await {
            let log = log.clone();
            tokio::spawn(async move {
                let uri = Arc::new(Mutex::new(String::new()));
                let u = uri.clone();
                // The callback's error type is tungstenite's (large) ErrorResponse; never used.
                #[allow(clippy::result_large_err)]
                let cb = move |req: &Request, mut resp: Response| {
                    *u.lock().unwrap() = req.uri().to_string();
                    resp.headers_mut().insert(
                        "sec-websocket-protocol",
                        "v4.channel.k8s.io".parse().unwrap(),
                    );
                    Ok(resp)
                };
                let Ok(mut ws) = tokio_tungstenite::accept_hdr_async(stream, cb).await else {
                    return;
                };
                let path = uri.lock().unwrap().clone();
                log.lock().unwrap().push(path.clone());
                let frame = |ch: u8, data: &[u8]| {
                    let mut v = vec![ch];
                    v.extend_from_slice(data);
                    Message::Binary(v.into())
                };
                if path.contains("/pods/sonarr-") {
                    let xml = format!("<Config>\n  <ApiKey>{KEY}</ApiKey>\n</Config>\n");
                    let _ = ws.send(frame(1, xml.as_bytes())).await;
                    let _ = ws
                        .send(frame(3, br#"{"metadata":{},"status":"Success"}"#))
                        .await;
                } else {
                    let _ = ws
                        .send(frame(
                            2,
                            b"cat: /config/config.xml: No such file or directory\n",
                        ))
                        .await;
                    let _ = ws
                        .send(frame(
                            3,
                            br#"{"metadata":{},"status":"Failure","message":"command terminated with non-zero exit code: exit status 1","reason":"NonZeroExitCode"}"#,
                        ))
                        .await;
                }
                let _ = ws.close(None).await;
            });
        }
    });
    let url = format!("http://{addr}").parse().expect("url");
    (
        kube::Client::try_from(kube::Config::new(url)).expect("client"),
        seen,
    )
}

#[tokio::test]
async fn reads_the_key_file_through_the_pod() {
    let (client, seen) = serve().await;
    let inv = target_inventory();
    let sonarr = inv.first(AppKind::Sonarr).expect("sonarr").clone();
    let radarr = inv.first(AppKind::Radarr).expect("radarr").clone();
    let src = PodExecSource {
        client,
        pods: BTreeMap::from([
            (sonarr.id.clone(), "sonarr-6d4b9c7f5-x2x9k".to_string()),
            (radarr.id.clone(), "radarr-7f8c6d5b4-p9q8r".to_string()),
        ]),
    };
    let found = src.find_key(&sonarr).await.expect("key");
    assert_eq!(found.key.expose(), KEY);
    assert_eq!(
        found.origin,
        "media/sonarr-6d4b9c7f5-x2x9k:/config/config.xml"
    );
    let path = seen.lock().unwrap()[0].clone();
    assert!(
        path.starts_with("/api/v1/namespaces/media/pods/sonarr-6d4b9c7f5-x2x9k/exec?"),
        "{path}"
    );
    assert!(path.contains("command=cat"), "{path}");
    assert!(path.contains("command=%2Fconfig%2Fconfig.xml"), "{path}");
    assert!(path.contains("container=sonarr"), "{path}");

    match src.find_key(&radarr).await {
        Err(KeyError::Unreadable { path, why }) => {
            assert!(path.contains("radarr-7f8c6d5b4-p9q8r"), "{path}");
            assert!(why.contains("non-zero exit code"), "{why}");
        }
        other => panic!("expected unreadable, got {other:?}"),
    }
    let lidarr = inv.first(AppKind::Lidarr).expect("lidarr").clone();
    assert!(matches!(
        src.find_key(&lidarr).await,
        Err(KeyError::Unreadable { .. })
    ));
}
