//! The store's operations, on a fresh SQLite file and a fresh PostgreSQL database.

use werk_store::{
    NewApplication, NewItem, NewRun, NewWorkflow, PipelineSpec, RunFilter, RunPlacement, RunSort,
    RunState, StoreError,
};

#[macro_use]
mod common;

use common::TestDb;

on_both_backends!(
    users_and_tokens,
    trigger_claim_and_finish_a_run,
    applications_are_found_by_push_key,
    schedules_fall_due_and_one_server_advances_each
);

fn running_state() -> RunState {
    RunState {
        status: "running".into(),
        result: "unknown".into(),
        progress: 0,
        current_step: Some(1),
        total_steps: None,
        step_name: Some("get code".into()),
    }
}

fn spec(name: &str, kind: &str) -> PipelineSpec {
    PipelineSpec {
        name: name.into(),
        pipeline_name: name.into(),
        r#type: kind.into(),
    }
}

async fn users_and_tokens(db: TestDb) {
    let store = db.store.clone();
    let user = store.create_user("Admin").await.unwrap();
    assert!(matches!(
        store.create_user("admin").await,
        Err(StoreError::Conflict(_))
    ));
    let (token, plaintext) = store.create_token(&user.id, "cli").await.unwrap();
    assert_eq!(plaintext.len(), 64);
    assert_ne!(token.hash, plaintext, "only the hash is stored");
    assert_eq!(
        store.user_by_token(&plaintext).await.unwrap(),
        Some(user.clone())
    );
    assert_eq!(store.user_by_token("nope").await.unwrap(), None);
    assert_eq!(store.user_by_name("ADMIN").await.unwrap(), Some(user));
}

