//! Python docstrings to Markdown that rustdoc renders as a reader expects: numpydoc, Google-style
//! and reStructuredText (Sphinx) docstrings.
//!
//! - Section headings (numpydoc's underlined `Parameters\n----------`, RST's underlined or
//!   overlined titles, Google's `Args:`) become `#` headings.
//! - Parameter-like sections (`Parameters`, `Returns`, `Raises`, `See Also`, ... and Sphinx field
//!   lists `:param x:`, `:type x:`, `:returns:`, `:raises E:`) become lists: `` `name` (type):
//!   description ``.
//! - `>>>` examples become ```` ```python ```` blocks, which rustdoc shows highlighted and never
//!   compiles; `::` literal blocks, `.. code-block::`, `.. math::` and tables become fenced
//!   blocks too (`python` or `text`), keeping their layout, so math stays readable as written.
//! - Admonitions (`.. note::`, `.. versionadded:: 1.2`, `.. deprecated::`) become bold-led
//!   paragraphs; RST roles (`:func:`numpy.sum``, `:math:`x^2``) and ``literals`` become code
//!   spans; `` `text <url>`_ `` links keep their text and URL; `[1]_` citations read `[1]`.
//! - Everything else is prose, escaped by [`crate::markdown::escape_markdown`] so that rustdoc lints
//!   (broken links, unclosed HTML tags, bare URLs) stay quiet.
//!
//! It runs inside rustc for every bound item, so it is one pass over the lines, with no regexes.

mod directive;
mod inline;
mod items;

use crate::markdown::{code_span, escape_markdown};
use directive::{directive, is_table_border};
pub use inline::inline;
use items::{field, fields, items};

/// Renders the body of a docstring (after its summary) as Markdown.
pub fn to_markdown(doc: &str) -> String {
    let lines: Vec<&str> = doc.lines().map(|l| l.trim_end()).collect();
    let mut out = Vec::new();
    blocks(&lines, &mut out);
    // Blank runs collapse to one; no blank at either end.
    let mut text = String::new();
    let mut blank = true;
    for block in out {
        for line in block.lines() {
            if line.is_empty() {
                if !blank {
                    text.push('\n');
                }
                blank = true;
            } else {
                text.push_str(line);
                text.push('\n');
                blank = false;
            }
        }
        if !blank {
            text.push('\n');
            blank = true;
        }
    }
    text.replace(LITERAL_MARK, "").trim_end().to_string()
}

/// What kind of section the lines are in: parameter-like sections are lists of items.
#[derive(Clone, Copy, PartialEq)]
enum Section {
    Prose,
    /// numpydoc: an item is any line at the section's indentation, its description indented.
    NumpyItems,
    /// Google: an item is `name (type): description` at the body's indentation.
    GoogleItems,
    /// numpydoc's `See Also`: `name : description` (no type).
    SeeAlso,
}

const ITEM_SECTIONS: &[&str] = &[
    "args",
    "arguments",
    "parameters",
    "params",
    "other parameters",
    "keyword args",
    "keyword arguments",
    "kwargs",
    "returns",
    "return",
    "yields",
    "yield",
    "receives",
    "raises",
    "raise",
    "exceptions",
    "warns",
    "attributes",
    "methods",
    "see also",
];

/// Google-style headings (`Args:`): the item sections but numpydoc's own `Receives`, and the
/// prose sections Google docstrings head the same way.
const GOOGLE_PROSE_SECTIONS: &[&str] = &[
    "examples",
    "example",
    "note",
    "notes",
    "references",
    "todo",
    "warning",
    "warnings",
];

fn is_google_section(name: &str) -> bool {
    (name != "receives" && ITEM_SECTIONS.contains(&name)) || GOOGLE_PROSE_SECTIONS.contains(&name)
}

fn indent(line: &str) -> usize {
    line.len() - line.trim_start().len()
}

