//! The pool's protocol, once: the messages each way as types, each written ([`ToWorker::frame`])
//! or parsed ([`FromWorker::parse`]) here and nowhere else, and the frames they travel in
//! ([`frame`]). The spec is `PROTOCOL.md` beside this file (versioned: [`PROTOCOL_VERSION`]);
//! `corpus/` holds one example of every message each way, which this crate's test and the
//! worker's own test both parse.
//!
//! Over 600 lines on purpose: every message each way is written and parsed in this one file,
//! next to each other, so the two directions cannot drift apart unseen.

pub(crate) mod binary;
mod exception;
pub(crate) mod frame;

#[cfg(test)]
mod corpus;

use std::borrow::Cow;
use std::io::Write as _;

use serde_json::{Map, Value as Json};

pub(crate) use exception::WorkerException;

use crate::data::array::NdArray;
use crate::data::error::Result;
use crate::data::nesting::deeper;
use crate::data::return_policy::ReturnPolicy;

/// The protocol this runtime speaks; a worker announces its own in `ready`, and a worker of
/// another version is refused at start (`PROTOCOL.md`, "Versions").
pub(crate) const PROTOCOL_VERSION: u64 = 6;

/// The kind of a request: a call, or the start of a stream.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum RequestKind {
    /// Run a call, reply once.
    Call,
    /// Iterate the result, pushing up to `window` items ahead of the consumer.
    Stream {
        /// Items the worker may push before it gets credit.
        window: usize,
    },
    /// Open the result as a generator driven step by step (`send` messages), whose return
    /// value comes back under `returns_final`.
    Generator {
        /// The policy of the generator's return value (`"final"`).
        returns_final: ReturnPolicy,
    },
    /// A call (`"op": "call"` with `"task": true`) of `call_async`: an awaitable result runs
    /// as a task of the worker's event loop, answered `awaiting` at once and with its result
    /// later under the same id, while the worker serves other requests.
    Task,
}

impl RequestKind {
    fn op(self) -> &'static str {
        match self {
            RequestKind::Call | RequestKind::Task => "call",
            RequestKind::Stream { .. } => "stream",
            RequestKind::Generator { .. } => "generator",
        }
    }
}

