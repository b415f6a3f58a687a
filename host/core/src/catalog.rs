//! The shared catalog. A province offers a version of a module it owns (one
//! configured in the console, or an uploaded package) to the others; the
//! national administrator reviews what it asks of whom, its reviewers, its
//! size and contract and what changed since the last approved version, and
//! approves it or refuses it with a reason; any other province may then
//! adopt an approved version. Adopting a configured module makes the
//! adopting province a module of its own from the definition (changed or
//! not); adopting a package lets the province assign it. Provenance is
//! kept; an author's later versions are offered, never forced.

use std::collections::BTreeMap;

use baton_sdk::{Locale, Role, Text};
use serde::Deserialize;
use serde_json::{Value, json};

use crate::auth::Principal;
use crate::clock::now;
use crate::db::catalog::{self, Adoption};
use crate::db::{org_units, plugins};
use crate::definitions::NewDefinition;
use crate::error::Error;
use crate::state::AppState;

/// A version to offer.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Offer {
    /// The module: one the offering province owns.
    pub module: String,
    /// Its version.
    pub version: String,
    /// What the author says about it, for the reviewer and the adopters.
    #[serde(default)]
    pub note: String,
}

/// The nation's decision.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Review {
    /// The module.
    pub module: String,
    /// The version offered.
    pub version: String,
    /// Approve; false refuses.
    pub approve: bool,
    /// Why: required to refuse.
    #[serde(default)]
    pub reason: String,
}

/// A province taking up an approved version.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Adopt {
    /// The module.
    pub module: String,
    /// The approved version.
    pub version: String,
    /// The adopting province; default: the adopter's own.
    #[serde(default)]
    pub province: Option<String>,
    /// For a configured module: the definition as this province wants it
    /// (default: the author's, unchanged).
    #[cfg_attr(feature = "openapi", schema(value_type = Object))]
    #[serde(default)]
    pub definition: Option<Value>,
}

fn is_nation(principal: &Principal) -> bool {
    principal
        .grants
        .iter()
        .any(|g| g.role == Role::NationalAdmin)
}

fn no_such(module: &str, version: &str) -> Error {
    Error::not_found(
        format!("目录中没有 {module}@{version}"),
        format!("the catalog has no {module}@{version}"),
    )
}

/// Offers a version the province owns to the other provinces.
pub async fn offer(state: &AppState, principal: &Principal, input: Offer) -> Result<(), Error> {
    let owner = crate::publishing::stored(state, &input.module, &input.version)
        .await?
        .owner
        .ok_or_else(|| {
            Error::Forbidden(Text::new(
                "平台内置和全国模块已供各省使用，不必提交目录",
                "built-in and national modules are every province's already",
            ))
        })?;
    crate::definitions::province(state, principal, Some(&owner)).await?;
    let note = input.note.trim();
    if !catalog::offer(
        &state.db,
        &input.module,
        &input.version,
        &owner,
        note,
        now(),
    )
    .await?
    {
        return Err(Error::Conflict(Text::new(
            format!("{}@{} 已提交过目录", input.module, input.version),
            format!("{}@{} was offered already", input.module, input.version),
        )));
    }
    Ok(())
}

/// The nation approves or refuses an offered version.
pub async fn review(state: &AppState, principal: &Principal, input: Review) -> Result<(), Error> {
    if !is_nation(principal) {
        return Err(Error::Forbidden(Text::new(
            "只有全国管理员审核目录",
            "only the national administrator reviews the catalog",
        )));
    }
    let reason = input.reason.trim();
    if !input.approve && reason.is_empty() {
        return Err(Error::bad(
            "reason",
            "不予通过时请写明理由，作者会看到",
            "say why it is refused: the author will read it",
        ));
    }
    let entry = catalog::get(&state.db, &input.module, &input.version)
        .await?
        .ok_or_else(|| no_such(&input.module, &input.version))?;
    let reviewed = catalog::review(
        &state.db,
        &entry.module,
        &entry.version,
        input.approve,
        reason,
        principal.account_id,
        now(),
    )
    .await?;
    if !reviewed {
        return Err(Error::Conflict(Text::new(
            format!("{}@{} 已审核过", entry.module, entry.version),
            format!("{}@{} was reviewed already", entry.module, entry.version),
        )));
    }
    Ok(())
}

