//! 第一课 — the first lesson for new village cadres.
//!
//! 湖南's “新春第一课”, 天津's Party lesson for new secretaries, 海南 and
//! 内蒙古's province-wide training: a course the province writes entirely in
//! config — lessons (text, an optional media link), a question bank of single
//! and multiple choice, a pass mark, attempts allowed — so a new course needs
//! no code. The learner reads the lessons in order, takes the quiz, and sees
//! the right answers only once passed or out of attempts: the view never
//! carries them before.
//!
//! Training that counts: class sessions on a date, attended by checking in
//! with the code under the QR the trainer shows (or marked by the trainer);
//! study hours (学时) for each lesson read and session attended; a pass rule
//! of the quiz and, if the province sets one, a number of hours. The view's
//! `study` (course, hours, passed, passed_on) is what the host's certificate
//! page and its hours across courses read.

mod state;
mod view;

use baton_sdk::{
    ActionInfo, Audience, Context, Effects, Locale, Module, ModuleInfo, Progress, Recipient,
    Rejection, Role, Template, Text, View, check,
};

pub use state::{
    Action, Attempt, Attended, CheckIn, Config, GrantAttempt, Lesson, Mark, Question, Read,
    Session, State, Submit,
};

/// The first-lesson course.
pub struct FirstLesson;

baton_sdk::export_module!(FirstLesson);

/// The learner's roles: the course is for every member of the new committees.
const LEARNERS: [Role; 2] = [Role::Secretary, Role::Member];

impl Module for FirstLesson {
    type State = State;
    type Action = Action;
    type Config = Config;

    fn info() -> ModuleInfo {
        ModuleInfo {
            id: "first-lesson".into(),
            version: env!("CARGO_PKG_VERSION").into(),
            title: Text::new("新任村干部第一课", "First lesson for new cadres"),
            summary: Text::new(
                "按顺序学习省里发布的课程，完成测验并达到合格分数。",
                "Read the province's lessons in order, then pass the quiz.",
            ),
            audience: Audience::EveryMember,
            actions: vec![
                ActionInfo::new::<Read>("read", Text::new("学完本课", "Mark the lesson read")),
                ActionInfo::new::<Submit>("submit", Text::new("提交测验", "Submit the quiz")),
                ActionInfo::new::<GrantAttempt>(
                    "grant-attempt",
                    Text::new("增加一次测验机会", "Allow one more attempt"),
                ),
                ActionInfo::new::<CheckIn>("check-in", Text::new("签到", "Check in")),
                ActionInfo::new::<Mark>("mark", Text::new("记录到课", "Record attendance")),
            ],
            templates: vec![Template::new(
                "course",
                include_str!("../templates/course.zh.hbs"),
                include_str!("../templates/course.en.hbs"),
            )],
            estimated_minutes: 45,
            config_schema: baton_sdk::config_schema::<Config>(),
            // The county's trainers run the classes and mark who came.
            reviewers: vec![Role::CountyTrainer],
        }
    }

