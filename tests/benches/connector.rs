//! The connector's benchmarks, in one run (`cargo bench --bench connector`; add `-- quick` for a
//! smaller run). Prints a Markdown report: requests against the lower bound, throughput of the
//! task parser inside wasm and natively, cold start and density of the host, and the memory of a
//! full sync as the workspace grows.

use bytes::Bytes;
use clickup_connector::fetch::Session;
use clickup_connector::transport::{HttpResponse, Transport, TransportError};
use clickup_sim::{RateLimitConfig, SimConfig, Simulator, Size, World};
use host_harness::egress::EgressPolicy;
use host_harness::sync::{self, Checkpoint, Observer, StreamChoice, SyncOptions, SyncState};
use host_harness::{Allocation, ConnectorHost, LoadOptions};
use host_harness::{Run, RunOptions};
use serde_json::{json, Value};
use std::sync::Arc;
use std::time::{Duration, Instant};

mod against;
#[path = "../fixtures/phases/src/kernels.rs"]
mod kernels;
mod latency;
mod phases_in_wasm;

/// The eight streams the request tables have always measured (`custom_fields`, the ninth, has a
/// row of its own in section 1b: its cost is a request per node of the hierarchy).
const ALL: &[&str] = clickup_connector::streams::Stream::NAMES.split_at(8).0;

fn main() {
    let quick = std::env::args().any(|a| a == "quick");
    // `-- throughput`: section 2 alone (for work on the record path).
    let only_throughput = std::env::args().any(|a| a == "throughput");
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let wasm = clickup_tests::build_component().expect("build the component");
    println!("# Benchmarks\n");
    println!(
        "Machine: {} cores, {}; `cargo bench --bench connector`{}.\n",
        num_cpus(),
        mem_total(),
        if quick { " -- quick" } else { "" }
    );
    // `-- phases`: section 2a alone (each phase inside wasm and natively, no host between).
    if std::env::args().any(|a| a == "phases") {
        let (pages, _) = bench_pages();
        phases_in_wasm::table(&pages, if quick { 100 } else { 600 }, None);
        return;
    }
    if only_throughput {
        throughput_and_phases(&rt, &wasm, quick);
        return;
    }
    // `-- against OLD.wasm [children]`: this build's component and another, in turns (section 2b
    // alone; with the task body's child streams).
    if let Some(old) = std::env::args().skip_while(|a| a != "against").nth(1) {
        let with_children = std::env::args().any(|a| a == "children");
        rt.block_on(against::table(
            &wasm,
            std::path::Path::new(&old),
            with_children,
        ));
        return;
    }
    // `-- latency`: sections 1 (for the lower bound) and 5 alone (for work on concurrency);
    // `-- latency fast`: without section 5's cells at 100 requests a minute.
    let only_latency = std::env::args().any(|a| a == "latency");
    let bound = rt.block_on(requests(&wasm, quick));
    // `-- requests`: section 1 alone (the request tables).
    if std::env::args().any(|a| a == "requests") {
        return;
    }
    let exe = release_cli();
    if !only_latency {
        throughput_and_phases(&rt, &wasm, quick);
        rt.block_on(cold_start(&wasm, quick));
        memory(&wasm, &exe, quick);
    }
    let fast = std::env::args().any(|a| a == "fast");
    latency::table(&wasm, &exe, quick, fast, Some(bound));
}

/// The release CLI (a no-op build when up to date), in the workspace's target folder.
fn release_cli() -> std::path::PathBuf {
    let exe = clickup_tests::target_dir().join("release/clickup-connector");
    let status =
        std::process::Command::new(std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into()))
            .current_dir(clickup_tests::project_root())
            .args(["build", "--release", "-p", "clickup-cli"])
            .status()
            .unwrap();
    assert!(status.success(), "cannot build the release CLI");
    exe
}

// ---------------------------------------------------------------------------------------------
// 1. Requests

struct Count(u64);
impl Observer for Count {
    fn records(&mut self, _s: &str, r: &[String]) -> anyhow::Result<()> {
        self.0 += r.len() as u64;
        Ok(())
    }
    fn checkpoint(&mut self, _s: &str, _c: &Checkpoint) -> anyhow::Result<()> {
        Ok(())
    }
}

fn choices(names: &[&str]) -> Vec<StreamChoice> {
    names
        .iter()
        .map(|n| {
            let child = clickup_connector::streams::task_children::Child::from_name(n);
            StreamChoice {
                name: (*n).into(),
                incremental: matches!(*n, "tasks" | "time_entries") || child.is_some(),
                parent: child.map(|_| "tasks".to_owned()),
                lane: clickup_connector::streams::Stream::from_name(n)
                    .ok()
                    .and_then(|s| s.lane())
                    .map(str::to_owned),
            }
        })
        .collect()
}

async fn sync_once(
    host: &Arc<ConnectorHost>,
    sim: &Simulator,
    state: &mut SyncState,
    config: &str,
) -> (u64, u64, Duration) {
    sync_streams(host, sim, state, config, ALL).await
}

