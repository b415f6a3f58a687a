//! Write Baton onboarding modules in Rust.
//!
//! A module is a type implementing [`Module`]: typed state, typed actions and
//! a typed province config, all plain serde types. [`export_module!`] turns it
//! into a WebAssembly component the Baton host can run; [`testing::Harness`]
//! runs the same logic natively under `cargo test`.
//!
//! ```ignore
//! struct Oath;
//! impl baton_sdk::Module for Oath { /* … */ }
//! baton_sdk::export_module!(Oath);
//! ```
//!
//! Modules get no clock, network, files or randomness: everything they know
//! is in the [`Context`], so the host can replay any enrollment's actions.

// The generated bindings name this crate by its path, from inside it too.
#[cfg(target_arch = "wasm32")]
extern crate self as baton_sdk;

pub mod check;
mod dispatch;
mod types;

#[cfg(feature = "build")]
pub mod build;
pub mod testing;

#[cfg(target_arch = "wasm32")]
#[doc(hidden)]
pub mod glue;

pub use dispatch::{act, start, view};
pub use types::{
    ActionInfo, Actor, Attachment, Audience, Awaiting, Committee, Context, Departure, FieldError,
    Locale, Member, ModuleInfo, Notice, Outcome, Outgoing, Progress, Recipient, Rejection, Role,
    Sibling, Signoff, Stamp, StampView, Template, Text, UnknownName, View, Village,
};

/// Re-exported so modules derive schemas with the same version the SDK reads.
pub use schemars::{self, JsonSchema};
/// Re-exported so modules and the SDK agree on one serde_json.
pub use serde_json;

/// The version of the contract (`sdk/wit/since_v…`) this SDK builds against.
///
/// It is stamped into every module's `baton:contract` custom section; the host
/// reads it before compiling and refuses versions it cannot run.
pub const CONTRACT_VERSION: &str = "0.3.0";

/// The template a view for the public ([`Context::is_public`]) must use to be
/// served: a module opts into a public page by declaring it and rendering it.
pub const PUBLIC_TEMPLATE: &str = "public";

/// The name of the custom section that carries [`CONTRACT_VERSION`].
pub const CONTRACT_SECTION: &str = "baton:contract";

/// An onboarding module.
///
/// `act` is the one way state changes, and must depend only on its arguments:
/// the host replays an enrollment's action log to audit or upgrade it.
pub trait Module {
    /// The enrollment's state, stored by the host as JSON between calls.
    type State: serde::Serialize + serde::de::DeserializeOwned;
    /// The actions the module accepts: an enum tagged like
    /// `#[serde(tag = "action", content = "payload", rename_all = "kebab-case")]`,
    /// one variant per [`ActionInfo`] in [`Module::info`].
    type Action: serde::de::DeserializeOwned;
    /// The province's configuration; `Default` is used when none is given.
    type Config: serde::de::DeserializeOwned + Default;

    /// Who the module is: id, version, titles, actions, templates.
    fn info() -> ModuleInfo;

    /// Checks the province's config beyond what its type enforces; called
    /// before every `start`, `act` and `view`. Name fields `config.…`.
    fn check_config(config: &Self::Config) -> Result<(), Rejection> {
        let _ = config;
        Ok(())
    }

    /// The state of a new enrollment.
    fn start(ctx: &Context<Self::Config>) -> Result<Self::State, Rejection>;

    /// Applies `action`. On `Err` the host discards `state`, so a
    /// half-applied change is never seen.
    fn act(
        ctx: &Context<Self::Config>,
        state: &mut Self::State,
        action: Self::Action,
    ) -> Result<Effects, Rejection>;

    /// How far `state` has got.
    fn progress(state: &Self::State) -> Progress;

    /// Whose turn it is in `state`: everyone who must act before it can
    /// move on, each with what to do. The host puts a person's turns first
    /// on their page, builds the township's queue from them and reminds
    /// them. Default: nobody is named.
    fn awaiting(ctx: &Context<Self::Config>, state: &Self::State) -> Vec<Awaiting> {
        let _ = (ctx, state);
        Vec::new()
    }

    /// What the actor sees of `state`.
    fn view(ctx: &Context<Self::Config>, state: &Self::State) -> View;
}

/// What an action does besides changing state.
#[derive(Debug, Default, Clone, PartialEq)]
pub struct Effects {
    /// Signatures for the host's tamper-evident log.
    pub signoffs: Vec<Signoff>,
    /// Messages to deliver.
    pub notices: Vec<Notice>,
}

impl Effects {
    /// Nothing but the state change.
    pub fn none() -> Self {
        Self::default()
    }

    /// Adds a signature, made with [`Context::signoff`].
    pub fn signoff(mut self, signoff: Signoff) -> Self {
        self.signoffs.push(signoff);
        self
    }

