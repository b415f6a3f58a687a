//! The contract's records as plain Rust types.
//!
//! The host and modules both speak these; the WIT records in `sdk/wit` are
//! converted to and from them at the boundary, so module logic and its tests
//! never touch generated bindings.

use serde::{Deserialize, Serialize};
use serde_json::Value;

/// A name that is none of an enum's canonical names.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnknownName {
    /// The enum: `Role`, `Audience`…
    pub kind: &'static str,
    /// What was given.
    pub name: String,
    /// The names there are.
    pub expected: &'static [&'static str],
}

impl std::fmt::Display for UnknownName {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "`{}` is not a {}: expected {}",
            self.name,
            self.kind,
            self.expected.join(", ")
        )
    }
}

impl std::error::Error for UnknownName {}

/// One table of an enum's canonical names, the ones serde reads and writes:
/// `as_str`, `ALL`, `Display` and `FromStr` come from it, so the database,
/// URLs, forms and the contract all spell a variant the same way (a test
/// holds the table to serde).
macro_rules! names {
    ($ty:ident { $($variant:ident = $name:literal),+ $(,)? }) => {
        impl $ty {
            /// Every variant, in declaration order.
            pub const ALL: &'static [$ty] = &[$($ty::$variant),+];

            /// The canonical name, as serde writes it.
            pub fn as_str(self) -> &'static str {
                match self {
                    $($ty::$variant => $name),+
                }
            }
        }

        impl std::str::FromStr for $ty {
            type Err = UnknownName;
            fn from_str(s: &str) -> Result<Self, UnknownName> {
                match s {
                    $($name => Ok($ty::$variant),)+
                    _ => Err(UnknownName {
                        kind: stringify!($ty),
                        name: s.to_owned(),
                        expected: &[$($name),+],
                    }),
                }
            }
        }

        impl std::fmt::Display for $ty {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }
    };
}

names!(Locale { ZhCn = "zh-CN", En = "en" });
names!(Role {
    Secretary = "secretary",
    Member = "member",
    OutgoingCadre = "outgoing-cadre",
    TownshipOfficer = "township-officer",
    CountyTrainer = "county-trainer",
    CityOfficer = "city-officer",
    ProvinceAdmin = "province-admin",
    NationalAdmin = "national-admin",
});
names!(Committee {
    PartyBranch = "party-branch",
    Villagers = "villagers",
});
names!(Departure {
    Retired = "retired",
    Defeated = "defeated",
    Transferred = "transferred",
});
names!(Audience {
    Secretary = "secretary",
    EveryMember = "every-member",
    Committee = "committee",
});

impl Locale {
    /// The language a tag asks for (`en`, `en-US`, `zh-CN`, an
    /// `Accept-Language` header…): English when it starts with `en`, else
    /// Chinese, the default. The one place a language tag is read.
    pub fn from_tag(tag: &str) -> Self {
        if tag.trim_start().starts_with("en") {
            Locale::En
        } else {
            Locale::ZhCn
        }
    }
}

/// Text in both of the product's languages.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default, schemars::JsonSchema)]
pub struct Text {
    /// Simplified Chinese, the default.
    #[schemars(extend("x-label" = {"zh": "中文", "en": "Chinese"}))]
    pub zh: String,
    /// English; may be left out, and readers of English then see the Chinese.
    #[serde(default)]
    #[schemars(extend("x-label" = {"zh": "英文", "en": "English"}))]
    pub en: String,
}

impl Text {
    /// Text from its Chinese and English forms.
    pub fn new(zh: impl Into<String>, en: impl Into<String>) -> Self {
        Self {
            zh: zh.into(),
            en: en.into(),
        }
    }

    /// The text in `locale`.
    pub fn get(&self, locale: Locale) -> &str {
        match locale {
            Locale::ZhCn => &self.zh,
            Locale::En => &self.en,
        }
    }
}

/// The language the actor reads the platform in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
pub enum Locale {
    /// 简体中文, the default.
    #[default]
    #[serde(rename = "zh-CN")]
    ZhCn,
    /// English.
    #[serde(rename = "en")]
    En,
}

