//! Hostile apps (issue 13, points 1 and 4): an endless reply is cut at the size limit, a server
//! that sends headers and stalls is a timeout, a 200,000-entry health list is bounded. Each
//! fake is a raw TCP server, so nothing between it and the client is trusted.

use k8s_nas::clients::servarr::ServarrClient;
use k8s_nas::clients::transport::AppEndpoint;
use k8s_nas::model::{AppErrorKind, AppKind, Secret};
use std::time::{Duration, Instant};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;

/// Serve every connection with `reply(stream)` after reading the request head.
async fn fake<F, Fut>(reply: F) -> String
where
    F: Fn(tokio::net::TcpStream) -> Fut + Send + Sync + 'static,
    Fut: std::future::Future<Output = ()> + Send + 'static,
{
    let l = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let origin = format!("http://{}", l.local_addr().unwrap());
    let reply = std::sync::Arc::new(reply);
    tokio::spawn(async move {
        while let Ok((mut s, _)) = l.accept().await {
            let reply = reply.clone();
            tokio::spawn(async move {
                let mut head = [0u8; 4096];
                let _ = s.read(&mut head).await;
                reply(s).await;
            });
        }
    });
    origin
}

#[tokio::test]
async fn an_endless_reply_is_cut_at_the_limit() {
    let origin = fake(|mut s| async move {
        let _ = s
            .write_all(b"HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ntransfer-encoding: chunked\r\n\r\n")
            .await;
        let chunk = format!("{:x}\r\n{}\r\n", 64 << 10, "[".repeat(64 << 10));
        // endless: the client must stop reading, not this loop
        while s.write_all(chunk.as_bytes()).await.is_ok() {}
    })
    .await;
    let ep = AppEndpoint::direct(origin, "").with_timeout(Duration::from_secs(20));
    let started = Instant::now();
    let e = ep
        .get("/api/v3/health", Default::default())
        .await
        .unwrap_err();
    assert_eq!(e.kind, AppErrorKind::BadBody, "{e}");
    assert!(e.detail.contains("larger than 8192 KiB"), "{e}");
    assert!(
        started.elapsed() < Duration::from_secs(10),
        "{:?}",
        started.elapsed()
    );

    // a declared length over the limit is refused before reading
    let origin = fake(|mut s| async move {
        let _ = s
            .write_all(b"HTTP/1.1 200 OK\r\ncontent-length: 999999999999\r\n\r\n[")
            .await;
        tokio::time::sleep(Duration::from_secs(30)).await;
    })
    .await;
    let e = AppEndpoint::direct(origin, "")
        .with_max_body(1024)
        .get("/", Default::default())
        .await
        .unwrap_err();
    assert!(e.detail.contains("larger than 1 KiB"), "{e}");
}

#[tokio::test]
async fn headers_then_stall_is_a_timeout() {
    let origin = fake(|mut s| async move {
        let _ = s
            .write_all(b"HTTP/1.1 200 OK\r\ncontent-length: 100\r\n\r\n{\"a\":")
            .await;
        tokio::time::sleep(Duration::from_secs(60)).await;
    })
    .await;
    let ep = AppEndpoint::direct(origin, "").with_timeout(Duration::from_millis(500));
    let started = Instant::now();
    let e = ep.get("/ping", Default::default()).await.unwrap_err();
    assert!(matches!(e.kind, AppErrorKind::Timeout { .. }), "{e}");
    assert!(started.elapsed() < Duration::from_secs(3));
}

#[tokio::test]
async fn a_huge_health_list_is_counted_but_not_kept() {
    let item = r#"{"source":"x","type":"warning","message":"m","wikiUrl":""},"#;
    let n = 100_000;
    let mut body = String::from("[");
    body.push_str(&item.repeat(n));
    body.pop();
    body.push(']');
    let body = std::sync::Arc::new(body);
    let origin = fake(move |mut s| {
        let body = body.clone();
        async move {
            let text = body.as_str();
            let reply = format!(
                "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: {}\r\n\r\n",
                text.len()
            );
            let _ = s.write_all(reply.as_bytes()).await;
            let _ = s.write_all(text.as_bytes()).await;
        }
    })
    .await;
    let c = ServarrClient::new(
        AppKind::Sonarr,
        AppEndpoint::direct(origin, ""),
        Secret::new("k"),
    );
    let list = c.health_resources().await.unwrap();
    assert_eq!(list.len(), n);
    let status: k8s_nas::clients::servarr::SystemStatus =
        serde_json::from_value(serde_json::json!({"version": "4.0.0"})).unwrap();
    let h = k8s_nas::clients::servarr::to_app_health(&status, &list);
    assert_eq!(h.summary, format!("{n} issues"));
    assert_eq!(h.issues.len(), k8s_nas::bounds::MAX_LIST_ITEMS + 1);
    assert!(h.issues.last().unwrap().message.contains("99500 more"));
}
