//! `werk serve`: opens the data dir and the database (its SQLite file, or `--database`),
//! starts the engine and the API, and stops on SIGINT or SIGTERM after the engine has
//! recorded what it was doing.
//!
//! [`start`] is also what `werk build` runs in-process, on a temporary data dir.

use std::sync::Arc;

use anyhow::Context;
use tokio::net::TcpListener;
use tokio::task::JoinHandle;
use tokio_util::sync::CancellationToken;
use werk_engine::{DockerEngine, Engine, EngineConfig};
use werk_server::AppState;
use werk_store::Store;

use crate::cli::ServeArgs;

pub async fn serve(args: ServeArgs) -> anyhow::Result<()> {
    std::fs::create_dir_all(&args.data)
        .with_context(|| format!("cannot create the data dir {}", args.data.display()))?;
    let data_dir = std::fs::canonicalize(&args.data)
        .with_context(|| format!("cannot open the data dir {}", args.data.display()))?;
    let database = match &args.database {
        Some(url) => url.clone(),
        None => Store::sqlite_url_in(&data_dir),
    };
    let store = Store::open(&database)
        .await
        .context("cannot open the database")?;
    if store.count_users().await? == 0 {
        let admin = store
            .create_user("admin")
            .await
            .context("cannot create the admin user")?;
        let (_, token) = store.create_token(&admin.id, "first start").await?;
        println!(
            "Created the user admin. Its personal token, shown only this once:\n\n    {token}\n"
        );
    }
    let listener = TcpListener::bind(&args.listen)
        .await
        .with_context(|| format!("cannot listen on {}", args.listen))?;
    let config = EngineConfig {
        data_dir,
        public_url: args.public_url.clone().unwrap_or_default(),
        parallel_runs: args.parallel_runs,
        step_git_template: args.step_git_template.clone(),
        docker: docker_engine(args.docker).await?,
        save_boxes: true,
    };
    let running = start(store, config, listener)?;
    // The handlers are in place before the address is printed: whoever reads it may signal
    // at once.
    let signals = Signals::install()?;
    tokio::spawn(signals.stop(running.shutdown.clone()));
    println!(
        "werk listening on {} (public URL {})",
        running.url,
        running.engine.public_url()
    );
    running.wait().await
}

/// The Docker engine boxes run in, when asked for; not reaching it is an error, not a
/// silent fallback to running on this machine.
pub async fn docker_engine(wanted: bool) -> anyhow::Result<Option<DockerEngine>> {
    if !wanted {
        return Ok(None);
    }
    let engine = DockerEngine::connect().await.map_err(anyhow::Error::msg)?;
    Ok(Some(engine))
}

/// A server running in this process.
pub struct Running {
    /// Where it listens, as `http://ADDR`.
    pub url: String,
    /// Its engine.
    pub engine: Arc<Engine>,
    shutdown: CancellationToken,
    engine_task: JoinHandle<()>,
    server_task: JoinHandle<std::io::Result<()>>,
}

/// Starts the engine and the API on `listener`; an empty public URL means the listener's.
pub fn start(
    store: Store,
    mut config: EngineConfig,
    listener: TcpListener,
) -> anyhow::Result<Running> {
    let url = format!("http://{}", listener.local_addr()?);
    if config.public_url.is_empty() {
        config.public_url = url.clone();
    }
    let engine = Engine::new(store, config);
    let shutdown = CancellationToken::new();
    let engine_task = tokio::spawn(engine.clone().run(shutdown.clone()));
    let server_task = tokio::spawn(werk_server::serve(
        AppState::new(engine.clone()),
        listener,
        shutdown.clone().cancelled_owned(),
    ));
    Ok(Running {
        url,
        engine,
        shutdown,
        engine_task,
        server_task,
    })
}

impl Running {
    /// Stops the server and the engine, and waits for both.
    pub async fn stop(self) -> anyhow::Result<()> {
        self.shutdown.cancel();
        self.wait().await
    }

    /// Waits until something stops the server, then for the engine to record its runs.
    async fn wait(self) -> anyhow::Result<()> {
        let served = self
            .server_task
            .await
            .context("the server stopped abnormally")?;
        self.shutdown.cancel();
        self.engine_task
            .await
            .context("the engine stopped abnormally")?;
        served.context("the server failed")
    }
}

/// SIGINT and SIGTERM, caught from the moment they are installed.
pub(crate) struct Signals {
    interrupt: tokio::signal::unix::Signal,
    terminate: tokio::signal::unix::Signal,
}

impl Signals {
    pub(crate) fn install() -> anyhow::Result<Signals> {
        use tokio::signal::unix::{SignalKind, signal};
        Ok(Signals {
            interrupt: signal(SignalKind::interrupt()).context("cannot catch SIGINT")?,
            terminate: signal(SignalKind::terminate()).context("cannot catch SIGTERM")?,
        })
    }

    /// Cancels `shutdown` at the first of them.
    async fn stop(mut self, shutdown: CancellationToken) {
        self.received().await;
        tracing::info!("stopping");
        shutdown.cancel();
    }

    /// Waits for SIGINT or SIGTERM.
    pub(crate) async fn received(&mut self) {
        tokio::select! {
            _ = self.interrupt.recv() => {}
            _ = self.terminate.recv() => {}
        }
    }
}