    /// Adds a notice.
    pub fn notify(mut self, to: Recipient, message: Text) -> Self {
        self.notices.push(Notice { to, message });
        self
    }
}

/// The JSON Schema of `T`, for [`ActionInfo::payload_schema`] and
/// [`ModuleInfo::config_schema`].
pub fn schema<T: JsonSchema>() -> serde_json::Value {
    schemars::schema_for!(T).to_value()
}

/// The JSON Schema of a module's config with its defaults as the schema's
/// `default`: the province's config form starts from them (or from the
/// province's last config of the module).
pub fn config_schema<C: JsonSchema + serde::Serialize + Default>() -> serde_json::Value {
    let mut schema = schema::<C>();
    if let (Some(s), Ok(default)) = (schema.as_object_mut(), serde_json::to_value(C::default())) {
        s.insert("default".to_owned(), default);
    }
    schema
}

/// Beijing time's offset from UTC, seconds: China keeps UTC+8 all year.
pub const BEIJING_OFFSET: i64 = 8 * 3600;

/// A time from [`Context::now`] as the date it is in Beijing, `YYYY-MM-DD`:
/// the date people in China read.
pub fn beijing_date(seconds: i64) -> String {
    format_date(seconds + BEIJING_OFFSET)
}

/// A time from [`Context::now`] as a calendar date, `YYYY-MM-DD` (UTC).
pub fn format_date(seconds: i64) -> String {
    // Howard Hinnant's days-to-civil; a module has no time library to lean on.
    let z = seconds.div_euclid(86_400) + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1_460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!("{year:04}-{month:02}-{day:02}")
}

/// A `YYYY-MM-DD` date as the time [`format_date`] would print it as (00:00
/// UTC), or `None` when it is not a real calendar date. Modules have no
/// time library, and payloads carry dates as text.
pub fn parse_date(date: &str) -> Option<i64> {
    let b = date.as_bytes();
    if b.len() != 10 || b[4] != b'-' || b[7] != b'-' {
        return None;
    }
    let number = |range: std::ops::Range<usize>| -> Option<i64> {
        let digits = date.get(range)?;
        digits
            .bytes()
            .all(|c| c.is_ascii_digit())
            .then(|| digits.parse().ok())?
    };
    let (year, month, day) = (number(0..4)?, number(5..7)?, number(8..10)?);
    let leap = year % 4 == 0 && (year % 100 != 0 || year % 400 == 0);
    let days_in_month = match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if leap => 29,
        2 => 28,
        _ => return None,
    };
    if day < 1 || day > days_in_month {
        return None;
    }
    // Hinnant's days-from-civil, the inverse of `format_date`.
    let y = if month <= 2 { year - 1 } else { year };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (month + 9) % 12;
    let doy = (153 * mp + 2) / 5 + day - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    Some((era * 146_097 + doe - 719_468) * 86_400)
}

/// Makes a [`Module`] the component's exports.
///
/// Use it once, at the root of the module crate. It expands to nothing when
/// the crate is built natively, so the same crate's tests run under `cargo test`.
#[macro_export]
macro_rules! export_module {
    ($module:ty) => {
        #[cfg(target_arch = "wasm32")]
        #[allow(unsafe_code, reason = "the generated exports are `extern \"C\"`")]
        const _: () = {
            // `crate@version`, so the host can name the package in an error
            // even when it cannot run it (e.g. a contract it does not know).
            const __PACKAGE: &str = concat!(env!("CARGO_PKG_NAME"), "@", env!("CARGO_PKG_VERSION"));
            #[used]
            #[unsafe(link_section = "baton:package")]
            static __BATON_PACKAGE: [u8; __PACKAGE.len()] = $crate::glue::bytes(__PACKAGE);
            type __BatonExport = $crate::glue::Adapter<$module>;
    $crate::glue::__export_wit!(__BatonExport with_types_in $crate::glue);
        };
    };
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_are_civil_utc() {
        assert_eq!(format_date(0), "1970-01-01");
        assert_eq!(format_date(1_767_225_600), "2026-01-01");
        assert_eq!(format_date(951_782_400), "2000-02-29");
        assert_eq!(format_date(-86_400), "1969-12-31");
    }

    #[test]
    fn parsing_a_date_inverts_formatting_and_refuses_non_dates() {
        for t in [0, 1_767_225_600, 951_782_400, -86_400, 1_798_675_200] {
            assert_eq!(parse_date(&format_date(t)), Some(t));
        }
        for bad in [
            "2026-02-29",
            "2026-13-01",
            "2026-00-10",
            "2026-04-31",
            "2026-1-01",
            "26-01-01",
            "2026/01/01",
            "",
            "2026-01-0a",
            "+026-01-01",
        ] {
            assert_eq!(parse_date(bad), None, "{bad}");
        }
        assert_eq!(parse_date("2024-02-29"), Some(1_709_164_800));
    }
}
