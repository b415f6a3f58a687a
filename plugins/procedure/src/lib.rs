//! 程序 — a procedure of steps that a province configures, no code.
//!
//! Most of what provinces run after an election is a procedure: 上海's
//! 荣退仪式, 宁夏's 慰问 with its amounts, 河北's 回头看. Each step is done by
//! someone (the secretary, any member, the outgoing cadre, the township, the
//! county), fills some fields, may need photos or a PDF as evidence, is
//! signed for, and may be confirmed or supervised (监交、见证) by someone
//! else, by a deadline counted from the day the procedure starts.
//!
//! The province's config *is* the procedure. The console saves each
//! definition as a module of its own (its own id, title and versions) that
//! runs this engine with the definition as its config; see the README's
//! province section.

use baton_sdk::FieldError;
use baton_sdk::{
    ActionInfo, Audience, Awaiting, Context, Effects, JsonSchema, Locale, Module, ModuleInfo,
    Progress, Recipient, Rejection, Role, Stamp, Template, Text, View, check, format_date,
    serde_json::{Value, json},
};
use serde::{Deserialize, Serialize};

/// The module.
pub struct Procedure;

baton_sdk::export_module!(Procedure);

/// The most steps a procedure has: a longer one is several procedures.
pub const MAX_STEPS: usize = 30;
/// The most fields one step asks for.
pub const MAX_FIELDS: usize = 20;
/// The most options a choice offers, or columns a table has.
pub const MAX_OPTIONS: usize = 20;
/// The most columns a table has (`a` … `f`).
pub const COLUMNS: [&str; 6] = ["a", "b", "c", "d", "e", "f"];
/// Blank rows a table offers below the ones filled.
const BLANK_ROWS: usize = 3;

/// Text a province writes: Chinese required, English optional (shown in
/// Chinese to an English reader when left blank).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Words {
    /// In Chinese.
    #[serde(default)]
    #[schemars(extend("x-label" = {"zh": "中文", "en": "Chinese"}))]
    pub zh: String,
    /// In English, optional.
    #[serde(default)]
    #[schemars(extend("x-label" = {"zh": "英文（可不填）", "en": "English (optional)"}))]
    pub en: String,
}

impl Words {
    fn new(zh: &str, en: &str) -> Self {
        Self {
            zh: zh.into(),
            en: en.into(),
        }
    }

    /// In `locale`, falling back to the Chinese.
    pub fn get(&self, locale: Locale) -> &str {
        match locale {
            Locale::En if !self.en.trim().is_empty() => self.en.trim(),
            _ => self.zh.trim(),
        }
    }

    /// Both languages, English from Chinese where left blank.
    pub fn text(&self) -> Text {
        Text::new(self.get(Locale::ZhCn), self.get(Locale::En))
    }

    fn is_blank(&self) -> bool {
        self.zh.trim().is_empty()
    }
}

/// Who does a step.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum Who {
    /// The new secretary.
    #[schemars(extend("x-label" = {"zh": "新任书记", "en": "The new secretary"}))]
    Secretary,
    /// Any member of the new committees, the secretary included.
    #[schemars(extend("x-label" = {"zh": "任一两委成员", "en": "Any committee member"}))]
    Member,
    /// A cadre who left at this election.
    #[schemars(extend("x-label" = {"zh": "离任干部", "en": "An outgoing cadre"}))]
    OutgoingCadre,
    /// An officer of the township.
    #[schemars(extend("x-label" = {"zh": "乡镇（街道）干部", "en": "A township officer"}))]
    TownshipOfficer,
    /// The county organisation department.
    #[schemars(extend("x-label" = {"zh": "县委组织部", "en": "The county organisation department"}))]
    CountyTrainer,
}

impl Who {
    /// The roles that may act as this.
    pub fn roles(self) -> &'static [Role] {
        match self {
            Who::Secretary => &[Role::Secretary],
            Who::Member => &[Role::Secretary, Role::Member],
            Who::OutgoingCadre => &[Role::OutgoingCadre],
            Who::TownshipOfficer => &[Role::TownshipOfficer],
            Who::CountyTrainer => &[Role::CountyTrainer],
        }
    }

    fn title(self) -> Text {
        match self {
            Who::Secretary => Text::new("新任书记", "the new secretary"),
            Who::Member => Text::new("两委成员", "a committee member"),
            Who::OutgoingCadre => Text::new("离任干部", "the outgoing cadre"),
            Who::TownshipOfficer => Text::new("乡镇（街道）干部", "the township"),
            Who::CountyTrainer => Text::new("县委组织部", "the county"),
        }
    }
}

/// Who confirms or supervises a step once it is done.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum Confirm {
    /// Nobody: done when submitted.
    #[default]
    #[schemars(extend("x-label" = {"zh": "无需确认", "en": "Nobody"}))]
    Nobody,
    /// The new secretary receives it (接收).
    #[schemars(extend("x-label" = {"zh": "新任书记确认接收", "en": "The new secretary receives it"}))]
    Secretary,
    /// The township supervises or witnesses it (监交、见证).
    #[schemars(extend("x-label" = {"zh": "乡镇（街道）监交、见证", "en": "The township supervises and witnesses"}))]
    TownshipOfficer,
    /// The county reviews it.
    #[schemars(extend("x-label" = {"zh": "县委组织部审核", "en": "The county reviews"}))]
    CountyTrainer,
}

