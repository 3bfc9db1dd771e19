//! Derived streams: the rows of the task's child tables, taken from the task records a page
//! already has (see [`crate::streams::task_children`]). No request of their own.
//!
//! [`read_page_and_children`] reads a `tasks` page as [`super::read_page`] does, then derives
//! each asked-for child stream's rows from its records. [`read_child`] serves `read-page` of a
//! child stream by itself: the `tasks` page, its records swapped for the child's.
//!
//! Tombstones: a read that starts from a saved `tasks` state is incremental. Its re-read tasks
//! say which custom fields they no longer have a value for, and the state says which rows of the
//! other body streams each task had ([`Keys`]): the rows gone come as tombstones stamped with the
//! call's time, and so do a deleted task's. A read from no state emits only rows with values.
//! Either way, the keys each task's rows have now go into the cursor, and into the state when
//! the read completes.
//!
//! A child stream added later: a state lists the child streams read with it
//! ([`StreamState::child_streams`]). A read from a state that does not list a wanted one
//! ([`backfills`]) reads every task page, as a sweep does, and emits every task with its rows,
//! so the new stream's table starts complete; it has no tombstones (nothing of it is downstream
//! yet). The streams the state already lists keep theirs.

use super::{read_call, time_in_status, Page};
use crate::child_keys::{ChildKeys, PendingKeys};
use crate::config::Config;
use crate::error::ConnectorError;
use crate::fetch::Fetcher;
use crate::fetch::Session;
use crate::scan::Bail;
use crate::state::StreamState;
use crate::streams::json_text;
use crate::streams::task_children::custom_field_values::OptionsMemo;
use crate::streams::task_children::scanned::Spans;
use crate::streams::task_children::{
    custom_field_values, list_rows, pruned, row, scanned, task_id, Child, Context,
};
use crate::timestamp::format_ms;
use crate::transport::Transport;
use serde_json::Value;
use std::collections::BTreeMap;

/// A page of a parent stream and its child streams' records, in the order asked.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct PageAndChildren {
    /// The parent's page, as `read-page` gives it.
    pub page: Page,
    /// Per child stream asked for: its name and its records as JSON text.
    pub children: Vec<(String, Vec<String>)>,
}

/// The `read-page-and-children` verb.
pub fn read_page_and_children<T: Transport>(
    transport: &mut T,
    session: &mut Session,
    config_json: &str,
    stream_name: &str,
    state: Option<&str>,
    cursor: Option<&str>,
    children: &[String],
) -> Result<PageAndChildren, ConnectorError> {
    let wanted = Child::parse_all(stream_name, children)?;
    let config = Config::parse(config_json)?;
    if wanted.contains(&Child::TimeInStatus) && !config.include_time_in_status {
        return Err(ConnectorError::UnknownStream(
            "task_time_in_status is offered only with \"include_time_in_status\": true in the \
             config (it costs a request per 100 tasks)."
                .to_owned(),
        ));
    }
    let tombstone_at = state.and(format_ms(transport.now_ms()));
    let mut call = read_call(
        transport,
        session,
        config_json,
        stream_name,
        state,
        cursor,
        &wanted,
    )?;
    // A child stream new to the state has nothing downstream yet: no tombstones for it.
    let stamps: Vec<Option<&str>> = wanted
        .iter()
        .map(|c| {
            tombstone_at
                .as_deref()
                .filter(|_| call.state.child_streams.contains(c.name()))
        })
        .collect();
    let mut rows: Vec<Vec<String>> = vec![Vec::new(); wanted.len()];
    let mut warnings = Vec::new();
    let mut tasks = Vec::new();
    if !wanted.is_empty() {
        let mut carried = Carried {
            keys: Keys {
                last: &call.state.children,
                read: &mut call.cursor.children,
            },
            options: OptionsMemo::default(),
        };
        for (i, record) in call.records.iter().enumerate() {
            let spans = call.spans.get(i).and_then(Option::as_ref);
            let derived = derive(
                record,
                spans,
                &wanted,
                &stamps,
                &mut carried,
                &mut rows,
                &mut warnings,
            )?;
            tasks.extend(derived);
        }
    }
    if let Some(next) = call.next_state.as_mut() {
        next.child_streams
            .extend(wanted.iter().map(|c| c.name().to_owned()));
        for (name, read) in &call.cursor.children {
            let merged = match call.state.children.get(name) {
                Some(last) => last.merged(read),
                None => ChildKeys::default().merged(read),
            };
            next.children.insert(name.clone(), merged);
        }
    }
    let mut page = call.into_page(session);
    if let Some(at) = wanted.iter().position(|c| *c == Child::TimeInStatus) {
        if !tasks.is_empty() {
            let mut f = Fetcher::new(transport, session, &config);
            rows[at] = time_in_status::read(&tasks, &mut f)?;
            page.stats.requests += f.stats.requests;
            page.stats.retries += f.stats.retries;
            page.stats.rate_limit_wait_ms += f.stats.rate_limit_wait_ms;
            warnings.extend(f.warnings);
        }
    }
    for w in warnings {
        if !page.warnings.contains(&w) {
            page.warnings.push(w);
        }
    }
    let children = wanted
        .iter()
        .map(|c| c.name().to_owned())
        .zip(rows)
        .collect();
    Ok(PageAndChildren { page, children })
}

