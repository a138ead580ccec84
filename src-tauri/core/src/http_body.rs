//! Reading response bodies with a cap: a broken or hostile server cannot make the app buffer
//! an answer without end. Every answer the app reads (Flow Service's largest, a page of 100
//! connections or a connection spec) is far below the cap.

/// The most of one response body that is read.
pub const MAX_BODY_BYTES: usize = 16 * 1024 * 1024;

/// Why a body could not be read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BodyError {
    /// The connection failed while the body arrived.
    Transport(String),
    /// The body is longer than [`MAX_BODY_BYTES`].
    TooLarge,
}

impl std::fmt::Display for BodyError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Transport(reason) => f.write_str(reason),
            Self::TooLarge => write!(f, "the answer is larger than {} MiB", MAX_BODY_BYTES / (1024 * 1024)),
        }
    }
}

/// The body, at most [`MAX_BODY_BYTES`] of it: a longer one is refused, not buffered.
pub async fn read_capped(mut response: reqwest::Response) -> Result<bytes::Bytes, BodyError> {
    if response.content_length().is_some_and(|n| n > MAX_BODY_BYTES as u64) {
        return Err(BodyError::TooLarge);
    }
    let mut body = bytes::BytesMut::new();
    while let Some(chunk) =
        response.chunk().await.map_err(|e| BodyError::Transport(e.without_url().to_string()))?
    {
        if body.len() + chunk.len() > MAX_BODY_BYTES {
            return Err(BodyError::TooLarge);
        }
        body.extend_from_slice(&chunk);
    }
    Ok(body.freeze())
}
