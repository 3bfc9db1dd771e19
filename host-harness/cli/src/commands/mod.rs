//! One module per command; what several commands share is here.
//!
//! | command | module |
//! |---|---|
//! | `spec`, `check`, `discover` | [`protocol`] |
//! | `read` | [`read`] |
//! | `singer` | [`singer`] |
//! | `run-many` | [`run_many`] |
//! | `simulate` | [`simulate`] |
//! | `demo` | [`demo`] |

pub(crate) mod demo;
pub(crate) mod protocol;
pub(crate) mod read;
pub(crate) mod run_many;
pub(crate) mod simulate;
pub(crate) mod singer;

use crate::progress::Progress;
use crate::stdout::outln;
use connector_sinks::tee::Tee;
use host_harness::{
    lane_count, sync_side_by_side, ConnectorHost, Observer, Run, RunOptions, StreamChoice, SyncEnd,
    SyncOptions, SyncState,
};
use std::collections::BTreeMap;
use std::sync::Arc;

/// A sync with the default options on `runs` (one per lane: see [`lane_runs`]), its messages to
/// each of `outputs` in turn.
pub(crate) async fn sync_into(
    runs: &mut [Run],
    config: &str,
    streams: &[StreamChoice],
    state: &mut SyncState,
    outputs: Vec<&mut dyn Observer>,
) -> anyhow::Result<SyncEnd> {
    let mut tee = Tee(outputs);
    sync_side_by_side(
        runs,
        config,
        streams,
        state,
        &SyncOptions::default(),
        &mut tee,
    )
    .await
}

/// The runs a sync of `streams` reads on: `first`, then (unless `one_instance`) one more
/// instance of `host` per further lane of `streams`, with `options` (the same policy, so the
/// same token limiter) and counting requests with `first`.
pub(crate) async fn lane_runs(
    host: &Arc<ConnectorHost>,
    options: &RunOptions,
    first: Run,
    streams: &[StreamChoice],
    one_instance: bool,
) -> anyhow::Result<Vec<Run>> {
    let wanted = if one_instance {
        1
    } else {
        lane_count(streams).max(1)
    };
    let options = RunOptions {
        requests: Some(first.requests().clone()),
        ..options.clone()
    };
    let mut runs = vec![first];
    while runs.len() < wanted {
        runs.push(Run::new(host, options.clone()).await?);
    }
    Ok(runs)
}

/// The table printed after a sync into files or a database: records written, requests, waits.
pub(crate) fn print_summary(
    progress: &Progress,
    written: &BTreeMap<String, u64>,
) -> anyhow::Result<()> {
    // As wide as the longest stream name (`task_custom_field_values`), so the columns line up.
    let width = progress
        .totals
        .keys()
        .map(String::len)
        .max()
        .unwrap_or(0)
        .max(14);
    outln!(
        "{:<width$} {:>9} {:>9} {:>16}",
        "stream",
        "records",
        "requests",
        "rate-limit wait"
    );
    for (stream, (_records, requests, waited)) in &progress.totals {
        let n = written.get(stream).copied().unwrap_or(0);
        outln!(
            "{stream:<width$} {n:>9} {requests:>9} {:>14.1} s",
            *waited as f64 / 1000.0
        );
    }
    Ok(())
}
