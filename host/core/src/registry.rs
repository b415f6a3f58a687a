//! Module packages: the built-in ones, the rules a package's module info
//! must follow before the host will run it, and the one cache of loaded
//! modules.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Instant;

use baton_sdk::{Context, Locale, ModuleInfo, Outcome, Rejection, Text, View};

use crate::db::{Db, plugins};
use crate::runtime::{LoadError, Plugin, PluginError, Runtime};
use crate::views::FormHost;

/// What counts module calls (the server's `/metrics`): given the module's
/// `id@version`, the call, when it started and its fault if it had one.
pub type CallCounter = fn(&str, &'static str, Instant, Option<&'static str>);

static CALLS: std::sync::OnceLock<CallCounter> = std::sync::OnceLock::new();

/// Counts every module call of this process with `counter` (the first one
/// given stays).
pub fn count_calls(counter: CallCounter) {
    let _ = CALLS.set(counter);
}

/// A module the host runs: the runtime's loaded component, whose info met
/// [`check_info`], with its templates compiled.
pub struct Module {
    plugin: Plugin,
    templates: crate::views::Templates,
    /// A configured module's definition: every call's config.
    definition: Option<serde_json::Value>,
    /// Its definition gives outgoing cadres a step (read once, at load:
    /// every request that reaches an enrollment asks).
    outgoing: bool,
}

impl std::ops::Deref for Module {
    type Target = Plugin;
    fn deref(&self) -> &Plugin {
        &self.plugin
    }
}

impl Module {
    /// The module's `start`, counted in `/metrics`.
    pub async fn start(&self, ctx: &Context) -> Result<Result<Outcome, Rejection>, PluginError> {
        let started = Instant::now();
        let ctx = self.defined(ctx);
        self.counted("start", started, self.plugin.start(&ctx).await)
    }

    /// `ctx` as this module is called with it: a configured module's
    /// config is its definition, whatever an assignment said.
    fn defined<'a>(&self, ctx: &'a Context) -> std::borrow::Cow<'a, Context> {
        match &self.definition {
            Some(definition) => {
                let mut ctx = ctx.clone();
                ctx.config = definition.clone();
                std::borrow::Cow::Owned(ctx)
            }
            None => std::borrow::Cow::Borrowed(ctx),
        }
    }

    /// Whether a configured module gives outgoing cadres a step: its
    /// definition names `outgoing-cadre` as who does something (`who`).
    /// Outgoing cadres reach only the handover and the visits otherwise.
    pub fn admits_outgoing(&self) -> bool {
        self.outgoing
    }

    /// A configured module's definition; `None` for a built package.
    pub fn definition(&self) -> Option<&serde_json::Value> {
        self.definition.as_ref()
    }

    /// The module's `act`, counted in `/metrics`.
    pub async fn act(
        &self,
        ctx: &Context,
        state: &str,
        action: &str,
        payload: &str,
    ) -> Result<Result<Outcome, Rejection>, PluginError> {
        let started = Instant::now();
        let ctx = self.defined(ctx);
        let answer = self.plugin.act(&ctx, state, action, payload).await;
        self.counted("act", started, answer)
    }

    /// The module's `view`, counted in `/metrics`.
    pub async fn view(&self, ctx: &Context, state: &str) -> Result<View, PluginError> {
        let started = Instant::now();
        let ctx = self.defined(ctx);
        self.counted("view", started, self.plugin.view(&ctx, state).await)
    }

    fn counted<T>(
        &self,
        call: &'static str,
        started: Instant,
        answer: Result<T, PluginError>,
    ) -> Result<T, PluginError> {
        let fault = answer.as_ref().err().map(|e| e.fault.kind());
        if let Some(count) = CALLS.get() {
            count(&self.name().to_string(), call, started, fault);
        }
        answer
    }

    /// `view` rendered as HTML in `locale`, escaped, with `host`'s forms if
    /// given; a template that fails is the module's fault.
    pub fn render(
        &self,
        view: View,
        locale: Locale,
        host: Option<&FormHost>,
    ) -> Result<String, PluginError> {
        crate::views::render_module(&self.templates, &view.template, locale, view.data, host)
            .map_err(|why| self.plugin.malformed(why))
    }

    /// [`Module::render`] on a blocking thread, as a module call runs: a
    /// render may take its whole budget (200 ms), which must not hold an
    /// async worker that other requests (`/healthz`) are waiting on.
    pub async fn render_apart(
        self: &Arc<Self>,
        view: View,
        locale: Locale,
        host: Option<FormHost>,
    ) -> Result<String, PluginError> {
        let module = Arc::clone(self);
        tokio::task::spawn_blocking(move || module.render(view, locale, host.as_ref()))
            .await
            .map_err(|e| self.plugin.malformed(format!("the render stopped: {e}")))?
    }
}

