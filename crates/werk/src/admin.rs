//! `werk admin`: users and tokens, written straight into a data dir's database.

use anyhow::Context;
use werk_store::Store;

use crate::cli::{AdminTokenAction, AdminTokenArgs, AdminUserAction, AdminUserArgs};

async fn open(data: &std::path::Path) -> anyhow::Result<Store> {
    if !data.join("werk.db").exists() {
        anyhow::bail!(
            "no werk database in {} (start `werk serve --data {}` once, or pass --data)",
            data.display(),
            data.display()
        );
    }
    Store::open(&Store::sqlite_url_in(data))
        .await
        .context("cannot open the database")
}

pub async fn user(args: AdminUserArgs) -> anyhow::Result<()> {
    let store = open(&args.data).await?;
    match args.action {
        AdminUserAction::Create { name } => {
            if name.is_empty()
                || !name
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
            {
                anyhow::bail!("user name {name:?} must be letters, digits, '-', '_' or '.'");
            }
            let user = store
                .create_user(&name)
                .await
                .with_context(|| format!("cannot create user {name:?}"))?;
            println!("created user {} ({})", user.username, user.id);
        }
    }
    Ok(())
}

pub async fn token(args: AdminTokenArgs) -> anyhow::Result<()> {
    let store = open(&args.data).await?;
    match args.action {
        AdminTokenAction::Create { user, name } => {
            let row = store
                .user_by_name(&user)
                .await?
                .with_context(|| format!("no user named {user:?}"))?;
            let (_, token) = store.create_token(&row.id, &name).await?;
            println!("{token}");
        }
    }
    Ok(())
}
