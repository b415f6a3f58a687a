//! 第一課 — the first lesson for new village cadres.
//!
//! 湖南's “新春第一課”, 天津's Party lesson for new secretaries, 海南 and
//! 內蒙古's province-wide training: a course the province writes entirely in
//! config — lessons (text, an optional media link), a question bank of single
//! and multiple choice, a pass mark, attempts allowed — so a new course needs
//! no code. The learner reads the lessons in order, takes the quiz, and sees
//! the right answers only once passed or out of attempts: the view never
//! carries them before.

mod state;
mod view;

use baton_sdk::{
    ActionInfo, Audience, Context, Effects, Locale, Module, ModuleInfo, Progress, Recipient,
    Rejection, Role, Template, Text, View, check,
};

pub use state::{Action, Attempt, Config, GrantAttempt, Lesson, Question, Read, State, Submit};

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
            title: Text::new("新任村干部第一課", "First lesson for new cadres"),
            summary: Text::new(
                "按順序?qū)W習省里發布的課程,完成測驗并達到合格分數。",
                "Read the province's lessons in order, then pass the quiz.",
            ),
            audience: Audience::EveryMember,
            actions: vec![
                ActionInfo::new::<Read>("read", Text::new("學完本課", "Mark the lesson read")),
                ActionInfo::new::<Submit>("submit", Text::new("提交測驗", "Submit the quiz")),
                ActionInfo::new::<GrantAttempt>(
                    "grant-attempt",
                    Text::new("增加一次測驗機會", "Allow one more attempt"),
                ),
            ],
            templates: vec![Template::new(
                "course",
                include_str!("../templates/course.zh.hbs"),
                include_str!("../templates/course.en.hbs"),
            )],
            estimated_minutes: 45,
            config_schema: baton_sdk::schema::<Config>(),
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
            bad(
                "config.title.zh".into(),
                "請?zhí)顚懻n程名稱",
                "is required",
            );
        }
        if c.lessons.is_empty() {
            bad(
                "config.lessons".into(),
                "至少要有一課",
                "needs at least one lesson",
            );
        }
        for (i, l) in c.lessons.iter().enumerate() {
            if l.title.zh.trim().is_empty() {
                bad(
                    format!("config.lessons.{i}.title.zh"),
                    "請?zhí)顚憳祟}",
                    "is required",
                );
            }
            if l.body.zh.trim().is_empty() {
                bad(
                    format!("config.lessons.{i}.body.zh"),
                    "請?zhí)顚懻n文",
                    "is required",
                );
            }
            if let Some(m) = &l.media
                && !(m.starts_with("https://") || m.starts_with("http://"))
            {
                bad(
                    format!("config.lessons.{i}.media"),
                    "須為 http:// 或 https:// 開頭的鏈接",
                    "must be an http:// or https:// link",
                );
            }
        }
        if c.questions.is_empty() {
            bad(
                "config.questions".into(),
                "至少要有一道題",
                "needs at least one question",
            );
        }
        for (i, q) in c.questions.iter().enumerate() {
            let field = |name: &str| format!("config.questions.{i}.{name}");
            if q.prompt.zh.trim().is_empty() {
                bad(field("prompt.zh"), "請?zhí)顚戭}目", "is required");
            }
            if q.options.len() < 2 {
                bad(
                    field("options"),
                    "至少要有兩個選項",
                    "needs at least two options",
                );
            }
            if q.answer.is_empty() {
                bad(
                    field("answer"),
                    "請給出正確答案",
                    "needs the right option(s)",
                );
            } else if q.answer.iter().any(|a| *a >= q.options.len()) {
                bad(
                    field("answer"),
                    "答案超出選項范圍",
                    "names an option that does not exist",
                );
            } else if !q.multiple && q.answer.len() != 1 {
                bad(
                    field("answer"),
                    "單選題只能有一個正確答案",
                    "a single-choice question has exactly one right option",
                );
            } else if has_duplicates(&q.answer) {
                bad(field("answer"), "答案有重復", "lists an option twice");
            }
        }
        if !(1..=100).contains(&c.pass_mark) {
            bad(
                "config.pass_mark".into(),
                "合格分數應在 1 到 100 之間",
                "must be 1–100",
            );
        }
        if !(1..=100).contains(&c.attempts) {
            bad(
                "config.attempts".into(),
                "測驗次數應在 1 到 100 之間",
                "must be 1–100",
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
        })
    }

    fn act(ctx: &Context<Config>, state: &mut State, action: Action) -> Result<Effects, Rejection> {
        match action {
            Action::Read(p) => read(ctx, state, p),
            Action::Submit(p) => submit(ctx, state, p),
            Action::GrantAttempt(p) => grant(ctx, state, p),
        }
    }

    fn progress(state: &State) -> Progress {
        Progress {
            done: state.read + u32::from(state.passed_at.is_some()),
            total: state.lessons + 1,
        }
    }

    fn view(ctx: &Context<Config>, state: &State) -> View {
        view::render(ctx, state)
    }
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
            format!("本課程只有 {} 課", state.lessons),
            format!("the course has only {} lessons", state.lessons),
        ));
    }
    if p.lesson > state.read {
        return Err(Rejection::conflict(
            format!("請先學習第 {} 課", state.read + 1),
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
            "測驗已經通過",
            "you have already passed",
        ));
    }
    if state.read < state.lessons {
        return Err(Rejection::conflict(
            "請先學完全部課程再參加測驗",
            "read every lesson before taking the quiz",
        ));
    }
    let used = count(state.attempts.len());
    if used >= state.attempts_allowed {
        return Err(Rejection::conflict(
            format!("{used} 次測驗機會已用完,請聯系鄉鎮干部"),
            format!("all {used} attempts are used; ask your township officer for another"),
        ));
    }
    let questions = &ctx.config.questions;
    let mut errors = Vec::new();
    for (i, q) in questions.iter().enumerate() {
        let field = format!("answers.{i}");
        let chosen = p.answers.get(i).map(Vec::as_slice).unwrap_or_default();
        let problem = if chosen.is_empty() {
            Some(("請作答", "choose an option"))
        } else if chosen.iter().any(|c| *c >= q.options.len()) {
            Some(("選項不存在", "names an option that does not exist"))
        } else if !q.multiple && chosen.len() > 1 {
            Some(("單選題只能選一項", "choose one option"))
        } else if has_duplicates(chosen) {
            Some(("選項重復", "lists an option twice"))
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
                format!("只有 {} 道題", questions.len()),
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
            format!("本人{who}已學完“{}”,測驗 {score} 分,合格。", course.zh),
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
                    "{who}“{}”測驗未通過且次數已用完,可視情況增加一次機會。",
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
            "學員已通過測驗",
            "the learner has already passed",
        ));
    }
    if count(state.attempts.len()) < state.attempts_allowed {
        return Err(Rejection::conflict(
            "學員還有測驗機會,無需增加",
            "the learner still has attempts left",
        ));
    }
    state.attempts_allowed += 1;
    Ok(Effects::none())
}
