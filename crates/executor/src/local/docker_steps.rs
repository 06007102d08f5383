//! Wercker's internal Docker steps, run against the run's box: `internal/docker-push`
//! makes an image of the box as the steps left it (source and output included, with the
//! `cmd`, `entrypoint`, `env`, `ports`, ... the step names) and pushes it.
//!
//! Property values expand `$VARS` against the pipeline environment (protected variables
//! included, typically the registry password), as Wercker expanded them.

use std::collections::HashMap;

use bollard::auth::DockerCredentials;
use tokio_util::sync::CancellationToken;
use werk_yml::Step;

use super::container::{ImageSettings, PushTarget, RunContainers};
use super::env::EnvVar;
use super::report::{Reporter, StepFailure};
use super::steps::StepResult;

/// Runs the internal step `step` in the run's box, or says why it cannot run.
pub(crate) async fn run(
    step: &Step,
    env: &[EnvVar],
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
            push(&Properties::of(step, env), boxed, order, rep, cancel).await
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

/// `internal/docker-push`.
async fn push(
    props: &Properties,
    boxed: &RunContainers,
    order: u32,
    rep: &Reporter,
    cancel: &CancellationToken,
) -> Result<(), String> {
    let repository = props
        .get("repository")
        .ok_or("internal/docker-push needs a repository")?
        .to_lowercase();
    if props.get("image-name").is_some() {
        return Err(
            "image-name names an image of internal/docker-build, which werk does not run yet"
                .into(),
        );
    }
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
    rep.line(
        order,
        &format!("Making an image of the box for {repository}"),
    )
    .await;
    let image = boxed.make_image(&repository, &tags[0], &settings).await?;
    let target = PushTarget {
        credentials: props.get("username").map(|username| DockerCredentials {
            username: Some(username),
            password: props.get("password"),
            email: props.get("email"),
            serveraddress: props.get("registry"),
            ..Default::default()
        }),
        repository,
        tags,
    };
    boxed.push(&image, &target, order, rep, cancel).await
}

/// A step's properties with `$VARS` expanded against the pipeline environment.
struct Properties(HashMap<String, String>);

impl Properties {
    fn of(step: &Step, env: &[EnvVar]) -> Properties {
        let lookup = |name: &str| {
            env.iter()
                .rev()
                .find(|v| v.key == name)
                .map(|v| v.value.clone())
        };
        Properties(
            step.properties
                .iter()
                .map(|(k, v)| (k.clone(), werk_yml::interpolate(v, lookup)))
                .collect(),
        )
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