/// What the rows of one task carry to the next on a page.
struct Carried<'k> {
    /// The keys of the rows of the streams that keep them.
    keys: Keys<'k>,
    /// The drop-down and labels options, parsed once for the page's tasks.
    options: OptionsMemo,
}

/// The keys of the child rows: those the last read left in the state, and those this read has
/// found (which go into the cursor, and into the state when the read completes).
struct Keys<'k> {
    last: &'k BTreeMap<String, ChildKeys>,
    read: &'k mut BTreeMap<String, PendingKeys>,
}

impl Keys<'_> {
    /// For a child whose keys are kept: appends a tombstone for each key the task had at the
    /// last read and has not `now` (in an incremental read), and records the keys it has now.
    fn follow(
        &mut self,
        child: Child,
        task_id: &str,
        now: &[String],
        ctx: &Context<'_>,
        rows: &mut Vec<String>,
    ) {
        let Some(field) = child.kept_key() else {
            return;
        };
        let last = self.last.get(child.name()).and_then(|k| k.keys_of(task_id));
        if let (Some(last), Some(at)) = (&last, ctx.tombstone_at) {
            for gone in last.iter().filter(|k| !now.contains(k)) {
                rows.push(json_text(&tombstone(task_id, ctx, field, gone, at)));
            }
        }
        if !now.is_empty() || last.is_some() {
            let read = self.read.entry(child.name().to_owned()).or_default();
            read.push(task_id, now);
        }
    }
}

/// The keys of `rows` (the member [`Child::kept_key`] names), in order.
fn kept_keys(child: Child, rows: &[Value]) -> Vec<String> {
    let Some(field) = child.kept_key() else {
        return Vec::new();
    };
    rows.iter()
        .filter_map(|r| r.get(field).and_then(Value::as_str).map(str::to_owned))
        .collect()
}

/// A child row found gone: its key, the task's Workspace and when.
fn tombstone(task_id: &str, ctx: &Context<'_>, field: &str, key: &str, at: &str) -> Value {
    let mut fields = serde_json::Map::new();
    fields.insert(field.to_owned(), Value::String(key.to_owned()));
    let mut row = row(task_id, ctx, fields);
    row["_ab_cdc_deleted_at"] = Value::String(at.to_owned());
    row
}

/// `read-page` of a child stream: its parent's page, with the child's rows as its records.
pub(super) fn read_child<T: Transport>(
    transport: &mut T,
    session: &mut Session,
    config_json: &str,
    child: Child,
    state: Option<&str>,
    cursor: Option<&str>,
) -> Result<Page, ConnectorError> {
    let names = [child.name().to_owned()];
    let both = read_page_and_children(
        transport,
        session,
        config_json,
        Child::PARENT,
        state,
        cursor,
        &names,
    )?;
    let mut page = both.page;
    page.records = both.children.into_iter().flat_map(|(_, r)| r).collect();
    Ok(page)
}

