// Write Baton onboarding modules in TypeScript.
//
// A module is one call to `defineModule`: its titles, its actions (each with
// a payload built from `field`s and a function that changes the state), how
// to start, how far an enrollment has got, whom it awaits and what to show.
// `baton-module build` turns it into a WebAssembly component the Baton host
// runs exactly like one written in Rust with baton-sdk: same contract, same
// checks, same helpers, same messages.
//
// Modules get no clock, network, files or randomness: everything they know is
// in the context, so the host can replay any enrollment's actions. State is a
// plain JSON-able object the host stores between calls.

import type * as wit from "../types/v0.3.0";

export type { wit };

/** The contract (sdk/wit/since_v…) this SDK builds against. */
export const CONTRACT_VERSION = "0.3.0";

/** The template a view for the public must use to be served. */
export const PUBLIC_TEMPLATE = "public";

export type Role = wit.Role;
export type Audience = wit.Audience;
export type Locale = wit.Locale;
export type Member = wit.Member;
export type Outgoing = wit.Outgoing;
export type Village = wit.Village;
export type Attachment = wit.Attachment;
export type Sibling = wit.Sibling;
export type Signoff = wit.Signoff;
export type Notice = wit.Notice;
export type Awaiting = wit.Awaiting;

/** Text in both of the product's languages. */
export interface Text {
  zh: string;
  en: string;
}

/** Text in both languages: `text("签署", "sign")`. */
export function text(zh: string, en: string): Text {
  return { zh, en };
}

/** The role's name in both languages, for messages. */
export function roleTitle(role: Role): Text {
  const titles: Record<Role, Text> = {
    secretary: text("村党组织书记", "village secretary"),
    member: text("两委成员", "committee member"),
    "outgoing-cadre": text("离任干部", "outgoing cadre"),
    "township-officer": text("乡镇干部", "township officer"),
    "county-trainer": text("县级培训人员", "county trainer"),
    "city-officer": text("市级组织干部", "city officer"),
    "province-admin": text("省级管理员", "province administrator"),
    "national-admin": text("全国管理员", "national administrator"),
  };
  return titles[role];
}

// ---------------------------------------------------------------- refusals

/**
 * Why an action was refused. Throw it from `start`, an action or `check`:
 * a refused action changes nothing.
 */
export class Rejection extends Error {
  constructor(readonly reason: wit.Rejection) {
    super(
      reason.tag === "invalid"
        ? reason.val.map((f) => `${f.field}: ${f.message.en}`).join("; ")
        : reason.val.en,
    );
  }

  /** The input is wrong: `field` (a dotted path into the payload) says why. */
  static invalid(field: string, zh: string, en: string): Rejection {
    return new Rejection({ tag: "invalid", val: [{ field, message: text(zh, en) }] });
  }

  /** This actor may not do this. */
  static forbidden(zh: string, en: string): Rejection {
    return new Rejection({ tag: "forbidden", val: text(zh, en) });
  }

  /** Not now: the enrollment is not in a state that allows it. */
  static conflict(zh: string, en: string): Rejection {
    return new Rejection({ tag: "conflict", val: text(zh, en) });
  }
}

// ------------------------------------------------------------------- dates

/** Beijing time's offset from UTC, seconds: China keeps UTC+8 all year. */
export const BEIJING_OFFSET = 8 * 3600;

const pad = (n: number, width: number) => String(n).padStart(width, "0");

/** A time (Unix seconds) as a calendar date, `YYYY-MM-DD` (UTC). */
export function formatDate(seconds: number): string {
  const d = new Date(Math.floor(seconds / 86400) * 86400 * 1000);
  return `${pad(d.getUTCFullYear(), 4)}-${pad(d.getUTCMonth() + 1, 2)}-${pad(d.getUTCDate(), 2)}`;
}

/** A time (Unix seconds) as the date it is in Beijing, `YYYY-MM-DD`. */
export function beijingDate(seconds: number): string {
  return formatDate(seconds + BEIJING_OFFSET);
}

/** A `YYYY-MM-DD` date as Unix seconds at 00:00 UTC, or null when it is no real date. */
export function parseDate(date: string): number | null {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(date);
  if (!m) return null;
  const [year, month, day] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const ms = Date.UTC(year, month - 1, day);
  const d = new Date(ms);
  if (d.getUTCFullYear() !== year || d.getUTCMonth() !== month - 1 || d.getUTCDate() !== day) {
    return null;
  }
  return ms / 1000;
}

