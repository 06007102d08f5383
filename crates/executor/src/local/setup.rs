//! Step 2, `setup environment`: read wercker.yml, plan the steps, lay out the run's
//! directories and build the pipeline environment.

use std::panic::AssertUnwindSafe;
use std::path::{Path, PathBuf};
use std::time::Duration;

use werk_yml::{BoxConfig, Config, ParseError, Step};

use super::checkout::{CheckedOut, remove_dir};
use super::container::{GUEST_CACHE, GUEST_WORK_DIR};
use super::env::{EnvVar, pass_through, valid_name};
use super::process::describe_duration;
use super::report::{Reporter, StepFailure};
use crate::{Job, Limits, Phase, PlannedStep, RunKind, StepSources};

/// The order of the `setup environment` step.
pub(crate) const ORDER: u32 = 2;
/// The order of `wercker-init`.
pub(crate) const INIT_ORDER: u32 = 3;
/// The most minutes wercker.yml may set a timeout to.
const MAX_TIMEOUT_MINUTES: u64 = 60;

/// Where a run keeps its files, all under the job's work dir.
#[derive(Debug, Clone)]
pub(crate) struct Paths {
    /// The work dir itself (`$WERCKER_PIPELINE_DIR`).
    pub work_dir: PathBuf,
    /// `source/`: the checkout (`$WERCKER_ROOT`).
    pub root: PathBuf,
    /// `$WERCKER_SOURCE_DIR`: the root, or its `source-dir` subdirectory.
    pub source_dir: PathBuf,
    /// `output/` (`$WERCKER_OUTPUT_DIR`).
    pub output: PathBuf,
    /// `report/` (`$WERCKER_REPORT_DIR`), one subdirectory per step.
    pub report: PathBuf,
    /// `steps/`, one subdirectory per step holding its `run.sh`.
    pub steps: PathBuf,
    /// The application's cache (`$WERCKER_CACHE_DIR`).
    pub cache: PathBuf,
    /// Whether the shell runs in a box, which sees the work dir at `/pipeline` and the
    /// cache at `/pipeline/cache`.
    pub boxed: bool,
    /// In a box, where wercker.yml's `base-path` puts the checkout as well.
    pub base_path: Option<String>,
    /// wercker.yml's `source-dir`, relative to the checkout.
    pub source_sub: Option<String>,
}

impl Paths {
    /// The layout for `job`, before wercker.yml names a `source-dir`.
    pub fn new(job: &Job) -> Self {
        let work_dir = job.work_dir.clone();
        let root = work_dir.join("source");
        Paths {
            source_dir: root.clone(),
            root,
            output: work_dir.join("output"),
            report: work_dir.join("report"),
            steps: work_dir.join("steps"),
            cache: job.cache_dir.clone(),
            work_dir,
            boxed: false,
            base_path: None,
            source_sub: None,
        }
    }

    /// `path` (under the work dir or the cache) as the pipeline's shell sees it: the same
    /// path on this machine, and Wercker's `/pipeline/...` paths in a box.
    pub fn in_shell(&self, path: &Path) -> Result<String, StepFailure> {
        if !self.boxed {
            return path_str(path);
        }
        let guest = |base: &str, rest: &Path| {
            if rest.as_os_str().is_empty() {
                PathBuf::from(base)
            } else {
                Path::new(base).join(rest)
            }
        };
        let mapped = if let Ok(rest) = path.strip_prefix(&self.cache) {
            guest(GUEST_CACHE, rest)
        } else if let Ok(rest) = path.strip_prefix(&self.work_dir) {
            guest(GUEST_WORK_DIR, rest)
        } else {
            path.to_path_buf()
        };
        path_str(&mapped)
    }

    /// `$WERCKER_SOURCE_DIR` as the shell sees it: in a box with a `base-path`, the source
    /// dir under that path.
    pub fn source_dir_in_shell(&self) -> Result<String, StepFailure> {
        match (&self.base_path, self.boxed) {
            (Some(base), true) => {
                let dir = Path::new(base).join(self.source_sub.as_deref().unwrap_or_default());
                path_str(&dir).map(|d| d.trim_end_matches('/').to_owned())
            }
            _ => self.in_shell(&self.source_dir),
        }
    }
}