/// Whether a read of `tasks` from `state` for `children` must emit every task: a child stream
/// the state was never read with has only the rows of the tasks changed since it was added,
/// so its first sync reads every task page (a sweep for deletions, too), emits every task and
/// its rows, and the state then lists the stream ([`StreamState::child_streams`]).
pub(super) fn backfills(state: &StreamState, children: &[Child]) -> bool {
    !state.watermarks.is_empty()
        && children
            .iter()
            .any(|c| !state.child_streams.contains(c.name()))
}

/// A task record read back with [`pruned`]: the members the child rows read, as `Value`s.
fn pruned_task(record: &str) -> Result<Value, ConnectorError> {
    pruned::parse(record, &pruned::TASK).map_err(|e| {
        ConnectorError::Protocol(format!("a task record could not be read back ({e})"))
    })
}

/// Adds one task record's rows to each wanted child's list; returns the task's id and Workspace
/// (none for a tombstone: a deleted task has no rows).
fn derive(
    record: &str,
    spans: Option<&Spans>,
    wanted: &[Child],
    stamps: &[Option<&str>],
    carried: &mut Carried<'_>,
    rows: &mut [Vec<String>],
    warnings: &mut Vec<String>,
) -> Result<Option<(String, String)>, ConnectorError> {
    // Only the members the rows read: most of a record is its custom fields' type configs, and
    // the fields themselves are read from the record's text (`scanned`), not built as `Value`s:
    // where the one pass wrote them, or else found by the scanner. A record the scanner does not
    // take is read whole, as `pruned` reads it.
    let read = match spans {
        Some(spans) => scanned::from_spans(record, spans).or_else(|Bail| scanned::read(record)),
        None => scanned::read(record),
    };
    let (task, fields, lists) = match read {
        Ok(read) => (read.task, Some(read.fields), Some(read.lists)),
        Err(Bail) => (pruned_task(record)?, None, None),
    };
    let id = task_id(&task);
    // The task with its lists as `Value`s, for the rows `list_rows` does not take (made once).
    let mut whole = None;
    let workspace_id = task
        .get("workspace_id")
        .and_then(Value::as_str)
        .unwrap_or_default();
    let mut out = Vec::new();
    for ((child, rows), tombstone_at) in wanted.iter().zip(rows.iter_mut()).zip(stamps) {
        let ctx = Context {
            workspace_id,
            tombstone_at: *tombstone_at,
        };
        if *child == Child::CustomFieldValues {
            // The most rows, and no kept keys to follow: written straight to text.
            let scanned = fields.as_ref().map(|fields| {
                let options = &mut carried.options;
                custom_field_values::texts_of(&task, fields, &ctx, options, rows, warnings)
            });
            match scanned {
                Some(Ok(())) => {}
                None => custom_field_values::texts(&task, &ctx, rows, warnings),
                Some(Err(Bail)) => {
                    let whole = pruned_task(record)?;
                    custom_field_values::texts(&whole, &ctx, rows, warnings);
                }
            }
            continue;
        }
        let Some(task_id) = id.as_deref() else {
            continue;
        };
        let mut now = Vec::new();
        let before = rows.len();
        let written = lists
            .as_ref()
            .map(|lists| list_rows::write(*child, lists, task_id, &ctx, rows, &mut now));
        if written != Some(Ok(())) {
            rows.truncate(before);
            let task = match (&lists, &mut whole) {
                (None, _) => &task,
                (Some(_), Some(whole)) => &*whole,
                (Some(_), whole @ None) => whole.insert(pruned_task(record)?),
            };
            out.clear();
            child.rows(task, &ctx, &mut out, warnings);
            now = kept_keys(*child, &out);
            rows.extend(out.iter().map(json_text));
        }
        carried.keys.follow(*child, task_id, &now, &ctx, rows);
    }
    let deleted = task.get("_ab_cdc_deleted_at").is_some_and(|v| !v.is_null());
    let id = id.filter(|_| !deleted);
    Ok(id.map(|id| (id, workspace_id.to_owned())))
}
