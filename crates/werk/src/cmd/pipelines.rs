//! `werk pipelines`: list and show an application's pipelines, and create new ones that run
//! a wercker.yml pipeline under a name of their own.

use std::process::ExitCode;

use clap::{Args, Subcommand, ValueEnum};
use serde_json::{Value, json};

use crate::cli::ServerArgs;
use crate::client::{Client, encode, text};
use crate::output::{OutputArgs, Table, items, print_details, print_json, shown, when};

#[derive(Debug, Args)]
pub struct PipelinesArgs {
    #[command(subcommand)]
    pub action: PipelinesAction,
    #[command(flatten)]
    pub server: ServerArgs,
    #[command(flatten)]
    pub output: OutputArgs,
}

#[derive(Debug, Subcommand)]
pub enum PipelinesAction {
    /// List the pipelines of an application.
    List {
        /// OWNER/APP.
        app: String,
    },
    /// Show a pipeline.
    Show {
        /// Pipeline id.
        id: String,
    },
    /// Create a pipeline of an application.
    Create {
        /// OWNER/APP.
        app: String,
        /// Name of the new pipeline.
        name: String,
        /// The wercker.yml pipeline it runs [default: NAME].
        #[arg(long)]
        yml_pipeline: Option<String>,
        /// `git` pipelines are started by pushes; `pipeline` ones only by other runs.
        #[arg(long = "type", value_enum, default_value_t = Kind::Git)]
        kind: Kind,
        /// Who may see and run it.
        #[arg(long, value_enum, default_value_t = Permissions::Read)]
        permissions: Permissions,
        /// Its runs wait for `werk runs approve` before they start.
        #[arg(long)]
        manual_approval: bool,
    },
    /// Make a pipeline's runs wait for an approval (on), or start at once (off).
    Approval {
        /// Pipeline id.
        id: String,
        #[arg(value_enum)]
        state: Switch,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Switch {
    On,
    Off,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum Kind {
    Git,
    Pipeline,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum Permissions {
    Public,
    Read,
    Write,
    Admin,
}

pub async fn run(args: PipelinesArgs) -> anyhow::Result<ExitCode> {
    let client = Client::new(&args.server)?;
    let json = args.output.json;
    match args.action {
        PipelinesAction::List { app } => {
            let pipelines = super::pipelines_of(&client, &app).await?;
            if json {
                return print_json(&pipelines).map(|()| ExitCode::SUCCESS);
            }
            let mut table = Table::new(&["NAME", "YML PIPELINE", "TYPE", "PERMISSIONS", "ID"]);
            for p in items(&pipelines) {
                table.row(&[
                    text(p, "name"),
                    text(p, "pipelineName"),
                    text(p, "type"),
                    text(p, "permissions"),
                    text(p, "id"),
                ]);
            }
            table.print();
        }
        PipelinesAction::Show { id } => {
            let pipeline = client
                .get(&format!("/api/v3/pipelines/{}", encode(&id)))
                .await?;
            if json {
                print_json(&pipeline)?;
            } else {
                details(&pipeline);
            }
        }
        PipelinesAction::Create {
            app,
            name,
            yml_pipeline,
            kind,
            permissions,
            manual_approval,
        } => {
            let application = super::application(&client, &app).await?;
            let body = json!({
                "application": text(&application, "id"),
                "name": name,
                "pipelineName": yml_pipeline.as_deref().unwrap_or(&name),
                "type": super::value_name(kind),
                "permissions": super::value_name(permissions),
                "manualApproval": manual_approval,
            });
            let created = client.post("/api/v3/pipelines", &body).await?;
            if json {
                print_json(&created)?;
            } else {
                println!(
                    "created pipeline {} of {app} ({})",
                    text(&created, "name"),
                    text(&created, "id")
                );
            }
        }
        PipelinesAction::Approval { id, state } => {
            let body = json!({ "manualApproval": state == Switch::On });
            let updated = client
                .patch(&format!("/api/v3/pipelines/{}", encode(&id)), &body)
                .await?;
            if json {
                print_json(&updated)?;
            } else if state == Switch::On {
                println!("runs of {} wait for an approval", text(&updated, "name"));
            } else {
                println!("runs of {} start at once", text(&updated, "name"));
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}

fn details(pipeline: &Value) {
    print_details(&[
        ("name", shown(pipeline, "name")),
        ("id", shown(pipeline, "id")),
        ("url", shown(pipeline, "url")),
        ("yml pipeline", shown(pipeline, "pipelineName")),
        ("type", shown(pipeline, "type")),
        ("permissions", shown(pipeline, "permissions")),
        ("report status", shown(pipeline, "setScmProviderStatus")),
        ("manual approval", shown(pipeline, "manualApproval")),
        ("created", when(text(pipeline, "createdAt"))),
    ]);
}
