//! The MongoDB wire protocol, as much of it as drivers use against a modern server:
//! `OP_MSG` both ways, and the legacy `OP_QUERY` on `<db>.$cmd` (answered with `OP_REPLY`) that
//! drivers still send for their first `hello`/`isMaster`. Compression is never offered in
//! `hello`, so `OP_COMPRESSED` is refused like any other opcode.

use bson::{Bson, Document};

pub const OP_REPLY: i32 = 1;
pub const OP_QUERY: i32 = 2004;
pub const OP_MSG: i32 = 2013;
pub const HEADER_LEN: usize = 16;

const CHECKSUM_PRESENT: u32 = 1;
const MORE_TO_COME: u32 = 1 << 1;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Header {
    pub length: i32,
    pub request_id: i32,
    pub response_to: i32,
    pub op_code: i32,
}

/// One command as a client sent it.
#[derive(Debug, Clone, PartialEq)]
pub enum Request {
    /// An `OP_MSG`; document sequences (kind 1) are folded into the body as arrays, as the
    /// server does. `more_to_come`: the client wants no answer (unacknowledged writes).
    Msg { body: Document, more_to_come: bool },
    /// A legacy `OP_QUERY` command (`full_collection_name` ends in `.$cmd`).
    Query { full_collection_name: String, query: Document },
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WireError(pub String);

fn err<T>(msg: impl Into<String>) -> Result<T, WireError> {
    Err(WireError(msg.into()))
}

fn i32_at(b: &[u8], at: usize) -> Option<i32> {
    b.get(at..at + 4).map(|s| i32::from_le_bytes(s.try_into().expect("4 bytes")))
}

/// The header's declared length, from its first four bytes (the only thing needed to frame).
pub fn declared_length(first4: [u8; 4]) -> i32 {
    i32::from_le_bytes(first4)
}

pub fn header(msg: &[u8]) -> Result<Header, WireError> {
    match (i32_at(msg, 0), i32_at(msg, 4), i32_at(msg, 8), i32_at(msg, 12)) {
        (Some(length), Some(request_id), Some(response_to), Some(op_code)) => {
            Ok(Header { length, request_id, response_to, op_code })
        }
        _ => err("message shorter than its header"),
    }
}

/// One BSON document at the start of `b`, and how many bytes it took.
fn document(b: &[u8]) -> Result<(Document, usize), WireError> {
    let len = i32_at(b, 0).ok_or_else(|| WireError("truncated document".into()))?;
    let len = usize::try_from(len).ok().filter(|l| *l >= 5 && *l <= b.len());
    let Some(len) = len else { return err("document length out of bounds") };
    let doc = Document::from_reader(&b[..len]).map_err(|e| WireError(format!("invalid BSON: {e}")))?;
    Ok((doc, len))
}

fn cstring(b: &[u8]) -> Result<(String, usize), WireError> {
    let end = b.iter().position(|c| *c == 0).ok_or_else(|| WireError("unterminated C string".into()))?;
    let s = std::str::from_utf8(&b[..end]).map_err(|_| WireError("C string is not UTF-8".into()))?;
    Ok((s.to_string(), end + 1))
}

/// Parses a whole message (header included) that the framing layer has read.
pub fn parse(msg: &[u8]) -> Result<(Header, Request), WireError> {
    let h = header(msg)?;
    if h.length as usize != msg.len() {
        return err("declared length differs from the message read");
    }
    let body = &msg[HEADER_LEN..];
    let req = match h.op_code {
        OP_MSG => parse_msg(body)?,
        OP_QUERY => parse_query(body)?,
        other => return err(format!("unsupported opcode {other}")),
    };
    Ok((h, req))
}

fn parse_msg(b: &[u8]) -> Result<Request, WireError> {
    let flags = i32_at(b, 0).ok_or_else(|| WireError("OP_MSG without flags".into()))? as u32;
    // Bits 0-15 are "required": a server must refuse a message carrying one it does not know.
    // (Bit 16, exhaustAllowed, is optional and never honoured: `hello` is never streamed.)
    if flags & 0xffff & !(CHECKSUM_PRESENT | MORE_TO_COME) != 0 {
        return err(format!("unknown required OP_MSG flags {flags:#x}"));
    }
    let end = if flags & CHECKSUM_PRESENT != 0 { b.len().checked_sub(4) } else { Some(b.len()) };
    let Some(end) = end.filter(|e| *e >= 4) else { return err("OP_MSG too short for its checksum") };
    let (mut body, mut sequences) = (None, Vec::new());
    let mut at = 4;
    while at < end {
        let sec = &b[at + 1..end];
        match b[at] {
            0 => {
                let (doc, n) = document(sec)?;
                if body.replace(doc).is_some() {
                    return err("OP_MSG with two body sections");
                }
                at += 1 + n;
            }
            1 => {
                let (name, docs, n) = sequence(sec)?;
                sequences.push((name, docs));
                at += 1 + n;
            }
            k => return err(format!("unknown OP_MSG section kind {k}")),
        }
    }
    let Some(mut body) = body else { return err("OP_MSG without a body section") };
    for (name, docs) in sequences {
        body.insert(name, Bson::Array(docs.into_iter().map(Bson::Document).collect()));
    }
    Ok(Request::Msg { body, more_to_come: flags & MORE_TO_COME != 0 })
}

/// A kind-1 section: size (itself included), identifier, then documents up to the size.
fn sequence(b: &[u8]) -> Result<(String, Vec<Document>, usize), WireError> {
    let size = i32_at(b, 0).and_then(|s| usize::try_from(s).ok()).filter(|s| *s >= 5 && *s <= b.len());
    let Some(size) = size else { return err("document sequence size out of bounds") };
    let (name, mut at) = cstring(&b[4..size])?;
    at += 4;
    let mut docs = Vec::new();
    while at < size {
        let (d, n) = document(&b[at..size])?;
        docs.push(d);
        at += n;
    }
    Ok((name, docs, size))
}

fn parse_query(b: &[u8]) -> Result<Request, WireError> {
    let (full_collection_name, n) = cstring(b.get(4..).unwrap_or_default())?;
    let at = 4 + n + 8; // numberToSkip, numberToReturn
    let (query, _) = document(b.get(at..).unwrap_or_default())?;
    if !full_collection_name.ends_with(".$cmd") {
        return err("OP_QUERY on a collection (only commands are supported)");
    }
    Ok(Request::Query { full_collection_name, query })
}

fn frame(op_code: i32, request_id: i32, response_to: i32, payload: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(HEADER_LEN + payload.len());
    out.extend_from_slice(&((HEADER_LEN + payload.len()) as i32).to_le_bytes());
    out.extend_from_slice(&request_id.to_le_bytes());
    out.extend_from_slice(&response_to.to_le_bytes());
    out.extend_from_slice(&op_code.to_le_bytes());
    out.extend_from_slice(payload);
    out
}

fn doc_bytes(doc: &Document) -> Vec<u8> {
    let mut v = Vec::new();
    doc.to_writer(&mut v).expect("writing BSON to a Vec cannot fail");
    v
}

/// An `OP_MSG` answer: no flags, one body section.
pub fn encode_msg(request_id: i32, response_to: i32, doc: &Document) -> Vec<u8> {
    let mut payload = vec![0, 0, 0, 0, 0];
    payload.extend(doc_bytes(doc));
    frame(OP_MSG, request_id, response_to, &payload)
}

/// An `OP_REPLY` answer to a legacy `OP_QUERY` command: one document, no cursor.
pub fn encode_reply(request_id: i32, response_to: i32, doc: &Document) -> Vec<u8> {
    let mut payload = Vec::new();
    payload.extend_from_slice(&0i32.to_le_bytes()); // responseFlags
    payload.extend_from_slice(&0i64.to_le_bytes()); // cursorID
    payload.extend_from_slice(&0i32.to_le_bytes()); // startingFrom
    payload.extend_from_slice(&1i32.to_le_bytes()); // numberReturned
    payload.extend(doc_bytes(doc));
    frame(OP_REPLY, request_id, response_to, &payload)
}

#[cfg(test)]
pub fn encode_request_msg(request_id: i32, body: &Document, seq: Option<(&str, &[Document])>) -> Vec<u8> {
    let mut payload = vec![0, 0, 0, 0, 0];
    payload.extend(doc_bytes(body));
    if let Some((name, docs)) = seq {
        let mut s = Vec::new();
        s.extend_from_slice(name.as_bytes());
        s.push(0);
        docs.iter().for_each(|d| s.extend(doc_bytes(d)));
        payload.push(1);
        payload.extend_from_slice(&((s.len() + 4) as i32).to_le_bytes());
        payload.extend(s);
    }
    frame(OP_MSG, request_id, 0, &payload)
}

#[cfg(test)]
mod tests {
    use super::*;
    use bson::doc;