/// What the actor is, relative to the enrollment's village.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Role {
    /// The new Party branch secretary (书记).
    Secretary,
    /// Another member of the new committees.
    Member,
    /// A cadre who left at this election.
    OutgoingCadre,
    /// An officer of the township above the village.
    TownshipOfficer,
    /// A county trainer or organisation officer.
    CountyTrainer,
    /// An organisation officer of the city above the county (contract 0.3.0).
    CityOfficer,
    /// A province's administrator.
    ProvinceAdmin,
    /// The national administrator.
    NationalAdmin,
}

impl Role {
    /// The role's name in both languages, for messages.
    pub fn title(self) -> Text {
        match self {
            Role::Secretary => Text::new("村党组织书记", "village secretary"),
            Role::Member => Text::new("两委成员", "committee member"),
            Role::OutgoingCadre => Text::new("离任干部", "outgoing cadre"),
            Role::TownshipOfficer => Text::new("乡镇干部", "township officer"),
            Role::CountyTrainer => Text::new("县级培训人员", "county trainer"),
            Role::CityOfficer => Text::new("市级组织干部", "city officer"),
            Role::ProvinceAdmin => Text::new("省级管理员", "province administrator"),
            Role::NationalAdmin => Text::new("全国管理员", "national administrator"),
        }
    }
}

/// Who is acting.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Actor {
    /// The platform's id of the person.
    pub person_id: String,
    /// Their name, as on the roster.
    pub name: String,
    /// Their role relative to the enrollment's village.
    pub role: Role,
}

impl Actor {
    /// Nobody signed in: the village notice board, a printed record (the
    /// contract's `public` actor). See [`Context::is_public`].
    pub fn public() -> Self {
        Self {
            person_id: String::new(),
            name: String::new(),
            role: Role::Member,
        }
    }
}

/// Which of the two committees a seat is on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Committee {
    /// 党组织 (支部委员会).
    PartyBranch,
    /// 村民委员会 (居委会).
    Villagers,
}

/// A member of the new committees.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Member {
    /// The platform's id of the person.
    pub person_id: String,
    /// Their name.
    pub name: String,
    /// The committee the seat is on.
    pub committee: Committee,
    /// The post as written in the roster: 书记, 主任, 副书记, 委员…
    pub post: String,
    /// Holds both the secretary's and the chair's post (“一肩挑”).
    #[serde(default)]
    pub one_shoulder: bool,
}

/// Why a cadre is no longer on the committees.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Departure {
    /// Stood down or reached retirement (正常离任).
    Retired,
    /// Stood and was not elected (落选).
    Defeated,
    /// Moved to another post or place (调任).
    Transferred,
}

/// A cadre of the previous committees who is not on the new ones.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Outgoing {
    /// The platform's id of the person.
    pub person_id: String,
    /// Their name.
    pub name: String,
    /// The committee they sat on.
    pub committee: Committee,
    /// The post they held.
    pub post: String,
    /// Why they left.
    pub departure: Departure,
    /// Whole years served on the committees.
    #[serde(default)]
    pub years_served: u32,
}

/// The village (or urban community) an enrollment belongs to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Village {
    /// GB/T 2260 administrative-division code, 12 digits.
    pub code: String,
    /// The village's name.
    pub name: String,
    /// The township's name.
    pub township: String,
    /// The county's name.
    pub county: String,
    /// The province's name.
    pub province: String,
}

/// Everything a module may know when it is called.
///
/// `C` is the province's configuration: raw JSON at the boundary, the
/// module's own `Config` type inside [`crate::Module`]'s methods.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Context<C = Value> {
    /// The enrollment being worked on.
    pub enrollment_id: String,
    /// Who is acting.
    pub actor: Actor,
    /// The village the enrollment belongs to.
    pub village: Village,
    /// The new committees' members.
    pub members: Vec<Member>,
    /// Cadres who left at this election.
    pub outgoing: Vec<Outgoing>,
    /// The province's configuration of the module.
    pub config: C,
    /// The actor's language.
    #[serde(default)]
    pub locale: Locale,
    /// The time of the call, seconds since the Unix epoch (UTC). Modules have
    /// no clock of their own, so replaying an action gives the same result.
    pub now: i64,
    /// The village's other enrollments: its committee-wide ones and the
    /// enrollment's person's own. Given to `view` only (contract 0.2.0):
    /// `start` and `act` see none, so a replay gives the same state.
    #[serde(default)]
    pub siblings: Vec<Sibling>,
    /// Files uploaded for this enrollment, described, never their bytes
    /// (contract 0.2.0; empty before).
    #[serde(default)]
    pub attachments: Vec<Attachment>,
}

