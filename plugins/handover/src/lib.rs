//! 交接 — the handover from the old committee to the new one.
//!
//! 重庆: every village handed over its seals (公章), archives (文档), assets
//! (资产), office premises (办公场所) — “accounts clear, procedures standard,
//! content complete, handover effective”. Three parties sign each item: the
//! outgoing cadre declares the inventory, the new secretary receives it and
//! notes any discrepancies, a township officer witnesses. 陕西's rule “一个程序
//! 一次签字确认” makes every signature a sign-off in the host's hash-chained log.

mod state;
mod view;

use baton_sdk::{
    ActionInfo, Audience, Awaiting, Context, Effects, Module, ModuleInfo, Progress, Recipient,
    Rejection, Role, Template, Text, View,
};

pub use state::{
    Action, Config, Confirm, Declare, DeclareFor, Discrepancy, Entry, ExtraItem, Item, ListedItem,
    OnBehalf, Reason, Receipt, SendBack, Signature, State, Witness, WitnessPayload,
};

/// The items counties list besides those, when the province's config
/// names them: (which, key, Chinese, English).
pub const LISTED_ITEMS: [(ListedItem, &str, &str, &str); 5] = [
    (ListedItem::Debts, "debts", "债权债务", "Claims and debts"),
    (ListedItem::Contracts, "contracts", "合同协议", "Contracts"),
    (
        ListedItem::BankSeals,
        "bank-seals",
        "银行预留印鉴",
        "Seals registered with the bank",
    ),
    (
        ListedItem::OpenIssues,
        "open-issues",
        "遗留问题",
        "Unresolved matters",
    ),
    (
        ListedItem::Audit,
        "audit",
        "离任经济责任审计结果",
        "Outgoing economic-responsibility audit",
    ),
];

/// The key and title of a listed item.
fn listed(which: ListedItem) -> (&'static str, Text) {
    let (_, key, zh, en) = LISTED_ITEMS
        .iter()
        .find(|(w, ..)| *w == which)
        .expect("every listed item has a row");
    (key, Text::new(*zh, *en))
}

/// The handover module.
pub struct Handover;

baton_sdk::export_module!(Handover);

/// The items every village hands over, before any the province adds.
pub const BUILT_IN_ITEMS: [(&str, &str, &str); 5] = [
    ("seals", "公章印章", "Seals"),
    ("archives", "档案资料", "Archives"),
    ("assets", "集体资产", "Collective assets"),
    ("premises", "办公场所", "Office premises"),
    ("accounts", "财务账目", "Accounts"),
];

impl Module for Handover {
    type State = State;
    type Action = Action;
    type Config = Config;

    fn info() -> ModuleInfo {
        ModuleInfo {
            id: "handover".into(),
            version: env!("CARGO_PKG_VERSION").into(),
            title: Text::new(
                "新老班子工作交接",
                "Handover between old and new committees",
            ),
            summary: Text::new(
                "离任干部逐项移交公章、档案、资产、办公场所和账目，新任书记清点确认，乡镇干部现场监交，一个程序一次签字确认。",
                "The outgoing cadre hands over seals, archives, assets, premises and accounts item by item; the new secretary checks and receives them; a township officer witnesses. Every step is signed.",
            ),
            audience: Audience::Committee,
            actions: vec![
                ActionInfo::new::<Declare>(
                    "declare",
                    Text::new("申报移交清单", "Declare the inventory"),
                ),
                ActionInfo::new::<SendBack>(
                    "send-back",
                    Text::new("退回重新申报", "Send back for correction"),
                ),
                ActionInfo::new::<Confirm>("confirm", Text::new("清点接收", "Check and receive")),
                ActionInfo::new::<WitnessPayload>(
                    "witness",
                    Text::new("监交签字", "Witness and sign"),
                ),
                ActionInfo::new::<DeclareFor>(
                    "declare-for",
                    Text::new(
                        "代为移交或连任自查",
                        "Declare on the cadre's behalf, or self-check",
                    ),
                ),
            ],
            templates: vec![Template::new(
                "handover",
                include_str!("../templates/handover.zh.hbs"),
                include_str!("../templates/handover.en.hbs"),
            )],
            estimated_minutes: 90,
            config_schema: baton_sdk::schema::<Config>(),
            reviewers: Vec::new(),
        }
    }

