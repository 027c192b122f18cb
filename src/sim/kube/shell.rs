//! The tiny command interpreter behind an interactive `pods/exec` (`/bin/sh` or `/bin/bash`
//! with stdin): enough for a shell session test and a look around a container (pure, no I/O).
//!
//! Built-ins: `pwd`, `cd [DIR]`, `exit [N]`, `stty size` (the size the client last sent on the
//! resize channel); `ls`, `cat`, `echo`, `wget`, `curl` run as [`super::execfs`] runs them, with
//! relative paths taken from the working directory. Anything else is the shell's "not found"
//! (exit 127). With a TTY it behaves like a shell on a pseudo-terminal: it echoes what is typed,
//! edits the line (backspace, ctrl-c, ctrl-u), ends on ctrl-d at an empty line, prints a prompt
//! and writes `\r\n` for every newline; without one (`kubectl exec -i`) it reads lines from stdin
//! quietly and ends at end of input.

use super::execfs::{self, Output};
use std::collections::BTreeMap;

/// The longest line kept (a pty's canonical-mode buffer is 4096 bytes too).
const MAX_LINE: usize = 4096;

/// The shells a container image has: every image ships `/bin/sh`; the Alpine/busybox ones
/// (gluetun) have no bash.
pub fn has_shell(image: &str, program: &str) -> bool {
    match program.rsplit('/').next().unwrap_or(program) {
        "sh" => true,
        "bash" => !image.contains("gluetun") && !image.contains("busybox"),
        _ => false,
    }
}

/// Is `argv` an interactive shell (`sh`, `/bin/bash`, `bash -i`, `sh -l`)?
pub fn is_shell(argv: &[String]) -> bool {
    let Some(prog) = argv.first() else {
        return false;
    };
    let name = prog.rsplit('/').next().unwrap_or(prog);
    matches!(name, "sh" | "bash") && argv[1..].iter().all(|a| a == "-i" || a == "-l")
}

/// One shell session.
#[derive(Debug)]
pub struct Shell {
    files: BTreeMap<String, String>,
    web: BTreeMap<String, String>,
    /// `bash` or `sh` (the error wording and the prompt differ).
    name: String,
    host: String,
    tty: bool,
    cwd: String,
    line: Vec<u8>,
    /// Inside an escape sequence (arrow keys …), which is dropped.
    escape: bool,
    last: i32,
    /// Columns and rows from the resize channel.
    pub size: Option<(u16, u16)>,
}

impl Shell {
    pub fn new(
        files: BTreeMap<String, String>,
        web: BTreeMap<String, String>,
        program: &str,
        host: &str,
        tty: bool,
    ) -> Shell {
        let name = program.rsplit('/').next().unwrap_or(program).to_string();
        Shell {
            files,
            web,
            name,
            host: host.to_string(),
            tty,
            cwd: "/".into(),
            line: Vec::new(),
            escape: false,
            last: 0,
            size: None,
        }
    }

    /// What the shell prints before the first command (the prompt with a TTY).
    pub fn greeting(&self) -> String {
        self.prompt()
    }

    fn prompt(&self) -> String {
        if !self.tty {
            return String::new();
        }
        match self.name.as_str() {
            "bash" => format!("root@{}:{}# ", self.host, self.cwd),
            _ => format!("{} # ", self.cwd),
        }
    }

    /// Feed bytes from stdin: what to write back, and the exit code once the shell has ended.
    pub fn feed(&mut self, bytes: &[u8]) -> (Vec<u8>, Option<i32>) {
        let mut out = Vec::new();
        for &b in bytes {
            if self.escape {
                // CSI sequences end with a byte in 0x40..=0x7e (after the `[`).
                if b != b'[' && (0x40..=0x7e).contains(&b) {
                    self.escape = false;
                }
                continue;
            }
            match b {
                b'\r' | b'\n' => {
                    if self.tty {
                        out.extend_from_slice(b"\r\n");
                    }
                    let line =
                        String::from_utf8_lossy(&std::mem::take(&mut self.line)).into_owned();
                    let (text, exit) = self.run_line(&line);
                    out.extend_from_slice(self.newlines(&text).as_bytes());
                    if exit.is_some() {
                        return (out, exit);
                    }
                    out.extend_from_slice(self.prompt().as_bytes());
                }
                0x1b if self.tty => self.escape = true,
                0x7f | 0x08 if self.tty => {
                    if self.line.pop().is_some() {
                        out.extend_from_slice(b"\x08 \x08");
                    }
                }
                0x03 if self.tty => {
                    self.line.clear();
                    self.last = 130;
                    out.extend_from_slice(b"^C\r\n");
                    out.extend_from_slice(self.prompt().as_bytes());
                }
                0x15 if self.tty => {
                    for _ in 0..self.line.len() {
                        out.extend_from_slice(b"\x08 \x08");
                    }
                    self.line.clear();
                }
                0x04 if self.tty => {
                    if self.line.is_empty() {
                        out.extend_from_slice(b"exit\r\n");
                        return (out, Some(self.last));
                    }
                }
                b if b < 0x20 && b != b'\t' => {}
                b => {
                    if self.line.len() < MAX_LINE {
                        self.line.push(b);
                        if self.tty {
                            out.push(b);
                        }
                    }
                }
            }
        }
        (out, None)
    }

