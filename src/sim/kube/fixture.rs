//! A small world for tests and examples: namespace `media` with Sonarr (Deployment, Service,
//! Ingress, PVC) and qBittorrent behind a gluetun sidecar, one node. The full target cluster
//! lives in `sim::world`; this is only enough to exercise the API server. The cert-manager and
//! Argo CD CRDs are installed (no custom resources), so tests can create them.

use serde_json::{json, Value};

/// Objects for [`super::KubeSim::start`].
pub fn small_media_world() -> Vec<Value> {
    let created = "2026-01-01T00:00:00Z";
    let ns = |name: &str| json!({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": name, "creationTimestamp": created}, "status": {"phase": "Active"}});
    let mut objects = crate::sim::world::crds::cert_manager(created);
    objects.extend(crate::sim::world::crds::argo_cd(created));
    objects.extend([
        ns("default"),
        ns("kube-system"),
        ns("media"),
        json!({"apiVersion": "v1", "kind": "Node", "metadata": {"name": "nas", "creationTimestamp": created,
            "labels": {"kubernetes.io/hostname": "nas", "node-role.kubernetes.io/control-plane": "true"}},
            "status": {"conditions": [{"type": "Ready", "status": "True", "reason": "KubeletReady"}],
                "addresses": [{"type": "InternalIP", "address": "192.168.1.10"}, {"type": "Hostname", "address": "nas"}],
                "capacity": {"cpu": "8", "memory": "32Gi", "pods": "110", "ephemeral-storage": "500Gi"},
                "allocatable": {"cpu": "8", "memory": "32Gi", "pods": "110", "ephemeral-storage": "500Gi"},
                "nodeInfo": {"kubeletVersion": "v1.32.4+k3s1", "architecture": "amd64", "operatingSystem": "linux", "osImage": "Debian GNU/Linux 12 (bookworm)",
                    "kernelVersion": "6.1.0-28-amd64", "containerRuntimeVersion": "containerd://1.7.23-k3s2"}}}),
        deployment("sonarr", "lscr.io/linuxserver/sonarr:4.0.19", 8989, false),
        service("sonarr", 8989),
        deployment(
            "qbittorrent",
            "lscr.io/linuxserver/qbittorrent:5.1.0",
            8080,
            true,
        ),
        service("qbittorrent", 8080),
        json!({"apiVersion": "networking.k8s.io/v1", "kind": "Ingress",
            "metadata": {"name": "sonarr", "namespace": "media", "creationTimestamp": created},
            "spec": {"ingressClassName": "traefik", "rules": [{"host": "sonarr.nas.lan", "http": {"paths": [
                {"path": "/", "pathType": "Prefix", "backend": {"service": {"name": "sonarr", "port": {"number": 8989}}}}]}}]},
            "status": {"loadBalancer": {"ingress": [{"ip": "192.168.1.10"}]}}}),
        json!({"apiVersion": "v1", "kind": "PersistentVolumeClaim",
            "metadata": {"name": "sonarr-config", "namespace": "media", "creationTimestamp": created},
            "spec": {"accessModes": ["ReadWriteOnce"], "storageClassName": "local-path", "volumeName": "pvc-sonarr-config",
                "resources": {"requests": {"storage": "1Gi"}}, "volumeMode": "Filesystem"},
            "status": {"phase": "Bound", "accessModes": ["ReadWriteOnce"], "capacity": {"storage": "1Gi"}}}),
    ]);
    objects
}

fn deployment(name: &str, image: &str, port: u16, vpn: bool) -> Value {
    let mut containers = vec![json!({"name": name, "image": image,
        "ports": [{"name": "http", "containerPort": port, "protocol": "TCP"}],
        "volumeMounts": [{"name": "config", "mountPath": "/config"}],
        "readinessProbe": {"httpGet": {"path": "/ping", "port": "http"}}})];
    if vpn {
        containers.push(json!({"name": "gluetun", "image": "qmcgaw/gluetun:v3.40.0",
            "securityContext": {"capabilities": {"add": ["NET_ADMIN"]}}}));
    }
    json!({"apiVersion": "apps/v1", "kind": "Deployment",
        "metadata": {"name": name, "namespace": "media", "labels": {"app": name}, "creationTimestamp": "2026-01-01T00:00:00Z"},
        "spec": {"replicas": 1, "selector": {"matchLabels": {"app": name}},
            "template": {"metadata": {"labels": {"app": name}}, "spec": {"containers": containers,
                "volumes": [{"name": "config", "persistentVolumeClaim": {"claimName": format!("{name}-config")}}]}}}})
}

fn service(name: &str, port: u16) -> Value {
    json!({"apiVersion": "v1", "kind": "Service",
        "metadata": {"name": name, "namespace": "media", "labels": {"app": name}, "creationTimestamp": "2026-01-01T00:00:00Z"},
        "spec": {"type": "ClusterIP", "clusterIP": format!("10.43.0.{}", port % 200), "selector": {"app": name},
            "ports": [{"name": "http", "port": port, "targetPort": "http", "protocol": "TCP"}]}})
}
