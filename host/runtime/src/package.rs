//! What can be read off a package's bytes before compiling it.

use sha2::{Digest, Sha256};
use wasmparser::{Parser, Payload};

use super::LoadError;

/// The custom section carrying `crate@version`, stamped by `export_module!`.
pub const PACKAGE_SECTION: &str = "baton:package";

/// The contract's interface, as a component imports it: `…@0.3.0`.
const TYPES_IMPORT: &str = "baton:module/types@";

/// Facts read from a package without compiling it.
#[derive(Debug, Clone)]
pub struct Stamp {
    /// sha256 of the bytes.
    pub sha256: [u8; 32],
    /// The contract version, from the `baton:contract` section, or else
    /// from the version of the `baton:module/types` interface it imports
    /// (a component built by another language's tools carries no section).
    pub contract: String,
    /// How to name the package in errors until `describe` names it.
    pub label: String,
}

/// Reads the package's stamps. Custom sections live in the component's
/// core module, so nested modules are searched too.
pub fn read(bytes: &[u8]) -> Result<Stamp, LoadError> {
    let sha256: [u8; 32] = Sha256::digest(bytes).into();
    let mut label = format!("package sha256:{}", &hex::encode(sha256)[..12]);
    if !Parser::is_component(bytes) {
        let detail = if Parser::is_core_wasm(bytes) {
            "it is a core module"
        } else {
            "no component header"
        };
        return Err(LoadError::NotAComponent {
            package: label,
            detail: detail.into(),
        });
    }
    let mut contract = None;
    let mut imported = None;
    let mut package = None;
    for payload in Parser::new(0).parse_all(bytes) {
        let payload = payload.map_err(|e| LoadError::NotAComponent {
            package: label.clone(),
            detail: e.to_string(),
        })?;
        match payload {
            Payload::CustomSection(section) => {
                let text = || String::from_utf8_lossy(section.data()).trim().to_owned();
                match section.name() {
                    baton_sdk::CONTRACT_SECTION => contract = Some(text()),
                    PACKAGE_SECTION => package = Some(text()),
                    _ => {}
                }
            }
            Payload::ComponentImportSection(imports) => {
                for import in imports.into_iter().flatten() {
                    if let Some(version) = import.name.name.strip_prefix(TYPES_IMPORT) {
                        imported = Some(version.to_owned());
                    }
                }
            }
            _ => {}
        }
    }
    let contract = contract.or(imported);
    if let Some(package) = package {
        label = package;
    }
    let Some(contract) = contract else {
        return Err(LoadError::NoContract { package: label });
    };
    Ok(Stamp {
        sha256,
        contract,
        label,
    })
}
