//! Drawing a sample of the villages under a scope, reproducibly: a look-back
//! review (回头看) checks, say, 10% of each county's villages, and anyone
//! holding the recorded seed can draw the same villages again.
//!
//! Within each group (a county, or a township) every village is ranked by
//! SHA-256 of the seed and its code, and the first `percent`% (rounded up,
//! at least one) are drawn. The draw depends only on the seed, the percent
//! and the villages, never on their order or on the database.

use std::collections::{BTreeMap, HashMap};

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::db::org_units::{Level, OrgUnit};
use crate::error::Error;

/// What a sample is drawn per.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "kebab-case")]
pub enum Per {
    /// `percent` of each county's villages.
    #[default]
    County,
    /// `percent` of each township's villages.
    Township,
}

/// How a sample is asked for: `percent` of the villages of each county (or
/// township); `seed` to draw a recorded sample again, a fresh one otherwise.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SampleRequest {
    /// 1–100.
    pub percent: u32,
    /// `county` (the default) or `township`.
    #[serde(default)]
    pub per: Per,
    /// Any number up to 2^53; drawn at random when left out.
    pub seed: Option<u64>,
}

/// A sample as recorded on its assignment.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Sample {
    /// Percent of each group's villages.
    pub percent: u32,
    /// The group.
    pub per: Per,
    /// The seed it was drawn with.
    pub seed: u64,
}

/// The largest seed: a JSON number every client reads exactly.
pub const MAX_SEED: u64 = (1 << 53) - 1;

impl SampleRequest {
    /// The sample to draw, with a fresh seed if none was given; or which
    /// field is wrong.
    pub fn resolve(&self) -> Result<Sample, Error> {
        if !(1..=100).contains(&self.percent) {
            return Err(Error::bad(
                "sample.percent",
                format!("抽样比例应为 1 到 100 之间的整数，收到 {}", self.percent),
                format!("must be a whole number from 1 to 100, not {}", self.percent),
            ));
        }
        let seed = match self.seed {
            Some(seed) if seed > MAX_SEED => {
                return Err(Error::bad(
                    "sample.seed",
                    format!("随机种子不能大于 {MAX_SEED}"),
                    format!("must be at most {MAX_SEED}"),
                ));
            }
            Some(seed) => seed,
            None => {
                use argon2::password_hash::rand_core::{OsRng, RngCore as _};
                OsRng.next_u64() & MAX_SEED
            }
        };
        Ok(Sample {
            percent: self.percent,
            per: self.per,
            seed,
        })
    }
}

/// The villages of `units` (a subtree, any order) drawn by `sample`, sorted
/// by code.
pub fn draw(sample: Sample, units: &[OrgUnit]) -> Vec<String> {
    let parent: HashMap<&str, Option<&str>> = units
        .iter()
        .map(|u| (u.code.as_str(), u.parent_code.as_deref()))
        .collect();
    let up = |code: &str| parent.get(code).copied().flatten();
    // Group key: the village's township, or that township's county.
    let mut groups: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
    for village in units.iter().filter(|u| u.level == Level::Village) {
        let township = up(&village.code).unwrap_or("");
        let key = match sample.per {
            Per::Township => township,
            Per::County => up(township).unwrap_or(township),
        };
        groups.entry(key).or_default().push(&village.code);
    }
    let mut drawn = Vec::new();
    for villages in groups.values_mut() {
        villages.sort_by_cached_key(|code| rank(sample.seed, code));
        let n = villages.len();
        let take = (n * sample.percent as usize).div_ceil(100).clamp(1, n);
        drawn.extend(villages[..take].iter().map(|c| (*c).to_owned()));
    }
    drawn.sort();
    drawn
}

fn rank(seed: u64, code: &str) -> [u8; 32] {
    let mut hash = Sha256::new();
    hash.update(seed.to_le_bytes());
    hash.update(code.as_bytes());
    hash.finalize().into()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn unit(code: &str, level: Level, parent: Option<&str>) -> OrgUnit {
        OrgUnit {
            code: code.into(),
            level,
            name: code.into(),
            parent_code: parent.map(Into::into),
        }
    }

    /// Two counties, one of 20 villages in two townships, one of 3.
    fn tree() -> Vec<OrgUnit> {
        let mut units = vec![
            unit("c1", Level::County, None),
            unit("t1", Level::Township, Some("c1")),
            unit("t2", Level::Township, Some("c1")),
            unit("c2", Level::County, None),
            unit("t3", Level::Township, Some("c2")),
        ];
        for i in 0..20 {
            let township = if i < 10 { "t1" } else { "t2" };
            units.push(unit(&format!("v1{i:02}"), Level::Village, Some(township)));
        }
        for i in 0..3 {
            units.push(unit(&format!("v2{i:02}"), Level::Village, Some("t3")));
        }
        units
    }

    #[test]
    fn draws_the_percent_of_each_group_rounded_up() {
        let sample = Sample {
            percent: 10,
            per: Per::County,
            seed: 7,
        };
        let drawn = draw(sample, &tree());
        assert_eq!(drawn.iter().filter(|c| c.starts_with("v1")).count(), 2);
        assert_eq!(drawn.iter().filter(|c| c.starts_with("v2")).count(), 1);
        let by_township = draw(
            Sample {
                per: Per::Township,
                ..sample
            },
            &tree(),
        );
        assert_eq!(
            by_township.len(),
            3,
            "one of each township's villages: {by_township:?}"
        );
    }

    #[test]
    fn the_same_seed_draws_the_same_villages_in_any_order() {
        let sample = Sample {
            percent: 30,
            per: Per::County,
            seed: 20_261_201,
        };
        let mut reversed = tree();
        reversed.reverse();
        assert_eq!(draw(sample, &tree()), draw(sample, &reversed));
        let others: Vec<_> = (0..5)
            .map(|seed| draw(Sample { seed, ..sample }, &tree()))
            .collect();
        assert!(
            others.iter().any(|d| *d != draw(sample, &tree())),
            "another seed draws other villages"
        );
    }

    #[test]
    fn a_bad_percent_or_seed_is_named() {
        let bad = SampleRequest {
            percent: 0,
            per: Per::County,
            seed: None,
        };
        assert!(bad.resolve().is_err());
        let big = SampleRequest {
            percent: 10,
            per: Per::County,
            seed: Some(u64::MAX),
        };
        assert!(big.resolve().is_err());
        let fresh = SampleRequest {
            percent: 10,
            per: Per::County,
            seed: None,
        };
        assert!(fresh.resolve().is_ok_and(|s| s.seed <= MAX_SEED));
    }
}
