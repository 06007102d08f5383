//! `werk runs` (list with filters, show, abort) and `werk steps`.

use std::process::ExitCode;

use clap::{Args, Subcommand};
use serde_json::{Value, json};

use crate::cli::ServerArgs;
use crate::client::{Client, encode, text};
use crate::output::{OutputArgs, Table, at, items, print_details, print_json, shown, when};

#[derive(Debug, Args)]
#[command(args_conflicts_with_subcommands = true, subcommand_negates_reqs = true)]
pub struct RunsArgs {
    /// OWNER/APP: list its runs, as `werk runs list OWNER/APP` does.
    #[arg(required = true)]
    pub app: Option<String>,
    #[command(flatten)]
    pub filters: RunFilters,
    #[command(subcommand)]
    pub action: Option<RunsAction>,
    #[command(flatten)]
    pub server: ServerArgs,
    #[command(flatten)]
    pub output: OutputArgs,
}

#[derive(Debug, Subcommand)]
pub enum RunsAction {
    /// List the runs of an application, newest first.
    List {
        /// OWNER/APP.
        app: String,
        #[command(flatten)]
        filters: RunFilters,
    },
    /// Show a run.
    Show {
        /// Run id.
        id: String,
    },
    /// Abort a run that has not finished.
    Abort {
        /// Run id.
        id: String,
    },
    /// Approve a run waiting for an approval (status pendingapproval), so it starts.
    Approve {
        /// Run id.
        id: String,
    },
    /// Download the box a passed run saved (servers started with --docker), as Wercker's
    /// `wercker pull` did: loaded into the local Docker engine, or written to a file.
    Container {
        /// Run id.
        id: String,
        /// Write the `docker save` tarball here instead of loading it.
        #[arg(long, short)]
        output: Option<std::path::PathBuf>,
    },
}

/// Which runs `werk runs list` shows.
#[derive(Debug, Clone, Args)]
pub struct RunFilters {
    /// Only the runs of this pipeline (its name).
    #[arg(long)]
    pub pipeline: Option<String>,
    /// Only runs with this status: notstarted, pendingapproval, running or finished.
    #[arg(long)]
    pub status: Option<String>,
    /// Only runs with this result: passed, failed, aborted or unknown.
    #[arg(long)]
    pub result: Option<String>,
    /// Only runs of this branch.
    #[arg(long)]
    pub branch: Option<String>,
    /// Only runs started by this user.
    #[arg(long)]
    pub author: Option<String>,
    /// Only runs for this git tag.
    #[arg(long)]
    pub tag: Option<String>,
    /// How many runs to show (at most 100).
    #[arg(long, default_value_t = 20)]
    pub limit: u32,
}

#[derive(Debug, Args)]
pub struct StepsArgs {
    /// Run id.
    pub run: String,
    #[command(flatten)]
    pub server: ServerArgs,
    #[command(flatten)]
    pub output: OutputArgs,
}