/// A yml step with its place in the run.
#[derive(Debug, Clone)]
pub(crate) struct OrderedStep {
    /// The step's order.
    pub order: u32,
    /// The step as written.
    pub step: Step,
}

/// Everything the later steps need, decided by `setup environment`.
#[derive(Debug, Clone)]
pub(crate) struct Plan {
    /// The main yml steps.
    pub steps: Vec<OrderedStep>,
    /// The order of `store`.
    pub store_order: u32,
    /// The after-steps.
    pub after_steps: Vec<OrderedStep>,
    /// The pipeline environment, in export order.
    pub env: Vec<EnvVar>,
    /// The box's `env`: the shell's starting environment.
    pub box_env: Vec<(String, String)>,
    /// Timeouts for each step.
    pub limits: Limits,
    /// The run's directories.
    pub paths: Paths,
    /// Where registry steps are looked up.
    pub step_sources: StepSources,
    /// The box to run the shell in (its `id` and `env` expanded), when the executor runs
    /// boxes and wercker.yml names one.
    pub the_box: Option<BoxConfig>,
    /// The services to start beside the box (expanded likewise).
    pub services: Vec<BoxConfig>,
}

impl Plan {
    /// The full step list as the engine sees it.
    pub fn planned(&self) -> Vec<PlannedStep> {
        let mut list = vec![
            planned(super::checkout::ORDER, "get code", Phase::Builtin),
            planned(ORDER, "setup environment", Phase::Builtin),
            planned(INIT_ORDER, "wercker-init", Phase::Main),
        ];
        for s in &self.steps {
            list.push(planned_step(s, Phase::Main));
        }
        list.push(planned(self.store_order, "store", Phase::Main));
        for s in &self.after_steps {
            list.push(planned_step(s, Phase::Final));
        }
        list
    }
}

fn planned(order: u32, name: &str, phase: Phase) -> PlannedStep {
    PlannedStep {
        order,
        name: name.to_owned(),
        phase,
    }
}

fn planned_step(s: &OrderedStep, phase: Phase) -> PlannedStep {
    planned(s.order, s.step.display_name(), phase)
}

/// Reads the wercker.yml and decides the plan; errors are logged to the step as well.
/// With `boxes`, the shell is to run in the pipeline's box when it has one.
pub(crate) async fn plan(
    job: &Job,
    code: &CheckedOut,
    rep: &Reporter,
    boxes: bool,
) -> Result<Plan, StepFailure> {
    let Some((file, text)) = &code.yml else {
        let message = "no wercker.yml was found in the source (looked for ewok.yml, wercker.yml and .wercker.yml)";
        rep.line(ORDER, message).await;
        return Err(StepFailure::failed(message));
    };
    let config = match parse(file, text) {
        Ok(config) => config,
        Err(err) => {
            rep.line(ORDER, &err.render()).await;
            return Err(StepFailure::failed(err.to_string()));
        }
    };
    let Some(pipeline) = config.pipeline(&job.pipeline) else {
        let names: Vec<&str> = config.pipelines.iter().map(|p| p.name.as_str()).collect();
        let message = format!(
            "no pipeline named {} in {file} (it has: {})",
            job.pipeline,
            names.join(", ")
        );
        rep.line(ORDER, &message).await;
        return Err(StepFailure::failed(message));
    };

    let target = job
        .env
        .iter()
        .rev()
        .find(|(k, _)| k == "WERCKER_DEPLOYTARGET_NAME")
        .map(|(_, v)| v.as_str());
    let main_steps = target
        .and_then(|t| pipeline.deploy_targets.iter().find(|(name, _)| name == t))
        .map_or(&pipeline.steps, |(_, steps)| steps);

    let steps = number(main_steps, INIT_ORDER + 1);
    let store_order = INIT_ORDER + 1 + count(steps.len());
    let after_steps = number(&pipeline.after_steps, store_order + 1);

    let mut paths = Paths::new(job);
    if let Some(sub) = config.source_dir.as_deref() {
        let sub = sub.trim_start_matches('/');
        if !sub.is_empty() {
            paths.source_dir = paths.root.join(sub);
            paths.source_sub = Some(sub.to_owned());
        }
    }
    let declared_box = pipeline.box_.as_ref().or(config.box_.as_ref());
    paths.boxed = boxes && declared_box.is_some_and(|b| !b.id.trim().is_empty());
    if paths.boxed {
        paths.base_path = pipeline
            .base_path
            .as_deref()
            .map(|p| p.trim_end_matches('/').to_owned())
            .filter(|p| p.starts_with('/') && p.len() > 1);
    }
    let env = pipeline_env(job, code, &paths)?;
    let box_env = box_env(declared_box, &env);
    let (the_box, services) = if paths.boxed {
        let services = pipeline.services.as_ref().unwrap_or(&config.services);
        (
            declared_box.map(|b| expand_box(b, &env)),
            services.iter().map(|s| expand_box(s, &env)).collect(),
        )
    } else {
        (None, Vec::new())
    };
    Ok(Plan {
        the_box,
        services,
        box_env,
        steps,
        store_order,
        after_steps,
        env,
        limits: limits(&config, job.limits),
        paths,
        step_sources: job.steps.clone(),
    })
}

