//! Bringing real people in: the first administrator, staff accounts (one by
//! one or from a CSV file), the accounts a roster gives its people, activation
//! codes and first sign-in, resets, switching accounts off, and granting and
//! revoking roles. Every change is checked by [`authorize`] against the
//! actor's grants and recorded in `account_events`. The API, the pages and
//! the CLI all call these.

use baton_sdk::Role;
use serde::{Deserialize, Serialize};

use crate::auth::{Capability, Principal, Target, authorize, rank};
use crate::clock::now;
use crate::db::Db;
use crate::db::accounts::{self, NewAccount, Tx};
use crate::db::activation;
pub use crate::db::activation::{Account, Event, HeldRole, Slip};
use crate::db::org_units;
pub use crate::db::org_units::{Level, OrgUnit};
use crate::db::people::Holder;
use crate::error::Error;
use crate::error::RowError;
use crate::sheet::{Column, rows};
use crate::state::AppState;

/// How long an activation code lives: 14 days.
pub const CODE_DAYS: i64 = 14;

/// The shortest password accepted.
pub const MIN_PASSWORD: usize = 8;

/// Passwords too common to accept: the most used ones in leaked Chinese and
/// international lists, digit runs and keyboard walks, and the product's own
/// words. Compared case-insensitively.
const COMMON: &[&str] = &[
    "12345678",
    "123456789",
    "1234567890",
    "87654321",
    "11111111",
    "00000000",
    "88888888",
    "66666666",
    "12341234",
    "11223344",
    "123123123",
    "147258369",
    "123456abc",
    "abc12345",
    "abcd1234",
    "a1234567",
    "a12345678",
    "aa123456",
    "qq123456",
    "qwertyui",
    "qwerty123",
    "1qaz2wsx",
    "1q2w3e4r",
    "password",
    "password1",
    "passw0rd",
    "iloveyou",
    "woaini1314",
    "5201314520",
    "13145200",
    "52013145",
    "asdfghjk",
    "zxcvbnm123",
    "admin123",
    "admin888",
    "administrator",
    "welcome1",
    "baton123",
    "jieli123",
    "demo1234",
    "changeme",
    "letmein1",
    "11112222",
    "12121212",
    "99999999",
    "77777777",
    "55555555",
    "22222222",
    "33333333",
    "44444444",
    "111111111",
    "000000000",
    "1234abcd",
    "qwer1234",
    "asdf1234",
    "zxcv1234",
];

/// A staff role given to someone, and where.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NewStaff {
    /// Login name: letters, digits, `.`, `_` or `-`, or a phone number.
    pub username: String,
    /// Their name, as others see it.
    pub name: String,
    /// Their phone, if any.
    #[serde(default)]
    pub phone: Option<String>,
    /// `province-admin`, `city-officer`, `county-trainer` or `township-officer`.
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub role: Role,
    /// The unit the role is held at: a province, a county, a township.
    pub unit_code: String,
}

/// An account and the activation code its person signs in with once.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Serialize)]
pub struct Issued {
    /// The account.
    pub account_id: i64,
    /// Login name.
    pub username: String,
    /// The person's name.
    pub name: String,
    /// The one-time code.
    pub code: String,
    /// When it expires, Unix seconds.
    pub expires_at: i64,
}

/// Refuses a password that is short, common, or the login name.
pub fn check_password(password: &str, username: &str) -> Result<(), Error> {
    if password.chars().count() < MIN_PASSWORD {
        return Err(Error::bad(
            "password",
            format!("密码至少需要 {MIN_PASSWORD} 个字符"),
            format!("must be at least {MIN_PASSWORD} characters"),
        ));
    }
    let lower = password.to_lowercase();
    if COMMON.contains(&lower.as_str()) || lower == username.to_lowercase() {
        return Err(Error::bad(
            "password",
            "密码过于常见，容易被猜中，请换一个",
            "is too common and easily guessed; choose another",
        ));
    }
    Ok(())
}

fn check_username(username: &str) -> Result<(), Error> {
    let ok = (3..=40).contains(&username.len())
        && username
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'-'));
    if ok {
        Ok(())
    } else {
        Err(Error::bad(
            "username",
            "用户名须为 3 到 40 个字母、数字或 . _ -",
            "must be 3 to 40 letters, digits, '.', '_' or '-'",
        ))
    }
}

