//! Faults found while reading the file, and their conversion into a [`ParseError`] that
//! quotes the offending line.

use crate::{Location, ParseError};

/// A fault at a place in the file, before the file name and source line are attached.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Fault {
    pub(crate) loc: Location,
    pub(crate) message: String,
}

impl Fault {
    pub(crate) fn new(loc: Location, message: impl Into<String>) -> Self {
        Fault {
            loc,
            message: message.into(),
        }
    }

    /// Attaches the file name and the quoted source line.
    pub(crate) fn into_parse_error(self, file: &str, text: &str) -> ParseError {
        let line = self.loc.line.max(1);
        let column = self.loc.column.max(1);
        ParseError {
            file: file.to_string(),
            line,
            column,
            message: tidy(&self.message),
            source_line: source_line(text, line),
        }
    }
}

pub(crate) type Result<T> = std::result::Result<T, Fault>;

/// Line `line` (1-based) of `text`, without its line break; empty past the end.
pub(crate) fn source_line(text: &str, line: usize) -> String {
    text.lines()
        .nth(line.saturating_sub(1))
        .unwrap_or("")
        .to_string()
}

/// Messages are lowercase and end without a period, whatever the YAML library says.
fn tidy(message: &str) -> String {
    let trimmed = message.trim().trim_end_matches('.');
    let mut chars = trimmed.chars();
    match chars.next() {
        Some(first) => first.to_lowercase().chain(chars).collect(),
        None => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tidy_lowercases_and_drops_the_period() {
        assert_eq!(tidy("Found a tab."), "found a tab");
        assert_eq!(tidy(""), "");
    }

    #[test]
    fn source_line_handles_crlf_and_past_the_end() {
        assert_eq!(source_line("a\r\nb\r\n", 2), "b");
        assert_eq!(source_line("a", 5), "");
    }
}
