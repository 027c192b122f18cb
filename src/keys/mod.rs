//! API keys: where each app keeps its key, verification, drift against the cluster Secret, sync.
