//! The client commands: `app create`, `trigger`, `runs`, `logs`.

use std::process::ExitCode;

use anyhow::{Context, bail};
use serde_json::{Value, json};

use crate::cli::{AppAction, AppArgs, CheckArgs, LogsArgs, RunsArgs, TriggerArgs};
use crate::client::{Client, owner_and_app, text};
use crate::follow;

pub async fn app(args: AppArgs) -> anyhow::Result<ExitCode> {
    let client = Client::new(&args.server);
    match args.action {
        AppAction::Create {
            app,
            git,
            branch,
            private,
            public: _,
        } => {
            let (owner, name) = owner_and_app(&app)?;
            // A local path is sent absolute, since the server resolves it from its own dir.
            let git_url = match std::fs::canonicalize(&git) {
                Ok(path) if !git.contains("://") && !git.contains('@') => {
                    path.display().to_string()
                }
                _ => git,
            };
            let body = json!({
                "owner": owner,
                "name": name,
                "gitUrl": git_url,
                "branch": branch,
                "privacy": if private { "private" } else { "public" },
            });
            let created = client.post("/api/v3/applications", &body).await?;
            println!(
                "created application {owner}/{name} ({})",
                text(&created, "id")
            );
            let pipelines = client
                .get(&format!("/api/v3/applications/{owner}/{name}/pipelines"))
                .await?;
            for p in pipelines.as_array().into_iter().flatten() {
                println!("  pipeline {:<24} {}", text(p, "name"), text(p, "id"));
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}

pub async fn trigger(args: TriggerArgs) -> anyhow::Result<ExitCode> {
    let client = Client::new(&args.server);
    let (owner, name) = owner_and_app(&args.app)?;
    let pipelines = client
        .get(&format!(
            "/api/v3/applications/{owner}/{name}/pipelines?limit=100"
        ))
        .await?;
    let Some(pipeline) = pipelines
        .as_array()
        .into_iter()
        .flatten()
        .find(|p| text(p, "name") == args.pipeline)
    else {
        let names: Vec<&str> = pipelines
            .as_array()
            .into_iter()
            .flatten()
            .map(|p| text(p, "name"))
            .collect();
        bail!(
            "{owner}/{name} has no pipeline {:?} (it has: {})",
            args.pipeline,
            names.join(", ")
        );
    };
    let mut env_vars = Vec::new();
    for pair in &args.env {
        let (key, value) = pair
            .split_once('=')
            .with_context(|| format!("--env {pair:?} is not KEY=VALUE"))?;
        env_vars.push(json!({ "key": key, "value": value }));
    }
    let mut body = json!({ "pipelineId": text(pipeline, "id"), "envVars": env_vars });
    if let Some(branch) = &args.branch {
        body["branch"] = json!(branch);
    }
    if let Some(message) = &args.message {
        body["message"] = json!(message);
    }
    let run = client.post("/api/v3/runs", &body).await?;
    let run_id = text(&run, "id").to_string();
    println!("triggered {} run {run_id}", args.pipeline);
    if !args.wait {
        return Ok(ExitCode::SUCCESS);
    }
    let all_passed = follow::follow_chain(&client, &run_id).await?;
    Ok(if all_passed {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}

pub async fn runs(args: RunsArgs) -> anyhow::Result<ExitCode> {
    let client = Client::new(&args.server);
    let (owner, name) = owner_and_app(&args.app)?;
    let app = client
        .get(&format!("/api/v3/applications/{owner}/{name}"))
        .await?;
    let runs = client
        .get(&format!(
            "/api/v3/runs?applicationId={}&limit={}",
            text(&app, "id"),
            args.limit.clamp(1, 100)
        ))
        .await?;
    println!(
        "{:<24}  {:<18}  {:<12}  {:<10}  {:<8}  {:<24}  MESSAGE",
        "ID", "PIPELINE", "BRANCH", "STATUS", "RESULT", "CREATED"
    );
    for run in runs.as_array().into_iter().flatten() {
        let pipeline = run.get("pipeline").map(|p| text(p, "name")).unwrap_or("");
        let message = text(run, "message").lines().next().unwrap_or("");
        println!(
            "{:<24}  {:<18}  {:<12}  {:<10}  {:<8}  {:<24}  {}",
            text(run, "id"),
            pipeline,
            text(run, "branch"),
            text(run, "status"),
            text(run, "result"),
            text(run, "createdAt"),
            message
        );
    }
    Ok(ExitCode::SUCCESS)
}

pub async fn logs(args: LogsArgs) -> anyhow::Result<ExitCode> {
    let client = Client::new(&args.server);
    let run: Value = client.get(&format!("/api/v3/runs/{}", args.run)).await?;
    let result = follow::print_run(&client, &args.run, args.follow).await?;
    let result = if args.follow {
        result
    } else {
        text(&run, "result").to_string()
    };
    Ok(if result == "failed" || result == "aborted" {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}

/// `werk check`: exit 0 when the file is valid, 1 with the errors when not.
pub fn check(args: CheckArgs) -> anyhow::Result<ExitCode> {
    let path = match args.file {
        Some(path) => path,
        None => werk_engine::repo::YML_NAMES
            .iter()
            .map(std::path::PathBuf::from)
            .find(|p| p.exists())
            .context("no ewok.yml, wercker.yml or .wercker.yml in the current directory")?,
    };
    let text = std::fs::read_to_string(&path)
        .with_context(|| format!("cannot read {}", path.display()))?;
    let name = path.display().to_string();
    match werk_yml::parse(&name, &text) {
        Ok(config) => {
            let pipelines: Vec<&str> = config.pipelines.iter().map(|p| p.name.as_str()).collect();
            let workflows: Vec<&str> = config.workflows.iter().map(|w| w.name.as_str()).collect();
            println!("{name}: ok");
            println!("  pipelines: {}", pipelines.join(", "));
            if !workflows.is_empty() {
                println!("  workflows: {}", workflows.join(", "));
            }
            Ok(ExitCode::SUCCESS)
        }
        Err(err) => {
            eprintln!("{}", err.render());
            Ok(ExitCode::from(1))
        }
    }
}
