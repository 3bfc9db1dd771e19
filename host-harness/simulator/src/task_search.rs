//! Filtering, ordering and paging tasks, shared by both task endpoints.
//!
//! Semantics (GUESSES marked):
//! - 100 tasks per page, `page` from 0; `last_page` is true when no task follows
//!   this page (so exactly 100 results give `last_page: true` on page 0, and page
//!   1 is empty with `last_page: true`).
//! - Closed tasks (status type `closed`) are excluded unless `include_closed=true`
//!   — tasks in a `done`-type status are not closed and always included (GUESS) —
//!   and a `statuses[]` filter, when given, alone decides which statuses match,
//!   closed ones included (GUESS, from the legacy doc's "don't send a status
//!   filter to include closed tasks").
//! - Subtasks are excluded unless `subtasks=true` (or `parent=` asks for them).
//! - `archived=true` returns only individually archived tasks; absent or false
//!   only non-archived ones (GUESS).
//! - `order_by`: `created` (default), `updated`, `id`, `due_date`; descending by
//!   default and ascending with `reverse=true` (GUESS); ties break on task id in
//!   the same direction; tasks without a due date sort last in both directions.
//! - `date_updated_gt` keeps `date_updated >= value` (as reported live); every
//!   other `_gt` is strict and every `_lt` is strict; a task without the date
//!   (due or done) never matches a bound on it.
//! - `statuses` and `tags` compare case-insensitively; `assignees` match any.
//! - Team endpoint only: `space_ids`, `project_ids` (folder ids; the hidden
//!   placeholder id of a space selects its folderless lists) and `list_ids`
//!   (home list only, GUESS); `parent` selects the children of a task.
//! - `custom_fields`, `custom_items`, `watchers` and other unknown parameters are
//!   accepted and ignored.

use super::api_error::ApiError;
use super::query::Query;
use super::tasks::Task;
use serde_json::{json, Value};
use std::cmp::Ordering;
use std::ops::Range;

/// Tasks per page on both task endpoints: at most 100, as ClickUp serves them.
pub const PAGE_SIZE: usize = 100;

#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) enum OrderBy {
    Created,
    Updated,
    Id,
    DueDate,
}

#[derive(Clone, Copy, Debug, PartialEq)]
enum DateField {
    Created,
    Updated,
    Due,
    Done,
}

#[derive(Clone, Copy, Debug, PartialEq)]
struct Bound {
    field: DateField,
    greater: bool,
    value: i64,
}

#[derive(Clone, Debug)]
pub(crate) struct TaskFilter {
    pub page: usize,
    pub order_by: OrderBy,
    pub reverse: bool,
    pub subtasks: bool,
    pub include_closed: bool,
    pub archived: bool,
    pub include_timl: bool,
    pub markdown: bool,
    statuses: Vec<String>,
    assignees: Vec<i64>,
    tags: Vec<String>,
    bounds: Vec<Bound>,
    space_ids: Vec<String>,
    project_ids: Vec<String>,
    list_ids: Vec<String>,
    parent: Option<String>,
}

impl TaskFilter {
    /// `team` enables the team-endpoint-only filters.
    pub(crate) fn parse(q: &Query, team: bool) -> Result<TaskFilter, ApiError> {
        let page = match q.int("page")? {
            None => 0,
            Some(p) if p >= 0 => p as usize,
            Some(_) => return Err(ApiError::bad_param("page")),
        };
        let order_by = match q.first("order_by") {
            None | Some("created") => OrderBy::Created,
            Some("updated") => OrderBy::Updated,
            Some("id") => OrderBy::Id,
            Some("due_date") => OrderBy::DueDate,
            Some(_) => return Err(ApiError::bad_param("order_by")),
        };
        let mut bounds = Vec::new();
        for (name, field, greater) in [
            ("date_created_gt", DateField::Created, true),
            ("date_created_lt", DateField::Created, false),
            ("date_updated_gt", DateField::Updated, true),
            ("date_updated_lt", DateField::Updated, false),
            ("due_date_gt", DateField::Due, true),
            ("due_date_lt", DateField::Due, false),
            ("date_done_gt", DateField::Done, true),
            ("date_done_lt", DateField::Done, false),
        ] {
            if let Some(value) = q.int(name)? {
                bounds.push(Bound {
                    field,
                    greater,
                    value,
                });
            }
        }
        let strings = |key: &str| {
            q.all(key)
                .into_iter()
                .map(str::to_string)
                .collect::<Vec<_>>()
        };
        let lower = |key: &str| {
            q.all(key)
                .into_iter()
                .map(str::to_lowercase)
                .collect::<Vec<_>>()
        };
        Ok(TaskFilter {
            page,
            order_by,
            reverse: q.flag("reverse")?,
            subtasks: q.flag("subtasks")?,
            include_closed: q.flag("include_closed")?,
            archived: q.flag("archived")?,
            include_timl: q.flag("include_timl")?,
            markdown: q.flag("include_markdown_description")?,
            statuses: lower("statuses"),
            assignees: q.ints("assignees")?,
            tags: lower("tags"),
            bounds,
            space_ids: if team {
                strings("space_ids")
            } else {
                Vec::new()
            },
            project_ids: if team {
                strings("project_ids")
            } else {
                Vec::new()
            },
            list_ids: if team {
                strings("list_ids")
            } else {
                Vec::new()
            },
            parent: if team {
                q.first("parent").map(str::to_string)
            } else {
                None
            },
        })
    }

