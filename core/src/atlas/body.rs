//! Reading an answer's body with a size cap: chunk by chunk into one buffer, stopping as soon as
//! it passes the limit, so a misbehaving server or proxy cannot make the client buffer without
//! bound (and the body is copied once, not collected and then copied again).

/// Why a body could not be read.
pub(crate) enum BodyError {
    Transport(reqwest::Error),
    /// The body (or its announced `Content-Length`) is larger than the limit.
    TooLarge,
}

/// The whole body of `resp`, at most `limit` bytes.
pub(crate) async fn read_capped(resp: &mut reqwest::Response, limit: usize) -> Result<Vec<u8>, BodyError> {
    let announced = resp.content_length();
    if announced.is_some_and(|n| n > limit as u64) {
        return Err(BodyError::TooLarge);
    }
    let mut body = Vec::with_capacity(announced.map_or(0, |n| n as usize));
    while let Some(chunk) = resp.chunk().await.map_err(BodyError::Transport)? {
        if body.len() + chunk.len() > limit {
            return Err(BodyError::TooLarge);
        }
        body.extend_from_slice(&chunk);
    }
    Ok(body)
}
