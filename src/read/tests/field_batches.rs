//! `custom_fields` side by side: a list's step needs its ancestors' answers too, and a batch
//! brings them with it instead of leaving each for a round trip of its own.

use super::{read_page, Routed, Session};
use serde_json::{json, Value};

/// What a failed read gives the test: the connector's or serde_json's error.
type Failure = Box<dyn std::error::Error>;

/// One Workspace, two spaces, two folders in each, three lists in each folder (no folderless
/// lists): 19 nodes, each defining one field of its own (a list's answer also lists what it
/// inherits, as ClickUp's does).
fn tree(url: &str) -> String {
    let path = url.split('?').next().unwrap_or_default();
    let path = path.strip_prefix("http://sim/api/v2").unwrap_or(path);
    let archived = url.contains("archived=true");
    let parts: Vec<&str> = path.split('/').skip(1).collect();
    let body = match parts.as_slice() {
        ["team"] => json!({"teams": [{"id": "1", "members": []}]}),
        _ if archived => json!({"spaces": [], "folders": [], "lists": []}),
        ["team", "1", "space"] => json!({"spaces": [{"id": "s1"}, {"id": "s2"}]}),
        ["space", s, "folder"] => {
            json!({"folders": [{"id": format!("{s}f1")}, {"id": format!("{s}f2")}]})
        }
        ["space", _, "list"] => json!({"lists": []}),
        ["folder", f, "list"] => {
            let lists: Vec<Value> = (1..=3).map(|i| json!({"id": format!("{f}l{i}")})).collect();
            json!({ "lists": lists })
        }
        [_, id, "field"] => {
            let mut fields = vec![json!({"id": format!("field-{id}"), "name": id, "type": "text"})];
            if let Some(folder) = id
                .strip_suffix(['1', '2', '3'])
                .and_then(|l| l.strip_suffix('l'))
            {
                let space = &folder[..2];
                for node in ["1", space, folder] {
                    fields
                        .push(json!({"id": format!("field-{node}"), "name": node, "type": "text"}));
                }
            }
            json!({ "fields": fields })
        }
        _ => json!({"err": "no such route", "ECODE": "X"}),
    };
    body.to_string()
}

/// Reads `lists` (so the hierarchy is cached, as a sync's earlier streams leave it), then
/// `custom_fields` on the same instance: its records and the round trips it took.
fn fields_after_lists(config: &str) -> Result<(Vec<Value>, usize), Failure> {
    let mut t = Routed {
        now: 1_000_000,
        batches: Vec::new(),
        answer: tree,
        can_start: false,
        started: Vec::new(),
        taken_whole: 0,
    };
    let mut session = Session::default();
    let mut records = Vec::new();
    let mut round_trips = 0;
    for stream in ["lists", "custom_fields"] {
        let before = t.batches.len();
        let mut cursor: Option<String> = None;
        loop {
            let page = read_page(
                &mut t,
                &mut session,
                config,
                stream,
                None,
                cursor.as_deref(),
            )?;
            if stream == "custom_fields" {
                for r in &page.records {
                    records.push(serde_json::from_str(r)?);
                }
            }
            cursor = page.cursor;
            if cursor.is_none() {
                break;
            }
        }
        round_trips = t.batches.len() - before;
    }
    records.sort_by_key(|r: &Value| r["id"].as_str().unwrap_or_default().to_owned());
    Ok((records, round_trips))
}

#[test]
fn a_batch_of_list_field_steps_brings_their_ancestors_answers_along() -> Result<(), Failure> {
    let serial = r#"{"api_token":"pk_1_T","base_url":"http://sim/api/v2","max_concurrency":1}"#;
    let wide = r#"{"api_token":"pk_1_T","base_url":"http://sim/api/v2","max_concurrency":8}"#;
    let (one, serial_trips) = fields_after_lists(serial)?;
    let (many, wide_trips) = fields_after_lists(wide)?;
    assert_eq!(one.len(), 19, "one record per node's own field");
    assert_eq!(one, many, "the same records side by side");
    let at = |id: &str| {
        many.iter()
            .find(|r| r["id"] == id)
            .map(|r| r["defined_at"].clone())
    };
    assert_eq!(at("field-1"), Some(json!("workspace")));
    assert_eq!(at("field-s2f1l3"), Some(json!("list")));
    assert_eq!(serial_trips, 19, "serially, one request per node");
    // 19 requests 8 wide: 3 round trips. The Workspace's step lies under every other on the
    // cursor; without its answer in the first batch, the first list step would wait for it alone.
    assert_eq!(wide_trips, 3, "round trips side by side");
    Ok(())
}
