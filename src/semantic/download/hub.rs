//! The Hugging Face Hub over HTTP, for `model install`: one GET per file at
//! `<endpoint>/<model>/resolve/<revision>/<file>`, redirects followed by hand, the body streamed under a size
//! limit and a progress watchdog (#29).
//!
//! In: the endpoint (`HF_ENDPOINT`, else https://huggingface.co), the user's token if they set one (`HF_TOKEN`,
//! else the file `huggingface-cli login` writes), a stall limit. Out: per file, the commit and checksum the
//! endpoint named, already checked as hex ([`Commit`], [`Checksum`]), and the body in chunks.
//!
//! The decisions that aren't obvious. The token goes only to the endpoint's own origin (scheme, host and port):
//! a redirect to a CDN, or anywhere else, is followed without it. The commit and checksum are read only from the
//! endpoint's own responses, never from where it redirects to. And every wait on the network happens on a helper
//! thread that the install waits for with a deadline: ureq's read timeout starts again with each byte, so a
//! server that sends one byte every few seconds would never trip it; a download that brings less than
//! [`MIN_PROGRESS`] bytes in the stall limit is stopped.

use std::io::Read;
use std::sync::mpsc::{Receiver, RecvTimeoutError, sync_channel};
use std::time::{Duration, Instant};

use anyhow::{Result, anyhow, bail};
use url::Url;

use super::cache::{Checksum, Commit};
use crate::text::snippet;

/// Bytes a download must bring in each stall period to count as progressing: less than this (64 KB in the
/// default 30 s, about 2 KB/s) is a server that drips to keep the connection alive, not a slow line.
pub const MIN_PROGRESS: u64 = 64 * 1024;
/// Redirects followed for one file (the Hub uses one or two: a renamed repository, then its file storage).
const MAX_REDIRECTS: usize = 5;
/// The endpoint when `HF_ENDPOINT` is not set.
const HUB: &str = "https://huggingface.co";

/// A client of one Hub endpoint.
pub struct Hub {
    agent: ureq::Agent,
    endpoint: Url,
    token: Option<String>,
    stall: Duration,
}

/// What the endpoint answered for a file.
pub enum Fetched {
    /// The repository has no such file (404 from the endpoint itself).
    Missing,
    Found(Download),
}

/// A file on its way: what the endpoint says it is, and its bytes as they arrive.
pub struct Download {
    pub commit: Commit,
    pub checksum: Checksum,
    /// The size the response announced (Content-Length), if any: not trusted, only used to refuse early.
    pub announced: Option<u64>,
    chunks: Receiver<std::io::Result<Vec<u8>>>,
    host: String,
    stall: Duration,
}

impl Hub {
    /// The endpoint from `HF_ENDPOINT` and the user's token, with `stall` as the longest wait without progress.
    pub fn from_env(stall: Duration) -> Result<Hub> {
        let endpoint = std::env::var("HF_ENDPOINT")
            .ok()
            .filter(|e| !e.trim().is_empty())
            .unwrap_or_else(|| HUB.into());
        let parsed = Url::parse(endpoint.trim().trim_end_matches('/'))
            .ok()
            .filter(|url| {
                matches!(url.scheme(), "http" | "https")
                    && url.host().is_some()
                    && url.query().is_none()
                    && url.fragment().is_none()
            });
        let Some(endpoint) = parsed else {
            bail!(
                "HF_ENDPOINT {:?} is not an http:// or https:// address",
                snippet(&endpoint, 80)
            )
        };
        let agent = ureq::AgentBuilder::new()
            // Redirects are followed here, not by ureq: the token and the Hub's headers depend on where they lead.
            .redirects(0)
            .timeout_connect(stall)
            .timeout_read(stall)
            .timeout_write(stall)
            // HTTPS_PROXY and the like, as before (#29 changed the client, not where it may go).
            .try_proxy_from_env(true)
            .user_agent(concat!("answerbank/", env!("CARGO_PKG_VERSION")))
            .build();
        Ok(Hub {
            agent,
            endpoint,
            token: user_token()?,
            stall,
        })
    }

    /// The endpoint, for messages.
    pub fn endpoint(&self) -> &str {
        self.endpoint.as_str().trim_end_matches('/')
    }

