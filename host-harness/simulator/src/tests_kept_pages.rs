//! `SimConfig::keep_task_pages`: the same bytes as a page made afresh, made again once the
//! world changes, and only for task pages.

use super::test_client::get;
use super::*;

const NOW: i64 = 1_750_000_000_000;

fn start(keep_task_pages: bool) -> Simulator {
    Simulator::start(SimConfig {
        size: Size::tiny(),
        now_ms: Some(NOW),
        rate_limit: RateLimitConfig::unlimited(),
        keep_task_pages,
        ..SimConfig::default()
    })
    .expect("simulator starts")
}

fn first_page(sim: &Simulator) -> Vec<u8> {
    let team = sim.with_world(|w| w.workspaces[0].id.clone());
    let reply = get(sim, &format!("/team/{team}/task?page=0&subtasks=true"));
    assert_eq!(reply.status, 200);
    reply.body
}

#[test]
fn a_kept_page_is_the_page_made_afresh_until_the_world_changes() {
    let kept = start(true);
    let made = start(false);
    let first = first_page(&kept);
    assert_eq!(
        kept.request_counts().kept_pages_sent,
        0,
        "made the first time"
    );
    assert_eq!(first_page(&kept), first);
    assert_eq!(kept.request_counts().kept_pages_sent, 1, "sent as kept");
    assert_eq!(
        first_page(&made),
        first,
        "the same bytes as a page made afresh"
    );

    let rename = |w: &mut World| {
        for task in &mut w.workspaces[0].tasks {
            task.name.push_str(" (renamed)");
        }
    };
    kept.mutate(rename);
    made.mutate(rename);
    let after = first_page(&kept);
    assert_eq!(kept.request_counts().kept_pages_sent, 1, "made again");
    assert_ne!(after, first, "the names changed");
    assert_eq!(after, first_page(&made));
    assert_eq!(made.request_counts().kept_pages_sent, 0, "off by default");
}

#[test]
fn only_task_pages_are_kept() {
    let sim = start(true);
    for _ in 0..2 {
        assert_eq!(get(&sim, "/team").status, 200);
    }
    assert_eq!(sim.request_counts().kept_pages_sent, 0);
}
