//! A document parsed in a process of its own, so that a crafted file cannot take answerbank down with it.
//!
//! Where it sits: under [`documents`](super), between [`read`](super::read)'s checks and cache and the format
//! readers. In: one document's bytes, its format, its name as cited and the [`Limits`]. Out: its passages, or why
//! it was skipped, exactly as parsing it in-process gives them.
//!
//! The readers of HTML (html5ever), Word `.docx` and PDF (pdf-extract on lopdf) are large, and a caught panic is
//! not enough: a PDF whose form draws itself recurses until the stack overflows, one whose page is its own parent
//! loops for ever, one whose stream is inflated twice asks for gigabytes, and an HTML page of thousands of unclosed
//! formatting tags makes html5ever rebuild them at every element. None of these unwinds. So the command-line tool
//! ([`Isolation::this_program`]) parses these formats in a child process, the hidden `parse-document` command of
//! the same executable ([`serve`]), which
//! - reads the bytes on its stdin and writes the result as JSON on its stdout;
//! - limits itself (on Unix) to [`Isolation::max_memory_bytes`] of address space, to the timeout in CPU time, to no
//!   core file and to writing no file at all;
//! - is killed after [`Isolation::timeout`] of wall time.
//!
//! A child that crashes, runs out of memory or out of time makes the document a `Problem` like any other; the other
//! documents and the command go on. Markdown and plain text are read in-process: their readers are linear and
//! ours. A process costs about 3 ms of CPU (300 small HTML pages read in 0.6-0.7 s on 2 cores, 0.1 s in-process),
//! and only for documents not found in the passage cache.
//!
//! [`Limits::default`] parses in-process: the library cannot know that the running program is answerbank (a test
//! binary is not).

use std::io::{Read, Write};
use std::path::PathBuf;
use std::process::{Child, Command, ExitStatus, Stdio};
use std::time::{Duration, Instant};

use serde::{Deserialize, Serialize};

use super::{Format, Limits, Passage};

/// The hidden command that parses one document ([`serve`]).
pub const COMMAND: &str = "parse-document";

/// How documents of the formats with large parsers are parsed in a child process.
#[derive(Debug, Clone)]
pub struct Isolation {
    /// The answerbank executable that runs [`COMMAND`].
    pub program: PathBuf,
    /// Wall time one document may take, and (rounded up to a second) its CPU time.
    pub timeout: Duration,
    /// Address space of the child, on Unix: what one document may make the parser allocate, plus the program.
    pub max_memory_bytes: u64,
}

impl Isolation {
    /// The running program, with the default limits: 30 s and 2 GiB a document. A PDF of 2,000 pages, the most
    /// read, takes a few seconds; a parse of 373 pages used 50 MB. `None` when the running program cannot be found.
    pub fn this_program() -> Option<Isolation> {
        let program = std::env::current_exe().ok()?;
        Some(Isolation {
            program,
            timeout: Duration::from_secs(30),
            max_memory_bytes: 2 << 30,
        })
    }
}

/// What the child is asked: given as the command's one argument, in JSON.
#[derive(Serialize, Deserialize)]
struct Request {
    format: Format,
    cited: String,
    limits: Limits,
    max_memory_bytes: u64,
    cpu_seconds: u64,
}

/// The child's answer on its stdout: what [`super::parse`] returned.
type Answer = Result<Vec<Passage>, String>;

/// Most of a child's stderr kept, to tell running out of memory from other crashes.
const STDERR_KEPT: u64 = 64 * 1024;

/// Parses `bytes` in a child process (see the module docs); the same result as [`super::parse`], or why the child
/// failed, in words that end "<file> was skipped: ...".
pub(super) fn parse(
    isolation: &Isolation,
    format: Format,
    bytes: &[u8],
    cited: &str,
    limits: &Limits,
) -> Result<Vec<Passage>, String> {
    let request = Request {
        format,
        cited: cited.to_string(),
        limits: limits.clone(),
        max_memory_bytes: isolation.max_memory_bytes,
        cpu_seconds: isolation.timeout.as_secs_f64().ceil() as u64,
    };
    let request = serde_json::to_string(&request).map_err(|e| e.to_string())?;
    let mut child = Command::new(&isolation.program)
        .arg(COMMAND)
        .arg(request)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| {
            format!(
                "its reader could not be started ({} {COMMAND}: {e})",
                isolation.program.display()
            )
        })?;
    let (Some(mut stdin), Some(stdout), Some(stderr)) =
        (child.stdin.take(), child.stdout.take(), child.stderr.take())
    else {
        let _ = child.kill();
        let _ = child.wait();
        return Err("its reader could not be started (no pipes)".to_string());
    };
    // The answer holds what an in-process parse would hold in memory; a reader bound by `max_text_bytes` never
    // comes near this, which only keeps a runaway child from filling the parent's memory.
    let max_answer = (limits.max_text_bytes as u64)
        .saturating_mul(32)
        .max(64 << 20);
    let started = Instant::now();
    let (status, answer, errors) = std::thread::scope(|scope| {
        // Written and read on threads of their own, so that neither pipe fills while the other is waited on. A
        // child that dies before reading its input makes the write fail, which its exit status explains.
        scope.spawn(move || {
            let _ = stdin.write_all(bytes);
        });
        // The answer ends when the child closes its stdout, as it exits: waiting for that, rather than polling
        // the child, sees the end at once.
        let (sender, answered) = std::sync::mpsc::channel();
        scope.spawn(move || {
            let _ = sender.send(read_at_most(stdout, max_answer));
        });
        let errors = scope.spawn(move || read_at_most(stderr, STDERR_KEPT));
        let (status, answer) = match answered.recv_timeout(isolation.timeout) {
            Err(std::sync::mpsc::RecvTimeoutError::Timeout) => {
                let _ = child.kill();
                (child.wait().map(|_| None), None)
            }
            answer => {
                let left = isolation.timeout.saturating_sub(started.elapsed());
                (wait_at_most(&mut child, left), answer.ok().flatten())
            }
        };
        let errors = errors.join().unwrap_or_default();
        (status, answer, errors)
    });
    let status = status.map_err(|e| format!("its reader could not be waited for ({e})"))?;
    let Some(status) = status else {
        return Err(format!(
            "reading it took longer than {} s, the limit for a document (the file is probably damaged)",
            isolation.timeout.as_secs()
        ));
    };
    if status.success() {
        let Some(answer) = answer else {
            return Err("its reader answered more than the limit allows".to_string());
        };
        return serde_json::from_slice::<Answer>(&answer)
            .unwrap_or_else(|e| Err(format!("its reader's answer could not be read ({e})")));
    }
    Err(failure(status, &errors.unwrap_or_default(), isolation))
}

