#!/usr/bin/env python3
"""Regenerate docs/runbooks/ from src/checks/catalog.rs (one page per finding code), from
assets/monitoring/prometheus-rules.yaml and docs/runbook-alerts.yaml (one page per alert).
Run from anywhere: python3 docs/gen_runbooks.py. Needs PyYAML. A new area without an entry in
AREA gets the generic checks; give it its own entry for better pages.
It never overwrites a page that exists (pages are edited by hand after the first stub): it
writes the pages that are missing, rewrites the index (README.md), and names on stderr the
pages no code or alert owns any more."""
import re, yaml, os, sys
root=os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
src=open(f'{root}/src/checks/catalog.rs').read()
consts=dict(re.findall(r'const (\w+): &str =\s*"([^"]+)";', src))
block=src[src.index('catalog! {'):src.index('/// Look an entry up')]
pat=re.compile(r'(\w+) = "([^"]+)", (\w+), "((?:[^"\\]|\\.)*)",\s*"((?:[^"\\]|\\.)*)",\s*(None|Some\(([^)]*)\));', re.S)
entries=[]
for m in pat.finditer(block):
    name,code,sev,meaning,fix,_,rb=m.groups()
    fix=fix.replace('\\"','"')
    if rb:
        rb=rb.strip()
        rb=rb.strip('"') if rb.startswith('"') else consts.get(rb, rb)
    entries.append((code,sev,meaning,fix,rb))
print(len(entries), file=sys.stderr)

