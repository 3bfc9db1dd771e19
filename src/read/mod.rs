//! Reading a stream page by page: the walk from `GET /team` down to the records.
//!
//! [`read_page`] is the whole `read-page` verb. It validates the config, the state and the cursor,
//! then takes steps off the cursor (see [`crate::cursor`]) until it has sent one batch of
//! requests or has records to return, and hands back the records, the rest of the cursor, and,
//! when the stream is complete, its new state.
//!
//! ## One batch per call
//! When the fetcher's width is above 1 (see [`crate::concurrency`]), the first step that needs
//! the network sends its request together with those of the next steps on the cursor and the
//! pages ahead of task pages ([`Walk::send_ahead`]); the call then runs every step whose answer
//! came with the batch, or needs none (cached), in any order ([`Walk::take_ready`]), and ends.
//! Answers no step took (pages past a partition's end) are dropped with the call. At width 1
//! this is the serial read: one request per call.
//!
//! Which steps a stream needs:
//!
//! | stream | walk |
//! |---|---|
//! | workspaces, members | `/team` |
//! | spaces | `/team` → spaces (archived and not) |
//! | folders | … → folders of each space (archived and not) |
//! | lists | … → lists of each folder, and folderless lists of each space (archived and not) |
//! | tasks | `/team/{id}/task` pages (archived and not), plus `/list/{id}/task` pages of every list the team endpoint leaves out (archived, or in an archived folder or space); when sweeping for deletions, `/task/{id}` of each task gone missing |
//! | goals | `/team/{id}/goal`, then `/goal/{id}` for each goal's targets |
//! | time_entries | `/team/{id}/time_entries` per date window, for every member |
//! | custom_fields | the lists walk, and `/{team,space,folder,list}/{id}/field` at each node |
//!
//! Where each stream makes its requests (this file only dispatches the steps):
//! - `hierarchy.rs`: `GET /team` for every stream (workspaces and members are read there), and
//!   the spaces, folders and lists requests of spaces, folders, lists and tasks.
//! - `tasks.rs`: the task pages, `/team/{id}/task` and `/list/{id}/task`; `deletes.rs`: the
//!   sweep for deleted tasks.
//! - `goals.rs`: `/team/{id}/goal` and `/goal/{id}`.
//! - `time_entries.rs`: `/team/{id}/time_entries`, window by window; `deleted_entries.rs`: the
//!   entries of the last look-back that did not come back.
//! - `custom_fields.rs`: the fields of each node of the hierarchy.
//!
//! Hierarchy answers are cached in the instance's [`Session`], so a full sync of all streams asks
//! for each of them once.

mod children;
mod custom_fields;
mod deleted_entries;
mod deletes;
mod goals;
mod hierarchy;
mod tasks;
mod time_entries;
mod time_in_status;

#[cfg(test)]
mod tests;

use crate::config::Config;
use crate::cursor::{Cursor, Step};
use crate::error::ConnectorError;
use crate::fetch::{Fetched, Fetcher, Request, Session, Stats};
use crate::state::StreamState;
use crate::streams::task_children::scanned::Spans;
use crate::streams::task_children::Child;
use crate::streams::{id_of, workspaces, Stream};
use crate::transport::Transport;
use serde_json::Value;

pub use children::{read_page_and_children, PageAndChildren};

/// One page of a stream (mirrors the WIT `page`).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Page {
    /// Records, each a JSON object as text.
    pub records: Vec<String>,
    /// The stream's new state, when it changed (only when the stream completes).
    pub state: Option<String>,
    /// Where the next page starts; `None` when the stream is complete.
    pub cursor: Option<String>,
    /// Warnings for the user (skipped resources).
    pub warnings: Vec<String>,
    /// What this call did.
    pub stats: Stats,
}

/// The `read-page` verb. A child stream (`task_tags`, …) is read through its parent's pages
/// (see [`children`]).
pub fn read_page<T: Transport>(
    transport: &mut T,
    session: &mut Session,
    config_json: &str,
    stream_name: &str,
    state: Option<&str>,
    cursor: Option<&str>,
) -> Result<Page, ConnectorError> {
    if let Some(child) = Child::from_name(stream_name) {
        return children::read_child(transport, session, config_json, child, state, cursor);
    }
    let call = read_call(
        transport,
        session,
        config_json,
        stream_name,
        state,
        cursor,
        &[],
    )?;
    Ok(call.into_page(session))
}

