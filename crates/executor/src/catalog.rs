//! What werk knows of a registry step (`owner/name@version`) without running or fetching it:
//! its manifest (`step.yml`, `wercker-step.yml`) and where it would come from, looked up in
//! the same [`StepSources`] and in the same order as a run resolves the step.
//!
//! The lookup only reads: a step that would be cloned from the step git template is
//! described only when an earlier run has fetched it into the step cache.

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::StepSources;
use crate::local::builtin;
use crate::local::manifest::{self, Declared, Manifest};
use crate::local::registry::{self, LATEST};

/// A registry step as werk would run it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StepInfo {
    /// The owner, as asked.
    pub owner: String,
    /// The name, as asked.
    pub name: String,
    /// The version found: the version directory's name, or the manifest's `version` for a
    /// built-in step or a `latest` directory (`latest` when the manifest has none).
    pub version: String,
    /// The manifest's `summary` (or `description`); empty when it has neither.
    pub summary: String,
    /// The manifest's `tags`.
    pub tags: Vec<String>,
    /// The properties the manifests declare, in file order.
    pub properties: Vec<StepProperty>,
    /// Where the step's files are.
    pub origin: StepOrigin,
}

/// A property a step's manifest declares.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StepProperty {
    /// Its name, as written.
    pub name: String,
    /// Its `type`, when given.
    pub kind: Option<String>,
    /// Whether it is marked `required` (werk, like Wercker, does not enforce it).
    pub required: bool,
    /// Its default, as the scalar's text; `None` when not given.
    pub default: Option<String>,
}

/// Where a step's files come from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum StepOrigin {
    /// This directory under the steps directory.
    Directory(PathBuf),
    /// One of werk's built-in steps, embedded in the binary.
    Builtin,
    /// Cloned earlier from a git repository named by the step git template.
    Git {
        /// The repository's URL, without any user name or password it held.
        url: String,
    },
}

/// Why a step cannot be described.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum LookupError {
    /// The owner, name or version cannot name a step.
    #[error("{0}")]
    Invalid(String),
    /// No step source has it; the message says where werk looked.
    #[error("{0}")]
    NotFound(String),
}

/// Describes the step `owner/name` at `version` (`latest`, `*`, or an exact version such as
/// `1.2.3` or `v1.2.3-rc1`) from `sources`: the steps directory, then the built-in steps,
/// then the copies fetched earlier from the step git template.
///
/// # Errors
/// [`LookupError::Invalid`] for a name or version that cannot name a step (version ranges
/// included), [`LookupError::NotFound`] when no source has it.
pub fn describe_step(
    sources: &StepSources,
    owner: &str,
    name: &str,
    version: &str,
) -> Result<StepInfo, LookupError> {
    check_name("owner", owner)?;
    check_name("name", name)?;
    let wanted = parse_version(version)?;
    let id = match wanted {
        Some(v) => format!("{owner}/{name}@{v}"),
        None => format!("{owner}/{name}"),
    };
    let mut looked = Vec::new();

    match &sources.dir {
        Some(dir) => match registry::in_dir(dir, owner, name, wanted) {
            Ok(found) => {
                let dir_version = file_name(&found);
                return Ok(from_dir(owner, name, &dir_version, &found, |files| {
                    StepOrigin::Directory(files.to_path_buf())
                }));
            }
            Err(_) => looked.push(format!(
                "the steps directory has no {owner}/{name}/{}",
                wanted.unwrap_or(LATEST)
            )),
        },
        None => looked.push("no steps directory is configured".to_owned()),
    }

    if let Some(files) = builtin::find(owner, name) {
        let read = manifest::parse(builtin::manifest(files)).unwrap_or_default();
        let version = read.version.clone().unwrap_or_else(|| LATEST.to_owned());
        return Ok(info(owner, name, version, read, StepOrigin::Builtin));
    }
    looked.push("werk has no built-in step of that name".to_owned());

    match (&sources.git_template, &sources.cache) {
        (Some(template), Some(cache)) => {
            let dir_version = wanted.unwrap_or(LATEST);
            let fetched = registry::fetched_dir(cache, owner, name, wanted);
            if fetched.is_dir() {
                let url = without_credentials(&registry::git_url(template, owner, name, wanted));
                return Ok(from_dir(owner, name, dir_version, &fetched, |_| {
                    StepOrigin::Git { url }
                }));
            }
            looked.push(
                "no run has fetched it from the step git template yet (a run that uses it does)"
                    .to_owned(),
            );
        }
        (Some(_), None) => looked.push("steps fetched from git are not kept".to_owned()),
        (None, _) => looked.push("no step git template is configured".to_owned()),
    }
    Err(LookupError::NotFound(format!(
        "step {id} not found: {}",
        looked.join("; ")
    )))
}