/// Gives `steps` consecutive orders from `first` on.
fn number(steps: &[Step], first: u32) -> Vec<OrderedStep> {
    (first..)
        .zip(steps)
        .map(|(order, step)| OrderedStep {
            order,
            step: step.clone(),
        })
        .collect()
}

fn count(n: usize) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

/// Parses, turning a parser panic into an error rather than losing the run.
fn parse(file: &str, text: &str) -> Result<Config, ParseError> {
    std::panic::catch_unwind(AssertUnwindSafe(|| werk_yml::parse(file, text))).unwrap_or_else(
        |_| {
            Err(ParseError {
                file: file.to_owned(),
                line: 1,
                column: 1,
                message: "internal error in the wercker.yml parser".to_owned(),
                source_line: text.lines().next().unwrap_or_default().to_owned(),
            })
        },
    )
}

/// The yml's timeouts (in minutes, capped) over the job's defaults.
fn limits(config: &Config, defaults: Limits) -> Limits {
    let minutes = |m: Option<u64>, default: Duration| match m {
        Some(m) if m > 0 => Duration::from_secs(m.min(MAX_TIMEOUT_MINUTES) * 60),
        _ => default,
    };
    Limits {
        command_timeout: minutes(config.command_timeout, defaults.command_timeout),
        no_response_timeout: minutes(config.no_response_timeout, defaults.no_response_timeout),
    }
}

/// The pipeline environment: werk's variables, then the job's (so that a trigger's
/// variables override werk's), then the pass-through variables of this process.
fn pipeline_env(job: &Job, code: &CheckedOut, paths: &Paths) -> Result<Vec<EnvVar>, StepFailure> {
    let mut env = vec![
        EnvVar::new("WERCKER", "true"),
        EnvVar::new("WERCKER_ROOT", paths.in_shell(&paths.root)?),
        EnvVar::new("WERCKER_SOURCE_DIR", paths.source_dir_in_shell()?),
        EnvVar::new("WERCKER_CACHE_DIR", paths.in_shell(&paths.cache)?),
        EnvVar::new("WERCKER_OUTPUT_DIR", paths.in_shell(&paths.output)?),
        EnvVar::new("WERCKER_PIPELINE_DIR", paths.in_shell(&paths.work_dir)?),
        EnvVar::new("WERCKER_REPORT_DIR", paths.in_shell(&paths.report)?),
        EnvVar::new("WERCKER_GIT_BRANCH", code.branch.clone()),
        EnvVar::new("WERCKER_GIT_COMMIT", code.commit.clone()),
        EnvVar::new("WERCKER_GIT_TAG", code.tag.clone()),
        EnvVar::new("TERM", "xterm-256color"),
    ];
    match job.kind {
        RunKind::Build => {
            env.push(EnvVar::new("BUILD", "true"));
            env.push(EnvVar::new("CI", "true"));
        }
        RunKind::Deploy => env.push(EnvVar::new("DEPLOY", "true")),
    }
    env.extend(job.env.iter().map(|(k, v)| {
        let mut var = EnvVar::new(k.clone(), v.clone());
        var.hidden = job.protected_keys.contains(k);
        var
    }));
    env.extend(pass_through(std::env::vars_os().filter_map(|(k, v)| {
        Some((k.into_string().ok()?, v.into_string().ok()?))
    })));
    Ok(env)
}

