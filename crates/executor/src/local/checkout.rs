//! Step 1, `get code`: a checkout from a kept bare mirror of the repository, a copy of a
//! directory on this machine, or the unpacked artifact of the run this one is chained from.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, LazyLock, Mutex};

use tokio::process::Command;
use tokio_util::sync::CancellationToken;

use super::copy::{comparable, copy_tree};
use super::process::{capture, run_logged};
use super::report::{Reporter, StepFailure};
use crate::{Job, Source};

/// The order of the `get code` step.
pub(crate) const ORDER: u32 = 1;

/// The names wercker.yml may have, in the order they are looked for.
const YML_NAMES: [&str; 3] = ["ewok.yml", "wercker.yml", ".wercker.yml"];

/// What the checkout produced.
#[derive(Debug, Clone)]
pub(crate) struct CheckedOut {
    /// The commit checked out (or the parent's, for an artifact).
    pub commit: String,
    /// The branch, for `WERCKER_GIT_BRANCH`.
    pub branch: String,
    /// The commit message, empty for an artifact.
    pub message: String,
    /// A tag pointing at the commit, for `WERCKER_GIT_TAG`; empty when none.
    pub tag: String,
    /// The wercker.yml found: its file name and text.
    pub yml: Option<(String, String)>,
}

/// Puts the job's code into `<work_dir>/source`.
pub(crate) async fn get_code(
    job: &Job,
    source_dir: &Path,
    rep: &Reporter,
    cancel: &CancellationToken,
) -> Result<CheckedOut, StepFailure> {
    remove_dir(source_dir).await?;
    let (commit, branch, message, tag) = match &job.source {
        Source::Git {
            url,
            branch,
            commit,
            mirror,
        } => {
            let git = GitSource {
                url,
                branch,
                commit: commit.as_deref(),
                mirror,
            };
            let (commit, message, tag) = git.checkout(source_dir, job, rep, cancel).await?;
            (commit, branch.clone(), message, tag)
        }
        Source::Directory {
            path,
            branch,
            commit,
        } => {
            rep.line(ORDER, &format!("Copying {}", path.display()))
                .await;
            let files = copy_directory(job, path, source_dir).await?;
            rep.line(ORDER, &format!("Copied {files} files")).await;
            (commit.clone(), branch.clone(), String::new(), String::new())
        }
        Source::Artifact {
            path,
            branch,
            commit,
        } => {
            rep.line(ORDER, "Retrieving the output of the source run")
                .await;
            unpack(path, source_dir).await?;
            (commit.clone(), branch.clone(), String::new(), String::new())
        }
    };
    let mut yml = find_yml(source_dir).await?;
    if yml.is_none()
        && let Some(text) = &job.yml_fallback
    {
        // A pipeline's output rarely holds wercker.yml: the run it came from says what to run.
        rep.line(
            ORDER,
            "The source has no wercker.yml: using the one of the run it came from",
        )
        .await;
        yml = Some(("wercker.yml".to_string(), text.clone()));
    }
    Ok(CheckedOut {
        commit,
        branch,
        message,
        tag,
        yml,
    })
}

/// The git side of a job.
struct GitSource<'a> {
    url: &'a str,
    branch: &'a str,
    commit: Option<&'a str>,
    mirror: &'a Path,
}