/// The e-mail address a reminder reaches the account at, as typed: blank
/// removes it; anything else must be one address (at most 254 characters).
pub fn check_email(email: &str) -> Result<Option<String>, Error> {
    let email = email.trim();
    if email.is_empty() {
        return Ok(None);
    }
    let parsed = email.parse::<lettre::Address>();
    if email.chars().count() > 254 || parsed.is_err() {
        return Err(Error::bad(
            "email",
            "不是有效的电子邮箱地址（例如 wangli@example.gov.cn）",
            "is not an e-mail address (e.g. wangli@example.gov.cn)",
        ));
    }
    Ok(Some(email.to_owned()))
}

/// Sets the signed-in account's e-mail address for reminders and
/// escalations (a province's SMTP server sends them); the address stored.
pub async fn set_my_email(
    db: &Db,
    principal: &Principal,
    email: &str,
) -> Result<Option<String>, Error> {
    let email = check_email(email)?;
    crate::db::accounts::set_email(db, principal.account_id, email.as_deref()).await?;
    Ok(email)
}

/// The signed-in account's e-mail address for reminders, if it set one.
pub async fn my_email(db: &Db, principal: &Principal) -> Result<Option<String>, Error> {
    Ok(crate::db::accounts::email(db, principal.account_id).await?)
}

/// Each of the signed-in account's roles with its unit's code and name.
pub async fn my_roles(
    db: &Db,
    principal: &Principal,
) -> Result<Vec<(Role, Option<String>, Option<String>)>, Error> {
    let mut roles = Vec::new();
    for g in &principal.grants {
        let name = match &g.unit_code {
            Some(code) => org_units::get(db, code).await?.map(|(u, _)| u.name),
            None => None,
        };
        roles.push((g.role, g.unit_code.clone(), name));
    }
    Ok(roles)
}

/// Large type and tap targets (长辈模式) on or off for the signed-in
/// account, on every phone it signs in from at once.
pub async fn set_easy_reading(
    state: &AppState,
    principal: &Principal,
    on: bool,
) -> Result<(), Error> {
    crate::db::accounts::set_easy_reading(&state.db, principal.account_id, on).await?;
    state.sessions.forget_account(principal.account_id);
    Ok(())
}

/// The account `id` and every change to it, oldest first, if `actor` may
/// manage it.
pub async fn with_log(db: &Db, actor: &Principal, id: i64) -> Result<(Account, Vec<Event>), Error> {
    let account = managed(db, actor, id).await?;
    let events = activation::events(db, id).await?;
    Ok((account, events))
}

/// A new activation code: eight digits, easy to type on a phone. With the
/// login throttle, guessing one is hopeless.
pub fn new_code() -> String {
    use argon2::password_hash::rand_core::{OsRng, RngCore as _};
    format!("{:08}", OsRng.next_u64() % 100_000_000)
}

/// The level a staff role is held at.
fn level_for(role: Role) -> &'static [Level] {
    match role {
        Role::ProvinceAdmin => &[Level::Province],
        Role::CityOfficer => &[Level::City],
        Role::CountyTrainer => &[Level::County, Level::City],
        Role::TownshipOfficer => &[Level::Township],
        _ => &[],
    }
}

/// The unit `code` and its path, if `actor` (`None`: the operator) may give
/// `role` there and the role is held at that level.
async fn grantable(
    db: &Db,
    actor: Option<&Principal>,
    role: Role,
    code: &str,
) -> Result<String, Error> {
    let (unit, path) = org_units::get(db, code).await?.ok_or_else(|| {
        Error::bad(
            "unit_code",
            format!("没有区划代码 {code}"),
            format!("no org unit {code}"),
        )
    })?;
    if !crate::auth::STAFF.contains(&role) {
        return Err(Error::bad(
            "role",
            "只能授予省级管理员、县级培训人员或乡镇干部；村干部的账号由名册导入生成",
            "must be province-admin, city-officer, county-trainer or township-officer; village people's accounts come from rosters",
        ));
    }
    if !level_for(role).contains(&unit.level) {
        return Err(Error::bad(
            "unit_code",
            format!("{}（{code}）不是可授予该角色的层级", unit.name),
            format!(
                "{} ({code}) is a {}, not where a {} is held",
                unit.name,
                unit.level.as_str(),
                role.as_str()
            ),
        ));
    }
    if let Some(actor) = actor {
        let target = Target::unit(&path);
        authorize(actor, Capability::Grant(role), target).ok_or_else(|| {
            Error::Forbidden(baton_sdk::Text::new(
                "不能在您的范围之外授予角色，也不能授予高于您自己的角色",
                "you cannot grant a role outside your scope, or above your own",
            ))
        })?;
    }
    Ok(path)
}