/// The step in directory `files`, found as version `dir_version`.
fn from_dir(
    owner: &str,
    name: &str,
    dir_version: &str,
    files: &Path,
    origin: impl FnOnce(&Path) -> StepOrigin,
) -> StepInfo {
    let read = manifest::read_blocking(files);
    let version = if dir_version == LATEST {
        read.version.clone().unwrap_or_else(|| LATEST.to_owned())
    } else {
        dir_version.to_owned()
    };
    info(owner, name, version, read, origin(files))
}

/// What the manifest says of the step, as the catalog shows it.
fn info(owner: &str, name: &str, version: String, read: Manifest, origin: StepOrigin) -> StepInfo {
    let summary = read
        .summary
        .as_deref()
        .or(read.description.as_deref())
        .unwrap_or_default()
        .trim()
        .to_owned();
    StepInfo {
        owner: owner.to_owned(),
        name: name.to_owned(),
        version,
        summary,
        tags: read.tags.unwrap_or_default(),
        properties: read
            .properties
            .into_iter()
            .map(StepProperty::from)
            .collect(),
        origin,
    }
}

impl From<Declared> for StepProperty {
    fn from(d: Declared) -> Self {
        StepProperty {
            name: d.name,
            kind: d.kind,
            required: d.required,
            default: d.default,
        }
    }
}

fn file_name(path: &Path) -> String {
    path.file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default()
}

/// An owner or a name: letters, digits, `.`, `_` and `-`, not starting with `.`.
fn check_name(what: &str, s: &str) -> Result<(), LookupError> {
    let ok = !s.is_empty()
        && s.len() <= 100
        && !s.starts_with('.')
        && s.bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'-'));
    if ok {
        Ok(())
    } else {
        Err(LookupError::Invalid(format!(
            "the step {what} {s:?} is not valid: use 1 to 100 letters, digits, '.', '_' or '-', not starting with '.'"
        )))
    }
}

/// `None` for the newest version (`latest`, or `*` as Wercker's clients asked for it), or
/// the exact version asked for.
fn parse_version(raw: &str) -> Result<Option<&str>, LookupError> {
    if raw == LATEST || raw == "*" {
        return Ok(None);
    }
    let label = |s: &str| {
        !s.is_empty()
            && s.bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'.' || b == b'-')
    };
    let rest = raw.strip_prefix('v').unwrap_or(raw);
    let (rest, build) = match rest.split_once('+') {
        Some((core, build)) => (core, Some(build)),
        None => (rest, None),
    };
    let (core, pre) = match rest.split_once('-') {
        Some((core, pre)) => (core, Some(pre)),
        None => (rest, None),
    };
    let numbers: Vec<&str> = core.split('.').collect();
    let valid = (1..=3).contains(&numbers.len())
        && numbers
            .iter()
            .all(|n| !n.is_empty() && n.len() <= 10 && n.bytes().all(|b| b.is_ascii_digit()))
        && pre.is_none_or(label)
        && build.is_none_or(label)
        && raw.len() <= 64;
    if valid {
        return Ok(Some(raw));
    }
    let range = raw.contains(['*', '^', '~', '<', '>', '=', '|', ' '])
        || numbers.iter().any(|n| n.eq_ignore_ascii_case("x"));
    Err(LookupError::Invalid(if range {
        format!(
            "the step version {raw:?} is a range: werk looks steps up by exact version, ask for `latest` or a version such as 1.2.3"
        )
    } else {
        format!(
            "the step version {raw:?} is not valid: ask for `latest` or a version such as 1.2.3"
        )
    }))
}

/// `url` without the user name and password of its authority (`https://user:token@host/…`
/// becomes `https://host/…`), so that a template holding credentials does not show them.
fn without_credentials(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else {
        return url.to_owned();
    };
    let end = rest.find('/').unwrap_or(rest.len());
    match rest[..end].rfind('@') {
        Some(at) => format!("{scheme}://{}", &rest[at + 1..]),
        None => url.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_and_versions_are_checked() {
        for v in [
            "1",
            "1.2",
            "1.2.3",
            "v1.2.3",
            "2.0.0-rc.1",
            "1.0.0+build.5",
            "latest",
            "*",
        ] {
            assert!(parse_version(v).is_ok(), "{v}");
        }
        for v in [
            "1.*", "^1.2", "~1", ">=1.0", "1.x", "", "1..2", "a.b", "1.2.3.4", "1.2.3-",
        ] {
            assert!(
                matches!(parse_version(v), Err(LookupError::Invalid(_))),
                "{v}"
            );
        }
        let Err(LookupError::Invalid(range)) = parse_version("1.*") else {
            panic!()
        };
        assert!(range.contains("range"), "{range}");
        for n in ["..", ".git", "a/b", "", "a b", "%2e"] {
            assert!(check_name("name", n).is_err(), "{n}");
        }
        assert!(check_name("name", "add-to-known_hosts").is_ok());
        assert_eq!(without_credentials("git@host:o/r.git"), "git@host:o/r.git");
        assert_eq!(without_credentials("https://h/a@b"), "https://h/a@b");
    }
}
