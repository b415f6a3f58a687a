//! The course's state, payloads and config. The config is the course.

use baton_sdk::Text;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// One learner's enrollment.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct State {
    /// Lessons in the course, fixed at start.
    pub lessons: u32,
    /// Lessons read, in order: lessons `0..read` are done.
    pub read: u32,
    /// Attempts allowed, the province's plus any granted since.
    pub attempts_allowed: u32,
    /// Quiz attempts, oldest first.
    pub attempts: Vec<Attempt>,
    /// When the quiz was passed, Unix seconds.
    pub passed_at: Option<i64>,
    /// Class sessions in the course, fixed at start.
    #[serde(default)]
    pub sessions: u32,
    /// Sessions attended, in the order checked in.
    #[serde(default)]
    pub attended: Vec<Attended>,
    /// Study hours (学时) so far: lessons read and sessions attended.
    #[serde(default)]
    pub hours: f64,
    /// Study hours the pass rule asks for, fixed at start; 0 for none.
    #[serde(default)]
    pub pass_hours: f64,
}

/// A session the learner attended.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Attended {
    /// The session's position in the course, from 0.
    pub session: u32,
    /// Unix seconds.
    pub at: i64,
    /// The trainer who marked it, or `None` for the learner's own check-in
    /// with the session's code (scanned or typed).
    pub marked_by: Option<String>,
}

/// One submitted quiz.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Attempt {
    /// Unix seconds.
    pub at: i64,
    /// The chosen options of each question, by question order.
    pub answers: Vec<Vec<usize>>,
    /// Questions answered right.
    pub correct: u32,
    /// Percent, rounded down.
    pub score: u32,
    /// At or above the pass mark.
    pub passed: bool,
}

/// The actions, as the host sends them.
#[derive(Debug, Deserialize)]
#[serde(tag = "action", content = "payload", rename_all = "kebab-case")]
pub enum Action {
    /// The learner has read a lesson.
    Read(Read),
    /// The learner submits the quiz.
    Submit(Submit),
    /// A township officer or county trainer allows one more attempt.
    GrantAttempt(GrantAttempt),
    /// The learner checks in at a class with the code the trainer shows.
    CheckIn(CheckIn),
    /// A township officer or county trainer marks the learner present or absent.
    Mark(Mark),
}

/// Payload of `read`.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Read {
    /// The lesson's position, from 0; lessons are read in order.
    pub lesson: u32,
}

/// Payload of `submit`.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Submit {
    /// For each question in order, the positions (from 0) of the chosen options.
    pub answers: Vec<Vec<usize>>,
}

/// Payload of `grant-attempt`.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct GrantAttempt {
    /// Why: e.g. the learner was absent for the session.
    #[schemars(extend("x-label" = {"zh": "原因", "en": "Why"}, "x-multiline" = true))]
    pub reason: String,
}

/// Payload of `check-in`.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct CheckIn {
    /// The session's position, from 0.
    #[schemars(extend("x-label" = {"zh": "课次", "en": "Session"}, "x-choices" = "sessions", "x-choice-label" = "title"))]
    pub session: u32,
    /// The six digits under the trainer's QR code.
    #[schemars(extend("x-label" = {"zh": "签到码", "en": "Check-in code"}))]
    pub code: String,
}

/// Payload of `mark`.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Mark {
    /// The session's position, from 0.
    pub session: u32,
    /// Present (ticked) or absent.
    #[serde(default)]
    #[schemars(extend("x-label" = {"zh": "到课（不勾选即记为缺席）", "en": "Present (untick for absent)"}))]
    pub present: bool,
}

/// The course, as the province writes it.
#[derive(Debug, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Config {
    /// The course's name.
    #[schemars(extend("x-label" = {"zh": "课程名称", "en": "Course title"}))]
    pub title: Text,
    /// The lessons, read in this order.
    #[schemars(extend("x-label" = {"zh": "课程内容", "en": "Lessons"}, "x-rows" = 1))]
    pub lessons: Vec<Lesson>,
    /// The quiz.
    #[schemars(extend("x-label" = {"zh": "测验题", "en": "Quiz questions"}, "x-rows" = 1))]
    pub questions: Vec<Question>,
    /// Percent of questions right needed to pass, 1–100.
    #[schemars(extend("x-label" = {"zh": "合格分数（1–100）", "en": "Pass mark (1–100)"}))]
    pub pass_mark: u32,
    /// Attempts allowed, at least 1.
    #[schemars(extend("x-label" = {"zh": "测验次数", "en": "Attempts allowed"}))]
    pub attempts: u32,
    /// Classes on a date, attended in person.
    #[serde(default)]
    #[schemars(extend("x-label" = {"zh": "面授课次", "en": "Class sessions"}, "x-rows" = 1))]
    pub sessions: Vec<Session>,
    /// Study hours needed to pass, besides the quiz; 0 for none.
    #[serde(default)]
    #[schemars(extend("x-label" = {"zh": "合格所需学时", "en": "Study hours to pass"}))]
    pub pass_hours: f64,
    /// The secret the sessions' check-in codes are made from; anyone who
    /// knows it can work out the codes, so it is never shown to learners.
    #[serde(default)]
    #[schemars(extend("x-label" = {"zh": "签到密钥（不向学员显示）", "en": "Check-in secret (never shown to learners)"}))]
    pub check_in_key: String,
}

