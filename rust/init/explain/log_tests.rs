// SPDX-License-Identifier: GPL-2.0

//! The `tdx_host_rs:` lines `Documentation/admin-guide.rst` quotes are
//! lines the module logs: each must match a format string of a `pr_*!`
//! call in `rust/`, or of a `pr_*()` call in its C glue, with example
//! values where the format has placeholders; the `cause: ...; fix: ...`
//! line, which `pr_err!("{}\n", ...)` prints, matches the `write!` of the
//! explanations' `Display`. A quoted line that no code prints fails the
//! test.

use std::path::Path;

/// A format string cut at its placeholders: the literal pieces, in order.
/// A line matches when it is the pieces with anything in between.
struct Format {
    pieces: Vec<String>,
}

impl Format {
    fn matches(&self, line: &str) -> bool {
        glob(&self.pieces, line)
    }
}

/// Whether `line` is `pieces[0] * pieces[1] * ... pieces[n-1]`.
fn glob(pieces: &[String], line: &str) -> bool {
    let (first, rest) = match pieces.split_first() {
        Some(p) => p,
        None => return line.is_empty(),
    };
    let Some(mut tail) = line.strip_prefix(first.as_str()) else {
        return false;
    };
    let Some((last, middle)) = rest.split_last() else {
        return tail.is_empty();
    };
    for piece in middle {
        match tail.find(piece.as_str()) {
            Some(at) => tail = &tail[at + piece.len()..],
            None => return false,
        }
    }
    tail.ends_with(last.as_str())
}

/// The body of the string literal starting at `src[0]` (a `"`), unescaped,
/// and the rest of `src` after it. A backslash before a newline drops the
/// newline and the indentation after it, as Rust does.
fn literal(src: &str) -> Option<(String, &str)> {
    let mut out = String::new();
    let mut chars = src.char_indices().skip(1);
    while let Some((i, c)) = chars.next() {
        match c {
            '"' => return Some((out, &src[i + 1..])),
            '\\' => match chars.next()?.1 {
                'n' => out.push('\n'),
                '\n' => {
                    let rest = &src[i + 2..];
                    let skip = rest.len() - rest.trim_start().len();
                    for _ in 0..skip {
                        chars.next();
                    }
                }
                e => out.push(e),
            },
            c => out.push(c),
        }
    }
    None
}

/// `fmt` cut at Rust's `{...}` placeholders (`{{` and `}}` are braces).
fn rust_pieces(fmt: &str) -> Vec<String> {
    let mut pieces = vec![String::new()];
    let mut chars = fmt.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '{' if chars.peek() == Some(&'{') => {
                chars.next();
                pieces.last_mut().unwrap().push('{');
            }
            '}' if chars.peek() == Some(&'}') => {
                chars.next();
                pieces.last_mut().unwrap().push('}');
            }
            '{' => {
                for c in chars.by_ref() {
                    if c == '}' {
                        break;
                    }
                }
                pieces.push(String::new());
            }
            c => pieces.last_mut().unwrap().push(c),
        }
    }
    pieces
}

/// `fmt` cut at C's `%...` conversions (`%%` is a percent sign).
fn c_pieces(fmt: &str) -> Vec<String> {
    let mut pieces = vec![String::new()];
    let mut chars = fmt.chars().peekable();
    while let Some(c) = chars.next() {
        if c != '%' {
            pieces.last_mut().unwrap().push(c);
            continue;
        }
        if chars.peek() == Some(&'%') {
            chars.next();
            pieces.last_mut().unwrap().push('%');
            continue;
        }
        // Flags, width, precision and length, then the conversion letter.
        while chars
            .peek()
            .is_some_and(|c| "#-+ 0123456789.lhzjt".contains(*c))
        {
            chars.next();
        }
        chars.next();
        pieces.push(String::new());
    }
    pieces
}