pub async fn run(args: RunsArgs) -> anyhow::Result<ExitCode> {
    let client = Client::new(&args.server)?;
    let json = args.output.json;
    match args.action {
        Some(RunsAction::List { app, filters }) => list(&client, &app, &filters, json).await?,
        None => {
            // clap requires OWNER/APP when no subcommand is given.
            let app = args.app.unwrap_or_default();
            list(&client, &app, &args.filters, json).await?;
        }
        Some(RunsAction::Show { id }) => {
            let run = client.get(&format!("/api/v3/runs/{}", encode(&id))).await?;
            if json {
                print_json(&run)?;
            } else {
                details(&run);
            }
        }
        Some(RunsAction::Abort { id }) => {
            let run = client
                .put(&format!("/api/v3/runs/{}/abort", encode(&id)), &json!({}))
                .await?;
            outcome(&id, &run, json)?;
        }
        Some(RunsAction::Approve { id }) => {
            let body = json!({ "runId": id });
            let run = client.post("/api/v3/trigger/runs/approve", &body).await?;
            outcome(&id, &run, json)?;
        }
        Some(RunsAction::Container { id, output }) => {
            container(&client, &id, output.as_deref()).await?;
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// Streams a run's saved box to `output`, or into `docker load`.
async fn container(
    client: &Client,
    id: &str,
    output: Option<&std::path::Path>,
) -> anyhow::Result<()> {
    use anyhow::Context;

    let path = format!("/api/v2/builds/{}/docker", encode(id));
    let body = client.stream(&path).await?.bytes_stream();
    match output {
        Some(file) => {
            // Written beside, then renamed: a broken download leaves no half tarball.
            let partial = file.with_extension("partial");
            let written = async {
                let sink = tokio::fs::File::create(&partial)
                    .await
                    .with_context(|| format!("cannot create {}", partial.display()))?;
                copy_body(body, sink).await?;
                tokio::fs::rename(&partial, file)
                    .await
                    .with_context(|| format!("cannot write {}", file.display()))
            };
            if let Err(e) = written.await {
                let _ = tokio::fs::remove_file(&partial).await;
                return Err(e);
            }
            println!("saved the box of run {id} to {}", file.display());
        }
        None => {
            // docker load prints what it loaded, or why it cannot, itself.
            let mut load = tokio::process::Command::new("docker")
                .arg("load")
                .stdin(std::process::Stdio::piped())
                .kill_on_drop(true)
                .spawn()
                .context("cannot run `docker load` (use --output FILE to keep the tarball)")?;
            let stdin = load.stdin.take().context("docker load has no stdin")?;
            let copied = copy_body(body, stdin).await;
            let status = load.wait().await.context("docker load")?;
            anyhow::ensure!(status.success(), "docker load failed ({status})");
            copied?;
        }
    }
    Ok(())
}

/// Writes a download to `sink`, then closes it.
async fn copy_body(
    mut body: impl futures_util::Stream<Item = reqwest::Result<impl AsRef<[u8]>>> + Unpin,
    mut sink: impl tokio::io::AsyncWrite + Unpin,
) -> anyhow::Result<()> {
    use anyhow::Context;
    use futures_util::StreamExt;
    use tokio::io::AsyncWriteExt;

    while let Some(chunk) = body.next().await {
        let chunk = chunk.context("the download broke off")?;
        sink.write_all(chunk.as_ref())
            .await
            .context("cannot write the tarball")?;
    }
    sink.shutdown().await.context("cannot write the tarball")
}

/// What became of a run after an abort or an approval.
fn outcome(id: &str, run: &Value, json: bool) -> anyhow::Result<()> {
    if json {
        print_json(run)?;
    } else {
        println!(
            "run {id} is {} ({})",
            text(run, "status"),
            text(run, "result")
        );
    }
    Ok(())
}

async fn list(client: &Client, app: &str, filters: &RunFilters, json: bool) -> anyhow::Result<()> {
    let application = super::application(client, app).await?;
    let mut query = vec![
        ("applicationId", text(&application, "id").to_string()),
        ("limit", filters.limit.clamp(1, 100).to_string()),
    ];
    if let Some(name) = &filters.pipeline {
        let pipeline = super::pipeline_named(client, app, name).await?;
        query.push(("pipelineId", text(&pipeline, "id").to_string()));
    }
    for (name, value) in [
        ("status", &filters.status),
        ("result", &filters.result),
        ("branch", &filters.branch),
        ("author", &filters.author),
        ("tag", &filters.tag),
    ] {
        if let Some(value) = value {
            query.push((name, value.clone()));
        }
    }
    let query: Vec<String> = query
        .iter()
        .map(|(name, value)| format!("{name}={}", encode(value)))
        .collect();
    let runs = client
        .get(&format!("/api/v3/runs?{}", query.join("&")))
        .await?;
    if json {
        return print_json(&runs);
    }
    let mut table = Table::new(&[
        "ID", "PIPELINE", "BRANCH", "STATUS", "RESULT", "CREATED", "MESSAGE",
    ]);
    for run in items(&runs) {
        table.row(&[
            text(run, "id").to_string(),
            at(run, &["pipeline", "name"]).to_string(),
            text(run, "branch").to_string(),
            text(run, "status").to_string(),
            text(run, "result").to_string(),
            when(text(run, "createdAt")),
            text(run, "message").to_string(),
        ]);
    }
    table.print();
    Ok(())
}

fn details(run: &Value) {
    let env: Vec<String> = run
        .get("envVars")
        .map(items)
        .unwrap_or_default()
        .iter()
        .map(|v| format!("{}={}", text(v, "key"), text(v, "value")))
        .collect();
    let progress = match run.get("progress") {
        Some(Value::Number(n)) => format!("{n}%"),
        _ => String::new(),
    };
    print_details(&[
        ("id", shown(run, "id")),
        ("pipeline", at(run, &["pipeline", "name"]).to_string()),
        ("branch", shown(run, "branch")),
        ("commit", shown(run, "commitHash")),
        ("message", shown(run, "message")),
        ("status", shown(run, "status")),
        ("result", shown(run, "result")),
        ("progress", progress),
        (
            "triggered by",
            at(run, &["user", "meta", "username"]).to_string(),
        ),
        ("source run", at(run, &["sourceRun", "id"]).to_string()),
        ("env", env.join(" ")),
        ("created", when(text(run, "createdAt"))),
        ("started", when(text(run, "startedAt"))),
        ("finished", when(text(run, "finishedAt"))),
        ("url", shown(run, "url")),
    ]);
}

/// `werk steps RUN_ID`: the steps of a run, in order.
pub async fn steps(args: StepsArgs) -> anyhow::Result<ExitCode> {
    let client = Client::new(&args.server)?;
    let steps = client
        .get(&format!("/api/v3/runs/{}/steps", encode(&args.run)))
        .await?;
    if args.output.json {
        print_json(&steps)?;
        return Ok(ExitCode::SUCCESS);
    }
    let mut table = Table::new(&["#", "STEP", "STATUS", "RESULT", "STARTED", "ID", "MESSAGE"]);
    for step in items(&steps) {
        let name = [text(step, "displayName"), text(step, "step")]
            .into_iter()
            .find(|s| !s.is_empty())
            .unwrap_or("");
        table.row(&[
            shown(step, "order"),
            name.to_string(),
            text(step, "status").to_string(),
            text(step, "result").to_string(),
            when(text(step, "startedAt")),
            text(step, "id").to_string(),
            text(step, "message").to_string(),
        ]);
    }
    table.print();
    Ok(ExitCode::SUCCESS)
}