    pub(crate) fn matches(&self, t: &Task) -> bool {
        if t.archived != self.archived {
            return false;
        }
        match &self.parent {
            Some(p) => {
                if t.parent.as_deref() != Some(p.as_str()) {
                    return false;
                }
            }
            None => {
                if t.is_subtask() && !self.subtasks {
                    return false;
                }
            }
        }
        if self.statuses.is_empty() {
            if t.is_closed() && !self.include_closed {
                return false;
            }
        } else if !self.statuses.contains(&t.status.status.to_lowercase()) {
            return false;
        }
        if !self.assignees.is_empty() && !t.assignees.iter().any(|a| self.assignees.contains(&a.id))
        {
            return false;
        }
        if !self.tags.is_empty()
            && !t
                .tags
                .iter()
                .any(|tag| self.tags.contains(&tag.name.to_lowercase()))
        {
            return false;
        }
        if !self.space_ids.is_empty() && !self.space_ids.contains(&t.space_id) {
            return false;
        }
        if !self.project_ids.is_empty() && !self.project_ids.contains(&t.folder.id) {
            return false;
        }
        if !self.list_ids.is_empty() && !self.list_ids.contains(&t.list.id) {
            return false;
        }
        self.bounds.iter().all(|b| bound_holds(b, t))
    }

    /// The cache key of this filter's result set: everything but the page.
    pub(crate) fn order_key(&self) -> String {
        let mut unpaged = self.clone();
        unpaged.page = 0;
        unpaged.markdown = false;
        format!("{unpaged:?}")
    }

    /// Which positions of a sorted result set of `total` tasks the page covers.
    pub(crate) fn page_range(&self, total: usize) -> Range<usize> {
        let start = self.page.saturating_mul(PAGE_SIZE).min(total);
        start..start.saturating_add(PAGE_SIZE).min(total)
    }

    /// `{"tasks": [...], "last_page": ...}` for the tasks of one page.
    pub(crate) fn render_page<'a>(
        &self,
        page: impl Iterator<Item = &'a Task>,
        last_page: bool,
    ) -> Value {
        let tasks: Vec<Value> = page
            .map(|t| {
                if self.markdown {
                    t.to_api_json_with_markdown()
                } else {
                    t.to_api_json()
                }
            })
            .collect();
        json!({ "tasks": tasks, "last_page": last_page })
    }

    /// The order the query asks for, total thanks to the tie-break on id.
    pub(crate) fn compare(&self, a: &Task, b: &Task) -> Ordering {
        let directed = |o: Ordering| if self.reverse { o } else { o.reverse() };
        let by_id = directed(a.id.cmp(&b.id));
        match self.order_by {
            OrderBy::Created => directed(a.date_created.cmp(&b.date_created)).then(by_id),
            OrderBy::Updated => directed(a.date_updated.cmp(&b.date_updated)).then(by_id),
            OrderBy::Id => by_id,
            OrderBy::DueDate => match (a.due_date, b.due_date) {
                (Some(x), Some(y)) => directed(x.cmp(&y)).then(by_id),
                (Some(_), None) => Ordering::Less,
                (None, Some(_)) => Ordering::Greater,
                (None, None) => by_id,
            },
        }
    }
}

fn bound_holds(b: &Bound, t: &Task) -> bool {
    let value = match b.field {
        DateField::Created => Some(t.date_created),
        DateField::Updated => Some(t.date_updated),
        DateField::Due => t.due_date,
        DateField::Done => t.date_done,
    };
    let Some(v) = value else {
        return false;
    };
    match (b.field, b.greater) {
        (DateField::Updated, true) => v >= b.value,
        (_, true) => v > b.value,
        (_, false) => v < b.value,
    }
}