    fn check_config(c: &Config) -> Result<(), Rejection> {
        let mut errors = Vec::new();
        let mut bad = |field: String, zh: &str, en: &str| {
            errors.push(baton_sdk::FieldError {
                field,
                message: Text::new(zh, en),
            });
        };
        if c.title.zh.trim().is_empty() {
            bad("config.title.zh".into(), "请填写课程名称", "is required");
        }
        if c.lessons.is_empty() {
            bad(
                "config.lessons".into(),
                "至少要有一课",
                "needs at least one lesson",
            );
        }
        for (i, l) in c.lessons.iter().enumerate() {
            if l.title.zh.trim().is_empty() {
                bad(
                    format!("config.lessons.{i}.title.zh"),
                    "请填写标题",
                    "is required",
                );
            }
            if l.body.zh.trim().is_empty() {
                bad(
                    format!("config.lessons.{i}.body.zh"),
                    "请填写课文",
                    "is required",
                );
            }
            if let Some(m) = &l.media
                && !(m.starts_with("https://") || m.starts_with("http://"))
            {
                bad(
                    format!("config.lessons.{i}.media"),
                    "须为 http:// 或 https:// 开头的链接",
                    "must be an http:// or https:// link",
                );
            }
        }
        if c.questions.is_empty() {
            bad(
                "config.questions".into(),
                "至少要有一道题",
                "needs at least one question",
            );
        }
        for (i, q) in c.questions.iter().enumerate() {
            let field = |name: &str| format!("config.questions.{i}.{name}");
            if q.prompt.zh.trim().is_empty() {
                bad(field("prompt.zh"), "请填写题目", "is required");
            }
            if q.options.len() < 2 {
                bad(
                    field("options"),
                    "至少要有两个选项",
                    "needs at least two options",
                );
            }
            if q.answer.is_empty() {
                bad(
                    field("answer"),
                    "请勾选正确答案",
                    "tick the right option(s)",
                );
            } else if q.answer.iter().any(|a| *a >= q.options.len()) {
                bad(
                    field("answer"),
                    "答案超出选项范围",
                    "names an option that does not exist",
                );
            } else if !q.multiple && q.answer.len() != 1 {
                bad(
                    field("answer"),
                    "单选题只能有一个正确答案",
                    "a single-choice question has exactly one right option",
                );
            } else if has_duplicates(&q.answer) {
                bad(field("answer"), "答案有重复", "lists an option twice");
            }
        }
        if !(1..=100).contains(&c.pass_mark) {
            bad(
                "config.pass_mark".into(),
                "合格分数应在 1 到 100 之间",
                "must be 1–100",
            );
        }
        if !(1..=100).contains(&c.attempts) {
            bad(
                "config.attempts".into(),
                "测验次数应在 1 到 100 之间",
                "must be 1–100",
            );
        }
        for (i, session) in c.sessions.iter().enumerate() {
            let field = |name: &str| format!("config.sessions.{i}.{name}");
            if session.title.zh.trim().is_empty() {
                bad(field("title.zh"), "请填写名称", "is required");
            }
            if check::date("date", &session.date).is_err() {
                bad(
                    field("date"),
                    "请填写日期，格式为 2026-03-01",
                    "must be a date like 2026-03-01",
                );
            }
            if session.place.trim().is_empty() {
                bad(field("place"), "请填写地点", "is required");
            }
            if !(0.0..=100.0).contains(&session.hours) {
                bad(field("hours"), "学时应在 0 到 100 之间", "must be 0–100");
            }
        }
        for (i, l) in c.lessons.iter().enumerate() {
            if !(0.0..=100.0).contains(&l.hours) {
                bad(
                    format!("config.lessons.{i}.hours"),
                    "学时应在 0 到 100 之间",
                    "must be 0–100",
                );
            }
        }
        let most = c.lessons.iter().map(|l| l.hours).sum::<f64>()
            + c.sessions.iter().map(|s| s.hours).sum::<f64>();
        if !(0.0..=most).contains(&c.pass_hours) {
            bad(
                "config.pass_hours".into(),
                &format!("合格所需学时应在 0 到 {most} 之间（课程合计 {most} 学时）"),
                &format!("must be 0–{most}, the course's hours in all"),
            );
        }
        if !c.sessions.is_empty() && c.check_in_key.trim().chars().count() < 8 {
            bad(
                "config.check_in_key".into(),
                "有面授课次时须设签到密钥，至少 8 个字符",
                "needs at least 8 characters when there are sessions",
            );
        }
        if errors.is_empty() {
            Ok(())
        } else {
            Err(Rejection::Invalid(errors))
        }
    }

    fn start(ctx: &Context<Config>) -> Result<State, Rejection> {
        Ok(State {
            lessons: count(ctx.config.lessons.len()),
            read: 0,
            attempts_allowed: ctx.config.attempts,
            attempts: Vec::new(),
            passed_at: None,
            sessions: count(ctx.config.sessions.len()),
            attended: Vec::new(),
            hours: 0.0,
            pass_hours: ctx.config.pass_hours,
        })
    }

    fn act(ctx: &Context<Config>, state: &mut State, action: Action) -> Result<Effects, Rejection> {
        let effects = match action {
            Action::Read(p) => read(ctx, state, p),
            Action::Submit(p) => submit(ctx, state, p),
            Action::GrantAttempt(p) => grant(ctx, state, p),
            Action::CheckIn(p) => check_in(ctx, state, p),
            Action::Mark(p) => mark(ctx, state, p),
        }?;
        state.hours = hours(&ctx.config, state);
        Ok(effects)
    }

    /// Each lesson, the quiz, and the hours the pass rule asks for if any.
    fn progress(state: &State) -> Progress {
        let counts_hours = state.pass_hours > 0.0;
        Progress {
            done: state.read
                + u32::from(state.passed_at.is_some())
                + u32::from(counts_hours && state.hours >= state.pass_hours),
            total: state.lessons + 1 + u32::from(counts_hours),
        }
    }

    fn view(ctx: &Context<Config>, state: &State) -> View {
        view::render(ctx, state)
    }
}