impl Confirm {
    fn who(self) -> Option<Who> {
        match self {
            Confirm::Nobody => None,
            Confirm::Secretary => Some(Who::Secretary),
            Confirm::TownshipOfficer => Some(Who::TownshipOfficer),
            Confirm::CountyTrainer => Some(Who::CountyTrainer),
        }
    }
}

/// Evidence a step takes.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum Photos {
    /// None.
    #[default]
    #[schemars(extend("x-label" = {"zh": "不需要", "en": "None"}))]
    None,
    /// Photos or PDFs may be attached.
    #[schemars(extend("x-label" = {"zh": "可上传照片或 PDF", "en": "Photos or PDFs may be attached"}))]
    Optional,
    /// At least one photo or PDF.
    #[schemars(extend("x-label" = {"zh": "必须上传照片或 PDF", "en": "At least one photo or PDF"}))]
    Required,
}

/// What a field holds.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum Kind {
    /// One line of text.
    #[default]
    #[schemars(extend("x-label" = {"zh": "单行文字", "en": "Text"}))]
    Text,
    /// Several lines.
    #[schemars(extend("x-label" = {"zh": "多行文字", "en": "Long text"}))]
    LongText,
    /// A number, with the field's unit.
    #[schemars(extend("x-label" = {"zh": "数字", "en": "Number"}))]
    Number,
    /// An amount in 元, at most two decimals.
    #[schemars(extend("x-label" = {"zh": "金额（元）", "en": "Amount (yuan)"}))]
    Money,
    /// A day.
    #[schemars(extend("x-label" = {"zh": "日期", "en": "Date"}))]
    Date,
    /// 是 or 否.
    #[schemars(extend("x-label" = {"zh": "是／否", "en": "Yes or no"}))]
    YesNo,
    /// One of the options.
    #[schemars(extend("x-label" = {"zh": "单选", "en": "One choice"}))]
    Choice,
    /// Any of the options.
    #[schemars(extend("x-label" = {"zh": "多选", "en": "Several choices"}))]
    Choices,
    /// Rows, with the options as its columns.
    #[schemars(extend("x-label" = {"zh": "表格（选项为各列）", "en": "Table (the options are its columns)"}))]
    Table,
    /// A member of the new committees, chosen by name.
    #[schemars(extend("x-label" = {"zh": "两委成员（选一人）", "en": "A committee member"}))]
    Person,
}

/// A field a step asks for.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Field {
    /// What it asks.
    #[serde(default)]
    #[schemars(extend("x-label" = {"zh": "名称", "en": "Label"}))]
    pub label: Words,
    /// What it holds.
    #[serde(default)]
    #[schemars(extend("x-label" = {"zh": "类型", "en": "Kind"}))]
    pub kind: Kind,
    /// It must be filled.
    #[serde(default)]
    #[schemars(extend("x-label" = {"zh": "必填", "en": "Required"}))]
    pub required: bool,
    /// A number's unit: 人、户、次、平方米.
    #[serde(default)]
    #[schemars(extend("x-label" = {"zh": "单位（数字用）", "en": "Unit (numbers)"}))]
    pub unit: String,
    /// A choice's options, or a table's columns, one per line.
    #[serde(default)]
    #[schemars(extend("x-label" = {"zh": "选项（单选、多选）或表格各列", "en": "Options (choices) or the table's columns"}))]
    pub options: Vec<String>,
}

impl Field {
    /// Its options (or columns), trimmed, blank lines left out.
    pub fn options(&self) -> Vec<&str> {
        self.options
            .iter()
            .map(|o| o.trim())
            .filter(|o| !o.is_empty())
            .collect()
    }
}

/// A step of the procedure.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Step {
    /// Its title: 清点登记、公示.
    #[serde(default)]
    #[schemars(extend("x-label" = {"zh": "步骤名称", "en": "Step title"}))]
    pub title: Words,
    /// Who does it.
    #[serde(default)]
    #[schemars(extend("x-label" = {"zh": "办理人", "en": "Done by"}))]
    pub who: Option<Who>,
    /// What to do, for the person doing it.
    #[serde(default)]
    #[schemars(extend("x-label" = {"zh": "办理说明", "en": "Instructions"}, "x-multiline" = true))]
    pub guide: Words,
    /// What must be filled.
    #[serde(default)]
    #[schemars(extend("x-label" = {"zh": "填写内容", "en": "Fields"}, "x-rows" = 1, "x-edit" = true, "x-row-label" = {"zh": "填写项", "en": "Field"}))]
    pub fields: Vec<Field>,
    /// Photos or PDFs.
    #[serde(default)]
    #[schemars(extend("x-label" = {"zh": "照片或 PDF 凭证", "en": "Photo or PDF evidence"}))]
    pub photos: Photos,
    /// What the person doing it signs; blank: that what was filled is true.
    #[serde(default)]
    #[schemars(extend("x-label" = {"zh": "办理人签字声明（可不填）", "en": "What they sign (optional)"}))]
    pub statement: Words,
    /// Who confirms or supervises it.
    #[serde(default)]
    #[schemars(extend("x-label" = {"zh": "确认、监交或见证", "en": "Confirmed or witnessed by"}))]
    pub confirm: Confirm,
    /// What the confirmer signs; blank: that it was done as recorded.
    #[serde(default)]
    #[schemars(extend("x-label" = {"zh": "确认人签字声明（可不填）", "en": "What the confirmer signs (optional)"}))]
    pub confirm_statement: Words,
    /// Days after the procedure starts by which it is due; 0: no deadline.
    #[serde(default)]
    #[schemars(extend("x-label" = {"zh": "期限（开始后第几天，0 为不限）", "en": "Due (days after the start; 0: none)"}))]
    pub due_days: u32,
}

