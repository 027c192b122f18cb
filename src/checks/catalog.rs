//! The catalog of finding codes: for each code its default severity, what it means, what to do
//! about it (templated where the fix names the subject: `{namespace}`, `{pod}` …) and a runbook
//! reference. Checks build every finding from an entry here, so a code exists in exactly one
//! place; the README's list of codes is tested against [`ALL`].
//!
//! Adding a code: one entry (two lines) in the `catalog!` block below (and the README list,
//! which the test keeps honest).

use crate::model::{Finding, ServiceId, Severity};

/// One finding code.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Entry {
    /// Dotted code (`pod.crashloop`). A family of codes ends in a `<Placeholder>`
    /// (`app.<HealthCheckSource>`): the check supplies the last part.
    pub code: &'static str,
    /// Severity unless the check has a reason to say otherwise (an app's own health check
    /// carries its level).
    pub severity: Severity,
    /// What the code means, for docs and `?`.
    pub meaning: &'static str,
    /// What to do; `{name}` placeholders are filled from the check's variables.
    pub remediation: &'static str,
    /// A runbook or documentation page, when there is one.
    pub runbook: Option<&'static str>,
}

/// Where the README documents keys and the integration graph (`k8s-nas keys`, `integrate`).
const README_KEYS: &str = "README.md#integrations-and-api-keys-issue-3";
/// Where the README documents the VPN check.
const README_VPN: &str = "README.md#vpn-issue-9";
/// Where the README documents backups and restore.
const README_BACKUPS: &str = "README.md#backups-and-restore-issue-11";
const CERT_MANAGER_DOCS: &str = "https://cert-manager.io/docs/troubleshooting/";
const ARGOCD_SYNC_DOCS: &str = "https://argo-cd.readthedocs.io/en/stable/user-guide/sync-kubectl/";
const ARGOCD_HEALTH_DOCS: &str = "https://argo-cd.readthedocs.io/en/stable/operator-manual/health/";
const K8S_DEBUG_PODS: &str = "https://kubernetes.io/docs/tasks/debug/debug-application/debug-pods/";
const K8S_CRONJOBS: &str = "https://kubernetes.io/docs/concepts/workloads/controllers/cron-jobs/";
const K8S_DEBUG_SERVICE: &str =
    "https://kubernetes.io/docs/tasks/debug/debug-application/debug-service/";

