//! [`DockerEngine`]: the connection to a Docker engine that runs boxes and services, and
//! that keeps the containers runs saved.

use std::io;

use bytes::Bytes;
use futures_util::{Stream, TryStreamExt};

use crate::local::container::{self, docker_message, is_not_found};

/// A Docker engine, reached through `DOCKER_HOST` or the local socket.
#[derive(Clone, Debug)]
pub struct DockerEngine {
    pub(crate) client: bollard::Docker,
}

impl DockerEngine {
    /// Connects and checks that the engine answers. The engine must run on this machine:
    /// a run's files are mounted into its box from this machine's disk.
    pub async fn connect() -> Result<DockerEngine, String> {
        if let Ok(host) = std::env::var("DOCKER_HOST")
            && !is_local(&host)
        {
            return Err(format!(
                "DOCKER_HOST={host} names an engine on another machine; werk mounts each run's files into its box, so the engine must run on this one"
            ));
        }
        let client = bollard::Docker::connect_with_local_defaults()
            .map_err(|e| format!("cannot reach the Docker engine: {e}"))?;
        let client = client
            .negotiate_version()
            .await
            .map_err(|e| format!("the Docker engine does not answer: {e}"))?;
        client
            .ping()
            .await
            .map_err(|e| format!("the Docker engine does not answer: {e}"))?;
        Ok(DockerEngine { client })
    }

    /// The image name under which a run's box is saved when the run passes.
    pub fn saved_image(run_id: &str) -> String {
        container::saved_image(run_id)
    }

    /// The saved box of run `run_id` as a `docker save` tarball (for `docker load`), or
    /// `None` when that run saved none.
    pub async fn saved_container(
        &self,
        run_id: &str,
    ) -> Result<Option<impl Stream<Item = io::Result<Bytes>> + Send + use<>>, String> {
        let image = Self::saved_image(run_id);
        match self.client.inspect_image(&image).await {
            Ok(_) => {}
            Err(e) if is_not_found(&e) => return Ok(None),
            Err(e) => return Err(docker_message(&e)),
        }
        let tar = self.client.export_image(&image).map_err(io::Error::other);
        Ok(Some(tar))
    }

    /// Removes the saved box of run `run_id`, if there is one.
    pub async fn forget_saved(&self, run_id: &str) -> Result<(), String> {
        container::forget_saved(&self.client, run_id).await
    }

    /// Removes the containers and network a run left behind when the process running it
    /// died without cleaning up.
    pub async fn remove_leftovers(&self, run_id: &str) {
        container::remove_leftovers(&self.client, run_id).await;
    }
}

/// Whether a `DOCKER_HOST` value names an engine on this machine.
fn is_local(host: &str) -> bool {
    if host.is_empty() || host.starts_with("unix://") || host.starts_with("npipe://") {
        return true;
    }
    let rest = host.split_once("://").map_or(host, |(_, rest)| rest);
    let name = rest.rsplit_once(':').map_or(rest, |(name, _)| name);
    matches!(
        name.trim_matches(['[', ']']),
        "localhost" | "127.0.0.1" | "::1"
    )
}

#[cfg(test)]
mod tests {
    use super::is_local;

    #[test]
    fn only_engines_on_this_machine_are_local() {
        for host in [
            "unix:///var/run/docker.sock",
            "tcp://127.0.0.1:2375",
            "tcp://localhost:2376",
            "tcp://[::1]:2375",
            "",
        ] {
            assert!(is_local(host), "{host}");
        }
        for host in [
            "tcp://10.0.0.5:2375",
            "ssh://builder@ci",
            "tcp://docker.example.org:2376",
        ] {
            assert!(!is_local(host), "{host}");
        }
    }
}
