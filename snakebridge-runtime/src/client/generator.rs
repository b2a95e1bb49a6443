//! Generators driven step by step (`send`, and the value they `return`): what a client hands
//! back for [`RuntimeClient::execute_generator`](super::RuntimeClient::execute_generator), and
//! the steps it takes.

use crate::data::error::Result;
use crate::data::value::Value;

/// What one step of a generator gave.
#[derive(Debug, Clone, PartialEq)]
pub enum GeneratorStep {
    /// The generator yielded this value (converted under the call's return policy).
    Yielded(Value),
    /// The generator ended (`StopIteration`) with this return value (converted under the
    /// policy the generator was opened with for its return value); `None` for a bare `return`.
    Returned(Value),
}

/// A Python generator in a client, run one step at a time. Dropping it before it ended closes
/// the generator (`generator.close()`: its `finally` blocks run).
pub trait GeneratorDriver: Send {
    /// Sends `value` into the generator (`Value::None` is `next()`; the first step must send
    /// `None`, as in Python) and runs it to its next `yield` or to its end. After the end or an
    /// error, the generator is finished: later steps are errors.
    fn step(&mut self, value: Value) -> Result<GeneratorStep>;
}

/// A generator being driven from Rust.
pub type ValueGenerator = Box<dyn GeneratorDriver>;
