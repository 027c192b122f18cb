//! An Alertmanager as far as the console and `amtool`-style clients use its v2 API (issue 12),
//! under any route prefix: `GET …/api/v2/alerts` (each alert `active`, or `suppressed` with
//! the ids of the silences matching it), `GET …/api/v2/silences`, `POST …/api/v2/silences`
//! (validated like Alertmanager: at least one matcher, a valid regex, `endsAt` after
//! `startsAt`; the answer `{silenceID}`), `DELETE …/api/v2/silence/{id}` (expires it; 404 for
//! an unknown id), `GET …/api/v2/status` and `…/-/healthy`. The alerts come from the
//! annotation [`super::prometheus::FIRING`] on its Service (a scenario edits the world only);
//! silences live in memory for the run.

use axum::body::Bytes;
use axum::http::{Method, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use axum::Router;
use jiff::Timestamp;
use serde_json::{json, Value};
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};

#[derive(Default)]
struct State {
    /// `{labels, annotations, startsAt}` per alert.
    alerts: Vec<Value>,
    /// Stored silences (as posted, plus `id` and `updatedAt`).
    silences: Vec<Value>,
}

fn ts(v: &Value) -> Option<Timestamp> {
    v.as_str().and_then(|s| s.parse().ok())
}

fn silence_state(s: &Value, now: Timestamp) -> &'static str {
    match (ts(&s["startsAt"]), ts(&s["endsAt"])) {
        (_, Some(end)) if end <= now => "expired",
        (Some(start), _) if start > now => "pending",
        _ => "active",
    }
}

fn matcher_hits(m: &Value, labels: &Value) -> bool {
    let name = m["name"].as_str().unwrap_or_default();
    let want = m["value"].as_str().unwrap_or_default();
    let have = labels[name].as_str().unwrap_or_default();
    let hit = if m["isRegex"].as_bool().unwrap_or(false) {
        regex::Regex::new(&format!("^(?:{want})$")).is_ok_and(|r| r.is_match(have))
    } else {
        have == want
    };
    hit == m["isEqual"].as_bool().unwrap_or(true)
}

fn fingerprint(labels: &Value) -> String {
    let mut h: u64 = 0xcbf29ce484222325;
    for b in labels.to_string().bytes() {
        h = (h ^ u64::from(b)).wrapping_mul(0x100000001b3);
    }
    format!("{h:016x}")
}

impl State {
    fn alerts_body(&self, now: Timestamp) -> Value {
        let out: Vec<Value> = self
            .alerts
            .iter()
            .map(|a| {
                let silenced: Vec<&Value> = self
                    .silences
                    .iter()
                    .filter(|s| silence_state(s, now) == "active")
                    .filter(|s| {
                        s["matchers"]
                            .as_array()
                            .is_some_and(|ms| ms.iter().all(|m| matcher_hits(m, &a["labels"])))
                    })
                    .map(|s| &s["id"])
                    .collect();
                let state = if silenced.is_empty() { "active" } else { "suppressed" };
                json!({
                    "labels": a["labels"], "annotations": a["annotations"],
                    "startsAt": a["startsAt"], "updatedAt": now.to_string(),
                    "endsAt": Timestamp::from_second(now.as_second() + 240).unwrap_or(now).to_string(),
                    "fingerprint": fingerprint(&a["labels"]),
                    "receivers": [{"name": "default"}],
                    "generatorURL": "",
                    "status": {"state": state, "silencedBy": silenced, "inhibitedBy": [], "mutedBy": []},
                })
            })
            .collect();
        Value::Array(out)
    }

    fn silences_body(&self, now: Timestamp) -> Value {
        let out: Vec<Value> = self
            .silences
            .iter()
            .map(|s| {
                let mut s = s.clone();
                s["status"] = json!({"state": silence_state(&s, now)});
                s
            })
            .collect();
        Value::Array(out)
    }

    fn add_silence(&mut self, body: &[u8], now: Timestamp) -> Result<String, String> {
        let mut s: Value = serde_json::from_slice(body).map_err(|e| format!("{e}"))?;
        let matchers = s["matchers"].as_array().cloned().unwrap_or_default();
        if matchers.is_empty() {
            return Err("silence invalid: at least one matcher required".into());
        }
        for m in &matchers {
            if m["name"].as_str().is_none_or(str::is_empty) {
                return Err("silence invalid: invalid label matcher: empty label name".into());
            }
            if m["isRegex"].as_bool() == Some(true) {
                let v = m["value"].as_str().unwrap_or_default();
                regex::Regex::new(v).map_err(|e| format!("silence invalid: invalid regex: {e}"))?;
            }
        }
        let (Some(start), Some(end)) = (ts(&s["startsAt"]), ts(&s["endsAt"])) else {
            return Err("silence invalid: startsAt and endsAt are required".into());
        };
        if end < start {
            return Err("silence invalid: end time must not be before start time".into());
        }
        if end <= now {
            return Err("silence invalid: end time can't be in the past".into());
        }
        let id = crate::sim::kube::store::new_uid();
        s["id"] = json!(id);
        s["updatedAt"] = json!(now.to_string());
        self.silences.push(s);
        Ok(id)
    }

