//! Both contract versions load: the connector implements `connector:source@0.2.0`, and a
//! component built against the frozen 0.1.0 contract (`wit/v0.1.0/`: the hostile fixture, in its
//! behaving mode) still runs through the host's 0.1 adapter, with no derived streams.

use crate::harness::{host, hostile_host};
use host_harness::{CallError, EgressPolicy, Run, RunOptions, WitError};

#[tokio::test]
async fn a_0_1_component_runs_and_a_request_for_children_is_refused_naming_its_version() {
    assert_eq!(host().contract_version(), "0.2.0");
    let old = hostile_host();
    assert_eq!(old.contract_version(), "0.1.0");
    let options = RunOptions {
        egress: EgressPolicy::default(),
        ..Default::default()
    };
    let mut run = Run::new(&old, options).await.unwrap();
    assert!(run.discover("behave").await.unwrap().is_empty());
    let page = run.read_page("behave", "s", None, None).await.unwrap();
    assert_eq!(page.records.len(), 1, "{page:?}");
    assert_eq!(page.cursor, None);
    let children = ["task_tags".to_owned()];
    match run
        .read_page_and_children("behave", "s", None, None, &children)
        .await
    {
        Err(CallError::Connector(WitError::UnknownStream(m))) => {
            assert!(
                m.contains("connector:source@0.1.0") && m.contains("task_tags"),
                "{m}"
            )
        }
        other => panic!("{other:?}"),
    }
    // The adapter's refusal is the host's own: the component was not called, and still works.
    assert_eq!(
        run.read_page("behave", "s", None, None)
            .await
            .unwrap()
            .records
            .len(),
        1
    );
}

/// Collects what a sync hands over.
#[derive(Default)]
struct Collect {
    records: Vec<String>,
}

impl host_harness::Observer for Collect {
    fn records(&mut self, _stream: &str, records: &[String]) -> anyhow::Result<()> {
        self.records.extend_from_slice(records);
        Ok(())
    }
    fn checkpoint(&mut self, _stream: &str, _at: &host_harness::Checkpoint) -> anyhow::Result<()> {
        Ok(())
    }
}

/// A cursor is opaque to the host: the next call gets the very text the component returned
/// (an instance that kept what it handed out takes it back without parsing it again only when
/// the text is the same, byte for byte), not the checkpoint's JSON written out again.
#[tokio::test]
async fn a_sync_hands_the_cursor_back_as_the_very_text_the_component_returned() {
    let options = RunOptions {
        egress: EgressPolicy::default(),
        ..Default::default()
    };
    let mut run = Run::new(&hostile_host(), options).await.unwrap();
    let streams = [host_harness::StreamChoice {
        name: "s".to_owned(),
        incremental: false,
        parent: None,
        lane: None,
    }];
    let mut seen = Collect::default();
    let end = host_harness::sync(
        &mut run,
        "echo-cursor",
        &streams,
        &mut host_harness::SyncState::new(),
        &host_harness::SyncOptions::default(),
        &mut seen,
    )
    .await
    .unwrap();
    assert!(matches!(end, host_harness::SyncEnd::Complete), "{end:?}");
    assert_eq!(seen.records.len(), 2, "{:?}", seen.records);
    let echoed: serde_json::Value = serde_json::from_str(&seen.records[1]).unwrap();
    // The fixture's cursor, members unsorted (a `Value` written out again would sort them).
    assert_eq!(
        echoed["cursor_seen"],
        r#"{"z":1,"a":[2,1],"m":{"y":true,"b":null}}"#
    );
}