/// A sync of `names` on a new instance: records, requests, wall time.
async fn sync_streams(
    host: &Arc<ConnectorHost>,
    sim: &Simulator,
    state: &mut SyncState,
    config: &str,
    names: &[&str],
) -> (u64, u64, Duration) {
    sim.reset_counts();
    let started = Instant::now();
    let mut run = Run::new(
        host,
        RunOptions {
            egress: EgressPolicy::for_base_url(&sim.base_url()).unwrap(),
            ..Default::default()
        },
    )
    .await
    .unwrap();
    let mut count = Count(0);
    let end = sync::sync(
        &mut run,
        config,
        &choices(names),
        state,
        &SyncOptions::default(),
        &mut count,
    )
    .await
    .unwrap();
    assert!(matches!(end, sync::SyncEnd::Complete), "{end:?}");
    (count.0, sim.request_counts().total, started.elapsed())
}

/// Section 1; returns the full sync's lower bound of requests.
async fn requests(wasm: &std::path::Path, quick: bool) -> u64 {
    let size = if quick {
        Size::small()
    } else {
        Size::reference()
    };
    let sim = Simulator::start(SimConfig {
        seed: 1,
        size,
        rate_limit: RateLimitConfig::unlimited(),
        ..SimConfig::default()
    })
    .unwrap();
    let host = ConnectorHost::load(wasm, &LoadOptions::default()).unwrap();
    let config =
        json!({"api_token": sim.token(), "base_url": sim.base_url(), "start_date": "2023-01-01"})
            .to_string();
    let world = sim.world();
    let mut state = SyncState::new();
    let (r1, q1, t1) = sync_once(&host, &sim, &mut state, &config).await;
    // The lower bound: hierarchy calls + task pages + time-entry windows. Hierarchy (and goal)
    // calls are the ones this sync made: one per parent and archived partition, each once
    // thanks to the instance cache. Task pages: ⌈tasks/100⌉ of each partition the API makes a
    // client read apart, at least one each: a Workspace's live and archived tasks, and those of
    // each list the team endpoint leaves out. Time-entry windows: the fewest any windowing can
    // do when an answer holds at most DENSE_WINDOW entries (the endpoint has no paging), at
    // least one per Workspace; the empty years before a Workspace's first entry count nothing.
    let counts = sim.request_counts();
    let calls = |pat: &str| {
        counts
            .by_endpoint
            .iter()
            .filter(|(k, _)| k.contains(pat))
            .map(|(_, v)| *v)
            .sum::<u64>()
    };
    let task_calls = calls("/task");
    let windows_made = calls("/time_entries");
    let hierarchy = q1 - task_calls - windows_made;
    let n_ws = world.workspaces.len() as u64;
    let dense = clickup_connector::streams::time_entries::DENSE_WINDOW as u64;
    let window_bound: u64 = world
        .workspaces
        .iter()
        .map(|ws| (ws.time_entries.len() as u64).div_ceil(dense).max(1))
        .sum();
    let bound = hierarchy + partition_pages(&world) + window_bound;
    let per_list_pages: u64 = world
        .workspaces
        .iter()
        .flat_map(|ws| {
            ws.lists
                .iter()
                .map(move |l| ws.tasks.iter().filter(|t| t.list.id == l.id).count() as u64)
        })
        .map(|n| n.div_ceil(100).max(1))
        .sum();
    let per_list = hierarchy + per_list_pages + windows_made;
    let (r2, q2, _) = sync_once(&host, &sim, &mut state, &config).await;
    let changed = world.task_count() / 100;
    sim.mutate(|w| w.update_tasks(changed));
    let (r3, q3, _) = sync_once(&host, &sim, &mut state, &config).await;
    // Hierarchy and goals again (full-refresh streams), one page per task partition (two per
    // Workspace, two per archived list), one look-back window per Workspace.
    let archived_lists: u64 = world
        .workspaces
        .iter()
        .map(|ws| ws.lists.iter().filter(|l| !ws.list_is_live(l)).count() as u64)
        .sum();
    let incremental_bound = hierarchy + 2 * n_ws + 2 * archived_lists + n_ws;
    println!("## 1. Requests\n");
    println!("Reference workspace: {} workspaces, {} lists, {} tasks, {} time entries since 2023-01-01 (windows from 90 days, adapting).\n",
        world.workspaces.len(), world.workspaces.iter().map(|w| w.lists.len()).sum::<usize>(), world.task_count(), world.time_entry_count());
    println!("| sync | records | requests | lower bound | ratio | per-list strategy | minutes at 100 req/min |");
    println!("|---|---:|---:|---:|---:|---:|---:|");
    println!(
        "| full | {r1} | {q1} | {bound} | {:.3} | {per_list} | {:.1} |",
        q1 as f64 / bound as f64,
        q1 as f64 / 100.0
    );
    println!(
        "| incremental, no change | {r2} | {q2} | {incremental_bound} | {:.3} | – | {:.1} |",
        q2 as f64 / incremental_bound as f64,
        q2 as f64 / 100.0
    );
    println!(
        "| incremental, {changed} tasks (1%) changed | {r3} | {q3} | {} | {:.3} | – | {:.1} |",
        incremental_bound + (changed as u64).div_ceil(100),
        q3 as f64 / (incremental_bound + (changed as u64).div_ceil(100)) as f64,
        q3 as f64 / 100.0
    );
    println!(
        "\nFull sync wall time against the in-memory simulator, unthrottled: {:.1} s. Time-entry windows made: {windows_made} (bound {window_bound}).\n",
        t1.as_secs_f64()
    );
    let nodes = warehouse_costs(&host, &sim, &config, &mut state, &world).await;
    // Section 5 reads every stream: custom_fields adds one request per hierarchy node.
    bound + nodes
}

