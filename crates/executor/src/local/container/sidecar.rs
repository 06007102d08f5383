//! Containers a pipeline starts beside its box, for `internal/docker-run` and
//! `internal/docker-kill`: on the run's network, reachable from the box by their name, and
//! removed with the run.

use std::collections::HashMap;

use bollard::auth::DockerCredentials;
use bollard::models::{
    ContainerCreateBody, EndpointSettings, HostConfig, NetworkConnectRequest, NetworkingConfig,
};
use bollard::query_parameters::{KillContainerOptions, StartContainerOptions};

use super::{RunContainers, docker_message, pull_if_missing};
use crate::local::report::Reporter;

/// What `internal/docker-run` asks for.
#[derive(Debug, Clone, Default)]
pub(crate) struct SidecarRequest {
    /// `image`.
    pub image: String,
    /// `name`: the container's name on the run's network.
    pub name: String,
    pub cmd: Option<Vec<String>>,
    pub entrypoint: Option<Vec<String>>,
    /// `KEY=VALUE` pairs.
    pub env: Vec<String>,
    pub working_dir: Option<String>,
    pub user: Option<String>,
    /// Registry login for pulling `image`.
    pub credentials: Option<DockerCredentials>,
}

impl RunContainers {
    /// Starts a container of `request.image` (an image of `internal/docker-build` of this
    /// run when there is one by that name) on the run's network, as `request.name`.
    pub async fn run_sidecar(
        &self,
        request: &SidecarRequest,
        order: u32,
        rep: &Reporter,
    ) -> Result<(), String> {
        if self.lock_owned().by_name.contains_key(&request.name) {
            return Err(format!("a container named {} runs already", request.name));
        }
        let network = self.join_network().await?;
        let built = self.built_image_name(&request.image);
        let image = if self.docker.inspect_image(&built).await.is_ok() {
            built
        } else {
            let credentials = request.credentials.clone();
            pull_if_missing(&self.docker, &request.image, credentials, order, rep).await?;
            request.image.clone()
        };
        let endpoint = EndpointSettings {
            aliases: Some(vec![request.name.clone()]),
            ..Default::default()
        };
        let body = ContainerCreateBody {
            image: Some(image.clone()),
            cmd: request.cmd.clone(),
            entrypoint: request.entrypoint.clone(),
            env: Some(request.env.clone()),
            working_dir: request.working_dir.clone(),
            user: request.user.clone(),
            labels: Some(self.labels()),
            host_config: Some(HostConfig {
                network_mode: Some(network.clone()),
                ..Default::default()
            }),
            networking_config: Some(NetworkingConfig {
                endpoints_config: Some(HashMap::from([(network, endpoint)])),
            }),
            ..Default::default()
        };
        let container_name = format!("werk-run-{}-{}", request.name, self.run_id);
        let id = self
            .new_container(&container_name, body, &format!("the container {image}"))
            .await
            .map_err(|f| f.message)?;
        self.docker
            .start_container(&id, None::<StartContainerOptions>)
            .await
            .map_err(|e| format!("cannot start {image}: {}", docker_message(&e)))?;
        self.lock_owned().by_name.insert(request.name.clone(), id);
        rep.line(
            order,
            &format!(
                "Started {image} as {container_name}, reachable as {}",
                request.name
            ),
        )
        .await;
        Ok(())
    }

    /// Kills the container `internal/docker-run` started as `name`.
    pub async fn kill_sidecar(&self, name: &str) -> Result<(), String> {
        let id = self.lock_owned().by_name.remove(name).ok_or_else(|| {
            format!("no container named {name} was started by internal/docker-run")
        })?;
        self.docker
            .kill_container(&id, None::<KillContainerOptions>)
            .await
            .map_err(|e| format!("cannot kill {name}: {}", docker_message(&e)))
    }

    /// The run's network, made now if the run has none yet, with the box on it.
    async fn join_network(&self) -> Result<String, String> {
        if let Some(network) = self.network() {
            return Ok(network);
        }
        let network = self.create_network().await?;
        let request = NetworkConnectRequest {
            container: Some(self.box_container.clone()),
            ..Default::default()
        };
        self.docker
            .connect_network(&network, request)
            .await
            .map_err(|e| {
                format!(
                    "cannot connect the box to {network}: {}",
                    docker_message(&e)
                )
            })?;
        Ok(network)
    }
}
