//! `werk workflows`: an application's workflow runs, and one of them as a tree of the
//! pipelines it chained.

use std::process::ExitCode;

use clap::{Args, Subcommand};
use serde_json::Value;

use crate::cli::ServerArgs;
use crate::client::{Client, encode, text};
use crate::output::{OutputArgs, Table, at, items, print_details, print_json, when};

#[derive(Debug, Args)]
pub struct WorkflowsArgs {
    #[command(subcommand)]
    pub action: WorkflowsAction,
    #[command(flatten)]
    pub server: ServerArgs,
    #[command(flatten)]
    pub output: OutputArgs,
}

#[derive(Debug, Subcommand)]
pub enum WorkflowsAction {
    /// List the workflows of an application, newest first.
    List {
        /// OWNER/APP.
        app: String,
        /// How many to show (at most 100).
        #[arg(long, default_value_t = 10)]
        limit: u32,
    },
    /// Show a workflow and its pipelines as a tree.
    Show {
        /// Workflow id.
        id: String,
    },
}

pub async fn run(args: WorkflowsArgs) -> anyhow::Result<ExitCode> {
    let client = Client::new(&args.server)?;
    let json = args.output.json;
    match args.action {
        WorkflowsAction::List { app, limit } => {
            let application = super::application(&client, &app).await?;
            let workflows = client
                .get(&format!(
                    "/api/v3/workflows?applicationId={}&limit={}",
                    encode(text(&application, "id")),
                    limit.clamp(1, 100)
                ))
                .await?;
            if json {
                print_json(&workflows)?;
            } else {
                let mut table =
                    Table::new(&["ID", "TRIGGER", "BRANCH", "PIPELINES", "CREATED", "MESSAGE"]);
                for wf in items(&workflows) {
                    table.row(&[
                        text(wf, "id").to_string(),
                        text(wf, "trigger").to_string(),
                        at(wf, &["data", "branch"]).to_string(),
                        summary(wf),
                        when(text(wf, "createdAt")),
                        at(wf, &["data", "message"]).to_string(),
                    ]);
                }
                table.print();
            }
        }
        WorkflowsAction::Show { id } => {
            let workflow = client
                .get(&format!("/api/v3/workflows/{}", encode(&id)))
                .await?;
            if json {
                print_json(&workflow)?;
            } else {
                print_details(&[
                    ("id", text(&workflow, "id").to_string()),
                    (
                        "application",
                        format!(
                            "{}/{}",
                            at(&workflow, &["application", "owner", "meta", "username"]),
                            at(&workflow, &["application", "name"])
                        ),
                    ),
                    ("trigger", text(&workflow, "trigger").to_string()),
                    ("branch", at(&workflow, &["data", "branch"]).to_string()),
                    ("commit", at(&workflow, &["data", "commitHash"]).to_string()),
                    (
                        "source run",
                        at(&workflow, &["data", "sourceRunId"]).to_string(),
                    ),
                    ("message", at(&workflow, &["data", "message"]).to_string()),
                    ("created", when(text(&workflow, "createdAt"))),
                ]);
                println!();
                print!("{}", tree(&workflow).render());
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// `build:passed deploy:running`: each item's pipeline and how far it got.
fn summary(workflow: &Value) -> String {
    let items = workflow.get("items").map(items).unwrap_or_default();
    items
        .iter()
        .map(|item| {
            let state = match text(item, "result") {
                "" | "unknown" => text(item, "status"),
                result => result,
            };
            format!("{}:{state}", at(item, &["data", "targetName"]))
        })
        .collect::<Vec<_>>()
        .join(" ")
}

/// The items of a workflow as a table whose first column draws the chain: each pipeline
/// under the one whose run started it.
pub fn tree(workflow: &Value) -> Table {
    let items = workflow.get("items").map(items).unwrap_or_default();
    let ids: Vec<&str> = items.iter().map(|i| text(i, "id")).collect();
    // Items whose parent is missing are shown as roots rather than lost.
    let is_root = |item: &Value| {
        let parent = text(item, "parentItem");
        parent.is_empty() || !ids.contains(&parent)
    };
    let mut table = Table::new(&["PIPELINE", "STATUS", "RESULT", "RUN"]);
    let roots: Vec<&Value> = items.iter().filter(|i| is_root(i)).collect();
    for (n, root) in roots.iter().enumerate() {
        add_branch(&mut table, items, root, "", true, n + 1 == roots.len());
    }
    table
}

/// Adds `item` and, below it, the items it chained, depth first. `prefix` is what the
/// ancestors draw; roots draw no connector of their own. Each item has one parent, so
/// walking down from the roots never loops.
fn add_branch(
    table: &mut Table,
    items: &[Value],
    item: &Value,
    prefix: &str,
    root: bool,
    last: bool,
) {
    let (connector, below) = match (root, last) {
        (true, _) => ("", ""),
        (false, false) => ("├── ", "│   "),
        (false, true) => ("└── ", "    "),
    };
    table.row(&[
        format!("{prefix}{connector}{}", at(item, &["data", "targetName"])),
        text(item, "status").to_string(),
        text(item, "result").to_string(),
        at(item, &["data", "runId"]).to_string(),
    ]);
    let id = text(item, "id");
    let children: Vec<&Value> = items
        .iter()
        .filter(|i| text(i, "parentItem") == id && !id.is_empty())
        .collect();
    let prefix = format!("{prefix}{below}");
    for (n, child) in children.iter().enumerate() {
        add_branch(table, items, child, &prefix, false, n + 1 == children.len());
    }
}
