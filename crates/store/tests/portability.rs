//! What could differ between SQLite and PostgreSQL does not: text order and case folding
//! (whatever the database's locale), paging, concurrent upserts from two servers, and text
//! PostgreSQL cannot hold.

#[macro_use]
mod common;

use common::TestDb;
use werk_store::{AppOrder, Backend, NewApplication, PipelineSpec, Store, StoreError};

on_both_backends!(
    text_sorts_and_folds_byte_by_byte,
    negative_pages_read_alike,
    two_servers_upsert_the_same_rows_at_once,
    nul_characters,
);

fn build() -> PipelineSpec {
    PipelineSpec {
        name: "build".into(),
        pipeline_name: "build".into(),
        r#type: "git".into(),
    }
}

async fn app(store: &Store, owner: &str, name: &str) -> werk_store::ApplicationRow {
    store
        .create_application(
            &NewApplication {
                owner_id: owner.into(),
                name: name.into(),
                git_url: "/srv/repos/x".into(),
                source_kind: "git".into(),
                default_branch: "master".into(),
                privacy: "public".into(),
            },
            &[build()],
            "[]",
            "",
        )
        .await
        .unwrap()
}

async fn text_sorts_and_folds_byte_by_byte(db: TestDb) {
    let store = db.store;
    let alice = store.create_user("Alice").await.unwrap();
    for name in ["ab", "a_b", "A.b", "a-b"] {
        app(&store, &alice.id, name).await;
    }
    let names = |order| {
        let store = store.clone();
        let owner = alice.id.clone();
        async move {
            store
                .applications_of_owner(&owner, None, 10, 0, order)
                .await
                .unwrap()
                .into_iter()
                .map(|a| a.name)
                .collect::<Vec<_>>()
        }
    };
    // Byte order of the lowered names, as SQLite sorts; a locale's order would put `a_b`
    // first or ignore the punctuation.
    assert_eq!(names(AppOrder::NameAsc).await, ["a-b", "A.b", "a_b", "ab"]);
    assert_eq!(names(AppOrder::NameDesc).await, ["ab", "a_b", "A.b", "a-b"]);

    // Names match ignoring the case of ASCII letters only, as SQLite's lower() folds them.
    assert_eq!(
        store.user_by_name("aLICE").await.unwrap().unwrap().id,
        alice.id
    );
    let found = store
        .application_by_owner_name("ALICE", "a.B")
        .await
        .unwrap();
    assert_eq!(found.unwrap().name, "A.b");
    let emile = store.create_user("Émile").await.unwrap();
    assert_eq!(
        store.user_by_name("ÉMILE").await.unwrap().map(|u| u.id),
        Some(emile.id)
    );
    assert_eq!(store.user_by_name("émile").await.unwrap(), None);
    assert!(
        store.create_user("émile").await.is_ok(),
        "É and é are different letters to lower()"
    );
    assert!(matches!(
        store.create_user("ALICE").await,
        Err(StoreError::Conflict(_))
    ));

    for key in ["A_B", "AB", "A1"] {
        store
            .create_envvar("organization", &alice.id, key, "x", false)
            .await
            .unwrap();
    }
    let keys: Vec<String> = store
        .envvars_of("organization", &alice.id)
        .await
        .unwrap()
        .into_iter()
        .map(|v| v.key)
        .collect();
    assert_eq!(keys, ["A1", "AB", "A_B"]);
}

async fn negative_pages_read_alike(db: TestDb) {
    let store = db.store;
    let alice = store.create_user("alice").await.unwrap();
    for name in ["one", "two", "three"] {
        app(&store, &alice.id, name).await;
    }
    let all = store
        .applications_of_owner(&alice.id, None, -1, -5, AppOrder::NameAsc)
        .await
        .unwrap();
    assert_eq!(
        all.len(),
        3,
        "a negative limit is no limit, a negative skip none"
    );
    let last = store
        .visible_applications(None, i64::MAX, 2, AppOrder::NameAsc)
        .await
        .unwrap();
    assert_eq!(last.len(), 1);
    let site = &all[0];
    assert_eq!(
        store
            .pipelines_of_application(&site.id, -1, 0)
            .await
            .unwrap()
            .len(),
        1
    );
    assert!(
        store
            .workflows_of_application(&site.id, true, -1, -1)
            .await
            .unwrap()
            .is_empty()
    );
}

async fn two_servers_upsert_the_same_rows_at_once(db: TestDb) {
    let store = db.store.clone();
    let other = db.another_store().await;
    let alice = store.create_user("alice").await.unwrap();
    let bob = store.create_user("bob").await.unwrap();
    let org = store
        .create_organization("acme", "", &alice.id)
        .await
        .unwrap();
    let site = app(&store, &org.id, "site").await;
    let deploy = PipelineSpec {
        name: "deploy".into(),
        pipeline_name: "deploy".into(),
        r#type: "pipeline".into(),
    };
    let mut tasks = Vec::new();
    for round in 0..8 {
        for handle in [&store, &other] {
            let (handle, org, bob, site) = (
                handle.clone(),
                org.id.clone(),
                bob.id.clone(),
                site.id.clone(),
            );
            let specs = [build(), deploy.clone()];
            tasks.push(tokio::spawn(async move {
                let level = ["read", "execute"][round % 2];
                handle.set_collaborator(&site, &bob, level).await?;
                handle.set_member(&org, &bob, "member").await?;
                handle.sync_pipelines(&site, &specs, "[]", "hash").await
            }));
        }
    }
    for task in tasks {
        task.await.unwrap().unwrap();
    }
    assert_eq!(store.collaborators_of(&site.id).await.unwrap().len(), 1);
    assert_eq!(store.members_of(&org.id).await.unwrap().len(), 2);
    let pipelines = store
        .pipelines_of_application(&site.id, 10, 0)
        .await
        .unwrap();
    let names: Vec<&str> = pipelines.iter().map(|p| p.name.as_str()).collect();
    assert_eq!(names, ["build", "deploy"]);
    assert_eq!(
        (
            pipelines[1].permissions.as_str(),
            pipelines[1].set_scm_provider_status
        ),
        ("read", 0),
        "a pipeline inserted once keeps what it was created with"
    );
}

async fn nul_characters(db: TestDb) {
    let store = db.store;
    let alice = store.create_user("alice").await.unwrap();
    let stored = store
        .create_envvar("organization", &alice.id, "NUL", "a\0b", false)
        .await;
    match store.backend() {
        Backend::Sqlite => assert_eq!(stored.unwrap().value, "a\0b"),
        // PostgreSQL's text cannot hold NUL: the caller gets a refusal it can show.
        Backend::Postgres => assert!(matches!(stored, Err(StoreError::Invalid(_))), "{stored:?}"),
    }
    assert!(
        store
            .envvars_of("organization", &alice.id)
            .await
            .unwrap()
            .len()
            <= 1
    );
}
