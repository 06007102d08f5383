//! What an application's wercker.yml defines: its pipelines and the workflows that chain them.
//!
//! werk's pipelines are the yml pipelines plus every workflow node whose name differs from the
//! yml pipeline it runs (Wercker's "workflow pipelines": `deploy-production` running `deploy`).
//! Without a `workflows:` key, an application has one workflow holding only `build`.

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use werk_store::PipelineSpec;

/// One workflow as stored with the application.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct WorkflowDefinition {
    /// Workflow name.
    pub name: String,
    /// Nodes in file order; each node's parents come before it.
    pub nodes: Vec<Node>,
}

/// One node of a workflow.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Node {
    /// Node name: the werk pipeline's name.
    pub name: String,
    /// The yml pipeline it runs.
    pub pipeline: String,
    /// Parent node names.
    pub requires: Vec<String>,
}

/// Everything an application derives from one wercker.yml.
#[derive(Debug, Clone, PartialEq)]
pub struct Definitions {
    /// Pipelines to have.
    pub pipelines: Vec<PipelineSpec>,
    /// Workflows.
    pub workflows: Vec<WorkflowDefinition>,
    /// SHA-256 of the yml text, to notice changes.
    pub yml_hash: String,
}

impl Definitions {
    /// What a parsed wercker.yml (with its text) defines.
    pub fn from_config(config: &werk_yml::Config, text: &str) -> Definitions {
        let mut workflows: Vec<WorkflowDefinition> = config
            .workflows
            .iter()
            .map(|w| WorkflowDefinition {
                name: w.name.clone(),
                nodes: order_parents_first(
                    w.pipelines
                        .iter()
                        .map(|p| Node {
                            name: p.name.clone(),
                            pipeline: p.pipeline_name.clone(),
                            requires: p.requires.clone(),
                        })
                        .collect(),
                ),
            })
            .collect();
        if workflows.is_empty() {
            workflows.push(default_workflow());
        }
        let chained: Vec<&str> = workflows
            .iter()
            .flat_map(|w| w.nodes.iter())
            .filter(|n| !n.requires.is_empty())
            .map(|n| n.name.as_str())
            .collect();
        let kind = |name: &str| {
            if chained.contains(&name) {
                "pipeline"
            } else {
                "git"
            }
        };
        let mut pipelines: Vec<PipelineSpec> = config
            .pipelines
            .iter()
            .map(|p| PipelineSpec {
                name: p.name.clone(),
                pipeline_name: p.name.clone(),
                r#type: kind(&p.name).to_string(),
            })
            .collect();
        for node in workflows.iter().flat_map(|w| w.nodes.iter()) {
            if !pipelines.iter().any(|p| p.name == node.name) {
                pipelines.push(PipelineSpec {
                    name: node.name.clone(),
                    pipeline_name: node.pipeline.clone(),
                    r#type: kind(&node.name).to_string(),
                });
            }
        }
        Definitions {
            pipelines,
            workflows,
            yml_hash: yml_hash(text),
        }
    }

    /// Parses `text` (the file `file`, read from `whence`) into what it defines.
    ///
    /// # Errors
    /// [`crate::EngineError::Unprocessable`] naming file, line, column and the offending line.
    pub fn parse(file: &str, text: &str, whence: &str) -> crate::EngineResult<Definitions> {
        werk_yml::parse(file, text)
            .map(|config| Definitions::from_config(&config, text))
            .map_err(|err| {
                crate::EngineError::Unprocessable(format!(
                    "{err} ({whence}): {}",
                    err.source_line.trim()
                ))
            })
    }

    /// What an application without a wercker.yml has: a `build` pipeline in one workflow.
    pub fn without_yml() -> Definitions {
        Definitions {
            pipelines: vec![PipelineSpec {
                name: "build".into(),
                pipeline_name: "build".into(),
                r#type: "git".into(),
            }],
            workflows: vec![default_workflow()],
            yml_hash: String::new(),
        }
    }

    /// The workflows as stored with the application.
    pub fn workflows_json(&self) -> String {
        serde_json::to_string(&self.workflows).unwrap_or_else(|_| "[]".into())
    }
}

/// The SHA-256 of a wercker.yml's text, hex.
pub fn yml_hash(text: &str) -> String {
    hex::encode(Sha256::digest(text.as_bytes()))
}

/// Reads the workflows stored with an application; a damaged value reads as none.
pub fn parse_workflows_json(json: &str) -> Vec<WorkflowDefinition> {
    serde_json::from_str(json).unwrap_or_default()
}

/// The chain a trigger of pipeline `name` starts: the first workflow (named `workflow`, when
/// given) having a node of that name, and the nodes from it downwards (each with the index of its first parent in the
/// returned list). A pipeline in no workflow runs alone.
pub fn chain_from<'a>(
    workflows: &'a [WorkflowDefinition],
    workflow: Option<&str>,
    name: &str,
) -> (String, Vec<(&'a Node, Option<usize>)>) {
    let Some(workflow) = workflows.iter().find(|w| {
        workflow.is_none_or(|wanted| w.name == wanted) && w.nodes.iter().any(|n| n.name == name)
    }) else {
        return (name.to_string(), Vec::new());
    };
    let mut chain: Vec<(&Node, Option<usize>)> = Vec::new();
    for node in &workflow.nodes {
        if node.name == name {
            chain.push((node, None));
            continue;
        }
        let parent = node
            .requires
            .iter()
            .find_map(|r| chain.iter().position(|(n, _)| &n.name == r));
        if let Some(parent) = parent {
            chain.push((node, Some(parent)));
        }
    }
    (workflow.name.clone(), chain)
}

fn default_workflow() -> WorkflowDefinition {
    WorkflowDefinition {
        name: "build".into(),
        nodes: vec![Node {
            name: "build".into(),
            pipeline: "build".into(),
            requires: vec![],
        }],
    }
}

/// Orders nodes so that parents come before children (the yml validation already refused
/// cycles; a node whose parents never appear keeps its place at the end).
fn order_parents_first(mut pending: Vec<Node>) -> Vec<Node> {
    let mut ordered: Vec<Node> = Vec::with_capacity(pending.len());
    while !pending.is_empty() {
        let ready = pending.iter().position(|n| {
            n.requires
                .iter()
                .all(|r| ordered.iter().any(|o| &o.name == r))
        });
        match ready {
            Some(i) => ordered.push(pending.remove(i)),
            None => {
                ordered.append(&mut pending);
            }
        }
    }
    ordered
}

#[cfg(test)]
mod tests {
    use super::*;

    fn node(name: &str, requires: &[&str]) -> Node {
        Node {
            name: name.into(),
            pipeline: name.into(),
            requires: requires.iter().map(|s| s.to_string()).collect(),
        }
    }

    #[test]
    fn chain_starts_at_the_triggered_node_and_keeps_its_descendants() {
        let workflows = vec![WorkflowDefinition {
            name: "main".into(),
            nodes: vec![
                node("build", &[]),
                node("test", &["build"]),
                node("deploy", &["test"]),
                node("other", &[]),
            ],
        }];
        let (name, chain) = chain_from(&workflows, None, "test");
        assert_eq!(name, "main");
        let names: Vec<_> = chain.iter().map(|(n, p)| (n.name.as_str(), *p)).collect();
        assert_eq!(names, vec![("test", None), ("deploy", Some(0))]);
        let (_, alone) = chain_from(&workflows, None, "nowhere");
        let (_, other) = chain_from(&workflows, Some("other-workflow"), "test");
        assert!(other.is_empty());
        assert!(alone.is_empty());
    }
}
