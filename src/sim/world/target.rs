//! The target cluster (`brettswift/k8s_nas`, branch `live`) as a table of rows.
//! Facts from `shared/docs/target-cluster.md` §0–§3.

use super::build::{AppSpec, ConfigSrc, IngSpec, InitSpec, Probe, SvcSpec, Target, VpnSpec};
use crate::model::AppKind;

pub(crate) const HOST: &str = "home.brettswift.com";
pub(crate) const TLS: &str = "home-brettswift-com-tls";
pub(crate) const NAMESPACES: &[&str] = &[
    "media",
    "qbittorrent",
    "kube-system",
    "argocd",
    "monitoring",
    "cert-manager",
    "ingress-nginx",
    "homepage",
];

const DATA: (&str, &str, &str) = ("data", "/mnt/data", "/data");
const DOWNLOADS: (&str, &str, &str) = ("downloads", "/mnt/data/downloads", "/downloads");
const USENET: (&str, &str, &str) = ("usenet", "/mnt/data/usenet", "/usenet");

fn lsio_env() -> Vec<(&'static str, String)> {
    vec![
        ("PUID", "1000".into()),
        ("PGID", "1000".into()),
        ("TZ", "America/Denver".into()),
    ]
}

/// Path ingress on the shared host, no rewrite.
fn path_ingress(name: &'static str, path: &'static str) -> IngSpec {
    IngSpec {
        name,
        host: HOST,
        path,
        path_type: "Prefix",
        annotations: vec![
            ("nginx.ingress.kubernetes.io/ssl-redirect", "true"),
            ("nginx.ingress.kubernetes.io/backend-protocol", "HTTP"),
        ],
        tls_secret: Some(TLS),
    }
}

/// Subdomain ingress with external-dns CNAME annotations.
fn sub_ingress(name: &'static str, host: &'static str) -> IngSpec {
    IngSpec {
        name,
        host,
        path: "/",
        path_type: "Prefix",
        annotations: vec![
            ("nginx.ingress.kubernetes.io/ssl-redirect", "true"),
            ("nginx.ingress.kubernetes.io/backend-protocol", "HTTP"),
            ("external-dns.alpha.kubernetes.io/hostname", host),
            ("external-dns.alpha.kubernetes.io/target", HOST),
        ],
        tls_secret: Some(TLS),
    }
}

fn svc(name: &'static str, port: u16) -> Option<SvcSpec> {
    Some(SvcSpec {
        name,
        port,
        port_name: Some("http"),
        target: Target::Number,
        extra: vec![],
    })
}

/// The init script that forces a Servarr `<UrlBase>` in `/config/config.xml`.
pub(crate) fn servarr_urlbase_init(app: &str, base: &str) -> String {
    format!(
        r#"set -e
CONFIG=/config/config.xml
if [ -f "$CONFIG" ]; then
  if grep -q '<UrlBase>' "$CONFIG"; then
    sed -i 's|<UrlBase>.*</UrlBase>|<UrlBase>{base}</UrlBase>|' "$CONFIG"
  else
    sed -i 's|</Config>|  <UrlBase>{base}</UrlBase>\n</Config>|' "$CONFIG"
  fi
else
  printf '<Config>\n  <UrlBase>{base}</UrlBase>\n</Config>\n' > "$CONFIG"
fi
echo "{app}: UrlBase forced to {base}"
"#
    )
}

fn init(name: &'static str, image: &'static str, script: String) -> Option<InitSpec> {
    Some(InitSpec {
        name,
        image,
        script,
        configmaps: vec![],
    })
}

fn servarr(
    kind: AppKind,
    name: &'static str,
    port: u16,
    base: &'static str,
    ingress: &'static str,
) -> AppSpec {
    AppSpec {
        env: lsio_env(),
        // The key Secret's values as env vars: the console finds the key Secret by this.
        env_from: vec!["starr-secrets"],
        probe: Probe::Http("/ping"),
        // Slow starters (database migrations at start): a startup probe; Recreate, as a RWO
        // config claim needs.
        startup: true,
        recreate: true,
        data_mounts: vec![DATA, DOWNLOADS, USENET],
        service: svc(name, port),
        ingresses: vec![path_ingress(ingress, base)],
        url_base: base,
        ..AppSpec::new(
            Some(kind),
            "media",
            name,
            match kind {
                AppKind::Sonarr => "docker.io/linuxserver/sonarr:4.0.15",
                AppKind::Radarr => "docker.io/linuxserver/radarr:5.26.2",
                AppKind::Lidarr => "docker.io/linuxserver/lidarr:2.13.1",
                _ => "docker.io/linuxserver/prowlarr:1.37.0",
            },
            port,
        )
    }
}

