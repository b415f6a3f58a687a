#!/usr/bin/env node
// baton-module build [DIR] [--out FILE]: builds the TypeScript module at DIR
// (default: the current folder) into a Baton component, DIR/dist/<name>.wasm
// or FILE.
//
// 1. esbuild bundles DIR/src/module.ts with the SDK into one ES module; the
//    templates (*.hbs) come in as text, the package's name and version as
//    the module's id and version.
// 2. componentize-qjs puts it into QuickJS, snapshotted, as a component of
//    the contract's world, with WASI stubbed out (a module has no clock,
//    files or network) and without the async ABI.
// 3. The contract and package custom sections are appended, as baton-sdk's
//    export macro stamps them into a Rust module, so the host names the
//    package and checks its contract before compiling it.
import { readFileSync, writeFileSync, mkdirSync, existsSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const sdk = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const CONTRACT = "0.3.0";

function usage(message) {
  if (message) console.error(`baton-module: ${message}`);
  console.error("usage: baton-module build [DIR] [--out FILE]");
  process.exit(2);
}

/** The folder of the contract's WIT: the SDK's own copy, or this repository's sdk/wit. */
function witDir() {
  for (const dir of [join(sdk, "wit", `since_v${CONTRACT}`), join(sdk, "..", "wit", `since_v${CONTRACT}`)]) {
    if (existsSync(join(dir, "module.wit"))) return dir;
  }
  throw new Error(`the contract ${CONTRACT} (wit/since_v${CONTRACT}/module.wit) is missing beside the SDK at ${sdk}`);
}

/** A custom section: id 0, its size, its name and its bytes (LEB128 lengths). */
function customSection(name, text) {
  const leb = (n) => {
    const out = [];
    do {
      let byte = n & 0x7f;
      n >>>= 7;
      if (n) byte |= 0x80;
      out.push(byte);
    } while (n);
    return out;
  };
  const nameBytes = Buffer.from(name, "utf8");
  const body = Buffer.concat([Buffer.from(leb(nameBytes.length)), nameBytes, Buffer.from(text, "utf8")]);
  return Buffer.concat([Buffer.from([0]), Buffer.from(leb(body.length)), body]);
}

async function build(dir, outFile) {
  const pkgFile = join(dir, "package.json");
  if (!existsSync(pkgFile)) usage(`${pkgFile} is missing: DIR must be a module made by \`baton plugin new --lang ts\``);
  const pkg = JSON.parse(readFileSync(pkgFile, "utf8"));
  if (!/^[a-z][a-z0-9-]{1,63}$/.test(pkg.name ?? "") || pkg.name.endsWith("-")) {
    usage(`package.json's name \`${pkg.name}\` cannot be a module id: use 2–64 lower-case letters, digits and hyphens, starting with a letter`);
  }
  if (!/^\d+\.\d+\.\d+(-[0-9A-Za-z.-]+)?$/.test(pkg.version ?? "")) {
    usage(`package.json's version \`${pkg.version}\` is not a semantic version like 0.1.0`);
  }
  const entry = join(dir, "src", "module.ts");
  if (!existsSync(entry)) usage(`${entry} is missing`);

  const esbuild = await import("esbuild");
  const bundled = await esbuild.build({
    entryPoints: [entry],
    bundle: true,
    format: "esm",
    target: "es2022",
    platform: "neutral",
    write: false,
    loader: { ".hbs": "text" },
    alias: { "baton-module-sdk": join(sdk, "src", "index.ts") },
    define: { __BATON_PACKAGE__: JSON.stringify({ name: pkg.name, version: pkg.version }) },
    logLevel: "silent",
  }).catch((e) => {
    console.error(e.message);
    process.exit(1);
  });
  const js = bundled.outputFiles[0].text;

  const { componentize } = await import("componentize-qjs");
  const { component } = await componentize({
    witPath: witDir(),
    jsSource: js,
    world: "baton-module",
    stubWasi: true,
    sync: true,
    optSize: true,
  });
  const out = Buffer.concat([
    component,
    customSection("baton:contract", CONTRACT),
    customSection("baton:package", `${pkg.name}@${pkg.version}`),
  ]);
  const file = outFile ?? join(dir, "dist", `${pkg.name}.wasm`);
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, out);
  console.log(`${file} (${(out.length / 1024 / 1024).toFixed(2)} MiB, contract ${CONTRACT})`);
}

const args = process.argv.slice(2);
const command = args.shift();
if (command !== "build") usage(command ? `unknown command \`${command}\`` : undefined);
let dir = ".";
let out;
while (args.length) {
  const arg = args.shift();
  if (arg === "--out" || arg === "-o") {
    out = args.shift();
    if (!out) usage("--out needs a FILE");
  } else if (arg.startsWith("-")) {
    usage(`unknown option \`${arg}\``);
  } else {
    dir = arg;
  }
}
await build(resolve(dir), out && resolve(out));
