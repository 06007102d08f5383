//! The command line, as clap derive types. Every option has an environment fallback.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

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
    /// Manage applications.
    App(AppArgs),
    /// Trigger a pipeline, and with --wait follow it and its chained runs.
    Trigger(TriggerArgs),
    /// List the runs of an application.
    Runs(RunsArgs),
    /// Print the logs of a run's steps.
    Logs(LogsArgs),
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
    /// Data dir of the server.
    #[arg(long, env = "WERK_DATA", default_value = "./werk-data", global = true)]
    pub data: PathBuf,
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
    /// Data dir of the server.
    #[arg(long, env = "WERK_DATA", default_value = "./werk-data", global = true)]
    pub data: PathBuf,
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

/// Where the server is and how to authenticate.
#[derive(Debug, Clone, Args)]
pub struct ServerArgs {
    /// URL of the werk server.
    #[arg(
        long,
        env = "WERK_URL",
        default_value = "http://127.0.0.1:8080",
        global = true
    )]
    pub url: String,
    /// Personal token.
    #[arg(long, env = "WERK_TOKEN", hide_env_values = true, global = true)]
    pub token: Option<String>,
}

#[derive(Debug, Args)]
pub struct AppArgs {
    #[command(subcommand)]
    pub action: AppAction,
    #[command(flatten)]
    pub server: ServerArgs,
}

#[derive(Debug, Subcommand)]
pub enum AppAction {
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
pub struct RunsArgs {
    /// OWNER/APP.
    pub app: String,
    /// How many runs to show.
    #[arg(long, default_value_t = 20)]
    pub limit: u32,
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