// ----------------------------------------------------------------- context

/** Who did something, and when, as a module keeps it in its state (the same shape as baton-sdk's `Stamp`). */
export interface Stamp {
  person_id: string;
  name: string;
  at: number;
}

/** A signed-in person acting in a role; the public has an empty `personId`. */
export interface Actor {
  personId: string;
  name: string;
  role: Role;
}

/** Everything a module may know when it is called, with its config typed. */
export class Context<C> {
  readonly enrollmentId: string;
  readonly actor: Actor;
  readonly village: Village;
  readonly members: Member[];
  readonly outgoing: Outgoing[];
  readonly locale: Locale;
  /** Unix seconds: the module's only clock. */
  readonly now: number;
  readonly siblings: Sibling[];
  readonly attachments: Attachment[];

  constructor(ctx: wit.Context, readonly config: C) {
    this.enrollmentId = ctx.enrollmentId;
    this.actor =
      ctx.actor.tag === "person"
        ? { ...ctx.actor.val }
        : { personId: "", name: "", role: "member" };
    this.village = ctx.village;
    this.members = ctx.members;
    this.outgoing = ctx.outgoing;
    this.locale = ctx.locale;
    this.now = ctx.now;
    this.siblings = ctx.siblings;
    this.attachments = ctx.attachments;
  }

  /** Text in the actor's language. */
  t(t: Text): string {
    return this.locale === "en" ? t.en : t.zh;
  }

  /** Whether this is a view for the public (nobody signed in). */
  isPublic(): boolean {
    return this.actor.personId === "";
  }

  /** The village's enrollment in `module`, if it has one. */
  sibling(module: string): Sibling | undefined {
    return this.siblings.find((s) => s.module === module);
  }

  /** The new committees' people, each once, in roster order (a 一肩挑 secretary holds two seats). */
  people(): Member[] {
    const seen: Member[] = [];
    for (const m of this.members) {
      if (!seen.some((s) => s.personId === m.personId)) seen.push(m);
    }
    return seen;
  }

  /** The acting person and the time of the call, to keep in state. */
  stamp(): Stamp {
    return { person_id: this.actor.personId, name: this.actor.name, at: this.now };
  }

  /** A sign-off by the acting person. */
  signoff(subject: string, statement: Text): Signoff {
    return { signer: this.actor.personId, role: this.actor.role, subject, statement };
  }

  /** Refuses unless the actor has one of `roles`, naming them. */
  requireRole(...roles: Role[]): void {
    if (roles.includes(this.actor.role)) return;
    const titles = roles.map(roleTitle);
    throw Rejection.forbidden(
      `只有${titles.map((t) => t.zh).join("或")}可以执行此操作`,
      `only the ${titles.map((t) => t.en).join(" or the ")} may do this`,
    );
  }

  /** Refuses unless each of `ids` names a file uploaded to this enrollment. */
  requireAttachments(field: string, ids: string[]): void {
    const i = ids.findIndex((id) => !this.attachments.some((a) => a.id === id));
    if (i >= 0) {
      throw Rejection.invalid(
        `${field}.${i}`,
        "没有这个文件：请先上传到本项任务",
        "no such file: upload it to this enrollment first",
      );
    }
  }
}

// ------------------------------------------------------------------ checks

/** Checks every module makes of its payloads, with baton-sdk's messages. */
export const check = {
  /** `value` must not be blank. */
  required(field: string, value: string): void {
    if (value.trim() === "") throw Rejection.invalid(field, "不能为空", "is required");
  },

  /** `value` must be a `YYYY-MM-DD` date; returns it as Unix seconds. */
  date(field: string, value: string): number {
    const at = parseDate(value.trim());
    if (at === null) {
      throw Rejection.invalid(
        field,
        `“${value}”不是有效日期，格式应为 YYYY-MM-DD，如 2026-03-01`,
        `\`${value}\` is not a date like 2026-03-01`,
      );
    }
    return at;
  },

  /** `value` must be a date no later than today in Beijing. */
  pastDate(field: string, value: string, ctx: Context<unknown>): number {
    const at = check.date(field, value);
    const today = beijingDate(ctx.now);
    if (value.trim() > today) {
      throw Rejection.invalid(
        field,
        `日期 ${value} 还没到，今天是 ${today}`,
        `${value} has not happened yet; today is ${today}`,
      );
    }
    return at;
  },

  /** The member of the new committees with id `person`. */
  member(field: string, person: string, ctx: Context<unknown>): Member {
    const m = ctx.members.find((m) => m.personId === person);
    if (!m) throw notOnRoster(field, person, "新一届两委成员", "the new committees");
    return m;
  },

  /** The outgoing cadre with id `person`. */
  outgoing(field: string, person: string, ctx: Context<unknown>): Outgoing {
    const o = ctx.outgoing.find((o) => o.personId === person);
    if (!o) throw notOnRoster(field, person, "离任干部", "the outgoing cadres");
    return o;
  },
};

