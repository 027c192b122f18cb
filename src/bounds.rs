//! Limits on everything that comes from outside (issue 13): how much is read, how long a read
//! may take, and what text may reach a terminal.
//!
//! * **Size**: every read from outside has a limit suited to what it is — API JSON
//!   ([`crate::clients::transport::MAX_JSON_BODY`]), an app config file ([`MAX_CONFIG_FILE`]),
//!   a log line ([`MAX_LOG_LINE`]), a list ([`MAX_LIST_ITEMS`]). Over the limit is a clear error
//!   (or a cut with a marker for log lines), never a growing buffer.
//! * **Time**: local files are opened non-blocking and must be regular files (a FIFO or
//!   `/dev/zero` behind a symlink is refused at once) and are read under [`LOCAL_READ_DEADLINE`].
//! * **Text**: [`sanitize`] shows control characters escaped; the TUI's table widget and the
//!   headless table printers call it on every cell. JSON output keeps the exact text.

use std::borrow::Cow;
use std::path::Path;
use std::time::Duration;

/// Largest app config file read (`config.xml`, `sabnzbd.ini`, `config.yaml`, `settings.json`,
/// `qBittorrent.conf`): real ones are a few KiB.
pub const MAX_CONFIG_FILE: usize = 1 << 20;

/// Longest log line kept; the rest of the line is dropped and the line marked.
pub const MAX_LOG_LINE: usize = 16 << 10;

/// Most entries kept from one list an app returns (health messages, queues, …); the rest is
/// counted, not kept.
pub const MAX_LIST_ITEMS: usize = 500;

/// Deadline for one local file read (node path, theme, CA file).
pub const LOCAL_READ_DEADLINE: Duration = Duration::from_secs(5);

/// Deadline for one `exec` into a pod (connect, run, read).
pub const EXEC_DEADLINE: Duration = Duration::from_secs(10);

/// `s` with every control character (C0, DEL, C1) replaced by a visible escape (`\e`, `\n`,
/// `\x07`, `\u{9b}`), so text from outside cannot move the cursor, clear the screen or retitle
/// the terminal. Borrowed when there is nothing to replace (the usual case).
pub fn sanitize(s: &str) -> Cow<'_, str> {
    if !s.chars().any(is_control) {
        return Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        match c {
            '\x1b' => out.push_str("\\e"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if (c as u32) < 0x20 || c == '\x7f' => {
                out.push_str(&format!("\\x{:02x}", c as u32));
            }
            c if is_control(c) => out.push_str(&format!("\\u{{{:x}}}", c as u32)),
            c => out.push(c),
        }
    }
    Cow::Owned(out)
}

/// [`sanitize`] for printed text that has its own line breaks: each line is sanitised, the
/// `\n`s between them are kept.
pub fn sanitize_lines(s: &str) -> Cow<'_, str> {
    if !s.chars().any(|c| c != '\n' && is_control(c)) {
        return Cow::Borrowed(s);
    }
    Cow::Owned(
        s.split('\n')
            .map(|l| sanitize(l).into_owned())
            .collect::<Vec<_>>()
            .join("\n"),
    )
}

