//! `werk envvars`: the environment variables of an application, a pipeline or an
//! organization, set by key. Protected values are write-only: the API never returns them,
//! and nothing here prints what was sent.

use std::process::ExitCode;

use anyhow::{Context, bail};
use clap::{Args, Subcommand};
use serde_json::{Value, json};

use crate::cli::ServerArgs;
use crate::client::{Client, encode, text};
use crate::output::{OutputArgs, Table, items, print_json};

#[derive(Debug, Args)]
pub struct EnvvarsArgs {
    #[command(subcommand)]
    pub action: EnvvarsAction,
    #[command(flatten)]
    pub server: ServerArgs,
    #[command(flatten)]
    pub output: OutputArgs,
}

#[derive(Debug, Subcommand)]
pub enum EnvvarsAction {
    /// List the variables.
    List {
        #[command(flatten)]
        target: Target,
    },
    /// Create a variable, or change the value of the one with this key.
    Set {
        #[command(flatten)]
        target: Target,
        /// Name, e.g. DEPLOY_KEY.
        key: String,
        /// Value.
        #[arg(required_unless_present = "value_stdin")]
        value: Option<String>,
        /// Read the value from standard input instead (all of it, less one final newline),
        /// so it shows neither in the process list nor in the shell's history.
        #[arg(long, conflicts_with = "value")]
        value_stdin: bool,
        /// Never show the value again: it is only handed to runs, and masked in their logs.
        #[arg(long)]
        protected: bool,
    },
    /// Remove the variable with this key.
    Rm {
        #[command(flatten)]
        target: Target,
        /// Name.
        key: String,
    },
}

/// Whose variables: exactly one of these.
#[derive(Debug, Clone, Args)]
#[group(required = true, multiple = false)]
pub struct Target {
    /// An application's: OWNER/APP.
    #[arg(long, value_name = "OWNER/APP")]
    pub app: Option<String>,
    /// A pipeline's: OWNER/APP/PIPELINE (the pipeline's name).
    #[arg(long, value_name = "OWNER/APP/PIPELINE")]
    pub pipeline: Option<String>,
    /// An owner account's, shared by all its applications: your username or the name of
    /// one of your organizations.
    #[arg(long, value_name = "NAME")]
    pub org: Option<String>,
}

/// A target resolved to what the API calls it.
struct Resolved {
    scope: &'static str,
    id: String,
    label: String,
}

pub async fn run(args: EnvvarsArgs) -> anyhow::Result<ExitCode> {
    let client = Client::new(&args.server)?;
    let json = args.output.json;
    match args.action {
        EnvvarsAction::List { target } => {
            let target = resolve(&client, &target).await?;
            let list = list(&client, &target).await?;
            if json {
                return print_json(&list).map(|()| ExitCode::SUCCESS);
            }
            let mut table = Table::new(&["KEY", "PROTECTED", "ID", "VALUE"]);
            for var in results(&list) {
                let protected = var.get("protected").and_then(Value::as_bool) == Some(true);
                table.row(&[
                    text(var, "key"),
                    if protected { "yes" } else { "no" },
                    text(var, "id"),
                    // The API sends no value for a protected variable; never guess one.
                    if protected { "" } else { text(var, "value") },
                ]);
            }
            table.print();
        }
        EnvvarsAction::Set {
            target,
            key,
            value,
            value_stdin,
            protected,
        } => {
            let value = match value {
                Some(value) if !value_stdin => value,
                _ => read_value()?,
            };
            let target = resolve(&client, &target).await?;
            let existing = find(&client, &target, &key).await?;
            let (verb, answer) = match existing {
                Some(var) => {
                    let mut body = json!({ "value": value });
                    if protected {
                        body["protected"] = json!(true);
                    }
                    let path = format!("/api/v3/envvars/{}", encode(text(&var, "id")));
                    ("updated", client.patch(&path, &body).await?)
                }
                None => {
                    let body = json!({
                        "scope": target.scope,
                        "target": target.id,
                        "key": key,
                        "value": value,
                        "protected": protected,
                    });
                    ("created", client.post("/api/v3/envvars", &body).await?)
                }
            };
            if json {
                print_json(&answer)?;
            } else {
                let protected = answer.get("protected").and_then(Value::as_bool) == Some(true);
                println!(
                    "{verb} {key} of {}{}",
                    target.label,
                    if protected { " (protected)" } else { "" }
                );
            }
        }
        EnvvarsAction::Rm { target, key } => {
            let target = resolve(&client, &target).await?;
            let Some(var) = find(&client, &target, &key).await? else {
                bail!("{} has no variable {key:?}", target.label);
            };
            let answer = client
                .delete(&format!("/api/v3/envvars/{}", encode(text(&var, "id"))))
                .await?;
            if json {
                print_json(&answer)?;
            } else {
                println!("removed {key} from {}", target.label);
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}

async fn resolve(client: &Client, target: &Target) -> anyhow::Result<Resolved> {
    if let Some(app) = &target.app {
        let found = super::application(client, app).await?;
        return Ok(Resolved {
            scope: "application",
            id: text(&found, "id").to_string(),
            label: format!("application {app}"),
        });
    }
    if let Some(spec) = &target.pipeline {
        let Some((app, name)) = spec
            .rsplit_once('/')
            .filter(|(a, n)| a.contains('/') && !n.is_empty())
        else {
            bail!("{spec:?} is not OWNER/APP/PIPELINE");
        };
        let found = super::pipeline_named(client, app, name).await?;
        return Ok(Resolved {
            scope: "pipeline",
            id: text(&found, "id").to_string(),
            label: format!("pipeline {spec}"),
        });
    }
    let Some(name) = &target.org else {
        bail!("give --app, --pipeline or --org");
    };
    // An owner account is either the caller's own or one of their organizations.
    let me = super::profile(client).await?;
    if text(&me, "username").eq_ignore_ascii_case(name) {
        return Ok(Resolved {
            scope: "organization",
            id: text(&me, "id").to_string(),
            label: format!("organization {name}"),
        });
    }
    let orgs = client
        .get("/api/v2/users/me/organizations")
        .await
        .with_context(|| format!("cannot look up the organization {name:?}"))?;
    let Some(org) = items(&orgs)
        .iter()
        .find(|o| text(o, "username").eq_ignore_ascii_case(name))
    else {
        bail!("you are not a member of an organization named {name:?}");
    };
    Ok(Resolved {
        scope: "organization",
        id: text(org, "id").to_string(),
        label: format!("organization {name}"),
    })
}

async fn list(client: &Client, target: &Resolved) -> anyhow::Result<Value> {
    client
        .get(&format!(
            "/api/v3/envvars?scope={}&target={}",
            target.scope,
            encode(&target.id)
        ))
        .await
}

/// The variables of a list answer (`{"results": [...]}`).
fn results(list: &Value) -> &[Value] {
    list.get("results").map(items).unwrap_or_default()
}

async fn find(client: &Client, target: &Resolved, key: &str) -> anyhow::Result<Option<Value>> {
    let list = list(client, target).await?;
    Ok(results(&list)
        .iter()
        .find(|v| text(v, "key") == key)
        .cloned())
}

fn read_value() -> anyhow::Result<String> {
    let mut value = String::new();
    std::io::Read::read_to_string(&mut std::io::stdin(), &mut value)
        .context("cannot read the value from standard input")?;
    if value.ends_with('\n') {
        value.pop();
        if value.ends_with('\r') {
            value.pop();
        }
    }
    Ok(value)
}