function notOnRoster(field: string, person: string, zh: string, en: string): Rejection {
  return Rejection.invalid(
    field,
    `“${person}”不在本村${zh}名单中`,
    `\`${person}\` is not among ${en} of this village`,
  );
}

// ----------------------------------------------------------------- effects

/** Who a notice is for, or whose turn it is. */
export const recipient = {
  person: (personId: string): wit.Recipient => ({ tag: "person", val: personId }),
  role: (role: Role): wit.Recipient => ({ tag: "role", val: role }),
};

/** Whose turn it is: one person, or whoever holds a role over the village. */
export const awaiting = {
  person: (personId: string, what: Text, subject: string): Awaiting => ({
    who: recipient.person(personId),
    what,
    subject,
  }),
  role: (role: Role, what: Text, subject: string): Awaiting => ({
    who: recipient.role(role),
    what,
    subject,
  }),
};

/** What an action does besides changing the state: sign-offs and notices. */
export class Effects {
  readonly signoffs: Signoff[] = [];
  readonly notices: Notice[] = [];

  /** Adds a signature, made with `ctx.signoff`. */
  signoff(signoff: Signoff): this {
    this.signoffs.push(signoff);
    return this;
  }

  /** Adds a notice. */
  notify(to: wit.Recipient, message: Text): this {
    this.notices.push({ to, message });
    return this;
  }
}

/** Nothing but the state change; chain `.signoff(…)`, `.notify(…)`. */
export function effects(): Effects {
  return new Effects();
}

// ---------------------------------------------------------------- payloads

/** A JSON Schema, as the host draws forms from it. */
export type Schema = Record<string, unknown>;

/** One field of a payload or config: its schema and the type it gives. */
export interface Field<T> {
  readonly schema: Schema;
  /** Left out, the field is `default` (or absent); else it is required. */
  readonly optional: boolean;
  /** Only for type inference. */
  readonly __type?: T;
}

interface Options<T> {
  /** What the field holds when left out; without it, the field is required. */
  default?: T;
}

function make<T>(schema: Schema, label: Text | undefined, opts: Options<T> = {}): Field<T> {
  const s: Schema = { ...schema };
  if (label) s["x-label"] = label;
  if (opts.default !== undefined) s.default = opts.default;
  return { schema: s, optional: opts.default !== undefined };
}

/** The kinds of field a payload or a config has. Labels are what the form shows. */
export const field = {
  /** Text; `multiline` draws a text area. */
  text: (label?: Text, opts: Options<string> & { multiline?: boolean } = {}): Field<string> =>
    make({ type: "string", ...(opts.multiline ? { "x-multiline": true } : {}) }, label, opts),
  /** A date, `YYYY-MM-DD`, drawn as a date picker. */
  date: (label?: Text, opts: Options<string> = {}): Field<string> =>
    make({ type: "string", format: "date" }, label, opts),
  /** Yes or no, drawn as a tick box. */
  bool: (label?: Text, opts: Options<boolean> = {}): Field<boolean> =>
    make({ type: "boolean" }, label, opts),
  /** A whole number. */
  integer: (label?: Text, opts: Options<number> & { minimum?: number } = {}): Field<number> =>
    make({ type: "integer", ...(opts.minimum !== undefined ? { minimum: opts.minimum } : {}) }, label, opts),
  /** One of `options`, by its text. */
  choice: <const O extends string>(label: Text | undefined, options: readonly O[], opts: Options<O> = {}): Field<O> =>
    make({ type: "string", enum: [...options] }, label, opts),
  /** Ids of files uploaded to the enrollment: the form offers them with a photo picker. */
  attachments: (label?: Text): Field<string[]> =>
    make({ type: "array", items: { type: "string" }, "x-attachments": true }, label, { default: [] }),
  /** Text in both languages (a config's pledge text, an oath). */
  text2: (label?: Text, opts: Options<Text> = {}): Field<Text> =>
    make(
      {
        type: "object",
        properties: { zh: { type: "string" }, en: { type: "string" } },
        required: ["zh", "en"],
        additionalProperties: false,
      },
      label,
      opts,
    ),
  /** The same field, left out when not given (its type gains `undefined`). */
  optional: <T>(f: Field<T>): Field<T | undefined> => ({ schema: f.schema, optional: true }),
};