/// The lines with their common indentation removed.
fn dedent<'a>(lines: &[&'a str]) -> Vec<&'a str> {
    let common = lines
        .iter()
        .filter(|l| !l.trim().is_empty())
        .map(|l| indent(l))
        .min()
        .unwrap_or(0);
    lines
        .iter()
        .map(|l| {
            if l.len() >= common {
                &l[common..]
            } else {
                l.trim_start()
            }
        })
        .collect()
}

/// An underline: three or more of one RST adornment character and nothing else.
fn is_adornment(line: &str) -> bool {
    let t = line.trim();
    let mut chars = t.chars();
    match chars.next() {
        Some(c) if "=-~^*+#\"'`:.".contains(c) => t.len() >= 3 && chars.all(|d| d == c),
        _ => false,
    }
}

fn heading(title: &str) -> String {
    format!("# {}", inline(title.trim().trim_end_matches(':')))
}

/// The end (exclusive) of the block that starts at `start`: lines more indented than `base`,
/// blank lines included when more indented lines follow them.
fn indented_block_end(lines: &[&str], start: usize, base: usize) -> usize {
    let mut end = start;
    let mut i = start;
    while i < lines.len() {
        if lines[i].trim().is_empty() {
            i += 1;
            continue;
        }
        if indent(lines[i]) > base {
            i += 1;
            end = i;
        } else {
            break;
        }
    }
    end
}

/// A fenced block with a fence longer than any backtick run inside.
fn fence(lang: &str, lines: &[&str]) -> String {
    let body = dedent(lines).join("\n");
    let longest = body.split(|c| c != '`').map(str::len).max().unwrap_or(0);
    let ticks = "`".repeat((longest + 1).max(3));
    format!("{ticks}{lang}\n{}\n{ticks}", body.trim_matches('\n'))
}

fn blocks(lines: &[&str], out: &mut Vec<String>) {
    let mut section = Section::Prose;
    let mut i = 0;
    let mut paragraph: Vec<&str> = Vec::new();
    let flush = |paragraph: &mut Vec<&str>, out: &mut Vec<String>| {
        if !paragraph.is_empty() {
            out.push(prose(paragraph));
            paragraph.clear();
        }
    };
    while i < lines.len() {
        let line = lines[i];
        let trimmed = line.trim();
        if trimmed.is_empty() {
            flush(&mut paragraph, out);
            i += 1;
            continue;
        }
        let next = lines.get(i + 1).copied().unwrap_or("");
        // Overlined RST title: adornment, title, adornment.
        if is_adornment(line)
            && !next.trim().is_empty()
            && lines.get(i + 2).is_some_and(|l| is_adornment(l))
            && paragraph.is_empty()
        {
            out.push(heading(next));
            section = section_kind(next, false);
            i += 3;
            continue;
        }
        // Underlined title (numpydoc sections, RST headings).
        if paragraph.is_empty()
            && indent(line) == 0
            && !is_adornment(line)
            && is_adornment(next)
            && next.trim().len() + 2 >= trimmed.chars().count()
        {
            out.push(heading(line));
            section = section_kind(line, false);
            i += 2;
            continue;
        }
        // Google section: `Args:` alone on its line, its body indented below.
        if paragraph.is_empty()
            && trimmed.ends_with(':')
            && is_google_section(&trimmed[..trimmed.len() - 1].to_ascii_lowercase())
            && indent(next) > indent(line)
        {
            out.push(heading(trimmed));
            let end = indented_block_end(lines, i + 1, indent(line));
            let body = dedent(&lines[i + 1..end]);
            match section_kind(trimmed, true) {
                Section::GoogleItems => items(&body, Section::GoogleItems, out),
                _ => blocks(&body, out),
            }
            section = Section::Prose;
            i = end;
            continue;
        }
        // A doctest: `>>>` and its continuation and output lines, up to a blank line.
        if trimmed.starts_with(">>>") {
            flush(&mut paragraph, out);
            let start = i;
            while i < lines.len() && !lines[i].trim().is_empty() {
                i += 1;
            }
            out.push(fence("python", &lines[start..i]));
            continue;
        }
        // A directive: `.. name:: argument` and its indented body.
        if let Some(rest) = trimmed.strip_prefix(".. ") {
            flush(&mut paragraph, out);
            let end = indented_block_end(lines, i + 1, indent(line));
            directive(rest, &lines[i + 1..end], out);
            i = end;
            continue;
        }
        // Sphinx field lists: `:param x: ...`, `:returns: ...`.
        if paragraph.is_empty() && field(trimmed).is_some() {
            i = fields(lines, i, out);
            continue;
        }
        // Tables keep their layout.
        if paragraph.is_empty() && is_table_border(trimmed) {
            let start = i;
            while i < lines.len() && !lines[i].trim().is_empty() {
                i += 1;
            }
            out.push(fence("text", &lines[start..i]));
            continue;
        }
        if section != Section::Prose && paragraph.is_empty() {
            // The rest of this section, up to the next heading, is a list of items.
            let end = section_end(lines, i);
            items(&dedent(&lines[i..end]), section, out);
            section = Section::Prose;
            i = end;
            continue;
        }
        // The indented block after a paragraph that ended in `::` (and a blank line) is its
        // literal block.
        if paragraph.is_empty()
            && indent(line) > 0
            && let Some(prev) = out.last_mut()
            && prev.ends_with(LITERAL_MARK)
        {
            prev.truncate(prev.len() - LITERAL_MARK.len());
            let end = indented_block_end(lines, i, indent(line) - 1);
            out.push(fence("text", &lines[i..end]));
            i = end;
            continue;
        }
        paragraph.push(line);
        i += 1;
    }
    flush(&mut paragraph, out);
}

