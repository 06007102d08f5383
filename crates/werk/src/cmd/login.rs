//! `werk login` and `werk logout`: remember a server and a token for later commands.

use std::process::ExitCode;

use anyhow::{Context, bail};
use clap::Args;
use serde_json::json;

use crate::client::{Client, text};
use crate::config::{self, Login};

/// Longest token name the API takes.
const MAX_TOKEN_NAME_CHARS: usize = 30;

#[derive(Debug, Args)]
pub struct LoginArgs {
    /// URL of the werk server.
    pub url: String,
    /// A personal token to use (checked with the server before it is stored).
    #[arg(long, conflicts_with = "username")]
    pub token: Option<String>,
    /// Log in with a username and password instead: a new token named
    /// werk-cli-HOSTNAME is created and stored.
    #[arg(long, requires = "password_stdin")]
    pub username: Option<String>,
    /// Read the password from standard input (one line).
    #[arg(long, requires = "username")]
    pub password_stdin: bool,
}

pub async fn login(args: LoginArgs) -> anyhow::Result<ExitCode> {
    let url = args.url.trim_end_matches('/').to_string();
    let token = match (args.token, args.username) {
        (Some(token), _) => token,
        (None, Some(username)) => {
            let password = read_password()?;
            let created = Client::with(&url, None)
                .post_basic(
                    "/api/v3/tokens",
                    &username,
                    &password,
                    &json!({ "name": token_name() }),
                )
                .await?;
            let token = text(&created, "token");
            if token.is_empty() {
                bail!("the server created a token but did not send it");
            }
            token.to_string()
        }
        (None, None) => bail!("give --token TOKEN, or --username NAME --password-stdin"),
    };
    // Checked before anything is stored, so a mistyped token never replaces a good login.
    let profile = super::profile(&Client::with(&url, Some(token.clone())))
        .await
        .with_context(|| format!("cannot log in to {url}"))?;
    let path = config::save(&Login {
        url: url.clone(),
        token,
    })?;
    println!(
        "logged in to {url} as {} (saved in {})",
        text(&profile, "username"),
        path.display()
    );
    Ok(ExitCode::SUCCESS)
}

pub fn logout() -> anyhow::Result<ExitCode> {
    let stored = config::load().ok().flatten();
    if config::remove()? {
        match stored {
            Some(login) => println!("logged out of {}", login.url),
            None => println!("logged out"),
        }
    } else {
        println!("not logged in");
    }
    Ok(ExitCode::SUCCESS)
}

fn read_password() -> anyhow::Result<String> {
    let mut line = String::new();
    std::io::stdin()
        .read_line(&mut line)
        .context("cannot read the password from standard input")?;
    let password = line.trim_end_matches(['\n', '\r']);
    if password.is_empty() {
        bail!("no password on standard input");
    }
    Ok(password.to_string())
}

/// `werk-cli-HOSTNAME`, cut to the longest name the API takes, so each machine's token can
/// be told apart in `werk tokens list`.
fn token_name() -> String {
    let host = ["/proc/sys/kernel/hostname", "/etc/hostname"]
        .iter()
        .find_map(|p| std::fs::read_to_string(p).ok())
        .or_else(|| std::env::var("HOSTNAME").ok())
        .map(|h| h.trim().to_string())
        .filter(|h| !h.is_empty())
        .unwrap_or_else(|| "unknown".into());
    format!("werk-cli-{host}")
        .chars()
        .take(MAX_TOKEN_NAME_CHARS)
        .collect()
}
