//! 5. A full sync at real-world latency, against its floor, at each plan's limit.
//!
//! Each cell runs the release CLI (`read --output`, in its own process, so its peak RSS is its
//! own) against the reference Workspace served with `latency` per answer and `limit` requests
//! a minute. The floor is `max(requests × 60 / limit, chain × latency)`, where `chain` is the
//! longest run of requests that each need the one before: `/team` → spaces → folders → lists →
//! a list's task page (5; task pages of a partition whose size is known need no page before
//! them). The CPU column is the CLI process's own (user + system), from `getrusage`: with the
//! wall time and the latency it says whether a cell is bound by the budget, the latency or the
//! processor.

use clickup_sim::{LatencyConfig, RateLimitConfig, SimConfig, Simulator, Size};
use serde_json::json;
use std::path::Path;
use std::time::{Duration, Instant};

/// The cells: requests a minute (100: Free to Business; 1,000: Business Plus; 10,000:
/// Enterprise) × ms per answer.
const CELLS: [(u32, u64); 6] = [
    (10_000, 300),
    (10_000, 1_000),
    (1_000, 300),
    (1_000, 1_000),
    (100, 300),
    (100, 1_000),
];

/// Section 5. `quick`: the small workspace, three cells; `fast`: the cells at 1,000 and
/// 10,000 requests a minute alone (those at 100 take nine minutes, and sit at their floor).
pub(crate) fn table(wasm: &Path, exe: &Path, quick: bool, fast: bool, bound: Option<u64>) {
    println!("## 5. Full sync at real latency, against its floor\n");
    let size = if quick {
        Size::small()
    } else {
        Size::reference()
    };
    let cells: &[(u32, u64)] = match (quick, fast) {
        (true, _) => &CELLS[..3],
        (false, true) => &CELLS[..4],
        (false, false) => &CELLS,
    };
    println!("{} workspace, full `read --output` of every stream by the release CLI, each answer delayed by the latency (±10% jitter). Floor: `max(requests × 60 / limit, chain × latency)`, chain = {CHAIN}.{}\n",
        if quick { "Small" } else { "Reference" },
        bound.map_or(String::new(), |b| format!(" Requests lower bound: {b} (section 1's, and custom_fields' one request per hierarchy node). The CLI reads goals and time entries on instances of their own beside the rest (lanes), for one `GET /team` each.")));
    println!("| limit/min | latency | wall | floor | wall/floor | requests | /bound | peak in flight | 429s | peak RSS | CPU |");
    println!("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
    for &(limit, latency_ms) in cells {
        let sim = Simulator::start(SimConfig {
            seed: 1,
            size: size.clone(),
            rate_limit: RateLimitConfig {
                limit,
                window: Duration::from_secs(60),
            },
            latency: LatencyConfig::ms(latency_ms * 9 / 10, latency_ms / 5),
            ..SimConfig::default()
        })
        .unwrap();
        let cpu_before = children_cpu();
        let (wall, rss) = run_cli(wasm, exe, &sim);
        let cpu = children_cpu() - cpu_before;
        let counts = sim.request_counts();
        let floor = (counts.total as f64 * 60.0 / f64::from(limit))
            .max(CHAIN as f64 * latency_ms as f64 / 1000.0);
        println!(
            "| {limit} | {latency_ms} ms | {:.1} s | {floor:.1} s | {:.2} | {} | {} | {} | {} | {rss} | {cpu:.1} s |",
            wall.as_secs_f64(),
            wall.as_secs_f64() / floor,
            counts.total,
            bound.map_or("–".into(), |b| format!("{:.3}", counts.total as f64 / b as f64)),
            counts.peak_in_flight,
            counts.status_429,
        );
    }
    println!();
}

/// The longest chain of dependent requests (see the module docs).
const CHAIN: u64 = 5;

/// CPU seconds (user + system) of the children this process waited for, so far.
fn children_cpu() -> f64 {
    // SAFETY: getrusage writes one `rusage` into the zeroed value it is given.
    let usage = unsafe {
        let mut usage: libc::rusage = std::mem::zeroed();
        libc::getrusage(libc::RUSAGE_CHILDREN, &mut usage);
        usage
    };
    let secs = |t: libc::timeval| t.tv_sec as f64 + t.tv_usec as f64 / 1e6;
    secs(usage.ru_utime) + secs(usage.ru_stime)
}

/// Runs `read --output` on the simulator; its wall time and the peak RSS it reports.
fn run_cli(wasm: &Path, exe: &Path, sim: &Simulator) -> (Duration, String) {
    let dir = std::env::temp_dir().join(format!("bench-latency-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let config = dir.join("config.json");
    let body =
        json!({"api_token": sim.token(), "base_url": sim.base_url(), "start_date": "2023-01-01"});
    std::fs::write(&config, body.to_string()).unwrap();
    let started = Instant::now();
    let out = super::cli_read(exe, wasm, &config, &dir.join("data"));
    let wall = started.elapsed();
    let rss = super::peak_memory(&String::from_utf8_lossy(&out.stdout))
        .first()
        .map_or("?".to_owned(), |n| format!("{n} MiB"));
    let _ = std::fs::remove_dir_all(&dir);
    (wall, rss)
}
