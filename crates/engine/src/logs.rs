//! Step logs on disk: one append-only file per step, written as output arrives.
//!
//! Output is appended chunk by chunk and never held whole in memory, so a log of any size
//! costs a bounded buffer, and readers see it while the step runs.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use tokio::fs::{File, OpenOptions};
use tokio::io::AsyncWriteExt;

/// The log file of a step.
pub fn log_path(data_dir: &Path, run_id: &str, step_id: &str) -> PathBuf {
    data_dir
        .join("logs")
        .join(run_id)
        .join(format!("{step_id}.log"))
}

/// The open log files of one run, by step order.
pub struct RunLogs {
    dir: PathBuf,
    step_ids: HashMap<i64, String>,
    open: HashMap<i64, File>,
}

impl RunLogs {
    /// Logs of run `run_id`; `step_ids` maps step orders to step ids.
    pub fn new(data_dir: &Path, run_id: &str) -> RunLogs {
        RunLogs {
            dir: data_dir.join("logs").join(run_id),
            step_ids: HashMap::new(),
            open: HashMap::new(),
        }
    }

    /// Tells which step id a step order has.
    pub fn set_step_id(&mut self, ord: i64, id: String) {
        self.step_ids.insert(ord, id);
    }

    /// Appends `data` to the log of step `ord`; unknown steps are ignored.
    pub async fn append(&mut self, ord: i64, data: &[u8]) -> std::io::Result<()> {
        if !self.open.contains_key(&ord) {
            let Some(id) = self.step_ids.get(&ord) else {
                return Ok(());
            };
            tokio::fs::create_dir_all(&self.dir).await?;
            let file = OpenOptions::new()
                .create(true)
                .append(true)
                .open(self.dir.join(format!("{id}.log")))
                .await?;
            self.open.insert(ord, file);
        }
        let file = self.open.get_mut(&ord).expect("opened above");
        file.write_all(data).await?;
        // Flushing per chunk is what lets readers follow the log live.
        file.flush().await
    }

    /// Closes the log of step `ord`.
    pub fn close(&mut self, ord: i64) {
        self.open.remove(&ord);
    }
}