    /// Stdin ended (ctrl-d without a TTY, or the client closed stdin): run what is left.
    pub fn end_of_input(&mut self) -> (Vec<u8>, i32) {
        let mut out = Vec::new();
        if !self.line.is_empty() {
            let line = String::from_utf8_lossy(&std::mem::take(&mut self.line)).into_owned();
            let (text, exit) = self.run_line(&line);
            out.extend_from_slice(self.newlines(&text).as_bytes());
            if let Some(code) = exit {
                return (out, code);
            }
        }
        (out, self.last)
    }

    /// A terminal turns `\n` into `\r\n` (onlcr).
    fn newlines(&self, text: &str) -> String {
        if self.tty {
            text.replace('\n', "\r\n")
        } else {
            text.to_string()
        }
    }

    fn abs(&self, path: &str) -> String {
        if path.starts_with('/') {
            execfs::normalize(path)
        } else {
            execfs::normalize(&format!("{}/{path}", self.cwd))
        }
    }

    /// Run one command line: its output, and the exit code when it ended the shell.
    fn run_line(&mut self, line: &str) -> (String, Option<i32>) {
        let words = split_words(line);
        let Some(cmd) = words.first().map(String::as_str) else {
            return (String::new(), None);
        };
        let args = &words[1..];
        let out = match cmd {
            "exit" => {
                let code = args
                    .first()
                    .and_then(|a| a.parse::<i32>().ok())
                    .unwrap_or(self.last);
                return (String::new(), Some(code & 0xff));
            }
            "pwd" => Output {
                stdout: format!("{}\n", self.cwd),
                ..Output::default()
            },
            "cd" => {
                let to = self.abs(args.first().map_or("/", String::as_str));
                if to == "/" || self.is_dir(&to) {
                    self.cwd = to;
                    Output::default()
                } else {
                    Output {
                        stderr: format!(
                            "{}: cd: {}: No such file or directory\n",
                            self.name,
                            args.first().map_or("", String::as_str)
                        ),
                        exit_code: 1,
                        ..Output::default()
                    }
                }
            }
            "stty" if args.first().map(String::as_str) == Some("size") => match self.size {
                Some((w, h)) => Output {
                    stdout: format!("{h} {w}\n"),
                    ..Output::default()
                },
                None => Output {
                    stderr: "stty: 'standard input': Inappropriate ioctl for device\n".into(),
                    exit_code: 1,
                    ..Output::default()
                },
            },
            _ => {
                let name = cmd.rsplit('/').next().unwrap_or(cmd);
                if !matches!(name, "ls" | "cat" | "echo" | "wget" | "curl") {
                    let stderr = match self.name.as_str() {
                        "bash" => format!("bash: {cmd}: command not found\n"),
                        _ => format!("sh: {cmd}: not found\n"),
                    };
                    Output {
                        stderr,
                        exit_code: execfs::NOT_FOUND_EXIT,
                        ..Output::default()
                    }
                } else {
                    let mut argv = vec![cmd.to_string()];
                    let paths = matches!(name, "ls" | "cat");
                    for a in args {
                        let p = paths && !a.starts_with('-');
                        argv.push(if p { self.abs(a) } else { a.clone() });
                    }
                    if name == "ls" && argv.len() == 1 {
                        argv.push(self.cwd.clone());
                    }
                    execfs::run_with_web(&self.files, &self.web, &argv)
                }
            }
        };
        self.last = out.exit_code;
        (format!("{}{}", out.stdout, out.stderr), None)
    }

