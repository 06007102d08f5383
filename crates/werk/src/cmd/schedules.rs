//! `werk schedules`: pipelines run at the times of a cron pattern (UTC).

use std::process::ExitCode;

use clap::{Args, Subcommand};
use serde_json::{Value, json};

use crate::cli::ServerArgs;
use crate::client::{Client, encode, text};
use crate::output::{OutputArgs, Table, items, print_json, when};

#[derive(Debug, Args)]
pub struct SchedulesArgs {
    #[command(subcommand)]
    pub action: SchedulesAction,
    #[command(flatten)]
    pub server: ServerArgs,
    #[command(flatten)]
    pub output: OutputArgs,
}

#[derive(Debug, Subcommand)]
pub enum SchedulesAction {
    /// List the schedules of a pipeline.
    List {
        /// OWNER/APP.
        app: String,
        /// The pipeline's name.
        pipeline: String,
    },
    /// Run a pipeline at the times of a cron pattern, in UTC (five fields, or six with
    /// seconds first): `werk schedules add me/site build "0 3 * * *"`.
    Add {
        /// OWNER/APP.
        app: String,
        /// The pipeline's name.
        pipeline: String,
        /// The cron pattern.
        cron: String,
        /// The branch to run [default: the application's].
        #[arg(long)]
        branch: Option<String>,
    },
    /// Delete a schedule.
    Rm {
        /// Schedule id.
        id: String,
    },
}

pub async fn run(args: SchedulesArgs) -> anyhow::Result<ExitCode> {
    let client = Client::new(&args.server)?;
    let json = args.output.json;
    match args.action {
        SchedulesAction::List { app, pipeline } => {
            let pipeline = super::pipeline_named(&client, &app, &pipeline).await?;
            let path = format!(
                "/api/v3/pipelines/{}/schedules",
                encode(text(&pipeline, "id"))
            );
            let schedules = client.get(&path).await?;
            if json {
                return print_json(&schedules).map(|()| ExitCode::SUCCESS);
            }
            let mut table = Table::new(&["ID", "CRON", "BRANCH", "NEXT", "BY"]);
            for s in items(&schedules) {
                table.row(&[
                    text(s, "id").to_string(),
                    text(s, "cron").to_string(),
                    text(s, "branch").to_string(),
                    when(text(s, "nextAt")),
                    text(s, "createdBy").to_string(),
                ]);
            }
            table.print();
        }
        SchedulesAction::Add {
            app,
            pipeline,
            cron,
            branch,
        } => {
            let pipeline = super::pipeline_named(&client, &app, &pipeline).await?;
            let path = format!(
                "/api/v3/pipelines/{}/schedules",
                encode(text(&pipeline, "id"))
            );
            let mut body = json!({ "cron": cron });
            if let Some(branch) = branch {
                body["branch"] = Value::String(branch);
            }
            let schedule = client.post(&path, &body).await?;
            if json {
                print_json(&schedule)?;
            } else {
                println!(
                    "schedule {} runs {} on {} at \"{}\", next at {}",
                    text(&schedule, "id"),
                    text(&pipeline, "name"),
                    text(&schedule, "branch"),
                    text(&schedule, "cron"),
                    when(text(&schedule, "nextAt"))
                );
            }
        }
        SchedulesAction::Rm { id } => {
            let deleted = client
                .delete(&format!("/api/v3/schedules/{}", encode(&id)))
                .await?;
            if json {
                print_json(&deleted)?;
            } else {
                println!("schedule {id} deleted");
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}