/// Section 1b: what the warehouse streams cost in requests, beside what they could cost.
/// Returns the hierarchy's nodes (custom_fields' fewest requests: one `/field` per node).
async fn warehouse_costs(
    host: &Arc<ConnectorHost>,
    sim: &Simulator,
    config: &str,
    state: &mut SyncState,
    world: &World,
) -> u64 {
    use clickup_connector::streams::task_children::Child;
    // The six whose rows are in the task bodies (time in status has its own row below).
    let children: Vec<&str> = std::iter::once("tasks")
        .chain(
            Child::ALL
                .iter()
                .filter(|c| **c != Child::TimeInStatus)
                .map(|c| c.name()),
        )
        .collect();
    let (_, tasks_alone, _) =
        sync_streams(host, sim, &mut SyncState::new(), config, &["tasks"]).await;
    let mut children_state = SyncState::new();
    let (rows, with_children, _) =
        sync_streams(host, sim, &mut children_state, config, &children).await;
    let state_size = state_size(&children_state, world);
    let (definitions, fields_requests, _) =
        sync_streams(host, sim, &mut SyncState::new(), config, &["custom_fields"]).await;
    let field_calls: u64 = sim
        .request_counts()
        .by_endpoint
        .iter()
        .filter(|(k, _)| k.ends_with("/field"))
        .map(|(_, v)| *v)
        .sum();
    let nodes: u64 = world
        .workspaces
        .iter()
        .map(|ws| (1 + ws.spaces.len() + ws.folders.len() + ws.lists.len()) as u64)
        .sum();
    let lists: u64 = world
        .workspaces
        .iter()
        .map(|ws| ws.lists.len() as u64)
        .sum();
    // A sweep for deletions: an incremental sync of tasks that is due (interval 0), after three
    // tasks were deleted.
    let mut sweep_config: serde_json::Value = serde_json::from_str(config).unwrap();
    sweep_config["deletes_sweep_interval_hours"] = json!(0);
    let sweep_config = sweep_config.to_string();
    let (_, incremental, _) = sync_streams(host, sim, &mut state.clone(), config, &["tasks"]).await;
    sim.mutate(|w| {
        let ids: Vec<String> = w.workspaces[0]
            .tasks
            .iter()
            .filter(|t| !t.is_subtask())
            .take(3)
            .map(|t| t.id.clone())
            .collect();
        ids.iter().for_each(|id| drop(w.delete_task(id)));
    });
    let (tombstones, sweep, _) = sync_streams(host, sim, state, &sweep_config, &["tasks"]).await;
    let mut tis_config: serde_json::Value = serde_json::from_str(config).unwrap();
    tis_config["include_time_in_status"] = json!(true);
    let (tis_rows, tis_requests, _) = sync_streams(
        host,
        sim,
        &mut SyncState::new(),
        &tis_config.to_string(),
        &["tasks", "task_time_in_status"],
    )
    .await;
    println!("Warehouse streams (same world; each sync on a new instance):\n");
    println!("| what | requests | records | against |");
    println!("|---|---:|---:|---|");
    println!("| tasks and its six child streams | {with_children} | {rows} | tasks alone: {tasks_alone} (the child rows come from the same pages) |");
    println!("| custom_fields (field endpoints at every node) | {fields_requests} ({field_calls} of them /field) | {definitions} | the hierarchy's {nodes} nodes; the lists' endpoints alone: {} (no `defined_at` for space and folder fields); task bodies: 0 (misses fields no task has, and where each is defined) |", lists + 1);
    println!("| a sweep for deletions (incremental tasks, due; 3 tasks deleted) | {sweep} | {tombstones} (the changes and the tombstones) | the incremental sync that is not due: {incremental} |");
    println!("| tasks and task_time_in_status (opt-in) | {tis_requests} | {tis_rows} | tasks alone: {tasks_alone} (one request per 100 tasks of a Workspace in a page) |\n");
    println!("{state_size}\n");
    nodes
}

