//! Who may do what: one permission function, [`authorize`], that every route
//! goes through, and the credentials behind it (argon2 passwords, random
//! session tokens stored only as hashes).
//!
//! A grant is a role at an org unit and covers that unit and everything below
//! it (its path is a prefix of theirs), never a sibling. Anything not allowed
//! here is denied.

use baton_sdk::Role;
use serde::Serialize;
use sha2::{Digest, Sha256};

/// A role held at a unit.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Grant {
    /// The role.
    pub role: Role,
    /// The unit's code; `None` for the national administrator.
    pub unit_code: Option<String>,
    /// The unit's path (`/500000000000/…/`); `None` for the national administrator.
    #[serde(skip)]
    pub path: Option<String>,
}

impl Grant {
    fn covers(&self, path: &str) -> bool {
        match &self.path {
            None => self.role == Role::NationalAdmin,
            Some(own) => path.starts_with(own.as_str()),
        }
    }

    /// How deep the grant sits; the closest grant names the actor's role.
    fn depth(&self) -> usize {
        self.path.as_deref().map_or(0, |p| p.matches('/').count())
    }
}

/// A signed-in account and its grants.
#[derive(Debug, Clone)]
pub struct Principal {
    /// The account's id.
    pub account_id: i64,
    /// Its login name.
    pub username: String,
    /// The name shown to others.
    pub display_name: String,
    /// The person on the rosters this account is, if any.
    pub person_id: Option<i64>,
    /// Whether its pages are in the easy-reading mode (长辈模式).
    pub easy_reading: bool,
    /// What it may do, and where.
    pub grants: Vec<Grant>,
}

/// Something an actor may try to do.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Capability {
    /// Read an enrollment: its view, progress and sign-offs.
    ViewEnrollment,
    /// Act in an enrollment (declare, confirm, witness…).
    Act,
    /// Read completion reports.
    ViewReports,
    /// Assign a module version to a scope.
    Assign,
    /// Publish a module version owned by the target province (or, at the
    /// national level, a national one).
    Publish,
    /// Send a learner a reminder.
    Remind,
    /// Assign a township's villages to its officers (包村干部).
    AssignContacts,
    /// Give someone this role at the target unit, or take it away.
    Grant(Role),
    /// Reset, switch off or on, or issue a code to, an account that holds
    /// this role at the target unit.
    ManageAccount(Role),
}

/// What a capability is tried on.
#[derive(Debug, Clone, Copy)]
pub struct Target<'a> {
    /// The org unit's path.
    pub path: &'a str,
    /// For an enrollment: whose it is (`None` for a whole committee's).
    pub person_id: Option<i64>,
    /// Whether the target is one enrollment (village roles only reach those).
    pub enrollment: bool,
    /// For an enrollment: its module, and whether it is complete.
    pub module: Option<(&'a str, bool)>,
    /// For an enrollment: the staff above the township its module lets act
    /// (a look-back review's county, city and province); most modules none.
    pub reviewers: &'a [Role],
    /// For an enrollment: its module gives outgoing cadres a step beyond
    /// [`OUTGOING_MODULES`] (a province's procedure with one).
    pub outgoing: bool,
}

/// The modules an outgoing cadre takes part in: handing over, and being
/// visited. Their access ends when these are complete.
pub const OUTGOING_MODULES: [&str; 2] = ["handover", "visits"];

impl<'a> Target<'a> {
    /// An org unit (reports, assignments, accounts…) at `path`.
    pub fn unit(path: &'a str) -> Self {
        Self {
            path,
            person_id: None,
            enrollment: false,
            module: None,
            reviewers: &[],
            outgoing: false,
        }
    }

    /// An enrollment: in the village at `path`, `person`'s (or the
    /// committee's), of `module`, complete or not.
    pub fn enrollment(path: &'a str, person: Option<i64>, module: &'a str, complete: bool) -> Self {
        Self {
            path,
            person_id: person,
            enrollment: true,
            module: Some((module, complete)),
            reviewers: &[],
            outgoing: false,
        }
    }

    /// The same enrollment, whose module lets `reviewers` act in it.
    pub fn reviewed_by(self, reviewers: &'a [Role]) -> Self {
        Self { reviewers, ..self }
    }

    /// The same enrollment, whose module does (or not) give outgoing cadres
    /// a step of their own.
    pub fn admitting_outgoing(self, outgoing: bool) -> Self {
        Self { outgoing, ..self }
    }
}

/// Allows `capability` on `target`, returning the role the actor acts in (the
/// closest grant that allows it), or denies it.
pub fn authorize(
    principal: &Principal,
    capability: Capability,
    target: Target<'_>,
) -> Option<Role> {
    principal
        .grants
        .iter()
        .filter(|g| g.covers(target.path) && role_may(principal, g, capability, target))
        .max_by_key(|g| g.depth())
        .map(|g| g.role)
}

