//! What a key check against the running app means.
//!
//! The protocol clients make one authenticated call with the key and the discovered URL base
//! (Servarr `GET <base>/api/vN/system/status`, Bazarr `/api/system/status`, Jellyseerr
//! `/api/v1/settings/main`, SABnzbd `mode=get_config`); this module turns the outcome into a
//! verdict. Auth failures differ by app: the Servarr apps answer 401, SABnzbd and Jellyseerr
//! answer 403, while a 403 in front of a Servarr app comes from the API-server proxy (RBAC).

use crate::model::{AppError, AppErrorKind, AppKind};
use serde::Serialize;

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "verdict", rename_all = "camelCase")]
pub enum KeyVerdict {
    /// The app accepted the key.
    Valid,
    /// The app answered and refused the key.
    Rejected { detail: String },
    /// No answer (connection refused, timeout, no endpoints).
    Unreachable { detail: String },
    /// The app redirected to a prefixed path: the URL base used was wrong, the key is untested.
    WrongUrlBase { location: String },
    /// The app answered something that says nothing about the key.
    Inconclusive { detail: String },
}

impl KeyVerdict {
    pub fn label(&self) -> &'static str {
        match self {
            KeyVerdict::Valid => "valid",
            KeyVerdict::Rejected { .. } => "rejected",
            KeyVerdict::Unreachable { .. } => "unreachable",
            KeyVerdict::WrongUrlBase { .. } => "wrong URL base",
            KeyVerdict::Inconclusive { .. } => "inconclusive",
        }
    }
}

/// Classify the outcome of the authenticated call made with the key.
pub fn classify_verification<T>(kind: AppKind, outcome: &Result<T, AppError>) -> KeyVerdict {
    let e = match outcome {
        Ok(_) => return KeyVerdict::Valid,
        Err(e) => e,
    };
    let detail = e.detail.clone();
    match &e.kind {
        AppErrorKind::Unauthorized => KeyVerdict::Rejected { detail },
        AppErrorKind::Forbidden => match kind {
            AppKind::Sabnzbd | AppKind::Jellyseerr | AppKind::Qbittorrent => {
                KeyVerdict::Rejected { detail }
            }
            _ => KeyVerdict::Inconclusive {
                detail: format!("{detail} (from the API-server proxy or RBAC, not the app)"),
            },
        },
        AppErrorKind::WrongUrlBase { location } => KeyVerdict::WrongUrlBase {
            location: location.clone(),
        },
        AppErrorKind::Unreachable
        | AppErrorKind::ClusterUnreachable
        | AppErrorKind::Timeout { .. } => KeyVerdict::Unreachable { detail },
        AppErrorKind::ServerError { .. }
        | AppErrorKind::Http { .. }
        | AppErrorKind::BadBody
        | AppErrorKind::Config => KeyVerdict::Inconclusive { detail },
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::clients::transport::classify_status;
    use http::StatusCode;

    #[test]
    fn verdicts_from_statuses() {
        let ok: Result<(), AppError> = Ok(());
        assert_eq!(
            classify_verification(AppKind::Sonarr, &ok),
            KeyVerdict::Valid
        );

        let unauthorized = Err::<(), _>(classify_status(StatusCode::UNAUTHORIZED, None, "/sonarr"));
        assert!(matches!(
            classify_verification(AppKind::Sonarr, &unauthorized),
            KeyVerdict::Rejected { .. }
        ));

        let redirect = Err::<(), _>(classify_status(
            StatusCode::TEMPORARY_REDIRECT,
            Some("/sonarr/api/v3/system/status"),
            "",
        ));
        assert_eq!(
            classify_verification(AppKind::Sonarr, &redirect),
            KeyVerdict::WrongUrlBase {
                location: "/sonarr/api/v3/system/status".into()
            }
        );

        let gateway = Err::<(), _>(classify_status(StatusCode::SERVICE_UNAVAILABLE, None, ""));
        assert!(matches!(
            classify_verification(AppKind::Radarr, &gateway),
            KeyVerdict::Unreachable { .. }
        ));
        let timeout = Err::<(), _>(AppError::new(
            AppErrorKind::Timeout { after_ms: 5000 },
            "no answer within 5000 ms",
        ));
        assert_eq!(
            classify_verification(AppKind::Lidarr, &timeout).label(),
            "unreachable"
        );
    }

    #[test]
    fn forbidden_depends_on_the_app() {
        let forbidden = Err::<(), _>(classify_status(StatusCode::FORBIDDEN, None, ""));
        assert!(matches!(
            classify_verification(AppKind::Sabnzbd, &forbidden),
            KeyVerdict::Rejected { .. }
        ));
        assert!(matches!(
            classify_verification(AppKind::Jellyseerr, &forbidden),
            KeyVerdict::Rejected { .. }
        ));
        assert!(matches!(
            classify_verification(AppKind::Sonarr, &forbidden),
            KeyVerdict::Inconclusive { .. }
        ));
    }
}
