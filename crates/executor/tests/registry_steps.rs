//! Registry steps on real processes: found in a steps directory or fetched by git tag,
//! their manifest defaults and the user's properties exported, `init.sh` and `run.sh`
//! sourced; a step that cannot be found says where werk looked. Also the directory source
//! and the cache size cap, which share this file's kind of setup.

mod common;

use std::path::Path;

use common::{Fixture, finished, git, log_of, outcome, run};
use werk_executor::{Event, Outcome, Source};

/// Writes `files` under `dir`, creating directories.
fn write_all(dir: &Path, files: &[(&str, &str)]) {
    for (name, text) in files {
        let path = dir.join(name);
        std::fs::create_dir_all(path.parent().expect("parent")).expect("mkdir");
        std::fs::write(path, text).expect("write");
    }
}

const GREET_MANIFEST: &str = r#"
name: greet
version: 1.0.0
summary: says hello
properties:
  - name: greeting
    type: string
    default: hello
  - name: target
    default: nobody
  - name: loud
    default: false
  - name: exit-code
    default: "0"
"#;

const GREET_RUN: &str = r#"
echo "greeting=$WERCKER_GREET_GREETING target=$WERCKER_GREET_TARGET loud=$WERCKER_GREET_LOUD"
echo "undeclared=$WERCKER_GREET_EXTRA_THING init=$GREET_INIT_RAN"
[ -f "$WERCKER_STEP_ROOT/step.yml" ] && echo "files copied"
echo "owner=$WERCKER_STEP_OWNER name=$WERCKER_STEP_NAME"
(exit "$WERCKER_GREET_EXIT_CODE")
"#;

#[tokio::test]
async fn a_step_from_the_steps_dir_gets_its_properties() {
    let yml = r#"
build:
  steps:
    - script:
        name: set a variable
        code: export WHO=the-world
    - acme/greet@1.0.0:
        target: $WHO
        extra-thing: yes
    - acme/greet:
        name: highest version
    - acme/greet@1.0.0:
        name: failing
        exit-code: 3
"#;
    let fx = Fixture::new(&[("wercker.yml", yml)]);
    let steps = fx.dir.path().join("steps");
    for version in ["1.0.0", "0.9.0"] {
        let dir = steps.join("acme/greet").join(version);
        write_all(
            &dir,
            &[
                ("step.yml", GREET_MANIFEST),
                ("init.sh", "export GREET_INIT_RAN=yes\n"),
                ("run.sh", GREET_RUN),
            ],
        );
    }
    std::fs::write(steps.join("acme/greet/0.9.0/run.sh"), "echo old version\n").unwrap();

    let mut job = fx.job("build", "run");
    job.steps.dir = Some(steps.clone());
    let events = run(job).await;

    assert_eq!(outcome(&events), Outcome::Failed);
    let log = log_of(&events, 5);
    let from = steps.join("acme/greet/1.0.0");
    assert!(
        log.starts_with(&format!(
            "Using step acme/greet@1.0.0 from {}\n",
            from.display()
        )),
        "{log}"
    );
    assert!(
        log.contains("greeting=hello target=the-world loud=false\n"),
        "{log}"
    );
    assert!(log.contains("undeclared=true init=yes\n"), "{log}");
    assert!(
        log.contains("files copied\nowner=acme name=greet\n"),
        "{log}"
    );
    assert_eq!(finished(&events, 5), Some((Outcome::Passed, None)));

    // Unversioned, without a `latest` directory: the highest version there is.
    let log = log_of(&events, 6);
    assert!(log.contains(&from.display().to_string()), "{log}");
    assert!(log.contains("target=nobody"), "{log}");

    assert_eq!(
        finished(&events, 7),
        Some((
            Outcome::Failed,
            Some("Step failed with exit code: 3".to_owned())
        ))
    );
}

