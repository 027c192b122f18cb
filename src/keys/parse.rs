//! Where each application keeps its API key, and how to read it out of that file.
//!
//! Paths are relative to the root of the app's config volume (what discovery reports in
//! [`crate::model::ConfigVolume`]), so the same value works for a node path, a pod exec
//! (`<mount path>/<file>`) or a backup archive.
//!
//! | app | file (relative to the config volume) | where the key is |
//! |---|---|---|
//! | Sonarr, Radarr, Lidarr, Prowlarr | `config.xml` | `<Config><ApiKey>` |
//! | SABnzbd | `sabnzbd.ini` | `[misc] api_key` (not `nzb_key`, which only adds NZBs) |
//! | Bazarr | `config/config.yaml` | `auth.apikey` |
//! | Jellyseerr | `settings.json` (volume mounted at `/app/config`) | `main.apiKey` |
//!
//! Jellyfin and qBittorrent keep no single API key in a file: Jellyfin keys are created in its
//! dashboard, qBittorrent uses a password. Note that the Servarr apps accept an environment
//! override (`SONARR__AUTH__APIKEY`) and Jellyseerr `API_KEY`; those win over the file, which is
//! why the key found here is always verified against the running app.

use crate::model::{AppKind, Secret};
use thiserror::Error;

/// The format of a key-holding file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeyFormat {
    /// Servarr `config.xml`, element `<ApiKey>`.
    ServarrXml,
    /// SABnzbd `sabnzbd.ini`, `[misc] api_key`.
    SabnzbdIni,
    /// Bazarr `config/config.yaml`, `auth.apikey`.
    BazarrYaml,
    /// Jellyseerr `settings.json`, `main.apiKey`.
    SeerrJson,
}

/// Where one kind of app keeps its key.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct KeyFile {
    /// Path relative to the root of the config volume.
    pub rel_path: &'static str,
    pub format: KeyFormat,
    /// Human description of the location inside the file.
    pub locator: &'static str,
}

/// The key file of `kind`, or `None` when the app keeps no API key in a file.
pub fn key_file(kind: AppKind) -> Option<KeyFile> {
    match kind {
        AppKind::Sonarr | AppKind::Radarr | AppKind::Lidarr | AppKind::Prowlarr => Some(KeyFile {
            rel_path: "config.xml",
            format: KeyFormat::ServarrXml,
            locator: "<ApiKey>",
        }),
        AppKind::Sabnzbd => Some(KeyFile {
            rel_path: "sabnzbd.ini",
            format: KeyFormat::SabnzbdIni,
            locator: "[misc] api_key",
        }),
        AppKind::Bazarr => Some(KeyFile {
            rel_path: "config/config.yaml",
            format: KeyFormat::BazarrYaml,
            locator: "auth.apikey",
        }),
        AppKind::Jellyseerr => Some(KeyFile {
            rel_path: "settings.json",
            format: KeyFormat::SeerrJson,
            locator: "main.apiKey",
        }),
        AppKind::Jellyfin | AppKind::Qbittorrent => None,
    }
}

/// Why a key could not be found. Messages never contain a key.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum KeyError {
    #[error("{0} keeps no API key in a config file")]
    NotSupported(AppKind),
    #[error("no config volume was discovered for {0}")]
    NoConfigVolume(String),
    #[error("the config volume of {0} has no known node path (set it in the config file)")]
    NoNodePath(String),
    #[error("{path} does not exist")]
    FileMissing { path: String },
    #[error("cannot read {path}: {why}")]
    Unreadable { path: String, why: String },
    #[error("{file} is not valid: {why}")]
    Malformed { file: String, why: String },
    #[error("{file} has no {locator}")]
    NoKey { file: String, locator: String },
    #[error("{file} has an empty {locator}")]
    EmptyKey { file: String, locator: String },
    #[error("no key was supplied for {0}")]
    NotSupplied(String),
}

