//! The `store` step: the run's artifact is a tar of `$WERCKER_OUTPUT_DIR`, or of the source
//! when the output holds no regular file, with each collected file listed in the log.

use std::fs;
use std::io;
use std::path::{Path, PathBuf};

use bytes::Bytes;
use tokio::sync::mpsc;
use tokio_util::sync::CancellationToken;

use super::report::{MAX_LOG_CHUNK, Reporter, StepFailure};
use super::setup::Paths;

/// The largest artifact kept, as on Wercker.
const MAX_ARTIFACT_BYTES: u64 = 5000 * 1000 * 1000;

/// Directories listed as one line, not file by file.
const OMITTED_DIRS: [&str; 4] = [".git", "node_modules", "vendor", "site-packages"];

/// Writes the artifact to `artifact_path`, logging to step `order`.
pub(crate) async fn store(
    paths: &Paths,
    artifact_path: &Path,
    order: u32,
    rep: &Reporter,
    cancel: &CancellationToken,
) -> Result<Option<String>, StepFailure> {
    rep.line(order, "Storing artifacts").await;
    match collect(paths, artifact_path, order, rep, cancel).await {
        Ok(size) => {
            rep.line(
                order,
                &format!("Total artifact size: {}", human_bytes(size)),
            )
            .await;
            rep.line(order, "Storing artifacts complete").await;
            Ok(None)
        }
        Err(_) if cancel.is_cancelled() => Err(StepFailure::aborted()),
        Err(e) => {
            rep.line(order, &format!("Storing artifacts failed: {e}"))
                .await;
            Err(StepFailure::failed(format!(
                "Unable to store pipeline output: {e}"
            )))
        }
    }
}

/// Builds the tar and returns its size.
async fn collect(
    paths: &Paths,
    artifact_path: &Path,
    order: u32,
    rep: &Reporter,
    cancel: &CancellationToken,
) -> io::Result<u64> {
    let output = paths.output.clone();
    let root = paths.root.clone();
    let dir = tokio::task::spawn_blocking(move || {
        if has_regular_file(&output)? {
            Ok::<_, io::Error>(output)
        } else {
            Ok(root)
        }
    })
    .await
    .map_err(io::Error::other)??;
    rep.line(order, &format!("Collecting files from {}", dir.display()))
        .await;

    // The listing travels to the log in bounded batches while the tar is written.
    let (lines_tx, mut lines_rx) = mpsc::channel::<Bytes>(4);
    let artifact = artifact_path.to_path_buf();
    let token = cancel.clone();
    let writer = tokio::task::spawn_blocking(move || {
        let mut tar = TarWriter::create(&artifact, lines_tx, token)?;
        tar.add_dir(&dir, Path::new(""))?;
        tar.finish()
    });
    while let Some(batch) = lines_rx.recv().await {
        rep.log(order, &batch).await;
    }
    writer.await.map_err(io::Error::other)?
}

/// Whether `dir` contains a regular file at any depth.
fn has_regular_file(dir: &Path) -> io::Result<bool> {
    let entries = match fs::read_dir(dir) {
        Ok(entries) => entries,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(false),
        Err(e) => return Err(e),
    };
    for entry in entries {
        let entry = entry?;
        let kind = entry.file_type()?;
        if kind.is_file() || (kind.is_dir() && has_regular_file(&entry.path())?) {
            return Ok(true);
        }
    }
    Ok(false)
}

/// A tar being written to a temporary name next to the artifact, with its listing.
struct TarWriter {
    builder: tar::Builder<io::BufWriter<fs::File>>,
    partial: Partial,
    artifact: PathBuf,
    lines: mpsc::Sender<Bytes>,
    batch: Vec<u8>,
    cancel: CancellationToken,
}

impl TarWriter {
    fn create(
        artifact: &Path,
        lines: mpsc::Sender<Bytes>,
        cancel: CancellationToken,
    ) -> io::Result<Self> {
        if let Some(parent) = artifact.parent() {
            fs::create_dir_all(parent)?;
        }
        // Readers of the artifact never see a half-written tar.
        let mut partial = artifact.as_os_str().to_owned();
        partial.push(".partial");
        let partial = Partial(PathBuf::from(partial));
        let file = fs::File::create(&partial.0)?;
        let mut builder = tar::Builder::new(io::BufWriter::new(file));
        builder.follow_symlinks(false);
        Ok(TarWriter {
            builder,
            partial,
            artifact: artifact.to_path_buf(),
            lines,
            batch: Vec::new(),
            cancel,
        })
    }

