//! The run queue shared by several servers: two store handles on one database race to claim
//! the same queued runs, and each run is claimed exactly once.

#[macro_use]
mod common;

use std::collections::HashMap;
use std::sync::Arc;

use common::TestDb;
use werk_store::{
    NewApplication, NewItem, NewRun, NewWorkflow, PipelineSpec, RunPlacement, RunState, Store,
};

on_both_backends!(two_servers_never_claim_the_same_run);

/// Queued runs in the race.
const RUNS: usize = 40;

/// Inserts `RUNS` queued runs, each in a workflow of its own, and returns their ids.
async fn queue_runs(store: &Store) -> Vec<String> {
    let user = store.create_user("alice").await.unwrap();
    let app = store
        .create_application(
            &NewApplication {
                owner_id: user.id.clone(),
                name: "busy".into(),
                git_url: "/srv/repos/busy".into(),
                source_kind: "git".into(),
                default_branch: "master".into(),
                privacy: "public".into(),
            },
            &[PipelineSpec {
                name: "build".into(),
                pipeline_name: "build".into(),
                r#type: "git".into(),
            }],
            "[]",
            "",
        )
        .await
        .unwrap();
    let pipeline = store
        .pipeline_by_name(&app.id, "build")
        .await
        .unwrap()
        .unwrap();
    let mut ids = Vec::with_capacity(RUNS);
    for _ in 0..RUNS {
        let workflow = NewWorkflow {
            application_id: app.id.clone(),
            definition: "build".into(),
            trigger: "git".into(),
            branch: "master".into(),
            commit_hash: String::new(),
            message: String::new(),
            source_run_id: None,
            user_id: user.id.clone(),
            items: vec![NewItem {
                target_name: "build".into(),
                pipeline_id: pipeline.id.clone(),
                parent: None,
            }],
        };
        let run = NewRun {
            application_id: app.id.clone(),
            pipeline_id: pipeline.id.clone(),
            source_run_id: None,
            user_id: user.id.clone(),
            kind: "build".into(),
            branch: "master".into(),
            commit_hash: String::new(),
            message: String::new(),
            env_vars: "[]".into(),
            status: "notstarted".into(),
            tag: String::new(),
        };
        let placement = RunPlacement::NewWorkflow {
            workflow,
            run_item: 0,
        };
        ids.push(store.insert_run(&run, placement).await.unwrap().id);
    }
    ids
}

/// What a dispatcher does: take the oldest queued runs and claim them one by one, until none
/// is left. Returns the runs it won and how many claims it lost.
async fn dispatcher(store: Store, start: Arc<tokio::sync::Barrier>) -> (Vec<String>, usize) {
    let running = RunState {
        status: "running".into(),
        result: "unknown".into(),
        progress: 0,
        current_step: Some(1),
        total_steps: None,
        step_name: Some("get code".into()),
    };
    let (mut won, mut lost) = (Vec::new(), 0);
    start.wait().await;
    loop {
        let queued = store.queued_runs(4).await.unwrap();
        if queued.is_empty() {
            return (won, lost);
        }
        for run in queued {
            match store
                .set_run_state(&run.id, &["notstarted"], &running)
                .await
                .unwrap()
            {
                Some(claimed) => {
                    assert_eq!(claimed.status, "running");
                    won.push(claimed.id);
                }
                None => lost += 1,
            }
        }
    }
}

async fn two_servers_never_claim_the_same_run(db: TestDb) {
    let ids = queue_runs(&db.store).await;
    let second = db.another_store().await;
    let start = Arc::new(tokio::sync::Barrier::new(2));
    let first = tokio::spawn(dispatcher(db.store.clone(), start.clone()));
    let second = tokio::spawn(dispatcher(second, start));
    let (first, second) = (first.await.unwrap(), second.await.unwrap());
    eprintln!(
        "first won {} (lost {}), second won {} (lost {})",
        first.0.len(),
        first.1,
        second.0.len(),
        second.1
    );

    let mut claims: HashMap<String, usize> = HashMap::new();
    for id in first.0.iter().chain(&second.0) {
        *claims.entry(id.clone()).or_default() += 1;
    }
    let twice: Vec<_> = claims.iter().filter(|(_, n)| **n > 1).collect();
    assert!(twice.is_empty(), "runs claimed more than once: {twice:?}");
    assert_eq!(claims.len(), RUNS, "every queued run was claimed");
    for id in &ids {
        let run = db.store.run_by_id(id).await.unwrap().unwrap();
        assert_eq!(run.status, "running");
        let item = db.store.item_by_id(&run.item_id).await.unwrap().unwrap();
        assert_eq!(
            item.status, "running",
            "the workflow item mirrors the claim"
        );
    }
    assert!(db.store.queued_runs(10).await.unwrap().is_empty());
}