/// Whether `actor` (`None`: the operator) may reset, switch off or on, or
/// issue a code to `account`: each of its roles lies within one of the
/// actor's, held higher. An account with no roles left is the national
/// administrator's to manage.
fn manageable(actor: Option<&Principal>, account: &Account) -> Result<(), Error> {
    let Some(actor) = actor else { return Ok(()) };
    let national = actor.grants.iter().any(|g| g.role == Role::NationalAdmin);
    let allowed = if account.grants.is_empty() {
        national
    } else {
        account.grants.iter().all(|g| {
            let target = Target::unit(g.path.as_deref().unwrap_or(""));
            (g.path.is_some() || national)
                && authorize(actor, Capability::ManageAccount(g.role), target).is_some()
        })
    };
    if allowed && account.id != actor.account_id {
        Ok(())
    } else {
        Err(Error::Forbidden(baton_sdk::Text::new(
            "您只能管理您范围内、角色低于您的账号",
            "you manage only accounts within your scope whose roles are below yours",
        )))
    }
}

async fn account(db: &Db, id: i64) -> Result<Account, Error> {
    activation::get(db, id)
        .await?
        .ok_or_else(|| Error::not_found(format!("没有账号 {id}"), format!("no account {id}")))
}

/// The account signing in as `username`: a 400 naming `username` when
/// there is none.
pub async fn named(db: &Db, username: &str) -> Result<Account, Error> {
    let id = activation::id_of(db, username)
        .await?
        .ok_or_else(|| Error::bad("username", "没有这个用户名", "there is no such user name"))?;
    account(db, id).await
}

/// The account `id`, if `actor` may manage it.
pub async fn managed(db: &Db, actor: &Principal, id: i64) -> Result<Account, Error> {
    let found = account(db, id).await?;
    manageable(Some(actor), &found)?;
    Ok(found)
}

/// Issues `account` a code in `tx` and records it.
async fn issue(
    tx: &mut Tx,
    actor: Option<i64>,
    account: i64,
    reset: bool,
    now: i64,
) -> anyhow::Result<(String, i64)> {
    let code = new_code();
    let expires_at = now + CODE_DAYS * 24 * 3600;
    activation::issue_code(tx, account, &code, expires_at, now, reset).await?;
    let detail = if reset { "reset" } else { "first code" };
    activation::record(tx, actor, account, "code-issued", detail, now).await?;
    Ok((code, expires_at))
}

/// Creates the first administrator on the command line, with a password
/// (checked like any other): `national-admin` with no unit, or
/// `province-admin` at a province.
pub async fn create_admin(
    db: &Db,
    username: &str,
    name: &str,
    role: Role,
    unit: Option<&str>,
    password: &str,
) -> Result<i64, Error> {
    check_username(username)?;
    check_password(password, username)?;
    match (role, unit) {
        (Role::NationalAdmin, None) => {}
        (Role::NationalAdmin, Some(_)) => {
            return Err(Error::bad(
                "unit",
                "全国管理员不属于任何区划",
                "a national administrator has no unit",
            ));
        }
        (Role::ProvinceAdmin, Some(code)) => {
            grantable(db, None, role, code).await?;
        }
        _ => {
            return Err(Error::bad(
                "role",
                "首个管理员须为全国管理员，或带 --unit 的省级管理员",
                "the first administrator is national-admin, or province-admin with --unit",
            ));
        }
    }
    if activation::id_of(db, username).await?.is_some() {
        return Err(taken(username));
    }
    let password = password.to_owned();
    let hash = tokio::task::spawn_blocking(move || crate::auth::hash_password(&password))
        .await
        .map_err(anyhow::Error::from)??;
    let now = now();
    let mut tx = db.pool().begin().await.map_err(anyhow::Error::from)?;
    let id = accounts::insert(
        &mut tx,
        &NewAccount {
            username,
            password_hash: &hash,
            display_name: name,
            person_id: None,
            grants: &[(role, unit)],
        },
        now,
    )
    .await?;
    let detail = format!("{} {}", role.as_str(), unit.unwrap_or("nation"));
    activation::record(&mut tx, None, id, "created", &detail, now).await?;
    tx.commit().await.map_err(anyhow::Error::from)?;
    Ok(id)
}

fn taken(username: &str) -> Error {
    Error::Conflict(baton_sdk::Text::new(
        format!("用户名 {username} 已被使用"),
        format!("the user name {username} is taken"),
    ))
}

