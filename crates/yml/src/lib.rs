//! The wercker.yml model and parser.
//!
//! This crate turns the text of a `wercker.yml` into a [`Config`] and reports what is wrong
//! with it, with file, line and column. It does no I/O and imports nothing else of werk:
//! the engine, the executors and `werk check` all build on it.
#![deny(missing_docs)]

mod config;
mod error;
mod interpolate;
mod model;
mod node;
mod scalar;
mod step;
mod workflow;

pub use interpolate::interpolate;
pub use model::{
    BoxConfig, Config, Location, Pipeline, Step, StepKind, Workflow, WorkflowPipeline,
};
pub use node::{MAX_DEPTH, MAX_NODES};
pub use step::{StepId, parse_id};

/// A wercker.yml that could not be parsed, with where.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("{file}:{line}:{column}: {message}")]
pub struct ParseError {
    /// The file name used in messages, e.g. `wercker.yml`.
    pub file: String,
    /// 1-based line of the fault.
    pub line: usize,
    /// 1-based column of the fault.
    pub column: usize,
    /// What is wrong, lowercase, no trailing period.
    pub message: String,
    /// The offending line of the file, as written.
    pub source_line: String,
}

impl ParseError {
    /// The error as a person reads it: `file:line:column: message`, then the offending line
    /// and a caret under the column (tabs kept, so the caret lines up in a terminal).
    pub fn render(&self) -> String {
        let mut caret: String = self
            .source_line
            .chars()
            .chain(std::iter::repeat(' '))
            .take(self.column.saturating_sub(1))
            .map(|c| if c == '\t' { '\t' } else { ' ' })
            .collect();
        caret.push('^');
        format!("{self}\n{}\n{caret}", self.source_line)
    }
}

/// Parses the text of a wercker.yml named `file` (used in error messages).
///
/// ```
/// let text = "box: golang:1.10\nbuild:\n  steps:\n    - script:\n        code: go test\n";
/// let config = werk_yml::parse("wercker.yml", text).unwrap();
/// assert_eq!(config.pipeline("build").unwrap().steps[0].code(), Some("go test"));
///
/// let err = werk_yml::parse("wercker.yml", "build:\n  steps:\n    - foo:\n").unwrap_err();
/// assert_eq!(err.to_string(), "wercker.yml:3:7: step foo is empty");
/// ```
///
/// # Errors
/// A [`ParseError`] naming line and column when the text is not valid YAML or not a valid
/// wercker.yml.
pub fn parse(file: &str, text: &str) -> Result<Config, ParseError> {
    parse_text(text).map_err(|fault| fault.into_parse_error(file, text))
}

fn parse_text(text: &str) -> error::Result<Config> {
    // A byte order mark is not content; editors on some systems write one.
    let body = text.strip_prefix('\u{feff}').unwrap_or(text);
    let Some(root) = node::load(body)? else {
        return Err(error::Fault::new(
            Location { line: 1, column: 1 },
            "your wercker.yml is empty",
        ));
    };
    let (mut config, workflows) = config::config(&root)?;
    if let Some(node) = workflows {
        config.workflows = workflow::workflows(node, &config)?;
    }
    Ok(config)
}

#[cfg(test)]
mod tests {
    use super::ParseError;

    #[test]
    fn render_puts_a_caret_under_the_column_keeping_tabs() {
        let err = ParseError {
            file: "wercker.yml".into(),
            line: 3,
            column: 4,
            message: "bad".into(),
            source_line: "\tab: c".into(),
        };
        assert_eq!(err.render(), "wercker.yml:3:4: bad\n\tab: c\n\t  ^");
    }
}
