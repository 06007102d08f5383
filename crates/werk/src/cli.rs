//! The command line, as clap derive types. Every option has an environment fallback.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

pub use crate::cmd::access::{CollaboratorsArgs, OrgsArgs};
pub use crate::cmd::apps::AppsArgs;
pub use crate::cmd::envvars::EnvvarsArgs;
pub use crate::cmd::login::LoginArgs;
pub use crate::cmd::pipelines::PipelinesArgs;
pub use crate::cmd::runs::{RunsArgs, StepsArgs};
pub use crate::cmd::tokens::TokensArgs;
pub use crate::cmd::workflows::WorkflowsArgs;

/// werk: a self-hosted CI/CD server for wercker.yml pipelines.
#[derive(Debug, Parser)]
#[command(name = "werk", version, about)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run the server.
    Serve(ServeArgs),
    /// Manage users and tokens in a data dir (works while the server runs).
    Admin {
        #[command(subcommand)]
        command: AdminCommand,
    },
    /// Log in to a werk server and remember it and the token for later commands.
    Login(LoginArgs),
    /// Forget the stored login.
    Logout,
    /// Applications: list, show, create, ignore branches.
    #[command(alias = "app")]
    Apps(AppsArgs),
    /// Pipelines of an application: list, show, create.
    Pipelines(PipelinesArgs),
    /// Workflow runs of an application: list, show as a tree.
    Workflows(WorkflowsArgs),
    /// Runs: `werk runs OWNER/APP` lists them; also list with filters, show, abort.
    Runs(Box<RunsArgs>),
    /// The steps of a run, as a table.
    Steps(StepsArgs),
    /// What the server would run for a registry step (owner/name@version): its source,
    /// version and properties.
    StepInfo(crate::cmd::registry::StepInfoArgs),
    /// Trigger a pipeline, and with --wait follow it and its chained runs.
    Trigger(TriggerArgs),
    /// Print the logs of a run's steps.
    Logs(LogsArgs),
    /// Environment variables of an application, a pipeline or an organization.
    Envvars(EnvvarsArgs),
    /// Your personal tokens.
    Tokens(TokensArgs),
    /// Schedules: pipelines run at the times of a cron pattern.
    Schedules(crate::cmd::schedules::SchedulesArgs),
    /// Organizations and their members.
    Orgs(OrgsArgs),
    /// Collaborators of an application.
    Collaborators(CollaboratorsArgs),
    /// Check a wercker.yml and print what is wrong with it, with line and column.
    Check(CheckArgs),
    /// Run a pipeline of the wercker.yml in a directory, without a server.
    Build(BuildArgs),
    /// Run a workflow of the wercker.yml in a directory, without a server.
    Workflow(WorkflowArgs),
}

#[derive(Debug, Args)]
pub struct CheckArgs {
    /// The file [default: ewok.yml, wercker.yml or .wercker.yml in the current directory].
    pub file: Option<PathBuf>,
}

/// What `werk build` and `werk workflow` share.
#[derive(Debug, Clone, Args)]
pub struct LocalArgs {
    /// The project directory, holding wercker.yml.
    #[arg(long, default_value = ".")]
    pub dir: PathBuf,
    /// Put each run's artifact here (a workflow's under one subdirectory per pipeline).
    #[arg(long)]
    pub artifacts: Option<PathBuf>,
    /// Extra variable KEY=VALUE; repeatable, in order.
    #[arg(long = "env", value_name = "KEY=VALUE")]
    pub env: Vec<String>,
    /// Git URL template for registry steps ({owner}, {name}, {version}).
    #[arg(long, env = "WERK_STEP_GIT_TEMPLATE")]
    pub step_git_template: Option<String>,
    /// Run pipelines that name a box in that box, with their services, in Docker.
    #[arg(long, env = "WERK_DOCKER")]
    pub docker: bool,
}

#[derive(Debug, Args)]
pub struct BuildArgs {
    /// The pipeline to run.
    #[arg(long, default_value = "build")]
    pub pipeline: String,
    #[command(flatten)]
    pub local: LocalArgs,
}

#[derive(Debug, Args)]
pub struct WorkflowArgs {
    /// The workflow (a name under `workflows:`).
    pub name: String,
    #[command(flatten)]
    pub local: LocalArgs,
}

#[derive(Debug, Args)]
pub struct ServeArgs {
    /// Data dir: database, git mirrors, logs, artifacts and caches.
    #[arg(long, env = "WERK_DATA", default_value = "./werk-data")]
    pub data: PathBuf,
    /// Database URL: postgres://USER:PASSWORD@HOST:PORT/DATABASE for PostgreSQL
    /// [default: the SQLite file werk.db in the data dir].
    #[arg(long, env = "WERK_DATABASE", hide_env_values = true)]
    pub database: Option<String>,
    /// Address to listen on.
    #[arg(long, env = "WERK_LISTEN", default_value = "127.0.0.1:8080")]
    pub listen: String,
    /// URL users reach the server at, used in every `url` field [default: http://LISTEN].
    #[arg(long, env = "WERK_PUBLIC_URL")]
    pub public_url: Option<String>,
    /// Runs executing at once.
    #[arg(long, env = "WERK_PARALLEL_RUNS", default_value_t = werk_engine::DEFAULT_PARALLEL_RUNS)]
    pub parallel_runs: usize,
    /// Git URL template for registry steps missing from DATA/steps, with {owner}, {name}
    /// and {version}, e.g. https://git.example.org/{owner}/step-{name}.git.
    #[arg(long, env = "WERK_STEP_GIT_TEMPLATE")]
    pub step_git_template: Option<String>,
    /// Run pipelines that name a box in that box, with their services, in the Docker engine
    /// at DOCKER_HOST or the local socket; a passed run's box is kept as an image.
    #[arg(long, env = "WERK_DOCKER")]
    pub docker: bool,
}

