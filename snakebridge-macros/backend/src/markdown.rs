//! Markdown primitives shared by the docstring renderers ([`crate::docs`], which builds an
//! item's rustdoc, and [`crate::docstring`], which renders a docstring's body): prose escaped so
//! that rustdoc shows it as written, and code spans that survive any backticks.

use std::fmt::Write as _;

/// Escapes a line of prose so that Markdown shows it as written: balanced backtick spans stay code
/// spans; `[ ] < > * _ # \ |` and friends are backslash-escaped; URLs become autolinks.
pub fn escape_markdown(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 16);
    let chars: Vec<char> = text.chars().collect();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        if c == '`' {
            let run = chars[i..].iter().take_while(|&&c| c == '`').count();
            // Find the matching closing run of the same length.
            let mut j = i + run;
            let mut close = None;
            while j < chars.len() {
                if chars[j] == '`' {
                    let r = chars[j..].iter().take_while(|&&c| c == '`').count();
                    if r == run {
                        close = Some(j);
                        break;
                    }
                    j += r;
                } else {
                    j += 1;
                }
            }
            if let Some(j) = close {
                out.extend(&chars[i..j + run]);
                i = j + run;
            } else {
                for _ in 0..run {
                    out.push_str("\\`");
                }
                i += run;
            }
            continue;
        }
        if let Some(len) = url_len(&chars[i..]) {
            let url: String = chars[i..i + len].iter().collect();
            let _ = write!(out, "<{url}>");
            i += len;
            continue;
        }
        if matches!(
            c,
            '\\' | '[' | ']' | '<' | '>' | '*' | '_' | '#' | '|' | '~' | '!' | '&' | '{' | '}'
        ) {
            out.push('\\');
        }
        out.push(c);
        i += 1;
    }
    // A leading `-`, `+` or `1.` would start a list; harmless for rustdoc, but keep it as text.
    if out.starts_with(['-', '+']) {
        out.insert(0, '\\');
    }
    out
}

fn url_len(chars: &[char]) -> Option<usize> {
    let starts = |p: &str| chars.iter().take(p.len()).copied().eq(p.chars());
    if !(starts("http://") || starts("https://")) {
        return None;
    }
    let mut len = chars
        .iter()
        .take_while(|c| !c.is_whitespace() && !matches!(c, '<' | '>' | '`' | '"'))
        .count();
    // Trailing punctuation belongs to the sentence; a `)` only when the URL opened none
    // (`https://en.wikipedia.org/wiki/Norm_(mathematics)` keeps its own).
    while len > 0 && matches!(chars[len - 1], '.' | ',' | ';' | ':' | ')' | ']' | '\'') {
        if chars[len - 1] == ')' {
            let opened = chars[..len].iter().filter(|&&c| c == '(').count();
            let closed = chars[..len].iter().filter(|&&c| c == ')').count();
            if closed <= opened {
                break;
            }
        }
        len -= 1;
    }
    Some(len)
}

/// An inline code span that survives any backticks inside `text`.
pub fn code_span(text: &str) -> String {
    let text = text.replace('\n', " ");
    let ticks = "`".repeat(longest_run(&text, '`') + 1);
    if text.starts_with('`') || text.ends_with('`') {
        format!("{ticks} {text} {ticks}")
    } else {
        format!("{ticks}{text}{ticks}")
    }
}

fn longest_run(text: &str, ch: char) -> usize {
    let mut best = 0;
    let mut cur = 0;
    for c in text.chars() {
        if c == ch {
            cur += 1;
            best = best.max(cur);
        } else {
            cur = 0;
        }
    }
    best
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes() {
        assert_eq!(escape_markdown("a `b` `c"), "a `b` \\`c");
        assert_eq!(
            escape_markdown("see https://x.org/a_b."),
            "see <https://x.org/a_b>."
        );
        assert_eq!(escape_markdown("# not a header"), "\\# not a header");
        assert_eq!(escape_markdown("- item"), "\\- item");
        assert_eq!(code_span("a`b"), "``a`b``");
        assert_eq!(code_span("`a"), "`` `a ``");
    }
}
