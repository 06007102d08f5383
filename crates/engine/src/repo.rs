//! Reading a repository's wercker.yml on the server, for creating and refreshing applications.
//!
//! Runs check code out through their executor; this module only keeps a bare mirror per
//! repository URL in the data dir and reads one file from it.

use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};
use tokio::process::Command;

use crate::{EngineError, EngineResult};

/// The names under which a wercker.yml is looked for, first match wins.
pub const YML_NAMES: [&str; 3] = ["ewok.yml", "wercker.yml", ".wercker.yml"];

/// The mirror directory for a repository URL: one per URL, shared by its applications.
pub fn mirror_dir(data_dir: &Path, git_url: &str) -> PathBuf {
    let digest = hex::encode(Sha256::digest(git_url.as_bytes()));
    data_dir.join("git").join(format!("{}.git", &digest[..24]))
}

/// Brings the mirror of `git_url` up to date, cloning it first if needed.
pub async fn update_mirror(mirror: &Path, git_url: &str) -> EngineResult<()> {
    if mirror.join("HEAD").exists() {
        git(&[
            "--git-dir",
            &mirror.to_string_lossy(),
            "fetch",
            "--prune",
            "--quiet",
            "origin",
        ])
        .await
        .map(drop)
    } else {
        if let Some(parent) = mirror.parent() {
            tokio::fs::create_dir_all(parent).await.map_err(|e| {
                EngineError::Internal(format!("cannot create {}: {e}", parent.display()))
            })?;
        }
        git(&[
            "clone",
            "--mirror",
            "--quiet",
            "--",
            git_url,
            &mirror.to_string_lossy(),
        ])
        .await
        .map(drop)
    }
}

/// The wercker.yml at the head of `branch` in the mirror: its file name and text, or `None`
/// when the branch has none.
///
/// # Errors
/// [`EngineError::Unprocessable`] when the branch does not exist.
pub async fn read_yml(mirror: &Path, branch: &str) -> EngineResult<Option<(String, String)>> {
    let dir = mirror.to_string_lossy();
    let reference = format!("refs/heads/{branch}");
    if git(&[
        "--git-dir",
        &dir,
        "rev-parse",
        "--verify",
        "--quiet",
        &reference,
    ])
    .await
    .is_err()
    {
        return Err(EngineError::Unprocessable(format!(
            "branch {branch:?} not found in the repository"
        )));
    }
    for name in YML_NAMES {
        if let Ok(text) = git(&["--git-dir", &dir, "show", &format!("{reference}:{name}")]).await {
            return Ok(Some((name.to_string(), text)));
        }
    }
    Ok(None)
}

/// The host of a clone URL (`github.com` for `git@github.com:o/r.git` or an https URL);
/// empty for a local path.
pub fn git_domain(url: &str) -> String {
    let rest = url
        .split_once("://")
        .map(|(_, r)| r)
        .or_else(|| url.split_once('@').map(|(_, r)| r));
    match rest {
        Some(rest) => {
            let host = rest.split(['/', ':']).next().unwrap_or("");
            host.rsplit('@').next().unwrap_or("").to_string()
        }
        None => String::new(),
    }
}

/// Longest a git command of the server may take before it is given up.
const GIT_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(600);

async fn git(args: &[&str]) -> EngineResult<String> {
    let output = Command::new("git")
        .args(args)
        .env("GIT_TERMINAL_PROMPT", "0")
        .kill_on_drop(true)
        .output();
    let output = tokio::time::timeout(GIT_TIMEOUT, output)
        .await
        .map_err(|_| EngineError::Unprocessable(format!("git took longer than {GIT_TIMEOUT:?}")))?
        .map_err(|e| EngineError::Internal(format!("cannot run git: {e}")))?;
    if output.status.success() {
        Ok(String::from_utf8_lossy(&output.stdout).into_owned())
    } else {
        Err(EngineError::Unprocessable(format!(
            "git {} failed: {}",
            args.iter()
                .find(|a| !a.starts_with('-') && !a.contains('/'))
                .unwrap_or(&""),
            String::from_utf8_lossy(&output.stderr).trim()
        )))
    }
}

#[cfg(test)]
mod tests {
    use super::git_domain;

    #[test]
    fn git_domain_of_common_urls() {
        assert_eq!(git_domain("https://github.com/o/r.git"), "github.com");
        assert_eq!(git_domain("git@bitbucket.org:o/r.git"), "bitbucket.org");
        assert_eq!(git_domain("/srv/repos/site"), "");
    }
}
