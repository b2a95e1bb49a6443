//! Rustdoc from Python docstrings.
//!
//! Python docstrings are reStructuredText or numpydoc, written to be read as plain text, and full
//! of things rustdoc would misread: indented `>>>` examples (rustdoc would compile them as Rust
//! doctests), `[1]_` citations and `[x]` (broken intra-doc links), `<ndarray>` (unclosed HTML
//! tags), bare URLs. `cargo doc` on generated bindings must stay warning-free, so the layout is:
//!
//! 1. the docstring's first paragraph (its summary, which rustdoc shows in item lists), with every
//!    character that Markdown would interpret escaped, except balanced inline code spans;
//! 2. a line naming the Python object, its signature, and where the signature came from;
//! 3. the rest of the docstring rendered to Markdown by [`crate::docstring`]: numpydoc,
//!    Google-style and RST sections as headings and lists, `>>>` examples as `python` blocks
//!    (which rustdoc never compiles), everything else escaped.

use crate::markdown::code_span;
use crate::model::SignatureSource;
use std::fmt::Write;

/// Builds the rustdoc text for one item.
///
/// `python` is what the item is in Python (e.g. ``json.dumps``); `signatures` the Python signature
/// texts when known (several for overloads) and `source` where they came from; `note` an extra
/// sentence placed after the signature (e.g. how to stream).
pub fn render(
    doc: Option<&str>,
    python: &str,
    signatures: &[&str],
    source: Option<SignatureSource>,
    note: Option<&str>,
) -> String {
    // Docstrings arrive cleaned (`inspect.cleandoc` in the introspector: dedented, no tabs, no
    // CR); this runs for every item inside rustc, unoptimized in debug builds, so it only does
    // what is needed on top.
    let doc = doc.unwrap_or_default().trim_matches('\n');
    let (summary, rest) = split_summary(doc);
    let mut out = String::new();
    if !summary.is_empty() {
        out.push_str(&crate::docstring::inline(&summary));
        out.push_str("\n\n");
    }
    let from = source.map(|s| format!(" (signature from {})", source_name(s)));
    match signatures {
        [] | [""] => {
            let _ = write!(
                out,
                "Python: {}{}",
                code_span(python),
                from.unwrap_or_default()
            );
        }
        [one] => {
            let _ = write!(
                out,
                "Python: {}{}",
                code_span(&format!("{python}{one}")),
                from.unwrap_or_default()
            );
        }
        many => {
            let _ = writeln!(out, "Python overloads{}:", from.unwrap_or_default());
            for sig in many {
                let _ = write!(out, "\n- {}", code_span(&format!("{python}{sig}")));
            }
        }
    }
    if let Some(note) = note {
        let _ = write!(out, "\n\n{note}");
    }
    if !rest.is_empty() {
        let _ = write!(out, "\n\n{}", crate::docstring::to_markdown(rest));
    }
    out
}

/// The docs of a non-callable item (class, attribute, constant, module): no signature.
pub fn render_plain(doc: Option<&str>, python: &str) -> String {
    render(doc, python, &[], None, None)
}

/// Where a signature came from, for the docs.
pub fn source_name(source: SignatureSource) -> &'static str {
    match source {
        SignatureSource::Stub => "the package's .pyi stubs",
        SignatureSource::Typeshed => "typeshed",
        SignatureSource::Inspect => "inspect.signature",
        SignatureSource::TextSignature => "__text_signature__",
        SignatureSource::Docstring => "the docstring",
        SignatureSource::Unknown => "nowhere: unknown, so the call is dynamic",
    }
}

/// Splits off the first paragraph, unless it looks like code or a heading (then no summary).
fn split_summary(doc: &str) -> (String, &str) {
    let (first, rest) = match doc.find("\n\n") {
        Some(i) => (&doc[..i], doc[i..].trim_start_matches('\n')),
        None => (doc, ""),
    };
    let looks_like_text = !first.is_empty()
        && !first.lines().any(|l| {
            l.starts_with(' ') || l.starts_with(">>>") || l.chars().all(|c| c == '-' || c == '=')
        });
    if looks_like_text {
        (first.split_whitespace().collect::<Vec<_>>().join(" "), rest)
    } else {
        (String::new(), doc)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn summary_signature_and_fenced_rest() {
        let doc = "Serialize ``obj`` to a JSON [1]_ <str>.\n\n>>> dumps([1])\n'[1]'";
        let out = render(
            Some(doc),
            "json.dumps",
            &["(obj, *, indent=None) -> str"],
            Some(SignatureSource::Typeshed),
            None,
        );
        assert_eq!(
            out,
            "Serialize `obj` to a JSON \\[1\\] \\<str\\>.\n\n\
             Python: `json.dumps(obj, *, indent=None) -> str` (signature from typeshed)\n\n\
             ```python\n>>> dumps([1])\n'[1]'\n```"
        );
    }

    #[test]
    fn fence_outgrows_backticks_inside() {
        let out = render_plain(
            Some("Sum.\n\nCode::\n\n    ```python\n    x\n    ```"),
            "m.f",
        );
        assert!(
            out.ends_with("Code:\n\n````text\n```python\nx\n```\n````"),
            "{out}"
        );
    }

    #[test]
    fn overloads_are_listed() {
        let out = render(
            None,
            "m.f",
            &["(a: int) -> int", "(a: str) -> str"],
            None,
            Some("Note."),
        );
        assert_eq!(
            out,
            "Python overloads:\n\n- `m.f(a: int) -> int`\n- `m.f(a: str) -> str`\n\nNote."
        );
    }

    #[test]
    fn code_first_paragraph_is_not_a_summary() {
        let out = render_plain(Some(">>> f()\n1\n\nmore"), "m.f");
        assert!(out.starts_with("Python: `m.f`"), "{out}");
        assert!(out.contains("```python\n>>> f()\n1\n```\n\nmore"), "{out}");
    }
}
