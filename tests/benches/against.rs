//! `-- against OLD.wasm`: task pages read by this build's component and by another (an earlier
//! build, say), in turns, on the same pages, in one run. The machine's speed drifts from minute to
//! minute; taking turns puts the drift on both, so the ratio is the figure to trust.
//! `-- against OLD.wasm children`: the same, each page read with the six child streams of the
//! task body (`read-page-and-children`; the rate counts task records, the rows come on top).

use super::{bench_config, bench_pages, body_children, page_reader};
use host_harness::{ConnectorHost, LoadOptions};
use std::path::Path;
use std::time::Instant;

/// Turns each component takes.
const ROUNDS: usize = 7;

/// Pages in a turn.
const PAGES: usize = 100;

/// Prints section 2b: records/s of each component, turn by turn, and the median ratio; with
/// `with_children`, each page is read with the task body's six child streams.
pub(crate) async fn table(wasm: &Path, old: &Path, with_children: bool) {
    let children = if with_children {
        body_children()
    } else {
        Vec::new()
    };
    let (pages, team) = bench_pages();
    let config = bench_config();
    let hosts = [wasm, old].map(|w| ConnectorHost::load(w, &LoadOptions::default()).unwrap());
    let mut readers = Vec::new();
    for host in &hosts {
        readers.push(page_reader(host, &pages, &team, &config).await);
    }
    println!(
        "## 2b. This build's component against `{}`\n",
        old.display()
    );
    let with = if children.is_empty() {
        String::new()
    } else {
        format!(", each with the child streams {}", children.join(", "))
    };
    println!(
        "Turns of {PAGES} task pages each{with}, taken in turns on the same pages (task records/s, 1 core):\n"
    );
    println!("| turn | this build | the other | this / the other |");
    println!("|---|---:|---:|---:|");
    let mut ratios = Vec::new();
    for round in 1..=ROUNDS {
        let mut rates = [0.0; 2];
        // Who goes first changes every turn.
        let order = if round % 2 == 0 { [1, 0] } else { [0, 1] };
        for i in order {
            let (run, cursor) = &mut readers[i];
            let started = Instant::now();
            let mut records = 0;
            for _ in 0..PAGES {
                let page = if children.is_empty() {
                    run.read_page(&config, "tasks", None, cursor.as_deref())
                        .await
                        .unwrap()
                } else {
                    run.read_page_and_children(&config, "tasks", None, cursor.as_deref(), &children)
                        .await
                        .unwrap()
                        .page
                };
                records += page.records.len();
                *cursor = page.cursor;
            }
            rates[i] = records as f64 / started.elapsed().as_secs_f64();
        }
        ratios.push(rates[0] / rates[1]);
        println!(
            "| {round} | {:.0} | {:.0} | {:.2}× |",
            rates[0],
            rates[1],
            rates[0] / rates[1]
        );
    }
    ratios.sort_by(f64::total_cmp);
    println!("\nMedian ratio: {:.2}×\n", ratios[ROUNDS / 2]);
}