/// Study hours earned: lessons read and sessions attended.
pub fn hours(c: &Config, state: &State) -> f64 {
    let lessons: f64 = c
        .lessons
        .iter()
        .take(usize::try_from(state.read).unwrap_or(usize::MAX))
        .map(|l| l.hours)
        .sum();
    let sessions: f64 = state
        .attended
        .iter()
        .filter_map(|a| c.sessions.get(usize::try_from(a.session).ok()?))
        .map(|s| s.hours)
        .sum();
    // Hours are counted in tenths: 0.1 + 0.2 is 0.3 here.
    ((lessons + sessions) * 10.0).round() / 10.0
}

/// How long a check-in code shown on screen lives, seconds: the code
/// changes every ten minutes, and the one before is still taken, so a code
/// read just before it changes works.
pub const CODE_WINDOW: i64 = 600;

/// The session's check-in code at `now`: six digits from the SHA-256 of the
/// province's secret, the session's position, its date and the ten minutes
/// `now` falls in, so a code is good for one class, for a few minutes, and
/// no learner can work it out.
pub fn session_code(c: &Config, session: u32, now: i64) -> String {
    use sha2::{Digest, Sha256};
    let date = c
        .sessions
        .get(usize::try_from(session).unwrap_or(usize::MAX))
        .map_or("", |s| s.date.as_str());
    let window = now.div_euclid(CODE_WINDOW);
    let digest =
        Sha256::digest(format!("{}\n{session}\n{date}\n{window}", c.check_in_key).as_bytes());
    let n = u32::from_be_bytes([digest[0], digest[1], digest[2], digest[3]]) % 1_000_000;
    format!("{n:06}")
}

fn the_session(c: &Config, session: u32) -> Result<&Session, Rejection> {
    c.sessions
        .get(usize::try_from(session).unwrap_or(usize::MAX))
        .ok_or_else(|| {
            Rejection::invalid(
                "session",
                format!("本课程只有 {} 次面授课", c.sessions.len()),
                format!("the course has only {} sessions", c.sessions.len()),
            )
        })
}

fn check_in(ctx: &Context<Config>, state: &mut State, p: CheckIn) -> Result<Effects, Rejection> {
    ctx.require_role(&LEARNERS)?;
    let session = the_session(&ctx.config, p.session)?;
    let code = p.code.trim();
    let current = [ctx.now, ctx.now - CODE_WINDOW]
        .into_iter()
        .any(|at| code == session_code(&ctx.config, p.session, at));
    if !current {
        return Err(Rejection::invalid(
            "code",
            "签到码不对或已过期（每 10 分钟更换），请扫描培训老师现场出示的二维码或核对六位数字",
            "that is not this session's current code (it changes every 10 minutes); scan the trainer's QR code or check the six digits",
        ));
    }
    if baton_sdk::beijing_date(ctx.now) != session.date {
        return Err(Rejection::invalid(
            "code",
            format!("只能在开课当天（{}）签到", session.date),
            format!(
                "check-in is open only on the day of the class ({})",
                session.date
            ),
        ));
    }
    if state.attended.iter().any(|a| a.session == p.session) {
        return Err(Rejection::conflict(
            format!("“{}”已经签到", session.title.zh),
            format!("already checked in at {}", text(&session.title, Locale::En)),
        ));
    }
    state.attended.push(Attended {
        session: p.session,
        at: ctx.now,
        marked_by: None,
    });
    Ok(Effects::none())
}

fn mark(ctx: &Context<Config>, state: &mut State, p: Mark) -> Result<Effects, Rejection> {
    ctx.require_role(&[Role::TownshipOfficer, Role::CountyTrainer])?;
    the_session(&ctx.config, p.session)?;
    let was = state.attended.iter().any(|a| a.session == p.session);
    if p.present && !was {
        state.attended.push(Attended {
            session: p.session,
            at: ctx.now,
            marked_by: Some(ctx.actor.name.clone()),
        });
    } else if !p.present {
        state.attended.retain(|a| a.session != p.session);
    }
    Ok(Effects::none())
}

fn count(n: usize) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

fn has_duplicates(xs: &[usize]) -> bool {
    xs.iter().enumerate().any(|(i, x)| xs[..i].contains(x))
}

/// A province may write a course in Chinese only: English falls back to it.
pub(crate) fn text(t: &Text, locale: Locale) -> &str {
    match t.get(locale) {
        "" => &t.zh,
        s => s,
    }
}

fn read(ctx: &Context<Config>, state: &mut State, p: Read) -> Result<Effects, Rejection> {
    ctx.require_role(&LEARNERS)?;
    if p.lesson >= state.lessons {
        return Err(Rejection::invalid(
            "lesson",
            format!("本课程只有 {} 课", state.lessons),
            format!("the course has only {} lessons", state.lessons),
        ));
    }
    if p.lesson > state.read {
        return Err(Rejection::conflict(
            format!("请先学习第 {} 课", state.read + 1),
            format!("read lesson {} first", state.read + 1),
        ));
    }
    if p.lesson == state.read {
        state.read += 1;
    }
    Ok(Effects::none())
}