    fn expire(&mut self, id: &str, now: Timestamp) -> bool {
        let Some(s) = self.silences.iter_mut().find(|s| s["id"] == id) else {
            return false;
        };
        s["endsAt"] = json!(now.to_string());
        s["updatedAt"] = json!(now.to_string());
        true
    }
}

fn answer(state: &Mutex<State>, method: &Method, path: &str, body: &[u8]) -> Response {
    let now = Timestamp::now();
    let Ok(mut st) = state.lock() else {
        return StatusCode::INTERNAL_SERVER_ERROR.into_response();
    };
    let api = path.find("/api/v2/").map(|i| &path[i + 8..]);
    match (method.as_str(), api) {
        ("GET", Some("alerts")) => axum::Json(st.alerts_body(now)).into_response(),
        ("GET", Some("silences")) => axum::Json(st.silences_body(now)).into_response(),
        ("POST", Some("silences")) => match st.add_silence(body, now) {
            Ok(id) => axum::Json(json!({"silenceID": id})).into_response(),
            Err(e) => (StatusCode::BAD_REQUEST, axum::Json(json!(e))).into_response(),
        },
        ("DELETE", Some(p)) if p.starts_with("silence/") => {
            if st.expire(&p["silence/".len()..], now) {
                StatusCode::OK.into_response()
            } else {
                (StatusCode::NOT_FOUND, axum::Json(json!("silence not found"))).into_response()
            }
        }
        ("GET", Some("status")) => axum::Json(json!({
            "cluster": {"name": "", "status": "disabled", "peers": []},
            "versionInfo": {"version": "0.28.1", "branch": "HEAD", "revision": "", "goVersion": "go1.23"},
            "config": {"original": "route:\n  receiver: default\nreceivers:\n- name: default\n"},
            "uptime": now.to_string(),
        }))
        .into_response(),
        ("GET", None) if path.ends_with("/-/healthy") => (StatusCode::OK, "OK").into_response(),
        _ => (StatusCode::NOT_FOUND, "404 page not found\n").into_response(),
    }
}

/// Serve on loopback with `alerts` firing; the sender stops it.
pub async fn spawn_alertmanager(
    alerts: Vec<Value>,
) -> anyhow::Result<(SocketAddr, tokio::sync::oneshot::Sender<()>)> {
    let state = Arc::new(Mutex::new(State {
        alerts,
        silences: Vec::new(),
    }));
    let router = Router::new().fallback(move |method: Method, uri: Uri, body: Bytes| {
        let state = state.clone();
        async move { answer(&state, &method, uri.path(), &body) }
    });
    super::serve_loopback(router).await
}

#[cfg(test)]
mod tests {
    use super::*;

    fn state() -> State {
        State {
            alerts: vec![
                json!({"labels": {"alertname": "VPNTunnelDown", "pod": "qbittorrent-0"},
                "annotations": {"summary": "down"}, "startsAt": "2026-01-01T00:00:00Z"}),
            ],
            silences: vec![],
        }
    }

    #[test]
    fn a_silence_suppresses_what_it_matches_until_it_is_expired() {
        let mut st = state();
        let now = Timestamp::now();
        let later = Timestamp::from_second(now.as_second() + 3_600).unwrap();
        let body = |matchers: Value, end: Timestamp| {
            json!({"matchers": matchers, "startsAt": now.to_string(), "endsAt": end.to_string(),
                "createdBy": "t", "comment": "c"})
            .to_string()
        };
        let eq =
            |n: &str, v: &str| json!({"name": n, "value": v, "isRegex": false, "isEqual": true});
        assert!(st
            .add_silence(body(json!([]), later).as_bytes(), now)
            .is_err());
        assert!(st
            .add_silence(
                body(json!([eq("alertname", "VPNTunnelDown")]), now).as_bytes(),
                now
            )
            .is_err());
        let other = st
            .add_silence(
                body(json!([eq("alertname", "Other")]), later).as_bytes(),
                now,
            )
            .unwrap();
        assert_eq!(st.alerts_body(now)[0]["status"]["state"], "active");
        let id = st
            .add_silence(
                body(
                    json!([{"name": "pod", "value": "qbit.*", "isRegex": true, "isEqual": true}]),
                    later,
                )
                .as_bytes(),
                now,
            )
            .unwrap();
        let a = st.alerts_body(now);
        assert_eq!(a[0]["status"]["state"], "suppressed");
        assert_eq!(a[0]["status"]["silencedBy"], json!([id]));
        assert!(st.expire(&id, now));
        assert!(!st.expire("nope", now));
        assert_eq!(st.alerts_body(now)[0]["status"]["state"], "active");
        let s = st.silences_body(now);
        let state_of = |i: &str| {
            s.as_array().unwrap().iter().find(|x| x["id"] == i).unwrap()["status"]["state"].clone()
        };
        assert_eq!(
            (state_of(&id), state_of(&other)),
            (json!("expired"), json!("active"))
        );
    }
}
