//! What goes wrong with a module, labelled so an operator knows which one.

use std::fmt;

/// A module as an error names it: `handover@0.1.0`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PluginName {
    /// The module id.
    pub id: String,
    /// Its version.
    pub version: String,
}

impl fmt::Display for PluginName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.version.is_empty() {
            // Not yet described and not stamped: the id is the package's hash.
            f.write_str(&self.id)
        } else {
            write!(f, "{}@{}", self.id, self.version)
        }
    }
}

/// A package the runtime refused to load. Each names the package: its
/// `id@version` once known, else what its build stamped into it, else its sha256.
#[derive(Debug, thiserror::Error)]
pub enum LoadError {
    /// The bytes are not a WebAssembly component.
    #[error("{package}: not a WebAssembly component ({detail}); build it for wasm32-wasip2")]
    NotAComponent {
        /// The package.
        package: String,
        /// What the parser said.
        detail: String,
    },
    /// No `baton:contract` section, and no `baton:module/types` import to
    /// read the contract off: not built against the contract at all.
    #[error(
        "{package}: not a Baton module: it has no `baton:contract` section and imports no `baton:module/types` (build it with baton-sdk)"
    )]
    NoContract {
        /// The package.
        package: String,
    },
    /// Built against a contract this host cannot run.
    #[error(
        "{package}: built against contract {found}, which this host cannot run; it runs contract {supported}"
    )]
    UnsupportedContract {
        /// The package.
        package: String,
        /// The version the module was built against.
        found: String,
        /// The versions this host runs, comma-separated.
        supported: String,
    },
    /// Imports a capability the sandbox does not give.
    #[error("{package}: imports {}, which Baton does not provide; modules may import only {}", .imports.join(", "), super::ALLOWED_IMPORTS.join(", "))]
    ForbiddenImports {
        /// The package.
        package: String,
        /// Each forbidden import.
        imports: Vec<String>,
    },
    /// Failed to compile or to link against the contract.
    #[error("{package}: cannot be loaded: {detail}")]
    Compile {
        /// The package.
        package: String,
        /// Why.
        detail: String,
    },
    /// `describe` failed.
    #[error("{0}")]
    Describe(#[from] PluginError),
    /// `describe` returned module info the host cannot accept.
    #[error("{package}: invalid module info: {}", .problems.join("; "))]
    InvalidInfo {
        /// The package.
        package: String,
        /// Every problem found.
        problems: Vec<String>,
    },
}

/// A call into a module that did not produce a usable answer. The
/// enrollment it was called for is unchanged; the host goes on serving.
#[derive(Debug, thiserror::Error)]
#[error("module {plugin} {fault}")]
pub struct PluginError {
    /// The module.
    pub plugin: PluginName,
    /// What happened.
    pub fault: Fault,
}

/// What went wrong inside a call.
#[derive(Debug, thiserror::Error)]
pub enum Fault {
    /// Ran past its deadline and was interrupted.
    #[error("did not finish within its {0} ms time limit and was stopped")]
    Timeout(u64),
    /// Tried to grow its memory past the limit.
    #[error("tried to use more than its {0} MiB memory limit and was stopped")]
    OutOfMemory(u64),
    /// A Rust panic inside the module.
    #[error("panicked: {0}")]
    Panic(String),
    /// Any other trap.
    #[error("trapped: {0}")]
    Trap(String),
    /// Returned something the contract forbids.
    #[error("returned malformed output: {0}")]
    Malformed(String),
    /// Could not be instantiated (e.g. the host is at its instance limit).
    #[error("could not be started: {0}")]
    Instantiate(String),
}

impl Fault {
    /// A short stable name for logs and API errors.
    pub fn kind(&self) -> &'static str {
        match self {
            Fault::Timeout(_) => "timeout",
            Fault::OutOfMemory(_) => "out-of-memory",
            Fault::Panic(_) => "panic",
            Fault::Trap(_) => "trap",
            Fault::Malformed(_) => "malformed-output",
            Fault::Instantiate(_) => "instantiate",
        }
    }
}
