//! `werk serve`: opens the data dir, starts the engine and the API, and stops on SIGINT or
//! SIGTERM after the engine has recorded what it was doing.

use anyhow::Context;
use tokio::net::TcpListener;
use tokio_util::sync::CancellationToken;
use werk_engine::{Engine, EngineConfig};
use werk_server::AppState;
use werk_store::Store;

use crate::cli::ServeArgs;

pub async fn serve(args: ServeArgs) -> anyhow::Result<()> {
    std::fs::create_dir_all(&args.data)
        .with_context(|| format!("cannot create the data dir {}", args.data.display()))?;
    let data_dir = std::fs::canonicalize(&args.data)
        .with_context(|| format!("cannot open the data dir {}", args.data.display()))?;
    let store = Store::open(&Store::sqlite_url_in(&data_dir))
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
    let address = listener.local_addr()?;
    let public_url = args
        .public_url
        .clone()
        .unwrap_or_else(|| format!("http://{address}"));
    let engine = Engine::new(
        store,
        EngineConfig {
            data_dir,
            public_url: public_url.clone(),
            parallel_runs: args.parallel_runs,
            step_git_template: args.step_git_template.clone(),
        },
    );

    let shutdown = CancellationToken::new();
    let engine_task = tokio::spawn(engine.clone().run(shutdown.clone()));
    tokio::spawn(stop_on_signal(shutdown.clone()));
    println!("werk listening on http://{address} (public URL {public_url})");
    let serving = werk_server::serve(
        AppState::new(engine),
        listener,
        shutdown.clone().cancelled_owned(),
    )
    .await;
    shutdown.cancel();
    engine_task.await.context("the engine stopped abnormally")?;
    serving.context("the server failed")
}

async fn stop_on_signal(shutdown: CancellationToken) {
    use tokio::signal::unix::{SignalKind, signal};
    let mut terminate = match signal(SignalKind::terminate()) {
        Ok(s) => s,
        Err(err) => {
            tracing::error!(error = %err, "cannot listen for SIGTERM");
            return;
        }
    };
    tokio::select! {
        _ = tokio::signal::ctrl_c() => {}
        _ = terminate.recv() => {}
    }
    tracing::info!("stopping");
    shutdown.cancel();
}
