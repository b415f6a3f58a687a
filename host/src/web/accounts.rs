//! Accounts in the browser: the first sign-in with an activation code, the
//! accounts page (people under a unit, new staff one by one or from a CSV
//! file, resets, switching off and on) and a village's activation slips,
//! ready to print. The rules are [`crate::accounts`]'s.

use axum::Form;
use axum::extract::{Multipart, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum_extra::extract::CookieJar;
use baton_sdk::Role;
use serde::Deserialize;
use serde_json::{Value, json};

use super::date;
use super::page::{self, Visit};
use crate::accounts::Level;
use crate::accounts::{self, Issued, NewStaff};
use crate::accounts::{Activate, activate_and_sign_in, village_slips};
use crate::auth::rank;
use crate::i18n::t;
use crate::shared::{AppState, Error, Fault};

/// `/activate?username=…`: the first sign-in form.
#[derive(Debug, Default, Deserialize)]
pub(super) struct ActivateQuery {
    username: Option<String>,
}

pub(super) async fn activate_page(jar: CookieJar, Query(q): Query<ActivateQuery>) -> Response {
    activate_form(
        &jar,
        q.username.as_deref().unwrap_or(""),
        "",
        None,
        StatusCode::OK,
    )
}

fn activate_form(
    jar: &CookieJar,
    username: &str,
    code: &str,
    problem: Option<Value>,
    status: StatusCode,
) -> Response {
    let locale = page::locale(jar);
    page::anonymous(
        status,
        "activate",
        locale,
        "/activate",
        &t(locale, "activate.title", &[]),
        json!({"username": username, "code": code, "problem": problem, "min": accounts::MIN_PASSWORD}),
    )
}

/// The first sign-in form's fields.
#[derive(Debug, Deserialize)]
pub(super) struct ActivateForm {
    #[serde(default)]
    username: String,
    #[serde(default)]
    code: String,
    #[serde(default)]
    password: String,
    #[serde(default)]
    again: String,
}

pub(super) async fn activate(
    State(state): State<AppState>,
    jar: CookieJar,
    headers: HeaderMap,
    crate::shared::ClientAddr(address): crate::shared::ClientAddr,
    Form(form): Form<ActivateForm>,
) -> Response {
    let locale = page::locale(&jar);
    let refuse = |field: &str, message: String, status| {
        // A refused password keeps the code; a refused code is typed again.
        let code = if field == "code" {
            ""
        } else {
            form.code.as_str()
        };
        activate_form(
            &jar,
            &form.username,
            code,
            Some(json!({"field": field, "message": message})),
            status,
        )
    };
    if super::session::cross_site(&headers) {
        return refuse("code", t(locale, "error.csrf", &[]), StatusCode::FORBIDDEN);
    }
    if form.password != form.again {
        return refuse(
            "again",
            t(locale, "activate.differ", &[]),
            StatusCode::BAD_REQUEST,
        );
    }
    let input = Activate {
        username: form.username.trim().to_owned(),
        code: form.code.trim().to_owned(),
        password: form.password.clone(),
    };
    match activate_and_sign_in(&state, &input, &address).await {
        Ok((token, principal)) => (
            jar.clone().add(crate::shared::session_cookie(&token)),
            Redirect::to(super::session::home(&principal)),
        )
            .into_response(),
        Err(e) => {
            let field = e.field().unwrap_or("code").to_owned();
            refuse(&field, e.message(locale), crate::shared::status_of(&e))
        }
    }
}

/// Which unit the accounts page shows.
#[derive(Debug, Default, Deserialize)]
pub(super) struct UnitQuery {
    unit: Option<String>,
}

pub(super) async fn list(
    State(state): State<AppState>,
    visit: Visit,
    Query(q): Query<UnitQuery>,
) -> Result<Response, Error> {
    let unit = match q.unit {
        Some(u) => u,
        None => accounts::home_unit(&state.db, &visit.principal).await?,
    };
    page(&state, &visit, &unit, StatusCode::OK, json!({})).await
}

/// The accounts page for `unit`, with `extra` (issued codes, a form's
/// problem and input) on top.
async fn page(
    state: &AppState,
    visit: &Visit,
    unit: &str,
    status: StatusCode,
    extra: Value,
) -> Result<Response, Error> {
    let accounts::Directory {
        unit: this,
        accounts: found,
        children,
        up,
    } = accounts::directory(&state.db, &visit.principal, unit).await?;
    let name = this.name.clone();
    let people: Vec<Value> = found
        .iter()
        .map(|a| {
            let roles: Vec<Value> = a
                .grants
                .iter()
                .map(|g| {
                    let label = format!(
                        "{} · {}",
                        visit.t(&format!("role.{}", g.role.as_str())),
                        g.unit_name.as_deref().unwrap_or("")
                    );
                    let revocable = accounts::revocable(&visit.principal, a, g);
                    json!({"label": label, "grant": g.id, "revocable": revocable})
                })
                .collect();
            let status = if a.disabled {
                "disabled"
            } else if a.activated {
                "active"
            } else {
                "waiting"
            };
            json!({
                "id": a.id, "name": a.display_name, "username": a.username, "roles": roles,
                "status": status, "status_label": visit.t(&format!("accounts.status.{status}")),
                "disabled": a.disabled, "mine": a.id == visit.principal.account_id,
            })
        })
        .collect();
    let children: Vec<Value> = children
        .iter()
        .map(|u| {
            json!({
                "name": u.name, "href": format!("/accounts?unit={}", u.code),
                "slips": (u.level == Level::Village).then(|| format!("/slips?unit={}", u.code)),
            })
        })
        .collect();
    let grantable: Vec<Value> = crate::auth::STAFF
        .iter()
        .filter(|r| may_grant_somewhere(visit, **r))
        .map(|r| json!({"value": (*r).as_str(), "label": visit.t(&format!("role.{}", (*r).as_str()))}))
        .collect();
    let mut data = json!({
        "unit": {"code": unit, "name": name},
        "slips": (this.level == Level::Village).then(|| format!("/slips?unit={unit}")),
        "up": up.map(|p| format!("/accounts?unit={p}")),
        "people": people,
        "children": children,
        "grantable": grantable,
        "can_create": !grantable.is_empty(),
        "can_upload_roster": may_grant_somewhere(visit, Role::TownshipOfficer),
    });
    if let (Some(d), Value::Object(extra)) = (data.as_object_mut(), extra) {
        d.extend(extra);
    }
    let title = visit.t("accounts.title");
    Ok(visit.page_with(status, "accounts", &title, data))
}

fn may_grant_somewhere(visit: &Visit, role: Role) -> bool {
    visit.principal.grants.iter().any(|g| match g.role {
        Role::NationalAdmin | Role::ProvinceAdmin => rank(role) <= rank(g.role),
        Role::CityOfficer | Role::CountyTrainer => rank(role) < rank(g.role),
        _ => false,
    })
}

fn issued_rows(issued: &[Issued]) -> Value {
    json!(issued
        .iter()
        .map(|i| json!({"name": i.name, "username": i.username, "code": i.code, "expires": date(i.expires_at)}))
        .collect::<Vec<_>>())
}

/// The new-staff and grant forms: a login name, a role and a unit (and, for
/// a new account, a name and a phone).
#[derive(Debug, Deserialize, Clone, serde::Serialize)]
pub(super) struct RoleForm {
    #[serde(rename = "_csrf", default, skip_serializing)]
    csrf: Option<String>,
    #[serde(default)]
    username: String,
    #[serde(default)]
    name: String,
    #[serde(default)]
    phone: String,
    #[serde(default)]
    role: String,
    #[serde(default)]
    unit_code: String,
    #[serde(default)]
    back: String,
}

impl RoleForm {
    fn role(&self) -> Result<Role, Fault> {
        accounts::parse_staff_role(&self.role)
            .ok_or_else(|| Fault::bad("role", "请选择角色", "choose a role"))
    }
}

/// The page again with `form`'s input kept and `e`'s message beside its
/// field (`prefix` tells the two forms apart); a fault stays a fault.
async fn refused(
    state: &AppState,
    visit: &Visit,
    form: &RoleForm,
    prefix: &str,
    e: Error,
) -> Result<Response, Error> {
    match e {
        Error(e @ (Fault::BadRequest { .. } | Fault::Forbidden(_) | Fault::Conflict(_))) => {
            let field = e.field().unwrap_or("username").to_owned();
            let extra = json!({
                format!("{prefix}_input"): form,
                format!("{prefix}_errors"): {field: e.message(visit.locale)},
            });
            page(
                state,
                visit,
                &form.back,
                crate::shared::status_of(&e),
                extra,
            )
            .await
        }
        e => Err(e),
    }
}

pub(super) async fn create(
    State(state): State<AppState>,
    visit: Visit,
    Form(form): Form<RoleForm>,
) -> Result<Response, Error> {
    visit.check(form.csrf.as_deref())?;
    let created = async {
        let input = NewStaff {
            username: form.username.trim().to_owned(),
            name: form.name.trim().to_owned(),
            phone: Some(form.phone.trim().to_owned()).filter(|p| !p.is_empty()),
            role: form.role()?,
            unit_code: form.unit_code.trim().to_owned(),
        };
        accounts::create_staff(&state.db, Some(&visit.principal), &input).await
    };
    match created.await {
        Ok(issued) => {
            let extra = json!({"issued": issued_rows(&[issued])});
            page(&state, &visit, &form.back, StatusCode::CREATED, extra).await
        }
        Err(e) => refused(&state, &visit, &form, "staff", e.into()).await,
    }
}

pub(super) async fn grant(
    State(state): State<AppState>,
    visit: Visit,
    Form(form): Form<RoleForm>,
) -> Result<Response, Error> {
    visit.check(form.csrf.as_deref())?;
    let granted = async {
        let role = form.role()?;
        let id = accounts::named(&state.db, form.username.trim()).await?.id;
        let account = accounts::grant(
            &state,
            Some(&visit.principal),
            id,
            role,
            form.unit_code.trim(),
        )
        .await?;
        Ok::<_, Error>(account)
    };
    match granted.await {
        Ok(account) => {
            done(
                &state,
                &visit,
                &form.back,
                "accounts.granted",
                account.display_name,
            )
            .await
        }
        Err(e) => refused(&state, &visit, &form, "grant", e).await,
    }
}

/// An uploaded file and the form's other fields.
struct Upload {
    csrf: Option<String>,
    back: String,
    fields: std::collections::HashMap<String, String>,
    file: Vec<u8>,
}

async fn upload(mut form: Multipart) -> Result<Upload, Error> {
    let incomplete = |e: axum::extract::multipart::MultipartError| {
        Error::bad(
            "file",
            "上传未完成，请重试",
            format!("the upload did not complete: {e}"),
        )
    };
    let mut up = Upload {
        csrf: None,
        back: String::new(),
        fields: std::collections::HashMap::new(),
        file: Vec::new(),
    };
    while let Some(field) = form.next_field().await.map_err(incomplete)? {
        match field.name().map(str::to_owned).as_deref() {
            Some("_csrf") => up.csrf = field.text().await.ok(),
            Some("back") => up.back = field.text().await.unwrap_or_default(),
            Some("file") => up.file = field.bytes().await.map_err(incomplete)?.to_vec(),
            Some(name) => {
                let value = field.text().await.unwrap_or_default();
                up.fields.insert(name.to_owned(), value.trim().to_owned());
            }
            None => {}
        }
    }
    Ok(up)
}

pub(super) async fn import(
    State(state): State<AppState>,
    visit: Visit,
    form: Multipart,
) -> Result<Response, Error> {
    let up = upload(form).await?;
    visit.check(up.csrf.as_deref())?;
    match accounts::import_staff(&state.db, Some(&visit.principal), &up.file).await {
        Ok(issued) => {
            let extra = json!({"issued": issued_rows(&issued)});
            page(&state, &visit, &up.back, StatusCode::CREATED, extra).await
        }
        Err(rows) => {
            let lines: Vec<String> = rows.iter().map(|r| r.say(visit.locale)).collect();
            let extra = json!({"import_problems": lines});
            page(
                &state,
                &visit,
                &up.back,
                StatusCode::UNPROCESSABLE_ENTITY,
                extra,
            )
            .await
        }
    }
}

/// The roster upload: a county's file of committees, every person an account.
pub(super) async fn roster(
    State(state): State<AppState>,
    visit: Visit,
    form: Multipart,
) -> Result<Response, Error> {
    let up = upload(form).await?;
    visit.check(up.csrf.as_deref())?;
    let field = |name: &str| up.fields.get(name).map_or("", String::as_str);
    let (term, elected_on) = (field("term"), field("elected_on"));
    let imported = crate::import::roster_as(
        &state.db,
        Some(&visit.principal),
        &up.file,
        term,
        elected_on,
    )
    .await;
    match imported {
        Ok(done) => {
            let flash = t(
                visit.locale,
                "accounts.roster.done",
                &[
                    ("seats", done.seats.to_string()),
                    ("accounts", done.accounts.len().to_string()),
                ],
            );
            page(
                &state,
                &visit,
                &up.back,
                StatusCode::CREATED,
                json!({"flash": flash}),
            )
            .await
        }
        Err(crate::import::ImportError::Rows(rows)) => {
            let lines: Vec<String> = rows.iter().map(|r| r.say(visit.locale)).collect();
            let extra = json!({"roster_problems": lines, "roster_input": {"term": term, "elected_on": elected_on}});
            page(
                &state,
                &visit,
                &up.back,
                StatusCode::UNPROCESSABLE_ENTITY,
                extra,
            )
            .await
        }
        Err(crate::import::ImportError::Database(e)) => Err(Fault::Internal(e).into()),
    }
}

/// A revoke button: one role of one account.
#[derive(Debug, Deserialize)]
pub(super) struct RevokeForm {
    #[serde(rename = "_csrf", default)]
    csrf: Option<String>,
    account: i64,
    grant: i64,
    #[serde(default)]
    back: String,
}

pub(super) async fn revoke(
    State(state): State<AppState>,
    visit: Visit,
    Form(form): Form<RevokeForm>,
) -> Result<Response, Error> {
    visit.check(form.csrf.as_deref())?;
    let account =
        accounts::revoke(&state, Some(&visit.principal), form.account, form.grant).await?;
    done(
        &state,
        &visit,
        &form.back,
        "accounts.revoked",
        account.display_name,
    )
    .await
}

/// A button on one account: reset, switch off, switch on.
#[derive(Debug, Deserialize)]
pub(super) struct AccountForm {
    #[serde(rename = "_csrf", default)]
    csrf: Option<String>,
    account: i64,
    #[serde(default)]
    back: String,
}

pub(super) async fn reset(
    State(state): State<AppState>,
    visit: Visit,
    Form(form): Form<AccountForm>,
) -> Result<Response, Error> {
    visit.check(form.csrf.as_deref())?;
    let issued = accounts::reset(&state, Some(&visit.principal), form.account).await?;
    let extra = json!({"issued": issued_rows(&[issued])});
    page(&state, &visit, &form.back, StatusCode::OK, extra).await
}

pub(super) async fn disable(
    State(state): State<AppState>,
    visit: Visit,
    Form(form): Form<AccountForm>,
) -> Result<Response, Error> {
    switch(state, visit, form, true).await
}

pub(super) async fn enable(
    State(state): State<AppState>,
    visit: Visit,
    Form(form): Form<AccountForm>,
) -> Result<Response, Error> {
    switch(state, visit, form, false).await
}

async fn switch(
    state: AppState,
    visit: Visit,
    form: AccountForm,
    off: bool,
) -> Result<Response, Error> {
    visit.check(form.csrf.as_deref())?;
    let account = accounts::set_disabled(&state, Some(&visit.principal), form.account, off).await?;
    let key = if off {
        "accounts.disabled"
    } else {
        "accounts.enabled"
    };
    done(&state, &visit, &form.back, key, account.display_name).await
}

/// The page again with "done" about `name` at the top.
async fn done(
    state: &AppState,
    visit: &Visit,
    back: &str,
    key: &str,
    name: String,
) -> Result<Response, Error> {
    let flash = t(visit.locale, key, &[("name", name)]);
    page(state, visit, back, StatusCode::OK, json!({"flash": flash})).await
}

/// Which village's slips; `all` prints the activated too.
#[derive(Debug, Deserialize)]
pub(super) struct SlipsQuery {
    unit: Option<String>,
    all: Option<String>,
}

/// `/slips?unit=VILLAGE`: one slip per person yet to activate (`&all=1`:
/// everyone), each with a QR code to the activation page with the login
/// name filled in, ready to print.
pub(super) async fn slips(
    State(state): State<AppState>,
    visit: Visit,
    Query(q): Query<SlipsQuery>,
) -> Result<Response, Error> {
    let code = q.unit.unwrap_or_default();
    let all = q.all.is_some_and(|a| a == "1");
    let (village, slips) = village_slips(&state, &visit.principal, &code).await?;
    // The site's own address (the operator's public URL behind a proxy).
    let origin = visit.origin.trim_end_matches('/').to_owned();
    let now = crate::clock::now();
    let activated = slips.iter().filter(|s| s.activated).count();
    let slips: Vec<Value> = slips
        .iter()
        .filter(|s| all || !s.activated)
        .map(|s| {
            let expired = s.expires_at.is_some_and(|e| e <= now);
            let query =
                serde_urlencoded::to_string([("username", &s.username)]).unwrap_or_default();
            let link = format!("{origin}/activate?{query}");
            json!({
                "name": s.name, "post": s.post,
                "role": visit.t(&format!("role.{}", s.role.as_str())),
                "username": crate::accounts::grouped(&s.username), "code": s.code, "expires": s.expires_at.map(date),
                "expired": expired, "activated": s.activated, "account": s.account_id,
                "qr": crate::views::qr_svg(&link),
            })
        })
        .collect();
    let title = t(visit.locale, "slips.title", &[("village", village.clone())]);
    Ok(visit.page(
        "slips",
        &title,
        json!({
            "village": village, "code": code, "slips": slips, "back": format!("/accounts?unit={code}"),
            "site": format!("{origin}/activate"),
            "hidden": if all { 0 } else { activated },
            "all_href": format!("/slips?unit={code}&all=1"),
        }),
    ))
}
