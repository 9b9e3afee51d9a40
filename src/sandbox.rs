//! Third-party parsers run in a child process, under a time limit and a memory limit.
//!
//! A hostile file can make a parser loop forever, allocate gigabytes or abort the process (a
//! stack overflow, an allocation failure), and `catch_unwind` stops none of these: it only turns
//! a panic into an error. So a parser we did not write and cannot bound (pdf-extract) runs in a
//! child process instead: the trawl binary itself ([`Config::program`], normally
//! `std::env::current_exe()`), started as `trawl __extract JOB`, reads the input on its stdin and
//! writes its result as JSON on its stdout. The parent
//! - limits the child's address space (`RLIMIT_AS`, set between fork and exec) to
//!   [`Config::memory_limit`], so an allocation past it fails in the child, which aborts with
//!   Rust's "memory allocation of N bytes failed";
//! - kills the child (SIGKILL) once [`Config::timeout`] has passed, and reaps it;
//! - feeds stdin from its own thread, so a child that never reads cannot block the parent, and
//!   reads at most [`MAX_OUTPUT_BYTES`] of stdout and the tail of stderr.
//!
//! The outcome is the child's stdout, or a [`SandboxError`] that says which limit was hit or how
//! the child died. Our own parsers, and libraries whose work we bound ourselves (byte caps on
//! what they read), stay in-process, with `catch_unwind` around third-party code that may panic:
//! a process per file costs a fork and an exec.
//!
//! Whether extraction uses a child is a process-wide setting, [`configure`]d once by the command
//! that indexes; the default is [`Config::default`], disabled, so library code, unit tests and
//! benches extract in-process as before.

use std::io::{self, Read, Write};
use std::path::PathBuf;
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::{mpsc, RwLock};
use std::thread;
use std::time::{Duration, Instant};

use serde::de::DeserializeOwned;
use thiserror::Error;

/// The hidden subcommand the child is started with: `trawl __extract JOB`.
pub const SUBCOMMAND: &str = "__extract";
/// Most bytes read from a child's stdout; more is an error (the child is killed).
pub const MAX_OUTPUT_BYTES: usize = 64 << 20;
/// How much of the end of a child's stderr is kept to explain a failure.
const STDERR_TAIL_BYTES: usize = 16 << 10;
/// Default wall-clock limit for one job.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(60);
/// Default address-space limit for one child (the binary's own mappings included).
pub const DEFAULT_MEMORY_LIMIT: u64 = 2 << 30;

/// How extraction jobs run.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Config {
    /// Run jobs in a child process; when false, callers extract in-process.
    pub enabled: bool,
    /// The executable started as `PROGRAM __extract JOB`: the trawl binary.
    pub program: PathBuf,
    /// Wall-clock time a job may take before its child is killed.
    pub timeout: Duration,
    /// Address-space limit of the child in bytes (`RLIMIT_AS`); 0 for none.
    pub memory_limit: u64,
}

impl Default for Config {
    /// Disabled: extraction in-process. The limits are the defaults used once enabled.
    fn default() -> Config {
        Config {
            enabled: false,
            program: PathBuf::new(),
            timeout: DEFAULT_TIMEOUT,
            memory_limit: DEFAULT_MEMORY_LIMIT,
        }
    }
}

impl Config {
    /// Enabled, with this very executable as the child and the default limits.
    pub fn current_exe() -> io::Result<Config> {
        Ok(Config {
            enabled: true,
            program: std::env::current_exe()?,
            ..Config::default()
        })
    }
}

static CONFIG: RwLock<Option<Config>> = RwLock::new(None);

/// Sets the process-wide configuration that [`current`] returns (a later call replaces it).
/// The index command, in the trawl binary, turns the child on for the run:
///
/// ```no_run
/// # fn main() -> std::io::Result<()> {
/// use std::time::Duration;
/// use trawl::sandbox;
///
/// let mut cfg = sandbox::Config::current_exe()?;
/// cfg.timeout = Duration::from_secs(30);
/// cfg.memory_limit = 1 << 30;
/// sandbox::configure(cfg);
/// # Ok(())
/// # }
/// ```
///
/// Only a trawl binary can be the program (it must know `__extract`): in unit tests and benches
/// the current executable is the test harness, which is why the default is disabled.
pub fn configure(cfg: Config) {
    *CONFIG.write().unwrap_or_else(|e| e.into_inner()) = Some(cfg);
}