/// One call's read of a stream, before its state and cursor are written as text (so that
/// `read-page-and-children` can add what the child streams keep).
struct Call {
    records: Vec<String>,
    /// Where, in each of the first records (the task pages'), its child rows' members are.
    spans: Vec<Option<Spans>>,
    /// The state the call was given (empty when none).
    state: StreamState,
    /// The stream's new state, when it completed (incremental streams only).
    next_state: Option<StreamState>,
    /// Where the read is now; `complete` when nothing is left.
    cursor: Cursor,
    complete: bool,
    warnings: Vec<String>,
    stats: Stats,
}

impl Call {
    /// The page, its cursor kept in `session` for the next call (see [`crate::cursor::Handed`]).
    fn into_page(self, session: &mut Session) -> Page {
        let cursor = (!self.complete).then(|| {
            let mut cursor = self.cursor;
            cursor.settle();
            let text = cursor.to_json();
            session.handed.keep(&text, cursor);
            text
        });
        Page {
            records: self.records,
            state: self.next_state.map(|s| s.to_json()),
            cursor,
            warnings: self.warnings,
            stats: self.stats,
        }
    }
}

/// `read-page` of a stream that is not derived, for the child streams `children` (none for
/// `read-page`).
fn read_call<T: Transport>(
    transport: &mut T,
    session: &mut Session,
    config_json: &str,
    stream_name: &str,
    state: Option<&str>,
    cursor: Option<&str>,
    children: &[Child],
) -> Result<Call, ConnectorError> {
    let config = Config::parse(config_json)?;
    let stream = Stream::from_name(stream_name)?;
    let state = if stream.is_incremental() {
        StreamState::parse(state, stream.name())?
    } else {
        StreamState::empty(stream.name())
    };
    let handed_back = cursor.and_then(|text| session.handed.take(stream.name(), text));
    let mut cursor = match (handed_back, cursor) {
        (Some(cursor), _) => cursor,
        (None, Some(text)) => Cursor::parse(text, stream.name())?,
        (None, None) => Cursor::start(stream.name(), transport.now_ms()),
    };
    let call = session.begin_call();
    let mut fetcher = Fetcher::new(transport, session, &config);
    let walk = Walk {
        stream,
        config: &config,
        state: &state,
        started_ms: cursor.started_ms,
        backfill: children::backfills(&state, children),
    };
    let mut records = Vec::new();
    let mut written = tasks::Written::default();
    loop {
        let step = match walk.take_ready(&mut cursor, &fetcher) {
            Some(step) => step,
            None => {
                // One call: one batch of requests (or one request, serially), and the steps
                // its answers lead to while their answers were sent ahead with it.
                let produced = !records.is_empty() || !written.texts.is_empty();
                if produced || fetcher.stats.requests > 0 {
                    break;
                }
                let Some(step) = cursor.stack.pop() else {
                    break;
                };
                walk.send_ahead(&step, &cursor, &mut fetcher);
                if call > 1 {
                    walk.start_after_batch(&step, &cursor, &mut fetcher);
                }
                step
            }
        };
        let out = Out {
            values: &mut records,
            written: &mut written,
        };
        walk.run(step, &mut cursor, &mut fetcher, out)?;
    }
    let complete = cursor.stack.is_empty();
    // Not on an instance's first call: a host that keeps its instance has shown it (see
    // `Session::begin_call`).
    if !complete && call > 1 {
        walk.start_ahead(&cursor, &mut fetcher);
    }
    let next_state = (complete && stream.is_incremental()).then(|| {
        let mut next = state.clone();
        for (ws, ms) in &cursor.next_watermarks {
            next.advance(ws, *ms);
        }
        match stream {
            Stream::Tasks => deletes::next_sweeps(&walk, &cursor, &mut next),
            _ => deleted_entries::next_recent(&walk, &cursor, &mut next),
        }
        next
    });
    // One step gives records of one kind, so at most one of the two is not empty.
    written
        .texts
        .extend(records.iter().map(crate::streams::json_text));
    let (warnings, stats) = (fetcher.warnings, fetcher.stats);
    Ok(Call {
        records: written.texts,
        spans: written.spans,
        state,
        next_state,
        cursor,
        complete,
        warnings,
        stats,
    })
}

