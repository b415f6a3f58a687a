//! Accounts and roles as JSON: who I am, first sign-in with an activation
//! code, staff accounts (one or a CSV file), resets, switching off, grants
//! and revocations, and a village's activation slips. The rules live in
//! [`crate::accounts`]; these only translate.

use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::routing::{delete, get, post};
use axum::{Json, Router};
use axum_extra::extract::CookieJar;
use baton_sdk::Role;
use serde::{Deserialize, Serialize};

use super::json_body;
use crate::accounts::{self, Activate, Issued, NewStaff, activate_and_sign_in, village_slips};
use crate::accounts::{Account, Event, Slip};
use crate::auth::Principal;
use crate::shared::{AppState, Error, Fault};

pub(super) fn router() -> Router<AppState> {
    Router::new()
        .route("/api/v1/me", get(me))
        .route("/api/v1/me/email", axum::routing::put(set_email))
        .route("/api/v1/activate", post(activate))
        .route("/api/v1/accounts", get(list).post(create))
        .route("/api/v1/accounts/import", post(import))
        .route("/api/v1/accounts/{id}", get(show))
        .route("/api/v1/accounts/{id}/reset", post(reset))
        .route("/api/v1/accounts/{id}/disable", post(disable))
        .route("/api/v1/accounts/{id}/enable", post(enable))
        .route("/api/v1/accounts/{id}/grants", post(grant))
        .route("/api/v1/accounts/{id}/grants/{grant}", delete(revoke))
        .route("/api/v1/units/{code}/slips", get(slips))
        .route("/api/v1/me/personal-data", get(my_data))
        .route("/api/v1/people/{id}/personal-data", get(their_data))
}

/// 查阅复制: everything the platform holds about me — roster particulars
/// (the full 身份证号 included), seats, accounts, what I did and signed,
/// files, notices, and who exported my data. Logged.
#[utoipa::path(get, path = "/api/v1/me/personal-data", tag = "accounts", security(("bearer" = [])),
    responses((status = 200, description = "person, seats, accounts, actions, signoffs, files, notices, access_log"), (status = 401), (status = 404)))]
pub(super) async fn my_data(
    State(state): State<AppState>,
    principal: Principal,
) -> Result<Json<serde_json::Value>, Error> {
    Ok(Json(
        crate::privacy::export(&state, &principal, None).await?,
    ))
}

/// A person's data, exported for them by a township officer or above over
/// their village (a request made at the township). Logged in their access log.
#[utoipa::path(get, path = "/api/v1/people/{id}/personal-data", tag = "accounts", security(("bearer" = [])),
    params(("id" = i64, Path, description = "The person's id")),
    responses((status = 200, description = "as /api/v1/me/personal-data"), (status = 403), (status = 404)))]
pub(super) async fn their_data(
    State(state): State<AppState>,
    principal: Principal,
    axum::extract::Path(id): axum::extract::Path<i64>,
) -> Result<Json<serde_json::Value>, Error> {
    Ok(Json(
        crate::privacy::export(&state, &principal, Some(id)).await?,
    ))
}

/// Who I am.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Me {
    /// The account.
    pub account_id: i64,
    /// Login name.
    pub username: String,
    /// The name shown to others.
    pub display_name: String,
    /// The roster person, for village people.
    pub person_id: Option<i64>,
    /// Each role with its unit's code and name.
    pub roles: Vec<MyRole>,
    /// Where reminders and escalations reach me by e-mail, if I gave one.
    pub email: Option<String>,
}

/// A role I hold.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct MyRole {
    /// The role.
    #[schema(value_type = String)]
    pub role: Role,
    /// The unit's code; none for the national administrator.
    pub unit_code: Option<String>,
    /// The unit's name.
    pub unit_name: Option<String>,
}

/// The signed-in account, its person and its roles.
#[utoipa::path(get, path = "/api/v1/me", tag = "accounts", security(("bearer" = [])),
    responses((status = 200, body = Me), (status = 401)))]
pub(super) async fn me(
    State(state): State<AppState>,
    principal: Principal,
) -> Result<Json<Me>, Error> {
    let roles = accounts::my_roles(&state.db, &principal)
        .await?
        .into_iter()
        .map(|(role, unit_code, unit_name)| MyRole {
            role,
            unit_code,
            unit_name,
        })
        .collect();
    let email = accounts::my_email(&state.db, &principal).await?;
    Ok(Json(Me {
        account_id: principal.account_id,
        username: principal.username,
        display_name: principal.display_name,
        person_id: principal.person_id,
        roles,
        email,
    }))
}