async fn trigger_claim_and_finish_a_run(db: TestDb) {
    let store = db.store.clone();
    let user = store.create_user("alice").await.unwrap();
    let app = store
        .create_application(
            &NewApplication {
                owner_id: user.id.clone(),
                name: "site".into(),
                git_url: "/srv/repos/site".into(),
                source_kind: "git".into(),
                default_branch: "master".into(),
                privacy: "private".into(),
            },
            &[spec("build", "git"), spec("deploy", "pipeline")],
            "[]",
            "",
        )
        .await
        .unwrap();
    let pipelines = store
        .pipelines_of_application(&app.id, 20, 0)
        .await
        .unwrap();
    assert_eq!(pipelines.len(), 2);
    let workflow = NewWorkflow {
        application_id: app.id.clone(),
        definition: "build".into(),
        trigger: "git".into(),
        branch: "master".into(),
        commit_hash: String::new(),
        message: String::new(),
        source_run_id: None,
        user_id: user.id.clone(),
        items: vec![
            NewItem {
                target_name: "build".into(),
                pipeline_id: pipelines[0].id.clone(),
                parent: None,
            },
            NewItem {
                target_name: "deploy".into(),
                pipeline_id: pipelines[1].id.clone(),
                parent: Some(0),
            },
        ],
    };
    store
        .replace_pending_workflows(&app.id, std::slice::from_ref(&workflow))
        .await
        .unwrap();
    assert_eq!(
        store
            .workflows_of_application(&app.id, false, 10, 0)
            .await
            .unwrap()
            .len(),
        1
    );

    let new_run = NewRun {
        application_id: app.id.clone(),
        pipeline_id: pipelines[0].id.clone(),
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
    let run = store
        .insert_run(
            &new_run,
            RunPlacement::NewWorkflow {
                workflow,
                run_item: 0,
            },
        )
        .await
        .unwrap();
    let workflows = store
        .workflows_of_application(&app.id, false, 10, 0)
        .await
        .unwrap();
    assert_eq!(workflows.len(), 1, "the placeholder workflow was replaced");
    let items = store.items_of_workflow(&workflows[0].id).await.unwrap();
    assert_eq!(items[0].run_id.as_deref(), Some(run.id.as_str()));
    assert_eq!(
        items[1].parent_item_id.as_deref(),
        Some(items[0].id.as_str())
    );

    assert_eq!(store.queued_runs(10).await.unwrap().len(), 1);
    assert!(
        store
            .set_run_state(&run.id, &[], &running_state())
            .await
            .unwrap()
            .is_none(),
        "no expected status matches nothing"
    );
    let running = running_state();
    let claimed = store
        .set_run_state(&run.id, &["notstarted"], &running)
        .await
        .unwrap()
        .unwrap();
    assert!(claimed.started_at.is_some());
    assert!(
        store
            .set_run_state(&run.id, &["notstarted"], &running)
            .await
            .unwrap()
            .is_none(),
        "a run is claimed once"
    );
    let finished = RunState {
        status: "finished".into(),
        result: "passed".into(),
        progress: 100,
        ..running
    };
    let done = store
        .set_run_state(&run.id, &["running"], &finished)
        .await
        .unwrap()
        .unwrap();
    assert!(done.finished_at.is_some());
    let item = store.item_by_id(&run.item_id).await.unwrap().unwrap();
    assert_eq!(
        (item.status.as_str(), item.result.as_str(), item.progress),
        ("finished", "passed", 100)
    );

    let filter = RunFilter {
        application_id: Some(app.id.clone()),
        result: Some("passed".into()),
        viewer: Some(Some(user.id.clone())),
        ..Default::default()
    };
    assert_eq!(
        store
            .list_runs(&filter, RunSort::default(), 10, 0)
            .await
            .unwrap()
            .len(),
        1
    );
    let by_author = RunFilter {
        author: Some("ALICE".into()),
        ..filter.clone()
    };
    assert_eq!(
        store
            .list_runs(&by_author, RunSort::default(), 10, 0)
            .await
            .unwrap()
            .len(),
        1,
        "the author is matched ignoring case"
    );
    let anonymous = RunFilter {
        viewer: Some(None),
        ..filter
    };
    assert!(
        store
            .list_runs(&anonymous, RunSort::default(), 10, 0)
            .await
            .unwrap()
            .is_empty(),
        "private runs are hidden"
    );
    // Spinnaker's filters: any of several pipelines, and activity since a time.
    let count = |filter: RunFilter| {
        let store = store.clone();
        async move { store.list_runs(&filter, RunSort::default(), 10, 0).await }
    };
    for (ids, expected) in [
        (vec![pipelines[0].id.clone(), pipelines[1].id.clone()], 1),
        (vec![pipelines[1].id.clone()], 0),
        (vec![], 0),
    ] {
        let filter = RunFilter {
            pipeline_ids: Some(ids),
            ..Default::default()
        };
        assert_eq!(count(filter).await.unwrap().len(), expected);
    }
    for (since, expected) in [(0, 1), (253_402_300_799_999, 0)] {
        let filter = RunFilter {
            active_since_ms: Some(since),
            ..Default::default()
        };
        assert_eq!(
            count(filter).await.unwrap().len(),
            expected,
            "since {since}"
        );
    }
    let too_late = RunFilter {
        active_since_ms: Some(i64::MAX),
        ..Default::default()
    };
    assert!(matches!(count(too_late).await, Err(StoreError::Invalid(_))));
    let visible = |viewer: Option<String>| {
        let store = store.clone();
        async move {
            store
                .visible_applications(viewer.as_deref(), 10, 0, Default::default())
                .await
                .unwrap()
                .len()
        }
    };
    assert_eq!(visible(None).await, 0, "the application is private");
    assert_eq!(visible(Some(user.id.clone())).await, 1);

    store
        .insert_steps(
            &run.id,
            &[
                (1, "get code".into(), "builtin".into()),
                (2, "setup environment".into(), "builtin".into()),
            ],
        )
        .await
        .unwrap();
    store
        .insert_steps(
            &run.id,
            &[
                (1, "get code".into(), "builtin".into()),
                (3, "wercker-init".into(), "main".into()),
            ],
        )
        .await
        .unwrap();
    store
        .set_step_state(&run.id, 1, "finished", "passed", None)
        .await
        .unwrap();
    let steps = store.steps_of_run(&run.id).await.unwrap();
    assert_eq!(steps.len(), 3);
    assert_eq!(steps[0].result, "passed");
    assert!(steps[0].finished_at.is_some());
}

async fn applications_are_found_by_push_key(db: TestDb) {
    let store = db.store.clone();
    let user = store.create_user("paula").await.unwrap();
    let mut keys = Vec::new();
    for name in ["one", "two"] {
        let app = store
            .create_application(
                &NewApplication {
                    owner_id: user.id.clone(),
                    name: name.into(),
                    git_url: "/srv/repos/x".into(),
                    source_kind: "git".into(),
                    default_branch: "main".into(),
                    privacy: "private".into(),
                },
                &[spec("build", "git")],
                "[]",
                "",
            )
            .await
            .unwrap();
        assert_eq!(app.push_key.len(), 32);
        assert!(app.push_key.bytes().all(|b| b.is_ascii_hexdigit()));
        let found = store.application_by_push_key(&app.push_key).await.unwrap();
        assert_eq!(found.map(|a| a.id), Some(app.id.clone()));
        keys.push(app.push_key);
    }
    assert_ne!(keys[0], keys[1]);
    assert_eq!(store.application_by_push_key("").await.unwrap(), None);
    let unknown = "0".repeat(32);
    assert_eq!(store.application_by_push_key(&unknown).await.unwrap(), None);
}

async fn schedules_fall_due_and_one_server_advances_each(db: TestDb) {
    let store = db.store.clone();
    let user = store.create_user("sam").await.unwrap();
    let app = store
        .create_application(
            &NewApplication {
                owner_id: user.id.clone(),
                name: "nightly".into(),
                git_url: "/srv/repos/n".into(),
                source_kind: "git".into(),
                default_branch: "main".into(),
                privacy: "private".into(),
            },
            &[spec("build", "git")],
            "[]",
            "",
        )
        .await
        .unwrap();
    let pipeline = &store
        .pipelines_of_application(&app.id, 10, 0)
        .await
        .unwrap()[0];
    let due = "2026-01-01T00:00:00.000Z";
    let later = "2026-01-02T00:00:00.000Z";
    let schedule = store
        .create_schedule(&pipeline.id, "0 0 * * *", "main", &user.id, due)
        .await
        .unwrap();
    assert_eq!(
        store.schedules_of_pipeline(&pipeline.id).await.unwrap(),
        std::slice::from_ref(&schedule)
    );
    assert_eq!(
        store.next_schedule_due().await.unwrap().as_deref(),
        Some(due)
    );
    assert!(
        store
            .due_schedules("2025-12-31T23:59:59.999Z")
            .await
            .unwrap()
            .is_empty()
    );
    assert_eq!(
        store.due_schedules(due).await.unwrap(),
        std::slice::from_ref(&schedule)
    );

    // Two servers see it due at once: one moves it on, the other's move finds it moved.
    let other = db.another_store().await;
    let (a, b) = tokio::join!(
        store.advance_schedule(&schedule.id, due, later),
        other.advance_schedule(&schedule.id, due, later),
    );
    assert!(a.unwrap() ^ b.unwrap(), "exactly one server starts the run");
    assert!(store.due_schedules(due).await.unwrap().is_empty());
    assert!(store.delete_schedule(&schedule.id).await.unwrap());
    assert!(!store.delete_schedule(&schedule.id).await.unwrap());
    assert_eq!(store.next_schedule_due().await.unwrap(), None);
}
