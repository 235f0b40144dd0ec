//! A Hugging Face Hub the tests serve on 127.0.0.1 for `answerbank model install` (HF_ENDPOINT): a model's files
//! as the Hub serves them (`resolve/main/<file>`, the commit as X-Repo-Commit, each file's checksum as its ETag:
//! the SHA-256 of weights as X-Linked-Etag, the git blob SHA-1 of the rest), or, file by file, what a hostile
//! mirror does instead (#29). Every request's head is kept, so a test can see what the client sent. Each
//! connection is answered on its own thread, for a bounded time.

use std::collections::BTreeMap;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use answerbank::text::hex;
use sha1::Sha1;
use sha2::{Digest, Sha256};

pub const REPO: &str = "sentence-transformers/all-MiniLM-L6-v2";
pub const COMMIT: &str = "c0ffee00c0ffee00c0ffee00c0ffee00c0ffee00";
/// The longest a connection is served (a drip, a stream without end, a silent server).
const CONNECTION_LIMIT: Duration = Duration::from_secs(60);

/// How a file is answered.
#[derive(Clone, Debug)]
pub enum Reply {
    /// As the Hub does.
    Honest,
    /// These bytes on the wire, with the original's checksum.
    Bytes(Vec<u8>),
    /// As the Hub does, with one header's value replaced (`ETag`, `X-Linked-Etag`, `X-Repo-Commit`).
    Header(&'static str, String),
    /// Announced as 100 bytes (Content-Range, X-Linked-Size; no Content-Length), then bytes without end.
    Endless,
    /// The whole answer one byte at a time, `every` apart; from its first byte, or once the head is sent.
    Drip { every: Duration, head_first: bool },
    /// The connection accepted, and nothing said.
    Silent,
    /// A redirect (302) to the same path on another server (`endpoint`), with the Hub's headers.
    Redirect(String),
}

pub struct TestHub {
    pub endpoint: String,
    requests: Arc<Mutex<Vec<String>>>,
}

impl TestHub {
    /// Serves `files` (path in the repository → contents) at commit [`COMMIT`], each answered as `replies` says
    /// (honestly when not named).
    pub fn serve(files: BTreeMap<String, Vec<u8>>, replies: BTreeMap<String, Reply>) -> TestHub {
        TestHub::serve_at(COMMIT, files, replies)
    }

    /// [`TestHub::serve`] with another X-Repo-Commit for every file.
    pub fn serve_at(
        commit: &str,
        files: BTreeMap<String, Vec<u8>>,
        replies: BTreeMap<String, Reply>,
    ) -> TestHub {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let endpoint = format!("http://{}", listener.local_addr().unwrap());
        let requests = Arc::new(Mutex::new(Vec::new()));
        let hub = Arc::new((commit.to_string(), files, replies));
        let log = Arc::clone(&requests);
        std::thread::spawn(move || {
            for stream in listener.incoming() {
                let Ok(stream) = stream else { continue };
                let hub = Arc::clone(&hub);
                let log = Arc::clone(&log);
                std::thread::spawn(move || {
                    let (commit, files, replies) = &*hub;
                    answer(stream, commit, files, replies, &log);
                });
            }
        });
        TestHub { endpoint, requests }
    }

    /// The head of every request so far (request line and headers), in order.
    pub fn requests(&self) -> Vec<String> {
        self.requests.lock().unwrap().clone()
    }

