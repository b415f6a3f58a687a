//! The learner's page: lessons in order, then the quiz. The right answers
//! are in the view only once the quiz is passed or out of attempts.

use baton_sdk::{Context, Role, View, format_date};
use serde::Serialize;

use crate::{Config, State, text};

#[derive(Serialize)]
struct Page<'a> {
    title: &'a str,
    done: u32,
    total: u32,
    passed: bool,
    learner: bool,
    lessons: Vec<LessonView<'a>>,
    /// Shown once every lesson is read.
    quiz_open: bool,
    questions: Vec<QuestionView<'a>>,
    pass_mark: u32,
    attempts: Vec<AttemptView>,
    /// The latest attempt, said at the top: passed or not, and the score.
    last: Option<AttemptView>,
    attempts_left: u32,
    /// The right answers are shown: passed, or no attempts left.
    reveal: bool,
    can_submit: bool,
    can_grant: bool,
    sessions: Vec<SessionView<'a>>,
    /// Study hours earned, and what the pass rule asks for (0: none).
    hours: String,
    pass_hours: String,
    /// A township officer or county trainer: sees each session's code.
    staff: bool,
    /// The course as the certificate page and the hours across courses read it.
    study: Study<'a>,
}

#[derive(Serialize)]
struct SessionView<'a> {
    index: u32,
    number: u32,
    title: &'a str,
    date: &'a str,
    place: &'a str,
    hours: String,
    attended: bool,
    /// The trainer who marked it, if not checked in by code.
    marked_by: Option<&'a str>,
    /// For staff only: the code and the link its QR carries.
    code: Option<String>,
    url: Option<String>,
    /// For staff only: the host's roster of the class.
    roster: Option<String>,
}

/// The course for the certificate (a host page reads it by these names).
#[derive(Serialize)]
struct Study<'a> {
    course: &'a str,
    hours: f64,
    /// The whole pass rule is met: quiz passed and hours enough.
    passed: bool,
    passed_on: Option<String>,
}

#[derive(Serialize)]
struct LessonView<'a> {
    index: u32,
    number: u32,
    title: &'a str,
    paragraphs: Vec<&'a str>,
    media: Option<&'a str>,
    read: bool,
    next: bool,
    locked: bool,
}

#[derive(Serialize)]
struct QuestionView<'a> {
    index: usize,
    number: usize,
    prompt: &'a str,
    multiple: bool,
    /// Say （多选） after the prompt: multiple, and the prompt does not say so.
    say_multiple: bool,
    options: Vec<OptionView<'a>>,
    /// Only when revealed: whether the last attempt got it right.
    right: Option<bool>,
}

#[derive(Serialize)]
struct OptionView<'a> {
    index: usize,
    text: &'a str,
    /// Chosen in the last attempt.
    chosen: bool,
    /// Only when revealed.
    correct: Option<bool>,
}

#[derive(Serialize, Clone)]
struct AttemptView {
    number: usize,
    date: String,
    correct: u32,
    score: u32,
    passed: bool,
}

