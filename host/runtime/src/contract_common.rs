// The conversions every contract since 0.2.0 shares, between its generated
// bindings (`wit`, in scope where this is included) and the SDK's types.
// Included by each contract's file: the bindings are distinct types per
// version, the code that converts them is the same.

impl From<&sdk::Context> for wit::Context {
    fn from(c: &sdk::Context) -> Self {
        Self {
            enrollment_id: c.enrollment_id.clone(),
            // The SDK's public actor has no person; the contract names it.
            actor: if c.is_public() {
                wit::Actor::Public
            } else {
                wit::Actor::Person(wit::Person {
                    person_id: c.actor.person_id.clone(),
                    name: c.actor.name.clone(),
                    role: c.actor.role.into(),
                })
            },
            village: wit::Village {
                code: c.village.code.clone(),
                name: c.village.name.clone(),
                township: c.village.township.clone(),
                county: c.village.county.clone(),
                province: c.village.province.clone(),
            },
            members: c
                .members
                .iter()
                .map(|m| wit::Member {
                    person_id: m.person_id.clone(),
                    name: m.name.clone(),
                    committee: committee(m.committee),
                    post: m.post.clone(),
                    one_shoulder: m.one_shoulder,
                })
                .collect(),
            outgoing: c
                .outgoing
                .iter()
                .map(|o| wit::Outgoing {
                    person_id: o.person_id.clone(),
                    name: o.name.clone(),
                    committee: committee(o.committee),
                    post: o.post.clone(),
                    departure: match o.departure {
                        sdk::Departure::Retired => wit::Departure::Retired,
                        sdk::Departure::Defeated => wit::Departure::Defeated,
                        sdk::Departure::Transferred => wit::Departure::Transferred,
                    },
                    years_served: o.years_served,
                })
                .collect(),
            config: c.config.to_string(),
            locale: match c.locale {
                sdk::Locale::ZhCn => wit::Locale::ZhCn,
                sdk::Locale::En => wit::Locale::En,
            },
            now: c.now,
            siblings: c
                .siblings
                .iter()
                .map(|s| wit::Sibling {
                    module: s.module.clone(),
                    done: s.done,
                    total: s.total,
                    completed: s.completed,
                })
                .collect(),
            attachments: c
                .attachments
                .iter()
                .map(|a| wit::Attachment {
                    id: a.id.clone(),
                    name: a.name.clone(),
                    media_type: a.media_type.clone(),
                    size: a.size,
                    uploaded_by: a.uploaded_by.clone(),
                    uploaded_at: a.uploaded_at,
                })
                .collect(),
        }
    }
}

fn committee(c: sdk::Committee) -> wit::Committee {
    match c {
        sdk::Committee::PartyBranch => wit::Committee::PartyBranch,
        sdk::Committee::Villagers => wit::Committee::Villagers,
    }
}

impl From<wit::Text> for sdk::Text {
    fn from(t: wit::Text) -> Self {
        Self { zh: t.zh, en: t.en }
    }
}

impl From<wit::ModuleInfo> for RawInfo {
    fn from(i: wit::ModuleInfo) -> Self {
        let reviewers = reviewers(&i);
        let mut bad_json = Vec::new();
        let mut json = |what: String, text: String| match serde_json::from_str(&text) {
            Ok(value) => value,
            Err(_) => {
                bad_json.push((what, text));
                serde_json::Value::Null
            }
        };
        let actions = i
            .actions
            .into_iter()
            .map(|a| sdk::ActionInfo {
                payload_schema: json(
                    format!("the payload schema of action `{}`", a.name),
                    a.payload_schema,
                ),
                name: a.name,
                title: a.title.into(),
            })
            .collect();
        let config_schema = json("the config schema".into(), i.config_schema);
        let info = sdk::ModuleInfo {
            id: i.id,
            version: i.version,
            title: i.title.into(),
            summary: i.summary.into(),
            audience: match i.audience {
                wit::Audience::Secretary => sdk::Audience::Secretary,
                wit::Audience::EveryMember => sdk::Audience::EveryMember,
                wit::Audience::Committee => sdk::Audience::Committee,
            },
            actions,
            templates: i
                .templates
                .into_iter()
                .map(|t| sdk::Template {
                    name: t.name,
                    source: t.source.into(),
                })
                .collect(),
            estimated_minutes: i.estimated_minutes,
            config_schema,
            reviewers,
        };
        Self { info, bad_json }
    }
}

impl From<wit::Outcome> for sdk::Outcome {
    fn from(o: wit::Outcome) -> Self {
        Self {
            state: o.state,
            progress: sdk::Progress {
                done: o.progress.done,
                total: o.progress.total,
            },
            signoffs: o
                .signoffs
                .into_iter()
                .map(|s| sdk::Signoff {
                    signer: s.signer,
                    role: s.role.into(),
                    subject: s.subject,
                    statement: s.statement.into(),
                })
                .collect(),
            notices: o
                .notices
                .into_iter()
                .map(|n| sdk::Notice {
                    to: n.to.into(),
                    message: n.message.into(),
                })
                .collect(),
            awaiting: o
                .awaiting
                .into_iter()
                .map(|a| sdk::Awaiting {
                    who: a.who.into(),
                    what: a.what.into(),
                    subject: a.subject,
                })
                .collect(),
        }
    }
}

impl From<wit::Recipient> for sdk::Recipient {
    fn from(r: wit::Recipient) -> Self {
        match r {
            wit::Recipient::Person(p) => Self::Person(p),
            wit::Recipient::Role(r) => Self::Role(r.into()),
        }
    }
}

impl From<wit::Rejection> for sdk::Rejection {
    fn from(r: wit::Rejection) -> Self {
        match r {
            wit::Rejection::Invalid(fields) => Self::Invalid(
                fields
                    .into_iter()
                    .map(|f| sdk::FieldError {
                        field: f.field,
                        message: f.message.into(),
                    })
                    .collect(),
            ),
            wit::Rejection::Forbidden(t) => Self::Forbidden(t.into()),
            wit::Rejection::Conflict(t) => Self::Conflict(t.into()),
        }
    }
}

/// An answer of `start` or `act` in the SDK's types.
pub(crate) fn answer(
    answer: Result<wit::Outcome, wit::Rejection>,
) -> Result<sdk::Outcome, sdk::Rejection> {
    answer.map(Into::into).map_err(Into::into)
}