    fn check_config(config: &Config) -> Result<(), Rejection> {
        let mut keys: Vec<&str> = BUILT_IN_ITEMS.iter().map(|(key, _, _)| *key).collect();
        for (i, which) in config.listed_items.iter().enumerate() {
            let (key, title) = listed(*which);
            if keys.contains(&key) {
                return Err(Rejection::invalid(
                    format!("config.listed_items.{i}"),
                    format!("“{}”已选，不能重复", title.zh),
                    format!("{} is chosen twice", title.en),
                ));
            }
            keys.push(key);
        }
        // A province's own item may not take a listed item's key, chosen or not.
        keys.extend(LISTED_ITEMS.iter().map(|(_, key, _, _)| *key));
        for (i, extra) in config.extra_items.iter().enumerate() {
            let field = |name: &str| format!("config.extra_items.{i}.{name}");
            if !is_kebab(&extra.key) {
                return Err(Rejection::invalid(
                    field("key"),
                    "须为小写字母、数字和连字符，如 militia-equipment",
                    "must be lower-case letters, digits and hyphens, like militia-equipment",
                ));
            }
            if keys.contains(&extra.key.as_str()) {
                return Err(Rejection::invalid(
                    field("key"),
                    format!("“{}”已存在，不能重复", extra.key),
                    format!("`{}` is already an item", extra.key),
                ));
            }
            if extra.title.zh.trim().is_empty() || extra.title.en.trim().is_empty() {
                return Err(Rejection::invalid(
                    field("title"),
                    "中英文名称都必须填写",
                    "needs both a Chinese and an English name",
                ));
            }
            keys.push(&extra.key);
        }
        Ok(())
    }

    fn start(ctx: &Context<Config>) -> Result<State, Rejection> {
        let built_in = BUILT_IN_ITEMS
            .iter()
            .map(|(key, zh, en)| item(key, Text::new(*zh, *en)));
        let listed = ctx.config.listed_items.iter().map(|w| {
            let (key, title) = listed(*w);
            item(key, title)
        });
        let extra = ctx
            .config
            .extra_items
            .iter()
            .map(|e| item(&e.key, e.title.clone()));
        Ok(State {
            items: built_in.chain(listed).chain(extra).collect(),
        })
    }

    fn act(ctx: &Context<Config>, state: &mut State, action: Action) -> Result<Effects, Rejection> {
        match action {
            Action::Declare(p) => declare(ctx, state, p),
            Action::SendBack(p) => send_back(ctx, state, p),
            Action::Confirm(p) => confirm(ctx, state, p),
            Action::Witness(p) => witness(ctx, state, p),
            Action::DeclareFor(p) => declare_for(ctx, state, p),
        }
    }

    fn progress(state: &State) -> Progress {
        Progress {
            done: state.items.iter().map(Item::signatures).sum(),
            total: 3 * u32::try_from(state.items.len()).unwrap_or(u32::MAX / 3),
        }
    }

    /// Each item's next signer: the outgoing cadre declares, the secretary
    /// receives, a township officer witnesses.
    fn awaiting(ctx: &Context<Config>, state: &State) -> Vec<Awaiting> {
        // A re-elected committee (nobody left) checks what it keeps itself.
        let self_check = ctx.outgoing.is_empty();
        state
            .items
            .iter()
            .filter_map(|i| {
                let t = &i.title;
                let (role, zh, en) = if i.declared.is_none() && self_check {
                    (
                        Role::Secretary,
                        join("自查申报", &t.zh, ""),
                        join("self-check ", &t.en, ""),
                    )
                } else if i.declared.is_none() {
                    (
                        Role::OutgoingCadre,
                        join("申报", &t.zh, ""),
                        join("declare ", &t.en, ""),
                    )
                } else if i.received.is_none() {
                    let en = join("check and receive ", &t.en, "");
                    (Role::Secretary, join("清点接收", &t.zh, ""), en)
                } else if i.witnessed.is_none() {
                    let en = join("witness the handover of ", &t.en, "");
                    (Role::TownshipOfficer, join("监交", &t.zh, "交接"), en)
                } else {
                    return None;
                };
                Some(Awaiting::role(role, Text::new(zh, en), &i.key))
            })
            .collect()
    }

