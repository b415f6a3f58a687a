//! Runs modules as sandboxed WebAssembly components.
//!
//! One [`Engine`] with a pooling allocator; a component is compiled once per
//! package (and cached on disk); every call gets a fresh `Store` and instance
//! from a cached `InstancePre`, so nothing leaks between villages and a store
//! that trapped is simply dropped. Each call has a wall-clock deadline (epoch
//! interruption) and a memory cap.
//!
//! This crate is wasm only: it loads, limits and calls modules, and converts
//! each released contract version to the SDK's types. It knows nothing of
//! templates, pages, the registry or the database; the host checks a module's
//! info and renders its views.

mod artifacts;
mod contract_v0_1;
mod contract_v0_2;
mod contract_v0_3;
mod error;
pub mod package;
mod plugin;
mod sandbox;

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use wasmtime::component::{Component, Linker, types::ComponentItem};
use wasmtime::{Config, Engine, InstanceAllocationStrategy, PoolingAllocationConfig};

pub use artifacts::ArtifactCache;
pub use error::{Fault, LoadError, PluginError, PluginName};
pub use plugin::{
    MAX_AWAITING, MAX_FIELD_ERRORS, MAX_NOTICES, MAX_REJECTION_BYTES, MAX_SIGNOFFS,
    MAX_STATE_BYTES, MAX_TEXT_BYTES, MAX_VIEW_BYTES, Plugin,
};
use sandbox::Sandbox;

/// Contract versions this host runs, newest first.
pub const SUPPORTED_CONTRACTS: &[&str] = &["0.3.0", "0.2.0", "0.1.0"];

/// A released contract version. Each has its own bindings file, converted to
/// the SDK's (the latest) types there and nowhere else.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Contract {
    /// `baton:module@0.1.0`.
    V0_1,
    /// `baton:module@0.2.0`: whose turn it is, the public actor, siblings
    /// and attachments.
    V0_2,
    /// `baton:module@0.3.0`: the city level, and the staff above the
    /// township a module lets act (`reviewers`).
    V0_3,
}

impl Contract {
    /// The version a package's `baton:contract` section names, if this host runs it.
    pub fn parse(version: &str) -> Option<Self> {
        match version {
            "0.1.0" => Some(Self::V0_1),
            "0.2.0" => Some(Self::V0_2),
            "0.3.0" => Some(Self::V0_3),
            _ => None,
        }
    }

    /// The version as packages write it.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::V0_1 => "0.1.0",
            Self::V0_2 => "0.2.0",
            Self::V0_3 => "0.3.0",
        }
    }
}

/// Interfaces a module may import: the contract's own types, and what Rust's
/// std needs, made deterministic. No filesystem, sockets or HTTP.
pub const ALLOWED_IMPORTS: &[&str] = &[
    "baton:module/types",
    "wasi:io/*",
    "wasi:clocks/*",
    "wasi:random/*",
    "wasi:cli/*",
];

/// How often the engine's epoch advances: the granularity of deadlines.
const TICK: Duration = Duration::from_millis(2);

/// What one call may use.
#[derive(Debug, Clone)]
pub struct Limits {
    /// Wall-clock time per call.
    pub deadline: Duration,
    /// Linear memory per instance, bytes.
    pub memory: usize,
    /// Instances alive at once across the host; a call past it waits for none
    /// and fails with [`Fault::Instantiate`].
    pub concurrent_instances: u32,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            deadline: Duration::from_millis(100),
            memory: 64 << 20,
            concurrent_instances: 128,
        }
    }
}

/// The plugin runtime: one per host process.
#[derive(Clone)]
pub struct Runtime {
    shared: Arc<Shared>,
}

struct Shared {
    engine: Engine,
    linker: Linker<Sandbox>,
    limits: Limits,
    artifacts: ArtifactCache,
}

