//! What a module's bindings hold, counted from the code generator's resolved tree (the same
//! counts as the census): items, and the share of parameters and return types that are typed
//! (anything but the dynamic `Value`).

use snakebridge_codegen::Options;
use snakebridge_codegen::codegen::{Plan, resolve};
use snakebridge_codegen::model::ModuleInfo;
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
    /// Of which typed.
    pub typed: usize,
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
                stats.add(&f.plan);
            }
            for c in &m.classes {
                if let Some(ctor) = &c.ctor {
                    stats.add(&ctor.plan);
                }
                for method in &c.methods {
                    stats.add(&method.callable.plan);
                }
            }
        }
        stats
    }

    fn add(&mut self, plan: &Plan) {
        for p in plan.required.iter().chain(&plan.optional) {
            self.slots += 1;
            self.typed += usize::from(!matches!(p.ty, RustType::Value));
        }
        self.slots += 1;
        self.typed += usize::from(!matches!(plan.ret, RustType::Value));
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
