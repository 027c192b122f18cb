//! The containers' files and the few commands `pods/exec` can run in them (pure, no I/O).
//!
//! Files are registered per `(namespace, pod name or workload prefix, container)`: a pod matches
//! a registration when its name equals it or starts with `<prefix>-`, so files survive the
//! Deployment controller re-creating the pod under a new name. A registration for the exact pod
//! name wins over a prefix registration of the same path.
//!
//! Commands: `cat FILE…`, `ls [PATH…]`, `echo [-n] ARG…` (also as `/bin/…` or `/usr/bin/…`),
//! and `wget -qO- URL` / `curl -fsS URL` answered from [`ExecFs::web`]: what a container
//! without a VPN sidecar gets over the home connection (the simulated IP-echo service).
//! Anything else fails the way Docker and CRI-O report a missing binary: stderr
//! `exec: "X": executable file not found in $PATH`, exit code 127 (the "command not found"
//! convention; 126 is kept for "found but cannot be run", which never happens here).

use std::collections::{BTreeMap, BTreeSet, HashMap};

/// Who owns a set of files: namespace, pod name or prefix, container.
pub type Owner = (String, String, String);

/// Every container's files: owner → absolute path → contents.
#[derive(Debug, Default, Clone)]
pub struct ExecFs {
    files: HashMap<Owner, BTreeMap<String, String>>,
    /// URL → body, as fetched from inside a container over the home connection.
    pub web: BTreeMap<String, String>,
}

/// What a command printed and how it ended.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Output {
    pub stdout: String,
    pub stderr: String,
    pub exit_code: i32,
}

/// Exit code for a command the container does not have.
pub const NOT_FOUND_EXIT: i32 = 127;

/// `/a//b/./c/../d/` → `/a/b/d`; relative paths are taken from `/` (the usual workdir).
pub fn normalize(path: &str) -> String {
    let mut parts: Vec<&str> = Vec::new();
    for p in path.split('/') {
        match p {
            "" | "." => {}
            ".." => {
                parts.pop();
            }
            other => parts.push(other),
        }
    }
    format!("/{}", parts.join("/"))
}

fn matches_pod(registered: &str, pod: &str) -> bool {
    registered == pod
        || pod
            .strip_prefix(registered)
            .is_some_and(|rest| rest.starts_with('-'))
}

impl ExecFs {
    pub fn put(&mut self, owner: Owner, path: &str, contents: String) {
        self.files
            .entry(owner)
            .or_default()
            .insert(normalize(path), contents);
    }

    /// Remove a file; true when it existed.
    pub fn remove(&mut self, owner: &Owner, path: &str) -> bool {
        let Some(files) = self.files.get_mut(owner) else {
            return false;
        };
        let removed = files.remove(&normalize(path)).is_some();
        if files.is_empty() {
            self.files.remove(owner);
        }
        removed
    }

    /// The files visible in one pod's container (exact-name registrations win).
    pub fn view(&self, namespace: &str, pod: &str, container: &str) -> BTreeMap<String, String> {
        let mut out = BTreeMap::new();
        let mut exact = Vec::new();
        for ((ns, who, c), files) in &self.files {
            if ns != namespace || c != container || !matches_pod(who, pod) {
                continue;
            }
            if who == pod {
                exact.push(files);
            } else {
                out.extend(files.iter().map(|(k, v)| (k.clone(), v.clone())));
            }
        }
        for files in exact {
            out.extend(files.iter().map(|(k, v)| (k.clone(), v.clone())));
        }
        out
    }
}

/// Directory entries directly under `dir` (an absolute, normalized path), or None if no such
/// directory exists. `/` always exists.
fn children(files: &BTreeMap<String, String>, dir: &str) -> Option<BTreeSet<String>> {
    let prefix = if dir == "/" {
        "/".to_string()
    } else {
        format!("{dir}/")
    };
    let names: BTreeSet<String> = files
        .keys()
        .filter_map(|p| p.strip_prefix(&prefix))
        .filter_map(|rest| rest.split('/').next())
        .map(str::to_string)
        .collect();
    (dir == "/" || !names.is_empty()).then_some(names)
}

/// Run `argv` against a container's files and the simulated web: `wget … URL` and
/// `curl … URL` print a registered URL's body; an unknown URL fails as the tools do when
/// the host does not resolve (wget exit 4, curl exit 6).
pub fn run_with_web(
    files: &BTreeMap<String, String>,
    web: &BTreeMap<String, String>,
    argv: &[String],
) -> Output {
    let name = argv
        .first()
        .map(|p| p.rsplit('/').next().unwrap_or(p))
        .unwrap_or_default();
    if name != "wget" && name != "curl" {
        return run(files, argv);
    }
    let Some(url) = argv[1..].iter().find(|a| a.contains("://")) else {
        return Output {
            stderr: format!("{name}: missing URL\n"),
            exit_code: if name == "curl" { 2 } else { 1 },
            ..Output::default()
        };
    };
    match web.get(url) {
        Some(body) => Output {
            stdout: body.clone(),
            ..Output::default()
        },
        None if name == "curl" => Output {
            stderr: format!("curl: (6) Could not resolve host: {url}\n"),
            exit_code: 6,
            ..Output::default()
        },
        None => Output {
            stderr: format!("wget: bad address '{url}'\n"),
            exit_code: 4,
            ..Output::default()
        },
    }
}

