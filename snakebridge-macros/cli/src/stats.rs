//! What a module's bindings hold, counted from the code generator's resolved tree (the same
//! counts as the census): items, and the share of parameters and return types that are typed
//! (anything but the dynamic `Value`).

use snakebridge_codegen::Options;
use snakebridge_codegen::codegen::{Plan, resolve};
use snakebridge_codegen::model::{ModuleInfo, SignatureSource};
use snakebridge_codegen::typemap::RustType;

/// The counts of one module (with its requested submodules).
#[derive(Debug, Clone, Default)]
pub struct Stats {
    /// Functions bound.
    pub functions: usize,
    /// Exported classes bound.
    pub classes: usize,
    /// Constants bound.
    pub constants: usize,
    /// Parameters and return types of every callable (functions, constructors, methods).
    pub slots: usize,
    /// Of which typed (a result the overloads resolve by the argument's type counts, as in
    /// the census).
    pub typed: usize,
    /// Typed parameters by where their callable's signature came from: stubs (the package's,
    /// a stub package's or typeshed), the docstring's numpydoc types, the runtime (`inspect`).
    pub typed_params_by_source: [usize; 3],
}

impl Stats {
    /// Counts the bindings of `module` under `options`.
    pub fn of(module: &ModuleInfo, options: &Options) -> Stats {
        let resolved = resolve(module, options);
        let mut stats = Stats::default();
        for m in &resolved.mods {
            stats.functions += m.functions.len();
            stats.classes += m.classes.len();
            stats.constants += m.constants.len();
            for f in &m.functions {
                stats.add(&f.plan, f.info.signature_source);
            }
            for c in &m.classes {
                if let Some(ctor) = &c.ctor {
                    stats.add(&ctor.plan, ctor.info.signature_source);
                }
                for method in &c.methods {
                    stats.add(&method.callable.plan, method.callable.info.signature_source);
                }
            }
        }
        stats
    }

    fn add(&mut self, plan: &Plan, source: SignatureSource) {
        let slot = match source {
            SignatureSource::Stub | SignatureSource::Typeshed => Some(0),
            SignatureSource::Docstring => Some(1),
            SignatureSource::Inspect | SignatureSource::TextSignature => Some(2),
            SignatureSource::Unknown => None,
        };
        for p in plan.required.iter().chain(&plan.optional) {
            self.slots += 1;
            let typed = !matches!(p.ty, RustType::Value);
            self.typed += usize::from(typed);
            if let (true, Some(slot)) = (typed, slot) {
                self.typed_params_by_source[slot] += 1;
            }
        }
        self.slots += 1;
        let by_overloads = plan
            .overloads
            .iter()
            .any(|(_, r)| !matches!(r, RustType::Value));
        self.typed += usize::from(!matches!(plan.ret, RustType::Value) || by_overloads);
    }

    /// The typed parameters' shares by source, `stub / docstring / runtime` in percent (`-`
    /// when none is typed).
    pub fn by_source(&self) -> String {
        let total: usize = self.typed_params_by_source.iter().sum();
        if total == 0 {
            return "-".to_string();
        }
        let [stub, doc, runtime] = self
            .typed_params_by_source
            .map(|n| 100.0 * n as f64 / total as f64);
        format!("{stub:.0}/{doc:.0}/{runtime:.0}%")
    }

    /// Items bound: functions, classes and constants.
    pub fn items(&self) -> usize {
        self.functions + self.classes + self.constants
    }

    /// The typed share in percent (100 when there is nothing to type).
    pub fn typed_percent(&self) -> f64 {
        if self.slots == 0 {
            100.0
        } else {
            100.0 * self.typed as f64 / self.slots as f64
        }
    }
}

/// A plain text table: a header, then rows; columns padded to their widest cell, numbers (cells
/// that start with a digit) right-aligned.
pub fn table(header: &[&str], rows: &[Vec<String>]) -> String {
    let mut widths: Vec<usize> = header.iter().map(|h| h.chars().count()).collect();
    for row in rows {
        for (w, cell) in widths.iter_mut().zip(row) {
            *w = (*w).max(cell.chars().count());
        }
    }
    let line = |cells: Vec<&str>| {
        let mut out = String::new();
        for (i, (cell, w)) in cells.iter().zip(&widths).enumerate() {
            if i > 0 {
                out.push_str("  ");
            }
            let numeric = cell.starts_with(|c: char| c.is_ascii_digit());
            if numeric && i > 0 {
                out.push_str(&format!("{cell:>w$}"));
            } else {
                out.push_str(&format!("{cell:<w$}"));
            }
        }
        out.trim_end().to_string() + "\n"
    };
    let mut out = line(header.to_vec());
    for row in rows {
        out.push_str(&line(row.iter().map(String::as_str).collect()));
    }
    out
}
