//! RST directives (`.. note::`, `.. math::`, `.. code-block::`, ...) and tables.

use super::*;

/// `.. name:: argument` with its body.
pub(super) fn directive(rest: &str, body: &[&str], out: &mut Vec<String>) {
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

/// A grid table border (`+---+---+`) or a simple table border (`===  ===`).
pub(super) fn is_table_border(line: &str) -> bool {
    let grid = line.starts_with('+')
        && line.ends_with('+')
        && line.len() > 2
        && line.chars().all(|c| matches!(c, '+' | '-' | '='));
    let simple =
        line.starts_with('=') && line.contains(' ') && line.chars().all(|c| c == '=' || c == ' ');
    grid || simple
}
