//! [`GenStream`]: a Python generator driven from Rust with `send`, ending with its return value
//! (`Generator[Y, S, R]`), and [`Call::generator`], which opens one.

use std::marker::PhantomData;
use std::panic::Location;

use super::{Call, at};
use crate::client::{GeneratorStep, ValueGenerator, with_current};
use crate::data::error::Result;
use crate::data::value::{FromValue, IntoValue, Value};

impl<R: FromValue> Call<R> {
    /// Runs the call and drives its result, a Python generator, one step at a time: yields
    /// convert to `Y`, [`GenStream::send`] sends an `S` in, and the generator's return value
    /// converts to `Ret` ([`GenStream::returned`]). The generator runs only as far as the
    /// steps asked for (no item is produced ahead, unlike [`Call::stream`]).
    ///
    /// ```no_run
    /// use snakebridge_runtime::{Call, GenStream, Value};
    /// // def running_total() -> Generator[int, int, str]: yields the total of what it is sent,
    /// // returns "done at <total>" when sent 0.
    /// let mut total: GenStream<i64, i64, String> =
    ///     Call::<Value>::function("my_module", "running_total", ()).generator()?;
    /// assert_eq!(total.next().transpose()?, Some(0));
    /// assert_eq!(total.send(5).transpose()?, Some(5));
    /// assert_eq!(total.send(0).transpose()?, None);
    /// assert_eq!(total.returned().map(String::as_str), Some("done at 5"));
    /// # Ok::<(), snakebridge_runtime::Error>(())
    /// ```
    #[track_caller]
    pub fn generator<Y: FromValue, S: IntoValue, Ret: FromValue>(
        mut self,
    ) -> Result<GenStream<Y, S, Ret>> {
        let location = Location::caller();
        self.check_positional()?;
        self.request.streaming = true;
        self.options.returns = Y::RETURN_POLICY;
        let inner = with_current(|client| {
            client.execute_generator(&self.request, &self.options, Ret::RETURN_POLICY)
        })
        .map_err(|e| at(e, location))?;
        Ok(GenStream {
            inner: Some(inner),
            returned: None,
            types: PhantomData,
        })
    }
}

/// A Python generator (`Generator[Y, S, R]`) driven from Rust: iterating it is `next()`,
/// [`send`](GenStream::send) is `generator.send(value)`, and once it ends its return value is
/// [`returned`](GenStream::returned). Dropping it before the end closes the generator (its
/// `finally` blocks run).
pub struct GenStream<Y, S = Value, R = Value> {
    /// `None` once the generator ended or failed.
    inner: Option<ValueGenerator>,
    returned: Option<R>,
    types: PhantomData<fn(S) -> Y>,
}

impl<Y: FromValue, S, R: FromValue> GenStream<Y, S, R> {
    fn step(&mut self, value: Value) -> Option<Result<Y>> {
        let inner = self.inner.as_mut()?;
        let step = inner.step(value);
        match step {
            Ok(GeneratorStep::Yielded(v)) => Some(Y::from_value(v)),
            Ok(GeneratorStep::Returned(v)) => {
                self.inner = None;
                match R::from_value(v) {
                    Ok(r) => {
                        self.returned = Some(r);
                        None
                    }
                    Err(e) => Some(Err(e)),
                }
            }
            Err(e) => {
                self.inner = None;
                Some(Err(e))
            }
        }
    }

    /// The generator's return value, once it has ended (`None` before, and after an error).
    pub fn returned(&self) -> Option<&R> {
        self.returned.as_ref()
    }

    /// The generator's return value, once it has ended.
    pub fn into_returned(self) -> Option<R> {
        self.returned
    }

    /// True once the generator has ended or raised.
    pub fn is_finished(&self) -> bool {
        self.inner.is_none()
    }
}

impl<Y: FromValue, S: IntoValue, R: FromValue> GenStream<Y, S, R> {
    /// Sends `value` into the generator (the value of its pending `yield` expression) and runs
    /// it to its next `yield`: `Some(Ok(item))`; `None` when it ended instead (its return value
    /// is then [`returned`](Self::returned)), and on every later step; `Some(Err(..))` when it
    /// raised. As in Python, the first step must be `next()` (or `send` of `None`).
    pub fn send(&mut self, value: S) -> Option<Result<Y>> {
        self.step(value.into_value())
    }
}

impl<Y: FromValue, S, R: FromValue> Iterator for GenStream<Y, S, R> {
    type Item = Result<Y>;

    /// `next(generator)`: sends `None`.
    fn next(&mut self) -> Option<Result<Y>> {
        self.step(Value::None)
    }
}

impl<Y, S, R> std::fmt::Debug for GenStream<Y, S, R> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("GenStream")
            .field("finished", &self.inner.is_none())
            .finish()
    }
}
