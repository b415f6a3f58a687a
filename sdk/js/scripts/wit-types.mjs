#!/usr/bin/env node
// Writes the TypeScript types of each contract version, types/vX.Y.Z.d.ts,
// from sdk/wit/since_vX.Y.Z/module.wit, as componentize-qjs hands values to
// JavaScript: records with camelCase keys, enums as their case names,
// variants as { tag, val }, option<T> as T | null, 64-bit integers as
// numbers, and a function's result<T, E> returned as T or thrown as E.
//
//   node scripts/wit-types.mjs          write them
//   node scripts/wit-types.mjs --check  fail if any is out of date
//
// The contract's WIT uses a small part of the language (records, enums,
// variants, aliases, lists, options, one world of functions); anything else
// stops the script, naming the line.
import { readFileSync, writeFileSync, readdirSync, existsSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const sdk = join(here, "..");
// In this repository the contract lives in sdk/wit; a copied SDK carries its own.
const witRoot = existsSync(join(sdk, "wit")) ? join(sdk, "wit") : join(sdk, "..", "wit");

const pascal = (name) => name.split("-").map((w) => w[0].toUpperCase() + w.slice(1)).join("");
const camel = (name) => name.replace(/-([a-z0-9])/g, (_, c) => c.toUpperCase());

function type(wit) {
  wit = wit.trim();
  const generic = wit.match(/^(\w+)<(.*)>$/);
  if (generic) {
    const [, outer, inner] = generic;
    if (outer === "list") return `Array<${type(inner)}>`;
    if (outer === "option") return `${type(inner)} | null`;
    throw new Error(`unsupported type ${wit}`);
  }
  const prims = { string: "string", bool: "boolean", u8: "number", u16: "number", u32: "number", u64: "number", s8: "number", s16: "number", s32: "number", s64: "number", f32: "number", f64: "number" };
  return prims[wit] ?? pascal(wit);
}

function doc(lines, indent = "") {
  if (lines.length === 0) return "";
  return `${indent}/**\n${lines.map((l) => `${indent} *${l ? " " + l : ""}`).join("\n")}\n${indent} */\n`;
}

// `later`: the newest contract's docs by item (`record`, `record.field`,
// `export:name`). An older contract's item that the newest still has takes
// its docs, in the newest wording (the frozen 0.1.0 WIT's comments carry
// Traditional characters and pinyin; its authors read Simplified Chinese).
// Every item's docs are recorded in `seen`.
export function generate(source, file, later = null, seen = new Map()) {
  const docsOf = (key, own) => { seen.set(key, own); return (later && later.get(key)) || own; };
  let out = `// Generated from ${file} by scripts/wit-types.mjs: do not edit.\n`;
  const lines = source.split("\n");
  let docs = [];
  let block = null; // { kind, name, docs, items: [] }
  let version = null;
  const exportsOut = [];
  for (const [i, raw] of lines.entries()) {
    const line = raw.trim();
    const where = `${file}:${i + 1}`;
    if (line.startsWith("///")) { docs.push(line.slice(3).trim()); continue; }
    if (line === "" || line.startsWith("//")) { if (!block) docs = []; continue; }
    let m;
    if ((m = line.match(/^package [\w:-]+@([\d.]+);$/))) { version = m[1]; out += doc(docs) + `export declare const CONTRACT: ${JSON.stringify(version)};\n`; docs = []; continue; }
    if (/^(interface [\w-]+|world [\w-]+) \{$/.test(line)) { docs = []; continue; }
    if (line.startsWith("use ")) { docs = []; continue; }
    if ((m = line.match(/^type ([\w-]+) = (.+);$/))) { out += "\n" + doc(docsOf(m[1], docs)) + `export type ${pascal(m[1])} = ${type(m[2])};\n`; docs = []; continue; }
    if ((m = line.match(/^(record|enum|variant) ([\w-]+) \{$/))) { block = { kind: m[1], name: m[2], docs, items: [] }; docs = []; continue; }
    if (line === "}") {
      if (block) {
        const name = pascal(block.name);
        out += "\n" + doc(docsOf(block.name, block.docs));
        for (const it of block.items) it.docs = docsOf(`${block.name}.${it.name}`, it.docs);
        if (block.kind === "record") {
          out += `export interface ${name} {\n${block.items.map((it) => doc(it.docs, "  ") + `  ${camel(it.name)}: ${type(it.type)};`).join("\n")}\n}\n`;
        } else if (block.kind === "enum") {
          out += `export type ${name} =\n${block.items.map((it) => doc(it.docs, "  ") + `  | ${JSON.stringify(it.name)}`).join("\n")};\n`;
        } else {
          out += `export type ${name} =\n${block.items.map((it) => doc(it.docs, "  ") + `  | { tag: ${JSON.stringify(it.name)}${it.type ? `; val: ${type(it.type)}` : ""} }`).join("\n")};\n`;
        }
        block = null;
      }
      docs = [];
      continue;
    }
    if (block) {
      const item = block.kind === "record" ? line.match(/^([\w-]+): (.+),$/)
        : block.kind === "enum" ? line.match(/^([\w-]+),$/)
        : line.match(/^([\w-]+)(?:\((.+)\))?,$/);
      if (!item) throw new Error(`${where}: cannot read \`${line}\` in ${block.kind} ${block.name}`);
      block.items.push({ name: item[1], type: item[2], docs });
      docs = [];
      continue;
    }
    if ((m = line.match(/^export ([\w-]+): func\((.*)\)(?: -> (.+))?;$/))) {
      const params = m[2] ? m[2].split(",").map((p) => { const [n, t] = p.split(":"); return `${camel(n.trim())}: ${type(t)}`; }) : [];
      let result = m[3] ? m[3].trim() : "void";
      let throws = "";
      const r = result.match(/^result<(.+), (.+)>$/);
      if (r) { result = r[1]; throws = `${doc([...docs, `@throws {${pascal(r[2])}} to refuse`], "  ")}`; }
      const own = docsOf(`export:${m[1]}`, docs);
      if (r) throws = `${doc([...own, `@throws {${pascal(r[2])}} to refuse`], "  ")}`;
      exportsOut.push((throws || doc(own, "  ")) + `  ${camel(m[1])}(${params.join(", ")}): ${result === "void" ? "void" : type(result)};`);
      docs = [];
      continue;
    }
    throw new Error(`${where}: cannot read \`${line}\``);
  }
  out += `\n/** The functions a module exports, as the host calls them. */\nexport interface Exports {\n${exportsOut.join("\n")}\n}\n`;
  return { version, text: out };
}

const check = process.argv.includes("--check");
let stale = 0;
// Newest first: its docs are the older contracts' where they share an item.
const newest = new Map();
const dirs = readdirSync(witRoot).filter((d) => d.startsWith("since_v")).sort().reverse();
for (const [n, dir] of dirs.entries()) {
  const file = join(witRoot, dir, "module.wit");
  const { version, text } = n === 0
    ? generate(readFileSync(file, "utf8"), `sdk/wit/${dir}/module.wit`, null, newest)
    : generate(readFileSync(file, "utf8"), `sdk/wit/${dir}/module.wit`, newest);
  const target = join(sdk, "types", `v${version}.d.ts`);
  if (check) {
    if (!existsSync(target) || readFileSync(target, "utf8") !== text) {
      console.error(`${target} is out of date: run node sdk/js/scripts/wit-types.mjs`);
      stale++;
    }
  } else {
    writeFileSync(target, text);
    console.log(`wrote ${target}`);
  }
}
process.exit(stale ? 1 : 0);