/// My e-mail address for reminders.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MyEmail {
    /// The address; empty or null removes it.
    #[serde(default)]
    pub email: Option<String>,
}

/// Sets (or removes) the e-mail address reminders and escalations reach me
/// at, through the province's SMTP server.
#[utoipa::path(put, path = "/api/v1/me/email", request_body = MyEmail, tag = "accounts",
    security(("bearer" = [])),
    responses((status = 204), (status = 400), (status = 401)))]
pub(super) async fn set_email(
    State(state): State<AppState>,
    principal: Principal,
    body: axum::body::Bytes,
) -> Result<StatusCode, Error> {
    let input: MyEmail = json_body(&body)?;
    accounts::set_my_email(&state.db, &principal, input.email.as_deref().unwrap_or("")).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// First sign-in: the code from the slip and a new password. Answers as a
/// login does (a bearer token and the session cookie).
#[utoipa::path(post, path = "/api/v1/activate", request_body = Activate, tag = "accounts",
    responses((status = 200, body = super::auth::Session), (status = 400), (status = 429)))]
pub(super) async fn activate(
    State(state): State<AppState>,
    jar: CookieJar,
    crate::shared::ClientAddr(address): crate::shared::ClientAddr,
    body: axum::body::Bytes,
) -> Result<(CookieJar, Json<super::auth::Session>), Error> {
    let input: Activate = json_body(&body)?;
    let (token, principal) = activate_and_sign_in(&state, &input, &address).await?;
    Ok((
        jar.add(crate::shared::session_cookie(&token)),
        Json(super::auth::Session {
            token,
            username: principal.username,
            display_name: principal.display_name,
            grants: principal.grants,
        }),
    ))
}

/// Which unit.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct UnitQuery {
    /// The unit's code.
    pub unit: String,
}

/// The accounts holding a role at the unit or below it (500 at most), for
/// township officers and above, in scope.
#[utoipa::path(get, operation_id = "list_accounts", path = "/api/v1/accounts", tag = "accounts", security(("bearer" = [])),
    params(UnitQuery), responses((status = 200, body = Vec<Account>), (status = 403)))]
pub(super) async fn list(
    State(state): State<AppState>,
    principal: Principal,
    Query(q): Query<UnitQuery>,
) -> Result<Json<Vec<Account>>, Error> {
    Ok(Json(
        accounts::under(&state.db, &principal, &q.unit).await?.1,
    ))
}

/// Creates a staff account with its role; answers its activation code.
#[utoipa::path(post, operation_id = "create_account", path = "/api/v1/accounts", request_body = NewStaff, tag = "accounts",
    security(("bearer" = [])), responses((status = 201, body = Issued), (status = 400), (status = 403), (status = 409)))]
pub(super) async fn create(
    State(state): State<AppState>,
    principal: Principal,
    body: axum::body::Bytes,
) -> Result<(StatusCode, Json<Issued>), Error> {
    let input: NewStaff = json_body(&body)?;
    let issued = accounts::create_staff(&state.db, Some(&principal), &input).await?;
    Ok((StatusCode::CREATED, Json(issued)))
}

/// Creates staff accounts from a CSV body (`username,name,phone,role,unit_code`
/// or `用户名,姓名,电话,角色,单位代码`, UTF-8 or GB18030), all or nothing.
#[utoipa::path(post, operation_id = "import_staff", path = "/api/v1/accounts/import", request_body(content = String, content_type = "text/csv"),
    tag = "accounts", security(("bearer" = [])),
    responses((status = 201, body = Vec<Issued>), (status = 422)))]
pub(super) async fn import(
    State(state): State<AppState>,
    principal: Principal,
    body: axum::body::Bytes,
) -> Result<(StatusCode, Json<Vec<Issued>>), Error> {
    let issued = accounts::import_staff(&state.db, Some(&principal), &body)
        .await
        .map_err(Fault::Rows)?;
    Ok((StatusCode::CREATED, Json(issued)))
}

/// An account, with its log.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct AccountLog {
    /// The account.
    #[serde(flatten)]
    pub account: Account,
    /// Every change to it, oldest first.
    pub events: Vec<Event>,
}