/// One code per entry, two lines: `NAME = "code", Severity, "meaning" [@ runbook],` and then
/// the remediation; an entry without `@ runbook` has its page in `docs/runbooks/`.
macro_rules! catalog {
    (@runbook) => { None };
    (@runbook $runbook:expr) => { Some($runbook) };
    ($( $(#[$doc:meta])* $name:ident = $code:literal, $sev:ident, $meaning:literal
        $(@ $runbook:expr)?, $fix:expr; )*) => {
        $( $(#[$doc])* pub const $name: Entry = Entry {
            code: $code,
            severity: Severity::$sev,
            meaning: $meaning,
            remediation: $fix,
            runbook: catalog!(@runbook $($runbook)?),
        }; )*
        /// Every code, in the order the README lists them.
        pub const ALL: &[Entry] = &[$($name),*];
    };
}

catalog! {
    // Pods (from the watched pods of each service).
    POD_MISSING = "pod.missing", Error, "the service has no pod" @ "https://kubernetes.io/docs/concepts/workloads/controllers/deployment/#scaling-a-deployment",
        "kubectl -n {namespace} scale {workload_kind} {workload} --replicas=1, or look at its events";
    POD_CRASHLOOP = "pod.crashloop", Error, "a pod is crash-looping (CrashLoopBackOff, Error, OOMKilled)" @ K8S_DEBUG_PODS,
        "Read the previous run's log: kubectl -n {namespace} logs {pod} --previous";
    POD_IMAGE = "pod.image", Error, "a pod cannot pull its image" @ "https://kubernetes.io/docs/concepts/containers/images/",
        "Check the image name/tag and registry access";
    POD_PENDING = "pod.pending", Warning, "a pod is not scheduled or not started" @ K8S_DEBUG_PODS,
        "Look at its events (`enter`): insufficient CPU, unbound PVC or image pull";
    POD_NOT_READY = "pod.not_ready", Warning, "a pod runs but is not ready" @ K8S_DEBUG_PODS,
        "Look at the failing readiness probe in its events and logs";
    POD_RESTARTS = "pod.restarts", Warning, "a running pod restarted more often than the budget allows" @ K8S_DEBUG_PODS,
        "Check for OOM kills and liveness probe failures in its events";
    POD_OOM_KILLED = "pod.oom_killed", Error, "a container was killed for using more memory than its limit" @ "https://kubernetes.io/docs/concepts/configuration/manage-resources-containers/#exceed-a-container-s-memory-request-or-limit",
        "Raise the memory limit of container {container} (now {limit}) in the workload's pod template, or find what grows: kubectl -n {namespace} top pod {pod} --containers";
    SERVICE_MISSING = "service.missing", Warning, "no Kubernetes Service targets the app's port" @ "https://kubernetes.io/docs/concepts/services-networking/service/",
        "Create a Service for the workload, or set `services.<id>.url` in the config";
    /// The API server (whose proxy reaches the apps) does not answer: one finding, not one per app.
    CLUSTER_UNREACHABLE = "cluster.unreachable", Critical, "the API server cannot be reached, so no app can be observed" @ "https://kubernetes.io/docs/tasks/debug/debug-cluster/",
        "Check the kubeconfig's server address, the network/VPN to it and that the API server runs; ctrl-r retries now";
    // The app over HTTP (from the collectors' observations).
    HTTP_SLOW = "http.slow", Warning, "the app answers slower than the latency budget",
        "Check the pod's CPU/memory limits and node load (`kubectl top pod`), and the app's logs";
    HTTP_TIMEOUT = "http.timeout", Error, "the app accepts connections but does not answer in time",
        "The app accepts connections but does not answer: read its logs and restart it";
    HTTP_UNREACHABLE = "http.unreachable", Error, "nothing answers at the app's address" @ K8S_DEBUG_SERVICE,
        "No ready endpoint answers: check the pod, the Service selector and port";
    HTTP_URL_BASE = "http.url_base", Error, "the app redirects: the URL base used is wrong",
        "Set the app's URL base and the console's (`services.<id>.url_base`) to the same value";
    HTTP_SERVER_ERROR = "http.server_error", Error, "the app answers 5xx",
        "The app fails internally: read its logs";
    HTTP_BAD_BODY = "http.bad_body", Error, "something that is not the app answers",
        "Something else answers at this address (login portal, wrong ingress path?)";
    HTTP_UNEXPECTED = "http.unexpected", Warning, "the app answers an unexpected HTTP status",
        "Check the app's URL and URL base";
    AUTH_REJECTED = "auth.rejected", Error, "the app rejects the API key the console uses" @ README_KEYS,
        "The API key the console uses (cluster Secret or config) differs from the app's: `:keys` → `S` (sync) in the console, or `k8s-nas keys --sync`";
    AUTH_FORBIDDEN = "auth.forbidden", Error, "the app or the API server forbids the request",
        "Check the app's host whitelist / auth bypass, or RBAC on services/proxy";
    CLIENT_CONFIG = "client.config", Warning, "the console lacks what it needs to ask the app",
        "Give the console what it needs in the config file (API key, credentials)";
    DATA_STALE = "data.stale", Warning, "the last answer from the app is older than the budget",
        "The collector is not getting answers; see the HTTP column and the log file";
    /// The app's own health checks; severity from the app's level, runbook from its wiki link.
    APP_CHECK = "app.<HealthCheckSource>", Warning, "the app's own health check reports a problem",
        "Follow the app's wiki entry for this check";
    // API keys (`k8s-nas keys`).
    KEYS_DRIFT = "keys.drift", Error, "the key Secret holds another key than the app uses" @ README_KEYS,
        "Write the app's key into the Secret: `:keys` → `S` in the console, or `k8s-nas keys --sync`";
    KEYS_MISSING_IN_SECRET = "keys.missing_in_secret", Warning, "the key Secret has no entry for the app" @ README_KEYS,
        "Add it: `:keys` → `S` in the console, or `k8s-nas keys --sync` (other keys are left as they are)";
    KEYS_EMPTY_IN_SECRET = "keys.empty_in_secret", Error, "the key Secret's entry for the app is empty" @ README_KEYS,
        "Fill it from the app's config: `:keys` → `S` in the console, or `k8s-nas keys --sync`";
    KEYS_UNKNOWN = "keys.unknown", Info, "the app's own key could not be read" @ README_KEYS,
        "Set the config volume's node path in the config file, or pass the key with --key";
    KEYS_REJECTED = "keys.rejected", Error, "the app rejects a key (the Secret's or its own)" @ README_KEYS,
        "Read the key from the app's config file (`k8s-nas keys`) and sync the Secret";
    KEYS_WRONG_URL_BASE = "keys.wrong_url_base", Warning, "the key could not be verified: wrong URL base" @ README_KEYS,
        "Set the service's URL base in the config file to the app's UrlBase";
    KEYS_UNREACHABLE = "keys.unreachable", Warning, "the app could not be reached to verify its key" @ README_KEYS,
        "Check the pod is Ready and the Service has endpoints";
    KEYS_INCONCLUSIVE = "keys.inconclusive", Info, "the app answered, but not whether the key is valid" @ README_KEYS,
        "Retry; check RBAC for services/proxy if this persists";
    // The integration graph (`k8s-nas integrate`).
    INTEGRATION_MISSING = "integration.missing", Warning, "an edge of the desired graph is not configured" @ README_KEYS,
        "Create it: `:int` → `a` (apply) in the console, or `k8s-nas integrate apply`";
    INTEGRATION_DRIFT = "integration.drift", Warning, "an edge is configured differently from the desired graph" @ README_KEYS,
        "Correct it: `:int` → `a` (apply) in the console, or `k8s-nas integrate apply`";
    INTEGRATION_UNKNOWN = "integration.unknown", Info, "an edge's state could not be read" @ README_KEYS,
        "Make the app reachable and its key known (`k8s-nas keys`), then plan again";
    INTEGRATION_NO_INDEXERS = "integration.no_indexers", Warning, "Prowlarr has no indexers: Sonarr, Radarr and Lidarr find nothing to download" @ README_KEYS,
        "Add indexers in Prowlarr ({url}/indexers); Prowlarr's full sync pushes them to the apps (or `:int` → `s` to sync now)";
    // The VPN (`:vpn`, `k8s-nas vpn`): the leak verdict per VPN pod, then the isolation audit.
    VPN_LEAK = "vpn.leak", Critical, "download traffic leaves outside the tunnel" @ README_VPN,
        "Stop the download client ({workload}) until the tunnel holds: bind qBittorrent to the tunnel (`current_network_interface` = tun0/wg0) and check gluetun's firewall (`FIREWALL=on`, no `FIREWALL_OUTBOUND_SUBNETS` overlap)";
    VPN_DOWN = "vpn.down", Error, "the VPN tunnel is not running (downloads stop)" @ README_VPN,
        "Read the sidecar's log: kubectl -n {namespace} logs deploy/{workload} -c {container}; restart the tunnel from `:vpn`";
    VPN_UNKNOWN = "vpn.unknown", Warning, "whether the traffic stays in the tunnel cannot be proven" @ README_VPN,
        "Give the console what it lacks (home IP: `[vpn] home_ip` or `ip_echo_url`; control server: `HTTP_CONTROL_SERVER_ADDRESS=:8000` and `[vpn] control_api_key`)";
    VPN_FIREWALLED = "vpn.firewalled", Warning, "qBittorrent reports `firewalled`: no incoming peers" @ README_VPN,
        "Enable port forwarding in gluetun (`VPN_PORT_FORWARDING=on`) and set qBittorrent's listen port to the forwarded port";
    VPN_PORT_MISMATCH = "vpn.port_mismatch", Warning, "qBittorrent listens on another port than gluetun forwards" @ README_VPN,
        "Set qBittorrent's listen port to the forwarded port (gluetun `VPN_PORT_FORWARDING_UP_COMMAND` can do it)";
    VPN_MISSING = "vpn.missing", Error, "a download service runs without a VPN sidecar" @ README_VPN,
        "Add a gluetun sidecar to {workload} (native sidecar: an init container with `restartPolicy: Always`)";
    VPN_UNEXPECTED = "vpn.unexpected", Warning, "a media service runs behind the VPN" @ README_VPN,
        "Remove the gluetun container from {workload}: only download clients belong in the tunnel";
    VPN_NOT_NATIVE = "vpn.not_native_sidecar", Warning, "gluetun is an ordinary container: the app may send traffic before the firewall is up" @ "https://kubernetes.io/docs/concepts/workloads/pods/sidecar-containers/",
        "Move the `{container}` container of {workload} to `initContainers` with `restartPolicy: Always` (native sidecar, Kubernetes ≥ 1.29)";
    VPN_PROBES = "vpn.probes", Warning, "the gluetun sidecar has no probe on its health server" @ README_VPN,
        "Set `HEALTH_SERVER_ADDRESS=:9999` and add liveness/readiness `httpGet` probes on port 9999 to `{container}` of {workload}";
    VPN_INPUT_PORTS = "vpn.input_ports", Warning, "the app's WebUI port is not in gluetun's FIREWALL_INPUT_PORTS" @ README_VPN,
        "Add {port} to `FIREWALL_INPUT_PORTS` of `{container}` in {workload}, or the kill switch drops the WebUI traffic";
    VPN_SIDECARS = "vpn.sidecars", Error, "more than one gluetun container in one pod" @ README_VPN,
        "Keep one gluetun container in {workload}";
    /// Emitted by `integrate apply` for an edge it could not converge.
    INTEGRATION_APPLY_FAILED = "integration.apply_failed", Error, "an apply left an edge unverified" @ README_KEYS,
        "Fix the cause and run `k8s-nas integrate apply` again";
    // Certificates (`k8s-nas certs`, issue 10).
    CERT_EXPIRES_SOON = "cert.expires_soon", Warning, "a certificate expires in less than 30 days" @ CERT_MANAGER_DOCS,
        "{subject}: check that cert-manager renews it (the Certificate's renewalTime and Issuing condition), or trigger a renewal with `cmctl renew`";
    CERT_EXPIRES_CRITICAL = "cert.expires_critical", Critical, "a certificate expires in less than 7 days" @ CERT_MANAGER_DOCS,
        "{subject}: renew it now (`cmctl renew`) and find out why the automatic renewal did not happen";
    CERT_EXPIRED = "cert.expired", Critical, "a certificate has expired" @ CERT_MANAGER_DOCS,
        "{subject}: renew it (`cmctl renew`), then re-sync its copies and check what the ingress serves";
    CERT_STALE_COPY = "cert.stale_copy", Error, "a copy of a TLS Secret is older than its source",
        "Copy tls.crt and tls.key of {source_namespace}/{source} into {namespace}/{secret}, and fix the job that copies it";
    CERT_SERVED_DIFFERS = "cert.served_differs", Error, "the served certificate is not the one in the Ingress's Secret",
        "The ingress controller did not reload, or {host} is routed by another Ingress/Secret than {secret}: check the controller's log";
    CERT_HOST_NOT_COVERED = "cert.host_not_covered", Error, "the served certificate does not cover the host",
        "Add {host} to the Certificate's dnsNames, or point the Ingress at a Secret whose certificate covers it";
    CERT_CHAIN_INVALID = "cert.chain_invalid", Error, "the served chain does not verify against the trusted roots",
        "{host}: serve the full chain (leaf + intermediates) from a trusted issuer; a self-signed or staging certificate is not trusted";
    CERT_NOT_READY = "cert.not_ready", Error, "a cert-manager Certificate is not Ready (issuance failing)" @ CERT_MANAGER_DOCS,
        "kubectl -n {namespace} describe certificate {certificate}; check its CertificateRequest, Order and Issuer";
    CERT_INGRESS_NO_TLS = "cert.ingress_no_tls", Warning, "an Ingress has no TLS section",
        "Add spec.tls with a Secret covering the hosts of {ingress}";
    CERT_UNREADABLE = "cert.unreadable", Warning, "a TLS Secret's tls.crt is missing or not a PEM certificate",
        "Recreate {namespace}/{secret} (or let cert-manager re-issue it): tls.crt must hold PEM certificates";
    CERT_NO_HTTPS_REDIRECT = "cert.no_https_redirect", Warning, "plain HTTP to an Ingress host does not redirect to HTTPS",
        "Let the ingress redirect http://{host} to https:// (ingress-nginx: remove nginx.ingress.kubernetes.io/ssl-redirect: \"false\")";
    CERT_HANDSHAKE = "cert.handshake", Error, "no TLS handshake with an Ingress host",
        "{host}: check DNS, the ingress address (`ingress_address`) and that the controller serves TLS on 443";
    CERT_ISSUER_NOT_READY = "cert.issuer_not_ready", Error, "a cert-manager Issuer or ClusterIssuer is not Ready" @ CERT_MANAGER_DOCS,
        "kubectl describe {issuer}: fix its account, credentials or CA Secret; nothing it signs can be issued meanwhile";
    CERT_REQUEST_FAILED = "cert.request_failed", Error, "a CertificateRequest was denied or failed" @ CERT_MANAGER_DOCS,
        "kubectl -n {namespace} describe certificaterequest {request}: fix the cause (approval policy, issuer, challenge), then renew the Certificate";
    // Backups (issue 11): the backup root's archives against the services with a config path.
    BACKUP_NONE = "backup.none", Error, "a service's config directory has no backup at all" @ README_BACKUPS,
        "k8s-nas backup run --service {service} (and deploy the daily CronJob, assets/k8s/backup-cronjob.yaml)";
    BACKUP_STALE = "backup.stale", Warning, "the newest backup of a service is older than 26 hours" @ README_BACKUPS,
        "k8s-nas backup run --service {service}; look at the backup CronJob's last Jobs (kubectl get jobs -A | grep k8s-nas-backup)";
    BACKUP_VERIFY_FAILED = "backup.verify_failed", Error, "the newest backup of a service failed verification" @ README_BACKUPS,
        "Take a new one (k8s-nas backup run --service {service}) and check the disk holding the backup root";
    BACKUP_UNVERIFIED = "backup.unverified", Info, "the newest backup of a service was never verified" @ README_BACKUPS,
        "k8s-nas backup verify --service {service} --deep";
    BACKUP_SCHEDULE_STALE = "backup.schedule_stale", Warning, "the backup CronJob has not succeeded in 26 hours" @ README_BACKUPS,
        "kubectl -n {namespace} get jobs (or :jobs): read the log of the last {cronjob} Job, fix it, then kubectl -n {namespace} create job --from=cronjob/{cronjob} {cronjob}-now";
    /// An alert firing in Alertmanager (or Prometheus); severity from its `severity` label,
    /// runbook from its `runbook_url` annotation.
    ALERT_FIRING = "alert.<AlertName>", Warning, "an alert is firing (not silenced or inhibited)",
        "Follow the alert's runbook; silence it from `:alerts` while you work on it";
    // GitOps (`:gitops`, issue 12): Argo CD Applications and argocd-cm.
    GITOPS_OUT_OF_SYNC = "gitops.out_of_sync", Warning, "an Argo CD Application differs from Git" @ ARGOCD_SYNC_DOCS,
        "See the out-of-sync resources in `:gitops`; sync {namespace}/{application} (`s`) or fix the drift in Git — the console never applies manifests itself";
    GITOPS_DEGRADED = "gitops.degraded", Error, "an Argo CD Application is Degraded or Missing" @ ARGOCD_HEALTH_DOCS,
        "kubectl -n {namespace} get application {application} -o yaml: find the Degraded/Missing resources and fix their manifests in Git";
    GITOPS_OPERATION_FAILED = "gitops.operation_failed", Error, "the last sync operation of an Application failed" @ ARGOCD_SYNC_DOCS,
        "Read the operation message in `:gitops`, fix the manifest in Git, then sync {application} again";
    GITOPS_AUTO_SYNC_OFF = "gitops.auto_sync_off", Info, "an Application has no automated sync: Git changes wait for a manual sync" @ ARGOCD_SYNC_DOCS,
        "Add `spec.syncPolicy.automated` (prune, selfHeal) to {application} in Git, or sync it by hand";
    GITOPS_HEALTH_OVERRIDE = "gitops.health_override", Warning, "argocd-cm forces a kind to look Healthy: its failures are hidden" @ ARGOCD_HEALTH_DOCS,
        "Remove the health customisation of {resource_kind} from {configmap} in Git (or let its script report Degraded); until then watch it in `k8s-nas check`";
    // Jobs (`:jobs`, issue 12): CronJobs, Jobs and their pods.
    JOB_STALE = "job.stale", Warning, "a CronJob has not succeeded within twice its schedule's interval" @ K8S_CRONJOBS,
        "Look at its last runs in `:jobs`; fix the job or its schedule in Git, then run it now: `kubectl -n {namespace} create job --from=cronjob/{cronjob} {cronjob}-manual`";
    JOB_PENDING = "job.pending", Warning, "a Job's pod is stuck Pending" @ K8S_DEBUG_PODS,
        "kubectl -n {namespace} describe pod {pod}: the events say why (no node fits its requests, a PVC not bound …); fix the jobTemplate in Git";
    JOB_IMAGE_PULL = "job.image_pull", Error, "a Job's pod cannot pull its image" @ K8S_DEBUG_PODS,
        "kubectl -n {namespace} describe pod {pod}: fix the image name/tag (or the pull secret) of {job}'s template in Git";
    JOB_SUSPENDED = "job.suspended", Info, "a CronJob is suspended and does not run" @ K8S_CRONJOBS,
        "If that is not intended, set `spec.suspend: false` on {namespace}/{cronjob} in Git";
    JOB_FAILED = "job.failed", Error, "the last Job of a CronJob (or a Job) failed" @ K8S_CRONJOBS,
        "kubectl -n {namespace} logs job/{job}: fix the cause in Git, then run it again";
    // Manifest audit (issue 12): the discovered apps' manifests as deployed.
    MANIFEST_PROBE_TARGET = "manifest.probe_target", Warning, "an app's HTTP probe aims at a path it does not serve under its URL base, or at the wrong port",
        "In Git, point the {probe} probe of `{container}` in {workload} at `{path}` on port {port} (the path under the app's URL base); a failing liveness probe restarts a healthy app";
    MANIFEST_RESOURCES = "manifest.resources", Warning, "an app container declares no CPU/memory requests or limits",
        "In Git, set {missing} on `{container}` in {workload} (sized from its usage, `kubectl top pod`): without limits the CPU/memory alerts mean nothing, without requests the scheduler guesses";
    MANIFEST_CONFIG_EPHEMERAL = "manifest.config_ephemeral", Error, "an app's config directory is an emptyDir: it is lost whenever the pod goes",
        "In Git, replace the emptyDir `{volume}` of {workload} with a PersistentVolumeClaim (or hostPath) for `{container}`'s config, then restore the config from a backup";
    MANIFEST_PROBES_MISSING = "manifest.probes_missing", Warning, "an app container has no liveness or no readiness probe",
        "In Git, add the {missing} probe to `{container}` in {workload}: httpGet `{path}` on port {port} (without liveness a hung app is never restarted; without readiness it gets traffic before it answers)";
    MANIFEST_STARTUP_PROBE = "manifest.startup_probe", Warning, "a slow-starting app (Servarr, Jellyfin) has no startup probe",
        "In Git, add a startupProbe to `{container}` in {workload}: httpGet `{path}` on port {port}, periodSeconds 10, failureThreshold 30 (five minutes), so the liveness probe cannot kill it during a database migration or library scan";
    MANIFEST_STRATEGY = "manifest.strategy", Warning, "a Deployment with a ReadWriteOnce volume rolls out with RollingUpdate",
        "In Git, set `spec.strategy.type: Recreate` on {workload}: the new pod cannot mount the RWO volume the old pod holds, so a rollout hangs (and two copies of the app, or of its VPN tunnel, must never run at once)";
    MANIFEST_IMAGE_UNPINNED = "manifest.image_unpinned", Warning, "an app container's image is `:latest` or untagged",
        "In Git, pin `{container}` in {workload} to a version tag or a digest instead of `{image}` (the running version: `kubectl -n {namespace} describe pod`, Image ID): `latest` changes under you at the next restart, and rollbacks cannot go back";
}

/// Where a code sits in the chain of causes, lowest first: the cluster, the pod, the Service,
/// the app over HTTP and its credentials, the app's own checks, then keys and integrations.
/// Lists put a cause before its symptoms (Bazarr's crash loop before its `http.unreachable`).
pub fn cause_rank(code: &str) -> u8 {
    let family = code.split('.').next().unwrap_or(code);
    match family {
        "cluster" => 0,
        "pod" => 1,
        "service" => 2,
        "vpn" => 3,
        "http" | "auth" | "client" => 4,
        "data" => 5,
        "app" => 6,
        "keys" => 7,
        "integration" => 8,
        _ => 9,
    }
}

/// Look an entry up by code; a family entry answers for every code of the family.
pub fn lookup(code: &str) -> Option<&'static Entry> {
    ALL.iter().find(|e| match e.family_prefix() {
        Some(prefix) => code.len() > prefix.len() && code.starts_with(prefix),
        None => e.code == code,
    })
}

