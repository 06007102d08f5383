//! Copying directory trees the way a build expects to find them: symlinks stay symlinks,
//! permission bits are kept, and the caller decides which entries to leave out.

use std::ffi::OsStr;
use std::fs;
use std::io;
use std::path::{Path, PathBuf};

/// Decides whether an entry is left out: its full source path, its name, and its depth
/// (0 for the top level of the copied directory).
pub(crate) type Skip = dyn Fn(&Path, &OsStr, usize) -> bool + Send + Sync;

/// Copies the contents of `src` into `dest` (created if missing); returns how many
/// regular files were copied. Sockets, fifos and devices are left out: they cannot be part
/// of a build's input.
pub(crate) fn copy_tree(src: &Path, dest: &Path, skip: &Skip) -> io::Result<u64> {
    fs::create_dir_all(dest)?;
    let mut files = 0;
    copy_dir(src, dest, skip, 0, &mut files)?;
    Ok(files)
}

fn copy_dir(src: &Path, dest: &Path, skip: &Skip, depth: usize, files: &mut u64) -> io::Result<()> {
    let mut entries = fs::read_dir(src)?.collect::<io::Result<Vec<_>>>()?;
    entries.sort_by_key(|e| e.file_name());
    for entry in entries {
        let path = entry.path();
        let name = entry.file_name();
        if skip(&path, &name, depth) {
            continue;
        }
        let target = dest.join(&name);
        let kind = entry.file_type()?;
        if kind.is_symlink() {
            let link = fs::read_link(&path)?;
            std::os::unix::fs::symlink(&link, &target).map_err(|e| with_path(e, &target))?;
        } else if kind.is_dir() {
            fs::create_dir_all(&target).map_err(|e| with_path(e, &target))?;
            copy_dir(&path, &target, skip, depth + 1, files)?;
            let mode = fs::metadata(&path)?.permissions();
            fs::set_permissions(&target, mode)?;
        } else if kind.is_file() {
            // `fs::copy` keeps the permission bits, so scripts stay executable.
            fs::copy(&path, &target).map_err(|e| with_path(e, &path))?;
            *files += 1;
        }
    }
    Ok(())
}

/// An error that names the file it is about.
fn with_path(e: io::Error, path: &Path) -> io::Error {
    io::Error::new(e.kind(), format!("{}: {e}", path.display()))
}

/// `path` made absolute and free of symlinks when it exists, so that it can be compared
/// with the entries of a walk from a canonical root; as given otherwise.
pub(crate) fn comparable(path: &Path) -> PathBuf {
    fs::canonicalize(path).unwrap_or_else(|_| path.to_path_buf())
}

/// Removes everything inside `dir` but keeps `dir` itself (it may be a mount point or the
/// target of a symlink that must survive).
pub(crate) fn empty_dir(dir: &Path) -> io::Result<()> {
    for entry in fs::read_dir(dir)? {
        let entry = entry?;
        if entry.file_type()?.is_dir() {
            fs::remove_dir_all(entry.path())?;
        } else {
            fs::remove_file(entry.path())?;
        }
    }
    Ok(())
}

/// The total size of the regular files under `dir`, symlinks not followed; 0 when `dir`
/// does not exist.
pub(crate) fn tree_size(dir: &Path) -> io::Result<u64> {
    let entries = match fs::read_dir(dir) {
        Ok(entries) => entries,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(0),
        Err(e) => return Err(e),
    };
    let mut size = 0u64;
    for entry in entries {
        let entry = entry?;
        let kind = entry.file_type()?;
        if kind.is_dir() {
            size = size.saturating_add(tree_size(&entry.path())?);
        } else if kind.is_file() {
            size = size.saturating_add(entry.metadata()?.len());
        }
    }
    Ok(size)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn copies_files_links_and_modes_and_skips() {
        use std::os::unix::fs::PermissionsExt;
        let tmp = tempfile::tempdir().unwrap();
        let src = tmp.path().join("src");
        fs::create_dir_all(src.join("sub/.git")).unwrap();
        fs::write(src.join("run.sh"), "echo hi").unwrap();
        fs::set_permissions(src.join("run.sh"), fs::Permissions::from_mode(0o755)).unwrap();
        fs::write(src.join("sub/a.txt"), "a").unwrap();
        fs::write(src.join("sub/.git/HEAD"), "x").unwrap();
        std::os::unix::fs::symlink("sub/a.txt", src.join("link")).unwrap();

        let dest = tmp.path().join("dest");
        let skip = |_: &Path, name: &OsStr, _: usize| name == ".git";
        assert_eq!(copy_tree(&src, &dest, &skip).unwrap(), 2);
        let mode = fs::metadata(dest.join("run.sh"))
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o755);
        assert_eq!(
            fs::read_link(dest.join("link")).unwrap(),
            Path::new("sub/a.txt")
        );
        assert!(!dest.join("sub/.git").exists());
        assert_eq!(tree_size(&dest).unwrap(), 8);

        empty_dir(&dest).unwrap();
        assert!(dest.is_dir());
        assert_eq!(fs::read_dir(&dest).unwrap().count(), 0);
    }
}
