//! The request frames the pool sends and the replies it gets back (see the protocol in
//! `python/snakebridge_worker.py`).

use std::io::Write as _;
use std::sync::Arc;

use serde_json::Value as Json;

use super::shm;
use super::worker::{Frame, ID_SHIFT, Worker, frame_finish_with, frame_start, push_ids};
use crate::client::request::Request;
use crate::client::wire::{self, RefResolver};
use crate::data::array::{DType, NdArray};
use crate::data::error::{CallContext, Error, ExceptionKind, PythonError, Result};
use crate::data::pyref::PyRef;
use crate::data::return_policy::ReturnPolicy;
use crate::data::value::Value;

/// A `call` or `stream` frame around the seed payload (its JSON text, from
/// [`wire::write_request_payload`]), with the elements of its arrays that
/// travel beside the JSON.
#[allow(clippy::too_many_arguments)] // one frame's fields, each said once
pub(crate) fn request_frame(
    op: &str,
    id: u64,
    returns: ReturnPolicy,
    session: Option<u64>,
    releases: &[u64],
    window: Option<usize>,
    payload: &[u8],
    attachments: &[u8],
) -> Result<Vec<u8>> {
    let returns = match returns {
        ReturnPolicy::Auto => "auto",
        ReturnPolicy::Value => "value",
        ReturnPolicy::Ref => "ref",
        ReturnPolicy::Map => "map",
    };
    let mut buf = frame_start();
    let _ = write!(buf, r#"{{"op":"{op}","id":{id},"returns":"{returns}""#);
    if let Some(s) = session {
        let _ = write!(buf, r#","session":{s}"#);
    }
    if !releases.is_empty() {
        buf.extend_from_slice(br#","release":"#);
        push_ids(&mut buf, releases);
    }
    if let Some(w) = window {
        let _ = write!(buf, r#","window":{w}"#);
    }
    buf.extend_from_slice(br#","req":"#);
    buf.extend_from_slice(payload);
    buf.push(b'}');
    frame_finish_with(buf, attachments)
}

/// What a reply said, when it was not an error.
pub(crate) enum Reply {
    /// The result of a call.
    Value(Value),
    /// A stream was opened.
    Started,
    /// The next item of a stream.
    Item(Value),
    /// The stream is exhausted.
    End,
}

/// Turns wire refs into refs owned by the worker that sent them, and finds arrays in its
/// segments and in the frame's attachments.
struct Resolver<'a>(&'a Arc<Worker>, &'a [u8]);

impl RefResolver for Resolver<'_> {
    fn resolve(&self, id: u64, type_name: &str) -> Result<PyRef> {
        if id >> ID_SHIFT != self.0.incarnation {
            return Err(Error::StaleRef {
                id,
                reason: "the worker sent the id of an object it does not hold".into(),
            });
        }
        Ok(PyRef::remote(id, type_name, self.0.refs.clone()))
    }

    fn shared_array(&self, name: &str, dtype: DType, shape: Vec<usize>) -> Result<NdArray> {
        let (array, n) = shm::open_array(name, self.0.pid, dtype, shape)?;
        self.0.saw_segment(n);
        Ok(array)
    }

    fn attachments(&self) -> Option<&[u8]> {
        Some(self.1)
    }
}

/// Decodes a value the worker sent; if that fails part-way, the segments named further on are
/// unlinked (they will never be opened).
fn decode(value: &Json, worker: &Arc<Worker>, attachments: &[u8]) -> Result<Value> {
    wire::decode_value(value, &Resolver(worker, attachments))
        .inspect_err(|_| worker.forget_segments_in(value))
}

/// The call context of a request, as the embedded client reports it.
pub(crate) fn context_of(req: &Request) -> CallContext {
    CallContext {
        python_module: req.python_module.to_string(),
        function: req.display_name(),
        arity: req.arity(),
        rust_location: None,
    }
}

fn text(j: &Json, key: &str) -> String {
    j.get(key)
        .and_then(Json::as_str)
        .unwrap_or_default()
        .to_owned()
}

/// Interprets a reply frame.
pub(crate) fn interpret(
    frame: &Frame,
    worker: &Arc<Worker>,
    context: impl FnOnce() -> CallContext,
) -> Result<Reply> {
    let (reply, attachments) = (frame.json(), &frame.attachments[..]);
    let Some(obj) = reply.as_object() else {
        return Err(Error::decode(
            "pool worker reply",
            format!("not an object: {reply}"),
        ));
    };
    if let Some(v) = obj.get("ok") {
        return decode(v, worker, attachments).map(Reply::Value);
    }
    if let Some(v) = obj.get("item") {
        return decode(v, worker, attachments).map(Reply::Item);
    }
    if obj.contains_key("started") {
        return Ok(Reply::Started);
    }
    if obj.contains_key("end") {
        return Ok(Reply::End);
    }
    if let Some(e) = obj.get("err") {
        return Err(Error::Python(Box::new(PythonError {
            kind: ExceptionKind::from_class_name(&text(e, "kind")),
            class: text(e, "class"),
            message: text(e, "message"),
            traceback: text(e, "traceback"),
            context: context(),
            mro: e
                .get("mro")
                .and_then(Json::as_array)
                .map(|m| {
                    m.iter()
                        .filter_map(|c| c.as_str().map(str::to_owned))
                        .collect()
                })
                .unwrap_or_default(),
            exception: e
                .get("exception")
                .and_then(|x| decode(x, worker, attachments).ok())
                .and_then(|v| match v {
                    Value::Ref(r) => Some(r),
                    _ => None,
                }),
        })));
    }
    if let Some(s) = obj.get("stale") {
        let id = text(s, "ref").parse().unwrap_or_default();
        return Err(Error::StaleRef {
            id,
            reason: text(s, "reason"),
        });
    }
    if let Some(d) = obj.get("decode") {
        return Err(Error::decode(text(d, "what"), text(d, "message")));
    }
    if let Some(e) = obj.get("encode") {
        return Err(Error::encode(e.as_str().unwrap_or_default()));
    }
    Err(Error::decode(
        "pool worker reply",
        format!("unexpected reply {reply}"),
    ))
}