/// Loads a package: the runtime compiles it and asks it to describe itself;
/// its info must meet [`check_info`] and its templates the view rules.
pub async fn load(runtime: &Runtime, bytes: &[u8]) -> Result<Module, LoadError> {
    let plugin = runtime.load(bytes).await?;
    let info = plugin.info();
    let templates = crate::views::module_templates(info);
    let problems: Vec<String> = check_info(info, plugin.bad_json(), plugin.label())
        .into_iter()
        .chain(templates.as_ref().err().cloned().unwrap_or_default())
        .collect();
    if !problems.is_empty() {
        let package = format!("{}@{}", info.id, info.version);
        return Err(LoadError::InvalidInfo { package, problems });
    }
    Ok(Module {
        plugin,
        templates: templates.unwrap_or_default(),
        definition: None,
        outgoing: false,
    })
}

/// The built-in modules that are kinds: engines a province configures in
/// the console, each definition a module of its own — a procedure (程序),
/// and a course (课程: the first lesson's engine, lessons, quiz and classes).
pub const KINDS: &[&str] = &["procedure", "first-lesson"];

/// The kinds that are only engines: assigned through the modules made from
/// them, never as they are (the demo leaves them out).
pub const ENGINES: &[&str] = &["procedure"];

/// Loads a module a province configured: engine component `bytes` run as
/// module `id@version` with `definition` as its config.
pub async fn load_defined(
    runtime: &Runtime,
    bytes: &[u8],
    id: &str,
    version: &str,
    definition: serde_json::Value,
) -> Result<Module, LoadError> {
    let engine = load(runtime, bytes).await?;
    let info = defined_info(engine.plugin.info(), id, version, &definition);
    Ok(Module {
        plugin: engine.plugin.defined_as(info),
        templates: engine.templates,
        outgoing: names_outgoing(&definition),
        definition: Some(definition),
    })
}

/// Whether a definition names `outgoing-cadre` as who does something.
fn names_outgoing(v: &serde_json::Value) -> bool {
    match v {
        serde_json::Value::Object(map) => map
            .iter()
            .any(|(k, x)| (k == "who" && x == "outgoing-cadre") || names_outgoing(x)),
        serde_json::Value::Array(items) => items.iter().any(names_outgoing),
        _ => false,
    }
}

/// A configured module's info: its own id, version, title and summary (a
/// definition's `title` and `summary`, English falling back to Chinese)
/// over the engine's actions, templates and audience. It takes no config of
/// its own: the definition is its config.
pub fn defined_info(
    engine: &ModuleInfo,
    id: &str,
    version: &str,
    definition: &serde_json::Value,
) -> ModuleInfo {
    let words = |key: &str| {
        let zh = definition[key]["zh"]
            .as_str()
            .unwrap_or("")
            .trim()
            .to_owned();
        let en = definition[key]["en"].as_str().unwrap_or("").trim();
        let en = if en.is_empty() {
            zh.clone()
        } else {
            en.to_owned()
        };
        baton_sdk::Text::new(zh, en)
    };
    let title = words("title");
    let summary = match words("summary") {
        s if s.zh.is_empty() => title.clone(),
        s => s,
    };
    ModuleInfo {
        id: id.to_owned(),
        version: version.to_owned(),
        title,
        summary,
        config_schema: serde_json::json!({"type": "object", "properties": {}}),
        ..engine.clone()
    }
}

/// The modules this process has loaded, by id and version: the one cache.
#[derive(Default)]
pub struct Modules {
    loaded: Mutex<HashMap<(String, String), Arc<Module>>>,
}

impl Modules {
    /// `id@version` if it is loaded.
    pub fn get(&self, id: &str, version: &str) -> Option<Arc<Module>> {
        self.lock()
            .get(&(id.to_owned(), version.to_owned()))
            .cloned()
    }

