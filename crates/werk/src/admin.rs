//! `werk admin`: users and tokens, written straight into a data dir's database.

use anyhow::Context;
use werk_store::Store;

use crate::cli::{
    AdminStoreArgs, AdminTokenAction, AdminTokenArgs, AdminUserAction, AdminUserArgs,
};

/// The server's database: the one `--database` names, or the data dir's SQLite file.
async fn open(args: &AdminStoreArgs) -> anyhow::Result<Store> {
    let url = match &args.database {
        Some(url) => url.clone(),
        None => {
            let data = &args.data;
            if !data.join("werk.db").exists() {
                anyhow::bail!(
                    "no werk database in {} (start `werk serve --data {}` once, or pass --data or --database)",
                    data.display(),
                    data.display()
                );
            }
            Store::sqlite_url_in(data)
        }
    };
    Store::open_existing(&url)
        .await
        .context("cannot open the database")
}

pub async fn user(args: AdminUserArgs) -> anyhow::Result<()> {
    let store = open(&args.store).await?;
    match args.action {
        AdminUserAction::Create {
            name,
            password_stdin,
        } => {
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
            if password_stdin {
                set_password(&store, &user.id).await?;
            }
            println!("created user {} ({})", user.username, user.id);
        }
        AdminUserAction::Password { name } => {
            let user = store
                .user_by_name(&name)
                .await?
                .with_context(|| format!("no user named {name:?}"))?;
            set_password(&store, &user.id).await?;
            println!("password of {} set", user.username);
        }
    }
    Ok(())
}

pub async fn token(args: AdminTokenArgs) -> anyhow::Result<()> {
    let store = open(&args.store).await?;
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

/// Reads one line from standard input and stores its hash as the user's password.
async fn set_password(store: &Store, user_id: &str) -> anyhow::Result<()> {
    let mut line = String::new();
    std::io::stdin()
        .read_line(&mut line)
        .context("cannot read the password from standard input")?;
    let password = line.trim_end_matches(['\n', '\r']);
    if password.chars().count() < 8 {
        anyhow::bail!("the password must be at least 8 characters");
    }
    let hash = werk_server::hash_password(password).map_err(anyhow::Error::msg)?;
    store.set_password_hash(user_id, Some(&hash)).await?;
    Ok(())
}