type Fields = Record<string, Field<unknown>>;

/** The value a set of fields gives. */
export type Shape<F extends Fields> = { [K in keyof F]: F[K] extends Field<infer T> ? T : never };

/** An object of named fields: an action's payload or a module's config. */
export interface Payload<T> {
  readonly schema: Schema;
  /** Parses `value` against the schema, naming the first wrong field under `prefix`. */
  parse(value: unknown, prefix?: string): T;
}

/** An object of named fields, with unknown fields refused. */
export function payload<F extends Fields>(fields: F): Payload<Shape<F>> {
  const required = Object.entries(fields)
    .filter(([, f]) => !f.optional)
    .map(([k]) => k);
  const schema: Schema = {
    type: "object",
    properties: Object.fromEntries(Object.entries(fields).map(([k, f]) => [k, f.schema])),
    additionalProperties: false,
    ...(required.length ? { required } : {}),
  };
  return { schema, parse: (value, prefix = "") => validate(schema, value, prefix) as Shape<F> };
}

const kindNames: Record<string, Text> = {
  object: text("对象", "an object"),
  string: text("文本", "a string"),
  boolean: text("是或否", "a boolean"),
  integer: text("整数", "an integer"),
  number: text("数字", "a number"),
  array: text("列表", "a list"),
};

function kindOf(value: unknown): string {
  if (Array.isArray(value)) return "array";
  if (value === null) return "null";
  if (typeof value === "number") return Number.isInteger(value) ? "integer" : "number";
  return typeof value;
}

/** Checks `value` against the part of JSON Schema `payload` and `field` write. */
function validate(schema: Schema, value: unknown, path: string): unknown {
  const at = (key: string | number) => (path ? `${path}.${key}` : String(key));
  const wrong = (zh: string, en: string) => Rejection.invalid(path || "payload", zh, en);
  const type = schema.type as string;
  const kind = kindOf(value);
  const fits = kind === type || (type === "number" && kind === "integer");
  if (!fits) {
    const want = kindNames[type] ?? text(type, type);
    throw wrong(`格式不正确：应为${want.zh}`, `invalid type: expected ${want.en}`);
  }
  if (type === "object") {
    const object = value as Record<string, unknown>;
    const properties = (schema.properties ?? {}) as Record<string, Schema>;
    for (const key of Object.keys(object)) {
      if (!(key in properties) && schema.additionalProperties === false) {
        throw Rejection.invalid(at(key), "不认识此字段", "is not a known field");
      }
    }
    const out: Record<string, unknown> = {};
    for (const [key, sub] of Object.entries(properties)) {
      if (object[key] === undefined || (object[key] === null && !(schema.required as string[] | undefined)?.includes(key))) {
        if ((schema.required as string[] | undefined)?.includes(key)) {
          throw Rejection.invalid(at(key), "必填项，不能为空", "is required");
        }
        if (sub.default !== undefined) out[key] = structuredCloneJson(sub.default);
        continue;
      }
      out[key] = validate(sub, object[key], at(key));
    }
    return out;
  }
  if (type === "array") {
    return (value as unknown[]).map((item, i) => validate((schema.items ?? {}) as Schema, item, at(i)));
  }
  if (schema.enum && !(schema.enum as unknown[]).includes(value)) {
    const options = (schema.enum as unknown[]).map(String).join("、");
    throw wrong(`不认识“${value}”，可选：${options}`, `unknown value \`${value}\`, expected one of ${options}`);
  }
  if (typeof schema.minimum === "number" && (value as number) < schema.minimum) {
    throw wrong(`不能小于 ${schema.minimum}`, `must be at least ${schema.minimum}`);
  }
  return value;
}

function structuredCloneJson<T>(value: T): T {
  return JSON.parse(JSON.stringify(value));
}

// ------------------------------------------------------------------ module

/** One action: its title, its payload and what it does to the state. */
export interface Action<S, C, P> {
  title: Text;
  payload: Payload<P>;
  /** Changes `state` in place; returns its sign-offs and notices, if any. Throw a `Rejection` to refuse. */
  run(ctx: Context<C>, state: S, payload: P): Effects | void;
}