    /// Keeps `module` under its id and version.
    pub fn insert(&self, module: Arc<Module>) {
        let key = (module.info().id.clone(), module.info().version.clone());
        self.lock().insert(key, module);
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<(String, String), Arc<Module>>> {
        // A panic while holding this lock cannot leave the map half-written.
        self.loaded.lock().unwrap_or_else(|e| e.into_inner())
    }
}

include!(concat!(env!("OUT_DIR"), "/built_in.rs"));

/// Stores each built-in module in the database, once per version, so every
/// host process sees the same set. Returns the ids@versions newly stored.
pub async fn register_built_ins(
    db: &Db,
    runtime: &Runtime,
    now: i64,
) -> anyhow::Result<Vec<String>> {
    let mut added = Vec::new();
    for (_, bytes) in BUILT_IN {
        let plugin = load(runtime, bytes).await?;
        let package = plugins::Package {
            id: plugin.info().id.clone(),
            version: plugin.info().version.clone(),
            sha256: hex::encode(plugin.sha256()),
            owner: None,
            built_in: true,
            info: plugin.info().clone(),
        };
        if plugins::insert(db, &package, bytes, now).await? {
            added.push(plugin.name().to_string());
        }
    }
    Ok(added)
}

/// The largest package the platform accepts. The built-in modules are
/// 200–400 KiB; a module that needs megabytes is doing something wrong.
pub const MAX_PACKAGE: usize = 4 << 20;

/// Everything the server checks before it accepts a package: its size; that
/// it is a component built against a contract this host runs, with sane
/// module info, templates that parse and schemas that are JSON Schemas; that
/// it compiles under the runtime's limits; and that `start` and `view` run on
/// the SDK's sample village with the module's default config. Returns the
/// loaded module, or every problem found: in Chinese what is wrong, for the
/// province's administrator; in English the detail a developer needs.
pub async fn validate(runtime: &Runtime, bytes: &[u8]) -> Result<Arc<Module>, Vec<Text>> {
    if bytes.len() > MAX_PACKAGE {
        return Err(vec![Text::new(
            format!("模块包有 {} 字节，超过上限 {MAX_PACKAGE} 字节", bytes.len()),
            format!(
                "the package is {} bytes; the limit is {MAX_PACKAGE}",
                bytes.len()
            ),
        )]);
    }
    let plugin = load(runtime, bytes)
        .await
        .map_err(|e| vec![load_problem(&e)])?;
    let ctx = baton_sdk::testing::sample_context();
    let outcome = match plugin.start(&ctx).await {
        Ok(Ok(outcome)) => outcome,
        Ok(Err(rejection)) => {
            return Err(vec![Text::new(
                format!(
                    "模块用默认配置在示例村启动时拒绝：{}",
                    rejection_zh(&rejection)
                ),
                format!("start refused the sample village with the default config: {rejection}"),
            )]);
        }
        Err(fault) => {
            return Err(vec![Text::new(
                "模块在示例村启动时出错（见技术细节）",
                format!("start failed on the sample village: {fault}"),
            )]);
        }
    };
    let view = plugin.view(&ctx, &outcome.state).await.map_err(|fault| {
        vec![Text::new(
            "模块在示例村显示页面时出错（见技术细节）",
            format!("view failed on the sample village: {fault}"),
        )]
    })?;
    let mut problems = Vec::new();
    for locale in [baton_sdk::Locale::ZhCn, baton_sdk::Locale::En] {
        if let Err(e) = plugin.render(view.clone(), locale, None) {
            let language = match locale {
                baton_sdk::Locale::ZhCn => "中文",
                baton_sdk::Locale::En => "英文",
            };
            problems.push(Text::new(
                format!("{language}页面模板无法显示示例村的数据（见技术细节）"),
                e.to_string(),
            ));
        }
    }
    if problems.is_empty() {
        Ok(Arc::new(plugin))
    } else {
        Err(problems)
    }
}

/// Why a package did not load, in Chinese for the province, with the
/// English detail.
fn load_problem(e: &LoadError) -> Text {
    let zh = match e {
        LoadError::NotAComponent { .. } => {
            "不是 WebAssembly 组件，请按 wasm32-wasip2 目标编译".to_owned()
        }
        LoadError::NoContract { .. } => "不是 Baton 模块：未用 baton-sdk 编译".to_owned(),
        LoadError::UnsupportedContract {
            found, supported, ..
        } => format!("按接口契约 {found} 编译，本平台只能运行契约 {supported}"),
        LoadError::ForbiddenImports { imports, .. } => format!(
            "使用了平台不提供的能力（{}），模块不能访问网络、文件等",
            imports.join("、")
        ),
        LoadError::Compile { .. } => "无法加载：编译或链接失败（见技术细节）".to_owned(),
        LoadError::Describe(_) => "模块在说明自身信息时出错（见技术细节）".to_owned(),
        LoadError::InvalidInfo { problems, .. } => format!(
            "模块信息有 {} 处问题（标识、版本、标题、操作或模板，见技术细节）",
            problems.len()
        ),
    };
    Text::new(zh, e.to_string())
}

/// A module's refusal, in Chinese.
fn rejection_zh(r: &Rejection) -> String {
    match r {
        Rejection::Invalid(fields) => fields
            .iter()
            .map(|f| format!("{}：{}", f.field, f.message.zh))
            .collect::<Vec<_>>()
            .join("；"),
        Rejection::Forbidden(t) | Rejection::Conflict(t) => t.zh.clone(),
    }
}

/// Every problem with `info`, empty when it is acceptable. `bad_json` lists
/// the schemas that did not parse; `label` is what the build stamped into the
/// package (`crate@version`), which must agree with what `describe` says.
pub fn check_info(info: &ModuleInfo, bad_json: &[(String, String)], label: &str) -> Vec<String> {
    let mut problems: Vec<String> = bad_json
        .iter()
        .map(|(what, _)| format!("{what} is not valid JSON"))
        .collect();
    if !is_id(&info.id) {
        problems.push(format!(
            "id `{}` must be 2–64 lower-case letters, digits and hyphens",
            info.id
        ));
    }
    if let Err(e) = semver::Version::parse(&info.version) {
        problems.push(format!(
            "version `{}` is not a semantic version: {e}",
            info.version
        ));
    }
    let named = format!("{}@{}", info.id, info.version);
    if label.contains('@') && label != named {
        problems.push(format!("describe() says {named} but the package was built as {label}; the crate's name and version are the module's"));
    }
    for (what, text) in [("title", &info.title), ("summary", &info.summary)] {
        if text.zh.trim().is_empty() || text.en.trim().is_empty() {
            problems.push(format!("{what} needs both Chinese and English"));
        }
    }
    if info.estimated_minutes == 0 {
        problems.push("estimated_minutes must be at least 1".into());
    }
    let mut seen = std::collections::HashSet::new();
    for action in &info.actions {
        if !is_id(&action.name) {
            problems.push(format!("action `{}` must be kebab-case", action.name));
        }
        if !seen.insert(action.name.as_str()) {
            problems.push(format!("action `{}` is declared twice", action.name));
        }
        if action.title.zh.trim().is_empty() || action.title.en.trim().is_empty() {
            problems.push(format!(
                "action `{}` needs a title in both languages",
                action.name
            ));
        }
        if let Err(why) = compile(&action.payload_schema) {
            problems.push(format!(
                "the payload schema of action `{}` does not compile: {why}",
                action.name
            ));
        } else if let Err(why) = crate::views::check_schema(&action.payload_schema) {
            problems.push(format!(
                "the payload schema of action `{}` cannot be drawn as a form: {why}",
                action.name
            ));
        }
    }
    if let Err(why) = compile(&info.config_schema) {
        problems.push(format!("the config schema does not compile: {why}"));
    }
    let mut seen = std::collections::HashSet::new();
    for template in &info.templates {
        if !seen.insert(template.name.as_str()) {
            problems.push(format!("template `{}` is declared twice", template.name));
        }
    }
    problems
}

fn is_id(s: &str) -> bool {
    (2..=64).contains(&s.len())
        && !s.starts_with('-')
        && !s.ends_with('-')
        && s.bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
}

/// Compiles `schema` as a JSON Schema (checked against its meta-schema),
/// resolving only references inside it.
fn compile(schema: &serde_json::Value) -> Result<(), String> {
    if !(schema.is_object() || schema.is_boolean()) {
        return Err("a JSON Schema is an object or a boolean".into());
    }
    jsonschema::validator_for(schema)
        .map(drop)
        .map_err(|e| e.to_string())
}

#[cfg(test)]
mod tests {
    use baton_sdk::{ActionInfo, Audience, ModuleInfo, Text};
    use serde_json::json;