/// Creates a staff account with its role and a first activation code.
pub async fn create_staff(
    db: &Db,
    actor: Option<&Principal>,
    input: &NewStaff,
) -> Result<Issued, Error> {
    let mut issued = create_staff_all(db, actor, std::slice::from_ref(input))
        .await
        .map_err(|mut rows| match rows.pop() {
            Some(StaffError::Field(e)) => e,
            Some(StaffError::Row(row)) => Error::BadRequest {
                field: row.column.unwrap_or("body").to_owned(),
                message: row.message,
            },
            None => Error::Internal(anyhow::anyhow!("no error")),
        })?;
    issued
        .pop()
        .ok_or_else(|| Error::Internal(anyhow::anyhow!("nothing created")))
}

/// Why a line of staff was refused.
#[derive(Debug)]
pub enum StaffError {
    /// One account's field, when there was one account.
    Field(Error),
    /// A line of a file.
    Row(RowError),
}

/// Checks every account of `staff` (each line's problems, numbered from
/// line 2), then creates them all in one transaction, or none.
async fn create_staff_all(
    db: &Db,
    actor: Option<&Principal>,
    staff: &[NewStaff],
) -> Result<Vec<Issued>, Vec<StaffError>> {
    let problems = check_staff(db, actor, staff).await;
    if !problems.is_empty() {
        return Err(problems);
    }
    write_staff(db, actor, staff)
        .await
        .map_err(|e| vec![StaffError::Field(Error::Internal(e))])
}

async fn check_staff(db: &Db, actor: Option<&Principal>, staff: &[NewStaff]) -> Vec<StaffError> {
    let mut problems = Vec::new();
    let mut seen = std::collections::HashSet::new();
    for (i, s) in staff.iter().enumerate() {
        let first = seen.insert(s.username.as_str());
        if let Err(e) = check_one(db, actor, s, first).await {
            problems.push(if staff.len() == 1 {
                StaffError::Field(e)
            } else {
                StaffError::Row(RowError::new(
                    i + 2,
                    e.field().and_then(staff_column),
                    e.message(baton_sdk::Locale::ZhCn),
                    e.message(baton_sdk::Locale::En),
                ))
            });
        }
    }
    problems
}

async fn check_one(
    db: &Db,
    actor: Option<&Principal>,
    s: &NewStaff,
    first_in_file: bool,
) -> Result<(), Error> {
    check_username(&s.username)?;
    if s.name.trim().is_empty() {
        return Err(Error::bad("name", "请填写姓名", "is required"));
    }
    grantable(db, actor, s.role, &s.unit_code).await?;
    if !first_in_file || activation::id_of(db, &s.username).await?.is_some() {
        return Err(taken(&s.username));
    }
    Ok(())
}

async fn write_staff(
    db: &Db,
    actor: Option<&Principal>,
    staff: &[NewStaff],
) -> anyhow::Result<Vec<Issued>> {
    let now = now();
    let actor_id = actor.map(|a| a.account_id);
    let mut tx = db.pool().begin().await?;
    let mut issued = Vec::new();
    for s in staff {
        let id = accounts::insert(
            &mut tx,
            &NewAccount {
                username: &s.username,
                password_hash: "",
                display_name: s.name.trim(),
                person_id: None,
                grants: &[(s.role, Some(&s.unit_code))],
            },
            now,
        )
        .await?;
        let detail = format!("{} {}", s.role.as_str(), s.unit_code);
        activation::record(&mut tx, actor_id, id, "created", &detail, now).await?;
        let (code, expires_at) = issue(&mut tx, actor_id, id, false, now).await?;
        issued.push(Issued {
            account_id: id,
            username: s.username.clone(),
            name: s.name.trim().to_owned(),
            code,
            expires_at,
        });
    }
    tx.commit().await?;
    Ok(issued)
}

fn staff_column(field: &str) -> Option<&'static str> {
    ["username", "name", "phone", "role", "unit_code"]
        .into_iter()
        .find(|c| *c == field)
}

/// A line of a staff file, by its columns' English names.
#[derive(Debug, Deserialize)]
struct StaffRow {
    username: String,
    name: String,
    #[serde(default)]
    phone: String,
    role: String,
    unit_code: String,
}

const STAFF_COLUMNS: &[Column] = &[
    Column::required("username", &["用户名", "登录名"]),
    Column::required("name", &["姓名"]),
    Column::optional("phone", &["电话", "手机"]),
    Column::required("role", &["角色"]),
    Column::required("unit_code", &["单位代码", "区划代码"]),
];

/// A staff role from its canonical or Chinese name.
pub fn parse_staff_role(s: &str) -> Option<Role> {
    let role = match s {
        "省级管理员" => Role::ProvinceAdmin,
        "市级组织干部" => Role::CityOfficer,
        // The county's organisation department, as officials call it (the
        // older 县级培训人员 still reads).
        "县委组织部" | "县级组织部门" | "县级培训人员" => Role::CountyTrainer,
        "乡镇干部" => Role::TownshipOfficer,
        _ => s.parse().ok()?,
    };
    crate::auth::STAFF.contains(&role).then_some(role)
}

