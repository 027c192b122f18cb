//! gluetun control-server credentials: from the config (`[vpn] control_api_key` /
//! `control_username` + `control_password`), from a Secret the config names
//! (`[vpn] control_secret = "namespace/name"`), or by evidence from the gluetun container —
//! `HTTP_CONTROL_SERVER_AUTH_DEFAULT_ROLE` as a literal or from a Secret key
//! (`valueFrom.secretKeyRef`), or the auth config file (`HTTP_CONTROL_SERVER_AUTH_CONFIG_FILEPATH`,
//! default `/gluetun/auth/config.toml`) mounted from a Secret volume. A Secret is read when the
//! check runs (no cache, no watch); its values stay in [`Secret`] and are never shown.

use crate::clients::gluetun::ControlAuth;
use crate::config::Config;
use crate::model::Secret;
use k8s_openapi::api::core::v1::{Container, PodSpec};
use serde_json::Value;

/// gluetun's default auth config file path.
const DEFAULT_AUTH_FILE: &str = "/gluetun/auth/config.toml";

/// Where the credentials come from.
#[derive(Debug, Clone, PartialEq)]
pub enum AuthSource {
    /// Nothing configured and nothing referenced: call without credentials.
    None,
    /// Known without reading anything (config, or a literal env value).
    Known(ControlAuth, String),
    /// A key of a Secret (`None`: any key that parses).
    Secret {
        namespace: String,
        name: String,
        key: Option<String>,
    },
}

impl AuthSource {
    /// What to say about the source (never a value).
    pub fn describe(&self) -> String {
        match self {
            AuthSource::None => "none".into(),
            AuthSource::Known(_, from) => from.clone(),
            AuthSource::Secret {
                namespace,
                name,
                key,
            } => match key {
                Some(k) => format!("Secret {namespace}/{name} key {k}"),
                None => format!("Secret {namespace}/{name}"),
            },
        }
    }
}

/// The credentials' source for a gluetun container in a pod of `namespace`: config first, then
/// the config's Secret, then the container's own references.
pub fn source(
    cfg: &Config,
    namespace: &str,
    spec: Option<&PodSpec>,
    c: Option<&Container>,
) -> AuthSource {
    match (&cfg.vpn.control_api_key, &cfg.vpn.control_username) {
        (Some(k), _) => return AuthSource::Known(ControlAuth::ApiKey(k.clone()), "config".into()),
        (None, Some(u)) => {
            return AuthSource::Known(
                ControlAuth::Basic {
                    username: u.clone(),
                    password: cfg.vpn.control_password.clone().unwrap_or_default(),
                },
                "config".into(),
            )
        }
        _ => {}
    }
    if let Some(r) = cfg
        .vpn
        .control_secret
        .as_deref()
        .filter(|r| !r.trim().is_empty())
    {
        let (ns, name) = r.split_once('/').unwrap_or((namespace, r));
        return AuthSource::Secret {
            namespace: ns.into(),
            name: name.into(),
            key: None,
        };
    }
    let Some(c) = c else { return AuthSource::None };
    if let Some(e) = c
        .env
        .iter()
        .flatten()
        .find(|e| e.name == "HTTP_CONTROL_SERVER_AUTH_DEFAULT_ROLE")
    {
        if let Some(v) = &e.value {
            if let Some(a) = parse(v) {
                return AuthSource::Known(a, "HTTP_CONTROL_SERVER_AUTH_DEFAULT_ROLE (env)".into());
            }
        }
        if let Some(r) = e
            .value_from
            .as_ref()
            .and_then(|f| f.secret_key_ref.as_ref())
        {
            return AuthSource::Secret {
                namespace: namespace.into(),
                name: r.name.clone(),
                key: Some(r.key.clone()),
            };
        }
    }
    // The auth config file, mounted from a Secret volume.
    let path = super::observe::env(c, "HTTP_CONTROL_SERVER_AUTH_CONFIG_FILEPATH")
        .unwrap_or_else(|| DEFAULT_AUTH_FILE.into());
    for m in c.volume_mounts.iter().flatten() {
        let dir = m.mount_path.trim_end_matches('/');
        let Some(rest) = path.strip_prefix(&format!("{dir}/")) else {
            continue;
        };
        let key = m
            .sub_path
            .clone()
            .filter(|s| !s.is_empty())
            .unwrap_or_else(|| rest.to_string());
        let secret = spec
            .and_then(|s| s.volumes.as_ref())
            .and_then(|vs| vs.iter().find(|v| v.name == m.name))
            .and_then(|v| v.secret.as_ref())
            .and_then(|s| s.secret_name.clone());
        if let Some(name) = secret {
            return AuthSource::Secret {
                namespace: namespace.into(),
                name,
                key: Some(key),
            };
        }
    }
    AuthSource::None
}

