//! The environment a step sees, dumped with `env -0` inside script steps, a registry step and
//! an after-step: every variable the local executor promises (the pipeline variables, the
//! job's variables, each step's own and the after-steps' result) is there, with its value
//! wherever the test can know it.

mod common;

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use common::{Fixture, finished, git, outcome, run};
use werk_executor::{Job, Outcome, RunKind};

/// The steps of one pipeline: a script step and a registry step dumping their environment,
/// a step that fails when `BREAK_ON_PURPOSE` is set, and an after-step dumping its own.
fn pipeline(name: &str, dumps: &Path) -> String {
    let dumps = dumps.display();
    format!(
        r#"
{name}:
  steps:
    - script:
        name: dump main
        code: env -0 > "{dumps}/main"
    - acme/dump-env@1.0.0:
        label: from the yml
    - script:
        name: maybe fail
        code: |
          [ -z "$BREAK_ON_PURPOSE" ] || fail "broke on purpose"
  after-steps:
    - script:
        name: dump after
        code: env -0 > "{dumps}/after"
"#
    )
}

const DUMP_MANIFEST: &str =
    "name: dump-env\nversion: 1.0.0\nproperties:\n  - name: label\n    default: none\n";

/// A repository whose wercker.yml has a `build` and a `deploy` pipeline built by
/// [`pipeline`], with `source-dir: src`, and whose head is tagged `v1.2.3`; a steps
/// directory holding `acme/dump-env`. Returns the fixture and the head commit.
fn fixture() -> (Fixture, String) {
    let fx = Fixture::new(&[("src/keep.txt", "kept")]);
    let dumps = fx.dir.path().join("dumps");
    std::fs::create_dir(&dumps).unwrap();
    let yml = format!(
        "source-dir: src\n{}{}",
        pipeline("build", &dumps),
        pipeline("deploy", &dumps)
    );
    let head = fx.commit(&[("wercker.yml", &yml)], "add yml");
    git(&fx.repo(), &["tag", "v1.2.3"]);

    let step = fx.dir.path().join("steps/acme/dump-env/1.0.0");
    std::fs::create_dir_all(&step).unwrap();
    std::fs::write(step.join("step.yml"), DUMP_MANIFEST).unwrap();
    let run_sh = format!("env -0 > \"{}/registry\"\n", dumps.display());
    std::fs::write(step.join("run.sh"), run_sh).unwrap();
    (fx, head)
}

/// What an engine passes in `job.env` for a run of `kind`, ending with a user variable whose
/// value holds every character the export quoting must carry over as it is.
fn engine_env(kind: RunKind) -> Vec<(String, String)> {
    let run_id = "5f0c1d2e3a4b5c6d7e8f9a0b";
    let run_url = format!("https://werk.example.org/ada/site/runs/build/{run_id}");
    let legacy = match kind {
        RunKind::Build => "BUILD",
        RunKind::Deploy => "DEPLOY",
    };
    let mut env: Vec<(String, String)> = [
        ("WERCKER_APPLICATION_ID", "60aa0b1c2d3e4f5a6b7c8d9e"),
        ("WERCKER_APPLICATION_NAME", "site"),
        ("WERCKER_APPLICATION_OWNER_NAME", "ada"),
        (
            "WERCKER_APPLICATION_URL",
            "https://werk.example.org/ada/site",
        ),
        ("WERCKER_RUN_ID", run_id),
        ("WERCKER_RUN_URL", &run_url),
        ("WERCKER_GIT_DOMAIN", "git.example.org"),
        ("WERCKER_GIT_OWNER", "ada"),
        ("WERCKER_GIT_REPOSITORY", "site"),
        ("WERCKER_STARTED_BY", "Ada \"the first\" Lovelace"),
        ("WERCKER_MAIN_PIPELINE_STARTED", "1399372237"),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_owned(), v.to_owned()))
    .collect();
    env.push((format!("WERCKER_{legacy}_ID"), run_id.to_owned()));
    env.push((format!("WERCKER_{legacy}_URL"), run_url.clone()));
    if kind == RunKind::Deploy {
        env.push(("WERCKER_DEPLOYTARGET_NAME".to_owned(), "deploy".to_owned()));
    }
    env.push((
        "USER_TEXT".to_owned(),
        r#"back\slash, `ticks`, 'single' and "double""#.to_owned(),
    ));
    env
}

/// The job for `kind` (pipeline `build` or `deploy`), with the engine's variables.
fn job(fx: &Fixture, kind: RunKind, run_dir: &str) -> Job {
    let pipeline = match kind {
        RunKind::Build => "build",
        RunKind::Deploy => "deploy",
    };
    let mut job = fx.job(pipeline, run_dir);
    job.kind = kind;
    job.env = engine_env(kind);
    job.steps.dir = Some(fx.dir.path().join("steps"));
    job
}

/// The variables in the dump `name`, written by `env -0`.
fn dump(fx: &Fixture, name: &str) -> HashMap<String, String> {
    let path = fx.dir.path().join("dumps").join(name);
    let bytes = std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    String::from_utf8(bytes)
        .expect("UTF-8 environment")
        .split('\0')
        .filter(|entry| !entry.is_empty())
        .map(|entry| {
            let (key, value) = entry.split_once('=').expect("NAME=value");
            (key.to_owned(), value.to_owned())
        })
        .collect()
}

/// Asserts that `env` has `key` set to `want`.
fn has(env: &HashMap<String, String>, key: &str, want: &str) {
    assert_eq!(env.get(key).map(String::as_str), Some(want), "{key}");
}

fn path(p: PathBuf) -> String {
    p.to_str().expect("UTF-8 path").to_owned()
}

