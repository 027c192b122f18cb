//! HTTP collectors: poll each app with jitter, timeouts, backoff, one request in flight per target.
