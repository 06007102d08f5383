//! Organizations, members, collaborators, visibility and variables in the store.

use werk_store::{AppOrder, NewApplication, PipelineSpec, Store, StoreError};

#[macro_use]
mod common;

use common::TestDb;

on_both_backends!(
    organizations_keep_an_admin_and_own_applications_members_see,
    variables_come_in_owner_application_pipeline_order_and_stay_protected,
    two_admins_stepping_down_at_once_leave_one
);

async fn app(store: &Store, owner: &str, name: &str, privacy: &str) -> werk_store::ApplicationRow {
    store
        .create_application(
            &NewApplication {
                owner_id: owner.into(),
                name: name.into(),
                git_url: "/srv/repos/x".into(),
                source_kind: "git".into(),
                default_branch: "master".into(),
                privacy: privacy.into(),
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
        .unwrap()
}

async fn organizations_keep_an_admin_and_own_applications_members_see(db: TestDb) {
    let store = db.store.clone();
    let alice = store.create_user("alice").await.unwrap();
    let bob = store.create_user("bob").await.unwrap();
    let carol = store.create_user("carol").await.unwrap();
    let org = store
        .create_organization("acme", "ops@acme.test", &alice.id)
        .await
        .unwrap();
    assert_eq!(org.kind, "organization");
    assert!(
        matches!(
            store.create_organization("ALICE", "", &bob.id).await,
            Err(StoreError::Conflict(_))
        ),
        "names are shared with users"
    );
    store.set_member(&org.id, &bob.id, "member").await.unwrap();
    assert_eq!(
        store
            .member_role(&org.id, &bob.id)
            .await
            .unwrap()
            .as_deref(),
        Some("member")
    );
    assert!(
        matches!(
            store.remove_member(&org.id, &alice.id).await,
            Err(StoreError::Invalid(_))
        ),
        "the last admin stays"
    );
    assert!(matches!(
        store.set_member(&org.id, &alice.id, "member").await,
        Err(StoreError::Invalid(_))
    ));
    assert_eq!(
        store
            .member_role(&org.id, &alice.id)
            .await
            .unwrap()
            .as_deref(),
        Some("admin"),
        "a refused change changes nothing"
    );
    let members: Vec<String> = store
        .members_of(&org.id)
        .await
        .unwrap()
        .into_iter()
        .map(|m| m.username)
        .collect();
    assert_eq!(members, ["alice", "bob"]);
    assert_eq!(
        store.organizations_of(&bob.id).await.unwrap()[0].username,
        "acme"
    );

    let private = app(&store, &org.id, "secret", "private").await;
    let public = app(&store, &org.id, "open", "public").await;
    let names = |apps: Vec<werk_store::ApplicationRow>| {
        apps.into_iter().map(|a| a.name).collect::<Vec<_>>()
    };
    assert_eq!(
        names(
            store
                .applications_of_owner(&org.id, Some(&bob.id), 10, 0, AppOrder::NameAsc)
                .await
                .unwrap()
        ),
        ["open", "secret"]
    );
    assert_eq!(
        names(
            store
                .applications_of_owner(&org.id, Some(&carol.id), 10, 0, AppOrder::NameAsc)
                .await
                .unwrap()
        ),
        ["open"]
    );
    assert_eq!(
        names(
            store
                .applications_of_owner(&org.id, None, 10, 0, AppOrder::NameDesc)
                .await
                .unwrap()
        ),
        ["open"]
    );
    store
        .set_collaborator(&private.id, &carol.id, "read")
        .await
        .unwrap();
    assert_eq!(
        store
            .collaborator_level(&private.id, &carol.id)
            .await
            .unwrap()
            .as_deref(),
        Some("read")
    );
    store
        .set_collaborator(&private.id, &carol.id, "execute")
        .await
        .unwrap();
    assert_eq!(
        store.collaborators_of(&private.id).await.unwrap()[0].level,
        "execute"
    );
    assert_eq!(
        names(
            store
                .applications_of_owner(&org.id, Some(&carol.id), 10, 0, AppOrder::NameAsc)
                .await
                .unwrap()
        ),
        ["open", "secret"]
    );
    store
        .remove_collaborator(&private.id, &carol.id)
        .await
        .unwrap();
    assert!(
        store
            .collaborator_level(&private.id, &carol.id)
            .await
            .unwrap()
            .is_none()
    );

    assert!(
        matches!(
            store.delete_organization(&org.id).await,
            Err(StoreError::Invalid(_))
        ),
        "it owns applications"
    );
    let _ = public;
}

async fn variables_come_in_owner_application_pipeline_order_and_stay_protected(db: TestDb) {
    let store = db.store.clone();
    let alice = store.create_user("alice").await.unwrap();
    let site = app(&store, &alice.id, "site", "private").await;
    let build = store
        .pipeline_by_name(&site.id, "build")
        .await
        .unwrap()
        .unwrap();
    store
        .create_envvar("pipeline", &build.id, "LEVEL", "pipeline", false)
        .await
        .unwrap();
    store
        .create_envvar("application", &site.id, "LEVEL", "application", false)
        .await
        .unwrap();
    store
        .create_envvar("organization", &alice.id, "LEVEL", "owner", false)
        .await
        .unwrap();
    let secret = store
        .create_envvar("application", &site.id, "TOKEN", "s3cret", true)
        .await
        .unwrap();
    assert!(matches!(
        store
            .create_envvar("application", &site.id, "TOKEN", "again", false)
            .await,
        Err(StoreError::Conflict(_))
    ));
    let order: Vec<(String, String)> = store
        .envvars_for_run(&alice.id, &site.id, &build.id)
        .await
        .unwrap()
        .into_iter()
        .map(|v| (v.scope, v.key))
        .collect();
    assert_eq!(
        order,
        [
            ("organization".to_string(), "LEVEL".to_string()),
            ("application".into(), "LEVEL".into()),
            ("application".into(), "TOKEN".into()),
            ("pipeline".into(), "LEVEL".into())
        ]
    );
    let updated = store
        .update_envvar(&secret.id, None, Some("n3w"), Some(false))
        .await
        .unwrap();
    assert_eq!(
        (updated.value.as_str(), updated.protected),
        ("n3w", 1),
        "protection is not lifted"
    );
    store.delete_envvar(&secret.id).await.unwrap();
    assert!(store.envvar_by_id(&secret.id).await.unwrap().is_none());

    let approved = store.set_manual_approval(&build.id, true).await.unwrap();
    assert_eq!(approved.manual_approval, 1);
}

async fn two_admins_stepping_down_at_once_leave_one(db: TestDb) {
    let store = db.store.clone();
    let other = db.another_store().await;
    let ann = store.create_user("ann").await.unwrap();
    let ben = store.create_user("ben").await.unwrap();
    for round in 0..20 {
        let org = store
            .create_organization(&format!("org{round}"), "", &ann.id)
            .await
            .unwrap();
        store.set_member(&org.id, &ben.id, "admin").await.unwrap();
        // Each demotes themself, on a server of their own, at the same moment.
        let (a, b) = tokio::join!(
            store.set_member(&org.id, &ann.id, "member"),
            other.set_member(&org.id, &ben.id, "member"),
        );
        assert!(
            a.is_ok() ^ b.is_ok(),
            "round {round}: exactly one steps down ({a:?}, {b:?})"
        );
        let admins = store
            .members_of(&org.id)
            .await
            .unwrap()
            .into_iter()
            .filter(|m| m.role == "admin")
            .count();
        assert_eq!(admins, 1, "round {round}");
    }
}

#[tokio::test]
async fn membership_of_an_organization_deleted_meanwhile_is_not_found() {
    let db = TestDb::sqlite().await;
    let store = db.store.clone();
    let ann = store.create_user("ann").await.unwrap();
    let org = store
        .create_organization("gone", "", &ann.id)
        .await
        .unwrap();
    store.delete_organization(&org.id).await.unwrap();
    // A request that looked the organization up just before it went.
    assert!(matches!(
        store.set_member(&org.id, &ann.id, "admin").await,
        Err(StoreError::NotFound(_))
    ));
}