/// Appended to a paragraph that ended in `::`, so that the indented block after it (past a
/// blank line) is taken as its literal block; removed then, or at the end.
const LITERAL_MARK: &str = "\u{0}";

/// The end of the current section: the next underlined or overlined heading, or the end.
fn section_end(lines: &[&str], start: usize) -> usize {
    let mut i = start;
    while i < lines.len() {
        let next = lines.get(i + 1).copied().unwrap_or("");
        let blank_before = i == 0 || lines[i - 1].trim().is_empty();
        if blank_before
            && indent(lines[i]) == 0
            && !lines[i].trim().is_empty()
            && !is_adornment(lines[i])
            && is_adornment(next)
        {
            return i;
        }
        if blank_before && lines[i].trim().starts_with(".. ") && indent(lines[i]) == 0 {
            return i;
        }
        i += 1;
    }
    lines.len()
}

fn section_kind(title: &str, google: bool) -> Section {
    let name = title.trim().trim_end_matches(':').to_ascii_lowercase();
    if ITEM_SECTIONS.contains(&name.as_str()) {
        if name == "see also" && !google {
            Section::SeeAlso
        } else if google {
            Section::GoogleItems
        } else {
            Section::NumpyItems
        }
    } else {
        Section::Prose
    }
}

/// Prose lines: inline markup converted, the rest escaped; bullet and numbered lists kept. A
/// paragraph ending in `::` ends in `:` (its literal block follows).
fn prose(lines: &[&str]) -> String {
    let mut out = Vec::new();
    let last = lines.len().saturating_sub(1);
    let mut literal_follows = false;
    for (k, line) in lines.iter().enumerate() {
        let mut text = line.trim();
        if k == last && text.ends_with("::") {
            literal_follows = true;
            text = text.strip_suffix(':').unwrap_or(text);
            if text == ":" {
                continue;
            }
        }
        let bullet = ["- ", "* ", "+ "].iter().find_map(|b| text.strip_prefix(b));
        match bullet {
            Some(item) => out.push(format!("- {}", inline(item))),
            None => out.push(inline(text)),
        }
    }
    let mut text = out.join("\n");
    if literal_follows {
        text.push_str(LITERAL_MARK);
    }
    text
}