/// The province's definition of the procedure: this module's config.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Config {
    /// Its name: 荣退仪式.
    #[serde(default)]
    #[schemars(extend("x-label" = {"zh": "名称", "en": "Title"}))]
    pub title: Words,
    /// What it is for, in a sentence.
    #[serde(default)]
    #[schemars(extend("x-label" = {"zh": "简介", "en": "Summary"}, "x-multiline" = true))]
    pub summary: Words,
    /// Steps may be done in any order, at the same time; otherwise each
    /// waits for the one before it.
    #[serde(default)]
    #[schemars(extend("x-label" = {"zh": "各步骤不分先后，可同时办理", "en": "Steps in any order, at the same time"}))]
    pub any_order: bool,
    /// Once every step is done, what was filled in (not the photos) is
    /// shown on the village's public page (村务公开栏).
    #[serde(default)]
    #[schemars(extend("x-label" = {"zh": "办结后在村务公开栏公示填写内容（不含照片）", "en": "Once done, show what was filled in (not the photos) on the village's public page"}))]
    pub public: bool,
    /// The steps.
    #[serde(default)]
    #[schemars(extend("x-label" = {"zh": "步骤", "en": "Steps"}, "x-rows" = 1, "x-edit" = true, "x-row-label" = {"zh": "步骤", "en": "Step"}))]
    pub steps: Vec<Step>,
}

impl Default for Config {
    /// An example to start from: the register of what is handed over, under
    /// the township's supervision, then its public notice.
    fn default() -> Self {
        let column = |s: &str| s.to_owned();
        Self {
            title: Words::new("集体资产清点移交", "Collective assets handed over"),
            summary: Words::new(
                "离任干部登记集体资产，新任书记确认接收，乡镇（街道）监交；清单张榜公示。",
                "The outgoing cadre lists the collective assets, the new secretary receives them under the township's supervision, and the list is posted publicly.",
            ),
            any_order: false,
            public: false,
            steps: vec![
                Step {
                    title: Words::new("登记移交清单", "List what is handed over"),
                    who: Some(Who::OutgoingCadre),
                    guide: Words::new(
                        "逐项登记，附清单照片。",
                        "List each item with a photo of the list.",
                    ),
                    fields: vec![Field {
                        label: Words::new("资产清单", "Assets"),
                        kind: Kind::Table,
                        required: true,
                        unit: String::new(),
                        options: vec![column("名称"), column("数量"), column("存放地点")],
                    }],
                    photos: Photos::Optional,
                    statement: Words::default(),
                    confirm: Confirm::TownshipOfficer,
                    confirm_statement: Words::default(),
                    due_days: 10,
                },
                Step {
                    title: Words::new("张榜公示", "Posted publicly"),
                    who: Some(Who::Secretary),
                    guide: Words::default(),
                    fields: vec![
                        Field {
                            label: Words::new("公示日期", "Posted on"),
                            kind: Kind::Date,
                            required: true,
                            ..Field::default()
                        },
                        Field {
                            label: Words::new("公示天数", "Days posted"),
                            kind: Kind::Number,
                            required: true,
                            unit: "天".into(),
                            options: Vec::new(),
                        },
                    ],
                    photos: Photos::Optional,
                    statement: Words::default(),
                    confirm: Confirm::Nobody,
                    confirm_statement: Words::default(),
                    due_days: 20,
                },
            ],
        }
    }
}

/// One village's run of the procedure.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct State {
    /// When it started: deadlines count from here.
    pub started_at: i64,
    /// Each step's record, as the definition's steps.
    pub steps: Vec<StepRecord>,
}

/// What was done in a step.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct StepRecord {
    /// Each field's answer, in the definition's order: a string, a list of
    /// choices, or a table's rows.
    pub values: Vec<Value>,
    /// The files attached, by id.
    pub photos: Vec<String>,
    /// Submitted, by whom.
    pub done: Option<Stamp>,
    /// Confirmed, by whom.
    pub confirmed: Option<Stamp>,
    /// Sent back by the confirmer, and why; cleared on the next submit.
    pub returned: Option<(Stamp, String)>,
    /// Someone must confirm it once submitted (from the definition, so
    /// progress counts the confirmation).
    pub needs_confirming: bool,
}

impl StepRecord {
    fn complete(&self, step: &Step) -> bool {
        self.done.is_some() && (step.confirm == Confirm::Nobody || self.confirmed.is_some())
    }
}

/// The actions, as the server sends them.
#[derive(Debug, Deserialize)]
#[serde(tag = "action", content = "payload", rename_all = "kebab-case")]
pub enum Action {
    /// Fill in and sign a step.
    Submit(Submit),
    /// Confirm (receive, supervise, witness, review) a submitted step.
    Confirm(ConfirmStep),
    /// Send a submitted step back to be done again.
    SendBack(SendBack),
}

/// Payload of `submit`.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Submit {
    /// The step, from 1.
    pub step: u32,
    /// The answers, one per field of the step.
    #[serde(default)]
    pub values: Vec<Answer>,
    /// Files attached as evidence.
    #[serde(default)]
    #[schemars(extend("x-label" = {"zh": "照片或 PDF 凭证", "en": "Photos or PDFs"}, "x-attachments" = true))]
    pub photos: Vec<String>,
    /// The person signs for what was filled.
    #[serde(default)]
    #[schemars(extend("x-label" = {"zh": "本人确认以上内容属实并签字", "en": "I confirm the above is true and sign"}))]
    pub agree: bool,
}