    fn view(ctx: &Context<Config>, state: &State) -> View {
        view::render(ctx, state)
    }
}

/// `before` + `title` + `after`, the title as it reads mid-sentence (an
/// English title's capital lowered unless it starts an acronym). Every
/// action says whose turn it is, so this runs on every call: one allocation.
fn join(before: &str, title: &str, after: &str) -> String {
    let mut s = String::with_capacity(before.len() + title.len() + after.len());
    s.push_str(before);
    s.push_str(title);
    s.push_str(after);
    let acronym = title.as_bytes().get(1).is_some_and(u8::is_ascii_uppercase);
    if !before.is_empty()
        && !acronym
        && let Some(first) = s.get_mut(before.len()..=before.len())
    {
        first.make_ascii_lowercase();
    }
    s
}

fn item(key: &str, title: Text) -> Item {
    Item {
        key: key.into(),
        title,
        entries: Vec::new(),
        declared: None,
        received: None,
        witnessed: None,
        sent_back: None,
        photos: Vec::new(),
        on_behalf: None,
    }
}

fn is_kebab(key: &str) -> bool {
    !key.is_empty()
        && !key.starts_with('-')
        && !key.ends_with('-')
        && key
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
}

fn find<'s>(state: &'s mut State, key: &str) -> Result<&'s mut Item, Rejection> {
    if key.trim().is_empty() {
        return Err(Rejection::invalid(
            "item",
            "请选择移交事项",
            "choose the item to hand over",
        ));
    }
    let known: Vec<String> = state.items.iter().map(|i| i.key.clone()).collect();
    state
        .items
        .iter_mut()
        .find(|i| i.key == key)
        .ok_or_else(|| {
            Rejection::invalid(
                "item",
                format!("没有“{key}”这一事项，可选：{}", known.join("、")),
                format!(
                    "there is no item `{key}`; expected one of {}",
                    known.join(", ")
                ),
            )
        })
}

fn signature<C>(ctx: &Context<C>) -> state::Signature {
    Signature {
        person_id: ctx.actor.person_id.clone(),
        name: ctx.actor.name.clone(),
        at: ctx.now,
    }
}

fn declare(ctx: &Context<Config>, state: &mut State, p: Declare) -> Result<Effects, Rejection> {
    ctx.require_role(&[Role::OutgoingCadre])?;
    if !ctx
        .outgoing
        .iter()
        .any(|o| o.person_id == ctx.actor.person_id)
    {
        return Err(Rejection::forbidden(
            "你不在本村离任干部名单中，不能申报移交",
            "you are not among this village's outgoing cadres, so you cannot declare a handover",
        ));
    }
    check_entries(&p.entries)?;
    ctx.require_attachments("photos", &p.photos)?;
    let item = find(state, &p.item)?;
    unreceived(item)?;
    audit_report(item, &p.photos)?;
    let n = p.entries.len();
    item.entries = p.entries;
    item.photos = p.photos;
    item.declared = Some(signature(ctx));
    item.sent_back = None;
    item.on_behalf = None;
    let who = &ctx.actor.name;
    let statement = Text::new(
        format!(
            "本人{who}移交“{}”共 {n} 项，清单如实，无隐瞒。",
            item.title.zh
        ),
        format!(
            "I, {who}, hand over {}: {n} entries, listed truthfully and completely.",
            item.title.en
        ),
    );
    Ok(declared(ctx, item, statement))
}

/// The audit's result is declared with its report: a scan or photo of it.
fn audit_report(item: &Item, photos: &[String]) -> Result<(), Rejection> {
    if item.key == "audit" && photos.is_empty() {
        return Err(Rejection::invalid(
            "photos",
            "请上传离任经济责任审计报告（扫描件或照片）",
            "attach the audit report (a scan or a photo)",
        ));
    }
    Ok(())
}

