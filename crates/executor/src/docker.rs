//! [`DockerEngine`]: the connection to a Docker engine that runs boxes and services, and
//! that keeps the containers runs saved.

use std::io;

use bytes::Bytes;
use futures_util::{Stream, TryStreamExt};

use crate::local::container::{self, SAVED_REPOSITORY, docker_message, is_not_found};

/// A Docker engine, reached through `DOCKER_HOST` or the local socket.
#[derive(Clone, Debug)]
pub struct DockerEngine {
    pub(crate) client: bollard::Docker,
}

impl DockerEngine {
    /// Connects and checks that the engine answers.
    pub async fn connect() -> Result<DockerEngine, String> {
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
        format!("{SAVED_REPOSITORY}:{run_id}")
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
