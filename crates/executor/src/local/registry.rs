//! Finding a registry step (`owner/name@version`): in the steps directory, among werk's
//! built-in steps, or in a git repository named by the step git template; then putting its
//! files in the step's directory.
//!
//! Every place looked is remembered, so that a step that cannot be found fails with a
//! message saying where werk looked and why each place did not have it.

use std::path::{Path, PathBuf};
use std::time::Duration;

use tokio_util::sync::CancellationToken;
use werk_yml::Step;

use super::builtin;
use super::checkout::{git, mirror_lock, remove_dir};
use super::copy::copy_tree;
use super::process::run_logged;
use super::report::{Reporter, StepFailure};
use crate::StepSources;

/// The version directory used for ids without a version.
pub(crate) const LATEST: &str = "latest";

/// Where a step's files come from.
#[derive(Debug, Clone)]
pub(crate) enum StepFiles {
    /// A directory holding `run.sh` and its manifest.
    Dir(PathBuf),
    /// One of werk's built-in steps.
    Builtin(builtin::Files),
}

/// A step that was found, and where.
#[derive(Debug, Clone)]
pub(crate) struct Resolved {
    /// Its files.
    pub files: StepFiles,
    /// Where it came from, for the step's log.
    pub origin: String,
}

/// What resolving needs besides the step: where to look and where to log.
pub(crate) struct Lookup<'a> {
    /// The configured step sources.
    pub sources: &'a StepSources,
    /// Where to clone steps when no step cache is configured (not kept across runs).
    pub scratch: &'a Path,
    /// The step's order, for its log.
    pub order: u32,
    /// The run's reporter.
    pub rep: &'a Reporter,
    /// The run's cancel token.
    pub cancel: &'a CancellationToken,
    /// Upper bound for one git command.
    pub timeout: Duration,
}

impl Lookup<'_> {
    /// Finds `step`, trying each place in order.
    pub async fn resolve(&self, step: &Step) -> Result<Resolved, StepFailure> {
        if let Some(url) = step.url.as_deref() {
            return from_url(step, url);
        }
        let mut looked = Vec::new();
        let parts_ok = [step.owner.as_str(), step.name.as_str()]
            .into_iter()
            .chain(step.version.as_deref())
            .all(path_component);

        match (&self.sources.dir, parts_ok) {
            (Some(dir), true) => {
                match in_dir(dir, &step.owner, &step.name, step.version.as_deref()) {
                    Ok(found) => {
                        let origin = format!("Using step {} from {}", step.id, found.display());
                        return Ok(found_dir(found, origin));
                    }
                    Err(why) => looked.push(why),
                }
            }
            (Some(dir), false) => looked.push(format!(
                "{}: not searched, the id has characters a path cannot hold",
                dir.display()
            )),
            (None, _) => looked.push("no steps directory configured".to_owned()),
        }

        if let Some(files) = builtin::find(&step.owner, &step.name) {
            return Ok(Resolved {
                files: StepFiles::Builtin(files),
                origin: format!("Using werk's built-in step {} for {}", step.name, step.id),
            });
        }
        looked.push("no built-in step of that name".to_owned());

        match (&self.sources.git_template, parts_ok) {
            (Some(template), true) => match self.clone_step(template, step).await? {
                Ok(resolved) => return Ok(resolved),
                Err(why) => looked.push(why),
            },
            (Some(template), false) => looked.push(format!(
                "{template}: not tried, the id has characters a path cannot hold"
            )),
            (None, _) => looked.push("no step git template configured".to_owned()),
        }

        let mut log = format!("Cannot find step {}. Looked in:\n", step.id);
        for place in &looked {
            log.push_str(&format!("  - {place}\n"));
        }
        self.rep.log(self.order, log.as_bytes()).await;
        Err(StepFailure::failed(format!(
            "step {} not found; looked in: {}",
            step.id,
            looked.join("; ")
        )))
    }

    /// Clones the step from the repository the template names; `Ok(Err(why))` when it is
    /// not there.
    async fn clone_step(
        &self,
        template: &str,
        step: &Step,
    ) -> Result<Result<Resolved, String>, StepFailure> {
        let version = step.version.as_deref();
        let url = git_url(template, &step.owner, &step.name, version);
        let base = self.sources.cache.as_deref().unwrap_or(self.scratch);
        let dest = fetched_dir(base, &step.owner, &step.name, version);

        let lock = mirror_lock(&dest);
        let _guard = tokio::select! {
            guard = lock.lock_owned() => guard,
            () = self.cancel.cancelled() => return Err(StepFailure::aborted()),
        };
        // A tag names one content for good, so a step fetched once is kept; an unversioned
        // step follows the default branch and is fetched again, the kept copy serving only
        // when the repository cannot be reached.
        if version.is_some() && dest.is_dir() {
            let origin = format!(
                "Using step {} fetched earlier from {url} ({})",
                step.id,
                dest.display()
            );
            return Ok(Ok(found_dir(dest, origin)));
        }

        let refs: Vec<Option<String>> = match version {
            Some(v) => vec![Some(v.to_owned()), Some(format!("v{v}"))],
            None => vec![None],
        };
        let partial = partial_name(&dest);
        for git_ref in &refs {
            remove_dir(&partial).await?;
            if let Some(parent) = partial.parent() {
                super::setup::create_dir(parent).await?;
            }
            let mut clone = git();
            clone.args(["clone", "-q", "--depth", "1"]);
            if let Some(r) = git_ref {
                clone.args(["--branch", r]);
            }
            clone.arg("--").arg(&url).arg(&partial);
            let what = format!("git clone of {url}");
            let cloned = run_logged(
                clone,
                &what,
                self.order,
                self.rep,
                self.cancel,
                self.timeout,
            );
            match cloned.await {
                Ok(()) => {
                    // The step's files are what is kept; its history is not needed.
                    remove_dir(&partial.join(".git")).await?;
                    remove_dir(&dest).await?;
                    if let Err(e) = tokio::fs::rename(&partial, &dest).await {
                        let _ = tokio::fs::remove_dir_all(&partial).await;
                        return Err(StepFailure::failed(format!(
                            "cannot keep the fetched step in {}: {e}",
                            dest.display()
                        )));
                    }
                    let at = git_ref
                        .as_deref()
                        .map_or("its default branch".to_owned(), |r| format!("tag {r}"));
                    let origin = format!("Using step {} from {url}, {at}", step.id);
                    return Ok(Ok(found_dir(dest, origin)));
                }
                Err(failure) if self.cancel.is_cancelled() => {
                    let _ = tokio::fs::remove_dir_all(&partial).await;
                    return Err(failure);
                }
                Err(_) => {}
            }
        }
        let _ = tokio::fs::remove_dir_all(&partial).await;
        if version.is_none() && dest.is_dir() {
            let origin = format!(
                "Cannot fetch {url}; using step {} as fetched earlier ({})",
                step.id,
                dest.display()
            );
            return Ok(Ok(found_dir(dest, origin)));
        }
        Ok(Err(match version {
            Some(v) => format!("{url}: no tag {v} or v{v} could be cloned"),
            None => format!("{url}: cannot be cloned"),
        }))
    }
}