/// The answer to one field.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Answer {
    /// The field, from 0, in the step's order.
    pub field: u32,
    /// Text, a number, an amount, a date, `yes`/`no`, or a choice.
    #[serde(default)]
    pub value: String,
    /// The options ticked.
    #[serde(default)]
    pub choices: Vec<String>,
    /// A table's rows.
    #[serde(default)]
    pub rows: Vec<Row>,
}

/// A table's row: up to six columns.
#[derive(Debug, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[allow(missing_docs)]
pub struct Row {
    #[serde(default)]
    pub a: String,
    #[serde(default)]
    pub b: String,
    #[serde(default)]
    pub c: String,
    #[serde(default)]
    pub d: String,
    #[serde(default)]
    pub e: String,
    #[serde(default)]
    pub f: String,
}

impl Row {
    fn cells(&self, n: usize) -> Vec<String> {
        [&self.a, &self.b, &self.c, &self.d, &self.e, &self.f]
            .iter()
            .take(n)
            .map(|c| c.trim().to_owned())
            .collect()
    }
}

/// Payload of `confirm`.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ConfirmStep {
    /// The step, from 1.
    pub step: u32,
    /// The confirmer signs.
    #[serde(default)]
    #[schemars(extend("x-label" = {"zh": "本人已核实并签字确认", "en": "I have checked it and sign"}))]
    pub agree: bool,
}

/// Payload of `send-back`.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct SendBack {
    /// The step, from 1.
    pub step: u32,
    /// What must be put right.
    #[schemars(extend("x-label" = {"zh": "退回原因", "en": "What must be put right"}, "x-multiline" = true))]
    pub reason: String,
}

impl Module for Procedure {
    type State = State;
    type Action = Action;
    type Config = Config;

    fn info() -> ModuleInfo {
        ModuleInfo {
            id: "procedure".into(),
            version: env!("CARGO_PKG_VERSION").into(),
            title: Text::new("程序（省级自定义）", "Procedure (a province's own)"),
            summary: Text::new(
                "省级在管理台配置的办理程序：按步骤填写、上传凭证、签字，由乡镇（街道）监交或见证。",
                "A procedure a province configures in the console: steps filled in, evidenced and signed, supervised or witnessed by the township.",
            ),
            audience: Audience::Committee,
            actions: vec![
                ActionInfo::new::<Submit>("submit", Text::new("签字提交", "Sign and submit")),
                ActionInfo::new::<ConfirmStep>(
                    "confirm",
                    Text::new("签字确认", "Confirm and sign"),
                ),
                ActionInfo::new::<SendBack>("send-back", Text::new("退回重办", "Send back")),
            ],
            templates: vec![
                Template::new(
                    "procedure",
                    include_str!("../templates/procedure.zh.hbs"),
                    include_str!("../templates/procedure.en.hbs"),
                ),
                Template::new(
                    baton_sdk::PUBLIC_TEMPLATE,
                    include_str!("../templates/public.zh.hbs"),
                    include_str!("../templates/public.en.hbs"),
                ),
            ],
            estimated_minutes: 30,
            config_schema: baton_sdk::config_schema::<Config>(),
            reviewers: vec![Role::CountyTrainer],
        }
    }

    fn check_config(config: &Config) -> Result<(), Rejection> {
        let problems = definition_problems(config);
        if problems.is_empty() {
            Ok(())
        } else {
            Err(Rejection::Invalid(problems))
        }
    }

    fn start(ctx: &Context<Config>) -> Result<State, Rejection> {
        Ok(State {
            started_at: ctx.now,
            steps: ctx
                .config
                .steps
                .iter()
                .map(|s| StepRecord {
                    needs_confirming: s.confirm != Confirm::Nobody,
                    ..StepRecord::default()
                })
                .collect(),
        })
    }

    fn act(ctx: &Context<Config>, state: &mut State, action: Action) -> Result<Effects, Rejection> {
        match action {
            Action::Submit(p) => submit(ctx, state, p),
            Action::Confirm(p) => confirm(ctx, state, &p),
            Action::SendBack(p) => send_back(ctx, state, &p),
        }
    }

    fn progress(state: &State) -> Progress {
        // A submission is one, a confirmation another.
        let n = |x: usize| u32::try_from(x).unwrap_or(u32::MAX / 2);
        let done: usize = state
            .steps
            .iter()
            .map(|s| usize::from(s.done.is_some()) + usize::from(s.confirmed.is_some()))
            .sum();
        let total: usize = state
            .steps
            .iter()
            .map(|s| 1 + usize::from(s.needs_confirming))
            .sum();
        Progress {
            done: n(done),
            total: n(total),
        }
    }

    fn awaiting(ctx: &Context<Config>, state: &State) -> Vec<Awaiting> {
        let mut out = Vec::new();
        for (i, (step, record)) in ctx.config.steps.iter().zip(&state.steps).enumerate() {
            if record.complete(step) {
                continue;
            }
            let title = step.title.text();
            let (who, what) = match (record.done.is_some(), step.confirm.who()) {
                (false, _) => (
                    step.who,
                    Text::new(format!("办理“{}”", title.zh), format!("do “{}”", title.en)),
                ),
                (true, Some(confirmer)) => (
                    Some(confirmer),
                    Text::new(
                        format!("确认“{}”", title.zh),
                        format!("confirm “{}”", title.en),
                    ),
                ),
                (true, None) => continue,
            };
            if let Some(who) = who {
                out.push(Awaiting::role(
                    who.roles()[0],
                    what,
                    format!("step-{}", i + 1),
                ));
            }
            if !ctx.config.any_order {
                break;
            }
        }
        out
    }

