//! What werk knows of a registry step (`owner/name@version`) without running or fetching it:
//! its manifest (`step.yml`, `wercker-step.yml`) and where it would come from, looked up in
//! the same [`StepSources`] and in the same order as a run resolves the step.
//!
//! The lookup only reads: a step that would be cloned from the step git template is
//! described only when an earlier run has fetched it into the step cache.
//!
//! The module mirrors three small private parts of the local executor that it cannot reach
//! (the built-in step table, the steps directory lookup and the version order); the tests
//! below check the built-in table against `local/builtin.rs`.

use std::cmp::Ordering;
use std::fmt;
use std::path::{Path, PathBuf};

use serde::de::{MapAccess, SeqAccess, Visitor};
use serde::{Deserialize, Serialize};

use crate::StepSources;

/// The version directory of unversioned ids, and the version that asks for the newest.
const LATEST: &str = "latest";

/// The manifest files, in the order they are read; the first to give a field wins.
const MANIFESTS: [&str; 2] = ["step.yml", "wercker-step.yml"];

/// werk's built-in steps: name, the owners it answers for, and its manifest. The same table
/// as `local/builtin.rs`, which the executor runs from.
const BUILTINS: &[(&str, &[&str], &str)] = &[
    (
        "install-packages",
        &["wercker"],
        include_str!("local/builtin/install-packages/step.yml"),
    ),
    (
        "add-to-known_hosts",
        &["wercker"],
        include_str!("local/builtin/add-to-known_hosts/step.yml"),
    ),
    (
        "add-ssh-key",
        &["wercker"],
        include_str!("local/builtin/add-ssh-key/step.yml"),
    ),
    (
        "create-file",
        &["wercker"],
        include_str!("local/builtin/create-file/step.yml"),
    ),
    (
        "hugo-build",
        &["arjen", "wercker"],
        include_str!("local/builtin/hugo-build/step.yml"),
    ),
    (
        "gh-pages",
        &["lukevivier", "wercker"],
        include_str!("local/builtin/gh-pages/step.yml"),
    ),
];

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
        Some(dir) => match in_dir(dir, owner, name, wanted) {
            Some(found) => {
                let dir_version = file_name(&found);
                return Ok(from_dir(owner, name, &dir_version, &found, |files| {
                    StepOrigin::Directory(files.to_path_buf())
                }));
            }
            None => looked.push(format!(
                "the steps directory has no {owner}/{name}/{}",
                wanted.unwrap_or(LATEST)
            )),
        },
        None => looked.push("no steps directory is configured".to_owned()),
    }

    if let Some((_, _, manifest)) = BUILTINS
        .iter()
        .find(|(n, owners, _)| *n == name && owners.contains(&owner))
    {
        let read = Manifest::parse(manifest).unwrap_or_default();
        return Ok(StepInfo {
            owner: owner.to_owned(),
            name: name.to_owned(),
            version: read.version.clone().unwrap_or_else(|| LATEST.to_owned()),
            summary: read.summary(),
            tags: read.tags.clone().unwrap_or_default(),
            properties: read.properties.0,
            origin: StepOrigin::Builtin,
        });
    }
    looked.push("werk has no built-in step of that name".to_owned());

    match (&sources.git_template, &sources.cache) {
        (Some(template), Some(cache)) => {
            let dir_version = wanted.unwrap_or(LATEST);
            let fetched = cache.join(owner).join(name).join(dir_version);
            if fetched.is_dir() {
                let url = template
                    .replace("{owner}", owner)
                    .replace("{name}", name)
                    .replace("{version}", dir_version);
                let url = without_credentials(&url);
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
    let read = read_manifests(files);
    let version = if dir_version == LATEST {
        read.version.clone().unwrap_or_else(|| LATEST.to_owned())
    } else {
        dir_version.to_owned()
    };
    StepInfo {
        owner: owner.to_owned(),
        name: name.to_owned(),
        version,
        summary: read.summary(),
        tags: read.tags.clone().unwrap_or_default(),
        properties: read.properties.0,
        origin: origin(files),
    }
}

/// `dir/OWNER/NAME/VERSION`; for `latest`, the `latest` directory or else the highest
/// version present, as the executor looks.
fn in_dir(dir: &Path, owner: &str, name: &str, version: Option<&str>) -> Option<PathBuf> {
    let step_dir = dir.join(owner).join(name);
    let exact = step_dir.join(version.unwrap_or(LATEST));
    if exact.is_dir() {
        return Some(exact);
    }
    if version.is_some() {
        return None;
    }
    std::fs::read_dir(&step_dir)
        .ok()?
        .filter_map(Result::ok)
        .filter(|e| e.path().is_dir())
        .filter_map(|e| e.file_name().into_string().ok())
        .filter(|n| !n.starts_with('.'))
        .max_by(|a, b| compare_versions(a, b))
        .map(|highest| step_dir.join(highest))
}

fn file_name(path: &Path) -> String {
    path.file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default()
}

/// Orders versions loosely as semver does, like the executor: a leading `v` is ignored,
/// numeric parts compare as numbers, and a pre-release comes before its release.
fn compare_versions(a: &str, b: &str) -> Ordering {
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

/// The manifests of the step in `dir`, merged: the first file to give a field wins, and a
/// property declared in both keeps the first's place and gains a missing default. A file
/// that cannot be read or parsed is skipped, as a run skips its defaults.
fn read_manifests(dir: &Path) -> Manifest {
    let mut merged = Manifest::default();
    for file in MANIFESTS {
        let Ok(text) = std::fs::read_to_string(dir.join(file)) else {
            continue;
        };
        let Ok(read) = Manifest::parse(&text) else {
            continue;
        };
        merged.version = merged.version.or(read.version);
        merged.summary = merged.summary.or(read.summary);
        merged.description = merged.description.or(read.description);
        merged.tags = merged.tags.or(read.tags);
        for p in read.properties.0 {
            match merged.properties.0.iter_mut().find(|d| d.name == p.name) {
                Some(d) => {
                    d.default = d.default.take().or(p.default);
                    d.kind = d.kind.take().or(p.kind);
                }
                None => merged.properties.0.push(p),
            }
        }
    }
    merged
}

/// The fields of a manifest werk shows.
#[derive(Debug, Default, Deserialize)]
struct Manifest {
    #[serde(default)]
    version: Option<String>,
    #[serde(default)]
    summary: Option<String>,
    #[serde(default)]
    description: Option<String>,
    #[serde(default)]
    tags: Option<Vec<String>>,
    #[serde(default)]
    properties: Properties,
}

impl Manifest {
    fn parse(text: &str) -> Result<Manifest, String> {
        if text.trim().is_empty() {
            return Ok(Manifest::default());
        }
        serde_saphyr::from_str(text).map_err(|e| e.to_string())
    }

    fn summary(&self) -> String {
        self.summary
            .as_deref()
            .or(self.description.as_deref())
            .unwrap_or_default()
            .trim()
            .to_owned()
    }
}

/// `properties:` as a list of `{name, type, required, default}` (`step.yml`) or a map from
/// name to `{type, required, default}` (`wercker-step.yml`), in file order.
#[derive(Debug, Default)]
struct Properties(Vec<StepProperty>);

/// One property: an item of the list form (with its `name`), or a value of the map form.
#[derive(Default, Deserialize)]
#[serde(default)]
struct Spec {
    name: Option<String>,
    r#type: Option<String>,
    required: Option<String>,
    default: Option<String>,
}

impl Spec {
    fn into_property(self, name: String) -> StepProperty {
        let yes = |r: String| matches!(r.to_ascii_lowercase().as_str(), "true" | "yes" | "on");
        StepProperty {
            name,
            kind: self.r#type,
            required: self.required.is_some_and(yes),
            default: self.default,
        }
    }
}

impl<'de> Deserialize<'de> for Properties {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(PropertiesVisitor)
    }
}

struct PropertiesVisitor;

impl<'de> Visitor<'de> for PropertiesVisitor {
    type Value = Properties;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a list of properties or a map from property name to its spec")
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Properties, A::Error> {
        let mut list = Vec::new();
        while let Some(mut spec) = seq.next_element::<Spec>()? {
            let name = spec
                .name
                .take()
                .ok_or_else(|| serde::de::Error::custom("a property of the list has no name"))?;
            list.push(spec.into_property(name));
        }
        Ok(Properties(list))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Properties, A::Error> {
        let mut list = Vec::new();
        while let Some((name, spec)) = map.next_entry::<String, Option<Spec>>()? {
            list.push(spec.unwrap_or_default().into_property(name));
        }
        Ok(Properties(list))
    }

    fn visit_unit<E>(self) -> Result<Properties, E> {
        Ok(Properties::default())
    }

    fn visit_none<E>(self) -> Result<Properties, E> {
        Ok(Properties::default())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_builtin_table_is_the_executors() {
        let source = include_str!("local/builtin.rs");
        assert_eq!(source.matches("    Builtin {\n").count(), BUILTINS.len());
        for (name, owners, _) in BUILTINS {
            let owners: Vec<String> = owners.iter().map(|o| format!("{o:?}")).collect();
            let entry = format!(
                "name: {name:?},\n        owners: &[{}],\n        files: step_files!({name:?}),",
                owners.join(", ")
            );
            assert!(source.contains(&entry), "local/builtin.rs has no {entry}");
        }
    }

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