/// The configuration set by [`configure`], when it enables child processes.
pub fn current() -> Option<Config> {
    CONFIG
        .read()
        .unwrap_or_else(|e| e.into_inner())
        .as_ref()
        .filter(|c| c.enabled)
        .cloned()
}

/// How a job failed.
#[derive(Debug, Error)]
pub enum SandboxError {
    #[error("could not start {} for the {job} job: {source}", program.display())]
    Spawn {
        job: String,
        program: PathBuf,
        source: io::Error,
    },
    #[error("the {job} job ran past the limit of {} s and was killed", after.as_secs_f64())]
    Timeout { job: String, after: Duration },
    #[error("the {job} job needed more memory than its limit of {} MiB", limit >> 20)]
    TooLarge { job: String, limit: u64 },
    #[error("the {job} job wrote more than {} MiB of output", limit >> 20)]
    OutputTooLarge { job: String, limit: usize },
    #[error("the {job} job crashed: {detail}")]
    Crash { job: String, detail: String },
    #[error("the {job} job's output is not what was expected: {detail}")]
    BadOutput { job: String, detail: String },
    #[error("waiting for the {job} job: {source}")]
    Wait { job: String, source: io::Error },
}

/// Runs `PROGRAM __extract JOB` with `input` on its stdin, under the limits of `cfg`, and returns
/// its stdout. `cfg.enabled` is not consulted: the caller has decided.
pub fn run(cfg: &Config, job: &str, input: &[u8]) -> Result<Vec<u8>, SandboxError> {
    let mut cmd = Command::new(&cfg.program);
    cmd.arg(SUBCOMMAND).arg(job);
    run_command(cmd, job, input, cfg.timeout, cfg.memory_limit)
}

/// Runs `cmd` (any program: an external tool such as `tesseract`) with `input` on its stdin,
/// under the same time and memory limits as [`run`], and returns its stdout.
pub fn run_command(
    mut cmd: Command,
    job: &str,
    input: &[u8],
    timeout: Duration,
    memory_limit: u64,
) -> Result<Vec<u8>, SandboxError> {
    let program = PathBuf::from(cmd.get_program());
    cmd.stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    limit_memory(&mut cmd, memory_limit);
    let cfg = Config {
        enabled: true,
        program,
        timeout,
        memory_limit,
    };
    let mut child = cmd.spawn().map_err(|source| SandboxError::Spawn {
        job: job.to_owned(),
        program: cfg.program.clone(),
        source,
    })?;
    let (Some(mut stdin), Some(stdout), Some(stderr)) =
        (child.stdin.take(), child.stdout.take(), child.stderr.take())
    else {
        // Cannot happen (all three are piped above), but a missing stream is a failed start,
        // not a reason to take the indexing run down.
        let _ = child.kill();
        let _ = child.wait();
        return Err(SandboxError::Spawn {
            job: job.to_owned(),
            program: cfg.program.clone(),
            source: io::Error::other("the child's standard streams were not piped"),
        });
    };
    let started = Instant::now();
    // A timeout too large to add is no timeout (a century).
    let deadline = started
        .checked_add(cfg.timeout)
        .unwrap_or_else(|| started + Duration::from_secs(100 * 365 * 86_400));

    let (ended, stdout, stderr) = thread::scope(|s| {
        // A child that exits (or dies) without reading its input breaks the pipe: not our
        // failure to report, its exit status says what happened.
        s.spawn(move || {
            let _ = stdin.write_all(input);
        });
        let stderr = s.spawn(move || read_tail(stderr, STDERR_TAIL_BYTES));
        let (tx, rx) = mpsc::channel();
        s.spawn(move || {
            let _ = tx.send(read_capped(stdout, MAX_OUTPUT_BYTES));
        });
        // The child closes stdout when it exits, normally long before the deadline.
        let remaining = deadline.saturating_duration_since(Instant::now());
        let (ended, stdout) = match rx.recv_timeout(remaining) {
            Ok(Ok(out)) => (wait_until(&mut child, deadline), Ok(out)),
            Ok(Err(TooMuch)) => (kill(&mut child).map(Ended::Killed), Err(TooMuch)),
            Err(_) => (kill(&mut child).map(|_| Ended::TimedOut), Ok(Vec::new())),
        };
        // Reaped (or killed): the pipes are closed, so the threads end.
        let stderr = stderr.join().unwrap_or_default();
        (ended, stdout, stderr)
    });

    let ended = ended.map_err(|source| SandboxError::Wait {
        job: job.to_owned(),
        source,
    })?;
    let job = job.to_owned();
    match (ended, stdout) {
        (Ended::TimedOut, _) => Err(SandboxError::Timeout {
            job,
            after: cfg.timeout,
        }),
        (_, Err(TooMuch)) => Err(SandboxError::OutputTooLarge {
            job,
            limit: MAX_OUTPUT_BYTES,
        }),
        (Ended::Exited(status), Ok(out)) if status.success() => Ok(out),
        (Ended::Exited(status) | Ended::Killed(status), _) => {
            let stderr = String::from_utf8_lossy(&stderr);
            if stderr.contains("memory allocation") {
                return Err(SandboxError::TooLarge {
                    job,
                    limit: cfg.memory_limit,
                });
            }
            let detail = match stderr.lines().rev().map(str::trim).find(|l| !l.is_empty()) {
                Some(line) => format!("{line} ({})", describe(status)),
                None => describe(status),
            };
            Err(SandboxError::Crash { job, detail })
        }
    }
}

