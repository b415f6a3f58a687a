//! 交接 — the handover from the old committee to the new one.
//!
//! 重慶: every village handed over its seals (公章), archives (文檔), assets
//! (資產), office premises (辦公場所) — “accounts clear, procedures standard,
//! content complete, handover effective”. Three parties sign each item: the
//! outgoing cadre declares the inventory, the new secretary receives it and
//! notes any discrepancies, a township officer witnesses. 陜西's rule “一個程序
//! 一次簽字確認” makes every signature a sign-off in the host's hash-chained log.

mod state;
mod view;

use baton_sdk::{
    ActionInfo, Audience, Context, Effects, Module, ModuleInfo, Progress, Recipient, Rejection,
    Role, Template, Text, View,
};

pub use state::{
    Action, Config, Confirm, Declare, Discrepancy, Entry, ExtraItem, Item, Receipt, SendBack,
    Signature, State, Witness, WitnessPayload,
};

/// The handover module.
pub struct Handover;

baton_sdk::export_module!(Handover);

/// The items every village hands over, before any the province adds.
pub const BUILT_IN_ITEMS: [(&str, &str, &str); 5] = [
    ("seals", "公章印章", "Seals"),
    ("archives", "檔案資料", "Archives"),
    ("assets", "集體資產", "Collective assets"),
    ("premises", "辦公場所", "Office premises"),
    ("accounts", "財務賬目", "Accounts"),
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
                "離任干部逐項移交公章、檔案、資產、辦公場所和賬目,新任書記清點確認,鄉鎮干部現場見證,一個程序一次簽字確認。",
                "The outgoing cadre hands over seals, archives, assets, premises and accounts item by item; the new secretary checks and receives them; a township officer witnesses. Every step is signed.",
            ),
            audience: Audience::Committee,
            actions: vec![
                ActionInfo::new::<Declare>(
                    "declare",
                    Text::new("申報移交清單", "Declare the inventory"),
                ),
                ActionInfo::new::<SendBack>(
                    "send-back",
                    Text::new("退回重新申報", "Send back for correction"),
                ),
                ActionInfo::new::<Confirm>("confirm", Text::new("清點接收", "Check and receive")),
                ActionInfo::new::<WitnessPayload>(
                    "witness",
                    Text::new("見證簽字", "Witness and sign"),
                ),
            ],
            templates: vec![Template::new(
                "handover",
                include_str!("../templates/handover.zh.hbs"),
                include_str!("../templates/handover.en.hbs"),
            )],
            estimated_minutes: 90,
            config_schema: baton_sdk::schema::<Config>(),
        }
    }

    fn check_config(config: &Config) -> Result<(), Rejection> {
        let mut keys: Vec<&str> = BUILT_IN_ITEMS.iter().map(|(key, _, _)| *key).collect();
        for (i, extra) in config.extra_items.iter().enumerate() {
            let field = |name: &str| format!("config.extra_items.{i}.{name}");
            if !is_kebab(&extra.key) {
                return Err(Rejection::invalid(
                    field("key"),
                    "須為小寫字母、數字和連字符,如 militia-equipment",
                    "must be lower-case letters, digits and hyphens, like militia-equipment",
                ));
            }
            if keys.contains(&extra.key.as_str()) {
                return Err(Rejection::invalid(
                    field("key"),
                    format!("“{}”已存在,不能重復", extra.key),
                    format!("`{}` is already an item", extra.key),
                ));
            }
            if extra.title.zh.trim().is_empty() || extra.title.en.trim().is_empty() {
                return Err(Rejection::invalid(
                    field("title"),
                    "中英文名稱都必須填寫",
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
        let extra = ctx
            .config
            .extra_items
            .iter()
            .map(|e| item(&e.key, e.title.clone()));
        Ok(State {
            items: built_in.chain(extra).collect(),
        })
    }

    fn act(ctx: &Context<Config>, state: &mut State, action: Action) -> Result<Effects, Rejection> {
        match action {
            Action::Declare(p) => declare(ctx, state, p),
            Action::SendBack(p) => send_back(ctx, state, p),
            Action::Confirm(p) => confirm(ctx, state, p),
            Action::Witness(p) => witness(ctx, state, p),
        }
    }

    fn progress(state: &State) -> Progress {
        Progress {
            done: state.items.iter().map(Item::signatures).sum(),
            total: 3 * u32::try_from(state.items.len()).unwrap_or(u32::MAX / 3),
        }
    }

    fn view(ctx: &Context<Config>, state: &State) -> View {
        view::render(ctx, state)
    }
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
            "請選擇移交事項",
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
                format!("沒有“{key}”這一事項,可選:{}", known.join("、")),
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
            "你不在本村離任干部名單中,不能申報移交",
            "you are not among this village's outgoing cadres, so you cannot declare a handover",
        ));
    }
    if p.entries.is_empty() {
        return Err(Rejection::invalid(
            "entries",
            "清單至少要有一項",
            "list at least one entry",
        ));
    }
    for (i, e) in p.entries.iter().enumerate() {
        if e.name.trim().is_empty() {
            return Err(Rejection::invalid(
                format!("entries.{i}.name"),
                "請?zhí)顚懨Q",
                "is required",
            ));
        }
        if e.quantity == 0 {
            return Err(Rejection::invalid(
                format!("entries.{i}.quantity"),
                "數量至少為 1",
                "must be at least 1",
            ));
        }
    }
    let item = find(state, &p.item)?;
    if item.received.is_some() {
        return Err(Rejection::conflict(
            format!("“{}”已由新任書記接收,不能再修改清單", item.title.zh),
            format!(
                "{} has already been received; its inventory can no longer change",
                item.title.en
            ),
        ));
    }
    let n = p.entries.len();
    item.entries = p.entries;
    item.declared = Some(signature(ctx));
    item.sent_back = None;
    let who = &ctx.actor.name;
    let statement = Text::new(
        format!(
            "本人{who}移交“{}”共 {n} 項,清單如實,無隱瞞。",
            item.title.zh
        ),
        format!(
            "I, {who}, hand over {}: {n} entries, listed truthfully and completely.",
            item.title.en
        ),
    );
    Ok(Effects::none()
        .signoff(ctx.signoff(format!("{}:declare", item.key), statement))
        .notify(
            Recipient::Role(Role::Secretary),
            Text::new(
                format!("“{}”移交清單已提交,請清點確認。", item.title.zh),
                format!(
                    "The inventory of {} is ready for you to check and receive.",
                    item.title.en
                ),
            ),
        ))
}

