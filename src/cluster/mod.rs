//! Kubernetes access: client from kubeconfig, scoped watchers feeding snapshots, logs, describe.