/// [`run`], with stdout read as JSON.
pub fn run_json<T: DeserializeOwned>(
    cfg: &Config,
    job: &str,
    input: &[u8],
) -> Result<T, SandboxError> {
    let out = run(cfg, job, input)?;
    serde_json::from_slice(&out).map_err(|e| SandboxError::BadOutput {
        job: job.to_owned(),
        detail: e.to_string(),
    })
}

/// How the child ended.
enum Ended {
    Exited(ExitStatus),
    /// Killed by us for writing too much.
    Killed(ExitStatus),
    /// Killed by us at the deadline.
    TimedOut,
}

/// Stdout went past its cap.
struct TooMuch;

/// Waits for the child up to `deadline`, then kills it. Its stdout is closed already, so this is
/// normally at once; polling (1 ms, doubling to 16 ms) covers a child that lingers.
fn wait_until(child: &mut Child, deadline: Instant) -> io::Result<Ended> {
    let mut pause = Duration::from_millis(1);
    loop {
        if let Some(status) = child.try_wait()? {
            return Ok(Ended::Exited(status));
        }
        let now = Instant::now();
        if now >= deadline {
            kill(child)?;
            return Ok(Ended::TimedOut);
        }
        thread::sleep(pause.min(deadline - now));
        pause = (pause * 2).min(Duration::from_millis(16));
    }
}

/// SIGKILL, then reap.
fn kill(child: &mut Child) -> io::Result<ExitStatus> {
    // Fails only when the child has exited already, which `wait` then reports.
    let _ = child.kill();
    child.wait()
}

fn read_capped(mut from: impl Read, cap: usize) -> Result<Vec<u8>, TooMuch> {
    let mut out = Vec::new();
    let limit = u64::try_from(cap).unwrap_or(u64::MAX).saturating_add(1);
    // A read error is a child that died mid-write; its exit status tells.
    let _ = (&mut from).take(limit).read_to_end(&mut out);
    if out.len() > cap {
        return Err(TooMuch);
    }
    Ok(out)
}

/// The last `keep` bytes (or a little more) of a stream read to its end.
fn read_tail(mut from: impl Read, keep: usize) -> Vec<u8> {
    let mut tail = Vec::new();
    let mut buf = [0u8; 8192];
    loop {
        match from.read(&mut buf) {
            Ok(0) | Err(_) => return tail,
            Ok(n) => {
                tail.extend_from_slice(&buf[..n]);
                if tail.len() > 2 * keep {
                    tail.drain(..tail.len() - keep);
                }
            }
        }
    }
}