/// Read the API key of `kind` out of the text of its key file.
pub fn parse_key(kind: AppKind, text: &str) -> Result<Secret, KeyError> {
    let file = key_file(kind).ok_or(KeyError::NotSupported(kind))?;
    let found = match file.format {
        KeyFormat::ServarrXml => parse_servarr_xml(text),
        KeyFormat::SabnzbdIni => parse_sabnzbd_ini(text),
        KeyFormat::BazarrYaml => parse_bazarr_yaml(text),
        KeyFormat::SeerrJson => parse_seerr_json(text),
    };
    let malformed = |why: String| KeyError::Malformed {
        file: file.rel_path.to_string(),
        why,
    };
    match found.map_err(malformed)? {
        None => Err(KeyError::NoKey {
            file: file.rel_path.to_string(),
            locator: file.locator.to_string(),
        }),
        Some(v) if v.trim().is_empty() => Err(KeyError::EmptyKey {
            file: file.rel_path.to_string(),
            locator: file.locator.to_string(),
        }),
        Some(v) => Ok(Secret::new(v.trim())),
    }
}

/// `<Config>…<ApiKey>value</ApiKey>…</Config>`, read with a real XML parser: comments, CDATA,
/// character and numeric entities are handled (a commented-out `<!-- <ApiKey>old</ApiKey> -->`
/// is not the key). A self-closing `<ApiKey/>` is an empty key. Errors give the position, not
/// the text.
fn parse_servarr_xml(text: &str) -> Result<Option<String>, String> {
    let opts = roxmltree::ParsingOptions {
        allow_dtd: false,
        ..Default::default()
    };
    let doc = roxmltree::Document::parse_with_options(text, opts).map_err(|e| {
        let p = e.pos();
        format!("not well-formed XML (line {}, column {})", p.row, p.col)
    })?;
    let root = doc.root_element();
    if root.tag_name().name() != "Config" {
        return Err("no <Config> root element".into());
    }
    let Some(key) = root
        .children()
        .find(|n| n.is_element() && n.tag_name().name() == "ApiKey")
    else {
        return Ok(None);
    };
    let value: String = key
        .descendants()
        .filter(|n| n.is_text())
        .filter_map(|n| n.text())
        .collect();
    Ok(Some(value))
}

/// ConfigObj INI: `[misc]` section, `api_key = value` (values may be quoted). Sub-sections
/// (`[[name]]`) belong to the enclosing top-level section and are skipped.
fn parse_sabnzbd_ini(text: &str) -> Result<Option<String>, String> {
    let mut in_misc = false;
    let mut saw_section = false;
    for raw in text.lines() {
        let line = raw.trim();
        if line.is_empty() || line.starts_with('#') || line.starts_with(';') {
            continue;
        }
        if line.starts_with('[') {
            saw_section = true;
            let depth = line.chars().take_while(|c| *c == '[').count();
            if depth == 1 {
                let name = line.trim_matches(|c| c == '[' || c == ']').trim();
                in_misc = name.eq_ignore_ascii_case("misc");
            } else if depth > 1 {
                // Nested sections only exist under [servers], [categories] …; a nested section
                // ends the flat part of [misc].
                in_misc = false;
            }
            continue;
        }
        if !in_misc {
            continue;
        }
        if let Some((k, v)) = line.split_once('=') {
            if k.trim() == "api_key" {
                return Ok(Some(unquote(v.trim()).to_string()));
            }
        }
    }
    if !saw_section {
        return Err("no [sections] found".into());
    }
    Ok(None)
}

fn unquote(v: &str) -> &str {
    for q in ['"', '\''] {
        if v.len() >= 2 && v.starts_with(q) && v.ends_with(q) {
            return &v[1..v.len() - 1];
        }
    }
    v
}