#[derive(Debug, Subcommand)]
pub enum AdminCommand {
    /// Manage users.
    User(AdminUserArgs),
    /// Manage personal tokens.
    Token(AdminTokenArgs),
}

#[derive(Debug, Args)]
pub struct AdminUserArgs {
    #[command(subcommand)]
    pub action: AdminUserAction,
    #[command(flatten)]
    pub store: AdminStoreArgs,
}

/// Where `werk admin` finds the server's database.
#[derive(Debug, Args)]
pub struct AdminStoreArgs {
    /// Data dir of the server.
    #[arg(long, env = "WERK_DATA", default_value = "./werk-data", global = true)]
    pub data: PathBuf,
    /// The server's database URL, when it runs on PostgreSQL [default: werk.db in the data
    /// dir].
    #[arg(long, env = "WERK_DATABASE", hide_env_values = true, global = true)]
    pub database: Option<String>,
}

#[derive(Debug, Subcommand)]
pub enum AdminUserAction {
    /// Create a user.
    Create {
        /// Login name.
        name: String,
        /// Read a password from standard input (for Basic auth on POST /api/v3/tokens).
        #[arg(long)]
        password_stdin: bool,
    },
    /// Set a user's password, read from standard input.
    Password {
        /// Login name.
        name: String,
    },
}

#[derive(Debug, Args)]
pub struct AdminTokenArgs {
    #[command(subcommand)]
    pub action: AdminTokenAction,
    #[command(flatten)]
    pub store: AdminStoreArgs,
}

#[derive(Debug, Subcommand)]
pub enum AdminTokenAction {
    /// Create a personal token for a user and print it (it is shown only once).
    Create {
        /// The user.
        user: String,
        /// A label for the token.
        #[arg(long, default_value = "werk admin")]
        name: String,
    },
}

/// Where the server is and how to authenticate: flags, then the environment, then the
/// login stored by `werk login`, then http://127.0.0.1:8080.
#[derive(Debug, Clone, Args)]
pub struct ServerArgs {
    /// URL of the werk server [default: the stored login's, else http://127.0.0.1:8080].
    #[arg(long, env = "WERK_URL", global = true)]
    pub url: Option<String>,
    /// Personal token [default: the stored login's, for its server].
    #[arg(long, env = "WERK_TOKEN", hide_env_values = true, global = true)]
    pub token: Option<String>,
}

#[derive(Debug, Args)]
pub struct TriggerArgs {
    /// OWNER/APP.
    pub app: String,
    /// Pipeline name.
    pub pipeline: String,
    /// Branch to build [default: the application's].
    #[arg(long)]
    pub branch: Option<String>,
    /// Extra variable KEY=VALUE; repeatable, in order.
    #[arg(long = "env", value_name = "KEY=VALUE")]
    pub env: Vec<String>,
    /// Message of the run.
    #[arg(long)]
    pub message: Option<String>,
    /// Follow the run and its chained runs; exit 0 only if all passed.
    #[arg(long)]
    pub wait: bool,
    #[command(flatten)]
    pub server: ServerArgs,
}

#[derive(Debug, Args)]
pub struct LogsArgs {
    /// Run id.
    pub run: String,
    /// Keep printing until the run finishes.
    #[arg(long, short)]
    pub follow: bool,
    #[command(flatten)]
    pub server: ServerArgs,
}

#[cfg(test)]
mod tests {
    use clap::{CommandFactory, Parser};

    use super::{Cli, Command};

    #[test]
    fn the_command_line_is_consistent() {
        Cli::command().debug_assert();
    }

    #[test]
    fn older_spellings_still_parse() {
        let cli = Cli::try_parse_from(["werk", "app", "create", "a/b", "--git", "g"]).unwrap();
        assert!(matches!(cli.command, Command::Apps(_)));
        let cli = Cli::try_parse_from(["werk", "runs", "a/b", "--limit", "3"]).unwrap();
        let Command::Runs(runs) = cli.command else {
            panic!("runs parses as runs");
        };
        assert_eq!(runs.app.as_deref(), Some("a/b"));
        assert_eq!(runs.filters.limit, 3);
        assert!(runs.action.is_none());
        assert!(Cli::try_parse_from(["werk", "runs"]).is_err());
        let cli = Cli::try_parse_from(["werk", "runs", "list", "a/b", "--status", "finished"]);
        assert!(cli.is_ok());
    }
}