/// An inventory has at least one entry, each named, each at least one.
fn check_entries(entries: &[Entry]) -> Result<(), Rejection> {
    if entries.is_empty() {
        return Err(Rejection::invalid(
            "entries",
            "清单至少要有一项",
            "list at least one entry",
        ));
    }
    for (i, e) in entries.iter().enumerate() {
        if e.name.trim().is_empty() {
            return Err(Rejection::invalid(
                format!("entries.{i}.name"),
                "请填写名称",
                "is required",
            ));
        }
        if e.quantity == 0 {
            return Err(Rejection::invalid(
                format!("entries.{i}.quantity"),
                "数量至少为 1",
                "must be at least 1",
            ));
        }
    }
    Ok(())
}

/// An item's inventory can change until the new side has received it.
fn unreceived(item: &Item) -> Result<(), Rejection> {
    if item.received.is_some() {
        return Err(Rejection::conflict(
            format!("“{}”已由新任书记接收，不能再修改清单", item.title.zh),
            format!(
                "{} has already been received; its inventory can no longer change",
                item.title.en
            ),
        ));
    }
    Ok(())
}

/// The sign-off of a declaration, and the secretary told it waits for them.
fn declared(ctx: &Context<Config>, item: &Item, statement: Text) -> Effects {
    Effects::none()
        .signoff(ctx.signoff(format!("{}:declare", item.key), statement))
        .notify(
            Recipient::Role(Role::Secretary),
            Text::new(
                format!("“{}”移交清单已提交，请清点确认。", item.title.zh),
                format!(
                    "The inventory of {} is ready for you to check and receive.",
                    item.title.en
                ),
            ),
        )
}

/// 代为移交: a township officer declares an item for an outgoing cadre who
/// is away, refuses, is ill or has died, naming who was present; the new
/// secretary then receives it and the township supervises as usual. 连任
/// 自查: where nobody left, the secretary declares what the committee keeps,
/// which counts as received, and the township supervises.
fn declare_for(
    ctx: &Context<Config>,
    state: &mut State,
    p: DeclareFor,
) -> Result<Effects, Rejection> {
    ctx.require_role(&[Role::TownshipOfficer, Role::Secretary])?;
    let self_check = ctx.actor.role == Role::Secretary;
    match (self_check, p.reason) {
        (true, Reason::Reelected) if ctx.outgoing.is_empty() => {}
        (true, Reason::Reelected) => {
            return Err(Rejection::conflict(
                "本村有离任干部，应由离任干部申报；离任干部无法办理时，由乡镇（街道）代为移交",
                "this village has outgoing cadres: they declare, or the township declares for them",
            ));
        }
        (true, _) => {
            return Err(Rejection::invalid(
                "reason",
                "新任书记只能在班子连任时自查申报；离任干部无法办理时，由乡镇（街道）代为移交",
                "the secretary declares only as a re-elected committee's self-check",
            ));
        }
        (false, Reason::Reelected) => {
            return Err(Rejection::invalid(
                "reason",
                "班子连任时由新任书记自查申报，乡镇（街道）监交",
                "a re-elected committee's secretary does the self-check; the township supervises",
            ));
        }
        (false, _) if p.witness.trim().is_empty() => {
            return Err(Rejection::invalid(
                "witness",
                "代为移交须写明见证人，如村务监督委员会主任或村民代表",
                "name who was present, such as the supervision committee's chair",
            ));
        }
        (false, _) => {}
    }
    check_entries(&p.entries)?;
    ctx.require_attachments("photos", &p.photos)?;
    let item = find(state, &p.item)?;
    unreceived(item)?;
    audit_report(item, &p.photos)?;
    if item.declared.is_some() && item.on_behalf.is_none() {
        return Err(Rejection::conflict(
            format!("“{}”已由离任干部申报，不能代为移交", item.title.zh),
            format!("the outgoing cadre has declared {} himself", item.title.en),
        ));
    }
    let n = p.entries.len();
    let me = signature(ctx);
    item.entries = p.entries;
    item.photos = p.photos;
    item.declared = Some(me.clone());
    item.sent_back = None;
    item.on_behalf = Some(OnBehalf {
        reason: p.reason,
        witness: p.witness.trim().to_owned(),
    });
    let (who, why) = (&ctx.actor.name, p.reason.text());
    if self_check {
        item.received = Some(Receipt {
            signature: me,
            discrepancies: Vec::new(),
            photos: Vec::new(),
        });
        let statement = Text::new(
            format!(
                "本人{who}对“{}”进行连任自查，共 {n} 项，清单如实，无隐瞒。",
                item.title.zh
            ),
            format!(
                "I, {who}, checked {} as the re-elected committee: {n} entries, listed truthfully and completely.",
                item.title.en
            ),
        );
        return Ok(Effects::none()
            .signoff(ctx.signoff(format!("{}:self-check", item.key), statement))
            .notify(
                Recipient::Role(Role::TownshipOfficer),
                Text::new(
                    format!(
                        "{}“{}”已完成连任自查，等待您监交。",
                        ctx.village.name, item.title.zh
                    ),
                    format!(
                        "{} at {} is self-checked and awaits your supervision.",
                        item.title.en, ctx.village.name
                    ),
                ),
            ));
    }
    let statement = Text::new(
        format!(
            "本人{who}因{}，代为移交“{}”共 {n} 项，见证人：{}，清单如实，无隐瞒。",
            why.zh,
            item.title.zh,
            p.witness.trim()
        ),
        format!(
            "I, {who}, declare {} for the outgoing cadre ({}): {n} entries, in the presence of {}, listed truthfully and completely.",
            item.title.en,
            why.en,
            p.witness.trim()
        ),
    );
    Ok(declared(ctx, item, statement))
}

