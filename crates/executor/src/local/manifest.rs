//! A registry step's manifest and the `WERCKER_<STEP>_<PROPERTY>` variables it leads to.
//!
//! Two generations of manifests exist: `step.yml` with a list of properties
//! (`properties: [{name, default, ...}]`) and the classic `wercker-step.yml` with a map
//! (`properties: {name: {default: ...}}`). Wercker only read the list form; werk reads
//! either form from either file, because old step repositories may only have the classic
//! one and their authors relied on its defaults.

use std::fmt;
use std::path::Path;

use serde::Deserialize;
use serde::de::{MapAccess, SeqAccess, Visitor};
use werk_yml::Step;

use super::env::EnvVar;

/// The manifest files read, in order; the first to give a field wins, and a property
/// declared in both keeps the first's place.
pub(crate) const MANIFESTS: [&str; 2] = ["step.yml", "wercker-step.yml"];

/// Step properties that are not exported: the parser pulls out `name`, `cwd` and
/// `checkpoint`, and `code` belongs to the script step.
const NOT_EXPORTED: [&str; 4] = ["name", "code", "cwd", "checkpoint"];

/// What a step's manifests say of it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
pub(crate) struct Manifest {
    /// `version`.
    #[serde(default)]
    pub version: Option<String>,
    /// `summary`.
    #[serde(default)]
    pub summary: Option<String>,
    /// `description`.
    #[serde(default)]
    pub description: Option<String>,
    /// `tags`.
    #[serde(default)]
    pub tags: Option<Vec<String>>,
    /// `properties`, in file order.
    #[serde(default, deserialize_with = "properties")]
    pub properties: Vec<Declared>,
}

/// A property a manifest declares.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct Declared {
    /// The property name, as written.
    pub name: String,
    /// Its `type`, when given.
    pub kind: Option<String>,
    /// Whether it is marked `required` (neither Wercker nor werk enforces it).
    pub required: bool,
    /// Its default, as the scalar's text (`false`, `0.74.3`); `None` when not given.
    pub default: Option<String>,
}

impl Manifest {
    /// Takes from `later` (a manifest read after this one) what this one lacks.
    fn absorb(&mut self, later: Manifest) {
        self.version = self.version.take().or(later.version);
        self.summary = self.summary.take().or(later.summary);
        self.description = self.description.take().or(later.description);
        self.tags = self.tags.take().or(later.tags);
        for p in later.properties {
            match self.properties.iter_mut().find(|d| d.name == p.name) {
                Some(d) => {
                    d.default = d.default.take().or(p.default);
                    d.kind = d.kind.take().or(p.kind);
                }
                None => self.properties.push(p),
            }
        }
    }
}

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
    fn declared(self, name: String) -> Declared {
        let yes = |r: String| matches!(r.to_ascii_lowercase().as_str(), "true" | "yes" | "on");
        Declared {
            name,
            kind: self.r#type,
            required: self.required.is_some_and(yes),
            default: self.default,
        }
    }
}

/// Either form of `properties:`.
fn properties<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Vec<Declared>, D::Error> {
    d.deserialize_any(PropertiesVisitor)
}

struct PropertiesVisitor;