    /// The Authorization header of every request so far (None where there was none).
    pub fn authorizations(&self) -> Vec<Option<String>> {
        self.requests()
            .iter()
            .map(|head| {
                head.lines().find_map(|line| {
                    let (name, value) = line.split_once(':')?;
                    name.eq_ignore_ascii_case("authorization")
                        .then(|| value.trim().to_string())
                })
            })
            .collect()
    }
}

fn answer(
    mut stream: TcpStream,
    commit: &str,
    files: &BTreeMap<String, Vec<u8>>,
    replies: &BTreeMap<String, Reply>,
    log: &Mutex<Vec<String>>,
) {
    let _ = stream.set_write_timeout(Some(Duration::from_secs(10)));
    let mut reader = BufReader::new(stream.try_clone().unwrap());
    let mut head = String::new();
    let mut range: Option<(usize, Option<usize>)> = None;
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line).unwrap_or(0) == 0 || line == "\r\n" {
            break;
        }
        let lower = line.to_ascii_lowercase();
        if let Some(bytes) = lower.strip_prefix("range: bytes=") {
            let (from, to) = bytes.trim().split_once('-').unwrap_or(("0", ""));
            range = Some((from.parse().unwrap_or(0), to.parse().ok()));
        }
        head.push_str(&line);
    }
    log.lock().unwrap().push(head.clone());
    let path = head.split_whitespace().nth(1).unwrap_or("");
    let file = path
        .strip_prefix(&format!("/{REPO}/resolve/main/"))
        .unwrap_or("");
    let Some(original) = files.get(file) else {
        let _ = stream
            .write_all(b"HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n");
        return;
    };
    let (mut etag_header, etag) = if file.ends_with(".safetensors") {
        ("X-Linked-Etag", hex(&Sha256::digest(original)))
    } else {
        let mut hasher = Sha1::new();
        hasher.update(format!("blob {}\0", original.len()).as_bytes());
        hasher.update(original);
        ("ETag", hex(&hasher.finalize()))
    };
    let mut etag = format!("\"{etag}\"");
    let mut commit = commit.to_string();
    let reply = replies.get(file).cloned().unwrap_or(Reply::Honest);
    let mut body = original.clone();
    match &reply {
        Reply::Bytes(bytes) => body = bytes.clone(),
        Reply::Header(name, value) if name.eq_ignore_ascii_case("x-repo-commit") => {
            commit = value.clone()
        }
        Reply::Header(name, value) => {
            etag_header = name;
            etag = value.clone();
        }
        _ => {}
    }
    let hub_headers = format!("X-Repo-Commit: {commit}\r\n{etag_header}: {etag}\r\n");
    match reply {
        Reply::Endless => {
            let head = format!(
                "HTTP/1.1 200 OK\r\nContent-Range: bytes 0-99/100\r\nX-Linked-Size: 100\r\n{hub_headers}\
                 Connection: close\r\n\r\n"
            );
            let _ = stream.write_all(head.as_bytes());
            let chunk = vec![b'x'; 64 * 1024];
            let started = Instant::now();
            while started.elapsed() < CONNECTION_LIMIT && stream.write_all(&chunk).is_ok() {}
        }
        Reply::Silent => {
            // Holds the connection until the client leaves (or the limit): reading sees its end.
            let _ = stream.set_read_timeout(Some(CONNECTION_LIMIT));
            let _ = reader.read_to_end(&mut Vec::new());
        }
        Reply::Redirect(to) => {
            let head = format!(
                "HTTP/1.1 302 Found\r\nLocation: {to}{path}\r\n{hub_headers}Content-Length: 0\r\n\
                 Connection: close\r\n\r\n"
            );
            let _ = stream.write_all(head.as_bytes());
        }
        Reply::Drip { every, head_first } => {
            let head = format!(
                "HTTP/1.1 200 OK\r\nContent-Length: {}\r\n{hub_headers}Connection: close\r\n\r\n",
                body.len()
            );
            let mut bytes = head.into_bytes();
            if head_first {
                let _ = stream.write_all(&bytes);
                bytes = body;
            } else {
                bytes.extend(body);
            }
            let started = Instant::now();
            for byte in bytes {
                if started.elapsed() > CONNECTION_LIMIT || stream.write_all(&[byte]).is_err() {
                    break;
                }
                std::thread::sleep(every);
            }
        }
        Reply::Honest | Reply::Bytes(_) | Reply::Header(..) => {
            // Ranges as the Hub serves them (a client may ask for bytes 0-0 first, then the rest).
            let Some((from, to)) = range else {
                let head = format!(
                    "HTTP/1.1 200 OK\r\nContent-Length: {}\r\n{hub_headers}Connection: close\r\n\r\n",
                    body.len()
                );
                let _ = stream.write_all(head.as_bytes());
                let _ = stream.write_all(&body);
                return;
            };
            let from = from.min(body.len());
            let to = to
                .map_or(body.len(), |to| (to + 1).min(body.len()))
                .max(from);
            let head = format!(
                "HTTP/1.1 206 Partial Content\r\nContent-Range: bytes {from}-{}/{}\r\nContent-Length: {}\r\n\
                 {hub_headers}Connection: close\r\n\r\n",
                to.saturating_sub(1),
                body.len(),
                to - from
            );
            let _ = stream.write_all(head.as_bytes());
            let _ = stream.write_all(&body[from..to]);
        }
    }
}