/// Dynaconf YAML: `auth: { apikey: … }`.
fn parse_bazarr_yaml(text: &str) -> Result<Option<String>, String> {
    let doc: serde_yaml_ng::Value = match serde_yaml_ng::from_str(text) {
        Ok(d) => d,
        // A number too large for the YAML parser (an all-digit key) fails the whole document;
        // fall back to reading the block by lines.
        Err(e) => {
            return scan_yaml_block(text, "auth", "apikey")
                .ok_or_else(|| crate::bounds::without_values(&e.to_string()))
        }
    };
    let Some(auth) = doc.get("auth") else {
        return Ok(None);
    };
    Ok(match auth.get("apikey") {
        None | Some(serde_yaml_ng::Value::Null) => None,
        Some(serde_yaml_ng::Value::String(s)) => Some(s.clone()),
        // An all-digit key parses as a number; keep its text.
        Some(serde_yaml_ng::Value::Number(n)) => Some(n.to_string()),
        Some(_) => return Err("auth.apikey is not a string".into()),
    })
}

/// `section:` at column 0, then an indented `key: value` before the next top-level line.
fn scan_yaml_block(text: &str, section: &str, key: &str) -> Option<Option<String>> {
    let mut inside = false;
    let mut saw_section = false;
    for line in text.lines() {
        if line.trim().is_empty() || line.trim_start().starts_with('#') {
            continue;
        }
        let indented = line.starts_with(' ') || line.starts_with('\t');
        if !indented {
            inside = line.trim_end() == format!("{section}:");
            saw_section |= inside;
            continue;
        }
        if inside {
            if let Some((k, v)) = line.trim().split_once(':') {
                if k.trim() == key {
                    let v = v.trim();
                    return Some(match v {
                        "" | "null" | "~" => None,
                        _ => Some(unquote(v).to_string()),
                    });
                }
            }
        }
    }
    saw_section.then_some(None)
}