fn send_back(ctx: &Context<Config>, state: &mut State, p: SendBack) -> Result<Effects, Rejection> {
    ctx.require_role(&[Role::Secretary])?;
    if p.reason.trim().is_empty() {
        return Err(Rejection::invalid(
            "reason",
            "请写明退回原因",
            "say what must change",
        ));
    }
    let item = find(state, &p.item)?;
    let Some(declared) = item.declared.take() else {
        return Err(not_declared(item));
    };
    if item.received.is_some() {
        item.declared = Some(declared);
        return Err(Rejection::conflict(
            format!("“{}”已接收，不能退回", item.title.zh),
            format!(
                "{} has already been received and cannot be sent back",
                item.title.en
            ),
        ));
    }
    item.sent_back = Some(p.reason.clone());
    Ok(Effects::none().notify(
        Recipient::Person(declared.person_id),
        Text::new(
            format!("“{}”清单被退回：{}", item.title.zh, p.reason),
            format!(
                "The inventory of {} was sent back: {}",
                item.title.en, p.reason
            ),
        ),
    ))
}

fn not_declared(item: &Item) -> Rejection {
    Rejection::conflict(
        format!("“{}”尚未申报移交清单", item.title.zh),
        format!("{} has not been declared yet", item.title.en),
    )
}

/// Items the villagers' committee's chair (主任) may receive as well as the
/// secretary: its seal and the accounts with the 财务专用章 are often his.
pub const CHAIR_RECEIVES: [&str; 2] = ["seals", "accounts"];

/// Whether the actor is the villagers' committee's chair (主任).
pub(crate) fn is_chair(ctx: &Context<Config>) -> bool {
    ctx.members.iter().any(|m| {
        m.person_id == ctx.actor.person_id
            && m.committee == baton_sdk::Committee::Villagers
            && m.post == "主任"
    })
}

