//! The box's main process (the pipeline's shell), seen from outside the container: a task
//! waits for the container to stop and publishes its exit code; a kill stops the container
//! and everything in it.

use bollard::Docker;
use bollard::errors::Error as DockerError;
use bollard::query_parameters::{
    KillContainerOptions, RemoveContainerOptions, WaitContainerOptions,
};
use futures_util::StreamExt;
use tokio::sync::watch;

/// How long a killed box may take to stop before it is removed by force.
const KILL_GRACE: std::time::Duration = std::time::Duration::from_secs(10);

/// The box's main process, watched from outside: a task waits for the container to stop and
/// publishes its exit code.
pub(crate) struct BoxProcess {
    docker: Docker,
    container: String,
    exit: watch::Receiver<Option<i32>>,
    killed: bool,
}

impl BoxProcess {
    pub(super) fn watch(docker: Docker, container: String) -> BoxProcess {
        let (tx, exit) = watch::channel(None);
        let waiter = docker.clone();
        let id = container.clone();
        tokio::spawn(async move {
            let options = WaitContainerOptions {
                condition: "not-running".to_owned(),
            };
            let code = match waiter.wait_container(&id, Some(options)).next().await {
                Some(Ok(response)) => i32::try_from(response.status_code).unwrap_or(-1),
                Some(Err(DockerError::DockerContainerWaitError { code, .. })) => {
                    i32::try_from(code).unwrap_or(-1)
                }
                _ => -1,
            };
            let _ = tx.send(Some(code));
        });
        BoxProcess {
            docker,
            container,
            exit,
            killed: false,
        }
    }

    /// Waits until the box stops; its exit code. Cancel-safe.
    pub async fn wait(&mut self) -> i32 {
        match self.exit.wait_for(Option::is_some).await {
            Ok(code) => code.unwrap_or(-1),
            Err(_) => -1,
        }
    }

    /// Kills the box (SIGKILL to its main process, which takes every process in it along)
    /// and waits for it to stop.
    pub async fn kill(&mut self) -> i32 {
        self.killed = true;
        // An already stopped container answers with an error; either way it is not running.
        let _ = self
            .docker
            .kill_container(&self.container, None::<KillContainerOptions>)
            .await;
        match tokio::time::timeout(KILL_GRACE, self.wait()).await {
            Ok(code) => code,
            Err(_) => {
                // The engine did not stop it: the container goes, and the run with it.
                let options = RemoveContainerOptions {
                    force: true,
                    ..Default::default()
                };
                let _ = self
                    .docker
                    .remove_container(&self.container, Some(options))
                    .await;
                -1
            }
        }
    }

    /// Whether the box may still run.
    pub fn alive(&self) -> bool {
        !self.killed && self.exit.borrow().is_none()
    }
}
