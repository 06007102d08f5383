//! Images made from a run's box, as Wercker made them: the box as the steps left it, with
//! the run's source and output in it. Those two live in mounts here, which `docker commit`
//! leaves out, so they are copied into a second layer; an image for `internal/docker-push`
//! also gets the settings the step asks for (`cmd`, `entrypoint`, `env`, `ports`, ...).

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use bollard::models::{ContainerConfig, ContainerCreateBody};
use bollard::query_parameters::{
    CommitContainerOptions, CreateContainerOptions, CreateImageOptions, RemoveContainerOptions,
    UploadToContainerOptions,
};
use futures_util::StreamExt;
use tokio_util::io::ReaderStream;

use super::{RunContainers, docker_message};

/// The settings of a made image; `None` and empty keep the box's.
#[derive(Debug, Clone, Default)]
pub(crate) struct ImageSettings {
    pub cmd: Option<Vec<String>>,
    pub entrypoint: Option<Vec<String>>,
    /// `KEY=VALUE` pairs.
    pub env: Vec<String>,
    /// Exposed ports as `PORT/PROTO`.
    pub ports: Vec<String>,
    pub working_dir: Option<String>,
    pub labels: HashMap<String, String>,
    pub user: Option<String>,
    pub stop_signal: Option<String>,
    pub author: Option<String>,
    pub message: Option<String>,
}

impl RunContainers {
    /// Makes the image `repository:tag` from the box as it is now, with the run's source
    /// and output copied in at the paths the box sees them; returns its id.
    pub async fn make_image(
        &self,
        repository: &str,
        tag: &str,
        settings: &ImageSettings,
    ) -> Result<String, String> {
        let commit = CommitContainerOptions {
            container: Some(self.box_container.clone()),
            author: settings.author.clone(),
            comment: settings.message.clone(),
            pause: true,
            ..Default::default()
        };
        let box_image = self
            .docker
            .commit_container(commit, settings.config())
            .await
            .map_err(|e| format!("cannot commit the box: {}", docker_message(&e)))?
            .id;

        // A container of that image, never started, receives the files and is committed.
        let body = ContainerCreateBody {
            image: Some(box_image),
            labels: Some(self.labels()),
            ..Default::default()
        };
        let created = self
            .docker
            .create_container(None::<CreateContainerOptions>, body)
            .await
            .map_err(|e| {
                format!(
                    "cannot create a container to copy files into: {}",
                    docker_message(&e)
                )
            })?;
        let result = self.fill_and_commit(&created.id, repository, tag).await;
        let options = RemoveContainerOptions {
            force: true,
            v: true,
            ..Default::default()
        };
        let _ = self
            .docker
            .remove_container(&created.id, Some(options))
            .await;
        result
    }

    async fn fill_and_commit(
        &self,
        container: &str,
        repository: &str,
        tag: &str,
    ) -> Result<String, String> {
        for (host, guest) in &self.baked_dirs {
            let tar = tar_of(host, guest).await?;
            let file = tokio::fs::File::open(&tar)
                .await
                .map_err(|e| format!("cannot read {}: {e}", tar.display()))?;
            let options = UploadToContainerOptions {
                path: "/".to_owned(),
                ..Default::default()
            };
            let body = bollard::body_try_stream(ReaderStream::new(file));
            let uploaded = self
                .docker
                .upload_to_container(container, Some(options), body)
                .await;
            let _ = tokio::fs::remove_file(&tar).await;
            uploaded.map_err(|e| {
                format!("cannot copy {guest} into the image: {}", docker_message(&e))
            })?;
        }
        let commit = CommitContainerOptions {
            container: Some(container.to_owned()),
            repo: Some(repository.to_owned()),
            tag: Some(tag.to_owned()),
            ..Default::default()
        };
        self.docker
            .commit_container(commit, ContainerConfig::default())
            .await
            .map(|made| made.id)
            .map_err(|e| format!("cannot commit the image: {}", docker_message(&e)))
    }
}