/// Creates staff accounts from a CSV file (`username,name,phone,role,unit_code`
/// or `用户名,姓名,电话,角色,单位代码`; UTF-8 or GB18030), all or nothing:
/// any bad line creates nothing, and every bad line is named.
pub async fn import_staff(
    db: &Db,
    actor: Option<&Principal>,
    csv: &[u8],
) -> Result<Vec<Issued>, Vec<RowError>> {
    let text = crate::sheet::decode(csv);
    let rows = rows::<StaffRow>(&text, STAFF_COLUMNS).map_err(|e| vec![e])?;
    let mut staff = Vec::new();
    let mut problems = Vec::new();
    for (line, row) in rows {
        let row = match row {
            Ok(row) => row,
            Err(e) => {
                problems.push(RowError::unreadable(line, &e));
                continue;
            }
        };
        let role = crate::sheet::simplified(&row.role);
        let Some(role) = parse_staff_role(role) else {
            problems.push(RowError::new(
                line,
                Some("role"),
                format!(
                    "角色“{}”应为省级管理员、市级组织干部、县级培训人员或乡镇干部",
                    row.role
                ),
                format!(
                    "`{}` must be province-admin, city-officer, county-trainer or township-officer (省级管理员/市级组织干部/县级培训人员/乡镇干部)",
                    row.role
                ),
            ));
            continue;
        };
        staff.push((
            line,
            NewStaff {
                username: row.username,
                name: row.name,
                phone: (!row.phone.is_empty()).then_some(row.phone),
                role,
                unit_code: row.unit_code,
            },
        ));
    }
    if staff.is_empty() && problems.is_empty() {
        problems.push(crate::sheet::empty_file());
    }
    let lines: Vec<usize> = staff.iter().map(|(l, _)| *l).collect();
    let staff: Vec<NewStaff> = staff.into_iter().map(|(_, s)| s).collect();
    let outcome = if problems.is_empty() {
        create_staff_all(db, actor, &staff).await
    } else {
        Err(check_staff(db, actor, &staff).await)
    };
    match outcome {
        Ok(issued) => Ok(issued),
        Err(errors) => {
            for e in errors {
                match e {
                    StaffError::Row(mut row) => {
                        row.line = lines.get(row.line - 2).copied().unwrap_or(row.line);
                        problems.push(row);
                    }
                    StaffError::Field(e) => problems.push(RowError::new(
                        lines.first().copied().unwrap_or(2),
                        None,
                        e.message(baton_sdk::Locale::ZhCn),
                        e.message(baton_sdk::Locale::En),
                    )),
                }
            }
            problems.sort_by_key(|p| p.line);
            Err(problems)
        }
    }
}

/// Gives every person a roster placed who has no account one, with their
/// village role and a first activation code; a person who has an account
/// (re-elected) gets the role on it. Login names are the phone number where
/// the roster has one (and no one has it yet), else `village code-n`.
/// Returns the accounts created.
pub async fn for_roster(tx: &mut Tx, holders: &[Holder], now: i64) -> anyhow::Result<Vec<Issued>> {
    let mut issued = Vec::new();
    let mut numbers: std::collections::HashMap<&str, usize> = std::collections::HashMap::new();
    for h in holders {
        let existing: Option<i64> =
            sqlx::query_scalar("SELECT MIN(id) FROM accounts WHERE person_id = $1")
                .bind(h.person_id)
                .fetch_one(&mut **tx)
                .await?;
        if let Some(id) = existing {
            if accounts::grant(tx, id, h.role, Some(&h.village)).await? {
                let detail = format!("{} {}", h.role.as_str(), h.village);
                activation::record(tx, None, id, "granted", &detail, now).await?;
            }
            continue;
        }
        let mut username = h.phone.clone().filter(|p| check_username(p).is_ok());
        loop {
            if let Some(name) = &username {
                let taken: i64 =
                    sqlx::query_scalar("SELECT COUNT(*) FROM accounts WHERE username = $1")
                        .bind(name)
                        .fetch_one(&mut **tx)
                        .await?;
                if taken == 0 {
                    break;
                }
            }
            let n = numbers.entry(h.village.as_str()).or_insert(0);
            *n += 1;
            username = Some(format!("{}-{:02}", h.village, n));
        }
        let username = username.unwrap_or_default();
        let id = accounts::insert(
            tx,
            &NewAccount {
                username: &username,
                password_hash: "",
                display_name: &h.name,
                person_id: Some(h.person_id),
                grants: &[(h.role, Some(&h.village))],
            },
            now,
        )
        .await?;
        let detail = format!("{} {}", h.role.as_str(), h.village);
        activation::record(tx, None, id, "created", &detail, now).await?;
        let (code, expires_at) = issue(tx, None, id, false, now).await?;
        issued.push(Issued {
            account_id: id,
            username,
            name: h.name.clone(),
            code,
            expires_at,
        });
    }
    Ok(issued)
}

