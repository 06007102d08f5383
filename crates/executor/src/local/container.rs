//! The run's box and services as Docker containers, laid out as Wercker laid them out.
//!
//! Each service starts first, in list order, on a network made for the run, reachable by its
//! alias; then the box starts with the run's work dir mounted at `/pipeline` (so the checkout
//! is `/pipeline/source`, the output `/pipeline/output`) and the application's cache at
//! `/pipeline/cache`. The box's main process is the pipeline's bash, fed through the
//! container's attached stdin: killing the shell stops the container and everything in it,
//! and the after-steps run in the same container started again, as on Wercker.
//!
//! Every container and network carries the label `werk.run=<run id>`, so that what a crashed
//! server left behind can be found and removed.

use std::collections::HashMap;
use std::io;
use std::path::{Path, PathBuf};

use bollard::Docker;
use bollard::auth::DockerCredentials;
use bollard::errors::Error as DockerError;
use bollard::models::{
    ContainerCreateBody, EndpointSettings, HostConfig, NetworkCreateRequest, NetworkingConfig,
};
use bollard::query_parameters::{
    AttachContainerOptions, CreateContainerOptions, CreateImageOptions, InspectContainerOptions,
    RemoveImageOptions, StartContainerOptions,
};
use futures_util::{StreamExt, TryStreamExt};
use tokio_util::io::StreamReader;
use werk_yml::BoxConfig;

use super::report::{Reporter, StepFailure};
use super::shell::Shell;

mod build;
mod cleanup;
mod image;
mod naming;
mod process;
mod push;
mod sidecar;

pub(crate) use self::build::BuildRequest;
use self::cleanup::Owned;
pub(crate) use self::cleanup::remove_leftovers;
pub(crate) use self::image::ImageSettings;
pub(crate) use self::process::BoxProcess;
pub(crate) use self::push::PushTarget;
pub(crate) use self::sidecar::SidecarRequest;

use self::naming::{image_ref, link_variables, service_alias, split_tag, unused_keys};

/// Where the run's work dir is mounted in the box.
pub(crate) const GUEST_WORK_DIR: &str = "/pipeline";
/// Where the application's cache is mounted in the box.
pub(crate) const GUEST_CACHE: &str = "/pipeline/cache";
/// The label that ties containers and networks to their run.
pub(super) const RUN_LABEL: &str = "werk.run";
/// The repository of saved run containers; the tag is the run's id.
pub(crate) const SAVED_REPOSITORY: &str = "werk-runs";
/// Wercker's default box command: a shell reading commands from stdin.
const DEFAULT_CMD: [&str; 3] = [
    "/bin/sh",
    "-c",
    "if [ -e /bin/bash ]; then /bin/bash; else /bin/sh; fi",
];

/// What the box needs to know to start.
pub(crate) struct BoxSpec<'a> {
    /// The run's id, for names and labels.
    pub run_id: &'a str,
    /// The box, its `id` and `env` already expanded against the pipeline environment.
    pub the_box: &'a BoxConfig,
    /// The services, expanded likewise.
    pub services: &'a [BoxConfig],
    /// The run's work dir (mounted at [`GUEST_WORK_DIR`]).
    pub work_dir: &'a Path,
    /// The checkout, also mounted at `base_path` when wercker.yml sets one.
    pub source: &'a Path,
    /// The output dir (mounted at `/pipeline/output`).
    pub output: &'a Path,
    /// The application's cache (mounted at [`GUEST_CACHE`]).
    pub cache: &'a Path,
    /// `base-path`, if any.
    pub base_path: Option<&'a str>,
    /// The shell's working directory in the box.
    pub working_dir: String,
    /// The box's environment: its `env`, upper-cased and expanded.
    pub env: Vec<(String, String)>,
}

/// The containers and network of one run. [`RunContainers::remove`] removes them; dropping
/// the value without that removes them in the background.
pub(crate) struct RunContainers {
    docker: Docker,
    run_id: String,
    box_container: String,
    /// What images made from the box get copied in: host dir, and where the box sees it.
    baked_dirs: Vec<(PathBuf, String)>,
    /// Everything made for the run, to remove at its end.
    owned: std::sync::Mutex<Owned>,
    /// The box's `env` and the services' link variables, exported by its shell.
    shell_env: Vec<(String, String)>,
    removed: bool,
}