/// An account and its log, for whoever may manage it.
#[utoipa::path(get, operation_id = "show_account", path = "/api/v1/accounts/{id}", tag = "accounts", security(("bearer" = [])),
    params(("id" = i64, Path)), responses((status = 200, body = AccountLog), (status = 403), (status = 404)))]
pub(super) async fn show(
    State(state): State<AppState>,
    principal: Principal,
    Path(id): Path<i64>,
) -> Result<Json<AccountLog>, Error> {
    let (account, events) = accounts::with_log(&state.db, &principal, id).await?;
    Ok(Json(AccountLog { account, events }))
}

/// A superior's reset: the password stops working, the person's sessions
/// end, and a new activation code is answered.
#[utoipa::path(post, operation_id = "reset_account", path = "/api/v1/accounts/{id}/reset", tag = "accounts", security(("bearer" = [])),
    params(("id" = i64, Path)), responses((status = 200, body = Issued), (status = 403)))]
pub(super) async fn reset(
    State(state): State<AppState>,
    principal: Principal,
    Path(id): Path<i64>,
) -> Result<Json<Issued>, Error> {
    let issued = accounts::reset(&state, Some(&principal), id).await?;
    Ok(Json(issued))
}

/// Switches an account off; its sessions end at once.
#[utoipa::path(post, operation_id = "disable_account", path = "/api/v1/accounts/{id}/disable", tag = "accounts", security(("bearer" = [])),
    params(("id" = i64, Path)), responses((status = 200, body = Account), (status = 403)))]
pub(super) async fn disable(
    State(state): State<AppState>,
    principal: Principal,
    Path(id): Path<i64>,
) -> Result<Json<Account>, Error> {
    let account = accounts::set_disabled(&state, Some(&principal), id, true).await?;
    Ok(Json(account))
}

/// Switches an account back on.
#[utoipa::path(post, operation_id = "enable_account", path = "/api/v1/accounts/{id}/enable", tag = "accounts", security(("bearer" = [])),
    params(("id" = i64, Path)), responses((status = 200, body = Account), (status = 403)))]
pub(super) async fn enable(
    State(state): State<AppState>,
    principal: Principal,
    Path(id): Path<i64>,
) -> Result<Json<Account>, Error> {
    Ok(Json(
        accounts::set_disabled(&state, Some(&principal), id, false).await?,
    ))
}

/// A role to give.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewGrant {
    /// `province-admin`, `city-officer`, `county-trainer` or `township-officer`.
    #[schema(value_type = String)]
    pub role: Role,
    /// Where.
    pub unit_code: String,
}

/// Gives an account a staff role, within the actor's scope and never above
/// their own.
#[utoipa::path(post, operation_id = "grant_role", path = "/api/v1/accounts/{id}/grants", request_body = NewGrant, tag = "accounts",
    security(("bearer" = [])), params(("id" = i64, Path)),
    responses((status = 200, body = Account), (status = 400), (status = 403)))]
pub(super) async fn grant(
    State(state): State<AppState>,
    principal: Principal,
    Path(id): Path<i64>,
    body: axum::body::Bytes,
) -> Result<Json<Account>, Error> {
    let input: NewGrant = json_body(&body)?;
    let account =
        accounts::grant(&state, Some(&principal), id, input.role, &input.unit_code).await?;
    Ok(Json(account))
}

/// Takes a role away; the account's sessions end.
#[utoipa::path(delete, operation_id = "revoke_role", path = "/api/v1/accounts/{id}/grants/{grant}", tag = "accounts",
    security(("bearer" = [])), params(("id" = i64, Path), ("grant" = i64, Path)),
    responses((status = 200, body = Account), (status = 403), (status = 404)))]
pub(super) async fn revoke(
    State(state): State<AppState>,
    principal: Principal,
    Path((id, grant)): Path<(i64, i64)>,
) -> Result<Json<Account>, Error> {
    let account = accounts::revoke(&state, Some(&principal), id, grant).await?;
    Ok(Json(account))
}

/// The village's activation slips, for its township officer and above.
#[utoipa::path(get, operation_id = "village_slips", path = "/api/v1/units/{code}/slips", tag = "accounts", security(("bearer" = [])),
    params(("code" = String, Path)), responses((status = 200, body = Vec<Object>), (status = 403)))]
pub(super) async fn slips(
    State(state): State<AppState>,
    principal: Principal,
    Path(code): Path<String>,
) -> Result<Json<Vec<Slip>>, Error> {
    Ok(Json(village_slips(&state, &principal, &code).await?.1))
}