/// First sign-in (or the first after a reset): the login name, the code from
/// the slip, and a new password. Throttled like signing in. Returns the
/// account, whose session the caller opens.
pub async fn activate(
    db: &Db,
    username: &str,
    code: &str,
    password: &str,
    address: &str,
) -> Result<i64, Error> {
    let username = &login_name(username);
    check_login_name(username)?;
    let now = now();
    if accounts::throttled(db, username, address, now).await? {
        return Err(Error::Throttled(accounts::THROTTLE_WINDOW));
    }
    let found = activation::code_of(db, username).await?;
    let (account, expires_at) = match found {
        Some((account, stored, expires_at)) if stored == code.trim() => (account, expires_at),
        _ => {
            accounts::record_failure(db, username, address, now).await?;
            return Err(Error::bad(
                "code",
                "用户名或激活码不对，或激活码已经用过",
                "wrong user name or activation code, or the code was used already",
            ));
        }
    };
    if expires_at <= now {
        return Err(Error::bad(
            "code",
            "激活码已过期，请找乡镇干部或上级重新签发",
            "the activation code has expired; ask your township officer or superior for a new one",
        ));
    }
    check_password(password, username)?;
    let password = password.to_owned();
    let hash = tokio::task::spawn_blocking(move || crate::auth::hash_password(&password))
        .await
        .map_err(anyhow::Error::from)??;
    let mut tx = db.pool().begin().await.map_err(anyhow::Error::from)?;
    if !activation::activate(&mut tx, account, code.trim(), &hash).await? {
        return Err(Error::bad(
            "code",
            "用户名或激活码不对，或激活码已经用过",
            "wrong user name or activation code, or the code was used already",
        ));
    }
    activation::record(&mut tx, None, account, "activated", "", now).await?;
    tx.commit().await.map_err(anyhow::Error::from)?;
    Ok(account)
}

/// A superior's reset: the password stops working, every session ends, and
/// a new code is issued (also how an expired code is replaced).
pub async fn reset(state: &AppState, actor: Option<&Principal>, id: i64) -> Result<Issued, Error> {
    let db = &state.db;
    let account = account(db, id).await?;
    manageable(actor, &account)?;
    if account.disabled {
        return Err(Error::Conflict(baton_sdk::Text::new(
            "账号已停用，请先启用",
            "the account is switched off; switch it on first",
        )));
    }
    let now = now();
    let mut tx = db.pool().begin().await.map_err(anyhow::Error::from)?;
    let (code, expires_at) = issue(&mut tx, actor.map(|a| a.account_id), id, true, now).await?;
    tx.commit().await.map_err(anyhow::Error::from)?;
    state.sessions.forget_account(id);
    Ok(Issued {
        account_id: id,
        username: account.username,
        name: account.display_name,
        code,
        expires_at,
    })
}

/// Switches an account off (its sessions end at once) or back on.
pub async fn set_disabled(
    state: &AppState,
    actor: Option<&Principal>,
    id: i64,
    disabled: bool,
) -> Result<Account, Error> {
    let db = &state.db;
    let account = account(db, id).await?;
    manageable(actor, &account)?;
    let now = now();
    let mut tx = db.pool().begin().await.map_err(anyhow::Error::from)?;
    activation::set_disabled(&mut tx, id, disabled.then_some(now)).await?;
    let event = if disabled { "disabled" } else { "enabled" };
    activation::record(&mut tx, actor.map(|a| a.account_id), id, event, "", now).await?;
    tx.commit().await.map_err(anyhow::Error::from)?;
    state.sessions.forget_account(id);
    self::account(db, id).await
}

