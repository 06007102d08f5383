//! Pushing an image made from the box to a registry, for `internal/docker-push`.

use bollard::auth::DockerCredentials;
use bollard::query_parameters::{PushImageOptions, RemoveImageOptions, TagImageOptions};
use futures_util::StreamExt;
use tokio_util::sync::CancellationToken;

use super::{RunContainers, docker_message};
use crate::local::report::Reporter;

/// Where an image goes.
pub(crate) struct PushTarget {
    /// `[registry/]name`, lower case.
    pub repository: String,
    /// The tags to push, at least one.
    pub tags: Vec<String>,
    /// The registry login, if any.
    pub credentials: Option<DockerCredentials>,
}

impl RunContainers {
    /// Tags `image` as `repository:tag` for each of the target's tags and pushes them,
    /// logging the registry's answers to step `order`; the local tags are removed afterwards.
    pub async fn push(
        &self,
        image: &str,
        target: &PushTarget,
        order: u32,
        rep: &Reporter,
        cancel: &CancellationToken,
    ) -> Result<(), String> {
        let PushTarget {
            repository,
            tags,
            credentials,
        } = target;
        let mut result = Ok(());
        for tag in tags {
            let options = TagImageOptions {
                repo: Some(repository.to_owned()),
                tag: Some(tag.clone()),
            };
            if let Err(e) = self.docker.tag_image(image, Some(options)).await {
                result = Err(format!(
                    "cannot tag {repository}:{tag}: {}",
                    docker_message(&e)
                ));
                break;
            }
            rep.line(order, &format!("Pushing {repository}:{tag}"))
                .await;
            let pushed = tokio::select! {
                pushed = self.push_one(repository, tag, credentials.clone(), order, rep) => pushed,
                () = cancel.cancelled() => Err("aborted".to_owned()),
            };
            if let Err(e) = pushed {
                result = Err(format!("cannot push {repository}:{tag}: {e}"));
                break;
            }
            rep.line(order, &format!("Pushed {repository}:{tag}")).await;
        }
        for tag in tags {
            let name = format!("{repository}:{tag}");
            let _ = self
                .docker
                .remove_image(&name, None::<RemoveImageOptions>, None)
                .await;
        }
        result
    }

    async fn push_one(
        &self,
        repository: &str,
        tag: &str,
        credentials: Option<DockerCredentials>,
        order: u32,
        rep: &Reporter,
    ) -> Result<(), String> {
        let options = PushImageOptions {
            tag: Some(tag.to_owned()),
            ..Default::default()
        };
        let mut progress = self
            .docker
            .push_image(repository, Some(options), credentials);
        let mut last = String::new();
        while let Some(info) = progress.next().await {
            let info = info.map_err(|e| docker_message(&e))?;
            if let Some(error) = info.error_detail.and_then(|d| d.message).or(info.error) {
                return Err(error);
            }
            // Byte counts come many times a second, and each layer says the same; the
            // changes of state are what to log.
            if let (Some(status), None) = (info.status, info.progress)
                && status != last
            {
                rep.line(order, &status).await;
                last = status;
            }
        }
        Ok(())
    }
}
