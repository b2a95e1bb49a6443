//! One line of prose: RST inline markup (roles, ``literals``, links, citations) to Markdown,
//! everything else escaped.

use super::*;

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