/// The size of the `tasks` state a full sync with the child streams leaves, in all and per
/// part, with each scaled to 100,000 tasks.
fn state_size(state: &SyncState, world: &World) -> String {
    let tasks = world.task_count().max(1) as f64;
    let per_100k = |bytes: usize| bytes as f64 * 100_000.0 / tasks / 1e6;
    let Some(saved) = state.get("tasks").and_then(|c| c.state.as_ref()) else {
        return "The tasks state: none was saved.".to_owned();
    };
    let whole = saved.to_string().len();
    let part = |name: &str| saved.get(name).map_or(0, |v| v.to_string().len());
    let (sweeps, children) = (part("sweeps"), part("children"));
    format!(
        "The tasks state after that sync: {whole} bytes for {tasks} tasks, {:.2} MB per 100,000 \
         tasks (the sweep ids {:.2} MB, the child streams' keys {:.2} MB).",
        per_100k(whole),
        per_100k(sweeps),
        per_100k(children)
    )
}

/// The task pages a full sync cannot do without: ⌈n/100⌉ (at least 1) for each partition the
/// API keeps apart (see `requests`).
fn partition_pages(world: &World) -> u64 {
    let pages = |n: usize| (n as u64).div_ceil(100).max(1);
    world
        .workspaces
        .iter()
        .map(|ws| {
            let live_list = |t: &clickup_sim::Task| {
                ws.lists
                    .iter()
                    .any(|l| l.id == t.list.id && ws.list_is_live(l))
            };
            let team = |archived: bool| {
                pages(
                    ws.tasks
                        .iter()
                        .filter(|t| t.archived == archived && live_list(t))
                        .count(),
                )
            };
            let apart: u64 = ws
                .lists
                .iter()
                .filter(|l| !ws.list_is_live(l))
                .map(|l| {
                    let of = |archived: bool| {
                        pages(
                            ws.tasks
                                .iter()
                                .filter(|t| t.list.id == l.id && t.archived == archived)
                                .count(),
                        )
                    };
                    of(false) + of(true)
                })
                .sum();
            team(false) + team(true) + apart
        })
        .sum()
}

// ---------------------------------------------------------------------------------------------
// 2. Throughput: task pages in, records out; HTTP served in-process.

/// Distinct pages of 100 tasks (ids differ per page so the repeated-page guard stays quiet).
fn task_pages(world: &World, n: usize) -> Vec<Bytes> {
    let tasks: Vec<Value> = world.workspaces[0]
        .tasks
        .iter()
        .take(100)
        .map(|t| t.to_api_json())
        .collect();
    (0..n)
        .map(|p| {
            let page: Vec<Value> = tasks
                .iter()
                .enumerate()
                .map(|(i, t)| {
                    let mut t = t.clone();
                    t["id"] = json!(format!("p{p}t{i}"));
                    t
                })
                .collect();
            Bytes::from(json!({"tasks": page, "last_page": false}).to_string())
        })
        .collect()
}

fn page_of(uri: &str) -> usize {
    uri.split(['?', '&'])
        .find_map(|kv| kv.strip_prefix("page="))
        .and_then(|p| p.parse().ok())
        .unwrap_or(0)
}

struct NativeTransport {
    pages: Arc<Vec<Bytes>>,
    team: Bytes,
}

impl Transport for NativeTransport {
    fn get(&mut self, url: &str, _token: Option<&str>) -> Result<HttpResponse, TransportError> {
        let body = if url.contains("/task") {
            self.pages[page_of(url) % self.pages.len()].to_vec()
        } else {
            self.team.to_vec()
        };
        Ok(HttpResponse {
            status: 200,
            body,
            ..Default::default()
        })
    }
    fn now_ms(&self) -> i64 {
        1_700_000_000_000
    }
    fn sleep_ms(&mut self, _ms: u64) {}
    fn random(&mut self) -> u64 {
        4
    }
}

/// The throughput section's answers: 50 task pages of the tiny world's first Workspace (ids
/// made unique per page), and the `/team` answer.
fn bench_pages() -> (Arc<Vec<Bytes>>, Bytes) {
    let world = Simulator::start(SimConfig {
        seed: 3,
        size: Size::tiny(),
        ..SimConfig::default()
    })
    .unwrap()
    .world();
    let pages = Arc::new(task_pages(&world, 50));
    let team = Bytes::from(json!({"teams": [{"id": "1", "members": []}]}).to_string());
    (pages, team)
}

/// Sections 2 and 2a: section 2a's phases run in wasmtime's synchronous API, outside the
/// runtime that section 2's host is driven by.
fn throughput_and_phases(rt: &tokio::runtime::Runtime, wasm: &std::path::Path, quick: bool) {
    let read = rt.block_on(throughput(wasm, quick));
    phases_in_wasm::table(&read.pages, read.n_pages, Some(read.call_secs_a_page));
}

/// What section 2 read, for section 2a.
struct ThroughputRead {
    pages: Arc<Vec<Bytes>>,
    n_pages: usize,
    /// Seconds a page of the read-page call inside wasm.
    call_secs_a_page: f64,
}

