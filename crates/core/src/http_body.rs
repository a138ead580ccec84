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

/// oauth2's HTTP client, with the token endpoint's answer read through [`read_capped`]: the
/// stock adapter buffers whatever the server sends. Redirects follow the client's own policy.
#[derive(Debug, Clone, Copy)]
pub struct CappedOAuthClient<'a>(pub &'a reqwest::Client);

/// What an oauth2 request over [`CappedOAuthClient`] fails with.
pub type OAuthHttpError = oauth2::HttpClientError<reqwest::Error>;

impl<'c> oauth2::AsyncHttpClient<'c> for CappedOAuthClient<'_> {
    type Error = OAuthHttpError;
    type Future = std::pin::Pin<
        Box<dyn std::future::Future<Output = Result<oauth2::HttpResponse, Self::Error>> + Send + 'c>,
    >;

    fn call(&'c self, request: oauth2::HttpRequest) -> Self::Future {
        Box::pin(async move {
            let request: reqwest::Request = request.try_into().map_err(Box::new)?;
            let response = self.0.execute(request).await.map_err(Box::new)?;
            let (status, headers) = (response.status(), response.headers().clone());
            let body =
                read_capped(response).await.map_err(|e| oauth2::HttpClientError::Other(e.to_string()))?;
            let mut answer = oauth2::HttpResponse::new(body.to_vec());
            *answer.status_mut() = status;
            *answer.headers_mut() = headers;
            Ok(answer)
        })
    }
}