/// Every format string that follows one of `calls` in `src`; C string
/// literals next to each other are joined.
fn formats_in(src: &str, calls: &[&str], c: bool, out: &mut Vec<Format>) {
    for call in calls {
        let mut rest = src;
        while let Some(at) = rest.find(call) {
            rest = &rest[at + call.len()..];
            let mut text = String::new();
            let mut after = rest.trim_start();
            while after.starts_with('"') {
                let Some((body, tail)) = literal(after) else {
                    break;
                };
                text.push_str(&body);
                after = tail.trim_start();
                if !c {
                    break;
                }
            }
            let text = text.trim_end_matches('\n');
            // Of the Display impls, only the explanations' whole line
            // (`Text`'s) is logged as it is; the others, and the pieces of a
            // line written by several write!()s, are not whole lines.
            if *call == "write!(f," && !(text.starts_with("cause: ") && text.contains("; fix: ")) {
                continue;
            }
            let pieces = if c { c_pieces(text) } else { rust_pieces(text) };
            // "{}" alone would match any line: such a call logs a text
            // made elsewhere, whose own format is collected there.
            if pieces.iter().map(|p| p.trim().len()).sum::<usize>() >= 4 {
                out.push(Format { pieces });
            }
        }
    }
}

fn collect(dir: &Path, out: &mut Vec<Format>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        if path.is_dir() {
            if name != "build" && name != "target" {
                collect(&path, out);
            }
            continue;
        }
        if name.ends_with(".rs") {
            let src = std::fs::read_to_string(&path).unwrap();
            let calls = [
                "pr_err!(",
                "pr_warn!(",
                "pr_info!(",
                "pr_notice!(",
                "write!(f,",
            ];
            formats_in(&src, &calls, false, out);
        } else if name.ends_with(".c") {
            let src = std::fs::read_to_string(&path).unwrap();
            let calls = [
                "pr_err(",
                "pr_warn(",
                "pr_info(",
                "pr_notice(",
                "pr_err_ratelimited(",
                "pr_warn_ratelimited(",
                "pr_info_ratelimited(",
            ];
            formats_in(&src, &calls, true, out);
        }
    }
}

/// The `tdx_host_rs:` lines the guide quotes, without that prefix: in
/// inline literals (``...``, which a table cell may wrap over lines) and in
/// literal blocks (one per line).
fn quoted_lines(doc: &str) -> Vec<String> {
    const PREFIX: &str = "tdx_host_rs: ";
    let mut lines = Vec::new();
    let mut rest = doc;
    while let Some(at) = rest.find(&format!("``{PREFIX}")) {
        rest = &rest[at + 2 + PREFIX.len()..];
        let end = rest.find("``").expect("an inline literal does not end");
        let words: Vec<&str> = rest[..end].split_whitespace().collect();
        lines.push(words.join(" "));
        rest = &rest[end + 2..];
    }
    for line in doc.lines() {
        if let Some(text) = line.trim_start().strip_prefix(PREFIX) {
            lines.push(text.trim_end().into());
        }
    }
    lines
}

#[test]
fn the_guides_log_lines_are_the_modules() {
    let root = concat!(env!("CARGO_MANIFEST_DIR"), "/..");
    let mut formats = Vec::new();
    collect(&Path::new(root).join("rust"), &mut formats);
    assert!(
        formats.len() >= 30,
        "only {} format strings found",
        formats.len()
    );
    let doc = std::fs::read_to_string(format!("{root}/Documentation/admin-guide.rst")).unwrap();
    let lines = quoted_lines(&doc);
    assert!(lines.len() >= 25, "only {} quoted lines found", lines.len());
    let unknown: Vec<&String> = lines
        .iter()
        .filter(|l| !formats.iter().any(|f| f.matches(l)))
        .collect();
    assert!(
        unknown.is_empty(),
        "admin-guide.rst quotes lines tdx_host_rs does not log: {unknown:#?}"
    );
}

#[test]
fn a_format_matches_its_own_lines_only() {
    let f = Format {
        pieces: rust_pieces("CPU {cpu} is offline: {}, then {{x}}"),
    };
    assert!(f.matches("CPU 3 is offline: bring it up, then {x}"));
    assert!(!f.matches("CPU 3 is offline: bring it up, then {x} later"));
    assert!(!f.matches("the CPU 3 is offline: a, then {x}"));
    let c = c_pieces("memory [%#llx, %#llx) stays offline: %s 100%%");
    assert_eq!(c, ["memory [", ", ", ") stays offline: ", " 100%"]);
    let (body, rest) = literal("\"a \\\n        b\\n\" tail").unwrap();
    assert_eq!((body.as_str(), rest), ("a b\n", " tail"));
}
