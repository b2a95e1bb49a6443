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

use crate::markdown::{code_span, escape_markdown};

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

const GOOGLE_SECTIONS: &[&str] = &[
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
    "raises",
    "raise",
    "exceptions",
    "warns",
    "attributes",
    "methods",
    "see also",
    "examples",
    "example",
    "note",
    "notes",
    "references",
    "todo",
    "warning",
    "warnings",
];

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
            && GOOGLE_SECTIONS.contains(&trimmed[..trimmed.len() - 1].to_ascii_lowercase().as_str())
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

/// A parameter-like section's lines (dedented) as a Markdown list.
fn items(lines: &[&str], kind: Section, out: &mut Vec<String>) {
    // A Google section whose first line is not `name: description` is prose (`Returns:` often
    // is).
    if kind == Section::GoogleItems
        && lines
            .iter()
            .find(|l| !l.trim().is_empty())
            .is_some_and(|l| google_item(l.trim()).is_none())
    {
        blocks(lines, out);
        return;
    }
    let mut list = Vec::new();
    let mut i = 0;
    while i < lines.len() {
        let line = lines[i];
        if line.trim().is_empty() {
            i += 1;
            continue;
        }
        let end = indented_block_end(lines, i + 1, indent(line));
        let description = dedent(&lines[i + 1..end]);
        let head = line.trim();
        let entry = match kind {
            Section::GoogleItems => match google_item(head) {
                Some((names, ty, first)) => {
                    let mut body: Vec<&str> = Vec::new();
                    if !first.is_empty() {
                        body.push(first);
                    }
                    body.extend(description.iter().copied());
                    item(&names, ty, &body)
                }
                None => {
                    // Google `Returns:` is often prose: keep it as a paragraph.
                    let mut body = vec![head];
                    body.extend(description.iter().copied());
                    let mut rendered = Vec::new();
                    blocks(&body, &mut rendered);
                    if !list.is_empty() {
                        out.push(list.join("\n"));
                        list.clear();
                    }
                    out.extend(rendered);
                    i = end;
                    continue;
                }
            },
            Section::SeeAlso => {
                let (names, first) = match head.split_once(" : ") {
                    Some((names, first)) => (names, Some(first)),
                    None => (head, None),
                };
                let mut body: Vec<&str> = first.into_iter().collect();
                body.extend(description.iter().copied());
                item(names, None, &body)
            }
            _ => {
                let (names, ty) = match head.split_once(" : ") {
                    Some((names, ty)) => (names, Some(ty)),
                    None => match head.strip_suffix(" :") {
                        Some(names) => (names, None),
                        None => (head, None),
                    },
                };
                item(names, ty, &description)
            }
        };
        list.push(entry);
        i = end;
    }
    if !list.is_empty() {
        out.push(list.join("\n"));
    }
}

/// `name (type): description` (Google): `(names, type, first description line)`.
fn google_item(head: &str) -> Option<(String, Option<&str>, &str)> {
    let colon = head.find(':')?;
    let (left, first) = (head[..colon].trim(), head[colon + 1..].trim());
    let (names, ty) = match left.find(" (") {
        Some(p) if left.ends_with(')') => (&left[..p], Some(&left[p + 2..left.len() - 1])),
        _ => (left, None),
    };
    let simple = !names.is_empty()
        && names
            .chars()
            .all(|c| c.is_alphanumeric() || matches!(c, '_' | '*' | '.' | ',' | ' '));
    simple.then(|| (names.to_string(), ty, first))
}

/// One list item: `` - `a`, `b` (type): description ``, a multi-paragraph description indented
/// under it.
fn item(names: &str, ty: Option<&str>, description: &[&str]) -> String {
    let names: Vec<String> = names
        .split(',')
        .map(str::trim)
        .filter(|n| !n.is_empty())
        .map(code_span)
        .collect();
    let mut head = format!("- {}", names.join(", "));
    if let Some(ty) = ty.filter(|t| !t.trim().is_empty()) {
        head.push_str(&format!(" ({})", inline(ty.trim())));
    }
    let mut rendered = Vec::new();
    blocks(description, &mut rendered);
    let mut rendered = rendered.into_iter();
    if let Some(first) = rendered.next() {
        let first = first.trim_end_matches(LITERAL_MARK);
        // The first paragraph joins the item line; later blocks are indented under it.
        if first.starts_with('`') || first.starts_with('#') || first.starts_with("- ") {
            head.push_str(":\n\n");
            head.push_str(&indent_by(first, 2));
        } else {
            head.push_str(": ");
            head.push_str(&first.lines().collect::<Vec<_>>().join(" "));
        }
    }
    for block in rendered {
        head.push_str("\n\n");
        head.push_str(&indent_by(block.trim_end_matches(LITERAL_MARK), 2));
    }
    head
}