    fn view(ctx: &Context<Config>, state: &State) -> View {
        view(ctx, state)
    }
}

/// Every problem with a definition, each named by its field (`config.…`).
pub fn definition_problems(config: &Config) -> Vec<FieldError> {
    let mut out = Vec::new();
    let mut bad = |field: String, zh: String, en: String| {
        out.push(FieldError {
            field,
            message: Text::new(zh, en),
        });
    };
    if config.title.is_blank() {
        bad(
            "config.title.zh".into(),
            "请填写名称".into(),
            "give it a title".into(),
        );
    }
    if config.steps.is_empty() {
        bad(
            "config.steps".into(),
            "至少需要一个步骤".into(),
            "it needs at least one step".into(),
        );
    }
    if config.steps.len() > MAX_STEPS {
        bad(
            "config.steps".into(),
            format!(
                "步骤最多 {MAX_STEPS} 个，现有 {} 个；请拆分为几个程序",
                config.steps.len()
            ),
            format!(
                "at most {MAX_STEPS} steps, not {}; split it into several procedures",
                config.steps.len()
            ),
        );
        return out;
    }
    for (i, step) in config.steps.iter().enumerate() {
        let at = format!("config.steps.{i}");
        let n = i + 1;
        if step.title.is_blank() {
            bad(
                format!("{at}.title.zh"),
                format!("第 {n} 步：请填写步骤名称"),
                format!("step {n}: give it a title"),
            );
        }
        match step.who {
            None => bad(
                format!("{at}.who"),
                format!("第 {n} 步：请选择办理人"),
                format!("step {n}: choose who does it"),
            ),
            Some(who) if step.confirm.who() == Some(who) => bad(
                format!("{at}.confirm"),
                format!("第 {n} 步：确认人不能与办理人相同"),
                format!("step {n}: it cannot be confirmed by the one who does it"),
            ),
            Some(_) => {}
        }
        if step.fields.len() > MAX_FIELDS {
            bad(
                format!("{at}.fields"),
                format!("第 {n} 步：填写内容最多 {MAX_FIELDS} 项"),
                format!("step {n}: at most {MAX_FIELDS} fields"),
            );
            continue;
        }
        for (j, field) in step.fields.iter().enumerate() {
            let at = format!("{at}.fields.{j}");
            let (m, name) = (j + 1, field.label.zh.trim());
            if field.label.is_blank() {
                bad(
                    format!("{at}.label.zh"),
                    format!("第 {n} 步第 {m} 项：请填写名称"),
                    format!("step {n}, field {m}: give it a label"),
                );
            }
            let options = field.options();
            let mut distinct = options.clone();
            distinct.sort_unstable();
            distinct.dedup();
            match field.kind {
                Kind::Choice | Kind::Choices if options.len() < 2 => bad(
                    format!("{at}.options"),
                    format!("第 {n} 步“{name}”：选择题至少需要两个选项，每行一个"),
                    format!(
                        "step {n}, “{name}”: a choice needs at least two options, one per line"
                    ),
                ),
                Kind::Table if options.is_empty() || options.len() > COLUMNS.len() => bad(
                    format!("{at}.options"),
                    format!(
                        "第 {n} 步“{name}”：表格需要 1 至 {} 列，每行写一个列名",
                        COLUMNS.len()
                    ),
                    format!(
                        "step {n}, “{name}”: a table needs 1 to {} columns, one name per line",
                        COLUMNS.len()
                    ),
                ),
                _ if options.len() > MAX_OPTIONS => bad(
                    format!("{at}.options"),
                    format!("第 {n} 步“{name}”：选项最多 {MAX_OPTIONS} 个"),
                    format!("step {n}, “{name}”: at most {MAX_OPTIONS} options"),
                ),
                _ if distinct.len() != options.len() => bad(
                    format!("{at}.options"),
                    format!("第 {n} 步“{name}”：选项有重复"),
                    format!("step {n}, “{name}”: an option is listed twice"),
                ),
                _ => {}
            }
        }
        if step.due_days > 366 {
            bad(
                format!("{at}.due_days"),
                format!("第 {n} 步：期限最多 366 天"),
                format!("step {n}: at most 366 days"),
            );
        }
    }
    out
}

/// The step `n` (from 1), or why not.
fn step_at<'a>(ctx: &'a Context<Config>, n: u32) -> Result<(usize, &'a Step), Rejection> {
    let i = usize::try_from(n).unwrap_or(0).wrapping_sub(1);
    ctx.config.steps.get(i).map(|s| (i, s)).ok_or_else(|| {
        Rejection::invalid(
            "step",
            format!("没有第 {n} 步"),
            format!("there is no step {n}"),
        )
    })
}

