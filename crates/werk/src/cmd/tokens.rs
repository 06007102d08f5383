//! `werk tokens`: the caller's personal tokens.

use std::process::ExitCode;

use clap::{Args, Subcommand};
use serde_json::json;

use crate::cli::ServerArgs;
use crate::client::{Client, encode, text};
use crate::output::{OutputArgs, Table, items, print_json, when};

#[derive(Debug, Args)]
pub struct TokensArgs {
    #[command(subcommand)]
    pub action: TokensAction,
    #[command(flatten)]
    pub server: ServerArgs,
    #[command(flatten)]
    pub output: OutputArgs,
}

#[derive(Debug, Subcommand)]
pub enum TokensAction {
    /// List your tokens (their last characters, never the tokens).
    List,
    /// Create a token and print it: it is shown only this once.
    Create {
        /// A label, up to 30 characters.
        name: String,
    },
    /// Rename a token.
    Rename {
        /// Token id.
        id: String,
        /// The new label.
        name: String,
    },
    /// Delete a token: it stops working at once.
    Rm {
        /// Token id.
        id: String,
    },
}

pub async fn run(args: TokensArgs) -> anyhow::Result<ExitCode> {
    let client = Client::new(&args.server)?;
    let json = args.output.json;
    match args.action {
        TokensAction::List => {
            let tokens = client.get("/api/v3/tokens").await?;
            if json {
                return print_json(&tokens).map(|()| ExitCode::SUCCESS);
            }
            let mut table = Table::new(&["ID", "NAME", "ENDS WITH", "CREATED", "LAST USED"]);
            for token in items(&tokens) {
                table.row(&[
                    text(token, "id").to_string(),
                    text(token, "name").to_string(),
                    text(token, "lastCharacters").to_string(),
                    when(text(token, "createdAt")),
                    when(text(token, "lastUsedAt")),
                ]);
            }
            table.print();
        }
        TokensAction::Create { name } => {
            let created = client
                .post("/api/v3/tokens", &json!({ "name": name }))
                .await?;
            if json {
                print_json(&created)?;
            } else {
                // The token alone on stdout, so `TOKEN=$(werk tokens create ci)` works.
                eprintln!(
                    "created token {name:?} ({}); it is shown only this once",
                    text(&created, "id")
                );
                println!("{}", text(&created, "token"));
            }
        }
        TokensAction::Rename { id, name } => {
            let renamed = client
                .patch(
                    &format!("/api/v3/tokens/{}", encode(&id)),
                    &json!({ "name": name }),
                )
                .await?;
            if json {
                print_json(&renamed)?;
            } else {
                println!("renamed token {id} to {:?}", text(&renamed, "name"));
            }
        }
        TokensAction::Rm { id } => {
            let answer = client
                .delete(&format!("/api/v3/tokens/{}", encode(&id)))
                .await?;
            if json {
                print_json(&answer)?;
            } else {
                println!("deleted token {id}");
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}
