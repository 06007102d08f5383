//! Building an image from a Dockerfile in the run's source, for `internal/docker-build`.
//! The image is named `<run id><image-name>`, as Wercker named it, so that a later
//! `internal/docker-push` with `image-name` finds it; it is removed with the run's
//! containers.

use std::collections::HashMap;
use std::path::Path;

use bollard::query_parameters::BuildImageOptions;
use futures_util::StreamExt;
use tokio_util::io::ReaderStream;
use tokio_util::sync::CancellationToken;

use super::image::tar_of;
use super::{RunContainers, docker_message};
use crate::local::report::Reporter;

/// What `internal/docker-build` asks for.
#[derive(Debug, Clone, Default)]
pub(crate) struct BuildRequest {
    /// `image-name`.
    pub image_name: String,
    /// The build context on this machine: the source dir or its `context` subdirectory.
    pub context: std::path::PathBuf,
    /// `dockerfile`, relative to the context.
    pub dockerfile: Option<String>,
    /// `build-args`.
    pub build_args: HashMap<String, String>,
    /// `labels`.
    pub labels: HashMap<String, String>,
    /// `extra-hosts`.
    pub extra_hosts: Option<String>,
    /// `no-cache`.
    pub no_cache: bool,
}

impl RunContainers {
    /// The name `internal/docker-build` gives the image `image_name` of this run.
    pub fn built_image_name(&self, image_name: &str) -> String {
        format!("{}{}", self.run_id, image_name).to_lowercase()
    }

    /// Builds the image, logging the builder's output to step `order`; its name.
    pub async fn build(
        &self,
        request: &BuildRequest,
        order: u32,
        rep: &Reporter,
        cancel: &CancellationToken,
    ) -> Result<String, String> {
        let name = self.built_image_name(&request.image_name);
        if !request.context.is_dir() {
            return Err(format!(
                "the build context {} is not a directory",
                request.context.display()
            ));
        }
        let tar = tar_of(&request.context, "/").await?;
        let result = tokio::select! {
            built = self.build_from(&tar, &name, request, order, rep) => built,
            () = cancel.cancelled() => Err("aborted".to_owned()),
        };
        let _ = tokio::fs::remove_file(&tar).await;
        result.map(|()| name)
    }

    async fn build_from(
        &self,
        tar: &Path,
        name: &str,
        request: &BuildRequest,
        order: u32,
        rep: &Reporter,
    ) -> Result<(), String> {
        let file = tokio::fs::File::open(tar)
            .await
            .map_err(|e| format!("cannot read {}: {e}", tar.display()))?;
        let options = BuildImageOptions {
            dockerfile: request
                .dockerfile
                .clone()
                .unwrap_or_else(|| "Dockerfile".to_owned()),
            t: Some(name.to_owned()),
            buildargs: Some(request.build_args.clone()),
            labels: Some(request.labels.clone()),
            extrahosts: request.extra_hosts.clone(),
            nocache: request.no_cache,
            rm: true,
            forcerm: true,
            ..Default::default()
        };
        self.lock_owned().images.push(name.to_owned());
        let body = bollard::body_try_stream(ReaderStream::new(file));
        let mut output = self.docker.build_image(options, None, Some(body));
        while let Some(info) = output.next().await {
            let info = info.map_err(|e| docker_message(&e))?;
            if let Some(error) = info.error_detail.and_then(|d| d.message).or(info.error) {
                return Err(error);
            }
            if let Some(text) = info.stream {
                rep.log(order, text.as_bytes()).await;
            }
        }
        Ok(())
    }
}
