//! The protocol's binary frames (`PROTOCOL.md`, "Binary frames"): a call whose arguments all
//! have a binary form ([`crate::client::binary_wire`]) and its plain result travel without
//! JSON on either side, and so do a Rust callback's plain arguments and its plain result. A
//! frame's first byte tells the forms apart: JSON text starts with `{`, a binary message with
//! [`CALL`], [`OK`], [`CALLBACK`] or [`CALLBACK_OK`]. The messages are
//! [`ToWorker::BinaryCall`], [`Answer::BinaryOk`], [`Answer::Callback`] with
//! [`CallbackArgs::Binary`] and [`ToWorker::BinaryCallbackOk`]; everything else stays JSON.

use super::{Answer, CallbackArgs, FromWorker, ToWorker};
use crate::client::binary_wire;
use crate::data::return_policy::ReturnPolicy;
use crate::data::value::Value;

/// The first byte of a binary `call`.
pub(crate) const CALL: u8 = 0xB1;
/// The first byte of a binary `ok`.
pub(crate) const OK: u8 = 0xB2;
/// The first byte of a binary `callback` (the worker calls a Rust callback).
pub(crate) const CALLBACK: u8 = 0xB3;
/// The first byte of a binary `callback_ok` (a Rust callback's plain result).
pub(crate) const CALLBACK_OK: u8 = 0xB4;
/// A binary call's flag: a session id follows the fixed header.
const HAS_SESSION: u8 = 1;
/// A binary call's flag: the site's module and function names follow (the worker has not seen
/// the site yet).
const HAS_NAMES: u8 = 2;
/// A binary call's flag: the call is a task (`call_async`; the JSON call's `"task": true`).
const IS_TASK: u8 = 4;

/// A return policy's number in a binary call.
fn policy_code(p: ReturnPolicy) -> u8 {
    match p {
        ReturnPolicy::Auto => 0,
        ReturnPolicy::Value => 1,
        ReturnPolicy::Ref => 2,
        ReturnPolicy::RefOrNone => 3,
        ReturnPolicy::Map => 4,
    }
}

/// Writes the arguments of a binary call (`u8` count, values, `u8` count of keywords, each a
/// `u16`-long UTF-8 name and a value) into `out`; false (nothing usable written) when one has
/// no binary form or there are too many.
pub(crate) fn write_args<'v>(
    args: &[Value],
    kwargs: impl ExactSizeIterator<Item = (&'v str, &'v Value)>,
    out: &mut Vec<u8>,
) -> bool {
    let (Ok(n), Ok(nk)) = (u8::try_from(args.len()), u8::try_from(kwargs.len())) else {
        return false;
    };
    out.push(n);
    if !args.iter().all(|v| binary_wire::encode_value(v, out)) {
        return false;
    }
    out.push(nk);
    for (name, v) in kwargs {
        let Ok(len) = u16::try_from(name.len()) else {
            return false;
        };
        out.extend_from_slice(&len.to_le_bytes());
        out.extend_from_slice(name.as_bytes());
        if !binary_wire::encode_value(v, out) {
            return false;
        }
    }
    true
}

fn short_name(out: &mut Vec<u8>, name: &str) {
    // Module and function names are identifiers: far below 64 KiB (the caller checked).
    out.extend_from_slice(&(name.len() as u16).to_le_bytes());
    out.extend_from_slice(name.as_bytes());
}

/// Whether a module and function name fit a binary call's `u16` lengths.
pub(crate) fn names_fit(module: &str, function: &str) -> bool {
    module.len() <= u16::MAX as usize && function.len() <= u16::MAX as usize
}

