//! Rendering modules' views. Templates are handlebars, HTML-escaped: a
//! module's data can never inject markup into the host's pages.

use baton_sdk::{Locale, ModuleInfo};
use handlebars::Handlebars;

/// The registry name of `template` in `locale`.
pub fn template_key(template: &str, locale: Locale) -> String {
    match locale {
        Locale::ZhCn => format!("{template}.zh-CN"),
        Locale::En => format!("{template}.en"),
    }
}

/// The module's templates, compiled; or every one that does not parse.
pub fn module_templates(info: &ModuleInfo) -> Result<Handlebars<'static>, Vec<String>> {
    let mut registry = Handlebars::new();
    registry.set_strict_mode(false);
    let mut problems = Vec::new();
    for template in &info.templates {
        for (locale, source) in [
            (Locale::ZhCn, &template.source.zh),
            (Locale::En, &template.source.en),
        ] {
            let key = template_key(&template.name, locale);
            if let Err(e) = registry.register_template_string(&key, source) {
                problems.push(format!("template `{key}` does not parse: {e}"));
            }
        }
    }
    if problems.is_empty() {
        Ok(registry)
    } else {
        Err(problems)
    }
}