impl RunContainers {
    /// Pulls what is missing, starts the services and creates the box; progress goes to the
    /// log of step `order`.
    pub async fn create(
        docker: &Docker,
        spec: BoxSpec<'_>,
        order: u32,
        rep: &Reporter,
    ) -> Result<RunContainers, StepFailure> {
        let mut run = RunContainers {
            docker: docker.clone(),
            run_id: spec.run_id.to_owned(),
            box_container: String::new(),
            baked_dirs: vec![
                (
                    spec.source.to_path_buf(),
                    spec.base_path
                        .map_or_else(|| format!("{GUEST_WORK_DIR}/source"), str::to_owned),
                ),
                (
                    spec.output.to_path_buf(),
                    format!("{GUEST_WORK_DIR}/output"),
                ),
            ],
            owned: std::sync::Mutex::new(Owned::default()),
            shell_env: Vec::new(),
            removed: false,
        };
        for the_box in std::iter::once(spec.the_box).chain(spec.services) {
            if let Some(line) = unused_keys(the_box, &image_ref(the_box)) {
                rep.line(order, &line).await;
            }
        }
        // On any failure the partial run is dropped, which removes what was made.
        let mut env = spec.env.clone();
        if !spec.services.is_empty() {
            run.create_network().await.map_err(StepFailure::failed)?;
        }
        for service in spec.services {
            env.extend(run.start_service(service, order, rep).await?);
        }
        run.shell_env = env;

        let image = image_ref(spec.the_box);
        pull_box(docker, spec.the_box, order, rep).await?;
        let mut binds = vec![
            format!("{}:{GUEST_WORK_DIR}", host_path(spec.work_dir)?),
            format!("{}:{GUEST_CACHE}", host_path(spec.cache)?),
        ];
        if let Some(base) = spec.base_path {
            binds.push(format!("{}:{base}", host_path(spec.source)?));
        }
        let body = ContainerCreateBody {
            image: Some(image.clone()),
            cmd: Some(match &spec.the_box.cmd {
                Some(cmd) => split_words(cmd, "cmd")?,
                None => DEFAULT_CMD.iter().map(|s| (*s).to_owned()).collect(),
            }),
            entrypoint: entrypoint(spec.the_box)?,

            working_dir: Some(spec.working_dir.clone()),
            open_stdin: Some(true),
            attach_stdin: Some(true),
            attach_stdout: Some(true),
            attach_stderr: Some(true),
            labels: Some(run.labels()),
            host_config: Some(HostConfig {
                binds: Some(binds),
                network_mode: run.network(),
                ..Default::default()
            }),
            ..Default::default()
        };
        let name = format!("werk-box-{}", spec.run_id);
        run.box_container = run
            .new_container(&name, body, &format!("the box {image}"))
            .await?;
        rep.line(order, &format!("Box {image} ready as container {name}"))
            .await;
        Ok(run)
    }

