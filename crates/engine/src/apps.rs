//! Creating applications and refreshing their pipelines from wercker.yml.

use werk_store::{ApplicationRow, NewApplication, NewItem, NewWorkflow, UserRow};

use crate::definitions::{Definitions, chain_from};
use crate::{Engine, EngineError, EngineResult, repo};

/// A request to create an application.
#[derive(Debug, Clone)]
pub struct NewApplicationRequest {
    /// Application name.
    pub name: String,
    /// Clone URL or local path of the repository.
    pub git_url: String,
    /// Branch whose wercker.yml defines the pipelines.
    pub branch: String,
    /// `public` or `private`.
    pub privacy: String,
    /// Where runs get the code: a git repository, or a directory copied as it is.
    pub source: AppSource,
    /// Whether passed runs start the pipelines chained after them by `workflows:`; off for
    /// `werk build`, which runs one pipeline.
    pub chain_workflows: bool,
}

/// Where an application's code comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AppSource {
    /// A git repository (URL or path), cloned into a mirror and checked out per run.
    Git,
    /// A directory on this machine, copied with its uncommitted changes.
    Directory,
}

impl AppSource {
    /// The name stored with the application.
    pub fn as_str(self) -> &'static str {
        match self {
            AppSource::Git => "git",
            AppSource::Directory => "directory",
        }
    }
}

impl Engine {
    /// Creates an application owned by `owner` from the wercker.yml at the head of its
    /// branch: one pipeline per yml pipeline, and the workflows of the file. A repository
    /// without a wercker.yml gets a `build` pipeline.
    ///
    /// # Errors
    /// [`EngineError::Invalid`] for a bad name, URL or privacy; [`EngineError::Conflict`]
    /// when the owner has an application of that name; [`EngineError::Unprocessable`] when
    /// the repository cannot be read, has no such branch, or its wercker.yml is invalid (the
    /// message names file, line and column). Nothing is stored on error.
    pub async fn create_application(
        &self,
        owner: &UserRow,
        request: &NewApplicationRequest,
    ) -> EngineResult<ApplicationRow> {
        validate_name(&request.name)?;
        if request.git_url.trim().is_empty() {
            return Err(EngineError::Invalid("the git url is empty".into()));
        }
        if !matches!(request.privacy.as_str(), "public" | "private") {
            return Err(EngineError::Invalid(format!(
                "privacy must be one of public, private (got {:?})",
                request.privacy
            )));
        }
        if self
            .store
            .application_by_owner_name(&owner.username, &request.name)
            .await?
            .is_some()
        {
            return Err(EngineError::Conflict(format!(
                "application {}/{} already exists",
                owner.username, request.name
            )));
        }
        let mut definitions = match request.source {
            AppSource::Git => {
                self.read_definitions(&request.git_url, &request.branch)
                    .await?
            }
            AppSource::Directory => read_directory_definitions(&request.git_url).await?,
        };
        if !request.chain_workflows {
            definitions.workflows.clear();
        }
        let app = self
            .store
            .create_application(
                &NewApplication {
                    owner_id: owner.id.clone(),
                    name: request.name.clone(),
                    git_url: request.git_url.clone(),
                    source_kind: request.source.as_str().to_string(),
                    default_branch: request.branch.clone(),
                    privacy: request.privacy.clone(),
                },
                &definitions.pipelines,
                &definitions.workflows_json(),
                &definitions.yml_hash,
            )
            .await?;
        self.replace_placeholder_workflows(&app, &owner.id, &definitions)
            .await?;
        Ok(app)
    }

    /// Refreshes an application's pipelines and workflows from a wercker.yml a checkout
    /// found, when it differs from the last one read. An invalid file changes nothing: the
    /// run that found it fails in `setup environment` and says why.
    pub(crate) async fn refresh_definitions(
        &self,
        app: &ApplicationRow,
        user_id: &str,
        text: &str,
    ) -> EngineResult<()> {
        if crate::definitions::yml_hash(text) == app.yml_hash {
            return Ok(());
        }
        let Ok(config) = werk_yml::parse("wercker.yml", text) else {
            return Ok(());
        };
        let definitions = Definitions::from_config(&config, text);
        self.store
            .sync_pipelines(
                &app.id,
                &definitions.pipelines,
                &definitions.workflows_json(),
                &definitions.yml_hash,
            )
            .await?;
        self.replace_placeholder_workflows(app, user_id, &definitions)
            .await
    }

    async fn read_definitions(&self, git_url: &str, branch: &str) -> EngineResult<Definitions> {
        let mirror = repo::mirror_dir(self.data_dir(), git_url);
        repo::update_mirror(&mirror, git_url).await.map_err(|e| {
            EngineError::Unprocessable(format!("cannot read the repository {git_url:?}: {e}"))
        })?;
        match repo::read_yml(&mirror, branch).await? {
            None => Ok(Definitions::without_yml()),
            Some((file, text)) => {
                Definitions::parse(&file, &text, &format!("in branch {branch:?}"))
            }
        }
    }

    /// Gives each workflow that has never run a placeholder, so that its pipeline ids can be
    /// found in the workflow list before the first run, as scripts written for Wercker do.
    async fn replace_placeholder_workflows(
        &self,
        app: &ApplicationRow,
        user_id: &str,
        definitions: &Definitions,
    ) -> EngineResult<()> {
        let pipelines = self
            .store
            .pipelines_of_application(&app.id, 1000, 0)
            .await?;
        let mut placeholders = Vec::new();
        for workflow in &definitions.workflows {
            let Some(root) = workflow.nodes.iter().find(|n| n.requires.is_empty()) else {
                continue;
            };
            let (definition, chain) =
                chain_from(&definitions.workflows, Some(&workflow.name), &root.name);
            let items: Option<Vec<NewItem>> = chain
                .iter()
                .map(|(node, parent)| {
                    pipelines
                        .iter()
                        .find(|p| p.name == node.name)
                        .map(|p| NewItem {
                            target_name: node.name.clone(),
                            pipeline_id: p.id.clone(),
                            parent: *parent,
                        })
                })
                .collect();
            let Some(items) = items else { continue };
            placeholders.push(NewWorkflow {
                application_id: app.id.clone(),
                definition,
                trigger: "git".into(),
                branch: app.default_branch.clone(),
                commit_hash: String::new(),
                message: String::new(),
                source_run_id: None,
                user_id: user_id.to_string(),
                items,
            });
        }
        Ok(self
            .store
            .replace_pending_workflows(&app.id, &placeholders)
            .await?)
    }
}

/// What the wercker.yml of a working tree defines.
async fn read_directory_definitions(dir: &str) -> EngineResult<Definitions> {
    for name in repo::YML_NAMES {
        let path = std::path::Path::new(dir).join(name);
        match tokio::fs::read_to_string(&path).await {
            Ok(text) => {
                return Definitions::parse(name, &text, &format!("in {dir}"));
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => continue,
            Err(e) => {
                return Err(EngineError::Unprocessable(format!(
                    "cannot read {}: {e}",
                    path.display()
                )));
            }
        }
    }
    Err(EngineError::Unprocessable(format!(
        "no wercker.yml in {dir}"
    )))
}

fn validate_name(name: &str) -> EngineResult<()> {
    let ok = !name.is_empty()
        && name.len() <= 100
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-'))
        && !name.starts_with('.');
    if ok {
        Ok(())
    } else {
        Err(EngineError::Invalid(format!(
            "application name {name:?} must be 1 to 100 letters, digits, '.', '_' or '-', not starting with '.'"
        )))
    }
}
