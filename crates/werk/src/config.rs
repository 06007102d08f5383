//! The stored login: `{url, token}` in `werk/login.json` of the user's config dir
//! (`$XDG_CONFIG_HOME`, else `$HOME/.config`), readable by its owner only.

use std::io::Write;
use std::path::PathBuf;

use anyhow::{Context, bail};
use serde::{Deserialize, Serialize};

/// What `werk login` stores.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Login {
    pub url: String,
    pub token: String,
}

/// Where the login is kept. A relative `XDG_CONFIG_HOME` is ignored, as the XDG base
/// directory specification asks.
pub fn path() -> anyhow::Result<PathBuf> {
    let xdg = std::env::var_os("XDG_CONFIG_HOME")
        .map(PathBuf::from)
        .filter(|p| p.is_absolute());
    let dir = match xdg {
        Some(dir) => dir,
        None => match std::env::var_os("HOME").filter(|h| !h.is_empty()) {
            Some(home) => PathBuf::from(home).join(".config"),
            None => bail!("neither XDG_CONFIG_HOME nor HOME is set: there is no config dir"),
        },
    };
    Ok(dir.join("werk").join("login.json"))
}

/// The stored login, if there is one.
pub fn load() -> anyhow::Result<Option<Login>> {
    // Without a config dir there is simply no stored login.
    let Ok(path) = path() else {
        return Ok(None);
    };
    let text = match std::fs::read_to_string(&path) {
        Ok(text) => text,
        Err(err) if err.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(err) => return Err(err).with_context(|| format!("cannot read {}", path.display())),
    };
    let login = serde_json::from_str(&text).with_context(|| {
        format!(
            "{} is not a werk login (run `werk logout`, then `werk login`)",
            path.display()
        )
    })?;
    Ok(Some(login))
}

/// Stores the login, replacing any other. The token is written to a new file created with
/// mode 0600 and renamed into place, so it is never readable by others, not even briefly.
pub fn save(login: &Login) -> anyhow::Result<PathBuf> {
    let path = path()?;
    let dir = path.parent().context("the login file has a directory")?;
    create_private_dir(dir).with_context(|| format!("cannot create {}", dir.display()))?;
    let temporary = dir.join(format!(".login.json.{}", std::process::id()));
    let text = serde_json::to_string_pretty(login)? + "\n";
    // A file left by an interrupted `werk login` of the same process id is ours to replace.
    let _ = std::fs::remove_file(&temporary);
    let written = write_private(&temporary, text.as_bytes())
        .and_then(|()| std::fs::rename(&temporary, &path));
    if let Err(err) = written {
        let _ = std::fs::remove_file(&temporary);
        return Err(err).with_context(|| format!("cannot write {}", path.display()));
    }
    Ok(path)
}

/// Removes the stored login; false when there was none.
pub fn remove() -> anyhow::Result<bool> {
    let path = path()?;
    match std::fs::remove_file(&path) {
        Ok(()) => Ok(true),
        Err(err) if err.kind() == std::io::ErrorKind::NotFound => Ok(false),
        Err(err) => Err(err).with_context(|| format!("cannot remove {}", path.display())),
    }
}

#[cfg(unix)]
fn create_private_dir(dir: &std::path::Path) -> std::io::Result<()> {
    use std::os::unix::fs::DirBuilderExt;
    std::fs::DirBuilder::new()
        .recursive(true)
        .mode(0o700)
        .create(dir)
}

#[cfg(not(unix))]
fn create_private_dir(dir: &std::path::Path) -> std::io::Result<()> {
    std::fs::create_dir_all(dir)
}

fn write_private(path: &std::path::Path, bytes: &[u8]) -> std::io::Result<()> {
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    let mut file = options.open(path)?;
    // The umask may narrow the mode given at creation; set it outright.
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        file.set_permissions(std::fs::Permissions::from_mode(0o600))?;
    }
    file.write_all(bytes)?;
    file.sync_all()
}