AREA={
 'pod': ("`k8s-nas check` and the Services pane (POD column, row colour); the Findings pane (`:findings`).",
   ["`kubectl -n <namespace> get pods -l app=<app> -o wide`","`kubectl -n <namespace> describe pod <pod>` — the Events at the end say why","`kubectl -n <namespace> logs <pod> --previous` for a crashed container","In the console: `enter` on the service (pods, containers, events), `l` logs, `d` describe"],
   "The pod is Running and Ready, `k8s-nas check` no longer lists the code, and the Services pane row is green."),
 'service': ("`k8s-nas check`; the service's row in the Services pane.",
   ["`kubectl -n <namespace> get svc,endpoints -o wide`","Compare the Service's selector with the pod's labels and its targetPort with the container port"],
   "`kubectl -n <namespace> get endpoints <service>` lists the pod's IP and port; `check` no longer reports it."),
 'http': ("The HTTP column of the Services pane (status and latency), `k8s-nas check`.",
   ["`kubectl -n <namespace> get pods` — is the pod Ready?","`kubectl get --raw /api/v1/namespaces/<namespace>/services/<service>:<port>/proxy/<url base>/` — what answers through the API server","The app's log: `l` in the console, or `kubectl -n <namespace> logs deploy/<workload>`","The URL base the app serves (Servarr `config.xml <UrlBase>`) against the one the console uses (`k8s-nas check --output json`, `url_base`)"],
   "The HTTP column shows 200 within the latency budget and the finding is gone after the next poll (`ctrl-r`)."),
 'auth': ("The HEALTH column reads unauthorized/forbidden; `k8s-nas check`.",
   ["`k8s-nas keys` — which key the app uses and which the Secret holds","For 403: the app's host whitelist / auth bypass, and RBAC on `services/proxy` (`kubectl auth can-i get services/proxy -n <namespace>`)"],
   "`k8s-nas keys` says valid for the app and `check` no longer reports it."),
 'client': ("`k8s-nas check`; the HEALTH column says what is missing.",
   ["`k8s-nas info` — the config file in use","The config's `[services.<id>]` section and the key Secret (`api_key_secret`)"],
   "The HEALTH column shows the app's own report after the next poll."),
 'data': ("The DATA AGE column turns amber/red; `k8s-nas check`.",
   ["The HTTP column of the same row","The log file (`k8s-nas info` prints its path) for collector errors"],
   "DATA AGE is back to a few seconds."),
 'app': ("The HEALTH column (issue count and worst type) and the service's detail (`enter`).",
   ["The app's own System → Status page","The wiki link the app gives for the check (shown as `see:`)"],
   "The app's health endpoint no longer lists the check; the finding is gone after the next poll."),
 'keys': ("`k8s-nas keys`, the `:keys` pane, `k8s-nas check`.",
   ["`k8s-nas keys` — where each key was read, its verdict, the drift against the Secret","`k8s-nas keys --sync` (masked diff, confirm) writes only changed keys"],
   "`k8s-nas keys` shows every key valid and in sync; `check` no longer lists the code."),
 'integration': ("`k8s-nas integrate plan`, the `:integrations` pane, `k8s-nas check`.",
   ["`k8s-nas integrate plan` — each edge with its reason","`enter` on the edge in `:integrations` shows current vs desired fields"],
   "`k8s-nas integrate plan` exits 0 (nothing to do) and the edge tests green (`t`)."),
 'vpn': ("`k8s-nas vpn`, the `:vpn` pane, the VPN column of the Services pane.",
   ["`k8s-nas vpn --output json` — tunnel, exit IP, home IP, qBittorrent binding per pod","`kubectl -n <namespace> logs deploy/<workload> -c <gluetun container>`","The workload's manifest in Git for the isolation audit codes"],
   "`k8s-nas vpn` says SECURE for every VPN pod and the audit is clean (exit 0)."),
 'cert': ("`k8s-nas certs`, the `:certs` pane.",
   ["`kubectl get certificates -A`, `kubectl -n <namespace> describe certificate <name>`","`openssl s_client -connect <ingress address>:443 -servername <host> </dev/null | openssl x509 -noout -dates -subject -ext subjectAltName`","The TLS Secret's copies: `kubectl get secret -A --field-selector type=kubernetes.io/tls`"],
   "`k8s-nas certs` exits 0 and the served certificate is the Secret's (same SHA-256)."),
 'gitops': ("The `:gitops` pane (sync, health, operation, conditions), `k8s-nas check`.",
   ["`kubectl -n argocd get applications` (sync and health columns)","`kubectl -n argocd get application <name> -o yaml` — `status.operationState.message`, `status.conditions`, `status.resources[]` with `status: OutOfSync`","`kubectl -n argocd get configmap argocd-cm -o yaml` — `resource.customizations.health.*`"],
   "`kubectl -n argocd get application <name>` shows Synced and Healthy; the finding is gone from `:gitops` and `check`."),
 'jobs': ("The `:jobs` pane (schedule, last schedule, last success, active, recent job pods), `k8s-nas check`.",
   ["`kubectl -n <namespace> get cronjob,job,pods`","`kubectl -n <namespace> describe pod <job pod>` — Pending reason, image pull errors","`kubectl -n <namespace> logs job/<job>` — the last run's log"],
   "A run started with `run now` (`n` in `:jobs`) completes; the CronJob's last success is recent and the finding is gone."),
 'alert': ("The `:alerts` pane (from Alertmanager, or Prometheus's `/api/v1/alerts`), `k8s-nas check`.",
   ["The alert's own runbook (its `runbook_url` annotation, a page of `docs/runbooks/alert-*.md`)","`amtool alert query` or Alertmanager's UI"],
   "The alert resolves in Alertmanager and leaves `:alerts`."),
 'manifest': ("`k8s-nas check`, the Findings pane (`:findings`) and the `:gitops` pane (AUDIT count per Application, the findings in its detail).",
   ["`kubectl -n <namespace> get deploy <workload> -o yaml` — probes, resources, strategy, image, volumes","The manifest in Git that Argo CD syncs (the fix goes there, never into the live object)"],
   "After the change is synced from Git, `k8s-nas check` no longer lists the code for the workload."),
}
GENERIC=("`k8s-nas check` and the Findings pane (`:findings`).",
   ["`k8s-nas check --output json` — the finding's subject, message and remediation","The objects named in the subject: `kubectl describe` them and read their events"],
   "`k8s-nas check` no longer lists the code for the subject.")