/// The repository the step git `template` names for a step.
pub(crate) fn git_url(template: &str, owner: &str, name: &str, version: Option<&str>) -> String {
    template
        .replace("{owner}", owner)
        .replace("{name}", name)
        .replace("{version}", version.unwrap_or(LATEST))
}

/// Where a step fetched from git is kept under `base`.
pub(crate) fn fetched_dir(base: &Path, owner: &str, name: &str, version: Option<&str>) -> PathBuf {
    base.join(owner).join(name).join(version.unwrap_or(LATEST))
}

fn found_dir(dir: PathBuf, origin: String) -> Resolved {
    Resolved {
        files: StepFiles::Dir(dir),
        origin,
    }
}

/// A step given by URL: a `file://` directory; downloads are not supported.
fn from_url(step: &Step, url: &str) -> Result<Resolved, StepFailure> {
    let Some(path) = url.strip_prefix("file://") else {
        return Err(StepFailure::failed(format!(
            "step {}: only file:// step URLs are supported, not {url}",
            step.id
        )));
    };
    let dir = PathBuf::from(path);
    if !dir.is_dir() {
        return Err(StepFailure::failed(format!(
            "step {}: {} is not a directory",
            step.id,
            dir.display()
        )));
    }
    let origin = format!("Using step {} from {}", step.id, dir.display());
    Ok(found_dir(dir, origin))
}

/// `dir/OWNER/NAME/VERSION`, or without a version `latest` or else the highest version
/// present; `Err` says what was tried.
pub(crate) fn in_dir(
    dir: &Path,
    owner: &str,
    name: &str,
    version: Option<&str>,
) -> Result<PathBuf, String> {
    let step_dir = dir.join(owner).join(name);
    let wanted = step_dir.join(version.unwrap_or(LATEST));
    if wanted.is_dir() {
        return Ok(wanted);
    }
    if version.is_some() {
        return Err(format!("{} (not found)", wanted.display()));
    }
    let versions: Vec<String> = std::fs::read_dir(&step_dir)
        .map(|entries| {
            entries
                .filter_map(Result::ok)
                .filter(|e| e.path().is_dir())
                .filter_map(|e| e.file_name().into_string().ok())
                .filter(|name| !name.starts_with('.'))
                .collect()
        })
        .unwrap_or_default();
    match versions.into_iter().max_by(|a, b| compare_versions(a, b)) {
        Some(highest) => Ok(step_dir.join(highest)),
        None => Err(format!(
            "{} (not found, and no version directory beside it)",
            wanted.display()
        )),
    }
}

