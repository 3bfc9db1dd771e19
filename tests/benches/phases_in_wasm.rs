//! Section 2a: each phase of reading a task page timed inside wasm and natively, on the same
//! pages, with no host between the phase and its page.
//!
//! Why: section 2's ratio is the whole read-page call (the body through `wasi:http`, the records
//! lifted out, the cursor). This one is the code alone, with phases that are not ours beside it
//! (serde_json's own scan; `std`'s and `simdutf8`'s UTF-8 checks), to tell what the engine costs
//! from what our code does.
//!
//! The phases are `tests/fixtures/phases/src/kernels.rs`, compiled into this bench natively and
//! into the `phases-guest` command for wasm32-wasip2, built as the connector is (`+simd128`,
//! release). The command runs in wasmtime with the host's engine settings: the component model,
//! and epoch interruption, which `host-harness` always turns on (it is how a call is paused or
//! stopped); the deadline is set beyond the run, so that the checks cost what they cost and never
//! fire. It runs a second time in an engine without epoch checks (the table's last column), to
//! tell their cost from the rest of the compiled code's. The guest times itself with the
//! monotonic clock, around the phase's loop only, and prints what the phase counted, which must
//! be what the same phase counts natively.

use crate::kernels;
use bytes::Bytes;
use std::time::Instant;
use wasmtime::component::{Component, Linker, ResourceTable};
use wasmtime::{Config, Engine, Store};
use wasmtime_wasi::p2::bindings::sync::Command;
use wasmtime_wasi::p2::pipe::{MemoryInputPipe, MemoryOutputPipe};
use wasmtime_wasi::{WasiCtx, WasiCtxView, WasiView};
use wasmtime_wasi_http::{WasiHttpCtx, WasiHttpCtxView, WasiHttpView};

/// Turns each phase takes on each side. The machine's speed drifts from minute to minute: each
/// turn reads both sides one after the other (who goes first changes every turn), and the table
/// gives the median of the turns' ratios.
const TURNS: usize = 9;

/// Prints section 2a: each phase over `n_pages` pages of `pages` on each side, in turns; with
/// `call`, section 2's seconds a page of the whole read-page call inside wasm, to set the one
/// pass beside.
pub(crate) fn table(pages: &[Bytes], n_pages: usize, call: Option<f64>) {
    let wasm = clickup_tests::build_fixture("phases", "phases-guest").expect("build phases-guest");
    let guest = Guest::build(&wasm, true);
    let unchecked = Guest::build(&wasm, false);
    let framed = frame(pages);
    let per_turn = n_pages.div_ceil(TURNS);
    println!("### 2a. Each phase inside wasm and natively, with no host between\n");
    println!("The phases of section 2's native profile, each over the same pages inside wasm (the `phases-guest` command, in wasmtime with the host's epoch checks) and natively: {TURNS} turns of {per_turn} pages, both sides one after the other in each turn. Rates are of the whole run of each side; the ratio is the median turn's (and the lowest and highest).\n");
    println!("| phase | native MB/s | wasm MB/s | wasm tasks/s | wasm/native, median turn | lowest–highest | without epoch checks |");
    println!("|---|---:|---:|---:|---:|---:|---:|");
    let tasks_a_page = clickup_connector::streams::task_pages::one_pass(&pages[0], "1")
        .map_or(0, |p| p.tasks.len());
    let bytes = (pages[0].len() * per_turn * TURNS) as f64;
    let mut one_pass = None;
    for (name, kernel) in kernels::KERNELS {
        let (mut native_secs, mut wasm_secs, mut ratios) = (0.0, 0.0, Vec::new());
        let mut unchecked_ratios = Vec::new();
        for turn in 0..TURNS {
            let ((n, count), (w, wasm_count)) = if turn % 2 == 0 {
                let n = native(*kernel, pages, per_turn);
                (n, guest.run(name, &framed, per_turn))
            } else {
                let w = guest.run(name, &framed, per_turn);
                (native(*kernel, pages, per_turn), w)
            };
            // The same work on both sides: what the phase counted (records' bytes, tasks, a
            // scan's end) is the same number inside wasm as natively.
            assert_eq!(
                wasm_count, count,
                "phase {name} counted otherwise inside wasm"
            );
            let (u, unchecked_count) = unchecked.run(name, &framed, per_turn);
            assert_eq!(
                unchecked_count, count,
                "phase {name} counted otherwise inside wasm without epoch checks"
            );
            native_secs += n;
            wasm_secs += w;
            ratios.push(w / n);
            unchecked_ratios.push(u / n);
        }
        ratios.sort_by(f64::total_cmp);
        unchecked_ratios.sort_by(f64::total_cmp);
        if *name == "one_pass" {
            one_pass = Some(wasm_secs / (per_turn * TURNS) as f64);
        }
        println!(
            "| {name} | {:.0} | {:.0} | {:.0} | {:.2}× | {:.2}–{:.2}× | {:.2}× |",
            bytes / native_secs / 1e6,
            bytes / wasm_secs / 1e6,
            (per_turn * TURNS * tasks_a_page) as f64 / wasm_secs,
            ratios[ratios.len() / 2],
            ratios[0],
            ratios[ratios.len() - 1],
            unchecked_ratios[unchecked_ratios.len() / 2],
        );
    }
    println!();
    if let (Some(call), Some(one_pass)) = (call, one_pass) {
        println!("Section 2's read-page call inside wasm took {:.2} ms a page; the one pass alone inside wasm here {:.2} ms ({:.0}% of the call). The rest, {:.2} ms a page, is the host's side of the call (the body through `wasi:http`, the records lifted out as `string`s and checked as UTF-8) and the connector's read-page around the one pass.\n", call * 1e3, one_pass * 1e3, 100.0 * one_pass / call, (call - one_pass) * 1e3);
    }
}

