//! What each party sees: the items, their inventories and signatures, and
//! what the viewer can do next.

use baton_sdk::{Context, Locale, Role, View, format_date};
use serde::Serialize;

use crate::{Config, Item, Signature, State};

#[derive(Serialize)]
struct Page<'a> {
    /// Who is looking: the statements shown before each form name them.
    signer: &'a str,
    village: &'a str,
    township: &'a str,
    done: u32,
    total: u32,
    complete: bool,
    items: Vec<ItemView<'a>>,
    /// What a self-check's form starts from (its reason).
    self_check_fill: SelfCheck,
}

#[derive(Serialize)]
struct ItemView<'a> {
    key: &'a str,
    title: &'a str,
    /// `waiting-declaration`, `waiting-receipt`, `waiting-witness` or `done`.
    status: &'static str,
    entries: Vec<EntryView<'a>>,
    /// Photo ids from every signature, for the host's `{{attachment id}}`.
    photos: Vec<&'a str>,
    declared: Option<SignatureView<'a>>,
    received: Option<SignatureView<'a>>,
    witnessed: Option<SignatureView<'a>>,
    remarks: Option<&'a str>,
    sent_back: Option<&'a str>,
    has_discrepancies: bool,
    can_declare: bool,
    /// The declaration as its form posts it, to start a correction from.
    declaration: Option<Declaration<'a>>,
    can_confirm: bool,
    /// Only the secretary sends an inventory back.
    can_send_back: bool,
    can_witness: bool,
    /// The township may declare for a cadre who cannot (代为移交).
    can_declare_for: bool,
    /// The secretary of a re-elected committee checks the item (连任自查).
    can_self_check: bool,
    /// Declared by someone else than the outgoing cadre: why, and who was there.
    on_behalf: Option<OnBehalfView>,
}

#[derive(Serialize)]
struct OnBehalfView {
    reason: String,
    witness: String,
    self_check: bool,
}

/// A self-check's form: its reason chosen.
#[derive(Serialize)]
struct SelfCheck {
    reason: &'static str,
}

/// A declaration's payload, which its correction's form starts from.
#[derive(Serialize)]
struct Declaration<'a> {
    entries: &'a [crate::Entry],
    photos: &'a [String],
}

#[derive(Serialize)]
struct EntryView<'a> {
    index: usize,
    /// As the paper list numbers it, from 1.
    number: usize,
    name: &'a str,
    quantity: u32,
    note: &'a str,
    discrepancy: Option<&'a str>,
}

#[derive(Serialize)]
struct SignatureView<'a> {
    name: &'a str,
    date: String,
}

fn signed(s: &Signature) -> SignatureView<'_> {
    SignatureView {
        name: &s.name,
        date: format_date(s.at),
    }
}

pub(crate) fn render(ctx: &Context<Config>, state: &State) -> View {
    let role = ctx.actor.role;
    let items = state
        .items
        .iter()
        .map(|item| {
            let receives = role == Role::Secretary
                || (role == Role::Member
                    && crate::CHAIR_RECEIVES.contains(&item.key.as_str())
                    && crate::is_chair(ctx));
            item_view(item, role, ctx.locale, ctx.outgoing.is_empty(), receives)
        })
        .collect();
    let progress = <crate::Handover as baton_sdk::Module>::progress(state);
    View::new(
        "handover",
        &Page {
            signer: &ctx.actor.name,
            village: &ctx.village.name,
            township: &ctx.village.township,
            done: progress.done,
            total: progress.total,
            complete: progress.is_complete(),
            items,
            self_check_fill: SelfCheck {
                reason: "reelected",
            },
        },
    )
}

fn item_view(
    item: &Item,
    role: Role,
    locale: Locale,
    nobody_left: bool,
    receives: bool,
) -> ItemView<'_> {
    let status = match (&item.declared, &item.received, &item.witnessed) {
        (None, _, _) => "waiting-declaration",
        (Some(_), None, _) => "waiting-receipt",
        (Some(_), Some(_), None) => "waiting-witness",
        (Some(_), Some(_), Some(_)) => "done",
    };
    let discrepancies = item
        .received
        .as_ref()
        .map(|r| r.discrepancies.as_slice())
        .unwrap_or_default();
    let entries = item
        .entries
        .iter()
        .enumerate()
        .map(|(index, e)| EntryView {
            index,
            number: index + 1,
            name: &e.name,
            quantity: e.quantity,
            note: &e.note,
            discrepancy: discrepancies
                .iter()
                .find(|d| d.entry == index)
                .map(|d| d.note.as_str()),
        })
        .collect();
    ItemView {
        key: &item.key,
        title: item.title.get(locale),
        status,
        entries,
        photos: item
            .photos
            .iter()
            .chain(item.received.iter().flat_map(|r| &r.photos))
            .chain(item.witnessed.iter().flat_map(|w| &w.photos))
            .map(String::as_str)
            .collect(),
        declared: item.declared.as_ref().map(signed),
        received: item.received.as_ref().map(|r| signed(&r.signature)),
        witnessed: item.witnessed.as_ref().map(|w| signed(&w.signature)),
        remarks: item
            .witnessed
            .as_ref()
            .map(|w| w.remarks.as_str())
            .filter(|r| !r.is_empty()),
        sent_back: item.sent_back.as_deref(),
        has_discrepancies: !discrepancies.is_empty(),
        can_declare: role == Role::OutgoingCadre && item.received.is_none(),
        declaration: item.declared.as_ref().map(|_| Declaration {
            entries: &item.entries,
            photos: &item.photos,
        }),
        can_confirm: receives && status == "waiting-receipt",
        can_send_back: role == Role::Secretary && status == "waiting-receipt",
        can_witness: role == Role::TownshipOfficer && status == "waiting-witness",
        can_declare_for: role == Role::TownshipOfficer
            && item.received.is_none()
            && (item.declared.is_none() || item.on_behalf.is_some())
            && !nobody_left,
        can_self_check: role == Role::Secretary && item.received.is_none() && nobody_left,
        on_behalf: item.on_behalf.as_ref().map(|o| OnBehalfView {
            reason: o.reason.text().get(locale).to_owned(),
            witness: o.witness.clone(),
            self_check: o.reason == crate::Reason::Reelected,
        }),
    }
}
