//! `workflows:`: reading the list and validating it against the file's pipelines.

use std::collections::{HashMap, HashSet};

use crate::error::{Fault, Result};
use crate::node::{Kind, Node};
use crate::scalar::raw_text;
use crate::{Config, Location, Workflow, WorkflowPipeline};

/// A workflow node with the places that messages point at.
struct Spot {
    pipeline: WorkflowPipeline,
    loc: Location,
    pipeline_name_loc: Location,
    requires_locs: Vec<Location>,
}

/// Reads `workflows:` and validates each workflow against the pipelines of `config`.
pub(crate) fn workflows(node: &Node, config: &Config) -> Result<Vec<Workflow>> {
    if node.is_null() {
        return Ok(Vec::new());
    }
    let Some(items) = node.as_seq() else {
        return Err(Fault::new(
            node.loc,
            "workflows must be a list of workflows",
        ));
    };
    let mut names = HashSet::new();
    let mut out = Vec::with_capacity(items.len());
    for item in items {
        let (name, spots) = workflow(item)?;
        if !names.insert(name.clone()) {
            return Err(Fault::new(item.loc, format!("duplicate workflow {name}")));
        }
        validate(item.loc, &spots, config)
            .map_err(|f| Fault::new(f.loc, format!("invalid workflow {name}: {}", f.message)))?;
        out.push(Workflow {
            name,
            pipelines: spots.into_iter().map(|s| s.pipeline).collect(),
        });
    }
    Ok(out)
}

fn workflow(node: &Node) -> Result<(String, Vec<Spot>)> {
    let Some(entries) = node.as_map() else {
        return Err(Fault::new(
            node.loc,
            "a workflow must be a map with name and pipelines",
        ));
    };
    let mut name = None;
    let mut spots = Vec::new();
    for e in entries {
        match e.key.as_str() {
            "name" => name = text(&e.value, "workflow name")?,
            "pipelines" => {
                if e.value.is_null() {
                    continue;
                }
                let Some(items) = e.value.as_seq() else {
                    return Err(Fault::new(
                        e.value.loc,
                        "pipelines of a workflow must be a list",
                    ));
                };
                spots = items.iter().map(spot).collect::<Result<_>>()?;
            }
            _ => {}
        }
    }
    let name = name.ok_or_else(|| Fault::new(node.loc, "a workflow has no name"))?;
    Ok((name, spots))
}

fn spot(node: &Node) -> Result<Spot> {
    let Some(entries) = node.as_map() else {
        return Err(Fault::new(
            node.loc,
            "a workflow pipeline must be a map with a name",
        ));
    };
    let mut name = None;
    let mut pipeline_name = None;
    let mut pipeline_name_loc = node.loc;
    let mut requires = Vec::new();
    let mut requires_locs = Vec::new();
    let mut artifact_pipeline = None;
    let mut env_file = None;
    for e in entries {
        match e.key.as_str() {
            "name" => name = text(&e.value, "workflow pipeline name")?,
            "pipelineName" => {
                pipeline_name = text(&e.value, "pipelineName")?;
                pipeline_name_loc = e.value.loc;
            }
            "requires" => match &e.value.kind {
                Kind::Seq(items) => {
                    for item in items {
                        let required = text(item, "requires")?
                            .ok_or_else(|| Fault::new(item.loc, "empty name in requires"))?;
                        requires.push(required);
                        requires_locs.push(item.loc);
                    }
                }
                _ if e.value.is_null() => {}
                _ => {
                    return Err(Fault::new(
                        e.value.loc,
                        "requires must be a list of pipeline names",
                    ));
                }
            },
            "artifactPipeline" => artifact_pipeline = text(&e.value, "artifactPipeline")?,
            "envFile" => env_file = text(&e.value, "envFile")?,
            _ => {}
        }
    }
    let name = name.ok_or_else(|| Fault::new(node.loc, "a workflow pipeline has no name"))?;
    Ok(Spot {
        pipeline: WorkflowPipeline {
            pipeline_name: pipeline_name.unwrap_or_else(|| name.clone()),
            name,
            requires,
            artifact_pipeline,
            env_file,
        },
        loc: node.loc,
        pipeline_name_loc,
        requires_locs,
    })
}