    fn is_dir(&self, path: &str) -> bool {
        let prefix = format!("{path}/");
        self.files.keys().any(|k| k.starts_with(&prefix))
    }
}

/// Split a command line into words: blanks separate, single and double quotes group.
fn split_words(line: &str) -> Vec<String> {
    let mut words = Vec::new();
    let mut cur = String::new();
    let mut any = false;
    let mut quote: Option<char> = None;
    for c in line.chars() {
        match (quote, c) {
            (Some(q), c) if c == q => quote = None,
            (Some(_), c) => cur.push(c),
            (None, '\'' | '"') => {
                quote = Some(c);
                any = true;
            }
            (None, c) if c.is_whitespace() => {
                if any || !cur.is_empty() {
                    words.push(std::mem::take(&mut cur));
                    any = false;
                }
            }
            (None, c) => cur.push(c),
        }
    }
    if any || !cur.is_empty() {
        words.push(cur);
    }
    words
}

#[cfg(test)]
mod tests {
    use super::*;

    fn shell(tty: bool) -> Shell {
        let mut files = BTreeMap::new();
        files.insert("/config/config.xml".to_string(), "<Config/>\n".to_string());
        Shell::new(files, BTreeMap::new(), "/bin/bash", "sonarr-1", tty)
    }

    fn feed(s: &mut Shell, input: &str) -> (String, Option<i32>) {
        let (out, exit) = s.feed(input.as_bytes());
        (String::from_utf8(out).unwrap(), exit)
    }

    #[test]
    fn tty_session_echoes_runs_and_exits() {
        let mut s = shell(true);
        assert_eq!(s.greeting(), "root@sonarr-1:/# ");
        let (out, exit) = feed(&mut s, "cd config\r");
        assert_eq!(out, "cd config\r\nroot@sonarr-1:/config# ");
        assert_eq!(exit, None);
        let (out, _) = feed(&mut s, "pwd\rls\r");
        assert!(out.contains("pwd\r\n/config\r\n"), "{out:?}");
        assert!(out.contains("ls\r\nconfig.xml\r\n"), "{out:?}");
        let (out, _) = feed(&mut s, "cat config.xml\r");
        assert!(out.contains("<Config/>\r\n"), "{out:?}");
        let (out, _) = feed(&mut s, "vim x\r");
        assert!(out.contains("bash: vim: command not found"), "{out:?}");
        let (out, _) = feed(&mut s, "ab\x7f\x1b[Dc\r");
        assert!(
            out.starts_with("ab\x08 \x08c\r\nbash: ac: command not found"),
            "{out:?}"
        );
        assert_eq!(feed(&mut s, "exit 3\r").1, Some(3));
    }

    #[test]
    fn ctrl_d_and_resize() {
        let mut s = shell(true);
        assert!(feed(&mut s, "stty size\r")
            .0
            .contains("Inappropriate ioctl"));
        s.size = Some((120, 40));
        assert!(feed(&mut s, "stty size\r").0.contains("\r\n40 120\r\n"));
        assert_eq!(
            feed(&mut s, "x\x04").1,
            None,
            "ctrl-d ends only an empty line"
        );
        assert_eq!(feed(&mut s, "\x15\x04").1, Some(0), "the last status");
    }

    #[test]
    fn without_a_tty_reads_lines_quietly() {
        let mut s = shell(false);
        assert_eq!(s.greeting(), "");
        assert_eq!(
            feed(&mut s, "pwd\necho 'a  b' c\n"),
            ("/\na  b c\n".to_string(), None)
        );
        s.feed(b"cat /config/config.xml");
        assert_eq!(s.end_of_input(), (b"<Config/>\n".to_vec(), 0));
    }

    #[test]
    fn shells_per_image() {
        assert!(has_shell("qmcgaw/gluetun:v3", "/bin/sh"));
        assert!(!has_shell("qmcgaw/gluetun:v3", "/bin/bash"));
        assert!(has_shell("lscr.io/linuxserver/sonarr", "bash"));
        assert!(!has_shell("lscr.io/linuxserver/sonarr", "zsh"));
        let argv = |a: &[&str]| a.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        assert!(is_shell(&argv(&["/bin/sh"])));
        assert!(is_shell(&argv(&["bash", "-i"])));
        assert!(!is_shell(&argv(&["sh", "-c", "ls"])));
    }
}
