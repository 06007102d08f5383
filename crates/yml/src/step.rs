//! Steps: the three YAML shapes of a step, the step id grammar and Wercker's property
//! stringification.

use crate::error::{Fault, Result};
use crate::node::{Entry, Kind, Node};
use crate::scalar::{raw_text, stringify};
use crate::{Location, Step};

/// A step list (`steps`, `after-steps` or a deploy target's list); null is an empty list.
pub(crate) fn steps(node: &Node, what: impl FnOnce() -> String) -> Result<Vec<Step>> {
    match &node.kind {
        Kind::Seq(items) => items.iter().map(step).collect(),
        _ if node.is_null() => Ok(Vec::new()),
        _ => Err(Fault::new(node.loc, what())),
    }
}

/// One step in any of its three shapes:
/// a bare id; a one-key map whose value is the property map; or a "flat" map whose first
/// key is the id and whose other keys are the properties.
fn step(node: &Node) -> Result<Step> {
    match &node.kind {
        Kind::Scalar(_) => match raw_text(node) {
            Some(id) => new_step(id, node.loc, node.loc, &[]),
            None => Err(Fault::new(node.loc, "empty step")),
        },
        Kind::Seq(_) => Err(Fault::new(
            node.loc,
            "a step must be a step id or a map, not a list",
        )),
        Kind::Map(entries) => match entries.as_slice() {
            [] => Err(Fault::new(node.loc, "empty step")),
            [only] => match &only.value.kind {
                Kind::Map(props) => new_step(&only.key, only.key_loc, node.loc, props),
                _ => Err(Fault::new(
                    only.key_loc,
                    format!("step {} is empty", only.key),
                )),
            },
            // Wercker ignores the value of the first key in the flat shape.
            [first, props @ ..] => new_step(&first.key, first.key_loc, node.loc, props),
        },
    }
}

fn new_step(id: &str, id_loc: Location, loc: Location, props: &[Entry]) -> Result<Step> {
    let parsed = parse_id(id).ok_or_else(|| Fault::new(id_loc, invalid_id(id)))?;
    let mut step = Step {
        id: id.to_string(),
        owner: parsed.owner,
        name: parsed.name,
        version: parsed.version,
        url: parsed.url,
        location: loc,
        ..Step::default()
    };
    // For these two, `name` names the container they start or stop, not the step.
    let name_is_a_property = matches!(id, "internal/docker-run" | "internal/docker-kill");
    for entry in props {
        let value = stringify(&entry.value);
        let non_empty = || Some(value.clone()).filter(|v| !v.is_empty());
        match entry.key.as_str() {
            "name" if !name_is_a_property => step.display_name = non_empty(),
            "cwd" => step.cwd = non_empty(),
            "checkpoint" => step.checkpoint = non_empty(),
            _ => step.properties.push((entry.key.clone(), value)),
        }
    }
    Ok(step)
}

fn invalid_id(id: &str) -> String {
    if id.trim().is_empty() {
        "empty step".to_string()
    } else {
        format!("invalid step id {id:?}: expected [owner/]name[@version] [\"url\"]")
    }
}

/// The parts of a step id.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StepId {
    /// Owner; `wercker` when the id names none.
    pub owner: String,
    /// Name, without owner and version.
    pub name: String,
    /// Version; `None` for latest (no `@`, `@` alone or `@*`).
    pub version: Option<String>,
    /// The quoted URL after the id, unquoted.
    pub url: Option<String>,
}

/// Splits a step id `[owner/]name[@version]`, optionally followed by whitespace and a quoted
/// URL (`name "file:///path"`). `None` when the name is empty or the id has stray words.
pub fn parse_id(id: &str) -> Option<StepId> {
    let id = id.trim();
    let (identifier, url) = match id.split_once(char::is_whitespace) {
        None => (id, None),
        Some((identifier, rest)) => (identifier, Some(unquote(rest.trim())?)),
    };
    let (owner, rest) = match identifier.split_once('/') {
        Some((owner, rest)) => (owner.to_string(), rest),
        None => ("wercker".to_string(), identifier),
    };
    let (name, version) = match rest.split_once('@') {
        Some((name, version)) => (name, Some(version)),
        None => (rest, None),
    };
    if name.is_empty() || owner.is_empty() {
        return None;
    }
    Some(StepId {
        owner,
        name: name.to_string(),
        version: version
            .filter(|v| !v.is_empty() && *v != "*")
            .map(str::to_string),
        url,
    })
}

/// A Go-quoted string (`"..."` with backslash escapes, or `` `...` ``) standing alone.
fn unquote(s: &str) -> Option<String> {
    if let Some(inner) = s.strip_prefix('`').and_then(|r| r.strip_suffix('`')) {
        return (!inner.contains('`')).then(|| inner.to_string());
    }
    let inner = s.strip_prefix('"')?.strip_suffix('"')?;
    let mut out = String::with_capacity(inner.len());
    let mut chars = inner.chars();
    while let Some(c) = chars.next() {
        match c {
            '"' => return None,
            '\\' => out.push(match chars.next()? {
                'n' => '\n',
                't' => '\t',
                'r' => '\r',
                c @ ('\\' | '"' | '\'') => c,
                _ => return None,
            }),
            c => out.push(c),
        }
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn id(owner: &str, name: &str, version: Option<&str>, url: Option<&str>) -> Option<StepId> {
        Some(StepId {
            owner: owner.into(),
            name: name.into(),
            version: version.map(Into::into),
            url: url.map(Into::into),
        })
    }

    #[test]
    fn id_grammar() {
        assert_eq!(
            parse_id("npm-install"),
            id("wercker", "npm-install", None, None)
        );
        assert_eq!(
            parse_id("arjen/hugo-build@1.12.0"),
            id("arjen", "hugo-build", Some("1.12.0"), None)
        );
        assert_eq!(
            parse_id("internal/docker-push"),
            id("internal", "docker-push", None, None)
        );
        assert_eq!(
            parse_id("my-step \"file:///src/step\""),
            id("wercker", "my-step", None, Some("file:///src/step"))
        );
        assert_eq!(
            parse_id("o/s@1 `http://x/s.tar`"),
            id("o", "s", Some("1"), Some("http://x/s.tar"))
        );
        assert_eq!(parse_id("s@*"), id("wercker", "s", None, None));
        assert_eq!(parse_id("a/b/c"), id("a", "b/c", None, None));
        assert_eq!(parse_id("two words"), None);
        assert_eq!(parse_id("x \"unterminated"), None);
        assert_eq!(parse_id("@1.0"), None);
        assert_eq!(parse_id("owner/"), None);
        assert_eq!(parse_id(""), None);
    }
}
