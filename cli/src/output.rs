//! How results reach the terminal or a script: aligned tables for people, one JSON document
//! with `--json`, progress and errors on standard error. Colour (bold headings, red errors)
//! only when the stream is a terminal and `NO_COLOR` is not set.

use std::io::{IsTerminal as _, Write as _};

use serde::Serialize;

#[derive(Debug, Clone, Copy)]
pub struct Out {
    pub json: bool,
    color_out: bool,
    color_err: bool,
}

impl Out {
    pub fn new(json: bool) -> Self {
        let allowed = std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty());
        Self {
            json,
            color_out: allowed && std::io::stdout().is_terminal(),
            color_err: allowed && std::io::stderr().is_terminal(),
        }
    }

    /// A result: `value` as JSON with `--json`, else `human` (already formatted).
    pub fn result<T: Serialize>(&self, value: &T, human: impl FnOnce(&Self) -> String) {
        let text =
            if self.json { serde_json::to_string_pretty(value).unwrap_or_default() } else { human(self) };
        let mut out = std::io::stdout().lock();
        // A closed pipe (`| head`) is not an error worth reporting.
        let _ = writeln!(out, "{}", text.trim_end_matches('\n'));
    }

    /// A line of progress on standard error; silent with `--json`, so logs stay readable.
    pub fn progress(&self, line: &str) {
        if !self.json {
            eprintln!("{line}");
        }
    }

    /// An error, on standard error, whatever the format.
    pub fn error(&self, message: &str) {
        if self.color_err {
            eprintln!("\x1b[31merror:\x1b[0m {message}");
        } else {
            eprintln!("error: {message}");
        }
    }

    /// Columns padded to their widest cell, the heading bold on a terminal.
    pub fn table(&self, headings: &[&str], rows: &[Vec<String>]) -> String {
        if rows.is_empty() {
            return String::new();
        }
        let mut widths: Vec<usize> = headings.iter().map(|h| h.chars().count()).collect();
        for row in rows {
            for (width, cell) in widths.iter_mut().zip(row) {
                *width = (*width).max(cell.chars().count());
            }
        }
        let line = |cells: &mut dyn Iterator<Item = &str>| {
            let padded: Vec<String> = cells
                .zip(&widths)
                .map(|(c, w)| format!("{c}{}", " ".repeat(w - c.chars().count())))
                .collect();
            padded.join("  ").trim_end().to_owned()
        };
        let heading = line(&mut headings.iter().copied());
        let mut text =
            if self.color_out { format!("\x1b[1m{heading}\x1b[0m\n") } else { format!("{heading}\n") };
        for row in rows {
            text.push_str(&line(&mut row.iter().map(String::as_str)));
            text.push('\n');
        }
        text
    }
}

/// Milliseconds since the epoch as `YYYY-MM-DD HH:MM` UTC, or "-".
pub fn when(ms: Option<i64>) -> String {
    let Some(ms) = ms.filter(|m| *m > 0) else { return "-".into() };
    let secs = ms / 1000;
    let date = flow_connect_core::dates::civil_date(secs.unsigned_abs() / 86_400);
    let time = secs % 86_400;
    format!("{date} {:02}:{:02}", time / 3600, time / 60 % 60)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_table_pads_each_column_to_its_widest_cell() {
        let out = Out { json: false, color_out: false, color_err: false };
        let text =
            out.table(&["NAME", "ID"], &[vec!["a".into(), "1".into()], vec!["long name".into(), "2".into()]]);
        assert_eq!(text, "NAME       ID\na          1\nlong name  2\n");
    }

    #[test]
    fn times_are_utc_minutes() {
        assert_eq!(when(Some(1_764_669_600_000)), "2025-12-02 10:00");
        assert_eq!(when(None), "-");
    }
}
