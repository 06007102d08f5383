//! Sending events to the engine: step boundaries, bounded log chunks, and what a failed step
//! reports.

use bytes::Bytes;
use tokio::sync::mpsc;
use tokio_util::sync::CancellationToken;

use crate::{Event, Outcome};

/// Largest `Event::Log` payload sent at once.
pub(crate) const MAX_LOG_CHUNK: usize = 64 * 1024;

/// Why a step did not pass: the outcome to report and the step's message.
#[derive(Debug, Clone)]
pub(crate) struct StepFailure {
    /// `Failed` or `Aborted`.
    pub outcome: Outcome,
    /// The step message shown to users.
    pub message: String,
}

impl StepFailure {
    /// A failure with this message.
    pub fn failed(message: impl Into<String>) -> Self {
        StepFailure {
            outcome: Outcome::Failed,
            message: message.into(),
        }
    }

    /// The step was stopped by a cancel.
    pub fn aborted() -> Self {
        StepFailure {
            outcome: Outcome::Aborted,
            message: "Step aborted".to_owned(),
        }
    }
}

/// The sending half of a job's event stream.
///
/// A closed receiver means nobody wants the job any more, so it cancels the job's token:
/// the run then stops its processes just as for a cancel.
#[derive(Clone)]
pub(crate) struct Reporter {
    tx: mpsc::Sender<Event>,
    cancel: CancellationToken,
}

impl Reporter {
    /// A reporter sending to `tx` that cancels `cancel` when the receiver is gone.
    pub fn new(tx: mpsc::Sender<Event>, cancel: CancellationToken) -> Self {
        Reporter { tx, cancel }
    }

    /// Sends a lifecycle event, waiting for room even after a cancel: these events must
    /// reach the engine in order.
    pub async fn send(&self, event: Event) {
        if self.tx.send(event).await.is_err() {
            self.cancel.cancel();
        }
    }

    /// Sends `data` as log chunks of at most [`MAX_LOG_CHUNK`] bytes.
    ///
    /// Waiting for room in the channel is the backpressure on the step's output; a cancel
    /// ends the wait and drops the rest, since the step is about to be reported aborted.
    pub async fn log(&self, order: u32, data: &[u8]) {
        for chunk in data.chunks(MAX_LOG_CHUNK) {
            if self.cancel.is_cancelled() {
                return;
            }
            let event = Event::Log {
                order,
                data: Bytes::copy_from_slice(chunk),
            };
            tokio::select! {
                sent = self.tx.send(event) => {
                    if sent.is_err() {
                        self.cancel.cancel();
                        return;
                    }
                }
                () = self.cancel.cancelled() => return,
            }
        }
    }

    /// Logs one line of werk's own text (a newline is added).
    pub async fn line(&self, order: u32, text: &str) {
        let mut data = Vec::with_capacity(text.len() + 1);
        data.extend_from_slice(text.as_bytes());
        data.push(b'\n');
        self.log(order, &data).await;
    }

    /// Reports that step `order` begins.
    pub async fn start(&self, order: u32) {
        self.send(Event::StepStarted { order }).await;
    }

    /// Reports how step `order` ended.
    pub async fn finish(&self, order: u32, result: &Result<Option<String>, StepFailure>) {
        let (outcome, message) = match result {
            Ok(message) => (Outcome::Passed, message.clone()),
            Err(failure) => (failure.outcome, Some(failure.message.clone())),
        };
        self.send(Event::StepFinished {
            order,
            outcome,
            message,
        })
        .await;
    }
}
