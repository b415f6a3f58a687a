//! Test a module natively, with plain `cargo test`.
//!
//! [`Harness`] makes the same JSON round trips the host makes (state is
//! serialized after every call and parsed before the next), so a state that
//! would not survive storage fails here first.
//!
//! ```ignore
//! let mut h = Harness::<Handover>::new(sample_context());
//! h.start().unwrap();
//! h.act_as(Role::OutgoingCadre, "declare", json!({"item": "seals", "entries": []})).unwrap_err();
//! ```

use std::marker::PhantomData;

use serde_json::Value;

use crate::{
    Actor, Committee, Context, Departure, Locale, Member, Module, Outcome, Outgoing, Rejection,
    Role, View, Village,
};

/// Drives one enrollment of module `M` through the same calls the host makes.
pub struct Harness<M> {
    ctx: Context,
    state: Option<String>,
    module: PhantomData<M>,
}

impl<M: Module> Harness<M> {
    /// A harness for an enrollment with context `ctx`; call [`Harness::start`] next.
    pub fn new(ctx: Context) -> Self {
        Self {
            ctx,
            state: None,
            module: PhantomData,
        }
    }

    /// The context the next call gets; change the actor, config or time here.
    pub fn context_mut(&mut self) -> &mut Context {
        &mut self.ctx
    }

    /// Starts the enrollment, keeping its state on success.
    pub fn start(&mut self) -> Result<Outcome, Rejection> {
        let outcome = crate::start::<M>(self.ctx.clone())?;
        self.state = Some(outcome.state.clone());
        Ok(outcome)
    }

    /// Acts as the context's current actor; the state changes only on success.
    ///
    /// # Panics
    /// If the enrollment was not started.
    pub fn act(&mut self, action: &str, payload: Value) -> Result<Outcome, Rejection> {
        let state = self.state.as_deref().expect("call start() before act()");
        let outcome = crate::act::<M>(self.ctx.clone(), state, action, &payload.to_string())?;
        self.state = Some(outcome.state.clone());
        Ok(outcome)
    }

    /// Acts as the sample person holding `role` (see [`actor`]).
    pub fn act_as(
        &mut self,
        role: Role,
        action: &str,
        payload: Value,
    ) -> Result<Outcome, Rejection> {
        self.ctx.actor = actor(role);
        self.act(action, payload)
    }

    /// The current state, parsed.
    ///
    /// # Panics
    /// If the enrollment was not started.
    pub fn state(&self) -> M::State {
        let state = self.state.as_deref().expect("call start() before state()");
        serde_json::from_str(state).expect("the harness only stores states the module wrote")
    }

    /// The state as stored, JSON.
    pub fn raw_state(&self) -> Option<&str> {
        self.state.as_deref()
    }

    /// What the current actor sees.
    ///
    /// # Panics
    /// If the enrollment was not started.
    pub fn view(&self) -> View {
        let state = self.state.as_deref().expect("call start() before view()");
        crate::view::<M>(self.ctx.clone(), state)
    }
}

/// The sample person who holds `role` in [`sample_context`]'s village.
pub fn actor(role: Role) -> Actor {
    let (person_id, name) = match role {
        Role::Secretary => ("p-secretary", "张建国"),
        Role::Member => ("p-member", "李秀英"),
        Role::OutgoingCadre => ("p-outgoing", "王德福"),
        Role::TownshipOfficer => ("p-township", "陈立"),
        Role::CountyTrainer => ("p-county", "刘文"),
        Role::CityOfficer => ("p-city", "赵敏"),
        Role::ProvinceAdmin => ("p-province", "周明"),
        Role::NationalAdmin => ("p-nation", "吴华"),
    };
    Actor {
        person_id: person_id.into(),
        name: name.into(),
        role,
    }
}

/// The actor of a public page: nobody signed in (see [`Context::is_public`]).
pub fn public() -> Actor {
    Actor::public()
}

/// A village as the host would describe it: a one-shoulder secretary, two
/// members, a retiring old secretary and a defeated member. The actor is the
/// secretary; the config is empty.
pub fn sample_context() -> Context {
    let member = |id: &str, name: &str, committee, post: &str, one_shoulder| Member {
        person_id: id.into(),
        name: name.into(),
        committee,
        post: post.into(),
        one_shoulder,
    };
    Context {
        enrollment_id: "e-sample".into(),
        actor: actor(Role::Secretary),
        village: Village {
            code: "500155108201".into(),
            name: "桂花村".into(),
            township: "龙河镇".into(),
            county: "梁平区".into(),
            province: "重庆市".into(),
        },
        members: vec![
            member(
                "p-secretary",
                "张建国",
                Committee::PartyBranch,
                "书记",
                true,
            ),
            member("p-member", "李秀英", Committee::PartyBranch, "委员", false),
            member("p-member-2", "何强", Committee::Villagers, "副主任", false),
        ],
        outgoing: vec![
            Outgoing {
                person_id: "p-outgoing".into(),
                name: "王德福".into(),
                committee: Committee::PartyBranch,
                post: "书记".into(),
                departure: Departure::Retired,
                years_served: 15,
            },
            Outgoing {
                person_id: "p-defeated".into(),
                name: "赵小军".into(),
                committee: Committee::Villagers,
                post: "委员".into(),
                departure: Departure::Defeated,
                years_served: 5,
            },
        ],
        config: Value::Null,
        locale: Locale::ZhCn,
        now: 1_767_225_600, // 2026-01-01T00:00:00Z
        siblings: Vec::new(),
        attachments: Vec::new(),
    }
}
