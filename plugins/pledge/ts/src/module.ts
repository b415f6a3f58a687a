// 纪律承诺与县级备案 — the discipline pledge and the county's filing, in
// TypeScript. The Rust original is ../src/lib.rs; this one keeps the same
// state, so an enrollment replays onto either (tests/typescript.rs).
//
// Every member of the new committees signs the province's pledge text; once
// the secretary has signed, the county records the joint review (县乡联审)
// and files the secretary (县级备案).
import {
  type Context,
  type Stamp,
  Rejection,
  action,
  awaiting,
  check,
  defineModule,
  effects,
  field,
  formatDate,
  payload,
  recipient,
  text,
} from "baton-module-sdk";
import zh from "../../templates/pledge.zh.hbs";
import en from "../../templates/pledge.en.hbs";

interface Signer {
  person_id: string;
  name: string;
  post: string;
  signed: Stamp | null;
}

interface Filing {
  passed: boolean;
  departments: string;
  note: string;
  filed_on: string;
  by: Stamp;
}

interface State {
  members: Signer[];
  secretary: string | null;
  filed: Filing | null;
  reviews: Filing[];
}

const config = payload({ text: field.text2() });
type Config = ReturnType<typeof config.parse>;

function progress(state: State) {
  return {
    done: state.members.filter((m) => m.signed !== null).length + (state.filed ? 1 : 0),
    total: state.members.length + 1,
  };
}

const sign = action({
  title: text("签署承诺书", "Sign the pledge"),
  payload: payload({
    agree: field.bool(text("本人已阅读并承诺遵守", "I have read this pledge and will keep it"), { default: false }),
  }),
  run(ctx: Context<Config>, state: State, p) {
    ctx.requireRole("secretary", "member");
    if (!p.agree) throw Rejection.invalid("agree", "请阅读承诺书并勾选同意", "read the pledge and tick to agree");
    const me = state.members.find((m) => m.person_id === ctx.actor.personId);
    if (!me) throw Rejection.forbidden("你不在本村新一届两委名单中", "you are not on this village's new committees");
    if (me.signed) throw Rejection.conflict("你已经签署过了", "you have already signed");
    me.signed = ctx.stamp();
    const t = ctx.config.text;
    const statement = text(
      `本人${ctx.actor.name}签署纪律承诺书：${t.zh}`,
      `I, ${ctx.actor.name}, sign the discipline pledge: ${t.en}`,
    );
    return effects().signoff(ctx.signoff(`pledge:${ctx.actor.personId}`, statement));
  },
});

const file = action({
  title: text("联审备案", "Record the filing"),
  payload: payload({
    passed: field.bool(text("县乡联审通过", "Cleared by the joint review"), { default: false }),
    departments: field.text(text("联审部门", "Reviewing departments")),
    note: field.text(text("联审意见（未通过时必填）", "Findings (required when not cleared)"), { multiline: true, default: "" }),
    filed_on: field.date(text("备案日期", "Filed on")),
  }),
  run(ctx: Context<Config>, state: State, p) {
    ctx.requireRole("county-trainer");
    if (state.filed) throw Rejection.conflict("已经备案", "already filed");
    check.required("departments", p.departments);
    check.pastDate("filed_on", p.filed_on, ctx);
    if (!p.passed) check.required("note", p.note);
    const filing: Filing = {
      passed: p.passed,
      departments: p.departments.trim(),
      note: p.note.trim(),
      filed_on: p.filed_on.trim(),
      by: ctx.stamp(),
    };
    state.reviews.push(filing);
    const village = ctx.village.name;
    if (!p.passed) {
      return effects().notify(
        recipient.role("township-officer"),
        text(
          `${village}新任书记县乡联审未通过：${filing.note}`,
          `${village}'s new secretary was not cleared by the joint review: ${filing.note}`,
        ),
      );
    }
    state.filed = filing;
    return effects().signoff(
      ctx.signoff(
        "filing",
        text(
          `${village}新任书记经县乡联审（${filing.departments}），于 ${filing.filed_on} 县级备案`,
          `${village}'s new secretary, cleared by the joint review (${filing.departments}), filed by the county on ${filing.filed_on}`,
        ),
      ),
    );
  },
});

export const { describe, start, act, view } = defineModule<State, Config>({
  title: text("纪律承诺与县级备案", "Discipline pledge and county filing"),
  summary: text(
    "新一届两委成员逐一签署换届纪律承诺书；县委组织部登记新任书记的县乡联审结果并备案，与签署承诺互不等待。",
    "Every new committee member signs the election-discipline pledge; the county organisation department records the new secretary's joint review and files them, whether or not the pledges are signed yet.",
  ),
  audience: "committee",
  estimatedMinutes: 10,
  reviewers: ["county-trainer"],
  templates: { pledge: { zh, en } },
  config: {
    fields: config,
    defaults: {
      text: text(
        "本人郑重承诺：严守换届纪律，不拉票贿选，不封官许愿，不搞宗族派性，不借助宗教和黑恶势力干预选举，不造谣诽谤他人，不弄虚作假、隐瞒个人情况；任职后坚决拥护党的领导，严格执行村级重大事项决策“四议两公开”，不优亲厚友、不吃拿卡要、不侵占集体资产，自觉接受党员群众监督。如有违反，自愿接受组织处理，直至辞去职务。",
        "I solemnly pledge to keep the election's discipline: never to buy votes or canvass improperly, promise posts, act for a clan or faction, let religious or criminal forces sway the election, slander others, or falsify or hide my own circumstances; and in office to uphold the Party's leadership, decide the village's major matters by the “four discussions, two disclosures”, never favour kin, take bribes or seize collective assets, and accept the supervision of Party members and villagers. If I break this pledge I accept the organisation's discipline, up to resigning my post.",
      ),
    },
    check(c) {
      check.required("config.text.zh", c.text.zh);
    },
  },
  actions: { sign, file },

  start(ctx) {
    return {
      members: ctx.people().map((m) => ({ person_id: m.personId, name: m.name, post: m.post, signed: null })),
      secretary: ctx.members.find((m) => m.committee === "party-branch" && m.post === "书记")?.personId ?? null,
      filed: null,
      reviews: [],
    };
  },

  progress,

  awaiting(_ctx, state) {
    const out = state.members
      .filter((m) => m.signed === null)
      .map((m) => awaiting.person(m.person_id, text("签署纪律承诺书", "sign the discipline pledge"), "pledge"));
    if (!state.filed) {
      out.push(awaiting.role("county-trainer", text("联审备案新任书记", "file the new secretary"), "filing"));
    }
    return out;
  },

  view(ctx, state) {
    const p = progress(state);
    const me = state.members.find((m) => m.person_id === ctx.actor.personId);
    const filing = (f: Filing) => ({
      passed: f.passed,
      departments: f.departments,
      note: f.note,
      filed_on: f.filed_on,
      by: f.by.name,
    });
    return {
      template: "pledge",
      data: {
        village: ctx.village.name,
        text: ctx.t(ctx.config.text),
        done: p.done,
        total: p.total,
        complete: p.done === p.total,
        members: state.members.map((m) => ({
          name: m.name,
          post: m.post,
          signed: m.signed ? formatDate(m.signed.at) : null,
        })),
        filed: state.filed ? filing(state.filed) : null,
        refused: state.reviews.filter((r) => !r.passed).map(filing),
        can_sign: me !== undefined && me.signed === null,
        can_file: ctx.actor.role === "county-trainer" && !state.filed,
      },
    };
  },
});