/// Rows of the nine apps and of the noise around them.
pub(crate) fn rows() -> Vec<AppSpec> {
    let mut rows = vec![];
    rows.push(AppSpec {
        init: init(
            "sonarr-config-init",
            "alpine:3.20",
            servarr_urlbase_init("sonarr", "/sonarr"),
        ),
        config: ConfigSrc::HostPath("/mnt/data/configs/sonarr"),
        ..servarr(AppKind::Sonarr, "sonarr", 8989, "/sonarr", "sonarr-ingress")
    });
    rows.push(AppSpec {
        init: init(
            "radarr-config-init",
            "alpine:3.20",
            servarr_urlbase_init("radarr", "/radarr"),
        ),
        config: ConfigSrc::HostPath("/mnt/data/configs/radarr"),
        ..servarr(AppKind::Radarr, "radarr", 7878, "/radarr", "radarr-ingress")
    });
    let mut lidarr_ing = path_ingress("lidarr-ingress", "/lidarr");
    lidarr_ing
        .annotations
        .push(("nginx.ingress.kubernetes.io/rewrite-target", "/"));
    rows.push(AppSpec {
        probe: Probe::Http("/lidarr/ping"),
        config: ConfigSrc::Pvc {
            claim: "lidarr-config",
            size: "10Gi",
        },
        data_mounts: vec![DATA],
        ingresses: vec![lidarr_ing],
        ..servarr(AppKind::Lidarr, "lidarr", 8686, "/lidarr", "")
    });
    rows.push(AppSpec {
        init: init(
            "prowlarr-config-init",
            "alpine:3.20",
            servarr_urlbase_init("prowlarr", "/prowlarr"),
        ),
        config: ConfigSrc::Pvc {
            claim: "prowlarr-config",
            size: "10Gi",
        },
        data_mounts: vec![],
        ..servarr(
            AppKind::Prowlarr,
            "prowlarr",
            9696,
            "/prowlarr",
            "prowlarr-ingress",
        )
    });
    rows.push(AppSpec {
        env: lsio_env(),
        probe: Probe::Http("/api/system/ping"),
        recreate: true,
        init: init(
            "bazarr-config-init",
            "alpine:3.20",
            "set -e\nCFG=/config/config/config.yaml\nif [ -f \"$CFG\" ]; then\n  \
             sed -i '/^[[:space:]]*base_url:/d' \"$CFG\"\nfi\n"
                .into(),
        ),
        config: ConfigSrc::Pvc {
            claim: "bazarr-config",
            size: "10Gi",
        },
        data_mounts: vec![DATA],
        service: svc("bazarr", 6767),
        ingresses: vec![sub_ingress("bazarr-ingress", "bazarr.home.brettswift.com")],
        ..AppSpec::new(
            Some(AppKind::Bazarr),
            "media",
            "bazarr",
            "docker.io/linuxserver/bazarr:1.5.2",
            6767,
        )
    });
    rows.push(AppSpec {
        env: vec![
            ("LOG_LEVEL", "debug".into()),
            ("TZ", "America/Denver".into()),
            (
                "SONARR_API_KEY",
                "secret:starr-secrets/SONARR_API_KEY".into(),
            ),
            (
                "RADARR_API_KEY",
                "secret:starr-secrets/RADARR_API_KEY".into(),
            ),
        ],
        probe: Probe::Http("/api/v1/status"),
        recreate: true,
        init: init(
            "jellyseerr-config-init",
            "fallenbagel/jellyseerr:2.7.3",
            "node -e \"const fs=require('fs');const p='/app/config/settings.json';\
             const s=fs.existsSync(p)?JSON.parse(fs.readFileSync(p)):{};\
             s.sonarr=[{name:'Sonarr',hostname:'sonarr',port:8989,baseUrl:'',useSsl:false,\
             apiKey:process.env.SONARR_API_KEY,activeDirectory:'/data/media/series'}];\
             s.radarr=[{name:'Radarr',hostname:'radarr',port:7878,baseUrl:'',useSsl:false,\
             apiKey:process.env.RADARR_API_KEY,activeDirectory:'/data/media/movies'}];\
             fs.writeFileSync(p,JSON.stringify(s,null,2));\""
                .into(),
        ),
        config_mount: "/app/config",
        config: ConfigSrc::Pvc {
            claim: "jellyseerr-config",
            size: "10Gi",
        },
        service: svc("jellyseerr", 5055),
        ingresses: vec![sub_ingress(
            "jellyseerr-ingress",
            "jellyseerr.home.brettswift.com",
        )],
        ..AppSpec::new(
            Some(AppKind::Jellyseerr),
            "media",
            "jellyseerr",
            "fallenbagel/jellyseerr:2.7.3",
            5055,
        )
    });
    rows.push(AppSpec {
        env: {
            let mut e = lsio_env();
            e.push(("HOST_WHITELIST_ENTRIES", "sabnzbd,sabnzbd.media.svc.cluster.local".into()));
            e
        },
        probe: Probe::Tcp,
        init: init(
            "sab-config-init",
            "alpine:3.20",
            "set -e\nINI=/config/sabnzbd.ini\n[ -f \"$INI\" ] || printf '[misc]\\n' > \"$INI\"\n\
             sed -i 's|^url_base = .*|url_base = /sabnzbd|' \"$INI\"\n\
             grep -q '^url_base' \"$INI\" || sed -i 's|^\\[misc\\]|[misc]\\nurl_base = /sabnzbd|' \"$INI\"\n\
             sed -i 's|^complete_dir = .*|complete_dir = /data/usenet/complete|' \"$INI\"\n\
             sed -i 's|^download_dir = .*|download_dir = /data/usenet/incomplete|' \"$INI\"\n"
                .into(),
        ),
        config: ConfigSrc::Pvc {
            claim: "sabnzbd-config",
            size: "10Gi",
        },
        data_mounts: vec![DATA],
        vpn: Some(VpnSpec {
            container: "vpn",
            image: "qmcgaw/gluetun:latest",
            env: vec![
                ("VPN_SERVICE_PROVIDER", "custom"),
                ("VPN_TYPE", "wireguard"),
                ("WIREGUARD_PRIVATE_KEY", "secret:sabnzbd-wireguard-config/WIREGUARD_PRIVATE_KEY"),
                ("WIREGUARD_ADDRESSES", "secret:sabnzbd-wireguard-config/WIREGUARD_ADDRESSES"),
                ("WIREGUARD_PUBLIC_KEY", "secret:sabnzbd-wireguard-config/WIREGUARD_PUBLIC_KEY"),
                ("WIREGUARD_ENDPOINT_IP", "secret:sabnzbd-wireguard-config/WIREGUARD_ENDPOINT_IP"),
                ("WIREGUARD_ENDPOINT_PORT", "secret:sabnzbd-wireguard-config/WIREGUARD_ENDPOINT_PORT"),
                ("DOT", "off"),
                ("FIREWALL_VPN_INPUT_PORTS", ""),
            ],
            ports: vec![],
            exec_probe: Some("wget -q -O- --timeout=3 http://127.0.0.1:9999"),
        }),
        service: svc("sabnzbd", 8080),
        ingresses: vec![path_ingress("sabnzbd-ingress", "/sabnzbd")],
        url_base: "/sabnzbd",
        recreate: true,
        restarts: 2,
        ..AppSpec::new(
            Some(AppKind::Sabnzbd),
            "media",
            "sabnzbd",
            "docker.io/linuxserver/sabnzbd:4.5.2",
            8080,
        )
    });
    rows.push(AppSpec {
        probe: Probe::Http("/"),
        recreate: true,
        env: {
            let mut e = lsio_env();
            e.push(("WEBUI_PORT", "8080".into()));
            e.push((
                "DOCKER_MODS",
                "ghcr.io/vuetorrent/vuetorrent-lsio-mod:latest".into(),
            ));
            e.push((
                "WEBUI_PASSWORD",
                "secret:qbittorrent-secrets/WEBUI_PASSWORD".into(),
            ));
            e
        },
        init: init(
            "script-setup",
            "alpine:latest",
            "cp /scripts/*.sh /config/ && chmod +x /config/*.sh".into(),
        ),
        config: ConfigSrc::Pvc {
            claim: "qbittorrent-config",
            size: "5Gi",
        },
        data_mounts: vec![("downloads", "/mnt/data/downloads", "/downloads"), DATA],
        configmap_mounts: vec![("qbittorrent-scripts", "/scripts")],
        vpn: Some(VpnSpec {
            container: "vpn",
            image: "qmcgaw/gluetun:latest",
            env: vec![
                ("VPN_SERVICE_PROVIDER", "ipvanish"),
                ("VPN_TYPE", "openvpn"),
                ("OPENVPN_PROTOCOL", "udp"),
                ("OPENVPN_USER", "secret:vpn-secrets/OPENVPN_USER"),
                ("OPENVPN_PASSWORD", "secret:vpn-secrets/OPENVPN_PASSWORD"),
                ("SERVER_COUNTRIES", "Canada,United States"),
                ("OPENVPN_ENDPOINT_IP", ""),
                ("DOT", "off"),
                ("FIREWALL_VPN_INPUT_PORTS", "6881"),
            ],
            ports: vec![(6881, "TCP", "bt-tcp"), (6881, "UDP", "bt-udp")],
            exec_probe: None,
        }),
        service: svc("qbittorrent", 8080),
        ingresses: vec![sub_ingress(
            "qbittorrent-ingress-nginx",
            "qbittorrent.home.brettswift.com",
        )],
        ..AppSpec::new(
            Some(AppKind::Qbittorrent),
            "qbittorrent",
            "qbittorrent",
            "ghcr.io/linuxserver/qbittorrent:5.1.2",
            8080,
        )
    });
    let mut jf_regex = path_ingress("jellyfin-ingress", "/jellyfin/(.*)");
    jf_regex.path_type = "ImplementationSpecific";
    jf_regex
        .annotations
        .push(("nginx.ingress.kubernetes.io/use-regex", "true"));
    jf_regex
        .annotations
        .push(("nginx.ingress.kubernetes.io/rewrite-target", "/$1"));
    let jf_redirect = IngSpec {
        name: "jellyfin-slash-redirect",
        host: HOST,
        path: "/jellyfin",
        path_type: "Exact",
        annotations: vec![(
            "nginx.ingress.kubernetes.io/permanent-redirect",
            "https://home.brettswift.com/jellyfin/",
        )],
        tls_secret: Some(TLS),
    };
    rows.push(AppSpec {
        probe: Probe::Http("/jellyfin/health"),
        startup: true,
        recreate: true,
        extra_ports: vec![(7359, "UDP", "discovery"), (1900, "UDP", "dlna")],
        env: vec![
            ("NVIDIA_VISIBLE_DEVICES", "all".into()),
            ("NVIDIA_DRIVER_CAPABILITIES", "all".into()),
        ],
        init: Some(InitSpec {
            name: "apply-xml-overrides",
            image: "alpine:latest",
            script: "apk add --no-cache xmlstarlet >/dev/null\n\
                     for f in /overrides/*.xml; do cp -n \"$f\" /config/ || true; done\n\
                     xmlstarlet ed -L -u '//BaseUrl' -v \"$(xmlstarlet sel -t -v '//BaseUrl' /overrides/network.xml)\" /config/network.xml\n"
                .into(),
            configmaps: vec![("jellyfin-config", "/overrides")],
        }),
        config: ConfigSrc::Pvc {
            claim: "jellyfin-config",
            size: "10Gi",
        },
        data_mounts: vec![("media", "/mnt/data", "/media"), ("dri", "/dev/dri", "/dev/dri")],
        service: Some(SvcSpec {
            name: "jellyfin",
            port: 80,
            port_name: Some("http"),
            target: Target::Number,
            extra: vec![(7359, "UDP", "discovery"), (1900, "UDP", "dlna")],
        }),
        ingresses: vec![jf_regex, jf_redirect],
        url_base: "/jellyfin",
        ..AppSpec::new(
            Some(AppKind::Jellyfin),
            "media",
            "jellyfin",
            "jellyfin/jellyfin:10.10.7",
            8096,
        )
    });
    rows.extend(noise());
    rows
}