    #[test]
    fn op_msg_with_a_document_sequence_folds_it_into_the_body() {
        let docs = [doc! {"a": 1}, doc! {"a": 2}];
        let m = encode_request_msg(7, &doc! {"insert": "c", "$db": "test"}, Some(("documents", &docs)));
        let (h, r) = parse(&m).unwrap();
        assert_eq!((h.request_id, h.op_code), (7, OP_MSG));
        let Request::Msg { body, more_to_come } = r else { panic!() };
        assert!(!more_to_come);
        assert_eq!(body.get_array("documents").unwrap().len(), 2);
    }

    #[test]
    fn garbage_and_truncation_are_errors_not_panics() {
        let good = encode_request_msg(1, &doc! {"ping": 1}, None);
        for cut in 0..good.len() {
            let mut m = good[..cut].to_vec();
            if m.len() >= 4 {
                m[..4].copy_from_slice(&(cut as i32).to_le_bytes());
            }
            assert!(parse(&m).is_err(), "cut at {cut}");
        }
        let mut flipped = good.clone();
        flipped[16] = 0x04; // an unknown required flag
        assert!(parse(&flipped).is_err());
        let mut bad_kind = good.clone();
        bad_kind[20] = 9;
        assert!(parse(&bad_kind).is_err());
        let mut seed = 0x2545_f491_u32;
        for _ in 0..2000 {
            let len = (seed % 64) as usize + 16;
            let mut m: Vec<u8> = (0..len)
                .map(|_| {
                    seed ^= seed << 13;
                    seed ^= seed >> 17;
                    seed ^= seed << 5;
                    seed as u8
                })
                .collect();
            m[..4].copy_from_slice(&(len as i32).to_le_bytes());
            m[12..16].copy_from_slice(&OP_MSG.to_le_bytes());
            let _ = parse(&m);
        }
    }

    #[test]
    fn replies_frame_their_length() {
        let r = encode_reply(5, 9, &doc! {"ok": 1.0});
        let h = header(&r).unwrap();
        assert_eq!((h.length as usize, h.request_id, h.response_to, h.op_code), (r.len(), 5, 9, OP_REPLY));
        let m = encode_msg(6, 9, &doc! {"ok": 1.0});
        assert!(matches!(parse(&m), Ok((_, Request::Msg { .. }))));
    }
}