impl Entry {
    /// `app.` for `app.<HealthCheckSource>`; `None` for a plain code.
    pub fn family_prefix(&self) -> Option<&'static str> {
        self.code
            .strip_suffix('>')
            .and_then(|c| c.rfind('<').map(|i| &self.code[..i]))
    }

    /// A finding with this code, the default severity and the remediation filled from `vars`.
    pub fn finding(
        &self,
        subject: impl Into<String>,
        message: impl Into<String>,
        vars: &[(&str, &str)],
    ) -> Finding {
        debug_assert!(
            self.family_prefix().is_none(),
            "{}: use member()",
            self.code
        );
        self.build(self.code.to_string(), subject.into(), message.into(), vars)
    }

    /// A finding about one service: subject and `service` are its id.
    pub fn for_service(
        &self,
        id: &ServiceId,
        message: impl Into<String>,
        vars: &[(&str, &str)],
    ) -> Finding {
        self.finding(id.to_string(), message, vars)
            .about(id.clone())
    }

    /// A finding of a family (`app.<HealthCheckSource>` with `member = "IndexerRssCheck"`).
    pub fn member(
        &self,
        member: &str,
        subject: impl Into<String>,
        message: impl Into<String>,
        vars: &[(&str, &str)],
    ) -> Finding {
        let prefix = self.family_prefix().unwrap_or(self.code);
        self.build(
            format!("{prefix}{member}"),
            subject.into(),
            message.into(),
            vars,
        )
    }

    fn build(
        &self,
        code: String,
        subject: String,
        message: String,
        vars: &[(&str, &str)],
    ) -> Finding {
        let f = Finding::new(
            self.severity,
            code,
            subject,
            message,
            render(self.remediation, vars),
        );
        // Every finding names a runbook: the catalog's link, else its page in docs/runbooks/.
        f.with_runbook(match self.runbook {
            Some(r) => r.to_string(),
            None => runbook_page(self.code),
        })
    }
}

