//! The parsed form of a wercker.yml: what a pipeline run needs to know, in file order.

/// A whole wercker.yml.
#[derive(Debug, Clone, PartialEq, Default, serde::Serialize)]
pub struct Config {
    /// Top-level `box`, the default for every pipeline.
    pub box_: Option<BoxConfig>,
    /// Top-level `services`, the default for every pipeline.
    pub services: Vec<BoxConfig>,
    /// `command-timeout` in minutes, as written (not yet capped).
    pub command_timeout: Option<u64>,
    /// `no-response-timeout` in minutes, as written (not yet capped).
    pub no_response_timeout: Option<u64>,
    /// `source-dir`: subdirectory of the checkout used as `$WERCKER_SOURCE_DIR`.
    pub source_dir: Option<String>,
    /// `ignore-file`.
    pub ignore_file: Option<String>,
    /// Every top-level key that is a pipeline, in file order.
    pub pipelines: Vec<Pipeline>,
    /// The `workflows:` key, in file order; empty when absent.
    pub workflows: Vec<Workflow>,
}

/// A box or a service: `image[:tag]` or the map form.
#[derive(Debug, Clone, PartialEq, Default, serde::Serialize)]
pub struct BoxConfig {
    /// Image reference (`id`), without any tag that `tag` overrides.
    pub id: String,
    /// `tag`, when given separately.
    pub tag: Option<String>,
    /// `cmd`.
    pub cmd: Option<String>,
    /// `entrypoint`.
    pub entrypoint: Option<String>,
    /// `env`, keys as written, in file order.
    pub env: Vec<(String, String)>,
    /// `ports`, as written.
    pub ports: Vec<String>,
    /// `volumes`.
    pub volumes: Option<String>,
    /// `name` (service alias).
    pub name: Option<String>,
    /// `url` (local service).
    pub url: Option<String>,
    /// Registry credentials and any other key of the map form, in file order.
    pub other: Vec<(String, String)>,
}

/// One pipeline: a top-level key of the file that is not a reserved word.
#[derive(Debug, Clone, PartialEq, Default, serde::Serialize)]
pub struct Pipeline {
    /// The key, e.g. `build` or `deploy`.
    pub name: String,
    /// Per-pipeline `box` (replaces the top-level one entirely).
    pub box_: Option<BoxConfig>,
    /// Per-pipeline `services` (replaces the top-level list when present, even empty).
    pub services: Option<Vec<BoxConfig>>,
    /// `steps`.
    pub steps: Vec<Step>,
    /// `after-steps`.
    pub after_steps: Vec<Step>,
    /// `base-path`, trailing `/` trimmed.
    pub base_path: Option<String>,
    /// `docker: true`.
    pub docker: bool,
    /// Any other key: the step list of a deploy target of that name, in file order.
    pub deploy_targets: Vec<(String, Vec<Step>)>,
}

/// One step of a pipeline.
#[derive(Debug, Clone, PartialEq, Default, serde::Serialize)]
pub struct Step {
    /// The id as written, e.g. `script`, `arjen/hugo-build@1.12.0`, `internal/docker-push`.
    pub id: String,
    /// Owner part of the id; `wercker` when the id names none.
    pub owner: String,
    /// Name part of the id, without owner and version.
    pub name: String,
    /// Version part of the id; `None` means latest (`*`).
    pub version: Option<String>,
    /// A quoted URL after the id (`name "file:///path"`), if any.
    pub url: Option<String>,
    /// `name:` property: the display name, when given.
    pub display_name: Option<String>,
    /// `cwd:` property, relative to the source dir.
    pub cwd: Option<String>,
    /// `checkpoint:` property.
    pub checkpoint: Option<String>,
    /// Every other property, stringified by Wercker's rules, in file order (includes `code`).
    pub properties: Vec<(String, String)>,
    /// Where the step starts in the file.
    pub location: Location,
}

/// What kind of step an id names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StepKind {
    /// The inline `script` step.
    Script,
    /// An `internal/*` step, built into the Docker runner.
    Internal,
    /// Any other step: resolved from a step source.
    Registry,
}

impl Step {
    /// The name shown for the step: `name:` when given, else Wercker's name for an internal
    /// step (`docker push`), else the name part of the id.
    pub fn display_name(&self) -> &str {
        if let Some(name) = self.display_name.as_deref() {
            return name;
        }
        if self.owner == "internal" {
            let shown = match self.name.as_str() {
                "docker-push" => Some("docker push"),
                "docker-scratch-push" => Some("docker scratch'n'push"),
                "docker-build" => Some("docker build"),
                "docker-run" => Some("docker run"),
                "docker-kill" => Some("docker kill"),
                "store-container" => Some("store container"),
                _ => None,
            };
            if let Some(shown) = shown {
                return shown;
            }
        }
        &self.name
    }

    /// Which kind of step this is.
    pub fn kind(&self) -> StepKind {
        if self.name == "script" {
            StepKind::Script
        } else if self.owner == "internal" {
            StepKind::Internal
        } else {
            StepKind::Registry
        }
    }

    /// The value of a property, if present.
    pub fn property(&self, key: &str) -> Option<&str> {
        self.properties
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.as_str())
    }

    /// The script code of a `script` step (its `code` property).
    pub fn code(&self) -> Option<&str> {
        self.property("code")
    }
}

/// A line and column in the file, both 1-based.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Serialize)]
pub struct Location {
    /// 1-based line.
    pub line: usize,
    /// 1-based column.
    pub column: usize,
}

/// One entry of `workflows:`.
#[derive(Debug, Clone, PartialEq, Default, serde::Serialize)]
pub struct Workflow {
    /// `name`.
    pub name: String,
    /// `pipelines`, in file order.
    pub pipelines: Vec<WorkflowPipeline>,
}

/// One node of a workflow.
#[derive(Debug, Clone, PartialEq, Default, serde::Serialize)]
pub struct WorkflowPipeline {
    /// `name`: the node's name, unique within the workflow.
    pub name: String,
    /// `pipelineName`: the yml pipeline it runs; defaults to `name`.
    pub pipeline_name: String,
    /// `requires`: names of parent nodes; empty for the root.
    pub requires: Vec<String>,
    /// `artifactPipeline`: the parent whose output is this node's input.
    pub artifact_pipeline: Option<String>,
    /// `envFile`.
    pub env_file: Option<String>,
}

impl Config {
    /// The pipeline with this name, if the file defines it.
    pub fn pipeline(&self, name: &str) -> Option<&Pipeline> {
        self.pipelines.iter().find(|p| p.name == name)
    }
}
