//! `trawl bench index DUMP` and `trawl bench query QUERIES_FILE`: throughput and latency,
//! measured end to end through the same code paths as `index` and `search`.

use std::io::Write;
use std::path::Path;
use std::sync::atomic::AtomicBool;
use std::time::Instant;

use anyhow::{bail, Context};
use clap::Parser;
use serde::Serialize;

use super::search::{self, Mode, Plan};
use super::{Exit, Globals};
use crate::cli::{
    BenchCommand, BenchCorpusArgs, BenchIndexArgs, BenchQueryArgs, Format, SearchArgs, SortOrder,
};
use crate::index::reader::{self, Opened};
use crate::pipeline::{index_dump, IndexConfig, Stages};
use crate::query::{self, Context as QueryContext};

pub fn run(g: &Globals, what: BenchCommand) -> anyhow::Result<Exit> {
    match what {
        BenchCommand::Index(args) => bench_index(args),
        BenchCommand::Query(args) => bench_query(g, args),
        BenchCommand::Corpus(args) => bench_corpus(args),
    }
}

/// Result of `bench index`.
#[derive(Debug, Serialize)]
pub struct IndexBench {
    pub dump: String,
    pub threads: usize,
    pub memory_mib: usize,
    pub files: u64,
    pub messages: u64,
    pub bytes: u64,
    pub skipped: u64,
    pub wall_secs: f64,
    pub files_per_sec: f64,
    pub messages_per_sec: f64,
    pub mb_per_sec: f64,
    pub peak_rss_mb: Option<f64>,
    /// Peak of the anonymous part of RSS (heap, stacks): memory the process owns.
    pub peak_anon_mb: Option<f64>,
    /// Peak of the file-backed part of RSS: index segments mapped by tantivy, which the kernel
    /// can drop under pressure like any page cache.
    pub peak_file_mb: Option<f64>,
    pub index_mb: f64,
    pub stages: Stages,
}

fn bench_index(args: BenchIndexArgs) -> anyhow::Result<Exit> {
    let threads = args
        .threads
        .unwrap_or_else(|| std::thread::available_parallelism().map_or(2, |n| n.get()))
        .max(1);
    let tmp = tempfile::tempdir().context("creating a temporary index directory")?;
    // As `trawl index` runs: PDFs in the sandbox child, with its default limits.
    crate::sandbox::configure(
        crate::sandbox::Config::current_exe().context("locating the trawl binary")?,
    );
    let mut config = IndexConfig::new(&args.dump, &tmp.path().join("index"));
    config.threads = threads;
    config.memory_mib = args.memory;
    config.stages_apart = args.stages_apart;
    let started = Instant::now();
    let sampler = RssSampler::start();
    let report = index_dump(&config, &AtomicBool::new(false))?;
    let wall = started.elapsed().as_secs_f64().max(1e-9);
    let (peak_anon_mb, peak_file_mb) = sampler.stop();
    let r = IndexBench {
        dump: args.dump.display().to_string(),
        threads,
        memory_mib: args.memory,
        files: report.files_indexed,
        messages: report.messages,
        bytes: report.bytes,
        skipped: report.skipped.len() as u64,
        wall_secs: wall,
        files_per_sec: report.files_indexed as f64 / wall,
        messages_per_sec: report.messages as f64 / wall,
        mb_per_sec: report.bytes as f64 / 1e6 / wall,
        peak_rss_mb: peak_rss_mb(),
        peak_anon_mb,
        peak_file_mb,
        index_mb: dir_size(&config.index_dir) as f64 / 1e6,
        stages: report.stages,
    };
    let mut out = std::io::stdout().lock();
    if args.json {
        serde_json::to_writer(&mut out, &r)?;
        writeln!(out)?;
    } else {
        writeln!(out, "dump            {}", r.dump)?;
        writeln!(
            out,
            "threads         {} (memory budget {} MiB)",
            r.threads, r.memory_mib
        )?;
        writeln!(
            out,
            "indexed         {} messages from {} files ({:.1} MB), {} skipped",
            r.messages,
            r.files,
            r.bytes as f64 / 1e6,
            r.skipped
        )?;
        writeln!(out, "wall time       {:.2} s", r.wall_secs)?;
        writeln!(
            out,
            "throughput      {:.0} files/s, {:.0} messages/s, {:.1} MB/s",
            r.files_per_sec, r.messages_per_sec, r.mb_per_sec
        )?;
        match (r.stages.parse_secs, r.stages.index_secs) {
            (Some(parse), Some(index)) => writeln!(
                out,
                "stages apart    parse {parse:.2} s (walk {:.2} s alongside, documents held), then index {index:.2} s, commit {:.2} s, merge {:.2} s, threads {:.2} s and persons {:.2} s side by side\n\
                 engine alone    {:.2} s (index + commit + merge)",
                r.stages.walk_secs,
                r.stages.commit_secs,
                r.stages.merge_secs,
                r.stages.thread_secs,
                r.stages.people_secs,
                index + r.stages.commit_secs + r.stages.merge_secs
            )?,
            _ => writeln!(
                out,
                "stages          walk {:.2} s (alongside), parse+index {:.2} s, commit {:.2} s, merge {:.2} s, threads {:.2} s and persons {:.2} s side by side",
                r.stages.walk_secs,
                r.stages.parse_and_index_secs,
                r.stages.commit_secs,
                r.stages.merge_secs,
                r.stages.thread_secs,
                r.stages.people_secs
            )?,
        }
        match r.peak_rss_mb {
            Some(m) => writeln!(
                out,
                "peak RSS        {m:.0} MB (anonymous {}, file-backed {}, sampled every 10 ms)",
                mb_or_dash(r.peak_anon_mb),
                mb_or_dash(r.peak_file_mb)
            )?,
            None => writeln!(out, "peak RSS        (not available on this system)")?,
        }
        writeln!(out, "index size      {:.1} MB", r.index_mb)?;
    }
    Ok(Exit::Success)
}