/// The page of `docs/runbooks/` for a code (symptoms, checks, fix, verify): the code with a
/// family's `<…>` brackets dropped (`app.<HealthCheckSource>` → `app.HealthCheckSource.md`).
/// A test keeps one page per catalog entry.
pub fn runbook_page(code: &str) -> String {
    let code = lookup(code).map_or(code, |e| e.code);
    format!("docs/runbooks/{}.md", code.replace(['<', '>'], ""))
}

/// Fill `{name}` placeholders; a placeholder without a value stays as it is (and fails the
/// debug assertion, so a test of the check catches it).
pub fn render(template: &str, vars: &[(&str, &str)]) -> String {
    let mut out = template.to_string();
    for (name, value) in vars {
        out = out.replace(&format!("{{{name}}}"), value);
    }
    debug_assert!(
        placeholders(&out).is_empty(),
        "unfilled placeholder in {out:?}"
    );
    out
}

/// The `{name}` placeholders of a template (names are lower-case words with `_`).
pub fn placeholders(template: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let mut rest = template;
    while let Some(start) = rest.find('{') {
        let after = &rest[start + 1..];
        match after.find('}') {
            Some(end)
                if end > 0
                    && after[..end]
                        .chars()
                        .all(|c| c.is_ascii_lowercase() || c == '_') =>
            {
                out.push(&after[..end]);
                rest = &after[end + 1..];
            }
            _ => rest = after,
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeSet;

    #[test]
    fn codes_are_unique_dotted_and_documented() {
        let mut seen = BTreeSet::new();
        for e in ALL {
            assert!(seen.insert(e.code), "{} twice", e.code);
            let (area, rest) = e.code.split_once('.').expect("dotted");
            assert!(!area.is_empty() && !rest.is_empty(), "{}", e.code);
            assert!(
                !e.meaning.is_empty() && !e.remediation.is_empty(),
                "{}",
                e.code
            );
            assert!(e.severity > Severity::Ok, "{}", e.code);
            if let Some(r) = e.runbook {
                assert!(
                    r.starts_with("https://") || r.starts_with("README.md#"),
                    "{r}"
                );
            }
            // Placeholders are only the variables checks provide.
            for p in placeholders(e.remediation) {
                assert!(
                    [
                        "namespace",
                        "workload",
                        "workload_kind",
                        "pod",
                        "container",
                        "limit",
                        "port",
                        // certificates
                        "subject",
                        "secret",
                        "source_namespace",
                        "source",
                        "host",
                        "certificate",
                        "ingress",
                        "issuer",
                        "request",
                        // backups
                        "service",
                        // GitOps
                        "application",
                        "resource_kind",
                        "configmap",
                        // jobs
                        "cronjob",
                        "job",
                        // integrations: an app's web UI
                        "url",
                        // manifest audit
                        "probe",
                        "path",
                        "missing",
                        "volume",
                        "image",
                    ]
                    .contains(&p),
                    "{}: unknown placeholder {p}",
                    e.code
                );
            }
        }
    }

    #[test]
    fn lookup_finds_plain_codes_and_family_members() {
        assert_eq!(lookup("pod.crashloop"), Some(&POD_CRASHLOOP));
        assert_eq!(lookup("app.IndexerRssCheck"), Some(&APP_CHECK));
        assert_eq!(lookup("app."), None);
        assert_eq!(
            lookup("integrate.missing"),
            None,
            "the old spelling is gone"
        );
        assert_eq!(APP_CHECK.family_prefix(), Some("app."));
        assert_eq!(HTTP_SLOW.family_prefix(), None);
    }

    #[test]
    fn findings_carry_the_catalog_text_and_fill_templates() {
        let id = ServiceId::new("media", "bazarr");
        let f = POD_CRASHLOOP.for_service(
            &id,
            "pod bazarr-1 is in CrashLoopBackOff",
            &[("namespace", "media"), ("pod", "bazarr-1")],
        );
        assert_eq!(f.code, "pod.crashloop");
        assert_eq!(f.severity, Severity::Error);
        assert_eq!(f.subject, "media/bazarr");
        assert_eq!(f.service.as_ref(), Some(&id));
        assert_eq!(
            f.remediation,
            "Read the previous run's log: kubectl -n media logs bazarr-1 --previous"
        );
        assert_eq!(f.runbook.as_deref(), Some(K8S_DEBUG_PODS));
        let f = APP_CHECK.member("IndexerRssCheck", "media/sonarr", "m", &[]);
        assert_eq!(f.code, "app.IndexerRssCheck");
        assert_eq!(
            f.runbook.as_deref(),
            Some("docs/runbooks/app.HealthCheckSource.md")
        );
        assert_eq!(
            HTTP_SLOW.finding("x", "m", &[]).runbook.as_deref(),
            Some("docs/runbooks/http.slow.md")
        );
        assert_eq!(
            runbook_page("app.IndexerRssCheck"),
            "docs/runbooks/app.HealthCheckSource.md"
        );
        assert_eq!(placeholders("a {x} {not closed"), ["x"]);
        assert_eq!(placeholders("json {\"a\": 1}"), Vec::<&str>::new());
    }
}