    fn info(payload: serde_json::Value, config: serde_json::Value) -> ModuleInfo {
        ModuleInfo {
            id: "pledge".into(),
            version: "0.1.0".into(),
            title: Text::new("承诺", "Pledge"),
            summary: Text::new("签署承诺", "Sign a pledge"),
            audience: Audience::Committee,
            actions: vec![ActionInfo {
                name: "sign".into(),
                title: Text::new("签署", "Sign"),
                payload_schema: payload,
            }],
            templates: Vec::new(),
            estimated_minutes: 5,
            config_schema: config,
            reviewers: Vec::new(),
        }
    }

    #[test]
    fn schemas_must_compile_not_just_be_objects() {
        let good = info(
            json!({"type": "object", "properties": {"agree": {"type": "boolean"}}}),
            json!(true),
        );
        assert_eq!(
            super::check_info(&good, &[], "pledge@0.1.0"),
            Vec::<String>::new()
        );
        let bad = info(json!({"type": "nonsense"}), json!({"properties": 3}));
        let problems = super::check_info(&bad, &[], "pledge@0.1.0");
        assert_eq!(problems.len(), 2, "{problems:?}");
        assert!(
            problems[0].starts_with("the payload schema of action `sign` does not compile"),
            "{problems:?}"
        );
        assert!(
            problems[1].starts_with("the config schema does not compile"),
            "{problems:?}"
        );
        let not_a_schema = info(json!("object"), json!(true));
        assert_eq!(
            super::check_info(&not_a_schema, &[], "pledge@0.1.0").len(),
            1
        );
    }
}
