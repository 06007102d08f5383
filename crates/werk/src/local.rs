//! `werk build` and `werk workflow`: run a project's pipelines without a server of one's own.
//!
//! They start the same engine, executor and API in this process, on a temporary data dir and
//! a loopback port, create an application whose source is the project directory as it is
//! (uncommitted changes included), trigger, and follow the run with the same code as
//! `werk trigger --wait`. Nothing is kept but the artifacts asked for.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{Context, bail};
use serde_json::Value;
use tokio::net::TcpListener;
use werk_engine::{AppSource, EngineConfig, EnvVar, NewApplicationRequest, TriggerRequest};
use werk_store::Store;

use crate::cli::{BuildArgs, LocalArgs, WorkflowArgs};
use crate::client::{Client, text};
use crate::{follow, serve};

pub async fn build(args: BuildArgs) -> anyhow::Result<ExitCode> {
    run(&args.local, &args.pipeline, None).await
}

pub async fn workflow(args: WorkflowArgs) -> anyhow::Result<ExitCode> {
    let dir = project_dir(&args.local.dir)?;
    let (name, text) = read_yml(&dir)?;
    let config = werk_yml::parse(&name, &text).map_err(|e| anyhow::anyhow!("{}", e.render()))?;
    let Some(workflow) = config.workflows.iter().find(|w| w.name == args.name) else {
        let names: Vec<&str> = config.workflows.iter().map(|w| w.name.as_str()).collect();
        bail!(
            "{name} has no workflow {:?} (it has: {})",
            args.name,
            names.join(", ")
        );
    };
    let root = workflow
        .pipelines
        .iter()
        .find(|p| p.requires.is_empty())
        .with_context(|| format!("workflow {:?} has no pipeline without requires", args.name))?;
    run(&args.local, &root.name, Some(&args.name)).await
}

/// Runs `pipeline` of the project (and, in `workflow`, everything chained after it).
async fn run(args: &LocalArgs, pipeline: &str, workflow: Option<&str>) -> anyhow::Result<ExitCode> {
    let dir = project_dir(&args.dir)?;
    let data = tempfile::Builder::new()
        .prefix("werk-build-")
        .tempdir()
        .context("cannot create a temporary data dir")?;
    let store = Store::open(&Store::sqlite_url_in(data.path()))
        .await
        .context("cannot open the temporary database")?;
    let user = store.create_user("local").await?;
    let (_, token) = store.create_token(&user.id, "werk build").await?;
    let listener = TcpListener::bind("127.0.0.1:0")
        .await
        .context("cannot listen on 127.0.0.1")?;
    let config = EngineConfig {
        data_dir: data.path().to_path_buf(),
        public_url: String::new(),
        parallel_runs: 4,
        step_git_template: args.step_git_template.clone(),
        docker: serve::docker_engine(args.docker).await?,
        // The data dir goes with the build: nobody could download a saved box.
        save_boxes: false,
    };
    let running = serve::start(store.clone(), config, listener)?;
    let mut signals = serve::Signals::install()?;
    let work = async {
        let (branch, commit) = git_position(&dir);
        let app = running
            .engine
            .create_application(
                &user,
                &NewApplicationRequest {
                    name: app_name(&dir),
                    git_url: dir.display().to_string(),
                    branch: branch.clone(),
                    privacy: "private".into(),
                    source: AppSource::Directory,
                    chain_workflows: workflow.is_some(),
                },
            )
            .await?;
        let Some(found) = store.pipeline_by_name(&app.id, pipeline).await? else {
            let all = store.pipelines_of_application(&app.id, 1000, 0).await?;
            let names: Vec<&str> = all.iter().map(|p| p.name.as_str()).collect();
            bail!(
                "the wercker.yml has no pipeline {pipeline:?} (it has: {})",
                names.join(", ")
            );
        };
        let env_vars = args
            .env
            .iter()
            .map(|pair| {
                let (key, value) = pair
                    .split_once('=')
                    .with_context(|| format!("--env {pair:?} is not KEY=VALUE"))?;
                Ok(EnvVar {
                    key: key.into(),
                    value: value.into(),
                })
            })
            .collect::<anyhow::Result<Vec<_>>>()?;
        let request = TriggerRequest {
            pipeline_id: found.id,
            branch: Some(branch),
            commit_hash: Some(commit).filter(|c| !c.is_empty()),
            env_vars,
            workflow: workflow.map(str::to_string),
            ..TriggerRequest::default()
        };
        let run = running.engine.trigger(&user, &request).await?;
        let client = Client::with(&running.url, Some(token));
        let passed = follow::follow_chain(&client, &run.id).await?;
        if let Some(out) = &args.artifacts {
            save_artifacts(&client, &running.engine, &run.id, out, workflow.is_some()).await?;
        }
        Ok(passed)
    };
    // Ctrl-C stops the run the way a server stops: its processes and containers go, and
    // the engine records it before this process exits.
    let outcome = tokio::select! {
        outcome = work => Some(outcome),
        () = signals.received() => None,
    };
    running.stop().await?;
    match outcome {
        None => {
            eprintln!("werk: interrupted; the run was stopped");
            Ok(ExitCode::from(130))
        }
        Some(passed) => Ok(if passed? {
            ExitCode::SUCCESS
        } else {
            ExitCode::from(1)
        }),
    }
}