pub(crate) fn render(ctx: &Context<Config>, state: &State) -> View {
    let locale = ctx.locale;
    let c = &ctx.config;
    let used = u32::try_from(state.attempts.len()).unwrap_or(u32::MAX);
    let attempts_left = state.attempts_allowed.saturating_sub(used);
    let passed = state.passed_at.is_some();
    let reveal = passed || attempts_left == 0;
    let learner = matches!(ctx.actor.role, Role::Secretary | Role::Member);
    let last = state.attempts.last();
    let lessons = c
        .lessons
        .iter()
        .zip(0u32..)
        .map(|(l, i)| LessonView {
            index: i,
            number: i + 1,
            title: text(&l.title, locale),
            paragraphs: text(&l.body, locale)
                .split("\n\n")
                .map(str::trim)
                .filter(|p| !p.is_empty())
                .collect(),
            media: l.media.as_deref(),
            read: i < state.read,
            next: i == state.read,
            locked: i > state.read,
        })
        .collect();
    let quiz_open = state.read >= state.lessons;
    let attempts: Vec<AttemptView> = state
        .attempts
        .iter()
        .enumerate()
        .map(|(i, a)| AttemptView {
            number: i + 1,
            date: format_date(a.at),
            correct: a.correct,
            score: a.score,
            passed: a.passed,
        })
        .collect();
    let questions = if quiz_open {
        c.questions
            .iter()
            .enumerate()
            .map(|(qi, q)| {
                let chosen = last
                    .and_then(|a| a.answers.get(qi))
                    .map(Vec::as_slice)
                    .unwrap_or_default();
                let options = q
                    .options
                    .iter()
                    .enumerate()
                    .map(|(oi, o)| OptionView {
                        index: oi,
                        text: text(o, locale),
                        chosen: chosen.contains(&oi),
                        correct: reveal.then(|| q.answer.contains(&oi)),
                    })
                    .collect();
                let right = reveal.then(|| {
                    let mut a = q.answer.clone();
                    let mut c = chosen.to_vec();
                    a.sort_unstable();
                    c.sort_unstable();
                    a == c
                });
                let prompt = text(&q.prompt, locale);
                QuestionView {
                    index: qi,
                    number: qi + 1,
                    prompt,
                    multiple: q.multiple,
                    // A prompt that says so already (（多选）) is not told twice.
                    say_multiple: q.multiple
                        && !prompt.contains("多选")
                        && !prompt.contains("all that apply"),
                    options,
                    right,
                }
            })
            .collect()
    } else {
        Vec::new()
    };
    let progress = <crate::FirstLesson as baton_sdk::Module>::progress(state);
    let staff = matches!(ctx.actor.role, Role::TownshipOfficer | Role::CountyTrainer);
    let sessions = c
        .sessions
        .iter()
        .zip(0u32..)
        .map(|(s, i)| {
            let attended = state.attended.iter().find(|a| a.session == i);
            let code = staff.then(|| crate::session_code(c, i, ctx.now));
            SessionView {
                index: i,
                number: i + 1,
                title: text(&s.title, locale),
                date: &s.date,
                place: &s.place,
                hours: s.hours.to_string(),
                attended: attended.is_some(),
                marked_by: attended.and_then(|a| a.marked_by.as_deref()),
                url: code
                    .as_ref()
                    .map(|code| format!("/checkin?module=first-lesson&session={i}&code={code}")),
                roster: staff.then(|| {
                    format!(
                        "/training/class?enrollment={}&session={i}",
                        ctx.enrollment_id
                    )
                }),
                code,
            }
        })
        .collect();
    let complete = progress.is_complete();
    // Passed when the last of the rule's parts was met.
    let passed_on = complete.then(|| {
        let last_class = state
            .attended
            .iter()
            .map(|a| a.at)
            .max()
            .filter(|_| state.pass_hours > 0.0);
        format_date(
            state
                .passed_at
                .into_iter()
                .chain(last_class)
                .max()
                .unwrap_or(0),
        )
    });
    View::new(
        "course",
        &Page {
            title: text(&c.title, locale),
            done: progress.done,
            total: progress.total,
            passed,
            learner,
            lessons,
            quiz_open,
            questions,
            pass_mark: c.pass_mark,
            last: attempts.last().cloned(),
            attempts,
            attempts_left,
            reveal,
            can_submit: learner && quiz_open && !passed && attempts_left > 0,
            can_grant: staff && !passed && attempts_left == 0,
            sessions,
            hours: state.hours.to_string(),
            // Empty when the rule asks for no hours.
            pass_hours: if state.pass_hours > 0.0 {
                state.pass_hours.to_string()
            } else {
                String::new()
            },
            staff,
            study: Study {
                course: text(&c.title, locale),
                hours: state.hours,
                passed: complete,
                passed_on,
            },
        },
    )
}