fn indent_by(text: &str, n: usize) -> String {
    let pad = " ".repeat(n);
    text.lines()
        .map(|l| {
            if l.is_empty() {
                String::new()
            } else {
                format!("{pad}{l}")
            }
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// `.. name:: argument` with its body.
fn directive(rest: &str, body: &[&str], out: &mut Vec<String>) {
    let (name, argument) = match rest.split_once("::") {
        Some((name, argument)) => (name.trim(), argument.trim()),
        None => {
            // `.. [1] Citation text`, else a comment or a link target (`.. _label:`).
            if rest.strip_prefix('[').and_then(|r| r.find(']')).is_some() {
                let mut text = vec![rest];
                text.extend(dedent(body));
                out.push(prose(&text));
            }
            return;
        }
    };
    let body = dedent(body);
    let mut paragraph = |label: String| {
        let mut lines: Vec<&str> = Vec::new();
        if !argument.is_empty() && !label.contains(argument) {
            lines.push(argument);
        }
        lines.extend(body.iter().copied());
        let mut rendered = Vec::new();
        blocks(&lines, &mut rendered);
        let first = rendered
            .first()
            .map(|b| b.trim_end_matches(LITERAL_MARK).to_string())
            .unwrap_or_default();
        let joined = if first.starts_with('`') || first.is_empty() {
            label.clone()
        } else {
            format!("{label} {first}")
        };
        out.push(joined);
        out.extend(
            rendered
                .into_iter()
                .skip(usize::from(!first.starts_with('`') && !first.is_empty())),
        );
    };
    match name {
        "math" => {
            let mut lines: Vec<&str> = Vec::new();
            if !argument.is_empty() {
                lines.push(argument);
            }
            lines.extend(
                body.iter()
                    .copied()
                    .skip_while(|l| l.trim_start().starts_with(':')),
            );
            out.push(fence("text", &lines));
        }
        "code-block" | "code" | "sourcecode" | "doctest" | "testcode" | "ipython" => {
            let lang = match argument {
                "python" | "py" | "pycon" | "python3" | "ipython" | "" => "python",
                _ => "text",
            };
            let code: Vec<&str> = body
                .iter()
                .copied()
                .skip_while(|l| l.trim_start().starts_with(':'))
                .collect();
            out.push(fence(lang, &code));
        }
        "versionadded" => paragraph(format!("*New in version {}.*", escape_markdown(argument))),
        "versionchanged" => paragraph(format!(
            "*Changed in version {}:*",
            escape_markdown(argument)
        )),
        "deprecated" => paragraph(format!(
            "**Deprecated since {}:**",
            escape_markdown(argument)
        )),
        "note" | "warning" | "seealso" | "tip" | "important" | "attention" | "caution"
        | "danger" | "hint" | "error" | "admonition" | "todo" => {
            let label = match name {
                "seealso" => "See also".to_string(),
                "admonition" => escape_markdown(argument),
                other => {
                    let mut c = other.chars();
                    c.next()
                        .map(|f| f.to_uppercase().collect::<String>() + c.as_str())
                        .unwrap_or_default()
                }
            };
            let label = format!("**{label}:**");
            if name == "admonition" {
                let mut rendered = Vec::new();
                blocks(&body, &mut rendered);
                out.push(label);
                out.extend(rendered);
            } else {
                paragraph(label);
            }
        }
        // autosummary, plot, toctree, only, ...: what they hold, as written.
        _ => {
            let mut lines = vec![];
            let header = format!(".. {rest}");
            lines.push(header.as_str());
            let indented: Vec<String> = body.iter().map(|l| format!("   {l}")).collect();
            let all: Vec<&str> = lines
                .into_iter()
                .chain(indented.iter().map(String::as_str))
                .collect();
            out.push(fence("text", &all));
        }
    }
}

/// `:param x: text` → `("param", "x", "text")`.
fn field(line: &str) -> Option<(&str, &str, &str)> {
    let rest = line.strip_prefix(':')?;
    let close = rest.find(':')?;
    let (head, text) = (&rest[..close], rest[close + 1..].trim());
    let mut words = head.splitn(2, ' ');
    let kind = words.next()?;
    let known = matches!(
        kind,
        "param"
            | "parameter"
            | "arg"
            | "argument"
            | "key"
            | "keyword"
            | "type"
            | "returns"
            | "return"
            | "rtype"
            | "raises"
            | "raise"
            | "except"
            | "exception"
            | "yields"
            | "yield"
            | "ytype"
            | "var"
            | "ivar"
            | "cvar"
            | "vartype"
    );
    known.then(|| (kind, words.next().unwrap_or("").trim(), text))
}

/// A Sphinx field list starting at `start`, as Parameters / Returns / Raises lists; returns the
/// index after it.
fn fields(lines: &[&str], start: usize, out: &mut Vec<String>) -> usize {
    struct Param<'a> {
        name: &'a str,
        ty: Option<&'a str>,
        text: Vec<&'a str>,
    }
    let mut params: Vec<Param<'_>> = Vec::new();
    let mut returns: Vec<&str> = Vec::new();
    let mut rtype: Option<&str> = None;
    let mut raises: Vec<Param<'_>> = Vec::new();
    let mut i = start;
    let base = indent(lines[start]);
    while i < lines.len() {
        let trimmed = lines[i].trim();
        if trimmed.is_empty() {
            // A blank line ends the list unless another field follows.
            if lines
                .get(i + 1)
                .is_some_and(|l| field(l.trim()).is_some() && indent(l) == base)
            {
                i += 1;
                continue;
            }
            break;
        }
        let Some((kind, name, text)) = field(trimmed).filter(|_| indent(lines[i]) == base) else {
            break;
        };
        let end = indented_block_end(lines, i + 1, base);
        let mut body: Vec<&str> = vec![text];
        body.extend(dedent(&lines[i + 1..end]));
        body.retain(|l| !l.trim().is_empty());
        match kind {
            "type" | "vartype" => {
                if let Some(p) = params.iter_mut().find(|p| p.name == name) {
                    p.ty = Some(text);
                } else {
                    params.push(Param {
                        name,
                        ty: Some(text),
                        text: Vec::new(),
                    });
                }
            }
            "returns" | "return" | "yields" | "yield" => returns.extend(body),
            "rtype" | "ytype" => rtype = Some(text),
            "raises" | "raise" | "except" | "exception" => raises.push(Param {
                name,
                ty: None,
                text: body,
            }),
            _ => {
                // `:param int x:` carries the type before the name.
                let (ty, name) = match name.rsplit_once(' ') {
                    Some((ty, name)) => (Some(ty), name),
                    None => (None, name),
                };
                match params.iter_mut().find(|p| p.name == name) {
                    Some(p) => p.text = body,
                    None => params.push(Param {
                        name,
                        ty,
                        text: body,
                    }),
                }
            }
        }
        i = end;
    }
    if !params.is_empty() {
        out.push("# Parameters".to_string());
        let list: Vec<String> = params.iter().map(|p| item(p.name, p.ty, &p.text)).collect();
        out.push(list.join("\n"));
    }
    if !returns.is_empty() || rtype.is_some() {
        out.push("# Returns".to_string());
        let text = returns.join(" ");
        let line = match rtype {
            Some(t) if text.is_empty() => format!("- {}", inline(t)),
            Some(t) => format!("- ({}): {}", inline(t), inline(&text)),
            None => inline(&text),
        };
        out.push(line);
    }
    if !raises.is_empty() {
        out.push("# Raises".to_string());
        let list: Vec<String> = raises.iter().map(|p| item(p.name, None, &p.text)).collect();
        out.push(list.join("\n"));
    }
    i
}

/// A grid table border (`+---+---+`) or a simple table border (`===  ===`).
fn is_table_border(line: &str) -> bool {
    let grid = line.starts_with('+')
        && line.ends_with('+')
        && line.len() > 2
        && line.chars().all(|c| matches!(c, '+' | '-' | '='));
    let simple =
        line.starts_with('=') && line.contains(' ') && line.chars().all(|c| c == '=' || c == ' ');
    grid || simple
}

/// One line of prose: RST inline markup to Markdown, everything else escaped.
pub fn inline(text: &str) -> String {
    let chars: Vec<char> = text.chars().collect();
    let mut out = String::with_capacity(text.len() + 8);
    let mut plain = String::new();
    let mut i = 0;
    let flush = |plain: &mut String, out: &mut String| {
        if !plain.is_empty() {
            out.push_str(&escape_markdown(plain));
            plain.clear();
        }
    };
    while i < chars.len() {
        let c = chars[i];
        // A role: `:func:` followed by a backquoted target.
        if c == ':'
            && let Some(len) = role_len(&chars[i..])
            && chars.get(i + len) == Some(&'`')
            && let Some(close) = find_run(&chars, i + len + 1, 1)
        {
            flush(&mut plain, &mut out);
            let target: String = chars[i + len + 1..close].iter().collect();
            let role: String = chars[i + 1..i + len - 1].iter().collect();
            match role.as_str() {
                "rfc" | "pep" => out.push_str(&escape_markdown(&format!(
                    "{} {target}",
                    role.to_ascii_uppercase()
                ))),
                _ => out.push_str(&code_span(&role_target(&target))),
            }
            i = close + 1;
            continue;
        }
        if c == '`' {
            let run = chars[i..].iter().take_while(|&&c| c == '`').count();
            if let Some(close) = find_run(&chars, i + run, run) {
                flush(&mut plain, &mut out);
                let content: String = chars[i + run..close].iter().collect();
                let mut after = close + run;
                // `text <url>`_ : a hyperlink.
                if run == 1 && chars.get(after) == Some(&'_') {
                    while chars.get(after) == Some(&'_') {
                        after += 1;
                    }
                    match content.rfind(" <").filter(|_| content.ends_with('>')) {
                        Some(p) => {
                            let title = &content[..p];
                            let url = &content[p + 2..content.len() - 1];
                            if url.starts_with("http://") || url.starts_with("https://") {
                                out.push_str(&format!("[{}](<{url}>)", escape_markdown(title)));
                            } else {
                                out.push_str(&escape_markdown(title));
                            }
                        }
                        None => out.push_str(&escape_markdown(&content)),
                    }
                } else {
                    out.push_str(&code_span(&content));
                }
                i = after;
                continue;
            }
            plain.extend(&chars[i..i + run]);
            i += run;
            continue;
        }
        // *emphasis* and **strong**, when balanced on this line.
        if c == '*' {
            let run = chars[i..].iter().take_while(|&&c| c == '*').count();
            let opens = (run == 1 || run == 2)
                && chars.get(i + run).is_some_and(|n| !n.is_whitespace())
                && (i == 0 || !chars[i - 1].is_alphanumeric());
            if opens
                && let Some(close) = find_run(&chars, i + run, run)
                && !chars[close - 1].is_whitespace()
                && chars.get(close + run).is_none_or(|n| !n.is_alphanumeric())
            {
                flush(&mut plain, &mut out);
                let content: String = chars[i + run..close].iter().collect();
                let marks = "*".repeat(run);
                out.push_str(&format!("{marks}{}{marks}", escape_markdown(&content)));
                i = close + run;
                continue;
            }
        }
        // `[1]_` citation references read `[1]`.
        if c == '['
            && let Some(len) = chars[i..].iter().position(|&c| c == ']')
            && chars.get(i + len + 1) == Some(&'_')
            && len > 1
            && chars[i + 1..i + len].iter().all(|c| !c.is_whitespace())
        {
            plain.extend(&chars[i..=i + len]);
            i += len + 2;
            continue;
        }
        plain.push(c);
        i += 1;
    }
    flush(&mut plain, &mut out);
    out
}

/// The length of `:name:` (letters, digits, `-`, `_`, `.`, `:` inside) at the start of `chars`.
fn role_len(chars: &[char]) -> Option<usize> {
    let end = chars[1..]
        .iter()
        .position(|&c| !(c.is_alphanumeric() || matches!(c, '-' | '_' | '.' | ':')))?;
    // `:py:func:` has inner colons; the role ends at the last colon before the backquote.
    let len = end + 1;
    (len > 2 && chars[len - 1] == ':').then_some(len)
}

/// What a role shows: `~numpy.linalg.norm` → `norm`; `title <target>` → `target`.
fn role_target(target: &str) -> String {
    let target = match target.rfind(" <") {
        Some(p) if target.ends_with('>') => &target[p + 2..target.len() - 1],
        _ => target,
    };
    match target.strip_prefix('~') {
        Some(t) => t.rsplit('.').next().unwrap_or(t).to_string(),
        None => target.trim_start_matches('!').to_string(),
    }
}

/// The index of the next run of exactly `run` backquotes (or asterisks, per the char at
/// `from - 1`) from `from`.
fn find_run(chars: &[char], from: usize, run: usize) -> Option<usize> {
    let mark = *chars.get(from.checked_sub(1)?)?;
    let mut j = from;
    while j < chars.len() {
        if chars[j] == mark {
            let r = chars[j..].iter().take_while(|&&c| c == mark).count();
            if r == run {
                return Some(j);
            }
            j += r;
        } else {
            j += 1;
        }
    }
    None
}