# Codes whose page differs from their area's.
CODE={
 'integration.no_indexers': ("`k8s-nas check`, the `:findings` pane and the `:integrations` pane (INDEXERS per app).",
   ["Prowlarr's web UI, Indexers: the URL is in the finding's remediation (`<prowlarr url>/indexers`)","`k8s-nas integrate plan` — its `indexers:` section lists the count per app (also in `:integrations`)"],
   "`k8s-nas check` no longer lists the code; after `s` (sync indexers) in `:integrations`, Sonarr, Radarr and Lidarr show indexers."),
}
def write_new(path, text):
    """Write a page only when it does not exist yet; hand edits are never overwritten."""
    if os.path.exists(path):
        return
    print(f"new page: {os.path.relpath(path, root)}", file=sys.stderr)
    with open(path, 'w') as f:
        f.write(text)
def page_name(code): return code.replace('<','').replace('>','')
out=f'{root}/docs/runbooks'
names=[]
for code,sev,meaning,fix,rb in entries:
    area=code.split('.')[0]
    where,checks,verify=CODE.get(code) or AREA.get(area, GENERIC)
    fname=page_name(code)+'.md'; names.append((code,fname,meaning,sev))
    lines=[f"# `{code}` — {meaning}","",f"Severity: **{sev.lower()}** (default).","","## Symptoms","",f"{meaning[0].upper()+meaning[1:]}. Shown in {where}",""]
    lines+=["## Checks",""]+[f"- {c}" for c in checks]+[""]
    lines+=["## Fix","",re.sub(r'\{([a-z_]+)\}', r'*\1*', fix),""]
    if rb and rb.startswith('http'): lines+=[f"Reference: <{rb}>",""]
    elif rb: lines+=[f"Reference: [{rb}](../../{rb})",""]
    lines+=["## Verify","",verify,""]
    write_new(f'{out}/{fname}', "\n".join(lines).rstrip()+"\n")
rules=yaml.safe_load(open(f'{root}/assets/monitoring/prometheus-rules.yaml'))
ALERT_EXTRA=yaml.safe_load(open(f'{root}/docs/runbook-alerts.yaml'))
alerts=[]
for g in rules['groups']:
    for r in g['rules']:
        if 'alert' not in r: continue
        a=r['alert']; x=ALERT_EXTRA[a]; alerts.append((a,r['annotations']['summary'],r['labels']['severity']))
        expr=r['expr'].strip()
        lines=[f"# Alert `{a}`","",f"Severity: **{r['labels']['severity']}**; fires after `for: {r.get('for','0s')}`. Rule: `assets/monitoring/prometheus-rules.yaml`, group `{g['name']}`.","","```promql",expr,"```","",
          "## Symptoms","",r['annotations']['description'].replace('{{ $labels.','*').replace(' }}','*'),"",x.get('symptoms',''),"",
          "## Checks",""]+[f"- {c}" for c in x['checks']]+["","## Fix",""]+[f"- {c}" for c in x['fix']]+["","## Verify","",x['verify'],""]
        write_new(f'{out}/alert-{a}.md', "\n".join(lines).rstrip()+"\n")
idx=["# Runbooks","","One page per finding code of `k8s-nas check` (`src/checks/catalog.rs`) and per alert of","`assets/monitoring/prometheus-rules.yaml`: symptoms, checks, fix, how to verify. Every finding's","`runbook` (JSON, `see:` in the console) names its page or an upstream document; every alert's","`runbook_url` is its page here (prefix it with your repository's URL for links that open from a","notification).","","## Alerts","","| alert | severity | page |","|---|---|---|"]
idx+=[f"| `{a}` | {s} | [alert-{a}.md](alert-{a}.md) |" for a,_,s in alerts]
idx+=["","## Finding codes","","| code | severity | meaning |","|---|---|---|"]
idx+=[f"| [`{c}`]({f}) | {s.lower()} | {m} |" for c,f,m,s in names]
open(f'{out}/README.md','w').write("\n".join(idx)+"\n")
owned={f for _,f,_,_ in names}|{f"alert-{a}.md" for a,_,_ in alerts}|{"README.md"}
for f in sorted(os.listdir(out)):
    if f.endswith('.md') and f not in owned:
        print(f"orphan page (no code or alert): docs/runbooks/{f}", file=sys.stderr)
