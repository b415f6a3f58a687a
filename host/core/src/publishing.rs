//! Publishing a module package: checked, owned by a province (or the
//! nation), versions only going up, every publish in the audit trail.

use baton_sdk::Text;
use serde::Serialize;

use crate::auth::{Capability, Principal, Target, authorize};
use crate::clock::now;
use crate::db::org_units::{self, Level};
use crate::db::plugins;
pub use crate::db::plugins::Package;
use crate::error::Error;
use crate::registry;
use crate::state::AppState;

/// Every published package, by id then version, with its info.
pub async fn packages(state: &AppState) -> Result<Vec<Package>, Error> {
    Ok(plugins::list(&state.db).await?)
}

/// Stored package `id@version`, or a 400 naming `version`.
pub async fn stored(state: &AppState, id: &str, version: &str) -> Result<Package, Error> {
    plugins::package(&state.db, id, version)
        .await?
        .ok_or_else(|| {
            Error::bad(
                "version",
                format!("没有模块 {id}@{version}"),
                format!("no module {id}@{version}"),
            )
        })
}

/// What a publish answers.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Serialize)]
pub struct Published {
    /// Module id.
    pub id: String,
    /// The version published.
    pub version: String,
    /// sha256 of the package, hex.
    pub sha256: String,
    /// The owning province; absent for a national module.
    pub owner: Option<String>,
}

/// Checks and stores a package for `province` (the publisher's own by
/// default; `None` with no province grant: national).
pub async fn publish_package(
    state: &AppState,
    principal: &Principal,
    province: Option<String>,
    body: &[u8],
) -> Result<Published, Error> {
    let owner = match province {
        Some(code) => Some(code),
        None => principal
            .grants
            .iter()
            .find(|g| g.role == baton_sdk::Role::ProvinceAdmin)
            .and_then(|g| g.unit_code.clone()),
    };
    let path = match &owner {
        Some(code) => match org_units::get(&state.db, code).await? {
            Some((unit, path)) if unit.level == Level::Province => path,
            _ => {
                return Err(Error::bad(
                    "province",
                    format!("{code} 不是省级单位代码"),
                    format!("{code} is not a province's code"),
                ));
            }
        },
        // A national module: only a national grant covers the empty path.
        None => String::new(),
    };
    let target = Target::unit(&path);
    authorize(principal, Capability::Publish, target).ok_or_else(Error::forbidden)?;
    let plugin = registry::validate(&state.runtime, body)
        .await
        .map_err(Error::InvalidPackage)?;
    // Signed by the owner's own key, unchanged since (required once the
    // owner has a key).
    let signed_by = crate::signing::check_publish(&state.db, owner.as_deref(), body).await?;
    let (id, version) = (&plugin.info().id, &plugin.info().version);
    let new = semver::Version::parse(version).map_err(anyhow::Error::from)?;
    for stored in plugins::versions(&state.db, id).await? {
        if stored.built_in || stored.owner != owner {
            let whose = match (&stored.owner, stored.built_in) {
                (_, true) => Text::new("平台内置模块", "a built-in module"),
                (Some(code), _) => Text::new(format!("{code} 所有"), format!("owned by {code}")),
                (None, _) => Text::new("全国模块", "a national module"),
            };
            return Err(Error::Forbidden(Text::new(
                format!("模块 {id} 是{}，不能以此身份发布", whose.zh),
                format!("module {id} is {}; you cannot publish it", whose.en),
            )));
        }
        let old = semver::Version::parse(&stored.version).map_err(anyhow::Error::from)?;
        if old >= new {
            return Err(Error::Conflict(Text::new(
                format!("{id} 已有版本 {old}，新版本号必须更大（版本从不覆盖）"),
                format!(
                    "{id} already has version {old}; a new version must be greater (versions are never overwritten)"
                ),
            )));
        }
    }
    let package = Package {
        id: id.clone(),
        version: version.clone(),
        sha256: hex::encode(plugin.sha256()),
        owner: owner.clone(),
        built_in: false,
        info: plugin.info().clone(),
    };
    let signer = signed_by.as_deref();
    if !plugins::publish(
        &state.db,
        &package,
        body,
        signer,
        principal.account_id,
        now(),
    )
    .await?
    {
        return Err(Error::Conflict(Text::new(
            format!("{id}@{version} 刚刚已被发布"),
            format!("{id}@{version} was published a moment ago"),
        )));
    }
    Ok(Published {
        id: package.id,
        version: package.version,
        sha256: package.sha256,
        owner,
    })
}
