//! Wercker's internal Docker steps, run against the run's box: `internal/docker-build`
//! builds an image from a Dockerfile in the source; `internal/docker-push` pushes that image
//! (`image-name`) or makes one of the box as the steps left it (source and output included,
//! with the `cmd`, `entrypoint`, `env`, `ports`, ... the step names);
//! `internal/docker-scratch-push` pushes one layer holding the output;
//! `internal/store-container` saves the box;
//! `internal/docker-run` starts a container beside the box, reachable by its `name`, and
//! `internal/docker-kill` stops it.
//!
//! Property values expand `$VARS` against the pipeline environment (protected variables
//! included, typically the registry password), as Wercker expanded them.

use std::collections::HashMap;

use bollard::auth::DockerCredentials;
use tokio_util::sync::CancellationToken;
use werk_yml::Step;

use super::container::{BuildRequest, ImageSettings, PushTarget, RunContainers, SidecarRequest};
use super::env::EnvVar;
use super::report::{Reporter, StepFailure};
use super::setup::{Plan, lookup};
use super::steps::StepResult;

/// Runs the internal step `step` in the run's box, or says why it cannot run.
pub(crate) async fn run(
    step: &Step,
    plan: &Plan,
    boxed: Option<&RunContainers>,
    order: u32,
    rep: &Reporter,
    cancel: &CancellationToken,
) -> StepResult {
    let result = match (step.id.as_str(), boxed) {
        (_, None) => Err(format!(
            "step {} runs only in a box (werk serve --docker)",
            step.id
        )),
        ("internal/docker-push", Some(boxed)) => {
            let props = Properties::of(step, &plan.env);
            push(&props, Made::FromBox, boxed, order, rep, cancel).await
        }
        ("internal/docker-scratch-push", Some(boxed)) => {
            // The output, or the source when the output is empty, as the store step does.
            let output = &plan.paths.output;
            let empty = std::fs::read_dir(output).map_or(true, |mut d| d.next().is_none());
            let dir = if empty { &plan.paths.root } else { output };
            let props = Properties::of(step, &plan.env);
            push(&props, Made::FromDir(dir), boxed, order, rep, cancel).await
        }
        ("internal/store-container", Some(boxed)) => store_container(boxed, order, rep).await,
        ("internal/docker-build", Some(boxed)) => {
            let props = Properties::of(step, &plan.env);
            build(&props, plan, boxed, order, rep, cancel).await
        }
        ("internal/docker-run", Some(boxed)) => {
            let props = Properties::of(step, &plan.env);
            run_sidecar(&props, boxed, order, rep).await
        }
        ("internal/docker-kill", Some(boxed)) => {
            kill_sidecar(&Properties::of(step, &plan.env), boxed, order, rep).await
        }
        (id, Some(_)) => Err(format!("werk does not run step {id} yet")),
    };
    if cancel.is_cancelled() {
        return Err(StepFailure::aborted());
    }
    if let Err(message) = &result {
        rep.line(order, message).await;
    }
    result.map(|()| None).map_err(StepFailure::failed)
}

/// `internal/store-container`: saves the box now, for `GET /api/v2/builds/:id/docker`
/// (a passed run saves it again at its `store` step).
async fn store_container(boxed: &RunContainers, order: u32, rep: &Reporter) -> Result<(), String> {
    boxed.commit().await?;
    let saved = crate::DockerEngine::saved_image(boxed.run_id());
    rep.line(order, &format!("Saved the box as {saved}")).await;
    Ok(())
}

/// What `push` pushes when no `image-name` names an image of `internal/docker-build`.
enum Made<'a> {
    /// The box as the steps left it (`internal/docker-push`).
    FromBox,
    /// One layer holding this directory (`internal/docker-scratch-push`).
    FromDir(&'a std::path::Path),
}

/// `internal/docker-push` and `internal/docker-scratch-push`.
async fn push(
    props: &Properties,
    made: Made<'_>,
    boxed: &RunContainers,
    order: u32,
    rep: &Reporter,
    cancel: &CancellationToken,
) -> Result<(), String> {
    let repository = props
        .get("repository")
        .ok_or("a push needs a repository")?
        .to_lowercase();
    let mut tags = props.list("tag");
    if tags.is_empty() {
        tags.push("latest".to_owned());
    }
    let settings = ImageSettings {
        cmd: props.words("cmd")?,
        entrypoint: props.words("entrypoint")?,
        env: props.words("env")?.unwrap_or_default(),
        ports: props
            .list("ports")
            .into_iter()
            .map(|p| {
                if p.contains('/') {
                    p
                } else {
                    format!("{p}/tcp")
                }
            })
            .collect(),
        working_dir: props.get("working-dir"),
        labels: props
            .words("labels")?
            .unwrap_or_default()
            .into_iter()
            .filter_map(|l| l.split_once('=').map(|(k, v)| (k.to_owned(), v.to_owned())))
            .collect(),
        user: props.get("user"),
        stop_signal: props.get("stopsignal"),
        author: props.get("author"),
        message: props.get("message"),
    };
    let image = match props.get("image-name") {
        // An image of `internal/docker-build`, pushed as it was built.
        Some(name) => boxed.built_image_name(&name),
        None => match made {
            Made::FromBox => {
                rep.line(
                    order,
                    &format!("Making an image of the box for {repository}"),
                )
                .await;
                boxed.make_image(&repository, &tags[0], &settings).await?
            }
            Made::FromDir(dir) => {
                boxed
                    .import_dir(dir, &repository, &tags[0], &settings)
                    .await?
            }
        },
    };
    let target = PushTarget {
        credentials: props.credentials(),
        repository,
        tags,
    };
    boxed.push(&image, &target, order, rep, cancel).await
}