fn submit(ctx: &Context<Config>, state: &mut State, p: Submit) -> Result<Effects, Rejection> {
    ctx.require_role(&LEARNERS)?;
    if state.passed_at.is_some() {
        return Err(Rejection::conflict(
            "测验已经通过",
            "you have already passed",
        ));
    }
    if state.read < state.lessons {
        return Err(Rejection::conflict(
            "请先学完全部课程再参加测验",
            "read every lesson before taking the quiz",
        ));
    }
    let used = count(state.attempts.len());
    if used >= state.attempts_allowed {
        return Err(Rejection::conflict(
            format!("{used} 次测验机会已用完，请联系乡镇干部"),
            format!("all {used} attempts are used; ask your township officer for another"),
        ));
    }
    let questions = &ctx.config.questions;
    let mut errors = Vec::new();
    for (i, q) in questions.iter().enumerate() {
        let field = format!("answers.{i}");
        let chosen = p.answers.get(i).map(Vec::as_slice).unwrap_or_default();
        let problem = if chosen.is_empty() {
            let n = i + 1;
            errors.push(baton_sdk::FieldError {
                field,
                message: Text::new(
                    format!("第 {n} 题未作答"),
                    format!("question {n} is not answered"),
                ),
            });
            continue;
        };
        let problem = if chosen.iter().any(|c| *c >= q.options.len()) {
            Some(("选项不存在", "names an option that does not exist"))
        } else if !q.multiple && chosen.len() > 1 {
            Some(("单选题只能选一项", "choose one option"))
        } else if has_duplicates(chosen) {
            Some(("选项重复", "lists an option twice"))
        } else {
            None
        };
        if let Some((zh, en)) = problem {
            errors.push(baton_sdk::FieldError {
                field,
                message: Text::new(zh, en),
            });
        }
    }
    if p.answers.len() > questions.len() {
        errors.push(baton_sdk::FieldError {
            field: "answers".into(),
            message: Text::new(
                format!("只有 {} 道题", questions.len()),
                format!("there are only {} questions", questions.len()),
            ),
        });
    }
    if !errors.is_empty() {
        return Err(Rejection::Invalid(errors));
    }
    let correct = questions
        .iter()
        .zip(&p.answers)
        .filter(|(q, chosen)| {
            let mut a = q.answer.clone();
            let mut c = (*chosen).clone();
            a.sort_unstable();
            c.sort_unstable();
            a == c
        })
        .count();
    let correct = count(correct);
    let total = count(questions.len());
    let score = correct * 100 / total;
    let passed = score >= ctx.config.pass_mark;
    state.attempts.push(Attempt {
        at: ctx.now,
        answers: p.answers,
        correct,
        score,
        passed,
    });
    let (who, course) = (&ctx.actor.name, &ctx.config.title);
    if passed {
        state.passed_at = Some(ctx.now);
        let statement = Text::new(
            format!("本人{who}已学完“{}”，测验 {score} 分，合格。", course.zh),
            format!(
                "I, {who}, completed {} with a quiz score of {score}, a pass.",
                text(course, Locale::En)
            ),
        );
        return Ok(Effects::none().signoff(ctx.signoff("passed", statement)));
    }
    if count(state.attempts.len()) >= state.attempts_allowed {
        return Ok(Effects::none().notify(
            Recipient::Role(Role::TownshipOfficer),
            Text::new(
                format!(
                    "{who}“{}”测验未通过且次数已用完，可视情况增加一次机会。",
                    course.zh
                ),
                format!(
                    "{who} has used every attempt at {} without passing; you may allow one more.",
                    text(course, Locale::En)
                ),
            ),
        ));
    }
    Ok(Effects::none())
}

fn grant(ctx: &Context<Config>, state: &mut State, p: GrantAttempt) -> Result<Effects, Rejection> {
    ctx.require_role(&[Role::TownshipOfficer, Role::CountyTrainer])?;
    check::required("reason", &p.reason)?;
    if state.passed_at.is_some() {
        return Err(Rejection::conflict(
            "学员已通过测验",
            "the learner has already passed",
        ));
    }
    if count(state.attempts.len()) < state.attempts_allowed {
        return Err(Rejection::conflict(
            "学员还有测验机会，无需增加",
            "the learner still has attempts left",
        ));
    }
    state.attempts_allowed += 1;
    Ok(Effects::none())
}