/// The `check` verb: the config is valid and the token reads at least one wanted Workspace.
pub fn check<T: Transport>(
    transport: &mut T,
    session: &mut Session,
    config_json: &str,
) -> Result<(), ConnectorError> {
    let config = Config::parse(config_json)?;
    let mut fetcher = Fetcher::new(transport, session, &config);
    let body = match fetcher.get("/team", &[])? {
        Fetched::Body(body) => body,
        Fetched::Skipped => return Err(ConnectorError::Forbidden(fetcher.warnings.join(" "))),
    };
    let teams = workspaces::teams(&body);
    if teams.is_empty() {
        return Err(ConnectorError::Forbidden(
            "the token is valid but sees no Workspace. Use a token of a user who belongs to the \
             Workspace you want to sync."
                .to_owned(),
        ));
    }
    let wanted = teams
        .iter()
        .filter_map(id_of)
        .filter(|id| config.wants_workspace(id))
        .count();
    if wanted == 0 {
        return Err(ConnectorError::Config(format!(
            "workspace_ids lists none of the {} Workspace(s) this token sees.",
            teams.len()
        )));
    }
    Ok(())
}

/// How many steps past the fetcher's width [`Walk::send_ahead`] looks at, as a multiple of the
/// width: steps whose answers are cached take no request.
const SEND_AHEAD_LOOK: usize = 4;

/// Where a step puts its records: as `Value`s, or already written as JSON text (the task pages,
/// which write theirs in one pass from the page's bytes).
struct Out<'o> {
    values: &'o mut Vec<Value>,
    written: &'o mut tasks::Written,
}

/// What a stream's read needs to run its steps.
struct Walk<'a> {
    stream: Stream,
    config: &'a Config,
    state: &'a StreamState,
    /// When the read began (the cursor's), in ms.
    started_ms: i64,
    /// `tasks` read from a state for a child stream new to it: every task is emitted, as in a
    /// sweep that emits all it reads (see `read/children.rs`).
    backfill: bool,
}