/// A message to a worker.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum ToWorker<'a> {
    /// A call or a stream (`"op": "call" | "stream"`).
    Request {
        /// Call or stream (with its window).
        kind: RequestKind,
        /// The message id, chosen by this side; the replies carry it.
        id: u64,
        /// How the result comes back.
        returns: ReturnPolicy,
        /// The session the call runs in (refs made in it die with it).
        session: Option<u64>,
        /// Refs whose last Rust handle dropped, released before the call runs.
        release: Cow<'a, [u64]>,
        /// The seed's request payload, as JSON text (`wire::write_request_payload`).
        payload: Cow<'a, [u8]>,
    },
    /// The consumer of stream `id` took `n` more items.
    Credit {
        /// The stream's message id.
        id: u64,
        /// Items taken.
        n: usize,
    },
    /// The consumer dropped stream (or generator) `id`: close the generator.
    Close {
        /// The stream's message id.
        id: u64,
    },
    /// The last Rust handles of these refs were dropped.
    Release {
        /// Ref ids.
        ids: Cow<'a, [u64]>,
    },
    /// Release every ref made in the session.
    CloseSession {
        /// The session's id.
        session: u64,
    },
    /// Step generator `id`: send it `value` (the wire JSON text of a value; `null` is `next()`).
    Send {
        /// The generator's message id.
        id: u64,
        /// The value sent, as wire JSON text.
        value: Cow<'a, [u8]>,
    },
    /// Forward Python log records from `level` on (`"op": "log_level"`; see `worker/logs.rs`).
    LogLevel {
        /// A Python level number (`logging.WARNING` is 30); above 50 forwards none.
        level: u64,
    },
    /// What Rust callback call `seq` returned (`"op": "callback_ok"`): the Python call of the
    /// callback resumes with it.
    CallbackOk {
        /// The callback call's number, from its [`Answer::Callback`].
        seq: u64,
        /// The wire value, as JSON text.
        value: Cow<'a, [u8]>,
    },
    /// Rust callback call `seq` failed (`"op": "callback_err"`): the Python call of the
    /// callback raises.
    CallbackErr {
        /// The callback call's number.
        seq: u64,
        /// The builtin exception class to raise (`TypeError`, `RuntimeError`).
        class: &'static str,
        /// Its message.
        message: String,
        /// A ref (its id) to the original exception to raise instead, when the closure's error
        /// is a Python exception this worker holds.
        exception: Option<u64>,
    },
    /// Cancel the task of request `id` (`"op": "cancel"`; see [`RequestKind::Task`]): the
    /// coroutine gets `CancelledError` at its `await`, and no answer comes for it.
    Cancel {
        /// The task's request id.
        id: u64,
    },
    /// A call of a module's function whose arguments all have a binary form, as a binary frame
    /// (`binary.rs`; no JSON): the worker looks the function up once per call site.
    BinaryCall {
        /// The message id, chosen by this side; the reply carries it.
        id: u64,
        /// The request id of a worker serving several requests at once (0: none).
        request: u32,
        /// How the result comes back.
        returns: ReturnPolicy,
        /// The session the call runs in.
        session: Option<u64>,
        /// Refs whose last Rust handle dropped, released before the call runs.
        release: Cow<'a, [u64]>,
        /// The call site's number (this process's, for every worker alike).
        site: u32,
        /// The site's module and function, the first time this worker gets the site.
        names: Option<(Cow<'a, str>, Cow<'a, str>)>,
        /// The arguments, written by [`binary::write_args`].
        args: Cow<'a, [u8]>,
        /// A task call ([`RequestKind::Task`]): an awaitable result runs as a task of the
        /// worker's event loop, answered `awaiting` first.
        task: bool,
    },
    /// What Rust callback call `seq` returned, when the value has a binary form: a binary
    /// frame (`binary.rs`) instead of a [`ToWorker::CallbackOk`].
    BinaryCallbackOk {
        /// The callback call's number, from its [`Answer::Callback`].
        seq: u64,
        /// The value, in its binary form ([`crate::client::binary_wire::encode_value`]).
        value: Cow<'a, [u8]>,
    },
}

/// The kinds of [`ToWorker`] messages, by their `op` (what the corpus files are named by; one
/// for each name [`ToWorker::kind`] gives).
#[cfg(test)]
pub(crate) const TO_WORKER_KINDS: [&str; 14] = [
    "call",
    "stream",
    "credit",
    "close",
    "release",
    "close_session",
    "generator",
    "send",
    "log_level",
    "callback_ok",
    "callback_err",
    "cancel",
    "binary_call",
    "binary_callback_ok",
];