/// One role as gluetun writes it: JSON (`{"auth":"apikey","apikey":"…"}`), or the auth config
/// TOML (`[[roles]]` with `auth`, `apikey`, `username`, `password`; the first role that has
/// credentials), or a bare `apikey` / `username` + `password` map.
pub fn parse(text: &str) -> Option<ControlAuth> {
    let v: Value = serde_json::from_str(text.trim())
        .ok()
        .or_else(|| toml::from_str::<Value>(text).ok())?;
    let roles: Vec<&Value> = match v["roles"].as_array() {
        Some(r) => r.iter().collect(),
        None => vec![&v],
    };
    roles.into_iter().find_map(role)
}

fn role(v: &Value) -> Option<ControlAuth> {
    let s = |k: &str| v[k].as_str().filter(|s| !s.is_empty()).map(str::to_string);
    match v["auth"].as_str().unwrap_or_default() {
        "none" => None,
        "basic" => Some(ControlAuth::Basic {
            username: s("username")?,
            password: Secret::new(s("password").unwrap_or_default()),
        }),
        _ => s("apikey")
            .or_else(|| s("api_key"))
            .map(|k| ControlAuth::ApiKey(Secret::new(k)))
            .or_else(|| {
                Some(ControlAuth::Basic {
                    username: s("username")?,
                    password: Secret::new(s("password").unwrap_or_default()),
                })
            }),
    }
}

/// The credentials from a Secret's data: the named key, else the first key that parses (a role,
/// an auth config), else the keys `apikey`/`api_key` or `username` + `password` themselves.
pub fn from_secret(
    data: &std::collections::BTreeMap<String, Secret>,
    key: Option<&str>,
) -> Option<ControlAuth> {
    if let Some(k) = key {
        let v = data.get(k)?;
        return parse(v.expose()).or_else(|| Some(ControlAuth::ApiKey(v.clone())));
    }
    if let Some(a) = data.values().find_map(|v| parse(v.expose())) {
        return Some(a);
    }
    let get = |k: &str| data.get(k).filter(|v| !v.is_empty()).cloned();
    if let Some(k) = get("apikey").or_else(|| get("api_key")) {
        return Some(ControlAuth::ApiKey(k));
    }
    Some(ControlAuth::Basic {
        username: get("username")?.expose().to_string(),
        password: get("password").unwrap_or_default(),
    })
}