async fn throughput(wasm: &std::path::Path, quick: bool) -> ThroughputRead {
    let (pages, team) = bench_pages();
    let n_pages: usize = if quick { 100 } else { 600 };
    let config = bench_config();

    // Inside wasm, and natively on the same core and the same pages: in turns of SEGMENT pages,
    // each turn read both ways one after the other (who goes first changes every turn), so that
    // both see the same machine (its speed drifts by a third from minute to minute).
    let host = ConnectorHost::load(wasm, &LoadOptions::default()).unwrap();
    let (mut run, mut cursor) = page_reader(&host, &pages, &team, &config).await;
    let mut native = NativeReader::new(&pages, &team, &config);
    let (mut wasm_turns, mut native_turns) = (Vec::new(), Vec::new());
    for turn in 0..n_pages.div_ceil(SEGMENT) {
        let pages_now = SEGMENT.min(n_pages - turn * SEGMENT);
        for side in [turn % 2, 1 - turn % 2] {
            let started = Instant::now();
            let mut records = 0usize;
            for _ in 0..pages_now {
                records += if side == 0 {
                    let page = run
                        .read_page(&config, "tasks", None, cursor.as_deref())
                        .await
                        .unwrap();
                    cursor = page.cursor;
                    page.records.len()
                } else {
                    native.page()
                };
            }
            let turn = Turn {
                records,
                secs: started.elapsed().as_secs_f64(),
            };
            if side == 0 {
                wasm_turns.push(turn);
            } else {
                native_turns.push(turn);
            }
        }
    }
    let with_children = with_children(&mut run, &config, n_pages).await;
    let total = |turns: &[Turn]| {
        let records: usize = turns.iter().map(|t| t.records).sum();
        let secs: f64 = turns.iter().map(|t| t.secs).sum();
        (records, secs, records as f64 / secs)
    };
    let (records, wasm_secs, wasm_rate) = total(&wasm_turns);
    let (native_records, native_secs, native_rate) = total(&native_turns);
    let mut ratios: Vec<f64> = wasm_turns
        .iter()
        .zip(&native_turns)
        .map(|(w, n)| n.rate() / w.rate())
        .collect();
    ratios.sort_by(f64::total_cmp);
    println!("## 2. Throughput (tasks: JSON page in, records out; HTTP served in-process)\n");
    println!("| where | pages | records | records/s (1 core) | page size |");
    println!("|---|---:|---:|---:|---:|");
    println!("| inside wasm (component, host in-process responder) | {n_pages} | {records} | {wasm_rate:.0} | {} KiB |", pages[0].len() / 1024);
    println!(
        "| native (same core, same pages) | {n_pages} | {native_records} | {native_rate:.0} | |"
    );
    println!(
        "\nwasm/native time ratio: {:.2}× over the whole read; the median of the turns' ratios {:.2}× (from {:.2}× to {:.2}×)\n",
        native_rate / wasm_rate,
        ratios.get(ratios.len() / 2).copied().unwrap_or(f64::NAN),
        ratios.first().copied().unwrap_or(f64::NAN),
        ratios.last().copied().unwrap_or(f64::NAN),
    );
    println!("Records/s by turn of {SEGMENT} pages, each read inside wasm and natively one after the other (a rate that falls as the read goes on is a cost that grows with it):\n");
    println!("| pages | wasm | native | native / wasm | wasm, with the six child streams |");
    println!("|---|---:|---:|---:|---:|");
    let rows = wasm_turns.iter().zip(&native_turns);
    for (i, ((w, n), c)) in rows.zip(&with_children.rates).enumerate() {
        println!(
            "| {}–{} | {:.0} | {:.0} | {:.2}× | {c:.0} |",
            i * SEGMENT + 1,
            (i + 1) * SEGMENT,
            w.rate(),
            n.rate(),
            n.rate() / w.rate()
        );
    }
    println!("\nWith the six child streams (read after the turns, inside wasm), the rate counts task records only (their rows come on top), and the cursor at the end is {} KiB.\n", with_children.cursor_bytes / 1024);
    phases(&pages, n_pages, native_secs);
    ThroughputRead {
        pages,
        n_pages,
        call_secs_a_page: wasm_secs / n_pages as f64,
    }
}

/// One turn's reading: records, and seconds.
struct Turn {
    records: usize,
    secs: f64,
}

impl Turn {
    fn rate(&self) -> f64 {
        self.records as f64 / self.secs
    }
}

/// The connector read natively: `read_page` over [`NativeTransport`], walked to its first task
/// page.
struct NativeReader {
    transport: NativeTransport,
    session: Session,
    config: String,
    cursor: Option<String>,
}

impl NativeReader {
    fn new(pages: &Arc<Vec<Bytes>>, team: &Bytes, config: &str) -> NativeReader {
        let mut reader = NativeReader {
            transport: NativeTransport {
                pages: pages.clone(),
                team: team.clone(),
            },
            session: Session::default(),
            config: config.to_owned(),
            cursor: None,
        };
        // Warm up: the walk to the first task page.
        for _ in 0..2 {
            reader.page();
        }
        reader
    }

    /// Reads the next page; gives its records' count.
    fn page(&mut self) -> usize {
        let page = clickup_connector::read::read_page(
            &mut self.transport,
            &mut self.session,
            &self.config,
            "tasks",
            None,
            self.cursor.as_deref(),
        )
        .unwrap();
        self.cursor = page.cursor;
        page.records.len()
    }
}

