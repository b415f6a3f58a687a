//! Checks every module makes of its payloads, with the same bilingual
//! messages everywhere: a required text, a date, a person of the village.

use crate::{Context, Member, Outgoing, Rejection};

/// `value` must not be blank.
pub fn required(field: impl Into<String>, value: &str) -> Result<(), Rejection> {
    if value.trim().is_empty() {
        return Err(Rejection::invalid(field, "不能为空", "is required"));
    }
    Ok(())
}

/// `value` must be a `YYYY-MM-DD` date; returns it as Unix seconds (00:00 UTC).
pub fn date(field: impl Into<String>, value: &str) -> Result<i64, Rejection> {
    crate::parse_date(value.trim()).ok_or_else(|| {
        Rejection::invalid(
            field,
            format!("“{value}”不是有效日期，格式应为 YYYY-MM-DD，如 2026-03-01"),
            format!("`{value}` is not a date like 2026-03-01"),
        )
    })
}

/// `value` must be a date no later than the day of `ctx.now` (Beijing time,
/// so an evening entry for today is accepted).
pub fn past_date<C>(
    field: impl Into<String>,
    value: &str,
    ctx: &Context<C>,
) -> Result<i64, Rejection> {
    let field = field.into();
    let at = date(field.clone(), value)?;
    let today = crate::beijing_date(ctx.now);
    if value.trim() > today.as_str() {
        return Err(Rejection::invalid(
            field,
            format!("日期 {value} 还没到，今天是 {today}"),
            format!("{value} has not happened yet; today is {today}"),
        ));
    }
    Ok(at)
}

/// The member of the new committees with id `person`.
pub fn member<'c, C>(
    field: impl Into<String>,
    person: &str,
    ctx: &'c Context<C>,
) -> Result<&'c Member, Rejection> {
    ctx.members
        .iter()
        .find(|m| m.person_id == person)
        .ok_or_else(|| not_on_roster(field, person, "新一届两委成员", "the new committees"))
}

/// The outgoing cadre with id `person`.
pub fn outgoing<'c, C>(
    field: impl Into<String>,
    person: &str,
    ctx: &'c Context<C>,
) -> Result<&'c Outgoing, Rejection> {
    ctx.outgoing
        .iter()
        .find(|o| o.person_id == person)
        .ok_or_else(|| not_on_roster(field, person, "离任干部", "the outgoing cadres"))
}

fn not_on_roster(field: impl Into<String>, person: &str, zh: &str, en: &str) -> Rejection {
    Rejection::invalid(
        field,
        format!("“{person}”不在本村{zh}名单中"),
        format!("`{person}` is not among {en} of this village"),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::sample_context;

    #[test]
    fn past_dates_count_the_day_in_beijing() {
        let mut ctx = sample_context();
        ctx.now = crate::parse_date("2026-03-01").unwrap_or_default() + 17 * 3600; // 01:00 on 03-02 in Beijing
        assert!(past_date("date", "2026-03-02", &ctx).is_ok());
        assert!(past_date("date", "2026-03-03", &ctx).is_err());
        assert!(past_date("date", "2026-3-1", &ctx).is_err());
        assert!(member("person", "p-member", &ctx).is_ok());
        assert!(member("person", "p-outgoing", &ctx).is_err());
        assert!(outgoing("person", "p-outgoing", &ctx).is_ok());
        assert!(required("x", "  ").is_err());
        // The one-shoulder secretary's second seat is the same person.
        let mut chair = ctx.members[0].clone();
        chair.post = "主任".into();
        chair.committee = crate::Committee::Villagers;
        ctx.members.push(chair);
        let people: Vec<&str> = ctx.people().iter().map(|m| m.person_id.as_str()).collect();
        assert_eq!(people, ["p-secretary", "p-member", "p-member-2"]);
    }
}
