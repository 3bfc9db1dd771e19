//! The goals.
//!
//! Where the goals stream makes its requests: here, `GET /team/{id}/goal?include_completed=true`
//! for each Workspace ([`workspace_goals`]: the goal ids, from the top level and from the goal
//! folders), then `GET /goal/{id}` for each goal ([`goal`]: the record, with its targets).

use crate::cursor::{Cursor, Step};
use crate::endpoint::segment;
use crate::error::ConnectorError;
use crate::fetch::{Fetched, Fetcher};
use crate::streams::goals;
use crate::transport::Transport;
use serde_json::Value;

/// The first steps of the goals stream in a Workspace: its goal list.
pub(super) fn first_steps(ws: &str) -> Vec<Step> {
    vec![Step::Goals { ws: ws.to_owned() }]
}

/// `GET /team/{ws}/goal`: a step for each goal.
pub(super) fn workspace_goals<T: Transport>(
    ws: &str,
    cursor: &mut Cursor,
    f: &mut Fetcher<'_, T>,
) -> Result<(), ConnectorError> {
    let query = [("include_completed", "true".to_owned())];
    let Fetched::Body(body) = f.get(&format!("/team/{}/goal", segment(ws)), &query)? else {
        return Ok(());
    };
    let steps = goals::ids(&body)
        .into_iter()
        .map(|goal| Step::Goal {
            ws: ws.to_owned(),
            goal,
        })
        .collect();
    cursor.push_in_order(steps);
    Ok(())
}

/// `GET /goal/{goal}`: the goal's record.
pub(super) fn goal<T: Transport>(
    ws: &str,
    goal: &str,
    f: &mut Fetcher<'_, T>,
    out: &mut Vec<Value>,
) -> Result<(), ConnectorError> {
    if let Fetched::Body(body) = f.get(&format!("/goal/{}", segment(goal)), &[])? {
        out.push(goals::record(&body, ws)?);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use crate::fetch::tests::{ok, Script};
    use crate::read::tests::read_all;

    #[test]
    fn goals_union_folders_and_fetch_targets() {
        let mut script = Script {
            answers: [
                ok(r#"{"teams":[{"id":"1"}]}"#),
                ok(r#"{"goals":[{"id":"a"}],"folders":[{"goals":[{"id":"b"},{"id":"a"}]}]}"#),
                ok(r#"{"goal":{"id":"a","key_results":[{"id":"k1"}]}}"#),
                ok(r#"{"goal":{"id":"b","key_results":[]}}"#),
            ]
            .into(),
            ..Default::default()
        };
        let (records, _, _) = read_all(&mut script, "goals", None);
        let ids: Vec<&str> = records.iter().map(|r| r["id"].as_str().unwrap()).collect();
        assert_eq!(ids, ["a", "b"]);
        assert!(script.urls[1].contains("include_completed=true"));
        assert_eq!(records[0]["key_results"][0]["id"], "k1");
    }
}