/// Adopts an approved version into the adopter's province; answers the
/// module the province runs it as.
pub async fn adopt(state: &AppState, principal: &Principal, input: Adopt) -> Result<String, Error> {
    let province =
        crate::definitions::province(state, principal, input.province.as_deref()).await?;
    let entry = catalog::get(&state.db, &input.module, &input.version)
        .await?
        .ok_or_else(|| no_such(&input.module, &input.version))?;
    if entry.status != "approved" {
        return Err(Error::Conflict(Text::new(
            format!(
                "{}@{} 未经全国管理员审核通过，不能采用",
                entry.module, entry.version
            ),
            format!(
                "{}@{} is not approved by the national administrator; it cannot be adopted",
                entry.module, entry.version
            ),
        )));
    }
    if entry.offered_by == province {
        return Err(Error::Conflict(Text::new(
            "这是本省自己的模块，不必采用",
            "this is your own province's module",
        )));
    }
    let taken = catalog::adoptions(&state.db)
        .await?
        .into_iter()
        .any(|a| a.province == province && a.module == entry.module && a.version == entry.version);
    if taken {
        return Err(Error::Conflict(Text::new(
            format!("本省已采用 {}@{}", entry.module, entry.version),
            format!(
                "your province has adopted {}@{} already",
                entry.module, entry.version
            ),
        )));
    }
    let (kind, definition, _) = plugins::definition_of(&state.db, &entry.module, &entry.version)
        .await?
        .ok_or_else(|| no_such(&entry.module, &entry.version))?;
    let adopted_as = match (kind, definition) {
        (Some(kind), Some(original)) => {
            let saved = crate::definitions::save(
                state,
                principal,
                NewDefinition {
                    province: Some(province.clone()),
                    module: None,
                    kind,
                    definition: input.definition.unwrap_or(original),
                },
            )
            .await?;
            saved.id
        }
        _ => {
            if input.definition.is_some() {
                return Err(Error::bad(
                    "definition",
                    "这是上传的模块包，没有可修改的定义",
                    "this is an uploaded package; it has no definition to change",
                ));
            }
            entry.module.clone()
        }
    };
    let adoption = Adoption {
        province,
        module: entry.module,
        version: entry.version,
        adopted_as: adopted_as.clone(),
    };
    catalog::adopt(&state.db, &adoption, principal.account_id, now()).await?;
    Ok(adopted_as)
}

/// Whether `province` may assign package `module@version`: it adopted it.
pub async fn adopted(
    state: &AppState,
    province: &str,
    module: &str,
    version: &str,
) -> Result<bool, Error> {
    Ok(catalog::adopted(&state.db, province, module, version).await?)
}

