//! 5. A full sync at real-world latency, against its floor, at each plan's limit.
//!
//! Each cell runs the release CLI (`read --output`, in its own process, so its peak RSS is its
//! own) against the reference Workspace served with `latency` per answer and `limit` requests
//! a minute. The floor is `max(requests × 60 / limit, chain × latency)`, where `chain` is the
//! longest run of requests that each need the one before: `/team` → spaces → folders → lists →
//! a list's task page (5; task pages of a partition whose size is known need no page before
//! them). The CPU column is the CLI process's own (user + system), from `getrusage`: with the
//! wall time and the latency it says whether a cell is bound by the budget, the latency or the
//! processor. Each cell warms the simulator's task pages with one sync first, and times the
//! second (see the note the table prints).

use clickup_sim::{LatencyConfig, RateLimitConfig, SimConfig, Simulator, Size};
use serde_json::json;
use std::path::Path;
use std::time::{Duration, Instant};

/// The cells: requests a minute (100: Free to Business; 1,000: Business Plus; 10,000:
/// Enterprise) × ms per answer, and the config's `max_concurrency` (`None`: the default, 32).
/// The one cell with a cap shows what the default cap costs where Little's law wants more.
const CELLS: [(u32, u64, Option<u32>); 7] = [
    (10_000, 300, None),
    (10_000, 1_000, None),
    (10_000, 1_000, Some(64)),
    (1_000, 300, None),
    (1_000, 1_000, None),
    (100, 300, None),
    (100, 1_000, None),
];

/// Section 5. `quick`: the small workspace, the first four cells; `fast`: the cells at 1,000 and
/// 10,000 requests a minute alone (those at 100 take nine minutes, and sit at their floor).
pub(crate) fn table(wasm: &Path, exe: &Path, quick: bool, fast: bool, bound: Option<u64>) {
    println!("## 5. Full sync at real latency, against its floor\n");
    let size = if quick {
        Size::small()
    } else {
        Size::reference()
    };
    let cells: &[(u32, u64, Option<u32>)] = match (quick, fast) {
        (true, _) => &CELLS[..4],
        (false, true) => &CELLS[..5],
        (false, false) => &CELLS,
    };
    println!("{} workspace, full `read --output` of every stream by the release CLI, each answer delayed by the latency (±10% jitter). Floor: `max(requests × 60 / limit, chain × latency)`, chain = {CHAIN}.{}\n",
        if quick { "Small" } else { "Reference" },
        bound.map_or(String::new(), |b| format!(" Requests lower bound: {b} (section 1's, and custom_fields' one request per hierarchy node). The CLI reads goals and time entries on instances of their own beside the rest (lanes), for one `GET /team` each.")));
    println!("| limit/min | latency | wall | floor | wall/floor | requests | /bound | peak in flight | 429s | peak RSS | CPU | sim CPU | kept pages |");
    println!("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
    for &(limit, latency_ms, cap) in cells {
        let rate_limit = RateLimitConfig {
            limit,
            window: Duration::from_secs(60),
        };
        let sim = Simulator::start(SimConfig {
            seed: 1,
            size: size.clone(),
            rate_limit: RateLimitConfig::unlimited(),
            keep_task_pages: true,
            ..SimConfig::default()
        })
        .unwrap();
        // The warm-up: one sync without a limit or latency makes every task page once (see the
        // note below the table); then the cell's limit in a fresh window, its latency, and
        // counts from zero.
        run_cli(wasm, exe, &sim, cap);
        sim.set_rate_limit(rate_limit);
        sim.set_latency(LatencyConfig::ms(latency_ms * 9 / 10, latency_ms / 5));
        sim.reset_counts();
        let cpu_before = (children_cpu(), own_cpu());
        let (wall, rss) = run_cli(wasm, exe, &sim, cap);
        let cpu = children_cpu() - cpu_before.0;
        let sim_cpu = own_cpu() - cpu_before.1;
        let counts = sim.request_counts();
        let floor = (counts.total as f64 * 60.0 / f64::from(limit))
            .max(CHAIN as f64 * latency_ms as f64 / 1000.0);
        println!(
            "| {limit} | {latency_ms} ms{} | {:.1} s | {floor:.1} s | {:.2} | {} | {} | {} | {} | {rss} | {cpu:.1} s | {sim_cpu:.1} s | {} of {} |",
            cap.map_or(String::new(), |c| format!(", max_concurrency {c}")),
            wall.as_secs_f64(),
            wall.as_secs_f64() / floor,
            counts.total,
            bound.map_or("–".into(), |b| format!("{:.3}", counts.total as f64 / b as f64)),
            counts.peak_in_flight,
            counts.status_429,
            counts.kept_pages_sent,
            counts.endpoint("GET /list/{id}/task") + counts.endpoint("GET /team/{id}/task"),
        );
    }
    println!("\nThe simulator shares the two cores with the CLI it serves, and making a 100-task page costs it tens of ms of CPU that ClickUp spends on its own machines. So each cell first runs one sync without a limit or latency that makes every task page (`SimConfig::keep_task_pages`), then times a second sync that gets the pages as they were made: every request is still counted, limited and delayed. *sim CPU* is what the simulator still spent during the timed sync; *kept pages* counts the task pages sent as kept, of all task pages.");
    println!();
}

/// The longest chain of dependent requests (see the module docs).
const CHAIN: u64 = 5;

/// CPU seconds (user + system) of the children this process waited for, so far.
fn children_cpu() -> f64 {
    cpu_of(libc::RUSAGE_CHILDREN)
}

/// CPU seconds (user + system) of this process so far: the simulator's, while the CLI runs.
fn own_cpu() -> f64 {
    cpu_of(libc::RUSAGE_SELF)
}

fn cpu_of(who: libc::c_int) -> f64 {
    // SAFETY: getrusage writes one `rusage` into the zeroed value it is given.
    let usage = unsafe {
        let mut usage: libc::rusage = std::mem::zeroed();
        libc::getrusage(who, &mut usage);
        usage
    };
    let secs = |t: libc::timeval| t.tv_sec as f64 + t.tv_usec as f64 / 1e6;
    secs(usage.ru_utime) + secs(usage.ru_stime)
}

/// Runs `read --output` on the simulator, with `max_concurrency` set to `cap` if given; its wall
/// time and the peak RSS it reports.
fn run_cli(wasm: &Path, exe: &Path, sim: &Simulator, cap: Option<u32>) -> (Duration, String) {
    let dir = std::env::temp_dir().join(format!("bench-latency-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let config = dir.join("config.json");
    let mut body =
        json!({"api_token": sim.token(), "base_url": sim.base_url(), "start_date": "2023-01-01"});
    if let Some(cap) = cap {
        body["max_concurrency"] = json!(cap);
    }
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