/// How senior a role is. A role manages only accounts below its own, and
/// grants at most its own (administrators) or below it.
pub fn rank(role: Role) -> u8 {
    match role {
        Role::NationalAdmin => 5,
        Role::ProvinceAdmin => 4,
        Role::CityOfficer => 3,
        Role::CountyTrainer => 2,
        Role::TownshipOfficer => 1,
        Role::Secretary | Role::Member | Role::OutgoingCadre => 0,
    }
}

/// Whether `role` is an official's (a township officer and up): they act,
/// watch and report over units, and may be reached by e-mail.
pub fn is_official(role: Role) -> bool {
    rank(role) > 0
}

/// The roles given to staff, by an administrator; village people's roles
/// come from the rosters.
pub const STAFF: [Role; 4] = [
    Role::ProvinceAdmin,
    Role::CityOfficer,
    Role::CountyTrainer,
    Role::TownshipOfficer,
];

fn role_may(
    principal: &Principal,
    grant: &Grant,
    capability: Capability,
    target: Target<'_>,
) -> bool {
    use Capability::*;
    use Role::*;
    match capability {
        // A province administrator makes others of its rank and anyone
        // below; a city officer, county trainers and township officers; a
        // county trainer, township officers. Never above one's own.
        Grant(role) => {
            return STAFF.contains(&role)
                && match grant.role {
                    NationalAdmin | ProvinceAdmin => rank(role) <= rank(grant.role),
                    CityOfficer | CountyTrainer => rank(role) < rank(grant.role),
                    _ => false,
                };
        }
        // A superior within scope: a township officer over its villages'
        // people, a county trainer over its townships' officers, and so on.
        ManageAccount(role) => return rank(grant.role) > rank(role) && rank(grant.role) > 0,
        _ => {}
    }
    // Above the township, people act only where the module asks them to.
    let reviews = capability == Act && target.enrollment && target.reviewers.contains(&grant.role);
    match grant.role {
        NationalAdmin => matches!(
            capability,
            ViewEnrollment | ViewReports | Assign | Publish | Remind
        ),
        ProvinceAdmin => {
            reviews
                || matches!(
                    capability,
                    ViewEnrollment | ViewReports | Assign | Publish | Remind
                )
        }
        CityOfficer => reviews || matches!(capability, ViewEnrollment | ViewReports | Remind),
        // The county organisation department oversees its townships' 包村 too.
        CountyTrainer => {
            reviews
                || matches!(
                    capability,
                    ViewEnrollment | ViewReports | Remind | AssignContacts
                )
        }
        TownshipOfficer => matches!(capability, ViewEnrollment | Act | AssignContacts),
        // Village people reach their village's committee enrollments and
        // their own, and nothing else.
        Secretary | Member => village_may(principal, capability, target),
        // An outgoing cadre, only the handover and the visits, until done.
        OutgoingCadre => {
            village_may(principal, capability, target)
                && target.module.is_some_and(|(module, complete)| {
                    (OUTGOING_MODULES.contains(&module) || target.outgoing) && !complete
                })
        }
    }
}

fn village_may(principal: &Principal, capability: Capability, target: Target<'_>) -> bool {
    matches!(capability, Capability::ViewEnrollment | Capability::Act)
        && target.enrollment
        && (target.person_id.is_none() || target.person_id == principal.person_id)
}

/// Hashes a password with argon2id (default parameters, random salt). Slow on
/// purpose: call it off the async executor.
pub fn hash_password(password: &str) -> anyhow::Result<String> {
    use argon2::password_hash::{PasswordHasher, SaltString, rand_core::OsRng};
    let salt = SaltString::generate(&mut OsRng);
    argon2::Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| anyhow::anyhow!("hashing a password: {e}"))
}

/// Whether `password` matches a stored argon2 hash. Slow on purpose.
pub fn verify_password(password: &str, stored: &str) -> bool {
    use argon2::password_hash::{PasswordHash, PasswordVerifier};
    PasswordHash::new(stored).is_ok_and(|hash| {
        argon2::Argon2::default()
            .verify_password(password.as_bytes(), &hash)
            .is_ok()
    })
}

/// A new random session token (64 hex digits) and the hash stored for it.
pub fn new_token() -> (String, String) {
    use argon2::password_hash::rand_core::{OsRng, RngCore as _};
    let mut bytes = [0u8; 32];
    OsRng.fill_bytes(&mut bytes);
    let token = hex::encode(bytes);
    let hash = token_hash(&token);
    (token, hash)
}

