//! The request pipeline of `api-facts.md` §10.1 before an endpoint runs: CSRF (`Origin`, else
//! `Referer`, must match `Host`), the session cookie (`SID` / `QBT_SID_<port>`, idle timeout),
//! the localhost and subnet-whitelist bypasses, and login with its per-IP ban.

use super::{text, Qb};
use axum::{
    http::{header, HeaderMap, StatusCode},
    response::{IntoResponse, Response},
};
use serde_json::Value;
use std::net::IpAddr;
use std::time::{Duration, Instant};

/// The `host:port` of an `Origin`/`Referer` URL.
fn url_authority(u: &str) -> Option<String> {
    let url = url::Url::parse(u).ok()?;
    let host = url.host_str()?;
    Some(match url.port_or_known_default() {
        Some(p) => format!("{host}:{p}"),
        None => host.to_string(),
    })
}

/// `Host` with the default port made explicit, for comparison with `url_authority`.
fn host_authority(h: &HeaderMap) -> String {
    let host = h
        .get(header::HOST)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    if host.contains(':') && !host.ends_with(']') {
        host.to_string()
    } else {
        format!("{host}:80")
    }
}

pub(super) fn csrf_ok(h: &HeaderMap) -> bool {
    let target = host_authority(h);
    for name in [header::ORIGIN, header::REFERER] {
        if let Some(v) = h.get(&name).and_then(|v| v.to_str().ok()) {
            return url_authority(v).is_some_and(|a| a.eq_ignore_ascii_case(&target));
        }
    }
    true
}

fn in_subnets(ip: IpAddr, list: &str) -> bool {
    list.split(['\n', ',']).any(|line| {
        let Some((net, bits)) = line.trim().split_once('/') else {
            return false;
        };
        let (Ok(IpAddr::V4(net)), Ok(bits), IpAddr::V4(ip)) =
            (net.parse::<IpAddr>(), bits.parse::<u32>(), ip)
        else {
            return false;
        };
        if bits > 32 {
            return false;
        }
        let mask = if bits == 0 {
            0
        } else {
            u32::MAX << (32 - bits)
        };
        u32::from(net) & mask == u32::from(ip) & mask
    })
}

impl Qb {
    pub(super) fn cookie_name(&self) -> String {
        if self.v52 {
            let port = self
                .prefs
                .get("web_ui_port")
                .and_then(Value::as_u64)
                .unwrap_or(8080);
            format!("QBT_SID_{port}")
        } else {
            "SID".into()
        }
    }

    pub(super) fn pref_bool(&self, k: &str) -> bool {
        self.prefs.get(k).and_then(Value::as_bool).unwrap_or(false)
    }

    /// The live session named by the request's cookie; refreshes its activity time and
    /// drops it when it has been idle longer than `web_ui_session_timeout`.
    pub(super) fn session_of(&mut self, h: &HeaderMap) -> Option<String> {
        let name = self.cookie_name();
        let sid = h
            .get_all(header::COOKIE)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .flat_map(|v| v.split(';'))
            .filter_map(|kv| kv.trim().split_once('='))
            .find(|(k, v)| *k == name && self.sessions.contains_key(*v))
            .map(|(_, v)| v.to_string())?;
        let timeout = self
            .prefs
            .get("web_ui_session_timeout")
            .and_then(Value::as_u64)
            .unwrap_or(3600);
        let last = self.sessions.get(&sid).copied()?;
        if last.elapsed() > Duration::from_secs(timeout) {
            self.sessions.remove(&sid);
            return None;
        }
        self.sessions.insert(sid.clone(), Instant::now());
        Some(sid)
    }

    pub(super) fn bypassed(&self, ip: Option<IpAddr>) -> bool {
        let Some(ip) = ip else { return false };
        (self.pref_bool("bypass_local_auth") && ip.is_loopback())
            || (self.pref_bool("bypass_auth_subnet_whitelist_enabled")
                && in_subnets(
                    ip,
                    self.prefs
                        .get("bypass_auth_subnet_whitelist")
                        .and_then(Value::as_str)
                        .unwrap_or(""),
                ))
    }
}

pub(super) fn login(
    st: &mut Qb,
    h: &HeaderMap,
    peer: Option<IpAddr>,
    user: &str,
    pw: &str,
) -> Response {
    let max = st
        .prefs
        .get("web_ui_max_auth_fail_count")
        .and_then(Value::as_u64)
        .unwrap_or(5) as u32;
    let ip = peer.unwrap_or(IpAddr::from([127, 0, 0, 1]));
    if max > 0 && st.fails.get(&ip).copied().unwrap_or(0) >= max {
        return text(
            StatusCode::FORBIDDEN,
            "Your IP address has been banned after too many failed authentication attempts.",
        );
    }
    let ok_body = |st: &Qb| {
        if st.v52 {
            StatusCode::NO_CONTENT.into_response()
        } else {
            text(StatusCode::OK, "Ok.")
        }
    };
    if st.session_of(h).is_some() {
        return ok_body(st);
    }
    let expected_user = st
        .prefs
        .get("web_ui_username")
        .and_then(Value::as_str)
        .unwrap_or("admin")
        .to_string();
    if user != expected_user || pw != st.password {
        *st.fails.entry(ip).or_insert(0) += 1;
        return if st.v52 {
            text(StatusCode::UNAUTHORIZED, "")
        } else {
            text(StatusCode::OK, "Fails.")
        };
    }
    st.fails.remove(&ip);
    let sid = format!("{:032x}", rand::random::<u128>());
    st.sessions.insert(sid.clone(), Instant::now());
    let same_site = if st.v52 { "Lax" } else { "Strict" };
    let cookie = format!(
        "{}={sid}; HttpOnly; path=/; SameSite={same_site}",
        st.cookie_name()
    );
    ([(header::SET_COOKIE, cookie)], ok_body(st)).into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn subnets() {
        let ip: IpAddr = "10.42.0.7".parse().unwrap();
        assert!(in_subnets(ip, "192.168.0.0/16\n10.0.0.0/8"));
        assert!(!in_subnets("127.0.0.1".parse().unwrap(), "10.0.0.0/8"));
    }
}
