//! Loading a connector component once, for many runs.
//!
//! Compiling a component is the expensive step (about half a second in release, seconds in a debug
//! build), so a [`ConnectorHost`] compiles it once per process, and caches the compiled artifact on
//! disk keyed by the engine's compatibility hash and the wasm's SHA-256: later processes load it
//! in about a millisecond. It links WASI and `wasi:http` once into an `InstancePre`; every run then
//! only instantiates (tens of microseconds) into its own `Store` (see [`super::run`]).

use super::cache;
use super::error::wasmtime_error;
use super::limits::EPOCH_TICK;
use super::store::RunState;
use crate::bindings::{SourcePre, VERSIONS};
use anyhow::Context;
use sha2::{Digest, Sha256};
use std::hash::{Hash, Hasher};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Weak};
use wasmtime::component::{Component, Linker};
use wasmtime::{Config, Engine};

/// How instances get their memory.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Allocation {
    /// Allocate each instance's memory when it is created (the default: works everywhere).
    #[default]
    OnDemand,
    /// Pre-reserve slots for up to this many concurrent instances: faster instantiation, for
    /// hosts that run many tenants. Needs enough virtual address space; see
    /// [`ConnectorHost::load`] for the fallback.
    Pooling {
        /// Most instances alive at once (each tenant's run is one).
        max_instances: u32,
    },
}

/// Options of [`ConnectorHost::load`].
#[derive(Debug, Clone, Default)]
pub struct LoadOptions {
    /// Where compiled artifacts are cached. `None` (default): the user's cache folder
    /// (`$XDG_CACHE_HOME/connector-host`, else `~/.cache/connector-host`). The folder must be this
    /// user's and writable by no one else (see [`super::cache`]); a new one is created `0700`.
    /// The cache is an optimisation: a folder or file that fails a check, or any error reading
    /// or writing it, falls back to compiling.
    pub cache_dir: Option<PathBuf>,
    /// Disable the on-disk cache. Default: false.
    pub no_cache: bool,
    /// How instances get memory. Default: on demand.
    pub allocation: Allocation,
}

/// A compiled, linked connector component, ready to instantiate.
pub struct ConnectorHost {
    engine: Engine,
    component: Component,
    pre: SourcePre,
    wasm_sha256: String,
    /// Whether the compiled component came from the disk cache.
    pub loaded_from_cache: bool,
    /// Why the disk cache was not used, when a folder or file failed its checks (or there is
    /// no cache folder). `None`: the cache was used, or disabled with `no_cache`.
    pub cache_note: Option<String>,
    /// The allocation strategy in force (pooling may have fallen back to on-demand).
    pub allocation: Allocation,
}

impl std::fmt::Debug for ConnectorHost {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ConnectorHost")
            .field("wasm_sha256", &self.wasm_sha256)
            .field("loaded_from_cache", &self.loaded_from_cache)
            .field("allocation", &self.allocation)
            .finish()
    }
}

impl ConnectorHost {
    /// Compiles (or loads from cache) the component at `wasm_path` and links it.
    ///
    /// With [`Allocation::Pooling`], if the pooling allocator cannot reserve its memory (a small
    /// address-space limit, for example), it falls back to on-demand allocation and says so in
    /// [`ConnectorHost::allocation`].
    pub fn load(wasm_path: &Path, options: &LoadOptions) -> anyhow::Result<Arc<ConnectorHost>> {
        let wasm = std::fs::read(wasm_path)
            .with_context(|| format!("cannot read the component {}", wasm_path.display()))?;
        Self::from_bytes(&wasm, &wasm_path.display().to_string(), options)
    }

    /// Like [`ConnectorHost::load`], for a component already in memory (one embedded in the
    /// binary with `include_bytes!`, say). `name` names it in errors.
    pub fn from_bytes(
        wasm: &[u8],
        name: &str,
        options: &LoadOptions,
    ) -> anyhow::Result<Arc<ConnectorHost>> {
        // Checked before wasmtime sees it: its text-format parser would quote the file's first
        // line in its error, and a file given by mistake may be a config with a token in it.
        if !wasm.starts_with(b"\0asm") {
            anyhow::bail!(
                "{name} is not a WebAssembly component (it does not start with the wasm magic bytes)"
            );
        }
        let pooled = match options.allocation {
            Allocation::OnDemand => None,
            Allocation::Pooling { .. } => make_engine(Some(options.allocation)).ok(),
        };
        match pooled {
            Some(engine) => Self::link(wasm, engine, options, options.allocation),
            None => Self::link(wasm, make_engine(None)?, options, Allocation::OnDemand),
        }
    }

    fn link(
        wasm: &[u8],
        engine: Engine,
        options: &LoadOptions,
        allocation: Allocation,
    ) -> anyhow::Result<Arc<ConnectorHost>> {
        let wasm_sha256 = hex(&Sha256::digest(wasm));
        let (component, cached) = compile_cached(&engine, wasm, &wasm_sha256, options)?;
        let mut linker: Linker<RunState> = Linker::new(&engine);
        wasmtime_wasi::p2::add_to_linker_async(&mut linker).map_err(wasmtime_error)?;
        wasmtime_wasi_http::p2::add_only_http_to_linker_async(&mut linker)
            .map_err(wasmtime_error)?;
        let instance_pre = linker
            .instantiate_pre(&component)
            .map_err(wasmtime_error)
            .context(
            "the component's imports cannot be satisfied: it needs more than WASI and wasi:http",
        )?;
        let pre = SourcePre::new(instance_pre).with_context(|| {
            let versions: Vec<String> = VERSIONS
                .iter()
                .map(|v| format!("connector:source/source@{v}"))
                .collect();
            format!(
                "the component exports none of {} (with their exact functions and types)",
                versions.join(", ")
            )
        })?;
        let host = Arc::new(ConnectorHost {
            engine,
            component: component.clone(),
            pre,
            wasm_sha256,
            loaded_from_cache: cached.loaded,
            cache_note: cached.note,
            allocation,
        });
        start_epoch_ticker(Arc::downgrade(&host));
        Ok(host)
    }

