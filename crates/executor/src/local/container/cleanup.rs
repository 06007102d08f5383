//! Removing what a run made in Docker: its containers, its network and the images it built,
//! at its end, or after a crash by the label they carry.

use std::collections::HashMap;

use bollard::Docker;
use bollard::query_parameters::{
    InspectNetworkOptions, ListContainersOptions, RemoveContainerOptions, RemoveImageOptions,
};

use super::{RUN_LABEL, is_not_found};

/// What a run made and removes at its end.
#[derive(Debug, Default)]
pub(super) struct Owned {
    /// Services, the box and `internal/docker-run` containers, in the order made.
    pub containers: Vec<String>,
    /// The run's network, once made.
    pub network: Option<String>,
    /// Images of `internal/docker-build`.
    pub images: Vec<String>,
    /// Containers of `internal/docker-run` by name, for `internal/docker-kill`.
    pub by_name: HashMap<String, String>,
}

impl Owned {
    /// Removes the containers (running or not, with their anonymous volumes, last made
    /// first), then the network and the images.
    pub async fn remove(self, docker: &Docker) {
        for id in self.containers.iter().rev() {
            let options = RemoveContainerOptions {
                force: true,
                v: true,
                ..Default::default()
            };
            match docker.remove_container(id, Some(options)).await {
                Err(e) if !is_not_found(&e) => {
                    tracing::warn!(container = %id, "cannot remove container: {e}");
                }
                _ => {}
            }
        }
        if let Some(network) = self.network
            && let Err(e) = docker.remove_network(&network).await
            && !is_not_found(&e)
        {
            tracing::warn!(%network, "cannot remove network: {e}");
        }
        for image in self.images {
            let options = RemoveImageOptions {
                force: true,
                ..Default::default()
            };
            let _ = docker.remove_image(&image, Some(options), None).await;
        }
    }
}

/// Removes every container and network labelled with `run_id`: what a server that died
/// mid-run left behind.
pub(crate) async fn remove_leftovers(docker: &Docker, run_id: &str) {
    let filter = HashMap::from([("label".to_owned(), vec![format!("{RUN_LABEL}={run_id}")])]);
    let listed = docker
        .list_containers(Some(ListContainersOptions {
            all: true,
            filters: Some(filter),
            ..Default::default()
        }))
        .await
        .unwrap_or_default();
    let network = format!("werk-{run_id}");
    let has_network = docker
        .inspect_network(&network, None::<InspectNetworkOptions>)
        .await
        .is_ok();
    let owned = Owned {
        containers: listed.into_iter().filter_map(|c| c.id).collect(),
        network: has_network.then_some(network),
        ..Owned::default()
    };
    owned.remove(docker).await;
}