fn confirm(ctx: &Context<Config>, state: &mut State, p: Confirm) -> Result<Effects, Rejection> {
    // The secretary receives every item; the chair, where he is not the
    // secretary, the seals and the accounts.
    if !(ctx.actor.role == Role::Member
        && is_chair(ctx)
        && CHAIR_RECEIVES.contains(&p.item.as_str()))
    {
        ctx.require_role(&[Role::Secretary])?;
    }
    let item = find(state, &p.item)?;
    if item.declared.is_none() {
        return Err(not_declared(item));
    }
    if item.received.is_some() {
        return Err(Rejection::conflict(
            format!("“{}”已经接收过了", item.title.zh),
            format!("{} has already been received", item.title.en),
        ));
    }
    ctx.require_attachments("photos", &p.photos)?;
    for (i, d) in p.discrepancies.iter().enumerate() {
        if d.entry >= item.entries.len() {
            return Err(Rejection::invalid(
                format!("discrepancies.{i}.entry"),
                format!("清单只有 {} 项", item.entries.len()),
                format!("the inventory has only {} entries", item.entries.len()),
            ));
        }
        if d.note.trim().is_empty() {
            return Err(Rejection::invalid(
                format!("discrepancies.{i}.note"),
                "请说明差异",
                "say what does not match",
            ));
        }
    }
    let k = p.discrepancies.len();
    item.received = Some(Receipt {
        signature: signature(ctx),
        discrepancies: p.discrepancies,
        photos: p.photos,
    });
    let who = &ctx.actor.name;
    let statement = if k == 0 {
        Text::new(
            format!("本人{who}已清点接收“{}”，与清单一致。", item.title.zh),
            format!(
                "I, {who}, have checked and received {}; it matches the inventory.",
                item.title.en
            ),
        )
    } else {
        Text::new(
            format!(
                "本人{who}已清点接收“{}”，发现 {k} 处与清单不符，已逐项注明。",
                item.title.zh
            ),
            format!(
                "I, {who}, have checked and received {}, noting {k} discrepancies against the inventory.",
                item.title.en
            ),
        )
    };
    Ok(Effects::none()
        .signoff(ctx.signoff(format!("{}:confirm", item.key), statement))
        .notify(
            Recipient::Role(Role::TownshipOfficer),
            Text::new(
                format!(
                    "{}“{}”已完成清点，等待您监交。",
                    ctx.village.name, item.title.zh
                ),
                format!(
                    "{} of {} is received and awaits your witness.",
                    item.title.en, ctx.village.name
                ),
            ),
        ))
}

fn witness(
    ctx: &Context<Config>,
    state: &mut State,
    p: WitnessPayload,
) -> Result<Effects, Rejection> {
    ctx.require_role(&[Role::TownshipOfficer])?;
    ctx.require_attachments("photos", &p.photos)?;
    let village = ctx.village.name.clone();
    let item = find(state, &p.item)?;
    let Some(receipt) = &item.received else {
        return Err(Rejection::conflict(
            format!("“{}”尚未由新任书记清点接收，不能监交", item.title.zh),
            format!(
                "{} has not been received by the new secretary yet",
                item.title.en
            ),
        ));
    };
    if item.witnessed.is_some() {
        return Err(Rejection::conflict(
            format!("“{}”已经监交过了", item.title.zh),
            format!("{} has already been witnessed", item.title.en),
        ));
    }
    if !receipt.discrepancies.is_empty() && p.remarks.trim().is_empty() {
        return Err(Rejection::invalid(
            "remarks",
            "接收时发现差异，监交人须填写处理意见",
            "the receipt noted discrepancies, so the witness must say how they are resolved",
        ));
    }
    item.witnessed = Some(Witness {
        signature: signature(ctx),
        remarks: p.remarks,
        photos: p.photos,
    });
    let who = &ctx.actor.name;
    let statement = Text::new(
        format!("本人{who}监交{village}“{}”移交，手续完备。", item.title.zh),
        format!(
            "I, {who}, witnessed the handover of {} at {village}; the procedure is complete.",
            item.title.en
        ),
    );
    let mut effects =
        Effects::none().signoff(ctx.signoff(format!("{}:witness", item.key), statement));
    if state.items.iter().all(|i| i.witnessed.is_some()) {
        effects = effects.notify(
            Recipient::Role(Role::Secretary),
            Text::new(
                format!("{village}新老班子交接全部完成。"),
                format!("The handover at {village} is complete."),
            ),
        );
    }
    Ok(effects)
}