/// Why a child that did not exit successfully failed.
fn failure(status: ExitStatus, errors: &[u8], isolation: &Isolation) -> String {
    let errors = String::from_utf8_lossy(errors);
    if errors.contains("memory allocation of") {
        return format!(
            "reading it needed more than {} of memory, the limit for a document (the file is probably damaged)",
            crate::fsutil::size_text(isolation.max_memory_bytes)
        );
    }
    #[cfg(unix)]
    if std::os::unix::process::ExitStatusExt::signal(&status) == Some(libc::SIGXCPU) {
        return format!(
            "reading it took longer than {} s, the limit for a document (the file is probably damaged)",
            isolation.timeout.as_secs()
        );
    }
    let _ = status;
    "the parser failed on it (the file is probably damaged)".to_string()
}

/// Everything `reader` gives, or `None` when it gives more than `most` bytes (the rest is read and dropped, so
/// that the writer is never blocked).
fn read_at_most(reader: impl Read, most: u64) -> Option<Vec<u8>> {
    let mut reader = reader;
    let mut kept = Vec::new();
    (&mut reader).take(most).read_to_end(&mut kept).ok()?;
    let more = std::io::copy(&mut reader, &mut std::io::sink()).unwrap_or(0);
    (more == 0).then_some(kept)
}

/// The child's exit status, or `None` when it ran longer than `timeout` and was killed.
fn wait_at_most(child: &mut Child, timeout: Duration) -> std::io::Result<Option<ExitStatus>> {
    let started = Instant::now();
    let mut pause = Duration::from_millis(1);
    loop {
        if let Some(status) = child.try_wait()? {
            return Ok(Some(status));
        }
        let elapsed = started.elapsed();
        if elapsed >= timeout {
            let _ = child.kill();
            child.wait()?;
            return Ok(None);
        }
        std::thread::sleep(pause.min(timeout - elapsed));
        pause = (pause * 2).min(Duration::from_millis(20));
    }
}

/// The child's side: parses the document on stdin as `request` (the JSON [`parse`] sends) says, in this process,
/// and writes the answer on stdout. Limits itself first (see the module docs).
pub fn serve(request: &str) -> anyhow::Result<()> {
    let request: Request = serde_json::from_str(request).map_err(|e| {
        anyhow::anyhow!("{COMMAND} is answerbank's own (a request it cannot read: {e})")
    })?;
    limit_this_process(request.max_memory_bytes, request.cpu_seconds);
    let most = request.limits.max_file_bytes;
    let mut bytes = Vec::new();
    std::io::stdin()
        .lock()
        .take(most + 1)
        .read_to_end(&mut bytes)?;
    let answer: Answer = if bytes.len() as u64 > most {
        Err(format!(
            "it is larger than {}, the limit for a document",
            crate::fsutil::size_text(most)
        ))
    } else {
        super::parse(request.format, &bytes, &request.cited, &request.limits)
    };
    let mut out = std::io::stdout().lock();
    serde_json::to_writer(&mut out, &answer)?;
    out.flush()?;
    Ok(())
}

/// Address space, CPU time, no core file, no file written: best effort, a limit the system refuses is not set.
#[cfg(unix)]
fn limit_this_process(max_memory_bytes: u64, cpu_seconds: u64) {
    let limits = [
        (libc::RLIMIT_AS, max_memory_bytes),
        (libc::RLIMIT_CPU, cpu_seconds.max(1)),
        (libc::RLIMIT_CORE, 0),
        (libc::RLIMIT_FSIZE, 0),
    ];
    for (resource, value) in limits {
        let value = libc::rlim_t::try_from(value).unwrap_or(libc::RLIM_INFINITY);
        let limit = libc::rlimit {
            rlim_cur: value,
            rlim_max: value,
        };
        // SAFETY: setrlimit only reads the struct it is given; lowering a limit of this process affects nothing
        // else.
        unsafe { libc::setrlimit(resource, &limit) };
    }
}

#[cfg(not(unix))]
fn limit_this_process(_max_memory_bytes: u64, _cpu_seconds: u64) {}