/// Gives an existing account a staff role.
pub async fn grant(
    state: &AppState,
    actor: Option<&Principal>,
    id: i64,
    role: Role,
    unit_code: &str,
) -> Result<Account, Error> {
    let db = &state.db;
    let held = account(db, id).await?;
    manageable(actor, &held)?;
    grantable(db, actor, role, unit_code).await?;
    let now = now();
    let mut tx = db.pool().begin().await.map_err(anyhow::Error::from)?;
    if accounts::grant(&mut tx, id, role, Some(unit_code)).await? {
        let detail = format!("{} {unit_code}", role.as_str());
        activation::record(
            &mut tx,
            actor.map(|a| a.account_id),
            id,
            "granted",
            &detail,
            now,
        )
        .await?;
    }
    tx.commit().await.map_err(anyhow::Error::from)?;
    state.sessions.forget_account(id);
    account(db, id).await
}

/// Takes a role away from an account: one the actor could have granted.
pub async fn revoke(
    state: &AppState,
    actor: Option<&Principal>,
    id: i64,
    grant: i64,
) -> Result<Account, Error> {
    let db = &state.db;
    let held = account(db, id).await?;
    let Some(g) = held.grants.iter().find(|g| g.id == grant) else {
        return Err(Error::not_found(
            format!("账号 {id} 没有授权 {grant}"),
            format!("account {id} has no grant {grant}"),
        ));
    };
    if let Some(actor) = actor {
        let target = Target::unit(g.path.as_deref().unwrap_or(""));
        let village = rank(g.role) == 0
            && authorize(actor, Capability::ManageAccount(g.role), target).is_some();
        if !village && authorize(actor, Capability::Grant(g.role), target).is_none() {
            return Err(Error::forbidden());
        }
    }
    let now = now();
    let mut tx = db.pool().begin().await.map_err(anyhow::Error::from)?;
    if activation::revoke(&mut tx, id, grant).await? {
        let detail = format!(
            "{} {}",
            g.role.as_str(),
            g.unit_code.as_deref().unwrap_or("nation")
        );
        activation::record(
            &mut tx,
            actor.map(|a| a.account_id),
            id,
            "revoked",
            &detail,
            now,
        )
        .await?;
        activation::end_sessions(&mut tx, id).await?;
    }
    tx.commit().await.map_err(anyhow::Error::from)?;
    state.sessions.forget_account(id);
    account(db, id).await
}

/// The accounts page of a unit: the unit, the accounts holding a role at or
/// under it, and the units below it to go down to.
pub struct Directory {
    /// The unit.
    pub unit: OrgUnit,
    /// Accounts holding a role at or under it (at most 500).
    pub accounts: Vec<Account>,
    /// The units directly below it.
    pub children: Vec<OrgUnit>,
    /// The unit above it, when `actor` may manage accounts there too (a
    /// township officer's township has a county above it they may not open).
    pub up: Option<String>,
}

/// [`Directory`] of `code`, if `actor` may manage accounts there.
pub async fn directory(db: &Db, actor: &Principal, code: &str) -> Result<Directory, Error> {
    let (_, accounts) = under(db, actor, code).await?;
    let (unit, _) = org_units::get(db, code)
        .await?
        .ok_or_else(|| Error::not_found("没有这个区划", "no such unit"))?;
    let children = org_units::children(db, Some(code)).await?;
    let mut up = None;
    if let Some(parent) = &unit.parent_code
        && let Some((_, path)) = org_units::get(db, parent).await?
        && authorize(
            actor,
            Capability::ManageAccount(Role::Member),
            Target::unit(&path),
        )
        .is_some()
    {
        up = Some(parent.clone());
    }
    Ok(Directory {
        unit,
        accounts,
        children,
        up,
    })
}

/// The unit `actor` manages accounts at by default: their highest staff
/// grant's; for a national administrator the nation's first province.
pub async fn home_unit(db: &Db, actor: &Principal) -> Result<String, Error> {
    let staff = actor
        .grants
        .iter()
        .filter(|g| rank(g.role) > 0)
        .max_by_key(|g| rank(g.role))
        .ok_or_else(Error::forbidden)?;
    match &staff.unit_code {
        Some(code) => Ok(code.clone()),
        None => Ok(org_units::children(db, None)
            .await?
            .first()
            .map(|u| u.code.clone())
            .unwrap_or_default()),
    }
}

/// Whether `actor` may take `grant` away from `account` (never a grant of
/// their own, never the national one).
pub fn revocable(actor: &Principal, account: &Account, grant: &HeldRole) -> bool {
    let target = Target::unit(grant.path.as_deref().unwrap_or(""));
    grant.path.is_some()
        && account.id != actor.account_id
        && authorize(actor, Capability::Grant(grant.role), target).is_some()
}

