// A module's handlebars templates are imported as text: `import zh from "../templates/x.zh.hbs"`.
declare module "*.hbs" {
  const source: string;
  export default source;
}