/// Writes a [`ToWorker::BinaryCall`] after the frame's length prefix.
pub(super) fn write_call(message: &ToWorker<'_>, buf: &mut Vec<u8>) {
    let ToWorker::BinaryCall {
        id,
        request,
        returns,
        session,
        release,
        site,
        names,
        args,
        task,
    } = message
    else {
        unreachable!("only a binary call is written here")
    };
    let flags = if session.is_some() { HAS_SESSION } else { 0 }
        | if names.is_some() { HAS_NAMES } else { 0 }
        | if *task { IS_TASK } else { 0 };
    buf.extend_from_slice(&[CALL, policy_code(*returns), flags, 0]);
    buf.extend_from_slice(&request.to_le_bytes());
    buf.extend_from_slice(&id.to_le_bytes());
    buf.extend_from_slice(&site.to_le_bytes());
    if let Some(s) = session {
        buf.extend_from_slice(&s.to_le_bytes());
    }
    if let Some((module, function)) = names {
        short_name(buf, module);
        short_name(buf, function);
    }
    buf.extend_from_slice(&(release.len() as u32).to_le_bytes());
    for r in release.iter() {
        buf.extend_from_slice(&r.to_le_bytes());
    }
    buf.extend_from_slice(args);
}

/// Writes a [`ToWorker::BinaryCallbackOk`] after the frame's length prefix.
pub(super) fn write_callback_ok(seq: u64, value: &[u8], buf: &mut Vec<u8>) {
    buf.extend_from_slice(&[CALLBACK_OK, 0, 0, 0]);
    buf.extend_from_slice(&seq.to_le_bytes());
    buf.extend_from_slice(value);
}

/// A cursor over a binary message.
struct Reader<'a> {
    bytes: &'a [u8],
    at: usize,
}

impl<'a> Reader<'a> {
    fn take(&mut self, n: usize) -> Result<&'a [u8], String> {
        let end = self.at + n;
        let out = self.bytes.get(self.at..end).ok_or_else(|| {
            format!(
                "a binary message cut short ({} bytes, {n} wanted at byte {})",
                self.bytes.len(),
                self.at
            )
        })?;
        self.at = end;
        Ok(out)
    }

    fn u32(&mut self) -> Result<u32, String> {
        Ok(u32::from_le_bytes(self.take(4)?.try_into().expect("4")))
    }

    fn u64(&mut self) -> Result<u64, String> {
        Ok(u64::from_le_bytes(self.take(8)?.try_into().expect("8")))
    }

    fn u16(&mut self) -> Result<u16, String> {
        Ok(u16::from_le_bytes(self.take(2)?.try_into().expect("2")))
    }

    fn name(&mut self) -> Result<String, String> {
        let n = self.u16()? as usize;
        String::from_utf8(self.take(n)?.to_vec()).map_err(|e| format!("a name not UTF-8: {e}"))
    }

    fn value(&mut self) -> Result<Value, String> {
        let (value, used) =
            binary_wire::decode_value(&self.bytes[self.at..]).map_err(|e| e.to_string())?;
        self.at += used;
        Ok(value)
    }

    /// The head of a message from the worker about a request: `magic`, three zero bytes, the
    /// request number (unused), the message id (returned).
    fn answer_head(&mut self, magic: u8, what: &str) -> Result<u64, String> {
        let head = self.take(4)?;
        if head != [magic, 0, 0, 0] {
            return Err(format!("not a binary {what} header: {head:?}"));
        }
        let _request = self.u32()?;
        self.u64()
    }

    fn end(&self, what: &str) -> Result<(), String> {
        match self.bytes.len() - self.at {
            0 => Ok(()),
            n => Err(format!("{n} bytes after {what}")),
        }
    }
}

/// Parses a binary call (what the worker does; here for the corpus test, which writes it back
/// byte for byte).
#[cfg(test)]
pub(super) fn parse_call(bytes: &[u8]) -> Result<ToWorker<'static>, String> {
    let mut r = Reader { bytes, at: 0 };
    let head = r.take(4)?;
    if head[0] != CALL || head[3] != 0 {
        return Err(format!("not a binary call header: {head:?}"));
    }
    let returns = match head[1] {
        0 => ReturnPolicy::Auto,
        1 => ReturnPolicy::Value,
        2 => ReturnPolicy::Ref,
        3 => ReturnPolicy::RefOrNone,
        4 => ReturnPolicy::Map,
        other => return Err(format!("unknown return policy {other}")),
    };
    let flags = head[2];
    let request = r.u32()?;
    let id = r.u64()?;
    let site = r.u32()?;
    let session = if flags & HAS_SESSION != 0 {
        Some(r.u64()?)
    } else {
        None
    };
    let names = if flags & HAS_NAMES != 0 {
        Some((r.name()?.into(), r.name()?.into()))
    } else {
        None
    };
    let release = (0..r.u32()?)
        .map(|_| r.u64())
        .collect::<Result<Vec<_>, _>>()?;
    // The arguments: checked to be values of the binary form.
    let args_at = r.at;
    for _ in 0..r.take(1)?[0] {
        r.value()?;
    }
    for _ in 0..r.take(1)?[0] {
        r.name()?;
        r.value()?;
    }
    r.end("the arguments")?;
    Ok(ToWorker::BinaryCall {
        id,
        request,
        returns,
        session,
        release: release.into(),
        site,
        names,
        args: bytes[args_at..].to_vec().into(),
        task: flags & IS_TASK != 0,
    })
}