impl ToWorker<'_> {
    /// The message's kind: its `op` (the corpus names files by it).
    pub(crate) fn kind(&self) -> &'static str {
        match self {
            ToWorker::Request { kind, .. } => kind.op(),
            ToWorker::Credit { .. } => "credit",
            ToWorker::Close { .. } => "close",
            ToWorker::Release { .. } => "release",
            ToWorker::CloseSession { .. } => "close_session",
            ToWorker::Send { .. } => "send",
            ToWorker::LogLevel { .. } => "log_level",
            ToWorker::CallbackOk { .. } => "callback_ok",
            ToWorker::CallbackErr { .. } => "callback_err",
            ToWorker::Cancel { .. } => "cancel",
            ToWorker::BinaryCall { .. } => "binary_call",
            ToWorker::BinaryCallbackOk { .. } => "binary_callback_ok",
        }
    }

    /// The message as a frame, with `attachments` (the elements of a request's arrays that
    /// travel beside its JSON; empty for none) after the JSON.
    pub(crate) fn frame(&self, attachments: &[u8]) -> Result<Vec<u8>> {
        let mut buf = frame::start();
        let op = self.kind();
        // Written by hand, in one fixed form (the corpus pins it byte for byte): the payload is
        // JSON text already, and a call's frame is written on every call.
        let _ = match self {
            ToWorker::Request {
                kind,
                id,
                returns,
                session,
                release,
                payload,
            } => {
                let returns = crate::client::wire::policy_name(*returns);
                let _ = write!(buf, r#"{{"op":"{op}","id":{id},"returns":"{returns}""#);
                if let Some(s) = session {
                    let _ = write!(buf, r#","session":{s}"#);
                }
                if !release.is_empty() {
                    buf.extend_from_slice(br#","release":"#);
                    frame::push_ids(&mut buf, release);
                }
                if let RequestKind::Stream { window } = kind {
                    let _ = write!(buf, r#","window":{window}"#);
                }
                if let RequestKind::Generator { returns_final } = kind {
                    let _ = write!(
                        buf,
                        r#","final":"{}""#,
                        crate::client::wire::policy_name(*returns_final)
                    );
                }
                if *kind == RequestKind::Task {
                    buf.extend_from_slice(br#","task":true"#);
                }
                buf.extend_from_slice(br#","req":"#);
                buf.extend_from_slice(payload);
                write!(buf, "}}")
            }
            ToWorker::Credit { id, n } => write!(buf, r#"{{"op":"{op}","id":{id},"n":{n}}}"#),
            ToWorker::Close { id } => write!(buf, r#"{{"op":"{op}","id":{id}}}"#),
            ToWorker::Release { ids } => {
                let _ = write!(buf, r#"{{"op":"{op}","ids":"#);
                frame::push_ids(&mut buf, ids);
                write!(buf, "}}")
            }
            ToWorker::CloseSession { session } => {
                write!(buf, r#"{{"op":"{op}","session":{session}}}"#)
            }
            ToWorker::Send { id, value } => {
                let _ = write!(buf, r#"{{"op":"{op}","id":{id},"value":"#);
                buf.extend_from_slice(value);
                write!(buf, "}}")
            }
            ToWorker::LogLevel { level } => write!(buf, r#"{{"op":"{op}","level":{level}}}"#),
            ToWorker::CallbackOk { seq, value } => {
                let _ = write!(buf, r#"{{"op":"{op}","seq":{seq},"value":"#);
                buf.extend_from_slice(value);
                write!(buf, "}}")
            }
            ToWorker::CallbackErr {
                seq,
                class,
                message,
                exception,
            } => {
                let message = Json::String(message.clone());
                let _ = write!(
                    buf,
                    r#"{{"op":"{op}","seq":{seq},"class":"{class}","message":{message}"#
                );
                if let Some(id) = exception {
                    let _ = write!(buf, r#","exception":"{id}""#);
                }
                write!(buf, "}}")
            }
            ToWorker::Cancel { id } => write!(buf, r#"{{"op":"{op}","id":{id}}}"#),
            ToWorker::BinaryCall { .. } => {
                binary::write_call(self, &mut buf);
                Ok(())
            }
            ToWorker::BinaryCallbackOk { seq, value } => {
                binary::write_callback_ok(*seq, value, &mut buf);
                Ok(())
            }
        };
        frame::finish(buf, attachments)
    }

    /// Parses a message's JSON text (what the worker does; here for the corpus test, which
    /// checks that [`ToWorker::frame`] writes it back byte for byte).
    #[cfg(test)]
    pub(crate) fn parse(text: &[u8]) -> std::result::Result<ToWorker<'static>, String> {
        match text.first() {
            Some(&binary::CALL) => return binary::parse_call(text),
            Some(&binary::CALLBACK_OK) => return binary::parse_callback_ok(text),
            _ => {}
        }
        let json = crate::client::wire::parse_deep(text).map_err(|e| e.to_string())?;
        let obj = json.as_object().ok_or("not an object")?;
        let op = str_of(obj, "op")?;
        let ids = |key: &str| -> std::result::Result<Cow<'static, [u64]>, String> {
            match obj.get(key) {
                None => Ok(Cow::Owned(Vec::new())),
                Some(list) => list
                    .as_array()
                    .ok_or(format!("`{key}` is not a list"))?
                    .iter()
                    .map(|j| j.as_u64().ok_or(format!("`{key}` holds a non-id")))
                    .collect::<std::result::Result<Vec<u64>, String>>()
                    .map(Cow::Owned),
            }
        };
        Ok(match op {
            "call" | "stream" | "generator" => {
                let policy = |key: &str| match str_of(obj, key)? {
                    "auto" => Ok(ReturnPolicy::Auto),
                    "value" => Ok(ReturnPolicy::Value),
                    "ref" => Ok(ReturnPolicy::Ref),
                    "ref_or_none" => Ok(ReturnPolicy::RefOrNone),
                    "map" => Ok(ReturnPolicy::Map),
                    other => Err(format!("unknown return policy `{other}`")),
                };
                let kind = match op {
                    "call" if obj.get("task") == Some(&Json::Bool(true)) => RequestKind::Task,
                    "call" => RequestKind::Call,
                    "stream" => RequestKind::Stream {
                        window: u64_of(obj, "window")? as usize,
                    },
                    _ => RequestKind::Generator {
                        returns_final: policy("final")?,
                    },
                };
                let returns = policy("returns")?;
                let payload = obj.get("req").ok_or("no `req`")?;
                ToWorker::Request {
                    kind,
                    id: u64_of(obj, "id")?,
                    returns,
                    session: obj.get("session").and_then(Json::as_u64),
                    release: ids("release")?,
                    payload: Cow::Owned(serde_json::to_vec(payload).map_err(|e| e.to_string())?),
                }
            }
            "credit" => ToWorker::Credit {
                id: u64_of(obj, "id")?,
                n: u64_of(obj, "n")? as usize,
            },
            "close" => ToWorker::Close {
                id: u64_of(obj, "id")?,
            },
            "release" => ToWorker::Release { ids: ids("ids")? },
            "close_session" => ToWorker::CloseSession {
                session: u64_of(obj, "session")?,
            },
            "send" => ToWorker::Send {
                id: u64_of(obj, "id")?,
                value: Cow::Owned(
                    serde_json::to_vec(obj.get("value").ok_or("no `value`")?)
                        .map_err(|e| e.to_string())?,
                ),
            },
            "callback_ok" => ToWorker::CallbackOk {
                seq: u64_of(obj, "seq")?,
                value: Cow::Owned(
                    serde_json::to_vec(obj.get("value").ok_or("no `value`")?)
                        .map_err(|e| e.to_string())?,
                ),
            },
            "log_level" => ToWorker::LogLevel {
                level: u64_of(obj, "level")?,
            },
            "callback_err" => ToWorker::CallbackErr {
                seq: u64_of(obj, "seq")?,
                class: match str_of(obj, "class")? {
                    "TypeError" => "TypeError",
                    "RuntimeError" => "RuntimeError",
                    other => return Err(format!("unknown callback error class `{other}`")),
                },
                message: str_of(obj, "message")?.to_owned(),
                exception: match obj.get("exception") {
                    None => None,
                    Some(j) => Some(
                        j.as_str()
                            .and_then(|s| s.parse().ok())
                            .ok_or("`exception` is not a ref id")?,
                    ),
                },
            },
            "cancel" => ToWorker::Cancel {
                id: u64_of(obj, "id")?,
            },
            other => return Err(format!("unknown op `{other}`")),
        })
    }
}

/// What a worker says about one request (a call's reply, a stream's start, items and end).
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Answer {
    /// The call's result (`"ok"`), a wire value.
    Ok(Json),
    /// The call raised (`"err"`).
    Err(Box<WorkerException>),
    /// A ref the call named is not held by the worker (`"stale"`).
    Stale {
        /// The ref's id.
        id: u64,
        reason: String,
    },
    /// The result could not be converted as asked (`"decode"`).
    Decode { what: String, message: String },
    /// The worker could not take an argument (`"encode"`).
    Encode(String),
    /// A stream was opened (`"started"`).
    Started,
    /// A stream's next item (`"item"`), a wire value.
    Item(Json),
    /// The stream is exhausted (`"end"`).
    End,
    /// A generator driven by `send` ended with this return value (`"returned"`), a wire value.
    Returned(Json),
    /// Python called Rust callback `function` (a [`PyFn`](crate::PyFn) id) during the request
    /// (`"callback"`): run it and answer `seq` with [`ToWorker::CallbackOk`] or
    /// [`ToWorker::CallbackErr`]; the request's own reply comes later.
    Callback {
        /// The callback's [`PyFn::id`](crate::PyFn::id).
        function: u64,
        /// This call of it, numbered by the worker.
        seq: u64,
        /// Its arguments, as they came.
        args: CallbackArgs,
    },
    /// The result of a [`RequestKind::Task`] call is awaitable and runs as a task of the
    /// worker's event loop (`"awaiting"`): its answer comes later under the same id, and the
    /// worker serves other requests meanwhile.
    Awaiting,
    /// A call's plain result in a binary frame (`binary.rs`): what an `"ok"` of the same value
    /// would decode to.
    BinaryOk(crate::data::value::Value),
}

/// The arguments of an [`Answer::Callback`], in the form the worker sent them.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum CallbackArgs {
    /// A JSON `callback`: the positional arguments, a wire list, and the keyword arguments,
    /// a JSON object of wire values.
    Json { args: Json, kwargs: Json },
    /// A binary `callback` (`binary.rs`): plain values, read already.
    Binary {
        args: Vec<crate::data::value::Value>,
        kwargs: Vec<(String, crate::data::value::Value)>,
    },
}

/// A message from a worker.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum FromWorker {
    /// The worker imported its preloads and serves (message id 0).
    Ready {
        pid: u64,
        /// The worker's Python version.
        python: String,
        /// The protocol it speaks (`None`: it predates versions).
        protocol: Option<u64>,
        /// The Ray node the worker runs on, when it is a Ray actor (its driver adds it).
        node: Option<String>,
    },
    /// The worker could not start (message id 0).
    StartupError { message: String },
    /// A record of Python's `logging` (or a warning), raised during the request with message
    /// id `id` (its name `call`), or outside any (`id` 0, no `call`); never an answer.
    Log(Box<PythonLog>),
    /// About the request with message id `id`.
    Answer {
        id: u64,
        answer: Answer,
        /// Rust's segments the worker mapped for this call and kept no view of (only on a
        /// call's reply).
        free: Vec<String>,
    },
}

/// A Python log record a worker forwards (`"op": "log"`).
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct PythonLog {
    /// The message id of the request it was raised in (0: outside any).
    pub(crate) id: u64,
    /// The logger's name (`py.warnings` for a warning).
    pub(crate) logger: String,
    /// Python's level number (`logging.WARNING` is 30).
    pub(crate) level: u64,
    /// The formatted message, with a traceback if the record carried one.
    pub(crate) message: String,
    /// The name of the call it was raised in (`module.function`), if any.
    pub(crate) call: Option<String>,
}

/// The kinds of [`FromWorker`] messages (what the corpus files are named by): the `op` of the
/// handshake or a log record, else the key that names the answer (one for each name
/// [`FromWorker::kind`] gives).
#[cfg(test)]
pub(crate) const FROM_WORKER_KINDS: [&str; 16] = [
    "ready",
    "startup_error",
    "log",
    "ok",
    "err",
    "stale",
    "decode",
    "encode",
    "started",
    "item",
    "end",
    "returned",
    "callback",
    "awaiting",
    "binary_ok",
    "binary_callback",
];

fn str_of<'j>(obj: &'j Map<String, Json>, key: &str) -> std::result::Result<&'j str, String> {
    obj.get(key)
        .and_then(Json::as_str)
        .ok_or_else(|| format!("no string `{key}`"))
}

fn u64_of(obj: &Map<String, Json>, key: &str) -> std::result::Result<u64, String> {
    obj.get(key)
        .and_then(Json::as_u64)
        .ok_or_else(|| format!("no integer `{key}`"))
}

pub(super) fn take_string(
    obj: &mut Map<String, Json>,
    key: &str,
) -> std::result::Result<String, String> {
    match obj.remove(key) {
        Some(Json::String(s)) => Ok(s),
        _ => Err(format!("no string `{key}`")),
    }
}

pub(super) fn strings(list: Json, key: &str) -> std::result::Result<Vec<String>, String> {
    let Json::Array(items) = list else {
        return Err(format!("`{key}` is not a list"));
    };
    items
        .into_iter()
        .map(|j| match j {
            Json::String(s) => Ok(s),
            _ => Err(format!("`{key}` holds a non-string")),
        })
        .collect()
}

impl FromWorker {
    /// The message id it is about (0 for the handshake).
    pub(crate) fn id(&self) -> u64 {
        match self {
            FromWorker::Ready { .. } | FromWorker::StartupError { .. } => 0,
            FromWorker::Log(log) => log.id,
            FromWorker::Answer { id, .. } => *id,
        }
    }

    /// The message's kind: the handshake's `op`, else the key that names the answer (the corpus
    /// names files by it).
    pub(crate) fn kind(&self) -> &'static str {
        match self {
            FromWorker::Ready { .. } => "ready",
            FromWorker::StartupError { .. } => "startup_error",
            FromWorker::Log(_) => "log",
            FromWorker::Answer { answer, .. } => match answer {
                Answer::Ok(_) => "ok",
                Answer::Err(_) => "err",
                Answer::Stale { .. } => "stale",
                Answer::Decode { .. } => "decode",
                Answer::Encode(_) => "encode",
                Answer::Started => "started",
                Answer::Item(_) => "item",
                Answer::End => "end",
                Answer::Returned(_) => "returned",
                Answer::Callback {
                    args: CallbackArgs::Json { .. },
                    ..
                } => "callback",
                Answer::Callback {
                    args: CallbackArgs::Binary { .. },
                    ..
                } => "binary_callback",
                Answer::Awaiting => "awaiting",
                Answer::BinaryOk(_) => "binary_ok",
            },
        }
    }

    /// The wire values in the message (results, items, an exception's ref): what holds refs
    /// and segments when a message is dropped unread.
    pub(crate) fn values(&self) -> impl Iterator<Item = &Json> {
        let mut values = Vec::new();
        if let FromWorker::Answer { answer, .. } = self {
            match answer {
                Answer::Ok(v) | Answer::Item(v) | Answer::Returned(v) => values.push(v),
                Answer::Err(e) => e.refs(&mut values),
                Answer::Callback {
                    args: CallbackArgs::Json { args, kwargs },
                    ..
                } => {
                    values.push(args);
                    values.push(kwargs);
                }
                _ => {}
            }
        }
        values.into_iter()
    }

    /// Parses a frame's JSON text. An error says what is wrong with it (the worker that sent
    /// it is then killed: it broke the protocol).
    pub(crate) fn parse(text: &[u8]) -> std::result::Result<FromWorker, String> {
        match text.first() {
            Some(&binary::OK) => return binary::parse_ok(text),
            Some(&binary::CALLBACK) => return binary::parse_callback(text),
            _ => {}
        }
        let json = crate::client::wire::parse_deep(text).map_err(|e| format!("not JSON ({e})"))?;
        let Json::Object(mut obj) = json else {
            return Err("not a JSON object".into());
        };
        if let Some(op) = obj.get("op").and_then(Json::as_str) {
            return match op {
                "ready" => Ok(FromWorker::Ready {
                    pid: u64_of(&obj, "pid")?,
                    python: str_of(&obj, "python")?.to_owned(),
                    protocol: obj.get("protocol").and_then(Json::as_u64),
                    node: obj.get("node").and_then(Json::as_str).map(str::to_owned),
                }),
                "startup_error" => Ok(FromWorker::StartupError {
                    message: take_string(&mut obj, "message")?,
                }),
                "log" => Ok(FromWorker::Log(Box::new(PythonLog {
                    id: u64_of(&obj, "id")?,
                    logger: take_string(&mut obj, "logger")?,
                    level: u64_of(&obj, "level")?,
                    message: take_string(&mut obj, "message")?,
                    call: match obj.remove("call") {
                        None => None,
                        Some(Json::String(s)) => Some(s),
                        Some(_) => return Err("`call` is not a string".into()),
                    },
                }))),
                other => Err(format!("unknown op `{other}`")),
            };
        }
        let id = u64_of(&obj, "id")?;
        let free = match obj.remove("free") {
            Some(list) => strings(list, "free")?,
            None => Vec::new(),
        };
        let answer = if let Some(v) = obj.remove("ok") {
            Answer::Ok(v)
        } else if let Some(v) = obj.remove("item") {
            Answer::Item(v)
        } else if let Some(v) = obj.remove("returned") {
            Answer::Returned(v)
        } else if obj.contains_key("started") {
            Answer::Started
        } else if obj.contains_key("end") {
            Answer::End
        } else if obj.contains_key("awaiting") {
            Answer::Awaiting
        } else if let Some(Json::Object(e)) = obj.remove("err") {
            Answer::Err(Box::new(WorkerException::parse(e)?))
        } else if let Some(Json::Object(mut s)) = obj.remove("stale") {
            let text = take_string(&mut s, "ref")?;
            Answer::Stale {
                id: text
                    .parse()
                    .map_err(|_| format!("stale ref `{text}` is not an id"))?,
                reason: take_string(&mut s, "reason")?,
            }
        } else if let Some(Json::Object(mut d)) = obj.remove("decode") {
            Answer::Decode {
                what: take_string(&mut d, "what")?,
                message: take_string(&mut d, "message")?,
            }
        } else if let Some(Json::String(message)) = obj.remove("encode") {
            Answer::Encode(message)
        } else if let Some(Json::Object(mut c)) = obj.remove("callback") {
            let text = take_string(&mut c, "fn")?;
            Answer::Callback {
                function: text
                    .parse()
                    .map_err(|_| format!("callback `{text}` is not an id"))?,
                seq: u64_of(&c, "seq")?,
                args: CallbackArgs::Json {
                    args: match c.remove("args") {
                        Some(list @ Json::Array(_)) => list,
                        _ => return Err("a callback without a list `args`".into()),
                    },
                    kwargs: match c.remove("kwargs") {
                        Some(map @ Json::Object(_)) => map,
                        _ => return Err("a callback without an object `kwargs`".into()),
                    },
                },
            }
        } else {
            let keys: Vec<&str> = obj.keys().map(String::as_str).collect();
            return Err(format!("a message of no known kind (keys {keys:?})"));
        };
        Ok(FromWorker::Answer { id, answer, free })
    }

    /// The message as the worker writes it (as a JSON value: the corpus test compares it with
    /// the file the parse came from, so a key the parser drops shows).
    #[cfg(test)]
    pub(crate) fn to_json(&self) -> Json {
        use serde_json::json;
        match self {
            FromWorker::Ready {
                pid,
                python,
                protocol,
                node,
            } => {
                let mut j = json!({"op": "ready", "id": 0, "pid": pid, "python": python});
                if let Some(p) = protocol {
                    j["protocol"] = (*p).into();
                }
                if let Some(node) = node {
                    j["node"] = node.as_str().into();
                }
                j
            }
            FromWorker::StartupError { message } => {
                json!({"op": "startup_error", "id": 0, "message": message})
            }
            FromWorker::Log(log) => {
                let mut j = json!({"op": "log", "id": log.id, "logger": log.logger,
                    "level": log.level, "message": log.message});
                if let Some(call) = &log.call {
                    j["call"] = call.as_str().into();
                }
                j
            }
            FromWorker::Answer { id, answer, free } => {
                let (key, body) = match answer {
                    Answer::Ok(v) => ("ok", v.clone()),
                    Answer::Item(v) => ("item", v.clone()),
                    Answer::Returned(v) => ("returned", v.clone()),
                    Answer::Started => ("started", Json::Bool(true)),
                    Answer::End => ("end", Json::Bool(true)),
                    Answer::Awaiting => ("awaiting", Json::Bool(true)),
                    Answer::Err(e) => ("err", e.to_json()),
                    Answer::Stale { id, reason } => {
                        ("stale", json!({"ref": id.to_string(), "reason": reason}))
                    }
                    Answer::Decode { what, message } => {
                        ("decode", json!({"what": what, "message": message}))
                    }
                    Answer::Encode(m) => ("encode", Json::String(m.clone())),
                    Answer::BinaryOk(v) => ("ok", crate::client::wire::encode_value(v)),
                    Answer::Callback {
                        function,
                        seq,
                        args: CallbackArgs::Json { args, kwargs },
                    } => (
                        "callback",
                        json!({"fn": function.to_string(), "seq": seq, "args": args,
                            "kwargs": kwargs}),
                    ),
                    // As the JSON message of the same call would say it.
                    Answer::Callback {
                        function,
                        seq,
                        args: CallbackArgs::Binary { args, kwargs },
                    } => {
                        use crate::client::wire::encode_value;
                        let kwargs: Map<String, Json> = kwargs
                            .iter()
                            .map(|(k, v)| (k.clone(), encode_value(v)))
                            .collect();
                        let args: Vec<Json> = args.iter().map(encode_value).collect();
                        (
                            "callback",
                            json!({"fn": function.to_string(), "seq": seq, "args": args,
                                "kwargs": kwargs}),
                        )
                    }
                };
                let mut j = json!({"id": id});
                j[key] = body;
                if !free.is_empty() {
                    j["free"] = json!(free);
                }
                j
            }
        }
    }
}

impl std::fmt::Display for FromWorker {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "a `{}` message (id {})", self.kind(), self.id())
    }
}

/// The wire JSON of `array` lying in shared-memory segment `segment` from byte `offset`
/// (`{"__type__": "ndarray", "dtype", "shape", "shm", "offset"}`, no `offset` for 0).
pub(crate) fn array_in_segment(array: &NdArray, segment: &str, offset: usize) -> Json {
    let mut json = crate::client::wire::array_header(array, "shm", segment);
    if offset != 0 {
        json["offset"] = offset.into();
    }
    json
}

/// The wire JSON of `array` whose elements travel in the message's attachments, `len` bytes
/// from byte `offset` (`{"__type__": "ndarray", "dtype", "shape", "att": [offset, len]}`).
pub(crate) fn array_attached(array: &NdArray, offset: usize, len: usize) -> Json {
    crate::client::wire::array_header(array, "att", serde_json::json!([offset, len]))
}

/// Calls `f` with the id of every ref in wire value `value` (`{"__type__": "ref", "id":
/// "<id>"}`).
pub(crate) fn for_each_ref_id(value: &Json, f: &mut impl FnMut(u64)) {
    match value {
        Json::Array(items) => items.iter().for_each(|j| deeper(|| for_each_ref_id(j, f))),
        Json::Object(obj) => {
            if obj.get("__type__").and_then(Json::as_str) == Some("ref") {
                if let Some(id) = obj
                    .get("id")
                    .and_then(Json::as_str)
                    .and_then(|s| s.parse().ok())
                {
                    f(id);
                }
            } else {
                obj.values().for_each(|j| deeper(|| for_each_ref_id(j, f)));
            }
        }
        _ => {}
    }
}

/// Calls `f` with the name of every shared-memory segment an array in wire value `value` lies
/// in (`{"__type__": "ndarray", ..., "shm": "<name>"}`).
pub(crate) fn for_each_segment(value: &Json, f: &mut impl FnMut(&str)) {
    match value {
        Json::Array(items) => items.iter().for_each(|j| deeper(|| for_each_segment(j, f))),
        Json::Object(obj) => {
            if obj.get("__type__").and_then(Json::as_str) == Some("ndarray") {
                if let Some(name) = obj.get("shm").and_then(Json::as_str) {
                    f(name);
                }
            } else {
                obj.values().for_each(|j| deeper(|| for_each_segment(j, f)));
            }
        }
        _ => {}
    }
}
