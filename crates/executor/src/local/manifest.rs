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

/// The manifest files read, in order; a property declared in both keeps the first's place.
pub(crate) const MANIFESTS: [&str; 2] = ["step.yml", "wercker-step.yml"];

/// Step properties that are not exported: the parser pulls out `name`, `cwd` and
/// `checkpoint`, and `code` belongs to the script step.
const NOT_EXPORTED: [&str; 4] = ["name", "code", "cwd", "checkpoint"];

/// A property a manifest declares.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Declared {
    /// The property name, as written.
    pub name: String,
    /// Its default, as the scalar's text (`false`, `0.74.3`); `None` when not given.
    pub default: Option<String>,
}

#[derive(Deserialize)]
struct Manifest {
    #[serde(default)]
    properties: Properties,
}

/// Either form of `properties:`, in file order.
#[derive(Default)]
struct Properties(Vec<Declared>);

#[derive(Deserialize)]
struct ListProperty {
    name: String,
    #[serde(default)]
    default: Option<String>,
}

#[derive(Deserialize)]
struct MapProperty {
    #[serde(default)]
    default: Option<String>,
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
        while let Some(p) = seq.next_element::<ListProperty>()? {
            list.push(Declared {
                name: p.name,
                default: p.default,
            });
        }
        Ok(Properties(list))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Properties, A::Error> {
        let mut list = Vec::new();
        while let Some((name, spec)) = map.next_entry::<String, Option<MapProperty>>()? {
            list.push(Declared {
                name,
                default: spec.and_then(|s| s.default),
            });
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

/// The properties declared by `text`, a manifest's content.
pub(crate) fn parse(text: &str) -> Result<Vec<Declared>, String> {
    if text.trim().is_empty() {
        return Ok(Vec::new());
    }
    serde_saphyr::from_str::<Manifest>(text)
        .map(|m| m.properties.0)
        .map_err(|e| e.to_string())
}

/// The properties declared by the manifests in `root`, and a warning for each manifest
/// that cannot be read (its defaults are then not applied, as Wercker did).
pub(crate) async fn read(root: &Path) -> (Vec<Declared>, Vec<String>) {
    let mut declared: Vec<Declared> = Vec::new();
    let mut warnings = Vec::new();
    for file in MANIFESTS {
        let text = match tokio::fs::read_to_string(root.join(file)).await {
            Ok(text) => text,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => continue,
            Err(e) => {
                warnings.push(format!("cannot read {file}: {e}"));
                continue;
            }
        };
        match parse(&text) {
            Ok(props) => merge(&mut declared, props),
            Err(e) => warnings.push(format!(
                "cannot read the properties of {file}, its defaults are not applied: {e}"
            )),
        }
    }
    (declared, warnings)
}

/// Adds `more` to `declared`; a property already there only gains a missing default.
fn merge(declared: &mut Vec<Declared>, more: Vec<Declared>) {
    for p in more {
        match declared.iter_mut().find(|d| d.name == p.name) {
            Some(d) => {
                if d.default.is_none() {
                    d.default = p.default;
                }
            }
            None => declared.push(p),
        }
    }
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
        let props = parse(text).unwrap();
        let shown: Vec<_> = props
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
        let props = parse(text).unwrap();
        let shown: Vec<_> = props
            .iter()
            .map(|p| (p.name.as_str(), p.default.as_deref()))
            .collect();
        assert_eq!(
            shown,
            [("url", None), ("notify_on", Some("all")), ("bare", None)]
        );
        assert_eq!(parse("name: x\nversion: 1.0.0\n").unwrap(), []);
        assert_eq!(parse("name: x\nproperties:\n").unwrap(), []);
        assert_eq!(parse("").unwrap(), []);
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
            },
            Declared {
                name: "basedir".into(),
                default: None,
            },
            Declared {
                name: "flags".into(),
                default: Some("--minify".into()),
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