impl GitSource<'_> {
    /// Updates the mirror, resolves the commit and checks it out into `source_dir`;
    /// returns the commit and its message.
    async fn checkout(
        &self,
        source_dir: &Path,
        job: &Job,
        rep: &Reporter,
        cancel: &CancellationToken,
    ) -> Result<(String, String, String), StepFailure> {
        // Names starting with `-` would be read as options by git.
        if self.branch.starts_with('-') || self.commit.is_some_and(|c| c.starts_with('-')) {
            return Err(StepFailure::failed(format!(
                "invalid branch or commit name: {}",
                self.commit.unwrap_or(self.branch)
            )));
        }
        let timeout = job.limits.command_timeout;
        // Two runs of one repository must not update its mirror at the same time.
        let lock = mirror_lock(self.mirror);
        let _guard = tokio::select! {
            guard = lock.lock_owned() => guard,
            () = cancel.cancelled() => return Err(StepFailure::aborted()),
        };

        let mirror = self.mirror;
        if tokio::fs::try_exists(mirror.join("HEAD"))
            .await
            .unwrap_or(false)
        {
            rep.line(ORDER, "Fetching the repository").await;
            let mut set_url = git();
            set_url
                .arg("-C")
                .arg(mirror)
                .args(["remote", "set-url", "origin", self.url]);
            capture(set_url, "git remote set-url").await?;
            let mut fetch = git();
            fetch
                .arg("-C")
                .arg(mirror)
                .args(["fetch", "--prune", "origin"]);
            run_logged(fetch, "git fetch", ORDER, rep, cancel, timeout).await?;
        } else {
            rep.line(ORDER, "Cloning the repository").await;
            remove_dir(mirror).await?;
            if let Some(parent) = mirror.parent() {
                tokio::fs::create_dir_all(parent).await.map_err(|e| {
                    StepFailure::failed(format!("cannot create {}: {e}", parent.display()))
                })?;
            }
            let mut clone = git();
            clone
                .args(["clone", "--mirror", "--", self.url])
                .arg(mirror);
            let cloned = run_logged(clone, "git clone", ORDER, rep, cancel, timeout).await;
            if cloned.is_err() {
                // A half-made mirror would be taken for a good one next time.
                let _ = tokio::fs::remove_dir_all(mirror).await;
            }
            cloned?;
        }

        let commit = self.resolve().await?;
        rep.line(ORDER, &format!("Checking out {commit} ({})", self.branch))
            .await;
        let mut clone = git();
        clone
            .args(["clone", "-q", "--no-checkout", "--"])
            .arg(mirror)
            .arg(source_dir);
        run_logged(clone, "git clone", ORDER, rep, cancel, timeout).await?;
        let mut checkout = git();
        checkout.arg("-C").arg(source_dir).args(["checkout", "-q"]);
        if self.branch.is_empty() {
            checkout.args(["--detach", &commit]);
        } else {
            checkout.args(["-B", self.branch, &commit]);
        }
        run_logged(checkout, "git checkout", ORDER, rep, cancel, timeout).await?;

        let mut log = git();
        log.arg("-C")
            .arg(source_dir)
            .args(["log", "-1", "--format=%B", &commit]);
        let message = capture(log, "git log").await?.unwrap_or_default();
        let mut tags = git();
        tags.arg("-C")
            .arg(source_dir)
            .args(["tag", "--points-at", &commit]);
        let tag = capture(tags, "git tag")
            .await?
            .and_then(|t| t.lines().next().map(str::to_string))
            .unwrap_or_default();
        Ok((commit, message, tag))
    }

    /// The full id of the commit to build.
    async fn resolve(&self) -> Result<String, StepFailure> {
        let (rev, missing) = match self.commit {
            Some(commit) => (
                format!("{commit}^{{commit}}"),
                format!("commit {commit} not found in the repository"),
            ),
            None => (
                format!("refs/heads/{}^{{commit}}", self.branch),
                format!("branch {} not found in the repository", self.branch),
            ),
        };
        let mut cmd = git();
        cmd.arg("-C")
            .arg(self.mirror)
            .args(["rev-parse", "--verify", "--quiet", &rev]);
        match capture(cmd, "git rev-parse").await? {
            Some(commit) if !commit.is_empty() => Ok(commit),
            _ => Err(StepFailure::failed(missing)),
        }
    }
}

/// A git command that never waits for a password on a terminal.
pub(crate) fn git() -> Command {
    let mut cmd = Command::new("git");
    cmd.env("GIT_TERMINAL_PROMPT", "0");
    cmd
}

