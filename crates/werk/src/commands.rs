//! `werk trigger`, `werk logs` and `werk check`.

use std::process::ExitCode;

use anyhow::Context;
use serde_json::{Value, json};

use crate::cli::{CheckArgs, LogsArgs, TriggerArgs};
use crate::client::{Client, text};
use crate::{cmd, follow};

pub async fn trigger(args: TriggerArgs) -> anyhow::Result<ExitCode> {
    let client = Client::new(&args.server)?;
    let pipeline = cmd::pipeline_named(&client, &args.app, &args.pipeline).await?;
    let mut env_vars = Vec::new();
    for pair in &args.env {
        let (key, value) = pair
            .split_once('=')
            .with_context(|| format!("--env {pair:?} is not KEY=VALUE"))?;
        env_vars.push(json!({ "key": key, "value": value }));
    }
    let mut body = json!({ "pipelineId": text(&pipeline, "id"), "envVars": env_vars });
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

pub async fn logs(args: LogsArgs) -> anyhow::Result<ExitCode> {
    let client = Client::new(&args.server)?;
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
