//! Step logs on disk: one append-only file per step, written as output arrives.
//!
//! Output is appended chunk by chunk and never held whole in memory, so a log of any size
//! costs a bounded buffer, and readers see it while the step runs.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use tokio::fs::{File, OpenOptions};
use tokio::io::AsyncWriteExt;

use crate::mask::Masker;

/// The log file of a step.
pub fn log_path(data_dir: &Path, run_id: &str, step_id: &str) -> PathBuf {
    data_dir
        .join("logs")
        .join(run_id)
        .join(format!("{step_id}.log"))
}

/// The open log files of one run, by step order, masking the run's protected values.
pub struct RunLogs {
    dir: PathBuf,
    step_ids: HashMap<i64, String>,
    open: HashMap<i64, File>,
    masker: Masker,
    /// Output held back per step because it may be the start of a protected value.
    carry: HashMap<i64, Vec<u8>>,
}

impl RunLogs {
    /// Logs of run `run_id`; `step_ids` maps step orders to step ids.
    pub fn new(data_dir: &Path, run_id: &str) -> RunLogs {
        RunLogs {
            dir: data_dir.join("logs").join(run_id),
            step_ids: HashMap::new(),
            open: HashMap::new(),
            masker: Masker::default(),
            carry: HashMap::new(),
        }
    }

    /// Masks these protected values in everything appended from now on.
    pub fn set_masker(&mut self, masker: Masker) {
        self.masker = masker;
    }

    /// Tells which step id a step order has.
    pub fn set_step_id(&mut self, ord: i64, id: String) {
        self.step_ids.insert(ord, id);
    }

    /// Appends `data` to the log of step `ord`, protected values masked; unknown steps are
    /// ignored.
    pub async fn append(&mut self, ord: i64, data: &[u8]) -> std::io::Result<()> {
        let carry = self.carry.entry(ord).or_default();
        let masked = self.masker.mask(carry, data);
        self.write(ord, &masked).await
    }

    async fn write(&mut self, ord: i64, data: &[u8]) -> std::io::Result<()> {
        if data.is_empty() {
            return Ok(());
        }
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

    /// Writes what was held back and closes the log of step `ord`.
    pub async fn close(&mut self, ord: i64) -> std::io::Result<()> {
        let rest = self.carry.remove(&ord).unwrap_or_default();
        let written = self.write(ord, &rest).await;
        self.open.remove(&ord);
        written
    }
}
