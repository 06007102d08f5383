//! The top level of a wercker.yml, its pipelines, and boxes and services.

use crate::error::{Fault, Result};
use crate::node::{Entry, Kind, Node};
use crate::scalar::{Value, raw_text, resolve};
use crate::step::steps;
use crate::{BoxConfig, Config, Pipeline};

/// Builds the whole config from the document's root node (workflows are left to the caller).
pub(crate) fn config(root: &Node) -> Result<(Config, Option<&Node>)> {
    let Some(entries) = root.as_map() else {
        return Err(Fault::new(
            root.loc,
            "your wercker.yml must be a map of keys such as box and build",
        ));
    };
    let mut config = Config::default();
    let mut workflows = None;
    for Entry { key, value, .. } in entries {
        match key.as_str() {
            "box" => config.box_ = boxed(value, "box")?,
            "services" => config.services = services(value, "services")?.unwrap_or_default(),
            // Wercker drops a timeout that is not an integer without a word.
            "command-timeout" => config.command_timeout = minutes(value),
            "no-response-timeout" => config.no_response_timeout = minutes(value),
            "source-dir" => config.source_dir = raw_text(value).map(str::to_string),
            "ignore-file" => config.ignore_file = raw_text(value).map(str::to_string),
            "workflows" => workflows = Some(value),
            // Every other map is a pipeline. Scalars and lists are ignored, as in Wercker; so is
            // null, of which Wercker made an empty pipeline that could only fail later.
            _ => {
                if let Some(pipe) = value.as_map() {
                    config.pipelines.push(pipeline(key, pipe)?);
                }
            }
        }
    }
    Ok((config, workflows))
}

fn minutes(node: &Node) -> Option<u64> {
    match &node.kind {
        Kind::Scalar(s) => match resolve(s) {
            Value::Int(i) => u64::try_from(i).ok(),
            Value::BigUint(u) => Some(u),
            _ => None,
        },
        _ => None,
    }
}

fn pipeline(name: &str, entries: &[Entry]) -> Result<Pipeline> {
    let mut pipe = Pipeline {
        name: name.to_string(),
        ..Pipeline::default()
    };
    for Entry { key, value, .. } in entries {
        match key.as_str() {
            "box" => pipe.box_ = boxed(value, "box")?,
            "services" => pipe.services = services(value, "services")?,
            "steps" | "after-steps" => {
                let list = steps(value, || {
                    format!("{key} in pipeline {name} must be a list of steps")
                })?;
                if key == "steps" {
                    pipe.steps = list;
                } else {
                    pipe.after_steps = list;
                }
            }
            "base-path" => {
                pipe.base_path = match &value.kind {
                    Kind::Scalar(_) => raw_text(value)
                        .map(|p| p.strip_suffix('/').unwrap_or(p).to_string())
                        .filter(|p| !p.is_empty()),
                    _ => {
                        return Err(Fault::new(
                            value.loc,
                            format!("base-path in pipeline {name} must be a path"),
                        ));
                    }
                }
            }
            "docker" => {
                pipe.docker = match &value.kind {
                    Kind::Scalar(s) => match resolve(s) {
                        Value::Bool(b) => b,
                        Value::Null => false,
                        _ => return Err(not_bool(value, name)),
                    },
                    _ => return Err(not_bool(value, name)),
                }
            }
            target => {
                let list = steps(value, || {
                    format!("invalid extra key in pipeline {name}, {target} is not a list of steps")
                })?;
                pipe.deploy_targets.push((target.to_string(), list));
            }
        }
    }
    Ok(pipe)
}

fn not_bool(node: &Node, pipeline: &str) -> Fault {
    Fault::new(
        node.loc,
        format!("docker in pipeline {pipeline} must be true or false"),
    )
}

/// `services`: a list of boxes; `None` when null, so that a pipeline's `services: []`
/// (which replaces the top-level list) differs from no `services` at all.
fn services(node: &Node, what: &str) -> Result<Option<Vec<BoxConfig>>> {
    match &node.kind {
        Kind::Seq(items) => items
            .iter()
            .map(|item| {
                boxed(item, "service")?
                    .ok_or_else(|| Fault::new(item.loc, "empty service in the services list"))
            })
            .collect::<Result<Vec<_>>>()
            .map(Some),
        _ if node.is_null() => Ok(None),
        _ => Err(Fault::new(
            node.loc,
            format!("{what} must be a list of images or maps"),
        )),
    }
}

/// A box or service, `what` naming it in messages: `image[:tag]` or the map form.
/// String fields take the raw scalar text, as Wercker decoded them into strings.
pub(crate) fn boxed(node: &Node, what: &str) -> Result<Option<BoxConfig>> {
    let entries = match &node.kind {
        Kind::Scalar(_) => {
            return Ok(raw_text(node).map(|id| BoxConfig {
                id: id.to_string(),
                ..BoxConfig::default()
            }));
        }
        Kind::Seq(_) => {
            return Err(Fault::new(
                node.loc,
                format!("{what} must be an image name or a map"),
            ));
        }
        Kind::Map(entries) => entries,
    };
    let mut b = BoxConfig::default();
    for Entry { key, value, .. } in entries {
        let text = || -> Result<Option<String>> {
            match &value.kind {
                Kind::Scalar(_) => Ok(raw_text(value).map(str::to_string)),
                _ => Err(Fault::new(
                    value.loc,
                    format!("{what} {key} must be a string"),
                )),
            }
        };
        match key.as_str() {
            "id" => b.id = text()?.unwrap_or_default(),
            "tag" => b.tag = text()?,
            "cmd" => b.cmd = text()?,
            "entrypoint" => b.entrypoint = text()?,
            "volumes" => b.volumes = text()?,
            "name" => b.name = text()?,
            "url" => b.url = text()?,
            "env" => b.env = env(value, what)?,
            "ports" => b.ports = ports(value, what)?,
            // Wercker ignored keys it did not know, so lists and maps there are dropped.
            other => {
                if let Some(v) = raw_text(value) {
                    b.other.push((other.to_string(), v.to_string()));
                }
            }
        }
    }
    Ok(Some(b))
}

fn env(node: &Node, what: &str) -> Result<Vec<(String, String)>> {
    match &node.kind {
        Kind::Map(entries) => entries
            .iter()
            .map(|e| match &e.value.kind {
                Kind::Scalar(_) => Ok((
                    e.key.clone(),
                    raw_text(&e.value).unwrap_or_default().to_string(),
                )),
                _ => Err(Fault::new(
                    e.value.loc,
                    format!("{what} env {} must be a string", e.key),
                )),
            })
            .collect(),
        _ if node.is_null() => Ok(Vec::new()),
        _ => Err(Fault::new(
            node.loc,
            format!("{what} env must be a map of names to values"),
        )),
    }
}

fn ports(node: &Node, what: &str) -> Result<Vec<String>> {
    match &node.kind {
        Kind::Seq(items) => items
            .iter()
            .map(|item| match &item.kind {
                Kind::Scalar(_) => Ok(raw_text(item).unwrap_or_default().to_string()),
                _ => Err(Fault::new(
                    item.loc,
                    format!("{what} ports must be a list of ports"),
                )),
            })
            .collect(),
        _ if node.is_null() => Ok(Vec::new()),
        _ => Err(Fault::new(
            node.loc,
            format!("{what} ports must be a list of ports"),
        )),
    }
}