#[tokio::test]
async fn classic_wercker_step_yml_gives_defaults() {
    let yml = r#"
build:
  steps:
    - old/notify:
        url: https://example.org/hook
"#;
    let manifest = r##"
name: notify
version: 0.0.3
description: classic step
properties:
  url:
    type: string
    required: true
  notify_on:
    type: string
    default: all
  channel: {type: string, default: "#builds"}
"##;
    let fx = Fixture::new(&[("wercker.yml", yml)]);
    let steps = fx.dir.path().join("steps");
    write_all(
        &steps.join("old/notify/latest"),
        &[
            ("wercker-step.yml", manifest),
            (
                "run.sh",
                "echo \"$WERCKER_NOTIFY_URL on=$WERCKER_NOTIFY_NOTIFY_ON to=$WERCKER_NOTIFY_CHANNEL\"\n",
            ),
        ],
    );
    let mut job = fx.job("build", "run");
    job.steps.dir = Some(steps);
    let events = run(job).await;
    assert_eq!(outcome(&events), Outcome::Passed);
    let log = log_of(&events, 4);
    assert!(
        log.ends_with("https://example.org/hook on=all to=#builds\n"),
        "{log}"
    );
}

#[tokio::test]
async fn an_unknown_step_names_every_place_looked() {
    let yml = "build:\n  steps:\n    - acme/missing@1.0\n";
    let fx = Fixture::new(&[("wercker.yml", yml)]);
    let steps = fx.dir.path().join("steps");
    std::fs::create_dir_all(&steps).unwrap();
    let template = format!(
        "{}/git/{{owner}}/step-{{name}}.git",
        fx.dir.path().display()
    );
    let mut job = fx.job("build", "run");
    job.steps.dir = Some(steps.clone());
    job.steps.git_template = Some(template);
    job.steps.cache = Some(fx.dir.path().join("step-cache"));
    let events = run(job).await;

    assert_eq!(outcome(&events), Outcome::Failed);
    let url = format!("{}/git/acme/step-missing.git", fx.dir.path().display());
    let expected = format!(
        "step acme/missing@1.0 not found; looked in: {}/acme/missing/1.0 (not found); \
         no built-in step of that name; {url}: no tag 1.0 or v1.0 could be cloned",
        steps.display()
    );
    assert_eq!(
        finished(&events, 4),
        Some((Outcome::Failed, Some(expected)))
    );
    let log = log_of(&events, 4);
    assert!(
        log.contains("Cannot find step acme/missing@1.0. Looked in:\n  - "),
        "{log}"
    );
    // Nothing is left behind by the failed clones.
    let kept = fx.dir.path().join("step-cache/acme/missing");
    assert_eq!(std::fs::read_dir(kept).map_or(0, |d| d.count()), 0);
}

#[tokio::test]
async fn a_step_is_fetched_from_git_by_tag_and_kept() {
    let fx = Fixture::new(&[(
        "wercker.yml",
        "build:\n  steps:\n    - acme/hello@2.0.0:\n        who: tag\n    - acme/hello\n",
    )]);
    // The step's repository: tag v2.0.0, then a newer commit on its default branch.
    let src = fx.dir.path().join("step-src");
    std::fs::create_dir(&src).unwrap();
    git(&src, &["init", "-q", "-b", "main"]);
    let manifest = "name: hello\nversion: 2.0.0\nsummary: s\nproperties:\n  - name: who\n    default: nobody\n";
    write_all(
        &src,
        &[
            ("step.yml", manifest),
            ("run.sh", "echo \"tagged $WERCKER_HELLO_WHO\"\n"),
        ],
    );
    git(&src, &["add", "-A"]);
    git(&src, &["commit", "-q", "-m", "v2"]);
    git(&src, &["tag", "v2.0.0"]);
    write_all(&src, &[("run.sh", "echo \"main $WERCKER_HELLO_WHO\"\n")]);
    git(&src, &["commit", "-q", "-am", "newer"]);
    let bare = fx.dir.path().join("git/acme/step-hello.git");
    std::fs::create_dir_all(bare.parent().unwrap()).unwrap();
    git(
        fx.dir.path(),
        &[
            "clone",
            "-q",
            "--bare",
            src.to_str().unwrap(),
            bare.to_str().unwrap(),
        ],
    );

    let template = format!(
        "file://{}/git/{{owner}}/step-{{name}}.git",
        fx.dir.path().display()
    );
    let cache = fx.dir.path().join("step-cache");
    let job = |name: &str| {
        let mut job = fx.job("build", name);
        job.steps.git_template = Some(template.clone());
        job.steps.cache = Some(cache.clone());
        job
    };
    let events = run(job("run1")).await;
    assert_eq!(outcome(&events), Outcome::Passed);
    let url = format!("file://{}", bare.display());
    let log = log_of(&events, 4);
    assert!(
        log.contains(&format!(
            "Using step acme/hello@2.0.0 from {url}, tag v2.0.0\n"
        )),
        "{log}"
    );
    assert!(log.ends_with("tagged tag\n"), "{log}");
    let log = log_of(&events, 5);
    assert!(
        log.contains(&format!(
            "Using step acme/hello from {url}, its default branch\n"
        )),
        "{log}"
    );
    assert!(log.ends_with("main nobody\n"), "{log}");
    assert!(cache.join("acme/hello/2.0.0/run.sh").is_file());
    assert!(!cache.join("acme/hello/2.0.0/.git").exists());

    // A tagged step is taken from the cache from then on, even when its repository is gone.
    std::fs::remove_dir_all(&bare).unwrap();
    let events = run(job("run2")).await;
    let log = log_of(&events, 4);
    assert!(log.contains("fetched earlier"), "{log}");
    assert!(log.ends_with("tagged tag\n"), "{log}");
    let log = log_of(&events, 5);
    assert!(log.contains("Cannot fetch"), "{log}");
    assert!(log.ends_with("main nobody\n"), "{log}");
    assert_eq!(outcome(&events), Outcome::Passed);
}

