//! `werk apps`: list, show, create applications, and set the branches they ignore.

use std::process::ExitCode;

use anyhow::Context;
use clap::{Args, Subcommand};
use serde_json::{Value, json};

use crate::cli::ServerArgs;
use crate::client::{Client, encode, owner_and_app, text};
use crate::output::{OutputArgs, Table, at, items, print_details, print_json, when};

#[derive(Debug, Args)]
pub struct AppsArgs {
    #[command(subcommand)]
    pub action: AppsAction,
    #[command(flatten)]
    pub server: ServerArgs,
    #[command(flatten)]
    pub output: OutputArgs,
}

#[derive(Debug, Subcommand)]
pub enum AppsAction {
    /// List an owner's applications (those you may see).
    List {
        /// The owner [default: you].
        owner: Option<String>,
        /// How many to show (at most 100).
        #[arg(long, default_value_t = 100)]
        limit: u32,
    },
    /// Show an application.
    Show {
        /// OWNER/APP.
        app: String,
    },
    /// Create an application from a git repository.
    Create {
        /// OWNER/NAME.
        app: String,
        /// Clone URL or path of the repository.
        #[arg(long)]
        git: String,
        /// Branch whose wercker.yml defines the pipelines.
        #[arg(long, default_value = "master")]
        branch: String,
        /// Only the owner sees the application.
        #[arg(long, conflicts_with = "public")]
        private: bool,
        /// Everyone sees the application (the default).
        #[arg(long)]
        public: bool,
    },
    /// Set the branches whose pushes start no runs (none: clear them).
    IgnoreBranches {
        /// OWNER/APP.
        app: String,
        /// Branch names, at most 10.
        branches: Vec<String>,
    },
    /// Print the push hook URL to give the git server (GitHub, Gitea, GitLab, Bitbucket):
    /// each push then starts the application's workflows.
    Hook {
        /// OWNER/APP.
        app: String,
    },
}

pub async fn run(args: AppsArgs) -> anyhow::Result<ExitCode> {
    let client = Client::new(&args.server)?;
    let json = args.output.json;
    match args.action {
        AppsAction::List { owner, limit } => list(&client, owner, limit, json).await?,
        AppsAction::Show { app } => {
            let shown = super::application(&client, &app).await?;
            if json {
                print_json(&shown)?;
            } else {
                let pipelines = super::pipelines_of(&client, &app).await?;
                details(&shown, &pipelines);
            }
        }
        AppsAction::Create {
            app,
            git,
            branch,
            private,
            public: _,
        } => create(&client, &app, git, &branch, private, json).await?,
        AppsAction::IgnoreBranches { app, branches } => {
            let (owner, name) = owner_and_app(&app)?;
            let updated = client
                .patch(
                    &format!("/api/v3/applications/{}/{}", encode(owner), encode(name)),
                    &json!({ "ignoredBranches": branches }),
                )
                .await?;
            if json {
                print_json(&updated)?;
            } else if branches.is_empty() {
                println!("{app} ignores no branches");
            } else {
                println!("{app} ignores {}", branches.join(", "));
            }
        }
        AppsAction::Hook { app } => {
            let (owner, name) = owner_and_app(&app)?;
            let hook = client
                .get(&format!(
                    "/api/v3/applications/{}/{}/hook",
                    encode(owner),
                    encode(name)
                ))
                .await?;
            if json {
                print_json(&hook)?;
            } else {
                println!("{}", text(&hook, "url"));
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}

async fn list(
    client: &Client,
    owner: Option<String>,
    limit: u32,
    json: bool,
) -> anyhow::Result<()> {
    let owner = match owner {
        Some(owner) => owner,
        None => {
            let me = super::profile(client)
                .await
                .context("`werk apps list` without OWNER lists yours, so it needs a token")?;
            text(&me, "username").to_string()
        }
    };
    let apps = client
        .get(&format!(
            "/api/v3/applications/{}?limit={}",
            encode(&owner),
            limit.clamp(1, 100)
        ))
        .await?;
    if json {
        return print_json(&apps);
    }
    let mut table = Table::new(&["NAME", "PRIVACY", "CREATED", "ID"]);
    for app in items(&apps) {
        table.row(&[
            format!(
                "{}/{}",
                at(app, &["owner", "meta", "username"]),
                text(app, "name")
            ),
            text(app, "privacy").to_string(),
            when(text(app, "createdAt")),
            text(app, "id").to_string(),
        ]);
    }
    table.print();
    Ok(())
}

async fn create(
    client: &Client,
    app: &str,
    git: String,
    branch: &str,
    private: bool,
    json: bool,
) -> anyhow::Result<()> {
    let (owner, name) = owner_and_app(app)?;
    // A local path is sent absolute, since the server resolves it from its own dir.
    let git_url = match std::fs::canonicalize(&git) {
        Ok(path) if !git.contains("://") && !git.contains('@') => path.display().to_string(),
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
    if json {
        return print_json(&created);
    }
    println!(
        "created application {owner}/{name} ({})",
        text(&created, "id")
    );
    let pipelines = super::pipelines_of(client, app).await?;
    for p in items(&pipelines) {
        println!("  pipeline {:<24} {}", text(p, "name"), text(p, "id"));
    }
    Ok(())
}

/// An application as `label: value` lines, with its pipelines' names.
fn details(app: &Value, pipelines: &Value) {
    let ignored: Vec<&str> = app
        .pointer("/settings/ignoredBranches")
        .map(items)
        .unwrap_or_default()
        .iter()
        .filter_map(Value::as_str)
        .collect();
    let mut fields = vec![
        (
            "name",
            format!(
                "{}/{}",
                at(app, &["owner", "meta", "username"]),
                text(app, "name")
            ),
        ),
        ("id", text(app, "id").to_string()),
        ("url", text(app, "url").to_string()),
        ("privacy", at(app, &["settings", "privacy"]).to_string()),
        ("git host", at(app, &["scm", "domain"]).to_string()),
        ("ignored branches", ignored.join(", ")),
        ("created", when(text(app, "createdAt"))),
        ("updated", when(text(app, "updatedAt"))),
    ];
    let names: Vec<&str> = items(pipelines).iter().map(|p| text(p, "name")).collect();
    fields.push(("pipelines", names.join(", ")));
    print_details(&fields);
}
