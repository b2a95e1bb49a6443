//! Parameter-like sections as Markdown lists: numpydoc's `name : type` items, Google's
//! `name (type): description`, and Sphinx field lists (`:param x:`, `:type x:`, `:returns:`).

use super::*;

/// A parameter-like section's lines (dedented) as a Markdown list.
pub(super) fn items(lines: &[&str], kind: Section, out: &mut Vec<String>) {
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

/// `:param x: text` → `("param", "x", "text")`.
pub(super) fn field(line: &str) -> Option<(&str, &str, &str)> {
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
pub(super) fn fields(lines: &[&str], start: usize, out: &mut Vec<String>) -> usize {
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