/// Another enrollment of the same village, as far as it has got.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Sibling {
    /// Its module's id: `handover`, `swearing-in`…
    pub module: String,
    /// Steps done.
    pub done: u32,
    /// Steps in all; 0 until first opened.
    pub total: u32,
    /// Whether it is complete.
    pub completed: bool,
}

/// A file uploaded for the enrollment: what it is, never its bytes. A
/// payload refers to it by `id`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Attachment {
    /// The file's sha256, hex.
    pub id: String,
    /// The name it was uploaded under.
    pub name: String,
    /// `image/jpeg`, `image/png`, `application/pdf`…
    pub media_type: String,
    /// Bytes.
    pub size: u64,
    /// Who uploaded it: a person id.
    pub uploaded_by: String,
    /// When, Unix seconds.
    pub uploaded_at: i64,
}

/// Whose turn it is: someone who must act before the enrollment can move on.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Awaiting {
    /// One person, or whoever holds a role over the village.
    pub who: Recipient,
    /// What they must do, short: “见证公章交接”.
    pub what: Text,
    /// The subject it is about (as a sign-off's), or empty.
    #[serde(default)]
    pub subject: String,
}

impl Awaiting {
    /// `role` must do `what` about `subject`.
    pub fn role(role: Role, what: Text, subject: impl Into<String>) -> Self {
        Self {
            who: Recipient::Role(role),
            what,
            subject: subject.into(),
        }
    }

    /// The person `person_id` must do `what` about `subject`.
    pub fn person(person_id: impl Into<String>, what: Text, subject: impl Into<String>) -> Self {
        Self {
            who: Recipient::Person(person_id.into()),
            what,
            subject: subject.into(),
        }
    }
}

impl<C> Context<C> {
    /// The same context with another config.
    pub fn with_config<D>(self, config: D) -> Context<D> {
        Context {
            enrollment_id: self.enrollment_id,
            actor: self.actor,
            village: self.village,
            members: self.members,
            outgoing: self.outgoing,
            config,
            locale: self.locale,
            now: self.now,
            siblings: self.siblings,
            attachments: self.attachments,
        }
    }

    /// The village's enrollment in `module`, if it has one.
    pub fn sibling(&self, module: &str) -> Option<&Sibling> {
        self.siblings.iter().find(|s| s.module == module)
    }

    /// Whether this is a `view` for the public: anyone, not signed in, such as
    /// a villager reading a page the village published (the contract's
    /// `public` actor; here an actor with an empty `person_id`). The host
    /// serves the page only if the view uses [`crate::PUBLIC_TEMPLATE`], so a
    /// module shows nothing in public unless it means to, and never lets the
    /// public act.
    pub fn is_public(&self) -> bool {
        self.actor.person_id.is_empty()
    }

    /// The new committees' people, each once, in roster order: a one-shoulder
    /// (一肩挑) secretary holds two seats, secretary and chair, but is one person.
    pub fn people(&self) -> Vec<&Member> {
        let mut seen: Vec<&Member> = Vec::new();
        for m in &self.members {
            if !seen.iter().any(|s| s.person_id == m.person_id) {
                seen.push(m);
            }
        }
        seen
    }

    /// The acting person and the time of the call, to keep in state.
    pub fn stamp(&self) -> Stamp {
        Stamp {
            person_id: self.actor.person_id.clone(),
            name: self.actor.name.clone(),
            at: self.now,
        }
    }

    /// A sign-off by the acting person.
    pub fn signoff(&self, subject: impl Into<String>, statement: Text) -> Signoff {
        Signoff {
            signer: self.actor.person_id.clone(),
            role: self.actor.role,
            subject: subject.into(),
            statement,
        }
    }

    /// Refuses the call unless each of `ids` names a file uploaded to this
    /// enrollment ([`Context::attachments`]); the error names the field
    /// (`{field}.{i}`) of the first that does not.
    pub fn require_attachments(&self, field: &str, ids: &[String]) -> Result<(), Rejection> {
        match ids
            .iter()
            .position(|id| !self.attachments.iter().any(|a| &a.id == id))
        {
            None => Ok(()),
            Some(i) => Err(Rejection::invalid(
                format!("{field}.{i}"),
                "没有这个文件：请先上传到本项任务",
                "no such file: upload it to this enrollment first",
            )),
        }
    }

