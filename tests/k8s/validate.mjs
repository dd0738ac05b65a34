// Validates Kubernetes manifests offline against the API schemas of npm's kubernetes-models:
//   node validate.mjs FILE.yaml...
// Prints one JSON line per object: {"file", "index", "kind", "name", "ok", "error"}; exits 1
// when an object is invalid or of a kind this script does not know.
import { readFileSync } from "node:fs";
import { parseAllDocuments } from "yaml";

const groups = {
  "v1": "kubernetes-models/v1",
  "apps/v1": "kubernetes-models/apps/v1",
  "batch/v1": "kubernetes-models/batch/v1",
  "autoscaling/v2": "kubernetes-models/autoscaling/v2",
  "policy/v1": "kubernetes-models/policy/v1",
};

let failed = 0;
for (const file of process.argv.slice(2)) {
  const docs = parseAllDocuments(readFileSync(file, "utf8"));
  for (const [index, doc] of docs.entries()) {
    if (doc.errors.length) {
      console.log(JSON.stringify({ file, index, ok: false, error: String(doc.errors[0]) }));
      failed++;
      continue;
    }
    const obj = doc.toJS();
    if (obj === null) continue;
    const out = { file, index, kind: obj.kind, name: obj.metadata?.name, ok: true };
    try {
      const mod = groups[obj.apiVersion];
      if (!mod) throw new Error(`unknown apiVersion ${obj.apiVersion}`);
      const Model = (await import(mod))[obj.kind];
      if (!Model) throw new Error(`unknown kind ${obj.kind} in ${obj.apiVersion}`);
      new Model(obj).validate();
    } catch (e) {
      out.ok = false;
      out.error = e.message;
      failed++;
    }
    console.log(JSON.stringify(out));
  }
}
process.exit(failed ? 1 : 0);