    /// Asks for `file` of `model_id` at `revision` (both already checked as plain names), following redirects;
    /// returns once the endpoint has named the file's commit and checksum and its bytes start to arrive.
    pub fn fetch(&self, model_id: &str, revision: &str, file: &str) -> Result<Fetched> {
        let mut url = Url::parse(&format!(
            "{}/{model_id}/resolve/{}/{file}",
            self.endpoint(),
            percent_encode(revision)
        ))?;
        let mut commit = None;
        let mut checksum = None;
        for _ in 0..=MAX_REDIRECTS {
            let own = url.origin() == self.endpoint.origin();
            let response = self.call(&url, own)?;
            let status = response.status();
            if own {
                // Checked before anything is written: a path in either header stops the install here.
                if let Some(value) = response.header("x-repo-commit") {
                    commit = Some(Commit::parse(value)?);
                }
                if let Some(value) = response
                    .header("x-linked-etag")
                    .or_else(|| response.header("etag"))
                {
                    checksum = Some(Checksum::parse(value)?);
                }
            }
            match status {
                200 | 206 => {
                    let (Some(commit), Some(checksum)) = (commit, checksum) else {
                        bail!(
                            "{} named no commit (X-Repo-Commit) or no checksum (ETag) for it: it does not answer as \
                             the Hugging Face Hub does, so the download could not be verified",
                            self.endpoint()
                        );
                    };
                    let announced = response
                        .header("content-length")
                        .and_then(|v| v.trim().parse().ok());
                    return Ok(Fetched::Found(Download {
                        commit,
                        checksum,
                        announced,
                        chunks: stream(response),
                        host: url.host_str().unwrap_or_default().to_string(),
                        stall: self.stall,
                    }));
                }
                301 | 302 | 303 | 307 | 308 => {
                    let Some(location) = response.header("location") else {
                        bail!(
                            "{} redirected without saying where",
                            url.host_str().unwrap_or_default()
                        );
                    };
                    url = self.redirect(&url, location)?;
                }
                404 if own => {
                    return match response.header("x-error-code") {
                        Some("RepoNotFound") => bail!(
                            "{} has no model {model_id} (or it is private: set HF_TOKEN to a token that may read it)",
                            self.endpoint()
                        ),
                        Some("RevisionNotFound") => {
                            bail!(
                                "{model_id} has no revision {revision:?} on {}",
                                self.endpoint()
                            )
                        }
                        _ => Ok(Fetched::Missing),
                    };
                }
                401 | 403 => bail!(
                    "{} refused access ({status} {}): the model may be private or gated; set HF_TOKEN to a token \
                     that may read it",
                    url.host_str().unwrap_or_default(),
                    snippet(response.status_text(), 60)
                ),
                _ => bail!(
                    "{} answered {status} {}",
                    url.host_str().unwrap_or_default(),
                    snippet(response.status_text(), 60)
                ),
            }
        }
        bail!("more than {MAX_REDIRECTS} redirects")
    }

    /// Where a redirect from `from` leads: http or https only, and never from https down to http.
    fn redirect(&self, from: &Url, location: &str) -> Result<Url> {
        let to = from
            .join(location)
            .ok()
            .filter(|to| matches!(to.scheme(), "http" | "https") && to.host().is_some());
        match to {
            Some(to) if from.scheme() == "https" && to.scheme() == "http" => bail!(
                "{} redirected from https to an unencrypted address ({}); not followed",
                from.host_str().unwrap_or_default(),
                snippet(to.as_str(), 100)
            ),
            Some(to) => Ok(to),
            None => bail!(
                "{} redirected to {:?}, which is not an http(s) address",
                from.host_str().unwrap_or_default(),
                snippet(location, 100)
            ),
        }
    }

    /// One GET, with the token when `own` (the endpoint's own origin) and the user set one, waited for at most
    /// the stall limit (connecting, sending, and the whole head of the answer). An error status is an answer too.
    fn call(&self, url: &Url, own: bool) -> Result<ureq::Response> {
        let mut request = self.agent.get(url.as_str());
        if let (true, Some(token)) = (own, &self.token) {
            request = request.set("Authorization", &format!("Bearer {token}"));
        }
        let (answer, answered) = sync_channel(1);
        // Left behind when the deadline passes: ureq's own timeouts end it, and the answer goes nowhere.
        std::thread::spawn(move || {
            let _ = answer.send(request.call());
        });
        let host = url.host_str().unwrap_or_default();
        match answered.recv_timeout(self.stall) {
            Ok(Ok(response)) | Ok(Err(ureq::Error::Status(_, response))) => Ok(response),
            // The error as text, not as a source: a broken pipe among the causes would read as success in main.
            Ok(Err(err)) if url.origin() == self.endpoint.origin() => Err(anyhow!(
                "could not reach {}: {}; on a machine without access to the Hugging Face Hub, see \
                 docs/semantic.md, \"Without access to the Hub\", for the offline route",
                self.endpoint(),
                snippet(&err.to_string(), 200)
            )),
            Ok(Err(err)) => Err(anyhow!(
                "could not fetch from {host}: {}",
                snippet(&err.to_string(), 200)
            )),
            Err(_) => bail!(
                "{host} did not answer within {} s: the install stopped (no progress)",
                self.stall.as_secs()
            ),
        }
    }
}