/// Jellyseerr `settings.json`: `{"main": {"apiKey": …}}`.
fn parse_seerr_json(text: &str) -> Result<Option<String>, String> {
    let doc: serde_json::Value = serde_json::from_str(text)
        .map_err(|e| format!("not valid JSON (line {}, column {})", e.line(), e.column()))?;
    Ok(match doc.pointer("/main/apiKey") {
        None | Some(serde_json::Value::Null) => None,
        Some(serde_json::Value::String(s)) => Some(s.clone()),
        Some(_) => return Err("main.apiKey is not a string".into()),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const SONARR_XML: &str = "<Config>\n  <BindAddress>*</BindAddress>\n  <Port>8989</Port>\n  \
        <ApiKey>0123456789abcdef0123456789abcdef</ApiKey>\n  <UrlBase>/sonarr</UrlBase>\n</Config>\n";

    #[test]
    fn servarr_config_xml() {
        let k = parse_key(AppKind::Sonarr, SONARR_XML).unwrap();
        assert_eq!(k.expose(), "0123456789abcdef0123456789abcdef");
        // Lidarr/Prowlarr share the file shape.
        assert_eq!(
            parse_key(AppKind::Prowlarr, SONARR_XML).unwrap().expose(),
            "0123456789abcdef0123456789abcdef"
        );
    }

    #[test]
    fn servarr_missing_empty_and_broken() {
        let no_key = "<Config><Port>8989</Port></Config>";
        assert!(matches!(
            parse_key(AppKind::Radarr, no_key),
            Err(KeyError::NoKey { .. })
        ));
        assert!(matches!(
            parse_key(AppKind::Radarr, "<Config><ApiKey></ApiKey></Config>"),
            Err(KeyError::EmptyKey { .. })
        ));
        assert!(matches!(
            parse_key(AppKind::Radarr, "<Config><ApiKey /></Config>"),
            Err(KeyError::EmptyKey { .. })
        ));
        assert!(matches!(
            parse_key(AppKind::Radarr, "<Config><ApiKey>abc"),
            Err(KeyError::Malformed { .. })
        ));
        assert!(matches!(
            parse_key(AppKind::Radarr, "not xml at all"),
            Err(KeyError::Malformed { .. })
        ));
        // comments, CDATA and numeric entities
        let tricky = "<?xml version=\"1.0\"?><!-- <ApiKey>old</ApiKey> --><Config>\
                      <!-- <ApiKey>older</ApiKey> --><ApiKey><![CDATA[ab]]>&#99;&#x64;&amp;</ApiKey></Config>";
        assert_eq!(
            parse_key(AppKind::Radarr, tricky).unwrap().expose(),
            "abcd&"
        );
        // <ApiKeyOld> is not <ApiKey>.
        let lookalike = "<Config><ApiKeyOld>x</ApiKeyOld><ApiKey>real</ApiKey></Config>";
        assert_eq!(
            parse_key(AppKind::Radarr, lookalike).unwrap().expose(),
            "real"
        );
    }

    #[test]
    fn sabnzbd_ini_takes_api_key_not_nzb_key() {
        let ini = "__version__ = 19\n[misc]\nnzb_key = aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\n\
            host = 0.0.0.0\napi_key = \"bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb\"\nurl_base = /sabnzbd\n\
            [servers]\n[[news.example.com]]\napi_key = not-this-one\n";
        let k = parse_key(AppKind::Sabnzbd, ini).unwrap();
        assert_eq!(k.expose(), "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb");
        let only_nzb = "[misc]\nnzb_key = aaaa\n[servers]\n";
        assert!(matches!(
            parse_key(AppKind::Sabnzbd, only_nzb),
            Err(KeyError::NoKey { .. })
        ));
        let key_elsewhere = "[misc]\nhost = x\n[other]\napi_key = wrong\n";
        assert!(matches!(
            parse_key(AppKind::Sabnzbd, key_elsewhere),
            Err(KeyError::NoKey { .. })
        ));
    }

    #[test]
    fn bazarr_yaml() {
        let y = "general:\n  port: 6767\n  base_url: ''\nauth:\n  type: null\n  apikey: cccccccccccccccccccccccccccccccc\n";
        assert_eq!(
            parse_key(AppKind::Bazarr, y).unwrap().expose(),
            "cccccccccccccccccccccccccccccccc"
        );
        assert!(matches!(
            parse_key(AppKind::Bazarr, "general:\n  port: 6767\n"),
            Err(KeyError::NoKey { .. })
        ));
        assert!(matches!(
            parse_key(AppKind::Bazarr, "auth: [unclosed"),
            Err(KeyError::Malformed { .. })
        ));
    }

    #[test]
    fn seerr_json() {
        let j = r#"{"clientId":"x","main":{"apiKey":"MTcwMDAwMDAwMDAwMGFiYw==","applicationTitle":"Jellyseerr"}}"#;
        assert_eq!(
            parse_key(AppKind::Jellyseerr, j).unwrap().expose(),
            "MTcwMDAwMDAwMDAwMGFiYw=="
        );
        assert!(matches!(
            parse_key(AppKind::Jellyseerr, r#"{"main":{}}"#),
            Err(KeyError::NoKey { .. })
        ));
        assert!(matches!(
            parse_key(AppKind::Jellyseerr, "{\"main\":"),
            Err(KeyError::Malformed { .. })
        ));
    }

    #[test]
    fn kinds_without_a_key_file() {
        assert_eq!(key_file(AppKind::Jellyfin), None);
        assert!(matches!(
            parse_key(AppKind::Qbittorrent, ""),
            Err(KeyError::NotSupported(AppKind::Qbittorrent))
        ));
        assert_eq!(
            key_file(AppKind::Bazarr).unwrap().rel_path,
            "config/config.yaml"
        );
    }

    #[test]
    fn errors_never_contain_the_key() {
        let e = parse_key(AppKind::Sonarr, "<Config><ApiKey>secretvalue").unwrap_err();
        assert!(!e.to_string().contains("secretvalue"));
    }
}