/// Run `argv` against a container's files.
pub fn run(files: &BTreeMap<String, String>, argv: &[String]) -> Output {
    let mut out = Output::default();
    let Some(prog) = argv.first() else {
        return out;
    };
    let args = &argv[1..];
    let name = prog
        .strip_prefix("/usr/bin/")
        .or_else(|| prog.strip_prefix("/bin/"))
        .unwrap_or(prog);
    match name {
        "cat" => {
            for a in args {
                let p = normalize(a);
                match files.get(&p) {
                    Some(text) => out.stdout.push_str(text),
                    None if children(files, &p).is_some() => {
                        out.stderr.push_str(&format!("cat: {a}: Is a directory\n"));
                        out.exit_code = 1;
                    }
                    None => {
                        out.stderr
                            .push_str(&format!("cat: {a}: No such file or directory\n"));
                        out.exit_code = 1;
                    }
                }
            }
        }
        "ls" => {
            let targets: Vec<&str> = if args.is_empty() {
                vec!["/"]
            } else {
                args.iter().map(String::as_str).collect()
            };
            let many = targets.len() > 1;
            for (i, a) in targets.iter().enumerate() {
                let p = normalize(a);
                if files.contains_key(&p) {
                    out.stdout.push_str(&format!("{a}\n"));
                } else if let Some(names) = children(files, &p) {
                    if many {
                        let sep = if i > 0 { "\n" } else { "" };
                        out.stdout.push_str(&format!("{sep}{a}:\n"));
                    }
                    for n in names {
                        out.stdout.push_str(&format!("{n}\n"));
                    }
                } else {
                    out.stderr.push_str(&format!(
                        "ls: cannot access '{a}': No such file or directory\n"
                    ));
                    out.exit_code = 2;
                }
            }
        }
        "echo" => {
            let (newline, words) = match args.first().map(String::as_str) {
                Some("-n") => (false, &args[1..]),
                _ => (true, args),
            };
            out.stdout = words.join(" ");
            if newline {
                out.stdout.push('\n');
            }
        }
        other => {
            out.stderr = format!("exec: \"{other}\": executable file not found in $PATH\n");
            out.exit_code = NOT_FOUND_EXIT;
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn argv(a: &[&str]) -> Vec<String> {
        a.iter().map(|s| s.to_string()).collect()
    }

    fn fs() -> ExecFs {
        let mut fs = ExecFs::default();
        let own = |p: &str| ("media".to_string(), p.to_string(), "radarr".to_string());
        fs.put(own("radarr"), "/config/config.xml", "<Config/>".into());
        fs.put(own("radarr"), "/config/logs/radarr.txt", "x".into());
        fs.put(own("radarr-abc-1"), "/config/config.xml", "exact".into());
        fs
    }

    #[test]
    fn pods_match_by_name_or_prefix() {
        let fs = fs();
        let v = fs.view("media", "radarr-7f9-x2x9k", "radarr");
        assert_eq!(v["/config/config.xml"], "<Config/>");
        assert!(fs.view("media", "radarrx-1", "radarr").is_empty());
        assert!(fs.view("media", "radarr-7f9-x2x9k", "gluetun").is_empty());
        assert!(fs.view("other", "radarr-7f9-x2x9k", "radarr").is_empty());
        assert_eq!(
            fs.view("media", "radarr-abc-1", "radarr")["/config/config.xml"],
            "exact"
        );
    }

    #[test]
    fn cat_ls_echo_and_unknown() {
        let v = fs().view("media", "radarr-1", "radarr");
        let o = run(&v, &argv(&["cat", "/config//config.xml"]));
        assert_eq!((o.stdout.as_str(), o.exit_code), ("<Config/>", 0));
        let o = run(&v, &argv(&["/bin/cat", "/nope", "/config/config.xml"]));
        assert_eq!(o.stdout, "<Config/>");
        assert_eq!(o.stderr, "cat: /nope: No such file or directory\n");
        assert_eq!(o.exit_code, 1);
        assert_eq!(run(&v, &argv(&["cat", "/config"])).exit_code, 1);
        assert_eq!(run(&v, &argv(&["ls"])).stdout, "config\n");
        assert_eq!(
            run(&v, &argv(&["ls", "/config"])).stdout,
            "config.xml\nlogs\n"
        );
        assert_eq!(run(&v, &argv(&["ls", "/x"])).exit_code, 2);
        assert_eq!(run(&v, &argv(&["echo", "a", "b"])).stdout, "a b\n");
        assert_eq!(run(&v, &argv(&["echo", "-n", "a"])).stdout, "a");
        let o = run(&v, &argv(&["sh", "-c", "cat x"]));
        assert_eq!(o.exit_code, NOT_FOUND_EXIT);
        assert_eq!(
            o.stderr,
            "exec: \"sh\": executable file not found in $PATH\n"
        );
    }

    #[test]
    fn remove_and_normalize() {
        let mut fs = fs();
        let own = (
            "media".to_string(),
            "radarr".to_string(),
            "radarr".to_string(),
        );
        assert!(fs.remove(&own, "config/config.xml"));
        assert!(!fs.remove(&own, "/config/config.xml"));
        assert_eq!(normalize("a/./b/../c/"), "/a/c");
    }
}