fn submit(ctx: &Context<Config>, state: &mut State, p: Submit) -> Result<Effects, Rejection> {
    let (i, step) = step_at(ctx, p.step)?;
    let who = step.who.unwrap_or(Who::Secretary);
    ctx.require_role(who.roles())?;
    let record = &state.steps[i];
    if record.done.is_some() {
        return Err(Rejection::conflict(
            format!("“{}”已经提交", step.title.zh),
            format!("“{}” was already submitted", step.title.get(Locale::En)),
        ));
    }
    if !ctx.config.any_order
        && let Some((k, before)) = ctx
            .config
            .steps
            .iter()
            .zip(&state.steps)
            .take(i)
            .enumerate()
            .find(|(_, (s, r))| !r.complete(s))
            .map(|(k, (s, _))| (k, s))
    {
        return Err(Rejection::conflict(
            format!("请先完成第 {} 步“{}”", k + 1, before.title.zh),
            format!(
                "step {} “{}” must be finished first",
                k + 1,
                before.title.get(Locale::En)
            ),
        ));
    }
    let people: Vec<&str> = ctx.people().iter().map(|m| m.name.as_str()).collect();
    let values = answers(step, &p.values, &people)?;
    if step.photos == Photos::Required && p.photos.is_empty() {
        return Err(Rejection::invalid(
            "photos",
            "本步骤须附照片或 PDF：请先上传，再勾选",
            "this step needs a photo or PDF: upload it, then tick it",
        ));
    }
    if step.photos == Photos::None && !p.photos.is_empty() {
        return Err(Rejection::invalid(
            "photos",
            "本步骤不收附件",
            "this step takes no files",
        ));
    }
    ctx.require_attachments("photos", &p.photos)?;
    if !p.agree {
        return Err(Rejection::invalid(
            "agree",
            "请核对后勾选“本人确认以上内容属实并签字”",
            "check what you filled in and tick to sign",
        ));
    }
    let record = &mut state.steps[i];
    record.values = values;
    record.photos = p.photos;
    record.done = Some(ctx.stamp());
    record.returned = None;
    let title = step.title.text();
    let statement = if step.statement.is_blank() {
        Text::new(
            format!("本人{}已办理“{}”，所填内容属实。", ctx.actor.name, title.zh),
            format!(
                "I, {}, have done “{}”; what I filled in is true.",
                ctx.actor.name, title.en
            ),
        )
    } else {
        let s = step.statement.text();
        Text::new(
            format!("本人{}：{}", ctx.actor.name, s.zh),
            format!("I, {}: {}", ctx.actor.name, s.en),
        )
    };
    let mut effects = Effects::none().signoff(ctx.signoff(format!("step-{}", i + 1), statement));
    if let Some(confirmer) = step.confirm.who() {
        effects = effects.notify(
            Recipient::Role(confirmer.roles()[0]),
            Text::new(
                format!(
                    "{}“{}”已由{}提交，请确认",
                    ctx.village.name, title.zh, ctx.actor.name
                ),
                format!(
                    "{}: “{}” was submitted by {}; please confirm it",
                    ctx.village.name, title.en, ctx.actor.name
                ),
            ),
        );
    }
    Ok(effects)
}

/// The answers to `step`'s fields, checked, each as it is kept; every
/// wrong field named (`values.{j}.value`).
fn answers(step: &Step, given: &[Answer], people: &[&str]) -> Result<Vec<Value>, Rejection> {
    let mut problems = Vec::new();
    let mut out = Vec::new();
    for (j, field) in step.fields.iter().enumerate() {
        let answer = given
            .iter()
            .find(|a| usize::try_from(a.field).ok() == Some(j));
        let name = field.label.zh.trim();
        let en = field.label.get(Locale::En).to_owned();
        let mut wrong = |suffix: &str, zh: String, en_: String| {
            problems.push(FieldError {
                field: format!("values.{j}.{suffix}"),
                message: Text::new(format!("“{name}”：{zh}"), format!("“{en}”: {en_}")),
            });
        };
        let options = field.options();
        let value = answer.map_or("", |a| a.value.trim());
        let kept = match field.kind {
            Kind::Choices => {
                let ticked: Vec<String> = answer.map(|a| a.choices.clone()).unwrap_or_default();
                if let Some(odd) = ticked.iter().find(|t| !options.contains(&t.trim())) {
                    wrong(
                        "choices",
                        format!("没有“{odd}”这个选项"),
                        format!("`{odd}` is not an option"),
                    );
                } else if field.required && ticked.is_empty() {
                    wrong("choices", "请至少选一项".into(), "tick at least one".into());
                }
                json!(ticked)
            }
            Kind::Table => {
                let rows: Vec<Vec<String>> = answer
                    .map(|a| {
                        a.rows
                            .iter()
                            .map(|r| r.cells(options.len()))
                            .filter(|c| c.iter().any(|x| !x.is_empty()))
                            .collect()
                    })
                    .unwrap_or_default();
                if field.required && rows.is_empty() {
                    wrong(
                        "rows",
                        "请至少填写一行".into(),
                        "fill in at least one row".into(),
                    );
                }
                json!(rows)
            }
            _ if value.is_empty() => {
                if field.required {
                    wrong("value", "必填".into(), "required".into());
                }
                json!("")
            }
            Kind::Number if value.parse::<f64>().is_err() => {
                wrong(
                    "value",
                    format!("“{value}”不是数字"),
                    format!("`{value}` is not a number"),
                );
                json!(value)
            }
            Kind::Money if !is_money(value) => {
                wrong(
                    "value",
                    format!("“{value}”不是金额：以元为单位，最多两位小数，如 1500 或 1500.50"),
                    format!("`{value}` is not an amount in yuan like 1500 or 1500.50"),
                );
                json!(value)
            }
            Kind::Date => {
                if let Err(Rejection::Invalid(e)) = check::date("", value) {
                    wrong("value", e[0].message.zh.clone(), e[0].message.en.clone());
                }
                json!(value)
            }
            Kind::YesNo if value != "yes" && value != "no" => {
                wrong("value", "请选择是或否".into(), "choose yes or no".into());
                json!(value)
            }
            Kind::Person if !people.contains(&value) => {
                wrong(
                    "value",
                    format!("“{value}”不是本村新一届两委成员"),
                    format!("`{value}` is not on this village's new committees"),
                );
                json!(value)
            }
            Kind::Choice if !options.contains(&value) => {
                wrong(
                    "value",
                    format!("没有“{value}”这个选项"),
                    format!("`{value}` is not an option"),
                );
                json!(value)
            }
            _ => json!(value),
        };
        out.push(kept);
    }
    if let Some(a) = given
        .iter()
        .find(|a| usize::try_from(a.field).map_or(true, |j| j >= step.fields.len()))
    {
        problems.push(FieldError {
            field: "values".into(),
            message: Text::new(
                format!("本步骤没有第 {} 项", a.field + 1),
                format!("this step has no field {}", a.field + 1),
            ),
        });
    }
    if problems.is_empty() {
        Ok(out)
    } else {
        Err(Rejection::Invalid(problems))
    }
}