/// Workloads that are not apps: discovery must not report them.
fn noise() -> Vec<AppSpec> {
    vec![
        AppSpec {
            port_name: None,
            env: vec![
                (
                    "UN_SONARR_0_URL",
                    "http://sonarr.media.svc.cluster.local:8989".into(),
                ),
                (
                    "UN_SONARR_0_API_KEY",
                    "secret:starr-secrets/SONARR_API_KEY".into(),
                ),
                (
                    "UN_RADARR_0_URL",
                    "http://radarr.media.svc.cluster.local:7878".into(),
                ),
                (
                    "UN_RADARR_0_API_KEY",
                    "secret:starr-secrets/RADARR_API_KEY".into(),
                ),
                ("UN_DEBUG", "true".into()),
            ],
            data_mounts: vec![
                ("torrents", "/mnt/data/downloads", "/data/torrents"),
                USENET,
            ],
            ..AppSpec::new(None, "media", "unpackerr", "golift/unpackerr:latest", 0)
        },
        AppSpec {
            no_pods: true,
            service: svc("flaresolverr", 8191),
            ..AppSpec::new(
                None,
                "media",
                "flaresolverr",
                "ghcr.io/flaresolverr/flaresolverr:latest",
                8191,
            )
        },
        AppSpec {
            probe: Probe::Http("/api/healthcheck"),
            service: svc("homepage", 3000),
            ingresses: vec![sub_ingress("homepage", "dash.home.brettswift.com")],
            ..AppSpec::new(
                None,
                "homepage",
                "homepage",
                "ghcr.io/gethomepage/homepage:latest",
                3000,
            )
        },
        AppSpec {
            labels: vec![
                ("app.kubernetes.io/name", "ingress-nginx"),
                ("app.kubernetes.io/component", "controller"),
            ],
            container: "controller",
            extra_ports: vec![(443, "TCP", "https")],
            port_name: Some("http"),
            recreate: true,
            ..AppSpec::new(
                None,
                "ingress-nginx",
                "ingress-nginx-controller",
                "registry.k8s.io/ingress-nginx/controller:v1.15.1",
                80,
            )
        },
        AppSpec {
            labels: vec![("app.kubernetes.io/name", "cert-manager")],
            container: "cert-manager-controller",
            ..AppSpec::new(
                None,
                "cert-manager",
                "cert-manager",
                "quay.io/jetstack/cert-manager-controller:v1.18.2",
                9402,
            )
        },
        AppSpec {
            labels: vec![("app.kubernetes.io/name", "argocd-server")],
            probe: Probe::Http("/healthz?full=true"),
            service: Some(SvcSpec {
                name: "argocd-server",
                port: 80,
                port_name: Some("http"),
                target: Target::Number,
                extra: vec![],
            }),
            ..AppSpec::new(
                None,
                "argocd",
                "argocd-server",
                "quay.io/argoproj/argocd:v3.1.8",
                8080,
            )
        },
        AppSpec {
            probe: Probe::Http("/-/healthy"),
            config: ConfigSrc::Pvc {
                claim: "prometheus-data",
                size: "20Gi",
            },
            config_mount: "/prometheus",
            service: svc("prometheus", 9090),
            ..AppSpec::new(
                None,
                "monitoring",
                "prometheus",
                "prom/prometheus:v3.5.0",
                9090,
            )
        },
        AppSpec {
            labels: vec![("k8s-app", "kube-dns")],
            container: "coredns",
            probe: Probe::Http("/health"),
            ..AppSpec::new(
                None,
                "kube-system",
                "coredns",
                "rancher/mirrored-coredns-coredns:1.12.3",
                53,
            )
        },
        AppSpec {
            labels: vec![("app.kubernetes.io/name", "traefik")],
            probe: Probe::Http("/ping"),
            ..AppSpec::new(
                None,
                "kube-system",
                "traefik",
                "rancher/mirrored-library-traefik:3.3.6",
                8000,
            )
        },
        AppSpec {
            ..AppSpec::new(
                None,
                "kube-system",
                "local-path-provisioner",
                "rancher/local-path-provisioner:v0.0.31",
                0,
            )
        },
    ]
}
