//! API keys: the key Secret against the keys the apps really use (drift), and each key's
//! verification against its app. The facts come from a key check (`k8s-nas keys`, the Keys
//! pane's task, or `check`).

use super::catalog;
use crate::keys::live::{KeyCheck, KeysReport};
use crate::keys::{KeyDrift, KeyDriftState, KeyVerdict, SecretTarget};
use crate::model::{AppKind, Finding, ServiceId};
use std::collections::BTreeSet;

/// What the last key check found (no key values: drift states and verdicts only).
#[derive(Debug, Clone, PartialEq)]
pub struct KeysFacts {
    pub target: SecretTarget,
    pub drift: Vec<KeyDrift>,
    /// Verdicts of the Secret's keys.
    pub secret_checks: Vec<KeyCheck>,
    /// Verdicts of the apps' own keys, where they differ from the Secret's.
    pub app_checks: Vec<KeyCheck>,
    pub checked_at: jiff::Timestamp,
}

impl KeysFacts {
    pub fn from_report(
        target: &SecretTarget,
        report: &KeysReport,
        checked_at: jiff::Timestamp,
    ) -> KeysFacts {
        KeysFacts {
            target: target.clone(),
            drift: report.drift.clone(),
            secret_checks: report.secret_checks.clone(),
            app_checks: report.app_checks.clone(),
            checked_at,
        }
    }
}

/// Every key finding: drift first, then verdicts (one finding per code and service).
pub fn evaluate(k: &KeysFacts) -> Vec<Finding> {
    let verdicts: Vec<_> = k
        .secret_checks
        .iter()
        .chain(&k.app_checks)
        .map(|c| (c.service.clone(), c.kind, c.verdict.clone()))
        .collect();
    let mut seen = BTreeSet::new();
    drift_findings(&k.target, &k.drift)
        .into_iter()
        .chain(verdict_findings(&verdicts))
        .filter(|f| seen.insert((f.code.clone(), f.subject.clone())))
        .collect()
}

/// Findings for key drift (and unknown keys). Key rejection findings come from
/// [`verdict_findings`].
pub fn drift_findings(target: &SecretTarget, drift: &[KeyDrift]) -> Vec<Finding> {
    let secret = target.display();
    drift
        .iter()
        .filter_map(|d| {
            let id = &d.service;
            let app = d.kind.display();
            let k = &d.secret_key;
            Some(match &d.state {
                KeyDriftState::InSync => return None,
                KeyDriftState::Differs => catalog::KEYS_DRIFT.for_service(
                    id,
                    format!("{secret} {k} differs from the key {app} uses"),
                    &[],
                ),
                KeyDriftState::MissingInSecret => catalog::KEYS_MISSING_IN_SECRET.for_service(
                    id,
                    format!("{secret} has no {k}"),
                    &[],
                ),
                KeyDriftState::EmptyInSecret => catalog::KEYS_EMPTY_IN_SECRET.for_service(
                    id,
                    format!("{secret} {k} is empty"),
                    &[],
                ),
                KeyDriftState::AppKeyUnknown { why } => catalog::KEYS_UNKNOWN.for_service(
                    id,
                    format!("{app}'s own key could not be read: {why}"),
                    &[],
                ),
            })
        })
        .collect()
}

/// Findings for the verification of each app's key.
pub fn verdict_findings(results: &[(ServiceId, AppKind, KeyVerdict)]) -> Vec<Finding> {
    results
        .iter()
        .filter_map(|(id, kind, v)| {
            let app = kind.display();
            Some(match v {
                KeyVerdict::Valid => return None,
                KeyVerdict::Rejected { detail } => catalog::KEYS_REJECTED.for_service(
                    id,
                    format!("{app} rejected its API key ({detail})"),
                    &[],
                ),
                KeyVerdict::WrongUrlBase { location } => catalog::KEYS_WRONG_URL_BASE.for_service(
                    id,
                    format!("{app} redirected to {location}: the URL base used is wrong"),
                    &[],
                ),
                KeyVerdict::Unreachable { detail } => catalog::KEYS_UNREACHABLE.for_service(
                    id,
                    format!("{app} could not be reached to verify its key ({detail})"),
                    &[],
                ),
                KeyVerdict::Inconclusive { detail } => catalog::KEYS_INCONCLUSIVE.for_service(
                    id,
                    format!("{app}'s key could not be verified ({detail})"),
                    &[],
                ),
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(app: &str, kind: AppKind, verdict: KeyVerdict) -> KeyCheck {
        KeyCheck {
            service: ServiceId::new("media", app),
            kind,
            source: "media/starr-secrets".into(),
            verdict,
        }
    }

    #[test]
    fn drift_and_verdicts_become_findings_once_per_service() {
        let facts = KeysFacts {
            target: SecretTarget::default(),
            drift: vec![
                KeyDrift {
                    service: ServiceId::new("media", "prowlarr"),
                    kind: AppKind::Prowlarr,
                    secret_key: "PROWLARR_API_KEY".into(),
                    state: KeyDriftState::Differs,
                },
                KeyDrift {
                    service: ServiceId::new("media", "sonarr"),
                    kind: AppKind::Sonarr,
                    secret_key: "SONARR_API_KEY".into(),
                    state: KeyDriftState::InSync,
                },
            ],
            secret_checks: vec![
                check(
                    "prowlarr",
                    AppKind::Prowlarr,
                    KeyVerdict::Rejected {
                        detail: "401".into(),
                    },
                ),
                check("sonarr", AppKind::Sonarr, KeyVerdict::Valid),
                check(
                    "jellyseerr",
                    AppKind::Jellyseerr,
                    KeyVerdict::Unreachable {
                        detail: "timeout".into(),
                    },
                ),
            ],
            app_checks: vec![check(
                "jellyseerr",
                AppKind::Jellyseerr,
                KeyVerdict::Unreachable {
                    detail: "timeout".into(),
                },
            )],
            checked_at: jiff::Timestamp::UNIX_EPOCH,
        };
        let f = evaluate(&facts);
        let got: Vec<(&str, &str)> = f
            .iter()
            .map(|f| (f.code.as_str(), f.subject.as_str()))
            .collect();
        assert_eq!(
            got,
            [
                ("keys.drift", "media/prowlarr"),
                ("keys.rejected", "media/prowlarr"),
                ("keys.unreachable", "media/jellyseerr"),
            ]
        );
        assert!(f.iter().all(|f| f.service.is_some()));
        assert!(f[0]
            .message
            .contains("media/starr-secrets PROWLARR_API_KEY"));
    }
}