/// A run of the component whose HTTP answers are `pages` (task pages, by their `page=`) and
/// `team`, walked to its first task page; and the cursor there.
async fn page_reader(
    host: &ConnectorHost,
    pages: &Arc<Vec<Bytes>>,
    team: &Bytes,
    config: &str,
) -> (Run, Option<String>) {
    let (p, t) = (pages.clone(), team.clone());
    let mut policy = EgressPolicy::for_base_url("http://bench.invalid/api/v2").unwrap();
    policy.responder = Some(Arc::new(move |uri: &http::Uri| {
        let u = uri.to_string();
        if u.contains("/task") {
            (200, p[page_of(&u) % p.len()].clone())
        } else if u.ends_with("/team") {
            (200, t.clone())
        } else {
            (200, Bytes::from_static(b"{\"spaces\":[]}"))
        }
    }));
    let mut run = Run::new(
        host,
        RunOptions {
            egress: policy,
            ..Default::default()
        },
    )
    .await
    .unwrap();
    let mut cursor: Option<String> = None;
    // Warm up: the walk to the first task page.
    for _ in 0..2 {
        let page = run
            .read_page(config, "tasks", None, cursor.as_deref())
            .await
            .unwrap();
        cursor = page.cursor;
    }
    (run, cursor)
}

/// A read of `tasks` inside wasm, `config` set for the bench.
fn bench_config() -> String {
    json!({"api_token": "pk_1_BENCH", "base_url": "http://bench.invalid/api/v2", "include_archived": false}).to_string()
}

/// The task body's child streams (all but `task_time_in_status`, which asks for pages of its
/// own): what sections 2 and 2b read with the task pages.
fn body_children() -> Vec<String> {
    use clickup_connector::streams::task_children::Child;
    Child::ALL
        .iter()
        .filter(|c| **c != Child::TimeInStatus)
        .map(|c| c.name().to_owned())
        .collect()
}

/// A read of `tasks` with the six child streams whose rows are in the task bodies, on a fresh
/// cursor of `run` (`read-page-and-children`): its rates by run of [`SEGMENT`] pages, and the
/// size of its cursor at the end (which carries the keys of every task's child rows).
async fn with_children(run: &mut Run, config: &str, n_pages: usize) -> Segments {
    let children = body_children();
    let mut cursor: Option<String> = None;
    let mut records = 0;
    let mut segments = Segments::new(Instant::now());
    for n in 1..=n_pages + 2 {
        let read = run
            .read_page_and_children(config, "tasks", None, cursor.as_deref(), &children)
            .await
            .unwrap();
        cursor = read.page.cursor;
        // The first two calls walk to the first task page (a warm-up, as above).
        if n == 2 {
            segments = Segments::new(Instant::now());
        } else if n > 2 {
            records += read.page.records.len();
            segments.lap(n - 2, records);
        }
    }
    segments.cursor_bytes = cursor.map_or(0, |c| c.len());
    segments
}

/// The pages in one row of the throughput-by-run table.
const SEGMENT: usize = 100;

/// Records/s over each run of [`SEGMENT`] pages of a read.
struct Segments {
    since: Instant,
    records: usize,
    rates: Vec<f64>,
    /// The cursor's size at the end, in bytes (0 where it is not measured).
    cursor_bytes: usize,
}

impl Segments {
    fn new(started: Instant) -> Segments {
        Segments {
            since: started,
            records: 0,
            rates: Vec::new(),
            cursor_bytes: 0,
        }
    }

    /// After page `n` (from 1), `records` in all so far.
    fn lap(&mut self, n: usize, records: usize) {
        if n.is_multiple_of(SEGMENT) {
            let secs = self.since.elapsed().as_secs_f64();
            self.rates.push((records - self.records) as f64 / secs);
            self.since = Instant::now();
            self.records = records;
        }
    }
}