/// The accounts holding a role under `code`, if `actor` may manage accounts
/// there (township officers and above).
pub async fn under(
    db: &Db,
    actor: &Principal,
    code: &str,
) -> Result<(String, Vec<Account>), Error> {
    let (unit, path) = org_units::get(db, code).await?.ok_or_else(|| {
        Error::bad(
            "unit",
            format!("没有区划代码 {code}"),
            format!("no org unit {code}"),
        )
    })?;
    let target = Target::unit(&path);
    authorize(actor, Capability::ManageAccount(Role::Member), target)
        .ok_or_else(Error::forbidden)?;
    Ok((unit.name, activation::under(db, &path, 500).await?))
}

/// The longest login name accepted, bytes.
pub const MAX_USERNAME: usize = 64;

/// A login name as typed on a phone, read the way it was meant: full-width
/// letters and digits (a Chinese keyboard's) as ASCII, spaces and full-width
/// spaces dropped (a slip prints `5001 5510 8201-01` in groups), and a
/// roster login of 14 digits without its hyphen (`50015510820101`) as
/// `500155108201-01`.
pub fn login_name(typed: &str) -> String {
    let name: String = typed
        .chars()
        .filter_map(|c| match c {
            '\u{ff01}'..='\u{ff5e}' => char::from_u32(c as u32 - 0xfee0),
            // Spaces only: a tab or a newline is still refused by name.
            ' ' | '\u{3000}' => None,
            c => Some(c),
        })
        .collect();
    if name.len() == 14 && name.bytes().all(|b| b.is_ascii_digit()) {
        format!("{}-{}", &name[..12], &name[12..])
    } else {
        name
    }
}

/// A roster login name (`500155108201-01`) in groups of four for a slip;
/// any other name as it is.
pub fn grouped(username: &str) -> String {
    match username.split_once('-') {
        Some((code, n)) if code.len() == 12 && code.bytes().all(|b| b.is_ascii_digit()) => {
            format!("{} {} {}-{n}", &code[..4], &code[4..8], &code[8..])
        }
        _ => username.to_owned(),
    }
}

/// Refuses, before anything is written, an empty, overlong or control
/// character-bearing login name (a NUL would be a 500 on PostgreSQL).
pub fn check_login_name(username: &str) -> Result<(), Error> {
    if username.trim().is_empty() {
        return Err(Error::bad("username", "用户名不能为空", "is required"));
    }
    if username.len() > MAX_USERNAME || username.chars().any(char::is_control) {
        return Err(Error::bad(
            "username",
            format!("用户名最长 {MAX_USERNAME} 个字符，且不能含控制字符"),
            format!("must be at most {MAX_USERNAME} bytes, without control characters"),
        ));
    }
    Ok(())
}

/// Activates and opens a session: (token, principal).
pub async fn activate_and_sign_in(
    state: &AppState,
    input: &Activate,
    address: &str,
) -> Result<(String, Principal), Error> {
    let account = activate(
        &state.db,
        &input.username,
        &input.code,
        &input.password,
        address,
    )
    .await?;
    let now = now();
    let token = crate::db::accounts::open_session(&state.db, account, now).await?;
    let principal = crate::db::accounts::principal(&state.db, &token, now)
        .await?
        .ok_or_else(|| anyhow::anyhow!("a session just opened is missing"))?;
    Ok((token, principal))
}

/// A village's activation slips: who, their post, login name and code.
pub async fn village_slips(
    state: &AppState,
    principal: &Principal,
    code: &str,
) -> Result<(String, Vec<Slip>), Error> {
    let (unit, path) = org_units::get(&state.db, code).await?.ok_or_else(|| {
        Error::bad(
            "unit",
            format!("没有区划代码 {code}"),
            format!("no org unit {code}"),
        )
    })?;
    if unit.level != Level::Village {
        return Err(Error::bad(
            "unit",
            format!("{}不是村（社区）", unit.name),
            format!("{} is not a village", unit.name),
        ));
    }
    let target = Target::unit(&path);
    authorize(principal, Capability::ManageAccount(Role::Member), target)
        .ok_or_else(Error::forbidden)?;
    let mut slips = activation::slips(&state.db, code).await?;
    // A live code is shown only for an account wholly within the actor's
    // scope: never for one that also holds a role elsewhere.
    for slip in &mut slips {
        if slip.code.is_some()
            && manageable(Some(principal), &account(&state.db, slip.account_id).await?).is_err()
        {
            slip.code = None;
            slip.expires_at = None;
        }
    }
    Ok((unit.name, slips))
}

/// What `POST /api/v1/activate` takes.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Deserialize)]
pub struct Activate {
    /// Login name, from the activation slip.
    pub username: String,
    /// The code, from the slip.
    pub code: String,
    /// The new password: at least 8 characters, not a common one.
    pub password: String,
}
