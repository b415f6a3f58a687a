//! The division as a table of posts and of members, what still keeps it from
//! being signed, and the change log.

use baton_sdk::{Context, Role, Stamp, StampView, View};
use serde::Serialize;

use crate::{Config, State, problems};

#[derive(Serialize)]
struct Page<'a> {
    village: &'a str,
    done: u32,
    total: u32,
    complete: bool,
    posts: Vec<PostView<'a>>,
    members: Vec<MemberView<'a>>,
    problems: Vec<String>,
    signed: Option<StampView<'a>>,
    acknowledged: Option<StampView<'a>>,
    changes: Vec<ChangeView<'a>>,
    can_assign: bool,
    can_sign: bool,
    can_acknowledge: bool,
}

/// The public page: the signed division, 公示.
#[derive(Serialize)]
struct Public<'a> {
    village: &'a str,
    township: &'a str,
    signed: Option<StampView<'a>>,
    members: Vec<MemberView<'a>>,
}

#[derive(Serialize)]
struct PostView<'a> {
    key: &'a str,
    title: &'a str,
    required: bool,
    holders: Vec<&'a str>,
}

#[derive(Serialize)]
struct MemberView<'a> {
    person_id: &'a str,
    name: &'a str,
    seat: &'a str,
    posts: Vec<&'a str>,
    responsibilities: Option<&'a str>,
    groups: Option<&'a str>,
}

#[derive(Serialize)]
struct ChangeView<'a> {
    name: &'a str,
    before: Vec<&'a str>,
    after: Vec<&'a str>,
    by: StampView<'a>,
}

pub(crate) fn render(ctx: &Context<Config>, state: &State) -> View {
    let locale = ctx.locale;
    let title = |key: &str| -> &str {
        ctx.config
            .posts
            .iter()
            .find(|p| p.key == key)
            .map_or("?", |p| p.title.get(locale))
    };
    let titles = |keys: &[String]| keys.iter().map(|k| title(k)).collect::<Vec<_>>();
    let posts = ctx
        .config
        .posts
        .iter()
        .map(|p| PostView {
            key: &p.key,
            title: p.title.get(locale),
            required: p.required,
            holders: state
                .duties
                .iter()
                .filter(|d| d.posts.contains(&p.key))
                .map(|d| d.name.as_str())
                .collect(),
        })
        .collect();
    let members = state
        .members
        .iter()
        .map(|id| {
            let duty = state.duties.iter().find(|d| &d.person_id == id);
            let seat = ctx.members.iter().find(|m| &m.person_id == id);
            MemberView {
                person_id: id,
                name: seat.map_or(id.as_str(), |m| m.name.as_str()),
                seat: seat.map_or("", |m| m.post.as_str()),
                posts: duty.map(|d| titles(&d.posts)).unwrap_or_default(),
                responsibilities: duty.map(|d| d.responsibilities.as_str()),
                groups: duty.map(|d| d.groups.as_str()).filter(|g| !g.is_empty()),
            }
        })
        .collect();
    let problems: Vec<String> = problems(&ctx.config, state, ctx)
        .into_iter()
        .map(|e| e.message.get(locale).to_owned())
        .collect();
    let secretary = ctx.actor.role == Role::Secretary;
    let progress = <crate::Duties as baton_sdk::Module>::progress(state);
    // A villager reads the division once signed (公示), and nothing else.
    if ctx.is_public() {
        return View::new(
            baton_sdk::PUBLIC_TEMPLATE,
            &Public {
                village: &ctx.village.name,
                township: &ctx.village.township,
                signed: state.signed.as_ref().map(Stamp::view),
                members: if state.signed.is_some() {
                    members
                } else {
                    Vec::new()
                },
            },
        );
    }
    View::new(
        "duties",
        &Page {
            village: &ctx.village.name,
            done: progress.done,
            total: progress.total,
            complete: progress.is_complete(),
            posts,
            members,
            can_sign: secretary && state.signed.is_none() && problems.is_empty(),
            problems,
            signed: state.signed.as_ref().map(Stamp::view),
            acknowledged: state.acknowledged.as_ref().map(|a| a.stamp.view()),
            changes: state
                .changes
                .iter()
                .map(|c| ChangeView {
                    name: &c.name,
                    before: titles(&c.before),
                    after: titles(&c.after),
                    by: c.by.view(),
                })
                .collect(),
            can_assign: secretary,
            can_acknowledge: ctx.actor.role == Role::TownshipOfficer
                && state.signed.is_some()
                && state.acknowledged.is_none(),
        },
    )
}