    /// The engine (shared by every run).
    pub fn engine(&self) -> &Engine {
        &self.engine
    }

    /// The compiled component.
    pub fn component(&self) -> &Component {
        &self.component
    }

    /// The names of the component's imports and exports, for auditing what it may touch.
    pub fn interface_names(&self) -> (Vec<String>, Vec<String>) {
        let ty = self.component.component_type();
        let imports = ty
            .imports(&self.engine)
            .map(|(n, _)| n.to_owned())
            .collect();
        let exports = ty
            .exports(&self.engine)
            .map(|(n, _)| n.to_owned())
            .collect();
        (imports, exports)
    }

    /// The linked component.
    pub(crate) fn pre(&self) -> &SourcePre {
        &self.pre
    }

    /// The `connector:source` version the component implements (`0.2.0`, or `0.1.0` for a
    /// component built against the frozen 0.1 contract: it runs, with no derived streams).
    pub fn contract_version(&self) -> &'static str {
        self.pre.version()
    }

    /// SHA-256 of the component's bytes, in hex.
    pub fn wasm_sha256(&self) -> &str {
        &self.wasm_sha256
    }
}

fn make_engine(allocation: Option<Allocation>) -> anyhow::Result<Engine> {
    let mut config = Config::new();
    config.wasm_component_model(true);
    config.epoch_interruption(true);
    if let Some(Allocation::Pooling { max_instances: max }) = allocation {
        let mut pool = wasmtime::PoolingAllocationConfig::default();
        // A wasip2 component holds a few core instances and tables (the module, its shims).
        pool.total_component_instances(max);
        pool.total_memories(max.saturating_mul(2));
        pool.total_tables(max.saturating_mul(8));
        pool.total_core_instances(max.saturating_mul(8));
        pool.total_stacks(max);
        pool.max_memory_size(256 << 20);
        config.allocation_strategy(wasmtime::InstanceAllocationStrategy::Pooling(pool));
    }
    Engine::new(&config).map_err(wasmtime_error)
}

/// What the disk cache did for one load.
struct Cached {
    loaded: bool,
    note: Option<String>,
}

fn compile_cached(
    engine: &Engine,
    wasm: &[u8],
    wasm_sha256: &str,
    options: &LoadOptions,
) -> anyhow::Result<(Component, Cached)> {
    let compile = || {
        Component::new(engine, wasm)
            .map_err(wasmtime_error)
            .context("the component does not compile")
    };
    if options.no_cache {
        let none = Cached {
            loaded: false,
            note: None,
        };
        return Ok((compile()?, none));
    }
    let Some(dir) = options.cache_dir.clone().or_else(cache::default_dir) else {
        let note = Some("no cache folder: neither XDG_CACHE_HOME nor HOME is set".to_owned());
        return Ok((
            compile()?,
            Cached {
                loaded: false,
                note,
            },
        ));
    };
    if let Err(why) = cache::prepare_dir(&dir) {
        return Ok((
            compile()?,
            Cached {
                loaded: false,
                note: Some(why),
            },
        ));
    }
    let mut hasher = std::collections::hash_map::DefaultHasher::new();
    engine.precompile_compatibility_hash().hash(&mut hasher);
    let path = dir.join(format!(
        "{}-{:016x}.cwasm",
        &wasm_sha256[..32],
        hasher.finish()
    ));
    match cache::read(&path) {
        Ok(Some(bytes)) => {
            // SAFETY: the bytes were read from a file this user owns and no one else may write,
            // in a folder with the same guarantee (checked by `cache::read` and
            // `cache::prepare_dir` on the open handle). Its name holds the engine's compatibility
            // hash and the wasm's hash, so it was written by `Component::serialize` of this
            // engine configuration for this component; wasmtime also checks its header.
            if let Ok(component) = unsafe { Component::deserialize(engine, &bytes) } {
                return Ok((
                    component,
                    Cached {
                        loaded: true,
                        note: None,
                    },
                ));
            }
        }
        Ok(None) => {}
        Err(why) => {
            return Ok((
                compile()?,
                Cached {
                    loaded: false,
                    note: Some(why),
                },
            ))
        }
    }
    let component = compile()?;
    if let Ok(bytes) = component.serialize() {
        let _ = cache::write(&path, &bytes);
    }
    Ok((
        component,
        Cached {
            loaded: false,
            note: None,
        },
    ))
}

/// Ticks the engine's epoch while the host is alive: the clock of the per-call CPU limit.
fn start_epoch_ticker(host: Weak<ConnectorHost>) {
    std::thread::Builder::new()
        .name("epoch-ticker".into())
        .spawn(move || loop {
            std::thread::sleep(EPOCH_TICK);
            match host.upgrade() {
                Some(h) => h.engine.increment_epoch(),
                None => return,
            }
        })
        .ok();
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}