    /// Refuses the call unless the actor has one of `roles`, naming them.
    pub fn require_role(&self, roles: &[Role]) -> Result<(), Rejection> {
        if roles.contains(&self.actor.role) {
            return Ok(());
        }
        let names = |pick: fn(&Text) -> &str, sep: &str| {
            roles
                .iter()
                .map(|r| pick(&r.title()).to_owned())
                .collect::<Vec<_>>()
                .join(sep)
        };
        Err(Rejection::forbidden(
            format!("只有{}可以执行此操作", names(|t| &t.zh, "或")),
            format!("only the {} may do this", names(|t| &t.en, " or the ")),
        ))
    }
}

/// Who did something, and when, as a module keeps it in its state.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Stamp {
    /// The person's id.
    pub person_id: String,
    /// Their name.
    pub name: String,
    /// Seconds since the Unix epoch.
    pub at: i64,
}

impl Stamp {
    /// Who and on which day (UTC), as a view shows it.
    pub fn view(&self) -> StampView<'_> {
        StampView {
            name: &self.name,
            date: crate::format_date(self.at),
        }
    }
}

/// A [`Stamp`] in a view's data: `{"name": …, "date": "YYYY-MM-DD"}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct StampView<'a> {
    /// The person's name.
    pub name: &'a str,
    /// The day, `YYYY-MM-DD`.
    pub date: String,
}

/// Who an enrollment is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Audience {
    /// The new secretary alone.
    Secretary,
    /// Each member of the new committees, one enrollment each.
    EveryMember,
    /// The committee as a whole, one enrollment per village.
    Committee,
}

/// An action a module accepts.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ActionInfo {
    /// The action's name, kebab-case.
    pub name: String,
    /// What the action does, for buttons and documentation.
    pub title: Text,
    /// The JSON Schema of the action's payload.
    pub payload_schema: Value,
}

impl ActionInfo {
    /// An action whose payload is `P`; the schema is derived from `P`.
    pub fn new<P: schemars::JsonSchema>(name: &str, title: Text) -> Self {
        Self {
            name: name.to_owned(),
            title,
            payload_schema: crate::schema::<P>(),
        }
    }
}

/// A handlebars template a module renders its views with.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Template {
    /// The name a [`View`] refers to it by.
    pub name: String,
    /// The template's source in each language.
    pub source: Text,
}

impl Template {
    /// A template from its Chinese and English sources.
    pub fn new(name: &str, zh: &str, en: &str) -> Self {
        Self {
            name: name.to_owned(),
            source: Text::new(zh, en),
        }
    }
}

/// What a module says about itself.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ModuleInfo {
    /// kebab-case, unique across the platform.
    pub id: String,
    /// Semantic version of this build.
    pub version: String,
    /// The module's name.
    pub title: Text,
    /// One or two sentences on what it is for.
    pub summary: Text,
    /// Who an enrollment is for.
    pub audience: Audience,
    /// The actions `act` accepts.
    pub actions: Vec<ActionInfo>,
    /// The templates `view` refers to.
    pub templates: Vec<Template>,
    /// How long the module takes, for planning.
    pub estimated_minutes: u32,
    /// The JSON Schema of the province's configuration.
    pub config_schema: Value,
    /// The staff above the township who may act in this module's
    /// enrollments (county, city, province); empty for most modules. The
    /// township officer and the village's own people always may.
    #[serde(default)]
    pub reviewers: Vec<Role>,
}

/// How far an enrollment has got.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct Progress {
    /// Steps done.
    pub done: u32,
    /// Steps in all.
    pub total: u32,
}

impl Progress {
    /// Whether every step is done.
    pub fn is_complete(self) -> bool {
        self.total > 0 && self.done >= self.total
    }
}

/// A signature for the host's tamper-evident log.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Signoff {
    /// The person who signed: always the actor.
    pub signer: String,
    /// The signer's role.
    pub role: Role,
    /// What was signed for, a stable key within the enrollment.
    pub subject: String,
    /// What the signer attests.
    pub statement: Text,
}

