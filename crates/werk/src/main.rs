//! The `werk` binary: parses the command line, sets up logging, and calls the crates.
//!
//! `werk serve` runs the server; `werk admin …` works on a data dir directly; `werk check`,
//! `werk build` and `werk workflow` need no server; every other command is a client of a
//! running server's API.

mod admin;
mod cli;
mod client;
mod cmd;
mod commands;
mod config;
mod follow;
mod local;
mod output;
mod serve;

use std::process::ExitCode;

use clap::Parser;

use crate::cli::{AdminCommand, Cli, Command};

fn main() -> ExitCode {
    let cli = Cli::parse();
    init_logging(matches!(cli.command, Command::Serve(_)));
    let runtime = match tokio::runtime::Runtime::new() {
        Ok(rt) => rt,
        Err(err) => {
            eprintln!("werk: cannot start the async runtime: {err}");
            return ExitCode::from(2);
        }
    };
    match runtime.block_on(run(cli)) {
        Ok(code) => code,
        Err(err) => {
            eprintln!("werk: {err:#}");
            ExitCode::from(2)
        }
    }
}

async fn run(cli: Cli) -> anyhow::Result<ExitCode> {
    match cli.command {
        Command::Serve(args) => serve::serve(args).await.map(|()| ExitCode::SUCCESS),
        Command::Admin { command } => match command {
            AdminCommand::User(args) => admin::user(args).await,
            AdminCommand::Token(args) => admin::token(args).await,
        }
        .map(|()| ExitCode::SUCCESS),
        Command::Login(args) => cmd::login::login(args).await,
        Command::Logout => cmd::login::logout(),
        Command::Apps(args) => cmd::apps::run(args).await,
        Command::Pipelines(args) => cmd::pipelines::run(args).await,
        Command::Workflows(args) => cmd::workflows::run(args).await,
        Command::Runs(args) => cmd::runs::run(*args).await,
        Command::Steps(args) => cmd::runs::steps(args).await,
        Command::StepInfo(args) => cmd::registry::run(args).await,
        Command::Trigger(args) => commands::trigger(args).await,
        Command::Logs(args) => commands::logs(args).await,
        Command::Envvars(args) => cmd::envvars::run(args).await,
        Command::Tokens(args) => cmd::tokens::run(args).await,
        Command::Schedules(args) => cmd::schedules::run(args).await,
        Command::Orgs(args) => cmd::access::orgs(args).await,
        Command::Collaborators(args) => cmd::access::collaborators(args).await,
        Command::Check(args) => commands::check(args),
        Command::Build(args) => local::build(args).await,
        Command::Workflow(args) => local::workflow(args).await,
    }
}

/// Logs go to stderr, `info` by default (`RUST_LOG` overrides), coloured only on a terminal.
/// Client commands log only warnings, so their output stays readable.
fn init_logging(server: bool) {
    use std::io::IsTerminal;
    // PostgreSQL tells every start that the migrations table exists; that is not news.
    let default = if server {
        "info,sqlx::postgres::notice=warn"
    } else {
        "warn"
    };
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new(default));
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_ansi(std::io::stderr().is_terminal())
        .init();
}
