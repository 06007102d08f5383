//! What the resource commands print: aligned tables, `key: value` details, or with `--json`
//! the API's answer as it came.

use clap::Args;
use serde_json::Value;

/// `--json`, shared by every resource command.
#[derive(Debug, Clone, Copy, Args)]
pub struct OutputArgs {
    /// Print the API's JSON answer instead of a table.
    #[arg(long, global = true)]
    pub json: bool,
}

/// Prints a JSON answer, pretty; an empty answer prints nothing.
pub fn print_json(value: &Value) -> anyhow::Result<()> {
    if !value.is_null() {
        println!("{}", serde_json::to_string_pretty(value)?);
    }
    Ok(())
}

/// A table with a header row; columns are as wide as their widest cell.
pub struct Table {
    rows: Vec<Vec<String>>,
}

impl Table {
    pub fn new(header: &[&str]) -> Table {
        Table {
            rows: vec![header.iter().map(|h| h.to_string()).collect()],
        }
    }

    /// Adds a row; cells are made single-line and free of control characters.
    pub fn row<S: AsRef<str>>(&mut self, cells: &[S]) {
        self.rows
            .push(cells.iter().map(|c| clean(c.as_ref())).collect());
    }

    /// The table as lines, without trailing spaces.
    pub fn render(&self) -> String {
        let columns = self.rows.iter().map(Vec::len).max().unwrap_or(0);
        let widths: Vec<usize> = (0..columns)
            .map(|i| {
                self.rows
                    .iter()
                    .filter_map(|r| r.get(i))
                    .map(|c| c.chars().count())
                    .max()
                    .unwrap_or(0)
            })
            .collect();
        let mut out = String::new();
        for row in &self.rows {
            let mut line = String::new();
            for (i, cell) in row.iter().enumerate() {
                if i > 0 {
                    line.push_str("  ");
                }
                line.push_str(cell);
                let pad = widths[i].saturating_sub(cell.chars().count());
                line.extend(std::iter::repeat_n(' ', pad));
            }
            out.push_str(line.trim_end());
            out.push('\n');
        }
        out
    }

    pub fn print(&self) {
        print!("{}", self.render());
    }
}

/// Prints `label: value` lines with the values aligned; empty values are left out.
pub fn print_details(fields: &[(&str, String)]) {
    let width = fields.iter().map(|(l, _)| l.len()).max().unwrap_or(0) + 1;
    for (label, value) in fields {
        if !value.is_empty() {
            println!("{:<width$} {}", format!("{label}:"), clean(value));
        }
    }
}

/// One line of text fit for a terminal: the first line, control characters (escape
/// sequences included) shown as spaces.
pub fn clean(text: &str) -> String {
    let first = text.lines().next().unwrap_or("");
    let mut out: String = first
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect();
    if text.trim_end().lines().nth(1).is_some() {
        out.push_str(" …");
    }
    out
}

/// An API timestamp (`2024-05-01T12:34:56.789Z`) as `2024-05-01 12:34:56`, in UTC.
pub fn when(timestamp: &str) -> String {
    match timestamp.get(..19) {
        Some(head) if timestamp.as_bytes().get(10) == Some(&b'T') => head.replacen('T', " ", 1),
        _ => timestamp.to_string(),
    }
}

/// A string at a path of nested fields (`["pipeline", "name"]`), or "".
pub fn at<'a>(value: &'a Value, path: &[&str]) -> &'a str {
    path.iter()
        .try_fold(value, |v, key| v.get(key))
        .and_then(Value::as_str)
        .unwrap_or("")
}

/// A field as display text: strings as they are, numbers and booleans written out.
pub fn shown(value: &Value, field: &str) -> String {
    match value.get(field) {
        Some(Value::String(s)) => s.clone(),
        Some(Value::Null) | None => String::new(),
        Some(other) => other.to_string(),
    }
}

/// The JSON array of an answer, or an empty slice.
pub fn items(value: &Value) -> &[Value] {
    value.as_array().map(Vec::as_slice).unwrap_or(&[])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tables_align_and_trim() {
        let mut table = Table::new(&["ID", "NAME"]);
        table.row(&["1", "build"]);
        table.row(&["22", "a\x1b[31mb\nsecond"]);
        assert_eq!(table.render(), "ID  NAME\n1   build\n22  a [31mb …\n");
    }

    #[test]
    fn timestamps_read_as_date_and_time() {
        assert_eq!(when("2024-05-01T12:34:56.789Z"), "2024-05-01 12:34:56");
        assert_eq!(when(""), "");
    }
}
