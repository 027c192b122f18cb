//! A Kubernetes API server faithful enough for kube-rs watchers and the real `kubectl`.