/// Who a notice is for.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Recipient {
    /// One person, by id.
    Person(String),
    /// Everyone with a role over the enrollment's village.
    Role(Role),
}

/// A message the host shows someone on their next visit.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Notice {
    /// Who it is for.
    pub to: Recipient,
    /// What it says.
    pub message: Text,
}

/// The result of a successful `start` or `act`, as it crosses the boundary.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Outcome {
    /// The new state, a JSON document.
    pub state: String,
    /// How far the enrollment has got.
    pub progress: Progress,
    /// Signatures to append to the log.
    pub signoffs: Vec<Signoff>,
    /// Messages to deliver.
    pub notices: Vec<Notice>,
    /// Whose turn it is now; empty when nobody must act.
    #[serde(default)]
    pub awaiting: Vec<Awaiting>,
}

/// A field of the input and what is wrong with it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FieldError {
    /// A dotted path into the payload (`entries.0.quantity`), `action`, or `config.…`.
    pub field: String,
    /// What is wrong, in both languages.
    pub message: Text,
}

/// Why an action was refused. A refused action changes nothing.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", content = "detail", rename_all = "kebab-case")]
pub enum Rejection {
    /// The input is wrong; each field says why.
    Invalid(Vec<FieldError>),
    /// This actor may not do this.
    Forbidden(Text),
    /// Not now: the enrollment's state does not allow it.
    Conflict(Text),
}

impl Rejection {
    /// One field is wrong.
    pub fn invalid(field: impl Into<String>, zh: impl Into<String>, en: impl Into<String>) -> Self {
        Rejection::Invalid(vec![FieldError {
            field: field.into(),
            message: Text::new(zh, en),
        }])
    }

    /// The actor may not do this.
    pub fn forbidden(zh: impl Into<String>, en: impl Into<String>) -> Self {
        Rejection::Forbidden(Text::new(zh, en))
    }

    /// The state does not allow this now.
    pub fn conflict(zh: impl Into<String>, en: impl Into<String>) -> Self {
        Rejection::Conflict(Text::new(zh, en))
    }
}

impl std::fmt::Display for Rejection {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Rejection::Invalid(fields) => {
                f.write_str("invalid: ")?;
                for (i, e) in fields.iter().enumerate() {
                    let sep = if i == 0 { "" } else { "; " };
                    write!(f, "{sep}{}: {}", e.field, e.message.en)?;
                }
                Ok(())
            }
            Rejection::Forbidden(t) => write!(f, "forbidden: {}", t.en),
            Rejection::Conflict(t) => write!(f, "conflict: {}", t.en),
        }
    }
}

/// What to show: the host renders `template` with `data`, HTML-escaped.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct View {
    /// The name of one of the module's templates.
    pub template: String,
    /// The data the template reads.
    pub data: Value,
}

impl View {
    /// A view of `data` through the template `template`.
    ///
    /// # Panics
    /// If `data` cannot be represented as JSON, which derived `Serialize`
    /// types always can.
    pub fn new(template: &str, data: &impl Serialize) -> Self {
        let data = serde_json::to_value(data).expect("view data serializes to JSON");
        Self {
            template: template.to_owned(),
            data,
        }
    }
}

#[cfg(test)]
mod names_tests {
    use super::*;

    fn serde_name<T: Serialize>(value: T) -> String {
        serde_json::to_value(value)
            .ok()
            .and_then(|v| v.as_str().map(str::to_owned))
            .unwrap_or_default()
    }

    #[test]
    fn canonical_names_are_the_ones_serde_uses_and_parse_back() {
        macro_rules! check {
            ($($ty:ident),+) => {$(
                for &v in $ty::ALL {
                    assert_eq!(v.as_str(), serde_name(v), "{}", stringify!($ty));
                    assert_eq!(v.as_str().parse::<$ty>(), Ok(v));
                }
                assert!("nonsense".parse::<$ty>().is_err());
            )+};
        }
        check!(Locale, Role, Committee, Departure, Audience);
        assert_eq!(
            "chief".parse::<Role>().map_err(|e| e.to_string()),
            Err("`chief` is not a Role: expected secretary, member, outgoing-cadre, township-officer, county-trainer, city-officer, province-admin, national-admin".into())
        );
    }
}