    /// Adds the contents of `dir` as `prefix/...`, listing files unless `quiet`.
    fn add_dir(&mut self, dir: &Path, prefix: &Path) -> io::Result<()> {
        self.add_dir_inner(dir, prefix, false)
    }

    fn add_dir_inner(&mut self, dir: &Path, prefix: &Path, quiet: bool) -> io::Result<()> {
        let mut entries = fs::read_dir(dir)?.collect::<io::Result<Vec<_>>>()?;
        entries.sort_by_key(|e| e.file_name());
        for entry in entries {
            if self.cancel.is_cancelled() {
                return Err(io::Error::new(io::ErrorKind::Interrupted, "cancelled"));
            }
            let path = entry.path();
            if path == self.partial.0 || path == self.artifact {
                continue;
            }
            let name = prefix.join(entry.file_name());
            let kind = entry.file_type()?;
            if kind.is_dir() {
                let omitted = OMITTED_DIRS
                    .iter()
                    .any(|d| entry.file_name() == std::ffi::OsStr::new(d));
                if omitted && !quiet {
                    self.list(&format!("./{}/ (content omitted)", name.display()))?;
                }
                // Repository metadata is not part of a build's result.
                if entry.file_name() == ".git" {
                    continue;
                }
                self.builder.append_path_with_name(&path, &name)?;
                self.add_dir_inner(&path, &name, quiet || omitted)?;
            } else if kind.is_file() || kind.is_symlink() {
                if !quiet {
                    self.list(&format!("./{}", name.display()))?;
                }
                self.builder.append_path_with_name(&path, &name)?;
            }
        }
        Ok(())
    }

    /// Queues one listing line for the log.
    fn list(&mut self, line: &str) -> io::Result<()> {
        self.batch.extend_from_slice(line.as_bytes());
        self.batch.push(b'\n');
        if self.batch.len() >= MAX_LOG_CHUNK / 2 {
            self.flush_lines()?;
        }
        Ok(())
    }

    fn flush_lines(&mut self) -> io::Result<()> {
        if self.batch.is_empty() {
            return Ok(());
        }
        let batch = Bytes::from(std::mem::take(&mut self.batch));
        self.lines
            .blocking_send(batch)
            .map_err(|_| io::Error::other("the log is gone"))
    }

    /// Completes the tar, checks its size and puts it in place; returns the size.
    fn finish(mut self) -> io::Result<u64> {
        self.flush_lines()?;
        let file = self
            .builder
            .into_inner()?
            .into_inner()
            .map_err(|e| e.into_error())?;
        file.sync_all()?;
        let size = file.metadata()?.len();
        if size > MAX_ARTIFACT_BYTES {
            return Err(io::Error::other("Size exceeds maximum size of 5000MB"));
        }
        fs::rename(&self.partial.0, &self.artifact)?;
        Ok(size)
    }
}

/// Removes the temporary tar when writing stops early; after a successful finish it has
/// been renamed away and there is nothing left to remove.
struct Partial(PathBuf);

impl Drop for Partial {
    fn drop(&mut self) {
        let _ = fs::remove_file(&self.0);
    }
}

/// A size as go-humanize's `Bytes` prints it (`0 B`, `512 B`, `1.5 kB`, `23 MB`).
pub(crate) fn human_bytes(size: u64) -> String {
    const UNITS: [&str; 7] = ["B", "kB", "MB", "GB", "TB", "PB", "EB"];
    if size < 10 {
        return format!("{size} B");
    }
    let mut exp = 0;
    let mut scaled = size as f64;
    while scaled >= 1000.0 && exp < UNITS.len() - 1 {
        scaled /= 1000.0;
        exp += 1;
    }
    let rounded = (scaled * 10.0 + 0.5).floor() / 10.0;
    if rounded < 10.0 {
        format!("{rounded:.1} {}", UNITS[exp])
    } else {
        format!("{rounded:.0} {}", UNITS[exp])
    }
}

#[cfg(test)]
mod tests {
    use super::human_bytes;

    #[test]
    fn sizes_like_go_humanize() {
        assert_eq!(human_bytes(0), "0 B");
        assert_eq!(human_bytes(512), "512 B");
        assert_eq!(human_bytes(1500), "1.5 kB");
        assert_eq!(human_bytes(10240), "10 kB");
        assert_eq!(human_bytes(23_000_000), "23 MB");
    }
}