/// A box or service with its image `id`, its `env` and its credentials expanded against the
/// pipeline environment, as Wercker expanded them.
fn expand_box(the_box: &BoxConfig, env: &[EnvVar]) -> BoxConfig {
    let lookup = |name: &str| lookup(env, name);
    let mut expanded = the_box.clone();
    expanded.id = werk_yml::interpolate(&the_box.id, lookup);
    expanded.env = the_box
        .env
        .iter()
        .map(|(key, value)| (key.clone(), werk_yml::interpolate(value, lookup)))
        .collect();
    // Registry credentials, typically `$DOCKER_PASSWORD` from a protected variable.
    expanded.other = the_box
        .other
        .iter()
        .map(|(key, value)| (key.clone(), werk_yml::interpolate(value, lookup)))
        .collect();
    expanded
}

/// The value of `name` in `env`, the last one winning.
pub(crate) fn lookup(env: &[EnvVar], name: &str) -> Option<String> {
    env.iter()
        .rev()
        .find(|v| v.key == name)
        .map(|v| v.value.clone())
}

/// The box's `env`, which Wercker set on the container before any export: names
/// upper-cased, values expanded Go-style (`$X`, `${X}`) against the pipeline environment.
/// The local executor gives it to the shell as its starting environment.
fn box_env(the_box: Option<&BoxConfig>, env: &[EnvVar]) -> Vec<(String, String)> {
    let lookup = |name: &str| lookup(env, name);
    the_box
        .map(|b| {
            b.env
                .iter()
                .map(|(key, value)| (key.to_uppercase(), werk_yml::interpolate(value, lookup)))
                .collect()
        })
        .unwrap_or_default()
}

/// Creates the run's directories: an empty output dir, the report and steps dirs, and the
/// cache if it is new.
pub(crate) async fn make_dirs(paths: &Paths) -> Result<(), StepFailure> {
    remove_dir(&paths.output).await?;
    for dir in [&paths.output, &paths.report, &paths.steps, &paths.cache] {
        create_dir(dir).await?;
    }
    Ok(())
}

/// `mkdir -p`, with a message naming the directory.
pub(crate) async fn create_dir(dir: &Path) -> Result<(), StepFailure> {
    tokio::fs::create_dir_all(dir)
        .await
        .map_err(|e| StepFailure::failed(format!("cannot create {}: {e}", dir.display())))
}

/// A path as the string the shell sees; werk cannot export a path that is not UTF-8.
pub(crate) fn path_str(path: &Path) -> Result<String, StepFailure> {
    path.to_str()
        .map(str::to_owned)
        .ok_or_else(|| StepFailure::failed(format!("path is not valid UTF-8: {}", path.display())))
}

/// The line announcing the time limits that apply to each step of the run.
pub(crate) fn limits_line(limits: Limits) -> String {
    format!(
        "Time limits: a step may run {}, and stay silent {}\n",
        describe_duration(limits.command_timeout),
        describe_duration(limits.no_response_timeout)
    )
}

/// The log lines announcing each exported variable, hiding protected values.
pub(crate) fn env_log(env: &[EnvVar]) -> String {
    let mut log = String::new();
    for var in env {
        if !valid_name(&var.key) {
            log.push_str(&format!(
                "skipping {}: not a valid variable name\n",
                var.key
            ));
        } else if var.hidden {
            log.push_str(&format!("{}=(hidden)\n", var.key));
        } else {
            log.push_str(&format!("{}={}\n", var.key, var.value));
        }
    }
    log
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn limits_line_names_both_limits() {
        assert_eq!(
            limits_line(Limits::default()),
            "Time limits: a step may run 25 minutes, and stay silent 5 minutes\n"
        );
        let short = Limits {
            command_timeout: Duration::from_secs(60),
            no_response_timeout: Duration::from_secs(90),
        };
        assert_eq!(
            limits_line(short),
            "Time limits: a step may run 1 minute, and stay silent 90 seconds\n"
        );
    }

    #[test]
    fn env_log_hides_protected_values() {
        let env = vec![
            EnvVar::new("A", "1"),
            EnvVar {
                key: "S".into(),
                value: "secret".into(),
                hidden: true,
            },
            EnvVar::new("B-C", "x"),
        ];
        assert_eq!(
            env_log(&env),
            "A=1\nS=(hidden)\nskipping B-C: not a valid variable name\n"
        );
    }
}
