//! The store a single call runs in: a WASI that gives nothing away and is
//! deterministic, a memory limiter that remembers why it said no, and a
//! captured stderr so a panic's message can be reported.

use std::time::Duration;

use chacha20::ChaCha12Rng;
use chacha20::rand_core::SeedableRng as _;
use sha2::{Digest, Sha256};
use wasmtime::ResourceLimiter;
use wasmtime::component::ResourceTable;
use wasmtime_wasi::p2::pipe::MemoryOutputPipe;
use wasmtime_wasi::{
    HostMonotonicClock, HostWallClock, WasiCtx, WasiCtxBuilder, WasiCtxView, WasiView,
};

/// How much of a module's stderr is kept: enough for a panic message.
const STDERR_BYTES: usize = 8 * 1024;

/// The data of one call's `Store`.
pub struct Sandbox {
    wasi: WasiCtx,
    table: ResourceTable,
    pub(super) limiter: MemoryLimiter,
    stderr: MemoryOutputPipe,
}

impl Sandbox {
    /// A sandbox whose clocks read `now` and whose randomness is seeded by
    /// `seed`, so that a replayed call sees exactly what the first one saw.
    pub fn new(now: i64, seed: &str, max_memory: usize) -> Self {
        let digest: [u8; 32] = Sha256::digest(seed.as_bytes()).into();
        let mut seed_bytes = [0u8; 32];
        seed_bytes.copy_from_slice(&digest);
        let stderr = MemoryOutputPipe::new(STDERR_BYTES);
        let now = Duration::from_secs(u64::try_from(now).unwrap_or(0));
        let wasi = WasiCtxBuilder::new()
            .stderr(stderr.clone())
            .wall_clock(PinnedClock(now))
            .monotonic_clock(PinnedClock(now))
            .secure_random(random_source(seed_bytes))
            .insecure_random(random_source(seed_bytes))
            .insecure_random_seed(u128::from_le_bytes(
                digest[..16].try_into().unwrap_or_default(),
            ))
            .allow_tcp(false)
            .allow_udp(false)
            .allow_ip_name_lookup(false)
            .build();
        Self {
            wasi,
            table: ResourceTable::new(),
            limiter: MemoryLimiter::new(max_memory),
            stderr,
        }
    }

    /// The message of a Rust panic the module printed, if any.
    pub fn panic_message(&self) -> Option<String> {
        let text = String::from_utf8_lossy(&self.stderr.contents()).into_owned();
        let after = text.split_once("panicked at ")?.1;
        // "src/lib.rs:10:5:\nthe message\nnote: run with `RUST_BACKTRACE=1`…"
        let (location, rest) = after.split_once('\n').unwrap_or((after, ""));
        let message: Vec<&str> = rest
            .lines()
            .take_while(|l| !l.starts_with("note: "))
            .collect();
        Some(format!(
            "{} (at {})",
            message.join(" ").trim(),
            location.trim_end_matches(':')
        ))
    }
}

/// The module's random source for `seed`: ChaCha with 12 rounds, named, so
/// that no upgrade of `rand` (whose `StdRng` may change its algorithm in
/// any release) changes what a replay of an existing enrollment sees.
pub fn random_source(seed: [u8; 32]) -> ChaCha12Rng {
    ChaCha12Rng::from_seed(seed)
}

impl WasiView for Sandbox {
    fn ctx(&mut self) -> WasiCtxView<'_> {
        WasiCtxView {
            ctx: &mut self.wasi,
            table: &mut self.table,
        }
    }
}

/// Both clocks, stopped at the context's `now`.
struct PinnedClock(Duration);

impl HostWallClock for PinnedClock {
    fn resolution(&self) -> Duration {
        Duration::from_secs(1)
    }
    fn now(&self) -> Duration {
        self.0
    }
}

impl HostMonotonicClock for PinnedClock {
    fn resolution(&self) -> u64 {
        1_000_000_000
    }
    fn now(&self) -> u64 {
        u64::try_from(self.0.as_nanos()).unwrap_or(u64::MAX)
    }
}

/// Caps linear memory, noting a refusal so the trap it causes can be
/// reported as "out of memory" rather than as whatever the module did next.
pub struct MemoryLimiter {
    max: usize,
    pub(super) exceeded: bool,
}

impl MemoryLimiter {
    fn new(max: usize) -> Self {
        Self {
            max,
            exceeded: false,
        }
    }
}

impl ResourceLimiter for MemoryLimiter {
    fn memory_growing(
        &mut self,
        _current: usize,
        desired: usize,
        _maximum: Option<usize>,
    ) -> wasmtime::Result<bool> {
        if desired > self.max {
            self.exceeded = true;
            wasmtime::bail!(
                "memory limit of {} bytes exceeded (wanted {desired})",
                self.max
            );
        }
        Ok(true)
    }

    fn table_growing(
        &mut self,
        _current: usize,
        desired: usize,
        _maximum: Option<usize>,
    ) -> wasmtime::Result<bool> {
        Ok(desired <= 100_000)
    }
}

#[cfg(test)]
mod tests {
    use chacha20::rand_core::Rng as _;

    /// The first bytes a module sees for one seed, as recorded when the
    /// source was `rand` 0.10's `StdRng`: replays of enrollments made then
    /// must see the same bytes after any upgrade.
    #[test]
    fn the_random_source_is_the_one_replays_were_recorded_with() {
        let mut rng = super::random_source([7; 32]);
        let mut bytes = [0u8; 16];
        rng.fill_bytes(&mut bytes);
        assert_eq!(hex::encode(bytes), "f692897885c0cb20a3e4cd106a0b15bc");
    }
}