/// Whole yuan or yuan and fen: `1500`, `1500.5`, `1500.50`; never negative.
fn is_money(s: &str) -> bool {
    let (whole, fen) = s.split_once('.').unwrap_or((s, ""));
    !whole.is_empty()
        && whole.len() <= 12
        && whole.bytes().all(|b| b.is_ascii_digit())
        && fen.len() <= 2
        && fen.bytes().all(|b| b.is_ascii_digit())
        && !(s.contains('.') && fen.is_empty())
}

fn submitted<'a>(
    ctx: &'a Context<Config>,
    state: &State,
    n: u32,
) -> Result<(usize, &'a Step, Who), Rejection> {
    let (i, step) = step_at(ctx, n)?;
    let Some(confirmer) = step.confirm.who() else {
        return Err(Rejection::conflict(
            format!("“{}”无需确认", step.title.zh),
            format!("“{}” needs no confirmation", step.title.get(Locale::En)),
        ));
    };
    ctx.require_role(confirmer.roles())?;
    let record = &state.steps[i];
    if record.done.is_none() {
        return Err(Rejection::conflict(
            format!("“{}”尚未提交", step.title.zh),
            format!(
                "“{}” has not been submitted yet",
                step.title.get(Locale::En)
            ),
        ));
    }
    if record.confirmed.is_some() {
        return Err(Rejection::conflict(
            format!("“{}”已经确认", step.title.zh),
            format!("“{}” was already confirmed", step.title.get(Locale::En)),
        ));
    }
    Ok((i, step, confirmer))
}

fn confirm(
    ctx: &Context<Config>,
    state: &mut State,
    p: &ConfirmStep,
) -> Result<Effects, Rejection> {
    let (i, step, _) = submitted(ctx, state, p.step)?;
    if !p.agree {
        return Err(Rejection::invalid(
            "agree",
            "请核实后勾选签字确认",
            "check it and tick to sign",
        ));
    }
    state.steps[i].confirmed = Some(ctx.stamp());
    let title = step.title.text();
    let statement = if step.confirm_statement.is_blank() {
        Text::new(
            format!(
                "本人{}确认{}“{}”按记录办理，手续完备。",
                ctx.actor.name, ctx.village.name, title.zh
            ),
            format!(
                "I, {}, confirm that {}'s “{}” was done as recorded.",
                ctx.actor.name, ctx.village.name, title.en
            ),
        )
    } else {
        let s = step.confirm_statement.text();
        Text::new(
            format!("本人{}：{}", ctx.actor.name, s.zh),
            format!("I, {}: {}", ctx.actor.name, s.en),
        )
    };
    Ok(Effects::none().signoff(ctx.signoff(format!("step-{}-confirmed", i + 1), statement)))
}

fn send_back(ctx: &Context<Config>, state: &mut State, p: &SendBack) -> Result<Effects, Rejection> {
    let (i, step, _) = submitted(ctx, state, p.step)?;
    check::required("reason", &p.reason)?;
    let record = &mut state.steps[i];
    let by = record.done.take();
    record.returned = Some((ctx.stamp(), p.reason.trim().to_owned()));
    let title = step.title.text();
    let message = Text::new(
        format!(
            "“{}”被{}退回：{}",
            title.zh,
            ctx.actor.name,
            p.reason.trim()
        ),
        format!(
            "“{}” was sent back by {}: {}",
            title.en,
            ctx.actor.name,
            p.reason.trim()
        ),
    );
    let to = by.map_or(
        Recipient::Role(step.who.unwrap_or(Who::Secretary).roles()[0]),
        |s| Recipient::Person(s.person_id),
    );
    Ok(Effects::none().notify(to, message))
}

