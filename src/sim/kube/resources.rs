//! The table of built-in resource types (one line each; see [`super::registry::ResourceDef`]).
//! Custom resources are not listed here: they are served while a CustomResourceDefinition for
//! them exists in the store (see [`super::crd`]).

/// One built-in resource type, as written in the table below.
pub struct Builtin {
    pub group: &'static str,
    pub version: &'static str,
    pub plural: &'static str,
    pub singular: &'static str,
    pub kind: &'static str,
    pub namespaced: bool,
    pub short_names: &'static [&'static str],
    pub verbs: &'static [&'static str],
    pub subresources: &'static [(&'static str, &'static str)],
    pub categories: &'static [&'static str],
}

const RW: &[&str] = &[
    "create",
    "delete",
    "deletecollection",
    "get",
    "list",
    "patch",
    "update",
    "watch",
];
const CREATE: &[&str] = &["create"];
const READ: &[&str] = &["get", "list"];
const ALL: &[&str] = &["all"];
const NONE: &[&str] = &[];

macro_rules! res {
    ($g:expr, $v:expr, $p:expr, $s:expr, $k:expr, $ns:expr, $short:expr, $subs:expr, $cat:expr) => {
        res!($g, $v, $p, $s, $k, $ns, $short, $subs, $cat, RW)
    };
    ($g:expr, $v:expr, $p:expr, $s:expr, $k:expr, $ns:expr, $short:expr, $subs:expr, $cat:expr, $verbs:expr) => {
        Builtin {
            group: $g,
            version: $v,
            plural: $p,
            singular: $s,
            kind: $k,
            namespaced: $ns,
            short_names: $short,
            verbs: $verbs,
            subresources: $subs,
            categories: $cat,
        }
    };
}

/// Every built-in resource type, in discovery order.
#[rustfmt::skip]
pub static BUILTIN: &[Builtin] = &[
    res!("", "v1", "configmaps", "configmap", "ConfigMap", true, &["cm"], &[], NONE),
    res!("", "v1", "endpoints", "endpoints", "Endpoints", true, &["ep"], &[], NONE),
    res!("", "v1", "events", "event", "Event", true, &["ev"], &[], NONE),
    res!("", "v1", "limitranges", "limitrange", "LimitRange", true, &["limits"], &[], NONE),
    res!("", "v1", "namespaces", "namespace", "Namespace", false, &["ns"], &[("status", "Namespace")], NONE),
    res!("", "v1", "nodes", "node", "Node", false, &["no"], &[("status", "Node"), ("proxy", "NodeProxyOptions")], NONE),
    res!("", "v1", "persistentvolumeclaims", "persistentvolumeclaim", "PersistentVolumeClaim", true, &["pvc"], &[("status", "PersistentVolumeClaim")], NONE),
    res!("", "v1", "persistentvolumes", "persistentvolume", "PersistentVolume", false, &["pv"], &[("status", "PersistentVolume")], NONE),
    res!("", "v1", "pods", "pod", "Pod", true, &["po"], &[("exec", "PodExecOptions"), ("log", "Pod"), ("proxy", "PodProxyOptions"), ("status", "Pod")], ALL),
    res!("", "v1", "resourcequotas", "resourcequota", "ResourceQuota", true, &["quota"], &[("status", "ResourceQuota")], NONE),
    res!("", "v1", "secrets", "secret", "Secret", true, &[], &[], NONE),
    res!("", "v1", "serviceaccounts", "serviceaccount", "ServiceAccount", true, &["sa"], &[], NONE),
    res!("", "v1", "services", "service", "Service", true, &["svc"], &[("proxy", "ServiceProxyOptions"), ("status", "Service")], ALL),
    res!("apps", "v1", "deployments", "deployment", "Deployment", true, &["deploy"], &[("scale", "Scale"), ("status", "Deployment")], ALL),
    res!("apps", "v1", "replicasets", "replicaset", "ReplicaSet", true, &["rs"], &[("scale", "Scale"), ("status", "ReplicaSet")], ALL),
    res!("apps", "v1", "statefulsets", "statefulset", "StatefulSet", true, &["sts"], &[("scale", "Scale"), ("status", "StatefulSet")], ALL),
    res!("apps", "v1", "daemonsets", "daemonset", "DaemonSet", true, &["ds"], &[("status", "DaemonSet")], ALL),
    res!("batch", "v1", "cronjobs", "cronjob", "CronJob", true, &["cj"], &[("status", "CronJob")], ALL),
    res!("batch", "v1", "jobs", "job", "Job", true, &[], &[("status", "Job")], ALL),
    res!("networking.k8s.io", "v1", "ingresses", "ingress", "Ingress", true, &["ing"], &[("status", "Ingress")], NONE),
    res!("networking.k8s.io", "v1", "ingressclasses", "ingressclass", "IngressClass", false, &[], &[], NONE),
    res!("networking.k8s.io", "v1", "networkpolicies", "networkpolicy", "NetworkPolicy", true, &["netpol"], &[], NONE),
    res!("discovery.k8s.io", "v1", "endpointslices", "endpointslice", "EndpointSlice", true, &[], &[], NONE),
    res!("coordination.k8s.io", "v1", "leases", "lease", "Lease", true, &[], &[], NONE),
    res!("storage.k8s.io", "v1", "storageclasses", "storageclass", "StorageClass", false, &["sc"], &[], NONE),
    res!("policy", "v1", "poddisruptionbudgets", "poddisruptionbudget", "PodDisruptionBudget", true, &["pdb"], &[("status", "PodDisruptionBudget")], NONE),
    res!("rbac.authorization.k8s.io", "v1", "clusterrolebindings", "clusterrolebinding", "ClusterRoleBinding", false, &[], &[], NONE),
    res!("rbac.authorization.k8s.io", "v1", "clusterroles", "clusterrole", "ClusterRole", false, &[], &[], NONE),
    res!("rbac.authorization.k8s.io", "v1", "rolebindings", "rolebinding", "RoleBinding", true, &[], &[], NONE),
    res!("rbac.authorization.k8s.io", "v1", "roles", "role", "Role", true, &[], &[], NONE),
    res!("apiextensions.k8s.io", "v1", "customresourcedefinitions", "customresourcedefinition", "CustomResourceDefinition", false, &["crd", "crds"], &[("status", "CustomResourceDefinition")], &["api-extensions"]),
    res!("authorization.k8s.io", "v1", "selfsubjectaccessreviews", "selfsubjectaccessreview", "SelfSubjectAccessReview", false, NONE, &[], NONE, CREATE),
    res!("metrics.k8s.io", "v1beta1", "pods", "", "PodMetrics", true, NONE, &[], NONE, READ),
    res!("metrics.k8s.io", "v1beta1", "nodes", "", "NodeMetrics", false, NONE, &[], NONE, READ),
    res!("authorization.k8s.io", "v1", "selfsubjectrulesreviews", "selfsubjectrulesreview", "SelfSubjectRulesReview", false, NONE, &[], NONE, CREATE),
];