/// A parser's message without the values it quotes (`invalid type: string "<a token>"`); field
/// names of `unknown field`/`missing field` messages are kept.
pub fn without_values(msg: &str) -> String {
    static VALUE: std::sync::LazyLock<regex::Regex> = std::sync::LazyLock::new(|| {
        regex::Regex::new(r#"("[^"]*"|'[^']*'|`[^`]*`)"#).expect("static regex")
    });
    if msg.starts_with("unknown field") || msg.starts_with("missing field") {
        msg.to_string()
    } else {
        VALUE.replace_all(msg, "(value not shown)").into_owned()
    }
}

/// A TOML error for a file that may hold secrets (`api_key`, `password`): the message and the
/// line and column, never the offending text (toml's own `Display` quotes the source line).
pub fn toml_error(e: &toml::de::Error, text: &str) -> String {
    let msg = without_values(e.message().trim());
    match e.span() {
        Some(span) if !text.is_empty() => {
            let before = &text[..span.start.min(text.len())];
            let line = before.matches('\n').count() + 1;
            let col = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
            format!("line {line}, column {col}: {}", sanitize(&msg))
        }
        _ => sanitize(&msg).into_owned(),
    }
}

fn is_control(c: char) -> bool {
    let u = c as u32;
    u < 0x20 || (0x7f..=0x9f).contains(&u)
}

/// Keep at most `max` items of `v`; returns how many were dropped.
pub fn cap_list<T>(v: &mut Vec<T>, max: usize) -> usize {
    let dropped = v.len().saturating_sub(max);
    v.truncate(max);
    dropped
}

/// Cut `line` to [`MAX_LOG_LINE`] bytes (on a char boundary), marking the cut.
pub fn cap_line(line: &mut String) {
    if line.len() > MAX_LOG_LINE {
        let mut end = MAX_LOG_LINE;
        while !line.is_char_boundary(end) {
            end -= 1;
        }
        let cut = line.len() - end;
        line.truncate(end);
        line.push_str(&format!(" … [{cut} more bytes]"));
    }
}

/// Read a local text file the hostile way: opened non-blocking (a FIFO cannot hang the open),
/// refused unless it is a regular file (FIFOs, devices, `/dev/zero` through a symlink), at most
/// `limit` bytes, within [`LOCAL_READ_DEADLINE`]. Errors say which limit was hit.
pub async fn read_local_text(path: &Path, limit: usize) -> std::io::Result<String> {
    let p = path.to_path_buf();
    let work = tokio::task::spawn_blocking(move || read_local_blocking(&p, limit));
    match tokio::time::timeout(LOCAL_READ_DEADLINE, work).await {
        Ok(Ok(r)) => r,
        Ok(Err(e)) => Err(std::io::Error::other(e.to_string())),
        Err(_) => Err(std::io::Error::new(
            std::io::ErrorKind::TimedOut,
            format!(
                "no data within {} s",
                LOCAL_READ_DEADLINE.as_secs_f32().round()
            ),
        )),
    }
}

/// The blocking half of [`read_local_text`], for callers outside a runtime.
pub fn read_local_blocking(path: &Path, limit: usize) -> std::io::Result<String> {
    use std::io::Read;
    use std::os::unix::fs::OpenOptionsExt;
    let file = std::fs::OpenOptions::new()
        .read(true)
        .custom_flags(libc::O_NONBLOCK)
        .open(path)?;
    let meta = file.metadata()?;
    if !meta.is_file() {
        return Err(std::io::Error::new(
            std::io::ErrorKind::InvalidInput,
            format!("not a regular file ({})", file_type_name(&meta.file_type())),
        ));
    }
    if meta.len() > limit as u64 {
        return Err(too_big(limit));
    }
    let mut buf = Vec::new();
    file.take(limit as u64 + 1).read_to_end(&mut buf)?;
    if buf.len() > limit {
        return Err(too_big(limit));
    }
    String::from_utf8(buf)
        .map_err(|_| std::io::Error::new(std::io::ErrorKind::InvalidData, "the file is not UTF-8"))
}

fn too_big(limit: usize) -> std::io::Error {
    std::io::Error::new(
        std::io::ErrorKind::InvalidData,
        format!("larger than {} KiB: not read", limit / 1024),
    )
}

fn file_type_name(t: &std::fs::FileType) -> &'static str {
    use std::os::unix::fs::FileTypeExt;
    if t.is_fifo() {
        "a FIFO"
    } else if t.is_char_device() {
        "a character device"
    } else if t.is_block_device() {
        "a block device"
    } else if t.is_socket() {
        "a socket"
    } else if t.is_dir() {
        "a directory"
    } else {
        "not a file"
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sanitize_escapes_every_control_character() {
        let hostile = "ok\x1b]0;pwned\x07\x1b[2J\r\nrow\u{9b}31m\x7f";
        let clean = sanitize(hostile);
        assert!(!clean.chars().any(is_control), "{clean:?}");
        assert_eq!(clean, "ok\\e]0;pwned\\x07\\e[2J\\r\\nrow\\u{9b}31m\\x7f");
        assert!(matches!(sanitize("plain ünïcode ✓"), Cow::Borrowed(_)));
    }

    #[test]
    fn fifo_and_device_are_refused_at_once_and_size_is_bounded() {
        let dir = tempfile::tempdir().unwrap();
        let fifo = dir.path().join("config.xml");
        let status = std::process::Command::new("mkfifo")
            .arg(&fifo)
            .status()
            .unwrap();
        assert!(status.success());
        let started = std::time::Instant::now();
        let e = read_local_blocking(&fifo, MAX_CONFIG_FILE).unwrap_err();
        assert!(e.to_string().contains("FIFO"), "{e}");
        assert!(started.elapsed() < Duration::from_secs(2));

        let link = dir.path().join("zero.xml");
        std::os::unix::fs::symlink("/dev/zero", &link).unwrap();
        let e = read_local_blocking(&link, MAX_CONFIG_FILE).unwrap_err();
        assert!(e.to_string().contains("character device"), "{e}");

        let big = dir.path().join("big.xml");
        std::fs::write(&big, vec![b'a'; MAX_CONFIG_FILE + 1]).unwrap();
        let e = read_local_blocking(&big, MAX_CONFIG_FILE).unwrap_err();
        assert!(e.to_string().contains("larger than 1024 KiB"), "{e}");

        let ok = dir.path().join("ok.xml");
        std::fs::write(&ok, "<Config/>").unwrap();
        assert_eq!(
            read_local_blocking(&ok, MAX_CONFIG_FILE).unwrap(),
            "<Config/>"
        );
    }

    #[test]
    fn long_lines_and_lists_are_capped() {
        let mut l = "é".repeat(MAX_LOG_LINE);
        cap_line(&mut l);
        assert!(
            l.len() < MAX_LOG_LINE + 40 && l.ends_with("more bytes]"),
            "{}",
            l.len()
        );
        let mut v: Vec<u32> = (0..200_000).collect();
        assert_eq!(cap_list(&mut v, MAX_LIST_ITEMS), 200_000 - MAX_LIST_ITEMS);
        assert_eq!(v.len(), MAX_LIST_ITEMS);
    }
}
