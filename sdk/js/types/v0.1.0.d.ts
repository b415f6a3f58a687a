// Generated from sdk/wit/since_v0.1.0/module.wit by scripts/wit-types.mjs: do not edit.
/**
 * The contract between the Baton host and an onboarding module.
 *
 * Frozen once released: a change makes a new `since_vX.Y.Z` folder, and the
 * host keeps running modules built against every folder it has shipped.
 *
 * A module is a pure function of what it is given. It has no clock (it reads
 * `context.now`), no network, no files and no randomness of its own, so the
 * host can replay an enrollment's action log against any version of it.
 */
export declare const CONTRACT: "0.1.0";

/**
 * A JSON document: a module's state, an action's payload, the province's
 * config for the module, a schema, or a view's data. The module owns its shape.
 */
export type Json = string;

/**
 * Text in both of the product's languages.
 */
export interface Text {
  zh: string;
  en: string;
}

/**
 * The language the actor reads the platform in.
 */
export type Locale =
  | "zh-cn"
  | "en";

/**
 * Seconds since the Unix epoch, UTC.
 */
export type Timestamp = number;

/**
 * What a person is, relative to the enrollment's village.
 */
export type Role =
  /**
   * The new Party branch secretary (书记), often also chair (一肩挑).
   */
  | "secretary"
  /**
   * Another member of the new two committees (两委成员).
   */
  | "member"
  /**
   * A cadre who left at this election (离任或落选干部).
   */
  | "outgoing-cadre"
  /**
   * An officer of the township above the village (乡镇干部).
   */
  | "township-officer"
  /**
   * A trainer or organisation officer of the county (县级).
   */
  | "county-trainer"
  /**
   * A province's administrator.
   */
  | "province-admin"
  /**
   * The national administrator.
   */
  | "national-admin";

/**
 * Who is acting.
 */
export interface Actor {
  personId: string;
  name: string;
  role: Role;
}

/**
 * Which of the two committees a seat is on.
 */
export type Committee =
  /**
   * 党组织（支部委员会）.
   */
  | "party-branch"
  /**
   * 村民委员会, or 居委会 in an urban community.
   */
  | "villagers";

/**
 * A member of the new committees.
 */
export interface Member {
  personId: string;
  name: string;
  committee: Committee;
  /**
   * The post, as written in the roster: 书记、主任、副书记、委员…
   */
  post: string;
  /**
   * Holds both the secretary's and the chair's post (“一肩挑”).
   */
  oneShoulder: boolean;
}

/**
 * Why a cadre is no longer on the committees.
 */
export type Departure =
  /**
   * Stood down or reached retirement (正常离任).
   */
  | "retired"
  /**
   * Stood and was not elected (落选).
   */
  | "defeated"
  /**
   * Moved to another post or place (调任).
   */
  | "transferred";

/**
 * A cadre of the previous committees who is not on the new ones.
 */
export interface Outgoing {
  personId: string;
  name: string;
  committee: Committee;
  post: string;
  departure: Departure;
  /**
   * Whole years served on the committees, for subsidy rules.
   */
  yearsServed: number;
}

/**
 * The village (or urban community) the enrollment belongs to.
 */
export interface Village {
  /**
   * GB/T 2260 administrative-division code, 12 digits.
   */
  code: string;
  name: string;
  township: string;
  county: string;
  province: string;
}

/**
 * Everything a module may know when it is called.
 */
export interface Context {
  enrollmentId: string;
  actor: Actor;
  village: Village;
  members: Array<Member>;
  outgoing: Array<Outgoing>;
  /**
   * The province's configuration of this module, validated by the module.
   */
  config: Json;
  locale: Locale;
  now: Timestamp;
}

/**
 * Who an enrollment is for.
 */
export type Audience =
  /**
   * The new secretary alone.
   */
  | "secretary"
  /**
   * Each member of the new committees, one enrollment each.
   */
  | "every-member"
  /**
   * The committee as a whole, one enrollment per village.
   */
  | "committee";

/**
 * An action the module accepts.
 */
export interface ActionInfo {
  /**
   * The action's name, as sent to `act`: kebab-case.
   */
  name: string;
  title: Text;
  /**
   * The JSON Schema of the action's payload.
   */
  payloadSchema: Json;
}

/**
 * A handlebars template the module renders its views with.
 */
export interface Template {
  name: string;
  source: Text;
}

/**
 * What a module says about itself.
 */
export interface ModuleInfo {
  /**
   * kebab-case, unique across the platform: `handover`, `hn-first-lesson`.
   */
  id: string;
  /**
   * Semantic version of this build of the module.
   */
  version: string;
  title: Text;
  summary: Text;
  audience: Audience;
  actions: Array<ActionInfo>;
  templates: Array<Template>;
  estimatedMinutes: number;
  /**
   * The JSON Schema of the province's configuration.
   */
  configSchema: Json;
}

/**
 * How far an enrollment has got.
 */
export interface Progress {
  done: number;
  total: number;
}

/**
 * A signature to append to the host's tamper-evident log:
 * 一个程序一次签字确认 — one procedure, one signature.
 */
export interface Signoff {
  /**
   * The person who signed: always the acting person.
   */
  signer: string;
  role: Role;
  /**
   * What was signed for: a stable key within the enrollment.
   */
  subject: string;
  /**
   * What the signer attests, in both languages.
   */
  statement: Text;
}

/**
 * Who a notice is for, or whose turn it is.
 */
export type Recipient =
  | { tag: "person"; val: string }
  | { tag: "role"; val: Role };

/**
 * A message the host shows to someone on their next visit.
 */
export interface Notice {
  to: Recipient;
  message: Text;
}

/**
 * The result of a successful `start` or `act`.
 */
export interface Outcome {
  state: Json;
  progress: Progress;
  signoffs: Array<Signoff>;
  notices: Array<Notice>;
}

/**
 * A field of the input and what is wrong with it.
 */
export interface FieldError {
  /**
   * A dotted path into the payload (`entries.0.quantity`), or `action`, or `config.…`.
   */
  field: string;
  message: Text;
}

/**
 * Why an action was refused. A refused action changes nothing.
 */
export type Rejection =
  /**
   * The input is wrong; each field says why.
   */
  | { tag: "invalid"; val: Array<FieldError> }
  /**
   * This actor may not do this.
   */
  | { tag: "forbidden"; val: Text }
  /**
   * Not now: the enrollment is not in a state that allows it.
   */
  | { tag: "conflict"; val: Text };

/**
 * What to show: the host renders `template` with `data`, HTML-escaped.
 */
export interface View {
  template: string;
  data: Json;
}

/** The functions a module exports, as the host calls them. */
export interface Exports {
  /**
   * Who the module is. Called once when the host loads a package.
   */
  describe(): ModuleInfo;
  /**
   * The initial state of a new enrollment.
   * @throws {Rejection} to refuse
   */
  start(ctx: Context): Outcome;
  /**
   * The one way state changes.
   * @throws {Rejection} to refuse
   */
  act(ctx: Context, state: Json, action: string, payload: Json): Outcome;
  /**
   * What the actor sees of the state.
   */
  view(ctx: Context, state: Json): View;
}