/// Unpacks the artifacts of a run (and, for a workflow, of the runs chained after it).
async fn save_artifacts(
    client: &Client,
    engine: &werk_engine::Engine,
    run_id: &str,
    out: &Path,
    per_pipeline: bool,
) -> anyhow::Result<()> {
    let mut pending = vec![run_id.to_string()];
    while let Some(id) = pending.pop() {
        let run: Value = client.get(&format!("/api/v3/runs/{id}")).await?;
        let pipeline = run
            .get("pipeline")
            .map(|p| text(p, "name"))
            .unwrap_or("")
            .to_string();
        let tar = engine.artifact_path(&id);
        if tar.exists() {
            let target = if per_pipeline {
                out.join(&pipeline)
            } else {
                out.to_path_buf()
            };
            std::fs::create_dir_all(&target)
                .with_context(|| format!("cannot create {}", target.display()))?;
            let file = std::fs::File::open(&tar)
                .with_context(|| format!("cannot open {}", tar.display()))?;
            tar::Archive::new(file)
                .unpack(&target)
                .with_context(|| format!("cannot unpack the artifact into {}", target.display()))?;
            println!("artifact of {pipeline} in {}", target.display());
        }
        if per_pipeline {
            let children = client.get(&format!("/api/v3/runs?sourceRun={id}")).await?;
            pending.extend(
                children
                    .as_array()
                    .into_iter()
                    .flatten()
                    .map(|c| text(c, "id").to_string()),
            );
        }
    }
    Ok(())
}

fn project_dir(dir: &Path) -> anyhow::Result<PathBuf> {
    std::fs::canonicalize(dir)
        .with_context(|| format!("cannot open the project directory {}", dir.display()))
}

fn read_yml(dir: &Path) -> anyhow::Result<(String, String)> {
    for name in werk_engine::repo::YML_NAMES {
        if let Ok(text) = std::fs::read_to_string(dir.join(name)) {
            return Ok((name.to_string(), text));
        }
    }
    bail!(
        "no ewok.yml, wercker.yml or .wercker.yml in {}",
        dir.display()
    )
}

/// An application name from the directory's name, in the characters names allow.
fn app_name(dir: &Path) -> String {
    let raw = dir
        .file_name()
        .map(|n| n.to_string_lossy().to_string())
        .unwrap_or_default();
    let name: String = raw
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || matches!(c, '-' | '_') {
                c
            } else {
                '-'
            }
        })
        .collect();
    if name.is_empty() {
        "project".into()
    } else {
        name
    }
}

/// The checked-out branch and commit, when the directory is a git work tree.
fn git_position(dir: &Path) -> (String, String) {
    let git = |args: &[&str]| {
        std::process::Command::new("git")
            .arg("-C")
            .arg(dir)
            .args(args)
            .output()
            .ok()
            .filter(|o| o.status.success())
            .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_string())
    };
    let branch = git(&["rev-parse", "--abbrev-ref", "HEAD"])
        .filter(|b| b != "HEAD")
        .unwrap_or_else(|| "master".into());
    let commit = git(&["rev-parse", "HEAD"]).unwrap_or_default();
    (branch, commit)
}