/// Where the native time goes, phase by phase, on the same pages (`total`: the whole loop's
/// seconds). The record path is one pass per page (`task_pages::one_pass`); the rows below it take
/// it apart: the scanner alone (UTF-8, extents, repeated keys), then writing the records.
fn phases(pages: &[Bytes], n_pages: usize, total: f64) {
    use clickup_connector::streams::task_pages;
    // The phases are section 2a's (`kernels`), timed here natively over the whole run.
    let time = |name: &str| {
        let (_, kernel) = kernels::KERNELS.iter().find(|(n, _)| *n == name).unwrap();
        let started = Instant::now();
        let mut n = 0;
        for i in 0..n_pages {
            n += kernel(&pages[i % pages.len()]);
        }
        std::hint::black_box(n);
        started.elapsed().as_secs_f64()
    };
    let utf8 = time("utf8");
    let scan = time("scan");
    let pass = time("one_pass");
    let serde_scan = time("serde_scan");
    let tree = time("tree");
    let every_field = time("every_field");
    let page = task_pages::one_pass(&pages[0], "1").unwrap();
    let fields: usize = page
        .tasks
        .iter()
        .map(|t| t.spans.as_ref().map_or(0, |s| s.fields.len()))
        .sum();
    let taken_up = task_pages::taken_up(&pages[0], "1").unwrap();
    let answer: serde_json::Value = serde_json::from_slice(&pages[0]).unwrap();
    let members: usize = answer["tasks"].as_array().map_or(0, |tasks| {
        tasks
            .iter()
            .filter_map(|t| t.as_object())
            .map(|t| t.len())
            .sum()
    });
    let share = |x: f64| 100.0 * x / total;
    let mb = |secs: f64| (pages[0].len() * n_pages) as f64 / secs / 1e6;
    println!(
        "Native time by phase, for {n_pages} pages (the share of the whole read-page loop):\n"
    );
    println!("| phase | seconds | share | page MB/s |");
    println!("|---|---:|---:|---:|");
    println!(
        "| the one pass: page bytes to record bytes (`task_pages::one_pass`) | {pass:.2} | {:.0}% | {:.0} |",
        share(pass),
        mb(pass)
    );
    println!(
        "| … of which, about, checking a page's worth of bytes as UTF-8 (each record is checked once as it becomes a `String`; the page is not checked whole) | {utf8:.2} | {:.0}% | {:.0} |",
        share(utf8),
        mb(utf8)
    );
    println!("| the rest of read-page (cursor, state, paging, fetch, copies of the body) | {:.2} | {:.0}% | |", (total - pass).max(0.0), share((total - pass).max(0.0)));
    println!(
        "\nThe one pass takes {} of a page's {fields} custom fields up from an earlier task (their definitions compared and copied, not read), and {} of its tasks' {members} members (the people, statuses, tags, sharing and parents the tasks repeat). For comparison, on the same pages: the one pass reading every field and member in full {every_field:.2} s ({:.1}× the one pass); the scanner alone over the whole page (extents, clean or not, repeated keys, UTF-8) {scan:.2} s, {:.0} MB/s; the tree path (`task_pages::reference`: a `serde_json::Value` per page, records built and serialised) {tree:.2} s, {:.0} MB/s, {:.1}× the one pass; serde_json's own scan without building anything (`IgnoredAny`, which checks neither numbers nor UTF-8) {serde_scan:.2} s, {:.0} MB/s.\n",
        taken_up.fields,
        taken_up.members,
        every_field / pass,
        mb(scan),
        mb(tree),
        tree / pass,
        mb(serde_scan)
    );
}

// ---------------------------------------------------------------------------------------------
// 3. Cold start and density

async fn cold_start(wasm: &std::path::Path, quick: bool) {
    let cache = std::env::temp_dir().join(format!("bench-cache-{}", std::process::id()));
    let started = Instant::now();
    let compiled = ConnectorHost::load(
        wasm,
        &LoadOptions {
            cache_dir: Some(cache.clone()),
            ..Default::default()
        },
    )
    .unwrap();
    let compile = started.elapsed();
    assert!(!compiled.loaded_from_cache);
    drop(compiled);
    let started = Instant::now();
    let loaded = ConnectorHost::load(
        wasm,
        &LoadOptions {
            cache_dir: Some(cache.clone()),
            ..Default::default()
        },
    )
    .unwrap();
    let load = started.elapsed();
    assert!(loaded.loaded_from_cache);
    let n = if quick { 200 } else { 5000 };
    let instantiate = |host: Arc<ConnectorHost>| async move {
        let mut runs = Vec::with_capacity(n);
        let rss0 = host_harness::process_memory::rss_bytes();
        let started = Instant::now();
        for _ in 0..n {
            runs.push(Run::new(&host, RunOptions::default()).await.unwrap());
        }
        let per = started.elapsed() / n as u32;
        let rss1 = host_harness::process_memory::rss_bytes();
        (per, (rss1.saturating_sub(rss0)) / n as u64, runs)
    };
    let (on_demand, idle_bytes, runs) = instantiate(loaded.clone()).await;
    drop(runs);
    let pooled = ConnectorHost::load(
        wasm,
        &LoadOptions {
            cache_dir: Some(cache.clone()),
            allocation: Allocation::Pooling {
                max_instances: n as u32 + 8,
            },
            ..Default::default()
        },
    )
    .unwrap();
    let pooling_ok = pooled.allocation != Allocation::OnDemand;
    let (pooling, _, runs) = instantiate(pooled).await;
    drop(runs);
    // A working tenant: one that has read a page of tasks.
    let world = Simulator::start(SimConfig {
        seed: 3,
        size: Size::tiny(),
        ..SimConfig::default()
    })
    .unwrap()
    .world();
    let page = task_pages(&world, 1).remove(0);
    let mut policy = EgressPolicy::for_base_url("http://bench.invalid/api/v2").unwrap();
    let team = Bytes::from(json!({"teams": [{"id": "1", "members": []}]}).to_string());
    policy.responder = Some(Arc::new(move |uri: &http::Uri| {
        if uri.path().ends_with("/team") {
            (200, team.clone())
        } else {
            (200, page.clone())
        }
    }));
    let config = json!({"api_token": "pk_1_BENCH", "base_url": "http://bench.invalid/api/v2", "include_archived": false}).to_string();
    let mut run = Run::new(
        &loaded,
        RunOptions {
            egress: policy,
            ..Default::default()
        },
    )
    .await
    .unwrap();
    let mut cursor = None;
    for _ in 0..2 {
        // The walk's first step, then one page of 100 tasks.
        cursor = run
            .read_page(&config, "tasks", None, cursor.as_deref())
            .await
            .unwrap()
            .cursor;
    }
    let working = run.peak_memory_bytes();
    let budget = 24u64 << 30;
    println!("## 3. Cold start and density\n");
    println!("| measure | value |");
    println!("|---|---:|");
    println!(
        "| compile the component (cranelift, no cache) | {:.0} ms |",
        compile.as_secs_f64() * 1000.0
    );
    println!(
        "| load the precompiled component from the disk cache | {:.2} ms |",
        load.as_secs_f64() * 1000.0
    );
    println!(
        "| instantiate, on-demand allocator (mean of {n}) | {:.1} µs |",
        on_demand.as_secs_f64() * 1e6
    );
    println!(
        "| instantiate, pooling allocator (mean of {n}){} | {:.1} µs |",
        if pooling_ok {
            ""
        } else {
            " (fell back to on-demand)"
        },
        pooling.as_secs_f64() * 1e6
    );
    println!(
        "| host RSS per idle instance | {:.0} KiB |",
        idle_bytes as f64 / 1024.0
    );
    println!(
        "| connector linear memory after reading task pages (a working tenant) | {:.1} MiB |",
        working as f64 / (1 << 20) as f64
    );
    println!("| idle instances held at once in this run (each instantiated, none running) | {n} |");
    println!(
        "| working tenants 24 GiB would hold (linear memory alone) | {:.0} |",
        budget as f64 / working.max(1) as f64
    );
    println!();
    let _ = std::fs::remove_dir_all(&cache);
}

