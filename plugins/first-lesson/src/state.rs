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

/// The course, as the province writes it.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Config {
    /// The course's name.
    pub title: Text,
    /// The lessons, read in this order.
    pub lessons: Vec<Lesson>,
    /// The quiz.
    pub questions: Vec<Question>,
    /// Percent of questions right needed to pass, 1–100.
    pub pass_mark: u32,
    /// Attempts allowed, at least 1.
    pub attempts: u32,
}

/// One lesson.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Lesson {
    /// Its title.
    pub title: Text,
    /// Its text; blank lines separate paragraphs.
    pub body: Text,
    /// A video or audio link (http or https), optional.
    #[serde(default)]
    pub media: Option<String>,
}

/// One quiz question.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Question {
    /// The question.
    pub prompt: Text,
    /// The options, at least two.
    pub options: Vec<Text>,
    /// The positions (from 0) of the right options: exactly one for a
    /// single-choice question, one or more for a multiple-choice one.
    pub answer: Vec<usize>,
    /// Several options may be right (多选题).
    #[serde(default)]
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
                },
                Lesson {
                    title: t("开门一件事", "One thing on opening"),
                    body: t(
                        "开展民情大走访，谋划村庄发展规划，兑现竞职承诺、干事承诺，作出辞职承诺，接受群众监督。",
                        "Visit households widely, draft the village development plan, keep the campaign and work commitments, make the resignation commitment, and answer to the villagers.",
                    ),
                    media: None,
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
        }
    }
}