/// The lock serialising work on one directory kept across runs (a mirror, a fetched
/// step) within this process.
pub(crate) fn mirror_lock(mirror: &Path) -> Arc<tokio::sync::Mutex<()>> {
    static LOCKS: LazyLock<Mutex<HashMap<PathBuf, Arc<tokio::sync::Mutex<()>>>>> =
        LazyLock::new(Mutex::default);
    let mut locks = LOCKS
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner());
    locks.entry(mirror.to_path_buf()).or_default().clone()
}

/// The name of werk's data directory when it lies inside a project directory; never part
/// of a build's input.
const WERK_DATA_DIR: &str = ".werk";

/// Copies the working tree at `path` into `dest`; returns how many files were copied.
///
/// Repository metadata is left out, and so is anything of werk's own that lies inside the
/// tree (its data dir, this run's work dir, the cache): copying those would copy the copy.
async fn copy_directory(job: &Job, path: &Path, dest: &Path) -> Result<u64, StepFailure> {
    if !path.is_dir() {
        return Err(StepFailure::failed(format!(
            "{} is not a directory",
            path.display()
        )));
    }
    let src = comparable(path);
    let dest = dest.to_path_buf();
    let mut werk_dirs = vec![job.work_dir.clone(), job.cache_dir.clone()];
    werk_dirs.extend(job.steps.cache.clone());
    let copied = tokio::task::spawn_blocking(move || {
        // Made to exist first, so that they compare equal to the entries of the walk.
        std::fs::create_dir_all(&dest)?;
        let werk_dirs: Vec<PathBuf> = werk_dirs.iter().map(|d| comparable(d)).collect();
        let skip = move |entry: &Path, name: &std::ffi::OsStr, depth: usize| {
            name == ".git"
                || (depth == 0 && name == WERK_DATA_DIR)
                || werk_dirs.iter().any(|d| d == entry)
        };
        copy_tree(&src, &dest, &skip)
    })
    .await;
    match copied {
        Ok(Ok(files)) => Ok(files),
        Ok(Err(e)) => Err(StepFailure::failed(format!(
            "cannot copy {}: {e}",
            path.display()
        ))),
        Err(e) => Err(StepFailure::failed(format!(
            "copying {} failed: {e}",
            path.display()
        ))),
    }
}

/// Unpacks the tar at `artifact` into `dest`.
async fn unpack(artifact: &Path, dest: &Path) -> Result<(), StepFailure> {
    let artifact = artifact.to_path_buf();
    let dest = dest.to_path_buf();
    let result = tokio::task::spawn_blocking(move || -> std::io::Result<()> {
        std::fs::create_dir_all(&dest)?;
        let file = std::fs::File::open(&artifact)?;
        let mut archive = tar::Archive::new(std::io::BufReader::new(file));
        archive.set_preserve_permissions(true);
        archive.set_preserve_mtime(true);
        archive.unpack(&dest)
    })
    .await;
    match result {
        Ok(Ok(())) => Ok(()),
        Ok(Err(e)) => Err(StepFailure::failed(format!(
            "cannot unpack the source run's artifact: {e}"
        ))),
        Err(e) => Err(StepFailure::failed(format!(
            "unpacking the source run's artifact failed: {e}"
        ))),
    }
}

/// The first wercker.yml of [`YML_NAMES`] present in `source_dir`.
async fn find_yml(source_dir: &Path) -> Result<Option<(String, String)>, StepFailure> {
    for name in YML_NAMES {
        let path = source_dir.join(name);
        match tokio::fs::read(&path).await {
            Ok(bytes) => {
                let text = String::from_utf8_lossy(&bytes).into_owned();
                return Ok(Some((name.to_owned(), text)));
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => return Err(StepFailure::failed(format!("cannot read {name}: {e}"))),
        }
    }
    Ok(None)
}

/// Removes `dir` if it exists.
pub(crate) async fn remove_dir(dir: &Path) -> Result<(), StepFailure> {
    match tokio::fs::remove_dir_all(dir).await {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
        Err(e) => Err(StepFailure::failed(format!(
            "cannot remove {}: {e}",
            dir.display()
        ))),
    }
}