fn view(ctx: &Context<Config>, state: &State) -> View {
    let locale = ctx.locale;
    let people: Vec<&str> = ctx.people().iter().map(|m| m.name.as_str()).collect();
    let role = ctx.actor.role;
    let public = ctx.is_public();
    let mut open_before = false;
    let mut steps = Vec::new();
    let mut done = 0;
    for (i, (step, record)) in ctx.config.steps.iter().zip(&state.steps).enumerate() {
        let n = i + 1;
        let complete = record.complete(step);
        done += usize::from(complete);
        let reachable = ctx.config.any_order || !open_before;
        open_before |= !complete;
        let may_do = step.who.is_some_and(|w| w.roles().contains(&role)) && !public;
        let confirmer = step.confirm.who();
        let may_confirm = confirmer.is_some_and(|w| w.roles().contains(&role)) && !public;
        let due = (step.due_days > 0).then(|| state.started_at + i64::from(step.due_days) * 86_400);
        let answers: Vec<Value> = step
            .fields
            .iter()
            .zip(&record.values)
            .map(|(f, v)| answer_view(f, v, locale))
            .collect();
        steps.push(json!({
            "n": n,
            "title": step.title.get(locale),
            "who": step.who.map(|w| w.title().get(locale).to_owned()),
            "confirmer": confirmer.map(|w| w.title().get(locale).to_owned()),
            "guide": step.guide.get(locale),
            "due": due.map(format_date),
            "overdue": due.is_some_and(|d| d < ctx.now) && !complete,
            "complete": complete,
            "submitted": record.done.is_some(),
            "done_by": record.done.as_ref().map(Stamp::view),
            "confirmed_by": record.confirmed.as_ref().map(Stamp::view),
            "returned": record.returned.as_ref().map(|(by, why)| json!({"by": by.view(), "reason": why})),
            "answers": answers,
            "photos": record.photos,
            "can_submit": may_do && reachable && record.done.is_none(),
            "can_confirm": may_confirm && record.done.is_some() && record.confirmed.is_none(),
            "waiting": reachable && !complete && !(may_do && record.done.is_none()) && !(may_confirm && record.done.is_some()),
            "takes_photos": step.photos != Photos::None,
            "fields": form_fields(step, locale, &people),
            "statement": step.statement.get(locale),
        }));
    }
    let complete = done == ctx.config.steps.len();
    // The village's public page: only what a definition makes public, and
    // only once done; never the photos or who signed.
    if public {
        let shown: Vec<Value> = steps
            .iter()
            .map(|s| json!({"n": s["n"], "title": s["title"], "answers": s["answers"]}))
            .collect();
        return View::new(
            baton_sdk::PUBLIC_TEMPLATE,
            &json!({
                "title": ctx.config.title.get(locale),
                "village": ctx.village.name,
                "shown": ctx.config.public && complete,
                "steps": if ctx.config.public && complete { shown } else { Vec::new() },
            }),
        );
    }
    View::new(
        "procedure",
        &json!({
            "title": ctx.config.title.get(locale),
            "summary": ctx.config.summary.get(locale),
            "village": ctx.village.name,
            "ordered": !ctx.config.any_order,
            "done": done,
            "total": ctx.config.steps.len(),
            "complete": complete,
            "steps": steps,
        }),
    )
}

/// A kept answer as a view shows it: text, or a table's rows.
fn answer_view(field: &Field, value: &Value, locale: Locale) -> Value {
    let label = field.label.get(locale);
    let text = match (field.kind, value) {
        (Kind::Table, Value::Array(rows)) => {
            return json!({"label": label, "columns": field.options, "rows": rows});
        }
        (Kind::Choices, Value::Array(ticked)) => ticked
            .iter()
            .filter_map(Value::as_str)
            .collect::<Vec<_>>()
            .join(if locale == Locale::En { ", " } else { "、" }),
        (Kind::YesNo, Value::String(v)) => match (v.as_str(), locale) {
            ("yes", Locale::En) => "yes".into(),
            ("yes", _) => "是".into(),
            ("no", Locale::En) => "no".into(),
            ("no", _) => "否".into(),
            _ => String::new(),
        },
        (Kind::Money, Value::String(v)) if !v.is_empty() => format!("{v} 元"),
        (Kind::Number, Value::String(v)) if !v.is_empty() => {
            format!("{v} {}", field.unit.trim()).trim_end().to_owned()
        }
        (_, Value::String(v)) => v.clone(),
        _ => String::new(),
    };
    json!({"label": label, "text": text})
}

/// The inputs of a step's form, each with the name it posts under.
fn form_fields(step: &Step, locale: Locale, people: &[&str]) -> Vec<Value> {
    step.fields
        .iter()
        .enumerate()
        .map(|(j, f)| {
            let options = f.options();
            let base = format!("values.{j}");
            let columns: Vec<Value> = options
                .iter()
                .zip(COLUMNS)
                .map(|(label, key)| json!({"label": label, "key": key}))
                .collect();
            let rows: Vec<Value> = (0..BLANK_ROWS + 2)
                .map(|r| {
                    json!(columns
                        .iter()
                        .map(|c| json!({"label": c["label"], "name": format!("{base}.rows.{r}.{}", c["key"].as_str().unwrap_or("a"))}))
                        .collect::<Vec<_>>())
                })
                .collect();
            json!({
                "index": j,
                "id": format!("f-values-{j}"),
                "field_name": format!("{base}.field"),
                "name": format!("{base}.value"),
                "choices_name": format!("{base}.choices"),
                "label": f.label.get(locale),
                "required": f.required,
                "unit": f.unit.trim(),
                "text": f.kind == Kind::Text,
                "long": f.kind == Kind::LongText,
                "number": matches!(f.kind, Kind::Number | Kind::Money),
                "money": f.kind == Kind::Money,
                "date": f.kind == Kind::Date,
                "yes_no": f.kind == Kind::YesNo,
                "choice": f.kind == Kind::Choice,
                "person": f.kind == Kind::Person,
                "people": people,
                "choices": f.kind == Kind::Choices,
                "table": f.kind == Kind::Table,
                "options": options,
                "columns": columns,
                "rows": rows,
            })
        })
        .collect()
}
