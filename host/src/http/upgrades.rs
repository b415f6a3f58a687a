//! `POST /api/v1/upgrades`: replaying enrollments against another version of
//! their module and moving the chosen ones (see [`crate::upgrade`]).

use axum::extract::State;
use axum::routing::post;
use axum::{Json, Router};

use super::{AppState, Error, json_body};
use crate::acting::unit_in_scope;
use crate::auth::{Capability, Principal};
use crate::db::plugins;
use crate::upgrade::{Report, UpgradeRequest};

pub(super) fn router() -> Router<AppState> {
    Router::new().route("/api/v1/upgrades", post(upgrade))
}

/// Replays enrollments against another version of their module, and moves
/// the chosen ones. Province and national administrators, in scope.
#[utoipa::path(post, path = "/api/v1/upgrades", tag = "modules", request_body = UpgradeRequest,
    responses((status = 200, body = Report), (status = 400), (status = 403)),
    security(("bearer" = [])))]
pub(super) async fn upgrade(
    State(state): State<AppState>,
    principal: Principal,
    body: axum::body::Bytes,
) -> Result<Json<Report>, Error> {
    let input: UpgradeRequest = json_body(&body)?;
    let (_, path) = unit_in_scope(&state, &principal, &input.unit, Capability::Assign).await?;
    let versions = plugins::versions(&state.db, &input.module).await?;
    for (field, version) in [("from", &input.from), ("to", &input.to)] {
        let stored = versions
            .iter()
            .find(|v| &v.version == version)
            .ok_or_else(|| {
                Error::bad(
                    field,
                    format!("没有模块 {}@{version}", input.module),
                    format!("no module {}@{version}", input.module),
                )
            })?;
        if let Some(owner) = &stored.owner
            && !path.starts_with(&format!("/{owner}/"))
        {
            return Err(Error::forbidden());
        }
    }
    if input.from == input.to {
        return Err(Error::bad(
            "to",
            "新旧版本相同",
            "is the same version as `from`",
        ));
    }
    let report =
        crate::upgrade::run(&state, &input, &path, crate::upgrade::BATCH, |_, _| {}).await?;
    Ok(Json(report))
}