fn bench_corpus(args: BenchCorpusArgs) -> anyhow::Result<Exit> {
    if args.out.exists() && std::fs::read_dir(&args.out)?.next().is_some() {
        bail!("{} exists and is not empty", args.out.display());
    }
    let started = Instant::now();
    let pool = crate::gen::Pool::load(&args.source)?;
    let layout = match args.mbox {
        Some(k) => crate::gen::Layout::Mbox { per_file: k },
        None => crate::gen::Layout::Maildir,
    };
    let bytes = crate::gen::generate(&pool, &args.out, args.messages, args.seed, layout)?;
    eprintln!(
        "generated {} messages ({:.1} MB) from {} source messages in {:.1}s into {}",
        args.messages,
        bytes as f64 / 1e6,
        pool.len(),
        started.elapsed().as_secs_f64(),
        args.out.display()
    );
    Ok(Exit::Success)
}

/// Peak resident set size of this process (Linux `VmHWM`), in MB.
pub fn peak_rss_mb() -> Option<f64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kb: f64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kb * 1024.0 / 1e6)
}

fn mb_or_dash(v: Option<f64>) -> String {
    v.map_or_else(|| "-".to_owned(), |m| format!("{m:.0} MB"))
}

/// Samples `RssAnon` and `RssFile` of this process every 10 ms on a thread of its own, keeping
/// the peaks. The kernel's `VmHWM` gives only their sum; the split tells heap growth apart from
/// mapped index files.
struct RssSampler {
    stop: std::sync::Arc<AtomicBool>,
    handle: Option<std::thread::JoinHandle<(u64, u64)>>,
}

impl RssSampler {
    fn start() -> RssSampler {
        let stop = std::sync::Arc::new(AtomicBool::new(false));
        let flag = stop.clone();
        let handle = std::thread::Builder::new()
            .name("rss-sampler".into())
            .spawn(move || {
                let (mut anon, mut file) = (0, 0);
                loop {
                    if let Some((a, f)) = rss_split_kb() {
                        anon = anon.max(a);
                        file = file.max(f);
                    }
                    if flag.load(std::sync::atomic::Ordering::Relaxed) {
                        return (anon, file);
                    }
                    std::thread::sleep(std::time::Duration::from_millis(10));
                }
            })
            .ok();
        RssSampler { stop, handle }
    }

    /// Peaks in MB, `None` where `/proc/self/status` has no split (not Linux).
    fn stop(self) -> (Option<f64>, Option<f64>) {
        self.stop.store(true, std::sync::atomic::Ordering::Relaxed);
        match self.handle.and_then(|h| h.join().ok()) {
            Some((a, f)) if a > 0 => (Some(a as f64 * 1024.0 / 1e6), Some(f as f64 * 1024.0 / 1e6)),
            _ => (None, None),
        }
    }
}

/// `RssAnon` and `RssFile` of this process, in kB.
fn rss_split_kb() -> Option<(u64, u64)> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let field = |name: &str| -> Option<u64> {
        let line = status.lines().find(|l| l.starts_with(name))?;
        line.split_whitespace().nth(1)?.parse().ok()
    };
    Some((field("RssAnon:")?, field("RssFile:")?))
}

fn dir_size(dir: &Path) -> u64 {
    walkdir::WalkDir::new(dir)
        .into_iter()
        .filter_map(Result::ok)
        .filter_map(|e| e.metadata().ok())
        .filter(|m| m.is_file())
        .map(|m| m.len())
        .sum()
}

/// Latencies of one query of `bench query`.
#[derive(Debug, Serialize)]
pub struct QueryBench {
    pub query: String,
    pub flags: String,
    pub hits: usize,
    pub runs: usize,
    pub p50_ms: f64,
    pub p95_ms: f64,
    pub p99_ms: f64,
    pub mean_ms: f64,
}