/** Declares one action with its payload's type inferred. */
export function action<S, C, P>(a: Action<S, C, P>): Action<S, C, P> {
  return a;
}

/** How far an enrollment has got. */
export interface Progress {
  done: number;
  total: number;
}

/** What to show: a template of the module's and the data to render it with. */
export interface View {
  template: string;
  data: unknown;
}

/** A module. Its id and version are the package.json's name and version. */
export interface Module<S, C> {
  title: Text;
  summary: Text;
  audience: Audience;
  estimatedMinutes: number;
  /** The staff above the township who act in this module (most modules: none). */
  reviewers?: Role[];
  /** The handlebars templates, by name: `{ pledge: { zh, en } }`. */
  templates: Record<string, Text>;
  /** The province's configuration: its fields, with defaults, and any further check (name fields `config.…`). */
  config?: { fields: Payload<C>; defaults: C; check?(config: C): void };
  /** The actions, by kebab-case name. */
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  actions: Record<string, Action<S, C, any>>;
  /** The initial state of a new enrollment. */
  start(ctx: Context<C>): S;
  progress(state: S): Progress;
  /** Whose turn it is; none by default. */
  awaiting?(ctx: Context<C>, state: S): Awaiting[];
  view(ctx: Context<C>, state: S): View;
}

declare const __BATON_PACKAGE__: { name: string; version: string };

/**
 * The component's exports for `module`: export them from the entry file,
 * `export const { describe, start, act, view } = defineModule({ … })`.
 */
export function defineModule<S, C = undefined>(module: Module<S, C>): wit.Exports {
  const typed = (ctx: wit.Context): Context<C> => {
    let config: C;
    if (!module.config) {
      config = undefined as C;
    } else {
      const raw = JSON.parse(ctx.config);
      config = raw === null ? module.config.defaults : module.config.fields.parse(raw, "config");
      module.config.check?.(config);
    }
    return new Context(ctx, config);
  };
  const outcome = (ctx: Context<C>, state: S, fx: Effects | void): wit.Outcome => {
    const p = module.progress(state);
    return {
      state: JSON.stringify(state),
      progress: { done: p.done, total: p.total },
      signoffs: fx ? fx.signoffs : [],
      notices: fx ? fx.notices : [],
      awaiting: module.awaiting ? module.awaiting(ctx, state) : [],
    };
  };
  // A refusal becomes the contract's rejection; anything else traps, and the host names the module.
  const refusing = <T>(f: () => T): T => {
    try {
      return f();
    } catch (e) {
      if (e instanceof Rejection) throw e.reason;
      throw e;
    }
  };
  return {
    describe() {
      return {
        id: __BATON_PACKAGE__.name,
        version: __BATON_PACKAGE__.version,
        title: module.title,
        summary: module.summary,
        audience: module.audience,
        actions: Object.entries(module.actions).map(([name, a]) => ({
          name,
          title: a.title,
          payloadSchema: JSON.stringify({ title: name, ...a.payload.schema }),
        })),
        templates: Object.entries(module.templates).map(([name, source]) => ({ name, source })),
        estimatedMinutes: module.estimatedMinutes,
        configSchema: JSON.stringify(
          module.config ? { ...module.config.fields.schema, default: module.config.defaults } : { type: "null" },
        ),
        reviewers: module.reviewers ?? [],
      };
    },
    start(raw) {
      return refusing(() => {
        const ctx = typed(raw);
        return outcome(ctx, module.start(ctx), undefined);
      });
    },
    act(raw, stateJson, name, payloadJson) {
      return refusing(() => {
        const ctx = typed(raw);
        const state = JSON.parse(stateJson) as S;
        const a = Object.hasOwn(module.actions, name) ? module.actions[name] : undefined;
        if (!a) {
          const known = Object.keys(module.actions).join(", ");
          throw Rejection.invalid("action", `不认识“${name}”，可选：${known}`, `unknown value \`${name}\`, expected one of ${known}`);
        }
        let payload: unknown;
        try {
          payload = JSON.parse(payloadJson);
        } catch (e) {
          throw Rejection.invalid("payload", `不是有效的 JSON:${e}`, `is not valid JSON: ${e}`);
        }
        const fx = a.run(ctx, state, a.payload.parse(payload));
        return outcome(ctx, state, fx);
      });
    },
    view(raw, stateJson) {
      const ctx = typed(raw);
      const v = module.view(ctx, JSON.parse(stateJson) as S);
      return { template: v.template, data: JSON.stringify(v.data) };
    },
  };
}
