//! The body of an `err` answer: a Python exception as the worker reports it, with the bodies of
//! its `__cause__` and `__context__` inside it (`PROTOCOL.md`, "Messages").

use serde_json::{Map, Value as Json};

use super::{strings, take_string};

/// A Python exception a worker reports (`"err"`).
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct WorkerException {
    /// `module.Qualname` of its class (builtins bare).
    pub(crate) class: String,
    /// The `ExceptionKind` found first in its MRO, by name.
    pub(crate) kind: String,
    pub(crate) message: String,
    pub(crate) traceback: String,
    /// Its class's MRO, each `module.Qualname`.
    pub(crate) mro: Vec<String>,
    /// The exception object itself, as a wire ref (when the worker could keep it).
    pub(crate) exception: Option<Json>,
    /// Its `__cause__` (`"cause"`, the same shape), when it has one.
    pub(crate) cause: Option<Box<WorkerException>>,
    /// Its `__context__` (`"context"`, the same shape), when it has one.
    pub(crate) context: Option<Box<WorkerException>>,
}

impl WorkerException {
    /// Parses an `err` body (and the bodies of its chain).
    pub(super) fn parse(mut e: Map<String, Json>) -> std::result::Result<WorkerException, String> {
        let mut link = |key: &str| match e.remove(key) {
            Some(Json::Object(body)) => WorkerException::parse(body).map(|x| Some(Box::new(x))),
            Some(_) => Err(format!("`{key}` is not an error body")),
            None => Ok(None),
        };
        let (cause, context) = (link("cause")?, link("context")?);
        Ok(WorkerException {
            class: take_string(&mut e, "class")?,
            kind: take_string(&mut e, "kind")?,
            message: take_string(&mut e, "message")?,
            traceback: take_string(&mut e, "traceback")?,
            mro: match e.remove("mro") {
                Some(list) => strings(list, "mro")?,
                None => Vec::new(),
            },
            exception: e.remove("exception"),
            cause,
            context,
        })
    }

    /// The exception refs of it and its chain.
    pub(super) fn refs<'a>(&'a self, out: &mut Vec<&'a Json>) {
        out.extend(self.exception.as_ref());
        for link in [&self.cause, &self.context].into_iter().flatten() {
            link.refs(out);
        }
    }

    /// The body as the worker writes it.
    #[cfg(test)]
    pub(super) fn to_json(&self) -> Json {
        let mut j = serde_json::json!({"class": self.class, "kind": self.kind,
            "message": self.message, "traceback": self.traceback, "mro": self.mro});
        if let Some(x) = &self.exception {
            j["exception"] = x.clone();
        }
        if let Some(c) = &self.cause {
            j["cause"] = c.to_json();
        }
        if let Some(c) = &self.context {
            j["context"] = c.to_json();
        }
        j
    }
}