#[tokio::test]
async fn a_directory_source_is_copied_as_it_is() {
    let yml = r#"
build:
  steps:
    - script:
        name: look
        code: |
          cat draft.txt
          test ! -e .git && echo "no .git"
          test ! -e .werk && echo "no .werk"
          test ! -e builds/run && echo "no work dir"
          test -L link && echo "link kept"
"#;
    let fx = Fixture::new(&[("wercker.yml", yml)]);
    let repo = fx.repo();
    write_all(
        &repo,
        &[("draft.txt", "not committed\n"), (".werk/data.db", "x")],
    );
    std::os::unix::fs::symlink("draft.txt", repo.join("link")).unwrap();
    let mut job = fx.job("build", "run");
    // The work dir inside the copied tree must not be copied into itself.
    job.work_dir = repo.join("builds/run");
    job.source = Source::Directory {
        path: repo.clone(),
        branch: "feature".to_owned(),
        commit: "0123abcd".to_owned(),
    };
    let events = run(job).await;

    assert_eq!(outcome(&events), Outcome::Passed);
    assert!(log_of(&events, 1).starts_with(&format!("Copying {}\n", repo.display())));
    let checked_out = events.iter().find_map(|e| match e {
        Event::CheckedOut {
            commit, message, ..
        } => Some((commit.clone(), message.clone())),
        _ => None,
    });
    assert_eq!(checked_out, Some(("0123abcd".to_owned(), String::new())));
    assert!(log_of(&events, 2).contains("WERCKER_GIT_BRANCH=feature\n"));
    assert_eq!(
        log_of(&events, 4),
        "not committed\nno .git\nno .werk\nno work dir\nlink kept\n"
    );
}

#[tokio::test]
async fn an_oversized_cache_is_emptied_after_the_run() {
    let yml = r#"
build:
  steps:
    - script:
        name: fill the cache
        code: head -c 5000 /dev/zero > "$WERCKER_CACHE_DIR/big"
  after-steps:
    - script:
        name: notify
        code: echo done
"#;
    let fx = Fixture::new(&[("wercker.yml", yml)]);
    let mut job = fx.job("build", "run");
    job.cache_limit_bytes = 1000;
    let cache = job.cache_dir.clone();
    let events = run(job.clone()).await;

    assert_eq!(outcome(&events), Outcome::Passed);
    // The last step that ran (the after-step, order 6) says so before it finishes.
    let line = "The cache holds 5.0 kB, more than its limit of 1.0 kB: it was emptied\n";
    assert_eq!(log_of(&events, 6), format!("done\n{line}"));
    let at = |f: &dyn Fn(&Event) -> bool| events.iter().position(f).expect("event");
    let logged =
        at(&|e| matches!(e, Event::Log { order: 6, data } if data.ends_with(line.as_bytes())));
    let ended = at(&|e| matches!(e, Event::StepFinished { order: 6, .. }));
    assert!(logged < ended);
    assert!(cache.is_dir());
    assert_eq!(std::fs::read_dir(&cache).unwrap().count(), 0);

    // Within the limit, the cache stays.
    job.cache_limit_bytes = 10_000;
    job.work_dir = fx.dir.path().join("run2");
    let events = run(job).await;
    assert_eq!(log_of(&events, 6), "done\n");
    assert!(cache.join("big").is_file());
}
