// Builds static/dist from the npm packages: the stylesheet (GOV.UK Frontend with Arial, compiled
// by Dart Sass) and GOV.UK Frontend's JavaScript. Run by `make install` (npm run build).
import { cpSync, mkdirSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import * as sass from "sass";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const dist = join(root, "static", "dist");
const govuk = join(root, "node_modules", "govuk-frontend", "dist", "govuk");

mkdirSync(join(dist, "css"), { recursive: true });
mkdirSync(join(dist, "js"), { recursive: true });

const result = sass.compile(join(root, "assets", "app.scss"), {
  loadPaths: [join(root, "node_modules")],
  style: "compressed",
  quietDeps: true,
});
if (result.css.includes("GDS Transport")) {
  throw new Error("the compiled stylesheet still names the GOV.UK font");
}
writeFileSync(join(dist, "css", "app.css"), result.css);
cpSync(join(govuk, "govuk-frontend.min.js"), join(dist, "js", "govuk-frontend.min.js"));
// Images the components refer to (not the crown or the GOV.UK icons: we use our own).
mkdirSync(join(dist, "assets", "images"), { recursive: true });
console.log(`built ${join("static", "dist")}: app.css ${result.css.length} bytes`);