impl<'de> Visitor<'de> for PropertiesVisitor {
    type Value = Vec<Declared>;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a list of properties or a map from property name to its spec")
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Vec<Declared>, A::Error> {
        let mut list = Vec::new();
        while let Some(mut spec) = seq.next_element::<Spec>()? {
            let name = spec
                .name
                .take()
                .ok_or_else(|| serde::de::Error::custom("a property of the list has no name"))?;
            list.push(spec.declared(name));
        }
        Ok(list)
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Vec<Declared>, A::Error> {
        let mut list = Vec::new();
        while let Some((name, spec)) = map.next_entry::<String, Option<Spec>>()? {
            list.push(spec.unwrap_or_default().declared(name));
        }
        Ok(list)
    }

    fn visit_unit<E>(self) -> Result<Vec<Declared>, E> {
        Ok(Vec::new())
    }

    fn visit_none<E>(self) -> Result<Vec<Declared>, E> {
        Ok(Vec::new())
    }
}

/// Parses a manifest's content.
pub(crate) fn parse(text: &str) -> Result<Manifest, String> {
    if text.trim().is_empty() {
        return Ok(Manifest::default());
    }
    serde_saphyr::from_str::<Manifest>(text).map_err(|e| e.to_string())
}

/// Merges the manifests read from the files of [`MANIFESTS`] (`None` for a file that is
/// not there), with a warning for each that cannot be read or parsed: its fields, defaults
/// included, are then not applied, as Wercker did.
fn merge(
    read: impl IntoIterator<Item = (&'static str, std::io::Result<String>)>,
) -> (Manifest, Vec<String>) {
    let mut merged = Manifest::default();
    let mut warnings = Vec::new();
    for (file, text) in read {
        let text = match text {
            Ok(text) => text,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => continue,
            Err(e) => {
                warnings.push(format!("cannot read {file}: {e}"));
                continue;
            }
        };
        match parse(&text) {
            Ok(manifest) => merged.absorb(manifest),
            Err(e) => warnings.push(format!(
                "cannot read the properties of {file}, its defaults are not applied: {e}"
            )),
        }
    }
    (merged, warnings)
}

/// The manifests in `root`, merged, with a warning for each that cannot be read.
pub(crate) async fn read(root: &Path) -> (Manifest, Vec<String>) {
    let mut texts = Vec::new();
    for file in MANIFESTS {
        texts.push((file, tokio::fs::read_to_string(root.join(file)).await));
    }
    merge(texts)
}

/// [`read`], blocking, for lookups outside a run.
pub(crate) fn read_blocking(root: &Path) -> Manifest {
    merge(MANIFESTS.map(|file| (file, std::fs::read_to_string(root.join(file))))).0
}

/// `WERCKER_<STEP>_<PROPERTY>`: `STEP` is the name in the yml id (not the manifest's),
/// and every `-` becomes `_` before upper-casing, as Wercker named them.
pub(crate) fn variable_name(step_name: &str, property: &str) -> String {
    format!("WERCKER_{step_name}_{property}")
        .replace('-', "_")
        .to_uppercase()
}

/// The property variables of `step`, in export order: every declared property with the
/// user's value or its default, then every user property the manifests do not declare.
pub(crate) fn property_env(step: &Step, declared: &[Declared]) -> Vec<EnvVar> {
    let user: Vec<&(String, String)> = step
        .properties
        .iter()
        .filter(|(k, _)| !NOT_EXPORTED.contains(&k.as_str()))
        .collect();
    let mut env = Vec::new();
    for d in declared {
        let value = user
            .iter()
            .rev()
            .find(|(k, _)| *k == d.name)
            .map(|(_, v)| v.clone())
            .or_else(|| d.default.clone())
            .unwrap_or_default();
        env.push(EnvVar::new(variable_name(&step.name, &d.name), value));
    }
    for (key, value) in user {
        if !declared.iter().any(|d| &d.name == key) {
            env.push(EnvVar::new(variable_name(&step.name, key), value.clone()));
        }
    }
    env
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn list_form_keeps_scalar_text() {
        let text = r#"
name: hugo-build
version: 2.13.1
summary: |
    Runs hugo.
tags: [hugo, static]
properties:
    -   name: version
        type: string
        default: "0.69.2"
        required: false
    -   name: force_install
        default: false
    -   name: theme
"#;
        let manifest = parse(text).unwrap();
        assert_eq!(manifest.version.as_deref(), Some("2.13.1"));
        assert_eq!(manifest.summary.as_deref(), Some("Runs hugo.\n"));
        assert_eq!(manifest.tags, Some(vec!["hugo".into(), "static".into()]));
        assert_eq!(manifest.properties[0].kind.as_deref(), Some("string"));
        let shown: Vec<_> = manifest
            .properties
            .iter()
            .map(|p| (p.name.as_str(), p.default.as_deref()))
            .collect();
        assert_eq!(
            shown,
            [
                ("version", Some("0.69.2")),
                ("force_install", Some("false")),
                ("theme", None)
            ]
        );
    }

    #[test]
    fn map_form_and_missing_properties() {
        let text = "name: slack\nproperties:\n  url: {type: string, required: true}\n  notify_on:\n    default: all\n  bare:\n";
        let props = parse(text).unwrap().properties;
        let shown: Vec<_> = props
            .iter()
            .map(|p| (p.name.as_str(), p.default.as_deref(), p.required))
            .collect();
        assert_eq!(
            shown,
            [
                ("url", None, true),
                ("notify_on", Some("all"), false),
                ("bare", None, false)
            ]
        );
        assert_eq!(parse("name: x\nversion: 1.0.0\n").unwrap().properties, []);
        assert_eq!(parse("name: x\nproperties:\n").unwrap().properties, []);
        assert_eq!(parse("").unwrap(), Manifest::default());
        assert!(parse("properties: 3").is_err());
    }

    #[test]
    fn variables_declared_first_then_undeclared() {
        let step = Step {
            name: "hugo-build".into(),
            properties: vec![
                ("dev-flags".into(), "-D".into()),
                ("theme".into(), "cove".into()),
                ("code".into(), "ignored".into()),
            ],
            ..Step::default()
        };
        let declared = vec![
            Declared {
                name: "theme".into(),
                default: Some("none".into()),
                ..Declared::default()
            },
            Declared {
                name: "basedir".into(),
                default: None,
                ..Declared::default()
            },
            Declared {
                name: "flags".into(),
                default: Some("--minify".into()),
                ..Declared::default()
            },
        ];
        let env: Vec<_> = property_env(&step, &declared)
            .into_iter()
            .map(|v| (v.key, v.value))
            .collect();
        let expected = [
            ("WERCKER_HUGO_BUILD_THEME", "cove"),
            ("WERCKER_HUGO_BUILD_BASEDIR", ""),
            ("WERCKER_HUGO_BUILD_FLAGS", "--minify"),
            ("WERCKER_HUGO_BUILD_DEV_FLAGS", "-D"),
        ];
        let expected: Vec<_> = expected
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        assert_eq!(env, expected);
    }
}
