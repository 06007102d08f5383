//! The cache size cap: after a run, a cache dir larger than the job's limit is emptied, so
//! that one run filling it cannot let it grow without bound across runs.

use std::path::Path;

use super::copy::{empty_dir, tree_size};
use super::store::human_bytes;

/// Empties `dir` when its files add up to more than `limit` bytes; returns the log line
/// saying so, or `None` when the cache is within its limit.
pub(crate) async fn cap(dir: &Path, limit: u64) -> Option<String> {
    let dir = dir.to_path_buf();
    let checked = tokio::task::spawn_blocking(move || -> std::io::Result<Option<String>> {
        let size = tree_size(&dir)?;
        if size <= limit {
            return Ok(None);
        }
        empty_dir(&dir)?;
        Ok(Some(format!(
            "The cache holds {}, more than its limit of {}: it was emptied",
            human_bytes(size),
            human_bytes(limit)
        )))
    })
    .await;
    match checked {
        Ok(Ok(line)) => line,
        Ok(Err(e)) => Some(format!("Cannot check the size of the cache: {e}")),
        Err(e) => Some(format!("Checking the size of the cache failed: {e}")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn empties_only_an_oversized_cache() {
        let tmp = tempfile::tempdir().unwrap();
        std::fs::create_dir(tmp.path().join("deps")).unwrap();
        std::fs::write(tmp.path().join("deps/blob"), vec![0u8; 2000]).unwrap();
        assert_eq!(cap(tmp.path(), 2000).await, None);
        assert_eq!(
            cap(tmp.path(), 1000).await.as_deref(),
            Some("The cache holds 2.0 kB, more than its limit of 1.0 kB: it was emptied")
        );
        assert!(tmp.path().is_dir());
        assert_eq!(std::fs::read_dir(tmp.path()).unwrap().count(), 0);
        assert_eq!(cap(&tmp.path().join("missing"), 0).await, None);
    }
}
