// A discipline pledge (廉洁承诺): every member of the new committees signs
// it, and each signature is a sign-off in the platform's tamper-evident log.
// Start from here: rename the actions, change the state, keep the scenario
// (scenario.json) passing. The module's id and version are package.json's
// name and version.
import {
  type Context,
  type Stamp,
  Rejection,
  action,
  check,
  defineModule,
  effects,
  field,
  payload,
  text,
} from "baton-module-sdk";
import zh from "../templates/pledge.zh.hbs";
import en from "../templates/pledge.en.hbs";

/** The village's pledge: who must sign, and who has. */
interface State {
  members: string[];
  signed: Stamp[];
}

/** The province's configuration: the pledge's text. */
const config = payload({ text: field.text2(text("承诺内容", "The pledge")) });
type Config = ReturnType<typeof config.parse>;

const sign = action({
  title: text("签署承诺", "Sign the pledge"),
  payload: payload({
    agree: field.bool(text("本人已阅读并同意", "I have read it and agree")),
  }),
  run(ctx: Context<Config>, state: State, p) {
    ctx.requireRole("secretary", "member");
    if (!p.agree) throw Rejection.invalid("agree", "请阅读并同意承诺内容", "read and agree to the pledge");
    if (!state.members.includes(ctx.actor.personId)) {
      throw Rejection.forbidden("你不在本村新一届两委名单中", "you are not on this village's new committees");
    }
    if (state.signed.some((s) => s.person_id === ctx.actor.personId)) {
      throw Rejection.conflict("你已经签署过了", "you have already signed");
    }
    state.signed.push(ctx.stamp());
    return effects().signoff(ctx.signoff("pledge", ctx.config.text));
  },
});

export const { describe, start, act, view } = defineModule<State, Config>({
  title: text("廉洁承诺", "Discipline pledge"),
  summary: text("新一届两委成员逐一签署廉洁承诺。", "Every member of the new committees signs the discipline pledge."),
  audience: "committee",
  estimatedMinutes: 5,
  templates: { pledge: { zh, en } },
  config: {
    fields: config,
    defaults: {
      text: text(
        "本人承诺：严守纪律，廉洁用权，不谋私利，接受监督。",
        "I pledge to keep discipline, use power cleanly, seek no private gain and accept supervision.",
      ),
    },
    check: (c) => check.required("config.text.zh", c.text.zh),
  },
  actions: { sign },

  // Each person once: a one-shoulder secretary holds two seats.
  start: (ctx) => ({ members: ctx.people().map((m) => m.personId), signed: [] }),

  progress: (state) => ({ done: state.signed.length, total: state.members.length }),

  view: (ctx, state) => ({
    template: "pledge",
    data: {
      text: ctx.t(ctx.config.text),
      done: state.signed.length,
      total: state.members.length,
      signed: state.signed.map((s) => s.name),
    },
  }),
});
