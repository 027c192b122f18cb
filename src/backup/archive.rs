//! Stream helpers: SHA-256 while writing or reading, an exact-length reader (a file that shrinks
//! while being read is an error, not a corrupt tar), and fsync of files and directories.

use std::io::{self, Read, Write};
use std::path::Path;

/// Hashes and counts what passes through to `inner`. `limit` makes the writer fail like a
/// full disk after that many bytes (the full-disk test; `None` in real use).
pub struct HashWriter<W: Write> {
    inner: W,
    ctx: ring::digest::Context,
    pub written: u64,
    limit: Option<u64>,
}

impl<W: Write> HashWriter<W> {
    pub fn new(inner: W, limit: Option<u64>) -> Self {
        HashWriter {
            inner,
            ctx: ring::digest::Context::new(&ring::digest::SHA256),
            written: 0,
            limit,
        }
    }

    pub fn finish(self) -> (W, String, u64) {
        (
            self.inner,
            super::hex(self.ctx.finish().as_ref()),
            self.written,
        )
    }
}

impl<W: Write> Write for HashWriter<W> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        if let Some(l) = self.limit {
            if self.written + buf.len() as u64 > l {
                return Err(io::Error::new(
                    io::ErrorKind::StorageFull,
                    "No space left on device (os error 28)",
                ));
            }
        }
        let n = self.inner.write(buf)?;
        self.ctx.update(&buf[..n]);
        self.written += n as u64;
        Ok(n)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.inner.flush()
    }
}

/// Reads exactly `len` bytes from `inner`, hashing them; fewer is an error.
pub struct HashReader<R: Read> {
    inner: R,
    ctx: ring::digest::Context,
    left: u64,
}

impl<R: Read> HashReader<R> {
    pub fn new(inner: R, len: u64) -> Self {
        HashReader {
            inner,
            ctx: ring::digest::Context::new(&ring::digest::SHA256),
            left: len,
        }
    }

    pub fn digest(self) -> String {
        super::hex(self.ctx.finish().as_ref())
    }
}

impl<R: Read> Read for HashReader<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if self.left == 0 {
            return Ok(0);
        }
        let max = buf.len().min(self.left as usize);
        let n = self.inner.read(&mut buf[..max])?;
        if n == 0 {
            return Err(io::Error::new(
                io::ErrorKind::UnexpectedEof,
                "file shrank while it was being read",
            ));
        }
        self.ctx.update(&buf[..n]);
        self.left -= n as u64;
        Ok(n)
    }
}

/// SHA-256 of a whole stream.
pub fn sha256_of(mut r: impl Read) -> io::Result<(String, u64)> {
    let mut ctx = ring::digest::Context::new(&ring::digest::SHA256);
    let mut buf = vec![0u8; 256 * 1024];
    let mut n = 0u64;
    loop {
        let k = r.read(&mut buf)?;
        if k == 0 {
            break;
        }
        ctx.update(&buf[..k]);
        n += k as u64;
    }
    Ok((super::hex(ctx.finish().as_ref()), n))
}

pub fn fsync_dir(dir: &Path) -> io::Result<()> {
    std::fs::File::open(dir)?.sync_all()
}

/// Write `bytes` to `path` through `<path>.tmp`, fsync, rename.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> io::Result<()> {
    let tmp = path.with_extension("tmp-write");
    {
        let mut f = std::fs::File::create(&tmp)?;
        f.write_all(bytes)?;
        f.sync_all()?;
    }
    std::fs::rename(&tmp, path)?;
    if let Some(p) = path.parent() {
        fsync_dir(p)?;
    }
    Ok(())
}

/// Flush everything written under `dir` to disk: one `syncfs(2)` of its filesystem instead
/// of an fsync per file (a config tree has thousands of small files).
pub fn sync_tree(dir: &Path) -> io::Result<()> {
    use std::os::fd::AsRawFd;
    let f = std::fs::File::open(dir)?;
    // SAFETY: a valid open file descriptor; syncfs has no other preconditions.
    if unsafe { libc::syncfs(f.as_raw_fd()) } != 0 {
        return Err(io::Error::last_os_error());
    }
    Ok(())
}