/// Orders versions as semver does, loosely: a leading `v` is ignored, dot-separated parts
/// compare as numbers when they are numbers (`1.10.0` after `1.9.2`), and a pre-release
/// (`2.0.0-rc1`) comes before its release.
fn compare_versions(a: &str, b: &str) -> std::cmp::Ordering {
    use std::cmp::Ordering;
    fn split(s: &str) -> (&str, Option<&str>) {
        let s = s.trim_start_matches('v');
        let s = s.split_once('+').map_or(s, |(core, _)| core);
        match s.split_once('-') {
            Some((core, pre)) => (core, Some(pre)),
            None => (s, None),
        }
    }
    fn parts(a: &str, b: &str) -> Ordering {
        let (pa, pb): (Vec<&str>, Vec<&str>) = (a.split('.').collect(), b.split('.').collect());
        for (x, y) in pa.iter().zip(&pb) {
            let order = match (x.parse::<u64>(), y.parse::<u64>()) {
                (Ok(m), Ok(n)) => m.cmp(&n),
                (Ok(_), Err(_)) => Ordering::Less,
                (Err(_), Ok(_)) => Ordering::Greater,
                (Err(_), Err(_)) => x.cmp(y),
            };
            if order.is_ne() {
                return order;
            }
        }
        pa.len().cmp(&pb.len())
    }
    let ((core_a, pre_a), (core_b, pre_b)) = (split(a), split(b));
    parts(core_a, core_b)
        .then_with(|| match (pre_a, pre_b) {
            (None, None) => Ordering::Equal,
            (None, Some(_)) => Ordering::Greater,
            (Some(_), None) => Ordering::Less,
            (Some(x), Some(y)) => parts(x, y),
        })
        .then_with(|| a.cmp(b))
}

/// Whether `s` can be one component of a path under werk's directories.
fn path_component(s: &str) -> bool {
    !s.is_empty() && s != "." && s != ".." && !s.contains(['/', '\\', '\0'])
}

/// A sibling of `dest` to clone into, renamed to `dest` once complete so that a clone cut
/// short is never taken for a good one.
fn partial_name(dest: &Path) -> PathBuf {
    let mut name = dest.as_os_str().to_owned();
    name.push(format!(".partial-{:08x}", rand::random::<u32>()));
    PathBuf::from(name)
}

/// Puts the step's files into `root` (its `$WERCKER_STEP_ROOT`).
pub(crate) async fn install(files: &StepFiles, root: &Path) -> Result<(), StepFailure> {
    remove_dir(root).await?;
    super::setup::create_dir(root).await?;
    match files {
        StepFiles::Builtin(files) => {
            for (name, content) in files.iter() {
                let path = root.join(name);
                tokio::fs::write(&path, content).await.map_err(|e| {
                    StepFailure::failed(format!("cannot write {}: {e}", path.display()))
                })?;
            }
            Ok(())
        }
        StepFiles::Dir(dir) => {
            let (src, dest) = (dir.clone(), root.to_path_buf());
            let copied = tokio::task::spawn_blocking(move || {
                let skip = |_: &Path, name: &std::ffi::OsStr, _: usize| name == ".git";
                copy_tree(&src, &dest, &skip)
            })
            .await;
            match copied {
                Ok(Ok(_)) => Ok(()),
                Ok(Err(e)) => Err(StepFailure::failed(format!(
                    "cannot copy the step from {}: {e}",
                    dir.display()
                ))),
                Err(e) => Err(StepFailure::failed(format!("copying the step failed: {e}"))),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn versions_sort_numerically() {
        let mut v = vec!["1.10.0", "1.9.2", "2.0.0-rc1", "2.0.0", "0.1", "v1.2"];
        v.sort_by(|a, b| compare_versions(a, b));
        assert_eq!(v, ["0.1", "v1.2", "1.9.2", "1.10.0", "2.0.0-rc1", "2.0.0"]);
    }

    #[test]
    fn path_components() {
        assert!(path_component("hugo-build"));
        assert!(path_component("1.0.0+x"));
        assert!(!path_component(".."));
        assert!(!path_component("a/b"));
        assert!(!path_component(""));
    }

    #[test]
    fn unversioned_ids_take_latest_or_the_highest_version() {
        let tmp = tempfile::tempdir().unwrap();
        let err = in_dir(tmp.path(), "o", "n", None).unwrap_err();
        assert!(err.ends_with("o/n/latest (not found, and no version directory beside it)"));
        for v in ["1.9.0", "1.10.0", ".hidden"] {
            std::fs::create_dir_all(tmp.path().join("o/n").join(v)).unwrap();
        }
        assert_eq!(
            in_dir(tmp.path(), "o", "n", None).unwrap(),
            tmp.path().join("o/n/1.10.0")
        );
        std::fs::create_dir_all(tmp.path().join("o/n/latest")).unwrap();
        assert_eq!(
            in_dir(tmp.path(), "o", "n", None).unwrap(),
            tmp.path().join("o/n/latest")
        );
        assert!(
            in_dir(tmp.path(), "o", "n", Some("2.0"))
                .unwrap_err()
                .ends_with("o/n/2.0 (not found)")
        );
    }
}