    /// Starts one service on the run's network and returns the link variables it gives the
    /// box (`<ALIAS>_PORT_<p>_TCP_ADDR`, `<ALIAS>_ENV_<K>`, ...).
    async fn start_service(
        &mut self,
        service: &BoxConfig,
        order: u32,
        rep: &Reporter,
    ) -> Result<Vec<(String, String)>, StepFailure> {
        let image = image_ref(service);
        let alias = service_alias(service);
        pull_box(&self.docker, service, order, rep).await?;
        let network = self.network().unwrap_or_default();
        let endpoint = EndpointSettings {
            aliases: Some(vec![alias.clone()]),
            ..Default::default()
        };
        let body = ContainerCreateBody {
            image: Some(image.clone()),
            cmd: service
                .cmd
                .as_deref()
                .map(|c| split_words(c, "cmd"))
                .transpose()?,
            entrypoint: entrypoint(service)?,
            env: Some(
                service
                    .env
                    .iter()
                    .map(|(k, v)| format!("{}={v}", k.to_uppercase()))
                    .collect(),
            ),
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
        let name = format!("werk-service-{alias}-{}", self.run_id);
        let id = self
            .new_container(&name, body, &format!("the service {image}"))
            .await?;
        self.docker
            .start_container(&id, None::<StartContainerOptions>)
            .await
            .map_err(|e| failed(format!("cannot start the service {image}"), e))?;
        rep.line(
            order,
            &format!("Service {image} started as {name}, reachable as {alias}"),
        )
        .await;
        self.link_env(&id, &alias).await
    }

    /// Creates a container named `name`, to be removed with the run's others; its id.
    async fn new_container(
        &self,
        name: &str,
        body: ContainerCreateBody,
        what: &str,
    ) -> Result<String, StepFailure> {
        let options = CreateContainerOptions {
            name: Some(name.to_owned()),
            ..Default::default()
        };
        let created = self
            .docker
            .create_container(Some(options), body)
            .await
            .map_err(|e| failed(format!("cannot create {what}"), e))?;
        self.lock_owned().containers.push(created.id.clone());
        Ok(created.id)
    }

    /// The variables Docker's links set for a service, which Wercker put in the box.
    async fn link_env(
        &self,
        container: &str,
        alias: &str,
    ) -> Result<Vec<(String, String)>, StepFailure> {
        let info = self
            .docker
            .inspect_container(container, None::<InspectContainerOptions>)
            .await
            .map_err(|e| failed(format!("cannot inspect the service {alias}"), e))?;
        let ip = info
            .network_settings
            .and_then(|n| n.networks)
            .and_then(|n| n.into_values().find_map(|e| e.ip_address))
            .unwrap_or_default();
        let config = info.config.unwrap_or_default();
        let mut ports: Vec<(u16, String)> = config
            .exposed_ports
            .unwrap_or_default()
            .into_keys()
            .filter_map(|p| {
                let (port, proto) = p.split_once('/').unwrap_or((p.as_str(), "tcp"));
                Some((port.parse().ok()?, proto.to_owned()))
            })
            .collect();
        ports.sort();
        Ok(link_variables(
            alias,
            &self.run_id,
            &ip,
            &ports,
            &config.env.unwrap_or_default(),
        ))
    }

    /// Attaches to the box and starts it: its main process is the shell.
    pub async fn shell(&self) -> Result<Shell, StepFailure> {
        let id = &self.box_container;
        let attached = self
            .docker
            .attach_container(
                id,
                Some(AttachContainerOptions {
                    stdin: true,
                    stdout: true,
                    stderr: true,
                    stream: true,
                    ..Default::default()
                }),
            )
            .await
            .map_err(|e| failed("cannot attach to the box".to_owned(), e))?;
        self.docker
            .start_container(id, None::<StartContainerOptions>)
            .await
            .map_err(|e| failed("cannot start the box".to_owned(), e))?;
        let output = attached
            .output
            .map_ok(|chunk| chunk.into_bytes())
            .map_err(io::Error::other);
        let process = BoxProcess::watch(self.docker.clone(), id.clone());
        Ok(Shell::in_box(
            process,
            attached.input,
            Box::pin(StreamReader::new(output)),
            &self.shell_env,
        ))
    }

    /// Saves the box as the image `werk-runs:<run id>`, for `GET /api/v2/builds/:id/docker`.
    pub async fn commit(&self) -> Result<(), String> {
        let settings = ImageSettings {
            message: Some(format!("werk run {}", self.run_id)),
            ..ImageSettings::default()
        };
        self.make_image(SAVED_REPOSITORY, &self.run_id, &settings)
            .await
            .map(|_| ())
    }

    /// The run's id.
    pub fn run_id(&self) -> &str {
        &self.run_id
    }

    /// Removes the run's containers, network and built images.
    pub async fn remove(mut self) {
        self.removed = true;
        let owned = std::mem::take(&mut *self.lock_owned());
        owned.remove(&self.docker).await;
    }

    /// Creates the run's network, `werk-<run id>`.
    async fn create_network(&self) -> Result<String, String> {
        let name = format!("werk-{}", self.run_id);
        let request = NetworkCreateRequest {
            name: name.clone(),
            labels: Some(self.labels()),
            ..Default::default()
        };
        self.docker
            .create_network(request)
            .await
            .map_err(|e| format!("cannot create the network {name}: {}", docker_message(&e)))?;
        self.lock_owned().network = Some(name.clone());
        Ok(name)
    }

    /// The run's network, once made.
    fn network(&self) -> Option<String> {
        self.lock_owned().network.clone()
    }

    fn lock_owned(&self) -> std::sync::MutexGuard<'_, Owned> {
        self.owned
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    fn labels(&self) -> HashMap<String, String> {
        HashMap::from([(RUN_LABEL.to_owned(), self.run_id.clone())])
    }
}

impl Drop for RunContainers {
    fn drop(&mut self) {
        if self.removed {
            return;
        }
        let owned = std::mem::take(&mut *self.lock_owned());
        if let Ok(runtime) = tokio::runtime::Handle::try_current() {
            let docker = self.docker.clone();
            runtime.spawn(async move { owned.remove(&docker).await });
        }
    }
}

/// Pulls the image of a box or service unless the engine has it already, with the
/// registry credentials the box names (`username`, `password`, `registry`).
async fn pull_box(
    docker: &Docker,
    the_box: &BoxConfig,
    order: u32,
    rep: &Reporter,
) -> Result<(), StepFailure> {
    pull_if_missing(
        docker,
        &image_ref(the_box),
        credentials(the_box),
        order,
        rep,
    )
    .await
    .map_err(StepFailure::failed)
}

/// Pulls `image` unless the engine has it already; a failure says which image.
async fn pull_if_missing(
    docker: &Docker,
    image: &str,
    credentials: Option<DockerCredentials>,
    order: u32,
    rep: &Reporter,
) -> Result<(), String> {
    if docker.inspect_image(image).await.is_ok() {
        return Ok(());
    }
    rep.line(order, &format!("Pulling {image}")).await;
    let (from_image, tag) = split_tag(image);
    let options = CreateImageOptions {
        from_image: Some(from_image.to_owned()),
        tag: Some(tag.unwrap_or("latest").to_owned()),
        ..Default::default()
    };
    let mut progress = docker.create_image(Some(options), None, credentials);
    while let Some(step) = progress.next().await {
        step.map_err(|e| format!("cannot pull the image {image}: {}", docker_message(&e)))?;
    }
    Ok(())
}

/// The registry credentials of a box's map form, if it names any.
fn credentials(the_box: &BoxConfig) -> Option<DockerCredentials> {
    let get = |key: &str| {
        the_box
            .other
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.clone())
    };
    let username = get("username")?;
    Some(DockerCredentials {
        username: Some(username),
        password: get("password"),
        serveraddress: get("registry"),
        ..Default::default()
    })
}