fn describe(status: ExitStatus) -> String {
    #[cfg(unix)]
    {
        use std::os::unix::process::ExitStatusExt;
        if let Some(signal) = status.signal() {
            let name = match signal {
                libc::SIGABRT => " (SIGABRT)",
                libc::SIGKILL => " (SIGKILL)",
                libc::SIGSEGV => " (SIGSEGV)",
                libc::SIGBUS => " (SIGBUS)",
                _ => "",
            };
            return format!("killed by signal {signal}{name}");
        }
    }
    match status.code() {
        Some(code) => format!("exit status {code}"),
        None => status.to_string(),
    }
}

/// Limits the child's address space to `bytes`, between fork and exec.
#[cfg(unix)]
fn limit_memory(cmd: &mut Command, bytes: u64) {
    use std::os::unix::process::CommandExt;
    if bytes == 0 {
        return;
    }
    let limit = libc::rlimit {
        rlim_cur: bytes as libc::rlim_t,
        rlim_max: bytes as libc::rlim_t,
    };
    // SAFETY: the closure runs in the forked child before exec; it only calls setrlimit (an
    // async-signal-safe system call) and reads errno, and allocates nothing.
    unsafe {
        cmd.pre_exec(move || {
            if libc::setrlimit(libc::RLIMIT_AS, &limit) != 0 {
                return Err(io::Error::last_os_error());
            }
            Ok(())
        });
    }
}

#[cfg(not(unix))]
fn limit_memory(_cmd: &mut Command, _bytes: u64) {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn disabled_by_default() {
        assert!(!Config::default().enabled);
    }

    #[test]
    fn stdout_over_the_cap_is_refused() {
        assert!(read_capped(&b"12345"[..], 5).is_ok());
        assert!(read_capped(&b"123456"[..], 5).is_err());
    }

    #[test]
    fn stderr_keeps_its_tail() {
        let text: Vec<u8> = (0..100_000u32)
            .flat_map(|i| format!("{i}\n").into_bytes())
            .collect();
        let tail = read_tail(&text[..], 1000);
        assert!(tail.len() >= 1000 && tail.len() <= 2000 + 8192);
        assert!(tail.ends_with(b"99998\n99999\n"));
    }

    #[test]
    fn a_missing_program_is_a_spawn_error() {
        let cfg = Config {
            enabled: true,
            program: "/nonexistent/trawl".into(),
            ..Config::default()
        };
        let err = run(&cfg, "pdf", b"").unwrap_err();
        assert!(matches!(err, SandboxError::Spawn { .. }), "{err}");
    }

    /// `sh` stands in for the trawl binary: the mechanism does not depend on what the child is.
    fn sh(script: &str, timeout: Duration) -> Result<Vec<u8>, SandboxError> {
        let dir = tempfile::tempdir().unwrap();
        let program = dir.path().join("child.sh");
        std::fs::write(&program, format!("#!/bin/sh\n{script}\n")).unwrap();
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            std::fs::set_permissions(&program, std::fs::Permissions::from_mode(0o755)).unwrap();
        }
        let cfg = Config {
            enabled: true,
            program,
            timeout,
            memory_limit: 0,
        };
        run(&cfg, "job", b"input bytes")
    }

    #[test]
    fn stdout_status_and_stderr_are_mapped() {
        let long = Duration::from_secs(60);
        assert_eq!(sh("cat", long).unwrap(), b"input bytes");
        // A child that never reads its input.
        assert_eq!(sh("echo done", long).unwrap(), b"done\n");
        let err = sh("echo first >&2; echo 'it broke' >&2; exit 3", long).unwrap_err();
        match err {
            SandboxError::Crash { detail, .. } => {
                assert_eq!(detail, "it broke (exit status 3)")
            }
            e => panic!("{e}"),
        }
        let err = sh(
            "echo 'memory allocation of 9 bytes failed' >&2; kill -ABRT $$",
            long,
        );
        assert!(matches!(err, Err(SandboxError::TooLarge { .. })), "{err:?}");
    }

    #[test]
    fn a_hung_child_is_killed_at_the_deadline() {
        let started = Instant::now();
        let err = sh("exec sleep 600", Duration::from_millis(300)).unwrap_err();
        assert!(matches!(err, SandboxError::Timeout { .. }), "{err}");
        assert!(started.elapsed() < Duration::from_secs(30));
    }
}