fn bench_query(g: &Globals, args: BenchQueryArgs) -> anyhow::Result<Exit> {
    let opened = reader::open(&g.index)?;
    let text = std::fs::read_to_string(&args.queries)
        .with_context(|| format!("reading {}", args.queries.display()))?;
    let mut out = std::io::stdout().lock();
    if !args.json {
        writeln!(
            out,
            "{} documents in {}",
            opened.searcher().num_docs(),
            g.index.display()
        )?;
        writeln!(
            out,
            "{:>9} {:>9} {:>9} {:>9}  {:>8}  query",
            "p50 ms", "p95 ms", "p99 ms", "mean ms", "hits"
        )?;
    }
    for (n, line) in text.lines().enumerate() {
        let line = line.trim_end();
        if line.trim().is_empty() || line.trim_start().starts_with('#') {
            continue;
        }
        let (query, flags) = line.split_once('\t').unwrap_or((line, ""));
        let plan = plan_for(g, &opened, query, flags)
            .with_context(|| format!("{}:{}", args.queries.display(), n + 1))?;
        let r = time_plan(&opened, &plan, query, flags, args.warmup, args.runs.max(1))?;
        if args.json {
            serde_json::to_writer(&mut out, &r)?;
            writeln!(out)?;
        } else {
            let label = if flags.is_empty() {
                query.to_string()
            } else {
                format!("{query}  [{flags}]")
            };
            writeln!(
                out,
                "{:>9.2} {:>9.2} {:>9.2} {:>9.2}  {:>8}  {}",
                r.p50_ms, r.p95_ms, r.p99_ms, r.mean_ms, r.hits, label
            )?;
        }
    }
    Ok(Exit::Success)
}

/// Builds the search plan `trawl search FLAGS QUERY` would run, printing JSON to nowhere.
fn plan_for(g: &Globals, opened: &Opened, query: &str, flags: &str) -> anyhow::Result<Plan> {
    #[derive(Parser)]
    struct Wrap {
        #[command(flatten)]
        search: SearchArgs,
    }
    let mut argv = vec!["search".to_string()];
    argv.extend(flags.split_whitespace().map(str::to_owned));
    argv.push("--".into());
    argv.push(query.to_owned());
    let args = Wrap::try_parse_from(argv)?.search;
    let tz = g.tz()?;
    let threads = opened.threads_if(query::needs_threads(query))?;
    let people = crate::people::Lazy::new(opened, g.aliases.as_deref());
    let compiled = query::compile_with_people(
        query,
        QueryContext {
            fields: &opened.fields,
            tz,
            file_dates: g.file_dates,
            threads: threads.as_ref(),
        },
        &|v| people.addresses(v),
    )?;
    if args.count || args.paths {
        bail!("bench measures hit listing, facets and histograms; drop --count/--paths");
    }
    let mode = Mode::Hits(Format::Json);
    let scope = search::scope_of(&args.scope, &compiled);
    Ok(Plan {
        sort: args.sort.unwrap_or(if compiled.free_text {
            SortOrder::Score
        } else {
            SortOrder::Date
        }),
        compiled,
        limit: if args.output.all {
            None
        } else {
            Some(args.output.limit.unwrap_or(20))
        },
        mode,
        facets: args
            .facet
            .iter()
            .map(|f| search::parse_facet(f))
            .collect::<anyhow::Result<_>>()?,
        histogram: args.histogram.map(super::search::histogram_unit),
        pairs: args.pairs,
        timeline: args.timeline,
        tz,
        file_dates: g.file_dates,
        style: Default::default(),
        scope,
        threads: None,
        gap: args.gap,
        gap_threads: None,
        context: None,
        by_person: args.by_person,
        aliases: g.aliases.clone(),
    })
}

fn time_plan(
    opened: &Opened,
    plan: &Plan,
    query: &str,
    flags: &str,
    warmup: usize,
    runs: usize,
) -> anyhow::Result<QueryBench> {
    let mut sink = std::io::sink();
    let mut hits = 0;
    for _ in 0..warmup {
        search::execute_to(opened, plan, &mut sink, false)?;
    }
    let mut ms = Vec::with_capacity(runs);
    for _ in 0..runs {
        let t = Instant::now();
        let (_, _, total) = search::execute_to(opened, plan, &mut sink, false)?;
        ms.push(t.elapsed().as_secs_f64() * 1000.0);
        hits = total;
    }
    ms.sort_by(f64::total_cmp);
    let pct = |p: f64| ms[((ms.len() as f64 * p).ceil() as usize).clamp(1, ms.len()) - 1];
    Ok(QueryBench {
        query: query.to_owned(),
        flags: flags.to_owned(),
        hits,
        runs,
        p50_ms: pct(0.50),
        p95_ms: pct(0.95),
        p99_ms: pct(0.99),
        mean_ms: ms.iter().sum::<f64>() / ms.len() as f64,
    })
}