/// A box's `entrypoint`, split like a shell would.
fn entrypoint(the_box: &BoxConfig) -> Result<Option<Vec<String>>, StepFailure> {
    the_box
        .entrypoint
        .as_deref()
        .map(|e| split_words(e, "entrypoint"))
        .transpose()
}

fn split_words(text: &str, what: &str) -> Result<Vec<String>, StepFailure> {
    shlex::split(text)
        .filter(|words| !words.is_empty())
        .ok_or_else(|| StepFailure::failed(format!("the box's {what} cannot be split: {text}")))
}

fn host_path(path: &Path) -> Result<&str, StepFailure> {
    path.to_str()
        .ok_or_else(|| StepFailure::failed(format!("path is not valid UTF-8: {}", path.display())))
}

fn failed(what: String, error: DockerError) -> StepFailure {
    StepFailure::failed(format!("{what}: {}", docker_message(&error)))
}

/// The image a run's box is saved as.
pub(crate) fn saved_image(run_id: &str) -> String {
    format!("{SAVED_REPOSITORY}:{run_id}")
}

/// Removes the saved box of run `run_id`, if there is one.
pub(crate) async fn forget_saved(docker: &Docker, run_id: &str) -> Result<(), String> {
    let image = saved_image(run_id);
    let options = RemoveImageOptions {
        force: true,
        ..Default::default()
    };
    match docker.remove_image(&image, Some(options), None).await {
        Ok(_) => Ok(()),
        Err(e) if is_not_found(&e) => Ok(()),
        Err(e) => Err(docker_message(&e)),
    }
}

/// Whether the engine answered that the thing asked for does not exist.
pub(crate) fn is_not_found(error: &DockerError) -> bool {
    matches!(
        error,
        DockerError::DockerResponseServerError {
            status_code: 404,
            ..
        }
    )
}

/// The engine's own message for an error it answered, else the error itself.
pub(crate) fn docker_message(error: &DockerError) -> String {
    match error {
        DockerError::DockerResponseServerError { message, .. } => message.clone(),
        other => other.to_string(),
    }
}
