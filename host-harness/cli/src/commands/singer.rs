//! `singer`: the same sync as `read`, as a Singer tap (see `connector_sinks::singer`): a catalog
//! with `--discover`, else `SCHEMA`, `RECORD` and `STATE` lines on stdout.

use super::{lane_runs, sync_into};
use crate::args::SingerArgs;
use crate::component_path::start_keeping_host;
use crate::exit;
use crate::profile::Prepared;
use crate::progress::Progress;
use crate::stdout::outln;
use connector_sinks::singer;
use host_harness::{StreamChoice, SyncEnd, SyncState};
use serde_json::Value;
use std::path::Path;

/// Runs `singer`; returns the exit code.
pub(crate) async fn run(component: Option<&Path>, args: SingerArgs) -> anyhow::Result<u8> {
    let prepared = Prepared::load(&args.config)?;
    let (host, mut run) = start_keeping_host(component, prepared.run_options()).await?;
    let descriptors = match run.discover(&prepared.guest_config).await {
        Ok(d) => d,
        Err(e) => {
            eprintln!("CRITICAL {e}");
            return Ok(exit::code(&e));
        }
    };
    if args.discover {
        outln!("{:#}", singer::catalog(&descriptors));
        return Ok(0);
    }
    let read_json = |path: &Path, what: &str| -> anyhow::Result<String> {
        Ok(crate::input::read_text(path, what)?)
    };
    let streams = match &args.catalog {
        Some(path) => {
            let text = read_json(path, "catalog")?;
            let parsed = serde_json::from_str::<Value>(&text)
                .map_err(|e| format!("not JSON: {e}"))
                .and_then(|c| singer::selected_streams(&c, &descriptors));
            match parsed {
                Ok(s) => s,
                Err(why) => {
                    eprintln!(
                        "CRITICAL the catalog {} cannot be used: {why}",
                        path.display()
                    );
                    return Ok(exit::CONFIG);
                }
            }
        }
        None => StreamChoice::every(&descriptors),
    };
    let mut state = match &args.state {
        Some(path) => match singer::parse_state(&read_json(path, "state file")?) {
            Ok(s) => s,
            Err(why) => {
                eprintln!(
                    "CRITICAL the state file {} is not a Singer state this tap wrote ({why}). \
                     Delete it (or the stream's bookmark) to start over with a full sync.",
                    path.display()
                );
                return Ok(exit::CONFIG);
            }
        },
        None => SyncState::new(),
    };
    if let Err(e) = super::read::reset_streams(&mut state, &args.reset, &descriptors) {
        eprintln!("CRITICAL {e}");
        return Ok(exit::CONFIG);
    }
    let stdout = std::io::stdout();
    let mut lines =
        singer::SingerLines::new(std::io::BufWriter::new(stdout.lock()), &descriptors, &state);
    let mut runs = lane_runs(
        &host,
        &prepared.run_options(),
        run,
        &streams,
        args.lanes.one_instance,
    )
    .await?;
    let mut progress = Progress::new(&streams, &state, runs[0].requests().clone());
    let end = sync_into(
        &mut runs,
        &prepared.guest_config,
        &streams,
        &mut state,
        vec![&mut lines, &mut progress],
    )
    .await?;
    progress.finish();
    lines.flush()?;
    Ok(match end {
        SyncEnd::Complete | SyncEnd::Interrupted => 0,
        SyncEnd::Failed { stream, error } => {
            eprintln!("CRITICAL stream {stream}: {error}");
            exit::code(&error)
        }
    })
}
