//! Where the Jellyfin administrator lives (a Secret with the keys `username` and `password`),
//! found by evidence like the other credentials: the config setting if the user set one, then
//! a Secret the discovered Jellyfin (or Jellyseerr) workload references for it, then a Secret
//! of the usual name in the discovered Jellyfin's namespace; otherwise unknown, saying where
//! the console looked. Pure: locations only, no values.

use super::secret_refs::{norm, workload_label, KeyLoc, Origin, SecretUse, Via};
use crate::model::{AppKind, Inventory, ServiceId, ServiceInfo};
use std::collections::BTreeMap;

/// The Secret's keys.
pub const USERNAME_KEY: &str = "username";
pub const PASSWORD_KEY: &str = "password";

/// Does this reference, in a workload of `kind`, name the Jellyfin administrator? In Jellyfin's
/// own workload a Secret or env var about its admin (`JELLYFIN_ADMIN_PASSWORD`,
/// `jellyfin-admin`); in Jellyseerr's, one that names Jellyfin and its admin or password.
fn names_admin(u: &SecretUse, kind: AppKind) -> bool {
    let mut words = vec![norm(&u.secret)];
    if let Via::Env { var, key } = &u.via {
        words.push(norm(var));
        words.push(norm(key));
    }
    words.iter().any(|w| match kind {
        AppKind::Jellyfin => w.contains("ADMIN"),
        _ => w.contains("JELLYFIN") && (w.contains("ADMIN") || w.contains("PASSWORD")),
    })
}

fn how(u: &SecretUse) -> String {
    match &u.via {
        Via::Env { var, .. } => format!("env {var}"),
        Via::EnvFrom => "envFrom".into(),
        Via::Volume { mount, .. } => format!("volume at {mount}"),
    }
}

/// Resolve the Jellyfin administrator Secret. `explicit`: the config's setting when the user
/// set one; `usual_name`: the name to try in Jellyfin's namespace; `uses`: every service's
/// Secret references.
pub fn locate(
    explicit: Option<&(String, String)>,
    usual_name: &str,
    inv: &Inventory,
    uses: &BTreeMap<&ServiceId, Vec<SecretUse>>,
) -> Result<KeyLoc, String> {
    let at = |ns: &str, name: &str, origin: Origin| KeyLoc {
        namespace: ns.to_string(),
        name: name.to_string(),
        key: PASSWORD_KEY.to_string(),
        origin,
    };
    if let Some((ns, name)) = explicit {
        return Ok(at(ns, name, Origin::Config));
    }
    let of = |kind: AppKind| inv.services.iter().filter(move |s| s.kind == kind);
    let candidates: Vec<&ServiceInfo> = of(AppKind::Jellyfin)
        .chain(of(AppKind::Jellyseerr))
        .collect();
    for svc in &candidates {
        let found = uses
            .get(&svc.id)
            .into_iter()
            .flatten()
            .find(|u| names_admin(u, svc.kind));
        if let Some(u) = found {
            let origin = Origin::Workload {
                workload: workload_label(svc),
                how: how(u),
            };
            return Ok(at(&svc.namespace, &u.secret, origin));
        }
    }
    let searched: Vec<String> = candidates.iter().map(|s| workload_label(s)).collect();
    let not_referenced = if searched.is_empty() {
        "no Jellyfin or Jellyseerr workload discovered".to_string()
    } else {
        format!("none referenced by {}", searched.join(" or "))
    };
    match of(AppKind::Jellyfin).next() {
        Some(jf) => Ok(at(
            &jf.namespace,
            usual_name,
            Origin::UsualName {
                looked: format!("jellyfin_admin_secret not set in the config; {not_referenced}"),
            },
        )),
        None => Err(format!(
            "Jellyfin administrator unknown: jellyfin_admin_secret not set in the config; \
             {not_referenced}; no Jellyfin discovered to look in its namespace"
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env(secret: &str, var: &str, key: &str) -> SecretUse {
        SecretUse {
            container: "app".into(),
            secret: secret.into(),
            via: Via::Env {
                var: var.into(),
                key: key.into(),
            },
        }
    }

    #[test]
    fn only_references_about_the_jellyfin_admin_count() {
        let admin = env("jf-login", "JELLYFIN_ADMIN_PASSWORD", "password");
        assert!(names_admin(&admin, AppKind::Jellyfin));
        assert!(names_admin(&admin, AppKind::Jellyseerr));
        let own_key = env("starr-secrets", "JELLYFIN_API_KEY", "JELLYFIN_API_KEY");
        assert!(!names_admin(&own_key, AppKind::Jellyfin));
        assert!(!names_admin(&own_key, AppKind::Jellyseerr));
        // Jellyseerr's own admin is not Jellyfin's.
        let seerr_admin = env("seerr", "ADMIN_PASSWORD", "password");
        assert!(!names_admin(&seerr_admin, AppKind::Jellyseerr));
        let mounted = SecretUse {
            container: "app".into(),
            secret: "jellyfin-admin".into(),
            via: Via::Volume {
                mount: "/secrets".into(),
                keys: vec![],
            },
        };
        assert!(names_admin(&mounted, AppKind::Jellyfin));
        assert_eq!(how(&mounted), "volume at /secrets");
    }
}