/// The catalog as `principal` sees it, in `locale`: the nation every entry
/// (with what a review needs); a province the approved ones and its own
/// offers. Each with its author, what it asks of whom, where it is in use
/// and how many completed it; for a province, whether it may adopt it and
/// whether a newer approved version of one it adopted waits.
pub async fn list(
    state: &AppState,
    principal: &Principal,
    locale: Locale,
) -> Result<Vec<Value>, Error> {
    let nation = is_nation(principal);
    let mine: Option<String> = principal
        .grants
        .iter()
        .find(|g| g.role == Role::ProvinceAdmin)
        .and_then(|g| g.unit_code.clone());
    if !nation && mine.is_none() {
        return Err(Error::forbidden());
    }
    let entries = catalog::all(&state.db).await?;
    let adoptions = catalog::adoptions(&state.db).await?;
    let packages = plugins::list(&state.db).await?;
    let mut out = Vec::new();
    let mut last_approved: BTreeMap<String, Value> = BTreeMap::new();
    for e in &entries {
        let (kind, definition, size) = plugins::definition_of(&state.db, &e.module, &e.version)
            .await?
            .unwrap_or((None, None, 0));
        // What changed since the last approved version: definitions by
        // field, packages by their info.
        let now_shape = definition.clone().unwrap_or_else(|| {
            packages
                .iter()
                .find(|p| p.id == e.module && p.version == e.version)
                .map_or(Value::Null, |p| json!(p.info))
        });
        let changes = last_approved
            .get(&e.module)
            .map(|before| diff(before, &now_shape));
        if e.status == "approved" {
            last_approved.insert(e.module.clone(), now_shape);
        }
        let visible =
            nation || e.status == "approved" || mine.as_deref() == Some(e.offered_by.as_str());
        if !visible {
            continue;
        }
        let Some(package) = packages
            .iter()
            .find(|p| p.id == e.module && p.version == e.version)
        else {
            continue;
        };
        let info = &package.info;
        let author = org_units::get(&state.db, &e.offered_by)
            .await?
            .map_or_else(|| e.offered_by.clone(), |(u, _)| u.name);
        let taken: Vec<&Adoption> = adoptions
            .iter()
            .filter(|a| a.module == e.module && a.version == e.version)
            .collect();
        let mut runs_as: Vec<String> = vec![e.module.clone()];
        runs_as.extend(taken.iter().map(|a| a.adopted_as.clone()));
        runs_as.sort();
        runs_as.dedup();
        let (mut enrolled, mut completed) = (0, 0);
        for id in &runs_as {
            let (n, done) = catalog::usage(&state.db, id).await?;
            enrolled += n;
            completed += done;
        }
        let contract = state
            .plugin(&e.module, &e.version)
            .await
            .map(|m| m.contract().as_str().to_owned())
            .unwrap_or_default();
        let adopted_here = mine
            .as_ref()
            .is_some_and(|p| taken.iter().any(|a| &a.province == p));
        let adoptable = mine.as_ref().is_some_and(|p| p != &e.offered_by)
            && e.status == "approved"
            && !adopted_here;
        out.push(json!({
            "module": e.module,
            "version": e.version,
            "title": info.title.get(locale),
            "summary": info.summary.get(locale),
            "kind": kind,
            "author": e.offered_by,
            "author_name": author,
            "note": e.note,
            "status": e.status,
            "reason": e.reason,
            "asks": info.actions.iter().map(|a| a.title.get(locale).to_owned()).collect::<Vec<_>>(),
            "who": who_acts(definition.as_ref()),
            "reviewers": info.reviewers,
            "size": size,
            "contract": contract,
            "changes": changes,
            "adopted_by": taken.iter().map(|a| a.province.clone()).collect::<Vec<_>>(),
            "enrolled": enrolled,
            "completed": completed,
            "adoptable": adoptable,
            "adopted_here": adopted_here,
            "definition": definition,
        }));
    }
    // A province that adopted a version hears of the author's newer
    // approved ones: offered, never forced.
    if let Some(p) = &mine {
        let newest: BTreeMap<&str, &str> = entries
            .iter()
            .filter(|e| e.status == "approved")
            .map(|e| (e.module.as_str(), e.version.as_str()))
            .collect();
        for item in &mut out {
            let module = item["module"].as_str().unwrap_or_default().to_owned();
            let adopted = adoptions
                .iter()
                .any(|a| &a.province == p && a.module == module && a.version == item["version"]);
            if adopted
                && let Some(newer) = newest.get(module.as_str())
                && *newer != item["version"]
            {
                item["newer"] = json!(newer);
            }
        }
    }
    Ok(out)
}

/// The roles a definition's steps name (`who`, `confirm`), once each.
fn who_acts(definition: Option<&Value>) -> Vec<String> {
    let mut roles: Vec<String> = Vec::new();
    for step in definition
        .and_then(|d| d["steps"].as_array())
        .into_iter()
        .flatten()
    {
        for key in ["who", "confirm"] {
            if let Some(r) = step[key].as_str().filter(|r| *r != "nobody")
                && !roles.iter().any(|x| x == r)
            {
                roles.push(r.to_owned());
            }
        }
    }
    roles
}

/// What differs between two JSON documents, leaf by leaf (`steps.2.title.zh:
/// 座谈 → 座谈并听取意见`), at most 50 lines.
pub fn diff(before: &Value, after: &Value) -> Vec<String> {
    fn leaves(v: &Value, path: &str, out: &mut BTreeMap<String, String>) {
        let at = |k: &str| {
            if path.is_empty() {
                k.to_owned()
            } else {
                format!("{path}.{k}")
            }
        };
        match v {
            Value::Object(map) => map.iter().for_each(|(k, x)| leaves(x, &at(k), out)),
            Value::Array(items) => items
                .iter()
                .enumerate()
                .for_each(|(i, x)| leaves(x, &at(&i.to_string()), out)),
            Value::String(s) => {
                out.insert(path.to_owned(), s.clone());
            }
            other => {
                out.insert(path.to_owned(), other.to_string());
            }
        }
    }
    let (mut a, mut b) = (BTreeMap::new(), BTreeMap::new());
    leaves(before, "", &mut a);
    leaves(after, "", &mut b);
    let mut keys: Vec<&String> = a.keys().chain(b.keys()).collect();
    keys.sort();
    keys.dedup();
    keys.into_iter()
        .filter_map(|k| match (a.get(k), b.get(k)) {
            (Some(x), Some(y)) if x == y => None,
            (Some(x), Some(y)) => Some(format!("{k}: {x} → {y}")),
            (Some(x), None) => Some(format!("{k}: {x} → —")),
            (None, Some(y)) => Some(format!("{k}: — → {y}")),
            (None, None) => None,
        })
        .take(50)
        .collect()
}