impl Walk<'_> {
    /// The `archived` values to ask for: both, unless the config leaves archived items out.
    fn partitions(&self) -> &'static [bool] {
        if self.config.include_archived {
            &[false, true]
        } else {
            &[false]
        }
    }

    /// The GET a step makes; `None` when it makes none.
    fn request(&self, step: &Step) -> Option<Request> {
        hierarchy::request(step)
            .or_else(|| tasks::request(self, step))
            .or_else(|| goals::request(step))
            .or_else(|| time_entries::request(step))
            .or_else(|| custom_fields::request(step))
            .or_else(|| deletes::request(step))
    }

    /// Sends the requests of `step` and of the steps after it side by side, as many as the
    /// fetcher's width (see [`crate::concurrency`]): the steps' own first (the top of the
    /// cursor, which are needed in any case), then the pages after each task page
    /// ([`tasks::pages_after`]). Does nothing at width 1: the steps then go one at a time.
    fn send_ahead<T: Transport>(&self, step: &Step, cursor: &Cursor, f: &mut Fetcher<'_, T>) {
        let width = f.width() as usize;
        if width < 2 {
            return;
        }
        let mut requests = self.batch(step, &cursor.stack, width, f);
        // What the call before started for this one, wherever its step now is on the cursor
        // (steps that needed no request may have pushed others above it).
        for s in &cursor.stack {
            if let Some(r) = self.request(s).filter(|r| f.is_started(r)) {
                requests.push(r);
                let depth = tasks::depth_ahead(self, s, width as u32, f);
                requests.extend(tasks::pages_after(self, s, depth));
            }
        }
        f.prefetch(&requests, width);
    }

    /// The requests of a batch that starts at `step`, with `below` the cursor under it: the
    /// steps' own first (needed in any case; a list's fields step brings its ancestors'), then
    /// the pages ahead of task pages.
    fn batch<T: Transport>(
        &self,
        step: &Step,
        below: &[Step],
        width: usize,
        f: &Fetcher<'_, T>,
    ) -> Vec<Request> {
        let mut needed = Vec::new();
        let mut ahead = Vec::new();
        let upcoming = std::iter::once(step).chain(below.iter().rev());
        // Cached answers are left out by the fetcher: look a little further than `width`.
        for s in upcoming.take(SEND_AHEAD_LOOK * width) {
            needed.extend(custom_fields::ancestor_requests(s));
            needed.extend(self.request(s));
            let depth = tasks::depth_ahead(self, s, width as u32, f);
            ahead.extend(tasks::pages_after(self, s, depth));
        }
        needed.extend(ahead);
        needed
    }

    /// Starts, as soon as a batch's answers are in and before any is parsed, the task pages
    /// that come next ([`tasks::next_unanswered`], with the pages ahead of each, as
    /// [`Walk::batch`] chooses them): parsing a batch of the largest pages is most of a call,
    /// and these fly meanwhile. The call's end ([`Walk::start_ahead`]) adds what else the parsed
    /// answers lead to, up to the width in all; the next call takes both.
    fn start_after_batch<T: Transport>(
        &self,
        step: &Step,
        cursor: &Cursor,
        f: &mut Fetcher<'_, T>,
    ) {
        let width = f.width() as usize;
        if width < 2 {
            return;
        }
        let mut requests = Vec::new();
        for s in std::iter::once(step).chain(cursor.stack.iter().rev()) {
            let Some(next) = tasks::next_unanswered(self, s, f) else {
                continue;
            };
            requests.extend(self.request(&next));
            let depth = tasks::depth_ahead(self, &next, width as u32, f);
            requests.extend(tasks::pages_after(self, &next, depth));
        }
        f.start_ahead(&requests, width);
    }

    /// Starts the next call's batch (what [`Walk::send_ahead`] will ask for from this cursor)
    /// before this call returns, so that it is in flight while the host stores this call's
    /// records and starts the next call. A transport that cannot keep requests open between
    /// calls starts nothing.
    fn start_ahead<T: Transport>(&self, cursor: &Cursor, f: &mut Fetcher<'_, T>) {
        let width = f.width() as usize;
        let Some(top) = cursor.stack.last() else {
            return;
        };
        if width < 2 {
            return;
        }
        let below = &cursor.stack[..cursor.stack.len() - 1];
        let requests = self.batch(top, below, width, f);
        f.start_ahead(&requests, width);
    }

    /// Takes off the cursor a step that needs no request now (nearest the top first): its
    /// answer came with the batch, or is cached (a hierarchy walk another stream made), or it
    /// lies under a denied resource. Running those first expands the walk down to the steps
    /// that do need the network, so that one batch holds them all.
    fn take_ready<T: Transport>(&self, cursor: &mut Cursor, f: &Fetcher<'_, T>) -> Option<Step> {
        let at = cursor
            .stack
            .iter()
            .rposition(|s| self.request(s).is_some_and(|r| f.answers_now(&r)))?;
        Some(cursor.stack.remove(at))
    }

    /// Runs one step: its request, its records into `out`, and the steps it leads to onto the
    /// cursor.
    fn run<T: Transport>(
        &self,
        step: Step,
        cursor: &mut Cursor,
        f: &mut Fetcher<'_, T>,
        out: Out<'_>,
    ) -> Result<(), ConnectorError> {
        let Out {
            values: out,
            written,
        } = out;
        match step {
            Step::Teams => hierarchy::teams(self, cursor, f, out),
            Step::Spaces { ws, archived } => hierarchy::spaces(self, &ws, archived, cursor, f, out),
            Step::Folders { .. } | Step::FolderLists { .. } | Step::FolderlessLists { .. } => {
                hierarchy::children(self, &step, cursor, f, out)
            }
            Step::TeamTasks { .. } | Step::ListTasks { .. } => {
                tasks::page(self, step, cursor, f, written)
            }
            Step::Goals { ws } => goals::workspace_goals(&ws, cursor, f),
            Step::Goal { ws, goal, listed } => goals::goal(&ws, &goal, listed, f, out),
            Step::TimeEntries { .. } => time_entries::entries(self, step, cursor, f, out),
            Step::Fields { .. } => custom_fields::fields(&step, f, out),
            Step::SweepEnd { ws } => {
                deletes::sweep_end(self, &ws, cursor);
                Ok(())
            }
            Step::TaskGone { ws, id } => deletes::task_gone(&ws, &id, cursor, f, out),
            Step::EntriesEnd { ws } => {
                let from = time_entries::start(self, &ws);
                deleted_entries::entries_end(self, &ws, from, cursor, out);
                Ok(())
            }
        }
    }
}