impl RunContainers {
    /// Makes the image `repository:tag` of one layer holding the contents of `dir` (on no
    /// base image, as `docker import` does), with `settings`; its name.
    pub async fn import_dir(
        &self,
        dir: &Path,
        repository: &str,
        tag: &str,
        settings: &ImageSettings,
    ) -> Result<String, String> {
        let tar = tar_of(dir, "/").await?;
        let file = tokio::fs::File::open(&tar)
            .await
            .map_err(|e| format!("cannot read {}: {e}", tar.display()))?;
        let options = CreateImageOptions {
            from_src: Some("-".to_owned()),
            repo: Some(repository.to_owned()),
            tag: Some(tag.to_owned()),
            message: settings.message.clone(),
            changes: settings.instructions(),
            ..Default::default()
        };
        let body = bollard::body_try_stream(ReaderStream::new(file));
        let mut progress = self.docker.create_image(Some(options), Some(body), None);
        let mut result = Ok(());
        while let Some(step) = progress.next().await {
            if let Err(e) = step {
                result = Err(format!(
                    "cannot import {}: {}",
                    dir.display(),
                    docker_message(&e)
                ));
                break;
            }
        }
        let _ = tokio::fs::remove_file(&tar).await;
        result.map(|()| format!("{repository}:{tag}"))
    }
}

impl ImageSettings {
    /// The settings as Dockerfile instructions, for an image made by import.
    fn instructions(&self) -> Vec<String> {
        let json = |words: &Vec<String>| serde_json::to_string(words).unwrap_or_default();
        let mut out = Vec::new();
        if let Some(cmd) = &self.cmd {
            out.push(format!("CMD {}", json(cmd)));
        }
        if let Some(entrypoint) = &self.entrypoint {
            out.push(format!("ENTRYPOINT {}", json(entrypoint)));
        }
        for pair in &self.env {
            if let Some((key, value)) = pair.split_once('=') {
                out.push(format!(
                    "ENV {key}={}",
                    serde_json::to_string(value).unwrap_or_default()
                ));
            }
        }
        for port in &self.ports {
            out.push(format!("EXPOSE {port}"));
        }
        if let Some(dir) = &self.working_dir {
            out.push(format!("WORKDIR {dir}"));
        }
        if let Some(user) = &self.user {
            out.push(format!("USER {user}"));
        }
        if let Some(signal) = &self.stop_signal {
            out.push(format!("STOPSIGNAL {signal}"));
        }
        for (key, value) in &self.labels {
            out.push(format!(
                "LABEL {key}={}",
                serde_json::to_string(value).unwrap_or_default()
            ));
        }
        out
    }

    fn config(&self) -> ContainerConfig {
        let some_vec = |v: &Vec<String>| (!v.is_empty()).then(|| v.clone());
        ContainerConfig {
            cmd: self.cmd.clone(),
            entrypoint: self.entrypoint.clone(),
            env: some_vec(&self.env),
            exposed_ports: (!self.ports.is_empty()).then(|| {
                self.ports
                    .iter()
                    .map(|p| (p.clone(), HashMap::new()))
                    .collect()
            }),
            working_dir: self.working_dir.clone(),
            labels: (!self.labels.is_empty()).then(|| self.labels.clone()),
            user: self.user.clone(),
            stop_signal: self.stop_signal.clone(),
            // The box's shell read its stdin; an image made from it should not.
            open_stdin: Some(false),
            attach_stdin: Some(false),
            ..Default::default()
        }
    }
}

/// Writes a tar of the contents of `host` with entries under `guest` (an absolute path) to
/// a file beside `host`; its path.
pub(super) async fn tar_of(host: &Path, guest: &str) -> Result<PathBuf, String> {
    let name = host
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let out = host.with_file_name(format!(".{name}-image.tar"));
    let (host, guest, path) = (host.to_path_buf(), guest.to_owned(), out.clone());
    tokio::task::spawn_blocking(move || -> std::io::Result<()> {
        let file = std::fs::File::create(&path)?;
        let mut tar = tar::Builder::new(std::io::BufWriter::new(file));
        tar.follow_symlinks(false);
        let prefix = match guest.trim_start_matches('/') {
            "" => ".",
            prefix => prefix,
        };
        if host.is_dir() {
            tar.append_dir_all(prefix, &host)?;
        }
        tar.into_inner()?.into_inner().map_err(|e| e.into_error())?;
        Ok(())
    })
    .await
    .map_err(|e| format!("cannot pack {}: {e}", out.display()))?
    .map_err(|e| format!("cannot pack {}: {e}", out.display()))?;
    Ok(out)
}