/// Seconds the phase took natively over `n_pages`, and what it counted.
fn native(kernel: fn(&[u8]) -> usize, pages: &[Bytes], n_pages: usize) -> (f64, u64) {
    let started = Instant::now();
    let mut count = 0u64;
    for i in 0..n_pages {
        count += kernel(&pages[i % pages.len()]) as u64;
    }
    (started.elapsed().as_secs_f64(), std::hint::black_box(count))
}

/// The pages as the command reads them on stdin: each a little-endian `u32` length, then its
/// bytes.
fn frame(pages: &[Bytes]) -> Bytes {
    let mut out = Vec::new();
    for page in pages {
        out.extend_from_slice(&u32::try_from(page.len()).unwrap().to_le_bytes());
        out.extend_from_slice(page);
    }
    Bytes::from(out)
}

/// The compiled command, and the engine it runs in.
struct Guest {
    engine: Engine,
    component: Component,
    linker: Linker<State>,
}

impl Guest {
    /// The command at `wasm` compiled with the host's settings, or (`epochs` false) without epoch checks,
    /// to tell their cost from the rest of the compiled code's.
    fn build(wasm: &std::path::Path, epochs: bool) -> Guest {
        let mut config = Config::new();
        config.wasm_component_model(true);
        config.epoch_interruption(epochs);
        let engine = Engine::new(&config).unwrap();
        let component = Component::from_file(&engine, wasm).unwrap();
        let mut linker = Linker::new(&engine);
        wasmtime_wasi::p2::add_to_linker_sync(&mut linker).unwrap();
        // The connector's library brings its `wasi:http` imports along (unused by the phases).
        wasmtime_wasi_http::p2::add_only_http_to_linker_sync(&mut linker).unwrap();
        Guest {
            engine,
            component,
            linker,
        }
    }

    /// Seconds the command's phase `name` took over `n_pages`, as it timed itself, and what it
    /// counted.
    fn run(&self, name: &str, framed: &Bytes, n_pages: usize) -> (f64, u64) {
        let stdout = MemoryOutputPipe::new(4096);
        let ctx = WasiCtx::builder()
            .args(&["phases-guest", name, &n_pages.to_string()])
            .stdin(MemoryInputPipe::new(framed.clone()))
            .stdout(stdout.clone())
            .inherit_stderr()
            .build();
        let mut store = Store::new(
            &self.engine,
            State {
                ctx,
                http: WasiHttpCtx::new(),
                table: ResourceTable::new(),
            },
        );
        // Far beyond the run: the checks are made, and never stop it.
        store.set_epoch_deadline(1 << 40);
        let command = Command::instantiate(&mut store, &self.component, &self.linker).unwrap();
        let ran = command.wasi_cli_run().call_run(&mut store).unwrap();
        assert!(ran.is_ok(), "phases-guest {name} failed");
        let out = String::from_utf8(stdout.contents().to_vec()).unwrap();
        let (secs, count) = out.trim().split_once(' ').expect("seconds and a count");
        let count: u64 = count.parse().unwrap();
        assert_ne!(count, 0, "phase {name} read nothing");
        (secs.parse().unwrap(), count)
    }
}

struct State {
    ctx: WasiCtx,
    http: WasiHttpCtx,
    table: ResourceTable,
}

impl WasiView for State {
    fn ctx(&mut self) -> WasiCtxView<'_> {
        WasiCtxView {
            ctx: &mut self.ctx,
            table: &mut self.table,
        }
    }
}

impl WasiHttpView for State {
    fn http(&mut self) -> WasiHttpCtxView<'_> {
        WasiHttpCtxView {
            ctx: &mut self.http,
            table: &mut self.table,
            hooks: wasmtime_wasi_http::default_hooks(),
        }
    }
}
