//! Helpers for the executor's tests: real git repositories in temporary directories, jobs
//! pointing into them, and a collector for the events of a run.
#![allow(dead_code)]

pub mod docker;

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

use tempfile::TempDir;
use tokio::sync::mpsc;
use tokio_util::sync::CancellationToken;
use werk_executor::{
    Event, Executor, Job, Limits, LocalExecutor, Outcome, PlannedStep, RunKind, Source, StepSources,
};

/// Runs git in `dir`, panicking with its stderr when it fails.
pub fn git(dir: &Path, args: &[&str]) -> String {
    let out = Command::new("git")
        .arg("-C")
        .arg(dir)
        .args(["-c", "user.name=t", "-c", "user.email=t@t"])
        .args(args)
        .output()
        .expect("git runs");
    assert!(
        out.status.success(),
        "git {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).trim().to_owned()
}

/// A temporary directory holding a repository (`repo/`) and room for runs.
pub struct Fixture {
    pub dir: TempDir,
}

impl Fixture {
    /// A repository on branch `main` with `files` committed as "initial commit".
    pub fn new(files: &[(&str, &str)]) -> Fixture {
        let dir = tempfile::tempdir().expect("tempdir");
        let repo = dir.path().join("repo");
        std::fs::create_dir(&repo).expect("mkdir repo");
        git(&repo, &["init", "-q", "-b", "main"]);
        let fixture = Fixture { dir };
        fixture.commit(files, "initial commit\n\nwith a body");
        fixture
    }

    pub fn repo(&self) -> PathBuf {
        self.dir.path().join("repo")
    }

    /// Writes `files` and commits them; returns the commit.
    pub fn commit(&self, files: &[(&str, &str)], message: &str) -> String {
        let repo = self.repo();
        for (name, text) in files {
            let path = repo.join(name);
            std::fs::create_dir_all(path.parent().expect("parent")).expect("mkdir");
            std::fs::write(path, text).expect("write file");
        }
        git(&repo, &["add", "-A"]);
        git(&repo, &["commit", "-q", "--allow-empty", "-m", message]);
        git(&repo, &["rev-parse", "HEAD"])
    }

    /// A job building `pipeline` from the head of `main`, in a work dir named `run`.
    pub fn job(&self, pipeline: &str, run: &str) -> Job {
        let base = self.dir.path();
        Job {
            run_id: "0123456789abcdef01234567".to_owned(),
            pipeline: pipeline.to_owned(),
            source: Source::Git {
                url: self.repo().to_string_lossy().into_owned(),
                branch: "main".to_owned(),
                commit: None,
                mirror: base.join("mirror.git"),
            },
            kind: RunKind::Build,
            env: vec![(
                "WERCKER_RUN_ID".to_owned(),
                "0123456789abcdef01234567".to_owned(),
            )],
            work_dir: base.join(run),
            cache_dir: base.join("cache"),
            artifact_path: base.join(format!("{run}.tar")),
            limits: Limits::default(),
            steps: StepSources::default(),
            cache_limit_bytes: 1 << 30,
            yml_fallback: None,
            protected_keys: Vec::new(),
        }
    }
}

/// A running job whose events the test reads one by one.
pub struct Running {
    pub events: mpsc::Receiver<Event>,
    pub cancel: CancellationToken,
    pub seen: Vec<Event>,
}

/// Starts `job` on a [`LocalExecutor`]. The channel is small so that backpressure is real.
pub fn start(job: Job) -> Running {
    start_on(LocalExecutor::new(), job)
}

/// Starts `job` on `executor`.
pub fn start_on(executor: LocalExecutor, job: Job) -> Running {
    let (tx, rx) = mpsc::channel(4);
    let cancel = CancellationToken::new();
    let token = cancel.clone();
    tokio::spawn(async move { executor.run(job, tx, token).await });
    Running {
        events: rx,
        cancel,
        seen: Vec::new(),
    }
}

impl Running {
    /// The next event; panics when the run stalls for a minute (a hung test, not a check).
    pub async fn next(&mut self) -> Option<Event> {
        let event = tokio::time::timeout(Duration::from_secs(60), self.events.recv())
            .await
            .expect("the run stalled");
        if let Some(e) = &event {
            self.seen.push(e.clone());
        }
        event
    }

    /// Reads events until the log of step `order` contains `text`.
    pub async fn wait_for_log(&mut self, order: u32, text: &str) {
        loop {
            match self.next().await {
                Some(_) if log_of(&self.seen, order).contains(text) => return,
                Some(_) => {}
                None => panic!("the run ended before step {order} logged {text:?}"),
            }
        }
    }

    /// Reads the remaining events and returns all of them.
    pub async fn finish(mut self) -> Vec<Event> {
        while self.next().await.is_some() {}
        self.seen
    }
}

/// Runs `job` to its end and returns its events.
pub async fn run(job: Job) -> Vec<Event> {
    start(job).finish().await
}

/// The text of step `order`'s log.
pub fn log_of(events: &[Event], order: u32) -> String {
    let mut bytes = Vec::new();
    for e in events {
        if let Event::Log { order: o, data } = e
            && *o == order
        {
            bytes.extend_from_slice(data);
        }
    }
    String::from_utf8_lossy(&bytes).into_owned()
}

/// How step `order` finished, if it did.
pub fn finished(events: &[Event], order: u32) -> Option<(Outcome, Option<String>)> {
    events.iter().find_map(|e| match e {
        Event::StepFinished {
            order: o,
            outcome,
            message,
        } if *o == order => Some((*outcome, message.clone())),
        _ => None,
    })
}

/// The orders of the steps that started, in order.
pub fn started(events: &[Event]) -> Vec<u32> {
    events
        .iter()
        .filter_map(|e| match e {
            Event::StepStarted { order } => Some(*order),
            _ => None,
        })
        .collect()
}

/// The planned steps as `(order, name)`.
pub fn planned(events: &[Event]) -> Vec<(u32, String)> {
    events
        .iter()
        .find_map(|e| match e {
            Event::StepsPlanned(steps) => Some(
                steps
                    .iter()
                    .map(|PlannedStep { order, name, .. }| (*order, name.clone()))
                    .collect(),
            ),
            _ => None,
        })
        .unwrap_or_default()
}

/// The run's outcome; also checks that `Finished` is the last event and comes once.
pub fn outcome(events: &[Event]) -> Outcome {
    let finished: Vec<_> = events
        .iter()
        .filter(|e| matches!(e, Event::Finished { .. }))
        .collect();
    assert_eq!(finished.len(), 1, "one Finished event");
    match events.last() {
        Some(Event::Finished { outcome }) => *outcome,
        other => panic!("last event is not Finished: {other:?}"),
    }
}

/// The names of the entries of the tar at `path`.
pub fn tar_entries(path: &Path) -> Vec<String> {
    let file = std::fs::File::open(path).expect("artifact exists");
    let mut archive = tar::Archive::new(file);
    archive
        .entries()
        .expect("tar entries")
        .map(|e| {
            e.expect("tar entry")
                .path()
                .expect("entry path")
                .to_string_lossy()
                .into_owned()
        })
        .collect()
}

/// Whether process `pid` is gone (or a zombie waiting to be reaped).
pub fn process_gone(pid: i32) -> bool {
    match std::fs::read_to_string(format!("/proc/{pid}/stat")) {
        Err(_) => true,
        Ok(stat) => stat
            .rsplit_once(')')
            .is_some_and(|(_, rest)| rest.trim_start().starts_with('Z')),
    }
}
