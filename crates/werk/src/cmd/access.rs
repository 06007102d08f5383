//! Who may do what: `werk orgs` (organizations and their members) and `werk collaborators`
//! (users given access to one application).

use std::process::ExitCode;

use clap::{Args, Subcommand, ValueEnum};
use serde_json::json;

use crate::cli::ServerArgs;
use crate::client::{Client, encode, owner_and_app, text};
use crate::output::{OutputArgs, Table, items, print_details, print_json, when};

#[derive(Debug, Args)]
pub struct OrgsArgs {
    #[command(subcommand)]
    pub action: OrgsAction,
    #[command(flatten)]
    pub server: ServerArgs,
    #[command(flatten)]
    pub output: OutputArgs,
}

#[derive(Debug, Subcommand)]
pub enum OrgsAction {
    /// List the organizations you belong to.
    List,
    /// Create an organization; you become its admin.
    Create {
        /// Its name, which owns applications like a username does.
        name: String,
        /// Contact email.
        #[arg(long)]
        email: String,
    },
    /// Show an organization.
    Show {
        /// Organization name.
        name: String,
    },
    /// Delete an organization that owns no application.
    Rm {
        /// Organization name.
        name: String,
    },
    /// List the members of an organization.
    Members {
        /// Organization name.
        name: String,
    },
    /// Add a user to an organization, or change their role.
    AddMember {
        /// Organization name.
        name: String,
        /// Username.
        user: String,
        /// Admins manage the organization, its members and its applications.
        #[arg(long, value_enum, default_value_t = Role::Member)]
        role: Role,
    },
    /// Remove a user from an organization.
    RemoveMember {
        /// Organization name.
        name: String,
        /// Username.
        user: String,
    },
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum Role {
    Member,
    Admin,
}

#[derive(Debug, Args)]
pub struct CollaboratorsArgs {
    #[command(subcommand)]
    pub action: CollaboratorsAction,
    #[command(flatten)]
    pub server: ServerArgs,
    #[command(flatten)]
    pub output: OutputArgs,
}

#[derive(Debug, Subcommand)]
pub enum CollaboratorsAction {
    /// List the collaborators of an application.
    List {
        /// OWNER/APP.
        app: String,
    },
    /// Give a user access to an application, or change their level.
    Add {
        /// OWNER/APP.
        app: String,
        /// Username.
        user: String,
        /// read: see it; execute: also run it; admin: also change it and its settings.
        #[arg(long, value_enum)]
        level: Level,
    },
    /// Take a user's access to an application away.
    Rm {
        /// OWNER/APP.
        app: String,
        /// Username.
        user: String,
    },
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum Level {
    Read,
    Execute,
    Admin,
}

pub async fn orgs(args: OrgsArgs) -> anyhow::Result<ExitCode> {
    let client = Client::new(&args.server)?;
    let json = args.output.json;
    let answer = match &args.action {
        OrgsAction::List => client.get("/api/v2/users/me/organizations").await?,
        OrgsAction::Create { name, email } => {
            let body = json!({ "username": name, "contactEmail": email });
            client.put("/api/v2/organizations/", &body).await?
        }
        OrgsAction::Show { name } => client.get(&org_path(name)).await?,
        OrgsAction::Rm { name } => client.delete(&org_path(name)).await?,
        OrgsAction::Members { name } => client.get(&members_path(name)).await?,
        OrgsAction::AddMember { name, user, role } => {
            let path = format!("{}/{}", members_path(name), encode(user));
            client
                .put(&path, &json!({ "role": super::value_name(*role) }))
                .await?
        }
        OrgsAction::RemoveMember { name, user } => {
            let path = format!("{}/{}", members_path(name), encode(user));
            client.delete(&path).await?
        }
    };
    if json {
        print_json(&answer)?;
        return Ok(ExitCode::SUCCESS);
    }
    match args.action {
        OrgsAction::List => {
            let mut table = Table::new(&["NAME", "CREATED", "ID"]);
            for org in items(&answer) {
                table.row(&[
                    text(org, "username").to_string(),
                    when(text(org, "creationDate")),
                    text(org, "id").to_string(),
                ]);
            }
            table.print();
        }
        OrgsAction::Create { name, .. } => {
            println!("created organization {name} ({})", text(&answer, "id"));
        }
        OrgsAction::Show { .. } => print_details(&[
            ("name", text(&answer, "username").to_string()),
            ("id", text(&answer, "id").to_string()),
            ("url", text(&answer, "url").to_string()),
            ("email", text(&answer, "contactEmail").to_string()),
            ("created", when(text(&answer, "creationDate"))),
        ]),
        OrgsAction::Rm { name } => println!("deleted organization {name}"),
        OrgsAction::Members { .. } => {
            let mut table = Table::new(&["USER", "ROLE", "ID"]);
            for member in items(&answer) {
                table.row(&[
                    text(member, "username"),
                    text(member, "role"),
                    text(member, "userId"),
                ]);
            }
            table.print();
        }
        OrgsAction::AddMember { name, user, role } => {
            println!("{user} is {} of {name}", article(&super::value_name(role)));
        }
        OrgsAction::RemoveMember { name, user } => println!("removed {user} from {name}"),
    }
    Ok(ExitCode::SUCCESS)
}

pub async fn collaborators(args: CollaboratorsArgs) -> anyhow::Result<ExitCode> {
    let client = Client::new(&args.server)?;
    let json = args.output.json;
    let base = |app: &str| -> anyhow::Result<String> {
        let (owner, name) = owner_and_app(app)?;
        Ok(format!(
            "/api/v3/applications/{}/{}/collaborators",
            encode(owner),
            encode(name)
        ))
    };
    let answer = match &args.action {
        CollaboratorsAction::List { app } => client.get(&base(app)?).await?,
        CollaboratorsAction::Add { app, user, level } => {
            let path = format!("{}/{}", base(app)?, encode(user));
            client
                .put(&path, &json!({ "level": super::value_name(*level) }))
                .await?
        }
        CollaboratorsAction::Rm { app, user } => {
            let path = format!("{}/{}", base(app)?, encode(user));
            client.delete(&path).await?
        }
    };
    if json {
        print_json(&answer)?;
        return Ok(ExitCode::SUCCESS);
    }
    match args.action {
        CollaboratorsAction::List { .. } => {
            let mut table = Table::new(&["USER", "LEVEL", "ID"]);
            for collaborator in items(&answer) {
                table.row(&[
                    text(collaborator, "username"),
                    text(collaborator, "level"),
                    text(collaborator, "userId"),
                ]);
            }
            table.print();
        }
        CollaboratorsAction::Add { app, user, level } => {
            println!("{user} has {} access to {app}", super::value_name(level));
        }
        CollaboratorsAction::Rm { app, user } => println!("{user} no longer collaborates on {app}"),
    }
    Ok(ExitCode::SUCCESS)
}

fn org_path(org: &str) -> String {
    format!("/api/v2/organizations/{}", encode(org))
}

fn members_path(org: &str) -> String {
    format!("{}/members", org_path(org))
}

/// "a member", "an admin".
fn article(role: &str) -> String {
    match role.chars().next() {
        Some('a' | 'e' | 'i' | 'o' | 'u') => format!("an {role}"),
        _ => format!("a {role}"),
    }
}