// ---------------------------------------------------------------------------------------------
// 4. Memory flatness: the CLI syncing workspaces of growing size, each in its own process.

fn memory(wasm: &std::path::Path, exe: &std::path::Path, quick: bool) {
    println!("## 4. Memory of a full sync as the workspace grows\n");
    println!("| tasks | records | host peak RSS | connector linear memory |");
    println!("|---:|---:|---:|---:|");
    let sizes: &[usize] = if quick {
        &[2_000, 10_000]
    } else {
        &[10_000, 30_000, 100_000]
    };
    for &tasks in sizes {
        let sim = Simulator::start(SimConfig {
            seed: 5,
            size: Size::with_tasks(tasks),
            rate_limit: RateLimitConfig::unlimited(),
            ..SimConfig::default()
        })
        .unwrap();
        let dir = std::env::temp_dir().join(format!("bench-mem-{tasks}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        let config = dir.join("config.json");
        std::fs::write(&config, json!({"api_token": sim.token(), "base_url": sim.base_url(), "start_date": "2023-01-01"}).to_string()).unwrap();
        let out = cli_read(exe, wasm, &config, &dir.join("data"));
        let text = String::from_utf8_lossy(&out.stdout);
        let records: u64 = text
            .lines()
            .filter_map(|l| l.split_whitespace().nth(1)?.parse::<u64>().ok())
            .sum();
        let nums = peak_memory(&text);
        println!(
            "| {} | {records} | {} MiB | {} MiB |",
            sim.world().task_count(),
            nums.first().map_or("?", String::as_str),
            nums.get(1).map_or("?", String::as_str)
        );
        let _ = std::fs::remove_dir_all(&dir);
    }
    println!();
}

/// `read --config CONFIG --output DATA --component WASM` by the CLI at `exe`; insists on success.
fn cli_read(
    exe: &std::path::Path,
    wasm: &std::path::Path,
    config: &std::path::Path,
    data: &std::path::Path,
) -> std::process::Output {
    let out = std::process::Command::new(exe)
        .args(["read", "--config"])
        .arg(config)
        .arg("--output")
        .arg(data)
        .arg("--component")
        .arg(wasm)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    out
}

/// The figures (MiB) of the CLI's "peak memory" line: host RSS, connector linear memory.
fn peak_memory(stdout: &str) -> Vec<String> {
    let line = stdout
        .lines()
        .find(|l| l.starts_with("peak memory"))
        .unwrap_or("peak memory: ?");
    line.split_whitespace()
        .filter(|w| w.parse::<f64>().is_ok())
        .map(str::to_owned)
        .collect()
}

fn num_cpus() -> usize {
    std::thread::available_parallelism().map_or(1, |n| n.get())
}

fn mem_total() -> String {
    std::fs::read_to_string("/proc/meminfo")
        .ok()
        .and_then(|s| {
            s.lines()
                .next()
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|kb| kb.parse::<u64>().ok())
        })
        .map_or("? memory".into(), |kb| {
            format!("{:.0} GiB", kb as f64 / (1u64 << 20) as f64)
        })
}