impl Runtime {
    /// A runtime with `limits`, caching compiled modules in `cache_dir`.
    pub fn new(limits: Limits, cache_dir: Option<PathBuf>) -> anyhow::Result<Self> {
        let mut pool = PoolingAllocationConfig::default();
        let n = limits.concurrent_instances;
        pool.total_component_instances(n)
            // A wasip2 component is a few core instances and tables (its own
            // module plus shims), and one memory.
            .total_core_instances(n * 8)
            .total_tables(n * 8)
            .total_memories(n)
            .total_stacks(n)
            .max_memory_size(limits.memory)
            // Reset a used memory with memset rather than madvise: a module's
            // memory is small (see .cargo/config.toml), and madvise costs page
            // faults plus TLB-shootdown IPIs across the tokio workers. Measured
            // with `cargo bench --bench act`: 98 µs -> 44 µs per call.
            .linear_memory_keep_resident(1 << 20)
            .table_keep_resident(64 << 10);
        let mut config = Config::new();
        // `BATON_PERFMAP=1`: write /tmp/perf-<pid>.map, so that `perf report`
        // names each module's compiled functions (see host/benches/README.md).
        if std::env::var_os("BATON_PERFMAP").is_some() {
            config.profiler(wasmtime::ProfilingStrategy::PerfMap);
        }
        config
            .epoch_interruption(true)
            .wasm_component_model(true)
            .allocation_strategy(InstanceAllocationStrategy::Pooling(pool));
        let engine = Engine::new(&config).map_err(|e| anyhow::anyhow!("{e:#}"))?;
        let mut linker = Linker::new(&engine);
        // Everything is linked, but `load` refuses any component importing
        // outside ALLOWED_IMPORTS, and the WASI context grants nothing.
        wasmtime_wasi::p2::add_to_linker_async(&mut linker)
            .map_err(|e| anyhow::anyhow!("{e:#}"))?;
        spawn_ticker(&engine);
        let shared = Shared {
            engine,
            linker,
            limits,
            artifacts: ArtifactCache::new(cache_dir),
        };
        Ok(Self {
            shared: Arc::new(shared),
        })
    }

    /// The limits each call runs under.
    pub fn limits(&self) -> &Limits {
        &self.shared.limits
    }

    /// Validates and compiles a package and asks the module to describe
    /// itself. Compilation runs off the async executor and is cached on disk;
    /// the host keeps loaded modules (one cache, in its registry).
    pub async fn load(&self, bytes: &[u8]) -> Result<Plugin, LoadError> {
        let stamp = package::read(bytes)?;
        let Some(contract) = Contract::parse(&stamp.contract) else {
            return Err(LoadError::UnsupportedContract {
                package: stamp.label,
                found: stamp.contract,
                supported: SUPPORTED_CONTRACTS.join(", "),
            });
        };
        let component = {
            let (shared, sha, owned) = (self.shared.clone(), stamp.sha256, bytes.to_vec());
            tokio::task::spawn_blocking(move || {
                shared.artifacts.component(&shared.engine, &sha, &owned)
            })
            .await
            .map_err(|e| LoadError::Compile {
                package: stamp.label.clone(),
                detail: e.to_string(),
            })?
            .map_err(|e| LoadError::Compile {
                package: stamp.label.clone(),
                detail: format!("{e:#}"),
            })?
        };
        self.check_imports(&component, &stamp.label)?;
        let pre = self
            .shared
            .linker
            .instantiate_pre(&component)
            .map_err(|e| LoadError::Compile {
                package: stamp.label.clone(),
                detail: format!("{e:#}"),
            })?;
        Plugin::new(&self.shared, contract, pre, &stamp).await
    }

    fn check_imports(&self, component: &Component, label: &str) -> Result<(), LoadError> {
        let imports: Vec<String> = component
            .component_type()
            .imports(&self.shared.engine)
            .filter(|(name, import)| !allowed_import(name, &import.ty))
            .map(|(name, _)| name.to_owned())
            .collect();
        if imports.is_empty() {
            Ok(())
        } else {
            Err(LoadError::ForbiddenImports {
                package: label.to_owned(),
                imports,
            })
        }
    }
}

fn allowed_import(name: &str, item: &ComponentItem) -> bool {
    matches!(item, ComponentItem::ComponentInstance(_))
        && ALLOWED_IMPORTS
            .iter()
            .any(|allowed| name.starts_with(allowed.trim_end_matches('*')))
}

/// Advances the engine's epoch every [`TICK`] until the engine is dropped.
fn spawn_ticker(engine: &Engine) {
    let weak = engine.weak();
    std::thread::Builder::new()
        .name("baton-epoch".into())
        .spawn(move || {
            while let Some(engine) = weak.upgrade() {
                engine.increment_epoch();
                drop(engine);
                std::thread::sleep(TICK);
            }
        })
        .expect("spawning a thread at start-up");
}
