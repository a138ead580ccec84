//! How results reach the terminal or a script: aligned tables for people, one JSON document
//! with `--json`, progress and errors on standard error. Colour (bold headings, red errors)
//! only when the stream is a terminal and `NO_COLOR` is not set.
//!
//! Everything is written through [`write_out`] and [`write_err`], which never panic: a closed
//! pipe (`… 2>&1 | head -n1`) is remembered, the command goes on to its end (a create in
//! several sandboxes is not left half done), and the process then exits with
//! [`OUTPUT_CLOSED`]. Text that comes from outside (names, cells, Adobe's messages) passes
//! through [`clean`] first, so it cannot move the cursor, recolour or rewrite the terminal.

use std::io::{IsTerminal as _, Write as _};
use std::sync::atomic::{AtomicBool, Ordering};

use serde::Serialize;

/// The exit code when standard output or standard error was closed before everything was
/// written, as a shell reports a process ended by SIGPIPE (128 + 13). args::EXIT_CODES and the
/// README document it.
pub const OUTPUT_CLOSED: u8 = 141;

static OUTPUT_LOST: AtomicBool = AtomicBool::new(false);

/// Writes `text` and a newline on standard output; a failed write is remembered, never fatal.
pub fn write_out(text: &str) {
    let mut out = std::io::stdout().lock();
    if writeln!(out, "{text}").and_then(|()| out.flush()).is_err() {
        OUTPUT_LOST.store(true, Ordering::Relaxed);
    }
}

/// Writes `text` and a newline on standard error; a failed write is remembered, never fatal.
pub fn write_err(text: &str) {
    let mut err = std::io::stderr().lock();
    if writeln!(err, "{text}").and_then(|()| err.flush()).is_err() {
        OUTPUT_LOST.store(true, Ordering::Relaxed);
    }
}

/// Whether some output could not be written (a closed pipe, a full disk).
pub fn output_lost() -> bool {
    OUTPUT_LOST.load(Ordering::Relaxed)
}

/// `text` from outside (a connection's name, an explore cell, a server's message) made safe
/// for one line of a terminal: line breaks and tabs become spaces, and every other control
/// character (escape sequences start with one) and every bidirectional override is dropped.
pub fn clean(text: &str) -> String {
    text.chars()
        .filter_map(|c| match c {
            '\n' | '\r' | '\t' => Some(' '),
            c if is_unsafe(c) => None,
            c => Some(c),
        })
        .collect()
}

/// Like [`clean`], but keeps line breaks: for a whole message or a result of several lines.
pub fn clean_lines(text: &str) -> String {
    text.split('\n').map(clean).collect::<Vec<_>>().join("\n")
}

/// Control characters, and the bidirectional controls that can make text read otherwise than
/// it is stored (U+202A–U+202E, U+2066–U+2069, U+200E/U+200F, U+061C).
fn is_unsafe(c: char) -> bool {
    c.is_control()
        || matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}' | '\u{200E}' | '\u{200F}' | '\u{061C}')
}

/// The styles this module writes itself; [`Out::result`] keeps them and drops any other.
const STYLES: [&str; 3] = [BOLD, RED, RESET];
const BOLD: &str = "\x1b[1m";
const RED: &str = "\x1b[31m";
const RESET: &str = "\x1b[0m";

/// [`clean_lines`], keeping this module's own styles when `styled`.
fn clean_keeping_styles(text: &str, styled: bool) -> String {
    if !styled {
        return clean_lines(text);
    }
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while !rest.is_empty() {
        let next = rest.find('\x1b').unwrap_or(rest.len());
        out.push_str(&clean_lines(&rest[..next]));
        rest = &rest[next..];
        match STYLES.iter().find(|s| rest.starts_with(**s)) {
            Some(style) => {
                out.push_str(style);
                rest = &rest[style.len()..];
            }
            None if !rest.is_empty() => rest = &rest[1..],
            None => {}
        }
    }
    out
}

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

    /// A result: `value` as JSON with `--json`, else `human` (already formatted; what it holds
    /// from outside is cleaned here).
    pub fn result<T: Serialize>(&self, value: &T, human: impl FnOnce(&Self) -> String) {
        let text = if self.json {
            serde_json::to_string_pretty(value).unwrap_or_default()
        } else {
            clean_keeping_styles(&human(self), self.color_out)
        };
        write_out(text.trim_end_matches('\n'));
    }

    /// A line of progress on standard error; silent with `--json`, so logs stay readable.
    pub fn progress(&self, line: &str) {
        if !self.json {
            write_err(&clean_lines(line));
        }
    }

    /// A notice on standard error that a script should see too (with `--json` as well).
    pub fn notice(&self, line: &str) {
        write_err(&clean_lines(line));
    }

    /// An error, on standard error, whatever the format.
    pub fn error(&self, message: &str) {
        let message = clean_lines(message);
        if self.color_err {
            write_err(&format!("{RED}error:{RESET} {message}"));
        } else {
            write_err(&format!("error: {message}"));
        }
    }

    /// Columns padded to their widest cell, the heading bold on a terminal.
    pub fn table(&self, headings: &[&str], rows: &[Vec<String>]) -> String {
        if rows.is_empty() {
            return String::new();
        }
        let rows: Vec<Vec<String>> = rows.iter().map(|row| row.iter().map(|c| clean(c)).collect()).collect();
        let mut widths: Vec<usize> = headings.iter().map(|h| h.chars().count()).collect();
        for row in &rows {
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
            if self.color_out { format!("{BOLD}{heading}{RESET}\n") } else { format!("{heading}\n") };
        for row in &rows {
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
    fn text_from_outside_cannot_drive_the_terminal() {
        let hostile = "Sales\x1b[2J\x1b]0;owned\x07\r\nEU\u{202E}gpj.exe\u{0}";
        let cleaned = clean(hostile);
        assert!(!cleaned.chars().any(is_unsafe), "{cleaned:?}");
        assert_eq!(cleaned, "Sales[2J]0;owned  EUgpj.exe");
        assert_eq!(clean_lines("one\ntwo\x1b[31m"), "one\ntwo[31m");
        let out = Out { json: false, color_out: true, color_err: false };
        let table = out.table(&["NAME"], &[vec![hostile.into()]]);
        assert_eq!(clean_keeping_styles(&table, true), table, "the cells are clean, the heading bold");
        assert!(table.starts_with(BOLD) && !table.contains("\x1b[2J"), "{table:?}");
        assert_eq!(clean_keeping_styles("a\x1b[2Jb\x1b[1mc", true), "a[2Jb\x1b[1mc");
        assert_eq!(clean_keeping_styles("a\x1b[1mb", false), "a[1mb");
    }

    #[test]
    fn times_are_utc_minutes() {
        assert_eq!(when(Some(1_764_669_600_000)), "2025-12-02 10:00");
        assert_eq!(when(None), "-");
    }
}