fn send_back(ctx: &Context<Config>, state: &mut State, p: SendBack) -> Result<Effects, Rejection> {
    ctx.require_role(&[Role::Secretary])?;
    if p.reason.trim().is_empty() {
        return Err(Rejection::invalid(
            "reason",
            "請寫明退回原因",
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
            format!("“{}”已接收,不能退回", item.title.zh),
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
            format!("“{}”清單被退回:{}", item.title.zh, p.reason),
            format!(
                "The inventory of {} was sent back: {}",
                item.title.en, p.reason
            ),
        ),
    ))
}

fn not_declared(item: &Item) -> Rejection {
    Rejection::conflict(
        format!("“{}”尚未申報移交清單", item.title.zh),
        format!("{} has not been declared yet", item.title.en),
    )
}

fn confirm(ctx: &Context<Config>, state: &mut State, p: Confirm) -> Result<Effects, Rejection> {
    ctx.require_role(&[Role::Secretary])?;
    let item = find(state, &p.item)?;
    if item.declared.is_none() {
        return Err(not_declared(item));
    }
    if item.received.is_some() {
        return Err(Rejection::conflict(
            format!("“{}”已經接收過了", item.title.zh),
            format!("{} has already been received", item.title.en),
        ));
    }
    for (i, d) in p.discrepancies.iter().enumerate() {
        if d.entry >= item.entries.len() {
            return Err(Rejection::invalid(
                format!("discrepancies.{i}.entry"),
                format!("清單只有 {} 項", item.entries.len()),
                format!("the inventory has only {} entries", item.entries.len()),
            ));
        }
        if d.note.trim().is_empty() {
            return Err(Rejection::invalid(
                format!("discrepancies.{i}.note"),
                "請說明差異",
                "say what does not match",
            ));
        }
    }
    let k = p.discrepancies.len();
    item.received = Some(Receipt {
        signature: signature(ctx),
        discrepancies: p.discrepancies,
    });
    let who = &ctx.actor.name;
    let statement = if k == 0 {
        Text::new(
            format!("本人{who}已清點接收“{}”,與清單一致。", item.title.zh),
            format!(
                "I, {who}, have checked and received {}; it matches the inventory.",
                item.title.en
            ),
        )
    } else {
        Text::new(
            format!(
                "本人{who}已清點接收“{}”,發現 {k} 處與清單不符,已逐項注明。",
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
                    "{}“{}”已完成清點,等待您見證。",
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
    let village = ctx.village.name.clone();
    let item = find(state, &p.item)?;
    let Some(receipt) = &item.received else {
        return Err(Rejection::conflict(
            format!("“{}”尚未由新任書記清點接收,不能見證", item.title.zh),
            format!(
                "{} has not been received by the new secretary yet",
                item.title.en
            ),
        ));
    };
    if item.witnessed.is_some() {
        return Err(Rejection::conflict(
            format!("“{}”已經見證過了", item.title.zh),
            format!("{} has already been witnessed", item.title.en),
        ));
    }
    if !receipt.discrepancies.is_empty() && p.remarks.trim().is_empty() {
        return Err(Rejection::invalid(
            "remarks",
            "接收時發現差異,見證人須填寫處理意見",
            "the receipt noted discrepancies, so the witness must say how they are resolved",
        ));
    }
    item.witnessed = Some(Witness {
        signature: signature(ctx),
        remarks: p.remarks,
    });
    let who = &ctx.actor.name;
    let statement = Text::new(
        format!("本人{who}見證{village}“{}”移交,手續完備。", item.title.zh),
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