/// A class on a date.
#[derive(Debug, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Session {
    /// Its name.
    #[schemars(extend("x-label" = {"zh": "名称", "en": "Name"}))]
    pub title: Text,
    /// `YYYY-MM-DD`.
    #[schemars(extend("x-label" = {"zh": "日期", "en": "Date"}, "format" = "date"))]
    pub date: String,
    /// Where.
    #[schemars(extend("x-label" = {"zh": "地点", "en": "Place"}))]
    pub place: String,
    /// Study hours it counts for.
    #[schemars(extend("x-label" = {"zh": "学时", "en": "Study hours"}))]
    pub hours: f64,
}

/// One lesson.
#[derive(Debug, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Lesson {
    /// Its title.
    #[schemars(extend("x-label" = {"zh": "标题", "en": "Title"}))]
    pub title: Text,
    /// Its text; blank lines separate paragraphs.
    #[schemars(extend("x-label" = {"zh": "课文", "en": "Reading"}, "x-multiline" = true))]
    pub body: Text,
    /// A video or audio link (http or https), optional.
    #[serde(default)]
    #[schemars(extend("x-label" = {"zh": "视频或音频链接", "en": "Video or audio link"}))]
    pub media: Option<String>,
    /// Study hours it counts for once read.
    #[serde(default)]
    #[schemars(extend("x-label" = {"zh": "学时", "en": "Study hours"}))]
    pub hours: f64,
}

/// One quiz question.
#[derive(Debug, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Question {
    /// The question.
    #[schemars(extend("x-label" = {"zh": "题目", "en": "Question"}))]
    pub prompt: Text,
    /// The options, at least two.
    #[schemars(extend("x-label" = {"zh": "选项", "en": "Options"}, "x-rows" = 2))]
    pub options: Vec<Text>,
    /// The positions (from 0) of the right options: exactly one for a
    /// single-choice question, one or more for a multiple-choice one. The
    /// console ticks them by their text (`x-pick-from`).
    #[schemars(extend("x-label" = {"zh": "正确答案（勾选）", "en": "Right answers (tick them)"}, "x-pick-from" = "options"))]
    pub answer: Vec<usize>,
    /// Several options may be right (多选题).
    #[serde(default)]
    #[schemars(extend("x-label" = {"zh": "多选题", "en": "Several answers"}))]
    pub multiple: bool,
}

impl Default for Config {
    /// A short course on the new committee's first duties, so an assignment
    /// without a course of its own still teaches something.
    fn default() -> Self {
        let t = Text::new;
        let q = |prompt: Text, options: Vec<Text>, answer: Vec<usize>, multiple| Question {
            prompt,
            options,
            answer,
            multiple,
        };
        Self {
            title: t("新任村干部第一课", "First lesson for new village cadres"),
            lessons: vec![
                Lesson {
                    title: t("新班子，新气象", "A new team, a new atmosphere"),
                    body: t(
                        "换届之后，新一届村“两委”班子要尽快完成工作交接，走访离任干部，明确分工，向群众作出承诺。\n\n“新班子、新气象、新作为”：从第一天起，就要把群众的事放在心上。",
                        "After the election the new committees complete the handover, visit the cadres who left, divide their work and make public commitments.\n\n\"A new team, a new atmosphere, new deeds\": put villagers' concerns first from day one.",
                    ),
                    media: None,
                    hours: 0.5,
                },
                Lesson {
                    title: t(
                        "定人定岗定责",
                        "Fix the person, the post, the responsibility",
                    ),
                    body: t(
                        "每名班子成员都要有岗位、有责任。书记统筹全面，组织、纪检、妇女、民兵、调解、治保等岗位逐一落实到人。",
                        "Every member has a post and a responsibility. The secretary leads; organisation, discipline inspection, women's affairs, militia, mediation and public security are each given to someone.",
                    ),
                    media: None,
                    hours: 0.5,
                },
                Lesson {
                    title: t("开门一件事", "One thing on opening"),
                    body: t(
                        "开展民情大走访，谋划村庄发展规划，兑现竞职承诺、干事承诺，作出辞职承诺，接受群众监督。",
                        "Visit households widely, draft the village development plan, keep the campaign and work commitments, make the resignation commitment, and answer to the villagers.",
                    ),
                    media: None,
                    hours: 0.5,
                },
            ],
            questions: vec![
                q(
                    t(
                        "新老班子交接由谁现场见证？",
                        "Who witnesses the handover between the old and new committees?",
                    ),
                    vec![
                        t("乡镇干部", "A township officer"),
                        t("村民代表", "A villagers' representative"),
                        t("新任书记本人", "The new secretary"),
                    ],
                    vec![0],
                    false,
                ),
                q(
                    t("“一肩挑”是指？", "What does \"一肩挑\" mean?"),
                    vec![
                        t(
                            "书记兼任村委会主任",
                            "The secretary also chairs the villagers' committee",
                        ),
                        t("一人负责全部工作", "One person does all the work"),
                        t("书记兼任会计", "The secretary is also the accountant"),
                    ],
                    vec![0],
                    false,
                ),
                q(
                    t(
                        "“开门一件事”中的三项承诺包括？（多选）",
                        "Which are among the three commitments of \"one thing on opening\"? (choose all)",
                    ),
                    vec![
                        t("竞职承诺", "The campaign commitment"),
                        t("干事承诺", "The work commitment"),
                        t("辞职承诺", "The resignation commitment"),
                        t("消费承诺", "A spending commitment"),
                    ],
                    vec![0, 1, 2],
                    true,
                ),
            ],
            pass_mark: 60,
            attempts: 3,
            sessions: Vec::new(),
            pass_hours: 0.0,
            check_in_key: String::new(),
        }
    }
}
