//! Generators driven step by step in this interpreter (`generator.send`, the return value a
//! `StopIteration` carries): the embedded client's [`GeneratorDriver`].

use pyo3::exceptions::PyStopIteration;
use pyo3::prelude::*;

use super::convert::{from_py, to_py};
use super::exceptions::python_error_ctx;
use crate::client::{GeneratorDriver, GeneratorStep};
use crate::data::error::{CallContext, Error, Result};
use crate::data::return_policy::ReturnPolicy;
use crate::data::value::Value;

/// A Python generator (or any iterator: it then takes `None` only) being driven from Rust.
pub(super) struct EmbeddedGenerator {
    /// The generator; `None` once it ended or raised.
    generator: Option<Py<PyAny>>,
    /// Whether it has `send` (a plain iterator has only `__next__`).
    sends: bool,
    pub(super) context: CallContext,
    /// The policy of its yields.
    pub(super) yields: ReturnPolicy,
    /// The policy of its return value.
    pub(super) returns: ReturnPolicy,
}

impl EmbeddedGenerator {
    /// Drives `result`: a generator as it is, another iterable through `iter()`.
    pub(super) fn open(
        result: &Bound<'_, PyAny>,
        context: CallContext,
        yields: ReturnPolicy,
        returns: ReturnPolicy,
    ) -> Result<EmbeddedGenerator> {
        let py = result.py();
        let sends = result.hasattr("send").unwrap_or(false);
        let generator = if sends {
            result.clone()
        } else {
            result
                .try_iter()
                .map_err(|e| python_error_ctx(py, e, context.clone()))?
                .into_any()
        };
        Ok(EmbeddedGenerator {
            generator: Some(generator.unbind()),
            sends,
            context,
            yields,
            returns,
        })
    }
}

impl GeneratorDriver for EmbeddedGenerator {
    fn step(&mut self, value: Value) -> Result<GeneratorStep> {
        let Some(generator) = self.generator.as_ref() else {
            return Err(Error::config(format!(
                "the generator of {} has ended: it takes no more steps",
                self.context
            )));
        };
        let step = Python::attach(|py| {
            let generator = generator.bind(py);
            let result = if self.sends {
                generator.call_method1("send", (to_py(py, &value)?,))
            } else if value == Value::None {
                generator.call_method0("__next__")
            } else {
                return Err(Error::encode(format!(
                    "{} returned a {} that has no `send`: it takes only `next()`",
                    self.context,
                    generator
                        .get_type()
                        .name()
                        .map(|n| n.to_string())
                        .unwrap_or_default()
                )));
            };
            match result {
                Ok(item) => Ok(Ok(GeneratorStep::Yielded(from_py(&item, self.yields)?))),
                Err(e) if e.is_instance_of::<PyStopIteration>(py) => {
                    let returned = e.value(py).getattr("value").ok();
                    let value = match returned {
                        Some(r) => from_py(&r, self.returns)?,
                        None => Value::None,
                    };
                    Ok(Err(GeneratorStep::Returned(value)))
                }
                Err(e) => Err(python_error_ctx(py, e, self.context.clone())),
            }
        });
        match step {
            Ok(Ok(yielded)) => Ok(yielded),
            Ok(Err(returned)) => {
                self.generator = None;
                Ok(returned)
            }
            Err(e) => {
                self.generator = None;
                Err(e)
            }
        }
    }
}

impl Drop for EmbeddedGenerator {
    fn drop(&mut self) {
        if let Some(generator) = self.generator.take() {
            // Stopped early: close it so its `finally` blocks run now, as a stream's do.
            Python::attach(|py| {
                let generator = generator.bind(py);
                if generator.hasattr("close").unwrap_or(false)
                    && let Err(e) = generator.call_method0("close")
                {
                    tracing::warn!(target: "snakebridge", error = %e, "closing a Python generator failed");
                }
            });
        }
    }
}