/// Parses a binary `ok`: a call's plain result.
pub(super) fn parse_ok(bytes: &[u8]) -> Result<FromWorker, String> {
    let mut r = Reader { bytes, at: 0 };
    let id = r.answer_head(OK, "ok")?;
    let value = r.value().map_err(|e| format!("a bad result: {e}"))?;
    r.end("the result")?;
    Ok(FromWorker::Answer {
        id,
        answer: Answer::BinaryOk(value),
        free: Vec::new(),
    })
}

/// A binary `ok` as the worker writes it (for the corpus test).
#[cfg(test)]
pub(super) fn write_ok(id: u64, value: &Value) -> Vec<u8> {
    let mut out = vec![OK, 0, 0, 0];
    out.extend_from_slice(&0u32.to_le_bytes());
    out.extend_from_slice(&id.to_le_bytes());
    assert!(binary_wire::encode_value(value, &mut out));
    out
}

/// Parses a binary `callback`: Python called a Rust callback with plain arguments.
pub(super) fn parse_callback(bytes: &[u8]) -> Result<FromWorker, String> {
    let mut r = Reader { bytes, at: 0 };
    let id = r.answer_head(CALLBACK, "callback")?;
    let function = r.u64()?;
    let seq = r.u64()?;
    let args = (0..r.take(1)?[0])
        .map(|_| r.value())
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| format!("a bad callback argument: {e}"))?;
    let kwargs = (0..r.take(1)?[0])
        .map(|_| Ok((r.name()?, r.value()?)))
        .collect::<Result<Vec<_>, String>>()
        .map_err(|e| format!("a bad callback keyword argument: {e}"))?;
    r.end("the callback's arguments")?;
    Ok(FromWorker::Answer {
        id,
        answer: Answer::Callback {
            function,
            seq,
            args: CallbackArgs::Binary { args, kwargs },
        },
        free: Vec::new(),
    })
}

/// A binary `callback` as the worker writes it (for the corpus test).
#[cfg(test)]
pub(super) fn write_callback(
    id: u64,
    function: u64,
    seq: u64,
    args: &[Value],
    kwargs: &[(String, Value)],
) -> Vec<u8> {
    let mut out = vec![CALLBACK, 0, 0, 0];
    out.extend_from_slice(&0u32.to_le_bytes());
    out.extend_from_slice(&id.to_le_bytes());
    out.extend_from_slice(&function.to_le_bytes());
    out.extend_from_slice(&seq.to_le_bytes());
    let kwargs = kwargs.iter().map(|(k, v)| (k.as_str(), v));
    assert!(write_args(args, kwargs, &mut out));
    out
}

/// Parses a binary `callback_ok` (what the worker does; here for the corpus test, which
/// writes it back byte for byte).
#[cfg(test)]
pub(super) fn parse_callback_ok(bytes: &[u8]) -> Result<ToWorker<'static>, String> {
    let mut r = Reader { bytes, at: 0 };
    let head = r.take(4)?;
    if head != [CALLBACK_OK, 0, 0, 0] {
        return Err(format!("not a binary callback_ok header: {head:?}"));
    }
    let seq = r.u64()?;
    let at = r.at;
    r.value()?;
    r.end("the callback's result")?;
    Ok(ToWorker::BinaryCallbackOk {
        seq,
        value: bytes[at..].to_vec().into(),
    })
}