/// `internal/docker-build`.
async fn build(
    props: &Properties,
    plan: &Plan,
    boxed: &RunContainers,
    order: u32,
    rep: &Reporter,
    cancel: &CancellationToken,
) -> Result<(), String> {
    let image_name = props
        .get("image-name")
        .ok_or("internal/docker-build needs an image-name")?;
    // The context is the checkout (Wercker's fixed /pipeline/source), or a directory in it.
    let mut context = plan.paths.root.clone();
    if let Some(sub) = props.get("context") {
        let sub = sub.trim_start_matches("/pipeline/source").trim_matches('/');
        if sub.split('/').any(|part| part == "..") {
            return Err(format!("the context {sub} leaves the source directory"));
        }
        context = context.join(sub);
    }
    let pairs = |key: &str| -> Result<HashMap<String, String>, String> {
        Ok(props
            .words(key)?
            .unwrap_or_default()
            .into_iter()
            .filter_map(|kv| {
                kv.split_once('=')
                    .map(|(k, v)| (k.to_owned(), v.to_owned()))
            })
            .collect())
    };
    let request = BuildRequest {
        image_name,
        context,
        dockerfile: props.get("dockerfile"),
        build_args: pairs("build-args")?,
        labels: pairs("labels")?,
        extra_hosts: props.get("extra-hosts"),
        no_cache: props.get("no-cache").is_some_and(|v| v == "true"),
    };
    let built = boxed.build(&request, order, rep, cancel).await?;
    rep.line(order, &format!("Built {built}")).await;
    Ok(())
}

/// `internal/docker-run`.
async fn run_sidecar(
    props: &Properties,
    boxed: &RunContainers,
    order: u32,
    rep: &Reporter,
) -> Result<(), String> {
    let request = SidecarRequest {
        image: props
            .get("image")
            .ok_or("internal/docker-run needs an image")?,
        name: props
            .get("name")
            .ok_or("internal/docker-run needs a name for the container")?,
        cmd: props.words("cmd")?,
        entrypoint: props.words("entrypoint")?,
        env: props.words("env")?.unwrap_or_default(),
        working_dir: props.get("working-dir"),
        user: props.get("user"),
        credentials: props.credentials(),
    };
    boxed.run_sidecar(&request, order, rep).await
}

/// `internal/docker-kill`.
async fn kill_sidecar(
    props: &Properties,
    boxed: &RunContainers,
    order: u32,
    rep: &Reporter,
) -> Result<(), String> {
    let name = props
        .get("name")
        .ok_or("internal/docker-kill needs the name of a container")?;
    boxed.kill_sidecar(&name).await?;
    rep.line(order, &format!("Killed {name}")).await;
    Ok(())
}

/// A step's properties with `$VARS` expanded against the pipeline environment.
struct Properties(HashMap<String, String>);

impl Properties {
    fn of(step: &Step, env: &[EnvVar]) -> Properties {
        let lookup = |name: &str| lookup(env, name);
        Properties(
            step.properties
                .iter()
                .map(|(k, v)| (k.clone(), werk_yml::interpolate(v, lookup)))
                .collect(),
        )
    }

    /// The registry login the step names (`username`, `password`, `email`, `registry`).
    fn credentials(&self) -> Option<DockerCredentials> {
        self.get("username").map(|username| DockerCredentials {
            username: Some(username),
            password: self.get("password"),
            email: self.get("email"),
            serveraddress: self.get("registry"),
            ..Default::default()
        })
    }

    /// A property that is set and not blank.
    fn get(&self, key: &str) -> Option<String> {
        self.0
            .get(key)
            .map(|v| v.trim().to_owned())
            .filter(|v| !v.is_empty())
    }

    /// A list separated by spaces or commas (`tag`, `ports`).
    fn list(&self, key: &str) -> Vec<String> {
        self.get(key)
            .map(|v| {
                v.split([' ', ',', '\n', '\t'])
                    .filter(|s| !s.is_empty())
                    .map(str::to_owned)
                    .collect()
            })
            .unwrap_or_default()
    }

    /// Words split as a shell would (`cmd`, `entrypoint`, `env`, `labels`).
    fn words(&self, key: &str) -> Result<Option<Vec<String>>, String> {
        match self.get(key) {
            None => Ok(None),
            Some(text) => shlex::split(&text)
                .map(Some)
                .ok_or_else(|| format!("the {key} property cannot be split into words: {text}")),
        }
    }
}
