//! The data of a run's `Store`: the state both the host (which links the component against it) and
//! each run (which creates one) need. Kept apart so that neither imports the other.
//!
//! A [`RunState`] holds WASI with no files, no environment and no arguments, the `wasi:http` hooks
//! of [`crate::egress`], the memory cap and the CPU-tick counters of [`super::limits::Limits`].

use super::limits::{Limits, EPOCH_TICK};
use crate::egress::{Egress, EgressPolicy, RequestCounter};
use std::sync::Arc;
use wasmtime::component::ResourceTable;
use wasmtime::{ResourceLimiter, Store, UpdateDeadline};
use wasmtime_wasi::{WasiCtx, WasiCtxView, WasiView};
use wasmtime_wasi_http::{WasiHttpCtx, WasiHttpCtxView, WasiHttpView};

/// The data of a run's `Store`.
pub struct RunState {
    wasi: WasiCtx,
    http: WasiHttpCtx,
    table: ResourceTable,
    egress: Egress,
    pub(super) memory: MemoryCap,
    /// Ticks of the current call (reset by each call).
    pub(super) cpu_ticks: u64,
    /// Ticks of the whole run.
    pub(super) cpu_ticks_total: u64,
    cpu_ticks_max: u64,
    /// Whether the CPU cap stopped the connector.
    pub(super) cpu_hit: bool,
}

impl WasiView for RunState {
    fn ctx(&mut self) -> WasiCtxView<'_> {
        WasiCtxView {
            ctx: &mut self.wasi,
            table: &mut self.table,
        }
    }
}

impl WasiHttpView for RunState {
    fn http(&mut self) -> WasiHttpCtxView<'_> {
        WasiHttpCtxView {
            ctx: &mut self.http,
            table: &mut self.table,
            hooks: &mut self.egress,
        }
    }
}

/// Caps linear memory, and remembers the peak and whether the cap was hit.
pub(super) struct MemoryCap {
    pub(super) limit: usize,
    pub(super) peak: usize,
    pub(super) hit: bool,
}

impl ResourceLimiter for MemoryCap {
    fn memory_growing(
        &mut self,
        _current: usize,
        desired: usize,
        _maximum: Option<usize>,
    ) -> wasmtime::Result<bool> {
        if desired > self.limit {
            self.hit = true;
            wasmtime::bail!("memory limit of {} bytes reached", self.limit);
        }
        self.peak = self.peak.max(desired);
        Ok(true)
    }

    fn table_growing(
        &mut self,
        _current: usize,
        desired: usize,
        _maximum: Option<usize>,
    ) -> wasmtime::Result<bool> {
        Ok(desired <= 1_000_000)
    }
}

/// A fresh store for one run: its own WASI, hooks enforcing `egress`, and the caps of `limits`
/// (the memory limiter, and an epoch callback that counts CPU ticks, stops the call past its CPU
/// cap and otherwise yields at every tick so that many runs on one thread share it fairly).
pub(super) fn new_store(
    engine: &wasmtime::Engine,
    limits: &Limits,
    egress: EgressPolicy,
    counter: Arc<RequestCounter>,
) -> Store<RunState> {
    let state = RunState {
        wasi: WasiCtx::builder().build(),
        http: WasiHttpCtx::new(),
        table: ResourceTable::new(),
        egress: Egress::new(egress, counter),
        memory: MemoryCap {
            limit: limits.memory_bytes,
            peak: 0,
            hit: false,
        },
        cpu_ticks: 0,
        cpu_ticks_total: 0,
        cpu_ticks_max: (limits.cpu_ms_per_call / EPOCH_TICK.as_millis() as u64).max(1),
        cpu_hit: false,
    };
    let mut store = Store::new(engine, state);
    store.limiter(|s| &mut s.memory);
    store.set_epoch_deadline(1);
    store.epoch_deadline_callback(|mut ctx| {
        let data = ctx.data_mut();
        data.cpu_ticks += 1;
        data.cpu_ticks_total += 1;
        if data.cpu_ticks > data.cpu_ticks_max {
            data.cpu_hit = true;
            wasmtime::bail!("CPU limit reached");
        }
        Ok(UpdateDeadline::Yield(1))
    });
    store
}
