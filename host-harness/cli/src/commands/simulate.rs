//! `simulate`: the built-in ClickUp simulator on loopback, until Ctrl-C.

use crate::args::SimulateArgs;
use crate::stdout::outln;
use clickup_sim::{LatencyConfig, RateLimitConfig, SimConfig, Simulator, Size};

/// Serves the simulator and prints its URL, token and a config that points at it.
pub(crate) async fn run(args: SimulateArgs) -> anyhow::Result<u8> {
    let size = match args.tasks {
        Some(n) => Size::with_tasks(n),
        None => args.size.size(),
    };
    let sim = Simulator::start(SimConfig {
        seed: args.seed,
        size,
        port: args.port,
        rate_limit: RateLimitConfig {
            limit: args.rate_limit,
            window: std::time::Duration::from_secs(60),
        },
        latency: LatencyConfig::ms(args.latency_ms, args.jitter_ms),
        ..SimConfig::default()
    })?;
    let world = sim.world();
    outln!("ClickUp simulator listening on {}", sim.base_url());
    outln!(
        "token: {}  ({} workspaces, {} tasks, {} time entries)",
        sim.token(),
        world.workspaces.len(),
        world.task_count(),
        world.time_entry_count()
    );
    outln!(
        "config: {}",
        serde_json::json!({"api_token": sim.token(), "base_url": sim.base_url()})
    );
    outln!("Press Ctrl-C to stop.");
    tokio::signal::ctrl_c().await?;
    Ok(0)
}
