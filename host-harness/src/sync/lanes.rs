//! Lanes: which run reads which streams, side by side, and how their ends make the sync's.

use super::stream::{self, Shared, StreamEnd};
use super::{StreamChoice, SyncEnd};
use crate::runtime::{CallError, Run};

/// The lanes of the ordinary streams of `streams`, in the order each first appears.
pub(super) fn of(streams: &[StreamChoice]) -> Vec<Option<&str>> {
    let mut lanes = Vec::new();
    for choice in streams.iter().filter(|c| c.parent.is_none()) {
        if !lanes.contains(&choice.lane.as_deref()) {
            lanes.push(choice.lane.as_deref());
        }
    }
    lanes
}

/// How one run's lanes ended.
enum LaneEnd {
    /// Every stream of the run completed (a refused saved state counts: the others went on).
    Complete {
        refused: Option<(String, CallError)>,
    },
    /// `stop_after_pages` was reached.
    Interrupted,
    /// Another run failed first.
    Stopped,
    /// A stream failed.
    Failed { stream: String, error: CallError },
}

/// Reads every lane, lane `i` on `runs[i % runs.len()]`, all at once; then the sync's end.
pub(super) async fn read(runs: &mut [Run], shared: &Shared<'_>) -> anyhow::Result<SyncEnd> {
    let lanes = of(shared.streams);
    let n = runs.len().max(1);
    let reads = runs.iter_mut().enumerate().map(|(i, run)| {
        let mine: Vec<&StreamChoice> = shared
            .streams
            .iter()
            .filter(|c| c.parent.is_none())
            .filter(|c| {
                lanes
                    .iter()
                    .position(|l| *l == c.lane.as_deref())
                    .is_some_and(|lane| lane % n == i)
            })
            .collect();
        read_run(run, mine, shared)
    });
    let ends = futures_util::future::join_all(reads).await;
    let mut refused_state = None;
    let mut interrupted = false;
    for end in ends {
        match end? {
            LaneEnd::Failed { stream, error } => return Ok(SyncEnd::Failed { stream, error }),
            LaneEnd::Complete { refused } => {
                refused_state = refused_state.or(refused);
            }
            LaneEnd::Interrupted => interrupted = true,
            LaneEnd::Stopped => {}
        }
    }
    Ok(match refused_state {
        _ if interrupted => SyncEnd::Interrupted,
        Some((stream, error)) => SyncEnd::Failed { stream, error },
        None => SyncEnd::Complete,
    })
}

/// One run's streams, one after another.
async fn read_run(
    run: &mut Run,
    streams: Vec<&StreamChoice>,
    shared: &Shared<'_>,
) -> anyhow::Result<LaneEnd> {
    let mut refused = None;
    for choice in streams {
        let end = stream::read(run, choice, shared).await.inspect_err(|_| {
            shared.stop.set(true);
        })?;
        match end {
            StreamEnd::Complete => {}
            StreamEnd::RefusedState(error) => {
                refused.get_or_insert((choice.name.clone(), error));
            }
            StreamEnd::Interrupted => return Ok(LaneEnd::Interrupted),
            StreamEnd::Stopped => return Ok(LaneEnd::Stopped),
            StreamEnd::Failed(error) => {
                shared.stop.set(true);
                return Ok(LaneEnd::Failed {
                    stream: choice.name.clone(),
                    error,
                });
            }
        }
    }
    Ok(LaneEnd::Complete { refused })
}