/// The pipeline variables every step of a run of `job` sees, whatever the step.
fn assert_pipeline_env(env: &HashMap<String, String>, job: &Job, head: &str) {
    let work = &job.work_dir;
    has(env, "WERCKER", "true");
    has(env, "WERCKER_ROOT", &path(work.join("source")));
    has(env, "WERCKER_SOURCE_DIR", &path(work.join("source/src")));
    has(env, "WERCKER_CACHE_DIR", &path(job.cache_dir.clone()));
    has(env, "WERCKER_OUTPUT_DIR", &path(work.join("output")));
    has(env, "WERCKER_PIPELINE_DIR", &path(work.clone()));
    has(env, "WERCKER_REPORT_DIR", &path(work.join("report")));
    has(env, "WERCKER_GIT_BRANCH", "main");
    has(env, "WERCKER_GIT_COMMIT", head);
    has(env, "WERCKER_GIT_TAG", "v1.2.3");
    has(env, "TERM", "xterm-256color");
    match job.kind {
        RunKind::Build => {
            has(env, "BUILD", "true");
            has(env, "CI", "true");
            assert!(!env.contains_key("DEPLOY"), "no DEPLOY in a build run");
        }
        RunKind::Deploy => {
            // Wercker's deploy-type runs had no CI variable either.
            has(env, "DEPLOY", "true");
            assert!(!env.contains_key("BUILD"), "no BUILD in a deploy run");
            assert!(!env.contains_key("CI"), "no CI in a deploy run");
        }
    }
    // The engine's variables arrive exactly as given.
    for (key, value) in &job.env {
        has(env, key, value);
    }
    // Each step starts in the source dir.
    has(env, "PWD", &path(work.join("source/src")));
}

/// The variables of step `id` (`<name>-<order>`) of a run of `job`, owned by `owner`.
fn assert_step_env(env: &HashMap<String, String>, job: &Job, owner: &str, name: &str, id: &str) {
    let report = job.work_dir.join("report").join(id);
    has(
        env,
        "WERCKER_STEP_ROOT",
        &path(job.work_dir.join("steps").join(id)),
    );
    has(env, "WERCKER_STEP_ID", id);
    has(env, "WERCKER_STEP_OWNER", owner);
    has(env, "WERCKER_STEP_NAME", name);
    has(
        env,
        "WERCKER_REPORT_NUMBERS_FILE",
        &path(report.join("numbers.ini")),
    );
    has(
        env,
        "WERCKER_REPORT_MESSAGE_FILE",
        &path(report.join("message.txt")),
    );
    has(
        env,
        "WERCKER_REPORT_ARTIFACTS_DIR",
        &path(report.join("artifacts")),
    );
    assert!(report.join("artifacts").is_dir(), "{id}: artifacts dir");
}

#[tokio::test]
async fn a_build_run_exports_every_promised_variable() {
    let (fx, head) = fixture();
    let job = job(&fx, RunKind::Build, "run");
    let events = run(job.clone()).await;
    assert_eq!(outcome(&events), Outcome::Passed, "{events:?}");

    let main = dump(&fx, "main");
    assert_pipeline_env(&main, &job, &head);
    assert_step_env(&main, &job, "wercker", "script", "script-4");
    assert!(!main.contains_key("WERCKER_RESULT"), "only after-steps");

    let registry = dump(&fx, "registry");
    assert_pipeline_env(&registry, &job, &head);
    assert_step_env(&registry, &job, "acme", "dump-env", "dump-env-5");
    has(&registry, "WERCKER_DUMP_ENV_LABEL", "from the yml");
    // A step's properties are its own: the next step does not see them.
    assert!(!main.contains_key("WERCKER_DUMP_ENV_LABEL"));

    // Order 6 is `maybe fail`, 7 `store`, 8 the after-step.
    let after = dump(&fx, "after");
    assert_pipeline_env(&after, &job, &head);
    assert_step_env(&after, &job, "wercker", "script", "script-8");
    has(&after, "WERCKER_RESULT", "passed");
    assert!(!after.contains_key("WERCKER_FAILED_STEP_DISPLAY_NAME"));
    assert!(!after.contains_key("WERCKER_FAILED_STEP_MESSAGE"));
}

#[tokio::test]
async fn a_deploy_run_has_deploy_instead_of_build_and_ci() {
    let (fx, head) = fixture();
    let job = job(&fx, RunKind::Deploy, "run");
    let events = run(job.clone()).await;
    assert_eq!(outcome(&events), Outcome::Passed, "{events:?}");

    let main = dump(&fx, "main");
    assert_pipeline_env(&main, &job, &head);
    assert_step_env(&main, &job, "wercker", "script", "script-4");
    has(&main, "WERCKER_DEPLOYTARGET_NAME", "deploy");
    assert_pipeline_env(&dump(&fx, "after"), &job, &head);
}

#[tokio::test]
async fn after_steps_of_a_failed_run_see_which_step_failed_and_why() {
    let (fx, head) = fixture();
    let mut job = job(&fx, RunKind::Build, "run");
    job.env
        .push(("BREAK_ON_PURPOSE".to_owned(), "yes".to_owned()));
    let events = run(job.clone()).await;
    assert_eq!(outcome(&events), Outcome::Failed);
    assert_eq!(
        finished(&events, 6),
        Some((Outcome::Failed, Some("broke on purpose".to_owned())))
    );

    let after = dump(&fx, "after");
    assert_pipeline_env(&after, &job, &head);
    assert_step_env(&after, &job, "wercker", "script", "script-8");
    has(&after, "WERCKER_RESULT", "failed");
    has(&after, "WERCKER_FAILED_STEP_DISPLAY_NAME", "maybe fail");
    has(&after, "WERCKER_FAILED_STEP_MESSAGE", "broke on purpose");
}