/// What the database keeps of a token: a leaked table opens no sessions.
pub fn token_hash(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn principal(role: Role, unit: Option<&str>, person: Option<i64>) -> Principal {
        Principal {
            account_id: 1,
            username: "u".into(),
            display_name: "U".into(),
            person_id: person,
            easy_reading: false,
            grants: vec![Grant {
                role,
                unit_code: unit.map(|u| {
                    u.trim_matches('/')
                        .rsplit('/')
                        .next()
                        .unwrap_or(u)
                        .to_owned()
                }),
                path: unit.map(str::to_owned),
            }],
        }
    }

    const VILLAGE: &str = "/50/5001/500155/500155108/500155108201/";
    const OTHER: &str = "/50/5001/500155/500155109/500155109201/";

    fn enrollment(path: &str, person: Option<i64>) -> Target<'_> {
        Target::enrollment(path, person, "handover", false)
    }

    #[test]
    fn a_grant_covers_below_never_siblings() {
        let officer = principal(
            Role::TownshipOfficer,
            Some("/50/5001/500155/500155108/"),
            None,
        );
        assert_eq!(
            authorize(&officer, Capability::Act, enrollment(VILLAGE, None)),
            Some(Role::TownshipOfficer)
        );
        assert_eq!(
            authorize(&officer, Capability::Act, enrollment(OTHER, None)),
            None
        );
        assert_eq!(
            authorize(&officer, Capability::ViewReports, enrollment(VILLAGE, None)),
            None
        );
    }

    #[test]
    fn village_people_reach_their_committee_and_their_own_enrollments_only() {
        let member = principal(Role::Member, Some(VILLAGE), Some(7));
        assert!(authorize(&member, Capability::Act, enrollment(VILLAGE, None)).is_some());
        assert!(authorize(&member, Capability::Act, enrollment(VILLAGE, Some(7))).is_some());
        assert!(authorize(&member, Capability::Act, enrollment(VILLAGE, Some(8))).is_none());
        let report = Target::unit(VILLAGE);
        assert!(authorize(&member, Capability::ViewReports, report).is_none());
    }

    #[test]
    fn an_outgoing_cadre_reaches_the_handover_and_visits_until_they_are_done() {
        let cadre = principal(Role::OutgoingCadre, Some(VILLAGE), Some(9));
        let reach = |module, complete| {
            authorize(
                &cadre,
                Capability::Act,
                Target::enrollment(VILLAGE, None, module, complete),
            )
        };
        assert!(reach("handover", false).is_some());
        assert!(reach("visits", false).is_some());
        assert!(reach("handover", true).is_none(), "done: access ends");
        assert!(reach("first-lesson", false).is_none(), "not theirs to do");
        let member = principal(Role::Member, Some(VILLAGE), Some(7));
        assert!(
            authorize(
                &member,
                Capability::Act,
                Target::enrollment(VILLAGE, None, "first-lesson", true)
            )
            .is_some()
        );
    }

    #[test]
    fn the_national_administrator_covers_everything_but_does_not_act() {
        let nation = principal(Role::NationalAdmin, None, None);
        assert!(authorize(&nation, Capability::Assign, enrollment(OTHER, None)).is_some());
        assert!(authorize(&nation, Capability::Act, enrollment(OTHER, None)).is_none());
        // A grant with no unit is only ever the national administrator's.
        let broken = principal(Role::ProvinceAdmin, None, None);
        assert!(authorize(&broken, Capability::Assign, enrollment(OTHER, None)).is_none());
    }

    #[test]
    fn roles_are_granted_within_scope_and_never_above_ones_own() {
        const COUNTY: &str = "/50/5001/500155/";
        const TOWNSHIP: &str = "/50/5001/500155/500155108/";
        let province = principal(Role::ProvinceAdmin, Some("/50/"), None);
        let county = principal(Role::CountyTrainer, Some(COUNTY), None);
        let at = |path| Target::unit(path);
        let grant = |p: &Principal, role, path| authorize(p, Capability::Grant(role), at(path));
        assert!(grant(&province, Role::ProvinceAdmin, "/50/").is_some());
        assert!(grant(&province, Role::CountyTrainer, COUNTY).is_some());
        assert!(grant(&province, Role::NationalAdmin, "/50/").is_none());
        assert!(grant(&province, Role::CountyTrainer, "/51/5101/510121/").is_none());
        assert!(grant(&county, Role::TownshipOfficer, TOWNSHIP).is_some());
        assert!(grant(&county, Role::CountyTrainer, COUNTY).is_none());
        assert!(
            grant(&county, Role::Secretary, VILLAGE).is_none(),
            "rosters give those"
        );

        let officer = principal(Role::TownshipOfficer, Some(TOWNSHIP), None);
        let manage =
            |p: &Principal, role, path| authorize(p, Capability::ManageAccount(role), at(path));
        assert!(manage(&officer, Role::Secretary, VILLAGE).is_some());
        assert!(manage(&officer, Role::Secretary, OTHER).is_none());
        assert!(manage(&officer, Role::TownshipOfficer, TOWNSHIP).is_none());
        assert!(manage(&county, Role::TownshipOfficer, TOWNSHIP).is_some());
        assert!(manage(&county, Role::CountyTrainer, COUNTY).is_none());
        let member = principal(Role::Member, Some(VILLAGE), Some(7));
        assert!(manage(&member, Role::Member, VILLAGE).is_none());
    }

    #[test]
    fn passwords_hash_and_verify() {
        let stored = hash_password("demo").expect("hash");
        assert!(verify_password("demo", &stored));
        assert!(!verify_password("Demo", &stored));
        assert!(!verify_password("demo", "not a hash"));
    }
}