/// Resolve a source into credentials, reading the Secret when it names one. `Err` says why the
/// Secret gave none (not readable, no such key) — never a value.
pub async fn resolve(client: &kube::Client, src: &AuthSource) -> Result<ControlAuth, String> {
    match src {
        AuthSource::None => Ok(ControlAuth::None),
        AuthSource::Known(a, _) => Ok(a.clone()),
        AuthSource::Secret {
            namespace,
            name,
            key,
        } => {
            let api = kube::Api::<k8s_openapi::api::core::v1::Secret>::namespaced(
                client.clone(),
                namespace,
            );
            let s = api
                .get(name)
                .await
                .map_err(|e| format!("{}: {}", src.describe(), crate::cluster::explain(&e)))?;
            let data = crate::collect::credentials::secret_data(&s);
            from_secret(&data, key.as_deref())
                .ok_or_else(|| format!("{}: no gluetun credentials in it", src.describe()))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn roles_parse_from_json_toml_and_plain_keys() {
        assert_eq!(
            parse(r#"{"auth":"apikey","apikey":"k1"}"#),
            Some(ControlAuth::ApiKey(Secret::new("k1")))
        );
        assert_eq!(
            parse(r#"{"auth":"basic","username":"u","password":"p"}"#),
            Some(ControlAuth::Basic {
                username: "u".into(),
                password: Secret::new("p")
            })
        );
        let toml = "[[roles]]\nname = \"ro\"\nauth = \"none\"\nroutes = [\"GET /v1/vpn/status\"]\n\n[[roles]]\nname = \"k8s-nas\"\nauth = \"apikey\"\napikey = \"k2\"\nroutes = [\"GET /v1/publicip/ip\"]\n";
        assert_eq!(parse(toml), Some(ControlAuth::ApiKey(Secret::new("k2"))));
        assert_eq!(parse(r#"{"auth":"none"}"#), None);
        assert_eq!(parse("not a role"), None);
        let data = [("apikey".to_string(), Secret::new("k3"))].into();
        assert_eq!(
            from_secret(&data, None),
            Some(ControlAuth::ApiKey(Secret::new("k3")))
        );
        let data = [(
            "role".to_string(),
            Secret::new(r#"{"auth":"apikey","apikey":"k4"}"#),
        )]
        .into();
        assert_eq!(
            from_secret(&data, Some("role")),
            Some(ControlAuth::ApiKey(Secret::new("k4")))
        );
        assert_eq!(from_secret(&data, Some("missing")), None);
        assert_eq!(from_secret(&Default::default(), None), None);
    }

    #[test]
    fn sources_by_precedence_and_evidence() {
        let c: Container = serde_json::from_value(serde_json::json!({
            "name": "vpn", "image": "qmcgaw/gluetun",
            "env": [{"name": "HTTP_CONTROL_SERVER_AUTH_DEFAULT_ROLE",
                "valueFrom": {"secretKeyRef": {"name": "gluetun-auth", "key": "role"}}}]
        }))
        .unwrap();
        let mut cfg = Config::default();
        assert_eq!(
            source(&cfg, "qbittorrent", None, Some(&c)),
            AuthSource::Secret {
                namespace: "qbittorrent".into(),
                name: "gluetun-auth".into(),
                key: Some("role".into())
            }
        );
        cfg.vpn.control_secret = Some("vpn/control".into());
        assert_eq!(
            source(&cfg, "qbittorrent", None, Some(&c)).describe(),
            "Secret vpn/control"
        );
        cfg.vpn.control_api_key = Some(Secret::new("cfg"));
        assert_eq!(
            source(&cfg, "qbittorrent", None, Some(&c)).describe(),
            "config"
        );
        // The auth config file from a Secret volume.
        let spec: PodSpec = serde_json::from_value(serde_json::json!({
            "containers": [{"name": "vpn", "image": "qmcgaw/gluetun",
                "volumeMounts": [{"name": "auth", "mountPath": "/gluetun/auth"}]}],
            "volumes": [{"name": "auth", "secret": {"secretName": "gluetun-roles"}}]
        }))
        .unwrap();
        assert_eq!(
            source(
                &Config::default(),
                "dl",
                Some(&spec),
                Some(&spec.containers[0])
            ),
            AuthSource::Secret {
                namespace: "dl".into(),
                name: "gluetun-roles".into(),
                key: Some("config.toml".into())
            }
        );
        assert_eq!(
            source(&Config::default(), "dl", None, None),
            AuthSource::None
        );
    }
}
