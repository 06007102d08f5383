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
    // With a database elsewhere, a bad URL leaves no empty data dir behind.
    let store = match &args.database {
        Some(url) => Some(
            Store::open_unmigrated(url)
                .await
                .context("cannot open the database")?,
        ),
        None => None,
    };
    std::fs::create_dir_all(&args.data)
        .with_context(|| format!("cannot create the data dir {}", args.data.display()))?;
    let data_dir = std::fs::canonicalize(&args.data)
        .with_context(|| format!("cannot open the data dir {}", args.data.display()))?;
    // One server per data dir and per database: runs, logs and recovery assume it.
    let _data_lock = lock_data_dir(&data_dir)?;
    let store = match store {
        Some(store) => store,
        None => Store::open_unmigrated(&Store::sqlite_url_in(&data_dir))
            .await
            .context("cannot open the database")?,
    };
    // Claimed before it is migrated: a new server must not change the tables under one
    // that still runs.
    let database_lock = store.hold_server_lock().await.context("cannot start")?;
    store.migrate().await.context("cannot open the database")?;
    if store.count_users().await? == 0 {
        match store.create_user("admin").await {
            Ok(admin) => {
                let (_, token) = store.create_token(&admin.id, "first start").await?;
                println!(
                    "Created the user admin. Its personal token, shown only this once:\n\n    {token}\n"
                );
            }
            // Made a moment ago by a `werk admin` on the same database.
            Err(werk_store::StoreError::Conflict(_)) => {}
            Err(e) => return Err(e).context("cannot create the admin user"),
        }
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
    let running = start(store.clone(), config, listener)?;
    // The handlers are in place before the address is printed: whoever reads it may signal
    // at once.
    let signals = Signals::install()?;
    tokio::spawn(signals.stop(running.shutdown.clone()));
    tokio::spawn(watch_database_lock(
        store.clone(),
        database_lock,
        running.shutdown.clone(),
    ));
    println!(
        "werk listening on {} (public URL {})",
        running.url,
        running.engine.public_url()
    );
    running.wait().await
}

/// How often the server checks that it still holds its database.
const LOCK_CHECK: std::time::Duration = std::time::Duration::from_secs(10);

/// Keeps the server's claim on its database: a claim lost with its connection (a database
/// restart) is taken again; if another server took the database meanwhile, this one stops
/// rather than run beside it.
async fn watch_database_lock(
    store: Store,
    mut lock: werk_store::ServerLock,
    shutdown: CancellationToken,
) {
    loop {
        tokio::select! {
            () = tokio::time::sleep(LOCK_CHECK) => {}
            () = shutdown.cancelled() => return,
        }
        if lock.holds().await {
            continue;
        }
        match store.hold_server_lock().await {
            Ok(again) => {
                tracing::warn!(
                    "the connection holding the database was lost; the database is held again"
                );
                lock = again;
            }
            Err(err) => {
                tracing::error!(error = %err, "the database is no longer this server's; stopping");
                shutdown.cancel();
                return;
            }
        }
    }
}

/// Locks `werk.lock` in the data dir for as long as the returned file is open.
fn lock_data_dir(data_dir: &std::path::Path) -> anyhow::Result<nix::fcntl::Flock<std::fs::File>> {
    use nix::fcntl::{Flock, FlockArg};
    let path = data_dir.join("werk.lock");
    let file = std::fs::OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(&path)
        .with_context(|| format!("cannot open {}", path.display()))?;
    Flock::lock(file, FlockArg::LockExclusiveNonblock).map_err(|_| {
        anyhow::anyhow!(
            "another werk server is running on the data dir {}",
            data_dir.display()
        )
    })
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