impl Download {
    /// Writes the body to `out` as it arrives, at most `limit` bytes: `Some(size)` at its end, `None` as soon as
    /// the server sends more than `limit` (what it announced is not trusted). Stops with an error when less than
    /// [`MIN_PROGRESS`] bytes arrive in a stall period. `progress` is told of each chunk's size.
    pub fn copy_to(
        self,
        out: &mut impl std::io::Write,
        limit: u64,
        mut progress: impl FnMut(u64),
    ) -> Result<Option<u64>> {
        let mut total = 0u64;
        let mut period_start = Instant::now();
        let mut period_bytes = 0u64;
        let stalled = || {
            anyhow!(
                "less than {} KB arrived from {} in {} s: the download stalled, and the install stopped",
                MIN_PROGRESS / 1024,
                self.host,
                self.stall.as_secs()
            )
        };
        loop {
            let wait = (period_start + self.stall).saturating_duration_since(Instant::now());
            let chunk = match self.chunks.recv_timeout(wait) {
                Ok(Ok(chunk)) => chunk,
                Ok(Err(err))
                    if matches!(
                        err.kind(),
                        std::io::ErrorKind::TimedOut | std::io::ErrorKind::WouldBlock
                    ) =>
                {
                    return Err(stalled());
                }
                Ok(Err(err)) => bail!(
                    "the download from {} broke off: {}",
                    self.host,
                    snippet(&err.to_string(), 200)
                ),
                Err(RecvTimeoutError::Timeout) => return Err(stalled()),
                Err(RecvTimeoutError::Disconnected) => {
                    bail!("the download from {} broke off", self.host)
                }
            };
            if chunk.is_empty() {
                return Ok(Some(total));
            }
            let size = chunk.len() as u64;
            total += size;
            if total > limit {
                return Ok(None);
            }
            out.write_all(&chunk)?;
            progress(size);
            period_bytes += size;
            if period_bytes >= MIN_PROGRESS {
                period_start = Instant::now();
                period_bytes = 0;
            }
        }
    }
}

/// Reads a response body on a helper thread, in chunks, into a channel of a few chunks (an empty one at the
/// end); the thread ends at the body's end, at an error, or when nobody listens any more.
fn stream(response: ureq::Response) -> Receiver<std::io::Result<Vec<u8>>> {
    let (send, receive) = sync_channel(4);
    let mut reader = response.into_reader();
    std::thread::spawn(move || {
        loop {
            let mut buffer = vec![0u8; 64 * 1024];
            let message = match reader.read(&mut buffer) {
                Ok(n) => {
                    buffer.truncate(n);
                    Ok(buffer)
                }
                Err(err) if err.kind() == std::io::ErrorKind::Interrupted => continue,
                Err(err) => Err(err),
            };
            let last = !matches!(&message, Ok(chunk) if !chunk.is_empty());
            if send.send(message).is_err() || last {
                break;
            }
        }
    });
    receive
}

/// The user's Hugging Face token, as `huggingface_hub` finds it: `HF_TOKEN`, else the file `HF_TOKEN_PATH`
/// names, else `token` in the Hugging Face home (`HF_HOME`, `$XDG_CACHE_HOME/huggingface`,
/// `~/.cache/huggingface`). None when the user set none.
fn user_token() -> Result<Option<String>> {
    let var = |name: &str| std::env::var_os(name).filter(|v| !v.is_empty());
    let (token, source) = if let Some(token) = var("HF_TOKEN") {
        (token.to_string_lossy().into_owned(), "HF_TOKEN".to_string())
    } else {
        let path = var("HF_TOKEN_PATH")
            .map(std::path::PathBuf::from)
            .or_else(|| var("HF_HOME").map(|home| std::path::PathBuf::from(home).join("token")))
            .or_else(|| {
                var("XDG_CACHE_HOME")
                    .map(|cache| std::path::PathBuf::from(cache).join("huggingface/token"))
            })
            .or_else(|| {
                var("HOME")
                    .map(|home| std::path::PathBuf::from(home).join(".cache/huggingface/token"))
            });
        // A missing or unreadable token file is no token: most users have none.
        match path.and_then(|p| Some((std::fs::read_to_string(&p).ok()?, p))) {
            Some((token, path)) => (token, path.display().to_string()),
            None => return Ok(None),
        }
    };
    let token = token.trim();
    if token.is_empty() {
        return Ok(None);
    }
    // It goes into a header line: printable ASCII only, or a newline in it would add headers of its own.
    if !token.bytes().all(|b| b.is_ascii_graphic()) {
        bail!(
            "the Hugging Face token in {source} is not a token (it holds spaces or control characters)"
        );
    }
    Ok(Some(token.to_string()))
}

/// `text` for one segment of a URL path: everything but letters, digits, `-`, `.`, `_` and `~` percent-encoded
/// (a revision `refs/pr/1` is one segment, `refs%2Fpr%2F1`, as `huggingface_hub` sends it).
fn percent_encode(text: &str) -> String {
    text.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_revision_is_one_segment_of_the_address() {
        assert_eq!(percent_encode("main"), "main");
        assert_eq!(percent_encode("refs/pr/1"), "refs%2Fpr%2F1");
    }
}