fn text(node: &Node, what: &str) -> Result<Option<String>> {
    match &node.kind {
        Kind::Scalar(_) => Ok(raw_text(node).map(str::to_string).filter(|t| !t.is_empty())),
        _ => Err(Fault::new(node.loc, format!("{what} must be a string"))),
    }
}

/// Wercker's checks, in its order: unique names, yml pipelines exist, requirements exist,
/// one root, no cycle. Messages are Wercker's, without the workflow prefix.
fn validate(loc: Location, spots: &[Spot], config: &Config) -> Result<()> {
    let mut seen = HashSet::new();
    for s in spots {
        if !seen.insert(s.pipeline.name.as_str()) {
            return Err(Fault::new(
                s.loc,
                format!("duplicate pipeline {}", s.pipeline.name),
            ));
        }
    }
    for s in spots {
        if config.pipeline(&s.pipeline.pipeline_name).is_none() {
            return Err(Fault::new(
                s.pipeline_name_loc,
                format!("pipeline {} is not defined", s.pipeline.pipeline_name),
            ));
        }
    }
    for s in spots {
        for (required, at) in s.pipeline.requires.iter().zip(&s.requires_locs) {
            if !seen.contains(required.as_str()) {
                return Err(Fault::new(
                    *at,
                    format!("no pipeline {required} required by {}", s.pipeline.name),
                ));
            }
        }
    }
    let roots: Vec<&Spot> = spots
        .iter()
        .filter(|s| s.pipeline.requires.is_empty())
        .collect();
    match roots.as_slice() {
        [] => return Err(Fault::new(loc, "no root pipeline")),
        [_] => {}
        [_, second, ..] => {
            let names: Vec<&str> = roots.iter().map(|s| s.pipeline.name.as_str()).collect();
            return Err(Fault::new(
                second.loc,
                format!("multiple root pipelines: {}", names.join(", ")),
            ));
        }
    }
    if let Some(cycle) = find_cycle(spots) {
        let at = spots
            .iter()
            .find(|s| s.pipeline.name == cycle[0])
            .map_or(loc, |s| s.loc);
        return Err(Fault::new(
            at,
            format!("contains cycle {}", cycle.join(" -> ")),
        ));
    }
    Ok(())
}

/// A cycle through `requires`, as `a -> b -> a`, if any. Unlike Wercker's check, which
/// starts from the root only, this also finds cycles that the root cannot reach.
fn find_cycle(spots: &[Spot]) -> Option<Vec<String>> {
    let index: HashMap<&str, usize> = spots
        .iter()
        .enumerate()
        .map(|(i, s)| (s.pipeline.name.as_str(), i))
        .collect();
    // 0 = unseen, 1 = on the current path, 2 = done; iterative so deep chains are safe.
    let mut state = vec![0u8; spots.len()];
    for start in 0..spots.len() {
        if state[start] != 0 {
            continue;
        }
        let mut path: Vec<(usize, usize)> = vec![(start, 0)];
        state[start] = 1;
        while let Some(top) = path.last_mut() {
            let node = top.0;
            let requires = &spots[node].pipeline.requires;
            if top.1 < requires.len() {
                let parent = requires[top.1].as_str();
                top.1 += 1;
                let Some(&p) = index.get(parent) else {
                    continue;
                };
                match state[p] {
                    0 => {
                        state[p] = 1;
                        path.push((p, 0));
                    }
                    1 => {
                        let from = path.iter().position(|&(n, _)| n == p).unwrap_or(0);
                        let mut cycle: Vec<String> = path[from..]
                            .iter()
                            .rev()
                            .map(|&(n, _)| spots[n].pipeline.name.clone())
                            .collect();
                        cycle.insert(0, spots[p].pipeline.name.clone());
                        return Some(cycle);
                    }
                    _ => {}
                }
            } else {
                state[node] = 2;
                path.pop();
            }
        }
    }
    None
}
