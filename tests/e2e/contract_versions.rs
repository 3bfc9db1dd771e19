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
